/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-config.h"
#include "remsim-plugin-groups.h"

static gchar *
test_slot_list_str (GArray *slots)
{
	GString *str = g_string_new (NULL);

	for (guint i = 0; i < slots->len; i++)
		g_string_append_printf (
		    str, "%s%u", i > 0 ? "," : "", g_array_index (slots, guint, i));
	return g_string_free (str, FALSE);
}

static void
test_plugin_groups_slot_list (void)
{
	const gchar *good[][2] = {
	    {"0", "0"},
	    {"0-3", "0,1,2,3"},
	    {" 2 - 4 ; 7", "2,3,4,7"},
	    {"7;0-1;", "7,0,1"},
	    {"5-5", "5"},
	};
	const gchar *bad[][2] = {
	    {"", "expected slot numbers and ranges like 0-7;9, got \"\""},
	    {";", "expected slot numbers and ranges like 0-7;9, got \";\""},
	    {"1-2-3", "expected slot numbers and ranges like 0-7;9, got \"1-2-3\""},
	    {"x", "expected slot numbers and ranges like 0-7;9, got \"x\""},
	    {"-1", "expected slot numbers and ranges like 0-7;9, got \"\""},
	    {"3-1", "expected a range low-high, got \"3-1\""},
	    {"8", "expected slot numbers in 0..7 (num-slots is 8), got 8"},
	    {"0-8", "expected slot numbers in 0..7 (num-slots is 8), got 8"},
	};

	for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (GArray) slots = remsim_parse_slot_list (good[i][0], 8, &error);
		g_autofree gchar *str = NULL;

		g_assert_no_error (error);
		g_assert_nonnull (slots);
		str = test_slot_list_str (slots);
		g_assert_cmpstr (str, ==, good[i][1]);
	}
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (GArray) slots = remsim_parse_slot_list (bad[i][0], 8, &error);

		g_assert_null (slots);
		g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
		g_assert_cmpstr (error->message, ==, bad[i][1]);
	}
}

static const RemsimPluginGroupKind test_kind = {
    .prefix = "source:",
    .plugin_kind = "card source",
    .slots_hint = "the bank slots this source serves (e.g. 0-7)",
    .num_slots = 8,
};

typedef struct {
	GString *seen;
	/* stop at this slot, if not G_MAXUINT */
	guint stop_at;
} TestWalk;

static gboolean
test_walk_cb (const gchar *where, const gchar *group, guint nr, gpointer user_data, GError **error)
{
	TestWalk *walk = user_data;

	g_string_append_printf (walk->seen, "%s %s %u\n", where, group, nr);
	if (nr == walk->stop_at) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "stop at %u", nr);
		return FALSE;
	}
	return TRUE;
}

static gboolean
test_walk (const gchar *data, const gchar *filename, guint stop_at, gchar **seen, GError **error)
{
	g_autoptr (GKeyFile) keyfile = g_key_file_new ();
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (GString) str = g_string_new (NULL);
	TestWalk walk = {str, stop_at};
	gboolean ok;

	g_assert_true (g_key_file_load_from_data (keyfile, data, -1, G_KEY_FILE_NONE, NULL));
	ok = remsim_plugin_groups_foreach_slot (
	    keyfile, plugins, filename, &test_kind, test_walk_cb, &walk, error);
	*seen = g_strdup (str->str);
	return ok;
}

static void
test_plugin_groups_walk (void)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *seen = NULL;

	g_assert_true (test_walk ("[bankd]\nnum-slots=8\n"
				  "[source:b]\nplugin=testcard\nslots=3;1\n"
				  "[sink:x]\nplugin=nosuch\n"
				  "[source:a]\nplugin= testcard \nslots=0-1\n",
				  "f.conf",
				  G_MAXUINT,
				  &seen,
				  &error));
	g_assert_no_error (error);
	g_assert_cmpstr (seen,
			 ==,
			 "f.conf source:b 3\nf.conf source:b 1\n"
			 "f.conf source:a 0\nf.conf source:a 1\n");
	g_clear_pointer (&seen, g_free);

	g_assert_true (test_walk ("[bankd]\n", NULL, G_MAXUINT, &seen, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (seen, ==, "");
}

static void
test_plugin_groups_errors (void)
{
	const struct {
		const gchar *data;
		GQuark domain;
		gint code;
		const gchar *message;
		const gchar *seen;
	} cases[] = {
	    {"[source:a]\nslots=0\n",
	     REMSIM_CONFIG_ERROR,
	     REMSIM_CONFIG_ERROR_MISSING,
	     "<config>: [source:a] plugin: missing, expected the name of a card source plugin",
	     ""},
	    {"[source:a]\nplugin=testcard\n",
	     REMSIM_CONFIG_ERROR,
	     REMSIM_CONFIG_ERROR_MISSING,
	     "<config>: [source:a] slots: missing, expected the bank slots this source serves "
	     "(e.g. 0-7)",
	     ""},
	    {"[source:a]\nplugin=testcard\nslots=9\n",
	     REMSIM_CONFIG_ERROR,
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "<config>: [source:a] slots: expected slot numbers in 0..7 (num-slots is 8), got 9",
	     ""},
	    {"[source:a]\nplugin=testcard\nslots=4-6\n[source:b]\nplugin=testcard\nslots=0\n",
	     G_IO_ERROR,
	     G_IO_ERROR_FAILED,
	     "stop at 5",
	     "<config> source:a 4\n<config> source:a 5\n"},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *seen = NULL;

		g_assert_false (test_walk (cases[i].data, NULL, 5, &seen, &error));
		g_assert_error (error, cases[i].domain, cases[i].code);
		g_assert_cmpstr (error->message, ==, cases[i].message);
		g_assert_cmpstr (seen, ==, cases[i].seen);
	}
}

static void
test_plugin_groups_unknown_plugin (void)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *seen = NULL;

	g_assert_false (test_walk (
	    "[source:a]\nplugin=no-such-plugin\nslots=0\n", "f.conf", G_MAXUINT, &seen, &error));
	g_assert_error (error, REMSIM_PLUGIN_ERROR, REMSIM_PLUGIN_ERROR_NOT_FOUND);
	g_assert_true (g_str_has_prefix (error->message, "f.conf: [source:a] plugin: "));
	g_assert_cmpstr (seen, ==, "");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/remsim/plugin-groups/slot-list", test_plugin_groups_slot_list);
	g_test_add_func ("/remsim/plugin-groups/walk", test_plugin_groups_walk);
	g_test_add_func ("/remsim/plugin-groups/errors", test_plugin_groups_errors);
	g_test_add_func ("/remsim/plugin-groups/unknown-plugin", test_plugin_groups_unknown_plugin);
	return g_test_run ();
}
