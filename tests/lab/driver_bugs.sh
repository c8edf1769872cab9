#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Driver-side SVA bugs on Debian's kernel, through svamock's fault knobs
# (docs/bugzoo.md), one boot, two `svatop check` runs (one BPF load each
# costs ~20 s under TCG): the two bugs it must catch, the two cases that
# must stay clean:
# - control: a forked child binds on the file it inherited and exits; the
#   parent's close unbinds the child's bond: clean (exit 0);
# - unbind_any_mm: the child's unbind ioctl on the inherited file drops its
#   living parent's bond: unbind-by-other-process (exit 1);
# - stale_handle: the device's first handle, never cleared, is what a
#   second process's unbind drops (the first process's bond); the first
#   process's own unbind is refused by the mock (the handle is freed):
#   unbind-by-other-process (exit 1);
# - double_unbind (amdxdna before 2db6ddf1cbc8): the bind's error path
#   unbinds and keeps the handle, the close unbinds it again. The mock
#   refuses the second unbind (it would pass the kernel freed memory), so
#   the kernel sees one bind and one unbind: svatop check is clean (exit
#   0), and says so; the bug zoo's KASAN kernel lets it through instead.
# Kernel evidence: the kernel's own tracer (labtrace kprobes: which pid
# unbound which handle), svamock's debugfs and log.
. "$(dirname "$0")/lib/harness.sh"

lab_guest <<'EOF_GUEST'
# Each scenario: its own trace (start empties it), svatop check's report.
run() {
	_n=$1
	shift
	labtrace start bind bind_ret unbind || exit 1
	svatop check --grace 1 -j -- svaload -e "$*" >/out/$_n.out 2>/out/$_n.err
	echo $? >/out/$_n.rc
	labtrace dump >/out/$_n.trace
	cut -d' ' -f1 /proc/uptime >>/out/uptimes
}
cut -d' ' -f1 /proc/uptime >/out/uptimes
# the two bugs svatop must catch share one (each finding names its pids)
run bugs 'knob unbind_any_mm 1; bind 2; ready /out/any.pid; fork; ready /out/any_child.pid; unbind 2; exit 0; end; wait; knob unbind_any_mm 0; unbind 2 expect=ENOENT; knob stale_handle 1; fork; bind 1; ready /out/stale.pid; fork; open 1; bind 1; ready /out/stale_child.pid; unbind 1; exit 0; end; wait; unbind 1 expect=ESTALE; exit 0; end; wait; knob stale_handle 0'
# the two that must stay clean share another
run clean 'bind 0; ready /out/ctl.pid; fork; bind 0; ready /out/ctl_child.pid; exit 0; end; wait; unbind 0; close 0; knob double_unbind 1; fork; ready /out/double.pid; bind 0 expect=EIO; close 0; exit 0; end; wait; knob double_unbind 0'
tail -n +2 /sys/kernel/debug/svamock/bonds >/out/bonds
cat /sys/kernel/debug/svamock/refused_unbinds >/out/refused
dmesg | grep 'svamock: ' >/out/svamock.log
cat /sys/module/svamock/parameters/double_unbind /sys/module/svamock/parameters/stale_handle \
	/sys/module/svamock/parameters/unbind_any_mm /sys/module/svamock/parameters/allow_uaf | paste -sd' ' >/out/knobs
EOF_GUEST

# Scenario $S's trace: the kernel's own record of its binds and unbinds.
S=
sev() { grep -E "[[:space:]]$1: \(" "$OUT/$S.trace" 2>/dev/null; }
# pid of a trace line's task ("svaload-123 [000] ...")
tpid() { awk '{ n = split($1, a, "-"); print a[n] }'; }
# the handles pid $1 got from its binds (bind_ret), one a line
bound_by() { sev bind_ret | awk -v p="$1" '{ n = split($1, a, "-") } a[n] == p' | sed 's/.* ret=//'; }
# "PID HANDLE" of every unbind the kernel saw
unbinds() { sev unbind | while read -r l; do echo "$(tpid <<<"$l") $(trace_field "$l" handle)"; done; }
json() { grep '^{' "$OUT/$1.out" | tail -n 1; }
findings() { json "$1" | jq -r '[.findings[]?.rule] | unique | join(" ")' 2>/dev/null; }
# finding CHECK PID JQ: JQ of CHECK's unbind-by-other-process finding of pid PID
finding() { json "$1" | jq -r ".findings[] | select(.rule == \"unbind-by-other-process\" and .pid == ${2:-0}) | $3" 2>/dev/null | head -n 1; }
# pointers compare as the kernel prints them: 0x and lower-case hex, and as
# strings: mawk reads "0xff..." as a number (strtod), a double that holds
# 53 bits, so two handles 352 bytes apart compared equal (a CI rehearsal)
hx() { tr 'A-F' 'a-f' <<<"$1"; }

check_eq "every knob is off again, allow_uaf never set" "N N N N" "$(cat "$OUT/knobs" 2>/dev/null)"

echo "# driver_bugs: guest uptime at start and after each check: $(paste -sd' ' "$OUT/uptimes" 2>/dev/null)" >&2

# control and double_unbind
S=clean
expect_eq 0 "$(cat "$OUT/clean.rc" 2>/dev/null)" "control and double_unbind: svatop check is clean" ||
	sed 's/^/# /' "$OUT/clean.out" "$OUT/clean.err" | head
p=$(cat "$OUT/ctl.pid" 2>/dev/null)
c=$(cat "$OUT/ctl_child.pid" 2>/dev/null)
h=$(bound_by "${c:-0}" | head -n 1)
# (the slab may give a later scenario's handle the same address)
d=$(cat "$OUT/double.pid" 2>/dev/null)
expect_eq "$p $(hx "$h")" "$(unbinds | awk -v h="$(hx "$h")" -v d="${d:-0}" '$2 "" == h "" && $1 != d')" \
	"control: the kernel saw the parent ($p) unbind the exited child's bond (tracefs)"

# unbind_any_mm and stale_handle: one check
S=bugs
expect_eq 1 "$(cat "$OUT/bugs.rc" 2>/dev/null)" "unbind_any_mm and stale_handle: svatop check exits 1" ||
	sed 's/^/# /' "$OUT/bugs.out" "$OUT/bugs.err" | head
expect_eq "2 unbind-by-other-process" "$(json bugs | jq -r '"\(.findings | length) \([.findings[].rule] | unique | join(" "))"' 2>/dev/null)" \
	"unbind_any_mm and stale_handle: two findings, both unbind-by-other-process"

# unbind_any_mm
p=$(cat "$OUT/any.pid" 2>/dev/null)
c=$(cat "$OUT/any_child.pid" 2>/dev/null)
expect_eq "pid $c unbound a bond of pid $p, which still runs" "$(finding bugs "$c" .detail)" \
	"unbind_any_mm: a finding names the child ($c) and its parent ($p)"
h=$(bound_by "${p:-0}" | head -n 1)
expect_eq "$c $(hx "$h")" "$(unbinds | awk -v c="${c:-0}" '$1 == c')" \
	"unbind_any_mm: the kernel saw the child unbind the handle its parent bound (tracefs)"
expect_eq "$(hx "$h")" "$(hx "$(finding bugs "$c" .handle)")" "unbind_any_mm: svatop names that handle"
check_grep "unbind_any_mm: svamock logged the cross-process unbind" \
	"unbind_any_mm: unbinding pid $p's bond on svamock-dev.2 from pid $c" "$OUT/svamock.log"

# stale_handle
p=$(cat "$OUT/stale.pid" 2>/dev/null)
c=$(cat "$OUT/stale_child.pid" 2>/dev/null)
expect_eq "pid $c unbound a bond of pid $p, which still runs" "$(finding bugs "$c" .detail)" \
	"stale_handle: a finding names the second process ($c) and the owner ($p)"
h=$(bound_by "${p:-0}" | head -n 1)
expect_eq "$c $(hx "$h")" "$(unbinds | awk -v c="${c:-0}" -v h="$(hx "$h")" '$1 == c && $2 "" == h ""')" \
	"stale_handle: the kernel saw the second process unbind the first one's handle (tracefs)"
expect_eq "" "$(unbinds | awk -v p="${p:-0}" '$1 == p')" \
	"stale_handle: and no unbind from the owner: the mock refused its stale one (tracefs)"
expect_eq "$(hx "$h")" "$(hx "$(finding bugs "$c" .handle)")" "stale_handle: svatop names that handle"
check_grep "stale_handle: svamock logged whose bond it dropped" \
	"stale_handle: unbinding pid $p's bond on svamock-dev.1 from pid $c" "$OUT/svamock.log"
check_grep "stale_handle: the owner's own unbind was refused (a freed handle)" \
	"stale_handle: unbind of a freed handle refused" "$OUT/svamock.log"

# double_unbind (its check: the control's, clean above)
S=clean
p=$(cat "$OUT/double.pid" 2>/dev/null)
h=$(bound_by "${p:-0}" | head -n 1)
expect_eq "$p $(hx "$h")" "$(unbinds | awk -v p="${p:-0}" '$1 == p')" \
	"double_unbind: the kernel saw the error path's unbind only (tracefs)"
check_grep "double_unbind: svamock refused the close's second unbind" \
	"double_unbind: unbind of a freed handle refused" "$OUT/svamock.log"

check_eq "svamock refused two unbinds of freed handles (debugfs)" 2 "$(cat "$OUT/refused" 2>/dev/null)"
check_eq "no bond is left (debugfs)" "" "$(cat "$OUT/bonds" 2>/dev/null)"
lab_done
