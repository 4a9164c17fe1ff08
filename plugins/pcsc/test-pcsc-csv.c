/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bankd_pcsc_slots.csv parser */
#include "config.h"

#include <glib/gstdio.h>

#include "remsim-config.h"
#include "remsim-pcsc-csv.h"

static RemsimPcscCsv *
parse (const gchar *text, GError **error)
{
	return remsim_pcsc_csv_parse (text, strlen (text), "slots.csv", error);
}

static void
test_csv_upstream_examples (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimPcscCsv) csv = parse (
	    "\"1\",\"0\",\"ACS ACR33 ICC Reader 00 00\"\n"
	    "\"1\",\"1\",\"ACS ACR33 ICC Reader 00 01\"\n"
	    "\"2\",\"0\",\"sysmocom sysmoOCTSIM \\[CCID\\] \\(ab19180f3335355320202034463a15ff\\) "
	    "[0-9]{2} 00\"\n"
	    "\"1\",\"2\",\"Virtual PCD 00 00\"\n",
	    &error);
	guint line = 0;

	g_assert_no_error (error);
	g_assert_nonnull (csv);
	g_assert_cmpuint (remsim_pcsc_csv_get_n_rows (csv), ==, 4);
	g_assert_cmpstr (remsim_pcsc_csv_get_filename (csv), ==, "slots.csv");
	g_assert_cmpstr (
	    remsim_pcsc_csv_lookup (csv, 1, 0, &line), ==, "ACS ACR33 ICC Reader 00 00");
	g_assert_cmpuint (line, ==, 1);
	g_assert_cmpstr (
	    remsim_pcsc_csv_lookup (csv, 1, 1, NULL), ==, "ACS ACR33 ICC Reader 00 01");
	g_assert_cmpstr (remsim_pcsc_csv_lookup (csv, 2, 0, &line),
			 ==,
			 "sysmocom sysmoOCTSIM \\[CCID\\] \\(ab19180f3335355320202034463a15ff\\) "
			 "[0-9]{2} 00");
	g_assert_cmpuint (line, ==, 3);
	g_assert_cmpstr (remsim_pcsc_csv_lookup (csv, 1, 2, NULL), ==, "Virtual PCD 00 00");
	/* other banks and slots are simply not there */
	g_assert_null (remsim_pcsc_csv_lookup (csv, 2, 1, NULL));
	g_assert_null (remsim_pcsc_csv_lookup (csv, 3, 0, NULL));
}

static void
test_csv_quoting (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimPcscCsv) csv =
	    parse ("1,0,Plain Reader 00 00\r\n"			   /* 1: unquoted, CRLF */
		   "  1 ,\t1\t, \"with \"\"quotes\"\" inside\" \n" /* 2: blanks around */
		   "1,2,\"comma, inside\"\r"			   /* 3: CR only */
		   "1,3,\"two\nlines\"\n"			   /* 4-5: newline in quotes */
		   "\n"						   /* 6: empty line */
		   "1,4,\"\"\n"					   /* 7: empty regex */
		   "1,5,a\"b\n"					   /* 8: quote in unquoted */
		   "1,6,last line without newline",		   /* 9 */
		   &error);
	guint line = 0;

	g_assert_no_error (error);
	g_assert_nonnull (csv);
	g_assert_cmpuint (remsim_pcsc_csv_get_n_rows (csv), ==, 7);
	g_assert_cmpstr (remsim_pcsc_csv_lookup (csv, 1, 0, NULL), ==, "Plain Reader 00 00");
	g_assert_cmpstr (remsim_pcsc_csv_lookup (csv, 1, 1, &line), ==, "with \"quotes\" inside");
	g_assert_cmpuint (line, ==, 2);
	g_assert_cmpstr (remsim_pcsc_csv_lookup (csv, 1, 2, &line), ==, "comma, inside");
	g_assert_cmpuint (line, ==, 3);
	g_assert_cmpstr (remsim_pcsc_csv_lookup (csv, 1, 3, &line), ==, "two\nlines");
	g_assert_cmpuint (line, ==, 4);
	g_assert_cmpstr (remsim_pcsc_csv_lookup (csv, 1, 4, &line), ==, "");
	g_assert_cmpuint (line, ==, 7);
	g_assert_cmpstr (remsim_pcsc_csv_lookup (csv, 1, 5, NULL), ==, "a\"b");
	g_assert_cmpstr (
	    remsim_pcsc_csv_lookup (csv, 1, 6, &line), ==, "last line without newline");
	g_assert_cmpuint (line, ==, 9);
}

static void
test_csv_empty (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimPcscCsv) csv = parse ("", &error);
	g_autoptr (RemsimPcscCsv) csv2 = NULL;

	g_assert_no_error (error);
	g_assert_cmpuint (remsim_pcsc_csv_get_n_rows (csv), ==, 0);
	csv2 = parse ("\xef\xbb\xbf\n\n\"1\",\"0\",\"x\"\n", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (remsim_pcsc_csv_lookup (csv2, 1, 0, NULL), ==, "x");
}

static void
test_csv_first_match_wins (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimPcscCsv) csv = parse ("1,0,first\n"
					       "2,0,other bank\n"
					       "1,0,second\n",
					       &error);
	guint line = 0;

	g_assert_no_error (error);
	g_assert_cmpstr (remsim_pcsc_csv_lookup (csv, 1, 0, &line), ==, "first");
	g_assert_cmpuint (line, ==, 1);
	g_assert_cmpstr (remsim_pcsc_csv_lookup (csv, 2, 0, NULL), ==, "other bank");
}

static void
test_csv_bad (void)
{
	static const struct {
		const gchar *text;
		const gchar *message;
	} cases[] = {
	    {"1,0,ok\n1,1\n",
	     "slots.csv:2: expected 3 fields (bank id, slot, reader regex), got 2"},
	    {"1,0,a,b\n", "slots.csv:1: expected 3 fields (bank id, slot, reader regex), got 4"},
	    {"# comment\n", "slots.csv:1: expected 3 fields (bank id, slot, reader regex), got 1"},
	    {"1,0,ok\n\n\"x\",0,r\n", "slots.csv:3: expected a bank id (0..65535), got \"x\""},
	    {"1,-1,r\n", "slots.csv:1: expected a slot number (0..65535), got \"-1\""},
	    {"1,,r\n", "slots.csv:1: expected a slot number (0..65535), got \"\""},
	    {"1,99999,r\n", "slots.csv:1: expected a slot number (0..65535), got \"99999\""},
	    {"1,0,\"Reader [00\"\n",
	     "slots.csv:1: invalid reader regular expression \"Reader [00\""},
	    {"1,0,\"a(b\"\n", "slots.csv:1: invalid reader regular expression \"a(b\""},
	    {"1,0,\"open\n\n", "slots.csv:1: quoted field is not closed"},
	    {"1,0,\"a\"b\n",
	     "slots.csv:1: expected ',' or the end of the line after a quoted field"},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (RemsimPcscCsv) csv = parse (cases[i].text, &error);

		g_test_message ("case %u: %s", i, cases[i].text);
		g_assert_null (csv);
		g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
		if (!g_str_has_prefix (error->message, cases[i].message))
			g_error ("case %u: got \"%s\", expected \"%s...\"",
				 i,
				 error->message,
				 cases[i].message);
	}
}

static void
test_csv_nul (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimPcscCsv) csv = remsim_pcsc_csv_parse ("1,0,a\0b\n", 8, "f.csv", &error);

	g_assert_null (csv);
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
}

static void
test_csv_load (void)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp ("remsim-pcsc-csv-XXXXXX", &error);
	g_autofree gchar *path = NULL;
	g_autofree gchar *example = NULL;
	g_autoptr (RemsimPcscCsv) csv = NULL;
	g_autoptr (RemsimPcscCsv) missing = NULL;
	g_autoptr (RemsimPcscCsv) shipped = NULL;

	g_assert_no_error (error);
	path = g_build_filename (dir, "bankd_pcsc_slots.csv", NULL);
	missing = remsim_pcsc_csv_load (path, &error);
	g_assert_null (missing);
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_FILE);
	g_assert_nonnull (strstr (error->message, path));
	g_clear_error (&error);

	g_assert_true (g_file_set_contents (path, "\"1\",\"0\",\"bad[\"\n", -1, NULL));
	csv = remsim_pcsc_csv_load (path, &error);
	g_assert_null (csv);
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	g_assert_true (g_str_has_prefix (error->message, path));
	g_assert_nonnull (strstr (error->message, ":1: "));
	g_clear_error (&error);

	/* the example shipped in data/ is valid */
	example = g_test_build_filename (
	    G_TEST_DIST, "..", "..", "data", "bankd_pcsc_slots.csv.example", NULL);
	shipped = remsim_pcsc_csv_load (example, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (remsim_pcsc_csv_lookup (shipped, 1, 0, NULL), ==, "Virtual PCD 00 00");

	g_assert_cmpint (g_unlink (path), ==, 0);
	g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/remsim/pcsc/csv/upstream-examples", test_csv_upstream_examples);
	g_test_add_func ("/remsim/pcsc/csv/quoting", test_csv_quoting);
	g_test_add_func ("/remsim/pcsc/csv/empty", test_csv_empty);
	g_test_add_func ("/remsim/pcsc/csv/first-match-wins", test_csv_first_match_wins);
	g_test_add_func ("/remsim/pcsc/csv/bad", test_csv_bad);
	g_test_add_func ("/remsim/pcsc/csv/nul", test_csv_nul);
	g_test_add_func ("/remsim/pcsc/csv/load", test_csv_load);
	return g_test_run ();
}
