/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Integration tests of remsim-bankd: the real remsim-server and
 * remsim-bankd (with the in-memory testcard plugin, through a keyfile) on
 * free loopback ports, the mappings made over the server's REST API, and a
 * scripted RSPRO peer in the role of the client.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "remsim-test-roles.h"

#define API "/api/backend/v1"

/* the testcard's default ATR (tests/plugins/remsim-testcard-source.c) */
static const guint8 testcard_atr[] = {0x3b, 0x9f, 0x96, 0x80, 0x1f, 0xc7, 0x80, 0x31,
				      0xa0, 0x73, 0xbe, 0x21, 0x13, 0x67, 0x43, 0x20,
				      0x07, 0x18, 0x00, 0x00, 0x01, 0xa5};
/* the ATR configured for slot 1 */
static const guint8 slot1_atr[] = {0x3b, 0x02, 0x14, 0x50};

#define NUM_SLOTS 4

typedef struct {
	gchar *tmpdir;
	gchar *state_file;
	guint16 rspro_port;
	guint16 rest_port;
	guint16 bankd_port;
	gchar *rest_base;
	RemsimTestProc *server;
	guint n_server_starts;
	RemsimTestProc *bankd;
	gchar *bankd_conf;
} Fixture;

/* ---- processes ---- */

static void
server_start (Fixture *f)
{
	g_autofree gchar *log = NULL;

	f->n_server_starts++;
	log = g_strdup_printf ("%s/server-%u.log", f->tmpdir, f->n_server_starts);
	f->server =
	    remsim_test_server_spawn (f->rspro_port, f->rest_port, f->state_file, NULL, log);
}

/* the usual bankd: 4 slots of testcards, slot 1 with its own ATR, slot 3
 * without a card; a short identify timeout and a retry interval long
 * enough that a test passing in time proves the bankd reacted at once */
static void
bankd_start (Fixture *f)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *log = g_build_filename (f->tmpdir, "bankd.log", NULL);
	g_autofree gchar *conf = g_strdup_printf ("[bankd]\n"
						  "bank-id=1\n"
						  "num-slots=%u\n"
						  "server=127.0.0.1:%u\n"
						  "listen=127.0.0.1:%u\n"
						  "identify-timeout-ms=300\n"
						  "retry-interval-ms=60000\n"
						  "\n"
						  "[source:cards]\n"
						  "plugin=testcard\n"
						  "slots=0;2\n"
						  "\n"
						  "[source:other]\n"
						  "plugin=testcard\n"
						  "slots=1\n"
						  "atr=3b 02 14 50\n"
						  "\n"
						  "[source:empty]\n"
						  "plugin=testcard\n"
						  "slots=3\n"
						  "card-present=false\n",
						  NUM_SLOTS,
						  f->rspro_port,
						  f->bankd_port);
	const gchar *argv[] = {remsim_test_program ("REMSIM_BANKD_BIN"), "-c", NULL, NULL};

	f->bankd_conf = remsim_test_write_file (f->tmpdir, "bankd.conf", conf);
	argv[2] = f->bankd_conf;
	f->bankd = remsim_test_proc_spawn (argv, log, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_wait_port (f->bankd_port, 15000));
}

static void
fixture_setup (Fixture *f, gconstpointer user_data)
{
	f->tmpdir = remsim_test_mkdtemp ();
	f->state_file = g_build_filename (f->tmpdir, "slotmaps.state", NULL);
	f->rspro_port = remsim_test_free_port ();
	do
		f->rest_port = remsim_test_free_port ();
	while (f->rest_port == f->rspro_port);
	do
		f->bankd_port = remsim_test_free_port ();
	while (f->bankd_port == f->rspro_port || f->bankd_port == f->rest_port);
	f->rest_base = g_strdup_printf ("http://127.0.0.1:%u" API, f->rest_port);
	if (user_data == NULL) {
		server_start (f);
		bankd_start (f);
	}
}

static void
fixture_teardown (Fixture *f, gconstpointer user_data)
{
	remsim_test_proc_stop_clean (&f->bankd, "remsim-bankd", TRUE);
	remsim_test_proc_stop_clean (&f->server, "remsim-server", TRUE);
	if (g_test_failed ())
		g_test_message ("keeping %s for inspection", f->tmpdir);
	else
		remsim_test_rmdir (f->tmpdir);
	g_free (f->tmpdir);
	g_free (f->state_file);
	g_free (f->rest_base);
	g_free (f->bankd_conf);
}

/* ---- REST ---- */

/* the state of the map of bank slot B1:@bslot, or NULL */
static gchar *
rest_slotmap_state (Fixture *f, guint bslot)
{
	g_autoptr (RemsimTestHttpResponse) r = remsim_test_http_get (f->rest_base, "/slotmaps");
	JsonArray *maps;

	if (r->error != NULL || r->status != 200 || r->json == NULL)
		return NULL;
	maps = json_object_get_array_member (json_node_get_object (r->json), "slotmaps");
	for (guint i = 0; maps != NULL && i < json_array_get_length (maps); i++) {
		JsonObject *sm = json_array_get_object_element (maps, i);
		JsonObject *b = json_object_get_object_member (sm, "bank");

		if (json_object_get_int_member (b, "slotNr") == bslot)
			return g_strdup (json_object_get_string_member (sm, "state"));
	}
	return NULL;
}

/* poll until the map of B1:@bslot is ACTIVE */
static gboolean
wait_slotmap_active (Fixture *f, guint bslot, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

	for (;;) {
		g_autofree gchar *state = rest_slotmap_state (f, bslot);

		if (g_strcmp0 (state, "ACTIVE") == 0)
			return TRUE;
		if (g_get_monotonic_time () > deadline)
			return FALSE;
		/* polling interval between two REST queries */
		remsim_test_run_for (20);
	}
}

static gboolean
rest_has_bank (Fixture *f)
{
	g_autoptr (RemsimTestHttpResponse) r = remsim_test_http_get (f->rest_base, "/banks");
	JsonArray *banks;

	if (r->error != NULL || r->status != 200 || r->json == NULL)
		return FALSE;
	banks = json_object_get_array_member (json_node_get_object (r->json), "banks");
	return banks != NULL && json_array_get_length (banks) == 1;
}

static gboolean
wait_bank_connected (Fixture *f, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

	for (;;) {
		if (rest_has_bank (f))
			return TRUE;
		if (g_get_monotonic_time () > deadline)
			return FALSE;
		remsim_test_run_for (20);
	}
}

/* map B1:@bslot to C@client:0 and wait until the bankd acknowledged it */
static void
map_slot (Fixture *f, guint bslot, guint client)
{
	g_assert_true (wait_bank_connected (f, 10000));
	remsim_test_rest_map (f->rest_base, bslot, client, 0);
	g_assert_true (wait_slotmap_active (f, bslot, REMSIM_TEST_TIMEOUT_MS));
}

/* ---- the client peer ---- */

static RemsimTestPeer *
client_connect (Fixture *f, guint client)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *name = g_strdup_printf ("client-C%u", client);
	RemsimTestPeer *peer;

	peer = remsim_test_peer_connect ("127.0.0.1", f->bankd_port, name, &error);
	g_assert_no_error (error);
	return peer;
}

static RemsimResultCode
client_identify (RemsimTestPeer *peer, guint client)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimRsproMsg) req = remsim_test_msg_connect_client_req (client, 0, "test");
	g_autoptr (RemsimRsproMsg) res = NULL;

	g_assert_true (remsim_test_peer_send (peer, req, &error));
	g_assert_no_error (error);
	res = remsim_test_peer_wait_for (
	    peer, REMSIM_RSPRO_CONNECT_CLIENT_RES, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (res);
	g_assert_cmpint (res->identity.type, ==, REMSIM_COMPONENT_BANKD);
	g_assert_cmpstr (res->identity.software, ==, "remsim-bankd");
	g_assert_cmpuint (res->tag, ==, REMSIM_RSPRO_TAG_CONNECT_CLIENT_RES);
	return res->result;
}

static void
assert_set_atr (RemsimTestPeer *peer, guint client, const guint8 *atr, gsize atr_len)
{
	g_autoptr (RemsimRsproMsg) msg = NULL;
	g_autoptr (GBytes) expected = g_bytes_new_static (atr, atr_len);
	g_autoptr (RemsimRsproMsg) res =
	    remsim_test_msg_result (REMSIM_RSPRO_SET_ATR_RES, REMSIM_RESULT_OK);

	msg = remsim_test_peer_wait_for (peer, REMSIM_RSPRO_SET_ATR_REQ, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (msg);
	g_assert_cmpuint (msg->client_slot.client_id, ==, client);
	g_assert_cmpuint (msg->client_slot.slot_nr, ==, 0);
	g_assert_nonnull (msg->data);
	g_assert_true (g_bytes_equal (msg->data, expected));
	g_assert_true (remsim_test_peer_send (peer, res, NULL));
}

static void
send_tpdu_to_bank (
    RemsimTestPeer *peer, guint client, guint bank, guint bslot, const guint8 *data, gsize len)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimRsproMsg) msg = remsim_rspro_msg_new (REMSIM_RSPRO_TPDU_MODEM_TO_CARD);

	msg->has_client_slot = TRUE;
	msg->client_slot.client_id = client;
	msg->client_slot.slot_nr = 0;
	msg->has_bank_slot = TRUE;
	msg->bank_slot.bank_id = bank;
	msg->bank_slot.slot_nr = bslot;
	msg->flags.tpdu_header_present = TRUE;
	msg->flags.final_part = TRUE;
	msg->data = g_bytes_new (data, len);
	g_assert_true (remsim_test_peer_send (peer, msg, &error));
	g_assert_no_error (error);
}

static void
send_tpdu (RemsimTestPeer *peer, guint client, guint bslot, const guint8 *data, gsize len)
{
	send_tpdu_to_bank (peer, client, 1, bslot, data, len);
}

/* READ BINARY of @le bytes: the testcard answers 00 01 .. (le-1) 90 00 */
static void
send_read_binary (RemsimTestPeer *peer, guint client, guint bslot, guint8 le)
{
	const guint8 cmd[] = {0xa0, 0xb0, 0x00, 0x00, le};

	send_tpdu (peer, client, bslot, cmd, sizeof (cmd));
}

static void
assert_read_binary_answer (RemsimTestPeer *peer, guint client, guint bslot, guint8 le)
{
	g_autoptr (RemsimRsproMsg) msg = NULL;
	const guint8 *data;
	gsize len = 0;

	msg = remsim_test_peer_wait_for (
	    peer, REMSIM_RSPRO_TPDU_CARD_TO_MODEM, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (msg);
	g_assert_cmpuint (msg->bank_slot.bank_id, ==, 1);
	g_assert_cmpuint (msg->bank_slot.slot_nr, ==, bslot);
	g_assert_cmpuint (msg->client_slot.client_id, ==, client);
	g_assert_cmpuint (msg->client_slot.slot_nr, ==, 0);
	g_assert_false (msg->flags.tpdu_header_present);
	g_assert_false (msg->flags.final_part);
	data = g_bytes_get_data (msg->data, &len);
	g_assert_cmpuint (len, ==, (gsize)le + 2);
	for (guint i = 0; i < le; i++)
		g_assert_cmpuint (data[i], ==, i);
	g_assert_cmpuint (data[le], ==, 0x90);
	g_assert_cmpuint (data[le + 1], ==, 0x00);
}

static void
round_trip (RemsimTestPeer *peer, guint client, guint bslot, guint8 le)
{
	send_read_binary (peer, client, bslot, le);
	assert_read_binary_answer (peer, client, bslot, le);
}

/* a client with a mapped, working card */
static RemsimTestPeer *
client_session (Fixture *f, guint bslot, guint client)
{
	RemsimTestPeer *peer = client_connect (f, client);

	g_assert_cmpint (client_identify (peer, client), ==, REMSIM_RESULT_OK);
	if (bslot == 1)
		assert_set_atr (peer, client, slot1_atr, sizeof (slot1_atr));
	else
		assert_set_atr (peer, client, testcard_atr, sizeof (testcard_atr));
	return peer;
}

static void
assert_bankd_alive (Fixture *f)
{
	g_assert_true (remsim_test_proc_is_alive (f->bankd));
}

/* ---- tests ---- */

static void
test_mapping_active (Fixture *f, gconstpointer user_data)
{
	map_slot (f, 0, 5);
	map_slot (f, 1, 6);
}

static void
test_connect_and_tpdu (Fixture *f, gconstpointer user_data)
{
	g_autoptr (RemsimTestPeer) peer = NULL;
	g_autoptr (RemsimTestPeer) other = NULL;

	map_slot (f, 0, 5);
	map_slot (f, 1, 6);
	peer = client_session (f, 0, 5);
	round_trip (peer, 5, 0, 4);
	round_trip (peer, 5, 0, 0xff);

	/* several TPDUs in a row without waiting: answers in order */
	for (guint8 le = 1; le <= 8; le++)
		send_read_binary (peer, 5, 0, le);
	for (guint8 le = 1; le <= 8; le++)
		assert_read_binary_answer (peer, 5, 0, le);

	/* a second slot has its own card */
	other = client_session (f, 1, 6);
	round_trip (other, 6, 1, 16);
	round_trip (peer, 5, 0, 16);
	g_assert_false (remsim_test_peer_is_closed (peer));
	g_assert_false (remsim_test_peer_is_closed (other));
}

static void
test_reset_sends_atr (Fixture *f, gconstpointer user_data)
{
	g_autoptr (RemsimTestPeer) peer = NULL;
	g_autoptr (RemsimRsproMsg) ind = remsim_rspro_msg_new (REMSIM_RSPRO_CLIENT_SLOT_STATUS_IND);

	map_slot (f, 0, 5);
	peer = client_session (f, 0, 5);

	/* RST goes active: warm reset, and the client hears the ATR again */
	ind->has_client_slot = TRUE;
	ind->client_slot.client_id = 5;
	ind->has_bank_slot = TRUE;
	ind->bank_slot.bank_id = 1;
	ind->phys_status.reset_active = TRUE;
	ind->phys_status.has_vcc_present = TRUE;
	ind->phys_status.vcc_present = TRUE;
	g_assert_true (remsim_test_peer_send (peer, ind, NULL));
	assert_set_atr (peer, 5, testcard_atr, sizeof (testcard_atr));

	/* RST stays active: no edge, no reset; then VCC off: cold reset */
	g_assert_true (remsim_test_peer_send (peer, ind, NULL));
	ind->phys_status.reset_active = FALSE;
	ind->phys_status.vcc_present = FALSE;
	g_assert_true (remsim_test_peer_send (peer, ind, NULL));
	assert_set_atr (peer, 5, testcard_atr, sizeof (testcard_atr));
	round_trip (peer, 5, 0, 2);
	g_assert_cmpuint (remsim_test_peer_count_pending (peer, REMSIM_RSPRO_SET_ATR_REQ), ==, 0);
}

static void
test_no_map_then_map (Fixture *f, gconstpointer user_data)
{
	g_autoptr (RemsimTestPeer) peer = NULL;

	g_assert_true (wait_bank_connected (f, 10000));
	peer = client_connect (f, 7);
	g_assert_cmpint (client_identify (peer, 7), ==, REMSIM_RESULT_CARD_NOT_PRESENT);
	/* the connection stays up (the identify timeout is far shorter) */
	remsim_test_run_for (600);
	g_assert_false (remsim_test_peer_is_closed (peer));
	g_assert_cmpuint (remsim_test_peer_count_pending (peer, REMSIM_RSPRO_SET_ATR_REQ), ==, 0);

	/* the map arrives: the ATR follows at once (retry interval is 60 s) */
	remsim_test_rest_map (f->rest_base, 2, 7, 0);
	assert_set_atr (peer, 7, testcard_atr, sizeof (testcard_atr));
	round_trip (peer, 7, 2, 9);
	g_assert_cmpuint (
	    remsim_test_peer_count_pending (peer, REMSIM_RSPRO_CONNECT_CLIENT_RES), ==, 0);
}

static void
test_no_card (Fixture *f, gconstpointer user_data)
{
	g_autoptr (RemsimTestPeer) peer = NULL;
	g_autoptr (RemsimTestPeer) other = NULL;

	/* B1:3 has no card: cardNotPresent, the connection stays */
	map_slot (f, 3, 8);
	peer = client_connect (f, 8);
	g_assert_cmpint (client_identify (peer, 8), ==, REMSIM_RESULT_CARD_NOT_PRESENT);
	remsim_test_run_for (400);
	g_assert_false (remsim_test_peer_is_closed (peer));

	/* a TPDU without a card closes that connection only */
	send_read_binary (peer, 8, 3, 1);
	g_assert_true (remsim_test_peer_wait_closed (peer, REMSIM_TEST_TIMEOUT_MS));
	map_slot (f, 0, 5);
	other = client_session (f, 0, 5);
	round_trip (other, 5, 0, 1);
}

static void
test_identify_timeout (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimTestRaw) raw = NULL;
	g_autoptr (RemsimTestPeer) peer = NULL;

	raw = remsim_test_raw_connect ("127.0.0.1", f->bankd_port, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_raw_wait_closed (raw, REMSIM_TEST_TIMEOUT_MS));
	assert_bankd_alive (f);

	/* it held nothing: a proper client is served */
	map_slot (f, 0, 5);
	peer = client_session (f, 0, 5);
	round_trip (peer, 5, 0, 3);
}

static void
test_bad_tpdus (Fixture *f, gconstpointer user_data)
{
	static const guint8 short_tpdu[] = {0xa0, 0xb0, 0x00, 0x00};
	guint8 long_tpdu[300];
	struct {
		guint bslot;
		guint client;
		const guint8 *data;
		gsize len;
	} cases[] = {
	    {1, 5, NULL, 5},	    /* another bank slot */
	    {0, 6, NULL, 5},	    /* another client slot */
	    {0, 5, short_tpdu, 4},  /* too short */
	    {0, 5, long_tpdu, 300}, /* too long */
	};

	memset (long_tpdu, 0, sizeof (long_tpdu));
	long_tpdu[1] = 0xd6;
	long_tpdu[4] = 0xff;
	map_slot (f, 0, 5);
	map_slot (f, 1, 6);
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		static const guint8 read_binary[] = {0xa0, 0xb0, 0x00, 0x00, 0x01};
		g_autoptr (RemsimTestPeer) peer = client_session (f, 0, 5);

		round_trip (peer, 5, 0, 1);
		send_tpdu (peer,
			   cases[i].client,
			   cases[i].bslot,
			   cases[i].data != NULL ? cases[i].data : read_binary,
			   cases[i].len);
		g_assert_true (remsim_test_peer_wait_closed (peer, REMSIM_TEST_TIMEOUT_MS));
		g_assert_cmpuint (
		    remsim_test_peer_count_pending (peer, REMSIM_RSPRO_TPDU_CARD_TO_MODEM), ==, 0);
		assert_bankd_alive (f);
	}
}

static void
test_server_restart (Fixture *f, gconstpointer user_data)
{
	g_autoptr (RemsimTestPeer) peer = NULL;
	gint64 start;
	gint64 reconnect_ms;

	map_slot (f, 0, 5);
	peer = client_session (f, 0, 5);
	round_trip (peer, 5, 0, 10);

	g_assert_true (remsim_test_proc_signal_and_wait (f->server, SIGKILL, 15000));
	g_clear_pointer (&f->server, remsim_test_proc_free);
	/* the session goes on without the server */
	for (guint i = 0; i < 20; i++)
		round_trip (peer, 5, 0, (guint8)(i + 1));

	server_start (f);
	start = g_get_monotonic_time ();
	/* the bankd is back and the map is re-pushed ("identical map") */
	g_assert_true (wait_slotmap_active (f, 0, 10000));
	reconnect_ms = (g_get_monotonic_time () - start) / 1000;
	g_test_message ("bankd back at the server after %" G_GINT64_FORMAT " ms", reconnect_ms);
	g_assert_cmpint (reconnect_ms, <, 2500);
	round_trip (peer, 5, 0, 33);
	g_assert_false (remsim_test_peer_is_closed (peer));
	g_assert_cmpuint (remsim_test_peer_count_pending (peer, REMSIM_RSPRO_SET_ATR_REQ), ==, 0);
}

static void
test_delete_mapping (Fixture *f, gconstpointer user_data)
{
	g_autoptr (RemsimTestPeer) peer = NULL;
	g_autoptr (RemsimTestPeer) other = NULL;
	g_autoptr (RemsimTestPeer) again = NULL;

	map_slot (f, 0, 5);
	map_slot (f, 1, 6);
	peer = client_session (f, 0, 5);
	other = client_session (f, 1, 6);
	remsim_test_rest_unmap (f->rest_base, 0);
	g_assert_true (remsim_test_peer_wait_closed (peer, REMSIM_TEST_TIMEOUT_MS));
	/* the other slot is untouched */
	round_trip (other, 6, 1, 7);

	/* without a map the client now waits */
	again = client_connect (f, 5);
	g_assert_cmpint (client_identify (again, 5), ==, REMSIM_RESULT_CARD_NOT_PRESENT);
	/* remapped to another bank slot: it gets that card */
	remsim_test_rest_map (f->rest_base, 2, 5, 0);
	assert_set_atr (again, 5, testcard_atr, sizeof (testcard_atr));
	round_trip (again, 5, 2, 4);
}

static void
test_remap_bank_slot (Fixture *f, gconstpointer user_data)
{
	g_autoptr (RemsimTestPeer) peer = NULL;
	g_autoptr (RemsimTestPeer) newcomer = NULL;

	map_slot (f, 0, 5);
	peer = client_session (f, 0, 5);
	newcomer = client_connect (f, 9);
	g_assert_cmpint (client_identify (newcomer, 9), ==, REMSIM_RESULT_CARD_NOT_PRESENT);

	/* B1:0 goes to C9:0: the old client loses it, the new one gets it */
	remsim_test_rest_unmap (f->rest_base, 0);
	g_assert_true (remsim_test_peer_wait_closed (peer, REMSIM_TEST_TIMEOUT_MS));
	remsim_test_rest_map (f->rest_base, 0, 9, 0);
	assert_set_atr (newcomer, 9, testcard_atr, sizeof (testcard_atr));
	round_trip (newcomer, 9, 0, 5);
}

/* ---- configuration errors ---- */

typedef struct {
	const gchar *name;
	const gchar *conf; /* @PORT@: the server port */
	const gchar *needles[4];
	gint status;
} BadConfig;

static const BadConfig bad_configs[] = {
    {"unknown-key",
     "[bankd]\nserver=127.0.0.1:@PORT@\nbank-idd=3\n",
     {"[bankd]", "bank-idd", NULL},
     1},
    {"bad-plugin",
     "[bankd]\nserver=127.0.0.1:@PORT@\n[source:x]\nplugin=nosuchplugin\nslots=0\n",
     {"[source:x]", "plugin", "nosuchplugin", NULL},
     1},
    {"slot-out-of-range",
     "[bankd]\nserver=127.0.0.1:@PORT@\nnum-slots=4\n[source:x]\nplugin=testcard\nslots=0-4\n",
     {"[source:x]", "slots", "0..3", NULL},
     1},
    {"overlap",
     "[bankd]\nserver=127.0.0.1:@PORT@\n[source:a]\nplugin=testcard\nslots=0-3\n"
     "[source:b]\nplugin=testcard\nslots=3-5\n",
     {"[source:b]", "slots", "[source:a]", NULL},
     1},
    {"plugin-key",
     "[bankd]\nserver=127.0.0.1:@PORT@\n[source:a]\nplugin=testcard\nslots=0\ncolour=red\n",
     {"[source:a]", "colour", NULL},
     1},
    {"bad-value",
     "[bankd]\nserver=127.0.0.1:@PORT@\nnum-slots=2000\n",
     {"[bankd]", "num-slots", "1024", NULL},
     1},
    {"no-server", "[bankd]\nbank-id=2\n#@PORT@\n", {"server", NULL}, 2},
};

static void
test_bad_config (Fixture *f, gconstpointer user_data)
{
	const BadConfig *bc = user_data;
	g_autoptr (GError) error = NULL;
	g_autoptr (GString) text = g_string_new (bc->conf);
	g_autofree gchar *port = g_strdup_printf ("%u", f->rspro_port);
	g_autofree gchar *conf = NULL;
	g_autofree gchar *log_path = g_build_filename (f->tmpdir, "bad.log", NULL);
	g_autofree gchar *log = NULL;
	g_autoptr (RemsimTestProc) proc = NULL;
	const gchar *argv[] = {remsim_test_program ("REMSIM_BANKD_BIN"), "-c", NULL, NULL};

	g_string_replace (text, "@PORT@", port, 0);
	conf = remsim_test_write_file (f->tmpdir, "bad.conf", text->str);
	argv[2] = conf;
	proc = remsim_test_proc_spawn (argv, log_path, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_proc_wait (proc, 15000));
	log = remsim_test_proc_read_log (proc);
	g_test_message ("%s: %s", bc->name, log);
	g_assert_true (remsim_test_proc_exited_with (proc, bc->status, 0));
	if (bc->status == 1)
		g_assert_nonnull (strstr (log, conf));
	for (guint i = 0; bc->needles[i] != NULL; i++)
		g_assert_nonnull (strstr (log, bc->needles[i]));
}

/* upstream's command line without any server: exit 2 */
static void
test_no_server_option (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *log_path = g_build_filename (f->tmpdir, "noserver.log", NULL);
	g_autoptr (RemsimTestProc) proc = NULL;
	const gchar *argv[] = {
	    remsim_test_program ("REMSIM_BANKD_BIN"), "-b", "3", "-n", "2", NULL};

	proc = remsim_test_proc_spawn (argv, log_path, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_proc_wait (proc, 15000));
	g_assert_true (remsim_test_proc_exited_with (proc, 2, 0));
}

/* upstream options with no keyfile: bank id and slot count reach the
 * server, and the listener takes -I/-P */
static void
test_upstream_options (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *log_path = g_build_filename (f->tmpdir, "bankd.log", NULL);
	g_autofree gchar *conf = NULL;
	g_autofree gchar *sport = g_strdup_printf ("%u", f->rspro_port);
	g_autofree gchar *bport = g_strdup_printf ("%u", f->bankd_port);
	g_autoptr (RemsimTestHttpResponse) r = NULL;
	g_autoptr (RemsimTestPeer) peer = NULL;
	JsonObject *bank;
	/* a keyfile with only the card sources (the pcsc plugin needs readers) */
	const gchar *argv[] = {remsim_test_program ("REMSIM_BANKD_BIN"),
			       "-c",
			       NULL,
			       "-i",
			       "127.0.0.1",
			       "-p",
			       sport,
			       "-b",
			       "7",
			       "-n",
			       "3",
			       "-I",
			       "127.0.0.1",
			       "-P",
			       bport,
			       "-N",
			       "bank-seven",
			       NULL};

	server_start (f);
	conf = remsim_test_write_file (
	    f->tmpdir, "sources.conf", "[source:t]\nplugin=testcard\nslots=0-2\n");
	argv[2] = conf;
	f->bankd = remsim_test_proc_spawn (argv, log_path, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_wait_port (f->bankd_port, 15000));
	g_assert_true (remsim_test_proc_wait_log (f->bankd, "listening", REMSIM_TEST_TIMEOUT_MS));
	g_assert_true (wait_bank_connected (f, 10000));
	g_assert_true (remsim_test_proc_wait_log (f->bankd, "connected", REMSIM_TEST_TIMEOUT_MS));
	r = remsim_test_http_get (f->rest_base, "/banks");
	bank = json_array_get_object_element (
	    json_object_get_array_member (json_node_get_object (r->json), "banks"), 0);
	g_assert_cmpint (json_object_get_int_member (bank, "bankId"), ==, 7);
	g_assert_cmpint (json_object_get_int_member (bank, "numberOfSlots"), ==, 3);
	g_assert_cmpstr (json_object_get_string_member (
			     json_object_get_object_member (bank, "component_id"), "name"),
			 ==,
			 "bank-seven");

	/* a mapping works end to end with bank id 7 */
	{
		const gchar *body = "{\"bank\":{\"bankId\":7,\"slotNr\":2},\"client\":{"
				    "\"clientId\":4,\"slotNr\":0}}";
		g_autoptr (RemsimTestHttpResponse) p =
		    remsim_test_http_post_json (f->rest_base, "/slotmaps", body);

		g_assert_cmpuint (p->status, ==, 201);
	}
	g_assert_true (wait_slotmap_active (f, 2, REMSIM_TEST_TIMEOUT_MS));
	peer = client_connect (f, 4);
	g_assert_cmpint (client_identify (peer, 4), ==, REMSIM_RESULT_OK);
	assert_set_atr (peer, 4, testcard_atr, sizeof (testcard_atr));
	{
		static const guint8 cmd[] = {0xa0, 0xb0, 0x00, 0x00, 0x02};
		g_autoptr (RemsimRsproMsg) msg = NULL;

		send_tpdu_to_bank (peer, 4, 7, 2, cmd, sizeof (cmd));
		/* bank id 7 in the response */
		msg = remsim_test_peer_wait_for (
		    peer, REMSIM_RSPRO_TPDU_CARD_TO_MODEM, REMSIM_TEST_TIMEOUT_MS);
		g_assert_nonnull (msg);
		g_assert_true (msg->bank_slot.bank_id == 7);
	}
}

int
main (int argc, char **argv)
{
	static const gchar *const no_procs = "no processes";

	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func, data)                                                                      \
	g_test_add ("/remsim/bankd/" path, Fixture, data, fixture_setup, func, fixture_teardown)

	ADD ("mapping-active", test_mapping_active, NULL);
	ADD ("connect-and-tpdu", test_connect_and_tpdu, NULL);
	ADD ("reset-sends-atr", test_reset_sends_atr, NULL);
	ADD ("no-map-then-map", test_no_map_then_map, NULL);
	ADD ("no-card", test_no_card, NULL);
	ADD ("identify-timeout", test_identify_timeout, NULL);
	ADD ("bad-tpdus", test_bad_tpdus, NULL);
	ADD ("server-restart", test_server_restart, NULL);
	ADD ("delete-mapping", test_delete_mapping, NULL);
	ADD ("remap-bank-slot", test_remap_bank_slot, NULL);
	ADD ("upstream-options", test_upstream_options, no_procs);
	ADD ("no-server-option", test_no_server_option, no_procs);
	for (guint i = 0; i < G_N_ELEMENTS (bad_configs); i++) {
		g_autofree gchar *path =
		    g_strdup_printf ("/remsim/bankd/bad-config/%s", bad_configs[i].name);

		g_test_add (path,
			    Fixture,
			    &bad_configs[i],
			    fixture_setup,
			    test_bad_config,
			    fixture_teardown);
	}
#undef ADD
	return g_test_run ();
}
