/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-error.h"
#include "remsim-rspro-private.h"
#include "remsim-rspro.h"

/* helpers ----------------------------------------------------------------- */

/* "30 0d 80 ..." to bytes; spaces are ignored */
static GBytes *
hex_to_bytes (const gchar *hex)
{
	g_autoptr (GByteArray) arr = g_byte_array_new ();

	for (const gchar *p = hex; *p != '\0';) {
		guint8 b;
		if (g_ascii_isspace (*p)) {
			p++;
			continue;
		}
		g_assert_true (g_ascii_isxdigit (p[0]) && g_ascii_isxdigit (p[1]));
		b = (guint8)((g_ascii_xdigit_value (p[0]) << 4) | g_ascii_xdigit_value (p[1]));
		g_byte_array_append (arr, &b, 1);
		p += 2;
	}
	return g_byte_array_free_to_bytes (g_steal_pointer (&arr));
}

static gchar *
bytes_to_hex (GBytes *bytes)
{
	gsize len = 0;
	const guint8 *buf = g_bytes_get_data (bytes, &len);
	GString *str = g_string_new (NULL);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf (str, "%s%02x", i > 0 ? " " : "", buf[i]);
	return g_string_free (str, FALSE);
}

static void
assert_bytes_hex (GBytes *bytes, const gchar *hex)
{
	g_autoptr (GBytes) expected = hex_to_bytes (hex);
	g_autofree gchar *got = bytes_to_hex (bytes);
	g_autofree gchar *want = bytes_to_hex (expected);

	g_assert_cmpstr (got, ==, want);
}

static RemsimRsproMsg *
decode_hex (const gchar *hex, GError **error)
{
	g_autoptr (GBytes) bytes = hex_to_bytes (hex);
	gsize len = 0;
	const guint8 *buf = g_bytes_get_data (bytes, &len);

	return remsim_rspro_decode (buf, len, error);
}

static RemsimRsproMsg *
decode_bytes (GBytes *bytes, GError **error)
{
	gsize len = 0;
	const guint8 *buf = g_bytes_get_data (bytes, &len);

	return remsim_rspro_decode (buf, len, error);
}

static void
set_identity (RemsimRsproMsg *msg, RemsimComponentType type, const gchar *name)
{
	const gchar *software = type == REMSIM_COMPONENT_CLIENT	  ? "remsim-client"
				: type == REMSIM_COMPONENT_SERVER ? "remsim-server"
								  : "remsim-bankd";

	remsim_component_identity_clear (&msg->identity);
	msg->identity.type = type;
	msg->identity.name = g_strdup (name);
	msg->identity.software = g_strdup (software);
	msg->identity.sw_version = g_strdup ("1.1.3");
}

static void
set_client_slot (RemsimRsproMsg *msg, guint32 client_id, guint32 slot_nr)
{
	msg->has_client_slot = TRUE;
	msg->client_slot.client_id = client_id;
	msg->client_slot.slot_nr = slot_nr;
}

static void
set_bank_slot (RemsimRsproMsg *msg, guint32 bank_id, guint32 slot_nr)
{
	msg->has_bank_slot = TRUE;
	msg->bank_slot.bank_id = bank_id;
	msg->bank_slot.slot_nr = slot_nr;
}

static void
set_ipv4 (RemsimIpPort *ip, guint8 a, guint8 b, guint8 c, guint8 d, guint32 port)
{
	memset (ip, 0, sizeof (*ip));
	ip->family = G_SOCKET_FAMILY_IPV4;
	ip->addr[0] = a;
	ip->addr[1] = b;
	ip->addr[2] = c;
	ip->addr[3] = d;
	ip->port = port;
}

/* encode @msg, compare with @hex, decode @hex and compare with @msg */
static void
check_vector (const RemsimRsproMsg *msg, const gchar *hex)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) encoded = NULL;
	g_autoptr (RemsimRsproMsg) decoded = NULL;

	encoded = remsim_rspro_encode (msg, &error);
	g_assert_no_error (error);
	g_assert_nonnull (encoded);
	assert_bytes_hex (encoded, hex);

	decoded = decode_hex (hex, &error);
	g_assert_no_error (error);
	g_assert_nonnull (decoded);
	g_assert_cmpint (decoded->type, ==, msg->type);
	g_assert_true (remsim_rspro_msg_equal (decoded, msg));
}

static void
assert_decode_fails (const guint8 *buf, gsize len)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimRsproMsg) msg = remsim_rspro_decode (buf, len, &error);

	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL);
	g_assert_null (msg);
}

static void
assert_decode_hex_fails (const gchar *hex)
{
	g_autoptr (GBytes) bytes = hex_to_bytes (hex);
	gsize len = 0;
	const guint8 *buf = g_bytes_get_data (bytes, &len);

	assert_decode_fails (buf, len);
}

static void
assert_encode_fails (const RemsimRsproMsg *msg, const gchar *field)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) encoded = remsim_rspro_encode (msg, &error);

	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_INVALID_ARGUMENT);
	g_assert_null (encoded);
	if (field != NULL && strstr (error->message, field) == NULL)
		g_error ("'%s' does not name %s", error->message, field);
}

/* a message of @type with every field it carries set to a non-default value */
static RemsimRsproMsg *
make_full (RemsimRsproType type)
{
	RemsimRsproMsg *msg = remsim_rspro_msg_new (type);

	msg->tag = 77;
	switch (type) {
	case REMSIM_RSPRO_CONNECT_BANK_REQ:
		set_identity (msg, REMSIM_COMPONENT_BANKD, "bank-01");
		msg->identity.hw_manufacturer = g_strdup ("sysmocom");
		msg->identity.hw_model = g_strdup ("sysmoOCTSIM");
		msg->identity.hw_serial_nr = g_strdup ("0042");
		msg->identity.hw_version = g_strdup ("v2");
		msg->identity.fw_version = g_strdup ("0.9");
		msg->bank_id = 1023;
		msg->number_of_slots = 96;
		msg->has_bound = TRUE;
		msg->bound.family = G_SOCKET_FAMILY_IPV6;
		for (guint i = 0; i < 16; i++)
			msg->bound.addr[i] = (guint8)(0xf0 + i);
		msg->bound.port = 65535;
		break;
	case REMSIM_RSPRO_CONNECT_BANK_RES:
	case REMSIM_RSPRO_CONNECT_CLIENT_RES:
		set_identity (msg, REMSIM_COMPONENT_SERVER, "srv");
		msg->result = REMSIM_RESULT_IDENTITY_IN_USE;
		break;
	case REMSIM_RSPRO_CONNECT_CLIENT_REQ:
		set_identity (msg, REMSIM_COMPONENT_CLIENT, "host");
		set_client_slot (msg, 23, 7);
		break;
	case REMSIM_RSPRO_CREATE_MAPPING_REQ:
	case REMSIM_RSPRO_REMOVE_MAPPING_REQ:
		set_client_slot (msg, 1000, 3);
		set_bank_slot (msg, 200, 1023);
		break;
	case REMSIM_RSPRO_CONFIG_CLIENT_ID_REQ:
		set_client_slot (msg, 5, 6);
		break;
	case REMSIM_RSPRO_SET_ATR_REQ:
		set_client_slot (msg, 5, 6);
		msg->data = g_bytes_new ("\x3b\x02\x14\x50", 4);
		break;
	case REMSIM_RSPRO_TPDU_MODEM_TO_CARD:
	case REMSIM_RSPRO_TPDU_CARD_TO_MODEM:
		set_client_slot (msg, 9, 0);
		set_bank_slot (msg, 2, 4);
		msg->flags.final_part = TRUE;
		msg->flags.proc_byte_continue_rx = TRUE;
		msg->data = g_bytes_new ("\xa0\xa4\x00\x00\x02\x3f\x00", 7);
		break;
	case REMSIM_RSPRO_CLIENT_SLOT_STATUS_IND:
	case REMSIM_RSPRO_BANK_SLOT_STATUS_IND:
		set_client_slot (msg, 9, 0);
		set_bank_slot (msg, 2, 4);
		msg->phys_status.reset_active = TRUE;
		msg->phys_status.has_clk_active = TRUE;
		msg->phys_status.clk_active = TRUE;
		msg->phys_status.has_card_present = TRUE;
		msg->phys_status.card_present = FALSE;
		break;
	case REMSIM_RSPRO_ERROR_IND:
		msg->error_sender = REMSIM_COMPONENT_CLIENT;
		msg->error_severity = REMSIM_ERROR_SEVERITY_FATAL;
		msg->error_code = REMSIM_ERROR_CODE_UNEXPECTED_PROTOCOL_VERSION;
		set_client_slot (msg, 1, 2);
		set_bank_slot (msg, 3, 4);
		msg->error_string = g_strdup ("something went wrong");
		break;
	case REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ:
		set_bank_slot (msg, 1, 7);
		set_ipv4 (&msg->bound, 10, 0, 0, 1, 9999);
		msg->has_bound = TRUE;
		break;
	case REMSIM_RSPRO_CREATE_MAPPING_RES:
	case REMSIM_RSPRO_REMOVE_MAPPING_RES:
	case REMSIM_RSPRO_CONFIG_CLIENT_ID_RES:
	case REMSIM_RSPRO_SET_ATR_RES:
	case REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES:
	case REMSIM_RSPRO_RESET_STATE_RES:
		msg->result = REMSIM_RESULT_CARD_TRANSMISSION_ERROR;
		break;
	case REMSIM_RSPRO_RESET_STATE_REQ:
	case REMSIM_RSPRO_UNKNOWN:
	default:
		break;
	}
	return msg;
}

/* tests ------------------------------------------------------------------- */

static void
test_rspro_roundtrip (void)
{
	for (gint t = REMSIM_RSPRO_CONNECT_BANK_REQ; t <= REMSIM_RSPRO_RESET_STATE_RES; t++) {
		g_autoptr (RemsimRsproMsg) msg = make_full (t);
		g_autoptr (RemsimRsproMsg) copy = NULL;
		g_autoptr (RemsimRsproMsg) decoded = NULL;
		g_autoptr (GBytes) encoded = NULL;
		g_autoptr (GBytes) again = NULL;
		g_autoptr (GError) error = NULL;

		g_test_message ("%s", remsim_rspro_type_to_string (t));
		encoded = remsim_rspro_encode (msg, &error);
		g_assert_no_error (error);
		g_assert_nonnull (encoded);

		decoded = decode_bytes (encoded, &error);
		g_assert_no_error (error);
		g_assert_nonnull (decoded);
		g_assert_cmpint (decoded->type, ==, t);
		g_assert_cmpuint (decoded->version, ==, 2);
		g_assert_cmpuint (decoded->tag, ==, 77);
		g_assert_true (remsim_rspro_msg_equal (msg, decoded));

		/* decoded values encode to the same bytes */
		again = remsim_rspro_encode (decoded, &error);
		g_assert_no_error (error);
		g_assert_true (g_bytes_equal (encoded, again));

		copy = remsim_rspro_msg_copy (msg);
		g_assert_true (remsim_rspro_msg_equal (msg, copy));
	}
}

static void
test_rspro_equal (void)
{
	g_autoptr (RemsimRsproMsg) a = make_full (REMSIM_RSPRO_TPDU_MODEM_TO_CARD);
	g_autoptr (RemsimRsproMsg) b = make_full (REMSIM_RSPRO_TPDU_MODEM_TO_CARD);
	g_autoptr (RemsimRsproMsg) c = make_full (REMSIM_RSPRO_CONNECT_CLIENT_REQ);
	g_autoptr (RemsimRsproMsg) d = make_full (REMSIM_RSPRO_CONNECT_CLIENT_REQ);

	g_assert_true (remsim_rspro_msg_equal (a, b));
	g_assert_true (remsim_rspro_msg_equal (NULL, NULL));
	g_assert_false (remsim_rspro_msg_equal (a, NULL));
	g_assert_false (remsim_rspro_msg_equal (a, c));

	b->flags.final_part = FALSE;
	g_assert_false (remsim_rspro_msg_equal (a, b));
	b->flags.final_part = TRUE;
	g_clear_pointer (&b->data, g_bytes_unref);
	g_assert_false (remsim_rspro_msg_equal (a, b));
	b->data = g_bytes_new ("\xa0\xa4\x00\x00\x02\x3f\x00", 7);
	b->tag = 1;
	g_assert_false (remsim_rspro_msg_equal (a, b));

	/* the optional slot counts, an absent optional string equals "" */
	d->has_client_slot = FALSE;
	g_assert_false (remsim_rspro_msg_equal (c, d));
	d->has_client_slot = TRUE;
	d->identity.hw_model = g_strdup ("");
	g_assert_true (remsim_rspro_msg_equal (c, d));
	g_free (d->identity.name);
	d->identity.name = g_strdup ("other");
	g_assert_false (remsim_rspro_msg_equal (c, d));
}

#define VEC_CONNECT_CLIENT_REQ                                                                     \
	"30 33 80 01 02 81 01 00 a2 2b a2 29 30 1f 0a 01 00 16 04 68 6f 73 74 "                    \
	"80 0d 72 65 6d 73 69 6d 2d 63 6c 69 65 6e 74 81 05 31 2e 31 2e 33 "                       \
	"30 06 02 01 17 02 01 00"
#define VEC_CONNECT_CLIENT_REQ_NO_SLOT                                                             \
	"30 2b 80 01 02 81 01 00 a2 23 a2 21 30 1f 0a 01 00 16 04 68 6f 73 74 "                    \
	"80 0d 72 65 6d 73 69 6d 2d 63 6c 69 65 6e 74 81 05 31 2e 31 2e 33"
#define VEC_CONNECT_BANK_REQ                                                                       \
	"30 30 80 01 02 81 01 00 a2 28 a0 26 30 1e 0a 01 02 16 04 62 61 6e 6b "                    \
	"80 0c 72 65 6d 73 69 6d 2d 62 61 6e 6b 64 81 05 31 2e 31 2e 33 02 01 01 02 01 08"
/* the same with bound 127.0.0.30:9999 after numberOfSlots (§3.9) */
#define VEC_CONNECT_BANK_REQ_BOUND                                                                 \
	"30 3c 80 01 02 81 01 00 a2 34 a0 32 30 1e 0a 01 02 16 04 62 61 6e 6b "                    \
	"80 0c 72 65 6d 73 69 6d 2d 62 61 6e 6b 64 81 05 31 2e 31 2e 33 02 01 01 02 01 08 "        \
	"30 0a 80 04 7f 00 00 1e 02 02 27 0f"
#define VEC_CONNECT_CLIENT_RES                                                                     \
	"30 2e 80 01 02 81 02 09 26 a2 25 a3 23 30 1e 0a 01 01 16 03 73 72 76 "                    \
	"80 0d 72 65 6d 73 69 6d 2d 73 65 72 76 65 72 81 05 31 2e 31 2e 33 0a 01 00"
#define VEC_CONNECT_BANK_RES                                                                       \
	"30 2d 80 01 02 81 01 00 a2 25 a1 23 30 1e 0a 01 01 16 03 73 72 76 "                       \
	"80 0d 72 65 6d 73 69 6d 2d 73 65 72 76 65 72 81 05 31 2e 31 2e 33 0a 01 00"
#define VEC_TPDU_M2C_PEER                                                                          \
	"30 31 80 01 02 81 01 00 a2 29 ac 27 30 06 02 01 17 02 01 00 30 06 02 01 01 02 01 00 "     \
	"30 0c 01 01 ff 01 01 ff 01 01 00 01 01 00 04 07 a0 a4 00 00 02 3f 00"
#define VEC_TPDU_M2C_UPSTREAM                                                                      \
	"30 31 80 01 02 81 01 00 a2 29 ac 27 30 06 02 01 17 02 01 00 30 06 02 01 01 02 01 00 "     \
	"30 0c 01 01 00 01 01 00 01 01 00 01 01 00 04 07 a0 a4 00 00 02 3f 00"
#define VEC_SET_ATR_REQ                                                                            \
	"30 2a 80 01 02 81 01 00 a2 22 aa 20 30 06 02 01 17 02 01 00 04 16 3b 9f 96 80 1f c7 80 "  \
	"31 a0 73 be 21 13 67 43 20 07 18 00 00 01 a5"

static void
test_rspro_vector_connect (void)
{
	g_autoptr (RemsimRsproMsg) msg = NULL;

	/* ConnectClientReq with and without clientSlot */
	msg = remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_CLIENT_REQ);
	set_identity (msg, REMSIM_COMPONENT_CLIENT, "host");
	set_client_slot (msg, 23, 0);
	check_vector (msg, VEC_CONNECT_CLIENT_REQ);
	msg->has_client_slot = FALSE;
	check_vector (msg, VEC_CONNECT_CLIENT_REQ_NO_SLOT);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* ConnectBankReq(B1, 8 slots) */
	msg = remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_BANK_REQ);
	set_identity (msg, REMSIM_COMPONENT_BANKD, "bank");
	msg->bank_id = 1;
	msg->number_of_slots = 8;
	check_vector (msg, VEC_CONNECT_BANK_REQ);

	/* ... and with the bound extension */
	msg->has_bound = TRUE;
	set_ipv4 (&msg->bound, 127, 0, 0, 30, 9999);
	check_vector (msg, VEC_CONNECT_BANK_REQ_BOUND);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* ConnectClientRes with upstream's tag 2342, ok and identityInUse */
	msg = remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_CLIENT_RES);
	set_identity (msg, REMSIM_COMPONENT_SERVER, "srv");
	msg->tag = REMSIM_RSPRO_TAG_CONNECT_CLIENT_RES;
	msg->result = REMSIM_RESULT_OK;
	check_vector (msg, VEC_CONNECT_CLIENT_RES);
	msg->result = REMSIM_RESULT_IDENTITY_IN_USE;
	check_vector (msg,
		      "30 2e 80 01 02 81 02 09 26 a2 25 a3 23 30 1e 0a 01 01 16 03 73 72 76 "
		      "80 0d 72 65 6d 73 69 6d 2d 73 65 72 76 65 72 81 05 31 2e 31 2e 33 0a 01 06");
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* ConnectBankRes(ok) */
	msg = remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_BANK_RES);
	set_identity (msg, REMSIM_COMPONENT_SERVER, "srv");
	check_vector (msg, VEC_CONNECT_BANK_RES);
}

static void
test_rspro_vector_mapping (void)
{
	g_autoptr (RemsimRsproMsg) msg = NULL;

	msg = remsim_rspro_msg_new (REMSIM_RSPRO_CREATE_MAPPING_REQ);
	set_client_slot (msg, 23, 0);
	set_bank_slot (msg, 1, 0);
	check_vector (msg,
		      "30 1a 80 01 02 81 01 00 a2 12 a4 10 30 06 02 01 17 02 01 00 "
		      "30 06 02 01 01 02 01 00");
	msg->type = REMSIM_RSPRO_REMOVE_MAPPING_REQ;
	check_vector (msg,
		      "30 1a 80 01 02 81 01 00 a2 12 a6 10 30 06 02 01 17 02 01 00 "
		      "30 06 02 01 01 02 01 00");
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	msg = remsim_rspro_msg_new (REMSIM_RSPRO_CREATE_MAPPING_RES);
	check_vector (msg, "30 0d 80 01 02 81 01 00 a2 05 a5 03 0a 01 00");
	msg->result = REMSIM_RESULT_ILLEGAL_SLOT_ID;
	check_vector (msg, "30 0d 80 01 02 81 01 00 a2 05 a5 03 0a 01 03");
	msg->type = REMSIM_RSPRO_REMOVE_MAPPING_RES;
	msg->result = REMSIM_RESULT_UNKNOWN_SLOTMAP;
	check_vector (msg, "30 0d 80 01 02 81 01 00 a2 05 a7 03 0a 01 05");
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	msg = remsim_rspro_msg_new (REMSIM_RSPRO_CONFIG_CLIENT_ID_REQ);
	set_client_slot (msg, 23, 1);
	check_vector (msg, "30 12 80 01 02 81 01 00 a2 0a a8 08 30 06 02 01 17 02 01 01");
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	msg = remsim_rspro_msg_new (REMSIM_RSPRO_CONFIG_CLIENT_ID_RES);
	check_vector (msg, "30 0d 80 01 02 81 01 00 a2 05 a9 03 0a 01 00");
}

static void
test_rspro_vector_config_bank (void)
{
	g_autoptr (RemsimRsproMsg) msg = NULL;

	msg = remsim_rspro_msg_new (REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ);
	set_bank_slot (msg, 1, 0);
	msg->has_bound = TRUE;
	set_ipv4 (&msg->bound, 192, 168, 1, 10, 9999);
	check_vector (msg,
		      "30 1e 80 01 02 81 01 00 a2 16 b1 14 30 06 02 01 01 02 01 00 "
		      "30 0a 80 04 c0 a8 01 0a 02 02 27 0f");
	set_ipv4 (&msg->bound, 0, 0, 0, 0, 0);
	check_vector (msg,
		      "30 1d 80 01 02 81 01 00 a2 15 b1 13 30 06 02 01 01 02 01 00 "
		      "30 09 80 04 00 00 00 00 02 01 00");
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	msg = remsim_rspro_msg_new (REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES);
	check_vector (msg, "30 0d 80 01 02 81 01 00 a2 05 b2 03 0a 01 00");
}

static void
test_rspro_vector_atr (void)
{
	g_autoptr (RemsimRsproMsg) msg = NULL;
	g_autoptr (RemsimRsproMsg) decoded = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) atr = hex_to_bytes ("3b 9f 96 80 1f c7 80 31 a0 73 be 21 13 67 43 20 "
					       "07 18 00 00 01 a5");

	msg = remsim_rspro_msg_new (REMSIM_RSPRO_SET_ATR_REQ);
	set_client_slot (msg, 23, 0);
	msg->data = g_bytes_ref (atr);
	check_vector (msg, VEC_SET_ATR_REQ);
	decoded = decode_hex (VEC_SET_ATR_REQ, &error);
	g_assert_no_error (error);
	g_assert_true (g_bytes_equal (decoded->data, atr));
	g_assert_cmpuint (decoded->client_slot.client_id, ==, 23);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	msg = remsim_rspro_msg_new (REMSIM_RSPRO_SET_ATR_RES);
	check_vector (msg, "30 0d 80 01 02 81 01 00 a2 05 ab 03 0a 01 00");
}

static void
test_rspro_vector_tpdu (void)
{
	g_autoptr (RemsimRsproMsg) msg = NULL;
	g_autoptr (RemsimRsproMsg) decoded = NULL;
	g_autoptr (GError) error = NULL;

	/* TpduModemToCard as other peers send it, then as upstream does */
	msg = remsim_rspro_msg_new (REMSIM_RSPRO_TPDU_MODEM_TO_CARD);
	set_client_slot (msg, 23, 0);
	set_bank_slot (msg, 1, 0);
	msg->flags.tpdu_header_present = TRUE;
	msg->flags.final_part = TRUE;
	msg->data = hex_to_bytes ("a0 a4 00 00 02 3f 00");
	check_vector (msg, VEC_TPDU_M2C_PEER);
	decoded = decode_hex (VEC_TPDU_M2C_PEER, &error);
	g_assert_no_error (error);
	g_assert_true (decoded->flags.tpdu_header_present);
	g_assert_true (decoded->flags.final_part);
	g_assert_false (decoded->flags.proc_byte_continue_tx);
	g_assert_false (decoded->flags.proc_byte_continue_rx);
	g_assert_cmpuint (decoded->client_slot.client_id, ==, 23);
	g_assert_cmpuint (decoded->bank_slot.bank_id, ==, 1);
	g_assert_cmpuint (g_bytes_get_size (decoded->data), ==, 7);
	g_clear_pointer (&decoded, remsim_rspro_msg_free);

	memset (&msg->flags, 0, sizeof (msg->flags));
	check_vector (msg, VEC_TPDU_M2C_UPSTREAM);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* TpduCardToModem B1:0 -> C23:0 */
	msg = remsim_rspro_msg_new (REMSIM_RSPRO_TPDU_CARD_TO_MODEM);
	set_client_slot (msg, 23, 0);
	set_bank_slot (msg, 1, 0);
	msg->data = hex_to_bytes ("9f 17");
	check_vector (msg,
		      "30 2c 80 01 02 81 01 00 a2 24 ad 22 30 06 02 01 01 02 01 00 "
		      "30 06 02 01 17 02 01 00 30 0c 01 01 00 01 01 00 01 01 00 01 01 00 "
		      "04 02 9f 17");
}

static void
test_rspro_vector_tpdu_long (void)
{
	g_autoptr (RemsimRsproMsg) msg = remsim_rspro_msg_new (REMSIM_RSPRO_TPDU_CARD_TO_MODEM);
	g_autoptr (RemsimRsproMsg) decoded = NULL;
	g_autoptr (GBytes) encoded = NULL;
	g_autoptr (GBytes) prefix = NULL;
	g_autoptr (GBytes) head = NULL;
	g_autoptr (GError) error = NULL;
	guint8 data[258];

	for (guint i = 0; i < sizeof (data); i++)
		data[i] = (guint8)i;
	set_client_slot (msg, 23, 0);
	set_bank_slot (msg, 1, 0);
	msg->data = g_bytes_new (data, sizeof (data));

	encoded = remsim_rspro_encode (msg, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (g_bytes_get_size (encoded), ==, 310);
	prefix = hex_to_bytes ("30 82 01 32 80 01 02 81 01 00 a2 82 01 28 ad 82 01 24");
	head = g_bytes_new_from_bytes (encoded, 0, g_bytes_get_size (prefix));
	assert_bytes_hex (head, "30 82 01 32 80 01 02 81 01 00 a2 82 01 28 ad 82 01 24");

	decoded = decode_bytes (encoded, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_rspro_msg_equal (msg, decoded));
}

static void
test_rspro_vector_status (void)
{
	g_autoptr (RemsimRsproMsg) msg = NULL;
	g_autoptr (RemsimRsproMsg) decoded = NULL;
	g_autoptr (GError) error = NULL;
	const gchar *hex_partial = "30 22 80 01 02 81 01 00 a2 1a ae 18 30 06 02 01 17 02 01 00 "
				   "30 06 02 01 01 02 01 00 30 06 80 01 00 81 01 ff";

	msg = remsim_rspro_msg_new (REMSIM_RSPRO_CLIENT_SLOT_STATUS_IND);
	set_client_slot (msg, 23, 0);
	set_bank_slot (msg, 1, 0);
	msg->phys_status.reset_active = TRUE;
	msg->phys_status.has_vcc_present = TRUE;
	msg->phys_status.vcc_present = FALSE;
	msg->phys_status.has_clk_active = TRUE;
	msg->phys_status.clk_active = FALSE;
	msg->phys_status.has_card_present = TRUE;
	msg->phys_status.card_present = TRUE;
	check_vector (msg,
		      "30 28 80 01 02 81 01 00 a2 20 ae 1e 30 06 02 01 17 02 01 00 "
		      "30 06 02 01 01 02 01 00 30 0c 80 01 ff 81 01 00 82 01 00 83 01 ff");

	memset (&msg->phys_status, 0, sizeof (msg->phys_status));
	msg->phys_status.has_vcc_present = TRUE;
	msg->phys_status.vcc_present = TRUE;
	check_vector (msg, hex_partial);
	decoded = decode_hex (hex_partial, &error);
	g_assert_no_error (error);
	g_assert_false (decoded->phys_status.reset_active);
	g_assert_true (decoded->phys_status.has_vcc_present);
	g_assert_true (decoded->phys_status.vcc_present);
	g_assert_false (decoded->phys_status.has_clk_active);
	g_assert_false (decoded->phys_status.has_card_present);
}

static void
test_rspro_vector_reset_error (void)
{
	g_autoptr (RemsimRsproMsg) msg = NULL;
	g_autoptr (RemsimRsproMsg) decoded = NULL;
	g_autoptr (GError) error = NULL;
	const gchar *hex_error = "30 1e 80 01 02 81 01 00 a2 16 b0 14 0a 01 02 0a 01 02 0a 01 02 "
				 "a0 06 02 01 01 02 01 02 82 01 78";

	msg = remsim_rspro_msg_new (REMSIM_RSPRO_RESET_STATE_REQ);
	check_vector (msg, "30 0a 80 01 02 81 01 00 a2 02 b3 00");
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	msg = remsim_rspro_msg_new (REMSIM_RSPRO_RESET_STATE_RES);
	check_vector (msg, "30 0d 80 01 02 81 01 00 a2 05 b4 03 0a 01 00");
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	msg = remsim_rspro_msg_new (REMSIM_RSPRO_ERROR_IND);
	msg->error_sender = REMSIM_COMPONENT_BANKD;
	msg->error_severity = REMSIM_ERROR_SEVERITY_MAJOR;
	msg->error_code = REMSIM_ERROR_CODE_UNEXPECTED_DISCONNECT;
	set_bank_slot (msg, 1, 2);
	msg->error_string = g_strdup ("x");
	check_vector (msg, hex_error);
	decoded = decode_hex (hex_error, &error);
	g_assert_no_error (error);
	g_assert_true (decoded->has_bank_slot);
	g_assert_false (decoded->has_client_slot);
	g_assert_cmpuint (decoded->bank_slot.slot_nr, ==, 2);
	g_assert_cmpstr (decoded->error_string, ==, "x");
	g_assert_cmpint (decoded->error_sender, ==, REMSIM_COMPONENT_BANKD);
}

static void
test_rspro_vector_tags (void)
{
	g_autoptr (RemsimRsproMsg) msg = remsim_rspro_msg_new (REMSIM_RSPRO_SET_ATR_RES);

	msg->tag = 128;
	check_vector (msg, "30 0e 80 01 02 81 02 00 80 a2 05 ab 03 0a 01 00");
	msg->tag = G_MAXINT32;
	check_vector (msg, "30 10 80 01 02 81 04 7f ff ff ff a2 05 ab 03 0a 01 00");
	msg->tag = 2342;
	check_vector (msg, "30 0e 80 01 02 81 02 09 26 a2 05 ab 03 0a 01 00");
}

static void
test_rspro_decode_bound (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimRsproMsg) msg = decode_hex (VEC_CONNECT_BANK_REQ_BOUND, &error);
	g_autoptr (RemsimRsproMsg) plain = NULL;

	g_assert_no_error (error);
	g_assert_cmpint (msg->type, ==, REMSIM_RSPRO_CONNECT_BANK_REQ);
	g_assert_cmpuint (msg->bank_id, ==, 1);
	g_assert_cmpuint (msg->number_of_slots, ==, 8);
	g_assert_cmpstr (msg->identity.name, ==, "bank");
	g_assert_cmpstr (msg->identity.software, ==, "remsim-bankd");
	g_assert_true (msg->has_bound);
	g_assert_cmpint (msg->bound.family, ==, G_SOCKET_FAMILY_IPV4);
	g_assert_cmpmem (msg->bound.addr, 4, "\x7f\x00\x00\x1e", 4);
	g_assert_cmpuint (msg->bound.port, ==, 9999);

	plain = decode_hex (VEC_CONNECT_BANK_REQ, &error);
	g_assert_no_error (error);
	g_assert_false (plain->has_bound);

	/* a bound element that is not an IpPort is dropped, not fatal */
	g_clear_pointer (&msg, remsim_rspro_msg_free);
	msg = decode_hex ("30 3d 80 01 02 81 01 00 a2 35 a0 33 30 1e 0a 01 02 16 04 62 61 6e 6b "
			  "80 0c 72 65 6d 73 69 6d 2d 62 61 6e 6b 64 81 05 31 2e 31 2e 33 "
			  "02 01 01 02 01 08 30 0b 80 05 7f 00 00 1e 01 02 02 27 0f",
			  &error);
	g_assert_no_error (error);
	g_assert_false (msg->has_bound);
}

static void
test_rspro_decode_unknown (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimRsproMsg) msg = NULL;

	/* context tag [25], empty */
	msg = decode_hex ("30 0a 80 01 02 81 01 07 a2 02 b9 00", &error);
	g_assert_no_error (error);
	g_assert_nonnull (msg);
	g_assert_cmpint (msg->type, ==, REMSIM_RSPRO_UNKNOWN);
	g_assert_cmpuint (msg->version, ==, 2);
	g_assert_cmpuint (msg->tag, ==, 7);
	g_assert_cmpstr (remsim_rspro_type_to_string (msg->type), ==, "unknown");
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* [25] with contents, and a primitive [30] */
	msg = decode_hex ("30 0f 80 01 02 81 01 00 a2 07 b9 05 0a 01 00 04 00", &error);
	g_assert_no_error (error);
	g_assert_cmpint (msg->type, ==, REMSIM_RSPRO_UNKNOWN);
	g_clear_pointer (&msg, remsim_rspro_msg_free);
	msg = decode_hex ("30 0b 80 01 02 81 01 00 a2 03 9e 01 00", &error);
	g_assert_no_error (error);
	g_assert_cmpint (msg->type, ==, REMSIM_RSPRO_UNKNOWN);

	/* an unknown message cannot be sent */
	assert_encode_fails (msg, NULL);
}

static void
test_rspro_decode_malformed (void)
{
	g_autoptr (GBytes) good = hex_to_bytes (VEC_CONNECT_CLIENT_REQ);
	gsize len = 0;
	const guint8 *buf = g_bytes_get_data (good, &len);
	g_autofree guint8 *deep = NULL;
	g_autofree guint8 *longer = NULL;
	const gsize deep_len = 4000;

	/* empty */
	assert_decode_fails (NULL, 0);
	assert_decode_fails (buf, 0);

	/* every truncation of a valid PDU; heap copies so ASan sees overreads */
	for (gsize i = 1; i < len; i++) {
		g_autofree guint8 *copy = g_memdup2 (buf, i);
		assert_decode_fails (copy, i);
	}

	/* trailing garbage */
	longer = g_malloc (len + 1);
	memcpy (longer, buf, len);
	longer[len] = 0x00;
	assert_decode_fails (longer, len + 1);

	/* garbage */
	assert_decode_hex_fails ("ff ff ff ff");
	assert_decode_hex_fails ("00");
	assert_decode_hex_fails ("30 00");
	assert_decode_hex_fails ("02 01 00");
	assert_decode_hex_fails ("30 84 ff ff ff ff 80 01 02");
	/* inner length beyond the outer one */
	assert_decode_hex_fails ("30 0d 80 01 02 81 01 00 a2 05 a5 09 0a 01 00");
	/* msg missing; not a CHOICE at [2] */
	assert_decode_hex_fails ("30 06 80 01 02 81 01 00");
	/* version too large for an INTEGER we can hold */
	assert_decode_hex_fails (
	    "30 15 80 09 01 00 00 00 00 00 00 00 00 81 01 00 a2 05 a5 03 0a 01 00");
	/* negative ids do not fit the message */
	assert_decode_hex_fails ("30 12 80 01 02 81 01 00 a2 0a a8 08 30 06 02 01 ff 02 01 01");
	/* bad ConfigClientBankReq address */
	assert_decode_hex_fails ("30 1c 80 01 02 81 01 00 a2 14 b1 12 30 06 02 01 01 02 01 00 "
				 "30 08 80 03 00 00 00 02 01 00");

	/* deeply nested indefinite lengths must not exhaust the stack */
	deep = g_malloc (deep_len);
	for (gsize i = 0; i < deep_len; i += 2) {
		deep[i] = 0x30;
		deep[i + 1] = 0x80;
	}
	assert_decode_fails (deep, deep_len);
	deep[0] = 0x30;
	deep[1] = 0x80;
	deep[2] = 0x80;
	deep[3] = 0x01;
	deep[4] = 0x02;
	deep[5] = 0x81;
	deep[6] = 0x01;
	deep[7] = 0x00;
	deep[8] = 0xa2;
	deep[9] = 0x80;
	deep[10] = 0xb9; /* unknown alternative wrapping the nest */
	deep[11] = 0x80;
	assert_decode_fails (deep, deep_len);
}

static void
test_rspro_decode_lenient (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimRsproMsg) msg = NULL;

	/* long-form and non-minimal lengths */
	msg = decode_hex ("30 81 13 80 01 02 81 01 00 a2 82 00 09 a5 84 00 00 00 03 0a 01 03",
			  &error);
	g_assert_no_error (error);
	g_assert_cmpint (msg->type, ==, REMSIM_RSPRO_CREATE_MAPPING_RES);
	g_assert_cmpint (msg->result, ==, REMSIM_RESULT_ILLEGAL_SLOT_ID);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* indefinite lengths */
	msg = decode_hex ("30 80 80 01 02 81 01 00 a2 80 a5 80 0a 01 00 00 00 00 00 00 00", &error);
	g_assert_no_error (error);
	g_assert_cmpint (msg->type, ==, REMSIM_RSPRO_CREATE_MAPPING_RES);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* BOOLEAN TRUE as 0x01, non-minimal INTEGER, constructed OCTET STRING */
	msg = decode_hex ("30 36 80 01 02 81 01 00 a2 2e ac 2c 30 07 02 02 00 17 02 01 00 "
			  "30 06 02 01 01 02 01 00 30 0c 01 01 01 01 01 01 01 01 00 01 01 00 "
			  "24 0b 04 03 a0 a4 00 04 04 00 02 3f 00",
			  &error);
	g_assert_no_error (error);
	g_assert_cmpint (msg->type, ==, REMSIM_RSPRO_TPDU_MODEM_TO_CARD);
	g_assert_true (msg->flags.tpdu_header_present);
	g_assert_true (msg->flags.final_part);
	g_assert_cmpuint (msg->client_slot.client_id, ==, 23);
	g_assert_cmpmem (g_bytes_get_data (msg->data, NULL),
			 g_bytes_get_size (msg->data),
			 "\xa0\xa4\x00\x00\x02\x3f\x00",
			 7);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* unknown trailing elements of extensible SEQUENCEs are skipped */
	msg = decode_hex ("30 20 80 01 02 81 01 00 a2 18 a4 16 30 09 02 01 17 02 01 00 02 01 05 "
			  "30 06 02 01 01 02 01 00 9f 40 00",
			  &error);
	g_assert_no_error (error);
	g_assert_cmpint (msg->type, ==, REMSIM_RSPRO_CREATE_MAPPING_REQ);
	g_assert_cmpuint (msg->client_slot.client_id, ==, 23);
	g_assert_cmpuint (msg->bank_slot.bank_id, ==, 1);
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* unknown enumeration values and out-of-range ids pass through */
	msg = decode_hex ("30 0d 80 01 02 81 01 00 a2 05 a5 03 0a 01 4d", &error);
	g_assert_no_error (error);
	g_assert_cmpint (msg->result, ==, 77);
	g_assert_cmpstr (remsim_result_code_to_string (msg->result), ==, "unknown");
	g_clear_pointer (&msg, remsim_rspro_msg_free);
	msg = decode_hex ("30 0d 80 01 02 81 01 00 a2 05 b2 03 0a 01 f9", &error);
	g_assert_no_error (error);
	g_assert_cmpint ((gint)msg->result, ==, -7);
	{
		/* and go out again unchanged */
		g_autoptr (GBytes) again = remsim_rspro_encode (msg, &error);
		g_assert_no_error (error);
		assert_bytes_hex (again, "30 0d 80 01 02 81 01 00 a2 05 b2 03 0a 01 f9");
	}
	g_clear_pointer (&msg, remsim_rspro_msg_free);
	msg = decode_hex ("30 13 80 01 02 81 01 00 a2 0b a8 09 30 07 02 02 13 88 02 01 01", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (msg->client_slot.client_id, ==, 5000);
	g_assert_false (remsim_client_slot_is_valid (&msg->client_slot));
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	/* version other than 2 is reported, not refused */
	msg = decode_hex ("30 0d 80 01 03 81 01 00 a2 05 a5 03 0a 01 00", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (msg->version, ==, 3);
}

static void
test_rspro_encode_invalid (void)
{
	g_autoptr (RemsimRsproMsg) msg = NULL;
	guint8 atr[60] = {0x3b};

	msg = make_full (REMSIM_RSPRO_CREATE_MAPPING_REQ);
	msg->client_slot.client_id = 5000;
	assert_encode_fails (msg, "client.clientId");
	msg->client_slot.client_id = 1;
	msg->bank_slot.slot_nr = 1024;
	assert_encode_fails (msg, "bank.slotNr");
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	msg = make_full (REMSIM_RSPRO_SET_ATR_REQ);
	g_bytes_unref (msg->data);
	msg->data = g_bytes_new (atr, sizeof (atr));
	assert_encode_fails (msg, "atr");
	g_clear_pointer (&msg->data, g_bytes_unref);
	assert_encode_fails (msg, "atr");
	msg->data = g_bytes_new (atr, 55);
	g_assert_true (remsim_rspro_msg_equal (msg, msg));
	{
		g_autoptr (GError) error = NULL;
		g_autoptr (GBytes) ok = remsim_rspro_encode (msg, &error);
		g_assert_no_error (error);
		g_assert_nonnull (ok);
	}
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	msg = make_full (REMSIM_RSPRO_CONNECT_CLIENT_REQ);
	g_free (msg->identity.name);
	msg->identity.name = g_strnfill (33, 'a');
	assert_encode_fails (msg, "identity.name");
	g_free (msg->identity.name);
	msg->identity.name = g_strdup ("");
	assert_encode_fails (msg, "identity.name");
	g_free (msg->identity.name);
	msg->identity.name = g_strdup ("h\xc3\xb6st");
	assert_encode_fails (msg, "identity.name");
	g_free (msg->identity.name);
	msg->identity.name = g_strnfill (32, 'a');
	g_clear_pointer (&msg->identity.software, g_free);
	assert_encode_fails (msg, "identity.software");
	msg->identity.software = g_strdup ("remsim-client");
	msg->identity.hw_model = g_strnfill (40, 'm');
	assert_encode_fails (msg, "identity.hwModel");
	g_clear_pointer (&msg->identity.hw_model, g_free);
	msg->identity.type = 3;
	assert_encode_fails (msg, "identity.type");
	msg->identity.type = REMSIM_COMPONENT_CLIENT;
	msg->tag = (guint32)G_MAXINT32 + 1;
	assert_encode_fails (msg, "tag");
	msg->tag = 0;
	msg->version = 33;
	assert_encode_fails (msg, "version");
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	msg = make_full (REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ);
	msg->bound.port = 65536;
	assert_encode_fails (msg, "bankd.port");
	msg->bound.port = 1;
	msg->bound.family = G_SOCKET_FAMILY_UNIX;
	assert_encode_fails (msg, "bankd.ip");
	g_clear_pointer (&msg, remsim_rspro_msg_free);

	msg = make_full (REMSIM_RSPRO_ERROR_IND);
	g_free (msg->error_string);
	msg->error_string = g_strnfill (256, 'e');
	assert_encode_fails (msg, "errorString");
}

/* the direct DER writer and reader against asn1c -------------------------- */

/* encode @msg both ways: same bytes, or the same error */
static GBytes *
assert_encodes_like_asn1c (const RemsimRsproMsg *msg)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GError) error_generic = NULL;
	g_autoptr (GBytes) direct = remsim_rspro_encode (msg, &error);
	g_autoptr (GBytes) generic = remsim_rspro_encode_generic (msg, &error_generic);

	if (generic == NULL) {
		g_assert_null (direct);
		g_assert_nonnull (error);
		g_assert_nonnull (error_generic);
		g_assert_error (error, error_generic->domain, error_generic->code);
		g_assert_cmpstr (error->message, ==, error_generic->message);
		return NULL;
	}
	g_assert_no_error (error);
	g_assert_nonnull (direct);
	if (!g_bytes_equal (direct, generic)) {
		g_autofree gchar *a = bytes_to_hex (direct);
		g_autofree gchar *b = bytes_to_hex (generic);
		g_error ("%s: direct %s, asn1c %s", remsim_rspro_type_to_string (msg->type), a, b);
	}
	return g_steal_pointer (&direct);
}

/* decode @buf both ways: equal messages (every field), or both fail */
static RemsimRsproMsg *
assert_decodes_like_asn1c (const guint8 *buf, gsize len)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GError) error_generic = NULL;
	g_autofree guint8 *copy = g_memdup2 (buf, len); /* so ASan sees overreads */
	g_autoptr (RemsimRsproMsg) direct = remsim_rspro_decode (copy, len, &error);
	g_autoptr (RemsimRsproMsg) generic =
	    remsim_rspro_decode_generic (copy, len, &error_generic);

	if (generic == NULL) {
		g_assert_null (direct);
		g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL);
		g_assert_cmpstr (error->message, ==, error_generic->message);
		return NULL;
	}
	g_assert_no_error (error);
	g_assert_nonnull (direct);
	g_assert_cmpint (direct->type, ==, generic->type);
	g_assert_true (remsim_rspro_msg_equal (direct, generic));
	g_assert_cmpint (direct->has_client_slot, ==, generic->has_client_slot);
	g_assert_cmpint (direct->has_bank_slot, ==, generic->has_bank_slot);
	g_assert_cmpint (direct->flags.tpdu_header_present, ==, generic->flags.tpdu_header_present);
	g_assert_cmpint (direct->flags.final_part, ==, generic->flags.final_part);
	g_assert_cmpint (
	    direct->flags.proc_byte_continue_tx, ==, generic->flags.proc_byte_continue_tx);
	g_assert_cmpint (
	    direct->flags.proc_byte_continue_rx, ==, generic->flags.proc_byte_continue_rx);
	g_assert_cmpint (direct->result, ==, generic->result);
	g_assert_cmpuint (direct->bank_id, ==, generic->bank_id);
	g_assert_true ((direct->data == NULL) == (generic->data == NULL));
	if (generic->data != NULL)
		g_assert_true (g_bytes_equal (direct->data, generic->data));
	return g_steal_pointer (&direct);
}

/* edge values first, then random ones */
static guint32
pick_u32 (const guint32 *edges, gsize n_edges, guint32 max, guint i)
{
	if (i < n_edges)
		return edges[i];
	return (guint32)g_test_rand_int_range (0, (gint32)MIN (max, (guint32)G_MAXINT32 - 1) + 1);
}

static void
test_rspro_direct_tpdu (void)
{
	static const guint32 ids[] = {0, 1, 127, 128, 255, 256, 1023};
	static const guint32 tags[] = {0,
				       1,
				       127,
				       128,
				       255,
				       256,
				       2342,
				       32767,
				       32768,
				       65535,
				       65536,
				       0x7fffff,
				       0x800000,
				       G_MAXINT32 - 1,
				       G_MAXINT32};
	static const guint32 versions[] = {2, 0, 1, 32};
	static const gsize lengths[] = {0, 1, 5, 127, 128, 255, 256, 260, 300, 65535, 65536};
	const gsize data_size = 65536 + 8;
	g_autofree guint8 *data = g_malloc (data_size);
	guint n = 0;

	for (gsize i = 0; i < data_size; i++)
		data[i] = (guint8)g_test_rand_int ();

	for (gint type = REMSIM_RSPRO_TPDU_MODEM_TO_CARD; type <= REMSIM_RSPRO_TPDU_CARD_TO_MODEM;
	     type++) {
		for (gsize len = 0; len <= 300 + G_N_ELEMENTS (lengths); len++) {
			for (guint flags = 0; flags < 16; flags++, n++) {
				g_autoptr (RemsimRsproMsg) msg = remsim_rspro_msg_new (type);
				g_autoptr (RemsimRsproMsg) decoded = NULL;
				g_autoptr (GBytes) encoded = NULL;
				gsize data_len = len <= 300 ? len : lengths[len - 301];

				msg->version = versions[n % G_N_ELEMENTS (versions)];
				msg->tag = pick_u32 (tags, G_N_ELEMENTS (tags), G_MAXINT32, n % 64);
				set_client_slot (
				    msg,
				    pick_u32 (ids, G_N_ELEMENTS (ids), 1023, n % 13),
				    pick_u32 (ids, G_N_ELEMENTS (ids), 1023, (n / 3) % 11));
				set_bank_slot (
				    msg,
				    pick_u32 (ids, G_N_ELEMENTS (ids), 1023, (n / 7) % 17),
				    pick_u32 (ids, G_N_ELEMENTS (ids), 1023, n % 9));
				msg->flags.tpdu_header_present = (flags & 1) != 0;
				msg->flags.final_part = (flags & 2) != 0;
				msg->flags.proc_byte_continue_tx = (flags & 4) != 0;
				msg->flags.proc_byte_continue_rx = (flags & 8) != 0;
				/* NULL data is empty data */
				if (data_len > 0 || flags % 2 == 0)
					msg->data = g_bytes_new (data + n % 7, data_len);

				encoded = assert_encodes_like_asn1c (msg);
				g_assert_nonnull (encoded);
				decoded = assert_decodes_like_asn1c (
				    g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded));
				g_assert_nonnull (decoded);
				if (msg->version == 0)
					msg->version = REMSIM_RSPRO_VERSION;
				g_assert_true (remsim_rspro_msg_equal (msg, decoded));
			}
		}
	}
}

static void
test_rspro_direct_other (void)
{
	static const RemsimRsproType result_types[] = {
	    REMSIM_RSPRO_CREATE_MAPPING_RES,
	    REMSIM_RSPRO_REMOVE_MAPPING_RES,
	    REMSIM_RSPRO_CONFIG_CLIENT_ID_RES,
	    REMSIM_RSPRO_SET_ATR_RES,
	    REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES,
	    REMSIM_RSPRO_RESET_STATE_RES,
	};
	static const gint results[] = {0,
				       1,
				       6,
				       100,
				       102,
				       127,
				       128,
				       255,
				       256,
				       32767,
				       32768,
				       -1,
				       -128,
				       -129,
				       G_MININT,
				       G_MAXINT};
	guint8 atr[56];

	for (gsize i = 0; i < sizeof (atr); i++)
		atr[i] = (guint8)(0x3b + i);

	for (gsize t = 0; t < G_N_ELEMENTS (result_types); t++) {
		for (gsize r = 0; r < G_N_ELEMENTS (results); r++) {
			g_autoptr (RemsimRsproMsg) msg = remsim_rspro_msg_new (result_types[t]);
			g_autoptr (GBytes) encoded = NULL;
			g_autoptr (RemsimRsproMsg) decoded = NULL;

			msg->result = results[r];
			msg->tag = (guint32)g_test_rand_int_range (0, G_MAXINT32);
			encoded = assert_encodes_like_asn1c (msg);
			decoded = assert_decodes_like_asn1c (g_bytes_get_data (encoded, NULL),
							     g_bytes_get_size (encoded));
			g_assert_true (remsim_rspro_msg_equal (msg, decoded));
		}
	}

	for (gsize len = 0; len <= sizeof (atr); len++) {
		g_autoptr (RemsimRsproMsg) msg = remsim_rspro_msg_new (REMSIM_RSPRO_SET_ATR_REQ);
		g_autoptr (GBytes) encoded = NULL;

		set_client_slot (msg, (guint32)g_test_rand_int_range (0, 1024), (guint32)len);
		if (len > 0)
			msg->data = g_bytes_new (atr, len);
		/* 0 and 56 bytes fail alike */
		encoded = assert_encodes_like_asn1c (msg);
		g_assert_true ((encoded != NULL) == (len >= 1 && len <= 55));
	}

	for (guint i = 0; i < 200; i++) {
		RemsimRsproType types[] = {REMSIM_RSPRO_CREATE_MAPPING_REQ,
					   REMSIM_RSPRO_REMOVE_MAPPING_REQ,
					   REMSIM_RSPRO_CONFIG_CLIENT_ID_REQ,
					   REMSIM_RSPRO_RESET_STATE_REQ};
		g_autoptr (RemsimRsproMsg) msg =
		    remsim_rspro_msg_new (types[i % G_N_ELEMENTS (types)]);
		g_autoptr (GBytes) encoded = NULL;

		msg->tag = i;
		set_client_slot (msg, (guint32)g_test_rand_int_range (0, 1025), i % 1024);
		set_bank_slot (msg, i * 7 % 1024, (guint32)g_test_rand_int_range (0, 1025));
		encoded = assert_encodes_like_asn1c (msg);
		if (encoded != NULL) {
			g_autoptr (RemsimRsproMsg) decoded = assert_decodes_like_asn1c (
			    g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded));
			g_assert_true (remsim_rspro_msg_equal (msg, decoded));
		}
	}
}

/* out-of-range values fail with asn1c's error, naming the field */
static void
test_rspro_direct_invalid (void)
{
	for (gint type = REMSIM_RSPRO_TPDU_MODEM_TO_CARD; type <= REMSIM_RSPRO_TPDU_CARD_TO_MODEM;
	     type++) {
		g_autoptr (RemsimRsproMsg) msg = make_full (type);
		const gchar *from =
		    type == REMSIM_RSPRO_TPDU_MODEM_TO_CARD ? "fromClientSlot" : "fromBankSlot";
		const gchar *to =
		    type == REMSIM_RSPRO_TPDU_MODEM_TO_CARD ? "toBankSlot" : "toClientSlot";
		g_autofree gchar *client_id = g_strdup_printf (
		    "%s.clientId", type == REMSIM_RSPRO_TPDU_MODEM_TO_CARD ? from : to);
		g_autofree gchar *bank_slot = g_strdup_printf (
		    "%s.slotNr", type == REMSIM_RSPRO_TPDU_MODEM_TO_CARD ? to : from);

		msg->client_slot.client_id = 1024;
		g_assert_null (assert_encodes_like_asn1c (msg));
		assert_encode_fails (msg, client_id);
		msg->client_slot.client_id = 1023;
		msg->bank_slot.slot_nr = G_MAXUINT32;
		g_assert_null (assert_encodes_like_asn1c (msg));
		assert_encode_fails (msg, bank_slot);
		msg->bank_slot.slot_nr = 0;
		msg->tag = (guint32)G_MAXINT32 + 1;
		g_assert_null (assert_encodes_like_asn1c (msg));
		assert_encode_fails (msg, "tag");
		msg->tag = 0;
		msg->version = 33;
		g_assert_null (assert_encodes_like_asn1c (msg));
		assert_encode_fails (msg, "version");
	}
}

/* the strict reader takes nothing asn1c would read differently */
static void
test_rspro_direct_decode_mutated (void)
{
	static const gchar *const vectors[] = {
	    VEC_TPDU_M2C_PEER,
	    VEC_TPDU_M2C_UPSTREAM,
	    "30 2c 80 01 02 81 01 00 a2 24 ad 22 30 06 02 01 01 02 01 00 30 06 02 01 17 02 01 00 "
	    "30 0c 01 01 00 01 01 00 01 01 00 01 01 00 04 02 9f 17",
	    /* 2-byte INTEGERs everywhere, tag 2^31-1, empty data */
	    "30 31 80 01 02 81 04 7f ff ff ff a2 26 ac 24 30 08 02 02 03 ff 02 02 00 80 "
	    "30 08 02 02 01 00 02 02 00 ff 30 0c 01 01 ff 01 01 00 01 01 ff 01 01 ff 04 00",
	};
	static const guint8 values[] = {
	    0x00, 0x01, 0x02, 0x04, 0x30, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0xac, 0xff};

	for (gsize v = 0; v < G_N_ELEMENTS (vectors); v++) {
		g_autoptr (GBytes) bytes = hex_to_bytes (vectors[v]);
		gsize len = 0;
		const guint8 *buf = g_bytes_get_data (bytes, &len);
		g_autofree guint8 *work = g_malloc (len + 4);
		g_autoptr (RemsimRsproMsg) msg = assert_decodes_like_asn1c (buf, len);
		g_autoptr (GBytes) again = NULL;

		/* the vector itself goes the direct way, both ways */
		g_assert_nonnull (msg);
		again = assert_encodes_like_asn1c (msg);
		g_assert_true (g_bytes_equal (again, bytes));

		for (gsize i = 0; i < len; i++) {
			/* every byte replaced by interesting values and bit flips */
			for (gsize k = 0; k < G_N_ELEMENTS (values) + 8; k++) {
				g_autoptr (RemsimRsproMsg) m = NULL;
				memcpy (work, buf, len);
				work[i] =
				    k < G_N_ELEMENTS (values)
					? values[k]
					: (guint8)(buf[i] ^ (1u << (k - G_N_ELEMENTS (values))));
				m = assert_decodes_like_asn1c (work, len);
			}
			/* truncated, and one byte inserted */
			{
				g_autoptr (RemsimRsproMsg) m = assert_decodes_like_asn1c (buf, i);
			}
			for (gsize k = 0; k < G_N_ELEMENTS (values); k++) {
				g_autoptr (RemsimRsproMsg) m = NULL;
				memcpy (work, buf, i);
				work[i] = values[k];
				memcpy (work + i + 1, buf + i, len - i);
				m = assert_decodes_like_asn1c (work, len + 1);
			}
		}
		/* random garbage after a valid prefix */
		for (guint r = 0; r < 2000; r++) {
			g_autoptr (RemsimRsproMsg) m = NULL;
			gsize cut = (gsize)g_test_rand_int_range (0, (gint32)len + 1);
			gsize total = MIN (len + 4, cut + (gsize)g_test_rand_int_range (0, 5));
			memcpy (work, buf, cut);
			for (gsize i = cut; i < total; i++)
				work[i] = (guint8)g_test_rand_int ();
			if (cut > 1)
				work[g_test_rand_int_range (0, (gint32)cut)] ^=
				    (guint8)g_test_rand_int_range (1, 256);
			m = assert_decodes_like_asn1c (work, total);
		}
	}
}

static void
test_rspro_identity (void)
{
	RemsimComponentIdentity id = {0};
	RemsimComponentIdentity copy = {0};
	g_autofree gchar *host = NULL;

	remsim_component_identity_init_self (&id, REMSIM_COMPONENT_CLIENT, NULL);
	g_assert_cmpint (id.type, ==, REMSIM_COMPONENT_CLIENT);
	g_assert_cmpstr (id.software, ==, "remsim-client");
	g_assert_cmpstr (id.sw_version, ==, PACKAGE_VERSION);
	g_assert_nonnull (id.name);
	g_assert_cmpuint (strlen (id.name), >=, 1);
	g_assert_cmpuint (strlen (id.name), <=, 32);
	host = g_strndup (g_get_host_name (), 32);
	if (g_str_is_ascii (host))
		g_assert_cmpstr (id.name, ==, host);
	g_assert_null (id.hw_model);

	remsim_component_identity_init_self (&id, REMSIM_COMPONENT_SERVER, "srv");
	g_assert_cmpstr (id.software, ==, "remsim-server");
	g_assert_cmpstr (id.name, ==, "srv");

	remsim_component_identity_init_self (
	    &id, REMSIM_COMPONENT_BANKD, "a-very-long-bankd-name-0123456789abcdef");
	g_assert_cmpint (id.type, ==, REMSIM_COMPONENT_BANKD);
	g_assert_cmpstr (id.software, ==, "remsim-bankd");
	g_assert_cmpstr (id.name, ==, "a-very-long-bankd-name-012345678");

	id.hw_manufacturer = g_strdup ("acme");
	remsim_component_identity_copy_into (&copy, &id);
	g_assert_cmpstr (copy.name, ==, id.name);
	g_assert_cmpstr (copy.hw_manufacturer, ==, "acme");
	g_assert_true (copy.name != id.name);
	remsim_component_identity_copy_into (&copy, &copy);
	g_assert_cmpstr (copy.software, ==, "remsim-bankd");

	remsim_component_identity_clear (&id);
	g_assert_null (id.name);
	g_assert_null (id.hw_manufacturer);
	remsim_component_identity_clear (&copy);
}

static void
test_rspro_identity_encodes (void)
{
	/* our own identity is always sendable */
	for (gint t = REMSIM_COMPONENT_CLIENT; t <= REMSIM_COMPONENT_BANKD; t++) {
		g_autoptr (RemsimRsproMsg) msg =
		    remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_CLIENT_RES);
		g_autoptr (GBytes) encoded = NULL;
		g_autoptr (GError) error = NULL;

		remsim_component_identity_init_self (&msg->identity, t, NULL);
		encoded = remsim_rspro_encode (msg, &error);
		g_assert_no_error (error);
		g_assert_nonnull (encoded);
	}
}

static void
test_rspro_to_string (void)
{
	g_assert_cmpstr (
	    remsim_rspro_type_to_string (REMSIM_RSPRO_CONNECT_BANK_REQ), ==, "connectBankReq");
	g_assert_cmpstr (remsim_rspro_type_to_string (REMSIM_RSPRO_ERROR_IND), ==, "errorInd");
	g_assert_cmpstr (
	    remsim_rspro_type_to_string (REMSIM_RSPRO_RESET_STATE_RES), ==, "resetStateRes");
	g_assert_cmpstr (remsim_rspro_type_to_string (REMSIM_RSPRO_UNKNOWN), ==, "unknown");
	g_assert_cmpstr (remsim_rspro_type_to_string (99), ==, "unknown");
	g_assert_cmpstr (remsim_result_code_to_string (REMSIM_RESULT_OK), ==, "ok");
	g_assert_cmpstr (
	    remsim_result_code_to_string (REMSIM_RESULT_CARD_NOT_PRESENT), ==, "cardNotPresent");
	g_assert_cmpstr (
	    remsim_result_code_to_string (REMSIM_RESULT_IDENTITY_IN_USE), ==, "identityInUse");
	g_assert_cmpstr (
	    remsim_component_type_to_string (REMSIM_COMPONENT_BANKD), ==, "remsimBankd");
	g_assert_cmpstr (
	    remsim_component_type_to_string (REMSIM_COMPONENT_CLIENT), ==, "remsimClient");
	for (gint t = REMSIM_RSPRO_CONNECT_BANK_REQ; t <= REMSIM_RSPRO_RESET_STATE_RES; t++)
		g_assert_cmpstr (remsim_rspro_type_to_string (t), !=, "unknown");
}

static void
test_rspro_boxed (void)
{
	g_autoptr (RemsimRsproMsg) msg = make_full (REMSIM_RSPRO_ERROR_IND);
	RemsimRsproMsg *copy;

	g_assert_true (G_TYPE_IS_BOXED (REMSIM_TYPE_RSPRO_MSG));
	copy = g_boxed_copy (REMSIM_TYPE_RSPRO_MSG, msg);
	g_assert_true (remsim_rspro_msg_equal (msg, copy));
	g_assert_true (copy->error_string != msg->error_string);
	g_boxed_free (REMSIM_TYPE_RSPRO_MSG, copy);

	/* new() gives version 2, tag 0 */
	{
		g_autoptr (RemsimRsproMsg) fresh = remsim_rspro_msg_new (REMSIM_RSPRO_SET_ATR_RES);
		g_assert_cmpuint (fresh->version, ==, REMSIM_RSPRO_VERSION);
		g_assert_cmpuint (fresh->tag, ==, 0);
		g_assert_null (fresh->data);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/remsim/rspro/roundtrip", test_rspro_roundtrip);
	g_test_add_func ("/remsim/rspro/equal", test_rspro_equal);
	g_test_add_func ("/remsim/rspro/boxed", test_rspro_boxed);
	g_test_add_func ("/remsim/rspro/vector/connect", test_rspro_vector_connect);
	g_test_add_func ("/remsim/rspro/vector/mapping", test_rspro_vector_mapping);
	g_test_add_func ("/remsim/rspro/vector/config-bank", test_rspro_vector_config_bank);
	g_test_add_func ("/remsim/rspro/vector/atr", test_rspro_vector_atr);
	g_test_add_func ("/remsim/rspro/vector/tpdu", test_rspro_vector_tpdu);
	g_test_add_func ("/remsim/rspro/vector/tpdu-long", test_rspro_vector_tpdu_long);
	g_test_add_func ("/remsim/rspro/vector/status", test_rspro_vector_status);
	g_test_add_func ("/remsim/rspro/vector/reset-error", test_rspro_vector_reset_error);
	g_test_add_func ("/remsim/rspro/vector/tags", test_rspro_vector_tags);
	g_test_add_func ("/remsim/rspro/decode/bound", test_rspro_decode_bound);
	g_test_add_func ("/remsim/rspro/decode/unknown", test_rspro_decode_unknown);
	g_test_add_func ("/remsim/rspro/decode/malformed", test_rspro_decode_malformed);
	g_test_add_func ("/remsim/rspro/decode/lenient", test_rspro_decode_lenient);
	g_test_add_func ("/remsim/rspro/encode/invalid", test_rspro_encode_invalid);
	g_test_add_func ("/remsim/rspro/direct/tpdu", test_rspro_direct_tpdu);
	g_test_add_func ("/remsim/rspro/direct/other", test_rspro_direct_other);
	g_test_add_func ("/remsim/rspro/direct/invalid", test_rspro_direct_invalid);
	g_test_add_func ("/remsim/rspro/direct/decode-mutated", test_rspro_direct_decode_mutated);
	g_test_add_func ("/remsim/rspro/identity", test_rspro_identity);
	g_test_add_func ("/remsim/rspro/identity-encodes", test_rspro_identity_encodes);
	g_test_add_func ("/remsim/rspro/to-string", test_rspro_to_string);

	return g_test_run ();
}
