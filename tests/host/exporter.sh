#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# svatop exporter scraped by a real Prometheus (Debian's package) on
# loopback: the exporter replays the synthetic "fleet" recording written by
# the exporter unit test binary (expected values in tests/unit/test_exporter.c),
# Prometheus scrapes it every second with docs/prometheus/svatop-alerts.yml
# loaded, and the test asserts what Prometheus stored (HTTP API) and which
# alerts it raised. Then: promtool on the output and on the example config
# and rules, wrong paths and methods, oversized, malformed and slow
# requests (the exporter keeps serving), usage errors, clean exit, valgrind.
set -u
cd "$(dirname "$0")/../.."
SVATOP=.output/svatop
GEN=.output/tests/test_exporter
. tests/host/lib/tap.sh

for need in "$SVATOP" "$GEN"; do
	[ -x "$need" ] || { echo "not ok - exporter: $need is missing (make test-bins)"; exit 1; }
done
for tool in prometheus promtool curl jq valgrind; do
	command -v $tool >/dev/null || { echo "not ok - exporter: $tool is not installed (make deps)"; exit 1; }
done

D=$(mktemp -d)
. tests/host/lib/bg.sh
http_code() { curl -s -m 5 -o /dev/null -w '%{http_code}' "$@"; }

$GEN --write-scenario "$D/fleet.rec" fleet >"$D/gen.log" 2>&1 &&
	$GEN --write-scenario "$D/clean.rec" clean >>"$D/gen.log" 2>&1
ok $? "the fleet and clean scenarios are written as recordings" "$(head -2 "$D/gen.log")"

# ---- the exporter, replaying -------------------------------------------
$SVATOP exporter --replay "$D/fleet.rec" --listen 127.0.0.1:0 --interval 0.5 \
	--timeout 3 --max-connections 32 >"$D/exp.out" 2>"$D/exp.err" &
EXP=$!
PIDS+=("$EXP")
wait_for 20 grep -qs '^svatop exporter: serving' "$D/exp.err"
ok $? "exporter: prints the address it serves" "$(head -3 "$D/exp.err")"
EP=$(served_port "$D/exp.err")
URL=http://127.0.0.1:${EP:-0}/metrics
wait_for 20 sh -c "curl -sf '$URL' | grep -q '^svatop_source_ended 1'"
ok $? "exporter: the recording was read to its end"
# A second host, where everything was unbound: the control for the alerts.
$SVATOP exporter --replay "$D/clean.rec" --listen 127.0.0.1:0 >/dev/null 2>"$D/clean.err" &
PIDS+=("$!")
wait_for 20 grep -qs '^svatop exporter: serving' "$D/clean.err"
ok $? "exporter: a second exporter serves the clean recording" "$(head -3 "$D/clean.err")"
CP=$(served_port "$D/clean.err")
wait_for 20 sh -c "curl -sf 'http://127.0.0.1:$CP/metrics' | grep -q '^svatop_source_ended 1'"
curl -s "http://127.0.0.1:$CP/metrics" | promtool check metrics >"$D/lint2.txt" 2>&1
ok $? "promtool check metrics: the clean host's output passes too" "$(head -3 "$D/lint2.txt")"
# 400 scrapes, 8 at a time: every one answered in full.
seq 1 400 | xargs -P 8 -I{} curl -s -m 10 -o /dev/null -w '%{http_code} %{size_download}\n' \
	"http://127.0.0.1:$CP/metrics" >"$D/par.txt"
# The size varies by a few bytes: the exporter's own request counters grow.
[ "$(awk '$1 == 200 && $2 > 5000' "$D/par.txt" | wc -l)" -eq 400 ]
ok $? "exporter: 400 scrapes, 8 in parallel, all 200 with the whole text" "$(sort "$D/par.txt" | uniq -c | head -3 | tr '\n' ' ')$(curl -s -m 5 "http://127.0.0.1:$CP/metrics" | grep '^svatop_exporter_connections_dropped_total' | tr '\n' ' ')"
curl -s -D "$D/hdr" "$URL" >"$D/metrics.txt"
grep -qi '^content-type: text/plain; version=0.0.4' "$D/hdr"
ok $? "exporter: Content-Type is the Prometheus text format 0.0.4" "$(grep -i content-type "$D/hdr")"
promtool check metrics <"$D/metrics.txt" >"$D/lint.txt" 2>&1
ok $? "promtool check metrics: the output passes the linter" "$(head -3 "$D/lint.txt")"
curl -s --compressed -D "$D/gzhdr" "$URL" >"$D/gz.txt"
grep -qi '^content-encoding: gzip' "$D/gzhdr" && grep -qx 'svatop_pasids 2' "$D/gz.txt" &&
	promtool check metrics <"$D/gz.txt" >/dev/null 2>&1
ok $? "exporter: gzip when the client accepts it (as Prometheus does)" "$(grep -i encoding "$D/gzhdr")"
! grep -qi '^content-encoding' "$D/hdr"
ok $? "exporter: plain text when the client does not ask for gzip"
! grep -Eq 'pid=|comm=|leaky|tidy' "$D/metrics.txt"
ok $? "exporter: no per-process labels"

# Per-process series only when asked for.
$SVATOP exporter --replay "$D/fleet.rec" --listen 127.0.0.1:0 --per-process 2>"$D/pp.err" &
PP_PID=$!
PIDS+=("$PP_PID")
wait_for 20 grep -qs '^svatop exporter: serving' "$D/pp.err"
PPURL=http://127.0.0.1:$(served_port "$D/pp.err")/metrics
wait_for 20 sh -c "curl -sf '$PPURL' | grep -q '^svatop_source_ended 1'"
curl -s "$PPURL" >"$D/pp.txt"
grep -qx 'svatop_process_bonds{pid="200",comm="leaky"} 1' "$D/pp.txt" &&
	grep -qx 'svatop_process_exited_mms{pid="200",comm="leaky"} 1' "$D/pp.txt" &&
	grep -qx 'svatop_process_bonds{pid="100",comm="alive"} 3' "$D/pp.txt" &&
	promtool check metrics <"$D/pp.txt" >/dev/null 2>&1
ok $? "exporter --per-process: bonds and exited mms per pid, promtool-clean" \
	"$(grep '^svatop_process' "$D/pp.txt" | head -4 | tr '\n' ' ')"
kill "$PP_PID"

# ---- a real Prometheus scrapes it --------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Ready, or exited (then wait_for stops at once and another port is tried).
prometheus_ready() {
	kill -0 "$PROM" 2>/dev/null || return 0
	curl -sf "http://127.0.0.1:$PP/-/ready" -o /dev/null
}
start_prometheus() {
	local try
	for try in 1 2 3; do
		PP=$((20000 + RANDOM % 40000))
		port_free "$PP" || continue
		cat >"$D/prometheus.yml" <<-EOF
		global:
		  scrape_interval: 1s
		  evaluation_interval: 1s
		rule_files:
		  - $PWD/docs/prometheus/svatop-alerts.yml
		scrape_configs:
		  - job_name: svatop
		    static_configs:
		      - targets: ['127.0.0.1:$EP']
		  - job_name: svatop-clean
		    static_configs:
		      - targets: ['127.0.0.1:$CP']
		EOF
		prometheus --config.file="$D/prometheus.yml" --storage.tsdb.path="$D/tsdb" \
			--web.listen-address="127.0.0.1:$PP" >"$D/prom.log" 2>&1 &
		PROM=$!
		PIDS+=("$PROM")
		wait_for 60 prometheus_ready && kill -0 "$PROM" 2>/dev/null && return 0
		kill "$PROM" 2>/dev/null	# (a port taken meanwhile: try another)
	done
	return 1
}
start_prometheus
ok $? "prometheus: a real server is ready on loopback" "$(tail -3 "$D/prom.log")"
PURL=http://127.0.0.1:${PP:-0}
# q EXPR: the value of the first sample of an instant query ("none" if empty).
q() {
	curl -s -m 10 --data-urlencode "query=$1" "$PURL/api/v1/query" |
		jq -r '.data.result[0].value[1] // "none"' 2>/dev/null
}
scraped() {
	[ "$(q 'svatop_source_ended{job="svatop"}')" = 1 ] &&
		[ "$(q 'svatop_source_ended{job="svatop-clean"}')" = 1 ]
}
wait_for 60 scraped
ok $? "prometheus: scraped both exporters and stored svatop_source_ended 1"
expect_eq 1 "$(q 'up{job="svatop"}')" "prometheus: up{job=\"svatop\"} is 1"
expect_eq "up|" "$(curl -s -m 10 "$PURL/api/v1/targets" |
	jq -r '.data.activeTargets[]|select(.labels.job=="svatop")|[.health, .lastError]|join("|")' 2>/dev/null)" \
	"prometheus: the target is healthy with no scrape error"

# on_job JOB EXPR: EXPR with every svatop_ selector limited to JOB.
on_job() {
	sed -E 's/(svatop_[a-z_]+)\{/\1{job="'"$1"'",/g
		s/(svatop_[a-z_]+)([^a-z_{]|$)/\1{job="'"$1"'"}\2/g' <<<"$2"
}
check_job() {	# check_job JOB WANT EXPR
	local e
	e=$(on_job "$1" "$3")
	expect_eq "$2" "$(q "$e")" "prometheus: $e = $2"
}
# The fleet scenario's values, as Prometheus stored them.
check_value() { check_job svatop "$@"; }
check_value 2 'svatop_pasids'
check_value 2 'svatop_domains{iommu="svamock-iommu0"}'
check_value 1 'svatop_domains{iommu="svamock-iommu1"}'
check_value 2 'svatop_bonds{iommu="svamock-iommu0",device="svamock.0"}'
check_value 1 'svatop_bonds{iommu="svamock-iommu1",device="svamock.1"}'
check_value 1 'svatop_bonds{iommu="svamock-iommu0",device="svamock.2"}'
check_value 3 'count(svatop_bonds)'
check_value 4 'sum(svatop_bonds)'
check_value 1 'svatop_mms{state="alive"}'
check_value 1 'svatop_mms{state="exited"}'
check_value 6 'svatop_binds_total'
check_value 3 'svatop_unbinds_total'
check_value 3 'svatop_pasid_allocs_total'
check_value 1 'svatop_pasid_frees_total'
check_value 5 'svatop_domain_allocs_total'
check_value 2 'svatop_domain_frees_total'
check_value 2 'svatop_bind_errors_total{errno="EOPNOTSUPP"}'
check_value 1 'svatop_bind_errors_total{errno="ENOSPC"}'
check_value 4 'sum(svatop_leaks)'
check_value 1 'svatop_leaks{kind="bond"}'
check_value 1 'svatop_leaks{kind="pasid"}'
check_value 4 'sum(svatop_leaks_by_device{iommu="svamock-iommu0",device="svamock.0"})'
check_value 1 'svatop_invariant_violations_total{rule="unbind-unknown-handle"}'
check_value 1 'sum(svatop_invariant_violations_total)'
check_value 2 'svatop_events_dropped_total{type="bind"}'
check_value 1 'svatop_events_dropped_total{type="unbind"}'
check_value 3 'sum(svatop_events_dropped_total)'
check_value 1 'svatop_verdict{verdict="inconclusive"}'
check_value 1 'svatop_build_info{abi="1"}'
check_value 1 'svatop_source_info{mode="replay"}'

# The clean host's values: everything back to 0, series kept at 0.
check_clean() { check_job svatop-clean "$@"; }
check_clean 0 'svatop_pasids'
check_clean 0 'svatop_bonds{iommu="svamock-iommu0",device="svamock.0"}'
check_clean 0 'svatop_bonds{iommu="svamock-iommu1",device="svamock.1"}'
check_clean 0 'sum(svatop_domains)'
check_clean 2 'svatop_binds_total'
check_clean 2 'svatop_unbinds_total'
check_clean 1 'svatop_pasid_frees_total'
check_clean 2 'svatop_domain_frees_total'
check_clean 0 'sum(svatop_leaks)'
check_clean none 'svatop_leaks_by_device'
check_clean 0 'sum(svatop_events_dropped_total)'
check_clean 1 'svatop_verdict{verdict="clean"}'

# The example alerting rules, evaluated by Prometheus on the stored data.
alerts() { curl -s -m 10 "$PURL/api/v1/alerts" >"$D/alerts.json" 2>/dev/null; }
leak_alerts() {
	alerts && [ "$(jq -r '[.data.alerts[]|select(.labels.alertname=="SvatopLeak")]|length' \
		"$D/alerts.json")" = 4 ]
}
wait_for 30 leak_alerts
ok $? "prometheus: SvatopLeak raised for the four leak kinds" \
	"$(jq -c '[.data.alerts[]|.labels.alertname]' "$D/alerts.json" 2>/dev/null)"
expect_eq "bond domain mm pasid" \
	"$(jq -r '[.data.alerts[]|select(.labels.alertname=="SvatopLeak")|.labels.kind]|sort|join(" ")' "$D/alerts.json")" \
	"prometheus: SvatopLeak alerts carry the leak kind"
expect_eq firing \
	"$(jq -r '[.data.alerts[]|select(.labels.alertname=="SvatopEventsLost")|.state]|unique|join(" ")' "$D/alerts.json")" \
	"prometheus: SvatopEventsLost fires (events were dropped: inconclusive)"
expect_eq 0 "$(jq -r '[.data.alerts[]|select(.labels.job=="svatop-clean")]|length' "$D/alerts.json")" \
	"prometheus: no alert for the clean host"

# ---- wrong paths and methods -------------------------------------------
expect_eq 404 "$(http_code "http://127.0.0.1:$EP/")" "http: / is 404"
expect_eq 404 "$(http_code "http://127.0.0.1:$EP/metrics/../etc")" "http: another path is 404"
expect_eq 405 "$(http_code -X POST -d x "$URL")" "http: POST is 405"
expect_eq 405 "$(http_code -X DELETE "$URL")" "http: DELETE is 405"
curl -s -m 5 -D - -o /dev/null -X PUT -d x "$URL" | grep -qi '^allow: GET, HEAD'
ok $? "http: 405 says Allow: GET, HEAD"
expect_eq 200 "$(http_code -I "$URL")" "http: HEAD /metrics is 200"
expect_eq 200 "$(http_code "$URL?x=1")" "http: a query string is ignored"

# ---- oversized, malformed and slow requests ----------------------------
big=$(head -c 40000 /dev/zero | tr '\0' a)
expect_eq 431 "$(http_code -H "X-Big: $big" "$URL")" "http: a 40 kB header is refused (431)"
expect_eq 414 "$(http_code "$URL?$big")" "http: a 40 kB URL is refused (414)"
head -c 20000000 /dev/zero >"$D/body"
t0=$(date +%s%N)
code=$(http_code -X POST --data-binary @"$D/body" "$URL")
t1=$(date +%s%N)
[ "$code" = 405 ] && [ $(((t1 - t0) / 1000000)) -lt 3000 ]
ok $? "http: a 20 MB POST is answered 405 without reading the body" "code $code in $(((t1 - t0) / 1000000)) ms"
# raw REQUEST: send bytes, return what came back (nothing: closed).
raw() {
	local out
	out=$( (exec 3<>"/dev/tcp/127.0.0.1/$EP" || exit 1
		printf '%b' "$1" >&3
		timeout 5 cat <&3) 2>/dev/null | head -1 | tr -d '\r')
	echo "${out:-closed}"
}
for req in 'GARBAGE\r\n\r\n' 'GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n' \
	   'GET /metrics HTTP/1.1\r\nNoColonHere\r\n\r\n' 'GET  HTTP/1.1\r\nHost: x\r\n\r\n' \
	   'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n' \
	   '\x00\x01\x02\xff\xfe\r\n\r\n' 'GET\r\n\r\n'; do
	r=$(raw "$req")
	case $r in
	closed | 'HTTP/1.'[01]' 4'[0-9][0-9]' '* | 'HTTP/1.'[01]' 505 '*) ok 0 "http: malformed request '$req' is refused ($r)" ;;
	*) ok 1 "http: malformed request '$req' is refused" "got: $r" ;;
	esac
done
head -c 100000 /dev/urandom >"$D/junk"
r=$( (exec 3<>"/dev/tcp/127.0.0.1/$EP" && cat "$D/junk" >&3 && timeout 5 cat <&3) 2>/dev/null | head -c 12)
case $r in *' 200'*) ok 1 "http: 100 kB of random bytes are refused" "got: $r" ;;
	*) ok 0 "http: 100 kB of random bytes are refused" ;; esac
expect_eq 200 "$(http_code "$URL")" "http: still serving after the bad requests"

# Slow clients (64 of them, a byte every few seconds, the per-user limit
# and the request time budget): tests/host/exporter_slow.sh.
# A flood of 40 connections: the exporter refuses what is over its limits.
for i in $(seq 1 40); do
	(exec 3<>"/dev/tcp/127.0.0.1/$EP" && sleep 1) 2>/dev/null &
done
wait_for 10 sh -c "[ \"\$(curl -s -m 2 -o /dev/null -w '%{http_code}' '$URL')\" = 200 ]"
ok $? "http: serving again after a flood of 40 connections"
kill -0 "$EXP" 2>/dev/null
ok $? "exporter: still running after every bad client"

# Prometheus stored the exporter's own request counters.
sleep 1.5
n404=$(q 'svatop_exporter_http_requests_total{job="svatop",code="404"}')
[ "${n404%.*}" != none ] && [ "${n404%.*}" -ge 2 ] 2>/dev/null
ok $? "prometheus: the exporter counted the 404s (stored $n404)"
expect_eq 1 "$(q 'up{job="svatop"}')" "prometheus: the exporter is still up after the abuse"

# ---- the example configuration and rules -------------------------------
promtool check rules docs/prometheus/svatop-alerts.yml >"$D/rules.txt" 2>&1
ok $? "promtool check rules: docs/prometheus/svatop-alerts.yml" "$(tail -2 "$D/rules.txt")"
promtool test rules docs/prometheus/svatop-alerts.test.yml >"$D/rtest.txt" 2>&1
ok $? "promtool test rules: the alerts fire as documented" "$(tail -5 "$D/rtest.txt")"
promtool check config docs/prometheus/prometheus.yml >"$D/conf.txt" 2>&1
ok $? "promtool check config: docs/prometheus/prometheus.yml" "$(tail -2 "$D/conf.txt")"
missing=""
for m in $(cat "$D/metrics.txt" "$D/pp.txt" | grep -o '^svatop_[a-z_]*' | sort -u) \
	 svatop_exporter_http_requests_total svatop_exporter_connections_total; do
	grep -q "^| \`$m\`" docs/metrics.md || missing="$missing $m"
done
[ -z "$missing" ]
ok $? "docs/metrics.md documents every metric served" "missing:$missing"

# ---- usage and environment errors: one line, status 2 ------------------
usage_case() {
	local desc=$1
	shift
	"$SVATOP" exporter "$@" >"$D/u.out" 2>"$D/u.err"
	local rc=$?
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$D/u.err")" -le 2 ] && [ -s "$D/u.err" ]
	ok $? "$desc" "status $rc, stderr: $(head -2 "$D/u.err")"
}
usage_case "usage: --listen without a port" --listen 127.0.0.1 --replay "$D/fleet.rec"
usage_case "usage: --listen with a host name" --listen localhost:9464 --replay "$D/fleet.rec"
usage_case "usage: --listen with port 70000" --listen 127.0.0.1:70000 --replay "$D/fleet.rec"
usage_case "usage: --interval 0" --interval 0 --replay "$D/fleet.rec"
usage_case "usage: --max-connections 1" --max-connections 1 --replay "$D/fleet.rec"
usage_case "usage: an unexpected argument" extra --replay "$D/fleet.rec"
usage_case "usage: --pid with --replay" --pid 42 --replay "$D/fleet.rec"
usage_case "environment: a missing recording" --replay "$D/nope.rec" --listen 127.0.0.1:0
usage_case "environment: the port is taken" --replay "$D/fleet.rec" --listen "127.0.0.1:$EP"
grep -q "cannot serve on 127.0.0.1:$EP: Address already in use" "$D/u.err"
ok $? "environment: the port-taken error names the address and the cause" "$(cat "$D/u.err")"

# Live on this host: where svatop cannot trace (no SVA, the x86 stub), one
# line and status 2, never a server; where it can, it serves.
$SVATOP exporter --listen 127.0.0.1:0 >/dev/null 2>"$D/live.err" &
LV=$!
PIDS+=("$LV")
if ! "$SVATOP" probe >/dev/null 2>&1; then
	wait "$LV"
	rc=$?
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$D/live.err")" -eq 1 ] && ! grep -q serving "$D/live.err"
	ok $? "live on a kernel svatop cannot trace: status 2, one line, no server" \
		"status $rc: $(cat "$D/live.err")"
else
	wait_for 60 grep -qs '^svatop exporter: serving' "$D/live.err"
	ok $? "live on this SVA kernel: the exporter serves" "$(head -3 "$D/live.err")"
	kill "$LV"
fi

# Beyond loopback only when asked, and then with a note.
$SVATOP exporter --replay "$D/fleet.rec" --listen 0.0.0.0:0 2>"$D/any.err" &
ANY=$!
PIDS+=("$ANY")
wait_for 20 grep -qs '^svatop exporter: serving http://0.0.0.0:' "$D/any.err"
grep -q '^svatop exporter: note: 0.0.0.0 is not loopback' "$D/any.err"
ok $? "exporter: --listen 0.0.0.0 serves and warns that it is not loopback" "$(head -3 "$D/any.err")"
! grep -q 'not loopback' "$D/exp.err"
ok $? "exporter: no such note on loopback"
kill "$ANY"

# ---- IPv6 loopback, clean exit, valgrind -------------------------------
# IPv6 loopback when the host has it; else one clear error and status 2.
$SVATOP exporter --replay "$D/fleet.rec" --listen '[::1]:0' 2>"$D/v6.err" &
V6=$!
PIDS+=("$V6")
if grep -qs '^00000000000000000000000000000001 ' /proc/net/if_inet6; then
	wait_for 20 grep -qs 'serving http://\[::1\]:' "$D/v6.err"
	ok $? "exporter: serves on [::1]" "$(head -2 "$D/v6.err")"
	expect_eq 200 "$(http_code "http://[::1]:$(served_port "$D/v6.err")/metrics")" "exporter: GET over IPv6"
	kill "$V6"
else
	wait "$V6"
	rc=$?
	[ "$rc" -eq 2 ] && grep -q 'cannot serve on \[::1\]:0' "$D/v6.err"
	ok $? "exporter: no IPv6 loopback here: [::1] fails with status 2 and says so" "status $rc: $(head -2 "$D/v6.err")"
fi

kill -TERM "$EXP"
wait "$EXP"
expect_eq 0 $? "exporter: SIGTERM exits 0"
! (exec 3<>"/dev/tcp/127.0.0.1/$EP") 2>/dev/null
ok $? "exporter: the port is closed after exit"

valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	$SVATOP exporter --replay "$D/fleet.rec" --listen 127.0.0.1:0 --timeout 2 \
	>/dev/null 2>"$D/vg.err" &
VG=$!
PIDS+=("$VG")
wait_for 60 grep -qs '^svatop exporter: serving' "$D/vg.err"
VP=$(served_port "$D/vg.err")
codes=""
for u in metrics metrics nope; do codes="$codes $(http_code "http://127.0.0.1:$VP/$u")"; done
codes="$codes $(http_code -X POST -d x "http://127.0.0.1:$VP/metrics")"
( (exec 3<>"/dev/tcp/127.0.0.1/$VP" && printf 'GARB\r\n\r\n' >&3 && timeout 5 cat <&3) >/dev/null 2>&1 )
kill -TERM "$VG"
wait "$VG"
rc=$?
[ "$rc" -eq 0 ] && [ "$(echo $codes)" = "200 200 404 405" ]
ok $? "valgrind: no errors or leaks over requests, bad requests and exit" \
	"status $rc, codes$codes: $(grep -v '^svatop exporter' "$D/vg.err" | head -5)"

[ "$n_fail" -eq 0 ]
