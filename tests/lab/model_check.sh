#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# svatop check on the real 7.3 kernel: every clean lab scenario exits 0;
# a driver that skips unbind makes check exit 1 naming the device, PASID,
# pid and domain the kernel really leaked (cross-checked with svamock's own
# list of bonds); a failing command is reported as such (status 4); the
# leak left behind is found by the snapshot of a later `svatop leaks`.
# check runs in state mode (the default); a second leak with --stream
# carries the kernel stack of the driver's bind.
. "$(dirname "$0")/lib/harness.sh"
out=$REPO/.output/lab/model_check
[ -x "$REPO/.output/svatop-static" ] || { echo "not ok - model_check: .output/svatop-static is missing (make static)"; exit 1; }
guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<'GUEST'
for s in single one_to_n exit_without_unbind fork_after_bind shared_domain; do
	svatop check --grace 1 --junit /out/$s.xml -- svaload $s >/out/check_$s.out 2>/out/check_$s.err
	echo $? >/out/check_$s.rc
done
svatop check --grace 1 -j -- svaload -e 'exit 3' >/out/check_fail.out 2>/out/check_fail.err
echo $? >/out/check_fail.rc
svatop check --grace 0.5 --timeout 2 -j -- svaload -e 'bind 0; ready /out/hang.pid; sleep 600000' >/out/check_hang.out 2>/out/check_hang.err
echo $? >/out/check_hang.rc
# One process binds the same device twice: the kernel shares the handle
# (users 2), a notice, never a finding.
labtrace start bind_ret || exit 1
svatop check --grace 1 -j -- svaload -e 'bind 0; bind 0; unbind 0; unbind 0' >/out/check_rebind.out 2>/out/check_rebind.err
echo $? >/out/check_rebind.rc
labtrace dump >/out/rebind.trace
# The leak last: its state stays in the kernel for the rest of the boot.
svatop check --grace 1 -j --junit /out/leak.xml -- svaload -e 'knob leak_on_release 1; fork; bind 0; ready /out/leak.pid; exit 0; end; wait; knob leak_on_release 0' \
	>/out/check_leak.out 2>/out/check_leak.err
echo $? >/out/check_leak.rc
cat /sys/kernel/debug/svamock/bonds >/out/bonds
# The same leak on device 1 with --stream: every event, and the bond's stack.
svatop check --stream --grace 1 -j -- svaload -e 'knob leak_on_release 1; fork; bind 1; ready /out/leak_stream.pid; exit 0; end; wait; knob leak_on_release 0' \
	>/out/check_leak_stream.out 2>/out/check_leak_stream.err
echo $? >/out/check_leak_stream.rc
svatop leaks --grace 1 --json 2 1 >/out/leaks_after.out 2>/out/leaks_after.err
echo $? >/out/leaks_after.rc
GUEST
run_guest "$out" "$guest"
ok $? "lab VM ran svatop check on the scenarios"

for s in single one_to_n exit_without_unbind fork_after_bind shared_domain; do
	expect_eq 0 "$(cat "$out/check_$s.rc" 2>/dev/null)" "check: clean scenario '$s' exits 0" \
		|| sed 's/^/# /' "$out/check_$s.out" "$out/check_$s.err" | head -20
	grep -q 'failures="0" errors="0"' "$out/$s.xml" 2>/dev/null
	ok $? "check: '$s' JUnit XML has no failure"
done
# CMD shares stdout with the report: keep svatop's JSON lines only.
for f in check_fail check_leak check_leak_stream check_hang check_rebind; do grep '^{' "$out/$f.out" >"$out/$f.json"; done
expect_eq 4 "$(cat "$out/check_fail.rc" 2>/dev/null)" "check: a command exiting 3 with clean tracing exits 4"
expect_eq "exited 3 true clean" "$(jq -r '[.command_status, .command_failed, .verdict]|map(tostring)|join(" ")' "$out/check_fail.json" 2>/dev/null)" \
	"check -j: the command's own failure is reported distinctly"

expect_eq 3 "$(cat "$out/check_hang.rc" 2>/dev/null)" "check --timeout: a command still running at the timeout is stopped, status 3"
expect_eq "true inconclusive 0" "$(jq -r '[.timed_out, .verdict, (.findings|length)]|map(tostring)|join(" ")' "$out/check_hang.json" 2>/dev/null)" \
	"check --timeout: reported as timed out, inconclusive, and the SIGTERM'd bind was released cleanly"

# the notice: state mode's bind hook saw the shared handle (users 2)
rets=$(grep -E '[[:space:]]bind_ret: \(' "$out/rebind.trace" 2>/dev/null | sed 's/.* ret=//')
expect_eq "2 1" "$(wc -l <<<"$rets" | tr -d ' ') $(sort -u <<<"$rets" | wc -l | tr -d ' ')" \
	"kernel: two binds of one device returned one handle (tracefs: bind_ret, shared)"
expect_eq "0 clean 0 1 true" "$(cat "$out/check_rebind.rc" 2>/dev/null) $(jq -r '[.verdict, (.findings|length), .notices."bind-same-device-again", .state_mode]|map(tostring)|join(" ")' "$out/check_rebind.json" 2>/dev/null)" \
	"check: the shared bind is one bind-same-device-again notice, not a finding (state mode: the bind hook's evidence)"
L=$out/check_leak.json
expect_eq 1 "$(cat "$out/check_leak.rc" 2>/dev/null)" "check: the leak scenario exits 1" || sed 's/^/# /' "$out/check_leak.out" "$out/check_leak.err" | head
pid=$(cat "$out/leak.pid" 2>/dev/null)
row=$(tail -n +2 "$out/bonds" | awk -F'\t' '$7 == "leaked"' | head -1)
kpasid=$(cut -f3 <<<"$row")
kdomain=$(cut -f6 <<<"$row")
bond=$(jq -c '.findings[]|select(.rule=="leaked-bond")' "$L" 2>/dev/null | head -1)
expect_eq "$pid" "$(jq -r .pid <<<"$bond")" "check: the leaked bond names the pid that bound"
expect_eq "svamock-dev.0" "$(jq -r .dev_name <<<"$bond")" "check: the leaked bond names the device"
expect_eq "$kpasid" "$(jq -r .pasid <<<"$bond")" "check: the PASID is the one svamock lists as leaked"
expect_eq "$kdomain" "$(jq -r .domain <<<"$bond")" "check: the domain is the one svamock lists as leaked"
expect_eq "true" "$(jq -r .state_mode "$L" 2>/dev/null)" "check: ran in state mode (the default)"
# --stream: the bond's stack, taken at bind's return: the first frame is
# the driver that bound.
LS=$out/check_leak_stream.json
expect_eq 1 "$(cat "$out/check_leak_stream.rc" 2>/dev/null)" "check --stream: the leak scenario exits 1" ||
	sed 's/^/# /' "$out/check_leak_stream.out" "$out/check_leak_stream.err" | head
sbond=$(jq -c '.findings[]|select(.rule=="leaked-bond")' "$LS" 2>/dev/null | head -1)
expect_eq "$(cat "$out/leak_stream.pid" 2>/dev/null) svamock-dev.1 false" \
	"$(jq -r '[.pid, .dev_name]|map(tostring)|join(" ")' <<<"$sbond") $(jq -r .state_mode "$LS" 2>/dev/null)" \
	"check --stream: the leaked bond names the pid and device, streamed"
jq -e '.stack[0]|startswith("svamock_ioctl+")' <<<"$sbond" >/dev/null 2>&1
ok $? "check --stream: the leaked bond carries the kernel stack of the driver's bind (svamock_ioctl)" "$(jq -c .stack <<<"$sbond")"
expect_eq "leaked-bond leaked-domain leaked-mm leaked-pasid" \
	"$(jq -r '[.findings[]|select(.pid=='"${pid:-0}"')|.rule]|unique|join(" ")' "$L" 2>/dev/null)" \
	"check: bond, domain, mm and PASID of that process are all reported"
grep -q '<testcase classname="svatop.leak" name="leaked-bond">' "$out/leak.xml" &&
	grep -q '<failure message="1 finding(s)' "$out/leak.xml"
ok $? "check: the JUnit XML fails the leaked-bond test case"
xmllint --noout "$out/leak.xml" 2>"$out/xmllint.err"
ok $? "check: the JUnit XML is well-formed (xmllint)" "$(head -2 "$out/xmllint.err")"
# A fresh svatop finds the leak through its snapshot (iommu_sva_mms: no owner).
A=$out/leaks_after.out
expect_eq 1 "$(cat "$out/leaks_after.rc" 2>/dev/null)" "leaks: a later svatop reports the pre-existing leak" || sed 's/^/# /' "$A" "$out/leaks_after.err" | head
expect_eq "$kpasid true" "$(jq -r '[.leaks[]|select(.rule=="leaked-pasid" and .pasid=='"${kpasid:-0}"')][0]|[.pasid, .preexisting]|map(tostring)|join(" ")' "$A" 2>/dev/null)" \
	"leaks: the snapshot finds the PASID the kernel lists as leaked, marked pre-existing"
finish
