/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "remsim-card-sink.h"

G_BEGIN_DECLS

/*
 * RemsimIfdSink: the card sink of one pcscd reader slot (docs/plugins/ifd.md).
 *
 * Two sides, two kinds of thread:
 *  - the RemsimCardSink side (start, stop, set_atr, deliver_response,
 *    set_card_present, get_status) and the signals belong to the thread that
 *    runs @context, the driver's main loop thread;
 *  - the PC/SC side (is_present, dup_atr, transmit, power) is called from
 *    pcscd's threads. transmit and power hand the work to @context and wait
 *    for the answer on a condition variable, never longer than the timeout
 *    they are given.
 * All state shared by both sides is guarded by one mutex per sink.
 */

typedef enum {
	REMSIM_IFD_POWER_UP,
	REMSIM_IFD_POWER_DOWN,
	REMSIM_IFD_RESET,
} RemsimIfdPower;

#define REMSIM_TYPE_IFD_SINK (remsim_ifd_sink_get_type ())
G_DECLARE_FINAL_TYPE (RemsimIfdSink, remsim_ifd_sink, REMSIM, IFD_SINK, GObject)

/**
 * remsim_ifd_sink_new:
 * @context: the main context whose thread drives the client session
 * @name: for log messages, e.g. "ifd C0:0"
 *
 * Returns: (transfer full): a sink, not started
 */
RemsimIfdSink *remsim_ifd_sink_new (GMainContext *context, const gchar *name);

/* any thread: the card is shown to pcscd (bankd session up, ATR received) */
gboolean remsim_ifd_sink_is_present (RemsimIfdSink *self);
/* any thread: the last ATR, or NULL while no card is present */
GBytes *remsim_ifd_sink_dup_atr (RemsimIfdSink *self);

/*
 * Blocking, from any thread except the context's: sends @apdu (4..260 bytes;
 * 4 bytes get P3 = 00 appended) and waits at most @timeout_ms for the answer
 * (data + SW1 SW2). Errors: CARD_ABSENT (no card, or the card went away
 * meanwhile), TIMED_OUT (a late answer is dropped), INVALID_ARGUMENT.
 */
GBytes *remsim_ifd_sink_transmit (RemsimIfdSink *self,
				  GBytes *apdu,
				  guint timeout_ms,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Blocking, from any thread except the context's: power the card up or
 * down, or reset it. Up and reset return the ATR; they wait at most
 * @atr_timeout_ms for the ATR the bankd sends after a reset it made, and
 * fall back to the last ATR (a bankd that sends none after a reset is
 * remembered until the card goes away, so it costs the wait only once).
 * Down returns an empty GBytes. Error: CARD_ABSENT.
 */
GBytes *remsim_ifd_sink_power (RemsimIfdSink *self,
			       RemsimIfdPower action,
			       guint atr_timeout_ms,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
