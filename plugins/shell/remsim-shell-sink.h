/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "remsim-plugin-api.h"

G_BEGIN_DECLS

/*
 * RemsimShellSink: a card sink on text lines, as osmo-remsim-client-shell
 * (docs/plugins/shell.md). Reads `RESET` or hex C-APDUs, one per line, and
 * writes `SET_ATR: ` and `R-APDU: ` lines. Besides the RemsimCardSink
 * signals it has
 *   "finished" (gint status): the input reached EOF and every command read
 *       before it was answered (or failed); @status is 0 if all were
 *       answered, 1 if any failed
 */

#define REMSIM_SHELL_SINK_DEFAULT_COMMAND_TIMEOUT_MS 10000
/* RSPRO TPDU limits */
#define REMSIM_SHELL_SINK_TPDU_MIN 5
#define REMSIM_SHELL_SINK_TPDU_MAX 260

#define REMSIM_TYPE_SHELL_SINK (remsim_shell_sink_get_type ())
G_DECLARE_FINAL_TYPE (RemsimShellSink, remsim_shell_sink, REMSIM, SHELL_SINK, GObject)

/**
 * remsim_shell_sink_parse_hex:
 * @line: hex digits; blanks (space, tab, CR) anywhere are ignored, case does
 *   not matter
 * @error: for a character that is not a hex digit or an odd digit count
 *
 * Returns: (transfer full): the bytes (possibly empty), or %NULL
 * Since: 0.1
 */
GBytes *remsim_shell_sink_parse_hex (const gchar *line, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * remsim_shell_sink_format_line:
 * @prefix: "SET_ATR" or "R-APDU"
 * @data: the bytes
 *
 * Returns: (transfer full): "<prefix>: " and each byte as two lower-case hex
 *   digits followed by one space, then a newline
 * Since: 0.1
 */
gchar *remsim_shell_sink_format_line (const gchar *prefix, GBytes *data);

G_END_DECLS
