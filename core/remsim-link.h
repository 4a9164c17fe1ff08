/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "remsim-rspro.h"

G_BEGIN_DECLS

/*
 * RemsimLink: one RSPRO connection over a GIOStream (normally a
 * GSocketConnection). IPA framing, BER decoding, CCM handling and keepalive
 * happen here; the owner sees decoded messages as the "message" signal and
 * the end of the connection as "closed" (emitted exactly once).
 *
 * The role decides the IPA CCM behaviour (protocols.md §2.3):
 * - INITIATOR (client→server, client→bankd, bankd→server): keepalive on,
 *   answers PING and ID_GET (ID_RESP + ID_ACK), never answers ID_ACK.
 * - SERVER (remsim-server's accepted connections): keepalive on, answers
 *   PING and ID_ACK; ID_GET, unknown CCM types, ID_RESP without unit id
 *   close the connection.
 * - BANKD (remsim-bankd's accepted client connections): no keepalive,
 *   answers PING and ID_ACK, ignores other CCM.
 */
typedef enum {
	REMSIM_LINK_ROLE_INITIATOR,
	REMSIM_LINK_ROLE_SERVER,
	REMSIM_LINK_ROLE_BANKD,
} RemsimLinkRole;

#define REMSIM_LINK_DEFAULT_KEEPALIVE_INTERVAL_MS 30000
#define REMSIM_LINK_DEFAULT_KEEPALIVE_TIMEOUT_MS  10000
/* largest IPA payload accepted; real PDUs are < 400 bytes */
#define REMSIM_LINK_DEFAULT_MAX_FRAME 4096

#define REMSIM_TYPE_LINK (remsim_link_get_type ())
G_DECLARE_FINAL_TYPE (RemsimLink, remsim_link, REMSIM, LINK, GObject)

/* takes a reference on @stream; sets TCP_NODELAY if it is a socket */
RemsimLink *
remsim_link_new (GIOStream *stream, RemsimLinkRole role);
/* 0 interval disables keepalive; call before remsim_link_start() */
void
remsim_link_set_keepalive (RemsimLink *self, guint interval_ms, guint timeout_ms);
/* a short name for logs, e.g. "C23:0" or "B1"; defaults to the peer address */
void
remsim_link_set_name (RemsimLink *self, const gchar *name);
const gchar *
remsim_link_get_name (RemsimLink *self);
/* start reading and (if enabled) the keepalive; an INITIATOR sends PING at once */
void
remsim_link_start (RemsimLink *self);
/* queue one PDU; each IPA frame goes out in a single write */
gboolean
remsim_link_send (RemsimLink *self, const RemsimRsproMsg *msg, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* queue raw bytes unchanged (tests, hostile peers) */
void
remsim_link_send_raw (RemsimLink *self, GBytes *bytes);
/* close; "closed" is emitted with @reason unless already closed */
void
remsim_link_close (RemsimLink *self, const gchar *reason);
gboolean
remsim_link_is_closed (RemsimLink *self);
/* remote address of the underlying socket, or NULL */
GInetSocketAddress *
remsim_link_get_remote_address (RemsimLink *self);
GInetSocketAddress *
remsim_link_get_local_address (RemsimLink *self);
GIOStream *
remsim_link_get_stream (RemsimLink *self);

/*
 * Signals:
 *  "message" (RemsimRsproMsg *msg): one decoded PDU (type may be UNKNOWN)
 *  "closed" (const gchar *reason): the connection is gone; the link will
 *      not emit anything else
 */

G_END_DECLS
