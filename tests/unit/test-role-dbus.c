/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * The bankd and client D-Bus exporters in-process, on a private bus
 * (GTestDBus), with tiny card source and sink types defined here: the
 * objects they export, the properties that follow the card and the sink,
 * the methods and their errors, name ownership.
 */

#include "config.h"

#include "remsim-bankd-dbus.h"
#include "remsim-client-dbus.h"
#include "remsim-dbus-common.h"
#include "remsim-dbus.h"
#include "remsim-error.h"

/* the construct-only properties every source and sink has; ignored here */
static void
test_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
}

static void
test_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
}

static void
test_override_properties (GObjectClass *object_class)
{
	object_class->set_property = test_set_property;
	object_class->get_property = test_get_property;
	g_object_class_override_property (object_class, 1, "config");
	g_object_class_override_property (object_class, 2, "group");
	g_object_class_override_property (object_class, 3, "slot");
}

/* ---- a card source: presence and ATR set by the test ---- */

#define TEST_TYPE_SOURCE (test_source_get_type ())
G_DECLARE_FINAL_TYPE (TestSource, test_source, TEST, SOURCE, GObject)

struct _TestSource {
	GObject parent_instance;
	gboolean present;
	GBytes *atr;
};

static GBytes *
test_source_get_atr (RemsimCardSource *source)
{
	TestSource *self = TEST_SOURCE (source);
	return self->atr != NULL ? g_bytes_ref (self->atr) : NULL;
}

static gboolean
test_source_is_card_present (RemsimCardSource *source)
{
	return TEST_SOURCE (source)->present;
}

static void
test_source_iface_init (RemsimCardSourceInterface *iface)
{
	iface->get_atr = test_source_get_atr;
	iface->is_card_present = test_source_is_card_present;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSource,
			       test_source,
			       G_TYPE_OBJECT,
			       G_IMPLEMENT_INTERFACE (REMSIM_TYPE_CARD_SOURCE,
						      test_source_iface_init))

static void
test_source_finalize (GObject *object)
{
	g_clear_pointer (&TEST_SOURCE (object)->atr, g_bytes_unref);
	G_OBJECT_CLASS (test_source_parent_class)->finalize (object);
}

static void
test_source_class_init (TestSourceClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = test_source_finalize;
	test_override_properties (G_OBJECT_CLASS (klass));
}

static void
test_source_init (TestSource *self)
{
}

static void
test_source_set_present (TestSource *self, gboolean present)
{
	self->present = present;
	remsim_card_source_emit_card_changed (REMSIM_CARD_SOURCE (self), present);
}

/* ---- a card sink: lines set by the test, card presence recorded ---- */

#define TEST_TYPE_SINK (test_sink_get_type ())
G_DECLARE_FINAL_TYPE (TestSink, test_sink, TEST, SINK, GObject)

struct _TestSink {
	GObject parent_instance;
	RemsimCardSinkStatus status;
	gint present; /* -1: never set */
};

static gboolean
test_sink_set_card_present (RemsimCardSink *sink, gboolean present, GError **error)
{
	TEST_SINK (sink)->present = present;
	return TRUE;
}

static void
test_sink_get_status (RemsimCardSink *sink, RemsimCardSinkStatus *status)
{
	*status = TEST_SINK (sink)->status;
}

static void
test_sink_iface_init (RemsimCardSinkInterface *iface)
{
	iface->set_card_present = test_sink_set_card_present;
	iface->get_status = test_sink_get_status;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSink,
			       test_sink,
			       G_TYPE_OBJECT,
			       G_IMPLEMENT_INTERFACE (REMSIM_TYPE_CARD_SINK, test_sink_iface_init))

static void
test_sink_class_init (TestSinkClass *klass)
{
	test_override_properties (G_OBJECT_CLASS (klass));
}

static void
test_sink_init (TestSink *self)
{
	self->present = -1;
}

/* ---- helpers ---- */

static GDBusConnection *
bus_connection (void)
{
	g_autoptr (GError) error = NULL;
	GDBusConnection *bus = g_dbus_connection_new_for_address_sync (
	    g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL,
	    NULL,
	    &error);
	g_assert_no_error (error);
	return bus;
}

typedef struct {
	gboolean done;
	GAsyncResult *res;
} Wait;

static void
wait_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	Wait *w = user_data;
	w->res = g_object_ref (res);
	w->done = TRUE;
}

static gboolean
wait_done (Wait *w, guint timeout_ms)
{
	gint64 end = g_get_monotonic_time () + timeout_ms * 1000;

	while (!w->done && g_get_monotonic_time () < end)
		g_main_context_iteration (NULL, TRUE);
	return w->done;
}

/* the exporters answer on this thread's main context: call asynchronously */
static GVariant *
call (GDBusConnection *bus,
      const gchar *name,
      const gchar *path,
      const gchar *iface,
      const gchar *method,
      GVariant *args,
      GError **error)
{
	Wait w = {0};
	GVariant *ret;

	g_dbus_connection_call (bus,
				name,
				path,
				iface,
				method,
				args,
				NULL,
				G_DBUS_CALL_FLAGS_NONE,
				5000,
				NULL,
				wait_cb,
				&w);
	g_assert_true (wait_done (&w, 10000));
	ret = g_dbus_connection_call_finish (bus, w.res, error);
	g_object_unref (w.res);
	return ret;
}

static GVariant *
get_prop (GDBusConnection *bus,
	  const gchar *name,
	  const gchar *path,
	  const gchar *iface,
	  const gchar *prop)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) ret = call (bus,
					 name,
					 path,
					 "org.freedesktop.DBus.Properties",
					 "Get",
					 g_variant_new ("(ss)", iface, prop),
					 &error);
	GVariant *v = NULL;

	g_assert_no_error (error);
	g_variant_get (ret, "(v)", &v);
	return v;
}

typedef struct {
	guint n;
	GString *changed; /* names of changed properties, ";"-separated */
} Changes;

static void
properties_changed_cb (GDBusConnection *bus,
		       const gchar *sender,
		       const gchar *path,
		       const gchar *iface,
		       const gchar *signal,
		       GVariant *params,
		       gpointer user_data)
{
	Changes *c = user_data;
	g_autoptr (GVariant) dict = g_variant_get_child_value (params, 1);
	GVariantIter iter;
	const gchar *key;

	c->n++;
	g_variant_iter_init (&iter, dict);
	while (g_variant_iter_next (&iter, "{&sv}", &key, NULL))
		g_string_append_printf (c->changed, "%s;", key);
}

/* ---- bankd ---- */

static void
test_role_dbus_bankd (void)
{
	g_autoptr (GDBusConnection) server_bus = bus_connection ();
	g_autoptr (GDBusConnection) server_bus2 = bus_connection ();
	g_autoptr (GDBusConnection) bus = bus_connection ();
	g_autoptr (RemsimBankd) bankd = remsim_bankd_new (7, 3);
	g_autoptr (TestSource) s0 = g_object_new (TEST_TYPE_SOURCE, NULL);
	g_autoptr (TestSource) s1 = g_object_new (TEST_TYPE_SOURCE, NULL);
	g_autoptr (RemsimBankdDBus) dbus = remsim_bankd_dbus_new (bankd);
	g_autoptr (RemsimBankdDBus) dbus2 = remsim_bankd_dbus_new (bankd);
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) v = NULL;
	g_autoptr (GVariant) ret = NULL;
	g_autoptr (GVariant) objects = NULL;
	g_autofree gchar *remote = NULL;
	const gchar *name = "org.remsim.Bankd.unit";
	Changes changes = {0, g_string_new (NULL)};
	guint sub;
	gsize len = 0;

	s0->present = TRUE;
	s0->atr = g_bytes_new_static ("\x3b\x9f\x96", 3);
	remsim_bankd_set_card_source (bankd, 0, REMSIM_CARD_SOURCE (s0));
	remsim_bankd_set_card_source (bankd, 1, REMSIM_CARD_SOURCE (s1));
	/* slot 2 has no source */

	g_assert_true (remsim_bankd_dbus_start (dbus, server_bus, "unit", &error));
	g_assert_no_error (error);
	g_assert_cmpstr (remsim_bankd_dbus_get_name (dbus), ==, name);

	/* one object per slot */
	ret = call (bus,
		    name,
		    "/org/remsim",
		    "org.freedesktop.DBus.ObjectManager",
		    "GetManagedObjects",
		    NULL,
		    &error);
	g_assert_no_error (error);
	objects = g_variant_get_child_value (ret, 0);
	g_assert_cmpuint (g_variant_n_children (objects), ==, 3);

	v = get_prop (bus, name, "/org/remsim/BankSlot/0", "org.remsim.BankSlot1", "Name");
	g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "B7:0");
	g_clear_pointer (&v, g_variant_unref);
	v = get_prop (bus, name, "/org/remsim/BankSlot/0", "org.remsim.BankSlot1", "CardPresent");
	g_assert_true (g_variant_get_boolean (v));
	g_clear_pointer (&v, g_variant_unref);
	v = get_prop (bus, name, "/org/remsim/BankSlot/0", "org.remsim.BankSlot1", "Atr");
	g_assert_cmpuint (g_variant_n_children (v), ==, 3);
	g_assert_cmpmem (g_variant_get_fixed_array (v, &len, 1), len, "\x3b\x9f\x96", 3);
	g_clear_pointer (&v, g_variant_unref);
	v = get_prop (bus, name, "/org/remsim/BankSlot/1", "org.remsim.BankSlot1", "CardPresent");
	g_assert_false (g_variant_get_boolean (v));
	g_clear_pointer (&v, g_variant_unref);
	v = get_prop (bus, name, "/org/remsim/BankSlot/2", "org.remsim.BankSlot1", "LinkState");
	g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "none");
	g_clear_pointer (&v, g_variant_unref);

	/* card inserted → one PropertiesChanged with CardPresent */
	sub = g_dbus_connection_signal_subscribe (bus,
						  name,
						  "org.freedesktop.DBus.Properties",
						  "PropertiesChanged",
						  "/org/remsim/BankSlot/1",
						  "org.remsim.BankSlot1",
						  G_DBUS_SIGNAL_FLAGS_NONE,
						  properties_changed_cb,
						  &changes,
						  NULL);
	/* the subscription is in place once a round trip is done */
	g_clear_pointer (&v, g_variant_unref);
	v = get_prop (bus, name, "/org/remsim/BankSlot/1", "org.remsim.BankSlot1", "SlotNr");
	test_source_set_present (s1, TRUE);
	while (changes.n == 0)
		g_main_context_iteration (NULL, TRUE);
	g_assert_cmpuint (changes.n, ==, 1);
	g_assert_nonnull (strstr (changes.changed->str, "CardPresent;"));
	g_clear_pointer (&v, g_variant_unref);
	v = get_prop (bus, name, "/org/remsim/BankSlot/1", "org.remsim.BankSlot1", "CardPresent");
	g_assert_true (g_variant_get_boolean (v));

	/* methods: the errors they give */
	g_clear_pointer (&ret, g_variant_unref);
	ret = call (bus,
		    name,
		    "/org/remsim/BankSlot/2",
		    "org.remsim.BankSlot1",
		    "ResetCard",
		    g_variant_new ("(b)", TRUE),
		    &error);
	g_assert_null (ret);
	remote = g_dbus_error_get_remote_error (error);
	g_assert_cmpstr (remote, ==, "org.remsim.Error.NotSupported");
	g_clear_error (&error);
	g_clear_pointer (&remote, g_free);
	test_source_set_present (s1, FALSE);
	ret = call (bus,
		    name,
		    "/org/remsim/BankSlot/1",
		    "org.remsim.BankSlot1",
		    "PowerCycle",
		    NULL,
		    &error);
	g_assert_null (ret);
	remote = g_dbus_error_get_remote_error (error);
	g_assert_cmpstr (remote, ==, "org.remsim.Error.CardAbsent");
	g_clear_error (&error);

	/* a second exporter (another process) cannot take the name, and
	 * exports nothing */
	g_assert_false (remsim_bankd_dbus_start (dbus2, server_bus2, "unit", &error));
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_EXISTS);
	g_clear_error (&error);
	g_assert_null (remsim_bankd_dbus_get_name (dbus2));

	/* stop: gone from the bus; start again: back */
	remsim_bankd_dbus_stop (dbus);
	g_clear_pointer (&ret, g_variant_unref);
	ret = call (bus,
		    name,
		    "/org/remsim",
		    "org.freedesktop.DBus.ObjectManager",
		    "GetManagedObjects",
		    NULL,
		    &error);
	g_assert_null (ret);
	g_clear_error (&error);
	g_assert_true (remsim_bankd_dbus_start (dbus2, server_bus2, "unit", &error));
	g_assert_no_error (error);
	g_clear_pointer (&v, g_variant_unref);
	v = get_prop (bus, name, "/org/remsim/BankSlot/0", "org.remsim.BankSlot1", "BankId");
	g_assert_cmpuint (g_variant_get_uint32 (v), ==, 7);

	g_dbus_connection_signal_unsubscribe (bus, sub);
	g_string_free (changes.changed, TRUE);
}

/* ---- client ---- */

static void
test_role_dbus_client (void)
{
	g_autoptr (GDBusConnection) server_bus = bus_connection ();
	g_autoptr (GDBusConnection) bus = bus_connection ();
	g_autoptr (RemsimClient) client = remsim_client_new ("127.0.0.1", 1, 23);
	g_autoptr (TestSink) sink0 = g_object_new (TEST_TYPE_SINK, NULL);
	g_autoptr (TestSink) sink3 = g_object_new (TEST_TYPE_SINK, NULL);
	g_autoptr (RemsimClientDBus) dbus = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) v = NULL;
	g_autoptr (GVariant) ret = NULL;
	const gchar *name = "org.remsim.Client.unit";
	RemsimCardSinkStatus st = {
	    .vcc = REMSIM_TRISTATE_ON, .rst = REMSIM_TRISTATE_OFF, .clk = REMSIM_TRISTATE_UNKNOWN};
	Changes changes = {0, g_string_new (NULL)};
	guint sub;

	g_assert_true (remsim_client_add_slot (client, 0, REMSIM_CARD_SINK (sink0), &error));
	g_assert_true (remsim_client_add_slot (client, 3, REMSIM_CARD_SINK (sink3), &error));
	g_assert_no_error (error);
	dbus = remsim_client_dbus_new (client);
	g_assert_true (remsim_client_dbus_start (dbus, server_bus, "unit", &error));
	g_assert_no_error (error);

	v = get_prop (bus, name, "/org/remsim/ClientSlot/3", "org.remsim.ClientSlot1", "Name");
	g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "C23:3");
	g_clear_pointer (&v, g_variant_unref);
	v = get_prop (bus, name, "/org/remsim/ClientSlot/0", "org.remsim.ClientSlot1", "State");
	g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "INIT");
	g_clear_pointer (&v, g_variant_unref);
	v = get_prop (bus, name, "/org/remsim/ClientSlot/0", "org.remsim.ClientSlot1", "Vcc");
	g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "unknown");
	g_clear_pointer (&v, g_variant_unref);
	v = get_prop (
	    bus, name, "/org/remsim/ClientSlot/0", "org.remsim.ClientSlot1", "ServerLinkState");
	g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "disconnected");
	g_clear_pointer (&v, g_variant_unref);

	/* the sink's lines: one PropertiesChanged with all three */
	sub = g_dbus_connection_signal_subscribe (bus,
						  name,
						  "org.freedesktop.DBus.Properties",
						  "PropertiesChanged",
						  "/org/remsim/ClientSlot/0",
						  "org.remsim.ClientSlot1",
						  G_DBUS_SIGNAL_FLAGS_NONE,
						  properties_changed_cb,
						  &changes,
						  NULL);
	v = get_prop (bus, name, "/org/remsim/ClientSlot/0", "org.remsim.ClientSlot1", "SlotNr");
	sink0->status = st;
	remsim_card_sink_emit_status (REMSIM_CARD_SINK (sink0), &st);
	while (changes.n == 0)
		g_main_context_iteration (NULL, TRUE);
	g_assert_cmpuint (changes.n, ==, 1);
	g_assert_nonnull (strstr (changes.changed->str, "Vcc;"));
	g_assert_nonnull (strstr (changes.changed->str, "Rst;"));
	g_assert_null (strstr (changes.changed->str, "Clk;")); /* unchanged: unknown */
	g_clear_pointer (&v, g_variant_unref);
	v = get_prop (bus, name, "/org/remsim/ClientSlot/0", "org.remsim.ClientSlot1", "Vcc");
	g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "on");
	g_clear_pointer (&v, g_variant_unref);
	v = get_prop (bus, name, "/org/remsim/ClientSlot/0", "org.remsim.ClientSlot1", "Rst");
	g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "off");

	/* card insert/remove through the sink */
	ret = call (bus,
		    name,
		    "/org/remsim/ClientSlot/3",
		    "org.remsim.ClientSlot1",
		    "RequestCardRemove",
		    NULL,
		    &error);
	g_assert_no_error (error);
	g_assert_cmpint (sink3->present, ==, FALSE);
	g_clear_pointer (&ret, g_variant_unref);
	ret = call (bus,
		    name,
		    "/org/remsim/ClientSlot/3",
		    "org.remsim.ClientSlot1",
		    "RequestCardInsert",
		    NULL,
		    &error);
	g_assert_no_error (error);
	g_assert_cmpint (sink3->present, ==, TRUE);
	g_assert_cmpint (sink0->present, ==, -1);

	g_dbus_connection_signal_unsubscribe (bus, sub);
	g_string_free (changes.changed, TRUE);
	remsim_client_dbus_stop (dbus);
}

int
main (int argc, char *argv[])
{
	g_autoptr (GTestDBus) test_bus = NULL;
	int ret;

	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_assert_cmpuint (REMSIM_ERROR, !=, 0);
	test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
	g_test_dbus_up (test_bus);

	g_test_add_func ("/remsim/role-dbus/bankd", test_role_dbus_bankd);
	g_test_add_func ("/remsim/role-dbus/client", test_role_dbus_client);
	ret = g_test_run ();
	g_test_dbus_down (test_bus);
	return ret;
}
