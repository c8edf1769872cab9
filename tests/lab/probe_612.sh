#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# svatop probe on Debian 12's 6.12 backports kernel (x86 SVA stub) in the
# lab (the newest one in bookworm-backports): verdict stubbed, exit 1; a bind through the mock SVA IOMMU fails with
# -EOPNOTSUPP and svatop trace shows it with the explanation (step stub).
. "$(dirname "$0")/lib/harness.sh"
out=$REPO/.output/lab/probe_612
# The kernel Debian 12 users get from bookworm-backports today (superseded
# versions vanish from the archive: never hard-code one). LAB_STUB_KERNEL
# overrides it.
stub_kernel() {
	(
		LAB_PROG=probe_612
		. "$REPO/tools/lab/lib.sh"
		lab_apt_update >/dev/null
		ver=$(lab_apt_cache madison linux-image-amd64 |
			awk -F'|' '$3 ~ / bookworm-backports\// {gsub(/ /, "", $2); print $2}' |
			sort -V | tail -n 1)
		[ -n "$ver" ] || exit 1
		lab_apt_cache show "linux-image-amd64=$ver" |
			sed -n 's/^Depends:.*linux-image-\([^ ,]*-amd64\) .*/\1/p' | head -n 1
	)
}
kernel=${LAB_STUB_KERNEL:-$(stub_kernel)}
if [ -z "$kernel" ]; then
	ok 1 "find Debian 12's bookworm-backports kernel (linux-image-amd64) in the package lists"
	exit 1
fi
guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<'GUEST'
svatop probe --json >/out/probe.json 2>/out/probe.err
echo $? >/out/probe.status
svatop probe >/out/probe.txt 2>&1
svatop_start trace trace -j
svaload -e 'ready /out/bind.pid; bind 0 expect=EOPNOTSUPP; exit 0'
echo $? >/out/svaload.status
settle 2
svatop_stop
GUEST
run_guest "$out" "$guest" --kernel "$kernel"
ok $? "lab VM ($kernel) ran svatop probe and trace"
J=$out/probe.json
expect_eq 1 "$(cat "$out/probe.status" 2>/dev/null)" "probe exits 1: SVA not usable here"
expect_eq stubbed "$(jq -r .verdict "$J" 2>/dev/null)" "probe verdict: stubbed"
expect_eq true "$(jq -r .kernel.live "$J" 2>/dev/null)" "probe read the running kernel"
expect_eq "${kernel}" "$(jq -r .kernel.release "$J" 2>/dev/null)" "probe ran on $kernel"
expect_eq fentry "$(jq -r '.hooks[] | select(.target == "iommu_sva_bind_device") | .form' "$J" 2>/dev/null)" \
	"the stubbed bind is still hooked with fentry"
grep -q 'CVE-2025-71089' "$out/probe.txt"
ok $? "human form explains the stub (CVE-2025-71089)"
expect_eq 0 "$(cat "$out/svaload.status" 2>/dev/null)" "the mock device's bind failed with EOPNOTSUPP, as expected"
T=$out/trace.out
p=$(cat "$out/bind.pid" 2>/dev/null)
expect_eq EOPNOTSUPP "$(jq -r "select(.event==\"bind\" and .tgid==${p:-0}) | .errno" "$T" 2>/dev/null)" \
	"trace shows the bind failing with EOPNOTSUPP"
expect_eq "stub 0" "$(jq -r "select(.event==\"bind\" and .tgid==${p:-0}) | [.explain.step, (.explain.attempts|length)] | map(tostring) | join(\" \")" "$T" 2>/dev/null)" \
	"trace explains the failed bind: step stub, no attach attempted"
grep -q 'stub' "$out/trace.err"
ok $? "trace explains the EOPNOTSUPP (SVA stub)" "$(grep -i eopnotsupp "$out/trace.err" | head -1)"
finish
