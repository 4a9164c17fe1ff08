/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "remsim-config.h"

G_BEGIN_DECLS

/*
 * What the programs' main() functions (remsim-server-main.c,
 * remsim-bankd-main.c, remsim-client-main.c) share: command-line options
 * that override keyfile values, error exits and the main loop.
 */

/**
 * remsim_main_format_hostport:
 *
 * Returns: (transfer full): "host:port", or "[host]:port" for an IPv6 host
 */
gchar *remsim_main_format_hostport (const gchar *host, guint16 port);

/**
 * remsim_main_override_string:
 * @value: (nullable): the option's value; %NULL when not given
 * @origin: the option, for error messages ("--atr")
 *
 * Sets @key of @group to @value, over the keyfile's value.
 *
 * Returns: %TRUE when @value is %NULL or valid for @key
 */
gboolean remsim_main_override_string (RemsimConfig *config,
				      const gchar *group,
				      const gchar *key,
				      const gchar *value,
				      const gchar *origin,
				      GError **error);

/**
 * remsim_main_override_int:
 * @value: the option's value; %G_MININT when not given
 *
 * Like remsim_main_override_string() for an integer option.
 */
gboolean remsim_main_override_int (RemsimConfig *config,
				   const gchar *group,
				   const gchar *key,
				   gint value,
				   const gchar *origin,
				   GError **error);

/**
 * remsim_main_override_dbus:
 * @dbus: (nullable): the value of --dbus
 * @suffix: (nullable): the value of --dbus-name-suffix
 *
 * The options every program has for the keys `dbus` and `dbus-name-suffix`
 * of @group (remsim_dbus_config_schema()).
 */
gboolean remsim_main_override_dbus (RemsimConfig *config,
				    const gchar *group,
				    const gchar *dbus,
				    const gchar *suffix,
				    GError **error);

/**
 * remsim_main_override_hostport:
 * @host: (nullable): the host option's value; %NULL when not given
 * @host_origin: the host option ("--server-host")
 * @port: the port option's value; %G_MININT when not given
 * @port_origin: the port option ("--server-port")
 * @min_port: the lowest port @port may be (0 or 1)
 * @default_port: the port when @port is not given and @key has no value
 *
 * Combines a host option and a port option with the host:port value of
 * @key: either one replaces its part. Does nothing when neither is given,
 * or when only @port is and @key has no host.
 *
 * Returns: %FALSE with @error set for a port out of range or a bad host
 */
gboolean remsim_main_override_hostport (RemsimConfig *config,
					const gchar *group,
					const gchar *key,
					const gchar *host,
					const gchar *host_origin,
					gint port,
					const gchar *port_origin,
					gint min_port,
					guint16 default_port,
					GError **error);

/**
 * remsim_main_fail:
 * @program: the program name ("remsim-bankd")
 * @where: (nullable): what failed ("D-Bus")
 * @status: the exit status to return
 *
 * Prints "@program: @where: message" (or "@program: message") on stderr.
 *
 * Returns: @status
 */
gint remsim_main_fail (const gchar *program, const gchar *where, const GError *error, gint status);

/**
 * remsim_main_run:
 * @loop: the main loop
 * @quit_message: logged when SIGINT or SIGTERM quits @loop
 *
 * Runs @loop until it is quit, by a signal or otherwise.
 */
void remsim_main_run (GMainLoop *loop, const gchar *quit_message);

G_END_DECLS
