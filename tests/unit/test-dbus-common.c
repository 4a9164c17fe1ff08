/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-dbus-common.h"
#include "remsim-error.h"
#include "remsim-server.h"

static void
test_dbus_common_bus_type (void)
{
	g_autoptr (GError) error = NULL;
	GBusType bus = G_BUS_TYPE_STARTER;

	g_assert_true (remsim_dbus_parse_bus_type ("session", &bus, &error));
	g_assert_cmpint (bus, ==, G_BUS_TYPE_SESSION);
	g_assert_true (remsim_dbus_parse_bus_type ("system", &bus, &error));
	g_assert_cmpint (bus, ==, G_BUS_TYPE_SYSTEM);
	g_assert_true (remsim_dbus_parse_bus_type ("none", &bus, &error));
	g_assert_cmpint (bus, ==, G_BUS_TYPE_NONE);
	g_assert_true (remsim_dbus_parse_bus_type (NULL, &bus, &error));
	g_assert_cmpint (bus, ==, G_BUS_TYPE_NONE);
	g_assert_no_error (error);
	g_assert_false (remsim_dbus_parse_bus_type ("starter", &bus, &error));
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_INVALID_ARGUMENT);
}

static void
test_dbus_common_name (void)
{
	const gchar *good[][2] = {
	    {NULL, "org.remsim.Bankd"},
	    {"", "org.remsim.Bankd"},
	    {"lab2", "org.remsim.Bankd.lab2"},
	    {"rack2.shelf1", "org.remsim.Bankd.rack2.shelf1"},
	    {"a-b_c", "org.remsim.Bankd.a-b_c"},
	};
	const gchar *bad[] = {"2bad", "a..b", "a b", ".a", "a.", "ü", "x.1"};

	for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *name =
		    remsim_dbus_make_name ("org.remsim.Bankd", good[i][0], &error);
		g_assert_no_error (error);
		g_assert_cmpstr (name, ==, good[i][1]);
	}
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *name = remsim_dbus_make_name ("org.remsim.Bankd", bad[i], &error);
		g_assert_null (name);
		g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_INVALID_ARGUMENT);
		g_assert_nonnull (strstr (error->message, bad[i]));
	}
}

/* the keys are added to a program's schema; the example passes it */
static void
test_dbus_common_schema (void)
{
	const RemsimConfigKey *base = remsim_server_get_config_schema ();
	const RemsimConfigKey *ext = remsim_dbus_config_schema (base, "server");
	g_autoptr (RemsimConfig) config = remsim_config_new (ext);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path =
	    g_test_build_filename (G_TEST_DIST, "..", "data", "remsim-server.conf.example", NULL);
	g_autofree gchar *bus = NULL;
	g_autofree gchar *suffix = NULL;

	/* built once */
	g_assert_true (remsim_dbus_config_schema (base, "server") == ext);

	g_assert_true (remsim_config_load_file (config, path, &error));
	g_assert_no_error (error);
	bus = remsim_config_get_string (config, "server", "dbus");
	g_assert_cmpstr (bus, ==, "none");
	suffix = remsim_config_get_string (config, "server", "dbus-name-suffix");
	g_assert_cmpstr (suffix, ==, "");
	/* the program's own keys are still there */
	g_assert_cmpint (
	    remsim_config_get_int (config, "server", "keepalive-interval-ms"), ==, 30000);

	g_assert_true (remsim_config_load_data (config, "[server]\ndbus=system\n", -1, &error));
	g_clear_pointer (&bus, g_free);
	bus = remsim_config_get_string (config, "server", "dbus");
	g_assert_cmpstr (bus, ==, "system");
	g_assert_false (remsim_config_load_data (config, "[server]\ndbus=bus\n", -1, &error));
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	g_assert_nonnull (strstr (error->message, "dbus"));
}

static void
test_dbus_common_identity (void)
{
	RemsimComponentIdentity id = {0};
	g_autoptr (GVariant) v = NULL;
	g_autoptr (GVariant) empty = NULL;
	const gchar *s = NULL;

	id.type = REMSIM_COMPONENT_BANKD;
	id.name = g_strdup ("bank1");
	id.software = g_strdup ("remsim-bankd");
	id.hw_model = g_strdup ("bad \xff utf8");
	v = g_variant_ref_sink (remsim_dbus_identity_to_variant (&id));
	g_assert_cmpstr (g_variant_get_type_string (v), ==, "a{ss}");
	g_assert_cmpuint (g_variant_n_children (v), ==, 4);
	g_assert_true (g_variant_lookup (v, "type", "&s", &s));
	g_assert_cmpstr (s, ==, "remsimBankd");
	g_assert_true (g_variant_lookup (v, "name", "&s", &s));
	g_assert_cmpstr (s, ==, "bank1");
	g_assert_true (g_variant_lookup (v, "hw-model", "&s", &s));
	g_assert_true (g_utf8_validate (s, -1, NULL));
	g_assert_false (g_variant_lookup (v, "fw-version", "&s", &s));
	remsim_component_identity_clear (&id);

	empty = g_variant_ref_sink (remsim_dbus_identity_to_variant (NULL));
	g_assert_cmpuint (g_variant_n_children (empty), ==, 0);
}

static void
test_dbus_common_values (void)
{
	RemsimIpPort v4 = {.family = G_SOCKET_FAMILY_IPV4, .addr = {192, 0, 2, 1}, .port = 9999};
	RemsimIpPort v6 = {.family = G_SOCKET_FAMILY_IPV6,
			   .addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 1},
			   .port = 40000};
	g_autofree gchar *s4 = remsim_dbus_ip_port_to_string (&v4);
	g_autofree gchar *s6 = remsim_dbus_ip_port_to_string (&v6);
	g_autoptr (GBytes) atr = g_bytes_new_static ("\x3b\x00", 2);
	g_autoptr (GVariant) a = g_variant_ref_sink (remsim_dbus_bytes_to_variant (atr));
	g_autoptr (GVariant) e = g_variant_ref_sink (remsim_dbus_bytes_to_variant (NULL));
	gsize len = 0;
	const guint8 *data;

	g_assert_cmpstr (s4, ==, "192.0.2.1:9999");
	g_assert_cmpstr (s6, ==, "[2001:db8::1]:40000");
	g_assert_cmpstr (g_variant_get_type_string (a), ==, "ay");
	data = g_variant_get_fixed_array (a, &len, 1);
	g_assert_cmpuint (len, ==, 2);
	g_assert_cmpuint (data[0], ==, 0x3b);
	g_assert_cmpstr (g_variant_get_type_string (e), ==, "ay");
	g_assert_cmpuint (g_variant_n_children (e), ==, 0);
}

typedef struct {
	guint64 counter;   /* what the core would count */
	guint64 published; /* what D-Bus last saw */
	guint n_published;
} Counting;

static void
test_dbus_common_publish_cb (gpointer user_data)
{
	Counting *c = user_data;

	c->published = c->counter;
	c->n_published++;
}

/* a busy slot: kicks every millisecond for a second → at most one
 * publication per interval, the last one with the final value, then no timer */
static void
test_dbus_common_throttle (void)
{
	Counting c = {0};
	g_autoptr (RemsimDBusThrottle) t = remsim_dbus_throttle_new (
	    REMSIM_DBUS_COUNTER_INTERVAL_MS, test_dbus_common_publish_cb, &c);
	gint64 start = g_get_monotonic_time ();
	gint64 end = start + G_USEC_PER_SEC;

	g_assert_false (remsim_dbus_throttle_is_pending (t));
	while (g_get_monotonic_time () < end) {
		c.counter++;
		remsim_dbus_throttle_kick (t);
		g_usleep (1000);
		while (g_main_context_iteration (NULL, FALSE))
			;
	}
	/* the last burst is published within one interval */
	while (remsim_dbus_throttle_is_pending (t))
		g_main_context_iteration (NULL, TRUE);
	g_assert_cmpuint (c.published, ==, c.counter);
	g_test_message ("%" G_GUINT64_FORMAT " kicks, %u publications", c.counter, c.n_published);
	/* 1 s / 250 ms, plus the trailing one */
	g_assert_cmpuint (c.n_published, >=, 2);
	g_assert_cmpuint (c.n_published, <=, 1000 / REMSIM_DBUS_COUNTER_INTERVAL_MS + 1);

	/* idle: nothing pending, nothing published */
	g_assert_false (remsim_dbus_throttle_is_pending (t));
	c.n_published = 0;
	for (guint i = 0; i < 50; i++)
		g_main_context_iteration (NULL, FALSE);
	g_assert_cmpuint (c.n_published, ==, 0);
}

int
main (int argc, char *argv[])
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/remsim/dbus-common/bus-type", test_dbus_common_bus_type);
	g_test_add_func ("/remsim/dbus-common/name", test_dbus_common_name);
	g_test_add_func ("/remsim/dbus-common/schema", test_dbus_common_schema);
	g_test_add_func ("/remsim/dbus-common/identity", test_dbus_common_identity);
	g_test_add_func ("/remsim/dbus-common/values", test_dbus_common_values);
	g_test_add_func ("/remsim/dbus-common/throttle", test_dbus_common_throttle);
	return g_test_run ();
}
