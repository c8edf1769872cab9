#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# On kernels we built (make lab-kernel, not part of make check): svatop
# prefers our iommu_sva tracepoints and sees the same lifecycle as with
# fentry on Debian's kernel; on the kernel with the fork fix reverted
# (patches/experiments), svatop's fork invariant fires.
# Run: make lab-kernel-test (builds what is missing first).
. "$(dirname "$0")/../lab/lib/common.sh"
kdir() { readlink -f "$REPO/tools/kbuild/cache/kernels/$1"; }
boot_args() { echo --kernel-image "$(kdir "$1")/bzImage" --module "$(kdir "$1")/modules/svamock/svamock.ko"; }
for k in svatop experiments+svatop; do
	[ -f "$(kdir $k)/bzImage" ] || { ok 1 "kernel '$k' is built" "run: make lab-kernel-test"; exit 1; }
done
guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<'GUEST'
svatop_start trace trace -j
svaload -e 'bind 0; bind 3; ready /out/one_to_n.pid; unbind 0; unbind 3; exit 0'
settle 1
svaload -e 'bind 1; ready /out/fork.pid; fork; sleep 100; exit 0; end; wait; unbind 1; exit 0'
settle 2
svatop_stop
svatop probe --json >/out/probe.json
GUEST
# the same scenarios on Debian's kernel (fentry) and on ours (tracepoints)
run_guest "$REPO/.output/kernel/debian" "$guest"
ok $? "Debian's kernel ran the scenarios (fentry)"
run_guest "$REPO/.output/kernel/tp" "$guest" $(boot_args svatop)
ok $? "the patched kernel ran the scenarios (tracepoints)"
D=$REPO/.output/kernel/debian/trace.out
T=$REPO/.output/kernel/tp/trace.out
for tp in sva_bind sva_unbind sva_domain_alloc sva_domain_free sva_pasid_alloc sva_pasid_free; do
	expect_eq tp_btf "$(jq -r ".hooks[]? | select(.target==\"iommu_sva:$tp\") | .form" "$REPO/.output/kernel/tp/probe.json" 2>/dev/null | head -1)" \
		"probe: iommu_sva:$tp is hooked with tp_btf"
done
for e in bind unbind domain-alloc domain-free pasid-alloc pasid-free; do
	n=$(jcount "$T" ".event==\"$e\"")
	t=$(jcount "$T" ".event==\"$e\" and (.flags|index(\"tracepoint\"))")
	[ "$n" -gt 0 ] && [ "$n" = "$t" ]
	ok $? "tracepoints: every $e event ($n) came from our tracepoint"
done
expect_eq 0 "$(jcount "$T" '(.flags|index("derived"))')" "tracepoints: no domain birth had to be derived"
seq_of() {	# the event types of one scenario's process, attach tries excluded
	local pid
	pid=$(tr -d ' \n' <"$(dirname "$1")/$2.pid")
	jq -r "select(.tgid==$pid and .event!=\"attach\" and .event!=\"exit\") | .event" "$1" | tr '\n' ' '
}
a=$(seq_of "$D" one_to_n)
b=$(seq_of "$T" one_to_n)
expect_eq "$a" "$b" "1:n: the same lifecycle with tracepoints as with fentry ($b)"
a=$(seq_of "$D" fork)
b=$(seq_of "$T" fork)
expect_eq "$a" "$b" "fork: the same lifecycle with tracepoints as with fentry ($b)"

# the fork fix reverted: the child keeps the parent's iommu_mm
cat >"$guest" <<'GUEST'
svatop check --grace 1 --json -- svaload -e 'bind 0; fork; sleep 200; exit 0; end; wait; unbind 0; exit 0' \
	>/out/check.json 2>/out/check.err
echo $? >/out/check.status
svatop_start trace trace -j
svaload -e 'bind 2; ready /out/fork.pid; fork; sleep 200; exit 0; end; wait; unbind 2; exit 0'
settle 2
svatop_stop
GUEST
out=$REPO/.output/kernel/forkbug
run_guest "$out" "$guest" $(boot_args experiments+svatop)
ok $? "the fork-fix-reverted kernel ran the scenarios"
expect_eq 1 "$(cat "$out/check.status")" "forkbug: svatop check exits 1"
# the report is check's last line (the command's own output comes first)
rules=$(tail -1 "$out/check.json" | jq -r '[.findings[]?.rule] | unique | join(" ")')
case " $rules " in
*" fork-shares-iommu-mm "*) ok 0 "forkbug: check names the fork rule ($rules)" ;;
*) ok 1 "forkbug: check names the fork rule" "saw: $rules" ;;
esac
p=$(tr -d ' \n' <"$out/fork.pid")
expect_eq 1 "$(jcount "$out/trace.out" ".event==\"fork-mm\" and .tgid==$p and (.flags|index(\"child-shares-iommu-mm\") != null)")" \
	"forkbug: trace flags the child sharing its parent's iommu_mm"
expect_eq 2 "$(jcount "$out/trace.out" ".event==\"pasid-free\" and .pasid==$(jq -r "select(.event==\"bind\" and .tgid==$p) | .pasid" "$out/trace.out")")" \
	"forkbug: the shared PASID is freed twice (parent's and child's mm_pasid_drop): the double free the seed's v7 fixed"
finish
