/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replay driver for the fuzz targets when not built with libFuzzer: runs
 * LLVMFuzzerTestOneInput() once on every file named on the command line or
 * found (non-recursively) in a directory named there.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
remsim_fuzz_run_file (const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	gsize len = 0;

	if (!g_file_get_contents (path, &contents, &len, error))
		return FALSE;
	/* a heap copy of the exact size, so ASan catches reads past the end */
	{
		g_autofree guint8 *copy = g_memdup2 (contents, len);
		LLVMFuzzerTestOneInput (copy, len);
	}
	return TRUE;
}

static gboolean
remsim_fuzz_run_path (const gchar *path, guint *count, GError **error)
{
	g_autoptr (GDir) dir = NULL;
	const gchar *name;

	if (!g_file_test (path, G_FILE_TEST_IS_DIR)) {
		if (!remsim_fuzz_run_file (path, error))
			return FALSE;
		(*count)++;
		return TRUE;
	}
	dir = g_dir_open (path, 0, error);
	if (dir == NULL)
		return FALSE;
	while ((name = g_dir_read_name (dir)) != NULL) {
		g_autofree gchar *file = g_build_filename (path, name, NULL);
		if (!g_file_test (file, G_FILE_TEST_IS_REGULAR))
			continue;
		if (!remsim_fuzz_run_file (file, error))
			return FALSE;
		(*count)++;
	}
	return TRUE;
}

int
main (int argc, char **argv)
{
	guint count = 0;

	if (argc < 2) {
		g_printerr ("usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (gint i = 1; i < argc; i++) {
		g_autoptr (GError) error = NULL;
		/* libFuzzer options are accepted and ignored */
		if (argv[i][0] == '-')
			continue;
		if (!remsim_fuzz_run_path (argv[i], &count, &error)) {
			g_printerr ("%s: %s\n", argv[0], error->message);
			return 1;
		}
	}
	g_print ("%s: ran %u inputs\n", argv[0], count);
	return count > 0 ? 0 : 1;
}
