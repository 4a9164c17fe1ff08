/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "remsim-slotmap.h"

G_BEGIN_DECLS

/*
 * RemsimSlotmapStore: every mapping of a server, in insertion order, unique
 * per bank slot and per client slot. With a state file set, every change is
 * written atomically (g_file_set_contents) and remsim_slotmap_store_load()
 * restores the maps (in state NEW).
 */
#define REMSIM_TYPE_SLOTMAP_STORE (remsim_slotmap_store_get_type ())
G_DECLARE_FINAL_TYPE (RemsimSlotmapStore, remsim_slotmap_store, REMSIM, SLOTMAP_STORE, GObject)

RemsimSlotmapStore *
remsim_slotmap_store_new (void);
/* NULL: in memory only */
void
remsim_slotmap_store_set_state_file (RemsimSlotmapStore *self, const gchar *path);
/* read the state file (a missing file is not an error, an unreadable or
 * malformed one is, and leaves the store unchanged) */
gboolean
remsim_slotmap_store_load (RemsimSlotmapStore *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* fails with REMSIM_ERROR_INVALID_ARGUMENT (out of range) or
 * REMSIM_ERROR_SLOT_IN_USE (bank slot or client slot taken); returns a new ref */
RemsimSlotmap *
remsim_slotmap_store_add (RemsimSlotmapStore *self,
			  const RemsimBankSlot *bank,
			  const RemsimClientSlot *client,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* drop @map from the store (no-op if absent) */
void
remsim_slotmap_store_remove (RemsimSlotmapStore *self, RemsimSlotmap *map);
/* lookups return borrowed references or NULL */
RemsimSlotmap *
remsim_slotmap_store_lookup_id (RemsimSlotmapStore *self, guint32 id);
RemsimSlotmap *
remsim_slotmap_store_lookup_bank (RemsimSlotmapStore *self, const RemsimBankSlot *bank);
RemsimSlotmap *
remsim_slotmap_store_lookup_client (RemsimSlotmapStore *self, const RemsimClientSlot *client);
/* borrowed array of RemsimSlotmap, insertion order */
GPtrArray *
remsim_slotmap_store_get_all (RemsimSlotmapStore *self);
/* write the state file now (done automatically on add/remove) */
gboolean
remsim_slotmap_store_save (RemsimSlotmapStore *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Signals: "added" (RemsimSlotmap *), "removed" (RemsimSlotmap *)
 */

G_END_DECLS
