/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-plugin-api.h"
#include "remsim-shell-sink.h"

static gboolean
remsim_shell_plugin_init (RemsimPlugin *plugin, GError **error)
{
	remsim_plugin_add_card_sink (plugin, REMSIM_TYPE_SHELL_SINK);
	return TRUE;
}

REMSIM_PLUGIN_DEFINE (shell,
		      "hex C-APDU lines in, SET_ATR/R-APDU lines out (osmo-remsim-client-shell)",
		      remsim_shell_plugin_init)
