/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "remsim-bankd.h"

G_BEGIN_DECLS

/*
 * RemsimBankdDBus: exports a RemsimBankd on D-Bus (docs/dbus.md). Owns the
 * name org.remsim.Bankd[.<suffix>] and an ObjectManager at /org/remsim with
 * one org.remsim.BankSlot1 object per bank slot
 * (/org/remsim/BankSlot/<slot_nr>). Counters are published at most every
 * REMSIM_DBUS_COUNTER_INTERVAL_MS.
 */

#define REMSIM_BANKD_DBUS_NAME "org.remsim.Bankd"

#define REMSIM_TYPE_BANKD_DBUS (remsim_bankd_dbus_get_type ())
G_DECLARE_FINAL_TYPE (RemsimBankdDBus, remsim_bankd_dbus, REMSIM, BANKD_DBUS, GObject)

/* Since: 0.1 */
RemsimBankdDBus *remsim_bankd_dbus_new (RemsimBankd *bankd);

/**
 * remsim_bankd_dbus_start:
 * @connection: the bus (remsim_dbus_connect() or a test bus)
 * @name_suffix: (nullable): appended to org.remsim.Bankd after a dot
 *
 * Exports one object per bank slot, then owns the name (blocking: program
 * start-up only; call after the card sources are installed).
 * Returns: %FALSE if the suffix is invalid or the name is owned by another
 *   process; nothing stays exported then
 * Since: 0.1
 */
gboolean remsim_bankd_dbus_start (RemsimBankdDBus *self,
				  GDBusConnection *connection,
				  const gchar *name_suffix,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
const gchar *remsim_bankd_dbus_get_name (RemsimBankdDBus *self);
void remsim_bankd_dbus_stop (RemsimBankdDBus *self);

G_END_DECLS
