/* SPDX-License-Identifier: GPL-2.0-or-later */

#include "config.h"

#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "remsim-simcard.h"

/* known answers of the default profile, Ki = 000102..0f (see docs/simcard.md) */
#define RAND "23553cbe9637a89d218ae64dae47bf35"
#define AUTN "bd9232ae9a08800023543ebd92132e9a" /* SQN 000000000021, AMF 8000 */
#define SRES_KC_3G                                                                                 \
	"b1669027"                                                                                 \
	"0529cb4867bfaadd"
#define SRES_KC_2G                                                                                 \
	"23543ebd"                                                                                 \
	"9232ae9a2983ec46"
#define RES	 "23543ebd9232ae9a"
#define CK	 "543ebd9232ae9a2983ec46a24ab13a23"
#define IK	 "3ebd9232ae9a2983ec46a24ab13a2354"
#define EF_ICCID "98940000000000000031"
#define EF_IMSI	 "080910101032547698"
#define USIM_AID "a0000000871002ff49ff0589"
#define GSM_MF_RESPONSE                                                                            \
	"000010003f0001"                                                                           \
	"0000000000"                                                                               \
	"0a"                                                                                       \
	"93"                                                                                       \
	"02"                                                                                       \
	"04"                                                                                       \
	"04"                                                                                       \
	"00"                                                                                       \
	"83"                                                                                       \
	"8a"                                                                                       \
	"000000"

static GByteArray *
unhex (const gchar *hex)
{
	GByteArray *out = g_byte_array_new ();

	for (const gchar *p = hex; *p != '\0';) {
		guint8 b;
		if (*p == ' ') {
			p++;
			continue;
		}
		g_assert_true (g_ascii_isxdigit (p[0]) && g_ascii_isxdigit (p[1]));
		b = (g_ascii_xdigit_value (p[0]) << 4) | g_ascii_xdigit_value (p[1]);
		g_byte_array_append (out, &b, 1);
		p += 2;
	}
	return out;
}

static gchar *
tohex (const guint8 *data, gsize len)
{
	GString *s = g_string_new (NULL);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf (s, "%02x", data[i]);
	return g_string_free (s, FALSE);
}

/* send a command (hex, spaces allowed), compare the response (hex) */
static void
assert_apdu (RemsimSimcard *card, const gchar *cmd, const gchar *expected)
{
	g_autoptr (GByteArray) c = unhex (cmd);
	g_autoptr (GByteArray) e = unhex (expected);
	g_autoptr (GBytes) r = remsim_simcard_process (card, c->data, c->len);
	gsize len;
	const guint8 *data = g_bytes_get_data (r, &len);
	g_autofree gchar *got = tohex (data, len);
	g_autofree gchar *want = tohex (e->data, e->len);

	if (g_strcmp0 (got, want) != 0)
		g_error ("%s: got %s, expected %s", cmd, got, want);
}

static RemsimSimcard *
card_from_default (const gchar *from, const gchar *to)
{
	g_autoptr (GBytes) bytes = remsim_simcard_get_default_profile ();
	g_autofree gchar *text =
	    g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
	g_autoptr (GString) s = g_string_new (text);
	g_autoptr (GError) error = NULL;
	RemsimSimcard *card;

	if (from != NULL)
		g_assert_cmpuint (g_string_replace (s, from, to, 1), ==, 1);
	card = remsim_simcard_new_from_data (s->str, s->len, "test", &error);
	g_assert_no_error (error);
	g_assert_nonnull (card);
	g_bytes_unref (remsim_simcard_power_on (card));
	return card;
}

static void
test_simcard_atr (void)
{
	g_autoptr (RemsimSimcard) card = card_from_default (NULL, NULL);
	g_autoptr (GBytes) atr = remsim_simcard_reset (card);
	g_autofree gchar *hex = tohex (g_bytes_get_data (atr, NULL), g_bytes_get_size (atr));

	g_assert_cmpstr (hex, ==, "3b9f96801fc78031a073be21136743200718000001a5");
	g_assert_true (remsim_simcard_is_powered (card));
	remsim_simcard_power_off (card);
	g_assert_false (remsim_simcard_is_powered (card));
}

static void
test_simcard_default_profile (void)
{
	const gchar *path = g_getenv ("REMSIM_SIMCARD_DEFAULT_PROFILE");
	g_autoptr (GBytes) builtin = remsim_simcard_get_default_profile ();
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimSimcard) card = NULL;

	if (path == NULL) {
		g_test_skip ("REMSIM_SIMCARD_DEFAULT_PROFILE not set");
		return;
	}
	/* the compiled-in copy is the file in data/simcard/ */
	g_assert_true (g_file_get_contents (path, &contents, &len, &error));
	g_assert_no_error (error);
	g_assert_cmpmem (
	    contents, len, g_bytes_get_data (builtin, NULL), g_bytes_get_size (builtin));
	card = remsim_simcard_new_from_file (path, &error);
	g_assert_no_error (error);
	g_assert_nonnull (card);

	/* $REMSIM_SIMCARD_PROFILE replaces it */
	g_setenv (REMSIM_SIMCARD_PROFILE_ENV, "/nonexistent/remsim.conf", TRUE);
	g_clear_object (&card);
	card = remsim_simcard_new_default (&error);
	g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_assert_null (card);
	g_unsetenv (REMSIM_SIMCARD_PROFILE_ENV);
	g_clear_error (&error);
	card = remsim_simcard_new_default (&error);
	g_assert_no_error (error);
	g_assert_nonnull (card);
}

static void
test_simcard_gsm_session (void)
{
	g_autoptr (RemsimSimcard) card = card_from_default (NULL, NULL);

	/* MF: 9F 17, then the 23 bytes of GSM 11.11 9.2.1 */
	assert_apdu (card, "a0a4000002 3f00", "9f17");
	assert_apdu (card, "a0c0000017", GSM_MF_RESPONSE "9000");
	/* the response is only for the next command */
	assert_apdu (card, "a0c0000017", "6f00");
	assert_apdu (card, "a0f2000017", GSM_MF_RESPONSE "9000");

	/* EF ICCID */
	assert_apdu (card, "a0a4000002 2fe2", "9f0f");
	assert_apdu (card, "a0c000000f", "0000000a2fe204000fff4401020000 9000");
	assert_apdu (card, "a0b000000a", EF_ICCID "9000");
	assert_apdu (card, "a0b0000005", "9894000000 9000");
	assert_apdu (card, "a0b0000506", "6705"); /* GSM: 67 XX, XX = what is left */
	assert_apdu (card, "a0b0000a01", "9402");
	assert_apdu (card, "a0d6000001 00", "9804"); /* update: never */
	assert_apdu (card, "a0b2010400", "9408");

	/* DF GSM / EF IMSI */
	assert_apdu (card, "a0a4000002 7f20", "9f17");
	assert_apdu (card, "a0a4000002 6f07", "9f0f");
	assert_apdu (card, "a0c000000f", "000000096f07040014ff4401020000 9000");
	assert_apdu (card, "a0b0000009", EF_IMSI "9000");
	assert_apdu (card, "a0a4000002 6f46", "9f0f");
	assert_apdu (card, "a0b0000011", "0172656d73696dffffffffffffffffffff 9000");
	assert_apdu (card, "a0a4000002 6fad", "9f0f");
	assert_apdu (card, "a0b0000004", "00000002 9000");
	assert_apdu (card, "a0a4000002 6f99", "9404");
	assert_apdu (
	    card, "a0f2000017", "00001000 7f20 02 0000000000 0a 93 00 08 04 00 838a 000000 9000");

	/* RUN GSM ALGORITHM with the TS 34.108 test algorithm + c2/c3 */
	assert_apdu (card, "a088000010" RAND, "9f0c");
	assert_apdu (card, "a0c000000c", SRES_KC_3G "9000");
	assert_apdu (card,
		     "a08800000f"
		     "23553cbe9637a89d218ae64dae47bf",
		     "6700");
	assert_apdu (card, "a088000110" RAND, "6b00");

	/* DF TELECOM is a sibling of DF GSM */
	assert_apdu (card, "a0a4000002 7f10", "9f17");
}

static void
test_simcard_gsm_records (void)
{
	g_autoptr (RemsimSimcard) card = card_from_default (NULL, NULL);
	assert_apdu (card, "a0a4000002 7f10", "9f17");
	assert_apdu (card, "a0a4000002 6f3a", "9f0f");
	assert_apdu (card, "a0c000000f", "0000012c6f3a040011ff440102011e 9000");
	assert_apdu (card,
		     "a0b201041e",
		     "566f6963656d61696cffffffffffffff 06919421436587ffffffffffffff 9000");
	assert_apdu (card,
		     "a0b202041e",
		     "54657374204e756d626572ffffffffff 06811032547698ffffffffffffff 9000");
	assert_apdu (card,
		     "a0b203041e",
		     "ffffffffffffffffffffffffffffffff ffffffffffffffffffffffffffff 9000");
	assert_apdu (card, "a0b20b041e", "9402");
	assert_apdu (card, "a0b201041c", "671e");
	/* next / previous move the record pointer, absolute does not */
	assert_apdu (card,
		     "a0b200021e",
		     "566f6963656d61696cffffffffffffff 06919421436587ffffffffffffff 9000");
	assert_apdu (card,
		     "a0b200021e",
		     "54657374204e756d626572ffffffffff 06811032547698ffffffffffffff 9000");
	assert_apdu (card,
		     "a0b200041e",
		     "54657374204e756d626572ffffffffff 06811032547698ffffffffffffff 9000");
	assert_apdu (card,
		     "a0b200031e",
		     "566f6963656d61696cffffffffffffff 06919421436587ffffffffffffff 9000");
	assert_apdu (card, "a0b200031e", "9402");
	/* UPDATE RECORD (PIN1 disabled, so allowed) */
	assert_apdu (card,
		     "a0dc03041e 41ffffffffffffffffffffffffffffff 0281f1ffffffffffffffffffffff",
		     "9000");
	assert_apdu (card,
		     "a0b203041e",
		     "41ffffffffffffffffffffffffffffff 0281f1ffffffffffffffffffffff 9000");
	assert_apdu (card, "a0dc03041d 41", "6700");
	assert_apdu (card, "a0b0000001", "9408");
}

static void
test_simcard_errors (void)
{
	g_autoptr (RemsimSimcard) card = card_from_default (NULL, NULL);

	assert_apdu (card, "a0ee000000", "6d00");
	assert_apdu (card, "00ee000000", "6d00");
	assert_apdu (card, "b0a4000002 3f00", "6e00");
	assert_apdu (card, "ffa4000002 3f00", "6e00");
	assert_apdu (card, "01a4000c02 3f00", "6881"); /* logical channel 1 */
	assert_apdu (card, "41a4000c02 3f00", "6881");
	assert_apdu (card, "0ca4000c02 3f00", "6882"); /* secure messaging */
	assert_apdu (card, "a0a4", "6700");
	assert_apdu (card, "a0a4000003 3f00", "6700");	 /* Lc says 3, 2 follow */
	assert_apdu (card, "a0a4000002 3f0000", "9f17"); /* a trailing Le is ignored */
	assert_apdu (card, "a0a4000001 3f", "6700");
	assert_apdu (card, "a0a4010002 3f00", "6b00");
	assert_apdu (card, "a0b0000001 00", "6700"); /* case 2 with data */
	assert_apdu (card, "a0b0000001", "9400");    /* no EF selected */
	assert_apdu (card, "00b0000001", "6986");
	assert_apdu (card, "00c0000001", "6985");
	assert_apdu (card, "a0c0000001", "6f00");
	assert_apdu (card, "00f2000000", "6d00"); /* STATUS is CLA 80 for a UICC */
	assert_apdu (card, "80a4000c02 3f00", "6d00");
	assert_apdu (card, "a010000001 ff", "9000"); /* TERMINAL PROFILE */
	assert_apdu (card, "8010000001 ff", "9000");
	assert_apdu (card, "a0fa000000", "9000"); /* SLEEP */
	assert_apdu (card, "0070000001", "6881"); /* MANAGE CHANNEL */
	assert_apdu (card, "", "6700");
}

static void
test_simcard_uicc_session (void)
{
	g_autoptr (RemsimSimcard) card = card_from_default (NULL, NULL);
	/* SELECT MF with FCP: 61 XX, GET RESPONSE with the right Le */
	assert_apdu (card, "00a4000402 3f00", "611a");
	assert_apdu (card, "00c0000020", "6c1a"); /* wrong Le: 6C XX, data kept */
	assert_apdu (
	    card, "00c000001a", "6218 82027821 83023f00 8a0105 8b032f0601 c606900100830101 9000");
	/* a short Le leaves the rest for the next GET RESPONSE */
	assert_apdu (card, "00a4000002 3f00", "611a");
	assert_apdu (card, "00c0000010", "6218 82027821 83023f00 8a0105 8b032f 610a");
	assert_apdu (card, "00c000000a", "0601 c606900100830101 9000");

	/* EF ICCID without FCP, READ BINARY with T=0 Le semantics */
	assert_apdu (card, "00a4000c02 2fe2", "9000");
	assert_apdu (card, "00b0000000", "6c0a"); /* P3 = 00 means 256 */
	assert_apdu (card, "00b000000a", EF_ICCID "9000");
	assert_apdu (card, "00b0000a01", "6b00");
	assert_apdu (card, "00b0810001", "6a82"); /* by SFI: none defined */
	assert_apdu (card, "00a4000402 2fe2", "6116");
	assert_apdu (card, "00c0000016", "6214 82024121 83022fe2 8a0105 8b032f0602 8002000a 9000");

	/* EF DIR names the USIM; SELECT it by AID (right-truncated too) */
	assert_apdu (card, "00a4000c02 2f00", "9000");
	assert_apdu (
	    card, "00b2010420", "61144f0c" USIM_AID "50045553494d ffffffffffffffffffff 9000");
	assert_apdu (card, "00a404040c" USIM_AID, "6124");
	assert_apdu (card,
		     "00c0000024",
		     "6222 82027821 840c" USIM_AID " 8a0105 8b032f0601 c606900100830101 9000");
	assert_apdu (card, "00a4040c07 a0000000871002", "9000");
	assert_apdu (card, "00a4040c07 a0000000871003", "6a82");
	assert_apdu (card, "80f2000000", "6c24"); /* STATUS: FCP of the ADF */
	assert_apdu (card, "80f200010e", "840c" USIM_AID "9000");
	assert_apdu (card, "80f2000c00", "9000");
	assert_apdu (card, "00a4000c02 6f07", "9000");
	assert_apdu (card, "00b0000009", EF_IMSI "9000");
	assert_apdu (card, "00a4000c02 7fff", "9000");

	/* path selection */
	assert_apdu (card, "00a4080c04 7f206f07", "9000");
	assert_apdu (card, "00b0000009", EF_IMSI "9000");
	assert_apdu (card, "00a4080c06 3f007f106f3a", "9000");
	assert_apdu (card, "00b2020400", "6c1e");
	assert_apdu (card, "00b20b041e", "6a83");
	assert_apdu (card, "00a4080c04 7f206f99", "6a82");
	assert_apdu (card, "00a4030c00", "9000"); /* parent of DF TELECOM = MF */
	assert_apdu (card, "00a4010c02 7f20", "9000");
	assert_apdu (card, "00a4020c02 6fad", "9000");
	assert_apdu (card, "00b0000004", "00000002 9000");
	assert_apdu (card, "00a4000402 6f99", "6a82");
	assert_apdu (card, "00a4001402 3f00", "6a86");

	/* AUTHENTICATE, 3G context: RES, CK, IK, Kc */
	assert_apdu (card, "00a4040c0c" USIM_AID, "9000");
	assert_apdu (card, "0088008122 10" RAND "10" AUTN, "6135");
	assert_apdu (card,
		     "00c0000035",
		     "db08" RES "10" CK "10" IK "08"
		     "0529cb4867bfaadd"
		     "9000");
	/* MAC failure */
	assert_apdu (card,
		     "0088008122 10" RAND "10"
		     "bd9232ae9a08800023543ebd92132e9b",
		     "9862");
	/* GSM context */
	assert_apdu (card, "0088008011 10" RAND, "610e");
	assert_apdu (card, "00c000000e", "04b1669027 080529cb4867bfaadd 9000");
	assert_apdu (card, "0088008211 10" RAND, "6a86");
	assert_apdu (card, "0088008111 10" RAND, "6a80");
	assert_apdu (card, "0088008011 0f" RAND, "6a80");
}

static void
test_simcard_pin (void)
{
	g_autoptr (RemsimSimcard) card =
	    card_from_default ("pin1-enabled=false", "pin1-enabled=true");
	g_autoptr (GBytes) atr = NULL;

	/* GSM: EF IMSI needs CHV1 */
	assert_apdu (card, "a0a4000002 7f20", "9f17");
	assert_apdu (
	    card, "a0c0000017", "00001000 7f20 02 0000000000 0a 13 00 08 04 00 838a 000000 9000");
	assert_apdu (card, "a0a4000002 6f07", "9f0f");
	assert_apdu (card, "a0b0000009", "9804");
	assert_apdu (card, "a088000010" RAND, "9804");
	assert_apdu (card, "a020000108 31313131ffffffff", "9804");
	assert_apdu (
	    card, "a0f2000017", "00001000 7f20 02 0000000000 0a 13 00 08 04 00 828a 000000 9000");
	assert_apdu (card, "a020000108 31323334ffffffff", "9000");
	assert_apdu (card, "a0b0000009", EF_IMSI "9000");
	assert_apdu (card, "a020000208 31323334ffffffff", "6b00");
	assert_apdu (card, "a020000107 31323334ffffff", "6700");

	/* a reset forgets the verification */
	atr = remsim_simcard_reset (card);
	assert_apdu (card, "a0a4000002 7f20", "9f17");
	assert_apdu (card, "a0a4000002 6f07", "9f0f");
	assert_apdu (card, "a0b0000009", "9804");

	/* UICC: retry counter query, 63 CX, blocked, unblock with the PUK */
	assert_apdu (card, "0020000100", "63c3");
	assert_apdu (card, "0020000108 31313131ffffffff", "63c2");
	assert_apdu (card, "0020000108 31313131ffffffff", "63c1");
	assert_apdu (card, "a020000108 31313131ffffffff", "9840");
	assert_apdu (card, "0020000108 31323334ffffffff", "6983");
	assert_apdu (card, "a020000108 31323334ffffffff", "9840");
	assert_apdu (card, "002c000100", "63ca");
	assert_apdu (card, "002c000110 3132333435363730 31323334ffffffff", "63c9");
	assert_apdu (card, "a02c000010 3132333435363738 34333231ffffffff", "9000");
	assert_apdu (card, "002c000100", "63ca");
	assert_apdu (card, "0020000100", "9000"); /* verified by the unblock */
	assert_apdu (card, "a0b0000009", EF_IMSI "9000");

	/* CHANGE CHV, DISABLE CHV, ENABLE CHV */
	assert_apdu (card, "a024000110 34333231ffffffff 30303030ffffffff", "9000");
	assert_apdu (card, "a028000108 30303030ffffffff", "9808"); /* already enabled */
	assert_apdu (card, "a026000108 30303030ffffffff", "9000");
	assert_apdu (card, "a026000108 30303030ffffffff", "9808");
	assert_apdu (card, "a020000108 30303030ffffffff", "9808"); /* GSM: disabled */
	g_bytes_unref (remsim_simcard_reset (card));
	assert_apdu (card, "a0a4000002 7f20", "9f17");
	assert_apdu (card, "a0a4000002 6f07", "9f0f");
	assert_apdu (card, "a0b0000009", EF_IMSI "9000");
	assert_apdu (card, "0020000100", "9000");
	assert_apdu (card, "0020000108 30303030ffffffff", "9000"); /* UICC: checked anyway */
	assert_apdu (card, "0028000108 30303030ffffffff", "9000");
	g_bytes_unref (remsim_simcard_reset (card));
	assert_apdu (card, "0020000100", "63c3");
}

static void
test_simcard_xor_2g (void)
{
	g_autoptr (RemsimSimcard) card =
	    card_from_default ("gsm-algorithm=xor-3g", "gsm-algorithm=xor-2g");

	assert_apdu (card, "a088000010" RAND, "9f0c");
	assert_apdu (card, "a0c000000c", SRES_KC_2G "9000");
	assert_apdu (card, "0088008011 10" RAND, "610e");
	assert_apdu (card, "00c000000e", "0423543ebd 089232ae9a2983ec46 9000");
}

static void
test_simcard_sqn_check (void)
{
	g_autoptr (RemsimSimcard) card = card_from_default ("sqn-check=false", "sqn-check=true");
	guint8 autn[16];
	g_autoptr (GByteArray) k = unhex ("000102030405060708090a0b0c0d0e0f");
	g_autoptr (GByteArray) rand = unhex (RAND);
	const guint8 sqn[6] = {0, 0, 0, 0, 0, 0x22};
	const guint8 amf[2] = {0x80, 0};
	g_autofree gchar *autn_hex = NULL;
	g_autofree gchar *cmd = NULL;

	assert_apdu (card, "0088008122 10" RAND "10" AUTN, "6135");
	/* the same SQN again: synchronisation failure with AUTS */
	assert_apdu (card, "0088008122 10" RAND "10" AUTN, "6110");
	assert_apdu (card, "00c0000010", "dc0e bd9232ae9a08 23543ebd9213ae9a 9000");
	/* a higher SQN is accepted */
	remsim_simcard_xor_autn (k->data, rand->data, sqn, amf, autn);
	autn_hex = tohex (autn, 16);
	cmd = g_strdup_printf ("0088008122 10%s10%s", RAND, autn_hex);
	assert_apdu (card, cmd, "6135");
}

static void
test_simcard_algorithm (void)
{
	g_autoptr (GByteArray) k = unhex ("000102030405060708090a0b0c0d0e0f");
	g_autoptr (GByteArray) rand = unhex (RAND);
	guint8 res[16], ck[16], ik[16], ak[6], sres[4], kc[8], autn[16];
	const guint8 sqn[6] = {0, 0, 0, 0, 0, 0x21};
	const guint8 amf[2] = {0x80, 0};
	g_autofree gchar *h_res = NULL;
	g_autofree gchar *h_ck = NULL;
	g_autofree gchar *h_ik = NULL;
	g_autofree gchar *h_ak = NULL;
	g_autofree gchar *h_sres = NULL;
	g_autofree gchar *h_kc = NULL;
	g_autofree gchar *h_autn = NULL;
	g_autofree gchar *h_sres16 = NULL;

	remsim_simcard_xor_3g (k->data, rand->data, 8, res, ck, ik, ak);
	remsim_simcard_c2 (res, 8, sres);
	remsim_simcard_c3 (ck, ik, kc);
	remsim_simcard_xor_autn (k->data, rand->data, sqn, amf, autn);
	h_res = tohex (res, 8);
	h_ck = tohex (ck, 16);
	h_ik = tohex (ik, 16);
	h_ak = tohex (ak, 6);
	h_sres = tohex (sres, 4);
	h_kc = tohex (kc, 8);
	h_autn = tohex (autn, 16);
	g_assert_cmpstr (h_res, ==, RES);
	g_assert_cmpstr (h_ck, ==, CK);
	g_assert_cmpstr (h_ik, ==, IK);
	g_assert_cmpstr (h_ak, ==, "bd9232ae9a29");
	g_assert_cmpstr (h_sres, ==, "b1669027");
	g_assert_cmpstr (h_kc, ==, "0529cb4867bfaadd");
	g_assert_cmpstr (h_autn, ==, AUTN);

	/* c2 over a 16-byte RES folds all four words */
	remsim_simcard_xor_3g (k->data, rand->data, 16, res, ck, ik, ak);
	remsim_simcard_c2 (res, 16, sres);
	h_sres16 = tohex (sres, 4);
	g_assert_cmpstr (h_sres16, ==, "3aafcd5b");
}

static void
test_simcard_profile_errors (void)
{
	const struct {
		const gchar *text;
		const gchar *message;
	} cases[] = {
	    {"[card]\nki=000102030405060708090a0b0c0d0e0f\n", "[card] atr: missing"},
	    {"[card]\natr=3b00\nki=0001\n", "[card] ki: expected 16 to 16 hex bytes"},
	    {"[card]\natr=3b00\nki=000102030405060708090a0b0c0d0e0f\ncolour=red\n",
	     "[card] colour: unknown key"},
	    {"[card]\natr=3b00\nki=000102030405060708090a0b0c0d0e0f\n[extra]\n",
	     "[extra] *: unknown group"},
	    {"[card]\natr=3b00\nki=000102030405060708090a0b0c0d0e0f\n[file:3F00/7F20/6F07]\ntype="
	     "transparent\ndata=00\n",
	     "parent is not a defined MF, DF or ADF"},
	    {"[card]\natr=3b00\nki=000102030405060708090a0b0c0d0e0f\n[file:3F00/6F07]\ntype="
	     "transparent\ndata-from=imsi\n",
	     "[card] imsi: expected 6 to 15 digits"},
	    {"[card]\natr=3b00\nki=000102030405060708090a0b0c0d0e0f\n[file:3F00/6F3A]\ntype="
	     "linear-fixed\nrecord-length=2\nrecords=001122\n",
	     "no longer than record-length"},
	    {"[card]\natr=3b00\nki=000102030405060708090a0b0c0d0e0f\npin1-retries=99\n",
	     "[card] pin1-retries: expected an integer from 1 to 15"},
	    {"[card]\natr=3b00\nki=000102030405060708090a0b0c0d0e0f\n[file:3F00/6F07]\ntype="
	     "transparent\ndata=0\n",
	     "[file:3F00/6F07] data: expected"},
	    {"[card]\natr=3b00\nki=000102030405060708090a0b0c0d0e0f\n[file:3F00/6F07]\ntype="
	     "cyclic\ndata=00\n",
	     "expected mf, df, adf, transparent or linear-fixed"},
	    {"not a keyfile", "test: "},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (RemsimSimcard) card =
		    remsim_simcard_new_from_data (cases[i].text, -1, "test", &error);
		g_assert_null (card);
		g_assert_nonnull (error);
		if (strstr (error->message, cases[i].message) == NULL)
			g_error ("case %u: '%s' does not contain '%s'",
				 i,
				 error->message,
				 cases[i].message);
	}
}

/* ---- the program ---------------------------------------------------------- */

static const gchar *
simcard_program (void)
{
	const gchar *path = g_getenv ("REMSIM_SIMCARD");

	if (path == NULL)
		g_test_skip ("REMSIM_SIMCARD not set");
	return path;
}

static void
test_simcard_program_stdio (void)
{
	const gchar *prog = simcard_program ();
	g_autoptr (GSubprocess) proc = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;

	if (prog == NULL)
		return;
	proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
				     G_SUBPROCESS_FLAGS_STDERR_PIPE,
				 &error,
				 prog,
				 "--stdio",
				 NULL);
	g_assert_no_error (error);
	g_assert_true (g_subprocess_communicate_utf8 (proc,
						      "atr\n"
						      "# comment\n"
						      "a0a40000023f00\n"
						      "a0 a4 00 00 02 7f 20\n"
						      "a0a40000026f07\n"
						      "a0b0000009\n"
						      "zz\n"
						      "a088000010" RAND "\n"
						      "a0c000000c\n",
						      NULL,
						      &out,
						      &err,
						      &error));
	g_assert_no_error (error);
	g_assert_cmpstr (out,
			 ==,
			 "3b9f96801fc78031a073be21136743200718000001a5\n"
			 "9f17\n9f17\n9f0f\n" EF_IMSI "9000\n9f0c\n" SRES_KC_3G "9000\n");
	g_assert_nonnull (strstr (err, "not a hex APDU: zz"));
	g_assert_true (g_subprocess_get_if_exited (proc));
	g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
}

static void
test_simcard_program_bad_profile (void)
{
	const gchar *prog = simcard_program ();
	g_autoptr (GSubprocess) proc = NULL;
	g_autoptr (GError) error = NULL;

	if (prog == NULL)
		return;
	proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE,
				 &error,
				 prog,
				 "--stdio",
				 "--profile",
				 "/nonexistent/profile.conf",
				 NULL);
	g_assert_no_error (error);
	g_assert_true (g_subprocess_wait (proc, NULL, &error));
	g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);

	g_clear_object (&proc);
	proc = g_subprocess_new (
	    G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, prog, "--no-such-option", NULL);
	g_assert_no_error (error);
	g_assert_true (g_subprocess_wait (proc, NULL, &error));
	g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 2);
}

/* vpcd side of the protocol, blocking with a timeout */
static void
vpcd_send (GSocket *sock, const gchar *hex)
{
	g_autoptr (GByteArray) payload = unhex (hex);
	g_autoptr (GError) error = NULL;
	guint8 buf[600];

	buf[0] = payload->len >> 8;
	buf[1] = payload->len & 0xff;
	memcpy (buf + 2, payload->data, payload->len);
	g_assert_cmpint (g_socket_send (sock, (gchar *)buf, payload->len + 2, NULL, &error),
			 ==,
			 payload->len + 2);
	g_assert_no_error (error);
}

static void
vpcd_recv_exact (GSocket *sock, guint8 *buf, gsize len)
{
	gsize got = 0;

	while (got < len) {
		g_autoptr (GError) error = NULL;
		gssize n = g_socket_receive (sock, (gchar *)buf + got, len - got, NULL, &error);
		g_assert_no_error (error);
		g_assert_cmpint (n, >, 0);
		got += n;
	}
}

static gchar *
vpcd_recv (GSocket *sock)
{
	guint8 hdr[2];
	guint8 buf[600];
	gsize len;

	vpcd_recv_exact (sock, hdr, 2);
	len = (hdr[0] << 8) | hdr[1];
	g_assert_cmpuint (len, <=, sizeof (buf));
	vpcd_recv_exact (sock, buf, len);
	return tohex (buf, len);
}

static void
vpcd_session (GSocket *sock)
{
	g_autofree gchar *atr = NULL;
	g_autofree gchar *r1 = NULL;
	g_autofree gchar *r2 = NULL;

	g_socket_set_timeout (sock, 10);
	/* power on and reset: no reply; get ATR: the ATR */
	vpcd_send (sock, "01");
	vpcd_send (sock, "02");
	vpcd_send (sock, "03"); /* unknown: ignored, no reply */
	vpcd_send (sock, "04");
	atr = vpcd_recv (sock);
	g_assert_cmpstr (atr, ==, "3b9f96801fc78031a073be21136743200718000001a5");
	vpcd_send (sock, "a0a40000023f00");
	r1 = vpcd_recv (sock);
	g_assert_cmpstr (r1, ==, "9f17");
	vpcd_send (sock, "a0c0000017");
	r2 = vpcd_recv (sock);
	g_assert_cmpstr (r2, ==, GSM_MF_RESPONSE "9000");
}

typedef struct {
	GSocketConnection *conn;
	GError *error;
	gboolean done;
} AcceptData;

static void
accept_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	AcceptData *d = user_data;

	d->conn =
	    g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), res, NULL, &d->error);
	d->done = TRUE;
}

static gboolean
accept_timeout_cb (gpointer user_data)
{
	g_cancellable_cancel (G_CANCELLABLE (user_data));
	return G_SOURCE_REMOVE;
}

static GSocketConnection *
accept_with_timeout (GSocketListener *listener)
{
	AcceptData d = {NULL, NULL, FALSE};
	g_autoptr (GCancellable) cancellable = g_cancellable_new ();
	guint id = g_timeout_add_seconds (10, accept_timeout_cb, cancellable);
	g_socket_listener_accept_async (listener, cancellable, accept_cb, &d);
	while (!d.done)
		g_main_context_iteration (NULL, TRUE);
	if (!g_cancellable_is_cancelled (cancellable))
		g_source_remove (id);
	g_assert_no_error (d.error);
	return d.conn;
}

static void
test_simcard_program_connect (void)
{
	const gchar *prog = simcard_program ();
	g_autoptr (GSocketListener) listener = NULL;
	g_autoptr (GSubprocess) proc = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GSocketConnection) conn = NULL;
	g_autoptr (GSocketConnection) conn2 = NULL;
	g_autofree gchar *where = NULL;
	guint16 port;
	gint64 t0;

	if (prog == NULL)
		return;
	listener = g_socket_listener_new ();
	port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
	g_assert_no_error (error);
	where = g_strdup_printf ("127.0.0.1:%u", port);
	proc = g_subprocess_new (
	    G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, prog, "--connect", where, NULL);
	g_assert_no_error (error);

	conn = accept_with_timeout (listener);
	vpcd_session (g_socket_connection_get_socket (conn));
	/* the vpcd goes away: the card comes back by itself, quickly */
	g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
	t0 = g_get_monotonic_time ();
	conn2 = accept_with_timeout (listener);
	g_assert_cmpint (g_get_monotonic_time () - t0, <, G_USEC_PER_SEC);
	vpcd_session (g_socket_connection_get_socket (conn2));

	g_subprocess_send_signal (proc, SIGTERM);
	g_assert_true (g_subprocess_wait (proc, NULL, &error));
	g_assert_true (g_subprocess_get_if_exited (proc));
	g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

static void
test_simcard_program_listen_once (void)
{
	const gchar *prog = simcard_program ();
	g_autoptr (GSubprocess) proc = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GSocketClient) client = g_socket_client_new ();
	g_autoptr (GSocketConnection) conn = NULL;
	g_autoptr (GDataInputStream) out = NULL;
	g_autofree gchar *line = NULL;
	guint port = 0;

	if (prog == NULL)
		return;
	proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
				 &error,
				 prog,
				 "--listen",
				 "127.0.0.1:0",
				 "--once",
				 NULL);
	g_assert_no_error (error);
	out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
	line = g_data_input_stream_read_line (out, NULL, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (line);
	g_assert_cmpint (sscanf (line, "listening on port %u", &port), ==, 1);
	g_socket_client_set_enable_proxy (client, FALSE);
	conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
	g_assert_no_error (error);
	vpcd_session (g_socket_connection_get_socket (conn));
	g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);

	/* --once: exits 0 when the vpcd goes */
	g_assert_true (g_subprocess_wait (proc, NULL, &error));
	g_assert_true (g_subprocess_get_if_exited (proc));
	g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

/* random commands with plausible headers: no crash, always a status word */
static void
test_simcard_random (void)
{
	g_autoptr (RemsimSimcard) card =
	    card_from_default ("pin1-enabled=false", "pin1-enabled=true");
	const guint8 clas[] = {0xa0, 0x00, 0x80, 0x01, 0x40, 0xff, 0x0c};
	const guint8 inss[] = {0xa4,
			       0xb0,
			       0xb2,
			       0xd6,
			       0xdc,
			       0xc0,
			       0xf2,
			       0x20,
			       0x24,
			       0x26,
			       0x28,
			       0x2c,
			       0x88,
			       0x10,
			       0xfa,
			       0x70,
			       0x12,
			       0x00};
	guint8 apdu[300];
	guint8 out[258];

	for (guint i = 0; i < 200000; i++) {
		gsize len = g_test_rand_int_range (0, 12) == 0 ? g_test_rand_int_range (0, 300)
							       : g_test_rand_int_range (4, 40);
		gsize n;

		for (gsize j = 0; j < len; j++)
			apdu[j] = g_test_rand_int_range (0, 256);
		if (len > 0)
			apdu[0] = clas[g_test_rand_int_range (0, G_N_ELEMENTS (clas))];
		if (len > 1)
			apdu[1] = inss[g_test_rand_int_range (0, G_N_ELEMENTS (inss))];
		if (len > 4 && g_test_rand_bit ())
			apdu[4] = len - 5;
		if (len > 6 && apdu[1] == 0xa4 && g_test_rand_bit ()) {
			const guint16 fids[] = {
			    0x3f00, 0x7f20, 0x7f10, 0x6f07, 0x6f3a, 0x2fe2, 0x7fff};
			guint16 fid = fids[g_test_rand_int_range (0, G_N_ELEMENTS (fids))];
			apdu[4] = 2;
			apdu[5] = fid >> 8;
			apdu[6] = fid & 0xff;
			len = 7;
		}
		n = remsim_simcard_process_into (card, apdu, len, out, sizeof (out));
		g_assert_cmpuint (n, >=, 2);
		g_assert_cmpuint (n, <=, sizeof (out));
		if (i % 1000 == 0)
			g_bytes_unref (remsim_simcard_reset (card));
	}
}

static void
test_simcard_speed (void)
{
	g_autoptr (RemsimSimcard) card = card_from_default (NULL, NULL);
	const guint8 cmd[] = {0xa0, 0xb0, 0x00, 0x00, 0x0a};
	const guint8 sel[] = {0xa0, 0xa4, 0x00, 0x00, 0x02, 0x2f, 0xe2};
	guint8 out[258];
	gint64 t0;
	gdouble per;
	const guint n = 200000;

	g_assert_cmpuint (
	    remsim_simcard_process_into (card, sel, sizeof (sel), out, sizeof (out)), ==, 2);
	t0 = g_get_monotonic_time ();
	for (guint i = 0; i < n; i++)
		g_assert_cmpuint (
		    remsim_simcard_process_into (card, cmd, sizeof (cmd), out, sizeof (out)),
		    ==,
		    12);
	per = (gdouble)(g_get_monotonic_time () - t0) * 1000.0 / n;
	g_test_message ("READ BINARY: %.0f ns per APDU", per);
	g_assert_cmpfloat (per, <, 20000.0); /* generous: sanitizers, slow CI */
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_unsetenv (REMSIM_SIMCARD_PROFILE_ENV);

	g_test_add_func ("/remsim/simcard/atr", test_simcard_atr);
	g_test_add_func ("/remsim/simcard/default-profile", test_simcard_default_profile);
	g_test_add_func ("/remsim/simcard/algorithm", test_simcard_algorithm);
	g_test_add_func ("/remsim/simcard/gsm-session", test_simcard_gsm_session);
	g_test_add_func ("/remsim/simcard/gsm-records", test_simcard_gsm_records);
	g_test_add_func ("/remsim/simcard/uicc-session", test_simcard_uicc_session);
	g_test_add_func ("/remsim/simcard/errors", test_simcard_errors);
	g_test_add_func ("/remsim/simcard/pin", test_simcard_pin);
	g_test_add_func ("/remsim/simcard/xor-2g", test_simcard_xor_2g);
	g_test_add_func ("/remsim/simcard/sqn-check", test_simcard_sqn_check);
	g_test_add_func ("/remsim/simcard/profile-errors", test_simcard_profile_errors);
	g_test_add_func ("/remsim/simcard/random", test_simcard_random);
	g_test_add_func ("/remsim/simcard/speed", test_simcard_speed);
	g_test_add_func ("/remsim/simcard/program/stdio", test_simcard_program_stdio);
	g_test_add_func ("/remsim/simcard/program/bad-profile", test_simcard_program_bad_profile);
	g_test_add_func ("/remsim/simcard/program/connect", test_simcard_program_connect);
	g_test_add_func ("/remsim/simcard/program/listen-once", test_simcard_program_listen_once);
	return g_test_run ();
}
