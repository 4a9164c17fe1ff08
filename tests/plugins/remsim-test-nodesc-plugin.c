/* SPDX-License-Identifier: GPL-2.0-or-later */
/* a loadable module that exports something, but no remsim_plugin_desc */
#include "config.h"

#include <gmodule.h>

G_MODULE_EXPORT int remsim_test_nodesc_value (void);

G_MODULE_EXPORT int
remsim_test_nodesc_value (void)
{
	return 42;
}
