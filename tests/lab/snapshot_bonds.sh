#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# State that predates svatop, complete: bonds, their devices and IOMMU
# instances, the handles' users and every SVA domain's devices, found by
# the start-up snapshot in the IOMMU groups' PASID arrays (snap-bond).
# Before svatop starts: a driver leaks three bonds of two exited processes
# (one of them 1:n), and a live process holds a 1:n bind, a domain shared
# by two devices of one instance, and a device bound twice (handle users
# 2). A second live process binds from four threads (one mm, so one
# PASID): a domain shared by dev.0 and dev.1, dev.4 on the other instance,
# and dev.0 again from the fourth thread. A third binds dev.2 and dev.5
# from two threads, then its main thread exits (pthread_exit: a zombie
# leader without an mm, the process lives on). `svatop graph --json` must
# list exactly what svamock's debugfs lists.
. "$(dirname "$0")/lib/harness.sh"
cd "$LAB_TEST_REPO"

lab_guest --timeout 400 <<'EOF_GUEST'
echo 1 >/sys/module/svamock/parameters/leak_on_release
svaload -e 'open svamock-dev.0; bind svamock-dev.0; exit 0' >/out/leak1.log 2>&1
svaload -e 'open svamock-dev.1; open svamock-dev.4; bind svamock-dev.1; bind svamock-dev.4; exit 0' \
	>/out/leak2.log 2>&1
echo 0 >/sys/module/svamock/parameters/leak_on_release
svaload -e 'bind svamock-dev.0; bind svamock-dev.3; bind svamock-dev.1; bind svamock-dev.0; ready /tmp/p.ready; hold /tmp/p.go; exit 0' \
	>/out/live.log 2>&1 &
i=0
while [ ! -s /tmp/p.ready ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
cp /tmp/p.ready /out/live.pid
# Each thread binds, says so, then holds; the next one starts after that.
svaload -e 'thread; bind svamock-dev.0; ready /tmp/t1; hold /tmp/p.go; end; hold /tmp/t1
thread; bind svamock-dev.1; ready /tmp/t2; hold /tmp/p.go; end; hold /tmp/t2
thread; bind svamock-dev.4; ready /tmp/t3; hold /tmp/p.go; end; hold /tmp/t3
thread; bind svamock-dev.0; ready /tmp/t4; hold /tmp/p.go; end; hold /tmp/t4
ready /tmp/t.ready; wait; exit 0' >/out/threads.log 2>&1 &
i=0
while [ ! -s /tmp/t.ready ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
cp /tmp/t.ready /out/threads.pid
ls /proc/"$(cat /tmp/t.ready)"/task | wc -l >/out/threads.tasks
svaload -e 'thread; bind svamock-dev.2; ready /tmp/u1; hold /tmp/p.go; end; hold /tmp/u1
thread; bind svamock-dev.5; ready /tmp/u2; hold /tmp/p.go; end; hold /tmp/u2
ready /tmp/u.ready; leave' >/out/leader.log 2>&1 &
i=0
while [ ! -s /tmp/u.ready ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
cp /tmp/u.ready /out/leader.pid
u=$(cat /tmp/u.ready)
# Until the leader is a zombie: the state of each of its tasks, leader first.
i=0
while ! grep -q '^State:.*Z' /proc/"$u"/status && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
for t in /proc/"$u"/task/*; do echo "$(basename "$t") $(cut -d' ' -f3 "$t"/stat)"; done >/out/leader.tasks
cat /sys/kernel/debug/svamock/bonds >/out/bonds.txt
timeout 120 svatop graph --json >/out/graph.json 2>/out/graph.err
echo $? >/out/graph.rc
timeout 120 svatop trace -j --duration 2 >/out/trace.json 2>/out/trace.err
touch /tmp/p.go
wait
EOF_GUEST

check_eq "svatop graph --json exited 0" 0 "$(cat "$OUT/graph.rc" 2>/dev/null)"
check "svamock lists the bonds made before svatop started" test -s "$OUT/bonds.txt"
live=$(tr -d ' \n' <"$OUT/live.pid" 2>/dev/null)
threaded=$(tr -d ' \n' <"$OUT/threads.pid" 2>/dev/null)
leaderless=$(tr -d ' \n' <"$OUT/leader.pid" 2>/dev/null)

# One line per bond: PASID DEVICE IOMMU DOMAIN HANDLE-USERS STATE OWNER.
# svamock lists a device bound twice twice (one row per bind call).
awk 'NR > 1 { k = $3 " " $1 " " $2 " " $6; n[k]++
	st[k] = $7 == "leaked" ? "exited" : "live " $4 }
	END { for (k in n) print k, n[k], st[k] }' "$OUT/bonds.txt" | sort >"$OUT/want"
jq -r '.mms[] as $m | $m.domains[] as $d | $d.devices[] |
	"\($m.pasid) \(.name) \(.iommu) \($d.domain) \(.handle_users) " +
	(if $m.exited then "exited" else "live \($m.pid)" end)' \
	"$OUT/graph.json" 2>/dev/null | sort >"$OUT/got"
check_eq "svamock holds 11 distinct bonds (3 leaked, 3 + 3 + 2 live)" 11 "$(wc -l <"$OUT/want")"
if cmp -s "$OUT/want" "$OUT/got"; then
	ok 0 "graph: every bond with its device, IOMMU instance, domain, handle users and owner, as svamock lists it"
else
	ok 1 "graph: the bonds as svamock lists them"
	diff "$OUT/want" "$OUT/got" | sed 's/^/#   /'
fi
check_eq "graph: the live process $live's shared domain on svamock-iommu0 has two devices and two users" \
	"2 2" "$(jq -r --argjson p "${live:-0}" '.mms[] | select(.pid == $p) | .domains[] |
		select(.iommu == "svamock-iommu0") | "\(.devices | length) \(.users)"' "$OUT/graph.json" 2>/dev/null)"
check_eq "the threaded process $threaded ran its main thread and four binding threads" 5 \
	"$(tr -d ' ' <"$OUT/threads.tasks" 2>/dev/null)"
check_eq "svamock: the four threads' binds are four bonds of process $threaded with one PASID" "4 1" \
	"$(awk -v p="${threaded:-none}" '$4 == p { n++; pasid[$3] = 1 } END { print n + 0, length(pasid) }' \
		"$OUT/bonds.txt")"
check_eq "graph: process $threaded is one mm, with the PASID svamock lists" \
	"$(awk -v p="${threaded:-none}" '$4 == p { print $3; exit }' "$OUT/bonds.txt")" \
	"$(jq -r --argjson p "${threaded:-0}" '[.mms[] | select(.pid == $p) | .pasid] | map(tostring) | join(",")' \
		"$OUT/graph.json" 2>/dev/null)"
check_eq "graph: process $threaded's domains: dev.0 (bound by two threads) and dev.1 share one on iommu0, dev.4 has one on iommu1" \
	"svamock-iommu0:2:svamock-dev.0/2,svamock-dev.1/1 svamock-iommu1:1:svamock-dev.4/1" \
	"$(jq -r --argjson p "${threaded:-0}" '[.mms[] | select(.pid == $p) | .domains[] |
		"\(.iommu):\(.users):\([.devices[] | "\(.name)/\(.handle_users)"] | sort | join(","))"] |
		sort | join(" ")' "$OUT/graph.json" 2>/dev/null)"
check_eq "process $leaderless: its leader is a zombie, its two binding threads live" "${leaderless:-none} Z|S S" \
	"$(awk -v p="${leaderless:-none}" '$1 == p { z = $1 " " $2 } $1 != p { s = s " " $2 } END { print z "|" substr(s, 2) }' \
		"$OUT/leader.tasks" 2>/dev/null)"
check_eq "svamock: process $leaderless's threads hold dev.2 and dev.5, one PASID" "svamock-dev.2,svamock-dev.5 1" \
	"$(awk -v p="${leaderless:-none}" '$4 == p { d = d "," $1; pasid[$3] = 1 } END { print substr(d, 2), length(pasid) }' \
		"$OUT/bonds.txt")"
check_eq "graph: process $leaderless (leader gone, threads live) is live, one mm, with svamock's PASID" \
	"false $(awk -v p="${leaderless:-none}" '$4 == p { print $3; exit }' "$OUT/bonds.txt")" \
	"$(jq -r --argjson p "${leaderless:-0}" '[.mms[] | select(.pid == $p) | "\(.exited) \(.pasid)"] | join(",")' \
		"$OUT/graph.json" 2>/dev/null)"
check_eq "graph: no domain says its devices are unknown" 0 \
	"$(jq '[.mms[].domains[] | select((.devices | length) == 0)] | length' "$OUT/graph.json" 2>/dev/null)"
check_eq "graph: both IOMMU instances are listed with the devices bound before the start" \
	"svamock-iommu0:svamock-dev.0,svamock-dev.1,svamock-dev.2 svamock-iommu1:svamock-dev.3,svamock-dev.4,svamock-dev.5" \
	"$(jq -r '[.iommus[] | "\(.name):\([.devices[].name] | sort | join(","))"] | sort | join(" ")' \
		"$OUT/graph.json" 2>/dev/null)"
check_eq "trace: one snap-bond record per bond, between the last snap-mm and snap-end" \
	"11 snap-end" "$(jq -r 'select(.event == "snap-bond") | .event' "$OUT/trace.json" 2>/dev/null | wc -l) $(
		jq -r 'select(.flags | index("snapshot")) | .event' "$OUT/trace.json" 2>/dev/null | tail -n 1)"
lab_done
