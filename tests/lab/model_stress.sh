#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# svatop check on the real 7.3 kernel under load and faults: 10,000
# bind/unbind cycles by 10 processes are clean with no event lost; failed
# binds (attach and domain allocation failing) are not findings; three
# leaks that exhaust a 4-PASID space give three leaked PASIDs, each named.
. "$(dirname "$0")/lib/harness.sh"
out=$REPO/.output/lab/model_stress
[ -x "$REPO/.output/svatop-static" ] || { echo "not ok - model_stress: .output/svatop-static is missing (make static)"; exit 1; }
guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<'GUEST'
t0=$(date +%s)
svatop check --grace 1 -j -- svaload -q storm >/out/storm.out 2>/out/storm.err
echo $? >/out/storm.rc
echo $(( $(date +%s) - t0 )) >/out/storm.seconds
svatop check --grace 1 -j -- svaload faults >/out/faults.out 2>/out/faults.err
echo $? >/out/faults.rc
GUEST
run_guest "$out/load" "$guest"
ok $? "lab VM ran check on the storm and fault scenarios"
grep '^{' "$out/load/storm.out" >"$out/storm.json"
expect_eq 0 "$(cat "$out/load/storm.rc" 2>/dev/null)" "check: 10 x 1,000 bind/unbind cycles are clean" ||
	sed 's/^/# /' "$out/load/storm.err" | head
expect_eq "clean 0 0" "$(jq -r '[.verdict, .lost, (.findings|length)]|map(tostring)|join(" ")' "$out/storm.json" 2>/dev/null)" \
	"check: storm verdict clean, no event lost, no finding"
# state mode (the default): the kernel counted every bind and unbind
expect_eq "true 10000 10000" "$(jq -r '[.state_mode, .binds, .unbinds]|map(tostring)|join(" ")' "$out/storm.json" 2>/dev/null)" \
	"check: state mode, the kernel's counts hold every storm cycle (10,000 binds, 10,000 unbinds)"
grep -q '^svatop: watching SVA events (state mode)' "$out/load/storm.err"
ok $? "check: ran in state mode (stderr)"
echo "# storm under check: ${ev:-?} events, $(cat "$out/load/storm.seconds" 2>/dev/null)s wall in the TCG guest"
grep '^{' "$out/load/faults.out" >"$out/faults.json"
expect_eq 0 "$(cat "$out/load/faults.rc" 2>/dev/null)" "check: failed binds (EIO, ENOMEM) are not findings" ||
	sed 's/^/# /' "$out/load/faults.out" | head

cat >"$guest" <<'GUEST'
svatop check --grace 1 -j -- svaload pasid_exhaustion >/out/exh.out 2>/out/exh.err
echo $? >/out/exh.rc
GUEST
run_guest "$out/exhaust" "$guest" --module-params "max_pasids=4"
ok $? "lab VM ran check on PASID exhaustion (max_pasids=4)"
grep '^{' "$out/exhaust/exh.out" >"$out/exh.json"
expect_eq 1 "$(cat "$out/exhaust/exh.rc" 2>/dev/null)" "check: the leaks that exhaust the PASID space exit 1" ||
	sed 's/^/# /' "$out/exhaust/exh.out" | head
expect_eq "1 2 3" "$(jq -r '[.findings[]|select(.rule=="leaked-pasid")|.pasid]|sort|map(tostring)|join(" ")' "$out/exh.json" 2>/dev/null)" \
	"check: PASIDs 1, 2 and 3 leaked, each named"
expect_eq 3 "$(jq -r '[.findings[]|select(.rule=="leaked-pasid")|.pid]|unique|length' "$out/exh.json" 2>/dev/null)" \
	"check: by three different processes"
finish
