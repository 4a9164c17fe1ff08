/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-bankd: serves the cards of one SIM bank to remsim clients
 * (docs/remsim-bankd.md). Accepts osmo-remsim-bankd's options with the same
 * meaning, and a keyfile (-c) for everything.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "remsim-bankd-dbus.h"
#include "remsim-bankd.h"
#include "remsim-config.h"
#include "remsim-dbus-common.h"
#include "remsim-main-common.h"
#include "remsim-plugins.h"

#define REMSIM_BANKD_GROUP "bankd"
/* the file upstream reads from the working directory */
#define REMSIM_BANKD_PCSC_CSV "bankd_pcsc_slots.csv"

/* exit codes */
#define REMSIM_BANKD_EXIT_CONFIG    1
#define REMSIM_BANKD_EXIT_NO_SERVER 2

static const RemsimConfigKey remsim_bankd_schema[] = {
    {REMSIM_BANKD_GROUP, "bank-id", REMSIM_CONFIG_TYPE_INT, 0, 1023, "1", NULL, "own bank id"},
    {REMSIM_BANKD_GROUP,
     "num-slots",
     REMSIM_CONFIG_TYPE_INT,
     1,
     REMSIM_BANKD_MAX_SLOTS,
     "8",
     NULL,
     "number of bank slots"},
    {REMSIM_BANKD_GROUP,
     "server",
     REMSIM_CONFIG_TYPE_HOSTPORT,
     1,
     9998,
     NULL,
     NULL,
     "remsim-server host[:port]"},
    {REMSIM_BANKD_GROUP,
     "listen",
     REMSIM_CONFIG_TYPE_HOSTPORT,
     0,
     9999,
     "0.0.0.0:9999",
     NULL,
     "local address[:port] for client connections"},
    {REMSIM_BANKD_GROUP,
     "component-name",
     REMSIM_CONFIG_TYPE_STRING,
     0,
     0,
     NULL,
     NULL,
     "identity name sent to server and clients (default: host name)"},
    {REMSIM_BANKD_GROUP,
     "identify-timeout-ms",
     REMSIM_CONFIG_TYPE_INT,
     1,
     3600000,
     "10000",
     NULL,
     "how long a client may stay without ConnectClientReq"},
    {REMSIM_BANKD_GROUP,
     "retry-interval-ms",
     REMSIM_CONFIG_TYPE_INT,
     10,
     3600000,
     "10000",
     NULL,
     "how often a waiting client's map and card are checked again"},
    {REMSIM_BANKD_GROUP,
     "keepalive-interval-ms",
     REMSIM_CONFIG_TYPE_INT,
     0,
     3600000,
     "30000",
     NULL,
     "IPA PING interval on the server connection (0: off)"},
    {REMSIM_BANKD_GROUP,
     "keepalive-timeout-ms",
     REMSIM_CONFIG_TYPE_INT,
     1,
     3600000,
     "10000",
     NULL,
     "how long to wait for the PONG"},
    {REMSIM_BANKD_GROUP,
     "gsmtap",
     REMSIM_CONFIG_TYPE_STRING,
     0,
     0,
     "",
     NULL,
     "send GSMTAP SIM traces to this host, UDP port 4729 (empty: off)"},
    {REMSIM_BANKD_GROUP,
     "gsmtap-slot",
     REMSIM_CONFIG_TYPE_INT,
     -1,
     1023,
     "-1",
     NULL,
     "trace only this bank slot number (-1: all)"},
    {NULL, NULL, 0, 0, 0, NULL, NULL, NULL},
};

static gchar *opt_config = NULL;
static gchar *opt_server_host = NULL;
static gint opt_server_port = G_MININT;
static gint opt_bank_id = G_MININT;
static gint opt_num_slots = G_MININT;
static gchar *opt_component_name = NULL;
static gchar *opt_bind_ip = NULL;
static gint opt_bind_port = G_MININT;
static gboolean opt_shared_pcsc = FALSE;
static gchar *opt_gsmtap_ip = NULL;
static gint opt_gsmtap_slot = G_MININT;
static gchar *opt_debug_mask = NULL;
static gboolean opt_no_color = FALSE;
static gboolean opt_timestamp = FALSE;
static gint opt_log_level = G_MININT;
static gboolean opt_verbose = FALSE;
static gboolean opt_version = FALSE;
static gchar *opt_dbus = NULL;
static gchar *opt_dbus_suffix = NULL;

static const GOptionEntry remsim_bankd_options[] = {
    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config, "Keyfile to read", "FILE"},
    {"server-host", 'i', 0, G_OPTION_ARG_STRING, &opt_server_host, "remsim-server address", "HOST"},
    {"server-port",
     'p',
     0,
     G_OPTION_ARG_INT,
     &opt_server_port,
     "remsim-server port (default 9998)",
     "PORT"},
    {"bank-id", 'b', 0, G_OPTION_ARG_INT, &opt_bank_id, "Bank id of this bank (default 1)", "N"},
    {"num-slots",
     'n',
     0,
     G_OPTION_ARG_INT,
     &opt_num_slots,
     "Number of slots of this bank (default 8)",
     "N"},
    {"component-name",
     'N',
     0,
     G_OPTION_ARG_STRING,
     &opt_component_name,
     "Identity name (default: host name)",
     "NAME"},
    {"bind-ip",
     'I',
     0,
     G_OPTION_ARG_STRING,
     &opt_bind_ip,
     "Local address for client connections (default any)",
     "ADDR"},
    {"bind-port",
     'P',
     0,
     G_OPTION_ARG_INT,
     &opt_bind_port,
     "Local port for client connections (default 9999)",
     "PORT"},
    {"permit-shared-pcsc",
     's',
     0,
     G_OPTION_ARG_NONE,
     &opt_shared_pcsc,
     "Open PC/SC readers shared instead of exclusive",
     NULL},
    {"gsmtap-ip",
     'g',
     0,
     G_OPTION_ARG_STRING,
     &opt_gsmtap_ip,
     "Send GSMTAP SIM traces to HOST, UDP port 4729",
     "HOST"},
    {"gsmtap-slot",
     'G',
     0,
     G_OPTION_ARG_INT,
     &opt_gsmtap_slot,
     "GSMTAP only for this bank slot number (default all)",
     "N"},
    {"debug",
     'd',
     0,
     G_OPTION_ARG_STRING,
     &opt_debug_mask,
     "Osmocom log mask (accepted; any value enables debug messages)",
     "MASK"},
    {"disable-color", 'L', 0, G_OPTION_ARG_NONE, &opt_no_color, "Accepted for compatibility", NULL},
    {"timestamp", 'T', 0, G_OPTION_ARG_NONE, &opt_timestamp, "Accepted for compatibility", NULL},
    {"log-level",
     'e',
     0,
     G_OPTION_ARG_INT,
     &opt_log_level,
     "Osmocom log level (1 debug, 3 info, 5 notice, 7 error)",
     "N"},
    {"dbus",
     0,
     0,
     G_OPTION_ARG_STRING,
     &opt_dbus,
     "Export the bank slots on D-Bus: session, system or none (default none)",
     "BUS"},
    {"dbus-name-suffix",
     0,
     0,
     G_OPTION_ARG_STRING,
     &opt_dbus_suffix,
     "Own org.remsim.Bankd.SUFFIX instead of org.remsim.Bankd",
     "SUFFIX"},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "Show informational messages", NULL},
    {"version", 'V', 0, G_OPTION_ARG_NONE, &opt_version, "Print the version", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static gint
remsim_bankd_main_fail (const gchar *where, const GError *error)
{
	return remsim_main_fail ("remsim-bankd", where, error, REMSIM_BANKD_EXIT_CONFIG);
}

/* command-line options go over the file's values */
static gboolean
remsim_bankd_main_apply_options (RemsimConfig *config, GError **error)
{
	return remsim_main_override_int (
		   config, REMSIM_BANKD_GROUP, "bank-id", opt_bank_id, "--bank-id", error) &&
	       remsim_main_override_int (
		   config, REMSIM_BANKD_GROUP, "num-slots", opt_num_slots, "--num-slots", error) &&
	       remsim_main_override_string (
		   config, REMSIM_BANKD_GROUP, "gsmtap", opt_gsmtap_ip, "--gsmtap-ip", error) &&
	       remsim_main_override_int (config,
					 REMSIM_BANKD_GROUP,
					 "gsmtap-slot",
					 opt_gsmtap_slot,
					 "--gsmtap-slot",
					 error) &&
	       remsim_main_override_dbus (
		   config, REMSIM_BANKD_GROUP, opt_dbus, opt_dbus_suffix, error) &&
	       remsim_main_override_string (config,
					    REMSIM_BANKD_GROUP,
					    "component-name",
					    opt_component_name,
					    "--component-name",
					    error) &&
	       remsim_main_override_hostport (config,
					      REMSIM_BANKD_GROUP,
					      "server",
					      opt_server_host,
					      "--server-host",
					      opt_server_port,
					      "--server-port",
					      1,
					      REMSIM_BANKD_DEFAULT_SERVER_PORT,
					      error) &&
	       remsim_main_override_hostport (config,
					      REMSIM_BANKD_GROUP,
					      "listen",
					      opt_bind_ip,
					      "--bind-ip",
					      opt_bind_port,
					      "--bind-port",
					      0,
					      REMSIM_BANKD_DEFAULT_LISTEN_PORT,
					      error);
}

/* upstream's behaviour when the keyfile names no card source: every slot is
 * a PC/SC reader named by bankd_pcsc_slots.csv in the working directory */
static void
remsim_bankd_main_default_sources (RemsimConfig *config, guint32 bank_id, guint num_slots)
{
	GKeyFile *kf = remsim_config_get_keyfile (config);
	g_auto (GStrv) groups = remsim_config_get_plugin_groups (config, "source");
	g_autofree gchar *slots = NULL;

	if (groups != NULL && groups[0] != NULL)
		return;
	slots = num_slots > 1 ? g_strdup_printf ("0-%u", num_slots - 1) : g_strdup ("0");
	g_key_file_set_string (kf, "source:pcsc", "plugin", "pcsc");
	g_key_file_set_string (kf, "source:pcsc", "slots", slots);
	g_key_file_set_string (kf, "source:pcsc", "csv-file", REMSIM_BANKD_PCSC_CSV);
	g_key_file_set_integer (kf, "source:pcsc", "bank-id", (gint)bank_id);
	if (opt_shared_pcsc)
		g_key_file_set_boolean (kf, "source:pcsc", "shared", TRUE);
}

/* -s applies to every pcsc source that does not say otherwise */
static void
remsim_bankd_main_apply_shared (RemsimConfig *config)
{
	GKeyFile *kf = remsim_config_get_keyfile (config);
	g_auto (GStrv) groups = remsim_config_get_plugin_groups (config, "source");

	if (!opt_shared_pcsc)
		return;
	for (guint i = 0; groups != NULL && groups[i] != NULL; i++) {
		g_autofree gchar *plugin = g_key_file_get_string (kf, groups[i], "plugin", NULL);

		if (g_strcmp0 (plugin, "pcsc") == 0 &&
		    !g_key_file_has_key (kf, groups[i], "shared", NULL))
			g_key_file_set_boolean (kf, groups[i], "shared", TRUE);
	}
}

/* one fd per client connection (and maybe per card): 1024 slots need more
 * than the usual soft limit */
static void
remsim_bankd_main_raise_nofile (void)
{
	struct rlimit rl;

	if (getrlimit (RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit (RLIMIT_NOFILE, &rl) != 0)
		g_info ("cannot raise the open file limit");
}

int
main (int argc, char **argv)
{
	g_autoptr (GOptionContext) context = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimConfig) config = NULL;
	g_autoptr (RemsimPlugins) plugins = NULL;
	g_autoptr (RemsimBankd) bankd = NULL;
	g_autoptr (GDBusConnection) bus = NULL;
	g_autoptr (RemsimBankdDBus) dbus = NULL;
	g_autofree gchar *dbus_suffix = NULL;
	GBusType bus_type = G_BUS_TYPE_NONE;
	g_autoptr (GMainLoop) loop = NULL;
	g_autofree gchar *server_host = NULL;
	g_autofree gchar *listen_host = NULL;
	g_autofree gchar *name = NULL;
	g_autofree gchar *gsmtap_host = NULL;
	g_autoptr (RemsimGsmtap) gsmtap = NULL;
	guint16 server_port = 0;
	guint16 listen_port = 0;
	guint32 bank_id;
	guint num_slots;

	context = g_option_context_new ("- serve the SIM cards of one bank to remsim clients");
	g_option_context_add_main_entries (context, remsim_bankd_options, NULL);
	if (!g_option_context_parse (context, &argc, &argv, &error))
		return remsim_bankd_main_fail (NULL, error);
	if (argc > 1) {
		g_printerr ("remsim-bankd: unexpected argument \"%s\"\n", argv[1]);
		return REMSIM_BANKD_EXIT_CONFIG;
	}
	if (opt_version) {
		g_print ("remsim-bankd %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	/* -v, -d and an Osmocom log level of info or lower show everything */
	if (opt_verbose || opt_debug_mask != NULL ||
	    (opt_log_level != G_MININT && opt_log_level <= 3))
		g_log_set_debug_enabled (TRUE);

	config =
	    remsim_config_new (remsim_dbus_config_schema (remsim_bankd_schema, REMSIM_BANKD_GROUP));
	remsim_config_allow_plugin_groups (config, "source");
	if (opt_config != NULL && !remsim_config_load_file (config, opt_config, &error))
		return remsim_bankd_main_fail (NULL, error);
	if (!remsim_bankd_main_apply_options (config, &error))
		return remsim_bankd_main_fail (NULL, error);
	if (!remsim_config_has_value (config, REMSIM_BANKD_GROUP, "server")) {
		g_printerr ("remsim-bankd: no remsim-server address: use -i/--server-host or "
			    "server= in [%s] of the keyfile\n",
			    REMSIM_BANKD_GROUP);
		return REMSIM_BANKD_EXIT_NO_SERVER;
	}

	bank_id = (guint32)remsim_config_get_int (config, REMSIM_BANKD_GROUP, "bank-id");
	num_slots = (guint)remsim_config_get_int (config, REMSIM_BANKD_GROUP, "num-slots");
	remsim_config_get_hostport (
	    config, REMSIM_BANKD_GROUP, "server", &server_host, &server_port);
	remsim_config_get_hostport (
	    config, REMSIM_BANKD_GROUP, "listen", &listen_host, &listen_port);
	name = remsim_config_get_string (config, REMSIM_BANKD_GROUP, "component-name");
	if (!remsim_dbus_config_get_bus (
		config, REMSIM_BANKD_GROUP, &bus_type, &dbus_suffix, &error))
		return remsim_bankd_main_fail ("dbus", error);
	if (bus_type != G_BUS_TYPE_NONE) {
		/* a bad suffix fails before any card is touched */
		g_autofree gchar *bus_name =
		    remsim_dbus_make_name (REMSIM_BANKD_DBUS_NAME, dbus_suffix, &error);

		if (bus_name == NULL)
			return remsim_bankd_main_fail ("D-Bus", error);
	}

	gsmtap_host = remsim_config_get_string (config, REMSIM_BANKD_GROUP, "gsmtap");
	if (gsmtap_host != NULL && *gsmtap_host != '\0') {
		gsmtap = remsim_gsmtap_new (
		    gsmtap_host,
		    remsim_config_get_int (config, REMSIM_BANKD_GROUP, "gsmtap-slot"),
		    &error);
		if (gsmtap == NULL)
			return remsim_bankd_main_fail ("gsmtap", error);
	}
	if (opt_no_color || opt_timestamp)
		g_debug ("-L/-T accepted for compatibility, without effect");

	remsim_bankd_main_default_sources (config, bank_id, num_slots);
	remsim_bankd_main_apply_shared (config);
	remsim_bankd_main_raise_nofile ();

	bankd = remsim_bankd_new (bank_id, num_slots);
	if (name != NULL && *name != '\0')
		remsim_bankd_set_component_name (bankd, name);
	remsim_bankd_set_identify_timeout (
	    bankd,
	    (guint)remsim_config_get_int (config, REMSIM_BANKD_GROUP, "identify-timeout-ms"));
	remsim_bankd_set_retry_interval (
	    bankd, (guint)remsim_config_get_int (config, REMSIM_BANKD_GROUP, "retry-interval-ms"));
	remsim_bankd_set_keepalive (
	    bankd,
	    (guint)remsim_config_get_int (config, REMSIM_BANKD_GROUP, "keepalive-interval-ms"),
	    (guint)remsim_config_get_int (config, REMSIM_BANKD_GROUP, "keepalive-timeout-ms"));

	if (gsmtap != NULL) {
		g_info ("GSMTAP tracing to %s:%d", gsmtap_host, REMSIM_GSMTAP_PORT);
		remsim_bankd_set_gsmtap (bankd, g_steal_pointer (&gsmtap));
	}

	plugins = remsim_plugins_new ();
	if (!remsim_bankd_load_card_sources (bankd,
					     plugins,
					     remsim_config_get_keyfile (config),
					     opt_config != NULL ? opt_config : "(command line)",
					     &error))
		return remsim_bankd_main_fail (NULL, error);
	if (!remsim_bankd_listen (bankd, listen_host, listen_port, &error))
		return remsim_bankd_main_fail (NULL, error);
	remsim_bankd_connect_server (bankd, server_host, server_port);

	/* D-Bus last: whoever sees the name sees every slot with its source */
	if (bus_type != G_BUS_TYPE_NONE) {
		bus = remsim_dbus_connect (bus_type, &error);
		dbus = remsim_bankd_dbus_new (bankd);
		if (bus == NULL || !remsim_bankd_dbus_start (dbus, bus, dbus_suffix, &error))
			return remsim_bankd_main_fail ("D-Bus", error);
	}

	loop = g_main_loop_new (NULL, FALSE);
	remsim_main_run (loop, "signal received, exiting");

	if (dbus != NULL)
		remsim_bankd_dbus_stop (dbus);
	g_clear_object (&dbus);
	remsim_bankd_stop (bankd);
	g_clear_object (&bankd);
	g_free (opt_config);
	g_free (opt_server_host);
	g_free (opt_component_name);
	g_free (opt_bind_ip);
	g_free (opt_gsmtap_ip);
	g_free (opt_debug_mask);
	g_free (opt_dbus);
	g_free (opt_dbus_suffix);
	return EXIT_SUCCESS;
}
