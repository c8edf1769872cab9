#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Injected kernel bugs (patches/experiments) on the KASAN lab kernel: one
# fresh VM boot per scenario (tests/kernel/bugs/*.bug), so no scenario
# runs on a kernel an earlier one corrupted. Each asserts the kernel's own
# report of the bug (KASAN, from the guest's console: bug type and
# function) next to svatop's finding for it, and that the kernel neither
# oopsed nor hung. A scenario file is data: the kernel, the guest script,
# the KASAN reports and warnings expected, the svatop rule, and optional
# extra checks (see forkbug-unbind-after-child-exit.bug).
# Run: make lab-kernel-test (builds what is missing first), or
# tests/kernel/bugs.sh [FILE.bug...] for some scenarios.
# BUGS_CONTROL=KERNEL: the control run instead: each scenario (but those
# with control=no) on KERNEL, a kernel without the bug (e.g. svatop),
# where svatop check must exit 0 and the kernel report nothing (outputs in
# .output/kernel/bugs/NAME.control). make bugzoo runs both.
. "$(dirname "$0")/lib/kernel.sh"

# check_clean DESC OUT STATUS: `svatop check` exited STATUS (0: svatop saw
# nothing wrong) and its JSON report (the last line of OUT/check.json)
# lists no finding.
check_clean() {
	local desc=$1 out=$2 want=$3
	if have "$out/check.status" "$desc: svatop check exits $want"; then
		expect_eq "$want" "$(tr -d ' \n' <"$out/check.status")" "$desc: svatop check exits $want"
	fi
	have "$out/check.json" "$desc: svatop check reports no finding" || return
	expect_eq 0 "$(tail -n 1 "$out/check.json" | jq '.findings | length' 2>/dev/null)" \
		"$desc: svatop check reports no finding"
}

# check_finding DESC OUT RULE: `svatop check` exited 1 and its JSON
# report (the last line of OUT/check.json) names RULE.
check_finding() {
	local desc=$1 out=$2 rule=$3 st rules
	if have "$out/check.status" "$desc: svatop check exits 1"; then
		expect_eq 1 "$(tr -d ' \n' <"$out/check.status")" "$desc: svatop check exits 1"
	fi
	have "$out/check.json" "$desc: svatop check names the rule $rule" || return
	rules=$(tail -n 1 "$out/check.json" | jq -r '[.findings[]?.rule] | unique | join(" ")' 2>/dev/null)
	st=$?
	if [ $st -ne 0 ]; then
		ok 1 "$desc: svatop check names the rule $rule" \
			"the last line of check.json is not its JSON report: $(tail -n 1 "$out/check.json" | cut -c1-120)"
		return
	fi
	case " $rules " in
	*" $rule "*) ok 0 "$desc: svatop check names the rule $rule (all: $rules)" ;;
	*) ok 1 "$desc: svatop check names the rule $rule" "saw: ${rules:-no finding}" ;;
	esac
}

# run_bug FILE: one scenario, one boot.
run_bug() {
	local name out script kernel='' guest='' check_rule='' check_status='' kasan_expect='' kasan_allow=''
	local warn_allow='' fail_allow='' control=''
	name=$(basename "$1" .bug)
	unset -f scenario_checks
	# shellcheck disable=SC1090
	. "$1"
	if [ -n "${BUGS_CONTROL:-}" ]; then
		[ "$control" != no ] || return
		# the same scenario on a kernel without the bug: nothing to report
		name=$name.control kernel=$BUGS_CONTROL kasan_expect='' kasan_allow='' warn_allow=''
		fail_allow='' check_rule='' check_status=0
		unset -f scenario_checks
	fi
	if [ "$kernel" != debian ] && ! TAP_PREFIX="$name: " kernel_built "$kernel"; then
		return
	fi
	# a scenario that expects KASAN reports needs a KASAN kernel
	if [ -n "$kasan_expect" ] &&
		! grep -qx 'CONFIG_KASAN=y' "$(kernel_dir "$kernel")/config" 2>/dev/null; then
		ok 1 "$name: kernel '$kernel' has KASAN" "rebuild it: make lab-kernel-test"
		return
	fi
	out=$REPO/.output/kernel/bugs/$name
	script=$(mktemp)
	printf '%s\n' "$guest" >"$script"
	boot "$out" "$name" "$kernel" "$script"
	rm -f "$script"
	kernel_evidence "$name" "$(kernel_log "$out")" "$kasan_expect" "$kasan_allow" "$warn_allow" \
		"$fail_allow"
	[ -z "$check_rule" ] || check_finding "$name" "$out" "$check_rule"
	[ -z "$check_status" ] || check_clean "$name" "$out" "$check_status"
	if declare -F scenario_checks >/dev/null; then
		# shellcheck disable=SC2034 # read by ok() (lib/kernel.sh)
		TAP_PREFIX="$name: "
		scenario_checks "$out"
		# shellcheck disable=SC2034
		TAP_PREFIX=
	fi
}

# Arguments: scenario files (default: all of tests/kernel/bugs/).
[ $# -gt 0 ] || set -- "$REPO"/tests/kernel/bugs/*.bug
n=0
for f in "$@"; do
	[ -f "$f" ] || continue
	run_bug "$f"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || ok 1 "scenarios in tests/kernel/bugs" "none found"
finish
