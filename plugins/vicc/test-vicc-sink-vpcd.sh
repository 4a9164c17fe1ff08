#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The vicc card sink behind the real vsmartcard vpcd driver in a private
# pcscd, checked through PC/SC by pyscard (test-vicc-sink-vpcd.py):
#
#   test-vicc-sink-vpcd.sh sink   the sink in test-vicc-sink-driver, answering
#                                 from the simulated SIM in-process
#   test-vicc-sink-vpcd.sh e2e    remsim-simcard -> remsim-bankd (vicc source)
#                                 -> remsim-client (vicc sink), mapped by
#                                 remsim-server
#
# Skips (exit 77) when pcscd, the vpcd driver or pyscard are missing, unless
# REMSIM_TEST_STRICT=1 turns that into a failure.

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

mode=${1:-sink}
here=$(cd "$(dirname "$0")" && pwd)
simcard=${REMSIM_SIMCARD:-}
[ -n "$simcard" ] && [ -x "$simcard" ] || fail "REMSIM_SIMCARD does not name the remsim-simcard program"
case $mode in
sink)
	[ -x "${REMSIM_VICC_SINK_DRIVER:-}" ] || fail "REMSIM_VICC_SINK_DRIVER does not name test-vicc-sink-driver"
	logs="driver simcard-direct"
	;;
e2e)
	for v in REMSIM_SERVER_BIN REMSIM_BANKD_BIN REMSIM_CLIENT_BIN; do
		eval "p=\${$v:-}"
		[ -x "$p" ] || fail "$v does not name a built program"
	done
	logs="client bankd server simcard-bank simcard-direct"
	;;
*)
	fail "unknown mode $mode"
	;;
esac

. "$here/pcscd-helper.sh"
pcscd_helper_find

tmp=$(mktemp -d "${TMPDIR:-/tmp}/remsim-vicc-sink-vpcd.XXXXXX")
pcscd_pid=
cleanup () {
	pcscd_helper_stop
	if [ "${status:-1}" != 0 ]; then
		echo "---- pcscd log"; tail -n 40 "$tmp/pcscd.log" 2>/dev/null
		for l in $logs; do
			echo "---- $l log"; tail -n 40 "$tmp/$l.log" 2>/dev/null
		done
	fi
	rm -rf "$tmp"
}
trap 'cleanup' EXIT
trap 'exit 1' INT TERM

# two free consecutive ports: vpcd listens on base (the sink's reader,
# "Virtual PCD 00 00") and base+1 (remsim-simcard directly, "... 00 01")
port=$(pcscd_helper_free_port)
[ -n "$port" ] || fail "no free port"
pcscd_helper_start "$port"

export REMSIM_TEST_TMP="$tmp" REMSIM_TEST_PORT="$port" REMSIM_SIMCARD
# how the Python side restarts pcscd (same port, same socket)
export tmp pcscd vpcd_lib python
REMSIM_PCSCD_RESTART=". \"$here/pcscd-helper.sh\"; pcscd_helper_stop; pcscd_helper_start $port"
export REMSIM_PCSCD_RESTART

"$python" "$here/test-vicc-sink-vpcd.py" "$mode"
status=$?
exit $status
