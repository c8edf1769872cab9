#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bpf/iopf.bpf.c against the kernel's own evidence: for each IOPF scenario
# iopfstat (its loader) runs around svaload, labtrace traces the same
# functions through tracefs, and the in-kernel aggregates must equal the
# trace: page requests and answers by outcome per device and PASID, every
# answer with a latency in the histogram, the owning process = svaload;
# with -i the IOTLB invalidations of svaload's mm equal the notifier calls
# the trace saw. The delayed requests of iopf_latency land in the
# histogram's slots of >= 32 ms.
# svatop itself (its IOPF object, src/source/iopf.c) runs beside iopfstat in
# iopf_touch, iopf_unmapped and iopf_latency: `top -j` (one frame at the
# end) per process and device, and `trace -j` (one iopf event per answer)
# must equal the trace and svamock's debugfs, step by step; its latencies
# of the 50 ms-delayed requests are >= 50 ms. top runs with --iotlb: its
# invalidations of iopf_touch's mm equal the notifier calls traced, and the
# kernel's program list shows the hook attached for it and not for trace.
. "$(dirname "$0")/lib/harness.sh"
. "$(dirname "$0")/lib/iopf.sh"

if ! "$LAB_TEST_REPO/tools/iopf/build" >"$OUT/build.log" 2>&1; then
	ok 1 "the IOPF BPF object and iopfstat build"
	sed 's/^/# /' "$OUT/build.log" | tail -n 20
	sed 's/^/# guest time: /' "$OUT/times" 2>/dev/null
lab_done
fi

lab_guest --timeout 420 <<'EOF_GUEST'
ready() {	# ready PID FILE LINE: wait until FILE has LINE (or PID is gone)
	i=0
	while ! grep -q "$3" "$2"; do
		kill -0 $1 2>/dev/null || break
		i=$((i + 1))
		[ $i -lt 1200 ] || break
		sleep 0.1
	done
}
one() {	# one NAME SCENARIO [iopfstat options]: under iopfstat and labtrace
	name=$1
	scenario=$2
	shift 2
	echo "$name start $(cut -d' ' -f1 /proc/uptime)" >>/out/times
	iopfstat "$@" /lab/bpf/iopf.bpf.o >/out/$name.bpf 2>/out/$name.bpf.err &
	p=$!
	ready $p /out/$name.bpf.err '^iopfstat: tracing'
	cat /sys/kernel/debug/svamock/iopf >/out/$name.dbg0
	labtrace start iopf bind || exit 1
	svaload $scenario >/out/$name.txt 2>/out/$name.err
	echo $? >/out/$name.rc
	labtrace stop
	cat /sys/kernel/debug/svamock/iopf >/out/$name.dbg1
	kill -INT $p
	wait $p
	echo $? >/out/$name.bpf.rc
	labtrace dump >/out/trace.$name
	echo "$name end $(cut -d' ' -f1 /proc/uptime)" >>/out/times
}
# svatop (two starts: ~35 s each under TCG) around three scenarios: top
# (one frame at the end) with the IOTLB opt-in, and trace without it.
svatop top -b -j --iotlb 600 >/out/svatop.top 2>/out/svatop.top.err &
tp=$!
svatop trace -j -S >/out/svatop.trace 2>/out/svatop.trace.err &
sp=$!
ready $tp /out/svatop.top.err '^svatop: watching'
ready $sp /out/svatop.trace.err '^svatop: tracing'
echo "svatop ready $(cut -d' ' -f1 /proc/uptime)" >>/out/times
# The kernel's BPF objects with both svatops up (no iopfstat yet).
svaload -B >/out/bpf.both 2>&1
one touch iopf_touch -i
one unmapped iopf_unmapped
one latency iopf_latency
sleep 0.5	# the trace's last records reach its ring buffer poll
kill -INT $tp
wait $tp
echo $? >/out/svatop.top.rc
# ... and with svatop trace alone (it does not opt in).
svaload -B >/out/bpf.trace 2>&1
kill -INT $sp
wait $sp
echo $? >/out/svatop.trace.rc
one threads iopf_threads
one two iopf_two_procs
one fentry iopf_threads -f
EOF_GUEST

# bpf_field FILE DEV PASID KEY: KEY=... of iopfstat's line for DEV and PASID.
bpf_field() {
	grep "^device=$2 pasid=$3 " "$1" | kv "$4"
}

# compare NAME: iopfstat's lines for scenario NAME against its trace.
compare() {
	local n=$1 B=$OUT/$1.bpf T=$OUT/trace.$1 dev pasid pid
	check_eq "$n: iopfstat attached, ran and exited 0" "0 0" \
		"$(cat "$OUT/$n.bpf.rc" 2>/dev/null) $(cat "$OUT/$n.rc" 2>/dev/null)"
	[ -s "$OUT/$n.bpf.err" ] && grep -v '^iopfstat: tracing' "$OUT/$n.bpf.err" | sed 's/^/#   /'
	check_eq "$n: the same devices and PASIDs as the trace's reports" \
		"$(grep ' iopf_report: ' "$T" | sed 's/.* dev="\([^"]*\)" pasid=\([0-9]*\) .*/\1 \2/' | sort -u)" \
		"$(sed -n 's/^device=\([^ ]*\) pasid=\([^ ]*\) .*/\1 \2/p' "$B" | sort -u)"
	while read -r dev pasid; do
		# The svaload process that got this PASID.
		pid=$(sed -n "s/^svaload: pid=\([0-9]*\) bind $dev pasid=$pasid\$/\1/p" "$OUT/$n.txt" | head -n 1)
		local k="$n: $dev pasid $pasid"
		local rep ok inv fail
		rep=$(grep -c " iopf_report: .* dev=\"$dev\" pasid=$pasid " "$T")
		ok=$(grep -c " iopf_response: .* dev=\"$dev\" pasid=$pasid .* status=0$" "$T")
		inv=$(grep -c " iopf_response: .* dev=\"$dev\" pasid=$pasid .* status=1$" "$T")
		fail=$(grep -c " iopf_response: .* dev=\"$dev\" pasid=$pasid .* status=2$" "$T")
		check_eq "$k: reports equal the trace's ($rep)" "$rep" "$(bpf_field "$B" "$dev" "$pasid" reports)"
		check_eq "$k: success/invalid/failure answers equal the trace's" "$ok $inv $fail" \
			"$(for o in success invalid failure; do bpf_field "$B" "$dev" "$pasid" $o; done | paste -sd' ')"
		check_eq "$k: none refused or unmatched (the trace's reports all returned 0)" \
			"0 0 $(grep -c ' iopf_report_ret: .* ret=0$' "$T")" \
			"$(bpf_field "$B" "$dev" "$pasid" refused) $(bpf_field "$B" "$dev" "$pasid" unmatched) $(grep -c ' iopf_report_ret: ' "$T")"
		check_eq "$k: every answer has a latency in the histogram" "$((ok + inv + fail))" \
			"$(bpf_field "$B" "$dev" "$pasid" hist | tr ',' '\n' | awk -F: '{ s += $2 } END { print s + 0 }')"
		check_eq "$k: the PASID's process is svaload (pid $pid)" "$pid svaload" \
			"$(bpf_field "$B" "$dev" "$pasid" tgid) $(bpf_field "$B" "$dev" "$pasid" comm)"
	done < <(sed -n 's/^device=\([^ ]*\) pasid=\([^ ]*\) .*/\1 \2/p' "$B")
}

# svatop_compare NAME: svatop's rows and iopf events of the processes of
# scenario NAME (its svaload pids) against the kernel's trace and svamock's
# debugfs around it.
J=$OUT/svatop.top
S=$OUT/svatop.trace
svatop_compare() {
	local n=$1 T=$OUT/trace.$1 pids dev pasid pid row
	pids=$(sed -n 's/^svaload: pid=\([0-9]*\) .*/\1/p' "$OUT/$n.txt" | sort -u | paste -sd,)
	check_eq "$n: svatop has the trace's devices and PASIDs, under svaload's pid" \
		"$(grep ' iopf_report: ' "$T" | sed 's/.* dev="\([^"]*\)" pasid=\([0-9]*\) .*/\1 \2/' | sort -u)" \
		"$(jq -r --argjson p "[${pids:-0}]" '.iopf.devices[] | select(.pid as $x | $p | index($x)) |
			"\(.device) \(.pasid)"' "$J" 2>/dev/null | sort -u)"
	while read -r dev pasid; do
		pid=$(sed -n "s/^svaload: pid=\([0-9]*\) bind $dev pasid=$pasid\$/\1/p" "$OUT/$n.txt" | head -n 1)
		row=$(jq -c --arg d "$dev" --argjson p "$pasid" --argjson t "${pid:-0}" \
			'.iopf.devices[] | select(.device == $d and .pasid == $p and .pid == $t)' "$J" | tail -n 1)
		local k="$n: svatop $dev pasid $pasid pid $pid" rep ok inv fail
		rep=$(grep -c " iopf_report: .* dev=\"$dev\" pasid=$pasid " "$T")
		ok=$(grep -c " iopf_response: .* dev=\"$dev\" pasid=$pasid .* status=0$" "$T")
		inv=$(grep -c " iopf_response: .* dev=\"$dev\" pasid=$pasid .* status=1$" "$T")
		fail=$(grep -c " iopf_response: .* dev=\"$dev\" pasid=$pasid .* status=2$" "$T")
		check_eq "$k: top's faults = the trace's reports = svamock's requests ($rep)" "$rep $rep" \
			"$(jq .faults <<<"$row") $(dbg_delta "$OUT/$n.dbg0" "$OUT/$n.dbg1" "$dev" requests)"
		check_eq "$k: top's success/invalid/failure = the trace's answers = svamock's responses" \
			"$ok $inv $fail $ok $inv $fail" \
			"$(jq -r '"\(.success) \(.invalid) \(.failure)"' <<<"$row") $(for c in success invalid failure; do
				dbg_delta "$OUT/$n.dbg0" "$OUT/$n.dbg1" "$dev" $c; done | paste -sd' ')"
		check_eq "$k: top's failures = invalid + failure answers ($((inv + fail)))" \
			"$((inv + fail))" "$(jq .failures <<<"$row")"
		check_eq "$k: every answer has a latency in top's histogram" "$((ok + inv + fail))" \
			"$(jq '[.hist_us[]] | add // 0' <<<"$row")"
		check_eq "$k: top names the process svaload" svaload "$(jq -r .comm <<<"$row")"
	done < <(grep ' iopf_report: ' "$T" | sed 's/.* dev="\([^"]*\)" pasid=\([0-9]*\) .*/\1 \2/' | sort -u)
	# Per fault: svatop trace's iopf events of these pids, in order, are
	# the kernel's answers, in order (same address, same response), so
	# each step's faults are the step's answers.
	answers "$T" >"$OUT/$n.answers"
	# (by ts_ns, the answer's time: trace prints them as their programs
	# return, and a return can come after the next fault's answer)
	jq -r --argjson p "[${pids:-0}]" 'select(.event == "iopf") | select(.tgid as $x | $p | index($x))' \
		"$S" 2>/dev/null | jq -rs 'sort_by(.ts_ns)[] | "\(.addr) \(.response) \(.latency_ns)"' \
		>"$OUT/$n.svatop_answers" 2>/dev/null
	check_eq "$n: svatop trace: one iopf event per answer, same address and response, in order" \
		"$(cut -d' ' -f2,3 "$OUT/$n.answers")" \
		"$(cut -d' ' -f1,2 "$OUT/$n.svatop_answers" | sed 's/^0x0*/0x/')"
	paste -d' ' "$OUT/$n.answers" "$OUT/$n.svatop_answers" >"$OUT/$n.zip"
}

check_eq "svatop top and svatop trace ran and exited 0" "0 0" \
	"$(cat "$OUT/svatop.top.rc" 2>/dev/null) $(cat "$OUT/svatop.trace.rc" 2>/dev/null)"
grep -v '^svatop: ' "$OUT/svatop.top.err" "$OUT/svatop.trace.err" 2>/dev/null | sed 's/^/#   /'
check_eq "svatop counts device page faults on 7.3 (top -j .iopf.active)" true \
	"$(jq -r '.iopf.active' "$J" 2>/dev/null | tail -n 1)"

# answers TRACE: "STEP ADDR RESPONSE" of each iopf_response, in order.
answers() {
	awk '/ tracing_mark_write: svaload: / { cur = $NF; next }
	/ iopf_response: \(/ {
		a = $0; sub(/.* addr=/, "", a); sub(/ .*/, "", a); sub(/^0x0*/, "0x", a)
		s = $0; sub(/.* status=/, "", s)
		print cur, a, (s == 0 ? "success" : s == 1 ? "invalid" : "failure") }' "$1"
}

# step_count NAME STEP: svatop's iopf events in STEP (by their order).
step_count() { awk -v s="$2" '$1 == s' "$OUT/$1.zip" | count_lines; }

svatop_compare touch
# The issue's scenarios, step by step: svatop, the kernel, svamock.
for st in first:16 retouch:0 discard:16 unmap:1; do
	check_eq "touch: svatop trace's faults in step ${st%%:*} = svaload's (svamock's) count = ${st#*:}" \
		"${st#*:} ${st#*:}" "$(step_count touch "${st%%:*}") $(in_step "$OUT/trace.touch" "${st%%:*}" iopf_response | count_lines)"
done
check_eq "touch: svaload saw svamock fault 16, 0, 16 times (first, re-touch, after discard)" "16 0 16" \
	"$(for i in 1 2 4; do touch_line "$OUT/touch.txt" $i | kv faults; done | paste -sd' ')"
check_eq "touch: the access to the unmapped buffer is svatop's one invalid answer" "unmap invalid" \
	"$(awk '$3 == "invalid" { print $1, $3 }' "$OUT/touch.zip")"
svatop_compare unmapped
check_eq "unmapped: svatop's invalid answers: the unmapped address and the write to read-only" \
	"unmapped readonly-write" "$(awk '$3 == "invalid" { print $1 }' "$OUT/unmapped.zip" | paste -sd' ')"
svatop_compare latency
# The response delay: svatop's latency of each delayed request >= 50 ms.
slow_min=$(awk '$1 == "slow" { print $6 }' "$OUT/latency.zip" | sort -n | head -n 1)
fast_med=$(awk '$1 == "fast" { print $6 }' "$OUT/latency.zip" | sort -n | sed -n 4p)
echo "# latency: svatop's fastest delayed request ${slow_min:-?} ns, median undelayed ${fast_med:-?} ns"
check_eq "latency: svatop has 8 delayed requests" 8 "$(awk '$1 == "slow"' "$OUT/latency.zip" | count_lines)"
check "latency: each delayed request took >= 50 ms in svatop's trace" test "${slow_min:-0}" -ge 50000000
check "latency: the undelayed median is below the delayed minimum (latency grows with the delay)" \
	test "${fast_med:-999999999999}" -lt "${slow_min:-0}"
check "latency: svatop top's p99 is in the slot of >= 32 ms (p99 bound >= 65536 us)" \
	test "$(jq --argjson t "$(sed -n 's/^svaload: pid=\([0-9]*\) .*/\1/p' "$OUT/latency.txt" | head -n 1)" \
		'[.iopf.devices[] | select(.pid == $t) | .p99_us] | max // 0' "$J" | tail -n 1)" -ge 65536

for s in touch unmapped threads latency two; do
	compare $s
	check_eq "$s: the kernel skipped no call of the kprobe programs" "" \
		"$(grep '^misses ' "$OUT/$s.bpf" | grep -v ' recursion=0$')"
done

# The fentry forms: every call is either counted or a recursion miss.
B=$OUT/fentry.bpf
check_eq "fentry: iopfstat -f ran" "0 0" "$(cat "$OUT/fentry.bpf.rc" "$OUT/fentry.rc" 2>/dev/null | paste -sd' ')"
missed=$(grep '^misses prog=fe_response ' "$B" | kv recursion)
echo "# fentry: fe_response missed ${missed:-?} of $(grep -c ' iopf_response: ' "$OUT/trace.fentry") calls (8 threads, preemptible kernel)"
check_eq "fentry: counted faults (at their answer) + fe_response's recursion misses = the trace's reports" \
	"$(grep -c ' iopf_report: ' "$OUT/trace.fentry")" \
	"$(($(grep '^device=svamock-dev.0 ' "$B" | kv reports) + ${missed:-0}))"

# Two processes, two PASIDs on dev.0: each PASID's faults are its process's.
check_eq "two: two PASIDs on dev.0, one per process" 2 \
	"$(grep -c '^device=svamock-dev.0 ' "$OUT/two.bpf")"
for who in child parent; do
	pid=$(sed -n "s/^svaload: pid=\([0-9]*\) buffer $who .*/\1/p" "$OUT/two.txt")
	pasid=$(sed -n "s/^svaload: pid=$pid bind svamock-dev.0 pasid=\([0-9]*\)\$/\1/p" "$OUT/two.txt")
	check_eq "two: the $who's faults (svamock: $(sed -n "s/^svaload: pid=$pid touch .* faults=\([0-9]*\) .*/\1/p" "$OUT/two.txt")) are counted under its PASID and pid" \
		"$(sed -n "s/^svaload: pid=$pid touch .* faults=\([0-9]*\) .*/\1/p" "$OUT/two.txt") $pid" \
		"$(bpf_field "$OUT/two.bpf" svamock-dev.0 "$pasid" reports) $(bpf_field "$OUT/two.bpf" svamock-dev.0 "$pasid" tgid)"
done

# -i: the invalidations of svaload's mm, against the notifier calls traced.
mm=$(grep -m1 ' bind: (' "$OUT/trace.touch" | kv mm)
inv=$(grep "^inval mm=$mm " "$OUT/touch.bpf")
traced=$(grep -c " iotlb_inval: .* mm=$mm " "$OUT/trace.touch")
check_eq "touch -i: ranges + whole-mm flushes of svaload's mm equal the trace's notifier calls" \
	"$traced" "$(($(kv ranges <<<"$inv") + $(kv flushes <<<"$inv")))"
check "touch -i: at least 18 range invalidations (16 copy-on-write, discard, unmap)" \
	test "$(kv ranges <<<"$inv")" -ge 18
check_eq "touch -i: the mm's process is svaload" \
	"$(sed -n 's/^svaload: pid=\([0-9]*\) .*/\1/p' "$OUT/touch.txt" | head -n 1)" "$(kv tgid <<<"$inv")"

# svatop --iotlb (top, its IOPF object with the invalidation hook) against
# the kernel's notifier calls for the mm of iopf_touch's svaload. Windows:
# svatop's hook was attached from before the touch scenario until after the
# latency scenario, and it keys its counts by the mm pointer, kept after the
# mm is freed: a later svaload whose mm reuses the address adds to the same
# row (which keeps its first owner's pid). labtrace's iotlb_inval covered
# each of the three scenarios from before its svaload started until after it
# exited, and between them no process had an SVA mm: notifier calls for an
# SVA mm happen only after its bind (which registers the notifier, with
# mm->iommu_mm already set, and iommu_mm stays set until the mm is freed), so
# every call of an SVA mm during svatop's window is in one of the three
# traces. Hence svatop's ranges + whole-mm flushes for that address equal
# the traced calls for it summed over the three traces: exactly, not a bound.
mm=$(grep -m1 ' bind: (' "$OUT/trace.touch" | kv mm)
row=$(jq -c --arg m "$mm" '.iopf.iotlb_mms[]? | select(.mm == $m)' "$J" 2>/dev/null | tail -n 1)
traced=$(cat "$OUT/trace.touch" "$OUT/trace.unmapped" "$OUT/trace.latency" | grep -c " iotlb_inval: .* mm=$mm ")
traced_ranges=$(cat "$OUT/trace.touch" "$OUT/trace.unmapped" "$OUT/trace.latency" |
	grep " iotlb_inval: .* mm=$mm " | grep -vc ' start=0x0 end=0xffffffffffffffff$')
check_eq "svatop top --iotlb: .iopf.iotlb is true" true "$(jq -r '.iopf.iotlb' "$J" 2>/dev/null | tail -n 1)"
check_eq "svatop --iotlb: range invalidations of touch's mm = the trace's range notifier calls for it ($traced_ranges)" \
	"$traced_ranges" "$(jq -r '.ranges // "none"' <<<"${row:-null}")"
check_eq "svatop --iotlb: ranges + whole-mm flushes of touch's mm = the trace's notifier calls for it ($traced)" \
	"$traced" "$(jq -r '(.ranges + .flushes) // "none"' <<<"${row:-null}")"
check "svatop --iotlb: at least 18 range invalidations (16 copy-on-write, discard, unmap)" \
	test "$(jq -r '.ranges // 0' <<<"${row:-null}")" -ge 18
check_eq "svatop --iotlb: the mm's owner is touch's svaload" \
	"$(sed -n 's/^svaload: pid=\([0-9]*\) .*/\1/p' "$OUT/touch.txt" | head -n 1)" "$(jq -r '.pid' <<<"${row:-null}")"
# Pages: each traced range call's [start, end) in 4 KiB pages, rounded up.
traced_pages=0
while read -r start end; do
	traced_pages=$((traced_pages + ((end - start + 4095) >> 12)))
done < <(cat "$OUT/trace.touch" "$OUT/trace.unmapped" "$OUT/trace.latency" |
	grep " iotlb_inval: .* mm=$mm " | grep -v ' start=0x0 end=0xffffffffffffffff$' |
	while read -r line; do echo "$(kv start <<<"$line") $(kv end <<<"$line")"; done)
echo "# svatop --iotlb, mm $mm: $(jq -r '"ranges \(.ranges) pages \(.pages) flushes \(.flushes) pid \(.pid)"' <<<"${row:-null}" 2>/dev/null); traced calls $traced (ranges $traced_ranges, pages $traced_pages)"
check_eq "svatop --iotlb: the pages of touch's mm = the traced ranges' pages ($traced_pages)" \
	"$traced_pages" "$(jq -r '.pages // "none"' <<<"${row:-null}")"
# Every mm svatop counted (the three svaloads; the unmapped and latency ones
# saw only their exit's whole-mm flush), the same equality, and the trace
# saw no mm svatop missed (in the lab only SVA mms have MMU notifiers: the
# trace, unlike svatop, does not filter on mm->iommu_mm).
all_traced=$(cat "$OUT/trace.touch" "$OUT/trace.unmapped" "$OUT/trace.latency" |
	sed -n 's/.* iotlb_inval: .* mm=\([^ ]*\) .*/\1/p' | sort | uniq -c | awk '{ print $2, $1 }')
check_eq "svatop --iotlb: per mm, ranges + flushes = the trace's notifier calls, every mm" \
	"$all_traced" "$(tail -n 1 "$J" | jq -r '.iopf.iotlb_mms[]? | "\(.mm) \(.ranges + .flushes)"' 2>/dev/null | sort)"
# Attached only when opted in, as the kernel lists its BPF programs and
# links (svaload -B): with both svatops up, each has its IOPF object (two
# report programs) but one invalidation program, linked; with svatop trace
# alone, its report program and no invalidation program at all.
progs() { grep -Ec "^prog [0-9]+ [0-9]+ (kp|fe)_$2\$" "$OUT/bpf.$1"; }
inval_links() {
	local id n=0
	for id in $(sed -En 's/^prog ([0-9]+) [0-9]+ (kp|fe)_inval$/\1/p' "$OUT/bpf.$1"); do
		n=$((n + $(grep -c "^link [0-9]* [0-9]* $id\$" "$OUT/bpf.$1")))
	done
	echo $n
}
check_eq "kernel: top --iotlb and trace up: 2 IOPF report programs, 1 invalidation program, linked once" \
	"2 1 1" "$(progs both report) $(progs both inval) $(inval_links both)"
check_eq "kernel: svatop trace alone (no --iotlb): its report program, no invalidation program" \
	"1 0 0" "$(progs trace report) $(progs trace inval) $(inval_links trace)"

# The 8 requests delayed by 50 ms are in the slots of >= 32 ms (15 and up).
B=$OUT/latency.bpf
slow=$(grep '^device=svamock-dev.0 ' "$B" | kv hist | tr ',' '\n' |
	awk -F: '$1 >= 15 { s += $2 } END { print s + 0 }')
check "latency: >= 8 answers in the histogram's slots of >= 32 ms (saw $slow)" test "$slow" -ge 8
check "latency: the latency sum covers the 8 x 50 ms delays" \
	test "$(grep '^device=svamock-dev.0 ' "$B" | kv latency_sum_us)" -ge 400000
sed 's/^/# guest time: /' "$OUT/times" 2>/dev/null
lab_done
