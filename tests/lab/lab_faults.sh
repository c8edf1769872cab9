#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The fault knobs and max_pasids, with kernel evidence:
# fail_attach: the bind fails with EIO, the kernel saw set_dev_pasid fail
# (-5) and freed the new domain; fail_domain_alloc: the bind fails with
# ENOMEM before any attach; max_pasids=4 (PASIDs 1..3) with three leaked
# PASIDs: the next bind fails with ENOSPC (no PASID left).
. "$(dirname "$0")/lib/harness.sh"

lab_guest --module-params "max_pasids=4" <<'EOF_GUEST'
cat /sys/module/svamock/parameters/max_pasids >/out/max_pasids
labtrace start || exit 1
svaload faults >/out/faults.txt
echo $? >/out/faults.rc
labtrace waitn pasid_free 1 10
labtrace dump >/out/trace
labtrace start || exit 1
svaload pasid_exhaustion >/out/exhaustion.txt
echo $? >/out/exhaustion.rc
labtrace dump >/out/trace.exhaustion
EOF_GUEST

check_eq "the max_pasids module parameter reached the module" "4" "$(cat "$OUT/max_pasids" 2>/dev/null)"
check_eq "svaload faults: every bind failed or worked as expected" 0 "$(cat "$OUT/faults.rc" 2>/dev/null)"
check "fail_attach: bind failed with EIO" grep -q 'bind svamock-dev.0 failed as expected: EIO' "$OUT/faults.txt"
rets=$(trace_events bind_ret | sed 's/.* ret=//')
check_eq "the kernel's binds returned -EIO, -ENOMEM, then a handle" "-5 -12 ptr" \
	"$(for r in $rets; do trace_ret_kind "$r"; done | paste -sd' ')"
trace_attaches >"$OUT/attaches"
check_eq "fail_attach: the kernel saw the attach of dev.0 fail with -5" "svamock-dev.0 -5" \
	"$(awk 'NR == 1 {print $2, $4}' "$OUT/attaches")"
faildom=$(awk 'NR == 1 {print $1}' "$OUT/attaches")
check_eq "fail_attach: the new domain was freed before the next bind" "$faildom" \
	"$(grep -E ' (bind|domain_free): ' "$OUT/trace" | sed -n '2s/.* domain_free: .* domain=\([^ ]*\).*/\1/p')"
check_eq "fail_domain_alloc: no attach for dev.1" "0" "$(grep -c 'svamock-dev.1' "$OUT/attaches")"
check "fail_domain_alloc: bind failed with ENOMEM" grep -q 'bind svamock-dev.1 failed as expected: ENOMEM' "$OUT/faults.txt"
check_eq "with the knobs off, dev.2 attached" "svamock-dev.2 0" "$(awk 'NR == 2 {print $2, $4}' "$OUT/attaches")"

check_eq "svaload pasid_exhaustion: as expected" 0 "$(cat "$OUT/exhaustion.rc" 2>/dev/null)"
allocs=$(grep ' pasid_alloc: ' "$OUT/trace.exhaustion" | sed 's/.* pasid=//' | paste -sd' ')
check_eq "three PASIDs allocated, then none left (IOMMU_PASID_INVALID)" "1 2 3 4294967295" "$allocs"
check_eq "a failed bind still gave the faults process a PASID (freed at its exit)" "1 1" \
	"$(grep ' pasid_alloc: ' "$OUT/trace" | sed 's/.* pasid=//' | head -n 1) $(grep ' pasid_free: ' "$OUT/trace" | sed 's/.* pasid=//')"
check "the fourth bind failed with ENOSPC" grep -q 'failed as expected: ENOSPC' "$OUT/exhaustion.txt"
lab_done
