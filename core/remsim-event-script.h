/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The client's event script (protocols.md §6.5): `/bin/sh -c "<script>
 * <cause>"`, started asynchronously and never waited for on the main loop.
 * The child gets the parent's environment filtered to a fixed list of
 * harmless variables (USER, HOME, PATH, LANG, LC_*, ...) plus the REMSIM_*
 * variables the caller passes. A child still running after the timeout is
 * killed together with its process group; a failure is logged, nothing else.
 */

#define REMSIM_EVENT_SCRIPT_DEFAULT_TIMEOUT_MS 30000

/**
 * remsim_event_script_run:
 * @script: the command, run by `/bin/sh -c` with @cause appended
 * @cause: the cause word ("event-server-connect", ...), also in REMSIM_CAUSE
 * @vars: (nullable): %NULL-terminated "NAME=value" strings added to the
 *   filtered environment; REMSIM_CAUSE is added here
 * @timeout_ms: kill the child after this long; 0 never kills it
 * @log_prefix: (nullable): the object id for log messages ("C1:0")
 *
 * Returns: %TRUE if the child was started (a failure to start is logged)
 * Since: 0.1
 */
gboolean remsim_event_script_run (const gchar *script,
				  const gchar *cause,
				  const gchar *const *vars,
				  guint timeout_ms,
				  const gchar *log_prefix);

/* the number of children started and not yet reaped (for tests) */
guint remsim_event_script_get_n_running (void);

G_END_DECLS
