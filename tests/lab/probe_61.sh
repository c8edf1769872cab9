#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Debian 12's own 6.1 kernel (linux-image-amd64 of bookworm, by package
# name) booted in the lab, without the mock IOMMU (it is written for 7.3):
# svatop probe reads the live kernel (full kallsyms: bind is 0x50 bytes, the
# stub) and says likely-stubbed with 6.1's hooks; svatop trace loads its BPF
# programs on this kernel and attaches the hooks that exist (issue 11: 6.1).
# 6.1's virtio console is a module, so the guest answers on stdout.
. "$(dirname "$0")/lib/harness.sh"
out=$REPO/.output/lab/probe_61
cache=$REPO/.output/probe-cache
mkdir -p "$out" "$cache"

# The image, as tests/host/probe_image.sh fetches it (cached).
rel=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
	sed -n 's/^Depends:.*linux-image-\([0-9][^ ,]*-amd64\) (= .*/\1/p' | head -1)
if [ -z "$rel" ]; then
	apt-get update -qq >/dev/null 2>&1
	rel=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
		sed -n 's/^Depends:.*linux-image-\([0-9][^ ,]*-amd64\) (= .*/\1/p' | head -1)
fi
case $rel in
6.1.*) ;;
*) ok 1 "Debian 12's linux-image-amd64 is a 6.1 kernel" "got '$rel'"; exit 1 ;;
esac
img=$cache/vmlinuz-$rel
if [ ! -s "$img" ]; then
	pkg=linux-image-$rel-unsigned
	(cd "$cache" && apt-get download -qq "$pkg" >"$out/download.log" 2>&1)
	deb=$(ls "$cache"/"$pkg"_*.deb 2>/dev/null | head -1)
	if [ -n "$deb" ]; then
		rm -rf "$out/x" && mkdir -p "$out/x"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$out/x" --wildcards --no-anchored 'vmlinuz*'
		found=$(find "$out/x" -name 'vmlinuz*' -type f | head -1)
		[ -n "$found" ] && mv "$found" "$img"
	fi
fi
[ -s "$img" ] || { ok 1 "kernel image of $rel" "$(tail -2 "$out/download.log" 2>/dev/null)"; exit 1; }

"$LAB_RUN" -q --kernel-image "$img" --no-module --timeout "${LAB_TIMEOUT:-300}" -- sh -c '
	echo "==probe-json=="; svatop probe --json; echo "==probe-status $?=="
	svatop trace -v -j --duration 3 >/dev/null 2>/tmp/trace.err; echo "==trace-status $?=="
	cat /tmp/trace.err' >"$out/guest.log" 2>&1
ok $? "lab VM booted Debian's $rel and ran svatop" "$(tail -3 "$out/guest.log")"
sed -n '/^==probe-json==$/,/^==probe-status/p' "$out/guest.log" | sed '1d;$d' >"$out/probe.json"
J=$out/probe.json
expect_eq 3 "$(sed -n 's/^==probe-status \([0-9]*\)==$/\1/p' "$out/guest.log")" \
	"probe exits 3 (heuristic verdict)"
expect_eq likely-stubbed "$(jq -r .verdict "$J" 2>/dev/null)" "probe verdict: likely-stubbed"
expect_eq "true $rel" "$(jq -r '"\(.kernel.live) \(.kernel.release)"' "$J" 2>/dev/null)" \
	"probe read the running kernel"
expect_eq 80 "$(jq -r .bind_size "$J" 2>/dev/null)" \
	"full kallsyms: iommu_sva_bind_device is 0x50 bytes (README: the stub)"
expect_eq ioasid "$(jq -r .kernel.era "$J" 2>/dev/null)" "6.1 era: ioasid allocator"
expect_eq "fentry fentry fentry missing missing" \
	"$(jq -r '[.hooks[] | select(.target == "iommu_sva_bind_device" or .target == "ioasid_alloc" or
	   .target == "ioasid_free" or .target == "iommu_attach_device_pasid" or
	   .target == "mm_pasid_drop") | .form] | join(" ")' "$J" 2>/dev/null)" \
	"6.1 hooks: bind, ioasid_alloc, ioasid_free fentry; no attach, no mm_pasid_drop"
grep -q '^svatop: tracing (live' "$out/guest.log"
ok $? "svatop trace loads and attaches its programs on 6.1" \
	"$(grep -E "failed|type=.* expected=|^svatop: tracing" "$out/guest.log" | head -3 | tr '\n' ' ')"
finish
