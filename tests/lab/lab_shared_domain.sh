#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shared_domain: one process binds three devices of svamock-iommu0.
# Kernel evidence: one PASID, ONE SVA domain attached three times, freed
# only at the last unbind; svamock's bonds (ground truth) agree.
. "$(dirname "$0")/lib/harness.sh"

lab_guest <<'EOF_GUEST'
labtrace start || exit 1
svaload -e 'bind 0; bind 1; bind 2; ready /tmp/bound; hold /tmp/go; unbind 0; unbind 1; unbind 2' >/out/svaload.txt &
pid=$!
while [ ! -e /tmp/bound ]; do sleep 0.05; done
cat /sys/kernel/debug/svamock/bonds >/out/bonds.bound
touch /tmp/go
wait $pid
echo $? >/out/svaload.rc
labtrace waitn pasid_free 1 10
labtrace dump >/out/trace
EOF_GUEST

check_eq "svaload exit status" 0 "$(cat "$OUT/svaload.rc" 2>/dev/null)"
check_eq "the kernel allocated one PASID" "1" "$(trace_events pasid_alloc | wc -l)"
trace_attaches >"$OUT/attaches"
check_eq "three successful attaches, no failed one" "3 0" \
	"$(awk '$4 == 0' "$OUT/attaches" | wc -l) $(awk '$4 != 0' "$OUT/attaches" | wc -l)"
check_eq "all three attaches use one domain" "1" "$(awk '{print $1}' "$OUT/attaches" | sort -u | wc -l)"
dom=$(awk 'NR == 1 {print $1}' "$OUT/attaches")
check_eq "svamock's bonds: 3 devices, one PASID, the traced domain" \
	"svamock-dev.0 svamock-dev.1 svamock-dev.2|1|$dom" \
	"$(tail -n +2 "$OUT/bonds.bound" | cut -f1 | sort | tr '\n' ' ' | sed 's/ $//')|$(tail -n +2 "$OUT/bonds.bound" | cut -f3 | sort -u | tr '\n' ' ' | sed 's/ $//')|$(tail -n +2 "$OUT/bonds.bound" | cut -f6 | sort -u)"
check_eq "the unbinds saw the domain's users at 3, 2, 1" "3 2 1" \
	"$(trace_events unbind | sed 's/.* domain_users=\([^ ]*\).*/\1/' | paste -sd' ')"
check_eq "each handle (device, PASID) had one user" "1 1 1" \
	"$(trace_events unbind | sed 's/.* users=\([^ ]*\).*/\1/' | paste -sd' ')"
check_eq "the domain was freed once, after the third detach" "detach detach detach domain_free" \
	"$(grep -E ' (detach|domain_free): ' "$OUT/trace" | sed 's/.* \([a-z_]*\): (.*/\1/' | tr '\n' ' ' | sed 's/ $//')"
check_eq "the freed domain is the shared one" "$dom" "$(trace_field "$(trace_events domain_free)" domain)"
check_eq "the PASID was freed after exit" "1" "$(trace_events pasid_free | wc -l)"
lab_done
