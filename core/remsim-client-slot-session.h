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

/**
 * RemsimClientSlotInfo:
 * @state: the main FSM
 * @server_connected: the server accepted our ConnectClientReq
 * @bankd_connecting: a bankd is known and we are connecting to it (TCP, or
 *   waiting for ConnectClientRes)
 * @bankd_connected: the bankd accepted our ConnectClientReq
 * @bankd_address: (nullable): "192.0.2.1:9999" / "[2001:db8::1]:9999" as the
 *   server gave it, %NULL if none
 * @bank_slot: the bank slot the server gave (valid with @bankd_address)
 * @atr: (nullable): the ATR presented to the modem, %NULL while no card is
 * @card_present: the modem is shown a card
 * @status: the sink's VCC/RST/CLK/card lines (remsim_card_sink_get_status())
 * @apdu_count: command TPDUs of the modem answered through this slot
 *
 * What remsim_client_slot_session_get_info() fills in; free the members
 * with remsim_client_slot_info_clear().
 * Since: 0.1
 */
typedef struct {
	RemsimClientState state;
	gboolean server_connected;
	gboolean bankd_connecting;
	gboolean bankd_connected;
	gchar *bankd_address;
	RemsimBankSlot bank_slot;
	GBytes *atr;
	gboolean card_present;
	RemsimCardSinkStatus status;
	guint64 apdu_count;
} RemsimClientSlotInfo;

/* reads the slot's state and re-arms "counters-changed" */
void remsim_client_slot_session_get_info (RemsimClientSlotSession *self,
					  RemsimClientSlotInfo *info);
void remsim_client_slot_info_clear (RemsimClientSlotInfo *info);

/**
 * remsim_client_slot_session_reconnect:
 *
 * Drops the server connection and the bankd connection (if a bankd is
 * known) and connects both again at once; the modem loses the card until
 * the bankd accepts us again. Does nothing before start or after stop.
 * Since: 0.1
 */
void remsim_client_slot_session_reconnect (RemsimClientSlotSession *self);

/*
 * Signals:
 *  "state-changed" (guint state): the main FSM moved
 *  "server-rejected" (const gchar *reason): the server port is not a
 *      remsim-server; the session gives up on it (no reconnect)
 *  "sink-finished" (gint status): the sink has a "finished" signal (the
 *      shell sink: EOF on its input) and emitted it
 *  "changed": what remsim_client_slot_session_get_info() reports, the
 *      counter aside, may have changed
 *  "counters-changed": the APDU counter moved; emitted once, then again
 *      only after remsim_client_slot_session_get_info() (the TPDU path costs
 *      an increment and a flag test)
 */

G_END_DECLS
