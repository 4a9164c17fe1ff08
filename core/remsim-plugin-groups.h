/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "remsim-plugins.h"

G_BEGIN_DECLS

/*
 * The plugin groups of a program's keyfile: `[source:NAME]` (bankd) and
 * `[sink:NAME]` (client) each name a plugin (`plugin=`) and the slots they
 * serve (`slots=`, e.g. "0-7" or "0-3;9").
 */

/**
 * remsim_parse_slot_list:
 * @value: a ;-separated list of slot numbers and ranges ("0-7", "8", "0-3;9")
 * @num_slots: slot numbers must be below this
 * @error: for a malformed value or a slot out of range ("expected ...")
 *
 * Returns: (transfer full): the slot numbers in the order written, or %NULL
 * Since: 0.1
 */
GArray *remsim_parse_slot_list (const gchar *value,
				guint num_slots,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * RemsimPluginGroupKind:
 * @prefix: the group name prefix ("source:", "sink:")
 * @plugin_kind: for the missing plugin= error: "expected the name of a
 *   @plugin_kind plugin" ("card source")
 * @slots_hint: for the missing slots= error: "expected @slots_hint"
 * @num_slots: slot numbers must be below this
 */
typedef struct {
	const gchar *prefix;
	const gchar *plugin_kind;
	const gchar *slots_hint;
	guint num_slots;
} RemsimPluginGroupKind;

/**
 * RemsimPluginGroupSlotFunc:
 * @where: the file name for error messages
 * @group: the group
 * @nr: one slot number from its slots=, in the order written
 *
 * Returns: %FALSE with @error set to stop the walk
 */
typedef gboolean (*RemsimPluginGroupSlotFunc) (
    const gchar *where, const gchar *group, guint nr, gpointer user_data, GError **error);

/**
 * remsim_plugin_groups_foreach_slot:
 * @keyfile: the program's keyfile
 * @plugins: the plugin loader
 * @filename: (nullable): the keyfile's name, for error messages
 * @kind: which groups and how to word their errors
 * @func: called for every slot of every group, in order
 *
 * Walks the groups of @kind: loads each one's plugin, parses its slots= and
 * calls @func for each slot. Stops at the first error ("FILE: [GROUP] KEY:
 * ...").
 *
 * Returns: %TRUE when every group and slot went through
 * Since: 0.1
 */
gboolean remsim_plugin_groups_foreach_slot (GKeyFile *keyfile,
					    RemsimPlugins *plugins,
					    const gchar *filename,
					    const RemsimPluginGroupKind *kind,
					    RemsimPluginGroupSlotFunc func,
					    gpointer user_data,
					    GError **error);

G_END_DECLS
