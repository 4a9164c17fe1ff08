/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <gio/gio.h>

#include "remsim-config.h"
#include "remsim-rspro.h"

G_BEGIN_DECLS

/*
 * What the three D-Bus exporters (remsim-server-dbus.c, remsim-bankd-dbus.c,
 * remsim-client-dbus.c) share: the keyfile keys `dbus` and
 * `dbus-name-suffix`, the bus connection, the well-known name and value
 * conversions. docs/dbus.md describes the bus API.
 */

/* every program exports its objects under this ObjectManager path */
#define REMSIM_DBUS_PATH "/org/remsim"

/* counters (APDUs, bytes) are published at most this often (docs/dbus.md) */
#define REMSIM_DBUS_COUNTER_INTERVAL_MS 250

/**
 * remsim_dbus_config_schema:
 * @base: a program's static schema
 * @group: its own group ("server", "bankd", "client")
 *
 * Returns: (transfer none): @base followed by the keys `dbus`
 *   (session|system|none, default none) and `dbus-name-suffix` in @group;
 *   built once per @base and kept for the life of the process
 * Since: 0.1
 */
const RemsimConfigKey *remsim_dbus_config_schema (const RemsimConfigKey *base, const gchar *group);

/* "session", "system" or "none" (G_BUS_TYPE_NONE) */
gboolean remsim_dbus_parse_bus_type (const gchar *value,
				     GBusType *bus_type,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * remsim_dbus_config_get_bus:
 * @config: a configuration made with remsim_dbus_config_schema()
 * @group: the program's group
 * @bus_type: (out): the bus of the key `dbus`
 * @suffix: (out) (transfer full) (nullable): the key `dbus-name-suffix`
 *
 * Returns: %FALSE with @error set if `dbus` is not a bus
 *   (remsim_dbus_parse_bus_type()); @suffix is set either way
 * Since: 0.1
 */
gboolean remsim_dbus_config_get_bus (RemsimConfig *config,
				     const gchar *group,
				     GBusType *bus_type,
				     gchar **suffix,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * remsim_dbus_make_name:
 * @base: "org.remsim.Server", "org.remsim.Bankd" or "org.remsim.Client"
 * @suffix: (nullable): "" or NULL for none, else appended after a dot
 *   ("lab2" → "org.remsim.Bankd.lab2"; "bank1.rack2" is fine too)
 *
 * Returns: (transfer full): the well-known name, or %NULL with
 *   REMSIM_ERROR_INVALID_ARGUMENT if it is not a valid bus name
 * Since: 0.1
 */
gchar *remsim_dbus_make_name (const gchar *base,
			      const gchar *suffix,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * RemsimDBusExport:
 * @connection: the bus, %NULL while stopped
 * @name: the well-known name once owned, else %NULL
 * @manager: the ObjectManager at %REMSIM_DBUS_PATH while started
 *
 * What an exporter of bank or client slots holds while it is started.
 * Zero-initialised when stopped.
 */
typedef struct {
	GDBusConnection *connection;
	gchar *name;
	GDBusObjectManagerServer *manager;
} RemsimDBusExport;

/**
 * remsim_dbus_export_begin:
 * @base: the well-known name without suffix ("org.remsim.Bankd")
 * @suffix: (nullable): see remsim_dbus_make_name()
 *
 * Checks the name, then takes @connection and makes the ObjectManager: add
 * the objects to @ex->manager, then call remsim_dbus_export_publish().
 *
 * Returns: (transfer full): the name to own, or %NULL (nothing started)
 * Since: 0.1
 */
gchar *remsim_dbus_export_begin (RemsimDBusExport *ex,
				 GDBusConnection *connection,
				 const gchar *base,
				 const gchar *suffix,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * remsim_dbus_export_publish:
 * @name: (inout) (transfer full): from remsim_dbus_export_begin(); taken
 *   into @ex->name once owned
 *
 * Puts the objects on the bus, then owns the name: whoever sees the name
 * sees them all.
 *
 * Returns: %FALSE when the name cannot be owned (then stop the exporter)
 * Since: 0.1
 */
gboolean remsim_dbus_export_publish (RemsimDBusExport *ex, gchar **name, GError **error);

/**
 * remsim_dbus_export_stop:
 *
 * Releases the name, takes the objects off the bus and drops the
 * connection; does nothing when stopped.
 * Since: 0.1
 */
void remsim_dbus_export_stop (RemsimDBusExport *ex);

/**
 * remsim_dbus_connect:
 * @bus_type: G_BUS_TYPE_SESSION or G_BUS_TYPE_SYSTEM
 *
 * Connects to the bus (blocking: for program start-up only). Losing the
 * connection later does not exit the program (the role keeps serving
 * RSPRO; a warning is logged).
 * Returns: (transfer full): the connection, or %NULL
 * Since: 0.1
 */
GDBusConnection *remsim_dbus_connect (GBusType bus_type, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* RequestName with DO_NOT_QUEUE (blocking, start-up only); fails with
 * REMSIM_ERROR_EXISTS if another process owns @name */
gboolean remsim_dbus_request_name (GDBusConnection *connection,
				   const gchar *name,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* ReleaseName without waiting for the answer */
void remsim_dbus_release_name (GDBusConnection *connection, const gchar *name);

/* a{ss} of the set members of @identity (type, name, software, sw-version,
 * hw-manufacturer, hw-model, hw-serial-nr, hw-version, fw-version); floating */
GVariant *remsim_dbus_identity_to_variant (const RemsimComponentIdentity *identity);
/* "192.0.2.1:9999", "[2001:db8::1]:9999" */
gchar *remsim_dbus_ip_port_to_string (const RemsimIpPort *ip);
/* ay of @bytes (NULL: empty); floating */
GVariant *remsim_dbus_bytes_to_variant (GBytes *bytes);

/*
 * RemsimDBusThrottle: publishes counters at most every @interval_ms. The
 * exporter kicks it when the core says a counter moved; the first kick
 * after a quiet period starts one timer, further kicks until it fires cost
 * nothing; when it fires, @func publishes the current values (one
 * PropertiesChanged) and the timer stops. No timer runs while nothing
 * changes.
 */
typedef struct _RemsimDBusThrottle RemsimDBusThrottle;
typedef void (*RemsimDBusThrottleFunc) (gpointer user_data);

RemsimDBusThrottle *
remsim_dbus_throttle_new (guint interval_ms, RemsimDBusThrottleFunc func, gpointer user_data);
void remsim_dbus_throttle_kick (RemsimDBusThrottle *self);
/* whether a publication is pending */
gboolean remsim_dbus_throttle_is_pending (RemsimDBusThrottle *self);
/* cancels a pending publication */
void remsim_dbus_throttle_free (RemsimDBusThrottle *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimDBusThrottle, remsim_dbus_throttle_free)

/* "on", "off", "unknown" for VCC/RST/CLK (RemsimTristate values) */
const gchar *remsim_dbus_tristate_to_string (gint tristate);

G_END_DECLS
