/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-connector.h"

#define WAIT_MS 5000

/* ---- waiting on the main loop ---- */

typedef gboolean (*CondFunc) (gpointer user_data);

static gboolean
timeout_flag_cb (gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return G_SOURCE_REMOVE;
}

static gboolean
wait_until (CondFunc cond, gpointer user_data, guint timeout_ms)
{
	gboolean timed_out = FALSE;
	guint id = g_timeout_add (timeout_ms, timeout_flag_cb, &timed_out);

	while (!cond (user_data) && !timed_out)
		g_main_context_iteration (NULL, TRUE);
	if (!timed_out)
		g_source_remove (id);
	return cond (user_data);
}

/* iterate for @ms: only to check that something does NOT happen */
static void
run_for (guint ms)
{
	gboolean done = FALSE;

	g_timeout_add (ms, timeout_flag_cb, &done);
	while (!done)
		g_main_context_iteration (NULL, TRUE);
}

/* ---- a listening server that keeps what it accepts ---- */

typedef struct {
	GSocketService *service;
	guint16 port;
	GPtrArray *conns; /* GSocketConnection */
} Server;

static gboolean
server_incoming_cb (GSocketService *service,
		    GSocketConnection *conn,
		    GObject *source,
		    gpointer user_data)
{
	Server *server = user_data;

	g_ptr_array_add (server->conns, g_object_ref (conn));
	return TRUE;
}

/* @port 0: any free port */
static Server *
server_new (guint16 port)
{
	Server *server = g_new0 (Server, 1);
	g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
	g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, port);
	g_autoptr (GSocketAddress) bound = NULL;
	g_autoptr (GError) error = NULL;

	server->service = g_socket_service_new ();
	server->conns = g_ptr_array_new_with_free_func (g_object_unref);
	g_socket_listener_add_address (G_SOCKET_LISTENER (server->service),
				       addr,
				       G_SOCKET_TYPE_STREAM,
				       G_SOCKET_PROTOCOL_TCP,
				       NULL,
				       &bound,
				       &error);
	g_assert_no_error (error);
	server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
	g_signal_connect (server->service, "incoming", G_CALLBACK (server_incoming_cb), server);
	g_socket_service_start (server->service);
	return server;
}

static void
server_free (Server *server)
{
	g_socket_service_stop (server->service);
	g_socket_listener_close (G_SOCKET_LISTENER (server->service));
	g_object_unref (server->service);
	for (guint i = 0; i < server->conns->len; i++)
		g_io_stream_close (g_ptr_array_index (server->conns, i), NULL, NULL);
	g_ptr_array_unref (server->conns);
	g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

/* close the @i-th accepted connection from the server side */
static void
server_drop (Server *server, guint i)
{
	g_io_stream_close (g_ptr_array_index (server->conns, i), NULL, NULL);
}

/* ---- a connector with its events recorded ---- */

typedef struct {
	RemsimConnector *connector;
	guint n_connected;
	guint n_disconnected;
	gchar *reason;
	RemsimLink *link;   /* the last one connected */
	GArray *fail_times; /* gint64 monotonic times of "disconnected" */
	gint64 connected_time;
} Probe;

static void
probe_connected_cb (RemsimConnector *connector, RemsimLink *link, gpointer user_data)
{
	Probe *p = user_data;

	g_assert_true (remsim_connector_get_link (connector) == link);
	g_assert_false (remsim_link_is_closed (link));
	p->n_connected++;
	p->connected_time = g_get_monotonic_time ();
	g_set_object (&p->link, link);
}

static void
probe_disconnected_cb (RemsimConnector *connector, const gchar *reason, gpointer user_data)
{
	Probe *p = user_data;
	gint64 now = g_get_monotonic_time ();

	g_assert_null (remsim_connector_get_link (connector));
	p->n_disconnected++;
	g_free (p->reason);
	p->reason = g_strdup (reason);
	g_array_append_val (p->fail_times, now);
}

static Probe *
probe_new (guint16 port)
{
	Probe *p = g_new0 (Probe, 1);

	p->connector = remsim_connector_new ("127.0.0.1", port);
	p->fail_times = g_array_new (FALSE, FALSE, sizeof (gint64));
	remsim_connector_set_keepalive (p->connector, 0, 0);
	g_signal_connect (p->connector, "connected", G_CALLBACK (probe_connected_cb), p);
	g_signal_connect (p->connector, "disconnected", G_CALLBACK (probe_disconnected_cb), p);
	return p;
}

static void
probe_free (Probe *p)
{
	remsim_connector_stop (p->connector);
	g_signal_handlers_disconnect_by_data (p->connector, p);
	g_object_unref (p->connector);
	g_clear_object (&p->link);
	g_array_unref (p->fail_times);
	g_free (p->reason);
	g_free (p);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Probe, probe_free)

typedef struct {
	Probe *p;
	guint n;
} ProbeWait;

static gboolean
connected_cond (gpointer user_data)
{
	ProbeWait *w = user_data;

	return w->p->n_connected >= w->n;
}

static gboolean
wait_connected (Probe *p, guint n)
{
	ProbeWait w = {p, n};

	return wait_until (connected_cond, &w, WAIT_MS);
}

static gboolean
disconnected_cond (gpointer user_data)
{
	ProbeWait *w = user_data;

	return w->p->n_disconnected >= w->n;
}

static gboolean
wait_disconnected (Probe *p, guint n)
{
	ProbeWait w = {p, n};

	return wait_until (disconnected_cond, &w, WAIT_MS);
}

typedef struct {
	Server *server;
	guint n;
} ServerWait;

static gboolean
accepted_cond (gpointer user_data)
{
	ServerWait *w = user_data;

	return w->server->conns->len >= w->n;
}

static gboolean
wait_accepted (Server *server, guint n)
{
	ServerWait w = {server, n};

	return wait_until (accepted_cond, &w, WAIT_MS);
}

/* ---- tests ---- */

static void
test_connector_connect (void)
{
	g_autoptr (Server) server = server_new (0);
	g_autoptr (Probe) p = probe_new (server->port);
	GInetSocketAddress *remote;

	g_assert_cmpstr (remsim_connector_get_host (p->connector), ==, "127.0.0.1");
	g_assert_cmpuint (remsim_connector_get_port (p->connector), ==, server->port);
	g_assert_null (remsim_connector_get_link (p->connector));
	remsim_connector_start (p->connector);
	g_assert_true (wait_connected (p, 1));
	g_assert_true (wait_accepted (server, 1));
	remote = remsim_link_get_remote_address (p->link);
	g_assert_nonnull (remote);
	g_assert_cmpuint (g_inet_socket_address_get_port (remote), ==, server->port);
	g_assert_true (remsim_connector_get_link (p->connector) == p->link);
	g_assert_cmpuint (p->n_disconnected, ==, 0);
}

static void
test_connector_ping (void)
{
	g_autoptr (Server) server = server_new (0);
	g_autoptr (Probe) p = probe_new (server->port);
	const guint8 ping[] = {0x00, 0x01, 0xfe, 0x00};
	guint8 buf[4] = {0};
	g_autoptr (GError) error = NULL;
	GInputStream *in;

	/* the link of a connector is an INITIATOR with keepalive: PING first */
	remsim_connector_set_keepalive (p->connector, 30000, 10000);
	remsim_connector_start (p->connector);
	g_assert_true (wait_connected (p, 1));
	g_assert_true (wait_accepted (server, 1));
	in = g_io_stream_get_input_stream (g_ptr_array_index (server->conns, 0));
	/* the PING was written before "connected": it is there to read */
	g_assert_true (g_input_stream_read_all (in, buf, sizeof (buf), NULL, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpmem (buf, sizeof (buf), ping, sizeof (ping));
}

static void
test_connector_reconnect (void)
{
	g_autoptr (Server) server = server_new (0);
	g_autoptr (Probe) p = probe_new (server->port);
	gint64 start;

	remsim_connector_start (p->connector);
	g_assert_true (wait_connected (p, 1));
	g_assert_true (wait_accepted (server, 1));

	/* the server drops it: disconnected, then connected again at once */
	start = g_get_monotonic_time ();
	server_drop (server, 0);
	g_assert_true (wait_disconnected (p, 1));
	g_assert_cmpstr (p->reason, ==, "peer closed the connection");
	g_assert_true (wait_connected (p, 2));
	g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
	g_assert_true (wait_accepted (server, 2));

	/* and again, a few times */
	for (guint i = 1; i < 5; i++) {
		server_drop (server, i);
		g_assert_true (wait_disconnected (p, i + 1));
		g_assert_true (wait_connected (p, i + 2));
		g_assert_true (wait_accepted (server, i + 2));
	}
	g_assert_cmpuint (p->n_disconnected, ==, 5);
}

static void
test_connector_backoff (void)
{
	g_autoptr (Probe) p = NULL;
	g_autoptr (Server) server = NULL;
	guint16 port;
	gint64 listening;
	const guint n_fail = 10;

	/* a port nobody listens on */
	server = server_new (0);
	port = server->port;
	g_clear_pointer (&server, server_free);

	p = probe_new (port);
	remsim_connector_start (p->connector);
	g_assert_true (wait_disconnected (p, 4));
	g_assert_true (g_str_has_prefix (p->reason, "connect to 127.0.0.1:"));
	g_assert_cmpuint (p->n_connected, ==, 0);
	{
		ProbeWait w = {p, n_fail};

		g_assert_true (wait_until (disconnected_cond, &w, 10000));
	}

	/* the gaps grow, but never beyond the cap */
	for (guint i = 1; i < p->fail_times->len; i++) {
		gint64 gap = g_array_index (p->fail_times, gint64, i) -
			     g_array_index (p->fail_times, gint64, i - 1);

		g_assert_cmpint (gap, <, 1000 * 1000);
		if (i >= 5)
			g_assert_cmpint (gap, >=, 30 * 1000);
	}

	/* a listener appears: back within a second */
	server = server_new (port);
	listening = g_get_monotonic_time ();
	g_assert_true (wait_connected (p, 1));
	g_assert_cmpint (p->connected_time - listening, <, G_USEC_PER_SEC);
	g_assert_true (wait_accepted (server, 1));

	/* a link that lasted longer than the delay starts the schedule over:
	 * the next attempt goes out at once */
	run_for (1100);
	server_drop (server, 0);
	g_assert_true (wait_connected (p, 2));
	g_assert_cmpint (p->connected_time -
			     g_array_index (p->fail_times, gint64, p->fail_times->len - 1),
			 <,
			 200 * 1000);
}

static void
test_connector_max_backoff (void)
{
	g_autoptr (Probe) p = NULL;
	g_autoptr (Server) server = NULL;
	guint16 port;

	server = server_new (0);
	port = server->port;
	g_clear_pointer (&server, server_free);

	/* a small cap keeps the retries fast */
	p = probe_new (port);
	remsim_connector_set_max_backoff (p->connector, 100);
	remsim_connector_start (p->connector);
	g_assert_true (wait_disconnected (p, 15));
	for (guint i = 1; i < p->fail_times->len; i++) {
		gint64 gap = g_array_index (p->fail_times, gint64, i) -
			     g_array_index (p->fail_times, gint64, i - 1);

		g_assert_cmpint (gap, <, 500 * 1000);
	}
}

static void
test_connector_set_target (void)
{
	g_autoptr (Server) a = server_new (0);
	g_autoptr (Server) b = server_new (0);
	g_autoptr (Probe) p = probe_new (a->port);

	remsim_connector_start (p->connector);
	g_assert_true (wait_connected (p, 1));
	g_assert_true (wait_accepted (a, 1));

	remsim_connector_set_target (p->connector, "127.0.0.1", b->port);
	g_assert_cmpuint (p->n_disconnected, ==, 1);
	g_assert_true (g_str_has_prefix (p->reason, "target changed to 127.0.0.1:"));
	g_assert_cmpuint (remsim_connector_get_port (p->connector), ==, b->port);
	g_assert_true (wait_connected (p, 2));
	g_assert_true (wait_accepted (b, 1));
	g_assert_cmpuint (
	    g_inet_socket_address_get_port (remsim_link_get_remote_address (p->link)), ==, b->port);
	run_for (50);
	g_assert_cmpuint (a->conns->len, ==, 1);
	g_assert_cmpuint (p->n_connected, ==, 2);
}

static void
test_connector_restart (void)
{
	g_autoptr (Server) server = server_new (0);
	g_autoptr (Probe) p = probe_new (server->port);

	remsim_connector_start (p->connector);
	g_assert_true (wait_connected (p, 1));
	remsim_connector_restart (p->connector, "identity in use");
	g_assert_cmpuint (p->n_disconnected, ==, 1);
	g_assert_cmpstr (p->reason, ==, "identity in use");
	g_assert_true (wait_connected (p, 2));
	g_assert_true (wait_accepted (server, 2));
}

static void
test_connector_stop (void)
{
	g_autoptr (Server) server = server_new (0);
	g_autoptr (Probe) p = probe_new (server->port);
	g_autoptr (RemsimLink) link = NULL;

	remsim_connector_start (p->connector);
	g_assert_true (wait_connected (p, 1));
	link = g_object_ref (p->link);
	remsim_connector_stop (p->connector);
	g_assert_true (remsim_link_is_closed (link));
	g_assert_null (remsim_connector_get_link (p->connector));
	server_drop (server, 0);
	run_for (100);
	g_assert_cmpuint (p->n_connected, ==, 1);
	g_assert_cmpuint (p->n_disconnected, ==, 0);

	/* and it can be started again */
	remsim_connector_start (p->connector);
	g_assert_true (wait_connected (p, 2));
}

static void
test_connector_stop_while_connecting (void)
{
	g_autoptr (Server) server = server_new (0);

	for (guint i = 0; i < 10; i++) {
		RemsimConnector *connector = remsim_connector_new ("127.0.0.1", server->port);

		remsim_connector_start (connector);
		if (i % 2 == 0)
			remsim_connector_stop (connector);
		/* dropped while the connect is under way */
		g_object_unref (connector);
	}
	run_for (100);
}

static void
stop_in_handler_cb (RemsimConnector *connector, RemsimLink *link, gpointer user_data)
{
	remsim_connector_stop (connector);
	g_object_unref (connector);
}

static void
test_connector_unref_in_handler (void)
{
	g_autoptr (Server) server = server_new (0);
	RemsimConnector *connector = remsim_connector_new ("127.0.0.1", server->port);
	GWeakRef weak;
	g_autoptr (RemsimConnector) gone = NULL;

	g_weak_ref_init (&weak, connector);
	g_signal_connect (connector, "connected", G_CALLBACK (stop_in_handler_cb), NULL);
	remsim_connector_start (connector);
	g_assert_true (wait_accepted (server, 1));
	run_for (50);
	gone = g_weak_ref_get (&weak);
	g_assert_null (gone);
	g_weak_ref_clear (&weak);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/remsim/connector/connect", test_connector_connect);
	g_test_add_func ("/remsim/connector/ping", test_connector_ping);
	g_test_add_func ("/remsim/connector/reconnect", test_connector_reconnect);
	g_test_add_func ("/remsim/connector/backoff", test_connector_backoff);
	g_test_add_func ("/remsim/connector/max-backoff", test_connector_max_backoff);
	g_test_add_func ("/remsim/connector/set-target", test_connector_set_target);
	g_test_add_func ("/remsim/connector/restart", test_connector_restart);
	g_test_add_func ("/remsim/connector/stop", test_connector_stop);
	g_test_add_func ("/remsim/connector/stop-while-connecting",
			 test_connector_stop_while_connecting);
	g_test_add_func ("/remsim/connector/unref-in-handler", test_connector_unref_in_handler);
	return g_test_run ();
}
