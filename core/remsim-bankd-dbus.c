/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-bankd-dbus.h"
#include "remsim-dbus-common.h"
#include "remsim-dbus.h"
#include "remsim-error.h"

/*
 * One BankSlot1 object per bank slot, fed by remsim_bankd_get_slot_info():
 * "slot-changed" updates everything but the counters at once;
 * "slot-counters-changed" (emitted once per read of the slot) kicks the
 * slot's throttle, which publishes the counters at most every
 * REMSIM_DBUS_COUNTER_INTERVAL_MS.
 */

typedef struct {
	RemsimBankdDBus *self;
	guint nr;
	RemsimDBusObjectSkeleton *object;
	RemsimDBusBankSlot1 *iface;
	RemsimDBusThrottle *throttle;
} RemsimBankdDBusSlot;

struct _RemsimBankdDBus {
	GObject parent_instance;
	RemsimBankd *bankd;
	RemsimDBusExport ex;
	GPtrArray *slots; /* RemsimBankdDBusSlot, by slot number */
	gulong slot_changed_id;
	gulong slot_counters_id;
};

G_DEFINE_FINAL_TYPE (RemsimBankdDBus, remsim_bankd_dbus, G_TYPE_OBJECT)

static void
remsim_bankd_dbus_slot_free (RemsimBankdDBusSlot *slot)
{
	g_clear_pointer (&slot->throttle, remsim_dbus_throttle_free);
	if (slot->iface != NULL)
		g_signal_handlers_disconnect_by_data (slot->iface, slot);
	g_clear_object (&slot->iface);
	g_clear_object (&slot->object);
	g_free (slot);
}

/* everything but the counters */
static void
remsim_bankd_dbus_slot_update (RemsimBankdDBusSlot *slot)
{
	RemsimBankdSlotInfo info;
	g_autofree gchar *mapped = NULL;

	remsim_bankd_get_slot_info (slot->self->bankd, slot->nr, &info);
	remsim_dbus_bank_slot1_set_card_present (slot->iface, info.card_present);
	/* keep the last ATR while the card is there but not powered */
	if (!info.card_present || info.atr != NULL)
		remsim_dbus_bank_slot1_set_atr (slot->iface,
						remsim_dbus_bytes_to_variant (info.atr));
	if (info.has_map)
		mapped = g_strdup_printf (
		    "C%u:%u", info.mapped_client.client_id, info.mapped_client.slot_nr);
	remsim_dbus_bank_slot1_set_mapped_client (slot->iface, mapped != NULL ? mapped : "");
	remsim_dbus_bank_slot1_set_link_state (slot->iface,
					       info.client_connected ? "connected" : "none");
	remsim_dbus_bank_slot1_set_last_error (slot->iface,
					       info.last_error != NULL ? info.last_error : "");
	remsim_bankd_slot_info_clear (&info);
}

static void
remsim_bankd_dbus_slot_publish_counters (gpointer user_data)
{
	RemsimBankdDBusSlot *slot = user_data;
	RemsimBankdSlotInfo info;

	remsim_bankd_get_slot_info (slot->self->bankd, slot->nr, &info);
	remsim_dbus_bank_slot1_set_apdu_count (slot->iface, info.apdu_count);
	remsim_dbus_bank_slot1_set_bytes_to_card (slot->iface, info.bytes_to_card);
	remsim_dbus_bank_slot1_set_bytes_from_card (slot->iface, info.bytes_from_card);
	remsim_bankd_slot_info_clear (&info);
}

static RemsimBankdDBusSlot *
remsim_bankd_dbus_lookup_slot (RemsimBankdDBus *self, guint nr)
{
	if (nr >= self->slots->len)
		return NULL;
	return g_ptr_array_index (self->slots, nr);
}

static void
remsim_bankd_dbus_slot_changed_cb (RemsimBankd *bankd, guint nr, gpointer user_data)
{
	RemsimBankdDBusSlot *slot = remsim_bankd_dbus_lookup_slot (user_data, nr);

	if (slot != NULL)
		remsim_bankd_dbus_slot_update (slot);
}

static void
remsim_bankd_dbus_slot_counters_cb (RemsimBankd *bankd, guint nr, gpointer user_data)
{
	RemsimBankdDBusSlot *slot = remsim_bankd_dbus_lookup_slot (user_data, nr);

	if (slot != NULL)
		remsim_dbus_throttle_kick (slot->throttle);
}

static gboolean
remsim_bankd_dbus_handle_reset_card_cb (RemsimDBusBankSlot1 *iface,
					GDBusMethodInvocation *invocation,
					gboolean cold,
					gpointer user_data)
{
	RemsimBankdDBusSlot *slot = user_data;
	g_autoptr (GError) error = NULL;

	if (!remsim_bankd_reset_card (slot->self->bankd, slot->nr, cold, &error)) {
		g_dbus_method_invocation_return_gerror (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	g_dbus_method_invocation_return_value (invocation, NULL);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
remsim_bankd_dbus_handle_power_cycle_cb (RemsimDBusBankSlot1 *iface,
					 GDBusMethodInvocation *invocation,
					 gpointer user_data)
{
	return remsim_bankd_dbus_handle_reset_card_cb (iface, invocation, TRUE, user_data);
}

static RemsimBankdDBusSlot *
remsim_bankd_dbus_slot_new (RemsimBankdDBus *self, guint nr)
{
	RemsimBankdDBusSlot *slot = g_new0 (RemsimBankdDBusSlot, 1);
	guint32 bank_id = remsim_bankd_get_bank_id (self->bankd);
	g_autofree gchar *path = g_strdup_printf (REMSIM_DBUS_PATH "/BankSlot/%u", nr);
	g_autofree gchar *name = g_strdup_printf ("B%u:%u", bank_id, nr);

	slot->self = self;
	slot->nr = nr;
	slot->object = remsim_dbus_object_skeleton_new (path);
	slot->iface = remsim_dbus_bank_slot1_skeleton_new ();
	slot->throttle = remsim_dbus_throttle_new (
	    REMSIM_DBUS_COUNTER_INTERVAL_MS, remsim_bankd_dbus_slot_publish_counters, slot);
	remsim_dbus_bank_slot1_set_bank_id (slot->iface, bank_id);
	remsim_dbus_bank_slot1_set_slot_nr (slot->iface, nr);
	remsim_dbus_bank_slot1_set_name (slot->iface, name);
	remsim_dbus_bank_slot1_set_atr (slot->iface, remsim_dbus_bytes_to_variant (NULL));
	remsim_bankd_dbus_slot_update (slot);
	remsim_bankd_dbus_slot_publish_counters (slot);
	g_signal_connect (slot->iface,
			  "handle-reset-card",
			  G_CALLBACK (remsim_bankd_dbus_handle_reset_card_cb),
			  slot);
	g_signal_connect (slot->iface,
			  "handle-power-cycle",
			  G_CALLBACK (remsim_bankd_dbus_handle_power_cycle_cb),
			  slot);
	remsim_dbus_object_skeleton_set_bank_slot1 (slot->object, slot->iface);
	return slot;
}

RemsimBankdDBus *
remsim_bankd_dbus_new (RemsimBankd *bankd)
{
	RemsimBankdDBus *self;

	g_return_val_if_fail (REMSIM_IS_BANKD (bankd), NULL);

	self = g_object_new (REMSIM_TYPE_BANKD_DBUS, NULL);
	self->bankd = g_object_ref (bankd);
	return self;
}

const gchar *
remsim_bankd_dbus_get_name (RemsimBankdDBus *self)
{
	g_return_val_if_fail (REMSIM_IS_BANKD_DBUS (self), NULL);
	return self->ex.name;
}

gboolean
remsim_bankd_dbus_start (RemsimBankdDBus *self,
			 GDBusConnection *connection,
			 const gchar *name_suffix,
			 GError **error)
{
	g_autofree gchar *name = NULL;
	guint n = 0;

	g_return_val_if_fail (REMSIM_IS_BANKD_DBUS (self), FALSE);
	g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);

	name = remsim_dbus_export_begin (
	    &self->ex, connection, REMSIM_BANKD_DBUS_NAME, name_suffix, error);
	if (name == NULL)
		return FALSE;
	n = remsim_bankd_get_num_slots (self->bankd);
	for (guint i = 0; i < n; i++) {
		RemsimBankdDBusSlot *slot = remsim_bankd_dbus_slot_new (self, i);
		g_ptr_array_add (self->slots, slot);
		g_dbus_object_manager_server_export (self->ex.manager,
						     G_DBUS_OBJECT_SKELETON (slot->object));
	}
	self->slot_changed_id = g_signal_connect (
	    self->bankd, "slot-changed", G_CALLBACK (remsim_bankd_dbus_slot_changed_cb), self);
	self->slot_counters_id = g_signal_connect (self->bankd,
						   "slot-counters-changed",
						   G_CALLBACK (remsim_bankd_dbus_slot_counters_cb),
						   self);

	if (!remsim_dbus_export_publish (&self->ex, &name, error)) {
		remsim_bankd_dbus_stop (self);
		return FALSE;
	}
	g_message ("D-Bus: %s exported at %s (%u bank slots)", self->ex.name, REMSIM_DBUS_PATH, n);
	return TRUE;
}

void
remsim_bankd_dbus_stop (RemsimBankdDBus *self)
{
	g_return_if_fail (REMSIM_IS_BANKD_DBUS (self));

	if (self->ex.connection == NULL)
		return;
	g_clear_signal_handler (&self->slot_changed_id, self->bankd);
	g_clear_signal_handler (&self->slot_counters_id, self->bankd);
	remsim_dbus_export_stop (&self->ex);
	g_ptr_array_set_size (self->slots, 0);
}

static void
remsim_bankd_dbus_dispose (GObject *object)
{
	RemsimBankdDBus *self = REMSIM_BANKD_DBUS (object);

	if (self->bankd != NULL)
		remsim_bankd_dbus_stop (self);
	g_clear_object (&self->bankd);
	G_OBJECT_CLASS (remsim_bankd_dbus_parent_class)->dispose (object);
}

static void
remsim_bankd_dbus_finalize (GObject *object)
{
	RemsimBankdDBus *self = REMSIM_BANKD_DBUS (object);

	g_ptr_array_unref (self->slots);
	G_OBJECT_CLASS (remsim_bankd_dbus_parent_class)->finalize (object);
}

static void
remsim_bankd_dbus_class_init (RemsimBankdDBusClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->dispose = remsim_bankd_dbus_dispose;
	object_class->finalize = remsim_bankd_dbus_finalize;
}

static void
remsim_bankd_dbus_init (RemsimBankdDBus *self)
{
	self->slots = g_ptr_array_new_with_free_func ((GDestroyNotify)remsim_bankd_dbus_slot_free);
}
