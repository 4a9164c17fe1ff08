/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cardem-st2 sink against a SIMtrace2 faked below libusb.
 *
 * umockdev provides the sysfs device and /dev/bus/usb node; an ioctl
 * handler (running in umockdev's worker thread) answers the usbdevfs
 * requests libusb makes: it completes the URBs as the card-emulation
 * firmware would and plays the modem. The modem powers the card, checks
 * the ATR the sink sets, performs a PTS and, right after it, sends TPDU
 * headers (with data after the procedure byte); every byte the sink sends
 * back is compared with the response of a reference simulated card.
 *
 * The sink is driven by a small harness: its "command" signal goes to
 * another simulated card (the bank's card) whose response is handed back
 * with deliver_response(). Halfway through, the device is unplugged and
 * plugged back; the sink must recover by itself.
 *
 * The program runs itself under umockdev-wrapper; without it the test is
 * skipped (exit 77) unless REMSIM_TEST_STRICT=1.
 */
#include "config.h"

#include <errno.h>
#include <linux/types.h>
#include <linux/usbdevice_fs.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <umockdev.h>
#include <unistd.h>

#include "plugins/vicc/remsim-simcard.h"
#include "remsim-plugin-api.h"
#include "remsim-plugins.h"

#define EP_OUT 0x04
#define EP_IN  0x85
#define EP_IRQ 0x86

#define DEV_NODE "/dev/bus/usb/001/002"
#define SYS_PATH "/sys/devices/usb1/1-1"

/* SIMtrace2 in its cardem configuration: interface 0 = USIM1 card emulation
 * (ff/02/00, bulk out 04, bulk in 85, interrupt in 86), interface 1 = DFU
 * runtime */
static const guint8 remsim_test_descriptors[] = {
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
} RemsimTestUrb;

typedef struct {
	gboolean irq;
	GBytes *msg;
} RemsimTestMsg;

static void
remsim_test_msg_free (RemsimTestMsg *m)
{
	g_bytes_unref (m->msg);
	g_free (m);
}

typedef struct {
	const gchar *hdr;
	const gchar *data; /* sent after the procedure byte, or NULL */
} RemsimTestCmd;

/* phase 1 (with PTS) and phase 2 (after the replug) */
static const RemsimTestCmd remsim_test_phase1[] = {
    {"00 a4 00 04 02", "3f 00"},
    {"a0 a4 00 00 02", "3f 00"},
    {"a0 a4 00 00 02", "7f 20"},
    {"a0 f2 00 00 16", NULL},
};

static const RemsimTestCmd remsim_test_phase2[] = {
    {"a0 a4 00 00 02", "3f 00"},
    {"a0 a4 00 00 02", "2f e2"},
    {"a0 b0 00 00 0a", NULL},
};

typedef enum {
	EXPECT_NOTHING,	 /* no TPDU in progress */
	EXPECT_PB,	 /* PB_AND_RX [INS] */
	EXPECT_RESPONSE, /* TX_DATA with the card's response */
} RemsimTestExpect;

typedef struct {
	GMutex lock;
	UMockdevTestbed *testbed;
	GAsyncQueue *events; /* gchar*, to the main thread */
	RemsimSimcard *ref_card;
	GBytes *expected_atr;

	gboolean plugged;
	GQueue in_urbs;	 /* of RemsimTestUrb, bulk IN waiting for data */
	GQueue irq_urbs; /* interrupt IN waiting */
	GQueue reapable; /* completed, to be reaped */
	GQueue out_msgs; /* RemsimTestMsg, device->host in firmware order */

	/* per USB session */
	guint session;
	gboolean config_seen;
	gboolean atr_seen;
	gboolean card_inserted;
	guint modem_resets;
	gboolean sim_remote;
	guint32 status_flags;

	/* the modem */
	guint phase;
	const RemsimTestCmd *script;
	guint script_len;
	guint script_pos;
	RemsimTestExpect expect;
	guint8 cmd[5 + 256];
	gsize cmd_len;
	const gchar *pending_data; /* hex, sent after the procedure byte */
	guint8 next_hdr[5];	   /* a follow-up (GET RESPONSE) to send next */
	gboolean have_next;
	GByteArray *expected_rsp; /* the TX_DATA messages we expect */
	guint n_tpdus;
	guint n_checked_bytes;
	gboolean pts_with_header_ok;
} RemsimTestFake;

static void remsim_test_fake_event (RemsimTestFake *fake, const gchar *format, ...)
    G_GNUC_PRINTF (2, 3);

static void
remsim_test_fake_event (RemsimTestFake *fake, const gchar *format, ...)
{
	va_list args;

	va_start (args, format);
	g_async_queue_push (fake->events, g_strdup_vprintf (format, args));
	va_end (args);
}

static gchar *
remsim_test_hex (const guint8 *p, gsize len)
{
	GString *s = g_string_new (NULL);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf (s, "%s%02x", i > 0 ? " " : "", p[i]);
	return g_string_free (s, FALSE);
}

static GBytes *
remsim_test_unhex (const gchar *hex)
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
remsim_test_msg (guint8 cls, guint8 type, const guint8 *payload, gsize len)
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
remsim_test_rx_data (guint32 flags, const guint8 *data, gsize len)
{
	guint8 payload[6 + 256];

	payload[0] = flags & 0xff;
	payload[1] = payload[2] = payload[3] = 0;
	payload[4] = (guint8)(len & 0xff);
	payload[5] = (guint8)(len >> 8);
	memcpy (payload + 6, data, len);
	return remsim_test_msg (1, 6, payload, 6 + len);
}

static GBytes *
remsim_test_status (guint32 flags)
{
	/* flags, 3300 mV, Fi 1, Di 1, WI 10, WT 9600 etu */
	const guint8 payload[] = {
	    flags & 0xff, 0, 0, 0, 0xe4, 0x0c, 1, 1, 10, 0x80, 0x25, 0x00, 0x00};

	return remsim_test_msg (1, 4, payload, sizeof (payload));
}

static void
remsim_test_urb_free (RemsimTestUrb *u)
{
	g_clear_object (&u->urb);
	g_clear_object (&u->buf);
	g_free (u);
}

static struct usbdevfs_urb *
remsim_test_urb_struct (RemsimTestUrb *u)
{
	return (struct usbdevfs_urb *)u->urb->data;
}

/* move queued messages into waiting IN URBs, in the order the firmware
 * produced them: a message waits for an URB of its endpoint and holds up
 * the ones behind it (lock held) */
static void
remsim_test_fake_pump (RemsimTestFake *fake)
{
	while (!g_queue_is_empty (&fake->out_msgs)) {
		RemsimTestMsg *m = g_queue_peek_head (&fake->out_msgs);
		GQueue *urbs = m->irq ? &fake->irq_urbs : &fake->in_urbs;
		RemsimTestUrb *u;
		struct usbdevfs_urb *urb;
		gsize len = 0;
		const guint8 *data;

		if (g_queue_is_empty (urbs))
			return;
		u = g_queue_pop_head (urbs);
		g_queue_pop_head (&fake->out_msgs);
		urb = remsim_test_urb_struct (u);
		data = g_bytes_get_data (m->msg, &len);
		g_assert_cmpint ((gint)len, <=, urb->buffer_length);
		memcpy (u->buf->data, data, len);
		urb->actual_length = (int)len;
		urb->status = 0;
		g_queue_push_tail (&fake->reapable, u);
		remsim_test_msg_free (m);
	}
}

static void
remsim_test_fake_queue (RemsimTestFake *fake, gboolean irq, GBytes *msg)
{
	RemsimTestMsg *m = g_new0 (RemsimTestMsg, 1);

	m->irq = irq;
	m->msg = msg;
	g_queue_push_tail (&fake->out_msgs, m);
}

/* what the sink must send for the card's response @rsp (lock held) */
static void
remsim_test_fake_expect_response (RemsimTestFake *fake, GBytes *rsp)
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
remsim_test_fake_next_command (RemsimTestFake *fake)
{
	if (fake->have_next) {
		memcpy (fake->cmd, fake->next_hdr, 5);
		fake->have_next = FALSE;
		fake->pending_data = NULL;
	} else if (fake->script_pos < fake->script_len) {
		g_autoptr (GBytes) hdr = remsim_test_unhex (fake->script[fake->script_pos].hdr);

		memcpy (fake->cmd, g_bytes_get_data (hdr, NULL), 5);
		fake->pending_data = fake->script[fake->script_pos].data;
		fake->script_pos++;
	} else {
		fake->expect = EXPECT_NOTHING;
		remsim_test_fake_event (fake, "phase-done %u", fake->phase);
		return;
	}
	fake->cmd_len = 5;
	if (fake->pending_data != NULL) {
		fake->expect = EXPECT_PB;
	} else {
		g_autoptr (GBytes) rsp = remsim_simcard_process (fake->ref_card, fake->cmd, 5);

		remsim_test_fake_expect_response (fake, rsp);
		fake->expect = EXPECT_RESPONSE;
	}
	fake->n_tpdus++;
	remsim_test_fake_queue (fake, FALSE, remsim_test_rx_data (0x01, fake->cmd, 5));
}

static void
remsim_test_fake_error (RemsimTestFake *fake, const gchar *what, const guint8 *p, gsize len)
{
	g_autofree gchar *hex = remsim_test_hex (p, len);

	remsim_test_fake_event (fake, "error %s: %s", what, hex);
}

/* the host sent a message (lock held) */
static void
remsim_test_fake_host_msg (RemsimTestFake *fake, const guint8 *p, gsize len)
{
	static const guint8 config[] = {1, 8, 0, 0, 0, 0, 0x0e, 0, 1, 0, 0, 0, 0, 0};
	static const guint8 status_req[] = {1, 4, 0, 0, 0, 0, 8, 0};

	if (len < 8 || p[6] + (p[7] << 8) != (gint)len) {
		remsim_test_fake_error (fake, "malformed message", p, len);
		return;
	}
	if (p[0] == 1 && p[1] == 8) {
		if (len != sizeof (config) || memcmp (p, config, len) != 0)
			remsim_test_fake_error (fake, "unexpected config", p, len);
		fake->config_seen = TRUE;
		/* the firmware echoes its config */
		remsim_test_fake_queue (fake, FALSE, g_bytes_new (config, sizeof (config)));
	} else if (p[0] == 1 && p[1] == 4) {
		if (len != sizeof (status_req) || memcmp (p, status_req, len) != 0)
			remsim_test_fake_error (fake, "unexpected status request", p, len);
		remsim_test_fake_queue (fake, FALSE, remsim_test_status (fake->status_flags));
	} else if (p[0] == 1 && p[1] == 2) {
		gsize atr_len = 0;
		const guint8 *atr = g_bytes_get_data (fake->expected_atr, &atr_len);

		if (len != 9 + atr_len || p[8] != atr_len || memcmp (p + 9, atr, atr_len) != 0)
			remsim_test_fake_error (fake, "wrong ATR", p, len);
		fake->atr_seen = TRUE;
	} else if (p[0] == 2 && p[1] == 2) {
		if (len != 9)
			remsim_test_fake_error (fake, "bad SIM select", p, len);
		fake->sim_remote = p[8] == 1;
	} else if (p[0] == 2 && p[1] == 1) {
		static const guint8 pulse[] = {2, 1, 0, 0, 0, 0, 0x0b, 0, 2, 0x2c, 0x01};

		if (len != sizeof (pulse) || memcmp (p, pulse, len) != 0)
			remsim_test_fake_error (fake, "unexpected modem reset", p, len);
		fake->modem_resets++;
	} else if (p[0] == 1 && p[1] == 5) {
		if (len != 9)
			remsim_test_fake_error (fake, "bad card insert", p, len);
		fake->card_inserted = p[8] == 1;
		if (!fake->card_inserted)
			return;
		if (!fake->config_seen || !fake->atr_seen || !fake->sim_remote) {
			remsim_test_fake_error (
			    fake, "card inserted before config/ATR/SIM select", p, len);
			return;
		}
		/* the modem powers the card: VCC + CLK with RST, then RST off;
		 * the firmware reports both on the interrupt endpoint */
		fake->status_flags = 0x01 | 0x02 | 0x04 | 0x10;
		remsim_test_fake_queue (fake, TRUE, remsim_test_status (fake->status_flags));
		fake->status_flags = 0x01 | 0x02 | 0x04;
		remsim_test_fake_queue (fake, TRUE, remsim_test_status (fake->status_flags));
		/* the firmware sent the ATR to the modem (the one checked
		 * above); the modem answers with a PTS in the first session;
		 * right behind it comes the first TPDU header */
		fake->phase++;
		fake->script = fake->phase == 1 ? remsim_test_phase1 : remsim_test_phase2;
		fake->script_len = fake->phase == 1 ? G_N_ELEMENTS (remsim_test_phase1)
						    : G_N_ELEMENTS (remsim_test_phase2);
		fake->script_pos = 0;
		fake->have_next = FALSE;
		if (fake->phase == 1) {
			const guint8 pts[] = {
			    4, 0xff, 0x10, 0x94, 0x7b, 0, 0, 0xff, 0x10, 0x94, 0x7b, 0, 0};

			/* both must be in flight at once: several IN URBs */
			fake->pts_with_header_ok = g_queue_get_length (&fake->in_urbs) >= 2;
			remsim_test_fake_queue (
			    fake, FALSE, remsim_test_msg (1, 7, pts, sizeof (pts)));
		}
		remsim_test_fake_next_command (fake);
	} else if (p[0] == 1 && p[1] == 1) {
		if (fake->expect == EXPECT_PB) {
			guint8 pb[] = {
			    1, 1, 0, 0, 0, 0, 0x0f, 0, 0x08, 0, 0, 0, 1, 0, fake->cmd[1]};
			g_autoptr (GBytes) data = NULL;
			g_autoptr (GBytes) rsp = NULL;
			gsize dlen = 0;
			const guint8 *d;

			if (len != sizeof (pb) || memcmp (p, pb, len) != 0) {
				remsim_test_fake_error (fake, "expected PB_AND_RX", p, len);
				return;
			}
			fake->n_checked_bytes += len;
			/* the modem sends the data after the procedure byte */
			data = remsim_test_unhex (fake->pending_data);
			d = g_bytes_get_data (data, &dlen);
			memcpy (fake->cmd + 5, d, dlen);
			fake->cmd_len = 5 + dlen;
			remsim_test_fake_queue (fake, FALSE, remsim_test_rx_data (0x02, d, dlen));
			rsp = remsim_simcard_process (fake->ref_card, fake->cmd, fake->cmd_len);
			remsim_test_fake_expect_response (fake, rsp);
			fake->expect = EXPECT_RESPONSE;
			return;
		}
		if (fake->expect == EXPECT_RESPONSE) {
			/* compare with the head of what we expect */
			if (fake->expected_rsp->len < len ||
			    memcmp (fake->expected_rsp->data, p, len) != 0) {
				g_autofree gchar *exp = remsim_test_hex (fake->expected_rsp->data,
									 fake->expected_rsp->len);

				remsim_test_fake_event (fake, "error expected %s", exp);
				remsim_test_fake_error (fake, "wrong response", p, len);
				return;
			}
			fake->n_checked_bytes += len;
			g_byte_array_remove_range (fake->expected_rsp, 0, (guint)len);
			if (fake->expected_rsp->len == 0)
				remsim_test_fake_next_command (fake);
			return;
		}
		remsim_test_fake_error (fake, "unexpected TX_DATA", p, len);
	} else {
		remsim_test_fake_error (fake, "unknown message", p, len);
	}
}

static void
remsim_test_fake_client_connected_cb (UMockdevIoctlBase *handler,
				      UMockdevIoctlClient *client,
				      gpointer user_data)
{
	RemsimTestFake *fake = user_data;

	g_mutex_lock (&fake->lock);
	/* a new open of the device: a fresh firmware session */
	g_queue_clear_full (&fake->in_urbs, (GDestroyNotify)remsim_test_urb_free);
	g_queue_clear_full (&fake->irq_urbs, (GDestroyNotify)remsim_test_urb_free);
	g_queue_clear_full (&fake->reapable, (GDestroyNotify)remsim_test_urb_free);
	g_queue_clear_full (&fake->out_msgs, (GDestroyNotify)remsim_test_msg_free);
	fake->session++;
	fake->config_seen = FALSE;
	fake->atr_seen = FALSE;
	fake->card_inserted = FALSE;
	fake->sim_remote = FALSE;
	fake->status_flags = 0x00;
	fake->expect = EXPECT_NOTHING;
	g_mutex_unlock (&fake->lock);
}

static gboolean
remsim_test_fake_ioctl_cb (UMockdevIoctlBase *handler,
			   UMockdevIoctlClient *client,
			   gpointer user_data)
{
	RemsimTestFake *fake = user_data;
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
		RemsimTestUrb *u;
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
		u = g_new0 (RemsimTestUrb, 1);
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
			remsim_test_fake_host_msg (fake, u->buf->data, (gsize)urb->buffer_length);
			urb->actual_length = urb->buffer_length;
			urb->status = 0;
			g_queue_push_tail (&fake->reapable, u);
		} else if (u->ep == EP_IN) {
			g_queue_push_tail (&fake->in_urbs, u);
		} else if (u->ep == EP_IRQ) {
			g_queue_push_tail (&fake->irq_urbs, u);
		} else {
			remsim_test_urb_free (u);
			res = -1;
			err = EINVAL;
			break;
		}
		remsim_test_fake_pump (fake);
		break;
	}
	case USBDEVFS_DISCARDURB: {
		gulong addr = *(gulong *)arg->data;
		gboolean found = FALSE;

		for (guint q = 0; q < 2 && !found; q++) {
			GQueue *urbs = q == 0 ? &fake->in_urbs : &fake->irq_urbs;

			for (GList *l = urbs->head; l != NULL; l = l->next) {
				RemsimTestUrb *u = l->data;

				if (u->urb->client_addr != addr)
					continue;
				g_queue_delete_link (urbs, l);
				remsim_test_urb_struct (u)->status = -ENOENT;
				remsim_test_urb_struct (u)->actual_length = 0;
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
		RemsimTestUrb *u = g_queue_pop_head (&fake->reapable);
		UMockdevIoctlData *d;

		if (u == NULL) {
			res = -1;
			err = fake->plugged ? EAGAIN : ENODEV;
			break;
		}
		d = umockdev_ioctl_data_resolve (arg, 0, sizeof (gpointer), &error);
		g_assert_no_error (error);
		umockdev_ioctl_data_set_ptr (d, 0, u->urb);
		remsim_test_urb_free (u);
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
static void
remsim_test_fake_unplug (RemsimTestFake *fake)
{
	g_mutex_lock (&fake->lock);
	fake->plugged = FALSE;
	for (guint q = 0; q < 2; q++) {
		GQueue *urbs = q == 0 ? &fake->in_urbs : &fake->irq_urbs;
		RemsimTestUrb *u;

		while ((u = g_queue_pop_head (urbs)) != NULL) {
			remsim_test_urb_struct (u)->status = -ESHUTDOWN;
			remsim_test_urb_struct (u)->actual_length = 0;
			g_queue_push_tail (&fake->reapable, u);
		}
	}
	g_queue_clear_full (&fake->out_msgs, (GDestroyNotify)remsim_test_msg_free);
	g_mutex_unlock (&fake->lock);
}

/* ... and later udev notices */
static void
remsim_test_fake_remove (RemsimTestFake *fake)
{
	umockdev_testbed_uevent (fake->testbed, SYS_PATH, "remove");
	umockdev_testbed_remove_device (fake->testbed, SYS_PATH);
}

static void
remsim_test_fake_plug (RemsimTestFake *fake)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *hex = NULL;
	g_autofree gchar *record = NULL;
	GString *s = g_string_new (NULL);

	for (gsize i = 0; i < sizeof (remsim_test_descriptors); i++)
		g_string_append_printf (s, "%02X", remsim_test_descriptors[i]);
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
	umockdev_testbed_uevent (fake->testbed, SYS_PATH, "add");
}

/* ---- the harness: sink + the bank's card ---------------------------------- */

typedef struct {
	RemsimTestFake *fake;
	RemsimCardSink *sink;
	RemsimSimcard *card;
	GMainLoop *loop;
	GPtrArray *errors;
	gchar *waiting_for; /* an event the loop waits for */
	guint timeout_id;
	guint n_commands;
	guint n_status;
	guint n_pts;
	gboolean saw_vcc_on_rst_off;
	gboolean saw_unknown;
} RemsimTestHarness;

static void
remsim_test_command_cb (RemsimCardSink *sink, GBytes *tpdu, gpointer user_data)
{
	RemsimTestHarness *h = user_data;
	g_autoptr (GBytes) rsp = NULL;
	g_autoptr (GError) error = NULL;
	gsize len = 0;
	const guint8 *p = g_bytes_get_data (tpdu, &len);

	h->n_commands++;
	rsp = remsim_simcard_process (h->card, p, len);
	if (!remsim_card_sink_deliver_response (sink, rsp, &error))
		g_ptr_array_add (h->errors, g_strdup_printf ("deliver: %s", error->message));
}

static void
remsim_test_status_cb (RemsimCardSink *sink, const RemsimCardSinkStatus *st, gpointer user_data)
{
	RemsimTestHarness *h = user_data;

	h->n_status++;
	if (st->vcc == REMSIM_TRISTATE_ON && st->rst == REMSIM_TRISTATE_OFF &&
	    st->clk == REMSIM_TRISTATE_ON)
		h->saw_vcc_on_rst_off = TRUE;
	if (st->vcc == REMSIM_TRISTATE_UNKNOWN)
		h->saw_unknown = TRUE;
}

static void
remsim_test_pts_cb (GObject *sink, GBytes *req, gpointer user_data)
{
	RemsimTestHarness *h = user_data;
	static const guint8 pts[] = {0xff, 0x10, 0x94, 0x7b};

	h->n_pts++;
	if (!g_bytes_equal (req, g_bytes_new_static (pts, sizeof (pts))))
		g_ptr_array_add (h->errors, g_strdup ("PTS signal with wrong bytes"));
}

static gboolean
remsim_test_poll_events_cb (gpointer user_data)
{
	RemsimTestHarness *h = user_data;
	gchar *ev;

	while ((ev = g_async_queue_try_pop (h->fake->events)) != NULL) {
		g_test_message ("fake device: %s", ev);
		if (g_str_has_prefix (ev, "error"))
			g_ptr_array_add (h->errors, ev);
		else if (h->waiting_for != NULL && g_str_equal (ev, h->waiting_for)) {
			g_clear_pointer (&h->waiting_for, g_free);
			g_main_loop_quit (h->loop);
			g_free (ev);
		} else {
			g_free (ev);
		}
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
remsim_test_timeout_cb (gpointer user_data)
{
	RemsimTestHarness *h = user_data;

	g_ptr_array_add (h->errors, g_strdup_printf ("timed out waiting for %s", h->waiting_for));
	h->timeout_id = 0;
	g_main_loop_quit (h->loop);
	return G_SOURCE_REMOVE;
}

static void
remsim_test_connected_cb (GObject *sink, GParamSpec *pspec, gpointer user_data)
{
	RemsimTestHarness *h = user_data;
	gboolean connected = FALSE;

	g_object_get (sink, "connected", &connected, NULL);
	g_test_message ("sink connected: %d", connected);
	if (h->waiting_for != NULL &&
	    g_str_equal (h->waiting_for, connected ? "connected" : "disconnected")) {
		g_clear_pointer (&h->waiting_for, g_free);
		g_main_loop_quit (h->loop);
	}
}

/* run the loop until the event comes (or 20 s pass) */
static void
remsim_test_wait (RemsimTestHarness *h, const gchar *event)
{
	g_test_message ("waiting for %s", event);
	h->waiting_for = g_strdup (event);
	h->timeout_id = g_timeout_add_seconds (20, remsim_test_timeout_cb, h);
	g_main_loop_run (h->loop);
	g_clear_handle_id (&h->timeout_id, g_source_remove);
	g_clear_pointer (&h->waiting_for, g_free);
}

static void
remsim_test_cardem_umockdev (void)
{
	RemsimTestFake fake = {0};
	RemsimTestHarness h = {0};
	g_autoptr (UMockdevTestbed) testbed = umockdev_testbed_new ();
	g_autoptr (UMockdevIoctlBase) handler = umockdev_ioctl_base_new ();
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (GKeyFile) kf = g_key_file_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) atr = NULL;
	g_autofree gchar *root_hub = NULL;
	gboolean connected = FALSE;
	guint poll_id;
	const gchar *conf = "[sink:st2]\n"
			    "plugin=cardem-st2\n"
			    "vendor=0x1d50\n"
			    "product=60e3\n"
			    "path=1-1\n"
			    "configuration=1\n"
			    "interface=0\n"
			    "altsetting=0\n"
			    "rescan-interval-ms=100\n";

	g_assert_true (umockdev_in_mock_environment ());

	/* the fake device */
	g_mutex_init (&fake.lock);
	fake.testbed = testbed;
	fake.events = g_async_queue_new_full (g_free);
	fake.expected_rsp = g_byte_array_new ();
	fake.ref_card = remsim_simcard_new_default (&error);
	g_assert_no_error (error);
	fake.expected_atr = remsim_simcard_power_on (fake.ref_card);
	root_hub = umockdev_testbed_add_device (
	    testbed, "usb", "usb1", NULL, "busnum", "1\n", "devnum", "1\n", NULL, NULL);
	g_assert_nonnull (root_hub);
	remsim_test_fake_plug (&fake);
	g_signal_connect (handler, "handle-ioctl", G_CALLBACK (remsim_test_fake_ioctl_cb), &fake);
	g_signal_connect (
	    handler, "client-connected", G_CALLBACK (remsim_test_fake_client_connected_cb), &fake);
	g_assert_true (umockdev_testbed_attach_ioctl (testbed, DEV_NODE, handler, &error));
	g_assert_no_error (error);

	/* the sink, through the plugin loader */
	h.fake = &fake;
	h.errors = g_ptr_array_new_with_free_func (g_free);
	h.loop = g_main_loop_new (NULL, FALSE);
	h.card = remsim_simcard_new_default (&error);
	g_assert_no_error (error);
	atr = remsim_simcard_power_on (h.card);
	g_assert_true (g_key_file_load_from_data (kf, conf, -1, 0, &error));
	h.sink = remsim_plugins_create_card_sink (plugins, kf, "sink:st2", 0, &error);
	g_assert_no_error (error);
	g_assert_nonnull (h.sink);
	g_signal_connect (h.sink, "command", G_CALLBACK (remsim_test_command_cb), &h);
	g_signal_connect (h.sink, "status", G_CALLBACK (remsim_test_status_cb), &h);
	g_signal_connect (h.sink, "pts", G_CALLBACK (remsim_test_pts_cb), &h);
	g_signal_connect (h.sink, "notify::connected", G_CALLBACK (remsim_test_connected_cb), &h);
	poll_id = g_timeout_add (5, remsim_test_poll_events_cb, &h);

	g_assert_true (remsim_card_sink_start (h.sink, &error));
	g_assert_no_error (error);
	remsim_test_wait (&h, "connected");
	g_assert_cmpuint (h.errors->len, ==, 0);

	/* a mapping: the ATR of the bank's card, then the card insertion */
	g_assert_true (remsim_card_sink_set_atr (h.sink, atr, &error));
	g_assert_true (remsim_card_sink_set_card_present (h.sink, TRUE, &error));
	g_assert_no_error (error);
	remsim_test_wait (&h, "phase-done 1");
	for (guint i = 0; i < h.errors->len; i++)
		g_test_message ("error: %s", (const gchar *)g_ptr_array_index (h.errors, i));
	g_assert_cmpuint (h.errors->len, ==, 0);
	g_assert_true (fake.pts_with_header_ok);
	g_assert_cmpuint (h.n_pts, ==, 1);
	g_assert_true (h.saw_vcc_on_rst_off);
	g_assert_cmpuint (fake.modem_resets, ==, 1);
	g_assert_cmpuint (h.n_commands, >=, G_N_ELEMENTS (remsim_test_phase1));
	g_assert_cmpuint (h.n_commands, ==, fake.n_tpdus);

	/* unplug mid-session: the URBs in flight die first (the sink sees
	 * LIBUSB_TRANSFER_NO_DEVICE), the udev event comes after */
	remsim_test_fake_unplug (&fake);
	remsim_test_wait (&h, "disconnected");
	remsim_test_fake_remove (&fake);
	g_assert_cmpuint (h.errors->len, ==, 0);
	g_assert_true (h.saw_unknown);
	g_object_get (h.sink, "connected", &connected, NULL);
	g_assert_false (connected);

	/* plug it back: the sink finds it, sets it up and the modem goes on */
	remsim_test_fake_plug (&fake);
	remsim_test_wait (&h, "phase-done 2");
	for (guint i = 0; i < h.errors->len; i++)
		g_test_message ("error: %s", (const gchar *)g_ptr_array_index (h.errors, i));
	g_assert_cmpuint (h.errors->len, ==, 0);
	/* failed opens while it was gone count as sessions too */
	g_assert_cmpuint (fake.session, >=, 2);
	g_assert_cmpuint (fake.modem_resets, ==, 2);
	g_assert_cmpuint (h.n_commands, ==, fake.n_tpdus);
	g_test_message (
	    "%u TPDUs, %u bytes from the sink checked", fake.n_tpdus, fake.n_checked_bytes);

	/* mapping gone: card removal */
	g_assert_true (remsim_card_sink_set_card_present (h.sink, FALSE, &error));
	remsim_card_sink_stop (h.sink);
	g_source_remove (poll_id);
	g_clear_object (&h.sink);
	g_assert_true (umockdev_testbed_detach_ioctl (testbed, DEV_NODE, &error));

	g_mutex_lock (&fake.lock);
	g_queue_clear_full (&fake.in_urbs, (GDestroyNotify)remsim_test_urb_free);
	g_queue_clear_full (&fake.irq_urbs, (GDestroyNotify)remsim_test_urb_free);
	g_queue_clear_full (&fake.reapable, (GDestroyNotify)remsim_test_urb_free);
	g_queue_clear_full (&fake.out_msgs, (GDestroyNotify)remsim_test_msg_free);
	g_mutex_unlock (&fake.lock);
	g_object_unref (fake.ref_card);
	g_bytes_unref (fake.expected_atr);
	g_byte_array_unref (fake.expected_rsp);
	g_async_queue_unref (fake.events);
	g_mutex_clear (&fake.lock);
	g_object_unref (h.card);
	g_main_loop_unref (h.loop);
	g_ptr_array_unref (h.errors);
}

int
main (int argc, char **argv)
{
	/* umockdev_in_mock_environment() only works once a testbed exists */
	if (strstr (g_getenv ("LD_PRELOAD") != NULL ? g_getenv ("LD_PRELOAD") : "",
		    "libumockdev-preload") == NULL) {
		g_autofree gchar *wrapper = g_find_program_in_path ("umockdev-wrapper");
		const gchar *strict = g_getenv ("REMSIM_TEST_STRICT");
		g_autoptr (GPtrArray) args = g_ptr_array_new ();
		g_autofree gchar *asan = NULL;

		if (wrapper == NULL) {
			if (g_strcmp0 (strict, "1") == 0) {
				g_printerr ("umockdev-wrapper not found (REMSIM_TEST_STRICT=1)\n");
				return 1;
			}
			g_printerr ("umockdev-wrapper not found; skipping\n");
			return 77;
		}
		/* the preload library comes before the sanitizer runtime */
		asan = g_strdup_printf (
		    "%s%sverify_asan_link_order=0",
		    g_getenv ("ASAN_OPTIONS") != NULL ? g_getenv ("ASAN_OPTIONS") : "",
		    g_getenv ("ASAN_OPTIONS") != NULL ? ":" : "");
		g_setenv ("ASAN_OPTIONS", asan, TRUE);
		g_ptr_array_add (args, wrapper);
		for (int i = 0; i < argc; i++)
			g_ptr_array_add (args, argv[i]);
		g_ptr_array_add (args, NULL);
		execv (wrapper, (gchar **)args->pdata);
		g_printerr ("cannot run %s: %s\n", wrapper, g_strerror (errno));
		return 1;
	}
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/remsim/cardem/umockdev/session-pts-unplug", remsim_test_cardem_umockdev);
	return g_test_run ();
}
