#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# svatop trace on this host: the filters and both output forms on
# recordings, and the one-line errors users hit first (no SVA here, not
# root, bad flags). The live lifecycle is proven in tests/lab/trace_*.sh.
set -u
cd "$(dirname "$0")/../.."
SVATOP=.output/svatop
. tests/host/lib/tap.sh
[ -x $SVATOP ] && [ -x .output/tests/test_views ] || { echo "not ok - trace: build first (make test-bins)"; exit 1; }
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
.output/tests/test_views --write-scenarios "$D" >/dev/null 2>&1
ok $? "synthetic recordings written"

$SVATOP replay "$D/one2n.rec" trace -j >"$D/all.json" 2>"$D/all.err"
expect_eq 0 $? "replay trace -j exits 0"
expect_eq "$(jq -r 'select(.event!="summary")' "$D/all.json" | jq -s length)" \
	"$(jq -r 'select(.event=="summary") | .delivered' "$D/all.json")" \
	"trace -j: one JSON line per delivered event, then the summary"
expect_eq "v event ts_ns cpu pid tgid comm mm pasid domain handle dev dev_name iommu iommu_name aux aux2 ret errno handle_users domain_users stack_id flags" \
	"$(jq -r 'select(.event=="bind") | keys_unsorted | join(" ")' "$D/all.json" | head -1)" \
	"trace -j: the documented keys, in order (docs/events.md)"
expect_eq 1 "$(jq -r 'select(.event!="summary") | .v' "$D/all.json" | sort -u | wc -l)" "trace -j: one schema version"

$SVATOP replay "$D/one2n.rec" trace -j -p 4444 >"$D/p.json" 2>/dev/null
expect_eq "4444" "$(jq -r 'select(.event!="summary") | .tgid' "$D/p.json" | sort -u | tr '\n' ' ' | sed 's/ $//')" \
	"trace -p: only that process's events"
expect_eq 0 "$(jq -r 'select(.event=="bind" and .tgid==9999)' "$D/p.json" | wc -l | tr -d ' ')" "trace -p: others filtered out"
$SVATOP replay "$D/one2n.rec" trace -j -d svamock.1 >"$D/d.json" 2>/dev/null
expect_eq "svamock.1" "$(jq -r 'select(.event!="summary") | .dev_name' "$D/d.json" | sort -u | tr '\n' ' ' | sed 's/ $//')" \
	"trace -d: only that device's events"
$SVATOP replay "$D/one2n.rec" trace >"$D/t.txt" 2>"$D/t.err"
head -1 "$D/t.txt" | grep -q '^TIME(s) *PID *COMM *EVENT *DEVICE *PASID *DOMAIN *USERS *RESULT$'
ok $? "trace: text header"
grep -q 'domain-alloc .* ok (derived)$' "$D/t.txt"
ok $? "trace: derived domain births are labelled"
grep -q 'bind .*EOPNOTSUPP(-95)$' "$D/t.txt" && grep -q 'SVA is a stub.*CVE-2025-71089' "$D/t.err"
ok $? "trace: a bind failing with EOPNOTSUPP is explained once (the x86 stub)"
expect_eq 1 "$(grep -c 'SVA is a stub' "$D/t.err")" "trace: the explanation is printed once"

# errors: one line, non-zero
$SVATOP trace >"$D/live.out" 2>"$D/live.err"
rc=$?
if grep -q 'iommu_sva_bind_device' /proc/kallsyms; then
	ok 1 "this host has SVA: the no-SVA error cannot be checked here"
else
	expect_eq 2 $rc "trace on a kernel without SVA exits 2"
	expect_eq 1 "$(wc -l <"$D/live.err" | tr -d ' ')" "... with one line"
	grep -q "no SVA.*svatop probe.*make demo" "$D/live.err"
	ok $? "... that names the cause and points to probe and the lab demo"
fi
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups $SVATOP trace >"$D/np.out" 2>"$D/np.err"
	rc=$?
	expect_eq 2 $rc "trace as an unprivileged user exits 2"
	grep -q 'needs root' "$D/np.err"
	ok $? "... saying it needs root ($(head -1 "$D/np.err"))"
else
	ok 1 "setpriv (util-linux) is missing"
fi
$SVATOP trace --bogus >"$D/b.out" 2>"$D/b.err"
expect_eq 2 $? "trace --bogus exits 2"
$SVATOP trace -p abc >"$D/b.out" 2>"$D/b.err"
expect_eq 2 $? "trace -p abc exits 2"
grep -q "invalid PID 'abc'" "$D/b.err"
ok $? "... naming the bad PID"
# One parser for -p in every command: a PID past 32 bits is refused, not
# truncated (4294967297 once became PID 1).
for cmd in trace record top graph leaks exporter; do
	extra=()
	[ $cmd = record ] && extra=(-o "$D/never.rec")
	$SVATOP $cmd -p 4294967297 "${extra[@]}" >"$D/b.out" 2>"$D/b.err"
	rc=$?
	expect_eq 2 $rc "$cmd -p 4294967297 exits 2"
	grep -q "invalid PID '4294967297'" "$D/b.err"
	ok $? "... naming the bad PID ($cmd)"
done
$SVATOP trace --duration -1 >"$D/b.out" 2>"$D/b.err"
expect_eq 2 $? "trace --duration -1 exits 2"
head -c 100 /dev/urandom >"$D/garbage.rec"
$SVATOP replay "$D/garbage.rec" trace >"$D/g.out" 2>"$D/g.err"
expect_eq 2 $? "replay of a garbage file exits 2"
grep -q 'garbage.rec: .* at offset 0' "$D/g.err"
ok $? "... with one line naming the file and offset"

# Counters past INT64_MAX in a recording's stats block: JSON keeps them
# non-negative (clamped at INT64_MAX), never wrapped to -1.
max=9223372036854775807
$SVATOP replay "$D/hugecount.rec" trace -j >"$D/h.json" 2>/dev/null
# (jq reads numbers as doubles: compare the text)
expect_eq "$max $max $max" "$(grep '"event":"summary"' "$D/h.json" |
	sed -E 's/.*"submitted":([-0-9]+),"dropped":([-0-9]+),.*"bind":([-0-9]+).*/\1 \2 \3/')" \
	"trace -j: huge stats-block counters are clamped, not negative"
$SVATOP replay "$D/hugecount.rec" leaks --json >"$D/h2.json" 2>/dev/null
expect_eq "$max" "$(tail -1 "$D/h2.json" | sed -E 's/.*"lost":([-0-9]+).*/\1/')" \
	"leaks --json: a huge lost count is clamped, not negative"
[ "$n_fail" -eq 0 ]
