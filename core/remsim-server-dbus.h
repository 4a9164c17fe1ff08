/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "remsim-server.h"

G_BEGIN_DECLS

/*
 * RemsimServerDBus: exports a RemsimServer on D-Bus (docs/dbus.md). Owns the
 * name org.remsim.Server[.<suffix>], an ObjectManager at /org/remsim with
 * org.remsim.Server1 on /org/remsim itself, and one object per connected
 * bankd (org.remsim.Bank1), connected client slot (org.remsim.Client1) and
 * listed mapping (org.remsim.Slotmap1); objects follow the server's signals.
 * Methods go through the same RemsimServer API as the REST handlers, so both
 * refuse the same request with the same error.
 */

#define REMSIM_SERVER_DBUS_NAME "org.remsim.Server"

#define REMSIM_TYPE_SERVER_DBUS (remsim_server_dbus_get_type ())
G_DECLARE_FINAL_TYPE (RemsimServerDBus, remsim_server_dbus, REMSIM, SERVER_DBUS, GObject)

/* Since: 0.1 */
RemsimServerDBus *remsim_server_dbus_new (RemsimServer *server);

/**
 * remsim_server_dbus_start:
 * @connection: the bus (remsim_dbus_connect() or a test bus)
 * @name_suffix: (nullable): appended to org.remsim.Server after a dot
 *
 * Exports the objects, then owns the name (blocking: program start-up only).
 * Returns: %FALSE if the suffix is invalid or the name is owned by another
 *   process; nothing stays exported then
 * Since: 0.1
 */
gboolean remsim_server_dbus_start (RemsimServerDBus *self,
				   GDBusConnection *connection,
				   const gchar *name_suffix,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* the owned name, or NULL before start */
const gchar *remsim_server_dbus_get_name (RemsimServerDBus *self);
/* unexport everything and release the name */
void remsim_server_dbus_stop (RemsimServerDBus *self);

G_END_DECLS
