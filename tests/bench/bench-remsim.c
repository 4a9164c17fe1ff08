/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-remsim: remsim-server + remsim-bankd + remsim-client on loopback
 * with the in-memory testcard (tests/plugins/), against the floor of two
 * plain loopback TCP hops measured in the same run. See README.md here.
 *
 * Latencies are measured inside the client process by the testcard sink
 * (CLOCK_MONOTONIC per command → response) and read back from its
 * stats-file; CPU, RSS and threads come from /proc/<pid>. The last line is
 * machine-readable.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "remsim-ipa.h"
#include "remsim-rspro.h"
#include "remsim-test-utils.h"

/* the script every sink plays: SELECT MF, READ BINARY of 10 bytes (ICCID) */
#define BENCH_COMMANDS "a0 a4 00 00 02 3f 00;a0 b0 00 00 0a"

static gint opt_apdus = 4000;
static gint opt_slots = 64;
static gint opt_per_slot = 100;
static gint opt_big_slots = 1024;
static gint opt_big_clients = 4;
static gint opt_reconnect_rounds = 3;
static gint opt_rounds = 8;
static gboolean opt_skip_big = FALSE;
static gboolean opt_skip_reconnect = FALSE;
static gboolean opt_keep = FALSE;

static const GOptionEntry bench_options[] = {
    {"apdus", 'n', 0, G_OPTION_ARG_INT, &opt_apdus, "APDUs of the 1-slot run and the floor", "N"},
    {"slots", 's', 0, G_OPTION_ARG_INT, &opt_slots, "slots of the parallel run (64)", "N"},
    {"per-slot", 'p', 0, G_OPTION_ARG_INT, &opt_per_slot, "APDUs per slot, parallel run", "N"},
    {"rounds", 'r', 0, G_OPTION_ARG_INT, &opt_rounds, "floor/1-slot interleaving rounds", "N"},
    {"big-slots", 0, 0, G_OPTION_ARG_INT, &opt_big_slots, "slots/clients of the RSS run", "N"},
    {"big-clients", 0, 0, G_OPTION_ARG_INT, &opt_big_clients, "client processes, RSS run", "N"},
    {"reconnect-rounds", 0, 0, G_OPTION_ARG_INT, &opt_reconnect_rounds, "bankd restarts", "N"},
    {"skip-big", 0, 0, G_OPTION_ARG_NONE, &opt_skip_big, "skip the 1024-slot run", NULL},
    {"skip-reconnect", 0, 0, G_OPTION_ARG_NONE, &opt_skip_reconnect, "skip restarts", NULL},
    {"keep", 'k', 0, G_OPTION_ARG_NONE, &opt_keep, "keep the work directory (logs)", NULL},
    G_OPTION_ENTRY_NULL};

static gchar *bench_dir;

/* ---- small helpers ---- */

static gint64
bench_now_ns (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_MONOTONIC, &ts);
	return (gint64)ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

G_GNUC_NORETURN G_GNUC_PRINTF (1, 2) static void bench_fail (const gchar *format, ...);

static void
bench_write_file (const gchar *path, const gchar *contents)
{
	g_autoptr (GError) error = NULL;

	if (!g_file_set_contents (path, contents, -1, &error))
		bench_fail ("%s", error->message);
}

static gchar *
bench_path (const gchar *name)
{
	return g_build_filename (bench_dir, name, NULL);
}

static int
bench_cmp_i64 (const void *a, const void *b)
{
	gint64 x = *(const gint64 *)a;
	gint64 y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

typedef struct {
	guint n;
	gdouble median_us;
	gdouble p99_us;
	gdouble p999_us;
	gdouble max_us;
} BenchLat;

/* nearest-rank percentiles of @ns (sorted in place) */
static BenchLat
bench_lat_summary (GArray *ns)
{
	BenchLat l = {0};
	const gint64 *v = (const gint64 *)(gpointer)ns->data;

	l.n = ns->len;
	if (ns->len == 0)
		return l;
	qsort (ns->data, ns->len, sizeof (gint64), bench_cmp_i64);
#define BENCH_RANK(p) v[MIN (ns->len - 1, (guint)MAX (1.0, ceil ((p)*ns->len)) - 1)]
	l.median_us = BENCH_RANK (0.5) / 1000.0;
	l.p99_us = BENCH_RANK (0.99) / 1000.0;
	l.p999_us = BENCH_RANK (0.999) / 1000.0;
#undef BENCH_RANK
	l.max_us = v[ns->len - 1] / 1000.0;
	return l;
}

static void
bench_print_lat (const gchar *what, const BenchLat *l)
{
	g_print ("%-34s %6u RTTs  median %7.1f us  p99 %7.1f us  p99.9 %7.1f us  max %7.1f us\n",
		 what,
		 l->n,
		 l->median_us,
		 l->p99_us,
		 l->p999_us,
		 l->max_us);
}

/* ---- /proc ---- */

/* CPU time of every thread in ns: sum of /proc/<pid>/task/<tid>/schedstat
 * (on-CPU time, ns), or 0 if unavailable */
static gint64
bench_proc_cpu_ns_schedstat (GPid pid)
{
	g_autofree gchar *dir_path = g_strdup_printf ("/proc/%d/task", (int)pid);
	g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
	const gchar *name;
	gint64 sum = 0;

	if (dir == NULL)
		return 0;
	while ((name = g_dir_read_name (dir)) != NULL) {
		g_autofree gchar *path = g_strdup_printf ("%s/%s/schedstat", dir_path, name);
		g_autofree gchar *contents = NULL;

		if (!g_file_get_contents (path, &contents, NULL, NULL))
			return 0;
		sum += g_ascii_strtoll (contents, NULL, 10);
	}
	return sum;
}

/* utime + stime of /proc/<pid>/stat in ns (clock-tick resolution) */
static gint64
bench_proc_cpu_ns_stat (GPid pid)
{
	g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat", (int)pid);
	g_autofree gchar *contents = NULL;
	g_auto (GStrv) fields = NULL;
	const gchar *p;
	long hz = sysconf (_SC_CLK_TCK);

	if (!g_file_get_contents (path, &contents, NULL, NULL))
		return 0;
	/* after "pid (comm) ": field 3 (state) on; utime and stime are 14, 15 */
	p = strrchr (contents, ')');
	if (p == NULL)
		return 0;
	fields = g_strsplit (p + 2, " ", 0);
	if (g_strv_length (fields) < 13)
		return 0;
	return (g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10)) *
	       (G_GINT64_CONSTANT (1000000000) / hz);
}

static gint64
bench_proc_status_kb (GPid pid, const gchar *key)
{
	g_autofree gchar *path = g_strdup_printf ("/proc/%d/status", (int)pid);
	g_autofree gchar *contents = NULL;
	g_auto (GStrv) lines = NULL;
	gsize key_len = strlen (key);

	if (!g_file_get_contents (path, &contents, NULL, NULL))
		return -1;
	lines = g_strsplit (contents, "\n", 0);
	for (guint i = 0; lines[i] != NULL; i++) {
		if (strncmp (lines[i], key, key_len) == 0 && lines[i][key_len] == ':')
			return g_ascii_strtoll (lines[i] + key_len + 1, NULL, 10);
	}
	return -1;
}

static guint
bench_proc_threads (GPid pid)
{
	g_autofree gchar *dir_path = g_strdup_printf ("/proc/%d/task", (int)pid);
	g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
	guint n = 0;

	if (dir == NULL)
		return 0;
	while (g_dir_read_name (dir) != NULL)
		n++;
	return n;
}

/* ---- child processes ---- */

typedef struct {
	gchar *name;
	gchar *log_path;
	GSubprocess *proc;
	GPid pid;
	gboolean exited;
} BenchProc;

static GPtrArray *bench_procs; /* of BenchProc, alive or not */

static void
bench_proc_wait_cb (GObject *object, GAsyncResult *res, gpointer user_data)
{
	BenchProc *p = user_data;

	g_subprocess_wait_finish (G_SUBPROCESS (object), res, NULL);
	p->exited = TRUE;
}

static BenchProc *
bench_proc_spawn (const gchar *name, const gchar *const *argv)
{
	g_autoptr (GSubprocessLauncher) launcher =
	    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *log_name = g_strdup_printf ("%s.log", name);
	BenchProc *p = g_new0 (BenchProc, 1);

	p->name = g_strdup (name);
	p->log_path = bench_path (log_name);
	g_subprocess_launcher_set_stdout_file_path (launcher, p->log_path);
	p->proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
	if (p->proc == NULL)
		bench_fail ("%s: %s", argv[0], error->message);
	p->pid = (GPid)g_ascii_strtoll (g_subprocess_get_identifier (p->proc), NULL, 10);
	g_subprocess_wait_async (p->proc, NULL, bench_proc_wait_cb, p);
	g_ptr_array_add (bench_procs, p);
	return p;
}

static gboolean
bench_proc_exited_cond (gpointer user_data)
{
	return ((BenchProc *)user_data)->exited;
}

static void
bench_proc_stop (BenchProc *p, gint sig)
{
	if (p == NULL || p->exited)
		return;
	g_subprocess_send_signal (p->proc, sig);
	if (!remsim_test_wait_until (bench_proc_exited_cond, p, 10000)) {
		g_printerr ("%s did not exit on signal %d; killing it\n", p->name, sig);
		g_subprocess_force_exit (p->proc);
		remsim_test_wait_until (bench_proc_exited_cond, p, 5000);
	}
}

static void
bench_proc_check (BenchProc *p)
{
	if (p->exited)
		bench_fail ("%s exited unexpectedly (log: %s)", p->name, p->log_path);
}

static void
bench_kill_all (void)
{
	for (guint i = 0; bench_procs != NULL && i < bench_procs->len; i++) {
		BenchProc *p = g_ptr_array_index (bench_procs, i);

		if (!p->exited)
			kill (p->pid, SIGKILL);
	}
}

static void
bench_fail (const gchar *format, ...)
{
	va_list args;

	va_start (args, format);
	g_printerr ("bench-remsim: ");
	vfprintf (stderr, format, args);
	g_printerr ("\n");
	va_end (args);
	bench_kill_all ();
	if (bench_dir != NULL)
		g_printerr ("logs are in %s\n", bench_dir);
	exit (1);
}

/* ---- TCP ---- */

/* poll 127.0.0.1:@port with connect() every 0.2 ms; the time it first
 * accepted (ns), or -1 on timeout */
static gint64
bench_poll_port (guint16 port, guint timeout_ms)
{
	gint64 deadline = bench_now_ns () + (gint64)timeout_ms * 1000000;
	struct sockaddr_in sa = {0};

	sa.sin_family = AF_INET;
	sa.sin_port = htons (port);
	sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
	while (bench_now_ns () < deadline) {
		int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int rc = connect (fd, (struct sockaddr *)&sa, sizeof (sa));
		gint64 t = bench_now_ns ();

		close (fd);
		if (rc == 0)
			return t;
		g_usleep (200);
	}
	return -1;
}

static int
bench_listen (guint16 *port)
{
	struct sockaddr_in sa = {0};
	socklen_t len = sizeof (sa);
	int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
	if (fd < 0 || bind (fd, (struct sockaddr *)&sa, sizeof (sa)) != 0 || listen (fd, 4) != 0 ||
	    getsockname (fd, (struct sockaddr *)&sa, &len) != 0)
		bench_fail ("floor: listen: %s", g_strerror (errno));
	*port = ntohs (sa.sin_port);
	return fd;
}

static void
bench_nodelay (int fd)
{
	int one = 1;

	setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof (one));
}

static int
bench_connect (guint16 port)
{
	struct sockaddr_in sa = {0};
	int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_family = AF_INET;
	sa.sin_port = htons (port);
	sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
	if (fd < 0 || connect (fd, (struct sockaddr *)&sa, sizeof (sa)) != 0)
		bench_fail ("floor: connect: %s", g_strerror (errno));
	bench_nodelay (fd);
	return fd;
}

static int
bench_accept (int lfd)
{
	int fd = accept4 (lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		bench_fail ("floor: accept: %s", g_strerror (errno));
	bench_nodelay (fd);
	return fd;
}

static gboolean
bench_read_full (int fd, guint8 *buf, gsize len)
{
	while (len > 0) {
		ssize_t n = read (fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		buf += n;
		len -= (gsize)n;
	}
	return TRUE;
}

static gboolean
bench_write_full (int fd, const guint8 *buf, gsize len)
{
	while (len > 0) {
		ssize_t n = write (fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		buf += n;
		len -= (gsize)n;
	}
	return TRUE;
}

/* ---- the floor: bench → hop1 (relay) → hop2 (answers) → hop1 → bench ---- */

typedef struct {
	GPtrArray *req; /* GBytes: the RSPRO TpduModemToCard frames, in order */
	GPtrArray *rsp; /* GBytes: the TpduCardToModem frames */
	guint n;	/* round trips */
	int lfd;
	int fd_a; /* hop1: towards the bench, or hop2: towards hop1 */
	int fd_b; /* hop1: towards hop2 */
	guint16 next_port;
} BenchFloor;

static gpointer
bench_floor_relay (gpointer user_data)
{
	BenchFloor *f = user_data;
	int in = bench_accept (f->lfd);
	int out = bench_connect (f->next_port);
	guint8 buf[512];

	for (guint i = 0; i < f->n; i++) {
		gsize req_len = g_bytes_get_size (g_ptr_array_index (f->req, i % f->req->len));
		gsize rsp_len = g_bytes_get_size (g_ptr_array_index (f->rsp, i % f->rsp->len));

		if (!bench_read_full (in, buf, req_len) || !bench_write_full (out, buf, req_len) ||
		    !bench_read_full (out, buf, rsp_len) || !bench_write_full (in, buf, rsp_len))
			break;
	}
	close (in);
	close (out);
	return NULL;
}

static gpointer
bench_floor_answer (gpointer user_data)
{
	BenchFloor *f = user_data;
	int in = bench_accept (f->lfd);
	guint8 buf[512];

	for (guint i = 0; i < f->n; i++) {
		GBytes *req = g_ptr_array_index (f->req, i % f->req->len);
		GBytes *rsp = g_ptr_array_index (f->rsp, i % f->rsp->len);

		if (!bench_read_full (in, buf, g_bytes_get_size (req)) ||
		    !bench_write_full (in, g_bytes_get_data (rsp, NULL), g_bytes_get_size (rsp)))
			break;
	}
	close (in);
	return NULL;
}

static GBytes *
bench_hex (const gchar *hex)
{
	g_autoptr (GByteArray) a = g_byte_array_new ();

	for (const gchar *p = hex; p[0] != '\0';) {
		guint8 b;

		if (!g_ascii_isxdigit (p[0])) {
			p++;
			continue;
		}
		b = (guint8)(g_ascii_xdigit_value (p[0]) << 4 | g_ascii_xdigit_value (p[1]));
		g_byte_array_append (a, &b, 1);
		p += 2;
	}
	return g_byte_array_free_to_bytes (g_steal_pointer (&a));
}

/* the IPA-framed RSPRO TPDU message remsim sends for @data */
static GBytes *
bench_tpdu_frame (RemsimRsproType type, GBytes *data)
{
	g_autoptr (RemsimRsproMsg) msg = remsim_rspro_msg_new (type);
	g_autoptr (GBytes) pdu = NULL;
	g_autoptr (GError) error = NULL;

	msg->has_client_slot = TRUE;
	msg->client_slot.client_id = 2;
	msg->client_slot.slot_nr = 0;
	msg->has_bank_slot = TRUE;
	msg->bank_slot.bank_id = 2;
	msg->bank_slot.slot_nr = 0;
	msg->flags.tpdu_header_present = TRUE;
	msg->flags.final_part = TRUE;
	msg->data = g_bytes_ref (data);
	pdu = remsim_rspro_encode (msg, &error);
	if (pdu == NULL)
		bench_fail ("encoding a TPDU: %s", error->message);
	return remsim_ipa_frame_rspro (g_bytes_get_data (pdu, NULL), g_bytes_get_size (pdu));
}

/* CPU cost of the RSPRO codec, in process: ns per encode and per decode
 * of a TpduModemToCard with a SELECT (what bankd and client each do once
 * per APDU, with a TpduCardToModem the other way) */
static void
bench_codec (gdouble *encode_ns, gdouble *decode_ns)
{
	g_autoptr (GBytes) data = bench_hex ("a0 a4 00 00 02 3f 00");
	g_autoptr (GBytes) frame = bench_tpdu_frame (REMSIM_RSPRO_TPDU_MODEM_TO_CARD, data);
	g_autoptr (RemsimRsproMsg) msg = remsim_rspro_msg_new (REMSIM_RSPRO_TPDU_MODEM_TO_CARD);
	const guint8 *pdu = (const guint8 *)g_bytes_get_data (frame, NULL) + 4;
	gsize pdu_len = g_bytes_get_size (frame) - 4;
	const guint n = 20000;
	gint64 t0;

	msg->has_client_slot = TRUE;
	msg->has_bank_slot = TRUE;
	msg->flags.tpdu_header_present = TRUE;
	msg->flags.final_part = TRUE;
	msg->data = g_bytes_ref (data);
	t0 = bench_now_ns ();
	for (guint i = 0; i < n; i++) {
		g_autoptr (GBytes) b = remsim_rspro_encode (msg, NULL);
		g_assert (b != NULL);
	}
	*encode_ns = (gdouble)(bench_now_ns () - t0) / n;
	t0 = bench_now_ns ();
	for (guint i = 0; i < n; i++) {
		g_autoptr (RemsimRsproMsg) m = remsim_rspro_decode (pdu, pdu_len, NULL);
		g_assert (m != NULL);
	}
	*decode_ns = (gdouble)(bench_now_ns () - t0) / n;
}

typedef struct {
	GPtrArray *req; /* GBytes */
	GPtrArray *rsp;
	BenchFloor hop1;
	BenchFloor hop2;
	GThread *t1;
	GThread *t2;
	int fd;
	guint done;
	guint total;
	GArray *lat; /* gint64 ns */
} BenchFloorRun;

/* set up the two hops for @total round trips */
static BenchFloorRun *
bench_floor_start (guint total, gchar **sizes)
{
	/* the testcard's answers to BENCH_COMMANDS */
	const gchar *commands[] = {"a0 a4 00 00 02 3f 00", "a0 b0 00 00 0a"};
	const gchar *answers[] = {"3f 00 90 00", "00 01 02 03 04 05 06 07 08 09 90 00"};
	BenchFloorRun *f = g_new0 (BenchFloorRun, 1);
	g_autoptr (GString) sz = g_string_new (NULL);
	guint16 port1;
	guint16 port2;

	f->req = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
	f->rsp = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
	f->lat = g_array_sized_new (FALSE, FALSE, sizeof (gint64), total);
	f->total = total;
	for (guint i = 0; i < G_N_ELEMENTS (commands); i++) {
		g_autoptr (GBytes) c = bench_hex (commands[i]);
		g_autoptr (GBytes) a = bench_hex (answers[i]);

		g_ptr_array_add (f->req, bench_tpdu_frame (REMSIM_RSPRO_TPDU_MODEM_TO_CARD, c));
		g_ptr_array_add (f->rsp, bench_tpdu_frame (REMSIM_RSPRO_TPDU_CARD_TO_MODEM, a));
		g_string_append_printf (sz,
					"%s%" G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT,
					i > 0 ? ", " : "",
					g_bytes_get_size (f->req->pdata[i]),
					g_bytes_get_size (f->rsp->pdata[i]));
	}
	*sizes = g_strdup (sz->str);

	f->hop2.req = f->hop1.req = f->req;
	f->hop2.rsp = f->hop1.rsp = f->rsp;
	f->hop2.n = f->hop1.n = total;
	f->hop1.lfd = bench_listen (&port1);
	f->hop2.lfd = bench_listen (&port2);
	f->hop1.next_port = port2;
	f->t2 = g_thread_new ("floor-hop2", bench_floor_answer, &f->hop2);
	f->t1 = g_thread_new ("floor-hop1", bench_floor_relay, &f->hop1);
	f->fd = bench_connect (port1);
	return f;
}

/* the next @n round trips */
static void
bench_floor_block (BenchFloorRun *f, guint n)
{
	guint8 buf[512];

	for (guint end = MIN (f->total, f->done + n); f->done < end; f->done++) {
		guint i = f->done;
		GBytes *q = g_ptr_array_index (f->req, i % f->req->len);
		gsize rsp_len = g_bytes_get_size (g_ptr_array_index (f->rsp, i % f->rsp->len));
		gint64 t0 = bench_now_ns ();
		gint64 d;

		if (!bench_write_full (f->fd, g_bytes_get_data (q, NULL), g_bytes_get_size (q)) ||
		    !bench_read_full (f->fd, buf, rsp_len))
			bench_fail ("floor: connection lost");
		d = bench_now_ns () - t0;
		g_array_append_val (f->lat, d);
	}
}

static BenchLat
bench_floor_finish (BenchFloorRun *f)
{
	BenchLat l;

	bench_floor_block (f, f->total);
	close (f->fd);
	g_thread_join (f->t1);
	g_thread_join (f->t2);
	close (f->hop1.lfd);
	close (f->hop2.lfd);
	l = bench_lat_summary (f->lat);
	g_ptr_array_unref (f->req);
	g_ptr_array_unref (f->rsp);
	g_array_unref (f->lat);
	g_free (f);
	return l;
}

/* ---- the testcard sink's stats-file ---- */

typedef struct {
	gchar *path;
	goffset offset;
	GString *partial;
	guint n_ready;
	guint n_first;
	guint n_done;
	GArray *ready_t; /* gint64 ns */
	GArray *first_t;
	GArray *lat; /* gint64 ns */
	gint64 t_start;
	gint64 t_end;
	guint64 sent;
	guint64 answered;
	guint64 retries;
} BenchStats;

static BenchStats *
bench_stats_new (const gchar *name)
{
	BenchStats *s = g_new0 (BenchStats, 1);

	s->path = bench_path (name);
	s->partial = g_string_new (NULL);
	s->ready_t = g_array_new (FALSE, FALSE, sizeof (gint64));
	s->first_t = g_array_new (FALSE, FALSE, sizeof (gint64));
	s->lat = g_array_new (FALSE, FALSE, sizeof (gint64));
	return s;
}

static void
bench_stats_free (BenchStats *s)
{
	g_free (s->path);
	g_string_free (s->partial, TRUE);
	g_array_unref (s->ready_t);
	g_array_unref (s->first_t);
	g_array_unref (s->lat);
	g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchStats, bench_stats_free)

static void
bench_stats_line (BenchStats *s, const gchar *line)
{
	g_auto (GStrv) f = g_strsplit (line, " ", 0);
	guint n = g_strv_length (f);
	gint64 v = n >= 3 ? g_ascii_strtoll (f[2], NULL, 10) : 0;

	if (n == 3 && strcmp (f[0], "lat") == 0) {
		g_array_append_val (s->lat, v);
	} else if (n == 3 && strcmp (f[0], "ready") == 0) {
		s->n_ready++;
		g_array_append_val (s->ready_t, v);
	} else if (n == 3 && strcmp (f[0], "first") == 0) {
		s->n_first++;
		g_array_append_val (s->first_t, v);
	} else if (n == 7 && strcmp (f[0], "done") == 0) {
		gint64 t0 = g_ascii_strtoll (f[4], NULL, 10);
		gint64 t1 = g_ascii_strtoll (f[5], NULL, 10);

		s->n_done++;
		s->sent += (guint64)v;
		s->answered += g_ascii_strtoull (f[3], NULL, 10);
		s->retries += g_ascii_strtoull (f[6], NULL, 10);
		if (s->t_start == 0 || t0 < s->t_start)
			s->t_start = t0;
		if (t1 > s->t_end)
			s->t_end = t1;
	} else {
		g_printerr ("%s: unexpected line \"%s\"\n", s->path, line);
	}
}

/* read what was appended since the last call */
static void
bench_stats_poll (BenchStats *s)
{
	FILE *fp = fopen (s->path, "r");
	gchar buf[65536];
	size_t n;

	if (fp == NULL)
		return;
	if (fseeko (fp, s->offset, SEEK_SET) != 0) {
		fclose (fp);
		return;
	}
	while ((n = fread (buf, 1, sizeof (buf), fp)) > 0) {
		s->offset += (goffset)n;
		for (size_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				g_string_append_c (s->partial, buf[i]);
				continue;
			}
			bench_stats_line (s, s->partial->str);
			g_string_truncate (s->partial, 0);
		}
	}
	fclose (fp);
}

typedef struct {
	BenchStats *stats;
	guint n_ready;
	guint n_first;
	guint n_done;
	GPtrArray *procs; /* that must stay alive */
} BenchWait;

static gboolean
bench_wait_cond (gpointer user_data)
{
	BenchWait *w = user_data;

	for (guint i = 0; w->procs != NULL && i < w->procs->len; i++)
		bench_proc_check (g_ptr_array_index (w->procs, i));
	bench_stats_poll (w->stats);
	return w->stats->n_ready >= w->n_ready && w->stats->n_first >= w->n_first &&
	       w->stats->n_done >= w->n_done;
}

static void
bench_wait_stats (BenchStats *s,
		  guint n_ready,
		  guint n_first,
		  guint n_done,
		  GPtrArray *procs,
		  guint timeout_ms,
		  const gchar *what)
{
	BenchWait w = {s, n_ready, n_first, n_done, procs};

	if (!remsim_test_wait_until (bench_wait_cond, &w, timeout_ms))
		bench_fail ("%s: timed out after %u ms (ready %u/%u, first %u/%u, done %u/%u)",
			    what,
			    timeout_ms,
			    s->n_ready,
			    n_ready,
			    s->n_first,
			    n_first,
			    s->n_done,
			    n_done);
}

/* ---- remsim ---- */

typedef struct {
	guint16 rspro_port;
	guint16 rest_port;
	gchar *rest_base;
	gchar *state_file;
	BenchProc *proc;
	guint n_started;
} BenchServer;

static void
bench_server_start (BenchServer *srv)
{
	g_autofree gchar *rspro = g_strdup_printf ("127.0.0.1:%u", srv->rspro_port);
	g_autofree gchar *rest = g_strdup_printf ("127.0.0.1:%u", srv->rest_port);
	g_autofree gchar *name = g_strdup_printf ("server-%u", ++srv->n_started);
	const gchar *argv[] = {remsim_test_program ("REMSIM_SERVER_BIN"),
			       "--rspro-listen",
			       rspro,
			       "--rest-listen",
			       rest,
			       "--state-file",
			       srv->state_file,
			       NULL};

	srv->proc = bench_proc_spawn (name, argv);
}

static gboolean
bench_http_ok (const gchar *base, const gchar *path)
{
	g_autoptr (RemsimTestHttpResponse) r = remsim_test_http_get (base, path);

	return r->status == 200;
}

typedef struct {
	const gchar *base;
	const gchar *path;
	BenchProc *proc;
} BenchHttpWait;

static gboolean
bench_http_wait_cond (gpointer user_data)
{
	BenchHttpWait *w = user_data;

	if (w->proc != NULL)
		bench_proc_check (w->proc);
	return bench_http_ok (w->base, w->path);
}

/* poll GET @path until 200 */
static void
bench_wait_http (const gchar *base, const gchar *path, BenchProc *proc, guint timeout_ms)
{
	BenchHttpWait w = {base, path, proc};

	if (!remsim_test_wait_until (bench_http_wait_cond, &w, timeout_ms))
		bench_fail ("GET %s%s: no 200 within %u ms", base, path, timeout_ms);
}

static void
bench_map (BenchServer *srv, guint bank, guint bank_slot, guint client, guint client_slot)
{
	g_autofree gchar *body = g_strdup_printf ("{\"bank\":{\"bankId\":%u,\"slotNr\":%u},"
						  "\"client\":{\"clientId\":%u,\"slotNr\":%u}}",
						  bank,
						  bank_slot,
						  client,
						  client_slot);
	g_autoptr (RemsimTestHttpResponse) r =
	    remsim_test_http_post_json (srv->rest_base, "/slotmaps", body);

	if (r->status != 201) {
		g_autofree gchar *text = remsim_test_http_response_body_str (r);
		bench_fail ("POST /slotmaps %s: %u %s %s",
			    body,
			    r->status,
			    text,
			    r->error != NULL ? r->error : "");
	}
}

static BenchProc *
bench_bankd_start (BenchServer *srv, const gchar *name, guint bank, guint n_slots, guint16 port)
{
	g_autofree gchar *conf_name = g_strdup_printf ("%s.conf", name);
	g_autofree gchar *conf_path = bench_path (conf_name);
	g_autofree gchar *conf = g_strdup_printf ("[bankd]\n"
						  "bank-id=%u\n"
						  "num-slots=%u\n"
						  "server=127.0.0.1:%u\n"
						  "listen=127.0.0.1:%u\n"
						  "[source:card]\n"
						  "plugin=testcard\n"
						  "slots=0-%u\n",
						  bank,
						  n_slots,
						  srv->rspro_port,
						  port,
						  n_slots - 1);
	const gchar *argv[] = {remsim_test_program ("REMSIM_BANKD_BIN"), "-c", conf_path, NULL};

	bench_write_file (conf_path, conf);
	return bench_proc_spawn (name, argv);
}

/* a client process serving client slots 0..@n_slots-1 of @client_id */
static BenchProc *
bench_client_start (
    BenchServer *srv, const gchar *name, guint client_id, guint n_slots, const gchar *sink_keys)
{
	g_autofree gchar *conf_name = g_strdup_printf ("%s.conf", name);
	g_autofree gchar *conf_path = bench_path (conf_name);
	g_autofree gchar *conf = g_strdup_printf ("[client]\n"
						  "server=127.0.0.1:%u\n"
						  "client-id=%u\n"
						  "[sink:modem]\n"
						  "plugin=testcard\n"
						  "slots=0-%u\n"
						  "commands=" BENCH_COMMANDS "\n"
						  "%s",
						  srv->rspro_port,
						  client_id,
						  n_slots - 1,
						  sink_keys);
	const gchar *argv[] = {remsim_test_program ("REMSIM_CLIENT_BIN"), "-f", conf_path, NULL};

	bench_write_file (conf_path, conf);
	return bench_proc_spawn (name, argv);
}

static void
bench_wait_bank (BenchServer *srv, guint bank, BenchProc *bankd)
{
	g_autofree gchar *path = g_strdup_printf ("/banks/%u", bank);

	bench_wait_http (srv->rest_base, path, bankd, 10000);
}

typedef struct {
	BenchLat lat;
	guint64 apdus;
	gdouble apdus_per_s;
	gdouble bankd_cpu_us;	   /* per APDU, schedstat */
	gdouble client_cpu_us;	   /* per APDU, schedstat */
	gdouble bankd_cpu_us_stat; /* per APDU, /proc/<pid>/stat ticks */
	gdouble client_cpu_us_stat;
	gint64 bankd_rss_kb;
	gint64 client_rss_kb;
	guint bankd_threads;
	guint client_threads;
} BenchRun;

/* bankd + one client process with @n_slots slots, each playing @per_slot
 * APDUs in @rounds rounds, all slots at once on each SIGUSR1; before each
 * round @floor (if not NULL) does its share of round trips, so that both
 * see the same load of the machine */
static BenchRun
bench_run_slots (BenchServer *srv,
		 const gchar *name,
		 guint bank,
		 guint n_slots,
		 guint per_slot,
		 guint rounds,
		 BenchFloorRun *floor)
{
	g_autofree gchar *bankd_name = g_strdup_printf ("bankd-%s", name);
	g_autofree gchar *client_name = g_strdup_printf ("client-%s", name);
	g_autofree gchar *stats_name = g_strdup_printf ("stats-%s.txt", name);
	g_autoptr (BenchStats) stats = bench_stats_new (stats_name);
	g_autoptr (GPtrArray) procs = g_ptr_array_new ();
	g_autofree gchar *keys = NULL;
	guint bankd_slots = MAX (n_slots, 8);
	guint client_id = 100 + bank;
	guint per_round = MAX (1, per_slot / rounds / 2); /* script repeats, 2 APDUs each */
	BenchProc *bankd;
	BenchProc *client;
	BenchRun run = {0};
	gint64 b_cpu = 0, c_cpu = 0, b_stat = 0, c_stat = 0;
	gint64 busy_ns = 0;

	keys = g_strdup_printf (
	    "repeat=%u\nstats-file=%s\nstart-signal=true\n", per_round, stats->path);
	bankd = bench_bankd_start (srv, bankd_name, bank, bankd_slots, remsim_test_free_port ());
	g_ptr_array_add (procs, bankd);
	bench_wait_bank (srv, bank, bankd);
	for (guint i = 0; i < n_slots; i++)
		bench_map (srv, bank, i, client_id, i);
	client = bench_client_start (srv, client_name, client_id, n_slots, keys);
	g_ptr_array_add (procs, client);
	bench_wait_stats (stats, n_slots, 0, 0, procs, 30000, client_name);

	for (guint r = 0; r < rounds; r++) {
		if (floor != NULL)
			bench_floor_block (floor, (floor->total + rounds - 1) / rounds);
		stats->t_start = stats->t_end = 0;
		b_cpu -= bench_proc_cpu_ns_schedstat (bankd->pid);
		c_cpu -= bench_proc_cpu_ns_schedstat (client->pid);
		b_stat -= bench_proc_cpu_ns_stat (bankd->pid);
		c_stat -= bench_proc_cpu_ns_stat (client->pid);
		kill (client->pid, SIGUSR1);
		bench_wait_stats (
		    stats, n_slots, n_slots, n_slots * (r + 1), procs, 600000, client_name);
		b_cpu += bench_proc_cpu_ns_schedstat (bankd->pid);
		c_cpu += bench_proc_cpu_ns_schedstat (client->pid);
		b_stat += bench_proc_cpu_ns_stat (bankd->pid);
		c_stat += bench_proc_cpu_ns_stat (client->pid);
		busy_ns += stats->t_end - stats->t_start;
	}

	run.apdus = stats->answered;
	if (stats->answered != stats->sent || stats->answered == 0)
		bench_fail ("%s: %" G_GUINT64_FORMAT " commands, %" G_GUINT64_FORMAT " answers",
			    client_name,
			    stats->sent,
			    stats->answered);
	run.lat = bench_lat_summary (stats->lat);
	run.apdus_per_s = busy_ns > 0 ? run.apdus / (busy_ns / 1e9) : 0;
	run.bankd_cpu_us = b_cpu / 1000.0 / run.apdus;
	run.client_cpu_us = c_cpu / 1000.0 / run.apdus;
	run.bankd_cpu_us_stat = b_stat / 1000.0 / run.apdus;
	run.client_cpu_us_stat = c_stat / 1000.0 / run.apdus;
	if (bench_proc_cpu_ns_schedstat (bankd->pid) == 0) {
		/* no schedstat on this kernel */
		run.bankd_cpu_us = run.bankd_cpu_us_stat;
		run.client_cpu_us = run.client_cpu_us_stat;
	}
	run.bankd_rss_kb = bench_proc_status_kb (bankd->pid, "VmRSS");
	run.client_rss_kb = bench_proc_status_kb (client->pid, "VmRSS");
	run.bankd_threads = bench_proc_threads (bankd->pid);
	run.client_threads = bench_proc_threads (client->pid);

	bench_proc_stop (client, SIGTERM);
	bench_proc_stop (bankd, SIGTERM);
	return run;
}

typedef struct {
	gint64 bankd_rss_kb;
	guint bankd_threads;
	gint64 clients_rss_kb;
	gdouble setup_s;
} BenchBig;

/* one bankd with @n slots, @n_clients processes serving @n client slots in
 * all, every slot mapped and playing one SELECT + READ BINARY */
static BenchBig
bench_run_big (BenchServer *srv, guint bank, guint n, guint n_clients)
{
	g_autoptr (BenchStats) stats = bench_stats_new ("stats-big.txt");
	g_autoptr (GPtrArray) procs = g_ptr_array_new ();
	g_autofree gchar *keys = g_strdup_printf ("repeat=1\nstats-file=%s\n", stats->path);
	guint per_client = (n + n_clients - 1) / n_clients;
	BenchProc *bankd;
	BenchBig big = {0};
	gint64 t0;

	bankd = bench_bankd_start (srv, "bankd-big", bank, n, remsim_test_free_port ());
	g_ptr_array_add (procs, bankd);
	bench_wait_bank (srv, bank, bankd);
	for (guint i = 0; i < n; i++)
		bench_map (srv, bank, i, 200 + i / per_client, i % per_client);
	t0 = bench_now_ns ();
	for (guint c = 0; c * per_client < n; c++) {
		g_autofree gchar *name = g_strdup_printf ("client-big-%u", c);

		g_ptr_array_add (
		    procs,
		    bench_client_start (
			srv, name, 200 + c, MIN (per_client, n - c * per_client), keys));
	}
	bench_wait_stats (stats, n, n, n, procs, 300000, "1024-slot run");
	big.setup_s = (bench_now_ns () - t0) / 1e9;
	if (stats->answered != 2 * (guint64)n)
		bench_fail ("1024-slot run: %" G_GUINT64_FORMAT " answers", stats->answered);
	big.bankd_rss_kb = bench_proc_status_kb (bankd->pid, "VmRSS");
	big.bankd_threads = bench_proc_threads (bankd->pid);
	for (guint i = 1; i < procs->len; i++)
		big.clients_rss_kb +=
		    bench_proc_status_kb (((BenchProc *)procs->pdata[i])->pid, "VmRSS");
	for (guint i = procs->len; i > 0; i--)
		bench_proc_stop (procs->pdata[i - 1], SIGTERM);
	return big;
}

static int
bench_cmp_double (const void *a, const void *b)
{
	gdouble x = *(const gdouble *)a;
	gdouble y = *(const gdouble *)b;

	return x < y ? -1 : x > y;
}

typedef struct {
	gdouble bankd_ms_max;
	gdouble bankd_ms_median;
	GString *bankd_rounds;
	gdouble server_ms;
	gboolean server_slot_kept;
} BenchReconnect;

/* one slot sending a SELECT every 10 ms; restart the bankd, then the server */
static BenchReconnect
bench_run_reconnect (BenchServer *srv, guint bank, guint rounds)
{
	g_autoptr (BenchStats) stats = bench_stats_new ("stats-reconnect.txt");
	g_autoptr (GPtrArray) procs = g_ptr_array_new ();
	g_autofree gchar *keys = g_strdup_printf (
	    "repeat=1000000\ninterval-ms=10\nretry-ms=100\nstats-file=%s\n", stats->path);
	g_autofree gdouble *ms = g_new0 (gdouble, MAX (rounds, 1));
	g_autofree gchar *client_path = g_strdup_printf ("/clients/%u", 300 + bank);
	guint16 port = remsim_test_free_port ();
	BenchReconnect rc = {0};
	BenchProc *bankd;
	BenchProc *client;
	guint n_ready;
	gint64 t_listen;

	rc.bankd_rounds = g_string_new (NULL);
	bankd = bench_bankd_start (srv, "bankd-reconnect-0", bank, 8, port);
	g_ptr_array_add (procs, bankd);
	bench_wait_bank (srv, bank, bankd);
	bench_map (srv, bank, 0, 300 + bank, 0);
	client = bench_client_start (srv, "client-reconnect", 300 + bank, 1, keys);
	g_ptr_array_add (procs, client);
	bench_wait_stats (stats, 1, 1, 0, procs, 30000, "reconnect setup");

	for (guint r = 0; r < rounds; r++) {
		g_autofree gchar *name = g_strdup_printf ("bankd-reconnect-%u", r + 1);
		gint64 t_first;

		bench_proc_stop (bankd, SIGTERM);
		g_ptr_array_remove (procs, bankd);
		/* let the client notice and start its backoff, as after a crash */
		remsim_test_run_for (200);
		bankd = bench_bankd_start (srv, name, bank, 8, port);
		g_ptr_array_add (procs, bankd);
		t_listen = bench_poll_port (port, 10000);
		if (t_listen < 0)
			bench_fail ("%s does not listen", name);
		bench_wait_stats (
		    stats, 0, r + 2, 0, procs, 30000, "reconnect after bankd restart");
		t_first = g_array_index (stats->first_t, gint64, r + 1);
		ms[r] = (t_first - t_listen) / 1e6;
		g_string_append_printf (rc.bankd_rounds, "%s%.0f", r > 0 ? " " : "", ms[r]);
	}
	if (rounds > 0) {
		qsort (ms, rounds, sizeof (gdouble), bench_cmp_double);
		rc.bankd_ms_median = ms[(rounds - 1) / 2];
		rc.bankd_ms_max = ms[rounds - 1];
	}

	/* server restart: the bankd session goes on; time until REST lists
	 * the client again */
	bench_stats_poll (stats);
	n_ready = stats->n_ready;
	bench_proc_stop (srv->proc, SIGTERM);
	remsim_test_run_for (200);
	bench_server_start (srv);
	t_listen = bench_poll_port (srv->rspro_port, 10000);
	if (t_listen < 0)
		bench_fail ("the restarted server does not listen");
	bench_wait_http (srv->rest_base, client_path, srv->proc, 10000);
	rc.server_ms = (bench_now_ns () - t_listen) / 1e6;
	/* a few more APDUs while the server is back */
	remsim_test_run_for (100);
	bench_stats_poll (stats);
	rc.server_slot_kept = stats->n_ready == n_ready;

	bench_proc_stop (client, SIGTERM);
	bench_proc_stop (bankd, SIGTERM);
	return rc;
}

static guint
bench_n_cpus (void)
{
	long n = sysconf (_SC_NPROCESSORS_ONLN);

	return n > 0 ? (guint)n : 1;
}

int
main (int argc, char **argv)
{
	g_autoptr (GOptionContext) context = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *sizes = NULL;
	BenchServer srv = {0};
	BenchLat floor_lat;
	BenchFloorRun *floor = NULL;
	BenchRun one;
	BenchRun many;
	BenchBig big = {0};
	BenchReconnect rc = {0};
	struct rlimit rl;
	gdouble median_ratio;
	gdouble p99_ratio;
	gdouble encode_ns;
	gdouble decode_ns;

	context = g_option_context_new ("- remsim round-trip, CPU and memory benchmark");
	g_option_context_add_main_entries (context, bench_options, NULL);
	if (!g_option_context_parse (context, &argc, &argv, &error)) {
		g_printerr ("bench-remsim: %s\n", error->message);
		return 2;
	}
	if (opt_apdus < 2 || opt_rounds < 1 || opt_apdus / opt_rounds < 2 || opt_slots < 1 ||
	    opt_slots > 1024 || opt_per_slot < 2 || opt_big_slots < 1 || opt_big_slots > 1024 ||
	    opt_big_clients < 1 || opt_reconnect_rounds < 1) {
		g_printerr ("bench-remsim: option out of range\n");
		return 2;
	}
	/* 1024 client slots need 2048 sockets in the client processes */
	if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit (RLIMIT_NOFILE, &rl);
	}
	signal (SIGPIPE, SIG_IGN);
	bench_procs = g_ptr_array_new ();
	bench_dir = remsim_test_mkdtemp ();

	g_print ("# remsim benchmark on %u CPUs, work dir %s\n", bench_n_cpus (), bench_dir);

	floor = bench_floor_start ((guint)opt_apdus, &sizes);
	g_print ("# script: SELECT MF, READ BINARY 10; RSPRO frames (request/response): %s bytes\n",
		 sizes);
	bench_codec (&encode_ns, &decode_ns);
	g_print ("RSPRO codec (in this process): encode %.1f us, decode %.1f us per TPDU message\n",
		 encode_ns / 1000,
		 decode_ns / 1000);

	srv.rspro_port = remsim_test_free_port ();
	srv.rest_port = remsim_test_free_port ();
	srv.rest_base = g_strdup_printf ("http://127.0.0.1:%u/api/backend/v1", srv.rest_port);
	srv.state_file = bench_path ("server-state.json");
	bench_server_start (&srv);
	if (bench_poll_port (srv.rest_port, 10000) < 0)
		bench_fail ("remsim-server does not listen");

	one = bench_run_slots (&srv, "1slot", 1, 1, (guint)opt_apdus, (guint)opt_rounds, floor);
	floor_lat = bench_floor_finish (g_steal_pointer (&floor));
	g_print ("# floor and 1-slot run interleaved in %d rounds\n", opt_rounds);
	bench_print_lat ("floor, 2 TCP hops:", &floor_lat);
	bench_print_lat ("remsim, 1 slot:", &one.lat);
	many =
	    bench_run_slots (&srv, "parallel", 2, (guint)opt_slots, (guint)opt_per_slot, 1, NULL);
	{
		g_autofree gchar *what =
		    g_strdup_printf ("remsim, %d slots in parallel:", opt_slots);
		bench_print_lat (what, &many.lat);
	}
	median_ratio = one.lat.median_us / floor_lat.median_us;
	p99_ratio = one.lat.p99_us / floor_lat.p99_us;
	g_print ("ratio to floor (1 slot): median %.2f, p99 %.2f (target: median <= 1.5)\n",
		 median_ratio,
		 p99_ratio);
	g_print ("throughput, %d slots: %.0f APDUs/s\n", opt_slots, many.apdus_per_s);
	g_print ("CPU per APDU, %d slots: bankd %.1f us, client %.1f us "
		 "(/proc/pid/stat ticks: %.1f, %.1f; target < 30)\n",
		 opt_slots,
		 many.bankd_cpu_us,
		 many.client_cpu_us,
		 many.bankd_cpu_us_stat,
		 many.client_cpu_us_stat);
	g_print ("CPU per APDU, 1 slot:  bankd %.1f us, client %.1f us\n",
		 one.bankd_cpu_us,
		 one.client_cpu_us);
	g_print ("RSS: bankd %" G_GINT64_FORMAT " kB (8 slots), %" G_GINT64_FORMAT
		 " kB (%d slots); client %" G_GINT64_FORMAT " kB (1 slot), %" G_GINT64_FORMAT
		 " kB (%d slots)\n",
		 one.bankd_rss_kb,
		 many.bankd_rss_kb,
		 MAX (opt_slots, 8),
		 one.client_rss_kb,
		 many.client_rss_kb,
		 opt_slots);
	g_print ("threads: bankd %u (8 slots), %u (%d slots); client %u (1 slot), %u (%d slots)\n",
		 one.bankd_threads,
		 many.bankd_threads,
		 MAX (opt_slots, 8),
		 one.client_threads,
		 many.client_threads,
		 opt_slots);

	if (!opt_skip_big) {
		big = bench_run_big (&srv, 3, (guint)opt_big_slots, (guint)opt_big_clients);
		g_print ("%d slots, %d clients in %d processes: bankd RSS %" G_GINT64_FORMAT
			 " kB, %u threads (8 slots: %u); clients RSS %" G_GINT64_FORMAT
			 " kB in all; all up and through 2 APDUs in %.1f s\n",
			 opt_big_slots,
			 opt_big_slots,
			 opt_big_clients,
			 big.bankd_rss_kb,
			 big.bankd_threads,
			 one.bankd_threads,
			 big.clients_rss_kb,
			 big.setup_s);
	}
	if (!opt_skip_reconnect) {
		rc = bench_run_reconnect (&srv, 4, (guint)opt_reconnect_rounds);
		g_print ("reconnect after a bankd restart: median %.0f ms, max %.0f ms "
			 "(rounds: %s ms; listening -> first APDU answered; target < 1000)\n",
			 rc.bankd_ms_median,
			 rc.bankd_ms_max,
			 rc.bankd_rounds->str);
		g_print ("server restart: client listed again %.0f ms after the server "
			 "listened; bankd session %s\n",
			 rc.server_ms,
			 rc.server_slot_kept ? "kept working" : "was interrupted");
		g_string_free (rc.bankd_rounds, TRUE);
	}

	bench_proc_stop (srv.proc, SIGTERM);
	g_print ("median_ratio_to_floor=%.2f p99_ratio_to_floor=%.2f apdus_per_s=%.0f "
		 "bankd_cpu_us=%.1f client_cpu_us=%.1f bankd_rss_kb_1024=%" G_GINT64_FORMAT
		 " bankd_threads_8=%u bankd_threads_1024=%u floor_median_us=%.1f "
		 "remsim_median_us=%.1f remsim_p999_us=%.1f parallel_median_us=%.1f "
		 "parallel_p99_us=%.1f reconnect_bankd_ms=%.0f reconnect_server_ms=%.0f\n",
		 median_ratio,
		 p99_ratio,
		 many.apdus_per_s,
		 many.bankd_cpu_us,
		 many.client_cpu_us,
		 opt_skip_big ? (gint64)-1 : big.bankd_rss_kb,
		 one.bankd_threads,
		 big.bankd_threads,
		 floor_lat.median_us,
		 one.lat.median_us,
		 one.lat.p999_us,
		 many.lat.median_us,
		 many.lat.p99_us,
		 opt_skip_reconnect ? -1.0 : rc.bankd_ms_max,
		 opt_skip_reconnect ? -1.0 : rc.server_ms);

	if (!opt_keep)
		remsim_test_rmdir (bench_dir);
	g_free (bench_dir);
	g_free (srv.rest_base);
	g_free (srv.state_file);
	for (guint i = 0; i < bench_procs->len; i++) {
		BenchProc *p = g_ptr_array_index (bench_procs, i);

		g_object_unref (p->proc);
		g_free (p->name);
		g_free (p->log_path);
		g_free (p);
	}
	g_ptr_array_unref (bench_procs);
	return 0;
}
