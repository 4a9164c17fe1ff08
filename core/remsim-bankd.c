/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-bankd.h"
#include "remsim-config.h"
#include "remsim-connector.h"
#include "remsim-error.h"
#include "remsim-link.h"
#include "remsim-plugin-groups.h"
#include "remsim-rspro.h"

/*
 * Structure
 *
 * A bank slot (RemsimBankdSlot) holds the card source, the mapping that
 * names it (if any), the client connection served through that mapping (if
 * connected) and the card session: the card is powered on when a mapped
 * client has identified itself and powered off when that client goes away.
 * Card operations (power on, reset, transmit) are asynchronous and at most
 * one is under way per slot; TPDUs and resets that arrive meanwhile wait in
 * the slot's queue, in order.
 *
 * Slots are reference counted: a card operation in flight holds a
 * reference, so its callback finds the slot even after the bankd is gone
 * (slot->bankd is then NULL and the result is dropped). A card session has a
 * number; a callback for an older session only releases the card.
 *
 * A client connection (RemsimBankdClient) is owned by the bankd's list; it
 * is freed as soon as its link closes, whoever closes it.
 */

typedef enum {
	REMSIM_BANKD_CARD_CLOSED,
	REMSIM_BANKD_CARD_OPENING,
	REMSIM_BANKD_CARD_OPEN,
} RemsimBankdCardState;

typedef struct _RemsimBankdClient RemsimBankdClient;

typedef struct {
	RemsimBankd *bankd; /* NULL once the bankd is disposed */
	guint nr;
	RemsimBankSlot bank_slot;
	gchar name[24]; /* "B1:5" */

	RemsimCardSource *source;
	gulong card_changed_id;

	gboolean has_map;
	RemsimClientSlot map_client;
	RemsimBankdClient *client; /* connected through the map, or NULL */

	RemsimBankdCardState card;
	gboolean powered; /* the source may have the card powered */
	guint session;	  /* bumped when a card session ends */
	gboolean busy;	  /* a card operation is under way */
	guint busy_session;
	gboolean open_pending; /* open once the operation of an old session ends */
	GCancellable *cancellable;
	GQueue queue; /* GBytes TPDUs and reset markers */
	GBytes *atr;
	GBytes *gsmtap_cmd; /* the TPDU under way, kept only for GSMTAP */

	/* for remsim_bankd_get_slot_info() */
	guint64 apdu_count;
	guint64 bytes_to_card;
	guint64 bytes_from_card;
	gboolean counters_armed; /* emit "slot-counters-changed" on the next change */
	gchar *last_error;
} RemsimBankdSlot;

struct _RemsimBankdClient {
	RemsimBankd *bankd;
	RemsimLink *link;
	gchar name[64]; /* peer address, then "C3:0" */
	GSource *identify_source;

	gboolean identified;
	RemsimClientSlot client_slot;
	RemsimBankdSlot *slot; /* bound through the map, or NULL */
	gboolean res_sent;     /* ConnectClientRes went out */

	/* ClientSlotStatusInd edge detection */
	gboolean prev_vcc;
	gboolean prev_rst;
};

struct _RemsimBankd {
	GObject parent_instance;

	guint32 bank_id;
	guint num_slots;
	gchar *component_name;
	guint identify_timeout_ms;
	guint retry_interval_ms;
	guint ka_interval_ms;
	guint ka_timeout_ms;
	gboolean trace;	      /* per-APDU debug messages are wanted */
	RemsimGsmtap *gsmtap; /* NULL: no GSMTAP tracing */

	GMainContext *context;
	RemsimBankdSlot **slots;
	GHashTable *map_by_client; /* RemsimClientSlot* (in the slot) → slot */

	GSocketService *service;
	guint16 port;
	gboolean has_bound;
	RemsimIpPort bound;
	GList *clients;		    /* RemsimBankdClient*, newest first */
	GHashTable *client_by_slot; /* RemsimClientSlot* (in the client) → client */
	GSource *retry_source;

	RemsimConnector *connector;
	RemsimLink *server_link;
	gulong server_message_id;
	GSource *connect_res_source;
	gboolean server_connected;
};

G_DEFINE_FINAL_TYPE (RemsimBankd, remsim_bankd, G_TYPE_OBJECT)

enum {
	SIGNAL_SERVER_CONNECTED,
	SIGNAL_SERVER_DISCONNECTED,
	SIGNAL_SERVER_REJECTED,
	SIGNAL_SLOT_CHANGED,
	SIGNAL_SLOT_COUNTERS_CHANGED,
	SIGNAL_LAST,
};

static guint signals[SIGNAL_LAST] = {0};

/* queue entries that are not TPDUs */
static guint8 remsim_bankd_cold_reset_marker;
static guint8 remsim_bankd_warm_reset_marker;
#define REMSIM_BANKD_COLD_RESET ((gpointer)&remsim_bankd_cold_reset_marker)
#define REMSIM_BANKD_WARM_RESET ((gpointer)&remsim_bankd_warm_reset_marker)

static void remsim_bankd_client_destroy (RemsimBankdClient *client, const gchar *reason);
static void remsim_bankd_slot_open (RemsimBankdSlot *slot);
static void remsim_bankd_slot_kick (RemsimBankdSlot *slot);

/* helpers -------------------------------------------------------------- */

static void
remsim_bankd_clear_source (GSource **source)
{
	if (*source == NULL)
		return;
	g_source_destroy (*source);
	g_clear_pointer (source, g_source_unref);
}

static GSource *
remsim_bankd_attach_timeout (RemsimBankd *self, guint ms, GSourceFunc func, gpointer data)
{
	GSource *source = g_timeout_source_new (ms);

	g_source_set_callback (source, func, data, NULL);
	g_source_attach (source, self->context);
	return source;
}

static void
remsim_bankd_send (RemsimLink *link, const RemsimRsproMsg *msg)
{
	g_autoptr (GError) error = NULL;

	if (link == NULL || remsim_link_is_closed (link))
		return;
	if (!remsim_link_send (link, msg, &error))
		g_warning ("%s: cannot send %s: %s",
			   remsim_link_get_name (link),
			   remsim_rspro_type_to_string (msg->type),
			   error->message);
}

static void
remsim_bankd_send_result (RemsimLink *link, RemsimRsproType type, RemsimResultCode result)
{
	g_autoptr (RemsimRsproMsg) msg = remsim_rspro_msg_new (type);

	msg->result = result;
	remsim_bankd_send (link, msg);
}

/* slots ----------------------------------------------------------------- */

/* what remsim_bankd_get_slot_info() shows of @slot may have changed */
static void
remsim_bankd_slot_changed (RemsimBankdSlot *slot)
{
	if (slot->bankd != NULL)
		g_signal_emit (slot->bankd, signals[SIGNAL_SLOT_CHANGED], 0, slot->nr);
}

/* the hot path: one test of a flag */
static inline void
remsim_bankd_slot_counters_changed (RemsimBankdSlot *slot)
{
	if (G_UNLIKELY (slot->counters_armed) && slot->bankd != NULL) {
		slot->counters_armed = FALSE;
		g_signal_emit (slot->bankd, signals[SIGNAL_SLOT_COUNTERS_CHANGED], 0, slot->nr);
	}
}

static void
remsim_bankd_slot_set_error (RemsimBankdSlot *slot, const gchar *text)
{
	g_free (slot->last_error);
	slot->last_error = g_strdup (text);
	remsim_bankd_slot_changed (slot);
}

static void
remsim_bankd_slot_clear_queue (RemsimBankdSlot *slot)
{
	gpointer item;

	while ((item = g_queue_pop_head (&slot->queue)) != NULL) {
		if (item != REMSIM_BANKD_COLD_RESET && item != REMSIM_BANKD_WARM_RESET)
			g_bytes_unref (item);
	}
}

static void
remsim_bankd_slot_free_contents (RemsimBankdSlot *slot)
{
	if (slot->powered && slot->source != NULL &&
	    !remsim_card_source_power_off (slot->source, NULL))
		g_debug ("%s: cannot power the card off", slot->name);
	remsim_bankd_slot_clear_queue (slot);
	g_clear_object (&slot->cancellable);
	g_clear_object (&slot->source);
	g_clear_pointer (&slot->atr, g_bytes_unref);
	g_clear_pointer (&slot->gsmtap_cmd, g_bytes_unref);
	g_clear_pointer (&slot->last_error, g_free);
}

static RemsimBankdSlot *
remsim_bankd_slot_ref (RemsimBankdSlot *slot)
{
	return g_rc_box_acquire (slot);
}

static void
remsim_bankd_slot_unref (RemsimBankdSlot *slot)
{
	g_rc_box_release_full (slot, (GDestroyNotify)remsim_bankd_slot_free_contents);
}

static void
remsim_bankd_slot_power_off (RemsimBankdSlot *slot)
{
	g_autoptr (GError) error = NULL;

	if (!slot->powered || slot->busy || slot->source == NULL)
		return;
	slot->powered = FALSE;
	if (!remsim_card_source_power_off (slot->source, &error))
		g_warning ("%s: cannot power the card off: %s", slot->name, error->message);
}

/* end the card session: the card goes off (now, or when the operation under
 * way has finished) and queued work is dropped */
static void
remsim_bankd_slot_close_card (RemsimBankdSlot *slot)
{
	if (slot->card == REMSIM_BANKD_CARD_CLOSED && !slot->busy) {
		remsim_bankd_slot_power_off (slot);
		return;
	}
	g_cancellable_cancel (slot->cancellable);
	g_object_unref (slot->cancellable);
	slot->cancellable = g_cancellable_new ();
	slot->session++;
	slot->card = REMSIM_BANKD_CARD_CLOSED;
	slot->open_pending = FALSE;
	g_clear_pointer (&slot->atr, g_bytes_unref);
	remsim_bankd_slot_clear_queue (slot);
	remsim_bankd_slot_power_off (slot);
}

/* separate client and slot; the map stays */
static void
remsim_bankd_slot_unbind (RemsimBankdSlot *slot)
{
	if (slot->client != NULL) {
		slot->client->slot = NULL;
		slot->client = NULL;
	}
	remsim_bankd_slot_close_card (slot);
	remsim_bankd_slot_changed (slot);
}

/* remove the map of @slot; its client (if any) is disconnected */
static void
remsim_bankd_slot_remove_map (RemsimBankdSlot *slot, const gchar *reason)
{
	RemsimBankd *self = slot->bankd;

	if (!slot->has_map)
		return;
	g_info ("%s: mapping to C%u:%u removed (%s)",
		slot->name,
		slot->map_client.client_id,
		slot->map_client.slot_nr,
		reason);
	g_hash_table_remove (self->map_by_client, &slot->map_client);
	slot->has_map = FALSE;
	if (slot->client != NULL)
		remsim_bankd_client_destroy (slot->client, reason);
	remsim_bankd_slot_unbind (slot);
	remsim_bankd_slot_changed (slot);
}

static void
remsim_bankd_client_send_atr (RemsimBankdClient *client, GBytes *atr)
{
	RemsimRsproMsg msg = {0};

	msg.type = REMSIM_RSPRO_SET_ATR_REQ;
	msg.version = REMSIM_RSPRO_VERSION;
	msg.has_client_slot = TRUE;
	msg.client_slot = client->client_slot;
	msg.data = atr;
	remsim_bankd_send (client->link, &msg);
	if (client->bankd->gsmtap != NULL && client->slot != NULL &&
	    remsim_gsmtap_wants_slot (client->bankd->gsmtap, client->slot->bank_slot.slot_nr)) {
		gsize len;
		const guint8 *data = g_bytes_get_data (atr, &len);

		remsim_gsmtap_send_atr (client->bankd->gsmtap, data, len);
	}
}

static void
remsim_bankd_client_send_connect_res (RemsimBankdClient *client, RemsimResultCode result)
{
	g_autoptr (RemsimRsproMsg) msg = remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_CLIENT_RES);

	remsim_component_identity_init_self (
	    &msg->identity, REMSIM_COMPONENT_BANKD, client->bankd->component_name);
	msg->tag = REMSIM_RSPRO_TAG_CONNECT_CLIENT_RES;
	msg->result = result;
	remsim_bankd_send (client->link, msg);
	client->res_sent = TRUE;
}

/* the client has to wait for its map or card */
static void
remsim_bankd_client_card_unavailable (RemsimBankdClient *client, const gchar *why)
{
	if (client->res_sent)
		return;
	g_info ("%s: %s; waiting for it", client->name, why);
	remsim_bankd_client_send_connect_res (client, REMSIM_RESULT_CARD_NOT_PRESENT);
}

static void
remsim_bankd_slot_power_on_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimBankdSlot *slot = user_data;
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) atr = NULL;
	RemsimBankdClient *client;

	atr = remsim_card_source_power_on_finish (REMSIM_CARD_SOURCE (source), res, &error);
	slot->busy = FALSE;
	if (atr != NULL)
		slot->powered = TRUE;
	if (slot->bankd == NULL || slot->busy_session != slot->session) {
		/* nobody wants this card any more (or a new session waits) */
		if (slot->bankd != NULL)
			remsim_bankd_slot_kick (slot);
		remsim_bankd_slot_unref (slot);
		return;
	}
	client = slot->client;
	if (atr == NULL) {
		g_autofree gchar *why = NULL;

		slot->card = REMSIM_BANKD_CARD_CLOSED;
		why = g_strdup_printf (
		    "%s: cannot power the card on: %s", slot->name, error->message);
		g_message ("%s", why);
		remsim_bankd_slot_set_error (slot, why);
		if (client != NULL)
			remsim_bankd_client_card_unavailable (client, why);
		remsim_bankd_slot_unref (slot);
		return;
	}
	slot->card = REMSIM_BANKD_CARD_OPEN;
	g_clear_pointer (&slot->atr, g_bytes_unref);
	slot->atr = g_bytes_ref (atr);
	remsim_bankd_slot_changed (slot);
	if (client != NULL) {
		g_message ("%s: card powered on for %s (ATR of %" G_GSIZE_FORMAT " bytes)",
			   slot->name,
			   client->name,
			   g_bytes_get_size (atr));
		if (!client->res_sent)
			remsim_bankd_client_send_connect_res (client, REMSIM_RESULT_OK);
		remsim_bankd_client_send_atr (client, atr);
	}
	remsim_bankd_slot_kick (slot);
	remsim_bankd_slot_unref (slot);
}

/* power the card on for the bound client */
static void
remsim_bankd_slot_open (RemsimBankdSlot *slot)
{
	if (slot->client == NULL || slot->card != REMSIM_BANKD_CARD_CLOSED)
		return;
	if (slot->source == NULL) {
		remsim_bankd_client_card_unavailable (slot->client, "no card source for this slot");
		return;
	}
	if (!remsim_card_source_is_card_present (slot->source)) {
		g_autofree gchar *why = g_strdup_printf ("%s: no card", slot->name);

		remsim_bankd_client_card_unavailable (slot->client, why);
		return;
	}
	if (slot->busy) {
		/* the last operation of an old session has to finish first */
		slot->open_pending = TRUE;
		return;
	}
	slot->card = REMSIM_BANKD_CARD_OPENING;
	slot->busy = TRUE;
	slot->busy_session = slot->session;
	remsim_card_source_power_on_async (slot->source,
					   slot->cancellable,
					   remsim_bankd_slot_power_on_cb,
					   remsim_bankd_slot_ref (slot));
}

static void
remsim_bankd_slot_reset_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimBankdSlot *slot = user_data;
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) atr = NULL;

	atr = remsim_card_source_reset_finish (REMSIM_CARD_SOURCE (source), res, &error);
	slot->busy = FALSE;
	if (slot->bankd == NULL || slot->busy_session != slot->session) {
		if (slot->bankd != NULL)
			remsim_bankd_slot_kick (slot);
		remsim_bankd_slot_unref (slot);
		return;
	}
	if (atr == NULL) {
		g_autofree gchar *reason =
		    g_strdup_printf ("%s: card reset failed: %s", slot->name, error->message);

		g_warning ("%s", reason);
		remsim_bankd_slot_set_error (slot, reason);
		if (slot->client != NULL)
			remsim_bankd_client_destroy (slot->client, reason);
		remsim_bankd_slot_unref (slot);
		return;
	}
	g_clear_pointer (&slot->atr, g_bytes_unref);
	slot->atr = g_bytes_ref (atr);
	remsim_bankd_slot_changed (slot);
	/* unlike upstream, tell the client about the ATR after every reset */
	if (slot->client != NULL)
		remsim_bankd_client_send_atr (slot->client, atr);
	remsim_bankd_slot_kick (slot);
	remsim_bankd_slot_unref (slot);
}

static void
remsim_bankd_slot_transmit_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimBankdSlot *slot = user_data;
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) rsp = NULL;
	g_autoptr (GBytes) cmd = NULL;
	RemsimBankdClient *client;
	RemsimRsproMsg msg = {0};

	rsp = remsim_card_source_transmit_finish (REMSIM_CARD_SOURCE (source), res, &error);
	slot->busy = FALSE;
	cmd = g_steal_pointer (&slot->gsmtap_cmd);
	if (slot->bankd == NULL || slot->busy_session != slot->session) {
		if (slot->bankd != NULL)
			remsim_bankd_slot_kick (slot);
		remsim_bankd_slot_unref (slot);
		return;
	}
	client = slot->client;
	if (rsp == NULL) {
		g_autofree gchar *reason =
		    g_strdup_printf ("%s: transmit failed: %s", slot->name, error->message);

		/* the card's state is lost: end the session, the client
		 * reconnects and gets the card again once it works */
		g_warning ("%s", reason);
		remsim_bankd_slot_set_error (slot, reason);
		if (client != NULL)
			remsim_bankd_client_destroy (client, reason);
		remsim_bankd_slot_unref (slot);
		return;
	}
	slot->bytes_from_card += g_bytes_get_size (rsp);
	remsim_bankd_slot_counters_changed (slot);
	if (client != NULL) {
		if (G_UNLIKELY (slot->bankd->trace))
			g_debug ("%s: card → %s: %" G_GSIZE_FORMAT " bytes",
				 slot->name,
				 client->name,
				 g_bytes_get_size (rsp));
		msg.type = REMSIM_RSPRO_TPDU_CARD_TO_MODEM;
		msg.version = REMSIM_RSPRO_VERSION;
		msg.has_bank_slot = TRUE;
		msg.bank_slot = slot->bank_slot;
		msg.has_client_slot = TRUE;
		msg.client_slot = client->client_slot;
		msg.data = rsp;
		remsim_bankd_send (client->link, &msg);
		if (cmd != NULL && slot->bankd->gsmtap != NULL) {
			gsize cmd_len, rsp_len;
			const guint8 *cmd_data = g_bytes_get_data (cmd, &cmd_len);
			const guint8 *rsp_data = g_bytes_get_data (rsp, &rsp_len);

			remsim_gsmtap_send_apdu (
			    slot->bankd->gsmtap, cmd_data, cmd_len, rsp_data, rsp_len);
		}
	}
	remsim_bankd_slot_kick (slot);
	remsim_bankd_slot_unref (slot);
}

/* the command goes into the GSMTAP packet with the response */
static inline void
remsim_bankd_slot_keep_cmd (RemsimBankdSlot *slot, GBytes *cmd)
{
	if (G_LIKELY (slot->bankd->gsmtap == NULL) ||
	    !remsim_gsmtap_wants_slot (slot->bankd->gsmtap, slot->bank_slot.slot_nr))
		return;
	g_clear_pointer (&slot->gsmtap_cmd, g_bytes_unref);
	slot->gsmtap_cmd = g_bytes_ref (cmd);
}

/* start the next card operation, if one is due and none is under way */
static void
remsim_bankd_slot_kick (RemsimBankdSlot *slot)
{
	gpointer item;

	if (slot->busy)
		return;
	if (slot->card == REMSIM_BANKD_CARD_CLOSED) {
		/* an old session's operation ended: release the card, then
		 * open it for the client that waited */
		remsim_bankd_slot_power_off (slot);
		if (slot->open_pending) {
			slot->open_pending = FALSE;
			remsim_bankd_slot_open (slot);
		}
		return;
	}
	if (slot->card != REMSIM_BANKD_CARD_OPEN)
		return;
	item = g_queue_pop_head (&slot->queue);
	if (item == NULL)
		return;
	slot->busy = TRUE;
	slot->busy_session = slot->session;
	if (item == REMSIM_BANKD_COLD_RESET || item == REMSIM_BANKD_WARM_RESET) {
		gboolean cold = item == REMSIM_BANKD_COLD_RESET;

		g_info ("%s: %s reset", slot->name, cold ? "cold" : "warm");
		remsim_card_source_reset_async (slot->source,
						cold,
						slot->cancellable,
						remsim_bankd_slot_reset_cb,
						remsim_bankd_slot_ref (slot));
		return;
	}
	remsim_bankd_slot_keep_cmd (slot, item);
	remsim_card_source_transmit_async (slot->source,
					   item,
					   slot->cancellable,
					   remsim_bankd_slot_transmit_cb,
					   remsim_bankd_slot_ref (slot));
	g_bytes_unref (item);
}

static void
remsim_bankd_slot_card_changed_cb (RemsimCardSource *source, gboolean present, gpointer user_data)
{
	RemsimBankdSlot *slot = user_data;

	g_info ("%s: card %s", slot->name, present ? "inserted" : "removed");
	if (slot->client != NULL && present) {
		remsim_bankd_slot_open (slot);
	} else if (slot->client != NULL && slot->card != REMSIM_BANKD_CARD_CLOSED) {
		g_autofree gchar *reason =
		    g_strdup_printf ("%s: card removed during a session", slot->name);

		remsim_bankd_slot_set_error (slot, reason);
		remsim_bankd_client_destroy (slot->client, reason);
	}
	/* the ATR of a card that left (or of one just inserted) is not known */
	g_clear_pointer (&slot->atr, g_bytes_unref);
	remsim_bankd_slot_changed (slot);
}

/* clients --------------------------------------------------------------- */

static void
remsim_bankd_client_free (RemsimBankdClient *client)
{
	remsim_bankd_clear_source (&client->identify_source);
	g_clear_object (&client->link);
	g_free (client);
}

/* close the connection (if still open) and forget the client */
static void
remsim_bankd_client_destroy (RemsimBankdClient *client, const gchar *reason)
{
	RemsimBankd *self = client->bankd;

	g_signal_handlers_disconnect_by_data (client->link, client);
	if (!remsim_link_is_closed (client->link)) {
		g_message ("%s: closing connection: %s", client->name, reason);
		remsim_link_close (client->link, reason);
	} else {
		g_message ("%s: connection closed: %s", client->name, reason);
	}
	if (client->slot != NULL)
		remsim_bankd_slot_unbind (client->slot);
	if (client->identified &&
	    g_hash_table_lookup (self->client_by_slot, &client->client_slot) == client)
		g_hash_table_remove (self->client_by_slot, &client->client_slot);
	self->clients = g_list_remove (self->clients, client);
	remsim_bankd_client_free (client);
}

/* bind an identified client to its mapped slot and open the card */
static void
remsim_bankd_client_try_attach (RemsimBankdClient *client)
{
	RemsimBankd *self = client->bankd;
	RemsimBankdSlot *slot;

	if (!client->identified)
		return;
	if (client->slot != NULL) {
		remsim_bankd_slot_open (client->slot);
		return;
	}
	slot = g_hash_table_lookup (self->map_by_client, &client->client_slot);
	if (slot == NULL) {
		remsim_bankd_client_card_unavailable (client, "no mapping for this client slot");
		return;
	}
	if (slot->client != NULL && slot->client != client)
		remsim_bankd_client_destroy (slot->client, "its bank slot went to another client");
	slot->client = client;
	client->slot = slot;
	g_info ("%s: mapped to %s", client->name, slot->name);
	remsim_bankd_slot_changed (slot);
	remsim_bankd_slot_open (slot);
}

static gboolean
remsim_bankd_client_identify_timeout_cb (gpointer user_data)
{
	RemsimBankdClient *client = user_data;

	g_clear_pointer (&client->identify_source, g_source_unref);
	remsim_bankd_client_destroy (client, "no ConnectClientReq in time");
	return G_SOURCE_REMOVE;
}

static void
remsim_bankd_client_handle_connect (RemsimBankdClient *client, const RemsimRsproMsg *msg)
{
	RemsimBankd *self = client->bankd;
	RemsimBankdClient *old;

	if (client->identified || !msg->has_client_slot ||
	    !remsim_client_slot_is_valid (&msg->client_slot)) {
		remsim_bankd_client_send_connect_res (client, REMSIM_RESULT_ILLEGAL_CLIENT_ID);
		remsim_bankd_client_destroy (client,
					     client->identified
						 ? "second ConnectClientReq"
						 : "ConnectClientReq without a valid clientSlot");
		return;
	}
	remsim_bankd_clear_source (&client->identify_source);
	client->identified = TRUE;
	client->client_slot = msg->client_slot;
	g_message ("%s: identified as C%u:%u (%s %s)",
		   client->name,
		   msg->client_slot.client_id,
		   msg->client_slot.slot_nr,
		   msg->identity.software != NULL ? msg->identity.software : "?",
		   msg->identity.sw_version != NULL ? msg->identity.sw_version : "");
	g_snprintf (client->name,
		    sizeof (client->name),
		    "C%u:%u",
		    msg->client_slot.client_id,
		    msg->client_slot.slot_nr);
	remsim_link_set_name (client->link, client->name);

	/* a stale connection of the same client slot (we run no keepalive
	 * towards clients) gives way to the new one */
	old = g_hash_table_lookup (self->client_by_slot, &client->client_slot);
	if (old != NULL)
		remsim_bankd_client_destroy (old,
					     "replaced by a new connection of the client slot");
	g_hash_table_insert (self->client_by_slot, &client->client_slot, client);
	remsim_bankd_client_try_attach (client);
}

static void
remsim_bankd_client_handle_tpdu (RemsimBankdClient *client, const RemsimRsproMsg *msg)
{
	RemsimBankdSlot *slot = client->slot;
	const gchar *violation = NULL;
	gsize len = msg->data != NULL ? g_bytes_get_size (msg->data) : 0;

	if (slot == NULL || slot->card != REMSIM_BANKD_CARD_OPEN)
		violation = "TPDU while no card is open";
	else if (!msg->has_bank_slot || !remsim_bank_slot_equal (&msg->bank_slot, &slot->bank_slot))
		violation = "TPDU for another bank slot";
	else if (!msg->has_client_slot ||
		 !remsim_client_slot_equal (&msg->client_slot, &client->client_slot))
		violation = "TPDU from another client slot";
	else if (len < 5 || len > 260)
		violation = "TPDU length outside 5..260";
	if (violation != NULL) {
		remsim_bankd_client_destroy (client, violation);
		return;
	}
	if (G_UNLIKELY (client->bankd->trace))
		g_debug ("%s: %s → card: %" G_GSIZE_FORMAT " bytes", client->name, slot->name, len);
	slot->apdu_count++;
	slot->bytes_to_card += len;
	remsim_bankd_slot_counters_changed (slot);
	if (!slot->busy && g_queue_is_empty (&slot->queue)) {
		/* the usual case: straight to the card, no queueing */
		slot->busy = TRUE;
		slot->busy_session = slot->session;
		remsim_bankd_slot_keep_cmd (slot, msg->data);
		remsim_card_source_transmit_async (slot->source,
						   msg->data,
						   slot->cancellable,
						   remsim_bankd_slot_transmit_cb,
						   remsim_bankd_slot_ref (slot));
		return;
	}
	g_queue_push_tail (&slot->queue, g_bytes_ref (msg->data));
	remsim_bankd_slot_kick (slot);
}

static void
remsim_bankd_client_handle_status (RemsimBankdClient *client, const RemsimRsproMsg *msg)
{
	const RemsimSlotPhysStatus *st = &msg->phys_status;
	gpointer reset = NULL;

	if (st->has_vcc_present && !st->vcc_present && client->prev_vcc)
		reset = REMSIM_BANKD_COLD_RESET;
	else if ((!st->has_vcc_present || st->vcc_present) && st->reset_active && !client->prev_rst)
		reset = REMSIM_BANKD_WARM_RESET;
	if (st->has_vcc_present)
		client->prev_vcc = st->vcc_present;
	client->prev_rst = st->reset_active;

	if (reset == NULL || client->slot == NULL || client->slot->card != REMSIM_BANKD_CARD_OPEN)
		return;
	g_queue_push_tail (&client->slot->queue, reset);
	remsim_bankd_slot_kick (client->slot);
}

static void
remsim_bankd_client_message_cb (RemsimLink *link, RemsimRsproMsg *msg, gpointer user_data)
{
	RemsimBankdClient *client = user_data;

	switch (msg->type) {
	case REMSIM_RSPRO_TPDU_MODEM_TO_CARD:
		remsim_bankd_client_handle_tpdu (client, msg);
		return;
	case REMSIM_RSPRO_CONNECT_CLIENT_REQ:
		remsim_bankd_client_handle_connect (client, msg);
		return;
	case REMSIM_RSPRO_CLIENT_SLOT_STATUS_IND:
		remsim_bankd_client_handle_status (client, msg);
		return;
	case REMSIM_RSPRO_SET_ATR_RES:
		if (msg->result != REMSIM_RESULT_OK)
			g_info ("%s: SetAtrRes(%s)",
				client->name,
				remsim_result_code_to_string (msg->result));
		return;
	default: {
		g_autofree gchar *reason =
		    g_strdup_printf ("unexpected %s", remsim_rspro_type_to_string (msg->type));

		remsim_bankd_client_destroy (client, reason);
		return;
	}
	}
}

static void
remsim_bankd_client_closed_cb (RemsimLink *link, const gchar *reason, gpointer user_data)
{
	remsim_bankd_client_destroy (user_data, reason);
}

static gboolean
remsim_bankd_incoming_cb (GSocketService *service,
			  GSocketConnection *connection,
			  GObject *source_object,
			  gpointer user_data)
{
	RemsimBankd *self = REMSIM_BANKD (user_data);
	RemsimBankdClient *client = g_new0 (RemsimBankdClient, 1);
	GInetSocketAddress *remote;

	client->bankd = self;
	client->prev_vcc = TRUE;
	client->prev_rst = FALSE;
	client->link = remsim_link_new (G_IO_STREAM (connection), REMSIM_LINK_ROLE_BANKD);
	remote = remsim_link_get_remote_address (client->link);
	if (remote != NULL) {
		g_autofree gchar *addr =
		    g_inet_address_to_string (g_inet_socket_address_get_address (remote));

		g_snprintf (client->name,
			    sizeof (client->name),
			    "%s:%u",
			    addr,
			    g_inet_socket_address_get_port (remote));
	} else {
		g_strlcpy (client->name, "client", sizeof (client->name));
	}
	remsim_link_set_name (client->link, client->name);
	g_info ("%s: client connection accepted", client->name);
	self->clients = g_list_prepend (self->clients, client);
	client->identify_source = remsim_bankd_attach_timeout (
	    self, self->identify_timeout_ms, remsim_bankd_client_identify_timeout_cb, client);
	g_signal_connect (
	    client->link, "message", G_CALLBACK (remsim_bankd_client_message_cb), client);
	g_signal_connect (
	    client->link, "closed", G_CALLBACK (remsim_bankd_client_closed_cb), client);
	remsim_link_start (client->link);
	return TRUE;
}

/* every identified client that still waits for its map or card tries again */
static gboolean
remsim_bankd_retry_cb (gpointer user_data)
{
	RemsimBankd *self = REMSIM_BANKD (user_data);
	g_autoptr (GPtrArray) waiting = g_ptr_array_new ();

	for (GList *l = self->clients; l != NULL; l = l->next) {
		RemsimBankdClient *client = l->data;

		if (client->identified &&
		    (client->slot == NULL || client->slot->card == REMSIM_BANKD_CARD_CLOSED))
			g_ptr_array_add (waiting, client);
	}
	/* attaching never frees a waiting client other than the one it works on */
	for (guint i = 0; i < waiting->len; i++)
		remsim_bankd_client_try_attach (g_ptr_array_index (waiting, i));
	return G_SOURCE_CONTINUE;
}

/* the server ------------------------------------------------------------ */

static RemsimBankdSlot *
remsim_bankd_check_bank_slot (RemsimBankd *self,
			      const RemsimRsproMsg *req,
			      RemsimRsproType res_type,
			      RemsimLink *link)
{
	if (req->bank_slot.bank_id != self->bank_id) {
		g_warning ("server: %s for bank %u, but we are bank %u",
			   remsim_rspro_type_to_string (req->type),
			   req->bank_slot.bank_id,
			   self->bank_id);
		remsim_bankd_send_result (link, res_type, REMSIM_RESULT_ILLEGAL_BANK_ID);
		return NULL;
	}
	if (req->bank_slot.slot_nr >= self->num_slots) {
		g_warning ("server: %s for slot %u, but we have %u slots",
			   remsim_rspro_type_to_string (req->type),
			   req->bank_slot.slot_nr,
			   self->num_slots);
		remsim_bankd_send_result (link, res_type, REMSIM_RESULT_ILLEGAL_SLOT_ID);
		return NULL;
	}
	return self->slots[req->bank_slot.slot_nr];
}

static void
remsim_bankd_handle_create_mapping (RemsimBankd *self, RemsimLink *link, const RemsimRsproMsg *req)
{
	RemsimBankdSlot *slot;
	RemsimBankdSlot *other;
	RemsimBankdClient *client;

	slot = remsim_bankd_check_bank_slot (self, req, REMSIM_RSPRO_CREATE_MAPPING_RES, link);
	if (slot == NULL)
		return;
	if (slot->has_map && remsim_client_slot_equal (&slot->map_client, &req->client_slot)) {
		g_debug ("%s: identical mapping to C%u:%u",
			 slot->name,
			 req->client_slot.client_id,
			 req->client_slot.slot_nr);
		remsim_bankd_send_result (link, REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK);
		return;
	}
	remsim_bankd_slot_remove_map (slot, "bank slot mapped to another client");
	other = g_hash_table_lookup (self->map_by_client, &req->client_slot);
	if (other != NULL)
		remsim_bankd_slot_remove_map (other, "client slot mapped to another bank slot");

	slot->has_map = TRUE;
	slot->map_client = req->client_slot;
	g_hash_table_insert (self->map_by_client, &slot->map_client, slot);
	remsim_bankd_slot_changed (slot);
	g_message ("%s: mapped to C%u:%u",
		   slot->name,
		   req->client_slot.client_id,
		   req->client_slot.slot_nr);
	remsim_bankd_send_result (link, REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK);

	/* a client waiting for this map gets its card now */
	client = g_hash_table_lookup (self->client_by_slot, &req->client_slot);
	if (client != NULL)
		remsim_bankd_client_try_attach (client);
}

static void
remsim_bankd_handle_remove_mapping (RemsimBankd *self, RemsimLink *link, const RemsimRsproMsg *req)
{
	RemsimBankdSlot *slot;

	slot = remsim_bankd_check_bank_slot (self, req, REMSIM_RSPRO_REMOVE_MAPPING_RES, link);
	if (slot == NULL)
		return;
	if (!slot->has_map || !remsim_client_slot_equal (&slot->map_client, &req->client_slot)) {
		g_warning ("%s: RemoveMappingReq for C%u:%u, which is not mapped here",
			   slot->name,
			   req->client_slot.client_id,
			   req->client_slot.slot_nr);
		remsim_bankd_send_result (
		    link, REMSIM_RSPRO_REMOVE_MAPPING_RES, REMSIM_RESULT_UNKNOWN_SLOTMAP);
		return;
	}
	remsim_bankd_slot_remove_map (slot, "mapping removed by the server");
	remsim_bankd_send_result (link, REMSIM_RSPRO_REMOVE_MAPPING_RES, REMSIM_RESULT_OK);
}

static void
remsim_bankd_handle_reset_state (RemsimBankd *self, RemsimLink *link)
{
	g_message ("server: reset state, removing every mapping");
	for (guint i = 0; i < self->num_slots; i++)
		remsim_bankd_slot_remove_map (self->slots[i], "reset by the server");
	remsim_bankd_send_result (link, REMSIM_RSPRO_RESET_STATE_RES, REMSIM_RESULT_OK);
}

static void
remsim_bankd_drop_server_link (RemsimBankd *self)
{
	remsim_bankd_clear_source (&self->connect_res_source);
	if (self->server_link == NULL)
		return;
	g_clear_signal_handler (&self->server_message_id, self->server_link);
	g_clear_object (&self->server_link);
}

static void
remsim_bankd_handle_connect_bank_res (RemsimBankd *self, const RemsimRsproMsg *msg)
{
	const gchar *host = remsim_connector_get_host (self->connector);
	guint16 port = remsim_connector_get_port (self->connector);

	remsim_bankd_clear_source (&self->connect_res_source);
	if (msg->identity.type != REMSIM_COMPONENT_SERVER) {
		g_autofree gchar *reason = g_strdup_printf (
		    "%s:%u answered as a %s, not as a remsim-server; check your IP/port "
		    "configuration; giving up",
		    host,
		    port,
		    remsim_component_type_to_string (msg->identity.type));

		g_warning ("server: %s", reason);
		remsim_bankd_drop_server_link (self);
		remsim_connector_stop (self->connector);
		g_signal_emit (self, signals[SIGNAL_SERVER_REJECTED], 0, reason);
		return;
	}
	if (msg->result != REMSIM_RESULT_OK) {
		g_autofree gchar *reason = g_strdup_printf (
		    "ConnectBankRes(%s)", remsim_result_code_to_string (msg->result));

		g_warning ("server: %s:%u refused bank %u: %s; trying again",
			   host,
			   port,
			   self->bank_id,
			   reason);
		remsim_connector_restart (self->connector, reason);
		return;
	}
	self->server_connected = TRUE;
	g_message ("connected to remsim-server %s:%u as bank %u with %u slots",
		   host,
		   port,
		   self->bank_id,
		   self->num_slots);
	g_signal_emit (self, signals[SIGNAL_SERVER_CONNECTED], 0);
}

static void
remsim_bankd_server_message_cb (RemsimLink *link, RemsimRsproMsg *msg, gpointer user_data)
{
	g_autoptr (RemsimBankd) self = g_object_ref (REMSIM_BANKD (user_data));

	switch (msg->type) {
	case REMSIM_RSPRO_CONNECT_BANK_RES:
		remsim_bankd_handle_connect_bank_res (self, msg);
		return;
	case REMSIM_RSPRO_CREATE_MAPPING_REQ:
		remsim_bankd_handle_create_mapping (self, link, msg);
		return;
	case REMSIM_RSPRO_REMOVE_MAPPING_REQ:
		remsim_bankd_handle_remove_mapping (self, link, msg);
		return;
	case REMSIM_RSPRO_RESET_STATE_REQ:
		remsim_bankd_handle_reset_state (self, link);
		return;
	default:
		g_info ("server: ignoring %s", remsim_rspro_type_to_string (msg->type));
		return;
	}
}

static gboolean
remsim_bankd_connect_res_timeout_cb (gpointer user_data)
{
	RemsimBankd *self = REMSIM_BANKD (user_data);

	g_clear_pointer (&self->connect_res_source, g_source_unref);
	g_warning ("server: no ConnectBankRes within %u s; reconnecting",
		   REMSIM_BANKD_CONNECT_RES_TIMEOUT_MS / 1000);
	remsim_connector_restart (self->connector, "no ConnectBankRes in time");
	return G_SOURCE_REMOVE;
}

static void
remsim_bankd_server_connected_cb (RemsimConnector *connector, RemsimLink *link, gpointer user_data)
{
	RemsimBankd *self = REMSIM_BANKD (user_data);
	g_autoptr (RemsimRsproMsg) req = remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_BANK_REQ);

	remsim_bankd_drop_server_link (self);
	self->server_connected = FALSE;
	self->server_link = g_object_ref (link);
	remsim_link_set_name (link, "server");
	self->server_message_id =
	    g_signal_connect (link, "message", G_CALLBACK (remsim_bankd_server_message_cb), self);
	remsim_component_identity_init_self (
	    &req->identity, REMSIM_COMPONENT_BANKD, self->component_name);
	req->bank_id = self->bank_id;
	/* numberOfSlots is an RSPRO SlotNumber (0..1023): a bank of 1024 slots
	 * says 1023; servers do not limit mappings by it */
	req->number_of_slots = MIN (self->num_slots, REMSIM_ID_MAX);
	if (self->has_bound) {
		req->has_bound = TRUE;
		req->bound = self->bound;
	}
	remsim_bankd_send (link, req);
	self->connect_res_source = remsim_bankd_attach_timeout (
	    self, REMSIM_BANKD_CONNECT_RES_TIMEOUT_MS, remsim_bankd_connect_res_timeout_cb, self);
}

static void
remsim_bankd_server_disconnected_cb (RemsimConnector *connector,
				     const gchar *reason,
				     gpointer user_data)
{
	RemsimBankd *self = REMSIM_BANKD (user_data);
	gboolean was_connected = self->server_connected;

	remsim_bankd_drop_server_link (self);
	self->server_connected = FALSE;
	if (was_connected)
		g_message ("lost the remsim-server connection (%s); reconnecting, "
			   "client sessions continue",
			   reason);
	else
		g_info ("server: %s", reason);
	g_signal_emit (self, signals[SIGNAL_SERVER_DISCONNECTED], 0, reason);
}

/* public API ------------------------------------------------------------ */

RemsimBankd *
remsim_bankd_new (guint32 bank_id, guint num_slots)
{
	RemsimBankd *self;

	g_return_val_if_fail (bank_id <= REMSIM_ID_MAX, NULL);
	g_return_val_if_fail (num_slots >= 1 && num_slots <= REMSIM_BANKD_MAX_SLOTS, NULL);

	self = g_object_new (REMSIM_TYPE_BANKD, NULL);
	self->bank_id = bank_id;
	self->num_slots = num_slots;
	self->slots = g_new0 (RemsimBankdSlot *, num_slots);
	for (guint i = 0; i < num_slots; i++) {
		RemsimBankdSlot *slot = g_rc_box_new0 (RemsimBankdSlot);

		slot->bankd = self;
		slot->nr = i;
		slot->bank_slot.bank_id = bank_id;
		slot->bank_slot.slot_nr = i;
		g_snprintf (slot->name, sizeof (slot->name), "B%u:%u", bank_id, i);
		slot->cancellable = g_cancellable_new ();
		g_queue_init (&slot->queue);
		slot->counters_armed = TRUE;
		self->slots[i] = slot;
	}
	return self;
}

guint32
remsim_bankd_get_bank_id (RemsimBankd *self)
{
	g_return_val_if_fail (REMSIM_IS_BANKD (self), 0);
	return self->bank_id;
}

guint
remsim_bankd_get_num_slots (RemsimBankd *self)
{
	g_return_val_if_fail (REMSIM_IS_BANKD (self), 0);
	return self->num_slots;
}

void
remsim_bankd_set_component_name (RemsimBankd *self, const gchar *name)
{
	g_return_if_fail (REMSIM_IS_BANKD (self));

	g_free (self->component_name);
	self->component_name = g_strdup (name);
}

void
remsim_bankd_set_identify_timeout (RemsimBankd *self, guint ms)
{
	g_return_if_fail (REMSIM_IS_BANKD (self));
	self->identify_timeout_ms = MAX (ms, 1);
}

void
remsim_bankd_set_retry_interval (RemsimBankd *self, guint ms)
{
	g_return_if_fail (REMSIM_IS_BANKD (self));

	self->retry_interval_ms = MAX (ms, 1);
	if (self->retry_source != NULL) {
		remsim_bankd_clear_source (&self->retry_source);
		self->retry_source = remsim_bankd_attach_timeout (
		    self, self->retry_interval_ms, remsim_bankd_retry_cb, self);
	}
}

void
remsim_bankd_set_keepalive (RemsimBankd *self, guint interval_ms, guint timeout_ms)
{
	g_return_if_fail (REMSIM_IS_BANKD (self));

	self->ka_interval_ms = interval_ms;
	self->ka_timeout_ms = timeout_ms;
	if (self->connector != NULL)
		remsim_connector_set_keepalive (self->connector, interval_ms, timeout_ms);
}

void
remsim_bankd_set_gsmtap (RemsimBankd *self, RemsimGsmtap *gsmtap)
{
	g_return_if_fail (REMSIM_IS_BANKD (self));

	g_clear_pointer (&self->gsmtap, remsim_gsmtap_free);
	self->gsmtap = gsmtap;
}

void
remsim_bankd_set_card_source (RemsimBankd *self, guint nr, RemsimCardSource *source)
{
	RemsimBankdSlot *slot;

	g_return_if_fail (REMSIM_IS_BANKD (self));
	g_return_if_fail (nr < self->num_slots);
	g_return_if_fail (source == NULL || REMSIM_IS_CARD_SOURCE (source));

	slot = self->slots[nr];
	if (slot->client != NULL)
		remsim_bankd_client_destroy (slot->client, "card source replaced");
	remsim_bankd_slot_close_card (slot);
	if (slot->source != NULL)
		g_clear_signal_handler (&slot->card_changed_id, slot->source);
	g_clear_object (&slot->source);
	if (source != NULL) {
		slot->source = g_object_ref (source);
		slot->card_changed_id = g_signal_connect (
		    source, "card-changed", G_CALLBACK (remsim_bankd_slot_card_changed_cb), slot);
	}
	remsim_bankd_slot_changed (slot);
}

RemsimCardSource *
remsim_bankd_get_card_source (RemsimBankd *self, guint nr)
{
	g_return_val_if_fail (REMSIM_IS_BANKD (self), NULL);
	g_return_val_if_fail (nr < self->num_slots, NULL);
	return self->slots[nr]->source;
}

void
remsim_bankd_get_slot_info (RemsimBankd *self, guint nr, RemsimBankdSlotInfo *info)
{
	RemsimBankdSlot *slot;

	g_return_if_fail (REMSIM_IS_BANKD (self));
	g_return_if_fail (nr < self->num_slots);
	g_return_if_fail (info != NULL);

	slot = self->slots[nr];
	memset (info, 0, sizeof (*info));
	if (slot->source != NULL)
		info->card_present = remsim_card_source_is_card_present (slot->source);
	if (slot->atr != NULL)
		info->atr = g_bytes_ref (slot->atr);
	else if (info->card_present)
		info->atr = remsim_card_source_get_atr (slot->source);
	info->has_map = slot->has_map;
	if (slot->has_map)
		info->mapped_client = slot->map_client;
	info->client_connected = slot->client != NULL;
	info->apdu_count = slot->apdu_count;
	info->bytes_to_card = slot->bytes_to_card;
	info->bytes_from_card = slot->bytes_from_card;
	info->last_error = g_strdup (slot->last_error);
	slot->counters_armed = TRUE;
}

void
remsim_bankd_slot_info_clear (RemsimBankdSlotInfo *info)
{
	g_return_if_fail (info != NULL);

	g_clear_pointer (&info->atr, g_bytes_unref);
	g_clear_pointer (&info->last_error, g_free);
}

/* a reset without a client session: power on for the ATR, then off */
static void
remsim_bankd_slot_probe_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimBankdSlot *slot = user_data;
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) atr = NULL;

	atr = remsim_card_source_power_on_finish (REMSIM_CARD_SOURCE (source), res, &error);
	slot->busy = FALSE;
	if (atr != NULL)
		slot->powered = TRUE;
	if (slot->bankd == NULL) {
		remsim_bankd_slot_unref (slot);
		return;
	}
	if (atr != NULL) {
		g_message ("%s: card reset without a client: ATR of %" G_GSIZE_FORMAT " bytes",
			   slot->name,
			   g_bytes_get_size (atr));
		g_clear_pointer (&slot->atr, g_bytes_unref);
		slot->atr = g_bytes_ref (atr);
		remsim_bankd_slot_changed (slot);
	} else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_autofree gchar *why = g_strdup_printf (
		    "%s: cannot power the card on: %s", slot->name, error->message);

		g_message ("%s", why);
		remsim_bankd_slot_set_error (slot, why);
	}
	/* the card goes off again, or to the client that came meanwhile */
	remsim_bankd_slot_kick (slot);
	remsim_bankd_slot_unref (slot);
}

gboolean
remsim_bankd_reset_card (RemsimBankd *self, guint nr, gboolean cold, GError **error)
{
	RemsimBankdSlot *slot;

	g_return_val_if_fail (REMSIM_IS_BANKD (self), FALSE);
	g_return_val_if_fail (nr < self->num_slots, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	slot = self->slots[nr];
	if (slot->source == NULL) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_NOT_SUPPORTED,
			     "%s: no card source in this slot",
			     slot->name);
		return FALSE;
	}
	if (!remsim_card_source_is_card_present (slot->source)) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_CARD_ABSENT,
			     "%s: no card in this slot",
			     slot->name);
		return FALSE;
	}
	if (slot->card != REMSIM_BANKD_CARD_CLOSED) {
		/* behind the TPDUs already queued, as a client's reset */
		g_message ("%s: %s reset requested", slot->name, cold ? "cold" : "warm");
		g_queue_push_tail (&slot->queue,
				   cold ? REMSIM_BANKD_COLD_RESET : REMSIM_BANKD_WARM_RESET);
		remsim_bankd_slot_kick (slot);
		return TRUE;
	}
	if (slot->busy) {
		/* the card is busy being switched off or probed already */
		g_info ("%s: card busy; reset not needed", slot->name);
		return TRUE;
	}
	slot->busy = TRUE;
	slot->busy_session = slot->session;
	remsim_card_source_power_on_async (slot->source,
					   slot->cancellable,
					   remsim_bankd_slot_probe_cb,
					   remsim_bankd_slot_ref (slot));
	return TRUE;
}

static void
remsim_bankd_unref_nullable (gpointer object)
{
	if (object != NULL)
		g_object_unref (object);
}

typedef struct {
	RemsimBankd *self;
	RemsimPlugins *plugins;
	GKeyFile *keyfile;
	/* per slot: the group serving it, and its new card source */
	const gchar **owner;
	GPtrArray *created;
} RemsimBankdLoadSources;

static gboolean
remsim_bankd_load_card_source_cb (
    const gchar *where, const gchar *group, guint nr, gpointer user_data, GError **error)
{
	RemsimBankdLoadSources *load = user_data;
	RemsimCardSource *source;
	g_autoptr (GError) error_local = NULL;

	if (load->owner[nr] != NULL) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "%s: [%s] slots: expected slots no other source "
			     "serves, but slot %u is in [%s] too",
			     where,
			     group,
			     nr,
			     load->owner[nr]);
		return FALSE;
	}
	load->owner[nr] = group;
	source = remsim_plugins_create_card_source (
	    load->plugins, load->keyfile, group, nr, &error_local);
	if (source == NULL) {
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local), "%s: ", where);
		return FALSE;
	}
	g_ptr_array_index (load->created, nr) = source;
	return TRUE;
}

gboolean
remsim_bankd_load_card_sources (RemsimBankd *self,
				RemsimPlugins *plugins,
				GKeyFile *keyfile,
				const gchar *filename,
				GError **error)
{
	g_autofree const gchar **owner = NULL;
	g_autoptr (GPtrArray) created =
	    g_ptr_array_new_with_free_func (remsim_bankd_unref_nullable);
	RemsimPluginGroupKind kind = {
	    .prefix = "source:",
	    .plugin_kind = "card source",
	    .slots_hint = "the bank slots this source serves (e.g. 0-7)",
	};
	RemsimBankdLoadSources load;

	g_return_val_if_fail (REMSIM_IS_BANKD (self), FALSE);
	g_return_val_if_fail (REMSIM_IS_PLUGINS (plugins), FALSE);
	g_return_val_if_fail (keyfile != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	kind.num_slots = self->num_slots;
	owner = g_new0 (const gchar *, self->num_slots);
	g_ptr_array_set_size (created, self->num_slots);
	load = (RemsimBankdLoadSources){self, plugins, keyfile, owner, created};
	if (!remsim_plugin_groups_foreach_slot (
		keyfile, plugins, filename, &kind, remsim_bankd_load_card_source_cb, &load, error))
		return FALSE;
	for (guint i = 0; i < self->num_slots; i++) {
		RemsimCardSource *source = g_ptr_array_index (created, i);

		if (source != NULL)
			remsim_bankd_set_card_source (self, i, source);
		else
			g_info ("B%u:%u: no card source configured", self->bank_id, i);
	}
	return TRUE;
}

gboolean
remsim_bankd_listen (RemsimBankd *self, const gchar *host, guint16 port, GError **error)
{
	g_autoptr (GInetAddress) addr = NULL;
	g_autoptr (GSocketAddress) want = NULL;
	g_autoptr (GSocketAddress) effective = NULL;

	g_return_val_if_fail (REMSIM_IS_BANKD (self), FALSE);
	g_return_val_if_fail (host != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	addr = g_inet_address_new_from_string (host);
	if (addr == NULL) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "expected an IP address to listen on, got \"%s\"",
			     host);
		return FALSE;
	}
	if (self->service == NULL) {
		self->service = g_socket_service_new ();
		g_signal_connect (
		    self->service, "incoming", G_CALLBACK (remsim_bankd_incoming_cb), self);
	}
	want = g_inet_socket_address_new (addr, port);
	if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service),
					    want,
					    G_SOCKET_TYPE_STREAM,
					    G_SOCKET_PROTOCOL_TCP,
					    NULL,
					    &effective,
					    error)) {
		g_prefix_error (error, "cannot listen on %s port %u: ", host, port);
		return FALSE;
	}
	if (self->port == 0) {
		GInetSocketAddress *isa = G_INET_SOCKET_ADDRESS (effective);
		GInetAddress *eaddr = g_inet_socket_address_get_address (isa);
		gsize len = g_inet_address_get_native_size (eaddr);

		self->port = g_inet_socket_address_get_port (isa);
		self->has_bound = TRUE;
		self->bound.family = g_inet_address_get_family (eaddr);
		memcpy (self->bound.addr, g_inet_address_to_bytes (eaddr), MIN (len, 16));
		self->bound.port = self->port;
	}
	g_socket_service_start (self->service);
	if (self->retry_source == NULL)
		self->retry_source = remsim_bankd_attach_timeout (
		    self, self->retry_interval_ms, remsim_bankd_retry_cb, self);
	g_message ("listening for clients on %s port %u",
		   host,
		   g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
	return TRUE;
}

guint16
remsim_bankd_get_port (RemsimBankd *self)
{
	g_return_val_if_fail (REMSIM_IS_BANKD (self), 0);
	return self->port;
}

void
remsim_bankd_connect_server (RemsimBankd *self, const gchar *host, guint16 port)
{
	g_return_if_fail (REMSIM_IS_BANKD (self));
	g_return_if_fail (host != NULL);

	if (self->connector != NULL) {
		remsim_connector_set_target (self->connector, host, port);
		remsim_connector_start (self->connector);
		return;
	}
	self->connector = remsim_connector_new (host, port);
	remsim_connector_set_keepalive (self->connector, self->ka_interval_ms, self->ka_timeout_ms);
	g_signal_connect (
	    self->connector, "connected", G_CALLBACK (remsim_bankd_server_connected_cb), self);
	g_signal_connect (self->connector,
			  "disconnected",
			  G_CALLBACK (remsim_bankd_server_disconnected_cb),
			  self);
	remsim_connector_start (self->connector);
}

gboolean
remsim_bankd_is_server_connected (RemsimBankd *self)
{
	g_return_val_if_fail (REMSIM_IS_BANKD (self), FALSE);
	return self->server_connected;
}

void
remsim_bankd_stop (RemsimBankd *self)
{
	g_return_if_fail (REMSIM_IS_BANKD (self));

	if (self->connector != NULL) {
		g_signal_handlers_disconnect_by_data (self->connector, self);
		remsim_connector_stop (self->connector);
		g_clear_object (&self->connector);
	}
	remsim_bankd_drop_server_link (self);
	self->server_connected = FALSE;
	if (self->service != NULL) {
		g_signal_handlers_disconnect_by_data (self->service, self);
		g_socket_service_stop (self->service);
		g_socket_listener_close (G_SOCKET_LISTENER (self->service));
		g_clear_object (&self->service);
	}
	remsim_bankd_clear_source (&self->retry_source);
	while (self->clients != NULL)
		remsim_bankd_client_destroy (self->clients->data, "bankd stopping");
	for (guint i = 0; i < self->num_slots && self->slots != NULL; i++)
		remsim_bankd_slot_close_card (self->slots[i]);
}

/* GObject --------------------------------------------------------------- */

static void
remsim_bankd_dispose (GObject *object)
{
	RemsimBankd *self = REMSIM_BANKD (object);

	remsim_bankd_stop (self);
	for (guint i = 0; i < self->num_slots && self->slots != NULL; i++) {
		RemsimBankdSlot *slot = self->slots[i];

		if (slot->source != NULL)
			g_clear_signal_handler (&slot->card_changed_id, slot->source);
		slot->bankd = NULL;
		remsim_bankd_slot_unref (slot);
	}
	g_clear_pointer (&self->slots, g_free);
	G_OBJECT_CLASS (remsim_bankd_parent_class)->dispose (object);
}

static void
remsim_bankd_finalize (GObject *object)
{
	RemsimBankd *self = REMSIM_BANKD (object);

	g_hash_table_unref (self->map_by_client);
	g_hash_table_unref (self->client_by_slot);
	g_free (self->component_name);
	g_clear_pointer (&self->gsmtap, remsim_gsmtap_free);
	g_main_context_unref (self->context);
	G_OBJECT_CLASS (remsim_bankd_parent_class)->finalize (object);
}

static void
remsim_bankd_init (RemsimBankd *self)
{
	self->context = g_main_context_ref_thread_default ();
	self->identify_timeout_ms = REMSIM_BANKD_DEFAULT_IDENTIFY_TIMEOUT_MS;
	self->retry_interval_ms = REMSIM_BANKD_DEFAULT_RETRY_INTERVAL_MS;
	self->ka_interval_ms = REMSIM_LINK_DEFAULT_KEEPALIVE_INTERVAL_MS;
	self->ka_timeout_ms = REMSIM_LINK_DEFAULT_KEEPALIVE_TIMEOUT_MS;
	self->map_by_client = g_hash_table_new (remsim_client_slot_hash, remsim_client_slot_equal);
	self->client_by_slot = g_hash_table_new (remsim_client_slot_hash, remsim_client_slot_equal);
	self->trace = !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
}

static void
remsim_bankd_class_init (RemsimBankdClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->dispose = remsim_bankd_dispose;
	object_class->finalize = remsim_bankd_finalize;

	signals[SIGNAL_SERVER_CONNECTED] = g_signal_new ("server-connected",
							 G_TYPE_FROM_CLASS (klass),
							 G_SIGNAL_RUN_LAST,
							 0,
							 NULL,
							 NULL,
							 NULL,
							 G_TYPE_NONE,
							 0);
	signals[SIGNAL_SERVER_DISCONNECTED] = g_signal_new ("server-disconnected",
							    G_TYPE_FROM_CLASS (klass),
							    G_SIGNAL_RUN_LAST,
							    0,
							    NULL,
							    NULL,
							    NULL,
							    G_TYPE_NONE,
							    1,
							    G_TYPE_STRING);
	signals[SIGNAL_SERVER_REJECTED] = g_signal_new ("server-rejected",
							G_TYPE_FROM_CLASS (klass),
							G_SIGNAL_RUN_LAST,
							0,
							NULL,
							NULL,
							NULL,
							G_TYPE_NONE,
							1,
							G_TYPE_STRING);
	signals[SIGNAL_SLOT_CHANGED] = g_signal_new ("slot-changed",
						     G_TYPE_FROM_CLASS (klass),
						     G_SIGNAL_RUN_LAST,
						     0,
						     NULL,
						     NULL,
						     g_cclosure_marshal_VOID__UINT,
						     G_TYPE_NONE,
						     1,
						     G_TYPE_UINT);
	signals[SIGNAL_SLOT_COUNTERS_CHANGED] = g_signal_new ("slot-counters-changed",
							      G_TYPE_FROM_CLASS (klass),
							      G_SIGNAL_RUN_LAST,
							      0,
							      NULL,
							      NULL,
							      g_cclosure_marshal_VOID__UINT,
							      G_TYPE_NONE,
							      1,
							      G_TYPE_UINT);
}
