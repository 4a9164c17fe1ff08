/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-cardem-sink.h"
#include "remsim-plugin-api.h"

static gboolean
remsim_cardem_plugin_init (RemsimPlugin *plugin, GError **error)
{
	remsim_plugin_add_card_sink (plugin, REMSIM_TYPE_CARDEM_SINK);
	return TRUE;
}

REMSIM_PLUGIN_DEFINE_NAMED ("cardem-st2",
			    "SIMtrace2 / sysmoQMOD card emulation (libusb) as card sink",
			    remsim_cardem_plugin_init)
