/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "remsim-card-source.h"
#include "remsim-gsmtap.h"
#include "remsim-plugins.h"
#include "remsim-slot.h"

G_BEGIN_DECLS

/*
 * RemsimBankd: the remsim-bankd role (protocols.md §4.4). Keeps an RSPRO
 * connection to the server (ConnectBankReq, then Create/RemoveMapping and
 * ResetState), listens for clients and moves their TPDUs to the card source
 * of the bank slot their mapping names. Everything runs on the thread-default
 * main context of the thread that created it; card calls are asynchronous,
 * so one slow card never holds up another slot.
 */

#define REMSIM_BANKD_DEFAULT_SERVER_PORT	 9998
#define REMSIM_BANKD_DEFAULT_LISTEN_PORT	 9999
#define REMSIM_BANKD_DEFAULT_BANK_ID		 1
#define REMSIM_BANKD_DEFAULT_NUM_SLOTS		 8
#define REMSIM_BANKD_MAX_SLOTS			 1024
#define REMSIM_BANKD_DEFAULT_IDENTIFY_TIMEOUT_MS 10000
#define REMSIM_BANKD_DEFAULT_RETRY_INTERVAL_MS	 10000
/* T1: how long to wait for ConnectBankRes */
#define REMSIM_BANKD_CONNECT_RES_TIMEOUT_MS 10000

#define REMSIM_TYPE_BANKD (remsim_bankd_get_type ())
G_DECLARE_FINAL_TYPE (RemsimBankd, remsim_bankd, REMSIM, BANKD, GObject)

/**
 * remsim_bankd_new:
 * @bank_id: own bank id (0..1023)
 * @num_slots: number of bank slots (1..1024)
 *
 * Returns: (transfer full): a bankd without card sources, not listening and
 *   not connected
 * Since: 0.1
 */
RemsimBankd *remsim_bankd_new (guint32 bank_id, guint num_slots);
guint32 remsim_bankd_get_bank_id (RemsimBankd *self);
guint remsim_bankd_get_num_slots (RemsimBankd *self);
/* the identity name sent to the server and to clients (default: host name) */
void remsim_bankd_set_component_name (RemsimBankd *self, const gchar *name);
/* how long an accepted client may stay without ConnectClientReq */
void remsim_bankd_set_identify_timeout (RemsimBankd *self, guint ms);
/* how often a client waiting for a map or a card is checked again */
void remsim_bankd_set_retry_interval (RemsimBankd *self, guint ms);
/* keepalive of the server connection; 0 interval disables it */
void remsim_bankd_set_keepalive (RemsimBankd *self, guint interval_ms, guint timeout_ms);
/* GSMTAP tracing of APDUs and ATRs (takes @gsmtap over; %NULL: off) */
void remsim_bankd_set_gsmtap (RemsimBankd *self, RemsimGsmtap *gsmtap);

/**
 * remsim_bankd_set_card_source:
 * @slot: bank slot number, below the number of slots
 * @source: (transfer none): the card of that slot
 *
 * Installs the card source of one slot; a slot without one has no card.
 * Call before remsim_bankd_listen().
 * Since: 0.1
 */
void remsim_bankd_set_card_source (RemsimBankd *self, guint slot, RemsimCardSource *source);
RemsimCardSource *remsim_bankd_get_card_source (RemsimBankd *self, guint slot);

/**
 * remsim_bankd_load_card_sources:
 * @plugins: the plugin loader
 * @keyfile: the program's keyfile
 * @filename: (nullable): its file name, for error messages
 *
 * Creates one card source per slot named by the `slots` key of every
 * `[source:<label>]` group of @keyfile, through the group's plugin. Fails
 * (naming the file, group and key) for a group without `slots`, a slot
 * outside 0..num-slots-1, a slot claimed by two groups, or a plugin error.
 * Since: 0.1
 */
gboolean remsim_bankd_load_card_sources (RemsimBankd *self,
					 RemsimPlugins *plugins,
					 GKeyFile *keyfile,
					 const gchar *filename,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * remsim_bankd_listen:
 * @host: local address for client connections ("0.0.0.0", "::", ...)
 * @port: TCP port, 0 for any free one
 *
 * Starts accepting clients.
 * Since: 0.1
 */
gboolean remsim_bankd_listen (RemsimBankd *self, const gchar *host, guint16 port, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* the port clients connect to (useful after port 0), or 0 */
guint16 remsim_bankd_get_port (RemsimBankd *self);

/* connect to the server (and reconnect whenever the connection is lost) */
void remsim_bankd_connect_server (RemsimBankd *self, const gchar *host, guint16 port);
/* whether the server accepted our ConnectBankReq on the current connection */
gboolean remsim_bankd_is_server_connected (RemsimBankd *self);

/* stop listening, drop the server connection and every client; cards are
 * powered off, mappings are kept */
void remsim_bankd_stop (RemsimBankd *self);

/**
 * RemsimBankdSlotInfo:
 * @card_present: the card source sees a card
 * @atr: (nullable): the ATR of the last power-on or reset, else the one the
 *   card source reports; %NULL if unknown
 * @has_map: the server mapped a client slot to this bank slot
 * @mapped_client: that client slot (if @has_map)
 * @client_connected: the mapped client is connected and identified
 * @apdu_count: command TPDUs accepted for the card since start
 * @bytes_to_card: their bytes
 * @bytes_from_card: response bytes from the card, SW included
 * @last_error: (nullable): the last error of the slot (card source
 *   failure, card removed during a session, ...)
 *
 * What remsim_bankd_get_slot_info() fills in; free the members with
 * remsim_bankd_slot_info_clear().
 * Since: 0.1
 */
typedef struct {
	gboolean card_present;
	GBytes *atr;
	gboolean has_map;
	RemsimClientSlot mapped_client;
	gboolean client_connected;
	guint64 apdu_count;
	guint64 bytes_to_card;
	guint64 bytes_from_card;
	gchar *last_error;
} RemsimBankdSlotInfo;

/**
 * remsim_bankd_get_slot_info:
 * @slot: bank slot number, below the number of slots
 * @info: (out caller-allocates): filled in
 *
 * Reads the state of one slot and re-arms "slot-counters-changed" for it.
 * Since: 0.1
 */
void remsim_bankd_get_slot_info (RemsimBankd *self, guint slot, RemsimBankdSlotInfo *info);
void remsim_bankd_slot_info_clear (RemsimBankdSlotInfo *info);

/**
 * remsim_bankd_reset_card:
 * @slot: bank slot number
 * @cold: %TRUE: power off and on; %FALSE: reset line only
 *
 * Resets the card of @slot. With a client session the reset queues behind
 * the slot's TPDUs (as a reset the client asks for with
 * ClientSlotStatusInd) and the client gets the new ATR in a SetAtrReq;
 * without one the card is powered on to read its ATR and off again.
 * Returns at once; the new ATR shows in remsim_bankd_get_slot_info().
 * Returns: %FALSE with REMSIM_ERROR_NOT_SUPPORTED (no card source) or
 *   REMSIM_ERROR_CARD_ABSENT (no card)
 * Since: 0.1
 */
gboolean remsim_bankd_reset_card (RemsimBankd *self, guint slot, gboolean cold, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/*
 * Signals:
 *  "server-connected": ConnectBankRes(ok) received
 *  "server-disconnected" (const gchar *reason)
 *  "server-rejected" (const gchar *reason): the peer is not a remsim-server;
 *      the bankd gives up on it (no reconnect)
 *  "slot-changed" (guint slot): what remsim_bankd_get_slot_info() reports
 *      for @slot, counters aside, may have changed
 *  "slot-counters-changed" (guint slot): a counter of @slot moved; emitted
 *      once, then again only after remsim_bankd_get_slot_info() read the
 *      slot (the TPDU path costs an increment and a flag test)
 */

G_END_DECLS
