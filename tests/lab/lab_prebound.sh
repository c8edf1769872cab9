#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# prebound: a process binds, then holds; the tracer starts only afterwards.
# Evidence: svamock's bonds list the held bonds (one PASID, two domains);
# the tracer, started late, sees no bind but sees the unbinds of exactly
# those domains once the process is released (the state a tool started
# after the bind must find by itself).
. "$(dirname "$0")/lib/harness.sh"

lab_guest <<'EOF_GUEST'
svaload prebound >/out/svaload.txt &
pid=$!
n=0
while [ ! -s /tmp/prebound.ready ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
cat /tmp/prebound.ready >/out/ready
cat /sys/kernel/debug/svamock/bonds >/out/bonds.held
labtrace start || exit 1
touch /tmp/prebound.go
wait $pid
echo $? >/out/svaload.rc
labtrace waitn pasid_free 1 10
labtrace dump >/out/trace
EOF_GUEST

check_eq "svaload exit status" 0 "$(cat "$OUT/svaload.rc" 2>/dev/null)"
pid=$(sed -n 's/^svaload: pid=\([0-9]*\) bind.*/\1/p' "$OUT/svaload.txt" | head -n 1)
check_eq "the ready file holds the svaload pid" "$pid" "$(cat "$OUT/ready" 2>/dev/null)"
held=$(tail -n +2 "$OUT/bonds.held")
check_eq "while held, svamock lists both bonds of that pid" "svamock-dev.0 $pid bound|svamock-dev.3 $pid bound" \
	"$(awk -F'\t' '{print $1, $4, $7}' <<<"$held" | paste -sd'|')"
check_eq "both bonds share one PASID" "1" "$(cut -f3 <<<"$held" | sort -u | wc -l)"
check_eq "the bonds have two distinct domains" "2" "$(cut -f6 <<<"$held" | sort -u | wc -l)"
check_eq "the late tracer saw no bind" "0" "$(trace_events bind | wc -l)"
check_eq "it saw the unbinds of exactly the listed domains" "$(cut -f6 <<<"$held" | sort | paste -sd' ')" \
	"$(trace_events unbind | sed 's/.* domain=\([^ ]*\).*/\1/' | sort | paste -sd' ')"
check_eq "and the PASID freed after exit" "$(cut -f3 <<<"$held" | sort -u)" \
	"$(trace_field "$(trace_events pasid_free)" pasid)"
lab_done
