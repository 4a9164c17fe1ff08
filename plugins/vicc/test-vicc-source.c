/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimViccSource through the plugin loader, against a scripted fake vicc
 * on a real loopback socket. The fake runs on the test's main context: it
 * waits for bytes by iterating the loop, so the source under test keeps
 * running while the test "blocks".
 */
#include "config.h"

#include <string.h>

#include "remsim-plugin-api.h"
#include "remsim-plugins.h"
#include "remsim-vicc-proto.h"
#include "test-vicc-fake.h"

#define TEST_ATR "3b9f96801fc78031a073be21136743200718000001a5"

/* a fake vicc connected to the source */
static FakePeer *
vicc_connect (guint16 port)
{
	g_autoptr (GError) error = NULL;
	FakePeer *f = fake_connect (port, &error);

	g_assert_no_error (error);
	return f;
}

/* the source under test --------------------------------------------------- */

typedef struct {
	RemsimPlugins *plugins;
	RemsimCardSource *source;
	guint changed_count;
	gboolean last_present;
	gboolean changed;
} Fixture;

static void
card_changed_cb (RemsimCardSource *source, gboolean present, gpointer user_data)
{
	Fixture *fx = user_data;

	fx->changed_count++;
	fx->last_present = present;
	fx->changed = TRUE;
	g_assert_cmpint (remsim_card_source_is_card_present (source), ==, present);
}

static RemsimCardSource *
create_source (Fixture *fx, const gchar *keys, guint slot, GError **error)
{
	g_autoptr (GKeyFile) kf = g_key_file_new ();
	g_autofree gchar *data = g_strdup_printf ("[source:t]\nplugin=vicc\n%s", keys);

	g_assert_true (g_key_file_load_from_data (kf, data, -1, G_KEY_FILE_NONE, NULL));
	return remsim_plugins_create_card_source (fx->plugins, kf, "source:t", slot, error);
}

static void
fixture_setup (Fixture *fx, const gchar *keys)
{
	g_autoptr (GError) error = NULL;

	fx->plugins = remsim_plugins_new ();
	fx->source = create_source (fx, keys, 0, &error);
	g_assert_no_error (error);
	g_assert_nonnull (fx->source);
	g_signal_connect (fx->source, "card-changed", G_CALLBACK (card_changed_cb), fx);
}

static void
fixture_teardown (Fixture *fx)
{
	g_clear_object (&fx->source);
	g_clear_object (&fx->plugins);
}

static guint16
source_port (Fixture *fx)
{
	guint port = 0;

	g_object_get (fx->source, "port", &port, NULL);
	g_assert_cmpuint (port, >, 0);
	return (guint16)port;
}

/* wait for "card-changed" with @present (clear fx->changed before the
 * action that causes it) */
static void
expect_changed (Fixture *fx, gboolean present)
{
	g_assert_true (wait_for (&fx->changed, TEST_WAIT));
	g_assert_cmpint (fx->last_present, ==, present);
}

/* connect a fake vicc and answer the presence check */
static FakePeer *
plug_card (Fixture *fx, const gchar *atr)
{
	FakePeer *f = vicc_connect (source_port (fx));

	fx->changed = FALSE;
	fake_expect (f, "04");
	fake_send (f, atr);
	g_assert_true (wait_for (&fx->changed, TEST_WAIT));
	g_assert_true (fx->last_present);
	g_assert_true (remsim_card_source_is_card_present (fx->source));
	return f;
}

typedef enum { CALL_POWER_ON, CALL_RESET, CALL_TRANSMIT } CallKind;

typedef struct {
	CallKind kind;
	gboolean done;
	GBytes *result;
	GError *error;
} Call;

static void
call_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
	Call *c = user_data;
	RemsimCardSource *source = REMSIM_CARD_SOURCE (object);

	switch (c->kind) {
	case CALL_POWER_ON:
		c->result = remsim_card_source_power_on_finish (source, res, &c->error);
		break;
	case CALL_RESET:
		c->result = remsim_card_source_reset_finish (source, res, &c->error);
		break;
	case CALL_TRANSMIT:
		c->result = remsim_card_source_transmit_finish (source, res, &c->error);
		break;
	}
	g_assert_true ((c->result == NULL) != (c->error == NULL));
	c->done = TRUE;
}

static Call *
call_new (CallKind kind)
{
	Call *c = g_new0 (Call, 1);

	c->kind = kind;
	return c;
}

static void
call_free (Call *c)
{
	g_clear_pointer (&c->result, g_bytes_unref);
	g_clear_error (&c->error);
	g_free (c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

static Call *
start_power_on (Fixture *fx, GCancellable *cancellable)
{
	Call *c = call_new (CALL_POWER_ON);

	remsim_card_source_power_on_async (fx->source, cancellable, call_cb, c);
	return c;
}

static Call *
start_reset (Fixture *fx, gboolean cold)
{
	Call *c = call_new (CALL_RESET);

	remsim_card_source_reset_async (fx->source, cold, NULL, call_cb, c);
	return c;
}

static Call *
start_transmit (Fixture *fx, const gchar *hex, GCancellable *cancellable)
{
	Call *c = call_new (CALL_TRANSMIT);
	g_autoptr (GBytes) tpdu = hex_to_bytes (hex);

	remsim_card_source_transmit_async (fx->source, tpdu, cancellable, call_cb, c);
	return c;
}

static void
call_wait (Call *c)
{
	g_assert_true (wait_for (&c->done, TEST_WAIT));
}

static void
call_expect (Call *c, const gchar *hex)
{
	g_autofree gchar *got = NULL;

	call_wait (c);
	g_assert_no_error (c->error);
	got = bytes_to_hex (c->result);
	g_assert_cmpstr (got, ==, hex);
}

static void
call_expect_error (Call *c, GQuark domain, gint code)
{
	call_wait (c);
	g_assert_error (c->error, domain, code);
}

/* power on a plugged card */
static void
power_on (Fixture *fx, FakePeer *f)
{
	g_autoptr (Call) c = start_power_on (fx, NULL);

	fake_expect (f, "01");
	fake_expect (f, "04");
	fake_send (f, TEST_ATR);
	call_expect (c, TEST_ATR);
}

/* tests -------------------------------------------------------------------- */

static void
test_proto (void)
{
	g_autoptr (GByteArray) wire = g_byte_array_new ();
	const guint8 apdu[] = {0x00, 0xa4, 0x00, 0x0c, 0x02, 0x3f, 0x00};
	gsize plen = 0;
	guint low = 0;

	remsim_vicc_frame_append_ctrl (wire, REMSIM_VICC_CTRL_ATR);
	remsim_vicc_frame_append (wire, apdu, sizeof (apdu));
	g_assert_cmpuint (wire->len, ==, 3 + 2 + sizeof (apdu));
	g_assert_cmpmem (wire->data, 3, "\x00\x01\x04", 3);
	g_assert_cmpuint (remsim_vicc_frame_peek (wire->data, 1, &plen), ==, 0);
	g_assert_cmpuint (remsim_vicc_frame_peek (wire->data, wire->len, &plen), ==, 3);
	g_assert_cmpuint (plen, ==, 1);
	g_assert_cmpuint (remsim_vicc_frame_peek (wire->data + 3, 5, &plen), ==, 0);
	g_assert_cmpuint (plen, ==, sizeof (apdu));
	g_assert_cmpuint (remsim_vicc_frame_peek (wire->data + 3, wire->len - 3, NULL), ==, 9);

	g_assert_true (remsim_vicc_slots_lowest ("4-7", &low));
	g_assert_cmpuint (low, ==, 4);
	g_assert_true (remsim_vicc_slots_lowest ("9; 2-3", &low));
	g_assert_cmpuint (low, ==, 2);
	g_assert_false (remsim_vicc_slots_lowest ("", &low));
	g_assert_false (remsim_vicc_slots_lowest ("3-1", &low));
	g_assert_false (remsim_vicc_slots_lowest ("a", &low));
}

static void
test_keys (void)
{
	Fixture fx = {0};
	const struct {
		const gchar *keys;
		GQuark domain;
		gint code;
	} bad[] = {
	    {"flavour=x\n", REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_UNKNOWN_KEY},
	    {"listen=127.0.0.1:0\nconnect=127.0.0.1:1\n",
	     REMSIM_CONFIG_ERROR,
	     REMSIM_CONFIG_ERROR_INVALID_VALUE},
	    {"listen=127.0.0.1:0\ntimeout-ms=soon\n",
	     REMSIM_CONFIG_ERROR,
	     REMSIM_CONFIG_ERROR_INVALID_VALUE},
	    {"listen=127.0.0.1:0\ntimeout-ms=0\n",
	     REMSIM_CONFIG_ERROR,
	     REMSIM_CONFIG_ERROR_INVALID_VALUE},
	    {"listen=vicc.example:0\n", REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE},
	    {"listen=127.0.0.1:99999\n", REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE},
	    {"connect=127.0.0.1:0\n", REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE},
	    {"slots=x\nlisten=127.0.0.1:4000\n",
	     REMSIM_CONFIG_ERROR,
	     REMSIM_CONFIG_ERROR_INVALID_VALUE},
	};

	fx.plugins = remsim_plugins_new ();
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (RemsimCardSource) source = create_source (&fx, bad[i].keys, 0, &error);

		g_test_message ("keys: %s", bad[i].keys);
		g_assert_null (source);
		g_assert_error (error, bad[i].domain, bad[i].code);
	}
	fixture_teardown (&fx);
}

/* listen=ADDR:P serves slot s on P + (s - lowest slot of the group) */
static gboolean
try_port_rule (guint16 base)
{
	Fixture fx = {0};
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimCardSource) s4 = NULL;
	g_autoptr (RemsimCardSource) s6 = NULL;
	g_autofree gchar *keys = NULL;
	guint port = 0;

	fx.plugins = remsim_plugins_new ();
	keys = g_strdup_printf ("slots=4-7\nlisten=127.0.0.1:%u\n", base);
	s4 = create_source (&fx, keys, 4, &error);
	if (s4 != NULL)
		s6 = create_source (&fx, keys, 6, &error);
	if (error != NULL && g_strrstr (error->message, "already in use") != NULL) {
		/* another test took one of the ports meanwhile */
		g_test_message ("%s; trying other ports", error->message);
		fixture_teardown (&fx);
		return FALSE;
	}
	g_assert_no_error (error);
	g_object_get (s4, "port", &port, NULL);
	g_assert_cmpuint (port, ==, base);
	g_object_get (s6, "port", &port, NULL);
	g_assert_cmpuint (port, ==, base + 2);
	fixture_teardown (&fx);
	return TRUE;
}

static void
test_port_rule (void)
{
	for (guint attempt = 0; attempt < 20; attempt++) {
		g_autoptr (GSocketListener) probe = g_socket_listener_new ();
		g_autoptr (GError) error = NULL;
		guint16 base;

		/* a port that was free a moment ago */
		base = g_socket_listener_add_any_inet_port (probe, NULL, &error);
		g_assert_no_error (error);
		g_socket_listener_close (probe);
		if (base > 65000)
			continue;
		if (try_port_rule (base))
			return;
	}
	g_assert_not_reached ();
}

static void
test_session (void)
{
	Fixture fx = {0};
	g_autoptr (FakePeer) f = NULL;
	g_autoptr (GBytes) atr = NULL;

	fixture_setup (&fx, "listen=127.0.0.1:0\n");
	g_assert_false (remsim_card_source_is_card_present (fx.source));
	{
		g_autoptr (Call) c = start_power_on (&fx, NULL);

		call_expect_error (c, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT);
	}

	f = plug_card (&fx, TEST_ATR);
	g_assert_null (remsim_card_source_get_atr (fx.source));
	power_on (&fx, f);
	atr = remsim_card_source_get_atr (fx.source);
	g_assert_nonnull (atr);
	{
		g_autoptr (Call) c = start_transmit (&fx, "00a4000c023f00", NULL);

		fake_expect (f, "00a4000c023f00");
		fake_send (f, "9000");
		call_expect (c, "9000");
	}
	{
		g_autoptr (Call) c = start_transmit (&fx, "0084000008", NULL);

		fake_expect (f, "0084000008");
		fake_send (f, "01020304050607089000");
		call_expect (c, "01020304050607089000");
	}
	{
		g_autoptr (Call) c = start_reset (&fx, FALSE);

		fake_expect (f, "02");
		fake_expect (f, "04");
		fake_send (f, "3b00");
		call_expect (c, "3b00");
	}
	{
		g_autoptr (Call) c = start_reset (&fx, TRUE);

		fake_expect (f, "00");
		fake_expect (f, "01");
		fake_expect (f, "04");
		fake_send (f, TEST_ATR);
		call_expect (c, TEST_ATR);
	}
	{
		/* a 1-byte payload would be a control code */
		g_autoptr (Call) c = start_transmit (&fx, "00", NULL);

		call_expect_error (c, REMSIM_ERROR, REMSIM_ERROR_INVALID_ARGUMENT);
	}
	g_assert_true (remsim_card_source_power_off (fx.source, NULL));
	fake_expect (f, "00");
	g_assert_null (remsim_card_source_get_atr (fx.source));
	g_assert_cmpuint (fx.changed_count, ==, 1);

	/* dropping the source closes the connection */
	g_clear_object (&fx.source);
	fake_expect_closed (f);
	fixture_teardown (&fx);
}

static void
test_disconnect_mid_apdu (void)
{
	Fixture fx = {0};
	g_autoptr (FakePeer) f = NULL;
	g_autoptr (FakePeer) f2 = NULL;

	fixture_setup (&fx, "listen=127.0.0.1:0\n");
	f = plug_card (&fx, TEST_ATR);
	power_on (&fx, f);
	{
		g_autoptr (Call) c = start_transmit (&fx, "a0f2000016", NULL);

		fake_expect (f, "a0f2000016");
		fx.changed = FALSE;
		fake_close (f);
		call_expect_error (c, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT);
		g_assert_nonnull (
		    strstr (c->error->message, "slot 0: card removed during transmit"));
		g_assert_true (wait_for (&fx.changed, TEST_WAIT));
		g_assert_false (fx.last_present);
		g_assert_false (remsim_card_source_is_card_present (fx.source));
		g_assert_null (remsim_card_source_get_atr (fx.source));
	}
	{
		g_autoptr (Call) c = start_transmit (&fx, "a0f2000016", NULL);

		call_expect_error (c, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT);
	}

	/* the vicc comes back: so does the card */
	f2 = plug_card (&fx, TEST_ATR);
	power_on (&fx, f2);
	{
		g_autoptr (Call) c = start_transmit (&fx, "a0f2000016", NULL);

		fake_expect (f2, "a0f2000016");
		fake_send (f2, "9f17");
		call_expect (c, "9f17");
	}
	g_assert_cmpuint (fx.changed_count, ==, 3);
	fixture_teardown (&fx);
}

static void
test_timeout (void)
{
	Fixture fx = {0};
	g_autoptr (FakePeer) f = NULL;

	fixture_setup (&fx, "listen=127.0.0.1:0\ntimeout-ms=200\n");
	f = plug_card (&fx, TEST_ATR);
	power_on (&fx, f);
	{
		g_autoptr (Call) c = start_transmit (&fx, "0088000010", NULL);

		fake_expect (f, "0088000010");
		fx.changed = FALSE;
		g_test_expect_message (
		    "remsim-vicc", G_LOG_LEVEL_WARNING, "*no answer from the vicc*");
		call_expect_error (c, REMSIM_ERROR, REMSIM_ERROR_TIMED_OUT);
		g_test_assert_expected_messages ();
		g_assert_true (wait_for (&fx.changed, TEST_WAIT));
		g_assert_false (fx.last_present);
	}
	fake_expect_closed (f);
	fixture_teardown (&fx);
}

static void
test_malformed (void)
{
	Fixture fx = {0};
	g_autoptr (FakePeer) f = NULL;
	g_autoptr (FakePeer) f2 = NULL;
	g_autoptr (FakePeer) f3 = NULL;
	g_autoptr (FakePeer) f4 = NULL;
	g_autoptr (FakePeer) f5 = NULL;
	g_autoptr (GString) long_atr = g_string_new ("3b");

	fixture_setup (&fx, "listen=127.0.0.1:0\n");
	f = plug_card (&fx, TEST_ATR);

	/* an ATR longer than pcscd's 33 bytes */
	for (guint i = 0; i < 39; i++)
		g_string_append (long_atr, "00");
	{
		g_autoptr (Call) c = start_power_on (&fx, NULL);

		fake_expect (f, "01");
		fake_expect (f, "04");
		fake_send (f, long_atr->str);
		call_expect_error (c, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL);
	}
	power_on (&fx, f);

	/* a response without a status word: an error, the card stays */
	{
		g_autoptr (Call) c = start_transmit (&fx, "00b0000001", NULL);

		fake_expect (f, "00b0000001");
		fake_send (f, "90");
		call_expect_error (c, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL);
	}
	{
		g_autoptr (Call) c = start_transmit (&fx, "00b0000001", NULL);

		fake_expect (f, "00b0000001");
		fake_send (f, "419000");
		call_expect (c, "419000");
	}

	/* an empty reply: "no card" */
	{
		g_autoptr (Call) c = start_transmit (&fx, "00b0000001", NULL);

		fake_expect (f, "00b0000001");
		fx.changed = FALSE;
		fake_send_raw (f, (const guint8 *)"\x00\x00", 2);
		call_expect_error (c, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT);
		g_assert_true (wait_for (&fx.changed, TEST_WAIT));
		g_assert_false (fx.last_present);
		fake_expect_closed (f);
	}

	/* a message announcing 300 bytes, 10 of them sent, then gone */
	f2 = plug_card (&fx, TEST_ATR);
	{
		g_autoptr (Call) c = start_transmit (&fx, "00b000002c", NULL);
		const guint8 partial[] = {0x01, 0x2c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

		fake_expect (f2, "00b000002c");
		fx.changed = FALSE;
		fake_send_raw (f2, partial, sizeof (partial));
		fake_close (f2);
		call_expect_error (c, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT);
		expect_changed (&fx, FALSE);
	}

	/* a message nobody asked for */
	f3 = plug_card (&fx, TEST_ATR);
	fx.changed = FALSE;
	g_test_expect_message ("remsim-vicc", G_LOG_LEVEL_WARNING, "*unsolicited message*");
	fake_send (f3, "9000");
	g_assert_true (wait_for (&fx.changed, TEST_WAIT));
	g_test_assert_expected_messages ();
	g_assert_false (fx.last_present);
	fake_expect_closed (f3);

	/* an empty ATR in the presence check: no card, connection dropped */
	f4 = vicc_connect (source_port (&fx));
	fake_expect (f4, "04");
	fake_send_raw (f4, (const guint8 *)"\x00\x00", 2);
	fake_expect_closed (f4);
	g_assert_false (remsim_card_source_is_card_present (fx.source));

	/* a large message split in pieces arrives whole */
	f5 = plug_card (&fx, TEST_ATR);
	{
		g_autoptr (Call) c = start_transmit (&fx, "00b0000000", NULL);
		g_autoptr (GByteArray) wire = g_byte_array_new ();
		g_autoptr (GString) hex = g_string_new (NULL);
		guint8 rsp[1002];

		for (guint i = 0; i < sizeof (rsp); i++) {
			rsp[i] = (guint8)i;
			g_string_append_printf (hex, "%02x", rsp[i]);
		}
		remsim_vicc_frame_append (wire, rsp, sizeof (rsp));
		fake_expect (f5, "00b0000000");
		fake_send_raw (f5, wire->data, 1);
		fake_send_raw (f5, wire->data + 1, 600);
		fake_send_raw (f5, wire->data + 601, wire->len - 601);
		call_expect (c, hex->str);
	}
	fixture_teardown (&fx);
}

static void
test_cancel (void)
{
	Fixture fx = {0};
	g_autoptr (FakePeer) f = NULL;

	fixture_setup (&fx, "listen=127.0.0.1:0\n");
	f = plug_card (&fx, TEST_ATR);
	power_on (&fx, f);
	{
		g_autoptr (GCancellable) cancellable = g_cancellable_new ();
		g_autoptr (Call) c = start_transmit (&fx, "0088000010", cancellable);
		g_autoptr (Call) c2 = NULL;

		/* cancelled while the vicc works on it: completes at once */
		fake_expect (f, "0088000010");
		g_cancellable_cancel (cancellable);
		call_expect_error (c, G_IO_ERROR, G_IO_ERROR_CANCELLED);

		/* the late answer is dropped, not given to the next command */
		c2 = start_transmit (&fx, "00a4000c023f00", NULL);
		fake_send (f, "01020304050607080910111213141516179000");
		fake_expect (f, "00a4000c023f00");
		fake_send (f, "6a82");
		call_expect (c2, "6a82");
	}
	{
		/* cancelled before it was sent: never reaches the vicc */
		g_autoptr (GCancellable) cancellable = g_cancellable_new ();
		g_autoptr (Call) a = start_transmit (&fx, "00b0000001", NULL);
		g_autoptr (Call) b = start_transmit (&fx, "00b0000002", cancellable);
		g_autoptr (Call) c = NULL;

		g_cancellable_cancel (cancellable);
		call_expect_error (b, G_IO_ERROR, G_IO_ERROR_CANCELLED);
		fake_expect (f, "00b0000001");
		fake_send (f, "419000");
		call_expect (a, "419000");
		c = start_transmit (&fx, "00b0000003", NULL);
		fake_expect (f, "00b0000003");
		fake_send (f, "42439000");
		call_expect (c, "42439000");
	}
	{
		/* already cancelled */
		g_autoptr (GCancellable) cancellable = g_cancellable_new ();
		g_autoptr (Call) c = NULL;

		g_cancellable_cancel (cancellable);
		c = start_transmit (&fx, "00b0000001", cancellable);
		call_expect_error (c, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	}
	{
		/* an orphaned request when the source goes away */
		g_autoptr (GCancellable) cancellable = g_cancellable_new ();
		g_autoptr (Call) c = start_transmit (&fx, "00b0000001", cancellable);

		fake_expect (f, "00b0000001");
		g_cancellable_cancel (cancellable);
		call_expect_error (c, G_IO_ERROR, G_IO_ERROR_CANCELLED);
		g_clear_object (&fx.source);
		fake_expect_closed (f);
	}
	fixture_teardown (&fx);
}

static void
test_second_vicc (void)
{
	Fixture fx = {0};
	g_autoptr (FakePeer) f = NULL;
	g_autoptr (FakePeer) f2 = NULL;

	fixture_setup (&fx, "listen=127.0.0.1:0\n");
	f = plug_card (&fx, TEST_ATR);
	g_test_expect_message ("remsim-vicc", G_LOG_LEVEL_WARNING, "*refusing a second vicc*");
	f2 = vicc_connect (source_port (&fx));
	fake_expect_closed (f2);
	g_test_assert_expected_messages ();
	power_on (&fx, f);
	g_assert_cmpuint (fx.changed_count, ==, 1);
	fixture_teardown (&fx);
}

typedef struct {
	gboolean done;
	GSocketConnection *conn;
} Accept;

static void
accept_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
	Accept *a = user_data;
	g_autoptr (GError) error = NULL;

	a->conn = g_socket_listener_accept_finish (G_SOCKET_LISTENER (object), res, NULL, &error);
	g_assert_no_error (error);
	a->done = TRUE;
}

static FakePeer *
accept_vicc (GSocketListener *listener)
{
	Accept a = {0};

	g_socket_listener_accept_async (listener, NULL, accept_cb, &a);
	g_assert_true (wait_for (&a.done, TEST_WAIT));
	return fake_new (a.conn);
}

/* reversed mode: we connect to a listening vicc, and again when it goes */
static void
test_reversed (void)
{
	Fixture fx = {0};
	g_autoptr (GSocketListener) listener = g_socket_listener_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (FakePeer) f = NULL;
	g_autoptr (FakePeer) f2 = NULL;
	g_autofree gchar *keys = NULL;
	g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
	g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
	g_autoptr (GSocketAddress) bound = NULL;
	guint16 port;

	/* learn a free port, close it: the source must retry until we listen */
	g_assert_true (g_socket_listener_add_address (
	    listener, addr, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
	g_assert_no_error (error);
	port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
	g_socket_listener_close (listener);
	g_clear_object (&listener);

	keys = g_strdup_printf ("connect=127.0.0.1:%u\nreconnect-interval-ms=20\n", port);
	fixture_setup (&fx, keys);
	g_assert_cmpuint (source_port (&fx), ==, port);
	{
		g_autoptr (Call) c = start_power_on (&fx, NULL);

		call_expect_error (c, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT);
	}
	g_clear_object (&addr);
	addr = g_inet_socket_address_new (lo, port);
	listener = g_socket_listener_new ();
	g_assert_true (g_socket_listener_add_address (
	    listener, addr, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error));
	g_assert_no_error (error);

	fx.changed = FALSE;
	f = accept_vicc (listener);
	fake_expect (f, "04");
	fake_send (f, TEST_ATR);
	expect_changed (&fx, TRUE);
	power_on (&fx, f);
	{
		g_autoptr (Call) c = start_transmit (&fx, "00a4000c023f00", NULL);

		fake_expect (f, "00a4000c023f00");
		fake_send (f, "9000");
		call_expect (c, "9000");
	}
	fx.changed = FALSE;
	fake_close (f);
	expect_changed (&fx, FALSE);

	fx.changed = FALSE;
	f2 = accept_vicc (listener);
	fake_expect (f2, "04");
	fake_send (f2, TEST_ATR);
	expect_changed (&fx, TRUE);
	power_on (&fx, f2);
	fixture_teardown (&fx);
	fake_expect_closed (f2);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/remsim/vicc-source/proto", test_proto);
	g_test_add_func ("/remsim/vicc-source/keys", test_keys);
	g_test_add_func ("/remsim/vicc-source/port-rule", test_port_rule);
	g_test_add_func ("/remsim/vicc-source/session", test_session);
	g_test_add_func ("/remsim/vicc-source/disconnect-mid-apdu", test_disconnect_mid_apdu);
	g_test_add_func ("/remsim/vicc-source/timeout", test_timeout);
	g_test_add_func ("/remsim/vicc-source/malformed", test_malformed);
	g_test_add_func ("/remsim/vicc-source/cancel", test_cancel);
	g_test_add_func ("/remsim/vicc-source/second-vicc", test_second_vicc);
	g_test_add_func ("/remsim/vicc-source/reversed", test_reversed);
	return g_test_run ();
}
