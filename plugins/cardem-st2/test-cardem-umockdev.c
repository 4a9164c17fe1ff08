/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cardem-st2 sink against a SIMtrace2 faked below libusb.
 *
 * umockdev provides the sysfs device and /dev/bus/usb node; an ioctl
 * handler (running in umockdev's worker thread) answers the usbdevfs
 * requests libusb makes: it completes the URBs as the card-emulation
 * firmware would and plays the modem. The modem powers the card, checks
 * the ATR the sink sets, performs a PTS and, right after it, sends TPDU
 * headers (with data after the procedure byte); every byte the sink sends
 * back is compared with the response of a reference simulated card.
 *
 * The sink is driven by a small harness: its "command" signal goes to
 * another simulated card (the bank's card) whose response is handed back
 * with deliver_response(). Halfway through, the device is unplugged and
 * plugged back; the sink must recover by itself.
 *
 * The program runs itself under umockdev-wrapper; without it the test is
 * skipped (exit 77) unless REMSIM_TEST_STRICT=1.
 */
#include "config.h"

#include <string.h>

#include "cardem-fake-device.h"
#include "remsim-plugin-api.h"
#include "remsim-plugins.h"

/* phase 1 (with PTS) and phase 2 (after the replug) */
static const RemsimCardemFakeCmd remsim_test_phase1[] = {
    {"00 a4 00 04 02", "3f 00"},
    {"a0 a4 00 00 02", "3f 00"},
    {"a0 a4 00 00 02", "7f 20"},
    {"a0 f2 00 00 16", NULL},
};

static const RemsimCardemFakeCmd remsim_test_phase2[] = {
    {"a0 a4 00 00 02", "3f 00"},
    {"a0 a4 00 00 02", "2f e2"},
    {"a0 b0 00 00 0a", NULL},
};

static const RemsimCardemFakePhase remsim_test_phases[] = {
    {remsim_test_phase1, G_N_ELEMENTS (remsim_test_phase1), TRUE},
    {remsim_test_phase2, G_N_ELEMENTS (remsim_test_phase2), FALSE},
};

/* ---- the harness: sink + the bank's card ---------------------------------- */

typedef struct {
	RemsimCardemFake *fake;
	RemsimCardSink *sink;
	RemsimSimcard *card;
	GMainLoop *loop;
	GPtrArray *errors;
	gchar *waiting_for; /* an event the loop waits for */
	guint timeout_id;
	guint n_commands;
	guint n_status;
	guint n_pts;
	gboolean saw_vcc_on_rst_off;
	gboolean saw_unknown;
} RemsimTestHarness;

static void
remsim_test_command_cb (RemsimCardSink *sink, GBytes *tpdu, gpointer user_data)
{
	RemsimTestHarness *h = user_data;
	g_autoptr (GBytes) rsp = NULL;
	g_autoptr (GError) error = NULL;
	gsize len = 0;
	const guint8 *p = g_bytes_get_data (tpdu, &len);

	h->n_commands++;
	rsp = remsim_simcard_process (h->card, p, len);
	if (!remsim_card_sink_deliver_response (sink, rsp, &error))
		g_ptr_array_add (h->errors, g_strdup_printf ("deliver: %s", error->message));
}

static void
remsim_test_status_cb (RemsimCardSink *sink, const RemsimCardSinkStatus *st, gpointer user_data)
{
	RemsimTestHarness *h = user_data;

	h->n_status++;
	if (st->vcc == REMSIM_TRISTATE_ON && st->rst == REMSIM_TRISTATE_OFF &&
	    st->clk == REMSIM_TRISTATE_ON)
		h->saw_vcc_on_rst_off = TRUE;
	if (st->vcc == REMSIM_TRISTATE_UNKNOWN)
		h->saw_unknown = TRUE;
}

static void
remsim_test_pts_cb (GObject *sink, GBytes *req, gpointer user_data)
{
	RemsimTestHarness *h = user_data;
	static const guint8 pts[] = {0xff, 0x10, 0x94, 0x7b};

	h->n_pts++;
	if (!g_bytes_equal (req, g_bytes_new_static (pts, sizeof (pts))))
		g_ptr_array_add (h->errors, g_strdup ("PTS signal with wrong bytes"));
}

static gboolean
remsim_test_poll_events_cb (gpointer user_data)
{
	RemsimTestHarness *h = user_data;
	gchar *ev;

	while ((ev = remsim_cardem_fake_pop_event (h->fake)) != NULL) {
		g_test_message ("fake device: %s", ev);
		if (g_str_has_prefix (ev, "error"))
			g_ptr_array_add (h->errors, ev);
		else if (h->waiting_for != NULL && g_str_equal (ev, h->waiting_for)) {
			g_clear_pointer (&h->waiting_for, g_free);
			g_main_loop_quit (h->loop);
			g_free (ev);
		} else {
			g_free (ev);
		}
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
remsim_test_timeout_cb (gpointer user_data)
{
	RemsimTestHarness *h = user_data;

	g_ptr_array_add (h->errors, g_strdup_printf ("timed out waiting for %s", h->waiting_for));
	h->timeout_id = 0;
	g_main_loop_quit (h->loop);
	return G_SOURCE_REMOVE;
}

static void
remsim_test_connected_cb (GObject *sink, GParamSpec *pspec, gpointer user_data)
{
	RemsimTestHarness *h = user_data;
	gboolean connected = FALSE;

	g_object_get (sink, "connected", &connected, NULL);
	g_test_message ("sink connected: %d", connected);
	if (h->waiting_for != NULL &&
	    g_str_equal (h->waiting_for, connected ? "connected" : "disconnected")) {
		g_clear_pointer (&h->waiting_for, g_free);
		g_main_loop_quit (h->loop);
	}
}

/* run the loop until the event comes (or 20 s pass) */
static void
remsim_test_wait (RemsimTestHarness *h, const gchar *event)
{
	g_test_message ("waiting for %s", event);
	h->waiting_for = g_strdup (event);
	h->timeout_id = g_timeout_add_seconds (20, remsim_test_timeout_cb, h);
	g_main_loop_run (h->loop);
	g_clear_handle_id (&h->timeout_id, g_source_remove);
	g_clear_pointer (&h->waiting_for, g_free);
}

static void
remsim_test_cardem_umockdev (void)
{
	RemsimCardemFake fake;
	RemsimTestHarness h = {0};
	g_autoptr (UMockdevTestbed) testbed = umockdev_testbed_new ();
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (GKeyFile) kf = g_key_file_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) atr = NULL;
	gboolean connected = FALSE;
	guint poll_id;
	const gchar *conf = "[sink:st2]\n"
			    "plugin=cardem-st2\n"
			    "vendor=0x1d50\n"
			    "product=60e3\n"
			    "path=1-1\n"
			    "configuration=1\n"
			    "interface=0\n"
			    "altsetting=0\n"
			    "rescan-interval-ms=100\n";

	g_assert_true (umockdev_in_mock_environment ());

	/* the fake device */
	remsim_cardem_fake_init (
	    &fake, testbed, remsim_test_phases, G_N_ELEMENTS (remsim_test_phases));

	/* the sink, through the plugin loader */
	h.fake = &fake;
	h.errors = g_ptr_array_new_with_free_func (g_free);
	h.loop = g_main_loop_new (NULL, FALSE);
	h.card = remsim_simcard_new_default (&error);
	g_assert_no_error (error);
	atr = remsim_simcard_power_on (h.card);
	g_assert_true (g_key_file_load_from_data (kf, conf, -1, 0, &error));
	h.sink = remsim_plugins_create_card_sink (plugins, kf, "sink:st2", 0, &error);
	g_assert_no_error (error);
	g_assert_nonnull (h.sink);
	g_signal_connect (h.sink, "command", G_CALLBACK (remsim_test_command_cb), &h);
	g_signal_connect (h.sink, "status", G_CALLBACK (remsim_test_status_cb), &h);
	g_signal_connect (h.sink, "pts", G_CALLBACK (remsim_test_pts_cb), &h);
	g_signal_connect (h.sink, "notify::connected", G_CALLBACK (remsim_test_connected_cb), &h);
	poll_id = g_timeout_add (5, remsim_test_poll_events_cb, &h);

	g_assert_true (remsim_card_sink_start (h.sink, &error));
	g_assert_no_error (error);
	remsim_test_wait (&h, "connected");
	g_assert_cmpuint (h.errors->len, ==, 0);

	/* a mapping: the ATR of the bank's card, then the card insertion */
	g_assert_true (remsim_card_sink_set_atr (h.sink, atr, &error));
	g_assert_true (remsim_card_sink_set_card_present (h.sink, TRUE, &error));
	g_assert_no_error (error);
	remsim_test_wait (&h, "phase-done 1");
	for (guint i = 0; i < h.errors->len; i++)
		g_test_message ("error: %s", (const gchar *)g_ptr_array_index (h.errors, i));
	g_assert_cmpuint (h.errors->len, ==, 0);
	g_assert_true (fake.pts_with_header_ok);
	g_assert_cmpuint (h.n_pts, ==, 1);
	g_assert_true (h.saw_vcc_on_rst_off);
	g_assert_cmpuint (fake.modem_resets, ==, 1);
	g_assert_cmpuint (h.n_commands, >=, G_N_ELEMENTS (remsim_test_phase1));
	g_assert_cmpuint (h.n_commands, ==, fake.n_tpdus);

	/* unplug mid-session: the URBs in flight die first (the sink sees
	 * LIBUSB_TRANSFER_NO_DEVICE), the udev event comes after */
	remsim_cardem_fake_unplug (&fake);
	remsim_test_wait (&h, "disconnected");
	remsim_cardem_fake_remove (&fake);
	g_assert_cmpuint (h.errors->len, ==, 0);
	g_assert_true (h.saw_unknown);
	g_object_get (h.sink, "connected", &connected, NULL);
	g_assert_false (connected);

	/* plug it back: the sink finds it, sets it up and the modem goes on */
	remsim_cardem_fake_plug (&fake);
	remsim_test_wait (&h, "phase-done 2");
	for (guint i = 0; i < h.errors->len; i++)
		g_test_message ("error: %s", (const gchar *)g_ptr_array_index (h.errors, i));
	g_assert_cmpuint (h.errors->len, ==, 0);
	/* failed opens while it was gone count as sessions too */
	g_assert_cmpuint (fake.session, >=, 2);
	g_assert_cmpuint (fake.modem_resets, ==, 2);
	g_assert_cmpuint (h.n_commands, ==, fake.n_tpdus);
	g_test_message (
	    "%u TPDUs, %u bytes from the sink checked", fake.n_tpdus, fake.n_checked_bytes);

	/* mapping gone: card removal */
	g_assert_true (remsim_card_sink_set_card_present (h.sink, FALSE, &error));
	remsim_card_sink_stop (h.sink);
	g_source_remove (poll_id);
	g_clear_object (&h.sink);
	remsim_cardem_fake_clear (&fake);
	g_object_unref (h.card);
	g_main_loop_unref (h.loop);
	g_ptr_array_unref (h.errors);
}

int
main (int argc, char **argv)
{
	gint status = remsim_cardem_fake_reexec_under_umockdev (argc, argv);

	if (status >= 0)
		return status;
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/remsim/cardem/umockdev/session-pts-unplug", remsim_test_cardem_umockdev);
	return g_test_run ();
}
