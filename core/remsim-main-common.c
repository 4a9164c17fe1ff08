/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <string.h>

#include "remsim-main-common.h"

gchar *
remsim_main_format_hostport (const gchar *host, guint16 port)
{
	g_return_val_if_fail (host != NULL, NULL);

	if (strchr (host, ':') != NULL)
		return g_strdup_printf ("[%s]:%u", host, port);
	return g_strdup_printf ("%s:%u", host, port);
}

gboolean
remsim_main_override_string (RemsimConfig *config,
			     const gchar *group,
			     const gchar *key,
			     const gchar *value,
			     const gchar *origin,
			     GError **error)
{
	if (value == NULL)
		return TRUE;
	return remsim_config_set_override (config, group, key, value, origin, error);
}

gboolean
remsim_main_override_int (RemsimConfig *config,
			  const gchar *group,
			  const gchar *key,
			  gint value,
			  const gchar *origin,
			  GError **error)
{
	g_autofree gchar *str = NULL;

	if (value == G_MININT)
		return TRUE;
	str = g_strdup_printf ("%d", value);
	return remsim_config_set_override (config, group, key, str, origin, error);
}

gboolean
remsim_main_override_dbus (RemsimConfig *config,
			   const gchar *group,
			   const gchar *dbus,
			   const gchar *suffix,
			   GError **error)
{
	return remsim_main_override_string (config, group, "dbus", dbus, "--dbus", error) &&
	       remsim_main_override_string (
		   config, group, "dbus-name-suffix", suffix, "--dbus-name-suffix", error);
}

gboolean
remsim_main_override_hostport (RemsimConfig *config,
			       const gchar *group,
			       const gchar *key,
			       const gchar *host,
			       const gchar *host_origin,
			       gint port,
			       const gchar *port_origin,
			       gint min_port,
			       guint16 default_port,
			       GError **error)
{
	g_autofree gchar *cur_host = NULL;
	g_autofree gchar *value = NULL;
	guint16 cur_port = default_port;

	if (host == NULL && port == G_MININT)
		return TRUE;
	if (port != G_MININT && (port < min_port || port > 65535)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "%s: expected a port in %d..65535, got %d",
			     port_origin,
			     min_port,
			     port);
		return FALSE;
	}
	if (!remsim_config_get_hostport (config, group, key, &cur_host, &cur_port)) {
		/* no value and no default */
		g_clear_pointer (&cur_host, g_free);
		cur_port = default_port;
	}
	if (host != NULL) {
		g_free (cur_host);
		cur_host = g_strdup (host);
	}
	if (port != G_MININT)
		cur_port = (guint16)port;
	if (cur_host == NULL)
		return TRUE;
	value = remsim_main_format_hostport (cur_host, cur_port);
	return remsim_config_set_override (
	    config, group, key, value, host != NULL ? host_origin : port_origin, error);
}

gint
remsim_main_fail (const gchar *program, const gchar *where, const GError *error, gint status)
{
	g_printerr ("%s: %s%s%s\n",
		    program,
		    where != NULL ? where : "",
		    where != NULL ? ": " : "",
		    error->message);
	return status;
}

typedef struct {
	GMainLoop *loop;
	const gchar *message;
} RemsimMainQuit;

static gboolean
remsim_main_quit_cb (gpointer user_data)
{
	RemsimMainQuit *quit = user_data;

	g_message ("%s", quit->message);
	g_main_loop_quit (quit->loop);
	return G_SOURCE_CONTINUE;
}

void
remsim_main_run (GMainLoop *loop, const gchar *quit_message)
{
	RemsimMainQuit quit = {loop, quit_message};
	guint sigint_id;
	guint sigterm_id;

	g_return_if_fail (loop != NULL);

	sigint_id = g_unix_signal_add (SIGINT, remsim_main_quit_cb, &quit);
	sigterm_id = g_unix_signal_add (SIGTERM, remsim_main_quit_cb, &quit);
	g_main_loop_run (loop);
	g_source_remove (sigint_id);
	g_source_remove (sigterm_id);
}
