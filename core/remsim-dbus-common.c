/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-card-sink.h"
#include "remsim-dbus-common.h"
#include "remsim-error.h"

static const RemsimConfigKey remsim_dbus_keys[] = {
    {NULL,
     "dbus",
     REMSIM_CONFIG_TYPE_ENUM,
     0,
     0,
     "none",
     "session;system;none",
     "bus on which to own org.remsim.<Role> and export the objects (docs/dbus.md)"},
    {NULL,
     "dbus-name-suffix",
     REMSIM_CONFIG_TYPE_STRING,
     0,
     0,
     "",
     NULL,
     "appended to the bus name after a dot, so that several instances share one bus"},
};

const RemsimConfigKey *
remsim_dbus_config_schema (const RemsimConfigKey *base, const gchar *group)
{
	/* base schema → extended copy; reachable for the life of the process */
	static GHashTable *schemas = NULL;
	RemsimConfigKey *ext;
	guint n = 0;

	g_return_val_if_fail (base != NULL, NULL);
	g_return_val_if_fail (group != NULL, NULL);

	if (schemas == NULL)
		schemas = g_hash_table_new (g_direct_hash, g_direct_equal);
	ext = g_hash_table_lookup (schemas, base);
	if (ext != NULL)
		return ext;

	while (base[n].group != NULL)
		n++;
	ext = g_new0 (RemsimConfigKey, n + G_N_ELEMENTS (remsim_dbus_keys) + 1);
	for (guint i = 0; i < n; i++)
		ext[i] = base[i];
	for (guint i = 0; i < G_N_ELEMENTS (remsim_dbus_keys); i++) {
		ext[n + i] = remsim_dbus_keys[i];
		ext[n + i].group = g_intern_string (group);
	}
	g_hash_table_insert (schemas, (gpointer)base, ext);
	return ext;
}

gboolean
remsim_dbus_parse_bus_type (const gchar *value, GBusType *bus_type, GError **error)
{
	g_return_val_if_fail (bus_type != NULL, FALSE);

	if (value == NULL || g_strcmp0 (value, "none") == 0) {
		*bus_type = G_BUS_TYPE_NONE;
		return TRUE;
	}
	if (g_strcmp0 (value, "session") == 0) {
		*bus_type = G_BUS_TYPE_SESSION;
		return TRUE;
	}
	if (g_strcmp0 (value, "system") == 0) {
		*bus_type = G_BUS_TYPE_SYSTEM;
		return TRUE;
	}
	g_set_error (error,
		     REMSIM_ERROR,
		     REMSIM_ERROR_INVALID_ARGUMENT,
		     "expected session, system or none, got \"%s\"",
		     value);
	return FALSE;
}

gboolean
remsim_dbus_config_get_bus (
    RemsimConfig *config, const gchar *group, GBusType *bus_type, gchar **suffix, GError **error)
{
	g_autofree gchar *value = NULL;

	g_return_val_if_fail (REMSIM_IS_CONFIG (config), FALSE);
	g_return_val_if_fail (suffix != NULL, FALSE);

	value = remsim_config_get_string (config, group, "dbus");
	*suffix = remsim_config_get_string (config, group, "dbus-name-suffix");
	return remsim_dbus_parse_bus_type (value, bus_type, error);
}

gchar *
remsim_dbus_make_name (const gchar *base, const gchar *suffix, GError **error)
{
	g_autofree gchar *name = NULL;

	g_return_val_if_fail (base != NULL, NULL);

	if (suffix == NULL || suffix[0] == '\0')
		return g_strdup (base);
	name = g_strdup_printf ("%s.%s", base, suffix);
	if (!g_dbus_is_name (name) || g_dbus_is_unique_name (name)) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "D-Bus name suffix \"%s\": expected dot-separated elements of "
			     "letters, digits, '_' and '-', none starting with a digit",
			     suffix);
		return NULL;
	}
	return g_steal_pointer (&name);
}

gchar *
remsim_dbus_export_begin (RemsimDBusExport *ex,
			  GDBusConnection *connection,
			  const gchar *base,
			  const gchar *suffix,
			  GError **error)
{
	g_autofree gchar *name = NULL;

	g_return_val_if_fail (ex != NULL, NULL);
	g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
	g_return_val_if_fail (ex->connection == NULL, NULL);

	name = remsim_dbus_make_name (base, suffix, error);
	if (name == NULL)
		return NULL;
	ex->connection = g_object_ref (connection);
	ex->manager = g_dbus_object_manager_server_new (REMSIM_DBUS_PATH);
	return g_steal_pointer (&name);
}

gboolean
remsim_dbus_export_publish (RemsimDBusExport *ex, gchar **name, GError **error)
{
	g_return_val_if_fail (ex != NULL && ex->connection != NULL, FALSE);
	g_return_val_if_fail (name != NULL && *name != NULL, FALSE);

	g_dbus_object_manager_server_set_connection (ex->manager, ex->connection);
	if (!remsim_dbus_request_name (ex->connection, *name, error))
		return FALSE;
	g_free (ex->name);
	ex->name = g_steal_pointer (name);
	return TRUE;
}

void
remsim_dbus_export_stop (RemsimDBusExport *ex)
{
	g_return_if_fail (ex != NULL);

	if (ex->connection == NULL)
		return;
	if (ex->name != NULL)
		remsim_dbus_release_name (ex->connection, ex->name);
	g_clear_pointer (&ex->name, g_free);
	if (ex->manager != NULL) {
		g_dbus_object_manager_server_set_connection (ex->manager, NULL);
		g_clear_object (&ex->manager);
	}
	g_clear_object (&ex->connection);
}

static void
remsim_dbus_closed_cb (GDBusConnection *connection,
		       gboolean remote_peer_vanished,
		       GError *error,
		       gpointer user_data)
{
	g_warning ("D-Bus: lost the connection to the bus (%s); continuing without D-Bus",
		   error != NULL ? error->message : "closed");
}

GDBusConnection *
remsim_dbus_connect (GBusType bus_type, GError **error)
{
	g_autoptr (GDBusConnection) connection = NULL;

	g_return_val_if_fail (bus_type == G_BUS_TYPE_SESSION || bus_type == G_BUS_TYPE_SYSTEM,
			      NULL);

	connection = g_bus_get_sync (bus_type, NULL, error);
	if (connection == NULL) {
		g_prefix_error (error,
				"cannot connect to the %s bus: ",
				bus_type == G_BUS_TYPE_SYSTEM ? "system" : "session");
		return NULL;
	}
	g_dbus_connection_set_exit_on_close (connection, FALSE);
	g_signal_connect (connection, "closed", G_CALLBACK (remsim_dbus_closed_cb), NULL);
	return g_steal_pointer (&connection);
}

gboolean
remsim_dbus_request_name (GDBusConnection *connection, const gchar *name, GError **error)
{
	g_autoptr (GVariant) ret = NULL;
	guint32 reply = 0;

	g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
	g_return_val_if_fail (name != NULL, FALSE);

	ret = g_dbus_connection_call_sync (
	    connection,
	    "org.freedesktop.DBus",
	    "/org/freedesktop/DBus",
	    "org.freedesktop.DBus",
	    "RequestName",
	    g_variant_new ("(su)", name, (guint32)0x4 /* DO_NOT_QUEUE */),
	    G_VARIANT_TYPE ("(u)"),
	    G_DBUS_CALL_FLAGS_NONE,
	    -1,
	    NULL,
	    error);
	if (ret == NULL) {
		g_prefix_error (error, "cannot own the D-Bus name %s: ", name);
		return FALSE;
	}
	g_variant_get (ret, "(u)", &reply);
	switch (reply) {
	case 1: /* PRIMARY_OWNER */
	case 4: /* ALREADY_OWNER */
		return TRUE;
	default:
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_EXISTS,
			     "cannot own the D-Bus name %s: another process owns it "
			     "(use a name suffix to run several instances on one bus)",
			     name);
		return FALSE;
	}
}

void
remsim_dbus_release_name (GDBusConnection *connection, const gchar *name)
{
	g_return_if_fail (G_IS_DBUS_CONNECTION (connection));
	g_return_if_fail (name != NULL);

	if (g_dbus_connection_is_closed (connection))
		return;
	g_dbus_connection_call (connection,
				"org.freedesktop.DBus",
				"/org/freedesktop/DBus",
				"org.freedesktop.DBus",
				"ReleaseName",
				g_variant_new ("(s)", name),
				NULL,
				G_DBUS_CALL_FLAGS_NONE,
				-1,
				NULL,
				NULL,
				NULL);
}

GVariant *
remsim_dbus_identity_to_variant (const RemsimComponentIdentity *identity)
{
	GVariantBuilder builder;
	struct {
		const gchar *key;
		const gchar *value;
	} members[] = {
	    {"name", identity != NULL ? identity->name : NULL},
	    {"software", identity != NULL ? identity->software : NULL},
	    {"sw-version", identity != NULL ? identity->sw_version : NULL},
	    {"hw-manufacturer", identity != NULL ? identity->hw_manufacturer : NULL},
	    {"hw-model", identity != NULL ? identity->hw_model : NULL},
	    {"hw-serial-nr", identity != NULL ? identity->hw_serial_nr : NULL},
	    {"hw-version", identity != NULL ? identity->hw_version : NULL},
	    {"fw-version", identity != NULL ? identity->fw_version : NULL},
	};

	g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
	if (identity == NULL)
		return g_variant_builder_end (&builder);
	g_variant_builder_add (
	    &builder, "{ss}", "type", remsim_component_type_to_string (identity->type));
	for (guint i = 0; i < G_N_ELEMENTS (members); i++) {
		/* strings from the wire: only valid UTF-8 may go into a variant */
		if (members[i].value == NULL)
			continue;
		if (g_utf8_validate (members[i].value, -1, NULL)) {
			g_variant_builder_add (&builder, "{ss}", members[i].key, members[i].value);
		} else {
			g_autofree gchar *valid = g_utf8_make_valid (members[i].value, -1);
			g_variant_builder_add (&builder, "{ss}", members[i].key, valid);
		}
	}
	return g_variant_builder_end (&builder);
}

gchar *
remsim_dbus_ip_port_to_string (const RemsimIpPort *ip)
{
	g_autoptr (GInetAddress) inet = NULL;
	g_autofree gchar *str = NULL;

	g_return_val_if_fail (ip != NULL, NULL);

	if (ip->family == G_SOCKET_FAMILY_IPV6) {
		inet = g_inet_address_new_from_bytes (ip->addr, G_SOCKET_FAMILY_IPV6);
		str = g_inet_address_to_string (inet);
		return g_strdup_printf ("[%s]:%u", str, ip->port);
	}
	inet = g_inet_address_new_from_bytes (ip->addr, G_SOCKET_FAMILY_IPV4);
	str = g_inet_address_to_string (inet);
	return g_strdup_printf ("%s:%u", str, ip->port);
}

GVariant *
remsim_dbus_bytes_to_variant (GBytes *bytes)
{
	gsize len = 0;
	gconstpointer data = NULL;

	if (bytes != NULL)
		data = g_bytes_get_data (bytes, &len);
	if (len == 0)
		return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, NULL, 0, 1);
	return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data, len, 1);
}

struct _RemsimDBusThrottle {
	guint interval_ms;
	RemsimDBusThrottleFunc func;
	gpointer user_data;
	GSource *source; /* pending publication, or NULL */
};

RemsimDBusThrottle *
remsim_dbus_throttle_new (guint interval_ms, RemsimDBusThrottleFunc func, gpointer user_data)
{
	RemsimDBusThrottle *self = g_new0 (RemsimDBusThrottle, 1);

	g_return_val_if_fail (func != NULL, NULL);

	self->interval_ms = interval_ms;
	self->func = func;
	self->user_data = user_data;
	return self;
}

static gboolean
remsim_dbus_throttle_cb (gpointer user_data)
{
	RemsimDBusThrottle *self = user_data;

	/* cleared first: @func may kick again */
	g_clear_pointer (&self->source, g_source_unref);
	self->func (self->user_data);
	return G_SOURCE_REMOVE;
}

void
remsim_dbus_throttle_kick (RemsimDBusThrottle *self)
{
	g_return_if_fail (self != NULL);

	if (self->source != NULL)
		return;
	self->source = g_timeout_source_new (self->interval_ms);
	g_source_set_callback (self->source, remsim_dbus_throttle_cb, self, NULL);
	g_source_set_static_name (self->source, "[remsim] D-Bus counters");
	g_source_attach (self->source, g_main_context_get_thread_default ());
}

gboolean
remsim_dbus_throttle_is_pending (RemsimDBusThrottle *self)
{
	g_return_val_if_fail (self != NULL, FALSE);
	return self->source != NULL;
}

void
remsim_dbus_throttle_free (RemsimDBusThrottle *self)
{
	if (self == NULL)
		return;
	if (self->source != NULL) {
		g_source_destroy (self->source);
		g_source_unref (self->source);
	}
	g_free (self);
}

const gchar *
remsim_dbus_tristate_to_string (gint tristate)
{
	switch (tristate) {
	case REMSIM_TRISTATE_ON:
		return "on";
	case REMSIM_TRISTATE_OFF:
		return "off";
	default:
		return "unknown";
	}
}
