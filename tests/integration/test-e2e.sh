#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# End to end: the real remsim-server, remsim-bankd and remsim-client on
# loopback, the client with the shell sink on pipes, the bankd with three
# card sources (test-e2e.py has the flow):
#
#   B1:0  vicc plugin  <- remsim-simcard (default profile)
#   B1:1  pcsc plugin  <- a private pcscd with vsmartcard's vpcd driver
#                         <- remsim-simcard (second profile: other ICCID, ATR)
#   B1:2  vicc plugin  <- Debian's vsmartcard `vicc` (only where it starts)
#
# Every R-APDU through remsim must equal what remsim-simcard --stdio answers
# for the same profile directly.
#
# Skips (exit 77) without pcscd or the vpcd driver, unless
# REMSIM_TEST_STRICT=1 makes that a failure. Debian's vicc is optional
# (slot 2 is left out, with a message, when it cannot start).

set -u

skip () {
	echo "SKIP: $*"
	if [ "${REMSIM_TEST_STRICT:-0}" = 1 ]; then
		echo "REMSIM_TEST_STRICT=1: a missing peer is a failure"
		exit 1
	fi
	exit 77
}

fail () {
	echo "FAIL: $*"
	exit 1
}

here=$(cd "$(dirname "$0")" && pwd)
helper=${REMSIM_PCSCD_HELPER:-$here/../../plugins/vicc/pcscd-helper.sh}
[ -r "$helper" ] || fail "cannot read $helper"
for v in REMSIM_SERVER_BIN REMSIM_BANKD_BIN REMSIM_CLIENT_BIN REMSIM_SIMCARD_BIN; do
	eval "p=\${$v:-}"
	[ -x "$p" ] || fail "$v does not name a built program"
done

. "$helper"

# pcscd_helper_find also wants pyscard, which this test does not use
pcscd=$(command -v pcscd 2>/dev/null || true)
[ -n "$pcscd" ] || [ ! -x /usr/sbin/pcscd ] || pcscd=/usr/sbin/pcscd
[ -n "$pcscd" ] || skip "pcscd not installed"
vpcd_lib=${REMSIM_VPCD_LIB:-}
if [ -z "$vpcd_lib" ]; then
	for f in /usr/lib/pcsc/drivers/serial/libifdvpcd.so \
	         /usr/lib64/pcsc/drivers/serial/libifdvpcd.so \
	         /usr/local/lib/pcsc/drivers/serial/libifdvpcd.so; do
		[ -e "$f" ] && vpcd_lib=$f && break
	done
fi
[ -n "$vpcd_lib" ] && [ -e "$vpcd_lib" ] || skip "vsmartcard vpcd driver (libifdvpcd.so) not installed"
python=$(command -v python3 2>/dev/null || true)
[ -n "$python" ] || skip "python3 not installed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/remsim-e2e.XXXXXX")
pcscd_pid=
status=1
cleanup () {
	pcscd_helper_stop
	if [ "$status" != 0 ] && [ "$status" != 77 ]; then
		echo "---- pcscd log"; tail -n 30 "$tmp/pcscd.log" 2>/dev/null
	fi
	if [ "${REMSIM_TEST_KEEP_TMP:-0}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap 'cleanup' EXIT
trap 'exit 1' INT TERM

# vpcd listens on port and port + 1 ("Virtual PCD 00 00" and "... 00 01");
# the bank's second card connects to the first
port=$(pcscd_helper_free_port)
[ -n "$port" ] || fail "no free port"
pcscd_helper_start "$port"   # exports PCSCLITE_CSOCK_NAME

REMSIM_TEST_TMP=$tmp REMSIM_TEST_VPCD_PORT=$port "$python" "$here/test-e2e.py"
status=$?
exit $status
