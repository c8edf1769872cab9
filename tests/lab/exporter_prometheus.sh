#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# svatop exporter in the lab VM on the real 7.3 kernel, scraped by a real
# Prometheus on the host through a port QEMU forwards from the host's
# loopback (tools/lab/run --forward; the guest itself reaches nothing). The
# guest runs the product binary (.output/svatop, dynamic, --dynamic) and
# waits on a second forwarded port for the host to start each phase, so
# every phase is asserted through Prometheus' HTTP API before the next:
#   0. nothing bound: up, snapshot read, no bind, no PASID;
#   1. one_to_n binds and unbinds two devices and exits: the PASID is freed;
#   2. leak: a driver skips the unbind: a bond, domain, mm and PASID leak;
#   3. iopf_latency: device page faults, 8 of them delayed 50 ms: the
#      IOPF histogram (promtool-checked) counts what svamock's debugfs says;
#   4. the guest lists svamock's bonds (the kernel side's own record) and
#      stops: the leaked bond Prometheus reports is the one svamock holds.
. "$(dirname "$0")/lib/harness.sh"
cd "$LAB_TEST_REPO"

for tool in prometheus promtool curl jq; do
	command -v "$tool" >/dev/null || { ok 1 "$tool is installed (make deps)"; exit 1; }
done
[ -x .output/svatop ] || { ok 1 ".output/svatop is built (make)"; exit 1; }

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null
	[ -n "${LAB_KEEP:-}" ] || rm -rf "$OUT"' EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		port_free "$p" && { echo "$p"; return; }
	done
}
# wait_for SECONDS CMD...: until CMD succeeds; false on time-out.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.5
	done
}

EP=$(free_port)	# host side of the guest's exporter (9464)
CP=$(free_port)	# host side of the guest's phase control (9465)
PP=$(free_port)	# Prometheus itself
while [ "$CP" = "$EP" ]; do CP=$(free_port); done

cat >"$OUT/guest.sh" <<'EOF_GUEST'
svatop-dyn exporter --listen 10.0.2.15:9464 --grace 1 --interval 0.5 \
	>/out/exp.out 2>/out/exp.err &
EXP=$!
# Each phase starts when the host connects to port 9465 and reads the ack.
phase() { echo "phase $1" | nc -l -p 9465 >/dev/null; }
phase one_to_n
svaload one_to_n >/out/one_to_n.txt 2>&1; echo $? >/out/one_to_n.rc
phase leak
svaload leak >/out/leak.txt 2>&1; echo $? >/out/leak.rc
phase iopf
cat /sys/kernel/debug/svamock/iopf >/out/iopf.dbg0
svaload iopf_latency >/out/iopf.txt 2>&1; echo $? >/out/iopf.rc
cat /sys/kernel/debug/svamock/iopf >/out/iopf.dbg1
phase stop
cat /sys/kernel/debug/svamock/bonds >/out/bonds.txt
kill -INT $EXP
wait $EXP
echo $? >/out/exp.status
EOF_GUEST
"$LAB_RUN" -q --out "$OUT" --console "$OUT/console.log" --timeout 600 --dynamic \
	--forward "$EP:9464" --forward "$CP:9465" --script "$OUT/guest.sh" \
	>"$OUT/stdout" 2>"$OUT/stderr" &
VM=$!
PIDS+=("$VM")

cat >"$OUT/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: lab
    static_configs:
      - targets: ['127.0.0.1:$EP']
EOF
prometheus --config.file="$OUT/prometheus.yml" --storage.tsdb.path="$OUT/tsdb" \
	--web.listen-address="127.0.0.1:$PP" >"$OUT/prom.log" 2>&1 &
PIDS+=("$!")
PURL=http://127.0.0.1:$PP
# q EXPR: the value of an instant query ("none" if empty).
q() {
	curl -s -m 10 --data-urlencode "query=$1" "$PURL/api/v1/query" |
		jq -r '.data.result[0].value[1] // "none"' 2>/dev/null
}
is() { [ "$(q "$1")" = "$2" ]; }
# expect DESC WANT EXPR: one TAP line on Prometheus' current value.
expect() { check_eq "$1: $3" "$2" "$(q "$3")"; }
# go PHASE: start the guest's next phase (retried until the guest listens).
go() {
	local ack
	for _ in $(seq 240); do
		kill -0 "$VM" 2>/dev/null || return 1
		ack=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$CP && cat <&3" 2>/dev/null)
		[ "$ack" = "phase $1" ] && return 0
		sleep 0.5
	done
	return 1
}
vm_failed() {
	ok 1 "$1"
	sed 's/^/# /' "$OUT/stderr" | tail -n 20
	exit 1
}

wait_for 300 is 'up{job="lab"}' 1 ||
	vm_failed "Prometheus scraped the exporter in the VM through the forwarded port (up: $(q 'up{job="lab"}'))"
ok 0 "Prometheus on the host scrapes svatop exporter in the lab VM (127.0.0.1:$EP -> guest :9464)"
wait_for 60 is svatop_kernel_snapshot_complete 1
expect "before any bind" 1 'svatop_kernel_snapshot_complete'
expect "before any bind" 1 'svatop_source_info{mode="live"}'
expect "before any bind" 0 'svatop_binds_total'
expect "before any bind" 0 'svatop_pasids'
curl -s -m 10 "http://127.0.0.1:$EP/metrics" >"$OUT/m0.txt"
check "promtool check metrics accepts the exporter's page, fetched through the forward" \
	sh -c "promtool check metrics <'$OUT/m0.txt' >/dev/null 2>&1"

go one_to_n || vm_failed "the guest started phase one_to_n"
wait_for 60 is svatop_pasid_frees_total 1
expect "one_to_n" 2 'svatop_binds_total'
expect "one_to_n" 2 'svatop_unbinds_total'
expect "one_to_n" 1 'svatop_pasid_allocs_total'
expect "one_to_n (the PASID is freed at exit)" 1 'svatop_pasid_frees_total'
expect "one_to_n: one SVA domain per IOMMU instance" 2 'svatop_domain_allocs_total'
expect "one_to_n" 2 'svatop_domain_frees_total'
expect "one_to_n: no PASID left" 0 'svatop_pasids'
expect "one_to_n: no leak" 0 'sum(svatop_leaks)'

go leak || vm_failed "the guest started phase leak"
wait_for 60 is 'svatop_leaks{kind="pasid"}' 1
expect "leak" 4 'svatop_binds_total'
expect "leak (the bound child's PASID freed, the leaker's kept)" 2 'svatop_pasid_frees_total'
expect "leak: the leaked PASID stays allocated" 1 'svatop_pasids'
for k in bond domain mm pasid; do
	expect "leak" 1 "svatop_leaks{kind=\"$k\"}"
done
expect "leak: charged to the device whose driver skipped the unbind" 4 \
	'sum(svatop_leaks_by_device{device="svamock-dev.0"})'
expect "leak" 1 'svatop_verdict{verdict="findings"}'
# The history Prometheus kept: the PASID count started at 0, binds only grew.
expect "history" 0 'min_over_time(svatop_pasids[10m])'
expect "history" 0 'resets(svatop_binds_total[10m])'

# Device page faults: iopf_latency makes 20 page requests on svamock-dev.0
# (8, 8 delayed by 50 ms, 1 whose response is dropped, 3); svamock's
# debugfs (read after the VM) must agree with what Prometheus stored.
expect "before iopf: IOPF counted on 7.3" 1 'svatop_iopf_enabled'
go iopf || vm_failed "the guest started phase iopf"
D='device="svamock-dev.0"'
wait_for 90 is "svatop_iopf_latency_seconds_count{$D}" 20
curl -s -m 10 "http://127.0.0.1:$EP/metrics" >"$OUT/m_iopf.txt"
check "promtool check metrics accepts the page with the IOPF histogram" \
	sh -c "grep -q '^svatop_iopf_latency_seconds_bucket{' '$OUT/m_iopf.txt' &&
	       promtool check metrics <'$OUT/m_iopf.txt' >/dev/null 2>&1"
p_faults=$(q "svatop_iopf_faults_total{$D}")
p_count=$(q "svatop_iopf_latency_seconds_count{$D}")
p_inf=$(q "svatop_iopf_latency_seconds_bucket{$D,le=\"+Inf\"}")
p_ok=$(q "svatop_iopf_responses_total{$D,response=\"success\"}")
p_slow=$(q "svatop_iopf_latency_seconds_count{$D} - ignoring(le) svatop_iopf_latency_seconds_bucket{$D,le=\"0.032768\"}")
p_sum=$(q "svatop_iopf_latency_seconds_sum{$D}")
echo "# iopf: Prometheus: faults $p_faults, count $p_count, success $p_ok, >= 32 ms $p_slow, sum ${p_sum}s"
check "iopf: 8 or more answers in the buckets above 32 ms (the 50 ms delay)" test "${p_slow:-0}" -ge 8
check "iopf: the latency sum covers the 8 x 50 ms delays" \
	awk -v s="${p_sum:-0}" 'BEGIN { exit !(s >= 0.4) }'
expect "iopf: no other device faulted" "none" 'svatop_iopf_faults_total{device!="svamock-dev.0"}'

go stop || vm_failed "the guest started phase stop"
wait "$VM"
LAB_RC=$?
. "$(dirname "$0")/lib/iopf.sh"
check_eq "iopf: svaload iopf_latency exited 0" 0 "$(cat "$OUT/iopf.rc" 2>/dev/null)"
check_eq "iopf: Prometheus' faults, histogram count and +Inf bucket = svamock's requests" \
	"$(dbg_delta "$OUT/iopf.dbg0" "$OUT/iopf.dbg1" svamock-dev.0 requests) x3" \
	"$p_faults $( [ "$p_faults" = "$p_count" ] && [ "$p_count" = "$p_inf" ] && echo x3)"
check_eq "iopf: Prometheus' success answers = svamock's (which counts the dropped one: the kernel answered it)" \
	"$(dbg_delta "$OUT/iopf.dbg0" "$OUT/iopf.dbg1" svamock-dev.0 success)" "$p_ok"
check_eq "the lab VM exited 0" 0 "$LAB_RC"
check_eq "svaload one_to_n and leak exited 0" "0 0" \
	"$(cat "$OUT/one_to_n.rc" "$OUT/leak.rc" 2>/dev/null | paste -sd' ')"
check_eq "the exporter exited 0 on SIGINT" 0 "$(cat "$OUT/exp.status" 2>/dev/null)"
check_grep "the exporter served on the guest's NIC" \
	'^svatop exporter: serving http://10.0.2.15:9464/metrics' "$OUT/exp.err"
# svamock's own record of bonds: the leaked one, on svamock-dev.0.
leaked=$(grep leaked "$OUT/bonds.txt" 2>/dev/null)
check_eq "svamock lists exactly one leaked bond" 1 "$(grep -c . <<<"$leaked")"
check "svamock's leaked bond is on svamock-dev.0, as Prometheus reports" grep -q 'svamock-dev.0' <<<"$leaked"
if grep -q '^lab: kernel: ' "$OUT/stderr"; then
	ok 1 "the kernel logged no WARN/BUG/oops"
	grep '^lab: kernel: ' "$OUT/stderr" | head -n 30 | sed 's/^/# /'
fi
lab_done
