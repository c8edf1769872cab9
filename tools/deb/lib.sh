# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the packaging scripts (sourced, not run).
# The build roots live under $DEB_CACHE (default: $LAB_CACHE/deb-chroot,
# git-ignored like the rest of the lab cache), one folder per suite:
#   base/            debootstrap --variant=minbase of the suite, never written after creation
#   layer-NAME/      an overlayfs upper layer on base (the build dependencies, lintian),
#                    with layer-NAME.complete beside it once it is whole
#   archives/        apt's downloaded .debs, shared by the layers of the suite
# Builds and tests run in a throw-away overlay on top, so no build leaves a
# trace in the cache and no host package can reach a build.

DEB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEB_REPO=$(cd "$DEB_DIR/../.." && pwd)
LAB_CACHE=${LAB_CACHE:-$DEB_REPO/tools/lab/cache}
DEB_CACHE=${DEB_CACHE:-$LAB_CACHE/deb-chroot}
DEB_MIRROR=${DEB_MIRROR:-http://deb.debian.org/debian}
DEB_SUITES=(bookworm trixie)
DEB_PROG=${DEB_PROG:-deb}

deb_err() { printf '%s: error: %s\n' "$DEB_PROG" "$*" >&2; }
deb_die() { deb_err "$@"; exit 1; }
deb_info() { printf '%s: %s\n' "$DEB_PROG" "$*" >&2; }

# debootstrap, chroot and the overlay mounts need root.
deb_need_root() {
	[ "$(id -u)" -eq 0 ] || deb_die "building and testing the packages needs root (debootstrap, chroot, mounts)"
}

deb_check_suite() {
	local s
	for s in "${DEB_SUITES[@]}"; do [ "$1" = "$s" ] && return 0; done
	deb_die "unknown suite '$1' (known: ${DEB_SUITES[*]})"
}

# deb_lock SUITE: serialise the users of a suite's cache (fd 9, held until exit).
deb_lock() {
	mkdir -p "$DEB_CACHE"
	exec 9>"$DEB_CACHE/$1.lock"
	flock 9
}

# deb_base SUITE: create the suite's minbase root once; prints its path.
deb_base() {
	local suite=$1 dir=$DEB_CACHE/$1 log
	if [ ! -f "$dir/base.complete" ]; then
		command -v debootstrap >/dev/null || deb_die "debootstrap is not installed (make deps)"
		deb_info "creating the $suite minbase root in $dir/base (debootstrap)"
		rm -rf "$dir/base.tmp" "$dir/base"
		mkdir -p "$dir/base.tmp" "$dir/archives/partial"
		log=$dir/debootstrap.log
		if ! timeout 1200 debootstrap --variant=minbase "$suite" "$dir/base.tmp" \
			"$DEB_MIRROR" >"$log" 2>&1; then
			tail -n 5 "$log" >&2
			umount "$dir/base.tmp/proc" "$dir/base.tmp/sys" 2>/dev/null || true
			deb_die "debootstrap of $suite failed (see $log)"
		fi
		# The release's updates and security fixes, recommends off.
		cat >"$dir/base.tmp/etc/apt/sources.list" <<-SRC
		deb $DEB_MIRROR $suite main
		deb $DEB_MIRROR $suite-updates main
		deb http://deb.debian.org/debian-security $suite-security main
		SRC
		printf 'APT::Install-Recommends "false";\nAcquire::Retries "3";\n' \
			>"$dir/base.tmp/etc/apt/apt.conf.d/90svatop-build"
		rm -rf "$dir/base.tmp/var/cache/apt/archives/"*.deb
		mv "$dir/base.tmp" "$dir/base"
		touch "$dir/base.complete"
	fi
	printf '%s\n' "$dir/base"
}

# deb_run SUITE UPPER LOWERS -- COMMAND...: run COMMAND (a shell script
# string, run by sh -c) chrooted in an overlay of LOWERS (colon-separated
# layer names, topmost first, then base) with the writable layer UPPER.
# Private mount namespace: every mount disappears when the command ends.
# $DEB_BIND (space-separated HOST:GUEST pairs) are bind-mounted.
deb_run() {
	local suite=$1 upper=$2 lowers=$3 cmd=$5 dir=$DEB_CACHE/$1 lowerdirs="" l
	[ "$4" = "--" ] || deb_die "deb_run: usage"
	for l in ${lowers//:/ }; do lowerdirs+="$dir/layer-$l:"; done
	lowerdirs+="$dir/base"
	mkdir -p "$upper" "$upper.work" "$dir/archives/partial"
	unshare --mount --propagation private -- bash -eu -c '
		m=$1.merged; mkdir -p "$m"
		mount -t overlay overlay -o "lowerdir=$2,upperdir=$1,workdir=$1.work" "$m"
		mount -t proc proc "$m/proc"
		mount -t sysfs -o ro sysfs "$m/sys"
		mount --rbind /dev "$m/dev"
		mount -t tmpfs tmpfs "$m/tmp"
		mount --bind "$3" "$m/var/cache/apt/archives"
		cp -L /etc/resolv.conf "$m/etc/resolv.conf" 2>/dev/null || true
		for b in $4; do
			mkdir -p "$m${b#*:}"
			mount --bind "${b%%:*}" "$m${b#*:}"
		done
		exec chroot "$m" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive sh -c "$5"' \
		deb-run "$upper" "$lowerdirs" "$dir/archives" "${DEB_BIND:-}" "$cmd"
}

# deb_layer SUITE NAME APT-ARGS: the layer NAME on base, made once by
# "apt-get APT-ARGS" (a shell word list: "install lintian", "satisfy '...'").
deb_layer() {
	local suite=$1 name=$2 args=$3 dir=$DEB_CACHE/$1
	[ -f "$dir/layer-$name.complete" ] && return 0
	deb_info "creating the $suite layer $name: apt-get $args"
	rm -rf "$dir/layer-$name" "$dir/layer-$name.work"
	deb_run "$suite" "$dir/layer-$name" "" -- \
		"apt-get update -qq && apt-get -y -qq $args >/dev/null && rm -rf /var/lib/apt/lists/*" ||
		deb_die "cannot run apt-get $args in the $suite layer $name"
	rm -rf "$dir/layer-$name.work" "$dir/layer-$name.merged"
	touch "$dir/layer-$name.complete"
}
