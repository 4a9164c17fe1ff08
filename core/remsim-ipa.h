/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * IPA multiplex framing as RSPRO uses it. Pure functions, no I/O, no
 * allocation beyond what the returned values own; safe on hostile input.
 */

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_IPA_HEADER_LEN	 3
#define REMSIM_IPA_PROTO_CCM	 0xfe
#define REMSIM_IPA_PROTO_OSMO	 0xee
#define REMSIM_IPA_OSMO_EXT_RSPRO 0x07

typedef enum {
	REMSIM_IPA_CCM_PING = 0x00,
	REMSIM_IPA_CCM_PONG = 0x01,
	REMSIM_IPA_CCM_ID_GET = 0x04,
	REMSIM_IPA_CCM_ID_RESP = 0x05,
	REMSIM_IPA_CCM_ID_ACK = 0x06,
	REMSIM_IPA_CCM_ID_NACK = 0x07,
} RemsimIpaCcmType;

/* ID tags used in ID_GET / ID_RESP */
#define REMSIM_IPA_IDTAG_UNITNAME 0x01
#define REMSIM_IPA_IDTAG_UNITID	  0x08

typedef enum {
	REMSIM_IPA_FRAME_CCM,	/* payload = CCM type byte + rest */
	REMSIM_IPA_FRAME_RSPRO, /* payload = RSPRO PDU (extension byte stripped) */
	REMSIM_IPA_FRAME_OTHER, /* any other stream / extension: caller decides */
} RemsimIpaFrameKind;

typedef struct {
	RemsimIpaFrameKind kind;
	guint8 stream;	   /* raw stream id */
	guint8 extension;  /* OSMO extension id if stream == 0xee and len >= 1 */
	const guint8 *payload; /* points into the parser's buffer, valid until next feed */
	gsize payload_len;
} RemsimIpaFrame;

/*
 * RemsimIpaParser: reassembles frames from arbitrary chunks.
 * Feed with remsim_ipa_parser_feed(), then call remsim_ipa_parser_next()
 * until it returns FALSE. A frame whose length exceeds @max_payload or an
 * OSMO frame with length 0 puts the parser in an error state (returns FALSE
 * with @error set, REMSIM_ERROR_PROTOCOL), after which it accepts nothing.
 */
typedef struct _RemsimIpaParser RemsimIpaParser;

RemsimIpaParser *
remsim_ipa_parser_new (gsize max_payload);
void
remsim_ipa_parser_free (RemsimIpaParser *self);
void
remsim_ipa_parser_feed (RemsimIpaParser *self, const guint8 *data, gsize len);
/* TRUE and @frame filled if a complete frame is buffered; FALSE with @error
 * NULL-or-unset when more bytes are needed; FALSE with @error set on a
 * framing error */
gboolean
remsim_ipa_parser_next (RemsimIpaParser *self, RemsimIpaFrame *frame, GError **error);
/* bytes buffered but not yet returned as frames */
gsize
remsim_ipa_parser_get_pending (RemsimIpaParser *self);

/* complete frame: header + 0x07 + @pdu; NULL if @len > 65534 */
GBytes *
remsim_ipa_frame_rspro (const guint8 *pdu, gsize len);
/* complete CCM frame for a type with no payload (PING, PONG, ID_ACK) */
GBytes *
remsim_ipa_frame_ccm (RemsimIpaCcmType type);
/* ID_RESP answering the ID_GET payload @req (after the type byte): one
 * entry per requested tag, values from @unit_name and @unit_id, others "" */
GBytes *
remsim_ipa_frame_id_resp (const guint8 *req,
			  gsize req_len,
			  const gchar *unit_name,
			  const gchar *unit_id);
/* parse an ID_RESP payload (after the type byte); TRUE if it is well formed;
 * @unit_id gets the unit-ID value (tag 0x08) or NULL if absent/empty */
gboolean
remsim_ipa_parse_id_resp (const guint8 *payload, gsize len, gchar **unit_id, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimIpaParser, remsim_ipa_parser_free)

G_END_DECLS
