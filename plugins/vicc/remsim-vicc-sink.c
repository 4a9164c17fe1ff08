/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimViccSink: the client side of the vpcd/vicc socket protocol
 * (protocols.md §8). We are the card ("vicc"), the peer is the reader
 * ("vpcd", a pcscd driver); the card behind us is the remote bank card.
 *
 * Everything runs on the main context, no threads. The sink is connected to
 * the vpcd only while the core shows a card: set_card_present (TRUE)
 * connects (or, with listen=, opens the listening socket), FALSE
 * disconnects (and closes it), which pcscd sees as a card removal. While a
 * card is shown, a lost connection is re-established with a growing pause.
 *
 * The vpcd's messages are handled strictly in order. The one at the head is
 * handled at once unless it is a command APDU: that becomes "command" and
 * waits for deliver_response() (later messages wait behind it), so replies
 * never get out of step, whatever the vpcd does.
 *
 *   from the vpcd      emitted                       reply
 *   power off (00)     "status" vcc off, rst on      none
 *   power on (01)      "status" vcc on, rst off      none
 *   reset (02)         "request-reset"               none
 *   get ATR (04)       -                             the ATR of set_atr()
 *   other 1-byte       - (logged)                    none, as vsmartcard's vicc
 *   APDU, 4..260 B     "command" (4 bytes: P3 = 00   deliver_response()'s bytes
 *                      appended, a T=0 case 1 TPDU)
 *   APDU, other size   -                             67 00 (wrong length)
 *
 * pcscd's reader thread blocks in vpcd until the reply comes, so a command
 * is never left unanswered: after timeout-ms the sink replies 6f 00 and
 * remembers that the response is still due ("stale"); it drops that
 * response when it comes and holds the next command until then. If the
 * held command times out too, the remote side is taken as lost: 6f 00, and
 * the card is removed and shown again (new connection), so applications
 * start over.
 */
#include "config.h"

#include <string.h>

#include "remsim-vicc-conn.h"
#include "remsim-vicc-proto.h"
#include "remsim-vicc-sink.h"

#define REMSIM_VICC_SINK_DEFAULT_TIMEOUT_MS   10000
#define REMSIM_VICC_SINK_DEFAULT_RECONNECT_MS 500
/* the pause between connection attempts doubles up to this (or up to
 * reconnect-interval-ms, if that is longer) */
#define REMSIM_VICC_SINK_MAX_BACKOFF_MS 4000
#define REMSIM_VICC_SINK_RX_INITIAL	512
/* a T=0 TPDU: 5-byte header + up to 255 data bytes; what a bankd takes */
#define REMSIM_VICC_SINK_MIN_TPDU 5
#define REMSIM_VICC_SINK_MAX_TPDU 260

struct _RemsimViccSink {
	GObject parent_instance;

	RemsimPluginInstanceProps props; /* config, group, slot */
	gchar *name;			 /* "[sink:x] slot 3", for messages */

	/* configuration */
	gboolean listen_mode; /* listen=: a vpcd in reversed mode connects to us */
	gchar *host;	      /* vpcd to connect to, or listen address (NULL: all) */
	guint16 port;
	guint timeout_ms;
	guint reconnect_ms;

	GMainContext *context;
	gboolean started;
	gboolean present; /* the core shows a card */
	GBytes *atr;

	/* connect mode */
	GSocketClient *client;
	GCancellable *connect_cancellable;
	GSource *reconnect_source;
	guint backoff_ms;
	gboolean connect_failed_logged;

	/* listen mode */
	GSocketService *service;
	gboolean listen_failed_logged;

	/* the connection */
	RemsimViccConn vc;
	GByteArray *tx;	      /* framed replies not yet handed to a write */
	gchar *bounce_reason; /* end the connection once tx is written */

	/* the vpcd's messages */
	GQueue requests; /* GBytes payloads not yet handled */
	gboolean processing;
	GBytes *command;    /* the command waiting for its response */
	gboolean forwarded; /* "command" was emitted for it */
	GSource *timeout_source;
	gboolean stale; /* a response to a timed-out command is still due */

	RemsimCardSinkStatus status;
};

static void remsim_vicc_sink_card_sink_iface_init (RemsimCardSinkInterface *iface);
static void remsim_vicc_sink_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RemsimViccSink,
			       remsim_vicc_sink,
			       G_TYPE_OBJECT,
			       G_IMPLEMENT_INTERFACE (REMSIM_TYPE_CARD_SINK,
						      remsim_vicc_sink_card_sink_iface_init)
				   G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
							  remsim_vicc_sink_initable_iface_init))

enum {
	PROP_0,
	PROP_INSTANCE, /* "config", "group", "slot" */
	PROP_PORT = PROP_INSTANCE + REMSIM_PLUGIN_INSTANCE_N_PROPS,
	PROP_CONNECTED,
	PROP_LAST,
};

static GParamSpec *remsim_vicc_sink_props[PROP_LAST] = {NULL};

static void remsim_vicc_sink_process (RemsimViccSink *self);
static void remsim_vicc_sink_open (RemsimViccSink *self);
static void remsim_vicc_sink_drop (RemsimViccSink *self, const gchar *reason, gboolean reconnect);

static const RemsimCardSinkStatus remsim_vicc_sink_status_absent = {
    REMSIM_TRISTATE_UNKNOWN, REMSIM_TRISTATE_UNKNOWN, REMSIM_TRISTATE_UNKNOWN, REMSIM_TRISTATE_OFF};

/* writing --------------------------------------------------------------- */

/* hand everything queued to one write; when all is written and a bounce is
 * due, end the connection (and come back) */
static void
remsim_vicc_sink_flush (RemsimViccSink *self)
{
	g_autoptr (GBytes) wire = NULL;

	if (self->vc.conn == NULL || self->vc.writing)
		return;
	if (self->tx->len == 0) {
		if (self->bounce_reason != NULL) {
			g_autofree gchar *reason = g_steal_pointer (&self->bounce_reason);

			remsim_vicc_sink_drop (self, reason, TRUE);
		}
		return;
	}
	wire = g_byte_array_free_to_bytes (self->tx);
	self->tx = g_byte_array_sized_new (64);
	remsim_vicc_conn_write (&self->vc, wire);
}

static void
remsim_vicc_sink_reply (RemsimViccSink *self, const guint8 *payload, gsize len)
{
	if (self->vc.conn == NULL)
		return;
	remsim_vicc_frame_append (self->tx, payload, len);
	remsim_vicc_sink_flush (self);
}

static void
remsim_vicc_sink_reply_sw (RemsimViccSink *self, guint8 sw1, guint8 sw2)
{
	const guint8 sw[] = {sw1, sw2};

	remsim_vicc_sink_reply (self, sw, sizeof (sw));
}

/* the vpcd's messages ---------------------------------------------------- */

static void
remsim_vicc_sink_set_lines (RemsimViccSink *self,
			    RemsimTristate vcc,
			    RemsimTristate rst,
			    RemsimTristate clk)
{
	RemsimCardSinkStatus status = {vcc, rst, clk, REMSIM_TRISTATE_ON};

	if (memcmp (&status, &self->status, sizeof (status)) == 0)
		return;
	self->status = status;
	remsim_card_sink_emit_status (REMSIM_CARD_SINK (self), &status);
}

static void
remsim_vicc_sink_forward (RemsimViccSink *self)
{
	g_autoptr (GBytes) tpdu = g_bytes_ref (self->command);

	self->forwarded = TRUE;
	remsim_card_sink_emit_command (REMSIM_CARD_SINK (self), tpdu);
}

static gboolean
remsim_vicc_sink_timeout_cb (gpointer user_data)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (user_data);
	g_autoptr (RemsimViccSink) keep = g_object_ref (self);

	g_clear_pointer (&self->timeout_source, g_source_unref);
	if (self->command == NULL)
		return G_SOURCE_REMOVE;
	g_clear_pointer (&self->command, g_bytes_unref);
	if (self->forwarded) {
		g_warning ("%s: no response within %u ms; answering 6f00 to the vpcd",
			   self->name,
			   self->timeout_ms);
		self->forwarded = FALSE;
		self->stale = TRUE;
		remsim_vicc_sink_reply_sw (self, 0x6f, 0x00);
		remsim_vicc_sink_process (self);
		return G_SOURCE_REMOVE;
	}
	/* held behind a command that timed out before, and that has still
	 * not been answered: the remote side is lost */
	g_warning ("%s: still no response to a command that timed out before; answering 6f00 "
		   "and showing the card anew",
		   self->name);
	remsim_vicc_sink_reply_sw (self, 0x6f, 0x00);
	self->stale = FALSE;
	g_free (self->bounce_reason);
	self->bounce_reason = g_strdup ("the remote card does not answer");
	remsim_vicc_sink_flush (self);
	return G_SOURCE_REMOVE;
}

static void
remsim_vicc_sink_handle_apdu (RemsimViccSink *self, GBytes *apdu)
{
	gsize len = g_bytes_get_size (apdu);

	if (len < REMSIM_VICC_SINK_MIN_TPDU - 1 || len > REMSIM_VICC_SINK_MAX_TPDU) {
		g_message ("%s: command of %" G_GSIZE_FORMAT
			   " bytes cannot travel as a TPDU (%u..%u); answering 6700",
			   self->name,
			   len,
			   REMSIM_VICC_SINK_MIN_TPDU - 1,
			   REMSIM_VICC_SINK_MAX_TPDU);
		remsim_vicc_sink_reply_sw (self, 0x67, 0x00);
		return;
	}
	if (len == REMSIM_VICC_SINK_MIN_TPDU - 1) {
		/* case 1 (CLA INS P1 P2): the T=0 TPDU has P3 = 00 */
		guint8 tpdu[REMSIM_VICC_SINK_MIN_TPDU] = {0};

		memcpy (tpdu, g_bytes_get_data (apdu, NULL), len);
		self->command = g_bytes_new (tpdu, sizeof (tpdu));
	} else {
		self->command = g_bytes_ref (apdu);
	}
	self->forwarded = FALSE;
	remsim_vicc_clear_source (&self->timeout_source);
	self->timeout_source = remsim_vicc_timeout_add (
	    self->context, self->timeout_ms, remsim_vicc_sink_timeout_cb, self);
	if (self->stale) {
		g_debug ("%s: command held until the late response to the previous one",
			 self->name);
		return;
	}
	remsim_vicc_sink_forward (self);
}

static void
remsim_vicc_sink_handle_request (RemsimViccSink *self, GBytes *req)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data (req, &len);

	if (len == 0) {
		g_message ("%s: empty message from the vpcd; ignored", self->name);
		return;
	}
	if (len > 1) {
		remsim_vicc_sink_handle_apdu (self, req);
		return;
	}
	switch (data[0]) {
	case REMSIM_VICC_CTRL_OFF:
		g_debug ("%s: power off", self->name);
		remsim_vicc_sink_set_lines (
		    self, REMSIM_TRISTATE_OFF, REMSIM_TRISTATE_ON, REMSIM_TRISTATE_OFF);
		break;
	case REMSIM_VICC_CTRL_ON:
		g_debug ("%s: power on", self->name);
		remsim_vicc_sink_set_lines (
		    self, REMSIM_TRISTATE_ON, REMSIM_TRISTATE_OFF, REMSIM_TRISTATE_ON);
		break;
	case REMSIM_VICC_CTRL_RESET:
		g_debug ("%s: reset", self->name);
		remsim_card_sink_emit_request_reset (REMSIM_CARD_SINK (self));
		break;
	case REMSIM_VICC_CTRL_ATR: {
		gsize atr_len = 0;
		const guint8 *atr = g_bytes_get_data (self->atr, &atr_len);

		remsim_vicc_sink_reply (self, atr, atr_len);
		break;
	}
	default:
		g_message (
		    "%s: unknown control code 0x%02x from the vpcd; ignored", self->name, data[0]);
		break;
	}
}

/* handle queued messages until one waits for a response; reentrant calls
 * (from signal handlers) leave the work to the outer loop */
static void
remsim_vicc_sink_process (RemsimViccSink *self)
{
	guint serial = self->vc.serial;

	if (self->processing)
		return;
	self->processing = TRUE;
	while (self->vc.conn != NULL && self->vc.serial == serial && self->command == NULL &&
	       self->bounce_reason == NULL) {
		g_autoptr (GBytes) req = g_queue_pop_head (&self->requests);

		if (req == NULL)
			break;
		remsim_vicc_sink_handle_request (self, req);
	}
	self->processing = FALSE;
}

/* the connection's callbacks -------------------------------------------- */

static void
remsim_vicc_sink_conn_message (GObject *owner, const guint8 *payload, gsize len)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (owner);

	g_queue_push_tail (&self->requests, g_bytes_new (payload, len));
}

static void
remsim_vicc_sink_conn_received (GObject *owner)
{
	remsim_vicc_sink_process (REMSIM_VICC_SINK (owner));
}

static void
remsim_vicc_sink_conn_written (GObject *owner)
{
	remsim_vicc_sink_flush (REMSIM_VICC_SINK (owner));
}

static void
remsim_vicc_sink_conn_lost (GObject *owner, const gchar *reason)
{
	remsim_vicc_sink_drop (REMSIM_VICC_SINK (owner), reason, TRUE);
}

static const RemsimViccConnFuncs remsim_vicc_sink_conn_funcs = {
    remsim_vicc_sink_conn_message,
    remsim_vicc_sink_conn_received,
    remsim_vicc_sink_conn_written,
    remsim_vicc_sink_conn_lost,
};

/* connections ----------------------------------------------------------- */

static void
remsim_vicc_sink_attach (RemsimViccSink *self, GSocketConnection *conn)
{
	remsim_vicc_conn_attach (&self->vc, conn, self->name);
	self->connect_failed_logged = FALSE;
	self->backoff_ms = self->reconnect_ms;
	self->status = remsim_vicc_sink_status_absent;
	self->status.card = REMSIM_TRISTATE_ON;
	g_message ("%s: card shown to the vpcd (%s)", self->name, self->vc.peer);
	g_object_notify_by_pspec (G_OBJECT (self), remsim_vicc_sink_props[PROP_CONNECTED]);
}

static gboolean
remsim_vicc_sink_reconnect_cb (gpointer user_data)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (user_data);

	g_clear_pointer (&self->reconnect_source, g_source_unref);
	remsim_vicc_sink_open (self);
	return G_SOURCE_REMOVE;
}

static void
remsim_vicc_sink_schedule_reconnect (RemsimViccSink *self, guint ms)
{
	if (self->reconnect_source != NULL || !self->started || !self->present)
		return;
	self->reconnect_source =
	    remsim_vicc_timeout_add (self->context, ms, remsim_vicc_sink_reconnect_cb, self);
}

/*
 * End the connection (if any) and forget the vpcd's pending messages. A
 * command whose response is still due makes the sink "stale", so that the
 * response is dropped when it comes. With @reconnect (and a card shown) the
 * connect mode tries again after reconnect-interval-ms; in listen mode the
 * vpcd comes back by itself.
 */
static void
remsim_vicc_sink_drop (RemsimViccSink *self, const gchar *reason, gboolean reconnect)
{
	if (self->vc.conn == NULL)
		return;
	g_message ("%s: disconnected from the vpcd %s: %s", self->name, self->vc.peer, reason);
	remsim_vicc_conn_close (&self->vc, self->name);
	g_byte_array_set_size (self->tx, 0);
	g_clear_pointer (&self->bounce_reason, g_free);
	g_queue_clear_full (&self->requests, (GDestroyNotify)g_bytes_unref);
	remsim_vicc_clear_source (&self->timeout_source);
	if (self->command != NULL && self->forwarded)
		self->stale = TRUE;
	g_clear_pointer (&self->command, g_bytes_unref);
	self->forwarded = FALSE;
	self->status = remsim_vicc_sink_status_absent;
	if (reconnect && !self->listen_mode)
		remsim_vicc_sink_schedule_reconnect (self, self->reconnect_ms);
	g_object_notify_by_pspec (G_OBJECT (self), remsim_vicc_sink_props[PROP_CONNECTED]);
}

static void
remsim_vicc_sink_connect_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimViccSink *self;
	g_autoptr (GError) error = NULL;
	g_autoptr (GSocketConnection) conn = NULL;

	conn = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), res, &error);
	if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	self = REMSIM_VICC_SINK (user_data);
	g_clear_object (&self->connect_cancellable);
	if (conn == NULL) {
		guint max = MAX (self->reconnect_ms, REMSIM_VICC_SINK_MAX_BACKOFF_MS);

		if (!self->connect_failed_logged)
			g_message ("%s: cannot connect to the vpcd at %s:%u: %s; retrying",
				   self->name,
				   self->host,
				   self->port,
				   error->message);
		else
			g_debug ("%s: cannot connect to the vpcd: %s", self->name, error->message);
		self->connect_failed_logged = TRUE;
		remsim_vicc_sink_schedule_reconnect (self, self->backoff_ms);
		self->backoff_ms = MIN (max, self->backoff_ms * 2);
		return;
	}
	remsim_vicc_sink_attach (self, conn);
}

static gboolean
remsim_vicc_sink_incoming_cb (GSocketService *service,
			      GSocketConnection *conn,
			      GObject *source_object,
			      gpointer user_data)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (user_data);
	g_autofree gchar *peer = remsim_vicc_describe_peer (conn);

	if (self->vc.conn != NULL) {
		g_warning ("%s: refusing a second vpcd (%s): %s is connected",
			   self->name,
			   peer,
			   self->vc.peer);
		return TRUE; /* dropping our only reference closes it */
	}
	if (!self->present || !self->started) {
		g_debug ("%s: no card to show to %s", self->name, peer);
		return TRUE;
	}
	remsim_vicc_sink_attach (self, conn);
	return TRUE;
}

static void
remsim_vicc_sink_listen_start (RemsimViccSink *self)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GSocketService) service = g_socket_service_new ();
	GSocketListener *listener = G_SOCKET_LISTENER (service);
	guint16 port = self->port;

	if (self->service != NULL)
		return;
	if (!remsim_vicc_listener_add (listener, self->host, &port, &error)) {
		if (!self->listen_failed_logged)
			g_warning ("%s: cannot listen on %s:%u: %s; retrying",
				   self->name,
				   self->host != NULL ? self->host : "*",
				   self->port,
				   error->message);
		self->listen_failed_logged = TRUE;
		g_socket_listener_close (listener);
		remsim_vicc_sink_schedule_reconnect (
		    self, MAX (self->reconnect_ms, REMSIM_VICC_SINK_MAX_BACKOFF_MS));
		return;
	}
	self->listen_failed_logged = FALSE;
	/* a port chosen by the system stays ours for later cards */
	self->port = port;
	self->service = g_steal_pointer (&service);
	g_signal_connect (
	    self->service, "incoming", G_CALLBACK (remsim_vicc_sink_incoming_cb), self);
	g_socket_service_start (self->service);
	g_info ("%s: waiting for a vpcd on %s:%u",
		self->name,
		self->host != NULL ? self->host : "*",
		self->port);
}

/* show the card: connect to the vpcd, or wait for it */
static void
remsim_vicc_sink_open (RemsimViccSink *self)
{
	if (!self->started || !self->present || self->vc.conn != NULL)
		return;
	if (self->listen_mode) {
		remsim_vicc_sink_listen_start (self);
		return;
	}
	if (self->connect_cancellable != NULL)
		return;
	self->connect_cancellable = g_cancellable_new ();
	g_socket_client_connect_to_host_async (self->client,
					       self->host,
					       self->port,
					       self->connect_cancellable,
					       remsim_vicc_sink_connect_cb,
					       self);
}

/* take the card away: no connection, no attempts, no listening socket */
static void
remsim_vicc_sink_close (RemsimViccSink *self, const gchar *reason)
{
	if (self->connect_cancellable != NULL) {
		g_cancellable_cancel (self->connect_cancellable);
		g_clear_object (&self->connect_cancellable);
	}
	remsim_vicc_clear_source (&self->reconnect_source);
	remsim_vicc_service_clear (&self->service, self);
	remsim_vicc_sink_drop (self, reason, FALSE);
	/* the core answers nothing once the card is gone */
	self->stale = FALSE;
	self->backoff_ms = self->reconnect_ms;
	self->connect_failed_logged = FALSE;
}

/* RemsimCardSink -------------------------------------------------------- */

static gboolean
remsim_vicc_sink_start (RemsimCardSink *sink, GError **error)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (sink);

	self->started = TRUE;
	remsim_vicc_sink_open (self);
	return TRUE;
}

static void
remsim_vicc_sink_stop (RemsimCardSink *sink)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (sink);

	self->started = FALSE;
	remsim_vicc_sink_close (self, "stopped");
}

static gboolean
remsim_vicc_sink_set_atr (RemsimCardSink *sink, GBytes *atr, GError **error)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (sink);
	gsize len = g_bytes_get_size (atr);

	if (len == 0 || len > REMSIM_VICC_MAX_ATR_SIZE) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "%s: an ATR of %" G_GSIZE_FORMAT
			     " bytes cannot be shown to the vpcd (1..%d)",
			     self->name,
			     len,
			     REMSIM_VICC_MAX_ATR_SIZE);
		return FALSE;
	}
	if (g_bytes_equal (atr, self->atr))
		return TRUE;
	g_clear_pointer (&self->atr, g_bytes_unref);
	self->atr = g_bytes_ref (atr);
	/* pcscd reads the ATR only at power up: show a new card */
	if (self->vc.conn != NULL && self->bounce_reason == NULL) {
		self->bounce_reason = g_strdup ("the ATR changed");
		remsim_vicc_sink_flush (self);
	}
	return TRUE;
}

static gboolean
remsim_vicc_sink_deliver_response (RemsimCardSink *sink, GBytes *response, GError **error)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (sink);
	g_autoptr (RemsimViccSink) keep = g_object_ref (self);
	gsize len = 0;
	const guint8 *data = g_bytes_get_data (response, &len);

	if (self->command != NULL && self->forwarded) {
		remsim_vicc_clear_source (&self->timeout_source);
		g_clear_pointer (&self->command, g_bytes_unref);
		self->forwarded = FALSE;
		if (len == 0 || len > REMSIM_VICC_MAX_PAYLOAD) {
			/* an empty reply would tell the vpcd "card gone" */
			remsim_vicc_sink_reply_sw (self, 0x6f, 0x00);
			remsim_vicc_sink_process (self);
			g_set_error (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "%s: a response of %" G_GSIZE_FORMAT
				     " bytes cannot go to the vpcd; answered 6f00",
				     self->name,
				     len);
			return FALSE;
		}
		remsim_vicc_sink_reply (self, data, len);
		remsim_vicc_sink_process (self);
		return TRUE;
	}
	if (self->stale) {
		g_debug ("%s: late response of %" G_GSIZE_FORMAT " bytes dropped", self->name, len);
		self->stale = FALSE;
		if (self->command != NULL)
			remsim_vicc_sink_forward (self);
		return TRUE;
	}
	g_set_error (error,
		     REMSIM_ERROR,
		     REMSIM_ERROR_PROTOCOL,
		     "%s: response of %" G_GSIZE_FORMAT " bytes while no command waits for one",
		     self->name,
		     len);
	return FALSE;
}

static gboolean
remsim_vicc_sink_set_card_present (RemsimCardSink *sink, gboolean present, GError **error)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (sink);

	present = !!present;
	if (self->present == present)
		return TRUE;
	self->present = present;
	if (present) {
		g_info ("%s: card present", self->name);
		self->stale = FALSE;
		remsim_vicc_sink_open (self);
	} else {
		g_info ("%s: card removed", self->name);
		remsim_vicc_sink_close (self, "card removed");
	}
	return TRUE;
}

static void
remsim_vicc_sink_get_status (RemsimCardSink *sink, RemsimCardSinkStatus *status)
{
	*status = REMSIM_VICC_SINK (sink)->status;
}

static void
remsim_vicc_sink_card_sink_iface_init (RemsimCardSinkInterface *iface)
{
	iface->start = remsim_vicc_sink_start;
	iface->stop = remsim_vicc_sink_stop;
	iface->set_atr = remsim_vicc_sink_set_atr;
	iface->deliver_response = remsim_vicc_sink_deliver_response;
	iface->set_card_present = remsim_vicc_sink_set_card_present;
	iface->get_status = remsim_vicc_sink_get_status;
}

/* GInitable -------------------------------------------------------------- */

static gboolean
remsim_vicc_sink_parse_address (RemsimViccSink *self,
				const gchar *key,
				const gchar *value,
				GError **error)
{
	g_autofree gchar *host = NULL;
	guint16 port = REMSIM_VICC_DEFAULT_PORT;
	guint64 only_port = 0;

	if (g_ascii_string_to_unsigned (value, 10, 0, 65535, &only_port, NULL)) {
		/* "listen=35963": all addresses; "connect=35963": this host */
		port = (guint16)only_port;
	} else if (self->listen_mode && g_str_has_prefix (value, "*:")) {
		if (!g_ascii_string_to_unsigned (value + 2, 10, 0, 65535, &only_port, NULL)) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "key '%s': expected a port in 0..65535 after '*:', got \"%s\"",
				     key,
				     value);
			return FALSE;
		}
		port = (guint16)only_port;
	} else if (g_strcmp0 (value, "*") == 0) {
		/* all addresses, default port */
	} else if (!remsim_vicc_parse_hostport (key, value, &host, &port, error)) {
		return FALSE;
	}
	if (!self->listen_mode) {
		if (port == 0) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "key '%s': expected a port in 1..65535, got \"%s\"",
				     key,
				     value);
			return FALSE;
		}
		if (host == NULL || g_strcmp0 (host, "*") == 0) {
			g_free (host);
			host = g_strdup ("127.0.0.1");
		}
	} else if (host != NULL) {
		if (!remsim_vicc_parse_listen_host (&host, key, value, error))
			return FALSE;
	}
	self->host = g_steal_pointer (&host);
	return remsim_vicc_slot_port (&self->props, port, &self->port, error);
}

static gboolean
remsim_vicc_sink_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (initable);
	static const gchar *const known_keys[] = {REMSIM_VICC_KEYS, NULL};
	g_autofree gchar *listen = NULL;
	g_autofree gchar *connect = NULL;

	if (self->name != NULL)
		return TRUE;
	if (!remsim_plugin_instance_props_check (&self->props, known_keys, error))
		return FALSE;
	self->name = g_strdup_printf ("[%s] slot %u", self->props.group, self->props.slot);
	if (!remsim_vicc_get_common_keys (
		&self->props, &self->timeout_ms, &self->reconnect_ms, &listen, &connect, error))
		return FALSE;
	self->backoff_ms = self->reconnect_ms;

	self->listen_mode = listen != NULL;
	if (!remsim_vicc_sink_parse_address (self,
					     self->listen_mode ? "listen" : "connect",
					     self->listen_mode ? g_strstrip (listen)
					     : connect != NULL ? g_strstrip (connect)
							       : "127.0.0.1",
					     error))
		return FALSE;

	self->context = g_main_context_ref_thread_default ();
	if (!self->listen_mode) {
		self->client = g_socket_client_new ();
		/* a vpcd is reached directly, never through a proxy */
		g_socket_client_set_enable_proxy (self->client, FALSE);
	}
	return TRUE;
}

static void
remsim_vicc_sink_initable_iface_init (GInitableIface *iface)
{
	iface->init = remsim_vicc_sink_initable_init;
}

/* GObject ---------------------------------------------------------------- */

guint16
remsim_vicc_sink_get_port (RemsimViccSink *self)
{
	g_return_val_if_fail (REMSIM_IS_VICC_SINK (self), 0);
	return self->port;
}

gboolean
remsim_vicc_sink_is_connected (RemsimViccSink *self)
{
	g_return_val_if_fail (REMSIM_IS_VICC_SINK (self), FALSE);
	return self->vc.conn != NULL;
}

static void
remsim_vicc_sink_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (object);

	if (remsim_plugin_instance_props_get_property (&self->props, PROP_INSTANCE, prop_id, value))
		return;
	switch (prop_id) {
	case PROP_PORT:
		g_value_set_uint (value, self->port);
		break;
	case PROP_CONNECTED:
		g_value_set_boolean (value, self->vc.conn != NULL);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
remsim_vicc_sink_set_property (GObject *object,
			       guint prop_id,
			       const GValue *value,
			       GParamSpec *pspec)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (object);

	if (!remsim_plugin_instance_props_set_property (
		&self->props, PROP_INSTANCE, prop_id, value))
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
remsim_vicc_sink_dispose (GObject *object)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (object);

	self->started = FALSE;
	remsim_vicc_sink_close (self, "closed");
	g_clear_object (&self->client);
	G_OBJECT_CLASS (remsim_vicc_sink_parent_class)->dispose (object);
}

static void
remsim_vicc_sink_finalize (GObject *object)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (object);

	g_queue_clear_full (&self->requests, (GDestroyNotify)g_bytes_unref);
	g_clear_pointer (&self->command, g_bytes_unref);
	remsim_plugin_instance_props_clear (&self->props);
	g_free (self->name);
	g_free (self->host);
	remsim_vicc_conn_clear (&self->vc);
	g_free (self->bounce_reason);
	g_byte_array_unref (self->tx);
	g_clear_pointer (&self->atr, g_bytes_unref);
	g_clear_pointer (&self->context, g_main_context_unref);
	G_OBJECT_CLASS (remsim_vicc_sink_parent_class)->finalize (object);
}

static void
remsim_vicc_sink_class_init (RemsimViccSinkClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->get_property = remsim_vicc_sink_get_property;
	object_class->set_property = remsim_vicc_sink_set_property;
	object_class->dispose = remsim_vicc_sink_dispose;
	object_class->finalize = remsim_vicc_sink_finalize;

	remsim_plugin_install_instance_properties (object_class, PROP_INSTANCE);
	/**
	 * RemsimViccSink:port:
	 * The TCP port of the vpcd connected to, or listened on (the bound one
	 * if configured as 0, once a card was shown).
	 */
	remsim_vicc_sink_props[PROP_PORT] = g_param_spec_uint (
	    "port", NULL, NULL, 0, G_MAXUINT16, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	/**
	 * RemsimViccSink:connected:
	 * Whether a vpcd is connected, i.e. the card is shown.
	 */
	remsim_vicc_sink_props[PROP_CONNECTED] = g_param_spec_boolean (
	    "connected",
	    NULL,
	    NULL,
	    FALSE,
	    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
	g_object_class_install_property (
	    object_class, PROP_PORT, remsim_vicc_sink_props[PROP_PORT]);
	g_object_class_install_property (
	    object_class, PROP_CONNECTED, remsim_vicc_sink_props[PROP_CONNECTED]);
}

static void
remsim_vicc_sink_init (RemsimViccSink *self)
{
	static const guint8 default_atr[] = {0x3b, 0x00};

	self->timeout_ms = REMSIM_VICC_SINK_DEFAULT_TIMEOUT_MS;
	self->reconnect_ms = REMSIM_VICC_SINK_DEFAULT_RECONNECT_MS;
	self->backoff_ms = self->reconnect_ms;
	self->atr = g_bytes_new_static (default_atr, sizeof (default_atr));
	remsim_vicc_conn_init (&self->vc,
			       G_OBJECT (self),
			       &remsim_vicc_sink_conn_funcs,
			       "vpcd",
			       REMSIM_VICC_SINK_RX_INITIAL);
	self->tx = g_byte_array_sized_new (64);
	self->status = remsim_vicc_sink_status_absent;
	g_queue_init (&self->requests);
}
