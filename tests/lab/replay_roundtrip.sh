#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Record -> replay round trip for every lab scenario, in one VM boot: each
# scenario runs under three independent svatop instances started before it
# (record, trace -j, graph --json --watch), each scenario with its own
# files. On the host, `svatop replay FILE trace -j` must give the live
# trace's event stream (per thread, in order; timestamps are taken by each
# instance's own BPF program, so they are compared for closeness, not
# equality) and `svatop replay FILE graph --json` the live graph's last
# state. The leak scenario leaves a leaked mm that the storm's recording
# then finds in its start-up snapshot.
. "$(dirname "$0")/lib/harness.sh"
SVATOP=$REPO/.output/svatop
out=$REPO/.output/lab/replay_roundtrip
SCENARIOS="single one_to_n shared_domain fork_after_bind exit_without_unbind leak storm"
guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<'GUEST'
# ready NAME PID PATTERN: wait until svatop NAME printed its ready line
ready() {
	_i=0
	while ! grep -q "$3" /out/$1.err 2>/dev/null; do
		kill -0 $2 2>/dev/null || { echo "$1 exited before it was ready:"; cat /out/$1.err; return 1; }
		_i=$((_i + 1))
		[ $_i -gt 1200 ] && { echo "$1 not ready in 120 s"; return 1; }
		sleep 0.1
	done
}
roundtrip() {	# roundtrip SCENARIO
	s=$1
	svatop record -o /out/$s.rec 2>/out/$s.record.err &
	R=$!
	svatop trace -j >/out/$s.live.json 2>/out/$s.trace.err &
	T=$!
	svatop graph --json --watch -i 0.2 >/out/$s.graph.json 2>/out/$s.graph.err &
	G=$!
	ready $s.record $R '^svatop: recording' && ready $s.trace $T '^svatop: tracing' &&
		ready $s.graph $G '^svatop: watching' || { kill $R $T $G; return 1; }
	sleep 0.5	# the graph's snapshot settles
	svaload $s >/out/$s.svaload 2>&1
	echo $? >/out/$s.svaload.rc
	settle 2
	kill -INT $R $T $G
	wait $R; echo $? >/out/$s.record.rc
	wait $T; echo $? >/out/$s.trace.rc
	wait $G; echo $? >/out/$s.graph.rc
}
for s in SCENARIOS; do
	roundtrip $s || echo "roundtrip $s failed"
done
GUEST
sed -i "s/for s in SCENARIOS/for s in $SCENARIOS/" "$guest"
# The kernel's recursion protection: a hook's program that is entered again
# on the CPU where it is already running (on 7.3, __mmdrop from a context
# switch while the same program was preempted) is skipped, and svatop counts
# that call as lost (docs/design.md, "Lost events"): the loss is real and
# shown, but a round trip cannot be compared event for event then. A run in
# which a consumer lost only such calls (summary: dropped, none of them by a
# full ring) is run once more; ring-buffer losses are never retried.
misses_only() {	# FILE: trace -j output whose summary counts only recursion misses
	jq -s -e 'map(select(.event == "summary")) | .[-1] |
		.dropped > 0 and ([.dropped_by_event[]] | add // 0) == 0' "$1" >/dev/null 2>&1
}
only_misses() {	# SCENARIO: each consumer that lost events lost only skipped calls
	local c
	for c in trace record graph; do
		[ "$(cat "$out/$1.$c.rc" 2>/dev/null)" = 0 ] && continue
		case $c in
		trace) misses_only "$out/$1.live.json" || return 1 ;;
		record)
			"$SVATOP" replay "$out/$1.rec" trace -j 2>/dev/null | tail -n 1 >"$out/$1.rec-summary.json" &&
				misses_only "$out/$1.rec-summary.json" || return 1 ;;
		graph) grep -Eq 'graph: ([0-9]+) events were lost \(\1 of them calls' "$out/$1.graph.err" ||
			return 1 ;;
		esac
	done
}
missed_run() {	# the scenarios of the last run whose consumers lost only missed calls
	local s
	for s in $SCENARIOS; do
		[ "$(cat "$out/$s.trace.rc" "$out/$s.record.rc" "$out/$s.graph.rc" 2>/dev/null | paste -sd' ')" = "0 0 0" ] &&
			continue
		only_misses "$s" && echo "$s"
	done
}
if [ -n "${REUSE_LAB_OUT:-}" ]; then	# debugging the host side: the last run's files
	echo "reusing $out"
else
	LAB_TIMEOUT=${LAB_TIMEOUT:-900} run_guest "$out" "$guest"
	rc=$?
	missed=$(missed_run | paste -sd' ')
	if [ $rc -eq 0 ] && [ -n "$missed" ]; then
		echo "# replay_roundtrip: recursion misses only, in: $missed; running the scenarios once more"
		LAB_TIMEOUT=${LAB_TIMEOUT:-900} run_guest "$out" "$guest"
		rc=$?
	fi
	ok $rc "lab VM ran every scenario under record, trace and graph${missed:+ (a second time: the first run's consumers missed calls to the kernel's recursion protection in $missed, counted)}"
fi

# The kernel's events of a trace -j file, grouped by thread in arrival order,
# without what each instance observes for itself: the timestamp and the CPU.
# Two consumers' programs run one after the other in a hook's trampoline,
# each with only its own migrate_disable(); a context switch between them
# (the storm's deferred mmdrops run in finish_task_switch) can let the
# second consumer see another record of that thread first, and a migration
# there gives the second consumer's records of that call another CPU
# (measured: an attach and its derived domain-alloc on CPU 0 live, CPU 1
# recorded, 1 call in 10,000). Both are counted and bounded below.
# The start-up snapshot is each instance's own (taken by its task
# iterator, on its CPU, at its start, snap-end and snap-domain in its own
# name): compared apart, as a set.
KERNEL='select(.event != "summary" and (.flags | index("snapshot") | not))'
stream() { jq -s -c "map($KERNEL | del(.ts_ns, .cpu)) | group_by(.pid)" "$1"; }
bag() { jq -s -c "map($KERNEL | del(.ts_ns, .cpu)) | group_by(.pid) | map(sort)" "$1"; }
# the fields each instance takes itself, of matching events, paired thread
# by thread: [[live ts, live cpu], [recorded ts, recorded cpu]], one a line
own() {
	jq -n -c --slurpfile a "$1" --slurpfile b "$2" "
		def evs: map($KERNEL) | group_by(.pid) | map(sort_by(del(.ts_ns, .cpu)) | map([.ts_ns, .cpu])) | flatten(1);
		[(\$a | evs), (\$b | evs)] | transpose[]"
}
snapshot() {
	jq -s -c 'map(select(.event != "summary" and .event != "snap-end" and (.flags | index("snapshot"))) |
		del(.ts_ns, .cpu) | if .event == "snap-domain" then del(.pid, .tgid, .comm) else . end) |
		sort' "$1"
}
tsdiff() {	# own's FILE: the largest |live ts - recorded ts|, in µs
	jq -s -r 'map(.[0][0] - .[1][0] | fabs) | max // 0 | ./1000 | floor' "$1"
}
cpudiff() {	# own's FILE: how many matching events were seen on another CPU
	jq -s -r 'map(select(.[0][1] != .[1][1])) | length' "$1"
}
# the graph without the time it was taken and ages relative to that time
# Device page-fault counts are live only (a recording carries none, docs/iopf.md):
# the lifecycle graph is what must match.
graph_state() { jq -c 'del(.ts_ns) | del(.iopf) | del(.mms[]?.iopf) | del(.. | .exited_ns_ago?)'; }

for s in $SCENARIOS; do
	d=$out
	rec=$d/$s.rec
	expect_eq 0 "$(cat "$d/$s.svaload.rc" 2>/dev/null)" "$s: svaload ran the scenario"
	expect_eq "0 0 0" "$(cat "$d/$s.record.rc" "$d/$s.trace.rc" "$d/$s.graph.rc" 2>/dev/null | paste -sd' ')" \
		"$s: record, trace and graph exited 0 (nothing lost)"
	[ -s "$rec" ] || { ok 1 "$s: the recording exists"; continue; }
	expect_eq 600 "$(stat -c %a "$rec")" "$s: the recording is created 0600"
	"$SVATOP" replay "$rec" trace -j >"$d/$s.replay.json" 2>"$d/$s.replay.err"
	ok $? "$s: svatop replay FILE trace -j exits 0" "$(head -3 "$d/$s.replay.err")"
	live_n=$(jq -c 'select(.event != "summary")' "$d/$s.live.json" | wc -l)
	rep_n=$(jq -c 'select(.event != "summary")' "$d/$s.replay.json" | wc -l)
	[ "$live_n" -gt 0 ]
	ok $? "$s: the live trace saw events ($live_n)"
	expect_eq "$live_n" "$rep_n" "$s: the replay has as many events as the live trace"
	# Same records per thread (every field but the time)...
	if [ "$(bag "$d/$s.live.json" | md5sum)" = "$(bag "$d/$s.replay.json" | md5sum)" ]; then
		ok 0 "$s: replayed events = live events, every field but time and CPU, thread by thread"
	else
		diff <(bag "$d/$s.live.json" | jq -c '.[][]') <(bag "$d/$s.replay.json" | jq -c '.[][]') | head -6
		ok 1 "$s: replayed events = live events, every field but time and CPU, thread by thread"
	fi
	# ...on the same CPU, but for the calls migrated between the programs
	own "$d/$s.live.json" "$d/$s.replay.json" >"$d/$s.own"	# one pairing for both
	cpus=$(cpudiff "$d/$s.own")
	[ "${cpus:-999999}" -le $((live_n / 1000)) ]
	ok $? "$s: same CPU ($cpus of $live_n records seen on another CPU by the other consumer after a migration inside the hook)"
	# ...and in the same order, but for a record the other consumer got
	# after a context switch inside the hook (counted, shown).
	moved=$(diff <(stream "$d/$s.live.json" | jq -c '.[][]') <(stream "$d/$s.replay.json" | jq -c '.[][]') | grep -c '^<')
	[ "$moved" -le $((live_n / 1000)) ]
	ok $? "$s: same order per thread ($moved of $live_n records placed elsewhere by a context switch between the two consumers' programs)"
	expect_eq "$(snapshot "$d/$s.live.json")" "$(snapshot "$d/$s.replay.json")" \
		"$s: the recorded start-up snapshot = the live one"
	expect_eq "1 1" "$(jq -c 'select(.event == "snap-end")' "$d/$s.live.json" | wc -l) $(jq -c 'select(.event == "snap-end")' "$d/$s.replay.json" | wc -l)" \
		"$s: live trace and recording each end their snapshot once"
	us=$(tsdiff "$d/$s.own")
	[ "${us:-999999}" -lt 100000 ]
	ok $? "$s: matching events' timestamps agree within 100 ms (max difference ${us} µs)"
	expect_eq "$(jq -c 'select(.event=="summary") | [.delivered, .dropped]' "$d/$s.replay.json")" \
		"[$rep_n,0]" "$s: the recording's stats block: every record delivered, none lost"
	"$SVATOP" replay "$rec" graph --json >"$d/$s.replay-graph.json" 2>>"$d/$s.replay.err"
	ok $? "$s: svatop replay FILE graph --json exits 0"
	live_g=$(tail -n 1 "$d/$s.graph.json" | graph_state)
	rep_g=$(graph_state <"$d/$s.replay-graph.json")
	if [ -n "$live_g" ] && [ "$live_g" = "$rep_g" ]; then
		ok 0 "$s: replayed final graph = the live graph's last state"
	else
		diff <(echo "$live_g" | jq .) <(echo "$rep_g" | jq .) | head -10
		ok 1 "$s: replayed final graph = the live graph's last state"
	fi
done

# What the final graphs must hold (on the replay; equal to live above).
g() { jq -r "$2" "$out/$1.replay-graph.json"; }
for s in single one_to_n shared_domain fork_after_bind exit_without_unbind; do
	expect_eq 0 "$(g "$s" '[.mms[] | select(.before_start | not)] | length')" \
		"$s: every mm of the scenario was released by the end"
done
expect_eq "1 true 1" "$(g leak '[.mms[] | select(.before_start | not)] | "\(length) \(.[0].exited) \(.[0].domains | length)"')" \
	"leak: one leaked mm is left, exited, pinned by its domain"
expect_eq 1 "$(jq -c 'select(.event == "snap-mm")' "$out/storm.replay.json" | wc -l)" \
	"storm: the recording's snapshot holds the mm the leak scenario left"
expect_eq 1 "$(g storm '.mms | length')" "storm: the final graph holds only that leaked mm"
expect_eq 10000 "$(jq -c 'select(.event == "bind")' "$out/storm.replay.json" | wc -l)" \
	"storm: the recording holds all 10,000 binds"
finish
