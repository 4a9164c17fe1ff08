/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "core/remsim-slot.h"

static void
test_client_slot (void)
{
	RemsimClientSlot a = {.client_id = 23, .slot_nr = 0};
	RemsimClientSlot b = {.client_id = 23, .slot_nr = 0};
	RemsimClientSlot c = {.client_id = 23, .slot_nr = 1};
	RemsimClientSlot d = {.client_id = 0, .slot_nr = 23};
	g_autoptr (RemsimClientSlot) copy = NULL;
	g_autoptr (RemsimClientSlot) made = remsim_client_slot_new (1, 2);
	g_autofree gchar *str = remsim_client_slot_to_string (&a);

	g_assert_cmpstr (str, ==, "C23:0");
	g_assert_true (remsim_client_slot_equal (&a, &b));
	g_assert_false (remsim_client_slot_equal (&a, &c));
	g_assert_false (remsim_client_slot_equal (&a, &d));
	g_assert_cmpuint (remsim_client_slot_hash (&a), ==, remsim_client_slot_hash (&b));
	g_assert_cmpuint (made->client_id, ==, 1);
	g_assert_cmpuint (made->slot_nr, ==, 2);

	copy = remsim_client_slot_copy (&a);
	g_assert_true (copy != &a);
	g_assert_true (remsim_client_slot_equal (copy, &a));
	g_assert_true (G_TYPE_IS_BOXED (REMSIM_TYPE_CLIENT_SLOT));
}

static void
test_bank_slot (void)
{
	RemsimBankSlot a = {.bank_id = 1, .slot_nr = 5};
	RemsimBankSlot b = {.bank_id = 1, .slot_nr = 5};
	RemsimBankSlot c = {.bank_id = 2, .slot_nr = 5};
	g_autoptr (RemsimBankSlot) copy = remsim_bank_slot_copy (&a);
	g_autoptr (RemsimBankSlot) made = remsim_bank_slot_new (1023, 1023);
	g_autofree gchar *str = remsim_bank_slot_to_string (&a);
	g_autofree gchar *str_max = remsim_bank_slot_to_string (made);

	g_assert_cmpstr (str, ==, "B1:5");
	g_assert_cmpstr (str_max, ==, "B1023:1023");
	g_assert_true (remsim_bank_slot_equal (&a, &b));
	g_assert_false (remsim_bank_slot_equal (&a, &c));
	g_assert_cmpuint (remsim_bank_slot_hash (&a), ==, remsim_bank_slot_hash (&b));
	g_assert_true (remsim_bank_slot_equal (copy, &a));
	g_assert_true (G_TYPE_IS_BOXED (REMSIM_TYPE_BANK_SLOT));
}

static void
test_hash_table (void)
{
	g_autoptr (GHashTable) ht = g_hash_table_new_full (remsim_bank_slot_hash,
							   remsim_bank_slot_equal,
							   (GDestroyNotify)remsim_bank_slot_free,
							   NULL);

	for (guint b = 0; b < 8; b++) {
		for (guint s = 0; s < 8; s++)
			g_hash_table_add (ht, remsim_bank_slot_new (b, s));
	}
	g_assert_cmpuint (g_hash_table_size (ht), ==, 64);
	for (guint b = 0; b < 8; b++) {
		for (guint s = 0; s < 8; s++) {
			RemsimBankSlot key = {.bank_id = b, .slot_nr = s};
			g_assert_true (g_hash_table_contains (ht, &key));
		}
	}
	{
		RemsimBankSlot key = {.bank_id = 8, .slot_nr = 0};
		g_assert_false (g_hash_table_contains (ht, &key));
	}
}

static void
test_is_valid (void)
{
	RemsimClientSlot c_ok = {.client_id = 1023, .slot_nr = 1023};
	RemsimClientSlot c_zero = {.client_id = 0, .slot_nr = 0};
	RemsimClientSlot c_bad_id = {.client_id = 1024, .slot_nr = 0};
	RemsimClientSlot c_bad_slot = {.client_id = 0, .slot_nr = 1024};
	RemsimBankSlot b_ok = {.bank_id = 1023, .slot_nr = 1023};
	RemsimBankSlot b_bad_id = {.bank_id = 1024, .slot_nr = 0};
	RemsimBankSlot b_bad_slot = {.bank_id = 0, .slot_nr = G_MAXUINT32};

	g_assert_true (remsim_client_slot_is_valid (&c_ok));
	g_assert_true (remsim_client_slot_is_valid (&c_zero));
	g_assert_false (remsim_client_slot_is_valid (&c_bad_id));
	g_assert_false (remsim_client_slot_is_valid (&c_bad_slot));
	g_assert_true (remsim_bank_slot_is_valid (&b_ok));
	g_assert_false (remsim_bank_slot_is_valid (&b_bad_id));
	g_assert_false (remsim_bank_slot_is_valid (&b_bad_slot));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/remsim/slot/client", test_client_slot);
	g_test_add_func ("/remsim/slot/bank", test_bank_slot);
	g_test_add_func ("/remsim/slot/hash-table", test_hash_table);
	g_test_add_func ("/remsim/slot/is-valid", test_is_valid);
	return g_test_run ();
}
