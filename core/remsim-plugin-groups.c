/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-config.h"
#include "remsim-plugin-groups.h"

static gboolean
remsim_parse_slot_nr (const gchar *s, guint num_slots, guint *out, GError **error)
{
	guint64 v = 0;
	g_autofree gchar *str = g_strstrip (g_strdup (s));

	if (!g_ascii_string_to_unsigned (str, 10, 0, G_MAXUINT32, &v, NULL)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "expected slot numbers and ranges like 0-7;9, got \"%s\"",
			     s);
		return FALSE;
	}
	if (v >= num_slots) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "expected slot numbers in 0..%u (num-slots is %u), got %s",
			     num_slots - 1,
			     num_slots,
			     str);
		return FALSE;
	}
	*out = (guint)v;
	return TRUE;
}

GArray *
remsim_parse_slot_list (const gchar *value, guint num_slots, GError **error)
{
	g_autoptr (GArray) slots = g_array_new (FALSE, FALSE, sizeof (guint));
	g_auto (GStrv) parts = NULL;

	g_return_val_if_fail (value != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	parts = g_strsplit (value, ";", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		g_auto (GStrv) ends = NULL;
		guint first;
		guint last;

		if (g_strstrip (parts[i])[0] == '\0')
			continue;
		ends = g_strsplit (parts[i], "-", 3);
		if (g_strv_length (ends) > 2) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "expected slot numbers and ranges like 0-7;9, got \"%s\"",
				     parts[i]);
			return NULL;
		}
		if (!remsim_parse_slot_nr (ends[0], num_slots, &first, error))
			return NULL;
		last = first;
		if (ends[1] != NULL && !remsim_parse_slot_nr (ends[1], num_slots, &last, error))
			return NULL;
		if (last < first) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "expected a range low-high, got \"%s\"",
				     parts[i]);
			return NULL;
		}
		for (guint s = first; s <= last; s++)
			g_array_append_val (slots, s);
	}
	if (slots->len == 0) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "expected slot numbers and ranges like 0-7;9, got \"%s\"",
			     value);
		return NULL;
	}
	return g_steal_pointer (&slots);
}

gboolean
remsim_plugin_groups_foreach_slot (GKeyFile *keyfile,
				   RemsimPlugins *plugins,
				   const gchar *filename,
				   const RemsimPluginGroupKind *kind,
				   RemsimPluginGroupSlotFunc func,
				   gpointer user_data,
				   GError **error)
{
	g_auto (GStrv) groups = NULL;
	const gchar *where = filename != NULL ? filename : "<config>";

	g_return_val_if_fail (keyfile != NULL, FALSE);
	g_return_val_if_fail (REMSIM_IS_PLUGINS (plugins), FALSE);
	g_return_val_if_fail (kind != NULL && func != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	groups = g_key_file_get_groups (keyfile, NULL);
	for (guint g = 0; groups[g] != NULL; g++) {
		const gchar *group = groups[g];
		g_autofree gchar *value = NULL;
		g_autofree gchar *plugin_name = NULL;
		g_autoptr (GArray) slots = NULL;
		g_autoptr (GError) error_local = NULL;

		if (!g_str_has_prefix (group, kind->prefix))
			continue;
		plugin_name = g_key_file_get_value (keyfile, group, "plugin", NULL);
		if (plugin_name == NULL) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_MISSING,
				     "%s: [%s] plugin: missing, expected the name of a %s plugin",
				     where,
				     group,
				     kind->plugin_kind);
			return FALSE;
		}
		if (remsim_plugins_load (plugins, g_strstrip (plugin_name), &error_local) == NULL) {
			g_set_error (error,
				     error_local->domain,
				     error_local->code,
				     "%s: [%s] plugin: %s",
				     where,
				     group,
				     error_local->message);
			return FALSE;
		}
		value = g_key_file_get_value (keyfile, group, "slots", NULL);
		if (value == NULL) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_MISSING,
				     "%s: [%s] slots: missing, expected %s",
				     where,
				     group,
				     kind->slots_hint);
			return FALSE;
		}
		slots = remsim_parse_slot_list (value, kind->num_slots, &error_local);
		if (slots == NULL) {
			g_set_error (error,
				     error_local->domain,
				     error_local->code,
				     "%s: [%s] slots: %s",
				     where,
				     group,
				     error_local->message);
			return FALSE;
		}
		for (guint i = 0; i < slots->len; i++) {
			if (!func (where, group, g_array_index (slots, guint, i), user_data, error))
				return FALSE;
		}
	}
	return TRUE;
}
