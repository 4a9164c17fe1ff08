/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "remsim-plugin-api.h"

G_BEGIN_DECLS

/**
 * RemsimViccSource:
 *
 * A card source that plays vsmartcard's vpcd: a program speaking the vicc
 * side of the vpcd/vicc socket protocol (vsmartcard's `vicc`,
 * remsim-simcard, ...) is the card of one bank slot. The source listens for
 * the vicc (default) or connects to a vicc started in reversed mode, and
 * treats "a vicc is connected and answers get-ATR" as "card present".
 * See docs/plugins/vicc.md.
 *
 * Since: 0.1
 */
#define REMSIM_TYPE_VICC_SOURCE (remsim_vicc_source_get_type ())
G_DECLARE_FINAL_TYPE (RemsimViccSource, remsim_vicc_source, REMSIM, VICC_SOURCE, GObject)

/* the TCP port listened on (the bound one when configured as 0) or
 * connected to; also the read-only property "port" */
guint16 remsim_vicc_source_get_port (RemsimViccSource *self);

G_END_DECLS
