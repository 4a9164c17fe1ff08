/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "remsim-plugin-api.h"

G_BEGIN_DECLS

/**
 * RemsimCardemSink:
 *
 * A card sink on a SIMtrace2-family card-emulation device (SIMtrace2,
 * sysmoQMOD, OWHW, ...): the modem in the board talks T=0 to the firmware,
 * which hands TPDU headers and data to us over USB. One instance serves one
 * card-emulation interface of one device. See docs/plugins/cardem-st2.md.
 */
#define REMSIM_TYPE_CARDEM_SINK (remsim_cardem_sink_get_type ())
G_DECLARE_FINAL_TYPE (RemsimCardemSink, remsim_cardem_sink, REMSIM, CARDEM_SINK, GObject)

G_END_DECLS
