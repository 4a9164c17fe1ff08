/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>
#include <gmodule.h>

G_BEGIN_DECLS

/*
 * The plugin ABI. Bump the minor when the plugin API grows (new functions,
 * new interface members taken from the padding), the major when a vtable,
 * RemsimPluginDesc or the meaning of an existing call changes. The loader
 * takes plugins with the same major and a minor <= the core's.
 *
 *   1.0  the interfaces, the descriptor, remsim_plugin_check_keys()
 *   1.1  RemsimPluginInstanceProps and its functions
 */
#define REMSIM_PLUGIN_ABI_MAJOR 1
#define REMSIM_PLUGIN_ABI_MINOR 1

/* the one symbol a plugin module exports */
#define REMSIM_PLUGIN_DESC_SYMBOL "remsim_plugin_desc"

/**
 * RemsimPlugin:
 *
 * A loaded plugin module, handed to the plugin's init function so that it can
 * register the types it brings. Created by #RemsimPlugins only.
 *
 * Since: 0.1
 */
#define REMSIM_TYPE_PLUGIN (remsim_plugin_get_type ())
G_DECLARE_FINAL_TYPE (RemsimPlugin, remsim_plugin, REMSIM, PLUGIN, GObject)

typedef gboolean (*RemsimPluginInitFunc) (RemsimPlugin *plugin, GError **error);

/**
 * RemsimPluginDesc:
 * @abi_major: %REMSIM_PLUGIN_ABI_MAJOR the plugin was built with
 * @abi_minor: %REMSIM_PLUGIN_ABI_MINOR the plugin was built with
 * @name: the plugin name; must match the file name
 *   (`libremsim-plugin-<name>.so`), `[a-z0-9_-]+`
 * @description: one line for humans
 * @init: registers the plugin's types with remsim_plugin_add_card_source()
 *   and remsim_plugin_add_card_sink(); called once, after the ABI check
 *
 * The descriptor a module exports as `remsim_plugin_desc`; write it with
 * REMSIM_PLUGIN_DEFINE(). The first two fields keep their place in every ABI
 * version, so that any loader can read them.
 *
 * Since: 0.1
 */
typedef struct {
	guint32 abi_major;
	guint32 abi_minor;
	const gchar *name;
	const gchar *description;
	RemsimPluginInitFunc init;
	/*< private >*/
	gpointer reserved[4];
} RemsimPluginDesc;

/**
 * REMSIM_PLUGIN_DEFINE:
 * @name: the plugin name, a bare word (`pcsc`, not `"pcsc"`)
 * @description: a string literal
 * @init: a #RemsimPluginInitFunc
 *
 * Emits the exported descriptor. Use it once per module, at file scope,
 * without a trailing semicolon. clang-format puts spaces around a '-' in a
 * bare word, so a name with a dash uses REMSIM_PLUGIN_DEFINE_NAMED().
 */
#define REMSIM_PLUGIN_DEFINE(name, description, init)                                              \
	REMSIM_PLUGIN_DEFINE_NAMED (#name, description, init)

/**
 * REMSIM_PLUGIN_DEFINE_NAMED:
 * @name: the plugin name, a string literal (`"cardem-st2"`)
 * @description: a string literal
 * @init: a #RemsimPluginInitFunc
 *
 * Like REMSIM_PLUGIN_DEFINE(), with the name as a string.
 */
#define REMSIM_PLUGIN_DEFINE_NAMED(name, description, init)                                        \
	G_MODULE_EXPORT extern const RemsimPluginDesc remsim_plugin_desc;                          \
	G_MODULE_EXPORT const RemsimPluginDesc remsim_plugin_desc = {                              \
	    REMSIM_PLUGIN_ABI_MAJOR, REMSIM_PLUGIN_ABI_MINOR, name, description, init, {NULL}};

void remsim_plugin_add_card_source (RemsimPlugin *self, GType type);
void remsim_plugin_add_card_sink (RemsimPlugin *self, GType type);

const gchar *remsim_plugin_get_name (RemsimPlugin *self);
const gchar *remsim_plugin_get_description (RemsimPlugin *self);
const gchar *remsim_plugin_get_filename (RemsimPlugin *self);
GType remsim_plugin_get_card_source_type (RemsimPlugin *self);
GType remsim_plugin_get_card_sink_type (RemsimPlugin *self);

/* keys the core reads from every "source:<label>"/"sink:<label>" group;
 * remsim_plugin_check_keys() accepts them */
#define REMSIM_PLUGIN_CORE_KEYS "plugin", "slots"

gboolean remsim_plugin_check_keys (GKeyFile *keyfile,
				   const gchar *group,
				   const gchar *const *known_keys,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * RemsimPluginInstanceProps:
 * @config: the program's keyfile (construct property "config"), or %NULL
 * @group: the instance's group, "source:<label>" or "sink:<label>"
 *   (construct property "group"), or %NULL
 * @slot: the slot number (construct property "slot")
 *
 * The three construct-only properties every card source and card sink type
 * overrides, for embedding in the instance struct. The type installs them
 * with remsim_plugin_install_instance_properties(), forwards its
 * set_property/get_property to remsim_plugin_instance_props_set_property()
 * and remsim_plugin_instance_props_get_property(), checks them and its keys
 * with remsim_plugin_instance_props_check() in GInitable init, and frees them
 * with remsim_plugin_instance_props_clear() in finalize. A zeroed struct is
 * the unset state. See docs/writing-a-plugin.md.
 *
 * Since: 0.1 (plugin ABI 1.1)
 */
typedef struct {
	GKeyFile *config;
	gchar *group;
	guint slot;
	/*< private >*/
	gpointer reserved[4];
} RemsimPluginInstanceProps;

/* how many property ids remsim_plugin_install_instance_properties() takes,
 * from its first_prop_id on: "config", "group", "slot" in this order */
#define REMSIM_PLUGIN_INSTANCE_N_PROPS 3

void remsim_plugin_install_instance_properties (GObjectClass *klass, guint first_prop_id);
gboolean remsim_plugin_instance_props_set_property (RemsimPluginInstanceProps *props,
						    guint first_prop_id,
						    guint prop_id,
						    const GValue *value);
gboolean remsim_plugin_instance_props_get_property (const RemsimPluginInstanceProps *props,
						    guint first_prop_id,
						    guint prop_id,
						    GValue *value);
gboolean remsim_plugin_instance_props_check (const RemsimPluginInstanceProps *props,
					     const gchar *const *known_keys,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;
void remsim_plugin_instance_props_clear (RemsimPluginInstanceProps *props);

G_END_DECLS
