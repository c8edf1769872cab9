#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The 1:n case on the real SVA core: one process binds svamock-dev.0
# (behind svamock-iommu0) and svamock-dev.3 (behind svamock-iommu1).
# Kernel evidence: one PASID, two distinct SVA domains, both freed on
# unbind, the PASID freed when the mm is dropped after exit.
. "$(dirname "$0")/lib/harness.sh"

lab_guest <<'EOF_GUEST'
labtrace start || exit 1
svaload one_to_n >/out/svaload.txt
echo $? >/out/svaload.rc
labtrace waitn pasid_free 1 10
labtrace dump >/out/trace
cat /sys/kernel/debug/svamock/bonds >/out/bonds
EOF_GUEST

check_eq "svaload one_to_n exit status" 0 "$(cat "$OUT/svaload.rc" 2>/dev/null)"
pasids=$(sed -n 's/.* bind .* pasid=//p' "$OUT/svaload.txt" | sort -u | tr '\n' ' ')
check_eq "both binds returned the same PASID" "1 " "$pasids"
check_eq "the kernel allocated exactly one PASID" "1" "$(trace_events pasid_alloc | wc -l)"
pasid=$(trace_field "$(trace_events pasid_alloc)" pasid)
check_eq "the allocated PASID is the one svaload got" "1" "$pasid"

trace_attaches >"$OUT/attaches"
ok_attaches=$(awk '$4 == 0' "$OUT/attaches")
check_eq "two successful PASID attaches (dev.0, dev.3)" "svamock-dev.0 svamock-dev.3" \
	"$(awk '{print $2}' <<<"$ok_attaches" | sort | tr '\n' ' ' | sed 's/ $//')"
d0=$(awk '$2 == "svamock-dev.0" {print $1}' <<<"$ok_attaches")
d3=$(awk '$2 == "svamock-dev.3" {print $1}' <<<"$ok_attaches")
# (pointers are compared as strings: awk may read 0x... as a number)
check "the two attaches use two distinct domains ($d0, $d3)" \
	test -n "$d0" -a -n "$d3" -a "$d0" != "$d3"
check_eq "both attaches use PASID $pasid" "$pasid $pasid" \
	"$(awk '$4 == 0 {print $3}' "$OUT/attaches" | tr '\n' ' ' | sed 's/ $//')"
check_eq "svamock-iommu1 refused svamock-iommu0's domain (-EINVAL)" "$d0 svamock-dev.3 $pasid -22" \
	"$(grep -F "$d0 svamock-dev.3 " "$OUT/attaches")"
freed=$(trace_events domain_free | grep 'type=0x10' | sed 's/.* domain=\([^ ]*\).*/\1/' | sort | tr '\n' ' ')
check_eq "both SVA domains were freed" "$(printf '%s\n' "$d0" "$d3" | sort | tr '\n' ' ')" "$freed"
check_eq "each unbind detached its own domain" "$d0 svamock-dev.0|$d3 svamock-dev.3" \
	"$(trace_events detach | sed 's/.* domain=\([^ ]*\) dev="\([^"]*\)".*/\1 \2/' | paste -sd'|')"
check_eq "the PASID was freed after exit (mm_pasid_drop with iommu_mm set)" "1 $pasid" \
	"$(trace_events mm_pasid_drop | wc -l) $(trace_field "$(trace_events pasid_free)" pasid)"
check_eq "svamock lists no bond at the end" "0" "$(tail -n +2 "$OUT/bonds" | wc -l)"
lab_done
