/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimTestcardSink: a loopback "modem" for tests and benchmarks.
 *
 * Keys of its [sink:<label>] group:
 *   commands=a0 a4 00 00 02 3f 00;a0 f2 00 00 16   command TPDUs (hex), sent
 *                        one after the other once the sink is started, has an
 *                        ATR and a card; each waits for the previous response
 *   repeat=1             how many times the whole list is sent
 *
 * Without commands, a test drives it with action signals:
 *   gboolean "inject-command" (GBytes *tpdu)   emits "command"; FALSE when
 *                        not started or a command is still outstanding
 *   void "inject-reset" ()                     emits "request-reset"
 * and watches:
 *   "response" (GBytes *response)              each deliver_response()
 *   "script-done" (guint n_responses)          the command list is through
 * Read-only properties: "atr", "card-present", "n-responses",
 * "last-response", "started".
 */
#include "config.h"

#include "remsim-testcard-sink.h"
#include "remsim-testcard-source.h"

struct _RemsimTestcardSink {
	GObject parent_instance;

	GKeyFile *config;
	gchar *group;
	guint slot;

	GPtrArray *commands; /* of GBytes */
	guint repeat;

	gboolean started;
	gboolean present;
	GBytes *atr;
	GBytes *outstanding;
	GBytes *last_response;
	guint n_responses;

	guint script_pos; /* commands sent from the script, over all repeats */
	gboolean script_done;
	gint64 script_start;
	guint idle_id;
};

static void remsim_testcard_sink_card_sink_iface_init (RemsimCardSinkInterface *iface);
static void remsim_testcard_sink_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RemsimTestcardSink,
			       remsim_testcard_sink,
			       G_TYPE_OBJECT,
			       G_IMPLEMENT_INTERFACE (REMSIM_TYPE_CARD_SINK,
						      remsim_testcard_sink_card_sink_iface_init)
				   G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
							  remsim_testcard_sink_initable_iface_init))

enum {
	PROP_0,
	PROP_CONFIG,
	PROP_GROUP,
	PROP_SLOT,
	PROP_ATR,
	PROP_CARD_PRESENT,
	PROP_N_RESPONSES,
	PROP_LAST_RESPONSE,
	PROP_STARTED,
	PROP_LAST,
};

static GParamSpec *remsim_testcard_sink_props[PROP_LAST] = {NULL};

enum {
	SIGNAL_INJECT_COMMAND,
	SIGNAL_INJECT_RESET,
	SIGNAL_RESPONSE,
	SIGNAL_SCRIPT_DONE,
	SIGNAL_LAST,
};

static guint remsim_testcard_sink_signals[SIGNAL_LAST] = {0};

static void
remsim_testcard_sink_emit_status (RemsimTestcardSink *self)
{
	RemsimCardSinkStatus status;

	remsim_card_sink_get_status (REMSIM_CARD_SINK (self), &status);
	remsim_card_sink_emit_status (REMSIM_CARD_SINK (self), &status);
}

static gboolean
remsim_testcard_sink_send (RemsimTestcardSink *self, GBytes *tpdu)
{
	if (!self->started || self->outstanding != NULL)
		return FALSE;
	self->outstanding = g_bytes_ref (tpdu);
	remsim_card_sink_emit_command (REMSIM_CARD_SINK (self), tpdu);
	return TRUE;
}

static gboolean
remsim_testcard_sink_script_cb (gpointer user_data)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (user_data);
	GBytes *tpdu;

	self->idle_id = 0;
	if (self->script_pos == 0)
		self->script_start = g_get_monotonic_time ();
	tpdu = g_ptr_array_index (self->commands, self->script_pos % self->commands->len);
	self->script_pos++;
	remsim_testcard_sink_send (self, tpdu);
	return G_SOURCE_REMOVE;
}

/* send the next scripted command from the main loop, if it is time */
static void
remsim_testcard_sink_script_next (RemsimTestcardSink *self)
{
	if (self->commands->len == 0 || self->script_done || self->idle_id != 0)
		return;
	if (!self->started || !self->present || self->atr == NULL || self->outstanding != NULL)
		return;
	if (self->script_pos >= self->commands->len * self->repeat) {
		gdouble ms = (g_get_monotonic_time () - self->script_start) / 1000.0;

		self->script_done = TRUE;
		g_message ("testcard sink slot %u: %u commands in %.3f ms (%.3f ms each)",
			   self->slot,
			   self->script_pos,
			   ms,
			   ms / self->script_pos);
		g_signal_emit (
		    self, remsim_testcard_sink_signals[SIGNAL_SCRIPT_DONE], 0, self->n_responses);
		return;
	}
	self->idle_id = g_idle_add (remsim_testcard_sink_script_cb, self);
}

static gboolean
remsim_testcard_sink_start (RemsimCardSink *sink, GError **error)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (sink);

	if (self->started)
		return TRUE;
	self->started = TRUE;
	g_object_notify_by_pspec (G_OBJECT (self), remsim_testcard_sink_props[PROP_STARTED]);
	remsim_testcard_sink_emit_status (self);
	remsim_testcard_sink_script_next (self);
	return TRUE;
}

static void
remsim_testcard_sink_stop (RemsimCardSink *sink)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (sink);

	if (!self->started)
		return;
	self->started = FALSE;
	g_clear_handle_id (&self->idle_id, g_source_remove);
	g_clear_pointer (&self->outstanding, g_bytes_unref);
	g_object_notify_by_pspec (G_OBJECT (self), remsim_testcard_sink_props[PROP_STARTED]);
}

static gboolean
remsim_testcard_sink_set_atr (RemsimCardSink *sink, GBytes *atr, GError **error)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (sink);

	if (self->atr != NULL && g_bytes_equal (self->atr, atr))
		return TRUE;
	g_clear_pointer (&self->atr, g_bytes_unref);
	self->atr = g_bytes_ref (atr);
	g_object_notify_by_pspec (G_OBJECT (self), remsim_testcard_sink_props[PROP_ATR]);
	remsim_testcard_sink_script_next (self);
	return TRUE;
}

static gboolean
remsim_testcard_sink_deliver_response (RemsimCardSink *sink, GBytes *response, GError **error)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (sink);

	if (self->outstanding == NULL) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_PROTOCOL,
			     "testcard sink slot %u: response without a command",
			     self->slot);
		return FALSE;
	}
	g_clear_pointer (&self->outstanding, g_bytes_unref);
	g_clear_pointer (&self->last_response, g_bytes_unref);
	self->last_response = g_bytes_ref (response);
	self->n_responses++;
	g_object_notify_by_pspec (G_OBJECT (self), remsim_testcard_sink_props[PROP_N_RESPONSES]);
	g_object_notify_by_pspec (G_OBJECT (self), remsim_testcard_sink_props[PROP_LAST_RESPONSE]);
	g_signal_emit (self, remsim_testcard_sink_signals[SIGNAL_RESPONSE], 0, response);
	remsim_testcard_sink_script_next (self);
	return TRUE;
}

static gboolean
remsim_testcard_sink_set_card_present (RemsimCardSink *sink, gboolean present, GError **error)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (sink);

	if (self->present == present)
		return TRUE;
	self->present = present;
	if (!present)
		g_clear_pointer (&self->outstanding, g_bytes_unref);
	g_object_notify_by_pspec (G_OBJECT (self), remsim_testcard_sink_props[PROP_CARD_PRESENT]);
	remsim_testcard_sink_emit_status (self);
	remsim_testcard_sink_script_next (self);
	return TRUE;
}

static void
remsim_testcard_sink_get_status (RemsimCardSink *sink, RemsimCardSinkStatus *status)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (sink);

	status->vcc = self->started ? REMSIM_TRISTATE_ON : REMSIM_TRISTATE_OFF;
	status->rst = REMSIM_TRISTATE_OFF;
	status->clk = self->started ? REMSIM_TRISTATE_ON : REMSIM_TRISTATE_OFF;
	status->card = self->present ? REMSIM_TRISTATE_ON : REMSIM_TRISTATE_OFF;
}

static void
remsim_testcard_sink_card_sink_iface_init (RemsimCardSinkInterface *iface)
{
	iface->start = remsim_testcard_sink_start;
	iface->stop = remsim_testcard_sink_stop;
	iface->set_atr = remsim_testcard_sink_set_atr;
	iface->deliver_response = remsim_testcard_sink_deliver_response;
	iface->set_card_present = remsim_testcard_sink_set_card_present;
	iface->get_status = remsim_testcard_sink_get_status;
}

static gboolean
remsim_testcard_sink_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (initable);
	static const gchar *const known_keys[] = {"commands", "repeat", NULL};
	g_auto (GStrv) commands = NULL;

	if (self->config == NULL || self->group == NULL) {
		g_set_error_literal (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "construct properties 'config' and 'group' are required");
		return FALSE;
	}
	if (!remsim_plugin_check_keys (self->config, self->group, known_keys, error))
		return FALSE;

	commands = g_key_file_get_string_list (self->config, self->group, "commands", NULL, NULL);
	for (guint i = 0; commands != NULL && commands[i] != NULL; i++) {
		GBytes *tpdu;

		if (g_strstrip (commands[i])[0] == '\0')
			continue;
		tpdu = remsim_testcard_parse_hex ("commands", commands[i], error);
		if (tpdu == NULL)
			return FALSE;
		g_ptr_array_add (self->commands, tpdu);
	}
	if (g_key_file_has_key (self->config, self->group, "repeat", NULL)) {
		g_autofree gchar *value =
		    g_key_file_get_string (self->config, self->group, "repeat", NULL);
		guint64 repeat = 0;

		if (value == NULL ||
		    !g_ascii_string_to_unsigned (
			g_strstrip (value), 10, 1, G_MAXUINT32 / 256, &repeat, NULL)) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "key 'repeat': expected a number from 1 to %u",
				     G_MAXUINT32 / 256);
			return FALSE;
		}
		self->repeat = (guint)repeat;
	}
	return TRUE;
}

static void
remsim_testcard_sink_initable_iface_init (GInitableIface *iface)
{
	iface->init = remsim_testcard_sink_initable_init;
}

static gboolean
remsim_testcard_sink_inject_command (RemsimTestcardSink *self, GBytes *tpdu)
{
	g_return_val_if_fail (tpdu != NULL, FALSE);
	return remsim_testcard_sink_send (self, tpdu);
}

static void
remsim_testcard_sink_inject_reset (RemsimTestcardSink *self)
{
	remsim_card_sink_emit_request_reset (REMSIM_CARD_SINK (self));
}

static void
remsim_testcard_sink_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (object);

	switch (prop_id) {
	case PROP_CONFIG:
		g_value_set_boxed (value, self->config);
		break;
	case PROP_GROUP:
		g_value_set_string (value, self->group);
		break;
	case PROP_SLOT:
		g_value_set_uint (value, self->slot);
		break;
	case PROP_ATR:
		g_value_set_boxed (value, self->atr);
		break;
	case PROP_CARD_PRESENT:
		g_value_set_boolean (value, self->present);
		break;
	case PROP_N_RESPONSES:
		g_value_set_uint (value, self->n_responses);
		break;
	case PROP_LAST_RESPONSE:
		g_value_set_boxed (value, self->last_response);
		break;
	case PROP_STARTED:
		g_value_set_boolean (value, self->started);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
remsim_testcard_sink_set_property (GObject *object,
				   guint prop_id,
				   const GValue *value,
				   GParamSpec *pspec)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (object);

	switch (prop_id) {
	case PROP_CONFIG:
		self->config = g_value_dup_boxed (value);
		break;
	case PROP_GROUP:
		self->group = g_value_dup_string (value);
		break;
	case PROP_SLOT:
		self->slot = g_value_get_uint (value);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
remsim_testcard_sink_dispose (GObject *object)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (object);

	g_clear_handle_id (&self->idle_id, g_source_remove);
	G_OBJECT_CLASS (remsim_testcard_sink_parent_class)->dispose (object);
}

static void
remsim_testcard_sink_finalize (GObject *object)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (object);

	g_clear_pointer (&self->config, g_key_file_unref);
	g_free (self->group);
	g_ptr_array_unref (self->commands);
	g_clear_pointer (&self->atr, g_bytes_unref);
	g_clear_pointer (&self->outstanding, g_bytes_unref);
	g_clear_pointer (&self->last_response, g_bytes_unref);
	G_OBJECT_CLASS (remsim_testcard_sink_parent_class)->finalize (object);
}

static void
remsim_testcard_sink_class_init (RemsimTestcardSinkClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

	object_class->get_property = remsim_testcard_sink_get_property;
	object_class->set_property = remsim_testcard_sink_set_property;
	object_class->dispose = remsim_testcard_sink_dispose;
	object_class->finalize = remsim_testcard_sink_finalize;

	g_object_class_override_property (object_class, PROP_CONFIG, "config");
	g_object_class_override_property (object_class, PROP_GROUP, "group");
	g_object_class_override_property (object_class, PROP_SLOT, "slot");
	remsim_testcard_sink_props[PROP_ATR] =
	    g_param_spec_boxed ("atr", NULL, NULL, G_TYPE_BYTES, ro);
	remsim_testcard_sink_props[PROP_CARD_PRESENT] =
	    g_param_spec_boolean ("card-present", NULL, NULL, FALSE, ro);
	remsim_testcard_sink_props[PROP_N_RESPONSES] =
	    g_param_spec_uint ("n-responses", NULL, NULL, 0, G_MAXUINT, 0, ro);
	remsim_testcard_sink_props[PROP_LAST_RESPONSE] =
	    g_param_spec_boxed ("last-response", NULL, NULL, G_TYPE_BYTES, ro);
	remsim_testcard_sink_props[PROP_STARTED] =
	    g_param_spec_boolean ("started", NULL, NULL, FALSE, ro);
	for (guint i = PROP_ATR; i < PROP_LAST; i++)
		g_object_class_install_property (object_class, i, remsim_testcard_sink_props[i]);

	remsim_testcard_sink_signals[SIGNAL_INJECT_COMMAND] =
	    g_signal_new_class_handler ("inject-command",
					G_TYPE_FROM_CLASS (klass),
					G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
					G_CALLBACK (remsim_testcard_sink_inject_command),
					NULL,
					NULL,
					NULL,
					G_TYPE_BOOLEAN,
					1,
					G_TYPE_BYTES);
	remsim_testcard_sink_signals[SIGNAL_INJECT_RESET] =
	    g_signal_new_class_handler ("inject-reset",
					G_TYPE_FROM_CLASS (klass),
					G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
					G_CALLBACK (remsim_testcard_sink_inject_reset),
					NULL,
					NULL,
					NULL,
					G_TYPE_NONE,
					0);
	remsim_testcard_sink_signals[SIGNAL_RESPONSE] = g_signal_new ("response",
								      G_TYPE_FROM_CLASS (klass),
								      G_SIGNAL_RUN_LAST,
								      0,
								      NULL,
								      NULL,
								      NULL,
								      G_TYPE_NONE,
								      1,
								      G_TYPE_BYTES);
	remsim_testcard_sink_signals[SIGNAL_SCRIPT_DONE] = g_signal_new ("script-done",
									 G_TYPE_FROM_CLASS (klass),
									 G_SIGNAL_RUN_LAST,
									 0,
									 NULL,
									 NULL,
									 NULL,
									 G_TYPE_NONE,
									 1,
									 G_TYPE_UINT);
}

static void
remsim_testcard_sink_init (RemsimTestcardSink *self)
{
	self->commands = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
	self->repeat = 1;
}
