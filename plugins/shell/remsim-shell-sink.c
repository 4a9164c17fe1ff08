/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimShellSink: C-APDUs as hex lines in, responses as lines out
 * (protocols.md §6.4, docs/plugins/shell.md).
 *
 * Every input line is queued in order: `RESET` (any case) asks for a card
 * reset, anything else must be hex and is one command TPDU. The head of the
 * queue goes out once a card is presented; one command is outstanding at a
 * time, so the responses come out in input order, one `R-APDU:` line each.
 * An item waits at most command-timeout-ms from the moment it was read for a
 * card; after that it fails with a message on stderr. A command whose card
 * goes away before the response fails too. After EOF the sink works through
 * what is queued, writes everything out and emits "finished".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <string.h>
#include <unistd.h>

#include "remsim-shell-sink.h"

#define REMSIM_SHELL_SINK_MAX_LINE 4096

typedef enum {
	REMSIM_SHELL_ITEM_COMMAND,
	REMSIM_SHELL_ITEM_RESET,
} RemsimShellItemKind;

typedef struct {
	RemsimShellItemKind kind;
	GBytes *tpdu;
	gint64 deadline_us; /* 0: no timeout */
	guint line;
} RemsimShellItem;

struct _RemsimShellSink {
	GObject parent_instance;

	RemsimPluginInstanceProps props; /* config, group, slot */

	gchar *input_path;
	gchar *output_path;
	guint command_timeout_ms;
	gboolean owns_stdin;

	GInputStream *in;
	GDataInputStream *din;
	GOutputStream *out;
	GCancellable *cancellable;
	gboolean started;

	GQueue items;
	RemsimShellItem *outstanding;
	gboolean card_present;
	guint line_no;
	gboolean eof;
	guint failures;
	gboolean finished;

	GSource *kick_source;
	GSource *timeout_source;

	/* output: one write in flight, the rest collected */
	GByteArray *out_pending;
	GBytes *out_writing;
	gboolean out_broken;
};

static void remsim_shell_sink_card_sink_iface_init (RemsimCardSinkInterface *iface);
static void remsim_shell_sink_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RemsimShellSink,
			       remsim_shell_sink,
			       G_TYPE_OBJECT,
			       G_IMPLEMENT_INTERFACE (REMSIM_TYPE_CARD_SINK,
						      remsim_shell_sink_card_sink_iface_init)
				   G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
							  remsim_shell_sink_initable_iface_init))

enum {
	PROP_0,
	PROP_INSTANCE, /* "config", "group", "slot" */
	PROP_LAST = PROP_INSTANCE + REMSIM_PLUGIN_INSTANCE_N_PROPS,
};

enum {
	SIGNAL_FINISHED,
	SIGNAL_LAST,
};

static guint remsim_shell_sink_signals[SIGNAL_LAST] = {0};

/* only one instance may read the process's stdin */
static gboolean remsim_shell_sink_stdin_taken = FALSE;

/* pure helpers ---------------------------------------------------------- */

GBytes *
remsim_shell_sink_parse_hex (const gchar *line, GError **error)
{
	g_autoptr (GByteArray) buf = NULL;
	gint high = -1;

	g_return_val_if_fail (line != NULL, NULL);

	buf = g_byte_array_sized_new (strlen (line) / 2 + 1);
	for (const gchar *p = line; *p != '\0'; p++) {
		gint v;

		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			continue;
		v = g_ascii_xdigit_value (*p);
		if (v < 0) {
			g_set_error (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "expected hex digits, got '%c' at column %u",
				     g_ascii_isprint (*p) ? *p : '?',
				     (guint)(p - line) + 1);
			return NULL;
		}
		if (high < 0) {
			high = v;
		} else {
			guint8 b = (guint8)((high << 4) | v);

			g_byte_array_append (buf, &b, 1);
			high = -1;
		}
	}
	if (high >= 0) {
		g_set_error_literal (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "expected an even number of hex digits");
		return NULL;
	}
	return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

static void
remsim_shell_sink_append_line (GByteArray *out, const gchar *prefix, GBytes *data)
{
	static const gchar digits[] = "0123456789abcdef";
	gsize len = 0;
	const guint8 *p = g_bytes_get_data (data, &len);
	gsize plen = strlen (prefix);
	guint start = out->len;
	guint8 *dst;

	g_byte_array_set_size (out, start + plen + 2 + len * 3 + 1);
	dst = out->data + start;
	memcpy (dst, prefix, plen);
	dst += plen;
	*dst++ = ':';
	*dst++ = ' ';
	for (gsize i = 0; i < len; i++) {
		*dst++ = (guint8)digits[p[i] >> 4];
		*dst++ = (guint8)digits[p[i] & 0xf];
		*dst++ = ' ';
	}
	*dst = '\n';
}

gchar *
remsim_shell_sink_format_line (const gchar *prefix, GBytes *data)
{
	g_autoptr (GByteArray) out = g_byte_array_new ();
	const guint8 nul = 0;

	g_return_val_if_fail (prefix != NULL, NULL);
	g_return_val_if_fail (data != NULL, NULL);

	remsim_shell_sink_append_line (out, prefix, data);
	g_byte_array_append (out, &nul, 1);
	return (gchar *)g_byte_array_free (g_steal_pointer (&out), FALSE);
}

static void
remsim_shell_item_free (RemsimShellItem *item)
{
	if (item == NULL)
		return;
	g_clear_pointer (&item->tpdu, g_bytes_unref);
	g_free (item);
}

/* errors for the user go to stderr, always, like upstream's */
static void remsim_shell_sink_error (RemsimShellSink *self, guint line, const gchar *fmt, ...)
    G_GNUC_PRINTF (3, 4);

static void
remsim_shell_sink_error (RemsimShellSink *self, guint line, const gchar *fmt, ...)
{
	g_autofree gchar *msg = NULL;
	va_list args;

	va_start (args, fmt);
	msg = g_strdup_vprintf (fmt, args);
	va_end (args);
	if (line > 0)
		g_printerr ("ERROR: shell slot %u: line %u: %s\n", self->props.slot, line, msg);
	else
		g_printerr ("ERROR: shell slot %u: %s\n", self->props.slot, msg);
}

/* output ---------------------------------------------------------------- */

static void remsim_shell_sink_flush (RemsimShellSink *self);
static void remsim_shell_sink_check_finished (RemsimShellSink *self);

static void
remsim_shell_sink_write_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr (RemsimShellSink) self = REMSIM_SHELL_SINK (user_data);
	g_autoptr (GError) error = NULL;

	g_clear_pointer (&self->out_writing, g_bytes_unref);
	if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), res, NULL, &error)) {
		if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return;
		remsim_shell_sink_error (self, 0, "cannot write the output: %s", error->message);
		self->out_broken = TRUE;
		self->failures++;
		g_byte_array_set_size (self->out_pending, 0);
	}
	remsim_shell_sink_flush (self);
	remsim_shell_sink_check_finished (self);
}

static void
remsim_shell_sink_flush (RemsimShellSink *self)
{
	gsize len;

	if (self->out_writing != NULL || self->out_pending->len == 0 || self->out == NULL)
		return;
	if (self->out_broken) {
		g_byte_array_set_size (self->out_pending, 0);
		return;
	}
	self->out_writing = g_byte_array_free_to_bytes (self->out_pending);
	self->out_pending = g_byte_array_sized_new (256);
	len = g_bytes_get_size (self->out_writing);
	g_output_stream_write_all_async (self->out,
					 g_bytes_get_data (self->out_writing, NULL),
					 len,
					 G_PRIORITY_DEFAULT,
					 self->cancellable,
					 remsim_shell_sink_write_cb,
					 g_object_ref (self));
}

static void
remsim_shell_sink_output (RemsimShellSink *self, const gchar *prefix, GBytes *data)
{
	remsim_shell_sink_append_line (self->out_pending, prefix, data);
	remsim_shell_sink_flush (self);
}

/* the queue ------------------------------------------------------------- */

static void remsim_shell_sink_schedule_kick (RemsimShellSink *self);

static void
remsim_shell_sink_clear_source (GSource **source)
{
	if (*source == NULL)
		return;
	g_source_destroy (*source);
	g_clear_pointer (source, g_source_unref);
}

static void
remsim_shell_sink_check_finished (RemsimShellSink *self)
{
	gint status;

	if (!self->started || self->finished || !self->eof)
		return;
	if (!g_queue_is_empty (&self->items) || self->outstanding != NULL)
		return;
	if (self->out_writing != NULL || self->out_pending->len > 0)
		return;
	self->finished = TRUE;
	status = self->failures > 0 ? 1 : 0;
	g_debug ("shell slot %u: input done, %u failure(s)", self->props.slot, self->failures);
	g_signal_emit (self, remsim_shell_sink_signals[SIGNAL_FINISHED], 0, status);
}

static gboolean
remsim_shell_sink_timeout_cb (gpointer user_data)
{
	RemsimShellSink *self = REMSIM_SHELL_SINK (user_data);

	g_clear_pointer (&self->timeout_source, g_source_unref);
	remsim_shell_sink_schedule_kick (self);
	return G_SOURCE_REMOVE;
}

/* send what can go; fail what waited too long for a card */
static void
remsim_shell_sink_kick (RemsimShellSink *self)
{
	g_autoptr (RemsimShellSink) keep = g_object_ref (self);

	remsim_shell_sink_clear_source (&self->timeout_source);
	while (self->started && self->outstanding == NULL && !g_queue_is_empty (&self->items)) {
		RemsimShellItem *item = g_queue_peek_head (&self->items);

		if (!self->card_present) {
			gint64 now = g_get_monotonic_time ();

			if (item->deadline_us == 0)
				break;
			if (now < item->deadline_us) {
				self->timeout_source = g_timeout_source_new (
				    (guint)((item->deadline_us - now + 999) / 1000));
				g_source_set_callback (
				    self->timeout_source, remsim_shell_sink_timeout_cb, self, NULL);
				g_source_attach (self->timeout_source,
						 g_main_context_get_thread_default ());
				break;
			}
			g_queue_pop_head (&self->items);
			remsim_shell_sink_error (self,
						 item->line,
						 "no card within %u ms; %s not sent",
						 self->command_timeout_ms,
						 item->kind == REMSIM_SHELL_ITEM_RESET ? "RESET"
										       : "command");
			self->failures++;
			remsim_shell_item_free (item);
			continue;
		}
		g_queue_pop_head (&self->items);
		if (item->kind == REMSIM_SHELL_ITEM_RESET) {
			remsim_shell_item_free (item);
			remsim_card_sink_emit_request_reset (REMSIM_CARD_SINK (self));
			continue;
		}
		self->outstanding = item;
		remsim_card_sink_emit_command (REMSIM_CARD_SINK (self), item->tpdu);
	}
	remsim_shell_sink_check_finished (self);
}

static gboolean
remsim_shell_sink_kick_cb (gpointer user_data)
{
	RemsimShellSink *self = REMSIM_SHELL_SINK (user_data);

	g_clear_pointer (&self->kick_source, g_source_unref);
	remsim_shell_sink_kick (self);
	return G_SOURCE_REMOVE;
}

/* signals go out from the main loop, never from inside a call of the core */
static void
remsim_shell_sink_schedule_kick (RemsimShellSink *self)
{
	if (self->kick_source != NULL || !self->started)
		return;
	self->kick_source = g_idle_source_new ();
	g_source_set_priority (self->kick_source, G_PRIORITY_DEFAULT);
	g_source_set_callback (self->kick_source, remsim_shell_sink_kick_cb, self, NULL);
	g_source_attach (self->kick_source, g_main_context_get_thread_default ());
}

/* input ----------------------------------------------------------------- */

static void remsim_shell_sink_read_next (RemsimShellSink *self);

static void
remsim_shell_sink_handle_line (RemsimShellSink *self, gchar *line)
{
	g_autoptr (GError) error = NULL;
	RemsimShellItem *item;
	GBytes *tpdu;
	gsize len;

	g_strstrip (line);
	if (line[0] == '\0' || line[0] == '#')
		return;
	item = g_new0 (RemsimShellItem, 1);
	item->line = self->line_no;
	if (self->command_timeout_ms > 0)
		item->deadline_us =
		    g_get_monotonic_time () + (gint64)self->command_timeout_ms * 1000;
	if (g_ascii_strcasecmp (line, "RESET") == 0) {
		item->kind = REMSIM_SHELL_ITEM_RESET;
		g_queue_push_tail (&self->items, item);
		remsim_shell_sink_schedule_kick (self);
		return;
	}
	tpdu = remsim_shell_sink_parse_hex (line, &error);
	if (tpdu == NULL) {
		remsim_shell_sink_error (self, self->line_no, "not a C-APDU: %s", error->message);
		self->failures++;
		remsim_shell_item_free (item);
		return;
	}
	len = g_bytes_get_size (tpdu);
	if (len < REMSIM_SHELL_SINK_TPDU_MIN || len > REMSIM_SHELL_SINK_TPDU_MAX) {
		remsim_shell_sink_error (self,
					 self->line_no,
					 "a C-APDU has %u to %u bytes, this one %" G_GSIZE_FORMAT,
					 REMSIM_SHELL_SINK_TPDU_MIN,
					 REMSIM_SHELL_SINK_TPDU_MAX,
					 len);
		self->failures++;
		g_bytes_unref (tpdu);
		remsim_shell_item_free (item);
		return;
	}
	item->kind = REMSIM_SHELL_ITEM_COMMAND;
	item->tpdu = tpdu;
	g_queue_push_tail (&self->items, item);
	remsim_shell_sink_schedule_kick (self);
}

static void
remsim_shell_sink_read_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr (RemsimShellSink) self = REMSIM_SHELL_SINK (user_data);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *line = NULL;
	gsize len = 0;

	line = g_data_input_stream_read_line_finish_utf8 (
	    G_DATA_INPUT_STREAM (source), res, &len, &error);
	if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (!self->started)
		return;
	if (line == NULL) {
		if (error != NULL) {
			remsim_shell_sink_error (
			    self, self->line_no + 1, "cannot read the input: %s", error->message);
			self->failures++;
		}
		g_debug (
		    "shell slot %u: end of input after %u lines", self->props.slot, self->line_no);
		self->eof = TRUE;
		remsim_shell_sink_schedule_kick (self);
		return;
	}
	self->line_no++;
	if (len > REMSIM_SHELL_SINK_MAX_LINE) {
		remsim_shell_sink_error (self, self->line_no, "line too long");
		self->failures++;
	} else {
		remsim_shell_sink_handle_line (self, line);
	}
	remsim_shell_sink_read_next (self);
}

static void
remsim_shell_sink_read_next (RemsimShellSink *self)
{
	g_data_input_stream_read_line_async (self->din,
					     G_PRIORITY_DEFAULT,
					     self->cancellable,
					     remsim_shell_sink_read_cb,
					     g_object_ref (self));
}

/* RemsimCardSink -------------------------------------------------------- */

static gboolean
remsim_shell_sink_start (RemsimCardSink *sink, GError **error)
{
	RemsimShellSink *self = REMSIM_SHELL_SINK (sink);

	if (self->started)
		return TRUE;
	self->started = TRUE;
	g_clear_object (&self->cancellable);
	self->cancellable = g_cancellable_new ();
	remsim_shell_sink_read_next (self);
	return TRUE;
}

static void
remsim_shell_sink_stop (RemsimCardSink *sink)
{
	RemsimShellSink *self = REMSIM_SHELL_SINK (sink);

	if (!self->started)
		return;
	self->started = FALSE;
	g_cancellable_cancel (self->cancellable);
	remsim_shell_sink_clear_source (&self->kick_source);
	remsim_shell_sink_clear_source (&self->timeout_source);
	g_clear_pointer (&self->outstanding, remsim_shell_item_free);
	g_queue_clear_full (&self->items, (GDestroyNotify)remsim_shell_item_free);
}

static gboolean
remsim_shell_sink_set_atr (RemsimCardSink *sink, GBytes *atr, GError **error)
{
	RemsimShellSink *self = REMSIM_SHELL_SINK (sink);

	remsim_shell_sink_output (self, "SET_ATR", atr);
	return TRUE;
}

static gboolean
remsim_shell_sink_deliver_response (RemsimCardSink *sink, GBytes *response, GError **error)
{
	RemsimShellSink *self = REMSIM_SHELL_SINK (sink);

	if (self->outstanding == NULL) {
		g_autofree gchar *text = remsim_shell_sink_format_line ("R-APDU", response);

		g_printerr ("WARNING: shell slot %u: response without a command: %s",
			    self->props.slot,
			    text);
		return TRUE;
	}
	g_clear_pointer (&self->outstanding, remsim_shell_item_free);
	remsim_shell_sink_output (self, "R-APDU", response);
	remsim_shell_sink_schedule_kick (self);
	return TRUE;
}

static gboolean
remsim_shell_sink_set_card_present (RemsimCardSink *sink, gboolean present, GError **error)
{
	RemsimShellSink *self = REMSIM_SHELL_SINK (sink);

	if (self->card_present == present)
		return TRUE;
	self->card_present = present;
	g_debug ("shell slot %u: card %s", self->props.slot, present ? "present" : "gone");
	if (!present && self->outstanding != NULL) {
		remsim_shell_sink_error (
		    self, self->outstanding->line, "the card went away before the response");
		self->failures++;
		g_clear_pointer (&self->outstanding, remsim_shell_item_free);
	}
	remsim_shell_sink_schedule_kick (self);
	return TRUE;
}

static void
remsim_shell_sink_get_status (RemsimCardSink *sink, RemsimCardSinkStatus *status)
{
	RemsimShellSink *self = REMSIM_SHELL_SINK (sink);

	if (!self->started)
		return;
	/* a shell "modem" always powers and clocks its card */
	status->vcc = REMSIM_TRISTATE_ON;
	status->rst = REMSIM_TRISTATE_OFF;
	status->clk = REMSIM_TRISTATE_ON;
	status->card = self->card_present ? REMSIM_TRISTATE_ON : REMSIM_TRISTATE_OFF;
}

static void
remsim_shell_sink_card_sink_iface_init (RemsimCardSinkInterface *iface)
{
	iface->start = remsim_shell_sink_start;
	iface->stop = remsim_shell_sink_stop;
	iface->set_atr = remsim_shell_sink_set_atr;
	iface->deliver_response = remsim_shell_sink_deliver_response;
	iface->set_card_present = remsim_shell_sink_set_card_present;
	iface->get_status = remsim_shell_sink_get_status;
}

/* GInitable ------------------------------------------------------------- */

static gboolean
remsim_shell_sink_is_std (const gchar *path)
{
	return path == NULL || path[0] == '\0' || g_strcmp0 (path, "-") == 0;
}

/* open without blocking on a FIFO, then use the fd in blocking mode (GIO
 * polls before it reads or writes) */
static gint
remsim_shell_sink_open (const gchar *key, const gchar *path, gint flags, GError **error)
{
	gint fd = open (path, flags | O_NONBLOCK | O_CLOEXEC, 0644);
	gint fl;

	if (fd < 0) {
		gint saved = errno;

		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "key '%s': cannot open %s: %s%s",
			     key,
			     path,
			     g_strerror (saved),
			     saved == ENXIO ? " (a FIFO needs its reader first)" : "");
		return -1;
	}
	fl = fcntl (fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl (fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

static gboolean
remsim_shell_sink_get_uint (
    RemsimShellSink *self, const gchar *key, guint max, guint *value, GError **error)
{
	g_autofree gchar *str = NULL;
	guint64 v = 0;

	if (!g_key_file_has_key (self->props.config, self->props.group, key, NULL))
		return TRUE;
	str = g_key_file_get_string (self->props.config, self->props.group, key, NULL);
	if (str == NULL || !g_ascii_string_to_unsigned (g_strstrip (str), 10, 0, max, &v, NULL)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "key '%s': expected a number from 0 to %u",
			     key,
			     max);
		return FALSE;
	}
	*value = (guint)v;
	return TRUE;
}

static gboolean
remsim_shell_sink_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
	RemsimShellSink *self = REMSIM_SHELL_SINK (initable);
	static const gchar *const known_keys[] = {"input", "output", "command-timeout-ms", NULL};
	gint in_fd = STDIN_FILENO;
	gint out_fd = STDOUT_FILENO;

	if (!remsim_plugin_instance_props_check (&self->props, known_keys, error))
		return FALSE;
	if (!remsim_shell_sink_get_uint (
		self, "command-timeout-ms", 24 * 3600 * 1000, &self->command_timeout_ms, error))
		return FALSE;
	self->input_path =
	    g_key_file_get_string (self->props.config, self->props.group, "input", NULL);
	self->output_path =
	    g_key_file_get_string (self->props.config, self->props.group, "output", NULL);
	if (self->input_path != NULL)
		g_strstrip (self->input_path);
	if (self->output_path != NULL)
		g_strstrip (self->output_path);

	if (remsim_shell_sink_is_std (self->input_path)) {
		if (remsim_shell_sink_stdin_taken) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "key 'input': standard input is read by another shell "
				     "sink already; give slot %u its own input= file",
				     self->props.slot);
			return FALSE;
		}
	} else {
		in_fd = remsim_shell_sink_open ("input", self->input_path, O_RDONLY, error);
		if (in_fd < 0)
			return FALSE;
	}
	if (!remsim_shell_sink_is_std (self->output_path)) {
		out_fd = remsim_shell_sink_open (
		    "output", self->output_path, O_WRONLY | O_CREAT | O_APPEND, error);
		if (out_fd < 0) {
			if (in_fd != STDIN_FILENO)
				close (in_fd);
			return FALSE;
		}
	}
	if (in_fd == STDIN_FILENO) {
		remsim_shell_sink_stdin_taken = TRUE;
		self->owns_stdin = TRUE;
	}
	self->in = g_unix_input_stream_new (in_fd, in_fd != STDIN_FILENO);
	self->din = g_data_input_stream_new (self->in);
	g_data_input_stream_set_newline_type (self->din, G_DATA_STREAM_NEWLINE_TYPE_ANY);
	g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (self->din), FALSE);
	self->out = g_unix_output_stream_new (out_fd, out_fd != STDOUT_FILENO);
	return TRUE;
}

static void
remsim_shell_sink_initable_iface_init (GInitableIface *iface)
{
	iface->init = remsim_shell_sink_initable_init;
}

/* GObject --------------------------------------------------------------- */

static void
remsim_shell_sink_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	RemsimShellSink *self = REMSIM_SHELL_SINK (object);

	if (!remsim_plugin_instance_props_get_property (
		&self->props, PROP_INSTANCE, prop_id, value))
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
remsim_shell_sink_set_property (GObject *object,
				guint prop_id,
				const GValue *value,
				GParamSpec *pspec)
{
	RemsimShellSink *self = REMSIM_SHELL_SINK (object);

	if (!remsim_plugin_instance_props_set_property (
		&self->props, PROP_INSTANCE, prop_id, value))
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
remsim_shell_sink_dispose (GObject *object)
{
	RemsimShellSink *self = REMSIM_SHELL_SINK (object);

	remsim_shell_sink_stop (REMSIM_CARD_SINK (self));
	G_OBJECT_CLASS (remsim_shell_sink_parent_class)->dispose (object);
}

static void
remsim_shell_sink_finalize (GObject *object)
{
	RemsimShellSink *self = REMSIM_SHELL_SINK (object);

	if (self->owns_stdin)
		remsim_shell_sink_stdin_taken = FALSE;
	g_clear_object (&self->din);
	g_clear_object (&self->in);
	g_clear_object (&self->out);
	g_clear_object (&self->cancellable);
	g_clear_pointer (&self->out_writing, g_bytes_unref);
	g_byte_array_unref (self->out_pending);
	remsim_plugin_instance_props_clear (&self->props);
	g_free (self->input_path);
	g_free (self->output_path);
	G_OBJECT_CLASS (remsim_shell_sink_parent_class)->finalize (object);
}

static void
remsim_shell_sink_init (RemsimShellSink *self)
{
	g_queue_init (&self->items);
	self->out_pending = g_byte_array_sized_new (256);
	self->command_timeout_ms = REMSIM_SHELL_SINK_DEFAULT_COMMAND_TIMEOUT_MS;
}

static void
remsim_shell_sink_class_init (RemsimShellSinkClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->get_property = remsim_shell_sink_get_property;
	object_class->set_property = remsim_shell_sink_set_property;
	object_class->dispose = remsim_shell_sink_dispose;
	object_class->finalize = remsim_shell_sink_finalize;

	remsim_plugin_install_instance_properties (object_class, PROP_INSTANCE);

	/**
	 * RemsimShellSink::finished:
	 * @status: 0 if every command was answered, 1 otherwise
	 *
	 * The input reached its end and everything read was handled.
	 */
	remsim_shell_sink_signals[SIGNAL_FINISHED] = g_signal_new ("finished",
								   G_TYPE_FROM_CLASS (klass),
								   G_SIGNAL_RUN_LAST,
								   0,
								   NULL,
								   NULL,
								   g_cclosure_marshal_VOID__INT,
								   G_TYPE_NONE,
								   1,
								   G_TYPE_INT);
}
