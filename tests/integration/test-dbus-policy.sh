#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The system bus policy (data/dbus-1/org.remsim.conf.in) on a private
# dbus-daemon with the system bus's default rules: root owns
# org.remsim.Server (the real remsim-server with --dbus=system), a member of
# the policy group may call methods, anybody else may only introspect, list
# objects and read properties.
#
# Needs root (to switch users with setpriv). Env (set by meson):
# REMSIM_SERVER_BIN, REMSIM_DBUS_POLICY_IN; REMSIM_UNIT_DIR (the built
# systemd units), REMSIM_BANKD_BIN and REMSIM_CLIENT_BIN to also run the
# bankd and client units' ExecStart lines; REMSIM_TEST_STRICT=1 turns a
# skip into a failure.

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
	[ -f "$TMP/server.log" ] && sed 's/^/server: /' "$TMP/server.log"
	[ -f "$TMP/bus.log" ] && sed 's/^/bus: /' "$TMP/bus.log"
	exit 1
}

: "${REMSIM_SERVER_BIN:?set by meson}"
: "${REMSIM_DBUS_POLICY_IN:?set by meson}"

[ "$(id -u)" = 0 ] || skip "needs root to run callers as other users"
command -v dbus-daemon >/dev/null 2>&1 || skip "dbus-daemon is not installed"
command -v setpriv >/dev/null 2>&1 || skip "setpriv (util-linux) is not installed"
command -v gdbus >/dev/null 2>&1 || skip "gdbus is not installed"
getent passwd nobody >/dev/null || skip "no user nobody"
getent group nogroup >/dev/null || skip "no group nogroup"
getent group daemon >/dev/null || skip "no group daemon"

TMP=$(mktemp -d)
chmod 755 "$TMP"
BUS_PID=
SERVER_PID=
cleanup () {
	[ -n "$SERVER_PID" ] && kill $SERVER_PID 2>/dev/null || true
	[ -n "$BUS_PID" ] && kill "$BUS_PID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

# the policy under test, with "nogroup" as the operators' group
sed 's/@REMSIM_DBUS_GROUP@/nogroup/g' "$REMSIM_DBUS_POLICY_IN" >"$TMP/org.remsim.conf"

# a bus with the default rules of the system bus (system.conf)
cat >"$TMP/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$TMP/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="UpdateActivationEnvironment"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Debug.Stats"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.systemd1.Activator"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.systemd1.Activator"/>
  </policy>
  <include>$TMP/org.remsim.conf</include>
</busconfig>
EOF

dbus-daemon --config-file="$TMP/bus.conf" --nofork --print-address=3 3>"$TMP/address" \
	>"$TMP/bus.log" 2>&1 &
BUS_PID=$!
i=0
while [ ! -s "$TMP/address" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "dbus-daemon did not start"
	kill -0 "$BUS_PID" 2>/dev/null || fail "dbus-daemon exited (bad policy file?)"
	sleep 0.1
done
# a policy file with an error is skipped with a message, not fatal: look
grep -qi "org.remsim.conf" "$TMP/bus.log" && fail "dbus-daemon complained about the policy file"
DBUS_SYSTEM_BUS_ADDRESS=$(head -n1 "$TMP/address")
export DBUS_SYSTEM_BUS_ADDRESS

# root may own the name: the real server on this "system" bus
"$REMSIM_SERVER_BIN" --rspro-listen 127.0.0.1:0 --rest-listen 127.0.0.1:0 --state-file "" \
	--dbus=system >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
gdbus wait --system --timeout 15 org.remsim.Server || fail "remsim-server did not own org.remsim.Server"

as_operator () {
	# nobody, but in the policy group
	setpriv --reuid=nobody --regid=daemon --groups=nogroup "$@"
}
as_other () {
	setpriv --reuid=nobody --regid=daemon --clear-groups "$@"
}

CALL="gdbus call --system --dest org.remsim.Server --object-path /org/remsim"

# everybody: introspect, objects, properties
for who in as_other as_operator; do
	$who gdbus introspect --system --dest org.remsim.Server --object-path /org/remsim --recurse \
		>/dev/null || fail "$who: introspect refused"
	$who $CALL --method org.freedesktop.DBus.ObjectManager.GetManagedObjects >/dev/null ||
		fail "$who: GetManagedObjects refused"
	$who $CALL --method org.freedesktop.DBus.Properties.Get org.remsim.Server1 Version \
		>/dev/null || fail "$who: Get refused"
done

# not in the group: no methods
if as_other $CALL --method org.remsim.Server1.CreateSlotmap 1 0 23 0 >"$TMP/out" 2>&1; then
	fail "a user outside the group created a slotmap"
fi
grep -q "AccessDenied" "$TMP/out" || fail "expected AccessDenied, got: $(cat "$TMP/out")"
if as_other $CALL --method org.remsim.Server1.Reset >"$TMP/out" 2>&1; then
	fail "a user outside the group called Reset"
fi

# in the group: methods
as_operator $CALL --method org.remsim.Server1.CreateSlotmap 1 0 23 0 >"$TMP/out" 2>&1 ||
	fail "group member: CreateSlotmap refused: $(cat "$TMP/out")"
grep -q "/org/remsim/Slotmap/65536" "$TMP/out" || fail "CreateSlotmap: $(cat "$TMP/out")"
as_operator $CALL --method org.remsim.Server1.RemoveSlotmap 65536 >/dev/null ||
	fail "group member: RemoveSlotmap refused"

# nobody may own a remsim name
if as_other "$REMSIM_SERVER_BIN" --rspro-listen 127.0.0.1:0 --rest-listen 127.0.0.1:0 \
	--state-file "" --dbus=system --dbus-name-suffix=x >"$TMP/out" 2>&1; then
	fail "nobody could own org.remsim.Server.x"
fi
grep -q "cannot own the D-Bus name org.remsim.Server.x" "$TMP/out" || fail "$(cat "$TMP/out")"

# root owns a suffixed name too (own_prefix)
"$REMSIM_SERVER_BIN" --rspro-listen 127.0.0.1:0 --rest-listen 127.0.0.1:0 --state-file "" \
	--dbus=system --dbus-name-suffix=lab2 >"$TMP/server2.log" 2>&1 &
S2=$!
gdbus wait --system --timeout 15 org.remsim.Server.lab2 || fail "root could not own org.remsim.Server.lab2"
as_other gdbus introspect --system --dest org.remsim.Server.lab2 --object-path /org/remsim >/dev/null ||
	fail "introspect of a suffixed name refused"
kill "$S2"
wait "$S2" || fail "second server did not exit cleanly"

kill "$SERVER_PID"
wait "$SERVER_PID" || fail "remsim-server did not exit cleanly"
SERVER_PID=

# remsim-bankd and remsim-client as the systemd units start them (their
# ExecStart lines, with the keyfiles here): root owns their names, group
# members may call their methods, others may not
if [ -n "${REMSIM_UNIT_DIR:-}" ] && [ -n "${REMSIM_BANKD_BIN:-}" ] && [ -n "${REMSIM_CLIENT_BIN:-}" ]; then
	cat >"$TMP/remsim-bankd.conf" <<EOF
[bankd]
bank-id=1
num-slots=1
server=127.0.0.1:1
listen=127.0.0.1:0

[source:test]
plugin=testcard
slots=0
EOF
	cat >"$TMP/remsim-client-modem1.conf" <<EOF
[client]
server=127.0.0.1:1
client-id=1
keep-running=true

[sink:shell]
plugin=shell
slots=0
EOF
	# ExecStart of a unit, with our programs and keyfiles
	exec_start () {
		sed -n 's/^ExecStart=//p' "$REMSIM_UNIT_DIR/$1" |
			sed -e "s|[^ ]*/remsim-bankd |$REMSIM_BANKD_BIN |" \
			    -e "s|[^ ]*/remsim-client |$REMSIM_CLIENT_BIN |" \
			    -e "s|--config=[^ ]*/|--config=$TMP/|" \
			    -e "s|%i|modem1|g"
	}
	BANKD_CMD=$(exec_start remsim-bankd.service)
	CLIENT_CMD=$(exec_start remsim-client@.service)
	echo "bankd unit: $BANKD_CMD"
	echo "client unit: $CLIENT_CMD"
	$BANKD_CMD >"$TMP/bankd.log" 2>&1 </dev/null &
	BANKD_PID=$!
	$CLIENT_CMD >"$TMP/client.log" 2>&1 </dev/null &
	CLIENT_PID=$!
	SERVER_PID="$BANKD_PID $CLIENT_PID"
	gdbus wait --system --timeout 15 org.remsim.Bankd ||
		fail "remsim-bankd.service: no org.remsim.Bankd: $(cat "$TMP/bankd.log")"
	gdbus wait --system --timeout 15 org.remsim.Client.modem1 ||
		fail "remsim-client@modem1.service: no org.remsim.Client.modem1: $(cat "$TMP/client.log")"
	BCALL="gdbus call --system --dest org.remsim.Bankd --object-path /org/remsim/BankSlot/0"
	CCALL="gdbus call --system --dest org.remsim.Client.modem1 --object-path /org/remsim/ClientSlot/0"
	as_other $BCALL --method org.freedesktop.DBus.Properties.Get org.remsim.BankSlot1 CardPresent \
		>/dev/null || fail "bankd: Get refused"
	as_other $CCALL --method org.freedesktop.DBus.Properties.Get org.remsim.ClientSlot1 State \
		>/dev/null || fail "client: Get refused"
	if as_other $BCALL --method org.remsim.BankSlot1.PowerCycle >"$TMP/out" 2>&1; then
		fail "a user outside the group power-cycled a card"
	fi
	grep -q "AccessDenied" "$TMP/out" || fail "expected AccessDenied, got: $(cat "$TMP/out")"
	if as_other $CCALL --method org.remsim.ClientSlot1.Reconnect >"$TMP/out" 2>&1; then
		fail "a user outside the group reconnected a client"
	fi
	grep -q "AccessDenied" "$TMP/out" || fail "expected AccessDenied, got: $(cat "$TMP/out")"
	as_operator $BCALL --method org.remsim.BankSlot1.PowerCycle >"$TMP/out" 2>&1 ||
		fail "group member: PowerCycle refused: $(cat "$TMP/out")"
	as_operator $CCALL --method org.remsim.ClientSlot1.Reconnect >"$TMP/out" 2>&1 ||
		fail "group member: Reconnect refused: $(cat "$TMP/out")"
	kill $BANKD_PID $CLIENT_PID
	wait $BANKD_PID || fail "remsim-bankd did not exit cleanly: $(cat "$TMP/bankd.log")"
	wait $CLIENT_PID || fail "remsim-client did not exit cleanly: $(cat "$TMP/client.log")"
	SERVER_PID=
fi
echo "PASS"
