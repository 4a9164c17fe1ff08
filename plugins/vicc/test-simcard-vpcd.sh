#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# End to end: remsim-simcard behind the real vsmartcard vpcd driver in a
# private pcscd, driven through PC/SC by pyscard.
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

here=$(cd "$(dirname "$0")" && pwd)
simcard=${REMSIM_SIMCARD:-}
[ -n "$simcard" ] && [ -x "$simcard" ] || fail "REMSIM_SIMCARD does not name the remsim-simcard program"

. "$here/pcscd-helper.sh"
pcscd_helper_find

tmp=$(mktemp -d "${TMPDIR:-/tmp}/remsim-simcard-vpcd.XXXXXX")
pcscd_pid=
simcard_pid=
cleanup () {
	[ -n "$simcard_pid" ] && kill "$simcard_pid" 2>/dev/null && wait "$simcard_pid" 2>/dev/null
	pcscd_helper_stop
	if [ "${status:-1}" != 0 ]; then
		echo "---- pcscd log"; tail -n 40 "$tmp/pcscd.log" 2>/dev/null
		echo "---- remsim-simcard log"; tail -n 60 "$tmp/simcard.log" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap 'cleanup' EXIT
trap 'exit 1' INT TERM

# two free consecutive ports: vpcd listens on base and base+1 (its 2 slots)
port=$(pcscd_helper_free_port)
[ -n "$port" ] || fail "no free port"

pcscd_helper_start "$port"

"$simcard" --connect "127.0.0.1:$port" -v >"$tmp/simcard.log" 2>&1 &
simcard_pid=$!

REMSIM_TEST_PORT=$port "$python" - <<'EOF'
import os, sys, time
from smartcard.System import readers
from smartcard.Exceptions import CardConnectionException, NoCardException

ATR = "3b9f96801fc78031a073be21136743200718000001a5"
RAND = "23553cbe9637a89d218ae64dae47bf35"
AUTN = "bd9232ae9a08800023543ebd92132e9a"

deadline = time.monotonic() + 15
conn = None
while conn is None:
    try:
        rs = [r for r in readers() if str(r).startswith("Virtual PCD 00 00")]
        if rs:
            c = rs[0].createConnection()
            c.connect()
            conn = c
    except (CardConnectionException, NoCardException, Exception) as e:
        if time.monotonic() > deadline:
            print("FAIL: no card in 'Virtual PCD 00 00':", e)
            sys.exit(1)
        time.sleep(0.1)

atr = bytes(conn.getATR()).hex()
print("ATR", atr)
if atr != ATR:
    print("FAIL: ATR", atr, "expected", ATR)
    sys.exit(1)

session = [
    # GSM 11.11: SELECT MF, GET RESPONSE
    ("a0a40000023f00", "9f17"),
    ("a0c0000017", "000010003f0001" "0000000000" "0a9302040400838a000000" "9000"),
    # EF ICCID
    ("a0a40000022fe2", "9f0f"),
    ("a0c000000f", "0000000a2fe204000fff4401020000" "9000"),
    ("a0b000000a", "98940000000000000031" "9000"),
    # DF GSM, EF IMSI
    ("a0a40000027f20", "9f17"),
    ("a0a40000026f07", "9f0f"),
    ("a0b0000009", "080910101032547698" "9000"),
    ("a0b000000a", "6709"),
    # RUN GSM ALGORITHM, test algorithm
    ("a088000010" + RAND, "9f0c"),
    ("a0c000000c", "b1669027" "0529cb4867bfaadd" "9000"),
    # UICC: SELECT by AID, AUTHENTICATE (3G context)
    ("00a4040c0ca0000000871002ff49ff0589", "9000"),
    ("0088008122" "10" + RAND + "10" + AUTN, "6135"),
    ("00c0000035", "db0823543ebd9232ae9a10543ebd9232ae9a2983ec46a24ab13a23"
                   "103ebd9232ae9a2983ec46a24ab13a2354080529cb4867bfaadd9000"),
    # EF ICCID is a child of the MF: not selectable from the ADF
    ("00a4000c022fe2", "6a82"),
    ("00a4000c023f00", "9000"),
    ("00a4000c022fe2", "9000"),
    ("00b0000000", "6c0a"),
    ("a0ee000000", "6d00"),
    ("b0a40000023f00", "6e00"),
]
for cmd, want in session:
    data, sw1, sw2 = conn.transmit(list(bytes.fromhex(cmd)))
    got = bytes(data + [sw1, sw2]).hex()
    print(cmd, "->", got)
    if got != want:
        print("FAIL: expected", want)
        sys.exit(1)

# round-trip time through pcscd + vpcd + socket
n = 200
t0 = time.monotonic()
for _ in range(n):
    conn.transmit([0xa0, 0xf2, 0x00, 0x00, 0x17])
dt = (time.monotonic() - t0) / n
print("STATUS round trip through pcscd/vpcd: %.3f ms" % (dt * 1000))
if dt > 0.020:
    print("FAIL: %.1f ms per APDU: the 40 ms Nagle/delayed-ACK stall is back?" % (dt * 1000))
    sys.exit(1)
conn.disconnect()
print("PASS")
EOF
status=$?
exit $status
