# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Host side of the kernel tests (tests/kernel/*.sh, sourced): the kernels
# `make lab-kernel-test` builds, one VM boot per scenario, and the
# kernel's own reports (KASAN, oopses, warnings) from the guest's console.
. "$(dirname "${BASH_SOURCE[0]}")/../../lab/lib/common.sh"
KB_CACHE=${KB_CACHE:-$REPO/tools/kbuild/cache}
KERNEL_GUEST_LIB=$REPO/tests/kernel/lib/guest.sh

# TAP_PREFIX goes in front of every check's description (a scenario's name).
TAP_PREFIX=
eval "tap_$(declare -f ok)"
ok() { tap_ok "$1" "$TAP_PREFIX$2" "${3:-}"; }

kernel_dir() { readlink -f "$KB_CACHE/kernels/$1" 2>/dev/null; }

# kernel_built NAME: true when kernel NAME and svamock for it are built;
# else one failed check saying how to build them.
kernel_built() {
	local d
	d=$(kernel_dir "$1")
	# cmdline: written by every build since KASAN kernels need their arguments
	if [ -n "$d" ] && [ -f "$d/.complete" ] && [ -f "$d/cmdline" ] &&
		[ -f "$d/modules/svamock/svamock.ko" ]; then
		return 0
	fi
	ok 1 "kernel '$1' is built (in $KB_CACHE/kernels)" "run: make lab-kernel-test (zoo-*: make bugzoo)"
	return 1
}

# boot OUT DESC KERNEL SCRIPT: one fresh VM running the guest libraries
# and SCRIPT on KERNEL ("debian": Debian's own, else a name from
# make lab-kernel) with the kernel arguments its build asks for (the
# result's `cmdline`: KASAN's). After SCRIPT, the guest waits until its
# kernel log is quiet and saves it (OUT/kernel.log); the serial console
# (the kernel log up to the end, even when the guest hangs or dies) lands
# in OUT/console, /out in OUT. Prints one TAP line; when the guest hung,
# died or failed, it says which, with the console's last lines.
boot() {
	local out=$1 desc=$2 k=$3 script=$4 d rc why append=${LAB_APPEND:-} args=()
	rm -rf "$out"
	mkdir -p "$out"
	{
		cat "$GUEST_LIB" "$KERNEL_GUEST_LIB" "$script"
		# shellcheck disable=SC2016 # guest code
		printf '\n_st=$?\nkernel_quiet\ndmesg >/out/kernel.log\nexit $_st\n'
	} >"$out/guest-script.sh"
	if [ "$k" != debian ]; then
		d=$(kernel_dir "$k")
		args=(--kernel-image "$d/bzImage" --module "$d/modules/svamock/svamock.ko")
		# acpi=noirq: PCI interrupts from the BIOS's $PIR table, not
		# ACPI's _PRT. Under KASAN and TCG the _PRT method runs past
		# ACPICA's 30 s loop timeout on a loaded host, virtio-pci gets
		# no interrupt ("PCI INT A: no GSI") and the guest has no port
		# for /out (first boots of the fork-bug kernel, 2 of 2).
		append="$append acpi=noirq $(cat "$d/cmdline" 2>/dev/null)"
	fi
	LAB_APPEND=$append "$LAB_RUN" -q --out "$out" --console "$out/console" \
		--timeout "${LAB_TIMEOUT:-600}" "${args[@]}" --script "$out/guest-script.sh" \
		>"$out/guest.log" 2>&1
	rc=$?
	case $rc in
	0) ok 0 "$desc: the guest ran the scenario"; return 0 ;;
	124) why="the guest hung: killed after ${LAB_TIMEOUT:-600} s" ;;
	125) why="the guest died or the lab failed (status 125)" ;;
	*) why="the guest script exited $rc" ;;
	esac
	ok 1 "$desc: the guest ran the scenario" "$why; the console's last lines follow, all of it in $out/console"
	tr -d '\r' <"$out/console" 2>/dev/null | grep -v '^@@LAB' | tail -n 15 | sed 's/^/#   /'
	grep '^lab: error' "$out/guest.log" | head -n 3 | sed 's/^/#   /'
	return 1
}

# have FILE DESC: true when the guest wrote FILE; else DESC fails with one
# line that names the missing file.
have() {
	[ -s "$1" ] && return 0
	ok 1 "$2" "missing $(basename "$1"): the guest did not write it"
	return 1
}

# kasan_reports CONSOLE: "TYPE FUNCTION" of each KASAN report, in order
# ("BUG: KASAN: slab-use-after-free in iommu_sva_unbind_device+0x../0x..").
kasan_reports() {
	tr -d '\r' <"$1" | sed -n 's/.*BUG: KASAN: \([a-z-]*\) in \([A-Za-z0-9_.]*\)+0x.*/\1 \2/p'
}

# kernel_failures CONSOLE [ALLOW]: the first line of every oops, panic,
# BUG, hang or corruption report that is not a KASAN report, nor matches
# a line of ALLOW (fixed strings: reports the injected bug causes).
kernel_failures() {
	tr -d '\r' <"$1" |
		grep -E 'Oops|BUG:|Kernel panic|general protection fault|kernel BUG|soft lockup|hard LOCKUP|blocked for more than|rcu_.*stall|list_(add|del) corruption|refcount_t:|UBSAN:' |
		grep -v 'BUG: KASAN: ' | grep -vF -f <(printf '%s\n' "${2:-}" | grep . || echo 'BUG: KASAN: ')
}

# kernel_warnings CONSOLE: the function of every WARNING, one a line
# ("WARNING: lib/idr.c:594 at ida_free+0x../0x.., CPU#1: ..." on 7.x).
kernel_warnings() {
	tr -d '\r' <"$1" | grep 'WARNING:' |
		sed -n 's/.*[ ]\([A-Za-z_][A-Za-z0-9_.]*\)+0x[0-9a-f]*\/0x[0-9a-f]*.*/\1/p'
}

# count_lines TEXT: lines in TEXT (0 for none)
count_lines() { [ -n "$1" ] && printf '%s\n' "$1" | wc -l || echo 0; }

# kernel_log OUT: the kernel log of one boot: the one the guest saved
# when its scenario ended (whole), else the console (the guest hung or died).
kernel_log() {
	if [ -s "$1/kernel.log" ]; then echo "$1/kernel.log"; else echo "$1/console"; fi
}

# kernel_evidence DESC LOG EXPECT ALLOW_KASAN ALLOW_WARN [FAIL_ALLOW]: the kernel's
# own verdict on one boot (LOG: kernel_log's). EXPECT: "TYPE FUNCTION"
# KASAN reports that must be there, one a line; ALLOW_KASAN: other
# reports this bug may add; ALLOW_WARN: functions whose WARNING the bug
# causes on purpose; FAIL_ALLOW (optional): kernel_failures lines it causes
# on purpose (e.g. "refcount_t: underflow"). Anything else the kernel reported (another KASAN
# report, an oops, a hang, a warning) fails.
kernel_evidence() {
	local desc=$1 con=$2 expect=$3 allow=$4 warn_allow=$5 fail_allow=${6:-} seen e n bad w
	have "$con" "$desc: the kernel's log was captured" || return 1
	seen=$(kasan_reports "$con")
	while read -r e; do
		[ -n "$e" ] || continue
		n=$(grep -cxF "$e" <<<"$seen")
		if [ "$n" -gt 0 ]; then
			ok 0 "$desc: the kernel's KASAN reports $e ($n report(s))"
		else
			ok 1 "$desc: the kernel's KASAN reports $e" \
				"saw: $(sort -u <<<"$seen" | paste -sd, | sed 's/^$/no KASAN report/')"
		fi
	done <<<"$expect"
	bad=$(grep -vxF -f <(printf '%s\n%s\n' "$expect" "$allow" | grep .) <<<"$seen" | grep . | sort -u)
	expect_eq "" "$(paste -sd, <<<"$bad")" "$desc: no other KASAN report"
	bad=$(kernel_failures "$con" "$fail_allow")
	if [ -z "$bad" ]; then
		ok 0 "$desc: the kernel did not oops, panic or hang"
	else
		ok 1 "$desc: the kernel did not oops, panic or hang" "$(count_lines "$bad") report(s), the first follow"
		head -n 5 <<<"$bad" | sed 's/^/#   /'
	fi
	w=$(kernel_warnings "$con" | sort -u)
	bad=$(grep -vxF -f <(printf '%s\n' "$warn_allow" | tr ' ' '\n' | grep .) <<<"$w" | grep .)
	expect_eq "" "$(paste -sd, <<<"$bad")" \
		"$desc: no kernel warning${warn_allow:+ but from $warn_allow}"
}
