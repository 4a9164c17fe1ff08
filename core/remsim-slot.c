/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-slot.h"

/* registered by hand: G_DEFINE_BOXED_TYPE trips -Wpedantic with GCC */
GType
remsim_client_slot_get_type (void)
{
	static gsize type_id = 0;

	if (g_once_init_enter (&type_id)) {
		GType t = g_boxed_type_register_static ("RemsimClientSlot",
							(GBoxedCopyFunc)remsim_client_slot_copy,
							(GBoxedFreeFunc)remsim_client_slot_free);
		g_once_init_leave (&type_id, t);
	}
	return type_id;
}

GType
remsim_bank_slot_get_type (void)
{
	static gsize type_id = 0;

	if (g_once_init_enter (&type_id)) {
		GType t = g_boxed_type_register_static ("RemsimBankSlot",
							(GBoxedCopyFunc)remsim_bank_slot_copy,
							(GBoxedFreeFunc)remsim_bank_slot_free);
		g_once_init_leave (&type_id, t);
	}
	return type_id;
}

RemsimClientSlot *
remsim_client_slot_new (guint32 client_id, guint32 slot_nr)
{
	RemsimClientSlot *self = g_new0 (RemsimClientSlot, 1);
	self->client_id = client_id;
	self->slot_nr = slot_nr;
	return self;
}

RemsimClientSlot *
remsim_client_slot_copy (const RemsimClientSlot *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return g_memdup2 (self, sizeof (*self));
}

void
remsim_client_slot_free (RemsimClientSlot *self)
{
	g_free (self);
}

gboolean
remsim_client_slot_equal (gconstpointer a, gconstpointer b)
{
	const RemsimClientSlot *x = a;
	const RemsimClientSlot *y = b;
	return x->client_id == y->client_id && x->slot_nr == y->slot_nr;
}

guint
remsim_client_slot_hash (gconstpointer self)
{
	const RemsimClientSlot *s = self;
	return (s->client_id << 16) ^ s->slot_nr;
}

gboolean
remsim_client_slot_is_valid (const RemsimClientSlot *self)
{
	g_return_val_if_fail (self != NULL, FALSE);
	return self->client_id <= REMSIM_ID_MAX && self->slot_nr <= REMSIM_ID_MAX;
}

gchar *
remsim_client_slot_to_string (const RemsimClientSlot *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return g_strdup_printf ("C%u:%u", self->client_id, self->slot_nr);
}

RemsimBankSlot *
remsim_bank_slot_new (guint32 bank_id, guint32 slot_nr)
{
	RemsimBankSlot *self = g_new0 (RemsimBankSlot, 1);
	self->bank_id = bank_id;
	self->slot_nr = slot_nr;
	return self;
}

RemsimBankSlot *
remsim_bank_slot_copy (const RemsimBankSlot *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return g_memdup2 (self, sizeof (*self));
}

void
remsim_bank_slot_free (RemsimBankSlot *self)
{
	g_free (self);
}

gboolean
remsim_bank_slot_equal (gconstpointer a, gconstpointer b)
{
	const RemsimBankSlot *x = a;
	const RemsimBankSlot *y = b;
	return x->bank_id == y->bank_id && x->slot_nr == y->slot_nr;
}

guint
remsim_bank_slot_hash (gconstpointer self)
{
	const RemsimBankSlot *s = self;
	return (s->bank_id << 16) ^ s->slot_nr;
}

gboolean
remsim_bank_slot_is_valid (const RemsimBankSlot *self)
{
	g_return_val_if_fail (self != NULL, FALSE);
	return self->bank_id <= REMSIM_ID_MAX && self->slot_nr <= REMSIM_ID_MAX;
}

gchar *
remsim_bank_slot_to_string (const RemsimBankSlot *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return g_strdup_printf ("B%u:%u", self->bank_id, self->slot_nr);
}
