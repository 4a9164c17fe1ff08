/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-slotmap.h"

struct _RemsimSlotmap {
	GObject parent_instance;
	RemsimBankSlot bank;
	RemsimClientSlot client;
	RemsimSlotmapState state;
};

G_DEFINE_FINAL_TYPE (RemsimSlotmap, remsim_slotmap, G_TYPE_OBJECT)

enum {
	PROP_0,
	PROP_BANK,
	PROP_CLIENT,
	PROP_ID,
	PROP_STATE,
	N_PROPS,
};

static GParamSpec *remsim_slotmap_props[N_PROPS] = {NULL};

/* upstream's names (osmo-remsim src/slotmap.c) */
static const GEnumValue remsim_slotmap_state_values[] = {
    {REMSIM_SLOTMAP_STATE_NEW, "REMSIM_SLOTMAP_STATE_NEW", "NEW"},
    {REMSIM_SLOTMAP_STATE_UNACKNOWLEDGED, "REMSIM_SLOTMAP_STATE_UNACKNOWLEDGED", "UNACKNOWLEDGED"},
    {REMSIM_SLOTMAP_STATE_ACTIVE, "REMSIM_SLOTMAP_STATE_ACTIVE", "ACTIVE"},
    {REMSIM_SLOTMAP_STATE_DELETE_REQ, "REMSIM_SLOTMAP_STATE_DELETE_REQ", "DELETE_REQ"},
    {REMSIM_SLOTMAP_STATE_DELETING, "REMSIM_SLOTMAP_STATE_DELETING", "DELETING"},
    {0, NULL, NULL},
};

/* the GType of the "state" property; not in the header, the value nicks
 * are the state names */
static GType
remsim_slotmap_state_get_type (void)
{
	static gsize type_id = 0;

	if (g_once_init_enter (&type_id)) {
		GType t =
		    g_enum_register_static ("RemsimSlotmapState", remsim_slotmap_state_values);
		g_once_init_leave (&type_id, t);
	}
	return type_id;
}

const gchar *
remsim_slotmap_state_to_string (RemsimSlotmapState state)
{
	for (guint i = 0; remsim_slotmap_state_values[i].value_nick != NULL; i++) {
		if ((RemsimSlotmapState)remsim_slotmap_state_values[i].value == state)
			return remsim_slotmap_state_values[i].value_nick;
	}
	return "UNKNOWN";
}

static void
remsim_slotmap_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	RemsimSlotmap *self = REMSIM_SLOTMAP (object);

	switch (prop_id) {
	case PROP_BANK:
		g_value_set_boxed (value, &self->bank);
		break;
	case PROP_CLIENT:
		g_value_set_boxed (value, &self->client);
		break;
	case PROP_ID:
		g_value_set_uint (value, remsim_slotmap_get_id (self));
		break;
	case PROP_STATE:
		g_value_set_enum (value, self->state);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
remsim_slotmap_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
	RemsimSlotmap *self = REMSIM_SLOTMAP (object);

	switch (prop_id) {
	case PROP_BANK: {
		const RemsimBankSlot *bank = g_value_get_boxed (value);
		if (bank != NULL)
			self->bank = *bank;
		break;
	}
	case PROP_CLIENT: {
		const RemsimClientSlot *client = g_value_get_boxed (value);
		if (client != NULL)
			self->client = *client;
		break;
	}
	case PROP_STATE:
		remsim_slotmap_set_state (self, g_value_get_enum (value));
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
remsim_slotmap_class_init (RemsimSlotmapClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->get_property = remsim_slotmap_get_property;
	object_class->set_property = remsim_slotmap_set_property;

	/**
	 * RemsimSlotmap:bank:
	 * The bank slot, set at construction.
	 */
	remsim_slotmap_props[PROP_BANK] = g_param_spec_boxed (
	    "bank",
	    NULL,
	    NULL,
	    REMSIM_TYPE_BANK_SLOT,
	    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
	/**
	 * RemsimSlotmap:client:
	 * The client slot, set at construction.
	 */
	remsim_slotmap_props[PROP_CLIENT] = g_param_spec_boxed (
	    "client",
	    NULL,
	    NULL,
	    REMSIM_TYPE_CLIENT_SLOT,
	    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
	/**
	 * RemsimSlotmap:id:
	 * bank_id * 65536 + slot_nr.
	 */
	remsim_slotmap_props[PROP_ID] = g_param_spec_uint (
	    "id", NULL, NULL, 0, G_MAXUINT32, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	/**
	 * RemsimSlotmap:state:
	 * The server's view of the mapping; notified only on a real change.
	 */
	remsim_slotmap_props[PROP_STATE] = g_param_spec_enum (
	    "state",
	    NULL,
	    NULL,
	    remsim_slotmap_state_get_type (),
	    REMSIM_SLOTMAP_STATE_NEW,
	    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

	g_object_class_install_properties (object_class, N_PROPS, remsim_slotmap_props);
}

static void
remsim_slotmap_init (RemsimSlotmap *self)
{
	self->state = REMSIM_SLOTMAP_STATE_NEW;
}

/**
 * remsim_slotmap_new:
 * @bank: the bank slot
 * @client: the client slot
 *
 * Returns: (transfer full): a new map in state NEW
 * Since: 0.1
 */
RemsimSlotmap *
remsim_slotmap_new (const RemsimBankSlot *bank, const RemsimClientSlot *client)
{
	g_return_val_if_fail (bank != NULL, NULL);
	g_return_val_if_fail (client != NULL, NULL);

	return g_object_new (REMSIM_TYPE_SLOTMAP, "bank", bank, "client", client, NULL);
}

const RemsimBankSlot *
remsim_slotmap_get_bank (RemsimSlotmap *self)
{
	g_return_val_if_fail (REMSIM_IS_SLOTMAP (self), NULL);
	return &self->bank;
}

const RemsimClientSlot *
remsim_slotmap_get_client (RemsimSlotmap *self)
{
	g_return_val_if_fail (REMSIM_IS_SLOTMAP (self), NULL);
	return &self->client;
}

guint32
remsim_slotmap_get_id (RemsimSlotmap *self)
{
	g_return_val_if_fail (REMSIM_IS_SLOTMAP (self), 0);
	return self->bank.bank_id * 65536 + self->bank.slot_nr;
}

RemsimSlotmapState
remsim_slotmap_get_state (RemsimSlotmap *self)
{
	g_return_val_if_fail (REMSIM_IS_SLOTMAP (self), REMSIM_SLOTMAP_STATE_NEW);
	return self->state;
}

void
remsim_slotmap_set_state (RemsimSlotmap *self, RemsimSlotmapState state)
{
	g_return_if_fail (REMSIM_IS_SLOTMAP (self));
	g_return_if_fail (state <= REMSIM_SLOTMAP_STATE_DELETING);

	if (self->state == state)
		return;
	g_debug ("B%u:%u: slotmap %s -> %s",
		 self->bank.bank_id,
		 self->bank.slot_nr,
		 remsim_slotmap_state_to_string (self->state),
		 remsim_slotmap_state_to_string (state));
	self->state = state;
	g_object_notify_by_pspec (G_OBJECT (self), remsim_slotmap_props[PROP_STATE]);
}

gchar *
remsim_slotmap_to_string (RemsimSlotmap *self)
{
	g_autofree gchar *bank = NULL;
	g_autofree gchar *client = NULL;

	g_return_val_if_fail (REMSIM_IS_SLOTMAP (self), NULL);

	bank = remsim_bank_slot_to_string (&self->bank);
	client = remsim_client_slot_to_string (&self->client);
	return g_strdup_printf ("%s <-> %s", bank, client);
}
