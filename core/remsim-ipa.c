/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-error.h"
#include "remsim-ipa.h"

/* largest value the 16-bit length field can carry */
#define REMSIM_IPA_MAX_LEN 0xffff

struct _RemsimIpaParser {
	guint8 *buf;
	gsize cap;
	gsize start; /* first byte not yet returned as part of a frame */
	gsize end;   /* one past the last buffered byte */
	gsize max_payload;
	GError *error; /* set once a framing error was seen */
};

RemsimIpaParser *
remsim_ipa_parser_new (gsize max_payload)
{
	RemsimIpaParser *self = g_new0 (RemsimIpaParser, 1);

	self->max_payload = MIN (max_payload, (gsize)REMSIM_IPA_MAX_LEN);
	return self;
}

void
remsim_ipa_parser_free (RemsimIpaParser *self)
{
	if (self == NULL)
		return;
	g_clear_error (&self->error);
	g_free (self->buf);
	g_free (self);
}

void
remsim_ipa_parser_feed (RemsimIpaParser *self, const guint8 *data, gsize len)
{
	gsize pending;

	g_return_if_fail (self != NULL);
	g_return_if_fail (data != NULL || len == 0);

	if (self->error != NULL || len == 0)
		return;

	/* move what is left of a partial frame to the front; usually nothing is */
	pending = self->end - self->start;
	if (self->start > 0) {
		if (pending > 0)
			memmove (self->buf, self->buf + self->start, pending);
		self->start = 0;
		self->end = pending;
	}
	if (self->cap - self->end < len) {
		gsize cap = MAX (self->cap, 256);

		while (cap - self->end < len)
			cap *= 2;
		self->buf = g_realloc (self->buf, cap);
		self->cap = cap;
	}
	memcpy (self->buf + self->end, data, len);
	self->end += len;
}

static gboolean
remsim_ipa_parser_fail (RemsimIpaParser *self, GError **error)
{
	if (error != NULL)
		*error = g_error_copy (self->error);
	/* nothing buffered is ever returned again */
	self->start = self->end = 0;
	return FALSE;
}

gboolean
remsim_ipa_parser_next (RemsimIpaParser *self, RemsimIpaFrame *frame, GError **error)
{
	const guint8 *hdr;
	gsize avail;
	gsize len;

	g_return_val_if_fail (self != NULL, FALSE);
	g_return_val_if_fail (frame != NULL, FALSE);

	if (self->error != NULL)
		return remsim_ipa_parser_fail (self, error);

	avail = self->end - self->start;
	if (avail < REMSIM_IPA_HEADER_LEN)
		return FALSE;
	hdr = self->buf + self->start;
	len = ((gsize)hdr[0] << 8) | hdr[1];

	/* decide from the header alone, before the payload is buffered */
	if (len > self->max_payload) {
		self->error = g_error_new (REMSIM_ERROR,
					   REMSIM_ERROR_PROTOCOL,
					   "IPA frame of %" G_GSIZE_FORMAT
					   " bytes exceeds limit of %" G_GSIZE_FORMAT,
					   len,
					   self->max_payload);
		return remsim_ipa_parser_fail (self, error);
	}
	if (hdr[2] == REMSIM_IPA_PROTO_OSMO && len == 0) {
		self->error = g_error_new_literal (
		    REMSIM_ERROR, REMSIM_ERROR_PROTOCOL, "IPA OSMO frame without extension byte");
		return remsim_ipa_parser_fail (self, error);
	}
	if (avail - REMSIM_IPA_HEADER_LEN < len)
		return FALSE;

	frame->stream = hdr[2];
	frame->extension = 0;
	frame->payload = hdr + REMSIM_IPA_HEADER_LEN;
	frame->payload_len = len;
	switch (frame->stream) {
	case REMSIM_IPA_PROTO_CCM:
		frame->kind = REMSIM_IPA_FRAME_CCM;
		break;
	case REMSIM_IPA_PROTO_OSMO:
		/* the payload is what follows the extension byte */
		frame->extension = frame->payload[0];
		frame->payload++;
		frame->payload_len--;
		frame->kind = frame->extension == REMSIM_IPA_OSMO_EXT_RSPRO
				  ? REMSIM_IPA_FRAME_RSPRO
				  : REMSIM_IPA_FRAME_OTHER;
		break;
	default:
		frame->kind = REMSIM_IPA_FRAME_OTHER;
		break;
	}
	self->start += REMSIM_IPA_HEADER_LEN + len;
	if (self->start == self->end)
		self->start = self->end = 0;
	return TRUE;
}

gsize
remsim_ipa_parser_get_pending (RemsimIpaParser *self)
{
	g_return_val_if_fail (self != NULL, 0);
	return self->end - self->start;
}

GBytes *
remsim_ipa_frame_rspro (const guint8 *pdu, gsize len)
{
	guint8 *buf;
	gsize flen;

	g_return_val_if_fail (pdu != NULL || len == 0, NULL);

	if (len > REMSIM_IPA_MAX_LEN - 1)
		return NULL;
	flen = len + 1;
	buf = g_malloc (REMSIM_IPA_HEADER_LEN + flen);
	buf[0] = flen >> 8;
	buf[1] = flen & 0xff;
	buf[2] = REMSIM_IPA_PROTO_OSMO;
	buf[3] = REMSIM_IPA_OSMO_EXT_RSPRO;
	if (len > 0)
		memcpy (buf + 4, pdu, len);
	return g_bytes_new_take (buf, REMSIM_IPA_HEADER_LEN + flen);
}

GBytes *
remsim_ipa_frame_ccm (RemsimIpaCcmType type)
{
	static const guint8 frames[][4] = {
	    {0x00, 0x01, REMSIM_IPA_PROTO_CCM, REMSIM_IPA_CCM_PING},
	    {0x00, 0x01, REMSIM_IPA_PROTO_CCM, REMSIM_IPA_CCM_PONG},
	    {0x00, 0x01, REMSIM_IPA_PROTO_CCM, REMSIM_IPA_CCM_ID_ACK},
	    {0x00, 0x01, REMSIM_IPA_PROTO_CCM, REMSIM_IPA_CCM_ID_NACK},
	};
	guint8 *buf;

	for (guint i = 0; i < G_N_ELEMENTS (frames); i++) {
		if (frames[i][3] == type)
			return g_bytes_new_static (frames[i], sizeof (frames[i]));
	}
	buf = g_malloc (4);
	buf[0] = 0x00;
	buf[1] = 0x01;
	buf[2] = REMSIM_IPA_PROTO_CCM;
	buf[3] = type;
	return g_bytes_new_take (buf, 4);
}

GBytes *
remsim_ipa_frame_id_resp (const guint8 *req,
			  gsize req_len,
			  const gchar *unit_name,
			  const gchar *unit_id)
{
	GByteArray *out = g_byte_array_sized_new (64);
	const guint8 hdr[] = {0x00, 0x00, REMSIM_IPA_PROTO_CCM, REMSIM_IPA_CCM_ID_RESP};
	gsize i = 0;
	gsize flen;

	g_return_val_if_fail (req != NULL || req_len == 0, NULL);

	g_byte_array_append (out, hdr, sizeof (hdr));
	/* the request is a list of (length, tag) items; length is 1 in practice,
	 * a longer item is skipped as a whole, a zero length ends the list */
	while (i + 2 <= req_len && req[i] != 0) {
		guint8 tag = req[i + 1];
		const gchar *value = "";
		gsize vlen;
		guint8 ehdr[3];

		i += 1 + (gsize)req[i];
		if (tag == REMSIM_IPA_IDTAG_UNITNAME && unit_name != NULL)
			value = unit_name;
		else if (tag == REMSIM_IPA_IDTAG_UNITID && unit_id != NULL)
			value = unit_id;
		vlen = strlen (value) + 1; /* with the NUL */
		/* stop before the frame would outgrow the 16-bit length */
		if (out->len - REMSIM_IPA_HEADER_LEN + sizeof (ehdr) + vlen > REMSIM_IPA_MAX_LEN)
			break;
		ehdr[0] = (vlen + 1) >> 8;
		ehdr[1] = (vlen + 1) & 0xff;
		ehdr[2] = tag;
		g_byte_array_append (out, ehdr, sizeof (ehdr));
		g_byte_array_append (out, (const guint8 *)value, vlen);
	}
	flen = out->len - REMSIM_IPA_HEADER_LEN;
	out->data[0] = flen >> 8;
	out->data[1] = flen & 0xff;
	return g_byte_array_free_to_bytes (out);
}

gboolean
remsim_ipa_parse_id_resp (const guint8 *payload, gsize len, gchar **unit_id, GError **error)
{
	g_autofree gchar *id = NULL;
	gsize i = 0;

	g_return_val_if_fail (payload != NULL || len == 0, FALSE);

	while (i < len) {
		gsize elen;
		guint8 tag;
		const guint8 *value;
		gsize vlen;

		if (len - i < 3) {
			g_set_error (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_PROTOCOL,
				     "IPA ID_RESP truncated at offset %" G_GSIZE_FORMAT,
				     i);
			return FALSE;
		}
		elen = ((gsize)payload[i] << 8) | payload[i + 1];
		if (elen == 0 || elen > len - i - 2) {
			g_set_error (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_PROTOCOL,
				     "IPA ID_RESP entry at offset %" G_GSIZE_FORMAT
				     " has bad length %" G_GSIZE_FORMAT,
				     i,
				     elen);
			return FALSE;
		}
		tag = payload[i + 2];
		value = payload + i + 3;
		vlen = elen - 1;
		if (tag == REMSIM_IPA_IDTAG_UNITID) {
			const guint8 *nul = memchr (value, '\0', vlen);

			if (nul != NULL)
				vlen = nul - value;
			g_clear_pointer (&id, g_free);
			if (vlen > 0)
				id = g_strndup ((const gchar *)value, vlen);
		}
		i += 2 + elen;
	}
	if (unit_id != NULL)
		*unit_id = g_steal_pointer (&id);
	return TRUE;
}
