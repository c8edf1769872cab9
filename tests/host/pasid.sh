#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# svatop pasid on synthetic recordings (written by the view unit test
# binary): the holder of a PASID (process, state, domains, devices), JSON,
# kernel log lines annotated (Intel, AMD and SMMUv3 fault formats), control
# bytes escaped, and bad input.
set -u
cd "$(dirname "$0")/../.."
SVATOP=.output/svatop
GEN=.output/tests/test_views
. tests/host/lib/tap.sh

for need in "$SVATOP" "$GEN"; do
	[ -x "$need" ] || { echo "not ok - pasid: $need is missing (make test-bins)"; exit 1; }
done
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
$GEN --write-scenarios "$D" >"$D/gen.log" 2>&1
ok $? "synthetic scenarios written as recordings"

# ---- PASIDs given as arguments ----
$SVATOP pasid -r "$D/leak.rec" 1 >"$D/leak.txt" 2>"$D/leak.err"
expect_eq 0 $? "pasid: a held PASID exits 0"
grep -q '^PASID 1 (0x1): pid 4242 (leaky), mm 0x[0-9a-f]*, leaked, allocated 5\.0s ago$' "$D/leak.txt"
ok $? "pasid: the leaked PASID names its process, mm, state and age" "$(head -1 "$D/leak.txt")"
grep -q '^  domain 0x[0-9a-f]* on svamock-iommu0, users 1: svamock\.0$' "$D/leak.txt"
ok $? "pasid: ... and its domain, IOMMU instance and device"
$SVATOP pasid -r "$D/leak.rec" --grace 10 1 | grep -q ', exited, '
ok $? "pasid --grace 10: an exit 5 s ago is 'exited', not yet 'leaked'"
$SVATOP pasid -r "$D/one2n.rec" 0x1 >"$D/one2n.txt"
expect_eq "2 live" "$(grep -c '^  domain ' "$D/one2n.txt") $(sed -n '1s/.*), mm 0x[0-9a-f]*, \([a-z]*\),.*/\1/p' "$D/one2n.txt")" \
	"pasid 0x1: the 1:n process holds two domains and is live"
grep -q 'on svamock-iommu0, users 2: svamock\.2 svamock\.0$' "$D/one2n.txt"
ok $? "pasid: the shared domain lists both devices"
$SVATOP pasid -r "$D/before.rec" 7 | grep -q 'allocated before svatop started'
ok $? "pasid: a PASID from before the recording started says so"
$SVATOP pasid -r "$D/leak.rec" 1 2 >"$D/two.txt"
expect_eq 1 $? "pasid: a PASID nobody holds exits 1"
grep -q '^PASID 2 (0x2): held by no address space svatop knows$' "$D/two.txt"
ok $? "pasid: ... and says so"
$SVATOP pasid -r "$D/leak.rec" -j 1 2 >"$D/j.json"
expect_eq "1:true:4242:leaked:svamock.0 2:false:null:null:null" \
	"$(jq -r '"\(.pasid):\(.held):\(.pid):\(.state):\(.domains[0].devices[0].name)"' "$D/j.json" 2>/dev/null | paste -sd' ')" \
	"pasid --json: one object per PASID"

# ---- kernel log lines on stdin ----
cat >"$D/dmesg" <<'EOF'
[ 12.3] DMAR: [DMA Read PASID 0x1] Request device [00:02.0] fault addr 0x7f00 [fault reason 0x11]
[ 12.4] AMD-Vi: Event logged [IO_PAGE_FAULT device=0000:00:01.0 pasid=0x00001 address=0x1000 flags=0x0020]
[ 12.5] arm-smmu-v3 arm-smmu-v3.0.auto: event: F_TRANSLATION client: 0000:00:01.0 sid: 0x8 ssid: 0x9 iova: 0x1000
[ 12.6] an unrelated line
EOF
$SVATOP pasid -r "$D/leak.rec" - <"$D/dmesg" >"$D/ann.txt"
expect_eq 1 $? "pasid -: a fault line whose PASID nobody holds makes the exit 1"
expect_eq 4 "$(grep -vc '^    svatop: ' "$D/ann.txt")" "pasid -: every input line is printed"
expect_eq 2 "$(grep -c '^    svatop: PASID 1 (0x1): pid 4242 (leaky)' "$D/ann.txt")" \
	"pasid -: the Intel and the AMD fault lines are annotated with the holder"
grep -q '^    svatop: PASID 9 (0x9): held by no address space' "$D/ann.txt"
ok $? "pasid -: the SMMUv3 ssid is read too"
head -3 "$D/dmesg" | $SVATOP pasid -r "$D/leak.rec" -j - >"$D/ann.json"
expect_eq "1 1 9" "$(jq -r .pasid "$D/ann.json" 2>/dev/null | paste -sd' ')" "pasid - --json: one object per fault line"
printf 'comm \033]0;owned\007 PASID 0x1\n' | $SVATOP pasid -r "$D/leak.rec" - >"$D/esc.txt"
if grep -q "$(printf '\033')" "$D/esc.txt"; then ok 1 "pasid -: control bytes of log lines are escaped"
else ok 0 "pasid -: control bytes of log lines are escaped ($(head -1 "$D/esc.txt"))"; fi
head -c 20000 /dev/zero | tr '\0' 'x' | $SVATOP pasid -r "$D/leak.rec" - >"$D/long.txt"
expect_eq "0 1" "$? $(grep -c 'line truncated' "$D/long.txt")" "pasid -: an over-long line is cut, shown once"

# ---- bad input ----
for bad in 0 0x100000 abc -5 "1 -"; do
	# shellcheck disable=SC2086
	$SVATOP pasid -r "$D/leak.rec" $bad >"$D/bad.out" 2>"$D/bad.err"
	expect_eq "2 pasid:" "$? $(head -1 "$D/bad.err" | cut -d' ' -f1)" \
		"pasid $bad: exit 2, the error first ($(head -1 "$D/bad.err"))"
done
$SVATOP pasid >"$D/none.out" 2>"$D/none.err"
expect_eq 2 $? "pasid with no PASID: usage error"
exit $((n_fail > 0))
