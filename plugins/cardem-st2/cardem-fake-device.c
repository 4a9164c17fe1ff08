/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The faked SIMtrace2 and its modem (cardem-fake-device.h) */
#include "config.h"

#include <errno.h>
#include <linux/types.h>
#include <linux/usbdevice_fs.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cardem-fake-device.h"

#define EP_OUT 0x04
#define EP_IN  0x85
#define EP_IRQ 0x86

/* SIMtrace2 in its cardem configuration: interface 0 = USIM1 card emulation
 * (ff/02/00, bulk out 04, bulk in 85, interrupt in 86), interface 1 = DFU
 * runtime */
static const guint8 remsim_cardem_fake_descriptors[] = {
    /* device */
    0x12,
    0x01,
    0x00,
    0x02,
    0x00,
    0x00,
    0x00,
    0x40,
    0x50,
    0x1d,
    0xe3,
    0x60,
    0x02,
    0x00,
    0x01,
    0x02,
    0x03,
    0x01,
    /* configuration 1 */
    0x09,
    0x02,
    0x39,
    0x00,
    0x02,
    0x01,
    0x00,
    0x80,
    0x32,
    /* interface 0 */
    0x09,
    0x04,
    0x00,
    0x00,
    0x03,
    0xff,
    0x02,
    0x00,
    0x00,
    /* endpoints */
    0x07,
    0x05,
    EP_OUT,
    0x02,
    0x40,
    0x00,
    0x00,
    0x07,
    0x05,
    EP_IN,
    0x02,
    0x40,
    0x00,
    0x00,
    0x07,
    0x05,
    EP_IRQ,
    0x03,
    0x10,
    0x00,
    0x10,
    /* interface 1: DFU runtime + functional descriptor */
    0x09,
    0x04,
    0x01,
    0x00,
    0x00,
    0xfe,
    0x01,
    0x01,
    0x00,
    0x09,
    0x21,
    0x0b,
    0xff,
    0x00,
    0x00,
    0x10,
    0x01,
    0x01};

/* ---- the fake device (runs in umockdev's ioctl thread) -------------------- */

typedef struct {
	UMockdevIoctlData *urb; /* struct usbdevfs_urb, resolved */
	UMockdevIoctlData *buf; /* its buffer, resolved */
	guint8 ep;
} RemsimCardemFakeUrb;

typedef struct {
	gboolean irq;
	GBytes *msg;
} RemsimCardemFakeMsg;

static void
remsim_cardem_fake_msg_free (RemsimCardemFakeMsg *m)
{
	g_bytes_unref (m->msg);
	g_free (m);
}

static void remsim_cardem_fake_event (RemsimCardemFake *fake, const gchar *format, ...)
    G_GNUC_PRINTF (2, 3);

static void
remsim_cardem_fake_event (RemsimCardemFake *fake, const gchar *format, ...)
{
	va_list args;

	va_start (args, format);
	g_async_queue_push (fake->events, g_strdup_vprintf (format, args));
	va_end (args);
}

static gchar *
remsim_cardem_fake_hex (const guint8 *p, gsize len)
{
	GString *s = g_string_new (NULL);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf (s, "%s%02x", i > 0 ? " " : "", p[i]);
	return g_string_free (s, FALSE);
}

static GBytes *
remsim_cardem_fake_unhex (const gchar *hex)
{
	GByteArray *a = g_byte_array_new ();

	for (const gchar *p = hex; *p != '\0';) {
		guint8 b;

		if (*p == ' ') {
			p++;
			continue;
		}
		b = (guint8)((g_ascii_xdigit_value (p[0]) << 4) | g_ascii_xdigit_value (p[1]));
		g_byte_array_append (a, &b, 1);
		p += 2;
	}
	return g_byte_array_free_to_bytes (a);
}

/* a device->host message, header included (little-endian msg_len) */
static GBytes *
remsim_cardem_fake_msg (guint8 cls, guint8 type, const guint8 *payload, gsize len)
{
	guint8 *buf = g_malloc0 (8 + len);

	buf[0] = cls;
	buf[1] = type;
	buf[6] = (guint8)((8 + len) & 0xff);
	buf[7] = (guint8)((8 + len) >> 8);
	if (len > 0)
		memcpy (buf + 8, payload, len);
	return g_bytes_new_take (buf, 8 + len);
}

static GBytes *
remsim_cardem_fake_rx_data (guint32 flags, const guint8 *data, gsize len)
{
	guint8 payload[6 + 256];

	payload[0] = flags & 0xff;
	payload[1] = payload[2] = payload[3] = 0;
	payload[4] = (guint8)(len & 0xff);
	payload[5] = (guint8)(len >> 8);
	memcpy (payload + 6, data, len);
	return remsim_cardem_fake_msg (1, 6, payload, 6 + len);
}

static GBytes *
remsim_cardem_fake_status (guint32 flags)
{
	/* flags, 3300 mV, Fi 1, Di 1, WI 10, WT 9600 etu */
	const guint8 payload[] = {
	    flags & 0xff, 0, 0, 0, 0xe4, 0x0c, 1, 1, 10, 0x80, 0x25, 0x00, 0x00};

	return remsim_cardem_fake_msg (1, 4, payload, sizeof (payload));
}

static void
remsim_cardem_fake_urb_free (RemsimCardemFakeUrb *u)
{
	g_clear_object (&u->urb);
	g_clear_object (&u->buf);
	g_free (u);
}

static struct usbdevfs_urb *
remsim_cardem_fake_urb_struct (RemsimCardemFakeUrb *u)
{
	return (struct usbdevfs_urb *)u->urb->data;
}

/* move queued messages into waiting IN URBs, in the order the firmware
 * produced them: a message waits for an URB of its endpoint and holds up
 * the ones behind it (lock held) */
static void
remsim_cardem_fake_pump (RemsimCardemFake *fake)
{
	while (!g_queue_is_empty (&fake->out_msgs)) {
		RemsimCardemFakeMsg *m = g_queue_peek_head (&fake->out_msgs);
		GQueue *urbs = m->irq ? &fake->irq_urbs : &fake->in_urbs;
		RemsimCardemFakeUrb *u;
		struct usbdevfs_urb *urb;
		gsize len = 0;
		const guint8 *data;

		if (g_queue_is_empty (urbs))
			return;
		u = g_queue_pop_head (urbs);
		g_queue_pop_head (&fake->out_msgs);
		urb = remsim_cardem_fake_urb_struct (u);
		data = g_bytes_get_data (m->msg, &len);
		g_assert_cmpint ((gint)len, <=, urb->buffer_length);
		memcpy (u->buf->data, data, len);
		urb->actual_length = (int)len;
		urb->status = 0;
		g_queue_push_tail (&fake->reapable, u);
		remsim_cardem_fake_msg_free (m);
	}
}

static void
remsim_cardem_fake_queue (RemsimCardemFake *fake, gboolean irq, GBytes *msg)
{
	RemsimCardemFakeMsg *m = g_new0 (RemsimCardemFakeMsg, 1);

	m->irq = irq;
	m->msg = msg;
	g_queue_push_tail (&fake->out_msgs, m);
}

/* what the sink must send for the card's response @rsp (lock held) */
static void
remsim_cardem_fake_expect_response (RemsimCardemFake *fake, GBytes *rsp)
{
	gsize len = 0;
	const guint8 *r = g_bytes_get_data (rsp, &len);
	guint8 fin[] = {1, 1, 0, 0, 0, 0, 0x10, 0, 0x06, 0, 0, 0, 2, 0, r[len - 2], r[len - 1]};

	g_assert_cmpuint (len, >=, 2);
	g_byte_array_set_size (fake->expected_rsp, 0);
	if (len > 2) {
		/* PB_AND_TX: INS as procedure byte, then the data */
		guint8 m[8 + 6 + 257] = {1, 1, 0, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0};
		gsize total = 8 + 6 + 1 + len - 2;

		m[6] = (guint8)(total & 0xff);
		m[7] = (guint8)(total >> 8);
		m[12] = (guint8)(len - 1);
		m[14] = fake->cmd[1];
		memcpy (m + 15, r, len - 2);
		g_byte_array_append (fake->expected_rsp, m, (guint)total);
	}
	/* PB_AND_TX|FINAL: SW1 SW2 */
	g_byte_array_append (fake->expected_rsp, fin, sizeof (fin));
	/* the modem fetches the response of a case-4 command next */
	if (r[len - 2] == 0x61 || r[len - 2] == 0x9f) {
		fake->next_hdr[0] = fake->cmd[0];
		fake->next_hdr[1] = 0xc0;
		fake->next_hdr[2] = 0;
		fake->next_hdr[3] = 0;
		fake->next_hdr[4] = r[len - 1];
		fake->have_next = TRUE;
	}
}

/* the modem sends the next command header (lock held) */
static void
remsim_cardem_fake_next_command (RemsimCardemFake *fake)
{
	if (fake->have_next) {
		memcpy (fake->cmd, fake->next_hdr, 5);
		fake->have_next = FALSE;
		fake->pending_data = NULL;
	} else if (fake->script_pos < fake->script_len) {
		g_autoptr (GBytes) hdr =
		    remsim_cardem_fake_unhex (fake->script[fake->script_pos].hdr);

		memcpy (fake->cmd, g_bytes_get_data (hdr, NULL), 5);
		fake->pending_data = fake->script[fake->script_pos].data;
		fake->script_pos++;
	} else {
		fake->expect = REMSIM_CARDEM_FAKE_EXPECT_NOTHING;
		remsim_cardem_fake_event (fake, "phase-done %u", fake->phase);
		return;
	}
	fake->cmd_len = 5;
	if (fake->pending_data != NULL) {
		fake->expect = REMSIM_CARDEM_FAKE_EXPECT_PB;
	} else {
		g_autoptr (GBytes) rsp = remsim_simcard_process (fake->ref_card, fake->cmd, 5);

		remsim_cardem_fake_expect_response (fake, rsp);
		fake->expect = REMSIM_CARDEM_FAKE_EXPECT_RESPONSE;
	}
	fake->n_tpdus++;
	remsim_cardem_fake_queue (fake, FALSE, remsim_cardem_fake_rx_data (0x01, fake->cmd, 5));
}

static void
remsim_cardem_fake_error (RemsimCardemFake *fake, const gchar *what, const guint8 *p, gsize len)
{
	g_autofree gchar *hex = remsim_cardem_fake_hex (p, len);

	remsim_cardem_fake_event (fake, "error %s: %s", what, hex);
}

/* the host sent a message (lock held) */
static void
remsim_cardem_fake_host_msg (RemsimCardemFake *fake, const guint8 *p, gsize len)
{
	static const guint8 config[] = {1, 8, 0, 0, 0, 0, 0x0e, 0, 1, 0, 0, 0, 0, 0};
	static const guint8 status_req[] = {1, 4, 0, 0, 0, 0, 8, 0};
	const RemsimCardemFakePhase *phase;

	if (len < 8 || p[6] + (p[7] << 8) != (gint)len) {
		remsim_cardem_fake_error (fake, "malformed message", p, len);
		return;
	}
	if (p[0] == 1 && p[1] == 8) {
		if (len != sizeof (config) || memcmp (p, config, len) != 0)
			remsim_cardem_fake_error (fake, "unexpected config", p, len);
		fake->config_seen = TRUE;
		remsim_cardem_fake_event (fake, "config");
		/* the firmware echoes its config */
		remsim_cardem_fake_queue (fake, FALSE, g_bytes_new (config, sizeof (config)));
	} else if (p[0] == 1 && p[1] == 4) {
		if (len != sizeof (status_req) || memcmp (p, status_req, len) != 0)
			remsim_cardem_fake_error (fake, "unexpected status request", p, len);
		remsim_cardem_fake_queue (
		    fake, FALSE, remsim_cardem_fake_status (fake->status_flags));
	} else if (p[0] == 1 && p[1] == 2) {
		if (len < 9 || len != 9u + p[8]) {
			remsim_cardem_fake_error (fake, "malformed SET_ATR", p, len);
			return;
		}
		/* the last one counts when the card is inserted */
		g_clear_pointer (&fake->last_atr, g_bytes_unref);
		fake->last_atr = g_bytes_new (p + 9, p[8]);
		remsim_cardem_fake_event (fake, "atr");
	} else if (p[0] == 2 && p[1] == 2) {
		if (len != 9)
			remsim_cardem_fake_error (fake, "bad SIM select", p, len);
		fake->sim_remote = p[8] == 1;
		remsim_cardem_fake_event (fake, "sim-select %u", p[8]);
	} else if (p[0] == 2 && p[1] == 1) {
		static const guint8 pulse[] = {2, 1, 0, 0, 0, 0, 0x0b, 0, 2, 0x2c, 0x01};

		if (len != sizeof (pulse) || memcmp (p, pulse, len) != 0)
			remsim_cardem_fake_error (fake, "unexpected modem reset", p, len);
		fake->modem_resets++;
		remsim_cardem_fake_event (fake, "modem-reset");
	} else if (p[0] == 1 && p[1] == 5) {
		if (len != 9)
			remsim_cardem_fake_error (fake, "bad card insert", p, len);
		fake->card_inserted = p[8] == 1;
		remsim_cardem_fake_event (fake, "card-insert %u", p[8]);
		if (!fake->card_inserted)
			return;
		if (!fake->config_seen || fake->last_atr == NULL || !fake->sim_remote) {
			remsim_cardem_fake_error (
			    fake, "card inserted before config/ATR/SIM select", p, len);
			return;
		}
		if (!g_bytes_equal (fake->last_atr, fake->expected_atr)) {
			gsize atr_len = 0;
			const guint8 *atr = g_bytes_get_data (fake->last_atr, &atr_len);

			remsim_cardem_fake_error (
			    fake, "card inserted with the wrong ATR", atr, atr_len);
			return;
		}
		/* the modem powers the card: VCC + CLK with RST, then RST off;
		 * the firmware reports both on the interrupt endpoint */
		fake->status_flags = 0x01 | 0x02 | 0x04 | 0x10;
		remsim_cardem_fake_queue (
		    fake, TRUE, remsim_cardem_fake_status (fake->status_flags));
		fake->status_flags = 0x01 | 0x02 | 0x04;
		remsim_cardem_fake_queue (
		    fake, TRUE, remsim_cardem_fake_status (fake->status_flags));
		/* the same status again: nothing changed for the host */
		remsim_cardem_fake_queue (
		    fake, TRUE, remsim_cardem_fake_status (fake->status_flags));
		/* the firmware sent the ATR to the modem (the one checked
		 * above); the modem may answer with a PTS; right behind it
		 * comes the first TPDU header */
		fake->phase++;
		phase = fake->phase <= fake->n_phases ? &fake->phases[fake->phase - 1] : NULL;
		fake->script = phase != NULL ? phase->cmds : NULL;
		fake->script_len = phase != NULL ? phase->n_cmds : 0;
		fake->script_pos = 0;
		fake->have_next = FALSE;
		if (phase != NULL && phase->pts) {
			const guint8 pts[] = {
			    4, 0xff, 0x10, 0x94, 0x7b, 0, 0, 0xff, 0x10, 0x94, 0x7b, 0, 0};

			/* both must be in flight at once: several IN URBs */
			fake->pts_with_header_ok = g_queue_get_length (&fake->in_urbs) >= 2;
			remsim_cardem_fake_queue (
			    fake, FALSE, remsim_cardem_fake_msg (1, 7, pts, sizeof (pts)));
		}
		remsim_cardem_fake_next_command (fake);
	} else if (p[0] == 1 && p[1] == 1) {
		if (fake->expect == REMSIM_CARDEM_FAKE_EXPECT_PB) {
			guint8 pb[] = {
			    1, 1, 0, 0, 0, 0, 0x0f, 0, 0x08, 0, 0, 0, 1, 0, fake->cmd[1]};
			g_autoptr (GBytes) data = NULL;
			g_autoptr (GBytes) rsp = NULL;
			gsize dlen = 0;
			const guint8 *d;

			if (len != sizeof (pb) || memcmp (p, pb, len) != 0) {
				remsim_cardem_fake_error (fake, "expected PB_AND_RX", p, len);
				return;
			}
			fake->n_checked_bytes += len;
			/* the modem sends the data after the procedure byte */
			data = remsim_cardem_fake_unhex (fake->pending_data);
			d = g_bytes_get_data (data, &dlen);
			memcpy (fake->cmd + 5, d, dlen);
			fake->cmd_len = 5 + dlen;
			remsim_cardem_fake_queue (
			    fake, FALSE, remsim_cardem_fake_rx_data (0x02, d, dlen));
			rsp = remsim_simcard_process (fake->ref_card, fake->cmd, fake->cmd_len);
			remsim_cardem_fake_expect_response (fake, rsp);
			fake->expect = REMSIM_CARDEM_FAKE_EXPECT_RESPONSE;
			return;
		}
		if (fake->expect == REMSIM_CARDEM_FAKE_EXPECT_RESPONSE) {
			/* compare with the head of what we expect */
			if (fake->expected_rsp->len < len ||
			    memcmp (fake->expected_rsp->data, p, len) != 0) {
				g_autofree gchar *exp = remsim_cardem_fake_hex (
				    fake->expected_rsp->data, fake->expected_rsp->len);

				remsim_cardem_fake_event (fake, "error expected %s", exp);
				remsim_cardem_fake_error (fake, "wrong response", p, len);
				return;
			}
			fake->n_checked_bytes += len;
			g_byte_array_remove_range (fake->expected_rsp, 0, (guint)len);
			if (fake->expected_rsp->len == 0)
				remsim_cardem_fake_next_command (fake);
			return;
		}
		remsim_cardem_fake_error (fake, "unexpected TX_DATA", p, len);
	} else {
		remsim_cardem_fake_error (fake, "unknown message", p, len);
	}
}

static void
remsim_cardem_fake_client_connected_cb (UMockdevIoctlBase *handler,
					UMockdevIoctlClient *client,
					gpointer user_data)
{
	RemsimCardemFake *fake = user_data;

	g_mutex_lock (&fake->lock);
	/* a new open of the device: a fresh firmware session */
	g_queue_clear_full (&fake->in_urbs, (GDestroyNotify)remsim_cardem_fake_urb_free);
	g_queue_clear_full (&fake->irq_urbs, (GDestroyNotify)remsim_cardem_fake_urb_free);
	g_queue_clear_full (&fake->reapable, (GDestroyNotify)remsim_cardem_fake_urb_free);
	g_queue_clear_full (&fake->out_msgs, (GDestroyNotify)remsim_cardem_fake_msg_free);
	fake->session++;
	fake->config_seen = FALSE;
	g_clear_pointer (&fake->last_atr, g_bytes_unref);
	fake->card_inserted = FALSE;
	fake->sim_remote = FALSE;
	fake->status_flags = 0x00;
	fake->expect = REMSIM_CARDEM_FAKE_EXPECT_NOTHING;
	remsim_cardem_fake_event (fake, "open");
	g_mutex_unlock (&fake->lock);
}

static gboolean
remsim_cardem_fake_ioctl_cb (UMockdevIoctlBase *handler,
			     UMockdevIoctlClient *client,
			     gpointer user_data)
{
	RemsimCardemFake *fake = user_data;
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg (client);
	gulong request = umockdev_ioctl_client_get_request (client);
	g_autoptr (GError) error = NULL;
	glong res = 0;
	gint err = 0;

	g_mutex_lock (&fake->lock);
	switch (request) {
	case USBDEVFS_GET_CAPABILITIES: {
		UMockdevIoctlData *d =
		    umockdev_ioctl_data_resolve (arg, 0, sizeof (guint32), &error);

		g_assert_no_error (error);
		*(guint32 *)d->data = USBDEVFS_CAP_BULK_CONTINUATION |
				      USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
				      USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
		break;
	}
	case USBDEVFS_CLAIMINTERFACE:
	case USBDEVFS_RELEASEINTERFACE:
	case USBDEVFS_SETINTERFACE:
	case USBDEVFS_SETCONFIGURATION:
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESETEP:
	case USBDEVFS_DISCONNECT_CLAIM:
		if (!fake->plugged) {
			res = -1;
			err = ENODEV;
		}
		break;
	case USBDEVFS_GETDRIVER:
		res = -1;
		err = ENODATA;
		break;
	case USBDEVFS_SUBMITURB: {
		RemsimCardemFakeUrb *u;
		struct usbdevfs_urb *urb;
		UMockdevIoctlData *d;

		if (!fake->plugged) {
			res = -1;
			err = ENODEV;
			break;
		}
		d = umockdev_ioctl_data_resolve (arg, 0, sizeof (struct usbdevfs_urb), &error);
		g_assert_no_error (error);
		urb = (struct usbdevfs_urb *)d->data;
		u = g_new0 (RemsimCardemFakeUrb, 1);
		u->urb = g_object_ref (d);
		u->ep = urb->endpoint;
		u->buf = umockdev_ioctl_data_resolve (
		    d, offsetof (struct usbdevfs_urb, buffer), (gsize)urb->buffer_length, &error);
		g_assert_no_error (error);
		g_assert_nonnull (u->buf);
		g_object_ref (u->buf);
		/* resolve() pointed the buffer at our copy; use the struct
		 * through u->urb from here on */
		if (u->ep == EP_OUT) {
			remsim_cardem_fake_host_msg (fake, u->buf->data, (gsize)urb->buffer_length);
			urb->actual_length = urb->buffer_length;
			urb->status = 0;
			g_queue_push_tail (&fake->reapable, u);
		} else if (u->ep == EP_IN) {
			g_queue_push_tail (&fake->in_urbs, u);
		} else if (u->ep == EP_IRQ) {
			g_queue_push_tail (&fake->irq_urbs, u);
		} else {
			remsim_cardem_fake_urb_free (u);
			res = -1;
			err = EINVAL;
			break;
		}
		remsim_cardem_fake_pump (fake);
		break;
	}
	case USBDEVFS_DISCARDURB: {
		gulong addr = *(gulong *)arg->data;
		gboolean found = FALSE;

		for (guint q = 0; q < 2 && !found; q++) {
			GQueue *urbs = q == 0 ? &fake->in_urbs : &fake->irq_urbs;

			for (GList *l = urbs->head; l != NULL; l = l->next) {
				RemsimCardemFakeUrb *u = l->data;

				if (u->urb->client_addr != addr)
					continue;
				g_queue_delete_link (urbs, l);
				remsim_cardem_fake_urb_struct (u)->status = -ENOENT;
				remsim_cardem_fake_urb_struct (u)->actual_length = 0;
				g_queue_push_tail (&fake->reapable, u);
				found = TRUE;
				break;
			}
		}
		if (!found) {
			res = -1;
			err = EINVAL;
		}
		break;
	}
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY: {
		RemsimCardemFakeUrb *u = g_queue_pop_head (&fake->reapable);
		UMockdevIoctlData *d;

		if (u == NULL) {
			res = -1;
			err = fake->plugged ? EAGAIN : ENODEV;
			break;
		}
		d = umockdev_ioctl_data_resolve (arg, 0, sizeof (gpointer), &error);
		g_assert_no_error (error);
		umockdev_ioctl_data_set_ptr (d, 0, u->urb);
		remsim_cardem_fake_urb_free (u);
		break;
	}
	default:
		res = -1;
		err = ENOTTY;
		break;
	}
	g_mutex_unlock (&fake->lock);
	umockdev_ioctl_client_complete (client, res, err);
	return TRUE;
}

/* the cable is pulled: every URB in flight ends as the kernel ends them */
void
remsim_cardem_fake_unplug (RemsimCardemFake *fake)
{
	g_mutex_lock (&fake->lock);
	fake->plugged = FALSE;
	for (guint q = 0; q < 2; q++) {
		GQueue *urbs = q == 0 ? &fake->in_urbs : &fake->irq_urbs;
		RemsimCardemFakeUrb *u;

		while ((u = g_queue_pop_head (urbs)) != NULL) {
			remsim_cardem_fake_urb_struct (u)->status = -ESHUTDOWN;
			remsim_cardem_fake_urb_struct (u)->actual_length = 0;
			g_queue_push_tail (&fake->reapable, u);
		}
	}
	g_queue_clear_full (&fake->out_msgs, (GDestroyNotify)remsim_cardem_fake_msg_free);
	g_mutex_unlock (&fake->lock);
}

/* ... and later udev notices */
void
remsim_cardem_fake_remove (RemsimCardemFake *fake)
{
	umockdev_testbed_uevent (fake->testbed, REMSIM_CARDEM_FAKE_SYS_PATH, "remove");
	umockdev_testbed_remove_device (fake->testbed, REMSIM_CARDEM_FAKE_SYS_PATH);
}

void
remsim_cardem_fake_plug (RemsimCardemFake *fake)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *hex = NULL;
	g_autofree gchar *record = NULL;
	GString *s = g_string_new (NULL);

	for (gsize i = 0; i < sizeof (remsim_cardem_fake_descriptors); i++)
		g_string_append_printf (s, "%02X", remsim_cardem_fake_descriptors[i]);
	hex = g_string_free (s, FALSE);
	record = g_strdup_printf ("P: /devices/usb1/1-1\n"
				  "N: bus/usb/001/002=%s\n"
				  "E: SUBSYSTEM=usb\n"
				  "E: DEVTYPE=usb_device\n"
				  "E: DEVNAME=/dev/bus/usb/001/002\n"
				  "E: BUSNUM=001\n"
				  "E: DEVNUM=002\n"
				  "E: PRODUCT=1d50/60e3/2\n"
				  "A: busnum=1\\n\n"
				  "A: devnum=2\\n\n"
				  "A: speed=12\\n\n"
				  "A: bConfigurationValue=1\\n\n"
				  "A: bNumConfigurations=1\\n\n"
				  "A: idVendor=1d50\\n\n"
				  "A: idProduct=60e3\\n\n"
				  "A: devpath=1\\n\n"
				  "A: dev=189:1\\n\n"
				  "H: descriptors=%s\n"
				  "\n",
				  hex,
				  hex);
	g_mutex_lock (&fake->lock);
	fake->plugged = TRUE;
	g_mutex_unlock (&fake->lock);
	if (!umockdev_testbed_add_from_string (fake->testbed, record, &error))
		g_error ("cannot add the device: %s", error->message);
	umockdev_testbed_uevent (fake->testbed, REMSIM_CARDEM_FAKE_SYS_PATH, "add");
}

static void
remsim_cardem_fake_drop_urbs (RemsimCardemFake *fake)
{
	g_queue_clear_full (&fake->in_urbs, (GDestroyNotify)remsim_cardem_fake_urb_free);
	g_queue_clear_full (&fake->irq_urbs, (GDestroyNotify)remsim_cardem_fake_urb_free);
	g_queue_clear_full (&fake->reapable, (GDestroyNotify)remsim_cardem_fake_urb_free);
	g_queue_clear_full (&fake->out_msgs, (GDestroyNotify)remsim_cardem_fake_msg_free);
}

void
remsim_cardem_fake_init (RemsimCardemFake *fake,
			 UMockdevTestbed *testbed,
			 const RemsimCardemFakePhase *phases,
			 guint n_phases)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *root_hub = NULL;

	memset (fake, 0, sizeof (*fake));
	g_mutex_init (&fake->lock);
	fake->testbed = g_object_ref (testbed);
	fake->phases = phases;
	fake->n_phases = n_phases;
	fake->events = g_async_queue_new_full (g_free);
	fake->expected_rsp = g_byte_array_new ();
	fake->ref_card = remsim_simcard_new_default (&error);
	g_assert_no_error (error);
	fake->expected_atr = remsim_simcard_power_on (fake->ref_card);
	root_hub = umockdev_testbed_add_device (
	    testbed, "usb", "usb1", NULL, "busnum", "1\n", "devnum", "1\n", NULL, NULL);
	g_assert_nonnull (root_hub);
	remsim_cardem_fake_plug (fake);
	fake->handler = umockdev_ioctl_base_new ();
	g_signal_connect (
	    fake->handler, "handle-ioctl", G_CALLBACK (remsim_cardem_fake_ioctl_cb), fake);
	g_signal_connect (fake->handler,
			  "client-connected",
			  G_CALLBACK (remsim_cardem_fake_client_connected_cb),
			  fake);
	g_assert_true (umockdev_testbed_attach_ioctl (
	    testbed, REMSIM_CARDEM_FAKE_DEV_NODE, fake->handler, &error));
	g_assert_no_error (error);
}

void
remsim_cardem_fake_clear (RemsimCardemFake *fake)
{
	g_autoptr (GError) error = NULL;

	if (fake->handler != NULL) {
		if (!umockdev_testbed_detach_ioctl (
			fake->testbed, REMSIM_CARDEM_FAKE_DEV_NODE, &error))
			g_test_message ("detaching the ioctl handler: %s", error->message);
		g_signal_handlers_disconnect_by_data (fake->handler, fake);
		g_clear_object (&fake->handler);
	}
	g_mutex_lock (&fake->lock);
	remsim_cardem_fake_drop_urbs (fake);
	g_mutex_unlock (&fake->lock);
	g_clear_object (&fake->ref_card);
	g_clear_pointer (&fake->expected_atr, g_bytes_unref);
	g_clear_pointer (&fake->last_atr, g_bytes_unref);
	g_clear_pointer (&fake->expected_rsp, g_byte_array_unref);
	g_clear_pointer (&fake->events, g_async_queue_unref);
	g_clear_object (&fake->testbed);
	g_mutex_clear (&fake->lock);
}

gchar *
remsim_cardem_fake_pop_event (RemsimCardemFake *fake)
{
	return g_async_queue_try_pop (fake->events);
}

gint
remsim_cardem_fake_reexec_under_umockdev (int argc, char **argv)
{
	const gchar *preload = g_getenv ("LD_PRELOAD");
	g_autofree gchar *wrapper = NULL;
	g_autoptr (GPtrArray) args = NULL;
	g_autofree gchar *asan = NULL;

	/* umockdev_in_mock_environment() only works once a testbed exists */
	if (preload != NULL && strstr (preload, "libumockdev-preload") != NULL)
		return -1;
	wrapper = g_find_program_in_path ("umockdev-wrapper");
	if (wrapper == NULL) {
		if (g_strcmp0 (g_getenv ("REMSIM_TEST_STRICT"), "1") == 0) {
			g_printerr ("umockdev-wrapper not found (REMSIM_TEST_STRICT=1)\n");
			return 1;
		}
		g_printerr ("umockdev-wrapper not found; skipping\n");
		return 77;
	}
	/* the preload library comes before the sanitizer runtime */
	asan = g_strdup_printf ("%s%sverify_asan_link_order=0",
				g_getenv ("ASAN_OPTIONS") != NULL ? g_getenv ("ASAN_OPTIONS") : "",
				g_getenv ("ASAN_OPTIONS") != NULL ? ":" : "");
	g_setenv ("ASAN_OPTIONS", asan, TRUE);
	args = g_ptr_array_new ();
	g_ptr_array_add (args, wrapper);
	for (int i = 0; i < argc; i++)
		g_ptr_array_add (args, argv[i]);
	g_ptr_array_add (args, NULL);
	execv (wrapper, (gchar **)args->pdata);
	g_printerr ("cannot run %s: %s\n", wrapper, g_strerror (errno));
	return 1;
}
