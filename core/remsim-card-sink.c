/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-card-sink.h"
#include "remsim-error.h"

G_DEFINE_ENUM_TYPE (RemsimTristate,
		    remsim_tristate,
		    G_DEFINE_ENUM_VALUE (REMSIM_TRISTATE_UNKNOWN, "unknown"),
		    G_DEFINE_ENUM_VALUE (REMSIM_TRISTATE_OFF, "off"),
		    G_DEFINE_ENUM_VALUE (REMSIM_TRISTATE_ON, "on"))

/* by hand: G_DEFINE_BOXED_TYPE's transparent union trips -Wpedantic */
GType
remsim_card_sink_status_get_type (void)
{
	static gsize type_id = 0;

	if (g_once_init_enter (&type_id)) {
		GType type =
		    g_boxed_type_register_static (g_intern_static_string ("RemsimCardSinkStatus"),
						  (GBoxedCopyFunc)remsim_card_sink_status_copy,
						  (GBoxedFreeFunc)remsim_card_sink_status_free);
		g_once_init_leave (&type_id, type);
	}
	return type_id;
}

/**
 * remsim_card_sink_status_copy:
 * @status: a #RemsimCardSinkStatus
 *
 * Returns: (transfer full): a copy of @status
 *
 * Since: 0.1
 */
RemsimCardSinkStatus *
remsim_card_sink_status_copy (const RemsimCardSinkStatus *status)
{
	g_return_val_if_fail (status != NULL, NULL);
	return g_memdup2 (status, sizeof (*status));
}

/**
 * remsim_card_sink_status_free:
 * @status: (nullable): a #RemsimCardSinkStatus
 *
 * Since: 0.1
 */
void
remsim_card_sink_status_free (RemsimCardSinkStatus *status)
{
	g_free (status);
}

G_DEFINE_INTERFACE (RemsimCardSink, remsim_card_sink, G_TYPE_OBJECT)

enum {
	SIGNAL_COMMAND,
	SIGNAL_STATUS,
	SIGNAL_REQUEST_RESET,
	SIGNAL_LAST,
};

static guint remsim_card_sink_signals[SIGNAL_LAST] = {0};

static void
remsim_card_sink_default_init (RemsimCardSinkInterface *iface)
{
	/**
	 * RemsimCardSink:config:
	 * The program's keyfile (construct only).
	 */
	g_object_interface_install_property (iface,
					     g_param_spec_boxed ("config",
								 NULL,
								 NULL,
								 G_TYPE_KEY_FILE,
								 G_PARAM_READWRITE |
								     G_PARAM_CONSTRUCT_ONLY |
								     G_PARAM_STATIC_STRINGS));
	/**
	 * RemsimCardSink:group:
	 * The instance's keyfile group, "sink:<label>" (construct only).
	 */
	g_object_interface_install_property (iface,
					     g_param_spec_string ("group",
								  NULL,
								  NULL,
								  NULL,
								  G_PARAM_READWRITE |
								      G_PARAM_CONSTRUCT_ONLY |
								      G_PARAM_STATIC_STRINGS));
	/**
	 * RemsimCardSink:slot:
	 * The client slot number this instance serves (construct only).
	 */
	g_object_interface_install_property (iface,
					     g_param_spec_uint ("slot",
								NULL,
								NULL,
								0,
								G_MAXUINT,
								0,
								G_PARAM_READWRITE |
								    G_PARAM_CONSTRUCT_ONLY |
								    G_PARAM_STATIC_STRINGS));

	/**
	 * RemsimCardSink::command:
	 * @tpdu: the command TPDU (CLA INS P1 P2 P3 [data])
	 *
	 * The modem sent a command; the core answers with
	 * remsim_card_sink_deliver_response().
	 */
	remsim_card_sink_signals[SIGNAL_COMMAND] = g_signal_new ("command",
								 G_TYPE_FROM_INTERFACE (iface),
								 G_SIGNAL_RUN_LAST,
								 0,
								 NULL,
								 NULL,
								 NULL,
								 G_TYPE_NONE,
								 1,
								 G_TYPE_BYTES);
	/**
	 * RemsimCardSink::status:
	 * @status: the new #RemsimCardSinkStatus
	 *
	 * The VCC, RST, CLK or card line changed.
	 */
	remsim_card_sink_signals[SIGNAL_STATUS] =
	    g_signal_new ("status",
			  G_TYPE_FROM_INTERFACE (iface),
			  G_SIGNAL_RUN_LAST,
			  0,
			  NULL,
			  NULL,
			  NULL,
			  G_TYPE_NONE,
			  1,
			  REMSIM_TYPE_CARD_SINK_STATUS | G_SIGNAL_TYPE_STATIC_SCOPE);
	/**
	 * RemsimCardSink::request-reset:
	 *
	 * The modem side asks for a reset of the card.
	 */
	remsim_card_sink_signals[SIGNAL_REQUEST_RESET] =
	    g_signal_new ("request-reset",
			  G_TYPE_FROM_INTERFACE (iface),
			  G_SIGNAL_RUN_LAST,
			  0,
			  NULL,
			  NULL,
			  NULL,
			  G_TYPE_NONE,
			  0);
}

static gboolean
remsim_card_sink_not_supported (RemsimCardSink *self, const gchar *what, GError **error)
{
	g_set_error (error,
		     REMSIM_ERROR,
		     REMSIM_ERROR_NOT_SUPPORTED,
		     "%s: %s not supported",
		     G_OBJECT_TYPE_NAME (self),
		     what);
	return FALSE;
}

/* a FALSE return always comes with an error */
static gboolean
remsim_card_sink_check_result (
    RemsimCardSink *self, gboolean ok, GError *error_local, const gchar *what, GError **error)
{
	if (ok) {
		if (error_local != NULL)
			g_error_free (error_local);
		return TRUE;
	}
	if (error_local == NULL)
		g_set_error (&error_local,
			     REMSIM_ERROR,
			     REMSIM_ERROR_FAILED,
			     "%s: %s failed without a reason",
			     G_OBJECT_TYPE_NAME (self),
			     what);
	g_propagate_error (error, error_local);
	return FALSE;
}

/**
 * remsim_card_sink_start:
 * @self: a #RemsimCardSink
 * @error: return location for a #GError
 *
 * Opens the modem side. Must not block; a sink that needs slow set-up does it
 * asynchronously and reports through #RemsimCardSink::status.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
remsim_card_sink_start (RemsimCardSink *self, GError **error)
{
	RemsimCardSinkInterface *iface;
	GError *error_local = NULL;
	gboolean ok;

	g_return_val_if_fail (REMSIM_IS_CARD_SINK (self), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	iface = REMSIM_CARD_SINK_GET_IFACE (self);
	if (iface->start == NULL)
		return TRUE;
	ok = iface->start (self, &error_local);
	return remsim_card_sink_check_result (self, ok, error_local, "start", error);
}

/**
 * remsim_card_sink_stop:
 * @self: a #RemsimCardSink
 *
 * Closes the modem side.
 *
 * Since: 0.1
 */
void
remsim_card_sink_stop (RemsimCardSink *self)
{
	RemsimCardSinkInterface *iface;

	g_return_if_fail (REMSIM_IS_CARD_SINK (self));

	iface = REMSIM_CARD_SINK_GET_IFACE (self);
	if (iface->stop != NULL)
		iface->stop (self);
}

/**
 * remsim_card_sink_set_atr:
 * @self: a #RemsimCardSink
 * @atr: the ATR of the bank card
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
remsim_card_sink_set_atr (RemsimCardSink *self, GBytes *atr, GError **error)
{
	RemsimCardSinkInterface *iface;
	GError *error_local = NULL;
	gboolean ok;

	g_return_val_if_fail (REMSIM_IS_CARD_SINK (self), FALSE);
	g_return_val_if_fail (atr != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	iface = REMSIM_CARD_SINK_GET_IFACE (self);
	if (iface->set_atr == NULL)
		return remsim_card_sink_not_supported (self, "set ATR", error);
	ok = iface->set_atr (self, atr, &error_local);
	return remsim_card_sink_check_result (self, ok, error_local, "set ATR", error);
}

/**
 * remsim_card_sink_deliver_response:
 * @self: a #RemsimCardSink
 * @response: response data followed by SW1 SW2
 * @error: return location for a #GError
 *
 * Answers the last #RemsimCardSink::command.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
remsim_card_sink_deliver_response (RemsimCardSink *self, GBytes *response, GError **error)
{
	RemsimCardSinkInterface *iface;
	GError *error_local = NULL;
	gboolean ok;

	g_return_val_if_fail (REMSIM_IS_CARD_SINK (self), FALSE);
	g_return_val_if_fail (response != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	iface = REMSIM_CARD_SINK_GET_IFACE (self);
	if (iface->deliver_response == NULL)
		return remsim_card_sink_not_supported (self, "deliver response", error);
	ok = iface->deliver_response (self, response, &error_local);
	return remsim_card_sink_check_result (self, ok, error_local, "deliver response", error);
}

/**
 * remsim_card_sink_set_card_present:
 * @self: a #RemsimCardSink
 * @present: %TRUE: a mapping is active, show a card; %FALSE: remove it
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
remsim_card_sink_set_card_present (RemsimCardSink *self, gboolean present, GError **error)
{
	RemsimCardSinkInterface *iface;
	GError *error_local = NULL;
	gboolean ok;

	g_return_val_if_fail (REMSIM_IS_CARD_SINK (self), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	iface = REMSIM_CARD_SINK_GET_IFACE (self);
	if (iface->set_card_present == NULL)
		return remsim_card_sink_not_supported (self, "set card present", error);
	ok = iface->set_card_present (self, present, &error_local);
	return remsim_card_sink_check_result (self, ok, error_local, "set card present", error);
}

/**
 * remsim_card_sink_get_status:
 * @self: a #RemsimCardSink
 * @status: (out caller-allocates): the current state of the lines
 *
 * Since: 0.1
 */
void
remsim_card_sink_get_status (RemsimCardSink *self, RemsimCardSinkStatus *status)
{
	RemsimCardSinkInterface *iface;

	g_return_if_fail (status != NULL);
	status->vcc = REMSIM_TRISTATE_UNKNOWN;
	status->rst = REMSIM_TRISTATE_UNKNOWN;
	status->clk = REMSIM_TRISTATE_UNKNOWN;
	status->card = REMSIM_TRISTATE_UNKNOWN;
	g_return_if_fail (REMSIM_IS_CARD_SINK (self));

	iface = REMSIM_CARD_SINK_GET_IFACE (self);
	if (iface->get_status != NULL)
		iface->get_status (self, status);
}

/**
 * remsim_card_sink_emit_command:
 * @self: a #RemsimCardSink
 * @tpdu: the command TPDU
 *
 * For implementations: emits #RemsimCardSink::command.
 *
 * Since: 0.1
 */
void
remsim_card_sink_emit_command (RemsimCardSink *self, GBytes *tpdu)
{
	g_return_if_fail (REMSIM_IS_CARD_SINK (self));
	g_return_if_fail (tpdu != NULL);
	g_signal_emit (self, remsim_card_sink_signals[SIGNAL_COMMAND], 0, tpdu);
}

/**
 * remsim_card_sink_emit_status:
 * @self: a #RemsimCardSink
 * @status: the new status
 *
 * For implementations: emits #RemsimCardSink::status.
 *
 * Since: 0.1
 */
void
remsim_card_sink_emit_status (RemsimCardSink *self, const RemsimCardSinkStatus *status)
{
	g_return_if_fail (REMSIM_IS_CARD_SINK (self));
	g_return_if_fail (status != NULL);
	g_signal_emit (self, remsim_card_sink_signals[SIGNAL_STATUS], 0, status);
}

/**
 * remsim_card_sink_emit_request_reset:
 * @self: a #RemsimCardSink
 *
 * For implementations: emits #RemsimCardSink::request-reset.
 *
 * Since: 0.1
 */
void
remsim_card_sink_emit_request_reset (RemsimCardSink *self)
{
	g_return_if_fail (REMSIM_IS_CARD_SINK (self));
	g_signal_emit (self, remsim_card_sink_signals[SIGNAL_REQUEST_RESET], 0);
}
