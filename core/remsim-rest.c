/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "remsim-error.h"
#include "remsim-rest.h"

struct _RemsimRest {
	GObject parent_instance;
	RemsimServer *server;
	SoupServer *soup;
	guint16 port;
};

G_DEFINE_FINAL_TYPE (RemsimRest, remsim_rest, G_TYPE_OBJECT)

/* responses ******************************************************************/

static void
remsim_rest_respond_json (SoupServerMessage *msg, guint status, JsonNode *root)
{
	g_autoptr (JsonGenerator) gen = json_generator_new ();
	gsize len = 0;
	gchar *data;

	json_generator_set_pretty (gen, FALSE);
	json_generator_set_root (gen, root);
	data = json_generator_to_data (gen, &len);
	soup_server_message_set_status (msg, status, NULL);
	soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, data, len);
}

static void
remsim_rest_respond_empty (SoupServerMessage *msg, guint status)
{
	soup_server_message_set_status (msg, status, NULL);
}

static void G_GNUC_PRINTF (3, 4)
    remsim_rest_respond_error (SoupServerMessage *msg, guint status, const gchar *format, ...)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();
	g_autoptr (JsonNode) root = NULL;
	g_autofree gchar *why = NULL;
	va_list args;

	va_start (args, format);
	why = g_strdup_vprintf (format, args);
	va_end (args);

	g_info ("REST %s %s: %u %s",
		soup_server_message_get_method (msg),
		g_uri_get_path (soup_server_message_get_uri (msg)),
		status,
		why);
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "error");
	json_builder_add_string_value (builder, why);
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	remsim_rest_respond_json (msg, status, root);
}

/* JSON objects ***************************************************************/

typedef void (*RemsimRestAddFunc) (JsonBuilder *builder, gpointer item);

static void
remsim_rest_add_optional (JsonBuilder *builder, const gchar *name, const gchar *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	json_builder_set_member_name (builder, name);
	json_builder_add_string_value (builder, value);
}

static void
remsim_rest_add_identity (JsonBuilder *builder, const RemsimComponentIdentity *id)
{
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "type_");
	json_builder_add_string_value (builder, remsim_component_type_to_string (id->type));
	json_builder_set_member_name (builder, "name");
	json_builder_add_string_value (builder, id->name != NULL ? id->name : "");
	json_builder_set_member_name (builder, "software");
	json_builder_add_string_value (builder, id->software != NULL ? id->software : "");
	json_builder_set_member_name (builder, "swVersion");
	json_builder_add_string_value (builder, id->sw_version != NULL ? id->sw_version : "");
	remsim_rest_add_optional (builder, "hwManufacturer", id->hw_manufacturer);
	remsim_rest_add_optional (builder, "hwModel", id->hw_model);
	remsim_rest_add_optional (builder, "hwSerialNr", id->hw_serial_nr);
	remsim_rest_add_optional (builder, "hwVersion", id->hw_version);
	remsim_rest_add_optional (builder, "fwVersion", id->fw_version);
	json_builder_end_object (builder);
}

/* members shared by Client and Bank objects, inside an open object */
static void
remsim_rest_add_peer_members (JsonBuilder *builder, RemsimServerConn *conn)
{
	const RemsimComponentIdentity *id = remsim_server_conn_get_identity (conn);
	RemsimComponentIdentity empty = {0};

	json_builder_set_member_name (builder, "peer");
	json_builder_add_string_value (builder, remsim_server_conn_get_peer_name (conn));
	json_builder_set_member_name (builder, "state");
	json_builder_add_string_value (
	    builder, remsim_server_conn_state_to_string (remsim_server_conn_get_state (conn)));
	json_builder_set_member_name (builder, "component_id");
	remsim_rest_add_identity (builder, id != NULL ? id : &empty);
}

static void
remsim_rest_add_client (JsonBuilder *builder, gpointer item)
{
	RemsimServerConn *conn = REMSIM_SERVER_CONN (item);

	json_builder_begin_object (builder);
	remsim_rest_add_peer_members (builder, conn);
	json_builder_end_object (builder);
}

static void
remsim_rest_add_bank (JsonBuilder *builder, gpointer item)
{
	RemsimServerConn *conn = REMSIM_SERVER_CONN (item);

	json_builder_begin_object (builder);
	remsim_rest_add_peer_members (builder, conn);
	json_builder_set_member_name (builder, "bankId");
	json_builder_add_int_value (builder, remsim_server_conn_get_bank_id (conn));
	json_builder_set_member_name (builder, "numberOfSlots");
	json_builder_add_int_value (builder, remsim_server_conn_get_number_of_slots (conn));
	json_builder_end_object (builder);
}

static void
remsim_rest_add_slotmap (JsonBuilder *builder, gpointer item)
{
	RemsimSlotmap *map = REMSIM_SLOTMAP (item);
	const RemsimBankSlot *bank = remsim_slotmap_get_bank (map);
	const RemsimClientSlot *client = remsim_slotmap_get_client (map);

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "bank");
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "bankId");
	json_builder_add_int_value (builder, bank->bank_id);
	json_builder_set_member_name (builder, "slotNr");
	json_builder_add_int_value (builder, bank->slot_nr);
	json_builder_end_object (builder);
	json_builder_set_member_name (builder, "client");
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "clientId");
	json_builder_add_int_value (builder, client->client_id);
	json_builder_set_member_name (builder, "slotNr");
	json_builder_add_int_value (builder, client->slot_nr);
	json_builder_end_object (builder);
	json_builder_set_member_name (builder, "state");
	json_builder_add_string_value (
	    builder, remsim_slotmap_state_to_string (remsim_slotmap_get_state (map)));
	json_builder_end_object (builder);
}

static void
remsim_rest_respond_list (SoupServerMessage *msg,
			  const gchar *name,
			  GPtrArray *items,
			  RemsimRestAddFunc add)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();
	g_autoptr (JsonNode) root = NULL;

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, name);
	json_builder_begin_array (builder);
	for (guint i = 0; i < items->len; i++)
		add (builder, g_ptr_array_index (items, i));
	json_builder_end_array (builder);
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	remsim_rest_respond_json (msg, SOUP_STATUS_OK, root);
}

static void
remsim_rest_respond_one (SoupServerMessage *msg, RemsimRestAddFunc add, gpointer item)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();
	g_autoptr (JsonNode) root = NULL;

	add (builder, item);
	root = json_builder_get_root (builder);
	remsim_rest_respond_json (msg, SOUP_STATUS_OK, root);
}

/* request parsing ************************************************************/

/* a decimal number of digits only; FALSE if empty, not digits or > @max */
static gboolean
remsim_rest_parse_id (const gchar *str, guint64 max, guint64 *out)
{
	if (str[0] == '\0' || strlen (str) > 20)
		return FALSE;
	for (const gchar *p = str; *p != '\0'; p++) {
		if (!g_ascii_isdigit (*p))
			return FALSE;
	}
	return g_ascii_string_to_unsigned (str, 10, 0, max, out, NULL);
}

/* @parent.@name as an integer in 0..G_MAXUINT32; the range of ids
 * (0..REMSIM_ID_MAX) is the core's to check, so that REST and D-Bus refuse
 * an id with the same text */
static gboolean
remsim_rest_get_id_member (
    JsonObject *obj, const gchar *parent, const gchar *name, guint32 *out, GError **error)
{
	JsonNode *node = json_object_get_member (obj, name);
	gint64 value;

	if (node == NULL) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "missing member %s.%s",
			     parent,
			     name);
		return FALSE;
	}
	if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "%s.%s must be an integer",
			     parent,
			     name);
		return FALSE;
	}
	value = json_node_get_int (node);
	if (value < 0 || value > G_MAXUINT32) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "%s.%s out of range: %" G_GINT64_FORMAT ", expected 0..%u",
			     parent,
			     name,
			     value,
			     (guint)G_MAXUINT32);
		return FALSE;
	}
	*out = (guint32)value;
	return TRUE;
}

static JsonObject *
remsim_rest_get_object_member (JsonObject *obj, const gchar *name, GError **error)
{
	JsonNode *node = json_object_get_member (obj, name);

	if (node == NULL) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "missing member \"%s\"",
			     name);
		return NULL;
	}
	if (!JSON_NODE_HOLDS_OBJECT (node)) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "\"%s\" must be an object",
			     name);
		return NULL;
	}
	return json_node_get_object (node);
}

static gboolean
remsim_rest_parse_slotmap (
    const gchar *data, gsize len, RemsimBankSlot *bank, RemsimClientSlot *client, GError **error)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error_local = NULL;
	JsonNode *root;
	JsonObject *obj;
	JsonObject *jbank;
	JsonObject *jclient;

	if (len == 0) {
		g_set_error_literal (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "empty body, expected a JSON object");
		return FALSE;
	}
	if (memchr (data, '\0', len) != NULL || !g_utf8_validate (data, len, NULL)) {
		g_set_error_literal (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "invalid JSON: not UTF-8 text");
		return FALSE;
	}
	if (!json_parser_load_from_data (parser, data, len, &error_local)) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "invalid JSON: %s",
			     error_local->message);
		return FALSE;
	}
	root = json_parser_get_root (parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
		g_set_error_literal (error,
				     REMSIM_ERROR,
				     REMSIM_ERROR_INVALID_ARGUMENT,
				     "expected a JSON object with \"bank\" and \"client\"");
		return FALSE;
	}
	obj = json_node_get_object (root);
	jbank = remsim_rest_get_object_member (obj, "bank", error);
	if (jbank == NULL)
		return FALSE;
	jclient = remsim_rest_get_object_member (obj, "client", error);
	if (jclient == NULL)
		return FALSE;
	if (!remsim_rest_get_id_member (jbank, "bank", "bankId", &bank->bank_id, error))
		return FALSE;
	if (!remsim_rest_get_id_member (jbank, "bank", "slotNr", &bank->slot_nr, error))
		return FALSE;
	if (!remsim_rest_get_id_member (jclient, "client", "clientId", &client->client_id, error))
		return FALSE;
	if (!remsim_rest_get_id_member (jclient, "client", "slotNr", &client->slot_nr, error))
		return FALSE;
	return TRUE;
}

/* handlers *******************************************************************/

static void
remsim_rest_get_bank (RemsimRest *self, SoupServerMessage *msg, const gchar *id_str)
{
	RemsimServerConn *conn;
	guint64 id = 0;

	/* upstream refuses ids above 65535 with 400 */
	if (!remsim_rest_parse_id (id_str, G_MAXUINT16, &id)) {
		remsim_rest_respond_error (msg,
					   SOUP_STATUS_BAD_REQUEST,
					   "invalid bank id \"%s\", expected a number in 0..65535",
					   id_str);
		return;
	}
	conn = remsim_server_lookup_bank (self->server, (guint32)id);
	if (conn == NULL) {
		remsim_rest_respond_error (
		    msg, SOUP_STATUS_NOT_FOUND, "no bank with id %u is connected", (guint)id);
		return;
	}
	remsim_rest_respond_one (msg, remsim_rest_add_bank, conn);
}

static void
remsim_rest_get_client (RemsimRest *self, SoupServerMessage *msg, const gchar *id_str)
{
	RemsimServerConn *conn;
	guint64 id = 0;

	if (!remsim_rest_parse_id (id_str, G_MAXUINT16, &id)) {
		remsim_rest_respond_error (
		    msg,
		    SOUP_STATUS_BAD_REQUEST,
		    "invalid client id \"%s\", expected a number in 0..65535",
		    id_str);
		return;
	}
	/* the first connected client slot of this client id */
	conn = remsim_server_lookup_client_id (self->server, (guint32)id);
	if (conn == NULL) {
		remsim_rest_respond_error (
		    msg, SOUP_STATUS_NOT_FOUND, "no client with id %u is connected", (guint)id);
		return;
	}
	remsim_rest_respond_one (msg, remsim_rest_add_client, conn);
}

static gboolean
remsim_rest_content_type_ok (SoupServerMessage *msg, gchar **why)
{
	SoupMessageHeaders *hdrs = soup_server_message_get_request_headers (msg);
	const gchar *ct = soup_message_headers_get_content_type (hdrs, NULL);

	if (ct == NULL) {
		const gchar *raw = soup_message_headers_get_one (hdrs, "Content-Type");
		if (raw == NULL)
			return TRUE; /* no content type: take the body as JSON */
		*why = g_strdup_printf ("unsupported content type \"%s\", expected "
					"application/json",
					raw);
		return FALSE;
	}
	if (g_ascii_strcasecmp (ct, "application/json") == 0)
		return TRUE;
	*why = g_strdup_printf ("unsupported content type \"%s\", expected application/json", ct);
	return FALSE;
}

static void
remsim_rest_post_slotmap (RemsimRest *self, SoupServerMessage *msg)
{
	g_autoptr (GBytes) body = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (RemsimSlotmap) map = NULL;
	g_autofree gchar *why = NULL;
	RemsimBankSlot bank = {0};
	RemsimClientSlot client = {0};
	gsize len = 0;
	const gchar *data;

	if (!remsim_rest_content_type_ok (msg, &why)) {
		remsim_rest_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "%s", why);
		return;
	}
	body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
	data = g_bytes_get_data (body, &len);
	if (!remsim_rest_parse_slotmap (data, len, &bank, &client, &error)) {
		remsim_rest_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "%s", error->message);
		return;
	}
	map = remsim_server_create_slotmap (self->server, &bank, &client, &error);
	if (map == NULL) {
		remsim_rest_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "%s", error->message);
		return;
	}
	remsim_rest_respond_empty (msg, SOUP_STATUS_CREATED);
}

static void
remsim_rest_delete_slotmap (RemsimRest *self, SoupServerMessage *msg, const gchar *id_str)
{
	g_autoptr (GError) error = NULL;
	guint64 id = 0;

	if (!remsim_rest_parse_id (id_str, G_MAXUINT32, &id)) {
		remsim_rest_respond_error (
		    msg,
		    SOUP_STATUS_BAD_REQUEST,
		    "invalid slotmap id \"%s\", expected bankId * 65536 + slotNr",
		    id_str);
		return;
	}
	if (!remsim_server_remove_slotmap (self->server, (guint32)id, &error)) {
		remsim_rest_respond_error (msg, SOUP_STATUS_NOT_FOUND, "%s", error->message);
		return;
	}
	remsim_rest_respond_empty (msg, SOUP_STATUS_OK);
}

static void
remsim_rest_handler_cb (SoupServer *soup,
			SoupServerMessage *msg,
			const gchar *path_unused,
			GHashTable *query,
			gpointer user_data)
{
	RemsimRest *self = REMSIM_REST (user_data);
	const gchar *method = soup_server_message_get_method (msg);
	const gchar *path = g_uri_get_path (soup_server_message_get_uri (msg));
	g_auto (GStrv) parts = NULL;
	gboolean is_get = g_strcmp0 (method, SOUP_METHOD_GET) == 0;
	gboolean is_post = g_strcmp0 (method, SOUP_METHOD_POST) == 0;
	gboolean is_delete = g_strcmp0 (method, SOUP_METHOD_DELETE) == 0;
	guint n;

	g_debug ("REST %s %s", method, path);

	if (g_str_has_prefix (path, REMSIM_REST_PREFIX "/"))
		parts = g_strsplit (path + strlen (REMSIM_REST_PREFIX "/"), "/", -1);
	else
		parts = g_new0 (gchar *, 1);
	n = g_strv_length (parts);

	if (n == 1) {
		if (g_str_equal (parts[0], "banks") && is_get) {
			g_autoptr (GPtrArray) banks = remsim_server_get_banks (self->server);
			remsim_rest_respond_list (msg, "banks", banks, remsim_rest_add_bank);
			return;
		}
		if (g_str_equal (parts[0], "clients") && is_get) {
			g_autoptr (GPtrArray) clients = remsim_server_get_clients (self->server);
			remsim_rest_respond_list (msg, "clients", clients, remsim_rest_add_client);
			return;
		}
		if (g_str_equal (parts[0], "slotmaps") && is_get) {
			g_autoptr (GPtrArray) maps = remsim_server_get_slotmaps (self->server);
			remsim_rest_respond_list (msg, "slotmaps", maps, remsim_rest_add_slotmap);
			return;
		}
		if (g_str_equal (parts[0], "slotmaps") && is_post) {
			remsim_rest_post_slotmap (self, msg);
			return;
		}
		if (g_str_equal (parts[0], "global-reset") && is_post) {
			remsim_server_reset (self->server);
			remsim_rest_respond_empty (msg, SOUP_STATUS_OK);
			return;
		}
		if (g_str_equal (parts[0], "restart-counter") && is_get) {
			/* not implemented upstream either: 200, empty body */
			remsim_rest_respond_empty (msg, SOUP_STATUS_OK);
			return;
		}
	} else if (n == 2 && parts[1][0] != '\0') {
		if (g_str_equal (parts[0], "banks") && is_get) {
			remsim_rest_get_bank (self, msg, parts[1]);
			return;
		}
		if (g_str_equal (parts[0], "clients") && is_get) {
			remsim_rest_get_client (self, msg, parts[1]);
			return;
		}
		if (g_str_equal (parts[0], "slotmaps") && is_delete) {
			remsim_rest_delete_slotmap (self, msg, parts[1]);
			return;
		}
	}

	remsim_rest_respond_error (
	    msg, SOUP_STATUS_NOT_FOUND, "no such resource: %s %s", method, path);
}

/* setup **********************************************************************/

gboolean
remsim_rest_listen (RemsimRest *self, const gchar *host, guint16 port, GError **error)
{
	g_autoptr (GInetAddress) inet = NULL;
	g_autoptr (GSocketAddress) addr = NULL;
	GSList *listeners;

	g_return_val_if_fail (REMSIM_IS_REST (self), FALSE);
	g_return_val_if_fail (host != NULL, FALSE);

	inet = g_inet_address_new_from_string (host);
	if (inet == NULL) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_INVALID_ARGUMENT,
			     "cannot listen on %s: not an IPv4 or IPv6 address",
			     host);
		return FALSE;
	}
	addr = g_inet_socket_address_new (inet, port);
	if (!soup_server_listen (self->soup, addr, 0, error)) {
		g_prefix_error (error, "cannot listen on %s port %u: ", host, port);
		return FALSE;
	}
	if (self->port != 0)
		return TRUE;

	/* the newest listener is the one just added */
	listeners = soup_server_get_listeners (self->soup);
	for (GSList *l = listeners; l != NULL; l = l->next) {
		g_autoptr (GSocketAddress) local = g_socket_get_local_address (l->data, NULL);
		if (local != NULL && G_IS_INET_SOCKET_ADDRESS (local)) {
			self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
			break;
		}
	}
	g_slist_free (listeners);
	return TRUE;
}

guint16
remsim_rest_get_port (RemsimRest *self)
{
	g_return_val_if_fail (REMSIM_IS_REST (self), 0);
	return self->port;
}

void
remsim_rest_stop (RemsimRest *self)
{
	g_return_if_fail (REMSIM_IS_REST (self));
	if (self->soup != NULL)
		soup_server_disconnect (self->soup);
}

RemsimRest *
remsim_rest_new (RemsimServer *server)
{
	RemsimRest *self;

	g_return_val_if_fail (REMSIM_IS_SERVER (server), NULL);

	self = g_object_new (REMSIM_TYPE_REST, NULL);
	self->server = g_object_ref (server);
	return self;
}

static void
remsim_rest_dispose (GObject *object)
{
	RemsimRest *self = REMSIM_REST (object);

	if (self->soup != NULL) {
		soup_server_disconnect (self->soup);
		g_clear_object (&self->soup);
	}
	g_clear_object (&self->server);
	G_OBJECT_CLASS (remsim_rest_parent_class)->dispose (object);
}

static void
remsim_rest_class_init (RemsimRestClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->dispose = remsim_rest_dispose;
}

static void
remsim_rest_init (RemsimRest *self)
{
	self->soup = soup_server_new ("server-header", "remsim-server/" PACKAGE_VERSION " ", NULL);
	soup_server_add_handler (self->soup, NULL, remsim_rest_handler_cb, self, NULL);
}
