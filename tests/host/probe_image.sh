#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# svatop probe --image on real Debian kernel images: the BTF taken out of
# the vmlinuz must be byte-for-byte the one in tests/data/kernels, and the
# verdict the one its README gives.
# - Debian 12's current linux-image-amd64 kernel (xz bzImage), fetched by
#   package name with apt-get download into .output/probe-cache (cached).
# - Debian 13's current linux-image-arm64 kernel (a raw arm64 Image), fetched
#   the same way with a private arm64 apt setup under .output/probe-cache.
# - every kernel the lab has already fetched (zstd bzImages), if any.
set -u
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
svatop=$top/.output/svatop
kernels=$top/.output/kernels
cache=$top/.output/probe-cache
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }

[ -x "$svatop" ] || { nok "svatop binary at $svatop (run make)"; exit 1; }
[ -d "$kernels" ] || { nok "kernel data at $kernels"; exit 1; }
mkdir -p "$cache"

# tests/data/kernels folder for a kernel release, e.g. 6.12.95+deb12-amd64.
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

# The Debian version a data folder was taken from (tests/data/kernels/MANIFEST).
data_version() {
	awk -v f="$1" '$1 == f {print $4}' "$top/tests/data/kernels/MANIFEST"
}

# check_image VMLINUZ DEB-VERSION-OR-EMPTY
check_image() {
	local img=$1 debver=$2 name rel folder want rc got t0
	name=${img#"$top"/}
	t0=$SECONDS
	rm -f "$tmp/btf"
	"$svatop" probe --json --image "$img" --save-btf "$tmp/btf" >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	rel=$(jq -r .kernel.release "$tmp/out.json" 2>/dev/null)
	if [ "$rc" -eq 2 ] || [ -z "$rel" ] || [ "$rel" = null ]; then
		nok "$name: probe --image failed (exit $rc): $(head -1 "$tmp/err")"
		return
	fi
	ok "$name: BTF extracted from the image ($(jq -r .kernel.release "$tmp/out.json"), $(stat -c %s "$tmp/btf") bytes, $((SECONDS - t0))s)"
	folder=$(folder_for "$rel") || { nok "$name: no folder in $kernels for $rel"; return; }
	# The same package version as the test data (MANIFEST): the BTF must be
	# identical. Debian revisions of one upstream release differ in BTF.
	if [ "$debver" = "$(data_version "$folder")" ]; then
		if cmp -s "$tmp/btf" "$kernels/$folder/btf"; then
			ok "$name: BTF identical to $folder/btf"
		else
			nok "$name: BTF differs from $folder/btf"
		fi
	else
		echo "# $name is Debian $debver, the test data is $folder: BTF not compared"
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

# ---- Debian 13's current arm64 kernel (a raw arm64 Image) ----------------
# A private apt setup for arm64 under the cache, so the host's is untouched.
arm64_apt=$cache/apt-arm64
mkdir -p "$arm64_apt"/lists/partial "$arm64_apt"/archives/partial \
	"$arm64_apt"/etc/sources.list.d "$arm64_apt"/etc/preferences.d
[ -f "$arm64_apt/status" ] || : >"$arm64_apt/status"
echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
	>"$arm64_apt/etc/sources.list"
aopts=(-o "Dir::Etc::SourceList=$arm64_apt/etc/sources.list"
	-o "Dir::Etc::SourceParts=$arm64_apt/etc/sources.list.d"
	-o "Dir::Etc::PreferencesParts=$arm64_apt/etc/preferences.d"
	-o "Dir::State::Lists=$arm64_apt/lists" -o "Dir::State::status=$arm64_apt/status"
	-o "Dir::Cache=$arm64_apt" -o "APT::Architecture=arm64"
	-o "APT::Architectures::=arm64" -o "Debug::NoLocking=1" -o "Acquire::Retries=2")
if [ -z "$(find "$arm64_apt/updated" -mmin -1440 2>/dev/null)" ]; then
	apt-get -q "${aopts[@]}" update >"$tmp/arm64-update.log" 2>&1 && touch "$arm64_apt/updated"
fi
arel=$(apt-cache "${aopts[@]}" show --no-all-versions linux-image-arm64 2>/dev/null |
	sed -n 's/^Depends:.*linux-image-\([0-9][^ ,]*-arm64\) (= \([^)]*\)).*/\1 \2/p' | head -1)
if [ -z "$arel" ]; then
	nok "find Debian 13's linux-image-arm64 (private arm64 package lists: $(grep -E '^(E|W):' "$tmp/arm64-update.log" 2>/dev/null | head -1))"
else
	adebver=${arel#* }
	arel=${arel%% *}
	apkg=linux-image-$arel-unsigned
	adeb=$(ls "$cache"/"$apkg"_*.deb 2>/dev/null | head -1)
	if [ -z "$adeb" ]; then
		(cd "$cache" && apt-get -q "${aopts[@]}" download "$apkg" >"$tmp/dl.log" 2>&1)
		adeb=$(ls "$cache"/"$apkg"_*.deb 2>/dev/null | head -1)
	fi
	aimg=$cache/vmlinuz-$arel
	if [ -n "$adeb" ] && [ ! -s "$aimg" ]; then
		mkdir -p "$tmp/a"
		dpkg-deb --fsys-tarfile "$adeb" |
			tar -x -C "$tmp/a" --wildcards --no-anchored 'vmlinuz*' 2>/dev/null
		found=$(find "$tmp/a" -name 'vmlinuz*' -type f | head -1)
		[ -n "$found" ] && mv "$found" "$aimg"
	fi
	if [ ! -s "$aimg" ]; then
		nok "arm64 kernel image from $apkg: $(grep -E '^E:' "$tmp/dl.log" 2>/dev/null | head -1)"
	else
		rm -f "$tmp/abtf"
		"$svatop" probe --json --image "$aimg" --save-btf "$tmp/abtf" >"$tmp/a.json" 2>"$tmp/a.err"
		rc=$?
		if [ "$rc" -eq 2 ]; then
			nok "vmlinuz-$arel: probe --image failed: $(head -1 "$tmp/a.err")"
		else
			ok "vmlinuz-$arel: BTF extracted from the arm64 Image ($(stat -c %s "$tmp/abtf") bytes)"
			if [ "$(jq -r .kernel.arch "$tmp/a.json")" = arm64 ]; then
				ok "vmlinuz-$arel: architecture arm64 from the image"
			else
				nok "vmlinuz-$arel: architecture $(jq -r .kernel.arch "$tmp/a.json"), expected arm64"
			fi
			kdata=$kernels/${arel%%[+-]*}-trixie-arm64
			if [ -d "$kdata" ] && [ "$adebver" = "$(data_version "$(basename "$kdata")")" ]; then
				if cmp -s "$tmp/abtf" "$kdata/btf"; then
					ok "vmlinuz-$arel: BTF identical to $(basename "$kdata")/btf"
				else
					nok "vmlinuz-$arel: BTF differs from $(basename "$kdata")/btf"
				fi
				got=$(jq -r .verdict "$tmp/a.json")
				if [ "$got" = not-built ]; then
					ok "vmlinuz-$arel: verdict not-built, as README says"
				else
					nok "vmlinuz-$arel: verdict $got, README says not built"
				fi
			else
				echo "# arm64 $arel ($adebver) has no test data to compare with"
			fi
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
