/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-plugin-api.h"
#include "remsim-testcard-sink.h"
#include "remsim-testcard-source.h"

static gboolean
remsim_testcard_plugin_init (RemsimPlugin *plugin, GError **error)
{
	remsim_plugin_add_card_source (plugin, REMSIM_TYPE_TESTCARD_SOURCE);
	remsim_plugin_add_card_sink (plugin, REMSIM_TYPE_TESTCARD_SINK);
	return TRUE;
}

REMSIM_PLUGIN_DEFINE (testcard,
		      "in-memory test card (source) and loopback modem (sink)",
		      remsim_testcard_plugin_init)
