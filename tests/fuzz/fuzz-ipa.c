/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: IPA reassembly and the CCM helpers. The first input byte
 * picks the chunk size the rest is fed in, so split frames are covered.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "remsim-ipa.h"
#include "remsim-rspro.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	g_autoptr (RemsimIpaParser) parser = NULL;
	gsize chunk;
	gsize pos = 1;
	gboolean failed = FALSE;

	if (size < 1)
		return 0;
	chunk = (gsize)data[0] + 1;
	parser = remsim_ipa_parser_new (65535);

	while (pos < size && !failed) {
		gsize n = MIN (chunk, size - pos);

		remsim_ipa_parser_feed (parser, data + pos, n);
		pos += n;
		for (;;) {
			g_autoptr (GError) error = NULL;
			RemsimIpaFrame frame = {0};

			if (!remsim_ipa_parser_next (parser, &frame, &error)) {
				failed = error != NULL;
				break;
			}
			if (frame.payload_len > 0 && frame.payload == NULL)
				abort ();
			if (frame.kind == REMSIM_IPA_FRAME_RSPRO) {
				g_autoptr (RemsimRsproMsg) msg = NULL;
				g_autoptr (GError) error_rspro = NULL;
				msg = remsim_rspro_decode (
				    frame.payload, frame.payload_len, &error_rspro);
			} else if (frame.kind == REMSIM_IPA_FRAME_CCM && frame.payload_len >= 1) {
				g_autoptr (GBytes) resp = NULL;
				g_autofree gchar *unit_id = NULL;
				g_autoptr (GError) error_ccm = NULL;
				if (frame.payload[0] == REMSIM_IPA_CCM_ID_GET)
					resp = remsim_ipa_frame_id_resp (frame.payload + 1,
									 frame.payload_len - 1,
									 "unit",
									 "0/0/0");
				if (frame.payload[0] == REMSIM_IPA_CCM_ID_RESP)
					(void)remsim_ipa_parse_id_resp (frame.payload + 1,
									frame.payload_len - 1,
									&unit_id,
									&error_ccm);
			}
		}
	}
	(void)remsim_ipa_parser_get_pending (parser);
	return 0;
}
