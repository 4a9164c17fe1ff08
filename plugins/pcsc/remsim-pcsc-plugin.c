/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pcsc plugin: PC/SC readers (pcsc-lite) as card sources of a bankd.
 * See docs/plugins/pcsc.md.
 */
#include "config.h"

#include "remsim-pcsc-source.h"

static gboolean
remsim_pcsc_plugin_init (RemsimPlugin *plugin, GError **error)
{
	remsim_plugin_add_card_source (plugin, REMSIM_TYPE_PCSC_SOURCE);
	return TRUE;
}

REMSIM_PLUGIN_DEFINE (pcsc, "PC/SC readers as card sources", remsim_pcsc_plugin_init)
