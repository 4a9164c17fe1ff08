/* SPDX-License-Identifier: GPL-2.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "remsim-test-utils.h"

/* ---- main loop ---- */

static gboolean
remsim_test_set_flag_cb (gpointer user_data)
{
	gboolean *flag = user_data;
	*flag = TRUE;
	return G_SOURCE_REMOVE;
}

static gboolean
remsim_test_tick_cb (gpointer user_data)
{
	/* only wakes the main context so that external conditions (files,
	 * processes) are checked again */
	return G_SOURCE_CONTINUE;
}

gboolean
remsim_test_wait_until (RemsimTestCondFunc cond, gpointer user_data, guint timeout_ms)
{
	gboolean timed_out = FALSE;
	guint timeout_id;
	guint tick_id;

	if (cond (user_data))
		return TRUE;
	timeout_id = g_timeout_add (timeout_ms, remsim_test_set_flag_cb, &timed_out);
	tick_id = g_timeout_add (10, remsim_test_tick_cb, NULL);
	while (!timed_out) {
		g_main_context_iteration (NULL, TRUE);
		if (cond (user_data)) {
			if (!timed_out)
				g_source_remove (timeout_id);
			g_source_remove (tick_id);
			return TRUE;
		}
	}
	g_source_remove (tick_id);
	return cond (user_data);
}

static gboolean
remsim_test_flag_cond (gpointer user_data)
{
	const gboolean *flag = user_data;
	return *flag;
}

gboolean
remsim_test_wait_flag (const gboolean *flag, guint timeout_ms)
{
	return remsim_test_wait_until (remsim_test_flag_cond, (gpointer)flag, timeout_ms);
}

void
remsim_test_run_for (guint ms)
{
	gboolean done = FALSE;

	g_timeout_add (ms, remsim_test_set_flag_cb, &done);
	while (!done)
		g_main_context_iteration (NULL, TRUE);
}

/* ---- files and ports ---- */

gchar *
remsim_test_mkdtemp (void)
{
	g_autoptr (GError) error = NULL;
	gchar *dir = g_dir_make_tmp ("remsim-test-XXXXXX", &error);

	g_assert_no_error (error);
	return dir;
}

void
remsim_test_rmdir (const gchar *path)
{
	g_autoptr (GDir) dir = NULL;
	const gchar *name;

	if (path == NULL)
		return;
	dir = g_dir_open (path, 0, NULL);
	if (dir == NULL)
		return;
	while ((name = g_dir_read_name (dir)) != NULL) {
		g_autofree gchar *child = g_build_filename (path, name, NULL);
		if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
		    !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
			remsim_test_rmdir (child);
		else
			g_unlink (child);
	}
	g_rmdir (path);
}

guint16
remsim_test_free_port (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GSocket) sock = NULL;
	g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
	g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
	g_autoptr (GSocketAddress) bound = NULL;
	guint16 port;

	sock = g_socket_new (
	    G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
	g_assert_no_error (error);
	g_socket_bind (sock, addr, FALSE, &error);
	g_assert_no_error (error);
	bound = g_socket_get_local_address (sock, &error);
	g_assert_no_error (error);
	port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
	g_socket_close (sock, NULL);
	g_assert_cmpuint (port, !=, 0);
	return port;
}

typedef struct {
	gboolean done;
	GSocketConnection *conn;
	GError *error;
} RemsimTestConnectData;

static void
remsim_test_connect_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimTestConnectData *data = user_data;

	data->conn = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), res, &data->error);
	data->done = TRUE;
}

/* connect on the main loop; NULL with @error set on failure or timeout */
static GSocketConnection *
remsim_test_connect (const gchar *host, guint16 port, guint timeout_ms, GError **error)
{
	g_autoptr (GSocketClient) client = g_socket_client_new ();
	g_autoptr (GInetAddress) ia = g_inet_address_new_from_string (host);
	g_autoptr (GSocketAddress) addr = NULL;
	g_autoptr (GCancellable) cancellable = g_cancellable_new ();
	RemsimTestConnectData data = {0};

	if (ia == NULL) {
		g_set_error (
		    error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad address %s", host);
		return NULL;
	}
	addr = g_inet_socket_address_new (ia, port);
	/* loopback only; and the proxy settings need GSettings schemas, which
	 * G_TEST_OPTION_ISOLATE_DIRS hides */
	g_socket_client_set_enable_proxy (client, FALSE);
	g_socket_client_connect_async (
	    client, G_SOCKET_CONNECTABLE (addr), cancellable, remsim_test_connect_cb, &data);
	if (!remsim_test_wait_flag (&data.done, timeout_ms)) {
		g_cancellable_cancel (cancellable);
		while (!data.done)
			g_main_context_iteration (NULL, TRUE);
	}
	if (data.conn == NULL) {
		g_propagate_prefixed_error (
		    error, data.error, "connecting to %s:%u: ", host, (guint)port);
		return NULL;
	}
	g_clear_error (&data.error);
	return data.conn;
}

gboolean
remsim_test_wait_port (guint16 port, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

	while (g_get_monotonic_time () < deadline) {
		g_autoptr (GSocketConnection) conn = NULL;
		g_autoptr (GError) error = NULL;

		conn = remsim_test_connect ("127.0.0.1", port, 1000, &error);
		if (conn != NULL) {
			g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
			return TRUE;
		}
		/* polling interval between two connection attempts */
		remsim_test_run_for (20);
	}
	return FALSE;
}

/* ---- child processes ---- */

struct _RemsimTestProc {
	GSubprocess *proc;
	gchar *log_path;
	gchar *pid;
	gboolean exited;
	gint wait_status;
};

const gchar *
remsim_test_program (const gchar *env_var)
{
	const gchar *path = g_getenv (env_var);

	if (path == NULL || path[0] == '\0')
		g_error ("%s is not set; run the test with meson test", env_var);
	return path;
}

static void
remsim_test_proc_child_setup (gpointer user_data)
{
	/* never outlive a test that aborted on a failed assertion */
	prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
remsim_test_proc_wait_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimTestProc *self = user_data;
	GSubprocess *proc = G_SUBPROCESS (source);

	/* errors only on cancellation, which we never do */
	g_subprocess_wait_finish (proc, res, NULL);
	self->wait_status = g_subprocess_get_status (proc);
	self->exited = TRUE;
}

RemsimTestProc *
remsim_test_proc_spawn (const gchar *const *argv, const gchar *log_path, GError **error)
{
	g_autoptr (GSubprocessLauncher) launcher = NULL;
	g_autoptr (RemsimTestProc) self = g_new0 (RemsimTestProc, 1);
	g_autoptr (GString) cmd = g_string_new (NULL);
	gint fd;

	self->log_path = g_strdup (log_path);
	self->wait_status = -1;
	fd = g_open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		g_set_error (error,
			     G_IO_ERROR,
			     g_io_error_from_errno (errno),
			     "cannot open %s: %s",
			     log_path,
			     g_strerror (errno));
		return NULL;
	}
	for (guint i = 0; argv[i] != NULL; i++)
		g_string_append_printf (cmd, "%s%s", i > 0 ? " " : "", argv[i]);
	g_debug ("spawning %s (log %s)", cmd->str, log_path);

	launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
	g_subprocess_launcher_take_stdout_fd (launcher, dup (fd));
	g_subprocess_launcher_take_stderr_fd (launcher, fd);
	g_subprocess_launcher_set_child_setup (launcher, remsim_test_proc_child_setup, NULL, NULL);
	self->proc = g_subprocess_launcher_spawnv (launcher, argv, error);
	if (self->proc == NULL)
		return NULL;
	self->pid = g_strdup (g_subprocess_get_identifier (self->proc));
	g_subprocess_wait_async (self->proc, NULL, remsim_test_proc_wait_cb, self);
	return g_steal_pointer (&self);
}

gboolean
remsim_test_proc_is_alive (RemsimTestProc *self)
{
	g_autofree gchar *stat_path = NULL;
	g_autofree gchar *stat = NULL;
	const gchar *p;

	while (g_main_context_iteration (NULL, FALSE))
		;
	if (self->exited)
		return FALSE;
	/* an exited child that GLib has not reaped yet is a zombie */
	stat_path = g_strdup_printf ("/proc/%s/stat", self->pid);
	if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
		return FALSE;
	p = strrchr (stat, ')');
	if (p == NULL || p[1] == '\0' || p[2] == '\0')
		return FALSE;
	return p[2] != 'Z' && p[2] != 'X';
}

gboolean
remsim_test_proc_wait (RemsimTestProc *self, guint timeout_ms)
{
	return remsim_test_wait_flag (&self->exited, timeout_ms);
}

gboolean
remsim_test_proc_signal_and_wait (RemsimTestProc *self, gint sig, guint timeout_ms)
{
	if (!self->exited)
		g_subprocess_send_signal (self->proc, sig);
	return remsim_test_proc_wait (self, timeout_ms);
}

gboolean
remsim_test_proc_exited_with (RemsimTestProc *self, gint status, gint allow_sig)
{
	if (!self->exited)
		return FALSE;
	if (WIFEXITED (self->wait_status))
		return WEXITSTATUS (self->wait_status) == status;
	if (WIFSIGNALED (self->wait_status))
		return allow_sig != 0 && WTERMSIG (self->wait_status) == allow_sig;
	return FALSE;
}

gint
remsim_test_proc_get_wait_status (RemsimTestProc *self)
{
	return self->exited ? self->wait_status : -1;
}

const gchar *
remsim_test_proc_get_log_path (RemsimTestProc *self)
{
	return self->log_path;
}

gchar *
remsim_test_proc_read_log (RemsimTestProc *self)
{
	gchar *contents = NULL;

	if (!g_file_get_contents (self->log_path, &contents, NULL, NULL))
		return g_strdup ("");
	return contents;
}

typedef struct {
	RemsimTestProc *proc;
	const gchar *needle;
} RemsimTestLogWait;

static gboolean
remsim_test_log_cond (gpointer user_data)
{
	RemsimTestLogWait *w = user_data;
	g_autofree gchar *log = remsim_test_proc_read_log (w->proc);
	return strstr (log, w->needle) != NULL;
}

gboolean
remsim_test_proc_wait_log (RemsimTestProc *self, const gchar *needle, guint timeout_ms)
{
	RemsimTestLogWait w = {self, needle};
	return remsim_test_wait_until (remsim_test_log_cond, &w, timeout_ms);
}

void
remsim_test_proc_free (RemsimTestProc *self)
{
	if (self == NULL)
		return;
	if (self->proc != NULL) {
		if (!self->exited) {
			g_subprocess_force_exit (self->proc);
			/* SIGKILL cannot be ignored; the wait callback must run
			 * before self goes away */
			while (!self->exited)
				g_main_context_iteration (NULL, TRUE);
		}
		g_object_unref (self->proc);
	}
	g_free (self->pid);
	g_free (self->log_path);
	g_free (self);
}

/* ---- HTTP ---- */

typedef struct {
	gboolean done;
	GBytes *body;
	GError *error;
} RemsimTestHttpData;

static void
remsim_test_http_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimTestHttpData *data = user_data;

	data->body = soup_session_send_and_read_finish (SOUP_SESSION (source), res, &data->error);
	data->done = TRUE;
}

RemsimTestHttpResponse *
remsim_test_http (const gchar *method,
		  const gchar *url,
		  const gchar *content_type,
		  const gchar *body)
{
	/* a session per request: no keep-alive connection survives into the
	 * next request (the server may have been restarted meanwhile) */
	g_autoptr (SoupSession) session =
	    soup_session_new_with_options ("timeout", 10, "proxy-resolver", NULL, NULL);
	g_autoptr (SoupMessage) msg = soup_message_new (method, url);
	g_autoptr (GCancellable) cancellable = g_cancellable_new ();
	RemsimTestHttpResponse *resp = g_new0 (RemsimTestHttpResponse, 1);
	RemsimTestHttpData data = {0};
	const gchar *ct;

	g_assert_nonnull (msg);
	if (body != NULL) {
		g_autoptr (GBytes) b = g_bytes_new (body, strlen (body));
		soup_message_set_request_body_from_bytes (msg, content_type, b);
	} else if (content_type != NULL) {
		soup_message_headers_replace (
		    soup_message_get_request_headers (msg), "Content-Type", content_type);
	}
	soup_session_send_and_read_async (
	    session, msg, G_PRIORITY_DEFAULT, cancellable, remsim_test_http_cb, &data);
	if (!remsim_test_wait_flag (&data.done, 10000)) {
		g_cancellable_cancel (cancellable);
		while (!data.done)
			g_main_context_iteration (NULL, TRUE);
	}
	if (data.body == NULL) {
		resp->error = g_strdup_printf (
		    "%s %s: %s", method, url, data.error != NULL ? data.error->message : "failed");
		g_clear_error (&data.error);
		resp->body = g_bytes_new (NULL, 0);
		return resp;
	}
	resp->status = soup_message_get_status (msg);
	resp->body = data.body;
	ct = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
	resp->content_type = g_strdup (ct);
	if (g_bytes_get_size (resp->body) > 0) {
		g_autoptr (JsonParser) parser = json_parser_new ();
		gsize len;
		const gchar *d = g_bytes_get_data (resp->body, &len);

		if (json_parser_load_from_data (parser, d, (gssize)len, NULL) &&
		    json_parser_get_root (parser) != NULL)
			resp->json = json_node_copy (json_parser_get_root (parser));
	}
	g_debug ("%s %s -> %u %s",
		 method,
		 url,
		 resp->status,
		 resp->content_type ? resp->content_type : "");
	return resp;
}

RemsimTestHttpResponse *
remsim_test_http_get (const gchar *base, const gchar *path)
{
	g_autofree gchar *url = g_strconcat (base, path, NULL);
	return remsim_test_http ("GET", url, NULL, NULL);
}

RemsimTestHttpResponse *
remsim_test_http_post_json (const gchar *base, const gchar *path, const gchar *body)
{
	g_autofree gchar *url = g_strconcat (base, path, NULL);
	return remsim_test_http ("POST", url, "application/json", body);
}

RemsimTestHttpResponse *
remsim_test_http_delete (const gchar *base, const gchar *path)
{
	g_autofree gchar *url = g_strconcat (base, path, NULL);
	return remsim_test_http ("DELETE", url, NULL, NULL);
}

void
remsim_test_http_response_free (RemsimTestHttpResponse *self)
{
	if (self == NULL)
		return;
	g_free (self->content_type);
	g_clear_pointer (&self->body, g_bytes_unref);
	g_clear_pointer (&self->json, json_node_unref);
	g_free (self->error);
	g_free (self);
}

gchar *
remsim_test_http_response_body_str (RemsimTestHttpResponse *self)
{
	gsize len = 0;
	const gchar *d = self->body != NULL ? g_bytes_get_data (self->body, &len) : NULL;
	return g_strndup (d != NULL ? d : "", len);
}

static gint
remsim_test_strcmp (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (a, b);
}

gchar *
remsim_test_json_keys (JsonObject *obj)
{
	g_autoptr (GList) members = json_object_get_members (obj);
	g_autoptr (GString) str = g_string_new (NULL);

	members = g_list_sort (members, remsim_test_strcmp);
	for (GList *l = members; l != NULL; l = l->next)
		g_string_append_printf (
		    str, "%s%s", str->len > 0 ? "," : "", (const gchar *)l->data);
	return g_string_free (g_steal_pointer (&str), FALSE);
}

gchar *
remsim_test_json_to_string (JsonNode *node)
{
	if (node == NULL)
		return g_strdup ("(null)");
	return json_to_string (node, FALSE);
}

/* ---- scripted RSPRO peer ---- */

struct _RemsimTestPeer {
	gchar *name;
	RemsimLink *link;
	GPtrArray *received; /* RemsimRsproMsg, all */
	GPtrArray *pending;  /* RemsimRsproMsg, not consumed by wait_for */
	gboolean closed;
	gchar *close_reason;
};

static void
remsim_test_peer_message_cb (RemsimLink *link, RemsimRsproMsg *msg, gpointer user_data)
{
	RemsimTestPeer *self = user_data;

	g_debug ("%s: received %s", self->name, remsim_rspro_type_to_string (msg->type));
	g_ptr_array_add (self->received, remsim_rspro_msg_copy (msg));
	g_ptr_array_add (self->pending, remsim_rspro_msg_copy (msg));
}

static void
remsim_test_peer_closed_cb (RemsimLink *link, const gchar *reason, gpointer user_data)
{
	RemsimTestPeer *self = user_data;

	g_debug ("%s: closed: %s", self->name, reason);
	self->closed = TRUE;
	g_free (self->close_reason);
	self->close_reason = g_strdup (reason != NULL ? reason : "");
}

RemsimTestPeer *
remsim_test_peer_connect (const gchar *host, guint16 port, const gchar *name, GError **error)
{
	g_autoptr (GSocketConnection) conn = NULL;
	RemsimTestPeer *self;

	conn = remsim_test_connect (host, port, REMSIM_TEST_TIMEOUT_MS, error);
	if (conn == NULL)
		return NULL;
	self = g_new0 (RemsimTestPeer, 1);
	self->name = g_strdup (name);
	self->received = g_ptr_array_new_with_free_func ((GDestroyNotify)remsim_rspro_msg_free);
	self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify)remsim_rspro_msg_free);
	self->link = remsim_link_new (G_IO_STREAM (conn), REMSIM_LINK_ROLE_INITIATOR);
	remsim_link_set_name (self->link, name);
	g_signal_connect (self->link, "message", G_CALLBACK (remsim_test_peer_message_cb), self);
	g_signal_connect (self->link, "closed", G_CALLBACK (remsim_test_peer_closed_cb), self);
	remsim_link_start (self->link);
	return self;
}

RemsimLink *
remsim_test_peer_get_link (RemsimTestPeer *self)
{
	return self->link;
}

gboolean
remsim_test_peer_send (RemsimTestPeer *self, const RemsimRsproMsg *msg, GError **error)
{
	return remsim_link_send (self->link, msg, error);
}

typedef struct {
	RemsimTestPeer *peer;
	gint type;
} RemsimTestPeerWait;

static gint
remsim_test_peer_find_pending (RemsimTestPeer *self, gint type)
{
	for (guint i = 0; i < self->pending->len; i++) {
		RemsimRsproMsg *m = g_ptr_array_index (self->pending, i);
		if (type == -2 || (gint)m->type == type)
			return (gint)i;
	}
	return -1;
}

static gboolean
remsim_test_peer_wait_cond (gpointer user_data)
{
	RemsimTestPeerWait *w = user_data;
	return remsim_test_peer_find_pending (w->peer, w->type) >= 0;
}

RemsimRsproMsg *
remsim_test_peer_wait_for (RemsimTestPeer *self, RemsimRsproType type, guint timeout_ms)
{
	RemsimTestPeerWait w = {self, (gint)type};
	gint idx;

	if (!remsim_test_wait_until (remsim_test_peer_wait_cond, &w, timeout_ms)) {
		g_test_message ("%s: no %s within %u ms (%u other messages pending%s)",
				self->name,
				remsim_rspro_type_to_string (type),
				timeout_ms,
				self->pending->len,
				self->closed ? ", link closed" : "");
		return NULL;
	}
	idx = remsim_test_peer_find_pending (self, (gint)type);
	return g_ptr_array_steal_index (self->pending, (guint)idx);
}

guint
remsim_test_peer_count_pending (RemsimTestPeer *self, gint type)
{
	guint n = 0;

	for (guint i = 0; i < self->pending->len; i++) {
		RemsimRsproMsg *m = g_ptr_array_index (self->pending, i);
		if (type == -2 || (gint)m->type == type)
			n++;
	}
	return n;
}

GPtrArray *
remsim_test_peer_get_received (RemsimTestPeer *self)
{
	return self->received;
}

gboolean
remsim_test_peer_wait_closed (RemsimTestPeer *self, guint timeout_ms)
{
	return remsim_test_wait_flag (&self->closed, timeout_ms);
}

gboolean
remsim_test_peer_is_closed (RemsimTestPeer *self)
{
	return self->closed;
}

const gchar *
remsim_test_peer_get_close_reason (RemsimTestPeer *self)
{
	return self->close_reason;
}

void
remsim_test_peer_free (RemsimTestPeer *self)
{
	if (self == NULL)
		return;
	if (self->link != NULL) {
		g_signal_handlers_disconnect_by_data (self->link, self);
		if (!remsim_link_is_closed (self->link))
			remsim_link_close (self->link, "test peer done");
		g_object_unref (self->link);
	}
	g_ptr_array_unref (self->received);
	g_ptr_array_unref (self->pending);
	g_free (self->close_reason);
	g_free (self->name);
	g_free (self);
}

RemsimRsproMsg *
remsim_test_msg_connect_bank_req (guint32 bank_id, guint32 n_slots, const gchar *name)
{
	RemsimRsproMsg *msg = remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_BANK_REQ);

	remsim_component_identity_init_self (&msg->identity, REMSIM_COMPONENT_BANKD, name);
	msg->bank_id = bank_id;
	msg->number_of_slots = n_slots;
	return msg;
}

RemsimRsproMsg *
remsim_test_msg_connect_client_req (guint32 client_id, guint32 slot_nr, const gchar *name)
{
	RemsimRsproMsg *msg = remsim_rspro_msg_new (REMSIM_RSPRO_CONNECT_CLIENT_REQ);

	remsim_component_identity_init_self (&msg->identity, REMSIM_COMPONENT_CLIENT, name);
	msg->has_client_slot = TRUE;
	msg->client_slot.client_id = client_id;
	msg->client_slot.slot_nr = slot_nr;
	return msg;
}

RemsimRsproMsg *
remsim_test_msg_result (RemsimRsproType type, RemsimResultCode result)
{
	RemsimRsproMsg *msg = remsim_rspro_msg_new (type);

	msg->result = result;
	return msg;
}

RemsimTestPeer *
remsim_test_peer_new_bankd (guint16 port, guint32 bank_id, guint32 n_slots)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *name = g_strdup_printf ("bankd-B%u", bank_id);
	g_autoptr (RemsimTestPeer) peer = NULL;
	g_autoptr (RemsimRsproMsg) req = remsim_test_msg_connect_bank_req (bank_id, n_slots, name);
	g_autoptr (RemsimRsproMsg) res = NULL;

	peer = remsim_test_peer_connect ("127.0.0.1", port, name, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_peer_send (peer, req, &error));
	g_assert_no_error (error);
	res =
	    remsim_test_peer_wait_for (peer, REMSIM_RSPRO_CONNECT_BANK_RES, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (res);
	g_assert_cmpstr (remsim_result_code_to_string (res->result),
			 ==,
			 remsim_result_code_to_string (REMSIM_RESULT_OK));
	return g_steal_pointer (&peer);
}

RemsimTestPeer *
remsim_test_peer_new_client (guint16 port, guint32 client_id, guint32 slot_nr)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *name = g_strdup_printf ("client-C%u:%u", client_id, slot_nr);
	g_autoptr (RemsimTestPeer) peer = NULL;
	g_autoptr (RemsimRsproMsg) req =
	    remsim_test_msg_connect_client_req (client_id, slot_nr, name);
	g_autoptr (RemsimRsproMsg) res = NULL;

	peer = remsim_test_peer_connect ("127.0.0.1", port, name, &error);
	g_assert_no_error (error);
	g_assert_true (remsim_test_peer_send (peer, req, &error));
	g_assert_no_error (error);
	res = remsim_test_peer_wait_for (
	    peer, REMSIM_RSPRO_CONNECT_CLIENT_RES, REMSIM_TEST_TIMEOUT_MS);
	g_assert_nonnull (res);
	g_assert_cmpstr (remsim_result_code_to_string (res->result),
			 ==,
			 remsim_result_code_to_string (REMSIM_RESULT_OK));
	return g_steal_pointer (&peer);
}

gchar *
remsim_test_ip_port_to_string (const RemsimIpPort *ip)
{
	if (ip->family == G_SOCKET_FAMILY_IPV6) {
		g_autoptr (GInetAddress) ia =
		    g_inet_address_new_from_bytes (ip->addr, G_SOCKET_FAMILY_IPV6);
		g_autofree gchar *s = g_inet_address_to_string (ia);
		return g_strdup_printf ("[%s]:%u", s, ip->port);
	}
	return g_strdup_printf (
	    "%u.%u.%u.%u:%u", ip->addr[0], ip->addr[1], ip->addr[2], ip->addr[3], ip->port);
}

/* ---- raw TCP ---- */

struct _RemsimTestRaw {
	GSocketConnection *conn;
	GCancellable *cancellable;
	GByteArray *received;
	guint8 buf[4096];
	gboolean reading;
	gboolean closed;
	gchar *close_reason;
};

static void remsim_test_raw_read_cb (GObject *source, GAsyncResult *res, gpointer user_data);

static void
remsim_test_raw_start_read (RemsimTestRaw *self)
{
	self->reading = TRUE;
	g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (self->conn)),
				   self->buf,
				   sizeof (self->buf),
				   G_PRIORITY_DEFAULT,
				   self->cancellable,
				   remsim_test_raw_read_cb,
				   self);
}

static void
remsim_test_raw_read_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimTestRaw *self = user_data;
	g_autoptr (GError) error = NULL;
	gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), res, &error);

	self->reading = FALSE;
	if (n < 0) {
		if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			self->closed = TRUE;
			self->close_reason = g_strdup (error->message);
		}
		return;
	}
	if (n == 0) {
		self->closed = TRUE;
		self->close_reason = g_strdup ("EOF");
		return;
	}
	g_byte_array_append (self->received, self->buf, (guint)n);
	remsim_test_raw_start_read (self);
}

RemsimTestRaw *
remsim_test_raw_connect (const gchar *host, guint16 port, GError **error)
{
	RemsimTestRaw *self;
	GSocketConnection *conn = remsim_test_connect (host, port, REMSIM_TEST_TIMEOUT_MS, error);

	if (conn == NULL)
		return NULL;
	self = g_new0 (RemsimTestRaw, 1);
	self->conn = conn;
	self->cancellable = g_cancellable_new ();
	self->received = g_byte_array_new ();
	remsim_test_raw_start_read (self);
	return self;
}

gboolean
remsim_test_raw_send (RemsimTestRaw *self, const guint8 *data, gsize len, GError **error)
{
	GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (self->conn));
	return g_output_stream_write_all (out, data, len, NULL, NULL, error);
}

GBytes *
remsim_test_raw_get_received (RemsimTestRaw *self)
{
	return g_bytes_new (self->received->data, self->received->len);
}

typedef struct {
	RemsimTestRaw *raw;
	gsize len;
	const guint8 *frame;
	guint n;
} RemsimTestRawWait;

static gboolean
remsim_test_raw_bytes_cond (gpointer user_data)
{
	RemsimTestRawWait *w = user_data;
	return w->raw->received->len >= w->len;
}

gboolean
remsim_test_raw_wait_bytes (RemsimTestRaw *self, gsize len, guint timeout_ms)
{
	RemsimTestRawWait w = {self, len, NULL, 0};
	return remsim_test_wait_until (remsim_test_raw_bytes_cond, &w, timeout_ms);
}

guint
remsim_test_raw_count_frames (RemsimTestRaw *self, const guint8 *frame, gsize len)
{
	const guint8 *d = self->received->data;
	gsize n = self->received->len;
	gsize off = 0;
	guint count = 0;

	while (off + 3 <= n) {
		gsize flen = 3 + (((gsize)d[off] << 8) | d[off + 1]);
		if (off + flen > n)
			break;
		if (flen == len && memcmp (d + off, frame, len) == 0)
			count++;
		off += flen;
	}
	return count;
}

static gboolean
remsim_test_raw_frame_cond (gpointer user_data)
{
	RemsimTestRawWait *w = user_data;
	return remsim_test_raw_count_frames (w->raw, w->frame, w->len) >= w->n;
}

gboolean
remsim_test_raw_wait_frames (
    RemsimTestRaw *self, const guint8 *frame, gsize len, guint n, guint timeout_ms)
{
	RemsimTestRawWait w = {self, len, frame, n};
	return remsim_test_wait_until (remsim_test_raw_frame_cond, &w, timeout_ms);
}

gboolean
remsim_test_raw_wait_frame (RemsimTestRaw *self, const guint8 *frame, gsize len, guint timeout_ms)
{
	return remsim_test_raw_wait_frames (self, frame, len, 1, timeout_ms);
}

gboolean
remsim_test_raw_wait_closed (RemsimTestRaw *self, guint timeout_ms)
{
	return remsim_test_wait_flag (&self->closed, timeout_ms);
}

gboolean
remsim_test_raw_is_closed (RemsimTestRaw *self)
{
	return self->closed;
}

guint16
remsim_test_raw_get_local_port (RemsimTestRaw *self)
{
	g_autoptr (GSocketAddress) addr = g_socket_connection_get_local_address (self->conn, NULL);

	if (addr == NULL)
		return 0;
	return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (addr));
}

void
remsim_test_raw_free (RemsimTestRaw *self)
{
	if (self == NULL)
		return;
	g_cancellable_cancel (self->cancellable);
	/* the read callback uses self: let it run before freeing */
	while (self->reading)
		g_main_context_iteration (NULL, TRUE);
	g_io_stream_close (G_IO_STREAM (self->conn), NULL, NULL);
	g_object_unref (self->conn);
	g_object_unref (self->cancellable);
	g_byte_array_unref (self->received);
	g_free (self->close_reason);
	g_free (self);
}
