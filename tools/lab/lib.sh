# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the lab scripts (sourced, not run).
# Everything fetched or built lives under $LAB_CACHE (git-ignored).

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_REPO=$(cd "$LAB_DIR/../.." && pwd)
LAB_CACHE=${LAB_CACHE:-$LAB_DIR/cache}
LAB_APT=$LAB_CACHE/apt
LAB_PROG=${LAB_PROG:-lab}

lab_err() { printf '%s: error: %s\n' "$LAB_PROG" "$*" >&2; }
lab_die() { lab_err "$@"; exit 1; }
lab_info() { [ -n "${LAB_QUIET:-}" ] || printf '%s: %s\n' "$LAB_PROG" "$*" >&2; }

# Packages by name through a private apt configuration (tools/lib/apt.sh).
. "$LAB_REPO/tools/lib/apt.sh"
lab_apt() { apt_private "$LAB_APT" 600 "$@"; }
lab_apt_cache() { apt_private_cache "$LAB_APT" "$@"; }

# Refresh the private package lists at most once per LAB_APT_MAXAGE seconds
# (default: a day), so a second run downloads nothing.
lab_apt_update() {
	apt_private_init "$LAB_APT"
	if [ -z "${LAB_APT_REFRESH:-}" ] && apt_private_fresh "$LAB_APT" "${LAB_APT_MAXAGE:-86400}"; then
		return 0
	fi
	lab_info "updating private package lists (deb.debian.org)"
	if ! lab_apt update >"$LAB_APT/update.log" 2>&1 ||
		grep -qE '^(E:|W: Failed)' "$LAB_APT/update.log"; then
		grep -E '^(E|W):' "$LAB_APT/update.log" | head -5 >&2
		# Stale lists are still usable for kernels already cached.
		[ -f "$LAB_APT/updated" ] && { lab_err "package list update failed, using the cached lists"; return 0; }
		lab_die "cannot download the package lists from deb.debian.org (see $LAB_APT/update.log)"
	fi
	apt_private_updated "$LAB_APT"
}

# Kernel release names look like 7.3.4+deb13-amd64; accept them without the
# flavour too.
lab_kernel_norm() {
	case $1 in
	*-amd64) printf '%s\n' "$1" ;;
	*) printf '%s-amd64\n' "$1" ;;
	esac
}

# The release the kernel was built for: +deb13 -> trixie, +deb12 -> bookworm.
lab_kernel_suite() {
	case $1 in
	*+deb13*) echo trixie ;;
	*+deb12*) echo bookworm ;;
	*+deb14*) echo forky ;;
	*) return 1 ;;
	esac
}

lab_kernel_dir() { printf '%s/kernels/%s\n' "$LAB_CACHE" "$1"; }
