# SPDX-License-Identifier: GPL-2.0-or-later
#
# PC/SC side of test-vicc-sink-vpcd.sh: a private pcscd with the vpcd driver
# runs already (PCSCLITE_CSOCK_NAME, vpcd on REMSIM_TEST_PORT and +1). The
# remote path shows its card in "Virtual PCD 00 00", remsim-simcard is
# connected directly to "Virtual PCD 00 01"; pyscard compares the two.
#
#   sink mode: the vicc card sink in test-vicc-sink-driver, which answers
#              from the simulated SIM in-process
#   e2e mode:  remsim-simcard -> remsim-bankd (vicc source) -> remsim-server
#              mapping -> remsim-client (vicc sink) -> vpcd; at the end
#              server and bankd are killed mid-transmit: the call returns
#              within the sink's timeout-ms, pcscd keeps answering
#
# Prints round-trip times of both paths (median, p99 over REMSIM_TEST_APDUS,
# default 600, APDUs each).

import gc
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

from smartcard.Exceptions import CardConnectionException, NoCardException
from smartcard.scard import (SCARD_S_SUCCESS, SCARD_SCOPE_USER,
                             SCARD_STATE_EMPTY, SCARD_STATE_PRESENT,
                             SCARD_STATE_UNAWARE, SCardEstablishContext,
                             SCardGetStatusChange, SCardListReaders,
                             SCardReleaseContext)
from smartcard.System import readers

REMOTE = "Virtual PCD 00 00"
DIRECT = "Virtual PCD 00 01"
ATR = "3b9f96801fc78031a073be21136743200718000001a5"
RAND = "23553cbe9637a89d218ae64dae47bf35"
AUTN = "bd9232ae9a08800023543ebd92132e9a"

SESSION = [
    # GSM 11.11: SELECT MF, GET RESPONSE
    ("a0a40000023f00", "9f17"),
    ("a0c0000017", "000010003f0001" "0000000000" "0a9302040400838a000000" "9000"),
    # EF ICCID: SELECT, GET RESPONSE, READ BINARY
    ("a0a40000022fe2", "9f0f"),
    ("a0c000000f", "0000000a2fe204000fff4401020000" "9000"),
    ("a0b000000a", "98940000000000000031" "9000"),
    # DF GSM, EF IMSI
    ("a0a40000027f20", "9f17"),
    ("a0a40000026f07", "9f0f"),
    ("a0b0000009", "080910101032547698" "9000"),
    ("a0b000000a", "6709"),
    # RUN GSM ALGORITHM (test algorithm), GET RESPONSE
    ("a088000010" + RAND, "9f0c"),
    ("a0c000000c", "b1669027" "0529cb4867bfaadd" "9000"),
    # UICC: SELECT by AID, AUTHENTICATE (3G context), GET RESPONSE
    ("00a4040c0ca0000000871002ff49ff0589", "9000"),
    ("0088008122" "10" + RAND + "10" + AUTN, "6135"),
    ("00c0000035", "db0823543ebd9232ae9a10543ebd9232ae9a2983ec46a24ab13a23"
                   "103ebd9232ae9a2983ec46a24ab13a2354080529cb4867bfaadd9000"),
    ("00a4000c022fe2", "6a82"),
    ("00a4000c023f00", "9000"),
    ("00a4000c022fe2", "9000"),
    ("00b0000000", "6c0a"),
    # a case 1 command (4 bytes from PC/SC): padded to a 5-byte TPDU
    ("a0ee0000", "6d00"),
    ("a0ee000000", "6d00"),
    ("b0a40000023f00", "6e00"),
]

# what the timing loop sends, round robin
TIMED = ["a0a40000023f00", "a0c0000017", "a0f2000016", "a0b000000a"]


def log(*args):
    print(*args, flush=True)


def fail(*args):
    log("FAIL:", *args)
    sys.exit(1)


def now():
    return time.monotonic()


def reader(name):
    for r in readers():
        if str(r).startswith(name):
            return r
    return None


def connect(name, timeout=15.0):
    deadline = now() + timeout
    last = None
    while True:
        try:
            r = reader(name)
            if r is not None:
                c = r.createConnection()
                c.connect()
                return c
            last = "no reader"
        except (CardConnectionException, NoCardException, Exception) as e:
            last = e
        if now() > deadline:
            fail("no card in '%s' within %.0f s: %s" % (name, timeout, last))
        time.sleep(0.05)


def card_state(name, timeout_ms=0):
    """SCARD_STATE_* of reader @name (after waiting up to timeout_ms for a change)"""
    hresult, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
    if hresult != SCARD_S_SUCCESS:
        return None
    try:
        full = None
        for r in readers():
            if str(r).startswith(name):
                full = str(r)
        if full is None:
            return None
        hresult, states = SCardGetStatusChange(ctx, 0, [(full, SCARD_STATE_UNAWARE)])
        if hresult != SCARD_S_SUCCESS:
            return None
        state = states[0][1]
        if timeout_ms > 0:
            hresult, states = SCardGetStatusChange(ctx, timeout_ms, [(full, state)])
            if hresult == SCARD_S_SUCCESS:
                state = states[0][1]
        return state
    finally:
        SCardReleaseContext(ctx)


def wait_state(name, want_present, timeout):
    """seconds until reader @name shows (or no longer shows) a card"""
    t0 = now()
    while True:
        st = card_state(name, 100)
        if st is not None:
            present = bool(st & SCARD_STATE_PRESENT)
            if present == want_present and (want_present or st & SCARD_STATE_EMPTY):
                return now() - t0
        if now() - t0 > timeout:
            fail("'%s' still %s after %.1f s" % (name, "empty" if want_present else "present", timeout))


def xmit(conn, hexcmd):
    data, sw1, sw2 = conn.transmit(list(bytes.fromhex(hexcmd)))
    return bytes(data + [sw1, sw2]).hex()


def run_session(conn, label, expect=True):
    got = []
    for cmd, want in SESSION:
        r = xmit(conn, cmd)
        got.append(r)
        if expect and r != want:
            fail("%s: %s -> %s, expected %s" % (label, cmd, r, want))
    return got


def compare(remote, direct):
    a = run_session(remote, "remote")
    b = run_session(direct, "direct")
    for (cmd, _), x, y in zip(SESSION, a, b):
        if x != y:
            fail("%s: remote %s, direct %s" % (cmd, x, y))
    log("session of %d APDUs: remote and direct answers identical" % len(SESSION))


def check_reset(remote, direct):
    """a warm reset through PC/SC resets the remote card like the direct one"""
    for conn, label in ((remote, "remote"), (direct, "direct")):
        if xmit(conn, "a0a40000027f20") != "9f17" or xmit(conn, "a0a40000026f07") != "9f0f":
            fail("%s: cannot select DF GSM / EF IMSI" % label)
        conn.reconnect()  # SCARD_RESET_CARD
    a, b = xmit(remote, "a0a40000026f07"), xmit(direct, "a0a40000026f07")
    if a != b or a == "9f0f":
        fail("after a reset: remote %s, direct %s (EF IMSI must not be selectable from the MF)"
             % (a, b))
    if bytes(remote.getATR()).hex() != ATR:
        fail("ATR after reset: %s" % bytes(remote.getATR()).hex())
    log("warm reset through PC/SC: remote and direct both back at the MF (%s)" % a)


def timing(conn, n):
    times = []
    for i in range(n):
        cmd = list(bytes.fromhex(TIMED[i % len(TIMED)]))
        t0 = time.perf_counter()
        conn.transmit(cmd)
        times.append((time.perf_counter() - t0) * 1000.0)
    times.sort()
    med = statistics.median(times)
    p99 = times[min(len(times) - 1, int(round(0.99 * len(times))) - 1)]
    return med, p99, times[-1]


def report_timing(remote, direct):
    n = int(os.environ.get("REMSIM_TEST_APDUS", "600"))
    # warm up both paths
    timing(remote, 20)
    timing(direct, 20)
    rm, rp, rx = timing(remote, n)
    dm, dp, dx = timing(direct, n)
    log("RTT over %d APDUs through pyscard: remote median %.3f ms p99 %.3f ms max %.3f ms; "
        "direct median %.3f ms p99 %.3f ms max %.3f ms" % (n, rm, rp, rx, dm, dp, dx))
    return rm, rp


def pcsc_scan(name):
    """pcsc_scan's view of reader @name: (card state line, ATR hex or None);
    None if pcsc_scan is not installed"""
    try:
        out = subprocess.run(["pcsc_scan", "-n", "-t", "1"], capture_output=True,
                             text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    state, atr, cur = None, None, False
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Reader "):
            cur = name in line
            if cur:
                state, atr = None, None
        elif cur and line.startswith("Card state:"):
            state = line
        elif cur and line.startswith("ATR:"):
            atr = line[4:].replace(" ", "").lower()
    return state, atr


def check_pcsc_scan(name, present):
    seen = pcsc_scan(name)
    if seen is None:
        return
    state, atr = seen
    if present and (state is None or "Card inserted" not in state or atr != ATR):
        fail("pcsc_scan shows %s: %s, ATR %s" % (name, state, atr))
    if not present and (state is None or "Card removed" not in state):
        fail("pcsc_scan shows %s: %s, ATR %s" % (name, state, atr))
    log("pcsc_scan: %s: %s%s" % (name, state, " ATR " + atr if atr else ""))


def check_transmit_fails(conn, label):
    t0 = now()
    try:
        xmit(conn, "a0f2000016")
    except CardConnectionException:
        dt = now() - t0
        log("%s: transmit on the removed card failed after %.3f s, as it should" % (label, dt))
        if dt > 2.0:
            fail("%s: the failing transmit took %.1f s" % (label, dt))
        return
    fail("%s: transmit on a removed card succeeded" % label)


# sink mode ---------------------------------------------------------------

class Driver:
    def __init__(self, path, port, logf):
        self.p = subprocess.Popen([path, "127.0.0.1:%d" % port], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=logf, text=True, bufsize=1)
        self.expect("ready")

    def expect(self, prefix):
        line = self.p.stdout.readline().strip()
        if not line.startswith(prefix):
            fail("driver said %r, expected %r" % (line, prefix))
        return line

    def cmd(self, line, ack):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return self.expect(ack)

    def quit(self):
        self.p.stdin.write("quit\n")
        self.p.stdin.flush()
        if self.p.wait(timeout=10) != 0:
            fail("driver exited with %d" % self.p.returncode)


def sink_mode(tmp, port):
    simcard = os.environ["REMSIM_SIMCARD"]
    driver_path = os.environ["REMSIM_VICC_SINK_DRIVER"]
    procs = []
    try:
        direct_p = subprocess.Popen([simcard, "--connect", "127.0.0.1:%d" % (port + 1)],
                                    stderr=open(os.path.join(tmp, "simcard-direct.log"), "w"))
        procs.append(direct_p)
        driver = Driver(driver_path, port, open(os.path.join(tmp, "driver.log"), "w"))
        procs.append(driver.p)

        remote = connect(REMOTE)
        direct = connect(DIRECT)
        atr = bytes(remote.getATR()).hex()
        log("remote ATR", atr)
        if atr != ATR:
            fail("ATR %s, expected %s" % (atr, ATR))
        check_pcsc_scan(REMOTE, True)
        compare(remote, direct)
        check_reset(remote, direct)
        report_timing(remote, direct)

        # a slow remote card: 6f00 after timeout-ms (2 s in the driver), the
        # late answer is dropped, the next command waits for it and is right
        driver.cmd("delay 3000", "ok delay")
        t0 = now()
        r = xmit(remote, "a0f2000016")
        dt = now() - t0
        if r != "6f00" or not 1.9 < dt < 2.9:
            fail("slow card: %s after %.3f s, expected 6f00 after 2 s" % (r, dt))
        driver.cmd("delay 0", "ok delay")
        r = xmit(remote, "a0a40000023f00")
        if r != "9f17":
            fail("after a timeout: SELECT MF -> %s" % r)
        run_session(remote, "after a timeout")
        log("slow card: 6f00 after %.3f s, then answers in step again" % dt)

        # a remote card that never answers: 6f00 twice, then the card is shown
        # anew; pcscd keeps working
        driver.cmd("mute 1", "ok mute 1")
        for i in range(2):
            t0 = now()
            try:
                r = xmit(remote, "a0f2000016")
            except CardConnectionException as e:
                r = str(e)
            dt = now() - t0
            if r != "6f00" or dt > 2.9:
                fail("mute card: %s after %.3f s, expected 6f00 within 2 s" % (r, dt))
        driver.cmd("mute 0", "ok mute 0")
        try:
            remote.disconnect()
        except CardConnectionException:
            pass
        remote = connect(REMOTE)
        run_session(remote, "after a lost card")
        log("card that never answers: 6f00 twice within the timeout, then a fresh card")

        # pcscd's power down (pyscard's default disposition) and up again
        remote.disconnect()
        remote = connect(REMOTE)
        run_session(remote, "after power cycle")

        # the mapping goes: the card leaves the reader within 2 s
        driver.cmd("present 0", "ok present 0")
        dt = wait_state(REMOTE, False, 2.0)
        log("card removed from '%s' %.3f s after set_card_present (FALSE)" % (REMOTE, dt))
        check_transmit_fails(remote, "remote")
        try:
            remote.disconnect()
        except Exception:
            pass
        check_pcsc_scan(REMOTE, False)
        if card_state(DIRECT) is None or not card_state(DIRECT) & SCARD_STATE_PRESENT:
            fail("the direct card went away too")

        # and comes back
        driver.cmd("present 1", "ok present 1")
        dt = wait_state(REMOTE, True, 2.0)
        log("card back in '%s' %.3f s after set_card_present (TRUE)" % (REMOTE, dt))
        remote = connect(REMOTE)
        run_session(remote, "after re-insertion")
        remote.disconnect()

        # pcscd restarted under the sink: it reconnects by itself
        direct.disconnect()
        del remote, direct
        gc.collect()
        restart = os.environ.get("REMSIM_PCSCD_RESTART")
        if restart:
            subprocess.run(["sh", "-c", restart], check=True)
            # pyscard keeps one PC/SC context per process, dead with the old
            # pcscd: check from a new process
            t0 = now()
            subprocess.run([sys.executable, __file__, "check-remote"], check=True)
            log("card back and working after the pcscd restart, %.3f s" % (now() - t0))
        driver.quit()
        procs.remove(driver.p)
    finally:
        for p in procs:
            p.kill()
            p.wait()
    log("PASS")


# e2e mode -----------------------------------------------------------------

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rest(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_port(port, timeout=10):
    deadline = now() + timeout
    while now() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    fail("nothing listens on %d" % port)


# the client's sink timeout-ms in e2e mode
E2E_TIMEOUT_MS = 2000


def list_readers_timed():
    """(seconds, reader names) of SCardListReaders on a new context"""
    t0 = now()
    hresult, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
    if hresult != SCARD_S_SUCCESS:
        fail("SCardEstablishContext: 0x%x" % (hresult & 0xffffffff))
    try:
        hresult, names = SCardListReaders(ctx, [])
        if hresult != SCARD_S_SUCCESS:
            fail("SCardListReaders: 0x%x" % (hresult & 0xffffffff))
    finally:
        SCardReleaseContext(ctx)
    return now() - t0, names


def transmit_in_thread(conn, hexcmd, result):
    t0 = now()
    try:
        result["answer"] = xmit(conn, hexcmd)
    except Exception as e:  # noqa: BLE001
        result["error"] = repr(e)
    result["end"] = now()
    result["time"] = result["end"] - t0


def check_killed_mid_transmit(remote, procs):
    """bankd stopped, server and bankd killed while a transmit waits: the
    call returns (6f00 or an error) within timeout-ms, pcscd keeps answering
    and the card leaves the reader"""
    procs["bankd"].send_signal(signal.SIGSTOP)
    res = {}
    th = threading.Thread(target=transmit_in_thread, args=(remote, "a0a40000023f00", res))
    th.start()
    time.sleep(0.5)
    dt, names = list_readers_timed()
    if not any(n.startswith(REMOTE) for n in names):
        fail("'%s' missing while a transmit hangs: %s" % (REMOTE, names))
    if dt > 1.0:
        fail("SCardListReaders took %.3f s while a transmit hangs" % dt)
    log("SCardListReaders while a transmit waits on a stopped bankd: %.1f ms" % (dt * 1000))
    t_kill = now()
    for name in ("server", "bankd"):
        p = procs.pop(name)
        p.kill()
        p.wait()
    limit = E2E_TIMEOUT_MS / 1000.0 + 1.0
    th.join(limit + 5)
    if th.is_alive():
        fail("transmit still blocked %.1f s after server and bankd were killed" % (limit + 5))
    what = res.get("error", res.get("answer"))
    log("transmit with the bankd stopped, then server and bankd killed (SIGKILL): "
        "%s after %.3f s, %.3f s after the kill (timeout-ms %d)"
        % (what, res["time"], res["end"] - t_kill, E2E_TIMEOUT_MS))
    if "answer" in res and res["answer"] != "6f00":
        fail("transmit to a dead bankd answered %s" % res["answer"])
    if res["time"] > limit:
        fail("transmit returned after %.3f s, more than timeout-ms + 1 s" % res["time"])
    # pcscd keeps answering: the card goes, the reader stays, a new
    # connection attempt fails at once
    dt = wait_state(REMOTE, False, 5.0)
    log("card removed %.3f s after the transmit returned" % dt)
    dt, names = list_readers_timed()
    if not any(n.startswith(REMOTE) for n in names):
        fail("'%s' gone after server and bankd died: %s" % (REMOTE, names))
    t0 = now()
    try:
        c = reader(REMOTE).createConnection()
        c.connect()
        fail("a connection to '%s' worked with the bankd gone" % REMOTE)
    except (CardConnectionException, NoCardException):
        pass
    dc = now() - t0
    if dt > 1.0 or dc > 1.0:
        fail("pcscd slow after the kill: SCardListReaders %.3f s, connect %.3f s" % (dt, dc))
    log("pcscd keeps answering: SCardListReaders %.1f ms, failed connect %.1f ms"
        % (dt * 1000, dc * 1000))
    try:
        remote.disconnect()
    except Exception:
        pass


def e2e_mode(tmp, port):
    simcard = os.environ["REMSIM_SIMCARD"]
    server = os.environ["REMSIM_SERVER_BIN"]
    bankd = os.environ["REMSIM_BANKD_BIN"]
    client = os.environ["REMSIM_CLIENT_BIN"]
    rspro, rest_port, bank_port, vicc_port = free_port(), free_port(), free_port(), free_port()
    base = "http://127.0.0.1:%d/api/backend/v1" % rest_port
    procs = {}

    def start(name, argv, **kw):
        procs[name] = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                       stderr=open(os.path.join(tmp, name + ".log"), "a"), **kw)

    with open(os.path.join(tmp, "bankd.conf"), "w") as f:
        f.write("[bankd]\nbank-id=1\nnum-slots=1\nserver=127.0.0.1:%d\nlisten=127.0.0.1:%d\n"
                "retry-interval-ms=200\n"
                "[source:sim]\nplugin=vicc\nslots=0\nlisten=127.0.0.1:%d\n"
                % (rspro, bank_port, vicc_port))
    with open(os.path.join(tmp, "client.conf"), "w") as f:
        f.write("[client]\nserver=127.0.0.1:%d\nclient-id=7\n"
                "[sink:vpcd]\nplugin=vicc\nslots=0\nconnect=127.0.0.1:%d\n"
                "reconnect-interval-ms=100\ntimeout-ms=%d\n" % (rspro, port, E2E_TIMEOUT_MS))
    try:
        start("server", [server, "--rspro-listen", "127.0.0.1:%d" % rspro,
                         "--rest-listen", "127.0.0.1:%d" % rest_port, "--state-file", "",
                         "-v"])
        wait_port(rest_port)
        start("bankd", [bankd, "-c", os.path.join(tmp, "bankd.conf"), "-v"])
        start("simcard-bank", [simcard, "--connect", "127.0.0.1:%d" % vicc_port])
        start("client", [client, "-f", os.path.join(tmp, "client.conf"), "--verbose"])
        start("simcard-direct", [simcard, "--connect", "127.0.0.1:%d" % (port + 1)])
        direct = connect(DIRECT)

        # no mapping: no card
        time.sleep(1.0)
        st = card_state(REMOTE)
        if st is not None and st & SCARD_STATE_PRESENT:
            fail("a card in '%s' before the mapping" % REMOTE)
        check_pcsc_scan(REMOTE, False)
        code, body = rest(base, "POST", "/slotmaps",
                          {"bank": {"bankId": 1, "slotNr": 0},
                           "client": {"clientId": 7, "slotNr": 0}})
        if code != 201:
            fail("POST /slotmaps: %d %s" % (code, body))
        t0 = now()
        remote = connect(REMOTE, 20)
        log("card in '%s' %.3f s after the mapping" % (REMOTE, now() - t0))
        atr = bytes(remote.getATR()).hex()
        if atr != ATR:
            fail("ATR %s, expected %s (the bank card's)" % (atr, ATR))
        check_pcsc_scan(REMOTE, True)
        compare(remote, direct)
        check_reset(remote, direct)
        report_timing(remote, direct)

        # mapping removed: the card leaves within 2 s
        code, body = rest(base, "DELETE", "/slotmaps/%d" % (1 * 65536 + 0))
        if code != 200:
            fail("DELETE /slotmaps: %d %s" % (code, body))
        dt = wait_state(REMOTE, False, 2.0)
        log("card removed %.3f s after DELETE /slotmaps" % dt)
        check_transmit_fails(remote, "remote")
        check_pcsc_scan(REMOTE, False)
        try:
            remote.disconnect()
        except Exception:
            pass

        # mapped again, then the bankd restarts: back without touching pcscd
        code, body = rest(base, "POST", "/slotmaps",
                          {"bank": {"bankId": 1, "slotNr": 0},
                           "client": {"clientId": 7, "slotNr": 0}})
        if code != 201:
            fail("POST /slotmaps again: %d %s" % (code, body))
        remote = connect(REMOTE, 20)
        run_session(remote, "after re-mapping")
        remote.disconnect()
        procs["bankd"].terminate()
        if procs["bankd"].wait() != 0:
            fail("remsim-bankd exited with %d on SIGTERM" % procs["bankd"].returncode)
        dt = wait_state(REMOTE, False, 5.0)
        log("card removed %.3f s after the bankd stopped" % dt)
        start("bankd", [bankd, "-c", os.path.join(tmp, "bankd.conf"), "-v"])
        t0 = now()
        remote = connect(REMOTE, 30)
        log("card back %.3f s after the bankd restarted" % (now() - t0))
        run_session(remote, "after bankd restart")

        # server and bankd killed while a transmit waits on a stopped bankd
        check_killed_mid_transmit(remote, procs)
        # both back (the server with no mapping): mapped again, a working card
        start("server", [server, "--rspro-listen", "127.0.0.1:%d" % rspro,
                         "--rest-listen", "127.0.0.1:%d" % rest_port, "--state-file", "",
                         "-v"])
        wait_port(rest_port)
        start("bankd", [bankd, "-c", os.path.join(tmp, "bankd.conf"), "-v"])
        code, body = rest(base, "POST", "/slotmaps",
                          {"bank": {"bankId": 1, "slotNr": 0},
                           "client": {"clientId": 7, "slotNr": 0}})
        if code != 201:
            fail("POST /slotmaps after the kill: %d %s" % (code, body))
        t0 = now()
        remote = connect(REMOTE, 30)
        log("card back %.3f s after server and bankd restarted" % (now() - t0))
        run_session(remote, "after server and bankd were killed and restarted")
        remote.disconnect()
        direct.disconnect()
        # clean exits, nothing from the sanitizers (when built with them)
        for name in ("client", "bankd", "server"):
            p = procs.pop(name)
            p.terminate()
            try:
                rc = p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                fail("%s did not stop on SIGTERM" % name)
            if rc != 0:
                fail("%s exited with %d on SIGTERM" % (name, rc))
        for name in ("client", "bankd", "server"):
            with open(os.path.join(tmp, name + ".log")) as f:
                text = f.read()
            for marker in ("runtime error:", "Sanitizer", "CRITICAL"):
                if marker in text:
                    fail("%s log has %r:\n%s" % (name, marker, text[-3000:]))
    finally:
        for name, p in procs.items():
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    log("PASS")


def main():
    mode = sys.argv[1]
    if mode == "check-remote":
        remote = connect(REMOTE, 20)
        run_session(remote, "remote")
        remote.disconnect()
        return
    tmp = os.environ["REMSIM_TEST_TMP"]
    port = int(os.environ["REMSIM_TEST_PORT"])
    if mode == "sink":
        sink_mode(tmp, port)
    elif mode == "e2e":
        e2e_mode(tmp, port)
    else:
        fail("unknown mode " + mode)


if __name__ == "__main__":
    main()
