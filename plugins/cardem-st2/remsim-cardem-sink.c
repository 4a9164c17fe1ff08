/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimCardemSink: the modem side of a client slot on a SIMtrace2-family
 * card-emulation board, over libusb.
 *
 * libusb runs asynchronously on the sink's main context (its poll fds as a
 * GSource, remsim-cardem-usb.c); only finding and opening the device, which
 * uses synchronous libusb calls, runs in a worker thread. A lost device
 * (a transfer ending with LIBUSB_TRANSFER_NO_DEVICE, a hotplug "left", or
 * repeated transfer errors) is closed and searched for again: on a hotplug
 * "arrived" event and every rescan-interval-ms, so the sink survives
 * unplugging without a restart.
 */
#include "config.h"

#include <string.h>

#include "remsim-cardem-proto.h"
#include "remsim-cardem-sink.h"
#include "remsim-cardem-tpdu.h"
#include "remsim-cardem-usb.h"

/* -Wpedantic forbids a function pointer as a gpointer source tag */
#define REMSIM_CARDEM_TAG(fn) ((gpointer)(guintptr)(fn))

#define REMSIM_CARDEM_BULK_IN_LEN      4096
#define REMSIM_CARDEM_IRQ_IN_LEN       64
#define REMSIM_CARDEM_OUT_TIMEOUT_MS   10000
#define REMSIM_CARDEM_MAX_IN_ERRORS    10
#define REMSIM_CARDEM_DRAIN_TIMEOUT_US (2 * G_USEC_PER_SEC)

typedef enum {
	REMSIM_CARDEM_XFER_BULK_IN,
	REMSIM_CARDEM_XFER_IRQ_IN,
	REMSIM_CARDEM_XFER_OUT,
} RemsimCardemXferKind;

struct _RemsimCardemSink {
	GObject parent_instance;

	RemsimPluginInstanceProps props; /* config, group, slot */
	gchar *name;			 /* log prefix */

	/* keys */
	RemsimCardemUsbMatch match;
	gint pres_pol; /* -1: not sent */
	guint modem_reset_ms;
	gboolean sim_select;
	guint rescan_ms;
	guint n_bulk_in;

	/* libusb */
	libusb_context *ctx;
	GSource *usb_source;
	GMainContext *context;
	libusb_hotplug_callback_handle hotplug;
	gboolean has_hotplug;
	RemsimCardemUsbDevice *dev; /* the open device, NULL if none */
	GPtrArray *xfers;	    /* of struct libusb_transfer *, all in flight */
	gboolean closing;	    /* device lost: waiting for the transfers */
	guint in_errors;
	gboolean opening;
	guint generation; /* bumped by stop: stale open results are dropped */
	guint rescan_id;
	guint idle_id;
	gchar *last_open_error;

	/* core state */
	gboolean started;
	GBytes *atr;
	gboolean present;

	/* card emulation */
	RemsimCardemTpdu tpdu;
	RemsimCardSinkStatus status;
	guint32 fw_flags;
	gboolean have_fw_flags;
	guint n_commands;
	guint n_pts;
};

static void remsim_cardem_sink_card_sink_iface_init (RemsimCardSinkInterface *iface);
static void remsim_cardem_sink_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RemsimCardemSink,
			       remsim_cardem_sink,
			       G_TYPE_OBJECT,
			       G_IMPLEMENT_INTERFACE (REMSIM_TYPE_CARD_SINK,
						      remsim_cardem_sink_card_sink_iface_init)
				   G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
							  remsim_cardem_sink_initable_iface_init))

enum {
	PROP_0,
	PROP_INSTANCE, /* "config", "group", "slot" */
	PROP_CONNECTED = PROP_INSTANCE + REMSIM_PLUGIN_INSTANCE_N_PROPS,
	PROP_USB_PATH,
	PROP_USB_INTERFACE,
	PROP_N_COMMANDS,
	PROP_LAST,
};

static GParamSpec *remsim_cardem_sink_props[PROP_LAST] = {NULL};

enum {
	SIGNAL_MODEM_RESET,
	SIGNAL_PTS,
	SIGNAL_LAST,
};

static guint remsim_cardem_sink_signals[SIGNAL_LAST] = {0};

static void remsim_cardem_sink_try_open (RemsimCardemSink *self);
static void remsim_cardem_sink_lost (RemsimCardemSink *self, const gchar *why);

/* ---- status -------------------------------------------------------------- */

static void
remsim_cardem_sink_set_status (RemsimCardemSink *self, const RemsimCardSinkStatus *status)
{
	if (memcmp (&self->status, status, sizeof (*status)) == 0)
		return;
	self->status = *status;
	if (self->started)
		remsim_card_sink_emit_status (REMSIM_CARD_SINK (self), status);
}

static void
remsim_cardem_sink_set_status_unknown (RemsimCardemSink *self)
{
	const RemsimCardSinkStatus unknown = {REMSIM_TRISTATE_UNKNOWN,
					      REMSIM_TRISTATE_UNKNOWN,
					      REMSIM_TRISTATE_UNKNOWN,
					      REMSIM_TRISTATE_UNKNOWN};

	self->have_fw_flags = FALSE;
	remsim_cardem_sink_set_status (self, &unknown);
}

static RemsimTristate
remsim_cardem_sink_tristate (guint32 flags, guint32 bit)
{
	return (flags & bit) ? REMSIM_TRISTATE_ON : REMSIM_TRISTATE_OFF;
}

static void
remsim_cardem_sink_handle_status (RemsimCardemSink *self, const RemsimCardemStatus *fw)
{
	RemsimCardSinkStatus status;
	gboolean was_off;

	/* upstream reports VCC, RST and CLK; the firmware's CARD_INSERT is the
	 * card-detect output we drive ourselves, so the card stays unknown */
	status.vcc = remsim_cardem_sink_tristate (fw->flags, REMSIM_CARDEM_STATUS_F_VCC_PRESENT);
	status.rst = remsim_cardem_sink_tristate (fw->flags, REMSIM_CARDEM_STATUS_F_RESET_ACTIVE);
	status.clk = remsim_cardem_sink_tristate (fw->flags, REMSIM_CARDEM_STATUS_F_CLK_ACTIVE);
	status.card = REMSIM_TRISTATE_UNKNOWN;

	if (!self->have_fw_flags || self->fw_flags != fw->flags) {
		g_autofree gchar *str = remsim_cardem_status_flags_to_string (fw->flags);

		g_info ("%s: modem status: %s (%u mV, Fi %u Di %u WI %u, WT %u etu)",
			self->name,
			str,
			fw->voltage_mv,
			fw->fi,
			fw->di,
			fw->wi,
			fw->waiting_time);
	}
	/* the firmware forgets the command on reset or power loss; so do we */
	was_off = self->have_fw_flags &&
		  (self->fw_flags & REMSIM_CARDEM_STATUS_F_RESET_ACTIVE) == 0 &&
		  (fw->flags & REMSIM_CARDEM_STATUS_F_RESET_ACTIVE) != 0;
	if (was_off || (fw->flags & REMSIM_CARDEM_STATUS_F_VCC_PRESENT) == 0)
		remsim_cardem_tpdu_reset (&self->tpdu);
	self->fw_flags = fw->flags;
	self->have_fw_flags = TRUE;
	remsim_cardem_sink_set_status (self, &status);
}

/* ---- transfers ----------------------------------------------------------- */

static void remsim_cardem_sink_finish_close (RemsimCardemSink *self);

static gboolean
remsim_cardem_sink_finish_close_cb (gpointer user_data)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (user_data);

	self->idle_id = 0;
	remsim_cardem_sink_finish_close (self);
	return G_SOURCE_REMOVE;
}

/* a transfer is done for good */
static void
remsim_cardem_sink_xfer_free (RemsimCardemSink *self, struct libusb_transfer *xfer)
{
	g_ptr_array_remove_fast (self->xfers, xfer);
	libusb_free_transfer (xfer);
	/* never close the handle from inside libusb's event handling */
	if (self->closing && self->xfers->len == 0 && self->idle_id == 0) {
		self->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT,
						 remsim_cardem_sink_finish_close_cb,
						 g_object_ref (self),
						 g_object_unref);
	}
}

static gboolean remsim_cardem_sink_send (RemsimCardemSink *self, GBytes *msg, GError **error);

static void
remsim_cardem_sink_tx_data (RemsimCardemSink *self, guint32 flags, const guint8 *data, gsize len)
{
	g_autoptr (GBytes) msg = remsim_cardem_encode_tx_data (flags, data, len);
	g_autoptr (GError) error = NULL;

	if (msg == NULL) {
		g_warning ("%s: %" G_GSIZE_FORMAT " bytes do not fit one TX_DATA", self->name, len);
		return;
	}
	if (!remsim_cardem_sink_send (self, msg, &error))
		g_warning ("%s: %s", self->name, error->message);
}

static void
remsim_cardem_sink_handle_rx_data (RemsimCardemSink *self, const RemsimCardemMsg *msg)
{
	g_autoptr (GError) error = NULL;
	const guint8 *data;
	gsize len;
	guint32 flags;
	RemsimCardemTpduAction act;

	if (!remsim_cardem_decode_data (msg, &flags, &data, &len, &error)) {
		g_warning ("%s: %s", self->name, error->message);
		return;
	}
	if (flags & REMSIM_CARDEM_DATA_F_TPDU_HDR) {
		if (self->tpdu.state != REMSIM_CARDEM_TPDU_STATE_IDLE)
			g_message ("%s: new command while the previous one was not finished",
				   self->name);
	}
	act = remsim_cardem_tpdu_rx (
	    &self->tpdu, (flags & REMSIM_CARDEM_DATA_F_TPDU_HDR) != 0, data, len, &error);
	if (error != NULL) {
		g_warning ("%s: modem data dropped: %s", self->name, error->message);
		return;
	}
	if (flags & REMSIM_CARDEM_DATA_F_TPDU_HDR) {
		g_debug ("%s: TPDU header %02x %02x %02x %02x %02x, case %d",
			 self->name,
			 self->tpdu.hdr[0],
			 self->tpdu.hdr[1],
			 self->tpdu.hdr[2],
			 self->tpdu.hdr[3],
			 self->tpdu.hdr[4],
			 self->tpdu.apdu_case);
		if (self->tpdu.apdu_case == REMSIM_CARDEM_APDU_CASE_UNKNOWN)
			g_message ("%s: unknown APDU case for CLA %02x INS %02x; forwarding the "
				   "bare header",
				   self->name,
				   self->tpdu.hdr[0],
				   self->tpdu.hdr[1]);
	}
	if (act & REMSIM_CARDEM_TPDU_ACT_FETCH) {
		guint8 pb = remsim_cardem_tpdu_get_ins (&self->tpdu);

		remsim_cardem_sink_tx_data (self, REMSIM_CARDEM_DATA_F_PB_AND_RX, &pb, 1);
	}
	if (act & REMSIM_CARDEM_TPDU_ACT_SEND) {
		g_autoptr (GBytes) cmd = remsim_cardem_tpdu_get_command (&self->tpdu);

		self->n_commands++;
		g_object_notify_by_pspec (G_OBJECT (self),
					  remsim_cardem_sink_props[PROP_N_COMMANDS]);
		remsim_card_sink_emit_command (REMSIM_CARD_SINK (self), cmd);
	}
}

static void
remsim_cardem_sink_handle_msg (RemsimCardemSink *self, const RemsimCardemMsg *msg)
{
	g_autoptr (GError) error = NULL;

	if (msg->msg_class == REMSIM_CARDEM_CLASS_CARDEM) {
		switch (msg->msg_type) {
		case REMSIM_CARDEM_DO_RX_DATA:
			remsim_cardem_sink_handle_rx_data (self, msg);
			return;
		case REMSIM_CARDEM_BD_STATUS: {
			RemsimCardemStatus st;

			if (!remsim_cardem_decode_status (msg, &st, &error)) {
				g_warning ("%s: %s", self->name, error->message);
				return;
			}
			remsim_cardem_sink_handle_status (self, &st);
			return;
		}
		case REMSIM_CARDEM_DO_PTS: {
			RemsimCardemPts pts;
			g_autofree gchar *req = NULL;
			g_autofree gchar *resp = NULL;

			if (!remsim_cardem_decode_pts (msg, &pts, &error)) {
				g_warning ("%s: %s", self->name, error->message);
				return;
			}
			/* the firmware has answered it already (echo) */
			req = g_strdup_printf ("%02x %02x %02x %02x %02x %02x",
					       pts.req[0],
					       pts.req[1],
					       pts.req[2],
					       pts.req[3],
					       pts.req[4],
					       pts.req[5]);
			resp = g_strdup_printf ("%02x %02x %02x %02x %02x %02x",
						pts.resp[0],
						pts.resp[1],
						pts.resp[2],
						pts.resp[3],
						pts.resp[4],
						pts.resp[5]);
			g_info ("%s: PTS (%u bytes) request %s, response %s",
				self->name,
				pts.pts_len,
				req,
				resp);
			remsim_cardem_tpdu_reset (&self->tpdu);
			self->n_pts++;
			{
				g_autoptr (GBytes) b = g_bytes_new (pts.req, pts.pts_len);

				g_signal_emit (self, remsim_cardem_sink_signals[SIGNAL_PTS], 0, b);
			}
			return;
		}
		case REMSIM_CARDEM_BD_CONFIG: {
			guint32 features;
			guint8 mux, pol;

			if (!remsim_cardem_decode_config (msg, &features, &mux, &pol, &error)) {
				g_warning ("%s: %s", self->name, error->message);
				return;
			}
			g_debug ("%s: firmware config: features %08x, slot mux %u, presence %02x",
				 self->name,
				 features,
				 mux,
				 pol);
			if ((features & REMSIM_CARDEM_FEAT_STATUS_IRQ) == 0)
				g_warning ("%s: the firmware did not enable status interrupts; "
					   "VCC/RST/CLK changes are not reported",
					   self->name);
			return;
		}
		default:
			break;
		}
	} else if (msg->msg_class == REMSIM_CARDEM_CLASS_GENERIC &&
		   msg->msg_type == REMSIM_CARDEM_DO_ERROR) {
		RemsimCardemErrorInd ind;

		if (!remsim_cardem_decode_error (msg, &ind, &error)) {
			g_warning ("%s: %s", self->name, error->message);
			return;
		}
		g_warning ("%s: firmware error: severity %u, subsystem %u, code %u%s%s",
			   self->name,
			   ind.severity,
			   ind.subsystem,
			   ind.code,
			   ind.text[0] != '\0' ? ": " : "",
			   ind.text);
		g_free (ind.text);
		return;
	}
	g_debug ("%s: ignoring %s (class %u type %u)",
		 self->name,
		 remsim_cardem_msg_name (msg->msg_class, msg->msg_type),
		 msg->msg_class,
		 msg->msg_type);
}

static void
remsim_cardem_sink_handle_in (RemsimCardemSink *self, const guint8 *buf, gsize len)
{
	while (len > 0) {
		g_autoptr (GError) error = NULL;
		RemsimCardemMsg msg;
		gsize used;

		if (!remsim_cardem_decode (buf, len, &msg, &error)) {
			g_warning (
			    "%s: bad message from the device: %s", self->name, error->message);
			return;
		}
		remsim_cardem_sink_handle_msg (self, &msg);
		/* a transfer normally holds one message; take more if there are */
		used = REMSIM_CARDEM_HDR_LEN + msg.payload_len;
		buf += used;
		len -= used;
		/* the device can be lost while handling (a signal handler may
		 * have stopped us) */
		if (self->dev == NULL || self->closing)
			return;
	}
}

static void LIBUSB_CALL
remsim_cardem_sink_in_cb (struct libusb_transfer *xfer)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (xfer->user_data);
	int rc;

	switch (xfer->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		self->in_errors = 0;
		if (!self->closing)
			remsim_cardem_sink_handle_in (self, xfer->buffer, xfer->actual_length);
		break;
	case LIBUSB_TRANSFER_NO_DEVICE:
		remsim_cardem_sink_lost (self, "device gone");
		remsim_cardem_sink_xfer_free (self, xfer);
		return;
	case LIBUSB_TRANSFER_CANCELLED:
		remsim_cardem_sink_xfer_free (self, xfer);
		return;
	default:
		self->in_errors++;
		g_warning ("%s: IN transfer on endpoint %02x: %s",
			   self->name,
			   xfer->endpoint,
			   libusb_error_name (xfer->status));
		if (self->in_errors >= REMSIM_CARDEM_MAX_IN_ERRORS) {
			remsim_cardem_sink_lost (self, "too many transfer errors");
			remsim_cardem_sink_xfer_free (self, xfer);
			return;
		}
		break;
	}
	if (self->closing || self->dev == NULL) {
		remsim_cardem_sink_xfer_free (self, xfer);
		return;
	}
	rc = libusb_submit_transfer (xfer);
	if (rc != 0) {
		g_autofree gchar *why =
		    g_strdup_printf ("resubmit failed: %s", libusb_strerror (rc));

		remsim_cardem_sink_lost (self, why);
		remsim_cardem_sink_xfer_free (self, xfer);
	}
}

static void LIBUSB_CALL
remsim_cardem_sink_out_cb (struct libusb_transfer *xfer)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (xfer->user_data);

	switch (xfer->status) {
	case LIBUSB_TRANSFER_COMPLETED:
	case LIBUSB_TRANSFER_CANCELLED:
		break;
	case LIBUSB_TRANSFER_NO_DEVICE:
		remsim_cardem_sink_lost (self, "device gone");
		break;
	default:
		g_warning ("%s: OUT transfer of %s failed: %s",
			   self->name,
			   xfer->length >= 2
			       ? remsim_cardem_msg_name (xfer->buffer[0], xfer->buffer[1])
			       : "a message",
			   libusb_error_name (xfer->status));
		break;
	}
	remsim_cardem_sink_xfer_free (self, xfer);
}

static gboolean
remsim_cardem_sink_submit_in (RemsimCardemSink *self, RemsimCardemXferKind kind, GError **error)
{
	struct libusb_transfer *xfer = libusb_alloc_transfer (0);
	gsize len = kind == REMSIM_CARDEM_XFER_IRQ_IN ? REMSIM_CARDEM_IRQ_IN_LEN
						      : REMSIM_CARDEM_BULK_IN_LEN;
	guint8 *buf = g_malloc0 (len);
	int rc;

	if (kind == REMSIM_CARDEM_XFER_IRQ_IN)
		libusb_fill_interrupt_transfer (xfer,
						self->dev->devh,
						self->dev->ep_irq,
						buf,
						(int)len,
						remsim_cardem_sink_in_cb,
						self,
						0);
	else
		libusb_fill_bulk_transfer (xfer,
					   self->dev->devh,
					   self->dev->ep_in,
					   buf,
					   (int)len,
					   remsim_cardem_sink_in_cb,
					   self,
					   0);
	xfer->flags = LIBUSB_TRANSFER_FREE_BUFFER;
	rc = libusb_submit_transfer (xfer);
	if (rc != 0) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_FAILED,
			     "cannot submit an IN transfer: %s",
			     libusb_strerror (rc));
		libusb_free_transfer (xfer);
		return FALSE;
	}
	g_ptr_array_add (self->xfers, xfer);
	return TRUE;
}

static gboolean
remsim_cardem_sink_send (RemsimCardemSink *self, GBytes *msg, GError **error)
{
	struct libusb_transfer *xfer;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data (msg, &len);
	int rc;

	if (self->dev == NULL || self->closing) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_CARD_ABSENT,
			     "no SIMtrace2 device connected; %s not sent",
			     len >= 2 ? remsim_cardem_msg_name (data[0], data[1]) : "message");
		return FALSE;
	}
	xfer = libusb_alloc_transfer (0);
	libusb_fill_bulk_transfer (xfer,
				   self->dev->devh,
				   self->dev->ep_out,
				   g_memdup2 (data, len),
				   (int)len,
				   remsim_cardem_sink_out_cb,
				   self,
				   REMSIM_CARDEM_OUT_TIMEOUT_MS);
	xfer->flags = LIBUSB_TRANSFER_FREE_BUFFER;
	rc = libusb_submit_transfer (xfer);
	if (rc != 0) {
		g_set_error (error,
			     REMSIM_ERROR,
			     rc == LIBUSB_ERROR_NO_DEVICE ? REMSIM_ERROR_CARD_ABSENT
							  : REMSIM_ERROR_FAILED,
			     "cannot send %s: %s",
			     remsim_cardem_msg_name (data[0], data[1]),
			     libusb_strerror (rc));
		libusb_free_transfer (xfer);
		if (rc == LIBUSB_ERROR_NO_DEVICE)
			remsim_cardem_sink_lost (self, "device gone");
		return FALSE;
	}
	g_ptr_array_add (self->xfers, xfer);
	g_debug ("%s: sent %s (%" G_GSIZE_FORMAT " bytes)",
		 self->name,
		 remsim_cardem_msg_name (data[0], data[1]),
		 len);
	return TRUE;
}

/* send a message if connected; a missing device is not worth a warning */
static void
remsim_cardem_sink_send_quiet (RemsimCardemSink *self, GBytes *msg)
{
	g_autoptr (GError) error = NULL;

	if (msg == NULL)
		return;
	if (!remsim_cardem_sink_send (self, msg, &error))
		g_debug ("%s: %s", self->name, error->message);
}

/* ---- what the core asks for, as cardem messages -------------------------- */

static void
remsim_cardem_sink_send_atr (RemsimCardemSink *self)
{
	g_autoptr (GBytes) msg = NULL;
	gsize len = 0;
	const guint8 *atr;

	if (self->atr == NULL)
		return;
	atr = g_bytes_get_data (self->atr, &len);
	if (len > REMSIM_CARDEM_MAX_ATR_LEN)
		g_warning ("%s: ATR of %" G_GSIZE_FORMAT " bytes; the firmware takes at most %u "
			   "and keeps its previous one",
			   self->name,
			   len,
			   REMSIM_CARDEM_MAX_ATR_LEN);
	msg = remsim_cardem_encode_set_atr (atr, MIN (len, 255));
	remsim_cardem_sink_send_quiet (self, msg);
}

static void
remsim_cardem_sink_send_modem_reset (RemsimCardemSink *self, guint ms)
{
	g_autoptr (GBytes) msg = NULL;

	if (ms == 0)
		return;
	msg = remsim_cardem_encode_modem_reset (REMSIM_CARDEM_MODEM_RESET_PULSE,
						(guint16)MIN (ms, G_MAXUINT16));
	remsim_cardem_sink_send_quiet (self, msg);
}

/* upstream's frontend actions on entering/leaving OPERATIONAL */
static void
remsim_cardem_sink_send_presence (RemsimCardemSink *self, gboolean present)
{
	g_autoptr (GBytes) select = NULL;
	g_autoptr (GBytes) insert = remsim_cardem_encode_cardinsert (present);

	if (self->sim_select)
		select = remsim_cardem_encode_sim_select (present);
	if (present) {
		remsim_cardem_sink_send_quiet (self, select);
		remsim_cardem_sink_send_quiet (self, insert);
	} else {
		remsim_cardem_sink_send_quiet (self, insert);
		remsim_cardem_sink_send_quiet (self, select);
	}
	remsim_cardem_sink_send_modem_reset (self, self->modem_reset_ms);
}

/* ---- opening and losing the device --------------------------------------- */

static gboolean
remsim_cardem_sink_rescan_cb (gpointer user_data)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (user_data);

	remsim_cardem_sink_try_open (self);
	return G_SOURCE_CONTINUE;
}

static void
remsim_cardem_sink_schedule_rescan (RemsimCardemSink *self)
{
	if (self->rescan_id != 0 || !self->started)
		return;
	self->rescan_id = g_timeout_add (self->rescan_ms, remsim_cardem_sink_rescan_cb, self);
}

static void
remsim_cardem_sink_set_dev (RemsimCardemSink *self, RemsimCardemUsbDevice *dev)
{
	gboolean was = self->dev != NULL;

	g_clear_pointer (&self->dev, remsim_cardem_usb_device_free);
	self->dev = dev;
	if (was != (dev != NULL)) {
		g_object_notify_by_pspec (G_OBJECT (self),
					  remsim_cardem_sink_props[PROP_CONNECTED]);
		g_object_notify_by_pspec (G_OBJECT (self), remsim_cardem_sink_props[PROP_USB_PATH]);
	}
}

static void
remsim_cardem_sink_finish_close (RemsimCardemSink *self)
{
	if (!self->closing || self->xfers->len > 0)
		return;
	self->closing = FALSE;
	remsim_cardem_sink_set_dev (self, NULL);
	if (self->started) {
		remsim_cardem_sink_schedule_rescan (self);
		/* maybe it is back already */
		remsim_cardem_sink_try_open (self);
	}
}

static void
remsim_cardem_sink_cancel_all (RemsimCardemSink *self)
{
	for (guint i = 0; i < self->xfers->len; i++)
		(void)libusb_cancel_transfer (g_ptr_array_index (self->xfers, i));
}

static void
remsim_cardem_sink_lost (RemsimCardemSink *self, const gchar *why)
{
	if (self->dev == NULL || self->closing)
		return;
	g_message ("%s: lost the device at %s (%s); waiting for it to come back",
		   self->name,
		   self->dev->path,
		   why);
	self->closing = TRUE;
	remsim_cardem_tpdu_reset (&self->tpdu);
	remsim_cardem_sink_cancel_all (self);
	remsim_cardem_sink_set_status_unknown (self);
	if (self->xfers->len == 0 && self->idle_id == 0)
		self->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT,
						 remsim_cardem_sink_finish_close_cb,
						 g_object_ref (self),
						 g_object_unref);
}

static void
remsim_cardem_sink_open_thread (GTask *task,
				gpointer source_object,
				gpointer task_data,
				GCancellable *cancellable)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (source_object);
	RemsimCardemUsbMatch *match = task_data;
	RemsimCardemUsbDevice *dev;
	GError *error = NULL;

	dev = remsim_cardem_usb_open (self->ctx, match, &error);
	if (dev == NULL) {
		g_task_return_error (task, error);
		return;
	}
	g_task_return_pointer (task, dev, (GDestroyNotify)remsim_cardem_usb_device_free);
}

static void
remsim_cardem_sink_match_free (gpointer data)
{
	RemsimCardemUsbMatch *match = data;

	remsim_cardem_usb_match_clear (match);
	g_free (match);
}

static void
remsim_cardem_sink_opened (RemsimCardemSink *self, RemsimCardemUsbDevice *dev)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) config = NULL;

	g_message ("%s: SIMtrace2 %04x:%04x at %s (address %u:%u), interface %d, endpoints "
		   "out %02x in %02x irq %02x",
		   self->name,
		   dev->vendor,
		   dev->product,
		   dev->path,
		   dev->bus,
		   dev->address,
		   dev->interface,
		   dev->ep_out,
		   dev->ep_in,
		   dev->ep_irq);
	g_clear_pointer (&self->last_open_error, g_free);
	g_clear_handle_id (&self->rescan_id, g_source_remove);
	self->in_errors = 0;
	remsim_cardem_tpdu_reset (&self->tpdu);
	remsim_cardem_sink_set_dev (self, dev);

	/* several bulk IN transfers in flight: with one, IN data got lost or
	 * late (OS#4409, the stall after PTS) */
	if (!remsim_cardem_sink_submit_in (self, REMSIM_CARDEM_XFER_IRQ_IN, &error))
		goto fail;
	for (guint i = 0; i < self->n_bulk_in; i++) {
		if (!remsim_cardem_sink_submit_in (self, REMSIM_CARDEM_XFER_BULK_IN, &error))
			goto fail;
	}
	config = remsim_cardem_encode_config (
	    REMSIM_CARDEM_FEAT_STATUS_IRQ, 0, self->pres_pol >= 0 ? (guint8)self->pres_pol : 0);
	if (!remsim_cardem_sink_send (self, config, &error))
		goto fail;
	/* ask for the current state: status IRQs only come on changes */
	{
		g_autoptr (GBytes) req = remsim_cardem_encode_status_request ();

		remsim_cardem_sink_send_quiet (self, req);
	}
	remsim_cardem_sink_send_atr (self);
	/* a mapping is active: show the card again (the modem saw it vanish) */
	if (self->present)
		remsim_cardem_sink_send_presence (self, TRUE);
	return;
fail:
	remsim_cardem_sink_lost (self, error->message);
}

static void
remsim_cardem_sink_open_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (source);
	guint generation = GPOINTER_TO_UINT (user_data);
	g_autoptr (GError) error = NULL;
	RemsimCardemUsbDevice *dev;

	dev = g_task_propagate_pointer (G_TASK (res), &error);
	if (generation != self->generation || !self->started) {
		remsim_cardem_usb_device_free (dev);
		return;
	}
	self->opening = FALSE;
	if (dev == NULL) {
		g_autofree gchar *what = remsim_cardem_usb_match_to_string (&self->match);

		/* say it once, not every rescan */
		if (g_strcmp0 (self->last_open_error, error->message) != 0) {
			if (g_error_matches (error, REMSIM_ERROR, REMSIM_ERROR_NOT_FOUND) &&
			    self->last_open_error == NULL)
				g_message (
				    "%s: no SIMtrace2 %s yet; waiting for it", self->name, what);
			else
				g_warning (
				    "%s: SIMtrace2 %s: %s", self->name, what, error->message);
			g_free (self->last_open_error);
			self->last_open_error = g_strdup (error->message);
		}
		remsim_cardem_sink_schedule_rescan (self);
		return;
	}
	if (self->dev != NULL || self->closing) {
		/* cannot happen: one open at a time */
		remsim_cardem_usb_device_free (dev);
		return;
	}
	remsim_cardem_sink_opened (self, dev);
}

static void
remsim_cardem_sink_try_open (RemsimCardemSink *self)
{
	g_autoptr (GTask) task = NULL;
	RemsimCardemUsbMatch *match;

	if (!self->started || self->opening || self->dev != NULL || self->closing)
		return;
	self->opening = TRUE;
	match = g_new0 (RemsimCardemUsbMatch, 1);
	remsim_cardem_usb_match_copy (&self->match, match);
	task = g_task_new (
	    self, NULL, remsim_cardem_sink_open_cb, GUINT_TO_POINTER (self->generation));
	g_task_set_source_tag (task, REMSIM_CARDEM_TAG (remsim_cardem_sink_try_open));
	g_task_set_task_data (task, match, remsim_cardem_sink_match_free);
	g_task_run_in_thread (task, remsim_cardem_sink_open_thread);
}

static gboolean
remsim_cardem_sink_hotplug_idle_cb (gpointer user_data)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (user_data);

	remsim_cardem_sink_try_open (self);
	return G_SOURCE_REMOVE;
}

static int LIBUSB_CALL
remsim_cardem_sink_hotplug_cb (libusb_context *ctx,
			       libusb_device *device,
			       libusb_hotplug_event event,
			       void *user_data)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (user_data);

	if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT) {
		if (self->dev != NULL && !self->closing &&
		    libusb_get_device (self->dev->devh) == device)
			remsim_cardem_sink_lost (self, "unplugged");
	} else if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED && self->dev == NULL) {
		/* open from the main loop, not from inside libusb's event
		 * handling */
		g_idle_add_full (G_PRIORITY_DEFAULT,
				 remsim_cardem_sink_hotplug_idle_cb,
				 g_object_ref (self),
				 g_object_unref);
	}
	return 0;
}

/* ---- RemsimCardSink ------------------------------------------------------ */

static gboolean
remsim_cardem_sink_start (RemsimCardSink *sink, GError **error)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (sink);
	int rc;

	if (self->started)
		return TRUE;
	if (self->ctx == NULL) {
		rc = libusb_init (&self->ctx);
		if (rc != 0) {
			self->ctx = NULL;
			g_set_error (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_NOT_SUPPORTED,
				     "%s: cannot initialise libusb: %s",
				     self->name,
				     libusb_strerror (rc));
			return FALSE;
		}
	}
	self->context = g_main_context_ref_thread_default ();
	self->usb_source = remsim_cardem_usb_source_new (self->ctx);
	g_source_attach (self->usb_source, self->context);
	self->started = TRUE;
	if (libusb_has_capability (LIBUSB_CAP_HAS_HOTPLUG)) {
		rc = libusb_hotplug_register_callback (
		    self->ctx,
		    LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
		    LIBUSB_HOTPLUG_NO_FLAGS,
		    self->match.vendor >= 0 ? self->match.vendor : LIBUSB_HOTPLUG_MATCH_ANY,
		    self->match.product >= 0 ? self->match.product : LIBUSB_HOTPLUG_MATCH_ANY,
		    LIBUSB_HOTPLUG_MATCH_ANY,
		    remsim_cardem_sink_hotplug_cb,
		    self,
		    &self->hotplug);
		self->has_hotplug = rc == 0;
		if (rc != 0)
			g_debug ("%s: no hotplug events (%s); rescanning every %u ms",
				 self->name,
				 libusb_strerror (rc),
				 self->rescan_ms);
	}
	remsim_cardem_sink_set_status_unknown (self);
	remsim_cardem_sink_try_open (self);
	return TRUE;
}

/* wait (bounded) until every transfer has come back from libusb */
static void
remsim_cardem_sink_drain (RemsimCardemSink *self)
{
	gint64 deadline = g_get_monotonic_time () + REMSIM_CARDEM_DRAIN_TIMEOUT_US;

	remsim_cardem_sink_cancel_all (self);
	while (self->xfers->len > 0 && g_get_monotonic_time () < deadline) {
		struct timeval tv = {0, 50000};

		(void)libusb_handle_events_timeout_completed (self->ctx, &tv, NULL);
	}
	if (self->xfers->len > 0) {
		/* leak them rather than free memory libusb still uses */
		g_warning ("%s: %u USB transfers did not finish", self->name, self->xfers->len);
		g_ptr_array_set_size (self->xfers, 0);
	}
}

static void
remsim_cardem_sink_stop (RemsimCardSink *sink)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (sink);

	if (!self->started)
		return;
	self->started = FALSE;
	self->generation++;
	self->opening = FALSE;
	g_clear_handle_id (&self->rescan_id, g_source_remove);
	g_clear_handle_id (&self->idle_id, g_source_remove);
	if (self->has_hotplug) {
		libusb_hotplug_deregister_callback (self->ctx, self->hotplug);
		self->has_hotplug = FALSE;
	}
	if (self->dev != NULL) {
		/* leave the modem with no card rather than a dead one */
		if (self->present && !self->closing) {
			g_autoptr (GBytes) remove = remsim_cardem_encode_cardinsert (FALSE);

			remsim_cardem_sink_send_quiet (self, remove);
		}
		self->closing = TRUE;
		remsim_cardem_sink_drain (self);
	}
	self->closing = FALSE;
	remsim_cardem_sink_set_dev (self, NULL);
	if (self->usb_source != NULL)
		remsim_cardem_usb_source_detach (g_steal_pointer (&self->usb_source));
	g_clear_pointer (&self->context, g_main_context_unref);
	remsim_cardem_tpdu_reset (&self->tpdu);
}

static gboolean
remsim_cardem_sink_set_atr (RemsimCardSink *sink, GBytes *atr, GError **error)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (sink);

	if (g_bytes_get_size (atr) < 2 || g_bytes_get_size (atr) > 255) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "%s: ATR of %" G_GSIZE_FORMAT " bytes",
			     self->name,
			     g_bytes_get_size (atr));
		return FALSE;
	}
	g_clear_pointer (&self->atr, g_bytes_unref);
	self->atr = g_bytes_ref (atr);
	if (self->started)
		remsim_cardem_sink_send_atr (self);
	return TRUE;
}

static gboolean
remsim_cardem_sink_deliver_response (RemsimCardSink *sink, GBytes *response, GError **error)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (sink);
	RemsimCardemTxStep steps[2];
	g_autoptr (GError) error_local = NULL;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data (response, &len);
	guint n;

	n = remsim_cardem_tpdu_response (&self->tpdu, data, len, steps, &error_local);
	if (n == 0) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_PROTOCOL,
			     "%s: %s",
			     self->name,
			     error_local->message);
		return FALSE;
	}
	for (guint i = 0; i < n; i++) {
		g_autoptr (GBytes) msg =
		    remsim_cardem_encode_tx_data (steps[i].flags, steps[i].data, steps[i].len);

		if (!remsim_cardem_sink_send (self, msg, error)) {
			g_prefix_error (error, "%s: ", self->name);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
remsim_cardem_sink_set_card_present (RemsimCardSink *sink, gboolean present, GError **error)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (sink);

	if (self->present == present)
		return TRUE;
	self->present = present;
	g_info ("%s: card %s", self->name, present ? "inserted" : "removed");
	if (!present)
		remsim_cardem_tpdu_reset (&self->tpdu);
	if (self->started)
		remsim_cardem_sink_send_presence (self, present);
	return TRUE;
}

static void
remsim_cardem_sink_get_status (RemsimCardSink *sink, RemsimCardSinkStatus *status)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (sink);

	*status = self->status;
}

static void
remsim_cardem_sink_card_sink_iface_init (RemsimCardSinkInterface *iface)
{
	iface->start = remsim_cardem_sink_start;
	iface->stop = remsim_cardem_sink_stop;
	iface->set_atr = remsim_cardem_sink_set_atr;
	iface->deliver_response = remsim_cardem_sink_deliver_response;
	iface->set_card_present = remsim_cardem_sink_set_card_present;
	iface->get_status = remsim_cardem_sink_get_status;
}

/* ---- keys ---------------------------------------------------------------- */

static gboolean
remsim_cardem_sink_key_error (RemsimCardemSink *self,
			      const gchar *key,
			      const gchar *value,
			      const gchar *expected,
			      GError **error)
{
	g_set_error (error,
		     REMSIM_CONFIG_ERROR,
		     REMSIM_CONFIG_ERROR_INVALID_VALUE,
		     "key '%s': '%s' is not %s",
		     key,
		     value,
		     expected);
	return FALSE;
}

/* an integer key; hex=TRUE reads hex with or without 0x (as -V/-P do),
 * else decimal or 0x-hex. Absent or empty keys keep *value. */
static gboolean
remsim_cardem_sink_get_int (RemsimCardemSink *self,
			    const gchar *key,
			    gboolean hex,
			    gint64 min,
			    gint64 max,
			    gint *value,
			    GError **error)
{
	g_autofree gchar *str =
	    g_key_file_get_string (self->props.config, self->props.group, key, NULL);
	g_autofree gchar *expected = NULL;
	const gchar *p;
	guint base = hex ? 16 : 10;
	guint64 v;

	if (str == NULL || g_strstrip (str)[0] == '\0')
		return TRUE;
	p = str;
	if (g_str_has_prefix (p, "0x") || g_str_has_prefix (p, "0X")) {
		p += 2;
		base = 16;
	}
	if (!g_ascii_string_to_unsigned (p, base, (guint64)min, (guint64)max, &v, NULL)) {
		expected = hex ? g_strdup_printf ("a hex number 0x%" G_GINT64_MODIFIER
						  "x..0x%" G_GINT64_MODIFIER "x",
						  min,
						  max)
			       : g_strdup_printf (
				     "a number %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT, min, max);
		return remsim_cardem_sink_key_error (self, key, str, expected, error);
	}
	*value = (gint)v;
	return TRUE;
}

static gboolean
remsim_cardem_sink_get_bool (RemsimCardemSink *self,
			     const gchar *key,
			     gboolean *value,
			     GError **error)
{
	g_autofree gchar *str =
	    g_key_file_get_string (self->props.config, self->props.group, key, NULL);

	if (str == NULL || g_strstrip (str)[0] == '\0')
		return TRUE;
	if (g_ascii_strcasecmp (str, "true") == 0 || g_strcmp0 (str, "1") == 0) {
		*value = TRUE;
		return TRUE;
	}
	if (g_ascii_strcasecmp (str, "false") == 0 || g_strcmp0 (str, "0") == 0) {
		*value = FALSE;
		return TRUE;
	}
	return remsim_cardem_sink_key_error (self, key, str, "true or false", error);
}

static gboolean
remsim_cardem_sink_read_keys (RemsimCardemSink *self, GError **error)
{
	static const gchar *const known_keys[] = {"vendor",
						  "product",
						  "path",
						  "address",
						  "configuration",
						  "interface",
						  "altsetting",
						  "sim-presence",
						  "sim-select",
						  "modem-reset-ms",
						  "rescan-interval-ms",
						  "bulk-in-transfers",
						  NULL};
	g_autofree gchar *address = NULL;
	g_autofree gchar *presence = NULL;
	gint v;

	if (!remsim_plugin_instance_props_check (&self->props, known_keys, error))
		return FALSE;
	if (!remsim_cardem_sink_get_int (
		self, "vendor", TRUE, 0, 0xffff, &self->match.vendor, error))
		return FALSE;
	if (!remsim_cardem_sink_get_int (
		self, "product", TRUE, 0, 0xffff, &self->match.product, error))
		return FALSE;
	self->match.path =
	    g_key_file_get_string (self->props.config, self->props.group, "path", NULL);
	if (self->match.path != NULL && g_strstrip (self->match.path)[0] == '\0')
		g_clear_pointer (&self->match.path, g_free);
	if (self->match.path != NULL && !remsim_cardem_usb_parse_path (self->match.path, NULL))
		return remsim_cardem_sink_key_error (
		    self, "path", self->match.path, "a USB path like 2-1.1", error);
	address = g_key_file_get_string (self->props.config, self->props.group, "address", NULL);
	if (address != NULL && g_strstrip (address)[0] != '\0') {
		g_auto (GStrv) parts = g_strsplit (address, ":", 2);
		guint64 bus = 0, addr = 0;

		if (parts[1] == NULL) {
			if (!g_ascii_string_to_unsigned (parts[0], 10, 1, 127, &addr, NULL))
				return remsim_cardem_sink_key_error (
				    self,
				    "address",
				    address,
				    "a USB address 1..127 or BUS:ADDRESS",
				    error);
		} else if (!g_ascii_string_to_unsigned (parts[0], 10, 1, 255, &bus, NULL) ||
			   !g_ascii_string_to_unsigned (parts[1], 10, 1, 127, &addr, NULL)) {
			return remsim_cardem_sink_key_error (
			    self, "address", address, "a USB address 1..127 or BUS:ADDRESS", error);
		} else {
			self->match.bus = (gint)bus;
		}
		self->match.address = (gint)addr;
	}
	if (!remsim_cardem_sink_get_int (
		self, "configuration", FALSE, 1, 255, &self->match.configuration, error))
		return FALSE;
	if (!remsim_cardem_sink_get_int (
		self, "interface", FALSE, 0, 255, &self->match.interface, error))
		return FALSE;
	if (!remsim_cardem_sink_get_int (
		self, "altsetting", FALSE, 0, 255, &self->match.altsetting, error))
		return FALSE;
	presence =
	    g_key_file_get_string (self->props.config, self->props.group, "sim-presence", NULL);
	if (presence != NULL && g_strstrip (presence)[0] != '\0') {
		if (g_ascii_strcasecmp (presence, "high") == 0 || g_strcmp0 (presence, "1") == 0)
			self->pres_pol = REMSIM_CARDEM_PRES_POL_VALID | REMSIM_CARDEM_PRES_POL_HIGH;
		else if (g_ascii_strcasecmp (presence, "low") == 0 ||
			 g_strcmp0 (presence, "0") == 0)
			self->pres_pol = REMSIM_CARDEM_PRES_POL_VALID;
		else
			return remsim_cardem_sink_key_error (
			    self, "sim-presence", presence, "high, low, 1 or 0", error);
	}
	if (!remsim_cardem_sink_get_bool (self, "sim-select", &self->sim_select, error))
		return FALSE;
	v = (gint)self->modem_reset_ms;
	if (!remsim_cardem_sink_get_int (self, "modem-reset-ms", FALSE, 0, 65535, &v, error))
		return FALSE;
	self->modem_reset_ms = (guint)v;
	v = (gint)self->rescan_ms;
	if (!remsim_cardem_sink_get_int (self, "rescan-interval-ms", FALSE, 10, 3600000, &v, error))
		return FALSE;
	self->rescan_ms = (guint)v;
	v = (gint)self->n_bulk_in;
	if (!remsim_cardem_sink_get_int (self, "bulk-in-transfers", FALSE, 1, 32, &v, error))
		return FALSE;
	self->n_bulk_in = (guint)v;
	return TRUE;
}

static gboolean
remsim_cardem_sink_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (initable);

	g_free (self->name);
	self->name = g_strdup_printf ("cardem slot %u", self->props.slot);
	return remsim_cardem_sink_read_keys (self, error);
}

static void
remsim_cardem_sink_initable_iface_init (GInitableIface *iface)
{
	iface->init = remsim_cardem_sink_initable_init;
}

/* ---- GObject ------------------------------------------------------------- */

static gboolean
remsim_cardem_sink_modem_reset (RemsimCardemSink *self, guint ms)
{
	g_autoptr (GBytes) msg = NULL;
	g_autoptr (GError) error = NULL;

	msg = remsim_cardem_encode_modem_reset (REMSIM_CARDEM_MODEM_RESET_PULSE,
						(guint16)MIN (ms == 0 ? 300 : ms, G_MAXUINT16));
	if (!remsim_cardem_sink_send (self, msg, &error)) {
		g_message ("%s: modem reset: %s", self->name, error->message);
		return FALSE;
	}
	return TRUE;
}

static void
remsim_cardem_sink_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (object);

	if (remsim_plugin_instance_props_get_property (&self->props, PROP_INSTANCE, prop_id, value))
		return;
	switch (prop_id) {
	case PROP_CONNECTED:
		g_value_set_boolean (value, self->dev != NULL && !self->closing);
		break;
	case PROP_USB_PATH:
		g_value_set_string (value, self->dev != NULL ? self->dev->path : self->match.path);
		break;
	case PROP_USB_INTERFACE:
		g_value_set_int (value, self->match.interface);
		break;
	case PROP_N_COMMANDS:
		g_value_set_uint (value, self->n_commands);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
remsim_cardem_sink_set_property (GObject *object,
				 guint prop_id,
				 const GValue *value,
				 GParamSpec *pspec)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (object);

	if (!remsim_plugin_instance_props_set_property (
		&self->props, PROP_INSTANCE, prop_id, value))
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
remsim_cardem_sink_dispose (GObject *object)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (object);

	remsim_cardem_sink_stop (REMSIM_CARD_SINK (self));
	G_OBJECT_CLASS (remsim_cardem_sink_parent_class)->dispose (object);
}

static void
remsim_cardem_sink_finalize (GObject *object)
{
	RemsimCardemSink *self = REMSIM_CARDEM_SINK (object);

	if (self->ctx != NULL)
		libusb_exit (self->ctx);
	g_ptr_array_unref (self->xfers);
	remsim_cardem_usb_match_clear (&self->match);
	g_clear_pointer (&self->atr, g_bytes_unref);
	remsim_plugin_instance_props_clear (&self->props);
	g_free (self->last_open_error);
	g_free (self->name);
	G_OBJECT_CLASS (remsim_cardem_sink_parent_class)->finalize (object);
}

static void
remsim_cardem_sink_init (RemsimCardemSink *self)
{
	self->match.vendor = REMSIM_CARDEM_USB_VENDOR_OSMOCOM;
	self->match.product = -1;
	self->match.bus = -1;
	self->match.address = -1;
	self->match.configuration = 1;
	self->match.interface = 0;
	self->match.altsetting = 0;
	self->pres_pol = -1;
	self->modem_reset_ms = 300;
	self->sim_select = TRUE;
	self->rescan_ms = 1000;
	self->n_bulk_in = 4;
	self->xfers = g_ptr_array_new ();
	self->name = g_strdup ("cardem");
	remsim_cardem_tpdu_reset (&self->tpdu);
	self->status.vcc = REMSIM_TRISTATE_UNKNOWN;
	self->status.rst = REMSIM_TRISTATE_UNKNOWN;
	self->status.clk = REMSIM_TRISTATE_UNKNOWN;
	self->status.card = REMSIM_TRISTATE_UNKNOWN;
}

static void
remsim_cardem_sink_class_init (RemsimCardemSinkClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->get_property = remsim_cardem_sink_get_property;
	object_class->set_property = remsim_cardem_sink_set_property;
	object_class->dispose = remsim_cardem_sink_dispose;
	object_class->finalize = remsim_cardem_sink_finalize;

	remsim_plugin_install_instance_properties (object_class, PROP_INSTANCE);

	/**
	 * RemsimCardemSink:connected:
	 * The device is open and its transfers run.
	 */
	remsim_cardem_sink_props[PROP_CONNECTED] = g_param_spec_boolean (
	    "connected",
	    NULL,
	    NULL,
	    FALSE,
	    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
	/**
	 * RemsimCardemSink:usb-path:
	 * The USB path of the device ("2-1.1"): the open one, else the
	 * configured one (%NULL if none); for REMSIM_USB_PATH.
	 */
	remsim_cardem_sink_props[PROP_USB_PATH] = g_param_spec_string (
	    "usb-path",
	    NULL,
	    NULL,
	    NULL,
	    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
	/**
	 * RemsimCardemSink:usb-interface:
	 * The card-emulation interface; for REMSIM_USB_INTERFACE.
	 */
	remsim_cardem_sink_props[PROP_USB_INTERFACE] = g_param_spec_int (
	    "usb-interface", NULL, NULL, 0, 255, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	/**
	 * RemsimCardemSink:n-commands:
	 * Commands forwarded so far.
	 */
	remsim_cardem_sink_props[PROP_N_COMMANDS] =
	    g_param_spec_uint ("n-commands",
			       NULL,
			       NULL,
			       0,
			       G_MAXUINT,
			       0,
			       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
	for (guint i = PROP_CONNECTED; i < PROP_LAST; i++)
		g_object_class_install_property (object_class, i, remsim_cardem_sink_props[i]);

	/**
	 * RemsimCardemSink::modem-reset:
	 * @duration_ms: pulse length; 0 = 300 ms
	 *
	 * Action signal: pulse the modem's reset line (boards that have one).
	 * Returns %FALSE when no device is connected.
	 */
	remsim_cardem_sink_signals[SIGNAL_MODEM_RESET] =
	    g_signal_new_class_handler ("modem-reset",
					G_TYPE_FROM_CLASS (klass),
					G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
					G_CALLBACK (remsim_cardem_sink_modem_reset),
					NULL,
					NULL,
					NULL,
					G_TYPE_BOOLEAN,
					1,
					G_TYPE_UINT);
	/**
	 * RemsimCardemSink::pts:
	 * @request: the PPS request (PPSS PPS0 [PPS1..3] PCK) the firmware
	 *   has already answered by echoing it
	 */
	remsim_cardem_sink_signals[SIGNAL_PTS] = g_signal_new ("pts",
							       G_TYPE_FROM_CLASS (klass),
							       G_SIGNAL_RUN_LAST,
							       0,
							       NULL,
							       NULL,
							       NULL,
							       G_TYPE_NONE,
							       1,
							       G_TYPE_BYTES);
}
