# SPDX-License-Identifier: GPL-2.0-or-later
#
# Sourced (". pcscd-helper.sh") by the tests that need a private pcscd with
# vsmartcard's vpcd driver. POSIX sh. The caller may define skip () and
# fail () (defaults below) and must set $tmp to a private temporary
# directory before calling pcscd_helper_start.
#
#   pcscd_helper_find          sets $pcscd, $vpcd_lib, $python (with pyscard);
#                              skips (exit 77, or 1 with REMSIM_TEST_STRICT=1)
#                              if one is missing
#   pcscd_helper_free_port     prints a port P with P and P+1 free (vpcd's
#                              two slots listen there)
#   pcscd_helper_start PORT    starts pcscd in the foreground with vpcd on
#                              PORT (and PORT+1), its log in $tmp/pcscd.log,
#                              its socket $tmp/pcscd.comm (exported as
#                              PCSCLITE_CSOCK_NAME), its pid in
#                              $tmp/pcscd.pid and $pcscd_pid; waits for the
#                              socket
#   pcscd_helper_stop          stops it (safe to call twice)
#
# pcscd 1.9.9 ignores PCSCLITE_CSOCK_NAME for its own socket (only the client
# library reads it) but accepts a socket passed by systemd-style activation
# (LISTEN_FDS/LISTEN_PID): a small Python wrapper hands it a listening socket
# in $tmp. Its pid file and clean-up still touch /run/pcscd, so where
# possible it runs in a private mount namespace with its own /run/pcscd, and
# never next to a system pcscd without one.

command -v skip >/dev/null 2>&1 || skip () {
	echo "SKIP: $*"
	if [ "${REMSIM_TEST_STRICT:-0}" = 1 ]; then
		echo "REMSIM_TEST_STRICT=1: a missing peer is a failure"
		exit 1
	fi
	exit 77
}

command -v fail >/dev/null 2>&1 || fail () {
	echo "FAIL: $*"
	exit 1
}

pcscd_helper_find () {
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
}

pcscd_helper_free_port () {
	"$python" - <<'EOF'
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
}

pcscd_helper_start () {
	_port=$1
	mkdir -p "$tmp/reader.conf.d"
	cat > "$tmp/reader.conf.d/vpcd" <<EOF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$_port
LIBPATH      $vpcd_lib
CHANNELID    $_port
EOF

	PCSCLITE_CSOCK_NAME=$tmp/pcscd.comm
	export PCSCLITE_CSOCK_NAME
	rm -f "$PCSCLITE_CSOCK_NAME"
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
	_launch="\"$python\" \"$tmp/activate.py\" \"$PCSCLITE_CSOCK_NAME\" \"$pcscd\" -f -a -c \"$tmp/reader.conf.d\""
	_isolate=
	if [ -d /run/pcscd ] && command -v unshare >/dev/null 2>&1; then
		for _u in "unshare -m --propagation private" "unshare -r -m --propagation private"; do
			if $_u sh -c 'mount -t tmpfs tmpfs /run/pcscd' >/dev/null 2>&1; then
				_isolate=$_u
				break
			fi
		done
	fi
	if [ -n "$_isolate" ]; then
		$_isolate sh -c "mount -t tmpfs tmpfs /run/pcscd && exec $_launch" >>"$tmp/pcscd.log" 2>&1 &
	else
		[ ! -e /run/pcscd/pcscd.comm ] || skip "a system pcscd is running and no private mount namespace is available"
		sh -c "exec $_launch" >>"$tmp/pcscd.log" 2>&1 &
	fi
	pcscd_pid=$!
	echo "$pcscd_pid" > "$tmp/pcscd.pid"

	_i=0
	while [ ! -S "$PCSCLITE_CSOCK_NAME" ]; do
		_i=$((_i + 1))
		[ $_i -le 100 ] || fail "pcscd did not create its socket"
		kill -0 "$pcscd_pid" 2>/dev/null || fail "pcscd exited"
		sleep 0.1
	done
}

pcscd_helper_stop () {
	# the pid file is right even after a restart from another shell
	[ ! -s "$tmp/pcscd.pid" ] || pcscd_pid=$(cat "$tmp/pcscd.pid")
	if [ -n "$pcscd_pid" ]; then
		kill "$pcscd_pid" 2>/dev/null
		# not our child when called from another shell
		wait "$pcscd_pid" 2>/dev/null
		_i=0
		while kill -0 "$pcscd_pid" 2>/dev/null; do
			_i=$((_i + 1))
			[ $_i -ne 100 ] || kill -9 "$pcscd_pid" 2>/dev/null
			sleep 0.05
		done
	fi
	pcscd_pid=
	rm -f "$tmp/pcscd.pid"
}
