/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-card-source.h"
#include "remsim-error.h"

/* -Wpedantic forbids function pointers as gpointer; go through an integer */
#define REMSIM_CARD_SOURCE_TAG(fn) ((gpointer)(guintptr)(fn))

G_DEFINE_INTERFACE (RemsimCardSource, remsim_card_source, G_TYPE_OBJECT)

enum {
	SIGNAL_CARD_CHANGED,
	SIGNAL_LAST,
};

static guint remsim_card_source_signals[SIGNAL_LAST] = {0};

static void
remsim_card_source_default_init (RemsimCardSourceInterface *iface)
{
	/**
	 * RemsimCardSource:config:
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
	 * RemsimCardSource:group:
	 * The instance's keyfile group, "source:<label>" (construct only).
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
	 * RemsimCardSource:slot:
	 * The bank slot number this instance serves (construct only).
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
	 * RemsimCardSource::card-changed:
	 * @present: whether a card is in the slot now
	 *
	 * A card was inserted or removed.
	 */
	remsim_card_source_signals[SIGNAL_CARD_CHANGED] =
	    g_signal_new ("card-changed",
			  G_TYPE_FROM_INTERFACE (iface),
			  G_SIGNAL_RUN_LAST,
			  0,
			  NULL,
			  NULL,
			  NULL,
			  G_TYPE_NONE,
			  1,
			  G_TYPE_BOOLEAN);
}

static void
remsim_card_source_report_not_supported (RemsimCardSource *self,
					 GAsyncReadyCallback callback,
					 gpointer user_data,
					 gpointer source_tag,
					 const gchar *what)
{
	g_task_report_new_error (self,
				 callback,
				 user_data,
				 source_tag,
				 REMSIM_ERROR,
				 REMSIM_ERROR_NOT_SUPPORTED,
				 "%s: %s not supported",
				 G_OBJECT_TYPE_NAME (self),
				 what);
}

/* shared by the three finish wrappers: a NULL result always comes with an error */
static GBytes *
remsim_card_source_finish_bytes (RemsimCardSource *self,
				 GAsyncResult *res,
				 gpointer source_tag,
				 GBytes *(*finish) (RemsimCardSource *, GAsyncResult *, GError **),
				 const gchar *what,
				 GError **error)
{
	g_autoptr (GError) error_local = NULL;
	GBytes *bytes;

	if (g_async_result_is_tagged (res, source_tag))
		return g_task_propagate_pointer (G_TASK (res), error);
	if (finish == NULL) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_NOT_SUPPORTED,
			     "%s: %s not supported",
			     G_OBJECT_TYPE_NAME (self),
			     what);
		return NULL;
	}
	bytes = finish (self, res, &error_local);
	if (bytes == NULL) {
		if (error_local == NULL)
			g_set_error (&error_local,
				     REMSIM_ERROR,
				     REMSIM_ERROR_FAILED,
				     "%s: %s failed without a reason",
				     G_OBJECT_TYPE_NAME (self),
				     what);
		g_propagate_error (error, g_steal_pointer (&error_local));
	}
	return bytes;
}

/**
 * remsim_card_source_power_on_async:
 * @self: a #RemsimCardSource
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: for @callback
 *
 * Powers the card up.
 *
 * Since: 0.1
 */
void
remsim_card_source_power_on_async (RemsimCardSource *self,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data)
{
	RemsimCardSourceInterface *iface;

	g_return_if_fail (REMSIM_IS_CARD_SOURCE (self));
	g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

	iface = REMSIM_CARD_SOURCE_GET_IFACE (self);
	if (iface->power_on_async == NULL) {
		remsim_card_source_report_not_supported (
		    self,
		    callback,
		    user_data,
		    REMSIM_CARD_SOURCE_TAG (remsim_card_source_power_on_async),
		    "power on");
		return;
	}
	iface->power_on_async (self, cancellable, callback, user_data);
}

/**
 * remsim_card_source_power_on_finish:
 * @self: a #RemsimCardSource
 * @res: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the ATR, or %NULL with @error set
 *
 * Since: 0.1
 */
GBytes *
remsim_card_source_power_on_finish (RemsimCardSource *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail (REMSIM_IS_CARD_SOURCE (self), NULL);
	g_return_val_if_fail (G_IS_ASYNC_RESULT (res), NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	return remsim_card_source_finish_bytes (
	    self,
	    res,
	    REMSIM_CARD_SOURCE_TAG (remsim_card_source_power_on_async),
	    REMSIM_CARD_SOURCE_GET_IFACE (self)->power_on_finish,
	    "power on",
	    error);
}

/**
 * remsim_card_source_reset_async:
 * @self: a #RemsimCardSource
 * @cold: %TRUE for a cold reset (power cycle), %FALSE for a warm reset
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: for @callback
 *
 * Resets the card.
 *
 * Since: 0.1
 */
void
remsim_card_source_reset_async (RemsimCardSource *self,
				gboolean cold,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data)
{
	RemsimCardSourceInterface *iface;

	g_return_if_fail (REMSIM_IS_CARD_SOURCE (self));
	g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

	iface = REMSIM_CARD_SOURCE_GET_IFACE (self);
	if (iface->reset_async == NULL) {
		remsim_card_source_report_not_supported (
		    self,
		    callback,
		    user_data,
		    REMSIM_CARD_SOURCE_TAG (remsim_card_source_reset_async),
		    "reset");
		return;
	}
	iface->reset_async (self, cold, cancellable, callback, user_data);
}

/**
 * remsim_card_source_reset_finish:
 * @self: a #RemsimCardSource
 * @res: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the ATR, or %NULL with @error set
 *
 * Since: 0.1
 */
GBytes *
remsim_card_source_reset_finish (RemsimCardSource *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail (REMSIM_IS_CARD_SOURCE (self), NULL);
	g_return_val_if_fail (G_IS_ASYNC_RESULT (res), NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	return remsim_card_source_finish_bytes (
	    self,
	    res,
	    REMSIM_CARD_SOURCE_TAG (remsim_card_source_reset_async),
	    REMSIM_CARD_SOURCE_GET_IFACE (self)->reset_finish,
	    "reset",
	    error);
}

/**
 * remsim_card_source_transmit_async:
 * @self: a #RemsimCardSource
 * @tpdu: the command TPDU: CLA INS P1 P2 P3 [data]
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: for @callback
 *
 * Sends one command to the card. Only one transmit may be outstanding.
 *
 * Since: 0.1
 */
void
remsim_card_source_transmit_async (RemsimCardSource *self,
				   GBytes *tpdu,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data)
{
	RemsimCardSourceInterface *iface;

	g_return_if_fail (REMSIM_IS_CARD_SOURCE (self));
	g_return_if_fail (tpdu != NULL);
	g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

	iface = REMSIM_CARD_SOURCE_GET_IFACE (self);
	if (iface->transmit_async == NULL) {
		remsim_card_source_report_not_supported (
		    self,
		    callback,
		    user_data,
		    REMSIM_CARD_SOURCE_TAG (remsim_card_source_transmit_async),
		    "transmit");
		return;
	}
	iface->transmit_async (self, tpdu, cancellable, callback, user_data);
}

/**
 * remsim_card_source_transmit_finish:
 * @self: a #RemsimCardSource
 * @res: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the response data followed by SW1 SW2, or %NULL
 * with @error set
 *
 * Since: 0.1
 */
GBytes *
remsim_card_source_transmit_finish (RemsimCardSource *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail (REMSIM_IS_CARD_SOURCE (self), NULL);
	g_return_val_if_fail (G_IS_ASYNC_RESULT (res), NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	return remsim_card_source_finish_bytes (
	    self,
	    res,
	    REMSIM_CARD_SOURCE_TAG (remsim_card_source_transmit_async),
	    REMSIM_CARD_SOURCE_GET_IFACE (self)->transmit_finish,
	    "transmit",
	    error);
}

/**
 * remsim_card_source_power_off:
 * @self: a #RemsimCardSource
 * @error: return location for a #GError
 *
 * Powers the card down.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
remsim_card_source_power_off (RemsimCardSource *self, GError **error)
{
	RemsimCardSourceInterface *iface;
	g_autoptr (GError) error_local = NULL;

	g_return_val_if_fail (REMSIM_IS_CARD_SOURCE (self), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	iface = REMSIM_CARD_SOURCE_GET_IFACE (self);
	if (iface->power_off == NULL) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_NOT_SUPPORTED,
			     "%s: power off not supported",
			     G_OBJECT_TYPE_NAME (self));
		return FALSE;
	}
	if (!iface->power_off (self, &error_local)) {
		if (error_local == NULL)
			g_set_error (&error_local,
				     REMSIM_ERROR,
				     REMSIM_ERROR_FAILED,
				     "%s: power off failed without a reason",
				     G_OBJECT_TYPE_NAME (self));
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	return TRUE;
}

/**
 * remsim_card_source_get_atr:
 * @self: a #RemsimCardSource
 *
 * Returns: (transfer full) (nullable): the ATR of the powered card
 *
 * Since: 0.1
 */
GBytes *
remsim_card_source_get_atr (RemsimCardSource *self)
{
	RemsimCardSourceInterface *iface;

	g_return_val_if_fail (REMSIM_IS_CARD_SOURCE (self), NULL);

	iface = REMSIM_CARD_SOURCE_GET_IFACE (self);
	if (iface->get_atr == NULL)
		return NULL;
	return iface->get_atr (self);
}

/**
 * remsim_card_source_is_card_present:
 * @self: a #RemsimCardSource
 *
 * Returns: whether a card is in the slot; %TRUE if the source cannot tell
 *   (power on then says)
 *
 * Since: 0.1
 */
gboolean
remsim_card_source_is_card_present (RemsimCardSource *self)
{
	RemsimCardSourceInterface *iface;

	g_return_val_if_fail (REMSIM_IS_CARD_SOURCE (self), FALSE);

	iface = REMSIM_CARD_SOURCE_GET_IFACE (self);
	if (iface->is_card_present == NULL)
		return TRUE;
	return iface->is_card_present (self);
}

/**
 * remsim_card_source_emit_card_changed:
 * @self: a #RemsimCardSource
 * @present: whether a card is in the slot now
 *
 * For implementations: emits #RemsimCardSource::card-changed.
 *
 * Since: 0.1
 */
void
remsim_card_source_emit_card_changed (RemsimCardSource *self, gboolean present)
{
	g_return_if_fail (REMSIM_IS_CARD_SOURCE (self));
	g_signal_emit (self, remsim_card_source_signals[SIGNAL_CARD_CHANGED], 0, present);
}
