/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimTestcardSource: an in-memory card, fast enough for benchmarks:
 * every call completes at once, no thread, no I/O.
 *
 * Keys of its [source:<label>] group:
 *   atr=3b 9f ...        the ATR (hex; spaces and ':' allowed); default below
 *   card-present=true    whether the card starts inserted
 *
 * transmit answers deterministically:
 *   - shorter than the 5-byte header: 67 00
 *   - INS not in the list below (GSM 11.11 / TS 102 221 instructions): 6d 00
 *   - header plus data (P3 = Lc): P3 must match the data length (else
 *     67 00); the answer is the data echoed, then 90 00
 *   - header only (P3 = Le, 0 meaning 256): Le bytes 00 01 02 ..., then 90 00
 *
 * The writable property "card-present" simulates insertion and removal
 * (emits "card-changed").
 */
#include "config.h"

#include <string.h>

#include "remsim-testcard-source.h"

#define REMSIM_TESTCARD_DEFAULT_ATR                                                                \
	"3b 9f 96 80 1f c7 80 31 a0 73 be 21 13 67 43 20 07 18 00 00 01 a5"

#define REMSIM_TESTCARD_TAG(fn) ((gpointer)(guintptr)(fn))

struct _RemsimTestcardSource {
	GObject parent_instance;

	RemsimPluginInstanceProps props; /* config, group, slot */

	GBytes *atr;
	gboolean present;
	gboolean powered;
};

static void remsim_testcard_source_card_source_iface_init (RemsimCardSourceInterface *iface);
static void remsim_testcard_source_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (
    RemsimTestcardSource,
    remsim_testcard_source,
    G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (REMSIM_TYPE_CARD_SOURCE, remsim_testcard_source_card_source_iface_init)
	G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, remsim_testcard_source_initable_iface_init))

enum {
	PROP_0,
	PROP_INSTANCE, /* "config", "group", "slot" */
	PROP_CARD_PRESENT = PROP_INSTANCE + REMSIM_PLUGIN_INSTANCE_N_PROPS,
	PROP_LAST,
};

static GParamSpec *remsim_testcard_source_props[PROP_LAST] = {NULL};

static const guint8 remsim_testcard_known_ins[] = {
    0x04, 0x10, 0x12, 0x14, 0x20, 0x24, 0x26, 0x28, 0x2c, 0x32, 0x44, 0x70, 0x73, 0x75, 0x76,
    0x84, 0x88, 0x89, 0xa2, 0xa4, 0xaa, 0xb0, 0xb2, 0xc0, 0xc2, 0xcb, 0xd6, 0xdb, 0xdc, 0xf2,
};

GBytes *
remsim_testcard_parse_hex (const gchar *key, const gchar *hex, GError **error)
{
	g_autoptr (GByteArray) buf = g_byte_array_new ();
	gint high = -1;

	for (const gchar *p = hex; *p != '\0'; p++) {
		gint v;

		if (*p == ' ' || *p == ':' || *p == '\t')
			continue;
		v = g_ascii_xdigit_value (*p);
		if (v < 0) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "key '%s': '%s' is not hex bytes",
				     key,
				     hex);
			return NULL;
		}
		if (high < 0) {
			high = v;
		} else {
			guint8 b = (guint8)((high << 4) | v);
			g_byte_array_append (buf, &b, 1);
			high = -1;
		}
	}
	if (high >= 0 || buf->len == 0) {
		g_set_error (error,
			     REMSIM_CONFIG_ERROR,
			     REMSIM_CONFIG_ERROR_INVALID_VALUE,
			     "key '%s': '%s' is not a whole number of hex bytes",
			     key,
			     hex);
		return NULL;
	}
	return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

static GBytes *
remsim_testcard_source_sw (guint8 sw1, guint8 sw2)
{
	const guint8 sw[] = {sw1, sw2};
	return g_bytes_new (sw, sizeof (sw));
}

/* the card's whole logic; see the top of the file */
static GBytes *
remsim_testcard_source_answer (GBytes *tpdu)
{
	gsize len = 0;
	const guint8 *cmd = g_bytes_get_data (tpdu, &len);
	gboolean known = FALSE;
	guint8 *rsp;
	gsize n;

	if (len < 5)
		return remsim_testcard_source_sw (0x67, 0x00);
	for (guint i = 0; i < G_N_ELEMENTS (remsim_testcard_known_ins); i++) {
		if (remsim_testcard_known_ins[i] == cmd[1]) {
			known = TRUE;
			break;
		}
	}
	if (!known)
		return remsim_testcard_source_sw (0x6d, 0x00);
	if (len > 5) {
		if (len - 5 != cmd[4])
			return remsim_testcard_source_sw (0x67, 0x00);
		n = len - 5;
		rsp = g_malloc (n + 2);
		memcpy (rsp, cmd + 5, n);
	} else {
		n = cmd[4] == 0 ? 256 : cmd[4];
		rsp = g_malloc (n + 2);
		for (gsize i = 0; i < n; i++)
			rsp[i] = (guint8)i;
	}
	rsp[n] = 0x90;
	rsp[n + 1] = 0x00;
	return g_bytes_new_take (rsp, n + 2);
}

static void
remsim_testcard_source_return_atr (RemsimTestcardSource *self,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data,
				   gpointer tag)
{
	g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

	g_task_set_source_tag (task, tag);
	if (!self->present) {
		g_task_return_new_error (task,
					 REMSIM_ERROR,
					 REMSIM_ERROR_CARD_ABSENT,
					 "testcard slot %u: no card",
					 self->props.slot);
		return;
	}
	self->powered = TRUE;
	g_task_return_pointer (task, g_bytes_ref (self->atr), (GDestroyNotify)g_bytes_unref);
}

static void
remsim_testcard_source_power_on_async (RemsimCardSource *source,
				       GCancellable *cancellable,
				       GAsyncReadyCallback callback,
				       gpointer user_data)
{
	remsim_testcard_source_return_atr (
	    REMSIM_TESTCARD_SOURCE (source),
	    cancellable,
	    callback,
	    user_data,
	    REMSIM_TESTCARD_TAG (remsim_testcard_source_power_on_async));
}

static void
remsim_testcard_source_reset_async (RemsimCardSource *source,
				    gboolean cold,
				    GCancellable *cancellable,
				    GAsyncReadyCallback callback,
				    gpointer user_data)
{
	remsim_testcard_source_return_atr (
	    REMSIM_TESTCARD_SOURCE (source),
	    cancellable,
	    callback,
	    user_data,
	    REMSIM_TESTCARD_TAG (remsim_testcard_source_reset_async));
}

static GBytes *
remsim_testcard_source_bytes_finish (RemsimCardSource *source, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail (g_task_is_valid (res, source), NULL);
	return g_task_propagate_pointer (G_TASK (res), error);
}

static void
remsim_testcard_source_transmit_async (RemsimCardSource *source,
				       GBytes *tpdu,
				       GCancellable *cancellable,
				       GAsyncReadyCallback callback,
				       gpointer user_data)
{
	RemsimTestcardSource *self = REMSIM_TESTCARD_SOURCE (source);
	g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

	g_task_set_source_tag (task, REMSIM_TESTCARD_TAG (remsim_testcard_source_transmit_async));
	if (!self->present) {
		g_task_return_new_error (task,
					 REMSIM_ERROR,
					 REMSIM_ERROR_CARD_ABSENT,
					 "testcard slot %u: no card",
					 self->props.slot);
		return;
	}
	if (!self->powered) {
		g_task_return_new_error (task,
					 REMSIM_ERROR,
					 REMSIM_ERROR_FAILED,
					 "testcard slot %u: card not powered",
					 self->props.slot);
		return;
	}
	g_task_return_pointer (
	    task, remsim_testcard_source_answer (tpdu), (GDestroyNotify)g_bytes_unref);
}

static gboolean
remsim_testcard_source_power_off (RemsimCardSource *source, GError **error)
{
	REMSIM_TESTCARD_SOURCE (source)->powered = FALSE;
	return TRUE;
}

static GBytes *
remsim_testcard_source_get_atr (RemsimCardSource *source)
{
	RemsimTestcardSource *self = REMSIM_TESTCARD_SOURCE (source);

	if (!self->powered)
		return NULL;
	return g_bytes_ref (self->atr);
}

static gboolean
remsim_testcard_source_is_card_present (RemsimCardSource *source)
{
	return REMSIM_TESTCARD_SOURCE (source)->present;
}

static void
remsim_testcard_source_card_source_iface_init (RemsimCardSourceInterface *iface)
{
	iface->power_on_async = remsim_testcard_source_power_on_async;
	iface->power_on_finish = remsim_testcard_source_bytes_finish;
	iface->reset_async = remsim_testcard_source_reset_async;
	iface->reset_finish = remsim_testcard_source_bytes_finish;
	iface->transmit_async = remsim_testcard_source_transmit_async;
	iface->transmit_finish = remsim_testcard_source_bytes_finish;
	iface->power_off = remsim_testcard_source_power_off;
	iface->get_atr = remsim_testcard_source_get_atr;
	iface->is_card_present = remsim_testcard_source_is_card_present;
}

static gboolean
remsim_testcard_source_initable_init (GInitable *initable,
				      GCancellable *cancellable,
				      GError **error)
{
	RemsimTestcardSource *self = REMSIM_TESTCARD_SOURCE (initable);
	static const gchar *const known_keys[] = {"atr", "card-present", NULL};
	g_autofree gchar *atr = NULL;
	g_autoptr (GError) error_local = NULL;

	if (!remsim_plugin_instance_props_check (&self->props, known_keys, error))
		return FALSE;

	atr = g_key_file_get_string (self->props.config, self->props.group, "atr", NULL);
	self->atr = remsim_testcard_parse_hex (
	    "atr", atr != NULL ? atr : REMSIM_TESTCARD_DEFAULT_ATR, error);
	if (self->atr == NULL)
		return FALSE;

	if (g_key_file_has_key (self->props.config, self->props.group, "card-present", NULL)) {
		self->present = g_key_file_get_boolean (
		    self->props.config, self->props.group, "card-present", &error_local);
		if (error_local != NULL) {
			g_set_error (error,
				     REMSIM_CONFIG_ERROR,
				     REMSIM_CONFIG_ERROR_INVALID_VALUE,
				     "key 'card-present': expected true or false");
			return FALSE;
		}
	}
	g_debug ("testcard slot %u: ATR of %zu bytes, card %s",
		 self->props.slot,
		 g_bytes_get_size (self->atr),
		 self->present ? "present" : "absent");
	return TRUE;
}

static void
remsim_testcard_source_initable_iface_init (GInitableIface *iface)
{
	iface->init = remsim_testcard_source_initable_init;
}

static void
remsim_testcard_source_get_property (GObject *object,
				     guint prop_id,
				     GValue *value,
				     GParamSpec *pspec)
{
	RemsimTestcardSource *self = REMSIM_TESTCARD_SOURCE (object);

	if (remsim_plugin_instance_props_get_property (&self->props, PROP_INSTANCE, prop_id, value))
		return;
	switch (prop_id) {
	case PROP_CARD_PRESENT:
		g_value_set_boolean (value, self->present);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
remsim_testcard_source_set_card_present (RemsimTestcardSource *self, gboolean present)
{
	if (self->present == present)
		return;
	self->present = present;
	if (!present)
		self->powered = FALSE;
	g_object_notify_by_pspec (G_OBJECT (self), remsim_testcard_source_props[PROP_CARD_PRESENT]);
	remsim_card_source_emit_card_changed (REMSIM_CARD_SOURCE (self), present);
}

static void
remsim_testcard_source_set_property (GObject *object,
				     guint prop_id,
				     const GValue *value,
				     GParamSpec *pspec)
{
	RemsimTestcardSource *self = REMSIM_TESTCARD_SOURCE (object);

	if (remsim_plugin_instance_props_set_property (&self->props, PROP_INSTANCE, prop_id, value))
		return;
	switch (prop_id) {
	case PROP_CARD_PRESENT:
		remsim_testcard_source_set_card_present (self, g_value_get_boolean (value));
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
remsim_testcard_source_finalize (GObject *object)
{
	RemsimTestcardSource *self = REMSIM_TESTCARD_SOURCE (object);

	remsim_plugin_instance_props_clear (&self->props);
	g_clear_pointer (&self->atr, g_bytes_unref);
	G_OBJECT_CLASS (remsim_testcard_source_parent_class)->finalize (object);
}

static void
remsim_testcard_source_class_init (RemsimTestcardSourceClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->get_property = remsim_testcard_source_get_property;
	object_class->set_property = remsim_testcard_source_set_property;
	object_class->finalize = remsim_testcard_source_finalize;

	remsim_plugin_install_instance_properties (object_class, PROP_INSTANCE);
	remsim_testcard_source_props[PROP_CARD_PRESENT] = g_param_spec_boolean (
	    "card-present",
	    NULL,
	    NULL,
	    TRUE,
	    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
	g_object_class_install_property (
	    object_class, PROP_CARD_PRESENT, remsim_testcard_source_props[PROP_CARD_PRESENT]);
}

static void
remsim_testcard_source_init (RemsimTestcardSource *self)
{
	self->present = TRUE;
}
