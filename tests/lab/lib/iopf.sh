# SPDX-License-Identifier: GPL-2.0
# Helpers of the IOPF lab tests (tests/lab/lab_iopf*.sh), sourced after
# tests/lab/lib/harness.sh. Traces come from `labtrace start iopf ...`; the
# scenarios mark their steps with svaload's `mark` (tracefs trace_marker).

# in_step TRACE STEP EVENT: the EVENT lines (all lines with EVENT "") of
# TRACE after `mark STEP`, before the next mark.
in_step() {
	awk -v step="$2" -v ev="${3:+ $3: (}" '
	/ tracing_mark_write: svaload: / { cur = $NF; next }
	cur == step && (ev == "" || index($0, ev)) { print }' "$1"
}

# kv KEY: the value of KEY=... in each line of stdin (quotes removed).
kv() { sed -n "s/.* $1=\\(\"[^\"]*\"\\|[^ ]*\\).*/\\1/p" | tr -d '"'; }

# count_lines: the number of lines of stdin.
count_lines() { wc -l | tr -d ' '; }

# dbg FILE ROW COLUMN: a cell of a svamock debugfs table (tab-separated,
# header line first), by the first column's value and the column's name.
dbg() {
	awk -F'\t' -v row="$2" -v col="$3" '
	NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
	$1 == row && c { print $c }' "$1"
}

# dbg_delta BEFORE AFTER ROW COLUMN: how much a debugfs counter grew.
dbg_delta() {
	local a b
	a=$(dbg "$1" "$3" "$4")
	b=$(dbg "$2" "$3" "$4")
	echo $((${b:-0} - ${a:-0}))
}

# touch_line FILE N: the Nth "touch" line svaload printed (1-based).
touch_line() { grep ' touch svamock-dev\.' "$1" | sed -n "${2}p"; }

# requests TRACE STEP EVENT: "grpid addr" of each iopf_report or
# iopf_response of the step, sorted.
requests() {
	in_step "$1" "$2" "$3" | awk '{
		g = $0; sub(/.* grpid=/, "", g); sub(/ .*/, "", g)
		a = $0; sub(/.* addr=/, "", a); sub(/ .*/, "", a)
		print g, a }' | sort
}

# responses_match TRACE STEP: every page request of the step was answered
# once (the same "grpid addr" pairs in reports and responses).
responses_match() {
	local req
	req=$(requests "$1" "$2" iopf_report)
	[ -n "$req" ] && [ "$req" = "$(requests "$1" "$2" iopf_response)" ]
}

# page_addrs BASE N: the N page addresses from BASE (hex), sorted, as the
# trace prints them.
page_addrs() {
	local i
	for ((i = 0; i < $2; i++)); do printf '0x%x\n' $(($1 + i * 4096)); done | sort
}

# latencies_us TRACE STEP: per page request of the step, microseconds from
# iommu_report_device_fault to the return of iopf_group_response (the
# driver's page_response done), from the trace's own timestamps.
latencies_us() {
	awk -v step="$2" '
	function ts(  i) { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) return $i + 0 }
	function val(k,  v) { v = $0; if (!sub(".* " k "=", "", v)) return ""; sub(/ .*/, "", v); return v }
	function pid(  p) { p = $1; sub(/.*-/, "", p); return p }
	/ tracing_mark_write: svaload: / { cur = $NF; next }
	cur != step { next }
	/ iopf_report: \(/ { start[val("grpid")] = ts() }
	/ iopf_response: \(/ { pending[pid()] = val("grpid") }
	/ iopf_response_ret: \(/ && (pid() in pending) {
		g = pending[pid()]; delete pending[pid()]
		if (g in start) { printf "%d\n", (ts() - start[g]) * 1000000 + 0.5; delete start[g] }
	}' "$1"
}
