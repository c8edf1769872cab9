#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tools/lab/run itself: the default kernel, what the guest has, exit
# statuses, stdout/stderr, /out, timeouts, kernel crashes, bad input, a
# module that does not load or build, an unknown kernel, no network, a
# custom kernel image, and the cache (a second fetch downloads nothing).
. "$(dirname "$0")/lib/harness.sh"
RUN=$LAB_RUN
FETCH=$LAB_TEST_REPO/tools/lab/fetch

# One boot for everything the guest must have.
lab_guest <<'EOF_GUEST'
uname -r >/out/uname
ls /sys/class/iommu >/out/iommus
tail -n +2 /sys/kernel/debug/svamock/devices >/out/devices
ls /dev/svamock* >/out/nodes
mount >/out/mounts
for t in busybox svaload labtrace insmod; do command -v $t >/dev/null && echo $t; done >/out/tools
ls /lab/scenarios >/out/scenarios
cat /sys/module/svamock/parameters/leak_on_release /sys/module/svamock/parameters/fail_attach \
	/sys/module/svamock/parameters/fail_domain_alloc | paste -sd' ' >/out/knobs
labtrace hooks >/out/hooks
dd if=/dev/urandom of=/out/big.bin bs=1M count=10 2>/dev/null
md5sum /out/big.bin | cut -d' ' -f1 >/out/big.md5
mkdir -p /out/a/b && echo nested >/out/a/b/c.txt
echo to-stdout
echo to-stderr >&2
exit 7
EOF_GUEST

check_eq "the script's exit status comes back" 7 "$LAB_RC"
check_eq "the default kernel is the newest of trixie-backports" \
	"$("$FETCH" --resolve trixie-backports)" "$(cat "$OUT/uname")"
check_eq "stdout has the script's output only (no kernel boot lines)" "to-stdout" "$(cat "$OUT/stdout")"
check_grep "stderr has the script's stderr" '^to-stderr$' "$OUT/stderr"
check_eq "two mock IOMMU instances" "svamock-iommu0 svamock-iommu1" "$(paste -sd' ' "$OUT/iommus")"
check_eq "six devices, three per instance, named as documented" \
	"svamock-dev.0 svamock-iommu0 /dev/svamock0|svamock-dev.1 svamock-iommu0 /dev/svamock1|svamock-dev.2 svamock-iommu0 /dev/svamock2|svamock-dev.3 svamock-iommu1 /dev/svamock3|svamock-dev.4 svamock-iommu1 /dev/svamock4|svamock-dev.5 svamock-iommu1 /dev/svamock5" \
	"$(awk -F'\t' '{print $1, $2, $3}' "$OUT/devices" | paste -sd'|')"
check_eq "every device is PASID-capable (max_pasids 1048576)" "1048576" \
	"$(cut -f4 "$OUT/devices" | sort -u)"
check_eq "the fault knobs are off by default" "N N N" "$(cat "$OUT/knobs")"
check_eq "proc, sysfs, debugfs, tracefs and bpffs are mounted" "5" \
	"$(grep -cE ' on /(proc|sys|sys/kernel/debug|sys/kernel/tracing|sys/fs/bpf) type (proc|sysfs|debugfs|tracefs|bpf) ' "$OUT/mounts")"
check_eq "busybox, svaload and labtrace are on PATH" "busybox svaload labtrace insmod" "$(paste -sd' ' "$OUT/tools")"
check_grep "the shipped scenarios are in /lab/scenarios" '^one_to_n.sva$' "$OUT/scenarios"
check_eq "all 8 SVA lifecycle functions are traceable on this kernel" "8" \
	"$(grep -c ' traceable$' "$OUT/hooks")"
check_eq "a 10 MB file written to /out arrives intact" "$(cat "$OUT/big.md5")" \
	"$(md5sum <"$OUT/big.bin" | cut -d' ' -f1)"
check_eq "nested folders in /out arrive" "nested" "$(cat "$OUT/a/b/c.txt" 2>/dev/null)"

t0=$SECONDS
"$RUN" -q --timeout 5 -- sleep 60 >"$OUT/t.out" 2>"$OUT/t.err"
rc=$?
check_eq "a hung guest is killed at the timeout with status 124" 124 "$rc"
check_grep "the timeout says so" 'timeout: the guest did not finish within 5s' "$OUT/t.err"
check "the timeout came in bounded time ($((SECONDS - t0))s)" test $((SECONDS - t0)) -lt 60

"$RUN" -q -- sh -c 'echo c >/proc/sysrq-trigger' >"$OUT/p.out" 2>"$OUT/p.err"
rc=$?
check_eq "a kernel crash ends the run with status 125" 125 "$rc"
check_grep "the crash is surfaced from the kernel log" '^lab: kernel: .*Kernel panic' "$OUT/p.err"

LAB_APPEND=rdinit=/nonexistent "$RUN" -q -- true >/dev/null 2>"$OUT/r.err"
check_eq "a guest that dies before the script starts: status 125" 125 "$?"
check_eq "it was booted twice, the first crash shown as such" "1 1" \
	"$(grep -c 'booting again (once)' "$OUT/r.err") $(grep -c '^lab: crashed boot: .*Kernel panic' "$OUT/r.err")"

"$RUN" -q -- sh -c 'echo 1 >/sys/module/svamock/parameters/leak_on_release; exit 0' >/dev/null 2>"$OUT/k.err"
check_eq "a clean run surfaces no kernel trouble" "" "$(grep '^lab: kernel:' "$OUT/k.err")"

"$RUN" >/dev/null 2>"$OUT/u.err"
check_eq "no command: usage error (status 2)" "2" "$?"
check_grep "no command: says what is missing" 'nothing to run' "$OUT/u.err"
"$RUN" --timeout abc -- true >/dev/null 2>"$OUT/u2.err"
check_eq "bad --timeout: status 2" "2" "$?"

echo 'not a module' >"$OUT/bogus.ko"
"$RUN" -q --module "$OUT/bogus.ko" -- true >/dev/null 2>"$OUT/m.err"
check_eq "a module that does not load: status 125" 125 "$?"
check_grep "it says insmod failed" 'insmod svamock.ko.* failed' "$OUT/m.err"

t0=$SECONDS
"$RUN" -q --kernel 1.2.3+deb13-amd64 -- true >/dev/null 2>"$OUT/f.err"
check_eq "an unknown kernel: status 125" 125 "$?"
check_grep "it says the kernel is not in the archive ($((SECONDS - t0))s)" "not in Debian's archive" "$OUT/f.err"

t0=$SECONDS
LAB_CACHE=$OUT/nocache http_proxy=http://127.0.0.1:9 "$FETCH" >/dev/null 2>"$OUT/d.err"
check_eq "no network: fetch fails" 1 "$?"
check_grep "no network: it says the download failed ($((SECONDS - t0))s)" \
	'cannot download the package lists from deb.debian.org' "$OUT/d.err"

# A module that does not compile: a copy of the lab with a broken svamock.c,
# sharing the real cache (its build root; a new module folder).
mkdir -p "$OUT/copy/tools"
tar -C "$LAB_TEST_REPO/tools" --exclude=lab/cache -cf - lab lib | tar -C "$OUT/copy/tools" -xf -
echo 'static int broken = ;' >>"$OUT/copy/tools/lab/svamock/svamock_main.c"
LAB_CACHE=${LAB_CACHE:-$LAB_TEST_REPO/tools/lab/cache} "$OUT/copy/tools/lab/run" -q -- true \
	>/dev/null 2>"$OUT/b.err"
check_eq "a module that does not build: status 125" 125 "$?"
check_grep "it says the build failed" 'svamock failed to build' "$OUT/b.err"
check_grep "and shows the compiler's error" 'svamock_main.c:[0-9]+:[0-9]+: error' "$OUT/b.err"

check_eq "the failed build left no /proc mounted in a build root" "" \
	"$(grep -E ' [^ ]*/chroot/[^ ]*/proc ' /proc/mounts)"

# A kernel folder without its headers package.
fake=$OUT/kernels/9.9.9+deb13-amd64
mkdir -p "$fake/debs" && touch "$fake/.complete" && echo trixie >"$fake/suite"
LAB_CACHE=${LAB_CACHE:-$LAB_TEST_REPO/tools/lab/cache} "$LAB_TEST_REPO/tools/lab/build-module" "$fake" \
	>/dev/null 2>"$OUT/h.err"
check_eq "missing headers: the module build fails" 1 "$?"
check_grep "missing headers: it says so" 'missing headers: no linux-headers-9.9.9' "$OUT/h.err"

kdir=$("$FETCH")
ko=$("$LAB_TEST_REPO/tools/lab/build-module" "$kdir")
"$RUN" -q --kernel-image "$kdir/vmlinuz" --module "$ko" -- sh -c 'svaload -e "bind 0; unbind 0"' \
	>"$OUT/c.out" 2>"$OUT/c.err"
check_eq "a custom kernel image with a prebuilt module runs and binds" "0 1" \
	"$? $(grep -c 'bind svamock-dev.0 pasid=' "$OUT/c.out")"

apt=${LAB_CACHE:-$LAB_TEST_REPO/tools/lab/cache}/apt
before=$(ls -l --time-style=+%s "$apt/archives" | md5sum)
stamp=$(stat -c %Y "$apt/updated")
LAB_APT_MAXAGE=100000000 "$FETCH" >/dev/null
check_eq "a second fetch downloads nothing" "$before $stamp" \
	"$(ls -l --time-style=+%s "$apt/archives" | md5sum) $(stat -c %Y "$apt/updated")"
lab_done
