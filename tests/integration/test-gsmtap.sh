#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# GSMTAP tracing of remsim-bankd (-g, protocols.md §10): the real server,
# bankd (vicc source <- remsim-simcard) and a shell client on loopback; a
# SELECT MF goes through while tshark captures `udp port 4729` on lo. The
# capture must hold an ATR packet and the SELECT (INS a4) decoded by
# tshark's gsm_sim dissector, and nothing malformed.
#
# Skips (exit 77) without tshark or python3, unless REMSIM_TEST_STRICT=1.

set -u

skip () {
	echo "SKIP: $*"
	if [ "${REMSIM_TEST_STRICT:-0}" = 1 ]; then
		echo "REMSIM_TEST_STRICT=1: a missing tool is a failure"
		exit 1
	fi
	exit 77
}

fail () {
	echo "FAIL: $*"
	exit 1
}

for v in REMSIM_SERVER_BIN REMSIM_BANKD_BIN REMSIM_CLIENT_BIN REMSIM_SIMCARD_BIN \
	REMSIM_SIMCARD_DEFAULT_PROFILE; do
	eval "p=\${$v:-}"
	[ -e "$p" ] || fail "$v does not name a built file"
done
command -v tshark >/dev/null 2>&1 || skip "tshark is not installed (Debian package tshark)"
PYTHON=$(command -v python3 2>/dev/null || true)
[ -n "$PYTHON" ] || skip "python3 is not installed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/remsim-gsmtap-XXXXXX")
tshark_pid=
cleanup () {
	rc=$?
	[ -n "$tshark_pid" ] && kill -KILL "$tshark_pid" 2>/dev/null || true
	if [ $rc -eq 0 ] || [ $rc -eq 77 ]; then
		rm -rf "$tmp"
	else
		echo "keeping $tmp for inspection"
		for f in "$tmp"/*.log; do
			[ -f "$f" ] && { echo "---- $f"; tail -n 40 "$f"; }
		done
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

wait_for () {
	deadline=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -le "$deadline" ] || return 1
		sleep 0.1
	done
}

# 1. capture, and wait until tshark really captures
cap="$tmp/gsmtap.pcapng"
tshark -n -i lo -f "udp port 4729" -w "$cap" >"$tmp/tshark.log" 2>&1 &
tshark_pid=$!
capturing () {
	grep -q "Capture started" "$tmp/tshark.log" && return 0
	kill -0 "$tshark_pid" 2>/dev/null || skip "tshark cannot capture on lo: $(cat "$tmp/tshark.log")"
	return 1
}
wait_for 10 capturing || fail "tshark did not start capturing"

# 2. server, bankd with -g, card, client: SELECT MF through remsim
REMSIM_TEST_TMP=$tmp "$PYTHON" - >"$tmp/run.out" <<'EOF' || { cat "$tmp/run.out"; fail "the remsim run failed"; }
import json, os, queue, socket, subprocess, sys, threading, time, urllib.request

TMP = os.environ["REMSIM_TEST_TMP"]
WAIT = 15.0
procs = []


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def poll(what, cond):
    deadline = time.monotonic() + WAIT
    while not cond():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for " + what)
        time.sleep(0.05)


def can_connect(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


def start(name, argv, **kw):
    kw.setdefault("stdout", subprocess.DEVNULL)
    p = subprocess.Popen(argv, stderr=open(os.path.join(TMP, name + ".log"), "a"), **kw)
    procs.append(p)
    return p


rspro_port, rest_port, bank_port, vicc_port = (free_port() for _ in range(4))
rest = "http://127.0.0.1:%d/api/backend/v1" % rest_port
with open(os.path.join(TMP, "bankd.conf"), "w") as f:
    f.write("[bankd]\nbank-id=1\nnum-slots=1\nserver=127.0.0.1:%d\n"
            "listen=127.0.0.1:%d\nretry-interval-ms=200\ngsmtap-slot=0\n"
            "[source:sim]\nplugin=vicc\nslots=0\nlisten=127.0.0.1:%d\n"
            % (rspro_port, bank_port, vicc_port))
try:
    start("server", [os.environ["REMSIM_SERVER_BIN"], "--rspro-listen",
                     "127.0.0.1:%d" % rspro_port, "--rest-listen",
                     "127.0.0.1:%d" % rest_port, "--state-file", "", "-v"])
    poll("the server's REST port", lambda: can_connect(rest_port))
    start("bankd", [os.environ["REMSIM_BANKD_BIN"], "-c", os.path.join(TMP, "bankd.conf"),
                    "-g", "127.0.0.1", "-v"])
    poll("the bankd's client port", lambda: can_connect(bank_port))
    start("simcard", [os.environ["REMSIM_SIMCARD_BIN"], "--connect",
                      "127.0.0.1:%d" % vicc_port, "--profile",
                      os.environ["REMSIM_SIMCARD_DEFAULT_PROFILE"]])
    client = start("client", [os.environ["REMSIM_CLIENT_BIN"], "-i", "127.0.0.1", "-p",
                              str(rspro_port), "-c", "7", "-n", "0", "--verbose"],
                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    lines = queue.Queue()

    def reader():
        for raw in client.stdout:
            lines.put(raw.decode(errors="replace").strip())
        lines.put(None)

    threading.Thread(target=reader, daemon=True).start()

    def expect(prefix):
        try:
            l = lines.get(timeout=WAIT)
        except queue.Empty:
            raise SystemExit("no %s from remsim-client" % prefix)
        if l is None or not l.startswith(prefix):
            raise SystemExit("expected %s from remsim-client, got %r" % (prefix, l))
        return l

    body = json.dumps({"bank": {"bankId": 1, "slotNr": 0},
                       "client": {"clientId": 7, "slotNr": 0}}).encode()
    deadline = time.monotonic() + WAIT
    while True:
        req = urllib.request.Request(rest + "/slotmaps", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(req, timeout=5).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    print(expect("SET_ATR:"))
    client.stdin.write(b"a0a40000023f00\n")
    client.stdin.flush()
    print(expect("R-APDU:"))
    time.sleep(0.5)   # the GSMTAP datagram follows the TPDU
finally:
    for p in reversed(procs):
        if p.poll() is None:
            p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
EOF

# 3. let tshark write the last packets, then check the capture
sleep 1
kill -INT "$tshark_pid" 2>/dev/null
wait "$tshark_pid" 2>/dev/null
tshark_pid=

cat "$tmp/run.out"
# an ATR packet: GSMTAP v2, 4 words, type 4 (SIM), sub-type 1, then the ATR
# the client got (tshark 4.0 shows no GSMTAP fields for SIM packets)
atr=$(sed -n 's/^SET_ATR: *//p' "$tmp/run.out" | tr -d ' ')
[ -n "$atr" ] || fail "no SET_ATR from the client"
tshark -n -r "$cap" -Y "udp.payload[0:3] == 02:04:04 && udp.payload[12] == 01" \
	-T fields -e udp.payload >"$tmp/atr.log" 2>&1 || fail "tshark cannot read the capture"
echo "---- GSMTAP ATR packets"; cat "$tmp/atr.log"
grep -qx "02040400000000000000000001000000$atr" "$tmp/atr.log" || fail "no GSMTAP ATR packet"
tshark -n -r "$cap" -Y gsm_sim -T fields -e gsm_sim.apdu.ins >"$tmp/ins.log" 2>&1 ||
	fail "tshark -Y gsm_sim failed"
echo "---- gsm_sim.apdu.ins"; cat "$tmp/ins.log"
grep -Eqi '^(0xa4|0x000000a4|164)$' "$tmp/ins.log" || fail "no SELECT (INS a4) decoded by gsm_sim"
malformed=$(tshark -n -r "$cap" -Y "_ws.malformed" 2>/dev/null | wc -l)
[ "$malformed" -eq 0 ] || fail "tshark flags $malformed malformed packets"
echo "PASS"
exit 0
