/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-server-conn.h"
#include "remsim-slotmap.h"

struct _RemsimServerConn {
	GObject parent_instance;
	RemsimServerConnState state;
	RemsimLink *link;
	GInetSocketAddress *remote;
	gchar *remote_str;
	gchar *peer_name;
	gboolean has_identity;
	RemsimComponentIdentity identity;
	guint32 bank_id;
	guint32 number_of_slots;
	gboolean has_client_slot;
	RemsimClientSlot client_slot;
	gboolean has_bound;
	RemsimIpPort bound;
	GDateTime *connected_since;
	GSource *timer;
	GQueue unacked;
	GQueue deleting;
	RemsimBankSlot last_bank;
	RemsimIpPort last_address;
};

G_DEFINE_FINAL_TYPE (RemsimServerConn, remsim_server_conn, G_TYPE_OBJECT)

enum { PROP_0, PROP_STATE, PROP_LAST };
static GParamSpec *obj_props[PROP_LAST] = {NULL};
static guint remsim_server_conn_last_config_changed_signal = 0;

const gchar *
remsim_server_conn_state_to_string (RemsimServerConnState state)
{
	switch (state) {
	case REMSIM_SERVER_CONN_STATE_INIT:
		return "INIT";
	case REMSIM_SERVER_CONN_STATE_ESTABLISHED:
		return "ESTABLISHED";
	case REMSIM_SERVER_CONN_STATE_CONNECTED_CLIENT:
		return "CONNECTED_CLIENT";
	case REMSIM_SERVER_CONN_STATE_CONNECTED_BANKD:
		return "CONNECTED_BANKD";
	case REMSIM_SERVER_CONN_STATE_REJECTED:
		return "REJECTED";
	}
	return "UNKNOWN";
}

RemsimServerConnState
remsim_server_conn_get_state (RemsimServerConn *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER_CONN (self), REMSIM_SERVER_CONN_STATE_INIT);
	return self->state;
}

const gchar *
remsim_server_conn_get_peer_name (RemsimServerConn *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER_CONN (self), NULL);
	return self->peer_name;
}

const RemsimComponentIdentity *
remsim_server_conn_get_identity (RemsimServerConn *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER_CONN (self), NULL);
	return self->has_identity ? &self->identity : NULL;
}

guint32
remsim_server_conn_get_bank_id (RemsimServerConn *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER_CONN (self), 0);
	return self->bank_id;
}

guint32
remsim_server_conn_get_number_of_slots (RemsimServerConn *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER_CONN (self), 0);
	return self->number_of_slots;
}

const RemsimClientSlot *
remsim_server_conn_get_client_slot (RemsimServerConn *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER_CONN (self), NULL);
	return self->has_client_slot ? &self->client_slot : NULL;
}

const RemsimIpPort *
remsim_server_conn_get_bound (RemsimServerConn *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER_CONN (self), NULL);
	return self->has_bound ? &self->bound : NULL;
}

GInetSocketAddress *
remsim_server_conn_get_remote_address (RemsimServerConn *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER_CONN (self), NULL);
	return self->remote;
}

const gchar *
remsim_server_conn_get_remote_address_string (RemsimServerConn *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER_CONN (self), NULL);
	return self->remote_str;
}

GDateTime *
remsim_server_conn_get_connected_since (RemsimServerConn *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER_CONN (self), NULL);
	return self->connected_since;
}

RemsimLink *
remsim_server_conn_get_link (RemsimServerConn *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER_CONN (self), NULL);
	return self->link;
}

static gchar *
remsim_server_conn_address_to_string (GInetSocketAddress *addr)
{
	g_autofree gchar *ip = NULL;
	GInetAddress *inet;

	if (addr == NULL)
		return g_strdup ("unknown");
	inet = g_inet_socket_address_get_address (addr);
	ip = g_inet_address_to_string (inet);
	if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
		return g_strdup_printf ("[%s]:%u", ip, g_inet_socket_address_get_port (addr));
	return g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (addr));
}

RemsimServerConn *
remsim_server_conn_new (GSocketConnection *connection)
{
	RemsimServerConn *self;
	g_autoptr (GSocketAddress) remote = NULL;

	g_return_val_if_fail (G_IS_SOCKET_CONNECTION (connection), NULL);

	self = g_object_new (REMSIM_TYPE_SERVER_CONN, NULL);
	remote = g_socket_connection_get_remote_address (connection, NULL);
	if (remote != NULL && G_IS_INET_SOCKET_ADDRESS (remote))
		self->remote = G_INET_SOCKET_ADDRESS (g_steal_pointer (&remote));
	self->remote_str = remsim_server_conn_address_to_string (self->remote);
	self->peer_name = g_strdup (self->remote_str);
	self->link = remsim_link_new (G_IO_STREAM (connection), REMSIM_LINK_ROLE_SERVER);
	remsim_link_set_name (self->link, self->peer_name);
	return self;
}

void
remsim_server_conn_set_state (RemsimServerConn *self, RemsimServerConnState state)
{
	g_return_if_fail (REMSIM_IS_SERVER_CONN (self));
	if (self->state == state)
		return;
	g_debug ("%s: %s -> %s",
		 self->peer_name,
		 remsim_server_conn_state_to_string (self->state),
		 remsim_server_conn_state_to_string (state));
	self->state = state;
	g_object_notify_by_pspec (G_OBJECT (self), obj_props[PROP_STATE]);
}

static void
remsim_server_conn_set_peer_name (RemsimServerConn *self, gchar *name)
{
	g_free (self->peer_name);
	self->peer_name = name;
	if (self->link != NULL)
		remsim_link_set_name (self->link, name);
}

void
remsim_server_conn_set_bankd (RemsimServerConn *self,
			      const RemsimComponentIdentity *identity,
			      guint32 bank_id,
			      guint32 number_of_slots,
			      const RemsimIpPort *bound)
{
	g_return_if_fail (REMSIM_IS_SERVER_CONN (self));
	g_return_if_fail (identity != NULL);

	remsim_component_identity_clear (&self->identity);
	remsim_component_identity_copy_into (&self->identity, identity);
	self->has_identity = TRUE;
	self->bank_id = bank_id;
	self->number_of_slots = number_of_slots;
	self->has_bound = bound != NULL;
	if (bound != NULL)
		self->bound = *bound;
	g_clear_pointer (&self->connected_since, g_date_time_unref);
	self->connected_since = g_date_time_new_now_utc ();
	remsim_server_conn_set_peer_name (self, g_strdup_printf ("B%u", bank_id));
	remsim_server_conn_set_state (self, REMSIM_SERVER_CONN_STATE_CONNECTED_BANKD);
}

void
remsim_server_conn_set_client (RemsimServerConn *self,
			       const RemsimComponentIdentity *identity,
			       const RemsimClientSlot *slot)
{
	g_return_if_fail (REMSIM_IS_SERVER_CONN (self));
	g_return_if_fail (identity != NULL);
	g_return_if_fail (slot != NULL);

	remsim_component_identity_clear (&self->identity);
	remsim_component_identity_copy_into (&self->identity, identity);
	self->has_identity = TRUE;
	self->has_client_slot = TRUE;
	self->client_slot = *slot;
	g_clear_pointer (&self->connected_since, g_date_time_unref);
	self->connected_since = g_date_time_new_now_utc ();
	remsim_server_conn_set_peer_name (self, remsim_client_slot_to_string (slot));
	remsim_server_conn_set_state (self, REMSIM_SERVER_CONN_STATE_CONNECTED_CLIENT);
}

typedef struct {
	RemsimServerConn *self; /* not owned: the source dies with the conn */
	GSourceFunc func;
	gpointer data;
	GDestroyNotify destroy;
} RemsimServerConnTimer;

static void
remsim_server_conn_timer_free (gpointer ptr)
{
	RemsimServerConnTimer *timer = ptr;

	if (timer->destroy != NULL)
		timer->destroy (timer->data);
	g_free (timer);
}

static gboolean
remsim_server_conn_timer_cb (gpointer user_data)
{
	RemsimServerConnTimer *timer = user_data;
	g_autoptr (RemsimServerConn) self = g_object_ref (timer->self);
	GSource *source = g_steal_pointer (&self->timer);

	/* one-shot: forget the source before calling out, the callback may
	 * set a new timer or drop the connection */
	timer->func (timer->data);
	g_source_unref (source);
	return G_SOURCE_REMOVE;
}

void
remsim_server_conn_set_timer (
    RemsimServerConn *self, guint ms, GSourceFunc func, gpointer data, GDestroyNotify destroy)
{
	RemsimServerConnTimer *timer;

	g_return_if_fail (REMSIM_IS_SERVER_CONN (self));

	if (self->timer != NULL) {
		g_source_destroy (self->timer);
		g_clear_pointer (&self->timer, g_source_unref);
	}
	if (ms == 0 || func == NULL) {
		if (destroy != NULL)
			destroy (data);
		return;
	}
	timer = g_new0 (RemsimServerConnTimer, 1);
	timer->self = self;
	timer->func = func;
	timer->data = data;
	timer->destroy = destroy;
	self->timer = g_timeout_source_new (ms);
	g_source_set_callback (
	    self->timer, remsim_server_conn_timer_cb, timer, remsim_server_conn_timer_free);
	g_source_set_name (self->timer, "remsim-server-conn-timer");
	g_source_attach (self->timer, g_main_context_get_thread_default ());
}

GQueue *
remsim_server_conn_get_unacked (RemsimServerConn *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER_CONN (self), NULL);
	return &self->unacked;
}

GQueue *
remsim_server_conn_get_deleting (RemsimServerConn *self)
{
	g_return_val_if_fail (REMSIM_IS_SERVER_CONN (self), NULL);
	return &self->deleting;
}

void
remsim_server_conn_get_last_config (RemsimServerConn *self,
				    RemsimBankSlot *bank,
				    RemsimIpPort *address)
{
	g_return_if_fail (REMSIM_IS_SERVER_CONN (self));
	if (bank != NULL)
		*bank = self->last_bank;
	if (address != NULL)
		*address = self->last_address;
}

void
remsim_server_conn_set_last_config (RemsimServerConn *self,
				    const RemsimBankSlot *bank,
				    const RemsimIpPort *address)
{
	g_return_if_fail (REMSIM_IS_SERVER_CONN (self));
	g_return_if_fail (bank != NULL);
	g_return_if_fail (address != NULL);

	self->last_bank = *bank;
	self->last_address = *address;
	/* for the D-Bus exporter (org.remsim.Client1.BankdAddress) */
	g_signal_emit (self, remsim_server_conn_last_config_changed_signal, 0);
}

static void
remsim_server_conn_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	RemsimServerConn *self = REMSIM_SERVER_CONN (object);

	switch (prop_id) {
	case PROP_STATE:
		g_value_set_int (value, self->state);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
remsim_server_conn_dispose (GObject *object)
{
	RemsimServerConn *self = REMSIM_SERVER_CONN (object);

	if (self->timer != NULL) {
		g_source_destroy (self->timer);
		g_clear_pointer (&self->timer, g_source_unref);
	}
	g_queue_clear_full (&self->unacked, g_object_unref);
	g_queue_clear_full (&self->deleting, g_object_unref);
	g_clear_object (&self->link);
	G_OBJECT_CLASS (remsim_server_conn_parent_class)->dispose (object);
}

static void
remsim_server_conn_finalize (GObject *object)
{
	RemsimServerConn *self = REMSIM_SERVER_CONN (object);

	remsim_component_identity_clear (&self->identity);
	g_clear_object (&self->remote);
	g_free (self->remote_str);
	g_free (self->peer_name);
	g_clear_pointer (&self->connected_since, g_date_time_unref);
	G_OBJECT_CLASS (remsim_server_conn_parent_class)->finalize (object);
}

static void
remsim_server_conn_class_init (RemsimServerConnClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->get_property = remsim_server_conn_get_property;
	object_class->dispose = remsim_server_conn_dispose;
	object_class->finalize = remsim_server_conn_finalize;

	/* RemsimServerConnState as an int, read-only */
	obj_props[PROP_STATE] =
	    g_param_spec_int ("state",
			      NULL,
			      NULL,
			      REMSIM_SERVER_CONN_STATE_INIT,
			      REMSIM_SERVER_CONN_STATE_REJECTED,
			      REMSIM_SERVER_CONN_STATE_INIT,
			      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties (object_class, PROP_LAST, obj_props);

	/* "last-config-changed": remsim_server_conn_set_last_config() was called */
	remsim_server_conn_last_config_changed_signal = g_signal_new ("last-config-changed",
								      G_TYPE_FROM_CLASS (klass),
								      G_SIGNAL_RUN_LAST,
								      0,
								      NULL,
								      NULL,
								      NULL,
								      G_TYPE_NONE,
								      0);
}

static void
remsim_server_conn_init (RemsimServerConn *self)
{
	self->state = REMSIM_SERVER_CONN_STATE_INIT;
	g_queue_init (&self->unacked);
	g_queue_init (&self->deleting);
	self->last_address.family = G_SOCKET_FAMILY_IPV4;
}
