/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "remsim-plugin-api.h"

G_BEGIN_DECLS

/**
 * RemsimViccSink:
 *
 * A card sink that plays vsmartcard's vicc: the remote card of one client
 * slot becomes the card of a vpcd reader (pcscd with vsmartcard's vpcd
 * driver, "Virtual PCD 00 00"), so every PC/SC application can use it. The
 * sink connects to the vpcd (default) or lets a vpcd in reversed mode
 * connect to it, and only while the core shows a card
 * (remsim_card_sink_set_card_present()). See docs/plugins/vicc.md.
 *
 * Since: 0.1
 */
#define REMSIM_TYPE_VICC_SINK (remsim_vicc_sink_get_type ())
G_DECLARE_FINAL_TYPE (RemsimViccSink, remsim_vicc_sink, REMSIM, VICC_SINK, GObject)

/* the TCP port connected to, or listened on (the bound one when configured
 * as 0, once bound); also the read-only property "port" */
guint16 remsim_vicc_sink_get_port (RemsimViccSink *self);

/* whether a vpcd is connected right now; also the read-only property
 * "connected" (notified on change) */
gboolean remsim_vicc_sink_is_connected (RemsimViccSink *self);

G_END_DECLS
