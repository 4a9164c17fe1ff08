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

python=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import smartcard' 2>/dev/null; then
		python=$p
		break
	fi
done
[ -n "$python" ] || skip "python3-pyscard not installed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/remsim-simcard-vpcd.XXXXXX")
pcscd_pid=
simcard_pid=
cleanup () {
	[ -n "$simcard_pid" ] && kill "$simcard_pid" 2>/dev/null && wait "$simcard_pid" 2>/dev/null
	[ -n "$pcscd_pid" ] && kill "$pcscd_pid" 2>/dev/null && wait "$pcscd_pid" 2>/dev/null
	if [ "${status:-1}" != 0 ]; then
		echo "---- pcscd log"; tail -n 40 "$tmp/pcscd.log" 2>/dev/null
		echo "---- remsim-simcard log"; tail -n 60 "$tmp/simcard.log" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap 'cleanup' EXIT
trap 'exit 1' INT TERM

# two free consecutive ports: vpcd listens on base and base+1 (its 2 slots)
port=$("$python" - <<'EOF'
import socket
for _ in range(50):
    a = socket.socket(); a.bind(("0.0.0.0", 0)); p = a.getsockname()[1]; a.close()
    if p >= 65535:
        continue
    try:
        for q in (p, p + 1):
            b = socket.socket(); b.bind(("0.0.0.0", q)); b.close()
    except OSError:
        continue
    print(p)
    break
EOF
)
[ -n "$port" ] || fail "no free port"

mkdir "$tmp/reader.conf.d"
cat > "$tmp/reader.conf.d/vpcd" <<EOF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$port
LIBPATH      $vpcd_lib
CHANNELID    $port
EOF

# pcscd 1.9.9 ignores PCSCLITE_CSOCK_NAME for its own socket (only the client
# library reads it) but accepts a socket passed by systemd-style activation:
# hand it a listening socket in our temp dir. Its pid file and clean-up still
# touch /run/pcscd, so where possible it runs in a private mount namespace
# with its own /run/pcscd, and never next to a system pcscd without one.
PCSCLITE_CSOCK_NAME=$tmp/pcscd.comm
export PCSCLITE_CSOCK_NAME
cat > "$tmp/activate.py" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
s.listen(64)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(sys.argv[2], sys.argv[2:])
EOF
launch="\"$python\" \"$tmp/activate.py\" \"$PCSCLITE_CSOCK_NAME\" \"$pcscd\" -f -a -c \"$tmp/reader.conf.d\""
isolate=
if [ -d /run/pcscd ] && command -v unshare >/dev/null 2>&1; then
	for u in "unshare -m --propagation private" "unshare -r -m --propagation private"; do
		if $u sh -c 'mount -t tmpfs tmpfs /run/pcscd' >/dev/null 2>&1; then
			isolate=$u
			break
		fi
	done
fi
if [ -n "$isolate" ]; then
	$isolate sh -c "mount -t tmpfs tmpfs /run/pcscd && exec $launch" >"$tmp/pcscd.log" 2>&1 &
else
	[ ! -e /run/pcscd/pcscd.comm ] || skip "a system pcscd is running and no private mount namespace is available"
	sh -c "exec $launch" >"$tmp/pcscd.log" 2>&1 &
fi
pcscd_pid=$!

i=0
while [ ! -S "$PCSCLITE_CSOCK_NAME" ]; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "pcscd did not create its socket"
	kill -0 "$pcscd_pid" 2>/dev/null || fail "pcscd exited"
	sleep 0.1
done

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
