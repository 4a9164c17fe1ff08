/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "remsim-vicc-proto.h"
#include "test-vicc-fake.h"

/* helpers ---------------------------------------------------------------- */

GBytes *
hex_to_bytes (const gchar *hex)
{
	gsize len = strlen (hex) / 2;
	guint8 *buf = g_malloc (len + 1);

	for (gsize i = 0; i < len; i++)
		buf[i] = (guint8)((g_ascii_xdigit_value (hex[2 * i]) << 4) |
				  g_ascii_xdigit_value (hex[2 * i + 1]));
	return g_bytes_new_take (buf, len);
}

gchar *
bytes_to_hex (GBytes *bytes)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data (bytes, &len);
	GString *s = g_string_new (NULL);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf (s, "%02x", data[i]);
	return g_string_free (s, FALSE);
}

static gboolean
flag_timeout_cb (gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return G_SOURCE_REMOVE;
}

gboolean
wait_for (gboolean *flag, guint ms)
{
	gboolean expired = FALSE;
	GSource *timer = g_timeout_source_new (ms);

	g_source_set_callback (timer, flag_timeout_cb, &expired, NULL);
	g_source_attach (timer, NULL);
	while (!*flag && !expired)
		g_main_context_iteration (NULL, TRUE);
	g_source_destroy (timer);
	g_source_unref (timer);
	return *flag;
}

void
spin (guint ms)
{
	gboolean never = FALSE;

	wait_for (&never, ms);
}

/* the listener ----------------------------------------------------------- */

FakeListener *
listener_new (guint16 port)
{
	FakeListener *l = g_new0 (FakeListener, 1);
	g_autoptr (GInetAddress) ip = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
	g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (ip, port);
	g_autoptr (GSocketAddress) bound = NULL;
	g_autoptr (GError) error = NULL;

	l->listener = g_socket_listener_new ();
	g_socket_listener_add_address (
	    l->listener, addr, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
	g_assert_no_error (error);
	l->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
	return l;
}

void
listener_free (FakeListener *l)
{
	if (l == NULL)
		return;
	if (l->cancellable != NULL) {
		g_cancellable_cancel (l->cancellable);
		/* let the accept finish, it points at us */
		while (!l->accept_done)
			g_main_context_iteration (NULL, TRUE);
		g_object_unref (l->cancellable);
	}
	g_socket_listener_close (l->listener);
	g_object_unref (l->listener);
	g_clear_object (&l->accepted);
	g_free (l);
}

static void
listener_accept_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	FakeListener *l = user_data;

	l->accepted = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), res, NULL, NULL);
	l->accept_done = TRUE;
}

GSocketConnection *
listener_accept (FakeListener *l, guint ms)
{
	if (l->cancellable == NULL) {
		l->cancellable = g_cancellable_new ();
		l->accept_done = FALSE;
		g_socket_listener_accept_async (l->listener, l->cancellable, listener_accept_cb, l);
	}
	wait_for (&l->accept_done, ms);
	if (!l->accept_done)
		return NULL;
	g_clear_object (&l->cancellable);
	return g_steal_pointer (&l->accepted);
}

/* the peer --------------------------------------------------------------- */

FakePeer *
fake_new (GSocketConnection *conn)
{
	FakePeer *f = g_new0 (FakePeer, 1);

	f->conn = conn;
	f->sock = g_socket_connection_get_socket (conn);
	g_socket_set_option (f->sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
	f->rx = g_byte_array_new ();
	return f;
}

FakePeer *
fake_accept (FakeListener *l)
{
	GSocketConnection *conn = listener_accept (l, TEST_WAIT);

	g_assert_nonnull (conn);
	return fake_new (conn);
}

FakePeer *
fake_connect (guint16 port, GError **error)
{
	g_autoptr (GSocketClient) client = g_socket_client_new ();
	GSocketConnection *conn;

	/* the proxy resolver needs GSettings, hidden by the isolated dirs */
	g_socket_client_set_enable_proxy (client, FALSE);
	conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, error);
	if (conn == NULL)
		return NULL;
	return fake_new (conn);
}

void
fake_free (FakePeer *f)
{
	if (f == NULL)
		return;
	g_object_unref (f->conn);
	g_byte_array_unref (f->rx);
	g_free (f);
}

static gboolean
fake_readable_cb (GSocket *sock, GIOCondition cond, gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return G_SOURCE_REMOVE;
}

gboolean
fake_fill (FakePeer *f, guint ms)
{
	gboolean readable = FALSE;
	GSource *src = g_socket_create_source (f->sock, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
	guint8 buf[4096];
	gssize n;
	g_autoptr (GError) error = NULL;

	g_source_set_callback (
	    src, (GSourceFunc)(void (*) (void))fake_readable_cb, &readable, NULL);
	g_source_attach (src, NULL);
	wait_for (&readable, ms);
	g_source_destroy (src);
	g_source_unref (src);
	if (!readable)
		return FALSE;
	n = g_socket_receive_with_blocking (
	    f->sock, (gchar *)buf, sizeof (buf), FALSE, NULL, &error);
	if (n <= 0) {
		f->eof = TRUE;
		return TRUE;
	}
	g_byte_array_append (f->rx, buf, (guint)n);
	return TRUE;
}

void
fake_close (FakePeer *f)
{
	g_assert_true (g_io_stream_close (G_IO_STREAM (f->conn), NULL, NULL));
}

gchar *
fake_recv_within (FakePeer *f, guint ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)ms * 1000;

	for (;;) {
		gsize plen = 0;
		gsize frame = remsim_vicc_frame_peek (f->rx->data, f->rx->len, &plen);

		if (frame > 0) {
			g_autoptr (GBytes) msg =
			    g_bytes_new (f->rx->data + REMSIM_VICC_HEADER_SIZE, plen);

			g_byte_array_remove_range (f->rx, 0, (guint)frame);
			return bytes_to_hex (msg);
		}
		if (f->eof || g_get_monotonic_time () > deadline)
			return NULL;
		fake_fill (f, 20);
	}
}

void
fake_expect (FakePeer *f, const gchar *hex)
{
	g_autofree gchar *got = fake_recv_within (f, TEST_WAIT);

	g_assert_cmpstr (got, ==, hex);
}

void
fake_expect_nothing (FakePeer *f, guint ms)
{
	g_autofree gchar *got = fake_recv_within (f, ms);

	g_assert_cmpstr (got, ==, NULL);
	g_assert_false (f->eof);
}

void
fake_expect_closed (FakePeer *f)
{
	gint64 deadline = g_get_monotonic_time () + TEST_WAIT * 1000;

	while (!f->eof && g_get_monotonic_time () < deadline)
		fake_fill (f, 100);
	g_assert_true (f->eof);
}

void
fake_send_raw (FakePeer *f, const guint8 *data, gsize len)
{
	g_autoptr (GError) error = NULL;
	gssize n =
	    g_socket_send_with_blocking (f->sock, (const gchar *)data, len, TRUE, NULL, &error);

	g_assert_no_error (error);
	g_assert_cmpint (n, ==, (gssize)len);
}

void
fake_send_many (FakePeer *f, ...)
{
	g_autoptr (GByteArray) wire = g_byte_array_new ();
	const gchar *hex;
	va_list ap;

	va_start (ap, f);
	while ((hex = va_arg (ap, const gchar *)) != NULL) {
		g_autoptr (GBytes) payload = hex_to_bytes (hex);
		gsize len = 0;
		const guint8 *data = g_bytes_get_data (payload, &len);

		remsim_vicc_frame_append (wire, data, len);
	}
	va_end (ap);
	fake_send_raw (f, wire->data, wire->len);
}

void
fake_send (FakePeer *f, const gchar *hex)
{
	fake_send_many (f, hex, NULL);
}
