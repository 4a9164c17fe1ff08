/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The thread side of the pcsc plugin, shared by every RemsimPcscSource of a
 * process:
 *
 * - one bounded pool of worker threads (REMSIM_PCSC_WORKERS, default 16,
 *   started with the first slot and kept for the life of the process) runs
 *   every blocking PC/SC call; the jobs of one slot run one at a time, in
 *   the order they were submitted, on whichever worker is free;
 * - one monitor thread watches all readers and pcscd's reader-list
 *   notification with SCardGetStatusChange and reports card presence per
 *   slot in the slot's main context.
 *
 * A RemsimPcscSlot is the thread-shared state of one bank slot: its reader
 * selection (immutable), its PC/SC context and card handle (touched only by
 * its running job) and its presence as last reported.
 */
typedef struct _RemsimPcscSlot RemsimPcscSlot;

typedef enum {
	REMSIM_PCSC_OP_POWER_ON,
	REMSIM_PCSC_OP_RESET_COLD,
	REMSIM_PCSC_OP_RESET_WARM,
	REMSIM_PCSC_OP_TRANSMIT,
	REMSIM_PCSC_OP_POWER_OFF, /* disconnect with unpower, release the context */
} RemsimPcscOp;

/* a job's result, called in the task's main context; @result (ATR or
 * response) or @error is set, both transfer none */
typedef void (*RemsimPcscDoneFunc) (GTask *task, GBytes *result, const GError *error);

/* presence as seen by the monitor, called in the slot's main context while
 * @owner is alive */
typedef void (*RemsimPcscPresenceFunc) (GObject *owner, gboolean present);

/*
 * @name: "B1:3", for messages
 * @pattern: POSIX ERE matched against reader names, or NULL: the slot has no
 *   reader (every power on fails with @no_reader_why)
 * @match_index: take the (@match_index + 1)-th matching reader in pcscd's order
 * @share_exclusive, @protocols (SCARD_PROTOCOL_* bits): for SCardConnect
 * @owner: weakly referenced; presence is reported to it
 * @initial_present: (out): the presence known now (TRUE when not known yet)
 */
RemsimPcscSlot *remsim_pcsc_slot_new (const gchar *name,
				      const gchar *pattern,
				      guint match_index,
				      const gchar *no_reader_why,
				      gboolean share_exclusive,
				      guint protocols,
				      GObject *owner,
				      RemsimPcscPresenceFunc presence_func,
				      gboolean *initial_present,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* queue a job; @task (transfer full, may be NULL for POWER_OFF) gets @done
 * called in its context; @tpdu for TRANSMIT */
void remsim_pcsc_slot_submit (
    RemsimPcscSlot *self, RemsimPcscOp op, GBytes *tpdu, GTask *task, RemsimPcscDoneFunc done);

/* the owner goes away: stop reporting, power the card off and release the
 * context in the background, drop the caller's reference */
void remsim_pcsc_slot_close (RemsimPcscSlot *self);

const gchar *remsim_pcsc_slot_get_name (RemsimPcscSlot *self);

/* for tests: the number of worker threads of the pool */
guint remsim_pcsc_worker_get_n_threads (void);

G_END_DECLS
