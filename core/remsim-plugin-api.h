/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one header a remsim plugin includes: the card source and sink
 * interfaces, the plugin descriptor and registration, errors, slot types and
 * configuration error codes. See docs/writing-a-plugin.md.
 */

#include <gio/gio.h>
#include <gmodule.h>

#include "remsim-card-sink.h"
#include "remsim-card-source.h"
#include "remsim-config.h"
#include "remsim-error.h"
#include "remsim-plugin.h"
#include "remsim-slot.h"
