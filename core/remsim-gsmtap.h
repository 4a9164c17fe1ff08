/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GSMTAP tracing of SIM APDUs and ATRs (docs: protocols.md §10): one UDP
 * datagram per APDU or ATR to HOST:4729, never blocking.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define REMSIM_GSMTAP_PORT     4729
#define REMSIM_GSMTAP_HDR_LEN  16
#define REMSIM_GSMTAP_VERSION  0x02
#define REMSIM_GSMTAP_TYPE_SIM 0x04
#define REMSIM_GSMTAP_SIM_APDU 0x00
#define REMSIM_GSMTAP_SIM_ATR  0x01

typedef struct _RemsimGsmtap RemsimGsmtap;

/**
 * remsim_gsmtap_build_sim:
 * @buf: (out caller-allocates): where the packet goes
 * @buf_len: size of @buf
 * @sub_type: %REMSIM_GSMTAP_SIM_APDU or %REMSIM_GSMTAP_SIM_ATR
 * @a: (nullable): first payload part (command, or ATR)
 * @b: (nullable): second payload part (response), right after @a
 *
 * Builds a GSMTAP v2 SIM packet: the 16-byte header, then @a, then @b.
 *
 * Returns: the packet length, or 0 when it does not fit into @buf
 */
gsize remsim_gsmtap_build_sim (guint8 *buf,
			       gsize buf_len,
			       guint8 sub_type,
			       const guint8 *a,
			       gsize a_len,
			       const guint8 *b,
			       gsize b_len);

/**
 * remsim_gsmtap_new:
 * @host: name or address of the receiver (port 4729)
 * @slot_nr: the only bank slot number traced, or -1 for all
 *
 * Returns: (transfer full): a tracer, or %NULL when @host does not resolve
 * or no socket can be made
 */
RemsimGsmtap *remsim_gsmtap_new (const gchar *host, gint slot_nr, GError **error);
void remsim_gsmtap_free (RemsimGsmtap *gsmtap);

/* whether packets of bank slot number @slot_nr are wanted */
gboolean remsim_gsmtap_wants_slot (const RemsimGsmtap *gsmtap, guint slot_nr);

/* a complete APDU: command bytes immediately followed by response bytes */
void remsim_gsmtap_send_apdu (
    RemsimGsmtap *gsmtap, const guint8 *cmd, gsize cmd_len, const guint8 *resp, gsize resp_len);
void remsim_gsmtap_send_atr (RemsimGsmtap *gsmtap, const guint8 *atr, gsize atr_len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimGsmtap, remsim_gsmtap_free)

G_END_DECLS
