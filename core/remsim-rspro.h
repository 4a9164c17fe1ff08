/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * RSPRO v2 messages as plain C values. Only remsim-rspro.c touches the
 * asn1c-generated structures; everything else uses RemsimRsproMsg.
 */

#include <gio/gio.h>

#include "remsim-slot.h"

G_BEGIN_DECLS

#define REMSIM_RSPRO_VERSION 2
/* the OperationTag upstream puts in every ConnectClientRes */
#define REMSIM_RSPRO_TAG_CONNECT_CLIENT_RES 2342

/* values are the RsproPDUchoice alternative numbers */
typedef enum {
	REMSIM_RSPRO_UNKNOWN = -1, /* an alternative this codec does not know */
	REMSIM_RSPRO_CONNECT_BANK_REQ = 0,
	REMSIM_RSPRO_CONNECT_BANK_RES = 1,
	REMSIM_RSPRO_CONNECT_CLIENT_REQ = 2,
	REMSIM_RSPRO_CONNECT_CLIENT_RES = 3,
	REMSIM_RSPRO_CREATE_MAPPING_REQ = 4,
	REMSIM_RSPRO_CREATE_MAPPING_RES = 5,
	REMSIM_RSPRO_REMOVE_MAPPING_REQ = 6,
	REMSIM_RSPRO_REMOVE_MAPPING_RES = 7,
	REMSIM_RSPRO_CONFIG_CLIENT_ID_REQ = 8,
	REMSIM_RSPRO_CONFIG_CLIENT_ID_RES = 9,
	REMSIM_RSPRO_SET_ATR_REQ = 10,
	REMSIM_RSPRO_SET_ATR_RES = 11,
	REMSIM_RSPRO_TPDU_MODEM_TO_CARD = 12,
	REMSIM_RSPRO_TPDU_CARD_TO_MODEM = 13,
	REMSIM_RSPRO_CLIENT_SLOT_STATUS_IND = 14,
	REMSIM_RSPRO_BANK_SLOT_STATUS_IND = 15,
	REMSIM_RSPRO_ERROR_IND = 16,
	REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ = 17,
	REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES = 18,
	REMSIM_RSPRO_RESET_STATE_REQ = 19,
	REMSIM_RSPRO_RESET_STATE_RES = 20,
} RemsimRsproType;

typedef enum {
	REMSIM_COMPONENT_CLIENT = 0,
	REMSIM_COMPONENT_SERVER = 1,
	REMSIM_COMPONENT_BANKD = 2,
} RemsimComponentType;

/* ResultCode; unknown values received are passed through as integers */
typedef enum {
	REMSIM_RESULT_OK = 0,
	REMSIM_RESULT_ILLEGAL_CLIENT_ID = 1,
	REMSIM_RESULT_ILLEGAL_BANK_ID = 2,
	REMSIM_RESULT_ILLEGAL_SLOT_ID = 3,
	REMSIM_RESULT_UNSUPPORTED_PROTOCOL_VERSION = 4,
	REMSIM_RESULT_UNKNOWN_SLOTMAP = 5,
	REMSIM_RESULT_IDENTITY_IN_USE = 6,
	REMSIM_RESULT_CARD_NOT_PRESENT = 100,
	REMSIM_RESULT_CARD_UNRESPONSIVE = 101,
	REMSIM_RESULT_CARD_TRANSMISSION_ERROR = 102,
} RemsimResultCode;

typedef enum {
	REMSIM_ERROR_CODE_UNKNOWN_CLIENT_CONNECTED = 1,
	REMSIM_ERROR_CODE_UNEXPECTED_DISCONNECT = 2,
	REMSIM_ERROR_CODE_UNEXPECTED_PROTOCOL_VERSION = 3,
} RemsimErrorCode;

typedef enum {
	REMSIM_ERROR_SEVERITY_MINOR = 1,
	REMSIM_ERROR_SEVERITY_MAJOR = 2,
	REMSIM_ERROR_SEVERITY_FATAL = 3,
} RemsimErrorSeverity;

/* ComponentIdentity; optional strings are NULL when absent */
typedef struct {
	RemsimComponentType type;
	gchar *name;
	gchar *software;
	gchar *sw_version;
	gchar *hw_manufacturer;
	gchar *hw_model;
	gchar *hw_serial_nr;
	gchar *hw_version;
	gchar *fw_version;
} RemsimComponentIdentity;

/* IpPort: family is G_SOCKET_FAMILY_IPV4 (4 bytes of addr used) or _IPV6 */
typedef struct {
	GSocketFamily family;
	guint8 addr[16];
	guint32 port;
} RemsimIpPort;

typedef struct {
	gboolean tpdu_header_present;
	gboolean final_part;
	gboolean proc_byte_continue_tx;
	gboolean proc_byte_continue_rx;
} RemsimTpduFlags;

/* SlotPhysStatus; the has_* fields say whether the optional BOOLEAN is present */
typedef struct {
	gboolean reset_active;
	gboolean has_vcc_present;
	gboolean vcc_present;
	gboolean has_clk_active;
	gboolean clk_active;
	gboolean has_card_present;
	gboolean card_present;
} RemsimSlotPhysStatus;

/**
 * RemsimRsproMsg:
 * One RSPRO PDU. Which fields are meaningful depends on @type:
 *
 * - CONNECT_BANK_REQ: identity, bank_id, number_of_slots, [has_bound, bound]
 * - CONNECT_BANK_RES, CONNECT_CLIENT_RES: identity, result
 * - CONNECT_CLIENT_REQ: identity, [has_client_slot, client_slot]
 * - CREATE/REMOVE_MAPPING_REQ: client_slot, bank_slot
 * - *_RES (others): result
 * - CONFIG_CLIENT_ID_REQ: client_slot
 * - SET_ATR_REQ: client_slot, data (the ATR)
 * - TPDU_MODEM_TO_CARD: client_slot (from), bank_slot (to), flags, data
 * - TPDU_CARD_TO_MODEM: bank_slot (from), client_slot (to), flags, data
 * - CLIENT_SLOT_STATUS_IND: client_slot (from), bank_slot (to), phys_status
 * - BANK_SLOT_STATUS_IND: bank_slot (from), client_slot (to), phys_status
 * - ERROR_IND: error_sender, error_severity, error_code,
 *   [has_bank_slot, bank_slot], [has_client_slot, client_slot], [error_string]
 * - CONFIG_CLIENT_BANK_REQ: bank_slot, bound (the bankd address)
 * - RESET_STATE_REQ: nothing
 * - UNKNOWN: nothing (an alternative we do not know; not an error)
 */
typedef struct {
	RemsimRsproType type;
	guint32 version; /* 2 on encode unless set otherwise; as received on decode */
	guint32 tag;	 /* OperationTag */

	RemsimComponentIdentity identity;
	RemsimResultCode result;

	guint32 bank_id;
	guint32 number_of_slots;

	gboolean has_client_slot;
	RemsimClientSlot client_slot;
	gboolean has_bank_slot;
	RemsimBankSlot bank_slot;

	gboolean has_bound;
	RemsimIpPort bound;

	RemsimTpduFlags flags;
	GBytes *data;
	RemsimSlotPhysStatus phys_status;

	RemsimComponentType error_sender;
	RemsimErrorSeverity error_severity;
	RemsimErrorCode error_code;
	gchar *error_string;
} RemsimRsproMsg;

#define REMSIM_TYPE_RSPRO_MSG (remsim_rspro_msg_get_type ())

GType
remsim_rspro_msg_get_type (void);
/* a zeroed message of @type with version 2, tag 0 */
RemsimRsproMsg *
remsim_rspro_msg_new (RemsimRsproType type);
RemsimRsproMsg *
remsim_rspro_msg_copy (const RemsimRsproMsg *self);
void
remsim_rspro_msg_free (RemsimRsproMsg *self);
gboolean
remsim_rspro_msg_equal (const RemsimRsproMsg *a, const RemsimRsproMsg *b);

/* fill @identity with our own identity for @type (software name per role,
 * host name truncated to 32 characters, PACKAGE_VERSION); @name may be NULL */
void
remsim_component_identity_init_self (RemsimComponentIdentity *identity,
				     RemsimComponentType type,
				     const gchar *name);
void
remsim_component_identity_clear (RemsimComponentIdentity *identity);
void
remsim_component_identity_copy_into (RemsimComponentIdentity *dst,
				     const RemsimComponentIdentity *src);

/* DER encoding of one RsproPDU (no IPA header). Fails with
 * REMSIM_ERROR_INVALID_ARGUMENT if a value violates the module's constraints. */
GBytes *
remsim_rspro_encode (const RemsimRsproMsg *msg, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* lenient BER decoding; an unknown CHOICE alternative decodes to type
 * REMSIM_RSPRO_UNKNOWN; malformed input fails with REMSIM_ERROR_PROTOCOL */
RemsimRsproMsg *
remsim_rspro_decode (const guint8 *buf, gsize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* names for logs: "connectBankReq", "ok", "remsimBankd", ... (ASN.1 names) */
const gchar *
remsim_rspro_type_to_string (RemsimRsproType type);
const gchar *
remsim_result_code_to_string (RemsimResultCode code);
const gchar *
remsim_component_type_to_string (RemsimComponentType type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimRsproMsg, remsim_rspro_msg_free)

G_END_DECLS
