/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "remsim-card-sink.h"
#include "remsim-card-source.h"
#include "remsim-plugin.h"

G_BEGIN_DECLS

#define REMSIM_PLUGIN_ERROR (remsim_plugin_error_quark ())

/**
 * RemsimPluginError:
 * @REMSIM_PLUGIN_ERROR_NOT_FOUND: no `libremsim-plugin-<name>.so` in the
 *   search path
 * @REMSIM_PLUGIN_ERROR_LOAD_FAILED: the dynamic loader refused the file
 * @REMSIM_PLUGIN_ERROR_NO_DESCRIPTOR: the module exports no
 *   `remsim_plugin_desc`
 * @REMSIM_PLUGIN_ERROR_ABI_MISMATCH: built for another plugin ABI
 * @REMSIM_PLUGIN_ERROR_NAME_MISMATCH: the descriptor's name is not the
 *   file's
 * @REMSIM_PLUGIN_ERROR_INIT_FAILED: the plugin's init failed or registered
 *   an unfit type
 * @REMSIM_PLUGIN_ERROR_NO_TYPE: the plugin has no card source (or sink)
 * @REMSIM_PLUGIN_ERROR_INVALID_NAME: a plugin name that is not `[a-z0-9_-]+`
 *
 * Every message names the module's full path (or, for NOT_FOUND and
 * INVALID_NAME, the name and the search path) and the reason.
 *
 * Since: 0.1
 */
typedef enum {
	REMSIM_PLUGIN_ERROR_NOT_FOUND,
	REMSIM_PLUGIN_ERROR_LOAD_FAILED,
	REMSIM_PLUGIN_ERROR_NO_DESCRIPTOR,
	REMSIM_PLUGIN_ERROR_ABI_MISMATCH,
	REMSIM_PLUGIN_ERROR_NAME_MISMATCH,
	REMSIM_PLUGIN_ERROR_INIT_FAILED,
	REMSIM_PLUGIN_ERROR_NO_TYPE,
	REMSIM_PLUGIN_ERROR_INVALID_NAME,
} RemsimPluginError;

GQuark remsim_plugin_error_quark (void);

/**
 * RemsimPlugins:
 *
 * Finds, checks, loads and caches plugin modules, and creates card sources
 * and sinks for keyfile groups. Loaded modules stay resident; a module is
 * loaded and initialised once per process however many #RemsimPlugins ask
 * for it. Use from the main thread.
 *
 * Since: 0.1
 */
#define REMSIM_TYPE_PLUGINS (remsim_plugins_get_type ())
G_DECLARE_FINAL_TYPE (RemsimPlugins, remsim_plugins, REMSIM, PLUGINS, GObject)

/* search path: $REMSIM_PLUGIN_DIR (':'-separated) if set and not empty,
 * else the installed plugin directory */
RemsimPlugins *remsim_plugins_new (void);
/* search path: @search_path, ':'-separated */
RemsimPlugins *remsim_plugins_new_for_path (const gchar *search_path);
const gchar *const *remsim_plugins_get_search_path (RemsimPlugins *self);

RemsimPlugin *remsim_plugins_load (RemsimPlugins *self,
				   const gchar *name,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

RemsimCardSource *remsim_plugins_create_card_source (RemsimPlugins *self,
						     GKeyFile *keyfile,
						     const gchar *group,
						     guint slot,
						     GError **error) G_GNUC_WARN_UNUSED_RESULT;
RemsimCardSink *remsim_plugins_create_card_sink (RemsimPlugins *self,
						 GKeyFile *keyfile,
						 const gchar *group,
						 guint slot,
						 GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
