#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fork_after_bind: the parent binds svamock-dev.0 and forks two children
# sharing the open file; the first binds, the second does not.
# Kernel evidence: fork copies the parent's iommu_mm pointer and mm_init
# resets it (the child starts without a PASID); the binding child gets its
# own mm and a new PASID, freed after it exits; the other child allocates
# nothing; the parent's bond and PASID live until the parent unbinds/exits.
. "$(dirname "$0")/lib/harness.sh"

lab_guest <<'EOF_GUEST'
labtrace start bind bind_ret unbind pasid_alloc pasid_free attach attach_ret \
	detach domain_free mm_pasid_drop mm_init mm_init_ret || exit 1
svaload fork_after_bind >/out/svaload.txt
echo $? >/out/svaload.rc
labtrace waitn pasid_free 2 10
labtrace dump >/out/trace
EOF_GUEST

check_eq "svaload exit status" 0 "$(cat "$OUT/svaload.rc" 2>/dev/null)"
ppid_=$(sed -n 's/^svaload: pid=\([0-9]*\) bind.*/\1/p' "$OUT/svaload.txt" | head -n 1)
cpids=$(sed -n 's/^svaload: pid=\([0-9]*\) child started/\1/p' "$OUT/svaload.txt")
c1=$(sed -n 1p <<<"$cpids")
c2=$(sed -n 2p <<<"$cpids")
p1=$(sed -n "s/^svaload: pid=$ppid_ bind .*pasid=//p" "$OUT/svaload.txt")
p2=$(sed -n "s/^svaload: pid=$c1 bind .*pasid=//p" "$OUT/svaload.txt")
check_eq "parent and binding child got PASIDs $p1 and $p2 from the kernel" "$p1 $p2" \
	"$(trace_events pasid_alloc | sed 's/.* pasid=//' | paste -sd' ')"
check "the child's PASID differs from the parent's" test -n "$p1" -a -n "$p2" -a "$p1" != "$p2"
pmm=$(trace_events bind | grep -- "-$ppid_ " | sed 's/.* mm=//' | head -n 1)
cmm=$(trace_events bind | grep -- "-$c1 " | sed 's/.* mm=//' | head -n 1)
check "the child bound with its own mm ($cmm, parent $pmm)" test -n "$cmm" -a "$cmm" != "$pmm"
forks=$(trace_events mm_init | grep -- "-$ppid_ ")
check_eq "both forks copied the parent's iommu_mm pointer into the child mm" "2" \
	"$(wc -l <<<"$forks" | tr -d ' ')"
reset=$(awk -v p="-$ppid_" '$1 ~ p"$" && / mm_init: \(/ { m = $0; sub(/.* mm=/, "", m); sub(/ .*/, "", m); want[m] = 1 }
	$1 ~ p"$" && / mm_init_ret: \(/ { m = $0; sub(/.* mm=/, "", m); sub(/ .*/, "", m)
		if (m in want) { r = $0; sub(/.* iommu_mm=/, "", r); print r } }' "$OUT/trace" | paste -sd' ')
check_eq "mm_init reset it to NULL in both children" "0x0 0x0" "$reset"
check_eq "the second child never bound" "" "$(trace_events bind | grep -- "-$c2 ")"
check_eq "two mms dropped with a PASID (binding child, parent), not three" "2" \
	"$(trace_events mm_pasid_drop | wc -l)"
check_eq "PASIDs freed: the child's first, the parent's last" "$p2 $p1" \
	"$(trace_events pasid_free | sed 's/.* pasid=//' | paste -sd' ')"
first_detach=$(trace_events detach | head -n 1)
check "the first detach was the child's own bond" grep -q -- "-$c1 " <<<"$first_detach"
pdom=$(trace_attaches | awk 'NR == 1 {print $1}')
check_eq "the parent's domain was freed only at the parent's unbind" "$ppid_" \
	"$(trace_events domain_free | grep -F "domain=$pdom " | sed 's/^ *[^ ]*-\([0-9]*\) .*/\1/')"
lab_done
