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

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

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

typedef struct {
	RemsimViccSink *self; /* only touched when not cancelled */
	GBytes *wire;
} RemsimViccSinkWrite;

struct _RemsimViccSink {
	GObject parent_instance;

	GKeyFile *config;
	gchar *group;
	guint slot;
	gchar *name; /* "[sink:x] slot 3", for messages */

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
	GSocketConnection *conn;
	GCancellable *conn_cancellable;
	gchar *peer;
	guint serial; /* bumped whenever a connection ends */
	guint8 *rx;
	gsize rx_len;
	gsize rx_cap;
	GByteArray *tx; /* framed replies not yet handed to a write */
	gboolean writing;
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
	PROP_CONFIG,
	PROP_GROUP,
	PROP_SLOT,
	PROP_PORT,
	PROP_CONNECTED,
	PROP_LAST,
};

static GParamSpec *remsim_vicc_sink_props[PROP_LAST] = {NULL};

static void remsim_vicc_sink_process (RemsimViccSink *self);
static void remsim_vicc_sink_open (RemsimViccSink *self);
static void remsim_vicc_sink_drop (RemsimViccSink *self, const gchar *reason, gboolean reconnect);

static const RemsimCardSinkStatus remsim_vicc_sink_status_absent = {
    REMSIM_TRISTATE_UNKNOWN, REMSIM_TRISTATE_UNKNOWN, REMSIM_TRISTATE_UNKNOWN, REMSIM_TRISTATE_OFF};

/* helpers ---------------------------------------------------------------- */

static void
remsim_vicc_sink_clear_source (GSource **source)
{
	if (*source == NULL)
		return;
	g_source_destroy (*source);
	g_clear_pointer (source, g_source_unref);
}

static GSource *
remsim_vicc_sink_timeout_add (RemsimViccSink *self, guint ms, GSourceFunc func)
{
	GSource *source = g_timeout_source_new (ms);

	g_source_set_callback (source, func, self, NULL);
	g_source_attach (source, self->context);
	return source;
}

static gchar *
remsim_vicc_sink_describe_peer (GSocketConnection *conn)
{
	g_autoptr (GSocketAddress) addr = g_socket_connection_get_remote_address (conn, NULL);

	if (G_IS_INET_SOCKET_ADDRESS (addr)) {
		GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (addr);
		g_autofree gchar *ip =
		    g_inet_address_to_string (g_inet_socket_address_get_address (inet));

		return g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (inet));
	}
	return g_strdup ("(unknown)");
}

/* writing --------------------------------------------------------------- */

static void remsim_vicc_sink_flush (RemsimViccSink *self);

static void
remsim_vicc_sink_write_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimViccSinkWrite *w = user_data;
	RemsimViccSink *self = w->self;
	g_autoptr (GError) error = NULL;

	g_bytes_unref (w->wire);
	g_free (w);
	if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), res, NULL, &error)) {
		g_autofree gchar *reason = NULL;

		if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return; /* the connection (or the sink) is gone */
		reason = g_strdup_printf ("write failed: %s", error->message);
		remsim_vicc_sink_drop (self, reason, TRUE);
		return;
	}
	self->writing = FALSE;
	remsim_vicc_sink_flush (self);
}

/* hand everything queued to one write; when all is written and a bounce is
 * due, end the connection (and come back) */
static void
remsim_vicc_sink_flush (RemsimViccSink *self)
{
	RemsimViccSinkWrite *w;

	if (self->conn == NULL || self->writing)
		return;
	if (self->tx->len == 0) {
		if (self->bounce_reason != NULL) {
			g_autofree gchar *reason = g_steal_pointer (&self->bounce_reason);

			remsim_vicc_sink_drop (self, reason, TRUE);
		}
		return;
	}
	w = g_new0 (RemsimViccSinkWrite, 1);
	w->self = self;
	w->wire = g_byte_array_free_to_bytes (self->tx);
	self->tx = g_byte_array_sized_new (64);
	self->writing = TRUE;
	g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (self->conn)),
					 g_bytes_get_data (w->wire, NULL),
					 g_bytes_get_size (w->wire),
					 G_PRIORITY_DEFAULT,
					 self->conn_cancellable,
					 remsim_vicc_sink_write_cb,
					 w);
}

static void
remsim_vicc_sink_reply (RemsimViccSink *self, const guint8 *payload, gsize len)
{
	if (self->conn == NULL)
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
	remsim_vicc_sink_clear_source (&self->timeout_source);
	self->timeout_source =
	    remsim_vicc_sink_timeout_add (self, self->timeout_ms, remsim_vicc_sink_timeout_cb);
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
	guint serial = self->serial;

	if (self->processing)
		return;
	self->processing = TRUE;
	while (self->conn != NULL && self->serial == serial && self->command == NULL &&
	       self->bounce_reason == NULL) {
		g_autoptr (GBytes) req = g_queue_pop_head (&self->requests);

		if (req == NULL)
			break;
		remsim_vicc_sink_handle_request (self, req);
	}
	self->processing = FALSE;
}

/* reading --------------------------------------------------------------- */

static void remsim_vicc_sink_read (RemsimViccSink *self);

static void
remsim_vicc_sink_read_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimViccSink *self;
	g_autoptr (RemsimViccSink) keep = NULL;
	g_autoptr (GError) error = NULL;
	gssize n;
	guint serial;
	gsize off = 0;

	n = g_input_stream_read_finish (G_INPUT_STREAM (source), res, &error);
	if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return; /* the connection (or the sink) is gone */
	self = REMSIM_VICC_SINK (user_data);
	keep = g_object_ref (self);
	if (n < 0) {
		g_autofree gchar *reason = g_strdup_printf ("read failed: %s", error->message);

		remsim_vicc_sink_drop (self, reason, TRUE);
		return;
	}
	if (n == 0) {
		remsim_vicc_sink_drop (self, "the vpcd closed the connection", TRUE);
		return;
	}
#ifdef TCP_QUICKACK
	/* vpcd writes length and payload separately with Nagle on: an ACK
	 * held back would stall its second write for ~40 ms */
	(void)g_socket_set_option (
	    g_socket_connection_get_socket (self->conn), IPPROTO_TCP, TCP_QUICKACK, 1, NULL);
#endif
	self->rx_len += (gsize)n;
	for (;;) {
		gsize payload_len = 0;
		gsize frame =
		    remsim_vicc_frame_peek (self->rx + off, self->rx_len - off, &payload_len);

		if (frame == 0) {
			/* make room for the whole message */
			if (self->rx_len - off >= REMSIM_VICC_HEADER_SIZE &&
			    REMSIM_VICC_HEADER_SIZE + payload_len > self->rx_cap) {
				self->rx_cap = REMSIM_VICC_HEADER_SIZE + payload_len;
				self->rx = g_realloc (self->rx, self->rx_cap);
			}
			break;
		}
		g_queue_push_tail (
		    &self->requests,
		    g_bytes_new (self->rx + off + REMSIM_VICC_HEADER_SIZE, payload_len));
		off += frame;
	}
	if (off > 0) {
		memmove (self->rx, self->rx + off, self->rx_len - off);
		self->rx_len -= off;
	}
	serial = self->serial;
	remsim_vicc_sink_process (self);
	if (self->serial != serial || self->conn == NULL)
		return; /* the connection ended */
	remsim_vicc_sink_read (self);
}

static void
remsim_vicc_sink_read (RemsimViccSink *self)
{
	if (self->rx_len == self->rx_cap) {
		self->rx_cap *= 2;
		self->rx = g_realloc (self->rx, self->rx_cap);
	}
	g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (self->conn)),
				   self->rx + self->rx_len,
				   self->rx_cap - self->rx_len,
				   G_PRIORITY_DEFAULT,
				   self->conn_cancellable,
				   remsim_vicc_sink_read_cb,
				   self);
}

/* connections ----------------------------------------------------------- */

static void
remsim_vicc_sink_attach (RemsimViccSink *self, GSocketConnection *conn)
{
	GSocket *sock = g_socket_connection_get_socket (conn);
	g_autoptr (GError) error = NULL;

	if (!g_socket_set_option (sock, IPPROTO_TCP, TCP_NODELAY, 1, &error))
		g_debug ("%s: cannot set TCP_NODELAY: %s", self->name, error->message);
	g_socket_set_keepalive (sock, TRUE);
	self->conn = g_object_ref (conn);
	self->conn_cancellable = g_cancellable_new ();
	g_free (self->peer);
	self->peer = remsim_vicc_sink_describe_peer (conn);
	self->connect_failed_logged = FALSE;
	self->backoff_ms = self->reconnect_ms;
	self->rx_len = 0;
	self->status = remsim_vicc_sink_status_absent;
	self->status.card = REMSIM_TRISTATE_ON;
	g_message ("%s: card shown to the vpcd (%s)", self->name, self->peer);
	remsim_vicc_sink_read (self);
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
	    remsim_vicc_sink_timeout_add (self, ms, remsim_vicc_sink_reconnect_cb);
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
	g_autoptr (GSocketConnection) conn = g_steal_pointer (&self->conn);

	if (conn == NULL)
		return;
	g_message ("%s: disconnected from the vpcd %s: %s", self->name, self->peer, reason);
	self->serial++;
	g_cancellable_cancel (self->conn_cancellable);
	g_clear_object (&self->conn_cancellable);
	if (!g_io_stream_close (G_IO_STREAM (conn), NULL, NULL))
		g_debug ("%s: closing the connection failed", self->name);
	self->writing = FALSE;
	g_byte_array_set_size (self->tx, 0);
	g_clear_pointer (&self->bounce_reason, g_free);
	self->rx_len = 0;
	g_queue_clear_full (&self->requests, (GDestroyNotify)g_bytes_unref);
	remsim_vicc_sink_clear_source (&self->timeout_source);
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
	g_autofree gchar *peer = remsim_vicc_sink_describe_peer (conn);

	if (self->conn != NULL) {
		g_warning ("%s: refusing a second vpcd (%s): %s is connected",
			   self->name,
			   peer,
			   self->peer);
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
remsim_vicc_sink_listen_stop (RemsimViccSink *self)
{
	if (self->service == NULL)
		return;
	g_signal_handlers_disconnect_by_data (self->service, self);
	g_socket_service_stop (self->service);
	g_socket_listener_close (G_SOCKET_LISTENER (self->service));
	g_clear_object (&self->service);
}

static void
remsim_vicc_sink_listen_start (RemsimViccSink *self)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GSocketService) service = g_socket_service_new ();
	GSocketListener *listener = G_SOCKET_LISTENER (service);
	guint16 port = 0;

	if (self->service != NULL)
		return;
	if (self->host == NULL && self->port != 0) {
		if (g_socket_listener_add_inet_port (listener, self->port, NULL, &error))
			port = self->port;
	} else if (self->host == NULL) {
		port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
	} else {
		g_autoptr (GInetAddress) ip = g_inet_address_new_from_string (self->host);
		g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (ip, self->port);
		g_autoptr (GSocketAddress) bound = NULL;

		if (g_socket_listener_add_address (listener,
						   addr,
						   G_SOCKET_TYPE_STREAM,
						   G_SOCKET_PROTOCOL_TCP,
						   NULL,
						   &bound,
						   &error))
			port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
	}
	if (error != NULL) {
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
	if (!self->started || !self->present || self->conn != NULL)
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
	remsim_vicc_sink_clear_source (&self->reconnect_source);
	remsim_vicc_sink_listen_stop (self);
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
	if (self->conn != NULL && self->bounce_reason == NULL) {
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
		remsim_vicc_sink_clear_source (&self->timeout_source);
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
remsim_vicc_sink_get_uint_key (
    RemsimViccSink *self, const gchar *key, guint min, guint max, guint *value, GError **error)
{
	g_autofree gchar *str = g_key_file_get_value (self->config, self->group, key, NULL);
	guint64 v = 0;

	if (str == NULL)
		return TRUE;
	g_strstrip (str);
	if (!g_ascii_string_to_unsigned (str, 10, min, max, &v, NULL)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "key '%s': expected a number in %u..%u, got \"%s\"",
			     key,
			     min,
			     max,
			     str);
		return FALSE;
	}
	*value = (guint)v;
	return TRUE;
}

/* the port of this slot: the configured one plus the slot's distance from
 * the lowest slot of the group (0 stays 0: any free port, listen only) */
static gboolean
remsim_vicc_sink_slot_port (RemsimViccSink *self, guint16 base, GError **error)
{
	g_autofree gchar *slots = g_key_file_get_value (self->config, self->group, "slots", NULL);
	guint lowest = 0;
	guint64 port;

	if (base == 0) {
		self->port = 0;
		return TRUE;
	}
	if (slots != NULL && !remsim_vicc_slots_lowest (slots, &lowest)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "key 'slots': expected slot numbers and ranges like 0-7;9, got \"%s\"",
			     slots);
		return FALSE;
	}
	if (self->slot < lowest)
		lowest = self->slot;
	port = (guint64)base + (self->slot - lowest);
	if (port > G_MAXUINT16) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "port %u + slot offset %u is beyond 65535",
			     base,
			     self->slot - lowest);
		return FALSE;
	}
	self->port = (guint16)port;
	return TRUE;
}

static gboolean
remsim_vicc_sink_parse_address (RemsimViccSink *self,
				const gchar *key,
				const gchar *value,
				GError **error)
{
	g_autofree gchar *host = NULL;
	g_autoptr (GError) error_local = NULL;
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
	} else if (!remsim_config_parse_hostport (
		       value, REMSIM_VICC_DEFAULT_PORT, &host, &port, &error_local)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "key '%s': %s",
			     key,
			     error_local->message);
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
		g_autoptr (GInetAddress) addr = NULL;

		if (g_strcmp0 (host, "localhost") == 0) {
			g_free (host);
			host = g_strdup ("127.0.0.1");
		}
		addr = g_inet_address_new_from_string (host);
		if (addr == NULL) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "key '%s': expected an IP address, '*' or 'localhost' "
				     "before the port, got \"%s\"",
				     key,
				     value);
			return FALSE;
		}
	}
	self->host = g_steal_pointer (&host);
	return remsim_vicc_sink_slot_port (self, port, error);
}

static gboolean
remsim_vicc_sink_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (initable);
	static const gchar *const known_keys[] = {
	    "listen", "connect", "timeout-ms", "reconnect-interval-ms", NULL};
	g_autofree gchar *listen = NULL;
	g_autofree gchar *connect = NULL;

	if (self->config == NULL || self->group == NULL) {
		g_set_error_literal (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "construct properties 'config' and 'group' are required");
		return FALSE;
	}
	if (self->name != NULL)
		return TRUE;
	self->name = g_strdup_printf ("[%s] slot %u", self->group, self->slot);
	if (!remsim_plugin_check_keys (self->config, self->group, known_keys, error))
		return FALSE;
	if (!remsim_vicc_sink_get_uint_key (
		self, "timeout-ms", 1, 3600000, &self->timeout_ms, error))
		return FALSE;
	if (!remsim_vicc_sink_get_uint_key (
		self, "reconnect-interval-ms", 1, 3600000, &self->reconnect_ms, error))
		return FALSE;
	self->backoff_ms = self->reconnect_ms;

	listen = g_key_file_get_value (self->config, self->group, "listen", NULL);
	connect = g_key_file_get_value (self->config, self->group, "connect", NULL);
	if (listen != NULL && connect != NULL) {
		g_set_error_literal (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "keys 'listen' and 'connect': expected one of them, not both");
		return FALSE;
	}
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
	return self->conn != NULL;
}

static void
remsim_vicc_sink_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	RemsimViccSink *self = REMSIM_VICC_SINK (object);

	switch (prop_id) {
	case PROP_CONFIG:
		g_value_set_boxed (value, self->config);
		break;
	case PROP_GROUP:
		g_value_set_string (value, self->group);
		break;
	case PROP_SLOT:
		g_value_set_uint (value, self->slot);
		break;
	case PROP_PORT:
		g_value_set_uint (value, self->port);
		break;
	case PROP_CONNECTED:
		g_value_set_boolean (value, self->conn != NULL);
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

	switch (prop_id) {
	case PROP_CONFIG:
		self->config = g_value_dup_boxed (value);
		break;
	case PROP_GROUP:
		self->group = g_value_dup_string (value);
		break;
	case PROP_SLOT:
		self->slot = g_value_get_uint (value);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
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
	g_clear_pointer (&self->config, g_key_file_unref);
	g_free (self->group);
	g_free (self->name);
	g_free (self->host);
	g_free (self->peer);
	g_free (self->rx);
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

	g_object_class_override_property (object_class, PROP_CONFIG, "config");
	g_object_class_override_property (object_class, PROP_GROUP, "group");
	g_object_class_override_property (object_class, PROP_SLOT, "slot");
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
	self->rx_cap = REMSIM_VICC_SINK_RX_INITIAL;
	self->rx = g_malloc (self->rx_cap);
	self->tx = g_byte_array_sized_new (64);
	self->status = remsim_vicc_sink_status_absent;
	g_queue_init (&self->requests);
}
