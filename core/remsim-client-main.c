/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-client: serves client slots for remsim (docs/remsim-client.md).
 * Accepts osmo-remsim-client's options with the same meaning and a keyfile
 * (-f/--config) for everything. Without a keyfile (or one without [sink:*]
 * groups) it runs the shell sink on stdin/stdout for one client slot, as
 * osmo-remsim-client-shell does.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "remsim-client-dbus.h"
#include "remsim-client.h"
#include "remsim-config.h"
#include "remsim-dbus-common.h"
#include "remsim-event-script.h"
#include "remsim-main-common.h"
#include "remsim-plugins.h"

#define REMSIM_CLIENT_GROUP "client"

/* exit codes */
#define REMSIM_CLIENT_EXIT_CONFIG	  1
#define REMSIM_CLIENT_EXIT_COMMAND_FAILED 2

static const RemsimConfigKey remsim_client_schema[] = {
    {REMSIM_CLIENT_GROUP,
     "server",
     REMSIM_CONFIG_TYPE_HOSTPORT,
     1,
     REMSIM_CLIENT_DEFAULT_SERVER_PORT,
     "127.0.0.1:9998",
     NULL,
     "remsim-server host[:port]"},
    {REMSIM_CLIENT_GROUP,
     "client-id",
     REMSIM_CONFIG_TYPE_INT,
     0,
     1023,
     "0",
     NULL,
     "RSPRO ClientId of every slot"},
    {REMSIM_CLIENT_GROUP,
     "client-slot",
     REMSIM_CONFIG_TYPE_INT,
     0,
     1023,
     "0",
     NULL,
     "client slot of the default shell sink (without [sink:*] groups)"},
    {REMSIM_CLIENT_GROUP,
     "atr",
     REMSIM_CONFIG_TYPE_STRING,
     0,
     0,
     "3b 00",
     NULL,
     "ATR (hex) presented until the bankd sends one"},
    {REMSIM_CLIENT_GROUP,
     "atr-ignore-rspro",
     REMSIM_CONFIG_TYPE_BOOLEAN,
     0,
     0,
     "false",
     NULL,
     "never use the ATR the bankd sends"},
    {REMSIM_CLIENT_GROUP,
     "event-script",
     REMSIM_CONFIG_TYPE_STRING,
     0,
     0,
     NULL,
     NULL,
     "command run by /bin/sh -c with the event as argument"},
    {REMSIM_CLIENT_GROUP,
     "event-script-timeout-ms",
     REMSIM_CONFIG_TYPE_INT,
     0,
     3600000,
     "30000",
     NULL,
     "kill an event script after this long (0: never)"},
    {REMSIM_CLIENT_GROUP,
     "keep-running",
     REMSIM_CONFIG_TYPE_BOOLEAN,
     0,
     0,
     "false",
     NULL,
     "keep running when a sink's input ends"},
    {REMSIM_CLIENT_GROUP,
     "component-name",
     REMSIM_CONFIG_TYPE_STRING,
     0,
     0,
     NULL,
     NULL,
     "identity name sent to server and bankd (default: host name)"},
    {REMSIM_CLIENT_GROUP,
     "keepalive-interval-ms",
     REMSIM_CONFIG_TYPE_INT,
     0,
     3600000,
     "30000",
     NULL,
     "IPA PING interval on server and bankd connections (0: off)"},
    {REMSIM_CLIENT_GROUP,
     "keepalive-timeout-ms",
     REMSIM_CONFIG_TYPE_INT,
     1,
     3600000,
     "10000",
     NULL,
     "how long to wait for the PONG"},
    {NULL, NULL, 0, 0, 0, NULL, NULL, NULL},
};

static gchar *opt_config = NULL;
static gchar *opt_server_host = NULL;
static gint opt_server_port = G_MININT;
static gint opt_client_id = G_MININT;
static gint opt_client_slot = G_MININT;
static gchar *opt_atr = NULL;
static gboolean opt_atr_ignore = FALSE;
static gchar *opt_event_script = NULL;
static gboolean opt_keep_running = FALSE;
static gchar *opt_debug_mask = NULL;
static gboolean opt_no_color = FALSE;
static gboolean opt_verbose = FALSE;
static gboolean opt_version = FALSE;
static gchar *opt_dbus = NULL;
static gchar *opt_dbus_suffix = NULL;
/* -s of the old simtrace2-remsim-client (see main()) */
static gchar *opt_server_host_s = NULL;
/* osmo-remsim-client-st2's SIMtrace2 options: each becomes a key of the
 * [sink:st2] group (plugin=cardem-st2) made when the keyfile has no
 * [sink:*] group (docs/plugins/cardem-st2.md) */
static gchar *opt_st2[8] = {NULL};
static const gchar *const remsim_client_st2_options[8] = {
    "-V", "-P", "-C", "-I", "-S", "-A", "-H", "-Z"};
static const gchar *const remsim_client_st2_keys[8] = {"vendor",
						       "product",
						       "configuration",
						       "interface",
						       "altsetting",
						       "address",
						       "path",
						       "sim-presence"};

#define REMSIM_CLIENT_ST2_GROUP "sink:st2"

#define ST2_OPTION(l, s, i, d, a)                                                                  \
	{                                                                                          \
		l, s, 0, G_OPTION_ARG_STRING, &opt_st2[i], d, a                                    \
	}

static const GOptionEntry remsim_client_options[] = {
    {"config", 'f', 0, G_OPTION_ARG_FILENAME, &opt_config, "Keyfile to read", "FILE"},
    {"server-ip",
     'i',
     0,
     G_OPTION_ARG_STRING,
     &opt_server_host,
     "remsim-server address (default 127.0.0.1)",
     "HOST"},
    {"server-host",
     's',
     0,
     G_OPTION_ARG_STRING,
     &opt_server_host_s,
     "Same as -i (old simtrace2-remsim-client; -i is then its GSMTAP address, ignored)",
     "HOST"},
    {"server-port",
     'p',
     0,
     G_OPTION_ARG_INT,
     &opt_server_port,
     "remsim-server RSPRO port (default 9998)",
     "PORT"},
    {"client-id", 'c', 0, G_OPTION_ARG_INT, &opt_client_id, "RSPRO ClientId (default 0)", "N"},
    {"client-slot",
     'n',
     0,
     G_OPTION_ARG_INT,
     &opt_client_slot,
     "RSPRO client SlotNr (default 0)",
     "N"},
    {"atr",
     'a',
     0,
     G_OPTION_ARG_STRING,
     &opt_atr,
     "ATR presented until the bankd sends one (default 3b00)",
     "HEX"},
    {"atr-ignore-rspro",
     'r',
     0,
     G_OPTION_ARG_NONE,
     &opt_atr_ignore,
     "Ignore the ATR from the bankd; use only the one of -a",
     NULL},
    {"event-script",
     'e',
     0,
     G_OPTION_ARG_STRING,
     &opt_event_script,
     "Script run on events (see the manual)",
     "PATH"},
    {"keep-running",
     'k',
     0,
     G_OPTION_ARG_NONE,
     &opt_keep_running,
     "Keep running when the sink's input ends",
     NULL},
    {"debug",
     'd',
     0,
     G_OPTION_ARG_STRING,
     &opt_debug_mask,
     "Osmocom log mask (accepted; any value enables debug messages)",
     "MASK"},
    {"disable-color", 'L', 0, G_OPTION_ARG_NONE, &opt_no_color, "Accepted for compatibility", NULL},
    {"verbose", 0, 0, G_OPTION_ARG_NONE, &opt_verbose, "Show informational messages", NULL},
    {"version", 'v', 0, G_OPTION_ARG_NONE, &opt_version, "Print the version", NULL},
    {"dbus",
     0,
     0,
     G_OPTION_ARG_STRING,
     &opt_dbus,
     "Export the client slots on D-Bus: session, system or none (default none)",
     "BUS"},
    {"dbus-name-suffix",
     0,
     0,
     G_OPTION_ARG_STRING,
     &opt_dbus_suffix,
     "Own org.remsim.Client.SUFFIX instead of org.remsim.Client",
     "SUFFIX"},
    ST2_OPTION ("usb-vendor", 'V', 0, "SIMtrace2: USB vendor id, hex (default 1d50)", "VID"),
    ST2_OPTION ("usb-product",
		'P',
		1,
		"SIMtrace2: USB product id, hex (default: any card-emulation board)",
		"PID"),
    ST2_OPTION ("usb-config", 'C', 2, "SIMtrace2: USB configuration (default 1)", "N"),
    ST2_OPTION ("usb-interface", 'I', 3, "SIMtrace2: card-emulation interface (default 0)", "N"),
    ST2_OPTION ("usb-altsetting", 'S', 4, "SIMtrace2: alternate setting (default 0)", "N"),
    ST2_OPTION ("usb-address", 'A', 5, "SIMtrace2: USB device address", "[BUS:]ADDR"),
    ST2_OPTION ("usb-path", 'H', 6, "SIMtrace2: USB path, e.g. 2-1.1", "PATH"),
    ST2_OPTION ("set-sim-presence",
		'Z',
		7,
		"SIMtrace2: SIM-presence output level with a card (1 high, 0 low)",
		"0|1"),
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

typedef struct {
	GMainLoop *loop;
	gint exit_status;
	gboolean keep_running;
} RemsimClientMain;

static void
remsim_client_main_finished_cb (RemsimClient *client, gint status, gpointer user_data)
{
	RemsimClientMain *m = user_data;

	if (m->keep_running) {
		g_message ("input ended%s; keeping running (keep-running)",
			   status != 0 ? " with failed commands" : "");
		return;
	}
	g_info ("input ended, exiting");
	m->exit_status = status != 0 ? REMSIM_CLIENT_EXIT_COMMAND_FAILED : EXIT_SUCCESS;
	g_main_loop_quit (m->loop);
}

static gboolean
remsim_client_main_apply_options (RemsimConfig *config, GError **error)
{
	return remsim_main_override_int (
		   config, REMSIM_CLIENT_GROUP, "client-id", opt_client_id, "--client-id", error) &&
	       remsim_main_override_int (config,
					 REMSIM_CLIENT_GROUP,
					 "client-slot",
					 opt_client_slot,
					 "--client-slot",
					 error) &&
	       remsim_main_override_string (
		   config, REMSIM_CLIENT_GROUP, "atr", opt_atr, "--atr", error) &&
	       remsim_main_override_string (config,
					    REMSIM_CLIENT_GROUP,
					    "atr-ignore-rspro",
					    opt_atr_ignore ? "true" : NULL,
					    "--atr-ignore-rspro",
					    error) &&
	       remsim_main_override_string (config,
					    REMSIM_CLIENT_GROUP,
					    "event-script",
					    opt_event_script,
					    "--event-script",
					    error) &&
	       remsim_main_override_string (config,
					    REMSIM_CLIENT_GROUP,
					    "keep-running",
					    opt_keep_running ? "true" : NULL,
					    "--keep-running",
					    error) &&
	       remsim_main_override_dbus (
		   config, REMSIM_CLIENT_GROUP, opt_dbus, opt_dbus_suffix, error) &&
	       remsim_main_override_hostport (config,
					      REMSIM_CLIENT_GROUP,
					      "server",
					      opt_server_host,
					      "--server-ip",
					      opt_server_port,
					      "--server-port",
					      1,
					      REMSIM_CLIENT_DEFAULT_SERVER_PORT,
					      error);
}

/* the ATR: hex digits, blanks and ':' ignored, 2..55 bytes */
static GBytes *
remsim_client_main_parse_atr (const gchar *text, const gchar *origin, GError **error)
{
	g_autoptr (GByteArray) buf = g_byte_array_new ();
	gint high = -1;

	for (const gchar *p = text; *p != '\0'; p++) {
		gint v;

		if (*p == ' ' || *p == ':' || *p == '\t')
			continue;
		v = g_ascii_xdigit_value (*p);
		if (v < 0)
			break;
		if (high < 0) {
			high = v;
		} else {
			guint8 b = (guint8)((high << 4) | v);

			g_byte_array_append (buf, &b, 1);
			high = -1;
		}
		if (p[1] == '\0' && high < 0 && buf->len >= REMSIM_CLIENT_ATR_MIN_LEN &&
		    buf->len <= REMSIM_CLIENT_ATR_MAX_LEN)
			return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
	}
	g_set_error (error,
		     REMSIM_CONFIG_ERROR,
		     REMSIM_CONFIG_ERROR_INVALID_VALUE,
		     "%s: expected an ATR of %u to %u bytes in hex, got \"%s\"",
		     origin,
		     REMSIM_CLIENT_ATR_MIN_LEN,
		     REMSIM_CLIENT_ATR_MAX_LEN,
		     text);
	return NULL;
}

/* the first SIMtrace2 option given, or NULL */
static const gchar *
remsim_client_main_st2_option (void)
{
	for (guint i = 0; i < G_N_ELEMENTS (opt_st2); i++) {
		if (opt_st2[i] != NULL)
			return remsim_client_st2_options[i];
	}
	return NULL;
}

/* osmo-remsim-client-st2 behaviour: a SIMtrace2 option, or the program
 * called by that name (a symlink) */
static gboolean
remsim_client_main_is_st2 (const gchar *argv0)
{
	g_autofree gchar *base = argv0 != NULL ? g_path_get_basename (argv0) : NULL;

	return remsim_client_main_st2_option () != NULL ||
	       (base != NULL && g_str_has_suffix (base, "remsim-client-st2"));
}

/* upstream's behaviour without [sink:*] groups: one sink for the client
 * slot, the shell sink on stdio (osmo-remsim-client-shell) or, with
 * @st2, the SIMtrace2 card emulation (osmo-remsim-client-st2) */
static gboolean
remsim_client_main_default_sink (RemsimConfig *config, gboolean st2, GError **error)
{
	GKeyFile *kf = remsim_config_get_keyfile (config);
	g_auto (GStrv) groups = remsim_config_get_plugin_groups (config, "sink");
	const gchar *group = st2 ? REMSIM_CLIENT_ST2_GROUP : "sink:shell";
	gint slot = (gint)remsim_config_get_int (config, REMSIM_CLIENT_GROUP, "client-slot");

	if (groups != NULL && groups[0] != NULL) {
		const gchar *option = remsim_client_main_st2_option ();

		if (opt_client_slot != G_MININT || option != NULL) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "%s: the keyfile's [sink:*] groups name the slots and "
				     "their sinks; -n and the SIMtrace2 options (-V -P -C -I "
				     "-S -A -H -Z) only apply without them",
				     option != NULL ? option : "--client-slot");
			return FALSE;
		}
		return TRUE;
	}
	g_key_file_set_string (kf, group, "plugin", st2 ? "cardem-st2" : "shell");
	g_key_file_set_integer (kf, group, "slots", slot);
	for (guint i = 0; st2 && i < G_N_ELEMENTS (opt_st2); i++) {
		if (opt_st2[i] != NULL)
			g_key_file_set_string (kf, group, remsim_client_st2_keys[i], opt_st2[i]);
	}
	return TRUE;
}

static gint
remsim_client_main_fail (const gchar *where, const GError *error)
{
	return remsim_main_fail ("remsim-client", where, error, REMSIM_CLIENT_EXIT_CONFIG);
}

int
main (int argc, char **argv)
{
	g_autoptr (GOptionContext) context = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimConfig) config = NULL;
	g_autoptr (RemsimPlugins) plugins = NULL;
	g_autoptr (RemsimClient) client = NULL;
	g_autoptr (GDBusConnection) bus = NULL;
	g_autoptr (RemsimClientDBus) dbus = NULL;
	g_autofree gchar *dbus_suffix = NULL;
	GBusType bus_type = G_BUS_TYPE_NONE;
	g_autoptr (GBytes) atr = NULL;
	g_autofree gchar *server_host = NULL;
	g_autofree gchar *atr_text = NULL;
	g_autofree gchar *script = NULL;
	g_autofree gchar *name = NULL;
	RemsimClientMain m = {0};
	guint16 server_port = 0;
	gboolean st2;

	/* log lines must never mix into a shell sink's stdout */
	g_log_writer_default_set_use_stderr (TRUE);
	/* a closed stdout is an error to report, not a reason to die */
	signal (SIGPIPE, SIG_IGN);

	context = g_option_context_new ("- remote SIM client");
	g_option_context_set_summary (
	    context,
	    "Connects to a remsim-server, gets its bankd and bank slot from there and\n"
	    "moves TPDUs between the card sink of each client slot and the bankd.\n"
	    "Without a keyfile it reads hex C-APDUs (or RESET) from stdin and prints\n"
	    "SET_ATR:/R-APDU: lines, as osmo-remsim-client-shell.");
	g_option_context_add_main_entries (context, remsim_client_options, NULL);
	if (!g_option_context_parse (context, &argc, &argv, &error))
		return remsim_client_main_fail (NULL, error);
	if (opt_version) {
		g_print ("remsim-client version %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	if (argc > 1) {
		g_printerr ("remsim-client: unexpected argument \"%s\"\n", argv[1]);
		return REMSIM_CLIENT_EXIT_CONFIG;
	}
	/* the old simtrace2-remsim-client had -s for the server and -i for
	 * its GSMTAP address; osmo-remsim-client has -i for the server */
	if (opt_server_host_s != NULL) {
		if (opt_server_host != NULL)
			g_printerr ("remsim-client: -i %s taken as simtrace2-remsim-client's "
				    "GSMTAP address (-s names the server); GSMTAP is not "
				    "supported, ignored\n",
				    opt_server_host);
		g_free (opt_server_host);
		opt_server_host = g_steal_pointer (&opt_server_host_s);
	}
	st2 = remsim_client_main_is_st2 (argv[0]);
	if (opt_verbose || opt_debug_mask != NULL)
		g_log_set_debug_enabled (TRUE);

	config = remsim_config_new (
	    remsim_dbus_config_schema (remsim_client_schema, REMSIM_CLIENT_GROUP));
	remsim_config_allow_plugin_groups (config, "sink");
	if (opt_config != NULL && !remsim_config_load_file (config, opt_config, &error))
		return remsim_client_main_fail (NULL, error);
	if (!remsim_client_main_apply_options (config, &error))
		return remsim_client_main_fail (NULL, error);

	atr_text = remsim_config_get_string (config, REMSIM_CLIENT_GROUP, "atr");
	atr = remsim_client_main_parse_atr (
	    atr_text, opt_atr != NULL ? "--atr" : "[client] atr", &error);
	if (atr == NULL)
		return remsim_client_main_fail (opt_atr != NULL ? NULL : opt_config, error);
	if (!remsim_client_main_default_sink (config, st2, &error))
		return remsim_client_main_fail (NULL, error);
	if (opt_no_color)
		g_debug ("-L accepted for compatibility, without effect");

	remsim_config_get_hostport (
	    config, REMSIM_CLIENT_GROUP, "server", &server_host, &server_port);
	client = remsim_client_new (
	    server_host,
	    server_port,
	    (guint32)remsim_config_get_int (config, REMSIM_CLIENT_GROUP, "client-id"));
	remsim_client_set_default_atr (client, atr);
	remsim_client_set_atr_ignore_rspro (
	    client, remsim_config_get_boolean (config, REMSIM_CLIENT_GROUP, "atr-ignore-rspro"));
	script = remsim_config_get_string (config, REMSIM_CLIENT_GROUP, "event-script");
	remsim_client_set_event_script (
	    client,
	    script,
	    (guint)remsim_config_get_int (config, REMSIM_CLIENT_GROUP, "event-script-timeout-ms"));
	remsim_client_set_keepalive (
	    client,
	    (guint)remsim_config_get_int (config, REMSIM_CLIENT_GROUP, "keepalive-interval-ms"),
	    (guint)remsim_config_get_int (config, REMSIM_CLIENT_GROUP, "keepalive-timeout-ms"));
	name = remsim_config_get_string (config, REMSIM_CLIENT_GROUP, "component-name");
	if (name != NULL && name[0] != '\0')
		remsim_client_set_component_name (client, name);
	m.keep_running = remsim_config_get_boolean (config, REMSIM_CLIENT_GROUP, "keep-running");

	plugins = remsim_plugins_new ();
	if (!remsim_client_load_card_sinks (client,
					    plugins,
					    remsim_config_get_keyfile (config),
					    opt_config != NULL ? opt_config
					    : st2 ? "(command line: -V -P -C -I -S -A -H -Z)"
						  : "(command line)",
					    &error))
		return remsim_client_main_fail (NULL, error);

	/* D-Bus: one object per slot, before the slots start */
	if (!remsim_dbus_config_get_bus (
		config, REMSIM_CLIENT_GROUP, &bus_type, &dbus_suffix, &error))
		return remsim_client_main_fail ("dbus", error);
	if (bus_type != G_BUS_TYPE_NONE) {
		/* a bad suffix is reported as such, before touching the bus */
		g_autofree gchar *bus_name =
		    remsim_dbus_make_name (REMSIM_CLIENT_DBUS_NAME, dbus_suffix, &error);

		if (bus_name == NULL)
			return remsim_client_main_fail ("D-Bus", error);
		bus = remsim_dbus_connect (bus_type, &error);
		dbus = remsim_client_dbus_new (client);
		if (bus == NULL || !remsim_client_dbus_start (dbus, bus, dbus_suffix, &error))
			return remsim_client_main_fail ("D-Bus", error);
	}

	m.loop = g_main_loop_new (NULL, FALSE);
	g_signal_connect (client, "finished", G_CALLBACK (remsim_client_main_finished_cb), &m);
	if (!remsim_client_start (client, &error)) {
		g_main_loop_unref (m.loop);
		return remsim_client_main_fail (NULL, error);
	}
	remsim_main_run (m.loop, "signal received, exiting");

	if (dbus != NULL)
		remsim_client_dbus_stop (dbus);
	g_clear_object (&dbus);
	remsim_client_stop (client);
	/* let cancelled operations and finished scripts report back */
	for (guint i = 0; i < 1000 && g_main_context_iteration (NULL, FALSE); i++)
		;
	g_clear_object (&client);
	for (guint i = 0; i < 1000 && g_main_context_iteration (NULL, FALSE); i++)
		;
	g_main_loop_unref (m.loop);
	g_free (opt_config);
	g_free (opt_server_host);
	g_free (opt_atr);
	g_free (opt_event_script);
	g_free (opt_debug_mask);
	g_free (opt_dbus);
	g_free (opt_dbus_suffix);
	return m.exit_status;
}
