/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "remsim-error.h"

static const GDBusErrorEntry remsim_error_entries[] = {
    {REMSIM_ERROR_FAILED, "org.remsim.Error.Failed"},
    {REMSIM_ERROR_INVALID_ARGUMENT, "org.remsim.Error.InvalidArgument"},
    {REMSIM_ERROR_NOT_FOUND, "org.remsim.Error.NotFound"},
    {REMSIM_ERROR_EXISTS, "org.remsim.Error.Exists"},
    {REMSIM_ERROR_BUSY, "org.remsim.Error.Busy"},
    {REMSIM_ERROR_TIMED_OUT, "org.remsim.Error.TimedOut"},
    {REMSIM_ERROR_NOT_SUPPORTED, "org.remsim.Error.NotSupported"},
    {REMSIM_ERROR_CARD_ABSENT, "org.remsim.Error.CardAbsent"},
    {REMSIM_ERROR_PEER_CLOSED, "org.remsim.Error.PeerClosed"},
    {REMSIM_ERROR_PROTOCOL, "org.remsim.Error.Protocol"},
    {REMSIM_ERROR_SLOT_IN_USE, "org.remsim.Error.SlotInUse"},
};

G_STATIC_ASSERT (G_N_ELEMENTS (remsim_error_entries) == REMSIM_ERROR_LAST);

GQuark
remsim_error_quark (void)
{
	static gsize quark = 0;

	g_dbus_error_register_error_domain ("remsim-error-quark",
					    &quark,
					    remsim_error_entries,
					    G_N_ELEMENTS (remsim_error_entries));
	return (GQuark)quark;
}
