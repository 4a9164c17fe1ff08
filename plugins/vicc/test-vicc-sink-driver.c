/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-vicc-sink-driver: the vicc card sink with the simulated SIM behind
 * it, in place of the remsim-client core and a bankd. For the integration
 * test with a real pcscd + vpcd (test-vicc-sink-vpcd.sh).
 *
 *   test-vicc-sink-driver HOST:PORT
 *
 * Loads the vicc plugin ($REMSIM_PLUGIN_DIR), creates the sink for client
 * slot 0 with connect=HOST:PORT, sets the card's ATR and shows the card.
 * "command" is answered by the simulated SIM, "status" and
 * "request-reset" power it. Lines on stdin drive it; each is acknowledged
 * on stdout once done:
 *
 *   present 0|1    set_card_present        -> "ok present N"
 *   atr HEX        set_atr                 -> "ok atr"
 *   delay MS       answer commands MS ms late (0: at once) -> "ok delay"
 *   mute 0|1       do not answer commands at all    -> "ok mute N"
 *   stats          -> "stats commands=N resets=N powered=0|1"
 *   quit (or EOF)  stop and exit 0
 */
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <stdio.h>
#include <string.h>

#include "remsim-plugin-api.h"
#include "remsim-plugins.h"
#include "remsim-simcard.h"

typedef struct {
	GMainLoop *loop;
	RemsimCardSink *sink;
	RemsimSimcard *card;
	GDataInputStream *in;
	guint commands;
	guint resets;
	guint delay_ms;
	gboolean mute;
	gint status;
} Driver;

typedef struct {
	RemsimCardSink *sink;
	GBytes *resp;
} LateResponse;

static gboolean
driver_late_response_cb (gpointer user_data)
{
	LateResponse *late = user_data;
	g_autoptr (GError) error = NULL;

	if (!remsim_card_sink_deliver_response (late->sink, late->resp, &error))
		g_printerr ("test-vicc-sink-driver: late response: %s\n", error->message);
	g_object_unref (late->sink);
	g_bytes_unref (late->resp);
	g_free (late);
	return G_SOURCE_REMOVE;
}

static void
driver_command_cb (RemsimCardSink *sink, GBytes *tpdu, gpointer user_data)
{
	Driver *d = user_data;
	gsize len = 0;
	const guint8 *apdu = g_bytes_get_data (tpdu, &len);
	g_autoptr (GBytes) resp = remsim_simcard_process (d->card, apdu, len);
	g_autoptr (GError) error = NULL;

	d->commands++;
	if (d->mute)
		return;
	if (d->delay_ms > 0) {
		LateResponse *late = g_new0 (LateResponse, 1);

		late->sink = g_object_ref (sink);
		late->resp = g_steal_pointer (&resp);
		g_timeout_add (d->delay_ms, driver_late_response_cb, late);
		return;
	}
	if (!remsim_card_sink_deliver_response (sink, resp, &error))
		g_printerr ("test-vicc-sink-driver: %s\n", error->message);
}

static void
driver_status_cb (RemsimCardSink *sink, const RemsimCardSinkStatus *status, gpointer user_data)
{
	Driver *d = user_data;

	/* as a bankd: a falling VCC is a cold reset */
	if (status->vcc == REMSIM_TRISTATE_OFF) {
		remsim_simcard_power_off (d->card);
	} else if (status->vcc == REMSIM_TRISTATE_ON && !remsim_simcard_is_powered (d->card)) {
		g_autoptr (GBytes) atr = remsim_simcard_power_on (d->card);
	}
}

static void
driver_reset_cb (RemsimCardSink *sink, gpointer user_data)
{
	Driver *d = user_data;
	g_autoptr (GBytes) atr = remsim_simcard_reset (d->card);

	d->resets++;
}

static void driver_read (Driver *d);

static gboolean
driver_handle_line (Driver *d, const gchar *line)
{
	g_autoptr (GError) error = NULL;

	if (g_str_has_prefix (line, "present ")) {
		gboolean present = g_strcmp0 (line + 8, "1") == 0;

		if (!remsim_card_sink_set_card_present (d->sink, present, &error)) {
			g_printerr ("test-vicc-sink-driver: %s\n", error->message);
			return FALSE;
		}
		g_print ("ok present %d\n", present);
	} else if (g_str_has_prefix (line, "atr ")) {
		g_autoptr (GByteArray) atr = g_byte_array_new ();
		g_autoptr (GBytes) bytes = NULL;
		const gchar *hex = line + 4;

		for (gsize i = 0; hex[i] != '\0' && hex[i + 1] != '\0'; i += 2) {
			guint8 b = (guint8)((g_ascii_xdigit_value (hex[i]) << 4) |
					    g_ascii_xdigit_value (hex[i + 1]));

			g_byte_array_append (atr, &b, 1);
		}
		bytes = g_byte_array_free_to_bytes (g_steal_pointer (&atr));
		if (!remsim_card_sink_set_atr (d->sink, bytes, &error)) {
			g_printerr ("test-vicc-sink-driver: %s\n", error->message);
			return FALSE;
		}
		g_print ("ok atr\n");
	} else if (g_str_has_prefix (line, "delay ")) {
		d->delay_ms = (guint)g_ascii_strtoull (line + 6, NULL, 10);
		g_print ("ok delay\n");
	} else if (g_str_has_prefix (line, "mute ")) {
		d->mute = g_strcmp0 (line + 5, "1") == 0;
		g_print ("ok mute %d\n", d->mute);
	} else if (g_strcmp0 (line, "stats") == 0) {
		g_print ("stats commands=%u resets=%u powered=%d\n",
			 d->commands,
			 d->resets,
			 remsim_simcard_is_powered (d->card));
	} else if (g_strcmp0 (line, "quit") == 0) {
		g_main_loop_quit (d->loop);
		return TRUE;
	} else if (line[0] != '\0') {
		g_printerr ("test-vicc-sink-driver: unknown command \"%s\"\n", line);
		return FALSE;
	}
	return TRUE;
}

static void
driver_line_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	Driver *d = user_data;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *line =
	    g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), res, NULL, &error);

	if (line == NULL) {
		/* EOF: the test is gone */
		g_main_loop_quit (d->loop);
		return;
	}
	g_strstrip (line);
	if (!driver_handle_line (d, line)) {
		d->status = 1;
		g_main_loop_quit (d->loop);
		return;
	}
	if (g_main_loop_is_running (d->loop))
		driver_read (d);
}

static void
driver_read (Driver *d)
{
	g_data_input_stream_read_line_async (d->in, G_PRIORITY_DEFAULT, NULL, driver_line_cb, d);
}

int
main (int argc, char **argv)
{
	g_autoptr (RemsimPlugins) plugins = NULL;
	g_autoptr (GKeyFile) kf = g_key_file_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) atr = NULL;
	g_autoptr (GInputStream) stdin_stream = NULL;
	Driver d = {0};

	setvbuf (stdout, NULL, _IOLBF, 0);
	if (argc != 2) {
		g_printerr ("usage: %s HOST:PORT\n", argv[0]);
		return 2;
	}
	d.card = remsim_simcard_new_default (&error);
	if (d.card == NULL) {
		g_printerr ("test-vicc-sink-driver: %s\n", error->message);
		return 1;
	}
	g_key_file_set_string (kf, "sink:vpcd", "plugin", "vicc");
	g_key_file_set_string (kf, "sink:vpcd", "connect", argv[1]);
	g_key_file_set_string (kf, "sink:vpcd", "reconnect-interval-ms", "100");
	g_key_file_set_string (kf, "sink:vpcd", "timeout-ms", "2000");
	plugins = remsim_plugins_new ();
	d.sink = remsim_plugins_create_card_sink (plugins, kf, "sink:vpcd", 0, &error);
	if (d.sink == NULL) {
		g_printerr ("test-vicc-sink-driver: %s\n", error->message);
		g_object_unref (d.card);
		return 1;
	}
	g_signal_connect (d.sink, "command", G_CALLBACK (driver_command_cb), &d);
	g_signal_connect (d.sink, "status", G_CALLBACK (driver_status_cb), &d);
	g_signal_connect (d.sink, "request-reset", G_CALLBACK (driver_reset_cb), &d);
	atr = remsim_simcard_get_atr (d.card);
	if (!remsim_card_sink_start (d.sink, &error) ||
	    !remsim_card_sink_set_atr (d.sink, atr, &error) ||
	    !remsim_card_sink_set_card_present (d.sink, TRUE, &error)) {
		g_printerr ("test-vicc-sink-driver: %s\n", error->message);
		g_object_unref (d.sink);
		g_object_unref (d.card);
		return 1;
	}

	d.loop = g_main_loop_new (NULL, FALSE);
	stdin_stream = g_unix_input_stream_new (0, FALSE);
	d.in = g_data_input_stream_new (stdin_stream);
	driver_read (&d);
	g_print ("ready\n");
	g_main_loop_run (d.loop);

	remsim_card_sink_stop (d.sink);
	g_object_unref (d.sink);
	g_object_unref (d.in);
	g_object_unref (d.card);
	g_main_loop_unref (d.loop);
	return d.status;
}
