/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Framing of the vsmartcard vpcd/vicc socket protocol (protocols.md §8):
 * every message is a 2-byte big-endian length and that many payload bytes.
 * A 1-byte payload from the reader side is a control code; anything longer
 * is a command APDU. Pure functions, shared by the vicc source and sink,
 * with the keys both of them read.
 */

#include <glib.h>

#include "remsim-plugin.h"

G_BEGIN_DECLS

/* vpcd's base port (0x8C7B); slot n of a reader uses base + n */
#define REMSIM_VICC_DEFAULT_PORT 35963
/* pcscd's MAX_ATR_SIZE: vpcd refuses a longer ATR */
#define REMSIM_VICC_MAX_ATR_SIZE 33
#define REMSIM_VICC_HEADER_SIZE	 2
#define REMSIM_VICC_MAX_PAYLOAD	 G_MAXUINT16

typedef enum {
	REMSIM_VICC_CTRL_OFF = 0x00,   /* no reply */
	REMSIM_VICC_CTRL_ON = 0x01,    /* no reply */
	REMSIM_VICC_CTRL_RESET = 0x02, /* no reply */
	REMSIM_VICC_CTRL_ATR = 0x04,   /* reply: the ATR */
} RemsimViccCtrl;

/* appends one framed message; @len must not exceed REMSIM_VICC_MAX_PAYLOAD */
void remsim_vicc_frame_append (GByteArray *out, const guint8 *payload, gsize len);
/* appends a framed 1-byte control message */
void remsim_vicc_frame_append_ctrl (GByteArray *out, RemsimViccCtrl ctrl);

/*
 * remsim_vicc_frame_peek:
 * @buf: received bytes, starting at a message boundary
 * @len: how many
 * @payload_len: (out): the payload length announced by the header, as soon
 *   as the header is complete
 *
 * Returns: the size of the first message (header + payload) if it is
 *   complete in @buf, else 0 (more bytes needed)
 */
gsize remsim_vicc_frame_peek (const guint8 *buf, gsize len, gsize *payload_len);

/*
 * remsim_vicc_slots_lowest:
 * @value: a "slots" value: ';'-separated numbers and ranges ("0-3;9")
 * @lowest: (out): the lowest slot number named
 *
 * Returns: %FALSE if @value names no slot or is malformed
 */
gboolean remsim_vicc_slots_lowest (const gchar *value, guint *lowest);

const gchar *remsim_vicc_ctrl_to_string (guint8 ctrl);

/* the keys of a vicc source or sink group, besides the core's */
#define REMSIM_VICC_KEYS "listen", "connect", "timeout-ms", "reconnect-interval-ms"

/*
 * remsim_vicc_get_common_keys:
 * @timeout_ms: (inout): "timeout-ms", if set
 * @reconnect_ms: (inout): "reconnect-interval-ms", if set
 * @listen: (out) (nullable): "listen", unstripped
 * @connect: (out) (nullable): "connect", unstripped
 *
 * Reads the keys the source and the sink share from the instance's group.
 *
 * Returns: %FALSE for a value out of range or both "listen" and "connect"
 */
gboolean remsim_vicc_get_common_keys (const RemsimPluginInstanceProps *props,
				      guint *timeout_ms,
				      guint *reconnect_ms,
				      gchar **listen,
				      gchar **connect,
				      GError **error);

/* remsim_config_parse_hostport() with REMSIM_VICC_DEFAULT_PORT; an error is
 * REMSIM_CONFIG_ERROR_INVALID_VALUE naming @key */
gboolean remsim_vicc_parse_hostport (
    const gchar *key, const gchar *value, gchar **host, guint16 *port, GError **error);

/* a host to listen on, from @value of @key: "localhost" becomes 127.0.0.1,
 * anything else must be an IP address */
gboolean
remsim_vicc_parse_listen_host (gchar **host, const gchar *key, const gchar *value, GError **error);

/*
 * remsim_vicc_slot_port:
 * @base: the configured port
 * @port: (out): the port of the instance's slot: @base plus the slot's
 *   distance from the lowest slot of the group's "slots" (0 stays 0)
 *
 * Returns: %FALSE for a malformed "slots" or a port beyond 65535
 */
gboolean remsim_vicc_slot_port (const RemsimPluginInstanceProps *props,
				guint16 base,
				guint16 *port,
				GError **error);

G_END_DECLS
