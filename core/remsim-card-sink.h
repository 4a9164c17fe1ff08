/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * RemsimTristate:
 * @REMSIM_TRISTATE_UNKNOWN: the sink cannot tell
 * @REMSIM_TRISTATE_OFF: inactive / absent
 * @REMSIM_TRISTATE_ON: active / present
 *
 * Since: 0.1
 */
typedef enum {
	REMSIM_TRISTATE_UNKNOWN,
	REMSIM_TRISTATE_OFF,
	REMSIM_TRISTATE_ON,
} RemsimTristate;

#define REMSIM_TYPE_TRISTATE (remsim_tristate_get_type ())
GType remsim_tristate_get_type (void);

/**
 * RemsimCardSinkStatus:
 * @vcc: the modem powers the card
 * @rst: the reset line is active
 * @clk: the clock runs
 * @card: the modem sees a card inserted
 *
 * The electrical state of the client slot as the modem drives it; maps to
 * RSPRO's SlotPhysStatus.
 *
 * Since: 0.1
 */
typedef struct {
	RemsimTristate vcc;
	RemsimTristate rst;
	RemsimTristate clk;
	RemsimTristate card;
} RemsimCardSinkStatus;

#define REMSIM_TYPE_CARD_SINK_STATUS (remsim_card_sink_status_get_type ())
GType remsim_card_sink_status_get_type (void);
RemsimCardSinkStatus *remsim_card_sink_status_copy (const RemsimCardSinkStatus *status);
void remsim_card_sink_status_free (RemsimCardSinkStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimCardSinkStatus, remsim_card_sink_status_free)

/**
 * RemsimCardSink:
 *
 * The modem- or application-facing side of a client slot. Like
 * #RemsimCardSource, an implementation also implements #GInitable and gets
 * the construct-only properties "config" (#GKeyFile), "group"
 * ("sink:<label>") and "slot" (the client slot number); one instance serves
 * one client slot (remsim_plugins_create_card_sink()).
 *
 * Flow: the core calls start(), then set_atr() and set_card_present(TRUE)
 * once a bank card is mapped. The sink emits "command" for each command
 * TPDU of the modem; the core answers with deliver_response() (one command
 * is outstanding at a time). The sink reports the VCC/RST/CLK/card lines
 * with "status" and asks for a card reset with "request-reset".
 * set_card_present(FALSE) means the mapping is gone: the sink shows the modem
 * a card removal. stop() ends it all; no signal is emitted after it.
 *
 * All calls and signals happen in the thread of the main context the
 * instance was created in; none of the calls may block.
 *
 * Since: 0.1
 */
#define REMSIM_TYPE_CARD_SINK (remsim_card_sink_get_type ())
G_DECLARE_INTERFACE (RemsimCardSink, remsim_card_sink, REMSIM, CARD_SINK, GObject)

/**
 * RemsimCardSinkInterface:
 * @start: open the modem side (a %NULL member means nothing to do)
 * @stop: close it (a %NULL member means nothing to do)
 * @set_atr: the ATR to present to the modem
 * @deliver_response: the response (data, SW1 SW2) to the last "command"
 * @set_card_present: show the modem a card insertion or removal
 * @get_status: fill @status with the current state of the lines
 *   (a %NULL member leaves all unknown)
 *
 * The wrapper of a %NULL member other than @start, @stop and @get_status
 * fails with %REMSIM_ERROR_NOT_SUPPORTED.
 */
struct _RemsimCardSinkInterface {
	GTypeInterface parent_iface;

	gboolean (*start) (RemsimCardSink *self, GError **error);
	void (*stop) (RemsimCardSink *self);
	gboolean (*set_atr) (RemsimCardSink *self, GBytes *atr, GError **error);
	gboolean (*deliver_response) (RemsimCardSink *self, GBytes *response, GError **error);
	gboolean (*set_card_present) (RemsimCardSink *self, gboolean present, GError **error);
	void (*get_status) (RemsimCardSink *self, RemsimCardSinkStatus *status);

	/*< private >*/
	gpointer padding[8];
};

gboolean remsim_card_sink_start (RemsimCardSink *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void remsim_card_sink_stop (RemsimCardSink *self);
gboolean remsim_card_sink_set_atr (RemsimCardSink *self,
				   GBytes *atr,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean remsim_card_sink_deliver_response (RemsimCardSink *self,
					    GBytes *response,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean remsim_card_sink_set_card_present (RemsimCardSink *self,
					    gboolean present,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;
void remsim_card_sink_get_status (RemsimCardSink *self, RemsimCardSinkStatus *status);

/* for implementations: emit the signals */
void remsim_card_sink_emit_command (RemsimCardSink *self, GBytes *tpdu);
void remsim_card_sink_emit_status (RemsimCardSink *self, const RemsimCardSinkStatus *status);
void remsim_card_sink_emit_request_reset (RemsimCardSink *self);

G_END_DECLS
