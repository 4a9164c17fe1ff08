/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The SIMtrace2 card-emulation USB protocol (protocols.md §7): pure encoding
 * and decoding of the messages, no I/O. All integers are little-endian, every
 * message starts with an 8-byte header whose msg_len counts the header too.
 */

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_CARDEM_HDR_LEN 8
/* the firmware's receive buffer: host->device messages must fit */
#define REMSIM_CARDEM_MAX_OUT_LEN 280
/* the longest ATR the firmware takes with SET_ATR */
#define REMSIM_CARDEM_MAX_ATR_LEN 33

typedef enum {
	REMSIM_CARDEM_CLASS_GENERIC = 0,
	REMSIM_CARDEM_CLASS_CARDEM = 1,
	REMSIM_CARDEM_CLASS_MODEM = 2,
	REMSIM_CARDEM_CLASS_SNIFF = 3,
} RemsimCardemClass;

typedef enum {
	/* class GENERIC */
	REMSIM_CARDEM_DO_ERROR = 0,
	REMSIM_CARDEM_BD_BOARD_INFO = 1,
	/* class CARDEM */
	REMSIM_CARDEM_DT_TX_DATA = 1,
	REMSIM_CARDEM_DT_SET_ATR = 2,
	REMSIM_CARDEM_BD_STATS = 3,
	REMSIM_CARDEM_BD_STATUS = 4,
	REMSIM_CARDEM_DT_CARDINSERT = 5,
	REMSIM_CARDEM_DO_RX_DATA = 6,
	REMSIM_CARDEM_DO_PTS = 7,
	REMSIM_CARDEM_BD_CONFIG = 8,
	/* class MODEM */
	REMSIM_CARDEM_DT_MODEM_RESET = 1,
	REMSIM_CARDEM_DT_MODEM_SIM_SELECT = 2,
	REMSIM_CARDEM_BD_MODEM_STATUS = 3,
} RemsimCardemType;

/* flags of TX_DATA / RX_DATA */
#define REMSIM_CARDEM_DATA_F_TPDU_HDR  0x01u
#define REMSIM_CARDEM_DATA_F_FINAL     0x02u
#define REMSIM_CARDEM_DATA_F_PB_AND_TX 0x04u
#define REMSIM_CARDEM_DATA_F_PB_AND_RX 0x08u

/* flags of the status message */
#define REMSIM_CARDEM_STATUS_F_VCC_PRESENT  0x01u
#define REMSIM_CARDEM_STATUS_F_CLK_ACTIVE   0x02u
#define REMSIM_CARDEM_STATUS_F_RCEMU_ACTIVE 0x04u
#define REMSIM_CARDEM_STATUS_F_CARD_INSERT  0x08u
#define REMSIM_CARDEM_STATUS_F_RESET_ACTIVE 0x10u

/* features of BD_CEMU_CONFIG */
#define REMSIM_CARDEM_FEAT_STATUS_IRQ 0x01u

/* pres_pol of BD_CEMU_CONFIG: bit 1 = valid, bit 0 = level when present */
#define REMSIM_CARDEM_PRES_POL_VALID 0x02u
#define REMSIM_CARDEM_PRES_POL_HIGH  0x01u

/* DT_MODEM_RESET asserted */
#define REMSIM_CARDEM_MODEM_RESET_RELEASE 0
#define REMSIM_CARDEM_MODEM_RESET_ASSERT  1
#define REMSIM_CARDEM_MODEM_RESET_PULSE	  2

#define REMSIM_CARDEM_PROTO_ERROR (remsim_cardem_proto_error_quark ())
GQuark remsim_cardem_proto_error_quark (void);

typedef enum {
	REMSIM_CARDEM_PROTO_ERROR_TRUNCATED,
	REMSIM_CARDEM_PROTO_ERROR_INVALID,
} RemsimCardemProtoError;

/* one decoded message; payload points into the buffer it came from */
typedef struct {
	guint8 msg_class;
	guint8 msg_type;
	guint8 seq_nr;
	guint8 slot_nr;
	const guint8 *payload;
	gsize payload_len;
} RemsimCardemMsg;

typedef struct {
	guint32 flags;
	guint16 voltage_mv;
	guint8 fi;
	guint8 di;
	guint8 wi;
	guint32 waiting_time;
} RemsimCardemStatus;

typedef struct {
	guint8 pts_len;
	guint8 req[6];
	guint8 resp[6];
} RemsimCardemPts;

typedef struct {
	guint8 severity;
	guint8 subsystem;
	guint16 code;
	gchar *text; /* owned, may be empty */
} RemsimCardemErrorInd;

/* host -> device */
GBytes *remsim_cardem_encode (guint8 msg_class, guint8 msg_type, const guint8 *payload, gsize len);
GBytes *remsim_cardem_encode_set_atr (const guint8 *atr, gsize len);
GBytes *remsim_cardem_encode_config (guint32 features, guint8 slot_mux_nr, guint8 pres_pol);
GBytes *remsim_cardem_encode_cardinsert (gboolean inserted);
GBytes *remsim_cardem_encode_status_request (void);
GBytes *remsim_cardem_encode_sim_select (gboolean remote);
GBytes *remsim_cardem_encode_modem_reset (guint8 asserted, guint16 pulse_ms);
GBytes *remsim_cardem_encode_tx_data (guint32 flags, const guint8 *data, gsize len);

/* device -> host */
gboolean remsim_cardem_decode (const guint8 *buf, gsize len, RemsimCardemMsg *msg, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean remsim_cardem_decode_data (const RemsimCardemMsg *msg,
				    guint32 *flags,
				    const guint8 **data,
				    gsize *data_len,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean remsim_cardem_decode_status (const RemsimCardemMsg *msg,
				      RemsimCardemStatus *status,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean remsim_cardem_decode_pts (const RemsimCardemMsg *msg,
				   RemsimCardemPts *pts,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean remsim_cardem_decode_config (const RemsimCardemMsg *msg,
				      guint32 *features,
				      guint8 *slot_mux_nr,
				      guint8 *pres_pol,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean remsim_cardem_decode_error (const RemsimCardemMsg *msg,
				     RemsimCardemErrorInd *ind,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

const gchar *remsim_cardem_msg_name (guint8 msg_class, guint8 msg_type);
gchar *remsim_cardem_status_flags_to_string (guint32 flags);

G_END_DECLS
