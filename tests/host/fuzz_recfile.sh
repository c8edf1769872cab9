#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The two libFuzzer targets (tools/bench.mk, built with the reader's
# checksums off): the seed corpora (tests/fuzz/corpus/ recordings,
# tests/fuzz/corpus-events/ event arrays) replayed as regression inputs,
# each recording through `svatop replay` (a complete recording replays, a
# damaged one is refused naming the problem and its offset), then
# FUZZ_TIME (default 25) seconds of fuzzing per target that must find no
# crash, sanitizer report, leak or hang.
set -u
cd "$(dirname "$0")/../.."
. tests/host/lib/tap.sh
FUZZ=.output/fuzz/fuzz_recfile
FUZZ_EV=.output/fuzz/fuzz_events
SVATOP=.output/svatop
C=tests/fuzz/corpus
CE=tests/fuzz/corpus-events
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make -s "$FUZZ" "$FUZZ_EV" >"$work/build.log" 2>&1
ok $? "fuzz targets build (clang -fsanitize=fuzzer,address,undefined)" "$(tail -3 "$work/build.log")"
[ -x "$FUZZ" ] && [ -x "$FUZZ_EV" ] && [ -x "$SVATOP" ] ||
	{ ok 1 "fuzz targets and svatop exist" "run make test-bins"; exit 1; }

# -- the corpus as regression inputs -----------------------------------------
n=0
for f in "$C"/*; do
	n=$((n + 1))
	"$FUZZ" -runs=1 "$f" >"$work/one.log" 2>&1
	ok $? "corpus $(basename "$f"): read and replayed without a crash" "$(grep -m1 -E 'ERROR|SUMMARY' "$work/one.log")"
done
[ "$n" -ge 8 ]
ok $? "seed corpus has the lifecycles and the damaged files ($n files)"
n=0
for f in "$CE"/*; do
	n=$((n + 1))
	"$FUZZ_EV" -runs=1 "$f" >"$work/one.log" 2>&1
	ok $? "event corpus $(basename "$f"): through the session, every view and the exporter" \
		"$(grep -m1 -E 'ERROR|SUMMARY|runtime error' "$work/one.log")"
done
[ "$n" -ge 5 ]
ok $? "event corpus has the recordings' events ($n files)"
# The reader's fuzz mode takes a block whatever its checksum says (that is
# how mutations reach the logic); svatop itself still refuses bad_crc.rec
# (below), so the mode is the fuzz build's only.
"$FUZZ" -runs=1 "$C/bad_crc.rec" >"$work/one.log" 2>&1
ok $? "fuzz build reads past bad_crc.rec's checksum without a crash"

# -- the same files through svatop replay ------------------------------------
replay() {	# replay FILE VIEW ARGS...: stdout in $work/out, stderr in $work/err, status in rc
	"$SVATOP" replay "$@" >"$work/out" 2>"$work/err"
	rc=$?
}
for f in empty single one_to_n mix_two_blocks; do
	replay "$C/$f.rec" trace -j
	ok $((rc != 0)) "replay $f: exits 0" "status $rc: $(head -2 "$work/err")"
	want=$(jq -r 'select(.event=="summary") | .delivered' "$work/out")
	got=$(jq -c 'select(.event!="summary")' "$work/out" | wc -l)
	[ -n "$want" ] && [ "$want" = "$got" ]
	ok $? "replay $f: every delivered record is shown ($got)"
	replay "$C/$f.rec" graph --json
	[ $rc -eq 0 ] && jq -e '.type == "graph" and (.mms | length) == 0' "$work/out" >/dev/null
	ok $? "replay $f: the final graph holds no mm (every process released)"
done
blocks=$(grep -ao SVBK "$C/mix_two_blocks.rec" | wc -l)
[ "$blocks" -ge 3 ]
ok $? "mix_two_blocks has two event blocks and the stats block ($blocks block headers)"
replay "$C/snapshot_fork_leak.rec" leaks --json
[ $rc -eq 3 ]
ok $? "snapshot_fork_leak: leaks with 3 recorded losses is inconclusive (exit 3)" "status $rc"
replay "$C/no_stats.rec" trace -j
[ $rc -eq 0 ] && grep -q 'without its final stats block' "$work/err"
ok $? "no_stats: replays what it has and warns that the loss count is unknown" "$(cat "$work/err")"
expect_refusal() {	# FILE PATTERN
	replay "$C/$1" trace -j
	[ $rc -eq 2 ] && grep -qE "$2" "$work/err"
	ok $? "$1: refused with exit 2 and '$2'" "status $rc: $(cat "$work/err")"
	# the reader's line says it all: no second, generic one after it
	expect_eq 1 "$(grep -Evc '^svatop: (replaying recording|[0-9]+ events shown)' "$work/err")" "$1: one error line, no generic one after it"
}
expect_refusal future_version.rec 'format version 3, this svatop reads versions 1 to 2'
expect_refusal bad_crc.rec 'checksum mismatch in block at offset [0-9]+'
expect_refusal truncated.rec 'truncated block.* at offset [0-9]+'

# -- bounded fuzzing ---------------------------------------------------------
secs=${FUZZ_TIME:-25}
fuzz() {	# fuzz NAME BINARY CORPUS: FUZZ_TIME seconds, figures in the TAP line
	local name=$1 bin=$2 corpus=$3 rc runs stats pass why
	mkdir -p "$work/corpus-$name" "$work/artifacts-$name"
	"$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/artifacts-$name/" \
		"$work/corpus-$name" "$corpus" >"$work/fuzz-$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz-$name.log")
	stats=$(tools/fuzz-stats "$work/fuzz-$name.log")
	echo "# $stats"
	if [ $rc -ne 0 ] || [ -n "$(ls -A "$work/artifacts-$name")" ]; then
		mkdir -p .output/fuzz/failures
		cp "$work/artifacts-$name"/* .output/fuzz/failures/ 2>/dev/null
		grep -m5 -E 'ERROR|SUMMARY|==[0-9]+==|runtime error' "$work/fuzz-$name.log"
	fi
	[ $rc -eq 0 ] && [ -z "$(ls -A "$work/artifacts-$name")" ] && [ "${runs:-0}" -gt 0 ]
	pass=$?
	# the failure's first line, the log's last lines and the reproducers'
	# names in the TAP line itself: a CI log keeps only that line
	why="status $rc: $(grep -m1 -E 'ERROR|runtime error|SUMMARY|==[0-9]+==' "$work/fuzz-$name.log" |
		cut -c1-200); last: $(tail -n 3 "$work/fuzz-$name.log" | cut -c1-120 | tr '\n' '|');"
	why="$why artifacts: $(ls "$work/artifacts-$name" | head -n 3 | tr '\n' ' ')"
	ok $pass "$name: $secs s of fuzzing, ${runs:-0} inputs, no crash, sanitizer report, leak or hang" \
		"$why; reproducers in .output/fuzz/failures (add them to $corpus once fixed)"
}
fuzz fuzz_recfile "$FUZZ" "$C"
fuzz fuzz_events "$FUZZ_EV" "$CE"
[ "$n_fail" -eq 0 ]
