/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Integration tests of the D-Bus API of remsim-bankd and remsim-client
 * (docs/dbus.md): the real remsim-server, remsim-bankd with a vicc card
 * source, remsim-simcard as its card and remsim-client with the shell sink
 * on pipes, all with --dbus=session on a private session bus (meson runs
 * this program under dbus-run-session; without a bus it starts one with
 * GTestDBus). Checked with GDBusObjectManagerClient and with gdbus/busctl as
 * a user runs them, including the one-liners of docs/dbus.md tagged
 * "sh test-roles".
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "remsim-dbus.h"
#include "remsim-error.h"
#include "remsim-test-roles.h"

#define API "/api/backend/v1"

/* the card of remsim-simcard's default profile */
#define SIMCARD_ATR_LINE                                                                           \
	"SET_ATR: 3b 9f 96 80 1f c7 80 31 a0 73 be 21 13 67 43 20 07 18 00 00 01 a5 "
#define SIMCARD_ATR_LEN 22
/* SELECT MF: 7 bytes to the card, "9f 17" back */
#define SELECT_MF	 "a0a40000023f00"
#define SELECT_MF_LEN	 7
#define SELECT_MF_ANSWER "R-APDU: 9f 17 "
#define BURST		 4000

typedef struct {
	gchar *tmpdir;
	gchar *suffix; /* per test: a dying program never holds a later test's name */
	gchar *bankd_name;
	gchar *client_name;
	guint16 rspro_port;
	guint16 rest_port;
	guint16 bankd_port;
	guint16 vicc_port;
	gchar *rest_base;
	RemsimTestProc *server;
	RemsimTestProc *bankd;
	RemsimTestProc *simcard;
	guint n_simcards;

	RemsimTestShell *client;

	GDBusConnection *bus;
	GDBusObjectManager *bankd_manager;
	GDBusObjectManager *client_manager;
} Fixture;

static guint test_counter = 0;

/* ---- subprocesses ---- */

static void
proc_wait_log (RemsimTestProc *proc, const gchar *needle, const gchar *what)
{
	if (!remsim_test_proc_wait_log (proc, needle, 15000)) {
		g_autofree gchar *text = remsim_test_proc_read_log (proc);
		g_error ("no \"%s\" in the %s log:\n%s", needle, what, text);
	}
}

/* ---- the programs ---- */

static void
server_start (Fixture *f)
{
	g_autofree gchar *log = g_build_filename (f->tmpdir, "server.log", NULL);
	g_autofree gchar *suffix =
	    g_strdup_printf ("--dbus-name-suffix=%s", f->suffix != NULL ? f->suffix : "");
	const gchar *extra[] = {"--dbus=session", suffix, NULL};

	f->server = remsim_test_server_spawn (f->rspro_port, f->rest_port, "", extra, log);
}

/* bank 1 with 2 slots: slot 0 a vicc source, slot 1 none; D-Bus from the
 * keyfile's keys */
static void
bankd_start (Fixture *f)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *log = g_build_filename (f->tmpdir, "bankd.log", NULL);
	g_autofree gchar *conf_path = NULL;
	g_autofree gchar *suffix_line = f->suffix != NULL
					    ? g_strdup_printf ("dbus-name-suffix=%s\n", f->suffix)
					    : g_strdup ("");
	g_autofree gchar *conf = g_strdup_printf ("[bankd]\n"
						  "bank-id=1\n"
						  "num-slots=2\n"
						  "server=127.0.0.1:%u\n"
						  "listen=127.0.0.1:%u\n"
						  "retry-interval-ms=200\n"
						  "dbus=session\n"
						  "%s"
						  "\n"
						  "[source:sim]\n"
						  "plugin=vicc\n"
						  "slots=0\n"
						  "listen=127.0.0.1:%u\n",
						  f->rspro_port,
						  f->bankd_port,
						  suffix_line,
						  f->vicc_port);
	g_autofree gchar *needle = NULL;
	const gchar *argv[] = {remsim_test_program ("REMSIM_BANKD_BIN"), "-c", NULL, NULL};

	conf_path = remsim_test_write_file (f->tmpdir, "bankd.conf", conf);
	argv[2] = conf_path;
	f->bankd = remsim_test_proc_spawn (argv, log, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_wait_port (f->bankd_port, 15000));
	needle = g_strdup_printf ("D-Bus: %s exported", f->bankd_name);
	proc_wait_log (f->bankd, needle, "bankd");
}

static void
simcard_start (Fixture *f)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *log = NULL;
	g_autofree gchar *vicc = g_strdup_printf ("127.0.0.1:%u", f->vicc_port);
	const gchar *argv[] = {remsim_test_program ("REMSIM_SIMCARD_BIN"), "--connect", vicc, NULL};

	g_assert_null (f->simcard);
	log = g_strdup_printf ("%s/simcard-%u.log", f->tmpdir, ++f->n_simcards);
	f->simcard = remsim_test_proc_spawn (argv, log, &error);
	g_assert_no_error (error);
}

static void
simcard_kill (Fixture *f)
{
	g_assert_true (remsim_test_proc_signal_and_wait (f->simcard, SIGKILL, 15000));
	g_clear_pointer (&f->simcard, remsim_test_proc_free);
}

/* remsim-client -i 127.0.0.1 -p PORT -c 1 -n 0 --dbus=session: the shell
 * sink on pipes */
static void
client_start (Fixture *f)
{
	g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
	g_autofree gchar *log = g_build_filename (f->tmpdir, "client.log", NULL);

	g_ptr_array_add (argv, g_strdup (remsim_test_program ("REMSIM_CLIENT_BIN")));
	g_ptr_array_add (argv, g_strdup ("-i"));
	g_ptr_array_add (argv, g_strdup ("127.0.0.1"));
	g_ptr_array_add (argv, g_strdup ("-p"));
	g_ptr_array_add (argv, g_strdup_printf ("%u", f->rspro_port));
	g_ptr_array_add (argv, g_strdup ("-c"));
	g_ptr_array_add (argv, g_strdup ("1"));
	g_ptr_array_add (argv, g_strdup ("-n"));
	g_ptr_array_add (argv, g_strdup ("0"));
	g_ptr_array_add (argv, g_strdup ("--dbus=session"));
	if (f->suffix != NULL)
		g_ptr_array_add (argv, g_strdup_printf ("--dbus-name-suffix=%s", f->suffix));
	g_ptr_array_add (argv, NULL);

	f->client = remsim_test_shell_spawn ((const gchar *const *)argv->pdata, log, NULL, FALSE);
}

/* ---- fixture ---- */

static guint16
other_port (Fixture *f)
{
	guint16 p;

	do
		p = remsim_test_free_port ();
	while (p == f->rspro_port || p == f->rest_port || p == f->bankd_port || p == f->vicc_port);
	return p;
}

static void
fixture_names (Fixture *f, const gchar *suffix)
{
	g_free (f->suffix);
	g_free (f->bankd_name);
	g_free (f->client_name);
	f->suffix = g_strdup (suffix);
	f->bankd_name = suffix != NULL ? g_strdup_printf ("org.remsim.Bankd.%s", suffix)
				       : g_strdup ("org.remsim.Bankd");
	f->client_name = suffix != NULL ? g_strdup_printf ("org.remsim.Client.%s", suffix)
					: g_strdup ("org.remsim.Client");
}

static void
fixture_setup (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *suffix = g_strdup_printf ("t%u_%u", (guint)getpid (), ++test_counter);

	f->tmpdir = remsim_test_mkdtemp ();
	f->rspro_port = other_port (f);
	f->rest_port = other_port (f);
	f->bankd_port = other_port (f);
	f->vicc_port = other_port (f);
	f->rest_base = g_strdup_printf ("http://127.0.0.1:%u" API, f->rest_port);
	fixture_names (f, suffix);
	f->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
	g_assert_no_error (error);
	g_dbus_connection_set_exit_on_close (f->bus, FALSE);
}

static void
fixture_teardown (Fixture *f, gconstpointer user_data)
{
	g_clear_object (&f->bankd_manager);
	g_clear_object (&f->client_manager);
	remsim_test_shell_stop (f->client, FALSE);
	g_clear_pointer (&f->client, remsim_test_shell_free);
	if (f->simcard != NULL)
		simcard_kill (f);
	remsim_test_proc_stop_clean (&f->bankd, "remsim-bankd", FALSE);
	remsim_test_proc_stop_clean (&f->server, "remsim-server", FALSE);
	g_clear_object (&f->bus);
	if (g_test_failed ())
		g_test_message ("keeping %s for inspection", f->tmpdir);
	else
		remsim_test_rmdir (f->tmpdir);
	g_free (f->tmpdir);
	g_free (f->rest_base);
	g_free (f->suffix);
	g_free (f->bankd_name);
	g_free (f->client_name);
}

/* ---- D-Bus helpers ---- */

static GDBusObjectManager *
manager_new (Fixture *f, const gchar *name)
{
	g_autoptr (GError) error = NULL;
	GDBusObjectManager *manager = remsim_dbus_object_manager_client_new_sync (
	    f->bus,
	    G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
	    name,
	    "/org/remsim",
	    NULL,
	    &error);

	g_assert_no_error (error);
	return manager;
}

static gpointer
get_iface (GDBusObjectManager *manager, const gchar *path, const gchar *iface)
{
	g_autoptr (GDBusObject) obj = g_dbus_object_manager_get_object (manager, path);

	g_assert_nonnull (obj);
	return g_dbus_object_get_interface (obj, iface);
}

/* wait until the cached @property of @iface equals @value (floating, consumed) */
static void
assert_prop (gpointer iface, const gchar *property, GVariant *value)
{
	remsim_test_assert_dbus_prop (iface, property, value, 10000);
}

static GVariant *
bytes_variant (const gchar *hex_line)
{
	/* "SET_ATR: 3b 9f ..." → ay */
	g_auto (GStrv) parts = g_strsplit (hex_line + strlen ("SET_ATR: "), " ", -1);
	GVariantBuilder b;

	g_variant_builder_init (&b, G_VARIANT_TYPE ("ay"));
	for (guint i = 0; parts[i] != NULL; i++) {
		if (parts[i][0] != '\0')
			g_variant_builder_add (
			    &b, "y", (guchar)g_ascii_strtoull (parts[i], NULL, 16));
	}
	return g_variant_builder_end (&b);
}

static GVariant *
call (Fixture *f,
      const gchar *name,
      const gchar *path,
      const gchar *iface,
      const gchar *method,
      GVariant *args,
      GError **error)
{
	return g_dbus_connection_call_sync (
	    f->bus, name, path, iface, method, args, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
}

/* PropertiesChanged of a proxy that carry a counter: their times */
typedef struct {
	const gchar *counter;
	GArray *times; /* gint64, monotonic µs */
	guint n_signals;
} CounterWatch;

static void
counter_changed_cb (GDBusProxy *proxy, GVariant *changed, GStrv invalidated, gpointer user_data)
{
	CounterWatch *w = user_data;
	gint64 now = g_get_monotonic_time ();

	g_autoptr (GVariant) v = g_variant_lookup_value (changed, w->counter, NULL);

	w->n_signals++;
	if (v != NULL)
		g_array_append_val (w->times, now);
}

static void
counter_watch_check (CounterWatch *w, const gchar *what, gint64 burst_us)
{
	/* at most every 250 ms; allow some scheduling jitter */
	guint max = (guint)(burst_us / 250000) + 2;

	g_test_message ("%s: %u PropertiesChanged with %s in %" G_GINT64_FORMAT " ms",
			what,
			w->times->len,
			w->counter,
			burst_us / 1000);
	/* a burst of a second or more: several publications, not one */
	g_assert_cmpuint (w->times->len, >=, MIN (burst_us / 250000, 2));
	g_assert_cmpuint (w->times->len, <=, max);
	for (guint i = 1; i < w->times->len; i++) {
		gint64 gap =
		    g_array_index (w->times, gint64, i) - g_array_index (w->times, gint64, i - 1);
		/* 250 ms apart when sent; a busy receiver may bunch two (the
		 * rate over the burst is checked above), but never floods */
		g_assert_cmpint (gap, >=, 50000);
	}
}

/* ---- tests ---- */

/* CardPresent follows remsim-simcard; ResetCard without a client reads the
 * ATR; the errors of the methods */
static void
test_roles_bankd_card (Fixture *f, gconstpointer user_data)
{
	g_autoptr (RemsimDBusBankSlot1) slot0 = NULL;
	g_autoptr (RemsimDBusBankSlot1) slot1 = NULL;
	g_autoptr (GVariant) ret = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *remote = NULL;
	g_autofree gchar *cmd = NULL;
	g_autofree gchar *out = NULL;

	server_start (f);
	bankd_start (f);
	f->bankd_manager = manager_new (f, f->bankd_name);
	slot0 = get_iface (f->bankd_manager, "/org/remsim/BankSlot/0", "org.remsim.BankSlot1");
	slot1 = get_iface (f->bankd_manager, "/org/remsim/BankSlot/1", "org.remsim.BankSlot1");
	g_assert_cmpstr (remsim_dbus_bank_slot1_get_name (slot0), ==, "B1:0");
	g_assert_false (remsim_dbus_bank_slot1_get_card_present (slot0));
	g_assert_cmpstr (remsim_dbus_bank_slot1_get_link_state (slot0), ==, "none");
	g_assert_cmpstr (remsim_dbus_bank_slot1_get_mapped_client (slot0), ==, "");

	/* no card: CardAbsent; no source: NotSupported */
	ret = call (f,
		    f->bankd_name,
		    "/org/remsim/BankSlot/0",
		    "org.remsim.BankSlot1",
		    "ResetCard",
		    g_variant_new ("(b)", TRUE),
		    &error);
	g_assert_null (ret);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT);
	g_clear_error (&error);
	ret = call (f,
		    f->bankd_name,
		    "/org/remsim/BankSlot/1",
		    "org.remsim.BankSlot1",
		    "PowerCycle",
		    NULL,
		    &error);
	g_assert_null (ret);
	remote = g_dbus_error_get_remote_error (error);
	g_assert_cmpstr (remote, ==, "org.remsim.Error.NotSupported");
	g_clear_error (&error);

	/* the card comes and goes with remsim-simcard */
	simcard_start (f);
	assert_prop (slot0, "CardPresent", g_variant_new_boolean (TRUE));
	simcard_kill (f);
	assert_prop (slot0, "CardPresent", g_variant_new_boolean (FALSE));
	simcard_start (f);
	assert_prop (slot0, "CardPresent", g_variant_new_boolean (TRUE));

	/* a reset without a client: the card is powered up for its ATR */
	cmd = g_strdup_printf ("gdbus call --session --dest %s --object-path "
			       "/org/remsim/BankSlot/0 --method org.remsim.BankSlot1.ResetCard "
			       "true",
			       f->bankd_name);
	out = remsim_test_run_ok (cmd);
	g_assert_cmpstr (g_strstrip (out), ==, "()");
	assert_prop (slot0, "Atr", bytes_variant (SIMCARD_ATR_LINE));
	g_assert_cmpstr (remsim_dbus_bank_slot1_get_last_error (slot0), ==, "");
	simcard_kill (f);
	assert_prop (slot0, "CardPresent", g_variant_new_boolean (FALSE));
	assert_prop (slot0, "Atr", g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, NULL, 0, 1));
}

/* a mapped client: both sides show the session; counters move, at most
 * four PropertiesChanged a second; ResetCard reaches the modem; Reconnect */
static void
test_roles_session (Fixture *f, gconstpointer user_data)
{
	g_autoptr (RemsimDBusBankSlot1) bslot = NULL;
	g_autoptr (RemsimDBusClientSlot1) cslot = NULL;
	g_autoptr (GString) burst = g_string_new (NULL);
	g_autofree gchar *bankd_addr = NULL;
	g_autofree gchar *cmd = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *log = NULL;
	CounterWatch bw = {"ApduCount", g_array_new (FALSE, FALSE, sizeof (gint64)), 0};
	CounterWatch cw = {"ApduCount", g_array_new (FALSE, FALSE, sizeof (gint64)), 0};
	guint64 apdus;
	gint64 t0, burst_us;
	gulong bid, cid;

	server_start (f);
	bankd_start (f);
	simcard_start (f);
	f->bankd_manager = manager_new (f, f->bankd_name);
	bslot = get_iface (f->bankd_manager, "/org/remsim/BankSlot/0", "org.remsim.BankSlot1");
	assert_prop (bslot, "CardPresent", g_variant_new_boolean (TRUE));
	remsim_test_rest_map (f->rest_base, 0, 1, 0);
	assert_prop (bslot, "MappedClient", g_variant_new_string ("C1:0"));
	g_assert_cmpstr (remsim_dbus_bank_slot1_get_link_state (bslot), ==, "none");

	client_start (f);
	remsim_test_shell_wait_line (f->client, SIMCARD_ATR_LINE, 1, 15000);
	f->client_manager = manager_new (f, f->client_name);
	cslot = get_iface (f->client_manager, "/org/remsim/ClientSlot/0", "org.remsim.ClientSlot1");
	g_assert_cmpstr (remsim_dbus_client_slot1_get_name (cslot), ==, "C1:0");
	bankd_addr = g_strdup_printf ("127.0.0.1:%u", f->bankd_port);
	assert_prop (cslot, "State", g_variant_new_string ("OPERATIONAL"));
	assert_prop (cslot, "ServerLinkState", g_variant_new_string ("connected"));
	assert_prop (cslot, "BankdLinkState", g_variant_new_string ("connected"));
	assert_prop (cslot, "BankdAddress", g_variant_new_string (bankd_addr));
	assert_prop (cslot, "BankId", g_variant_new_uint32 (1));
	assert_prop (cslot, "BankSlot", g_variant_new_uint32 (0));
	assert_prop (cslot, "CardPresent", g_variant_new_boolean (TRUE));
	assert_prop (cslot, "Atr", bytes_variant (SIMCARD_ATR_LINE));
	/* the shell sink shows the card powered and running */
	assert_prop (cslot, "Vcc", g_variant_new_string ("on"));
	assert_prop (cslot, "Rst", g_variant_new_string ("off"));
	assert_prop (bslot, "LinkState", g_variant_new_string ("connected"));
	assert_prop (bslot, "Atr", bytes_variant (SIMCARD_ATR_LINE));
	g_assert_cmpuint (remsim_dbus_bank_slot1_get_apdu_count (bslot), ==, 0);

	/* one APDU: the counters follow within 250 ms */
	remsim_test_shell_write (f->client, SELECT_MF "\n");
	remsim_test_shell_wait_line (f->client, SELECT_MF_ANSWER, 1, 10000);
	assert_prop (bslot, "ApduCount", g_variant_new_uint64 (1));
	assert_prop (bslot, "BytesToCard", g_variant_new_uint64 (SELECT_MF_LEN));
	assert_prop (bslot, "BytesFromCard", g_variant_new_uint64 (2));
	assert_prop (cslot, "ApduCount", g_variant_new_uint64 (1));
	remsim_test_run_for (400);

	/* a burst: many APDUs, a few PropertiesChanged */
	bid =
	    g_signal_connect (bslot, "g-properties-changed", G_CALLBACK (counter_changed_cb), &bw);
	cid =
	    g_signal_connect (cslot, "g-properties-changed", G_CALLBACK (counter_changed_cb), &cw);
	for (guint i = 0; i < BURST; i++)
		g_string_append (burst, SELECT_MF "\n");
	t0 = g_get_monotonic_time ();
	remsim_test_shell_write (f->client, burst->str);
	remsim_test_shell_wait_line (f->client, SELECT_MF_ANSWER, 1 + BURST, 60000);
	burst_us = g_get_monotonic_time () - t0;
	apdus = 1 + BURST;
	assert_prop (bslot, "ApduCount", g_variant_new_uint64 (apdus));
	assert_prop (bslot, "BytesToCard", g_variant_new_uint64 (apdus * SELECT_MF_LEN));
	assert_prop (bslot, "BytesFromCard", g_variant_new_uint64 (apdus * 2));
	assert_prop (cslot, "ApduCount", g_variant_new_uint64 (apdus));
	burst_us = MAX (burst_us, g_get_monotonic_time () - t0);
	remsim_test_run_for (400);
	g_signal_handler_disconnect (bslot, bid);
	g_signal_handler_disconnect (cslot, cid);
	counter_watch_check (&bw, "bankd", burst_us);
	counter_watch_check (&cw, "client", burst_us);
	/* the counters came in few signals, not one per APDU */
	g_assert_cmpuint (bw.n_signals, <, BURST / 10);
	g_assert_cmpuint (cw.n_signals, <, BURST / 10);

	/* ResetCard: queued behind the TPDUs, the modem gets the new ATR */
	cmd = g_strdup_printf ("gdbus call --session --dest %s --object-path "
			       "/org/remsim/BankSlot/0 --method org.remsim.BankSlot1.ResetCard "
			       "false",
			       f->bankd_name);
	g_free (remsim_test_run_ok (cmd));
	remsim_test_shell_wait_line (f->client, SIMCARD_ATR_LINE, 2, 10000);
	g_clear_pointer (&cmd, g_free);
	cmd = g_strdup_printf ("busctl --user call %s /org/remsim/BankSlot/0 "
			       "org.remsim.BankSlot1 PowerCycle",
			       f->bankd_name);
	g_free (remsim_test_run_ok (cmd));
	remsim_test_shell_wait_line (f->client, SIMCARD_ATR_LINE, 3, 10000);
	g_assert_cmpstr (remsim_dbus_bank_slot1_get_last_error (bslot), ==, "");

	/* Reconnect: both links come back, the modem gets the card again */
	g_clear_pointer (&cmd, g_free);
	cmd = g_strdup_printf ("gdbus call --session --dest %s --object-path "
			       "/org/remsim/ClientSlot/0 --method "
			       "org.remsim.ClientSlot1.Reconnect",
			       f->client_name);
	out = remsim_test_run_ok (cmd);
	g_assert_cmpstr (g_strstrip (out), ==, "()");
	remsim_test_shell_wait_line (f->client, SIMCARD_ATR_LINE, 4, 15000);
	log = remsim_test_shell_read_log (f->client);
	g_assert_nonnull (strstr (log, "C1:0: reconnecting to remsim-server and the bankd"));
	assert_prop (cslot, "BankdLinkState", g_variant_new_string ("connected"));
	assert_prop (cslot, "ServerLinkState", g_variant_new_string ("connected"));
	assert_prop (bslot, "LinkState", g_variant_new_string ("connected"));
	remsim_test_shell_write (f->client, SELECT_MF "\n");
	remsim_test_shell_wait_line (f->client, SELECT_MF_ANSWER, 2 + BURST, 10000);
	assert_prop (cslot, "ApduCount", g_variant_new_uint64 (apdus + 1));

	/* the card goes away during the session: LastError says so; the
	 * client comes back and waits for a card */
	simcard_kill (f);
	assert_prop (bslot, "CardPresent", g_variant_new_boolean (FALSE));
	assert_prop (cslot, "CardPresent", g_variant_new_boolean (FALSE));
	g_assert_nonnull (
	    strstr (remsim_dbus_bank_slot1_get_last_error (bslot), "B1:0: card removed"));

	/* the mapping goes: MappedClient empty, the client unconfigured */
	{
		g_autoptr (RemsimTestHttpResponse) r =
		    remsim_test_http_delete (f->rest_base, "/slotmaps/65536");
		g_assert_cmpuint (r->status, ==, 200);
	}
	assert_prop (bslot, "MappedClient", g_variant_new_string (""));
	assert_prop (bslot, "LinkState", g_variant_new_string ("none"));
	assert_prop (cslot, "BankdAddress", g_variant_new_string (""));
	assert_prop (cslot, "BankdLinkState", g_variant_new_string ("disconnected"));
	assert_prop (cslot, "State", g_variant_new_string ("UNCONFIGURED"));

	g_array_unref (bw.times);
	g_array_unref (cw.times);
}

/* two clients share the bus with suffixes; a third with a taken name stops */
static void
test_roles_names (Fixture *f, gconstpointer user_data)
{
	g_autofree gchar *cmd = NULL;
	g_autofree gchar *err = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *other = g_strdup_printf ("%s_b", f->suffix);
	g_autoptr (RemsimTestProc) client2 = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *log2 = g_build_filename (f->tmpdir, "client2.log", NULL);
	g_autofree gchar *port = NULL;
	g_autofree gchar *suffix_arg = g_strdup_printf ("--dbus-name-suffix=%s", other);
	g_autofree gchar *name2 = g_strdup_printf ("org.remsim.Client.%s", other);

	server_start (f);
	client_start (f);
	port = g_strdup_printf ("%u", f->rspro_port);
	{
		const gchar *argv[] = {remsim_test_program ("REMSIM_CLIENT_BIN"),
				       "-i",
				       "127.0.0.1",
				       "-p",
				       port,
				       "-c",
				       "2",
				       "-n",
				       "5",
				       "-k",
				       "--dbus=session",
				       suffix_arg,
				       NULL};
		/* stdin at EOF: -k keeps it running */
		client2 = remsim_test_proc_spawn (argv, log2, &error);
		g_assert_no_error (error);
	}
	cmd = g_strdup_printf ("gdbus wait --session --timeout 15 %s", f->client_name);
	g_free (remsim_test_run_ok (cmd));
	g_clear_pointer (&cmd, g_free);
	cmd = g_strdup_printf ("gdbus wait --session --timeout 15 %s", name2);
	g_free (remsim_test_run_ok (cmd));
	g_clear_pointer (&cmd, g_free);
	cmd = g_strdup_printf ("busctl --user get-property %s /org/remsim/ClientSlot/5 "
			       "org.remsim.ClientSlot1 Name",
			       name2);
	out = remsim_test_run_ok (cmd);
	g_assert_cmpstr (out, ==, "s \"C2:5\"\n");

	/* the name of the first client is taken */
	g_clear_pointer (&cmd, g_free);
	cmd = g_strdup_printf ("%s -i 127.0.0.1 -p %u -c 3 -n 0 --dbus=session "
			       "--dbus-name-suffix=%s < /dev/null",
			       remsim_test_program ("REMSIM_CLIENT_BIN"),
			       f->rspro_port,
			       f->suffix);
	g_assert_cmpint (remsim_test_run_sh (cmd, NULL, &err, 20000), ==, 1);
	g_assert_nonnull (strstr (err, "remsim-client: D-Bus: cannot own the D-Bus name"));
	g_clear_pointer (&cmd, g_free);
	g_clear_pointer (&err, g_free);
	cmd = g_strdup_printf ("%s -c 1 -n 0 --dbus=bus < /dev/null",
			       remsim_test_program ("REMSIM_CLIENT_BIN"));
	g_assert_cmpint (remsim_test_run_sh (cmd, NULL, &err, 20000), ==, 1);
	g_assert_nonnull (strstr (err, "--dbus"));
	g_clear_pointer (&cmd, g_free);
	g_clear_pointer (&err, g_free);
	cmd = g_strdup_printf ("%s -i 127.0.0.1 -p 1 --dbus=session --dbus-name-suffix=2bad",
			       remsim_test_program ("REMSIM_BANKD_BIN"));
	g_assert_cmpint (remsim_test_run_sh (cmd, NULL, &err, 20000), ==, 1);
	g_assert_nonnull (strstr (err, "D-Bus name suffix \"2bad\""));

	remsim_test_proc_stop_clean (&client2, "second remsim-client", FALSE);
}

/* ---- docs/dbus.md one-liners ---- */

static void
test_roles_docs (Fixture *f, gconstpointer user_data)
{
	g_autofree gchar *md = g_build_filename (g_getenv ("REMSIM_DOCS_DIR"), "dbus.md", NULL);

	/* the system the docs describe, under the plain names: bank 1 with
	 * 2 slots, slot 0 a card; client C1:0 mapped to it */
	fixture_names (f, NULL);
	server_start (f);
	bankd_start (f);
	simcard_start (f);
	f->bankd_manager = manager_new (f, f->bankd_name);
	{
		g_autoptr (RemsimDBusBankSlot1) bslot =
		    get_iface (f->bankd_manager, "/org/remsim/BankSlot/0", "org.remsim.BankSlot1");
		assert_prop (bslot, "CardPresent", g_variant_new_boolean (TRUE));
	}
	remsim_test_rest_map (f->rest_base, 0, 1, 0);
	client_start (f);
	remsim_test_shell_wait_line (f->client, SIMCARD_ATR_LINE, 1, 15000);

	remsim_test_run_doc_one_liners (md, "test-roles", 8);
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

	g_test_add ("/remsim/dbus/roles/bankd-card",
		    Fixture,
		    NULL,
		    fixture_setup,
		    test_roles_bankd_card,
		    fixture_teardown);
	g_test_add ("/remsim/dbus/roles/session",
		    Fixture,
		    NULL,
		    fixture_setup,
		    test_roles_session,
		    fixture_teardown);
	g_test_add ("/remsim/dbus/roles/names",
		    Fixture,
		    NULL,
		    fixture_setup,
		    test_roles_names,
		    fixture_teardown);
	g_test_add ("/remsim/dbus/roles/docs",
		    Fixture,
		    NULL,
		    fixture_setup,
		    test_roles_docs,
		    fixture_teardown);

	ret = g_test_run ();
	if (test_bus != NULL)
		g_test_dbus_down (test_bus);
	return ret;
}
