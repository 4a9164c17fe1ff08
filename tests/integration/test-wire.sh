#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Capture one complete server scenario (bankd + client, CreateMapping,
# ConfigClientBank, RemoveMapping) on loopback with tshark, then check the
# capture with independent tools: tshark's IPA dissector must flag nothing
# as malformed, and every RSPRO payload must be well-formed BER for
# openssl asn1parse and for a strict TLV walker.
#
# Env: REMSIM_SERVER_BIN, REMSIM_RSPRO_PEER_BIN (set by meson);
# REMSIM_TEST_STRICT=1 turns a missing tool into a failure.

set -eu

skip () {
	echo "SKIP: $*"
	if [ "${REMSIM_TEST_STRICT:-0}" = 1 ]; then
		echo "REMSIM_TEST_STRICT=1: a skip is a failure"
		exit 1
	fi
	exit 77
}

fail () {
	echo "FAIL: $*"
	exit 1
}

: "${REMSIM_SERVER_BIN:?set by meson}"
: "${REMSIM_RSPRO_PEER_BIN:?set by meson}"

command -v tshark >/dev/null 2>&1 || skip "tshark is not installed (Debian package tshark)"
command -v openssl >/dev/null 2>&1 || skip "openssl is not installed"
PYTHON=
for p in /usr/bin/python3 python3; do
	if command -v "$p" >/dev/null 2>&1; then
		PYTHON=$p
		break
	fi
done
[ -n "$PYTHON" ] || skip "python3 is not installed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/remsim-wire-XXXXXX")
tshark_pid=
server_pid=
cleanup () {
	rc=$?
	[ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null || true
	[ -n "$tshark_pid" ] && kill -KILL "$tshark_pid" 2>/dev/null || true
	if [ $rc -eq 0 ] || [ $rc -eq 77 ]; then
		rm -rf "$tmp"
	else
		echo "keeping $tmp for inspection"
		for f in "$tmp"/*.log; do
			[ -f "$f" ] && { echo "---- $f"; cat "$f"; }
		done
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# wait until "$@" succeeds, polling every 0.1 s for at most $1 seconds
wait_for () {
	deadline=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -le "$deadline" ] || return 1
		sleep 0.1
	done
}

ports=$("$PYTHON" - <<'EOF'
import socket
socks = []
for _ in range(2):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
)
set -- $ports
rspro_port=$1
rest_port=$2
echo "RSPRO port $rspro_port, REST port $rest_port, files in $tmp"

# 1. capture, and wait until tshark really captures
cap="$tmp/rspro.pcapng"
tshark -n -i lo -f "tcp port $rspro_port" -w "$cap" >"$tmp/tshark.log" 2>&1 &
tshark_pid=$!
capturing () {
	# "Capturing on" comes before dumpcap really captures; tshark 4.0
	# logs "Capture started" once packets are being recorded
	grep -q "Capture started" "$tmp/tshark.log" && return 0
	kill -0 "$tshark_pid" 2>/dev/null || skip "tshark cannot capture on lo: $(cat "$tmp/tshark.log")"
	return 1
}
wait_for 10 capturing || fail "tshark did not start capturing"

# 2. the server and the scripted peers
"$REMSIM_SERVER_BIN" --rspro-listen "127.0.0.1:$rspro_port" --rest-listen "127.0.0.1:$rest_port" \
	--state-file "$tmp/state" >"$tmp/server.log" 2>&1 &
server_pid=$!
"$REMSIM_RSPRO_PEER_BIN" --rspro "$rspro_port" --rest "$rest_port" >"$tmp/peer.log" 2>&1 ||
	{
		cat "$tmp/peer.log"
		fail "the scenario failed"
	}
cat "$tmp/peer.log"
kill -0 "$server_pid" 2>/dev/null || fail "remsim-server died"
kill -TERM "$server_pid"
wait "$server_pid" || fail "remsim-server exited with $? on SIGTERM"
server_pid=

# 3. stop the capture once everything the peers sent is in the file
# (dumpcap writes packets in batches)
dissect="-d tcp.port==$rspro_port,gsm_ipa"
payloads () {
	# one line per TCP segment with data: stream, source port, relative
	# sequence number, payload hex
	tshark -n -r "$cap" $dissect -o tcp.desegment_tcp_streams:FALSE -Y "tcp.len > 0" \
		-T fields -e tcp.stream -e tcp.srcport -e tcp.seq -e tcp.payload 2>/dev/null || true
}
complete () {
	# the last PDU of the scenario, ConfigClientBankRes (b2), twice
	[ "$(payloads | grep -c 'ee0730[0-9a-f]*a205b2030a')" -ge 2 ]
}
wait_for 15 complete || echo "warning: the capture looks incomplete"
kill -INT "$tshark_pid"
wait "$tshark_pid" || true
tshark_pid=

# 4. tshark: no malformed frames, no expert errors
bad=$(tshark -n -r "$cap" $dissect -Y '_ws.malformed || _ws.expert.severity >= error' \
	2>"$tmp/tshark-read.log") || fail "tshark cannot read the capture: $(cat "$tmp/tshark-read.log")"
if [ -n "$bad" ]; then
	echo "$bad"
	tshark -n -r "$cap" $dissect -V -Y '_ws.malformed || _ws.expert.severity >= error' | head -100
	fail "tshark flags frames as malformed or with expert errors"
fi
n_rspro=$(tshark -n -r "$cap" $dissect -Y 'gsm_ipa.osmo.protocol == 0x07' 2>/dev/null | wc -l)
n_ccm=$(tshark -n -r "$cap" $dissect -Y 'gsm_ipa.protocol == 0xfe' 2>/dev/null | wc -l)
echo "tshark: $n_rspro packets with RSPRO frames, $n_ccm with IPA CCM"
[ "$n_rspro" -ge 10 ] || fail "tshark sees only $n_rspro RSPRO packets"
[ "$n_ccm" -ge 2 ] || fail "tshark sees only $n_ccm CCM packets"

# 5. every RSPRO payload: split the IPA frames ourselves, check the BER
payloads >"$tmp/payloads.txt"
"$PYTHON" - "$tmp/payloads.txt" "$rspro_port" "$tmp" <<'EOF' || fail "RSPRO payload check failed"
import subprocess
import sys

path, server_port, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
# reassemble each direction of each connection by sequence number; a
# retransmitted segment (loopback does that under load) must repeat the
# same bytes
segments = {}
errors = 0
for line in open(path):
    parts = line.split()
    if len(parts) != 4:
        continue
    stream, sport, seq, hexdata = parts
    key = (stream, "server" if sport == server_port else "peer")
    segs = segments.setdefault(key, {})
    data = bytes.fromhex(hexdata.replace(":", ""))
    seq = int(seq)
    if seq in segs and segs[seq] != data:
        print("stream %s %s: a retransmission at seq %d differs" % (stream, key[1], seq))
        errors += 1
    segs[seq] = data
streams = {}
for key, segs in segments.items():
    buf = bytearray()
    for seq in sorted(segs):
        data = segs[seq]
        start = seq - 1  # relative sequence numbers start at 1 after the SYN
        if start > len(buf):
            print("stream %s %s: %d bytes missing before seq %d" % (key[0], key[1], start - len(buf), seq))
            errors += 1
            break
        if start + len(data) > len(buf):
            buf.extend(data[len(buf) - start:])
    streams[key] = buf


def ber_walk(buf, off, end, depth=0):
    """strict definite-length BER walker: every TLV inside [off, end)"""
    while off < end:
        if end - off < 2:
            raise ValueError("short TLV at %d" % off)
        ident = buf[off]
        off += 1
        if ident & 0x1F == 0x1F:
            while True:
                if off >= end:
                    raise ValueError("short high tag")
                b = buf[off]
                off += 1
                if not b & 0x80:
                    break
        if off >= end:
            raise ValueError("no length")
        ln = buf[off]
        off += 1
        if ln == 0x80:
            raise ValueError("indefinite length")
        if ln & 0x80:
            n = ln & 0x7F
            if n == 0 or n > 4 or off + n > end:
                raise ValueError("bad long length")
            ln = int.from_bytes(buf[off:off + n], "big")
            off += n
        if off + ln > end:
            raise ValueError("length %d overruns by %d" % (ln, off + ln - end))
        if ident & 0x20:
            ber_walk(buf, off, off + ln, depth + 1)
        off += ln


# RsproPDU.msg [2] EXPLICIT, then the CHOICE alternative [n]
names = {0: "connectBankReq", 1: "connectBankRes", 2: "connectClientReq",
         3: "connectClientRes", 4: "createMappingReq", 5: "createMappingRes",
         6: "removeMappingReq", 7: "removeMappingRes", 17: "configClientBankReq",
         18: "configClientBankRes"}
seen = {}
n_pdus = 0
for (stream, side), data in sorted(streams.items()):
    off = 0
    while off + 3 <= len(data):
        ln = (data[off] << 8) | data[off + 1]
        proto = data[off + 2]
        frame = data[off + 3:off + 3 + ln]
        if len(frame) < ln:
            print("stream %s %s: last frame cut short (%d of %d bytes)" % (stream, side, len(frame), ln))
            errors += 1
            break
        off += 3 + ln
        if proto == 0xFE:
            continue
        if proto != 0xEE or ln < 1 or frame[0] != 0x07:
            print("stream %s %s: unexpected IPA stream %02x" % (stream, side, proto))
            errors += 1
            continue
        pdu = bytes(frame[1:])
        n_pdus += 1
        try:
            ber_walk(pdu, 0, len(pdu))
            if pdu[0] != 0x30:
                raise ValueError("not a SEQUENCE")
            hl = 2 if pdu[1] < 0x80 else 2 + (pdu[1] & 0x7F)
            total = hl + (pdu[1] if pdu[1] < 0x80 else int.from_bytes(pdu[2:hl], "big"))
            if total != len(pdu):
                raise ValueError("the SEQUENCE spans %d of %d bytes" % (total, len(pdu)))
        except ValueError as e:
            print("stream %s %s: bad BER (%s): %s" % (stream, side, e, pdu.hex()))
            errors += 1
            continue
        der = "%s/pdu-%d.der" % (tmp, n_pdus)
        with open(der, "wb") as f:
            f.write(pdu)
        r = subprocess.run(["openssl", "asn1parse", "-inform", "DER", "-in", der],
                           capture_output=True, text=True)
        first = r.stdout.splitlines()[0] if r.stdout else ""
        # "    0:d=0  hl=2 l=  26 cons: SEQUENCE": one object spanning the PDU
        ok = r.returncode == 0 and "Error" not in r.stdout + r.stderr
        if ok:
            f0 = first.split()
            hl = int(f0[1].split("=")[1])
            ln0 = int(first.split("l=")[2].split()[0])
            ok = hl + ln0 == len(pdu)
        if not ok:
            print("stream %s %s: openssl asn1parse rejects %s: %s %s" % (stream, side, pdu.hex(), r.stdout, r.stderr))
            errors += 1
            continue
        # choice alternative: inside [2] (a2 len) the next tag
        i = 2 if pdu[1] < 0x80 else 2 + (pdu[1] & 0x7F)
        while i < len(pdu) and pdu[i] != 0xA2:
            i += 2 + pdu[i + 1]
        j = i + 2 if pdu[i + 1] < 0x80 else i + 2 + (pdu[i + 1] & 0x7F)
        alt = pdu[j] & 0x1F
        seen.setdefault(names.get(alt, "choice %d" % alt), []).append(side)
        if pdu[2:5] != b"\x80\x01\x02":
            print("stream %s %s: version is not 2: %s" % (stream, side, pdu.hex()))
            errors += 1

print("RSPRO PDUs: %d; by type: %s" % (n_pdus, ", ".join("%s %s" % (k, v) for k, v in sorted(seen.items()))))
want = {"connectBankReq": "peer", "connectBankRes": "server", "connectClientReq": "peer",
        "connectClientRes": "server", "createMappingReq": "server", "createMappingRes": "peer",
        "removeMappingReq": "server", "removeMappingRes": "peer",
        "configClientBankReq": "server", "configClientBankRes": "peer"}
for name, side in want.items():
    if side not in seen.get(name, []):
        print("missing in the capture: %s from the %s" % (name, side))
        errors += 1
if len(seen.get("configClientBankReq", [])) != 2:
    print("expected 2 configClientBankReq, saw %d" % len(seen.get("configClientBankReq", [])))
    errors += 1
sys.exit(1 if errors else 0)
EOF
echo "PASS: $n_rspro RSPRO packets, all well-formed"
