#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The stubbed LTS kernel: the newest linux-image-amd64 of bookworm-backports
# (6.12.y, resolved from the archive, never hard-coded) boots, svamock
# builds and loads, its devices get IOMMU groups, and every bind fails
# with -EOPNOTSUPP in the kernel (the CVE-2025-71089 stub): no PASID is
# allocated and no domain attached.
. "$(dirname "$0")/lib/harness.sh"

rel=$("$LAB_TEST_REPO/tools/lab/fetch" --resolve bookworm-backports 2>"$OUT/resolve.err")
check "resolved the bookworm-backports kernel ($rel)" test -n "$rel"
[ -n "$rel" ] || { cat "$OUT/resolve.err" >&2; exit 1; }

lab_guest --kernel "$rel" <<'EOF_GUEST'
uname -r >/out/uname
tail -n +2 /sys/kernel/debug/svamock/devices >/out/devices
labtrace start bind bind_ret pasid_alloc attach || exit 1
svaload -e 'bind 0 expect=EOPNOTSUPP; bind 3 expect=EOPNOTSUPP' >/out/svaload.txt
echo $? >/out/svaload.rc
labtrace dump >/out/trace
tail -n +2 /sys/kernel/debug/svamock/bonds >/out/bonds
EOF_GUEST

check_eq "the VM ran the bookworm-backports kernel" "$rel" "$(cat "$OUT/uname" 2>/dev/null)"
check_eq "svamock's 6 devices are in IOMMU groups" "6" \
	"$(awk -F'\t' '$5 >= 0' "$OUT/devices" | wc -l)"
check_eq "both binds failed with EOPNOTSUPP as svaload expected" "0" "$(cat "$OUT/svaload.rc" 2>/dev/null)"
rets=$(trace_events bind_ret | sed 's/.* ret=//')
check_eq "the kernel's iommu_sva_bind_device returned -95 twice" "-95 -95" \
	"$(for r in $rets; do trace_ret_kind "$r"; done | paste -sd' ')"
check_eq "no PASID allocated, no domain attached" "0 0" \
	"$(trace_events pasid_alloc | wc -l) $(trace_events attach | wc -l)"
check_eq "svamock lists no bond" "0" "$(wc -l <"$OUT/bonds")"
lab_done
