/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "remsim-link.h"
#include "remsim-rspro.h"
#include "remsim-slot.h"

G_BEGIN_DECLS

/*
 * RemsimServerConn: one RSPRO connection accepted by remsim-server, seen
 * from the outside (REST, D-Bus): who it is, in which state, since when.
 * The state machine itself runs in RemsimServer; the setters below are for
 * RemsimServer only.
 */

/* upstream's connection FSM state names (remsim_server_conn_state_to_string) */
typedef enum {
	REMSIM_SERVER_CONN_STATE_INIT,
	REMSIM_SERVER_CONN_STATE_ESTABLISHED,
	REMSIM_SERVER_CONN_STATE_CONNECTED_CLIENT,
	REMSIM_SERVER_CONN_STATE_CONNECTED_BANKD,
	REMSIM_SERVER_CONN_STATE_REJECTED,
} RemsimServerConnState;

#define REMSIM_TYPE_SERVER_CONN (remsim_server_conn_get_type ())
G_DECLARE_FINAL_TYPE (RemsimServerConn, remsim_server_conn, REMSIM, SERVER_CONN, GObject)

/* "INIT", "ESTABLISHED", "CONNECTED_CLIENT", "CONNECTED_BANKD", "REJECTED" */
const gchar *remsim_server_conn_state_to_string (RemsimServerConnState state);

RemsimServerConnState remsim_server_conn_get_state (RemsimServerConn *self);
/* "B1" for a bankd, "C23:0" for a client, the peer address before that */
const gchar *remsim_server_conn_get_peer_name (RemsimServerConn *self);
/* the identity from Connect*Req, or NULL before it was accepted */
const RemsimComponentIdentity *remsim_server_conn_get_identity (RemsimServerConn *self);
/* bankd only (0 otherwise) */
guint32 remsim_server_conn_get_bank_id (RemsimServerConn *self);
guint32 remsim_server_conn_get_number_of_slots (RemsimServerConn *self);
/* client only (NULL otherwise) */
const RemsimClientSlot *remsim_server_conn_get_client_slot (RemsimServerConn *self);
/* bankd only: the "bound" address of ConnectBankReq, or NULL if absent */
const RemsimIpPort *remsim_server_conn_get_bound (RemsimServerConn *self);
/* (transfer none) the peer's address, or NULL */
GInetSocketAddress *remsim_server_conn_get_remote_address (RemsimServerConn *self);
/* "192.0.2.1:40000" / "[2001:db8::1]:40000" */
const gchar *remsim_server_conn_get_remote_address_string (RemsimServerConn *self);
/* (transfer none) when Connect*Req was accepted (UTC), or NULL */
GDateTime *remsim_server_conn_get_connected_since (RemsimServerConn *self);
/* (transfer none) */
RemsimLink *remsim_server_conn_get_link (RemsimServerConn *self);

/* < for RemsimServer only > */

/* wraps @connection in a RemsimLink of role SERVER (not started yet) */
RemsimServerConn *remsim_server_conn_new (GSocketConnection *connection);
/* notifies "state" on change */
void remsim_server_conn_set_state (RemsimServerConn *self, RemsimServerConnState state);
/* → CONNECTED_BANKD, peer name "B<id>", connected-since now */
void remsim_server_conn_set_bankd (RemsimServerConn *self,
				   const RemsimComponentIdentity *identity,
				   guint32 bank_id,
				   guint32 number_of_slots,
				   const RemsimIpPort *bound);
/* → CONNECTED_CLIENT, peer name "C<id>:<slot>", connected-since now */
void remsim_server_conn_set_client (RemsimServerConn *self,
				    const RemsimComponentIdentity *identity,
				    const RemsimClientSlot *slot);
/* one pending timer per connection (identify timeout, reject linger);
 * replaces a previous one; 0 ms cancels */
void remsim_server_conn_set_timer (
    RemsimServerConn *self, guint ms, GSourceFunc func, gpointer data, GDestroyNotify destroy);
/* bankd: FIFO queues of RemsimSlotmap (owning references) awaiting
 * CreateMappingRes / RemoveMappingRes */
GQueue *remsim_server_conn_get_unacked (RemsimServerConn *self);
GQueue *remsim_server_conn_get_deleting (RemsimServerConn *self);
/* client: what the last ConfigClientBankReq carried (initially B0:0, 0.0.0.0:0) */
void remsim_server_conn_get_last_config (RemsimServerConn *self,
					 RemsimBankSlot *bank,
					 RemsimIpPort *address);
void remsim_server_conn_set_last_config (RemsimServerConn *self,
					 const RemsimBankSlot *bank,
					 const RemsimIpPort *address);

/*
 * Signals:
 *  "last-config-changed": remsim_server_conn_set_last_config() was called
 *      (the D-Bus exporter follows the client's bankd with it)
 */

G_END_DECLS
