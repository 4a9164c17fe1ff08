/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vicc card source against the real vsmartcard `vicc` simulator
 * (Debian: vsmartcard-vpicc + python3-virtualsmartcard), in normal mode (the
 * vicc connects to us) and in reversed mode (we connect to it).
 *
 * Debian's vicc does not start as shipped (test-peers.md): its package sits
 * below a directory that is not on sys.path, and it imports Crypto, which
 * Debian ships as Cryptodome. A temporary directory on PYTHONPATH exposes
 * both under the names it wants.
 *
 * Exits 77 (skip) when the simulator is missing or cannot start, unless
 * REMSIM_TEST_STRICT=1.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "remsim-plugin-api.h"
#include "remsim-plugins.h"
#include "test-vicc-fake.h"

#define WAIT_MS 30000

/* the generic ISO 7816 card's default ATR (T=1 only) */
#define VICC_ATR "3b951381018073ff01000b"

typedef struct {
	gchar *vicc;
	gchar *python;
	gchar *shim;
} Peer;

static Peer peer;

typedef struct {
	RemsimPlugins *plugins;
	RemsimCardSource *source;
	GSubprocess *vicc;
	gboolean changed;
	gboolean present;
	gboolean vicc_exited;
} Fixture;

static void
card_changed_cb (RemsimCardSource *source, gboolean present, gpointer user_data)
{
	Fixture *fx = user_data;

	fx->changed = TRUE;
	fx->present = present;
}

static void
vicc_exited_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
	gboolean *exited = user_data;

	(void)g_subprocess_wait_finish (G_SUBPROCESS (object), res, NULL);
	*exited = TRUE;
}

static void
fixture_start_vicc (Fixture *fx, const gchar *const *extra_args)
{
	g_autoptr (GSubprocessLauncher) launcher =
	    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
	g_autoptr (GPtrArray) argv = g_ptr_array_new ();
	g_autoptr (GError) error = NULL;
	const gchar *pythonpath = g_getenv ("PYTHONPATH");
	g_autofree gchar *path = NULL;

	path = pythonpath != NULL && *pythonpath != '\0'
		   ? g_strconcat (peer.shim, ":", pythonpath, NULL)
		   : g_strdup (peer.shim);
	g_subprocess_launcher_setenv (launcher, "PYTHONPATH", path, TRUE);
	g_ptr_array_add (argv, peer.python);
	g_ptr_array_add (argv, peer.vicc);
	g_ptr_array_add (argv, (gpointer) "-t");
	g_ptr_array_add (argv, (gpointer) "iso7816");
	for (guint i = 0; extra_args[i] != NULL; i++)
		g_ptr_array_add (argv, (gpointer)extra_args[i]);
	g_ptr_array_add (argv, NULL);
	fx->vicc =
	    g_subprocess_launcher_spawnv (launcher, (const gchar *const *)argv->pdata, &error);
	g_assert_no_error (error);
	g_subprocess_wait_async (fx->vicc, NULL, vicc_exited_cb, &fx->vicc_exited);
}

static void
fixture_create_source (Fixture *fx, const gchar *keys)
{
	g_autoptr (GKeyFile) kf = g_key_file_new ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *data = g_strdup_printf ("[source:vicc]\nplugin=vicc\nslots=0\n%s", keys);

	fx->plugins = remsim_plugins_new ();
	g_assert_true (g_key_file_load_from_data (kf, data, -1, G_KEY_FILE_NONE, NULL));
	fx->source = remsim_plugins_create_card_source (fx->plugins, kf, "source:vicc", 0, &error);
	g_assert_no_error (error);
	g_signal_connect (fx->source, "card-changed", G_CALLBACK (card_changed_cb), fx);
}

static void
fixture_teardown (Fixture *fx)
{
	if (fx->vicc != NULL) {
		if (!fx->vicc_exited) {
			g_subprocess_force_exit (fx->vicc);
			wait_for (&fx->vicc_exited, WAIT_MS);
		}
		g_clear_object (&fx->vicc);
	}
	g_clear_object (&fx->source);
	g_clear_object (&fx->plugins);
}

typedef struct {
	gint kind; /* 0 power on, 1 warm reset, 2 cold reset, 3 transmit */
	gboolean done;
	GBytes *result;
	GError *error;
} Call;

static void
call_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
	Call *c = user_data;
	RemsimCardSource *source = REMSIM_CARD_SOURCE (object);

	if (c->kind == 0)
		c->result = remsim_card_source_power_on_finish (source, res, &c->error);
	else if (c->kind == 3)
		c->result = remsim_card_source_transmit_finish (source, res, &c->error);
	else
		c->result = remsim_card_source_reset_finish (source, res, &c->error);
	c->done = TRUE;
}

/* run one operation; returns the answer as hex, or NULL with @error */
static gchar *
run (Fixture *fx, gint kind, const gchar *apdu, GError **error)
{
	Call c = {kind, FALSE, NULL, NULL};
	g_autoptr (GBytes) tpdu = NULL;
	gchar *hex;

	if (kind == 0) {
		remsim_card_source_power_on_async (fx->source, NULL, call_cb, &c);
	} else if (kind == 3) {
		tpdu = hex_to_bytes (apdu);
		remsim_card_source_transmit_async (fx->source, tpdu, NULL, call_cb, &c);
	} else {
		remsim_card_source_reset_async (fx->source, kind == 2, NULL, call_cb, &c);
	}
	g_assert_true (wait_for (&c.done, WAIT_MS));
	if (c.result == NULL) {
		g_propagate_error (error, c.error);
		return NULL;
	}
	hex = bytes_to_hex (c.result);
	g_bytes_unref (c.result);
	g_test_message ("%s -> %s", apdu != NULL ? apdu : "(power/reset)", hex);
	return hex;
}

static void
expect (Fixture *fx, const gchar *apdu, const gchar *answer)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *got = run (fx, 3, apdu, &error);

	g_assert_no_error (error);
	g_assert_cmpstr (got, ==, answer);
}

static void
wait_card (Fixture *fx, gboolean present)
{
	g_assert_true (wait_for (&fx->changed, WAIT_MS));
	g_assert_cmpint (fx->present, ==, present);
	fx->changed = FALSE;
}

/* the answers of vicc's generic ISO 7816 card (test-peers.md) */
static void
check_card (Fixture *fx)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *atr = NULL;
	g_autofree gchar *warm = NULL;
	g_autofree gchar *cold = NULL;
	g_autofree gchar *challenge = NULL;

	atr = run (fx, 0, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (atr, ==, VICC_ATR);
	expect (fx, "00a4000c023f00", "9000");
	challenge = run (fx, 3, "0084000008", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (strlen (challenge), ==, 20);
	g_assert_true (g_str_has_suffix (challenge, "9000"));
	expect (fx, "00b0000010", "6986");
	expect (fx, "a0f2000016", "6d00");
	expect (fx, "00a4020c022f02", "6a82");
	warm = run (fx, 1, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (warm, ==, VICC_ATR);
	cold = run (fx, 2, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (cold, ==, VICC_ATR);
	expect (fx, "00a4000c023f00", "9000");
}

/* tests ------------------------------------------------------------------- */

static void
test_normal_mode (void)
{
	Fixture fx = {0};
	g_autofree gchar *port = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *answer = NULL;
	guint p = 0;

	fixture_create_source (&fx, "listen=127.0.0.1:0\n");
	g_object_get (fx.source, "port", &p, NULL);
	port = g_strdup_printf ("%u", p);
	fixture_start_vicc (&fx, (const gchar *[]){"-H", "127.0.0.1", "-P", port, NULL});
	wait_card (&fx, TRUE);
	check_card (&fx);

	/* SELECT with FCP: Debian's vicc 3.3 dies on it (a Python 3 bug),
	 * which is a vicc vanishing mid-APDU; a fixed one answers 61xx */
	answer = run (&fx, 3, "00a40000023f00", &error);
	if (answer == NULL) {
		g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT);
		g_assert_nonnull (strstr (error->message, "card removed during transmit"));
		wait_card (&fx, FALSE);
		g_assert_false (remsim_card_source_is_card_present (fx.source));
	} else {
		g_assert_true (g_str_has_prefix (answer, "61"));
	}
	fixture_teardown (&fx);
}

static guint16
free_port (void)
{
	g_autoptr (GSocketListener) probe = g_socket_listener_new ();
	g_autoptr (GError) error = NULL;
	guint16 port = g_socket_listener_add_any_inet_port (probe, NULL, &error);

	g_assert_no_error (error);
	g_socket_listener_close (probe);
	return port;
}

static void
test_reversed_mode (void)
{
	Fixture fx = {0};
	g_autofree gchar *port = g_strdup_printf ("%u", free_port ());
	g_autofree gchar *keys =
	    g_strdup_printf ("connect=127.0.0.1:%s\nreconnect-interval-ms=100\n", port);
	gboolean present;

	/* we start first and keep trying until the vicc listens */
	fixture_create_source (&fx, keys);
	fixture_start_vicc (&fx, (const gchar *[]){"-R", "-P", port, NULL});
	present = wait_for (&fx.changed, WAIT_MS);
	if (!present && fx.vicc_exited) {
		/* it needs a route to look up its own address for a QR code */
		g_test_skip ("vicc -R exited before listening");
		fixture_teardown (&fx);
		return;
	}
	g_assert_true (present);
	g_assert_true (fx.present);
	fx.changed = FALSE;
	check_card (&fx);

	/* the vicc goes away: the card with it */
	g_subprocess_force_exit (fx.vicc);
	wait_card (&fx, FALSE);
	fixture_teardown (&fx);
}

/* set-up -------------------------------------------------------------------- */

static gint
skip (const gchar *why)
{
	g_print ("SKIP: %s\n", why);
	if (g_strcmp0 (g_getenv ("REMSIM_TEST_STRICT"), "1") == 0) {
		g_print ("REMSIM_TEST_STRICT=1: a missing peer is a failure\n");
		return 1;
	}
	return 77;
}

/* the interpreter named by the script's #! line */
static gchar *
script_interpreter (const gchar *script)
{
	g_autofree gchar *text = NULL;
	g_auto (GStrv) words = NULL;

	if (!g_file_get_contents (script, &text, NULL, NULL) || !g_str_has_prefix (text, "#!"))
		return NULL;
	*strchrnul (text, '\n') = '\0';
	words = g_strsplit_set (g_strstrip (text + 2), " \t", -1);
	if (words[0] == NULL || !g_file_test (words[0], G_FILE_TEST_IS_EXECUTABLE))
		return NULL;
	/* "#!/usr/bin/env python3" */
	if (g_str_has_suffix (words[0], "/env") && words[1] != NULL)
		return g_find_program_in_path (words[1]);
	return g_strdup (words[0]);
}

/* a directory exposing "virtualsmartcard" and "Crypto" where vicc looks */
static gboolean
make_shim (const gchar *dir, GError **error)
{
	const gchar *const pkg_dirs[] = {
	    "/usr/lib/python3/site-packages/virtualsmartcard/virtualsmartcard",
	    "/usr/local/lib/python3/site-packages/virtualsmartcard/virtualsmartcard",
	    NULL,
	};
	const gchar *const crypto_dirs[] = {
	    "/usr/lib/python3/dist-packages/Cryptodome",
	    NULL,
	};

	for (guint i = 0; pkg_dirs[i] != NULL; i++) {
		g_autofree gchar *link = g_build_filename (dir, "virtualsmartcard", NULL);

		if (!g_file_test (pkg_dirs[i], G_FILE_TEST_IS_DIR))
			continue;
		if (symlink (pkg_dirs[i], link) != 0) {
			g_set_error (
			    error, G_IO_ERROR, g_io_error_from_errno (errno), "symlink failed");
			return FALSE;
		}
		break;
	}
	for (guint i = 0; crypto_dirs[i] != NULL; i++) {
		g_autofree gchar *link = g_build_filename (dir, "Crypto", NULL);

		if (!g_file_test (crypto_dirs[i], G_FILE_TEST_IS_DIR))
			continue;
		if (symlink (crypto_dirs[i], link) != 0) {
			g_set_error (
			    error, G_IO_ERROR, g_io_error_from_errno (errno), "symlink failed");
			return FALSE;
		}
		break;
	}
	return TRUE;
}

/* can the simulator's Python import what it needs? */
static gboolean
shim_works (void)
{
	const gchar *argv[] = {
	    peer.python,
	    "-c",
	    "import virtualsmartcard.VirtualSmartcard, virtualsmartcard.CryptoUtils",
	    NULL,
	};
	g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
	    G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
	g_autoptr (GSubprocess) proc = NULL;

	g_subprocess_launcher_setenv (launcher, "PYTHONPATH", peer.shim, TRUE);
	proc = g_subprocess_launcher_spawnv (launcher, argv, NULL);
	return proc != NULL && g_subprocess_wait_check (proc, NULL, NULL);
}

int
main (int argc, char **argv)
{
	g_autoptr (GError) error = NULL;
	const gchar *env = g_getenv ("REMSIM_VICC");
	gint rc;

	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	/* the proxy resolvers want GSettings, hidden by the isolated dirs */
	g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

	peer.vicc = env != NULL ? g_strdup (env) : g_find_program_in_path ("vicc");
	if (peer.vicc == NULL)
		return skip ("vsmartcard's vicc is not installed (package vsmartcard-vpicc)");
	peer.python = script_interpreter (peer.vicc);
	if (peer.python == NULL)
		return skip ("cannot find the Python interpreter of vicc");
	peer.shim = g_dir_make_tmp ("remsim-vicc-shim-XXXXXX", &error);
	g_assert_no_error (error);
	if (!make_shim (peer.shim, &error)) {
		g_printerr ("%s\n", error->message);
		return 1;
	}
	if (!shim_works ()) {
		rc = skip ("vicc's Python modules do not import (python3-virtualsmartcard, "
			   "python3-pycryptodome)");
	} else {
		g_test_add_func ("/remsim/vicc-source-real/normal-mode", test_normal_mode);
		g_test_add_func ("/remsim/vicc-source-real/reversed-mode", test_reversed_mode);
		rc = g_test_run ();
	}
	{
		g_autofree gchar *l1 = g_build_filename (peer.shim, "virtualsmartcard", NULL);
		g_autofree gchar *l2 = g_build_filename (peer.shim, "Crypto", NULL);

		(void)g_unlink (l1);
		(void)g_unlink (l2);
		(void)g_rmdir (peer.shim);
	}
	g_free (peer.vicc);
	g_free (peer.python);
	g_free (peer.shim);
	return rc;
}
