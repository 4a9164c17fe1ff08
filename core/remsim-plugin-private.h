/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "remsim-plugin.h"

G_BEGIN_DECLS

/* core only: the loader creates the plugin object for a checked descriptor
 * and runs its init */
RemsimPlugin *remsim_plugin_new (const RemsimPluginDesc *desc, const gchar *filename);
gboolean remsim_plugin_run_init (RemsimPlugin *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
