#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The exporter against slow clients (issue 17): four local users (uids
# 60001-60004, no privilege) each open 16 connections to 127.0.0.1 and send
# a request one byte every 2 s, the way that kept every client out when
# libmicrohttpd's idle timeout (restarted by each byte) and its
# per-address limit were the only defences. With the 64 open:
#   - root's scrape from the same address 127.0.0.1 is answered (200);
#   - a 17th connection of one user is closed at once (per-user share);
#   - every slow connection is closed by the exporter while its client is
#     still trickling (the request's whole-time budget, --timeout 4);
#   - the exporter's own counters say so (connections_dropped_total).
# The exporter replays a recording: no BPF, no privilege beyond setpriv.
set -u
cd "$(dirname "$0")/../.."
SVATOP=${SVATOP:-.output/svatop}
REC=tests/fuzz/corpus/mix_two_blocks.rec
. tests/host/lib/tap.sh
[ -x "$SVATOP" ] || { echo "not ok - exporter_slow: $SVATOP is missing (make test-bins)"; exit 1; }
for tool in curl setpriv; do
	command -v $tool >/dev/null || { echo "not ok - exporter_slow: $tool is not installed"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "not ok - exporter_slow: needs root (setpriv to other uids)"; exit 1; }

D=$(mktemp -d)
chmod 0755 "$D"
. tests/host/lib/bg.sh

$SVATOP exporter --replay "$REC" --listen 127.0.0.1:0 --interval 0.5 --timeout 4 \
	--max-connections 128 >"$D/exp.out" 2>"$D/exp.err" &
EXP=$!
PIDS+=("$EXP")
wait_for 20 grep -qs '^svatop exporter: serving' "$D/exp.err"
ok $? "exporter serves the recording" "$(head -3 "$D/exp.err")"
EP=$(served_port "$D/exp.err")
URL=http://127.0.0.1:${EP:-0}/metrics

# The slow client: N connections, one byte of a never-ending request on
# each every 2 s, for at most 40 s. It writes "open N" once all are
# connected, then "closed I AFTER_S" for each connection the exporter
# closed (a write fails), and "done" at the end.
cat >"$D/slow.sh" <<'EOF'
trap '' PIPE
port=$1 n=$2 out=$3
req=$'GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: '
declare -A open
for ((i = 0; i < n; i++)); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" || continue
	open[$i]=$fd
done
echo "open ${#open[@]}" >>"$out"
t0=$SECONDS
for ((k = 0; SECONDS - t0 < 40 && ${#open[@]} > 0; k++)); do
	c=${req:k:1}
	[ -n "$c" ] || c=a
	for i in "${!open[@]}"; do
		if ! printf '%s' "$c" >&"${open[$i]}" 2>/dev/null; then
			echo "closed $i $((SECONDS - t0))" >>"$out"
			fd=${open[$i]}
			exec {fd}>&-
			unset "open[$i]"
		fi
	done
	sleep 2
done
echo "still-open ${#open[@]}" >>"$out"
echo done >>"$out"
EOF
for u in 60001 60002 60003 60004; do
	: >"$D/slow.$u" && chown $u "$D/slow.$u"
	setpriv --reuid=$u --regid=$u --clear-groups bash "$D/slow.sh" "$EP" 16 "$D/slow.$u" \
			2>>"$D/slow.$u" &
	PIDS+=("$!")
done
all_open() { [ "$(cat "$D"/slow.600* 2>/dev/null | grep -c '^open 16$')" = 4 ]; }
wait_for 20 all_open
ok $? "64 slow connections are open (4 users x 16)" "$(cat "$D"/slow.600* 2>/dev/null | grep '^open')"

# -- with the 64 open (trickling; the budget is 4 s, 16 s before it) -------
before=$(curl -s -m 5 "$URL" | sed -n 's/^svatop_last_snapshot_timestamp_seconds //p')
code=$(curl -s -m 5 -o "$D/scrape" -w '%{http_code}' "$URL")
[ "$code" = 200 ] && grep -q '^svatop_exporter_connections_total' "$D/scrape"
ok $? "a scrape by root from 127.0.0.1 is answered while 64 slow connections are open" "code $code"
nopen=$(grep -c '^closed' "$D"/slow.600* | awk -F: '{ n += $2 } END { print n + 0 }')
[ "$nopen" -eq 0 ]
ok $? "the scrape came while every slow connection was still open ($nopen closed before)"
# One more connection of user 60001: over its share (128 / 8 = 16), closed at once.
r=$(setpriv --reuid=60001 --regid=60001 --clear-groups bash -c \
	"exec 3<>/dev/tcp/127.0.0.1/$EP && timeout 3 cat <&3 && echo eof" 2>&1)
[ "$r" = eof ]
ok $? "a 17th connection of the same user is closed at once" "got: $r"
sleep 1
after=$(curl -s -m 5 "$URL" | sed -n 's/^svatop_last_snapshot_timestamp_seconds //p')
awk -v a="${after:-0}" -v b="${before:-0}" 'BEGIN { exit !(a > b) }'
ok $? "the metrics keep being recomputed while clients trickle" "before $before after $after"

# -- the time budget: every slow connection closed while still trickling --
all_done() { [ "$(cat "$D"/slow.600* 2>/dev/null | grep -c '^done$')" = 4 ]; }
wait_for 60 all_done
ok $? "the slow clients finished"
nclosed=$(cat "$D"/slow.600* | grep -c '^closed ')
still=$(cat "$D"/slow.600* | sed -n 's/^still-open //p' | awk '{ n += $1 } END { print n + 0 }')
[ "$nclosed" -eq 64 ] && [ "$still" -eq 0 ]
ok $? "all 64 slow connections were closed by the exporter though they kept sending" \
	"closed $nclosed, still open after 40 s: $still"
latest=$(cat "$D"/slow.600* | awk '/^closed / { if ($3 > m) m = $3 } END { print m + 0 }')
echo "# slowest drop: ${latest}s after the clients started (budget 4 s, a byte every 2 s)"
m=$(curl -s -m 5 "$URL")
tb=$(sed -n 's/^svatop_exporter_connections_dropped_total{reason="time_budget"} //p' <<<"$m")
cl=$(sed -n 's/^svatop_exporter_connections_dropped_total{reason="client_limit"} //p' <<<"$m")
[ "${tb:-0}" -ge 64 ] && [ "${cl:-0}" -ge 1 ]
ok $? "the exporter counts its drops (time_budget $tb, client_limit $cl)"
kill -0 "$EXP" 2>/dev/null
ok $? "exporter still running"
kill -TERM "$EXP"
wait "$EXP"
ok $? "exporter exits 0 on SIGTERM"
[ "$n_fail" -eq 0 ]
