#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# End to end: a private pcscd loads libifd_remsim.so; a real remsim-server and
# remsim-bankd serve remsim-simcard (behind the bankd's vicc card source) as
# the bank card. Driven through PC/SC by pyscard (and pcsc_scan):
#
#  - the reader appears; no card before the mapping
#  - POST mapping: card present with the simcard's ATR
#  - APDUs (SELECT/GET RESPONSE/READ BINARY/RUN GSM ALGORITHM/AUTHENTICATE...)
#    answer as the simcard answers directly (its --stdio mode, and a second
#    simcard in a vpcd reader of the same pcscd when vsmartcard-vpcd is there)
#  - APDU round trip, remote vs direct, median and p99 over >= 500 APDUs
#  - DELETE mapping: card gone within 2 s; POST again: back
#  - bankd restarted: card back without restarting pcscd
#  - bankd stopped (SIGSTOP) mid-transmit: the call fails within the transmit
#    timeout, pcscd keeps answering; the late answer is dropped after SIGCONT
#  - server and bankd killed mid-transmit: error at once, pcscd answers
#  - pcscd shuts down cleanly (the driver's thread stops at the last close)
#
# Exit 77 (skip) without pcscd or pyscard, unless REMSIM_TEST_STRICT=1.

import gc
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

TRANSMIT_TIMEOUT_MS = 3000
CLIENT_ID = 5
SIM_ATR = "3b9f96801fc78031a073be21136743200718000001a5"
RAND = "23553cbe9637a89d218ae64dae47bf35"
AUTN = "bd9232ae9a08800023543ebd92132e9a"
N_TIMED = 1000

# the same session as plugins/vicc/test-simcard-vpcd.sh
SESSION = [
    "a0a40000023f00", "a0c0000017",
    "a0a40000022fe2", "a0c000000f", "a0b000000a",
    "a0a40000027f20", "a0a40000026f07", "a0b0000009", "a0b000000a",
    "a088000010" + RAND, "a0c000000c",
    "00a4040c0ca0000000871002ff49ff0589",
    "0088008122" "10" + RAND + "10" + AUTN, "00c0000035",
    "00a4000c022fe2", "00a4000c023f00", "00a4000c022fe2", "00b0000000",
    "a0ee000000", "b0a40000023f00",
    # case 4 as an application sends it under T=0: passed on as it is
    "00a40004023f0000", "00c0000000",
    # case 1 (4 bytes): goes out with P3 = 00
    "a0040000",
]


def log(*args):
    print(*args, flush=True)


def skip(why):
    log("SKIP:", why)
    if os.environ.get("REMSIM_TEST_STRICT") == "1":
        log("REMSIM_TEST_STRICT=1: a missing peer is a failure")
        sys.exit(1)
    sys.exit(77)


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def free_port_pair():
    for _ in range(50):
        p = free_port()
        if p >= 65535:
            continue
        try:
            for q in (p, p + 1):
                b = socket.socket()
                b.bind(("0.0.0.0", q))
                b.close()
        except OSError:
            continue
        return p
    raise Failure("no two free consecutive ports")


def wait_port(port, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise Failure("nothing listens on port %d" % port)


def find_pcscd():
    p = shutil.which("pcscd")
    if p is None and os.access("/usr/sbin/pcscd", os.X_OK):
        p = "/usr/sbin/pcscd"
    return p


def find_vpcd():
    lib = os.environ.get("REMSIM_VPCD_LIB")
    if lib:
        return lib if os.path.exists(lib) else None
    for f in ("/usr/lib/pcsc/drivers/serial/libifdvpcd.so",
              "/usr/lib64/pcsc/drivers/serial/libifdvpcd.so",
              "/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so"):
        if os.path.exists(f):
            return f
    return None


def sanitizer_preload(lib):
    """pcscd is not built with ASan: a sanitized driver needs the runtime
    preloaded"""
    try:
        out = subprocess.run(["ldd", lib], capture_output=True, text=True).stdout
    except OSError:
        return None
    libs = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and (parts[0].startswith("libasan.so")
                                or parts[0].startswith("libubsan.so")):
            libs.append(parts[2])
    # libasan must come first
    libs.sort(key=lambda x: 0 if "asan" in os.path.basename(x) else 1)
    return ":".join(libs) if libs else None


class Proc:
    def __init__(self, name, argv, logpath, env=None):
        self.name = name
        self.logpath = logpath
        self.logfile = open(logpath, "ab")
        self.p = subprocess.Popen(argv, stdout=self.logfile, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, env=env)

    def alive(self):
        return self.p.poll() is None

    def send(self, sig):
        if self.alive():
            self.p.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.alive():
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.logfile.close()
        return self.p.returncode

    def tail(self, n=60):
        try:
            with open(self.logpath, "rb") as f:
                lines = f.read().decode(errors="replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return ""


class Env:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="remsim-ifd-pcscd.")
        self.procs = []
        self.bankd = None
        self.server = None
        self.pcscd = None
        self.bankd_starts = 0

    def path(self, name):
        return os.path.join(self.tmp, name)

    def spawn(self, name, argv, env=None):
        p = Proc(name, argv, self.path(name + ".log"), env)
        self.procs.append(p)
        return p

    def cleanup(self, failed):
        for p in reversed(self.procs):
            p.send(signal.SIGCONT)
            p.stop(signal.SIGKILL if failed else signal.SIGTERM)
        if failed:
            for p in self.procs:
                log("---- %s log (%s)" % (p.name, p.logpath))
                log(p.tail())
        if failed and os.environ.get("REMSIM_TEST_KEEP"):
            log("kept", self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def rest(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def quiet_unraisable(arg):
    # pyscard's connections release their contexts when collected, which
    # fails once pcscd has gone: not worth a traceback
    if type(arg.exc_value).__name__ != "CardConnectionException":
        sys.__unraisablehook__(arg)


def main():
    sys.unraisablehook = quiet_unraisable
    driver = os.environ.get("REMSIM_IFD_DRIVER")
    simcard = os.environ.get("REMSIM_SIMCARD")
    server_bin = os.environ.get("REMSIM_SERVER_BIN")
    bankd_bin = os.environ.get("REMSIM_BANKD_BIN")
    for what, v in (("REMSIM_IFD_DRIVER", driver), ("REMSIM_SIMCARD", simcard),
                    ("REMSIM_SERVER_BIN", server_bin), ("REMSIM_BANKD_BIN", bankd_bin)):
        if not v or not os.path.exists(v):
            log("FAIL: %s does not name a built file (%s)" % (what, v))
            return 1
    pcscd = find_pcscd()
    if pcscd is None:
        skip("pcscd not installed")
    try:
        import smartcard  # noqa: F401
    except ImportError:
        # pyscard comes with the distribution's python3, which need not be
        # the first on PATH
        for py in ("/usr/bin/python3", "/bin/python3"):
            if os.path.realpath(py) != os.path.realpath(sys.executable) and \
                    os.access(py, os.X_OK) and \
                    subprocess.run([py, "-c", "import smartcard"],
                                   capture_output=True).returncode == 0:
                os.execv(py, [py] + sys.argv)
        skip("python3-pyscard not installed")
    vpcd = find_vpcd()
    preload = sanitizer_preload(driver)
    if preload:
        # Debian 12's pcscd with libasan preloaded hangs in GLib's first
        # gettext call (glibc's _nl_state_lock is found corrupted), with
        # our driver built with or without sanitizers: not a peer we can
        # test against. REMSIM_TEST_PCSCD_ASAN=1 tries anyway.
        if os.environ.get("REMSIM_TEST_PCSCD_ASAN") != "1":
            log("SKIP: sanitized driver: pcscd cannot run with libasan preloaded")
            sys.exit(77)
        log("sanitized driver: pcscd runs with LD_PRELOAD=%s" % preload)

    env = Env()
    failed = True
    try:
        run(env, driver, simcard, server_bin, bankd_bin, pcscd, vpcd, preload)
        failed = False
        log("PASS")
        return 0
    except Failure as e:
        log("FAIL:", e)
        return 1
    finally:
        env.cleanup(failed)


def start_pcscd(env, pcscd, confdir, preload):
    sock = env.path("pcscd.comm")
    os.environ["PCSCLITE_CSOCK_NAME"] = sock
    # pcscd 1.9.9 ignores PCSCLITE_CSOCK_NAME for its own socket but takes
    # one handed over systemd-style (LISTEN_FDS/LISTEN_PID); its pid file
    # and clean-up still use /run/pcscd: give it a private one where we can
    activate = env.path("activate.py")
    with open(activate, "w") as f:
        f.write("import os, socket, sys\n"
                "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
                "s.bind(sys.argv[1])\n"
                "os.chmod(sys.argv[1], 0o666)\n"
                "s.listen(64)\n"
                "if s.fileno() != 3:\n"
                "    os.dup2(s.fileno(), 3)\n"
                "os.set_inheritable(3, True)\n"
                "if os.environ.get('REMSIM_PCSCD_PRELOAD'):\n"
                "    os.environ['LD_PRELOAD'] = os.environ['REMSIM_PCSCD_PRELOAD']\n"
                "os.environ['LISTEN_FDS'] = '1'\n"
                "os.environ['LISTEN_PID'] = str(os.getpid())\n"
                "os.execv(sys.argv[2], sys.argv[2:])\n")
    # pcscd's debug log (-d -a) costs time per APDU: only when asked for
    debug = ["-d", "-a"] if os.environ.get("REMSIM_TEST_PCSCD_DEBUG") == "1" else []
    launch = [sys.executable, activate, sock, pcscd, "-f"] + debug + ["-c", confdir]
    penv = dict(os.environ)
    if preload:
        penv["REMSIM_PCSCD_PRELOAD"] = preload
        penv["ASAN_OPTIONS"] = "detect_leaks=0:fast_unwind_on_malloc=0"
    argv = None
    if os.path.isdir("/run/pcscd") and shutil.which("unshare"):
        for u in (["unshare", "-m", "--propagation", "private"],
                  ["unshare", "-r", "-m", "--propagation", "private"]):
            r = subprocess.run(u + ["sh", "-c", "mount -t tmpfs tmpfs /run/pcscd"],
                               capture_output=True)
            if r.returncode == 0:
                argv = u + ["sh", "-c", 'mount -t tmpfs tmpfs /run/pcscd && exec "$@"',
                            "sh"] + launch
                break
    if argv is None:
        if os.path.exists("/run/pcscd/pcscd.comm"):
            skip("a system pcscd is running and no private mount namespace is available")
        argv = launch
    env.pcscd = env.spawn("pcscd", argv, penv)
    deadline = time.monotonic() + 10
    while not os.path.exists(sock):
        check(env.pcscd.alive(), "pcscd exited")
        check(time.monotonic() < deadline, "pcscd did not create its socket")
        time.sleep(0.05)


def start_bankd(env, bankd_bin, conf):
    env.bankd_starts += 1
    env.bankd = env.spawn("bankd-%d" % env.bankd_starts, [bankd_bin, "-c", conf])


def run(env, driver, simcard, server_bin, bankd_bin, pcscd, vpcd, preload):
    from smartcard import scard
    from smartcard.System import readers

    rspro_port = free_port()
    rest_port = free_port()
    bankd_port = free_port()
    vicc_port = free_port()
    rest_base = "http://127.0.0.1:%d/api/backend/v1" % rest_port

    # ---- bank side: server, bankd with the vicc source, remsim-simcard
    env.server = env.spawn("server", [server_bin, "--rspro-listen", "127.0.0.1:%d" % rspro_port,
                                      "--rest-listen", "127.0.0.1:%d" % rest_port,
                                      "--state-file", ""])
    wait_port(rspro_port)
    wait_port(rest_port)
    bankd_conf = env.path("bankd.conf")
    with open(bankd_conf, "w") as f:
        f.write("[bankd]\nbank-id=1\nnum-slots=1\nserver=127.0.0.1:%d\nlisten=127.0.0.1:%d\n\n"
                "[source:sim]\nplugin=vicc\nslots=0\nlisten=127.0.0.1:%d\n"
                % (rspro_port, bankd_port, vicc_port))
    start_bankd(env, bankd_bin, bankd_conf)
    wait_port(bankd_port)
    env.spawn("simcard-bank", [simcard, "--connect", "127.0.0.1:%d" % vicc_port])

    # ---- client side: pcscd with our driver (and vpcd for the direct path)
    confdir = env.path("reader.conf.d")
    os.mkdir(confdir)
    ifd_conf = env.path("ifd.conf")
    with open(ifd_conf, "w") as f:
        # two slots: readers "remsim 00 00" (C5:0) and "remsim 00 01" (C5:1)
        f.write("[ifd]\nslots=2\ntransmit-timeout-ms=%d\nreset-timeout-ms=1000\n"
                % TRANSMIT_TIMEOUT_MS)
    with open(os.path.join(confdir, "remsim"), "w") as f:
        f.write('FRIENDLYNAME "remsim"\nDEVICENAME   %d:0:127.0.0.1:%d:%s\nLIBPATH      %s\n'
                % (CLIENT_ID, rspro_port, ifd_conf, driver))
    vpcd_port = None
    if vpcd is not None:
        vpcd_port = free_port_pair()
        with open(os.path.join(confdir, "vpcd"), "w") as f:
            f.write('FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:%d\nLIBPATH      %s\n'
                    "CHANNELID    %d\n" % (vpcd_port, vpcd, vpcd_port))
    else:
        log("note: vsmartcard-vpcd not installed: no direct path through pcscd to compare")
    start_pcscd(env, pcscd, confdir, preload)
    if vpcd_port is not None:
        env.spawn("simcard-direct", [simcard, "--connect", "127.0.0.1:%d" % vpcd_port])

    hctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)[1]

    def reader_state(name):
        rv, states = scard.SCardGetStatusChange(hctx, 0, [(name, scard.SCARD_STATE_UNAWARE)])
        check(rv == scard.SCARD_S_SUCCESS, "SCardGetStatusChange: %s"
              % scard.SCardGetErrorMessage(rv))
        return states[0][1], bytes(states[0][2]).hex()

    def present(name):
        st, atr = reader_state(name)
        return (st & scard.SCARD_STATE_PRESENT) != 0, atr

    def wait_present(name, want, timeout, what):
        t0 = time.monotonic()
        while True:
            p, atr = present(name)
            if p == want:
                return time.monotonic() - t0, atr
            check(env.pcscd.alive(), "pcscd died")
            check(time.monotonic() - t0 < timeout, "%s: card still %s after %.1f s"
                  % (what, "absent" if want else "present", timeout))
            time.sleep(0.02)

    def list_readers():
        rv, rs = scard.SCardListReaders(hctx, [])
        check(rv == scard.SCARD_S_SUCCESS, "SCardListReaders: %s"
              % scard.SCardGetErrorMessage(rv))
        return rs

    # ---- the reader appears, no card before the mapping
    deadline = time.monotonic() + 10
    remote = None
    while remote is None:
        for r in list_readers() if env.pcscd.alive() else []:
            if r.startswith("remsim 00 00"):
                remote = r
        check(env.pcscd.alive(), "pcscd exited")
        check(remote is not None or time.monotonic() < deadline, "no remsim reader")
        time.sleep(0.05)
    log("reader:", remote)
    second = [r for r in list_readers() if r.startswith("remsim 00 01")]
    check(len(second) == 1, "no second slot reader 'remsim 00 01': %s" % list_readers())
    second = second[0]
    scan = subprocess.run(["pcsc_scan", "-r"], capture_output=True, text=True, timeout=20) \
        if shutil.which("pcsc_scan") else None
    if scan is not None:
        log(scan.stdout.strip())
        check("remsim 00 00" in scan.stdout, "pcsc_scan -r does not list the reader")
    time.sleep(1.0)  # the client is connected to the server by now; still no card
    p, _ = present(remote)
    check(not p, "a card before the mapping")
    log("no card before the mapping: ok")

    # ---- mapping: card present with the simcard's ATR
    check(rest(rest_base, "POST", "/slotmaps",
               {"bank": {"bankId": 1, "slotNr": 0},
                "client": {"clientId": CLIENT_ID, "slotNr": 0}}) == 201, "POST slotmap")
    dt, atr = wait_present(remote, True, 10, "after POST")
    log("card present %.0f ms after POST, ATR %s" % (dt * 1000, atr))
    p, _ = present(second)
    check(not p, "a card in the second slot (C%d:1), which has no mapping" % CLIENT_ID)
    check(atr == SIM_ATR, "ATR %s, expected %s" % (atr, SIM_ATR))
    if scan is not None:
        out = subprocess.run(["pcsc_scan", "-c"], capture_output=True, text=True,
                             timeout=20).stdout
        check(SIM_ATR.upper() in out.replace(" ", "").upper(),
              "pcsc_scan -c does not show the ATR:\n" + out)

    if shutil.which("opensc-tool"):
        idx = list_readers().index(remote)
        out = subprocess.run(["opensc-tool", "-r", str(idx), "-a", "-s", "a0a40000023f00"],
                             capture_output=True, text=True, timeout=30)
        flat = out.stdout.replace(" ", "").replace(":", "").lower()
        check(SIM_ATR in flat and "sw1=0x9f,sw2=0x17" in flat,
              "opensc-tool -r %d -a -s ...:\n%s%s" % (idx, out.stdout, out.stderr))
        log("opensc-tool: ATR and SELECT MF through reader %d: ok" % idx)

    # ---- the same answers as the simcard gives directly
    stdin = "\n".join(SESSION) + "\n"
    ref = subprocess.run([simcard, "--stdio"], input=stdin, capture_output=True, text=True,
                         timeout=20)
    check(ref.returncode == 0, "remsim-simcard --stdio failed: " + ref.stderr)
    want = ref.stdout.split()
    check(len(want) == len(SESSION), "remsim-simcard --stdio: %d answers" % len(want))
    # a case-1 APDU reaches the card as a 5-byte TPDU with P3 = 00
    want[-1] = subprocess.run([simcard, "--stdio"], input=SESSION[-1] + "00\n",
                              capture_output=True, text=True).stdout.split()[0]

    from smartcard.Exceptions import CardConnectionException

    conns = []

    def connect(name):
        c = [r for r in readers() if str(r) == name][0].createConnection()
        conns.append(c)
        c.connect()
        return c

    def run_session(conn, label):
        got = []
        for cmd in SESSION:
            data, sw1, sw2 = conn.transmit(list(bytes.fromhex(cmd)))
            got.append(bytes(data + [sw1, sw2]).hex())
        for cmd, g, w in zip(SESSION, got, want):
            if g != w:
                raise Failure("%s: %s -> %s, expected %s" % (label, cmd, g, w))
        log("%s: %d APDUs answered as by the card directly" % (label, len(SESSION)))

    rconn = connect(remote)
    check(bytes(rconn.getATR()).hex() == SIM_ATR, "getATR")
    run_session(rconn, "remote")
    direct = None
    dconn = None
    if vpcd_port is not None:
        direct = "Virtual PCD 00 00"
        wait_present(direct, True, 15, "direct vpcd reader")
        dconn = connect(direct)
        run_session(dconn, "direct")

    # a warm reset reaches the card (its file selection is gone afterwards)
    rconn.transmit(list(bytes.fromhex("a0a40000027f20")))
    rconn.reconnect(disposition=scard.SCARD_RESET_CARD)
    check(bytes(rconn.getATR()).hex() == SIM_ATR, "ATR after reset")
    data, sw1, sw2 = rconn.transmit(list(bytes.fromhex("a0a40000026f07")))
    check((sw1, sw2) != (0x9F, 0x0F), "EF IMSI selectable after reset: the reset did not "
          "reach the card")
    rconn.reconnect(disposition=scard.SCARD_UNPOWER_CARD)
    check(bytes(rconn.getATR()).hex() == SIM_ATR, "ATR after power cycle")
    run_session(rconn, "remote after reset and power cycle")

    # ---- round trip times
    def timed(conn):
        apdu = list(bytes.fromhex("a0f2000016"))
        for _ in range(20):
            conn.transmit(apdu)
        ts = []
        for _ in range(N_TIMED):
            t0 = time.perf_counter()
            conn.transmit(apdu)
            ts.append(time.perf_counter() - t0)
        ts.sort()
        return (statistics.median(ts) * 1000, ts[int(len(ts) * 0.99) - 1] * 1000,
                ts[int(len(ts) * 0.90) - 1] * 1000, ts[-1] * 1000)

    med, p99, p90, mx = timed(rconn)
    log("RTT remote (pyscard -> pcscd -> ifd -> client -> bankd -> vicc -> simcard), "
        "%d APDUs: median %.3f ms, p99 %.3f ms (p90 %.3f, max %.3f)"
        % (N_TIMED, med, p99, p90, mx))
    if dconn is not None:
        dmed, dp99, dp90, dmx = timed(dconn)
        log("RTT direct (pyscard -> pcscd -> vpcd -> simcard), %d APDUs: median %.3f ms, "
            "p99 %.3f ms (p90 %.3f, max %.3f)" % (N_TIMED, dmed, dp99, dp90, dmx))
        dconn.disconnect()
    check(med < 50, "remote round trip of %.1f ms" % med)

    # ---- mapping removed: card gone within 2 s; back after POST
    t0 = time.monotonic()
    check(rest(rest_base, "DELETE", "/slotmaps/%d" % 65536) == 200, "DELETE slotmap")
    dt, _ = wait_present(remote, False, 2.0, "after DELETE")
    log("card gone %.0f ms after DELETE" % ((time.monotonic() - t0) * 1000))
    try:
        rconn.transmit(list(bytes.fromhex("a0f2000016")))
        raise Failure("transmit worked without a card")
    except CardConnectionException:
        pass
    try:
        rconn.disconnect()
    except CardConnectionException:
        pass
    check(rest(rest_base, "POST", "/slotmaps",
               {"bank": {"bankId": 1, "slotNr": 0},
                "client": {"clientId": CLIENT_ID, "slotNr": 0}}) == 201, "POST slotmap again")
    dt, atr = wait_present(remote, True, 10, "after the second POST")
    log("card back %.0f ms after POST" % (dt * 1000))

    # ---- bankd restart: card gone, back without touching pcscd
    env.bankd.stop(signal.SIGTERM)
    wait_present(remote, False, 5, "bankd stopped")
    t0 = time.monotonic()
    start_bankd(env, bankd_bin, bankd_conf)
    dt, atr = wait_present(remote, True, 20, "bankd restarted")
    check(atr == SIM_ATR, "ATR after the bankd restart")
    log("card back %.0f ms after the bankd restart" % ((time.monotonic() - t0) * 1000))
    rconn = connect(remote)
    run_session(rconn, "remote after the bankd restart")

    # ---- a bankd that does not answer: the call fails within the timeout
    def transmit_in_thread(conn, apdu, result):
        t0 = time.monotonic()
        try:
            data, sw1, sw2 = conn.transmit(list(bytes.fromhex(apdu)))
            result["answer"] = bytes(data + [sw1, sw2]).hex()
        except Exception as e:  # noqa: BLE001
            result["error"] = repr(e)
        result["time"] = time.monotonic() - t0

    env.bankd.send(signal.SIGSTOP)
    res = {}
    th = threading.Thread(target=transmit_in_thread, args=(rconn, "a0a40000023f00", res))
    th.start()
    time.sleep(0.5)
    # pcscd keeps answering meanwhile
    t0 = time.monotonic()
    rs = list_readers()
    check(remote in rs, "reader missing while a transmit hangs")
    log("SCardListReaders during a hung transmit: %.1f ms" % ((time.monotonic() - t0) * 1000))
    th.join(TRANSMIT_TIMEOUT_MS / 1000 + 5)
    check(not th.is_alive(), "transmit still blocked %.1f s after the timeout" % 5)
    log("transmit with a stopped bankd: %s after %.2f s"
        % (res.get("error", res.get("answer")), res["time"]))
    check("error" in res, "transmit with a stopped bankd did not fail")
    check(res["time"] < TRANSMIT_TIMEOUT_MS / 1000 + 1.0, "transmit failed too late")
    env.bankd.send(signal.SIGCONT)
    # the late answer (9f17) is dropped, the next command gets its own answer
    time.sleep(0.3)
    try:
        rconn.reconnect(disposition=scard.SCARD_LEAVE_CARD)
    except CardConnectionException:
        rconn = connect(remote)
    data, sw1, sw2 = rconn.transmit(list(bytes.fromhex("a0c0000017")))
    got = bytes(data + [sw1, sw2]).hex()
    check(got == want[1], "after the timeout: GET RESPONSE -> %s, expected %s" % (got, want[1]))
    log("late answer dropped, next answer right: ok")

    # ---- server and bankd killed mid-transmit
    env.bankd.send(signal.SIGSTOP)
    res = {}
    th = threading.Thread(target=transmit_in_thread, args=(rconn, "a0a40000023f00", res))
    th.start()
    time.sleep(0.5)
    env.server.stop(signal.SIGKILL)
    env.bankd.stop(signal.SIGKILL)
    th.join(TRANSMIT_TIMEOUT_MS / 1000 + 5)
    check(not th.is_alive(), "transmit still blocked after server and bankd were killed")
    log("transmit while server and bankd are killed: %s after %.2f s"
        % (res.get("error", res.get("answer")), res["time"]))
    check("error" in res, "transmit did not fail")
    check(res["time"] < TRANSMIT_TIMEOUT_MS / 1000 + 1.0, "transmit failed too late")
    wait_present(remote, False, 2.0, "server and bankd killed")
    check(remote in list_readers(), "reader gone after server and bankd died")
    log("pcscd keeps answering: ok")

    # ---- pcscd shuts down cleanly: every channel closed, thread stopped
    # pyscard's connections release their PC/SC context when collected
    for c in conns:
        try:
            c.disconnect()
        except CardConnectionException:
            pass
    del conns[:], rconn, dconn
    gc.collect()
    scard.SCardReleaseContext(hctx)
    t0 = time.monotonic()
    rc = env.pcscd.stop(signal.SIGTERM, timeout=15)
    log("pcscd exit status %s after %.2f s" % (rc, time.monotonic() - t0))
    check(rc == 0, "pcscd exit status %s" % rc)
    tail = env.pcscd.tail(1000)
    # SIGTERM: pcscd exit()s without closing its readers; the driver
    # ends its sessions and its thread on the way out
    check("ifd 00 00 C%d:0: closed" % CLIENT_ID in tail, "no close in pcscd's log")
    check("main loop thread stopped" in tail, "the driver's thread did not stop")
    for bad in ("AddressSanitizer", "runtime error:", "CRITICAL", "WARNING"):
        check(bad not in tail, "pcscd log shows %s:\n%s" % (bad, tail))


if __name__ == "__main__":
    sys.exit(main())
