# SPDX-License-Identifier: GPL-2.0
# Host side of the lab tests: run a guest script in the lab VM, then assert
# on what it left in its /out folder. Sourced by tests/lab/*.sh.
set -u
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
LAB_RUN=$REPO/tools/lab/run
GUEST_LIB=$REPO/tests/lab/lib/guest.sh
n_fail=0

ok() {	# ok STATUS DESCRIPTION [DETAIL]: one TAP line
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
	else
		echo "not ok - $2${3:+ ($3)}"
		n_fail=$((n_fail + 1))
	fi
}

# expect_eq WANT GOT DESCRIPTION
expect_eq() {
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3" "expected '$1', saw '$2'"; fi
}

# run_guest OUTDIR SCRIPT [RUNNER ARGS...]: the guest library, then SCRIPT,
# run in a fresh VM; its stdout/stderr in OUTDIR/guest.log, its /out in OUTDIR.
run_guest() {
	local out=$1 script=$2 full rc
	shift 2
	rm -rf "$out"
	mkdir -p "$out"
	full=$out/guest-script.sh
	cat "$GUEST_LIB" "$script" >"$full"
	"$LAB_RUN" -q --out "$out" --timeout "${LAB_TIMEOUT:-400}" "$@" --script "$full" \
		>"$out/guest.log" 2>&1
	rc=$?
	echo "guest exit status $rc; log: $out/guest.log"
	if [ $rc -ne 0 ]; then
		tail -30 "$out/guest.log"
	fi
	return $rc
}

# jcount FILE JQ-FILTER: how many JSON lines of FILE match the select filter
jcount() {
	jq -c "select($2)" "$1" 2>/dev/null | wc -l | tr -d ' '
}

finish() {
	[ "$n_fail" -eq 0 ]
}
