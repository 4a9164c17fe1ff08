/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define REMSIM_TYPE_SIMCARD (remsim_simcard_get_type ())
G_DECLARE_FINAL_TYPE (RemsimSimcard, remsim_simcard, REMSIM, SIMCARD, GObject)

/**
 * REMSIM_SIMCARD_PROFILE_ENV:
 *
 * Environment variable naming a profile keyfile that replaces the built-in
 * default profile (used by remsim-simcard when no --profile is given).
 */
#define REMSIM_SIMCARD_PROFILE_ENV "REMSIM_SIMCARD_PROFILE"

#define REMSIM_SIMCARD_ERROR (remsim_simcard_error_quark ())
GQuark remsim_simcard_error_quark (void);

typedef enum {
	REMSIM_SIMCARD_ERROR_INVALID_PROFILE,
} RemsimSimcardError;

RemsimSimcard *remsim_simcard_new_from_data (const gchar *data,
					     gssize length,
					     const gchar *origin,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;
RemsimSimcard *remsim_simcard_new_from_file (const gchar *path,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;
RemsimSimcard *remsim_simcard_new_default (GError **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes *remsim_simcard_get_default_profile (void);

GBytes *remsim_simcard_get_atr (RemsimSimcard *self);
GBytes *remsim_simcard_power_on (RemsimSimcard *self);
GBytes *remsim_simcard_reset (RemsimSimcard *self);
void remsim_simcard_power_off (RemsimSimcard *self);
gboolean remsim_simcard_is_powered (RemsimSimcard *self);

/* the largest response: 256 bytes of data + SW1 SW2 */
#define REMSIM_SIMCARD_MAX_RESPONSE 258

GBytes *remsim_simcard_process (RemsimSimcard *self, const guint8 *apdu, gsize len);
gsize remsim_simcard_process_into (
    RemsimSimcard *self, const guint8 *apdu, gsize len, guint8 *out, gsize out_size);

/* the test algorithm, exposed for tests and for tools that need the
 * network side of a vector (TS 34.108 8.1.2, TS 33.102 6.8.1.2) */
void remsim_simcard_xor_3g (const guint8 k[16],
			    const guint8 rand[16],
			    gsize res_len,
			    guint8 *res,
			    guint8 ck[16],
			    guint8 ik[16],
			    guint8 ak[6]);
void remsim_simcard_c2 (const guint8 *res, gsize res_len, guint8 sres[4]);
void remsim_simcard_c3 (const guint8 ck[16], const guint8 ik[16], guint8 kc[8]);
/* appends the bytes of @str, hex digits with optional white space and ':'
 * between them, to @out; FALSE for anything else or an odd digit count */
gboolean remsim_simcard_parse_hex (const gchar *str, GByteArray *out) G_GNUC_WARN_UNUSED_RESULT;

void remsim_simcard_xor_autn (const guint8 k[16],
			      const guint8 rand[16],
			      const guint8 sqn[6],
			      const guint8 amf[2],
			      guint8 autn[16]);

G_END_DECLS
