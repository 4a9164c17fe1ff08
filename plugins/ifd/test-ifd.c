/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the ifd driver's parts: DEVICENAME and keyfile parsing, and
 * RemsimIfdSink between a "pcscd thread" (the test's main thread) and a main
 * loop thread that plays the client session.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "remsim-config.h"
#include "remsim-error.h"
#include "remsim-ifd-config.h"
#include "remsim-ifd-sink.h"

/* ---- DEVICENAME and keyfile ---------------------------------------------- */

static gchar *
write_keyfile (const gchar *contents)
{
	g_autoptr (GError) error = NULL;
	gchar *path = NULL;
	gint fd = g_file_open_tmp ("test-ifd-XXXXXX.conf", &path, &error);

	g_assert_no_error (error);
	g_assert_cmpint (fd, >=, 0);
	close (fd);
	g_file_set_contents (path, contents, -1, &error);
	g_assert_no_error (error);
	return path;
}

static void
test_config_defaults (void)
{
	const gchar *names[] = {NULL, "", ":", ":::", "::::"};

	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (RemsimIfdConfig) c = remsim_ifd_config_parse (names[i], NULL, &error);

		g_assert_no_error (error);
		g_assert_nonnull (c);
		g_assert_cmpstr (c->server_host, ==, "127.0.0.1");
		g_assert_cmpuint (c->server_port, ==, 9998);
		g_assert_cmpuint (c->client_id, ==, 0);
		g_assert_cmpuint (c->client_slot, ==, 0);
		g_assert_cmpuint (c->n_slots, ==, 1);
		g_assert_cmpuint (c->transmit_timeout_ms, ==, 10000);
		g_assert_cmpuint (c->reset_timeout_ms, ==, 2000);
		g_assert_cmpuint (g_bytes_get_size (c->atr), ==, 2);
		g_assert_false (c->atr_ignore_rspro);
		g_assert_null (c->event_script);
		g_assert_null (c->component_name);
		g_assert_null (c->keyfile);
	}
}

static void
test_config_fields (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimIfdConfig) c = NULL;

	c = remsim_ifd_config_parse ("23:4:192.0.2.1:1234", NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (c->client_id, ==, 23);
	g_assert_cmpuint (c->client_slot, ==, 4);
	g_assert_cmpstr (c->server_host, ==, "192.0.2.1");
	g_assert_cmpuint (c->server_port, ==, 1234);
	g_clear_pointer (&c, remsim_ifd_config_free);

	/* trailing fields missing: upstream's defaults */
	c = remsim_ifd_config_parse ("7", NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (c->client_id, ==, 7);
	g_assert_cmpuint (c->client_slot, ==, 0);
	g_assert_cmpstr (c->server_host, ==, "127.0.0.1");
	g_clear_pointer (&c, remsim_ifd_config_free);

	/* a host without a port gets 9998 (upstream crashes there) */
	c = remsim_ifd_config_parse ("1:1:remsim.example", NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (c->server_host, ==, "remsim.example");
	g_assert_cmpuint (c->server_port, ==, 9998);
	g_clear_pointer (&c, remsim_ifd_config_free);

	/* empty fields in the middle */
	c = remsim_ifd_config_parse ("::host:9000", NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (c->client_id, ==, 0);
	g_assert_cmpstr (c->server_host, ==, "host");
	g_assert_cmpuint (c->server_port, ==, 9000);
}

static void
test_config_bad_fields (void)
{
	const gchar *names[] = {
	    "x", "1:y", "1024", "0:1024", "0:0:h:0", "0:0:h:65536", "0:0:h:p", "-1", "0:0:h:12a"};

	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (RemsimIfdConfig) c = remsim_ifd_config_parse (names[i], NULL, &error);

		g_assert_null (c);
		g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_INVALID_VALUE);
		g_assert_nonnull (strstr (error->message, "DEVICENAME"));
	}
}

static void
test_config_keyfile (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimIfdConfig) c = NULL;
	g_autofree gchar *path = write_keyfile ("[ifd]\n"
						"server=10.1.2.3:7000\n"
						"client-id=9\n"
						"client-slot=2\n"
						"slots=4\n"
						"transmit-timeout-ms=1500\n"
						"reset-timeout-ms=0\n"
						"atr=3b 9f 96 80\n"
						"atr-ignore-rspro=true\n"
						"event-script=/bin/true\n"
						"component-name=ifd-test\n"
						"keepalive-interval-ms=0\n");
	g_autofree gchar *field5 = g_strdup_printf ("::::%s", path);
	g_autofree gchar *override = g_strdup_printf ("1::h::%s", path);

	/* the absolute path alone */
	c = remsim_ifd_config_parse (path, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (c->keyfile, ==, path);
	g_assert_cmpstr (c->server_host, ==, "10.1.2.3");
	g_assert_cmpuint (c->server_port, ==, 7000);
	g_assert_cmpuint (c->client_id, ==, 9);
	g_assert_cmpuint (c->client_slot, ==, 2);
	g_assert_cmpuint (c->n_slots, ==, 4);
	g_assert_cmpuint (c->transmit_timeout_ms, ==, 1500);
	g_assert_cmpuint (c->reset_timeout_ms, ==, 0);
	g_assert_cmpuint (g_bytes_get_size (c->atr), ==, 4);
	g_assert_true (c->atr_ignore_rspro);
	g_assert_cmpstr (c->event_script, ==, "/bin/true");
	g_assert_cmpstr (c->component_name, ==, "ifd-test");
	g_assert_cmpuint (c->keepalive_interval_ms, ==, 0);
	g_clear_pointer (&c, remsim_ifd_config_free);

	/* the fifth field */
	c = remsim_ifd_config_parse (field5, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (c->client_id, ==, 9);
	g_assert_cmpuint (c->transmit_timeout_ms, ==, 1500);
	g_clear_pointer (&c, remsim_ifd_config_free);

	/* DEVICENAME fields win; a host without port gets the default port */
	c = remsim_ifd_config_parse (override, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (c->client_id, ==, 1);
	g_assert_cmpuint (c->client_slot, ==, 2);
	g_assert_cmpstr (c->server_host, ==, "h");
	g_assert_cmpuint (c->server_port, ==, 9998);
	g_clear_pointer (&c, remsim_ifd_config_free);

	/* $REMSIM_IFD_CONFIG when DEVICENAME names no file */
	c = remsim_ifd_config_parse ("3", path, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (c->client_id, ==, 3);
	g_assert_cmpuint (c->client_slot, ==, 2);
	g_assert_cmpstr (c->keyfile, ==, path);
	g_clear_pointer (&c, remsim_ifd_config_free);

	g_unlink (path);
}

static void
test_config_bad_keyfile (void)
{
	const gchar *files[] = {
	    "[ifd]\nunknown-key=1\n",
	    "[other]\nserver=h\n",
	    "[ifd]\ntransmit-timeout-ms=0\n",
	    "[ifd]\natr=3b\n",
	    "[ifd]\natr=zz 00\n",
	    "[ifd]\nslots=17\n",
	    "[ifd]\nclient-slot=1020\nslots=8\n",
	    "not a keyfile",
	};

	for (guint i = 0; i < G_N_ELEMENTS (files); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *path = write_keyfile (files[i]);
		g_autoptr (RemsimIfdConfig) c = remsim_ifd_config_parse (path, NULL, &error);

		g_assert_null (c);
		g_assert_error (error, REMSIM_CONFIG_ERROR, error->code);
		g_test_message ("%s", error->message);
		g_unlink (path);
	}
	{
		g_autoptr (GError) error = NULL;
		g_autoptr (RemsimIfdConfig) c =
		    remsim_ifd_config_parse ("/nonexistent/ifd.conf", NULL, &error);

		g_assert_null (c);
		g_assert_error (error, REMSIM_CONFIG_ERROR, REMSIM_CONFIG_ERROR_FILE);
	}
}

/* ---- the sink between two threads ---------------------------------------- */

typedef struct {
	GMainContext *context;
	GMainLoop *loop;
	GThread *thread;
	RemsimIfdSink *sink;

	/* seen in the loop thread; read by the test thread under lock */
	GMutex lock;
	GPtrArray *commands; /* GBytes */
	GArray *statuses;    /* RemsimCardSinkStatus */
	/* answer each command at once with this (NULL: do not answer) */
	GBytes *auto_answer;
	/* after a reset, send this ATR (NULL: none) */
	GBytes *reset_atr;
	GBytes *pending_atr;
} SinkFixture;

static gpointer
sink_thread_func (gpointer data)
{
	SinkFixture *f = data;

	g_main_context_push_thread_default (f->context);
	g_main_loop_run (f->loop);
	g_main_context_pop_thread_default (f->context);
	return NULL;
}

typedef struct {
	GSourceFunc func;
	gpointer data;
	gboolean done;
	GMutex lock;
	GCond cond;
} SyncCall;

static gboolean
sync_call_cb (gpointer data)
{
	SyncCall *call = data;

	call->func (call->data);
	g_mutex_lock (&call->lock);
	call->done = TRUE;
	g_cond_signal (&call->cond);
	g_mutex_unlock (&call->lock);
	return G_SOURCE_REMOVE;
}

static void
in_loop (SinkFixture *f, GSourceFunc func, gpointer data)
{
	SyncCall call = {func, data, FALSE};

	g_mutex_init (&call.lock);
	g_cond_init (&call.cond);
	g_main_context_invoke (f->context, sync_call_cb, &call);
	g_mutex_lock (&call.lock);
	while (!call.done)
		g_cond_wait (&call.cond, &call.lock);
	g_mutex_unlock (&call.lock);
	g_mutex_clear (&call.lock);
	g_cond_clear (&call.cond);
}

static void
sink_command_cb (RemsimCardSink *sink, GBytes *tpdu, gpointer user_data)
{
	SinkFixture *f = user_data;
	g_autoptr (GBytes) answer = NULL;

	g_mutex_lock (&f->lock);
	g_ptr_array_add (f->commands, g_bytes_ref (tpdu));
	if (f->auto_answer != NULL)
		answer = g_bytes_ref (f->auto_answer);
	g_mutex_unlock (&f->lock);
	if (answer != NULL)
		g_assert_true (remsim_card_sink_deliver_response (sink, answer, NULL));
}

static SinkFixture *the_fixture;

static gboolean
sink_reset_done_cb (gpointer data)
{
	SinkFixture *f = the_fixture;
	g_autoptr (GBytes) atr = NULL;

	g_mutex_lock (&f->lock);
	atr = g_steal_pointer (&f->pending_atr);
	g_mutex_unlock (&f->lock);
	if (atr != NULL)
		g_assert_true (remsim_card_sink_set_atr (REMSIM_CARD_SINK (data), atr, NULL));
	return G_SOURCE_REMOVE;
}

static void
sink_status_cb (RemsimCardSink *sink, const RemsimCardSinkStatus *status, gpointer user_data)
{
	SinkFixture *f = user_data;
	g_autoptr (GBytes) atr = NULL;

	g_mutex_lock (&f->lock);
	g_array_append_val (f->statuses, *status);
	if (f->reset_atr != NULL &&
	    (status->rst == REMSIM_TRISTATE_ON || status->vcc == REMSIM_TRISTATE_OFF))
		atr = g_bytes_ref (f->reset_atr);
	g_mutex_unlock (&f->lock);
	/* like our bankd: a new ATR once the reset is done, later */
	if (atr != NULL) {
		GSource *idle = g_idle_source_new ();

		g_source_set_callback (
		    idle, sink_reset_done_cb, g_object_ref (sink), (GDestroyNotify)g_object_unref);
		g_source_attach (idle, f->context);
		g_source_unref (idle);
		g_mutex_lock (&f->lock);
		g_clear_pointer (&f->pending_atr, g_bytes_unref);
		f->pending_atr = g_steal_pointer (&atr);
		g_mutex_unlock (&f->lock);
	}
}

static gboolean
sink_start_cb (gpointer data)
{
	SinkFixture *f = data;

	g_signal_connect (f->sink, "command", G_CALLBACK (sink_command_cb), f);
	g_signal_connect (f->sink, "status", G_CALLBACK (sink_status_cb), f);
	g_assert_true (remsim_card_sink_start (REMSIM_CARD_SINK (f->sink), NULL));
	return G_SOURCE_REMOVE;
}

static gboolean
sink_insert_cb (gpointer data)
{
	SinkFixture *f = data;
	const guint8 atr[] = {0x3b, 0x02, 0x14, 0x50};
	g_autoptr (GBytes) b = g_bytes_new (atr, sizeof (atr));

	g_assert_true (remsim_card_sink_set_atr (REMSIM_CARD_SINK (f->sink), b, NULL));
	g_assert_true (remsim_card_sink_set_card_present (REMSIM_CARD_SINK (f->sink), TRUE, NULL));
	return G_SOURCE_REMOVE;
}

static gboolean
sink_remove_cb (gpointer data)
{
	SinkFixture *f = data;

	g_assert_true (remsim_card_sink_set_card_present (REMSIM_CARD_SINK (f->sink), FALSE, NULL));
	return G_SOURCE_REMOVE;
}

static gboolean
sink_stop_cb (gpointer data)
{
	SinkFixture *f = data;

	remsim_card_sink_stop (REMSIM_CARD_SINK (f->sink));
	g_signal_handlers_disconnect_by_data (f->sink, f);
	return G_SOURCE_REMOVE;
}

typedef struct {
	SinkFixture *f;
	GBytes *response;
} Deliver;

static gboolean
sink_deliver_cb (gpointer data)
{
	Deliver *d = data;

	g_assert_true (
	    remsim_card_sink_deliver_response (REMSIM_CARD_SINK (d->f->sink), d->response, NULL));
	return G_SOURCE_REMOVE;
}

static void
sink_fixture_setup (SinkFixture *f, gconstpointer data)
{
	the_fixture = f;
	g_mutex_init (&f->lock);
	f->commands = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
	f->statuses = g_array_new (FALSE, TRUE, sizeof (RemsimCardSinkStatus));
	f->context = g_main_context_new ();
	f->loop = g_main_loop_new (f->context, FALSE);
	f->thread = g_thread_new ("loop", sink_thread_func, f);
	f->sink = remsim_ifd_sink_new (f->context, "ifd test");
	in_loop (f, sink_start_cb, f);
}

static void
sink_fixture_teardown (SinkFixture *f, gconstpointer data)
{
	in_loop (f, sink_stop_cb, f);
	g_main_loop_quit (f->loop);
	g_thread_join (f->thread);
	/* run what is still queued (requests after the stop) */
	while (g_main_context_iteration (f->context, FALSE))
		;
	g_clear_object (&f->sink);
	g_main_loop_unref (f->loop);
	g_main_context_unref (f->context);
	g_ptr_array_unref (f->commands);
	g_array_unref (f->statuses);
	g_clear_pointer (&f->auto_answer, g_bytes_unref);
	g_clear_pointer (&f->reset_atr, g_bytes_unref);
	g_clear_pointer (&f->pending_atr, g_bytes_unref);
	g_mutex_clear (&f->lock);
}

static GBytes *
hex (const gchar *text)
{
	gsize len = strlen (text) / 2;
	guint8 *buf = g_malloc (len);

	for (gsize i = 0; i < len; i++)
		buf[i] = (guint8)((g_ascii_xdigit_value (text[2 * i]) << 4) |
				  g_ascii_xdigit_value (text[2 * i + 1]));
	return g_bytes_new_take (buf, len);
}

static guint
n_commands (SinkFixture *f)
{
	guint n;

	g_mutex_lock (&f->lock);
	n = f->commands->len;
	g_mutex_unlock (&f->lock);
	return n;
}

static void
test_sink_absent (SinkFixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) cmd = hex ("a0a40000023f00");
	g_autoptr (GBytes) r = NULL;
	g_autoptr (GBytes) empty = NULL;

	g_assert_false (remsim_ifd_sink_is_present (f->sink));
	g_assert_null (remsim_ifd_sink_dup_atr (f->sink));
	r = remsim_ifd_sink_transmit (f->sink, cmd, 1000, &error);
	g_assert_null (r);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT);
	g_clear_error (&error);
	r = remsim_ifd_sink_power (f->sink, REMSIM_IFD_POWER_UP, 100, &error);
	g_assert_null (r);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT);
	g_clear_error (&error);
	/* powering an absent card down is no error */
	empty = remsim_ifd_sink_power (f->sink, REMSIM_IFD_POWER_DOWN, 100, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (g_bytes_get_size (empty), ==, 0);
	g_assert_cmpuint (n_commands (f), ==, 0);
}

static void
test_sink_transmit (SinkFixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) cmd = hex ("a0a40000023f00");
	g_autoptr (GBytes) case1 = hex ("a0040000");
	g_autoptr (GBytes) padded = hex ("a004000000");
	g_autoptr (GBytes) too_short = hex ("a00400");
	g_autoptr (GBytes) atr = NULL;
	g_autoptr (GBytes) r = NULL;

	f->auto_answer = hex ("9f17");
	in_loop (f, sink_insert_cb, f);
	g_assert_true (remsim_ifd_sink_is_present (f->sink));
	atr = remsim_ifd_sink_dup_atr (f->sink);
	g_assert_cmpuint (g_bytes_get_size (atr), ==, 4);

	for (guint i = 0; i < 100; i++) {
		r = remsim_ifd_sink_transmit (f->sink, cmd, 1000, &error);
		g_assert_no_error (error);
		g_assert_true (g_bytes_equal (r, f->auto_answer));
		g_clear_pointer (&r, g_bytes_unref);
	}
	g_assert_cmpuint (n_commands (f), ==, 100);
	g_assert_true (g_bytes_equal (g_ptr_array_index (f->commands, 0), cmd));

	/* a case 1 APDU goes out with P3 = 00 */
	r = remsim_ifd_sink_transmit (f->sink, case1, 1000, &error);
	g_assert_no_error (error);
	g_clear_pointer (&r, g_bytes_unref);
	g_assert_true (g_bytes_equal (g_ptr_array_index (f->commands, 100), padded));

	r = remsim_ifd_sink_transmit (f->sink, too_short, 1000, &error);
	g_assert_null (r);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_INVALID_ARGUMENT);
	g_assert_cmpuint (n_commands (f), ==, 101);
}

static void
test_sink_timeout (SinkFixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) cmd = hex ("a0b000000a");
	g_autoptr (GBytes) late = hex ("6f00");
	g_autoptr (GBytes) right = hex ("9000");
	g_autoptr (GBytes) r = NULL;
	Deliver d = {f, NULL};
	gint64 t0;
	gint64 dt;

	in_loop (f, sink_insert_cb, f);
	t0 = g_get_monotonic_time ();
	r = remsim_ifd_sink_transmit (f->sink, cmd, 200, &error);
	dt = g_get_monotonic_time () - t0;
	g_assert_null (r);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_TIMED_OUT);
	g_clear_error (&error);
	g_assert_cmpint (dt, >=, 190 * 1000);
	g_assert_cmpint (dt, <, 2000 * 1000);
	g_assert_cmpuint (n_commands (f), ==, 1);

	/* the late answer arrives, then the next command's answer */
	d.response = late;
	in_loop (f, sink_deliver_cb, &d);
	f->auto_answer = g_bytes_ref (right);
	r = remsim_ifd_sink_transmit (f->sink, cmd, 1000, &error);
	g_assert_no_error (error);
	g_assert_true (g_bytes_equal (r, right));
}

typedef struct {
	SinkFixture *f;
	guint delay_ms;
} Remover;

static gpointer
remove_later_thread (gpointer data)
{
	Remover *rm = data;

	g_usleep (rm->delay_ms * 1000);
	in_loop (rm->f, sink_remove_cb, rm->f);
	return NULL;
}

static void
test_sink_removed_during_transmit (SinkFixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) cmd = hex ("a0b000000a");
	g_autoptr (GBytes) r = NULL;
	Remover rm = {f, 100};
	GThread *remover;
	gint64 t0;

	in_loop (f, sink_insert_cb, f);
	remover = g_thread_new ("remover", remove_later_thread, &rm);
	t0 = g_get_monotonic_time ();
	r = remsim_ifd_sink_transmit (f->sink, cmd, 5000, &error);
	g_assert_null (r);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT);
	g_assert_cmpint (g_get_monotonic_time () - t0, <, 2000 * 1000);
	g_thread_join (remover);
	g_assert_false (remsim_ifd_sink_is_present (f->sink));
	g_assert_null (remsim_ifd_sink_dup_atr (f->sink));
}

static void
test_sink_power (SinkFixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) r = NULL;
	RemsimCardSinkStatus st;
	gint64 t0;

	f->reset_atr = hex ("3b9f96801fc78031a073be21136743200718000001a5");
	in_loop (f, sink_insert_cb, f);

	/* already powered: power up sends nothing and returns the ATR */
	r = remsim_ifd_sink_power (f->sink, REMSIM_IFD_POWER_UP, 1000, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (g_bytes_get_size (r), ==, 4);
	g_clear_pointer (&r, g_bytes_unref);
	g_assert_cmpuint (f->statuses->len, ==, 0);

	/* warm reset: RST on, then off; the new ATR comes back */
	r = remsim_ifd_sink_power (f->sink, REMSIM_IFD_RESET, 5000, &error);
	g_assert_no_error (error);
	g_assert_true (g_bytes_equal (r, f->reset_atr));
	g_clear_pointer (&r, g_bytes_unref);
	g_mutex_lock (&f->lock);
	g_assert_cmpuint (f->statuses->len, ==, 2);
	st = g_array_index (f->statuses, RemsimCardSinkStatus, 0);
	g_assert_cmpint (st.vcc, ==, REMSIM_TRISTATE_ON);
	g_assert_cmpint (st.rst, ==, REMSIM_TRISTATE_ON);
	st = g_array_index (f->statuses, RemsimCardSinkStatus, 1);
	g_assert_cmpint (st.vcc, ==, REMSIM_TRISTATE_ON);
	g_assert_cmpint (st.rst, ==, REMSIM_TRISTATE_OFF);
	g_mutex_unlock (&f->lock);

	/* power down: VCC off (a cold reset at the bankd), then up again */
	r = remsim_ifd_sink_power (f->sink, REMSIM_IFD_POWER_DOWN, 1000, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (g_bytes_get_size (r), ==, 0);
	g_clear_pointer (&r, g_bytes_unref);
	r = remsim_ifd_sink_power (f->sink, REMSIM_IFD_POWER_UP, 5000, &error);
	g_assert_no_error (error);
	g_assert_true (g_bytes_equal (r, f->reset_atr));
	g_clear_pointer (&r, g_bytes_unref);
	/* the ATR of the cold reset may beat the VCC-on status, which the
	 * loop thread emits on its own time: give it a moment */
	t0 = g_get_monotonic_time ();
	for (;;) {
		guint len;

		g_mutex_lock (&f->lock);
		len = f->statuses->len;
		g_mutex_unlock (&f->lock);
		if (len >= 4 || g_get_monotonic_time () - t0 > 2 * G_USEC_PER_SEC)
			break;
		g_usleep (1000);
	}
	g_mutex_lock (&f->lock);
	g_assert_cmpuint (f->statuses->len, ==, 4);
	st = g_array_index (f->statuses, RemsimCardSinkStatus, 2);
	g_assert_cmpint (st.vcc, ==, REMSIM_TRISTATE_OFF);
	st = g_array_index (f->statuses, RemsimCardSinkStatus, 3);
	g_assert_cmpint (st.vcc, ==, REMSIM_TRISTATE_ON);
	g_assert_cmpint (st.rst, ==, REMSIM_TRISTATE_OFF);
	g_clear_pointer (&f->reset_atr, g_bytes_unref);
	g_mutex_unlock (&f->lock);

	/* a bankd that sends no ATR after a reset: waited for once only */
	t0 = g_get_monotonic_time ();
	r = remsim_ifd_sink_power (f->sink, REMSIM_IFD_RESET, 300, &error);
	g_assert_no_error (error);
	g_assert_nonnull (r);
	g_clear_pointer (&r, g_bytes_unref);
	g_assert_cmpint (g_get_monotonic_time () - t0, >=, 290 * 1000);
	t0 = g_get_monotonic_time ();
	r = remsim_ifd_sink_power (f->sink, REMSIM_IFD_RESET, 300, &error);
	g_assert_no_error (error);
	g_assert_nonnull (r);
	g_assert_cmpint (g_get_monotonic_time () - t0, <, 200 * 1000);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/remsim/ifd/config/defaults", test_config_defaults);
	g_test_add_func ("/remsim/ifd/config/fields", test_config_fields);
	g_test_add_func ("/remsim/ifd/config/bad-fields", test_config_bad_fields);
	g_test_add_func ("/remsim/ifd/config/keyfile", test_config_keyfile);
	g_test_add_func ("/remsim/ifd/config/bad-keyfile", test_config_bad_keyfile);
#define SINK_TEST(path, func)                                                                      \
	g_test_add (path, SinkFixture, NULL, sink_fixture_setup, func, sink_fixture_teardown)
	SINK_TEST ("/remsim/ifd/sink/absent", test_sink_absent);
	SINK_TEST ("/remsim/ifd/sink/transmit", test_sink_transmit);
	SINK_TEST ("/remsim/ifd/sink/timeout", test_sink_timeout);
	SINK_TEST ("/remsim/ifd/sink/removed-during-transmit", test_sink_removed_during_transmit);
	SINK_TEST ("/remsim/ifd/sink/power", test_sink_power);
	return g_test_run ();
}
