/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Broken-on-purpose plugins for the loader's error paths, one per
 * REMSIM_TEST_VARIANT (set by meson.build):
 *   1 badname   descriptor calls itself "someone-else"
 *   2 initfail  init returns an error
 *   3 empty     registers no type
 *   4 badtype   registers a type that is no card source
 *   5 newminor  built for a newer minor ABI than the core's
 *   6 badabi    built for ABI 99.0
 * Variants that must never run their init abort() in it.
 */
#include "config.h"

#include <stdlib.h>

#include "remsim-plugin-api.h"

#if REMSIM_TEST_VARIANT == 1

static gboolean
remsim_test_variant_plugin_init (RemsimPlugin *plugin, GError **error)
{
	abort ();
}
REMSIM_PLUGIN_DEFINE_NAMED ("someone-else", "wrong name", remsim_test_variant_plugin_init)

#elif REMSIM_TEST_VARIANT == 2

static gboolean
remsim_test_variant_plugin_init (RemsimPlugin *plugin, GError **error)
{
	g_set_error_literal (error, REMSIM_ERROR, REMSIM_ERROR_NOT_FOUND, "no hardware here");
	return FALSE;
}
REMSIM_PLUGIN_DEFINE (initfail, "init fails", remsim_test_variant_plugin_init)

#elif REMSIM_TEST_VARIANT == 3

static gboolean
remsim_test_variant_plugin_init (RemsimPlugin *plugin, GError **error)
{
	return TRUE;
}
REMSIM_PLUGIN_DEFINE (empty, "registers nothing", remsim_test_variant_plugin_init)

#elif REMSIM_TEST_VARIANT == 4

static gboolean
remsim_test_variant_plugin_init (RemsimPlugin *plugin, GError **error)
{
	remsim_plugin_add_card_source (plugin, G_TYPE_OBJECT);
	return TRUE;
}
REMSIM_PLUGIN_DEFINE (badtype, "registers a plain GObject", remsim_test_variant_plugin_init)

#elif REMSIM_TEST_VARIANT == 5 || REMSIM_TEST_VARIANT == 6

static gboolean
remsim_test_variant_plugin_init (RemsimPlugin *plugin, GError **error)
{
	abort ();
}

G_MODULE_EXPORT extern const RemsimPluginDesc remsim_plugin_desc;
#if REMSIM_TEST_VARIANT == 5
G_MODULE_EXPORT const RemsimPluginDesc remsim_plugin_desc = {
    REMSIM_PLUGIN_ABI_MAJOR,
    REMSIM_PLUGIN_ABI_MINOR + 1,
    "newminor",
    "built for a newer core",
    remsim_test_variant_plugin_init,
    {NULL},
};
#else
G_MODULE_EXPORT const RemsimPluginDesc remsim_plugin_desc = {
    99,
    0,
    "badabi",
    "built for ABI 99",
    remsim_test_variant_plugin_init,
    {NULL},
};
#endif

#else
#error "unknown REMSIM_TEST_VARIANT"
#endif
