/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-client.h"
#include "remsim-config.h"
#include "remsim-error.h"
#include "remsim-event-script.h"
#include "remsim-link.h"
#include "remsim-plugin-groups.h"

struct _RemsimClient {
	GObject parent_instance;

	gchar *server_host;
	guint16 server_port;
	guint32 client_id;

	GBytes *default_atr;
	gboolean atr_ignore_rspro;
	gchar *script;
	guint script_timeout_ms;
	guint ka_interval_ms;
	guint ka_timeout_ms;
	gchar *component_name;

	/* RemsimClientSlotSession, in the order added */
	GPtrArray *sessions;
	gboolean running;
	/* sinks that can finish, and how many did */
	guint n_finishable;
	guint n_finished;
	gint finish_status;
};

G_DEFINE_FINAL_TYPE (RemsimClient, remsim_client, G_TYPE_OBJECT)

enum {
	SIGNAL_FINISHED,
	SIGNAL_LAST,
};

static guint signals[SIGNAL_LAST] = {0};

RemsimClient *
remsim_client_new (const gchar *server_host, guint16 server_port, guint32 client_id)
{
	RemsimClient *self;

	g_return_val_if_fail (server_host != NULL, NULL);

	self = g_object_new (REMSIM_TYPE_CLIENT, NULL);
	self->server_host = g_strdup (server_host);
	self->server_port = server_port;
	self->client_id = client_id;
	return self;
}

guint32
remsim_client_get_client_id (RemsimClient *self)
{
	g_return_val_if_fail (REMSIM_IS_CLIENT (self), 0);
	return self->client_id;
}

void
remsim_client_set_default_atr (RemsimClient *self, GBytes *atr)
{
	g_return_if_fail (REMSIM_IS_CLIENT (self));
	g_return_if_fail (atr != NULL);

	g_clear_pointer (&self->default_atr, g_bytes_unref);
	self->default_atr = g_bytes_ref (atr);
}

void
remsim_client_set_atr_ignore_rspro (RemsimClient *self, gboolean ignore)
{
	g_return_if_fail (REMSIM_IS_CLIENT (self));
	self->atr_ignore_rspro = ignore;
}

void
remsim_client_set_event_script (RemsimClient *self, const gchar *script, guint timeout_ms)
{
	g_return_if_fail (REMSIM_IS_CLIENT (self));

	g_free (self->script);
	self->script = g_strdup (script);
	self->script_timeout_ms = timeout_ms;
}

void
remsim_client_set_keepalive (RemsimClient *self, guint interval_ms, guint timeout_ms)
{
	g_return_if_fail (REMSIM_IS_CLIENT (self));

	self->ka_interval_ms = interval_ms;
	self->ka_timeout_ms = timeout_ms;
}

void
remsim_client_set_component_name (RemsimClient *self, const gchar *name)
{
	g_return_if_fail (REMSIM_IS_CLIENT (self));

	g_free (self->component_name);
	self->component_name = g_strdup (name);
}

RemsimClientSlotSession *
remsim_client_get_session (RemsimClient *self, guint32 slot_nr)
{
	g_return_val_if_fail (REMSIM_IS_CLIENT (self), NULL);

	for (guint i = 0; i < self->sessions->len; i++) {
		RemsimClientSlotSession *session = g_ptr_array_index (self->sessions, i);
		RemsimClientSlot slot;

		remsim_client_slot_session_get_client_slot (session, &slot);
		if (slot.slot_nr == slot_nr)
			return session;
	}
	return NULL;
}

guint
remsim_client_get_n_slots (RemsimClient *self)
{
	g_return_val_if_fail (REMSIM_IS_CLIENT (self), 0);
	return self->sessions->len;
}

static void
remsim_client_sink_finished_cb (RemsimClientSlotSession *session, gint status, gpointer user_data)
{
	RemsimClient *self = REMSIM_CLIENT (user_data);

	self->n_finished++;
	self->finish_status = MAX (self->finish_status, status);
	if (self->n_finished == self->n_finishable)
		g_signal_emit (self, signals[SIGNAL_FINISHED], 0, self->finish_status);
}

gboolean
remsim_client_add_slot (RemsimClient *self, guint32 slot_nr, RemsimCardSink *sink, GError **error)
{
	RemsimClientSlotSession *session;
	RemsimClientSlot slot = {self->client_id, slot_nr};

	g_return_val_if_fail (REMSIM_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (REMSIM_IS_CARD_SINK (sink), FALSE);
	g_return_val_if_fail (!self->running, FALSE);

	if (slot_nr > REMSIM_ID_MAX) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "client slot %u out of range 0..%u",
			     slot_nr,
			     REMSIM_ID_MAX);
		return FALSE;
	}
	if (remsim_client_get_session (self, slot_nr) != NULL) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_EXISTS,
			     "client slot C%u:%u has two sinks",
			     self->client_id,
			     slot_nr);
		return FALSE;
	}
	session =
	    remsim_client_slot_session_new (&slot, sink, self->server_host, self->server_port);
	if (self->default_atr != NULL)
		remsim_client_slot_session_set_default_atr (session, self->default_atr);
	remsim_client_slot_session_set_atr_ignore_rspro (session, self->atr_ignore_rspro);
	remsim_client_slot_session_set_event_script (
	    session, self->script, self->script_timeout_ms);
	remsim_client_slot_session_set_keepalive (
	    session, self->ka_interval_ms, self->ka_timeout_ms);
	remsim_client_slot_session_set_component_name (session, self->component_name);
	if (g_signal_lookup ("finished", G_OBJECT_TYPE (sink)) != 0)
		self->n_finishable++;
	g_signal_connect (
	    session, "sink-finished", G_CALLBACK (remsim_client_sink_finished_cb), self);
	g_ptr_array_add (self->sessions, session);
	return TRUE;
}

typedef struct {
	RemsimClient *self;
	RemsimPlugins *plugins;
	GKeyFile *keyfile;
} RemsimClientLoadSinks;

static gboolean
remsim_client_load_card_sink_cb (
    const gchar *where, const gchar *group, guint nr, gpointer user_data, GError **error)
{
	RemsimClientLoadSinks *load = user_data;
	g_autoptr (RemsimCardSink) sink = NULL;
	g_autoptr (GError) error_local = NULL;

	if (remsim_client_get_session (load->self, nr) != NULL) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "%s: [%s] slots: expected slots no other sink "
			     "serves, but slot %u has one already",
			     where,
			     group,
			     nr);
		return FALSE;
	}
	sink =
	    remsim_plugins_create_card_sink (load->plugins, load->keyfile, group, nr, &error_local);
	if (sink == NULL) {
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local), "%s: ", where);
		return FALSE;
	}
	return remsim_client_add_slot (load->self, nr, sink, error);
}

gboolean
remsim_client_load_card_sinks (RemsimClient *self,
			       RemsimPlugins *plugins,
			       GKeyFile *keyfile,
			       const gchar *filename,
			       GError **error)
{
	/* the same syntax as the bankd's slots */
	static const RemsimPluginGroupKind kind = {
	    .prefix = "sink:",
	    .plugin_kind = "card sink",
	    .slots_hint = "the client slots this sink serves (e.g. 0 or 0-3)",
	    .num_slots = REMSIM_ID_MAX + 1,
	};
	RemsimClientLoadSinks load = {self, plugins, keyfile};

	g_return_val_if_fail (REMSIM_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (REMSIM_IS_PLUGINS (plugins), FALSE);
	g_return_val_if_fail (keyfile != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	return remsim_plugin_groups_foreach_slot (
	    keyfile, plugins, filename, &kind, remsim_client_load_card_sink_cb, &load, error);
}

gboolean
remsim_client_start (RemsimClient *self, GError **error)
{
	g_return_val_if_fail (REMSIM_IS_CLIENT (self), FALSE);
	g_return_val_if_fail (!self->running, FALSE);

	if (self->sessions->len == 0) {
		g_set_error_literal (
		    error, REMSIM_ERROR, REMSIM_ERROR_INVALID_ARGUMENT, "no client slot to serve");
		return FALSE;
	}
	self->running = TRUE;
	for (guint i = 0; i < self->sessions->len; i++) {
		RemsimClientSlotSession *session = g_ptr_array_index (self->sessions, i);

		if (!remsim_client_slot_session_start (session, error)) {
			remsim_client_stop (self);
			return FALSE;
		}
	}
	return TRUE;
}

void
remsim_client_stop (RemsimClient *self)
{
	g_return_if_fail (REMSIM_IS_CLIENT (self));

	self->running = FALSE;
	for (guint i = 0; i < self->sessions->len; i++)
		remsim_client_slot_session_stop (g_ptr_array_index (self->sessions, i));
}

static void
remsim_client_dispose (GObject *object)
{
	RemsimClient *self = REMSIM_CLIENT (object);

	if (self->sessions != NULL) {
		for (guint i = 0; i < self->sessions->len; i++) {
			RemsimClientSlotSession *session = g_ptr_array_index (self->sessions, i);

			g_signal_handlers_disconnect_by_data (session, self);
			remsim_client_slot_session_stop (session);
		}
		g_clear_pointer (&self->sessions, g_ptr_array_unref);
	}
	G_OBJECT_CLASS (remsim_client_parent_class)->dispose (object);
}

static void
remsim_client_finalize (GObject *object)
{
	RemsimClient *self = REMSIM_CLIENT (object);

	g_free (self->server_host);
	g_clear_pointer (&self->default_atr, g_bytes_unref);
	g_free (self->script);
	g_free (self->component_name);
	G_OBJECT_CLASS (remsim_client_parent_class)->finalize (object);
}

static void
remsim_client_init (RemsimClient *self)
{
	self->sessions = g_ptr_array_new_with_free_func (g_object_unref);
	self->ka_interval_ms = REMSIM_LINK_DEFAULT_KEEPALIVE_INTERVAL_MS;
	self->ka_timeout_ms = REMSIM_LINK_DEFAULT_KEEPALIVE_TIMEOUT_MS;
	self->script_timeout_ms = REMSIM_EVENT_SCRIPT_DEFAULT_TIMEOUT_MS;
}

static void
remsim_client_class_init (RemsimClientClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->dispose = remsim_client_dispose;
	object_class->finalize = remsim_client_finalize;

	signals[SIGNAL_FINISHED] = g_signal_new ("finished",
						 G_TYPE_FROM_CLASS (klass),
						 G_SIGNAL_RUN_LAST,
						 0,
						 NULL,
						 NULL,
						 g_cclosure_marshal_VOID__INT,
						 G_TYPE_NONE,
						 1,
						 G_TYPE_INT);
}
