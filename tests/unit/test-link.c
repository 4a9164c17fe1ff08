/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "remsim-error.h"
#include "remsim-ipa.h"
#include "remsim-link.h"

#define WAIT_MS 5000

/* protocols.md §2.6: ConnectClientReq from C23:0, one complete frame */
static const guint8 connect_client_req[] = {
    0x00, 0x36, 0xee, 0x07, 0x30, 0x33, 0x80, 0x01, 0x02, 0x81, 0x01, 0x00, 0xa2, 0x2b, 0xa2,
    0x29, 0x30, 0x1f, 0x0a, 0x01, 0x00, 0x16, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x80, 0x0d, 0x72,
    0x65, 0x6d, 0x73, 0x69, 0x6d, 0x2d, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x81, 0x05, 0x31,
    0x2e, 0x31, 0x2e, 0x33, 0x30, 0x06, 0x02, 0x01, 0x17, 0x02, 0x01, 0x00,
};

static const guint8 f_ping[] = {0x00, 0x01, 0xfe, 0x00};
static const guint8 f_pong[] = {0x00, 0x01, 0xfe, 0x01};
static const guint8 f_id_ack[] = {0x00, 0x01, 0xfe, 0x06};
static const guint8 f_id_get[] = {0x00, 0x05, 0xfe, 0x04, 0x01, 0x01, 0x01, 0x08};

/* ---- waiting on the main loop ---- */

typedef gboolean (*CondFunc) (gpointer user_data);

static gboolean
timeout_flag_cb (gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return G_SOURCE_REMOVE;
}

static gboolean
wait_until (CondFunc cond, gpointer user_data, guint timeout_ms)
{
	gboolean timed_out = FALSE;
	guint id = g_timeout_add (timeout_ms, timeout_flag_cb, &timed_out);

	while (!cond (user_data) && !timed_out)
		g_main_context_iteration (NULL, TRUE);
	if (!timed_out)
		g_source_remove (id);
	return cond (user_data);
}

/* iterate for @ms: only to check that something does NOT happen */
static void
run_for (guint ms)
{
	gboolean done = FALSE;

	g_timeout_add (ms, timeout_flag_cb, &done);
	while (!done)
		g_main_context_iteration (NULL, TRUE);
}

/* ---- a connected pair of sockets on loopback ---- */

static void
socket_pair (GSocketConnection **a, GSocketConnection **b)
{
	g_autoptr (GSocketListener) listener = g_socket_listener_new ();
	g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
	g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
	g_autoptr (GSocketAddress) bound = NULL;
	g_autoptr (GSocketClient) client = g_socket_client_new ();
	g_autoptr (GError) error = NULL;

	/* the default proxy resolver wants GSettings, absent with isolated dirs */
	g_socket_client_set_enable_proxy (client, FALSE);
	g_socket_listener_add_address (
	    listener, addr, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
	g_assert_no_error (error);
	/* loopback connect completes against the backlog before accept() */
	*a = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (bound), NULL, &error);
	g_assert_no_error (error);
	*b = g_socket_listener_accept (listener, NULL, NULL, &error);
	g_assert_no_error (error);
}

/* ---- a raw peer: reads everything into a buffer ---- */

typedef struct {
	GSocketConnection *conn;
	GByteArray *rx;
	GSource *source;
	gboolean closed;
	gboolean auto_pong;
	guint pings;
	gsize scan_off; /* auto_pong: frames before this offset are handled */
} RawPeer;

static void
raw_peer_send (RawPeer *raw, const guint8 *data, gsize len)
{
	g_autoptr (GError) error = NULL;
	GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (raw->conn));

	g_output_stream_write_all (out, data, len, NULL, NULL, &error);
	g_assert_no_error (error);
}

static void
raw_peer_scan (RawPeer *raw)
{
	while (raw->rx->len - raw->scan_off >= 3) {
		const guint8 *f = raw->rx->data + raw->scan_off;
		gsize len = ((gsize)f[0] << 8) | f[1];

		if (raw->rx->len - raw->scan_off < 3 + len)
			return;
		if (len == 1 && f[2] == 0xfe && f[3] == 0x00) {
			raw->pings++;
			if (raw->auto_pong)
				raw_peer_send (raw, f_pong, sizeof (f_pong));
		}
		raw->scan_off += 3 + len;
	}
}

static gboolean
raw_peer_read_cb (GObject *stream, gpointer user_data)
{
	RawPeer *raw = user_data;
	guint8 buf[8192];
	g_autoptr (GError) error = NULL;
	gssize n;

	n = g_pollable_input_stream_read_nonblocking (
	    G_POLLABLE_INPUT_STREAM (stream), buf, sizeof (buf), NULL, &error);
	if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		raw->closed = TRUE;
		g_clear_pointer (&raw->source, g_source_unref);
		return G_SOURCE_REMOVE;
	}
	g_byte_array_append (raw->rx, buf, n);
	raw_peer_scan (raw);
	return G_SOURCE_CONTINUE;
}

static RawPeer *
raw_peer_new (GSocketConnection *conn)
{
	RawPeer *raw = g_new0 (RawPeer, 1);
	GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));

	raw->conn = conn;
	raw->rx = g_byte_array_new ();
	raw->source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (in), NULL);
	g_source_set_callback (raw->source, G_SOURCE_FUNC (raw_peer_read_cb), raw, NULL);
	g_source_attach (raw->source, NULL);
	return raw;
}

static void
raw_peer_free (RawPeer *raw)
{
	if (raw->source != NULL) {
		g_source_destroy (raw->source);
		g_source_unref (raw->source);
	}
	g_io_stream_close (G_IO_STREAM (raw->conn), NULL, NULL);
	g_object_unref (raw->conn);
	g_byte_array_unref (raw->rx);
	g_free (raw);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawPeer, raw_peer_free)

typedef struct {
	RawPeer *raw;
	gsize len;
} RawWait;

static gboolean
raw_has_bytes_cond (gpointer user_data)
{
	RawWait *w = user_data;

	return w->raw->rx->len >= w->len || w->raw->closed;
}

static gboolean
raw_wait_bytes (RawPeer *raw, gsize len)
{
	RawWait w = {raw, len};

	wait_until (raw_has_bytes_cond, &w, WAIT_MS);
	return raw->rx->len >= len;
}

static gboolean
raw_closed_cond (gpointer user_data)
{
	return ((RawPeer *)user_data)->closed;
}

/* ---- a link with its events recorded ---- */

typedef struct {
	RemsimLink *link;
	GPtrArray *msgs; /* RemsimRsproMsg */
	guint n_closed;
	gchar *reason;
	gboolean close_in_message; /* close the link from the first "message" */
	gboolean unref_in_closed;  /* drop the link from "closed" */
	gboolean message_after_close;
} LinkProbe;

static void
probe_message_cb (RemsimLink *link, RemsimRsproMsg *msg, gpointer user_data)
{
	LinkProbe *p = user_data;

	if (p->n_closed > 0)
		p->message_after_close = TRUE;
	g_ptr_array_add (p->msgs, remsim_rspro_msg_copy (msg));
	if (p->close_in_message)
		remsim_link_close (link, "closed by the owner");
}

static void
probe_closed_cb (RemsimLink *link, const gchar *reason, gpointer user_data)
{
	LinkProbe *p = user_data;

	p->n_closed++;
	g_free (p->reason);
	p->reason = g_strdup (reason);
	g_assert_true (remsim_link_is_closed (link));
	g_assert_null (remsim_link_get_stream (link));
	if (p->unref_in_closed)
		g_clear_object (&p->link);
}

static LinkProbe *
probe_new (GSocketConnection *conn, RemsimLinkRole role, guint ka_interval, guint ka_timeout)
{
	LinkProbe *p = g_new0 (LinkProbe, 1);

	p->link = remsim_link_new (G_IO_STREAM (conn), role);
	p->msgs = g_ptr_array_new_with_free_func ((GDestroyNotify)remsim_rspro_msg_free);
	remsim_link_set_keepalive (p->link, ka_interval, ka_timeout);
	g_signal_connect (p->link, "message", G_CALLBACK (probe_message_cb), p);
	g_signal_connect (p->link, "closed", G_CALLBACK (probe_closed_cb), p);
	return p;
}

static void
probe_free (LinkProbe *p)
{
	if (p->link != NULL) {
		g_signal_handlers_disconnect_by_data (p->link, p);
		g_object_unref (p->link);
	}
	g_ptr_array_unref (p->msgs);
	g_free (p->reason);
	g_free (p);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LinkProbe, probe_free)

static gboolean
probe_closed_cond (gpointer user_data)
{
	return ((LinkProbe *)user_data)->n_closed > 0;
}

typedef struct {
	LinkProbe *p;
	guint n;
} ProbeWait;

static gboolean
probe_msgs_cond (gpointer user_data)
{
	ProbeWait *w = user_data;

	return w->p->msgs->len >= w->n || w->p->n_closed > 0;
}

static gboolean
probe_wait_msgs (LinkProbe *p, guint n)
{
	ProbeWait w = {p, n};

	wait_until (probe_msgs_cond, &w, WAIT_MS);
	return p->msgs->len >= n;
}

/* a link of @role on one end, a raw peer on the other */
static void
setup_raw (RemsimLinkRole role, guint ka_interval, guint ka_timeout, LinkProbe **p, RawPeer **raw)
{
	GSocketConnection *a = NULL;
	GSocketConnection *b = NULL;

	socket_pair (&a, &b);
	*p = probe_new (b, role, ka_interval, ka_timeout);
	g_object_unref (b);
	*raw = raw_peer_new (a);
	remsim_link_start ((*p)->link);
}

static void
assert_rx (RawPeer *raw, const guint8 *want, gsize len)
{
	g_assert_true (raw_wait_bytes (raw, len));
	g_assert_cmpmem (raw->rx->data, raw->rx->len, want, len);
}

/* ---- tests ---- */

static RemsimRsproMsg *
make_tpdu (guint i)
{
	RemsimRsproMsg *msg = remsim_rspro_msg_new (REMSIM_RSPRO_TPDU_MODEM_TO_CARD);
	guint8 data[5] = {0xa0, 0xa4, 0x00, 0x00, (guint8)i};

	msg->has_client_slot = TRUE;
	msg->client_slot.client_id = 23;
	msg->client_slot.slot_nr = 0;
	msg->has_bank_slot = TRUE;
	msg->bank_slot.bank_id = 1;
	msg->bank_slot.slot_nr = 5;
	msg->flags.tpdu_header_present = TRUE;
	msg->flags.final_part = TRUE;
	msg->data = g_bytes_new (data, sizeof (data));
	return msg;
}

static void
test_link_pdu (void)
{
	GSocketConnection *a = NULL;
	GSocketConnection *b = NULL;
	g_autoptr (LinkProbe) pa = NULL;
	g_autoptr (LinkProbe) pb = NULL;
	g_autoptr (RemsimRsproMsg) m1 = make_tpdu (1);
	g_autoptr (RemsimRsproMsg) m2 = remsim_rspro_msg_new (REMSIM_RSPRO_RESET_STATE_REQ);
	g_autoptr (GError) error = NULL;

	socket_pair (&a, &b);
	pa = probe_new (a, REMSIM_LINK_ROLE_INITIATOR, 0, 0);
	pb = probe_new (b, REMSIM_LINK_ROLE_SERVER, 0, 0);
	g_object_unref (a);
	g_object_unref (b);
	remsim_link_set_name (pa->link, "A");
	g_assert_cmpstr (remsim_link_get_name (pa->link), ==, "A");
	remsim_link_start (pa->link);
	remsim_link_start (pb->link);

	g_assert_true (remsim_link_send (pa->link, m1, &error));
	g_assert_no_error (error);
	g_assert_true (remsim_link_send (pb->link, m2, &error));
	g_assert_no_error (error);
	g_assert_true (probe_wait_msgs (pb, 1));
	g_assert_true (probe_wait_msgs (pa, 1));
	g_assert_true (remsim_rspro_msg_equal (g_ptr_array_index (pb->msgs, 0), m1));
	g_assert_true (remsim_rspro_msg_equal (g_ptr_array_index (pa->msgs, 0), m2));
	g_assert_cmpuint (pa->n_closed, ==, 0);
	g_assert_cmpuint (pb->n_closed, ==, 0);

	/* addresses point at each other */
	g_assert_cmpuint (
	    g_inet_socket_address_get_port (remsim_link_get_remote_address (pa->link)),
	    ==,
	    g_inet_socket_address_get_port (remsim_link_get_local_address (pb->link)));
}

static void
test_link_many_pdus (void)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;
	g_autoptr (GByteArray) buf = g_byte_array_new ();
	const guint n = 200;

	setup_raw (REMSIM_LINK_ROLE_BANKD, 0, 0, &p, &raw);
	/* 200 frames (11 KiB) in one write: several reads, frames cut anywhere */
	for (guint i = 0; i < n; i++)
		g_byte_array_append (buf, connect_client_req, sizeof (connect_client_req));
	raw_peer_send (raw, buf->data, buf->len);
	g_assert_true (probe_wait_msgs (p, n));
	g_assert_cmpuint (p->msgs->len, ==, n);
	for (guint i = 0; i < n; i++) {
		RemsimRsproMsg *msg = g_ptr_array_index (p->msgs, i);

		g_assert_cmpint (msg->type, ==, REMSIM_RSPRO_CONNECT_CLIENT_REQ);
		g_assert_cmpuint (msg->client_slot.client_id, ==, 23);
	}
	g_assert_cmpuint (p->n_closed, ==, 0);
}

static void
test_link_ping (void)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;

	setup_raw (REMSIM_LINK_ROLE_BANKD, 0, 0, &p, &raw);
	raw_peer_send (raw, f_ping, sizeof (f_ping));
	assert_rx (raw, f_pong, sizeof (f_pong));
	/* a PONG nobody asked for is ignored */
	raw_peer_send (raw, f_pong, sizeof (f_pong));
	raw_peer_send (raw, f_ping, sizeof (f_ping));
	g_assert_true (raw_wait_bytes (raw, 8));
	g_assert_cmpuint (raw->rx->len, ==, 8);
	g_assert_cmpuint (p->n_closed, ==, 0);
}

static void
check_id_ack_answered (RemsimLinkRole role)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;

	setup_raw (role, 0, 0, &p, &raw);
	raw_peer_send (raw, f_id_ack, sizeof (f_id_ack));
	assert_rx (raw, f_id_ack, sizeof (f_id_ack));
	g_assert_cmpuint (p->n_closed, ==, 0);
}

static void
test_link_id_ack_server (void)
{
	check_id_ack_answered (REMSIM_LINK_ROLE_SERVER);
}

static void
test_link_id_ack_bankd (void)
{
	check_id_ack_answered (REMSIM_LINK_ROLE_BANKD);
}

static void
test_link_id_ack_initiator (void)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;
	guint8 both[8];

	setup_raw (REMSIM_LINK_ROLE_INITIATOR, 0, 0, &p, &raw);
	/* the PING is handled after the ID_ACK: once its PONG is here, an
	 * answer to the ID_ACK would have arrived before it */
	memcpy (both, f_id_ack, 4);
	memcpy (both + 4, f_ping, 4);
	raw_peer_send (raw, both, sizeof (both));
	assert_rx (raw, f_pong, sizeof (f_pong));
	g_assert_cmpuint (raw->rx->len, ==, sizeof (f_pong));
	g_assert_cmpuint (p->n_closed, ==, 0);
}

static void
test_link_id_get_initiator (void)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;
	const guint8 want[] = {
	    0x00, 0x1f, 0xfe, 0x05, 0x00, 0x13, 0x01, 0x30, 0x30, 0x2d, 0x30, 0x30,
	    0x2d, 0x30, 0x30, 0x2d, 0x30, 0x30, 0x2d, 0x30, 0x30, 0x2d, 0x30, 0x30,
	    0x00, 0x00, 0x07, 0x08, 0x30, 0x2f, 0x30, 0x2f, 0x30, 0x00, /* ID_RESP */
	    0x00, 0x01, 0xfe, 0x06,					/* ID_ACK */
	};

	setup_raw (REMSIM_LINK_ROLE_INITIATOR, 0, 0, &p, &raw);
	raw_peer_send (raw, f_id_get, sizeof (f_id_get));
	assert_rx (raw, want, sizeof (want));
	g_assert_cmpuint (p->n_closed, ==, 0);
}

static void
check_closes (RemsimLinkRole role, const guint8 *data, gsize len, const gchar *reason)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;

	setup_raw (role, 0, 0, &p, &raw);
	raw_peer_send (raw, data, len);
	g_assert_true (wait_until (probe_closed_cond, p, WAIT_MS));
	g_assert_cmpuint (p->n_closed, ==, 1);
	g_assert_cmpstr (p->reason, ==, reason);
	/* the peer sees the connection go */
	g_assert_true (wait_until (raw_closed_cond, raw, WAIT_MS));
	g_assert_false (p->message_after_close);
}

static void
test_link_id_get_server (void)
{
	check_closes (REMSIM_LINK_ROLE_SERVER,
		      f_id_get,
		      sizeof (f_id_get),
		      "unexpected IPA CCM message type 0x04");
}

static void
test_link_ccm_unknown_server (void)
{
	const guint8 nack[] = {0x00, 0x01, 0xfe, 0x07};

	check_closes (
	    REMSIM_LINK_ROLE_SERVER, nack, sizeof (nack), "unexpected IPA CCM message type 0x07");
}

static void
test_link_ccm_ignored (void)
{
	/* INITIATOR and BANKD ignore CCM they do not handle */
	const guint8 junk[] = {
	    0x00,
	    0x01,
	    0xfe,
	    0x07, /* ID_NACK */
	    0x00,
	    0x01,
	    0xfe,
	    0x05, /* empty ID_RESP */
	    0x00,
	    0x00,
	    0xfe, /* empty CCM */
	    0x00,
	    0x01,
	    0xfe,
	    0x00, /* PING */
	};

	for (guint i = 0; i < 2; i++) {
		g_autoptr (LinkProbe) p = NULL;
		g_autoptr (RawPeer) raw = NULL;

		setup_raw (
		    i == 0 ? REMSIM_LINK_ROLE_INITIATOR : REMSIM_LINK_ROLE_BANKD, 0, 0, &p, &raw);
		raw_peer_send (raw, junk, sizeof (junk));
		assert_rx (raw, f_pong, sizeof (f_pong));
		g_assert_cmpuint (p->n_closed, ==, 0);
	}
}

static void
test_link_id_resp_server (void)
{
	const guint8 no_id[] = {0x00, 0x05, 0xfe, 0x05, 0x00, 0x02, 0x01, 0x00};
	const guint8 empty_id[] = {0x00, 0x05, 0xfe, 0x05, 0x00, 0x02, 0x08, 0x00};
	const guint8 bad[] = {0x00, 0x03, 0xfe, 0x05, 0x00, 0x09};
	const guint8 good[] = {
	    0x00,
	    0x09,
	    0xfe,
	    0x05,
	    0x00,
	    0x06,
	    0x08,
	    0x30,
	    0x2f,
	    0x30,
	    0x2f,
	    0x30, /* ID_RESP */
	    0x00,
	    0x01,
	    0xfe,
	    0x00, /* PING */
	};
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;

	check_closes (
	    REMSIM_LINK_ROLE_SERVER, no_id, sizeof (no_id), "IPA ID_RESP without unit id");
	check_closes (
	    REMSIM_LINK_ROLE_SERVER, empty_id, sizeof (empty_id), "IPA ID_RESP without unit id");
	check_closes (REMSIM_LINK_ROLE_SERVER,
		      bad,
		      sizeof (bad),
		      "malformed IPA ID_RESP: IPA ID_RESP truncated at offset 0");

	/* with a unit id it is accepted */
	setup_raw (REMSIM_LINK_ROLE_SERVER, 0, 0, &p, &raw);
	raw_peer_send (raw, good, sizeof (good));
	assert_rx (raw, f_pong, sizeof (f_pong));
	g_assert_cmpuint (p->n_closed, ==, 0);
}

static void
test_link_bad_frames (void)
{
	const guint8 huge[] = {0xff, 0xff, 0xee, 0x07, 0x30};
	const guint8 over[] = {0x10, 0x01, 0xee, 0x07};
	const guint8 rsl[] = {0x00, 0x01, 0x00, 0x00};
	const guint8 gsup[] = {0x00, 0x02, 0xee, 0x05, 0x00};
	const guint8 osmo_empty[] = {0x00, 0x00, 0xee};
	const guint8 bad_pdu[] = {0x00, 0x04, 0xee, 0x07, 0xff, 0xff, 0xff};

	for (guint r = 0; r < 3; r++) {
		RemsimLinkRole role = r;

		check_closes (
		    role, huge, sizeof (huge), "IPA frame of 65535 bytes exceeds limit of 4096");
		check_closes (
		    role, over, sizeof (over), "IPA frame of 4097 bytes exceeds limit of 4096");
		check_closes (role, rsl, sizeof (rsl), "unknown IPA stream 0x00");
		check_closes (role, gsup, sizeof (gsup), "unknown IPA OSMO extension 0x05");
		check_closes (
		    role, osmo_empty, sizeof (osmo_empty), "IPA OSMO frame without extension byte");
	}

	/* the decoder's message follows the prefix */
	{
		g_autoptr (LinkProbe) p = NULL;
		g_autoptr (RawPeer) raw = NULL;

		setup_raw (REMSIM_LINK_ROLE_BANKD, 0, 0, &p, &raw);
		raw_peer_send (raw, bad_pdu, sizeof (bad_pdu));
		g_assert_true (wait_until (probe_closed_cond, p, WAIT_MS));
		g_assert_true (g_str_has_prefix (p->reason, "malformed RSPRO PDU: "));
	}
}

static void
test_link_max_frame_ok (void)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;
	/* a frame of exactly 4096 payload bytes is accepted */
	g_autofree guint8 *buf = g_malloc0 (3 + 4096 + 4);

	setup_raw (REMSIM_LINK_ROLE_BANKD, 0, 0, &p, &raw);
	buf[0] = 0x10;
	buf[1] = 0x00;
	buf[2] = 0xfe;
	buf[3] = 0x07; /* an ID_NACK with a long tail: ignored by BANKD */
	memcpy (buf + 3 + 4096, f_ping, 4);
	raw_peer_send (raw, buf, 3 + 4096 + 4);
	assert_rx (raw, f_pong, sizeof (f_pong));
	g_assert_cmpuint (p->n_closed, ==, 0);
}

static void
test_link_eof (void)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;

	setup_raw (REMSIM_LINK_ROLE_BANKD, 0, 0, &p, &raw);
	/* half a frame, then the end */
	raw_peer_send (raw, connect_client_req, 10);
	g_io_stream_close (G_IO_STREAM (raw->conn), NULL, NULL);
	g_assert_true (wait_until (probe_closed_cond, p, WAIT_MS));
	g_assert_cmpstr (p->reason, ==, "peer closed the connection");
	run_for (20);
	g_assert_cmpuint (p->n_closed, ==, 1);
	g_assert_cmpuint (p->msgs->len, ==, 0);
}

static void
test_link_keepalive_timeout (void)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;
	gint64 start = g_get_monotonic_time ();

	setup_raw (REMSIM_LINK_ROLE_INITIATOR, 100, 100, &p, &raw);
	/* PING at once, no answer: closed after the timeout */
	assert_rx (raw, f_ping, sizeof (f_ping));
	g_assert_true (wait_until (probe_closed_cond, p, WAIT_MS));
	g_assert_cmpstr (p->reason, ==, "keepalive timeout");
	g_assert_cmpint (g_get_monotonic_time () - start, >=, 100 * 1000);
	g_assert_true (wait_until (raw_closed_cond, raw, WAIT_MS));
	g_assert_cmpuint (raw->pings, ==, 1);
}

static gboolean
raw_pings_cond (gpointer user_data)
{
	return ((RawPeer *)user_data)->pings >= 4;
}

static void
test_link_keepalive_ok (void)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;

	/* the peer answers: PING every 50 ms, the link stays up */
	setup_raw (REMSIM_LINK_ROLE_SERVER, 50, 200, &p, &raw);
	raw->auto_pong = TRUE;
	raw_peer_scan (raw);
	g_assert_true (wait_until (raw_pings_cond, raw, WAIT_MS));
	g_assert_cmpuint (p->n_closed, ==, 0);
}

static void
test_link_keepalive_off (void)
{
	GSocketConnection *a = NULL;
	GSocketConnection *b = NULL;
	g_autoptr (RemsimLink) link = NULL;
	g_autoptr (RawPeer) raw = NULL;

	/* BANKD sends no PING by default */
	socket_pair (&a, &b);
	link = remsim_link_new (G_IO_STREAM (b), REMSIM_LINK_ROLE_BANKD);
	g_object_unref (b);
	raw = raw_peer_new (a);
	remsim_link_start (link);
	raw_peer_send (raw, f_ping, sizeof (f_ping));
	assert_rx (raw, f_pong, sizeof (f_pong));
	g_assert_cmpuint (raw->rx->len, ==, 4);
}

static void
test_link_ping_first (void)
{
	GSocketConnection *a = NULL;
	GSocketConnection *b = NULL;
	g_autoptr (RemsimLink) link = NULL;
	g_autoptr (RawPeer) raw = NULL;
	g_autoptr (RemsimRsproMsg) msg = remsim_rspro_msg_new (REMSIM_RSPRO_RESET_STATE_REQ);
	g_autoptr (GError) error = NULL;

	/* default keepalive of SERVER: the PING goes out ahead of a PDU queued
	 * before start() */
	socket_pair (&a, &b);
	link = remsim_link_new (G_IO_STREAM (b), REMSIM_LINK_ROLE_SERVER);
	g_object_unref (b);
	raw = raw_peer_new (a);
	g_assert_true (remsim_link_send (link, msg, &error));
	g_assert_no_error (error);
	run_for (10);
	g_assert_cmpuint (raw->rx->len, ==, 0);
	remsim_link_start (link);
	g_assert_true (raw_wait_bytes (raw, 8));
	g_assert_cmpmem (raw->rx->data, 4, f_ping, 4);
	g_assert_cmpuint (raw->rx->data[6], ==, 0xee);
	g_assert_cmpuint (raw->rx->data[7], ==, 0x07);
}

static void
test_link_close_in_handler (void)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;
	guint8 buf[3 * sizeof (connect_client_req)];

	setup_raw (REMSIM_LINK_ROLE_BANKD, 0, 0, &p, &raw);
	p->close_in_message = TRUE;
	p->unref_in_closed = TRUE;
	for (guint i = 0; i < 3; i++)
		memcpy (buf + i * sizeof (connect_client_req),
			connect_client_req,
			sizeof (connect_client_req));
	raw_peer_send (raw, buf, sizeof (buf));
	g_assert_true (wait_until (probe_closed_cond, p, WAIT_MS));
	g_assert_null (p->link);
	run_for (20);
	g_assert_cmpuint (p->msgs->len, ==, 1);
	g_assert_cmpuint (p->n_closed, ==, 1);
	g_assert_cmpstr (p->reason, ==, "closed by the owner");
	g_assert_false (p->message_after_close);
	g_assert_true (wait_until (raw_closed_cond, raw, WAIT_MS));
}

static void
test_link_unref_on_eof (void)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;

	setup_raw (REMSIM_LINK_ROLE_INITIATOR, 0, 0, &p, &raw);
	p->unref_in_closed = TRUE;
	g_io_stream_close (G_IO_STREAM (raw->conn), NULL, NULL);
	g_assert_true (wait_until (probe_closed_cond, p, WAIT_MS));
	g_assert_null (p->link);
	g_assert_cmpuint (p->n_closed, ==, 1);
}

static void
test_link_close_api (void)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;
	g_autoptr (RemsimRsproMsg) msg = remsim_rspro_msg_new (REMSIM_RSPRO_RESET_STATE_REQ);
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) ping = g_bytes_new_static (f_ping, sizeof (f_ping));

	setup_raw (REMSIM_LINK_ROLE_BANKD, 0, 0, &p, &raw);
	remsim_link_close (p->link, "bye");
	remsim_link_close (p->link, "again");
	g_assert_cmpuint (p->n_closed, ==, 1);
	g_assert_cmpstr (p->reason, ==, "bye");
	g_assert_true (remsim_link_is_closed (p->link));
	g_assert_false (remsim_link_send (p->link, msg, &error));
	g_assert_error (error, REMSIM_ERROR, REMSIM_ERROR_PEER_CLOSED);
	remsim_link_send_raw (p->link, ping);
	g_assert_true (wait_until (raw_closed_cond, raw, WAIT_MS));
	g_assert_cmpuint (raw->rx->len, ==, 0);
	g_assert_cmpuint (p->n_closed, ==, 1);
}

static void
test_link_finalize_pending (void)
{
	/* links dropped while reads, writes and timers are pending */
	for (guint i = 0; i < 20; i++) {
		GSocketConnection *a = NULL;
		GSocketConnection *b = NULL;
		g_autoptr (RawPeer) raw = NULL;
		RemsimLink *link;
		g_autoptr (GBytes) big = NULL;
		g_autofree guint8 *buf = g_malloc0 (1 << 20);

		socket_pair (&a, &b);
		link = remsim_link_new (G_IO_STREAM (b), REMSIM_LINK_ROLE_INITIATOR);
		g_object_unref (b);
		remsim_link_set_keepalive (link, 10, 10);
		remsim_link_start (link);
		/* more than the socket takes: the rest waits in the queue */
		big = g_bytes_new_take (g_steal_pointer (&buf), 1 << 20);
		remsim_link_send_raw (link, big);
		raw = raw_peer_new (a);
		raw_peer_send (raw, connect_client_req, 20);
		if (i % 2 == 0)
			g_main_context_iteration (NULL, FALSE);
		g_object_unref (link);
		run_for (5);
		g_assert_true (wait_until (raw_closed_cond, raw, WAIT_MS));
	}
}

static void
test_link_write_backlog (void)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;
	g_autoptr (GByteArray) want = g_byte_array_new ();
	const guint n = 40000; /* 2.2 MiB: far more than the socket buffers */

	setup_raw (REMSIM_LINK_ROLE_BANKD, 0, 0, &p, &raw);
	/* queue everything before the peer reads anything */
	g_source_destroy (raw->source);
	for (guint i = 0; i < n; i++) {
		g_autoptr (GBytes) frame = NULL;
		guint8 f[sizeof (connect_client_req)];

		memcpy (f, connect_client_req, sizeof (f));
		f[sizeof (f) - 1] = i & 0xff;
		frame = g_bytes_new (f, sizeof (f));
		remsim_link_send_raw (p->link, frame);
		g_byte_array_append (want, f, sizeof (f));
	}
	g_source_unref (raw->source);
	raw->source = NULL;
	{
		GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (raw->conn));

		raw->source =
		    g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (in), NULL);
		g_source_set_callback (raw->source, G_SOURCE_FUNC (raw_peer_read_cb), raw, NULL);
		g_source_attach (raw->source, NULL);
	}
	g_assert_true (raw_wait_bytes (raw, want->len));
	g_assert_cmpmem (raw->rx->data, raw->rx->len, want->data, want->len);
	g_assert_cmpuint (p->n_closed, ==, 0);
}

/* a peer that never reads: the backlog is capped and the link closes,
 * instead of queueing (e.g. PONGs) without bound */
static void
test_link_backlog_limit (void)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;
	g_autoptr (GBytes) frame = NULL;
	g_autofree guint8 *buf = g_malloc0 (65535 + 3);

	setup_raw (REMSIM_LINK_ROLE_BANKD, 0, 0, &p, &raw);
	g_source_destroy (raw->source);
	g_clear_pointer (&raw->source, g_source_unref);
	buf[0] = 0xff;
	buf[1] = 0xff;
	buf[2] = 0xee;
	frame = g_bytes_new_take (g_steal_pointer (&buf), 65535 + 3);
	/* 64 MiB: more than the socket buffers and the cap together */
	for (guint i = 0; i < 1024 && p->n_closed == 0; i++)
		remsim_link_send_raw (p->link, frame);
	g_assert_cmpuint (p->n_closed, ==, 0);
	g_assert_true (wait_until (probe_closed_cond, p, WAIT_MS));
	g_assert_cmpuint (p->n_closed, ==, 1);
	g_assert_nonnull (strstr (p->reason, "peer does not read"));
}

static void
test_link_nodelay (void)
{
	GSocketConnection *a = NULL;
	GSocketConnection *b = NULL;
	g_autoptr (RemsimLink) link = NULL;
	g_autoptr (GError) error = NULL;
	gint value = 0;

	socket_pair (&a, &b);
	link = remsim_link_new (G_IO_STREAM (b), REMSIM_LINK_ROLE_SERVER);
	g_assert_true (g_socket_get_option (
	    g_socket_connection_get_socket (b), IPPROTO_TCP, TCP_NODELAY, &value, &error));
	g_assert_no_error (error);
	g_assert_cmpint (value, !=, 0);
	g_assert_true (remsim_link_get_stream (link) == G_IO_STREAM (b));
	g_object_unref (a);
	g_object_unref (b);
}

static void
nested_message_cb (RemsimLink *link, RemsimRsproMsg *msg, gpointer user_data)
{
	RawPeer *raw = user_data;
	guint8 f[sizeof (connect_client_req)];

	if (msg->client_slot.slot_nr != 0)
		return;
	/* more data arrives while a handler spins a nested main loop */
	for (guint i = 3; i < 5; i++) {
		memcpy (f, connect_client_req, sizeof (f));
		f[sizeof (f) - 1] = i;
		raw_peer_send (raw, f, sizeof (f));
	}
	run_for (30);
}

static void
test_link_nested_loop (void)
{
	g_autoptr (LinkProbe) p = NULL;
	g_autoptr (RawPeer) raw = NULL;
	guint8 buf[3 * sizeof (connect_client_req)];

	setup_raw (REMSIM_LINK_ROLE_BANKD, 0, 0, &p, &raw);
	g_signal_connect (p->link, "message", G_CALLBACK (nested_message_cb), raw);
	for (guint i = 0; i < 3; i++) {
		guint8 *f = buf + i * sizeof (connect_client_req);

		memcpy (f, connect_client_req, sizeof (connect_client_req));
		f[sizeof (connect_client_req) - 1] = i;
	}
	raw_peer_send (raw, buf, sizeof (buf));
	g_assert_true (probe_wait_msgs (p, 5));
	for (guint i = 0; i < 5; i++) {
		RemsimRsproMsg *msg = g_ptr_array_index (p->msgs, i);

		g_assert_cmpuint (msg->client_slot.slot_nr, ==, i);
	}
	g_assert_cmpuint (p->n_closed, ==, 0);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/remsim/link/pdu", test_link_pdu);
	g_test_add_func ("/remsim/link/many-pdus", test_link_many_pdus);
	g_test_add_func ("/remsim/link/ping", test_link_ping);
	g_test_add_func ("/remsim/link/id-ack-server", test_link_id_ack_server);
	g_test_add_func ("/remsim/link/id-ack-bankd", test_link_id_ack_bankd);
	g_test_add_func ("/remsim/link/id-ack-initiator", test_link_id_ack_initiator);
	g_test_add_func ("/remsim/link/id-get-initiator", test_link_id_get_initiator);
	g_test_add_func ("/remsim/link/id-get-server", test_link_id_get_server);
	g_test_add_func ("/remsim/link/ccm-unknown-server", test_link_ccm_unknown_server);
	g_test_add_func ("/remsim/link/ccm-ignored", test_link_ccm_ignored);
	g_test_add_func ("/remsim/link/id-resp-server", test_link_id_resp_server);
	g_test_add_func ("/remsim/link/bad-frames", test_link_bad_frames);
	g_test_add_func ("/remsim/link/max-frame-ok", test_link_max_frame_ok);
	g_test_add_func ("/remsim/link/eof", test_link_eof);
	g_test_add_func ("/remsim/link/keepalive-timeout", test_link_keepalive_timeout);
	g_test_add_func ("/remsim/link/keepalive-ok", test_link_keepalive_ok);
	g_test_add_func ("/remsim/link/keepalive-off", test_link_keepalive_off);
	g_test_add_func ("/remsim/link/ping-first", test_link_ping_first);
	g_test_add_func ("/remsim/link/close-in-handler", test_link_close_in_handler);
	g_test_add_func ("/remsim/link/unref-on-eof", test_link_unref_on_eof);
	g_test_add_func ("/remsim/link/close-api", test_link_close_api);
	g_test_add_func ("/remsim/link/nested-loop", test_link_nested_loop);
	g_test_add_func ("/remsim/link/finalize-pending", test_link_finalize_pending);
	g_test_add_func ("/remsim/link/write-backlog", test_link_write_backlog);
	g_test_add_func ("/remsim/link/nodelay", test_link_nodelay);
	g_test_add_func ("/remsim/link/backlog-limit", test_link_backlog_limit);
	return g_test_run ();
}
