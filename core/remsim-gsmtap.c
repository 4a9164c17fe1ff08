/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GSMTAP tracing of SIM APDUs and ATRs, as osmo-remsim-bankd -g does
 * (protocols.md §10).
 */
#include "config.h"

#include <string.h>

#include "remsim-gsmtap.h"

struct _RemsimGsmtap {
	GSocket *socket;
	GSocketAddress *dest;
	/* bound to the destination port when that is local, so the kernel
	 * answers no ICMP port-unreachable (as libosmocore does) */
	GSocket *sink;
	gint slot_nr;
};

/* a packet of this size is built on the stack; longer ones on the heap */
#define REMSIM_GSMTAP_STACK_LEN (REMSIM_GSMTAP_HDR_LEN + 260 + 258)

gsize
remsim_gsmtap_build_sim (guint8 *buf,
			 gsize buf_len,
			 guint8 sub_type,
			 const guint8 *a,
			 gsize a_len,
			 const guint8 *b,
			 gsize b_len)
{
	gsize len = REMSIM_GSMTAP_HDR_LEN + a_len + b_len;

	if (buf == NULL || len < a_len || len - a_len < b_len || len > buf_len)
		return 0;
	memset (buf, 0, REMSIM_GSMTAP_HDR_LEN);
	buf[0] = REMSIM_GSMTAP_VERSION;
	buf[1] = REMSIM_GSMTAP_HDR_LEN / 4;
	buf[2] = REMSIM_GSMTAP_TYPE_SIM;
	buf[12] = sub_type;
	if (a_len > 0)
		memcpy (buf + REMSIM_GSMTAP_HDR_LEN, a, a_len);
	if (b_len > 0)
		memcpy (buf + REMSIM_GSMTAP_HDR_LEN + a_len, b, b_len);
	return len;
}

static GInetAddress *
remsim_gsmtap_resolve (const gchar *host, GError **error)
{
	g_autoptr (GResolver) resolver = NULL;
	GList *addrs;
	GInetAddress *addr;

	addr = g_inet_address_new_from_string (host);
	if (addr != NULL)
		return addr;
	resolver = g_resolver_get_default ();
	addrs = g_resolver_lookup_by_name (resolver, host, NULL, error);
	if (addrs == NULL)
		return NULL;
	addr = g_object_ref (addrs->data);
	g_resolver_free_addresses (addrs);
	return addr;
}

static gboolean
remsim_gsmtap_is_local (GInetAddress *addr)
{
	g_autoptr (GSocket) probe = NULL;
	g_autoptr (GSocketAddress) any = NULL;

	if (g_inet_address_get_is_loopback (addr))
		return TRUE;
	/* an address of this host can be bound */
	probe = g_socket_new (
	    g_inet_address_get_family (addr), G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
	if (probe == NULL)
		return FALSE;
	any = g_inet_socket_address_new (addr, 0);
	return g_socket_bind (probe, any, FALSE, NULL);
}

RemsimGsmtap *
remsim_gsmtap_new (const gchar *host, gint slot_nr, GError **error)
{
	g_autoptr (GInetAddress) addr = NULL;
	RemsimGsmtap *self;

	g_return_val_if_fail (host != NULL, NULL);

	addr = remsim_gsmtap_resolve (host, error);
	if (addr == NULL)
		return NULL;
	self = g_new0 (RemsimGsmtap, 1);
	self->slot_nr = slot_nr;
	self->socket = g_socket_new (
	    g_inet_address_get_family (addr), G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, error);
	if (self->socket == NULL) {
		remsim_gsmtap_free (self);
		return NULL;
	}
	g_socket_set_blocking (self->socket, FALSE);
	self->dest = g_inet_socket_address_new (addr, REMSIM_GSMTAP_PORT);

	if (remsim_gsmtap_is_local (addr)) {
		g_autoptr (GError) sink_error = NULL;

		self->sink = g_socket_new (g_inet_address_get_family (addr),
					   G_SOCKET_TYPE_DATAGRAM,
					   G_SOCKET_PROTOCOL_UDP,
					   &sink_error);
		if (self->sink != NULL &&
		    !g_socket_bind (self->sink, self->dest, FALSE, &sink_error))
			g_clear_object (&self->sink);
		if (self->sink == NULL)
			g_debug ("GSMTAP: no sink socket on port %d: %s",
				 REMSIM_GSMTAP_PORT,
				 sink_error->message);
	}
	return self;
}

void
remsim_gsmtap_free (RemsimGsmtap *gsmtap)
{
	if (gsmtap == NULL)
		return;
	g_clear_object (&gsmtap->sink);
	g_clear_object (&gsmtap->socket);
	g_clear_object (&gsmtap->dest);
	g_free (gsmtap);
}

gboolean
remsim_gsmtap_wants_slot (const RemsimGsmtap *gsmtap, guint slot_nr)
{
	return gsmtap != NULL && (gsmtap->slot_nr < 0 || (guint)gsmtap->slot_nr == slot_nr);
}

static void
remsim_gsmtap_send (RemsimGsmtap *gsmtap,
		    guint8 sub_type,
		    const guint8 *a,
		    gsize a_len,
		    const guint8 *b,
		    gsize b_len)
{
	guint8 stack[REMSIM_GSMTAP_STACK_LEN];
	g_autofree guint8 *heap = NULL;
	g_autoptr (GError) error = NULL;
	guint8 *buf = stack;
	gsize buf_len = sizeof (stack);
	gsize len;

	g_return_if_fail (gsmtap != NULL);

	if (REMSIM_GSMTAP_HDR_LEN + a_len + b_len > buf_len) {
		buf_len = REMSIM_GSMTAP_HDR_LEN + a_len + b_len;
		buf = heap = g_malloc (buf_len);
	}
	len = remsim_gsmtap_build_sim (buf, buf_len, sub_type, a, a_len, b, b_len);
	if (len == 0)
		return;
	if (g_socket_send_to (gsmtap->socket, gsmtap->dest, (const gchar *)buf, len, NULL, &error) <
	    0)
		g_debug ("GSMTAP: cannot send: %s", error->message);
}

void
remsim_gsmtap_send_apdu (
    RemsimGsmtap *gsmtap, const guint8 *cmd, gsize cmd_len, const guint8 *resp, gsize resp_len)
{
	remsim_gsmtap_send (gsmtap, REMSIM_GSMTAP_SIM_APDU, cmd, cmd_len, resp, resp_len);
}

void
remsim_gsmtap_send_atr (RemsimGsmtap *gsmtap, const guint8 *atr, gsize atr_len)
{
	remsim_gsmtap_send (gsmtap, REMSIM_GSMTAP_SIM_ATR, atr, atr_len, NULL, 0);
}
