/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-connector.h"

/* the first attempts after a failure go out at once, then the delay grows
 * from this value, doubling up to max-backoff-ms */
#define REMSIM_CONNECTOR_IMMEDIATE_ATTEMPTS 3
#define REMSIM_CONNECTOR_FIRST_DELAY_MS	    50

struct _RemsimConnector {
	GObject parent_instance;

	gchar *host;
	guint16 port;
	guint ka_interval_ms;
	guint ka_timeout_ms;
	guint max_backoff_ms;
	guint connect_timeout_ms;

	GMainContext *context;
	GSocketClient *client;
	gboolean running;

	/* bumped whenever a pending attempt is abandoned */
	guint generation;
	GCancellable *cancellable;
	GSource *timeout_source;
	gboolean timed_out;
	GSource *retry_source;
	guint failures;		 /* consecutive attempts that did not last */
	gint64 attempt_start_us; /* monotonic time the last attempt began */

	RemsimLink *link;
	gulong link_closed_id;
};

G_DEFINE_FINAL_TYPE (RemsimConnector, remsim_connector, G_TYPE_OBJECT)

enum {
	SIGNAL_CONNECTED,
	SIGNAL_DISCONNECTED,
	SIGNAL_LAST,
};

static guint signals[SIGNAL_LAST] = {0};

/* one connect attempt; lives until its callback runs, even if the
 * connector is gone by then */
typedef struct {
	GWeakRef connector;
	guint generation;
} RemsimConnectorAttempt;

static void
remsim_connector_attempt_free (RemsimConnectorAttempt *attempt)
{
	g_weak_ref_clear (&attempt->connector);
	g_free (attempt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimConnectorAttempt, remsim_connector_attempt_free)

static void remsim_connector_connect (RemsimConnector *self);

static void
remsim_connector_clear_source (GSource **source)
{
	if (*source == NULL)
		return;
	g_source_destroy (*source);
	g_clear_pointer (source, g_source_unref);
}

static gchar *
remsim_connector_target_string (RemsimConnector *self)
{
	/* IPv6 literals get brackets so the port stays readable */
	if (strchr (self->host, ':') != NULL)
		return g_strdup_printf ("[%s]:%u", self->host, self->port);
	return g_strdup_printf ("%s:%u", self->host, self->port);
}

/* the delay before the next attempt, counted from the start of the last one */
static guint
remsim_connector_backoff_ms (RemsimConnector *self)
{
	guint base;
	guint shift;

	if (self->failures < REMSIM_CONNECTOR_IMMEDIATE_ATTEMPTS)
		return 0;
	shift = MIN (self->failures - REMSIM_CONNECTOR_IMMEDIATE_ATTEMPTS, 16);
	base =
	    MIN ((guint64)REMSIM_CONNECTOR_FIRST_DELAY_MS << shift, (guint64)self->max_backoff_ms);
	/* jitter: 75..90 % of the base, so many peers spread out and the cap
	 * holds with a margin */
	return base - base / 10 - g_random_int_range (0, (gint32)(base * 15 / 100 + 1));
}

/* abandon a pending connect attempt or retry */
static void
remsim_connector_cancel_pending (RemsimConnector *self)
{
	self->generation++;
	if (self->cancellable != NULL) {
		g_cancellable_cancel (self->cancellable);
		g_clear_object (&self->cancellable);
	}
	remsim_connector_clear_source (&self->timeout_source);
	remsim_connector_clear_source (&self->retry_source);
}

static gboolean
remsim_connector_retry_cb (gpointer user_data)
{
	RemsimConnector *self = REMSIM_CONNECTOR (user_data);

	g_clear_pointer (&self->retry_source, g_source_unref);
	remsim_connector_connect (self);
	return G_SOURCE_REMOVE;
}

static void
remsim_connector_schedule_retry (RemsimConnector *self)
{
	gint64 elapsed_ms;
	guint delay_ms;

	if (!self->running)
		return;
	remsim_connector_cancel_pending (self);
	delay_ms = remsim_connector_backoff_ms (self);
	self->failures++;
	elapsed_ms = (g_get_monotonic_time () - self->attempt_start_us) / 1000;
	delay_ms = elapsed_ms >= delay_ms ? 0 : delay_ms - (guint)elapsed_ms;
	g_debug ("connector: next attempt in %u ms", delay_ms);
	self->retry_source = g_timeout_source_new (delay_ms);
	g_source_set_callback (self->retry_source, remsim_connector_retry_cb, self, NULL);
	g_source_attach (self->retry_source, self->context);
}

static void
remsim_connector_drop_link (RemsimConnector *self)
{
	if (self->link == NULL)
		return;
	g_clear_signal_handler (&self->link_closed_id, self->link);
	g_clear_object (&self->link);
}

static void
remsim_connector_link_closed_cb (RemsimLink *link, const gchar *reason, gpointer user_data)
{
	g_autoptr (RemsimConnector) self = g_object_ref (REMSIM_CONNECTOR (user_data));
	gint64 lived_ms = (g_get_monotonic_time () - self->attempt_start_us) / 1000;

	if (link != self->link)
		return;
	remsim_connector_drop_link (self);
	/* a link that lasted longer than the next delay was a success */
	if (lived_ms > remsim_connector_backoff_ms (self))
		self->failures = 0;
	remsim_connector_schedule_retry (self);
	g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, reason);
}

static void
remsim_connector_connect_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr (RemsimConnectorAttempt) attempt = user_data;
	g_autoptr (RemsimConnector) self = g_weak_ref_get (&attempt->connector);
	g_autoptr (GSocketConnection) conn = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *target = NULL;
	g_autofree gchar *reason = NULL;

	conn = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), res, &error);
	if (self == NULL || attempt->generation != self->generation || !self->running) {
		if (conn != NULL)
			(void)g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
		return;
	}
	remsim_connector_clear_source (&self->timeout_source);
	g_clear_object (&self->cancellable);
	target = remsim_connector_target_string (self);

	if (conn == NULL) {
		if (self->timed_out)
			reason = g_strdup_printf ("connect to %s timed out", target);
		else
			reason =
			    g_strdup_printf ("connect to %s failed: %s", target, error->message);
		g_debug ("connector: %s", reason);
		remsim_connector_schedule_retry (self);
		g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, reason);
		return;
	}

	self->link = remsim_link_new (G_IO_STREAM (conn), REMSIM_LINK_ROLE_INITIATOR);
	remsim_link_set_keepalive (self->link, self->ka_interval_ms, self->ka_timeout_ms);
	self->link_closed_id = g_signal_connect (
	    self->link, "closed", G_CALLBACK (remsim_connector_link_closed_cb), self);
	g_info ("connector: connected to %s", target);
	remsim_link_start (self->link);
	/* the link could only have closed through a handler; check anyway */
	if (self->link != NULL) {
		g_autoptr (RemsimLink) link = g_object_ref (self->link);

		g_signal_emit (self, signals[SIGNAL_CONNECTED], 0, link);
	}
}

static gboolean
remsim_connector_timeout_cb (gpointer user_data)
{
	RemsimConnector *self = REMSIM_CONNECTOR (user_data);

	g_clear_pointer (&self->timeout_source, g_source_unref);
	self->timed_out = TRUE;
	/* the connect callback reports it */
	g_cancellable_cancel (self->cancellable);
	return G_SOURCE_REMOVE;
}

static void
remsim_connector_connect (RemsimConnector *self)
{
	RemsimConnectorAttempt *attempt;

	remsim_connector_cancel_pending (self);
	remsim_connector_drop_link (self);
	if (!self->running)
		return;

	self->attempt_start_us = g_get_monotonic_time ();
	self->timed_out = FALSE;
	self->cancellable = g_cancellable_new ();
	attempt = g_new0 (RemsimConnectorAttempt, 1);
	g_weak_ref_init (&attempt->connector, self);
	attempt->generation = self->generation;

	self->timeout_source = g_timeout_source_new (self->connect_timeout_ms);
	g_source_set_callback (self->timeout_source, remsim_connector_timeout_cb, self, NULL);
	g_source_attach (self->timeout_source, self->context);

	g_socket_client_connect_to_host_async (self->client,
					       self->host,
					       self->port,
					       self->cancellable,
					       remsim_connector_connect_cb,
					       attempt);
}

RemsimConnector *
remsim_connector_new (const gchar *host, guint16 port)
{
	RemsimConnector *self;

	g_return_val_if_fail (host != NULL, NULL);

	self = g_object_new (REMSIM_TYPE_CONNECTOR, NULL);
	self->host = g_strdup (host);
	self->port = port;
	return self;
}

void
remsim_connector_set_keepalive (RemsimConnector *self, guint interval_ms, guint timeout_ms)
{
	g_return_if_fail (REMSIM_IS_CONNECTOR (self));

	/* applies to the next link */
	self->ka_interval_ms = interval_ms;
	self->ka_timeout_ms = timeout_ms;
}

void
remsim_connector_set_max_backoff (RemsimConnector *self, guint max_backoff_ms)
{
	g_return_if_fail (REMSIM_IS_CONNECTOR (self));

	self->max_backoff_ms = max_backoff_ms;
}

void
remsim_connector_set_target (RemsimConnector *self, const gchar *host, guint16 port)
{
	g_autoptr (RemsimConnector) keep = NULL;

	g_return_if_fail (REMSIM_IS_CONNECTOR (self));
	g_return_if_fail (host != NULL);

	keep = g_object_ref (self);
	g_free (self->host);
	self->host = g_strdup (host);
	self->port = port;
	if (!self->running)
		return;

	self->failures = 0;
	if (self->link != NULL) {
		g_autoptr (RemsimLink) link = g_object_ref (self->link);
		g_autofree gchar *target = remsim_connector_target_string (self);
		g_autofree gchar *reason = g_strdup_printf ("target changed to %s", target);

		remsim_connector_drop_link (self);
		remsim_link_close (link, reason);
		g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, reason);
		/* a handler may have stopped us or changed the target again */
		if (!self->running || self->link != NULL || self->cancellable != NULL)
			return;
	}
	remsim_connector_connect (self);
}

const gchar *
remsim_connector_get_host (RemsimConnector *self)
{
	g_return_val_if_fail (REMSIM_IS_CONNECTOR (self), NULL);
	return self->host;
}

guint16
remsim_connector_get_port (RemsimConnector *self)
{
	g_return_val_if_fail (REMSIM_IS_CONNECTOR (self), 0);
	return self->port;
}

void
remsim_connector_start (RemsimConnector *self)
{
	g_return_if_fail (REMSIM_IS_CONNECTOR (self));

	if (self->running)
		return;
	self->running = TRUE;
	self->failures = 0;
	remsim_connector_connect (self);
}

void
remsim_connector_stop (RemsimConnector *self)
{
	g_autoptr (RemsimLink) link = NULL;

	g_return_if_fail (REMSIM_IS_CONNECTOR (self));

	self->running = FALSE;
	remsim_connector_cancel_pending (self);
	if (self->link == NULL)
		return;
	/* no "disconnected" for a stop the owner asked for */
	link = g_object_ref (self->link);
	remsim_connector_drop_link (self);
	remsim_link_close (link, "connector stopped");
}

void
remsim_connector_restart (RemsimConnector *self, const gchar *reason)
{
	g_return_if_fail (REMSIM_IS_CONNECTOR (self));

	/* the closed handler emits "disconnected" and schedules the retry */
	if (self->link != NULL)
		remsim_link_close (self->link, reason != NULL ? reason : "restart requested");
}

RemsimLink *
remsim_connector_get_link (RemsimConnector *self)
{
	g_return_val_if_fail (REMSIM_IS_CONNECTOR (self), NULL);
	return self->link;
}

static void
remsim_connector_dispose (GObject *object)
{
	RemsimConnector *self = REMSIM_CONNECTOR (object);

	self->running = FALSE;
	remsim_connector_cancel_pending (self);
	if (self->link != NULL) {
		g_autoptr (RemsimLink) link = g_object_ref (self->link);

		remsim_connector_drop_link (self);
		remsim_link_close (link, "connector disposed");
	}
	G_OBJECT_CLASS (remsim_connector_parent_class)->dispose (object);
}

static void
remsim_connector_finalize (GObject *object)
{
	RemsimConnector *self = REMSIM_CONNECTOR (object);

	g_clear_object (&self->client);
	g_main_context_unref (self->context);
	g_free (self->host);
	G_OBJECT_CLASS (remsim_connector_parent_class)->finalize (object);
}

static void
remsim_connector_init (RemsimConnector *self)
{
	self->context = g_main_context_ref_thread_default ();
	self->client = g_socket_client_new ();
	g_socket_client_set_enable_proxy (self->client, FALSE);
	self->ka_interval_ms = REMSIM_LINK_DEFAULT_KEEPALIVE_INTERVAL_MS;
	self->ka_timeout_ms = REMSIM_LINK_DEFAULT_KEEPALIVE_TIMEOUT_MS;
	self->max_backoff_ms = REMSIM_CONNECTOR_DEFAULT_MAX_BACKOFF_MS;
	self->connect_timeout_ms = REMSIM_CONNECTOR_DEFAULT_CONNECT_TIMEOUT_MS;
}

static void
remsim_connector_class_init (RemsimConnectorClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->dispose = remsim_connector_dispose;
	object_class->finalize = remsim_connector_finalize;

	signals[SIGNAL_CONNECTED] = g_signal_new ("connected",
						  G_TYPE_FROM_CLASS (klass),
						  G_SIGNAL_RUN_LAST,
						  0,
						  NULL,
						  NULL,
						  g_cclosure_marshal_VOID__OBJECT,
						  G_TYPE_NONE,
						  1,
						  REMSIM_TYPE_LINK);
	signals[SIGNAL_DISCONNECTED] = g_signal_new ("disconnected",
						     G_TYPE_FROM_CLASS (klass),
						     G_SIGNAL_RUN_LAST,
						     0,
						     NULL,
						     NULL,
						     g_cclosure_marshal_VOID__STRING,
						     G_TYPE_NONE,
						     1,
						     G_TYPE_STRING);
}
