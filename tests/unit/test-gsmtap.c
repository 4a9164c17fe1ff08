/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-gsmtap.h"

/* protocols.md §10: SELECT MF, response 9F 17 */
static const guint8 select_cmd[] = {0xa0, 0xa4, 0x00, 0x00, 0x02, 0x3f, 0x00};
static const guint8 select_rsp[] = {0x9f, 0x17};
static const guint8 select_pkt[] = {0x02, 0x04, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xa0, 0xa4,
				    0x00, 0x00, 0x02, 0x3f, 0x00, 0x9f, 0x17};

static void
test_build_apdu (void)
{
	guint8 buf[64];
	gsize len;

	memset (buf, 0xaa, sizeof (buf));
	len = remsim_gsmtap_build_sim (buf,
				       sizeof (buf),
				       REMSIM_GSMTAP_SIM_APDU,
				       select_cmd,
				       sizeof (select_cmd),
				       select_rsp,
				       sizeof (select_rsp));
	g_assert_cmpmem (buf, len, select_pkt, sizeof (select_pkt));
}

static void
test_build_atr (void)
{
	static const guint8 atr[] = {0x3b, 0x02, 0x14, 0x50};
	guint8 buf[32];
	gsize len;

	len = remsim_gsmtap_build_sim (
	    buf, sizeof (buf), REMSIM_GSMTAP_SIM_ATR, atr, sizeof (atr), NULL, 0);
	g_assert_cmpuint (len, ==, REMSIM_GSMTAP_HDR_LEN + sizeof (atr));
	/* the APDU example's header with byte 12 = 01 */
	g_assert_cmpmem (buf, 12, select_pkt, 12);
	g_assert_cmpuint (buf[12], ==, 0x01);
	g_assert_cmpmem (buf + 13, 3, select_pkt + 13, 3);
	g_assert_cmpmem (buf + REMSIM_GSMTAP_HDR_LEN, sizeof (atr), atr, sizeof (atr));
}

static void
test_build_too_small (void)
{
	guint8 buf[sizeof (select_pkt)];

	g_assert_cmpuint (remsim_gsmtap_build_sim (buf,
						   sizeof (buf) - 1,
						   REMSIM_GSMTAP_SIM_APDU,
						   select_cmd,
						   sizeof (select_cmd),
						   select_rsp,
						   sizeof (select_rsp)),
			  ==,
			  0);
	g_assert_cmpuint (remsim_gsmtap_build_sim (buf,
						   sizeof (buf),
						   REMSIM_GSMTAP_SIM_APDU,
						   select_cmd,
						   sizeof (select_cmd),
						   select_rsp,
						   sizeof (select_rsp)),
			  ==,
			  sizeof (select_pkt));
}

/* packets go to the discard-like TEST-NET-1 address: never blocks, never fails */
static void
test_object (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimGsmtap) all = remsim_gsmtap_new ("192.0.2.1", -1, &error);
	g_autoptr (RemsimGsmtap) one = NULL;
	guint8 big[2000] = {0};

	g_assert_no_error (error);
	g_assert_nonnull (all);
	g_assert_true (remsim_gsmtap_wants_slot (all, 0));
	g_assert_true (remsim_gsmtap_wants_slot (all, 1023));
	g_assert_false (remsim_gsmtap_wants_slot (NULL, 0));
	one = remsim_gsmtap_new ("192.0.2.1", 5, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_gsmtap_wants_slot (one, 5));
	g_assert_false (remsim_gsmtap_wants_slot (one, 4));

	remsim_gsmtap_send_apdu (
	    all, select_cmd, sizeof (select_cmd), select_rsp, sizeof (select_rsp));
	remsim_gsmtap_send_atr (all, select_rsp, sizeof (select_rsp));
	/* longer than the stack buffer */
	remsim_gsmtap_send_apdu (all, big, sizeof (big), big, sizeof (big));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/gsmtap/build-apdu", test_build_apdu);
	g_test_add_func ("/gsmtap/build-atr", test_build_atr);
	g_test_add_func ("/gsmtap/build-too-small", test_build_too_small);
	g_test_add_func ("/gsmtap/object", test_object);
	return g_test_run ();
}
