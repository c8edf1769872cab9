#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The model views on the real 7.3 kernel: a process bound before svatop
# started is in the top view and the graph (found by the snapshot); the
# 1:n case watched live shows one PASID with two SVA domains on devices of
# two IOMMU instances, in JSON and in DOT (rendered by Graphviz to a PNG).
. "$(dirname "$0")/lib/harness.sh"
out=$REPO/.output/lab/model_views
[ -x "$REPO/.output/svatop-static" ] || { echo "not ok - model_views: .output/svatop-static is missing (make static)"; exit 1; }
for tool in jq dot; do
	command -v $tool >/dev/null || { echo "not ok - model_views: $tool is not installed (make deps)"; exit 1; }
done
guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<'GUEST'
svaload prebound >/out/prebound.log 2>&1 &
PB=$!
i=0
while [ ! -s /tmp/prebound.ready ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
cp /tmp/prebound.ready /out/prebound.pid
svatop graph --json >/out/pre_graph.json 2>/out/pre_graph.err
echo $? >/out/pre_graph.rc
svatop top -b 1 1 >/out/pre_top.txt 2>/out/pre_top.err
echo $? >/out/pre_top.rc
# Watch the pre-bound process unbind and exit: mid-flight, nothing to flag.
svatop_start midflight leaks --json --grace 1 1
touch /tmp/prebound.go
wait $PB
settle 3
svatop_stop
# 1:n, watched live as JSON and as DOT
svatop graph --watch --dot -i 0.2 >/out/dotw.out 2>/out/dotw.err &
DW=$!
svatop_start graphw graph --watch --json -i 0.2
svatop record -o /out/one2n.rec >/out/rec.out 2>/out/rec.err &
RC=$!
i=0
while ! { grep -q watching /out/dotw.err && grep -q recording /out/rec.err; } && [ $i -lt 1200 ]; do
	sleep 0.1
	i=$((i + 1))
done
svaload -e 'bind 0; bind 3; ready /out/one2n.pid; hold /tmp/one2n.go; unbind 0; unbind 3' >/out/one2n.log 2>&1 &
W=$!
i=0
while [ ! -s /out/one2n.pid ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
sleep 2
svatop top -b 1 1 >/out/one2n_top.txt 2>&1
cat /sys/kernel/debug/svamock/bonds >/out/one2n_bonds.txt
kill -INT $RC
wait $RC
echo $? >/out/rec.status
touch /tmp/one2n.go
wait $W
sleep 1
svatop_stop
kill -INT $DW
wait $DW
echo $? >/out/dotw.status
# Last (its state stays): a live, periodic leaks report sees a leak appear.
svatop_start leakw leaks --json --grace 1 0.5
sleep 1
svaload -e 'knob leak_on_release 1; fork; bind 0; ready /out/leakw.pid; exit 0; end; wait; knob leak_on_release 0' >/out/leakw.log 2>&1
sleep 3
svatop_stop
GUEST
run_guest "$out" "$guest"
ok $? "lab VM ran the view scenarios"

# ---- bound before start ----
pid=$(cat "$out/prebound.pid" 2>/dev/null)
G=$out/pre_graph.json
expect_eq 0 "$(cat "$out/pre_graph.rc" 2>/dev/null)" "graph: one-shot graph exits 0" || sed 's/^/# /' "$out/pre_graph.err"
expect_eq "true 2" "$(jq -r '.mms[]|select(.pid=='"${pid:-0}"')|[.before_start, (.domains|length)]|map(tostring)|join(" ")' "$G" 2>/dev/null)" \
	"graph: the process bound before start is there, with its two SVA domains"
jq -e '.mms[]|select(.pid=='"${pid:-0}"')|.pasid > 0' "$G" >/dev/null 2>&1
ok $? "graph: with its PASID"
expect_eq 0 "$(cat "$out/pre_top.rc" 2>/dev/null)" "top -b 1 1 exits 0" || sed 's/^/# /' "$out/pre_top.err"
grep -Eq "^ +$pid svaload +R +[0-9]+ +2 " "$out/pre_top.txt"
ok $? "top: the process bound before start has a row (running, two domains)" "$(grep -E "^ +$pid " "$out/pre_top.txt")"

M=$out/midflight.out
expect_eq 0 "$(cat "$out/midflight.status" 2>/dev/null)" "leaks: watching the pre-bound process's teardown ends with status 0 (clean)"
expect_eq "clean 0 0" "$(tail -1 "$M" | jq -r '[.verdict, (.leaks|length), (.violations|length)]|map(tostring)|join(" ")' 2>/dev/null)" \
	"leaks: unbinds of bonds made before start are not violations, and nothing leaks"

# ---- 1:n, live ----
p=$(cat "$out/one2n.pid" 2>/dev/null)
J=$out/one2n_graph.json
grep "\"pid\":${p:-0}," "$out/graphw.out" | jq -c '.' 2>/dev/null |
	jq -c "select(.mms|map(select(.pid==${p:-0} and (.domains|length)==2))|length==1)" | tail -1 >"$J"
[ -s "$J" ]
ok $? "graph --watch --json: re-emitted with the 1:n process"
mm=".mms[]|select(.pid==${p:-0})"
expect_eq "2 2 true" "$(jq -r "[($mm|.domains|length), ($mm|.domains|map(.iommu)|unique|length), ($mm|.pasid > 0)]|map(tostring)|join(\" \")" "$J" 2>/dev/null)" \
	"graph --json: one PASID, two domains, on two IOMMU instances"
expect_eq "svamock-dev.0 svamock-dev.3" "$(jq -r "[$mm|.domains[].devices[].name]|sort|join(\" \")" "$J" 2>/dev/null)" \
	"graph --json: svamock-dev.0 and svamock-dev.3, one per domain"
expect_eq "svamock-iommu0 svamock-iommu1" "$(jq -r "[$mm|.domains[].iommu]|sort|join(\" \")" "$J" 2>/dev/null)" \
	"graph --json: the domains sit on svamock-iommu0 and svamock-iommu1"
expect_eq "0" "$(cat "$out/dotw.status" 2>/dev/null)" "graph --watch --dot ended cleanly on SIGINT"
# The last DOT graph that shows the process with the most domain edges
# (later ones show it after its unbinds).
awk -v RS='digraph svatop' -v p="pid ${p:-0} " '
	index($0, p) { n = gsub(/" -> "dom_/, "&"); if (n >= best) { best = n; keep = $0 } }
	END { if (keep != "") printf "digraph svatop%s", keep }' "$out/dotw.out" >"$out/one2n.dot"
pasid=$(jq -r "$mm|.pasid" "$J" 2>/dev/null)
expect_eq 2 "$(grep -c "\"pasid_${pasid:-x}\" -> \"dom_" "$out/one2n.dot")" "graph --dot: the PASID node has two domain edges"
dot -Tpng "$out/one2n.dot" -o "$out/one2n.png" 2>"$out/dot.err" && [ -s "$out/one2n.png" ]
ok $? "graph --dot: Graphviz renders the 1:n graph to PNG ($out/one2n.png)" "$(head -2 "$out/dot.err")"
expect_eq 2 "$(dot -Tsvg "$out/one2n.dot" 2>/dev/null | grep -c 'class="cluster"')" "graph --dot: two IOMMU instance clusters"
# A new svatop knows it from the snapshot: domains from the mm walk, bonds
# (devices) from the groups' pasid_array walk. Ground truth: svamock's list,
# one row per bind (device iommu pasid pid comm domain state).
nb=$(awk -v p="${p:-0}" 'NR > 1 && $4 == p' "$out/one2n_bonds.txt" 2>/dev/null | wc -l)
expect_eq 2 "$nb" "svamock lists the 1:n process's two bonds while it holds them"
grep -Eq "^ +$p svaload +R +[0-9]+ +2 +$nb " "$out/one2n_top.txt"
ok $? "top: the 1:n process bound before start shows two domains and svamock's two devices" "$(grep -E "^ +$p " "$out/one2n_top.txt")"

# ---- periodic leaks report ----
lp=$(cat "$out/leakw.pid" 2>/dev/null)
W=$out/leakw.out
expect_eq "clean" "$(head -1 "$W" | jq -r .verdict 2>/dev/null)" "leaks (live, every 0.5 s): the first report is clean"
expect_eq "findings 4" "$(tail -1 "$W" | jq -r '[.verdict, ([.leaks[]|select(.pid=='"${lp:-0}"')]|length)]|map(tostring)|join(" ")' 2>/dev/null)" \
	"leaks (live): after the driver skipped unbind, the last report has the 4 leaks of that pid"
expect_eq 1 "$(cat "$out/leakw.status" 2>/dev/null)" "leaks (live): exit status 1 (findings in the last report)"
n=$(wc -l <"$W")
[ "$n" -ge 6 ]
ok $? "leaks (live): one report per interval ($n reports)"

# ---- the interactive screen on the recording made on the real kernel ----
expect_eq 0 "$(cat "$out/rec.status" 2>/dev/null)" "record: the 1:n recording ended cleanly"
S=svatop-lab-views-$$
tmux new-session -d -s "$S" -x 120 -y 30 "$REPO/.output/svatop top --replay $out/one2n.rec; echo TOP-EXIT=\$?; sleep 30"
shot() { tmux capture-pane -p -t "$S" >"$out/$1"; }
wait_for() {
	local i
	for i in $(seq 1 50); do
		shot "$1"
		grep -q "$2" "$out/$1" && return 0
		sleep 0.1
	done
	return 1
}
wait_for screen1 "^ *$p svaload "
ok $? "top (tmux, recorded on 7.3): the 1:n process has a row" "$(head -6 "$out/screen1")"
grep -Eq "^ +$p svaload +R +[0-9]+ +2 +2 " "$out/screen1"
ok $? "top (tmux): two domains, two devices" "$(grep -E "^ +$p " "$out/screen1")"
tmux send-keys -t "$S" Enter
wait_for screen2 'device svamock-dev.3 handle' && grep -q 'device svamock-dev.0 handle' "$out/screen2"
ok $? "top (tmux): the detail pane shows the process's graph (both devices)"
tmux send-keys -t "$S" q
wait_for screen3 'TOP-EXIT=0'
ok $? "top (tmux): q quits with status 0"
tmux kill-session -t "$S" 2>/dev/null
finish
