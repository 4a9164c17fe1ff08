/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "remsim-event-script.h"

/* the parent's variables a script may see; everything else is dropped so
 * that secrets in the daemon's environment do not leak into scripts */
static const gchar *const remsim_event_script_env_keep[] = {
    "USER",
    "LOGNAME",
    "HOME",
    "LANG",
    "LC_ALL",
    "LC_COLLATE",
    "LC_CTYPE",
    "LC_MESSAGES",
    "LC_MONETARY",
    "LC_NUMERIC",
    "LC_TIME",
    "PATH",
    "PWD",
    "SHELL",
    "TERM",
    "TMPDIR",
    "LD_LIBRARY_PATH",
    "LD_PRELOAD",
    "POSIXLY_CORRECT",
    "HOSTALIASES",
    "TZ",
    "TZDIR",
    "TERMCAP",
    "COLUMNS",
    "LINES",
    NULL,
};

typedef struct {
	GSubprocess *proc;
	gchar *desc;
	GSource *timeout_source;
	gboolean killed;
} RemsimEventScriptChild;

static guint remsim_event_script_n_running = 0;

static void
remsim_event_script_child_free (RemsimEventScriptChild *child)
{
	if (child->timeout_source != NULL) {
		g_source_destroy (child->timeout_source);
		g_source_unref (child->timeout_source);
	}
	g_clear_object (&child->proc);
	g_free (child->desc);
	g_free (child);
}

static void
remsim_event_script_child_setup (gpointer user_data)
{
	/* own process group, so a timeout kills whatever the script started */
	(void)setpgid (0, 0);
}

static gboolean
remsim_event_script_timeout_cb (gpointer user_data)
{
	RemsimEventScriptChild *child = user_data;
	const gchar *ident = g_subprocess_get_identifier (child->proc);

	g_clear_pointer (&child->timeout_source, g_source_unref);
	if (ident != NULL) {
		pid_t pid = (pid_t)g_ascii_strtoll (ident, NULL, 10);

		g_warning ("%s: still running after the timeout, killing it", child->desc);
		child->killed = TRUE;
		if (pid > 0 && kill (-pid, SIGKILL) != 0)
			g_subprocess_force_exit (child->proc);
	}
	return G_SOURCE_REMOVE;
}

static void
remsim_event_script_wait_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimEventScriptChild *child = user_data;
	g_autoptr (GError) error = NULL;

	remsim_event_script_n_running--;
	if (!g_subprocess_wait_finish (G_SUBPROCESS (source), res, &error)) {
		g_warning ("%s: %s", child->desc, error->message);
	} else if (child->killed) {
		/* already logged */
	} else if (g_subprocess_get_if_signaled (child->proc)) {
		g_warning ("%s: killed by signal %d",
			   child->desc,
			   g_subprocess_get_term_sig (child->proc));
	} else if (g_subprocess_get_exit_status (child->proc) != 0) {
		g_warning ("%s: exited with status %d",
			   child->desc,
			   g_subprocess_get_exit_status (child->proc));
	} else {
		g_debug ("%s: done", child->desc);
	}
	remsim_event_script_child_free (child);
}

static gchar **
remsim_event_script_build_env (const gchar *cause, const gchar *const *vars)
{
	g_auto (GStrv) parent = g_get_environ ();
	g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
	g_autofree gchar *cause_var = g_strdup_printf ("REMSIM_CAUSE=%s", cause);

	for (guint i = 0; remsim_event_script_env_keep[i] != NULL; i++) {
		const gchar *value = g_environ_getenv (parent, remsim_event_script_env_keep[i]);

		if (value != NULL) {
			g_autofree gchar *var =
			    g_strdup_printf ("%s=%s", remsim_event_script_env_keep[i], value);

			g_strv_builder_add (builder, var);
		}
	}
	for (guint i = 0; vars != NULL && vars[i] != NULL; i++)
		g_strv_builder_add (builder, vars[i]);
	g_strv_builder_add (builder, cause_var);
	return g_strv_builder_end (builder);
}

gboolean
remsim_event_script_run (const gchar *script,
			 const gchar *cause,
			 const gchar *const *vars,
			 guint timeout_ms,
			 const gchar *log_prefix)
{
	g_autoptr (GSubprocessLauncher) launcher = NULL;
	g_autoptr (GError) error = NULL;
	g_auto (GStrv) env = NULL;
	g_autofree gchar *cmd = NULL;
	RemsimEventScriptChild *child;
	GSubprocess *proc;
	gint out_fd;

	g_return_val_if_fail (script != NULL, FALSE);
	g_return_val_if_fail (cause != NULL, FALSE);

	cmd = g_strdup_printf ("%s %s", script, cause);
	env = remsim_event_script_build_env (cause, vars);

	/* stdin is /dev/null (a shell sink may own ours); the script's output
	 * goes to our stderr, never into a sink's stdout stream */
	launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
	g_subprocess_launcher_set_environ (launcher, env);
	g_subprocess_launcher_set_child_setup (
	    launcher, remsim_event_script_child_setup, NULL, NULL);
	out_fd = fcntl (STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (out_fd >= 0)
		g_subprocess_launcher_take_stdout_fd (launcher, out_fd);

	proc = g_subprocess_launcher_spawn (launcher, &error, "/bin/sh", "-c", cmd, NULL);
	if (proc == NULL) {
		g_warning ("%s%sevent script '%s': cannot start: %s",
			   log_prefix != NULL ? log_prefix : "",
			   log_prefix != NULL ? ": " : "",
			   cmd,
			   error->message);
		return FALSE;
	}

	child = g_new0 (RemsimEventScriptChild, 1);
	child->proc = proc;
	child->desc = g_strdup_printf ("%s%sevent script '%s'",
				       log_prefix != NULL ? log_prefix : "",
				       log_prefix != NULL ? ": " : "",
				       cmd);
	g_debug ("%s: started", child->desc);
	if (timeout_ms > 0) {
		child->timeout_source = g_timeout_source_new (timeout_ms);
		g_source_set_callback (
		    child->timeout_source, remsim_event_script_timeout_cb, child, NULL);
		g_source_attach (child->timeout_source, g_main_context_get_thread_default ());
	}
	remsim_event_script_n_running++;
	g_subprocess_wait_async (proc, NULL, remsim_event_script_wait_cb, child);
	return TRUE;
}

guint
remsim_event_script_get_n_running (void)
{
	return remsim_event_script_n_running;
}
