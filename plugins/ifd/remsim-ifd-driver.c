/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libifd_remsim.so: a pcsc-lite reader driver (IFD handler v3) that runs the
 * remsim client inside pcscd (protocols.md §9, docs/plugins/ifd.md).
 *
 * Each reader slot pcscd opens is one client slot: a RemsimClientSlotSession
 * (server and bankd connections) with a RemsimIfdSink as its card sink. All
 * sessions of the process run on one GMainContext, in a thread of the
 * driver's own, started by the first IFDHCreateChannel* and stopped when the
 * last channel is closed (pcscd closes every channel when it shuts down).
 * pcscd's threads never touch a session: they hand requests to the sink,
 * which carries them into the main loop thread and waits for the answer with
 * a timeout.
 *
 * Only the IFDH* functions are exported (ifd-remsim.map).
 */
#include "config.h"

#include <string.h>

/* the entry points keep default visibility; everything else is hidden */
#pragma GCC visibility push(default)
#include <ifdhandler.h>
#pragma GCC visibility pop
#include <reader.h>

#include "remsim-client-slot-session.h"
#include "remsim-error.h"
#include "remsim-ifd-config.h"
#include "remsim-ifd-sink.h"

#ifndef SCARD_ATTR_ATR_STRING
#define SCARD_ATTR_ATR_STRING SCARD_ATTR_VALUE (SCARD_CLASS_ICC_STATE, 0x0303)
#endif

/* pcscd 1.9's PCSCLITE_MAX_READERS_CONTEXTS: readers one driver may serve */
#define REMSIM_IFD_MAX_READERS 16
#define REMSIM_IFD_VENDOR      "remsim"

typedef struct {
	DWORD lun;
	gchar *name;
	RemsimIfdConfig *config;
	RemsimClientSlot slot;
	RemsimIfdSink *sink;
	RemsimClientSlotSession *session; /* main loop thread only */
	GError *start_error;
} RemsimIfdReader;

/* the driver: guarded by remsim_ifd_lock */
static GMutex remsim_ifd_lock;
static GHashTable *remsim_ifd_readers; /* Lun → RemsimIfdReader */
static GMainContext *remsim_ifd_context;
static GMainLoop *remsim_ifd_loop;
static GThread *remsim_ifd_thread;

static void
remsim_ifd_reader_free (RemsimIfdReader *reader)
{
	if (reader == NULL)
		return;
	g_clear_object (&reader->sink);
	g_clear_pointer (&reader->config, remsim_ifd_config_free);
	g_clear_error (&reader->start_error);
	g_free (reader->name);
	g_free (reader);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimIfdReader, remsim_ifd_reader_free)

/* the main loop thread ------------------------------------------------- */

static gpointer
remsim_ifd_thread_func (gpointer data)
{
	GMainContext *context = data;

	g_main_context_push_thread_default (context);
	g_main_loop_run (remsim_ifd_loop);
	/* let cancelled operations and finished scripts report back */
	for (guint i = 0; i < 1000 && g_main_context_iteration (context, FALSE); i++)
		;
	g_main_context_pop_thread_default (context);
	return NULL;
}

static void
remsim_ifd_thread_start (void)
{
	if (remsim_ifd_thread != NULL)
		return;
	/* pcscd does not use GLib: log lines go with pcscd's, to stderr */
	g_log_writer_default_set_use_stderr (TRUE);
	remsim_ifd_context = g_main_context_new ();
	remsim_ifd_loop = g_main_loop_new (remsim_ifd_context, FALSE);
	remsim_ifd_thread = g_thread_new ("remsim-ifd", remsim_ifd_thread_func, remsim_ifd_context);
	g_message ("main loop thread started");
}

static void
remsim_ifd_thread_stop (void)
{
	if (remsim_ifd_thread == NULL)
		return;
	g_main_loop_quit (remsim_ifd_loop);
	g_thread_join (g_steal_pointer (&remsim_ifd_thread));
	g_clear_pointer (&remsim_ifd_loop, g_main_loop_unref);
	g_clear_pointer (&remsim_ifd_context, g_main_context_unref);
	g_message ("main loop thread stopped");
}

/* run @func (@data) in the main loop thread and wait until it returned */
typedef struct {
	GSourceFunc func;
	gpointer data;
	gboolean done;
	GMutex lock;
	GCond cond;
} RemsimIfdCall;

static gboolean
remsim_ifd_call_cb (gpointer user_data)
{
	RemsimIfdCall *call = user_data;

	call->func (call->data);
	g_mutex_lock (&call->lock);
	call->done = TRUE;
	g_cond_signal (&call->cond);
	g_mutex_unlock (&call->lock);
	return G_SOURCE_REMOVE;
}

static void
remsim_ifd_run_sync (GSourceFunc func, gpointer data)
{
	RemsimIfdCall call = {func, data, FALSE};

	g_mutex_init (&call.lock);
	g_cond_init (&call.cond);
	g_main_context_invoke (remsim_ifd_context, remsim_ifd_call_cb, &call);
	g_mutex_lock (&call.lock);
	while (!call.done)
		g_cond_wait (&call.cond, &call.lock);
	g_mutex_unlock (&call.lock);
	g_mutex_clear (&call.lock);
	g_cond_clear (&call.cond);
}

static gboolean
remsim_ifd_reader_start_cb (gpointer data)
{
	RemsimIfdReader *reader = data;
	RemsimIfdConfig *config = reader->config;

	reader->session = remsim_client_slot_session_new (&reader->slot,
							  REMSIM_CARD_SINK (reader->sink),
							  config->server_host,
							  config->server_port);
	remsim_client_slot_session_set_default_atr (reader->session, config->atr);
	remsim_client_slot_session_set_atr_ignore_rspro (reader->session, config->atr_ignore_rspro);
	remsim_client_slot_session_set_event_script (
	    reader->session, config->event_script, config->event_script_timeout_ms);
	remsim_client_slot_session_set_keepalive (
	    reader->session, config->keepalive_interval_ms, config->keepalive_timeout_ms);
	if (config->component_name != NULL)
		remsim_client_slot_session_set_component_name (reader->session,
							       config->component_name);
	if (!remsim_client_slot_session_start (reader->session, &reader->start_error))
		g_clear_object (&reader->session);
	return G_SOURCE_REMOVE;
}

static gboolean
remsim_ifd_reader_stop_cb (gpointer data)
{
	RemsimIfdReader *reader = data;

	if (reader->session != NULL) {
		remsim_client_slot_session_stop (reader->session);
		g_clear_object (&reader->session);
	}
	return G_SOURCE_REMOVE;
}

/* readers ---------------------------------------------------------------- */

/* the sink of @lun (a new reference), or NULL; also its settings */
static RemsimIfdSink *
remsim_ifd_lookup (DWORD lun, guint *transmit_timeout_ms, guint *reset_timeout_ms)
{
	RemsimIfdReader *reader = NULL;
	RemsimIfdSink *sink = NULL;

	g_mutex_lock (&remsim_ifd_lock);
	if (remsim_ifd_readers != NULL)
		reader = g_hash_table_lookup (remsim_ifd_readers, GSIZE_TO_POINTER (lun));
	if (reader != NULL) {
		sink = g_object_ref (reader->sink);
		if (transmit_timeout_ms != NULL)
			*transmit_timeout_ms = reader->config->transmit_timeout_ms;
		if (reset_timeout_ms != NULL)
			*reset_timeout_ms = reader->config->reset_timeout_ms;
	}
	g_mutex_unlock (&remsim_ifd_lock);
	return sink;
}

static guint
remsim_ifd_lookup_n_slots (DWORD lun)
{
	RemsimIfdReader *reader = NULL;
	guint n = 1;

	g_mutex_lock (&remsim_ifd_lock);
	if (remsim_ifd_readers != NULL)
		reader = g_hash_table_lookup (remsim_ifd_readers, GSIZE_TO_POINTER (lun));
	if (reader != NULL)
		n = reader->config->n_slots;
	g_mutex_unlock (&remsim_ifd_lock);
	return n;
}

/* another reader already serves this client slot of this server */
static RemsimIfdReader *
remsim_ifd_find_slot_locked (const RemsimIfdConfig *config, const RemsimClientSlot *slot)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init (&iter, remsim_ifd_readers);
	while (g_hash_table_iter_next (&iter, NULL, &value)) {
		RemsimIfdReader *other = value;

		if (remsim_client_slot_equal (&other->slot, slot) &&
		    other->config->server_port == config->server_port &&
		    g_strcmp0 (other->config->server_host, config->server_host) == 0)
			return other;
	}
	return NULL;
}

static RESPONSECODE
remsim_ifd_open (DWORD lun, const gchar *devicename)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimIfdConfig) config = NULL;
	g_autoptr (RemsimIfdReader) reader = NULL;
	g_autoptr (GMutexLocker) locker = NULL;
	RemsimIfdReader *other;
	guint slot_index = (guint)(lun & 0xffff);

	config = remsim_ifd_config_parse (devicename, g_getenv (REMSIM_IFD_CONFIG_ENV), &error);
	if (config == NULL) {
		g_log_writer_default_set_use_stderr (TRUE);
		g_warning ("reader %02lX %02lX: DEVICENAME \"%s\": %s",
			   (unsigned long)(lun >> 16),
			   (unsigned long)slot_index,
			   devicename != NULL ? devicename : "",
			   error->message);
		return IFD_COMMUNICATION_ERROR;
	}
	if (config->debug)
		g_log_set_debug_enabled (TRUE);
	if (slot_index >= config->n_slots) {
		g_warning ("reader %02lX %02lX: the reader has %u slot(s)",
			   (unsigned long)(lun >> 16),
			   (unsigned long)slot_index,
			   config->n_slots);
		return IFD_NO_SUCH_DEVICE;
	}

	reader = g_new0 (RemsimIfdReader, 1);
	reader->lun = lun;
	reader->slot.client_id = config->client_id;
	reader->slot.slot_nr = config->client_slot + slot_index;
	reader->name = g_strdup_printf ("ifd %02lX %02lX C%u:%u",
					(unsigned long)(lun >> 16),
					(unsigned long)slot_index,
					reader->slot.client_id,
					reader->slot.slot_nr);
	reader->config = g_steal_pointer (&config);

	locker = g_mutex_locker_new (&remsim_ifd_lock);
	if (remsim_ifd_readers == NULL)
		remsim_ifd_readers = g_hash_table_new_full (
		    g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)remsim_ifd_reader_free);
	if (g_hash_table_contains (remsim_ifd_readers, GSIZE_TO_POINTER (lun))) {
		g_warning ("%s: this reader is open already", reader->name);
		return IFD_COMMUNICATION_ERROR;
	}
	other = remsim_ifd_find_slot_locked (reader->config, &reader->slot);
	if (other != NULL) {
		g_warning ("%s: client slot C%u:%u of %s:%u is served by %s already",
			   reader->name,
			   reader->slot.client_id,
			   reader->slot.slot_nr,
			   reader->config->server_host,
			   reader->config->server_port,
			   other->name);
		return IFD_COMMUNICATION_ERROR;
	}

	remsim_ifd_thread_start ();
	reader->sink = remsim_ifd_sink_new (remsim_ifd_context, reader->name);
	remsim_ifd_run_sync (remsim_ifd_reader_start_cb, reader);
	if (reader->session == NULL) {
		g_warning ("%s: %s",
			   reader->name,
			   reader->start_error != NULL ? reader->start_error->message
						       : "cannot start");
		if (g_hash_table_size (remsim_ifd_readers) == 0)
			remsim_ifd_thread_stop ();
		return IFD_COMMUNICATION_ERROR;
	}
	g_message ("%s: serving client slot C%u:%u of remsim-server %s:%u%s%s",
		   reader->name,
		   reader->slot.client_id,
		   reader->slot.slot_nr,
		   reader->config->server_host,
		   reader->config->server_port,
		   reader->config->keyfile != NULL ? ", settings from " : "",
		   reader->config->keyfile != NULL ? reader->config->keyfile : "");
	g_hash_table_insert (remsim_ifd_readers, GSIZE_TO_POINTER (lun), g_steal_pointer (&reader));
	return IFD_SUCCESS;
}

/* the IFD handler API ---------------------------------------------------- */

RESPONSECODE
IFDHCreateChannelByName (DWORD Lun, LPSTR DeviceName)
{
	return remsim_ifd_open (Lun, DeviceName);
}

RESPONSECODE
IFDHCreateChannel (DWORD Lun, DWORD Channel)
{
	/* no DEVICENAME: defaults and $REMSIM_IFD_CONFIG; CHANNELID is unused */
	return remsim_ifd_open (Lun, NULL);
}

RESPONSECODE
IFDHCloseChannel (DWORD Lun)
{
	RemsimIfdReader *reader = NULL;

	g_mutex_lock (&remsim_ifd_lock);
	if (remsim_ifd_readers != NULL &&
	    g_hash_table_steal_extended (
		remsim_ifd_readers, GSIZE_TO_POINTER (Lun), NULL, (gpointer *)&reader)) {
		remsim_ifd_run_sync (remsim_ifd_reader_stop_cb, reader);
		g_message ("%s: closed", reader->name);
		remsim_ifd_reader_free (reader);
		if (g_hash_table_size (remsim_ifd_readers) == 0) {
			remsim_ifd_thread_stop ();
			g_clear_pointer (&remsim_ifd_readers, g_hash_table_unref);
		}
	}
	g_mutex_unlock (&remsim_ifd_lock);
	return IFD_SUCCESS;
}

/*
 * pcscd answers SIGTERM with exit() without closing its readers (SIGINT
 * closes them). The library is never unloaded before (-z nodelete), so this
 * runs at process exit only: end the sessions (the server and bankd see the
 * client go) and the thread. Skipped if a pcscd thread is inside an open or a
 * close right now.
 */
__attribute__ ((destructor)) static void
remsim_ifd_unload (void)
{
	GHashTableIter iter;
	gpointer value;

	if (!g_mutex_trylock (&remsim_ifd_lock))
		return;
	if (remsim_ifd_readers != NULL) {
		g_hash_table_iter_init (&iter, remsim_ifd_readers);
		while (g_hash_table_iter_next (&iter, NULL, &value)) {
			RemsimIfdReader *reader = value;

			remsim_ifd_run_sync (remsim_ifd_reader_stop_cb, reader);
			g_message ("%s: closed at exit", reader->name);
		}
		g_clear_pointer (&remsim_ifd_readers, g_hash_table_unref);
	}
	remsim_ifd_thread_stop ();
	g_mutex_unlock (&remsim_ifd_lock);
}

static RESPONSECODE
remsim_ifd_put_byte (PDWORD Length, PUCHAR Value, guint8 byte)
{
	if (*Length < 1) {
		*Length = 0;
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	}
	Value[0] = byte;
	*Length = 1;
	return IFD_SUCCESS;
}

RESPONSECODE
IFDHGetCapabilities (DWORD Lun, DWORD Tag, PDWORD Length, PUCHAR Value)
{
	switch (Tag) {
	case TAG_IFD_ATR:
	case SCARD_ATTR_ATR_STRING: {
		g_autoptr (RemsimIfdSink) sink = remsim_ifd_lookup (Lun, NULL, NULL);
		g_autoptr (GBytes) atr = NULL;
		gsize len = 0;

		if (sink == NULL) {
			*Length = 0;
			return IFD_COMMUNICATION_ERROR;
		}
		atr = remsim_ifd_sink_dup_atr (sink);
		if (atr != NULL)
			len = g_bytes_get_size (atr);
		if (len > *Length) {
			*Length = 0;
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		}
		if (len > 0)
			memcpy (Value, g_bytes_get_data (atr, NULL), len);
		*Length = (DWORD)len;
		return IFD_SUCCESS;
	}
	case TAG_IFD_SIMULTANEOUS_ACCESS:
		return remsim_ifd_put_byte (Length, Value, REMSIM_IFD_MAX_READERS);
	case TAG_IFD_THREAD_SAFE:
	case TAG_IFD_SLOT_THREAD_SAFE:
		/* every slot has its own lock; calls for different slots may run
		 * at the same time */
		return remsim_ifd_put_byte (Length, Value, 1);
	case TAG_IFD_SLOTS_NUMBER:
		return remsim_ifd_put_byte (Length, Value, (guint8)remsim_ifd_lookup_n_slots (Lun));
	case SCARD_ATTR_VENDOR_NAME:
		if (*Length < sizeof (REMSIM_IFD_VENDOR)) {
			*Length = 0;
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		}
		memcpy (Value, REMSIM_IFD_VENDOR, sizeof (REMSIM_IFD_VENDOR));
		*Length = sizeof (REMSIM_IFD_VENDOR);
		return IFD_SUCCESS;
	default:
		*Length = 0;
		return IFD_ERROR_TAG;
	}
}

RESPONSECODE
IFDHSetCapabilities (DWORD Lun, DWORD Tag, DWORD Length, PUCHAR Value)
{
	return IFD_NOT_SUPPORTED;
}

RESPONSECODE
IFDHSetProtocolParameters (
    DWORD Lun, DWORD Protocol, UCHAR Flags, UCHAR PTS1, UCHAR PTS2, UCHAR PTS3)
{
	g_autoptr (RemsimIfdSink) sink = remsim_ifd_lookup (Lun, NULL, NULL);

	if (sink == NULL)
		return IFD_COMMUNICATION_ERROR;
	/* the bankd's reader negotiated with the card already; RSPRO carries
	 * no PPS, so the parameters are accepted as they are (as upstream) */
	if (Protocol != SCARD_PROTOCOL_T0 && Protocol != SCARD_PROTOCOL_T1)
		return IFD_PROTOCOL_NOT_SUPPORTED;
	return IFD_SUCCESS;
}

RESPONSECODE
IFDHPowerICC (DWORD Lun, DWORD Action, PUCHAR Atr, PDWORD AtrLength)
{
	g_autoptr (RemsimIfdSink) sink = NULL;
	g_autoptr (GBytes) atr = NULL;
	g_autoptr (GError) error = NULL;
	RemsimIfdPower action;
	guint reset_timeout_ms = 0;
	gsize len;

	*AtrLength = 0;
	switch (Action) {
	case IFD_POWER_UP:
		action = REMSIM_IFD_POWER_UP;
		break;
	case IFD_POWER_DOWN:
		action = REMSIM_IFD_POWER_DOWN;
		break;
	case IFD_RESET:
		action = REMSIM_IFD_RESET;
		break;
	default:
		return IFD_NOT_SUPPORTED;
	}
	sink = remsim_ifd_lookup (Lun, NULL, &reset_timeout_ms);
	if (sink == NULL)
		return IFD_COMMUNICATION_ERROR;
	atr = remsim_ifd_sink_power (sink, action, reset_timeout_ms, &error);
	if (atr == NULL) {
		g_debug ("power action %lu: %s", (unsigned long)Action, error->message);
		return IFD_ERROR_POWER_ACTION;
	}
	if (action == REMSIM_IFD_POWER_DOWN)
		return IFD_SUCCESS;
	len = g_bytes_get_size (atr);
	if (len > MAX_ATR_SIZE) {
		g_warning ("power up: an ATR of %" G_GSIZE_FORMAT " bytes (pcscd takes %u)",
			   len,
			   MAX_ATR_SIZE);
		return IFD_ERROR_POWER_ACTION;
	}
	memcpy (Atr, g_bytes_get_data (atr, NULL), len);
	*AtrLength = (DWORD)len;
	return IFD_SUCCESS;
}

RESPONSECODE
IFDHTransmitToICC (DWORD Lun,
		   SCARD_IO_HEADER SendPci,
		   PUCHAR TxBuffer,
		   DWORD TxLength,
		   PUCHAR RxBuffer,
		   PDWORD RxLength,
		   PSCARD_IO_HEADER RecvPci)
{
	g_autoptr (RemsimIfdSink) sink = NULL;
	g_autoptr (GBytes) apdu = NULL;
	g_autoptr (GBytes) response = NULL;
	g_autoptr (GError) error = NULL;
	guint timeout_ms = 0;
	DWORD room = *RxLength;
	gsize len;

	*RxLength = 0;
	sink = remsim_ifd_lookup (Lun, &timeout_ms, NULL);
	if (sink == NULL)
		return IFD_COMMUNICATION_ERROR;
	apdu = g_bytes_new (TxBuffer, TxLength);
	response = remsim_ifd_sink_transmit (sink, apdu, timeout_ms, &error);
	if (response == NULL) {
		g_message ("transmit: %s", error->message);
		if (g_error_matches (error, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT))
			return IFD_ICC_NOT_PRESENT;
		return IFD_COMMUNICATION_ERROR;
	}
	len = g_bytes_get_size (response);
	if (len > room) {
		g_message ("transmit: a response of %" G_GSIZE_FORMAT
			   " bytes does not fit pcscd's buffer of %lu",
			   len,
			   (unsigned long)room);
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	}
	memcpy (RxBuffer, g_bytes_get_data (response, NULL), len);
	*RxLength = (DWORD)len;
	if (RecvPci != NULL) {
		RecvPci->Protocol = SendPci.Protocol;
		RecvPci->Length = SendPci.Length;
	}
	return IFD_SUCCESS;
}

RESPONSECODE
IFDHControl (DWORD Lun,
	     DWORD dwControlCode,
	     PUCHAR TxBuffer,
	     DWORD TxLength,
	     PUCHAR RxBuffer,
	     DWORD RxLength,
	     LPDWORD pdwBytesReturned)
{
	if (pdwBytesReturned != NULL)
		*pdwBytesReturned = 0;
	return IFD_ERROR_NOT_SUPPORTED;
}

RESPONSECODE
IFDHICCPresence (DWORD Lun)
{
	g_autoptr (RemsimIfdSink) sink = remsim_ifd_lookup (Lun, NULL, NULL);

	if (sink == NULL)
		return IFD_COMMUNICATION_ERROR;
	return remsim_ifd_sink_is_present (sink) ? IFD_ICC_PRESENT : IFD_ICC_NOT_PRESENT;
}
