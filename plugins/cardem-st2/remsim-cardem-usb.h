/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * libusb helpers of the cardem-st2 sink: a GSource that runs a libusb
 * context's events on a GLib main context, and device selection/opening
 * (blocking; the sink runs it in a worker thread).
 */

#include <glib.h>
#include <libusb.h>

G_BEGIN_DECLS

#define REMSIM_CARDEM_USB_VENDOR_OSMOCOM 0x1d50

/* which device and interface; -1 = any / leave as is */
typedef struct {
	gint vendor;
	gint product; /* -1: any SIMtrace2-family card-emulation product */
	gchar *path;  /* "2-1.1", NULL: any */
	gint bus;
	gint address;
	gint configuration;
	gint interface;
	gint altsetting;
} RemsimCardemUsbMatch;

/* what remsim_cardem_usb_open() found */
typedef struct {
	libusb_device_handle *devh;
	gint interface;
	guint8 ep_out;
	guint8 ep_in;
	guint8 ep_irq;
	guint16 vendor;
	guint16 product;
	guint8 bus;
	guint8 address;
	gchar *path;
} RemsimCardemUsbDevice;

void remsim_cardem_usb_match_clear (RemsimCardemUsbMatch *match);
void remsim_cardem_usb_match_copy (const RemsimCardemUsbMatch *src, RemsimCardemUsbMatch *dst);
gchar *remsim_cardem_usb_match_to_string (const RemsimCardemUsbMatch *match);
void remsim_cardem_usb_device_free (RemsimCardemUsbDevice *dev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemsimCardemUsbDevice, remsim_cardem_usb_device_free)

gboolean remsim_cardem_usb_is_cardem_product (guint16 vendor, guint16 product);
gchar *remsim_cardem_usb_get_path (libusb_device *dev);
gboolean remsim_cardem_usb_parse_path (const gchar *path, GError **error);

RemsimCardemUsbDevice *remsim_cardem_usb_open (libusb_context *ctx,
					       const RemsimCardemUsbMatch *match,
					       GError **error) G_GNUC_WARN_UNUSED_RESULT;

GSource *remsim_cardem_usb_source_new (libusb_context *ctx);
void remsim_cardem_usb_source_detach (GSource *source);

G_END_DECLS
