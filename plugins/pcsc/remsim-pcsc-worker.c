/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Threads of the pcsc plugin: a bounded worker pool for the blocking PC/SC
 * calls, with per-slot job queues, and one monitor thread for card and
 * reader events. See remsim-pcsc-worker.h for the model.
 */
#include "config.h"

#include <regex.h>
#include <string.h>
#include <winscard.h>
#include <wintypes.h>

#include "remsim-error.h"
#include "remsim-pcsc-worker.h"

#define REMSIM_PCSC_DEFAULT_WORKERS	16
#define REMSIM_PCSC_MAX_WORKERS		256
#define REMSIM_PCSC_MONITOR_TIMEOUT_MS	10000
#define REMSIM_PCSC_MONITOR_BACKOFF_MIN 50
#define REMSIM_PCSC_MONITOR_BACKOFF_MAX 1000
#define REMSIM_PCSC_PNP_READER		"\\\\?PnP?\\Notification"
#define REMSIM_PCSC_PRESENCE_UNKNOWN	(-1)

struct _RemsimPcscSlot {
	gatomicrefcount ref;

	/* immutable after remsim_pcsc_slot_new() */
	gchar *name;
	gchar *pattern;
	regex_t regex;
	gboolean has_regex;
	guint match_index;
	gchar *no_reader_why;
	DWORD share_mode;
	DWORD protocols;
	GMainContext *context;
	RemsimPcscPresenceFunc presence_func;
	GWeakRef owner;

	/* the job queue, under @lock */
	GMutex lock;
	GQueue jobs;
	gboolean scheduled; /* in the pool or running */

	/* PC/SC state: only the running job of this slot touches it */
	SCARDCONTEXT pcsc_context;
	gboolean has_context;
	SCARDHANDLE card;
	gboolean connected;
	DWORD active_protocol;
	gchar *reader;

	/* under the monitor lock */
	gint reported;
	gboolean registered;
};

typedef struct {
	RemsimPcscSlot *slot;
	RemsimPcscOp op;
	GBytes *tpdu;
	GTask *task;
	RemsimPcscDoneFunc done;
	GBytes *result;
	GError *error;
} RemsimPcscJob;

typedef struct {
	gchar *name;
	gboolean present;
} RemsimPcscReaderState;

/* process-wide state */
static GThreadPool *remsim_pcsc_pool = NULL;
static guint remsim_pcsc_pool_threads = 0;
static gchar *remsim_pcsc_pool_error = NULL;
static GPrivate remsim_pcsc_recv_buf = G_PRIVATE_INIT (g_free);

static struct {
	GMutex lock;
	GPtrArray *slots;    /* registered RemsimPcscSlot, with a reference */
	GPtrArray *snapshot; /* RemsimPcscReaderState in pcscd's order; NULL: not known yet */
	GThread *thread;
} remsim_pcsc_monitor;

static void remsim_pcsc_slot_unref (RemsimPcscSlot *self);

static RemsimPcscSlot *
remsim_pcsc_slot_ref (RemsimPcscSlot *self)
{
	g_atomic_ref_count_inc (&self->ref);
	return self;
}

static void
remsim_pcsc_slot_unref (RemsimPcscSlot *self)
{
	if (!g_atomic_ref_count_dec (&self->ref))
		return;
	g_assert (g_queue_is_empty (&self->jobs));
	if (self->has_regex)
		regfree (&self->regex);
	g_weak_ref_clear (&self->owner);
	g_main_context_unref (self->context);
	g_mutex_clear (&self->lock);
	g_free (self->reader);
	g_free (self->no_reader_why);
	g_free (self->pattern);
	g_free (self->name);
	g_free (self);
}

const gchar *
remsim_pcsc_slot_get_name (RemsimPcscSlot *self)
{
	return self->name;
}

/* errors ------------------------------------------------------------------ */

/* the context or the connection to pcscd is gone (pcscd stopped or
 * restarted): everything made with the context is useless */
static gboolean
remsim_pcsc_rv_is_context_lost (LONG rv)
{
	return rv == SCARD_E_NO_SERVICE || rv == SCARD_E_SERVICE_STOPPED ||
	       rv == SCARD_F_COMM_ERROR || rv == SCARD_E_INVALID_HANDLE;
}

/* the card handle is useless, the context is not */
static gboolean
remsim_pcsc_rv_is_card_lost (LONG rv)
{
	return rv == SCARD_W_REMOVED_CARD || rv == SCARD_E_NO_SMARTCARD ||
	       rv == SCARD_E_READER_UNAVAILABLE || rv == SCARD_E_UNKNOWN_READER ||
	       rv == SCARD_W_RESET_CARD || rv == SCARD_W_UNPOWERED_CARD;
}

static gint
remsim_pcsc_rv_to_code (LONG rv)
{
	switch (rv) {
	case SCARD_W_REMOVED_CARD:
	case SCARD_E_NO_SMARTCARD:
	case SCARD_E_READER_UNAVAILABLE:
	case SCARD_E_UNKNOWN_READER:
	case SCARD_E_NO_READERS_AVAILABLE:
	case SCARD_E_NO_SERVICE:
	case SCARD_E_SERVICE_STOPPED:
	case SCARD_F_COMM_ERROR:
	case SCARD_E_INVALID_HANDLE:
	case SCARD_W_UNPOWERED_CARD:
		return REMSIM_ERROR_CARD_ABSENT;
	case SCARD_E_TIMEOUT:
	case SCARD_W_UNRESPONSIVE_CARD:
		return REMSIM_ERROR_TIMED_OUT;
	case SCARD_E_SHARING_VIOLATION:
		return REMSIM_ERROR_BUSY;
	case SCARD_E_PROTO_MISMATCH:
	case SCARD_W_UNSUPPORTED_CARD:
	case SCARD_E_CARD_UNSUPPORTED:
		return REMSIM_ERROR_NOT_SUPPORTED;
	case SCARD_E_INSUFFICIENT_BUFFER:
	case SCARD_E_INVALID_PARAMETER:
	case SCARD_E_INVALID_VALUE:
		return REMSIM_ERROR_INVALID_ARGUMENT;
	default:
		return REMSIM_ERROR_FAILED;
	}
}

static const gchar *
remsim_pcsc_rv_to_phrase (LONG rv)
{
	switch (rv) {
	case SCARD_W_REMOVED_CARD:
		return "card removed";
	case SCARD_E_NO_SMARTCARD:
		return "no card";
	case SCARD_E_READER_UNAVAILABLE:
		return "reader unavailable";
	case SCARD_E_UNKNOWN_READER:
		return "reader vanished";
	case SCARD_E_NO_READERS_AVAILABLE:
		return "no readers";
	case SCARD_E_NO_SERVICE:
	case SCARD_E_SERVICE_STOPPED:
	case SCARD_F_COMM_ERROR:
		return "pcscd not reachable";
	case SCARD_E_INVALID_HANDLE:
		return "PC/SC handle lost (pcscd restarted?)";
	case SCARD_E_TIMEOUT:
		return "timed out";
	case SCARD_W_UNRESPONSIVE_CARD:
		return "card unresponsive";
	case SCARD_W_UNPOWERED_CARD:
		return "card not powered";
	case SCARD_W_RESET_CARD:
		return "card reset by another application";
	case SCARD_E_SHARING_VIOLATION:
		return "reader in use by another application";
	case SCARD_E_PROTO_MISMATCH:
		return "card protocol mismatch";
	case SCARD_W_UNSUPPORTED_CARD:
	case SCARD_E_CARD_UNSUPPORTED:
		return "card not supported";
	default:
		return "PC/SC error";
	}
}

static void
remsim_pcsc_slot_set_error (
    RemsimPcscSlot *self, GError **error, LONG rv, const gchar *call, const gchar *during)
{
	g_set_error (error,
		     REMSIM_ERROR,
		     remsim_pcsc_rv_to_code (rv),
		     "%s (%s): %s during %s (%s: %s, 0x%08lX)",
		     self->name,
		     self->reader != NULL ? self->reader : "no reader",
		     remsim_pcsc_rv_to_phrase (rv),
		     during,
		     call,
		     pcsc_stringify_error (rv),
		     (gulong)rv);
}

/* PC/SC work, on a worker thread ------------------------------------------ */

static void
remsim_pcsc_slot_drop_card (RemsimPcscSlot *self, DWORD disposition)
{
	if (!self->connected)
		return;
	(void)SCardDisconnect (self->card, disposition);
	self->connected = FALSE;
	self->card = 0;
}

static void
remsim_pcsc_slot_drop_context (RemsimPcscSlot *self)
{
	remsim_pcsc_slot_drop_card (self, SCARD_LEAVE_CARD);
	if (!self->has_context)
		return;
	(void)SCardReleaseContext (self->pcsc_context);
	self->has_context = FALSE;
	self->pcsc_context = 0;
}

/* after a failed call: forget what the failure made useless */
static void
remsim_pcsc_slot_after_failure (RemsimPcscSlot *self, LONG rv)
{
	if (remsim_pcsc_rv_is_context_lost (rv))
		remsim_pcsc_slot_drop_context (self);
	else if (remsim_pcsc_rv_is_card_lost (rv))
		remsim_pcsc_slot_drop_card (self, SCARD_LEAVE_CARD);
}

static LONG
remsim_pcsc_slot_ensure_context (RemsimPcscSlot *self)
{
	LONG rv;

	if (self->has_context)
		return SCARD_S_SUCCESS;
	rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &self->pcsc_context);
	if (rv == SCARD_S_SUCCESS)
		self->has_context = TRUE;
	return rv;
}

/* the (match_index + 1)-th reader matching the pattern, in pcscd's order */
static LONG
remsim_pcsc_slot_find_reader (RemsimPcscSlot *self, gchar **reader)
{
	LPSTR names = NULL;
	DWORD len = SCARD_AUTOALLOCATE;
	guint n = 0;
	LONG rv;

	*reader = NULL;
	rv = SCardListReaders (self->pcsc_context, NULL, (LPSTR)&names, &len);
	if (rv != SCARD_S_SUCCESS)
		return rv;
	for (const gchar *p = names; p != NULL && *p != '\0'; p += strlen (p) + 1) {
		if (regexec (&self->regex, p, 0, NULL, 0) != 0)
			continue;
		if (n++ == self->match_index) {
			*reader = g_strdup (p);
			break;
		}
	}
	(void)SCardFreeMemory (self->pcsc_context, names);
	return SCARD_S_SUCCESS;
}

static GBytes *
remsim_pcsc_slot_read_atr (RemsimPcscSlot *self, LONG *rv_out)
{
	gchar name[MAX_READERNAME + 1];
	DWORD name_len = sizeof (name);
	BYTE atr[MAX_ATR_SIZE];
	DWORD atr_len = sizeof (atr);
	DWORD state = 0;
	DWORD protocol = 0;

	*rv_out = SCardStatus (self->card, name, &name_len, &state, &protocol, atr, &atr_len);
	if (*rv_out != SCARD_S_SUCCESS)
		return NULL;
	if (atr_len == 0 || atr_len > sizeof (atr)) {
		*rv_out = SCARD_W_UNRESPONSIVE_CARD;
		return NULL;
	}
	self->active_protocol = protocol;
	return g_bytes_new (atr, atr_len);
}

static GBytes *
remsim_pcsc_slot_do_power_on (RemsimPcscSlot *self, GError **error)
{
	LONG rv = SCARD_S_SUCCESS;
	const gchar *call = NULL;

	if (!self->has_regex) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_CARD_ABSENT,
			     "%s: %s",
			     self->name,
			     self->no_reader_why);
		return NULL;
	}
	if (self->connected) {
		GBytes *atr = remsim_pcsc_slot_read_atr (self, &rv);

		if (atr != NULL)
			return atr;
		remsim_pcsc_slot_after_failure (self, rv);
		remsim_pcsc_slot_drop_card (self, SCARD_LEAVE_CARD);
	}

	/* two rounds: the first may find the context dead after a restart of
	 * pcscd, the second starts with a fresh one */
	for (guint attempt = 0; attempt < 2; attempt++) {
		g_autofree gchar *reader = NULL;
		GBytes *atr;
		DWORD protocol = 0;

		call = "SCardEstablishContext";
		rv = remsim_pcsc_slot_ensure_context (self);
		if (rv != SCARD_S_SUCCESS)
			break;
		call = "SCardListReaders";
		rv = remsim_pcsc_slot_find_reader (self, &reader);
		if (rv == SCARD_E_NO_READERS_AVAILABLE ||
		    (rv == SCARD_S_SUCCESS && reader == NULL)) {
			if (self->match_index == 0)
				g_set_error (error,
					     REMSIM_ERROR,
					     REMSIM_ERROR_CARD_ABSENT,
					     "%s: no reader matching \"%s\"",
					     self->name,
					     self->pattern);
			else
				g_set_error (error,
					     REMSIM_ERROR,
					     REMSIM_ERROR_CARD_ABSENT,
					     "%s: fewer than %u readers matching \"%s\"",
					     self->name,
					     self->match_index + 1,
					     self->pattern);
			return NULL;
		}
		if (rv != SCARD_S_SUCCESS) {
			remsim_pcsc_slot_after_failure (self, rv);
			if (remsim_pcsc_rv_is_context_lost (rv) && attempt == 0)
				continue;
			break;
		}
		g_free (self->reader);
		self->reader = g_strdup (reader);
		call = "SCardConnect";
		rv = SCardConnect (self->pcsc_context,
				   reader,
				   self->share_mode,
				   self->protocols,
				   &self->card,
				   &protocol);
		if (rv != SCARD_S_SUCCESS) {
			remsim_pcsc_slot_after_failure (self, rv);
			if (remsim_pcsc_rv_is_context_lost (rv) && attempt == 0)
				continue;
			break;
		}
		self->connected = TRUE;
		self->active_protocol = protocol;
		call = "SCardStatus";
		atr = remsim_pcsc_slot_read_atr (self, &rv);
		if (atr == NULL) {
			remsim_pcsc_slot_after_failure (self, rv);
			break;
		}
		g_debug ("%s (%s): connected, T=%d, ATR of %" G_GSIZE_FORMAT " bytes",
			 self->name,
			 self->reader,
			 self->active_protocol == SCARD_PROTOCOL_T1 ? 1 : 0,
			 g_bytes_get_size (atr));
		return atr;
	}
	remsim_pcsc_slot_set_error (self, error, rv, call, "power on");
	return NULL;
}

static GBytes *
remsim_pcsc_slot_do_reset (RemsimPcscSlot *self, gboolean cold, GError **error)
{
	DWORD protocol = 0;
	GBytes *atr;
	LONG rv;
	const gchar *during = cold ? "cold reset" : "warm reset";

	/* nothing to reset: a fresh connect powers the card up */
	if (!self->connected)
		return remsim_pcsc_slot_do_power_on (self, error);
	rv = SCardReconnect (self->card,
			     self->share_mode,
			     self->protocols,
			     cold ? SCARD_UNPOWER_CARD : SCARD_RESET_CARD,
			     &protocol);
	if (rv != SCARD_S_SUCCESS) {
		remsim_pcsc_slot_set_error (self, error, rv, "SCardReconnect", during);
		remsim_pcsc_slot_after_failure (self, rv);
		return NULL;
	}
	self->active_protocol = protocol;
	atr = remsim_pcsc_slot_read_atr (self, &rv);
	if (atr == NULL) {
		remsim_pcsc_slot_set_error (self, error, rv, "SCardStatus", during);
		remsim_pcsc_slot_after_failure (self, rv);
		return NULL;
	}
	return atr;
}

static GBytes *
remsim_pcsc_slot_do_transmit (RemsimPcscSlot *self, GBytes *tpdu, GError **error)
{
	const SCARD_IO_REQUEST *pci;
	SCARD_IO_REQUEST recv_pci;
	guint8 *buf = g_private_get (&remsim_pcsc_recv_buf);
	DWORD buf_len = MAX_BUFFER_SIZE_EXTENDED;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data (tpdu, &len);
	LONG rv;

	if (!self->connected) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_FAILED,
			     "%s (%s): card not powered",
			     self->name,
			     self->reader != NULL ? self->reader : "no reader");
		return NULL;
	}
	if (len == 0 || len > MAX_BUFFER_SIZE_EXTENDED) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "%s (%s): cannot send a TPDU of %" G_GSIZE_FORMAT " bytes",
			     self->name,
			     self->reader,
			     len);
		return NULL;
	}
	if (buf == NULL) {
		buf = g_malloc (MAX_BUFFER_SIZE_EXTENDED);
		g_private_set (&remsim_pcsc_recv_buf, buf);
	}
	pci = self->active_protocol == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
	recv_pci.dwProtocol = self->active_protocol;
	recv_pci.cbPciLength = sizeof (recv_pci);
	rv = SCardTransmit (self->card, pci, data, (DWORD)len, &recv_pci, buf, &buf_len);
	if (rv != SCARD_S_SUCCESS) {
		remsim_pcsc_slot_set_error (self, error, rv, "SCardTransmit", "transmit");
		remsim_pcsc_slot_after_failure (self, rv);
		return NULL;
	}
	if (buf_len < 2) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_PROTOCOL,
			     "%s (%s): response of %lu bytes has no status word",
			     self->name,
			     self->reader,
			     (gulong)buf_len);
		return NULL;
	}
	return g_bytes_new (buf, buf_len);
}

static void
remsim_pcsc_slot_do_power_off (RemsimPcscSlot *self)
{
	if (self->connected)
		g_debug ("%s (%s): power off", self->name, self->reader);
	remsim_pcsc_slot_drop_card (self, SCARD_UNPOWER_CARD);
	remsim_pcsc_slot_drop_context (self);
}

/* jobs -------------------------------------------------------------------- */

static void
remsim_pcsc_job_free (gpointer data)
{
	RemsimPcscJob *job = data;

	g_clear_pointer (&job->tpdu, g_bytes_unref);
	g_clear_pointer (&job->result, g_bytes_unref);
	g_clear_error (&job->error);
	g_clear_object (&job->task);
	remsim_pcsc_slot_unref (job->slot);
	g_free (job);
}

/* in the task's main context */
static gboolean
remsim_pcsc_job_complete_cb (gpointer data)
{
	RemsimPcscJob *job = data;

	job->done (job->task, job->result, job->error);
	return G_SOURCE_REMOVE;
}

static gboolean
remsim_pcsc_job_cancelled (RemsimPcscJob *job)
{
	GCancellable *cancellable = job->task != NULL ? g_task_get_cancellable (job->task) : NULL;

	return g_cancellable_set_error_if_cancelled (cancellable, &job->error);
}

static void
remsim_pcsc_job_execute (RemsimPcscJob *job)
{
	RemsimPcscSlot *slot = job->slot;

	if (job->op == REMSIM_PCSC_OP_POWER_OFF) {
		remsim_pcsc_slot_do_power_off (slot);
		return;
	}
	if (remsim_pcsc_job_cancelled (job))
		return;
	switch (job->op) {
	case REMSIM_PCSC_OP_POWER_ON:
		job->result = remsim_pcsc_slot_do_power_on (slot, &job->error);
		break;
	case REMSIM_PCSC_OP_RESET_COLD:
	case REMSIM_PCSC_OP_RESET_WARM:
		job->result = remsim_pcsc_slot_do_reset (
		    slot, job->op == REMSIM_PCSC_OP_RESET_COLD, &job->error);
		break;
	case REMSIM_PCSC_OP_TRANSMIT:
	default:
		job->result = remsim_pcsc_slot_do_transmit (slot, job->tpdu, &job->error);
		break;
	}
	/* the work is done, but the caller no longer wants it */
	if (job->error == NULL && remsim_pcsc_job_cancelled (job))
		g_clear_pointer (&job->result, g_bytes_unref);
}

static void
remsim_pcsc_job_run (RemsimPcscJob *job)
{
	remsim_pcsc_job_execute (job);
	if (job->task == NULL) {
		remsim_pcsc_job_free (job);
		return;
	}
	/* the task and everything it holds are released in its context */
	g_main_context_invoke_full (g_task_get_context (job->task),
				    G_PRIORITY_DEFAULT,
				    remsim_pcsc_job_complete_cb,
				    job,
				    remsim_pcsc_job_free);
}

/* pool function: one job of @data (a slot, with a reference), then back to
 * the end of the pool's queue if the slot has more */
static void
remsim_pcsc_pool_run (gpointer data, gpointer user_data)
{
	RemsimPcscSlot *slot = data;
	RemsimPcscJob *job;
	gboolean more;

	g_mutex_lock (&slot->lock);
	job = g_queue_pop_head (&slot->jobs);
	g_mutex_unlock (&slot->lock);
	if (job != NULL)
		remsim_pcsc_job_run (job);

	g_mutex_lock (&slot->lock);
	more = !g_queue_is_empty (&slot->jobs);
	if (!more)
		slot->scheduled = FALSE;
	g_mutex_unlock (&slot->lock);
	if (more)
		g_thread_pool_push (remsim_pcsc_pool, slot, NULL);
	else
		remsim_pcsc_slot_unref (slot);
}

void
remsim_pcsc_slot_submit (
    RemsimPcscSlot *self, RemsimPcscOp op, GBytes *tpdu, GTask *task, RemsimPcscDoneFunc done)
{
	RemsimPcscJob *job = g_new0 (RemsimPcscJob, 1);
	gboolean push = FALSE;

	g_return_if_fail (self != NULL);
	g_return_if_fail (task == NULL || done != NULL);

	job->slot = remsim_pcsc_slot_ref (self);
	job->op = op;
	job->tpdu = tpdu != NULL ? g_bytes_ref (tpdu) : NULL;
	job->task = task;
	job->done = done;

	g_mutex_lock (&self->lock);
	g_queue_push_tail (&self->jobs, job);
	if (!self->scheduled) {
		self->scheduled = TRUE;
		push = TRUE;
	}
	g_mutex_unlock (&self->lock);
	if (push)
		g_thread_pool_push (remsim_pcsc_pool, remsim_pcsc_slot_ref (self), NULL);
}

/* monitor ----------------------------------------------------------------- */

typedef struct {
	RemsimPcscSlot *slot;
	gboolean present;
} RemsimPcscPresence;

static void
remsim_pcsc_presence_free (gpointer data)
{
	RemsimPcscPresence *p = data;

	remsim_pcsc_slot_unref (p->slot);
	g_free (p);
}

static gboolean
remsim_pcsc_presence_cb (gpointer data)
{
	RemsimPcscPresence *p = data;
	g_autoptr (GObject) owner = g_weak_ref_get (&p->slot->owner);

	if (owner != NULL)
		p->slot->presence_func (owner, p->present);
	return G_SOURCE_REMOVE;
}

static void
remsim_pcsc_reader_state_free (gpointer data)
{
	RemsimPcscReaderState *r = data;

	g_free (r->name);
	g_free (r);
}

/* under the monitor lock */
static gint
remsim_pcsc_slot_presence_in_snapshot (RemsimPcscSlot *self)
{
	GPtrArray *snapshot = remsim_pcsc_monitor.snapshot;
	guint n = 0;

	if (snapshot == NULL)
		return REMSIM_PCSC_PRESENCE_UNKNOWN;
	if (!self->has_regex)
		return FALSE;
	for (guint i = 0; i < snapshot->len; i++) {
		RemsimPcscReaderState *r = g_ptr_array_index (snapshot, i);

		if (regexec (&self->regex, r->name, 0, NULL, 0) != 0)
			continue;
		if (n++ == self->match_index)
			return r->present ? TRUE : FALSE;
	}
	return FALSE;
}

/* replace the snapshot (transfer full, NULL: no pcscd) and report every
 * slot whose presence changed */
static void
remsim_pcsc_monitor_publish (GPtrArray *snapshot)
{
	g_mutex_lock (&remsim_pcsc_monitor.lock);
	g_clear_pointer (&remsim_pcsc_monitor.snapshot, g_ptr_array_unref);
	remsim_pcsc_monitor.snapshot = snapshot;
	for (guint i = 0; i < remsim_pcsc_monitor.slots->len; i++) {
		RemsimPcscSlot *slot = g_ptr_array_index (remsim_pcsc_monitor.slots, i);
		gint present = remsim_pcsc_slot_presence_in_snapshot (slot);
		RemsimPcscPresence *p;

		if (present == slot->reported || present == REMSIM_PCSC_PRESENCE_UNKNOWN)
			continue;
		slot->reported = present;
		g_debug ("%s: card %s", slot->name, present ? "present" : "absent");
		p = g_new0 (RemsimPcscPresence, 1);
		p->slot = remsim_pcsc_slot_ref (slot);
		p->present = present;
		g_main_context_invoke_full (slot->context,
					    G_PRIORITY_DEFAULT,
					    remsim_pcsc_presence_cb,
					    p,
					    remsim_pcsc_presence_free);
	}
	g_mutex_unlock (&remsim_pcsc_monitor.lock);
}

static GPtrArray *
remsim_pcsc_snapshot_new (void)
{
	return g_ptr_array_new_with_free_func (remsim_pcsc_reader_state_free);
}

static gpointer
remsim_pcsc_monitor_thread (gpointer data)
{
	SCARDCONTEXT ctx = 0;
	gboolean have_ctx = FALSE;
	gboolean need_list = TRUE;
	gulong backoff_ms = REMSIM_PCSC_MONITOR_BACKOFF_MIN;
	g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
	g_autofree SCARD_READERSTATE *states = NULL;
	guint n_states = 0;

	for (;;) {
		GPtrArray *snapshot;
		LONG rv;

		if (!have_ctx) {
			rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
			if (rv != SCARD_S_SUCCESS) {
				/* no pcscd: no readers, no cards */
				remsim_pcsc_monitor_publish (remsim_pcsc_snapshot_new ());
				g_usleep (backoff_ms * 1000);
				backoff_ms = MIN (backoff_ms * 2, REMSIM_PCSC_MONITOR_BACKOFF_MAX);
				continue;
			}
			g_debug ("monitor: connected to pcscd");
			have_ctx = TRUE;
			need_list = TRUE;
			backoff_ms = REMSIM_PCSC_MONITOR_BACKOFF_MIN;
		}

		if (need_list) {
			LPSTR list = NULL;
			DWORD len = SCARD_AUTOALLOCATE;

			g_ptr_array_set_size (names, 0);
			rv = SCardListReaders (ctx, NULL, (LPSTR)&list, &len);
			if (rv == SCARD_S_SUCCESS) {
				for (const gchar *p = list; p != NULL && *p != '\0';
				     p += strlen (p) + 1)
					g_ptr_array_add (names, g_strdup (p));
				(void)SCardFreeMemory (ctx, list);
			} else if (rv != SCARD_E_NO_READERS_AVAILABLE) {
				g_debug ("monitor: SCardListReaders: %s",
					 pcsc_stringify_error (rv));
				(void)SCardReleaseContext (ctx);
				have_ctx = FALSE;
				remsim_pcsc_monitor_publish (remsim_pcsc_snapshot_new ());
				g_usleep (backoff_ms * 1000);
				continue;
			}
			for (guint i = 0; i < names->len; i++)
				g_debug ("monitor: reader %u: %s",
					 i,
					 (const gchar *)g_ptr_array_index (names, i));
			n_states = names->len + 1;
			g_free (states);
			states = g_new0 (SCARD_READERSTATE, n_states);
			for (guint i = 0; i < names->len; i++) {
				states[i].szReader = g_ptr_array_index (names, i);
				states[i].dwCurrentState = SCARD_STATE_UNAWARE;
			}
			/* the notification "reader" counts readers in its upper 16 bits */
			states[names->len].szReader = REMSIM_PCSC_PNP_READER;
			states[names->len].dwCurrentState = (DWORD)names->len << 16;
			rv = SCardGetStatusChange (ctx, 0, states, n_states);
			need_list = FALSE;
			/* no readers: nothing is unaware, so nothing to report */
			if (rv == SCARD_E_TIMEOUT)
				rv = SCARD_S_SUCCESS;
		} else {
			rv = SCardGetStatusChange (
			    ctx, REMSIM_PCSC_MONITOR_TIMEOUT_MS, states, n_states);
			if (rv == SCARD_E_TIMEOUT)
				continue;
		}

		if (rv != SCARD_S_SUCCESS) {
			g_debug ("monitor: SCardGetStatusChange: %s", pcsc_stringify_error (rv));
			if (remsim_pcsc_rv_is_context_lost (rv)) {
				(void)SCardReleaseContext (ctx);
				have_ctx = FALSE;
				remsim_pcsc_monitor_publish (remsim_pcsc_snapshot_new ());
			} else {
				/* a reader vanished under us or something odd:
				 * list again, without spinning */
				need_list = TRUE;
				g_usleep (REMSIM_PCSC_MONITOR_BACKOFF_MIN * 1000);
			}
			continue;
		}

		snapshot = remsim_pcsc_snapshot_new ();
		for (guint i = 0; i < n_states; i++) {
			DWORD ev = states[i].dwEventState;

			if (i == names->len) {
				if (ev & SCARD_STATE_CHANGED)
					need_list = TRUE;
			} else {
				RemsimPcscReaderState *r = g_new0 (RemsimPcscReaderState, 1);

				if (ev & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE))
					need_list = TRUE;
				r->name = g_strdup (states[i].szReader);
				r->present =
				    (ev & SCARD_STATE_PRESENT) != 0 &&
				    (ev & (SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE)) == 0;
				g_ptr_array_add (snapshot, r);
			}
			states[i].dwCurrentState = ev & ~(DWORD)SCARD_STATE_CHANGED;
		}
		remsim_pcsc_monitor_publish (snapshot);
	}
	return NULL;
}

/* process-wide start-up ---------------------------------------------------- */

static gpointer
remsim_pcsc_worker_init_once (gpointer data)
{
	const gchar *env = g_getenv ("REMSIM_PCSC_WORKERS");
	guint64 n = REMSIM_PCSC_DEFAULT_WORKERS;
	g_autoptr (GError) error = NULL;

	if (env != NULL &&
	    !g_ascii_string_to_unsigned (env, 10, 1, REMSIM_PCSC_MAX_WORKERS, &n, NULL)) {
		g_warning ("REMSIM_PCSC_WORKERS=%s: expected 1..%u, using %u",
			   env,
			   (guint)REMSIM_PCSC_MAX_WORKERS,
			   (guint)REMSIM_PCSC_DEFAULT_WORKERS);
		n = REMSIM_PCSC_DEFAULT_WORKERS;
	}
	/* exclusive: all threads start now and stay; their number never
	 * depends on the number of slots */
	remsim_pcsc_pool = g_thread_pool_new (remsim_pcsc_pool_run, NULL, (gint)n, TRUE, &error);
	if (remsim_pcsc_pool == NULL) {
		remsim_pcsc_pool_error = g_strdup (error->message);
		return NULL;
	}
	remsim_pcsc_pool_threads = (guint)n;

	remsim_pcsc_monitor.slots =
	    g_ptr_array_new_with_free_func ((GDestroyNotify)remsim_pcsc_slot_unref);
	remsim_pcsc_monitor.thread =
	    g_thread_new ("remsim-pcsc-mon", remsim_pcsc_monitor_thread, NULL);
	g_debug ("%u PC/SC worker threads and a monitor thread started", (guint)n);
	return NULL;
}

static void
remsim_pcsc_worker_ensure (void)
{
	static GOnce once = G_ONCE_INIT;

	g_once (&once, remsim_pcsc_worker_init_once, NULL);
}

guint
remsim_pcsc_worker_get_n_threads (void)
{
	remsim_pcsc_worker_ensure ();
	return remsim_pcsc_pool_threads;
}

RemsimPcscSlot *
remsim_pcsc_slot_new (const gchar *name,
		      const gchar *pattern,
		      guint match_index,
		      const gchar *no_reader_why,
		      gboolean share_exclusive,
		      guint protocols,
		      GObject *owner,
		      RemsimPcscPresenceFunc presence_func,
		      gboolean *initial_present,
		      GError **error)
{
	RemsimPcscSlot *self;
	gint present;

	g_return_val_if_fail (name != NULL, NULL);
	g_return_val_if_fail (G_IS_OBJECT (owner), NULL);
	g_return_val_if_fail (presence_func != NULL, NULL);

	self = g_new0 (RemsimPcscSlot, 1);
	g_atomic_ref_count_init (&self->ref);
	g_mutex_init (&self->lock);
	g_queue_init (&self->jobs);
	g_weak_ref_init (&self->owner, owner);
	self->name = g_strdup (name);
	self->pattern = g_strdup (pattern);
	self->match_index = match_index;
	self->no_reader_why =
	    g_strdup (no_reader_why != NULL ? no_reader_why : "no reader configured");
	self->share_mode = share_exclusive ? SCARD_SHARE_EXCLUSIVE : SCARD_SHARE_SHARED;
	self->protocols = protocols;
	self->context = g_main_context_ref_thread_default ();
	self->presence_func = presence_func;
	self->reported = REMSIM_PCSC_PRESENCE_UNKNOWN;

	if (pattern != NULL) {
		int rc = regcomp (&self->regex, pattern, REG_EXTENDED | REG_NOSUB);

		if (rc != 0) {
			gchar msg[256];

			regerror (rc, &self->regex, msg, sizeof (msg));
			g_set_error (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "invalid reader regular expression \"%s\": %s",
				     pattern,
				     msg);
			remsim_pcsc_slot_unref (self);
			return NULL;
		}
		self->has_regex = TRUE;
	}

	remsim_pcsc_worker_ensure ();
	if (remsim_pcsc_pool == NULL) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_FAILED,
			     "cannot start the PC/SC worker threads: %s",
			     remsim_pcsc_pool_error);
		remsim_pcsc_slot_unref (self);
		return NULL;
	}
	g_mutex_lock (&remsim_pcsc_monitor.lock);
	present = remsim_pcsc_slot_presence_in_snapshot (self);
	self->reported = present;
	self->registered = TRUE;
	g_ptr_array_add (remsim_pcsc_monitor.slots, remsim_pcsc_slot_ref (self));
	g_mutex_unlock (&remsim_pcsc_monitor.lock);

	/* not known yet: say present, power on will tell */
	if (initial_present != NULL)
		*initial_present = present != FALSE;
	return self;
}

void
remsim_pcsc_slot_close (RemsimPcscSlot *self)
{
	if (self == NULL)
		return;
	g_mutex_lock (&remsim_pcsc_monitor.lock);
	if (self->registered) {
		self->registered = FALSE;
		/* the array's reference: the caller still holds one */
		g_ptr_array_remove_fast (remsim_pcsc_monitor.slots, self);
	}
	g_mutex_unlock (&remsim_pcsc_monitor.lock);
	g_weak_ref_set (&self->owner, NULL);
	remsim_pcsc_slot_submit (self, REMSIM_PCSC_OP_POWER_OFF, NULL, NULL, NULL);
	remsim_pcsc_slot_unref (self);
}
