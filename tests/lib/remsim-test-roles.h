/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Helpers shared by the integration tests that run the programs in their
 * roles: the server with its usual arguments, keyfiles, slotmaps over REST,
 * stopping a program cleanly, shell commands and remsim-client with the
 * shell sink on pipes. Built on remsim-test-utils.h.
 */

#include <gio/gio.h>

#include "remsim-test-utils.h"

G_BEGIN_DECLS

/* ---- programs ---- */

/* remsim-server --rspro-listen 127.0.0.1:@rspro_port --rest-listen
 * 127.0.0.1:@rest_port --state-file @state_file [@extra...], its output in
 * @log_path; waits until both ports accept */
RemsimTestProc *remsim_test_server_spawn (guint16 rspro_port,
					  guint16 rest_port,
					  const gchar *state_file,
					  const gchar *const *extra,
					  const gchar *log_path);

/* SIGTERM and assert an exit with 0 (a test failure with the log if not);
 * with @must_be_alive it must still run before; clears *@proc; no-op on
 * NULL */
void remsim_test_proc_stop_clean (RemsimTestProc **proc, const gchar *what, gboolean must_be_alive);

/* write @text to @dir/@name (asserts); returns the path */
gchar *remsim_test_write_file (const gchar *dir, const gchar *name, const gchar *text);

/* ---- REST ---- */

/* POST /slotmaps B1:@bank_slot → C@client:@client_slot, assert 201 */
void
remsim_test_rest_map (const gchar *rest_base, guint bank_slot, guint client, guint client_slot);
/* DELETE /slotmaps/<id of B1:@bank_slot>, assert 200 */
void remsim_test_rest_unmap (const gchar *rest_base, guint bank_slot);

/* ---- shell commands ---- */

/* run "sh -c @cmdline" (in its own process group) while iterating the main
 * loop; returns the exit status (-1: stopped on timeout or failed) */
gint remsim_test_run_sh (const gchar *cmdline, gchar **out, gchar **err, guint timeout_ms);
/* run with a 20 s timeout and assert exit status 0; returns stdout */
gchar *remsim_test_run_ok (const gchar *cmdline);

/* ---- remsim-client with the shell sink on pipes ---- */

typedef struct {
	GSubprocess *proc;
	GOutputStream *in;
	GDataInputStream *out;
	GCancellable *cancellable;
	GPtrArray *lines; /* every stdout line */
	gboolean eof;
	gboolean echo;	 /* g_test_message() each stdout line */
	gchar *log_path; /* its stderr */
} RemsimTestShell;

/* spawn @argv with stdin and stdout on pipes, stderr to @log_path;
 * @messages_debug (may be NULL) as its G_MESSAGES_DEBUG; reads stdout lines
 * continuously; asserts on failure */
RemsimTestShell *remsim_test_shell_spawn (const gchar *const *argv,
					  const gchar *log_path,
					  const gchar *messages_debug,
					  gboolean echo);
/* write @text as it is (asserts) */
void remsim_test_shell_write (RemsimTestShell *self, const gchar *text);
/* its stderr log so far ("" if none) */
gchar *remsim_test_shell_read_log (RemsimTestShell *self);
guint remsim_test_shell_count_lines (RemsimTestShell *self, const gchar *line);
/* wait until stdout has had @line at least @n times; aborts the test with
 * the log and the lines if not */
void
remsim_test_shell_wait_line (RemsimTestShell *self, const gchar *line, guint n, guint timeout_ms);
/* wait until the log contains @needle at least @n times */
gboolean
remsim_test_shell_wait_log (RemsimTestShell *self, const gchar *needle, guint n, guint timeout_ms);
/* wait for EOF on stdout and the exit */
gboolean remsim_test_shell_wait_exit (RemsimTestShell *self, guint timeout_ms);
/* SIGTERM, wait and check the exit with 0 (a test failure with the log if
 * not); with @skip_if_exited nothing if it already exited (its status was
 * checked by the test) */
void remsim_test_shell_stop (RemsimTestShell *self, gboolean skip_if_exited);
/* cancel the reading, let it report back, free (no-op on NULL) */
void remsim_test_shell_free (RemsimTestShell *self);

/* wait until the cached @property of the GDBusProxy @proxy equals @value
 * (floating, consumed); aborts the test with both values if not */
void remsim_test_assert_dbus_prop (gpointer proxy,
				   const gchar *property,
				   GVariant *value,
				   guint timeout_ms);
/* run, as written, every line of the ```sh <tag> fences of the markdown file
 * @md_path (at least @min_count of them): each must exit 0; lines running
 * `... monitor ...` are stopped after 1.5 s and must have printed something */
void remsim_test_run_doc_one_liners (const gchar *md_path, const gchar *tag, guint min_count);

G_END_DECLS
