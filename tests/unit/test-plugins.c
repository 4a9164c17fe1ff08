/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-config.h"
#include "remsim-error.h"
#include "remsim-plugins.h"

/* a card source that implements nothing, for the wrappers' fallbacks */
#define TEST_TYPE_EMPTY_SOURCE (test_empty_source_get_type ())
G_DECLARE_FINAL_TYPE (TestEmptySource, test_empty_source, TEST, EMPTY_SOURCE, GObject)
struct _TestEmptySource {
	GObject parent_instance;
};
static void
test_empty_source_iface_init (RemsimCardSourceInterface *iface)
{
}
G_DEFINE_FINAL_TYPE_WITH_CODE (TestEmptySource,
			       test_empty_source,
			       G_TYPE_OBJECT,
			       G_IMPLEMENT_INTERFACE (REMSIM_TYPE_CARD_SOURCE,
						      test_empty_source_iface_init))
static void
test_empty_source_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	/* values stay at their defaults */
}
static void
test_empty_source_set_property (GObject *object,
				guint prop_id,
				const GValue *value,
				GParamSpec *pspec)
{
}
static void
test_empty_source_class_init (TestEmptySourceClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->get_property = test_empty_source_get_property;
	object_class->set_property = test_empty_source_set_property;
	g_object_class_override_property (object_class, 1, "config");
	g_object_class_override_property (object_class, 2, "group");
	g_object_class_override_property (object_class, 3, "slot");
}
static void
test_empty_source_init (TestEmptySource *self)
{
}

static GKeyFile *
test_keyfile (const gchar *data)
{
	g_autoptr (GKeyFile) keyfile = g_key_file_new ();
	g_autoptr (GError) error = NULL;

	g_assert_true (g_key_file_load_from_data (keyfile, data, -1, G_KEY_FILE_NONE, &error));
	g_assert_no_error (error);
	return g_steal_pointer (&keyfile);
}

static GBytes *
test_hex (const gchar *hex)
{
	g_autoptr (GByteArray) buf = g_byte_array_new ();

	for (const gchar *p = hex; *p != '\0';) {
		guint8 b;

		if (*p == ' ') {
			p++;
			continue;
		}
		b = (guint8)((g_ascii_xdigit_value (p[0]) << 4) | g_ascii_xdigit_value (p[1]));
		g_byte_array_append (buf, &b, 1);
		p += 2;
	}
	return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

static void
test_assert_bytes (GBytes *bytes, const gchar *hex)
{
	g_autoptr (GBytes) expected = test_hex (hex);

	g_assert_nonnull (bytes);
	g_assert_cmpmem (g_bytes_get_data (bytes, NULL),
			 g_bytes_get_size (bytes),
			 g_bytes_get_data (expected, NULL),
			 g_bytes_get_size (expected));
}

/* the full path of a test plugin file in the search path */
static gchar *
test_plugin_file (RemsimPlugins *plugins, const gchar *name)
{
	const gchar *const *path = remsim_plugins_get_search_path (plugins);
	g_autofree gchar *basename = g_strdup_printf ("libremsim-plugin-%s.so", name);

	for (guint i = 0; path[i] != NULL; i++) {
		g_autofree gchar *file = g_build_filename (path[i], basename, NULL);
		if (g_file_test (file, G_FILE_TEST_EXISTS))
			return g_steal_pointer (&file);
	}
	g_assert_not_reached ();
}

static void
test_result_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	GAsyncResult **out = user_data;
	*out = g_object_ref (res);
}

static GAsyncResult *
test_wait (GAsyncResult **res)
{
	while (*res == NULL)
		g_main_context_iteration (NULL, TRUE);
	return *res;
}

static GBytes *
test_transmit (RemsimCardSource *source, const gchar *hex, GError **error)
{
	g_autoptr (GAsyncResult) res = NULL;
	g_autoptr (GBytes) tpdu = test_hex (hex);

	remsim_card_source_transmit_async (source, tpdu, NULL, test_result_cb, &res);
	return remsim_card_source_transmit_finish (source, test_wait (&res), error);
}

static void
test_plugins_search_path (void)
{
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (RemsimPlugins) custom = remsim_plugins_new_for_path ("/a::/b/");
	const gchar *const *path = remsim_plugins_get_search_path (custom);

	g_assert_nonnull (g_getenv ("REMSIM_PLUGIN_DIR"));
	g_assert_cmpuint (g_strv_length ((GStrv)remsim_plugins_get_search_path (plugins)), >=, 1);
	g_assert_cmpuint (g_strv_length ((GStrv)path), ==, 2);
	g_assert_cmpstr (path[0], ==, "/a");
	g_assert_cmpstr (path[1], ==, "/b");
}

static void
test_plugins_load_testcard (void)
{
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *file = test_plugin_file (plugins, "testcard");
	RemsimPlugin *plugin;

	plugin = remsim_plugins_load (plugins, "testcard", &error);
	g_assert_no_error (error);
	g_assert_true (REMSIM_IS_PLUGIN (plugin));
	g_assert_cmpstr (remsim_plugin_get_name (plugin), ==, "testcard");
	g_assert_nonnull (remsim_plugin_get_description (plugin));
	g_assert_cmpstr (remsim_plugin_get_filename (plugin), ==, file);
	g_assert_true (
	    g_type_is_a (remsim_plugin_get_card_source_type (plugin), REMSIM_TYPE_CARD_SOURCE));
	g_assert_true (
	    g_type_is_a (remsim_plugin_get_card_sink_type (plugin), REMSIM_TYPE_CARD_SINK));
}

static void
test_plugins_load_twice (void)
{
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (RemsimPlugins) other = remsim_plugins_new ();
	g_autoptr (GError) error = NULL;
	RemsimPlugin *first;
	RemsimPlugin *second;
	RemsimPlugin *third;

	first = remsim_plugins_load (plugins, "testcard", &error);
	g_assert_no_error (error);
	second = remsim_plugins_load (plugins, "testcard", &error);
	g_assert_no_error (error);
	third = remsim_plugins_load (other, "testcard", &error);
	g_assert_no_error (error);
	g_assert_true (first == second);
	g_assert_true (first == third);
}

static void
test_card_changed_cb (RemsimCardSource *source, gboolean present, gpointer user_data)
{
	gint *changes = user_data;
	(*changes) += present ? 10 : 1;
}

static void
test_plugins_source_transmit (void)
{
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (GKeyFile) keyfile =
	    test_keyfile ("[source:test]\nplugin=testcard\natr=3b 02 14 50\n");
	g_autoptr (RemsimCardSource) source = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GAsyncResult) res = NULL;
	g_autoptr (GBytes) atr = NULL;
	g_autoptr (GBytes) rsp = NULL;
	g_autofree gchar *group = NULL;
	guint slot = 0;
	gint changes = 0;

	source = remsim_plugins_create_card_source (plugins, keyfile, "source:test", 3, &error);
	g_assert_no_error (error);
	g_assert_true (REMSIM_IS_CARD_SOURCE (source));
	g_object_get (source, "group", &group, "slot", &slot, NULL);
	g_assert_cmpstr (group, ==, "source:test");
	g_assert_cmpuint (slot, ==, 3);
	g_assert_true (remsim_card_source_is_card_present (source));
	g_assert_null (remsim_card_source_get_atr (source));

	/* not powered yet */
	rsp = test_transmit (source, "a0 f2 00 00 02", &error);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_FAILED);
	g_assert_null (rsp);
	g_clear_error (&error);

	remsim_card_source_power_on_async (source, NULL, test_result_cb, &res);
	atr = remsim_card_source_power_on_finish (source, test_wait (&res), &error);
	g_assert_no_error (error);
	test_assert_bytes (atr, "3b 02 14 50");
	g_clear_pointer (&atr, g_bytes_unref);
	atr = remsim_card_source_get_atr (source);
	test_assert_bytes (atr, "3b 02 14 50");
	g_clear_pointer (&atr, g_bytes_unref);

	/* data in: echoed */
	rsp = test_transmit (source, "a0 a4 00 00 02 3f 00", &error);
	g_assert_no_error (error);
	test_assert_bytes (rsp, "3f 00 90 00");
	g_clear_pointer (&rsp, g_bytes_unref);
	/* data out: Le bytes */
	rsp = test_transmit (source, "a0 b0 00 00 04", &error);
	g_assert_no_error (error);
	test_assert_bytes (rsp, "00 01 02 03 90 00");
	g_clear_pointer (&rsp, g_bytes_unref);
	/* unknown INS, short TPDU, wrong P3 */
	rsp = test_transmit (source, "a0 ee 00 00 00", &error);
	g_assert_no_error (error);
	test_assert_bytes (rsp, "6d 00");
	g_clear_pointer (&rsp, g_bytes_unref);
	rsp = test_transmit (source, "a0 a4 00", &error);
	g_assert_no_error (error);
	test_assert_bytes (rsp, "67 00");
	g_clear_pointer (&rsp, g_bytes_unref);
	rsp = test_transmit (source, "a0 a4 00 00 03 3f 00", &error);
	g_assert_no_error (error);
	test_assert_bytes (rsp, "67 00");
	g_clear_pointer (&rsp, g_bytes_unref);

	/* warm reset gives the ATR again */
	g_clear_object (&res);
	remsim_card_source_reset_async (source, FALSE, NULL, test_result_cb, &res);
	atr = remsim_card_source_reset_finish (source, test_wait (&res), &error);
	g_assert_no_error (error);
	test_assert_bytes (atr, "3b 02 14 50");
	g_clear_pointer (&atr, g_bytes_unref);

	/* card pulled */
	g_signal_connect (source, "card-changed", G_CALLBACK (test_card_changed_cb), &changes);
	g_object_set (source, "card-present", FALSE, NULL);
	g_assert_cmpint (changes, ==, 1);
	g_assert_false (remsim_card_source_is_card_present (source));
	rsp = test_transmit (source, "a0 f2 00 00 02", &error);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT);
	g_assert_null (rsp);
	g_clear_error (&error);
	g_object_set (source, "card-present", TRUE, NULL);
	g_assert_cmpint (changes, ==, 11);

	g_assert_true (remsim_card_source_power_off (source, &error));
	g_assert_no_error (error);
	g_assert_null (remsim_card_source_get_atr (source));
}

static void
test_plugins_source_default_atr (void)
{
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (GKeyFile) keyfile = test_keyfile ("[source:t]\nplugin=testcard\nslots=0-7\n");
	g_autoptr (RemsimCardSource) source = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GAsyncResult) res = NULL;
	g_autoptr (GBytes) atr = NULL;

	source = remsim_plugins_create_card_source (plugins, keyfile, "source:t", 0, &error);
	g_assert_no_error (error);
	remsim_card_source_power_on_async (source, NULL, test_result_cb, &res);
	atr = remsim_card_source_power_on_finish (source, test_wait (&res), &error);
	g_assert_no_error (error);
	g_assert_cmpuint (g_bytes_get_size (atr), >, 2);
	g_assert_cmpuint (((const guint8 *)g_bytes_get_data (atr, NULL))[0], ==, 0x3b);
}

static void
test_plugins_source_absent (void)
{
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (GKeyFile) keyfile =
	    test_keyfile ("[source:t]\nplugin=testcard\ncard-present=false\n");
	g_autoptr (RemsimCardSource) source = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GAsyncResult) res = NULL;
	g_autoptr (GBytes) atr = NULL;

	source = remsim_plugins_create_card_source (plugins, keyfile, "source:t", 0, &error);
	g_assert_no_error (error);
	g_assert_false (remsim_card_source_is_card_present (source));
	remsim_card_source_power_on_async (source, NULL, test_result_cb, &res);
	atr = remsim_card_source_power_on_finish (source, test_wait (&res), &error);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT);
	g_assert_null (atr);
}

typedef struct {
	RemsimCardSource *source;
	RemsimCardSink *sink;
	guint n_commands;
	guint n_status;
	RemsimCardSinkStatus status;
	gboolean done;
	guint done_n;
	gboolean reset_requested;
} TestLoop;

static void
test_loop_transmit_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
	TestLoop *loop = user_data;
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) rsp = NULL;

	rsp = remsim_card_source_transmit_finish (REMSIM_CARD_SOURCE (object), res, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_card_sink_deliver_response (loop->sink, rsp, &error));
	g_assert_no_error (error);
}

static void
test_loop_command_cb (RemsimCardSink *sink, GBytes *tpdu, gpointer user_data)
{
	TestLoop *loop = user_data;

	loop->n_commands++;
	remsim_card_source_transmit_async (loop->source, tpdu, NULL, test_loop_transmit_cb, loop);
}

static void
test_loop_status_cb (RemsimCardSink *sink, RemsimCardSinkStatus *status, gpointer user_data)
{
	TestLoop *loop = user_data;

	loop->n_status++;
	loop->status = *status;
}

static void
test_loop_done_cb (RemsimCardSink *sink, guint n, gpointer user_data)
{
	TestLoop *loop = user_data;

	loop->done = TRUE;
	loop->done_n = n;
}

static void
test_loop_reset_cb (RemsimCardSink *sink, gpointer user_data)
{
	TestLoop *loop = user_data;
	loop->reset_requested = TRUE;
}

/* the testcard sink's script against the testcard source, as a client and a
 * bankd would wire them up */
static void
test_plugins_sink_loopback (void)
{
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (GKeyFile) keyfile =
	    test_keyfile ("[source:card]\nplugin=testcard\n"
			  "[sink:modem]\nplugin=testcard\n"
			  "commands=a0 a4 00 00 02 3f 00;a0 b0 00 00 02\nrepeat=3\n");
	g_autoptr (RemsimCardSource) source = NULL;
	g_autoptr (RemsimCardSink) sink = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GAsyncResult) res = NULL;
	g_autoptr (GBytes) atr = NULL;
	g_autoptr (GBytes) last = NULL;
	g_autoptr (GBytes) sink_atr = NULL;
	g_autoptr (GBytes) unknown_ins = test_hex ("a0 ee 00 00 00");
	TestLoop loop = {0};
	guint n_responses = 0;
	gboolean ok = FALSE;

	source = remsim_plugins_create_card_source (plugins, keyfile, "source:card", 0, &error);
	g_assert_no_error (error);
	sink = remsim_plugins_create_card_sink (plugins, keyfile, "sink:modem", 7, &error);
	g_assert_no_error (error);
	loop.source = source;
	loop.sink = sink;
	g_signal_connect (sink, "command", G_CALLBACK (test_loop_command_cb), &loop);
	g_signal_connect (sink, "status", G_CALLBACK (test_loop_status_cb), &loop);
	g_signal_connect (sink, "script-done", G_CALLBACK (test_loop_done_cb), &loop);
	g_signal_connect (sink, "request-reset", G_CALLBACK (test_loop_reset_cb), &loop);

	g_assert_true (remsim_card_sink_start (sink, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (loop.n_status, ==, 1);
	g_assert_cmpint (loop.status.vcc, ==, REMSIM_TRISTATE_ON);
	g_assert_cmpint (loop.status.card, ==, REMSIM_TRISTATE_OFF);

	remsim_card_source_power_on_async (source, NULL, test_result_cb, &res);
	atr = remsim_card_source_power_on_finish (source, test_wait (&res), &error);
	g_assert_no_error (error);
	g_assert_true (remsim_card_sink_set_atr (sink, atr, &error));
	g_assert_no_error (error);
	g_assert_true (remsim_card_sink_set_card_present (sink, TRUE, &error));
	g_assert_no_error (error);
	g_assert_cmpint (loop.status.card, ==, REMSIM_TRISTATE_ON);

	while (!loop.done)
		g_main_context_iteration (NULL, TRUE);
	g_assert_cmpuint (loop.n_commands, ==, 6);
	g_assert_cmpuint (loop.done_n, ==, 6);
	g_object_get (
	    sink, "n-responses", &n_responses, "last-response", &last, "atr", &sink_atr, NULL);
	g_assert_cmpuint (n_responses, ==, 6);
	test_assert_bytes (last, "00 01 90 00");
	g_assert_true (g_bytes_equal (sink_atr, atr));

	/* driven by hand */
	g_signal_emit_by_name (sink, "inject-command", unknown_ins, &ok);
	g_assert_true (ok);
	while (n_responses == 6) {
		g_main_context_iteration (NULL, TRUE);
		g_object_get (sink, "n-responses", &n_responses, NULL);
	}
	g_clear_pointer (&last, g_bytes_unref);
	g_object_get (sink, "last-response", &last, NULL);
	test_assert_bytes (last, "6d 00");
	g_signal_emit_by_name (sink, "inject-reset");
	g_assert_true (loop.reset_requested);

	/* a response nobody asked for */
	g_assert_false (remsim_card_sink_deliver_response (sink, last, &error));
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL);
	g_clear_error (&error);

	remsim_card_sink_stop (sink);
	g_signal_emit_by_name (sink, "inject-command", last, &ok);
	g_assert_false (ok);
}

static void
test_plugins_wrappers_unsupported (void)
{
	g_autoptr (TestEmptySource) empty = g_object_new (TEST_TYPE_EMPTY_SOURCE, NULL);
	RemsimCardSource *source = REMSIM_CARD_SOURCE (empty);
	g_autoptr (GError) error = NULL;
	g_autoptr (GAsyncResult) res = NULL;
	g_autoptr (GBytes) rsp = NULL;

	rsp = test_transmit (source, "a0 f2 00 00 02", &error);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_NOT_SUPPORTED);
	g_assert_null (rsp);
	g_clear_error (&error);
	remsim_card_source_reset_async (source, TRUE, NULL, test_result_cb, &res);
	rsp = remsim_card_source_reset_finish (source, test_wait (&res), &error);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_NOT_SUPPORTED);
	g_clear_error (&error);
	g_assert_false (remsim_card_source_power_off (source, &error));
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_NOT_SUPPORTED);
	g_assert_null (remsim_card_source_get_atr (source));
	g_assert_true (remsim_card_source_is_card_present (source));
}

/* each broken module fails with its code and a message naming the file */
static void
test_plugins_load_error (gconstpointer user_data)
{
	const gchar *const *args = user_data; /* name, code, message part */
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *file = test_plugin_file (plugins, args[0]);
	RemsimPlugin *plugin;

	plugin = remsim_plugins_load (plugins, args[0], &error);
	g_assert_null (plugin);
	g_assert_error (error, REMSIM_PLUGIN_ERROR, (gint)g_ascii_strtoll (args[1], NULL, 10));
	g_test_message ("%s", error->message);
	g_assert_true (g_str_has_prefix (error->message, file));
	g_assert_nonnull (strstr (error->message, args[2]));

	/* and again: still an error, nothing cached */
	g_clear_error (&error);
	g_assert_null (remsim_plugins_load (plugins, args[0], &error));
	g_assert_error (error, REMSIM_PLUGIN_ERROR, (gint)g_ascii_strtoll (args[1], NULL, 10));
}

static void
test_plugins_not_found (void)
{
	g_autoptr (RemsimPlugins) plugins =
	    remsim_plugins_new_for_path ("/nonexistent/a:/nonexistent/b");
	g_autoptr (GError) error = NULL;

	g_assert_null (remsim_plugins_load (plugins, "foo", &error));
	g_assert_error (error, REMSIM_PLUGIN_ERROR, REMSIM_PLUGIN_ERROR_NOT_FOUND);
	g_assert_nonnull (strstr (error->message, "'foo'"));
	g_assert_nonnull (strstr (error->message, "libremsim-plugin-foo.so"));
	g_assert_nonnull (strstr (error->message, "/nonexistent/a:/nonexistent/b"));
}

static void
test_plugins_invalid_name (void)
{
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	const gchar *names[] = {
	    "", "../testcard", "test/card", "Testcard", "test card", "a.b", "testcard.so"};

	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		g_autoptr (GError) error = NULL;

		g_assert_null (remsim_plugins_load (plugins, names[i], &error));
		g_assert_error (error, REMSIM_PLUGIN_ERROR, REMSIM_PLUGIN_ERROR_INVALID_NAME);
	}
}

/* the construct-property helper every plugin type uses */
static void
test_plugins_instance_props (void)
{
	static const gchar *const known[] = {"atr", NULL};
	g_autoptr (GKeyFile) keyfile = test_keyfile ("[source:p]\nplugin=x\natr=3b 00\n");
	RemsimPluginInstanceProps props = {0};
	g_auto (GValue) value = G_VALUE_INIT;
	g_autoptr (GError) error = NULL;
	const guint first = 4;

	g_assert_false (remsim_plugin_instance_props_check (&props, known, &error));
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);

	/* ids outside first .. first + 2 are the caller's */
	g_value_init (&value, G_TYPE_UINT);
	g_value_set_uint (&value, 7);
	g_assert_false (
	    remsim_plugin_instance_props_set_property (&props, first, first - 1, &value));
	g_assert_false (remsim_plugin_instance_props_set_property (
	    &props, first, first + REMSIM_PLUGIN_INSTANCE_N_PROPS, &value));
	g_assert_true (
	    remsim_plugin_instance_props_set_property (&props, first, first + 2, &value));
	g_assert_cmpuint (props.slot, ==, 7);
	g_value_unset (&value);

	g_value_init (&value, G_TYPE_KEY_FILE);
	g_value_set_boxed (&value, keyfile);
	g_assert_true (remsim_plugin_instance_props_set_property (&props, first, first, &value));
	g_assert_true (props.config == keyfile);
	g_value_unset (&value);

	g_value_init (&value, G_TYPE_STRING);
	g_value_set_string (&value, "source:p");
	g_assert_true (
	    remsim_plugin_instance_props_set_property (&props, first, first + 1, &value));
	g_value_unset (&value);

	g_value_init (&value, G_TYPE_STRING);
	g_assert_true (
	    remsim_plugin_instance_props_get_property (&props, first, first + 1, &value));
	g_assert_cmpstr (g_value_get_string (&value), ==, "source:p");
	g_value_unset (&value);
	g_value_init (&value, G_TYPE_KEY_FILE);
	g_assert_true (remsim_plugin_instance_props_get_property (&props, first, first, &value));
	g_assert_true (g_value_get_boxed (&value) == keyfile);
	g_value_unset (&value);
	g_value_init (&value, G_TYPE_UINT);
	g_assert_false (remsim_plugin_instance_props_get_property (&props, first, 1, &value));
	g_assert_true (
	    remsim_plugin_instance_props_get_property (&props, first, first + 2, &value));
	g_assert_cmpuint (g_value_get_uint (&value), ==, 7);

	g_assert_true (remsim_plugin_instance_props_check (&props, known, &error));
	g_assert_no_error (error);
	g_assert_false (remsim_plugin_instance_props_check (&props, NULL, &error));
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_UNKNOWN_KEY);

	remsim_plugin_instance_props_clear (&props);
	g_assert_null (props.config);
	g_assert_null (props.group);
	remsim_plugin_instance_props_clear (&props);
}

static void
test_plugins_no_type (void)
{
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (GKeyFile) keyfile =
	    test_keyfile ("[source:x]\nplugin=empty\n[sink:y]\nplugin=empty\n");
	g_autoptr (GError) error = NULL;
	g_autofree gchar *file = test_plugin_file (plugins, "empty");
	g_autoptr (RemsimCardSource) source = NULL;
	g_autoptr (RemsimCardSink) sink = NULL;

	source = remsim_plugins_create_card_source (plugins, keyfile, "source:x", 0, &error);
	g_assert_error (error, REMSIM_PLUGIN_ERROR, REMSIM_PLUGIN_ERROR_NO_TYPE);
	g_assert_null (source);
	g_assert_nonnull (strstr (error->message, file));
	g_assert_nonnull (strstr (error->message, "[source:x]"));
	g_clear_error (&error);
	sink = remsim_plugins_create_card_sink (plugins, keyfile, "sink:y", 0, &error);
	g_assert_error (error, REMSIM_PLUGIN_ERROR, REMSIM_PLUGIN_ERROR_NO_TYPE);
	g_assert_null (sink);
}

static void
test_plugins_config_errors (void)
{
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (GKeyFile) keyfile =
	    test_keyfile ("[source:unknown]\nplugin=testcard\natr=3b 00\nflavour=vanilla\n"
			  "[sink:unknown]\nplugin=testcard\natr=3b 00\n"
			  "[source:badatr]\nplugin=testcard\natr=3b 0\n"
			  "[sink:badrepeat]\nplugin=testcard\nrepeat=0\n"
			  "[source:noplugin]\natr=3b 00\n"
			  "[source:missing]\nplugin=nosuchplugin\n");
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimCardSource) source = NULL;
	g_autoptr (RemsimCardSink) sink = NULL;

	source = remsim_plugins_create_card_source (plugins, keyfile, "source:unknown", 2, &error);
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_UNKNOWN_KEY);
	g_assert_null (source);
	g_test_message ("%s", error->message);
	g_assert_true (g_str_has_prefix (error->message, "[source:unknown] slot 2: "));
	g_assert_nonnull (strstr (error->message, "'flavour'"));
	g_clear_error (&error);

	/* atr is a source key, not a sink key */
	sink = remsim_plugins_create_card_sink (plugins, keyfile, "sink:unknown", 0, &error);
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_UNKNOWN_KEY);
	g_assert_nonnull (strstr (error->message, "'atr'"));
	g_clear_error (&error);

	source = remsim_plugins_create_card_source (plugins, keyfile, "source:badatr", 0, &error);
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	g_clear_error (&error);

	sink = remsim_plugins_create_card_sink (plugins, keyfile, "sink:badrepeat", 0, &error);
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	g_clear_error (&error);

	source = remsim_plugins_create_card_source (plugins, keyfile, "source:noplugin", 0, &error);
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_MISSING);
	g_clear_error (&error);

	source = remsim_plugins_create_card_source (plugins, keyfile, "source:missing", 0, &error);
	g_assert_error (error, REMSIM_PLUGIN_ERROR, REMSIM_PLUGIN_ERROR_NOT_FOUND);
	g_assert_true (g_str_has_prefix (error->message, "[source:missing]: "));
}

int
main (int argc, char **argv)
{
	static const gchar *const broken[] = {"broken", "1", "cannot load plugin", NULL};
	static const gchar *const nodesc[] = {
	    "nodesc", "2", "no symbol 'remsim_plugin_desc'", NULL};
	static const gchar *const badabi[] = {
	    "badabi", "3", "plugin ABI 99.0 not supported (core has 1.1)", NULL};
	static const gchar *const newminor[] = {
	    "newminor", "3", "plugin ABI 1.2 not supported", NULL};
	static const gchar *const badname[] = {
	    "badname", "4", "plugin calls itself 'someone-else', expected 'badname'", NULL};
	static const gchar *const initfail[] = {"initfail", "5", "no hardware here", NULL};
	static const gchar *const badtype[] = {"badtype", "5", "does not implement", NULL};

	G_STATIC_ASSERT (REMSIM_PLUGIN_ERROR_LOAD_FAILED == 1);
	G_STATIC_ASSERT (REMSIM_PLUGIN_ERROR_NO_DESCRIPTOR == 2);
	G_STATIC_ASSERT (REMSIM_PLUGIN_ERROR_ABI_MISMATCH == 3);
	G_STATIC_ASSERT (REMSIM_PLUGIN_ERROR_NAME_MISMATCH == 4);
	G_STATIC_ASSERT (REMSIM_PLUGIN_ERROR_INIT_FAILED == 5);

	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/remsim/plugins/search-path", test_plugins_search_path);
	g_test_add_func ("/remsim/plugins/load-testcard", test_plugins_load_testcard);
	g_test_add_func ("/remsim/plugins/load-twice", test_plugins_load_twice);
	g_test_add_func ("/remsim/plugins/source-transmit", test_plugins_source_transmit);
	g_test_add_func ("/remsim/plugins/source-default-atr", test_plugins_source_default_atr);
	g_test_add_func ("/remsim/plugins/source-absent", test_plugins_source_absent);
	g_test_add_func ("/remsim/plugins/sink-loopback", test_plugins_sink_loopback);
	g_test_add_func ("/remsim/plugins/wrappers-unsupported", test_plugins_wrappers_unsupported);
	g_test_add_func ("/remsim/plugins/not-found", test_plugins_not_found);
	g_test_add_func ("/remsim/plugins/invalid-name", test_plugins_invalid_name);
	g_test_add_func ("/remsim/plugins/instance-props", test_plugins_instance_props);
	g_test_add_data_func ("/remsim/plugins/error/broken", broken, test_plugins_load_error);
	g_test_add_data_func (
	    "/remsim/plugins/error/no-descriptor", nodesc, test_plugins_load_error);
	g_test_add_data_func ("/remsim/plugins/error/abi-major", badabi, test_plugins_load_error);
	g_test_add_data_func ("/remsim/plugins/error/abi-minor", newminor, test_plugins_load_error);
	g_test_add_data_func (
	    "/remsim/plugins/error/name-mismatch", badname, test_plugins_load_error);
	g_test_add_data_func (
	    "/remsim/plugins/error/init-failed", initfail, test_plugins_load_error);
	g_test_add_data_func ("/remsim/plugins/error/bad-type", badtype, test_plugins_load_error);
	g_test_add_func ("/remsim/plugins/no-type", test_plugins_no_type);
	g_test_add_func ("/remsim/plugins/config-errors", test_plugins_config_errors);

	return g_test_run ();
}
