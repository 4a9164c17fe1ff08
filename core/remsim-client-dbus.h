/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "remsim-client.h"

G_BEGIN_DECLS

/*
 * RemsimClientDBus: exports a RemsimClient on D-Bus (docs/dbus.md). Owns the
 * name org.remsim.Client[.<suffix>] and an ObjectManager at /org/remsim with
 * one org.remsim.ClientSlot1 object per client slot
 * (/org/remsim/ClientSlot/<slot_nr>). Counters are published at most every
 * REMSIM_DBUS_COUNTER_INTERVAL_MS.
 */

#define REMSIM_CLIENT_DBUS_NAME "org.remsim.Client"

#define REMSIM_TYPE_CLIENT_DBUS (remsim_client_dbus_get_type ())
G_DECLARE_FINAL_TYPE (RemsimClientDBus, remsim_client_dbus, REMSIM, CLIENT_DBUS, GObject)

/* Since: 0.1 */
RemsimClientDBus *remsim_client_dbus_new (RemsimClient *client);

/**
 * remsim_client_dbus_start:
 * @connection: the bus (remsim_dbus_connect() or a test bus)
 * @name_suffix: (nullable): appended to org.remsim.Client after a dot
 *
 * Exports one object per client slot, then owns the name (blocking: program
 * start-up only; call after the slots are added).
 * Returns: %FALSE if the suffix is invalid or the name is owned by another
 *   process; nothing stays exported then
 * Since: 0.1
 */
gboolean remsim_client_dbus_start (RemsimClientDBus *self,
				   GDBusConnection *connection,
				   const gchar *name_suffix,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
const gchar *remsim_client_dbus_get_name (RemsimClientDBus *self);
void remsim_client_dbus_stop (RemsimClientDBus *self);

G_END_DECLS
