/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/remsim-error.h"
#include "core/remsim-slotmap-store.h"

typedef struct {
	gchar *tmpdir;
	RemsimSlotmapStore *store;
	GPtrArray *added;   /* RemsimSlotmap, reffed */
	GPtrArray *removed; /* RemsimSlotmap, reffed */
} Fixture;

static void
fixture_added_cb (RemsimSlotmapStore *store, RemsimSlotmap *map, gpointer user_data)
{
	Fixture *f = user_data;
	g_assert_true (REMSIM_IS_SLOTMAP (map));
	g_ptr_array_add (f->added, g_object_ref (map));
}

static void
fixture_removed_cb (RemsimSlotmapStore *store, RemsimSlotmap *map, gpointer user_data)
{
	Fixture *f = user_data;
	/* already gone from the store when the signal runs */
	g_assert_null (remsim_slotmap_store_lookup_bank (store, remsim_slotmap_get_bank (map)));
	g_ptr_array_add (f->removed, g_object_ref (map));
}

static void
fixture_setup (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;

	f->tmpdir = g_dir_make_tmp ("remsim-store-XXXXXX", &error);
	g_assert_no_error (error);
	f->store = remsim_slotmap_store_new ();
	f->added = g_ptr_array_new_with_free_func (g_object_unref);
	f->removed = g_ptr_array_new_with_free_func (g_object_unref);
	g_signal_connect (f->store, "added", G_CALLBACK (fixture_added_cb), f);
	g_signal_connect (f->store, "removed", G_CALLBACK (fixture_removed_cb), f);
}

static void
fixture_rm_rf (const gchar *path)
{
	g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
	const gchar *name;

	if (dir != NULL) {
		while ((name = g_dir_read_name (dir)) != NULL) {
			g_autofree gchar *child = g_build_filename (path, name, NULL);
			fixture_rm_rf (child);
		}
		g_rmdir (path);
		return;
	}
	g_unlink (path);
}

static void
fixture_teardown (Fixture *f, gconstpointer user_data)
{
	g_clear_object (&f->store);
	g_ptr_array_unref (f->added);
	g_ptr_array_unref (f->removed);
	fixture_rm_rf (f->tmpdir);
	g_free (f->tmpdir);
}

static RemsimSlotmap *
add_map (RemsimSlotmapStore *store,
	 guint32 bank_id,
	 guint32 bank_slot,
	 guint32 client_id,
	 guint32 client_slot,
	 GError **error)
{
	RemsimBankSlot bank = {.bank_id = bank_id, .slot_nr = bank_slot};
	RemsimClientSlot client = {.client_id = client_id, .slot_nr = client_slot};
	return remsim_slotmap_store_add (store, &bank, &client, error);
}

/* "B1:2 <-> C3:4, B..." */
static gchar *
store_to_string (RemsimSlotmapStore *store)
{
	GPtrArray *all = remsim_slotmap_store_get_all (store);
	g_autoptr (GString) s = g_string_new (NULL);

	for (guint i = 0; i < all->len; i++) {
		g_autofree gchar *m = remsim_slotmap_to_string (g_ptr_array_index (all, i));
		g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", m);
	}
	return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_store_add_lookup (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimSlotmap) m1 = add_map (f->store, 1, 2, 3, 4, &error);
	g_autoptr (RemsimSlotmap) m2 = NULL;
	g_autofree gchar *all = NULL;
	RemsimBankSlot bank = {.bank_id = 1, .slot_nr = 2};
	RemsimClientSlot client = {.client_id = 3, .slot_nr = 4};
	RemsimBankSlot bank_other = {.bank_id = 2, .slot_nr = 1};
	RemsimClientSlot client_other = {.client_id = 4, .slot_nr = 3};

	g_assert_no_error (error);
	g_assert_nonnull (m1);
	g_assert_cmpint (remsim_slotmap_get_state (m1), ==, REMSIM_SLOTMAP_STATE_NEW);
	g_assert_cmpuint (f->added->len, ==, 1);
	g_assert_true (g_ptr_array_index (f->added, 0) == m1);

	m2 = add_map (f->store, 1, 3, 3, 5, &error);
	g_assert_no_error (error);

	g_assert_true (remsim_slotmap_store_lookup_bank (f->store, &bank) == m1);
	g_assert_true (remsim_slotmap_store_lookup_client (f->store, &client) == m1);
	g_assert_true (remsim_slotmap_store_lookup_id (f->store, 65538) == m1);
	g_assert_true (remsim_slotmap_store_lookup_id (f->store, 65539) == m2);
	g_assert_null (remsim_slotmap_store_lookup_id (f->store, 65540));
	g_assert_null (remsim_slotmap_store_lookup_id (f->store, 0));
	g_assert_null (remsim_slotmap_store_lookup_bank (f->store, &bank_other));
	g_assert_null (remsim_slotmap_store_lookup_client (f->store, &client_other));

	all = store_to_string (f->store);
	g_assert_cmpstr (all, ==, "B1:2 <-> C3:4, B1:3 <-> C3:5");
}

static void
test_store_unique (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimSlotmap) m1 = add_map (f->store, 1, 2, 3, 4, &error);
	g_autoptr (RemsimSlotmap) m2 = NULL;
	g_autofree gchar *all = NULL;

	g_assert_no_error (error);

	/* same bank slot, other client slot */
	m2 = add_map (f->store, 1, 2, 5, 6, &error);
	g_assert_null (m2);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_SLOT_IN_USE);
	g_assert_cmpstr (error->message, ==, "bank slot B1:2 is already mapped to C3:4");
	g_clear_error (&error);

	/* other bank slot, same client slot */
	m2 = add_map (f->store, 7, 8, 3, 4, &error);
	g_assert_null (m2);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_SLOT_IN_USE);
	g_assert_cmpstr (error->message, ==, "client slot C3:4 is already mapped to B1:2");
	g_clear_error (&error);

	/* identical */
	m2 = add_map (f->store, 1, 2, 3, 4, &error);
	g_assert_null (m2);
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_SLOT_IN_USE);
	g_clear_error (&error);

	/* same numbers, other roles: no conflict (bank ids and client ids are
	 * separate spaces) */
	m2 = add_map (f->store, 3, 4, 1, 2, &error);
	g_assert_no_error (error);
	g_assert_nonnull (m2);

	g_assert_cmpuint (f->added->len, ==, 2);
	all = store_to_string (f->store);
	g_assert_cmpstr (all, ==, "B1:2 <-> C3:4, B3:4 <-> C1:2");
}

static void
test_store_ranges (Fixture *f, gconstpointer user_data)
{
	struct {
		guint32 v[4];
		const gchar *message; /* NULL: accepted */
	} cases[] = {
	    {{1023, 1023, 1023, 1023}, NULL},
	    {{0, 0, 0, 0}, NULL},
	    {{1024, 0, 1, 1}, "bankId 1024 out of range 0..1023"},
	    {{10000, 0, 1, 1}, "bankId 10000 out of range 0..1023"},
	    {{1, 2000, 1, 1}, "bank slotNr 2000 out of range 0..1023"},
	    {{1, 1024, 1, 1}, "bank slotNr 1024 out of range 0..1023"},
	    {{1, 1, 3000, 1}, "clientId 3000 out of range 0..1023"},
	    {{1, 1, 1024, 1}, "clientId 1024 out of range 0..1023"},
	    {{1, 1, 1, 4000}, "client slotNr 4000 out of range 0..1023"},
	    {{1, 1, 1, G_MAXUINT32}, "client slotNr 4294967295 out of range 0..1023"},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (RemsimSlotmap) map = add_map (
		    f->store, cases[i].v[0], cases[i].v[1], cases[i].v[2], cases[i].v[3], &error);
		if (cases[i].message == NULL) {
			g_assert_no_error (error);
			g_assert_nonnull (map);
		} else {
			g_assert_null (map);
			g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_INVALID_ARGUMENT);
			g_assert_cmpstr (error->message, ==, cases[i].message);
		}
	}
	g_assert_cmpuint (remsim_slotmap_store_get_all (f->store)->len, ==, 2);
	g_assert_cmpuint (f->added->len, ==, 2);
}

static void
test_store_remove (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimSlotmap) m1 = add_map (f->store, 1, 2, 3, 4, &error);
	g_autoptr (RemsimSlotmap) m2 = add_map (f->store, 1, 3, 3, 5, &error);
	g_autoptr (RemsimSlotmap) m3 = add_map (f->store, 1, 4, 3, 6, &error);
	g_autoptr (RemsimSlotmap) again = NULL;
	g_autoptr (RemsimSlotmap) again2 = NULL;
	g_autofree gchar *all = NULL;
	g_autofree gchar *all2 = NULL;

	g_assert_no_error (error);
	remsim_slotmap_store_remove (f->store, m2);
	g_assert_cmpuint (f->removed->len, ==, 1);
	g_assert_true (g_ptr_array_index (f->removed, 0) == m2);
	g_assert_null (remsim_slotmap_store_lookup_id (f->store, 65539));
	all = store_to_string (f->store);
	g_assert_cmpstr (all, ==, "B1:2 <-> C3:4, B1:4 <-> C3:6");

	/* removing twice is a no-op */
	remsim_slotmap_store_remove (f->store, m2);
	g_assert_cmpuint (f->removed->len, ==, 1);

	/* both slots are free again, in any combination */
	again = add_map (f->store, 1, 3, 9, 9, &error);
	g_assert_no_error (error);
	again2 = add_map (f->store, 9, 9, 3, 5, &error);
	g_assert_no_error (error);
	all2 = store_to_string (f->store);
	g_assert_cmpstr (all2, ==, "B1:2 <-> C3:4, B1:4 <-> C3:6, B1:3 <-> C9:9, B9:9 <-> C3:5");

	/* the caller's ref keeps a removed map alive */
	remsim_slotmap_store_remove (f->store, m1);
	g_assert_cmpuint (remsim_slotmap_get_id (m1), ==, 65538);
}

static gchar *
read_file (const gchar *path)
{
	g_autoptr (GError) error = NULL;
	gchar *data = NULL;

	g_file_get_contents (path, &data, NULL, &error);
	g_assert_no_error (error);
	return data;
}

static void
test_store_count_cb (RemsimSlotmapStore *store, RemsimSlotmap *map, gpointer user_data)
{
	guint *count = user_data;
	/* in the store when "added" runs */
	g_assert_true (remsim_slotmap_store_lookup_bank (store, remsim_slotmap_get_bank (map)) ==
		       map);
	(*count)++;
}

static void
test_store_state_round_trip (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path = g_build_filename (f->tmpdir, "sub", "dir", "slotmaps.ini", NULL);
	g_autoptr (RemsimSlotmap) m1 = NULL;
	g_autoptr (RemsimSlotmap) m2 = NULL;
	g_autoptr (RemsimSlotmap) m3 = NULL;
	g_autoptr (RemsimSlotmapStore) store2 = remsim_slotmap_store_new ();
	g_autoptr (RemsimSlotmapStore) store3 = remsim_slotmap_store_new ();
	g_autofree gchar *all = NULL;
	g_autofree gchar *all2 = NULL;
	g_autofree gchar *all3 = NULL;
	guint added = 0;

	/* a missing file is fine; the directory is created on the first write */
	remsim_slotmap_store_set_state_file (f->store, path);
	g_assert_true (remsim_slotmap_store_load (f->store, &error));
	g_assert_no_error (error);
	g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

	m1 = add_map (f->store, 5, 1, 23, 0, &error);
	g_assert_no_error (error);
	g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
	m2 = add_map (f->store, 1, 2, 3, 4, &error);
	g_assert_no_error (error);
	m3 = add_map (f->store, 1023, 1023, 1023, 1023, &error);
	g_assert_no_error (error);
	remsim_slotmap_set_state (m2, REMSIM_SLOTMAP_STATE_ACTIVE);
	remsim_slotmap_store_remove (f->store, m1);
	g_clear_object (&m1);
	m1 = add_map (f->store, 0, 0, 0, 0, &error);
	g_assert_no_error (error);
	all = store_to_string (f->store);

	remsim_slotmap_store_set_state_file (store2, path);
	g_signal_connect (store2, "added", G_CALLBACK (test_store_count_cb), &added);
	g_assert_true (remsim_slotmap_store_load (store2, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (added, ==, 3);
	all2 = store_to_string (store2);
	g_assert_cmpstr (all2, ==, all);
	g_assert_cmpstr (all2, ==, "B1:2 <-> C3:4, B1023:1023 <-> C1023:1023, B0:0 <-> C0:0");

	/* every restored map is NEW, and the indexes work */
	for (guint i = 0; i < remsim_slotmap_store_get_all (store2)->len; i++) {
		RemsimSlotmap *m = g_ptr_array_index (remsim_slotmap_store_get_all (store2), i);
		g_assert_cmpint (remsim_slotmap_get_state (m), ==, REMSIM_SLOTMAP_STATE_NEW);
	}
	g_assert_nonnull (remsim_slotmap_store_lookup_id (store2, 1023 * 65536 + 1023));
	{
		g_autoptr (RemsimSlotmap) dup = add_map (store2, 1, 2, 7, 7, &error);
		g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_SLOT_IN_USE);
		g_assert_null (dup);
		g_clear_error (&error);
	}

	/* changes of the restored store are persisted too */
	remsim_slotmap_store_remove (store2, remsim_slotmap_store_lookup_id (store2, 65538));
	remsim_slotmap_store_set_state_file (store3, path);
	g_assert_true (remsim_slotmap_store_load (store3, &error));
	g_assert_no_error (error);
	all3 = store_to_string (store3);
	g_assert_cmpstr (all3, ==, "B1023:1023 <-> C1023:1023, B0:0 <-> C0:0");
}

static void
test_store_state_no_file (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimSlotmap) m1 = add_map (f->store, 1, 2, 3, 4, &error);

	/* in memory only */
	g_assert_no_error (error);
	g_assert_true (remsim_slotmap_store_save (f->store, &error));
	g_assert_no_error (error);
	g_assert_true (remsim_slotmap_store_load (f->store, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (remsim_slotmap_store_get_all (f->store)->len, ==, 1);
}

static void
test_store_state_atomic (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path = g_build_filename (f->tmpdir, "slotmaps.ini", NULL);
	g_autoptr (RemsimSlotmap) m1 = NULL;
	g_autoptr (RemsimSlotmap) m2 = NULL;
	g_autoptr (GDir) dir = NULL;
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;
	GStatBuf st1, st2;
	const gchar *name;
	guint n = 0;

	remsim_slotmap_store_set_state_file (f->store, path);
	m1 = add_map (f->store, 1, 2, 3, 4, &error);
	g_assert_no_error (error);
	g_assert_cmpint (g_stat (path, &st1), ==, 0);
	before = read_file (path);

	/* a reader that has the old file open keeps seeing the old content:
	 * the new one is renamed over it, never rewritten in place */
	m2 = add_map (f->store, 1, 3, 3, 5, &error);
	g_assert_no_error (error);
	g_assert_cmpint (g_stat (path, &st2), ==, 0);
	g_assert_cmpuint (st1.st_ino, !=, st2.st_ino);
	after = read_file (path);
	g_assert_cmpstr (before, !=, after);
	g_assert_nonnull (strstr (after, "bank-slot-nr=3"));

	/* and no temporary file is left behind */
	dir = g_dir_open (f->tmpdir, 0, &error);
	g_assert_no_error (error);
	while ((name = g_dir_read_name (dir)) != NULL) {
		g_assert_cmpstr (name, ==, "slotmaps.ini");
		n++;
	}
	g_assert_cmpuint (n, ==, 1);
}

static void
test_store_state_unwritable (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *blocker = g_build_filename (f->tmpdir, "file", NULL);
	g_autofree gchar *path = g_build_filename (f->tmpdir, "file", "slotmaps.ini", NULL);
	g_autoptr (RemsimSlotmap) m1 = NULL;

	/* the parent "directory" is a regular file: the write must fail and
	 * the store must not keep a map it could not persist */
	g_file_set_contents (blocker, "x", -1, &error);
	g_assert_no_error (error);
	remsim_slotmap_store_set_state_file (f->store, path);
	m1 = add_map (f->store, 1, 2, 3, 4, &error);
	g_assert_null (m1);
	g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
	g_assert_nonnull (strstr (error->message, f->tmpdir));
	g_assert_cmpuint (remsim_slotmap_store_get_all (f->store)->len, ==, 0);
	g_assert_cmpuint (f->added->len, ==, 0);
	g_clear_error (&error);

	/* back to memory only: works */
	remsim_slotmap_store_set_state_file (f->store, NULL);
	m1 = add_map (f->store, 1, 2, 3, 4, &error);
	g_assert_no_error (error);
	g_assert_nonnull (m1);
}

static void
test_store_state_unwritable_keeps (Fixture *f, gconstpointer user_data)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path = g_build_filename (f->tmpdir, "slotmaps.ini", NULL);
	g_autoptr (RemsimSlotmap) m1 = NULL;
	g_autoptr (RemsimSlotmap) m2 = NULL;
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;
	RemsimBankSlot bank = {.bank_id = 1, .slot_nr = 2};
	RemsimClientSlot client = {.client_id = 3, .slot_nr = 4};

	remsim_slotmap_store_set_state_file (f->store, path);
	m1 = add_map (f->store, 1, 2, 3, 4, &error);
	g_assert_no_error (error);
	before = read_file (path);

	/* the state file's name is taken by a directory: the next write
	 * fails, and neither the map in memory nor the file is lost */
	g_assert_cmpint (g_unlink (path), ==, 0);
	g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
	m2 = add_map (f->store, 1, 3, 3, 5, &error);
	g_assert_null (m2);
	g_assert_nonnull (error);
	g_assert_nonnull (strstr (error->message, "slotmaps.ini"));
	g_clear_error (&error);
	g_assert_cmpuint (remsim_slotmap_store_get_all (f->store)->len, ==, 1);
	g_assert_true (remsim_slotmap_store_lookup_bank (f->store, &bank) == m1);
	g_assert_true (remsim_slotmap_store_lookup_client (f->store, &client) == m1);
	g_assert_cmpuint (f->added->len, ==, 1);

	/* once writable again, the next change writes every map */
	g_assert_cmpint (g_rmdir (path), ==, 0);
	m2 = add_map (f->store, 1, 3, 3, 5, &error);
	g_assert_no_error (error);
	after = read_file (path);
	g_assert_nonnull (strstr (after, "bank-slot-nr=2"));
	g_assert_nonnull (strstr (after, "bank-slot-nr=3"));
	g_assert_nonnull (before);
}

static void
test_store_state_malformed (Fixture *f, gconstpointer user_data)
{
	const gchar *header = "[remsim-slotmaps]\nversion=1\n";
	const gchar *good =
	    "[slotmap-0]\nbank-id=1\nbank-slot-nr=2\nclient-id=3\nclient-slot-nr=4\n";
	struct {
		const gchar *body;
		GQuark domain;
		gint code;
		const gchar *message; /* after "<path>: " */
	} cases[] = {
	    {"this is not a keyfile\n", G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, NULL},
	    {"[slotmap-1]\nbank-id=1\nbank-slot-nr=3\nclient-id=3\nclient-slot-nr=5\n",
	     REMSIM_ERROR,
	     REMSIM_ERROR_INVALID_ARGUMENT,
	     "[remsim-slotmaps] version: expected 1, got nothing"},
	    {"[remsim-slotmaps]\nversion=2\n",
	     REMSIM_ERROR,
	     REMSIM_ERROR_INVALID_ARGUMENT,
	     "[remsim-slotmaps] version: expected 1, got \"2\""},
	    {"[slotmap-1]\nbank-id=1\nbank-slot-nr=1024\nclient-id=3\nclient-slot-nr=5\n",
	     REMSIM_ERROR,
	     REMSIM_ERROR_INVALID_ARGUMENT,
	     "[slotmap-1]: bank-slot-nr: expected an integer in 0..1023, got \"1024\""},
	    {"[slotmap-1]\nbank-id=x\nbank-slot-nr=1\nclient-id=3\nclient-slot-nr=5\n",
	     REMSIM_ERROR,
	     REMSIM_ERROR_INVALID_ARGUMENT,
	     "[slotmap-1]: bank-id: expected an integer in 0..1023, got \"x\""},
	    {"[slotmap-1]\nbank-id=-1\nbank-slot-nr=1\nclient-id=3\nclient-slot-nr=5\n",
	     REMSIM_ERROR,
	     REMSIM_ERROR_INVALID_ARGUMENT,
	     "[slotmap-1]: bank-id: expected an integer in 0..1023, got \"-1\""},
	    {"[slotmap-1]\nbank-id=1\nbank-slot-nr=3\nclient-id=3\n",
	     REMSIM_ERROR,
	     REMSIM_ERROR_INVALID_ARGUMENT,
	     "[slotmap-1]: missing key client-slot-nr"},
	    {"[slotmap-1]\nbank-id=1\nbank-slot-nr=3\nclient-id=3\nclient-slot-nr=5\ncolor=red\n",
	     REMSIM_ERROR,
	     REMSIM_ERROR_INVALID_ARGUMENT,
	     "[slotmap-1]: unknown key color"},
	    {"[other]\nx=1\n",
	     REMSIM_ERROR,
	     REMSIM_ERROR_INVALID_ARGUMENT,
	     "[other]: unknown group, expected [slotmap-<n>]"},
	    {"[slotmap-1]\nbank-id=1\nbank-slot-nr=2\nclient-id=5\nclient-slot-nr=5\n",
	     REMSIM_ERROR,
	     REMSIM_ERROR_SLOT_IN_USE,
	     "[slotmap-1]: bank slot B1:2 is already mapped to C3:4"},
	    {"[slotmap-1]\nbank-id=2\nbank-slot-nr=2\nclient-id=3\nclient-slot-nr=4\n",
	     REMSIM_ERROR,
	     REMSIM_ERROR_SLOT_IN_USE,
	     "[slotmap-1]: client slot C3:4 is already mapped to B1:2"},
	};
	g_autofree gchar *path = g_build_filename (f->tmpdir, "slotmaps.ini", NULL);
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimSlotmap) existing = NULL;

	/* an existing map, to see that a failed load leaves it alone (and
	 * does not add the good entries before the bad one) */
	existing = add_map (f->store, 9, 9, 9, 9, &error);
	g_assert_no_error (error);
	remsim_slotmap_store_set_state_file (f->store, path);

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree gchar *data = NULL;
		g_autofree gchar *expected = NULL;
		g_autofree gchar *all = NULL;

		if (i == 0 || i == 1)
			data = g_strdup (cases[i].body);
		else
			data = g_strconcat (header, good, cases[i].body, NULL);
		g_file_set_contents (path, data, -1, &error);
		g_assert_no_error (error);

		g_assert_false (remsim_slotmap_store_load (f->store, &error));
		g_assert_error (error, cases[i].domain, cases[i].code);
		g_assert_true (g_str_has_prefix (error->message, path));
		if (cases[i].message != NULL) {
			expected = g_strdup_printf ("%s: %s", path, cases[i].message);
			g_assert_cmpstr (error->message, ==, expected);
		}
		g_clear_error (&error);

		all = store_to_string (f->store);
		g_assert_cmpstr (all, ==, "B9:9 <-> C9:9");
		g_assert_cmpuint (f->added->len, ==, 1);
	}

	/* a conflict with a map already in the store is rejected as well */
	{
		g_autofree gchar *data = g_strconcat (
		    header,
		    "[slotmap-0]\nbank-id=9\nbank-slot-nr=9\nclient-id=1\nclient-slot-nr=1\n",
		    NULL);
		g_autofree gchar *all = NULL;
		g_file_set_contents (path, data, -1, &error);
		g_assert_no_error (error);
		g_assert_false (remsim_slotmap_store_load (f->store, &error));
		g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_SLOT_IN_USE);
		g_clear_error (&error);
		all = store_to_string (f->store);
		g_assert_cmpstr (all, ==, "B9:9 <-> C9:9");
	}

	/* an unreadable path (a directory) */
	{
		g_autoptr (RemsimSlotmapStore) store2 = remsim_slotmap_store_new ();
		remsim_slotmap_store_set_state_file (store2, f->tmpdir);
		g_assert_false (remsim_slotmap_store_load (store2, &error));
		g_assert_nonnull (error);
		g_assert_true (g_str_has_prefix (error->message, f->tmpdir));
		g_clear_error (&error);
	}

	/* the good file loads, after the map already there */
	{
		g_autofree gchar *data = g_strconcat (header, good, NULL);
		g_autofree gchar *all = NULL;
		g_file_set_contents (path, data, -1, &error);
		g_assert_no_error (error);
		g_assert_true (remsim_slotmap_store_load (f->store, &error));
		g_assert_no_error (error);
		all = store_to_string (f->store);
		g_assert_cmpstr (all, ==, "B9:9 <-> C9:9, B1:2 <-> C3:4");
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD ("/remsim/slotmap-store/add-lookup", test_store_add_lookup);
	ADD ("/remsim/slotmap-store/unique", test_store_unique);
	ADD ("/remsim/slotmap-store/ranges", test_store_ranges);
	ADD ("/remsim/slotmap-store/remove", test_store_remove);
	ADD ("/remsim/slotmap-store/state/round-trip", test_store_state_round_trip);
	ADD ("/remsim/slotmap-store/state/no-file", test_store_state_no_file);
	ADD ("/remsim/slotmap-store/state/atomic", test_store_state_atomic);
	ADD ("/remsim/slotmap-store/state/unwritable", test_store_state_unwritable);
	ADD ("/remsim/slotmap-store/state/unwritable-keeps", test_store_state_unwritable_keeps);
	ADD ("/remsim/slotmap-store/state/malformed", test_store_state_malformed);
#undef ADD
	return g_test_run ();
}
