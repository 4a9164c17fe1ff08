/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "remsim-card-sink.h"
#include "remsim-slot.h"

G_BEGIN_DECLS

/*
 * RemsimClientSlotSession: one client slot of remsim-client (protocols.md
 * §4.5). It has its own connection to the server (ConnectClientReq with its
 * ClientSlot, then ConfigClientBank/ConfigClientId), its own connection to
 * the bankd the server names, and one card sink. TPDUs go between the sink
 * and the bankd; both connections come back on their own after a loss.
 *
 * States of the main FSM (as upstream):
 *  INIT          no server connection yet
 *  UNCONFIGURED  no bankd known (or the server said 0.0.0.0:0)
 *  WAIT_BANKD    bankd address known, connecting
 *  OPERATIONAL   the bankd accepted us (ConnectClientRes ok or cardNotPresent)
 * The sink sees a card (set_card_present TRUE) only after a SetAtrReq in
 * OPERATIONAL.
 */

typedef enum {
	REMSIM_CLIENT_STATE_INIT,
	REMSIM_CLIENT_STATE_UNCONFIGURED,
	REMSIM_CLIENT_STATE_WAIT_BANKD,
	REMSIM_CLIENT_STATE_OPERATIONAL,
} RemsimClientState;

const gchar *remsim_client_state_to_string (RemsimClientState state);

/* the default ATR presented until the bankd sends one (upstream's 3b 00) */
#define REMSIM_CLIENT_DEFAULT_ATR "3b 00"
#define REMSIM_CLIENT_ATR_MIN_LEN 2
#define REMSIM_CLIENT_ATR_MAX_LEN 55
/* T1: how long to wait for ConnectClientRes */
#define REMSIM_CLIENT_CONNECT_RES_TIMEOUT_MS 10000

#define REMSIM_TYPE_CLIENT_SLOT_SESSION (remsim_client_slot_session_get_type ())
G_DECLARE_FINAL_TYPE (
    RemsimClientSlotSession, remsim_client_slot_session, REMSIM, CLIENT_SLOT_SESSION, GObject)

/**
 * remsim_client_slot_session_new:
 * @slot: the client slot (ClientId and SlotNr sent in ConnectClientReq)
 * @sink: (transfer none): the sink of that slot, not started yet
 * @server_host: remsim-server address
 * @server_port: its RSPRO port
 *
 * Returns: (transfer full): a session, not started
 * Since: 0.1
 */
RemsimClientSlotSession *remsim_client_slot_session_new (const RemsimClientSlot *slot,
							 RemsimCardSink *sink,
							 const gchar *server_host,
							 guint16 server_port);

/* settings; call before remsim_client_slot_session_start() */
void remsim_client_slot_session_set_default_atr (RemsimClientSlotSession *self, GBytes *atr);
void remsim_client_slot_session_set_atr_ignore_rspro (RemsimClientSlotSession *self,
						      gboolean ignore);
void remsim_client_slot_session_set_event_script (RemsimClientSlotSession *self,
						  const gchar *script,
						  guint timeout_ms);
/* keepalive of both connections; 0 interval disables it */
void remsim_client_slot_session_set_keepalive (RemsimClientSlotSession *self,
					       guint interval_ms,
					       guint timeout_ms);
void remsim_client_slot_session_set_component_name (RemsimClientSlotSession *self,
						    const gchar *name);
/* how long to wait for ConnectClientRes before reconnecting (T1) */
void remsim_client_slot_session_set_connect_res_timeout (RemsimClientSlotSession *self,
							 guint timeout_ms);

/* starts the sink and connects to the server */
gboolean remsim_client_slot_session_start (RemsimClientSlotSession *self,
					   GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* drops both connections and stops the sink; no signal after it */
void remsim_client_slot_session_stop (RemsimClientSlotSession *self);

RemsimCardSink *remsim_client_slot_session_get_sink (RemsimClientSlotSession *self);
/* the current client slot (ConfigClientIdReq may change it) */
void remsim_client_slot_session_get_client_slot (RemsimClientSlotSession *self,
						 RemsimClientSlot *slot);
const gchar *remsim_client_slot_session_get_name (RemsimClientSlotSession *self);
RemsimClientState remsim_client_slot_session_get_state (RemsimClientSlotSession *self);
gboolean remsim_client_slot_session_is_server_connected (RemsimClientSlotSession *self);
gboolean remsim_client_slot_session_is_card_present (RemsimClientSlotSession *self);

/*
 * Signals:
 *  "state-changed" (guint state): the main FSM moved
 *  "server-rejected" (const gchar *reason): the server port is not a
 *      remsim-server; the session gives up on it (no reconnect)
 *  "sink-finished" (gint status): the sink has a "finished" signal (the
 *      shell sink: EOF on its input) and emitted it
 */

G_END_DECLS
