/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The socket side shared by the vicc source and sink: one vpcd/vicc TCP
 * connection (socket options, framed reads with a read always pending,
 * whole writes, teardown), listening, and small main-context helpers.
 *
 * The owner (a RemsimViccSource or RemsimViccSink) embeds a RemsimViccConn
 * and hears about it through RemsimViccConnFuncs. Everything runs on the
 * owner's main context. A callback from a cancelled I/O never touches the
 * RemsimViccConn, so the owner may go away with I/O pending once the
 * connection is closed.
 */

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
	/* one complete message; @payload is valid for the call only */
	void (*message) (GObject *owner, const guint8 *payload, gsize len);
	/* after the messages of one read; may be NULL */
	void (*received) (GObject *owner);
	/* the write handed to remsim_vicc_conn_write() is done */
	void (*written) (GObject *owner);
	/* a read or write failed or the peer closed: the owner ends the
	 * connection (remsim_vicc_conn_close()) */
	void (*lost) (GObject *owner, const gchar *reason);
} RemsimViccConnFuncs;

typedef struct {
	GObject *owner; /* not owned: it embeds this */
	const RemsimViccConnFuncs *funcs;
	const gchar *peer_role; /* "vpcd" or "vicc", for messages */

	GSocketConnection *conn; /* NULL: not connected */
	GCancellable *cancellable;
	gchar *peer;  /* "127.0.0.1:35963" of the last connection */
	guint serial; /* bumped whenever a connection ends */
	guint8 *rx;
	gsize rx_len;
	gsize rx_cap;
	gboolean writing;
} RemsimViccConn;

void remsim_vicc_conn_init (RemsimViccConn *c,
			    GObject *owner,
			    const RemsimViccConnFuncs *funcs,
			    const gchar *peer_role,
			    gsize rx_initial);
/* for finalize; the connection must be closed */
void remsim_vicc_conn_clear (RemsimViccConn *c);

/* takes @conn (TCP_NODELAY, keepalive) and starts reading; @name is the
 * owner's, for messages */
void remsim_vicc_conn_attach (RemsimViccConn *c, GSocketConnection *conn, const gchar *name);
/* ends the connection: pending I/O is cancelled, the serial bumped.
 * Returns: %FALSE if there was none */
gboolean remsim_vicc_conn_close (RemsimViccConn *c, const gchar *name);
/* writes all of @wire; one write at a time (see ->writing) */
void remsim_vicc_conn_write (RemsimViccConn *c, GBytes *wire);

/* "ip:port" of the peer of @conn */
gchar *remsim_vicc_describe_peer (GSocketConnection *conn);

/*
 * remsim_vicc_listener_add:
 * @listener: where to add the socket
 * @host: (nullable): an IP address to bind to; %NULL: all
 * @port: (inout): the port; 0: any free one, then the one bound
 *
 * Returns: %FALSE with @error set if the socket cannot be bound
 */
gboolean remsim_vicc_listener_add (GSocketListener *listener,
				   const gchar *host,
				   guint16 *port,
				   GError **error);
/* stops and drops *@service, after disconnecting @data's handlers */
void remsim_vicc_service_clear (GSocketService **service, gpointer data);

/* a timeout on @context calling @func (@data); the caller owns the source */
GSource *remsim_vicc_timeout_add (GMainContext *context, guint ms, GSourceFunc func, gpointer data);
/* destroys and drops *@source, if any */
void remsim_vicc_clear_source (GSource **source);

G_END_DECLS
