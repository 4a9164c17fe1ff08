/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * rspro-peer: drives a running remsim-server through one complete mapping
 * cycle, acting as bankd B1 and client C23:0 (the traffic test-wire.sh
 * captures). Prints one line per RSPRO PDU sent and received; exits 0 when
 * every step happened as osmo-remsim's server does it.
 */

#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "remsim-test-utils.h"

#define API "/api/backend/v1"

static void
die (const gchar *what)
{
	g_printerr ("rspro-peer: FAILED: %s\n", what);
	exit (1);
}

static void
send_msg (RemsimTestPeer *peer, const gchar *who, RemsimRsproMsg *msg)
{
	g_autoptr (GError) error = NULL;

	if (!remsim_test_peer_send (peer, msg, &error))
		die (error->message);
	g_print ("%s sent %s\n", who, remsim_rspro_type_to_string (msg->type));
	remsim_rspro_msg_free (msg);
}

static RemsimRsproMsg *
expect (RemsimTestPeer *peer, const gchar *who, RemsimRsproType type)
{
	RemsimRsproMsg *msg = remsim_test_peer_wait_for (peer, type, REMSIM_TEST_TIMEOUT_MS);
	g_autofree gchar *what = NULL;

	if (msg == NULL) {
		what = g_strdup_printf ("%s: no %s", who, remsim_rspro_type_to_string (type));
		die (what);
	}
	g_print ("%s received %s\n", who, remsim_rspro_type_to_string (type));
	return msg;
}

static void
expect_ok (RemsimRsproMsg *msg)
{
	g_autoptr (RemsimRsproMsg) m = msg;

	if (m->result != REMSIM_RESULT_OK)
		die (remsim_result_code_to_string (m->result));
}

static void
expect_config_bank (RemsimRsproMsg *msg, const gchar *addr)
{
	g_autoptr (RemsimRsproMsg) m = msg;
	g_autofree gchar *a = remsim_test_ip_port_to_string (&m->bound);

	if (m->bank_slot.bank_id != 1 || m->bank_slot.slot_nr != 0 || g_strcmp0 (a, addr) != 0)
		die ("ConfigClientBankReq with the wrong bank slot or address");
}

static guint
http_status (RemsimTestHttpResponse *r)
{
	guint status = r->status;

	remsim_test_http_response_free (r);
	return status;
}

int
main (int argc, char **argv)
{
	gint rspro_port = 0;
	gint rest_port = 0;
	g_autofree gchar *base = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GOptionContext) ctx = g_option_context_new ("- drive a remsim-server");
	g_autoptr (RemsimTestPeer) bankd = NULL;
	g_autoptr (RemsimTestPeer) client = NULL;
	g_autoptr (RemsimRsproMsg) create = NULL;
	g_autoptr (RemsimRsproMsg) remove = NULL;
	const GOptionEntry entries[] = {
	    {"rspro", 0, 0, G_OPTION_ARG_INT, &rspro_port, "RSPRO port of the server", "PORT"},
	    {"rest", 0, 0, G_OPTION_ARG_INT, &rest_port, "REST port of the server", "PORT"},
	    {NULL}};

	signal (SIGPIPE, SIG_IGN);
	g_option_context_add_main_entries (ctx, entries, NULL);
	if (!g_option_context_parse (ctx, &argc, &argv, &error))
		die (error->message);
	if (rspro_port <= 0 || rspro_port > 65535 || rest_port <= 0 || rest_port > 65535)
		die ("--rspro PORT and --rest PORT are required");
	base = g_strdup_printf ("http://127.0.0.1:%d" API, rest_port);

	if (!remsim_test_wait_port ((guint16)rest_port, 15000))
		die ("REST port does not accept connections");
	if (!remsim_test_wait_port ((guint16)rspro_port, 15000))
		die ("RSPRO port does not accept connections");

	/* bankd B1 with 8 slots */
	bankd = remsim_test_peer_connect ("127.0.0.1", (guint16)rspro_port, "bankd-B1", &error);
	if (bankd == NULL)
		die (error->message);
	send_msg (bankd, "bankd", remsim_test_msg_connect_bank_req (1, 8, "wire-bank"));
	expect_ok (expect (bankd, "bankd", REMSIM_RSPRO_CONNECT_BANK_RES));

	/* a mapping: CreateMapping to the bankd */
	if (http_status (
		remsim_test_http_post_json (base,
					    "/slotmaps",
					    "{\"bank\":{\"bankId\":1,\"slotNr\":0},\"client\":{"
					    "\"clientId\":23,\"slotNr\":0}}")) != 201)
		die ("POST /slotmaps");
	create = expect (bankd, "bankd", REMSIM_RSPRO_CREATE_MAPPING_REQ);
	send_msg (bankd,
		  "bankd",
		  remsim_test_msg_result (REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK));

	/* client C23:0: ConnectClient, then ConfigClientBank with the bankd */
	client =
	    remsim_test_peer_connect ("127.0.0.1", (guint16)rspro_port, "client-C23:0", &error);
	if (client == NULL)
		die (error->message);
	send_msg (client, "client", remsim_test_msg_connect_client_req (23, 0, "wire-client"));
	expect_ok (expect (client, "client", REMSIM_RSPRO_CONNECT_CLIENT_RES));
	expect_config_bank (expect (client, "client", REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ),
			    "127.0.0.1:9999");
	send_msg (client,
		  "client",
		  remsim_test_msg_result (REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES, REMSIM_RESULT_OK));

	/* removal: RemoveMapping to the bankd, then the client loses it */
	if (http_status (remsim_test_http_delete (base, "/slotmaps/65536")) != 200)
		die ("DELETE /slotmaps/65536");
	remove = expect (bankd, "bankd", REMSIM_RSPRO_REMOVE_MAPPING_REQ);
	send_msg (bankd,
		  "bankd",
		  remsim_test_msg_result (REMSIM_RSPRO_REMOVE_MAPPING_RES, REMSIM_RESULT_OK));
	expect_config_bank (expect (client, "client", REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ),
			    "0.0.0.0:0");
	send_msg (client,
		  "client",
		  remsim_test_msg_result (REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES, REMSIM_RESULT_OK));

	/* let the last PDUs leave before the links are closed */
	remsim_test_run_for (100);
	if (remsim_test_peer_is_closed (bankd) || remsim_test_peer_is_closed (client))
		die ("the server closed a peer");
	g_print ("rspro-peer: OK\n");
	return 0;
}
