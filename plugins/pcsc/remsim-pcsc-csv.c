/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bankd_pcsc_slots.csv reader: a small CSV tokenizer (RFC 4180 quoting,
 * lenient about blanks and line ends as common CSV libraries are) and the
 * checks osmo-remsim's file format needs.
 */
#include "config.h"

#include <regex.h>
#include <string.h>

#include "remsim-config.h"
#include "remsim-pcsc-csv.h"

typedef struct {
	guint bank_id;
	guint slot;
	gchar *regex;
	guint line;
} RemsimPcscCsvRow;

struct _RemsimPcscCsv {
	gchar *filename;
	GArray *rows; /* of RemsimPcscCsvRow */
};

#define REMSIM_PCSC_CSV_MAX_NUMBER 65535

static void
remsim_pcsc_csv_row_clear (gpointer data)
{
	RemsimPcscCsvRow *row = data;

	g_free (row->regex);
}

void
remsim_pcsc_csv_free (RemsimPcscCsv *self)
{
	if (self == NULL)
		return;
	g_array_unref (self->rows);
	g_free (self->filename);
	g_free (self);
}

static gboolean
remsim_pcsc_csv_is_blank (gchar c)
{
	return c == ' ' || c == '\t';
}

static gboolean
remsim_pcsc_csv_is_eol (gchar c)
{
	return c == '\n' || c == '\r';
}

typedef struct {
	const gchar *data;
	gsize len;
	gsize pos;
	guint line;
	const gchar *filename;
} RemsimPcscCsvLexer;

/* consumes one line end (LF, CRLF or CR) at the current position */
static void
remsim_pcsc_csv_lexer_eat_eol (RemsimPcscCsvLexer *lx)
{
	if (lx->pos < lx->len && lx->data[lx->pos] == '\r')
		lx->pos++;
	if (lx->pos < lx->len && lx->data[lx->pos] == '\n')
		lx->pos++;
	lx->line++;
}

/* one field; *@quoted says whether it was quoted (to tell an empty line
 * from a row with one empty quoted field) */
static gchar *
remsim_pcsc_csv_lexer_field (RemsimPcscCsvLexer *lx, gboolean *quoted, GError **error)
{
	g_autoptr (GString) buf = g_string_new (NULL);
	guint start_line = lx->line;

	while (lx->pos < lx->len && remsim_pcsc_csv_is_blank (lx->data[lx->pos]))
		lx->pos++;
	*quoted = lx->pos < lx->len && lx->data[lx->pos] == '"';
	if (!*quoted) {
		while (lx->pos < lx->len && lx->data[lx->pos] != ',' &&
		       !remsim_pcsc_csv_is_eol (lx->data[lx->pos]))
			g_string_append_c (buf, lx->data[lx->pos++]);
		while (buf->len > 0 && remsim_pcsc_csv_is_blank (buf->str[buf->len - 1]))
			g_string_truncate (buf, buf->len - 1);
		return g_string_free (g_steal_pointer (&buf), FALSE);
	}

	lx->pos++;
	for (;;) {
		gchar c;

		if (lx->pos >= lx->len) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "%s:%u: quoted field is not closed",
				     lx->filename,
				     start_line);
			return NULL;
		}
		c = lx->data[lx->pos];
		if (c == '"') {
			if (lx->pos + 1 < lx->len && lx->data[lx->pos + 1] == '"') {
				g_string_append_c (buf, '"');
				lx->pos += 2;
				continue;
			}
			lx->pos++;
			break;
		}
		/* a line end inside quotes belongs to the field */
		if (c == '\n' ||
		    (c == '\r' && (lx->pos + 1 >= lx->len || lx->data[lx->pos + 1] != '\n')))
			lx->line++;
		g_string_append_c (buf, c);
		lx->pos++;
	}
	while (lx->pos < lx->len && remsim_pcsc_csv_is_blank (lx->data[lx->pos]))
		lx->pos++;
	if (lx->pos < lx->len && lx->data[lx->pos] != ',' &&
	    !remsim_pcsc_csv_is_eol (lx->data[lx->pos])) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "%s:%u: expected ',' or the end of the line after a quoted field, "
			     "got '%c'",
			     lx->filename,
			     lx->line,
			     lx->data[lx->pos]);
		return NULL;
	}
	return g_string_free (g_steal_pointer (&buf), FALSE);
}

/* one row of fields, or an empty array for an empty line */
static GPtrArray *
remsim_pcsc_csv_lexer_row (RemsimPcscCsvLexer *lx, GError **error)
{
	g_autoptr (GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
	gboolean any_quoted = FALSE;

	for (;;) {
		gboolean quoted = FALSE;
		gchar *field = remsim_pcsc_csv_lexer_field (lx, &quoted, error);

		if (field == NULL)
			return NULL;
		any_quoted |= quoted;
		g_ptr_array_add (fields, field);
		if (lx->pos < lx->len && lx->data[lx->pos] == ',') {
			lx->pos++;
			continue;
		}
		remsim_pcsc_csv_lexer_eat_eol (lx);
		break;
	}
	if (fields->len == 1 && !any_quoted && ((gchar *)fields->pdata[0])[0] == '\0')
		g_ptr_array_set_size (fields, 0);
	return g_steal_pointer (&fields);
}

static gboolean
remsim_pcsc_csv_parse_number (const gchar *field,
			      const gchar *what,
			      const gchar *filename,
			      guint line,
			      guint *out,
			      GError **error)
{
	guint64 v = 0;

	if (!g_ascii_string_to_unsigned (field, 10, 0, REMSIM_PCSC_CSV_MAX_NUMBER, &v, NULL)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "%s:%u: expected a %s (0..%u), got \"%s\"",
			     filename,
			     line,
			     what,
			     (guint)REMSIM_PCSC_CSV_MAX_NUMBER,
			     field);
		return FALSE;
	}
	*out = (guint)v;
	return TRUE;
}

static gboolean
remsim_pcsc_csv_check_regex (const gchar *pattern,
			     const gchar *filename,
			     guint line,
			     GError **error)
{
	regex_t re;
	int rc = regcomp (&re, pattern, REG_EXTENDED | REG_NOSUB);

	if (rc != 0) {
		gchar msg[256];

		regerror (rc, &re, msg, sizeof (msg));
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "%s:%u: invalid reader regular expression \"%s\": %s",
			     filename,
			     line,
			     pattern,
			     msg);
		return FALSE;
	}
	regfree (&re);
	return TRUE;
}

RemsimPcscCsv *
remsim_pcsc_csv_parse (const gchar *data, gsize len, const gchar *filename, GError **error)
{
	g_autoptr (RemsimPcscCsv) self = g_new0 (RemsimPcscCsv, 1);
	RemsimPcscCsvLexer lx = {data, len, 0, 1, NULL};

	g_return_val_if_fail (data != NULL || len == 0, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	self->filename = g_strdup (filename != NULL ? filename : "<csv>");
	self->rows = g_array_new (FALSE, FALSE, sizeof (RemsimPcscCsvRow));
	g_array_set_clear_func (self->rows, remsim_pcsc_csv_row_clear);
	lx.filename = self->filename;

	if (len > 0 && memchr (data, '\0', len) != NULL) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "%s: not a text file (contains a NUL byte)",
			     self->filename);
		return NULL;
	}
	/* a UTF-8 byte order mark, as some editors write */
	if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
		lx.pos = 3;

	while (lx.pos < lx.len) {
		guint line = lx.line;
		g_autoptr (GPtrArray) fields = remsim_pcsc_csv_lexer_row (&lx, error);
		RemsimPcscCsvRow row = {0};

		if (fields == NULL)
			return NULL;
		if (fields->len == 0)
			continue;
		if (fields->len != 3) {
			g_set_error (
			    error,
			    REMSIM_CONFIG_ERROR,
			    REMSIM_CONFIG_ERROR_INVALID_VALUE,
			    "%s:%u: expected 3 fields (bank id, slot, reader regex), got %u",
			    self->filename,
			    line,
			    fields->len);
			return NULL;
		}
		if (!remsim_pcsc_csv_parse_number (
			fields->pdata[0], "bank id", self->filename, line, &row.bank_id, error))
			return NULL;
		if (!remsim_pcsc_csv_parse_number (
			fields->pdata[1], "slot number", self->filename, line, &row.slot, error))
			return NULL;
		if (!remsim_pcsc_csv_check_regex (fields->pdata[2], self->filename, line, error))
			return NULL;
		row.regex = g_strdup (fields->pdata[2]);
		row.line = line;
		g_array_append_val (self->rows, row);
	}
	return g_steal_pointer (&self);
}

RemsimPcscCsv *
remsim_pcsc_csv_load (const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	g_autoptr (GError) error_local = NULL;

	g_return_val_if_fail (path != NULL, NULL);

	if (!g_file_get_contents (path, &contents, &len, &error_local)) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_FILE,
			     "%s: cannot read the reader table: %s",
			     path,
			     error_local->message);
		return NULL;
	}
	return remsim_pcsc_csv_parse (contents, len, path, error);
}

guint
remsim_pcsc_csv_get_n_rows (RemsimPcscCsv *self)
{
	g_return_val_if_fail (self != NULL, 0);
	return self->rows->len;
}

const gchar *
remsim_pcsc_csv_get_filename (RemsimPcscCsv *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return self->filename;
}

const gchar *
remsim_pcsc_csv_lookup (RemsimPcscCsv *self, guint bank_id, guint slot, guint *line)
{
	g_return_val_if_fail (self != NULL, NULL);

	for (guint i = 0; i < self->rows->len; i++) {
		RemsimPcscCsvRow *row = &g_array_index (self->rows, RemsimPcscCsvRow, i);

		if (row->bank_id == bank_id && row->slot == slot) {
			if (line != NULL)
				*line = row->line;
			return row->regex;
		}
	}
	return NULL;
}
