/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "plugins/cardem-st2/remsim-cardem-proto.h"
#include "plugins/cardem-st2/remsim-cardem-tpdu.h"

typedef struct {
	guint8 hdr[5];
	RemsimCardemApduCase expected;
} RemsimTestCase;

static void
remsim_test_cardem_apdu_case (void)
{
	static const RemsimTestCase cases[] = {
	    /* GSM 11.11 */
	    {{0xa0, 0xa4, 0x00, 0x00, 0x02}, 4},
	    {{0xa0, 0xc0, 0x00, 0x00, 0x16}, 2},
	    {{0xa0, 0xb0, 0x00, 0x00, 0x09}, 2},
	    {{0xa0, 0xd6, 0x00, 0x00, 0x09}, 3},
	    {{0xa0, 0x20, 0x00, 0x01, 0x08}, 3},
	    {{0xa0, 0x88, 0x00, 0x00, 0x10}, 4},
	    {{0xa0, 0x04, 0x00, 0x00, 0x00}, 1},
	    {{0xa0, 0xf2, 0x00, 0x00, 0x16}, 2},
	    {{0xa0, 0x10, 0x00, 0x00, 0x14}, 3},
	    {{0xa0, 0x12, 0x00, 0x00, 0x20}, 2},
	    {{0xa0, 0x99, 0x00, 0x00, 0x00}, 0},
	    /* UICC */
	    {{0x00, 0xa4, 0x00, 0x04, 0x02}, 4},
	    {{0x00, 0xb2, 0x01, 0x04, 0x1c}, 2},
	    {{0x00, 0xc0, 0x00, 0x00, 0x20}, 2},
	    {{0x00, 0x88, 0x00, 0x81, 0x22}, 4},
	    {{0x00, 0x84, 0x00, 0x00, 0x08}, 2},
	    {{0x01, 0xa4, 0x00, 0x04, 0x02}, 4}, /* logical channel 1 */
	    {{0x40, 0xb0, 0x00, 0x00, 0x10}, 2},
	    {{0x60, 0xdc, 0x01, 0x04, 0x10}, 3},
	    /* UICC CAT (CLA 80 exactly) */
	    {{0x80, 0x10, 0x00, 0x00, 0x14}, 3},
	    {{0x80, 0xc2, 0x00, 0x00, 0x10}, 4},
	    {{0x80, 0x12, 0x00, 0x00, 0x20}, 2},
	    {{0x80, 0x14, 0x00, 0x00, 0x0c}, 3},
	    /* CLA 80: not in the CAT row → GlobalPlatform → proprietary */
	    {{0x80, 0xf2, 0x00, 0x0c, 0x00}, 2}, /* ETSI STATUS (GP special, P1 00) */
	    {{0x80, 0xf2, 0x40, 0x00, 0x02}, 4}, /* GP GET STATUS */
	    {{0x80, 0xe2, 0x00, 0x00, 0x10}, 3}, /* STORE DATA */
	    {{0x80, 0xe2, 0x01, 0x00, 0x10}, 4},
	    {{0x80, 0xca, 0x00, 0x66, 0x00}, 2}, /* GET DATA, P3 00 */
	    {{0x80, 0xca, 0x00, 0x66, 0x10}, 4},
	    {{0x80, 0xe6, 0x02, 0x00, 0x10}, 4},
	    {{0x80, 0x32, 0x00, 0x00, 0x03}, 4}, /* INCREASE (proprietary) */
	    {{0x81, 0xf2, 0x00, 0x00, 0x00}, 2}, /* channel 1 STATUS */
	    {{0x80, 0x78, 0x00, 0x00, 0x10}, 4},
	    {{0xc0, 0xaa, 0x00, 0x00, 0x05}, 3},
	    /* special cases */
	    {{0x00, 0x73, 0x00, 0x00, 0x00}, 2},
	    {{0x00, 0x73, 0x01, 0x80, 0x10}, 3},
	    {{0x00, 0x73, 0x01, 0x20, 0x10}, 2},
	    {{0x00, 0x73, 0x02, 0x40, 0x10}, 0},
	    {{0x00, 0x73, 0x04, 0x40, 0x10}, 3},
	    {{0x00, 0x75, 0x04, 0x00, 0x10}, 3},
	    {{0x00, 0x75, 0x00, 0x00, 0x10}, 2},
	    /* ISO fallback: CLA 00 exactly */
	    {{0x00, 0xca, 0x00, 0x66, 0x10}, 2},
	    {{0x01, 0xca, 0x00, 0x66, 0x10}, 0},
	    /* unknown class */
	    {{0xb0, 0xa4, 0x00, 0x00, 0x02}, 0},
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		RemsimCardemApduCase c = remsim_cardem_apdu_case (cases[i].hdr);

		if (c != cases[i].expected)
			g_error ("%02x %02x %02x %02x %02x: case %d, expected %d",
				 cases[i].hdr[0],
				 cases[i].hdr[1],
				 cases[i].hdr[2],
				 cases[i].hdr[3],
				 cases[i].hdr[4],
				 c,
				 cases[i].expected);
	}
}

static void
remsim_test_cardem_tpdu_case2 (void)
{
	static const guint8 hdr[] = {0xa0, 0xc0, 0x00, 0x00, 0x03};
	static const guint8 rsp[] = {0x01, 0x02, 0x03, 0x90, 0x00};
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) cmd = NULL;
	RemsimCardemTpdu tpdu;
	RemsimCardemTxStep steps[2];
	guint n;

	remsim_cardem_tpdu_reset (&tpdu);
	g_assert_cmpint (
	    remsim_cardem_tpdu_rx (&tpdu, TRUE, hdr, 5, &error), ==, REMSIM_CARDEM_TPDU_ACT_SEND);
	g_assert_no_error (error);
	cmd = remsim_cardem_tpdu_get_command (&tpdu);
	g_assert_cmpmem (g_bytes_get_data (cmd, NULL), g_bytes_get_size (cmd), hdr, 5);

	n = remsim_cardem_tpdu_response (&tpdu, rsp, sizeof (rsp), steps, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (n, ==, 2);
	g_assert_cmpuint (steps[0].flags, ==, REMSIM_CARDEM_DATA_F_PB_AND_TX);
	{
		static const guint8 exp[] = {0xc0, 0x01, 0x02, 0x03};

		g_assert_cmpmem (steps[0].data, steps[0].len, exp, sizeof (exp));
	}
	g_assert_cmpuint (
	    steps[1].flags, ==, REMSIM_CARDEM_DATA_F_PB_AND_TX | REMSIM_CARDEM_DATA_F_FINAL);
	g_assert_cmpmem (steps[1].data, steps[1].len, rsp + 3, 2);
	g_assert_cmpint (tpdu.state, ==, REMSIM_CARDEM_TPDU_STATE_IDLE);

	/* a second response: nothing waits for it */
	n = remsim_cardem_tpdu_response (&tpdu, rsp, sizeof (rsp), steps, &error);
	g_assert_cmpuint (n, ==, 0);
	g_assert_error (error, REMSIM_CARDEM_TPDU_ERROR, REMSIM_CARDEM_TPDU_ERROR_STATE);
}

static void
remsim_test_cardem_tpdu_case4 (void)
{
	static const guint8 hdr[] = {0x00, 0xa4, 0x00, 0x04, 0x02};
	static const guint8 d1[] = {0x3f};
	static const guint8 d2[] = {0x00, 0xee}; /* one byte too many */
	static const guint8 sw[] = {0x61, 0x1c};
	static const guint8 expected[] = {0x00, 0xa4, 0x00, 0x04, 0x02, 0x3f, 0x00};
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) cmd = NULL;
	RemsimCardemTpdu tpdu;
	RemsimCardemTxStep steps[2];

	remsim_cardem_tpdu_reset (&tpdu);
	g_assert_cmpint (
	    remsim_cardem_tpdu_rx (&tpdu, TRUE, hdr, 5, &error), ==, REMSIM_CARDEM_TPDU_ACT_FETCH);
	g_assert_cmpuint (remsim_cardem_tpdu_get_ins (&tpdu), ==, 0xa4);
	/* split data: the firmware sends more chunks only when a buffer fills */
	g_assert_cmpint (
	    remsim_cardem_tpdu_rx (&tpdu, FALSE, d1, 1, &error), ==, REMSIM_CARDEM_TPDU_ACT_NONE);
	g_assert_no_error (error);
	g_assert_cmpint (
	    remsim_cardem_tpdu_rx (&tpdu, FALSE, d2, 2, &error), ==, REMSIM_CARDEM_TPDU_ACT_SEND);
	g_assert_no_error (error);
	cmd = remsim_cardem_tpdu_get_command (&tpdu);
	g_assert_cmpmem (
	    g_bytes_get_data (cmd, NULL), g_bytes_get_size (cmd), expected, sizeof (expected));

	g_assert_cmpuint (remsim_cardem_tpdu_response (&tpdu, sw, 2, steps, &error), ==, 1);
	g_assert_cmpuint (
	    steps[0].flags, ==, REMSIM_CARDEM_DATA_F_PB_AND_TX | REMSIM_CARDEM_DATA_F_FINAL);
	g_assert_cmpmem (steps[0].data, steps[0].len, sw, 2);
}

static void
remsim_test_cardem_tpdu_data_in_header (void)
{
	/* header and data in one message (current firmware never does it) */
	static const guint8 msg[] = {0xa0, 0xd6, 0x00, 0x00, 0x02, 0x12, 0x34};
	g_autoptr (GBytes) cmd = NULL;
	RemsimCardemTpdu tpdu;

	remsim_cardem_tpdu_reset (&tpdu);
	g_assert_cmpint (remsim_cardem_tpdu_rx (&tpdu, TRUE, msg, sizeof (msg), NULL),
			 ==,
			 REMSIM_CARDEM_TPDU_ACT_SEND);
	cmd = remsim_cardem_tpdu_get_command (&tpdu);
	g_assert_cmpmem (g_bytes_get_data (cmd, NULL), g_bytes_get_size (cmd), msg, sizeof (msg));
}

static void
remsim_test_cardem_tpdu_p3_zero (void)
{
	/* case 3 with P3 = 0: no data to fetch, forward at once */
	static const guint8 hdr[] = {0xa0, 0x10, 0x00, 0x00, 0x00};
	RemsimCardemTpdu tpdu;

	remsim_cardem_tpdu_reset (&tpdu);
	g_assert_cmpint (
	    remsim_cardem_tpdu_rx (&tpdu, TRUE, hdr, 5, NULL), ==, REMSIM_CARDEM_TPDU_ACT_SEND);
}

static void
remsim_test_cardem_tpdu_unknown (void)
{
	/* unknown case: the bare header goes out, like upstream */
	static const guint8 hdr[] = {0xb0, 0x99, 0x00, 0x00, 0x04};
	g_autoptr (GBytes) cmd = NULL;
	RemsimCardemTpdu tpdu;

	remsim_cardem_tpdu_reset (&tpdu);
	g_assert_cmpint (
	    remsim_cardem_tpdu_rx (&tpdu, TRUE, hdr, 5, NULL), ==, REMSIM_CARDEM_TPDU_ACT_SEND);
	cmd = remsim_cardem_tpdu_get_command (&tpdu);
	g_assert_cmpuint (g_bytes_get_size (cmd), ==, 5);
}

static void
remsim_test_cardem_tpdu_errors (void)
{
	static const guint8 hdr[] = {0xa0, 0xa4, 0x00, 0x00, 0x02};
	static const guint8 data[] = {0x3f, 0x00};
	static const guint8 big[259] = {0};
	RemsimCardemTpdu tpdu;
	RemsimCardemTxStep steps[2];

	remsim_cardem_tpdu_reset (&tpdu);
	{
		g_autoptr (GError) error = NULL;

		/* data without a header */
		g_assert_cmpint (remsim_cardem_tpdu_rx (&tpdu, FALSE, data, 2, &error),
				 ==,
				 REMSIM_CARDEM_TPDU_ACT_NONE);
		g_assert_error (error, REMSIM_CARDEM_TPDU_ERROR, REMSIM_CARDEM_TPDU_ERROR_STATE);
	}
	{
		g_autoptr (GError) error = NULL;

		/* a short header */
		g_assert_cmpint (remsim_cardem_tpdu_rx (&tpdu, TRUE, hdr, 4, &error),
				 ==,
				 REMSIM_CARDEM_TPDU_ACT_NONE);
		g_assert_error (error, REMSIM_CARDEM_TPDU_ERROR, REMSIM_CARDEM_TPDU_ERROR_INVALID);
	}
	{
		g_autoptr (GError) error = NULL;

		/* a response while the data is still being fetched */
		g_assert_cmpint (remsim_cardem_tpdu_rx (&tpdu, TRUE, hdr, 5, NULL),
				 ==,
				 REMSIM_CARDEM_TPDU_ACT_FETCH);
		g_assert_cmpuint (
		    remsim_cardem_tpdu_response (&tpdu, data, 2, steps, &error), ==, 0);
		g_assert_error (error, REMSIM_CARDEM_TPDU_ERROR, REMSIM_CARDEM_TPDU_ERROR_STATE);
	}
	{
		g_autoptr (GError) error = NULL;

		/* a new header replaces the unfinished command */
		g_assert_cmpint (remsim_cardem_tpdu_rx (&tpdu, TRUE, hdr, 5, NULL),
				 ==,
				 REMSIM_CARDEM_TPDU_ACT_FETCH);
		g_assert_cmpint (remsim_cardem_tpdu_rx (&tpdu, FALSE, data, 2, NULL),
				 ==,
				 REMSIM_CARDEM_TPDU_ACT_SEND);
		/* response sizes */
		g_assert_cmpuint (
		    remsim_cardem_tpdu_response (&tpdu, data, 1, steps, &error), ==, 0);
		g_assert_error (error, REMSIM_CARDEM_TPDU_ERROR, REMSIM_CARDEM_TPDU_ERROR_INVALID);
		g_clear_error (&error);
		g_assert_cmpuint (
		    remsim_cardem_tpdu_response (&tpdu, big, sizeof (big), steps, &error), ==, 0);
		g_assert_error (error, REMSIM_CARDEM_TPDU_ERROR, REMSIM_CARDEM_TPDU_ERROR_INVALID);
		g_clear_error (&error);
		/* the largest response: 256 bytes + SW */
		g_assert_cmpuint (
		    remsim_cardem_tpdu_response (&tpdu, big, 258, steps, &error), ==, 2);
		g_assert_cmpuint (steps[0].len, ==, 257);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/remsim/cardem/tpdu/apdu-case", remsim_test_cardem_apdu_case);
	g_test_add_func ("/remsim/cardem/tpdu/case2", remsim_test_cardem_tpdu_case2);
	g_test_add_func ("/remsim/cardem/tpdu/case4", remsim_test_cardem_tpdu_case4);
	g_test_add_func ("/remsim/cardem/tpdu/data-in-header",
			 remsim_test_cardem_tpdu_data_in_header);
	g_test_add_func ("/remsim/cardem/tpdu/p3-zero", remsim_test_cardem_tpdu_p3_zero);
	g_test_add_func ("/remsim/cardem/tpdu/unknown", remsim_test_cardem_tpdu_unknown);
	g_test_add_func ("/remsim/cardem/tpdu/errors", remsim_test_cardem_tpdu_errors);
	return g_test_run ();
}
