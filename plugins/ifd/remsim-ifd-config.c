/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ifd driver's settings: reader.conf's DEVICENAME, read the way
 * osmo-remsim's driver reads it, plus a keyfile for everything else
 * (docs/plugins/ifd.md).
 */
#include "config.h"

#include <string.h>

#include "remsim-config.h"
#include "remsim-ifd-config.h"

#define G REMSIM_IFD_CONFIG_GROUP

static const RemsimConfigKey remsim_ifd_config_schema[] = {
    {G, "server", REMSIM_CONFIG_TYPE_HOSTPORT, 1, 9998, "127.0.0.1:9998", NULL, "remsim-server"},
    {G, "client-id", REMSIM_CONFIG_TYPE_INT, 0, 1023, "0", NULL, "RSPRO ClientId"},
    {G,
     "client-slot",
     REMSIM_CONFIG_TYPE_INT,
     0,
     1023,
     "0",
     NULL,
     "client slot of the reader's first slot"},
    {G,
     "slots",
     REMSIM_CONFIG_TYPE_INT,
     1,
     REMSIM_IFD_CONFIG_MAX_SLOTS,
     "1",
     NULL,
     "slots of the reader (client slots client-slot, client-slot+1, ...)"},
    {G,
     "transmit-timeout-ms",
     REMSIM_CONFIG_TYPE_INT,
     1,
     600000,
     "10000",
     NULL,
     "longest wait for a response before IFDHTransmitToICC fails"},
    {G,
     "reset-timeout-ms",
     REMSIM_CONFIG_TYPE_INT,
     0,
     60000,
     "2000",
     NULL,
     "longest wait for the bankd's ATR after a reset"},
    {G, "atr", REMSIM_CONFIG_TYPE_STRING, 0, 0, "3b 00", NULL, "ATR until the bankd sends one"},
    {G,
     "atr-ignore-rspro",
     REMSIM_CONFIG_TYPE_BOOLEAN,
     0,
     0,
     "false",
     NULL,
     "never use the bankd's ATR"},
    {G, "event-script", REMSIM_CONFIG_TYPE_STRING, 0, 0, NULL, NULL, "event script"},
    {G,
     "event-script-timeout-ms",
     REMSIM_CONFIG_TYPE_INT,
     0,
     3600000,
     "30000",
     NULL,
     "kill an event script after this long (0: never)"},
    {G, "component-name", REMSIM_CONFIG_TYPE_STRING, 0, 0, NULL, NULL, "identity name"},
    {G,
     "keepalive-interval-ms",
     REMSIM_CONFIG_TYPE_INT,
     0,
     3600000,
     "30000",
     NULL,
     "IPA PING interval (0: off)"},
    {G,
     "keepalive-timeout-ms",
     REMSIM_CONFIG_TYPE_INT,
     1,
     3600000,
     "10000",
     NULL,
     "how long to wait for the PONG"},
    {G, "debug", REMSIM_CONFIG_TYPE_BOOLEAN, 0, 0, "false", NULL, "log debug messages"},
    {NULL, NULL, 0, 0, 0, NULL, NULL, NULL},
};

#undef G

void
remsim_ifd_config_free (RemsimIfdConfig *config)
{
	if (config == NULL)
		return;
	g_free (config->server_host);
	g_clear_pointer (&config->atr, g_bytes_unref);
	g_free (config->event_script);
	g_free (config->component_name);
	g_free (config->keyfile);
	g_free (config);
}

/* hex digits, blanks and ':' between bytes ignored; 2..33 bytes */
static GBytes *
remsim_ifd_config_parse_atr (const gchar *text, GError **error)
{
	g_autoptr (GByteArray) buf = g_byte_array_new ();
	gint high = -1;

	for (const gchar *p = text; *p != '\0'; p++) {
		gint v;

		if (*p == ' ' || *p == ':' || *p == '\t')
			continue;
		v = g_ascii_xdigit_value (*p);
		if (v < 0) {
			high = -2;
			break;
		}
		if (high < 0) {
			high = v;
		} else {
			guint8 b = (guint8)((high << 4) | v);

			g_byte_array_append (buf, &b, 1);
			high = -1;
		}
	}
	if (high != -1 || buf->len < 2 || buf->len > REMSIM_IFD_CONFIG_ATR_MAX) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "[" REMSIM_IFD_CONFIG_GROUP "] atr: expected an ATR of 2 to %u bytes "
			     "in hex, got \"%s\"",
			     REMSIM_IFD_CONFIG_ATR_MAX,
			     text);
		return NULL;
	}
	return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

/* one DEVICENAME field as a decimal number within [min, max] */
static gboolean
remsim_ifd_config_field_number (
    const gchar *field, const gchar *what, guint64 min, guint64 max, GError **error)
{
	guint64 value = 0;
	g_autoptr (GError) error_local = NULL;

	if (!g_ascii_string_to_unsigned (field, 10, min, max, &value, &error_local)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "DEVICENAME: %s: expected a number in %" G_GUINT64_FORMAT
			     "..%" G_GUINT64_FORMAT ", got \"%s\"",
			     what,
			     min,
			     max,
			     field);
		return FALSE;
	}
	return TRUE;
}

RemsimIfdConfig *
remsim_ifd_config_parse (const gchar *devicename, const gchar *env_keyfile, GError **error)
{
	g_autoptr (RemsimConfig) config = remsim_config_new (remsim_ifd_config_schema);
	g_autoptr (RemsimIfdConfig) self = g_new0 (RemsimIfdConfig, 1);
	g_auto (GStrv) fields = NULL;
	g_autofree gchar *atr = NULL;
	g_autofree gchar *host = NULL;
	const gchar *keyfile = NULL;
	const gchar *f_id = NULL;
	const gchar *f_slot = NULL;
	const gchar *f_host = NULL;
	const gchar *f_port = NULL;
	guint n_fields;

	if (devicename == NULL)
		devicename = "";
	if (devicename[0] == '/') {
		keyfile = devicename;
	} else if (devicename[0] != '\0') {
		/* as upstream: split at ':' (so no IPv6 literals here); a fifth
		 * field is the keyfile and may contain ':' itself */
		fields = g_strsplit (devicename, ":", 5);
		n_fields = g_strv_length (fields);
		f_id = n_fields > 0 ? fields[0] : NULL;
		f_slot = n_fields > 1 ? fields[1] : NULL;
		f_host = n_fields > 2 ? fields[2] : NULL;
		f_port = n_fields > 3 ? fields[3] : NULL;
		if (n_fields > 4 && fields[4][0] != '\0')
			keyfile = fields[4];
	}
	if (keyfile == NULL && env_keyfile != NULL && env_keyfile[0] != '\0')
		keyfile = env_keyfile;

	if (keyfile != NULL) {
		if (!remsim_config_load_file (config, keyfile, error))
			return NULL;
		self->keyfile = g_strdup (keyfile);
	}

	/* DEVICENAME fields win over the keyfile */
	if (f_id != NULL && f_id[0] != '\0') {
		if (!remsim_ifd_config_field_number (f_id, "CLIENT_ID", 0, 1023, error) ||
		    !remsim_config_set_override (config,
						 REMSIM_IFD_CONFIG_GROUP,
						 "client-id",
						 f_id,
						 "DEVICENAME CLIENT_ID",
						 error))
			return NULL;
	}
	if (f_slot != NULL && f_slot[0] != '\0') {
		if (!remsim_ifd_config_field_number (f_slot, "CLIENT_SLOT", 0, 1023, error) ||
		    !remsim_config_set_override (config,
						 REMSIM_IFD_CONFIG_GROUP,
						 "client-slot",
						 f_slot,
						 "DEVICENAME CLIENT_SLOT",
						 error))
			return NULL;
	}
	if (f_port != NULL && f_port[0] != '\0' &&
	    !remsim_ifd_config_field_number (f_port, "SERVER_PORT", 1, 65535, error))
		return NULL;

	remsim_config_get_hostport (
	    config, REMSIM_IFD_CONFIG_GROUP, "server", &self->server_host, &self->server_port);
	if (f_host != NULL && f_host[0] != '\0') {
		g_free (self->server_host);
		self->server_host = g_strdup (f_host);
		/* upstream's default port when only the host is given */
		if (f_port == NULL || f_port[0] == '\0')
			self->server_port = 9998;
	}
	if (f_port != NULL && f_port[0] != '\0')
		self->server_port = (guint16)g_ascii_strtoull (f_port, NULL, 10);

	self->client_id =
	    (guint32)remsim_config_get_int (config, REMSIM_IFD_CONFIG_GROUP, "client-id");
	self->client_slot =
	    (guint32)remsim_config_get_int (config, REMSIM_IFD_CONFIG_GROUP, "client-slot");
	self->n_slots = (guint)remsim_config_get_int (config, REMSIM_IFD_CONFIG_GROUP, "slots");
	if (self->client_slot + self->n_slots - 1 > 1023) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "[" REMSIM_IFD_CONFIG_GROUP "] slots: %u slots from client slot %u "
			     "go beyond 1023",
			     self->n_slots,
			     self->client_slot);
		return NULL;
	}
	self->transmit_timeout_ms =
	    (guint)remsim_config_get_int (config, REMSIM_IFD_CONFIG_GROUP, "transmit-timeout-ms");
	self->reset_timeout_ms =
	    (guint)remsim_config_get_int (config, REMSIM_IFD_CONFIG_GROUP, "reset-timeout-ms");
	atr = remsim_config_get_string (config, REMSIM_IFD_CONFIG_GROUP, "atr");
	self->atr = remsim_ifd_config_parse_atr (atr, error);
	if (self->atr == NULL) {
		if (keyfile != NULL)
			g_prefix_error (error, "%s: ", keyfile);
		return NULL;
	}
	self->atr_ignore_rspro =
	    remsim_config_get_boolean (config, REMSIM_IFD_CONFIG_GROUP, "atr-ignore-rspro");
	self->event_script =
	    remsim_config_get_string (config, REMSIM_IFD_CONFIG_GROUP, "event-script");
	if (self->event_script != NULL && self->event_script[0] == '\0')
		g_clear_pointer (&self->event_script, g_free);
	self->event_script_timeout_ms = (guint)remsim_config_get_int (
	    config, REMSIM_IFD_CONFIG_GROUP, "event-script-timeout-ms");
	self->component_name =
	    remsim_config_get_string (config, REMSIM_IFD_CONFIG_GROUP, "component-name");
	if (self->component_name != NULL && self->component_name[0] == '\0')
		g_clear_pointer (&self->component_name, g_free);
	self->keepalive_interval_ms =
	    (guint)remsim_config_get_int (config, REMSIM_IFD_CONFIG_GROUP, "keepalive-interval-ms");
	self->keepalive_timeout_ms =
	    (guint)remsim_config_get_int (config, REMSIM_IFD_CONFIG_GROUP, "keepalive-timeout-ms");
	self->debug = remsim_config_get_boolean (config, REMSIM_IFD_CONFIG_GROUP, "debug");
	return g_steal_pointer (&self);
}
