/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

#include "remsim-slot.h"

G_BEGIN_DECLS

/* the states the server tracks, with upstream's names (remsim_slotmap_state_to_string) */
typedef enum {
	REMSIM_SLOTMAP_STATE_NEW,
	REMSIM_SLOTMAP_STATE_UNACKNOWLEDGED,
	REMSIM_SLOTMAP_STATE_ACTIVE,
	REMSIM_SLOTMAP_STATE_DELETE_REQ,
	REMSIM_SLOTMAP_STATE_DELETING,
} RemsimSlotmapState;

#define REMSIM_TYPE_SLOTMAP (remsim_slotmap_get_type ())
G_DECLARE_FINAL_TYPE (RemsimSlotmap, remsim_slotmap, REMSIM, SLOTMAP, GObject)

RemsimSlotmap *
remsim_slotmap_new (const RemsimBankSlot *bank, const RemsimClientSlot *client);
const RemsimBankSlot *
remsim_slotmap_get_bank (RemsimSlotmap *self);
const RemsimClientSlot *
remsim_slotmap_get_client (RemsimSlotmap *self);
/* bank_id * 65536 + slot_nr, as upstream's REST API forms it */
guint32
remsim_slotmap_get_id (RemsimSlotmap *self);
RemsimSlotmapState
remsim_slotmap_get_state (RemsimSlotmap *self);
/* notifies "state" on change */
void
remsim_slotmap_set_state (RemsimSlotmap *self, RemsimSlotmapState state);
const gchar *
remsim_slotmap_state_to_string (RemsimSlotmapState state);
/* "B1:2 <-> C3:4" */
gchar *
remsim_slotmap_to_string (RemsimSlotmap *self);

G_END_DECLS
