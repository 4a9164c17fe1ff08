/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "core/remsim-config.h"

static const RemsimConfigKey test_schema[] = {
    {"bankd", "bank-id", REMSIM_CONFIG_TYPE_INT, 0, 1023, "1", NULL, "own bank id"},
    {"bankd", "num-slots", REMSIM_CONFIG_TYPE_INT, 1, 1024, "8", NULL, "number of slots"},
    {"bankd", "server", REMSIM_CONFIG_TYPE_HOSTPORT, 1, 9998, NULL, NULL, "remsim-server"},
    {"bankd", "listen", REMSIM_CONFIG_TYPE_HOSTPORT, 0, 9999, "0.0.0.0", NULL, "for clients"},
    {"bankd", "permit-shared", REMSIM_CONFIG_TYPE_BOOLEAN, 0, 0, "false", NULL, "shared"},
    {"bankd", "name", REMSIM_CONFIG_TYPE_STRING, 0, 0, NULL, NULL, "component name"},
    {"bankd", "log-domains", REMSIM_CONFIG_TYPE_STRV, 0, 0, "remsim;remsim-pcsc", NULL, "log"},
    {"bankd",
     "mode",
     REMSIM_CONFIG_TYPE_ENUM,
     0,
     0,
     "exclusive",
     "exclusive;shared",
     "reader access"},
    {"gsmtap", "host", REMSIM_CONFIG_TYPE_STRING, 0, 0, NULL, NULL, "GSMTAP target"},
    {"gsmtap", "slots", REMSIM_CONFIG_TYPE_STRV, 0, 0, NULL, NULL, "traced slots"},
    {NULL},
};

static RemsimConfig *
config_new (void)
{
	RemsimConfig *config = remsim_config_new (test_schema);
	remsim_config_allow_plugin_groups (config, "source");
	remsim_config_allow_plugin_groups (config, "sink");
	return config;
}

static gchar *
write_tmp (const gchar *name, const gchar *data)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp ("remsim-config-XXXXXX", &error);
	gchar *path;

	g_assert_no_error (error);
	path = g_build_filename (dir, name, NULL);
	g_file_set_contents (path, data, -1, &error);
	g_assert_no_error (error);
	return path;
}

static void
remove_tmp (const gchar *path)
{
	g_autofree gchar *dir = g_path_get_dirname (path);
	g_unlink (path);
	g_rmdir (dir);
}

static void
test_config_defaults (void)
{
	g_autoptr (RemsimConfig) config = config_new ();
	g_autofree gchar *bank_id = NULL;
	g_autofree gchar *name = NULL;
	g_autofree gchar *host = NULL;
	g_auto (GStrv) domains = NULL;
	g_auto (GStrv) slots = NULL;
	g_auto (GStrv) sources = NULL;
	guint16 port = 1;

	g_assert_null (remsim_config_get_filename (config));
	g_assert_nonnull (remsim_config_get_keyfile (config));
	g_assert_cmpint (remsim_config_get_int (config, "bankd", "bank-id"), ==, 1);
	g_assert_cmpint (remsim_config_get_int (config, "bankd", "num-slots"), ==, 8);
	g_assert_false (remsim_config_get_boolean (config, "bankd", "permit-shared"));
	bank_id = remsim_config_get_string (config, "bankd", "bank-id");
	g_assert_cmpstr (bank_id, ==, "1");
	name = remsim_config_get_string (config, "bankd", "name");
	g_assert_null (name);
	g_assert_false (remsim_config_has_value (config, "bankd", "bank-id"));
	g_assert_false (remsim_config_has_value (config, "bankd", "name"));

	/* no value, no default */
	g_assert_false (remsim_config_get_hostport (config, "bankd", "server", &host, &port));
	g_assert_null (host);
	g_assert_cmpuint (port, ==, 0);
	/* default without a port: the schema's default port */
	g_assert_true (remsim_config_get_hostport (config, "bankd", "listen", &host, &port));
	g_assert_cmpstr (host, ==, "0.0.0.0");
	g_assert_cmpuint (port, ==, 9999);

	domains = remsim_config_get_strv (config, "bankd", "log-domains");
	g_assert_cmpuint (g_strv_length (domains), ==, 2);
	g_assert_cmpstr (domains[0], ==, "remsim");
	g_assert_cmpstr (domains[1], ==, "remsim-pcsc");
	slots = remsim_config_get_strv (config, "gsmtap", "slots");
	g_assert_nonnull (slots);
	g_assert_cmpuint (g_strv_length (slots), ==, 0);

	sources = remsim_config_get_plugin_groups (config, "source");
	g_assert_nonnull (sources);
	g_assert_cmpuint (g_strv_length (sources), ==, 0);
}

static void
test_config_file_values (void)
{
	g_autoptr (RemsimConfig) config = config_new ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path = write_tmp ("bankd.conf",
					    "# comment\n"
					    "[bankd]\n"
					    "bank-id=1023\n"
					    "server=remsim.example.org\n"
					    "listen=[::1]:0\n"
					    "permit-shared=true\n"
					    "name=bank\\sone\n"
					    "log-domains=a;b\\;c;\n"
					    "mode=shared\n"
					    "[gsmtap]\n"
					    "host=127.0.0.1\n");
	g_autofree gchar *name = NULL;
	g_autofree gchar *mode = NULL;
	g_autofree gchar *host = NULL;
	g_autofree gchar *host2 = NULL;
	g_auto (GStrv) domains = NULL;
	guint16 port = 0;

	g_assert_true (remsim_config_load_file (config, path, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (remsim_config_get_filename (config), ==, path);
	g_assert_cmpint (remsim_config_get_int (config, "bankd", "bank-id"), ==, 1023);
	g_assert_cmpint (remsim_config_get_int (config, "bankd", "num-slots"), ==, 8);
	g_assert_true (remsim_config_get_boolean (config, "bankd", "permit-shared"));
	g_assert_true (remsim_config_has_value (config, "bankd", "bank-id"));
	g_assert_false (remsim_config_has_value (config, "bankd", "num-slots"));
	name = remsim_config_get_string (config, "bankd", "name");
	g_assert_cmpstr (name, ==, "bank one");
	mode = remsim_config_get_string (config, "bankd", "mode");
	g_assert_cmpstr (mode, ==, "shared");
	g_assert_true (remsim_config_get_hostport (config, "bankd", "server", &host, &port));
	g_assert_cmpstr (host, ==, "remsim.example.org");
	g_assert_cmpuint (port, ==, 9998);
	g_assert_true (remsim_config_get_hostport (config, "bankd", "listen", &host2, &port));
	g_assert_cmpstr (host2, ==, "::1");
	g_assert_cmpuint (port, ==, 0);
	domains = remsim_config_get_strv (config, "bankd", "log-domains");
	g_assert_cmpuint (g_strv_length (domains), ==, 2);
	g_assert_cmpstr (domains[0], ==, "a");
	g_assert_cmpstr (domains[1], ==, "b;c");
	remove_tmp (path);
}

typedef struct {
	const gchar *data;
	gint code;
	const gchar *message; /* after "<file>: "; NULL: only the prefix is checked */
} ErrorCase;

static void
test_config_errors (void)
{
	const ErrorCase cases[] = {
	    /* the file itself */
	    {"[bankd\nbank-id=1\n", REMSIM_CONFIG_ERROR_FILE, NULL},
	    {"bank-id=1\n", REMSIM_CONFIG_ERROR_FILE, NULL},
	    /* groups */
	    {"[bank]\nbank-id=1\n",
	     REMSIM_CONFIG_ERROR_UNKNOWN_GROUP,
	     "[bank]: unknown group, expected [bankd], [gsmtap], [source:<label>], "
	     "[sink:<label>]"},
	    {"[frobnicator:x]\nplugin=pcsc\n",
	     REMSIM_CONFIG_ERROR_UNKNOWN_GROUP,
	     "[frobnicator:x]: unknown group, expected [bankd], [gsmtap], [source:<label>], "
	     "[sink:<label>]"},
	    {"[source:]\nplugin=pcsc\n",
	     REMSIM_CONFIG_ERROR_UNKNOWN_GROUP,
	     "[source:]: expected [source:<label>] with a label of letters, digits, '-', '_' "
	     "or '.', got \"\""},
	    {"[source:my readers]\nplugin=pcsc\n",
	     REMSIM_CONFIG_ERROR_UNKNOWN_GROUP,
	     "[source:my readers]: expected [source:<label>] with a label of letters, digits, "
	     "'-', '_' or '.', got \"my readers\""},
	    /* keys */
	    {"[bankd]\nbank-di=1\n",
	     REMSIM_CONFIG_ERROR_UNKNOWN_KEY,
	     "[bankd] bank-di: unknown key, expected one of bank-id, num-slots, server, listen, "
	     "permit-shared, name, log-domains, mode"},
	    {"[bankd]\nname[de]=x\n",
	     REMSIM_CONFIG_ERROR_UNKNOWN_KEY,
	     "[bankd] name[de]: unknown key, expected one of bank-id, num-slots, server, listen, "
	     "permit-shared, name, log-domains, mode"},
	    {"[gsmtap]\nport=4729\n",
	     REMSIM_CONFIG_ERROR_UNKNOWN_KEY,
	     "[gsmtap] port: unknown key, expected one of host, slots"},
	    /* values */
	    {"[bankd]\nbank-id=abc\n",
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "[bankd] bank-id: expected an integer in 0..1023, got \"abc\""},
	    {"[bankd]\nbank-id=1024\n",
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "[bankd] bank-id: expected an integer in 0..1023, got \"1024\""},
	    {"[bankd]\nbank-id=-1\n",
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "[bankd] bank-id: expected an integer in 0..1023, got \"-1\""},
	    {"[bankd]\nbank-id=\n",
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "[bankd] bank-id: expected an integer in 0..1023, got \"\""},
	    {"[bankd]\nnum-slots=0\n",
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "[bankd] num-slots: expected an integer in 1..1024, got \"0\""},
	    {"[bankd]\npermit-shared=yes\n",
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "[bankd] permit-shared: expected true or false, got \"yes\""},
	    {"[bankd]\nmode=both\n",
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "[bankd] mode: expected one of exclusive, shared, got \"both\""},
	    {"[bankd]\nserver=::1\n",
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "[bankd] server: expected an IPv6 address in brackets ([::1] or [::1]:9999), "
	     "got \"::1\""},
	    {"[bankd]\nserver=host:99999\n",
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "[bankd] server: expected a port in 0..65535 after the colon, got \"host:99999\""},
	    {"[bankd]\nserver=host:0\n",
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "[bankd] server: expected a port in 1..65535, got \"host:0\""},
	    {"[bankd]\nserver=:9998\n",
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "[bankd] server: expected a host name or address before the port, got \":9998\""},
	    {"[bankd]\nserver=\n",
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "[bankd] server: expected a host name or address, got \"\""},
	    {"[bankd]\nname=a\\qb\n",
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "[bankd] name: expected a value with valid escapes (\\s \\n \\t \\r \\\\), got "
	     "\"a\\qb\""},
	    /* plugin groups */
	    {"[bankd]\n[source:readers]\nslots=0-7\n",
	     REMSIM_CONFIG_ERROR_MISSING,
	     "[source:readers] plugin: missing, expected the name of a source plugin"},
	    {"[sink:modem]\nplugin=../../tmp/evil\n",
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "[sink:modem] plugin: expected a plugin name of letters, digits, '-' or '_', got "
	     "\"../../tmp/evil\""},
	    {"[sink:modem]\nplugin=\n",
	     REMSIM_CONFIG_ERROR_INVALID_VALUE,
	     "[sink:modem] plugin: expected a plugin name of letters, digits, '-' or '_', got "
	     "\"\""},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (RemsimConfig) config = config_new ();
		g_autoptr (GError) error = NULL;
		g_autofree gchar *path = write_tmp ("bankd.conf", cases[i].data);
		g_autofree gchar *prefix = g_strdup_printf ("%s: ", path);
		g_auto (GStrv) groups = NULL;

		g_test_message ("case %u: %s", i, cases[i].data);
		g_assert_false (remsim_config_load_file (config, path, &error));
		g_assert_error (error, REMSIM_CONFIG_ERROR, cases[i].code);
		g_assert_true (g_str_has_prefix (error->message, prefix));
		if (cases[i].message != NULL)
			g_assert_cmpstr (error->message + strlen (prefix), ==, cases[i].message);
		/* nothing loaded */
		g_assert_null (remsim_config_get_filename (config));
		groups = g_key_file_get_groups (remsim_config_get_keyfile (config), NULL);
		g_assert_null (groups[0]);
		remove_tmp (path);
	}
}

static void
test_config_missing_file (void)
{
	g_autoptr (RemsimConfig) config = config_new ();
	g_autoptr (GError) error = NULL;

	g_assert_false (remsim_config_load_file (config, "/nonexistent/remsim/bankd.conf", &error));
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_FILE);
	g_assert_true (g_str_has_prefix (error->message, "/nonexistent/remsim/bankd.conf: "));
}

static void
test_config_load_data (void)
{
	g_autoptr (RemsimConfig) config = config_new ();
	g_autoptr (GError) error = NULL;
	const gchar *bad = "[bankd]\nbank-id=x\n";
	const gchar *good = "[bankd]\nbank-id=7\n";

	g_assert_false (remsim_config_load_data (config, bad, strlen (bad), &error));
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	g_assert_cmpstr (error->message,
			 ==,
			 "<data>: [bankd] bank-id: expected an integer in 0..1023, got \"x\"");
	g_clear_error (&error);
	g_assert_true (remsim_config_load_data (config, good, (gsize)-1, &error));
	g_assert_no_error (error);
	g_assert_cmpint (remsim_config_get_int (config, "bankd", "bank-id"), ==, 7);
	g_assert_null (remsim_config_get_filename (config));
}

static void
test_config_error_keeps_previous (void)
{
	g_autoptr (RemsimConfig) config = config_new ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *good =
	    write_tmp ("good.conf", "[bankd]\nbank-id=5\n[source:a]\nplugin=x\n");
	g_autofree gchar *bad = write_tmp ("bad.conf", "[bankd]\nbank-id=6\nnum-slots=0\n");
	g_auto (GStrv) groups = NULL;

	g_assert_true (remsim_config_load_file (config, good, &error));
	g_assert_no_error (error);
	g_assert_false (remsim_config_load_file (config, bad, &error));
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	g_assert_cmpstr (remsim_config_get_filename (config), ==, good);
	g_assert_cmpint (remsim_config_get_int (config, "bankd", "bank-id"), ==, 5);
	groups = remsim_config_get_plugin_groups (config, "source");
	g_assert_cmpuint (g_strv_length (groups), ==, 1);
	remove_tmp (good);
	remove_tmp (bad);
}

static void
test_config_overrides (void)
{
	g_autoptr (RemsimConfig) config = config_new ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path = write_tmp ("bankd.conf",
					    "[bankd]\n"
					    "bank-id=5\n"
					    "server=10.0.0.1:1234\n"
					    "log-domains=a;b\n");
	g_autofree gchar *host = NULL;
	g_autofree gchar *name = NULL;
	g_auto (GStrv) domains = NULL;
	guint16 port = 0;

	/* an override set before the file is loaded still wins */
	g_assert_true (
	    remsim_config_set_override (config, "bankd", "bank-id", "9", "--bank-id", &error));
	g_assert_no_error (error);
	g_assert_true (remsim_config_load_file (config, path, &error));
	g_assert_no_error (error);
	g_assert_cmpint (remsim_config_get_int (config, "bankd", "bank-id"), ==, 9);

	/* over a file value and over a default */
	g_assert_true (remsim_config_set_override (
	    config, "bankd", "server", "[fe80::1]:4000", "--server", &error));
	g_assert_no_error (error);
	g_assert_true (remsim_config_get_hostport (config, "bankd", "server", &host, &port));
	g_assert_cmpstr (host, ==, "fe80::1");
	g_assert_cmpuint (port, ==, 4000);
	g_assert_true (
	    remsim_config_set_override (config, "bankd", "num-slots", "1024", "-n", &error));
	g_assert_no_error (error);
	g_assert_cmpint (remsim_config_get_int (config, "bankd", "num-slots"), ==, 1024);
	g_assert_true (remsim_config_has_value (config, "bankd", "num-slots"));

	/* literal: no keyfile escapes on the command line; lists ;-separated */
	g_assert_true (
	    remsim_config_set_override (config, "bankd", "name", "a\\sb", "--name", &error));
	g_assert_no_error (error);
	name = remsim_config_get_string (config, "bankd", "name");
	g_assert_cmpstr (name, ==, "a\\sb");
	g_assert_true (
	    remsim_config_set_override (config, "bankd", "log-domains", "x;y;z", NULL, &error));
	g_assert_no_error (error);
	domains = remsim_config_get_strv (config, "bankd", "log-domains");
	g_assert_cmpuint (g_strv_length (domains), ==, 3);
	g_assert_cmpstr (domains[2], ==, "z");

	/* validated like file values, named by the option */
	g_assert_false (
	    remsim_config_set_override (config, "bankd", "bank-id", "abc", "--bank-id", &error));
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	g_assert_cmpstr (
	    error->message, ==, "--bank-id: expected an integer in 0..1023, got \"abc\"");
	g_clear_error (&error);
	g_assert_false (
	    remsim_config_set_override (config, "bankd", "server", "::1", "--server", &error));
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	g_assert_cmpstr (
	    error->message,
	    ==,
	    "--server: expected an IPv6 address in brackets ([::1] or [::1]:9999), got "
	    "\"::1\"");
	g_clear_error (&error);
	g_assert_false (
	    remsim_config_set_override (config, "bankd", "permit-shared", "1", "-s", &error));
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	g_assert_cmpstr (error->message, ==, "-s: expected true or false, got \"1\"");
	g_clear_error (&error);
	/* without an origin: group and key */
	g_assert_false (remsim_config_set_override (config, "bankd", "mode", "x", NULL, &error));
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	g_assert_cmpstr (
	    error->message, ==, "[bankd] mode: expected one of exclusive, shared, got \"x\"");
	g_clear_error (&error);
	/* unknown key */
	g_assert_false (
	    remsim_config_set_override (config, "bankd", "frob", "1", "--frob", &error));
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_UNKNOWN_KEY);
	g_assert_cmpstr (error->message, ==, "--frob: unknown key [bankd] frob");
	g_clear_error (&error);

	/* a rejected override leaves the previous one */
	g_assert_cmpint (remsim_config_get_int (config, "bankd", "bank-id"), ==, 9);
	remove_tmp (path);
}

static void
test_config_plugin_groups (void)
{
	g_autoptr (RemsimConfig) config = config_new ();
	g_autoptr (GError) error = NULL;
	const gchar *data = "[source:zeta]\n"
			    "plugin=pcsc\n"
			    "slots=0-7\n"
			    "reader-regex=^Virtual PCD 00 0[0-7]$\n"
			    "[bankd]\n"
			    "bank-id=1\n"
			    "[sink:modem]\n"
			    "plugin=cardem-st2\n"
			    "[source:alpha]\n"
			    "plugin=vicc\n"
			    "anything-goes=here\n"
			    "[source:beta.2]\n"
			    "plugin=vicc\n";
	g_auto (GStrv) sources = NULL;
	g_auto (GStrv) sinks = NULL;
	g_auto (GStrv) none = NULL;
	g_autofree gchar *regex = NULL;

	g_assert_true (remsim_config_load_data (config, data, strlen (data), &error));
	g_assert_no_error (error);
	sources = remsim_config_get_plugin_groups (config, "source");
	g_assert_cmpuint (g_strv_length (sources), ==, 3);
	g_assert_cmpstr (sources[0], ==, "source:zeta");
	g_assert_cmpstr (sources[1], ==, "source:alpha");
	g_assert_cmpstr (sources[2], ==, "source:beta.2");
	sinks = remsim_config_get_plugin_groups (config, "sink");
	g_assert_cmpuint (g_strv_length (sinks), ==, 1);
	g_assert_cmpstr (sinks[0], ==, "sink:modem");
	none = remsim_config_get_plugin_groups (config, "sour");
	g_assert_cmpuint (g_strv_length (none), ==, 0);

	/* the plugin reads its own keys from the keyfile */
	regex = g_key_file_get_string (
	    remsim_config_get_keyfile (config), "source:zeta", "reader-regex", NULL);
	g_assert_cmpstr (regex, ==, "^Virtual PCD 00 0[0-7]$");
}

static void
test_config_plugin_groups_not_allowed (void)
{
	g_autoptr (RemsimConfig) config = remsim_config_new (test_schema);
	g_autoptr (GError) error = NULL;
	const gchar *data = "[source:a]\nplugin=pcsc\n";

	g_assert_false (remsim_config_load_data (config, data, strlen (data), &error));
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_UNKNOWN_GROUP);
	g_assert_cmpstr (
	    error->message, ==, "<data>: [source:a]: unknown group, expected [bankd], [gsmtap]");
}

static void
test_config_hostport (void)
{
	struct {
		const gchar *value;
		const gchar *host; /* NULL: error */
		guint16 port;
	} cases[] = {
	    {"127.0.0.1:9998", "127.0.0.1", 9998},
	    {"localhost:1", "localhost", 1},
	    {"remsim.example.org", "remsim.example.org", 4242},
	    {"host:0", "host", 0},
	    {"host:65535", "host", 65535},
	    {"[::1]:9999", "::1", 9999},
	    {"[::1]", "::1", 4242},
	    {"[fe80::1:2]:80", "fe80::1:2", 80},
	    {"[::ffff:1.2.3.4]:5", "::ffff:1.2.3.4", 5},
	    {"::1", NULL, 0},
	    {"fe80::1:9999", NULL, 0},
	    {"host:65536", NULL, 0},
	    {"host:-1", NULL, 0},
	    {"host:", NULL, 0},
	    {"host:80x", NULL, 0},
	    {":80", NULL, 0},
	    {"", NULL, 0},
	    {"[::1", NULL, 0},
	    {"[::1]x", NULL, 0},
	    {"[::1]:", NULL, 0},
	    {"[1.2.3.4]:80", NULL, 0},
	    {"[]:80", NULL, 0},
	    {"[host]:80", NULL, 0},
	    {"a b:80", NULL, 0},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *host = NULL;
		guint16 port = 0;
		gboolean ok;

		g_test_message ("hostport \"%s\"", cases[i].value);
		ok = remsim_config_parse_hostport (cases[i].value, 4242, &host, &port, &error);
		if (cases[i].host != NULL) {
			g_assert_no_error (error);
			g_assert_true (ok);
			g_assert_cmpstr (host, ==, cases[i].host);
			g_assert_cmpuint (port, ==, cases[i].port);
		} else {
			g_autofree gchar *got = g_strdup_printf ("got \"%s\"", cases[i].value);
			g_assert_false (ok);
			g_assert_null (host);
			g_assert_error (
			    error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
			g_assert_true (g_str_has_prefix (error->message, "expected "));
			g_assert_true (g_str_has_suffix (error->message, got));
		}
	}
}

static void
test_config_not_in_schema (void)
{
	g_autoptr (RemsimConfig) config = config_new ();
	g_autofree gchar *s = NULL;
	g_auto (GStrv) v = NULL;
	g_autofree gchar *host = NULL;
	guint16 port = 7;

	g_test_expect_message ("remsim", G_LOG_LEVEL_CRITICAL, "*[bankd] nope*not in the schema*");
	g_assert_cmpint (remsim_config_get_int (config, "bankd", "nope"), ==, 0);
	g_test_assert_expected_messages ();

	g_test_expect_message ("remsim", G_LOG_LEVEL_CRITICAL, "*[nope] name*not in the schema*");
	s = remsim_config_get_string (config, "nope", "name");
	g_assert_null (s);
	g_test_assert_expected_messages ();

	g_test_expect_message ("remsim", G_LOG_LEVEL_CRITICAL, "*not in the schema*");
	g_assert_false (remsim_config_get_boolean (config, "bankd", "nope"));
	g_test_assert_expected_messages ();

	g_test_expect_message ("remsim", G_LOG_LEVEL_CRITICAL, "*not in the schema*");
	v = remsim_config_get_strv (config, "bankd", "nope");
	g_assert_nonnull (v);
	g_assert_null (v[0]);
	g_test_assert_expected_messages ();

	g_test_expect_message ("remsim", G_LOG_LEVEL_CRITICAL, "*not in the schema*");
	g_assert_false (remsim_config_get_hostport (config, "bankd", "nope", &host, &port));
	g_assert_null (host);
	g_assert_cmpuint (port, ==, 0);
	g_test_assert_expected_messages ();

	g_test_expect_message ("remsim", G_LOG_LEVEL_CRITICAL, "*not in the schema*");
	g_assert_false (remsim_config_has_value (config, "bankd", "nope"));
	g_test_assert_expected_messages ();

	/* the wrong getter for the type is a programming error too */
	g_test_expect_message ("remsim", G_LOG_LEVEL_CRITICAL, "*[bankd] name*another type*");
	g_assert_cmpint (remsim_config_get_int (config, "bankd", "name"), ==, 0);
	g_test_assert_expected_messages ();
}

static void
test_config_bad_schema_default (void)
{
	static const RemsimConfigKey bad_schema[] = {
	    {"x", "n", REMSIM_CONFIG_TYPE_INT, 0, 10, "11", NULL, NULL},
	    {NULL},
	};
	g_autoptr (RemsimConfig) config = NULL;

	g_test_expect_message ("remsim",
			       G_LOG_LEVEL_CRITICAL,
			       "config schema: [x] n: default: expected an integer in 0..10, got "
			       "\"11\"");
	config = remsim_config_new (bad_schema);
	g_test_assert_expected_messages ();
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/remsim/config/defaults", test_config_defaults);
	g_test_add_func ("/remsim/config/file-values", test_config_file_values);
	g_test_add_func ("/remsim/config/errors", test_config_errors);
	g_test_add_func ("/remsim/config/missing-file", test_config_missing_file);
	g_test_add_func ("/remsim/config/load-data", test_config_load_data);
	g_test_add_func ("/remsim/config/error-keeps-previous", test_config_error_keeps_previous);
	g_test_add_func ("/remsim/config/overrides", test_config_overrides);
	g_test_add_func ("/remsim/config/plugin-groups", test_config_plugin_groups);
	g_test_add_func ("/remsim/config/plugin-groups-not-allowed",
			 test_config_plugin_groups_not_allowed);
	g_test_add_func ("/remsim/config/hostport", test_config_hostport);
	g_test_add_func ("/remsim/config/not-in-schema", test_config_not_in_schema);
	g_test_add_func ("/remsim/config/bad-schema-default", test_config_bad_schema_default);
	return g_test_run ();
}
