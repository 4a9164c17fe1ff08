/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-client-dbus.h"
#include "remsim-dbus-common.h"
#include "remsim-dbus.h"
#include "remsim-error.h"
#include "remsim-slot.h"

/*
 * One ClientSlot1 object per client slot, fed by
 * remsim_client_slot_session_get_info(): "changed" updates everything but
 * the counter at once; "counters-changed" (emitted once per read) kicks the
 * slot's throttle, which publishes ApduCount at most every
 * REMSIM_DBUS_COUNTER_INTERVAL_MS.
 */

typedef struct {
	RemsimClientDBus *self;
	guint32 nr;
	RemsimClientSlotSession *session;
	RemsimCardSink *sink;
	RemsimDBusObjectSkeleton *object;
	RemsimDBusClientSlot1 *iface;
	RemsimDBusThrottle *throttle;
} RemsimClientDBusSlot;

struct _RemsimClientDBus {
	GObject parent_instance;
	RemsimClient *client;
	RemsimDBusExport ex;
	GPtrArray *slots; /* RemsimClientDBusSlot */
};

G_DEFINE_FINAL_TYPE (RemsimClientDBus, remsim_client_dbus, G_TYPE_OBJECT)

static void
remsim_client_dbus_slot_free (RemsimClientDBusSlot *slot)
{
	g_clear_pointer (&slot->throttle, remsim_dbus_throttle_free);
	if (slot->session != NULL)
		g_signal_handlers_disconnect_by_data (slot->session, slot);
	if (slot->sink != NULL)
		g_signal_handlers_disconnect_by_data (slot->sink, slot);
	if (slot->iface != NULL)
		g_signal_handlers_disconnect_by_data (slot->iface, slot);
	g_clear_object (&slot->session);
	g_clear_object (&slot->sink);
	g_clear_object (&slot->iface);
	g_clear_object (&slot->object);
	g_free (slot);
}

/* everything but the counter */
static void
remsim_client_dbus_slot_update (RemsimClientDBusSlot *slot)
{
	RemsimClientSlotInfo info;
	RemsimClientSlot cs = {0};
	const gchar *bankd_link = "disconnected";

	remsim_client_slot_session_get_info (slot->session, &info);
	remsim_client_slot_session_get_client_slot (slot->session, &cs);
	remsim_dbus_client_slot1_set_client_id (slot->iface, cs.client_id);
	remsim_dbus_client_slot1_set_slot_nr (slot->iface, cs.slot_nr);
	remsim_dbus_client_slot1_set_name (slot->iface,
					   remsim_client_slot_session_get_name (slot->session));
	remsim_dbus_client_slot1_set_state (slot->iface,
					    remsim_client_state_to_string (info.state));
	remsim_dbus_client_slot1_set_server_link_state (
	    slot->iface, info.server_connected ? "connected" : "disconnected");
	if (info.bankd_connected)
		bankd_link = "connected";
	else if (info.bankd_connecting)
		bankd_link = "connecting";
	remsim_dbus_client_slot1_set_bankd_link_state (slot->iface, bankd_link);
	remsim_dbus_client_slot1_set_bankd_address (
	    slot->iface, info.bankd_address != NULL ? info.bankd_address : "");
	remsim_dbus_client_slot1_set_bank_id (slot->iface, info.bank_slot.bank_id);
	remsim_dbus_client_slot1_set_bank_slot (slot->iface, info.bank_slot.slot_nr);
	remsim_dbus_client_slot1_set_atr (slot->iface, remsim_dbus_bytes_to_variant (info.atr));
	remsim_dbus_client_slot1_set_card_present (slot->iface, info.card_present);
	remsim_dbus_client_slot1_set_vcc (slot->iface,
					  remsim_dbus_tristate_to_string (info.status.vcc));
	remsim_dbus_client_slot1_set_rst (slot->iface,
					  remsim_dbus_tristate_to_string (info.status.rst));
	remsim_dbus_client_slot1_set_clk (slot->iface,
					  remsim_dbus_tristate_to_string (info.status.clk));
	remsim_client_slot_info_clear (&info);
}

static void
remsim_client_dbus_slot_publish_counters (gpointer user_data)
{
	RemsimClientDBusSlot *slot = user_data;
	RemsimClientSlotInfo info;

	remsim_client_slot_session_get_info (slot->session, &info);
	remsim_dbus_client_slot1_set_apdu_count (slot->iface, info.apdu_count);
	remsim_client_slot_info_clear (&info);
}

static void
remsim_client_dbus_changed_cb (RemsimClientSlotSession *session, gpointer user_data)
{
	remsim_client_dbus_slot_update (user_data);
}

static void
remsim_client_dbus_sink_status_cb (RemsimCardSink *sink,
				   const RemsimCardSinkStatus *status,
				   gpointer user_data)
{
	/* also before the session starts (and so listens to the sink) */
	remsim_client_dbus_slot_update (user_data);
}

static void
remsim_client_dbus_counters_changed_cb (RemsimClientSlotSession *session, gpointer user_data)
{
	RemsimClientDBusSlot *slot = user_data;

	remsim_dbus_throttle_kick (slot->throttle);
}

static gboolean
remsim_client_dbus_request_card (RemsimClientDBusSlot *slot,
				 GDBusMethodInvocation *invocation,
				 gboolean present)
{
	g_autoptr (GError) error = NULL;

	if (!remsim_card_sink_set_card_present (slot->sink, present, &error)) {
		g_prefix_error (&error,
				"%s: card %s: ",
				remsim_client_slot_session_get_name (slot->session),
				present ? "insert" : "remove");
		g_dbus_method_invocation_return_gerror (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	g_dbus_method_invocation_return_value (invocation, NULL);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
remsim_client_dbus_handle_request_card_insert_cb (RemsimDBusClientSlot1 *iface,
						  GDBusMethodInvocation *invocation,
						  gpointer user_data)
{
	return remsim_client_dbus_request_card (user_data, invocation, TRUE);
}

static gboolean
remsim_client_dbus_handle_request_card_remove_cb (RemsimDBusClientSlot1 *iface,
						  GDBusMethodInvocation *invocation,
						  gpointer user_data)
{
	return remsim_client_dbus_request_card (user_data, invocation, FALSE);
}

static gboolean
remsim_client_dbus_handle_reconnect_cb (RemsimDBusClientSlot1 *iface,
					GDBusMethodInvocation *invocation,
					gpointer user_data)
{
	RemsimClientDBusSlot *slot = user_data;

	remsim_client_slot_session_reconnect (slot->session);
	g_dbus_method_invocation_return_value (invocation, NULL);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static RemsimClientDBusSlot *
remsim_client_dbus_slot_new (RemsimClientDBus *self, guint32 nr, RemsimClientSlotSession *session)
{
	RemsimClientDBusSlot *slot = g_new0 (RemsimClientDBusSlot, 1);
	g_autofree gchar *path = g_strdup_printf (REMSIM_DBUS_PATH "/ClientSlot/%u", nr);

	slot->self = self;
	slot->nr = nr;
	slot->session = g_object_ref (session);
	slot->sink = g_object_ref (remsim_client_slot_session_get_sink (session));
	slot->object = remsim_dbus_object_skeleton_new (path);
	slot->iface = remsim_dbus_client_slot1_skeleton_new ();
	slot->throttle = remsim_dbus_throttle_new (
	    REMSIM_DBUS_COUNTER_INTERVAL_MS, remsim_client_dbus_slot_publish_counters, slot);
	remsim_client_dbus_slot_update (slot);
	remsim_client_dbus_slot_publish_counters (slot);

	g_signal_connect (
	    slot->session, "changed", G_CALLBACK (remsim_client_dbus_changed_cb), slot);
	g_signal_connect (
	    slot->sink, "status", G_CALLBACK (remsim_client_dbus_sink_status_cb), slot);
	g_signal_connect (slot->session,
			  "counters-changed",
			  G_CALLBACK (remsim_client_dbus_counters_changed_cb),
			  slot);
	g_signal_connect (slot->iface,
			  "handle-reconnect",
			  G_CALLBACK (remsim_client_dbus_handle_reconnect_cb),
			  slot);
	g_signal_connect (slot->iface,
			  "handle-request-card-insert",
			  G_CALLBACK (remsim_client_dbus_handle_request_card_insert_cb),
			  slot);
	g_signal_connect (slot->iface,
			  "handle-request-card-remove",
			  G_CALLBACK (remsim_client_dbus_handle_request_card_remove_cb),
			  slot);
	remsim_dbus_object_skeleton_set_client_slot1 (slot->object, slot->iface);
	return slot;
}

RemsimClientDBus *
remsim_client_dbus_new (RemsimClient *client)
{
	RemsimClientDBus *self;

	g_return_val_if_fail (REMSIM_IS_CLIENT (client), NULL);

	self = g_object_new (REMSIM_TYPE_CLIENT_DBUS, NULL);
	self->client = g_object_ref (client);
	return self;
}

const gchar *
remsim_client_dbus_get_name (RemsimClientDBus *self)
{
	g_return_val_if_fail (REMSIM_IS_CLIENT_DBUS (self), NULL);
	return self->ex.name;
}

gboolean
remsim_client_dbus_start (RemsimClientDBus *self,
			  GDBusConnection *connection,
			  const gchar *name_suffix,
			  GError **error)
{
	g_autofree gchar *name = NULL;

	g_return_val_if_fail (REMSIM_IS_CLIENT_DBUS (self), FALSE);
	g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);

	name = remsim_dbus_export_begin (
	    &self->ex, connection, REMSIM_CLIENT_DBUS_NAME, name_suffix, error);
	if (name == NULL)
		return FALSE;
	/* slots are looked up by number; a client serves a few of 0..1023 */
	for (guint32 nr = 0; nr <= REMSIM_ID_MAX; nr++) {
		RemsimClientSlotSession *session = remsim_client_get_session (self->client, nr);
		RemsimClientDBusSlot *slot;

		if (session == NULL)
			continue;
		slot = remsim_client_dbus_slot_new (self, nr, session);
		g_ptr_array_add (self->slots, slot);
		g_dbus_object_manager_server_export (self->ex.manager,
						     G_DBUS_OBJECT_SKELETON (slot->object));
	}

	if (!remsim_dbus_export_publish (&self->ex, &name, error)) {
		remsim_client_dbus_stop (self);
		return FALSE;
	}
	g_message ("D-Bus: %s exported at %s (%u client slots)",
		   self->ex.name,
		   REMSIM_DBUS_PATH,
		   self->slots->len);
	return TRUE;
}

void
remsim_client_dbus_stop (RemsimClientDBus *self)
{
	g_return_if_fail (REMSIM_IS_CLIENT_DBUS (self));

	remsim_dbus_export_stop (&self->ex);
	g_ptr_array_set_size (self->slots, 0);
}

static void
remsim_client_dbus_dispose (GObject *object)
{
	RemsimClientDBus *self = REMSIM_CLIENT_DBUS (object);

	if (self->client != NULL)
		remsim_client_dbus_stop (self);
	g_clear_object (&self->client);
	G_OBJECT_CLASS (remsim_client_dbus_parent_class)->dispose (object);
}

static void
remsim_client_dbus_finalize (GObject *object)
{
	RemsimClientDBus *self = REMSIM_CLIENT_DBUS (object);

	g_ptr_array_unref (self->slots);
	G_OBJECT_CLASS (remsim_client_dbus_parent_class)->finalize (object);
}

static void
remsim_client_dbus_class_init (RemsimClientDBusClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->dispose = remsim_client_dbus_dispose;
	object_class->finalize = remsim_client_dbus_finalize;
}

static void
remsim_client_dbus_init (RemsimClientDBus *self)
{
	self->slots = g_ptr_array_new_with_free_func ((GDestroyNotify)remsim_client_dbus_slot_free);
}
