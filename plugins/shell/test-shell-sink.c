/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the shell sink: hex parsing and line formatting, and the
 * queue (order, RESET, card waits, timeouts, EOF) on files instead of stdio.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "remsim-shell-sink.h"

static void
test_parse_hex (void)
{
	static const struct {
		const gchar *in;
		const gchar *out; /* NULL: error */
	} cases[] = {
	    {"00a4000002", "00 a4 00 00 02 "},
	    {"00 A4 00 00 02", "00 a4 00 00 02 "},
	    {" 0 0a\t4 ", "00 a4 "},
	    {"a0b0000009\r", "a0 b0 00 00 09 "},
	    {"", ""},
	    {"0", NULL},
	    {"0g", NULL},
	    {"00:a4", NULL},
	    {"RESETX", NULL},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (GBytes) bytes = remsim_shell_sink_parse_hex (cases[i].in, &error);
		g_autofree gchar *line = NULL;

		if (cases[i].out == NULL) {
			g_assert_null (bytes);
			g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_INVALID_ARGUMENT);
			continue;
		}
		g_assert_no_error (error);
		g_assert_nonnull (bytes);
		line = remsim_shell_sink_format_line ("X", bytes);
		g_assert_true (g_str_has_prefix (line, "X: "));
		g_assert_true (g_str_has_suffix (line, "\n"));
		line[strlen (line) - 1] = '\0';
		g_assert_cmpstr (line + 3, ==, cases[i].out);
	}
}

static void
test_format_line (void)
{
	static const guint8 atr[] = {0x3b, 0x9f, 0x96, 0x80, 0x1f, 0xc7, 0x80, 0x31,
				     0xa0, 0x73, 0xbe, 0x21, 0x13, 0x67, 0x43, 0x20,
				     0x07, 0x18, 0x00, 0x00, 0x01, 0xa5};
	g_autoptr (GBytes) bytes = g_bytes_new_static (atr, sizeof (atr));
	g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);
	g_autofree gchar *line = remsim_shell_sink_format_line ("SET_ATR", bytes);
	g_autofree gchar *none = remsim_shell_sink_format_line ("R-APDU", empty);

	/* protocols.md §6.4, byte for byte */
	g_assert_cmpstr (
	    line,
	    ==,
	    "SET_ATR: 3b 9f 96 80 1f c7 80 31 a0 73 be 21 13 67 43 20 07 18 00 00 01 a5 \n");
	g_assert_cmpstr (none, ==, "R-APDU: \n");
}

/* ---- the queue, on files ---- */

typedef struct {
	gchar *dir;
	gchar *in_path;
	gchar *out_path;
	RemsimShellSink *sink;
	GPtrArray *commands; /* GBytes received through "command" */
	guint resets;
	gboolean finished;
	gint status;
	gboolean auto_answer;
} Fixture;

static void
command_cb (RemsimCardSink *sink, GBytes *tpdu, gpointer user_data)
{
	Fixture *f = user_data;

	g_ptr_array_add (f->commands, g_bytes_ref (tpdu));
	if (f->auto_answer) {
		g_autoptr (GError) error = NULL;
		guint8 rsp[] = {0x90, 0x00};
		g_autoptr (GBytes) r = NULL;

		rsp[0] = (guint8)(0x90 + f->commands->len - 1);
		r = g_bytes_new (rsp, sizeof (rsp));
		g_assert_true (remsim_card_sink_deliver_response (sink, r, &error));
		g_assert_no_error (error);
	}
}

static void
reset_cb (RemsimCardSink *sink, gpointer user_data)
{
	Fixture *f = user_data;

	f->resets++;
}

static void
finished_cb (RemsimShellSink *sink, gint status, gpointer user_data)
{
	Fixture *f = user_data;

	f->finished = TRUE;
	f->status = status;
}

static gboolean
wait_flag (const gboolean *flag, guint ms)
{
	gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;

	while (!*flag && g_get_monotonic_time () < end)
		g_main_context_iteration (NULL, TRUE);
	return *flag;
}

static void
fixture_open (Fixture *f, const gchar *input, const gchar *extra_keys)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GKeyFile) kf = g_key_file_new ();
	g_autofree gchar *text = NULL;

	f->dir = g_dir_make_tmp ("remsim-shell-XXXXXX", &error);
	g_assert_no_error (error);
	f->in_path = g_build_filename (f->dir, "in", NULL);
	f->out_path = g_build_filename (f->dir, "out", NULL);
	g_file_set_contents (f->in_path, input, -1, &error);
	g_assert_no_error (error);
	text = g_strdup_printf ("[sink:t]\nplugin=shell\nslots=0\ninput=%s\noutput=%s\n%s",
				f->in_path,
				f->out_path,
				extra_keys != NULL ? extra_keys : "");
	g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, &error);
	g_assert_no_error (error);
	f->sink = g_initable_new (
	    REMSIM_TYPE_SHELL_SINK, NULL, &error, "config", kf, "group", "sink:t", "slot", 0, NULL);
	g_assert_no_error (error);
	g_assert_nonnull (f->sink);
	f->commands = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
	g_signal_connect (f->sink, "command", G_CALLBACK (command_cb), f);
	g_signal_connect (f->sink, "request-reset", G_CALLBACK (reset_cb), f);
	g_signal_connect (f->sink, "finished", G_CALLBACK (finished_cb), f);
}

static gchar *
fixture_output (Fixture *f)
{
	gchar *text = NULL;

	g_assert_true (g_file_get_contents (f->out_path, &text, NULL, NULL));
	return text;
}

static void
fixture_close (Fixture *f)
{
	remsim_card_sink_stop (REMSIM_CARD_SINK (f->sink));
	/* let the cancelled read return */
	while (g_main_context_iteration (NULL, FALSE))
		;
	g_clear_object (&f->sink);
	g_ptr_array_unref (f->commands);
	g_unlink (f->in_path);
	g_unlink (f->out_path);
	g_rmdir (f->dir);
	g_free (f->in_path);
	g_free (f->out_path);
	g_free (f->dir);
}

static void
test_queue_in_order (void)
{
	Fixture f = {0};
	g_autoptr (GError) error = NULL;
	static const guint8 atr[] = {0x3b, 0x02, 0x14, 0x50};
	g_autoptr (GBytes) atr_bytes = g_bytes_new_static (atr, sizeof (atr));
	g_autofree gchar *out = NULL;

	fixture_open (&f,
		      "# a comment\n"
		      "a0a4000002\n"
		      "\n"
		      "reset\n"
		      "A0 B0 00 00 09\r\n"
		      "zz\n"
		      "00 01\n",
		      NULL);
	f.auto_answer = TRUE;
	g_assert_true (remsim_card_sink_start (REMSIM_CARD_SINK (f.sink), &error));
	g_assert_no_error (error);
	g_assert_true (remsim_card_sink_set_atr (REMSIM_CARD_SINK (f.sink), atr_bytes, &error));
	g_assert_true (remsim_card_sink_set_card_present (REMSIM_CARD_SINK (f.sink), TRUE, &error));
	g_assert_true (wait_flag (&f.finished, 5000));

	/* two good commands, one RESET between them; "zz" and the 2-byte
	 * line fail */
	g_assert_cmpuint (f.commands->len, ==, 2);
	g_assert_cmpuint (f.resets, ==, 1);
	g_assert_cmpint (f.status, ==, 1);
	out = fixture_output (&f);
	g_assert_cmpstr (out, ==, "SET_ATR: 3b 02 14 50 \nR-APDU: 90 00 \nR-APDU: 91 00 \n");
	fixture_close (&f);
}

static void
test_wait_for_card (void)
{
	Fixture f = {0};
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = NULL;

	fixture_open (&f, "a0a4000002\na0a4000002\n", "command-timeout-ms=0\n");
	g_assert_true (remsim_card_sink_start (REMSIM_CARD_SINK (f.sink), &error));
	/* nothing goes out without a card, however long */
	for (guint i = 0; i < 20; i++)
		g_main_context_iteration (NULL, FALSE);
	g_assert_cmpuint (f.commands->len, ==, 0);
	g_assert_false (f.finished);

	/* card present: the first goes out; the card goes away: it fails */
	g_assert_true (remsim_card_sink_set_card_present (REMSIM_CARD_SINK (f.sink), TRUE, &error));
	while (f.commands->len < 1)
		g_main_context_iteration (NULL, TRUE);
	g_assert_true (
	    remsim_card_sink_set_card_present (REMSIM_CARD_SINK (f.sink), FALSE, &error));
	f.auto_answer = TRUE;
	g_assert_true (remsim_card_sink_set_card_present (REMSIM_CARD_SINK (f.sink), TRUE, &error));
	g_assert_true (wait_flag (&f.finished, 5000));
	g_assert_cmpuint (f.commands->len, ==, 2);
	g_assert_cmpint (f.status, ==, 1);
	out = fixture_output (&f);
	g_assert_cmpstr (out, ==, "R-APDU: 91 00 \n");
	fixture_close (&f);
}

static void
test_timeout (void)
{
	Fixture f = {0};
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = NULL;
	gint64 start = g_get_monotonic_time ();

	fixture_open (&f, "a0a4000002\nRESET\n", "command-timeout-ms=100\n");
	g_assert_true (remsim_card_sink_start (REMSIM_CARD_SINK (f.sink), &error));
	g_assert_true (wait_flag (&f.finished, 5000));
	g_assert_cmpint (g_get_monotonic_time () - start, >=, 100 * 1000);
	g_assert_cmpuint (f.commands->len, ==, 0);
	g_assert_cmpuint (f.resets, ==, 0);
	g_assert_cmpint (f.status, ==, 1);
	out = fixture_output (&f);
	g_assert_cmpstr (out, ==, "");
	fixture_close (&f);
}

static void
test_empty_input (void)
{
	Fixture f = {0};
	g_autoptr (GError) error = NULL;

	fixture_open (&f, "", NULL);
	g_assert_true (remsim_card_sink_start (REMSIM_CARD_SINK (f.sink), &error));
	g_assert_true (wait_flag (&f.finished, 5000));
	g_assert_cmpint (f.status, ==, 0);
	fixture_close (&f);
}

static void
test_bad_keys (void)
{
	static const gchar *const bad[] = {
	    "[sink:t]\nplugin=shell\nslots=0\nfoo=1\n",
	    "[sink:t]\nplugin=shell\nslots=0\ncommand-timeout-ms=soon\n",
	    "[sink:t]\nplugin=shell\nslots=0\ninput=/nonexistent/dir/in\n",
	};

	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (GKeyFile) kf = g_key_file_new ();
		g_autoptr (GObject) sink = NULL;

		g_assert_true (g_key_file_load_from_data (kf, bad[i], -1, 0, NULL));
		sink = g_initable_new (
		    REMSIM_TYPE_SHELL_SINK, NULL, &error, "config", kf, "group", "sink:t", NULL);
		g_assert_null (sink);
		g_assert_nonnull (error);
		g_test_message ("%s", error->message);
	}
}

static void
test_stdin_once (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GKeyFile) kf = g_key_file_new ();
	g_autoptr (GObject) first = NULL;
	g_autoptr (GObject) second = NULL;
	g_autoptr (GObject) third = NULL;

	g_assert_true (
	    g_key_file_load_from_data (kf, "[sink:t]\nplugin=shell\nslots=0-1\n", -1, 0, NULL));
	first = g_initable_new (
	    REMSIM_TYPE_SHELL_SINK, NULL, &error, "config", kf, "group", "sink:t", NULL);
	g_assert_no_error (error);
	second = g_initable_new (
	    REMSIM_TYPE_SHELL_SINK, NULL, &error, "config", kf, "group", "sink:t", NULL);
	g_assert_null (second);
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	g_clear_error (&error);
	/* free again once the first is gone */
	g_clear_object (&first);
	third = g_initable_new (
	    REMSIM_TYPE_SHELL_SINK, NULL, &error, "config", kf, "group", "sink:t", NULL);
	g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/remsim/shell/parse-hex", test_parse_hex);
	g_test_add_func ("/remsim/shell/format-line", test_format_line);
	g_test_add_func ("/remsim/shell/queue-in-order", test_queue_in_order);
	g_test_add_func ("/remsim/shell/wait-for-card", test_wait_for_card);
	g_test_add_func ("/remsim/shell/timeout", test_timeout);
	g_test_add_func ("/remsim/shell/empty-input", test_empty_input);
	g_test_add_func ("/remsim/shell/bad-keys", test_bad_keys);
	g_test_add_func ("/remsim/shell/stdin-once", test_stdin_once);
	return g_test_run ();
}
