/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Integration tests of the D-Bus API (docs/dbus.md): the real remsim-server
 * with --dbus=session on a private session bus (meson runs this program
 * under dbus-run-session; without a bus it starts one with GTestDBus),
 * scripted bankds and clients (tests/lib), and the user's tools: gdbus
 * introspect / call / monitor and busctl, run as subprocesses. Also runs
 * every one-liner of docs/dbus.md that is tagged for testing.
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "remsim-dbus.h"
#include "remsim-error.h"
#include "remsim-test-roles.h"

#define API "/api/backend/v1"

typedef struct {
	gchar *tmpdir;
	gchar *state_file;
	gchar *suffix; /* per test, so that a dying server never holds a later test's name */
	gchar *name;   /* org.remsim.Server.<suffix> */
	guint16 rspro_port;
	guint16 rest_port;
	gchar *rest_base;
	RemsimTestProc *server;
	guint n_starts;
	GDBusConnection *bus;
	GDBusObjectManager *manager;
} Fixture;

static guint test_counter = 0;

/* ---- server process ---- */

static void
server_start_args (Fixture *f, const gchar *const *extra)
{
	g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
	g_autofree gchar *log = NULL;
	g_autofree gchar *needle = NULL;

	f->n_starts++;
	log = g_strdup_printf ("%s/server-%u.log", f->tmpdir, f->n_starts);
	g_ptr_array_add (args, g_strdup ("--dbus=session"));
	if (f->suffix != NULL)
		g_ptr_array_add (args, g_strdup_printf ("--dbus-name-suffix=%s", f->suffix));
	for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
		g_ptr_array_add (args, g_strdup (extra[i]));
	g_ptr_array_add (args, NULL);

	g_test_message ("server log: %s", log);
	f->server = remsim_test_server_spawn (
	    f->rspro_port, f->rest_port, f->state_file, (const gchar *const *)args->pdata, log);
	needle = g_strdup_printf ("D-Bus: %s exported", f->name);
	if (!remsim_test_proc_wait_log (f->server, needle, 15000)) {
		g_autofree gchar *text = remsim_test_proc_read_log (f->server);
		g_error ("no \"%s\" in the server log:\n%s", needle, text);
	}
}

static void
server_start (Fixture *f)
{
	server_start_args (f, NULL);
}

static void
server_stop (Fixture *f)
{
	g_assert_nonnull (f->server);
	g_assert_true (remsim_test_proc_signal_and_wait (f->server, SIGTERM, 15000));
	if (!remsim_test_proc_exited_with (f->server, 0, 0)) {
		g_autofree gchar *log = remsim_test_proc_read_log (f->server);
		g_test_message ("server log:\n%s", log);
		g_test_fail_printf ("remsim-server did not exit with 0 (wait status 0x%x)",
				    (guint)remsim_test_proc_get_wait_status (f->server));
	}
	g_clear_pointer (&f->server, remsim_test_proc_free);
}

static void
manager_open (Fixture *f)
{
	g_autoptr (GError) error = NULL;

	g_clear_object (&f->manager);
	f->manager = remsim_dbus_object_manager_client_new_sync (
	    f->bus,
	    G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
	    f->name,
	    "/org/remsim",
	    NULL,
	    &error);
	g_assert_no_error (error);
}

static void
fixture_setup_no_server (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;

	f->tmpdir = remsim_test_mkdtemp ();
	f->state_file = g_build_filename (f->tmpdir, "slotmaps.state", NULL);
	f->rspro_port = remsim_test_free_port ();
	do
		f->rest_port = remsim_test_free_port ();
	while (f->rest_port == f->rspro_port);
	f->rest_base = g_strdup_printf ("http://127.0.0.1:%u" API, f->rest_port);
	f->suffix = g_strdup_printf ("t%u_%u", (guint)getpid (), ++test_counter);
	f->name = g_strdup_printf ("org.remsim.Server.%s", f->suffix);
	f->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
	g_assert_no_error (error);
	g_dbus_connection_set_exit_on_close (f->bus, FALSE);
}

static void
fixture_setup (Fixture *f, gconstpointer user_data)
{
	fixture_setup_no_server (f, user_data);
	server_start (f);
	manager_open (f);
}

static void
fixture_teardown (Fixture *f, gconstpointer user_data)
{
	g_clear_object (&f->manager);
	if (f->server != NULL)
		server_stop (f);
	g_clear_object (&f->bus);
	if (g_test_failed ())
		g_test_message ("keeping %s for inspection", f->tmpdir);
	else
		remsim_test_rmdir (f->tmpdir);
	g_free (f->tmpdir);
	g_free (f->state_file);
	g_free (f->rest_base);
	g_free (f->suffix);
	g_free (f->name);
}

/* ---- object manager helpers ---- */

typedef struct {
	GDBusObjectManager *manager;
	const gchar *path;
	gboolean present;
} ObjectWait;

static gboolean
object_is_cb (gpointer user_data)
{
	ObjectWait *w = user_data;
	g_autoptr (GDBusObject) obj = g_dbus_object_manager_get_object (w->manager, w->path);

	return (obj != NULL) == w->present;
}

static void
assert_object (Fixture *f, const gchar *path, gboolean present)
{
	ObjectWait w = {f->manager, path, present};

	if (!remsim_test_wait_until (object_is_cb, &w, REMSIM_TEST_TIMEOUT_MS))
		g_error ("%s did not %s", path, present ? "appear" : "disappear");
}

static GDBusObject *
get_object (Fixture *f, const gchar *path)
{
	assert_object (f, path, TRUE);
	return g_dbus_object_manager_get_object (f->manager, path);
}

/* wait until the cached @property of @iface equals @value (floating, consumed) */
static void
assert_prop (gpointer iface, const gchar *property, GVariant *value)
{
	remsim_test_assert_dbus_prop (iface, property, value, REMSIM_TEST_TIMEOUT_MS);
}

/* ---- REST ---- */

static gchar *
rest_error_text (RemsimTestHttpResponse *r)
{
	JsonObject *obj;

	g_assert_nonnull (r->json);
	g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
	obj = json_node_get_object (r->json);
	g_assert_true (json_object_has_member (obj, "error"));
	return g_strdup (json_object_get_string_member (obj, "error"));
}

static gchar *
slotmap_json (guint bank_id, guint bank_slot, guint client_id, guint client_slot)
{
	return g_strdup_printf ("{\"bank\":{\"bankId\":%u,\"slotNr\":%u},"
				"\"client\":{\"clientId\":%u,\"slotNr\":%u}}",
				bank_id,
				bank_slot,
				client_id,
				client_slot);
}

static gchar *
rest_slotmaps (Fixture *f)
{
	g_autoptr (RemsimTestHttpResponse) r = remsim_test_http_get (f->rest_base, "/slotmaps");

	g_assert_cmpuint (r->status, ==, 200);
	return remsim_test_json_to_string (r->json);
}

/* ---- tests ---- */

/* bankds and clients appear as objects while they are connected */
static void
test_dbus_peers (Fixture *f, gconstpointer user_data)
{
	g_autoptr (RemsimTestPeer) bankd = NULL;
	g_autoptr (RemsimTestPeer) client = NULL;
	g_autoptr (GDBusObject) obj = NULL;
	g_autoptr (RemsimDBusBank1) bank = NULL;
	g_autoptr (RemsimDBusClient1) cl = NULL;
	g_autoptr (GVariant) identity = NULL;
	g_autofree gchar *cmd = NULL;
	g_autofree gchar *out = NULL;
	const gchar *type = NULL;
	gint64 now = g_get_real_time () / G_USEC_PER_SEC;

	assert_object (f, "/org/remsim/Bank/1", FALSE);

	bankd = remsim_test_peer_new_bankd (f->rspro_port, 1, 8);
	obj = get_object (f, "/org/remsim/Bank/1");
	bank = remsim_dbus_object_get_bank1 (REMSIM_DBUS_OBJECT (obj));
	g_assert_nonnull (bank);
	g_assert_cmpuint (remsim_dbus_bank1_get_bank_id (bank), ==, 1);
	g_assert_cmpuint (remsim_dbus_bank1_get_number_of_slots (bank), ==, 8);
	g_assert_cmpstr (remsim_dbus_bank1_get_name (bank), ==, "B1");
	g_assert_cmpstr (remsim_dbus_bank1_get_state (bank), ==, "CONNECTED_BANKD");
	g_assert_true (g_str_has_prefix (remsim_dbus_bank1_get_peer_address (bank), "127.0.0.1:"));
	g_assert_cmpint ((gint64)remsim_dbus_bank1_get_connected_since (bank), >=, now - 5);
	g_assert_cmpint ((gint64)remsim_dbus_bank1_get_connected_since (bank), <=, now + 5);
	identity = remsim_dbus_bank1_dup_identity (bank);
	g_assert_true (g_variant_lookup (identity, "type", "&s", &type));
	g_assert_cmpstr (type, ==, "remsimBankd");
	g_clear_object (&obj);

	client = remsim_test_peer_new_client (f->rspro_port, 23, 0);
	obj = get_object (f, "/org/remsim/Client/23_0");
	cl = remsim_dbus_object_get_client1 (REMSIM_DBUS_OBJECT (obj));
	g_assert_nonnull (cl);
	g_assert_cmpuint (remsim_dbus_client1_get_client_id (cl), ==, 23);
	g_assert_cmpuint (remsim_dbus_client1_get_slot_nr (cl), ==, 0);
	g_assert_cmpstr (remsim_dbus_client1_get_name (cl), ==, "C23:0");
	g_assert_cmpstr (remsim_dbus_client1_get_state (cl), ==, "CONNECTED_CLIENT");
	/* no mapping: the server told it "no bankd" */
	g_assert_cmpstr (remsim_dbus_client1_get_bankd_address (cl), ==, "0.0.0.0:0");

	/* the user's view of the same tree */
	cmd = g_strdup_printf (
	    "gdbus introspect --session --dest %s --object-path /org/remsim --recurse", f->name);
	out = remsim_test_run_ok (cmd);
	g_assert_nonnull (strstr (out, "node /org/remsim/Bank/1 {"));
	g_assert_nonnull (strstr (out, "node /org/remsim/Client/23_0 {"));
	g_assert_nonnull (strstr (out, "interface org.remsim.Bank1 {"));
	g_assert_nonnull (strstr (out, "readonly u NumberOfSlots = 8;"));
	g_assert_nonnull (strstr (out, "readonly s Name = 'C23:0';"));

	/* disconnect → gone */
	g_clear_pointer (&bankd, remsim_test_peer_free);
	assert_object (f, "/org/remsim/Bank/1", FALSE);
	assert_object (f, "/org/remsim/Client/23_0", TRUE);
	g_clear_pointer (&client, remsim_test_peer_free);
	assert_object (f, "/org/remsim/Client/23_0", FALSE);

	/* and back */
	bankd = remsim_test_peer_new_bankd (f->rspro_port, 1, 4);
	g_clear_object (&obj);
	obj = get_object (f, "/org/remsim/Bank/1");
	g_clear_object (&bank);
	bank = remsim_dbus_object_get_bank1 (REMSIM_DBUS_OBJECT (obj));
	g_assert_cmpuint (remsim_dbus_bank1_get_number_of_slots (bank), ==, 4);
}

/* a mapping created with gdbus call reaches REST and the bankd */
static void
test_dbus_create_slotmap (Fixture *f, gconstpointer user_data)
{
	g_autoptr (RemsimTestPeer) bankd = NULL;
	g_autoptr (RemsimTestPeer) client = NULL;
	g_autoptr (RemsimRsproMsg) req = NULL;
	g_autoptr (RemsimRsproMsg) res = NULL;
	g_autoptr (GDBusObject) obj = NULL;
	g_autoptr (GDBusObject) cobj = NULL;
	g_autoptr (RemsimDBusSlotmap1) map = NULL;
	g_autoptr (RemsimDBusClient1) cl = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *cmd = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *json = NULL;
	g_autofree gchar *addr = NULL;

	bankd = remsim_test_peer_new_bankd (f->rspro_port, 1, 8);
	assert_object (f, "/org/remsim/Bank/1", TRUE);

	cmd = g_strdup_printf ("gdbus call --session --dest %s --object-path /org/remsim "
			       "--method org.remsim.Server1.CreateSlotmap 1 5 23 0",
			       f->name);
	out = remsim_test_run_ok (cmd);
	g_assert_cmpstr (
	    g_strstrip (out), ==, "(objectpath '/org/remsim/Slotmap/65541', uint32 65541)");

	/* the object */
	obj = get_object (f, "/org/remsim/Slotmap/65541");
	map = remsim_dbus_object_get_slotmap1 (REMSIM_DBUS_OBJECT (obj));
	g_assert_cmpuint (remsim_dbus_slotmap1_get_id (map), ==, 65541);
	g_assert_cmpuint (remsim_dbus_slotmap1_get_bank_id (map), ==, 1);
	g_assert_cmpuint (remsim_dbus_slotmap1_get_bank_slot (map), ==, 5);
	g_assert_cmpuint (remsim_dbus_slotmap1_get_client_id (map), ==, 23);
	g_assert_cmpuint (remsim_dbus_slotmap1_get_client_slot (map), ==, 0);

	/* REST */
	json = rest_slotmaps (f);
	g_assert_nonnull (strstr (json,
				  "{\"bank\":{\"bankId\":1,\"slotNr\":5},"
				  "\"client\":{\"clientId\":23,\"slotNr\":0}"));

	/* the bankd */
	req = remsim_test_peer_wait_for (
	    bankd, REMSIM_RSPRO_CREATE_MAPPING_REQ, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (req);
	g_assert_cmpuint (req->bank_slot.bank_id, ==, 1);
	g_assert_cmpuint (req->bank_slot.slot_nr, ==, 5);
	g_assert_cmpuint (req->client_slot.client_id, ==, 23);
	g_assert_cmpuint (req->client_slot.slot_nr, ==, 0);
	assert_prop (map, "State", g_variant_new_string ("UNACKNOWLEDGED"));
	res = remsim_test_msg_result (REMSIM_RSPRO_CREATE_MAPPING_RES, REMSIM_RESULT_OK);
	g_assert_true (remsim_test_peer_send (bankd, res, &error));
	g_assert_no_error (error);
	assert_prop (map, "State", g_variant_new_string ("ACTIVE"));

	/* the client of the mapping learns its bankd, and so does its object */
	client = remsim_test_peer_new_client (f->rspro_port, 23, 0);
	cobj = get_object (f, "/org/remsim/Client/23_0");
	cl = remsim_dbus_object_get_client1 (REMSIM_DBUS_OBJECT (cobj));
	g_clear_pointer (&req, remsim_rspro_msg_free);
	req = remsim_test_peer_wait_for (
	    client, REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (req);
	addr = remsim_test_ip_port_to_string (&req->bound);
	assert_prop (cl, "BankId", g_variant_new_uint32 (1));
	assert_prop (cl, "BankSlot", g_variant_new_uint32 (5));
	assert_prop (cl, "BankdAddress", g_variant_new_string (addr));

	/* removal over D-Bus: object gone, bankd told */
	g_clear_pointer (&cmd, g_free);
	g_clear_pointer (&out, g_free);
	cmd = g_strdup_printf ("gdbus call --session --dest %s --object-path /org/remsim "
			       "--method org.remsim.Server1.RemoveSlotmap 65541",
			       f->name);
	out = remsim_test_run_ok (cmd);
	g_assert_cmpstr (g_strstrip (out), ==, "()");
	assert_object (f, "/org/remsim/Slotmap/65541", FALSE);
	g_clear_pointer (&req, remsim_rspro_msg_free);
	req = remsim_test_peer_wait_for (
	    bankd, REMSIM_RSPRO_REMOVE_MAPPING_REQ, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (req);
	g_assert_cmpuint (req->bank_slot.slot_nr, ==, 5);
	g_clear_pointer (&json, g_free);
	json = rest_slotmaps (f);
	g_assert_cmpstr (json, ==, "{\"slotmaps\":[]}");
	/* once the bankd confirms, the client is told "no bankd" */
	g_clear_pointer (&res, remsim_rspro_msg_free);
	res = remsim_test_msg_result (REMSIM_RSPRO_REMOVE_MAPPING_RES, REMSIM_RESULT_OK);
	g_assert_true (remsim_test_peer_send (bankd, res, &error));
	g_assert_no_error (error);
	assert_prop (cl, "BankdAddress", g_variant_new_string ("0.0.0.0:0"));
}

/* D-Bus and REST refuse the same mapping for the same reason */
static void
test_dbus_same_refusal (Fixture *f, gconstpointer user_data)
{
	g_autoptr (RemsimTestHttpResponse) r = NULL;
	g_autoptr (GVariant) ret = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *body = NULL;
	g_autofree gchar *rest_text = NULL;
	g_autofree gchar *remote = NULL;
	g_autofree gchar *cmd = NULL;
	g_autofree gchar *err = NULL;
	struct {
		guint b, bs, c, cs;
		const gchar *dbus_error;
		guint http_status;
	} cases[] = {
	    /* B1:0 is taken by C23:0 */
	    {1, 0, 24, 0, "org.remsim.Error.SlotInUse", 400},
	    /* C23:0 is taken */
	    {1, 1, 23, 0, "org.remsim.Error.SlotInUse", 400},
	    /* out of range */
	    {2000, 0, 24, 0, "org.remsim.Error.InvalidArgument", 400},
	    {1, 1, 24, 1024, "org.remsim.Error.InvalidArgument", 400},
	    {G_MAXUINT32, 0, 24, 0, "org.remsim.Error.InvalidArgument", 400},
	};

	/* a mapping created over REST shows up on the bus */
	body = slotmap_json (1, 0, 23, 0);
	r = remsim_test_http_post_json (f->rest_base, "/slotmaps", body);
	g_assert_cmpuint (r->status, ==, 201);
	g_clear_pointer (&r, remsim_test_http_response_free);
	assert_object (f, "/org/remsim/Slotmap/65536", TRUE);

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_clear_pointer (&body, g_free);
		g_clear_pointer (&rest_text, g_free);
		g_clear_pointer (&remote, g_free);
		g_clear_error (&error);
		body = slotmap_json (cases[i].b, cases[i].bs, cases[i].c, cases[i].cs);
		r = remsim_test_http_post_json (f->rest_base, "/slotmaps", body);
		g_assert_cmpuint (r->status, ==, cases[i].http_status);
		rest_text = rest_error_text (r);
		g_clear_pointer (&r, remsim_test_http_response_free);

		ret = g_dbus_connection_call_sync (
		    f->bus,
		    f->name,
		    "/org/remsim",
		    "org.remsim.Server1",
		    "CreateSlotmap",
		    g_variant_new ("(uuuu)", cases[i].b, cases[i].bs, cases[i].c, cases[i].cs),
		    NULL,
		    G_DBUS_CALL_FLAGS_NONE,
		    -1,
		    NULL,
		    &error);
		g_assert_null (ret);
		g_assert_nonnull (error);
		remote = g_dbus_error_get_remote_error (error);
		g_assert_cmpstr (remote, ==, cases[i].dbus_error);
		g_dbus_error_strip_remote_error (error);
		g_test_message (
		    "%s: REST \"%s\", D-Bus %s \"%s\"", body, rest_text, remote, error->message);
		/* REST's JSON parser leaves the range to the core, as D-Bus does */
		g_assert_cmpstr (error->message, ==, rest_text);
	}

	/* the same through gdbus, as a user sees it */
	cmd = g_strdup_printf ("gdbus call --session --dest %s --object-path /org/remsim "
			       "--method org.remsim.Server1.CreateSlotmap 1 0 24 0",
			       f->name);
	g_assert_cmpint (remsim_test_run_sh (cmd, NULL, &err, 20000), !=, 0);
	g_assert_nonnull (strstr (err,
				  "GDBus.Error:org.remsim.Error.SlotInUse: "
				  "bank slot B1:0 is already mapped to C23:0"));

	/* unknown id: NotFound, REST 404 with the same text */
	r = remsim_test_http_delete (f->rest_base, "/slotmaps/65537");
	g_assert_cmpuint (r->status, ==, 404);
	g_clear_pointer (&rest_text, g_free);
	rest_text = rest_error_text (r);
	g_clear_error (&error);
	ret = g_dbus_connection_call_sync (f->bus,
					   f->name,
					   "/org/remsim",
					   "org.remsim.Server1",
					   "RemoveSlotmap",
					   g_variant_new ("(u)", 65537),
					   NULL,
					   G_DBUS_CALL_FLAGS_NONE,
					   -1,
					   NULL,
					   &error);
	g_assert_null (ret);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_NOT_FOUND);
	g_dbus_error_strip_remote_error (error);
	g_assert_cmpstr (error->message, ==, rest_text);

	/* REST DELETE of the one mapping: its object goes */
	g_clear_pointer (&r, remsim_test_http_response_free);
	r = remsim_test_http_delete (f->rest_base, "/slotmaps/65536");
	g_assert_cmpuint (r->status, ==, 200);
	assert_object (f, "/org/remsim/Slotmap/65536", FALSE);
}

/* Reset() removes every mapping; gdbus monitor sees it happen */
static void
test_dbus_reset_monitor (Fixture *f, gconstpointer user_data)
{
	g_autoptr (RemsimTestProc) monitor = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *gdbus = g_find_program_in_path ("gdbus");
	g_autofree gchar *log = g_build_filename (f->tmpdir, "monitor.log", NULL);
	g_autofree gchar *cmd = NULL;
	g_autofree gchar *json = NULL;
	const gchar *argv[] = {gdbus, "monitor", "--session", "--dest", f->name, NULL};

	g_assert_nonnull (gdbus);
	monitor = remsim_test_proc_spawn (argv, log, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_proc_wait_log (monitor, "is owned by", REMSIM_TEST_TIMEOUT_MS));

	for (guint i = 0; i < 3; i++) {
		g_autofree gchar *c =
		    g_strdup_printf ("gdbus call --session --dest %s --object-path /org/remsim "
				     "--method org.remsim.Server1.CreateSlotmap 2 %u 30 %u",
				     f->name,
				     i,
				     i);
		g_autofree gchar *out = remsim_test_run_ok (c);
	}
	assert_object (f, "/org/remsim/Slotmap/131074", TRUE);
	g_assert_true (remsim_test_proc_wait_log (
	    monitor,
	    "/org/remsim: org.freedesktop.DBus.ObjectManager.InterfacesAdded "
	    "(objectpath '/org/remsim/Slotmap/131074'",
	    REMSIM_TEST_TIMEOUT_MS));

	cmd = g_strdup_printf ("gdbus call --session --dest %s --object-path /org/remsim "
			       "--method org.remsim.Server1.Reset",
			       f->name);
	g_free (remsim_test_run_ok (cmd));
	for (guint i = 0; i < 3; i++) {
		g_autofree gchar *path = g_strdup_printf ("/org/remsim/Slotmap/%u", 131072 + i);
		assert_object (f, path, FALSE);
	}
	g_assert_true (remsim_test_proc_wait_log (
	    monitor,
	    "org.freedesktop.DBus.ObjectManager.InterfacesRemoved "
	    "(objectpath '/org/remsim/Slotmap/131074', ['org.remsim.Slotmap1'])",
	    REMSIM_TEST_TIMEOUT_MS));
	json = rest_slotmaps (f);
	g_assert_cmpstr (json, ==, "{\"slotmaps\":[]}");
	g_assert_true (remsim_test_proc_signal_and_wait (monitor, SIGTERM, REMSIM_TEST_TIMEOUT_MS));
}

/* mappings restored from the state file are objects from the start */
static void
test_dbus_restart (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GDBusObject) obj = NULL;
	g_autoptr (RemsimDBusSlotmap1) map = NULL;
	g_autofree gchar *cmd = NULL;

	cmd = g_strdup_printf ("gdbus call --session --dest %s --object-path /org/remsim "
			       "--method org.remsim.Server1.CreateSlotmap 3 7 40 1",
			       f->name);
	g_free (remsim_test_run_ok (cmd));
	assert_object (f, "/org/remsim/Slotmap/196615", TRUE);

	g_clear_object (&f->manager);
	server_stop (f);
	server_start (f);
	manager_open (f);
	obj = get_object (f, "/org/remsim/Slotmap/196615");
	map = remsim_dbus_object_get_slotmap1 (REMSIM_DBUS_OBJECT (obj));
	g_assert_cmpuint (remsim_dbus_slotmap1_get_client_id (map), ==, 40);
	g_assert_cmpstr (remsim_dbus_slotmap1_get_state (map), ==, "NEW");
}

/* a second server cannot take the name; a bad suffix is refused */
static void
test_dbus_name_errors (Fixture *f, gconstpointer user_data)
{
	g_autofree gchar *cmd = NULL;
	g_autofree gchar *err = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *version = NULL;

	cmd = g_strdup_printf ("%s --rspro-listen 127.0.0.1:0 --rest-listen 127.0.0.1:0 "
			       "--state-file '' --dbus=session --dbus-name-suffix=%s",
			       remsim_test_program ("REMSIM_SERVER_BIN"),
			       f->suffix);
	g_assert_cmpint (remsim_test_run_sh (cmd, NULL, &err, 20000), ==, 1);
	g_assert_nonnull (strstr (err, "remsim-server: D-Bus: cannot own the D-Bus name"));
	g_assert_nonnull (strstr (err, "another process owns it"));
	g_clear_pointer (&cmd, g_free);
	g_clear_pointer (&err, g_free);

	cmd = g_strdup_printf ("%s --rspro-listen 127.0.0.1:0 --rest-listen 127.0.0.1:0 "
			       "--state-file '' --dbus=session --dbus-name-suffix=2bad",
			       remsim_test_program ("REMSIM_SERVER_BIN"));
	g_assert_cmpint (remsim_test_run_sh (cmd, NULL, &err, 20000), ==, 1);
	g_assert_nonnull (strstr (err, "D-Bus name suffix \"2bad\""));
	g_clear_pointer (&cmd, g_free);
	g_clear_pointer (&err, g_free);

	cmd = g_strdup_printf ("%s --dbus=sessions", remsim_test_program ("REMSIM_SERVER_BIN"));
	g_assert_cmpint (remsim_test_run_sh (cmd, NULL, &err, 20000), ==, 1);
	g_assert_nonnull (strstr (err, "--dbus"));
	g_clear_pointer (&cmd, g_free);
	g_clear_pointer (&err, g_free);

	/* the first server is unharmed */
	cmd = g_strdup_printf (
	    "busctl --user get-property %s /org/remsim org.remsim.Server1 Version", f->name);
	out = remsim_test_run_ok (cmd);
	version = g_strdup_printf ("s \"%s\"\n", PACKAGE_VERSION);
	g_assert_cmpstr (out, ==, version);
}

/* keyfile keys dbus / dbus-name-suffix */
static void
test_dbus_keyfile (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *conf = g_build_filename (f->tmpdir, "server.conf", NULL);
	g_autofree gchar *text =
	    g_strdup_printf ("[server]\ndbus=session\ndbus-name-suffix=%s\n", f->suffix);
	const gchar *const args[] = {"--config", conf, NULL};
	g_autofree gchar *cmd = NULL;
	g_autofree gchar *err = NULL;
	g_autofree gchar *owner = NULL;

	g_assert_true (g_file_set_contents (conf, text, -1, &error));
	g_assert_no_error (error);
	/* no --dbus options: only the keyfile */
	g_clear_pointer (&f->suffix, g_free);
	server_start_args (f, args);
	manager_open (f);
	owner =
	    g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (f->manager));
	g_assert_nonnull (owner);

	g_clear_pointer (&text, g_free);
	text = g_strdup ("[server]\ndbus=bus\n");
	g_assert_true (g_file_set_contents (conf, text, -1, &error));
	cmd = g_strdup_printf ("%s --config %s", remsim_test_program ("REMSIM_SERVER_BIN"), conf);
	g_assert_cmpint (remsim_test_run_sh (cmd, NULL, &err, 20000), ==, 1);
	g_assert_nonnull (strstr (err, "[server] dbus"));
}

/* ---- docs/dbus.md one-liners ---- */

static void
test_dbus_docs (Fixture *f, gconstpointer user_data)
{
	g_autoptr (RemsimTestPeer) bankd = NULL;
	g_autoptr (RemsimTestPeer) client = NULL;
	g_autofree gchar *md = g_build_filename (g_getenv ("REMSIM_DOCS_DIR"), "dbus.md", NULL);

	/* the docs use the plain name: no other server of this test program
	 * runs now */
	g_clear_pointer (&f->suffix, g_free);
	g_free (f->name);
	f->name = g_strdup ("org.remsim.Server");
	server_start (f);
	manager_open (f);

	/* the system the docs describe: bankd B1 with 8 slots, client C23:0 */
	bankd = remsim_test_peer_new_bankd (f->rspro_port, 1, 8);
	client = remsim_test_peer_new_client (f->rspro_port, 23, 0);
	assert_object (f, "/org/remsim/Bank/1", TRUE);
	assert_object (f, "/org/remsim/Client/23_0", TRUE);

	remsim_test_run_doc_one_liners (md, "test", 8);
}

int
main (int argc, char *argv[])
{
	g_autoptr (GTestDBus) test_bus = NULL;
	int ret;

	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	/* map org.remsim.Error.* replies to REMSIM_ERROR */
	g_assert_cmpuint (REMSIM_ERROR, !=, 0);

	/* meson runs us under dbus-run-session; else bring our own bus */
	if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL) {
		test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
		g_test_dbus_up (test_bus);
	}

	g_test_add ("/remsim/dbus/server/peers",
		    Fixture,
		    NULL,
		    fixture_setup,
		    test_dbus_peers,
		    fixture_teardown);
	g_test_add ("/remsim/dbus/server/create-slotmap",
		    Fixture,
		    NULL,
		    fixture_setup,
		    test_dbus_create_slotmap,
		    fixture_teardown);
	g_test_add ("/remsim/dbus/server/same-refusal",
		    Fixture,
		    NULL,
		    fixture_setup,
		    test_dbus_same_refusal,
		    fixture_teardown);
	g_test_add ("/remsim/dbus/server/reset-monitor",
		    Fixture,
		    NULL,
		    fixture_setup,
		    test_dbus_reset_monitor,
		    fixture_teardown);
	g_test_add ("/remsim/dbus/server/restart",
		    Fixture,
		    NULL,
		    fixture_setup,
		    test_dbus_restart,
		    fixture_teardown);
	g_test_add ("/remsim/dbus/server/name-errors",
		    Fixture,
		    NULL,
		    fixture_setup,
		    test_dbus_name_errors,
		    fixture_teardown);
	g_test_add ("/remsim/dbus/server/keyfile",
		    Fixture,
		    NULL,
		    fixture_setup_no_server,
		    test_dbus_keyfile,
		    fixture_teardown);
	g_test_add ("/remsim/dbus/docs",
		    Fixture,
		    NULL,
		    fixture_setup_no_server,
		    test_dbus_docs,
		    fixture_teardown);

	ret = g_test_run ();
	if (test_bus != NULL)
		g_test_dbus_down (test_bus);
	return ret;
}
