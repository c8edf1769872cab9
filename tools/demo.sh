#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: svatop's main job. On a host whose kernel can do SVA, the
# live top view. Elsewhere (most hosts: see 'svatop probe'), the lab: a
# QEMU VM booting Debian's newest kernel with a mock SVA IOMMU, where svatop
# traces real kernel SVA code through the scenarios.
set -u
cd "$(dirname "$0")/.."
svatop=.output/svatop
out=.output/demo

if [ "$(id -u)" -eq 0 ] && $svatop probe >/dev/null 2>&1; then
	exec $svatop
fi
echo "== svatop probe on this host"
$svatop probe | sed -n '/^Verdict/,/^$/p'
echo "This host cannot show SVA, so the demo runs in the lab (QEMU, TCG: about a minute)."
echo

guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<'GUEST'
section() { printf '\n== %s\n' "$*"; }
ready() { while ! grep -q '^svatop: \(tracing\|watching\)' "$1" 2>/dev/null; do sleep 0.1; done; }

section "svatop probe, inside the lab VM"
svatop probe | sed -n '1,/^$/p;/^Verdict/,/^$/p'

section "svatop trace: a process binds devices behind two IOMMU instances (1:n) and exits without unbinding"
svatop trace >/tmp/trace.txt 2>/tmp/trace.err &
ready /tmp/trace.err
svaload -q one_to_n
sleep 2
kill -INT $! && wait $!
cat /tmp/trace.txt

section "svatop top -b: three processes bind devices (one binds across both instances)"
svatop graph --watch --dot >/tmp/graph.dot 2>/tmp/graph.err &
G=$!
svatop top -b 1 3 >/tmp/top.txt 2>/tmp/top.err &
T=$!
ready /tmp/graph.err
ready /tmp/top.err
svaload -q -e 'bind 0; bind 1; hold /tmp/go' &
svaload -q -e 'bind 2; bind 3; hold /tmp/go' &
svaload -q -e 'bind 4; hold /tmp/go' &
wait $T
cat /tmp/top.txt
section "svatop graph: the live PASID / domain / device graph"
svatop graph 2>/dev/null
kill -INT $G
wait $G
# the last graph --watch emitted
awk '/^digraph/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' /tmp/graph.dot >/out/graph.dot
touch /tmp/go
wait

section "svatop check: a driver that skips unbind on release (svamock leak_on_release=1)"
echo 1 >/sys/module/svamock/parameters/leak_on_release
svatop check --grace 1 -- svaload -q -e 'bind 0; bind 3; exit 0'
echo "svatop check exit status: $? (1: leaks found)"
GUEST
mkdir -p "$out"
tools/lab/run -q --out "$out" --timeout 600 --script "$guest"
rc=$?
if [ $rc -eq 0 ] && [ -s "$out/graph.dot" ] && command -v dot >/dev/null; then
	dot -Tpng "$out/graph.dot" -o "$out/graph.png" &&
		printf '\nThe graph, rendered by Graphviz: %s\n' "$out/graph.png"
fi
exit $rc
