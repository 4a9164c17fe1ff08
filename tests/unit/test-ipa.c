/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-error.h"
#include "remsim-ipa.h"

/* PING, an RSPRO frame with a 5-byte PDU, PONG */
static const guint8 three_frames[] = {
    0x00,
    0x01,
    0xfe,
    0x00, /* PING */
    0x00,
    0x06,
    0xee,
    0x07,
    0x30,
    0x03,
    0x80,
    0x01,
    0x02, /* RSPRO */
    0x00,
    0x01,
    0xfe,
    0x01, /* PONG */
};

static void
check_three_frames (RemsimIpaParser *parser, guint *seen)
{
	RemsimIpaFrame frame;
	g_autoptr (GError) error = NULL;

	while (remsim_ipa_parser_next (parser, &frame, &error)) {
		switch (*seen) {
		case 0:
			g_assert_cmpint (frame.kind, ==, REMSIM_IPA_FRAME_CCM);
			g_assert_cmpuint (frame.stream, ==, 0xfe);
			g_assert_cmpuint (frame.payload_len, ==, 1);
			g_assert_cmpuint (frame.payload[0], ==, REMSIM_IPA_CCM_PING);
			break;
		case 1: {
			const guint8 pdu[] = {0x30, 0x03, 0x80, 0x01, 0x02};

			g_assert_cmpint (frame.kind, ==, REMSIM_IPA_FRAME_RSPRO);
			g_assert_cmpuint (frame.stream, ==, 0xee);
			g_assert_cmpuint (frame.extension, ==, 0x07);
			g_assert_cmpmem (frame.payload, frame.payload_len, pdu, sizeof (pdu));
			break;
		}
		case 2:
			g_assert_cmpint (frame.kind, ==, REMSIM_IPA_FRAME_CCM);
			g_assert_cmpuint (frame.payload_len, ==, 1);
			g_assert_cmpuint (frame.payload[0], ==, REMSIM_IPA_CCM_PONG);
			break;
		default:
			g_assert_not_reached ();
		}
		(*seen)++;
	}
	g_assert_no_error (error);
}

static void
test_ipa_split (void)
{
	g_autoptr (RemsimIpaParser) parser = remsim_ipa_parser_new (4096);
	guint seen = 0;

	/* one byte per feed, from a copy that ends exactly at each byte so that
	 * ASan catches a read past what was given */
	for (gsize i = 0; i < sizeof (three_frames); i++) {
		g_autofree guint8 *byte = g_memdup2 (&three_frames[i], 1);

		remsim_ipa_parser_feed (parser, byte, 1);
		check_three_frames (parser, &seen);
	}
	g_assert_cmpuint (seen, ==, 3);
	g_assert_cmpuint (remsim_ipa_parser_get_pending (parser), ==, 0);
}

static void
test_ipa_merged (void)
{
	g_autoptr (RemsimIpaParser) parser = remsim_ipa_parser_new (4096);
	guint seen = 0;
	guint8 buf[sizeof (three_frames) + 2];

	/* all three in one feed, plus the start of a fourth */
	memcpy (buf, three_frames, sizeof (three_frames));
	buf[sizeof (three_frames)] = 0x00;
	buf[sizeof (three_frames) + 1] = 0x01;
	remsim_ipa_parser_feed (parser, buf, sizeof (buf));
	check_three_frames (parser, &seen);
	g_assert_cmpuint (seen, ==, 3);
	g_assert_cmpuint (remsim_ipa_parser_get_pending (parser), ==, 2);
}

static void
test_ipa_chunks (void)
{
	/* every way of cutting the stream in two */
	for (gsize cut = 0; cut <= sizeof (three_frames); cut++) {
		g_autoptr (RemsimIpaParser) parser = remsim_ipa_parser_new (4096);
		guint seen = 0;

		remsim_ipa_parser_feed (parser, three_frames, cut);
		check_three_frames (parser, &seen);
		remsim_ipa_parser_feed (parser, three_frames + cut, sizeof (three_frames) - cut);
		check_three_frames (parser, &seen);
		g_assert_cmpuint (seen, ==, 3);
	}
}

static void
test_ipa_too_long (void)
{
	g_autoptr (RemsimIpaParser) parser = remsim_ipa_parser_new (4096);
	const guint8 hdr[] = {0xff, 0xff, 0xee};
	const guint8 ping[] = {0x00, 0x01, 0xfe, 0x00};
	RemsimIpaFrame frame;
	g_autoptr (GError) error = NULL;
	g_autoptr (GError) error2 = NULL;

	/* the header alone is enough to refuse it */
	remsim_ipa_parser_feed (parser, hdr, sizeof (hdr));
	g_assert_false (remsim_ipa_parser_next (parser, &frame, &error));
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL);
	g_assert_cmpstr (error->message, ==, "IPA frame of 65535 bytes exceeds limit of 4096");

	/* and nothing is accepted afterwards */
	remsim_ipa_parser_feed (parser, ping, sizeof (ping));
	g_assert_false (remsim_ipa_parser_next (parser, &frame, &error2));
	g_assert_error (error2, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL);
	g_assert_cmpuint (remsim_ipa_parser_get_pending (parser), ==, 0);
}

static void
test_ipa_limit (void)
{
	g_autoptr (RemsimIpaParser) parser = remsim_ipa_parser_new (10);
	guint8 buf[3 + 11] = {0x00, 10, 0xee, 0x07};
	RemsimIpaFrame frame;
	g_autoptr (GError) error = NULL;

	/* exactly the limit passes */
	remsim_ipa_parser_feed (parser, buf, 13);
	g_assert_true (remsim_ipa_parser_next (parser, &frame, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (frame.payload_len, ==, 9);

	/* one more does not */
	buf[1] = 11;
	remsim_ipa_parser_feed (parser, buf, 14);
	g_assert_false (remsim_ipa_parser_next (parser, &frame, &error));
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL);
}

static void
test_ipa_lying_length (void)
{
	g_autoptr (RemsimIpaParser) parser = remsim_ipa_parser_new (4096);
	/* claims 100 bytes, brings 4: the parser waits and reads nothing more */
	const guint8 buf[] = {0x00, 0x64, 0xee, 0x07, 0x30, 0x00, 0x00};
	RemsimIpaFrame frame;
	g_autoptr (GError) error = NULL;

	remsim_ipa_parser_feed (parser, buf, sizeof (buf));
	g_assert_false (remsim_ipa_parser_next (parser, &frame, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (remsim_ipa_parser_get_pending (parser), ==, sizeof (buf));
}

static void
test_ipa_osmo_empty (void)
{
	g_autoptr (RemsimIpaParser) parser = remsim_ipa_parser_new (4096);
	const guint8 buf[] = {0x00, 0x00, 0xee};
	RemsimIpaFrame frame;
	g_autoptr (GError) error = NULL;

	remsim_ipa_parser_feed (parser, buf, sizeof (buf));
	g_assert_false (remsim_ipa_parser_next (parser, &frame, &error));
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL);
}

static void
test_ipa_other (void)
{
	g_autoptr (RemsimIpaParser) parser = remsim_ipa_parser_new (4096);
	const guint8 buf[] = {
	    0x00,
	    0x02,
	    0x00,
	    0xaa,
	    0xbb, /* RSL */
	    0x00,
	    0x02,
	    0xee,
	    0x05,
	    0xcc, /* OSMO GSUP */
	    0x00,
	    0x00,
	    0xfe, /* empty CCM */
	};
	RemsimIpaFrame frame;
	g_autoptr (GError) error = NULL;

	remsim_ipa_parser_feed (parser, buf, sizeof (buf));
	g_assert_true (remsim_ipa_parser_next (parser, &frame, &error));
	g_assert_cmpint (frame.kind, ==, REMSIM_IPA_FRAME_OTHER);
	g_assert_cmpuint (frame.stream, ==, 0x00);
	g_assert_cmpuint (frame.payload_len, ==, 2);
	g_assert_cmpuint (frame.payload[0], ==, 0xaa);

	g_assert_true (remsim_ipa_parser_next (parser, &frame, &error));
	g_assert_cmpint (frame.kind, ==, REMSIM_IPA_FRAME_OTHER);
	g_assert_cmpuint (frame.stream, ==, 0xee);
	g_assert_cmpuint (frame.extension, ==, 0x05);
	g_assert_cmpuint (frame.payload_len, ==, 1);
	g_assert_cmpuint (frame.payload[0], ==, 0xcc);

	g_assert_true (remsim_ipa_parser_next (parser, &frame, &error));
	g_assert_cmpint (frame.kind, ==, REMSIM_IPA_FRAME_CCM);
	g_assert_cmpuint (frame.payload_len, ==, 0);

	g_assert_false (remsim_ipa_parser_next (parser, &frame, &error));
	g_assert_no_error (error);
}

static void
test_ipa_build (void)
{
	const guint8 pdu[] = {0x30, 0x03, 0x80, 0x01, 0x02};
	const guint8 want[] = {0x00, 0x06, 0xee, 0x07, 0x30, 0x03, 0x80, 0x01, 0x02};
	const guint8 ping[] = {0x00, 0x01, 0xfe, 0x00};
	const guint8 pong[] = {0x00, 0x01, 0xfe, 0x01};
	const guint8 id_ack[] = {0x00, 0x01, 0xfe, 0x06};
	g_autoptr (GBytes) frame = remsim_ipa_frame_rspro (pdu, sizeof (pdu));
	g_autoptr (GBytes) f_ping = remsim_ipa_frame_ccm (REMSIM_IPA_CCM_PING);
	g_autoptr (GBytes) f_pong = remsim_ipa_frame_ccm (REMSIM_IPA_CCM_PONG);
	g_autoptr (GBytes) f_ack = remsim_ipa_frame_ccm (REMSIM_IPA_CCM_ID_ACK);
	g_autoptr (GBytes) big = NULL;
	g_autoptr (GBytes) biggest = NULL;
	g_autofree guint8 *huge = g_malloc0 (65535);

	g_assert_cmpmem (
	    g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), want, sizeof (want));
	g_assert_cmpmem (g_bytes_get_data (f_ping, NULL), g_bytes_get_size (f_ping), ping, 4);
	g_assert_cmpmem (g_bytes_get_data (f_pong, NULL), g_bytes_get_size (f_pong), pong, 4);
	g_assert_cmpmem (g_bytes_get_data (f_ack, NULL), g_bytes_get_size (f_ack), id_ack, 4);

	biggest = remsim_ipa_frame_rspro (huge, 65534);
	g_assert_nonnull (biggest);
	g_assert_cmpuint (g_bytes_get_size (biggest), ==, 65538);
	big = remsim_ipa_frame_rspro (huge, 65535);
	g_assert_null (big);
}

static void
test_ipa_id_resp (void)
{
	/* protocols.md §2.2: answer to ID_GET 00 05 fe 04 01 01 01 08 */
	const guint8 id_get[] = {0x04, 0x01, 0x01, 0x01, 0x08};
	const guint8 want[] = {
	    0x00, 0x1f, 0xfe, 0x05, 0x00, 0x13, 0x01, 0x30, 0x30, 0x2d, 0x30, 0x30,
	    0x2d, 0x30, 0x30, 0x2d, 0x30, 0x30, 0x2d, 0x30, 0x30, 0x2d, 0x30, 0x30,
	    0x00, 0x00, 0x07, 0x08, 0x30, 0x2f, 0x30, 0x2f, 0x30, 0x00,
	};
	g_autoptr (GBytes) resp = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *unit_id = NULL;
	const guint8 *data;
	gsize len = 0;

	resp = remsim_ipa_frame_id_resp (
	    id_get + 1, sizeof (id_get) - 1, "00-00-00-00-00-00", "0/0/0");
	data = g_bytes_get_data (resp, &len);
	g_assert_cmpmem (data, len, want, sizeof (want));

	/* and it parses back */
	g_assert_true (remsim_ipa_parse_id_resp (data + 4, len - 4, &unit_id, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (unit_id, ==, "0/0/0");
}

static void
test_ipa_id_resp_other_tags (void)
{
	/* serial nr and unit name; unknown tags get "" */
	const guint8 req[] = {0x01, 0x00, 0x01, 0x01};
	const guint8 want[] = {
	    0x00,
	    0x0a,
	    0xfe,
	    0x05,
	    0x00,
	    0x02,
	    0x00,
	    0x00,
	    0x00,
	    0x03,
	    0x01,
	    0x78,
	    0x00,
	};
	g_autoptr (GBytes) resp = remsim_ipa_frame_id_resp (req, sizeof (req), "x", NULL);
	g_autoptr (GBytes) empty = remsim_ipa_frame_id_resp (NULL, 0, "x", "y");
	const guint8 want_empty[] = {0x00, 0x01, 0xfe, 0x05};

	g_assert_cmpmem (
	    g_bytes_get_data (resp, NULL), g_bytes_get_size (resp), want, sizeof (want));
	g_assert_cmpmem (g_bytes_get_data (empty, NULL),
			 g_bytes_get_size (empty),
			 want_empty,
			 sizeof (want_empty));
}

static void
test_ipa_parse_id_resp (void)
{
	/* unit name only: well formed, no unit id */
	const guint8 no_id[] = {0x00, 0x03, 0x01, 0x61, 0x00};
	/* empty unit id */
	const guint8 empty_id[] = {0x00, 0x02, 0x08, 0x00};
	/* unit id without NUL */
	const guint8 bare_id[] = {0x00, 0x04, 0x08, 0x31, 0x2f, 0x32};
	/* length runs past the end */
	const guint8 bad_len[] = {0x00, 0x09, 0x08, 0x31, 0x00};
	/* zero length */
	const guint8 zero_len[] = {0x00, 0x00, 0x08};
	/* trailing garbage */
	const guint8 trailing[] = {0x00, 0x02, 0x08, 0x00, 0x00};
	g_autofree gchar *id = NULL;
	g_autoptr (GError) error = NULL;

	g_assert_true (remsim_ipa_parse_id_resp (no_id, sizeof (no_id), &id, &error));
	g_assert_null (id);
	g_assert_true (remsim_ipa_parse_id_resp (empty_id, sizeof (empty_id), &id, &error));
	g_assert_null (id);
	g_assert_true (remsim_ipa_parse_id_resp (bare_id, sizeof (bare_id), &id, &error));
	g_assert_cmpstr (id, ==, "1/2");
	g_clear_pointer (&id, g_free);
	g_assert_no_error (error);

	g_assert_false (remsim_ipa_parse_id_resp (bad_len, sizeof (bad_len), &id, &error));
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL);
	g_clear_error (&error);
	g_assert_false (remsim_ipa_parse_id_resp (zero_len, sizeof (zero_len), &id, &error));
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL);
	g_clear_error (&error);
	g_assert_false (remsim_ipa_parse_id_resp (trailing, sizeof (trailing), &id, &error));
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL);
	g_assert_null (id);
}

static void
test_ipa_garbage (void)
{
	/* random input never crashes and never yields more than it was given */
	GRand *rand = g_rand_new_with_seed (42);

	for (guint round = 0; round < 2000; round++) {
		g_autoptr (RemsimIpaParser) parser = remsim_ipa_parser_new (512);
		gsize total = 0;
		gsize consumed = 0;

		for (guint feed = 0; feed < 8; feed++) {
			gsize len = g_rand_int_range (rand, 0, 64);
			g_autofree guint8 *buf = g_malloc (MAX (len, 1));
			RemsimIpaFrame frame;
			g_autoptr (GError) error = NULL;

			for (gsize i = 0; i < len; i++)
				buf[i] =
				    g_rand_int_range (rand, 0, 4) == 0 ? 0xee : g_rand_int (rand);
			remsim_ipa_parser_feed (parser, buf, len);
			total += len;
			while (remsim_ipa_parser_next (parser, &frame, &error))
				consumed += 3 + frame.payload_len +
					    (frame.stream == REMSIM_IPA_PROTO_OSMO ? 1 : 0);
			if (error != NULL)
				break;
			g_assert_cmpuint (
			    consumed + remsim_ipa_parser_get_pending (parser), ==, total);
		}
	}
	g_rand_free (rand);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/remsim/ipa/split", test_ipa_split);
	g_test_add_func ("/remsim/ipa/merged", test_ipa_merged);
	g_test_add_func ("/remsim/ipa/chunks", test_ipa_chunks);
	g_test_add_func ("/remsim/ipa/too-long", test_ipa_too_long);
	g_test_add_func ("/remsim/ipa/limit", test_ipa_limit);
	g_test_add_func ("/remsim/ipa/lying-length", test_ipa_lying_length);
	g_test_add_func ("/remsim/ipa/osmo-empty", test_ipa_osmo_empty);
	g_test_add_func ("/remsim/ipa/other", test_ipa_other);
	g_test_add_func ("/remsim/ipa/build", test_ipa_build);
	g_test_add_func ("/remsim/ipa/id-resp", test_ipa_id_resp);
	g_test_add_func ("/remsim/ipa/id-resp-other-tags", test_ipa_id_resp_other_tags);
	g_test_add_func ("/remsim/ipa/parse-id-resp", test_ipa_parse_id_resp);
	g_test_add_func ("/remsim/ipa/garbage", test_ipa_garbage);
	return g_test_run ();
}
