/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "remsim-plugin-api.h"

G_BEGIN_DECLS

/**
 * RemsimPcscSource:
 *
 * A #RemsimCardSource for one bank slot backed by a PC/SC reader (pcsc-lite).
 * Keys of its `[source:<label>]` group: see docs/plugins/pcsc.md.
 *
 * Since: 0.1
 */
#define REMSIM_TYPE_PCSC_SOURCE (remsim_pcsc_source_get_type ())
G_DECLARE_FINAL_TYPE (RemsimPcscSource, remsim_pcsc_source, REMSIM, PCSC_SOURCE, GObject)

/* the ERE and match index this instance uses (NULL: no reader configured) */
const gchar *remsim_pcsc_source_get_pattern (RemsimPcscSource *self);
guint remsim_pcsc_source_get_match_index (RemsimPcscSource *self);

G_END_DECLS
