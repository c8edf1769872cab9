#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# leak: with leak_on_release set, a child binds and exits; release() skips
# the unbind. Kernel evidence: no unbind, no detach, no domain free, no
# mm_pasid_drop and no PASID free for it; svamock still lists the bond as
# leaked; a later process gets the next PASID (and its own is freed, which
# shows the tracer was live while the leaked one was not).
. "$(dirname "$0")/lib/harness.sh"

lab_guest <<'EOF_GUEST'
labtrace start || exit 1
svaload leak >/out/svaload.txt
echo $? >/out/svaload.rc
labtrace waitn pasid_free 1 10
labtrace dump >/out/trace
cat /sys/kernel/debug/svamock/bonds >/out/bonds
cat /sys/module/svamock/parameters/leak_on_release >/out/knob
EOF_GUEST

check_eq "svaload exit status" 0 "$(cat "$OUT/svaload.rc" 2>/dev/null)"
leaked=$(sed -n 's/.* bind svamock-dev.0 pasid=//p' "$OUT/svaload.txt")
second=$(sed -n 's/.* bind svamock-dev.1 pasid=//p' "$OUT/svaload.txt")
check_eq "the kernel allocated two PASIDs ($leaked, then $second)" "$leaked $second" \
	"$(trace_events pasid_alloc | sed 's/.* pasid=//' | tr '\n' ' ' | sed 's/ $//')"
check "the second process got another PASID" test -n "$leaked" -a "$leaked" != "$second"
check_eq "only svamock-dev.1 was unbound and detached" "svamock-dev.1|svamock-dev.1" \
	"$(trace_events unbind | sed 's/.* dev="\([^"]*\)".*/\1/' | paste -sd' ')|$(trace_events detach | sed 's/.* dev="\([^"]*\)".*/\1/' | paste -sd' ')"
check_eq "only one SVA domain was freed" "1" "$(trace_events domain_free | wc -l)"
check_eq "only the second PASID was freed; the leaked one stays allocated" "$second" \
	"$(trace_events pasid_free | sed 's/.* pasid=//' | paste -sd' ')"
check_eq "only one mm was dropped (the leaked mm is pinned by its domain)" "1" \
	"$(trace_events mm_pasid_drop | wc -l)"
row=$(tail -n +2 "$OUT/bonds")
check_eq "svamock still lists the leaked bond" "svamock-dev.0 $leaked leaked" \
	"$(awk -F'\t' '{print $1, $3, $7}' <<<"$row")"
dom=$(trace_events attach | grep 'svamock-dev.0' | sed 's/.* domain=\([^ ]*\).*/\1/')
check_eq "the listed domain is the one the kernel attached" "$dom" "$(cut -f6 <<<"$row")"
check_eq "the scenario turned the knob off again" "N" "$(cat "$OUT/knob")"
lab_done
