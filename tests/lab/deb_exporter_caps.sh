#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The capabilities of svatop-exporter.service, measured on the real 7.3
# kernel: svatop started the way systemd starts the unit (a non-root uid,
# no groups, bounding/ambient/effective sets cut to the unit's
# AmbientCapabilities, no_new_privs; tools/deb/dynuser.c) traces exactly
# what root traces, the start-up snapshot included (an orphaned mm that
# svamock still holds); without any one of the three capabilities it does
# not (refused, or the orphan is missed). The kernel's /proc/PID/status
# says which uid svatop ran with and that it kept no capability once its
# programs were attached.
. "$(dirname "$0")/lib/common.sh"
out=$REPO/.output/lab/deb_exporter_caps
UNIT=$REPO/debian/svatop.svatop-exporter.service
caps=$(sed -n 's/^AmbientCapabilities=//p' "$UNIT")
expect_eq "CAP_BPF CAP_PERFMON CAP_SYSLOG" "$caps" "the unit's ambient capabilities are the measured three"
helper=$(mktemp)
guest=$(mktemp)
trap 'rm -f "$helper" "$guest"' EXIT
gcc -static -O2 -Wall -Wextra -Werror "$REPO/tools/deb/dynuser.c" -o "$helper"
ok $? "tools/deb/dynuser.c builds (static)"

without() { # the unit's set without $1, comma-separated
	tr ' ' '\n' <<<"$caps" | grep -vx "$1" | paste -sd,
}
{
	echo 'base64 -d <<"EOF_BIN" | gunzip >/tmp/dynuser'
	gzip -9c "$helper" | base64
	echo 'EOF_BIN'
	echo 'chmod 0755 /tmp/dynuser'
	echo "UNIT_CAPS=$(tr ' ' ',' <<<"$caps")"
	echo "NO_BPF=$(without CAP_BPF) NO_PERFMON=$(without CAP_PERFMON) NO_SYSLOG=$(without CAP_SYSLOG)"
	cat <<'GUEST'
# an orphan: its process exits, the driver keeps the bond
echo 1 >/sys/module/svamock/parameters/leak_on_release
svaload -e 'bind 1; ready /out/orphan.pid; exit 0' >/out/orphan.log 2>&1
echo 0 >/sys/module/svamock/parameters/leak_on_release
cat /sys/kernel/debug/svamock/bonds >/out/bonds
# run NAME CAPS|root: trace one bind/unbind with the start-up snapshot
run() {
	if [ "$2" = root ]; then
		svatop trace -j >/out/$1.out 2>/out/$1.err &
	else
		/tmp/dynuser 61234 "$2" -- svatop trace -j >/out/$1.out 2>/out/$1.err &
	fi
	P=$!
	i=0
	while ! grep -q '^svatop: tracing' /out/$1.err && kill -0 $P 2>/dev/null && [ $i -lt 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -E '^(Uid|Groups|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/$P/status >/out/$1.proc 2>/dev/null
	svaload -e "bind 0; ready /out/$1.pid; unbind 0; exit 0" >/out/$1.load 2>&1
	settle 1
	kill -INT $P 2>/dev/null
	wait $P
	echo $? >/out/$1.status
}
run root root
run unit "$UNIT_CAPS"
run nobpf "$NO_BPF"
run noperfmon "$NO_PERFMON"
run nosyslog "$NO_SYSLOG"
GUEST
} >"$guest"
# Three BPF loads under TCG: more than the default 400 s on a loaded host.
run_guest "$out" "$guest" --timeout 900
ok $? "lab VM ran svatop with the unit's capabilities and without each one"

opasid=$(sed -n 's/.*bind svamock-dev.1 pasid=\([0-9]*\).*/\1/p' "$out/orphan.log")
opid=$(tr -d ' \n' <"$out/orphan.pid" 2>/dev/null)
awk -F'\t' -v p="$opasid" -v pid="$opid" '$1 == "svamock-dev.1" && $3 == p && $4 == pid && $7 == "leaked" { f = 1 }
	END { exit !f }' "$out/bonds"
ok $? "ground truth: svamock holds the orphan's bond (pid ${opid:-?}, PASID ${opasid:-?}) as leaked"
# The kernel's view of the svatop that ran with the unit's set, read once
# it traces: the three capabilities loaded and attached its programs, then
# svatop dropped them (docs/security.md); the bounding set stays the unit's
# (cutting it needs CAP_SETPCAP, which the unit does not grant).
mask=$(printf '%016x' $(((1 << 39) | (1 << 38) | (1 << 34))))
zero=0000000000000000
expect_eq "61234 61234 61234 61234|$zero|$zero|$mask|$zero|1" \
	"$(awk -F'\t' '/^Uid:/ { u = $2 " " $3 " " $4 " " $5 } /^CapPrm:/ { p = $2 } /^CapEff:/ { e = $2 }
		/^CapBnd:/ { b = $2 } /^CapAmb:/ { a = $2 } /^NoNewPrivs:/ { n = $2 }
		END { print u "|" p "|" e "|" b "|" a "|" n }' "$out/unit.proc")" \
	"/proc/PID/status while tracing: uid 61234, permitted = effective = ambient = none (dropped after attach), bounding = BPF+PERFMON+SYSLOG, no_new_privs"

# events NAME: the event names of the traced svaload, the snapshot's
# orphan (tgid 0) and the exit status
events() {
	local p
	p=$(tr -d ' \n' <"$out/$1.pid" 2>/dev/null)
	printf '%s|%s|%s\n' "$(jq -r "select(.tgid==${p:-0} and .tgid!=0) | .event" "$out/$1.out" 2>/dev/null | paste -sd' ')" \
		"$(jq -r "select(.event==\"snap-mm\" and .tgid==0 and .pasid==${opasid:-0}) | .event" "$out/$1.out" 2>/dev/null)" \
		"$(cat "$out/$1.status" 2>/dev/null)"
}
root=$(events root)
case $root in
*"bind unbind"*"|snap-mm|0")
	ok 0 "root: the bind/unbind and the orphan in the snapshot, exit 0"
	expect_eq "$root" "$(events unit)" "the unit's capabilities: the same events as root, the orphan included"
	;;
*)
	ok 1 "root: the bind/unbind and the orphan in the snapshot, exit 0" "saw: $root"
	ok 1 "the unit's capabilities: the same events as root" "no root run to compare with"
	;;
esac
for c in bpf perfmon; do
	expect_eq "2" "$(cat "$out/no$c.status" 2>/dev/null)" "without CAP_${c^^}: svatop cannot trace (exit 2)"
	grep -q 'tracing needs root (or CAP_BPF and CAP_PERFMON)' "$out/no$c.err"
	ok $? "without CAP_${c^^}: one clear error line" "$(head -c 200 "$out/no$c.err")"
done
nosys=$(events nosyslog)
case $nosys in
*"bind unbind"*"||0") ok 0 "without CAP_SYSLOG: traces the bind but the snapshot misses the orphan (kallsyms addresses are 0)" ;;
*) ok 1 "without CAP_SYSLOG: traces the bind but the snapshot misses the orphan" "saw: $nosys" ;;
esac
finish
