/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vicc plugin: the vsmartcard vpcd/vicc socket protocol. Its card
 * source (RemsimViccSource) makes a vicc the card of a bank slot; its card
 * sink (RemsimViccSink) shows the remote card of a client slot to a vpcd.
 */
#include "config.h"

#include "remsim-vicc-sink.h"
#include "remsim-vicc-source.h"

static gboolean
remsim_vicc_plugin_init (RemsimPlugin *plugin, GError **error)
{
	remsim_plugin_add_card_source (plugin, REMSIM_TYPE_VICC_SOURCE);
	remsim_plugin_add_card_sink (plugin, REMSIM_TYPE_VICC_SINK);
	return TRUE;
}

REMSIM_PLUGIN_DEFINE (vicc,
		      "vsmartcard vicc programs as cards (vpcd protocol)",
		      remsim_vicc_plugin_init)
