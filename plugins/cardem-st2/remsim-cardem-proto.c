/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-cardem-proto.h"

G_DEFINE_QUARK (remsim - cardem - proto - error - quark, remsim_cardem_proto_error)

static void
remsim_cardem_put_u16 (guint8 *p, guint16 v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void
remsim_cardem_put_u32 (guint8 *p, guint32 v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static guint16
remsim_cardem_get_u16 (const guint8 *p)
{
	return (guint16)(p[0] | (p[1] << 8));
}

static guint32
remsim_cardem_get_u32 (const guint8 *p)
{
	return (guint32)p[0] | ((guint32)p[1] << 8) | ((guint32)p[2] << 16) | ((guint32)p[3] << 24);
}

/**
 * remsim_cardem_encode:
 * @msg_class: the message class
 * @msg_type: the message type
 * @payload: (array length=len) (nullable): the payload
 * @len: its length
 *
 * Returns: (transfer full): header and payload; %NULL if the message would
 *   not fit the 16-bit length field
 */
GBytes *
remsim_cardem_encode (guint8 msg_class, guint8 msg_type, const guint8 *payload, gsize len)
{
	guint8 *buf;
	gsize total = REMSIM_CARDEM_HDR_LEN + len;

	g_return_val_if_fail (payload != NULL || len == 0, NULL);
	if (total > G_MAXUINT16)
		return NULL;
	buf = g_malloc0 (total);
	buf[0] = msg_class;
	buf[1] = msg_type;
	/* seq_nr, slot_nr and reserved stay 0 */
	remsim_cardem_put_u16 (buf + 6, (guint16)total);
	if (len > 0)
		memcpy (buf + REMSIM_CARDEM_HDR_LEN, payload, len);
	return g_bytes_new_take (buf, total);
}

GBytes *
remsim_cardem_encode_set_atr (const guint8 *atr, gsize len)
{
	guint8 payload[1 + 255];

	g_return_val_if_fail (atr != NULL || len == 0, NULL);
	g_return_val_if_fail (len <= 255, NULL);
	payload[0] = (guint8)len;
	if (len > 0)
		memcpy (payload + 1, atr, len);
	return remsim_cardem_encode (
	    REMSIM_CARDEM_CLASS_CARDEM, REMSIM_CARDEM_DT_SET_ATR, payload, 1 + len);
}

GBytes *
remsim_cardem_encode_config (guint32 features, guint8 slot_mux_nr, guint8 pres_pol)
{
	guint8 payload[6];

	remsim_cardem_put_u32 (payload, features);
	payload[4] = slot_mux_nr;
	payload[5] = pres_pol;
	return remsim_cardem_encode (
	    REMSIM_CARDEM_CLASS_CARDEM, REMSIM_CARDEM_BD_CONFIG, payload, sizeof (payload));
}

GBytes *
remsim_cardem_encode_cardinsert (gboolean inserted)
{
	guint8 payload = inserted ? 1 : 0;

	return remsim_cardem_encode (
	    REMSIM_CARDEM_CLASS_CARDEM, REMSIM_CARDEM_DT_CARDINSERT, &payload, 1);
}

GBytes *
remsim_cardem_encode_status_request (void)
{
	return remsim_cardem_encode (REMSIM_CARDEM_CLASS_CARDEM, REMSIM_CARDEM_BD_STATUS, NULL, 0);
}

GBytes *
remsim_cardem_encode_sim_select (gboolean remote)
{
	guint8 payload = remote ? 1 : 0;

	return remsim_cardem_encode (
	    REMSIM_CARDEM_CLASS_MODEM, REMSIM_CARDEM_DT_MODEM_SIM_SELECT, &payload, 1);
}

GBytes *
remsim_cardem_encode_modem_reset (guint8 asserted, guint16 pulse_ms)
{
	guint8 payload[3];

	payload[0] = asserted;
	remsim_cardem_put_u16 (payload + 1, pulse_ms);
	return remsim_cardem_encode (
	    REMSIM_CARDEM_CLASS_MODEM, REMSIM_CARDEM_DT_MODEM_RESET, payload, sizeof (payload));
}

/**
 * remsim_cardem_encode_tx_data:
 * @flags: REMSIM_CARDEM_DATA_F_*
 * @data: (array length=len): procedure byte / data / SW
 * @len: its length
 *
 * Returns: (transfer full): the DT_CEMU_TX_DATA message, %NULL if it would
 *   not fit the firmware's buffer
 */
GBytes *
remsim_cardem_encode_tx_data (guint32 flags, const guint8 *data, gsize len)
{
	guint8 payload[REMSIM_CARDEM_MAX_OUT_LEN];

	g_return_val_if_fail (data != NULL || len == 0, NULL);
	if (REMSIM_CARDEM_HDR_LEN + 6 + len > REMSIM_CARDEM_MAX_OUT_LEN)
		return NULL;
	remsim_cardem_put_u32 (payload, flags);
	remsim_cardem_put_u16 (payload + 4, (guint16)len);
	if (len > 0)
		memcpy (payload + 6, data, len);
	return remsim_cardem_encode (
	    REMSIM_CARDEM_CLASS_CARDEM, REMSIM_CARDEM_DT_TX_DATA, payload, 6 + len);
}

/**
 * remsim_cardem_decode:
 * @buf: (array length=len): one device->host transfer
 * @len: its length
 * @msg: (out caller-allocates): the message; its payload points into @buf
 * @error: return location for a #GError
 *
 * Bytes after msg_len are ignored (the firmware sends one message per
 * transfer).
 *
 * Returns: %TRUE if @buf holds a complete message
 */
gboolean
remsim_cardem_decode (const guint8 *buf, gsize len, RemsimCardemMsg *msg, GError **error)
{
	guint16 msg_len;

	g_return_val_if_fail (buf != NULL || len == 0, FALSE);
	g_return_val_if_fail (msg != NULL, FALSE);

	if (len < REMSIM_CARDEM_HDR_LEN) {
		g_set_error (error,
			     REMSIM_CARDEM_PROTO_ERROR,
			     REMSIM_CARDEM_PROTO_ERROR_TRUNCATED,
			     "message of %" G_GSIZE_FORMAT " bytes is shorter than its header",
			     len);
		return FALSE;
	}
	msg_len = remsim_cardem_get_u16 (buf + 6);
	if (msg_len < REMSIM_CARDEM_HDR_LEN) {
		g_set_error (error,
			     REMSIM_CARDEM_PROTO_ERROR,
			     REMSIM_CARDEM_PROTO_ERROR_INVALID,
			     "msg_len %u is shorter than the header",
			     msg_len);
		return FALSE;
	}
	if (msg_len > len) {
		g_set_error (error,
			     REMSIM_CARDEM_PROTO_ERROR,
			     REMSIM_CARDEM_PROTO_ERROR_TRUNCATED,
			     "msg_len %u but only %" G_GSIZE_FORMAT " bytes received",
			     msg_len,
			     len);
		return FALSE;
	}
	msg->msg_class = buf[0];
	msg->msg_type = buf[1];
	msg->seq_nr = buf[2];
	msg->slot_nr = buf[3];
	msg->payload = buf + REMSIM_CARDEM_HDR_LEN;
	msg->payload_len = msg_len - REMSIM_CARDEM_HDR_LEN;
	return TRUE;
}

static gboolean
remsim_cardem_need (const RemsimCardemMsg *msg, gsize need, GError **error)
{
	if (msg->payload_len >= need)
		return TRUE;
	g_set_error (error,
		     REMSIM_CARDEM_PROTO_ERROR,
		     REMSIM_CARDEM_PROTO_ERROR_TRUNCATED,
		     "%s: payload of %" G_GSIZE_FORMAT " bytes, need %" G_GSIZE_FORMAT,
		     remsim_cardem_msg_name (msg->msg_class, msg->msg_type),
		     msg->payload_len,
		     need);
	return FALSE;
}

/**
 * remsim_cardem_decode_data:
 * @msg: a DO_CEMU_RX_DATA (or DT_CEMU_TX_DATA) message
 * @flags: (out): REMSIM_CARDEM_DATA_F_*
 * @data: (out) (transfer none): the data, pointing into the message
 * @data_len: (out): its length
 * @error: return location for a #GError
 *
 * Returns: %TRUE if data_len bytes are there
 */
gboolean
remsim_cardem_decode_data (const RemsimCardemMsg *msg,
			   guint32 *flags,
			   const guint8 **data,
			   gsize *data_len,
			   GError **error)
{
	guint16 dlen;

	if (!remsim_cardem_need (msg, 6, error))
		return FALSE;
	dlen = remsim_cardem_get_u16 (msg->payload + 4);
	if (!remsim_cardem_need (msg, 6 + (gsize)dlen, error))
		return FALSE;
	*flags = remsim_cardem_get_u32 (msg->payload);
	*data = msg->payload + 6;
	*data_len = dlen;
	return TRUE;
}

gboolean
remsim_cardem_decode_status (const RemsimCardemMsg *msg, RemsimCardemStatus *status, GError **error)
{
	const guint8 *p = msg->payload;

	/* the flags are what matters; older firmware may send a shorter struct */
	if (!remsim_cardem_need (msg, 4, error))
		return FALSE;
	memset (status, 0, sizeof (*status));
	status->flags = remsim_cardem_get_u32 (p);
	if (msg->payload_len >= 13) {
		status->voltage_mv = remsim_cardem_get_u16 (p + 4);
		status->fi = p[6];
		status->di = p[7];
		status->wi = p[8];
		status->waiting_time = remsim_cardem_get_u32 (p + 9);
	}
	return TRUE;
}

gboolean
remsim_cardem_decode_pts (const RemsimCardemMsg *msg, RemsimCardemPts *pts, GError **error)
{
	if (!remsim_cardem_need (msg, 13, error))
		return FALSE;
	pts->pts_len = msg->payload[0];
	memcpy (pts->req, msg->payload + 1, 6);
	memcpy (pts->resp, msg->payload + 7, 6);
	if (pts->pts_len > 6) {
		g_set_error (error,
			     REMSIM_CARDEM_PROTO_ERROR,
			     REMSIM_CARDEM_PROTO_ERROR_INVALID,
			     "PTS of %u bytes (at most 6)",
			     pts->pts_len);
		return FALSE;
	}
	return TRUE;
}

gboolean
remsim_cardem_decode_config (const RemsimCardemMsg *msg,
			     guint32 *features,
			     guint8 *slot_mux_nr,
			     guint8 *pres_pol,
			     GError **error)
{
	/* older firmware has no pres_pol */
	if (!remsim_cardem_need (msg, 5, error))
		return FALSE;
	*features = remsim_cardem_get_u32 (msg->payload);
	*slot_mux_nr = msg->payload[4];
	*pres_pol = msg->payload_len >= 6 ? msg->payload[5] : 0;
	return TRUE;
}

gboolean
remsim_cardem_decode_error (const RemsimCardemMsg *msg, RemsimCardemErrorInd *ind, GError **error)
{
	gsize text_len;

	if (!remsim_cardem_need (msg, 5, error))
		return FALSE;
	ind->severity = msg->payload[0];
	ind->subsystem = msg->payload[1];
	ind->code = remsim_cardem_get_u16 (msg->payload + 2);
	text_len = MIN ((gsize)msg->payload[4], msg->payload_len - 5);
	ind->text = g_strndup ((const gchar *)msg->payload + 5, text_len);
	return TRUE;
}

const gchar *
remsim_cardem_msg_name (guint8 msg_class, guint8 msg_type)
{
	static const gchar *const cardem[] = {NULL,
					      "DT_CEMU_TX_DATA",
					      "DT_CEMU_SET_ATR",
					      "BD_CEMU_STATS",
					      "BD_CEMU_STATUS",
					      "DT_CEMU_CARDINSERT",
					      "DO_CEMU_RX_DATA",
					      "DO_CEMU_PTS",
					      "BD_CEMU_CONFIG"};
	static const gchar *const modem[] = {
	    NULL, "DT_MODEM_RESET", "DT_MODEM_SIM_SELECT", "BD_MODEM_STATUS"};

	switch (msg_class) {
	case REMSIM_CARDEM_CLASS_GENERIC:
		if (msg_type == REMSIM_CARDEM_DO_ERROR)
			return "DO_ERROR";
		if (msg_type == REMSIM_CARDEM_BD_BOARD_INFO)
			return "BD_BOARD_INFO";
		break;
	case REMSIM_CARDEM_CLASS_CARDEM:
		if (msg_type < G_N_ELEMENTS (cardem) && cardem[msg_type] != NULL)
			return cardem[msg_type];
		break;
	case REMSIM_CARDEM_CLASS_MODEM:
		if (msg_type < G_N_ELEMENTS (modem) && modem[msg_type] != NULL)
			return modem[msg_type];
		break;
	default:
		break;
	}
	return "unknown message";
}

/**
 * remsim_cardem_status_flags_to_string:
 * @flags: REMSIM_CARDEM_STATUS_F_*
 *
 * Returns: (transfer full): e.g. "VCC CLK RST"; "none" for 0
 */
gchar *
remsim_cardem_status_flags_to_string (guint32 flags)
{
	GString *s = g_string_new (NULL);
	static const struct {
		guint32 flag;
		const gchar *name;
	} names[] = {
	    {REMSIM_CARDEM_STATUS_F_VCC_PRESENT, "VCC"},
	    {REMSIM_CARDEM_STATUS_F_CLK_ACTIVE, "CLK"},
	    {REMSIM_CARDEM_STATUS_F_RESET_ACTIVE, "RST"},
	    {REMSIM_CARDEM_STATUS_F_RCEMU_ACTIVE, "EMU"},
	    {REMSIM_CARDEM_STATUS_F_CARD_INSERT, "CARD"},
	};

	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		if ((flags & names[i].flag) == 0)
			continue;
		if (s->len > 0)
			g_string_append_c (s, ' ');
		g_string_append (s, names[i].name);
	}
	if (s->len == 0)
		g_string_append (s, "none");
	return g_string_free (s, FALSE);
}
