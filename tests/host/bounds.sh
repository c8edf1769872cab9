#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Memory that input decides stays bounded: a 6.8 MB recording of 3,000,000
# records with one timestamp (nothing ever leaves the reorder buffer by
# time) replayed through leaks, graph and top must stay well under 200 MB
# of RSS (the reorder cap, REORDER_MAX_HELD: src/pipeline/reorder.h), and
# the records released early count as lost: the verdict is inconclusive.
set -u
cd "$(dirname "$0")/../.."
SVATOP=.output/svatop
GEN=.output/tests/test_views
. tests/host/lib/tap.sh
for need in "$SVATOP" "$GEN" /usr/bin/time; do
	[ -x "$need" ] || { echo "not ok - bounds: $need is missing (make test-bins, make deps)"; exit 1; }
done
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
$GEN --write-flood "$D/flood.rec" 3000000 >"$D/gen.log" 2>&1
ok $? "a recording of 3,000,000 same-timestamp records ($(stat -c %s "$D/flood.rec" 2>/dev/null) bytes)"
for view in leaks graph "top -b"; do
	# shellcheck disable=SC2086
	/usr/bin/time -f '%M' -o "$D/rss" "$SVATOP" replay "$D/flood.rec" $view >/dev/null 2>"$D/err"
	rc=$?
	kb=$(tail -1 "$D/rss")
	ok $((kb >= 200 * 1024)) "replay $view: max RSS $((kb / 1024)) MB < 200 MB"
	ok $((rc != 3)) "replay $view: exit 3, inconclusive (saw $rc: $(head -1 "$D/err"))"
done
exit $((n_fail != 0))
