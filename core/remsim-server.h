/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "remsim-config.h"
#include "remsim-server-conn.h"
#include "remsim-slot.h"
#include "remsim-slotmap-store.h"
#include "remsim-slotmap.h"

G_BEGIN_DECLS

/*
 * RemsimServer: the remsim-server role (protocols.md §4.3). Accepts RSPRO
 * connections from bankds and clients, runs one connection FSM each, keeps
 * the slotmaps in a RemsimSlotmapStore, pushes them to the bankds
 * (CreateMappingReq / RemoveMappingReq, responses matched FIFO per
 * connection) and tells each client which bankd to use
 * (ConfigClientBankReq). The REST API (RemsimRest) and the D-Bus exporter
 * drive it through the functions below; everything runs on the thread-default
 * main context of the thread that created it.
 */

#define REMSIM_SERVER_DEFAULT_RSPRO_PORT	  9998
#define REMSIM_SERVER_DEFAULT_IDENTIFY_TIMEOUT_MS 10000
#define REMSIM_SERVER_DEFAULT_REJECT_LINGER_MS	  1000
/* the bankd port given to clients when a bankd does not say ("bound") */
#define REMSIM_SERVER_DEFAULT_BANKD_PORT 9999

#define REMSIM_TYPE_SERVER (remsim_server_get_type ())
G_DECLARE_FINAL_TYPE (RemsimServer, remsim_server, REMSIM, SERVER, GObject)

/**
 * remsim_server_new:
 * @store: (nullable): the slotmaps (loaded already, all in state NEW), or
 *   NULL for a new in-memory store
 *
 * Returns: (transfer full): a server that does not listen yet
 * Since: 0.1
 */
RemsimServer *remsim_server_new (RemsimSlotmapStore *store);
/* (transfer none) */
RemsimSlotmapStore *remsim_server_get_store (RemsimServer *self);
/* the keyfile schema of remsim-server for RemsimConfig: group [server] with
 * rspro-listen, rest-listen, state-file, keepalive-interval-ms,
 * keepalive-timeout-ms, identify-timeout-ms */
const RemsimConfigKey *remsim_server_get_config_schema (void);
/* for connections accepted from now on; 0 interval disables keepalive */
void remsim_server_set_keepalive (RemsimServer *self, guint interval_ms, guint timeout_ms);
/* how long a new connection may stay without Connect*Req (default 10 s) */
void remsim_server_set_identify_timeout (RemsimServer *self, guint ms);
/* how long a rejected connection lingers before it is closed (default 1 s) */
void remsim_server_set_reject_linger (RemsimServer *self, guint ms);
/**
 * remsim_server_listen:
 * @host: an IPv4 or IPv6 address ("0.0.0.0", "::", "127.0.0.1")
 * @port: TCP port, 0 for any free one
 *
 * Adds one listening address; may be called more than once.
 * Returns: %FALSE with @error set if the address cannot be bound
 * Since: 0.1
 */
gboolean remsim_server_listen (RemsimServer *self, const gchar *host, guint16 port, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* the port of the first listening address (useful after port 0), or 0 */
guint16 remsim_server_get_port (RemsimServer *self);
/* stop listening and close every connection (mappings are kept) */
void remsim_server_stop (RemsimServer *self);

/**
 * remsim_server_create_slotmap:
 *
 * Creates a mapping in state NEW and, if its bankd is connected, pushes it
 * at once (CreateMappingReq, state UNACKNOWLEDGED).
 * Returns: (transfer full): the map, or %NULL with REMSIM_ERROR_INVALID_ARGUMENT
 *   (an id or slot number above 1023) or REMSIM_ERROR_SLOT_IN_USE (the bank
 *   slot or the client slot is used by a listed map)
 * Since: 0.1
 */
RemsimSlotmap *remsim_server_create_slotmap (RemsimServer *self,
					     const RemsimBankSlot *bank,
					     const RemsimClientSlot *client,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;
/**
 * remsim_server_remove_slotmap:
 * @id: bank_id * 65536 + slot_nr
 *
 * Takes the map out of the listed maps at once; a map the bankd knows
 * about is removed there (RemoveMappingReq) first, also when the bankd has
 * not acknowledged its creation yet.
 * Returns: %FALSE with REMSIM_ERROR_NOT_FOUND for an unknown id
 * Since: 0.1
 */
gboolean remsim_server_remove_slotmap (RemsimServer *self,
				       guint32 id,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* remove every listed map, as DELETE of each would (REST global-reset) */
void remsim_server_reset (RemsimServer *self);
/* (transfer container) the listed maps (NEW, UNACKNOWLEDGED, ACTIVE), in
 * creation order */
GPtrArray *remsim_server_get_slotmaps (RemsimServer *self);
/* (transfer container) RemsimServerConn in CONNECTED_BANKD /
 * CONNECTED_CLIENT, in the order they got there */
GPtrArray *remsim_server_get_banks (RemsimServer *self);
GPtrArray *remsim_server_get_clients (RemsimServer *self);
/* (transfer none) the connected bankd with this id, or NULL */
RemsimServerConn *remsim_server_lookup_bank (RemsimServer *self, guint32 bank_id);
/* (transfer none) the first connected client with this client id (any slot
 * number), or NULL */
RemsimServerConn *remsim_server_lookup_client_id (RemsimServer *self, guint32 client_id);
/* (transfer none) the connected client of this client slot, or NULL */
RemsimServerConn *remsim_server_lookup_client (RemsimServer *self, const RemsimClientSlot *slot);

/*
 * Signals:
 *  "bank-connected", "bank-disconnected",
 *  "client-connected", "client-disconnected" (RemsimServerConn *conn):
 *      a connection entered / left CONNECTED_BANKD / CONNECTED_CLIENT
 *  "slotmap-added" (RemsimSlotmap *map): created (REST POST, D-Bus)
 *  "slotmap-removed" (RemsimSlotmap *map): left the listed maps (the
 *      removal at the bankd may still be under way)
 *  "slotmap-state-changed" (RemsimSlotmap *map): a listed map changed state
 */

G_END_DECLS
