/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-config.h"
#include "remsim-error.h"
#include "remsim-server.h"

struct _RemsimServer {
	GObject parent_instance;
	RemsimSlotmapStore *store;
	GSocketService *service;
	guint16 port;
	guint keepalive_interval_ms;
	guint keepalive_timeout_ms;
	guint identify_timeout_ms;
	guint reject_linger_ms;
	GPtrArray *conns;	  /* RemsimServerConn (owned), in accept order */
	GHashTable *link_to_conn; /* RemsimLink → RemsimServerConn, both borrowed */
	GPtrArray *peers;	  /* identified RemsimServerConn (borrowed), in order */
	GPtrArray *orphans;	  /* deleted maps whose bankd left before the removal was acked */
	RemsimComponentIdentity identity;
};

G_DEFINE_FINAL_TYPE (RemsimServer, remsim_server, G_TYPE_OBJECT)

enum {
	SIGNAL_BANK_CONNECTED,
	SIGNAL_BANK_DISCONNECTED,
	SIGNAL_CLIENT_CONNECTED,
	SIGNAL_CLIENT_DISCONNECTED,
	SIGNAL_SLOTMAP_ADDED,
	SIGNAL_SLOTMAP_REMOVED,
	SIGNAL_SLOTMAP_STATE_CHANGED,
	SIGNAL_LAST
};
static guint signals[SIGNAL_LAST] = {0};

/* set on a map that left the listed maps while its bankd still knows it */
static GQuark
remsim_server_delete_pending_quark (void)
{
	return g_quark_from_static_string ("remsim-server-delete-pending");
}

static gboolean
remsim_server_map_is_delete_pending (RemsimSlotmap *map)
{
	return g_object_get_qdata (G_OBJECT (map), remsim_server_delete_pending_quark ()) != NULL;
}

static gboolean
remsim_server_map_is_listed (RemsimServer *self, RemsimSlotmap *map)
{
	return remsim_slotmap_store_lookup_id (self->store, remsim_slotmap_get_id (map)) == map;
}

static void
remsim_server_set_map_state (RemsimServer *self, RemsimSlotmap *map, RemsimSlotmapState state)
{
	g_autofree gchar *str = NULL;

	if (remsim_slotmap_get_state (map) == state)
		return;
	str = remsim_slotmap_to_string (map);
	g_debug ("slotmap %s: %s -> %s",
		 str,
		 remsim_slotmap_state_to_string (remsim_slotmap_get_state (map)),
		 remsim_slotmap_state_to_string (state));
	remsim_slotmap_set_state (map, state);
	if (remsim_server_map_is_listed (self, map))
		g_signal_emit (self, signals[SIGNAL_SLOTMAP_STATE_CHANGED], 0, map);
}

/* connections ****************************************************************/

RemsimServerConn *
remsim_server_lookup_bank (RemsimServer *self, guint32 bank_id)
{
	g_return_val_if_fail (REMSIM_IS_SERVER (self), NULL);

	for (guint i = 0; i < self->peers->len; i++) {
		RemsimServerConn *conn = g_ptr_array_index (self->peers, i);
		if (remsim_server_conn_get_state (conn) ==
			REMSIM_SERVER_CONN_STATE_CONNECTED_BANKD &&
		    remsim_server_conn_get_bank_id (conn) == bank_id)
			return conn;
	}
	return NULL;
}

RemsimServerConn *
remsim_server_lookup_client (RemsimServer *self, const RemsimClientSlot *slot)
{
	g_return_val_if_fail (REMSIM_IS_SERVER (self), NULL);
	g_return_val_if_fail (slot != NULL, NULL);

	for (guint i = 0; i < self->peers->len; i++) {
		RemsimServerConn *conn = g_ptr_array_index (self->peers, i);
		const RemsimClientSlot *cs = remsim_server_conn_get_client_slot (conn);
		if (remsim_server_conn_get_state (conn) ==
			REMSIM_SERVER_CONN_STATE_CONNECTED_CLIENT &&
		    cs != NULL && remsim_client_slot_equal (cs, slot))
			return conn;
	}
	return NULL;
}

RemsimServerConn *
remsim_server_lookup_client_id (RemsimServer *self, guint32 client_id)
{
	g_return_val_if_fail (REMSIM_IS_SERVER (self), NULL);

	for (guint i = 0; i < self->peers->len; i++) {
		RemsimServerConn *conn = g_ptr_array_index (self->peers, i);
		const RemsimClientSlot *cs = remsim_server_conn_get_client_slot (conn);
		if (remsim_server_conn_get_state (conn) ==
			REMSIM_SERVER_CONN_STATE_CONNECTED_CLIENT &&
		    cs != NULL && cs->client_id == client_id)
			return conn;
	}
	return NULL;
}

static GPtrArray *
remsim_server_get_peers_in_state (RemsimServer *self, RemsimServerConnState state)
{
	GPtrArray *array = g_ptr_array_new_with_free_func (g_object_unref);

	for (guint i = 0; i < self->peers->len; i++) {
		RemsimServerConn *conn = g_ptr_array_index (self->peers, i);
		if (remsim_server_conn_get_state (conn) == state)
			g_ptr_array_add (array, g_object_ref (conn));
	}
	return array;
}

GPtrArray *
remsim_server_get_banks (RemsimServer *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER (self), NULL);
	return remsim_server_get_peers_in_state (self, REMSIM_SERVER_CONN_STATE_CONNECTED_BANKD);
}

GPtrArray *
remsim_server_get_clients (RemsimServer *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER (self), NULL);
	return remsim_server_get_peers_in_state (self, REMSIM_SERVER_CONN_STATE_CONNECTED_CLIENT);
}

static gboolean
remsim_server_send (RemsimServerConn *conn, const RemsimRsproMsg *msg)
{
	g_autoptr (GError) error = NULL;
	RemsimLink *link = remsim_server_conn_get_link (conn);

	if (remsim_link_is_closed (link))
		return FALSE;
	if (!remsim_link_send (link, msg, &error)) {
		g_warning ("%s: cannot send %s: %s",
			   remsim_server_conn_get_peer_name (conn),
			   remsim_rspro_type_to_string (msg->type),
			   error->message);
		return FALSE;
	}
	return TRUE;
}

/* "update client" ************************************************************/

static gboolean
remsim_ip_port_equal (const RemsimIpPort *a, const RemsimIpPort *b)
{
	gsize len;

	if (a->family != b->family || a->port != b->port)
		return FALSE;
	len = a->family == G_SOCKET_FAMILY_IPV6 ? 16 : 4;
	return memcmp (a->addr, b->addr, len) == 0;
}

static gboolean
remsim_ip_port_is_unspecified (const RemsimIpPort *ip)
{
	static const guint8 zero[16] = {0};
	gsize len = ip->family == G_SOCKET_FAMILY_IPV6 ? 16 : 4;
	return memcmp (ip->addr, zero, len) == 0;
}

static gchar *
remsim_ip_port_to_string (const RemsimIpPort *ip)
{
	g_autoptr (GInetAddress) inet = NULL;
	g_autofree gchar *str = NULL;

	if (ip->family == G_SOCKET_FAMILY_IPV6) {
		inet = g_inet_address_new_from_bytes (ip->addr, G_SOCKET_FAMILY_IPV6);
		str = g_inet_address_to_string (inet);
		return g_strdup_printf ("[%s]:%u", str, ip->port);
	}
	inet = g_inet_address_new_from_bytes (ip->addr, G_SOCKET_FAMILY_IPV4);
	str = g_inet_address_to_string (inet);
	return g_strdup_printf ("%s:%u", str, ip->port);
}

/* the peer IP of @conn (IPv4-mapped IPv6 turned back into IPv4) */
static gboolean
remsim_server_conn_peer_ip (RemsimServerConn *conn, RemsimIpPort *out)
{
	GInetSocketAddress *remote = remsim_server_conn_get_remote_address (conn);
	GInetAddress *inet;
	const guint8 *bytes;

	memset (out, 0, sizeof (*out));
	out->family = G_SOCKET_FAMILY_IPV4;
	if (remote == NULL)
		return FALSE;
	inet = g_inet_socket_address_get_address (remote);
	bytes = g_inet_address_to_bytes (inet);
	if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV4) {
		memcpy (out->addr, bytes, 4);
		return TRUE;
	}
	if (bytes[10] == 0xff && bytes[11] == 0xff) {
		static const guint8 zero[10] = {0};
		if (memcmp (bytes, zero, sizeof (zero)) == 0) {
			memcpy (out->addr, bytes + 12, 4);
			return TRUE;
		}
	}
	out->family = G_SOCKET_FAMILY_IPV6;
	memcpy (out->addr, bytes, 16);
	return TRUE;
}

/* where clients reach this bankd: "bound" from ConnectBankReq if present
 * (its IP replaced by the peer IP when unspecified), else peer IP:9999 */
static void
remsim_server_bankd_address (RemsimServerConn *conn, RemsimIpPort *out)
{
	const RemsimIpPort *bound = remsim_server_conn_get_bound (conn);

	if (bound != NULL && !remsim_ip_port_is_unspecified (bound)) {
		*out = *bound;
		return;
	}
	remsim_server_conn_peer_ip (conn, out);
	out->port = bound != NULL ? bound->port : REMSIM_SERVER_DEFAULT_BANKD_PORT;
}

static void
remsim_server_update_client (RemsimServer *self, RemsimSlotmap *map)
{
	g_autoptr (RemsimRsproMsg) msg = NULL;
	g_autofree gchar *addr_str = NULL;
	RemsimServerConn *client;
	RemsimServerConn *bankd;
	RemsimSlotmapState state = remsim_slotmap_get_state (map);
	const RemsimBankSlot *bank = remsim_slotmap_get_bank (map);
	RemsimBankSlot last_bank;
	RemsimIpPort last_addr;
	RemsimIpPort addr = {.family = G_SOCKET_FAMILY_IPV4};

	client = remsim_server_lookup_client (self, remsim_slotmap_get_client (map));
	if (client == NULL)
		return;

	bankd = remsim_server_lookup_bank (self, bank->bank_id);
	if (state != REMSIM_SLOTMAP_STATE_DELETE_REQ && state != REMSIM_SLOTMAP_STATE_DELETING &&
	    !remsim_server_map_is_delete_pending (map)) {
		/* the map's bankd is not (yet) connected to us, e.g. right
		 * after a server restart: say nothing rather than "no bankd",
		 * so a client whose session with that bankd still runs keeps
		 * it; it hears from us once the bankd is back and has acked
		 * (upstream sends 0.0.0.0:0 here and breaks such sessions) */
		if (bankd == NULL)
			return;
		remsim_server_bankd_address (bankd, &addr);
	}

	remsim_server_conn_get_last_config (client, &last_bank, &last_addr);
	if (remsim_bank_slot_equal (&last_bank, bank) && remsim_ip_port_equal (&last_addr, &addr))
		return;

	addr_str = remsim_ip_port_to_string (&addr);
	g_message ("%s: using bankd B%u:%u at %s",
		   remsim_server_conn_get_peer_name (client),
		   bank->bank_id,
		   bank->slot_nr,
		   addr_str);
	msg = remsim_rspro_msg_new (REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ);
	msg->has_bank_slot = TRUE;
	msg->bank_slot = *bank;
	msg->has_bound = TRUE;
	msg->bound = addr;
	if (remsim_server_send (client, msg))
		remsim_server_conn_set_last_config (client, bank, &addr);
}

/* pushing maps to a bankd ****************************************************/

static void
remsim_server_push_create (RemsimServer *self, RemsimServerConn *bankd, RemsimSlotmap *map)
{
	g_autoptr (RemsimRsproMsg) msg = remsim_rspro_msg_new (REMSIM_RSPRO_CREATE_MAPPING_REQ);

	msg->has_client_slot = TRUE;
	msg->client_slot = *remsim_slotmap_get_client (map);
	msg->has_bank_slot = TRUE;
	msg->bank_slot = *remsim_slotmap_get_bank (map);
	/* queued before sending, so that a link dying under us finds it */
	g_queue_push_tail (remsim_server_conn_get_unacked (bankd), g_object_ref (map));
	remsim_server_set_map_state (self, map, REMSIM_SLOTMAP_STATE_UNACKNOWLEDGED);
	remsim_server_send (bankd, msg);
}

static void
remsim_server_push_remove (RemsimServer *self, RemsimServerConn *bankd, RemsimSlotmap *map)
{
	g_autoptr (RemsimRsproMsg) msg = remsim_rspro_msg_new (REMSIM_RSPRO_REMOVE_MAPPING_REQ);

	msg->has_client_slot = TRUE;
	msg->client_slot = *remsim_slotmap_get_client (map);
	msg->has_bank_slot = TRUE;
	msg->bank_slot = *remsim_slotmap_get_bank (map);
	remsim_server_set_map_state (self, map, REMSIM_SLOTMAP_STATE_DELETE_REQ);
	g_queue_push_tail (remsim_server_conn_get_deleting (bankd), g_object_ref (map));
	remsim_server_set_map_state (self, map, REMSIM_SLOTMAP_STATE_DELETING);
	remsim_server_send (bankd, msg);
}

/* slotmap API ****************************************************************/

RemsimSlotmap *
remsim_server_create_slotmap (RemsimServer *self,
			      const RemsimBankSlot *bank,
			      const RemsimClientSlot *client,
			      GError **error)
{
	g_autoptr (RemsimSlotmap) map = NULL;
	g_autofree gchar *str = NULL;
	RemsimServerConn *bankd;

	g_return_val_if_fail (REMSIM_IS_SERVER (self), NULL);
	g_return_val_if_fail (bank != NULL, NULL);
	g_return_val_if_fail (client != NULL, NULL);

	map = remsim_slotmap_store_add (self->store, bank, client, error);
	if (map == NULL)
		return NULL;
	str = remsim_slotmap_to_string (map);
	g_message ("slotmap %s created", str);
	g_signal_emit (self, signals[SIGNAL_SLOTMAP_ADDED], 0, map);

	bankd = remsim_server_lookup_bank (self, bank->bank_id);
	if (bankd != NULL)
		remsim_server_push_create (self, bankd, map);
	return g_steal_pointer (&map);
}

/* take @map out of the listed maps and get it removed at its bankd */
static void
remsim_server_delete_map (RemsimServer *self, RemsimSlotmap *map)
{
	g_autoptr (RemsimSlotmap) ref = g_object_ref (map);
	g_autofree gchar *str = remsim_slotmap_to_string (map);
	RemsimServerConn *bankd;

	remsim_slotmap_store_remove (self->store, map);
	g_message ("slotmap %s removed (was %s)",
		   str,
		   remsim_slotmap_state_to_string (remsim_slotmap_get_state (map)));
	g_signal_emit (self, signals[SIGNAL_SLOTMAP_REMOVED], 0, map);
	/* looked up after the emissions: a handler may have dropped the bankd */
	bankd = remsim_server_lookup_bank (self, remsim_slotmap_get_bank (map)->bank_id);

	switch (remsim_slotmap_get_state (map)) {
	case REMSIM_SLOTMAP_STATE_NEW:
		/* the bankd never heard of it */
		break;
	case REMSIM_SLOTMAP_STATE_UNACKNOWLEDGED:
		/* upstream forgets these; we remove it once the bankd acks it */
		g_object_set_qdata (
		    G_OBJECT (map), remsim_server_delete_pending_quark (), GINT_TO_POINTER (1));
		break;
	case REMSIM_SLOTMAP_STATE_ACTIVE:
		g_object_set_qdata (
		    G_OBJECT (map), remsim_server_delete_pending_quark (), GINT_TO_POINTER (1));
		if (bankd != NULL)
			remsim_server_push_remove (self, bankd, map);
		break;
	case REMSIM_SLOTMAP_STATE_DELETE_REQ:
	case REMSIM_SLOTMAP_STATE_DELETING:
		/* not listed any more, cannot happen */
		break;
	}
}

gboolean
remsim_server_remove_slotmap (RemsimServer *self, guint32 id, GError **error)
{
	RemsimSlotmap *map;

	g_return_val_if_fail (REMSIM_IS_SERVER (self), FALSE);

	map = remsim_slotmap_store_lookup_id (self->store, id);
	if (map == NULL) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_NOT_FOUND,
			     "no slotmap with id %u (B%u:%u)",
			     id,
			     id >> 16,
			     id & 0xffff);
		return FALSE;
	}
	remsim_server_delete_map (self, map);
	return TRUE;
}

void
remsim_server_reset (RemsimServer *self)
{
	g_autoptr (GPtrArray) maps = NULL;

	g_return_if_fail (REMSIM_IS_SERVER (self));

	g_message ("global reset: removing every slotmap");
	maps = remsim_server_get_slotmaps (self);
	for (guint i = 0; i < maps->len; i++)
		remsim_server_delete_map (self, g_ptr_array_index (maps, i));
}

GPtrArray *
remsim_server_get_slotmaps (RemsimServer *self)
{
	GPtrArray *all;
	GPtrArray *array;

	g_return_val_if_fail (REMSIM_IS_SERVER (self), NULL);

	all = remsim_slotmap_store_get_all (self->store);
	array = g_ptr_array_new_full (all->len, g_object_unref);
	for (guint i = 0; i < all->len; i++)
		g_ptr_array_add (array, g_object_ref (g_ptr_array_index (all, i)));
	return array;
}

/* RSPRO handling *************************************************************/

static gboolean
remsim_server_reject_linger_cb (gpointer user_data)
{
	RemsimServerConn *conn = REMSIM_SERVER_CONN (user_data);
	remsim_link_close (remsim_server_conn_get_link (conn), "identity in use");
	return G_SOURCE_REMOVE;
}

static gboolean
remsim_server_identify_timeout_cb (gpointer user_data)
{
	RemsimServerConn *conn = REMSIM_SERVER_CONN (user_data);
	g_warning ("%s: no ConnectClientReq or ConnectBankReq in time, closing",
		   remsim_server_conn_get_peer_name (conn));
	remsim_link_close (remsim_server_conn_get_link (conn), "no Connect*Req in time");
	return G_SOURCE_REMOVE;
}

static void
remsim_server_reject (RemsimServer *self, RemsimServerConn *conn)
{
	remsim_server_conn_set_state (conn, REMSIM_SERVER_CONN_STATE_REJECTED);
	remsim_server_conn_set_timer (
	    conn, MAX (self->reject_linger_ms, 1), remsim_server_reject_linger_cb, conn, NULL);
}

static void
remsim_server_handle_connect_client (RemsimServer *self,
				     RemsimServerConn *conn,
				     const RemsimRsproMsg *req)
{
	g_autoptr (RemsimRsproMsg) res = NULL;
	g_autofree gchar *slot_str = NULL;
	const gchar *peer = remsim_server_conn_get_peer_name (conn);
	RemsimLink *link = remsim_server_conn_get_link (conn);

	if (req->identity.type != REMSIM_COMPONENT_CLIENT) {
		g_warning ("%s: ConnectClientReq from a %s, closing",
			   peer,
			   remsim_component_type_to_string (req->identity.type));
		remsim_link_close (link, "ConnectClientReq with wrong identity type");
		return;
	}
	if (!req->has_client_slot) {
		g_warning ("%s: ConnectClientReq without clientSlot (dynamic client ids are "
			   "not supported), closing",
			   peer);
		remsim_link_close (link, "ConnectClientReq without clientSlot");
		return;
	}

	slot_str = remsim_client_slot_to_string (&req->client_slot);
	res = remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_CLIENT_RES);
	res->tag = REMSIM_RSPRO_TAG_CONNECT_CLIENT_RES;
	remsim_component_identity_copy_into (&res->identity, &self->identity);

	if (!remsim_client_slot_is_valid (&req->client_slot)) {
		g_warning ("%s: ConnectClientReq for %s: id out of range (0..%u), rejecting",
			   peer,
			   slot_str,
			   REMSIM_ID_MAX);
		res->result = REMSIM_RESULT_ILLEGAL_CLIENT_ID;
		remsim_server_send (conn, res);
		remsim_server_reject (self, conn);
		return;
	}
	if (remsim_server_lookup_client (self, &req->client_slot) != NULL) {
		g_warning ("%s: ConnectClientReq for %s, which is connected already: "
			   "identityInUse, closing the new connection",
			   peer,
			   slot_str);
		res->result = REMSIM_RESULT_IDENTITY_IN_USE;
		remsim_server_send (conn, res);
		remsim_server_reject (self, conn);
		return;
	}

	res->result = REMSIM_RESULT_OK;
	if (!remsim_server_send (conn, res))
		return;
	remsim_server_conn_set_timer (conn, 0, NULL, NULL, NULL);
	remsim_server_conn_set_client (conn, &req->identity, &req->client_slot);
	g_ptr_array_add (self->peers, conn);
	g_message ("%s: client connected from %s (%s %s)",
		   remsim_server_conn_get_peer_name (conn),
		   remsim_server_conn_get_remote_address_string (conn),
		   req->identity.software != NULL ? req->identity.software : "?",
		   req->identity.sw_version != NULL ? req->identity.sw_version : "?");
	g_signal_emit (self, signals[SIGNAL_CLIENT_CONNECTED], 0, conn);

	{
		RemsimSlotmap *map =
		    remsim_slotmap_store_lookup_client (self->store, &req->client_slot);
		if (map != NULL)
			remsim_server_update_client (self, map);
	}
}

static void
remsim_server_handle_connect_bank (RemsimServer *self,
				   RemsimServerConn *conn,
				   const RemsimRsproMsg *req)
{
	g_autoptr (RemsimRsproMsg) res = NULL;
	g_autoptr (GPtrArray) maps = NULL;
	RemsimIpPort addr;
	const gchar *peer = remsim_server_conn_get_peer_name (conn);
	RemsimLink *link = remsim_server_conn_get_link (conn);

	if (req->identity.type != REMSIM_COMPONENT_BANKD) {
		g_warning ("%s: ConnectBankReq from a %s, closing",
			   peer,
			   remsim_component_type_to_string (req->identity.type));
		remsim_link_close (link, "ConnectBankReq with wrong identity type");
		return;
	}

	res = remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_BANK_RES);
	remsim_component_identity_copy_into (&res->identity, &self->identity);

	if (req->bank_id > REMSIM_ID_MAX) {
		g_warning ("%s: ConnectBankReq for B%u: id out of range (0..%u), rejecting",
			   peer,
			   req->bank_id,
			   REMSIM_ID_MAX);
		res->result = REMSIM_RESULT_ILLEGAL_BANK_ID;
		remsim_server_send (conn, res);
		remsim_server_reject (self, conn);
		return;
	}
	if (remsim_server_lookup_bank (self, req->bank_id) != NULL) {
		g_warning ("%s: ConnectBankReq for B%u, which is connected already: "
			   "identityInUse, closing the new connection",
			   peer,
			   req->bank_id);
		res->result = REMSIM_RESULT_IDENTITY_IN_USE;
		remsim_server_send (conn, res);
		remsim_server_reject (self, conn);
		return;
	}

	/* ConnectBankRes first, then every CreateMappingReq, all before the
	 * main loop runs again */
	res->result = REMSIM_RESULT_OK;
	if (!remsim_server_send (conn, res))
		return;
	remsim_server_conn_set_timer (conn, 0, NULL, NULL, NULL);
	remsim_server_conn_set_bankd (conn,
				      &req->identity,
				      req->bank_id,
				      req->number_of_slots,
				      req->has_bound ? &req->bound : NULL);
	g_ptr_array_add (self->peers, conn);
	peer = remsim_server_conn_get_peer_name (conn);

	remsim_server_bankd_address (conn, &addr);
	{
		g_autofree gchar *addr_str = remsim_ip_port_to_string (&addr);
		g_message ("%s: bankd connected from %s with %u slots (%s %s), clients will "
			   "use %s",
			   peer,
			   remsim_server_conn_get_remote_address_string (conn),
			   req->number_of_slots,
			   req->identity.software != NULL ? req->identity.software : "?",
			   req->identity.sw_version != NULL ? req->identity.sw_version : "?",
			   addr_str);
		if (addr.family == G_SOCKET_FAMILY_IPV4 && addr.addr[0] == 127)
			g_warning ("%s: bankd address %s is a loopback address: clients on "
				   "other hosts cannot reach it",
				   peer,
				   addr_str);
	}
	g_signal_emit (self, signals[SIGNAL_BANK_CONNECTED], 0, conn);

	maps = remsim_server_get_slotmaps (self);
	for (guint i = 0; i < maps->len; i++) {
		RemsimSlotmap *map = g_ptr_array_index (maps, i);
		if (remsim_slotmap_get_bank (map)->bank_id != req->bank_id)
			continue;
		if (remsim_link_is_closed (link))
			break;
		remsim_server_set_map_state (self, map, REMSIM_SLOTMAP_STATE_NEW);
		remsim_server_push_create (self, conn, map);
	}

	/* then the removals the previous connection of this bankd left */
	for (guint i = 0; i < self->orphans->len;) {
		g_autoptr (RemsimSlotmap) map = NULL;
		RemsimSlotmap *listed;

		if (remsim_slotmap_get_bank (g_ptr_array_index (self->orphans, i))->bank_id !=
		    req->bank_id) {
			i++;
			continue;
		}
		map = g_ptr_array_steal_index (self->orphans, i);
		listed =
		    remsim_slotmap_store_lookup_bank (self->store, remsim_slotmap_get_bank (map));
		/* re-created identically meanwhile: the CreateMappingReq above covers it */
		if (listed != NULL && remsim_client_slot_equal (remsim_slotmap_get_client (listed),
								remsim_slotmap_get_client (map)))
			continue;
		if (remsim_link_is_closed (link))
			continue;
		remsim_server_push_remove (self, conn, map);
	}
}

static void
remsim_server_handle_create_mapping_res (RemsimServer *self,
					 RemsimServerConn *conn,
					 const RemsimRsproMsg *res)
{
	g_autoptr (RemsimSlotmap) map = NULL;
	g_autofree gchar *str = NULL;
	const gchar *peer = remsim_server_conn_get_peer_name (conn);

	map = g_queue_pop_head (remsim_server_conn_get_unacked (conn));
	if (map == NULL) {
		g_warning ("%s: CreateMappingRes without a pending CreateMappingReq, ignored",
			   peer);
		return;
	}
	str = remsim_slotmap_to_string (map);
	if (res->result != REMSIM_RESULT_OK)
		g_warning ("%s: CreateMappingRes(%s) for %s; treating it as created as "
			   "upstream does",
			   peer,
			   remsim_result_code_to_string (res->result),
			   str);
	else
		g_info ("%s: slotmap %s acknowledged", peer, str);

	if (remsim_server_map_is_delete_pending (map)) {
		/* deleted while unacknowledged: now remove it at the bankd */
		remsim_server_push_remove (self, conn, map);
		return;
	}
	remsim_server_set_map_state (self, map, REMSIM_SLOTMAP_STATE_ACTIVE);
	remsim_server_update_client (self, map);
}

static void
remsim_server_handle_remove_mapping_res (RemsimServer *self,
					 RemsimServerConn *conn,
					 const RemsimRsproMsg *res)
{
	g_autoptr (RemsimSlotmap) map = NULL;
	g_autofree gchar *str = NULL;
	RemsimSlotmap *live;
	const gchar *peer = remsim_server_conn_get_peer_name (conn);

	map = g_queue_pop_head (remsim_server_conn_get_deleting (conn));
	if (map == NULL) {
		g_warning ("%s: RemoveMappingRes without a pending RemoveMappingReq, ignored",
			   peer);
		return;
	}
	str = remsim_slotmap_to_string (map);
	if (res->result != REMSIM_RESULT_OK)
		g_warning ("%s: RemoveMappingRes(%s) for %s; forgetting the map anyway",
			   peer,
			   remsim_result_code_to_string (res->result),
			   str);
	else
		g_info ("%s: slotmap %s removed at the bankd", peer, str);

	/* a map created meanwhile for the same client wins over the dead one */
	live = remsim_slotmap_store_lookup_client (self->store, remsim_slotmap_get_client (map));
	remsim_server_update_client (self, live != NULL ? live : map);
}

static void
remsim_server_link_message_cb (RemsimLink *link, RemsimRsproMsg *msg, gpointer user_data)
{
	RemsimServer *self = REMSIM_SERVER (user_data);
	g_autoptr (RemsimServerConn) conn = NULL;
	RemsimServerConnState state;
	const gchar *peer;

	conn = g_hash_table_lookup (self->link_to_conn, link);
	if (conn == NULL)
		return;
	/* the handlers below may close the link, which drops the connection */
	g_object_ref (conn);
	state = remsim_server_conn_get_state (conn);
	peer = remsim_server_conn_get_peer_name (conn);

	switch (state) {
	case REMSIM_SERVER_CONN_STATE_INIT:
	case REMSIM_SERVER_CONN_STATE_ESTABLISHED:
		if (msg->type == REMSIM_RSPRO_CONNECT_CLIENT_REQ) {
			remsim_server_handle_connect_client (self, conn, msg);
			return;
		}
		if (msg->type == REMSIM_RSPRO_CONNECT_BANK_REQ) {
			remsim_server_handle_connect_bank (self, conn, msg);
			return;
		}
		/* a peer that starts with something else does not speak RSPRO
		 * as we know it: drop it instead of waiting for the timeout */
		g_message ("%s: %s before ConnectClientReq/ConnectBankReq, closing",
			   peer,
			   msg->type == REMSIM_RSPRO_UNKNOWN
			       ? "unknown RSPRO message"
			       : remsim_rspro_type_to_string (msg->type));
		remsim_link_close (link, "unexpected message before identification");
		return;
	case REMSIM_SERVER_CONN_STATE_CONNECTED_CLIENT:
		if (msg->type == REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES) {
			if (msg->result != REMSIM_RESULT_OK)
				g_warning ("%s: ConfigClientBankRes(%s)",
					   peer,
					   remsim_result_code_to_string (msg->result));
			return;
		}
		break;
	case REMSIM_SERVER_CONN_STATE_CONNECTED_BANKD:
		if (msg->type == REMSIM_RSPRO_CREATE_MAPPING_RES) {
			remsim_server_handle_create_mapping_res (self, conn, msg);
			return;
		}
		if (msg->type == REMSIM_RSPRO_REMOVE_MAPPING_RES) {
			remsim_server_handle_remove_mapping_res (self, conn, msg);
			return;
		}
		break;
	case REMSIM_SERVER_CONN_STATE_REJECTED:
		g_debug ("%s: %s on a rejected connection, ignored",
			 peer,
			 remsim_rspro_type_to_string (msg->type));
		return;
	}

	if (msg->type == REMSIM_RSPRO_UNKNOWN)
		g_warning ("%s: unknown RSPRO message, ignored", peer);
	else
		g_warning ("%s: unexpected %s in state %s, ignored",
			   peer,
			   remsim_rspro_type_to_string (msg->type),
			   remsim_server_conn_state_to_string (state));
}

/* a connection is gone: forget it, put its maps back to NEW */
static void
remsim_server_conn_lost (RemsimServer *self, RemsimServerConn *conn, const gchar *reason)
{
	g_autoptr (RemsimServerConn) ref = g_object_ref (conn);
	RemsimLink *link = remsim_server_conn_get_link (conn);
	RemsimServerConnState state = remsim_server_conn_get_state (conn);
	const gchar *peer = remsim_server_conn_get_peer_name (conn);
	RemsimSlotmap *map;

	if (!g_hash_table_remove (self->link_to_conn, link))
		return;
	g_signal_handlers_disconnect_by_data (link, self);
	remsim_server_conn_set_timer (conn, 0, NULL, NULL, NULL);
	g_ptr_array_remove (self->peers, conn);

	if (state == REMSIM_SERVER_CONN_STATE_CONNECTED_BANKD ||
	    state == REMSIM_SERVER_CONN_STATE_CONNECTED_CLIENT)
		g_message ("%s: connection lost: %s", peer, reason != NULL ? reason : "closed");
	else
		g_info ("%s: connection closed (%s): %s",
			peer,
			remsim_server_conn_state_to_string (state),
			reason != NULL ? reason : "closed");

	if (state == REMSIM_SERVER_CONN_STATE_CONNECTED_BANKD) {
		g_autoptr (GPtrArray) maps = NULL;
		guint32 bank_id = remsim_server_conn_get_bank_id (conn);

		/* listed maps wait for the bankd to come back in NEW; maps
		 * deleted meanwhile are removed there when it is back (upstream
		 * forgets them, leaving them at the bankd) */
		while ((map = g_queue_pop_head (remsim_server_conn_get_deleting (conn))) != NULL)
			g_ptr_array_add (self->orphans, map);
		while ((map = g_queue_pop_head (remsim_server_conn_get_unacked (conn))) != NULL) {
			if (remsim_server_map_is_delete_pending (map)) {
				g_ptr_array_add (self->orphans, map);
				continue;
			}
			remsim_server_set_map_state (self, map, REMSIM_SLOTMAP_STATE_NEW);
			g_object_unref (map);
		}
		maps = remsim_server_get_slotmaps (self);
		for (guint i = 0; i < maps->len; i++) {
			map = g_ptr_array_index (maps, i);
			if (remsim_slotmap_get_bank (map)->bank_id == bank_id)
				remsim_server_set_map_state (self, map, REMSIM_SLOTMAP_STATE_NEW);
		}
		g_signal_emit (self, signals[SIGNAL_BANK_DISCONNECTED], 0, conn);
	} else if (state == REMSIM_SERVER_CONN_STATE_CONNECTED_CLIENT) {
		g_signal_emit (self, signals[SIGNAL_CLIENT_DISCONNECTED], 0, conn);
	}
	g_ptr_array_remove (self->conns, conn);
}

static void
remsim_server_link_closed_cb (RemsimLink *link, const gchar *reason, gpointer user_data)
{
	RemsimServer *self = REMSIM_SERVER (user_data);
	RemsimServerConn *conn = g_hash_table_lookup (self->link_to_conn, link);

	if (conn != NULL)
		remsim_server_conn_lost (self, conn, reason);
}

static gboolean
remsim_server_incoming_cb (GSocketService *service,
			   GSocketConnection *connection,
			   GObject *source_object,
			   gpointer user_data)
{
	RemsimServer *self = REMSIM_SERVER (user_data);
	RemsimServerConn *conn = remsim_server_conn_new (connection);
	RemsimLink *link = remsim_server_conn_get_link (conn);

	g_info ("%s: connection accepted", remsim_server_conn_get_peer_name (conn));
	g_ptr_array_add (self->conns, conn);
	g_hash_table_insert (self->link_to_conn, link, conn);
	g_signal_connect (link, "message", G_CALLBACK (remsim_server_link_message_cb), self);
	g_signal_connect (link, "closed", G_CALLBACK (remsim_server_link_closed_cb), self);
	remsim_link_set_keepalive (link, self->keepalive_interval_ms, self->keepalive_timeout_ms);
	remsim_server_conn_set_state (conn, REMSIM_SERVER_CONN_STATE_ESTABLISHED);
	remsim_server_conn_set_timer (conn,
				      MAX (self->identify_timeout_ms, 1),
				      remsim_server_identify_timeout_cb,
				      conn,
				      NULL);
	remsim_link_start (link);
	return TRUE;
}

/* setup **********************************************************************/

/* the [server] group of remsim-server's keyfile */
static const RemsimConfigKey remsim_server_config_schema[] = {
    {"server",
     "rspro-listen",
     REMSIM_CONFIG_TYPE_HOSTPORT,
     0,
     REMSIM_SERVER_DEFAULT_RSPRO_PORT,
     "0.0.0.0:9998",
     NULL,
     "IP address and port for RSPRO connections from bankds and clients"},
    {"server",
     "rest-listen",
     REMSIM_CONFIG_TYPE_HOSTPORT,
     0,
     9997,
     "0.0.0.0:9997",
     NULL,
     "IP address and port of the REST API"},
    {"server",
     "state-file",
     REMSIM_CONFIG_TYPE_STRING,
     0,
     0,
     NULL,
     NULL,
     "file keeping the slotmaps across restarts; empty: in memory only"},
    {"server",
     "keepalive-interval-ms",
     REMSIM_CONFIG_TYPE_INT,
     0,
     3600000,
     "30000",
     NULL,
     "IPA PING interval on every connection; 0 disables keepalive"},
    {"server",
     "keepalive-timeout-ms",
     REMSIM_CONFIG_TYPE_INT,
     100,
     600000,
     "10000",
     NULL,
     "how long to wait for the PONG before dropping a connection"},
    {"server",
     "identify-timeout-ms",
     REMSIM_CONFIG_TYPE_INT,
     100,
     600000,
     "10000",
     NULL,
     "how long a new connection may stay without ConnectBankReq/ConnectClientReq"},
    {NULL},
};

const RemsimConfigKey *
remsim_server_get_config_schema (void)
{
	return remsim_server_config_schema;
}

gboolean
remsim_server_listen (RemsimServer *self, const gchar *host, guint16 port, GError **error)
{
	g_autoptr (GInetAddress) inet = NULL;
	g_autoptr (GSocketAddress) addr = NULL;
	g_autoptr (GSocketAddress) effective = NULL;

	g_return_val_if_fail (REMSIM_IS_SERVER (self), FALSE);
	g_return_val_if_fail (host != NULL, FALSE);

	inet = g_inet_address_new_from_string (host);
	if (inet == NULL) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "cannot listen on %s: not an IPv4 or IPv6 address",
			     host);
		return FALSE;
	}
	addr = g_inet_socket_address_new (inet, port);
	if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service),
					    addr,
					    G_SOCKET_TYPE_STREAM,
					    G_SOCKET_PROTOCOL_TCP,
					    NULL,
					    &effective,
					    error)) {
		g_prefix_error (error, "cannot listen on %s port %u: ", host, port);
		return FALSE;
	}
	if (self->port == 0 && G_IS_INET_SOCKET_ADDRESS (effective))
		self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
	g_socket_service_start (self->service);
	return TRUE;
}

guint16
remsim_server_get_port (RemsimServer *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER (self), 0);
	return self->port;
}

void
remsim_server_stop (RemsimServer *self)
{
	g_autoptr (GPtrArray) conns = NULL;

	g_return_if_fail (REMSIM_IS_SERVER (self));

	if (self->service != NULL) {
		g_socket_service_stop (self->service);
		g_socket_listener_close (G_SOCKET_LISTENER (self->service));
	}
	conns = g_ptr_array_new_with_free_func (g_object_unref);
	for (guint i = 0; i < self->conns->len; i++)
		g_ptr_array_add (conns, g_object_ref (g_ptr_array_index (self->conns, i)));
	for (guint i = 0; i < conns->len; i++) {
		RemsimServerConn *conn = g_ptr_array_index (conns, i);
		remsim_link_close (remsim_server_conn_get_link (conn), "server shutting down");
		/* in case the link reports its end later */
		remsim_server_conn_lost (self, conn, "server shutting down");
	}
}

RemsimSlotmapStore *
remsim_server_get_store (RemsimServer *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER (self), NULL);
	return self->store;
}

void
remsim_server_set_keepalive (RemsimServer *self, guint interval_ms, guint timeout_ms)
{
	g_return_if_fail (REMSIM_IS_SERVER (self));
	self->keepalive_interval_ms = interval_ms;
	self->keepalive_timeout_ms = timeout_ms;
}

void
remsim_server_set_identify_timeout (RemsimServer *self, guint ms)
{
	g_return_if_fail (REMSIM_IS_SERVER (self));
	self->identify_timeout_ms = ms;
}

void
remsim_server_set_reject_linger (RemsimServer *self, guint ms)
{
	g_return_if_fail (REMSIM_IS_SERVER (self));
	self->reject_linger_ms = ms;
}

RemsimServer *
remsim_server_new (RemsimSlotmapStore *store)
{
	RemsimServer *self;

	g_return_val_if_fail (store == NULL || REMSIM_IS_SLOTMAP_STORE (store), NULL);

	self = g_object_new (REMSIM_TYPE_SERVER, NULL);
	self->store = store != NULL ? g_object_ref (store) : remsim_slotmap_store_new ();
	return self;
}

static void
remsim_server_dispose (GObject *object)
{
	RemsimServer *self = REMSIM_SERVER (object);

	if (self->conns != NULL)
		remsim_server_stop (self);
	g_clear_object (&self->service);
	g_clear_object (&self->store);
	G_OBJECT_CLASS (remsim_server_parent_class)->dispose (object);
}

static void
remsim_server_finalize (GObject *object)
{
	RemsimServer *self = REMSIM_SERVER (object);

	g_ptr_array_unref (self->peers);
	g_ptr_array_unref (self->orphans);
	g_ptr_array_unref (self->conns);
	g_hash_table_unref (self->link_to_conn);
	remsim_component_identity_clear (&self->identity);
	G_OBJECT_CLASS (remsim_server_parent_class)->finalize (object);
}

static void
remsim_server_class_init (RemsimServerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	const struct {
		guint id;
		const gchar *name;
		GType type;
	} defs[] = {
	    {SIGNAL_BANK_CONNECTED, "bank-connected", REMSIM_TYPE_SERVER_CONN},
	    {SIGNAL_BANK_DISCONNECTED, "bank-disconnected", REMSIM_TYPE_SERVER_CONN},
	    {SIGNAL_CLIENT_CONNECTED, "client-connected", REMSIM_TYPE_SERVER_CONN},
	    {SIGNAL_CLIENT_DISCONNECTED, "client-disconnected", REMSIM_TYPE_SERVER_CONN},
	    {SIGNAL_SLOTMAP_ADDED, "slotmap-added", REMSIM_TYPE_SLOTMAP},
	    {SIGNAL_SLOTMAP_REMOVED, "slotmap-removed", REMSIM_TYPE_SLOTMAP},
	    {SIGNAL_SLOTMAP_STATE_CHANGED, "slotmap-state-changed", REMSIM_TYPE_SLOTMAP},
	};

	object_class->dispose = remsim_server_dispose;
	object_class->finalize = remsim_server_finalize;

	for (guint i = 0; i < G_N_ELEMENTS (defs); i++) {
		signals[defs[i].id] = g_signal_new (defs[i].name,
						    G_TYPE_FROM_CLASS (klass),
						    G_SIGNAL_RUN_LAST,
						    0,
						    NULL,
						    NULL,
						    NULL,
						    G_TYPE_NONE,
						    1,
						    defs[i].type);
	}
}

static void
remsim_server_init (RemsimServer *self)
{
	self->keepalive_interval_ms = REMSIM_LINK_DEFAULT_KEEPALIVE_INTERVAL_MS;
	self->keepalive_timeout_ms = REMSIM_LINK_DEFAULT_KEEPALIVE_TIMEOUT_MS;
	self->identify_timeout_ms = REMSIM_SERVER_DEFAULT_IDENTIFY_TIMEOUT_MS;
	self->reject_linger_ms = REMSIM_SERVER_DEFAULT_REJECT_LINGER_MS;
	self->conns = g_ptr_array_new_with_free_func (g_object_unref);
	self->peers = g_ptr_array_new ();
	self->orphans = g_ptr_array_new_with_free_func (g_object_unref);
	self->link_to_conn = g_hash_table_new (g_direct_hash, g_direct_equal);
	self->service = g_socket_service_new ();
	g_signal_connect (self->service, "incoming", G_CALLBACK (remsim_server_incoming_cb), self);
	remsim_component_identity_init_self (&self->identity, REMSIM_COMPONENT_SERVER, NULL);
}
