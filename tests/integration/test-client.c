/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Integration tests of remsim-client: the real remsim-server, remsim-bankd
 * (testcard plugin) and remsim-client started with osmo-remsim-client's
 * options and no keyfile, i.e. the shell sink on its stdin/stdout. The test
 * maps slots over REST, writes C-APDUs to the client's stdin and reads the
 * SET_ATR:/R-APDU: lines it prints.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "remsim-test-roles.h"

#define API "/api/backend/v1"

#define TESTCARD_ATR_LINE                                                                          \
	"SET_ATR: 3b 9f 96 80 1f c7 80 31 a0 73 be 21 13 67 43 20 07 18 00 00 01 a5 "
#define SLOT1_ATR_LINE "SET_ATR: 3b 02 14 50 "

/* a C-APDU with data (the testcard echoes it) and one with Le */
#define SELECT_MF	 "a0 a4 00 00 02 3f 00"
#define SELECT_MF_ANSWER "R-APDU: 3f 00 90 00 "
#define READ_4		 "A0B0000004"
#define READ_4_ANSWER	 "R-APDU: 00 01 02 03 90 00 "

typedef struct {
	gchar *tmpdir;
	gchar *state_file;
	guint16 rspro_port;
	guint16 rest_port;
	guint16 bankd_port;
	gchar *rest_base;
	RemsimTestProc *server;
	guint n_server_starts;
	RemsimTestProc *bankd;
	guint n_bankd_starts;
	gchar *bankd_conf;

	/* the client and its stdio */
	RemsimTestShell *client;
	gchar *script_out;
} Fixture;

/* ---- processes ---- */

static void
server_start (Fixture *f)
{
	g_autofree gchar *log = NULL;

	f->n_server_starts++;
	log = g_strdup_printf ("%s/server-%u.log", f->tmpdir, f->n_server_starts);
	f->server =
	    remsim_test_server_spawn (f->rspro_port, f->rest_port, f->state_file, NULL, log);
}

/* 2 slots: B1:0 the default testcard, B1:1 one with its own ATR */
static void
bankd_spawn (Fixture *f)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *log = NULL;
	const gchar *argv[] = {remsim_test_program ("REMSIM_BANKD_BIN"), "-c", NULL, NULL};

	if (f->bankd_conf == NULL) {
		g_autofree gchar *conf = g_strdup_printf ("[bankd]\n"
							  "bank-id=1\n"
							  "num-slots=2\n"
							  "server=127.0.0.1:%u\n"
							  "listen=127.0.0.1:%u\n"
							  "\n"
							  "[source:cards]\n"
							  "plugin=testcard\n"
							  "slots=0\n"
							  "\n"
							  "[source:other]\n"
							  "plugin=testcard\n"
							  "slots=1\n"
							  "atr=3b 02 14 50\n",
							  f->rspro_port,
							  f->bankd_port);

		f->bankd_conf = remsim_test_write_file (f->tmpdir, "bankd.conf", conf);
	}
	argv[2] = f->bankd_conf;
	f->n_bankd_starts++;
	log = g_strdup_printf ("%s/bankd-%u.log", f->tmpdir, f->n_bankd_starts);
	f->bankd = remsim_test_proc_spawn (argv, log, &error);
	g_assert_no_error (error);
}

/* remsim-client -i 127.0.0.1 -p PORT -c 1 -n 0 -e SCRIPT, with pipes */
static void
client_start (Fixture *f)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *port = g_strdup_printf ("%u", f->rspro_port);
	g_autofree gchar *script = NULL;
	g_autofree gchar *script_path = g_build_filename (f->tmpdir, "event.sh", NULL);
	g_autofree gchar *log = g_build_filename (f->tmpdir, "client.log", NULL);
	const gchar *argv[] = {remsim_test_program ("REMSIM_CLIENT_BIN"),
			       "-i",
			       "127.0.0.1",
			       "-p",
			       port,
			       "-c",
			       "1",
			       "-n",
			       "0",
			       "-e",
			       script_path,
			       NULL};

	/* the event script appends its cause and environment */
	f->script_out = g_build_filename (f->tmpdir, "events.txt", NULL);
	script = g_strdup_printf ("#!/bin/sh\n"
				  "echo \"$1 $REMSIM_CAUSE $REMSIM_CLIENT_SLOT $REMSIM_BANKD_SLOT "
				  "$REMSIM_SERVER_ADDR $REMSIM_SERVER_STATE $REMSIM_BANKD_STATE "
				  "${REMSIM_CLIENT_VERSION:+version}\" >> %s\n",
				  f->script_out);
	g_file_set_contents (script_path, script, -1, &error);
	g_assert_no_error (error);
	g_assert_cmpint (g_chmod (script_path, 0755), ==, 0);

	f->client = remsim_test_shell_spawn (argv, log, "remsim", TRUE);
}

/* ---- fixture ---- */

static void
fixture_setup (Fixture *f, gconstpointer user_data)
{
	f->tmpdir = remsim_test_mkdtemp ();
	f->state_file = g_build_filename (f->tmpdir, "slotmaps.state", NULL);
	f->rspro_port = remsim_test_free_port ();
	do
		f->rest_port = remsim_test_free_port ();
	while (f->rest_port == f->rspro_port);
	do
		f->bankd_port = remsim_test_free_port ();
	while (f->bankd_port == f->rspro_port || f->bankd_port == f->rest_port);
	f->rest_base = g_strdup_printf ("http://127.0.0.1:%u" API, f->rest_port);
	server_start (f);
	bankd_spawn (f);
	g_assert_true (remsim_test_wait_port (f->bankd_port, 15000));
	client_start (f);
}

static void
fixture_teardown (Fixture *f, gconstpointer user_data)
{
	/* a test that ended the client itself checked its status */
	remsim_test_shell_stop (f->client, TRUE);
	g_clear_pointer (&f->client, remsim_test_shell_free);
	remsim_test_proc_stop_clean (&f->bankd, "remsim-bankd", TRUE);
	remsim_test_proc_stop_clean (&f->server, "remsim-server", TRUE);
	if (g_test_failed ())
		g_test_message ("keeping %s for inspection", f->tmpdir);
	else
		remsim_test_rmdir (f->tmpdir);
	g_free (f->script_out);
	g_free (f->tmpdir);
	g_free (f->state_file);
	g_free (f->rest_base);
	g_free (f->bankd_conf);
}

/* ---- tests ---- */

/* APDUs through the whole chain, RESET, the event script, EOF → exit 0 */
static void
test_shell_apdus (Fixture *f, gconstpointer user_data)
{
	g_autofree gchar *events = NULL;

	remsim_test_rest_map (f->rest_base, 0, 1, 0);
	remsim_test_shell_wait_line (f->client, TESTCARD_ATR_LINE, 1, REMSIM_TEST_TIMEOUT_MS);
	remsim_test_shell_write (f->client, SELECT_MF "\n");
	remsim_test_shell_write (f->client, READ_4 "\n");
	remsim_test_shell_wait_line (f->client, SELECT_MF_ANSWER, 1, REMSIM_TEST_TIMEOUT_MS);
	remsim_test_shell_wait_line (f->client, READ_4_ANSWER, 1, REMSIM_TEST_TIMEOUT_MS);

	/* RESET: a cold reset at the bankd, which sends the ATR again */
	remsim_test_shell_write (f->client, "RESET\n");
	remsim_test_shell_wait_line (f->client, TESTCARD_ATR_LINE, 2, REMSIM_TEST_TIMEOUT_MS);
	remsim_test_shell_write (f->client, READ_4 "\n");
	remsim_test_shell_wait_line (f->client, READ_4_ANSWER, 2, REMSIM_TEST_TIMEOUT_MS);
	/* a second RESET works too */
	remsim_test_shell_write (f->client, "reset\n");
	remsim_test_shell_wait_line (f->client, TESTCARD_ATR_LINE, 3, REMSIM_TEST_TIMEOUT_MS);

	/* the lines come in order: ATR, then one answer per command */
	g_assert_cmpstr (g_ptr_array_index (f->client->lines, 0), ==, TESTCARD_ATR_LINE);
	g_assert_cmpstr (g_ptr_array_index (f->client->lines, 1), ==, SELECT_MF_ANSWER);
	g_assert_cmpstr (g_ptr_array_index (f->client->lines, 2), ==, READ_4_ANSWER);

	/* EOF: pending commands are answered, then the client exits 0 */
	remsim_test_shell_write (f->client, SELECT_MF "\n");
	g_assert_true (g_output_stream_close (f->client->in, NULL, NULL));
	g_assert_true (remsim_test_shell_wait_exit (f->client, 15000));
	g_assert_true (g_subprocess_get_if_exited (f->client->proc));
	g_assert_cmpint (g_subprocess_get_exit_status (f->client->proc), ==, 0);
	g_assert_cmpuint (remsim_test_shell_count_lines (f->client, SELECT_MF_ANSWER), ==, 2);

	/* the event script ran for the first events, with the environment */
	g_assert_true (g_file_get_contents (f->script_out, &events, NULL, NULL));
	g_test_message ("events:\n%s", events);
	g_assert_nonnull (strstr (events, "event-server-connect event-server-connect 1:0 "));
	g_assert_nonnull (strstr (events, "event-config-bankd event-config-bankd 1:0 1:0 "));
	g_assert_nonnull (strstr (events, "event-bankd-connect"));
	g_assert_nonnull (strstr (events, "request-card-insert"));
	g_assert_nonnull (strstr (events, " CONNECTED "));
	g_assert_nonnull (strstr (events, " version\n"));
}

/* a failed command makes the exit status non-zero */
static void
test_shell_bad_line (Fixture *f, gconstpointer user_data)
{
	remsim_test_rest_map (f->rest_base, 0, 1, 0);
	remsim_test_shell_wait_line (f->client, TESTCARD_ATR_LINE, 1, REMSIM_TEST_TIMEOUT_MS);
	remsim_test_shell_write (f->client, "this is not hex\n");
	remsim_test_shell_write (f->client, READ_4 "\n");
	remsim_test_shell_wait_line (f->client, READ_4_ANSWER, 1, REMSIM_TEST_TIMEOUT_MS);
	g_assert_true (g_output_stream_close (f->client->in, NULL, NULL));
	g_assert_true (remsim_test_shell_wait_exit (f->client, 15000));
	g_assert_true (g_subprocess_get_if_exited (f->client->proc));
	g_assert_cmpint (g_subprocess_get_exit_status (f->client->proc), ==, 2);
	g_assert_true (remsim_test_shell_wait_log (f->client, "not a C-APDU", 1, 1000));
}

/* removing the map disconnects the client from the bankd; a command waits
 * for the card; a new map (to another slot) brings the card back */
static void
test_mapping_changes (Fixture *f, gconstpointer user_data)
{
	remsim_test_rest_map (f->rest_base, 0, 1, 0);
	remsim_test_shell_wait_line (f->client, TESTCARD_ATR_LINE, 1, REMSIM_TEST_TIMEOUT_MS);
	remsim_test_shell_write (f->client, READ_4 "\n");
	remsim_test_shell_wait_line (f->client, READ_4_ANSWER, 1, REMSIM_TEST_TIMEOUT_MS);

	remsim_test_rest_unmap (f->rest_base, 0);
	g_assert_true (remsim_test_shell_wait_log (
	    f->client, "the server removed our bankd", 1, REMSIM_TEST_TIMEOUT_MS));
	/* this one waits for a card (the default timeout is 10 s) */
	remsim_test_shell_write (f->client, SELECT_MF "\n");
	remsim_test_run_for (200);
	g_assert_cmpuint (remsim_test_shell_count_lines (f->client, SELECT_MF_ANSWER), ==, 0);

	/* map the client to the other card: its ATR, then the answer */
	remsim_test_rest_map (f->rest_base, 1, 1, 0);
	remsim_test_shell_wait_line (f->client, SLOT1_ATR_LINE, 1, REMSIM_TEST_TIMEOUT_MS);
	remsim_test_shell_wait_line (f->client, SELECT_MF_ANSWER, 1, REMSIM_TEST_TIMEOUT_MS);

	/* and back to the first one; the bankd may hand the card over before
	 * the server names the new bank slot (the session is then kept):
	 * wait for the server's word */
	remsim_test_rest_unmap (f->rest_base, 1);
	remsim_test_rest_map (f->rest_base, 0, 1, 0);
	g_assert_true (
	    remsim_test_shell_wait_log (f->client, "bank slot B1:0", 2, REMSIM_TEST_TIMEOUT_MS));
	remsim_test_shell_wait_line (f->client, TESTCARD_ATR_LINE, 2, REMSIM_TEST_TIMEOUT_MS);
	remsim_test_shell_write (f->client, READ_4 "\n");
	remsim_test_shell_wait_line (f->client, READ_4_ANSWER, 2, REMSIM_TEST_TIMEOUT_MS);
}

/* the bankd dies and comes back: the slot works again within about 1 s
 * of the bankd listening */
static void
test_bankd_restart (Fixture *f, gconstpointer user_data)
{
	gint64 listening;
	gint64 back;

	remsim_test_rest_map (f->rest_base, 0, 1, 0);
	remsim_test_shell_wait_line (f->client, TESTCARD_ATR_LINE, 1, REMSIM_TEST_TIMEOUT_MS);

	g_assert_true (remsim_test_proc_signal_and_wait (f->bankd, SIGKILL, 15000));
	g_clear_pointer (&f->bankd, remsim_test_proc_free);
	g_assert_true (remsim_test_shell_wait_log (
	    f->client, "lost the bankd connection", 1, REMSIM_TEST_TIMEOUT_MS));
	/* let the client's backoff grow for a while */
	remsim_test_run_for (1500);

	bankd_spawn (f);
	g_assert_true (remsim_test_wait_port (f->bankd_port, 15000));
	listening = g_get_monotonic_time ();
	remsim_test_shell_wait_line (f->client, TESTCARD_ATR_LINE, 2, REMSIM_TEST_TIMEOUT_MS);
	back = g_get_monotonic_time ();
	g_test_message ("the card was back %" G_GINT64_FORMAT " ms after the bankd listened",
			(back - listening) / 1000);
	/* target 1 s; slack for sanitizer builds on busy machines */
	g_assert_cmpint ((back - listening) / 1000, <, 2000);
	remsim_test_shell_write (f->client, READ_4 "\n");
	remsim_test_shell_wait_line (f->client, READ_4_ANSWER, 1, REMSIM_TEST_TIMEOUT_MS);
}

/* the server dies and comes back: the running session goes on, and the
 * client connects to the server again */
static void
test_server_restart (Fixture *f, gconstpointer user_data)
{
	gint64 listening;
	gint64 back;

	remsim_test_rest_map (f->rest_base, 0, 1, 0);
	remsim_test_shell_wait_line (f->client, TESTCARD_ATR_LINE, 1, REMSIM_TEST_TIMEOUT_MS);
	g_assert_true (remsim_test_shell_wait_log (
	    f->client, "connected to remsim-server", 1, REMSIM_TEST_TIMEOUT_MS));

	g_assert_true (remsim_test_proc_signal_and_wait (f->server, SIGKILL, 15000));
	g_clear_pointer (&f->server, remsim_test_proc_free);
	g_assert_true (remsim_test_shell_wait_log (
	    f->client, "lost the remsim-server connection", 1, REMSIM_TEST_TIMEOUT_MS));
	remsim_test_shell_write (f->client, READ_4 "\n");
	remsim_test_shell_wait_line (f->client, READ_4_ANSWER, 1, REMSIM_TEST_TIMEOUT_MS);
	remsim_test_run_for (1500);

	server_start (f);
	listening = g_get_monotonic_time ();
	g_assert_true (remsim_test_shell_wait_log (
	    f->client, "connected to remsim-server", 2, REMSIM_TEST_TIMEOUT_MS));
	back = g_get_monotonic_time ();
	g_test_message ("the client was back at the server %" G_GINT64_FORMAT
			" ms after it listened",
			(back - listening) / 1000);
	g_assert_cmpint ((back - listening) / 1000, <, 2000);

	/* the session survived: no second ATR, and APDUs still work */
	remsim_test_shell_write (f->client, SELECT_MF "\n");
	remsim_test_shell_wait_line (f->client, SELECT_MF_ANSWER, 1, REMSIM_TEST_TIMEOUT_MS);
	remsim_test_run_for (300);
	remsim_test_shell_write (f->client, READ_4 "\n");
	remsim_test_shell_wait_line (f->client, READ_4_ANSWER, 2, REMSIM_TEST_TIMEOUT_MS);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func)                                                                            \
	g_test_add ("/remsim/client/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
	ADD ("shell-apdus", test_shell_apdus);
	ADD ("shell-bad-line", test_shell_bad_line);
	ADD ("mapping-changes", test_mapping_changes);
	ADD ("bankd-restart", test_bankd_restart);
	ADD ("server-restart", test_server_restart);
#undef ADD
	return g_test_run ();
}
