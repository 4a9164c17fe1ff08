/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-client-slot-session.h"
#include "remsim-connector.h"
#include "remsim-error.h"
#include "remsim-event-script.h"
#include "remsim-rspro.h"

/* TPDU length limits of RSPRO peers (upstream client and bankd) */
#define REMSIM_CLIENT_TPDU_MIN 5
#define REMSIM_CLIENT_TPDU_MAX 260

/* the link of one RSPRO connection (server or bankd) while it is up */
typedef struct {
	RemsimLink *link;
	gulong message_id;
	/* waiting for ConnectClientRes */
	GSource *res_source;
} RemsimClientSlotSessionLink;

struct _RemsimClientSlotSession {
	GObject parent_instance;

	RemsimClientSlot slot;
	gchar name[32];
	GMainContext *context;
	gboolean running;

	/* settings */
	GBytes *default_atr;
	gboolean atr_ignore_rspro;
	gchar *script;
	guint script_timeout_ms;
	guint ka_interval_ms;
	guint ka_timeout_ms;
	gchar *component_name;
	guint connect_res_timeout_ms;

	/* the sink */
	RemsimCardSink *sink;
	gboolean sink_started;
	gulong sink_command_id;
	gulong sink_status_id;
	gulong sink_reset_id;
	gulong sink_finished_id;
	RemsimCardSinkStatus last_status;

	RemsimClientState state;

	/* the server connection */
	gchar *server_host;
	guint16 server_port;
	RemsimConnector *server_conn;
	RemsimClientSlotSessionLink server;
	gboolean server_connected;
	gboolean server_ever_connected;
	gboolean server_rejected;

	/* the bankd connection */
	gchar *bankd_host;
	guint16 bankd_port;
	RemsimBankSlot bank_slot;
	RemsimConnector *bankd_conn;
	RemsimClientSlotSessionLink bankd;
	gboolean bankd_accepted;
	gboolean card_present;

	/* for remsim_client_slot_session_get_info() */
	GBytes *atr; /* presented to the modem */
	guint64 apdu_count;
	gboolean counters_armed; /* emit "counters-changed" on the next change */
};

G_DEFINE_FINAL_TYPE (RemsimClientSlotSession, remsim_client_slot_session, G_TYPE_OBJECT)

enum {
	SIGNAL_STATE_CHANGED,
	SIGNAL_SERVER_REJECTED,
	SIGNAL_SINK_FINISHED,
	SIGNAL_CHANGED,
	SIGNAL_COUNTERS_CHANGED,
	SIGNAL_LAST,
};

static guint signals[SIGNAL_LAST] = {0};

/* what remsim_client_slot_session_get_info() shows may have changed */
static void
remsim_client_slot_session_changed (RemsimClientSlotSession *self)
{
	g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

const gchar *
remsim_client_state_to_string (RemsimClientState state)
{
	switch (state) {
	case REMSIM_CLIENT_STATE_INIT:
		return "INIT";
	case REMSIM_CLIENT_STATE_UNCONFIGURED:
		return "UNCONFIGURED";
	case REMSIM_CLIENT_STATE_WAIT_BANKD:
		return "WAIT_BANKD";
	case REMSIM_CLIENT_STATE_OPERATIONAL:
		return "OPERATIONAL";
	default:
		return "?";
	}
}

/* helpers -------------------------------------------------------------- */

static void
remsim_client_slot_session_clear_source (GSource **source)
{
	if (*source == NULL)
		return;
	g_source_destroy (*source);
	g_clear_pointer (source, g_source_unref);
}

static GSource *
remsim_client_slot_session_attach_timeout (RemsimClientSlotSession *self,
					   guint ms,
					   GSourceFunc func)
{
	GSource *source = g_timeout_source_new (ms);

	g_source_set_callback (source, func, self, NULL);
	g_source_attach (source, self->context);
	return source;
}

static void
remsim_client_slot_session_update_name (RemsimClientSlotSession *self)
{
	g_snprintf (
	    self->name, sizeof (self->name), "C%u:%u", self->slot.client_id, self->slot.slot_nr);
}

static gboolean
remsim_client_slot_session_send (RemsimClientSlotSession *self,
				 RemsimLink *link,
				 const RemsimRsproMsg *msg)
{
	g_autoptr (GError) error = NULL;

	if (link == NULL)
		return FALSE;
	if (!remsim_link_send (link, msg, &error)) {
		g_message ("%s: cannot send %s to %s: %s",
			   self->name,
			   remsim_rspro_type_to_string (msg->type),
			   remsim_link_get_name (link),
			   error->message);
		return FALSE;
	}
	return TRUE;
}

static void
remsim_client_slot_session_send_result (RemsimClientSlotSession *self,
					RemsimLink *link,
					RemsimRsproType type,
					RemsimResultCode result)
{
	RemsimRsproMsg msg = {0};

	msg.type = type;
	msg.version = REMSIM_RSPRO_VERSION;
	msg.result = result;
	(void)remsim_client_slot_session_send (self, link, &msg);
}

static void
remsim_client_slot_session_send_connect_req (RemsimClientSlotSession *self, RemsimLink *link)
{
	g_autoptr (RemsimRsproMsg) req = remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_CLIENT_REQ);

	remsim_component_identity_init_self (
	    &req->identity, REMSIM_COMPONENT_CLIENT, self->component_name);
	req->has_client_slot = TRUE;
	req->client_slot = self->slot;
	(void)remsim_client_slot_session_send (self, link, req);
}

/* event script ---------------------------------------------------------- */

/* the connection FSM state names upstream puts into the environment */
static const gchar *
remsim_client_slot_session_conn_state (RemsimConnector *conn,
				       RemsimLink *link,
				       gboolean accepted,
				       gboolean active)
{
	if (conn == NULL || !active)
		return "INIT";
	if (link != NULL && accepted)
		return "CONNECTED";
	if (link != NULL)
		return "ESTABLISHED";
	return "REESTABLISH";
}

static gchar *
remsim_client_slot_session_hostport (const gchar *host, guint16 port)
{
	if (host == NULL)
		return g_strdup ("0.0.0.0:0");
	if (strchr (host, ':') != NULL)
		return g_strdup_printf ("[%s]:%u", host, port);
	return g_strdup_printf ("%s:%u", host, port);
}

/* "NAME=<the sink's property @prop as text>" if the sink has that property
 * (read generically: the core does not know the plugin's types); a NULL
 * string gives an empty value */
static void
remsim_client_slot_session_add_prop_var (RemsimClientSlotSession *self,
					 GPtrArray *vars,
					 const gchar *name,
					 const gchar *prop)
{
	GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self->sink), prop);
	g_auto (GValue) value = G_VALUE_INIT;
	g_auto (GValue) str = G_VALUE_INIT;

	if (pspec == NULL || (pspec->flags & G_PARAM_READABLE) == 0 ||
	    !g_value_type_transformable (pspec->value_type, G_TYPE_STRING))
		return;
	g_value_init (&value, pspec->value_type);
	g_object_get_property (G_OBJECT (self->sink), prop, &value);
	g_value_init (&str, G_TYPE_STRING);
	if (!g_value_transform (&value, &str))
		return;
	g_ptr_array_add (
	    vars,
	    g_strdup_printf (
		"%s=%s", name, g_value_get_string (&str) != NULL ? g_value_get_string (&str) : ""));
}

static void
remsim_client_slot_session_script (RemsimClientSlotSession *self, const gchar *cause)
{
	g_autoptr (GPtrArray) vars = NULL;
	g_autofree gchar *server = NULL;
	g_autofree gchar *bankd = NULL;
	gboolean bankd_active = self->state >= REMSIM_CLIENT_STATE_WAIT_BANKD;

	if (self->script == NULL)
		return;
	server = remsim_client_slot_session_hostport (self->server_host, self->server_port);
	bankd = remsim_client_slot_session_hostport (self->bankd_host, self->bankd_port);
	vars = g_ptr_array_new_with_free_func (g_free);
	g_ptr_array_add (vars, g_strdup ("REMSIM_CLIENT_VERSION=" PACKAGE_VERSION));
	g_ptr_array_add (vars, g_strdup_printf ("REMSIM_SERVER_ADDR=%s", server));
	g_ptr_array_add (
	    vars,
	    g_strdup_printf (
		"REMSIM_SERVER_STATE=%s",
		remsim_client_slot_session_conn_state (
		    self->server_conn, self->server.link, self->server_connected, self->running)));
	g_ptr_array_add (vars, g_strdup_printf ("REMSIM_BANKD_ADDR=%s", bankd));
	g_ptr_array_add (
	    vars,
	    g_strdup_printf (
		"REMSIM_BANKD_STATE=%s",
		remsim_client_slot_session_conn_state (
		    self->bankd_conn, self->bankd.link, self->bankd_accepted, bankd_active)));
	g_ptr_array_add (
	    vars,
	    g_strdup_printf ("REMSIM_CLIENT_SLOT=%u:%u", self->slot.client_id, self->slot.slot_nr));
	g_ptr_array_add (vars,
			 g_strdup_printf ("REMSIM_BANKD_SLOT=%u:%u",
					  self->bank_slot.bank_id,
					  self->bank_slot.slot_nr));
	g_ptr_array_add (
	    vars,
	    g_strdup_printf ("REMSIM_SIM_VCC=%u", self->last_status.vcc == REMSIM_TRISTATE_ON));
	g_ptr_array_add (
	    vars,
	    g_strdup_printf ("REMSIM_SIM_RST=%u", self->last_status.rst == REMSIM_TRISTATE_ON));
	g_ptr_array_add (
	    vars,
	    g_strdup_printf ("REMSIM_SIM_CLK=%u", self->last_status.clk == REMSIM_TRISTATE_ON));
	/* sinks on a USB device (cardem-st2) tell which one */
	remsim_client_slot_session_add_prop_var (self, vars, "REMSIM_USB_PATH", "usb-path");
	remsim_client_slot_session_add_prop_var (
	    self, vars, "REMSIM_USB_INTERFACE", "usb-interface");
	g_ptr_array_add (vars, NULL);
	(void)remsim_event_script_run (self->script,
				       cause,
				       (const gchar *const *)vars->pdata,
				       self->script_timeout_ms,
				       self->name);
}

/* main FSM -------------------------------------------------------------- */

static void
remsim_client_slot_session_card_absent (RemsimClientSlotSession *self)
{
	g_autoptr (GError) error = NULL;

	if (!self->card_present)
		return;
	self->card_present = FALSE;
	g_clear_pointer (&self->atr, g_bytes_unref);
	remsim_client_slot_session_changed (self);
	if (self->sink_started && !remsim_card_sink_set_card_present (self->sink, FALSE, &error))
		g_warning ("%s: sink: %s", self->name, error->message);
}

static void
remsim_client_slot_session_set_state (RemsimClientSlotSession *self, RemsimClientState state)
{
	RemsimClientState old = self->state;

	if (old == state)
		return;
	g_info ("%s: %s → %s",
		self->name,
		remsim_client_state_to_string (old),
		remsim_client_state_to_string (state));
	self->state = state;

	/* leaving OPERATIONAL: the modem loses the card */
	if (old == REMSIM_CLIENT_STATE_OPERATIONAL) {
		remsim_client_slot_session_card_absent (self);
		remsim_client_slot_session_script (self, "request-card-remove");
		remsim_client_slot_session_script (self, "request-sim-local");
		remsim_client_slot_session_script (self, "request-modem-reset");
	}
	if (state == REMSIM_CLIENT_STATE_OPERATIONAL) {
		remsim_client_slot_session_script (self, "request-sim-remote");
		remsim_client_slot_session_script (self, "request-card-insert");
		remsim_client_slot_session_script (self, "request-modem-reset");
	}
	g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, (guint)state);
	remsim_client_slot_session_changed (self);
}

/* either connection ---------------------------------------------------- */

/* the link is gone (or replaced): forget it and the wait for ConnectClientRes */
static void
remsim_client_slot_session_drop_link (RemsimClientSlotSession *self,
				      RemsimClientSlotSessionLink *l,
				      gboolean *up)
{
	gboolean was_up = *up;

	remsim_client_slot_session_clear_source (&l->res_source);
	*up = FALSE;
	if (was_up)
		remsim_client_slot_session_changed (self);
	if (l->link == NULL)
		return;
	g_clear_signal_handler (&l->message_id, l->link);
	g_clear_object (&l->link);
}

/* a new link (the old one dropped): listen, identify and wait for the answer */
static void
remsim_client_slot_session_attach_link (RemsimClientSlotSession *self,
					RemsimClientSlotSessionLink *l,
					RemsimLink *link,
					const gchar *name,
					GCallback message_cb,
					GSourceFunc res_timeout_cb)
{
	l->link = g_object_ref (link);
	remsim_link_set_name (link, name);
	l->message_id = g_signal_connect (link, "message", message_cb, self);
	remsim_client_slot_session_send_connect_req (self, link);
	l->res_source = remsim_client_slot_session_attach_timeout (
	    self, self->connect_res_timeout_ms, res_timeout_cb);
}

static gboolean
remsim_client_slot_session_res_timeout (RemsimClientSlotSession *self,
					RemsimClientSlotSessionLink *l,
					RemsimConnector *conn,
					const gchar *peer)
{
	g_clear_pointer (&l->res_source, g_source_unref);
	g_message ("%s: no ConnectClientRes from %s within %u ms; reconnecting",
		   self->name,
		   peer,
		   self->connect_res_timeout_ms);
	remsim_connector_restart (conn, "no ConnectClientRes in time");
	return G_SOURCE_REMOVE;
}

/* bankd connection ------------------------------------------------------ */

static void
remsim_client_slot_session_drop_bankd_link (RemsimClientSlotSession *self)
{
	remsim_client_slot_session_drop_link (self, &self->bankd, &self->bankd_accepted);
}

/* forget the bankd: close the connection, stop reconnecting */
static void
remsim_client_slot_session_bankd_stop (RemsimClientSlotSession *self)
{
	remsim_client_slot_session_drop_bankd_link (self);
	if (self->bankd_conn != NULL)
		remsim_connector_stop (self->bankd_conn);
}

static gboolean
remsim_client_slot_session_bankd_res_timeout_cb (gpointer user_data)
{
	RemsimClientSlotSession *self = REMSIM_CLIENT_SLOT_SESSION (user_data);

	return remsim_client_slot_session_res_timeout (
	    self, &self->bankd, self->bankd_conn, "the bankd");
}

static void
remsim_client_slot_session_handle_bankd_connect_res (RemsimClientSlotSession *self,
						     const RemsimRsproMsg *msg)
{
	remsim_client_slot_session_clear_source (&self->bankd.res_source);
	if (self->bankd_accepted)
		return;
	if (msg->identity.type != REMSIM_COMPONENT_BANKD) {
		g_warning ("%s: %s:%u answered as a %s, not as a remsim-bankd; check the "
			   "bankd address the server hands out; giving up on it",
			   self->name,
			   self->bankd_host,
			   self->bankd_port,
			   remsim_component_type_to_string (msg->identity.type));
		remsim_client_slot_session_bankd_stop (self);
		return;
	}
	if (msg->result != REMSIM_RESULT_OK && msg->result != REMSIM_RESULT_CARD_NOT_PRESENT) {
		g_autofree gchar *reason = g_strdup_printf (
		    "ConnectClientRes(%s)", remsim_result_code_to_string (msg->result));

		g_message ("%s: bankd %s:%u refused us: %s; trying again",
			   self->name,
			   self->bankd_host,
			   self->bankd_port,
			   reason);
		remsim_connector_restart (self->bankd_conn, reason);
		return;
	}
	self->bankd_accepted = TRUE;
	remsim_client_slot_session_changed (self);
	g_message ("%s: connected to bankd %s:%u for B%u:%u%s",
		   self->name,
		   self->bankd_host,
		   self->bankd_port,
		   self->bank_slot.bank_id,
		   self->bank_slot.slot_nr,
		   msg->result == REMSIM_RESULT_OK ? "" : " (no card yet, waiting for it)");
	if (self->state == REMSIM_CLIENT_STATE_WAIT_BANKD) {
		remsim_client_slot_session_script (self, "event-bankd-connect");
		remsim_client_slot_session_set_state (self, REMSIM_CLIENT_STATE_OPERATIONAL);
	}
}

static void
remsim_client_slot_session_handle_set_atr (RemsimClientSlotSession *self,
					   RemsimLink *link,
					   const RemsimRsproMsg *msg)
{
	g_autoptr (GError) error = NULL;
	GBytes *atr = msg->data;
	gsize len = atr != NULL ? g_bytes_get_size (atr) : 0;

	if (self->state != REMSIM_CLIENT_STATE_OPERATIONAL) {
		g_message ("%s: SetAtrReq before ConnectClientRes; dropped", self->name);
		return;
	}
	if (self->atr_ignore_rspro || len == 0) {
		if (len == 0)
			g_message ("%s: SetAtrReq without ATR; using the default one", self->name);
		atr = self->default_atr;
	}
	g_info ("%s: ATR of %" G_GSIZE_FORMAT " bytes from the bankd%s",
		self->name,
		len,
		self->atr_ignore_rspro ? " (ignored, using the configured one)" : "");
	remsim_client_slot_session_send_result (
	    self, link, REMSIM_RSPRO_SET_ATR_RES, REMSIM_RESULT_OK);
	if (!self->sink_started)
		return;
	if (!remsim_card_sink_set_atr (self->sink, atr, &error)) {
		g_warning ("%s: sink: %s", self->name, error->message);
		g_clear_error (&error);
	}
	if (!self->card_present) {
		self->card_present = TRUE;
		if (!remsim_card_sink_set_card_present (self->sink, TRUE, &error))
			g_warning ("%s: sink: %s", self->name, error->message);
	}
	g_clear_pointer (&self->atr, g_bytes_unref);
	self->atr = g_bytes_ref (atr);
	remsim_client_slot_session_changed (self);
}

static void
remsim_client_slot_session_handle_tpdu (RemsimClientSlotSession *self, const RemsimRsproMsg *msg)
{
	g_autoptr (GError) error = NULL;

	if (G_UNLIKELY (!self->card_present || msg->data == NULL)) {
		g_message ("%s: TpduCardToModem while no card is presented; dropped", self->name);
		return;
	}
	if (G_UNLIKELY (!msg->has_client_slot ||
			!remsim_client_slot_equal (&msg->client_slot, &self->slot) ||
			!msg->has_bank_slot ||
			!remsim_bank_slot_equal (&msg->bank_slot, &self->bank_slot))) {
		g_message ("%s: TpduCardToModem from B%u:%u to C%u:%u is not ours "
			   "(B%u:%u → %s); dropped",
			   self->name,
			   msg->bank_slot.bank_id,
			   msg->bank_slot.slot_nr,
			   msg->client_slot.client_id,
			   msg->client_slot.slot_nr,
			   self->bank_slot.bank_id,
			   self->bank_slot.slot_nr,
			   self->name);
		return;
	}
	if (!remsim_card_sink_deliver_response (self->sink, msg->data, &error))
		g_warning ("%s: sink: %s", self->name, error->message);
	self->apdu_count++;
	if (G_UNLIKELY (self->counters_armed)) {
		self->counters_armed = FALSE;
		g_signal_emit (self, signals[SIGNAL_COUNTERS_CHANGED], 0);
	}
}

static void
remsim_client_slot_session_bankd_message_cb (RemsimLink *link,
					     RemsimRsproMsg *msg,
					     gpointer user_data)
{
	g_autoptr (RemsimClientSlotSession) self =
	    g_object_ref (REMSIM_CLIENT_SLOT_SESSION (user_data));

	if (link != self->bankd.link)
		return;
	switch (msg->type) {
	case REMSIM_RSPRO_TPDU_CARD_TO_MODEM:
		remsim_client_slot_session_handle_tpdu (self, msg);
		return;
	case REMSIM_RSPRO_CONNECT_CLIENT_RES:
		remsim_client_slot_session_handle_bankd_connect_res (self, msg);
		return;
	case REMSIM_RSPRO_SET_ATR_REQ:
		remsim_client_slot_session_handle_set_atr (self, link, msg);
		return;
	case REMSIM_RSPRO_BANK_SLOT_STATUS_IND:
		g_debug ("%s: BankSlotStatusInd ignored", self->name);
		return;
	default:
		g_info (
		    "%s: bankd: ignoring %s", self->name, remsim_rspro_type_to_string (msg->type));
		return;
	}
}

static void
remsim_client_slot_session_bankd_connected_cb (RemsimConnector *conn,
					       RemsimLink *link,
					       gpointer user_data)
{
	RemsimClientSlotSession *self = REMSIM_CLIENT_SLOT_SESSION (user_data);

	remsim_client_slot_session_drop_bankd_link (self);
	g_debug (
	    "%s: TCP connection to bankd %s:%u up", self->name, self->bankd_host, self->bankd_port);
	remsim_client_slot_session_attach_link (
	    self,
	    &self->bankd,
	    link,
	    "bankd",
	    G_CALLBACK (remsim_client_slot_session_bankd_message_cb),
	    remsim_client_slot_session_bankd_res_timeout_cb);
}

static void
remsim_client_slot_session_bankd_disconnected_cb (RemsimConnector *conn,
						  const gchar *reason,
						  gpointer user_data)
{
	g_autoptr (RemsimClientSlotSession) self =
	    g_object_ref (REMSIM_CLIENT_SLOT_SESSION (user_data));
	gboolean was_up = self->bankd.link != NULL;

	remsim_client_slot_session_drop_bankd_link (self);
	if (was_up)
		g_message ("%s: lost the bankd connection (%s); reconnecting", self->name, reason);
	else
		g_debug ("%s: bankd: %s", self->name, reason);
	if (self->state == REMSIM_CLIENT_STATE_OPERATIONAL)
		remsim_client_slot_session_set_state (self, REMSIM_CLIENT_STATE_WAIT_BANKD);
}

static void
remsim_client_slot_session_bankd_connect (RemsimClientSlotSession *self)
{
	if (self->bankd_conn == NULL) {
		self->bankd_conn = remsim_connector_new (self->bankd_host, self->bankd_port);
		remsim_connector_set_keepalive (
		    self->bankd_conn, self->ka_interval_ms, self->ka_timeout_ms);
		g_signal_connect (self->bankd_conn,
				  "connected",
				  G_CALLBACK (remsim_client_slot_session_bankd_connected_cb),
				  self);
		g_signal_connect (self->bankd_conn,
				  "disconnected",
				  G_CALLBACK (remsim_client_slot_session_bankd_disconnected_cb),
				  self);
		remsim_connector_start (self->bankd_conn);
		return;
	}
	/* closes a link to the old address (emitting "disconnected") and
	 * connects at once */
	remsim_connector_stop (self->bankd_conn);
	remsim_connector_set_target (self->bankd_conn, self->bankd_host, self->bankd_port);
	remsim_connector_start (self->bankd_conn);
}

/* server connection ----------------------------------------------------- */

static void
remsim_client_slot_session_handle_config_bank (RemsimClientSlotSession *self,
					       RemsimLink *link,
					       const RemsimRsproMsg *msg)
{
	g_autoptr (GInetAddress) addr = NULL;
	g_autofree gchar *host = NULL;
	guint16 port = (guint16)msg->bound.port;
	gboolean same;

	if (msg->bound.family == G_SOCKET_FAMILY_IPV6)
		addr = g_inet_address_new_from_bytes (msg->bound.addr, G_SOCKET_FAMILY_IPV6);
	else
		addr = g_inet_address_new_from_bytes (msg->bound.addr, G_SOCKET_FAMILY_IPV4);
	host = g_inet_address_to_string (addr);

	/* the same bankd: keep the session, even for another bank slot. The
	 * bankd decides which card a client gets from its own mappings and
	 * closes a connection whose mapping went away, so a session that is
	 * still up already serves the new slot (we may have reconnected
	 * before the server told us about the new mapping) */
	same = port != 0 && self->state >= REMSIM_CLIENT_STATE_WAIT_BANKD &&
	       g_strcmp0 (host, self->bankd_host) == 0 && port == self->bankd_port;

	g_free (self->bankd_host);
	self->bankd_host = g_steal_pointer (&host);
	self->bankd_port = port;
	self->bank_slot = msg->bank_slot;

	if (port == 0) {
		g_message ("%s: the server removed our bankd; disconnecting from it", self->name);
		remsim_client_slot_session_bankd_stop (self);
		remsim_client_slot_session_set_state (self, REMSIM_CLIENT_STATE_UNCONFIGURED);
	} else if (same) {
		/* e.g. after a server restart: the running session stays */
		g_message ("%s: bankd %s:%u, bank slot B%u:%u (session kept)",
			self->name,
			self->bankd_host,
			self->bankd_port,
			self->bank_slot.bank_id,
			self->bank_slot.slot_nr);
	} else {
		g_message ("%s: bankd %s:%u, bank slot B%u:%u",
			   self->name,
			   self->bankd_host,
			   self->bankd_port,
			   self->bank_slot.bank_id,
			   self->bank_slot.slot_nr);
		remsim_client_slot_session_drop_bankd_link (self);
		remsim_client_slot_session_set_state (self, REMSIM_CLIENT_STATE_WAIT_BANKD);
		remsim_client_slot_session_bankd_connect (self);
	}
	remsim_client_slot_session_send_result (
	    self, link, REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES, REMSIM_RESULT_OK);
	remsim_client_slot_session_changed (self);
	remsim_client_slot_session_script (self, "event-config-bankd");
}

static void
remsim_client_slot_session_handle_config_id (RemsimClientSlotSession *self,
					     RemsimLink *link,
					     const RemsimRsproMsg *msg)
{
	if (msg->has_client_slot && !remsim_client_slot_equal (&msg->client_slot, &self->slot)) {
		g_message ("%s: the server renames us to C%u:%u",
			   self->name,
			   msg->client_slot.client_id,
			   msg->client_slot.slot_nr);
		self->slot = msg->client_slot;
		remsim_client_slot_session_update_name (self);
		remsim_client_slot_session_changed (self);
		/* the bankd knows us by the old slot: connect again */
		if (self->bankd_conn != NULL && self->state >= REMSIM_CLIENT_STATE_WAIT_BANKD) {
			remsim_client_slot_session_drop_bankd_link (self);
			remsim_client_slot_session_set_state (self, REMSIM_CLIENT_STATE_WAIT_BANKD);
			remsim_client_slot_session_bankd_connect (self);
		}
	}
	remsim_client_slot_session_send_result (
	    self, link, REMSIM_RSPRO_CONFIG_CLIENT_ID_RES, REMSIM_RESULT_OK);
}

static void
remsim_client_slot_session_drop_server_link (RemsimClientSlotSession *self)
{
	remsim_client_slot_session_drop_link (self, &self->server, &self->server_connected);
}

static void
remsim_client_slot_session_handle_server_connect_res (RemsimClientSlotSession *self,
						      const RemsimRsproMsg *msg)
{
	remsim_client_slot_session_clear_source (&self->server.res_source);
	if (self->server_connected)
		return;
	if (msg->identity.type != REMSIM_COMPONENT_SERVER) {
		g_autofree gchar *reason = g_strdup_printf (
		    "%s:%u answered as a %s, not as a remsim-server; check your IP/port "
		    "configuration; giving up",
		    self->server_host,
		    self->server_port,
		    remsim_component_type_to_string (msg->identity.type));

		g_warning ("%s: %s", self->name, reason);
		self->server_rejected = TRUE;
		remsim_client_slot_session_drop_server_link (self);
		remsim_connector_stop (self->server_conn);
		g_signal_emit (self, signals[SIGNAL_SERVER_REJECTED], 0, reason);
		return;
	}
	if (msg->result != REMSIM_RESULT_OK) {
		g_autofree gchar *reason = g_strdup_printf (
		    "ConnectClientRes(%s)", remsim_result_code_to_string (msg->result));

		g_warning ("%s: remsim-server %s:%u refused us: %s; trying again",
			   self->name,
			   self->server_host,
			   self->server_port,
			   reason);
		remsim_connector_restart (self->server_conn, reason);
		return;
	}
	self->server_connected = TRUE;
	remsim_client_slot_session_changed (self);
	g_message ("%s: connected to remsim-server %s:%u",
		   self->name,
		   self->server_host,
		   self->server_port);
	if (self->state == REMSIM_CLIENT_STATE_INIT)
		remsim_client_slot_session_set_state (self, REMSIM_CLIENT_STATE_UNCONFIGURED);
	if (!self->server_ever_connected) {
		self->server_ever_connected = TRUE;
		remsim_client_slot_session_script (self, "event-server-connect");
	}
}

static void
remsim_client_slot_session_server_message_cb (RemsimLink *link,
					      RemsimRsproMsg *msg,
					      gpointer user_data)
{
	g_autoptr (RemsimClientSlotSession) self =
	    g_object_ref (REMSIM_CLIENT_SLOT_SESSION (user_data));

	if (link != self->server.link)
		return;
	switch (msg->type) {
	case REMSIM_RSPRO_CONNECT_CLIENT_RES:
		remsim_client_slot_session_handle_server_connect_res (self, msg);
		return;
	case REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ:
		remsim_client_slot_session_handle_config_bank (self, link, msg);
		return;
	case REMSIM_RSPRO_CONFIG_CLIENT_ID_REQ:
		remsim_client_slot_session_handle_config_id (self, link, msg);
		return;
	default:
		g_info (
		    "%s: server: ignoring %s", self->name, remsim_rspro_type_to_string (msg->type));
		return;
	}
}

static gboolean
remsim_client_slot_session_server_res_timeout_cb (gpointer user_data)
{
	RemsimClientSlotSession *self = REMSIM_CLIENT_SLOT_SESSION (user_data);

	return remsim_client_slot_session_res_timeout (
	    self, &self->server, self->server_conn, "the server");
}

static void
remsim_client_slot_session_server_connected_cb (RemsimConnector *conn,
						RemsimLink *link,
						gpointer user_data)
{
	RemsimClientSlotSession *self = REMSIM_CLIENT_SLOT_SESSION (user_data);

	remsim_client_slot_session_drop_server_link (self);
	remsim_client_slot_session_attach_link (
	    self,
	    &self->server,
	    link,
	    "server",
	    G_CALLBACK (remsim_client_slot_session_server_message_cb),
	    remsim_client_slot_session_server_res_timeout_cb);
}

static void
remsim_client_slot_session_server_disconnected_cb (RemsimConnector *conn,
						   const gchar *reason,
						   gpointer user_data)
{
	RemsimClientSlotSession *self = REMSIM_CLIENT_SLOT_SESSION (user_data);
	gboolean was_connected = self->server_connected;

	remsim_client_slot_session_drop_server_link (self);
	/* the bankd session (if any) goes on */
	if (was_connected)
		g_message (
		    "%s: lost the remsim-server connection (%s); reconnecting", self->name, reason);
	else
		g_debug ("%s: server: %s", self->name, reason);
}

/* the sink -------------------------------------------------------------- */

static void
remsim_client_slot_session_sink_command_cb (RemsimCardSink *sink, GBytes *tpdu, gpointer user_data)
{
	RemsimClientSlotSession *self = REMSIM_CLIENT_SLOT_SESSION (user_data);
	RemsimRsproMsg msg = {0};
	gsize len = g_bytes_get_size (tpdu);

	/* the sink sees a card only in OPERATIONAL with an ATR, and the card
	 * goes away (set_card_present FALSE) before the bankd link does */
	if (G_UNLIKELY (!self->card_present || self->bankd.link == NULL)) {
		g_message ("%s: command of %" G_GSIZE_FORMAT
			   " bytes while no card is presented; dropped",
			   self->name,
			   len);
		return;
	}
	if (G_UNLIKELY (len < REMSIM_CLIENT_TPDU_MIN || len > REMSIM_CLIENT_TPDU_MAX)) {
		g_message ("%s: command of %" G_GSIZE_FORMAT " bytes (allowed %u..%u); dropped",
			   self->name,
			   len,
			   REMSIM_CLIENT_TPDU_MIN,
			   REMSIM_CLIENT_TPDU_MAX);
		return;
	}
	msg.type = REMSIM_RSPRO_TPDU_MODEM_TO_CARD;
	msg.version = REMSIM_RSPRO_VERSION;
	msg.has_client_slot = TRUE;
	msg.client_slot = self->slot;
	msg.has_bank_slot = TRUE;
	msg.bank_slot = self->bank_slot;
	msg.data = tpdu;
	(void)remsim_client_slot_session_send (self, self->bankd.link, &msg);
}

static void
remsim_client_slot_session_send_status (RemsimClientSlotSession *self,
					const RemsimCardSinkStatus *status)
{
	RemsimRsproMsg msg = {0};

	if (!self->bankd_accepted || self->bankd.link == NULL) {
		g_debug ("%s: modem status not sent: no bankd", self->name);
		return;
	}
	msg.type = REMSIM_RSPRO_CLIENT_SLOT_STATUS_IND;
	msg.version = REMSIM_RSPRO_VERSION;
	msg.has_client_slot = TRUE;
	msg.client_slot = self->slot;
	msg.has_bank_slot = TRUE;
	msg.bank_slot = self->bank_slot;
	msg.phys_status.reset_active = status->rst == REMSIM_TRISTATE_ON;
	msg.phys_status.has_vcc_present = status->vcc != REMSIM_TRISTATE_UNKNOWN;
	msg.phys_status.vcc_present = status->vcc == REMSIM_TRISTATE_ON;
	msg.phys_status.has_clk_active = status->clk != REMSIM_TRISTATE_UNKNOWN;
	msg.phys_status.clk_active = status->clk == REMSIM_TRISTATE_ON;
	msg.phys_status.has_card_present = status->card != REMSIM_TRISTATE_UNKNOWN;
	msg.phys_status.card_present = status->card == REMSIM_TRISTATE_ON;
	(void)remsim_client_slot_session_send (self, self->bankd.link, &msg);
}

static void
remsim_client_slot_session_sink_status_cb (RemsimCardSink *sink,
					   const RemsimCardSinkStatus *status,
					   gpointer user_data)
{
	RemsimClientSlotSession *self = REMSIM_CLIENT_SLOT_SESSION (user_data);
	gboolean changed = memcmp (status, &self->last_status, sizeof (*status)) != 0;

	self->last_status = *status;
	remsim_client_slot_session_send_status (self, status);
	if (changed)
		remsim_client_slot_session_changed (self);
	if (changed)
		remsim_client_slot_session_script (self, "event-modem-status");
}

static void
remsim_client_slot_session_sink_reset_cb (RemsimCardSink *sink, gpointer user_data)
{
	RemsimClientSlotSession *self = REMSIM_CLIENT_SLOT_SESSION (user_data);
	/* a power cycle, as osmo-remsim-client-shell's RESET: first the card
	 * unpowered with reset active ... */
	const RemsimCardSinkStatus off = {
	    REMSIM_TRISTATE_OFF, REMSIM_TRISTATE_ON, REMSIM_TRISTATE_OFF, REMSIM_TRISTATE_ON};
	/* ... then powered and running again, so that the next reset is seen
	 * as a new VCC transition by the bankd */
	const RemsimCardSinkStatus on = {
	    REMSIM_TRISTATE_ON, REMSIM_TRISTATE_OFF, REMSIM_TRISTATE_ON, REMSIM_TRISTATE_ON};

	if (!self->bankd_accepted) {
		g_message ("%s: card reset requested while no bankd is connected; ignored",
			   self->name);
		return;
	}
	g_info ("%s: card reset requested", self->name);
	remsim_client_slot_session_send_status (self, &off);
	remsim_client_slot_session_send_status (self, &on);
}

static void
remsim_client_slot_session_sink_finished_cb (GObject *sink, gint status, gpointer user_data)
{
	RemsimClientSlotSession *self = REMSIM_CLIENT_SLOT_SESSION (user_data);

	g_info ("%s: the sink finished (status %d)", self->name, status);
	g_signal_emit (self, signals[SIGNAL_SINK_FINISHED], 0, status);
}

/* public API ------------------------------------------------------------ */

RemsimClientSlotSession *
remsim_client_slot_session_new (const RemsimClientSlot *slot,
				RemsimCardSink *sink,
				const gchar *server_host,
				guint16 server_port)
{
	RemsimClientSlotSession *self;

	g_return_val_if_fail (slot != NULL, NULL);
	g_return_val_if_fail (REMSIM_IS_CARD_SINK (sink), NULL);
	g_return_val_if_fail (server_host != NULL, NULL);

	self = g_object_new (REMSIM_TYPE_CLIENT_SLOT_SESSION, NULL);
	self->slot = *slot;
	remsim_client_slot_session_update_name (self);
	self->sink = g_object_ref (sink);
	self->server_host = g_strdup (server_host);
	self->server_port = server_port;
	return self;
}

void
remsim_client_slot_session_set_default_atr (RemsimClientSlotSession *self, GBytes *atr)
{
	g_return_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self));
	g_return_if_fail (atr != NULL);

	g_bytes_unref (self->default_atr);
	self->default_atr = g_bytes_ref (atr);
}

void
remsim_client_slot_session_set_atr_ignore_rspro (RemsimClientSlotSession *self, gboolean ignore)
{
	g_return_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self));
	self->atr_ignore_rspro = ignore;
}

void
remsim_client_slot_session_set_event_script (RemsimClientSlotSession *self,
					     const gchar *script,
					     guint timeout_ms)
{
	g_return_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self));

	g_free (self->script);
	self->script = script != NULL && script[0] != '\0' ? g_strdup (script) : NULL;
	self->script_timeout_ms = timeout_ms;
}

void
remsim_client_slot_session_set_keepalive (RemsimClientSlotSession *self,
					  guint interval_ms,
					  guint timeout_ms)
{
	g_return_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self));

	self->ka_interval_ms = interval_ms;
	self->ka_timeout_ms = timeout_ms;
	if (self->server_conn != NULL)
		remsim_connector_set_keepalive (self->server_conn, interval_ms, timeout_ms);
	if (self->bankd_conn != NULL)
		remsim_connector_set_keepalive (self->bankd_conn, interval_ms, timeout_ms);
}

void
remsim_client_slot_session_set_component_name (RemsimClientSlotSession *self, const gchar *name)
{
	g_return_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self));

	g_free (self->component_name);
	self->component_name = g_strdup (name);
}

void
remsim_client_slot_session_set_connect_res_timeout (RemsimClientSlotSession *self, guint timeout_ms)
{
	g_return_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self));
	self->connect_res_timeout_ms = MAX (timeout_ms, 1);
}

gboolean
remsim_client_slot_session_start (RemsimClientSlotSession *self, GError **error)
{
	guint finished_signal;

	g_return_val_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self), FALSE);
	g_return_val_if_fail (!self->running, FALSE);

	self->sink_command_id = g_signal_connect (
	    self->sink, "command", G_CALLBACK (remsim_client_slot_session_sink_command_cb), self);
	self->sink_status_id = g_signal_connect (
	    self->sink, "status", G_CALLBACK (remsim_client_slot_session_sink_status_cb), self);
	self->sink_reset_id =
	    g_signal_connect (self->sink,
			      "request-reset",
			      G_CALLBACK (remsim_client_slot_session_sink_reset_cb),
			      self);
	/* an optional signal of some sinks (the shell sink: EOF on its input) */
	finished_signal = g_signal_lookup ("finished", G_OBJECT_TYPE (self->sink));
	if (finished_signal != 0)
		self->sink_finished_id =
		    g_signal_connect (self->sink,
				      "finished",
				      G_CALLBACK (remsim_client_slot_session_sink_finished_cb),
				      self);
	if (!remsim_card_sink_start (self->sink, error)) {
		g_prefix_error (error, "%s: ", self->name);
		g_clear_signal_handler (&self->sink_command_id, self->sink);
		g_clear_signal_handler (&self->sink_status_id, self->sink);
		g_clear_signal_handler (&self->sink_reset_id, self->sink);
		g_clear_signal_handler (&self->sink_finished_id, self->sink);
		return FALSE;
	}
	self->sink_started = TRUE;
	remsim_card_sink_get_status (self->sink, &self->last_status);
	self->running = TRUE;
	remsim_client_slot_session_changed (self);

	self->server_conn = remsim_connector_new (self->server_host, self->server_port);
	remsim_connector_set_keepalive (
	    self->server_conn, self->ka_interval_ms, self->ka_timeout_ms);
	g_signal_connect (self->server_conn,
			  "connected",
			  G_CALLBACK (remsim_client_slot_session_server_connected_cb),
			  self);
	g_signal_connect (self->server_conn,
			  "disconnected",
			  G_CALLBACK (remsim_client_slot_session_server_disconnected_cb),
			  self);
	g_info ("%s: connecting to remsim-server %s:%u",
		self->name,
		self->server_host,
		self->server_port);
	remsim_connector_start (self->server_conn);
	return TRUE;
}

void
remsim_client_slot_session_stop (RemsimClientSlotSession *self)
{
	g_return_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self));

	self->running = FALSE;
	remsim_client_slot_session_drop_server_link (self);
	if (self->server_conn != NULL) {
		g_signal_handlers_disconnect_by_data (self->server_conn, self);
		remsim_connector_stop (self->server_conn);
		g_clear_object (&self->server_conn);
	}
	remsim_client_slot_session_drop_bankd_link (self);
	if (self->bankd_conn != NULL) {
		g_signal_handlers_disconnect_by_data (self->bankd_conn, self);
		remsim_connector_stop (self->bankd_conn);
		g_clear_object (&self->bankd_conn);
	}
	self->card_present = FALSE;
	if (self->sink != NULL) {
		g_clear_signal_handler (&self->sink_command_id, self->sink);
		g_clear_signal_handler (&self->sink_status_id, self->sink);
		g_clear_signal_handler (&self->sink_reset_id, self->sink);
		g_clear_signal_handler (&self->sink_finished_id, self->sink);
		if (self->sink_started)
			remsim_card_sink_stop (self->sink);
		self->sink_started = FALSE;
	}
}

RemsimCardSink *
remsim_client_slot_session_get_sink (RemsimClientSlotSession *self)
{
	g_return_val_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self), NULL);
	return self->sink;
}

void
remsim_client_slot_session_get_client_slot (RemsimClientSlotSession *self, RemsimClientSlot *slot)
{
	g_return_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self));
	g_return_if_fail (slot != NULL);
	*slot = self->slot;
}

const gchar *
remsim_client_slot_session_get_name (RemsimClientSlotSession *self)
{
	g_return_val_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self), NULL);
	return self->name;
}

RemsimClientState
remsim_client_slot_session_get_state (RemsimClientSlotSession *self)
{
	g_return_val_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self), REMSIM_CLIENT_STATE_INIT);
	return self->state;
}

gboolean
remsim_client_slot_session_is_server_connected (RemsimClientSlotSession *self)
{
	g_return_val_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self), FALSE);
	return self->server_connected;
}

gboolean
remsim_client_slot_session_is_card_present (RemsimClientSlotSession *self)
{
	g_return_val_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self), FALSE);
	return self->card_present;
}

void
remsim_client_slot_session_get_info (RemsimClientSlotSession *self, RemsimClientSlotInfo *info)
{
	g_return_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self));
	g_return_if_fail (info != NULL);

	memset (info, 0, sizeof (*info));
	info->state = self->state;
	info->server_connected = self->server_connected;
	info->bankd_connected = self->bankd_accepted;
	info->bankd_connecting =
	    !self->bankd_accepted && self->state >= REMSIM_CLIENT_STATE_WAIT_BANKD;
	if (self->bankd_host != NULL && self->bankd_port != 0) {
		info->bankd_address =
		    remsim_client_slot_session_hostport (self->bankd_host, self->bankd_port);
		info->bank_slot = self->bank_slot;
	}
	if (self->atr != NULL)
		info->atr = g_bytes_ref (self->atr);
	info->card_present = self->card_present;
	/* the sink's own view, also before start */
	remsim_card_sink_get_status (self->sink, &info->status);
	info->apdu_count = self->apdu_count;
	self->counters_armed = TRUE;
}

void
remsim_client_slot_info_clear (RemsimClientSlotInfo *info)
{
	g_return_if_fail (info != NULL);

	g_clear_pointer (&info->bankd_address, g_free);
	g_clear_pointer (&info->atr, g_bytes_unref);
}

void
remsim_client_slot_session_reconnect (RemsimClientSlotSession *self)
{
	gboolean bankd;

	g_return_if_fail (REMSIM_IS_CLIENT_SLOT_SESSION (self));

	if (!self->running || self->server_conn == NULL)
		return;
	bankd = self->bankd_conn != NULL && self->state >= REMSIM_CLIENT_STATE_WAIT_BANKD;
	g_message (
	    "%s: reconnecting to remsim-server%s", self->name, bankd ? " and the bankd" : "");
	/* the bankd first: the server's ConfigClientBankReq on the new
	 * connection then confirms the bankd we are connecting to */
	if (bankd) {
		remsim_client_slot_session_drop_bankd_link (self);
		remsim_client_slot_session_set_state (self, REMSIM_CLIENT_STATE_WAIT_BANKD);
		remsim_client_slot_session_bankd_connect (self);
	}
	remsim_client_slot_session_drop_server_link (self);
	self->server_rejected = FALSE;
	remsim_connector_stop (self->server_conn);
	remsim_connector_start (self->server_conn);
	remsim_client_slot_session_changed (self);
}

static void
remsim_client_slot_session_dispose (GObject *object)
{
	RemsimClientSlotSession *self = REMSIM_CLIENT_SLOT_SESSION (object);

	remsim_client_slot_session_stop (self);
	g_clear_object (&self->sink);
	G_OBJECT_CLASS (remsim_client_slot_session_parent_class)->dispose (object);
}

static void
remsim_client_slot_session_finalize (GObject *object)
{
	RemsimClientSlotSession *self = REMSIM_CLIENT_SLOT_SESSION (object);

	g_bytes_unref (self->default_atr);
	g_clear_pointer (&self->atr, g_bytes_unref);
	g_free (self->script);
	g_free (self->component_name);
	g_free (self->server_host);
	g_free (self->bankd_host);
	g_main_context_unref (self->context);
	G_OBJECT_CLASS (remsim_client_slot_session_parent_class)->finalize (object);
}

static void
remsim_client_slot_session_init (RemsimClientSlotSession *self)
{
	static const guint8 default_atr[] = {0x3b, 0x00};

	self->context = g_main_context_ref_thread_default ();
	self->default_atr = g_bytes_new_static (default_atr, sizeof (default_atr));
	self->ka_interval_ms = REMSIM_LINK_DEFAULT_KEEPALIVE_INTERVAL_MS;
	self->ka_timeout_ms = REMSIM_LINK_DEFAULT_KEEPALIVE_TIMEOUT_MS;
	self->script_timeout_ms = REMSIM_EVENT_SCRIPT_DEFAULT_TIMEOUT_MS;
	self->connect_res_timeout_ms = REMSIM_CLIENT_CONNECT_RES_TIMEOUT_MS;
	self->state = REMSIM_CLIENT_STATE_INIT;
	self->counters_armed = TRUE;
	self->last_status.vcc = REMSIM_TRISTATE_UNKNOWN;
	self->last_status.rst = REMSIM_TRISTATE_UNKNOWN;
	self->last_status.clk = REMSIM_TRISTATE_UNKNOWN;
	self->last_status.card = REMSIM_TRISTATE_UNKNOWN;
}

static void
remsim_client_slot_session_class_init (RemsimClientSlotSessionClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->dispose = remsim_client_slot_session_dispose;
	object_class->finalize = remsim_client_slot_session_finalize;

	signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed",
						      G_TYPE_FROM_CLASS (klass),
						      G_SIGNAL_RUN_LAST,
						      0,
						      NULL,
						      NULL,
						      g_cclosure_marshal_VOID__UINT,
						      G_TYPE_NONE,
						      1,
						      G_TYPE_UINT);
	signals[SIGNAL_SERVER_REJECTED] = g_signal_new ("server-rejected",
							G_TYPE_FROM_CLASS (klass),
							G_SIGNAL_RUN_LAST,
							0,
							NULL,
							NULL,
							g_cclosure_marshal_VOID__STRING,
							G_TYPE_NONE,
							1,
							G_TYPE_STRING);
	signals[SIGNAL_SINK_FINISHED] = g_signal_new ("sink-finished",
						      G_TYPE_FROM_CLASS (klass),
						      G_SIGNAL_RUN_LAST,
						      0,
						      NULL,
						      NULL,
						      g_cclosure_marshal_VOID__INT,
						      G_TYPE_NONE,
						      1,
						      G_TYPE_INT);
	signals[SIGNAL_CHANGED] = g_signal_new ("changed",
						G_TYPE_FROM_CLASS (klass),
						G_SIGNAL_RUN_LAST,
						0,
						NULL,
						NULL,
						g_cclosure_marshal_VOID__VOID,
						G_TYPE_NONE,
						0);
	signals[SIGNAL_COUNTERS_CHANGED] = g_signal_new ("counters-changed",
							 G_TYPE_FROM_CLASS (klass),
							 G_SIGNAL_RUN_LAST,
							 0,
							 NULL,
							 NULL,
							 g_cclosure_marshal_VOID__VOID,
							 G_TYPE_NONE,
							 0);
}
