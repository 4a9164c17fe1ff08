/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "remsim-rspro.h"

G_BEGIN_DECLS

/*
 * For tests only. remsim_rspro_encode() writes the frequent messages (TPDUs,
 * SetAtr, mapping requests, result-only responses) with a direct DER writer
 * and remsim_rspro_decode() parses a strictly minimal DER TPDU message by
 * hand; these two always go through asn1c, so the tests can compare.
 */
GBytes *remsim_rspro_encode_generic (const RemsimRsproMsg *msg,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;
RemsimRsproMsg *remsim_rspro_decode_generic (const guint8 *buf,
					     gsize len,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
