/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: RSPRO decoding. Whatever decodes and can be encoded again
 * must decode to the same message.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "remsim-rspro.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	g_autoptr (RemsimRsproMsg) msg = NULL;
	g_autoptr (RemsimRsproMsg) again = NULL;
	g_autoptr (GBytes) encoded = NULL;
	g_autoptr (GError) error = NULL;
	gsize len = 0;
	const guint8 *buf;

	msg = remsim_rspro_decode (data, size, &error);
	if (msg == NULL) {
		if (error == NULL)
			abort ();
		return 0;
	}

	/* the to_string helpers take anything a peer sends */
	(void)remsim_rspro_type_to_string (msg->type);
	(void)remsim_result_code_to_string (msg->result);
	(void)remsim_component_type_to_string (msg->identity.type);

	/* a zero version is sent as 2; out-of-range values do not encode */
	if (msg->version == 0)
		msg->version = REMSIM_RSPRO_VERSION;
	encoded = remsim_rspro_encode (msg, &error);
	if (encoded == NULL) {
		if (error == NULL)
			abort ();
		return 0;
	}
	buf = g_bytes_get_data (encoded, &len);
	again = remsim_rspro_decode (buf, len, &error);
	if (again == NULL || !remsim_rspro_msg_equal (msg, again))
		abort ();
	return 0;
}
