/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <BankSlot.h>
#include <BankSlotStatusInd.h>
#include <ClientSlot.h>
#include <ClientSlotStatusInd.h>
#include <ComponentIdentity.h>
#include <ComponentName.h>
#include <ConfigClientBankReq.h>
#include <ConfigClientBankRes.h>
#include <ConfigClientIdReq.h>
#include <ConfigClientIdRes.h>
#include <ConnectBankReq.h>
#include <ConnectBankRes.h>
#include <ConnectClientReq.h>
#include <ConnectClientRes.h>
#include <CreateMappingReq.h>
#include <CreateMappingRes.h>
#include <ErrorInd.h>
#include <ErrorString.h>
#include <IpAddress.h>
#include <IpPort.h>
#include <RemoveMappingReq.h>
#include <RemoveMappingRes.h>
#include <ResetStateReq.h>
#include <ResetStateRes.h>
#include <RsproPDU.h>
#include <RsproPDUchoice.h>
#include <SetAtrReq.h>
#include <SetAtrRes.h>
#include <SlotPhysStatus.h>
#include <TpduCardToModem.h>
#include <TpduFlags.h>
#include <TpduModemToCard.h>
#include <ber_decoder.h>
#include <constraints.h>
#include <der_encoder.h>
#include <string.h>

#include "remsim-error.h"
#include "remsim-rspro-private.h"
#include "remsim-rspro.h"

/*
 * The asn1c structures are filled with GLib allocations and released by the
 * generated free routines, which call free(): fine, since GLib 2.46
 * g_malloc() is the system malloc.
 */

/* limits of the module (core/rspro/RSPRO.asn) */
#define REMSIM_RSPRO_VERSION_MAX      32
#define REMSIM_RSPRO_TAG_MAX	      G_MAXINT32
#define REMSIM_RSPRO_PORT_MAX	      65535
#define REMSIM_RSPRO_NAME_MAX	      32
#define REMSIM_RSPRO_ERROR_STRING_MAX 255
#define REMSIM_RSPRO_ATR_MAX	      55
/* TPDU data is an unconstrained OCTET STRING; asn1c keeps its size in an int */
#define REMSIM_RSPRO_TPDU_DATA_MAX (G_MAXINT - 1)

/* deepest TLV nesting accepted on decode; a valid PDU needs 6 */
#define REMSIM_RSPRO_NESTING_MAX 32

static void
remsim_rspro_pdu_free (RsproPDU_t *pdu)
{
	if (pdu != NULL)
		ASN_STRUCT_FREE (asn_DEF_RsproPDU, pdu);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsproPDU_t, remsim_rspro_pdu_free)

/* registered by hand: G_DEFINE_BOXED_TYPE trips -Wpedantic with GCC */
GType
remsim_rspro_msg_get_type (void)
{
	static gsize type_id = 0;

	if (g_once_init_enter (&type_id)) {
		GType type =
		    g_boxed_type_register_static (g_intern_static_string ("RemsimRsproMsg"),
						  (GBoxedCopyFunc)remsim_rspro_msg_copy,
						  (GBoxedFreeFunc)remsim_rspro_msg_free);
		g_once_init_leave (&type_id, type);
	}
	return type_id;
}

/* names ------------------------------------------------------------------ */

static const gchar *const remsim_rspro_type_names[] = {
    [REMSIM_RSPRO_CONNECT_BANK_REQ] = "connectBankReq",
    [REMSIM_RSPRO_CONNECT_BANK_RES] = "connectBankRes",
    [REMSIM_RSPRO_CONNECT_CLIENT_REQ] = "connectClientReq",
    [REMSIM_RSPRO_CONNECT_CLIENT_RES] = "connectClientRes",
    [REMSIM_RSPRO_CREATE_MAPPING_REQ] = "createMappingReq",
    [REMSIM_RSPRO_CREATE_MAPPING_RES] = "createMappingRes",
    [REMSIM_RSPRO_REMOVE_MAPPING_REQ] = "removeMappingReq",
    [REMSIM_RSPRO_REMOVE_MAPPING_RES] = "removeMappingRes",
    [REMSIM_RSPRO_CONFIG_CLIENT_ID_REQ] = "configClientIdReq",
    [REMSIM_RSPRO_CONFIG_CLIENT_ID_RES] = "configClientIdRes",
    [REMSIM_RSPRO_SET_ATR_REQ] = "setAtrReq",
    [REMSIM_RSPRO_SET_ATR_RES] = "setAtrRes",
    [REMSIM_RSPRO_TPDU_MODEM_TO_CARD] = "tpduModemToCard",
    [REMSIM_RSPRO_TPDU_CARD_TO_MODEM] = "tpduCardToModem",
    [REMSIM_RSPRO_CLIENT_SLOT_STATUS_IND] = "clientSlotStatusInd",
    [REMSIM_RSPRO_BANK_SLOT_STATUS_IND] = "bankSlotStatusInd",
    [REMSIM_RSPRO_ERROR_IND] = "errorInd",
    [REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ] = "configClientBankReq",
    [REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES] = "configClientBankRes",
    [REMSIM_RSPRO_RESET_STATE_REQ] = "resetStateReq",
    [REMSIM_RSPRO_RESET_STATE_RES] = "resetStateRes",
};

const gchar *
remsim_rspro_type_to_string (RemsimRsproType type)
{
	if ((gint)type < 0 || (gint)type >= (gint)G_N_ELEMENTS (remsim_rspro_type_names))
		return "unknown";
	return remsim_rspro_type_names[type];
}

const gchar *
remsim_result_code_to_string (RemsimResultCode code)
{
	switch ((gint)code) {
	case REMSIM_RESULT_OK:
		return "ok";
	case REMSIM_RESULT_ILLEGAL_CLIENT_ID:
		return "illegalClientId";
	case REMSIM_RESULT_ILLEGAL_BANK_ID:
		return "illegalBankId";
	case REMSIM_RESULT_ILLEGAL_SLOT_ID:
		return "illegalSlotId";
	case REMSIM_RESULT_UNSUPPORTED_PROTOCOL_VERSION:
		return "unsupportedProtocolVersion";
	case REMSIM_RESULT_UNKNOWN_SLOTMAP:
		return "unknownSlotmap";
	case REMSIM_RESULT_IDENTITY_IN_USE:
		return "identityInUse";
	case REMSIM_RESULT_CARD_NOT_PRESENT:
		return "cardNotPresent";
	case REMSIM_RESULT_CARD_UNRESPONSIVE:
		return "cardUnresponsive";
	case REMSIM_RESULT_CARD_TRANSMISSION_ERROR:
		return "cardTransmissionError";
	default:
		return "unknown";
	}
}

const gchar *
remsim_component_type_to_string (RemsimComponentType type)
{
	switch ((gint)type) {
	case REMSIM_COMPONENT_CLIENT:
		return "remsimClient";
	case REMSIM_COMPONENT_SERVER:
		return "remsimServer";
	case REMSIM_COMPONENT_BANKD:
		return "remsimBankd";
	default:
		return "unknown";
	}
}

/* identities -------------------------------------------------------------- */

/* at most @max characters of @str, anything outside printable ASCII as '?' */
static gchar *
remsim_rspro_ascii_dup (const gchar *str, gsize max)
{
	gsize len = strnlen (str, max);
	gchar *copy = g_malloc (len + 1);

	for (gsize i = 0; i < len; i++) {
		guchar ch = (guchar)str[i];
		copy[i] = (ch < 0x20 || ch > 0x7e) ? '?' : (gchar)ch;
	}
	copy[len] = '\0';
	return copy;
}

void
remsim_component_identity_clear (RemsimComponentIdentity *identity)
{
	g_return_if_fail (identity != NULL);

	g_clear_pointer (&identity->name, g_free);
	g_clear_pointer (&identity->software, g_free);
	g_clear_pointer (&identity->sw_version, g_free);
	g_clear_pointer (&identity->hw_manufacturer, g_free);
	g_clear_pointer (&identity->hw_model, g_free);
	g_clear_pointer (&identity->hw_serial_nr, g_free);
	g_clear_pointer (&identity->hw_version, g_free);
	g_clear_pointer (&identity->fw_version, g_free);
	identity->type = REMSIM_COMPONENT_CLIENT;
}

void
remsim_component_identity_copy_into (RemsimComponentIdentity *dst,
				     const RemsimComponentIdentity *src)
{
	g_return_if_fail (dst != NULL);
	g_return_if_fail (src != NULL);

	if (dst == src)
		return;
	remsim_component_identity_clear (dst);
	dst->type = src->type;
	dst->name = g_strdup (src->name);
	dst->software = g_strdup (src->software);
	dst->sw_version = g_strdup (src->sw_version);
	dst->hw_manufacturer = g_strdup (src->hw_manufacturer);
	dst->hw_model = g_strdup (src->hw_model);
	dst->hw_serial_nr = g_strdup (src->hw_serial_nr);
	dst->hw_version = g_strdup (src->hw_version);
	dst->fw_version = g_strdup (src->fw_version);
}

void
remsim_component_identity_init_self (RemsimComponentIdentity *identity,
				     RemsimComponentType type,
				     const gchar *name)
{
	const gchar *software;

	g_return_if_fail (identity != NULL);

	switch (type) {
	case REMSIM_COMPONENT_CLIENT:
		software = "remsim-client";
		break;
	case REMSIM_COMPONENT_SERVER:
		software = "remsim-server";
		break;
	case REMSIM_COMPONENT_BANKD:
		software = "remsim-bankd";
		break;
	default:
		g_return_if_reached ();
	}

	/* the identity must be zeroed or hold values set by these helpers */
	remsim_component_identity_clear (identity);
	if (name == NULL || name[0] == '\0')
		name = g_get_host_name ();
	identity->type = type;
	identity->name = remsim_rspro_ascii_dup (name, REMSIM_RSPRO_NAME_MAX);
	identity->software = g_strdup (software);
	identity->sw_version = remsim_rspro_ascii_dup (PACKAGE_VERSION, REMSIM_RSPRO_NAME_MAX);
}

/* messages ---------------------------------------------------------------- */

RemsimRsproMsg *
remsim_rspro_msg_new (RemsimRsproType type)
{
	RemsimRsproMsg *self = g_new0 (RemsimRsproMsg, 1);

	self->type = type;
	self->version = REMSIM_RSPRO_VERSION;
	return self;
}

RemsimRsproMsg *
remsim_rspro_msg_copy (const RemsimRsproMsg *self)
{
	RemsimRsproMsg *copy;

	g_return_val_if_fail (self != NULL, NULL);

	copy = g_memdup2 (self, sizeof (*self));
	memset (&copy->identity, 0, sizeof (copy->identity));
	remsim_component_identity_copy_into (&copy->identity, &self->identity);
	if (self->data != NULL)
		copy->data = g_bytes_ref (self->data);
	copy->error_string = g_strdup (self->error_string);
	return copy;
}

void
remsim_rspro_msg_free (RemsimRsproMsg *self)
{
	if (self == NULL)
		return;
	remsim_component_identity_clear (&self->identity);
	g_clear_pointer (&self->data, g_bytes_unref);
	g_free (self->error_string);
	g_free (self);
}

/* optional strings: NULL and "" both mean absent */
static gboolean
remsim_rspro_opt_str_equal (const gchar *a, const gchar *b)
{
	return g_strcmp0 (a != NULL ? a : "", b != NULL ? b : "") == 0;
}

static gboolean
remsim_rspro_identity_equal (const RemsimComponentIdentity *a, const RemsimComponentIdentity *b)
{
	return a->type == b->type && g_strcmp0 (a->name, b->name) == 0 &&
	       g_strcmp0 (a->software, b->software) == 0 &&
	       g_strcmp0 (a->sw_version, b->sw_version) == 0 &&
	       remsim_rspro_opt_str_equal (a->hw_manufacturer, b->hw_manufacturer) &&
	       remsim_rspro_opt_str_equal (a->hw_model, b->hw_model) &&
	       remsim_rspro_opt_str_equal (a->hw_serial_nr, b->hw_serial_nr) &&
	       remsim_rspro_opt_str_equal (a->hw_version, b->hw_version) &&
	       remsim_rspro_opt_str_equal (a->fw_version, b->fw_version);
}

static gboolean
remsim_rspro_ip_port_equal (const RemsimIpPort *a, const RemsimIpPort *b)
{
	gsize addr_len;

	if (a->family != b->family || a->port != b->port)
		return FALSE;
	addr_len = a->family == G_SOCKET_FAMILY_IPV4 ? 4 : sizeof (a->addr);
	return memcmp (a->addr, b->addr, addr_len) == 0;
}

static gboolean
remsim_rspro_bool_equal (gboolean a, gboolean b)
{
	return !a == !b;
}

static gboolean
remsim_rspro_flags_equal (const RemsimTpduFlags *a, const RemsimTpduFlags *b)
{
	return remsim_rspro_bool_equal (a->tpdu_header_present, b->tpdu_header_present) &&
	       remsim_rspro_bool_equal (a->final_part, b->final_part) &&
	       remsim_rspro_bool_equal (a->proc_byte_continue_tx, b->proc_byte_continue_tx) &&
	       remsim_rspro_bool_equal (a->proc_byte_continue_rx, b->proc_byte_continue_rx);
}

/* an optional BOOLEAN: equal if both absent or both present with one value */
static gboolean
remsim_rspro_opt_bool_equal (gboolean has_a, gboolean a, gboolean has_b, gboolean b)
{
	if (!has_a != !has_b)
		return FALSE;
	return !has_a || remsim_rspro_bool_equal (a, b);
}

static gboolean
remsim_rspro_phys_status_equal (const RemsimSlotPhysStatus *a, const RemsimSlotPhysStatus *b)
{
	return remsim_rspro_bool_equal (a->reset_active, b->reset_active) &&
	       remsim_rspro_opt_bool_equal (
		   a->has_vcc_present, a->vcc_present, b->has_vcc_present, b->vcc_present) &&
	       remsim_rspro_opt_bool_equal (
		   a->has_clk_active, a->clk_active, b->has_clk_active, b->clk_active) &&
	       remsim_rspro_opt_bool_equal (
		   a->has_card_present, a->card_present, b->has_card_present, b->card_present);
}

/* NULL and empty data are the same */
static gboolean
remsim_rspro_data_equal (GBytes *a, GBytes *b)
{
	gsize a_len = a != NULL ? g_bytes_get_size (a) : 0;
	gsize b_len = b != NULL ? g_bytes_get_size (b) : 0;

	if (a_len != b_len)
		return FALSE;
	if (a_len == 0)
		return TRUE;
	return g_bytes_equal (a, b);
}

gboolean
remsim_rspro_msg_equal (const RemsimRsproMsg *a, const RemsimRsproMsg *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (a->type != b->type || a->version != b->version || a->tag != b->tag)
		return FALSE;

	/* compare what the type carries, see RemsimRsproMsg */
	switch (a->type) {
	case REMSIM_RSPRO_CONNECT_BANK_REQ:
		if (!a->has_bound != !b->has_bound)
			return FALSE;
		if (a->has_bound && !remsim_rspro_ip_port_equal (&a->bound, &b->bound))
			return FALSE;
		return remsim_rspro_identity_equal (&a->identity, &b->identity) &&
		       a->bank_id == b->bank_id && a->number_of_slots == b->number_of_slots;
	case REMSIM_RSPRO_CONNECT_BANK_RES:
	case REMSIM_RSPRO_CONNECT_CLIENT_RES:
		return remsim_rspro_identity_equal (&a->identity, &b->identity) &&
		       a->result == b->result;
	case REMSIM_RSPRO_CONNECT_CLIENT_REQ:
		if (!a->has_client_slot != !b->has_client_slot)
			return FALSE;
		if (a->has_client_slot &&
		    !remsim_client_slot_equal (&a->client_slot, &b->client_slot))
			return FALSE;
		return remsim_rspro_identity_equal (&a->identity, &b->identity);
	case REMSIM_RSPRO_CREATE_MAPPING_REQ:
	case REMSIM_RSPRO_REMOVE_MAPPING_REQ:
		return remsim_client_slot_equal (&a->client_slot, &b->client_slot) &&
		       remsim_bank_slot_equal (&a->bank_slot, &b->bank_slot);
	case REMSIM_RSPRO_CONFIG_CLIENT_ID_REQ:
		return remsim_client_slot_equal (&a->client_slot, &b->client_slot);
	case REMSIM_RSPRO_SET_ATR_REQ:
		return remsim_client_slot_equal (&a->client_slot, &b->client_slot) &&
		       remsim_rspro_data_equal (a->data, b->data);
	case REMSIM_RSPRO_TPDU_MODEM_TO_CARD:
	case REMSIM_RSPRO_TPDU_CARD_TO_MODEM:
		return remsim_client_slot_equal (&a->client_slot, &b->client_slot) &&
		       remsim_bank_slot_equal (&a->bank_slot, &b->bank_slot) &&
		       remsim_rspro_flags_equal (&a->flags, &b->flags) &&
		       remsim_rspro_data_equal (a->data, b->data);
	case REMSIM_RSPRO_CLIENT_SLOT_STATUS_IND:
	case REMSIM_RSPRO_BANK_SLOT_STATUS_IND:
		return remsim_client_slot_equal (&a->client_slot, &b->client_slot) &&
		       remsim_bank_slot_equal (&a->bank_slot, &b->bank_slot) &&
		       remsim_rspro_phys_status_equal (&a->phys_status, &b->phys_status);
	case REMSIM_RSPRO_ERROR_IND:
		if (!a->has_bank_slot != !b->has_bank_slot ||
		    !a->has_client_slot != !b->has_client_slot)
			return FALSE;
		if (a->has_bank_slot && !remsim_bank_slot_equal (&a->bank_slot, &b->bank_slot))
			return FALSE;
		if (a->has_client_slot &&
		    !remsim_client_slot_equal (&a->client_slot, &b->client_slot))
			return FALSE;
		return a->error_sender == b->error_sender &&
		       a->error_severity == b->error_severity && a->error_code == b->error_code &&
		       remsim_rspro_opt_str_equal (a->error_string, b->error_string);
	case REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ:
		return remsim_bank_slot_equal (&a->bank_slot, &b->bank_slot) &&
		       remsim_rspro_ip_port_equal (&a->bound, &b->bound);
	case REMSIM_RSPRO_CREATE_MAPPING_RES:
	case REMSIM_RSPRO_REMOVE_MAPPING_RES:
	case REMSIM_RSPRO_CONFIG_CLIENT_ID_RES:
	case REMSIM_RSPRO_SET_ATR_RES:
	case REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES:
	case REMSIM_RSPRO_RESET_STATE_RES:
		return a->result == b->result;
	case REMSIM_RSPRO_RESET_STATE_REQ:
	case REMSIM_RSPRO_UNKNOWN:
	default:
		return TRUE;
	}
}

/* encoding ---------------------------------------------------------------- */

static gboolean
remsim_rspro_check_range (guint64 value, guint64 max, const gchar *field, GError **error)
{
	if (value <= max)
		return TRUE;
	g_set_error (error,
		     REMSIM_ERROR,
		     REMSIM_ERROR_INVALID_ARGUMENT,
		     "%s %" G_GUINT64_FORMAT " out of range 0..%" G_GUINT64_FORMAT,
		     field,
		     value,
		     max);
	return FALSE;
}

/* as above for "<field>.<member>"; the name is only formatted on error, as
 * this runs for every slot of every PDU */
static gboolean
remsim_rspro_check_member_range (
    guint64 value, guint64 max, const gchar *field, const gchar *member, GError **error)
{
	g_autofree gchar *name = NULL;

	if (value <= max)
		return TRUE;
	name = g_strdup_printf ("%s.%s", field, member);
	return remsim_rspro_check_range (value, max, name, error);
}

static void
remsim_rspro_set_octets (OCTET_STRING_t *dst, const void *data, gsize len)
{
	/* asn1c keeps a terminating NUL after its strings */
	dst->buf = g_malloc (len + 1);
	if (len > 0)
		memcpy (dst->buf, data, len);
	dst->buf[len] = '\0';
	dst->size = (int)len;
}

static gboolean
remsim_rspro_fill_ia5 (
    OCTET_STRING_t *dst, const gchar *value, gsize max, const gchar *field, GError **error)
{
	gsize len;

	if (value == NULL) {
		g_set_error (
		    error, REMSIM_ERROR, REMSIM_ERROR_INVALID_ARGUMENT, "%s missing", field);
		return FALSE;
	}
	len = strlen (value);
	if (len < 1 || len > max) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "%s has %" G_GSIZE_FORMAT " characters, not 1..%" G_GSIZE_FORMAT,
			     field,
			     len,
			     max);
		return FALSE;
	}
	for (gsize i = 0; i < len; i++) {
		if ((guchar)value[i] > 0x7f) {
			g_set_error (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "%s is not ASCII",
				     field);
			return FALSE;
		}
	}
	remsim_rspro_set_octets (dst, value, len);
	return TRUE;
}

/* an optional IA5String: NULL or "" leaves it out */
static gboolean
remsim_rspro_fill_opt_ia5 (
    OCTET_STRING_t **dst, const gchar *value, gsize max, const gchar *field, GError **error)
{
	if (value == NULL || value[0] == '\0')
		return TRUE;
	*dst = g_new0 (OCTET_STRING_t, 1);
	return remsim_rspro_fill_ia5 (*dst, value, max, field, error);
}

static gboolean
remsim_rspro_fill_identity (ComponentIdentity_t *dst,
			    const RemsimComponentIdentity *src,
			    GError **error)
{
	if ((guint)src->type > REMSIM_COMPONENT_BANKD) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "identity.type %d is not a ComponentType",
			     (gint)src->type);
		return FALSE;
	}
	dst->type = src->type;
	return remsim_rspro_fill_ia5 (
		   &dst->name, src->name, REMSIM_RSPRO_NAME_MAX, "identity.name", error) &&
	       remsim_rspro_fill_ia5 (&dst->software,
				      src->software,
				      REMSIM_RSPRO_NAME_MAX,
				      "identity.software",
				      error) &&
	       remsim_rspro_fill_ia5 (&dst->swVersion,
				      src->sw_version,
				      REMSIM_RSPRO_NAME_MAX,
				      "identity.swVersion",
				      error) &&
	       remsim_rspro_fill_opt_ia5 (&dst->hwManufacturer,
					  src->hw_manufacturer,
					  REMSIM_RSPRO_NAME_MAX,
					  "identity.hwManufacturer",
					  error) &&
	       remsim_rspro_fill_opt_ia5 (&dst->hwModel,
					  src->hw_model,
					  REMSIM_RSPRO_NAME_MAX,
					  "identity.hwModel",
					  error) &&
	       remsim_rspro_fill_opt_ia5 (&dst->hwSerialNr,
					  src->hw_serial_nr,
					  REMSIM_RSPRO_NAME_MAX,
					  "identity.hwSerialNr",
					  error) &&
	       remsim_rspro_fill_opt_ia5 (&dst->hwVersion,
					  src->hw_version,
					  REMSIM_RSPRO_NAME_MAX,
					  "identity.hwVersion",
					  error) &&
	       remsim_rspro_fill_opt_ia5 (&dst->fwVersion,
					  src->fw_version,
					  REMSIM_RSPRO_NAME_MAX,
					  "identity.fwVersion",
					  error);
}

static gboolean
remsim_rspro_fill_client_slot (ClientSlot_t *dst,
			       const RemsimClientSlot *src,
			       const gchar *field,
			       GError **error)
{
	if (!remsim_rspro_check_member_range (
		src->client_id, REMSIM_ID_MAX, field, "clientId", error) ||
	    !remsim_rspro_check_member_range (src->slot_nr, REMSIM_ID_MAX, field, "slotNr", error))
		return FALSE;
	dst->clientId = src->client_id;
	dst->slotNr = src->slot_nr;
	return TRUE;
}

static gboolean
remsim_rspro_fill_bank_slot (BankSlot_t *dst,
			     const RemsimBankSlot *src,
			     const gchar *field,
			     GError **error)
{
	if (!remsim_rspro_check_member_range (
		src->bank_id, REMSIM_ID_MAX, field, "bankId", error) ||
	    !remsim_rspro_check_member_range (src->slot_nr, REMSIM_ID_MAX, field, "slotNr", error))
		return FALSE;
	dst->bankId = src->bank_id;
	dst->slotNr = src->slot_nr;
	return TRUE;
}

static gboolean
remsim_rspro_fill_ip_port (IpPort_t *dst,
			   const RemsimIpPort *src,
			   const gchar *field,
			   GError **error)
{
	switch (src->family) {
	case G_SOCKET_FAMILY_IPV4:
		dst->ip.present = IpAddress_PR_ipv4;
		remsim_rspro_set_octets (&dst->ip.choice.ipv4, src->addr, 4);
		break;
	case G_SOCKET_FAMILY_IPV6:
		dst->ip.present = IpAddress_PR_ipv6;
		remsim_rspro_set_octets (&dst->ip.choice.ipv6, src->addr, 16);
		break;
	case G_SOCKET_FAMILY_INVALID:
	case G_SOCKET_FAMILY_UNIX:
	default:
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "%s.ip has address family %d, neither IPv4 nor IPv6",
			     field,
			     (gint)src->family);
		return FALSE;
	}
	if (!remsim_rspro_check_member_range (
		src->port, REMSIM_RSPRO_PORT_MAX, field, "port", error))
		return FALSE;
	dst->port = src->port;
	return TRUE;
}

static void
remsim_rspro_fill_flags (TpduFlags_t *dst, const RemsimTpduFlags *src)
{
	dst->tpduHeaderPresent = src->tpdu_header_present ? 1 : 0;
	dst->finalPart = src->final_part ? 1 : 0;
	dst->procByteContinueTx = src->proc_byte_continue_tx ? 1 : 0;
	dst->procByteContinueRx = src->proc_byte_continue_rx ? 1 : 0;
}

static BOOLEAN_t *
remsim_rspro_new_bool (gboolean value)
{
	BOOLEAN_t *b = g_new0 (BOOLEAN_t, 1);

	*b = value ? 1 : 0;
	return b;
}

static void
remsim_rspro_fill_phys_status (SlotPhysStatus_t *dst, const RemsimSlotPhysStatus *src)
{
	dst->resetActive = src->reset_active ? 1 : 0;
	if (src->has_vcc_present)
		dst->vccPresent = remsim_rspro_new_bool (src->vcc_present);
	if (src->has_clk_active)
		dst->clkActive = remsim_rspro_new_bool (src->clk_active);
	if (src->has_card_present)
		dst->cardPresent = remsim_rspro_new_bool (src->card_present);
}

static gboolean
remsim_rspro_check_data_len (gsize len, gsize min, gsize max, const gchar *field, GError **error)
{
	if (len < min || len > max) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "%s has %" G_GSIZE_FORMAT " bytes, not %" G_GSIZE_FORMAT
			     "..%" G_GSIZE_FORMAT,
			     field,
			     len,
			     min,
			     max);
		return FALSE;
	}
	return TRUE;
}

static gboolean
remsim_rspro_fill_data (
    OCTET_STRING_t *dst, GBytes *data, gsize min, gsize max, const gchar *field, GError **error)
{
	gsize len = 0;
	const guint8 *buf = NULL;

	if (data != NULL)
		buf = g_bytes_get_data (data, &len);
	if (!remsim_rspro_check_data_len (len, min, max, field, error))
		return FALSE;
	remsim_rspro_set_octets (dst, buf, len);
	return TRUE;
}

/* result codes and the other extensible enumerations go out as given */
static gboolean
remsim_rspro_fill_pdu (RsproPDU_t *pdu, const RemsimRsproMsg *msg, GError **error)
{
	RsproPDUchoice_t *c = &pdu->msg;
	/* a zero version was never set: RSPRO v2 is the only one in use */
	guint32 version = msg->version != 0 ? msg->version : REMSIM_RSPRO_VERSION;

	if (!remsim_rspro_check_range (version, REMSIM_RSPRO_VERSION_MAX, "version", error) ||
	    !remsim_rspro_check_range (msg->tag, REMSIM_RSPRO_TAG_MAX, "tag", error))
		return FALSE;
	pdu->version = version;
	pdu->tag = msg->tag;

	/* set c->present first: on failure the free routine then releases
	 * whatever was already allocated in the alternative */
	switch (msg->type) {
	case REMSIM_RSPRO_CONNECT_BANK_REQ: {
		ConnectBankReq_t *m = &c->choice.connectBankReq;
		c->present = RsproPDUchoice_PR_connectBankReq;
		if (!remsim_rspro_fill_identity (&m->identity, &msg->identity, error) ||
		    !remsim_rspro_check_range (msg->bank_id, REMSIM_ID_MAX, "bankId", error) ||
		    !remsim_rspro_check_range (
			msg->number_of_slots, REMSIM_ID_MAX, "numberOfSlots", error))
			return FALSE;
		m->bankId = msg->bank_id;
		m->numberOfSlots = msg->number_of_slots;
		if (msg->has_bound) {
			m->bound = g_new0 (IpPort_t, 1);
			return remsim_rspro_fill_ip_port (m->bound, &msg->bound, "bound", error);
		}
		return TRUE;
	}
	case REMSIM_RSPRO_CONNECT_BANK_RES:
		c->present = RsproPDUchoice_PR_connectBankRes;
		c->choice.connectBankRes.result = (gint)msg->result;
		return remsim_rspro_fill_identity (
		    &c->choice.connectBankRes.identity, &msg->identity, error);
	case REMSIM_RSPRO_CONNECT_CLIENT_REQ: {
		ConnectClientReq_t *m = &c->choice.connectClientReq;
		c->present = RsproPDUchoice_PR_connectClientReq;
		if (!remsim_rspro_fill_identity (&m->identity, &msg->identity, error))
			return FALSE;
		if (msg->has_client_slot) {
			m->clientSlot = g_new0 (ClientSlot_t, 1);
			return remsim_rspro_fill_client_slot (
			    m->clientSlot, &msg->client_slot, "clientSlot", error);
		}
		return TRUE;
	}
	case REMSIM_RSPRO_CONNECT_CLIENT_RES:
		c->present = RsproPDUchoice_PR_connectClientRes;
		c->choice.connectClientRes.result = (gint)msg->result;
		return remsim_rspro_fill_identity (
		    &c->choice.connectClientRes.identity, &msg->identity, error);
	case REMSIM_RSPRO_CREATE_MAPPING_REQ:
		c->present = RsproPDUchoice_PR_createMappingReq;
		return remsim_rspro_fill_client_slot (&c->choice.createMappingReq.client,
						      &msg->client_slot,
						      "client",
						      error) &&
		       remsim_rspro_fill_bank_slot (
			   &c->choice.createMappingReq.bank, &msg->bank_slot, "bank", error);
	case REMSIM_RSPRO_CREATE_MAPPING_RES:
		c->present = RsproPDUchoice_PR_createMappingRes;
		c->choice.createMappingRes.result = (gint)msg->result;
		return TRUE;
	case REMSIM_RSPRO_REMOVE_MAPPING_REQ:
		c->present = RsproPDUchoice_PR_removeMappingReq;
		return remsim_rspro_fill_client_slot (&c->choice.removeMappingReq.client,
						      &msg->client_slot,
						      "client",
						      error) &&
		       remsim_rspro_fill_bank_slot (
			   &c->choice.removeMappingReq.bank, &msg->bank_slot, "bank", error);
	case REMSIM_RSPRO_REMOVE_MAPPING_RES:
		c->present = RsproPDUchoice_PR_removeMappingRes;
		c->choice.removeMappingRes.result = (gint)msg->result;
		return TRUE;
	case REMSIM_RSPRO_CONFIG_CLIENT_ID_REQ:
		c->present = RsproPDUchoice_PR_configClientIdReq;
		return remsim_rspro_fill_client_slot (&c->choice.configClientIdReq.clientSlot,
						      &msg->client_slot,
						      "clientSlot",
						      error);
	case REMSIM_RSPRO_CONFIG_CLIENT_ID_RES:
		c->present = RsproPDUchoice_PR_configClientIdRes;
		c->choice.configClientIdRes.result = (gint)msg->result;
		return TRUE;
	case REMSIM_RSPRO_SET_ATR_REQ:
		c->present = RsproPDUchoice_PR_setAtrReq;
		return remsim_rspro_fill_client_slot (
			   &c->choice.setAtrReq.slot, &msg->client_slot, "slot", error) &&
		       remsim_rspro_fill_data (&c->choice.setAtrReq.atr,
					       msg->data,
					       1,
					       REMSIM_RSPRO_ATR_MAX,
					       "atr",
					       error);
	case REMSIM_RSPRO_SET_ATR_RES:
		c->present = RsproPDUchoice_PR_setAtrRes;
		c->choice.setAtrRes.result = (gint)msg->result;
		return TRUE;
	case REMSIM_RSPRO_TPDU_MODEM_TO_CARD: {
		TpduModemToCard_t *m = &c->choice.tpduModemToCard;
		c->present = RsproPDUchoice_PR_tpduModemToCard;
		remsim_rspro_fill_flags (&m->flags, &msg->flags);
		return remsim_rspro_fill_client_slot (
			   &m->fromClientSlot, &msg->client_slot, "fromClientSlot", error) &&
		       remsim_rspro_fill_bank_slot (
			   &m->toBankSlot, &msg->bank_slot, "toBankSlot", error) &&
		       remsim_rspro_fill_data (
			   &m->data, msg->data, 0, REMSIM_RSPRO_TPDU_DATA_MAX, "data", error);
	}
	case REMSIM_RSPRO_TPDU_CARD_TO_MODEM: {
		TpduCardToModem_t *m = &c->choice.tpduCardToModem;
		c->present = RsproPDUchoice_PR_tpduCardToModem;
		remsim_rspro_fill_flags (&m->flags, &msg->flags);
		return remsim_rspro_fill_bank_slot (
			   &m->fromBankSlot, &msg->bank_slot, "fromBankSlot", error) &&
		       remsim_rspro_fill_client_slot (
			   &m->toClientSlot, &msg->client_slot, "toClientSlot", error) &&
		       remsim_rspro_fill_data (
			   &m->data, msg->data, 0, REMSIM_RSPRO_TPDU_DATA_MAX, "data", error);
	}
	case REMSIM_RSPRO_CLIENT_SLOT_STATUS_IND: {
		ClientSlotStatusInd_t *m = &c->choice.clientSlotStatusInd;
		c->present = RsproPDUchoice_PR_clientSlotStatusInd;
		remsim_rspro_fill_phys_status (&m->slotPhysStatus, &msg->phys_status);
		return remsim_rspro_fill_client_slot (
			   &m->fromClientSlot, &msg->client_slot, "fromClientSlot", error) &&
		       remsim_rspro_fill_bank_slot (
			   &m->toBankSlot, &msg->bank_slot, "toBankSlot", error);
	}
	case REMSIM_RSPRO_BANK_SLOT_STATUS_IND: {
		BankSlotStatusInd_t *m = &c->choice.bankSlotStatusInd;
		c->present = RsproPDUchoice_PR_bankSlotStatusInd;
		remsim_rspro_fill_phys_status (&m->slotPhysStatus, &msg->phys_status);
		return remsim_rspro_fill_bank_slot (
			   &m->fromBankSlot, &msg->bank_slot, "fromBankSlot", error) &&
		       remsim_rspro_fill_client_slot (
			   &m->toClientSlot, &msg->client_slot, "toClientSlot", error);
	}
	case REMSIM_RSPRO_ERROR_IND: {
		ErrorInd_t *m = &c->choice.errorInd;
		c->present = RsproPDUchoice_PR_errorInd;
		if ((guint)msg->error_sender > REMSIM_COMPONENT_BANKD) {
			g_set_error (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "sender %d is not a ComponentType",
				     (gint)msg->error_sender);
			return FALSE;
		}
		m->sender = (gint)msg->error_sender;
		m->severity = (gint)msg->error_severity;
		m->code = (gint)msg->error_code;
		if (msg->has_bank_slot) {
			m->bankSlot = g_new0 (BankSlot_t, 1);
			if (!remsim_rspro_fill_bank_slot (
				m->bankSlot, &msg->bank_slot, "bankSlot", error))
				return FALSE;
		}
		if (msg->has_client_slot) {
			m->clientSlot = g_new0 (ClientSlot_t, 1);
			if (!remsim_rspro_fill_client_slot (
				m->clientSlot, &msg->client_slot, "clientSlot", error))
				return FALSE;
		}
		return remsim_rspro_fill_opt_ia5 (&m->errorString,
						  msg->error_string,
						  REMSIM_RSPRO_ERROR_STRING_MAX,
						  "errorString",
						  error);
	}
	case REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ:
		c->present = RsproPDUchoice_PR_configClientBankReq;
		return remsim_rspro_fill_bank_slot (&c->choice.configClientBankReq.bankSlot,
						    &msg->bank_slot,
						    "bankSlot",
						    error) &&
		       remsim_rspro_fill_ip_port (
			   &c->choice.configClientBankReq.bankd, &msg->bound, "bankd", error);
	case REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES:
		c->present = RsproPDUchoice_PR_configClientBankRes;
		c->choice.configClientBankRes.result = (gint)msg->result;
		return TRUE;
	case REMSIM_RSPRO_RESET_STATE_REQ:
		c->present = RsproPDUchoice_PR_resetStateReq;
		return TRUE;
	case REMSIM_RSPRO_RESET_STATE_RES:
		c->present = RsproPDUchoice_PR_resetStateRes;
		c->choice.resetStateRes.result = (gint)msg->result;
		return TRUE;
	case REMSIM_RSPRO_UNKNOWN:
	default:
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "message type %d cannot be sent",
			     (gint)msg->type);
		return FALSE;
	}
}

/* direct DER writer ------------------------------------------------------- */

/*
 * asn1c's der_encode() sizes every nesting level anew (a leaf is visited
 * about 16 times in a TPDU message) and appends TLV by TLV. The frequent
 * messages are flat enough to write directly: every length is computed once,
 * bottom-up, then the PDU is written into one buffer of its final size. The
 * output is byte-identical to der_encode() (tests/unit/test-rspro.c checks).
 */

typedef enum {
	REMSIM_DER_ITEM_SLOT,	/* SEQUENCE { INTEGER, INTEGER }: ClientSlot, BankSlot */
	REMSIM_DER_ITEM_FLAGS,	/* TpduFlags: SEQUENCE { BOOLEAN x 4 } */
	REMSIM_DER_ITEM_OCTETS, /* OCTET STRING */
	REMSIM_DER_ITEM_ENUM,	/* ENUMERATED */
} RemsimDerItemKind;

typedef struct {
	RemsimDerItemKind kind;
	gint64 a;		      /* SLOT: first INTEGER; ENUM: the value */
	gint64 b;		      /* SLOT: second INTEGER */
	const RemsimTpduFlags *flags; /* FLAGS */
	const guint8 *buf;	      /* OCTETS */
	gsize len;		      /* OCTETS */
} RemsimDerItem;

/* the most items one message has (TPDU: two slots, flags, data) */
#define REMSIM_DER_ITEMS_MAX 4

/* content octets of the minimal two's complement encoding of @v */
static inline gsize
remsim_der_int_size (gint64 v)
{
	gsize n = 1;

	while (n < 8 && (v < -((gint64)1 << (8 * n - 1)) || v >= ((gint64)1 << (8 * n - 1))))
		n++;
	return n;
}

static inline gsize
remsim_der_len_size (gsize len)
{
	gsize n = 1;

	if (len < 0x80)
		return 1;
	for (; len != 0; len >>= 8)
		n++;
	return n;
}

/* size of a TLV with a one-octet identifier and @content octets of content */
static inline gsize
remsim_der_tlv_size (gsize content)
{
	return 1 + remsim_der_len_size (content) + content;
}

static inline guint8 *
remsim_der_put_header (guint8 *p, guint8 tag, gsize len)
{
	gsize n;

	*p++ = tag;
	if (len < 0x80) {
		*p++ = (guint8)len;
		return p;
	}
	n = remsim_der_len_size (len) - 1;
	*p++ = (guint8)(0x80 | n);
	for (gsize i = n; i > 0; i--)
		*p++ = (guint8)(len >> (8 * (i - 1)));
	return p;
}

static inline guint8 *
remsim_der_put_int (guint8 *p, guint8 tag, gint64 v)
{
	gsize n = remsim_der_int_size (v);

	*p++ = tag;
	*p++ = (guint8)n;
	for (gsize i = n; i > 0; i--)
		*p++ = (guint8)((guint64)v >> (8 * (i - 1)));
	return p;
}

static inline guint8 *
remsim_der_put_bool (guint8 *p, gboolean v)
{
	*p++ = 0x01;
	*p++ = 0x01;
	*p++ = v ? 0xff : 0x00;
	return p;
}

/* the content length of @item */
static gsize
remsim_der_item_content (const RemsimDerItem *item)
{
	switch (item->kind) {
	case REMSIM_DER_ITEM_SLOT:
		return 4 + remsim_der_int_size (item->a) + remsim_der_int_size (item->b);
	case REMSIM_DER_ITEM_FLAGS:
		return 4 * 3;
	case REMSIM_DER_ITEM_OCTETS:
		return item->len;
	case REMSIM_DER_ITEM_ENUM:
	default:
		return remsim_der_int_size (item->a);
	}
}

static guint8 *
remsim_der_put_item (guint8 *p, const RemsimDerItem *item, gsize content)
{
	switch (item->kind) {
	case REMSIM_DER_ITEM_SLOT:
		p = remsim_der_put_header (p, 0x30, content);
		p = remsim_der_put_int (p, 0x02, item->a);
		return remsim_der_put_int (p, 0x02, item->b);
	case REMSIM_DER_ITEM_FLAGS:
		p = remsim_der_put_header (p, 0x30, content);
		p = remsim_der_put_bool (p, item->flags->tpdu_header_present);
		p = remsim_der_put_bool (p, item->flags->final_part);
		p = remsim_der_put_bool (p, item->flags->proc_byte_continue_tx);
		return remsim_der_put_bool (p, item->flags->proc_byte_continue_rx);
	case REMSIM_DER_ITEM_OCTETS:
		p = remsim_der_put_header (p, 0x04, content);
		if (content > 0)
			memcpy (p, item->buf, content);
		return p + content;
	case REMSIM_DER_ITEM_ENUM:
	default:
		return remsim_der_put_int (p, 0x0a, item->a);
	}
}

static gboolean
remsim_der_add_client_slot (RemsimDerItem *items,
			    guint *n_items,
			    const RemsimClientSlot *slot,
			    const gchar *field,
			    GError **error)
{
	RemsimDerItem *item = &items[(*n_items)++];

	if (!remsim_rspro_check_member_range (
		slot->client_id, REMSIM_ID_MAX, field, "clientId", error) ||
	    !remsim_rspro_check_member_range (slot->slot_nr, REMSIM_ID_MAX, field, "slotNr", error))
		return FALSE;
	item->kind = REMSIM_DER_ITEM_SLOT;
	item->a = slot->client_id;
	item->b = slot->slot_nr;
	return TRUE;
}

static gboolean
remsim_der_add_bank_slot (RemsimDerItem *items,
			  guint *n_items,
			  const RemsimBankSlot *slot,
			  const gchar *field,
			  GError **error)
{
	RemsimDerItem *item = &items[(*n_items)++];

	if (!remsim_rspro_check_member_range (
		slot->bank_id, REMSIM_ID_MAX, field, "bankId", error) ||
	    !remsim_rspro_check_member_range (slot->slot_nr, REMSIM_ID_MAX, field, "slotNr", error))
		return FALSE;
	item->kind = REMSIM_DER_ITEM_SLOT;
	item->a = slot->bank_id;
	item->b = slot->slot_nr;
	return TRUE;
}

static void
remsim_der_add_flags (RemsimDerItem *items, guint *n_items, const RemsimTpduFlags *flags)
{
	RemsimDerItem *item = &items[(*n_items)++];

	item->kind = REMSIM_DER_ITEM_FLAGS;
	item->flags = flags;
}

static gboolean
remsim_der_add_octets (RemsimDerItem *items,
		       guint *n_items,
		       GBytes *data,
		       gsize min,
		       gsize max,
		       const gchar *field,
		       GError **error)
{
	RemsimDerItem *item = &items[(*n_items)++];

	item->kind = REMSIM_DER_ITEM_OCTETS;
	item->buf = NULL;
	item->len = 0;
	if (data != NULL)
		item->buf = g_bytes_get_data (data, &item->len);
	return remsim_rspro_check_data_len (item->len, min, max, field, error);
}

static void
remsim_der_add_enum (RemsimDerItem *items, guint *n_items, gint value)
{
	RemsimDerItem *item = &items[(*n_items)++];

	item->kind = REMSIM_DER_ITEM_ENUM;
	item->a = value;
}

/* whether remsim_rspro_encode_direct() handles @type */
static gboolean
remsim_rspro_has_direct_encoder (RemsimRsproType type)
{
	switch (type) {
	case REMSIM_RSPRO_CREATE_MAPPING_REQ:
	case REMSIM_RSPRO_CREATE_MAPPING_RES:
	case REMSIM_RSPRO_REMOVE_MAPPING_REQ:
	case REMSIM_RSPRO_REMOVE_MAPPING_RES:
	case REMSIM_RSPRO_CONFIG_CLIENT_ID_REQ:
	case REMSIM_RSPRO_CONFIG_CLIENT_ID_RES:
	case REMSIM_RSPRO_SET_ATR_REQ:
	case REMSIM_RSPRO_SET_ATR_RES:
	case REMSIM_RSPRO_TPDU_MODEM_TO_CARD:
	case REMSIM_RSPRO_TPDU_CARD_TO_MODEM:
	case REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES:
	case REMSIM_RSPRO_RESET_STATE_REQ:
	case REMSIM_RSPRO_RESET_STATE_RES:
		return TRUE;
	case REMSIM_RSPRO_CONNECT_BANK_REQ:
	case REMSIM_RSPRO_CONNECT_BANK_RES:
	case REMSIM_RSPRO_CONNECT_CLIENT_REQ:
	case REMSIM_RSPRO_CONNECT_CLIENT_RES:
	case REMSIM_RSPRO_CLIENT_SLOT_STATUS_IND:
	case REMSIM_RSPRO_BANK_SLOT_STATUS_IND:
	case REMSIM_RSPRO_ERROR_IND:
	case REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ:
	case REMSIM_RSPRO_UNKNOWN:
	default:
		return FALSE;
	}
}

/* the checks (and their order and messages) are those of remsim_rspro_fill_pdu() */
static gboolean
remsim_rspro_direct_items (const RemsimRsproMsg *msg,
			   RemsimDerItem *items,
			   guint *n_items,
			   GError **error)
{
	switch (msg->type) {
	case REMSIM_RSPRO_CREATE_MAPPING_REQ:
	case REMSIM_RSPRO_REMOVE_MAPPING_REQ:
		return remsim_der_add_client_slot (
			   items, n_items, &msg->client_slot, "client", error) &&
		       remsim_der_add_bank_slot (items, n_items, &msg->bank_slot, "bank", error);
	case REMSIM_RSPRO_CONFIG_CLIENT_ID_REQ:
		return remsim_der_add_client_slot (
		    items, n_items, &msg->client_slot, "clientSlot", error);
	case REMSIM_RSPRO_SET_ATR_REQ:
		return remsim_der_add_client_slot (
			   items, n_items, &msg->client_slot, "slot", error) &&
		       remsim_der_add_octets (
			   items, n_items, msg->data, 1, REMSIM_RSPRO_ATR_MAX, "atr", error);
	case REMSIM_RSPRO_TPDU_MODEM_TO_CARD:
		if (!remsim_der_add_client_slot (
			items, n_items, &msg->client_slot, "fromClientSlot", error) ||
		    !remsim_der_add_bank_slot (
			items, n_items, &msg->bank_slot, "toBankSlot", error))
			return FALSE;
		remsim_der_add_flags (items, n_items, &msg->flags);
		return remsim_der_add_octets (
		    items, n_items, msg->data, 0, REMSIM_RSPRO_TPDU_DATA_MAX, "data", error);
	case REMSIM_RSPRO_TPDU_CARD_TO_MODEM:
		if (!remsim_der_add_bank_slot (
			items, n_items, &msg->bank_slot, "fromBankSlot", error) ||
		    !remsim_der_add_client_slot (
			items, n_items, &msg->client_slot, "toClientSlot", error))
			return FALSE;
		remsim_der_add_flags (items, n_items, &msg->flags);
		return remsim_der_add_octets (
		    items, n_items, msg->data, 0, REMSIM_RSPRO_TPDU_DATA_MAX, "data", error);
	case REMSIM_RSPRO_RESET_STATE_REQ:
		return TRUE;
	case REMSIM_RSPRO_CREATE_MAPPING_RES:
	case REMSIM_RSPRO_REMOVE_MAPPING_RES:
	case REMSIM_RSPRO_CONFIG_CLIENT_ID_RES:
	case REMSIM_RSPRO_SET_ATR_RES:
	case REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES:
	case REMSIM_RSPRO_RESET_STATE_RES:
	default:
		remsim_der_add_enum (items, n_items, (gint)msg->result);
		return TRUE;
	}
}

/* @msg->type must be one remsim_rspro_has_direct_encoder() accepts */
static GBytes *
remsim_rspro_encode_direct (const RemsimRsproMsg *msg, GError **error)
{
	/* a zero version was never set: RSPRO v2 is the only one in use */
	guint32 version = msg->version != 0 ? msg->version : REMSIM_RSPRO_VERSION;
	RemsimDerItem items[REMSIM_DER_ITEMS_MAX];
	gsize content[REMSIM_DER_ITEMS_MAX];
	guint n_items = 0;
	gsize alt_len = 0;
	gsize msg_len;
	gsize pdu_len;
	gsize total;
	guint8 *buf;
	guint8 *p;

	if (!remsim_rspro_check_range (version, REMSIM_RSPRO_VERSION_MAX, "version", error) ||
	    !remsim_rspro_check_range (msg->tag, REMSIM_RSPRO_TAG_MAX, "tag", error) ||
	    !remsim_rspro_direct_items (msg, items, &n_items, error)) {
		g_prefix_error (
		    error, "cannot encode %s: ", remsim_rspro_type_to_string (msg->type));
		return NULL;
	}

	/* lengths, innermost first */
	for (guint i = 0; i < n_items; i++) {
		content[i] = remsim_der_item_content (&items[i]);
		alt_len += remsim_der_tlv_size (content[i]);
	}
	msg_len = remsim_der_tlv_size (alt_len);
	pdu_len = 2 + remsim_der_int_size (version) + 2 + remsim_der_int_size (msg->tag) +
		  remsim_der_tlv_size (msg_len);
	total = remsim_der_tlv_size (pdu_len);

	/* RsproPDU { version [0], tag [1], msg [2] EXPLICIT { alternative } };
	 * the alternative is [n] IMPLICIT SEQUENCE, constructed */
	buf = g_malloc (total);
	p = remsim_der_put_header (buf, 0x30, pdu_len);
	p = remsim_der_put_int (p, 0x80, version);
	p = remsim_der_put_int (p, 0x81, msg->tag);
	p = remsim_der_put_header (p, 0xa2, msg_len);
	p = remsim_der_put_header (p, (guint8)(0xa0 | (guint)msg->type), alt_len);
	for (guint i = 0; i < n_items; i++)
		p = remsim_der_put_item (p, &items[i], content[i]);
	g_assert ((gsize)(p - buf) == total);
	return g_bytes_new_take (buf, total);
}

static int
remsim_rspro_append_cb (const void *buf, size_t size, void *user_data)
{
	g_byte_array_append ((GByteArray *)user_data, buf, size);
	return 0;
}

GBytes *
remsim_rspro_encode_generic (const RemsimRsproMsg *msg, GError **error)
{
	g_autoptr (RsproPDU_t) pdu = NULL;
	g_autoptr (GByteArray) out = NULL;
	gchar errbuf[256] = {0};
	size_t errlen = sizeof (errbuf) - 1;
	asn_enc_rval_t rv;

	g_return_val_if_fail (msg != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	pdu = g_new0 (RsproPDU_t, 1);
	if (!remsim_rspro_fill_pdu (pdu, msg, error)) {
		g_prefix_error (
		    error, "cannot encode %s: ", remsim_rspro_type_to_string (msg->type));
		return NULL;
	}

	/* our own checks above name the field; this one is the safety net */
	if (asn_check_constraints (&asn_DEF_RsproPDU, pdu, errbuf, &errlen) != 0) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "cannot encode %s: %s",
			     remsim_rspro_type_to_string (msg->type),
			     errbuf);
		return NULL;
	}

	out = g_byte_array_new ();
	rv = der_encode (&asn_DEF_RsproPDU, pdu, remsim_rspro_append_cb, out);
	if (rv.encoded < 0) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "cannot encode %s: DER encoder failed at %s",
			     remsim_rspro_type_to_string (msg->type),
			     rv.failed_type != NULL ? rv.failed_type->name : "?");
		return NULL;
	}
	return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
remsim_rspro_encode (const RemsimRsproMsg *msg, GError **error)
{
	g_return_val_if_fail (msg != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (remsim_rspro_has_direct_encoder (msg->type))
		return remsim_rspro_encode_direct (msg, error);
	return remsim_rspro_encode_generic (msg, error);
}

/* decoding ---------------------------------------------------------------- */

typedef struct {
	gsize end; /* end of the contents; for indefinite length the outer limit */
	gboolean indefinite;
} RemsimRsproTlvLevel;

/*
 * Walk the BER structure without recursion before asn1c sees it: every
 * length must fit its container, nesting is bounded and nothing may follow
 * the PDU. asn1c's decoder runs without its stack limit (which misfires
 * under ASan) and skips unknown elements recursively, so the bound on
 * nesting is what keeps hostile input from exhausting the stack.
 */
static gboolean
remsim_rspro_check_tlv (const guint8 *buf, gsize len, GError **error)
{
	RemsimRsproTlvLevel stack[REMSIM_RSPRO_NESTING_MAX];
	guint depth = 0;
	gsize pos = 0;

	for (;;) {
		gsize limit;
		gsize start;
		gsize length = 0;
		gboolean constructed;
		gboolean indefinite = FALSE;

		while (depth > 0 && !stack[depth - 1].indefinite && pos == stack[depth - 1].end)
			depth--;
		if (depth == 0 && pos > 0) {
			if (pos != len) {
				g_set_error (error,
					     REMSIM_ERROR,
					     REMSIM_ERROR_PROTOCOL,
					     "%" G_GSIZE_FORMAT " bytes after the RSPRO PDU",
					     len - pos);
				return FALSE;
			}
			return TRUE;
		}
		limit = depth > 0 ? stack[depth - 1].end : len;
		if (pos >= limit)
			goto truncated;

		/* end-of-contents octets close an indefinite length */
		if (depth > 0 && stack[depth - 1].indefinite && buf[pos] == 0x00) {
			if (limit - pos < 2 || buf[pos + 1] != 0x00) {
				g_set_error (error,
					     REMSIM_ERROR,
					     REMSIM_ERROR_PROTOCOL,
					     "bad end-of-contents at byte %" G_GSIZE_FORMAT,
					     pos);
				return FALSE;
			}
			pos += 2;
			depth--;
			continue;
		}

		/* identifier octets */
		start = pos;
		constructed = (buf[pos] & 0x20) != 0;
		if ((buf[pos] & 0x1f) == 0x1f) {
			guint n = 0;
			do {
				pos++;
				if (pos >= limit)
					goto truncated;
				if (++n > 4) {
					g_set_error (error,
						     REMSIM_ERROR,
						     REMSIM_ERROR_PROTOCOL,
						     "tag too long at byte %" G_GSIZE_FORMAT,
						     start);
					return FALSE;
				}
			} while ((buf[pos] & 0x80) != 0);
		}
		pos++;

		/* length octets */
		if (pos >= limit)
			goto truncated;
		if (buf[pos] == 0x80) {
			if (!constructed) {
				g_set_error (
				    error,
				    REMSIM_ERROR,
				    REMSIM_ERROR_PROTOCOL,
				    "indefinite length of a primitive at byte %" G_GSIZE_FORMAT,
				    start);
				return FALSE;
			}
			indefinite = TRUE;
			pos++;
		} else if ((buf[pos] & 0x80) != 0) {
			guint n = buf[pos] & 0x7f;
			if (n == 0x7f) {
				g_set_error (error,
					     REMSIM_ERROR,
					     REMSIM_ERROR_PROTOCOL,
					     "reserved length at byte %" G_GSIZE_FORMAT,
					     start);
				return FALSE;
			}
			pos++;
			if (limit - pos < n)
				goto truncated;
			for (guint i = 0; i < n; i++) {
				if (length > (G_MAXSIZE >> 8))
					goto truncated;
				length = (length << 8) | buf[pos++];
			}
		} else {
			length = buf[pos++];
		}

		if (indefinite) {
			if (depth >= REMSIM_RSPRO_NESTING_MAX)
				goto too_deep;
			stack[depth].end = limit;
			stack[depth].indefinite = TRUE;
			depth++;
			continue;
		}
		if (length > limit - pos)
			goto truncated;
		if (!constructed) {
			pos += length;
			continue;
		}
		if (depth >= REMSIM_RSPRO_NESTING_MAX)
			goto too_deep;
		stack[depth].end = pos + length;
		stack[depth].indefinite = FALSE;
		depth++;
	}

truncated:
	g_set_error (error,
		     REMSIM_ERROR,
		     REMSIM_ERROR_PROTOCOL,
		     "truncated or inconsistent RSPRO PDU (%" G_GSIZE_FORMAT " bytes)",
		     len);
	return FALSE;
too_deep:
	g_set_error (error,
		     REMSIM_ERROR,
		     REMSIM_ERROR_PROTOCOL,
		     "RSPRO PDU nested deeper than %d levels",
		     REMSIM_RSPRO_NESTING_MAX);
	return FALSE;
}

static gboolean
remsim_rspro_get_u32 (long value, guint32 *out, const gchar *field, GError **error)
{
	if (value < 0 || (unsigned long)value > G_MAXUINT32) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_PROTOCOL,
			     "%s %ld out of range",
			     field,
			     value);
		return FALSE;
	}
	*out = (guint32)value;
	return TRUE;
}

static gboolean
remsim_rspro_get_member_u32 (
    long value, guint32 *out, const gchar *field, const gchar *member, GError **error)
{
	g_autofree gchar *name = NULL;

	if (value >= 0 && (unsigned long)value <= G_MAXUINT32) {
		*out = (guint32)value;
		return TRUE;
	}
	name = g_strdup_printf ("%s.%s", field, member);
	return remsim_rspro_get_u32 (value, out, name, error);
}

/* enumerations: unknown values pass through if they fit an int */
static gboolean
remsim_rspro_get_enum (long value, gint *out, const gchar *field, GError **error)
{
	if (value < G_MININT || value > G_MAXINT) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_PROTOCOL,
			     "%s %ld out of range",
			     field,
			     value);
		return FALSE;
	}
	*out = (gint)value;
	return TRUE;
}

/* IA5String to a C string; anything but printable ASCII becomes '?' */
static gchar *
remsim_rspro_get_ia5 (const OCTET_STRING_t *s)
{
	gchar *str;
	gsize len;

	if (s->buf == NULL || s->size <= 0)
		return g_strdup ("");
	len = (gsize)s->size;
	str = g_malloc (len + 1);
	for (gsize i = 0; i < len; i++) {
		guint8 ch = s->buf[i];
		/* printable ASCII only: these strings end up in logs and JSON */
		str[i] = (ch < 0x20 || ch >= 0x7f) ? '?' : (gchar)ch;
	}
	str[len] = '\0';
	return str;
}

/* absent or empty gives NULL */
static gchar *
remsim_rspro_get_opt_ia5 (const OCTET_STRING_t *s)
{
	if (s == NULL || s->size <= 0)
		return NULL;
	return remsim_rspro_get_ia5 (s);
}

static GBytes *
remsim_rspro_get_octets (const OCTET_STRING_t *s)
{
	if (s->buf == NULL || s->size <= 0)
		return g_bytes_new (NULL, 0);
	return g_bytes_new (s->buf, (gsize)s->size);
}

static gboolean
remsim_rspro_get_identity (RemsimComponentIdentity *dst,
			   const ComponentIdentity_t *src,
			   GError **error)
{
	gint type;

	if (!remsim_rspro_get_enum (src->type, &type, "identity.type", error))
		return FALSE;
	dst->type = type;
	dst->name = remsim_rspro_get_ia5 (&src->name);
	dst->software = remsim_rspro_get_ia5 (&src->software);
	dst->sw_version = remsim_rspro_get_ia5 (&src->swVersion);
	dst->hw_manufacturer = remsim_rspro_get_opt_ia5 (src->hwManufacturer);
	dst->hw_model = remsim_rspro_get_opt_ia5 (src->hwModel);
	dst->hw_serial_nr = remsim_rspro_get_opt_ia5 (src->hwSerialNr);
	dst->hw_version = remsim_rspro_get_opt_ia5 (src->hwVersion);
	dst->fw_version = remsim_rspro_get_opt_ia5 (src->fwVersion);
	return TRUE;
}

static gboolean
remsim_rspro_get_client_slot (RemsimClientSlot *dst,
			      const ClientSlot_t *src,
			      const gchar *field,
			      GError **error)
{
	return remsim_rspro_get_member_u32 (
		   src->clientId, &dst->client_id, field, "clientId", error) &&
	       remsim_rspro_get_member_u32 (src->slotNr, &dst->slot_nr, field, "slotNr", error);
}

static gboolean
remsim_rspro_get_bank_slot (RemsimBankSlot *dst,
			    const BankSlot_t *src,
			    const gchar *field,
			    GError **error)
{
	return remsim_rspro_get_member_u32 (src->bankId, &dst->bank_id, field, "bankId", error) &&
	       remsim_rspro_get_member_u32 (src->slotNr, &dst->slot_nr, field, "slotNr", error);
}

static gboolean
remsim_rspro_get_ip_port (RemsimIpPort *dst,
			  const IpPort_t *src,
			  const gchar *field,
			  GError **error)
{
	const OCTET_STRING_t *addr;
	gsize addr_len;

	memset (dst, 0, sizeof (*dst));
	switch (src->ip.present) {
	case IpAddress_PR_ipv4:
		dst->family = G_SOCKET_FAMILY_IPV4;
		addr = &src->ip.choice.ipv4;
		addr_len = 4;
		break;
	case IpAddress_PR_ipv6:
		dst->family = G_SOCKET_FAMILY_IPV6;
		addr = &src->ip.choice.ipv6;
		addr_len = 16;
		break;
	case IpAddress_PR_NOTHING:
	default:
		g_set_error (error, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL, "%s.ip missing", field);
		return FALSE;
	}
	if (addr->buf == NULL || addr->size < 0 || (gsize)addr->size != addr_len) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_PROTOCOL,
			     "%s.ip has %d bytes, not %" G_GSIZE_FORMAT,
			     field,
			     addr->size,
			     addr_len);
		return FALSE;
	}
	memcpy (dst->addr, addr->buf, addr_len);
	return remsim_rspro_get_u32 (src->port, &dst->port, field, error);
}

static void
remsim_rspro_get_flags (RemsimTpduFlags *dst, const TpduFlags_t *src)
{
	dst->tpdu_header_present = src->tpduHeaderPresent != 0;
	dst->final_part = src->finalPart != 0;
	dst->proc_byte_continue_tx = src->procByteContinueTx != 0;
	dst->proc_byte_continue_rx = src->procByteContinueRx != 0;
}

static void
remsim_rspro_get_phys_status (RemsimSlotPhysStatus *dst, const SlotPhysStatus_t *src)
{
	dst->reset_active = src->resetActive != 0;
	dst->has_vcc_present = src->vccPresent != NULL;
	dst->vcc_present = src->vccPresent != NULL && *src->vccPresent != 0;
	dst->has_clk_active = src->clkActive != NULL;
	dst->clk_active = src->clkActive != NULL && *src->clkActive != 0;
	dst->has_card_present = src->cardPresent != NULL;
	dst->card_present = src->cardPresent != NULL && *src->cardPresent != 0;
}

static gboolean
remsim_rspro_get_result (long value, RemsimRsproMsg *msg, GError **error)
{
	gint result;

	if (!remsim_rspro_get_enum (value, &result, "result", error))
		return FALSE;
	msg->result = result;
	return TRUE;
}

static gboolean
remsim_rspro_get_msg (RemsimRsproMsg *msg, const RsproPDUchoice_t *c, GError **error)
{
	switch (c->present) {
	case RsproPDUchoice_PR_connectBankReq: {
		const ConnectBankReq_t *m = &c->choice.connectBankReq;
		msg->type = REMSIM_RSPRO_CONNECT_BANK_REQ;
		if (!remsim_rspro_get_identity (&msg->identity, &m->identity, error) ||
		    !remsim_rspro_get_u32 (m->bankId, &msg->bank_id, "bankId", error) ||
		    !remsim_rspro_get_u32 (
			m->numberOfSlots, &msg->number_of_slots, "numberOfSlots", error))
			return FALSE;
		if (m->bound != NULL) {
			g_autoptr (GError) error_local = NULL;
			/* an optional extra: a bad one is dropped, not fatal */
			msg->has_bound =
			    remsim_rspro_get_ip_port (&msg->bound, m->bound, "bound", &error_local);
			if (!msg->has_bound)
				g_debug ("ignoring connectBankReq.bound: %s", error_local->message);
		}
		return TRUE;
	}
	case RsproPDUchoice_PR_connectBankRes:
		msg->type = REMSIM_RSPRO_CONNECT_BANK_RES;
		return remsim_rspro_get_identity (
			   &msg->identity, &c->choice.connectBankRes.identity, error) &&
		       remsim_rspro_get_result (c->choice.connectBankRes.result, msg, error);
	case RsproPDUchoice_PR_connectClientReq: {
		const ConnectClientReq_t *m = &c->choice.connectClientReq;
		msg->type = REMSIM_RSPRO_CONNECT_CLIENT_REQ;
		if (!remsim_rspro_get_identity (&msg->identity, &m->identity, error))
			return FALSE;
		if (m->clientSlot != NULL) {
			msg->has_client_slot = TRUE;
			return remsim_rspro_get_client_slot (
			    &msg->client_slot, m->clientSlot, "clientSlot", error);
		}
		return TRUE;
	}
	case RsproPDUchoice_PR_connectClientRes:
		msg->type = REMSIM_RSPRO_CONNECT_CLIENT_RES;
		return remsim_rspro_get_identity (
			   &msg->identity, &c->choice.connectClientRes.identity, error) &&
		       remsim_rspro_get_result (c->choice.connectClientRes.result, msg, error);
	case RsproPDUchoice_PR_createMappingReq:
		msg->type = REMSIM_RSPRO_CREATE_MAPPING_REQ;
		msg->has_client_slot = TRUE;
		msg->has_bank_slot = TRUE;
		return remsim_rspro_get_client_slot (&msg->client_slot,
						     &c->choice.createMappingReq.client,
						     "client",
						     error) &&
		       remsim_rspro_get_bank_slot (
			   &msg->bank_slot, &c->choice.createMappingReq.bank, "bank", error);
	case RsproPDUchoice_PR_createMappingRes:
		msg->type = REMSIM_RSPRO_CREATE_MAPPING_RES;
		return remsim_rspro_get_result (c->choice.createMappingRes.result, msg, error);
	case RsproPDUchoice_PR_removeMappingReq:
		msg->type = REMSIM_RSPRO_REMOVE_MAPPING_REQ;
		msg->has_client_slot = TRUE;
		msg->has_bank_slot = TRUE;
		return remsim_rspro_get_client_slot (&msg->client_slot,
						     &c->choice.removeMappingReq.client,
						     "client",
						     error) &&
		       remsim_rspro_get_bank_slot (
			   &msg->bank_slot, &c->choice.removeMappingReq.bank, "bank", error);
	case RsproPDUchoice_PR_removeMappingRes:
		msg->type = REMSIM_RSPRO_REMOVE_MAPPING_RES;
		return remsim_rspro_get_result (c->choice.removeMappingRes.result, msg, error);
	case RsproPDUchoice_PR_configClientIdReq:
		msg->type = REMSIM_RSPRO_CONFIG_CLIENT_ID_REQ;
		msg->has_client_slot = TRUE;
		return remsim_rspro_get_client_slot (&msg->client_slot,
						     &c->choice.configClientIdReq.clientSlot,
						     "clientSlot",
						     error);
	case RsproPDUchoice_PR_configClientIdRes:
		msg->type = REMSIM_RSPRO_CONFIG_CLIENT_ID_RES;
		return remsim_rspro_get_result (c->choice.configClientIdRes.result, msg, error);
	case RsproPDUchoice_PR_setAtrReq:
		msg->type = REMSIM_RSPRO_SET_ATR_REQ;
		msg->has_client_slot = TRUE;
		msg->data = remsim_rspro_get_octets (&c->choice.setAtrReq.atr);
		return remsim_rspro_get_client_slot (
		    &msg->client_slot, &c->choice.setAtrReq.slot, "slot", error);
	case RsproPDUchoice_PR_setAtrRes:
		msg->type = REMSIM_RSPRO_SET_ATR_RES;
		return remsim_rspro_get_result (c->choice.setAtrRes.result, msg, error);
	case RsproPDUchoice_PR_tpduModemToCard: {
		const TpduModemToCard_t *m = &c->choice.tpduModemToCard;
		msg->type = REMSIM_RSPRO_TPDU_MODEM_TO_CARD;
		msg->has_client_slot = TRUE;
		msg->has_bank_slot = TRUE;
		remsim_rspro_get_flags (&msg->flags, &m->flags);
		msg->data = remsim_rspro_get_octets (&m->data);
		return remsim_rspro_get_client_slot (
			   &msg->client_slot, &m->fromClientSlot, "fromClientSlot", error) &&
		       remsim_rspro_get_bank_slot (
			   &msg->bank_slot, &m->toBankSlot, "toBankSlot", error);
	}
	case RsproPDUchoice_PR_tpduCardToModem: {
		const TpduCardToModem_t *m = &c->choice.tpduCardToModem;
		msg->type = REMSIM_RSPRO_TPDU_CARD_TO_MODEM;
		msg->has_client_slot = TRUE;
		msg->has_bank_slot = TRUE;
		remsim_rspro_get_flags (&msg->flags, &m->flags);
		msg->data = remsim_rspro_get_octets (&m->data);
		return remsim_rspro_get_bank_slot (
			   &msg->bank_slot, &m->fromBankSlot, "fromBankSlot", error) &&
		       remsim_rspro_get_client_slot (
			   &msg->client_slot, &m->toClientSlot, "toClientSlot", error);
	}
	case RsproPDUchoice_PR_clientSlotStatusInd: {
		const ClientSlotStatusInd_t *m = &c->choice.clientSlotStatusInd;
		msg->type = REMSIM_RSPRO_CLIENT_SLOT_STATUS_IND;
		msg->has_client_slot = TRUE;
		msg->has_bank_slot = TRUE;
		remsim_rspro_get_phys_status (&msg->phys_status, &m->slotPhysStatus);
		return remsim_rspro_get_client_slot (
			   &msg->client_slot, &m->fromClientSlot, "fromClientSlot", error) &&
		       remsim_rspro_get_bank_slot (
			   &msg->bank_slot, &m->toBankSlot, "toBankSlot", error);
	}
	case RsproPDUchoice_PR_bankSlotStatusInd: {
		const BankSlotStatusInd_t *m = &c->choice.bankSlotStatusInd;
		msg->type = REMSIM_RSPRO_BANK_SLOT_STATUS_IND;
		msg->has_client_slot = TRUE;
		msg->has_bank_slot = TRUE;
		remsim_rspro_get_phys_status (&msg->phys_status, &m->slotPhysStatus);
		return remsim_rspro_get_bank_slot (
			   &msg->bank_slot, &m->fromBankSlot, "fromBankSlot", error) &&
		       remsim_rspro_get_client_slot (
			   &msg->client_slot, &m->toClientSlot, "toClientSlot", error);
	}
	case RsproPDUchoice_PR_errorInd: {
		const ErrorInd_t *m = &c->choice.errorInd;
		gint sender, severity, code;
		msg->type = REMSIM_RSPRO_ERROR_IND;
		if (!remsim_rspro_get_enum (m->sender, &sender, "sender", error) ||
		    !remsim_rspro_get_enum (m->severity, &severity, "severity", error) ||
		    !remsim_rspro_get_enum (m->code, &code, "code", error))
			return FALSE;
		msg->error_sender = sender;
		msg->error_severity = severity;
		msg->error_code = code;
		if (m->bankSlot != NULL) {
			msg->has_bank_slot = TRUE;
			if (!remsim_rspro_get_bank_slot (
				&msg->bank_slot, m->bankSlot, "bankSlot", error))
				return FALSE;
		}
		if (m->clientSlot != NULL) {
			msg->has_client_slot = TRUE;
			if (!remsim_rspro_get_client_slot (
				&msg->client_slot, m->clientSlot, "clientSlot", error))
				return FALSE;
		}
		msg->error_string = remsim_rspro_get_opt_ia5 (m->errorString);
		return TRUE;
	}
	case RsproPDUchoice_PR_configClientBankReq:
		msg->type = REMSIM_RSPRO_CONFIG_CLIENT_BANK_REQ;
		msg->has_bank_slot = TRUE;
		msg->has_bound = TRUE;
		return remsim_rspro_get_bank_slot (&msg->bank_slot,
						   &c->choice.configClientBankReq.bankSlot,
						   "bankSlot",
						   error) &&
		       remsim_rspro_get_ip_port (
			   &msg->bound, &c->choice.configClientBankReq.bankd, "bankd", error);
	case RsproPDUchoice_PR_configClientBankRes:
		msg->type = REMSIM_RSPRO_CONFIG_CLIENT_BANK_RES;
		return remsim_rspro_get_result (c->choice.configClientBankRes.result, msg, error);
	case RsproPDUchoice_PR_resetStateReq:
		msg->type = REMSIM_RSPRO_RESET_STATE_REQ;
		return TRUE;
	case RsproPDUchoice_PR_resetStateRes:
		msg->type = REMSIM_RSPRO_RESET_STATE_RES;
		return remsim_rspro_get_result (c->choice.resetStateRes.result, msg, error);
	case RsproPDUchoice_PR_NOTHING:
	default:
		/* an alternative added after this module: not an error */
		msg->type = REMSIM_RSPRO_UNKNOWN;
		return TRUE;
	}
}

/* strict DER reader ------------------------------------------------------- */

/*
 * A TPDU message in minimal DER, as every known peer sends it, is parsed
 * here directly. Anything that deviates in the slightest (long-form or
 * non-minimal lengths where DER has none, BOOLEAN other than 00/ff,
 * non-minimal or negative INTEGERs, extensions, constructed OCTET STRINGs,
 * other alternatives) makes remsim_rspro_decode_direct() return NULL, and
 * asn1c's lenient BER decoder decides. Every read checks @end first.
 */

/* identifier @tag and a minimal DER length that fits before @end */
static gboolean
remsim_der_get_header (const guint8 *buf, gsize *pos, gsize end, guint8 tag, gsize *len)
{
	gsize p = *pos;
	gsize l;

	if (end - p < 2 || buf[p] != tag)
		return FALSE;
	l = buf[p + 1];
	p += 2;
	if (l >= 0x80) {
		gsize n = l & 0x7f;

		/* 1..4 length octets, no leading zero, long form only from 128 */
		if (n < 1 || n > 4 || end - p < n || buf[p] == 0x00)
			return FALSE;
		l = 0;
		for (gsize i = 0; i < n; i++)
			l = (l << 8) | buf[p++];
		if (l < 0x80)
			return FALSE;
	}
	if (l > end - p)
		return FALSE;
	*pos = p;
	*len = l;
	return TRUE;
}

/* a non-negative minimal INTEGER of 1..4 octets */
static gboolean
remsim_der_get_uint (const guint8 *buf, gsize *pos, gsize end, guint8 tag, guint32 *value)
{
	gsize len;
	gsize p = *pos;
	guint32 v = 0;

	if (!remsim_der_get_header (buf, &p, end, tag, &len))
		return FALSE;
	if (len < 1 || len > 4 || (buf[p] & 0x80) != 0)
		return FALSE;
	if (len > 1 && buf[p] == 0x00 && (buf[p + 1] & 0x80) == 0)
		return FALSE;
	for (gsize i = 0; i < len; i++)
		v = (v << 8) | buf[p + i];
	*pos = p + len;
	*value = v;
	return TRUE;
}

/* ClientSlot or BankSlot without extensions */
static gboolean
remsim_der_get_slot (const guint8 *buf, gsize *pos, gsize end, guint32 *a, guint32 *b)
{
	gsize len;
	gsize p = *pos;
	gsize seq_end;

	if (!remsim_der_get_header (buf, &p, end, 0x30, &len))
		return FALSE;
	seq_end = p + len;
	if (!remsim_der_get_uint (buf, &p, seq_end, 0x02, a) ||
	    !remsim_der_get_uint (buf, &p, seq_end, 0x02, b) || p != seq_end)
		return FALSE;
	*pos = p;
	return TRUE;
}

/* TpduFlags without extensions, each BOOLEAN 00 or ff */
static gboolean
remsim_der_get_flags (const guint8 *buf, gsize *pos, gsize end, RemsimTpduFlags *flags)
{
	gboolean v[4];
	gsize len;
	gsize p = *pos;

	if (!remsim_der_get_header (buf, &p, end, 0x30, &len) || len != 4 * 3)
		return FALSE;
	for (guint i = 0; i < 4; i++, p += 3) {
		if (buf[p] != 0x01 || buf[p + 1] != 0x01 ||
		    (buf[p + 2] != 0x00 && buf[p + 2] != 0xff))
			return FALSE;
		v[i] = buf[p + 2] != 0x00;
	}
	flags->tpdu_header_present = v[0];
	flags->final_part = v[1];
	flags->proc_byte_continue_tx = v[2];
	flags->proc_byte_continue_rx = v[3];
	*pos = p;
	return TRUE;
}

/* a TpduModemToCard or TpduCardToModem in minimal DER, or NULL */
static RemsimRsproMsg *
remsim_rspro_decode_direct (const guint8 *buf, gsize len)
{
	g_autoptr (RemsimRsproMsg) msg = NULL;
	RemsimClientSlot client_slot;
	RemsimBankSlot bank_slot;
	RemsimTpduFlags flags;
	RemsimRsproType type;
	guint32 version;
	guint32 tag;
	gsize pos = 0;
	gsize n;
	gsize end;
	gboolean ok;

	/* RsproPDU, exactly the whole buffer */
	if (!remsim_der_get_header (buf, &pos, len, 0x30, &n) || pos + n != len ||
	    !remsim_der_get_uint (buf, &pos, len, 0x80, &version) ||
	    !remsim_der_get_uint (buf, &pos, len, 0x81, &tag) ||
	    !remsim_der_get_header (buf, &pos, len, 0xa2, &n) || pos + n != len)
		return NULL;

	/* the alternative fills msg [2] */
	if (pos >= len)
		return NULL;
	if (buf[pos] == 0xac)
		type = REMSIM_RSPRO_TPDU_MODEM_TO_CARD;
	else if (buf[pos] == 0xad)
		type = REMSIM_RSPRO_TPDU_CARD_TO_MODEM;
	else
		return NULL;
	if (!remsim_der_get_header (buf, &pos, len, buf[pos], &n) || pos + n != len)
		return NULL;
	end = len;

	if (type == REMSIM_RSPRO_TPDU_MODEM_TO_CARD)
		ok = remsim_der_get_slot (
			 buf, &pos, end, &client_slot.client_id, &client_slot.slot_nr) &&
		     remsim_der_get_slot (buf, &pos, end, &bank_slot.bank_id, &bank_slot.slot_nr);
	else
		ok = remsim_der_get_slot (buf, &pos, end, &bank_slot.bank_id, &bank_slot.slot_nr) &&
		     remsim_der_get_slot (
			 buf, &pos, end, &client_slot.client_id, &client_slot.slot_nr);
	if (!ok || !remsim_der_get_flags (buf, &pos, end, &flags) ||
	    !remsim_der_get_header (buf, &pos, end, 0x04, &n) || pos + n != end)
		return NULL;

	msg = remsim_rspro_msg_new (type);
	msg->version = version;
	msg->tag = tag;
	msg->has_client_slot = TRUE;
	msg->client_slot = client_slot;
	msg->has_bank_slot = TRUE;
	msg->bank_slot = bank_slot;
	msg->flags = flags;
	msg->data = n > 0 ? g_bytes_new (buf + pos, n) : g_bytes_new (NULL, 0);
	return g_steal_pointer (&msg);
}

RemsimRsproMsg *
remsim_rspro_decode_generic (const guint8 *buf, gsize len, GError **error)
{
	/* never NULL: that would turn asn1c's stack check on */
	asn_codec_ctx_t ctx = {.max_stack_size = 0};
	g_autoptr (RsproPDU_t) pdu = NULL;
	g_autoptr (RemsimRsproMsg) msg = NULL;
	void *structure = NULL;
	asn_dec_rval_t rv;

	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (buf == NULL || len == 0) {
		g_set_error_literal (error, REMSIM_ERROR, REMSIM_ERROR_PROTOCOL, "empty RSPRO PDU");
		return NULL;
	}
	if (!remsim_rspro_check_tlv (buf, len, error))
		return NULL;

	rv = ber_decode (&ctx, &asn_DEF_RsproPDU, &structure, buf, len);
	pdu = structure;
	if (rv.code != RC_OK) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_PROTOCOL,
			     "%s RSPRO PDU (%" G_GSIZE_FORMAT " bytes)",
			     rv.code == RC_WMORE ? "truncated" : "malformed",
			     len);
		return NULL;
	}
	if (rv.consumed != len) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_PROTOCOL,
			     "%" G_GSIZE_FORMAT " bytes after the RSPRO PDU",
			     len - rv.consumed);
		return NULL;
	}

	msg = remsim_rspro_msg_new (REMSIM_RSPRO_UNKNOWN);
	if (!remsim_rspro_get_u32 (pdu->version, &msg->version, "version", error) ||
	    !remsim_rspro_get_u32 (pdu->tag, &msg->tag, "tag", error) ||
	    !remsim_rspro_get_msg (msg, &pdu->msg, error)) {
		g_prefix_error (error, "bad RSPRO PDU: ");
		return NULL;
	}
	return g_steal_pointer (&msg);
}

RemsimRsproMsg *
remsim_rspro_decode (const guint8 *buf, gsize len, GError **error)
{
	RemsimRsproMsg *msg;

	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (buf != NULL && len > 0) {
		msg = remsim_rspro_decode_direct (buf, len);
		if (msg != NULL)
			return msg;
	}
	return remsim_rspro_decode_generic (buf, len, error);
}
