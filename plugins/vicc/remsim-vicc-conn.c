/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "remsim-vicc-conn.h"
#include "remsim-vicc-proto.h"

typedef struct {
	RemsimViccConn *c; /* only touched when not cancelled */
	GBytes *wire;
} RemsimViccConnWrite;

void
remsim_vicc_conn_init (RemsimViccConn *c,
		       GObject *owner,
		       const RemsimViccConnFuncs *funcs,
		       const gchar *peer_role,
		       gsize rx_initial)
{
	g_return_if_fail (c != NULL);
	g_return_if_fail (funcs != NULL && funcs->message != NULL && funcs->written != NULL &&
			  funcs->lost != NULL);
	g_return_if_fail (rx_initial >= REMSIM_VICC_HEADER_SIZE);

	memset (c, 0, sizeof (*c));
	c->owner = owner;
	c->funcs = funcs;
	c->peer_role = peer_role;
	c->rx_cap = rx_initial;
	c->rx = g_malloc (c->rx_cap);
}

void
remsim_vicc_conn_clear (RemsimViccConn *c)
{
	g_warn_if_fail (c->conn == NULL);
	g_clear_pointer (&c->peer, g_free);
	g_clear_pointer (&c->rx, g_free);
	c->rx_len = 0;
	c->rx_cap = 0;
}

gchar *
remsim_vicc_describe_peer (GSocketConnection *conn)
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

/* reading --------------------------------------------------------------- */

static void remsim_vicc_conn_read (RemsimViccConn *c);

static void
remsim_vicc_conn_read_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimViccConn *c;
	g_autoptr (GObject) keep = NULL;
	g_autoptr (GError) error = NULL;
	gssize n;
	guint serial;
	gsize off = 0;

	n = g_input_stream_read_finish (G_INPUT_STREAM (source), res, &error);
	if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return; /* the connection (or its owner) is gone */
	c = user_data;
	keep = g_object_ref (c->owner);
	if (n < 0) {
		g_autofree gchar *reason = g_strdup_printf ("read failed: %s", error->message);

		c->funcs->lost (c->owner, reason);
		return;
	}
	if (n == 0) {
		g_autofree gchar *reason =
		    g_strdup_printf ("the %s closed the connection", c->peer_role);

		c->funcs->lost (c->owner, reason);
		return;
	}
#ifdef TCP_QUICKACK
	/* do not hold back the ACK: vpcd writes length and payload separately
	 * with Nagle on, and its second write would wait ~40 ms for it */
	(void)g_socket_set_option (
	    g_socket_connection_get_socket (c->conn), IPPROTO_TCP, TCP_QUICKACK, 1, NULL);
#endif
	c->rx_len += (gsize)n;
	serial = c->serial;
	for (;;) {
		gsize payload_len = 0;
		gsize frame = remsim_vicc_frame_peek (c->rx + off, c->rx_len - off, &payload_len);

		if (frame == 0) {
			/* make room for the whole message */
			if (c->rx_len - off >= REMSIM_VICC_HEADER_SIZE &&
			    REMSIM_VICC_HEADER_SIZE + payload_len > c->rx_cap) {
				c->rx_cap = REMSIM_VICC_HEADER_SIZE + payload_len;
				c->rx = g_realloc (c->rx, c->rx_cap);
			}
			break;
		}
		c->funcs->message (c->owner, c->rx + off + REMSIM_VICC_HEADER_SIZE, payload_len);
		if (c->serial != serial)
			return; /* the connection ended */
		off += frame;
	}
	if (off > 0) {
		memmove (c->rx, c->rx + off, c->rx_len - off);
		c->rx_len -= off;
	}
	if (c->funcs->received != NULL)
		c->funcs->received (c->owner);
	if (c->serial != serial || c->conn == NULL)
		return; /* the connection ended */
	remsim_vicc_conn_read (c);
}

static void
remsim_vicc_conn_read (RemsimViccConn *c)
{
	if (c->rx_len == c->rx_cap) {
		c->rx_cap *= 2;
		c->rx = g_realloc (c->rx, c->rx_cap);
	}
	g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (c->conn)),
				   c->rx + c->rx_len,
				   c->rx_cap - c->rx_len,
				   G_PRIORITY_DEFAULT,
				   c->cancellable,
				   remsim_vicc_conn_read_cb,
				   c);
}

/* writing --------------------------------------------------------------- */

static void
remsim_vicc_conn_write_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimViccConnWrite *w = user_data;
	RemsimViccConn *c = w->c;
	g_autoptr (GObject) keep = NULL;
	g_autoptr (GError) error = NULL;

	g_bytes_unref (w->wire);
	g_free (w);
	if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), res, NULL, &error)) {
		g_autofree gchar *reason = NULL;

		if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return; /* the connection (or its owner) is gone */
		keep = g_object_ref (c->owner);
		reason = g_strdup_printf ("write failed: %s", error->message);
		c->funcs->lost (c->owner, reason);
		return;
	}
	keep = g_object_ref (c->owner);
	c->writing = FALSE;
	c->funcs->written (c->owner);
}

void
remsim_vicc_conn_write (RemsimViccConn *c, GBytes *wire)
{
	RemsimViccConnWrite *w;

	g_return_if_fail (c->conn != NULL && !c->writing);

	w = g_new0 (RemsimViccConnWrite, 1);
	w->c = c;
	w->wire = g_bytes_ref (wire);
	c->writing = TRUE;
	g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (c->conn)),
					 g_bytes_get_data (w->wire, NULL),
					 g_bytes_get_size (w->wire),
					 G_PRIORITY_DEFAULT,
					 c->cancellable,
					 remsim_vicc_conn_write_cb,
					 w);
}

/* the connection -------------------------------------------------------- */

void
remsim_vicc_conn_attach (RemsimViccConn *c, GSocketConnection *conn, const gchar *name)
{
	GSocket *sock = g_socket_connection_get_socket (conn);
	g_autoptr (GError) error = NULL;

	g_return_if_fail (c->conn == NULL);

	if (!g_socket_set_option (sock, IPPROTO_TCP, TCP_NODELAY, 1, &error))
		g_debug ("%s: cannot set TCP_NODELAY: %s", name, error->message);
	g_socket_set_keepalive (sock, TRUE);
	c->conn = g_object_ref (conn);
	c->cancellable = g_cancellable_new ();
	g_free (c->peer);
	c->peer = remsim_vicc_describe_peer (conn);
	c->rx_len = 0;
	c->writing = FALSE;
	remsim_vicc_conn_read (c);
}

gboolean
remsim_vicc_conn_close (RemsimViccConn *c, const gchar *name)
{
	g_autoptr (GSocketConnection) conn = g_steal_pointer (&c->conn);

	if (conn == NULL)
		return FALSE;
	c->serial++;
	g_cancellable_cancel (c->cancellable);
	g_clear_object (&c->cancellable);
	if (!g_io_stream_close (G_IO_STREAM (conn), NULL, NULL))
		g_debug ("%s: closing the connection failed", name);
	c->writing = FALSE;
	c->rx_len = 0;
	return TRUE;
}

/* listening ------------------------------------------------------------- */

gboolean
remsim_vicc_listener_add (GSocketListener *listener,
			  const gchar *host,
			  guint16 *port,
			  GError **error)
{
	g_autoptr (GInetAddress) ip = NULL;
	g_autoptr (GSocketAddress) addr = NULL;
	g_autoptr (GSocketAddress) bound = NULL;

	if (host == NULL && *port != 0)
		return g_socket_listener_add_inet_port (listener, *port, NULL, error);
	if (host == NULL) {
		guint16 any = g_socket_listener_add_any_inet_port (listener, NULL, error);

		if (any == 0)
			return FALSE;
		*port = any;
		return TRUE;
	}
	ip = g_inet_address_new_from_string (host);
	addr = g_inet_socket_address_new (ip, *port);
	if (!g_socket_listener_add_address (
		listener, addr, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound, error))
		return FALSE;
	*port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
	return TRUE;
}

void
remsim_vicc_service_clear (GSocketService **service, gpointer data)
{
	if (*service == NULL)
		return;
	g_signal_handlers_disconnect_by_data (*service, data);
	g_socket_service_stop (*service);
	g_socket_listener_close (G_SOCKET_LISTENER (*service));
	g_clear_object (service);
}

/* main context ---------------------------------------------------------- */

GSource *
remsim_vicc_timeout_add (GMainContext *context, guint ms, GSourceFunc func, gpointer data)
{
	GSource *source = g_timeout_source_new (ms);

	g_source_set_callback (source, func, data, NULL);
	g_source_attach (source, context);
	return source;
}

void
remsim_vicc_clear_source (GSource **source)
{
	if (*source == NULL)
		return;
	g_source_destroy (*source);
	g_clear_pointer (source, g_source_unref);
}
