/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Helpers for integration tests that run the real programs (libsoup's
 * test-utils idea): child processes with their output in a log file, free
 * loopback ports, HTTP calls, a scripted RSPRO peer on RemsimLink and raw
 * TCP connections for hostile input. Everything waits on the default main
 * context with a timeout; nothing sleeps.
 */

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "remsim-link.h"
#include "remsim-rspro.h"

G_BEGIN_DECLS

/* default timeout of the wait helpers, generous for sanitizer builds */
#define REMSIM_TEST_TIMEOUT_MS 5000

/* ---- main loop ---- */

typedef gboolean (*RemsimTestCondFunc) (gpointer user_data);

/* iterate the default main context until @cond returns TRUE (checked before
 * each iteration) or @timeout_ms passed; TRUE if @cond became TRUE */
gboolean remsim_test_wait_until (RemsimTestCondFunc cond, gpointer user_data, guint timeout_ms);
/* wait until *@flag != FALSE */
gboolean remsim_test_wait_flag (const gboolean *flag, guint timeout_ms);
/* iterate the default main context for @ms; for "nothing happens" checks
 * only (asserting the absence of an event), never for synchronisation */
void remsim_test_run_for (guint ms);

/* ---- files and ports ---- */

/* a new directory under the temporary dir; free with remsim_test_rmdir() */
gchar *remsim_test_mkdtemp (void);
/* remove @path and everything in it (one level of subdirectories) */
void remsim_test_rmdir (const gchar *path);
/* a TCP port on 127.0.0.1 that was free a moment ago (bind 0, read, close) */
guint16 remsim_test_free_port (void);
/* poll until something accepts on 127.0.0.1:@port; FALSE on timeout */
gboolean remsim_test_wait_port (guint16 port, guint timeout_ms);

/* ---- child processes ---- */

typedef struct _RemsimTestProc RemsimTestProc;

/* the program named by environment variable @env_var (set by meson to a
 * path in the build dir); aborts the test if it is not set */
const gchar *remsim_test_program (const gchar *env_var);
/* spawn argv[0] (a path) with stdout and stderr appended to @log_path */
RemsimTestProc *
remsim_test_proc_spawn (const gchar *const *argv, const gchar *log_path, GError **error);
gboolean remsim_test_proc_is_alive (RemsimTestProc *self);
/* send @sig and wait up to @timeout_ms for the exit; FALSE on timeout */
gboolean remsim_test_proc_signal_and_wait (RemsimTestProc *self, gint sig, guint timeout_ms);
gboolean remsim_test_proc_wait (RemsimTestProc *self, guint timeout_ms);
/* after the exit: TRUE if it exited normally with @status, or (if
 * @allow_sig != 0) was killed by that signal */
gboolean remsim_test_proc_exited_with (RemsimTestProc *self, gint status, gint allow_sig);
/* wait_status as from waitpid(), -1 while running */
gint remsim_test_proc_get_wait_status (RemsimTestProc *self);
const gchar *remsim_test_proc_get_log_path (RemsimTestProc *self);
/* the whole log file so far */
gchar *remsim_test_proc_read_log (RemsimTestProc *self);
/* wait until the log contains @needle */
gboolean remsim_test_proc_wait_log (RemsimTestProc *self, const gchar *needle, guint timeout_ms);
/* SIGKILL if still running, then free */
void remsim_test_proc_free (RemsimTestProc *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimTestProc, remsim_test_proc_free)

/* ---- HTTP (libsoup-3) ---- */

typedef struct {
	guint status; /* 0 if the request failed at the transport level */
	gchar *content_type;
	GBytes *body;
	JsonNode *json; /* body parsed as JSON, NULL if empty or not JSON */
	gchar *error;	/* transport error message, if any */
} RemsimTestHttpResponse;

/* @body may be NULL; @content_type NULL sends none */
RemsimTestHttpResponse *remsim_test_http (const gchar *method,
					  const gchar *url,
					  const gchar *content_type,
					  const gchar *body);
RemsimTestHttpResponse *remsim_test_http_get (const gchar *base, const gchar *path);
/* POST with Content-Type: application/json */
RemsimTestHttpResponse *
remsim_test_http_post_json (const gchar *base, const gchar *path, const gchar *body);
RemsimTestHttpResponse *remsim_test_http_delete (const gchar *base, const gchar *path);
void remsim_test_http_response_free (RemsimTestHttpResponse *self);
/* the body as a NUL-terminated string (for messages) */
gchar *remsim_test_http_response_body_str (RemsimTestHttpResponse *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimTestHttpResponse, remsim_test_http_response_free)

/* the member names of a JSON object, sorted, joined with "," */
gchar *remsim_test_json_keys (JsonObject *obj);
/* compact serialisation */
gchar *remsim_test_json_to_string (JsonNode *node);

/* ---- scripted RSPRO peer ---- */

typedef struct _RemsimTestPeer RemsimTestPeer;

/* connect to @host:@port and start a RemsimLink in the INITIATOR role;
 * @name is used in log messages */
RemsimTestPeer *
remsim_test_peer_connect (const gchar *host, guint16 port, const gchar *name, GError **error);
RemsimLink *remsim_test_peer_get_link (RemsimTestPeer *self);
gboolean remsim_test_peer_send (RemsimTestPeer *self, const RemsimRsproMsg *msg, GError **error);
/* the oldest received, not yet consumed message of @type (removed from the
 * pending list); waits up to @timeout_ms; NULL on timeout */
RemsimRsproMsg *
remsim_test_peer_wait_for (RemsimTestPeer *self, RemsimRsproType type, guint timeout_ms);
/* number of received, not yet consumed messages of @type (-2: any type) */
guint remsim_test_peer_count_pending (RemsimTestPeer *self, gint type);
/* every message received (in order), consumed or not */
GPtrArray *remsim_test_peer_get_received (RemsimTestPeer *self);
gboolean remsim_test_peer_wait_closed (RemsimTestPeer *self, guint timeout_ms);
gboolean remsim_test_peer_is_closed (RemsimTestPeer *self);
/* the reason given by the "closed" signal, or NULL */
const gchar *remsim_test_peer_get_close_reason (RemsimTestPeer *self);
void remsim_test_peer_free (RemsimTestPeer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimTestPeer, remsim_test_peer_free)

/* message builders; identities from remsim_component_identity_init_self() */
RemsimRsproMsg *
remsim_test_msg_connect_bank_req (guint32 bank_id, guint32 n_slots, const gchar *name);
RemsimRsproMsg *
remsim_test_msg_connect_client_req (guint32 client_id, guint32 slot_nr, const gchar *name);
/* CREATE/REMOVE_MAPPING_RES, CONFIG_CLIENT_BANK_RES, ... */
RemsimRsproMsg *remsim_test_msg_result (RemsimRsproType type, RemsimResultCode result);

/* connect a peer and complete ConnectBankReq/ConnectClientReq with
 * result ok; asserts on failure */
RemsimTestPeer *remsim_test_peer_new_bankd (guint16 port, guint32 bank_id, guint32 n_slots);
RemsimTestPeer *remsim_test_peer_new_client (guint16 port, guint32 client_id, guint32 slot_nr);

/* "a.b.c.d:port" of an IpPort */
gchar *remsim_test_ip_port_to_string (const RemsimIpPort *ip);

/* ---- raw TCP connection (hostile peers, CCM checks) ---- */

typedef struct _RemsimTestRaw RemsimTestRaw;

/* connect and read continuously into a buffer until EOF or error */
RemsimTestRaw *remsim_test_raw_connect (const gchar *host, guint16 port, GError **error);
gboolean remsim_test_raw_send (RemsimTestRaw *self, const guint8 *data, gsize len, GError **error);
/* everything received so far */
GBytes *remsim_test_raw_get_received (RemsimTestRaw *self);
/* wait until at least @len bytes were received */
gboolean remsim_test_raw_wait_bytes (RemsimTestRaw *self, gsize len, guint timeout_ms);
/* wait until the received IPA frames contain the complete frame @frame */
gboolean
remsim_test_raw_wait_frame (RemsimTestRaw *self, const guint8 *frame, gsize len, guint timeout_ms);
/* wait until the complete IPA frame @frame was received at least @n times */
gboolean remsim_test_raw_wait_frames (
    RemsimTestRaw *self, const guint8 *frame, gsize len, guint n, guint timeout_ms);
/* how often the complete IPA frame @frame was received */
guint remsim_test_raw_count_frames (RemsimTestRaw *self, const guint8 *frame, gsize len);
/* wait for EOF or a connection error from the remote side */
gboolean remsim_test_raw_wait_closed (RemsimTestRaw *self, guint timeout_ms);
gboolean remsim_test_raw_is_closed (RemsimTestRaw *self);
/* local port of the connection (to find it in the server's log) */
guint16 remsim_test_raw_get_local_port (RemsimTestRaw *self);
void remsim_test_raw_free (RemsimTestRaw *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimTestRaw, remsim_test_raw_free)

G_END_DECLS
