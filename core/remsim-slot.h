/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* the RSPRO range of every id and slot number */
#define REMSIM_ID_MAX 1023

/**
 * RemsimClientSlot:
 * A client slot, "C<client_id>:<slot_nr>". Plain value type; values decoded
 * from the wire may be out of range, use remsim_client_slot_is_valid().
 */
typedef struct {
	guint32 client_id;
	guint32 slot_nr;
} RemsimClientSlot;

/**
 * RemsimBankSlot:
 * A bank slot, "B<bank_id>:<slot_nr>".
 */
typedef struct {
	guint32 bank_id;
	guint32 slot_nr;
} RemsimBankSlot;

#define REMSIM_TYPE_CLIENT_SLOT (remsim_client_slot_get_type ())
#define REMSIM_TYPE_BANK_SLOT	(remsim_bank_slot_get_type ())

GType
remsim_client_slot_get_type (void);
RemsimClientSlot *
remsim_client_slot_new (guint32 client_id, guint32 slot_nr);
RemsimClientSlot *
remsim_client_slot_copy (const RemsimClientSlot *self);
void
remsim_client_slot_free (RemsimClientSlot *self);
gboolean
remsim_client_slot_equal (gconstpointer a, gconstpointer b);
guint
remsim_client_slot_hash (gconstpointer self);
gboolean
remsim_client_slot_is_valid (const RemsimClientSlot *self);
gchar *
remsim_client_slot_to_string (const RemsimClientSlot *self);

GType
remsim_bank_slot_get_type (void);
RemsimBankSlot *
remsim_bank_slot_new (guint32 bank_id, guint32 slot_nr);
RemsimBankSlot *
remsim_bank_slot_copy (const RemsimBankSlot *self);
void
remsim_bank_slot_free (RemsimBankSlot *self);
gboolean
remsim_bank_slot_equal (gconstpointer a, gconstpointer b);
guint
remsim_bank_slot_hash (gconstpointer self);
gboolean
remsim_bank_slot_is_valid (const RemsimBankSlot *self);
gchar *
remsim_bank_slot_to_string (const RemsimBankSlot *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimClientSlot, remsim_client_slot_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimBankSlot, remsim_bank_slot_free)

G_END_DECLS
