# SPDX-License-Identifier: GPL-2.0
# Helpers for lab tests (tests/lab/*.sh), sourced. A test runs a guest
# script in the VM with lab_guest, which leaves the guest's /out in $OUT,
# then asserts on the evidence with check/check_eq, one TAP line each.
#
#   lab_guest [RUN-OPTIONS] <<'EOF' ... EOF
#       runs the script (stdin) in the VM; its stdout goes to $OUT/stdout,
#       stderr to $OUT/stderr, its status to $LAB_RC. On a lab failure
#       (status 124 or 125) it prints "not ok" and exits the test.
#   check DESC CMD...        ok when CMD succeeds
#   check_eq DESC WANT GOT   ok when equal; says both when not
#   check_grep DESC RE FILE  ok when a line of FILE matches RE; shows FILE if not
#   trace_events NAME        the lines of one labtrace event in $OUT/trace
#   trace_field LINE KEY     the value of KEY=... in a trace line
set -u
LAB_TEST=$(basename "$0" .sh)
LAB_TEST_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_RUN=$LAB_TEST_REPO/tools/lab/run
OUT=$(mktemp -d "${TMPDIR:-/tmp}/$LAB_TEST.XXXXXX")
LAB_RC=
LAB_FAILED=0
trap '[ -n "${LAB_KEEP:-}" ] || rm -rf "$OUT"' EXIT

ok() { printf 'ok - %s: %s\n' "$LAB_TEST" "$1"; }
not_ok() {
	printf 'not ok - %s: %s\n' "$LAB_TEST" "$1"
	LAB_FAILED=$((LAB_FAILED + 1))
}

check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# check_grep DESC REGEX FILE: ok when a line of FILE matches; else shows FILE.
check_grep() {
	if grep -qE -- "$2" "$3" 2>/dev/null; then
		ok "$1"
	else
		not_ok "$1 (no line matches '$2' in $(basename "$3"):)"
		sed 's/^/#   /' "$3" 2>/dev/null | head -n 20
	fi
}

check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1 (expected '$2', got '$3')"
	fi
}

lab_guest() {
	local script=$OUT/guest.sh t0=$SECONDS
	cat >"$script"
	"$LAB_RUN" -q --out "$OUT" --console "$OUT/console.log" "$@" --script "$script" \
		>"$OUT/stdout" 2>"$OUT/stderr"
	LAB_RC=$?
	echo "# $LAB_TEST: VM run took $((SECONDS - t0))s, status $LAB_RC" >&2
	if [ "$LAB_RC" -eq 124 ] || [ "$LAB_RC" -eq 125 ]; then
		not_ok "the lab VM ran (status $LAB_RC: $(grep -m1 'error' "$OUT/stderr"))"
		sed 's/^/# /' "$OUT/stderr" | tail -n 20
		exit 1
	fi
	# Kernel warnings, oopses and BUGs fail every lab test.
	if grep -q '^lab: kernel: ' "$OUT/stderr"; then
		not_ok "the kernel logged no WARN/BUG/oops"
		grep '^lab: kernel: ' "$OUT/stderr" | head -n 30 | sed 's/^/# /'
	fi
	return 0
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

lab_done() {
	[ "$LAB_FAILED" -eq 0 ]
	exit
}
