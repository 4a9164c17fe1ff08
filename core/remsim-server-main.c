/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdlib.h>

#include "remsim-config.h"
#include "remsim-dbus-common.h"
#include "remsim-main-common.h"
#include "remsim-rest.h"
#include "remsim-server-dbus.h"
#include "remsim-server.h"

#define STATE_FILE_NAME "server-slotmaps.conf"

static gchar *
remsim_server_main_default_state_file (void)
{
	const gchar *dir = g_getenv ("STATE_DIRECTORY");

	/* systemd may pass several ':'-separated directories: use the first */
	if (dir != NULL && dir[0] != '\0') {
		g_auto (GStrv) dirs = g_strsplit (dir, ":", 2);
		return g_build_filename (dirs[0], STATE_FILE_NAME, NULL);
	}
	return g_build_filename (REMSIM_LOCALSTATEDIR, STATE_FILE_NAME, NULL);
}

static gint
remsim_server_main_fail (const gchar *where, const GError *error)
{
	return remsim_main_fail ("remsim-server", where, error, EXIT_FAILURE);
}

static gboolean
remsim_server_main_override (RemsimConfig *config,
			     const gchar *key,
			     const gchar *value,
			     GError **error)
{
	g_autofree gchar *origin = g_strdup_printf ("--%s", key);

	if (value == NULL)
		return TRUE;
	return remsim_config_set_override (config, "server", key, value, origin, error);
}

int
main (int argc, char *argv[])
{
	g_autoptr (GOptionContext) context = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimConfig) config = NULL;
	g_autoptr (RemsimSlotmapStore) store = NULL;
	g_autoptr (RemsimServer) server = NULL;
	g_autoptr (RemsimRest) rest = NULL;
	g_autoptr (GDBusConnection) bus = NULL;
	g_autoptr (RemsimServerDBus) dbus = NULL;
	g_autofree gchar *dbus_opt = NULL;
	g_autofree gchar *dbus_suffix_opt = NULL;
	g_autofree gchar *dbus_suffix = NULL;
	GBusType bus_type = G_BUS_TYPE_NONE;
	g_autoptr (GMainLoop) loop = NULL;
	g_autofree gchar *config_file = NULL;
	g_autofree gchar *rspro_listen = NULL;
	g_autofree gchar *rest_listen = NULL;
	g_autofree gchar *state_file_opt = NULL;
	g_autofree gchar *ka_interval = NULL;
	g_autofree gchar *ka_timeout = NULL;
	g_autofree gchar *debug_mask = NULL;
	g_autofree gchar *state_file = NULL;
	g_autofree gchar *rspro_host = NULL;
	g_autofree gchar *rest_host = NULL;
	g_autofree gchar *rspro_str = NULL;
	g_autofree gchar *rest_str = NULL;
	guint16 rspro_port = 0;
	guint16 rest_port = 0;
	gboolean version = FALSE;
	gboolean verbose = FALSE;
	gboolean no_color = FALSE;
	const GOptionEntry entries[] = {
	    {"version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL},
	    {"debug",
	     'd',
	     0,
	     G_OPTION_ARG_STRING,
	     &debug_mask,
	     "osmo-remsim's log mask: any value shows debug messages",
	     "MASK"},
	    {"disable-color",
	     'L',
	     0,
	     G_OPTION_ARG_NONE,
	     &no_color,
	     "Accepted for compatibility with osmo-remsim (logs have no colour)",
	     NULL},
	    {"config",
	     'c',
	     0,
	     G_OPTION_ARG_FILENAME,
	     &config_file,
	     "Configuration keyfile",
	     "FILE"},
	    {"rspro-listen",
	     0,
	     0,
	     G_OPTION_ARG_STRING,
	     &rspro_listen,
	     "Address for RSPRO connections (default 0.0.0.0:9998)",
	     "ADDR[:PORT]"},
	    {"rest-listen",
	     0,
	     0,
	     G_OPTION_ARG_STRING,
	     &rest_listen,
	     "Address of the REST API (default 0.0.0.0:9997)",
	     "ADDR[:PORT]"},
	    {"state-file",
	     0,
	     0,
	     G_OPTION_ARG_FILENAME,
	     &state_file_opt,
	     "File keeping the slotmaps across restarts (\"\": in memory only)",
	     "PATH"},
	    {"keepalive-interval-ms",
	     0,
	     0,
	     G_OPTION_ARG_STRING,
	     &ka_interval,
	     "IPA PING interval, 0 disables keepalive (default 30000)",
	     "MS"},
	    {"keepalive-timeout-ms",
	     0,
	     0,
	     G_OPTION_ARG_STRING,
	     &ka_timeout,
	     "Time to wait for a PONG (default 10000)",
	     "MS"},
	    {"dbus",
	     0,
	     0,
	     G_OPTION_ARG_STRING,
	     &dbus_opt,
	     "Export the server on D-Bus: session, system or none (default none)",
	     "BUS"},
	    {"dbus-name-suffix",
	     0,
	     0,
	     G_OPTION_ARG_STRING,
	     &dbus_suffix_opt,
	     "Own org.remsim.Server.SUFFIX instead of org.remsim.Server",
	     "SUFFIX"},
	    {"verbose",
	     'v',
	     0,
	     G_OPTION_ARG_NONE,
	     &verbose,
	     "Show informational and debug messages",
	     NULL},
	    {NULL},
	};

	setlocale (LC_ALL, "");

	context = g_option_context_new (NULL);
	g_option_context_set_summary (
	    context,
	    "remsim-server: keeps the slot mappings between remsim "
	    "clients and bankds, with an osmo-remsim compatible REST API");
	g_option_context_add_main_entries (context, entries, NULL);
	if (!g_option_context_parse (context, &argc, &argv, &error))
		return remsim_server_main_fail (NULL, error);
	if (version) {
		g_print ("remsim-server %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	if (argc > 1) {
		g_printerr ("remsim-server: unexpected argument \"%s\"\n", argv[1]);
		return EXIT_FAILURE;
	}
	/* -d MASK: osmo-remsim's log mask; any mask shows debug messages, as
	 * in remsim-bankd and remsim-client */
	if (verbose || debug_mask != NULL)
		g_log_set_debug_enabled (TRUE);

	/* configuration: file, then command-line overrides */
	config = remsim_config_new (
	    remsim_dbus_config_schema (remsim_server_get_config_schema (), "server"));
	if (config_file != NULL && !remsim_config_load_file (config, config_file, &error))
		return remsim_server_main_fail (NULL, error);
	if (!remsim_server_main_override (config, "rspro-listen", rspro_listen, &error) ||
	    !remsim_server_main_override (config, "rest-listen", rest_listen, &error) ||
	    !remsim_server_main_override (config, "state-file", state_file_opt, &error) ||
	    !remsim_server_main_override (config, "keepalive-interval-ms", ka_interval, &error) ||
	    !remsim_server_main_override (config, "keepalive-timeout-ms", ka_timeout, &error) ||
	    !remsim_main_override_dbus (config, "server", dbus_opt, dbus_suffix_opt, &error))
		return remsim_server_main_fail (NULL, error);

	/* the slotmaps */
	if (remsim_config_has_value (config, "server", "state-file"))
		state_file = remsim_config_get_string (config, "server", "state-file");
	else
		state_file = remsim_server_main_default_state_file ();
	store = remsim_slotmap_store_new ();
	if (state_file != NULL && state_file[0] != '\0') {
		g_autofree gchar *dir = g_path_get_dirname (state_file);
		if (g_mkdir_with_parents (dir, 0755) != 0) {
			g_printerr ("remsim-server: cannot create %s for the state file: %s "
				    "(choose another with --state-file PATH, or --state-file \"\" "
				    "to keep the mappings in memory only)\n",
				    dir,
				    g_strerror (errno));
			return EXIT_FAILURE;
		}
		remsim_slotmap_store_set_state_file (store, state_file);
		if (!remsim_slotmap_store_load (store, &error)) {
			g_printerr ("remsim-server: %s: %s\n", state_file, error->message);
			return EXIT_FAILURE;
		}
		g_info ("state file %s: %u slotmaps restored",
			state_file,
			remsim_slotmap_store_get_all (store)->len);
	} else {
		g_info ("no state file: slotmaps are kept in memory only");
	}

	/* RSPRO */
	server = remsim_server_new (store);
	remsim_server_set_keepalive (
	    server,
	    (guint)remsim_config_get_int (config, "server", "keepalive-interval-ms"),
	    (guint)remsim_config_get_int (config, "server", "keepalive-timeout-ms"));
	remsim_server_set_identify_timeout (
	    server, (guint)remsim_config_get_int (config, "server", "identify-timeout-ms"));
	remsim_config_get_hostport (config, "server", "rspro-listen", &rspro_host, &rspro_port);
	if (!remsim_server_listen (server, rspro_host, rspro_port, &error))
		return remsim_server_main_fail ("RSPRO", error);

	/* REST */
	rest = remsim_rest_new (server);
	remsim_config_get_hostport (config, "server", "rest-listen", &rest_host, &rest_port);
	if (!remsim_rest_listen (rest, rest_host, rest_port, &error))
		return remsim_server_main_fail ("REST", error);

	/* D-Bus */
	if (!remsim_dbus_config_get_bus (config, "server", &bus_type, &dbus_suffix, &error))
		return remsim_server_main_fail ("dbus", error);
	if (bus_type != G_BUS_TYPE_NONE) {
		bus = remsim_dbus_connect (bus_type, &error);
		dbus = remsim_server_dbus_new (server);
		if (bus == NULL || !remsim_server_dbus_start (dbus, bus, dbus_suffix, &error))
			return remsim_server_main_fail ("D-Bus", error);
	}

	loop = g_main_loop_new (NULL, FALSE);
	rspro_str = remsim_main_format_hostport (rspro_host, remsim_server_get_port (server));
	rest_str = remsim_main_format_hostport (rest_host, remsim_rest_get_port (rest));
	g_message ("listening: RSPRO on %s, REST on %s", rspro_str, rest_str);

	remsim_main_run (loop, "shutting down");
	if (dbus != NULL)
		remsim_server_dbus_stop (dbus);
	remsim_rest_stop (rest);
	remsim_server_stop (server);
	return EXIT_SUCCESS;
}
