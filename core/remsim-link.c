/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "remsim-error.h"
#include "remsim-ipa.h"
#include "remsim-link.h"

/* what one read asks for; many frames fit in it */
#define REMSIM_LINK_READ_SIZE 4096

/* a peer that sends (e.g. PINGs) but never reads must not make us queue
 * answers without bound: past this backlog the link closes. Each frame
 * counts with a rough per-frame overhead, as tiny frames cost more in
 * GBytes and queue nodes than in payload. */
#define REMSIM_LINK_MAX_BACKLOG	   (16 * 1024 * 1024)
#define REMSIM_LINK_FRAME_OVERHEAD 64

/* unit data we report when a peer asks with ID_GET (upstream sends the same) */
#define REMSIM_LINK_UNIT_NAME "00-00-00-00-00-00"
#define REMSIM_LINK_UNIT_ID   "0/0/0"

struct _RemsimLink {
	GObject parent_instance;

	RemsimLinkRole role;
	gchar *name;
	GMainContext *context;
	GCancellable *cancellable;

	GIOStream *stream;
	GPollableInputStream *input;
	GPollableOutputStream *output;
	GSocket *socket; /* owned by stream; NULL if it is not a socket connection */
	GInetSocketAddress *remote;
	GInetSocketAddress *local;

	gboolean started;
	gboolean closed;

	/* reading */
	RemsimIpaParser *parser;
	GSource *read_source;
	gboolean in_read;     /* inside remsim_link_read_cb */
	gboolean read_paused; /* a nested main loop stopped the read source */
	guint8 rbuf[REMSIM_LINK_READ_SIZE];

	/* writing: queued frames, the head partly written if head_off > 0 */
	GQueue out_queue;
	gsize out_backlog; /* queued bytes plus overhead, see REMSIM_LINK_MAX_BACKLOG */
	gsize head_off;
	GSource *write_source;

	/* a close requested from a context where emitting is not wanted */
	GSource *close_source;
	gchar *close_reason;

	/* keepalive */
	guint ka_interval_ms;
	guint ka_timeout_ms;
	GSource *ka_source;
	gboolean ka_waiting_pong;
};

G_DEFINE_FINAL_TYPE (RemsimLink, remsim_link, G_TYPE_OBJECT)

enum {
	SIGNAL_MESSAGE,
	SIGNAL_CLOSED,
	SIGNAL_LAST,
};

static guint signals[SIGNAL_LAST] = {0};

static void remsim_link_ka_arm (RemsimLink *self, guint ms, gboolean waiting_pong);

static void
remsim_link_clear_source (GSource **source)
{
	if (*source == NULL)
		return;
	g_source_destroy (*source);
	g_clear_pointer (source, g_source_unref);
}

static GSource *
remsim_link_attach (RemsimLink *self, GSource *source, GSourceFunc func)
{
	g_source_set_callback (source, func, self, NULL);
	g_source_attach (source, self->context);
	return source;
}

/* drop everything that touches the stream; emits nothing */
static void
remsim_link_teardown (RemsimLink *self)
{
	g_cancellable_cancel (self->cancellable);
	remsim_link_clear_source (&self->read_source);
	remsim_link_clear_source (&self->write_source);
	remsim_link_clear_source (&self->ka_source);
	remsim_link_clear_source (&self->close_source);
	g_queue_clear_full (&self->out_queue, (GDestroyNotify)g_bytes_unref);
	self->out_backlog = 0;
	self->head_off = 0;
	if (self->stream != NULL) {
		/* for sockets this completes at once and never blocks */
		g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
		self->input = NULL;
		self->output = NULL;
		self->socket = NULL;
		g_clear_object (&self->stream);
	}
}

/* write as much of the queue as the socket takes now; FALSE on a hard error */
static gboolean
remsim_link_flush (RemsimLink *self, GError **error)
{
	while (!g_queue_is_empty (&self->out_queue)) {
		GBytes *head = g_queue_peek_head (&self->out_queue);
		gsize len = 0;
		const guint8 *data = g_bytes_get_data (head, &len);
		gssize n;
		g_autoptr (GError) error_local = NULL;

		n = g_pollable_output_stream_write_nonblocking (
		    self->output, data + self->head_off, len - self->head_off, NULL, &error_local);
		if (n < 0) {
			if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
				return TRUE;
			g_propagate_error (error, g_steal_pointer (&error_local));
			return FALSE;
		}
		self->head_off += n;
		if (self->head_off < len)
			continue;
		self->head_off = 0;
		self->out_backlog -= len + REMSIM_LINK_FRAME_OVERHEAD;
		g_bytes_unref (g_queue_pop_head (&self->out_queue));
	}
	return TRUE;
}

static gboolean
remsim_link_close_idle_cb (gpointer user_data)
{
	RemsimLink *self = REMSIM_LINK (user_data);
	g_autofree gchar *reason = g_steal_pointer (&self->close_reason);

	g_clear_pointer (&self->close_source, g_source_unref);
	g_message ("%s: closing: %s", self->name, reason);
	remsim_link_close (self, reason);
	return G_SOURCE_REMOVE;
}

/* close from the next main loop iteration, so a caller of send() never sees
 * "closed" emitted under its feet */
static void
remsim_link_close_later (RemsimLink *self, const gchar *reason)
{
	if (self->closed || self->close_source != NULL)
		return;
	self->close_reason = g_strdup (reason);
	self->close_source =
	    remsim_link_attach (self, g_idle_source_new (), remsim_link_close_idle_cb);
}

static gboolean
remsim_link_write_cb (GObject *stream, gpointer user_data)
{
	RemsimLink *self = REMSIM_LINK (user_data);
	g_autoptr (GError) error = NULL;

	if (!remsim_link_flush (self, &error)) {
		remsim_link_clear_source (&self->write_source);
		remsim_link_close_later (self, error->message);
		return G_SOURCE_REMOVE;
	}
	if (!g_queue_is_empty (&self->out_queue))
		return G_SOURCE_CONTINUE;
	g_clear_pointer (&self->write_source, g_source_unref);
	return G_SOURCE_REMOVE;
}

static void
remsim_link_kick_writer (RemsimLink *self)
{
	g_autoptr (GError) error = NULL;

	if (self->write_source != NULL || self->close_source != NULL)
		return;
	if (!remsim_link_flush (self, &error)) {
		remsim_link_close_later (self, error->message);
		return;
	}
	if (g_queue_is_empty (&self->out_queue))
		return;
	self->write_source = remsim_link_attach (
	    self,
	    g_pollable_output_stream_create_source (self->output, self->cancellable),
	    G_SOURCE_FUNC (remsim_link_write_cb));
}

/* takes @frame */
static void
remsim_link_queue (RemsimLink *self, GBytes *frame)
{
	gsize cost = g_bytes_get_size (frame) + REMSIM_LINK_FRAME_OVERHEAD;

	if (self->closed || self->stream == NULL) {
		g_bytes_unref (frame);
		return;
	}
	if (self->out_backlog + cost > REMSIM_LINK_MAX_BACKLOG) {
		g_autofree gchar *reason = g_strdup_printf (
		    "peer does not read: %" G_GSIZE_FORMAT " bytes queued", self->out_backlog);

		g_bytes_unref (frame);
		remsim_link_close_later (self, reason);
		return;
	}
	self->out_backlog += cost;
	g_queue_push_tail (&self->out_queue, frame);
	/* before start() frames wait for it */
	if (self->started)
		remsim_link_kick_writer (self);
}

/* close on an error found by the link itself */
static void
remsim_link_fail (RemsimLink *self, const gchar *reason)
{
	if (self->closed)
		return;
	g_message ("%s: closing: %s", self->name, reason);
	remsim_link_close (self, reason);
}

static void
remsim_link_handle_ccm (RemsimLink *self, const guint8 *payload, gsize len)
{
	guint8 type;

	if (len == 0) {
		if (self->role == REMSIM_LINK_ROLE_SERVER)
			remsim_link_fail (self, "empty IPA CCM message");
		else
			g_debug ("%s: ignoring empty IPA CCM message", self->name);
		return;
	}
	type = payload[0];
	switch (type) {
	case REMSIM_IPA_CCM_PING:
		remsim_link_queue (self, remsim_ipa_frame_ccm (REMSIM_IPA_CCM_PONG));
		return;
	case REMSIM_IPA_CCM_PONG:
		if (self->ka_waiting_pong)
			remsim_link_ka_arm (self, self->ka_interval_ms, FALSE);
		else
			g_debug ("%s: ignoring unexpected PONG", self->name);
		return;
	case REMSIM_IPA_CCM_ID_ACK:
		if (self->role == REMSIM_LINK_ROLE_INITIATOR)
			return;
		remsim_link_queue (self, remsim_ipa_frame_ccm (REMSIM_IPA_CCM_ID_ACK));
		return;
	case REMSIM_IPA_CCM_ID_GET:
		if (self->role == REMSIM_LINK_ROLE_INITIATOR) {
			remsim_link_queue (
			    self,
			    remsim_ipa_frame_id_resp (
				payload + 1, len - 1, REMSIM_LINK_UNIT_NAME, REMSIM_LINK_UNIT_ID));
			remsim_link_queue (self, remsim_ipa_frame_ccm (REMSIM_IPA_CCM_ID_ACK));
			return;
		}
		break;
	case REMSIM_IPA_CCM_ID_RESP:
		if (self->role == REMSIM_LINK_ROLE_SERVER) {
			g_autoptr (GError) error = NULL;
			g_autofree gchar *unit_id = NULL;
			g_autofree gchar *reason = NULL;

			if (!remsim_ipa_parse_id_resp (payload + 1, len - 1, &unit_id, &error)) {
				reason =
				    g_strdup_printf ("malformed IPA ID_RESP: %s", error->message);
				remsim_link_fail (self, reason);
			} else if (unit_id == NULL) {
				remsim_link_fail (self, "IPA ID_RESP without unit id");
			} else {
				g_debug ("%s: peer unit id %s", self->name, unit_id);
			}
			return;
		}
		break;
	default:
		break;
	}
	if (self->role == REMSIM_LINK_ROLE_SERVER) {
		g_autofree gchar *reason =
		    g_strdup_printf ("unexpected IPA CCM message type 0x%02x", type);
		remsim_link_fail (self, reason);
		return;
	}
	g_debug ("%s: ignoring IPA CCM message type 0x%02x", self->name, type);
}

static void
remsim_link_handle_frame (RemsimLink *self, const RemsimIpaFrame *frame)
{
	switch (frame->kind) {
	case REMSIM_IPA_FRAME_RSPRO: {
		g_autoptr (GError) error = NULL;
		g_autoptr (RemsimRsproMsg) msg = NULL;

		msg = remsim_rspro_decode (frame->payload, frame->payload_len, &error);
		if (msg == NULL) {
			g_autofree gchar *reason =
			    g_strdup_printf ("malformed RSPRO PDU: %s", error->message);
			remsim_link_fail (self, reason);
			return;
		}
		g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, msg);
		return;
	}
	case REMSIM_IPA_FRAME_CCM:
		remsim_link_handle_ccm (self, frame->payload, frame->payload_len);
		return;
	case REMSIM_IPA_FRAME_OTHER:
	default: {
		g_autofree gchar *reason = NULL;

		if (frame->stream == REMSIM_IPA_PROTO_OSMO)
			reason =
			    g_strdup_printf ("unknown IPA OSMO extension 0x%02x", frame->extension);
		else
			reason = g_strdup_printf ("unknown IPA stream 0x%02x", frame->stream);
		remsim_link_fail (self, reason);
		return;
	}
	}
}

static gboolean remsim_link_read_cb (GObject *stream, gpointer user_data);

static gboolean
remsim_link_socket_read_cb (GSocket *socket, GIOCondition condition, gpointer user_data)
{
	return remsim_link_read_cb (NULL, user_data);
}

static void
remsim_link_watch_input (RemsimLink *self)
{
	GSource *source;

	/* a plain socket source costs less per wakeup than the pollable stream
	 * source, which wraps it in a parent source */
	if (self->socket != NULL) {
		source = g_socket_create_source (self->socket, G_IO_IN, NULL);
		g_source_set_callback (
		    source, G_SOURCE_FUNC (remsim_link_socket_read_cb), self, NULL);
	} else {
		source = g_pollable_input_stream_create_source (self->input, NULL);
		g_source_set_callback (source, G_SOURCE_FUNC (remsim_link_read_cb), self, NULL);
	}
	/* GLib removes and re-adds the fd of a source that cannot recurse around
	 * each dispatch (two wakeup writes per read); read_cb guards itself */
	g_source_set_can_recurse (source, TRUE);
	g_source_attach (source, self->context);
	self->read_source = source;
}

static gboolean
remsim_link_read_cb (GObject *stream, gpointer user_data)
{
	/* a handler may drop the last outside reference while we emit */
	g_autoptr (RemsimLink) self = g_object_ref (REMSIM_LINK (user_data));
	g_autoptr (GError) error = NULL;
	gssize n;

	n = g_pollable_input_stream_read_nonblocking (
	    self->input, self->rbuf, sizeof (self->rbuf), NULL, &error);
	if (n < 0) {
		if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
			return G_SOURCE_CONTINUE;
		remsim_link_fail (self, error->message);
		return G_SOURCE_REMOVE;
	}
	if (n == 0) {
		remsim_link_fail (self, "peer closed the connection");
		return G_SOURCE_REMOVE;
	}

	self->in_read = TRUE;
	remsim_ipa_parser_feed (self->parser, self->rbuf, n);
	while (!self->closed) {
		RemsimIpaFrame frame;
		g_autoptr (GError) error_frame = NULL;

		if (!remsim_ipa_parser_next (self->parser, &frame, &error_frame)) {
			if (error_frame != NULL)
				remsim_link_fail (self, error_frame->message);
			break;
		}
		remsim_link_handle_frame (self, &frame);
	}
	self->in_read = FALSE;
	if (self->closed)
		return G_SOURCE_REMOVE;
	if (self->read_paused) {
		self->read_paused = FALSE;
		remsim_link_watch_input (self);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
remsim_link_ka_cb (gpointer user_data)
{
	RemsimLink *self = REMSIM_LINK (user_data);

	g_clear_pointer (&self->ka_source, g_source_unref);
	if (self->ka_waiting_pong) {
		g_autoptr (RemsimLink) keep = g_object_ref (self);

		remsim_link_fail (self, "keepalive timeout");
		return G_SOURCE_REMOVE;
	}
	remsim_link_queue (self, remsim_ipa_frame_ccm (REMSIM_IPA_CCM_PING));
	remsim_link_ka_arm (self, self->ka_timeout_ms, TRUE);
	return G_SOURCE_REMOVE;
}

static void
remsim_link_ka_arm (RemsimLink *self, guint ms, gboolean waiting_pong)
{
	remsim_link_clear_source (&self->ka_source);
	self->ka_waiting_pong = waiting_pong;
	self->ka_source = remsim_link_attach (self, g_timeout_source_new (ms), remsim_link_ka_cb);
}

RemsimLink *
remsim_link_new (GIOStream *stream, RemsimLinkRole role)
{
	RemsimLink *self;

	g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);

	self = g_object_new (REMSIM_TYPE_LINK, NULL);
	self->role = role;
	if (role == REMSIM_LINK_ROLE_BANKD)
		self->ka_interval_ms = 0;
	self->stream = g_object_ref (stream);

	if (G_IS_SOCKET_CONNECTION (stream)) {
		GSocketConnection *conn = G_SOCKET_CONNECTION (stream);
		GSocket *socket = g_socket_connection_get_socket (conn);

		self->socket = socket;
		g_autoptr (GSocketAddress) remote = NULL;
		g_autoptr (GSocketAddress) local = NULL;

		remote = g_socket_connection_get_remote_address (conn, NULL);
		local = g_socket_connection_get_local_address (conn, NULL);
		if (G_IS_INET_SOCKET_ADDRESS (remote))
			self->remote = G_INET_SOCKET_ADDRESS (g_steal_pointer (&remote));
		if (G_IS_INET_SOCKET_ADDRESS (local))
			self->local = G_INET_SOCKET_ADDRESS (g_steal_pointer (&local));
		if (self->remote != NULL &&
		    g_socket_get_protocol (socket) == G_SOCKET_PROTOCOL_TCP) {
			g_autoptr (GError) error = NULL;

			if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, &error))
				g_warning ("cannot set TCP_NODELAY: %s", error->message);
		}
	}
	if (self->remote != NULL) {
		g_autofree gchar *addr =
		    g_inet_address_to_string (g_inet_socket_address_get_address (self->remote));

		self->name =
		    g_strdup_printf ("%s:%u", addr, g_inet_socket_address_get_port (self->remote));
	} else {
		self->name = g_strdup_printf ("link-%p", (gpointer)self);
	}
	return self;
}

void
remsim_link_set_keepalive (RemsimLink *self, guint interval_ms, guint timeout_ms)
{
	g_return_if_fail (REMSIM_IS_LINK (self));
	g_return_if_fail (!self->started);

	self->ka_interval_ms = interval_ms;
	self->ka_timeout_ms =
	    timeout_ms > 0 ? timeout_ms : REMSIM_LINK_DEFAULT_KEEPALIVE_TIMEOUT_MS;
}

void
remsim_link_set_name (RemsimLink *self, const gchar *name)
{
	g_return_if_fail (REMSIM_IS_LINK (self));
	g_return_if_fail (name != NULL);

	g_free (self->name);
	self->name = g_strdup (name);
}

const gchar *
remsim_link_get_name (RemsimLink *self)
{
	g_return_val_if_fail (REMSIM_IS_LINK (self), NULL);
	return self->name;
}

void
remsim_link_start (RemsimLink *self)
{
	GInputStream *in;
	GOutputStream *out;

	g_return_if_fail (REMSIM_IS_LINK (self));

	if (self->started || self->closed)
		return;
	self->started = TRUE;

	in = g_io_stream_get_input_stream (self->stream);
	out = g_io_stream_get_output_stream (self->stream);
	if (!G_IS_POLLABLE_INPUT_STREAM (in) ||
	    !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (in)) ||
	    !G_IS_POLLABLE_OUTPUT_STREAM (out) ||
	    !g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (out))) {
		remsim_link_close_later (self, "stream is not pollable");
		return;
	}
	self->input = G_POLLABLE_INPUT_STREAM (in);
	self->output = G_POLLABLE_OUTPUT_STREAM (out);

	remsim_link_watch_input (self);

	if (self->ka_interval_ms > 0) {
		/* the PING goes first, ahead of anything queued before start() */
		GBytes *ping = remsim_ipa_frame_ccm (REMSIM_IPA_CCM_PING);

		self->out_backlog += g_bytes_get_size (ping) + REMSIM_LINK_FRAME_OVERHEAD;
		g_queue_push_head (&self->out_queue, ping);
		remsim_link_ka_arm (self, self->ka_timeout_ms, TRUE);
	}
	remsim_link_kick_writer (self);
}

gboolean
remsim_link_send (RemsimLink *self, const RemsimRsproMsg *msg, GError **error)
{
	g_autoptr (GBytes) pdu = NULL;
	GBytes *frame;
	gsize len = 0;
	const guint8 *data;

	g_return_val_if_fail (REMSIM_IS_LINK (self), FALSE);
	g_return_val_if_fail (msg != NULL, FALSE);

	if (self->closed) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_PEER_CLOSED,
			     "%s: link is closed",
			     self->name);
		return FALSE;
	}
	pdu = remsim_rspro_encode (msg, error);
	if (pdu == NULL)
		return FALSE;
	data = g_bytes_get_data (pdu, &len);
	frame = remsim_ipa_frame_rspro (data, len);
	if (frame == NULL) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "RSPRO PDU of %" G_GSIZE_FORMAT " bytes does not fit an IPA frame",
			     len);
		return FALSE;
	}
	remsim_link_queue (self, frame);
	return TRUE;
}

void
remsim_link_send_raw (RemsimLink *self, GBytes *bytes)
{
	g_return_if_fail (REMSIM_IS_LINK (self));
	g_return_if_fail (bytes != NULL);

	remsim_link_queue (self, g_bytes_ref (bytes));
}

void
remsim_link_close (RemsimLink *self, const gchar *reason)
{
	g_autoptr (RemsimLink) keep = NULL;

	g_return_if_fail (REMSIM_IS_LINK (self));

	if (self->closed)
		return;
	if (reason == NULL)
		reason = "closed";
	keep = g_object_ref (self);
	self->closed = TRUE;
	g_debug ("%s: closed: %s", self->name, reason);

	/* best effort: what the socket takes now still goes out (e.g. an error
	 * response sent just before closing) */
	if (self->output != NULL && !g_queue_is_empty (&self->out_queue))
		(void)remsim_link_flush (self, NULL);
	remsim_link_teardown (self);
	g_signal_emit (self, signals[SIGNAL_CLOSED], 0, reason);
}

gboolean
remsim_link_is_closed (RemsimLink *self)
{
	g_return_val_if_fail (REMSIM_IS_LINK (self), TRUE);
	return self->closed;
}

GInetSocketAddress *
remsim_link_get_remote_address (RemsimLink *self)
{
	g_return_val_if_fail (REMSIM_IS_LINK (self), NULL);
	return self->remote;
}

GInetSocketAddress *
remsim_link_get_local_address (RemsimLink *self)
{
	g_return_val_if_fail (REMSIM_IS_LINK (self), NULL);
	return self->local;
}

GIOStream *
remsim_link_get_stream (RemsimLink *self)
{
	g_return_val_if_fail (REMSIM_IS_LINK (self), NULL);
	return self->stream;
}

static void
remsim_link_dispose (GObject *object)
{
	RemsimLink *self = REMSIM_LINK (object);

	/* no "closed" from a dying object: just let go of everything */
	self->closed = TRUE;
	remsim_link_teardown (self);
	g_clear_object (&self->remote);
	g_clear_object (&self->local);
	G_OBJECT_CLASS (remsim_link_parent_class)->dispose (object);
}

static void
remsim_link_finalize (GObject *object)
{
	RemsimLink *self = REMSIM_LINK (object);

	remsim_ipa_parser_free (self->parser);
	g_free (self->close_reason);
	g_free (self->name);
	g_clear_object (&self->cancellable);
	g_main_context_unref (self->context);
	G_OBJECT_CLASS (remsim_link_parent_class)->finalize (object);
}

static void
remsim_link_init (RemsimLink *self)
{
	self->context = g_main_context_ref_thread_default ();
	self->cancellable = g_cancellable_new ();
	self->parser = remsim_ipa_parser_new (REMSIM_LINK_DEFAULT_MAX_FRAME);
	self->ka_interval_ms = REMSIM_LINK_DEFAULT_KEEPALIVE_INTERVAL_MS;
	self->ka_timeout_ms = REMSIM_LINK_DEFAULT_KEEPALIVE_TIMEOUT_MS;
	g_queue_init (&self->out_queue);
}

static void
remsim_link_class_init (RemsimLinkClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->dispose = remsim_link_dispose;
	object_class->finalize = remsim_link_finalize;

	/* the message is only valid during the emission: copy it to keep it */
	signals[SIGNAL_MESSAGE] = g_signal_new ("message",
						G_TYPE_FROM_CLASS (klass),
						G_SIGNAL_RUN_LAST,
						0,
						NULL,
						NULL,
						g_cclosure_marshal_VOID__BOXED,
						G_TYPE_NONE,
						1,
						REMSIM_TYPE_RSPRO_MSG | G_SIGNAL_TYPE_STATIC_SCOPE);
	signals[SIGNAL_CLOSED] = g_signal_new ("closed",
					       G_TYPE_FROM_CLASS (klass),
					       G_SIGNAL_RUN_LAST,
					       0,
					       NULL,
					       NULL,
					       g_cclosure_marshal_VOID__STRING,
					       G_TYPE_NONE,
					       1,
					       G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}
