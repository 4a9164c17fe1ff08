/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_ERROR (remsim_error_quark ())

/**
 * RemsimError:
 * Core error codes. Registered as D-Bus errors `org.remsim.Error.<Name>`.
 */
typedef enum {
	REMSIM_ERROR_FAILED,
	REMSIM_ERROR_INVALID_ARGUMENT,
	REMSIM_ERROR_NOT_FOUND,
	REMSIM_ERROR_EXISTS,
	REMSIM_ERROR_BUSY,
	REMSIM_ERROR_TIMED_OUT,
	REMSIM_ERROR_NOT_SUPPORTED,
	REMSIM_ERROR_CARD_ABSENT,
	REMSIM_ERROR_PEER_CLOSED,
	REMSIM_ERROR_PROTOCOL,
	REMSIM_ERROR_SLOT_IN_USE,
	REMSIM_ERROR_LAST
} RemsimError;

GQuark
remsim_error_quark (void);

G_END_DECLS
