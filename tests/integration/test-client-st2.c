/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * remsim-client as a drop-in for osmo-remsim-client-st2: the real
 * remsim-server, remsim-bankd (vicc card source) with remsim-simcard as the
 * bank's card, and remsim-client started with osmo-remsim-client-st2's
 * options (-i -p -c -n -V -P -I -H -e). Its cardem-st2 sink opens a
 * SIMtrace2 that umockdev fakes below libusb (plugins/cardem-st2/
 * cardem-fake-device.c); the fake modem powers the card, does a PTS, sends
 * TPDUs and checks every byte against a reference simulated card. The event
 * script records its argument and environment; the client's debug log gives
 * the order in which the scripts were started.
 *
 * The program runs itself under umockdev-wrapper (the client inherits the
 * preload library and the testbed); without umockdev it exits 77 (skip)
 * unless REMSIM_TEST_STRICT=1.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "cardem-fake-device.h"
#include "remsim-test-roles.h"

#define API "/api/backend/v1"

/* what the fake modem sends after each card insertion */
static const RemsimCardemFakeCmd remsim_test_phase1[] = {
    {"a0 a4 00 00 02", "3f 00"}, /* SELECT MF, GSM class: 9Fxx → GET RESPONSE */
    {"a0 a4 00 00 02", "7f 20"},
    {"a0 a4 00 00 02", "6f 07"},
    {"a0 b0 00 00 09", NULL}, /* READ BINARY (IMSI) */
    {"a0 f2 00 00 16", NULL}, /* STATUS */
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

/* the recorded environment, one line per run, '|'-separated */
enum {
	EV_ARG,
	EV_CAUSE,
	EV_CLIENT_SLOT,
	EV_BANKD_SLOT,
	EV_SERVER_ADDR,
	EV_SERVER_STATE,
	EV_BANKD_ADDR,
	EV_BANKD_STATE,
	EV_USB_PATH,
	EV_USB_INTERFACE,
	EV_VCC,
	EV_RST,
	EV_CLK,
	EV_VERSION,
	EV_N_FIELDS,
};

typedef struct {
	gchar *tmpdir;
	gchar *state_file;
	guint16 rspro_port;
	guint16 rest_port;
	guint16 bankd_port;
	guint16 vicc_port;
	gchar *rest_base;
	RemsimTestProc *server;
	RemsimTestProc *bankd;
	RemsimTestProc *simcard;
	RemsimTestProc *client;
	gchar *script_out;
	gchar *script_pids;

	UMockdevTestbed *testbed;
	RemsimCardemFake fake;
	GPtrArray *fake_events; /* every event of the fake device */
	GPtrArray *errors;
} Fixture;

static guint16
other_port (guint16 a, guint16 b, guint16 c)
{
	guint16 p;

	do
		p = remsim_test_free_port ();
	while (p == a || p == b || p == c);
	return p;
}

/* ---- the fake device ---- */

static void
fake_drain (Fixture *f)
{
	gchar *ev;

	while ((ev = remsim_cardem_fake_pop_event (&f->fake)) != NULL) {
		g_test_message ("fake device: %s", ev);
		if (g_str_has_prefix (ev, "error"))
			g_ptr_array_add (f->errors, g_strdup (ev));
		g_ptr_array_add (f->fake_events, ev);
	}
}

static guint
fake_count (Fixture *f, const gchar *event)
{
	guint n = 0;

	for (guint i = 0; i < f->fake_events->len; i++)
		n += g_str_equal (g_ptr_array_index (f->fake_events, i), event);
	return n;
}

typedef struct {
	Fixture *f;
	const gchar *event;
	guint n;
} FakeWait;

static gboolean
fake_wait_cond (gpointer user_data)
{
	FakeWait *w = user_data;

	fake_drain (w->f);
	return w->f->errors->len > 0 || fake_count (w->f, w->event) >= w->n;
}

static void
assert_no_fake_errors (Fixture *f)
{
	fake_drain (f);
	for (guint i = 0; i < f->errors->len; i++)
		g_test_message ("%s", (const gchar *)g_ptr_array_index (f->errors, i));
	g_assert_cmpuint (f->errors->len, ==, 0);
}

/* wait until the fake device reported @event @n times */
static void
fake_wait (Fixture *f, const gchar *event, guint n, guint timeout_ms)
{
	FakeWait w = {f, event, n};

	if (!remsim_test_wait_until (fake_wait_cond, &w, timeout_ms)) {
		g_autofree gchar *log = remsim_test_proc_read_log (f->client);

		g_test_message ("client log:\n%s", log);
		g_test_fail_printf ("the fake device did not report '%s' %u times", event, n);
	}
	assert_no_fake_errors (f);
}

/* ---- processes ---- */

static void
server_start (Fixture *f)
{
	g_autofree gchar *log = g_build_filename (f->tmpdir, "server.log", NULL);

	f->server =
	    remsim_test_server_spawn (f->rspro_port, f->rest_port, f->state_file, NULL, log);
}

/* bankd with slot 0 = a vicc source, and remsim-simcard as its card */
static void
bankd_start (Fixture *f)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *log = g_build_filename (f->tmpdir, "bankd.log", NULL);
	g_autofree gchar *simcard_log = g_build_filename (f->tmpdir, "simcard.log", NULL);
	g_autofree gchar *conf_path = g_build_filename (f->tmpdir, "bankd.conf", NULL);
	g_autofree gchar *vicc = g_strdup_printf ("127.0.0.1:%u", f->vicc_port);
	g_autofree gchar *conf = g_strdup_printf ("[bankd]\n"
						  "bank-id=1\n"
						  "num-slots=1\n"
						  "server=127.0.0.1:%u\n"
						  "listen=127.0.0.1:%u\n"
						  "\n"
						  "[source:sim]\n"
						  "plugin=vicc\n"
						  "slots=0\n"
						  "listen=%s\n",
						  f->rspro_port,
						  f->bankd_port,
						  vicc);
	const gchar *argv[] = {remsim_test_program ("REMSIM_BANKD_BIN"), "-c", conf_path, NULL};
	const gchar *simcard_argv[] = {
	    remsim_test_program ("REMSIM_SIMCARD_BIN"), "--connect", vicc, NULL};

	g_file_set_contents (conf_path, conf, -1, &error);
	g_assert_no_error (error);
	f->bankd = remsim_test_proc_spawn (argv, log, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_wait_port (f->bankd_port, 15000));
	f->simcard = remsim_test_proc_spawn (simcard_argv, simcard_log, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_proc_wait_log (f->bankd, "card present", 15000));
}

/* @hang: the event script records, then hangs (sleep 100); the client gets
 * a keyfile with a short event-script-timeout-ms */
static void
client_start (Fixture *f, gboolean hang)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *log = g_build_filename (f->tmpdir, "client.log", NULL);
	g_autofree gchar *script_path = g_build_filename (f->tmpdir, "event.sh", NULL);
	g_autofree gchar *conf_path = g_build_filename (f->tmpdir, "client.conf", NULL);
	g_autofree gchar *script = NULL;
	g_autofree gchar *port = g_strdup_printf ("%u", f->rspro_port);
	g_autoptr (GPtrArray) argv = g_ptr_array_new ();
	const gchar *const st2_args[] = {
	    "-i",   "127.0.0.1", "-p",	 port, "-c", "1",  "-n", "0",  "-V",
	    "1d50", "-P",	 "60e3", "-C", "1",  "-I", "0",	 "-H", REMSIM_CARDEM_FAKE_USB_PATH,
	    "-e",   script_path, NULL};

	f->script_out = g_build_filename (f->tmpdir, "events.txt", NULL);
	f->script_pids = g_build_filename (f->tmpdir, "script-pids.txt", NULL);
	script = g_strdup_printf (
	    "#!/bin/sh\n"
	    "echo $$ >> '%s'\n"
	    "printf '%%s|%%s|%%s|%%s|%%s|%%s|%%s|%%s|%%s|%%s|%%s|%%s|%%s|%%s\\n' \"$1\" "
	    "\"$REMSIM_CAUSE\" \"$REMSIM_CLIENT_SLOT\" \"$REMSIM_BANKD_SLOT\" "
	    "\"$REMSIM_SERVER_ADDR\" \"$REMSIM_SERVER_STATE\" \"$REMSIM_BANKD_ADDR\" "
	    "\"$REMSIM_BANKD_STATE\" \"${REMSIM_USB_PATH-unset}\" "
	    "\"${REMSIM_USB_INTERFACE-unset}\" \"$REMSIM_SIM_VCC\" \"$REMSIM_SIM_RST\" "
	    "\"$REMSIM_SIM_CLK\" \"$REMSIM_CLIENT_VERSION\" >> '%s'\n"
	    "%s",
	    f->script_pids,
	    f->script_out,
	    hang ? "exec sleep 100\n" : "[ \"$1\" = event-modem-status ] && exit 3\nexit 0\n");
	g_file_set_contents (script_path, script, -1, &error);
	g_assert_no_error (error);
	g_assert_cmpint (g_chmod (script_path, 0755), ==, 0);

	g_ptr_array_add (argv, (gpointer)remsim_test_program ("REMSIM_CLIENT_BIN"));
	if (hang) {
		g_file_set_contents (
		    conf_path, "[client]\nevent-script-timeout-ms=5000\n", -1, &error);
		g_assert_no_error (error);
		g_ptr_array_add (argv, "-f");
		g_ptr_array_add (argv, conf_path);
	}
	/* osmo-remsim-client-st2's options as a systemd unit passes them */
	for (guint i = 0; st2_args[i] != NULL; i++)
		g_ptr_array_add (argv, (gpointer)st2_args[i]);
	g_ptr_array_add (argv, NULL);

	/* the debug messages say when each script is started */
	g_setenv ("G_MESSAGES_DEBUG", "remsim", TRUE);
	f->client = remsim_test_proc_spawn ((const gchar *const *)argv->pdata, log, &error);
	g_unsetenv ("G_MESSAGES_DEBUG");
	g_assert_no_error (error);
}

/* ---- the event script's records ---- */

/* the recorded runs, each a GStrv of EV_N_FIELDS */
static GPtrArray *
events_read (Fixture *f)
{
	g_autofree gchar *text = NULL;
	g_auto (GStrv) lines = NULL;
	GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);

	if (!g_file_get_contents (f->script_out, &text, NULL, NULL))
		return events;
	lines = g_strsplit (text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		gchar **fields;

		if (lines[i][0] == '\0')
			continue;
		fields = g_strsplit (lines[i], "|", -1);
		g_assert_cmpuint (g_strv_length (fields), ==, EV_N_FIELDS);
		g_ptr_array_add (events, fields);
	}
	return events;
}

/* the records of @cause */
static GPtrArray *
events_of (GPtrArray *events, const gchar *cause)
{
	GPtrArray *of = g_ptr_array_new ();

	for (guint i = 0; i < events->len; i++) {
		gchar **ev = g_ptr_array_index (events, i);

		if (g_str_equal (ev[EV_ARG], cause))
			g_ptr_array_add (of, ev);
	}
	return of;
}

typedef struct {
	Fixture *f;
	const gchar *cause;
	guint n;
} EventWait;

static gboolean
event_wait_cond (gpointer user_data)
{
	EventWait *w = user_data;
	g_autoptr (GPtrArray) events = events_read (w->f);
	g_autoptr (GPtrArray) of = events_of (events, w->cause);

	return of->len >= w->n;
}

static void
event_wait (Fixture *f, const gchar *cause, guint n)
{
	EventWait w = {f, cause, n};

	if (!remsim_test_wait_until (event_wait_cond, &w, 15000))
		g_test_fail_printf ("the event script did not record %s %u times", cause, n);
}

/* the causes in the order the client started the scripts (its debug log:
 * "event script '<script> <cause>': started") */
static GPtrArray *
started_causes (Fixture *f)
{
	g_autofree gchar *log = remsim_test_proc_read_log (f->client);
	g_autoptr (GRegex) re = g_regex_new ("event script '[^']* ([a-z-]+)': started", 0, 0, NULL);
	g_autoptr (GMatchInfo) match = NULL;
	GPtrArray *causes = g_ptr_array_new_with_free_func (g_free);

	g_regex_match (re, log, 0, &match);
	while (g_match_info_matches (match)) {
		g_ptr_array_add (causes, g_match_info_fetch (match, 1));
		g_match_info_next (match, NULL);
	}
	return causes;
}

static guint
count_started (Fixture *f, const gchar *cause)
{
	g_autoptr (GPtrArray) causes = started_causes (f);
	guint n = 0;

	for (guint i = 0; i < causes->len; i++)
		n += g_str_equal (g_ptr_array_index (causes, i), cause);
	return n;
}

/* the started causes without event-modem-status, joined with ' ' */
static gchar *
started_sequence (Fixture *f)
{
	g_autoptr (GPtrArray) causes = started_causes (f);
	GString *s = g_string_new (NULL);

	for (guint i = 0; i < causes->len; i++) {
		const gchar *c = g_ptr_array_index (causes, i);

		if (g_str_equal (c, "event-modem-status"))
			continue;
		g_string_append_printf (s, "%s%s", s->len > 0 ? " " : "", c);
	}
	return g_string_free (s, FALSE);
}

static void
assert_env (gchar **ev,
	    const gchar *server_state,
	    const gchar *bankd_addr,
	    const gchar *bankd_state)
{
	g_autofree gchar *line = g_strjoinv ("|", ev);

	g_test_message ("%s", line);
	g_assert_cmpstr (ev[EV_CAUSE], ==, ev[EV_ARG]);
	g_assert_cmpstr (ev[EV_CLIENT_SLOT], ==, "1:0");
	g_assert_cmpstr (ev[EV_USB_PATH], ==, REMSIM_CARDEM_FAKE_USB_PATH);
	g_assert_cmpstr (ev[EV_USB_INTERFACE], ==, "0");
	g_assert_cmpstr (ev[EV_VERSION], ==, PACKAGE_VERSION);
	if (server_state != NULL)
		g_assert_cmpstr (ev[EV_SERVER_STATE], ==, server_state);
	if (bankd_addr != NULL)
		g_assert_cmpstr (ev[EV_BANKD_ADDR], ==, bankd_addr);
	if (bankd_state != NULL)
		g_assert_cmpstr (ev[EV_BANKD_STATE], ==, bankd_state);
}

/* ---- fixture ---- */

static void
fixture_setup (Fixture *f, gconstpointer user_data)
{
	gboolean hang = GPOINTER_TO_INT (user_data);

	f->tmpdir = remsim_test_mkdtemp ();
	f->state_file = g_build_filename (f->tmpdir, "slotmaps.state", NULL);
	f->rspro_port = remsim_test_free_port ();
	f->rest_port = other_port (f->rspro_port, 0, 0);
	f->bankd_port = other_port (f->rspro_port, f->rest_port, 0);
	f->vicc_port = other_port (f->rspro_port, f->rest_port, f->bankd_port);
	f->rest_base = g_strdup_printf ("http://127.0.0.1:%u" API, f->rest_port);
	f->fake_events = g_ptr_array_new_with_free_func (g_free);
	f->errors = g_ptr_array_new_with_free_func (g_free);

	f->testbed = umockdev_testbed_new ();
	g_assert_true (umockdev_in_mock_environment ());
	remsim_cardem_fake_init (
	    &f->fake, f->testbed, remsim_test_phases, G_N_ELEMENTS (remsim_test_phases));

	server_start (f);
	bankd_start (f);
	client_start (f, hang);
	/* the client found the SIMtrace2 and configured it */
	fake_wait (f, "config", 1, 15000);
}

/* scripts still running (hanging ones the client has not killed yet) */
static void
kill_scripts (Fixture *f)
{
	g_autofree gchar *text = NULL;
	g_auto (GStrv) pids = NULL;

	if (f->script_pids == NULL || !g_file_get_contents (f->script_pids, &text, NULL, NULL))
		return;
	pids = g_strsplit (text, "\n", -1);
	for (guint i = 0; pids[i] != NULL; i++) {
		gint64 pid = g_ascii_strtoll (pids[i], NULL, 10);

		pid_t pgid;

		if (pid <= 1)
			continue;
		/* the client puts each script in a process group of its own,
		 * led by the "sh -c" around it */
		pgid = getpgid ((pid_t)pid);
		if (pgid > 1 && pgid != getpgid (0))
			(void)kill (-pgid, SIGKILL);
		else
			(void)kill ((pid_t)pid, SIGKILL);
	}
}

static void
fixture_teardown (Fixture *f, gconstpointer user_data)
{
	remsim_test_proc_stop_clean (&f->client, "remsim-client", TRUE);
	kill_scripts (f);
	remsim_test_proc_stop_clean (&f->simcard, "remsim-simcard", TRUE);
	remsim_test_proc_stop_clean (&f->bankd, "remsim-bankd", TRUE);
	remsim_test_proc_stop_clean (&f->server, "remsim-server", TRUE);
	fake_drain (f);
	remsim_cardem_fake_clear (&f->fake);
	g_clear_object (&f->testbed);
	if (g_test_failed ())
		g_test_message ("keeping %s for inspection", f->tmpdir);
	else
		remsim_test_rmdir (f->tmpdir);
	g_ptr_array_unref (f->fake_events);
	g_ptr_array_unref (f->errors);
	g_free (f->script_out);
	g_free (f->script_pids);
	g_free (f->tmpdir);
	g_free (f->state_file);
	g_free (f->rest_base);
}

/* ---- tests ---- */

/* a mapping puts the bank's card into the modem: TPDUs (with a PTS in
 * front and data after the procedure byte) answered as the card answers;
 * every event-script cause with its environment; removing the mapping takes
 * the card out; a new mapping brings it back */
static void
test_st2_session (Fixture *f, gconstpointer user_data)
{
	g_autofree gchar *bankd_addr = g_strdup_printf ("127.0.0.1:%u", f->bankd_port);
	g_autofree gchar *server_addr = g_strdup_printf ("127.0.0.1:%u", f->rspro_port);
	g_autofree gchar *seq = NULL;
	g_autoptr (GPtrArray) events = NULL;
	g_autoptr (GPtrArray) of = NULL;
	const gchar *enter = "event-config-bankd event-bankd-connect request-sim-remote "
			     "request-card-insert request-modem-reset";
	const gchar *leave = "request-card-remove request-sim-local request-modem-reset";
	const gchar *leave_config =
	    "request-card-remove request-sim-local request-modem-reset event-config-bankd";
	guint n_status_on = 0;
	guint n_status_rst = 0;

	remsim_test_rest_map (f->rest_base, 0, 1, 0);
	fake_wait (f, "phase-done 1", 1, 20000);
	g_assert_cmpuint (fake_count (f, "card-insert 1"), ==, 1);
	g_assert_cmpuint (fake_count (f, "sim-select 1"), ==, 1);
	g_assert_cmpuint (fake_count (f, "modem-reset"), ==, 1);
	g_assert_true (f->fake.pts_with_header_ok);
	g_test_message (
	    "phase 1: %u TPDUs, %u bytes checked", f->fake.n_tpdus, f->fake.n_checked_bytes);
	g_assert_cmpuint (f->fake.n_tpdus, >=, G_N_ELEMENTS (remsim_test_phase1));

	/* entering OPERATIONAL: the causes in order, with the environment */
	event_wait (f, "request-modem-reset", 1);
	seq = started_sequence (f);
	g_test_message ("started: %s", seq);
	g_assert_true (g_str_has_prefix (seq, "event-server-connect "));
	g_assert_true (g_str_has_suffix (seq, enter));

	events = events_read (f);
	of = events_of (events, "event-server-connect");
	g_assert_cmpuint (of->len, ==, 1);
	assert_env (g_ptr_array_index (of, 0), "CONNECTED", NULL, "INIT");
	g_assert_cmpstr (((gchar **)g_ptr_array_index (of, 0))[EV_SERVER_ADDR], ==, server_addr);
	g_clear_pointer (&of, g_ptr_array_unref);
	of = events_of (events, "event-config-bankd");
	g_assert_cmpuint (of->len, ==, 1);
	assert_env (g_ptr_array_index (of, 0), "CONNECTED", bankd_addr, NULL);
	g_assert_cmpstr (((gchar **)g_ptr_array_index (of, 0))[EV_BANKD_SLOT], ==, "1:0");
	g_clear_pointer (&of, g_ptr_array_unref);
	of = events_of (events, "event-bankd-connect");
	g_assert_cmpuint (of->len, ==, 1);
	assert_env (g_ptr_array_index (of, 0), "CONNECTED", bankd_addr, "CONNECTED");
	g_clear_pointer (&of, g_ptr_array_unref);
	for (guint c = 0; c < 3; c++) {
		const gchar *cause = (const gchar *[]){
		    "request-sim-remote", "request-card-insert", "request-modem-reset"}[c];

		of = events_of (events, cause);
		g_assert_cmpuint (of->len, ==, 1);
		assert_env (g_ptr_array_index (of, 0), "CONNECTED", bankd_addr, "CONNECTED");
		g_assert_cmpstr (((gchar **)g_ptr_array_index (of, 0))[EV_BANKD_SLOT], ==, "1:0");
		g_clear_pointer (&of, g_ptr_array_unref);
	}
	/* the modem powered the card: one event per change, none for the
	 * repeated status */
	event_wait (f, "event-modem-status", 3);
	g_clear_pointer (&events, g_ptr_array_unref);
	events = events_read (f);
	of = events_of (events, "event-modem-status");
	for (guint i = 0; i < of->len; i++) {
		gchar **ev = g_ptr_array_index (of, i);

		assert_env (ev, NULL, NULL, NULL);
		n_status_on += g_str_equal (ev[EV_VCC], "1") && g_str_equal (ev[EV_RST], "0") &&
			       g_str_equal (ev[EV_CLK], "1");
		n_status_rst += g_str_equal (ev[EV_VCC], "1") && g_str_equal (ev[EV_RST], "1") &&
				g_str_equal (ev[EV_CLK], "1");
	}
	g_assert_cmpuint (n_status_rst, ==, 1);
	g_assert_cmpuint (n_status_on, ==, 1);
	g_clear_pointer (&of, g_ptr_array_unref);
	/* that script fails (exit 3): logged, nothing else */
	g_assert_true (remsim_test_proc_wait_log (
	    f->client, "event-modem-status': exited with status 3", 5000));

	/* the mapping goes away: card removal at the modem, and the causes */
	remsim_test_rest_unmap (f->rest_base, 0);
	fake_wait (f, "card-insert 0", 1, 15000);
	/* then (separate transfers) the local SIM and a modem reset */
	fake_wait (f, "sim-select 0", 1, 5000);
	fake_wait (f, "modem-reset", 2, 5000);
	event_wait (f, "request-sim-local", 1);
	event_wait (f, "event-config-bankd", 2);
	g_free (seq);
	seq = started_sequence (f);
	g_test_message ("started: %s", seq);
	/* the bankd closes our connection when the mapping goes, the server
	 * then sends 0.0.0.0:0; if the client got back to the bankd in between
	 * (accepted without a card) it enters and leaves OPERATIONAL once more:
	 * either way the leaving causes come last, then event-config-bankd */
	g_assert_nonnull (strstr (seq, leave));
	g_assert_true (strstr (seq, leave) > strstr (seq, enter));
	g_assert_true (g_str_has_suffix (seq, leave_config));
	for (guint c = 0; c < 3; c++) {
		const gchar *cause = (const gchar *[]){
		    "request-card-remove", "request-sim-local", "request-modem-reset"}[c];
		gchar **last;

		event_wait (f, cause, count_started (f, cause));
		g_clear_pointer (&events, g_ptr_array_unref);
		events = events_read (f);
		of = events_of (events, cause);
		g_assert_cmpuint (of->len, >=, c == 2 ? 2 : 1);
		last = g_ptr_array_index (of, of->len - 1);
		assert_env (last, "CONNECTED", NULL, NULL);
		g_assert_cmpstr (last[EV_BANKD_STATE], !=, "CONNECTED");
		g_clear_pointer (&of, g_ptr_array_unref);
	}
	of = events_of (events, "event-config-bankd");
	g_assert_cmpuint (of->len, ==, 2);
	assert_env (g_ptr_array_index (of, 1), "CONNECTED", "0.0.0.0:0", "INIT");
	g_clear_pointer (&of, g_ptr_array_unref);

	/* mapped again: the card comes back, the modem goes on (the scripts
	 * of entering OPERATIONAL were started before the card came) */
	remsim_test_rest_map (f->rest_base, 0, 1, 0);
	fake_wait (f, "phase-done 2", 1, 20000);
	g_assert_cmpuint (fake_count (f, "card-insert 1"), ==, 2);
	g_free (seq);
	seq = started_sequence (f);
	g_test_message ("started: %s", seq);
	g_assert_true (g_str_has_suffix (seq, enter));
	g_assert_cmpuint (count_started (f, "event-server-connect"), ==, 1);
	g_assert_cmpuint (count_started (f, "event-config-bankd"), ==, 3);
	g_test_message (
	    "%u TPDUs, %u bytes from the client checked", f->fake.n_tpdus, f->fake.n_checked_bytes);
}

/* event scripts that hang (sleep 100) never hold up the TPDUs; the client
 * kills them after event-script-timeout-ms */
static void
test_st2_hanging_script (Fixture *f, gconstpointer user_data)
{
	g_autofree gchar *log = NULL;

	remsim_test_rest_map (f->rest_base, 0, 1, 0);
	fake_wait (f, "phase-done 1", 1, 20000);
	/* the scripts of entering OPERATIONAL were started before the card
	 * was inserted and hang for 100 s: the TPDUs went through while they
	 * ran, none has been killed yet (timeout 5 s) */
	event_wait (f, "request-modem-reset", 1);
	log = remsim_test_proc_read_log (f->client);
	g_assert_null (strstr (log, "request-modem-reset': still running"));
	g_assert_cmpuint (f->fake.n_tpdus, >=, G_N_ELEMENTS (remsim_test_phase1));

	/* removal goes through too */
	remsim_test_rest_unmap (f->rest_base, 0);
	fake_wait (f, "card-insert 0", 1, 15000);
	event_wait (f, "request-sim-local", 1);

	/* the hanging scripts are killed and logged */
	g_assert_true (remsim_test_proc_wait_log (
	    f->client, "request-modem-reset': still running after the timeout", 15000));
	g_assert_true (remsim_test_proc_wait_log (
	    f->client, "request-sim-local': still running after the timeout", 15000));
}

int
main (int argc, char **argv)
{
	gint status = remsim_cardem_fake_reexec_under_umockdev (argc, argv);

	if (status >= 0)
		return status;
	g_test_init (&argc, &argv, NULL);
	g_test_add ("/remsim/client-st2/session",
		    Fixture,
		    GINT_TO_POINTER (FALSE),
		    fixture_setup,
		    test_st2_session,
		    fixture_teardown);
	g_test_add ("/remsim/client-st2/hanging-script",
		    Fixture,
		    GINT_TO_POINTER (TRUE),
		    fixture_setup,
		    test_st2_hanging_script,
		    fixture_teardown);
	return g_test_run ();
}
