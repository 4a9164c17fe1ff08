/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Integration tests of remsim-server: each test starts the real program on
 * free loopback ports with its own state file, and drives it over REST and
 * with scripted RSPRO peers (a bankd, a client) and raw TCP connections.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "remsim-test-utils.h"

#define API "/api/backend/v1"

typedef struct {
	gchar *tmpdir;
	gchar *state_file;
	guint16 rspro_port;
	guint16 rest_port;
	gchar *rest_base;
	RemsimTestProc *server;
	guint n_starts;
	const gchar *const *extra_args;
} Fixture;

/* ---- server process ---- */

static void
server_start (Fixture *f)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
	g_autofree gchar *log = NULL;

	f->n_starts++;
	log = g_strdup_printf ("%s/server-%u.log", f->tmpdir, f->n_starts);
	g_ptr_array_add (argv, g_strdup (remsim_test_program ("REMSIM_SERVER_BIN")));
	g_ptr_array_add (argv, g_strdup ("--rspro-listen"));
	g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", f->rspro_port));
	g_ptr_array_add (argv, g_strdup ("--rest-listen"));
	g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", f->rest_port));
	g_ptr_array_add (argv, g_strdup ("--state-file"));
	g_ptr_array_add (argv, g_strdup (f->state_file));
	for (guint i = 0; f->extra_args != NULL && f->extra_args[i] != NULL; i++)
		g_ptr_array_add (argv, g_strdup (f->extra_args[i]));
	g_ptr_array_add (argv, NULL);

	g_test_message ("server log: %s", log);
	f->server = remsim_test_proc_spawn ((const gchar *const *)argv->pdata, log, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_wait_port (f->rspro_port, 15000));
	g_assert_true (remsim_test_wait_port (f->rest_port, 15000));
	g_assert_true (remsim_test_proc_is_alive (f->server));
}

/* stop with @sig, expect a clean exit (status 0) */
static void
server_stop (Fixture *f, gint sig)
{
	g_assert_nonnull (f->server);
	g_assert_true (remsim_test_proc_is_alive (f->server));
	g_assert_true (remsim_test_proc_signal_and_wait (f->server, sig, 15000));
	if (sig == SIGKILL)
		g_assert_true (remsim_test_proc_exited_with (f->server, -1, SIGKILL));
	else if (!remsim_test_proc_exited_with (f->server, 0, 0)) {
		g_autofree gchar *log = remsim_test_proc_read_log (f->server);
		g_test_message ("server log:\n%s", log);
		g_test_fail_printf (
		    "remsim-server did not exit with 0 on signal %d (wait status 0x%x)",
		    sig,
		    (guint)remsim_test_proc_get_wait_status (f->server));
	}
	g_clear_pointer (&f->server, remsim_test_proc_free);
}

static void
fixture_setup_common (Fixture *f)
{
	f->tmpdir = remsim_test_mkdtemp ();
	f->state_file = g_build_filename (f->tmpdir, "slotmaps.state", NULL);
	f->rspro_port = remsim_test_free_port ();
	do
		f->rest_port = remsim_test_free_port ();
	while (f->rest_port == f->rspro_port);
	f->rest_base = g_strdup_printf ("http://127.0.0.1:%u" API, f->rest_port);
	server_start (f);
}

static void
fixture_setup (Fixture *f, gconstpointer user_data)
{
	fixture_setup_common (f);
}

/* with a short keepalive: a silent peer is dropped quickly */
static const gchar *const keepalive_args[] = {
    "--keepalive-interval-ms", "200", "--keepalive-timeout-ms", "1000", NULL};

static void
fixture_setup_keepalive (Fixture *f, gconstpointer user_data)
{
	f->extra_args = keepalive_args;
	fixture_setup_common (f);
}

static void
fixture_teardown (Fixture *f, gconstpointer user_data)
{
	if (f->server != NULL)
		server_stop (f, SIGTERM);
	if (g_test_failed ())
		g_test_message ("keeping %s for inspection", f->tmpdir);
	else
		remsim_test_rmdir (f->tmpdir);
	g_free (f->tmpdir);
	g_free (f->state_file);
	g_free (f->rest_base);
}

/* ---- REST helpers ---- */

/* GET @path, assert 200 + JSON object, return the object's node */
static JsonNode *
rest_get_json (Fixture *f, const gchar *path)
{
	g_autoptr (RemsimTestHttpResponse) r = remsim_test_http_get (f->rest_base, path);
	g_autofree gchar *body = remsim_test_http_response_body_str (r);

	g_assert_null (r->error);
	g_assert_cmpuint (r->status, ==, 200);
	g_assert_cmpstr (r->content_type, ==, "application/json");
	if (r->json == NULL)
		g_error ("GET %s: body is not JSON: %s", path, body);
	g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
	return json_node_copy (r->json);
}

static gchar *
rest_get_body (Fixture *f, const gchar *path)
{
	g_autoptr (RemsimTestHttpResponse) r = remsim_test_http_get (f->rest_base, path);

	g_assert_null (r->error);
	g_assert_cmpuint (r->status, ==, 200);
	return remsim_test_http_response_body_str (r);
}

/* the array member @name of GET @path */
static JsonArray *
rest_get_list (Fixture *f, const gchar *path, const gchar *name, JsonNode **keep)
{
	JsonObject *obj;
	g_autofree gchar *keys = NULL;

	*keep = rest_get_json (f, path);
	obj = json_node_get_object (*keep);
	keys = remsim_test_json_keys (obj);
	g_assert_cmpstr (keys, ==, name);
	return json_object_get_array_member (obj, name);
}

static guint
rest_post_slotmap (Fixture *f, guint bank, guint bslot, guint client, guint cslot)
{
	g_autofree gchar *body = g_strdup_printf (
	    "{\"bank\":{\"bankId\":%u,\"slotNr\":%u},\"client\":{\"clientId\":%u,\"slotNr\":%u}}",
	    bank,
	    bslot,
	    client,
	    cslot);
	g_autoptr (RemsimTestHttpResponse) r =
	    remsim_test_http_post_json (f->rest_base, "/slotmaps", body);

	g_assert_null (r->error);
	return r->status;
}

static guint
rest_delete (Fixture *f, const gchar *path)
{
	g_autoptr (RemsimTestHttpResponse) r = remsim_test_http_delete (f->rest_base, path);

	g_assert_null (r->error);
	return r->status;
}

static gint64
json_int (JsonObject *obj, const gchar *member)
{
	JsonNode *n = json_object_get_member (obj, member);

	g_assert_nonnull (n);
	g_assert_true (JSON_NODE_HOLDS_VALUE (n));
	g_assert_true (json_node_get_value_type (n) == G_TYPE_INT64);
	return json_node_get_int (n);
}

static const gchar *
json_str (JsonObject *obj, const gchar *member)
{
	JsonNode *n = json_object_get_member (obj, member);

	g_assert_nonnull (n);
	g_assert_true (JSON_NODE_HOLDS_VALUE (n));
	g_assert_true (json_node_get_value_type (n) == G_TYPE_STRING);
	return json_node_get_string (n);
}

/* assert one Slotmap object with exact keys and values */
static void
assert_slotmap (
    JsonObject *sm, guint bank, guint bslot, guint client, guint cslot, const gchar *state)
{
	g_autofree gchar *keys = remsim_test_json_keys (sm);
	g_autofree gchar *bkeys = NULL;
	g_autofree gchar *ckeys = NULL;
	JsonObject *b;
	JsonObject *c;

	g_assert_cmpstr (keys, ==, "bank,client,state");
	b = json_object_get_object_member (sm, "bank");
	c = json_object_get_object_member (sm, "client");
	g_assert_nonnull (b);
	g_assert_nonnull (c);
	bkeys = remsim_test_json_keys (b);
	ckeys = remsim_test_json_keys (c);
	g_assert_cmpstr (bkeys, ==, "bankId,slotNr");
	g_assert_cmpstr (ckeys, ==, "clientId,slotNr");
	g_assert_cmpint (json_int (b, "bankId"), ==, bank);
	g_assert_cmpint (json_int (b, "slotNr"), ==, bslot);
	g_assert_cmpint (json_int (c, "clientId"), ==, client);
	g_assert_cmpint (json_int (c, "slotNr"), ==, cslot);
	if (state != NULL)
		g_assert_cmpstr (json_str (sm, "state"), ==, state);
}

/* poll GET /slotmaps until the single map is in @state */
static gboolean
wait_slotmap_state (Fixture *f, const gchar *state, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

	for (;;) {
		g_autoptr (JsonNode) keep = NULL;
		JsonArray *maps = rest_get_list (f, "/slotmaps", "slotmaps", &keep);

		if (json_array_get_length (maps) == 1 &&
		    g_strcmp0 (json_str (json_array_get_object_element (maps, 0), "state"),
			       state) == 0)
			return TRUE;
		if (g_get_monotonic_time () > deadline)
			return FALSE;
		/* polling interval between two REST queries */
		remsim_test_run_for (20);
	}
}

/* the component_id object must echo exactly what the peer sent */
static void
assert_component_id (JsonObject *cid, const RemsimComponentIdentity *id, const gchar *type_)
{
	struct {
		const gchar *key;
		const gchar *value;
	} opt[] = {
	    {"name", id->name},
	    {"swVersion", id->sw_version},
	    {"hwManufacturer", id->hw_manufacturer},
	    {"hwSerialNr", id->hw_serial_nr},
	    {"hwVersion", id->hw_version},
	    {"fwVersion", id->fw_version},
	};
	g_autoptr (GPtrArray) expected = g_ptr_array_new ();
	g_autofree gchar *keys = remsim_test_json_keys (cid);
	g_autofree gchar *expected_keys = NULL;
	g_autoptr (GString) ek = g_string_new (NULL);
	g_autoptr (JsonObject) tmp = json_object_new ();

	json_object_set_null_member (tmp, "type_");
	json_object_set_null_member (tmp, "software");
	for (guint i = 0; i < G_N_ELEMENTS (opt); i++) {
		if (opt[i].value != NULL && opt[i].value[0] != '\0')
			json_object_set_null_member (tmp, opt[i].key);
	}
	expected_keys = remsim_test_json_keys (tmp);
	g_assert_cmpstr (keys, ==, expected_keys);
	g_assert_cmpstr (json_str (cid, "type_"), ==, type_);
	g_assert_cmpstr (json_str (cid, "software"), ==, id->software);
	for (guint i = 0; i < G_N_ELEMENTS (opt); i++) {
		if (opt[i].value != NULL && opt[i].value[0] != '\0')
			g_assert_cmpstr (json_str (cid, opt[i].key), ==, opt[i].value);
	}
}

/* ---- RSPRO helpers ---- */

static void
peer_send (RemsimTestPeer *peer, RemsimRsproMsg *msg)
{
	g_autoptr (GError) error = NULL;

	g_assert_true (remsim_test_peer_send (peer, msg, &error));
	g_assert_no_error (error);
	remsim_rspro_msg_free (msg);
}

static void
assert_result (const RemsimRsproMsg *msg, RemsimResultCode expected)
{
	g_assert_cmpstr (remsim_result_code_to_string (msg->result),
			 ==,
			 remsim_result_code_to_string (expected));
}

static void
assert_slots (const RemsimRsproMsg *msg, guint client, guint cslot, guint bank, guint bslot)
{
	g_autofree gchar *c = remsim_client_slot_to_string (&msg->client_slot);
	g_autofree gchar *b = remsim_bank_slot_to_string (&msg->bank_slot);
	g_autofree gchar *ec = g_strdup_printf ("C%u:%u", client, cslot);
	g_autofree gchar *eb = g_strdup_printf ("B%u:%u", bank, bslot);

	g_assert_cmpstr (c, ==, ec);
	g_assert_cmpstr (b, ==, eb);
}

static void
assert_config_client_bank (const RemsimRsproMsg *msg, guint bank, guint bslot, const gchar *addr)
{
	g_autofree gchar *b = remsim_bank_slot_to_string (&msg->bank_slot);
	g_autofree gchar *eb = g_strdup_printf ("B%u:%u", bank, bslot);
	g_autofree gchar *a = remsim_test_ip_port_to_string (&msg->bound);

	g_assert_cmpint (msg->type, ==, REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ);
	g_assert_cmpstr (b, ==, eb);
	g_assert_cmpint (msg->bound.family, ==, G_SOCKET_FAMILY_IPV4);
	g_assert_cmpstr (a, ==, addr);
}

static void
assert_server_identity (const RemsimRsproMsg *msg)
{
	g_assert_cmpstr (remsim_component_type_to_string (msg->identity.type),
			 ==,
			 remsim_component_type_to_string (REMSIM_COMPONENT_SERVER));
	g_assert_cmpstr (msg->identity.software, ==, "remsim-server");
	g_assert_nonnull (msg->identity.sw_version);
	g_assert_cmpstr (msg->identity.sw_version, !=, "");
	g_assert_nonnull (msg->identity.name);
	g_assert_cmpuint (strlen (msg->identity.name), >=, 1);
	g_assert_cmpuint (strlen (msg->identity.name), <=, 32);
}

/* a mapping pushed to a connected bankd reaches it: proves the server
 * still serves its RSPRO peers */
static void
assert_bankd_gets_mapping (Fixture *f, RemsimTestPeer *bankd, guint bank, guint bslot, guint client)
{
	g_autoptr (RemsimRsproMsg) req = NULL;

	g_assert_cmpuint (rest_post_slotmap (f, bank, bslot, client, 0), ==, 201);
	req = remsim_test_peer_wait_for (
	    bankd, REMSIM_RSPRO_CREATE_MAPPING_REQ, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (req);
	assert_slots (req, client, 0, bank, bslot);
	g_assert_false (remsim_test_peer_is_closed (bankd));
}

/* ---- scenarios ---- */

static void
test_mapping_flow (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimTestPeer) bankd = NULL;
	g_autoptr (RemsimTestPeer) client = NULL;
	g_autoptr (RemsimRsproMsg) bank_req = remsim_test_msg_connect_bank_req (1, 8, "test-bank");
	g_autoptr (RemsimRsproMsg) client_req =
	    remsim_test_msg_connect_client_req (23, 0, "test-client");
	g_autoptr (RemsimRsproMsg) res = NULL;
	g_autoptr (RemsimRsproMsg) cres = NULL;
	g_autoptr (RemsimRsproMsg) create = NULL;
	g_autoptr (RemsimRsproMsg) remove = NULL;
	g_autoptr (RemsimRsproMsg) cfg = NULL;
	g_autoptr (RemsimRsproMsg) cfg2 = NULL;
	g_autoptr (JsonNode) banks_node = NULL;
	g_autoptr (JsonNode) bank_node = NULL;
	g_autoptr (JsonNode) clients_node = NULL;
	g_autoptr (JsonNode) client_node = NULL;
	g_autoptr (JsonNode) maps_node = NULL;
	g_autofree gchar *bank_keys = NULL;
	g_autofree gchar *client_keys = NULL;
	g_autofree gchar *bank_str = NULL;
	g_autofree gchar *bank1_str = NULL;
	JsonArray *arr;
	JsonObject *bank;
	JsonObject *cl;

	/* the bankd connects */
	bankd = remsim_test_peer_connect ("127.0.0.1", f->rspro_port, "bankd-B1", &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_peer_send (bankd, bank_req, &error));
	g_assert_no_error (error);
	res = remsim_test_peer_wait_for (
	    bankd, REMSIM_RSPRO_CONNECT_BANK_RES, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (res);
	assert_result (res, REMSIM_RESULT_OK);
	assert_server_identity (res);

	/* GET /banks lists it with exactly upstream's keys */
	arr = rest_get_list (f, "/banks", "banks", &banks_node);
	g_assert_cmpuint (json_array_get_length (arr), ==, 1);
	bank = json_array_get_object_element (arr, 0);
	bank_keys = remsim_test_json_keys (bank);
	g_assert_cmpstr (bank_keys, ==, "bankId,component_id,numberOfSlots,peer,state");
	g_assert_cmpstr (json_str (bank, "peer"), ==, "B1");
	g_assert_cmpstr (json_str (bank, "state"), ==, "CONNECTED_BANKD");
	g_assert_cmpint (json_int (bank, "bankId"), ==, 1);
	g_assert_cmpint (json_int (bank, "numberOfSlots"), ==, 8);
	assert_component_id (json_object_get_object_member (bank, "component_id"),
			     &bank_req->identity,
			     "remsimBankd");

	/* GET /banks/1 is the same object */
	bank_node = rest_get_json (f, "/banks/1");
	bank1_str = remsim_test_json_to_string (bank_node);
	bank_str = remsim_test_json_to_string (json_array_get_element (arr, 0));
	g_assert_cmpstr (bank1_str, ==, bank_str);

	/* nothing else yet */
	g_clear_pointer (&clients_node, json_node_unref);
	arr = rest_get_list (f, "/clients", "clients", &clients_node);
	g_assert_cmpuint (json_array_get_length (arr), ==, 0);
	arr = rest_get_list (f, "/slotmaps", "slotmaps", &maps_node);
	g_assert_cmpuint (json_array_get_length (arr), ==, 0);

	/* a mapping is created: the bankd gets it at once */
	g_assert_cmpuint (rest_post_slotmap (f, 1, 0, 23, 0), ==, 201);
	create = remsim_test_peer_wait_for (
	    bankd, REMSIM_RSPRO_CREATE_MAPPING_REQ, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (create);
	assert_slots (create, 23, 0, 1, 0);
	g_clear_pointer (&maps_node, json_node_unref);
	arr = rest_get_list (f, "/slotmaps", "slotmaps", &maps_node);
	g_assert_cmpuint (json_array_get_length (arr), ==, 1);
	assert_slotmap (json_array_get_object_element (arr, 0), 1, 0, 23, 0, "UNACKNOWLEDGED");

	/* the bankd acknowledges: ACTIVE */
	peer_send (bankd,
		   remsim_test_msg_result (REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK));
	g_assert_true (wait_slotmap_state (f, "ACTIVE", REMSIM_TEST_TIMEOUT_MS));

	/* the client connects and is sent to the bankd */
	client = remsim_test_peer_connect ("127.0.0.1", f->rspro_port, "client-C23:0", &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_peer_send (client, client_req, &error));
	g_assert_no_error (error);
	cres = remsim_test_peer_wait_for (
	    client, REMSIM_RSPRO_CONNECT_CLIENT_RES, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (cres);
	assert_result (cres, REMSIM_RESULT_OK);
	g_assert_cmpuint (cres->tag, ==, REMSIM_RSPRO_TAG_CONNECT_CLIENT_RES);
	assert_server_identity (cres);
	cfg = remsim_test_peer_wait_for (
	    client, REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (cfg);
	assert_config_client_bank (cfg, 1, 0, "127.0.0.1:9999");
	peer_send (client,
		   remsim_test_msg_result (REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES, REMSIM_RESULT_OK));

	/* GET /clients lists it */
	g_clear_pointer (&clients_node, json_node_unref);
	arr = rest_get_list (f, "/clients", "clients", &clients_node);
	g_assert_cmpuint (json_array_get_length (arr), ==, 1);
	cl = json_array_get_object_element (arr, 0);
	client_keys = remsim_test_json_keys (cl);
	g_assert_cmpstr (client_keys, ==, "component_id,peer,state");
	g_assert_cmpstr (json_str (cl, "peer"), ==, "C23:0");
	g_assert_cmpstr (json_str (cl, "state"), ==, "CONNECTED_CLIENT");
	assert_component_id (json_object_get_object_member (cl, "component_id"),
			     &client_req->identity,
			     "remsimClient");
	client_node = rest_get_json (f, "/clients/23");
	g_assert_cmpstr (json_str (json_node_get_object (client_node), "peer"), ==, "C23:0");

	/* DELETE: gone from the list at once, RemoveMappingReq to the bankd */
	g_assert_cmpuint (rest_delete (f, "/slotmaps/65536"), ==, 200);
	g_clear_pointer (&maps_node, json_node_unref);
	arr = rest_get_list (f, "/slotmaps", "slotmaps", &maps_node);
	g_assert_cmpuint (json_array_get_length (arr), ==, 0);
	remove = remsim_test_peer_wait_for (
	    bankd, REMSIM_RSPRO_REMOVE_MAPPING_REQ, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (remove);
	assert_slots (remove, 23, 0, 1, 0);

	/* the bankd acknowledges: the client loses its bankd */
	peer_send (bankd,
		   remsim_test_msg_result (REMSIM_RSPRO_REMOVE_MAPPING_RES, REMSIM_RESULT_OK));
	cfg2 = remsim_test_peer_wait_for (
	    client, REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (cfg2);
	assert_config_client_bank (cfg2, 1, 0, "0.0.0.0:0");
	peer_send (client,
		   remsim_test_msg_result (REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES, REMSIM_RESULT_OK));

	/* a second DELETE of the same id: 404 */
	g_assert_cmpuint (rest_delete (f, "/slotmaps/65536"), ==, 404);

	/* nothing unexpected was sent, nobody was dropped */
	g_assert_cmpuint (remsim_test_peer_count_pending (bankd, -2), ==, 0);
	g_assert_cmpuint (remsim_test_peer_count_pending (client, -2), ==, 0);
	g_assert_false (remsim_test_peer_is_closed (bankd));
	g_assert_false (remsim_test_peer_is_closed (client));
	g_assert_true (remsim_test_proc_is_alive (f->server));
}

static void
test_persistence (Fixture *f, gconstpointer user_data)
{
	gint sig = GPOINTER_TO_INT (user_data);
	g_autoptr (RemsimTestPeer) bankd = NULL;
	g_autoptr (RemsimRsproMsg) create = NULL;
	g_autoptr (JsonNode) before = NULL;
	g_autoptr (JsonNode) after = NULL;
	JsonArray *arr;

	g_assert_cmpuint (rest_post_slotmap (f, 1, 0, 23, 0), ==, 201);
	g_assert_cmpuint (rest_post_slotmap (f, 2, 3, 7, 1), ==, 201);
	arr = rest_get_list (f, "/slotmaps", "slotmaps", &before);
	g_assert_cmpuint (json_array_get_length (arr), ==, 2);
	assert_slotmap (json_array_get_object_element (arr, 0), 1, 0, 23, 0, "NEW");
	assert_slotmap (json_array_get_object_element (arr, 1), 2, 3, 7, 1, "NEW");

	server_stop (f, sig);
	g_assert_true (g_file_test (f->state_file, G_FILE_TEST_IS_REGULAR));
	server_start (f);

	/* same maps, same order, waiting for their bankd */
	arr = rest_get_list (f, "/slotmaps", "slotmaps", &after);
	g_assert_cmpuint (json_array_get_length (arr), ==, 2);
	assert_slotmap (json_array_get_object_element (arr, 0), 1, 0, 23, 0, "NEW");
	assert_slotmap (json_array_get_object_element (arr, 1), 2, 3, 7, 1, "NEW");

	/* the bankd connecting now gets its map (and only its own) */
	bankd = remsim_test_peer_new_bankd (f->rspro_port, 1, 8);
	create = remsim_test_peer_wait_for (
	    bankd, REMSIM_RSPRO_CREATE_MAPPING_REQ, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (create);
	assert_slots (create, 23, 0, 1, 0);
	peer_send (bankd,
		   remsim_test_msg_result (REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK));
	remsim_test_run_for (200);
	g_assert_cmpuint (
	    remsim_test_peer_count_pending (bankd, REMSIM_RSPRO_CREATE_MAPPING_REQ), ==, 0);

	/* a deletion is persisted too */
	g_assert_cmpuint (rest_delete (f, "/slotmaps/131075"), ==, 200);
	server_stop (f, sig);
	server_start (f);
	g_clear_pointer (&after, json_node_unref);
	arr = rest_get_list (f, "/slotmaps", "slotmaps", &after);
	g_assert_cmpuint (json_array_get_length (arr), ==, 1);
	assert_slotmap (json_array_get_object_element (arr, 0), 1, 0, 23, 0, NULL);
}

typedef struct {
	const gchar *what;
	const gchar *content_type;
	const gchar *body;
} BadPost;

static void
test_rest_errors (Fixture *f, gconstpointer user_data)
{
	const BadPost bad[] = {
	    {"bad JSON", "application/json", "{"},
	    {"empty body", "application/json", ""},
	    {"not JSON", "application/json", "bank=1&client=2"},
	    {"array", "application/json", "[]"},
	    {"number", "application/json", "42"},
	    {"missing client", "application/json", "{\"bank\":{\"bankId\":1,\"slotNr\":1}}"},
	    {"missing bank", "application/json", "{\"client\":{\"clientId\":1,\"slotNr\":1}}"},
	    {"missing slotNr",
	     "application/json",
	     "{\"bank\":{\"bankId\":1},\"client\":{\"clientId\":2,\"slotNr\":0}}"},
	    {"bankId 1024",
	     "application/json",
	     "{\"bank\":{\"bankId\":1024,\"slotNr\":1},\"client\":{\"clientId\":2,\"slotNr\":0}}"},
	    {"bank slotNr 1024",
	     "application/json",
	     "{\"bank\":{\"bankId\":1,\"slotNr\":1024},\"client\":{\"clientId\":2,\"slotNr\":0}}"},
	    {"clientId 1024",
	     "application/json",
	     "{\"bank\":{\"bankId\":1,\"slotNr\":1},\"client\":{\"clientId\":1024,\"slotNr\":0}}"},
	    {"client slotNr 1024",
	     "application/json",
	     "{\"bank\":{\"bankId\":1,\"slotNr\":1},\"client\":{\"clientId\":2,\"slotNr\":1024}}"},
	    {"bankId -1",
	     "application/json",
	     "{\"bank\":{\"bankId\":-1,\"slotNr\":1},\"client\":{\"clientId\":2,\"slotNr\":0}}"},
	    {"client slotNr -5",
	     "application/json",
	     "{\"bank\":{\"bankId\":1,\"slotNr\":1},\"client\":{\"clientId\":2,\"slotNr\":-5}}"},
	    {"bankId 10000",
	     "application/json",
	     "{\"bank\":{\"bankId\":10000,\"slotNr\":1},\"client\":{\"clientId\":2,\"slotNr\":0}}"},
	    {"bank slotNr 2000",
	     "application/json",
	     "{\"bank\":{\"bankId\":1,\"slotNr\":2000},\"client\":{\"clientId\":2,\"slotNr\":0}}"},
	    {"clientId 3000",
	     "application/json",
	     "{\"bank\":{\"bankId\":1,\"slotNr\":1},\"client\":{\"clientId\":3000,\"slotNr\":0}}"},
	    {"client slotNr 4000",
	     "application/json",
	     "{\"bank\":{\"bankId\":1,\"slotNr\":1},\"client\":{\"clientId\":2,\"slotNr\":4000}}"},
	    {"bankId 65537 (truncates to 1)",
	     "application/json",
	     "{\"bank\":{\"bankId\":65537,\"slotNr\":1},\"client\":{\"clientId\":2,\"slotNr\":0}}"},
	    {"clientId 2^32+2 (truncates to 2)",
	     "application/json",
	     "{\"bank\":{\"bankId\":1,\"slotNr\":1},\"client\":{\"clientId\":4294967298,"
	     "\"slotNr\":0}}"},
	    {"bankId string",
	     "application/json",
	     "{\"bank\":{\"bankId\":\"1\",\"slotNr\":1},\"client\":{\"clientId\":2,\"slotNr\":0}}"},
	    {"bankId float",
	     "application/json",
	     "{\"bank\":{\"bankId\":1.5,\"slotNr\":1},\"client\":{\"clientId\":2,\"slotNr\":0}}"},
	    {"bankId bool",
	     "application/json",
	     "{\"bank\":{\"bankId\":true,\"slotNr\":1},\"client\":{\"clientId\":2,\"slotNr\":0}}"},
	    {"slotNr null",
	     "application/json",
	     "{\"bank\":{\"bankId\":1,\"slotNr\":null},\"client\":{\"clientId\":2,\"slotNr\":0}}"},
	    {"bank is array",
	     "application/json",
	     "{\"bank\":[1,1],\"client\":{\"clientId\":2,\"slotNr\":0}}"},
	    {"client is string",
	     "application/json",
	     "{\"bank\":{\"bankId\":1,\"slotNr\":1},\"client\":\"C2:0\"}"},
	    {"bank slot already mapped",
	     "application/json",
	     "{\"bank\":{\"bankId\":1,\"slotNr\":0},\"client\":{\"clientId\":2,\"slotNr\":0}}"},
	    {"client slot already mapped",
	     "application/json",
	     "{\"bank\":{\"bankId\":2,\"slotNr\":0},\"client\":{\"clientId\":1,\"slotNr\":0}}"},
	    {"same map again",
	     "application/json",
	     "{\"bank\":{\"bankId\":1,\"slotNr\":0},\"client\":{\"clientId\":1,\"slotNr\":0}}"},
	};
	const gchar *not_found[][2] = {
	    {"DELETE", "/slotmaps/65537"},  /* B1:1, not mapped */
	    {"DELETE", "/slotmaps/999999"}, /* B15:16959 */
	    {"GET", "/banks/5"},
	    {"GET", "/clients/7"},
	    {"GET", "/nonexistent"},
	};
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;
	g_autoptr (RemsimTestPeer) bankd = NULL;
	g_autoptr (RemsimRsproMsg) create = NULL;

	/* one valid map, and a bankd to see that nothing is pushed */
	bankd = remsim_test_peer_new_bankd (f->rspro_port, 1, 8);
	g_assert_cmpuint (rest_post_slotmap (f, 1, 0, 1, 0), ==, 201);
	create = remsim_test_peer_wait_for (
	    bankd, REMSIM_RSPRO_CREATE_MAPPING_REQ, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (create);
	before = rest_get_body (f, "/slotmaps");

	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autofree gchar *url = g_strconcat (f->rest_base, "/slotmaps", NULL);
		g_autoptr (RemsimTestHttpResponse) r =
		    remsim_test_http ("POST", url, bad[i].content_type, bad[i].body);
		g_autofree gchar *body = remsim_test_http_response_body_str (r);
		g_autofree gchar *now = NULL;
		JsonObject *err;
		g_autoptr (GList) values = NULL;
		gboolean has_text = FALSE;

		g_test_message ("POST %s: %u %s", bad[i].what, r->status, body);
		g_assert_null (r->error);
		if (r->status != 400)
			g_error ("POST /slotmaps with %s (%s): expected 400, got %u %s",
				 bad[i].what,
				 bad[i].body,
				 r->status,
				 body);
		g_assert_cmpstr (r->content_type, ==, "application/json");
		if (r->json == NULL || !JSON_NODE_HOLDS_OBJECT (r->json))
			g_error ("POST %s: error body is not a JSON object: %s", bad[i].what, body);
		err = json_node_get_object (r->json);
		values = json_object_get_values (err);
		for (GList *l = values; l != NULL; l = l->next) {
			JsonNode *v = l->data;
			if (JSON_NODE_HOLDS_VALUE (v) &&
			    json_node_get_value_type (v) == G_TYPE_STRING &&
			    strlen (json_node_get_string (v)) > 0)
				has_text = TRUE;
		}
		g_assert_true (has_text);

		/* nothing changed */
		now = rest_get_body (f, "/slotmaps");
		g_assert_cmpstr (now, ==, before);
	}
	/* and nothing reached the bankd */
	g_assert_cmpuint (remsim_test_peer_count_pending (bankd, -2), ==, 0);

	for (guint i = 0; i < G_N_ELEMENTS (not_found); i++) {
		g_autofree gchar *url = g_strconcat (f->rest_base, not_found[i][1], NULL);
		g_autoptr (RemsimTestHttpResponse) r =
		    remsim_test_http (not_found[i][0], url, NULL, NULL);
		g_autofree gchar *body = remsim_test_http_response_body_str (r);

		g_test_message ("%s %s: %u %s", not_found[i][0], not_found[i][1], r->status, body);
		g_assert_null (r->error);
		if (r->status != 404)
			g_error ("%s %s: expected 404, got %u %s",
				 not_found[i][0],
				 not_found[i][1],
				 r->status,
				 body);
	}
	after = rest_get_body (f, "/slotmaps");
	g_assert_cmpstr (after, ==, before);
	g_assert_true (remsim_test_proc_is_alive (f->server));
}

static void
test_duplicate_bankd (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimTestPeer) first = remsim_test_peer_new_bankd (f->rspro_port, 1, 8);
	g_autoptr (RemsimTestPeer) second = NULL;
	g_autoptr (RemsimRsproMsg) res = NULL;
	g_autoptr (JsonNode) keep = NULL;
	JsonArray *arr;

	second = remsim_test_peer_connect ("127.0.0.1", f->rspro_port, "bankd-B1-dup", &error);
	g_assert_no_error (error);
	peer_send (second, remsim_test_msg_connect_bank_req (1, 4, "dup-bank"));
	res = remsim_test_peer_wait_for (
	    second, REMSIM_RSPRO_CONNECT_BANK_RES, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (res);
	assert_result (res, REMSIM_RESULT_IDENTITY_IN_USE);
	/* upstream lingers 1 s, then closes */
	g_assert_true (remsim_test_peer_wait_closed (second, 3000));

	/* the first keeps working and stays the one listed */
	arr = rest_get_list (f, "/banks", "banks", &keep);
	g_assert_cmpuint (json_array_get_length (arr), ==, 1);
	g_assert_cmpint (json_int (json_array_get_object_element (arr, 0), "numberOfSlots"), ==, 8);
	assert_bankd_gets_mapping (f, first, 1, 0, 5);
	g_assert_cmpuint (
	    remsim_test_peer_count_pending (second, REMSIM_RSPRO_CREATE_MAPPING_REQ), ==, 0);
	g_assert_true (remsim_test_proc_is_alive (f->server));
}

static void
test_duplicate_client (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimTestPeer) bankd = remsim_test_peer_new_bankd (f->rspro_port, 1, 8);
	g_autoptr (RemsimTestPeer) first = remsim_test_peer_new_client (f->rspro_port, 23, 0);
	g_autoptr (RemsimTestPeer) second = NULL;
	g_autoptr (RemsimRsproMsg) res = NULL;
	g_autoptr (RemsimRsproMsg) cfg = NULL;
	g_autoptr (JsonNode) keep = NULL;
	JsonArray *arr;

	second = remsim_test_peer_connect ("127.0.0.1", f->rspro_port, "client-C23:0-dup", &error);
	g_assert_no_error (error);
	peer_send (second, remsim_test_msg_connect_client_req (23, 0, "dup-client"));
	res = remsim_test_peer_wait_for (
	    second, REMSIM_RSPRO_CONNECT_CLIENT_RES, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (res);
	assert_result (res, REMSIM_RESULT_IDENTITY_IN_USE);
	g_assert_true (remsim_test_peer_wait_closed (second, 3000));

	arr = rest_get_list (f, "/clients", "clients", &keep);
	g_assert_cmpuint (json_array_get_length (arr), ==, 1);
	g_assert_cmpstr (json_str (json_array_get_object_element (arr, 0), "peer"), ==, "C23:0");

	/* the first client still gets its bankd */
	assert_bankd_gets_mapping (f, bankd, 1, 0, 23);
	peer_send (bankd,
		   remsim_test_msg_result (REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK));
	cfg = remsim_test_peer_wait_for (
	    first, REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (cfg);
	assert_config_client_bank (cfg, 1, 0, "127.0.0.1:9999");
	g_assert_false (remsim_test_peer_is_closed (first));
	g_assert_cmpuint (remsim_test_peer_count_pending (second, -2), ==, 0);
	g_assert_true (remsim_test_proc_is_alive (f->server));
}

/* ---- bad input ---- */

typedef struct {
	const gchar *name;
	const guint8 *data;
	gsize len;
	/* 0: at once (REMSIM_TEST_TIMEOUT_MS); else by this deadline */
	guint close_ms;
} BadInput;

static const guint8 bad_http[] = "GET / HTTP/1.1\r\nHost: remsim\r\n\r\n";
static const guint8 bad_stream[] = {0x00, 0x04, 0x42, 0xde, 0xad, 0xbe, 0xef};
static const guint8 bad_truncated[] = {
    /* ConnectBankReq cut after 23 of 50 bytes, IPA length matching the cut */
    0x00, 0x18, 0xee, 0x07, 0x30, 0x30, 0x80, 0x01, 0x02, 0x81, 0x01, 0x00, 0xa2, 0x28,
    0xa0, 0x26, 0x30, 0x1e, 0x0a, 0x01, 0x02, 0x16, 0x04, 0x62, 0x61, 0x6e, 0x6b};
static const guint8 bad_unknown_pdu[] = {
    0x00, 0x0d, 0xee, 0x07, 0x30, 0x0a, 0x80, 0x01, 0x02, 0x81, 0x01, 0x00, 0xa2, 0x02, 0xb9, 0x00};
static const guint8 bad_osmo_ext[] = {0x00, 0x03, 0xee, 0x05, 0x30, 0x00};

static const gchar *const reason_words[] = {
    "frame",	"length",  "large",	"long",	       "size",	    "stream",	   "ipa",
    "decode",	"ber",	   "malformed", "invalid",     "truncat",   "unknown",	   "unexpected",
    "protocol", "garbage", "pdu",	"unsupported", "extension", "not allowed", NULL};

/* the server's log has a line about the connection from local @port that
 * gives a reason */
static void
assert_log_reason (Fixture *f, guint16 port, const gchar *what)
{
	g_autofree gchar *log = remsim_test_proc_read_log (f->server);
	g_auto (GStrv) lines = g_strsplit (log, "\n", -1);
	g_autofree gchar *needle = g_strdup_printf (":%u", port);

	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *p = strstr (lines[i], needle);
		g_autofree gchar *lower = NULL;

		/* the port number must not continue with another digit */
		if (p == NULL || g_ascii_isdigit (p[strlen (needle)]))
			continue;
		lower = g_ascii_strdown (lines[i], -1);
		for (guint w = 0; reason_words[w] != NULL; w++) {
			if (strstr (lower, reason_words[w]) != NULL) {
				g_test_message ("%s: server says: %s", what, lines[i]);
				return;
			}
		}
	}
	g_test_message ("server log:\n%s", log);
	g_error ("%s: no log line names the connection from port %u with a reason", what, port);
}

static void
test_bad_input (Fixture *f, gconstpointer user_data)
{
	const BadInput *bad = user_data;
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimTestPeer) bankd = NULL;
	g_autoptr (RemsimTestPeer) bankd2 = NULL;
	g_autoptr (RemsimTestRaw) raw = NULL;
	g_autoptr (RemsimTestPeer) client = NULL;
	g_autoptr (JsonNode) keep = NULL;
	const guint8 ping[] = {0x00, 0x01, 0xfe, 0x00};
	guint16 port;
	JsonArray *arr;

	bankd = remsim_test_peer_new_bankd (f->rspro_port, 1, 8);

	/* a bystander client */
	client = remsim_test_peer_new_client (f->rspro_port, 99, 0);

	raw = remsim_test_raw_connect ("127.0.0.1", f->rspro_port, &error);
	g_assert_no_error (error);
	port = remsim_test_raw_get_local_port (raw);
	/* accepted: the server's keepalive PING arrives first */
	g_assert_true (remsim_test_raw_wait_frame (raw, ping, sizeof ping, REMSIM_TEST_TIMEOUT_MS));
	if (!remsim_test_raw_send (raw, bad->data, bad->len, &error))
		g_test_message ("send: %s", error->message);
	g_clear_error (&error);

	/* this connection, and only this one, is closed; for framing and BER
	 * errors well before the 10 s Connect*Req timer or the keepalive could
	 * do it */
	g_assert_true (remsim_test_raw_wait_closed (raw, bad->close_ms > 0 ? bad->close_ms : 4000));
	assert_log_reason (f, port, bad->name);
	g_assert_true (remsim_test_proc_is_alive (f->server));
	g_assert_false (remsim_test_peer_is_closed (bankd));
	g_assert_false (remsim_test_peer_is_closed (client));

	/* everybody else is still served */
	arr = rest_get_list (f, "/banks", "banks", &keep);
	g_assert_cmpuint (json_array_get_length (arr), ==, 1);
	assert_bankd_gets_mapping (f, bankd, 1, 0, 23);
	bankd2 = remsim_test_peer_new_bankd (f->rspro_port, 2, 4);
	assert_bankd_gets_mapping (f, bankd2, 2, 1, 24);
	g_assert_false (remsim_test_peer_is_closed (client));
	g_assert_true (remsim_test_proc_is_alive (f->server));
}

/* a 64 KiB IPA frame: the header alone must be enough to drop it */
static void
test_bad_input_huge (Fixture *f, gconstpointer user_data)
{
	g_autofree guint8 *buf = g_malloc (4 + 2000);
	BadInput bad = {"64 KiB frame", buf, 4 + 2000, 0};

	buf[0] = 0xff;
	buf[1] = 0xff;
	buf[2] = 0xee;
	buf[3] = 0x07;
	memset (buf + 4, 0x30, 2000);
	test_bad_input (f, &bad);
}

/* ---- IPA CCM ---- */

static void
test_ipa_ccm (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimTestRaw) raw = NULL;
	g_autoptr (GBytes) first = NULL;
	const guint8 ping[] = {0x00, 0x01, 0xfe, 0x00};
	const guint8 pong[] = {0x00, 0x01, 0xfe, 0x01};
	const guint8 id_ack[] = {0x00, 0x01, 0xfe, 0x06};
	/* ID_RESP with unit name and unit id, as upstream peers send it */
	const guint8 id_resp[] = {0x00, 0x1f, 0xfe, 0x05, 0x00, 0x13, 0x01, 0x30, 0x30,
				  0x2d, 0x30, 0x30, 0x2d, 0x30, 0x30, 0x2d, 0x30, 0x30,
				  0x2d, 0x30, 0x30, 0x2d, 0x30, 0x30, 0x00, 0x00, 0x07,
				  0x08, 0x30, 0x2f, 0x30, 0x2f, 0x30, 0x00};

	raw = remsim_test_raw_connect ("127.0.0.1", f->rspro_port, &error);
	g_assert_no_error (error);

	/* the server speaks first: a PING */
	g_assert_true (remsim_test_raw_wait_bytes (raw, 4, REMSIM_TEST_TIMEOUT_MS));
	first = remsim_test_raw_get_received (raw);
	g_assert_cmpmem (g_bytes_get_data (first, NULL), 4, ping, sizeof ping);
	g_assert_true (remsim_test_raw_send (raw, pong, sizeof pong, &error));
	g_assert_no_error (error);

	/* PING → PONG */
	g_assert_true (remsim_test_raw_send (raw, ping, sizeof ping, &error));
	g_assert_no_error (error);
	g_assert_true (remsim_test_raw_wait_frame (raw, pong, sizeof pong, REMSIM_TEST_TIMEOUT_MS));

	/* ID_ACK → ID_ACK, well within the 4 s upstream clients wait */
	g_assert_true (remsim_test_raw_send (raw, id_ack, sizeof id_ack, &error));
	g_assert_no_error (error);
	g_assert_true (remsim_test_raw_wait_frame (raw, id_ack, sizeof id_ack, 2000));

	/* a well-formed ID_RESP is accepted silently */
	g_assert_true (remsim_test_raw_send (raw, id_resp, sizeof id_resp, &error));
	g_assert_no_error (error);
	/* a second PING gets a second PONG: the connection is still fine */
	g_assert_true (remsim_test_raw_send (raw, ping, sizeof ping, &error));
	g_assert_no_error (error);
	g_assert_true (
	    remsim_test_raw_wait_frames (raw, pong, sizeof pong, 2, REMSIM_TEST_TIMEOUT_MS));
	g_assert_cmpuint (remsim_test_raw_count_frames (raw, pong, sizeof pong), ==, 2);
	g_assert_cmpuint (remsim_test_raw_count_frames (raw, id_ack, sizeof id_ack), ==, 1);
	g_assert_cmpuint (remsim_test_raw_count_frames (raw, ping, sizeof ping), ==, 1);
	g_assert_false (remsim_test_raw_is_closed (raw));
}

typedef struct {
	const gchar *name;
	const guint8 *data;
	gsize len;
} CcmClose;

static const guint8 ccm_id_get[] = {0x00, 0x05, 0xfe, 0x04, 0x01, 0x01, 0x01, 0x08};
static const guint8 ccm_unknown[] = {0x00, 0x01, 0xfe, 0x42};
/* ID_RESP with a unit name only, no unit id */
static const guint8 ccm_id_resp_no_unit[] = {
    0x00, 0x07, 0xfe, 0x05, 0x00, 0x04, 0x01, 0x61, 0x62, 0x00};

/* CCM messages upstream's server answers by closing the connection */
static void
test_ipa_ccm_close (Fixture *f, gconstpointer user_data)
{
	const CcmClose *c = user_data;
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimTestRaw) raw = NULL;
	g_autoptr (RemsimTestPeer) bankd = remsim_test_peer_new_bankd (f->rspro_port, 1, 8);
	const guint8 ping[] = {0x00, 0x01, 0xfe, 0x00};

	raw = remsim_test_raw_connect ("127.0.0.1", f->rspro_port, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_raw_wait_frame (raw, ping, sizeof ping, REMSIM_TEST_TIMEOUT_MS));
	g_assert_true (remsim_test_raw_send (raw, c->data, c->len, &error));
	g_assert_no_error (error);
	g_assert_true (remsim_test_raw_wait_closed (raw, 4000));
	g_assert_true (remsim_test_proc_is_alive (f->server));
	assert_bankd_gets_mapping (f, bankd, 1, 0, 23);
}

static void
test_keepalive (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimTestRaw) silent = NULL;
	g_autoptr (RemsimTestRaw) live = NULL;
	g_autoptr (RemsimTestPeer) bankd = remsim_test_peer_new_bankd (f->rspro_port, 1, 8);
	const guint8 ping[] = {0x00, 0x01, 0xfe, 0x00};
	const guint8 pong[] = {0x00, 0x01, 0xfe, 0x01};
	guint answered = 0;

	silent = remsim_test_raw_connect ("127.0.0.1", f->rspro_port, &error);
	g_assert_no_error (error);
	live = remsim_test_raw_connect ("127.0.0.1", f->rspro_port, &error);
	g_assert_no_error (error);

	/* the live one answers 8 PINGs (200 ms apart after each PONG), so it
	 * lives well past the 1 s in which the silent one had to answer */
	while (answered < 8) {
		g_assert_true (remsim_test_raw_wait_frames (
		    live, ping, sizeof ping, answered + 1, REMSIM_TEST_TIMEOUT_MS));
		g_assert_true (remsim_test_raw_send (live, pong, sizeof pong, &error));
		g_assert_no_error (error);
		answered++;
	}
	/* the silent one is gone after one timeout, long before the 10 s
	 * Connect*Req timer */
	g_assert_true (remsim_test_raw_wait_closed (silent, 5000));
	g_assert_cmpuint (remsim_test_raw_count_frames (silent, ping, sizeof ping), >=, 1);
	g_assert_false (remsim_test_raw_is_closed (live));
	/* the bankd's link answers PINGs by itself */
	g_assert_false (remsim_test_peer_is_closed (bankd));
	assert_bankd_gets_mapping (f, bankd, 1, 0, 23);
}

int
main (int argc, char **argv)
{
	static const BadInput bad_inputs[] = {
	    {"garbage (an HTTP request)", bad_http, sizeof bad_http - 1, 0},
	    {"unknown IPA stream", bad_stream, sizeof bad_stream, 0},
	    {"unknown OSMO extension", bad_osmo_ext, sizeof bad_osmo_ext, 0},
	    {"truncated BER", bad_truncated, sizeof bad_truncated, 0},
	    /* closed at once: a peer that does not identify itself first */
	    {"unknown PDU choice", bad_unknown_pdu, sizeof bad_unknown_pdu, 0},
	};
	static const gchar *const bad_paths[] = {
	    "/remsim/server/bad-input/garbage",
	    "/remsim/server/bad-input/unknown-stream",
	    "/remsim/server/bad-input/unknown-osmo-extension",
	    "/remsim/server/bad-input/truncated-ber",
	    "/remsim/server/bad-input/unknown-pdu",
	};
	static const CcmClose ccm_close[] = {
	    {"ID_GET", ccm_id_get, sizeof ccm_id_get},
	    {"unknown CCM type", ccm_unknown, sizeof ccm_unknown},
	    {"ID_RESP without unit id", ccm_id_resp_no_unit, sizeof ccm_id_resp_no_unit},
	};
	static const gchar *const ccm_paths[] = {
	    "/remsim/server/ipa/id-get-closes",
	    "/remsim/server/ipa/unknown-ccm-closes",
	    "/remsim/server/ipa/id-resp-without-unit-id-closes",
	};

	/* a write to a connection the server has just closed must not kill us */
	signal (SIGPIPE, SIG_IGN);
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add ("/remsim/server/mapping-flow",
		    Fixture,
		    NULL,
		    fixture_setup,
		    test_mapping_flow,
		    fixture_teardown);
	g_test_add ("/remsim/server/persistence/sigterm",
		    Fixture,
		    GINT_TO_POINTER (SIGTERM),
		    fixture_setup,
		    test_persistence,
		    fixture_teardown);
	g_test_add ("/remsim/server/persistence/sigkill",
		    Fixture,
		    GINT_TO_POINTER (SIGKILL),
		    fixture_setup,
		    test_persistence,
		    fixture_teardown);
	g_test_add ("/remsim/server/rest-errors",
		    Fixture,
		    NULL,
		    fixture_setup,
		    test_rest_errors,
		    fixture_teardown);
	g_test_add ("/remsim/server/duplicate/bankd",
		    Fixture,
		    NULL,
		    fixture_setup,
		    test_duplicate_bankd,
		    fixture_teardown);
	g_test_add ("/remsim/server/duplicate/client",
		    Fixture,
		    NULL,
		    fixture_setup,
		    test_duplicate_client,
		    fixture_teardown);
	for (guint i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
		g_test_add (bad_paths[i],
			    Fixture,
			    &bad_inputs[i],
			    fixture_setup,
			    test_bad_input,
			    fixture_teardown);
	g_test_add ("/remsim/server/bad-input/huge-frame",
		    Fixture,
		    NULL,
		    fixture_setup,
		    test_bad_input_huge,
		    fixture_teardown);
	g_test_add (
	    "/remsim/server/ipa/ccm", Fixture, NULL, fixture_setup, test_ipa_ccm, fixture_teardown);
	for (guint i = 0; i < G_N_ELEMENTS (ccm_close); i++)
		g_test_add (ccm_paths[i],
			    Fixture,
			    &ccm_close[i],
			    fixture_setup,
			    test_ipa_ccm_close,
			    fixture_teardown);
	g_test_add ("/remsim/server/keepalive",
		    Fixture,
		    NULL,
		    fixture_setup_keepalive,
		    test_keepalive,
		    fixture_teardown);
	return g_test_run ();
}
