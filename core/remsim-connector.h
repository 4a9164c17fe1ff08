/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "remsim-link.h"

G_BEGIN_DECLS

/*
 * RemsimConnector: the connecting side of an RSPRO link that comes back.
 * Connects to host:port, wraps the connection in an INITIATOR RemsimLink and
 * emits "connected"; when the link closes (or a connect fails or times out)
 * it emits "disconnected" and tries again after a backoff with jitter.
 * The backoff starts at 0 and grows to at most max-backoff-ms; it restarts
 * from 0 after a link that stayed up longer than the current delay.
 */

#define REMSIM_CONNECTOR_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define REMSIM_CONNECTOR_DEFAULT_MAX_BACKOFF_MS	    500

#define REMSIM_TYPE_CONNECTOR (remsim_connector_get_type ())
G_DECLARE_FINAL_TYPE (RemsimConnector, remsim_connector, REMSIM, CONNECTOR, GObject)

RemsimConnector *
remsim_connector_new (const gchar *host, guint16 port);
void
remsim_connector_set_keepalive (RemsimConnector *self, guint interval_ms, guint timeout_ms);
void
remsim_connector_set_max_backoff (RemsimConnector *self, guint max_backoff_ms);
/* change the target; an existing link is closed and a new connect starts at once */
void
remsim_connector_set_target (RemsimConnector *self, const gchar *host, guint16 port);
const gchar *
remsim_connector_get_host (RemsimConnector *self);
guint16
remsim_connector_get_port (RemsimConnector *self);
void
remsim_connector_start (RemsimConnector *self);
/* close the link and stop reconnecting */
void
remsim_connector_stop (RemsimConnector *self);
/* close the current link (if any) and reconnect after the backoff */
void
remsim_connector_restart (RemsimConnector *self, const gchar *reason);
/* the current link, or NULL while not connected */
RemsimLink *
remsim_connector_get_link (RemsimConnector *self);

/*
 * Signals:
 *  "connected" (RemsimLink *link): a new TCP connection is up (the link is
 *      started; a PING is already on its way)
 *  "disconnected" (const gchar *reason)
 */

G_END_DECLS
