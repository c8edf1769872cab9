#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# single: bind then unbind one device. Kernel evidence: one PASID, one SVA
# domain attached then detached and freed at unbind; the PASID is NOT freed
# by the unbind, only by mm_pasid_drop after the process exits.
. "$(dirname "$0")/lib/harness.sh"

lab_guest <<'EOF_GUEST'
labtrace start || exit 1
svaload -e 'bind 0; unbind 0; ready /tmp/unbound; hold /tmp/go' >/out/svaload.txt &
pid=$!
while [ ! -e /tmp/unbound ]; do sleep 0.05; done
labtrace dump >/out/trace.unbound
touch /tmp/go
wait $pid
echo $? >/out/svaload.rc
labtrace waitn pasid_free 1 10
labtrace dump >/out/trace
cat /sys/kernel/debug/svamock/bonds >/out/bonds
EOF_GUEST

check_eq "svaload exit status" 0 "$(cat "$OUT/svaload.rc" 2>/dev/null)"
pasid=$(sed -n 's/.* bind svamock-dev.0 pasid=//p' "$OUT/svaload.txt")
check_eq "bind_ret returned a handle, not an error" "ptr" \
	"$(trace_ret_kind "$(trace_field "$(trace_events bind_ret)" ret)")"
check_eq "the kernel allocated the PASID svaload got" "$pasid" \
	"$(trace_field "$(trace_events pasid_alloc)" pasid)"
trace_attaches >"$OUT/attaches"
check_eq "one successful attach of svamock-dev.0 on that PASID" "svamock-dev.0 $pasid 0" \
	"$(awk '{print $2, $3, $4}' "$OUT/attaches")"
dom=$(awk '{print $1}' "$OUT/attaches")
check_eq "unbind dropped the last user of that domain" "$dom 1" \
	"$(trace_events unbind | sed 's/.* domain=\([^ ]*\) .*domain_users=\([^ ]*\).*/\1 \2/')"
check_eq "unbind detached and freed the SVA domain" "$dom $dom 0x10" \
	"$(trace_field "$(trace_events detach)" domain) $(trace_events domain_free | sed 's/.* domain=\([^ ]*\) type=\([^ ]*\).*/\1 \2/')"
check_eq "the PASID was still allocated after unbind (no pasid_free yet)" "0" \
	"$(grep -c ' pasid_free: ' "$OUT/trace.unbound")"
check_eq "the PASID was freed after exit, by mm_pasid_drop" "1 $pasid" \
	"$(trace_events mm_pasid_drop | wc -l) $(trace_field "$(trace_events pasid_free)" pasid)"
check_eq "svamock lists no bond at the end" "0" "$(tail -n +2 "$OUT/bonds" | wc -l)"
lab_done
