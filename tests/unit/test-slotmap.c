/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "core/remsim-slotmap.h"

static void
test_slotmap_new (void)
{
	RemsimBankSlot bank = {.bank_id = 1, .slot_nr = 2};
	RemsimClientSlot client = {.client_id = 3, .slot_nr = 4};
	g_autoptr (RemsimSlotmap) map = remsim_slotmap_new (&bank, &client);
	g_autofree gchar *str = remsim_slotmap_to_string (map);
	RemsimBankSlot *bank_prop = NULL;
	RemsimClientSlot *client_prop = NULL;
	guint id = 0;

	/* copies, not references to the caller's values */
	bank.slot_nr = 7;
	client.slot_nr = 7;
	g_assert_cmpuint (remsim_slotmap_get_bank (map)->bank_id, ==, 1);
	g_assert_cmpuint (remsim_slotmap_get_bank (map)->slot_nr, ==, 2);
	g_assert_cmpuint (remsim_slotmap_get_client (map)->client_id, ==, 3);
	g_assert_cmpuint (remsim_slotmap_get_client (map)->slot_nr, ==, 4);
	g_assert_cmpint (remsim_slotmap_get_state (map), ==, REMSIM_SLOTMAP_STATE_NEW);
	g_assert_cmpstr (str, ==, "B1:2 <-> C3:4");

	g_object_get (map, "bank", &bank_prop, "client", &client_prop, "id", &id, NULL);
	g_assert_cmpuint (bank_prop->bank_id, ==, 1);
	g_assert_cmpuint (bank_prop->slot_nr, ==, 2);
	g_assert_cmpuint (client_prop->client_id, ==, 3);
	g_assert_cmpuint (id, ==, 65538);
	remsim_bank_slot_free (bank_prop);
	remsim_client_slot_free (client_prop);
}

static void
test_slotmap_id (void)
{
	struct {
		guint32 bank_id;
		guint32 slot_nr;
		guint32 id;
	} cases[] = {
	    {0, 0, 0},
	    {1, 2, 65538},
	    {1, 1, 65537},
	    {0, 1023, 1023},
	    {1023, 1023, 1023 * 65536 + 1023},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		RemsimBankSlot bank = {.bank_id = cases[i].bank_id, .slot_nr = cases[i].slot_nr};
		RemsimClientSlot client = {.client_id = 9, .slot_nr = 9};
		g_autoptr (RemsimSlotmap) map = remsim_slotmap_new (&bank, &client);
		g_assert_cmpuint (remsim_slotmap_get_id (map), ==, cases[i].id);
	}
}

static void
test_slotmap_state_names (void)
{
	g_assert_cmpstr (remsim_slotmap_state_to_string (REMSIM_SLOTMAP_STATE_NEW), ==, "NEW");
	g_assert_cmpstr (remsim_slotmap_state_to_string (REMSIM_SLOTMAP_STATE_UNACKNOWLEDGED),
			 ==,
			 "UNACKNOWLEDGED");
	g_assert_cmpstr (
	    remsim_slotmap_state_to_string (REMSIM_SLOTMAP_STATE_ACTIVE), ==, "ACTIVE");
	g_assert_cmpstr (
	    remsim_slotmap_state_to_string (REMSIM_SLOTMAP_STATE_DELETE_REQ), ==, "DELETE_REQ");
	g_assert_cmpstr (
	    remsim_slotmap_state_to_string (REMSIM_SLOTMAP_STATE_DELETING), ==, "DELETING");
}

static void
test_slotmap_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
	guint *count = user_data;

	g_assert_cmpstr (g_param_spec_get_name (pspec), ==, "state");
	(*count)++;
}

static void
test_slotmap_state_notify (void)
{
	RemsimBankSlot bank = {.bank_id = 1, .slot_nr = 2};
	RemsimClientSlot client = {.client_id = 3, .slot_nr = 4};
	g_autoptr (RemsimSlotmap) map = remsim_slotmap_new (&bank, &client);
	GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (map), "state");
	guint count = 0;
	gint state = -1;

	g_assert_nonnull (pspec);
	g_assert_true ((pspec->flags & G_PARAM_EXPLICIT_NOTIFY) != 0);
	g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));

	g_signal_connect (map, "notify", G_CALLBACK (test_slotmap_notify_cb), &count);

	/* no change, no notification */
	remsim_slotmap_set_state (map, REMSIM_SLOTMAP_STATE_NEW);
	g_assert_cmpuint (count, ==, 0);

	remsim_slotmap_set_state (map, REMSIM_SLOTMAP_STATE_UNACKNOWLEDGED);
	g_assert_cmpuint (count, ==, 1);
	remsim_slotmap_set_state (map, REMSIM_SLOTMAP_STATE_UNACKNOWLEDGED);
	g_assert_cmpuint (count, ==, 1);
	remsim_slotmap_set_state (map, REMSIM_SLOTMAP_STATE_ACTIVE);
	g_assert_cmpuint (count, ==, 2);
	g_assert_cmpint (remsim_slotmap_get_state (map), ==, REMSIM_SLOTMAP_STATE_ACTIVE);

	/* through the property too */
	g_object_set (map, "state", REMSIM_SLOTMAP_STATE_ACTIVE, NULL);
	g_assert_cmpuint (count, ==, 2);
	g_object_set (map, "state", REMSIM_SLOTMAP_STATE_DELETE_REQ, NULL);
	g_assert_cmpuint (count, ==, 3);
	g_object_get (map, "state", &state, NULL);
	g_assert_cmpint (state, ==, REMSIM_SLOTMAP_STATE_DELETE_REQ);

	/* the enum nick is the state name */
	{
		GEnumClass *klass = g_type_class_ref (pspec->value_type);
		GEnumValue *v = g_enum_get_value (klass, REMSIM_SLOTMAP_STATE_DELETING);
		g_assert_cmpstr (v->value_nick, ==, "DELETING");
		g_type_class_unref (klass);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/remsim/slotmap/new", test_slotmap_new);
	g_test_add_func ("/remsim/slotmap/id", test_slotmap_id);
	g_test_add_func ("/remsim/slotmap/state-names", test_slotmap_state_names);
	g_test_add_func ("/remsim/slotmap/state-notify", test_slotmap_state_notify);
	return g_test_run ();
}
