#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# State that existed before svatop started: a process bound to devices of
# both instances, and an mm whose process is gone (leaked by a driver that
# skipped unbind), both found by the start-up snapshot; then the kprobe
# fallback sees the same 1:n lifecycle as fentry. The snapshot's two list
# heads come from bpf_kallsyms_lookup_name() (BTF-first start: no
# /proc/kallsyms read), and must be the addresses /proc/kallsyms shows;
# -k and -s read the symbol table.
. "$(dirname "$0")/lib/harness.sh"
out=$REPO/.output/lab/trace_snapshot
guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<'GUEST'
# an orphan: its process exits, the driver keeps the bond
echo 1 >/sys/module/svamock/parameters/leak_on_release
svaload -e 'bind 1; ready /out/orphan.pid; exit 0' >/out/orphan.log 2>&1
echo 0 >/sys/module/svamock/parameters/leak_on_release
# a live process holding two bonds
svaload prebound >/out/prebound.log 2>&1 &
i=0
while [ ! -s /tmp/prebound.ready ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
cp /tmp/prebound.ready /out/prebound.pid
grep -E ' (iommu_sva_mms|iommu_group_kset)$' /proc/kallsyms >/out/lists.kallsyms
svatop_start snap trace -j -v
touch /tmp/prebound.go
wait %1 2>/dev/null || wait
settle 2
svatop_stop
cat /sys/kernel/debug/svamock/bonds >/out/bonds
svatop_start kp trace -j -v --kprobe --no-snapshot
svaload -e 'bind 0; bind 3; ready /out/kp.pid; unbind 0; unbind 3; exit 0'
settle 2
svatop_stop
svatop_start stacks trace -j -v -s --no-snapshot
svaload -e 'bind 5; ready /out/stacks.pid; unbind 5; exit 0'
settle 1
svatop_stop
svatop_start stacktext trace -s --no-snapshot
svaload -e 'bind 5; unbind 5; exit 0'
settle 1
svatop_stop
GUEST
run_guest "$out" "$guest"
ok $? "lab VM ran the snapshot and kprobe scenarios"
S=$out/snap.out
K=$out/kp.out
[ -s "$S" ] && [ -s "$K" ] || { ok 1 "both traces exist"; exit 1; }

p=$(tr -d ' \n' <"$out/prebound.pid")
mm=$(jq -r "select(.event==\"snap-mm\" and .tgid==$p) | .mm" "$S")
[ -n "$mm" ] && [ "$mm" != null ]
ok $? "snapshot: the pre-bound process $p is found with its mm"
pasid=$(sed -n 's/.*bind svamock-dev.0 pasid=\([0-9]*\).*/\1/p' "$out/prebound.log")
expect_eq "$pasid" "$(jq -r "select(.event==\"snap-mm\" and .tgid==$p) | .pasid" "$S")" \
	"snapshot: its PASID is the one the bind returned"
expect_eq "1 1" "$(jq -r "select(.event==\"snap-domain\" and .mm==\"$mm\") | .domain_users" "$S" | tr '\n' ' ' | sed 's/ $//')" \
	"snapshot: two SVA domains (one per instance), one user each"
last_snap=$(jq -r 'select(.flags|index("snapshot")) | .event' "$S" | tail -1)
expect_eq snap-end "$last_snap" "snapshot: ends with snap-end"
expect_eq 2 "$(jcount "$S" ".event==\"unbind\" and .tgid==$p")" \
	"after the snapshot: both unbinds of the pre-bound process are traced"
expect_eq 2 "$(jcount "$S" ".event==\"domain-free\" and .mm==\"$mm\"")" \
	"after the snapshot: its two domains are freed"

op=$(tr -d ' \n' <"$out/orphan.pid")
opasid=$(sed -n 's/.*bind svamock-dev.1 pasid=\([0-9]*\).*/\1/p' "$out/orphan.log")
expect_eq 1 "$(jcount "$S" ".event==\"snap-mm\" and .tgid==0 and .pasid==$opasid")" \
	"snapshot: the leaked mm of exited pid $op (PASID $opasid) is found on iommu_sva_mms with no owner"
grep -q "pasid.*$opasid\|	$opasid	" "$out/bonds"
ok $? "ground truth: svamock still lists the leaked bond (PASID $opasid)"

for l in iommu_sva_mms iommu_group_kset; do
	want=$(awk -v n=$l '$3 == n { print $1 }' "$out/lists.kallsyms" | sed 's/^0*//')
	got=$(sed -n "s/.*start-up: BTF only;.* $l at 0x\([0-9a-f]*\).*/\1/p" "$out/snap.err")
	[ -n "$want" ] && [ "$want" = "$got" ]
	ok $? "BTF-first start: $l at the address /proc/kallsyms shows (bpf_kallsyms_lookup_name: ${got:-none}, kallsyms: ${want:-none})"
done
grep -q 'start-up: /proc/kallsyms read' "$out/snap.err"
ok $((1 - $?)) "BTF-first start: trace did not read /proc/kallsyms"
grep -q 'start-up: /proc/kallsyms read (-k' "$out/kp.err"
ok $? "-k reads /proc/kallsyms (kprobes on symbols)"
grep -q 'start-up: /proc/kallsyms read (stacks' "$out/stacks.err"
ok $? "-s reads /proc/kallsyms (stacks to symbolize)"

kp=$(tr -d ' \n' <"$out/kp.pid")
expect_eq 0 "$(jq -c "select(.tgid==$kp and .event!=\"summary\" and (.flags|index(\"kprobe\")|not))" "$K" | wc -l | tr -d ' ')" \
	"kprobe mode: every event of the process came from a kprobe"
seq=$(jq -r "select(.tgid==$kp) | .event" "$K" | grep -v '^attach$' | tr '\n' ' ')
case "$seq" in
"pasid-alloc domain-alloc bind domain-alloc bind unbind detach domain-free unbind detach domain-free "*)
	ok 0 "kprobe mode: the 1:n lifecycle (alloc, 2 births, 2 binds, 2 unbind/detach/free)" ;;
*) ok 1 "kprobe mode: the 1:n lifecycle" "saw: $seq" ;;
esac
expect_eq 2 "$(jq -r "select(.tgid==$kp and .event==\"attach\" and .ret==0) | .iommu_name" "$K" | sort -u | wc -l | tr -d ' ')" \
	"kprobe mode: attaches on two instances"
sp=$(tr -d ' \n' <"$out/stacks.pid")
for e in pasid-alloc domain-alloc; do
	jq -r "select(.tgid==$sp and .event==\"$e\") | .stack | join(\" \")" "$out/stacks.out" |
		grep -q 'iommu_sva_bind_device+0x.* svamock_ioctl+0x'
	ok $? "-s: the $e event's stack runs through iommu_sva_bind_device from the driver"
done
# fexit runs after the function returned: its caller, the driver, tops the stack
jq -r "select(.tgid==$sp and .event==\"bind\") | .stack[0]" "$out/stacks.out" | grep -q '^svamock_ioctl+0x'
ok $? "-s: the bind event's stack starts at the driver that bound"
# BPF trampolines are not in kallsyms: they stay raw addresses, never named
# after the nearest symbol below them (orc_header, on 7.3)
jq -r "select(.tgid==$sp) | .stack // [] | .[]" "$out/stacks.out" | grep -q 'orc_header'
ok $((1 - $?)) "-s: no frame is misattributed to a non-text symbol"

grep -q '^ *iommu_sva_bind_device+0x' "$out/stacktext.out"
ok $? "-s: text mode prints the stack frames under the event"
finish
