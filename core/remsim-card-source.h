/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * RemsimCardSource:
 *
 * The bank side of a slot: one card in one bank slot. A plugin type
 * implementing this interface must also implement #GInitable; the core
 * creates one instance per bank slot it configures with
 *
 *   g_initable_new (type, NULL, &error,
 *                   "config", keyfile,   (GKeyFile, the program's file)
 *                   "group", "source:<label>",
 *                   "slot", slot_nr,
 *                   NULL);
 *
 * (remsim_plugins_create_card_source() does this). The implementation
 * overrides the three construct-only properties with
 * g_object_class_override_property(), reads its keys from its group in
 * g_initable_init() and rejects keys it does not know
 * (remsim_plugin_check_keys()); #RemsimPluginInstanceProps does all three.
 *
 * All calls come from the thread of the main context the instance was
 * created in; async results are returned there too. Blocking work belongs in
 * worker threads (g_task_run_in_thread()). One transmit is outstanding at a
 * time (ISO 7816 is half duplex): the core does not call transmit again
 * before the previous one completed.
 *
 * Callers use the checking wrappers below, never the vtable.
 *
 * Since: 0.1
 */
#define REMSIM_TYPE_CARD_SOURCE (remsim_card_source_get_type ())
G_DECLARE_INTERFACE (RemsimCardSource, remsim_card_source, REMSIM, CARD_SOURCE, GObject)

/**
 * RemsimCardSourceInterface:
 * @power_on_async: power the card up (cold); the result is the ATR
 * @power_on_finish: returns the ATR (transfer full)
 * @reset_async: reset a powered card (@cold: power cycle, else warm reset);
 *   the result is the ATR
 * @reset_finish: returns the ATR (transfer full)
 * @transmit_async: send one command TPDU (CLA INS P1 P2 P3 [data]); the
 *   result is the response data followed by SW1 SW2
 * @transmit_finish: returns the response (transfer full)
 * @power_off: power the card down; must not block
 * @get_atr: the ATR of the powered card (transfer full), or %NULL
 * @is_card_present: whether a card sits in the slot
 *
 * Any member may be %NULL; the wrapper then fails with
 * %REMSIM_ERROR_NOT_SUPPORTED (get_atr returns %NULL, is_card_present %TRUE).
 * Async members complete through a #GTask and honour the #GCancellable.
 */
struct _RemsimCardSourceInterface {
	GTypeInterface parent_iface;

	void (*power_on_async) (RemsimCardSource *self,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data);
	GBytes *(*power_on_finish) (RemsimCardSource *self, GAsyncResult *res, GError **error);

	void (*reset_async) (RemsimCardSource *self,
			     gboolean cold,
			     GCancellable *cancellable,
			     GAsyncReadyCallback callback,
			     gpointer user_data);
	GBytes *(*reset_finish) (RemsimCardSource *self, GAsyncResult *res, GError **error);

	void (*transmit_async) (RemsimCardSource *self,
				GBytes *tpdu,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data);
	GBytes *(*transmit_finish) (RemsimCardSource *self, GAsyncResult *res, GError **error);

	gboolean (*power_off) (RemsimCardSource *self, GError **error);
	GBytes *(*get_atr) (RemsimCardSource *self);
	gboolean (*is_card_present) (RemsimCardSource *self);

	/*< private >*/
	gpointer padding[8];
};

void remsim_card_source_power_on_async (RemsimCardSource *self,
					GCancellable *cancellable,
					GAsyncReadyCallback callback,
					gpointer user_data);
GBytes *remsim_card_source_power_on_finish (RemsimCardSource *self,
					    GAsyncResult *res,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;
void remsim_card_source_reset_async (RemsimCardSource *self,
				     gboolean cold,
				     GCancellable *cancellable,
				     GAsyncReadyCallback callback,
				     gpointer user_data);
GBytes *remsim_card_source_reset_finish (RemsimCardSource *self,
					 GAsyncResult *res,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;
void remsim_card_source_transmit_async (RemsimCardSource *self,
					GBytes *tpdu,
					GCancellable *cancellable,
					GAsyncReadyCallback callback,
					gpointer user_data);
GBytes *remsim_card_source_transmit_finish (RemsimCardSource *self,
					    GAsyncResult *res,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean remsim_card_source_power_off (RemsimCardSource *self,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes *remsim_card_source_get_atr (RemsimCardSource *self);
gboolean remsim_card_source_is_card_present (RemsimCardSource *self);

/* for implementations: emits "card-changed" */
void remsim_card_source_emit_card_changed (RemsimCardSource *self, gboolean present);

G_END_DECLS
