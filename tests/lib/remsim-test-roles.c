/* SPDX-License-Identifier: GPL-2.0-or-later */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "remsim-test-roles.h"

#define API_SLOTMAPS "/slotmaps"

/* ---- programs ---- */

RemsimTestProc *
remsim_test_server_spawn (guint16 rspro_port,
			  guint16 rest_port,
			  const gchar *state_file,
			  const gchar *const *extra,
			  const gchar *log_path)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
	RemsimTestProc *proc;

	g_ptr_array_add (argv, g_strdup (remsim_test_program ("REMSIM_SERVER_BIN")));
	g_ptr_array_add (argv, g_strdup ("--rspro-listen"));
	g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", rspro_port));
	g_ptr_array_add (argv, g_strdup ("--rest-listen"));
	g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", rest_port));
	g_ptr_array_add (argv, g_strdup ("--state-file"));
	g_ptr_array_add (argv, g_strdup (state_file));
	for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
		g_ptr_array_add (argv, g_strdup (extra[i]));
	g_ptr_array_add (argv, NULL);

	proc = remsim_test_proc_spawn ((const gchar *const *)argv->pdata, log_path, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_wait_port (rspro_port, 15000));
	g_assert_true (remsim_test_wait_port (rest_port, 15000));
	return proc;
}

void
remsim_test_proc_stop_clean (RemsimTestProc **proc, const gchar *what, gboolean must_be_alive)
{
	if (*proc == NULL)
		return;
	if (must_be_alive)
		g_assert_true (remsim_test_proc_is_alive (*proc));
	g_assert_true (remsim_test_proc_signal_and_wait (*proc, SIGTERM, 15000));
	if (!remsim_test_proc_exited_with (*proc, 0, 0)) {
		g_autofree gchar *log = remsim_test_proc_read_log (*proc);

		g_test_message ("%s log:\n%s", what, log);
		g_test_fail_printf ("%s did not exit with 0 on SIGTERM", what);
	}
	g_clear_pointer (proc, remsim_test_proc_free);
}

gchar *
remsim_test_write_file (const gchar *dir, const gchar *name, const gchar *text)
{
	g_autoptr (GError) error = NULL;
	gchar *path = g_build_filename (dir, name, NULL);

	g_file_set_contents (path, text, -1, &error);
	g_assert_no_error (error);
	return path;
}

/* ---- REST ---- */

void
remsim_test_rest_map (const gchar *rest_base, guint bank_slot, guint client, guint client_slot)
{
	g_autofree gchar *body = g_strdup_printf (
	    "{\"bank\":{\"bankId\":1,\"slotNr\":%u},\"client\":{\"clientId\":%u,\"slotNr\":%u}}",
	    bank_slot,
	    client,
	    client_slot);
	g_autoptr (RemsimTestHttpResponse) r =
	    remsim_test_http_post_json (rest_base, API_SLOTMAPS, body);

	g_assert_null (r->error);
	g_assert_cmpuint (r->status, ==, 201);
}

void
remsim_test_rest_unmap (const gchar *rest_base, guint bank_slot)
{
	/* the id of a slotmap: bank id << 16 | bank slot */
	g_autofree gchar *path = g_strdup_printf (API_SLOTMAPS "/%u", 65536 + bank_slot);
	g_autoptr (RemsimTestHttpResponse) r = remsim_test_http_delete (rest_base, path);

	g_assert_null (r->error);
	g_assert_cmpuint (r->status, ==, 200);
}

/* ---- shell commands ---- */

typedef struct {
	gboolean done;
	gchar *out;
	gchar *err;
	GError *error;
} CmdResult;

static void
cmd_communicate_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	CmdResult *r = user_data;

	g_subprocess_communicate_utf8_finish (
	    G_SUBPROCESS (source), res, &r->out, &r->err, &r->error);
	r->done = TRUE;
}

static void
cmd_child_setup (gpointer user_data)
{
	/* own process group: a timeout stops the shell and what it started */
	setpgid (0, 0);
}

gint
remsim_test_run_sh (const gchar *cmdline, gchar **out, gchar **err, guint timeout_ms)
{
	g_autoptr (GSubprocessLauncher) launcher = NULL;
	g_autoptr (GSubprocess) proc = NULL;
	g_autoptr (GError) error = NULL;
	CmdResult r = {0};
	gint status = -1;

	launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
					      G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_subprocess_launcher_set_child_setup (launcher, cmd_child_setup, NULL, NULL);
	proc = g_subprocess_launcher_spawn (launcher, &error, "sh", "-c", cmdline, NULL);
	g_assert_no_error (error);
	g_subprocess_communicate_utf8_async (proc, NULL, NULL, cmd_communicate_cb, &r);
	if (!remsim_test_wait_flag (&r.done, timeout_ms)) {
		const gchar *id = g_subprocess_get_identifier (proc);
		if (id != NULL)
			kill (-(pid_t)g_ascii_strtoll (id, NULL, 10), SIGTERM);
		if (!remsim_test_wait_flag (&r.done, REMSIM_TEST_TIMEOUT_MS))
			g_error ("\"%s\" did not stop on SIGTERM", cmdline);
		g_test_message ("stopped after %u ms: %s", timeout_ms, cmdline);
	} else if (r.error == NULL) {
		g_subprocess_wait (proc, NULL, NULL);
		if (g_subprocess_get_if_exited (proc))
			status = g_subprocess_get_exit_status (proc);
	}
	if (r.error != NULL)
		g_test_message ("%s: %s", cmdline, r.error->message);
	g_clear_error (&r.error);
	if (out != NULL)
		*out = g_steal_pointer (&r.out);
	if (err != NULL)
		*err = g_steal_pointer (&r.err);
	g_free (r.out);
	g_free (r.err);
	return status;
}

gchar *
remsim_test_run_ok (const gchar *cmdline)
{
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	gint status = remsim_test_run_sh (cmdline, &out, &err, 20000);

	if (status != 0)
		g_error (
		    "\"%s\" exited with %d\nstdout: %s\nstderr: %s", cmdline, status, out, err);
	return g_steal_pointer (&out);
}

/* ---- remsim-client with the shell sink on pipes ---- */

static void shell_read_next (RemsimTestShell *self);

static void
shell_read_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimTestShell *self = user_data;
	g_autoptr (GError) error = NULL;
	gchar *line;

	line = g_data_input_stream_read_line_finish_utf8 (
	    G_DATA_INPUT_STREAM (source), res, NULL, &error);
	if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (line == NULL) {
		self->eof = TRUE;
		return;
	}
	if (self->echo)
		g_test_message ("client stdout: %s", line);
	g_ptr_array_add (self->lines, line);
	shell_read_next (self);
}

static void
shell_read_next (RemsimTestShell *self)
{
	g_data_input_stream_read_line_async (
	    self->out, G_PRIORITY_DEFAULT, self->cancellable, shell_read_cb, self);
}

RemsimTestShell *
remsim_test_shell_spawn (const gchar *const *argv,
			 const gchar *log_path,
			 const gchar *messages_debug,
			 gboolean echo)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GSubprocessLauncher) launcher = NULL;
	RemsimTestShell *self = g_new0 (RemsimTestShell, 1);

	self->log_path = g_strdup (log_path);
	self->echo = echo;
	launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
					      G_SUBPROCESS_FLAGS_STDOUT_PIPE);
	g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
	if (messages_debug != NULL)
		g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", messages_debug, TRUE);
	self->proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
	g_assert_no_error (error);
	self->in = g_object_ref (g_subprocess_get_stdin_pipe (self->proc));
	self->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->proc));
	self->lines = g_ptr_array_new_with_free_func (g_free);
	self->cancellable = g_cancellable_new ();
	shell_read_next (self);
	return self;
}

void
remsim_test_shell_write (RemsimTestShell *self, const gchar *text)
{
	g_autoptr (GError) error = NULL;

	g_assert_true (
	    g_output_stream_write_all (self->in, text, strlen (text), NULL, NULL, &error));
	g_assert_no_error (error);
}

gchar *
remsim_test_shell_read_log (RemsimTestShell *self)
{
	gchar *text = NULL;

	if (self->log_path == NULL || !g_file_get_contents (self->log_path, &text, NULL, NULL))
		return g_strdup ("");
	return text;
}

guint
remsim_test_shell_count_lines (RemsimTestShell *self, const gchar *line)
{
	guint n = 0;

	for (guint i = 0; i < self->lines->len; i++)
		n += g_strcmp0 (g_ptr_array_index (self->lines, i), line) == 0;
	return n;
}

typedef struct {
	RemsimTestShell *self;
	const gchar *text;
	guint n;
} ShellWait;

static gboolean
line_count_cond (gpointer user_data)
{
	ShellWait *w = user_data;

	return remsim_test_shell_count_lines (w->self, w->text) >= w->n;
}

void
remsim_test_shell_wait_line (RemsimTestShell *self, const gchar *line, guint n, guint timeout_ms)
{
	ShellWait w = {self, line, n};

	if (!remsim_test_wait_until (line_count_cond, &w, timeout_ms)) {
		g_autofree gchar *log = remsim_test_shell_read_log (self);

		g_test_message ("client log:\n%s", log);
		if (!self->echo)
			for (guint i = 0; i < self->lines->len; i++)
				g_test_message ("client stdout: %s",
						(const gchar *)g_ptr_array_index (self->lines, i));
		g_error ("no %u× \"%s\" on the client's stdout within %u ms: only %u",
			 n,
			 line,
			 timeout_ms,
			 remsim_test_shell_count_lines (self, line));
	}
}

static gboolean
log_count_cond (gpointer user_data)
{
	ShellWait *w = user_data;
	g_autofree gchar *log = remsim_test_shell_read_log (w->self);
	guint n = 0;

	for (const gchar *p = strstr (log, w->text); p != NULL; p = strstr (p + 1, w->text))
		n++;
	return n >= w->n;
}

gboolean
remsim_test_shell_wait_log (RemsimTestShell *self, const gchar *needle, guint n, guint timeout_ms)
{
	ShellWait w = {self, needle, n};

	return remsim_test_wait_until (log_count_cond, &w, timeout_ms);
}

static gboolean
exited_cond (gpointer user_data)
{
	RemsimTestShell *self = user_data;

	return self->eof && g_subprocess_get_identifier (self->proc) == NULL;
}

gboolean
remsim_test_shell_wait_exit (RemsimTestShell *self, guint timeout_ms)
{
	return remsim_test_wait_until (exited_cond, self, timeout_ms);
}

void
remsim_test_shell_stop (RemsimTestShell *self, gboolean skip_if_exited)
{
	if (self == NULL)
		return;
	if (skip_if_exited && g_subprocess_get_identifier (self->proc) == NULL)
		return;
	g_subprocess_send_signal (self->proc, SIGTERM);
	g_assert_true (remsim_test_shell_wait_exit (self, 15000));
	if (!g_subprocess_get_if_exited (self->proc) ||
	    g_subprocess_get_exit_status (self->proc) != 0) {
		g_autofree gchar *log = remsim_test_shell_read_log (self);

		g_test_message ("client log:\n%s", log);
		g_test_fail_printf ("remsim-client did not exit with 0 on SIGTERM");
	}
}

void
remsim_test_shell_free (RemsimTestShell *self)
{
	if (self == NULL)
		return;
	g_cancellable_cancel (self->cancellable);
	/* the cancelled read reports back */
	while (g_main_context_iteration (NULL, FALSE))
		;
	g_clear_object (&self->in);
	g_clear_object (&self->out);
	g_clear_object (&self->cancellable);
	g_clear_object (&self->proc);
	g_clear_pointer (&self->lines, g_ptr_array_unref);
	g_free (self->log_path);
	g_free (self);
}

typedef struct {
	GDBusProxy *proxy;
	const gchar *property;
	GVariant *value;
} RemsimTestPropWait;

static gboolean
remsim_test_prop_is_cb (gpointer user_data)
{
	RemsimTestPropWait *w = user_data;
	g_autoptr (GVariant) v = g_dbus_proxy_get_cached_property (w->proxy, w->property);

	return v != NULL && g_variant_equal (v, w->value);
}

void
remsim_test_assert_dbus_prop (gpointer proxy,
			      const gchar *property,
			      GVariant *value,
			      guint timeout_ms)
{
	g_autoptr (GVariant) expected = g_variant_ref_sink (value);
	RemsimTestPropWait w = {G_DBUS_PROXY (proxy), property, expected};

	if (!remsim_test_wait_until (remsim_test_prop_is_cb, &w, timeout_ms)) {
		g_autoptr (GVariant) v = g_dbus_proxy_get_cached_property (w.proxy, property);
		g_autofree gchar *got = v != NULL ? g_variant_print (v, TRUE) : g_strdup ("(none)");
		g_autofree gchar *want = g_variant_print (expected, TRUE);
		g_error ("%s: %s is %s, expected %s",
			 g_dbus_proxy_get_object_path (w.proxy),
			 property,
			 got,
			 want);
	}
}

/* the lines of every ```sh <tag> fence */
static GPtrArray *
remsim_test_doc_one_liners (const gchar *path, const gchar *tag)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *opening = g_strdup_printf ("```sh %s", tag);
	g_auto (GStrv) lines = NULL;
	GPtrArray *cmds = g_ptr_array_new_with_free_func (g_free);
	gboolean in_fence = FALSE;

	g_assert_true (g_file_get_contents (path, &text, NULL, &error));
	g_assert_no_error (error);
	lines = g_strsplit (text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *l = lines[i];
		if (!in_fence) {
			in_fence = g_str_equal (g_strchomp (lines[i]), opening);
			continue;
		}
		if (g_str_has_prefix (l, "```")) {
			in_fence = FALSE;
			continue;
		}
		if (l[0] == '\0' || l[0] == '#')
			continue;
		g_ptr_array_add (cmds, g_strdup (l));
	}
	return cmds;
}

void
remsim_test_run_doc_one_liners (const gchar *md_path, const gchar *tag, guint min_count)
{
	g_autoptr (GPtrArray) cmds = remsim_test_doc_one_liners (md_path, tag);

	g_assert_cmpuint (cmds->len, >=, min_count);
	for (guint i = 0; i < cmds->len; i++) {
		const gchar *cmd = g_ptr_array_index (cmds, i);
		g_autofree gchar *out = NULL;
		g_autofree gchar *err = NULL;
		gboolean endless = strstr (cmd, " monitor ") != NULL;
		gint status;

		/* monitors run until stopped: give them a second */
		status = remsim_test_run_sh (cmd, &out, &err, endless ? 1500 : 20000);
		g_test_message ("$ %s\n%s%s", cmd, out, err);
		if (endless) {
			/* it ran and said something ("Monitoring ...") */
			g_assert_cmpuint (strlen (out) + strlen (err), >, 0);
			continue;
		}
		if (status != 0)
			g_error (
			    "%s: \"%s\" exited with %d:\n%s%s", md_path, cmd, status, out, err);
	}
}
