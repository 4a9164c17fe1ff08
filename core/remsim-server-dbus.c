/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-dbus-common.h"
#include "remsim-dbus.h"
#include "remsim-error.h"
#include "remsim-server-dbus.h"

struct _RemsimServerDBus {
	GObject parent_instance;
	RemsimServer *server;
	GDBusConnection *connection; /* NULL while stopped */
	gchar *name;
	GDBusObjectManagerServer *manager;
	RemsimDBusServer1 *root; /* on REMSIM_DBUS_PATH itself */
	GHashTable *conns;	 /* RemsimServerConn → RemsimDBusObjectSkeleton */
	GHashTable *maps;	 /* RemsimSlotmap → RemsimDBusObjectSkeleton */
};

G_DEFINE_FINAL_TYPE (RemsimServerDBus, remsim_server_dbus, G_TYPE_OBJECT)

/* objects ********************************************************************/

static gchar *
remsim_server_dbus_bank_path (RemsimServerConn *conn)
{
	return g_strdup_printf (REMSIM_DBUS_PATH "/Bank/%u", remsim_server_conn_get_bank_id (conn));
}

static gchar *
remsim_server_dbus_client_path (RemsimServerConn *conn)
{
	const RemsimClientSlot *slot = remsim_server_conn_get_client_slot (conn);

	return g_strdup_printf (REMSIM_DBUS_PATH "/Client/%u_%u",
				slot != NULL ? slot->client_id : 0,
				slot != NULL ? slot->slot_nr : 0);
}

static gchar *
remsim_server_dbus_slotmap_path (RemsimSlotmap *map)
{
	return g_strdup_printf (REMSIM_DBUS_PATH "/Slotmap/%u", remsim_slotmap_get_id (map));
}

static guint64
remsim_server_dbus_conn_since (RemsimServerConn *conn)
{
	GDateTime *since = remsim_server_conn_get_connected_since (conn);

	if (since == NULL)
		return 0;
	return (guint64)MAX (g_date_time_to_unix (since), 0);
}

static void
remsim_server_dbus_export (RemsimServerDBus *self, RemsimDBusObjectSkeleton *object)
{
	const gchar *path = g_dbus_object_get_object_path (G_DBUS_OBJECT (object));
	g_autoptr (GDBusObject) old =
	    g_dbus_object_manager_get_object (G_DBUS_OBJECT_MANAGER (self->manager), path);

	/* the server refuses a second bankd or client with the same identity,
	 * so this is only a safety net: the newest object wins */
	if (old != NULL)
		g_debug ("D-Bus: %s is exported already, replacing it", path);
	g_dbus_object_manager_server_export (self->manager, G_DBUS_OBJECT_SKELETON (object));
}

/* unexport @object unless its path was taken over by another object */
static void
remsim_server_dbus_unexport (RemsimServerDBus *self, RemsimDBusObjectSkeleton *object)
{
	const gchar *path = g_dbus_object_get_object_path (G_DBUS_OBJECT (object));
	g_autoptr (GDBusObject) cur =
	    g_dbus_object_manager_get_object (G_DBUS_OBJECT_MANAGER (self->manager), path);

	if (cur == G_DBUS_OBJECT (object))
		g_dbus_object_manager_server_unexport (self->manager, path);
}

static void
remsim_server_dbus_update_client (RemsimServerDBus *self,
				  RemsimServerConn *conn,
				  RemsimDBusObjectSkeleton *object)
{
	g_autoptr (RemsimDBusClient1) iface =
	    remsim_dbus_object_get_client1 (REMSIM_DBUS_OBJECT (object));
	g_autofree gchar *addr_str = NULL;
	RemsimBankSlot bank = {0};
	RemsimIpPort addr = {.family = G_SOCKET_FAMILY_IPV4};

	if (iface == NULL)
		return;
	remsim_server_conn_get_last_config (conn, &bank, &addr);
	addr_str = remsim_dbus_ip_port_to_string (&addr);
	remsim_dbus_client1_set_state (
	    iface, remsim_server_conn_state_to_string (remsim_server_conn_get_state (conn)));
	remsim_dbus_client1_set_bank_id (iface, bank.bank_id);
	remsim_dbus_client1_set_bank_slot (iface, bank.slot_nr);
	remsim_dbus_client1_set_bankd_address (iface, addr_str);
}

static void
remsim_server_dbus_last_config_changed_cb (RemsimServerConn *conn, gpointer user_data)
{
	RemsimServerDBus *self = REMSIM_SERVER_DBUS (user_data);
	RemsimDBusObjectSkeleton *object = g_hash_table_lookup (self->conns, conn);

	if (object != NULL)
		remsim_server_dbus_update_client (self, conn, object);
}

static void
remsim_server_dbus_add_bank (RemsimServerDBus *self, RemsimServerConn *conn)
{
	g_autofree gchar *path = remsim_server_dbus_bank_path (conn);
	g_autofree gchar *bound_str = NULL;
	g_autoptr (RemsimDBusObjectSkeleton) object = remsim_dbus_object_skeleton_new (path);
	g_autoptr (RemsimDBusBank1) iface = remsim_dbus_bank1_skeleton_new ();
	const RemsimIpPort *bound = remsim_server_conn_get_bound (conn);
	const gchar *peer = remsim_server_conn_get_remote_address_string (conn);

	if (bound != NULL)
		bound_str = remsim_dbus_ip_port_to_string (bound);
	remsim_dbus_bank1_set_bank_id (iface, remsim_server_conn_get_bank_id (conn));
	remsim_dbus_bank1_set_number_of_slots (iface,
					       remsim_server_conn_get_number_of_slots (conn));
	remsim_dbus_bank1_set_name (iface, remsim_server_conn_get_peer_name (conn));
	remsim_dbus_bank1_set_identity (
	    iface, remsim_dbus_identity_to_variant (remsim_server_conn_get_identity (conn)));
	remsim_dbus_bank1_set_peer_address (iface, peer != NULL ? peer : "");
	remsim_dbus_bank1_set_bound_address (iface, bound_str != NULL ? bound_str : "");
	remsim_dbus_bank1_set_state (
	    iface, remsim_server_conn_state_to_string (remsim_server_conn_get_state (conn)));
	remsim_dbus_bank1_set_connected_since (iface, remsim_server_dbus_conn_since (conn));
	remsim_dbus_object_skeleton_set_bank1 (object, iface);

	g_hash_table_replace (self->conns, g_object_ref (conn), g_object_ref (object));
	remsim_server_dbus_export (self, object);
}

static void
remsim_server_dbus_add_client (RemsimServerDBus *self, RemsimServerConn *conn)
{
	g_autofree gchar *path = remsim_server_dbus_client_path (conn);
	g_autoptr (RemsimDBusObjectSkeleton) object = remsim_dbus_object_skeleton_new (path);
	g_autoptr (RemsimDBusClient1) iface = remsim_dbus_client1_skeleton_new ();
	const RemsimClientSlot *slot = remsim_server_conn_get_client_slot (conn);
	const gchar *peer = remsim_server_conn_get_remote_address_string (conn);

	remsim_dbus_client1_set_client_id (iface, slot != NULL ? slot->client_id : 0);
	remsim_dbus_client1_set_slot_nr (iface, slot != NULL ? slot->slot_nr : 0);
	remsim_dbus_client1_set_name (iface, remsim_server_conn_get_peer_name (conn));
	remsim_dbus_client1_set_identity (
	    iface, remsim_dbus_identity_to_variant (remsim_server_conn_get_identity (conn)));
	remsim_dbus_client1_set_peer_address (iface, peer != NULL ? peer : "");
	remsim_dbus_client1_set_connected_since (iface, remsim_server_dbus_conn_since (conn));
	remsim_dbus_object_skeleton_set_client1 (object, iface);
	remsim_server_dbus_update_client (self, conn, object);

	/* what the server tells the client (ConfigClientBankReq) */
	g_signal_connect (conn,
			  "last-config-changed",
			  G_CALLBACK (remsim_server_dbus_last_config_changed_cb),
			  self);
	g_hash_table_replace (self->conns, g_object_ref (conn), g_object_ref (object));
	remsim_server_dbus_export (self, object);
}

static void
remsim_server_dbus_remove_conn (RemsimServerDBus *self, RemsimServerConn *conn)
{
	RemsimDBusObjectSkeleton *object = g_hash_table_lookup (self->conns, conn);

	if (object == NULL)
		return;
	g_signal_handlers_disconnect_by_data (conn, self);
	remsim_server_dbus_unexport (self, object);
	g_hash_table_remove (self->conns, conn);
}

static void
remsim_server_dbus_update_slotmap (RemsimDBusObjectSkeleton *object, RemsimSlotmap *map)
{
	g_autoptr (RemsimDBusSlotmap1) iface =
	    remsim_dbus_object_get_slotmap1 (REMSIM_DBUS_OBJECT (object));

	if (iface == NULL)
		return;
	remsim_dbus_slotmap1_set_state (
	    iface, remsim_slotmap_state_to_string (remsim_slotmap_get_state (map)));
}

static void
remsim_server_dbus_add_slotmap (RemsimServerDBus *self, RemsimSlotmap *map)
{
	g_autofree gchar *path = remsim_server_dbus_slotmap_path (map);
	g_autoptr (RemsimDBusObjectSkeleton) object = remsim_dbus_object_skeleton_new (path);
	g_autoptr (RemsimDBusSlotmap1) iface = remsim_dbus_slotmap1_skeleton_new ();
	const RemsimBankSlot *bank = remsim_slotmap_get_bank (map);
	const RemsimClientSlot *client = remsim_slotmap_get_client (map);

	remsim_dbus_slotmap1_set_id (iface, remsim_slotmap_get_id (map));
	remsim_dbus_slotmap1_set_bank_id (iface, bank->bank_id);
	remsim_dbus_slotmap1_set_bank_slot (iface, bank->slot_nr);
	remsim_dbus_slotmap1_set_client_id (iface, client->client_id);
	remsim_dbus_slotmap1_set_client_slot (iface, client->slot_nr);
	remsim_dbus_object_skeleton_set_slotmap1 (object, iface);
	remsim_server_dbus_update_slotmap (object, map);

	g_hash_table_replace (self->maps, g_object_ref (map), g_object_ref (object));
	remsim_server_dbus_export (self, object);
}

/* server signals *************************************************************/

static void
remsim_server_dbus_bank_connected_cb (RemsimServer *server,
				      RemsimServerConn *conn,
				      gpointer user_data)
{
	RemsimServerDBus *self = REMSIM_SERVER_DBUS (user_data);

	remsim_server_dbus_add_bank (self, conn);
}

static void
remsim_server_dbus_client_connected_cb (RemsimServer *server,
					RemsimServerConn *conn,
					gpointer user_data)
{
	remsim_server_dbus_add_client (REMSIM_SERVER_DBUS (user_data), conn);
}

static void
remsim_server_dbus_disconnected_cb (RemsimServer *server,
				    RemsimServerConn *conn,
				    gpointer user_data)
{
	RemsimServerDBus *self = REMSIM_SERVER_DBUS (user_data);

	remsim_server_dbus_remove_conn (self, conn);
}

static void
remsim_server_dbus_slotmap_added_cb (RemsimServer *server, RemsimSlotmap *map, gpointer user_data)
{
	RemsimServerDBus *self = REMSIM_SERVER_DBUS (user_data);

	remsim_server_dbus_add_slotmap (self, map);
}

static void
remsim_server_dbus_slotmap_removed_cb (RemsimServer *server, RemsimSlotmap *map, gpointer user_data)
{
	RemsimServerDBus *self = REMSIM_SERVER_DBUS (user_data);
	RemsimDBusObjectSkeleton *object = g_hash_table_lookup (self->maps, map);

	if (object != NULL) {
		remsim_server_dbus_unexport (self, object);
		g_hash_table_remove (self->maps, map);
	}
}

static void
remsim_server_dbus_slotmap_state_changed_cb (RemsimServer *server,
					     RemsimSlotmap *map,
					     gpointer user_data)
{
	RemsimServerDBus *self = REMSIM_SERVER_DBUS (user_data);
	RemsimDBusObjectSkeleton *object = g_hash_table_lookup (self->maps, map);

	if (object != NULL)
		remsim_server_dbus_update_slotmap (object, map);
}

/* methods ********************************************************************/

static gboolean
remsim_server_dbus_handle_create_slotmap_cb (RemsimDBusServer1 *iface,
					     GDBusMethodInvocation *invocation,
					     guint bank_id,
					     guint bank_slot,
					     guint client_id,
					     guint client_slot,
					     gpointer user_data)
{
	RemsimServerDBus *self = REMSIM_SERVER_DBUS (user_data);
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimSlotmap) map = NULL;
	g_autofree gchar *path = NULL;
	RemsimBankSlot bank = {.bank_id = bank_id, .slot_nr = bank_slot};
	RemsimClientSlot client = {.client_id = client_id, .slot_nr = client_slot};

	map = remsim_server_create_slotmap (self->server, &bank, &client, &error);
	if (map == NULL) {
		g_dbus_method_invocation_return_gerror (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	path = remsim_server_dbus_slotmap_path (map);
	remsim_dbus_server1_complete_create_slotmap (
	    iface, invocation, path, remsim_slotmap_get_id (map));
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
remsim_server_dbus_handle_remove_slotmap_cb (RemsimDBusServer1 *iface,
					     GDBusMethodInvocation *invocation,
					     guint id,
					     gpointer user_data)
{
	RemsimServerDBus *self = REMSIM_SERVER_DBUS (user_data);
	g_autoptr (GError) error = NULL;

	if (!remsim_server_remove_slotmap (self->server, id, &error)) {
		g_dbus_method_invocation_return_gerror (invocation, error);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	remsim_dbus_server1_complete_remove_slotmap (iface, invocation);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
remsim_server_dbus_handle_reset_cb (RemsimDBusServer1 *iface,
				    GDBusMethodInvocation *invocation,
				    gpointer user_data)
{
	RemsimServerDBus *self = REMSIM_SERVER_DBUS (user_data);

	remsim_server_reset (self->server);
	remsim_dbus_server1_complete_reset (iface, invocation);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* API ************************************************************************/

RemsimServerDBus *
remsim_server_dbus_new (RemsimServer *server)
{
	RemsimServerDBus *self;

	g_return_val_if_fail (REMSIM_IS_SERVER (server), NULL);

	self = g_object_new (REMSIM_TYPE_SERVER_DBUS, NULL);
	self->server = g_object_ref (server);
	return self;
}

const gchar *
remsim_server_dbus_get_name (RemsimServerDBus *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER_DBUS (self), NULL);
	return self->name;
}

static void
remsim_server_dbus_populate (RemsimServerDBus *self)
{
	g_autoptr (GPtrArray) banks = remsim_server_get_banks (self->server);
	g_autoptr (GPtrArray) clients = remsim_server_get_clients (self->server);
	g_autoptr (GPtrArray) maps = remsim_server_get_slotmaps (self->server);

	for (guint i = 0; i < banks->len; i++)
		remsim_server_dbus_add_bank (self, g_ptr_array_index (banks, i));
	for (guint i = 0; i < clients->len; i++)
		remsim_server_dbus_add_client (self, g_ptr_array_index (clients, i));
	for (guint i = 0; i < maps->len; i++)
		remsim_server_dbus_add_slotmap (self, g_ptr_array_index (maps, i));
}

gboolean
remsim_server_dbus_start (RemsimServerDBus *self,
			  GDBusConnection *connection,
			  const gchar *name_suffix,
			  GError **error)
{
	g_autofree gchar *name = NULL;

	g_return_val_if_fail (REMSIM_IS_SERVER_DBUS (self), FALSE);
	g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
	g_return_val_if_fail (self->connection == NULL, FALSE);

	name = remsim_dbus_make_name (REMSIM_SERVER_DBUS_NAME, name_suffix, error);
	if (name == NULL)
		return FALSE;

	self->connection = g_object_ref (connection);
	self->manager = g_dbus_object_manager_server_new (REMSIM_DBUS_PATH);
	self->root = remsim_dbus_server1_skeleton_new ();
	remsim_dbus_server1_set_version (self->root, PACKAGE_VERSION);
	remsim_dbus_server1_set_rspro_port (self->root, remsim_server_get_port (self->server));
	g_signal_connect (self->root,
			  "handle-create-slotmap",
			  G_CALLBACK (remsim_server_dbus_handle_create_slotmap_cb),
			  self);
	g_signal_connect (self->root,
			  "handle-remove-slotmap",
			  G_CALLBACK (remsim_server_dbus_handle_remove_slotmap_cb),
			  self);
	g_signal_connect (
	    self->root, "handle-reset", G_CALLBACK (remsim_server_dbus_handle_reset_cb), self);

	g_signal_connect (self->server,
			  "bank-connected",
			  G_CALLBACK (remsim_server_dbus_bank_connected_cb),
			  self);
	g_signal_connect (self->server,
			  "bank-disconnected",
			  G_CALLBACK (remsim_server_dbus_disconnected_cb),
			  self);
	g_signal_connect (self->server,
			  "client-connected",
			  G_CALLBACK (remsim_server_dbus_client_connected_cb),
			  self);
	g_signal_connect (self->server,
			  "client-disconnected",
			  G_CALLBACK (remsim_server_dbus_disconnected_cb),
			  self);
	g_signal_connect (
	    self->server, "slotmap-added", G_CALLBACK (remsim_server_dbus_slotmap_added_cb), self);
	g_signal_connect (self->server,
			  "slotmap-removed",
			  G_CALLBACK (remsim_server_dbus_slotmap_removed_cb),
			  self);
	g_signal_connect (self->server,
			  "slotmap-state-changed",
			  G_CALLBACK (remsim_server_dbus_slotmap_state_changed_cb),
			  self);
	remsim_server_dbus_populate (self);

	/* objects first, then the name: whoever sees the name sees them all */
	if (!g_dbus_interface_skeleton_export (
		G_DBUS_INTERFACE_SKELETON (self->root), connection, REMSIM_DBUS_PATH, error)) {
		remsim_server_dbus_stop (self);
		return FALSE;
	}
	g_dbus_object_manager_server_set_connection (self->manager, connection);
	if (!remsim_dbus_request_name (connection, name, error)) {
		remsim_server_dbus_stop (self);
		return FALSE;
	}
	self->name = g_steal_pointer (&name);
	g_message ("D-Bus: %s exported at %s", self->name, REMSIM_DBUS_PATH);
	return TRUE;
}

void
remsim_server_dbus_stop (RemsimServerDBus *self)
{
	GHashTableIter iter;
	gpointer conn;

	g_return_if_fail (REMSIM_IS_SERVER_DBUS (self));

	if (self->connection == NULL)
		return;
	g_signal_handlers_disconnect_by_data (self->server, self);
	g_hash_table_iter_init (&iter, self->conns);
	while (g_hash_table_iter_next (&iter, &conn, NULL))
		g_signal_handlers_disconnect_by_data (conn, self);
	if (self->name != NULL)
		remsim_dbus_release_name (self->connection, self->name);
	g_clear_pointer (&self->name, g_free);
	if (self->root != NULL) {
		g_signal_handlers_disconnect_by_data (self->root, self);
		g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->root));
		g_clear_object (&self->root);
	}
	g_hash_table_remove_all (self->conns);
	g_hash_table_remove_all (self->maps);
	if (self->manager != NULL) {
		g_dbus_object_manager_server_set_connection (self->manager, NULL);
		g_clear_object (&self->manager);
	}
	g_clear_object (&self->connection);
}

static void
remsim_server_dbus_dispose (GObject *object)
{
	RemsimServerDBus *self = REMSIM_SERVER_DBUS (object);

	if (self->server != NULL)
		remsim_server_dbus_stop (self);
	g_clear_object (&self->server);
	G_OBJECT_CLASS (remsim_server_dbus_parent_class)->dispose (object);
}

static void
remsim_server_dbus_finalize (GObject *object)
{
	RemsimServerDBus *self = REMSIM_SERVER_DBUS (object);

	g_hash_table_unref (self->conns);
	g_hash_table_unref (self->maps);
	G_OBJECT_CLASS (remsim_server_dbus_parent_class)->finalize (object);
}

static void
remsim_server_dbus_class_init (RemsimServerDBusClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->dispose = remsim_server_dbus_dispose;
	object_class->finalize = remsim_server_dbus_finalize;
}

static void
remsim_server_dbus_init (RemsimServerDBus *self)
{
	self->conns =
	    g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, g_object_unref);
	self->maps =
	    g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, g_object_unref);
}
