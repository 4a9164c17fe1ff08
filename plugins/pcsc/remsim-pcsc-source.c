/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimPcscSource: the main-thread face of one PC/SC bank slot. It reads
 * its keys, picks the reader pattern (keyfile regex or osmo-remsim's CSV
 * file) and hands every PC/SC call to the shared workers
 * (remsim-pcsc-worker.c); results and card events come back here.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <winscard.h>
#include <wintypes.h>

#include "remsim-pcsc-csv.h"
#include "remsim-pcsc-source.h"
#include "remsim-pcsc-worker.h"

#define REMSIM_PCSC_TAG(fn)	    ((gpointer)(guintptr)(fn))
#define REMSIM_PCSC_REGEX_KEY	    "reader-regex"
#define REMSIM_PCSC_DEFAULT_BANK_ID 1

struct _RemsimPcscSource {
	GObject parent_instance;

	RemsimPluginInstanceProps props; /* config, group, slot */

	gchar *name; /* "B1:3" */
	gchar *pattern;
	guint match_index;
	RemsimPcscSlot *slot;

	gboolean present;
	gboolean powered;
	GBytes *atr;
};

static void remsim_pcsc_source_card_source_iface_init (RemsimCardSourceInterface *iface);
static void remsim_pcsc_source_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RemsimPcscSource,
			       remsim_pcsc_source,
			       G_TYPE_OBJECT,
			       G_IMPLEMENT_INTERFACE (REMSIM_TYPE_CARD_SOURCE,
						      remsim_pcsc_source_card_source_iface_init)
				   G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
							  remsim_pcsc_source_initable_iface_init))

enum {
	PROP_0,
	PROP_INSTANCE, /* "config", "group", "slot" */
};

/* the CSV file is parsed once, not once per slot (1024 slots, 1024 rows) */
static GMutex remsim_pcsc_csv_cache_lock;
static RemsimPcscCsv *remsim_pcsc_csv_cache = NULL;
static gchar *remsim_pcsc_csv_cache_path = NULL;
static GStatBuf remsim_pcsc_csv_cache_stat;

/* results, in the main context -------------------------------------------- */

static void
remsim_pcsc_source_forget_card (RemsimPcscSource *self)
{
	self->powered = FALSE;
	g_clear_pointer (&self->atr, g_bytes_unref);
}

static void
remsim_pcsc_source_atr_done (GTask *task, GBytes *result, const GError *error)
{
	RemsimPcscSource *self = g_task_get_source_object (task);

	if (result == NULL) {
		if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			remsim_pcsc_source_forget_card (self);
		g_task_return_error (task, g_error_copy (error));
		return;
	}
	g_clear_pointer (&self->atr, g_bytes_unref);
	self->atr = g_bytes_ref (result);
	self->powered = TRUE;
	g_task_return_pointer (task, g_bytes_ref (result), (GDestroyNotify)g_bytes_unref);
}

static void
remsim_pcsc_source_transmit_done (GTask *task, GBytes *result, const GError *error)
{
	RemsimPcscSource *self = g_task_get_source_object (task);

	if (result == NULL) {
		if (g_error_matches (error, REMSIM_ERROR, REMSIM_ERROR_CARD_ABSENT))
			remsim_pcsc_source_forget_card (self);
		g_task_return_error (task, g_error_copy (error));
		return;
	}
	g_task_return_pointer (task, g_bytes_ref (result), (GDestroyNotify)g_bytes_unref);
}

static void
remsim_pcsc_source_presence_cb (GObject *owner, gboolean present)
{
	RemsimPcscSource *self = REMSIM_PCSC_SOURCE (owner);

	if (self->present == present)
		return;
	self->present = present;
	if (!present)
		g_clear_pointer (&self->atr, g_bytes_unref);
	g_info ("%s: card %s", self->name, present ? "inserted" : "removed");
	remsim_card_source_emit_card_changed (REMSIM_CARD_SOURCE (self), present);
}

/* RemsimCardSource ---------------------------------------------------------- */

static void
remsim_pcsc_source_power_on_async (RemsimCardSource *source,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data)
{
	RemsimPcscSource *self = REMSIM_PCSC_SOURCE (source);
	g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

	g_task_set_source_tag (task, REMSIM_PCSC_TAG (remsim_pcsc_source_power_on_async));
	remsim_pcsc_slot_submit (self->slot,
				 REMSIM_PCSC_OP_POWER_ON,
				 NULL,
				 g_steal_pointer (&task),
				 remsim_pcsc_source_atr_done);
}

static void
remsim_pcsc_source_reset_async (RemsimCardSource *source,
				gboolean cold,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data)
{
	RemsimPcscSource *self = REMSIM_PCSC_SOURCE (source);
	g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

	g_task_set_source_tag (task, REMSIM_PCSC_TAG (remsim_pcsc_source_reset_async));
	remsim_pcsc_slot_submit (self->slot,
				 cold ? REMSIM_PCSC_OP_RESET_COLD : REMSIM_PCSC_OP_RESET_WARM,
				 NULL,
				 g_steal_pointer (&task),
				 remsim_pcsc_source_atr_done);
}

static void
remsim_pcsc_source_transmit_async (RemsimCardSource *source,
				   GBytes *tpdu,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data)
{
	RemsimPcscSource *self = REMSIM_PCSC_SOURCE (source);
	g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

	g_task_set_source_tag (task, REMSIM_PCSC_TAG (remsim_pcsc_source_transmit_async));
	remsim_pcsc_slot_submit (self->slot,
				 REMSIM_PCSC_OP_TRANSMIT,
				 tpdu,
				 g_steal_pointer (&task),
				 remsim_pcsc_source_transmit_done);
}

static GBytes *
remsim_pcsc_source_bytes_finish (RemsimCardSource *source, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail (g_task_is_valid (res, source), NULL);
	return g_task_propagate_pointer (G_TASK (res), error);
}

/* never blocks: the disconnect runs on a worker, after what is queued */
static gboolean
remsim_pcsc_source_power_off (RemsimCardSource *source, GError **error)
{
	RemsimPcscSource *self = REMSIM_PCSC_SOURCE (source);

	remsim_pcsc_source_forget_card (self);
	remsim_pcsc_slot_submit (self->slot, REMSIM_PCSC_OP_POWER_OFF, NULL, NULL, NULL);
	return TRUE;
}

static GBytes *
remsim_pcsc_source_get_atr (RemsimCardSource *source)
{
	RemsimPcscSource *self = REMSIM_PCSC_SOURCE (source);

	if (!self->powered || self->atr == NULL)
		return NULL;
	return g_bytes_ref (self->atr);
}

static gboolean
remsim_pcsc_source_is_card_present (RemsimCardSource *source)
{
	return REMSIM_PCSC_SOURCE (source)->present;
}

static void
remsim_pcsc_source_card_source_iface_init (RemsimCardSourceInterface *iface)
{
	iface->power_on_async = remsim_pcsc_source_power_on_async;
	iface->power_on_finish = remsim_pcsc_source_bytes_finish;
	iface->reset_async = remsim_pcsc_source_reset_async;
	iface->reset_finish = remsim_pcsc_source_bytes_finish;
	iface->transmit_async = remsim_pcsc_source_transmit_async;
	iface->transmit_finish = remsim_pcsc_source_bytes_finish;
	iface->power_off = remsim_pcsc_source_power_off;
	iface->get_atr = remsim_pcsc_source_get_atr;
	iface->is_card_present = remsim_pcsc_source_is_card_present;
}

/* configuration ------------------------------------------------------------ */

static gboolean
remsim_pcsc_source_parse_uint (const gchar *s, guint max, guint *out)
{
	guint64 v = 0;
	g_autofree gchar *str = g_strstrip (g_strdup (s));

	if (!g_ascii_string_to_unsigned (str, 10, 0, max, &v, NULL))
		return FALSE;
	*out = (guint)v;
	return TRUE;
}

/* the position of @slot in the group's "slots" list (0-7;9 → slot 9 is at
 * position 8), or 0 when the group has no such key */
static gboolean
remsim_pcsc_source_slot_position (RemsimPcscSource *self, guint *position, GError **error)
{
	g_autofree gchar *value =
	    g_key_file_get_value (self->props.config, self->props.group, "slots", NULL);
	g_auto (GStrv) parts = NULL;
	guint n = 0;

	*position = 0;
	if (value == NULL)
		return TRUE;
	parts = g_strsplit (value, ";", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		g_auto (GStrv) ends = NULL;
		guint first = 0;
		guint last = 0;

		if (g_strstrip (parts[i])[0] == '\0')
			continue;
		ends = g_strsplit (parts[i], "-", 3);
		if (g_strv_length (ends) > 2 ||
		    !remsim_pcsc_source_parse_uint (ends[0], G_MAXUINT16, &first) ||
		    (ends[1] != NULL &&
		     !remsim_pcsc_source_parse_uint (ends[1], G_MAXUINT16, &last))) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "key 'slots': expected slot numbers and ranges like 0-7;9, "
				     "got \"%s\"",
				     value);
			return FALSE;
		}
		if (ends[1] == NULL)
			last = first;
		if (self->props.slot >= first && self->props.slot <= last) {
			*position = n + (self->props.slot - first);
			return TRUE;
		}
		if (last >= first)
			n += last - first + 1;
	}
	return TRUE;
}

static RemsimPcscCsv *
remsim_pcsc_source_load_csv (const gchar *path, GError **error)
{
	GStatBuf st = {0};
	RemsimPcscCsv *csv;

	g_mutex_lock (&remsim_pcsc_csv_cache_lock);
	if (remsim_pcsc_csv_cache != NULL && g_strcmp0 (remsim_pcsc_csv_cache_path, path) == 0 &&
	    g_stat (path, &st) == 0 && st.st_mtime == remsim_pcsc_csv_cache_stat.st_mtime &&
	    st.st_size == remsim_pcsc_csv_cache_stat.st_size &&
	    st.st_ino == remsim_pcsc_csv_cache_stat.st_ino) {
		g_mutex_unlock (&remsim_pcsc_csv_cache_lock);
		return remsim_pcsc_csv_cache;
	}
	csv = remsim_pcsc_csv_load (path, error);
	if (csv != NULL) {
		g_clear_pointer (&remsim_pcsc_csv_cache, remsim_pcsc_csv_free);
		g_free (remsim_pcsc_csv_cache_path);
		remsim_pcsc_csv_cache = csv;
		remsim_pcsc_csv_cache_path = g_strdup (path);
		if (g_stat (path, &remsim_pcsc_csv_cache_stat) != 0)
			memset (
			    &remsim_pcsc_csv_cache_stat, 0, sizeof (remsim_pcsc_csv_cache_stat));
	}
	g_mutex_unlock (&remsim_pcsc_csv_cache_lock);
	return csv;
}

static gboolean
remsim_pcsc_source_get_bank_id (RemsimPcscSource *self, guint *bank_id, GError **error)
{
	g_autofree gchar *value =
	    g_key_file_get_value (self->props.config, self->props.group, "bank-id", NULL);

	*bank_id = REMSIM_PCSC_DEFAULT_BANK_ID;
	if (value != NULL) {
		if (!remsim_pcsc_source_parse_uint (value, 1023, bank_id)) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "key 'bank-id': expected a bank id 0..1023, got \"%s\"",
				     value);
			return FALSE;
		}
		return TRUE;
	}
	/* the bankd's own group, if the file has one */
	g_free (value);
	value = g_key_file_get_value (self->props.config, "bankd", "bank-id", NULL);
	if (value != NULL && !remsim_pcsc_source_parse_uint (value, 1023, bank_id))
		*bank_id = REMSIM_PCSC_DEFAULT_BANK_ID;
	return TRUE;
}

static gboolean
remsim_pcsc_source_get_protocols (RemsimPcscSource *self, guint *protocols, GError **error)
{
	g_autofree gchar *value =
	    g_key_file_get_value (self->props.config, self->props.group, "protocols", NULL);
	g_auto (GStrv) parts = NULL;

	*protocols = SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1;
	if (value == NULL)
		return TRUE;
	*protocols = 0;
	parts = g_strsplit_set (value, ";,", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		const gchar *p = g_strstrip (parts[i]);

		if (*p == '\0')
			continue;
		if (g_ascii_strcasecmp (p, "t0") == 0 || g_ascii_strcasecmp (p, "t=0") == 0) {
			*protocols |= SCARD_PROTOCOL_T0;
		} else if (g_ascii_strcasecmp (p, "t1") == 0 ||
			   g_ascii_strcasecmp (p, "t=1") == 0) {
			*protocols |= SCARD_PROTOCOL_T1;
		} else {
			*protocols = 0;
			break;
		}
	}
	if (*protocols == 0) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "key 'protocols': expected t0, t1 or t0;t1, got \"%s\"",
			     value);
		return FALSE;
	}
	return TRUE;
}

static gboolean
remsim_pcsc_source_get_shared (RemsimPcscSource *self, gboolean *shared, GError **error)
{
	g_autoptr (GError) error_local = NULL;

	*shared = FALSE;
	if (!g_key_file_has_key (self->props.config, self->props.group, "shared", NULL))
		return TRUE;
	*shared =
	    g_key_file_get_boolean (self->props.config, self->props.group, "shared", &error_local);
	if (error_local != NULL) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "key 'shared': expected true or false");
		return FALSE;
	}
	return TRUE;
}

/* the keys this group may have: the fixed ones plus reader-regex-<slot> for
 * the slots the group serves */
static gboolean
remsim_pcsc_source_check_keys (RemsimPcscSource *self, GError **error)
{
	static const gchar *const fixed[] = {
	    "reader-regex", "csv-file", "bank-id", "shared", "protocols"};
	g_autoptr (GPtrArray) known = g_ptr_array_new_with_free_func (g_free);
	g_auto (GStrv) keys = NULL;

	/* without config or group, remsim_plugin_instance_props_check() says so */
	if (self->props.config != NULL && self->props.group != NULL)
		keys = g_key_file_get_keys (self->props.config, self->props.group, NULL, NULL);

	for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
		g_ptr_array_add (known, g_strdup (fixed[i]));
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		const gchar *suffix;
		guint nr = 0;

		if (!g_str_has_prefix (keys[i], REMSIM_PCSC_REGEX_KEY "-"))
			continue;
		suffix = keys[i] + strlen (REMSIM_PCSC_REGEX_KEY "-");
		if (!remsim_pcsc_source_parse_uint (suffix, G_MAXUINT16, &nr)) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_UNKNOWN_KEY,
				     "unknown key '%s' (expected reader-regex-<slot number>)",
				     keys[i]);
			return FALSE;
		}
		g_ptr_array_add (known, g_strdup (keys[i]));
	}
	g_ptr_array_add (known, NULL);
	return remsim_plugin_instance_props_check (
	    &self->props, (const gchar *const *)known->pdata, error);
}

static gboolean
remsim_pcsc_source_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
	RemsimPcscSource *self = REMSIM_PCSC_SOURCE (initable);
	g_autofree gchar *slot_key = NULL;
	g_autofree gchar *regex = NULL;
	g_autofree gchar *csv_file = NULL;
	g_autofree gchar *no_reader_why = NULL;
	g_autoptr (GError) error_local = NULL;
	const gchar *regex_key = NULL;
	guint bank_id = 0;
	guint protocols = 0;
	gboolean shared = FALSE;
	gboolean present = TRUE;

	if (!remsim_pcsc_source_check_keys (self, error))
		return FALSE;
	if (!remsim_pcsc_source_get_bank_id (self, &bank_id, error))
		return FALSE;
	if (!remsim_pcsc_source_get_protocols (self, &protocols, error))
		return FALSE;
	if (!remsim_pcsc_source_get_shared (self, &shared, error))
		return FALSE;
	self->name = g_strdup_printf ("B%u:%u", bank_id, self->props.slot);

	csv_file = g_key_file_get_value (self->props.config, self->props.group, "csv-file", NULL);
	slot_key = g_strdup_printf (REMSIM_PCSC_REGEX_KEY "-%u", self->props.slot);
	regex = g_key_file_get_value (self->props.config, self->props.group, slot_key, NULL);
	if (regex != NULL) {
		regex_key = slot_key;
	} else {
		regex = g_key_file_get_value (
		    self->props.config, self->props.group, REMSIM_PCSC_REGEX_KEY, NULL);
		if (regex != NULL) {
			regex_key = REMSIM_PCSC_REGEX_KEY;
			if (!remsim_pcsc_source_slot_position (self, &self->match_index, error))
				return FALSE;
		}
	}

	if (csv_file != NULL && regex_key != NULL) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "key 'csv-file': expected either csv-file or %s, not both",
			     regex_key);
		return FALSE;
	}
	if (csv_file != NULL) {
		RemsimPcscCsv *csv = NULL;
		const gchar *row_regex;
		guint line = 0;

		g_strstrip (csv_file);
		csv = remsim_pcsc_source_load_csv (csv_file, error);
		if (csv == NULL)
			return FALSE;
		row_regex = remsim_pcsc_csv_lookup (csv, bank_id, self->props.slot, &line);
		if (row_regex != NULL) {
			self->pattern = g_strdup (row_regex);
			g_debug ("%s: reader regex \"%s\" from %s:%u",
				 self->name,
				 row_regex,
				 csv_file,
				 line);
		} else {
			/* as upstream: the slot exists but never finds a reader */
			no_reader_why = g_strdup_printf ("no row for bank %u slot %u in %s",
							 bank_id,
							 self->props.slot,
							 csv_file);
			g_info ("%s: %s", self->name, no_reader_why);
		}
	} else if (regex_key != NULL) {
		self->pattern = g_steal_pointer (&regex);
	} else {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_MISSING,
			     "key 'reader-regex' or 'csv-file': missing, expected the readers "
			     "of this group (a POSIX extended regex, or osmo-remsim's "
			     "bankd_pcsc_slots.csv)");
		return FALSE;
	}

	self->slot = remsim_pcsc_slot_new (self->name,
					   self->pattern,
					   self->match_index,
					   no_reader_why,
					   !shared,
					   protocols,
					   G_OBJECT (self),
					   remsim_pcsc_source_presence_cb,
					   &present,
					   &error_local);
	if (self->slot == NULL) {
		if (g_error_matches (error_local, REMSIM_ERROR, REMSIM_ERROR_INVALID_ARGUMENT))
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "key '%s': %s",
				     regex_key,
				     error_local->message);
		else
			g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	self->present = present;
	g_debug ("%s: reader \"%s\" (match %u), %s, protocols%s%s",
		 self->name,
		 self->pattern != NULL ? self->pattern : "-",
		 self->match_index + 1,
		 shared ? "shared" : "exclusive",
		 protocols & SCARD_PROTOCOL_T0 ? " T=0" : "",
		 protocols & SCARD_PROTOCOL_T1 ? " T=1" : "");
	return TRUE;
}

static void
remsim_pcsc_source_initable_iface_init (GInitableIface *iface)
{
	iface->init = remsim_pcsc_source_initable_init;
}

const gchar *
remsim_pcsc_source_get_pattern (RemsimPcscSource *self)
{
	g_return_val_if_fail (REMSIM_IS_PCSC_SOURCE (self), NULL);
	return self->pattern;
}

guint
remsim_pcsc_source_get_match_index (RemsimPcscSource *self)
{
	g_return_val_if_fail (REMSIM_IS_PCSC_SOURCE (self), 0);
	return self->match_index;
}

/* GObject ------------------------------------------------------------------- */

static void
remsim_pcsc_source_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	RemsimPcscSource *self = REMSIM_PCSC_SOURCE (object);

	if (!remsim_plugin_instance_props_get_property (
		&self->props, PROP_INSTANCE, prop_id, value))
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
remsim_pcsc_source_set_property (GObject *object,
				 guint prop_id,
				 const GValue *value,
				 GParamSpec *pspec)
{
	RemsimPcscSource *self = REMSIM_PCSC_SOURCE (object);

	if (!remsim_plugin_instance_props_set_property (
		&self->props, PROP_INSTANCE, prop_id, value))
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
remsim_pcsc_source_dispose (GObject *object)
{
	RemsimPcscSource *self = REMSIM_PCSC_SOURCE (object);

	/* the card goes off and the context is released on a worker */
	g_clear_pointer (&self->slot, remsim_pcsc_slot_close);
	G_OBJECT_CLASS (remsim_pcsc_source_parent_class)->dispose (object);
}

static void
remsim_pcsc_source_finalize (GObject *object)
{
	RemsimPcscSource *self = REMSIM_PCSC_SOURCE (object);

	remsim_plugin_instance_props_clear (&self->props);
	g_clear_pointer (&self->atr, g_bytes_unref);
	g_free (self->name);
	g_free (self->pattern);
	G_OBJECT_CLASS (remsim_pcsc_source_parent_class)->finalize (object);
}

static void
remsim_pcsc_source_class_init (RemsimPcscSourceClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->get_property = remsim_pcsc_source_get_property;
	object_class->set_property = remsim_pcsc_source_set_property;
	object_class->dispose = remsim_pcsc_source_dispose;
	object_class->finalize = remsim_pcsc_source_finalize;

	remsim_plugin_install_instance_properties (object_class, PROP_INSTANCE);
}

static void
remsim_pcsc_source_init (RemsimPcscSource *self)
{
	self->present = TRUE;
}
