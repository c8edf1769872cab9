#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# svatop trace on the real 7.3 kernel in the lab: the exact lifecycle of
# 1:n, release-path, plain bind/unbind, fork after bind, and a failing bind.
. "$(dirname "$0")/lib/harness.sh"
out=$REPO/.output/lab/trace_lifecycle
guest=$(mktemp)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<'GUEST'
svatop_start trace trace -j
# 1:n: devices 0 and 3 sit behind different mock IOMMU instances; the
# process exits without unbinding, so release() unbinds (release path).
svaload -e 'bind 0; bind 3; ready /out/one_to_n.pid; exit 0'
settle 2
# one device, bind and unbind
svaload -e 'bind 1; ready /out/single.pid; unbind 1; exit 0'
settle 2
# fork after bind: the child must not inherit the PASID
svaload -e 'bind 2; ready /out/fork_parent.pid; fork; sleep 200; exit 0; end; wait; unbind 2; exit 0'
settle 2
# a bind whose attach fails
echo 1 >/sys/module/svamock/parameters/fail_attach
svaload -e 'ready /out/fail.pid; bind 4 expect=EIO; exit 0'
echo 0 >/sys/module/svamock/parameters/fail_attach
settle 2
# exec after bind: the process lives on with a new mm; the old one lost its owner
svaload -e 'bind 5; ready /out/exec.pid; exec sleep 1'
settle 2
svatop_stop
GUEST
run_guest "$out" "$guest"
ok $? "lab VM ran the lifecycle scenarios"
T=$out/trace.out
[ -s "$T" ] || { ok 1 "svatop trace wrote events" "$(cat "$out/trace.err" 2>/dev/null)"; exit 1; }
expect_eq 0 "$(cat "$out/trace.status")" "svatop trace exited 0 (no events lost)"
expect_eq 0 "$(jq -r 'select(.event=="summary") | .dropped' "$T")" "no event was dropped"

# ---- 1:n ----
p=$(cat "$out/one_to_n.pid")
ev() { jq -r "select(.tgid==$p or (.mm==\$mm)) | .event" --arg mm "$1" "$T"; }
mm=$(jq -r "select(.event==\"bind\" and .tgid==$p) | .mm" "$T" | head -1)
expect_eq 1 "$(jcount "$T" ".event==\"pasid-alloc\" and .tgid==$p")" "1:n: one PASID allocated"
expect_eq 2 "$(jcount "$T" ".event==\"domain-alloc\" and .tgid==$p and (.flags|index(\"derived\"))")" \
	"1:n: two SVA domain births (derived)"
expect_eq 2 "$(jq -r "select(.event==\"attach\" and .tgid==$p and .ret==0) | .iommu_name" "$T" | sort -u | wc -l)" \
	"1:n: successful attaches on two IOMMU instances"
expect_eq 2 "$(jq -r "select(.event==\"bind\" and .tgid==$p and .ret==0) | .domain" "$T" | sort -u | wc -l)" \
	"1:n: the two binds got two distinct domains"
expect_eq 1 "$(jq -r "select(.event==\"bind\" and .tgid==$p) | .pasid" "$T" | sort -u | wc -l)" \
	"1:n: both binds share one PASID"
pasid=$(jq -r "select(.event==\"bind\" and .tgid==$p) | .pasid" "$T" | head -1)
# Slab addresses come back: the next scenario may get the same mm, so look
# only at events before the next scenario's first one.
end=$(jq -r "select(.tgid==$(cat "$out/single.pid")) | .ts_ns" "$T" | head -1)
# teardown order for this mm: 2 domain-free, then mm-pasid-drop, then pasid-free of its PASID
order=$(jq -r "select(.ts_ns < $end) | select((.mm==\"$mm\" and (.event==\"domain-free\" or .event==\"mm-pasid-drop\" or .event==\"exit\")) or (.event==\"pasid-free\" and .pasid==$pasid)) | .event" "$T" | tr '\n' ' ')
expect_eq "exit domain-free domain-free mm-pasid-drop pasid-free " "$(echo "$order" | sed 's/pasid-free .*/pasid-free /')" \
	"1:n: exit, two domain frees, mm_pasid_drop, PASID free in that order"
expect_eq 2 "$(jcount "$T" ".event==\"unbind\" and .tgid==$p and .mm==\"$mm\"")" "1:n: release() unbound both bonds"
expect_eq 1 "$(jcount "$T" ".event==\"mmdrop\" and .mm==\"$mm\" and .ts_ns < $end")" "1:n: the mm was dropped once"

# ---- single ----
p=$(cat "$out/single.pid")
seq=$(jq -r "select(.tgid==$p and .event!=\"exit\") | .event" "$T" | tr '\n' ' ')
case "$seq" in
"pasid-alloc domain-alloc attach bind unbind detach domain-free "*) ok 0 "single: alloc, birth, attach, bind, unbind, detach, free in order" ;;
*) ok 1 "single: alloc, birth, attach, bind, unbind, detach, free in order" "saw: $seq" ;;
esac

# ---- fork ----
p=$(cat "$out/fork_parent.pid")
expect_eq 1 "$(jcount "$T" ".event==\"fork\" and .tgid==$p")" "fork: the parent's fork was reported"
expect_eq 1 "$(jcount "$T" ".event==\"fork-mm\" and .tgid==$p and .aux2==null and (.flags|index(\"child-shares-iommu-mm\")|not)")" \
	"fork: the child's iommu_mm is NULL after mm_init"
pm=$(jq -r "select(.event==\"bind\" and .tgid==$p) | .mm" "$T")
expect_eq "$pm" "$(jq -r "select(.event==\"fork-mm\" and .tgid==$p) | .aux" "$T")" "fork: fork-mm names the parent's mm"

# ---- failing bind ----
p=$(cat "$out/fail.pid")
expect_eq "EIO" "$(jq -r "select(.event==\"bind\" and .tgid==$p) | .errno" "$T")" "failed attach: bind reported with EIO"
expect_eq 1 "$(jcount "$T" ".event==\"attach\" and .tgid==$p and .ret==-5")" "failed attach: the failing attach is reported"
# ---- exec ----
p=$(cat "$out/exec.pid")
mm=$(jq -r "select(.event==\"bind\" and .tgid==$p) | .mm" "$T")
expect_eq 1 "$(jcount "$T" ".event==\"exit\" and .tgid==$p and .mm==\"$mm\" and (.flags|index(\"exec\") != null)")" \
	"exec: the old mm is reported as having lost its owner (exit, flag exec)"
expect_eq 1 "$(jcount "$T" ".event==\"unbind\" and .tgid==$p")" \
	"exec: the bond went when the new program exited and closed the file"
finish
