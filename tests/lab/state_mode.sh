#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# State mode on 7.3 (docs/design.md, "State mode"): svatop top and the
# exporter stream no record for a successful bind, unbind, attach, detach
# or domain free; the kernel side counts them and each frame re-walks the
# kernel's SVA state. What each frame shows must still be what the kernel
# has, by the kernel's own evidence:
#  - a process bound to two devices behind two IOMMUs: a row with its
#    PASID, 2 domains, 2 devices, and binds/unbinds equal to the kernel's
#    kprobe hits for iommu_sva_bind_device/unbind_device; svamock's bonds
#    list names the same PASID;
#  - after it unbinds one device: 1 domain, 1 device, one more unbind;
#  - after it exits with the driver's leak knob set: the row stays (state X)
#    with the leaked bond flagged once the grace period is over, as
#    svamock lists the bond as leaked;
#  - the exporter's totals equal the kernel's hit counts over a storm of
#    4 x 150 cycles beside it.
. "$(dirname "$0")/lib/harness.sh"

lab_guest --timeout 300 --dynamic <<'EOF_GUEST'
T=/sys/kernel/tracing
for f in iommu_sva_bind_device iommu_sva_unbind_device iommu_domain_free; do
	echo "p:svs_$f $f" >>$T/kprobe_events || exit 1
done
echo 1 >$T/events/kprobes/enable
hits() { awk -v n="svs_$1" '$1 == n { print $2 }' $T/kprobe_profile; }
waitfile() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
}
cat >/tmp/holder.sva <<'SVA'
quiet
repeat 300
	bind svamock-dev.0
	unbind svamock-dev.0
end
open svamock-dev.0
bind svamock-dev.0
bind svamock-dev.3
ready /tmp/held
hold /tmp/go1
unbind svamock-dev.3
ready /tmp/half
hold /tmp/go2
knob leak_on_release 1
exit
SVA
svatop top -b -j 0.5 >/out/top.json 2>/out/top.err &
TOP=$!
svatop-dyn exporter --listen 127.0.0.1:9464 >/dev/null 2>/out/exporter.err &
EXP=$!
i=0
while ! { grep -q '^svatop: watching' /out/top.err && grep -q '^svatop exporter: serving' /out/exporter.err; } &&
      [ $i -lt 1200 ]; do
	sleep 0.1; i=$((i + 1))
done
cat /out/top.err /out/exporter.err | grep -c '^svatop: watching SVA events (state mode)' >/out/top.mode
svaload /tmp/holder.sva >/out/holder.log 2>&1 &
HOLDER=$!
waitfile /tmp/held
sleep 2
echo "$(hits iommu_sva_bind_device) $(hits iommu_sva_unbind_device)" >/out/hits1
cat /sys/kernel/debug/svamock/bonds >/out/bonds1
cat /tmp/held >/out/holder.pid
touch /tmp/go1
waitfile /tmp/half
sleep 2
echo "$(hits iommu_sva_bind_device) $(hits iommu_sva_unbind_device)" >/out/hits2
cat /sys/kernel/debug/svamock/bonds >/out/bonds2
touch /tmp/go2
wait $HOLDER
echo $? >/out/holder.rc
echo 0 >/sys/module/svamock/parameters/leak_on_release
# the grace period (3 s) and two frames after it
sleep 5
cat /sys/kernel/debug/svamock/bonds >/out/bonds3
# a storm beside the leaked bond, then the exporter's totals
svaload -e 'quiet; spawn 4; repeat 150; bind svamock-dev.1; unbind svamock-dev.1; end; end; wait' \
	>/out/storm.log 2>&1
sleep 2
echo "$(hits iommu_sva_bind_device) $(hits iommu_sva_unbind_device) $(hits iommu_domain_free)" >/out/hits3
timeout 20 wget -q -O /out/scrape.txt http://127.0.0.1:9464/metrics
echo $? >/out/scrape.rc
kill -INT $TOP $EXP
wait $TOP
echo $? >/out/top.rc
wait $EXP
echo $? >/out/exporter.rc
EOF_GUEST

J=$OUT/top.json
check_eq "top and the exporter ran in state mode and exited 0" "2|0 0" \
	"$(cat "$OUT/top.mode" 2>/dev/null)|$(cat "$OUT/top.rc" "$OUT/exporter.rc" 2>/dev/null | paste -sd' ')"
check_eq "the holder ran its script (exit 0)" 0 "$(cat "$OUT/holder.rc" 2>/dev/null)"
pid=$(cat "$OUT/holder.pid" 2>/dev/null)
pasid=$(awk -F'\t' -v p="$pid" '$4 == p && $1 == "svamock-dev.0" { print $3 }' "$OUT/bonds1")
check "svamock lists the holder's bonds on svamock-dev.0 and svamock-dev.3 with one PASID ($pasid)" \
	test "$(awk -F'\t' -v p="$pid" '$4 == p { print $1, $3 }' "$OUT/bonds1" | sort | paste -sd' ')" \
	= "svamock-dev.0 $pasid svamock-dev.3 $pasid"
# The frames of the holder's row, in order: "pasid domains devices binds unbinds state leaks".
rows=$OUT/rows
jq -r --argjson p "${pid:-0}" 'select(.type == "top") | .processes[] | select(.pid == $p) |
	"\(.pasid) \(.domains) \(.devices) \(.binds) \(.unbinds) \(.state) \(.leaks)"' "$J" >"$rows" 2>/dev/null
read -r b1 u1 <"$OUT/hits1"
read -r b2 u2 <"$OUT/hits2"
check_eq "the kernel saw 302 binds and 300 unbinds while the holder held both devices" "302 300" "$b1 $u1"
check_grep "a frame shows the holder with its PASID, 2 domains, 2 devices, the kernel's $b1 binds and $u1 unbinds" \
	"^$pasid 2 2 $b1 $u1 R " "$rows"
check_grep "after one unbind, a frame shows 1 domain, 1 device and the kernel's $u2 unbinds" \
	"^$pasid 1 1 $b2 $u2 R " "$rows"
first=$(grep -n "^$pasid 2 2 " "$rows" | head -n 1 | cut -d: -f1)
last=$(grep -n "^$pasid 1 1 " "$rows" | tail -n 1 | cut -d: -f1)
check "those frames came in that order (lines ${first:-?} < ${last:-?})" test "${first:-0}" -gt 0 -a "${first:-0}" -lt "${last:-0}"
check_eq "svamock lists the holder's bond after its exit as leaked" "svamock-dev.0 $pasid leaked" \
	"$(awk -F'\t' -v p="$pid" '$4 == p { print $1, $3, $7 }' "$OUT/bonds3")"
check_grep "after the exit and the grace period, the row stays (X) with its bond flagged as leaked" \
	"^$pasid 1 1 $b2 $u2 X [A-Z]*B" "$rows"
read -r b3 u3 f3 <"$OUT/hits3"
S=$OUT/scrape.txt
metric() { awk -v n="$1" '$1 == n { print $2 }' "$S"; }
check_eq "the scrape answered" 0 "$(cat "$OUT/scrape.rc" 2>/dev/null)"
check_eq "exporter: binds_total and unbinds_total equal the kernel's hits ($b3, $u3)" "$b3 $u3" \
	"$(metric svatop_binds_total) $(metric svatop_unbinds_total)"
check_eq "exporter: domain_frees_total equals the kernel's iommu_domain_free hits of SVA domains ($f3)" \
	"$f3" "$(metric svatop_domain_frees_total)"
walks() { awk -v r="$1" '$1 == "svatop_state_walks_total{result=\"" r "\"}" { print $2 }' "$S"; }
check_eq "exporter: in state mode" 1 "$(metric svatop_state_mode)"
check "exporter: it re-walked after changes ($(walks made)) and skipped the walk of idle intervals ($(walks skipped))" \
	test "$(walks made)" -ge 3 -a "$(walks skipped)" -ge 1
check_eq "exporter: the leaked bond is the only bond left" 1 \
	"$(awk '/^svatop_bonds\{/ { n += $NF } END { print n + 0 }' "$S")"
lab_done
