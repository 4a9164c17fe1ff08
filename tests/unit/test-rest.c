/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "core/remsim-error.h"
#include "core/remsim-link.h"
#include "core/remsim-rest.h"
#include "core/remsim-server.h"

/* in-process RemsimServer + RemsimRest on loopback, driven with SoupSession
 * and with scripted RSPRO peers (RemsimLink, INITIATOR role) */

#define P "/api/backend/v1"

typedef struct {
	gchar *tmpdir;
	gchar *state_file;
	RemsimSlotmapStore *store;
	RemsimServer *server;
	RemsimRest *rest;
	SoupSession *session;
	gchar *base;
} Fixture;

static void
fixture_start (Fixture *fx)
{
	g_autoptr (GError) error = NULL;

	fx->store = remsim_slotmap_store_new ();
	remsim_slotmap_store_set_state_file (fx->store, fx->state_file);
	g_assert_true (remsim_slotmap_store_load (fx->store, &error));
	g_assert_no_error (error);
	fx->server = remsim_server_new (fx->store);
	remsim_server_set_reject_linger (fx->server, 100);
	g_assert_true (remsim_server_listen (fx->server, "127.0.0.1", 0, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (remsim_server_get_port (fx->server), !=, 0);
	fx->rest = remsim_rest_new (fx->server);
	g_assert_true (remsim_rest_listen (fx->rest, "127.0.0.1", 0, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (remsim_rest_get_port (fx->rest), !=, 0);
	g_free (fx->base);
	fx->base = g_strdup_printf ("http://127.0.0.1:%u", remsim_rest_get_port (fx->rest));
}

static void
fixture_stop (Fixture *fx)
{
	remsim_rest_stop (fx->rest);
	remsim_server_stop (fx->server);
	g_clear_object (&fx->rest);
	g_clear_object (&fx->server);
	g_clear_object (&fx->store);
	/* let closed sockets and idle callbacks settle */
	while (g_main_context_iteration (NULL, FALSE))
		;
}

static void
fixture_setup (Fixture *fx, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;

	fx->tmpdir = g_dir_make_tmp ("remsim-test-rest-XXXXXX", &error);
	g_assert_no_error (error);
	fx->state_file = g_build_filename (fx->tmpdir, "slotmaps.conf", NULL);
	fx->session = soup_session_new ();
	fixture_start (fx);
}

static void
fixture_teardown (Fixture *fx, gconstpointer user_data)
{
	fixture_stop (fx);
	g_clear_object (&fx->session);
	g_unlink (fx->state_file);
	g_rmdir (fx->tmpdir);
	g_free (fx->state_file);
	g_free (fx->tmpdir);
	g_free (fx->base);
}

/* main loop helpers **********************************************************/

static gboolean
timeout_cb (gpointer user_data)
{
	gboolean *timed_out = user_data;
	*timed_out = TRUE;
	return G_SOURCE_REMOVE;
}

typedef gboolean (*CondFunc) (gpointer data);

static gboolean
wait_for (CondFunc cond, gpointer data, guint ms)
{
	gboolean timed_out = FALSE;
	guint id = g_timeout_add (ms, timeout_cb, &timed_out);

	while (!cond (data) && !timed_out)
		g_main_context_iteration (NULL, TRUE);
	if (!timed_out)
		g_source_remove (id);
	return cond (data);
}

static void
spin (guint ms)
{
	gboolean timed_out = FALSE;
	g_timeout_add (ms, timeout_cb, &timed_out);
	while (!timed_out)
		g_main_context_iteration (NULL, TRUE);
}

/* HTTP ***********************************************************************/

typedef struct {
	GBytes *body;
	GError *error;
	gboolean done;
} HttpCtx;

static gboolean
http_done (gpointer data)
{
	return ((HttpCtx *)data)->done;
}

static void
http_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	HttpCtx *ctx = user_data;
	ctx->body = soup_session_send_and_read_finish (SOUP_SESSION (source), res, &ctx->error);
	ctx->done = TRUE;
}

/* one request; returns the status, the body as a string and its content type */
static guint
http (Fixture *fx,
      const gchar *method,
      const gchar *path,
      const gchar *ctype,
      const gchar *body,
      gchar **out_body,
      gchar **out_ctype)
{
	g_autofree gchar *uri = g_strconcat (fx->base, path, NULL);
	g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
	HttpCtx ctx = {0};
	const gchar *ct;

	g_assert_nonnull (msg);
	if (body != NULL) {
		g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
		soup_message_set_request_body_from_bytes (msg, NULL, bytes);
		if (ctype != NULL)
			soup_message_headers_replace (
			    soup_message_get_request_headers (msg), "Content-Type", ctype);
	}
	soup_session_send_and_read_async (
	    fx->session, msg, G_PRIORITY_DEFAULT, NULL, http_cb, &ctx);
	g_assert_true (wait_for (http_done, &ctx, 5000));
	g_assert_no_error (ctx.error);
	if (out_body != NULL)
		*out_body =
		    g_bytes_get_size (ctx.body) > 0
			? g_strndup (g_bytes_get_data (ctx.body, NULL), g_bytes_get_size (ctx.body))
			: g_strdup ("");
	ct = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
	if (out_ctype != NULL)
		*out_ctype = g_strdup (ct);
	g_bytes_unref (ctx.body);
	return soup_message_get_status (msg);
}

/* GET @path: 200, application/json, and exactly @expected */
static void
assert_get_json (Fixture *fx, const gchar *path, const gchar *expected)
{
	g_autofree gchar *body = NULL;
	g_autofree gchar *ctype = NULL;

	g_assert_cmpuint (http (fx, "GET", path, NULL, NULL, &body, &ctype), ==, 200);
	g_assert_cmpstr (ctype, ==, "application/json");
	g_assert_cmpstr (body, ==, expected);
}

/* an error answer: @status, a JSON object with exactly one string "error" */
static void
assert_error (Fixture *fx,
	      const gchar *method,
	      const gchar *path,
	      const gchar *ctype,
	      const gchar *req_body,
	      guint status)
{
	g_autofree gchar *body = NULL;
	g_autofree gchar *rctype = NULL;
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;
	JsonObject *obj;

	g_assert_cmpuint (http (fx, method, path, ctype, req_body, &body, &rctype), ==, status);
	g_assert_cmpstr (rctype, ==, "application/json");
	g_assert_true (json_parser_load_from_data (parser, body, -1, &error));
	g_assert_no_error (error);
	g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
	obj = json_node_get_object (json_parser_get_root (parser));
	g_assert_cmpuint (json_object_get_size (obj), ==, 1);
	g_assert_nonnull (json_object_get_string_member (obj, "error"));
	g_test_message ("%s %s -> %u %s", method, path, status, body);
}

static void
assert_empty (Fixture *fx,
	      const gchar *method,
	      const gchar *path,
	      const gchar *ctype,
	      const gchar *req_body,
	      guint status)
{
	g_autofree gchar *body = NULL;

	g_assert_cmpuint (http (fx, method, path, ctype, req_body, &body, NULL), ==, status);
	g_assert_cmpstr (body, ==, "");
}

static void
post_map (Fixture *fx, guint b, guint bs, guint c, guint cs)
{
	g_autofree gchar *json = g_strdup_printf (
	    "{\"bank\":{\"bankId\":%u,\"slotNr\":%u},\"client\":{\"clientId\":%u,\"slotNr\":%u}}",
	    b,
	    bs,
	    c,
	    cs);
	assert_empty (fx, "POST", P "/slotmaps", "application/json", json, 201);
}

static gchar *
get_body (Fixture *fx, const gchar *path)
{
	gchar *body = NULL;
	g_assert_cmpuint (http (fx, "GET", path, NULL, NULL, &body, NULL), ==, 200);
	return body;
}

/* RSPRO peers ****************************************************************/

typedef struct {
	RemsimLink *link;
	GQueue msgs;
	gboolean closed;
} Peer;

static void
peer_message_cb (RemsimLink *link, RemsimRsproMsg *msg, gpointer user_data)
{
	Peer *peer = user_data;
	g_queue_push_tail (&peer->msgs, remsim_rspro_msg_copy (msg));
}

static void
peer_closed_cb (RemsimLink *link, const gchar *reason, gpointer user_data)
{
	Peer *peer = user_data;
	peer->closed = TRUE;
}

static Peer *
peer_new (Fixture *fx)
{
	g_autoptr (GSocketClient) client = g_socket_client_new ();
	g_autoptr (GSocketConnection) conn = NULL;
	g_autoptr (GError) error = NULL;
	Peer *peer = g_new0 (Peer, 1);

	g_socket_client_set_enable_proxy (client, FALSE);
	conn = g_socket_client_connect_to_host (
	    client, "127.0.0.1", remsim_server_get_port (fx->server), NULL, &error);
	g_assert_no_error (error);
	peer->link = remsim_link_new (G_IO_STREAM (conn), REMSIM_LINK_ROLE_INITIATOR);
	g_queue_init (&peer->msgs);
	g_signal_connect (peer->link, "message", G_CALLBACK (peer_message_cb), peer);
	g_signal_connect (peer->link, "closed", G_CALLBACK (peer_closed_cb), peer);
	remsim_link_start (peer->link);
	return peer;
}

static void
peer_free (Peer *peer)
{
	g_signal_handlers_disconnect_by_data (peer->link, peer);
	remsim_link_close (peer->link, "test done");
	g_object_unref (peer->link);
	g_queue_clear_full (&peer->msgs, (GDestroyNotify)remsim_rspro_msg_free);
	g_free (peer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_free)

static gboolean
peer_has_msg (gpointer data)
{
	return !g_queue_is_empty (&((Peer *)data)->msgs);
}

static gboolean
peer_is_closed (gpointer data)
{
	return ((Peer *)data)->closed;
}

static RemsimRsproMsg *
peer_expect (Peer *peer, RemsimRsproType type)
{
	RemsimRsproMsg *msg;

	g_assert_true (wait_for (peer_has_msg, peer, 5000));
	msg = g_queue_pop_head (&peer->msgs);
	g_assert_cmpstr (
	    remsim_rspro_type_to_string (msg->type), ==, remsim_rspro_type_to_string (type));
	return msg;
}

/* nothing arrives within @ms */
static void
peer_expect_nothing (Peer *peer, guint ms)
{
	spin (ms);
	if (!g_queue_is_empty (&peer->msgs)) {
		RemsimRsproMsg *msg = g_queue_peek_head (&peer->msgs);
		g_error ("unexpected %s", remsim_rspro_type_to_string (msg->type));
	}
}

static void
peer_skip (Peer *peer, RemsimRsproType type)
{
	remsim_rspro_msg_free (peer_expect (peer, type));
}

static void
peer_send (Peer *peer, RemsimRsproMsg *msg)
{
	g_autoptr (GError) error = NULL;
	g_assert_true (remsim_link_send (peer->link, msg, &error));
	g_assert_no_error (error);
}

static void
peer_send_result (Peer *peer, RemsimRsproType type, RemsimResultCode result)
{
	g_autoptr (RemsimRsproMsg) msg = remsim_rspro_msg_new (type);
	msg->result = result;
	peer_send (peer, msg);
}

static Peer *
bankd_connect (
    Fixture *fx, guint bank_id, guint nslots, const RemsimIpPort *bound, RemsimResultCode expected)
{
	Peer *peer = peer_new (fx);
	g_autoptr (RemsimRsproMsg) req = remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_BANK_REQ);
	g_autoptr (RemsimRsproMsg) res = NULL;

	remsim_component_identity_init_self (&req->identity, REMSIM_COMPONENT_BANKD, "bank");
	g_clear_pointer (&req->identity.hw_manufacturer, g_free);
	req->identity.hw_manufacturer = g_strdup ("sysmocom");
	req->bank_id = bank_id;
	req->number_of_slots = nslots;
	if (bound != NULL) {
		req->has_bound = TRUE;
		req->bound = *bound;
	}
	peer_send (peer, req);
	res = peer_expect (peer, REMSIM_RSPRO_CONNECT_BANK_RES);
	g_assert_cmpint (res->result, ==, expected);
	g_assert_cmpint (res->identity.type, ==, REMSIM_COMPONENT_SERVER);
	g_assert_cmpstr (res->identity.software, ==, "remsim-server");
	return peer;
}

static Peer *
client_connect (Fixture *fx, guint client_id, guint slot_nr, RemsimResultCode expected)
{
	Peer *peer = peer_new (fx);
	g_autoptr (RemsimRsproMsg) req = remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_CLIENT_REQ);
	g_autoptr (RemsimRsproMsg) res = NULL;

	remsim_component_identity_init_self (&req->identity, REMSIM_COMPONENT_CLIENT, "host");
	req->has_client_slot = TRUE;
	req->client_slot.client_id = client_id;
	req->client_slot.slot_nr = slot_nr;
	peer_send (peer, req);
	res = peer_expect (peer, REMSIM_RSPRO_CONNECT_CLIENT_RES);
	g_assert_cmpint (res->result, ==, expected);
	g_assert_cmpuint (res->tag, ==, REMSIM_RSPRO_TAG_CONNECT_CLIENT_RES);
	g_assert_cmpint (res->identity.type, ==, REMSIM_COMPONENT_SERVER);
	return peer;
}

static void
assert_mapping_msg (const RemsimRsproMsg *msg, guint b, guint bs, guint c, guint cs)
{
	g_assert_cmpuint (msg->bank_slot.bank_id, ==, b);
	g_assert_cmpuint (msg->bank_slot.slot_nr, ==, bs);
	g_assert_cmpuint (msg->client_slot.client_id, ==, c);
	g_assert_cmpuint (msg->client_slot.slot_nr, ==, cs);
}

static void
assert_config_bank (const RemsimRsproMsg *msg, guint b, guint bs, const gchar *ip, guint port)
{
	g_autoptr (GInetAddress) inet = NULL;
	g_autofree gchar *str = NULL;

	g_assert_cmpuint (msg->bank_slot.bank_id, ==, b);
	g_assert_cmpuint (msg->bank_slot.slot_nr, ==, bs);
	g_assert_cmpint (msg->bound.family, ==, G_SOCKET_FAMILY_IPV4);
	inet = g_inet_address_new_from_bytes (msg->bound.addr, G_SOCKET_FAMILY_IPV4);
	str = g_inet_address_to_string (inet);
	g_assert_cmpstr (str, ==, ip);
	g_assert_cmpuint (msg->bound.port, ==, port);
}

/* tests: REST only ***********************************************************/

static void
test_rest_empty (Fixture *fx, gconstpointer user_data)
{
	assert_get_json (fx, P "/banks", "{\"banks\":[]}");
	assert_get_json (fx, P "/clients", "{\"clients\":[]}");
	assert_get_json (fx, P "/slotmaps", "{\"slotmaps\":[]}");
	assert_empty (fx, "GET", P "/restart-counter", NULL, NULL, 200);
}

static void
test_rest_slotmaps (Fixture *fx, gconstpointer user_data)
{
	post_map (fx, 1, 2, 3, 4);
	post_map (fx, 0, 0, 23, 0);
	post_map (fx, 1023, 1023, 1023, 1023);
	assert_get_json (
	    fx,
	    P "/slotmaps",
	    "{\"slotmaps\":["
	    "{\"bank\":{\"bankId\":1,\"slotNr\":2},\"client\":{\"clientId\":3,\"slotNr\":4},"
	    "\"state\":\"NEW\"},"
	    "{\"bank\":{\"bankId\":0,\"slotNr\":0},\"client\":{\"clientId\":23,\"slotNr\":0},"
	    "\"state\":\"NEW\"},"
	    "{\"bank\":{\"bankId\":1023,\"slotNr\":1023},\"client\":{\"clientId\":1023,"
	    "\"slotNr\":1023},\"state\":\"NEW\"}]}");

	/* id = bankId * 65536 + slotNr */
	assert_empty (fx, "DELETE", P "/slotmaps/65538", NULL, NULL, 200);
	assert_error (fx, "DELETE", P "/slotmaps/65538", NULL, NULL, 404);
	assert_empty (fx, "DELETE", P "/slotmaps/0", NULL, NULL, 200);
	assert_empty (fx, "DELETE", P "/slotmaps/67044351", NULL, NULL, 200);
	assert_get_json (fx, P "/slotmaps", "{\"slotmaps\":[]}");

	/* extra members are ignored, a missing content type is accepted, a
	 * charset parameter too */
	assert_empty (
	    fx,
	    "POST",
	    P "/slotmaps",
	    NULL,
	    "{\"bank\":{\"bankId\":5,\"slotNr\":6},\"client\":{\"clientId\":7,\"slotNr\":8},"
	    "\"state\":\"ACTIVE\"}",
	    201);
	assert_empty (
	    fx,
	    "POST",
	    P "/slotmaps",
	    "application/json; charset=utf-8",
	    "{\"bank\":{\"bankId\":5,\"slotNr\":7},\"client\":{\"clientId\":7,\"slotNr\":9}}",
	    201);
	assert_get_json (
	    fx,
	    P "/slotmaps",
	    "{\"slotmaps\":["
	    "{\"bank\":{\"bankId\":5,\"slotNr\":6},\"client\":{\"clientId\":7,\"slotNr\":8},"
	    "\"state\":\"NEW\"},"
	    "{\"bank\":{\"bankId\":5,\"slotNr\":7},\"client\":{\"clientId\":7,\"slotNr\":9},"
	    "\"state\":\"NEW\"}]}");

	/* a new map for a freed slot */
	assert_empty (fx, "DELETE", P "/slotmaps/327686", NULL, NULL, 200);
	post_map (fx, 5, 6, 1, 1);
}

static void
test_rest_bad_post (Fixture *fx, gconstpointer user_data)
{
	const gchar *bad[] = {
	    "",
	    "not json",
	    "{\"bank\":{\"bankId\":1,\"slotNr\":2}",
	    "[]",
	    "42",
	    "null",
	    "{}",
	    "{\"client\":{\"clientId\":3,\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":1,\"slotNr\":2}}",
	    "{\"bank\":[1,2],\"client\":{\"clientId\":3,\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":1,\"slotNr\":2},\"client\":\"C3:4\"}",
	    "{\"bank\":{\"slotNr\":2},\"client\":{\"clientId\":3,\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":1},\"client\":{\"clientId\":3,\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":1,\"slotNr\":2},\"client\":{\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":1,\"slotNr\":2},\"client\":{\"clientId\":3}}",
	    "{\"bank\":{\"bankId\":\"1\",\"slotNr\":2},\"client\":{\"clientId\":3,\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":1.0,\"slotNr\":2},\"client\":{\"clientId\":3,\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":1,\"slotNr\":2.5},\"client\":{\"clientId\":3,\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":1,\"slotNr\":2},\"client\":{\"clientId\":true,\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":1,\"slotNr\":2},\"client\":{\"clientId\":3,\"slotNr\":null}}",
	    "{\"bank\":{\"bankId\":1,\"slotNr\":2},\"client\":{\"clientId\":3,\"slotNr\":[4]}}",
	    "{\"bank\":{\"bankId\":1e2,\"slotNr\":2},\"client\":{\"clientId\":3,\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":-1,\"slotNr\":2},\"client\":{\"clientId\":3,\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":10000,\"slotNr\":2},\"client\":{\"clientId\":3,\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":1,\"slotNr\":2000},\"client\":{\"clientId\":3,\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":1,\"slotNr\":2},\"client\":{\"clientId\":3000,\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":1,\"slotNr\":2},\"client\":{\"clientId\":3,\"slotNr\":4000}}",
	    "{\"bank\":{\"bankId\":1,\"slotNr\":2},\"client\":{\"clientId\":3,\"slotNr\":1024}}",
	    "{\"bank\":{\"bankId\":65537,\"slotNr\":2},\"client\":{\"clientId\":3,\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":4294967297,\"slotNr\":2},\"client\":{\"clientId\":3,\"slotNr\":"
	    "4}}",
	    "{\"bank\":{\"bankId\":99999999999999999999999,\"slotNr\":2},\"client\":{\"clientId\":"
	    "3,"
	    "\"slotNr\":4}}",
	    "{\"bank\":{\"bankId\":-4294967295,\"slotNr\":2},\"client\":{\"clientId\":3,\"slotNr\":"
	    "4}}",
	    /* the slots of the map posted below */
	    "{\"bank\":{\"bankId\":1,\"slotNr\":1},\"client\":{\"clientId\":9,\"slotNr\":9}}",
	    "{\"bank\":{\"bankId\":9,\"slotNr\":9},\"client\":{\"clientId\":2,\"slotNr\":2}}",
	    "{\"bank\":{\"bankId\":1,\"slotNr\":1},\"client\":{\"clientId\":2,\"slotNr\":2}}",
	};
	const gchar *expected = "{\"slotmaps\":[{\"bank\":{\"bankId\":1,\"slotNr\":1},\"client\":{"
				"\"clientId\":2,\"slotNr\":2},\"state\":\"NEW\"}]}";

	post_map (fx, 1, 1, 2, 2);
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		assert_error (fx, "POST", P "/slotmaps", "application/json", bad[i], 400);
		/* a refused POST changes nothing */
		assert_get_json (fx, P "/slotmaps", expected);
	}

	/* a content type other than JSON */
	assert_error (
	    fx,
	    "POST",
	    P "/slotmaps",
	    "text/plain",
	    "{\"bank\":{\"bankId\":3,\"slotNr\":3},\"client\":{\"clientId\":3,\"slotNr\":3}}",
	    400);
	assert_error (
	    fx, "POST", P "/slotmaps", "application/x-www-form-urlencoded", "bank=1", 400);
	assert_get_json (fx, P "/slotmaps", expected);

	/* binary garbage with a NUL */
	{
		g_autofree gchar *uri = g_strconcat (fx->base, P "/slotmaps", NULL);
		g_autoptr (SoupMessage) msg = soup_message_new ("POST", uri);
		g_autoptr (GBytes) bytes = g_bytes_new ("{\"a\0\xff\xfe", 7);
		HttpCtx ctx = {0};

		soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
		soup_session_send_and_read_async (
		    fx->session, msg, G_PRIORITY_DEFAULT, NULL, http_cb, &ctx);
		g_assert_true (wait_for (http_done, &ctx, 5000));
		g_assert_no_error (ctx.error);
		g_assert_cmpuint (soup_message_get_status (msg), ==, 400);
		g_bytes_unref (ctx.body);
	}
	assert_get_json (fx, P "/slotmaps", expected);
}

static void
test_rest_not_found (Fixture *fx, gconstpointer user_data)
{
	assert_error (fx, "GET", "/", NULL, NULL, 404);
	assert_error (fx, "GET", "/api/backend/v2/banks", NULL, NULL, 404);
	assert_error (fx, "GET", P, NULL, NULL, 404);
	assert_error (fx, "GET", P "/", NULL, NULL, 404);
	assert_error (fx, "GET", P "/foo", NULL, NULL, 404);
	assert_error (fx, "GET", P "/banks/", NULL, NULL, 404);
	assert_error (fx, "GET", P "/banks/1/x", NULL, NULL, 404);
	assert_error (fx, "GET", P "/slotmaps/1", NULL, NULL, 404);
	assert_error (fx, "PUT", P "/slotmaps", "application/json", "{}", 404);
	assert_error (fx, "DELETE", P "/slotmaps", NULL, NULL, 404);
	assert_error (fx, "POST", P "/banks", "application/json", "{}", 404);
	assert_error (fx, "GET", P "/global-reset", NULL, NULL, 404);
	assert_error (fx, "DELETE", P "/banks/1", NULL, NULL, 404);

	/* unknown but well-formed ids: 404 (upstream: 200, empty body) */
	assert_error (fx, "GET", P "/banks/1", NULL, NULL, 404);
	assert_error (fx, "GET", P "/banks/0", NULL, NULL, 404);
	assert_error (fx, "GET", P "/banks/65535", NULL, NULL, 404);
	assert_error (fx, "GET", P "/clients/0", NULL, NULL, 404);
	assert_error (fx, "GET", P "/clients/23", NULL, NULL, 404);
	assert_error (fx, "DELETE", P "/slotmaps/65536", NULL, NULL, 404);
	assert_error (fx, "DELETE", P "/slotmaps/4294967295", NULL, NULL, 404);

	/* malformed ids: 400 */
	assert_error (fx, "GET", P "/banks/65536", NULL, NULL, 400);
	assert_error (fx, "GET", P "/banks/abc", NULL, NULL, 400);
	assert_error (fx, "GET", P "/banks/-1", NULL, NULL, 400);
	assert_error (fx, "GET", P "/banks/+1", NULL, NULL, 400);
	assert_error (fx, "GET", P "/clients/99999999999999999999999", NULL, NULL, 400);
	assert_error (fx, "GET", P "/clients/1x", NULL, NULL, 400);
	assert_error (fx, "DELETE", P "/slotmaps/abc", NULL, NULL, 400);
	assert_error (fx, "DELETE", P "/slotmaps/-1", NULL, NULL, 400);
	assert_error (fx, "DELETE", P "/slotmaps/4294967296", NULL, NULL, 400);
	assert_error (fx, "DELETE", P "/slotmaps/0x10", NULL, NULL, 400);
}

static void
test_rest_global_reset (Fixture *fx, gconstpointer user_data)
{
	post_map (fx, 1, 0, 1, 0);
	post_map (fx, 1, 1, 1, 1);
	post_map (fx, 2, 0, 2, 0);
	assert_empty (fx, "POST", P "/global-reset", NULL, NULL, 200);
	assert_get_json (fx, P "/slotmaps", "{\"slotmaps\":[]}");
	/* a body is ignored */
	assert_empty (fx, "POST", P "/global-reset", "application/json", "{\"x\":1}", 200);
	post_map (fx, 1, 0, 1, 0);
}

static void
test_rest_state_file (Fixture *fx, gconstpointer user_data)
{
	post_map (fx, 1, 2, 3, 4);
	post_map (fx, 5, 6, 7, 8);
	assert_empty (fx, "DELETE", P "/slotmaps/65538", NULL, NULL, 200);
	post_map (fx, 9, 9, 9, 9);

	/* restart: the maps are back, in NEW and in order */
	fixture_stop (fx);
	fixture_start (fx);
	assert_get_json (
	    fx,
	    P "/slotmaps",
	    "{\"slotmaps\":["
	    "{\"bank\":{\"bankId\":5,\"slotNr\":6},\"client\":{\"clientId\":7,\"slotNr\":8},"
	    "\"state\":\"NEW\"},"
	    "{\"bank\":{\"bankId\":9,\"slotNr\":9},\"client\":{\"clientId\":9,\"slotNr\":9},"
	    "\"state\":\"NEW\"}]}");
}

static void
test_rest_api (Fixture *fx, gconstpointer user_data)
{
	RemsimBankSlot bank = {1, 2};
	RemsimClientSlot client = {3, 4};
	RemsimBankSlot bad_bank = {1024, 0};
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimSlotmap) map = NULL;
	g_autoptr (RemsimSlotmap) map2 = NULL;
	g_autoptr (GPtrArray) maps = NULL;

	map = remsim_server_create_slotmap (fx->server, &bank, &client, &error);
	g_assert_no_error (error);
	g_assert_nonnull (map);
	g_assert_cmpuint (remsim_slotmap_get_id (map), ==, 65538);

	map2 = remsim_server_create_slotmap (fx->server, &bank, &(RemsimClientSlot){5, 5}, &error);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_SLOT_IN_USE);
	g_assert_null (map2);
	g_clear_error (&error);
	map2 = remsim_server_create_slotmap (fx->server, &(RemsimBankSlot){5, 5}, &client, &error);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_SLOT_IN_USE);
	g_clear_error (&error);
	map2 =
	    remsim_server_create_slotmap (fx->server, &bad_bank, &(RemsimClientSlot){5, 5}, &error);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);

	maps = remsim_server_get_slotmaps (fx->server);
	g_assert_cmpuint (maps->len, ==, 1);
	g_assert_false (remsim_server_remove_slotmap (fx->server, 1, &error));
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_assert_true (remsim_server_remove_slotmap (fx->server, 65538, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (remsim_slotmap_store_get_all (fx->store)->len, ==, 0);
}

/* tests: RSPRO peers and REST together ***************************************/

static void
test_rspro_bankd_flow (Fixture *fx, gconstpointer user_data)
{
	g_autoptr (Peer) bankd = NULL;
	g_autoptr (Peer) client = NULL;
	g_autoptr (RemsimRsproMsg) msg = NULL;
	g_autofree gchar *body = NULL;

	/* a map for a bankd that is not there yet */
	post_map (fx, 1, 0, 23, 0);

	/* the bankd connects: ConnectBankRes, then CreateMappingReq, and the
	 * map is UNACKNOWLEDGED by the time the bankd sees the response */
	bankd = bankd_connect (fx, 1, 8, NULL, REMSIM_RESULT_OK);
	assert_get_json (fx,
			 P "/slotmaps",
			 "{\"slotmaps\":[{\"bank\":{\"bankId\":1,\"slotNr\":0},\"client\":{"
			 "\"clientId\":23,\"slotNr\":0},\"state\":\"UNACKNOWLEDGED\"}]}");
	msg = peer_expect (bankd, REMSIM_RSPRO_CREATE_MAPPING_REQ);
	assert_mapping_msg (msg, 1, 0, 23, 0);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	body = get_body (fx, P "/banks");
	g_assert_cmpstr (
	    body,
	    ==,
	    "{\"banks\":[{\"peer\":\"B1\",\"state\":\"CONNECTED_BANKD\",\"component_id\":"
	    "{\"type_\":\"remsimBankd\",\"name\":\"bank\",\"software\":\"remsim-bankd\","
	    "\"swVersion\":\"" PACKAGE_VERSION "\",\"hwManufacturer\":\"sysmocom\"},"
	    "\"bankId\":1,\"numberOfSlots\":8}]}");
	g_clear_pointer (&body, g_free);
	assert_get_json (
	    fx,
	    P "/banks/1",
	    "{\"peer\":\"B1\",\"state\":\"CONNECTED_BANKD\",\"component_id\":"
	    "{\"type_\":\"remsimBankd\",\"name\":\"bank\",\"software\":\"remsim-bankd\","
	    "\"swVersion\":\"" PACKAGE_VERSION "\",\"hwManufacturer\":\"sysmocom\"},"
	    "\"bankId\":1,\"numberOfSlots\":8}");
	assert_error (fx, "GET", P "/banks/2", NULL, NULL, 404);

	/* ack → ACTIVE */
	peer_send_result (bankd, REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK);
	spin (100);
	assert_get_json (fx,
			 P "/slotmaps",
			 "{\"slotmaps\":[{\"bank\":{\"bankId\":1,\"slotNr\":0},\"client\":{"
			 "\"clientId\":23,\"slotNr\":0},\"state\":\"ACTIVE\"}]}");

	/* the client connects and learns its bankd: peer IP, port 9999 */
	client = client_connect (fx, 23, 0, REMSIM_RESULT_OK);
	msg = peer_expect (client, REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ);
	assert_config_bank (msg, 1, 0, "127.0.0.1", 9999);
	g_clear_pointer (&msg, remsim_rspro_msg_free);
	peer_send_result (client, REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES, REMSIM_RESULT_OK);

	assert_get_json (
	    fx,
	    P "/clients",
	    "{\"clients\":[{\"peer\":\"C23:0\",\"state\":\"CONNECTED_CLIENT\","
	    "\"component_id\":{\"type_\":\"remsimClient\",\"name\":\"host\",\"software\":"
	    "\"remsim-client\",\"swVersion\":\"" PACKAGE_VERSION "\"}}]}");
	assert_get_json (
	    fx,
	    P "/clients/23",
	    "{\"peer\":\"C23:0\",\"state\":\"CONNECTED_CLIENT\","
	    "\"component_id\":{\"type_\":\"remsimClient\",\"name\":\"host\",\"software\":"
	    "\"remsim-client\",\"swVersion\":\"" PACKAGE_VERSION "\"}}");
	assert_error (fx, "GET", P "/clients/0", NULL, NULL, 404);

	/* DELETE: gone from the list at once, RemoveMappingReq to the bankd,
	 * and once acked the client is told 0.0.0.0:0 */
	assert_empty (fx, "DELETE", P "/slotmaps/65536", NULL, NULL, 200);
	assert_get_json (fx, P "/slotmaps", "{\"slotmaps\":[]}");
	assert_error (fx, "DELETE", P "/slotmaps/65536", NULL, NULL, 404);
	msg = peer_expect (bankd, REMSIM_RSPRO_REMOVE_MAPPING_REQ);
	assert_mapping_msg (msg, 1, 0, 23, 0);
	g_clear_pointer (&msg, remsim_rspro_msg_free);
	peer_expect_nothing (client, 100);
	peer_send_result (bankd, REMSIM_RSPRO_REMOVE_MAPPING_RES, REMSIM_RESULT_OK);
	msg = peer_expect (client, REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ);
	assert_config_bank (msg, 1, 0, "0.0.0.0", 0);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* a new map while both are connected: pushed at once, client told
	 * once the bankd acked */
	post_map (fx, 1, 3, 23, 0);
	msg = peer_expect (bankd, REMSIM_RSPRO_CREATE_MAPPING_REQ);
	assert_mapping_msg (msg, 1, 3, 23, 0);
	g_clear_pointer (&msg, remsim_rspro_msg_free);
	peer_expect_nothing (client, 100);
	peer_send_result (bankd, REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK);
	msg = peer_expect (client, REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ);
	assert_config_bank (msg, 1, 3, "127.0.0.1", 9999);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* the bankd goes away: maps fall back to NEW, bank unlisted */
	g_clear_pointer (&bankd, peer_free);
	spin (200);
	assert_get_json (fx, P "/banks", "{\"banks\":[]}");
	assert_get_json (fx,
			 P "/slotmaps",
			 "{\"slotmaps\":[{\"bank\":{\"bankId\":1,\"slotNr\":3},\"client\":{"
			 "\"clientId\":23,\"slotNr\":0},\"state\":\"NEW\"}]}");
}

static void
test_rspro_delete_unacked (Fixture *fx, gconstpointer user_data)
{
	g_autoptr (Peer) bankd = NULL;
	g_autoptr (RemsimRsproMsg) msg = NULL;

	bankd = bankd_connect (fx, 2, 4, NULL, REMSIM_RESULT_OK);
	post_map (fx, 2, 0, 5, 0);
	post_map (fx, 2, 1, 5, 1);
	msg = peer_expect (bankd, REMSIM_RSPRO_CREATE_MAPPING_REQ);
	assert_mapping_msg (msg, 2, 0, 5, 0);
	g_clear_pointer (&msg, remsim_rspro_msg_free);
	msg = peer_expect (bankd, REMSIM_RSPRO_CREATE_MAPPING_REQ);
	assert_mapping_msg (msg, 2, 1, 5, 1);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* delete the first while unacknowledged: nothing goes out yet */
	assert_empty (fx, "DELETE", P "/slotmaps/131072", NULL, NULL, 200);
	assert_get_json (fx,
			 P "/slotmaps",
			 "{\"slotmaps\":[{\"bank\":{\"bankId\":2,\"slotNr\":1},\"client\":{"
			 "\"clientId\":5,\"slotNr\":1},\"state\":\"UNACKNOWLEDGED\"}]}");
	peer_expect_nothing (bankd, 100);

	/* FIFO: the first ack is for 2:0, which is then removed; an error
	 * result is still taken as an ack (upstream) */
	peer_send_result (bankd, REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_ILLEGAL_SLOT_ID);
	msg = peer_expect (bankd, REMSIM_RSPRO_REMOVE_MAPPING_REQ);
	assert_mapping_msg (msg, 2, 0, 5, 0);
	g_clear_pointer (&msg, remsim_rspro_msg_free);
	assert_get_json (fx,
			 P "/slotmaps",
			 "{\"slotmaps\":[{\"bank\":{\"bankId\":2,\"slotNr\":1},\"client\":{"
			 "\"clientId\":5,\"slotNr\":1},\"state\":\"UNACKNOWLEDGED\"}]}");
	peer_send_result (bankd, REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK);
	spin (100);
	assert_get_json (fx,
			 P "/slotmaps",
			 "{\"slotmaps\":[{\"bank\":{\"bankId\":2,\"slotNr\":1},\"client\":{"
			 "\"clientId\":5,\"slotNr\":1},\"state\":\"ACTIVE\"}]}");
	peer_send_result (bankd, REMSIM_RSPRO_REMOVE_MAPPING_RES, REMSIM_RESULT_OK);

	/* unsolicited responses are ignored, the connection stays */
	peer_send_result (bankd, REMSIM_RSPRO_REMOVE_MAPPING_RES, REMSIM_RESULT_OK);
	peer_send_result (bankd, REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK);
	spin (100);
	g_assert_false (bankd->closed);
	assert_get_json (fx,
			 P "/slotmaps",
			 "{\"slotmaps\":[{\"bank\":{\"bankId\":2,\"slotNr\":1},\"client\":{"
			 "\"clientId\":5,\"slotNr\":1},\"state\":\"ACTIVE\"}]}");

	/* global reset of an ACTIVE map: RemoveMappingReq */
	assert_empty (fx, "POST", P "/global-reset", NULL, NULL, 200);
	msg = peer_expect (bankd, REMSIM_RSPRO_REMOVE_MAPPING_REQ);
	assert_mapping_msg (msg, 2, 1, 5, 1);
	g_clear_pointer (&msg, remsim_rspro_msg_free);
	assert_get_json (fx, P "/slotmaps", "{\"slotmaps\":[]}");
}

static void
test_rspro_bankd_reconnect (Fixture *fx, gconstpointer user_data)
{
	g_autoptr (Peer) bankd = NULL;
	g_autoptr (RemsimRsproMsg) msg = NULL;

	post_map (fx, 3, 0, 30, 0);
	post_map (fx, 3, 1, 31, 0);
	post_map (fx, 3, 2, 32, 0);
	bankd = bankd_connect (fx, 3, 4, NULL, REMSIM_RESULT_OK);
	for (guint i = 0; i < 3; i++) {
		peer_skip (bankd, REMSIM_RSPRO_CREATE_MAPPING_REQ);
		peer_send_result (bankd, REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK);
	}
	spin (100);

	/* two deletions the bankd does not ack before it goes away; one map
	 * is re-created identically meanwhile */
	assert_empty (fx, "DELETE", P "/slotmaps/196608", NULL, NULL, 200);
	assert_empty (fx, "DELETE", P "/slotmaps/196609", NULL, NULL, 200);
	peer_skip (bankd, REMSIM_RSPRO_REMOVE_MAPPING_REQ);
	peer_skip (bankd, REMSIM_RSPRO_REMOVE_MAPPING_REQ);
	g_clear_pointer (&bankd, peer_free);
	spin (100);
	assert_get_json (fx,
			 P "/slotmaps",
			 "{\"slotmaps\":[{\"bank\":{\"bankId\":3,\"slotNr\":2},\"client\":{"
			 "\"clientId\":32,\"slotNr\":0},\"state\":\"NEW\"}]}");
	post_map (fx, 3, 1, 31, 0);

	/* back: creations first, then the removal it missed */
	bankd = bankd_connect (fx, 3, 4, NULL, REMSIM_RESULT_OK);
	msg = peer_expect (bankd, REMSIM_RSPRO_CREATE_MAPPING_REQ);
	assert_mapping_msg (msg, 3, 2, 32, 0);
	g_clear_pointer (&msg, remsim_rspro_msg_free);
	msg = peer_expect (bankd, REMSIM_RSPRO_CREATE_MAPPING_REQ);
	assert_mapping_msg (msg, 3, 1, 31, 0);
	g_clear_pointer (&msg, remsim_rspro_msg_free);
	msg = peer_expect (bankd, REMSIM_RSPRO_REMOVE_MAPPING_REQ);
	assert_mapping_msg (msg, 3, 0, 30, 0);
	g_clear_pointer (&msg, remsim_rspro_msg_free);
	peer_expect_nothing (bankd, 100);
	peer_send_result (bankd, REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK);
	peer_send_result (bankd, REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK);
	peer_send_result (bankd, REMSIM_RSPRO_REMOVE_MAPPING_RES, REMSIM_RESULT_UNKNOWN_SLOTMAP);
	spin (100);
	assert_get_json (fx,
			 P "/slotmaps",
			 "{\"slotmaps\":[{\"bank\":{\"bankId\":3,\"slotNr\":2},\"client\":{"
			 "\"clientId\":32,\"slotNr\":0},\"state\":\"ACTIVE\"},"
			 "{\"bank\":{\"bankId\":3,\"slotNr\":1},\"client\":{"
			 "\"clientId\":31,\"slotNr\":0},\"state\":\"ACTIVE\"}]}");
	g_assert_false (bankd->closed);
}

static void
test_rspro_duplicates (Fixture *fx, gconstpointer user_data)
{
	g_autoptr (Peer) bankd = NULL;
	g_autoptr (Peer) bankd2 = NULL;
	g_autoptr (Peer) client = NULL;
	g_autoptr (Peer) client2 = NULL;
	g_autoptr (Peer) client3 = NULL;

	bankd = bankd_connect (fx, 1, 8, NULL, REMSIM_RESULT_OK);
	client = client_connect (fx, 7, 1, REMSIM_RESULT_OK);

	/* the newer connection is refused and closed, the old one stays */
	bankd2 = bankd_connect (fx, 1, 8, NULL, REMSIM_RESULT_IDENTITY_IN_USE);
	client2 = client_connect (fx, 7, 1, REMSIM_RESULT_IDENTITY_IN_USE);
	/* another slot of the same client id is fine */
	client3 = client_connect (fx, 7, 2, REMSIM_RESULT_OK);
	g_assert_true (wait_for (peer_is_closed, bankd2, 3000));
	g_assert_true (wait_for (peer_is_closed, client2, 3000));
	g_assert_false (bankd->closed);
	g_assert_false (client->closed);

	assert_get_json (
	    fx,
	    P "/banks",
	    "{\"banks\":[{\"peer\":\"B1\",\"state\":\"CONNECTED_BANKD\",\"component_id\":"
	    "{\"type_\":\"remsimBankd\",\"name\":\"bank\",\"software\":\"remsim-bankd\","
	    "\"swVersion\":\"" PACKAGE_VERSION "\",\"hwManufacturer\":\"sysmocom\"},"
	    "\"bankId\":1,\"numberOfSlots\":8}]}");
	{
		g_autofree gchar *body = get_body (fx, P "/clients");
		g_assert_nonnull (strstr (body, "\"peer\":\"C7:1\""));
		g_assert_nonnull (strstr (body, "\"peer\":\"C7:2\""));
		g_clear_pointer (&body, g_free);
		/* /clients/:id gives the first slot of that client id */
		body = get_body (fx, P "/clients/7");
		g_assert_true (g_str_has_prefix (body, "{\"peer\":\"C7:1\""));
	}

	/* once the old one is gone, the identity is free again */
	g_clear_pointer (&bankd, peer_free);
	spin (100);
	g_clear_pointer (&bankd2, peer_free);
	bankd2 = bankd_connect (fx, 1, 8, NULL, REMSIM_RESULT_OK);
}

static void
test_rspro_bound (Fixture *fx, gconstpointer user_data)
{
	g_autoptr (Peer) bankd = NULL;
	g_autoptr (Peer) bankd2 = NULL;
	g_autoptr (Peer) client = NULL;
	g_autoptr (Peer) client2 = NULL;
	g_autoptr (RemsimRsproMsg) msg = NULL;
	RemsimIpPort bound = {
	    .family = G_SOCKET_FAMILY_IPV4, .addr = {127, 0, 0, 30}, .port = 12345};
	RemsimIpPort any = {.family = G_SOCKET_FAMILY_IPV4, .port = 23456};

	post_map (fx, 3, 0, 30, 0);
	post_map (fx, 4, 0, 40, 0);

	/* the client connects first: while its bankd is away it is told
	 * nothing (not "no bankd", which would break a session that still
	 * runs after a server restart) */
	client = client_connect (fx, 30, 0, REMSIM_RESULT_OK);
	peer_expect_nothing (client, 200);

	/* a bankd telling where it listens */
	bankd = bankd_connect (fx, 3, 1, &bound, REMSIM_RESULT_OK);
	peer_skip (bankd, REMSIM_RSPRO_CREATE_MAPPING_REQ);
	peer_send_result (bankd, REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK);
	msg = peer_expect (client, REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ);
	assert_config_bank (msg, 3, 0, "127.0.0.30", 12345);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* bound to 0.0.0.0: peer IP with the bound port */
	bankd2 = bankd_connect (fx, 4, 1, &any, REMSIM_RESULT_OK);
	peer_skip (bankd2, REMSIM_RSPRO_CREATE_MAPPING_REQ);
	peer_send_result (bankd2, REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK);
	spin (100);
	client2 = client_connect (fx, 40, 0, REMSIM_RESULT_OK);
	msg = peer_expect (client2, REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ);
	assert_config_bank (msg, 4, 0, "127.0.0.1", 23456);
	g_clear_pointer (&msg, remsim_rspro_msg_free);
}

static void
test_rspro_bad_peers (Fixture *fx, gconstpointer user_data)
{
	g_autoptr (Peer) bankd = NULL;
	g_autoptr (Peer) client = NULL;
	g_autoptr (Peer) wrong = NULL;
	g_autoptr (Peer) noslot = NULL;
	g_autoptr (Peer) idle = NULL;
	g_autoptr (Peer) garbage = NULL;
	g_autoptr (Peer) huge = NULL;
	g_autoptr (Peer) early = NULL;
	g_autoptr (RemsimRsproMsg) msg = NULL;
	g_autoptr (GBytes) junk = NULL;
	g_autofree guint8 *big = NULL;

	remsim_server_set_identify_timeout (fx->server, 300);
	post_map (fx, 1, 0, 1, 0);
	bankd = bankd_connect (fx, 1, 8, NULL, REMSIM_RESULT_OK);
	peer_skip (bankd, REMSIM_RSPRO_CREATE_MAPPING_REQ);
	/* the map is UNACKNOWLEDGED but its bankd is there: the client gets
	 * the address at once */
	client = client_connect (fx, 1, 0, REMSIM_RESULT_OK);
	msg = peer_expect (client, REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ);
	assert_config_bank (msg, 1, 0, "127.0.0.1", 9999);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* a bankd identity in ConnectClientReq: closed without answer */
	wrong = peer_new (fx);
	msg = remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_CLIENT_REQ);
	remsim_component_identity_init_self (&msg->identity, REMSIM_COMPONENT_BANKD, NULL);
	msg->has_client_slot = TRUE;
	peer_send (wrong, msg);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* no clientSlot: closed */
	noslot = peer_new (fx);
	msg = remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_CLIENT_REQ);
	remsim_component_identity_init_self (&msg->identity, REMSIM_COMPONENT_CLIENT, NULL);
	peer_send (noslot, msg);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* a message not allowed before Connect*Req: ignored, then the
	 * identify timeout closes it */
	early = peer_new (fx);
	peer_send_result (early, REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK);

	/* silent: the identify timeout closes it */
	idle = peer_new (fx);

	/* garbage bytes and a 64 KiB frame */
	garbage = peer_new (fx);
	junk = g_bytes_new_static ("\x00\x05\xee\x07\xff\xff\xff\xff\xff\x13\x37", 11);
	remsim_link_send_raw (garbage->link, junk);
	huge = peer_new (fx);
	big = g_malloc0 (65535 + 3);
	big[0] = 0xff;
	big[1] = 0xff;
	big[2] = 0xee;
	big[3] = 0x07;
	remsim_link_send_raw (huge->link, g_bytes_new_take (g_steal_pointer (&big), 65535 + 3));

	g_assert_true (wait_for (peer_is_closed, wrong, 3000));
	g_assert_true (g_queue_is_empty (&wrong->msgs));
	g_assert_true (wait_for (peer_is_closed, noslot, 3000));
	g_assert_true (g_queue_is_empty (&noslot->msgs));
	g_assert_true (wait_for (peer_is_closed, idle, 3000));
	g_assert_true (wait_for (peer_is_closed, early, 3000));
	g_assert_true (wait_for (peer_is_closed, huge, 3000));
	/* an undecodable PDU is dropped (or the link closes); either way the
	 * identify timeout ends this connection */
	g_assert_true (wait_for (peer_is_closed, garbage, 3000));

	/* the others are untouched */
	g_assert_false (bankd->closed);
	g_assert_false (client->closed);
	/* ACTIVE now; nothing changed for the client, so nothing is sent */
	peer_send_result (bankd, REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK);
	peer_expect_nothing (client, 100);

	/* messages not allowed in the state are ignored, connection kept */
	peer_send_result (client, REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK);
	peer_send_result (bankd, REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES, REMSIM_RESULT_OK);
	msg = remsim_rspro_msg_new (REMSIM_RSPRO_RESET_STATE_REQ);
	peer_send (bankd, msg);
	g_clear_pointer (&msg, remsim_rspro_msg_free);
	spin (200);
	g_assert_false (bankd->closed);
	g_assert_false (client->closed);
	assert_get_json (fx,
			 P "/slotmaps",
			 "{\"slotmaps\":[{\"bank\":{\"bankId\":1,\"slotNr\":0},\"client\":{"
			 "\"clientId\":1,\"slotNr\":0},\"state\":\"ACTIVE\"}]}");
	{
		g_autoptr (GPtrArray) banks = remsim_server_get_banks (fx->server);
		g_autoptr (GPtrArray) clients = remsim_server_get_clients (fx->server);
		g_assert_cmpuint (banks->len, ==, 1);
		g_assert_cmpuint (clients->len, ==, 1);
	}
}

/* data/remsim-server.conf.example passes the schema and shows the defaults */
static void
test_rest_config_example (void)
{
	g_autoptr (RemsimConfig) config = remsim_config_new (remsim_server_get_config_schema ());
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path =
	    g_test_build_filename (G_TEST_DIST, "..", "data", "remsim-server.conf.example", NULL);
	g_autofree gchar *host = NULL;
	guint16 port = 0;

	g_assert_true (remsim_config_load_file (config, path, &error));
	g_assert_no_error (error);
	g_assert_true (remsim_config_get_hostport (config, "server", "rspro-listen", &host, &port));
	g_assert_cmpstr (host, ==, "0.0.0.0");
	g_assert_cmpuint (port, ==, 9998);
	g_clear_pointer (&host, g_free);
	g_assert_true (remsim_config_get_hostport (config, "server", "rest-listen", &host, &port));
	g_assert_cmpuint (port, ==, 9997);
	g_assert_cmpint (
	    remsim_config_get_int (config, "server", "keepalive-interval-ms"), ==, 30000);
	g_assert_cmpint (
	    remsim_config_get_int (config, "server", "keepalive-timeout-ms"), ==, 10000);
	g_assert_cmpint (
	    remsim_config_get_int (config, "server", "identify-timeout-ms"), ==, 10000);
	g_assert_false (remsim_config_has_value (config, "server", "state-file"));

	/* an override is checked like a file value */
	g_assert_false (remsim_config_set_override (
	    config, "server", "keepalive-timeout-ms", "5", "--keepalive-timeout-ms", &error));
	g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
}

int
main (int argc, char *argv[])
{
	/* the desktop proxy resolvers need GSettings schemas, which
	 * G_TEST_OPTION_ISOLATE_DIRS hides; loopback needs no proxy */
	g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	/* the server warns about every hostile peer (and about bankds on
	 * loopback); only criticals are bugs here */
	g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
	ADD ("/remsim/rest/empty", test_rest_empty);
	ADD ("/remsim/rest/slotmaps", test_rest_slotmaps);
	ADD ("/remsim/rest/bad-post", test_rest_bad_post);
	ADD ("/remsim/rest/not-found", test_rest_not_found);
	ADD ("/remsim/rest/global-reset", test_rest_global_reset);
	ADD ("/remsim/rest/state-file", test_rest_state_file);
	ADD ("/remsim/rest/server-api", test_rest_api);
	ADD ("/remsim/rest/rspro/bankd-flow", test_rspro_bankd_flow);
	ADD ("/remsim/rest/rspro/delete-unacked", test_rspro_delete_unacked);
	ADD ("/remsim/rest/rspro/bankd-reconnect", test_rspro_bankd_reconnect);
	ADD ("/remsim/rest/rspro/duplicates", test_rspro_duplicates);
	ADD ("/remsim/rest/rspro/bound", test_rspro_bound);
	ADD ("/remsim/rest/rspro/bad-peers", test_rspro_bad_peers);
#undef ADD
	g_test_add_func ("/remsim/rest/config-example", test_rest_config_example);
	return g_test_run ();
}
