/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <poll.h>
#include <string.h>

#include "remsim-cardem-usb.h"
#include "remsim-error.h"

/* card-emulation products of the SIMtrace2 family (protocols.md §7.1) */
static const guint16 remsim_cardem_usb_products[] = {
    0x60e3, /* SIMtrace2 */
    0x4004, /* sysmoQMOD */
    0x4001, /* OWHW */
    0x616d, /* octsimtest */
    0x616e, /* NGFF-cardem */
};

gboolean
remsim_cardem_usb_is_cardem_product (guint16 vendor, guint16 product)
{
	if (vendor != REMSIM_CARDEM_USB_VENDOR_OSMOCOM)
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS (remsim_cardem_usb_products); i++) {
		if (remsim_cardem_usb_products[i] == product)
			return TRUE;
	}
	return FALSE;
}

void
remsim_cardem_usb_match_clear (RemsimCardemUsbMatch *match)
{
	g_clear_pointer (&match->path, g_free);
}

void
remsim_cardem_usb_match_copy (const RemsimCardemUsbMatch *src, RemsimCardemUsbMatch *dst)
{
	*dst = *src;
	dst->path = g_strdup (src->path);
}

gchar *
remsim_cardem_usb_match_to_string (const RemsimCardemUsbMatch *match)
{
	GString *s = g_string_new (NULL);

	if (match->vendor >= 0)
		g_string_append_printf (s, "%04x:", match->vendor);
	else
		g_string_append (s, "*:");
	if (match->product >= 0)
		g_string_append_printf (s, "%04x", match->product);
	else
		g_string_append (s, "cardem");
	if (match->path != NULL)
		g_string_append_printf (s, " path %s", match->path);
	if (match->address >= 0) {
		if (match->bus >= 0)
			g_string_append_printf (s, " address %d:%d", match->bus, match->address);
		else
			g_string_append_printf (s, " address %d", match->address);
	}
	g_string_append_printf (s, " interface %d", match->interface);
	return g_string_free (s, FALSE);
}

void
remsim_cardem_usb_device_free (RemsimCardemUsbDevice *dev)
{
	if (dev == NULL)
		return;
	if (dev->devh != NULL) {
		if (dev->interface >= 0)
			libusb_release_interface (dev->devh, dev->interface);
		libusb_close (dev->devh);
	}
	g_free (dev->path);
	g_free (dev);
}

/**
 * remsim_cardem_usb_get_path:
 * @dev: a libusb device
 *
 * Returns: (transfer full): "BUS-PORT.PORT...", as in sysfs and upstream's -H
 */
gchar *
remsim_cardem_usb_get_path (libusb_device *dev)
{
	guint8 ports[8];
	int n = libusb_get_port_numbers (dev, ports, sizeof (ports));
	GString *s = g_string_new (NULL);

	g_string_append_printf (s, "%u", libusb_get_bus_number (dev));
	for (int i = 0; i < n; i++)
		g_string_append_printf (s, "%c%u", i == 0 ? '-' : '.', ports[i]);
	return g_string_free (s, FALSE);
}

/**
 * remsim_cardem_usb_parse_path:
 * @path: a USB path
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @path looks like "2-1.1"
 */
gboolean
remsim_cardem_usb_parse_path (const gchar *path, GError **error)
{
	g_auto (GStrv) parts = NULL;
	g_auto (GStrv) ports = NULL;
	guint64 v;

	parts = g_strsplit (path, "-", 2);
	if (g_strv_length (parts) != 2 ||
	    !g_ascii_string_to_unsigned (parts[0], 10, 0, 255, &v, NULL))
		goto invalid;
	ports = g_strsplit (parts[1], ".", -1);
	if (g_strv_length (ports) == 0 || g_strv_length (ports) > 7)
		goto invalid;
	for (guint i = 0; ports[i] != NULL; i++) {
		if (!g_ascii_string_to_unsigned (ports[i], 10, 1, 255, &v, NULL))
			goto invalid;
	}
	return TRUE;
invalid:
	g_set_error (error,
		     REMSIM_ERROR,
		     REMSIM_ERROR_INVALID_ARGUMENT,
		     "'%s' is not a USB path (expected BUS-PORT[.PORT...], e.g. 2-1.1)",
		     path);
	return FALSE;
}

static gint
remsim_cardem_usb_error_code (int rc)
{
	switch (rc) {
	case LIBUSB_ERROR_NO_DEVICE:
	case LIBUSB_ERROR_NOT_FOUND:
		return REMSIM_ERROR_NOT_FOUND;
	case LIBUSB_ERROR_BUSY:
		return REMSIM_ERROR_BUSY;
	case LIBUSB_ERROR_TIMEOUT:
		return REMSIM_ERROR_TIMED_OUT;
	case LIBUSB_ERROR_NOT_SUPPORTED:
		return REMSIM_ERROR_NOT_SUPPORTED;
	case LIBUSB_ERROR_INVALID_PARAM:
		return REMSIM_ERROR_INVALID_ARGUMENT;
	default:
		return REMSIM_ERROR_FAILED;
	}
}

static gboolean
remsim_cardem_usb_matches (libusb_device *dev, const RemsimCardemUsbMatch *match)
{
	struct libusb_device_descriptor desc;

	if (libusb_get_device_descriptor (dev, &desc) != 0)
		return FALSE;
	if (match->vendor >= 0 && desc.idVendor != match->vendor)
		return FALSE;
	if (match->product >= 0) {
		if (desc.idProduct != match->product)
			return FALSE;
	} else if (!remsim_cardem_usb_is_cardem_product (desc.idVendor, desc.idProduct)) {
		return FALSE;
	}
	if (match->address >= 0 && libusb_get_device_address (dev) != match->address)
		return FALSE;
	if (match->bus >= 0 && libusb_get_bus_number (dev) != match->bus)
		return FALSE;
	if (match->path != NULL) {
		g_autofree gchar *path = remsim_cardem_usb_get_path (dev);

		if (g_strcmp0 (path, match->path) != 0)
			return FALSE;
	}
	return TRUE;
}

/* the bulk OUT, bulk IN and interrupt IN endpoints of the interface */
static gboolean
remsim_cardem_usb_find_endpoints (libusb_device_handle *devh,
				  const RemsimCardemUsbMatch *match,
				  RemsimCardemUsbDevice *out,
				  GError **error)
{
	struct libusb_config_descriptor *cfg = NULL;
	const struct libusb_interface_descriptor *alt = NULL;
	int rc;

	rc = libusb_get_active_config_descriptor (libusb_get_device (devh), &cfg);
	if (rc != 0) {
		g_set_error (error,
			     REMSIM_ERROR,
			     remsim_cardem_usb_error_code (rc),
			     "cannot read the configuration descriptor: %s",
			     libusb_strerror (rc));
		return FALSE;
	}
	for (int i = 0; i < cfg->bNumInterfaces && alt == NULL; i++) {
		const struct libusb_interface *intf = &cfg->interface[i];

		for (int a = 0; a < intf->num_altsetting; a++) {
			if (intf->altsetting[a].bInterfaceNumber == match->interface &&
			    intf->altsetting[a].bAlternateSetting == MAX (match->altsetting, 0)) {
				alt = &intf->altsetting[a];
				break;
			}
		}
	}
	if (alt == NULL) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_NOT_FOUND,
			     "configuration %u has no interface %d altsetting %d",
			     cfg->bConfigurationValue,
			     match->interface,
			     MAX (match->altsetting, 0));
		libusb_free_config_descriptor (cfg);
		return FALSE;
	}
	if (alt->bInterfaceClass != 0xff || alt->bInterfaceSubClass != 0x02)
		g_message ("interface %d is class %02x/%02x, not card emulation (ff/02)",
			   match->interface,
			   alt->bInterfaceClass,
			   alt->bInterfaceSubClass);
	for (int e = 0; e < alt->bNumEndpoints; e++) {
		const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
		guint8 type = ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK;

		if (type == LIBUSB_TRANSFER_TYPE_BULK) {
			if (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN)
				out->ep_in = ep->bEndpointAddress;
			else
				out->ep_out = ep->bEndpointAddress;
		} else if (type == LIBUSB_TRANSFER_TYPE_INTERRUPT &&
			   (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN)) {
			out->ep_irq = ep->bEndpointAddress;
		}
	}
	libusb_free_config_descriptor (cfg);
	if (out->ep_in == 0 || out->ep_out == 0 || out->ep_irq == 0) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_NOT_FOUND,
			     "interface %d lacks an endpoint (bulk out %02x, bulk in %02x, "
			     "interrupt in %02x)",
			     match->interface,
			     out->ep_out,
			     out->ep_in,
			     out->ep_irq);
		return FALSE;
	}
	return TRUE;
}

/**
 * remsim_cardem_usb_open:
 * @ctx: a libusb context
 * @match: which device and interface
 * @error: return location for a #GError
 *
 * Finds the device, opens it, selects the configuration (only if it differs
 * from the active one), claims the interface, selects the altsetting and
 * finds the endpoints. Blocks: run it in a worker thread.
 *
 * Returns: (transfer full): the opened device, or %NULL with @error set
 *   (%REMSIM_ERROR_NOT_FOUND when no device matches)
 */
RemsimCardemUsbDevice *
remsim_cardem_usb_open (libusb_context *ctx, const RemsimCardemUsbMatch *match, GError **error)
{
	g_autoptr (RemsimCardemUsbDevice) out = g_new0 (RemsimCardemUsbDevice, 1);
	libusb_device **list = NULL;
	libusb_device *found = NULL;
	guint n_found = 0;
	ssize_t n;
	int rc, active = -1;

	out->interface = -1;
	n = libusb_get_device_list (ctx, &list);
	if (n < 0) {
		g_set_error (error,
			     REMSIM_ERROR,
			     remsim_cardem_usb_error_code ((int)n),
			     "cannot list USB devices: %s",
			     libusb_strerror ((int)n));
		return NULL;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (!remsim_cardem_usb_matches (list[i], match))
			continue;
		if (found == NULL)
			found = libusb_ref_device (list[i]);
		n_found++;
	}
	libusb_free_device_list (list, 1);
	if (found == NULL) {
		g_set_error_literal (error, REMSIM_ERROR, REMSIM_ERROR_NOT_FOUND, "no such device");
		return NULL;
	}
	out->path = remsim_cardem_usb_get_path (found);
	out->bus = libusb_get_bus_number (found);
	out->address = libusb_get_device_address (found);
	if (n_found > 1) {
		g_set_error (error,
			     REMSIM_ERROR,
			     REMSIM_ERROR_EXISTS,
			     "%u devices match (first at %s); set path= or address=",
			     n_found,
			     out->path);
		libusb_unref_device (found);
		return NULL;
	}
	{
		struct libusb_device_descriptor desc;

		if (libusb_get_device_descriptor (found, &desc) == 0) {
			out->vendor = desc.idVendor;
			out->product = desc.idProduct;
		}
	}
	rc = libusb_open (found, &out->devh);
	libusb_unref_device (found);
	if (rc != 0) {
		out->devh = NULL;
		g_set_error (error,
			     REMSIM_ERROR,
			     remsim_cardem_usb_error_code (rc),
			     "cannot open %s: %s",
			     out->path,
			     libusb_strerror (rc));
		return NULL;
	}
	/* a kernel driver on a vendor interface is unusual, but never fight it */
	(void)libusb_set_auto_detach_kernel_driver (out->devh, 1);
	if (match->configuration >= 0) {
		rc = libusb_get_configuration (out->devh, &active);
		if (rc != 0 || active != match->configuration) {
			rc = libusb_set_configuration (out->devh, match->configuration);
			if (rc != 0) {
				g_set_error (error,
					     REMSIM_ERROR,
					     remsim_cardem_usb_error_code (rc),
					     "%s: cannot set configuration %d: %s",
					     out->path,
					     match->configuration,
					     libusb_strerror (rc));
				return NULL;
			}
		}
	}
	rc = libusb_claim_interface (out->devh, match->interface);
	if (rc != 0) {
		g_set_error (error,
			     REMSIM_ERROR,
			     remsim_cardem_usb_error_code (rc),
			     "%s: cannot claim interface %d: %s",
			     out->path,
			     match->interface,
			     libusb_strerror (rc));
		libusb_close (g_steal_pointer (&out->devh));
		return NULL;
	}
	out->interface = match->interface;
	if (match->altsetting >= 0) {
		rc = libusb_set_interface_alt_setting (
		    out->devh, match->interface, match->altsetting);
		if (rc != 0) {
			g_set_error (error,
				     REMSIM_ERROR,
				     remsim_cardem_usb_error_code (rc),
				     "%s: cannot select altsetting %d of interface %d: %s",
				     out->path,
				     match->altsetting,
				     match->interface,
				     libusb_strerror (rc));
			return NULL;
		}
	}
	if (!remsim_cardem_usb_find_endpoints (out->devh, match, out, error)) {
		g_prefix_error (error, "%s: ", out->path);
		return NULL;
	}
	return g_steal_pointer (&out);
}

/* ---- libusb events on a GLib main context -------------------------------- */

typedef struct {
	GSource source;
	libusb_context *ctx;
	GPtrArray *fds; /* of GPollFD, owned */
	gint fds_changed;
	gboolean notifiers;
} RemsimCardemUsbSource;

/* called by libusb from whichever thread changed the set (the worker that
 * opens a device, too): only note it and wake the main context */
static void
remsim_cardem_usb_pollfd_changed (RemsimCardemUsbSource *usrc)
{
	GMainContext *context;

	g_atomic_int_set (&usrc->fds_changed, 1);
	context = g_source_get_context ((GSource *)usrc);
	if (context != NULL)
		g_main_context_wakeup (context);
}

static void
remsim_cardem_usb_pollfd_added_cb (int fd, short events, void *user_data)
{
	remsim_cardem_usb_pollfd_changed (user_data);
}

static void
remsim_cardem_usb_pollfd_removed_cb (int fd, void *user_data)
{
	remsim_cardem_usb_pollfd_changed (user_data);
}

static void
remsim_cardem_usb_source_sync_fds (RemsimCardemUsbSource *usrc)
{
	const struct libusb_pollfd **pfds;

	for (guint i = 0; i < usrc->fds->len; i++)
		g_source_remove_poll ((GSource *)usrc, g_ptr_array_index (usrc->fds, i));
	g_ptr_array_set_size (usrc->fds, 0);
	pfds = libusb_get_pollfds (usrc->ctx);
	for (guint i = 0; pfds != NULL && pfds[i] != NULL; i++) {
		GPollFD *pfd = g_new0 (GPollFD, 1);

		pfd->fd = pfds[i]->fd;
		pfd->events = 0;
		if (pfds[i]->events & POLLIN)
			pfd->events |= G_IO_IN;
		if (pfds[i]->events & POLLOUT)
			pfd->events |= G_IO_OUT;
		pfd->events |= G_IO_ERR | G_IO_HUP;
		g_ptr_array_add (usrc->fds, pfd);
		g_source_add_poll ((GSource *)usrc, pfd);
	}
	libusb_free_pollfds (pfds);
}

static gboolean
remsim_cardem_usb_source_prepare (GSource *source, gint *timeout)
{
	RemsimCardemUsbSource *usrc = (RemsimCardemUsbSource *)source;
	struct timeval tv;
	int rc;

	if (g_atomic_int_compare_and_exchange (&usrc->fds_changed, 1, 0))
		remsim_cardem_usb_source_sync_fds (usrc);
	*timeout = -1;
	rc = libusb_get_next_timeout (usrc->ctx, &tv);
	if (rc == 1) {
		if (tv.tv_sec == 0 && tv.tv_usec == 0)
			return TRUE;
		*timeout =
		    (gint)MIN ((gint64)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000, G_MAXINT);
	}
	return FALSE;
}

static gboolean
remsim_cardem_usb_source_check (GSource *source)
{
	RemsimCardemUsbSource *usrc = (RemsimCardemUsbSource *)source;
	struct timeval tv;

	for (guint i = 0; i < usrc->fds->len; i++) {
		GPollFD *pfd = g_ptr_array_index (usrc->fds, i);

		if (pfd->revents != 0)
			return TRUE;
	}
	return libusb_get_next_timeout (usrc->ctx, &tv) == 1 && tv.tv_sec == 0 && tv.tv_usec == 0;
}

static gboolean
remsim_cardem_usb_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
	RemsimCardemUsbSource *usrc = (RemsimCardemUsbSource *)source;
	struct timeval zero = {0, 0};

	/* completions and hotplug callbacks run from here, in this thread */
	(void)libusb_handle_events_timeout_completed (usrc->ctx, &zero, NULL);
	return G_SOURCE_CONTINUE;
}

static void
remsim_cardem_usb_source_finalize (GSource *source)
{
	RemsimCardemUsbSource *usrc = (RemsimCardemUsbSource *)source;

	if (usrc->notifiers)
		libusb_set_pollfd_notifiers (usrc->ctx, NULL, NULL, NULL);
	g_ptr_array_unref (usrc->fds);
}

static GSourceFuncs remsim_cardem_usb_source_funcs = {
    remsim_cardem_usb_source_prepare,
    remsim_cardem_usb_source_check,
    remsim_cardem_usb_source_dispatch,
    remsim_cardem_usb_source_finalize,
    NULL,
    NULL,
};

/**
 * remsim_cardem_usb_source_new:
 * @ctx: a libusb context that outlives the source
 *
 * Returns: (transfer full): a source that handles @ctx's events when its
 *   file descriptors are ready; attach it to the main context whose thread
 *   should run the transfer callbacks
 */
GSource *
remsim_cardem_usb_source_new (libusb_context *ctx)
{
	GSource *source =
	    g_source_new (&remsim_cardem_usb_source_funcs, sizeof (RemsimCardemUsbSource));
	RemsimCardemUsbSource *usrc = (RemsimCardemUsbSource *)source;

	g_source_set_static_name (source, "remsim-cardem-usb");
	usrc->ctx = ctx;
	usrc->fds = g_ptr_array_new_with_free_func (g_free);
	usrc->fds_changed = 1;
	libusb_set_pollfd_notifiers (
	    ctx, remsim_cardem_usb_pollfd_added_cb, remsim_cardem_usb_pollfd_removed_cb, usrc);
	usrc->notifiers = TRUE;
	return source;
}

/**
 * remsim_cardem_usb_source_detach:
 * @source: (transfer full): a source of remsim_cardem_usb_source_new()
 *
 * Stops the notifications and destroys the source.
 */
void
remsim_cardem_usb_source_detach (GSource *source)
{
	RemsimCardemUsbSource *usrc = (RemsimCardemUsbSource *)source;

	if (usrc->notifiers) {
		libusb_set_pollfd_notifiers (usrc->ctx, NULL, NULL, NULL);
		usrc->notifiers = FALSE;
	}
	g_source_destroy (source);
	g_source_unref (source);
}
