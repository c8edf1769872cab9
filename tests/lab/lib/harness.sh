# SPDX-License-Identifier: GPL-2.0
# The lab test harness (host side), sourced by every tests/lab/*.sh: run a
# guest script in a fresh lab VM, then assert on the evidence it left, one
# TAP line per assertion ("ok - TEST: what" / "not ok - TEST: what (why)").
#
# Assertions:
#   ok STATUS DESC [DETAIL]   ok when STATUS is 0; DETAIL says why not
#   expect_eq WANT GOT DESC   ok when equal; says both when not
#   check DESC CMD...         ok when CMD succeeds
#   check_eq DESC WANT GOT    ok when equal; says both when not
#   check_grep DESC RE FILE   ok when a line of FILE matches RE; shows FILE if not
#   finish / lab_done         the test's status: 0 when nothing failed
# Running the VM:
#   lab_guest [RUN-OPTIONS] <<'EOF' ... EOF
#       the script (stdin) in the VM, its /out in $OUT, stdout and stderr in
#       $OUT/stdout and $OUT/stderr, its status in $LAB_RC; a lab failure
#       (status 124 or 125) fails the test at once; kernel WARN/BUG/oops
#       lines fail it too.
#   run_guest OUTDIR SCRIPT [RUN-OPTIONS]
#       tests/lab/lib/guest.sh (svatop_start, svatop_stop, settle) and
#       SCRIPT in the VM; its /out in OUTDIR, stdout and stderr in
#       OUTDIR/guest.log; returns the run's status.
# Evidence:
#   jcount FILE JQ-FILTER     JSON lines of FILE matching the filter
#   trace_events NAME         the lines of one labtrace event in $OUT/trace
#   trace_field LINE KEY      the value of KEY=... in a trace line
set -u
LAB_TEST=$(basename "$0" .sh)
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
LAB_TEST_REPO=$REPO
LAB_RUN=$REPO/tools/lab/run
GUEST_LIB=$REPO/tests/lab/lib/guest.sh
OUT=$(mktemp -d "${TMPDIR:-/tmp}/$LAB_TEST.XXXXXX")
LAB_RC=
n_fail=0
trap '[ -n "${LAB_KEEP:-}" ] || rm -rf "$OUT"' EXIT

ok() {
	if [ "$1" -eq 0 ]; then
		printf 'ok - %s: %s\n' "$LAB_TEST" "$2"
	else
		printf 'not ok - %s: %s%s\n' "$LAB_TEST" "$2" "${3:+ ($3)}"
		n_fail=$((n_fail + 1))
	fi
}

expect_eq() {
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3" "expected '$1', saw '$2'"; fi
}

check() {
	local desc=$1
	shift
	"$@"
	ok $? "$desc"
}

check_eq() { expect_eq "$2" "$3" "$1"; }

check_grep() {
	if grep -qE -- "$2" "$3" 2>/dev/null; then
		ok 0 "$1"
	else
		ok 1 "$1" "no line matches '$2' in $(basename "$3"):"
		sed 's/^/#   /' "$3" 2>/dev/null | head -n 20
	fi
}

finish() { [ "$n_fail" -eq 0 ]; }

lab_done() {
	finish
	exit
}

lab_guest() {
	local script=$OUT/guest.sh t0=$SECONDS
	cat >"$script"
	"$LAB_RUN" -q --out "$OUT" --console "$OUT/console.log" "$@" --script "$script" \
		>"$OUT/stdout" 2>"$OUT/stderr"
	LAB_RC=$?
	echo "# $LAB_TEST: VM run took $((SECONDS - t0))s, status $LAB_RC" >&2
	if [ "$LAB_RC" -eq 124 ] || [ "$LAB_RC" -eq 125 ]; then
		ok 1 "the lab VM ran" "status $LAB_RC: $(grep -m1 'error' "$OUT/stderr")"
		sed 's/^/# /' "$OUT/stderr" | tail -n 20
		exit 1
	fi
	# Kernel warnings, oopses and BUGs fail every lab test.
	if grep -q '^lab: kernel: ' "$OUT/stderr"; then
		ok 1 "the kernel logged no WARN/BUG/oops"
		grep '^lab: kernel: ' "$OUT/stderr" | head -n 30 | sed 's/^/# /'
	fi
	return 0
}

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

jcount() {
	jq -c "select($2)" "$1" 2>/dev/null | wc -l | tr -d ' '
}

trace_events() { grep -E "[[:space:]]$1: \(" "$OUT/trace" 2>/dev/null; }

trace_field() { sed -n "s/.* $2=\\(\"[^\"]*\"\\|[^ ]*\\).*/\\1/p" <<<"$1" | tr -d '"'; }

# bind_ret's ret=: "ptr" for a handle, else the -errno of the ERR_PTR.
trace_ret_kind() {
	local v=$(($1))
	if [ "$v" -lt 0 ] && [ "$v" -ge -4095 ]; then echo "$v"; else echo ptr; fi
}

# Each attach with its return, per task: "DOMAIN DEV PASID RET".
trace_attaches() {
	awk '
	/ attach: \(/ {
		d = $0; sub(/.* domain=/, "", d); sub(/ .*/, "", d)
		v = $0; sub(/.* dev="/, "", v); sub(/".*/, "", v)
		p = $0; sub(/.* pasid=/, "", p); sub(/ .*/, "", p)
		pending[$1] = d " " v " " p
	}
	/ attach_ret: \(/ && ($1 in pending) {
		r = $0; sub(/.* ret=/, "", r); sub(/ .*/, "", r)
		print pending[$1], r
		delete pending[$1]
	}' "$OUT/trace"
}
