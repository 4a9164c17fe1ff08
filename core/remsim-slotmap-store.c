/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "remsim-error.h"
#include "remsim-slotmap-store.h"

/*
 * The state file is a GLib keyfile, one group per map in insertion order:
 *
 *   [remsim-slotmaps]
 *   version=1
 *
 *   [slotmap-0]
 *   bank-id=1
 *   bank-slot-nr=2
 *   client-id=3
 *   client-slot-nr=4
 *
 * The states are not stored: a restored map starts in NEW.
 */
#define REMSIM_SLOTMAP_STORE_HEADER  "remsim-slotmaps"
#define REMSIM_SLOTMAP_STORE_VERSION 1

struct _RemsimSlotmapStore {
	GObject parent_instance;
	GPtrArray *maps;       /* of RemsimSlotmap, owned, insertion order */
	GHashTable *by_bank;   /* RemsimBankSlot (borrowed from the map) → map (borrowed) */
	GHashTable *by_client; /* RemsimClientSlot (borrowed from the map) → map (borrowed) */
	gchar *state_file;     /* nullable */
};

G_DEFINE_FINAL_TYPE (RemsimSlotmapStore, remsim_slotmap_store, G_TYPE_OBJECT)

enum {
	SIGNAL_ADDED,
	SIGNAL_REMOVED,
	N_SIGNALS,
};

static guint remsim_slotmap_store_signals[N_SIGNALS] = {0};

static void
remsim_slotmap_store_dispose (GObject *object)
{
	RemsimSlotmapStore *self = REMSIM_SLOTMAP_STORE (object);

	g_hash_table_remove_all (self->by_bank);
	g_hash_table_remove_all (self->by_client);
	g_ptr_array_set_size (self->maps, 0);

	G_OBJECT_CLASS (remsim_slotmap_store_parent_class)->dispose (object);
}

static void
remsim_slotmap_store_finalize (GObject *object)
{
	RemsimSlotmapStore *self = REMSIM_SLOTMAP_STORE (object);

	g_hash_table_unref (self->by_bank);
	g_hash_table_unref (self->by_client);
	g_ptr_array_unref (self->maps);
	g_free (self->state_file);

	G_OBJECT_CLASS (remsim_slotmap_store_parent_class)->finalize (object);
}

static void
remsim_slotmap_store_class_init (RemsimSlotmapStoreClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->dispose = remsim_slotmap_store_dispose;
	object_class->finalize = remsim_slotmap_store_finalize;

	/**
	 * RemsimSlotmapStore::added:
	 * @map: the new map (already in the store and saved)
	 */
	remsim_slotmap_store_signals[SIGNAL_ADDED] = g_signal_new ("added",
								   G_TYPE_FROM_CLASS (klass),
								   G_SIGNAL_RUN_LAST,
								   0,
								   NULL,
								   NULL,
								   NULL,
								   G_TYPE_NONE,
								   1,
								   REMSIM_TYPE_SLOTMAP);
	/**
	 * RemsimSlotmapStore::removed:
	 * @map: the map (no longer in the store; still alive during emission)
	 */
	remsim_slotmap_store_signals[SIGNAL_REMOVED] = g_signal_new ("removed",
								     G_TYPE_FROM_CLASS (klass),
								     G_SIGNAL_RUN_LAST,
								     0,
								     NULL,
								     NULL,
								     NULL,
								     G_TYPE_NONE,
								     1,
								     REMSIM_TYPE_SLOTMAP);
}

static void
remsim_slotmap_store_init (RemsimSlotmapStore *self)
{
	self->maps = g_ptr_array_new_with_free_func (g_object_unref);
	self->by_bank = g_hash_table_new (remsim_bank_slot_hash, remsim_bank_slot_equal);
	self->by_client = g_hash_table_new (remsim_client_slot_hash, remsim_client_slot_equal);
}

/**
 * remsim_slotmap_store_new:
 *
 * Returns: (transfer full): an empty store without a state file
 * Since: 0.1
 */
RemsimSlotmapStore *
remsim_slotmap_store_new (void)
{
	return g_object_new (REMSIM_TYPE_SLOTMAP_STORE, NULL);
}

void
remsim_slotmap_store_set_state_file (RemsimSlotmapStore *self, const gchar *path)
{
	g_return_if_fail (REMSIM_IS_SLOTMAP_STORE (self));

	g_free (self->state_file);
	self->state_file = g_strdup (path);
}

/* range checks, with the field names of the REST API */
static gboolean
remsim_slotmap_store_check_range (const RemsimBankSlot *bank,
				  const RemsimClientSlot *client,
				  GError **error)
{
	struct {
		const gchar *name;
		guint32 value;
	} fields[] = {
	    {"bankId", bank->bank_id},
	    {"bank slotNr", bank->slot_nr},
	    {"clientId", client->client_id},
	    {"client slotNr", client->slot_nr},
	};

	for (guint i = 0; i < G_N_ELEMENTS (fields); i++) {
		if (fields[i].value > REMSIM_ID_MAX) {
			g_set_error (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "%s %u out of range 0..%u",
				     fields[i].name,
				     fields[i].value,
				     (guint)REMSIM_ID_MAX);
			return FALSE;
		}
	}
	return TRUE;
}

/* range and uniqueness against the maps in @by_bank / @by_client */
static gboolean
remsim_slotmap_store_check (GHashTable *by_bank,
			    GHashTable *by_client,
			    const RemsimBankSlot *bank,
			    const RemsimClientSlot *client,
			    GError **error)
{
	RemsimSlotmap *other;

	if (!remsim_slotmap_store_check_range (bank, client, error))
		return FALSE;

	other = g_hash_table_lookup (by_bank, bank);
	if (other != NULL) {
		g_autofree gchar *b = remsim_bank_slot_to_string (bank);
		g_autofree gchar *c =
		    remsim_client_slot_to_string (remsim_slotmap_get_client (other));
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_SLOT_IN_USE,
			     "bank slot %s is already mapped to %s",
			     b,
			     c);
		return FALSE;
	}
	other = g_hash_table_lookup (by_client, client);
	if (other != NULL) {
		g_autofree gchar *c = remsim_client_slot_to_string (client);
		g_autofree gchar *b = remsim_bank_slot_to_string (remsim_slotmap_get_bank (other));
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_SLOT_IN_USE,
			     "client slot %s is already mapped to %s",
			     c,
			     b);
		return FALSE;
	}
	return TRUE;
}

static void
remsim_slotmap_store_index (GHashTable *by_bank, GHashTable *by_client, RemsimSlotmap *map)
{
	g_hash_table_insert (by_bank, (gpointer)remsim_slotmap_get_bank (map), map);
	g_hash_table_insert (by_client, (gpointer)remsim_slotmap_get_client (map), map);
}

static gchar *
remsim_slotmap_store_to_data (RemsimSlotmapStore *self, gsize *len)
{
	g_autoptr (GKeyFile) kf = g_key_file_new ();

	g_key_file_set_comment (
	    kf, NULL, NULL, " remsim-server slot maps, rewritten on every change", NULL);
	g_key_file_set_integer (
	    kf, REMSIM_SLOTMAP_STORE_HEADER, "version", REMSIM_SLOTMAP_STORE_VERSION);
	for (guint i = 0; i < self->maps->len; i++) {
		RemsimSlotmap *map = g_ptr_array_index (self->maps, i);
		const RemsimBankSlot *bank = remsim_slotmap_get_bank (map);
		const RemsimClientSlot *client = remsim_slotmap_get_client (map);
		g_autofree gchar *group = g_strdup_printf ("slotmap-%u", i);

		g_key_file_set_uint64 (kf, group, "bank-id", bank->bank_id);
		g_key_file_set_uint64 (kf, group, "bank-slot-nr", bank->slot_nr);
		g_key_file_set_uint64 (kf, group, "client-id", client->client_id);
		g_key_file_set_uint64 (kf, group, "client-slot-nr", client->slot_nr);
	}
	return g_key_file_to_data (kf, len, NULL);
}

/**
 * remsim_slotmap_store_save:
 *
 * Writes the state file atomically (a temporary file renamed over the old
 * one), creating its directory if needed. Without a state file: no-op.
 *
 * Returns: %FALSE with @error set (G_FILE_ERROR, naming the file) on failure
 * Since: 0.1
 */
gboolean
remsim_slotmap_store_save (RemsimSlotmapStore *self, GError **error)
{
	g_autofree gchar *data = NULL;
	g_autofree gchar *dir = NULL;
	gsize len = 0;

	g_return_val_if_fail (REMSIM_IS_SLOTMAP_STORE (self), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (self->state_file == NULL)
		return TRUE;

	dir = g_path_get_dirname (self->state_file);
	if (g_mkdir_with_parents (dir, 0755) != 0) {
		int errsv = errno;
		g_set_error (error,
			     G_FILE_ERROR,
			     g_file_error_from_errno (errsv),
			     "%s: cannot create directory: %s",
			     dir,
			     g_strerror (errsv));
		return FALSE;
	}
	data = remsim_slotmap_store_to_data (self, &len);
	if (!g_file_set_contents_full (
		self->state_file, data, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error)) {
		g_prefix_error (error, "cannot write slotmap state: ");
		return FALSE;
	}
	return TRUE;
}

/**
 * remsim_slotmap_store_add:
 * @bank: the bank slot
 * @client: the client slot
 *
 * Adds a map in state NEW, saves the state file and emits "added".
 * Besides the range and uniqueness errors, fails (store unchanged) if the
 * state file cannot be written.
 *
 * Returns: (transfer full): the new map, or %NULL with @error set
 * Since: 0.1
 */
RemsimSlotmap *
remsim_slotmap_store_add (RemsimSlotmapStore *self,
			  const RemsimBankSlot *bank,
			  const RemsimClientSlot *client,
			  GError **error)
{
	g_autoptr (RemsimSlotmap) map = NULL;
	g_autofree gchar *str = NULL;

	g_return_val_if_fail (REMSIM_IS_SLOTMAP_STORE (self), NULL);
	g_return_val_if_fail (bank != NULL, NULL);
	g_return_val_if_fail (client != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (!remsim_slotmap_store_check (self->by_bank, self->by_client, bank, client, error))
		return NULL;

	map = remsim_slotmap_new (bank, client);
	g_ptr_array_add (self->maps, g_object_ref (map));
	remsim_slotmap_store_index (self->by_bank, self->by_client, map);
	if (!remsim_slotmap_store_save (self, error)) {
		/* keep memory and file in step */
		g_hash_table_remove (self->by_bank, remsim_slotmap_get_bank (map));
		g_hash_table_remove (self->by_client, remsim_slotmap_get_client (map));
		g_ptr_array_remove (self->maps, map);
		return NULL;
	}
	str = remsim_slotmap_to_string (map);
	g_debug ("%s: slotmap added", str);
	g_signal_emit (self, remsim_slotmap_store_signals[SIGNAL_ADDED], 0, map);
	return g_steal_pointer (&map);
}

void
remsim_slotmap_store_remove (RemsimSlotmapStore *self, RemsimSlotmap *map)
{
	g_autoptr (RemsimSlotmap) ref = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *str = NULL;
	guint idx = 0;

	g_return_if_fail (REMSIM_IS_SLOTMAP_STORE (self));
	g_return_if_fail (REMSIM_IS_SLOTMAP (map));

	if (!g_ptr_array_find (self->maps, map, &idx))
		return;

	ref = g_object_ref (map);
	g_hash_table_remove (self->by_bank, remsim_slotmap_get_bank (map));
	g_hash_table_remove (self->by_client, remsim_slotmap_get_client (map));
	g_ptr_array_remove_index (self->maps, idx);
	if (!remsim_slotmap_store_save (self, &error))
		g_warning ("%s", error->message);
	str = remsim_slotmap_to_string (map);
	g_debug ("%s: slotmap removed", str);
	g_signal_emit (self, remsim_slotmap_store_signals[SIGNAL_REMOVED], 0, map);
}

RemsimSlotmap *
remsim_slotmap_store_lookup_id (RemsimSlotmapStore *self, guint32 id)
{
	RemsimBankSlot bank = {.bank_id = id / 65536, .slot_nr = id % 65536};

	g_return_val_if_fail (REMSIM_IS_SLOTMAP_STORE (self), NULL);
	return g_hash_table_lookup (self->by_bank, &bank);
}

RemsimSlotmap *
remsim_slotmap_store_lookup_bank (RemsimSlotmapStore *self, const RemsimBankSlot *bank)
{
	g_return_val_if_fail (REMSIM_IS_SLOTMAP_STORE (self), NULL);
	g_return_val_if_fail (bank != NULL, NULL);
	return g_hash_table_lookup (self->by_bank, bank);
}

RemsimSlotmap *
remsim_slotmap_store_lookup_client (RemsimSlotmapStore *self, const RemsimClientSlot *client)
{
	g_return_val_if_fail (REMSIM_IS_SLOTMAP_STORE (self), NULL);
	g_return_val_if_fail (client != NULL, NULL);
	return g_hash_table_lookup (self->by_client, client);
}

GPtrArray *
remsim_slotmap_store_get_all (RemsimSlotmapStore *self)
{
	g_return_val_if_fail (REMSIM_IS_SLOTMAP_STORE (self), NULL);
	return self->maps;
}

/* one entry of the state file; errors name the entry */
static gboolean
remsim_slotmap_store_load_entry (GKeyFile *kf,
				 const gchar *group,
				 RemsimBankSlot *bank,
				 RemsimClientSlot *client,
				 GError **error)
{
	const gchar *keys[] = {"bank-id", "bank-slot-nr", "client-id", "client-slot-nr", NULL};
	guint32 *fields[] = {&bank->bank_id, &bank->slot_nr, &client->client_id, &client->slot_nr};
	g_auto (GStrv) present = g_key_file_get_keys (kf, group, NULL, NULL);

	for (guint i = 0; present != NULL && present[i] != NULL; i++) {
		if (!g_strv_contains (keys, present[i])) {
			g_set_error (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "unknown key %s",
				     present[i]);
			return FALSE;
		}
	}
	G_STATIC_ASSERT (G_N_ELEMENTS (keys) == G_N_ELEMENTS (fields) + 1);
	for (guint i = 0; i < G_N_ELEMENTS (fields); i++) {
		g_autofree gchar *raw = g_key_file_get_value (kf, group, keys[i], NULL);
		guint64 v = 0;

		if (raw == NULL) {
			g_set_error (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "missing key %s",
				     keys[i]);
			return FALSE;
		}
		if (!g_ascii_string_to_unsigned (raw, 10, 0, REMSIM_ID_MAX, &v, NULL)) {
			g_set_error (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "%s: expected an integer in 0..%u, got \"%s\"",
				     keys[i],
				     (guint)REMSIM_ID_MAX,
				     raw);
			return FALSE;
		}
		*fields[i] = (guint32)v;
	}
	return TRUE;
}

/**
 * remsim_slotmap_store_load:
 *
 * Restores the maps of the state file, in file order and in state NEW,
 * emitting "added" for each. A missing file is not an error. An unreadable
 * or malformed file, or one whose maps conflict with each other or with maps
 * already in the store, fails with an error naming the file and the entry,
 * and leaves the store unchanged. Errors: G_FILE_ERROR / G_KEY_FILE_ERROR
 * (read, syntax), REMSIM_ERROR_INVALID_ARGUMENT (bad entry),
 * REMSIM_ERROR_SLOT_IN_USE (duplicate slot).
 *
 * Since: 0.1
 */
gboolean
remsim_slotmap_store_load (RemsimSlotmapStore *self, GError **error)
{
	g_autoptr (GKeyFile) kf = g_key_file_new ();
	g_autoptr (GError) error_local = NULL;
	g_autoptr (GPtrArray) loaded = g_ptr_array_new_with_free_func (g_object_unref);
	g_autoptr (GHashTable) by_bank = NULL;
	g_autoptr (GHashTable) by_client = NULL;
	g_auto (GStrv) groups = NULL;
	g_autofree gchar *raw_version = NULL;
	gboolean had_maps;

	g_return_val_if_fail (REMSIM_IS_SLOTMAP_STORE (self), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (self->state_file == NULL)
		return TRUE;
	if (!g_key_file_load_from_file (kf, self->state_file, G_KEY_FILE_NONE, &error_local)) {
		if (g_error_matches (error_local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return TRUE;
		g_propagate_prefixed_error (
		    error, g_steal_pointer (&error_local), "%s: ", self->state_file);
		return FALSE;
	}

	raw_version = g_key_file_get_value (kf, REMSIM_SLOTMAP_STORE_HEADER, "version", NULL);
	if (g_strcmp0 (raw_version, G_STRINGIFY (REMSIM_SLOTMAP_STORE_VERSION)) != 0) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "%s: [" REMSIM_SLOTMAP_STORE_HEADER
			     "] version: expected %d, got %s%s%s",
			     self->state_file,
			     REMSIM_SLOTMAP_STORE_VERSION,
			     raw_version != NULL ? "\"" : "",
			     raw_version != NULL ? raw_version : "nothing",
			     raw_version != NULL ? "\"" : "");
		return FALSE;
	}

	/* validate everything against a copy of the indexes first */
	by_bank = g_hash_table_new (remsim_bank_slot_hash, remsim_bank_slot_equal);
	by_client = g_hash_table_new (remsim_client_slot_hash, remsim_client_slot_equal);
	for (guint i = 0; i < self->maps->len; i++)
		remsim_slotmap_store_index (by_bank, by_client, g_ptr_array_index (self->maps, i));

	groups = g_key_file_get_groups (kf, NULL);
	for (guint i = 0; groups[i] != NULL; i++) {
		RemsimBankSlot bank = {0};
		RemsimClientSlot client = {0};
		RemsimSlotmap *map;

		if (g_strcmp0 (groups[i], REMSIM_SLOTMAP_STORE_HEADER) == 0)
			continue;
		if (!g_str_has_prefix (groups[i], "slotmap-")) {
			g_set_error (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "%s: [%s]: unknown group, expected [slotmap-<n>]",
				     self->state_file,
				     groups[i]);
			return FALSE;
		}
		if (!remsim_slotmap_store_load_entry (kf, groups[i], &bank, &client, error) ||
		    !remsim_slotmap_store_check (by_bank, by_client, &bank, &client, error)) {
			g_prefix_error (error, "%s: [%s]: ", self->state_file, groups[i]);
			return FALSE;
		}
		map = remsim_slotmap_new (&bank, &client);
		g_ptr_array_add (loaded, map);
		remsim_slotmap_store_index (by_bank, by_client, map);
	}

	/* commit */
	had_maps = self->maps->len > 0;
	for (guint i = 0; i < loaded->len; i++) {
		RemsimSlotmap *map = g_ptr_array_index (loaded, i);
		g_ptr_array_add (self->maps, g_object_ref (map));
		remsim_slotmap_store_index (self->by_bank, self->by_client, map);
	}
	g_debug ("%s: restored %u slotmaps", self->state_file, loaded->len);
	if (had_maps && loaded->len > 0) {
		g_autoptr (GError) error_save = NULL;
		if (!remsim_slotmap_store_save (self, &error_save))
			g_warning ("%s", error_save->message);
	}
	for (guint i = 0; i < loaded->len; i++)
		g_signal_emit (self,
			       remsim_slotmap_store_signals[SIGNAL_ADDED],
			       0,
			       g_ptr_array_index (loaded, i));
	return TRUE;
}
