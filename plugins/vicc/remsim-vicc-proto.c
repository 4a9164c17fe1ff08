/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

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
