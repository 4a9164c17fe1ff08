/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The vicc plugin tests' fake peer: a scripted vpcd (for the sink) or vicc
 * (for the source) on a real loopback socket, and a listener for a peer
 * that is connected to. The fake runs on the test's main context: it waits
 * for bytes by iterating the loop, so the plugin under test keeps running
 * while the test "blocks".
 */

#include <gio/gio.h>

G_BEGIN_DECLS

/* how long a test waits for something that is due */
#define TEST_WAIT 5000

GBytes *hex_to_bytes (const gchar *hex);
gchar *bytes_to_hex (GBytes *bytes);

/* iterate the main context until *flag or ms elapsed; returns *flag */
gboolean wait_for (gboolean *flag, guint ms);
/* iterate the main context for @ms */
void spin (guint ms);

/* a listener on loopback, for a plugin that connects */
typedef struct {
	GSocketListener *listener;
	guint16 port;
	GSocketConnection *accepted;
	gboolean accept_done;
	GCancellable *cancellable;
} FakeListener;

/* @port 0: any free one (see ->port) */
FakeListener *listener_new (guint16 port);
void listener_free (FakeListener *l);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeListener, listener_free)
/* the next connection within @ms, or NULL */
GSocketConnection *listener_accept (FakeListener *l, guint ms);

/* one connection of the fake peer */
typedef struct {
	GSocketConnection *conn;
	GSocket *sock;
	GByteArray *rx;
	gboolean eof;
} FakePeer;

/* takes @conn */
FakePeer *fake_new (GSocketConnection *conn);
/* the plugin's next connection to @l */
FakePeer *fake_accept (FakeListener *l);
/* connect to a listening plugin */
FakePeer *fake_connect (guint16 port, GError **error);
void fake_free (FakePeer *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakePeer, fake_free)

/* read what is there, waiting up to @ms for something; FALSE on timeout */
gboolean fake_fill (FakePeer *f, guint ms);
void fake_close (FakePeer *f);

/* the next message from the plugin as hex; NULL if none within @ms */
gchar *fake_recv_within (FakePeer *f, guint ms);
/* the next message is @hex (within TEST_WAIT) */
void fake_expect (FakePeer *f, const gchar *hex);
/* no message within @ms, and the connection still open */
void fake_expect_nothing (FakePeer *f, guint ms);
/* wait until the plugin closes the connection */
void fake_expect_closed (FakePeer *f);

void fake_send_raw (FakePeer *f, const guint8 *data, gsize len);
/* several messages in one write, as hex strings, NULL-terminated */
void fake_send_many (FakePeer *f, ...) G_GNUC_NULL_TERMINATED;
void fake_send (FakePeer *f, const gchar *hex);

G_END_DECLS
