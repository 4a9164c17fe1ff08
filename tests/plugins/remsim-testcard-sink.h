/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "remsim-plugin-api.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_TESTCARD_SINK (remsim_testcard_sink_get_type ())
G_DECLARE_FINAL_TYPE (RemsimTestcardSink, remsim_testcard_sink, REMSIM, TESTCARD_SINK, GObject)

G_END_DECLS
