#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# svatop probe --image on real Debian kernel images: the BTF taken out of
# the vmlinuz must be byte-for-byte the one in ../shared/kernels, and the
# verdict the one its README gives.
# - Debian 12's current linux-image-amd64 kernel (xz bzImage), fetched by
#   package name with apt-get download into .output/probe-cache (cached).
# - every kernel the lab has already fetched (zstd bzImages), if any.
set -u
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
svatop=$top/.output/svatop
kernels=$top/../shared/kernels
cache=$top/.output/probe-cache
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }

[ -x "$svatop" ] || { nok "svatop binary at $svatop (run make)"; exit 1; }
[ -d "$kernels" ] || { nok "kernel data at $kernels"; exit 1; }
mkdir -p "$cache"

# shared/kernels folder for a kernel release, e.g. 6.12.95+deb12-amd64.
folder_for() {
	local rel=$1 pat d
	case $rel in
	6.1.0-*) pat="6.1.*" ;;	# 6.1's ABI name hides the point release
	*) pat="${rel%%[+-]*}-*" ;;
	esac
	for d in "$kernels"/$pat; do
		[ -d "$d" ] || continue
		case $d in *-arm64) continue ;; esac
		basename "$d"
		return 0
	done
	return 1
}

# check_image VMLINUZ DEB-VERSION-OR-EMPTY
check_image() {
	local img=$1 debver=$2 name rel folder want rc got t0
	name=${img#"$top"/}
	t0=$SECONDS
	"$svatop" probe --json --image "$img" --save-btf "$tmp/btf" >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	rel=$(jq -r .kernel.release "$tmp/out.json" 2>/dev/null)
	if [ "$rc" -eq 2 ] || [ -z "$rel" ] || [ "$rel" = null ]; then
		nok "$name: probe --image failed (exit $rc): $(head -1 "$tmp/err")"
		return
	fi
	ok "$name: BTF extracted from the image ($(jq -r .kernel.release "$tmp/out.json"), $(stat -c %s "$tmp/btf") bytes, $((SECONDS - t0))s)"
	folder=$(folder_for "$rel") || { nok "$name: no folder in $kernels for $rel"; return; }
	# The same package version as the shared data: the BTF must be identical.
	if [ "${folder#"${debver%%-*}"-}" != "$folder" ]; then
		if cmp -s "$tmp/btf" "$kernels/$folder/btf"; then
			ok "$name: BTF identical to $folder/btf"
		else
			nok "$name: BTF differs from $folder/btf"
		fi
	else
		echo "# $name is Debian $debver, the shared data is $folder: BTF not compared"
	fi
	want=$(awk -v f="$folder" '$1 == f {print $2}' <<'EOF'
6.1.192-bookworm-security undecidable
6.12.95-bookworm-backports stubbed
6.12.117-trixie stubbed
7.3.4-trixie-backports real-fixed
EOF
)
	got=$(jq -r .verdict "$tmp/out.json")
	if [ "$got" = "$want" ]; then
		ok "$name: verdict from the image alone is $want"
	else
		nok "$name: verdict from the image alone: expected $want, got $got"
	fi
	# With the kernel's symbols too, 6.1 gets its heuristic verdict.
	if [ "$folder" = 6.1.192-bookworm-security ]; then
		got=$("$svatop" probe --json --image "$img" \
			--symbols "$kernels/$folder/System.map.iommu" | jq -r .verdict)
		if [ "$got" = likely-stubbed ]; then
			ok "$name: with System.map the verdict is likely-stubbed"
		else
			nok "$name: with System.map expected likely-stubbed, got $got"
		fi
	fi
}

# ---- Debian 12's current kernel, by package name -------------------------
rel=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
	sed -n 's/^Depends:.*linux-image-\([0-9][^ ,]*-amd64\) (= \([^)]*\)).*/\1 \2/p' | head -1)
if [ -z "$rel" ]; then
	apt-get update -qq >/dev/null 2>&1
	rel=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
		sed -n 's/^Depends:.*linux-image-\([0-9][^ ,]*-amd64\) (= \([^)]*\)).*/\1 \2/p' | head -1)
fi
if [ -z "$rel" ]; then
	nok "find Debian's linux-image-amd64 in the host's package lists"
else
	debver=${rel#* }
	rel=${rel%% *}
	pkg=linux-image-$rel-unsigned
	deb=$(ls "$cache"/"${pkg}"_*.deb 2>/dev/null | head -1)
	if [ -z "$deb" ]; then
		(cd "$cache" && apt-get download -qq "$pkg" >"$tmp/dl.log" 2>&1)
		deb=$(ls "$cache"/"${pkg}"_*.deb 2>/dev/null | head -1)
	fi
	if [ -z "$deb" ]; then
		nok "apt-get download $pkg: $(grep -E '^E:' "$tmp/dl.log" | head -1)"
	else
		ok "kernel package $(basename "$deb") available"
		img=$cache/vmlinuz-$rel
		if [ ! -s "$img" ]; then
			mkdir -p "$tmp/x"
			dpkg-deb --fsys-tarfile "$deb" |
				tar -x -C "$tmp/x" --wildcards --no-anchored 'vmlinuz*' 2>/dev/null
			found=$(find "$tmp/x" -name 'vmlinuz*' -type f | head -1)
			[ -n "$found" ] && mv "$found" "$img"
		fi
		if [ -s "$img" ]; then
			check_image "$img" "$debver"
		else
			nok "no vmlinuz in $(basename "$deb")"
		fi
	fi
fi

# ---- kernels the lab already fetched (zstd images), if any ---------------
for img in "$top"/tools/lab/cache/kernels/*/vmlinuz; do
	[ -f "$img" ] || continue
	rel=$(basename "$(dirname "$img")")
	check_image "$img" "${rel%%[+-]*}"
done
exit 0
