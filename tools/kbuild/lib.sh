# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared helpers of tools/kbuild and tests/host/patches.sh (sourced, not run).
# Packages come by name through a private apt configuration: own sources
# list, package lists, cache and an empty dpkg status under $KB_CACHE/apt,
# so the host's apt setup is neither read nor changed.

KB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KB_REPO=$(cd "$KB_DIR/../.." && pwd)
KB_CACHE=${KB_CACHE:-$KB_DIR/cache}
KB_APT=$KB_CACHE/apt
KB_PROG=${KB_PROG:-kbuild}

kb_die() { printf '%s: error: %s\n' "$KB_PROG" "$*" >&2; exit 1; }
kb_info() { [ -n "${KB_QUIET:-}" ] || printf '%s: %s\n' "$KB_PROG" "$*" >&2; }

kb_apt_init() {
	mkdir -p "$KB_APT"/lists/partial "$KB_APT"/archives/partial \
		"$KB_APT"/etc/preferences.d "$KB_APT"/etc/sources.list.d
	: >"$KB_APT/status"
	local key=/usr/share/keyrings/debian-archive-keyring.gpg m
	for m in "debian trixie-backports" "debian trixie" \
		"debian-security trixie-security" "debian bookworm-backports" \
		"debian bookworm"; do
		set -- $m
		echo "deb [signed-by=$key] http://deb.debian.org/$1 $2 main"
	done >"$KB_APT/etc/sources.list"
}

KB_APT_OPTS=()
kb_apt_opts() {
	KB_APT_OPTS=(
		-o "Dir::Etc::SourceList=$KB_APT/etc/sources.list"
		-o "Dir::Etc::SourceParts=$KB_APT/etc/sources.list.d"
		-o "Dir::Etc::Preferences=$KB_APT/etc/preferences"
		-o "Dir::Etc::PreferencesParts=$KB_APT/etc/preferences.d"
		-o "Dir::State::Lists=$KB_APT/lists"
		-o "Dir::State::status=$KB_APT/status"
		-o "Dir::Cache=$KB_APT"
		-o "Dir::Cache::archives=$KB_APT/archives"
		-o "APT::Architecture=amd64"
		-o "APT::Architectures::=amd64"
		-o "Acquire::Retries=2"
		-o "Acquire::http::Timeout=30"
		-o "Debug::NoLocking=1"
	)
}

kb_apt() { kb_apt_opts; timeout 1200 apt-get -q "${KB_APT_OPTS[@]}" "$@"; }
kb_apt_cache() { kb_apt_opts; apt-cache "${KB_APT_OPTS[@]}" "$@"; }

# Refresh the private lists at most once a day (KB_APT_MAXAGE seconds).
kb_apt_update() {
	local stamp=$KB_APT/updated now
	kb_apt_init
	now=$(date +%s)
	if [ -f "$stamp" ] &&
	   [ $((now - $(stat -c %Y "$stamp"))) -lt "${KB_APT_MAXAGE:-86400}" ]; then
		return 0
	fi
	kb_apt update >"$KB_APT/update.log" 2>&1 ||
		kb_die "apt-get update failed (see $KB_APT/update.log)"
	touch "$stamp"
}

# The source package of the lab kernel's series, e.g. linux-source-7.3.
resolve_source_pkg() {
	local ver rel series
	if [ -n "${KERNEL_SOURCE_PKG:-}" ]; then
		echo "$KERNEL_SOURCE_PKG"
		return
	fi
	ver=$(kb_apt_cache madison linux-image-amd64 |
		awk -F'|' '$3 ~ / trixie-backports\// {gsub(/ /, "", $2); print $2}' |
		sort -V | tail -n 1)
	[ -n "$ver" ] || kb_die "no linux-image-amd64 in trixie-backports"
	rel=$(kb_apt_cache show "linux-image-amd64=$ver" |
		sed -n 's/^Depends:.*linux-image-\([^ ,]*-amd64\).*/\1/p' | head -n 1)
	series=$(sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p' <<<"$rel")
	[ -n "$series" ] || kb_die "cannot read the kernel series of linux-image-amd64 $ver"
	echo "linux-source-$series"
}

newest_version() {
	kb_apt_cache madison "$1" | awk -F'|' '{gsub(/ /, "", $2); print $2}' |
		sort -V | tail -n 1
}

# The .deb of PKG=VERSION, downloaded once into the private apt cache.
fetch_deb() {
	local pkg=$1 ver=$2 deb
	deb=$KB_APT/archives/${pkg}_${ver/:/%3a}_all.deb
	if [ ! -f "$deb" ]; then
		kb_info "downloading $pkg $ver"
		(cd "$KB_APT/archives" && kb_apt download "$pkg=$ver") \
			>"$KB_CACHE/download.log" 2>&1 ||
			kb_die "download of $pkg=$ver failed (see $KB_CACHE/download.log)"
	fi
	[ -f "$deb" ] || kb_die "downloaded $pkg=$ver but $deb is missing"
	echo "$deb"
}

# Download and unpack PKG=VERSION once; prints the pristine tree.
fetch_source() {
	local pkg=$1 ver=$2 dir deb tmp
	dir=$KB_CACHE/src/${pkg}_$ver
	if [ -f "$dir/.complete" ]; then
		echo "$dir/tree"
		return
	fi
	deb=$(fetch_deb "$pkg" "$ver")
	kb_info "unpacking $pkg $ver"
	tmp=$dir.tmp
	rm -rf "$tmp" "$dir"
	mkdir -p "$tmp/tree"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" |
		xz -dc | tar -x -C "$tmp/tree" --strip-components=1 ||
		kb_die "cannot unpack $deb"
	mv "$tmp" "$dir"
	touch "$dir/.complete"
	echo "$dir/tree"
}

# Only the parts of PKG=VERSION that checkpatch and `git apply --check` need:
# top-level files, scripts/, include/, MAINTAINERS and the directories of
# PATHs, plus empty stand-ins for the other top-level directories so that
# checkpatch recognises a kernel tree. A full unpack made by `build` is
# used instead when it exists. Prints the tree.
fetch_source_subset() {
	local pkg=$1 ver=$2 dir deb tmp p pats=()
	shift 2
	if [ -f "$KB_CACHE/src/${pkg}_$ver/.complete" ]; then
		echo "$KB_CACHE/src/${pkg}_$ver/tree"
		return
	fi
	dir=$KB_CACHE/subset/${pkg}_$ver
	if [ -f "$dir/.complete" ] && [ "$(cat "$dir/.paths")" = "$*" ]; then
		echo "$dir/tree"
		return
	fi
	deb=$(fetch_deb "$pkg" "$ver")
	tmp=$dir.tmp
	rm -rf "$tmp" "$dir"
	mkdir -p "$tmp/tree"
	# Each path once, and none inside another (tar fails on a pattern
	# that matched nothing because a wider one took its members).
	for p in $(printf '%s\n' scripts include MAINTAINERS COPYING CREDITS Kbuild \
			Kconfig Makefile README "$@" | sort -u); do
		case " ${pats[*]} " in
		*" $pkg/${p%%/*} "*) continue ;;
		esac
		pats+=("$pkg/$p")
	done
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" |
		xz -dc | tar -x -C "$tmp/tree" --strip-components=1 "${pats[@]}" ||
		kb_die "cannot unpack ${pats[*]} from $deb"
	for p in Documentation arch drivers fs init ipc kernel lib; do
		mkdir -p "$tmp/tree/$p"
	done
	echo "$*" >"$tmp/.paths"
	mv "$tmp" "$dir"
	touch "$dir/.complete"
	echo "$dir/tree"
}
