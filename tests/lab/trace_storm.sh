#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A storm of 10,000 bind/unbind cycles (10 processes x 1,000) under
# svatop trace: for every hooked function, the events svatop delivered
# plus the ones it reports lost equal the kernel's own kprobe hit counts.
. "$(dirname "$0")/lib/harness.sh"
out=$REPO/.output/lab/trace_storm
guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<'GUEST'
T=/sys/kernel/tracing
for f in iommu_sva_bind_device iommu_sva_unbind_device iommu_attach_device_pasid \
	 iommu_detach_device_pasid iommu_alloc_global_pasid iommu_free_global_pasid; do
	echo "p:svt_$f $f" >>$T/kprobe_events || exit 1
done
echo 0 >$T/tracing_on
echo 1 >$T/events/kprobes/enable
svatop_start trace trace -j
svaload storm >/out/storm.log 2>&1 || { echo "storm failed"; cat /out/storm.log; }
settle 2
svatop_stop
echo 0 >$T/events/kprobes/enable
cat $T/kprobe_profile >/out/kprobe_profile
GUEST
run_guest "$out" "$guest"
ok $? "lab VM ran the storm"
T=$out/trace.out
P=$out/kprobe_profile
[ -s "$T" ] && [ -s "$P" ] || { ok 1 "trace and kernel counts exist"; exit 1; }
hits() { awk -v n="svt_$1" '$1 == n { print $2 }' "$P"; }
summary=$(jq -c 'select(.event=="summary")' "$T")
echo "summary: $summary"
# lost: records that found the ring full, and calls the kernel skipped
dropped() { echo "$summary" | jq -r "(.dropped_by_event[\"$1\"] // 0) + (.missed_by_event[\"$1\"] // 0)"; }
check_counts() {	# check_counts EVENT FUNCTION [JQ CONDITION]
	local seen kernel lost
	seen=$(jcount "$T" ".event==\"$1\"${3:+ and $3}")
	kernel=$(hits "$2")
	lost=$(dropped "$1")
	expect_eq "$kernel" "$((seen + lost))" "storm: $1 events seen ($seen) + lost ($lost) = kernel's $2 hits"
}
expect_eq 10000 "$(hits iommu_sva_bind_device)" "storm: the kernel saw 10,000 binds"
check_counts bind iommu_sva_bind_device
check_counts unbind iommu_sva_unbind_device
check_counts attach iommu_attach_device_pasid
check_counts detach iommu_detach_device_pasid
check_counts pasid-alloc iommu_alloc_global_pasid
check_counts pasid-free iommu_free_global_pasid
expect_eq "$(echo "$summary" | jq .submitted)" "$(echo "$summary" | jq .delivered)" \
	"storm: every record the kernel side committed reached user space"
expect_eq 10 "$(jq -r 'select(.event=="pasid-alloc") | .pasid' "$T" | sort -u | wc -l)" \
	"storm: 10 processes got 10 PASIDs"
finish
