/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * RemsimPcscCsv: osmo-remsim's bankd_pcsc_slots.csv, parsed and checked.
 *
 * One row per bank slot, three fields: bank id, slot number, reader-name
 * regular expression (POSIX extended, unanchored). Fields may be quoted
 * with '"', a doubled quote inside a quoted field is one quote; blanks and
 * tabs around a field are dropped; lines end with LF, CRLF or CR; empty
 * lines are skipped. A row with another number of fields, a number that is
 * not one, or a regex that does not compile makes the whole file invalid
 * (REMSIM_CONFIG_ERROR_INVALID_VALUE, the message names file and line).
 * Pure: no I/O but remsim_pcsc_csv_load(), no global state.
 */
typedef struct _RemsimPcscCsv RemsimPcscCsv;

RemsimPcscCsv *remsim_pcsc_csv_parse (const gchar *data,
				      gsize len,
				      const gchar *filename,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
RemsimPcscCsv *remsim_pcsc_csv_load (const gchar *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void remsim_pcsc_csv_free (RemsimPcscCsv *self);

guint remsim_pcsc_csv_get_n_rows (RemsimPcscCsv *self);
const gchar *remsim_pcsc_csv_get_filename (RemsimPcscCsv *self);
/* the regex of the first row for (@bank_id, @slot), or NULL; @line (may be
 * NULL) gets its line number */
const gchar *remsim_pcsc_csv_lookup (RemsimPcscCsv *self, guint bank_id, guint slot, guint *line);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimPcscCsv, remsim_pcsc_csv_free)

G_END_DECLS
