/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimIfdSink: a client slot's card sink whose "modem" is pcscd
 * (docs/plugins/ifd.md).
 *
 * pcscd's threads ask for a TPDU exchange or a power action; the request is
 * handed to the driver's main loop thread, which emits the sink's signals to
 * the client session, and the pcscd thread waits on the sink's condition
 * variable until the answer is there, the card goes away or the time is up.
 *
 * Answers are matched to commands in order: every command handed to the
 * session gets a sequence number and joins the "outstanding" queue; each
 * response takes the oldest. A command whose waiter gave up stays in the
 * queue, so its late answer is recognised and dropped instead of being
 * taken for the answer to the next command. When the card goes away the
 * queue is emptied: no answer can come after that.
 */
#include "config.h"

#include <string.h>

#include "remsim-error.h"
#include "remsim-ifd-sink.h"
#include "remsim-plugin.h"

#define REMSIM_IFD_SINK_APDU_MIN 4
#define REMSIM_IFD_SINK_APDU_MAX 260

struct _RemsimIfdSink {
	GObject parent_instance;

	GMainContext *context;
	gchar *name;
	/* the RemsimCardSink properties, unused by this built-in sink */
	RemsimPluginInstanceProps props;

	/* everything below is shared between the threads */
	GMutex lock;
	GCond cond;
	gboolean started;
	gboolean present;
	gboolean powered;
	GBytes *atr;
	/* a reset was asked for and its ATR has not come yet */
	gboolean atr_pending;
	/* the bankd sent no ATR after a reset: do not wait for one again */
	gboolean atr_after_reset_missing;

	guint next_seq;
	guint waiting_seq;  /* the command a pcscd thread waits for; 0: none */
	GQueue outstanding; /* sequence numbers handed to the session */
	GBytes *response;
	gboolean waiter_failed;
};

static void remsim_ifd_sink_card_sink_iface_init (RemsimCardSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RemsimIfdSink,
			       remsim_ifd_sink,
			       G_TYPE_OBJECT,
			       G_IMPLEMENT_INTERFACE (REMSIM_TYPE_CARD_SINK,
						      remsim_ifd_sink_card_sink_iface_init))

enum {
	PROP_0,
	PROP_INSTANCE, /* "config", "group", "slot" */
};

/* the card is gone or the sink stopped: wake whoever waits; lock held */
static void
remsim_ifd_sink_fail_waiter_locked (RemsimIfdSink *self)
{
	g_queue_clear (&self->outstanding);
	if (self->waiting_seq != 0 && self->response == NULL)
		self->waiter_failed = TRUE;
	self->atr_pending = FALSE;
	g_cond_broadcast (&self->cond);
}

/* RemsimCardSink, main loop thread ---------------------------------------- */

static gboolean
remsim_ifd_sink_start (RemsimCardSink *sink, GError **error)
{
	RemsimIfdSink *self = REMSIM_IFD_SINK (sink);

	g_mutex_lock (&self->lock);
	self->started = TRUE;
	g_mutex_unlock (&self->lock);
	return TRUE;
}

static void
remsim_ifd_sink_stop (RemsimCardSink *sink)
{
	RemsimIfdSink *self = REMSIM_IFD_SINK (sink);

	g_mutex_lock (&self->lock);
	self->started = FALSE;
	self->present = FALSE;
	self->powered = FALSE;
	g_clear_pointer (&self->atr, g_bytes_unref);
	remsim_ifd_sink_fail_waiter_locked (self);
	g_mutex_unlock (&self->lock);
}

static gboolean
remsim_ifd_sink_set_atr (RemsimCardSink *sink, GBytes *atr, GError **error)
{
	RemsimIfdSink *self = REMSIM_IFD_SINK (sink);

	g_mutex_lock (&self->lock);
	g_clear_pointer (&self->atr, g_bytes_unref);
	self->atr = g_bytes_ref (atr);
	self->atr_pending = FALSE;
	g_cond_broadcast (&self->cond);
	g_mutex_unlock (&self->lock);
	g_debug ("%s: ATR of %" G_GSIZE_FORMAT " bytes", self->name, g_bytes_get_size (atr));
	return TRUE;
}

static gboolean
remsim_ifd_sink_deliver_response (RemsimCardSink *sink, GBytes *response, GError **error)
{
	RemsimIfdSink *self = REMSIM_IFD_SINK (sink);
	gboolean taken = FALSE;
	gboolean expected;
	guint seq;

	g_mutex_lock (&self->lock);
	expected = !g_queue_is_empty (&self->outstanding);
	seq = GPOINTER_TO_UINT (g_queue_pop_head (&self->outstanding));
	if (expected && seq == self->waiting_seq && self->response == NULL &&
	    !self->waiter_failed) {
		self->response = g_bytes_ref (response);
		taken = TRUE;
		g_cond_broadcast (&self->cond);
	}
	g_mutex_unlock (&self->lock);
	if (!expected)
		g_message ("%s: a response without a command; dropped", self->name);
	else if (!taken)
		g_message ("%s: the response came after the transmit timeout; dropped", self->name);
	return TRUE;
}

static gboolean
remsim_ifd_sink_set_card_present (RemsimCardSink *sink, gboolean present, GError **error)
{
	RemsimIfdSink *self = REMSIM_IFD_SINK (sink);

	g_mutex_lock (&self->lock);
	self->present = present;
	if (present) {
		/* the bankd opened (powered) the card before it sent the ATR */
		self->powered = TRUE;
		g_cond_broadcast (&self->cond);
	} else {
		self->powered = FALSE;
		self->atr_after_reset_missing = FALSE;
		g_clear_pointer (&self->atr, g_bytes_unref);
		remsim_ifd_sink_fail_waiter_locked (self);
	}
	g_mutex_unlock (&self->lock);
	g_info ("%s: card %s", self->name, present ? "present" : "absent");
	return TRUE;
}

static void
remsim_ifd_sink_get_status (RemsimCardSink *sink, RemsimCardSinkStatus *status)
{
	RemsimIfdSink *self = REMSIM_IFD_SINK (sink);

	g_mutex_lock (&self->lock);
	status->vcc = self->powered ? REMSIM_TRISTATE_ON : REMSIM_TRISTATE_OFF;
	status->rst = REMSIM_TRISTATE_OFF;
	status->clk = self->powered ? REMSIM_TRISTATE_ON : REMSIM_TRISTATE_OFF;
	status->card = self->present ? REMSIM_TRISTATE_ON : REMSIM_TRISTATE_OFF;
	g_mutex_unlock (&self->lock);
}

static void
remsim_ifd_sink_card_sink_iface_init (RemsimCardSinkInterface *iface)
{
	iface->start = remsim_ifd_sink_start;
	iface->stop = remsim_ifd_sink_stop;
	iface->set_atr = remsim_ifd_sink_set_atr;
	iface->deliver_response = remsim_ifd_sink_deliver_response;
	iface->set_card_present = remsim_ifd_sink_set_card_present;
	iface->get_status = remsim_ifd_sink_get_status;
}

/* requests handed to the main loop thread -------------------------------- */

typedef struct {
	RemsimIfdSink *self;
	guint seq;
	GBytes *tpdu;
} RemsimIfdSinkCommand;

static void
remsim_ifd_sink_command_free (gpointer data)
{
	RemsimIfdSinkCommand *cmd = data;

	g_object_unref (cmd->self);
	g_bytes_unref (cmd->tpdu);
	g_free (cmd);
}

static gboolean
remsim_ifd_sink_command_cb (gpointer data)
{
	RemsimIfdSinkCommand *cmd = data;
	RemsimIfdSink *self = cmd->self;

	g_mutex_lock (&self->lock);
	if (!self->started || !self->present) {
		if (self->waiting_seq == cmd->seq) {
			self->waiter_failed = TRUE;
			g_cond_broadcast (&self->cond);
		}
		g_mutex_unlock (&self->lock);
		return G_SOURCE_REMOVE;
	}
	g_queue_push_tail (&self->outstanding, GUINT_TO_POINTER (cmd->seq));
	g_mutex_unlock (&self->lock);
	remsim_card_sink_emit_command (REMSIM_CARD_SINK (self), cmd->tpdu);
	return G_SOURCE_REMOVE;
}

typedef struct {
	RemsimIfdSink *self;
	RemsimCardSinkStatus status[2];
	guint n_status;
} RemsimIfdSinkLines;

static void
remsim_ifd_sink_lines_free (gpointer data)
{
	RemsimIfdSinkLines *lines = data;

	g_object_unref (lines->self);
	g_free (lines);
}

static gboolean
remsim_ifd_sink_lines_cb (gpointer data)
{
	RemsimIfdSinkLines *lines = data;
	gboolean started;

	g_mutex_lock (&lines->self->lock);
	started = lines->self->started && lines->self->present;
	g_mutex_unlock (&lines->self->lock);
	if (!started)
		return G_SOURCE_REMOVE;
	for (guint i = 0; i < lines->n_status; i++)
		remsim_card_sink_emit_status (REMSIM_CARD_SINK (lines->self), &lines->status[i]);
	return G_SOURCE_REMOVE;
}

/* PC/SC side, pcscd's threads ------------------------------------------- */

RemsimIfdSink *
remsim_ifd_sink_new (GMainContext *context, const gchar *name)
{
	RemsimIfdSink *self;

	g_return_val_if_fail (context != NULL, NULL);
	g_return_val_if_fail (name != NULL, NULL);

	self = g_object_new (REMSIM_TYPE_IFD_SINK, NULL);
	self->context = g_main_context_ref (context);
	self->name = g_strdup (name);
	return self;
}

gboolean
remsim_ifd_sink_is_present (RemsimIfdSink *self)
{
	gboolean present;

	g_return_val_if_fail (REMSIM_IS_IFD_SINK (self), FALSE);

	g_mutex_lock (&self->lock);
	present = self->started && self->present && self->atr != NULL;
	g_mutex_unlock (&self->lock);
	return present;
}

GBytes *
remsim_ifd_sink_dup_atr (RemsimIfdSink *self)
{
	GBytes *atr = NULL;

	g_return_val_if_fail (REMSIM_IS_IFD_SINK (self), NULL);

	g_mutex_lock (&self->lock);
	if (self->present && self->atr != NULL)
		atr = g_bytes_ref (self->atr);
	g_mutex_unlock (&self->lock);
	return atr;
}

GBytes *
remsim_ifd_sink_transmit (RemsimIfdSink *self, GBytes *apdu, guint timeout_ms, GError **error)
{
	RemsimIfdSinkCommand *cmd;
	g_autoptr (GBytes) tpdu = NULL;
	GBytes *response = NULL;
	gboolean failed;
	gsize len;
	gint64 deadline;
	guint seq;

	g_return_val_if_fail (REMSIM_IS_IFD_SINK (self), NULL);
	g_return_val_if_fail (apdu != NULL, NULL);
	g_return_val_if_fail (!g_main_context_is_owner (self->context), NULL);

	len = g_bytes_get_size (apdu);
	if (len < REMSIM_IFD_SINK_APDU_MIN || len > REMSIM_IFD_SINK_APDU_MAX) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "%s: a command of %" G_GSIZE_FORMAT " bytes (allowed %u..%u)",
			     self->name,
			     len,
			     REMSIM_IFD_SINK_APDU_MIN,
			     REMSIM_IFD_SINK_APDU_MAX);
		return NULL;
	}
	if (len == 4) {
		/* a case 1 APDU: the TPDU RSPRO carries has P3 = 00 (5..260 bytes) */
		guint8 buf[5];

		memcpy (buf, g_bytes_get_data (apdu, NULL), 4);
		buf[4] = 0x00;
		tpdu = g_bytes_new (buf, sizeof (buf));
	} else {
		tpdu = g_bytes_ref (apdu);
	}

	deadline = g_get_monotonic_time () + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
	g_mutex_lock (&self->lock);
	/* pcscd serialises the calls of one reader; wait our turn if not */
	while (self->waiting_seq != 0) {
		if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
			break;
	}
	if (!self->started || !self->present || self->waiting_seq != 0) {
		gboolean busy = self->waiting_seq != 0;

		g_mutex_unlock (&self->lock);
		g_set_error (error,
			     REMSIM_ERROR,
			     busy ? REMSIM_ERROR_TIMED_OUT : REMSIM_ERROR_CARD_ABSENT,
			     "%s: %s",
			     self->name,
			     busy ? "another command did not finish in time" : "no card");
		return NULL;
	}
	seq = ++self->next_seq;
	if (seq == 0)
		seq = ++self->next_seq;
	self->waiting_seq = seq;
	self->waiter_failed = FALSE;
	g_clear_pointer (&self->response, g_bytes_unref);
	g_mutex_unlock (&self->lock);

	cmd = g_new0 (RemsimIfdSinkCommand, 1);
	cmd->self = g_object_ref (self);
	cmd->seq = seq;
	cmd->tpdu = g_bytes_ref (tpdu);
	g_main_context_invoke_full (self->context,
				    G_PRIORITY_DEFAULT,
				    remsim_ifd_sink_command_cb,
				    cmd,
				    remsim_ifd_sink_command_free);

	g_mutex_lock (&self->lock);
	while (self->response == NULL && !self->waiter_failed) {
		if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
			break;
	}
	response = g_steal_pointer (&self->response);
	failed = self->waiter_failed;
	self->waiting_seq = 0;
	self->waiter_failed = FALSE;
	g_cond_broadcast (&self->cond);
	g_mutex_unlock (&self->lock);

	if (response != NULL)
		return response;
	if (failed) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_CARD_ABSENT,
			     "%s: the card went away during the command",
			     self->name);
		return NULL;
	}
	g_set_error (error,
		     REMSIM_ERROR,
		     REMSIM_ERROR_TIMED_OUT,
		     "%s: no response within %u ms",
		     self->name,
		     timeout_ms);
	return NULL;
}

static void
remsim_ifd_sink_send_lines (RemsimIfdSink *self, const RemsimCardSinkStatus *status, guint n_status)
{
	RemsimIfdSinkLines *lines = g_new0 (RemsimIfdSinkLines, 1);

	lines->self = g_object_ref (self);
	for (guint i = 0; i < n_status && i < G_N_ELEMENTS (lines->status); i++)
		lines->status[i] = status[i];
	lines->n_status = MIN (n_status, G_N_ELEMENTS (lines->status));
	g_main_context_invoke_full (self->context,
				    G_PRIORITY_DEFAULT,
				    remsim_ifd_sink_lines_cb,
				    lines,
				    remsim_ifd_sink_lines_free);
}

GBytes *
remsim_ifd_sink_power (RemsimIfdSink *self,
		       RemsimIfdPower action,
		       guint atr_timeout_ms,
		       GError **error)
{
	/* the lines as upstream's driver reports them (protocols.md §9.4) */
	const RemsimCardSinkStatus down = {
	    REMSIM_TRISTATE_OFF, REMSIM_TRISTATE_ON, REMSIM_TRISTATE_OFF, REMSIM_TRISTATE_ON};
	const RemsimCardSinkStatus up = {
	    REMSIM_TRISTATE_ON, REMSIM_TRISTATE_OFF, REMSIM_TRISTATE_ON, REMSIM_TRISTATE_ON};
	const RemsimCardSinkStatus reset[2] = {
	    {REMSIM_TRISTATE_ON, REMSIM_TRISTATE_ON, REMSIM_TRISTATE_ON, REMSIM_TRISTATE_ON},
	    {REMSIM_TRISTATE_ON, REMSIM_TRISTATE_OFF, REMSIM_TRISTATE_ON, REMSIM_TRISTATE_ON}};
	GBytes *atr = NULL;
	gint64 deadline;

	g_return_val_if_fail (REMSIM_IS_IFD_SINK (self), NULL);
	g_return_val_if_fail (!g_main_context_is_owner (self->context), NULL);

	g_mutex_lock (&self->lock);
	if (!self->started || !self->present || self->atr == NULL) {
		g_mutex_unlock (&self->lock);
		if (action == REMSIM_IFD_POWER_DOWN)
			return g_bytes_new (NULL, 0);
		g_set_error (
		    error, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT, "%s: no card", self->name);
		return NULL;
	}
	switch (action) {
	case REMSIM_IFD_POWER_DOWN:
		if (self->powered) {
			/* VCC off: the bankd power-cycles the card and sends its ATR */
			self->powered = FALSE;
			self->atr_pending = !self->atr_after_reset_missing;
			remsim_ifd_sink_send_lines (self, &down, 1);
		}
		g_mutex_unlock (&self->lock);
		g_debug ("%s: power down", self->name);
		return g_bytes_new (NULL, 0);
	case REMSIM_IFD_POWER_UP:
		if (!self->powered) {
			self->powered = TRUE;
			remsim_ifd_sink_send_lines (self, &up, 1);
		}
		break;
	case REMSIM_IFD_RESET:
	default:
		/* RST active with VCC on: a warm reset at the bankd */
		self->powered = TRUE;
		self->atr_pending = !self->atr_after_reset_missing;
		remsim_ifd_sink_send_lines (self, reset, G_N_ELEMENTS (reset));
		break;
	}

	deadline = g_get_monotonic_time () + (gint64)atr_timeout_ms * G_TIME_SPAN_MILLISECOND;
	while (self->atr_pending && self->present && self->started) {
		if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
			break;
	}
	if (self->atr_pending && self->present) {
		self->atr_pending = FALSE;
		self->atr_after_reset_missing = TRUE;
		g_message ("%s: no ATR from the bankd within %u ms of a reset; using the last "
			   "one (and not waiting again while this card is present)",
			   self->name,
			   atr_timeout_ms);
	}
	if (self->present && self->atr != NULL)
		atr = g_bytes_ref (self->atr);
	g_mutex_unlock (&self->lock);

	if (atr == NULL)
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_CARD_ABSENT,
			     "%s: the card went away during the %s",
			     self->name,
			     action == REMSIM_IFD_RESET ? "reset" : "power up");
	else
		g_debug ("%s: %s", self->name, action == REMSIM_IFD_RESET ? "reset" : "power up");
	return atr;
}

/* GObject ---------------------------------------------------------------- */

static void
remsim_ifd_sink_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	RemsimIfdSink *self = REMSIM_IFD_SINK (object);

	if (!remsim_plugin_instance_props_get_property (
		&self->props, PROP_INSTANCE, prop_id, value))
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
remsim_ifd_sink_set_property (GObject *object,
			      guint prop_id,
			      const GValue *value,
			      GParamSpec *pspec)
{
	RemsimIfdSink *self = REMSIM_IFD_SINK (object);

	if (!remsim_plugin_instance_props_set_property (
		&self->props, PROP_INSTANCE, prop_id, value))
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
remsim_ifd_sink_finalize (GObject *object)
{
	RemsimIfdSink *self = REMSIM_IFD_SINK (object);

	remsim_plugin_instance_props_clear (&self->props);

	g_queue_clear (&self->outstanding);
	g_clear_pointer (&self->atr, g_bytes_unref);
	g_clear_pointer (&self->response, g_bytes_unref);
	g_clear_pointer (&self->context, g_main_context_unref);
	g_free (self->name);
	g_mutex_clear (&self->lock);
	g_cond_clear (&self->cond);
	G_OBJECT_CLASS (remsim_ifd_sink_parent_class)->finalize (object);
}

static void
remsim_ifd_sink_init (RemsimIfdSink *self)
{
	g_mutex_init (&self->lock);
	g_cond_init (&self->cond);
	g_queue_init (&self->outstanding);
}

static void
remsim_ifd_sink_class_init (RemsimIfdSinkClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->get_property = remsim_ifd_sink_get_property;
	object_class->set_property = remsim_ifd_sink_set_property;
	object_class->finalize = remsim_ifd_sink_finalize;
	remsim_plugin_install_instance_properties (object_class, PROP_INSTANCE);
}
