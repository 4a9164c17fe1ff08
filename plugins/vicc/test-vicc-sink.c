/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimViccSink through the plugin loader, against a scripted fake vpcd on
 * real loopback sockets. The fake runs on the test's main context: it waits
 * for bytes by iterating the loop, so the sink under test keeps running
 * while the test "blocks".
 */
#include "config.h"

#include <string.h>

#include "remsim-plugin-api.h"
#include "remsim-plugins.h"
#include "remsim-vicc-proto.h"
#include "test-vicc-fake.h"

#define TEST_ATR "3b9f96801fc78031a073be21136743200718000001a5"

/* the sink under test ---------------------------------------------------- */

typedef struct {
	RemsimPlugins *plugins;
	RemsimCardSink *sink;
	GPtrArray *commands; /* hex of each "command" */
	gboolean got_command;
	GPtrArray *statuses; /* RemsimCardSinkStatus copies */
	gboolean got_status;
	guint resets;
	gboolean got_reset;
	/* answer commands from the handler itself with this, if set */
	gchar *auto_response;
} Fixture;

static void
command_cb (RemsimCardSink *sink, GBytes *tpdu, gpointer user_data)
{
	Fixture *fx = user_data;

	g_ptr_array_add (fx->commands, bytes_to_hex (tpdu));
	fx->got_command = TRUE;
	if (fx->auto_response != NULL) {
		g_autoptr (GBytes) resp = hex_to_bytes (fx->auto_response);
		g_autoptr (GError) error = NULL;

		g_assert_true (remsim_card_sink_deliver_response (sink, resp, &error));
		g_assert_no_error (error);
	}
}

static void
status_cb (RemsimCardSink *sink, const RemsimCardSinkStatus *status, gpointer user_data)
{
	Fixture *fx = user_data;

	g_ptr_array_add (fx->statuses, remsim_card_sink_status_copy (status));
	fx->got_status = TRUE;
}

static void
reset_cb (RemsimCardSink *sink, gpointer user_data)
{
	Fixture *fx = user_data;

	fx->resets++;
	fx->got_reset = TRUE;
}

static RemsimCardSink *
create_sink (RemsimPlugins *plugins, const gchar *keys, guint slot, GError **error)
{
	g_autoptr (GKeyFile) kf = g_key_file_new ();
	g_autofree gchar *data = g_strdup_printf ("[sink:t]\nplugin=vicc\n%s", keys);

	g_assert_true (g_key_file_load_from_data (kf, data, -1, G_KEY_FILE_NONE, NULL));
	return remsim_plugins_create_card_sink (plugins, kf, "sink:t", slot, error);
}

static void
fixture_setup (Fixture *fx, const gchar *keys)
{
	g_autoptr (GError) error = NULL;

	fx->plugins = remsim_plugins_new ();
	fx->sink = create_sink (fx->plugins, keys, 0, &error);
	g_assert_no_error (error);
	g_assert_nonnull (fx->sink);
	fx->commands = g_ptr_array_new_with_free_func (g_free);
	fx->statuses = g_ptr_array_new_with_free_func (g_free);
	g_signal_connect (fx->sink, "command", G_CALLBACK (command_cb), fx);
	g_signal_connect (fx->sink, "status", G_CALLBACK (status_cb), fx);
	g_signal_connect (fx->sink, "request-reset", G_CALLBACK (reset_cb), fx);
	g_assert_true (remsim_card_sink_start (fx->sink, &error));
	g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fx)
{
	if (fx->sink != NULL)
		remsim_card_sink_stop (fx->sink);
	g_clear_object (&fx->sink);
	g_clear_object (&fx->plugins);
	g_clear_pointer (&fx->commands, g_ptr_array_unref);
	g_clear_pointer (&fx->statuses, g_ptr_array_unref);
	g_free (fx->auto_response);
}

static void
set_present (Fixture *fx, gboolean present)
{
	g_autoptr (GError) error = NULL;

	g_assert_true (remsim_card_sink_set_card_present (fx->sink, present, &error));
	g_assert_no_error (error);
}

static void
set_atr (Fixture *fx, const gchar *hex)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) atr = hex_to_bytes (hex);

	g_assert_true (remsim_card_sink_set_atr (fx->sink, atr, &error));
	g_assert_no_error (error);
}

static void
respond (Fixture *fx, const gchar *hex)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) resp = hex_to_bytes (hex);

	g_assert_true (remsim_card_sink_deliver_response (fx->sink, resp, &error));
	g_assert_no_error (error);
}

/* wait for the next "command" and check it */
static void
expect_command (Fixture *fx, const gchar *hex)
{
	if (fx->commands->len == 0) {
		fx->got_command = FALSE;
		g_assert_true (wait_for (&fx->got_command, TEST_WAIT));
	}
	g_assert_cmpuint (fx->commands->len, ==, 1);
	g_assert_cmpstr (g_ptr_array_index (fx->commands, 0), ==, hex);
	g_ptr_array_remove_index (fx->commands, 0);
}

static gboolean
sink_connected (Fixture *fx)
{
	gboolean connected = FALSE;

	g_object_get (fx->sink, "connected", &connected, NULL);
	return connected;
}

static guint16
sink_port (Fixture *fx)
{
	guint port = 0;

	g_object_get (fx->sink, "port", &port, NULL);
	return (guint16)port;
}

static gchar *
keys_connect (guint16 port, const gchar *extra)
{
	return g_strdup_printf ("connect=127.0.0.1:%u\n%s", port, extra != NULL ? extra : "");
}

/* tests ------------------------------------------------------------------- */

static void
expect_sink_error (const gchar *keys, guint slot, GQuark domain, gint code)
{
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimCardSink) sink = create_sink (plugins, keys, slot, &error);

	g_assert_error (error, domain, code);
	g_assert_null (sink);
}

static guint16
created_port (const gchar *keys, guint slot)
{
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimCardSink) sink = create_sink (plugins, keys, slot, &error);
	guint port = 0;

	g_assert_no_error (error);
	g_object_get (sink, "port", &port, NULL);
	return (guint16)port;
}

static void
test_keys (void)
{
	expect_sink_error (
	    "colour=blue\n", 0, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_UNKNOWN_KEY);
	expect_sink_error ("listen=1\nconnect=127.0.0.1:2\n",
			   0,
			   REMSIM_CONFIG_ERROR,
			   REMSIM_CONFIG_ERROR_INVALID_VALUE);
	expect_sink_error (
	    "connect=127.0.0.1:0\n", 0, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	expect_sink_error (
	    "connect=1.2.3.4:x\n", 0, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	expect_sink_error (
	    "listen=example.org:1\n", 0, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	expect_sink_error (
	    "timeout-ms=0\n", 0, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	expect_sink_error (
	    "reconnect-interval-ms=x\n", 0, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
	expect_sink_error ("slots=0-3\nconnect=127.0.0.1:65535\n",
			   2,
			   REMSIM_CONFIG_ERROR,
			   REMSIM_CONFIG_ERROR_INVALID_VALUE);
	expect_sink_error ("slots=a\n", 0, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);

	/* defaults: connect to 127.0.0.1:35963 + slot offset */
	g_assert_cmpuint (created_port ("", 0), ==, 35963);
	g_assert_cmpuint (created_port ("", 1), ==, 35964);
	g_assert_cmpuint (created_port ("slots=4-7\n", 5), ==, 35964);
	g_assert_cmpuint (created_port ("slots=4-7\nconnect=localhost:40000\n", 7), ==, 40003);
	g_assert_cmpuint (created_port ("slots=2;9\nconnect=40000\n", 9), ==, 40007);
	g_assert_cmpuint (created_port ("slots=0-1\nlisten=*:36000\n", 1), ==, 36001);
	g_assert_cmpuint (created_port ("listen=127.0.0.1\n", 0), ==, 35963);
	g_assert_cmpuint (created_port ("listen=0\n", 3), ==, 0);
}

/* no card: no connection; card: connection, ATR from set_atr (or 3b 00) */
static void
test_presence (void)
{
	g_autoptr (FakeListener) l = listener_new (0);
	g_autofree gchar *keys = keys_connect (l->port, "reconnect-interval-ms=50\n");
	g_autoptr (FakePeer) f = NULL;
	g_autoptr (FakePeer) f2 = NULL;
	RemsimCardSinkStatus st;
	Fixture fx = {0};

	fixture_setup (&fx, keys);
	g_assert_cmpuint (sink_port (&fx), ==, l->port);
	g_assert_null (listener_accept (l, 300));
	remsim_card_sink_get_status (fx.sink, &st);
	g_assert_cmpint (st.card, ==, REMSIM_TRISTATE_OFF);

	/* without set_atr: upstream's default ATR */
	set_present (&fx, TRUE);
	f = fake_accept (l);
	g_assert_true (sink_connected (&fx));
	remsim_card_sink_get_status (fx.sink, &st);
	g_assert_cmpint (st.card, ==, REMSIM_TRISTATE_ON);
	g_assert_cmpint (st.vcc, ==, REMSIM_TRISTATE_UNKNOWN);
	fake_send (f, "04");
	fake_expect (f, "3b00");

	/* removed: the vpcd sees the connection end, nothing comes back */
	set_present (&fx, FALSE);
	fake_expect_closed (f);
	g_assert_false (sink_connected (&fx));
	g_assert_null (listener_accept (l, 300));
	remsim_card_sink_get_status (fx.sink, &st);
	g_assert_cmpint (st.card, ==, REMSIM_TRISTATE_OFF);

	/* ATR checks */
	{
		g_autoptr (GError) error = NULL;
		g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
		g_autoptr (GBytes) longer = hex_to_bytes (
		    "3b000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");

		g_assert_false (remsim_card_sink_set_atr (fx.sink, empty, &error));
		g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_INVALID_ARGUMENT);
		g_clear_error (&error);
		g_assert_false (remsim_card_sink_set_atr (fx.sink, longer, &error));
		g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_INVALID_ARGUMENT);
	}
	set_atr (&fx, TEST_ATR);
	set_present (&fx, TRUE);
	set_present (&fx, TRUE); /* no second connection */
	f2 = fake_accept (l);
	fake_send (f2, "04");
	fake_expect (f2, TEST_ATR);
	fake_send (f2, "04");
	fake_expect (f2, TEST_ATR);
	g_assert_null (listener_accept (l, 200));
	fixture_teardown (&fx);
	fake_expect_closed (f2);
}

static void
test_apdu (void)
{
	g_autoptr (FakeListener) l = listener_new (0);
	g_autofree gchar *keys = keys_connect (l->port, NULL);
	g_autoptr (FakePeer) f = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) resp = hex_to_bytes ("9000");
	g_autofree gchar *big = NULL;
	g_autofree gchar *max = NULL;
	Fixture fx = {0};

	fixture_setup (&fx, keys);
	set_atr (&fx, TEST_ATR);
	set_present (&fx, TRUE);
	f = fake_accept (l);

	/* no command: a response is refused */
	g_assert_false (remsim_card_sink_deliver_response (fx.sink, resp, &error));
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL);
	g_clear_error (&error);

	/* answered later */
	fake_send (f, "a0a40000023f00");
	expect_command (&fx, "a0a40000023f00");
	fake_expect_nothing (f, 100);
	respond (&fx, "9f17");
	fake_expect (f, "9f17");

	/* answered from the signal handler */
	fx.auto_response = g_strdup ("000010003f00019000");
	fake_send (f, "a0c0000017");
	fake_expect (f, "000010003f00019000");
	expect_command (&fx, "a0c0000017");
	g_clear_pointer (&fx.auto_response, g_free);

	/* case 1 gets P3 = 00 (a bankd takes 5..260 bytes) */
	fake_send (f, "a0040000");
	expect_command (&fx, "a004000000");
	respond (&fx, "9000");
	fake_expect (f, "9000");

	/* too short or too long for a TPDU: 6700 at once, no command */
	fake_send (f, "a0a4");
	fake_expect (f, "6700");
	big = g_strnfill (2 * 261, 'a');
	fake_send (f, big);
	fake_expect (f, "6700");
	g_assert_cmpuint (fx.commands->len, ==, 0);
	max = g_strnfill (2 * 260, 'b');
	fake_send (f, max);
	expect_command (&fx, max);
	respond (&fx, "6a82");
	fake_expect (f, "6a82");

	/* an empty response would mean "card gone" to the vpcd */
	fake_send (f, "a0f2000016");
	expect_command (&fx, "a0f2000016");
	{
		g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);

		g_assert_false (remsim_card_sink_deliver_response (fx.sink, empty, &error));
		g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_INVALID_ARGUMENT);
		g_clear_error (&error);
	}
	fake_expect (f, "6f00");

	/* a large response */
	{
		g_autofree gchar *data = g_strnfill (2 * 256, 'c');
		g_autofree gchar *full = g_strconcat (data, "9000", NULL);

		fake_send (f, "00b0000000");
		expect_command (&fx, "00b0000000");
		respond (&fx, full);
		fake_expect (f, full);
	}
	fixture_teardown (&fx);
}

/* messages behind an outstanding command wait, and are answered in order */
static void
test_queue (void)
{
	g_autoptr (FakeListener) l = listener_new (0);
	g_autofree gchar *keys = keys_connect (l->port, NULL);
	g_autoptr (FakePeer) f = NULL;
	Fixture fx = {0};

	fixture_setup (&fx, keys);
	set_atr (&fx, TEST_ATR);
	set_present (&fx, TRUE);
	f = fake_accept (l);

	fake_send_many (f, "a0a40000023f00", "04", "00", "a0c0000017", "04", NULL);
	expect_command (&fx, "a0a40000023f00");
	fake_expect_nothing (f, 100);
	g_assert_cmpuint (fx.statuses->len, ==, 0);
	respond (&fx, "9f17");
	fake_expect (f, "9f17");
	fake_expect (f, TEST_ATR);
	expect_command (&fx, "a0c0000017");
	g_assert_cmpuint (fx.statuses->len, ==, 1); /* the power off */
	fake_expect_nothing (f, 100);
	respond (&fx, "aa9000");
	fake_expect (f, "aa9000");
	fake_expect (f, TEST_ATR);
	fixture_teardown (&fx);
}

static void
assert_status (Fixture *fx, guint i, RemsimTristate vcc, RemsimTristate rst, RemsimTristate clk)
{
	RemsimCardSinkStatus *st;

	g_assert_cmpuint (fx->statuses->len, >, i);
	st = g_ptr_array_index (fx->statuses, i);
	g_assert_cmpint (st->vcc, ==, vcc);
	g_assert_cmpint (st->rst, ==, rst);
	g_assert_cmpint (st->clk, ==, clk);
	g_assert_cmpint (st->card, ==, REMSIM_TRISTATE_ON);
}

/* power on/off and reset: no replies; "status" and "request-reset" */
static void
test_power (void)
{
	g_autoptr (FakeListener) l = listener_new (0);
	g_autofree gchar *keys = keys_connect (l->port, NULL);
	g_autoptr (FakePeer) f = NULL;
	RemsimCardSinkStatus st;
	Fixture fx = {0};

	fixture_setup (&fx, keys);
	set_atr (&fx, TEST_ATR);
	set_present (&fx, TRUE);
	f = fake_accept (l);

	/* pcscd's power up: ON, get ATR */
	fake_send_many (f, "01", "04", NULL);
	fake_expect (f, TEST_ATR);
	g_assert_cmpuint (fx.statuses->len, ==, 1);
	assert_status (&fx, 0, REMSIM_TRISTATE_ON, REMSIM_TRISTATE_OFF, REMSIM_TRISTATE_ON);
	remsim_card_sink_get_status (fx.sink, &st);
	g_assert_cmpint (st.vcc, ==, REMSIM_TRISTATE_ON);
	g_assert_cmpuint (fx.resets, ==, 0);

	/* a second ON changes nothing */
	fake_send_many (f, "01", "04", NULL);
	fake_expect (f, TEST_ATR);
	g_assert_cmpuint (fx.statuses->len, ==, 1);

	/* reset: RESET, get ATR */
	fake_send_many (f, "02", "04", NULL);
	fake_expect (f, TEST_ATR);
	g_assert_cmpuint (fx.resets, ==, 1);
	g_assert_cmpuint (fx.statuses->len, ==, 1);

	/* power down: OFF only (the falling VCC is the bankd's cold reset) */
	fake_send (f, "00");
	fx.got_status = FALSE;
	g_assert_true (wait_for (&fx.got_status, TEST_WAIT));
	g_assert_cmpuint (fx.statuses->len, ==, 2);
	assert_status (&fx, 1, REMSIM_TRISTATE_OFF, REMSIM_TRISTATE_ON, REMSIM_TRISTATE_OFF);
	remsim_card_sink_get_status (fx.sink, &st);
	g_assert_cmpint (st.vcc, ==, REMSIM_TRISTATE_OFF);
	fake_expect_nothing (f, 100);

	/* power up again */
	fake_send_many (f, "01", "04", NULL);
	fake_expect (f, TEST_ATR);
	g_assert_cmpuint (fx.statuses->len, ==, 3);
	assert_status (&fx, 2, REMSIM_TRISTATE_ON, REMSIM_TRISTATE_OFF, REMSIM_TRISTATE_ON);
	g_assert_cmpuint (fx.resets, ==, 1);

	/* unknown control codes get no reply, as vsmartcard's vicc */
	fake_send_many (f, "03", "7f", "04", NULL);
	fake_expect (f, TEST_ATR);
	g_assert_cmpuint (fx.statuses->len, ==, 3);
	g_assert_cmpuint (fx.resets, ==, 1);
	fixture_teardown (&fx);
}

/* card removed while a command is outstanding: its response is dropped */
static void
test_removed_mid_command (void)
{
	g_autoptr (FakeListener) l = listener_new (0);
	g_autofree gchar *keys = keys_connect (l->port, NULL);
	g_autoptr (FakePeer) f = NULL;
	g_autoptr (FakePeer) f2 = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) resp = hex_to_bytes ("9000");
	Fixture fx = {0};

	fixture_setup (&fx, keys);
	set_present (&fx, TRUE);
	f = fake_accept (l);
	fake_send (f, "a0f2000016");
	expect_command (&fx, "a0f2000016");
	set_present (&fx, FALSE);
	fake_expect_closed (f);
	g_assert_false (remsim_card_sink_deliver_response (fx.sink, resp, &error));
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL);

	/* back: a fresh start */
	set_present (&fx, TRUE);
	f2 = fake_accept (l);
	fake_send (f2, "a0f2000016");
	expect_command (&fx, "a0f2000016");
	respond (&fx, "9000");
	fake_expect (f2, "9000");
	fixture_teardown (&fx);
}

/* the vpcd goes away (pcscd restarted): the sink comes back by itself */
static void
test_vpcd_restart (void)
{
	g_autoptr (FakeListener) l = listener_new (0);
	g_autofree gchar *keys = keys_connect (l->port, "reconnect-interval-ms=50\n");
	g_autoptr (FakePeer) f = NULL;
	g_autoptr (FakePeer) f2 = NULL;
	g_autoptr (FakePeer) f3 = NULL;
	guint16 port = l->port;
	Fixture fx = {0};

	fixture_setup (&fx, keys);
	set_atr (&fx, TEST_ATR);
	set_present (&fx, TRUE);
	f = fake_accept (l);
	fake_send (f, "04");
	fake_expect (f, TEST_ATR);

	/* the vpcd closes the connection but keeps listening */
	fake_close (f);
	f2 = fake_accept (l);
	fake_send (f2, "04");
	fake_expect (f2, TEST_ATR);

	/* pcscd goes away entirely, mid-command; comes back 600 ms later */
	fake_send (f2, "a0f2000016");
	expect_command (&fx, "a0f2000016");
	fake_close (f2);
	g_clear_pointer (&l, listener_free);
	spin (600); /* several failed attempts, with backoff */
	g_assert_false (sink_connected (&fx));
	l = listener_new (port);
	f3 = fake_accept (l);
	g_assert_true (sink_connected (&fx));
	/* the response to the command of the old connection is dropped */
	respond (&fx, "9000");
	fake_send (f3, "04");
	fake_expect (f3, TEST_ATR);
	fake_send (f3, "a0f2000017");
	expect_command (&fx, "a0f2000017");
	respond (&fx, "9100");
	fake_expect (f3, "9100");
	fixture_teardown (&fx);
}

/* no response in time: 6f00, the late response is dropped; a second
 * timeout shows the card anew */
static void
test_timeout (void)
{
	g_autoptr (FakeListener) l = listener_new (0);
	g_autofree gchar *keys =
	    keys_connect (l->port, "timeout-ms=200\nreconnect-interval-ms=50\n");
	g_autoptr (FakePeer) f = NULL;
	g_autoptr (FakePeer) f2 = NULL;
	gint64 t0;
	Fixture fx = {0};

	fixture_setup (&fx, keys);
	set_present (&fx, TRUE);
	f = fake_accept (l);

	t0 = g_get_monotonic_time ();
	g_test_expect_message ("remsim-vicc", G_LOG_LEVEL_WARNING, "*no response within 200 ms*");
	fake_send (f,
		   "a088000010"
		   "00112233445566778899aabbccddeeff");
	expect_command (&fx,
			"a088000010"
			"00112233445566778899aabbccddeeff");
	fake_expect (f, "6f00");
	g_assert_cmpint (g_get_monotonic_time () - t0, >=, 190 * 1000);
	g_test_assert_expected_messages ();

	/* the next command waits for the late response ... */
	fake_send (f, "a0c000000c");
	fake_expect_nothing (f, 100);
	g_assert_cmpuint (fx.commands->len, ==, 0);
	/* ... which is dropped; then the command goes out */
	respond (&fx, "9f0c");
	expect_command (&fx, "a0c000000c");
	respond (&fx, "0102030405060708090a0b0c9000");
	fake_expect (f, "0102030405060708090a0b0c9000");

	/* the remote side is lost: two timeouts in a row */
	g_test_expect_message ("remsim-vicc", G_LOG_LEVEL_WARNING, "*no response within 200 ms*");
	fake_send (f, "a0f2000016");
	expect_command (&fx, "a0f2000016");
	fake_expect (f, "6f00");
	g_test_assert_expected_messages ();
	g_test_expect_message ("remsim-vicc", G_LOG_LEVEL_WARNING, "*still no response*");
	fake_send_many (f, "a0f2000016", "04", NULL);
	fake_expect (f, "6f00");
	g_assert_cmpuint (fx.commands->len, ==, 0);
	fake_expect_closed (f);
	g_test_assert_expected_messages ();
	/* and the card is shown again, with nothing stale */
	f2 = fake_accept (l);
	fake_send (f2, "a0f2000016");
	expect_command (&fx, "a0f2000016");
	respond (&fx, "9000");
	fake_expect (f2, "9000");
	fixture_teardown (&fx);
}

/* a new ATR while shown: a new card for pcscd (it reads ATRs at power up) */
static void
test_atr_change (void)
{
	g_autoptr (FakeListener) l = listener_new (0);
	g_autofree gchar *keys = keys_connect (l->port, "reconnect-interval-ms=50\n");
	g_autoptr (FakePeer) f = NULL;
	g_autoptr (FakePeer) f2 = NULL;
	Fixture fx = {0};

	fixture_setup (&fx, keys);
	set_atr (&fx, TEST_ATR);
	set_present (&fx, TRUE);
	f = fake_accept (l);
	fake_send (f, "04");
	fake_expect (f, TEST_ATR);
	set_atr (&fx, TEST_ATR); /* the same: nothing happens */
	fake_send (f, "04");
	fake_expect (f, TEST_ATR);
	set_atr (&fx, "3b00");
	fake_expect_closed (f);
	f2 = fake_accept (l);
	fake_send (f2, "04");
	fake_expect (f2, "3b00");
	fixture_teardown (&fx);
}

/* reversed mode: the vpcd connects; the port is open only with a card */
static void
test_listen (void)
{
	g_autoptr (FakePeer) f = NULL;
	g_autoptr (FakePeer) f2 = NULL;
	g_autoptr (FakePeer) f3 = NULL;
	g_autoptr (GError) error = NULL;
	guint16 port;
	Fixture fx = {0};

	fixture_setup (&fx, "listen=127.0.0.1:0\n");
	g_assert_cmpuint (sink_port (&fx), ==, 0);
	set_atr (&fx, TEST_ATR);
	set_present (&fx, TRUE);
	port = sink_port (&fx);
	g_assert_cmpuint (port, >, 0);
	f = fake_connect (port, &error);
	g_assert_no_error (error);
	fake_send (f, "04");
	fake_expect (f, TEST_ATR);
	g_assert_true (sink_connected (&fx));

	/* a second vpcd is refused */
	g_test_expect_message ("remsim-vicc", G_LOG_LEVEL_WARNING, "*refusing a second vpcd*");
	f2 = fake_connect (port, &error);
	g_assert_no_error (error);
	fake_expect_closed (f2);
	g_test_assert_expected_messages ();
	g_clear_pointer (&f2, fake_free);

	fake_send (f, "a0f2000016");
	expect_command (&fx, "a0f2000016");
	respond (&fx, "9000");
	fake_expect (f, "9000");

	/* the vpcd goes and comes back */
	fake_close (f);
	g_clear_pointer (&f, fake_free);
	spin (100);
	g_assert_false (sink_connected (&fx));
	f = fake_connect (port, &error);
	g_assert_no_error (error);
	fake_send (f, "04");
	fake_expect (f, TEST_ATR);

	/* no card: closed, and nobody listens */
	set_present (&fx, FALSE);
	fake_expect_closed (f);
	f2 = fake_connect (port, &error);
	g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
	g_assert_null (f2);
	g_clear_error (&error);

	/* a card again: the same port */
	set_present (&fx, TRUE);
	g_assert_cmpuint (sink_port (&fx), ==, port);
	f3 = fake_connect (port, &error);
	g_assert_no_error (error);
	fake_send (f3, "04");
	fake_expect (f3, TEST_ATR);
	fixture_teardown (&fx);
}

/* nothing happens before start() and after stop() */
static void
test_start_stop (void)
{
	g_autoptr (FakeListener) l = listener_new (0);
	g_autofree gchar *keys = keys_connect (l->port, "reconnect-interval-ms=50\n");
	g_autoptr (RemsimPlugins) plugins = remsim_plugins_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimCardSink) sink = create_sink (plugins, keys, 0, &error);
	g_autoptr (FakePeer) f = NULL;
	g_autoptr (FakePeer) f2 = NULL;

	g_assert_no_error (error);
	g_assert_true (remsim_card_sink_set_card_present (sink, TRUE, &error));
	g_assert_null (listener_accept (l, 200));
	g_assert_true (remsim_card_sink_start (sink, &error));
	f = fake_accept (l);
	remsim_card_sink_stop (sink);
	fake_expect_closed (f);
	g_assert_null (listener_accept (l, 200));
	/* restartable */
	g_assert_true (remsim_card_sink_start (sink, &error));
	f2 = fake_accept (l);
	remsim_card_sink_stop (sink);
	fake_expect_closed (f2);
}

/* dropping the sink while everything is under way */
static void
test_dispose_busy (void)
{
	g_autoptr (FakeListener) l = listener_new (0);
	g_autofree gchar *keys = keys_connect (l->port, NULL);
	g_autoptr (FakePeer) f = NULL;
	Fixture fx = {0};

	fixture_setup (&fx, keys);
	set_present (&fx, TRUE);
	f = fake_accept (l);
	fake_send_many (f, "a0f2000016", "04", "a0f2000016", NULL);
	expect_command (&fx, "a0f2000016");
	g_clear_object (&fx.sink);
	fake_expect_closed (f);
	spin (50);
	fixture_teardown (&fx);

	/* and while connecting to a port nobody listens on */
	{
		g_autoptr (FakeListener) l2 = listener_new (0);
		guint16 port = l2->port;
		g_autofree gchar *keys2 = NULL;

		g_clear_pointer (&l2, listener_free);
		keys2 = keys_connect (port, "reconnect-interval-ms=10\n");
		fixture_setup (&fx, keys2);
		set_present (&fx, TRUE);
		spin (100);
		g_clear_object (&fx.sink);
		spin (50);
		fixture_teardown (&fx);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/remsim/vicc-sink/keys", test_keys);
	g_test_add_func ("/remsim/vicc-sink/presence", test_presence);
	g_test_add_func ("/remsim/vicc-sink/apdu", test_apdu);
	g_test_add_func ("/remsim/vicc-sink/queue", test_queue);
	g_test_add_func ("/remsim/vicc-sink/power", test_power);
	g_test_add_func ("/remsim/vicc-sink/removed-mid-command", test_removed_mid_command);
	g_test_add_func ("/remsim/vicc-sink/vpcd-restart", test_vpcd_restart);
	g_test_add_func ("/remsim/vicc-sink/timeout", test_timeout);
	g_test_add_func ("/remsim/vicc-sink/atr-change", test_atr_change);
	g_test_add_func ("/remsim/vicc-sink/listen", test_listen);
	g_test_add_func ("/remsim/vicc-sink/start-stop", test_start_stop);
	g_test_add_func ("/remsim/vicc-sink/dispose-busy", test_dispose_busy);
	return g_test_run ();
}
