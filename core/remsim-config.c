/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "remsim-config.h"

G_DEFINE_QUARK (remsim - config - error - quark, remsim_config_error)

struct _RemsimConfig {
	GObject parent_instance;
	const RemsimConfigKey *schema; /* borrowed, static */
	GPtrArray *plugin_prefixes;    /* of gchar* */
	GKeyFile *keyfile;	       /* the validated file, never NULL */
	gchar *filename;	       /* nullable */
	GHashTable *overrides;	       /* "group\nkey" → literal value */
};

G_DEFINE_FINAL_TYPE (RemsimConfig, remsim_config, G_TYPE_OBJECT)

static void
remsim_config_finalize (GObject *object)
{
	RemsimConfig *self = REMSIM_CONFIG (object);

	g_ptr_array_unref (self->plugin_prefixes);
	g_key_file_unref (self->keyfile);
	g_free (self->filename);
	g_hash_table_unref (self->overrides);

	G_OBJECT_CLASS (remsim_config_parent_class)->finalize (object);
}

static void
remsim_config_class_init (RemsimConfigClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->finalize = remsim_config_finalize;
}

static void
remsim_config_init (RemsimConfig *self)
{
	self->plugin_prefixes = g_ptr_array_new_with_free_func (g_free);
	self->keyfile = g_key_file_new ();
	self->overrides = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* value checks ---------------------------------------------------------- */

static gboolean
remsim_config_is_name (const gchar *s, const gchar *extra)
{
	if (s == NULL || *s == '\0')
		return FALSE;
	for (const gchar *p = s; *p != '\0'; p++) {
		if (!g_ascii_isalnum (*p) && strchr (extra, *p) == NULL)
			return FALSE;
	}
	return TRUE;
}

static gboolean
remsim_config_is_host (const gchar *host)
{
	if (host == NULL || *host == '\0')
		return FALSE;
	for (const gchar *p = host; *p != '\0'; p++) {
		if (g_ascii_isspace (*p) || strchr ("[]/@,;\\\"'", *p) != NULL ||
		    !g_ascii_isprint (*p))
			return FALSE;
	}
	return TRUE;
}

/**
 * remsim_config_parse_hostport:
 * @value: "host:port", "[ipv6]:port", "host" or "[ipv6]"
 * @default_port: the port when @value has none
 * @host: (out) (optional): the host, without brackets
 * @port: (out) (optional): the port
 *
 * Ports are 0..65535 here; callers narrow the range. An IPv6 address
 * without brackets is rejected: "::1:9999" is ambiguous.
 *
 * Returns: %FALSE with a REMSIM_CONFIG_ERROR_INVALID_VALUE error of the form
 *   `expected ..., got "value"`
 * Since: 0.1
 */
gboolean
remsim_config_parse_hostport (
    const gchar *value, guint16 default_port, gchar **host, guint16 *port, GError **error)
{
	g_autofree gchar *h = NULL;
	const gchar *port_str = NULL;
	guint64 p = default_port;

	g_return_val_if_fail (value != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (value[0] == '[') {
		const gchar *end = strchr (value, ']');
		g_autoptr (GInetAddress) addr = NULL;

		if (end == NULL || (end[1] != '\0' && end[1] != ':')) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "expected [IPv6] or [IPv6]:port, got \"%s\"",
				     value);
			return FALSE;
		}
		h = g_strndup (value + 1, end - value - 1);
		addr = g_inet_address_new_from_string (h);
		if (addr == NULL || g_inet_address_get_family (addr) != G_SOCKET_FAMILY_IPV6) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "expected an IPv6 address inside the brackets, got \"%s\"",
				     value);
			return FALSE;
		}
		if (end[1] == ':')
			port_str = end + 2;
	} else {
		const gchar *colon = strchr (value, ':');

		if (colon != NULL && strchr (colon + 1, ':') != NULL) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "expected an IPv6 address in brackets "
				     "([::1] or [::1]:9999), got \"%s\"",
				     value);
			return FALSE;
		}
		if (colon != NULL) {
			h = g_strndup (value, colon - value);
			port_str = colon + 1;
		} else {
			h = g_strdup (value);
		}
		if (!remsim_config_is_host (h)) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "expected a host name or address%s, got \"%s\"",
				     colon != NULL ? " before the port" : "",
				     value);
			return FALSE;
		}
	}
	if (port_str != NULL && !g_ascii_string_to_unsigned (port_str, 10, 0, 65535, &p, NULL)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "expected a port in 0..65535 after the colon, got \"%s\"",
			     value);
		return FALSE;
	}
	if (host != NULL)
		*host = g_steal_pointer (&h);
	if (port != NULL)
		*port = (guint16)p;
	return TRUE;
}

/* split a literal ;-separated list as GKeyFile does (no escapes) */
static gchar **
remsim_config_split_list (const gchar *value)
{
	g_auto (GStrv) parts = g_strsplit (value, ";", -1);
	g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
	guint n = g_strv_length (parts);

	/* a trailing ';' does not make an empty last item, as in GKeyFile */
	if (n > 0 && parts[n - 1][0] == '\0')
		n--;
	for (guint i = 0; i < n; i++)
		g_strv_builder_add (builder, parts[i]);
	return g_strv_builder_end (builder);
}

/* check a literal value against its schema entry; errors are "expected ...,
 * got ..." without any location, callers prefix that */
static gboolean
remsim_config_check_value (const RemsimConfigKey *k, const gchar *value, GError **error)
{
	switch (k->type) {
	case REMSIM_CONFIG_TYPE_STRING:
	case REMSIM_CONFIG_TYPE_STRV:
		return TRUE;
	case REMSIM_CONFIG_TYPE_INT: {
		gint64 v = 0;
		if (!g_ascii_string_to_signed (value, 10, k->min, k->max, &v, NULL)) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "expected an integer in %" G_GINT64_FORMAT
				     "..%" G_GINT64_FORMAT ", got \"%s\"",
				     k->min,
				     k->max,
				     value);
			return FALSE;
		}
		return TRUE;
	}
	case REMSIM_CONFIG_TYPE_BOOLEAN:
		if (g_strcmp0 (value, "true") != 0 && g_strcmp0 (value, "false") != 0) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "expected true or false, got \"%s\"",
				     value);
			return FALSE;
		}
		return TRUE;
	case REMSIM_CONFIG_TYPE_HOSTPORT: {
		guint16 port = 0;
		guint16 default_port = (guint16)CLAMP (k->max, 0, 65535);
		gint64 min_port = MAX (k->min, 0);
		if (!remsim_config_parse_hostport (value, default_port, NULL, &port, error))
			return FALSE;
		if (port < min_port) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "expected a port in %" G_GINT64_FORMAT "..65535, got \"%s\"",
				     min_port,
				     value);
			return FALSE;
		}
		return TRUE;
	}
	case REMSIM_CONFIG_TYPE_ENUM: {
		g_auto (GStrv) choices =
		    remsim_config_split_list (k->choices != NULL ? k->choices : "");
		g_autofree gchar *list = NULL;
		if (g_strv_contains ((const gchar *const *)choices, value))
			return TRUE;
		list = g_strjoinv (", ", choices);
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "expected one of %s, got \"%s\"",
			     list,
			     value);
		return FALSE;
	}
	default:
		break;
	}
	g_set_error (error,
		     REMSIM_CONFIG_ERROR,
		     REMSIM_CONFIG_ERROR_INVALID_VALUE,
		     "unsupported key type %d",
		     (gint)k->type);
	return FALSE;
}

/* schema ---------------------------------------------------------------- */

static const RemsimConfigKey *
remsim_config_lookup (const RemsimConfigKey *schema, const gchar *group, const gchar *key)
{
	for (const RemsimConfigKey *k = schema; k != NULL && k->group != NULL; k++) {
		if (g_strcmp0 (k->group, group) == 0 && g_strcmp0 (k->key, key) == 0)
			return k;
	}
	return NULL;
}

static gboolean
remsim_config_is_schema_group (const RemsimConfigKey *schema, const gchar *group)
{
	for (const RemsimConfigKey *k = schema; k != NULL && k->group != NULL; k++) {
		if (g_strcmp0 (k->group, group) == 0)
			return TRUE;
	}
	return FALSE;
}

/* "key1, key2" of @group */
static gchar *
remsim_config_schema_keys (const RemsimConfigKey *schema, const gchar *group)
{
	g_autoptr (GString) s = g_string_new (NULL);

	for (const RemsimConfigKey *k = schema; k != NULL && k->group != NULL; k++) {
		if (g_strcmp0 (k->group, group) != 0)
			continue;
		if (s->len > 0)
			g_string_append (s, ", ");
		g_string_append (s, k->key);
	}
	return g_string_free (g_steal_pointer (&s), FALSE);
}

/* "[bankd], [source:<label>]" */
static gchar *
remsim_config_expected_groups (RemsimConfig *self)
{
	g_autoptr (GString) s = g_string_new (NULL);
	g_autoptr (GPtrArray) seen = g_ptr_array_new ();

	for (const RemsimConfigKey *k = self->schema; k != NULL && k->group != NULL; k++) {
		if (g_ptr_array_find_with_equal_func (seen, k->group, g_str_equal, NULL))
			continue;
		g_ptr_array_add (seen, (gpointer)k->group);
		g_string_append_printf (s, "%s[%s]", s->len > 0 ? ", " : "", k->group);
	}
	for (guint i = 0; i < self->plugin_prefixes->len; i++) {
		const gchar *prefix = g_ptr_array_index (self->plugin_prefixes, i);
		g_string_append_printf (s, "%s[%s:<label>]", s->len > 0 ? ", " : "", prefix);
	}
	if (s->len == 0)
		g_string_append (s, "no groups");
	return g_string_free (g_steal_pointer (&s), FALSE);
}

/* the prefix of a plugin group name, or NULL */
static const gchar *
remsim_config_plugin_prefix (RemsimConfig *self, const gchar *group)
{
	for (guint i = 0; i < self->plugin_prefixes->len; i++) {
		const gchar *prefix = g_ptr_array_index (self->plugin_prefixes, i);
		gsize len = strlen (prefix);
		if (strncmp (group, prefix, len) == 0 && group[len] == ':')
			return prefix;
	}
	return NULL;
}

static gchar *
remsim_config_override_key (const gchar *group, const gchar *key)
{
	return g_strdup_printf ("%s\n%s", group, key);
}

/**
 * remsim_config_new:
 * @schema: (array zero-terminated=1): the keys of the program, ending with a
 *   %NULL group; must outlive the object (normally a static array)
 *
 * Schema defaults are checked here: a default that does not satisfy its own
 * entry is a programming error (g_critical).
 *
 * Returns: (transfer full): an empty config
 * Since: 0.1
 */
RemsimConfig *
remsim_config_new (const RemsimConfigKey *schema)
{
	RemsimConfig *self;

	g_return_val_if_fail (schema != NULL, NULL);

	self = g_object_new (REMSIM_TYPE_CONFIG, NULL);
	self->schema = schema;
	for (const RemsimConfigKey *k = schema; k->group != NULL; k++) {
		g_autoptr (GError) error = NULL;
		if (k->key == NULL) {
			g_critical ("config schema: [%s] entry without a key", k->group);
			continue;
		}
		if (k->default_value != NULL &&
		    !remsim_config_check_value (k, k->default_value, &error))
			g_critical ("config schema: [%s] %s: default: %s",
				    k->group,
				    k->key,
				    error->message);
	}
	return self;
}

void
remsim_config_allow_plugin_groups (RemsimConfig *self, const gchar *prefix)
{
	g_return_if_fail (REMSIM_IS_CONFIG (self));
	g_return_if_fail (prefix != NULL && *prefix != '\0');

	if (g_ptr_array_find_with_equal_func (self->plugin_prefixes, prefix, g_str_equal, NULL))
		return;
	g_ptr_array_add (self->plugin_prefixes, g_strdup (prefix));
}

/* loading --------------------------------------------------------------- */

static gboolean
remsim_config_validate_plugin_group (RemsimConfig *self,
				     GKeyFile *kf,
				     const gchar *where,
				     const gchar *group,
				     const gchar *prefix,
				     GError **error)
{
	const gchar *label = group + strlen (prefix) + 1;
	g_autofree gchar *plugin = NULL;

	if (!remsim_config_is_name (label, "-_.")) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_UNKNOWN_GROUP,
			     "%s: [%s]: expected [%s:<label>] with a label of letters, digits, "
			     "'-', '_' or '.', got \"%s\"",
			     where,
			     group,
			     prefix,
			     label);
		return FALSE;
	}
	if (!g_key_file_has_key (kf, group, "plugin", NULL)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_MISSING,
			     "%s: [%s] plugin: missing, expected the name of a %s plugin",
			     where,
			     group,
			     prefix);
		return FALSE;
	}
	plugin = g_key_file_get_value (kf, group, "plugin", NULL);
	if (!remsim_config_is_name (plugin, "-_")) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "%s: [%s] plugin: expected a plugin name of letters, digits, '-' or "
			     "'_', got \"%s\"",
			     where,
			     group,
			     plugin != NULL ? plugin : "");
		return FALSE;
	}
	return TRUE;
}

static gboolean
remsim_config_validate_key (RemsimConfig *self,
			    GKeyFile *kf,
			    const gchar *where,
			    const gchar *group,
			    const gchar *key,
			    GError **error)
{
	const RemsimConfigKey *k = remsim_config_lookup (self->schema, group, key);
	g_autoptr (GError) error_local = NULL;
	g_autofree gchar *value = NULL;

	if (k == NULL) {
		g_autofree gchar *keys = remsim_config_schema_keys (self->schema, group);
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_UNKNOWN_KEY,
			     "%s: [%s] %s: unknown key, expected one of %s",
			     where,
			     group,
			     key,
			     keys);
		return FALSE;
	}
	if (k->type == REMSIM_CONFIG_TYPE_STRV) {
		g_auto (GStrv) list =
		    g_key_file_get_string_list (kf, group, key, NULL, &error_local);
		if (error_local != NULL) {
			g_autofree gchar *raw = g_key_file_get_value (kf, group, key, NULL);
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "%s: [%s] %s: expected a ;-separated list, got \"%s\"",
				     where,
				     group,
				     key,
				     raw != NULL ? raw : "");
			return FALSE;
		}
		return TRUE;
	}
	value = g_key_file_get_string (kf, group, key, &error_local);
	if (error_local != NULL) {
		g_autofree gchar *raw = g_key_file_get_value (kf, group, key, NULL);
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "%s: [%s] %s: expected a value with valid escapes "
			     "(\\s \\n \\t \\r \\\\), got \"%s\"",
			     where,
			     group,
			     key,
			     raw != NULL ? raw : "");
		return FALSE;
	}
	if (!remsim_config_check_value (k, value, &error_local)) {
		g_set_error (error,
			     error_local->domain,
			     error_local->code,
			     "%s: [%s] %s: %s",
			     where,
			     group,
			     key,
			     error_local->message);
		return FALSE;
	}
	return TRUE;
}

static gboolean
remsim_config_validate (RemsimConfig *self, GKeyFile *kf, const gchar *where, GError **error)
{
	g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);

	for (guint i = 0; groups[i] != NULL; i++) {
		const gchar *group = groups[i];
		const gchar *prefix = remsim_config_plugin_prefix (self, group);
		g_auto (GStrv) keys = NULL;

		if (prefix != NULL) {
			if (!remsim_config_validate_plugin_group (
				self, kf, where, group, prefix, error))
				return FALSE;
			continue;
		}
		if (!remsim_config_is_schema_group (self->schema, group)) {
			g_autofree gchar *expected = remsim_config_expected_groups (self);
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_UNKNOWN_GROUP,
				     "%s: [%s]: unknown group, expected %s",
				     where,
				     group,
				     expected);
			return FALSE;
		}
		keys = g_key_file_get_keys (kf, group, NULL, NULL);
		for (guint j = 0; keys != NULL && keys[j] != NULL; j++) {
			if (!remsim_config_validate_key (self, kf, where, group, keys[j], error))
				return FALSE;
		}
	}
	return TRUE;
}

static gboolean
remsim_config_load_keyfile (RemsimConfig *self, GKeyFile *kf, const gchar *filename, GError **error)
{
	if (!remsim_config_validate (self, kf, filename != NULL ? filename : "<data>", error))
		return FALSE;
	g_key_file_unref (self->keyfile);
	self->keyfile = g_key_file_ref (kf);
	g_free (self->filename);
	self->filename = g_strdup (filename);
	return TRUE;
}

/**
 * remsim_config_load_file:
 * @path: the keyfile
 *
 * Reads and validates @path; on any error the config is unchanged.
 *
 * Returns: %FALSE with a REMSIM_CONFIG_ERROR naming file, group, key and
 *   what was expected
 * Since: 0.1
 */
gboolean
remsim_config_load_file (RemsimConfig *self, const gchar *path, GError **error)
{
	g_autoptr (GKeyFile) kf = g_key_file_new ();
	g_autoptr (GError) error_local = NULL;

	g_return_val_if_fail (REMSIM_IS_CONFIG (self), FALSE);
	g_return_val_if_fail (path != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_KEEP_TRANSLATIONS, &error_local)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_FILE,
			     "%s: %s",
			     path,
			     error_local->message);
		return FALSE;
	}
	return remsim_config_load_keyfile (self, kf, path, error);
}

/**
 * remsim_config_load_data:
 * @data: keyfile text
 * @len: length of @data, or -1 if NUL-terminated
 *
 * As remsim_config_load_file(); errors name the file "<data>".
 *
 * Since: 0.1
 */
gboolean
remsim_config_load_data (RemsimConfig *self, const gchar *data, gsize len, GError **error)
{
	g_autoptr (GKeyFile) kf = g_key_file_new ();
	g_autoptr (GError) error_local = NULL;

	g_return_val_if_fail (REMSIM_IS_CONFIG (self), FALSE);
	g_return_val_if_fail (data != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (!g_key_file_load_from_data (
		kf, data, len, G_KEY_FILE_KEEP_TRANSLATIONS, &error_local)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_FILE,
			     "<data>: %s",
			     error_local->message);
		return FALSE;
	}
	return remsim_config_load_keyfile (self, kf, NULL, error);
}

/**
 * remsim_config_set_override:
 * @group: a schema group
 * @key: a schema key
 * @value: the literal value (no keyfile escapes; lists ;-separated)
 * @origin: (nullable): the option, for errors ("--bank-id")
 *
 * Returns: %FALSE with an error `<origin>: expected ..., got "..."` (or
 *   `[group] key: ...` without @origin); the previous value then stays
 * Since: 0.1
 */
gboolean
remsim_config_set_override (RemsimConfig *self,
			    const gchar *group,
			    const gchar *key,
			    const gchar *value,
			    const gchar *origin,
			    GError **error)
{
	const RemsimConfigKey *k;
	g_autoptr (GError) error_local = NULL;
	g_autofree gchar *where = NULL;

	g_return_val_if_fail (REMSIM_IS_CONFIG (self), FALSE);
	g_return_val_if_fail (group != NULL, FALSE);
	g_return_val_if_fail (key != NULL, FALSE);
	g_return_val_if_fail (value != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	where = origin != NULL ? g_strdup (origin) : g_strdup_printf ("[%s] %s", group, key);
	k = remsim_config_lookup (self->schema, group, key);
	if (k == NULL) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_UNKNOWN_KEY,
			     "%s: unknown key [%s] %s",
			     where,
			     group,
			     key);
		return FALSE;
	}
	if (!remsim_config_check_value (k, value, &error_local)) {
		g_set_error (error,
			     error_local->domain,
			     error_local->code,
			     "%s: %s",
			     where,
			     error_local->message);
		return FALSE;
	}
	g_hash_table_replace (
	    self->overrides, remsim_config_override_key (group, key), g_strdup (value));
	return TRUE;
}

/* getters --------------------------------------------------------------- */

/* the schema entry, or a g_critical (not in the schema, or not of @type;
 * @type -1: any) */
static const RemsimConfigKey *
remsim_config_get_entry (RemsimConfig *self, const gchar *group, const gchar *key, gint type)
{
	const RemsimConfigKey *k = remsim_config_lookup (self->schema, group, key);

	if (k == NULL) {
		g_critical ("config: [%s] %s is not in the schema", group, key);
		return NULL;
	}
	if (type >= 0 && (gint)k->type != type) {
		g_critical ("config: [%s] %s has another type (%d, asked for %d)",
			    group,
			    key,
			    (gint)k->type,
			    type);
		return NULL;
	}
	return k;
}

/* the literal value (override, file, default) or NULL; for STRV the file
 * value is the raw ;-separated text */
static gchar *
remsim_config_get_literal (RemsimConfig *self, const RemsimConfigKey *k)
{
	g_autofree gchar *okey = remsim_config_override_key (k->group, k->key);
	const gchar *over = g_hash_table_lookup (self->overrides, okey);

	if (over != NULL)
		return g_strdup (over);
	if (g_key_file_has_key (self->keyfile, k->group, k->key, NULL))
		return g_key_file_get_string (self->keyfile, k->group, k->key, NULL);
	return g_strdup (k->default_value);
}

/**
 * remsim_config_get_string:
 *
 * Any key as text (keyfile escapes resolved); %NULL if it has no value and
 * no default.
 *
 * Returns: (transfer full) (nullable):
 * Since: 0.1
 */
gchar *
remsim_config_get_string (RemsimConfig *self, const gchar *group, const gchar *key)
{
	const RemsimConfigKey *k;

	g_return_val_if_fail (REMSIM_IS_CONFIG (self), NULL);

	k = remsim_config_get_entry (self, group, key, -1);
	if (k == NULL)
		return NULL;
	return remsim_config_get_literal (self, k);
}

gint64
remsim_config_get_int (RemsimConfig *self, const gchar *group, const gchar *key)
{
	const RemsimConfigKey *k;
	g_autofree gchar *value = NULL;
	gint64 v = 0;

	g_return_val_if_fail (REMSIM_IS_CONFIG (self), 0);

	k = remsim_config_get_entry (self, group, key, REMSIM_CONFIG_TYPE_INT);
	if (k == NULL)
		return 0;
	value = remsim_config_get_literal (self, k);
	if (value == NULL || !g_ascii_string_to_signed (value, 10, k->min, k->max, &v, NULL))
		return 0;
	return v;
}

gboolean
remsim_config_get_boolean (RemsimConfig *self, const gchar *group, const gchar *key)
{
	const RemsimConfigKey *k;
	g_autofree gchar *value = NULL;

	g_return_val_if_fail (REMSIM_IS_CONFIG (self), FALSE);

	k = remsim_config_get_entry (self, group, key, REMSIM_CONFIG_TYPE_BOOLEAN);
	if (k == NULL)
		return FALSE;
	value = remsim_config_get_literal (self, k);
	return g_strcmp0 (value, "true") == 0;
}

/**
 * remsim_config_get_strv:
 *
 * Returns: (transfer full): the list; empty (never %NULL) when unset and
 *   without default, or for a key not in the schema
 * Since: 0.1
 */
gchar **
remsim_config_get_strv (RemsimConfig *self, const gchar *group, const gchar *key)
{
	const RemsimConfigKey *k;
	g_autofree gchar *okey = NULL;
	const gchar *over;

	g_return_val_if_fail (REMSIM_IS_CONFIG (self), NULL);

	k = remsim_config_get_entry (self, group, key, REMSIM_CONFIG_TYPE_STRV);
	if (k == NULL)
		return g_new0 (gchar *, 1);
	okey = remsim_config_override_key (group, key);
	over = g_hash_table_lookup (self->overrides, okey);
	if (over != NULL)
		return remsim_config_split_list (over);
	if (g_key_file_has_key (self->keyfile, group, key, NULL)) {
		gchar **list = g_key_file_get_string_list (self->keyfile, group, key, NULL, NULL);
		return list != NULL ? list : g_new0 (gchar *, 1);
	}
	if (k->default_value != NULL)
		return remsim_config_split_list (k->default_value);
	return g_new0 (gchar *, 1);
}

/**
 * remsim_config_get_hostport:
 * @host: (out) (optional): the host without brackets, %NULL when unset
 * @port: (out) (optional): the port (the schema's default port when the
 *   value has none)
 *
 * Returns: %TRUE if the key has a value (or a default)
 * Since: 0.1
 */
gboolean
remsim_config_get_hostport (
    RemsimConfig *self, const gchar *group, const gchar *key, gchar **host, guint16 *port)
{
	const RemsimConfigKey *k;
	g_autofree gchar *value = NULL;

	if (host != NULL)
		*host = NULL;
	if (port != NULL)
		*port = 0;
	g_return_val_if_fail (REMSIM_IS_CONFIG (self), FALSE);

	k = remsim_config_get_entry (self, group, key, REMSIM_CONFIG_TYPE_HOSTPORT);
	if (k == NULL)
		return FALSE;
	value = remsim_config_get_literal (self, k);
	if (value == NULL)
		return FALSE;
	return remsim_config_parse_hostport (
	    value, (guint16)CLAMP (k->max, 0, 65535), host, port, NULL);
}

/**
 * remsim_config_has_value:
 *
 * Returns: %TRUE if the key is set by an override or in the file (schema
 *   defaults do not count)
 * Since: 0.1
 */
gboolean
remsim_config_has_value (RemsimConfig *self, const gchar *group, const gchar *key)
{
	g_autofree gchar *okey = NULL;

	g_return_val_if_fail (REMSIM_IS_CONFIG (self), FALSE);

	if (remsim_config_get_entry (self, group, key, -1) == NULL)
		return FALSE;
	okey = remsim_config_override_key (group, key);
	if (g_hash_table_contains (self->overrides, okey))
		return TRUE;
	return g_key_file_has_key (self->keyfile, group, key, NULL);
}

/**
 * remsim_config_get_plugin_groups:
 * @prefix: e.g. "source"
 *
 * Returns: (transfer full): the groups "<prefix>:<label>" in file order
 * Since: 0.1
 */
gchar **
remsim_config_get_plugin_groups (RemsimConfig *self, const gchar *prefix)
{
	g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
	g_auto (GStrv) groups = NULL;
	gsize len;

	g_return_val_if_fail (REMSIM_IS_CONFIG (self), NULL);
	g_return_val_if_fail (prefix != NULL, NULL);

	len = strlen (prefix);
	groups = g_key_file_get_groups (self->keyfile, NULL);
	for (guint i = 0; groups[i] != NULL; i++) {
		if (strncmp (groups[i], prefix, len) == 0 && groups[i][len] == ':')
			g_strv_builder_add (builder, groups[i]);
	}
	return g_strv_builder_end (builder);
}

GKeyFile *
remsim_config_get_keyfile (RemsimConfig *self)
{
	g_return_val_if_fail (REMSIM_IS_CONFIG (self), NULL);
	return self->keyfile;
}

const gchar *
remsim_config_get_filename (RemsimConfig *self)
{
	g_return_val_if_fail (REMSIM_IS_CONFIG (self), NULL);
	return self->filename;
}
