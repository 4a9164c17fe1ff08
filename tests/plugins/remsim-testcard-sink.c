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
 * Keys for benchmarks (tests/bench/):
 *   stats-file=PATH      append records to PATH (text lines, times in ns of
 *                        CLOCK_MONOTONIC, which every process shares):
 *                          ready <slot> <t>   started, card present, ATR set
 *                          first <slot> <t>   first response after "ready"
 *                          lat <slot> <ns>    one per answered command, written
 *                                             with "done" when the script ends
 *                          done <slot> <sent> <answered> <t_first_command>
 *                               <t_last_response> <retries>
 *                        each record group is one write(2) with O_APPEND, so
 *                        many sinks and processes can share one file
 *   start-signal=false   true: hold the script until the process gets SIGUSR1
 *                        (so a benchmark starts every slot at once); each
 *                        further SIGUSR1 after the end plays the script again
 *                        (a new round: "done" again, "script-done" again)
 *   interval-ms=0        pause between a response and the next command
 *   retry-ms=0           a command without a response for this long is sent
 *                        again (0: never); counted as a retry
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

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "remsim-testcard-sink.h"
#include "remsim-testcard-source.h"

struct _RemsimTestcardSink {
	GObject parent_instance;

	RemsimPluginInstanceProps props; /* config, group, slot */

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
	/* idle or timeout source: sends the next scripted command (at once
	 * or after interval-ms), or re-sends an unanswered one after retry-ms */
	guint pump_id;

	/* benchmark keys */
	gchar *stats_file;
	gboolean start_signal;
	guint signal_id;
	gboolean signalled;
	guint round_responses; /* responses in this round of the script */
	guint interval_ms;
	guint retry_ms;

	gint64 sent_ns;	    /* when the outstanding command was (re)sent */
	gint64 first_ns;    /* first scripted command */
	gint64 last_rsp_ns; /* last response */
	GArray *latencies;  /* gint64 ns, with stats-file only */
	guint n_retries;
	gboolean ready;		/* "ready" was recorded and holds */
	gboolean first_pending; /* "first" not yet recorded since "ready" */
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
	PROP_INSTANCE, /* "config", "group", "slot" */
	PROP_ATR = PROP_INSTANCE + REMSIM_PLUGIN_INSTANCE_N_PROPS,
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

static gint64
remsim_testcard_sink_now_ns (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_MONOTONIC, &ts);
	return (gint64)ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* append @buf to stats-file in one write (O_APPEND) */
static void
remsim_testcard_sink_stats_write (RemsimTestcardSink *self, const GString *buf)
{
	const gchar *p = buf->str;
	gsize left = buf->len;
	int fd;

	if (self->stats_file == NULL)
		return;
	fd = open (self->stats_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		g_warning ("testcard sink slot %u: %s: %s",
			   self->props.slot,
			   self->stats_file,
			   g_strerror (errno));
		return;
	}
	while (left > 0) {
		ssize_t n = write (fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			g_warning ("testcard sink slot %u: writing %s: %s",
				   self->props.slot,
				   self->stats_file,
				   g_strerror (errno));
			break;
		}
		p += n;
		left -= (gsize)n;
	}
	close (fd);
}

static void
remsim_testcard_sink_stats_event (RemsimTestcardSink *self, const gchar *what, gint64 t_ns)
{
	g_autoptr (GString) buf = NULL;

	if (self->stats_file == NULL)
		return;
	buf = g_string_new (NULL);
	g_string_printf (buf, "%s %u %" G_GINT64_FORMAT "\n", what, self->props.slot, t_ns);
	remsim_testcard_sink_stats_write (self, buf);
}

static void
remsim_testcard_sink_stats_done (RemsimTestcardSink *self)
{
	g_autoptr (GString) buf = NULL;

	if (self->stats_file == NULL)
		return;
	buf = g_string_sized_new (32 * (self->latencies->len + 1));
	for (guint i = 0; i < self->latencies->len; i++)
		g_string_append_printf (buf,
					"lat %u %" G_GINT64_FORMAT "\n",
					self->props.slot,
					g_array_index (self->latencies, gint64, i));
	g_string_append_printf (buf,
				"done %u %u %u %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %u\n",
				self->props.slot,
				self->script_pos,
				self->round_responses,
				self->first_ns,
				self->last_rsp_ns,
				self->n_retries);
	remsim_testcard_sink_stats_write (self, buf);
	g_array_set_size (self->latencies, 0);
}

static void
remsim_testcard_sink_emit_status (RemsimTestcardSink *self)
{
	RemsimCardSinkStatus status;

	remsim_card_sink_get_status (REMSIM_CARD_SINK (self), &status);
	remsim_card_sink_emit_status (REMSIM_CARD_SINK (self), &status);
}

static gboolean remsim_testcard_sink_pump_cb (gpointer user_data);

/* run pump_cb after @delay_ms (0: when the main loop is idle); an idle
 * source rather than a reusable one with a ready time, because
 * g_source_set_ready_time() writes the context's eventfd every time */
static void
remsim_testcard_sink_arm (RemsimTestcardSink *self, guint delay_ms)
{
	g_clear_handle_id (&self->pump_id, g_source_remove);
	if (delay_ms == 0)
		self->pump_id = g_idle_add (remsim_testcard_sink_pump_cb, self);
	else
		self->pump_id = g_timeout_add (delay_ms, remsim_testcard_sink_pump_cb, self);
}

static gboolean
remsim_testcard_sink_send (RemsimTestcardSink *self, GBytes *tpdu)
{
	if (!self->started || self->outstanding != NULL)
		return FALSE;
	self->outstanding = g_bytes_ref (tpdu);
	self->sent_ns = remsim_testcard_sink_now_ns ();
	if (self->retry_ms > 0)
		remsim_testcard_sink_arm (self, self->retry_ms);
	remsim_card_sink_emit_command (REMSIM_CARD_SINK (self), tpdu);
	return TRUE;
}

static gboolean
remsim_testcard_sink_can_send (RemsimTestcardSink *self)
{
	return self->started && self->present && self->atr != NULL;
}

static gboolean
remsim_testcard_sink_pump_cb (gpointer user_data)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (user_data);
	GBytes *tpdu;

	self->pump_id = 0;
	if (!remsim_testcard_sink_can_send (self))
		return G_SOURCE_REMOVE;
	if (self->outstanding != NULL) {
		g_autoptr (GBytes) again = NULL;
		gint64 left_ms;

		/* an injected command is out: the script goes on after its
		 * response */
		if (self->retry_ms == 0)
			return G_SOURCE_REMOVE;
		left_ms =
		    self->retry_ms - (remsim_testcard_sink_now_ns () - self->sent_ns) / 1000000;
		if (left_ms > 0) {
			remsim_testcard_sink_arm (self, (guint)left_ms);
			return G_SOURCE_REMOVE;
		}
		/* retry-ms passed without a response: send it again */
		again = g_steal_pointer (&self->outstanding);
		self->n_retries++;
		remsim_testcard_sink_send (self, again);
		return G_SOURCE_REMOVE;
	}
	if (self->script_done || self->script_pos >= self->commands->len * self->repeat)
		return G_SOURCE_REMOVE;
	if (self->script_pos == 0) {
		self->script_start = g_get_monotonic_time ();
		self->first_ns = remsim_testcard_sink_now_ns ();
	}
	tpdu = g_ptr_array_index (self->commands, self->script_pos % self->commands->len);
	self->script_pos++;
	remsim_testcard_sink_send (self, tpdu);
	return G_SOURCE_REMOVE;
}

/* record "ready" when the sink can send again */
static void
remsim_testcard_sink_check_ready (RemsimTestcardSink *self)
{
	if (self->ready || !remsim_testcard_sink_can_send (self))
		return;
	self->ready = TRUE;
	self->first_pending = TRUE;
	remsim_testcard_sink_stats_event (self, "ready", remsim_testcard_sink_now_ns ());
}

/* send the next scripted command from the main loop, if it is time */
static void
remsim_testcard_sink_script_next (RemsimTestcardSink *self)
{
	remsim_testcard_sink_check_ready (self);
	if (self->commands->len == 0 || self->script_done)
		return;
	if (!remsim_testcard_sink_can_send (self) || self->outstanding != NULL)
		return;
	if (self->start_signal && !self->signalled)
		return;
	if (self->script_pos >= self->commands->len * self->repeat) {
		gdouble ms = (g_get_monotonic_time () - self->script_start) / 1000.0;

		self->script_done = TRUE;
		g_message ("testcard sink slot %u: %u commands in %.3f ms (%.3f ms each)",
			   self->props.slot,
			   self->script_pos,
			   ms,
			   ms / self->script_pos);
		remsim_testcard_sink_stats_done (self);
		g_signal_emit (
		    self, remsim_testcard_sink_signals[SIGNAL_SCRIPT_DONE], 0, self->n_responses);
		return;
	}
	if (self->pump_id != 0)
		return;
	remsim_testcard_sink_arm (self, self->last_rsp_ns != 0 ? self->interval_ms : 0);
}

static gboolean
remsim_testcard_sink_signal_cb (gpointer user_data)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (user_data);

	if (!self->signalled) {
		self->signalled = TRUE;
		remsim_testcard_sink_script_next (self);
	} else if (self->script_done) {
		/* another round */
		self->script_done = FALSE;
		self->script_pos = 0;
		self->round_responses = 0;
		self->n_retries = 0;
		remsim_testcard_sink_script_next (self);
	}
	return G_SOURCE_CONTINUE;
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
	self->ready = FALSE;
	g_clear_handle_id (&self->pump_id, g_source_remove);
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
	gint64 now;

	if (self->outstanding == NULL) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_PROTOCOL,
			     "testcard sink slot %u: response without a command",
			     self->props.slot);
		return FALSE;
	}
	now = remsim_testcard_sink_now_ns ();
	if (self->stats_file != NULL) {
		gint64 lat = now - self->sent_ns;
		g_array_append_val (self->latencies, lat);
	}
	self->last_rsp_ns = now;
	if (self->first_pending) {
		self->first_pending = FALSE;
		remsim_testcard_sink_stats_event (self, "first", now);
	}
	g_clear_handle_id (&self->pump_id, g_source_remove);
	g_clear_pointer (&self->outstanding, g_bytes_unref);
	g_clear_pointer (&self->last_response, g_bytes_unref);
	self->last_response = g_bytes_ref (response);
	self->n_responses++;
	self->round_responses++;
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
	if (!present) {
		self->ready = FALSE;
		g_clear_pointer (&self->outstanding, g_bytes_unref);
	}
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

/* *@value = the number in @key (0 if the key is absent) */
static gboolean
remsim_testcard_sink_get_uint (RemsimTestcardSink *self,
			       const gchar *key,
			       guint min,
			       guint max,
			       guint64 *value,
			       GError **error)
{
	g_autofree gchar *str = NULL;

	*value = 0;
	if (!g_key_file_has_key (self->props.config, self->props.group, key, NULL))
		return TRUE;
	str = g_key_file_get_string (self->props.config, self->props.group, key, NULL);
	if (str == NULL ||
	    !g_ascii_string_to_unsigned (g_strstrip (str), 10, min, max, value, NULL)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "key '%s': expected a number from %u to %u",
			     key,
			     min,
			     max);
		return FALSE;
	}
	return TRUE;
}

static gboolean
remsim_testcard_sink_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (initable);
	static const gchar *const known_keys[] = {
	    "commands", "repeat", "stats-file", "start-signal", "interval-ms", "retry-ms", NULL};
	g_autoptr (GError) error_local = NULL;
	guint64 value = 0;
	g_auto (GStrv) commands = NULL;

	if (!remsim_plugin_instance_props_check (&self->props, known_keys, error))
		return FALSE;

	commands = g_key_file_get_string_list (
	    self->props.config, self->props.group, "commands", NULL, NULL);
	for (guint i = 0; commands != NULL && commands[i] != NULL; i++) {
		GBytes *tpdu;

		if (g_strstrip (commands[i])[0] == '\0')
			continue;
		tpdu = remsim_testcard_parse_hex ("commands", commands[i], error);
		if (tpdu == NULL)
			return FALSE;
		g_ptr_array_add (self->commands, tpdu);
	}
	if (!remsim_testcard_sink_get_uint (self, "repeat", 1, G_MAXUINT32 / 256, &value, error))
		return FALSE;
	if (value != 0)
		self->repeat = (guint)value;
	if (!remsim_testcard_sink_get_uint (self, "interval-ms", 0, 3600000, &value, error))
		return FALSE;
	self->interval_ms = (guint)value;
	if (!remsim_testcard_sink_get_uint (self, "retry-ms", 0, 3600000, &value, error))
		return FALSE;
	self->retry_ms = (guint)value;

	self->stats_file =
	    g_key_file_get_string (self->props.config, self->props.group, "stats-file", NULL);
	if (self->stats_file != NULL && g_strstrip (self->stats_file)[0] == '\0')
		g_clear_pointer (&self->stats_file, g_free);
	if (g_key_file_has_key (self->props.config, self->props.group, "start-signal", NULL)) {
		self->start_signal = g_key_file_get_boolean (
		    self->props.config, self->props.group, "start-signal", &error_local);
		if (error_local != NULL) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "key 'start-signal': expected true or false");
			return FALSE;
		}
	}
	if (self->start_signal)
		self->signal_id = g_unix_signal_add (SIGUSR1, remsim_testcard_sink_signal_cb, self);
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

	if (remsim_plugin_instance_props_get_property (&self->props, PROP_INSTANCE, prop_id, value))
		return;
	switch (prop_id) {
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

	if (!remsim_plugin_instance_props_set_property (
		&self->props, PROP_INSTANCE, prop_id, value))
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
remsim_testcard_sink_dispose (GObject *object)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (object);

	g_clear_handle_id (&self->signal_id, g_source_remove);
	g_clear_handle_id (&self->pump_id, g_source_remove);
	G_OBJECT_CLASS (remsim_testcard_sink_parent_class)->dispose (object);
}

static void
remsim_testcard_sink_finalize (GObject *object)
{
	RemsimTestcardSink *self = REMSIM_TESTCARD_SINK (object);

	remsim_plugin_instance_props_clear (&self->props);
	g_ptr_array_unref (self->commands);
	g_clear_pointer (&self->atr, g_bytes_unref);
	g_clear_pointer (&self->outstanding, g_bytes_unref);
	g_clear_pointer (&self->last_response, g_bytes_unref);
	g_free (self->stats_file);
	g_array_unref (self->latencies);
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

	remsim_plugin_install_instance_properties (object_class, PROP_INSTANCE);
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
	self->latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
}
