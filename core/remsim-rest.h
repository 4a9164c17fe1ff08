/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "remsim-server.h"

G_BEGIN_DECLS

/*
 * RemsimRest: the osmo-remsim compatible REST API of remsim-server
 * (protocols.md §5, prefix /api/backend/v1) on a libsoup-3 SoupServer.
 * Every request is answered from the RemsimServer it was created for;
 * runs on the thread-default main context.
 */

#define REMSIM_REST_DEFAULT_PORT 9997
#define REMSIM_REST_PREFIX	 "/api/backend/v1"

#define REMSIM_TYPE_REST (remsim_rest_get_type ())
G_DECLARE_FINAL_TYPE (RemsimRest, remsim_rest, REMSIM, REST, GObject)

/**
 * remsim_rest_new:
 * @server: the server whose banks, clients and slotmaps are served
 *
 * Returns: (transfer full): a REST API that does not listen yet
 * Since: 0.1
 */
RemsimRest *remsim_rest_new (RemsimServer *server);
/**
 * remsim_rest_listen:
 * @host: an IPv4 or IPv6 address ("0.0.0.0", "::", "127.0.0.1")
 * @port: TCP port, 0 for any free one
 *
 * Adds one listening address; may be called more than once.
 * Since: 0.1
 */
gboolean remsim_rest_listen (RemsimRest *self, const gchar *host, guint16 port, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* the port of the first listening address, or 0 */
guint16 remsim_rest_get_port (RemsimRest *self);
/* stop listening and drop open HTTP connections */
void remsim_rest_stop (RemsimRest *self);

G_END_DECLS
