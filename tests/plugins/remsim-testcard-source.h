/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "remsim-plugin-api.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_TESTCARD_SOURCE (remsim_testcard_source_get_type ())
G_DECLARE_FINAL_TYPE (
    RemsimTestcardSource, remsim_testcard_source, REMSIM, TESTCARD_SOURCE, GObject)

/* "3b 9f 96" / "3b9f96" / "3b:9f:96" → bytes; a keyfile error naming @key */
GBytes *remsim_testcard_parse_hex (const gchar *key, const gchar *hex, GError **error);

G_END_DECLS
