#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# exit_without_unbind: the release path. A process binds two devices and
# exits without unbinding. Kernel evidence: svamock's release() unbinds
# both (in the exiting task), both domains are freed, and the PASID is freed
# when the mm is dropped.
. "$(dirname "$0")/lib/harness.sh"

lab_guest <<'EOF_GUEST'
labtrace start || exit 1
svaload exit_without_unbind >/out/svaload.txt
echo $? >/out/svaload.rc
labtrace waitn pasid_free 1 10
labtrace dump >/out/trace
cat /sys/kernel/debug/svamock/bonds >/out/bonds
EOF_GUEST

check_eq "svaload exit status" 0 "$(cat "$OUT/svaload.rc" 2>/dev/null)"
pid=$(sed -n 's/^svaload: pid=\([0-9]*\) bind.*/\1/p' "$OUT/svaload.txt" | head -n 1)
check_eq "the process called no unbind ioctl" "" "$(grep ' unbind ' "$OUT/svaload.txt")"
check_eq "release() unbound both bonds in the exiting process ($pid)" "2" \
	"$(trace_events unbind | grep -c -- "-$pid ")"
check_eq "both bonds were detached" "svamock-dev.0 svamock-dev.3" \
	"$(trace_events detach | sed 's/.* dev="\([^"]*\)".*/\1/' | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "both SVA domains were freed" "2" "$(trace_events domain_free | grep -c 'type=0x10')"
pasid=$(trace_field "$(trace_events pasid_alloc)" pasid)
check_eq "the PASID ($pasid) was freed by mm_pasid_drop after exit" "1 $pasid" \
	"$(trace_events mm_pasid_drop | wc -l) $(trace_field "$(trace_events pasid_free)" pasid)"
check_eq "svamock lists no bond at the end" "0" "$(tail -n +2 "$OUT/bonds" | wc -l)"
lab_done
