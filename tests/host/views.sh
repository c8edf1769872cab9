#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The model views (leaks, graph, top, check) on synthetic recordings written
# by the view unit test binary: verdicts, exit statuses, DOT that Graphviz
# accepts, JSON that jq reads, the batch table, usage errors, and the
# interactive top screen through tmux.
set -u
cd "$(dirname "$0")/../.."
SVATOP=.output/svatop
GEN=.output/tests/test_views
. tests/host/lib/tap.sh

for need in "$SVATOP" "$GEN"; do
	[ -x "$need" ] || { echo "not ok - views: $need is missing (make test-bins)"; exit 1; }
done
for tool in jq dot tmux; do
	command -v $tool >/dev/null || { echo "not ok - views: $tool is not installed (make deps)"; exit 1; }
done
D=$(mktemp -d)
trap 'tmux kill-session -t svatop-views-$$ 2>/dev/null; rm -rf "$D"' EXIT
$GEN --write-scenarios "$D" >"$D/gen.log" 2>&1
ok $? "synthetic scenarios written as recordings"

# ---- names reach the terminal escaped ----
for view in trace leaks graph "top -b"; do
	# shellcheck disable=SC2086
	$SVATOP replay "$D/hostile.rec" $view >"$D/hostile.out" 2>/dev/null
	if grep -q "$(printf '\033')" "$D/hostile.out"; then
		ok 1 "$view: no ESC byte of a hostile comm/device/IOMMU name on stdout"
	else
		grep -q 'x1b' "$D/hostile.out"
		ok $? "$view: no ESC byte of a hostile comm/device/IOMMU name on stdout (shown as \\x1b)"
	fi
done

# ---- leaks ----
$SVATOP replay "$D/leak.rec" leaks >"$D/leak.txt" 2>"$D/leak.err"
expect_eq 1 $? "leaks: the driver-skips-unbind recording exits 1"
expect_eq 4 "$(grep -c '^leak leaked-' "$D/leak.txt")" "leaks: bond, domain, mm and PASID reported"
grep -q '^leak leaked-bond: pid 4242 (leaky) device svamock.0 \[svamock-iommu0\] PASID 1 domain 0x[0-9a-f]* handle 0x[0-9a-f]* mm 0x[0-9a-f]* age 5\.0s' "$D/leak.txt"
ok $? "leaks: the bond leak names pid, comm, device, IOMMU, PASID, domain, handle, age"
$SVATOP replay "$D/leak.rec" leaks --json >"$D/leak.json"
expect_eq "findings 4 4242" "$(jq -r '[.verdict, (.leaks|length), (.leaks|map(.pid)|unique|.[0])]|join(" ")' "$D/leak.json")" \
	"leaks --json: verdict, four leaks, all of pid 4242"
expect_eq "leaked-bond leaked-domain leaked-mm leaked-pasid" "$(jq -r '.leaks|map(.rule)|sort|join(" ")' "$D/leak.json")" \
	"leaks --json: one finding per leak kind"
$SVATOP replay "$D/leak.rec" leaks --grace 10 >"$D/leak10.txt"
expect_eq 5 $? "leaks --grace 10: a 5 s old exit is not a leak yet, but pending (exit 5), not clean"
grep -q '0 leak(s), 0 violation(s), 4 pending, grace 10.0s: pending' "$D/leak10.txt"
ok $? "leaks --grace 10: the report says pending with four candidates" "$(head -1 "$D/leak10.txt")"
$SVATOP replay "$D/pending.rec" leaks --json >"$D/pending.json"
expect_eq 5 $? "leaks --json: a leak 1 s before the recording ends exits 5"
expect_eq "pending 0 4 4747 true" "$(jq -r '[.verdict, (.leaks|length), (.pending|length), (.pending|map(.pid)|unique|.[0]), (.pending|map(.due_ns)|all(. > 1990000000 and . <= 2000000000))]|map(tostring)|join(" ")' "$D/pending.json")" \
	"leaks --json: verdict pending, four candidates of pid 4747, each maturing in 2 s (grace 3 s, exit 1 s before the end)"
$SVATOP replay "$D/pending.rec" leaks >"$D/pending.txt"
grep -q '^leak leaked-bond: pid 4747 .* pending: a leak in 1\.9s unless freed' "$D/pending.txt"
ok $? "leaks: a pending candidate says when it matures" "$(sed -n 2p "$D/pending.txt")"
$SVATOP replay "$D/orphan.rec" leaks --json >"$D/orphan.json"
expect_eq 1 $? "leaks: state the snapshot found with no task is a leak at once (exit 1, 0.1 s after start)"
expect_eq "findings 3 0 true" "$(jq -r '[.verdict, (.leaks|length), (.pending|length), (.leaks|all(.owner_gone_before_start))]|map(tostring)|join(" ")' "$D/orphan.json")" \
	"leaks --json: the ownerless domain, mm and PASID are leaks, none pending"
for v in graph top; do
	$SVATOP replay "$D/clean.rec" $v --iotlb >/dev/null 2>"$D/iotlb.err"
	expect_eq "2 1" "$? $(grep -c -- '--iotlb counts the live kernel' "$D/iotlb.err")" \
		"$v --iotlb on a recording: refused with one line (a recording carries no invalidations)"
done
$SVATOP replay "$D/clean.rec" leaks >"$D/clean.txt"
expect_eq 0 $? "leaks: the clean recording exits 0"
grep -q '0 leak(s), 0 violation(s), 0 pending, grace 3.0s: clean' "$D/clean.txt"
ok $? "leaks: the clean recording says clean"
$SVATOP replay "$D/violation.rec" leaks --json >"$D/viol.json"
expect_eq 1 $? "leaks: the double-unbind recording exits 1"
expect_eq "unbind-unknown-handle 4646 svamock.0" "$(jq -r '.violations[0]|[.rule, .pid, .dev_name]|join(" ")' "$D/viol.json")" \
	"leaks --json: the double unbind is an unbind-unknown-handle violation"

# ---- failed binds explained ----
$SVATOP replay "$D/failbind.rec" trace --json >"$D/failbind.json"
expect_eq 0 $? "trace --json on the failed-bind recording exits 0"
expect_eq "pasid attach" "$(jq -r 'select(.event=="bind" and .pid>=4949)|.explain.step' "$D/failbind.json" | tr '\n' ' ' | sed 's/ $//')" \
	"trace --json: each failed bind names its step (PASID space exhausted, every domain refused)"
expect_eq "svamock-iommu1 EINVAL true" "$(jq -r 'select(.event=="bind" and .pid==4950)|.explain.attempts[0]|[.iommu, .error, .new_domain]|map(tostring)|join(" ")' "$D/failbind.json")" \
	"trace --json: the refused attach names the IOMMU's answer"
$SVATOP replay "$D/failbind.rec" trace >"$D/failbind.txt"
grep -q 'step attach: every candidate domain refused by set_dev_pasid: svamock-iommu1 (new domain) -EINVAL' "$D/failbind.txt"
ok $? "trace: the failed bind's explanation follows it" "$(grep -m1 step "$D/failbind.txt")"

# ---- graph ----
$SVATOP replay "$D/one2n.rec" graph --dot >"$D/one2n.dot"
expect_eq 0 $? "graph --dot exits 0"
dot -Tsvg "$D/one2n.dot" >"$D/one2n.svg" 2>"$D/dot.err"
ok $? "graph --dot: Graphviz renders it" "$(head -3 "$D/dot.err")"
expect_eq 2 "$(grep -c 'class="cluster"' "$D/one2n.svg")" "graph --dot: two IOMMU instance clusters in the SVG"
$SVATOP replay "$D/one2n.rec" graph --json >"$D/one2n.json"
expect_eq "1 2 2" "$(jq -r '[(.mms|length), (.mms[0].domains|length), (.mms[0].domains|map(.iommu)|unique|length)]|map(tostring)|join(" ")' "$D/one2n.json")" \
	"graph --json: one mm, one PASID with two domains on two IOMMU instances"
expect_eq "svamock.0 svamock.1 svamock.2" "$(jq -r '[.mms[0].domains[].devices[].name]|sort|join(" ")' "$D/one2n.json")" \
	"graph --json: the three bonded devices"
$SVATOP replay "$D/before.rec" graph >"$D/before.txt"
grep -q '^pid 4545 (old-timer) mm 0x[0-9a-f]* PASID 7 \[before start\]' "$D/before.txt"
ok $? "graph: a process bound before start (snapshot) is in the tree"
$SVATOP replay "$D/before.rec" graph -p 4546 >"$D/before-p.txt"
! grep -q old-timer "$D/before-p.txt" && grep -q 'pid 4546 (young)' "$D/before-p.txt"
ok $? "graph -p: only that process"

# ---- top (batch) ----
$SVATOP replay "$D/leak.rec" top >"$D/top.txt"
expect_eq 0 $? "top -b on a recording exits 0"
grep -Eq '^ +4242 leaky +X +1 +1 +1 .* BDMP$' "$D/top.txt"
ok $? "top -b: the leaking process row with state X and leak flags BDMP" "$(grep leaky "$D/top.txt")"
$SVATOP replay "$D/one2n.rec" top -j >"$D/top.json"
expect_eq "4444 2 3 -" "$(jq -r '.processes[]|select(.comm=="one2n")|[.pid, .domains, .devices, .leaks]|map(tostring)|join(" ")' "$D/top.json")" \
	"top -j: pid, two domains, three devices, no leak"

# ---- usage and environment errors: one line, status 2 ----
usage_case() {
	local want=$1 desc=$2
	shift 2
	"$SVATOP" "$@" >"$D/u.out" 2>"$D/u.err"
	local rc=$?
	[ "$rc" -eq "$want" ] && [ -s "$D/u.err" ]
	ok $? "$desc" "status $rc, stderr: $(head -1 "$D/u.err")"
}
usage_case 2 "leaks --grace x: usage error" leaks --grace x
usage_case 2 "top -p 0: usage error" top -b -p 0
usage_case 2 "top with a bad interval: usage error" top -b 0
usage_case 2 "graph --replay of a missing file: error" graph --replay "$D/nope.rec"
usage_case 2 "check without a command: usage error" check
printf 'garbage, not a recording' >"$D/bad.rec"
usage_case 2 "leaks on a corrupt recording: error" leaks --replay "$D/bad.rec"

# check on this machine: without SVA tracing cannot start, so CMD must not run.
if ! "$SVATOP" probe >/dev/null 2>&1; then
	"$SVATOP" check -- touch "$D/ran" >/dev/null 2>"$D/check.err"
	rc=$?
	[ "$rc" -eq 2 ] && [ ! -e "$D/ran" ]
	ok $? "check on a kernel that cannot trace: status 2 and CMD never ran" "status $rc: $(head -1 "$D/check.err")"
fi

# ---- top (interactive) through tmux ----
S=svatop-views-$$
tmux new-session -d -s "$S" -x 110 -y 30 "$SVATOP top --replay $D/one2n.rec; echo TOP-EXIT=\$?; sleep 30"
shot() { tmux capture-pane -p -t "$S" >"$D/$1"; }
wait_for() {	# wait_for FILE PATTERN
	local i
	for i in $(seq 1 50); do
		shot "$1"
		grep -q "$2" "$D/$1" && return 0
		sleep 0.1
	done
	return 1
}
wait_for screen1 'one2n'
ok $? "top (tmux): the screen lists the process" "$(head -5 "$D/screen1")"
grep -q 'PID COMM' "$D/screen1" && grep -q 'sort: pid' "$D/screen1"
ok $? "top (tmux): header and sort line"
tmux send-keys -t "$S" Enter
wait_for screen2 'device svamock.1 handle'
ok $? "top (tmux): Enter opens the detail pane with the process's graph"
tmux send-keys -t "$S" s
wait_for screen3 'sort: comm'
ok $? "top (tmux): s cycles the sort column"
tmux send-keys -t "$S" p
sleep 0.3
tmux send-keys -t "$S" 1 2 3 Enter
wait_for screen4 'filter: pid 123' && ! grep -q '^ *4444 one2n' "$D/screen4"
ok $? "top (tmux): p filters by pid (4444 hidden by pid 123)"
tmux send-keys -t "$S" q
wait_for screen5 'TOP-EXIT=0'
ok $? "top (tmux): q quits with status 0"

[ "$n_fail" -eq 0 ]
