/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A SIMtrace2 in its card-emulation configuration, faked below libusb with
 * umockdev, and the modem behind it (tests only).
 *
 * umockdev provides the sysfs device (USB path 1-1, bus 1 address 2) and
 * its /dev/bus/usb node; an ioctl handler, running in umockdev's worker
 * thread, answers the usbdevfs requests libusb makes: it completes the
 * URBs as the cardem firmware would and plays the modem. The handler serves
 * every process of the testbed: the sink may run in this process or in a
 * child (remsim-client) that inherits LD_PRELOAD and UMOCKDEV_DIR.
 *
 * The modem, for each card insertion (CARDINSERT 1, after CONFIG, SET_ATR
 * and SIM_SELECT remote), powers the card (status IRQs VCC+CLK+RST, then
 * RST released, sent twice), optionally performs a PTS `ff 10 94 7b` with
 * the first TPDU header right behind it, then sends the TPDU headers of
 * that insertion's phase (data after the procedure byte where given, GET
 * RESPONSE for 61xx/9Fxx) and compares every byte the host sends back with
 * the answers of a reference simulated card (RemsimSimcard).
 *
 * Events (strings, popped on the test's thread): "open" (a new open of the
 * device), "config", "atr", "sim-select N", "card-insert N", "modem-reset",
 * "phase-done N", and "error ..." for anything wrong.
 */

#include <umockdev.h>

#include "plugins/vicc/remsim-simcard.h"

G_BEGIN_DECLS

#define REMSIM_CARDEM_FAKE_USB_PATH "1-1"
#define REMSIM_CARDEM_FAKE_DEV_NODE "/dev/bus/usb/001/002"
#define REMSIM_CARDEM_FAKE_SYS_PATH "/sys/devices/usb1/1-1"

typedef struct {
	const gchar *hdr;  /* 5 bytes, hex */
	const gchar *data; /* hex, sent after the procedure byte, or NULL */
} RemsimCardemFakeCmd;

typedef struct {
	const RemsimCardemFakeCmd *cmds;
	guint n_cmds;
	gboolean pts; /* a PTS right before the first header */
} RemsimCardemFakePhase;

typedef enum {
	REMSIM_CARDEM_FAKE_EXPECT_NOTHING,  /* no TPDU in progress */
	REMSIM_CARDEM_FAKE_EXPECT_PB,	    /* PB_AND_RX [INS] */
	REMSIM_CARDEM_FAKE_EXPECT_RESPONSE, /* TX_DATA with the card's response */
} RemsimCardemFakeExpect;

/* fields below @lock are the handler thread's; read the counters from the
 * test once the events say the phase is done */
typedef struct {
	GMutex lock;
	UMockdevTestbed *testbed;
	UMockdevIoctlBase *handler;
	GAsyncQueue *events; /* gchar* */
	RemsimSimcard *ref_card;
	GBytes *expected_atr;
	const RemsimCardemFakePhase *phases;
	guint n_phases;

	gboolean plugged;
	GQueue in_urbs;	 /* bulk IN URBs waiting for data */
	GQueue irq_urbs; /* interrupt IN URBs waiting */
	GQueue reapable; /* completed, to be reaped */
	GQueue out_msgs; /* device->host messages in firmware order */

	/* per USB session */
	guint session;
	gboolean config_seen;
	GBytes *last_atr;
	gboolean card_inserted;
	guint modem_resets;
	gboolean sim_remote;
	guint32 status_flags;

	/* the modem */
	guint phase; /* 1 after the first insertion */
	const RemsimCardemFakeCmd *script;
	guint script_len;
	guint script_pos;
	RemsimCardemFakeExpect expect;
	guint8 cmd[5 + 256];
	gsize cmd_len;
	const gchar *pending_data;
	guint8 next_hdr[5];
	gboolean have_next;
	GByteArray *expected_rsp;
	guint n_tpdus;
	guint n_checked_bytes;
	gboolean pts_with_header_ok;
} RemsimCardemFake;

/*
 * remsim_cardem_fake_init:
 * Sets up the root hub and the plugged-in device in @testbed and attaches
 * the ioctl handler. @phases (not copied) are the modem's commands for the
 * 1st, 2nd, ... card insertion; later insertions send nothing.
 */
void remsim_cardem_fake_init (RemsimCardemFake *fake,
			      UMockdevTestbed *testbed,
			      const RemsimCardemFakePhase *phases,
			      guint n_phases);
/* detaches the handler and frees everything */
void remsim_cardem_fake_clear (RemsimCardemFake *fake);

/* the cable is pulled: every URB in flight ends with -ESHUTDOWN */
void remsim_cardem_fake_unplug (RemsimCardemFake *fake);
/* ... and udev notices: remove event, the device leaves sysfs */
void remsim_cardem_fake_remove (RemsimCardemFake *fake);
/* plugged (back) in, with an add event */
void remsim_cardem_fake_plug (RemsimCardemFake *fake);

/* the next event, or NULL (transfer full) */
gchar *remsim_cardem_fake_pop_event (RemsimCardemFake *fake);

/*
 * remsim_cardem_fake_reexec_under_umockdev:
 * Call first in main(): if the umockdev preload library is not loaded,
 * re-runs the program under umockdev-wrapper. Returns only when it is (with
 * -1) or on failure: 77 (skip) if umockdev-wrapper is missing, 1 with
 * REMSIM_TEST_STRICT=1 or if the exec failed.
 */
gint remsim_cardem_fake_reexec_under_umockdev (int argc, char **argv);

G_END_DECLS
