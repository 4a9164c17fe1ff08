/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The settings of one reader of the ifd driver, from its reader.conf
 * DEVICENAME and an optional keyfile (docs/plugins/ifd.md):
 *
 *   DEVICENAME  [CLIENT_ID[:CLIENT_SLOT[:SERVER_HOST[:SERVER_PORT[:KEYFILE]]]]]
 *   DEVICENAME  /absolute/path/to/keyfile
 *
 * Empty or missing fields take the keyfile's value, else the default (as
 * osmo-remsim's driver: 0, 0, 127.0.0.1, 9998). Without a KEYFILE field the
 * keyfile named by $REMSIM_IFD_CONFIG is read, if that is set.
 */

#define REMSIM_IFD_CONFIG_GROUP	    "ifd"
#define REMSIM_IFD_CONFIG_ENV	    "REMSIM_IFD_CONFIG"
#define REMSIM_IFD_CONFIG_MAX_SLOTS 16
#define REMSIM_IFD_CONFIG_ATR_MAX   33

typedef struct {
	gchar *server_host;
	guint16 server_port;
	guint32 client_id;
	guint32 client_slot; /* of the reader's first slot */
	guint n_slots;	     /* TAG_IFD_SLOTS_NUMBER */
	guint transmit_timeout_ms;
	guint reset_timeout_ms;
	GBytes *atr; /* presented until the bankd sends one */
	gboolean atr_ignore_rspro;
	gchar *event_script; /* NULL: none */
	guint event_script_timeout_ms;
	gchar *component_name; /* NULL: the host name */
	guint keepalive_interval_ms;
	guint keepalive_timeout_ms;
	gboolean debug;
	gchar *keyfile; /* the file read, or NULL */
} RemsimIfdConfig;

/**
 * remsim_ifd_config_parse:
 * @devicename: (nullable): the DEVICENAME of reader.conf (NULL or "": all
 *   defaults)
 * @env_keyfile: (nullable): the value of $REMSIM_IFD_CONFIG
 *
 * Returns: (transfer full): the settings, or %NULL with @error naming the
 *   field, file, group or key that is wrong
 */
RemsimIfdConfig *remsim_ifd_config_parse (const gchar *devicename,
					  const gchar *env_keyfile,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;
void remsim_ifd_config_free (RemsimIfdConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimIfdConfig, remsim_ifd_config_free)

G_END_DECLS
