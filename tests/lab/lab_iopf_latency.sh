#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Page request latency and lost responses (scenario iopf_latency), from the
# kernel's own timestamps: iommu_report_device_fault to the return of
# iopf_group_response (the driver's page_response done). With
# response_delay_us=50000 every request takes at least 50 ms in the
# kernel's trace and in what svamock measured; without it, the median is
# below that. With drop_responses the kernel answers "success" but the
# device never sees it: svamock returns ETIMEDOUT and counts a dropped
# response and a timeout; the page the kernel mapped is then walked, not
# requested again. Lower bounds only: they hold whatever the host's load.
. "$(dirname "$0")/lib/harness.sh"
. "$(dirname "$0")/lib/iopf.sh"

lab_guest <<'EOF_GUEST'
D=/sys/kernel/debug/svamock
labtrace start iopf || exit 1
cat $D/iopf >/out/iopf.before
svaload iopf_latency >/out/latency.txt 2>/out/latency.err
echo $? >/out/latency.rc
cat $D/iopf >/out/iopf.after
labtrace dump >/out/trace
EOF_GUEST

T=$OUT/trace
S=$OUT/latency.txt
check_eq "svaload iopf_latency: every step as expected" 0 "$(cat "$OUT/latency.rc" 2>/dev/null)"
sed 's/^/#   /' "$OUT/latency.err" 2>/dev/null

latencies_us "$T" fast | sort -n >"$OUT/fast.us"
latencies_us "$T" slow | sort -n >"$OUT/slow.us"
echo "# kernel latencies (us), no delay: $(paste -sd' ' "$OUT/fast.us")"
echo "# kernel latencies (us), 50 ms delay: $(paste -sd' ' "$OUT/slow.us")"
check_eq "the kernel's trace has a latency for each of the 8 + 8 requests" "8 8" \
	"$(count_lines <"$OUT/fast.us") $(count_lines <"$OUT/slow.us")"
slow_min=$(head -n 1 "$OUT/slow.us")
fast_median=$(sed -n 4p "$OUT/fast.us")
check "with a 50 ms delay every request took >= 50 ms in the kernel's trace (least: ${slow_min:-none} us)" \
	test "${slow_min:-0}" -ge 50000
check "without it the median was below that (${fast_median:-none} us)" \
	test "${fast_median:-999999999}" -lt 50000

l=$(touch_line "$S" 2)
check "svamock measured >= 50 ms for the slowest delayed request ($(kv latency_max_us <<<"$l") us)" \
	test "$(kv latency_max_us <<<"$l")" -ge 50000
check "svamock measured >= 8 x 50 ms for the 8 delayed requests ($(kv latency_sum_us <<<"$l") us)" \
	test "$(kv latency_sum_us <<<"$l")" -ge 400000

check_grep "dropped response: svamock returned ETIMEDOUT after one request" \
	'touch svamock-dev\.0 lost failed as expected: ETIMEDOUT .* pages=1 faults=1 .*response=none' "$S"
check_eq "dropped response: the kernel did answer it, success" "1 0" \
	"$(in_step "$T" dropped iopf_report | count_lines) $(in_step "$T" dropped iopf_response | kv status)"
check_eq "dropped response: debugfs counts one dropped response and one timeout" "1 1" \
	"$(dbg_delta "$OUT/iopf.before" "$OUT/iopf.after" svamock-dev.0 dropped) $(dbg_delta "$OUT/iopf.before" "$OUT/iopf.after" svamock-dev.0 timeouts)"
l=$(touch_line "$S" 4)
check_eq "after the drop: the page the kernel mapped was walked, the 3 others requested" "1 3" \
	"$(kv walks <<<"$l") $(kv faults <<<"$l")"
check_eq "after the drop: the kernel saw those 3 reports" 3 "$(in_step "$T" after-drop iopf_report | count_lines)"
lab_done
