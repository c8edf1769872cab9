#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Device page faults through the kernel's real IOPF path, step by step:
# what svamock returned to svaload (faults, IOTLB hits, walks, the
# response) against the kernel's own evidence (tracefs on
# iommu_report_device_fault, iopf_group_response and the mmu notifier
# hooks) and svamock's debugfs counters. Scenarios: iopf_touch (first
# touch, re-touch, write, discard, another IOMMU, CPU-filled pages, unmap),
# iopf_unmapped (no mapping, read-only), iopf_threads (8 threads at once),
# iopf_exit (exit with a filled IOTLB).
. "$(dirname "$0")/lib/harness.sh"
. "$(dirname "$0")/lib/iopf.sh"

lab_guest <<'EOF_GUEST'
D=/sys/kernel/debug/svamock
snap() { cat $D/iopf >/out/iopf.$1; cat $D/iotlb >/out/iotlb.$1; }
run() {	# run NAME: one scenario under a fresh trace
	labtrace start iopf bind unbind || exit 1
	snap before-$1
	svaload iopf_$1 >/out/$1.txt 2>/out/$1.err
	echo $? >/out/$1.rc
	snap after-$1
	labtrace dump >/out/trace.$1
}
grep -qx iommu_report_device_fault /sys/kernel/tracing/available_filter_functions &&
	echo yes >/out/traceable
run touch
run unmapped
run threads
run exit
EOF_GUEST

check_eq "iommu_report_device_fault is traceable on this kernel" yes "$(cat "$OUT/traceable" 2>/dev/null)"
for s in touch unmapped threads exit; do
	check_eq "svaload iopf_$s: every step as expected" 0 "$(cat "$OUT/$s.rc" 2>/dev/null)"
	[ -s "$OUT/$s.err" ] && sed 's/^/#   /' "$OUT/$s.err"
done

# ---- iopf_touch ------------------------------------------------------
T=$OUT/trace.touch
S=$OUT/touch.txt
pasid=$(sed -n 's/.* bind svamock-dev\.0 pasid=\([0-9]*\).*/\1/p' "$S")
buf=$(sed -n 's/.* buffer buf pages=16 addr=\(0x[0-9a-f]*\).*/\1/p' "$S")
mm=$(grep -m1 ' bind: (' "$T" | kv mm)
reports() { in_step "$T" "$1" iopf_report | grep -c "dev=\"svamock-dev.$2\" pasid=$pasid "; }

l=$(touch_line "$S" 1)
check_eq "first touch: svamock reported 16 page requests, no IOTLB hit" "16 0" \
	"$(kv faults <<<"$l") $(kv iotlb_hits <<<"$l")"
check_eq "first touch: the kernel saw 16 reports from dev.0 with the process's PASID" 16 "$(reports first 0)"
check_eq "first touch: one read request per page of the buffer" "$(page_addrs "$buf" 16)" \
	"$(in_step "$T" first iopf_report | grep ' perm=1$' | kv addr | sort)"
check_eq "first touch: every report was accepted (ret=0)" "16 0" \
	"$(in_step "$T" first iopf_report_ret | count_lines) $(in_step "$T" first iopf_report_ret | grep -vc ' ret=0$')"
check "first touch: the SVA handler answered each request once" responses_match "$T" first
check_eq "first touch: every answer was success" "16 0" \
	"$(in_step "$T" first iopf_response | count_lines) $(in_step "$T" first iopf_response | grep -vc ' status=0$')"

l=$(touch_line "$S" 2)
check_eq "re-touch: svamock found all 16 in the IOTLB, no request" "0 16" \
	"$(kv faults <<<"$l") $(kv iotlb_hits <<<"$l")"
check_eq "re-touch: the kernel saw no report" 0 "$(in_step "$T" retouch iopf_report | count_lines)"

l=$(touch_line "$S" 3)
check_eq "write after read: 16 write requests (read-only zero page in the IOTLB)" 16 "$(kv faults <<<"$l")"
check_eq "write after read: the kernel saw 16 write reports" 16 \
	"$(in_step "$T" write iopf_report | grep -c ' perm=2$')"
check "write after read: the kernel flushed the mm's TLB for each copied page (>= 16)" \
	test "$(in_step "$T" write iotlb_inval | grep -c "mm=$mm ")" -ge 16
check "write after read: each request answered once, success" responses_match "$T" write

l=$(touch_line "$S" 4)
inval=0
while read -r start end; do
	[ $((start)) -le $((buf)) ] && [ $((end)) -ge $((buf + 16 * 4096)) ] && inval=$((inval + 1))
done < <(in_step "$T" discard iotlb_inval | grep "mm=$mm " |
	while read -r line; do echo "$(kv start <<<"$line") $(kv end <<<"$line")"; done)
check "discard: the kernel invalidated the buffer's range through the notifier" test "$inval" -ge 1
check_eq "discard: svamock requested all 16 pages again (its IOTLB was invalidated)" "16 0" \
	"$(kv faults <<<"$l") $(kv iotlb_hits <<<"$l")"
check_eq "discard: the kernel saw 16 reports" 16 "$(reports discard 0)"

l=$(touch_line "$S" 5)
check_eq "another IOMMU (dev.3): 16 page-table walks, no request" "0 16" \
	"$(kv faults <<<"$l") $(kv walks <<<"$l")"
check_eq "another IOMMU (dev.3): the kernel saw no report" 0 "$(in_step "$T" other iopf_report | count_lines)"
check_eq "another IOMMU (dev.3): same PASID as dev.0" "$pasid" "$(kv pasid <<<"$l")"

l=$(touch_line "$S" 6)
check_eq "pages the CPU wrote: 16 walks, no request" "0 16" "$(kv faults <<<"$l") $(kv walks <<<"$l")"
check_eq "pages the CPU wrote: the kernel saw no report" 0 "$(in_step "$T" fill iopf_report | count_lines)"

check_grep "after unmap: svamock returned EFAULT for the buffer's first page" \
	"touch svamock-dev\\.0 buf failed as expected: EFAULT \\(-14\\) fault_addr=$buf pages=1 faults=1 .*response=invalid" "$S"
check_eq "after unmap: one report, at the buffer's first page" "1 $buf" \
	"$(in_step "$T" unmap iopf_report | count_lines) $(in_step "$T" unmap iopf_report | kv addr)"
check_eq "after unmap: the SVA handler answered invalid (status 1)" 1 "$(in_step "$T" unmap iopf_response | kv status)"

B=$OUT/iopf.before-touch A=$OUT/iopf.after-touch
check_eq "debugfs: dev.0's requests equal the kernel's reports" \
	"$(grep -c 'iopf_report: .*dev="svamock-dev.0"' "$T")" "$(dbg_delta "$B" "$A" svamock-dev.0 requests)"
check_eq "debugfs: dev.0's success and invalid responses equal the kernel's answers" \
	"$(grep -c 'iopf_response: .*dev="svamock-dev.0".* status=0' "$T") $(grep -c 'iopf_response: .*dev="svamock-dev.0".* status=1' "$T")" \
	"$(dbg_delta "$B" "$A" svamock-dev.0 success) $(dbg_delta "$B" "$A" svamock-dev.0 invalid)"
check_eq "debugfs: no refused, dropped, timed-out or late request" "0 0 0 0" \
	"$(for c in refused dropped timeouts late; do dbg_delta "$B" "$A" svamock-dev.0 $c; done | paste -sd' ')"
check_eq "debugfs: dev.0 and dev.3 left the IOPF queue after the unbinds" "0 0" \
	"$(dbg "$A" svamock-dev.0 iopf_users) $(dbg "$A" svamock-dev.3 iopf_users)"

# ---- iopf_unmapped ---------------------------------------------------
T=$OUT/trace.unmapped
S=$OUT/unmapped.txt
ro=$(sed -n 's/.* buffer ro pages=4 addr=\(0x[0-9a-f]*\).*/\1/p' "$S")
check_grep "no mapping: svamock returned EFAULT, response invalid" \
	'touch svamock-dev\.0 unmapped failed as expected: EFAULT .* faults=1 .*response=invalid' "$S"
check_eq "no mapping: one report, answered invalid" "1 1" \
	"$(in_step "$T" unmapped iopf_report | count_lines) $(in_step "$T" unmapped iopf_response | kv status)"
check_eq "write to read-only: one write report at the buffer, answered invalid" "$ro 2 1" \
	"$(in_step "$T" readonly-write iopf_report | kv addr) $(in_step "$T" readonly-write iopf_report | kv perm) $(in_step "$T" readonly-write iopf_response | kv status)"
check_grep "write to read-only: svamock returned EFAULT" 'touch svamock-dev\.0 ro write failed as expected: EFAULT' "$S"
check_eq "read of read-only: 4 read reports, all success" "4 4" \
	"$(in_step "$T" readonly-read iopf_report | grep -c ' perm=1$') $(in_step "$T" readonly-read iopf_response | grep -c ' status=0$')"

# ---- iopf_threads ----------------------------------------------------
T=$OUT/trace.threads
S=$OUT/threads.txt
l=$(touch_line "$S" 1)
check_eq "8 threads: svamock reported 256 requests in all" "256 threads=8" \
	"$(kv faults <<<"$l") $(grep -o 'threads=8' <<<"$l")"
check_eq "8 threads: the kernel saw 256 write reports, one per page" "256 256" \
	"$(in_step "$T" first iopf_report | grep -c ' perm=2$') $(in_step "$T" first iopf_report | kv addr | sort -u | count_lines)"
check_eq "8 threads: the reports came from 8 tasks" 8 \
	"$(in_step "$T" first iopf_report | awk '{print $1}' | sort -u | count_lines)"
check "8 threads: each request answered once" responses_match "$T" first
inflight=$(in_step "$T" first "" | awk '
	/ iopf_report: / { n++; if (n > m) m = n }
	/ iopf_response: / { n-- }
	END { print m + 0 }')
check "8 threads: requests were in flight together (most at once: $inflight)" test "$inflight" -ge 2
l=$(touch_line "$S" 2)
check_eq "8 threads again: no request; the IOTLB (64) or a walk had every page" "0 256" \
	"$(kv faults <<<"$l") $(($(kv iotlb_hits <<<"$l") + $(kv walks <<<"$l")))"
check_eq "8 threads again: the kernel saw no report" 0 "$(in_step "$T" again iopf_report | count_lines)"

# ---- iopf_exit -------------------------------------------------------
T=$OUT/trace.exit
emm=$(grep -m1 ' bind: (' "$T" | kv mm)
check_eq "exit: the mm's notifiers were released (exit_mmap)" 1 "$(grep -c " mm_release: .* mm=$emm\$" "$T")"
check_eq "exit: svamock's release dropped the 16 IOTLB entries" 16 \
	"$(dbg_delta "$OUT/iotlb.before-exit" "$OUT/iotlb.after-exit" total released)"
check_eq "exit: the release came before the unbind (files close after the mm)" "mm_release unbind" \
	"$(grep -oE ' (mm_release|unbind): ' "$T" | tr -d ' :' | paste -sd' ')"
lab_done
