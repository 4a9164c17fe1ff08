/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The T=0 side of card emulation, pure: the APDU case table of
 * protocols.md Appendix A, and the segmenter that turns the modem's TPDU
 * header and data (DO_CEMU_RX_DATA) into one command for the card, and the
 * card's response into the DT_CEMU_TX_DATA steps the firmware expects.
 */

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	REMSIM_CARDEM_APDU_CASE_UNKNOWN = 0,
	REMSIM_CARDEM_APDU_CASE_1 = 1, /* no data */
	REMSIM_CARDEM_APDU_CASE_2 = 2, /* P3 = Le */
	REMSIM_CARDEM_APDU_CASE_3 = 3, /* P3 = Lc */
	REMSIM_CARDEM_APDU_CASE_4 = 4, /* P3 = Lc, response via 61xx */
} RemsimCardemApduCase;

RemsimCardemApduCase remsim_cardem_apdu_case (const guint8 hdr[5]);

typedef enum {
	REMSIM_CARDEM_TPDU_ACT_NONE = 0,
	/* the command is complete: forward remsim_cardem_tpdu_get_command() */
	REMSIM_CARDEM_TPDU_ACT_SEND = 1 << 0,
	/* send PB_AND_RX with remsim_cardem_tpdu_get_ins() to fetch the data */
	REMSIM_CARDEM_TPDU_ACT_FETCH = 1 << 1,
} RemsimCardemTpduAction;

#define REMSIM_CARDEM_TPDU_ERROR (remsim_cardem_tpdu_error_quark ())
GQuark remsim_cardem_tpdu_error_quark (void);

typedef enum {
	REMSIM_CARDEM_TPDU_ERROR_INVALID, /* malformed input */
	REMSIM_CARDEM_TPDU_ERROR_STATE,	  /* input that does not fit the state */
} RemsimCardemTpduError;

typedef enum {
	REMSIM_CARDEM_TPDU_STATE_IDLE,	    /* waiting for a header */
	REMSIM_CARDEM_TPDU_STATE_RX_DATA,   /* PB_AND_RX sent, collecting P3 bytes */
	REMSIM_CARDEM_TPDU_STATE_WAIT_CARD, /* command forwarded, waiting for the response */
} RemsimCardemTpduState;

typedef struct {
	RemsimCardemTpduState state;
	guint8 hdr[5];
	RemsimCardemApduCase apdu_case;
	gsize lc;
	gsize data_len;
	guint8 data[255];
} RemsimCardemTpdu;

/* one DT_CEMU_TX_DATA to send: INS + 256 bytes of data at most */
typedef struct {
	guint32 flags;
	gsize len;
	guint8 data[257];
} RemsimCardemTxStep;

void remsim_cardem_tpdu_reset (RemsimCardemTpdu *self);
RemsimCardemTpduAction remsim_cardem_tpdu_rx (
    RemsimCardemTpdu *self, gboolean is_header, const guint8 *data, gsize len, GError **error);
GBytes *remsim_cardem_tpdu_get_command (const RemsimCardemTpdu *self);
guint8 remsim_cardem_tpdu_get_ins (const RemsimCardemTpdu *self);
guint remsim_cardem_tpdu_response (RemsimCardemTpdu *self,
				   const guint8 *response,
				   gsize len,
				   RemsimCardemTxStep steps[2],
				   GError **error);

G_END_DECLS
