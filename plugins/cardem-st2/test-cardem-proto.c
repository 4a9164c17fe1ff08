/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "plugins/cardem-st2/remsim-cardem-proto.h"

/* the byte examples of protocols.md §7.4, as hex */
static void
remsim_test_assert_hex (GBytes *bytes, const gchar *hex)
{
	GString *s = g_string_new (NULL);
	gsize len = 0;
	const guint8 *p = g_bytes_get_data (bytes, &len);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf (s, "%s%02x", i > 0 ? " " : "", p[i]);
	g_assert_cmpstr (s->str, ==, hex);
	g_string_free (s, TRUE);
}

static void
remsim_test_cardem_encode (void)
{
	static const guint8 atr[] = {0x3b, 0x00};
	static const guint8 ins = 0xa4;
	static const guint8 sw[] = {0x9f, 0x17};
	static const guint8 pb_data[] = {0xb0, 0x01, 0x02, 0x03};
	g_autoptr (GBytes) b1 = remsim_cardem_encode_set_atr (atr, sizeof (atr));
	g_autoptr (GBytes) b2 = remsim_cardem_encode_config (REMSIM_CARDEM_FEAT_STATUS_IRQ, 0, 0);
	g_autoptr (GBytes) b3 = remsim_cardem_encode_config (REMSIM_CARDEM_FEAT_STATUS_IRQ,
							     0,
							     REMSIM_CARDEM_PRES_POL_VALID |
								 REMSIM_CARDEM_PRES_POL_HIGH);
	g_autoptr (GBytes) b4 = remsim_cardem_encode_cardinsert (TRUE);
	g_autoptr (GBytes) b5 = remsim_cardem_encode_sim_select (TRUE);
	g_autoptr (GBytes) b6 =
	    remsim_cardem_encode_modem_reset (REMSIM_CARDEM_MODEM_RESET_PULSE, 300);
	g_autoptr (GBytes) b7 =
	    remsim_cardem_encode_tx_data (REMSIM_CARDEM_DATA_F_PB_AND_RX, &ins, 1);
	g_autoptr (GBytes) b8 = remsim_cardem_encode_tx_data (
	    REMSIM_CARDEM_DATA_F_PB_AND_TX | REMSIM_CARDEM_DATA_F_FINAL, sw, 2);
	g_autoptr (GBytes) b9 = remsim_cardem_encode_tx_data (
	    REMSIM_CARDEM_DATA_F_PB_AND_TX, pb_data, sizeof (pb_data));
	g_autoptr (GBytes) b10 = remsim_cardem_encode_status_request ();
	g_autoptr (GBytes) b11 = remsim_cardem_encode_cardinsert (FALSE);

	remsim_test_assert_hex (b1, "01 02 00 00 00 00 0b 00 02 3b 00");
	remsim_test_assert_hex (b2, "01 08 00 00 00 00 0e 00 01 00 00 00 00 00");
	remsim_test_assert_hex (b3, "01 08 00 00 00 00 0e 00 01 00 00 00 00 03");
	remsim_test_assert_hex (b4, "01 05 00 00 00 00 09 00 01");
	remsim_test_assert_hex (b5, "02 02 00 00 00 00 09 00 01");
	remsim_test_assert_hex (b6, "02 01 00 00 00 00 0b 00 02 2c 01");
	remsim_test_assert_hex (b7, "01 01 00 00 00 00 0f 00 08 00 00 00 01 00 a4");
	remsim_test_assert_hex (b8, "01 01 00 00 00 00 10 00 06 00 00 00 02 00 9f 17");
	remsim_test_assert_hex (b9, "01 01 00 00 00 00 12 00 04 00 00 00 04 00 b0 01 02 03");
	remsim_test_assert_hex (b10, "01 04 00 00 00 00 08 00");
	remsim_test_assert_hex (b11, "01 05 00 00 00 00 09 00 00");
}

static void
remsim_test_cardem_encode_limits (void)
{
	guint8 data[300] = {0};
	g_autoptr (GBytes) ok = NULL;
	g_autoptr (GBytes) too_long = NULL;

	/* INS + 256 bytes of response data fit the firmware's 280 bytes */
	ok = remsim_cardem_encode_tx_data (REMSIM_CARDEM_DATA_F_PB_AND_TX, data, 257);
	g_assert_nonnull (ok);
	g_assert_cmpuint (g_bytes_get_size (ok), ==, 8 + 6 + 257);
	too_long = remsim_cardem_encode_tx_data (REMSIM_CARDEM_DATA_F_PB_AND_TX, data, 267);
	g_assert_null (too_long);
}

static void
remsim_test_cardem_decode_rx (void)
{
	static const guint8 hdr[] = {0x01,
				     0x06,
				     0x00,
				     0x00,
				     0x00,
				     0x00,
				     0x13,
				     0x00,
				     0x01,
				     0x00,
				     0x00,
				     0x00,
				     0x05,
				     0x00,
				     0xa0,
				     0xa4,
				     0x00,
				     0x00,
				     0x02};
	static const guint8 body[] = {0x01,
				      0x06,
				      0x00,
				      0x00,
				      0x00,
				      0x00,
				      0x10,
				      0x00,
				      0x02,
				      0x00,
				      0x00,
				      0x00,
				      0x02,
				      0x00,
				      0x3f,
				      0x00};
	g_autoptr (GError) error = NULL;
	RemsimCardemMsg msg;
	const guint8 *data;
	gsize len;
	guint32 flags;

	g_assert_true (remsim_cardem_decode (hdr, sizeof (hdr), &msg, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (msg.msg_class, ==, REMSIM_CARDEM_CLASS_CARDEM);
	g_assert_cmpuint (msg.msg_type, ==, REMSIM_CARDEM_DO_RX_DATA);
	g_assert_cmpstr (
	    remsim_cardem_msg_name (msg.msg_class, msg.msg_type), ==, "DO_CEMU_RX_DATA");
	g_assert_true (remsim_cardem_decode_data (&msg, &flags, &data, &len, &error));
	g_assert_cmpuint (flags, ==, REMSIM_CARDEM_DATA_F_TPDU_HDR);
	g_assert_cmpmem (data, len, hdr + 14, 5);

	g_assert_true (remsim_cardem_decode (body, sizeof (body), &msg, &error));
	g_assert_true (remsim_cardem_decode_data (&msg, &flags, &data, &len, &error));
	g_assert_cmpuint (flags, ==, REMSIM_CARDEM_DATA_F_FINAL);
	g_assert_cmpmem (data, len, body + 14, 2);
}

static void
remsim_test_cardem_decode_status (void)
{
	static const guint8 st[] = {0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x15,
				    0x00, 0x13, 0x00, 0x00, 0x00, 0x1c, 0x0c,
				    0x01, 0x01, 0x0a, 0x80, 0x25, 0x00, 0x00};
	g_autoptr (GError) error = NULL;
	g_autofree gchar *str = NULL;
	RemsimCardemMsg msg;
	RemsimCardemStatus status;

	g_assert_true (remsim_cardem_decode (st, sizeof (st), &msg, &error));
	g_assert_true (remsim_cardem_decode_status (&msg, &status, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (status.flags, ==, 0x13);
	g_assert_cmpuint (status.voltage_mv, ==, 3100);
	g_assert_cmpuint (status.fi, ==, 1);
	g_assert_cmpuint (status.di, ==, 1);
	g_assert_cmpuint (status.wi, ==, 10);
	g_assert_cmpuint (status.waiting_time, ==, 9600);
	str = remsim_cardem_status_flags_to_string (status.flags);
	g_assert_cmpstr (str, ==, "VCC CLK RST");
}

static void
remsim_test_cardem_decode_pts_config_error (void)
{
	static const guint8 pts[] = {0x01, 0x07, 0x00, 0x00, 0x00, 0x00, 0x15,
				     0x00, 0x04, 0xff, 0x10, 0x94, 0x7b, 0x00,
				     0x00, 0xff, 0x10, 0x94, 0x7b, 0x00, 0x00};
	static const guint8 cfg[] = {
	    0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x03};
	static const guint8 err[] = {0x00,
				     0x00,
				     0x00,
				     0x00,
				     0x00,
				     0x00,
				     0x10,
				     0x00,
				     0x02,
				     0x01,
				     0x34,
				     0x12,
				     0x03,
				     'a',
				     'b',
				     'c'};
	g_autoptr (GError) error = NULL;
	RemsimCardemMsg msg;
	RemsimCardemPts p;
	RemsimCardemErrorInd ind;
	guint32 features;
	guint8 mux, pol;

	g_assert_true (remsim_cardem_decode (pts, sizeof (pts), &msg, &error));
	g_assert_true (remsim_cardem_decode_pts (&msg, &p, &error));
	g_assert_cmpuint (p.pts_len, ==, 4);
	g_assert_cmpmem (p.req, 4, pts + 9, 4);
	g_assert_cmpmem (p.resp, 4, pts + 15, 4);

	g_assert_true (remsim_cardem_decode (cfg, sizeof (cfg), &msg, &error));
	g_assert_true (remsim_cardem_decode_config (&msg, &features, &mux, &pol, &error));
	g_assert_cmpuint (features, ==, 1);
	g_assert_cmpuint (mux, ==, 0);
	g_assert_cmpuint (pol, ==, 3);

	g_assert_true (remsim_cardem_decode (err, sizeof (err), &msg, &error));
	g_assert_true (remsim_cardem_decode_error (&msg, &ind, &error));
	g_assert_cmpuint (ind.severity, ==, 2);
	g_assert_cmpuint (ind.subsystem, ==, 1);
	g_assert_cmpuint (ind.code, ==, 0x1234);
	g_assert_cmpstr (ind.text, ==, "abc");
	g_free (ind.text);
}

static void
remsim_test_cardem_decode_bad (void)
{
	static const guint8 short_hdr[] = {0x01, 0x06, 0x00};
	static const guint8 lie[] = {0x01, 0x06, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x01};
	static const guint8 tiny_len[] = {0x01, 0x06, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00};
	/* data_len says 5, only 2 there */
	static const guint8 short_data[] = {0x01,
					    0x06,
					    0x00,
					    0x00,
					    0x00,
					    0x00,
					    0x10,
					    0x00,
					    0x01,
					    0x00,
					    0x00,
					    0x00,
					    0x05,
					    0x00,
					    0xa0,
					    0xa4};
	static const guint8 bad_pts[] = {0x01, 0x07, 0x00, 0x00, 0x00, 0x00, 0x15,
					 0x00, 0x09, 0xff, 0x10, 0x94, 0x7b, 0x00,
					 0x00, 0xff, 0x10, 0x94, 0x7b, 0x00, 0x00};
	RemsimCardemMsg msg;
	RemsimCardemPts p;
	const guint8 *data;
	gsize len;
	guint32 flags;

	{
		g_autoptr (GError) error = NULL;

		g_assert_false (remsim_cardem_decode (short_hdr, sizeof (short_hdr), &msg, &error));
		g_assert_error (
		    error, REMSIM_CARDEM_PROTO_ERROR, REMSIM_CARDEM_PROTO_ERROR_TRUNCATED);
	}
	{
		g_autoptr (GError) error = NULL;

		g_assert_false (remsim_cardem_decode (lie, sizeof (lie), &msg, &error));
		g_assert_error (
		    error, REMSIM_CARDEM_PROTO_ERROR, REMSIM_CARDEM_PROTO_ERROR_TRUNCATED);
	}
	{
		g_autoptr (GError) error = NULL;

		g_assert_false (remsim_cardem_decode (tiny_len, sizeof (tiny_len), &msg, &error));
		g_assert_error (
		    error, REMSIM_CARDEM_PROTO_ERROR, REMSIM_CARDEM_PROTO_ERROR_INVALID);
	}
	{
		g_autoptr (GError) error = NULL;

		g_assert_true (remsim_cardem_decode (short_data, sizeof (short_data), &msg, NULL));
		g_assert_false (remsim_cardem_decode_data (&msg, &flags, &data, &len, &error));
		g_assert_error (
		    error, REMSIM_CARDEM_PROTO_ERROR, REMSIM_CARDEM_PROTO_ERROR_TRUNCATED);
	}
	{
		g_autoptr (GError) error = NULL;

		g_assert_true (remsim_cardem_decode (bad_pts, sizeof (bad_pts), &msg, NULL));
		g_assert_false (remsim_cardem_decode_pts (&msg, &p, &error));
		g_assert_error (
		    error, REMSIM_CARDEM_PROTO_ERROR, REMSIM_CARDEM_PROTO_ERROR_INVALID);
	}
	g_assert_cmpstr (remsim_cardem_msg_name (9, 9), ==, "unknown message");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/remsim/cardem/proto/encode", remsim_test_cardem_encode);
	g_test_add_func ("/remsim/cardem/proto/encode-limits", remsim_test_cardem_encode_limits);
	g_test_add_func ("/remsim/cardem/proto/decode-rx", remsim_test_cardem_decode_rx);
	g_test_add_func ("/remsim/cardem/proto/decode-status", remsim_test_cardem_decode_status);
	g_test_add_func ("/remsim/cardem/proto/decode-pts-config-error",
			 remsim_test_cardem_decode_pts_config_error);
	g_test_add_func ("/remsim/cardem/proto/decode-bad", remsim_test_cardem_decode_bad);
	return g_test_run ();
}
