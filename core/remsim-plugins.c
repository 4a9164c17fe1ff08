/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-config.h"
#include "remsim-plugin-private.h"
#include "remsim-plugins.h"

#define REMSIM_PLUGIN_NAME_MAX 64

G_DEFINE_QUARK (remsim - plugin - error - quark, remsim_plugin_error)

struct _RemsimPlugins {
	GObject parent_instance;

	GStrv search_path;
	GHashTable *plugins; /* name → RemsimPlugin (ref) */
};

G_DEFINE_FINAL_TYPE (RemsimPlugins, remsim_plugins, G_TYPE_OBJECT)

/*
 * Process-wide: full module path → RemsimPlugin. A module is opened and its
 * init run once; it stays resident, so its entry lives as long as the process.
 */
static GMutex remsim_plugins_modules_lock;
static GHashTable *remsim_plugins_modules = NULL;

static void
remsim_plugins_dispose (GObject *object)
{
	RemsimPlugins *self = REMSIM_PLUGINS (object);

	g_hash_table_remove_all (self->plugins);
	G_OBJECT_CLASS (remsim_plugins_parent_class)->dispose (object);
}

static void
remsim_plugins_finalize (GObject *object)
{
	RemsimPlugins *self = REMSIM_PLUGINS (object);

	g_strfreev (self->search_path);
	g_hash_table_unref (self->plugins);
	G_OBJECT_CLASS (remsim_plugins_parent_class)->finalize (object);
}

static void
remsim_plugins_class_init (RemsimPluginsClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->dispose = remsim_plugins_dispose;
	object_class->finalize = remsim_plugins_finalize;
}

static void
remsim_plugins_init (RemsimPlugins *self)
{
	self->plugins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/**
 * remsim_plugins_new_for_path:
 * @search_path: directories separated by ':'; empty entries are skipped
 *
 * Returns: (transfer full): a loader searching @search_path
 *
 * Since: 0.1
 */
RemsimPlugins *
remsim_plugins_new_for_path (const gchar *search_path)
{
	RemsimPlugins *self;
	g_auto (GStrv) dirs = NULL;
	g_autoptr (GPtrArray) path = g_ptr_array_new_null_terminated (4, g_free, TRUE);

	g_return_val_if_fail (search_path != NULL, NULL);

	dirs = g_strsplit (search_path, G_SEARCHPATH_SEPARATOR_S, -1);
	for (guint i = 0; dirs[i] != NULL; i++) {
		if (dirs[i][0] == '\0')
			continue;
		g_ptr_array_add (path, g_canonicalize_filename (dirs[i], NULL));
	}
	self = g_object_new (REMSIM_TYPE_PLUGINS, NULL);
	self->search_path = (GStrv)g_ptr_array_steal (path, NULL);
	return self;
}

/**
 * remsim_plugins_new:
 *
 * Returns: (transfer full): a loader searching `$REMSIM_PLUGIN_DIR` if that
 *   is set and not empty, else the installed plugin directory
 *
 * Since: 0.1
 */
RemsimPlugins *
remsim_plugins_new (void)
{
	const gchar *env = g_getenv ("REMSIM_PLUGIN_DIR");

	if (env != NULL && env[0] != '\0')
		return remsim_plugins_new_for_path (env);
	return remsim_plugins_new_for_path (REMSIM_PLUGIN_DIR);
}

/**
 * remsim_plugins_get_search_path:
 * @self: a #RemsimPlugins
 *
 * Returns: (transfer none): the absolute directories searched, in order
 *
 * Since: 0.1
 */
const gchar *const *
remsim_plugins_get_search_path (RemsimPlugins *self)
{
	g_return_val_if_fail (REMSIM_IS_PLUGINS (self), NULL);
	return (const gchar *const *)self->search_path;
}

static gboolean
remsim_plugins_name_is_valid (const gchar *name)
{
	gsize len = strlen (name);

	if (len == 0 || len > REMSIM_PLUGIN_NAME_MAX)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		gchar c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return FALSE;
	}
	return TRUE;
}

/* open, check and init one module; called with the modules lock held */
static RemsimPlugin *
remsim_plugins_open_module (const gchar *filename, const gchar *name, GError **error)
{
	GModule *module;
	gpointer symbol = NULL;
	const RemsimPluginDesc *desc;
	g_autoptr (RemsimPlugin) plugin = NULL;
	g_autoptr (GError) error_local = NULL;

	module = g_module_open (filename, G_MODULE_BIND_LOCAL);
	if (module == NULL) {
		const gchar *reason = g_module_error ();
		gsize len = strlen (filename);

		if (reason == NULL)
			reason = "unknown error";
		/* dlerror() usually starts with the file name already */
		if (strncmp (reason, filename, len) == 0 && strncmp (reason + len, ": ", 2) == 0)
			reason += len + 2;
		g_set_error (error,
			     REMSIM_PLUGIN_ERROR,
			     REMSIM_PLUGIN_ERROR_LOAD_FAILED,
			     "%s: cannot load plugin: %s",
			     filename,
			     reason);
		return NULL;
	}
	if (!g_module_symbol (module, REMSIM_PLUGIN_DESC_SYMBOL, &symbol) || symbol == NULL) {
		g_set_error (error,
			     REMSIM_PLUGIN_ERROR,
			     REMSIM_PLUGIN_ERROR_NO_DESCRIPTOR,
			     "%s: not a remsim plugin: no symbol '%s'",
			     filename,
			     REMSIM_PLUGIN_DESC_SYMBOL);
		g_module_close (module);
		return NULL;
	}
	desc = symbol;

	/* only abi_major and abi_minor may be read before this check */
	if (desc->abi_major != REMSIM_PLUGIN_ABI_MAJOR ||
	    desc->abi_minor > REMSIM_PLUGIN_ABI_MINOR) {
		g_set_error (error,
			     REMSIM_PLUGIN_ERROR,
			     REMSIM_PLUGIN_ERROR_ABI_MISMATCH,
			     "%s: plugin ABI %u.%u not supported (core has %u.%u)",
			     filename,
			     (guint)desc->abi_major,
			     (guint)desc->abi_minor,
			     (guint)REMSIM_PLUGIN_ABI_MAJOR,
			     (guint)REMSIM_PLUGIN_ABI_MINOR);
		g_module_close (module);
		return NULL;
	}
	if (desc->name == NULL || g_strcmp0 (desc->name, name) != 0) {
		g_set_error (error,
			     REMSIM_PLUGIN_ERROR,
			     REMSIM_PLUGIN_ERROR_NAME_MISMATCH,
			     "%s: plugin calls itself '%s', expected '%s'",
			     filename,
			     desc->name != NULL ? desc->name : "(null)",
			     name);
		g_module_close (module);
		return NULL;
	}

	/* types registered by init can never be unregistered */
	g_module_make_resident (module);
	plugin = remsim_plugin_new (desc, filename);
	if (!remsim_plugin_run_init (plugin, &error_local)) {
		g_set_error (error,
			     REMSIM_PLUGIN_ERROR,
			     REMSIM_PLUGIN_ERROR_INIT_FAILED,
			     "%s: plugin init failed: %s",
			     filename,
			     error_local->message);
		return NULL;
	}
	g_debug ("%s: loaded plugin '%s' (ABI %u.%u): %s",
		 filename,
		 desc->name,
		 (guint)desc->abi_major,
		 (guint)desc->abi_minor,
		 desc->description != NULL ? desc->description : "");
	return g_steal_pointer (&plugin);
}

/**
 * remsim_plugins_load:
 * @self: a #RemsimPlugins
 * @name: a plugin name, `[a-z0-9_-]+`
 * @error: return location for a #GError
 *
 * Finds `libremsim-plugin-<name>.so` in the first directory of the search
 * path that has it, checks its descriptor (ABI first, then the name) before
 * any of its code runs, makes it resident and runs its init. A plugin is
 * loaded once; later calls return the same object.
 *
 * Returns: (transfer none): the plugin, or %NULL with a
 *   %REMSIM_PLUGIN_ERROR set
 *
 * Since: 0.1
 */
RemsimPlugin *
remsim_plugins_load (RemsimPlugins *self, const gchar *name, GError **error)
{
	RemsimPlugin *plugin;
	g_autofree gchar *basename = NULL;
	g_autofree gchar *filename = NULL;
	g_autoptr (GMutexLocker) locker = NULL;

	g_return_val_if_fail (REMSIM_IS_PLUGINS (self), NULL);
	g_return_val_if_fail (name != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	plugin = g_hash_table_lookup (self->plugins, name);
	if (plugin != NULL)
		return plugin;

	if (!remsim_plugins_name_is_valid (name)) {
		g_set_error (error,
			     REMSIM_PLUGIN_ERROR,
			     REMSIM_PLUGIN_ERROR_INVALID_NAME,
			     "invalid plugin name '%s' (expected 1 to %u of [a-z0-9_-])",
			     name,
			     (guint)REMSIM_PLUGIN_NAME_MAX);
		return NULL;
	}

	basename = g_strdup_printf ("libremsim-plugin-%s.%s", name, G_MODULE_SUFFIX);
	for (guint i = 0; self->search_path[i] != NULL; i++) {
		g_autofree gchar *candidate =
		    g_build_filename (self->search_path[i], basename, NULL);

		if (g_file_test (candidate, G_FILE_TEST_EXISTS)) {
			filename = g_steal_pointer (&candidate);
			break;
		}
	}
	if (filename == NULL) {
		g_autofree gchar *joined = g_strjoinv (G_SEARCHPATH_SEPARATOR_S, self->search_path);
		g_set_error (error,
			     REMSIM_PLUGIN_ERROR,
			     REMSIM_PLUGIN_ERROR_NOT_FOUND,
			     "plugin '%s' not found: no %s in %s",
			     name,
			     basename,
			     joined[0] != '\0' ? joined : "(empty search path)");
		return NULL;
	}

	locker = g_mutex_locker_new (&remsim_plugins_modules_lock);
	if (remsim_plugins_modules == NULL)
		remsim_plugins_modules =
		    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
	plugin = g_hash_table_lookup (remsim_plugins_modules, filename);
	if (plugin == NULL) {
		plugin = remsim_plugins_open_module (filename, name, error);
		if (plugin == NULL)
			return NULL;
		g_hash_table_insert (remsim_plugins_modules, g_strdup (filename), plugin);
	} else if (g_strcmp0 (remsim_plugin_get_name (plugin), name) != 0) {
		/* cannot happen with names that map 1:1 to files, but be sure */
		g_set_error (error,
			     REMSIM_PLUGIN_ERROR,
			     REMSIM_PLUGIN_ERROR_NAME_MISMATCH,
			     "%s: plugin calls itself '%s', expected '%s'",
			     filename,
			     remsim_plugin_get_name (plugin),
			     name);
		return NULL;
	}
	g_hash_table_insert (self->plugins, g_strdup (name), g_object_ref (plugin));
	return plugin;
}

static GObject *
remsim_plugins_create (RemsimPlugins *self,
		       GKeyFile *keyfile,
		       const gchar *group,
		       guint slot,
		       gboolean source,
		       GError **error)
{
	RemsimPlugin *plugin;
	GType type;
	g_autofree gchar *name = NULL;
	g_autoptr (GError) error_local = NULL;
	GObject *object;

	name = g_key_file_get_string (keyfile, group, "plugin", NULL);
	if (name == NULL) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_MISSING,
			     "[%s]: missing key 'plugin'",
			     group);
		return NULL;
	}
	g_strstrip (name);
	plugin = remsim_plugins_load (self, name, error);
	if (plugin == NULL) {
		g_prefix_error (error, "[%s]: ", group);
		return NULL;
	}
	type = source ? remsim_plugin_get_card_source_type (plugin)
		      : remsim_plugin_get_card_sink_type (plugin);
	if (type == G_TYPE_INVALID) {
		g_set_error (error,
			     REMSIM_PLUGIN_ERROR,
			     REMSIM_PLUGIN_ERROR_NO_TYPE,
			     "[%s]: %s: plugin '%s' provides no card %s",
			     group,
			     remsim_plugin_get_filename (plugin),
			     name,
			     source ? "source" : "sink");
		return NULL;
	}
	object = g_initable_new (
	    type, NULL, &error_local, "config", keyfile, "group", group, "slot", slot, NULL);
	if (object == NULL) {
		if (error_local == NULL)
			g_set_error (&error_local,
				     G_IO_ERROR,
				     G_IO_ERROR_FAILED,
				     "%s failed without a reason",
				     g_type_name (type));
		g_propagate_prefixed_error (
		    error, g_steal_pointer (&error_local), "[%s] slot %u: ", group, slot);
		return NULL;
	}
	return object;
}

/**
 * remsim_plugins_create_card_source:
 * @self: a #RemsimPlugins
 * @keyfile: the program's keyfile
 * @group: a "source:<label>" group of @keyfile with a `plugin` key
 * @slot: the bank slot number the instance serves
 * @error: return location for a #GError
 *
 * Loads the plugin @group names and creates its card source type with the
 * construct properties "config", "group" and "slot". Errors from the plugin
 * type (its own domain, e.g. %REMSIM_CONFIG_ERROR_UNKNOWN_KEY) are prefixed
 * with the group and slot.
 *
 * Returns: (transfer full): the new card source, or %NULL with @error set
 *
 * Since: 0.1
 */
RemsimCardSource *
remsim_plugins_create_card_source (
    RemsimPlugins *self, GKeyFile *keyfile, const gchar *group, guint slot, GError **error)
{
	g_return_val_if_fail (REMSIM_IS_PLUGINS (self), NULL);
	g_return_val_if_fail (keyfile != NULL, NULL);
	g_return_val_if_fail (group != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	return REMSIM_CARD_SOURCE (remsim_plugins_create (self, keyfile, group, slot, TRUE, error));
}

/**
 * remsim_plugins_create_card_sink:
 * @self: a #RemsimPlugins
 * @keyfile: the program's keyfile
 * @group: a "sink:<label>" group of @keyfile with a `plugin` key
 * @slot: the client slot number the instance serves
 * @error: return location for a #GError
 *
 * Like remsim_plugins_create_card_source(), for the plugin's card sink type.
 *
 * Returns: (transfer full): the new card sink, or %NULL with @error set
 *
 * Since: 0.1
 */
RemsimCardSink *
remsim_plugins_create_card_sink (
    RemsimPlugins *self, GKeyFile *keyfile, const gchar *group, guint slot, GError **error)
{
	g_return_val_if_fail (REMSIM_IS_PLUGINS (self), NULL);
	g_return_val_if_fail (keyfile != NULL, NULL);
	g_return_val_if_fail (group != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	return REMSIM_CARD_SINK (remsim_plugins_create (self, keyfile, group, slot, FALSE, error));
}
