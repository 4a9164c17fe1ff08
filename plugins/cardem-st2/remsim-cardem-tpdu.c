/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-cardem-proto.h"
#include "remsim-cardem-tpdu.h"

G_DEFINE_QUARK (remsim - cardem - tpdu - error - quark, remsim_cardem_tpdu_error)

/* special entries of the table: the case depends on P1/P2/P3 */
enum {
	CASE_SPECIAL_MSC = 0x10, /* UICC MANAGE SECURE CHANNEL */
	CASE_SPECIAL_TD,	 /* UICC TRANSACT DATA */
	CASE_SPECIAL_STORE,	 /* GP STORE DATA */
	CASE_SPECIAL_F2,	 /* GP GET STATUS / ETSI STATUS */
	CASE_SPECIAL_GET_DATA,	 /* GP GET DATA */
};

typedef struct {
	guint8 ins;
	guint8 apdu_case;
} RemsimCardemInsCase;

typedef struct {
	guint8 cla;
	guint8 mask;
	const RemsimCardemInsCase *ins;
	gsize n_ins;
} RemsimCardemClaRow;

/* GSM 11.11 */
static const RemsimCardemInsCase remsim_cardem_gsm[] = {
    {0xa4, 4}, {0xf2, 2}, {0xb0, 2}, {0xd6, 3}, {0xb2, 2}, {0xdc, 3}, {0xa2, 4}, {0x32, 4},
    {0x20, 3}, {0x24, 3}, {0x26, 3}, {0x28, 3}, {0x2c, 3}, {0x04, 1}, {0x44, 1}, {0x88, 4},
    {0xfa, 1}, {0xc0, 2}, {0x10, 3}, {0xc2, 4}, {0x12, 2}, {0x14, 3},
};

/* UICC card application toolkit */
static const RemsimCardemInsCase remsim_cardem_uicc_cat[] = {
    {0x10, 3},
    {0xc2, 4},
    {0x12, 2},
    {0x14, 3},
    {0x76, 4},
    {0x7a, 4},
};

/* UICC, ISO 7816-4 style classes */
static const RemsimCardemInsCase remsim_cardem_uicc[] = {
    {0xa4, 4},
    {0xb0, 2},
    {0xd6, 3},
    {0xb2, 2},
    {0xdc, 3},
    {0xa2, 4},
    {0x20, 3},
    {0x24, 3},
    {0x26, 3},
    {0x28, 3},
    {0x2c, 3},
    {0x04, 1},
    {0x44, 1},
    {0x88, 4},
    {0x89, 4},
    {0x84, 2},
    {0x70, 2},
    {0xc0, 2},
    {0x73, CASE_SPECIAL_MSC},
    {0x75, CASE_SPECIAL_TD},
};

/* GlobalPlatform */
static const RemsimCardemInsCase remsim_cardem_gp[] = {
    {0xe4, 4},
    {0xe6, 4},
    {0xe8, 4},
    {0xd8, 4},
    {0xf0, 3},
    {0xc0, 2},
    {0xe2, CASE_SPECIAL_STORE},
    {0xca, CASE_SPECIAL_GET_DATA},
    {0xcb, CASE_SPECIAL_GET_DATA},
    {0xf2, CASE_SPECIAL_F2},
};

/* UICC proprietary */
static const RemsimCardemInsCase remsim_cardem_uicc_prop[] = {
    {0xf2, 2},
    {0x32, 4},
    {0xcb, 4},
    {0xdb, 3},
    {0xaa, 3},
    {0x78, 4},
};

/* after everything else, for CLA 00 exactly */
static const RemsimCardemInsCase remsim_cardem_iso_fallback[] = {
    {0xa4, 4},
    {0xca, 2},
    {0xc0, 2},
};

#define ROW(cla, mask, table)                                                                      \
	{                                                                                          \
		cla, mask, table, G_N_ELEMENTS (table)                                             \
	}

static const RemsimCardemClaRow remsim_cardem_profile[] = {
    ROW (0xa0, 0xff, remsim_cardem_gsm),
    ROW (0x80, 0xff, remsim_cardem_uicc_cat),
    ROW (0x00, 0xf0, remsim_cardem_uicc),
    ROW (0x40, 0xf0, remsim_cardem_uicc),
    ROW (0x60, 0xf0, remsim_cardem_uicc),
    ROW (0x80, 0xf0, remsim_cardem_gp),
    ROW (0x80, 0xf0, remsim_cardem_uicc_prop),
    ROW (0xc0, 0xf0, remsim_cardem_uicc_prop),
    ROW (0xe0, 0xf0, remsim_cardem_uicc_prop),
    ROW (0x80, 0xf0, remsim_cardem_gp),
    ROW (0xc0, 0xf0, remsim_cardem_gp),
    ROW (0xe0, 0xf0, remsim_cardem_gp),
    ROW (0x00, 0xff, remsim_cardem_iso_fallback),
};

static guint8
remsim_cardem_special_case (guint8 which, const guint8 hdr[5])
{
	guint8 p1 = hdr[2], p2 = hdr[3], p3 = hdr[4];

	switch (which) {
	case CASE_SPECIAL_MSC:
		if (p1 == 0x00)
			return 2;
		switch (p1 & 0x07) {
		case 1:
		case 2:
		case 3:
			if (p2 == 0x80 || (p2 >> 5) == 0)
				return 3;
			if ((p2 >> 5) == 1 || (p2 >> 5) == 5)
				return 2;
			return 0;
		case 4:
			return 3;
		default:
			return 0;
		}
	case CASE_SPECIAL_TD:
		return (p1 & 0x04) ? 3 : 2;
	case CASE_SPECIAL_STORE:
		return (p1 & 0x01) ? 4 : 3;
	case CASE_SPECIAL_F2:
		return (p1 & 0xf0) ? 4 : 2;
	case CASE_SPECIAL_GET_DATA:
		return p3 == 0 ? 2 : 4;
	default:
		return 0;
	}
}

/**
 * remsim_cardem_apdu_case:
 * @hdr: CLA INS P1 P2 P3
 *
 * The first row of the table whose CLA matches and that knows INS decides;
 * rows that do not know INS fall through to the next one.
 *
 * Returns: the ISO 7816-4 case, or %REMSIM_CARDEM_APDU_CASE_UNKNOWN
 */
RemsimCardemApduCase
remsim_cardem_apdu_case (const guint8 hdr[5])
{
	g_return_val_if_fail (hdr != NULL, REMSIM_CARDEM_APDU_CASE_UNKNOWN);

	for (gsize r = 0; r < G_N_ELEMENTS (remsim_cardem_profile); r++) {
		const RemsimCardemClaRow *row = &remsim_cardem_profile[r];

		if ((hdr[0] & row->mask) != row->cla)
			continue;
		for (gsize i = 0; i < row->n_ins; i++) {
			guint8 c;

			if (row->ins[i].ins != hdr[1])
				continue;
			c = row->ins[i].apdu_case;
			if (c >= CASE_SPECIAL_MSC)
				c = remsim_cardem_special_case (c, hdr);
			if (c != 0)
				return (RemsimCardemApduCase)c;
			break;
		}
	}
	return REMSIM_CARDEM_APDU_CASE_UNKNOWN;
}

/**
 * remsim_cardem_tpdu_reset:
 * @self: a #RemsimCardemTpdu
 *
 * Forget any command in progress (card reset, device lost).
 */
void
remsim_cardem_tpdu_reset (RemsimCardemTpdu *self)
{
	memset (self, 0, sizeof (*self));
	self->state = REMSIM_CARDEM_TPDU_STATE_IDLE;
}

/**
 * remsim_cardem_tpdu_rx:
 * @self: a #RemsimCardemTpdu
 * @is_header: the data came with the TPDU_HDR flag: a new command starts
 * @data: (array length=len): the bytes of the DO_CEMU_RX_DATA
 * @len: their number
 * @error: return location for a #GError
 *
 * A new header replaces any command in progress: the modem has given up on
 * it (the firmware only sends a header when it waits for one).
 *
 * Returns: what to do next; %REMSIM_CARDEM_TPDU_ACT_NONE with @error set
 *   when the input made no sense (the state is then idle)
 */
RemsimCardemTpduAction
remsim_cardem_tpdu_rx (
    RemsimCardemTpdu *self, gboolean is_header, const guint8 *data, gsize len, GError **error)
{
	gsize n;

	g_return_val_if_fail (self != NULL, REMSIM_CARDEM_TPDU_ACT_NONE);
	g_return_val_if_fail (data != NULL || len == 0, REMSIM_CARDEM_TPDU_ACT_NONE);

	if (is_header) {
		if (len < 5) {
			remsim_cardem_tpdu_reset (self);
			g_set_error (error,
				     REMSIM_CARDEM_TPDU_ERROR,
				     REMSIM_CARDEM_TPDU_ERROR_INVALID,
				     "TPDU header of %" G_GSIZE_FORMAT " bytes",
				     len);
			return REMSIM_CARDEM_TPDU_ACT_NONE;
		}
		remsim_cardem_tpdu_reset (self);
		memcpy (self->hdr, data, 5);
		self->apdu_case = remsim_cardem_apdu_case (self->hdr);
		switch (self->apdu_case) {
		case REMSIM_CARDEM_APDU_CASE_3:
		case REMSIM_CARDEM_APDU_CASE_4:
			self->lc = self->hdr[4];
			break;
		default:
			/* case 1/2, and unknown like upstream: P3 is not Lc */
			self->lc = 0;
			break;
		}
		data += 5;
		len -= 5;
	} else if (self->state != REMSIM_CARDEM_TPDU_STATE_RX_DATA) {
		g_set_error (error,
			     REMSIM_CARDEM_TPDU_ERROR,
			     REMSIM_CARDEM_TPDU_ERROR_STATE,
			     "%" G_GSIZE_FORMAT " bytes of command data without a command waiting "
			     "for them",
			     len);
		remsim_cardem_tpdu_reset (self);
		return REMSIM_CARDEM_TPDU_ACT_NONE;
	}

	/* the data (also what a header message may carry after the header) */
	n = MIN (len, self->lc - self->data_len);
	if (n > 0) {
		memcpy (self->data + self->data_len, data, n);
		self->data_len += n;
	}
	if (self->data_len < self->lc) {
		/* after the header: ask the modem for the rest with the INS
		 * procedure byte; later chunks: just keep collecting */
		gboolean ask = self->state == REMSIM_CARDEM_TPDU_STATE_IDLE;

		self->state = REMSIM_CARDEM_TPDU_STATE_RX_DATA;
		return ask ? REMSIM_CARDEM_TPDU_ACT_FETCH : REMSIM_CARDEM_TPDU_ACT_NONE;
	}
	self->state = REMSIM_CARDEM_TPDU_STATE_WAIT_CARD;
	return REMSIM_CARDEM_TPDU_ACT_SEND;
}

/**
 * remsim_cardem_tpdu_get_command:
 * @self: a #RemsimCardemTpdu after %REMSIM_CARDEM_TPDU_ACT_SEND
 *
 * Returns: (transfer full): the header followed by the Lc data bytes
 */
GBytes *
remsim_cardem_tpdu_get_command (const RemsimCardemTpdu *self)
{
	guint8 buf[5 + sizeof (self->data)];

	memcpy (buf, self->hdr, 5);
	memcpy (buf + 5, self->data, self->data_len);
	return g_bytes_new (buf, 5 + self->data_len);
}

guint8
remsim_cardem_tpdu_get_ins (const RemsimCardemTpdu *self)
{
	return self->hdr[1];
}

/**
 * remsim_cardem_tpdu_response:
 * @self: a #RemsimCardemTpdu waiting for the card
 * @response: (array length=len): response data followed by SW1 SW2
 * @len: its length, 2..258
 * @steps: (out caller-allocates): the TX_DATA messages to send, in order
 * @error: return location for a #GError
 *
 * With response data: PB_AND_TX [INS data...], then PB_AND_TX|FINAL
 * [SW1 SW2]; without: only the latter. The state returns to idle.
 *
 * Returns: the number of @steps filled (1 or 2); 0 with @error set
 */
guint
remsim_cardem_tpdu_response (RemsimCardemTpdu *self,
			     const guint8 *response,
			     gsize len,
			     RemsimCardemTxStep steps[2],
			     GError **error)
{
	guint n = 0;

	g_return_val_if_fail (self != NULL, 0);
	g_return_val_if_fail (response != NULL || len == 0, 0);

	if (self->state != REMSIM_CARDEM_TPDU_STATE_WAIT_CARD) {
		g_set_error (error,
			     REMSIM_CARDEM_TPDU_ERROR,
			     REMSIM_CARDEM_TPDU_ERROR_STATE,
			     "response without a command waiting for it");
		return 0;
	}
	if (len < 2 || len > 258) {
		g_set_error (error,
			     REMSIM_CARDEM_TPDU_ERROR,
			     REMSIM_CARDEM_TPDU_ERROR_INVALID,
			     "response of %" G_GSIZE_FORMAT " bytes (expected 2..258)",
			     len);
		return 0;
	}
	if (len > 2) {
		steps[n].flags = REMSIM_CARDEM_DATA_F_PB_AND_TX;
		steps[n].data[0] = self->hdr[1];
		memcpy (steps[n].data + 1, response, len - 2);
		steps[n].len = len - 1;
		n++;
	}
	steps[n].flags = REMSIM_CARDEM_DATA_F_PB_AND_TX | REMSIM_CARDEM_DATA_F_FINAL;
	steps[n].data[0] = response[len - 2];
	steps[n].data[1] = response[len - 1];
	steps[n].len = 2;
	n++;
	self->state = REMSIM_CARDEM_TPDU_STATE_IDLE;
	return n;
}
