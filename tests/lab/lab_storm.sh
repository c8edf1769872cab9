#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# storm: 10 processes x 1,000 bind/unbind cycles on svamock-dev.0.
# Kernel evidence (counted by hist triggers in the guest, no event lost): 10,000 binds, all
# successful, 10,000 unbinds, detaches and SVA domain frees; one PASID per
# process (10), all 10 freed after the processes exit; no bond left.
. "$(dirname "$0")/lib/harness.sh"

lab_guest --timeout 600 <<'EOF_GUEST'
labtrace start || exit 1
t0=$(date +%s)
svaload storm >/out/svaload.txt
echo $? >/out/svaload.rc
echo $(( $(date +%s) - t0 )) >/out/seconds
labtrace waitn pasid_free 10 10
labtrace count >/out/counts
t0=$(date +%s)
labtrace dump >/tmp/trace
echo $(( $(date +%s) - t0 )) >/out/dump_seconds
grep -c ' bind_ret: .* ret=0xfffffffffffff' /tmp/trace >/out/bind_errors
grep ' pasid_alloc: ' /tmp/trace | sed 's/.* pasid=//' | sort -n | paste -sd' ' >/out/allocated
grep ' pasid_free: ' /tmp/trace | sed 's/.* pasid=//' | sort -n | paste -sd' ' >/out/freed
cat /sys/kernel/debug/svamock/bonds >/out/bonds
EOF_GUEST

count() { awk -v e="$1" '$1 == e {print $2}' "$OUT/counts"; }
echo "# storm: svaload ran $(cat "$OUT/seconds" 2>/dev/null)s in the guest (with tracing); reading the trace took $(cat "$OUT/dump_seconds" 2>/dev/null)s"
check_eq "svaload exit status" 0 "$(cat "$OUT/svaload.rc" 2>/dev/null)"
check_eq "svaload: 10 processes reported 1000 binds and 1000 unbinds each" "10" \
	"$(grep -c 'done binds=1000 unbinds=1000 expected_errors=0 status=0' "$OUT/svaload.txt")"
check_eq "the tracer lost no event" "0" "$(count lost)"
check_eq "10000 binds traced" "10000" "$(count bind)"
check_eq "10000 bind returns, none an error" "10000 0" "$(count bind_ret) $(cat "$OUT/bind_errors")"
check_eq "10000 unbinds traced" "10000" "$(count unbind)"
check_eq "10000 detaches and 10000 domain frees" "10000 10000" "$(count detach) $(count domain_free)"
check_eq "10000 successful attaches (each cycle a new domain)" "10000" "$(count attach_ret)"
check_eq "one PASID per process: 10 allocated" "10" "$(count pasid_alloc)"
alloc=$(cat "$OUT/allocated")
check_eq "all 10 PASIDs freed after exit" "$alloc" "$(cat "$OUT/freed")"
check_eq "10 mms dropped with a PASID" "10" "$(count mm_pasid_drop)"
check_eq "svamock lists no bond at the end" "0" "$(tail -n +2 "$OUT/bonds" | wc -l)"
lab_done
