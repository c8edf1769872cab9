#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# On the kernel we built with our tracepoints (make lab-kernel, not part
# of make check): svatop prefers our iommu_sva tracepoints and sees the
# same lifecycle as with fentry on Debian's kernel. The kernel with the
# fork fix reverted is tests/kernel/bugs.sh's.
# Run: make lab-kernel-test (builds what is missing first).
. "$(dirname "$0")/lib/kernel.sh"
kernel_built svatop || exit 1
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
boot "$REPO/.output/kernel/debian" "Debian's kernel (fentry)" debian "$guest"
boot "$REPO/.output/kernel/tp" "the patched kernel (tracepoints)" svatop "$guest"
kernel_evidence "the patched kernel (tracepoints)" "$(kernel_log "$REPO/.output/kernel/tp")" "" "" ""
D=$REPO/.output/kernel/debian/trace.out
T=$REPO/.output/kernel/tp/trace.out
P=$REPO/.output/kernel/tp/probe.json
if have "$P" "probe: the iommu_sva tracepoints are hooked with tp_btf"; then
	for tp in sva_bind sva_unbind sva_domain_alloc sva_domain_free sva_pasid_alloc sva_pasid_free; do
		expect_eq tp_btf "$(jq -r ".hooks[]? | select(.target==\"iommu_sva:$tp\") | .form" "$P" 2>/dev/null | head -1)" \
			"probe: iommu_sva:$tp is hooked with tp_btf"
	done
fi
if have "$T" "tracepoints: svatop trace recorded the events on the patched kernel"; then
	for e in bind unbind domain-alloc domain-free pasid-alloc pasid-free; do
		n=$(jcount "$T" ".event==\"$e\"")
		t=$(jcount "$T" ".event==\"$e\" and (.flags|index(\"tracepoint\"))")
		[ "$n" -gt 0 ] && [ "$n" = "$t" ]
		ok $? "tracepoints: every $e event ($n) came from our tracepoint"
	done
	expect_eq 0 "$(jcount "$T" '(.flags|index("derived"))')" "tracepoints: no domain birth had to be derived"
fi
# seq_of TRACE NAME: the event types of scenario NAME's process (its pid in
# NAME.pid beside TRACE), attach tries excluded; nothing when a file is missing
seq_of() {
	local pid
	[ -s "$1" ] && pid=$(tr -d ' \n' <"$(dirname "$1")/$2.pid" 2>/dev/null) && [ -n "$pid" ] || return 1
	jq -r "select(.tgid==$pid and .event!=\"attach\" and .event!=\"exit\") | .event" "$1" | tr '\n' ' '
}
for s in one_to_n fork; do
	if ! a=$(seq_of "$D" $s); then
		ok 1 "$s: the same lifecycle with tracepoints as with fentry" "missing trace.out or $s.pid from Debian's kernel"
	elif ! b=$(seq_of "$T" $s); then
		ok 1 "$s: the same lifecycle with tracepoints as with fentry" "missing trace.out or $s.pid from the patched kernel"
	elif [ -z "$a" ]; then
		ok 1 "$s: the same lifecycle with tracepoints as with fentry" "no event of the process on Debian's kernel"
	else
		expect_eq "$a" "$b" "$s: the same lifecycle with tracepoints as with fentry ($b)"
	fi
done
finish
