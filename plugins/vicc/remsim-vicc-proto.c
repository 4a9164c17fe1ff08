/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-config.h"
#include "remsim-vicc-proto.h"

void
remsim_vicc_frame_append (GByteArray *out, const guint8 *payload, gsize len)
{
	guint8 hdr[REMSIM_VICC_HEADER_SIZE];

	g_return_if_fail (out != NULL);
	g_return_if_fail (len <= REMSIM_VICC_MAX_PAYLOAD);
	g_return_if_fail (payload != NULL || len == 0);

	hdr[0] = (guint8)(len >> 8);
	hdr[1] = (guint8)(len & 0xff);
	g_byte_array_append (out, hdr, sizeof (hdr));
	if (len > 0)
		g_byte_array_append (out, payload, (guint)len);
}

void
remsim_vicc_frame_append_ctrl (GByteArray *out, RemsimViccCtrl ctrl)
{
	guint8 b = (guint8)ctrl;

	remsim_vicc_frame_append (out, &b, 1);
}

gsize
remsim_vicc_frame_peek (const guint8 *buf, gsize len, gsize *payload_len)
{
	gsize n;

	if (len < REMSIM_VICC_HEADER_SIZE)
		return 0;
	n = ((gsize)buf[0] << 8) | buf[1];
	if (payload_len != NULL)
		*payload_len = n;
	if (len < REMSIM_VICC_HEADER_SIZE + n)
		return 0;
	return REMSIM_VICC_HEADER_SIZE + n;
}

static gboolean
remsim_vicc_parse_uint (const gchar *s, guint *out)
{
	g_autofree gchar *str = g_strstrip (g_strdup (s));
	guint64 v = 0;

	if (!g_ascii_string_to_unsigned (str, 10, 0, G_MAXUINT32, &v, NULL))
		return FALSE;
	*out = (guint)v;
	return TRUE;
}

gboolean
remsim_vicc_slots_lowest (const gchar *value, guint *lowest)
{
	g_auto (GStrv) parts = NULL;
	gboolean found = FALSE;
	guint low = G_MAXUINT;

	g_return_val_if_fail (value != NULL, FALSE);

	parts = g_strsplit (value, ";", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		g_auto (GStrv) ends = NULL;
		guint first;

		if (g_strstrip (parts[i])[0] == '\0')
			continue;
		ends = g_strsplit (parts[i], "-", 3);
		if (g_strv_length (ends) > 2 || !remsim_vicc_parse_uint (ends[0], &first))
			return FALSE;
		if (ends[1] != NULL) {
			guint last;

			if (!remsim_vicc_parse_uint (ends[1], &last) || last < first)
				return FALSE;
		}
		low = MIN (low, first);
		found = TRUE;
	}
	if (found && lowest != NULL)
		*lowest = low;
	return found;
}

const gchar *
remsim_vicc_ctrl_to_string (guint8 ctrl)
{
	switch (ctrl) {
	case REMSIM_VICC_CTRL_OFF:
		return "power off";
	case REMSIM_VICC_CTRL_ON:
		return "power on";
	case REMSIM_VICC_CTRL_RESET:
		return "reset";
	case REMSIM_VICC_CTRL_ATR:
		return "get ATR";
	default:
		return "unknown control";
	}
}

static gboolean
remsim_vicc_get_uint_key (const RemsimPluginInstanceProps *props,
			  const gchar *key,
			  guint min,
			  guint max,
			  guint *value,
			  GError **error)
{
	g_autofree gchar *str = g_key_file_get_value (props->config, props->group, key, NULL);
	guint64 v = 0;

	if (str == NULL)
		return TRUE;
	g_strstrip (str);
	if (!g_ascii_string_to_unsigned (str, 10, min, max, &v, NULL)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "key '%s': expected a number in %u..%u, got \"%s\"",
			     key,
			     min,
			     max,
			     str);
		return FALSE;
	}
	*value = (guint)v;
	return TRUE;
}

gboolean
remsim_vicc_slot_port (const RemsimPluginInstanceProps *props,
		       guint16 base,
		       guint16 *port,
		       GError **error)
{
	g_autofree gchar *slots = g_key_file_get_value (props->config, props->group, "slots", NULL);
	guint lowest = 0;
	guint64 p;

	if (base == 0) {
		*port = 0;
		return TRUE;
	}
	if (slots != NULL && !remsim_vicc_slots_lowest (slots, &lowest)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "key 'slots': expected slot numbers and ranges like 0-7;9, got \"%s\"",
			     slots);
		return FALSE;
	}
	if (props->slot < lowest)
		lowest = props->slot;
	p = (guint64)base + (props->slot - lowest);
	if (p > G_MAXUINT16) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "port %u + slot offset %u is beyond 65535",
			     base,
			     props->slot - lowest);
		return FALSE;
	}
	*port = (guint16)p;
	return TRUE;
}

gboolean
remsim_vicc_get_common_keys (const RemsimPluginInstanceProps *props,
			     guint *timeout_ms,
			     guint *reconnect_ms,
			     gchar **listen,
			     gchar **connect,
			     GError **error)
{
	g_autofree gchar *l = NULL;
	g_autofree gchar *c = NULL;

	if (!remsim_vicc_get_uint_key (props, "timeout-ms", 1, 3600000, timeout_ms, error))
		return FALSE;
	if (!remsim_vicc_get_uint_key (
		props, "reconnect-interval-ms", 1, 3600000, reconnect_ms, error))
		return FALSE;
	l = g_key_file_get_value (props->config, props->group, "listen", NULL);
	c = g_key_file_get_value (props->config, props->group, "connect", NULL);
	if (l != NULL && c != NULL) {
		g_set_error_literal (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "keys 'listen' and 'connect': expected one of them, not both");
		return FALSE;
	}
	*listen = g_steal_pointer (&l);
	*connect = g_steal_pointer (&c);
	return TRUE;
}

gboolean
remsim_vicc_parse_listen_host (gchar **host, const gchar *key, const gchar *value, GError **error)
{
	g_autoptr (GInetAddress) addr = NULL;

	if (g_strcmp0 (*host, "localhost") == 0) {
		g_free (*host);
		*host = g_strdup ("127.0.0.1");
	}
	addr = g_inet_address_new_from_string (*host);
	if (addr == NULL) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "key '%s': expected an IP address, '*' or 'localhost' "
			     "before the port, got \"%s\"",
			     key,
			     value);
		return FALSE;
	}
	return TRUE;
}

gboolean
remsim_vicc_parse_hostport (
    const gchar *key, const gchar *value, gchar **host, guint16 *port, GError **error)
{
	g_autoptr (GError) error_local = NULL;

	if (remsim_config_parse_hostport (
		value, REMSIM_VICC_DEFAULT_PORT, host, port, &error_local))
		return TRUE;
	g_set_error (error,
		     REMSIM_CONFIG_ERROR,
		     REMSIM_CONFIG_ERROR_INVALID_VALUE,
		     "key '%s': %s",
		     key,
		     error_local->message);
	return FALSE;
}
