#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Driven by test-e2e.sh, which starts the private pcscd (vpcd driver on
# $REMSIM_TEST_VPCD_PORT, socket in $PCSCLITE_CSOCK_NAME). This script runs
# remsim-server, remsim-bankd (B1, slots 0..3), the bank's cards and
# remsim-client (C7:0, shell sink on pipes) and checks:
#
#  1. B1:0 (vicc source, remsim-simcard) mapped to C7:0: SET_ATR is the
#     card's ATR; every R-APDU of a GSM + UICC script equals the answer of
#     `remsim-simcard --stdio` with the same profile.
#  2. The mapping deleted: REST has no slotmap, the client says it lost the
#     bankd, the bank card is powered off (its own log).
#  3. B1:1 (pcsc source, pcscd + vpcd + remsim-simcard with a second profile)
#     mapped to C7:0: that card's ATR and answers (other ICCID).
#  4. B1:2 (vicc source, Debian's vicc) where vicc starts: its ATR and the
#     answers it survives (test-peers.md).
#  5. A raw RSPRO client claiming unmapped C9:0 gets
#     ConnectClientRes(cardNotPresent); the shell client keeps working.
#  6. Clean exits on SIGTERM / end of input, no sanitizer reports.
#
# Synchronisation is by polling with deadlines only.

import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

SERVER = os.environ["REMSIM_SERVER_BIN"]
BANKD = os.environ["REMSIM_BANKD_BIN"]
CLIENT = os.environ["REMSIM_CLIENT_BIN"]
SIMCARD = os.environ["REMSIM_SIMCARD_BIN"]
PROFILE1 = os.environ["REMSIM_SIMCARD_DEFAULT_PROFILE"]
TMP = os.environ["REMSIM_TEST_TMP"]
VPCD_PORT = int(os.environ["REMSIM_TEST_VPCD_PORT"])
STRICT = os.environ.get("REMSIM_TEST_STRICT", "0") == "1"
WAIT = 15.0

RAND = "23553cbe9637a89d218ae64dae47bf35"
# a SIM session (CLA a0) and a UICC one (CLA 00); the GET RESPONSE lengths
# are the default profile's (the comparison holds whatever they are)
SCRIPT = [
    "a0a40000023f00",         # SELECT MF
    "a0c0000016",             # GET RESPONSE
    "a0a40000022fe2",         # SELECT EF ICCID
    "a0c000000f",             # GET RESPONSE
    "a0b000000a",             # READ BINARY: the ICCID
    "a0a40000027f20",         # SELECT DF GSM
    "a0a40000026f07",         # SELECT EF IMSI
    "a0c000000f",             # GET RESPONSE
    "a0b0000009",             # READ BINARY: the IMSI
    "a088000010" + RAND,      # RUN GSM ALGORITHM
    "a0c000000c",             # GET RESPONSE: SRES + Kc
    "00a40004023f00",         # UICC SELECT MF with FCP
    "00c0000000",             # GET RESPONSE (Le from the 61xx below)
]
ICCID_READ = 4                # index of READ BINARY EF ICCID in SCRIPT

# Debian's vicc (generic ISO 7816 card): answers it survives (test-peers.md)
VICC_ATR = "3b951381018073ff01000b"
VICC_SCRIPT = [("00a4000c023f00", "9000"), ("00b0000010", "6986"), ("a0f2000016", "6d00")]

procs = {}
logs = {}
t_start = time.monotonic()


def log(*a):
    print("[%7.3f]" % (time.monotonic() - t_start), *a, flush=True)


class Fail(Exception):
    pass


def fail(msg):
    raise Fail(msg)


def on_term(signum, frame):
    raise SystemExit(1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def poll(what, cond, timeout=WAIT, step=0.02):
    deadline = time.monotonic() + timeout
    while True:
        r = cond()
        if r:
            return r
        if time.monotonic() > deadline:
            fail("timed out waiting for " + what)
        time.sleep(step)


def can_connect(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


def start(name, argv, env=None, **kw):
    path = os.path.join(TMP, name + ".log")
    logs[name] = path
    kw.setdefault("stdout", subprocess.DEVNULL)
    procs[name] = subprocess.Popen(argv, stderr=open(path, "a"), env=env, **kw)
    return procs[name]


def read_log(name):
    with open(logs[name], errors="replace") as f:
        return f.read()


def stop(name, expect_rc=0):
    p = procs.pop(name)
    if p.poll() is None:
        p.terminate()
    try:
        rc = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        fail("%s did not stop on SIGTERM" % name)
    if expect_rc is not None and rc != expect_rc:
        fail("%s exited with %d, expected %d" % (name, rc, expect_rc))


def rest(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(REST + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def rest_json(path):
    code, body = rest("GET", path)
    if code != 200:
        fail("GET %s: %d %s" % (path, code, body))
    return json.loads(body)


def map_slot(bank_slot):
    code, body = rest("POST", "/slotmaps", {"bank": {"bankId": 1, "slotNr": bank_slot},
                                            "client": {"clientId": 7, "slotNr": 0}})
    if code != 201:
        fail("POST /slotmaps B1:%d -> C7:0: %d %s" % (bank_slot, code, body))


def unmap_slot(bank_slot):
    code, body = rest("DELETE", "/slotmaps/%d" % (1 * 65536 + bank_slot))
    if code != 200:
        fail("DELETE /slotmaps B1:%d: %d %s" % (bank_slot, code, body))


def direct_answers(profile, script):
    """what the card answers directly: remsim-simcard --stdio"""
    r = subprocess.run([SIMCARD, "--stdio", "--profile", profile],
                       input="\n".join(script) + "\n", capture_output=True,
                       text=True, timeout=30)
    if r.returncode != 0:
        fail("remsim-simcard --stdio: exit %d: %s" % (r.returncode, r.stderr))
    lines = [l.strip().replace(" ", "").lower() for l in r.stdout.splitlines() if l.strip()]
    if len(lines) != len(script):
        fail("remsim-simcard --stdio gave %d lines for %d commands" % (len(lines), len(script)))
    return lines


def fix_script(answers_of_first_pass):
    """set the UICC GET RESPONSE length from the 61xx of the SELECT before it"""
    s = list(SCRIPT)
    sw = answers_of_first_pass[-2]
    if sw.startswith("61"):
        s[-1] = "00c00000" + sw[2:4]
    return s


class ShellClient:
    """remsim-client with the shell sink: stdin/stdout pipes"""

    def __init__(self, rspro_port):
        self.p = start("client", [CLIENT, "-i", "127.0.0.1", "-p", str(rspro_port),
                                  "-c", "7", "-n", "0", "--verbose"],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.lines = queue.Queue()
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        for raw in self.p.stdout:
            self.lines.put(raw.decode(errors="replace").rstrip("\n"))
        self.lines.put(None)

    def line(self, timeout=WAIT):
        try:
            l = self.lines.get(timeout=timeout)
        except queue.Empty:
            fail("no output line from remsim-client within %.0f s" % timeout)
        if l is None:
            fail("remsim-client's stdout ended (exit %s)" % self.p.poll())
        return l

    def expect(self, prefix, timeout=WAIT):
        l = self.line(timeout)
        if not l.startswith(prefix):
            fail("expected %r from remsim-client, got %r" % (prefix, l))
        return l[len(prefix):].replace(" ", "").lower()

    def no_output(self):
        if not self.lines.empty():
            fail("unexpected output from remsim-client: %r" % self.lines.get())

    def run(self, script):
        self.p.stdin.write(("\n".join(script) + "\n").encode())
        self.p.stdin.flush()
        return [self.expect("R-APDU:") for _ in script]


def compare(label, got, want, script):
    for cmd, g, w in zip(script, got, want):
        if g != w:
            fail("%s: %s answered %s through remsim, %s directly" % (label, cmd, g, w))
    log("%s: %d R-APDUs equal the card's direct answers" % (label, len(script)))


def profile_atr(path):
    with open(path) as f:
        for l in f:
            if l.startswith("atr="):
                return l[4:].strip().replace(" ", "").lower()
    fail("no atr= in " + path)


def make_profile2():
    """the default profile with another ICCID and ATR (TCK kept right)"""
    with open(PROFILE1) as f:
        text = f.read()
    atr1 = bytes.fromhex(profile_atr(PROFILE1))
    # change the last historical byte, recompute TCK (XOR of T0..TCK is 0)
    atr2 = bytearray(atr1)
    atr2[-2] ^= 0x03
    tck = 0
    for b in atr2[1:-1]:
        tck ^= b
    atr2[-1] = tck
    out = []
    for l in text.splitlines():
        if l.startswith("iccid="):
            l = "iccid=89490000000000000021"
        elif l.startswith("atr="):
            l = "atr=" + " ".join("%02x" % b for b in atr2)
        out.append(l)
    path = os.path.join(TMP, "second.conf")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return path


# ---- RSPRO over IPA, by hand (protocols.md §3.8) --------------------------

def der_len(n):
    return bytes([n]) if n < 128 else bytes([0x81, n])


def tlv(tag, content):
    return bytes([tag]) + der_len(len(content)) + content


def connect_client_req(client_id, slot_nr):
    ident = (tlv(0x0a, b"\x00") + tlv(0x16, b"e2e") + tlv(0x80, b"remsim-client") +
             tlv(0x81, b"1.1.3"))
    slot = tlv(0x02, bytes([client_id])) + tlv(0x02, bytes([slot_nr]))
    body = tlv(0x30, ident) + tlv(0x30, slot)
    pdu = tlv(0x30, tlv(0x80, b"\x02") + tlv(0x81, b"\x00") + tlv(0xa2, tlv(0xa2, body)))
    return len(pdu + b"\x07").to_bytes(2, "big") + b"\xee\x07" + pdu


def read_ipa(sock, deadline):
    buf = b""
    while True:
        if len(buf) >= 3:
            n = int.from_bytes(buf[:2], "big")
            if len(buf) >= 3 + n:
                return buf[2], buf[3:3 + n]
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            d = sock.recv(4096 - len(buf))
        except socket.timeout:
            fail("no IPA message from the bankd in time")
        if not d:
            return None, None
        buf += d


def connect_client_res_result(pdu):
    """result of a ConnectClientRes (msg [3]): the last ENUMERATED"""
    # 30 L 80 01 02 81 n tag a2 L a3 L ... 0a 01 result
    i = 2
    i += 2 + pdu[i + 1]          # version
    i += 2 + pdu[i + 1]          # tag
    if pdu[i] != 0xa2:
        return None, None
    choice = pdu[i + 2]
    if pdu[-3:-1] != b"\x0a\x01":
        return choice, None
    return choice, pdu[-1]


def raw_client_unmapped(bank_port):
    s = socket.create_connection(("127.0.0.1", bank_port), 5)
    try:
        s.sendall(connect_client_req(9, 0))
        deadline = time.monotonic() + WAIT
        while True:
            proto, payload = read_ipa(s, deadline)
            if proto is None:
                fail("the bankd closed the connection of the unmapped client C9:0 "
                     "instead of answering cardNotPresent")
            if proto != 0xee or not payload or payload[0] != 0x07:
                continue  # IPA CCM (ID_GET, PING) and the like
            choice, result = connect_client_res_result(payload[1:])
            if choice != 0xa3:
                fail("expected ConnectClientRes, got choice 0x%02x: %s"
                     % (choice or 0, payload.hex()))
            if result != 100:
                fail("ConnectClientRes for unmapped C9:0: result %s, expected "
                     "cardNotPresent(100): %s" % (result, payload.hex()))
            break
        # the connection stays (protocols.md: waits for a mapping)
        s.settimeout(0.3)
        try:
            d = s.recv(1)
            if d == b"":
                fail("the bankd closed the cardNotPresent connection")
        except socket.timeout:
            pass
    finally:
        s.close()
    log("raw client C9:0 (no mapping): ConnectClientRes(cardNotPresent)")


# ---- Debian's vicc ----------------------------------------------------------

def vicc_setup():
    """PYTHONPATH shim (test-peers.md); None when vicc cannot run"""
    vicc = os.environ.get("REMSIM_VICC") or shutil.which("vicc")
    if not vicc:
        return None, None, "vsmartcard's vicc is not installed"
    with open(vicc, "rb") as f:
        first = f.readline().decode(errors="replace")
    py = first[2:].split()[-1] if first.startswith("#!") else sys.executable
    if first.startswith("#!") and "env" in first.split()[0]:
        py = shutil.which(py) or py
    shim = os.path.join(TMP, "vicc-shim")
    os.makedirs(shim, exist_ok=True)
    for src, name in (("/usr/lib/python3/site-packages/virtualsmartcard/virtualsmartcard",
                       "virtualsmartcard"),
                      ("/usr/local/lib/python3/site-packages/virtualsmartcard/virtualsmartcard",
                       "virtualsmartcard"),
                      ("/usr/lib/python3/dist-packages/Cryptodome", "Crypto")):
        link = os.path.join(shim, name)
        if os.path.isdir(src) and not os.path.lexists(link):
            os.symlink(src, link)
    env = dict(os.environ)
    env["PYTHONPATH"] = shim + (":" + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    r = subprocess.run([py, "-c", "import virtualsmartcard.VirtualSmartcard, "
                        "virtualsmartcard.CryptoUtils"], env=env, capture_output=True)
    if r.returncode != 0:
        return None, None, "vicc's modules do not import: " + r.stderr.decode()[-200:]
    return vicc, env, None


# ---- the test ---------------------------------------------------------------

def main():
    global REST
    signal.signal(signal.SIGTERM, on_term)
    rspro_port, rest_port, bank_port = free_port(), free_port(), free_port()
    vicc0_port, vicc2_port = free_port(), free_port()
    REST = "http://127.0.0.1:%d/api/backend/v1" % rest_port
    profile2 = make_profile2()
    atr1, atr2 = profile_atr(PROFILE1), profile_atr(profile2)

    # the direct answers; then the script with the UICC GET RESPONSE fitted
    script = fix_script(direct_answers(PROFILE1, SCRIPT))
    want1 = direct_answers(PROFILE1, script)
    want2 = direct_answers(profile2, script)
    if want1[ICCID_READ] == want2[ICCID_READ]:
        fail("the two profiles answer READ BINARY EF ICCID alike: %s" % want1[ICCID_READ])
    if not want1[-1].endswith("9000") or not want1[1].endswith("9000"):
        fail("unexpected direct answers (GET RESPONSE): %s" % want1)

    vicc, vicc_env, why = vicc_setup()
    if vicc is None:
        if STRICT:
            fail("REMSIM_TEST_STRICT=1: Debian's vicc unusable: " + why)
        log("slot B1:2 (Debian vicc) left out: " + why)

    with open(os.path.join(TMP, "bankd.conf"), "w") as f:
        f.write("[bankd]\nbank-id=1\nnum-slots=4\nserver=127.0.0.1:%d\n"
                "listen=127.0.0.1:%d\nretry-interval-ms=200\n"
                "[source:sim]\nplugin=vicc\nslots=0\nlisten=127.0.0.1:%d\n"
                "[source:rdr]\nplugin=pcsc\nslots=1\nreader-regex=^Virtual PCD 00 00$\n"
                "[source:vicc]\nplugin=vicc\nslots=2\nlisten=127.0.0.1:%d\n"
                % (rspro_port, bank_port, vicc0_port, vicc2_port))

    start("server", [SERVER, "--rspro-listen", "127.0.0.1:%d" % rspro_port,
                     "--rest-listen", "127.0.0.1:%d" % rest_port, "--state-file", "", "-v"])
    poll("the server's REST port", lambda: can_connect(rest_port))

    # Under ASan, a bankd that dlopen()s the pcsc plugin dies in
    # LeakSanitizer at exit (libpcsclite's thread-local data, reached only
    # through the unloaded module): leak checking off for this process only.
    bankd_env = dict(os.environ)
    bankd_env["ASAN_OPTIONS"] = (bankd_env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
    # PCSCLITE_CSOCK_NAME (from test-e2e.sh) points it at the private pcscd
    start("bankd", [BANKD, "-c", os.path.join(TMP, "bankd.conf"), "-v"], env=bankd_env)
    poll("the bankd's client port", lambda: can_connect(bank_port))
    poll("bank 1 at the server", lambda: rest_json("/banks")["banks"])

    start("simcard0", [SIMCARD, "--connect", "127.0.0.1:%d" % vicc0_port,
                       "--profile", PROFILE1, "-v"])
    start("simcard1", [SIMCARD, "--connect", "127.0.0.1:%d" % VPCD_PORT,
                       "--profile", profile2, "-v"])
    have_vicc = False
    if vicc is not None:
        start("vicc", [vicc, "-t", "iso7816", "-H", "127.0.0.1", "-P", str(vicc2_port)],
              env=vicc_env)
        have_vicc = True   # it connects by itself; the bankd waits for it

    client = ShellClient(rspro_port)
    poll("client 7 at the server", lambda: rest_json("/clients")["clients"])
    client.no_output()

    # 1. B1:0, remsim-simcard behind the vicc plugin
    t0 = time.monotonic()
    map_slot(0)
    atr = client.expect("SET_ATR:")
    log("B1:0 -> C7:0: SET_ATR after %.3f s" % (time.monotonic() - t0))
    if atr != atr1:
        fail("SET_ATR %s, expected %s (B1:0's card)" % (atr, atr1))
    t0 = time.monotonic()
    compare("B1:0 vicc/remsim-simcard", client.run(script), want1, script)
    log("  %d APDUs in %.3f s" % (len(script), time.monotonic() - t0))

    # 2. the mapping goes: REST empty, the client drops the bankd, card off
    offs = read_log("simcard0").count("power off")
    t0 = time.monotonic()
    unmap_slot(0)
    poll("GET /slotmaps empty", lambda: rest_json("/slotmaps")["slotmaps"] == [])
    poll("the client losing the card",
         lambda: "the server removed our bankd" in read_log("client") or
         "lost the bankd connection" in read_log("client"))
    poll("the bankd closing C7:0's connection",
         lambda: "C7:0: closing connection: mapping removed by the server" in read_log("bankd"))
    poll("the bank card powered off", lambda: read_log("simcard0").count("power off") > offs)
    log("B1:0 unmapped: client lost the card, card off, %.3f s" % (time.monotonic() - t0))
    client.no_output()

    # 3. B1:1, the second card through pcscd + vpcd and the pcsc plugin
    t0 = time.monotonic()
    map_slot(1)
    atr = client.expect("SET_ATR:", timeout=30)
    log("B1:1 -> C7:0: SET_ATR after %.3f s" % (time.monotonic() - t0))
    if atr != atr2:
        fail("SET_ATR %s, expected %s (B1:1's card)" % (atr, atr2))
    t0 = time.monotonic()
    compare("B1:1 pcsc/vpcd/remsim-simcard", client.run(script), want2, script)
    log("  %d APDUs in %.3f s" % (len(script), time.monotonic() - t0))
    last_bank_slot, last_want = 1, want2

    # 4. B1:2, Debian's vicc
    if have_vicc:
        if procs["vicc"].poll() is not None:
            msg = "Debian's vicc exited at start (%d): %s" % (procs["vicc"].returncode,
                                                             read_log("vicc")[-300:])
            if STRICT:
                fail(msg)
            log(msg + "; slot B1:2 left out")
        else:
            unmap_slot(1)
            poll("GET /slotmaps empty", lambda: rest_json("/slotmaps")["slotmaps"] == [])
            t0 = time.monotonic()
            map_slot(2)
            atr = client.expect("SET_ATR:", timeout=30)
            log("B1:2 -> C7:0: SET_ATR after %.3f s" % (time.monotonic() - t0))
            if atr != VICC_ATR:
                fail("SET_ATR %s, expected %s (Debian vicc)" % (atr, VICC_ATR))
            vs = [c for c, _ in VICC_SCRIPT]
            compare("B1:2 vicc/Debian vicc", client.run(vs), [r for _, r in VICC_SCRIPT], vs)
            # back to B1:1 for the rest
            unmap_slot(2)
            poll("GET /slotmaps empty", lambda: rest_json("/slotmaps")["slotmaps"] == [])
            map_slot(1)
            atr = client.expect("SET_ATR:", timeout=30)
            if atr != atr2:
                fail("SET_ATR %s after mapping B1:1 again, expected %s" % (atr, atr2))

    # 5. bad input: an unmapped client slot; the real client is unaffected
    raw_client_unmapped(bank_port)
    compare("B1:%d after the unmapped client" % last_bank_slot, client.run(script),
            last_want, script)

    # 6. clean ends: the client at the end of its input (all answered: 0)
    client.p.stdin.close()
    try:
        rc = client.p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        fail("remsim-client did not exit at the end of its input")
    procs.pop("client")
    if rc != 0:
        fail("remsim-client exited with %d at the end of its input" % rc)
    for name in ("bankd", "server"):
        stop(name)
    for name in ("client", "bankd", "server"):
        text = read_log(name)
        for marker in ("runtime error:", "Sanitizer", "CRITICAL"):
            if marker in text:
                fail("%s log has %r:\n%s" % (name, marker, text[-3000:]))
    log("PASS")


if __name__ == "__main__":
    status = 1
    try:
        main()
        status = 0
    except Fail as e:
        print("FAIL:", e, flush=True)
    finally:
        for name, p in list(procs.items()):
            if p.poll() is None:
                p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if status != 0:
            for name, path in logs.items():
                print("---- %s log (tail)" % name)
                try:
                    with open(path, errors="replace") as f:
                        print("".join(f.readlines()[-25:]), end="")
                except OSError:
                    pass
    sys.exit(status)
