#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Hardening on the real 7.3 kernel (issue 17), one VM boot:
#  privileges  trace, exporter, leaks and top hold no capability once
#              attached (/proc/PID/task/*/status: permitted, effective,
#              bounding, ambient empty, no_new_privs), check keeps only
#              CAP_KILL, record (with a CMD) CAP_KILL and CAP_DAC_OVERRIDE
#              (read by their CMD); each still works after the drop (events
#              streamed, scrapes answered, a recording that replays);
#  chaos       trace and the exporter killed with SIGKILL in the middle of
#              a bind/unbind storm leave no BPF program, map or link behind
#              (the kernel's own list before and after: svaload -B, the
#              bpf() syscall's ID walks; freeing is deferred, so up to 20 s
#              are allowed); SVA state afterwards is what svamock's debugfs
#              lists: a holder's two bonds, and a new svatop's snapshot
#              (record, replayed as a graph) has exactly those;
#  check's CMD one check whose CMD reads check's capabilities, leaves a
#              daemon in its own session, starts a child and ignores
#              SIGTERM; check is killed by SIGHUP: nothing of the tree
#              survives, and CMD is reported killed by SIGKILL.
# Guest time (load average 7.5 on this 2-core host): 168 s, 110 of them for
# the four svatops attaching at once (BPF verification under TCG).
. "$(dirname "$0")/lib/harness.sh"
cd "$LAB_TEST_REPO"

lab_guest --timeout 300 --dynamic <<'EOF_GUEST'
ip link set lo up 2>/dev/null
T0=$(date +%s)
mark() { echo "$1 $(($(date +%s) - T0))" >>/out/times; }
caps() {	# caps PID NAME: every thread's capability sets, while it runs
	if [ ! -d /proc/$1/task ]; then
		echo "not running" >/out/$2.caps
		return
	fi
	for t in /proc/$1/task/*; do
		grep -E '^(CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' $t/status | tr -d '\t' |
			tr '\n' ' '
		echo
	done >/out/$2.caps
}
# wait_caps PID: until the process has dropped what it drops (its
# effective set is no longer the full one), at most 120 s.
wait_caps() {
	_i=0
	while kill -0 $1 2>/dev/null && [ $_i -lt 1200 ]; do
		grep -q '^CapEff:[[:space:]]*000001ffffffffff' /proc/$1/status || return 0
		_i=$((_i + 1))
		sleep 0.1
	done
	return 1
}
# bpf_settled NAME: the kernel's BPF objects in /out/bpf.NAME once they are
# what they were before svatop ran (freeing is deferred: RCU, workqueues),
# at most 20 s; the seconds it took in /out/bpf.NAME.s.
bpf_settled() {
	_i=0
	while :; do
		svaload -B >/out/bpf.$1 2>&1
		cmp -s /out/bpf.before /out/bpf.$1 && break
		[ $_i -ge 200 ] && break
		_i=$((_i + 1))
		sleep 0.1
	done
	echo $((_i / 10)) >/out/bpf.$1.s
}
svaload -B >/out/bpf.before 2>&1
mark boot

# -- a holder keeps two bonds through everything --------------------------
svaload -e 'bind svamock-dev.0; bind svamock-dev.3; ready /tmp/h.ready; hold /tmp/h.go; exit 0' \
	>/out/holder.log 2>&1 &
HOLDER=$!
i=0
while [ ! -s /tmp/h.ready ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done

# -- four long-running commands, attached at once -------------------------
svatop trace -j >/out/trace.json 2>/out/trace.err &
TRACE=$!
svatop-dyn exporter --listen 127.0.0.1:9464 >/dev/null 2>/out/exporter.err &
EXP=$!
svatop leaks 1 >/out/leaks.out 2>/out/leaks.err &
LEAKS=$!
svatop top -b 1 >/out/top.out 2>/out/top.err &
TOP=$!
for p in $TRACE $EXP $LEAKS $TOP; do wait_caps $p; done
i=0
while ! grep -q '^svatop exporter: serving' /out/exporter.err && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
caps $TRACE trace
caps $EXP exporter
caps $LEAKS leaks
caps $TOP top
mark attached
svaload -B >/out/bpf.running 2>&1
# the first scrape may come before the exporter's first interval has
# applied the start-up snapshot: scrape until the holder's bonds show (15 s)
i=0
while :; do
	timeout 20 wget -q -O /out/scrape0.txt http://127.0.0.1:9464/metrics
	echo $? >/out/scrape0.rc
	awk '/^svatop_bonds\{/ { n += $NF } END { exit !(n >= 2) }' /out/scrape0.txt && break
	[ $i -ge 30 ] && break
	sleep 0.5
	i=$((i + 1))
done

# -- the storm; trace and exporter SIGKILLed in the middle of it ----------
svaload -e 'quiet; spawn 4; repeat 150; bind svamock-dev.0; unbind svamock-dev.0; end; end; wait' \
	>/out/storm.log 2>&1 &
STORM=$!
sleep 2
timeout 20 wget -q -O /out/scrape1.txt http://127.0.0.1:9464/metrics
echo $? >/out/scrape1.rc
kill -KILL $TRACE $EXP
kill -INT $LEAKS $TOP
wait $TRACE $EXP $LEAKS $TOP 2>/dev/null
wait $STORM
echo $? >/out/storm.rc
mark killed
bpf_settled after
cat /sys/kernel/debug/svamock/bonds >/out/bonds.txt
cat /proc/$HOLDER/stat | cut -d' ' -f1 >/out/holder.pid

# -- record, while the holder holds: its capabilities read by its CMD, and
# its start-up snapshot is the state svamock's debugfs must agree with ----
timeout 120 svatop record -o /tmp/r.rec -- sh -c 'cat /proc/$PPID/status >/out/record.status' \
	>/out/record.out 2>&1
echo $? >/out/record.rc
bpf_settled record
mark record
timeout 60 svatop replay /tmp/r.rec graph --json >/out/graph.json 2>/out/graph.err
echo $? >/out/graph.rc
touch /tmp/h.go
wait $HOLDER

# -- check's CMD tree: CMD reads check's capabilities, leaves a daemon (its
# own session: reached only as a child the subreaper inherited), starts a
# child, then ignores SIGTERM; check is killed by SIGHUP -------------------
svatop check --grace 0.5 -- sh -c 'cat /proc/$PPID/status >/out/check.status
	setsid sh -c "echo \$\$ >/tmp/dmn.pid; exec sleep 300" &
	sleep 300 & echo $! >/tmp/child.pid
	trap "" TERM; echo $$ >/tmp/cmd.pid
	while :; do sleep 1; done' >/out/check.out 2>&1 &
CHK=$!
i=0
while { [ ! -s /tmp/cmd.pid ] || [ ! -s /tmp/dmn.pid ]; } && [ $i -lt 1200 ]; do
	sleep 0.1; i=$((i + 1))
done
sleep 0.5
kill -HUP $CHK
wait $CHK
echo $? >/out/check.rc
for f in cmd child dmn; do
	[ -s /tmp/$f.pid ] && echo $f >>/out/check.started
	kill -0 "$(cat /tmp/$f.pid 2>/dev/null || echo 0)" 2>/dev/null && echo $f >>/out/check.left
done
ps -o pid,comm 2>/dev/null | grep -c 'sleep' >/out/sleepers
mark end
EOF_GUEST

# ---- privileges -----------------------------------------------------------
zero='CapPrm:0000000000000000 CapEff:0000000000000000 CapBnd:0000000000000000 CapAmb:0000000000000000 NoNewPrivs:1 '
echo "# guest seconds at each phase: $(tr '\n' ' ' <"$OUT/times" 2>/dev/null)"
for c in trace exporter leaks top; do
	n=$(wc -l <"$OUT/$c.caps" 2>/dev/null)
	good=$(grep -cxF "$zero" "$OUT/$c.caps" 2>/dev/null)
	bad=$(grep -vxF "$zero" "$OUT/$c.caps" 2>/dev/null | head -1)
	[ "${n:-0}" -ge 1 ] && [ "${good:-0}" = "$n" ]
	ok $? "$c holds no capability once attached (all ${n:-0} threads: permitted, effective, bounding, ambient empty; no_new_privs)" \
		"${bad:-no status read}"
done
[ "$(wc -l <"$OUT/exporter.caps" 2>/dev/null)" -ge 2 ]
ok $? "exporter: its status was read from every thread ($(wc -l <"$OUT/exporter.caps" 2>/dev/null))"
# CAP_KILL is bit 5 (0x20), CAP_DAC_OVERRIDE bit 1 (0x2).
check_eq "check keeps CAP_KILL only (effective, permitted, bounding)" \
	"0000000000000020 0000000000000020 0000000000000020" \
	"$(awk '/^Cap(Eff|Prm|Bnd):/ { printf "%s%s", s, $2; s = " " }' "$OUT/check.status" 2>/dev/null)"
check_eq "record -- CMD keeps CAP_KILL and CAP_DAC_OVERRIDE only" \
	"0000000000000022 0000000000000022 0000000000000022" \
	"$(awk '/^Cap(Eff|Prm|Bnd):/ { printf "%s%s", s, $2; s = " " }' "$OUT/record.status" 2>/dev/null)"
check_eq "record after the drop: exit 0, the file finished" 0 "$(cat "$OUT/record.rc" 2>/dev/null)"

# ---- still working after the drop ----------------------------------------
binds=$(jcount "$OUT/trace.json" '.event == "bind" and .ret == 0')
[ "${binds:-0}" -ge 1 ]
ok $? "trace streamed events after its drop (storm binds before its SIGKILL: $binds)"
check_eq "exporter answered a scrape after its drop" 0 "$(cat "$OUT/scrape0.rc" 2>/dev/null)"
check_eq "exporter answered a scrape mid-storm" 0 "$(cat "$OUT/scrape1.rc" 2>/dev/null)"
check_eq "exporter: the holder's two bonds are in its metrics (svatop_bonds summed)" 2 \
	"$(awk '/^svatop_bonds\{/ { n += $NF } END { print n + 0 }' "$OUT/scrape0.txt" 2>/dev/null)"

# ---- chaos: nothing left in the kernel ------------------------------------
check_eq "the storm ran to its end under the SIGKILLs" 0 "$(cat "$OUT/storm.rc" 2>/dev/null)"
nrun=$(grep -c '^prog ' "$OUT/bpf.running" 2>/dev/null)
[ "${nrun:-0}" -gt "$(grep -c '^prog ' "$OUT/bpf.before" 2>/dev/null)" ]
ok $? "svaload -B sees the running svatops' programs ($nrun programs, $(grep -c '^link ' "$OUT/bpf.running") links, $(grep -c '^map ' "$OUT/bpf.running") maps)" \
	"$(head -3 "$OUT/bpf.running")"
for kind in prog map link; do
	check_eq "no BPF $kind left after trace and exporter were SIGKILLed (the kernel's list, as before; freed within $(cat "$OUT/bpf.after.s" 2>/dev/null) s)" \
		"$(grep -c "^$kind " "$OUT/bpf.before")" "$(grep -c "^$kind " "$OUT/bpf.after" 2>/dev/null)"
done
if ! cmp -s "$OUT/bpf.before" "$OUT/bpf.after"; then
	diff "$OUT/bpf.before" "$OUT/bpf.after" | head -10 | sed 's/^/#   /'
fi
check "a record run afterwards leaves nothing either (freed within $(cat "$OUT/bpf.record.s" 2>/dev/null) s)" \
	cmp -s "$OUT/bpf.before" "$OUT/bpf.record"
holder=$(tr -d ' \n' <"$OUT/holder.pid" 2>/dev/null)
check_eq "svamock: the holder's two bonds are the only ones (the storm's all unbound)" \
	"2 ${holder:-?}" "$(awk 'NR > 1 { n++; p = $4 } END { print n + 0, p }' "$OUT/bonds.txt" 2>/dev/null)"
awk 'NR > 1 { print $3, $1, $2, $6 }' "$OUT/bonds.txt" 2>/dev/null | sort >"$OUT/want"
jq -r '.mms[] | select(.exited | not) | .pasid as $p | .domains[] as $d | $d.devices[] |
	"\($p) \(.name) \(.iommu) \($d.domain)"' "$OUT/graph.json" 2>/dev/null | sort >"$OUT/got"
check_eq "svatop replay of that recording: graph exited 0" 0 "$(cat "$OUT/graph.rc" 2>/dev/null)"
if [ -s "$OUT/want" ] && cmp -s "$OUT/want" "$OUT/got"; then
	ok 0 "after the chaos, a new svatop's snapshot has every bond (PASID, device, IOMMU, domain) as svamock's debugfs lists it"
else
	ok 1 "after the chaos, a new svatop's snapshot has the bonds as svamock's debugfs lists them"
	diff "$OUT/want" "$OUT/got" | sed 's/^/#   /'
fi

# ---- check's CMD tree -----------------------------------------------------
check_eq "CMD, its child and the daemon it left had started" "cmd child dmn" \
	"$(tr '\n' ' ' <"$OUT/check.started" 2>/dev/null | sed 's/ $//')"
check_eq "check killed by SIGHUP: inconclusive (exit 3, interrupted)" 3 "$(cat "$OUT/check.rc" 2>/dev/null)"
check "check killed by SIGHUP: nothing of CMD's tree survives (CMD ignoring SIGTERM, its child, the daemon)" \
	test ! -e "$OUT/check.left"
[ -e "$OUT/check.left" ] && echo "# survivors: $(tr '\n' ' ' <"$OUT/check.left")"
check_grep "CMD ignoring SIGTERM: reported killed by SIGKILL, not 'exited 0'" 'killed by signal 9' "$OUT/check.out"
check_eq "no sleep of any CMD left in the guest" 0 "$(cat "$OUT/sleepers" 2>/dev/null)"
lab_done
