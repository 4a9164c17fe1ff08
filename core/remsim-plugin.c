/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-card-sink.h"
#include "remsim-card-source.h"
#include "remsim-config.h"
#include "remsim-error.h"
#include "remsim-plugin-private.h"

struct _RemsimPlugin {
	GObject parent_instance;

	const RemsimPluginDesc *desc; /* in the resident module */
	gchar *filename;
	GType card_source_type;
	GType card_sink_type;
	GError *add_error; /* first registration mistake of init, if any */
};

G_DEFINE_FINAL_TYPE (RemsimPlugin, remsim_plugin, G_TYPE_OBJECT)

static void
remsim_plugin_finalize (GObject *object)
{
	RemsimPlugin *self = REMSIM_PLUGIN (object);

	g_free (self->filename);
	g_clear_error (&self->add_error);
	G_OBJECT_CLASS (remsim_plugin_parent_class)->finalize (object);
}

static void
remsim_plugin_class_init (RemsimPluginClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = remsim_plugin_finalize;
}

static void
remsim_plugin_init (RemsimPlugin *self)
{
	self->card_source_type = G_TYPE_INVALID;
	self->card_sink_type = G_TYPE_INVALID;
}

/* core only, see remsim-plugin-private.h */
RemsimPlugin *
remsim_plugin_new (const RemsimPluginDesc *desc, const gchar *filename)
{
	RemsimPlugin *self;

	g_return_val_if_fail (desc != NULL, NULL);
	g_return_val_if_fail (filename != NULL, NULL);

	self = g_object_new (REMSIM_TYPE_PLUGIN, NULL);
	self->desc = desc;
	self->filename = g_strdup (filename);
	return self;
}

/* core only: calls the plugin's init and checks what it registered */
gboolean
remsim_plugin_run_init (RemsimPlugin *self, GError **error)
{
	g_autoptr (GError) error_local = NULL;

	g_return_val_if_fail (REMSIM_IS_PLUGIN (self), FALSE);

	if (self->desc->init != NULL && !self->desc->init (self, &error_local)) {
		if (error_local == NULL)
			g_set_error_literal (&error_local,
					     G_IO_ERROR,
					     G_IO_ERROR_FAILED,
					     "init failed without a reason");
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	if (self->add_error != NULL) {
		g_propagate_error (error, g_steal_pointer (&self->add_error));
		return FALSE;
	}
	return TRUE;
}

static gboolean
remsim_plugin_check_type (RemsimPlugin *self, GType type, GType iface, GType *slot)
{
	if (self->add_error != NULL)
		return FALSE;
	if (!G_TYPE_IS_OBJECT (type) || G_TYPE_IS_ABSTRACT (type)) {
		g_set_error (&self->add_error,
			     G_IO_ERROR,
			     G_IO_ERROR_INVALID_ARGUMENT,
			     "type %s is not an instantiable GObject type",
			     g_type_name (type) != NULL ? g_type_name (type) : "(invalid)");
		return FALSE;
	}
	if (!g_type_is_a (type, iface)) {
		g_set_error (&self->add_error,
			     G_IO_ERROR,
			     G_IO_ERROR_INVALID_ARGUMENT,
			     "type %s does not implement %s",
			     g_type_name (type),
			     g_type_name (iface));
		return FALSE;
	}
	if (!g_type_is_a (type, G_TYPE_INITABLE)) {
		g_set_error (&self->add_error,
			     G_IO_ERROR,
			     G_IO_ERROR_INVALID_ARGUMENT,
			     "type %s does not implement GInitable",
			     g_type_name (type));
		return FALSE;
	}
	if (*slot != G_TYPE_INVALID && *slot != type) {
		g_set_error (&self->add_error,
			     G_IO_ERROR,
			     G_IO_ERROR_INVALID_ARGUMENT,
			     "more than one %s type (%s, %s)",
			     g_type_name (iface),
			     g_type_name (*slot),
			     g_type_name (type));
		return FALSE;
	}
	*slot = type;
	return TRUE;
}

/**
 * remsim_plugin_add_card_source:
 * @self: the #RemsimPlugin given to the init function
 * @type: a GObject type implementing #RemsimCardSource and #GInitable
 *
 * Registers the plugin's card source type; a plugin has at most one. A type
 * that does not fit makes the plugin's init fail.
 *
 * Since: 0.1
 */
void
remsim_plugin_add_card_source (RemsimPlugin *self, GType type)
{
	g_return_if_fail (REMSIM_IS_PLUGIN (self));
	remsim_plugin_check_type (self, type, REMSIM_TYPE_CARD_SOURCE, &self->card_source_type);
}

/**
 * remsim_plugin_add_card_sink:
 * @self: the #RemsimPlugin given to the init function
 * @type: a GObject type implementing #RemsimCardSink and #GInitable
 *
 * Registers the plugin's card sink type; a plugin has at most one.
 *
 * Since: 0.1
 */
void
remsim_plugin_add_card_sink (RemsimPlugin *self, GType type)
{
	g_return_if_fail (REMSIM_IS_PLUGIN (self));
	remsim_plugin_check_type (self, type, REMSIM_TYPE_CARD_SINK, &self->card_sink_type);
}

/**
 * remsim_plugin_get_name:
 * @self: a #RemsimPlugin
 *
 * Returns: the plugin name from its descriptor
 *
 * Since: 0.1
 */
const gchar *
remsim_plugin_get_name (RemsimPlugin *self)
{
	g_return_val_if_fail (REMSIM_IS_PLUGIN (self), NULL);
	return self->desc->name;
}

/**
 * remsim_plugin_get_description:
 * @self: a #RemsimPlugin
 *
 * Returns: (nullable): the one-line description from its descriptor
 *
 * Since: 0.1
 */
const gchar *
remsim_plugin_get_description (RemsimPlugin *self)
{
	g_return_val_if_fail (REMSIM_IS_PLUGIN (self), NULL);
	return self->desc->description;
}

/**
 * remsim_plugin_get_filename:
 * @self: a #RemsimPlugin
 *
 * Returns: the full path of the module
 *
 * Since: 0.1
 */
const gchar *
remsim_plugin_get_filename (RemsimPlugin *self)
{
	g_return_val_if_fail (REMSIM_IS_PLUGIN (self), NULL);
	return self->filename;
}

/**
 * remsim_plugin_get_card_source_type:
 * @self: a #RemsimPlugin
 *
 * Returns: the registered card source type, or %G_TYPE_INVALID
 *
 * Since: 0.1
 */
GType
remsim_plugin_get_card_source_type (RemsimPlugin *self)
{
	g_return_val_if_fail (REMSIM_IS_PLUGIN (self), G_TYPE_INVALID);
	return self->card_source_type;
}

/**
 * remsim_plugin_get_card_sink_type:
 * @self: a #RemsimPlugin
 *
 * Returns: the registered card sink type, or %G_TYPE_INVALID
 *
 * Since: 0.1
 */
GType
remsim_plugin_get_card_sink_type (RemsimPlugin *self)
{
	g_return_val_if_fail (REMSIM_IS_PLUGIN (self), G_TYPE_INVALID);
	return self->card_sink_type;
}

/**
 * remsim_plugin_check_keys:
 * @keyfile: the program's keyfile
 * @group: the plugin instance's group
 * @known_keys: (array zero-terminated=1) (nullable): the keys the plugin reads
 * @error: return location for a #GError
 *
 * For plugin types' GInitable init: fails with
 * %REMSIM_CONFIG_ERROR_UNKNOWN_KEY for a key in @group that is neither in
 * @known_keys nor one of %REMSIM_PLUGIN_CORE_KEYS.
 *
 * Returns: %TRUE if every key is known
 *
 * Since: 0.1
 */
gboolean
remsim_plugin_check_keys (GKeyFile *keyfile,
			  const gchar *group,
			  const gchar *const *known_keys,
			  GError **error)
{
	static const gchar *const core_keys[] = {REMSIM_PLUGIN_CORE_KEYS, NULL};
	g_auto (GStrv) keys = NULL;

	g_return_val_if_fail (keyfile != NULL, FALSE);
	g_return_val_if_fail (group != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
	if (keys == NULL) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_MISSING,
			     "no group [%s]",
			     group);
		return FALSE;
	}
	for (guint i = 0; keys[i] != NULL; i++) {
		g_autoptr (GString) expected = NULL;

		if (g_strv_contains (core_keys, keys[i]))
			continue;
		if (known_keys != NULL && g_strv_contains (known_keys, keys[i]))
			continue;
		expected = g_string_new (NULL);
		for (guint j = 0; core_keys[j] != NULL; j++)
			g_string_append_printf (expected, "%s%s", j > 0 ? ", " : "", core_keys[j]);
		for (guint j = 0; known_keys != NULL && known_keys[j] != NULL; j++)
			g_string_append_printf (expected, ", %s", known_keys[j]);
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_UNKNOWN_KEY,
			     "unknown key '%s' (expected one of: %s)",
			     keys[i],
			     expected->str);
		return FALSE;
	}
	return TRUE;
}

/**
 * remsim_plugin_install_instance_properties:
 * @klass: the class of a type implementing #RemsimCardSource or
 *   #RemsimCardSink
 * @first_prop_id: the property id of "config"; "group" and "slot" follow,
 *   %REMSIM_PLUGIN_INSTANCE_N_PROPS ids in all
 *
 * For class_init: overrides the interface's construct-only properties
 * "config", "group" and "slot". The type's own properties start at
 * @first_prop_id + %REMSIM_PLUGIN_INSTANCE_N_PROPS.
 *
 * Since: 0.1 (plugin ABI 1.1)
 */
void
remsim_plugin_install_instance_properties (GObjectClass *klass, guint first_prop_id)
{
	g_return_if_fail (G_IS_OBJECT_CLASS (klass));
	g_return_if_fail (first_prop_id > 0);

	g_object_class_override_property (klass, first_prop_id, "config");
	g_object_class_override_property (klass, first_prop_id + 1, "group");
	g_object_class_override_property (klass, first_prop_id + 2, "slot");
}

/**
 * remsim_plugin_instance_props_set_property:
 * @props: the instance's #RemsimPluginInstanceProps
 * @first_prop_id: as given to remsim_plugin_install_instance_properties()
 * @prop_id: the id set_property got
 * @value: the value set_property got
 *
 * For set_property: stores "config" (a reference), "group" (a copy) or
 * "slot".
 *
 * Returns: %TRUE if @prop_id is one of the three, else %FALSE (the caller
 *   handles its own properties)
 *
 * Since: 0.1 (plugin ABI 1.1)
 */
gboolean
remsim_plugin_instance_props_set_property (RemsimPluginInstanceProps *props,
					   guint first_prop_id,
					   guint prop_id,
					   const GValue *value)
{
	g_return_val_if_fail (props != NULL, FALSE);

	if (prop_id < first_prop_id || prop_id - first_prop_id >= REMSIM_PLUGIN_INSTANCE_N_PROPS)
		return FALSE;
	switch (prop_id - first_prop_id) {
	case 0:
		g_clear_pointer (&props->config, g_key_file_unref);
		props->config = g_value_dup_boxed (value);
		break;
	case 1:
		g_free (props->group);
		props->group = g_value_dup_string (value);
		break;
	default:
		props->slot = g_value_get_uint (value);
		break;
	}
	return TRUE;
}

/**
 * remsim_plugin_instance_props_get_property:
 * @props: the instance's #RemsimPluginInstanceProps
 * @first_prop_id: as given to remsim_plugin_install_instance_properties()
 * @prop_id: the id get_property got
 * @value: the value get_property got
 *
 * For get_property: returns "config", "group" or "slot" in @value.
 *
 * Returns: %TRUE if @prop_id is one of the three, else %FALSE
 *
 * Since: 0.1 (plugin ABI 1.1)
 */
gboolean
remsim_plugin_instance_props_get_property (const RemsimPluginInstanceProps *props,
					   guint first_prop_id,
					   guint prop_id,
					   GValue *value)
{
	g_return_val_if_fail (props != NULL, FALSE);

	if (prop_id < first_prop_id || prop_id - first_prop_id >= REMSIM_PLUGIN_INSTANCE_N_PROPS)
		return FALSE;
	switch (prop_id - first_prop_id) {
	case 0:
		g_value_set_boxed (value, props->config);
		break;
	case 1:
		g_value_set_string (value, props->group);
		break;
	default:
		g_value_set_uint (value, props->slot);
		break;
	}
	return TRUE;
}

/**
 * remsim_plugin_instance_props_check:
 * @props: the instance's #RemsimPluginInstanceProps
 * @known_keys: (array zero-terminated=1) (nullable): the keys the plugin
 *   reads, as for remsim_plugin_check_keys()
 * @error: return location for a #GError
 *
 * For GInitable init: fails with %REMSIM_ERROR_INVALID_ARGUMENT if "config"
 * or "group" was not given, then as remsim_plugin_check_keys() for the group.
 *
 * Returns: %TRUE if both are set and every key of the group is known
 *
 * Since: 0.1 (plugin ABI 1.1)
 */
gboolean
remsim_plugin_instance_props_check (const RemsimPluginInstanceProps *props,
				    const gchar *const *known_keys,
				    GError **error)
{
	g_return_val_if_fail (props != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (props->config == NULL || props->group == NULL) {
		g_set_error_literal (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "construct properties 'config' and 'group' are required");
		return FALSE;
	}
	return remsim_plugin_check_keys (props->config, props->group, known_keys, error);
}

/**
 * remsim_plugin_instance_props_clear:
 * @props: the instance's #RemsimPluginInstanceProps
 *
 * For finalize: drops the keyfile and the group name. @props is unset
 * afterwards, so a second call does nothing.
 *
 * Since: 0.1 (plugin ABI 1.1)
 */
void
remsim_plugin_instance_props_clear (RemsimPluginInstanceProps *props)
{
	g_return_if_fail (props != NULL);

	g_clear_pointer (&props->config, g_key_file_unref);
	g_clear_pointer (&props->group, g_free);
}
