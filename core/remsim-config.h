/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define REMSIM_CONFIG_ERROR (remsim_config_error_quark ())

typedef enum {
	REMSIM_CONFIG_ERROR_FILE,	   /* cannot read or parse the file */
	REMSIM_CONFIG_ERROR_UNKNOWN_GROUP,
	REMSIM_CONFIG_ERROR_UNKNOWN_KEY,
	REMSIM_CONFIG_ERROR_INVALID_VALUE, /* wrong type or out of range */
	REMSIM_CONFIG_ERROR_MISSING,	   /* a required key is absent */
} RemsimConfigError;

GQuark
remsim_config_error_quark (void);

typedef enum {
	REMSIM_CONFIG_TYPE_STRING,
	REMSIM_CONFIG_TYPE_INT,	     /* decimal, within [min, max] */
	REMSIM_CONFIG_TYPE_BOOLEAN,  /* true/false */
	REMSIM_CONFIG_TYPE_HOSTPORT, /* "host:port", "[v6]:port" or "host" (port = max field as default) */
	REMSIM_CONFIG_TYPE_STRV,     /* ;-separated list */
	REMSIM_CONFIG_TYPE_ENUM,     /* one of the ;-separated words in @choices */
} RemsimConfigType;

/**
 * RemsimConfigKey:
 * One entry of a program's schema; the array ends with a NULL @group.
 * For HOSTPORT, @max is the default port when the value has none.
 */
typedef struct {
	const gchar *group;
	const gchar *key;
	RemsimConfigType type;
	gint64 min;
	gint64 max;
	const gchar *default_value; /* as it would appear in the file; NULL: no default */
	const gchar *choices;	    /* ENUM only */
	const gchar *description;   /* one line, for --help and docs */
} RemsimConfigKey;

/*
 * RemsimConfig: a GKeyFile checked against a schema. Fixed groups come from
 * the schema; groups named "<prefix>:<label>" for each prefix given to
 * remsim_config_allow_plugin_groups() (e.g. "source", "sink") are plugin
 * instance groups: they must have a "plugin" key and their other keys are
 * left to the plugin to check. Everything else is an error naming file,
 * group, key and what was expected.
 */
#define REMSIM_TYPE_CONFIG (remsim_config_get_type ())
G_DECLARE_FINAL_TYPE (RemsimConfig, remsim_config, REMSIM, CONFIG, GObject)

RemsimConfig *
remsim_config_new (const RemsimConfigKey *schema);
void
remsim_config_allow_plugin_groups (RemsimConfig *self, const gchar *prefix);
/* load and validate; on error nothing is changed */
gboolean
remsim_config_load_file (RemsimConfig *self, const gchar *path, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
remsim_config_load_data (RemsimConfig *self, const gchar *data, gsize len, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* a command-line value; validated like a file value; @origin names the option
 * in errors (e.g. "--bank-id") */
gboolean
remsim_config_set_override (RemsimConfig *self,
			    const gchar *group,
			    const gchar *key,
			    const gchar *value,
			    const gchar *origin,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* getters return the override, else the file value, else the schema default;
 * asking for a key that is not in the schema is a programming error */
gchar *
remsim_config_get_string (RemsimConfig *self, const gchar *group, const gchar *key);
gint64
remsim_config_get_int (RemsimConfig *self, const gchar *group, const gchar *key);
gboolean
remsim_config_get_boolean (RemsimConfig *self, const gchar *group, const gchar *key);
gchar **
remsim_config_get_strv (RemsimConfig *self, const gchar *group, const gchar *key);
/* HOSTPORT: host (without brackets) and port */
gboolean
remsim_config_get_hostport (RemsimConfig *self,
			    const gchar *group,
			    const gchar *key,
			    gchar **host,
			    guint16 *port);
gboolean
remsim_config_has_value (RemsimConfig *self, const gchar *group, const gchar *key);
/* plugin instance groups with this prefix, in file order ("source:readers", ...) */
gchar **
remsim_config_get_plugin_groups (RemsimConfig *self, const gchar *prefix);
/* the loaded file (never NULL; empty before loading) */
GKeyFile *
remsim_config_get_keyfile (RemsimConfig *self);
/* the file name for error messages, or NULL */
const gchar *
remsim_config_get_filename (RemsimConfig *self);
/* parse "host:port" / "[v6]:port" / "host"; used for option values too */
gboolean
remsim_config_parse_hostport (const gchar *value,
			      guint16 default_port,
			      gchar **host,
			      guint16 *port,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
