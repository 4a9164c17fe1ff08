/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "remsim-card-sink.h"
#include "remsim-client-slot-session.h"
#include "remsim-plugins.h"

G_BEGIN_DECLS

/*
 * RemsimClient: the remsim-client role. Serves one or more client slots of
 * one client id; each slot is a #RemsimClientSlotSession with its own server
 * and bankd connections and its own card sink. Everything runs on the
 * thread-default main context of the thread that created it.
 */

#define REMSIM_CLIENT_DEFAULT_SERVER_HOST "127.0.0.1"
#define REMSIM_CLIENT_DEFAULT_SERVER_PORT 9998

#define REMSIM_TYPE_CLIENT (remsim_client_get_type ())
G_DECLARE_FINAL_TYPE (RemsimClient, remsim_client, REMSIM, CLIENT, GObject)

/**
 * remsim_client_new:
 * @server_host: remsim-server address
 * @server_port: its RSPRO port
 * @client_id: the ClientId of every slot (0..1023)
 *
 * Returns: (transfer full): a client without slots
 * Since: 0.1
 */
RemsimClient *remsim_client_new (const gchar *server_host, guint16 server_port, guint32 client_id);
guint32 remsim_client_get_client_id (RemsimClient *self);

/* settings for every slot; call before adding slots */
void remsim_client_set_default_atr (RemsimClient *self, GBytes *atr);
void remsim_client_set_atr_ignore_rspro (RemsimClient *self, gboolean ignore);
void remsim_client_set_event_script (RemsimClient *self, const gchar *script, guint timeout_ms);
void remsim_client_set_keepalive (RemsimClient *self, guint interval_ms, guint timeout_ms);
void remsim_client_set_component_name (RemsimClient *self, const gchar *name);

/**
 * remsim_client_add_slot:
 * @slot_nr: the client slot number (0..1023)
 * @sink: (transfer none): its card sink, not started
 *
 * Returns: %FALSE (with @error) if the slot is already served
 * Since: 0.1
 */
gboolean remsim_client_add_slot (RemsimClient *self,
				 guint32 slot_nr,
				 RemsimCardSink *sink,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * remsim_client_load_card_sinks:
 * @plugins: the plugin loader
 * @keyfile: the program's keyfile
 * @filename: (nullable): its name, for error messages
 *
 * Creates one sink per slot named by the `slots` key of every
 * `[sink:<label>]` group, through the group's plugin, and adds the slots.
 * Errors name the file, the group and the key.
 * Since: 0.1
 */
gboolean remsim_client_load_card_sinks (RemsimClient *self,
					RemsimPlugins *plugins,
					GKeyFile *keyfile,
					const gchar *filename,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

guint remsim_client_get_n_slots (RemsimClient *self);
/* the session of client slot @slot_nr, or NULL */
RemsimClientSlotSession *remsim_client_get_session (RemsimClient *self, guint32 slot_nr);

/* start every slot (sinks first, then the connections) */
gboolean remsim_client_start (RemsimClient *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void remsim_client_stop (RemsimClient *self);

/*
 * Signals:
 *  "finished" (gint status): every sink that can finish (e.g. the shell sink
 *      at EOF on its input) has finished; @status is the highest status any
 *      of them reported (0: all commands answered). Never emitted when no
 *      sink can finish.
 */

G_END_DECLS
