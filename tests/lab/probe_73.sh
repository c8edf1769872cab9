#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# svatop probe on the real 7.3 kernel in the lab: verdict real-fixed, exit
# 0, every hook fentry/tp_btf/iter, and the live tracer attaches them all and
# sees a bind through the mock SVA IOMMU.
. "$(dirname "$0")/lib/harness.sh"
out=$REPO/.output/lab/probe_73
guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<'GUEST'
svatop probe --json >/out/probe.json 2>/out/probe.err
echo $? >/out/probe.status
svatop probe >/out/probe.txt 2>&1
svatop_start trace trace -j
svaload -e 'bind 0; ready /out/bind.pid; unbind 0; exit 0'
settle 2
svatop_stop
GUEST
run_guest "$out" "$guest"
ok $? "lab VM (7.3) ran svatop probe and trace"
J=$out/probe.json
expect_eq 0 "$(cat "$out/probe.status" 2>/dev/null)" "probe exits 0: SVA usable and traceable"
expect_eq real-fixed "$(jq -r .verdict "$J" 2>/dev/null)" "probe verdict: real-fixed"
expect_eq true "$(jq -r .kernel.live "$J" 2>/dev/null)" "probe read the running kernel"
expect_eq "" "$(jq -r '.hooks[] | select(.optional | not) | select(.form == "missing" or .form == "kprobe") | .target' "$J" 2>/dev/null | tr '\n' ' ')" \
	"every required hook is fentry, tp_btf or iter on 7.3"
expect_eq "iommu_sva_iopf_handler iommu_sva_invalidate_kva_range " \
	"$(jq -r '.evidence[] | select(.present == true) | .fact' "$J" 2>/dev/null |
	   sed -n 's/^function \(iommu_sva_iopf_handler\|iommu_sva_invalidate_kva_range\)$/\1/p' | tr '\n' ' ')" \
	"evidence from the live kernel: the page-fault handler and the fix"
grep -q '^Exit status 0' "$out/probe.txt"
ok $? "human form says exit status 0"
T=$out/trace.out
# The lifecycle rows; the IOPF rows (iopf *, iotlb inval) belong to the
# separate IOPF object, which "N hooks" does not count.
grep -q "svatop: tracing (live, $(jq '.hooks | map(select(.event | test("^(iopf|iotlb) ") | not)) | length' "$J") hooks)" "$out/trace.err"
ok $? "svatop trace attached every lifecycle hook of the table" "$(head -3 "$out/trace.err" 2>/dev/null)"
p=$(cat "$out/bind.pid" 2>/dev/null)
expect_eq 1 "$(jcount "$T" ".event==\"bind\" and .tgid==${p:-0} and .ret==0")" "trace saw the bind succeed"
finish
