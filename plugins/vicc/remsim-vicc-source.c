/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimViccSource: the bank side of the vpcd/vicc socket protocol
 * (protocols.md §8). We are the reader ("vpcd"), the connected program is
 * the card ("vicc").
 *
 * Everything runs on the main context, no threads. Per slot there is at
 * most one connection and a queue of operations; the head operation is
 * written (all its messages in one write) and, if it expects a reply, waits
 * for it with a timeout. A read is always pending while connected, so a
 * vicc that goes away is noticed at once.
 *
 *   operation   messages                 reply
 *   probe       get ATR                  ATR (on connect: "card present")
 *   power on    ON, get ATR              ATR
 *   cold reset  OFF, ON, get ATR         ATR
 *   warm reset  RESET, get ATR           ATR
 *   transmit    the APDU                 response (data, SW1 SW2)
 *   power off   OFF                      none
 *
 * A cancelled operation completes at once; if its request is already on the
 * wire it stays in the queue without a task until the reply arrives (and is
 * dropped), so that replies never get out of step. A timeout, an empty
 * reply, an unsolicited message or a closed socket ends the connection:
 * every pending operation fails with REMSIM_ERROR_CARD_ABSENT (the timed
 * out one with REMSIM_ERROR_TIMED_OUT) and "card-changed" (FALSE) follows.
 */
#include "config.h"

#include <string.h>

#include "remsim-vicc-conn.h"
#include "remsim-vicc-proto.h"
#include "remsim-vicc-source.h"

#define REMSIM_VICC_SOURCE_TAG(fn) ((gpointer)(guintptr)(fn))

#define REMSIM_VICC_DEFAULT_TIMEOUT_MS	 10000
#define REMSIM_VICC_DEFAULT_RECONNECT_MS 500
#define REMSIM_VICC_RX_INITIAL		 512

typedef enum {
	REMSIM_VICC_OP_PROBE,
	REMSIM_VICC_OP_POWER_ON,
	REMSIM_VICC_OP_COLD_RESET,
	REMSIM_VICC_OP_WARM_RESET,
	REMSIM_VICC_OP_TRANSMIT,
	REMSIM_VICC_OP_POWER_OFF,
} RemsimViccOpKind;

typedef struct {
	RemsimViccSource *self; /* not owned; ops never outlive it */
	RemsimViccOpKind kind;
	GTask *task; /* NULL for internal ops and once completed */
	GBytes *wire;
	gboolean wants_reply;
	gboolean sent;
	GCancellable *cancellable;
	gulong cancel_id;
	GSource *cancel_source;
} RemsimViccOp;

struct _RemsimViccSource {
	GObject parent_instance;

	RemsimPluginInstanceProps props; /* config, group, slot */
	gchar *name;			 /* "[source:x] slot 3", for messages */

	/* configuration */
	gboolean reversed;
	gchar *host; /* listen address (NULL: all) or host to connect to */
	guint16 port;
	guint timeout_ms;
	guint reconnect_ms;

	GMainContext *context;
	GSocketService *service;
	GSocketClient *client;
	GCancellable *connect_cancellable;
	GSource *reconnect_source;
	gboolean connect_failed_logged;

	/* the connection */
	RemsimViccConn vc;
	GQueue ops;
	GSource *timeout_source;

	gboolean present;
	gboolean powered;
	GBytes *atr;
};

static void remsim_vicc_source_card_source_iface_init (RemsimCardSourceInterface *iface);
static void remsim_vicc_source_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RemsimViccSource,
			       remsim_vicc_source,
			       G_TYPE_OBJECT,
			       G_IMPLEMENT_INTERFACE (REMSIM_TYPE_CARD_SOURCE,
						      remsim_vicc_source_card_source_iface_init)
				   G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
							  remsim_vicc_source_initable_iface_init))

enum {
	PROP_0,
	PROP_INSTANCE, /* "config", "group", "slot" */
	PROP_PORT = PROP_INSTANCE + REMSIM_PLUGIN_INSTANCE_N_PROPS,
	PROP_LAST,
};

static void remsim_vicc_source_kick (RemsimViccSource *self);
static void
remsim_vicc_source_disconnect (RemsimViccSource *self, const gchar *reason, gboolean emit);
static void remsim_vicc_source_schedule_reconnect (RemsimViccSource *self);

/* operations ------------------------------------------------------------ */

static const gchar *
remsim_vicc_op_kind_to_string (RemsimViccOpKind kind)
{
	switch (kind) {
	case REMSIM_VICC_OP_PROBE:
		return "presence check";
	case REMSIM_VICC_OP_POWER_ON:
		return "power on";
	case REMSIM_VICC_OP_COLD_RESET:
		return "cold reset";
	case REMSIM_VICC_OP_WARM_RESET:
		return "warm reset";
	case REMSIM_VICC_OP_TRANSMIT:
		return "transmit";
	case REMSIM_VICC_OP_POWER_OFF:
		return "power off";
	default:
		return "operation";
	}
}

static RemsimViccOp *
remsim_vicc_op_new (RemsimViccSource *self, RemsimViccOpKind kind, GBytes *apdu)
{
	RemsimViccOp *op = g_new0 (RemsimViccOp, 1);
	g_autoptr (GByteArray) wire = g_byte_array_sized_new (8);

	op->self = self;
	op->kind = kind;
	op->wants_reply = TRUE;
	switch (kind) {
	case REMSIM_VICC_OP_PROBE:
		remsim_vicc_frame_append_ctrl (wire, REMSIM_VICC_CTRL_ATR);
		break;
	case REMSIM_VICC_OP_POWER_ON:
		remsim_vicc_frame_append_ctrl (wire, REMSIM_VICC_CTRL_ON);
		remsim_vicc_frame_append_ctrl (wire, REMSIM_VICC_CTRL_ATR);
		break;
	case REMSIM_VICC_OP_COLD_RESET:
		remsim_vicc_frame_append_ctrl (wire, REMSIM_VICC_CTRL_OFF);
		remsim_vicc_frame_append_ctrl (wire, REMSIM_VICC_CTRL_ON);
		remsim_vicc_frame_append_ctrl (wire, REMSIM_VICC_CTRL_ATR);
		break;
	case REMSIM_VICC_OP_WARM_RESET:
		remsim_vicc_frame_append_ctrl (wire, REMSIM_VICC_CTRL_RESET);
		remsim_vicc_frame_append_ctrl (wire, REMSIM_VICC_CTRL_ATR);
		break;
	case REMSIM_VICC_OP_TRANSMIT: {
		gsize len = 0;
		const guint8 *data = g_bytes_get_data (apdu, &len);

		remsim_vicc_frame_append (wire, data, len);
		break;
	}
	case REMSIM_VICC_OP_POWER_OFF:
		remsim_vicc_frame_append_ctrl (wire, REMSIM_VICC_CTRL_OFF);
		op->wants_reply = FALSE;
		break;
	default:
		g_assert_not_reached ();
	}
	op->wire = g_byte_array_free_to_bytes (g_steal_pointer (&wire));
	return op;
}

/* detach the op from its cancellable; safe outside the cancelled handler */
static void
remsim_vicc_op_release_cancellable (RemsimViccOp *op)
{
	if (op->cancel_source != NULL) {
		g_source_destroy (op->cancel_source);
		g_clear_pointer (&op->cancel_source, g_source_unref);
	}
	if (op->cancellable != NULL) {
		if (op->cancel_id != 0)
			g_cancellable_disconnect (op->cancellable, op->cancel_id);
		op->cancel_id = 0;
		g_clear_object (&op->cancellable);
	}
}

static GTask *
remsim_vicc_op_steal_task (RemsimViccOp *op)
{
	remsim_vicc_op_release_cancellable (op);
	return g_steal_pointer (&op->task);
}

static void
remsim_vicc_op_free (RemsimViccOp *op)
{
	remsim_vicc_op_release_cancellable (op);
	if (op->task != NULL) {
		/* every path completes the task first; never leave a caller hanging */
		g_task_return_new_error (op->task,
					 REMSIM_ERROR,
					 REMSIM_ERROR_FAILED,
					 "%s: %s abandoned",
					 op->self->name,
					 remsim_vicc_op_kind_to_string (op->kind));
		g_clear_object (&op->task);
	}
	g_bytes_unref (op->wire);
	g_free (op);
}

static void
remsim_vicc_op_return_error (RemsimViccOp *op, GError *error)
{
	g_autoptr (GTask) task = remsim_vicc_op_steal_task (op);

	if (task != NULL)
		g_task_return_error (task, error);
	else
		g_error_free (error);
}

static gboolean
remsim_vicc_op_cancel_idle_cb (gpointer user_data)
{
	RemsimViccOp *op = user_data;
	RemsimViccSource *self = op->self;
	g_autoptr (GTask) task = NULL;

	g_clear_pointer (&op->cancel_source, g_source_unref);
	task = remsim_vicc_op_steal_task (op);
	if (!op->sent) {
		/* nothing on the wire yet: forget it */
		g_queue_remove (&self->ops, op);
		remsim_vicc_op_free (op);
	} else {
		g_debug ("%s: %s cancelled; its reply will be dropped",
			 self->name,
			 remsim_vicc_op_kind_to_string (op->kind));
	}
	if (task != NULL && !g_task_return_error_if_cancelled (task))
		g_task_return_new_error (
		    task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
	return G_SOURCE_REMOVE;
}

/* may run inside g_cancellable_cancel(): only schedule the completion */
static void
remsim_vicc_op_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
	RemsimViccOp *op = user_data;

	if (op->cancel_source != NULL || op->task == NULL)
		return;
	op->cancel_source = g_idle_source_new ();
	g_source_set_priority (op->cancel_source, G_PRIORITY_DEFAULT);
	g_source_set_callback (op->cancel_source, remsim_vicc_op_cancel_idle_cb, op, NULL);
	g_source_attach (op->cancel_source, op->self->context);
}

static void
remsim_vicc_source_enqueue (RemsimViccSource *self, RemsimViccOp *op, GCancellable *cancellable)
{
	g_queue_push_tail (&self->ops, op);
	if (cancellable != NULL) {
		op->cancellable = g_object_ref (cancellable);
		op->cancel_id = g_cancellable_connect (
		    cancellable, G_CALLBACK (remsim_vicc_op_cancelled_cb), op, NULL);
	}
	remsim_vicc_source_kick (self);
}

/* the reply to the head operation ---------------------------------------- */

static GError *
remsim_vicc_source_check_atr (RemsimViccSource *self, GBytes *atr)
{
	gsize len = g_bytes_get_size (atr);

	if (len > REMSIM_VICC_MAX_ATR_SIZE)
		return g_error_new (REMSIM_ERROR,
				    REMSIM_ERROR_PROTOCOL,
				    "%s: the vicc sent an ATR of %" G_GSIZE_FORMAT
				    " bytes (at most %d allowed)",
				    self->name,
				    len,
				    REMSIM_VICC_MAX_ATR_SIZE);
	return NULL;
}

/* @op has been taken off the queue; @reply is not empty */
static void
remsim_vicc_source_complete (RemsimViccSource *self, RemsimViccOp *op, GBytes *reply)
{
	g_autoptr (GTask) task = remsim_vicc_op_steal_task (op);
	GError *error = NULL;

	switch (op->kind) {
	case REMSIM_VICC_OP_PROBE:
		error = remsim_vicc_source_check_atr (self, reply);
		if (error != NULL) {
			g_warning ("%s: %s; dropping the vicc", self->name, error->message);
			g_error_free (error);
			remsim_vicc_op_free (op);
			remsim_vicc_source_disconnect (self, "invalid ATR", TRUE);
			return;
		}
		remsim_vicc_op_free (op);
		if (!self->present) {
			g_message ("%s: card present (vicc %s, ATR of %" G_GSIZE_FORMAT " bytes)",
				   self->name,
				   self->vc.peer,
				   g_bytes_get_size (reply));
			self->present = TRUE;
			remsim_card_source_emit_card_changed (REMSIM_CARD_SOURCE (self), TRUE);
		}
		return;
	case REMSIM_VICC_OP_POWER_ON:
	case REMSIM_VICC_OP_COLD_RESET:
	case REMSIM_VICC_OP_WARM_RESET:
		error = remsim_vicc_source_check_atr (self, reply);
		if (error == NULL) {
			self->powered = TRUE;
			g_clear_pointer (&self->atr, g_bytes_unref);
			self->atr = g_bytes_ref (reply);
		}
		break;
	case REMSIM_VICC_OP_TRANSMIT:
		if (g_bytes_get_size (reply) < 2)
			error = g_error_new (REMSIM_ERROR,
					     REMSIM_ERROR_PROTOCOL,
					     "%s: the vicc answered with %" G_GSIZE_FORMAT
					     " byte, expected at least SW1 SW2",
					     self->name,
					     g_bytes_get_size (reply));
		break;
	case REMSIM_VICC_OP_POWER_OFF:
	default:
		g_assert_not_reached ();
	}
	remsim_vicc_op_free (op);
	if (task == NULL) {
		g_clear_error (&error);
		return;
	}
	if (error != NULL)
		g_task_return_error (task, error);
	else
		g_task_return_pointer (task, g_bytes_ref (reply), (GDestroyNotify)g_bytes_unref);
}

static gboolean
remsim_vicc_source_timeout_cb (gpointer user_data)
{
	RemsimViccSource *self = user_data;
	g_autoptr (RemsimViccSource) keep = g_object_ref (self);
	RemsimViccOp *op = g_queue_pop_head (&self->ops);

	g_clear_pointer (&self->timeout_source, g_source_unref);
	if (op != NULL) {
		g_warning ("%s: no answer from the vicc to %s within %u ms",
			   self->name,
			   remsim_vicc_op_kind_to_string (op->kind),
			   self->timeout_ms);
		remsim_vicc_op_return_error (op,
					     g_error_new (REMSIM_ERROR,
							  REMSIM_ERROR_TIMED_OUT,
							  "%s: no answer to %s within %u ms",
							  self->name,
							  remsim_vicc_op_kind_to_string (op->kind),
							  self->timeout_ms));
		remsim_vicc_op_free (op);
	}
	/* a late reply would answer the next request: start over */
	remsim_vicc_source_disconnect (self, "timeout", TRUE);
	return G_SOURCE_REMOVE;
}

static void
remsim_vicc_source_handle_message (RemsimViccSource *self, const guint8 *payload, gsize len)
{
	RemsimViccOp *op = g_queue_peek_head (&self->ops);
	g_autoptr (GBytes) reply = NULL;

	if (op == NULL || !op->sent || !op->wants_reply) {
		g_warning ("%s: unsolicited message of %" G_GSIZE_FORMAT
			   " bytes from the vicc; dropping it",
			   self->name,
			   len);
		remsim_vicc_source_disconnect (self, "protocol violation", TRUE);
		return;
	}
	if (len == 0) {
		/* the vicc's way of saying "no card" */
		remsim_vicc_source_disconnect (self, "the vicc reported no card", TRUE);
		return;
	}
	remsim_vicc_clear_source (&self->timeout_source);
	g_queue_pop_head (&self->ops);
	reply = g_bytes_new (payload, len);
	remsim_vicc_source_complete (self, op, reply);
	remsim_vicc_source_kick (self);
}

/* the connection's callbacks -------------------------------------------- */

static void
remsim_vicc_source_conn_message (GObject *owner, const guint8 *payload, gsize len)
{
	remsim_vicc_source_handle_message (REMSIM_VICC_SOURCE (owner), payload, len);
}

static void
remsim_vicc_source_conn_lost (GObject *owner, const gchar *reason)
{
	remsim_vicc_source_disconnect (REMSIM_VICC_SOURCE (owner), reason, TRUE);
}

static void
remsim_vicc_source_conn_written (GObject *owner)
{
	RemsimViccSource *self = REMSIM_VICC_SOURCE (owner);
	RemsimViccOp *op;

	op = g_queue_peek_head (&self->ops);
	if (op != NULL && op->sent && !op->wants_reply) {
		g_autoptr (GTask) task = NULL;

		remsim_vicc_clear_source (&self->timeout_source);
		g_queue_pop_head (&self->ops);
		task = remsim_vicc_op_steal_task (op);
		remsim_vicc_op_free (op);
		if (task != NULL)
			g_task_return_boolean (task, TRUE);
	}
	remsim_vicc_source_kick (self);
}

/* start the head operation if the line is free */
static void
remsim_vicc_source_kick (RemsimViccSource *self)
{
	RemsimViccOp *op = g_queue_peek_head (&self->ops);

	if (op == NULL || self->vc.conn == NULL || self->vc.writing || op->sent)
		return;
	op->sent = TRUE;
	remsim_vicc_clear_source (&self->timeout_source);
	self->timeout_source = remsim_vicc_timeout_add (
	    self->context, self->timeout_ms, remsim_vicc_source_timeout_cb, self);
	remsim_vicc_conn_write (&self->vc, op->wire);
}

static const RemsimViccConnFuncs remsim_vicc_source_conn_funcs = {
    remsim_vicc_source_conn_message,
    NULL,
    remsim_vicc_source_conn_written,
    remsim_vicc_source_conn_lost,
};

/* connections ----------------------------------------------------------- */

static void
remsim_vicc_source_attach (RemsimViccSource *self, GSocketConnection *conn)
{
	remsim_vicc_conn_attach (&self->vc, conn, self->name);
	self->connect_failed_logged = FALSE;
	g_info ("%s: vicc connected (%s)", self->name, self->vc.peer);
	remsim_vicc_source_enqueue (
	    self, remsim_vicc_op_new (self, REMSIM_VICC_OP_PROBE, NULL), NULL);
}

static GError *
remsim_vicc_source_absent_error (RemsimViccSource *self, RemsimViccOpKind kind, const gchar *reason)
{
	if (kind == REMSIM_VICC_OP_TRANSMIT)
		return g_error_new (REMSIM_ERROR,
				    REMSIM_ERROR_CARD_ABSENT,
				    "%s: card removed during transmit (%s)",
				    self->name,
				    reason);
	return g_error_new (REMSIM_ERROR,
			    REMSIM_ERROR_CARD_ABSENT,
			    "%s: card removed during %s (%s)",
			    self->name,
			    remsim_vicc_op_kind_to_string (kind),
			    reason);
}

/*
 * End the connection (if any): fail every pending operation, then tell
 * about the card if @emit. In reversed mode a new connect is scheduled.
 */
static void
remsim_vicc_source_disconnect (RemsimViccSource *self, const gchar *reason, gboolean emit)
{
	gboolean was_present = self->present;
	GQueue ops = G_QUEUE_INIT;
	RemsimViccOp *op;

	if (self->vc.conn == NULL)
		return;
	g_message ("%s: vicc %s disconnected: %s", self->name, self->vc.peer, reason);
	remsim_vicc_conn_close (&self->vc, self->name);
	remsim_vicc_clear_source (&self->timeout_source);
	self->present = FALSE;
	self->powered = FALSE;
	g_clear_pointer (&self->atr, g_bytes_unref);
	ops = self->ops;
	g_queue_init (&self->ops);

	/* callbacks may call back into us: the state above is consistent */
	while ((op = g_queue_pop_head (&ops)) != NULL) {
		if (op->task != NULL)
			remsim_vicc_op_return_error (
			    op, remsim_vicc_source_absent_error (self, op->kind, reason));
		remsim_vicc_op_free (op);
	}
	if (emit && was_present && self->vc.conn == NULL)
		remsim_card_source_emit_card_changed (REMSIM_CARD_SOURCE (self), FALSE);
	if (emit && self->reversed && self->vc.conn == NULL)
		remsim_vicc_source_schedule_reconnect (self);
}

static gboolean
remsim_vicc_source_incoming_cb (GSocketService *service,
				GSocketConnection *conn,
				GObject *source_object,
				gpointer user_data)
{
	RemsimViccSource *self = REMSIM_VICC_SOURCE (user_data);

	if (self->vc.conn != NULL) {
		g_autofree gchar *peer = remsim_vicc_describe_peer (conn);

		g_warning ("%s: refusing a second vicc (%s): %s is connected",
			   self->name,
			   peer,
			   self->vc.peer);
		/* dropping our only reference closes it */
		return TRUE;
	}
	remsim_vicc_source_attach (self, conn);
	return TRUE;
}

static void
remsim_vicc_source_connect_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	RemsimViccSource *self;
	g_autoptr (GError) error = NULL;
	g_autoptr (GSocketConnection) conn = NULL;

	conn = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), res, &error);
	if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	self = REMSIM_VICC_SOURCE (user_data);
	g_clear_object (&self->connect_cancellable);
	if (conn == NULL) {
		if (!self->connect_failed_logged)
			g_message ("%s: cannot connect to the vicc at %s:%u: %s; retrying "
				   "every %u ms",
				   self->name,
				   self->host,
				   self->port,
				   error->message,
				   self->reconnect_ms);
		self->connect_failed_logged = TRUE;
		remsim_vicc_source_schedule_reconnect (self);
		return;
	}
	remsim_vicc_source_attach (self, conn);
}

static void
remsim_vicc_source_connect (RemsimViccSource *self)
{
	if (self->vc.conn != NULL || self->connect_cancellable != NULL)
		return;
	self->connect_cancellable = g_cancellable_new ();
	g_socket_client_connect_to_host_async (self->client,
					       self->host,
					       self->port,
					       self->connect_cancellable,
					       remsim_vicc_source_connect_cb,
					       self);
}

static gboolean
remsim_vicc_source_reconnect_cb (gpointer user_data)
{
	RemsimViccSource *self = user_data;

	g_clear_pointer (&self->reconnect_source, g_source_unref);
	remsim_vicc_source_connect (self);
	return G_SOURCE_REMOVE;
}

static void
remsim_vicc_source_schedule_reconnect (RemsimViccSource *self)
{
	if (self->reconnect_source != NULL || self->client == NULL)
		return;
	self->reconnect_source = remsim_vicc_timeout_add (
	    self->context, self->reconnect_ms, remsim_vicc_source_reconnect_cb, self);
}

/* RemsimCardSource ------------------------------------------------------ */

static void
remsim_vicc_source_start_op (RemsimViccSource *self,
			     RemsimViccOpKind kind,
			     GBytes *apdu,
			     GCancellable *cancellable,
			     GAsyncReadyCallback callback,
			     gpointer user_data,
			     gpointer tag)
{
	g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
	RemsimViccOp *op;

	g_task_set_source_tag (task, tag);
	if (g_task_return_error_if_cancelled (task))
		return;
	if (self->vc.conn == NULL || !self->present) {
		g_task_return_new_error (task,
					 REMSIM_ERROR,
					 REMSIM_ERROR_CARD_ABSENT,
					 "%s: no card (no vicc connected)",
					 self->name);
		return;
	}
	op = remsim_vicc_op_new (self, kind, apdu);
	op->task = g_steal_pointer (&task);
	remsim_vicc_source_enqueue (self, op, cancellable);
}

static void
remsim_vicc_source_power_on_async (RemsimCardSource *source,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data)
{
	remsim_vicc_source_start_op (REMSIM_VICC_SOURCE (source),
				     REMSIM_VICC_OP_POWER_ON,
				     NULL,
				     cancellable,
				     callback,
				     user_data,
				     REMSIM_VICC_SOURCE_TAG (remsim_vicc_source_power_on_async));
}

static void
remsim_vicc_source_reset_async (RemsimCardSource *source,
				gboolean cold,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data)
{
	remsim_vicc_source_start_op (REMSIM_VICC_SOURCE (source),
				     cold ? REMSIM_VICC_OP_COLD_RESET : REMSIM_VICC_OP_WARM_RESET,
				     NULL,
				     cancellable,
				     callback,
				     user_data,
				     REMSIM_VICC_SOURCE_TAG (remsim_vicc_source_reset_async));
}

static void
remsim_vicc_source_transmit_async (RemsimCardSource *source,
				   GBytes *tpdu,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data)
{
	RemsimViccSource *self = REMSIM_VICC_SOURCE (source);
	gsize len = tpdu != NULL ? g_bytes_get_size (tpdu) : 0;

	/* a 1-byte payload would be a control code on the wire */
	if (len < 4 || len > REMSIM_VICC_MAX_PAYLOAD) {
		g_task_report_new_error (self,
					 callback,
					 user_data,
					 REMSIM_VICC_SOURCE_TAG (remsim_vicc_source_transmit_async),
					 REMSIM_ERROR,
					 REMSIM_ERROR_INVALID_ARGUMENT,
					 "%s: cannot send a command of %" G_GSIZE_FORMAT
					 " bytes (expected 4..%u)",
					 self->name,
					 len,
					 (guint)REMSIM_VICC_MAX_PAYLOAD);
		return;
	}
	remsim_vicc_source_start_op (self,
				     REMSIM_VICC_OP_TRANSMIT,
				     tpdu,
				     cancellable,
				     callback,
				     user_data,
				     REMSIM_VICC_SOURCE_TAG (remsim_vicc_source_transmit_async));
}

static GBytes *
remsim_vicc_source_bytes_finish (RemsimCardSource *source, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail (g_task_is_valid (res, source), NULL);
	return g_task_propagate_pointer (G_TASK (res), error);
}

static gboolean
remsim_vicc_source_power_off (RemsimCardSource *source, GError **error)
{
	RemsimViccSource *self = REMSIM_VICC_SOURCE (source);

	self->powered = FALSE;
	g_clear_pointer (&self->atr, g_bytes_unref);
	/* no card, nothing to switch off */
	if (self->vc.conn == NULL)
		return TRUE;
	remsim_vicc_source_enqueue (
	    self, remsim_vicc_op_new (self, REMSIM_VICC_OP_POWER_OFF, NULL), NULL);
	return TRUE;
}

static GBytes *
remsim_vicc_source_get_atr (RemsimCardSource *source)
{
	RemsimViccSource *self = REMSIM_VICC_SOURCE (source);

	if (!self->powered || self->atr == NULL)
		return NULL;
	return g_bytes_ref (self->atr);
}

static gboolean
remsim_vicc_source_is_card_present (RemsimCardSource *source)
{
	return REMSIM_VICC_SOURCE (source)->present;
}

static void
remsim_vicc_source_card_source_iface_init (RemsimCardSourceInterface *iface)
{
	iface->power_on_async = remsim_vicc_source_power_on_async;
	iface->power_on_finish = remsim_vicc_source_bytes_finish;
	iface->reset_async = remsim_vicc_source_reset_async;
	iface->reset_finish = remsim_vicc_source_bytes_finish;
	iface->transmit_async = remsim_vicc_source_transmit_async;
	iface->transmit_finish = remsim_vicc_source_bytes_finish;
	iface->power_off = remsim_vicc_source_power_off;
	iface->get_atr = remsim_vicc_source_get_atr;
	iface->is_card_present = remsim_vicc_source_is_card_present;
}

/* GInitable -------------------------------------------------------------- */

static gboolean
remsim_vicc_source_parse_address (RemsimViccSource *self,
				  const gchar *key,
				  const gchar *value,
				  GError **error)
{
	g_autofree gchar *host = NULL;
	guint16 port = REMSIM_VICC_DEFAULT_PORT;
	guint64 only_port = 0;

	if (!self->reversed && g_ascii_string_to_unsigned (value, 10, 0, 65535, &only_port, NULL)) {
		/* "listen=35963": all addresses */
		port = (guint16)only_port;
	} else if (!remsim_vicc_parse_hostport (key, value, &host, &port, error)) {
		return FALSE;
	}
	if (self->reversed && port == 0) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "key '%s': expected a port in 1..65535, got \"%s\"",
			     key,
			     value);
		return FALSE;
	}
	if (!self->reversed && host != NULL && g_strcmp0 (host, "*") != 0) {
		if (!remsim_vicc_parse_listen_host (&host, key, value, error))
			return FALSE;
	} else if (!self->reversed) {
		g_clear_pointer (&host, g_free);
	}
	self->host = g_steal_pointer (&host);
	return remsim_vicc_slot_port (&self->props, port, &self->port, error);
}

static gboolean
remsim_vicc_source_listen (RemsimViccSource *self, GError **error)
{
	g_autoptr (GError) error_local = NULL;
	GSocketListener *listener;

	self->service = g_socket_service_new ();
	listener = G_SOCKET_LISTENER (self->service);
	if (!remsim_vicc_listener_add (listener, self->host, &self->port, &error_local)) {
		g_set_error (error,
			     REMSIM_ERROR,
			     g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE)
				 ? REMSIM_ERROR_BUSY
				 : REMSIM_ERROR_FAILED,
			     "cannot listen on %s:%u: %s",
			     self->host != NULL ? self->host : "*",
			     self->port,
			     error_local->message);
		return FALSE;
	}
	g_signal_connect (
	    self->service, "incoming", G_CALLBACK (remsim_vicc_source_incoming_cb), self);
	g_socket_service_start (self->service);
	g_info ("%s: waiting for a vicc on %s:%u",
		self->name,
		self->host != NULL ? self->host : "*",
		self->port);
	return TRUE;
}

static gboolean
remsim_vicc_source_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
	RemsimViccSource *self = REMSIM_VICC_SOURCE (initable);
	static const gchar *const known_keys[] = {REMSIM_VICC_KEYS, NULL};
	g_autofree gchar *listen = NULL;
	g_autofree gchar *connect = NULL;

	if (self->service != NULL || self->client != NULL)
		return TRUE;
	if (!remsim_plugin_instance_props_check (&self->props, known_keys, error))
		return FALSE;
	self->name = g_strdup_printf ("[%s] slot %u", self->props.group, self->props.slot);
	if (!remsim_vicc_get_common_keys (
		&self->props, &self->timeout_ms, &self->reconnect_ms, &listen, &connect, error))
		return FALSE;

	self->reversed = connect != NULL;
	if (!remsim_vicc_source_parse_address (self,
					       self->reversed ? "connect" : "listen",
					       self->reversed	? g_strstrip (connect)
					       : listen != NULL ? g_strstrip (listen)
								: "*",
					       error))
		return FALSE;

	self->context = g_main_context_ref_thread_default ();
	if (self->reversed) {
		self->client = g_socket_client_new ();
		/* a vicc is reached directly, never through a proxy */
		g_socket_client_set_enable_proxy (self->client, FALSE);
		g_info ("%s: connecting to a vicc at %s:%u", self->name, self->host, self->port);
		remsim_vicc_source_connect (self);
		return TRUE;
	}
	return remsim_vicc_source_listen (self, error);
}

static void
remsim_vicc_source_initable_iface_init (GInitableIface *iface)
{
	iface->init = remsim_vicc_source_initable_init;
}

/* GObject ---------------------------------------------------------------- */

guint16
remsim_vicc_source_get_port (RemsimViccSource *self)
{
	g_return_val_if_fail (REMSIM_IS_VICC_SOURCE (self), 0);
	return self->port;
}

static void
remsim_vicc_source_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	RemsimViccSource *self = REMSIM_VICC_SOURCE (object);

	if (remsim_plugin_instance_props_get_property (&self->props, PROP_INSTANCE, prop_id, value))
		return;
	switch (prop_id) {
	case PROP_PORT:
		g_value_set_uint (value, self->port);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
remsim_vicc_source_set_property (GObject *object,
				 guint prop_id,
				 const GValue *value,
				 GParamSpec *pspec)
{
	RemsimViccSource *self = REMSIM_VICC_SOURCE (object);

	if (!remsim_plugin_instance_props_set_property (
		&self->props, PROP_INSTANCE, prop_id, value))
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
remsim_vicc_source_dispose (GObject *object)
{
	RemsimViccSource *self = REMSIM_VICC_SOURCE (object);

	remsim_vicc_service_clear (&self->service, self);
	if (self->connect_cancellable != NULL) {
		g_cancellable_cancel (self->connect_cancellable);
		g_clear_object (&self->connect_cancellable);
	}
	remsim_vicc_clear_source (&self->reconnect_source);
	g_clear_object (&self->client);
	/* pending operations with a task hold a reference: only internal and
	 * orphaned ones can be left here */
	remsim_vicc_source_disconnect (self, "closed", FALSE);
	G_OBJECT_CLASS (remsim_vicc_source_parent_class)->dispose (object);
}

static void
remsim_vicc_source_finalize (GObject *object)
{
	RemsimViccSource *self = REMSIM_VICC_SOURCE (object);
	RemsimViccOp *op;

	while ((op = g_queue_pop_head (&self->ops)) != NULL)
		remsim_vicc_op_free (op);
	remsim_plugin_instance_props_clear (&self->props);
	g_free (self->name);
	g_free (self->host);
	remsim_vicc_conn_clear (&self->vc);
	g_clear_pointer (&self->atr, g_bytes_unref);
	g_clear_pointer (&self->context, g_main_context_unref);
	G_OBJECT_CLASS (remsim_vicc_source_parent_class)->finalize (object);
}

static void
remsim_vicc_source_class_init (RemsimViccSourceClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->get_property = remsim_vicc_source_get_property;
	object_class->set_property = remsim_vicc_source_set_property;
	object_class->dispose = remsim_vicc_source_dispose;
	object_class->finalize = remsim_vicc_source_finalize;

	remsim_plugin_install_instance_properties (object_class, PROP_INSTANCE);
	/**
	 * RemsimViccSource:port:
	 * The TCP port listened on (the bound one if configured as 0) or
	 * connected to.
	 */
	g_object_class_install_property (
	    object_class,
	    PROP_PORT,
	    g_param_spec_uint (
		"port", NULL, NULL, 0, G_MAXUINT16, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void
remsim_vicc_source_init (RemsimViccSource *self)
{
	self->timeout_ms = REMSIM_VICC_DEFAULT_TIMEOUT_MS;
	self->reconnect_ms = REMSIM_VICC_DEFAULT_RECONNECT_MS;
	g_queue_init (&self->ops);
	remsim_vicc_conn_init (&self->vc,
			       G_OBJECT (self),
			       &remsim_vicc_source_conn_funcs,
			       "vicc",
			       REMSIM_VICC_RX_INITIAL);
}
