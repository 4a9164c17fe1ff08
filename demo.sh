#!/bin/bash
# remsim demo: build everything, then run remsim-server, remsim-bankd with a
# simulated SIM card (remsim-simcard over the vicc protocol) and
# remsim-client with the shell sink, all on loopback; map the bank slot to
# the client slot over REST and run a short GSM SIM session through it.
#
# Ports (override with env): RSPRO 19998, REST 19997, bankd 19999, vicc 45963.
set -euo pipefail
cd "$(dirname "$0")"
TOP=$PWD

./contrib/install-deps.sh
if [ ! -f build/build.ninja ]; then
	meson setup build
fi
ninja -C build

RSPRO_PORT=${RSPRO_PORT:-19998}
REST_PORT=${REST_PORT:-19997}
BANKD_PORT=${BANKD_PORT:-19999}
VICC_PORT=${VICC_PORT:-45963}
REST="http://127.0.0.1:$REST_PORT/api/backend/v1"

WORK=$(mktemp -d /tmp/remsim-demo.XXXXXX)
PIDS=()
cleanup() {
	local rc=$?
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	if [ "$rc" -eq 0 ]; then
		rm -rf "$WORK"
	else
		echo "demo: failed; the programs' logs are kept in $WORK" >&2
	fi
}
trap cleanup EXIT

export REMSIM_PLUGIN_DIR="$TOP/build/plugins/vicc:$TOP/build/plugins/shell"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

wait_port() {
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "demo: nothing listens on port $1; see the logs in $WORK" >&2
	exit 1
}

say "remsim-server: RSPRO on 127.0.0.1:$RSPRO_PORT, REST on $REST_PORT"
build/core/remsim-server --rspro-listen "127.0.0.1:$RSPRO_PORT" \
	--rest-listen "127.0.0.1:$REST_PORT" --state-file "$WORK/slotmaps.conf" \
	2>"$WORK/server.log" &
PIDS+=($!)
wait_port "$RSPRO_PORT"
wait_port "$REST_PORT"

cat >"$WORK/bankd.conf" <<EOF
[bankd]
bank-id=1
num-slots=1
server=127.0.0.1:$RSPRO_PORT
listen=127.0.0.1:$BANKD_PORT

[source:sim]
plugin=vicc
slots=0
listen=127.0.0.1:$VICC_PORT
EOF
say "remsim-bankd B1 with one slot; its card comes over the vicc protocol on port $VICC_PORT"
sed 's/^/    /' "$WORK/bankd.conf"
build/core/remsim-bankd -c "$WORK/bankd.conf" 2>"$WORK/bankd.log" &
PIDS+=($!)
wait_port "$BANKD_PORT"

say "remsim-simcard: a simulated SIM (profile data/simcard/default.conf) plugs into B1:0"
build/plugins/vicc/remsim-simcard --connect "127.0.0.1:$VICC_PORT" 2>"$WORK/simcard.log" &
PIDS+=($!)

say "remsim-client C23:0 with the shell sink (APDUs as hex lines on stdin)"
coproc CLIENT { exec build/core/remsim-client -i 127.0.0.1 -p "$RSPRO_PORT" -c 23 -n 0 2>"$WORK/client.log"; }
PIDS+=($CLIENT_PID)
CLIENT_IN=${CLIENT[1]}
CLIENT_OUT=${CLIENT[0]}

for _ in $(seq 50); do
	if curl -sf "$REST/clients" | grep -q '"C23:0"'; then
		break
	fi
	sleep 0.1
done
say "REST: GET /banks and /clients"
curl -s "$REST/banks"; echo
curl -s "$REST/clients"; echo

say "REST: map bank slot B1:0 to client slot C23:0"
echo "POST $REST/slotmaps"
curl -s -o /dev/null -w 'HTTP %{http_code}\n' -X POST -H 'Content-Type: application/json' \
	-d '{"bank":{"bankId":1,"slotNr":0},"client":{"clientId":23,"slotNr":0}}' "$REST/slotmaps"

read -r -t 10 -u "$CLIENT_OUT" line || { echo "demo: no ATR from the bank; logs in $WORK" >&2; exit 1; }
say "the client got the bank card's ATR"
echo "$line"
curl -s "$REST/slotmaps"; echo

RESPONSE=""
apdu() {
	local what=$1 cmd=$2
	echo "$cmd" >&"$CLIENT_IN"
	if ! read -r -t 10 -u "$CLIENT_OUT" line; then
		echo "demo: no answer to $what; logs in $WORK" >&2
		exit 1
	fi
	RESPONSE=${line#R-APDU: }
	printf '  %-34s > %s\n  %-34s < %s\n' "$what" "$cmd" "" "$RESPONSE"
}

# BCD with swapped nibbles, as ICCID and IMSI are stored
swap_bcd() {
	local out="" b
	for b in $1; do
		out+="${b:1:1}${b:0:1}"
	done
	echo "${out//f/}"
}

say "a GSM SIM session from the client, answered by the card in the bank"
apdu "SELECT MF" "a0 a4 00 00 02 3f 00"
apdu "GET RESPONSE (MF status)" "a0 c0 00 00 ${RESPONSE:3:2}"
apdu "SELECT EF ICCID" "a0 a4 00 00 02 2f e2"
apdu "READ BINARY (ICCID)" "a0 b0 00 00 0a"
ICCID=$(swap_bcd "${RESPONSE% 90 00}")
apdu "SELECT DF GSM" "a0 a4 00 00 02 7f 20"
apdu "SELECT EF IMSI" "a0 a4 00 00 02 6f 07"
apdu "READ BINARY (IMSI)" "a0 b0 00 00 09"
IMSI_BYTES=${RESPONSE% 90 00}
IMSI=$(swap_bcd "${IMSI_BYTES:3}")
apdu "RUN GSM ALGORITHM (RAND)" "a0 88 00 00 10 23 55 3c be 96 37 a8 9d 21 8a e6 4d ae 47 bf 35"
apdu "GET RESPONSE (SRES, Kc)" "a0 c0 00 00 0c"
echo
echo "  ICCID ${ICCID}   IMSI ${IMSI:1}   SRES ${RESPONSE:0:11}"

say "REST: remove the mapping; the client loses the card"
curl -s -o /dev/null -w 'DELETE /slotmaps/65536: HTTP %{http_code}\n' -X DELETE "$REST/slotmaps/65536"
curl -s "$REST/slotmaps"; echo
sleep 0.5
grep -i -m3 -E "bankd|card" "$WORK/client.log" | tail -3 || true

say "done"
