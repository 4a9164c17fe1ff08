/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-simcard: the simulated SIM as a vsmartcard "vicc", so that a vpcd
 * (vsmartcard's pcscd driver, or remsim-bankd's vicc plugin) sees a card.
 *
 * Protocol (docs/simcard.md, protocol reference 8): every message is a
 * 2-byte big-endian length and the payload.  A 1-byte payload is a control
 * code (0 power off, 1 power on, 2 reset: no reply; 4 get ATR: reply ATR),
 * anything longer an APDU (reply: response + SW).
 */

#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remsim-simcard.h"

#define REMSIM_SIMCARD_VPCD_PORT      35963
#define REMSIM_SIMCARD_MAX_MSG	      (2 + 65535)
#define REMSIM_SIMCARD_BACKOFF_MIN_MS 50
#define REMSIM_SIMCARD_BACKOFF_MAX_MS 500
#define REMSIM_SIMCARD_EXIT_RUNTIME   1
#define REMSIM_SIMCARD_EXIT_USAGE     2
#define REMSIM_SIMCARD_CTRL_POWER_OFF 0
#define REMSIM_SIMCARD_CTRL_POWER_ON  1
#define REMSIM_SIMCARD_CTRL_RESET     2
#define REMSIM_SIMCARD_CTRL_GET_ATR   4

typedef struct {
	GMainLoop *loop;
	RemsimSimcard *card;
	gboolean verbose;
	gboolean once;
	gint exit_status;

	/* connect mode */
	GSocketConnectable *remote;
	GSocketClient *client;
	GCancellable *cancellable;
	gboolean connecting;
	guint reconnect_id;
	guint backoff_ms;
	gboolean connect_failed_logged;

	/* listen mode */
	GSocketService *service;

	/* the one vpcd we talk to */
	GSocketConnection *conn;
	GSource *read_source;
	guint8 *rbuf;
	gsize rlen;
	guint64 napdus;
} RemsimSimcardApp;

static void remsim_simcard_app_connect (RemsimSimcardApp *app);

static gchar *
remsim_simcard_hex (const guint8 *data, gsize len)
{
	gchar *str = g_malloc (len * 2 + 1);

	for (gsize i = 0; i < len; i++)
		g_snprintf (str + i * 2, 3, "%02x", data[i]);
	str[len * 2] = '\0';
	return str;
}

/* one message, one write(): length prefix and payload in one buffer */
static gboolean
remsim_simcard_app_send (RemsimSimcardApp *app, const guint8 *payload, gsize len)
{
	GSocket *sock = g_socket_connection_get_socket (app->conn);
	guint8 buf[2 + 512];
	gsize off = 0;

	g_assert (len <= sizeof (buf) - 2);
	buf[0] = len >> 8;
	buf[1] = len & 0xff;
	memcpy (buf + 2, payload, len);
	while (off < len + 2) {
		g_autoptr (GError) error = NULL;
		gssize n = g_socket_send_with_blocking (
		    sock, (const gchar *)buf + off, len + 2 - off, TRUE, NULL, &error);
		if (n < 0) {
			g_warning ("send to vpcd failed: %s", error->message);
			return FALSE;
		}
		off += n;
	}
	return TRUE;
}

static void
remsim_simcard_app_drop (RemsimSimcardApp *app, const gchar *why)
{
	if (app->conn == NULL)
		return;
	g_message (
	    "vpcd connection closed (%s) after %" G_GUINT64_FORMAT " APDUs", why, app->napdus);
	if (app->read_source != NULL) {
		g_source_destroy (app->read_source);
		g_clear_pointer (&app->read_source, g_source_unref);
	}
	g_io_stream_close (G_IO_STREAM (app->conn), NULL, NULL);
	g_clear_object (&app->conn);
	app->rlen = 0;
	/* the card leaves the reader: next time it is powered up afresh */
	remsim_simcard_power_off (app->card);

	if (app->once) {
		g_main_loop_quit (app->loop);
		return;
	}
	if (app->remote != NULL)
		remsim_simcard_app_connect (app);
}

/* handle one message; FALSE if the connection must be dropped */
static gboolean
remsim_simcard_app_handle (RemsimSimcardApp *app, const guint8 *msg, gsize len)
{
	guint8 out[REMSIM_SIMCARD_MAX_RESPONSE];
	gsize n;

	if (len == 0)
		return TRUE;
	if (len == 1) {
		g_autoptr (GBytes) atr = NULL;
		switch (msg[0]) {
		case REMSIM_SIMCARD_CTRL_POWER_OFF:
			if (app->verbose)
				g_printerr ("power off\n");
			remsim_simcard_power_off (app->card);
			return TRUE;
		case REMSIM_SIMCARD_CTRL_POWER_ON:
			if (app->verbose)
				g_printerr ("power on\n");
			atr = remsim_simcard_power_on (app->card);
			return TRUE;
		case REMSIM_SIMCARD_CTRL_RESET:
			if (app->verbose)
				g_printerr ("reset\n");
			atr = remsim_simcard_reset (app->card);
			return TRUE;
		case REMSIM_SIMCARD_CTRL_GET_ATR: {
			gsize atr_len;
			const guint8 *data;
			atr = remsim_simcard_get_atr (app->card);
			data = g_bytes_get_data (atr, &atr_len);
			return remsim_simcard_app_send (app, data, atr_len);
		}
		default:
			g_warning ("unknown control code %u from vpcd, ignored", msg[0]);
			return TRUE;
		}
	}

	n = remsim_simcard_process_into (app->card, msg, len, out, sizeof (out));
	app->napdus++;
	if (app->verbose) {
		g_autofree gchar *c = remsim_simcard_hex (msg, len);
		g_autofree gchar *r = remsim_simcard_hex (out, n);
		g_printerr ("apdu %s -> %s\n", c, r);
	}
	return remsim_simcard_app_send (app, out, n);
}

static gboolean
remsim_simcard_app_read_cb (GSocket *sock, GIOCondition cond, gpointer user_data)
{
	RemsimSimcardApp *app = user_data;
	g_autoptr (GError) error = NULL;
	gsize off = 0;
	gssize n;

	n = g_socket_receive_with_blocking (sock,
					    (gchar *)app->rbuf + app->rlen,
					    REMSIM_SIMCARD_MAX_MSG - app->rlen,
					    FALSE,
					    NULL,
					    &error);
	if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		remsim_simcard_app_drop (app, n == 0 ? "peer closed" : error->message);
		return G_SOURCE_REMOVE;
	}
#ifdef TCP_QUICKACK
	/* vpcd writes length and payload separately: ack at once so its
	 * Nagle does not hold the payload back for our delayed ACK */
	g_socket_set_option (sock, IPPROTO_TCP, TCP_QUICKACK, 1, NULL);
#endif
	app->rlen += n;

	while (app->rlen - off >= 2) {
		gsize len = (app->rbuf[off] << 8) | app->rbuf[off + 1];
		if (app->rlen - off < 2 + len)
			break;
		if (!remsim_simcard_app_handle (app, app->rbuf + off + 2, len)) {
			remsim_simcard_app_drop (app, "write failed");
			return G_SOURCE_REMOVE;
		}
		off += 2 + len;
	}
	if (off > 0) {
		memmove (app->rbuf, app->rbuf + off, app->rlen - off);
		app->rlen -= off;
	}
	return G_SOURCE_CONTINUE;
}

static void
remsim_simcard_app_attach (RemsimSimcardApp *app, GSocketConnection *conn)
{
	GSocket *sock = g_socket_connection_get_socket (conn);
	g_autoptr (GError) error = NULL;

	if (!g_socket_set_option (sock, IPPROTO_TCP, TCP_NODELAY, 1, &error))
		g_warning ("cannot set TCP_NODELAY: %s", error->message);
	app->conn = g_object_ref (conn);
	app->rlen = 0;
	app->napdus = 0;
	app->read_source = g_socket_create_source (sock, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
	g_source_set_callback (
	    app->read_source, G_SOURCE_FUNC (remsim_simcard_app_read_cb), app, NULL);
	g_source_attach (app->read_source, NULL);
}

static gboolean
remsim_simcard_app_reconnect_cb (gpointer user_data)
{
	RemsimSimcardApp *app = user_data;

	app->reconnect_id = 0;
	remsim_simcard_app_connect (app);
	return G_SOURCE_REMOVE;
}

static void
remsim_simcard_app_connect_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimSimcardApp *app = user_data;
	g_autoptr (GError) error = NULL;
	g_autoptr (GSocketConnection) conn = NULL;
	g_autofree gchar *where = g_socket_connectable_to_string (app->remote);

	app->connecting = FALSE;
	conn = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), res, &error);
	if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (conn == NULL) {
		if (!app->connect_failed_logged) {
			g_message (
			    "cannot connect to vpcd at %s (%s), retrying", where, error->message);
			app->connect_failed_logged = TRUE;
		}
		app->reconnect_id =
		    g_timeout_add (app->backoff_ms, remsim_simcard_app_reconnect_cb, app);
		app->backoff_ms = MIN (app->backoff_ms * 2, REMSIM_SIMCARD_BACKOFF_MAX_MS);
		return;
	}
	g_message ("connected to vpcd at %s", where);
	app->connect_failed_logged = FALSE;
	app->backoff_ms = REMSIM_SIMCARD_BACKOFF_MIN_MS;
	remsim_simcard_app_attach (app, conn);
}

static void
remsim_simcard_app_connect (RemsimSimcardApp *app)
{
	app->connecting = TRUE;
	g_socket_client_connect_async (
	    app->client, app->remote, app->cancellable, remsim_simcard_app_connect_cb, app);
}

static gboolean
remsim_simcard_app_incoming_cb (GSocketService *service,
				GSocketConnection *conn,
				GObject *source_object,
				gpointer user_data)
{
	RemsimSimcardApp *app = user_data;
	g_autoptr (GSocketAddress) peer = g_socket_connection_get_remote_address (conn, NULL);
	g_autofree gchar *where =
	    peer != NULL ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (peer)) : NULL;

	if (app->conn != NULL) {
		/* a vpcd that comes back replaces the one we thought alive */
		gboolean once = app->once;
		app->once = FALSE;
		remsim_simcard_app_drop (app, "replaced by a new connection");
		app->once = once;
	}
	g_message ("vpcd connected from %s", where != NULL ? where : "?");
	remsim_simcard_app_attach (app, conn);
	return TRUE;
}

static gboolean
remsim_simcard_app_signal_cb (gpointer user_data)
{
	RemsimSimcardApp *app = user_data;

	g_main_loop_quit (app->loop);
	return G_SOURCE_CONTINUE;
}

/* [ADDR:]PORT; without ADDR all addresses; port 0 picks one and prints it */
static gboolean
remsim_simcard_app_listen (RemsimSimcardApp *app, const gchar *spec, GError **error)
{
	const gchar *colon = strrchr (spec, ':');
	const gchar *port_str = colon != NULL ? colon + 1 : spec;
	g_autofree gchar *host = colon != NULL ? g_strndup (spec, colon - spec) : NULL;
	guint64 port;
	guint16 bound;

	if (!g_ascii_string_to_unsigned (port_str, 10, 0, 65535, &port, error)) {
		g_prefix_error (error, "--listen %s: ", spec);
		return FALSE;
	}
	app->service = g_socket_service_new ();
	if (host == NULL || host[0] == '\0') {
		if (port == 0) {
			bound = g_socket_listener_add_any_inet_port (
			    G_SOCKET_LISTENER (app->service), NULL, error);
			if (bound == 0)
				return FALSE;
		} else {
			if (!g_socket_listener_add_inet_port (
				G_SOCKET_LISTENER (app->service), port, NULL, error))
				return FALSE;
			bound = port;
		}
	} else {
		g_autoptr (GSocketAddress) addr = NULL;
		g_autoptr (GSocketAddress) effective = NULL;
		gchar *unbracketed = host;

		if (host[0] == '[' && host[strlen (host) - 1] == ']') {
			host[strlen (host) - 1] = '\0';
			unbracketed = host + 1;
		}
		addr = g_inet_socket_address_new_from_string (unbracketed, port);
		if (addr == NULL) {
			g_set_error (error,
				     G_IO_ERROR,
				     G_IO_ERROR_INVALID_ARGUMENT,
				     "--listen %s: not an IP address",
				     spec);
			return FALSE;
		}
		if (!g_socket_listener_add_address (G_SOCKET_LISTENER (app->service),
						    addr,
						    G_SOCKET_TYPE_STREAM,
						    G_SOCKET_PROTOCOL_TCP,
						    NULL,
						    &effective,
						    error))
			return FALSE;
		bound = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
	}
	g_signal_connect (
	    app->service, "incoming", G_CALLBACK (remsim_simcard_app_incoming_cb), app);
	g_socket_service_start (app->service);
	/* scripts that asked for port 0 read the port from here */
	g_print ("listening on port %u\n", bound);
	fflush (stdout);
	return TRUE;
}

/* --stdio: hex APDUs in, hex responses out; "atr"/"reset" print the ATR */
static gint
remsim_simcard_app_stdio (RemsimSimcardApp *app)
{
	gchar line[2048];
	gint status = EXIT_SUCCESS;
	g_autoptr (GBytes) first = remsim_simcard_power_on (app->card);

	while (fgets (line, sizeof (line), stdin) != NULL) {
		g_autoptr (GByteArray) apdu = g_byte_array_new ();
		g_autoptr (GBytes) resp = NULL;
		g_autofree gchar *hex = NULL;
		const guint8 *data;
		gsize len;

		g_strstrip (line);
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (g_ascii_strcasecmp (line, "atr") == 0 ||
		    g_ascii_strcasecmp (line, "reset") == 0) {
			resp = remsim_simcard_reset (app->card);
		} else if (!remsim_simcard_parse_hex (line, apdu) || apdu->len == 0) {
			g_printerr ("remsim-simcard: not a hex APDU: %s\n", line);
			status = REMSIM_SIMCARD_EXIT_RUNTIME;
			continue;
		} else {
			resp = remsim_simcard_process (app->card, apdu->data, apdu->len);
		}
		data = g_bytes_get_data (resp, &len);
		hex = remsim_simcard_hex (data, len);
		g_print ("%s\n", hex);
		fflush (stdout);
	}
	return status;
}

int
main (int argc, char **argv)
{
	RemsimSimcardApp app = {.backoff_ms = REMSIM_SIMCARD_BACKOFF_MIN_MS};
	g_autofree gchar *connect = NULL;
	g_autofree gchar *listen = NULL;
	g_autofree gchar *profile = NULL;
	gboolean stdio = FALSE;
	gboolean version = FALSE;
	gboolean dump_profile = FALSE;
	g_autoptr (GError) error = NULL;
	g_autoptr (GOptionContext) ctx = NULL;
	const GOptionEntry entries[] = {
	    {"connect",
	     'c',
	     0,
	     G_OPTION_ARG_STRING,
	     &connect,
	     "Connect to a vpcd at HOST[:PORT] (default 127.0.0.1:35963)",
	     "HOST[:PORT]"},
	    {"listen",
	     'l',
	     0,
	     G_OPTION_ARG_STRING,
	     &listen,
	     "Reversed mode: wait for a vpcd to connect (port 0 = any, printed)",
	     "[ADDR:]PORT"},
	    {"profile",
	     'p',
	     0,
	     G_OPTION_ARG_FILENAME,
	     &profile,
	     "Card profile keyfile (default: $" REMSIM_SIMCARD_PROFILE_ENV
	     ", else the built-in default profile)",
	     "FILE"},
	    {"once",
	     '1',
	     0,
	     G_OPTION_ARG_NONE,
	     &app.once,
	     "Exit when the vpcd connection closes",
	     NULL},
	    {"stdio",
	     's',
	     0,
	     G_OPTION_ARG_NONE,
	     &stdio,
	     "No network: hex APDUs on stdin, hex responses on stdout",
	     NULL},
	    {"dump-profile",
	     0,
	     0,
	     G_OPTION_ARG_NONE,
	     &dump_profile,
	     "Print the built-in default profile and exit",
	     NULL},
	    {"verbose",
	     'v',
	     0,
	     G_OPTION_ARG_NONE,
	     &app.verbose,
	     "Log each APDU and response",
	     NULL},
	    {"version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL},
	    {NULL}};

	signal (SIGPIPE, SIG_IGN);
	ctx = g_option_context_new ("- a simulated SIM card speaking the vsmartcard vicc protocol");
	g_option_context_add_main_entries (ctx, entries, NULL);
	if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
		g_printerr ("remsim-simcard: %s\n", error->message);
		return REMSIM_SIMCARD_EXIT_USAGE;
	}
	if (argc > 1) {
		g_printerr ("remsim-simcard: unexpected argument %s\n", argv[1]);
		return REMSIM_SIMCARD_EXIT_USAGE;
	}
	if (version) {
		g_print ("remsim-simcard %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	if (dump_profile) {
		g_autoptr (GBytes) bytes = remsim_simcard_get_default_profile ();
		gsize len;
		const gchar *data = g_bytes_get_data (bytes, &len);
		fwrite (data, 1, len, stdout);
		return EXIT_SUCCESS;
	}
	if ((connect != NULL) + (listen != NULL) + stdio > 1) {
		g_printerr ("remsim-simcard: --connect, --listen and --stdio exclude each other\n");
		return REMSIM_SIMCARD_EXIT_USAGE;
	}

	if (profile != NULL)
		app.card = remsim_simcard_new_from_file (profile, &error);
	else
		app.card = remsim_simcard_new_default (&error);
	if (app.card == NULL) {
		g_printerr ("remsim-simcard: %s\n", error->message);
		return REMSIM_SIMCARD_EXIT_RUNTIME;
	}
	if (stdio) {
		gint status = remsim_simcard_app_stdio (&app);
		g_object_unref (app.card);
		return status;
	}

	app.loop = g_main_loop_new (NULL, FALSE);
	app.cancellable = g_cancellable_new ();
	app.rbuf = g_malloc (REMSIM_SIMCARD_MAX_MSG);
	if (listen != NULL) {
		if (!remsim_simcard_app_listen (&app, listen, &error)) {
			g_printerr ("remsim-simcard: %s\n", error->message);
			app.exit_status = REMSIM_SIMCARD_EXIT_RUNTIME;
		}
	} else {
		app.remote = g_network_address_parse (
		    connect != NULL ? connect : "127.0.0.1", REMSIM_SIMCARD_VPCD_PORT, &error);
		if (app.remote == NULL) {
			g_printerr ("remsim-simcard: --connect %s: %s\n", connect, error->message);
			app.exit_status = REMSIM_SIMCARD_EXIT_USAGE;
		} else {
			app.client = g_socket_client_new ();
			/* a vpcd is local or on the LAN: no proxy, and no GSettings
			 * lookup of the proxy configuration */
			g_socket_client_set_enable_proxy (app.client, FALSE);
			remsim_simcard_app_connect (&app);
		}
	}
	if (app.exit_status == 0) {
		g_unix_signal_add (SIGINT, remsim_simcard_app_signal_cb, &app);
		g_unix_signal_add (SIGTERM, remsim_simcard_app_signal_cb, &app);
		g_main_loop_run (app.loop);
	}

	/* tear down */
	if (app.reconnect_id != 0)
		g_source_remove (app.reconnect_id);
	g_cancellable_cancel (app.cancellable);
	while (app.connecting)
		g_main_context_iteration (NULL, TRUE);
	app.once = FALSE;
	g_clear_object (&app.remote); /* no reconnect from the drop below */
	remsim_simcard_app_drop (&app, "exiting");
	if (app.service != NULL)
		g_socket_service_stop (app.service);
	g_clear_object (&app.service);
	g_clear_object (&app.client);
	g_clear_object (&app.cancellable);
	g_clear_object (&app.card);
	g_free (app.rbuf);
	g_main_loop_unref (app.loop);
	return app.exit_status;
}
