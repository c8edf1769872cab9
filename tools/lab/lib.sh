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

# Private apt configuration: own sources, lists, cache and an empty dpkg
# status, so the host's apt setup is neither read nor touched.
lab_apt_init() {
	mkdir -p "$LAB_APT"/lists/partial "$LAB_APT"/archives/partial \
		"$LAB_APT"/etc/preferences.d "$LAB_APT"/etc/sources.list.d
	: >"$LAB_APT/status"
	cat >"$LAB_APT/etc/sources.list" <<-SRC
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security trixie-security main
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
	SRC
}

LAB_APT_OPTS=()
lab_apt_opts() {
	LAB_APT_OPTS=(
		-o "Dir::Etc::SourceList=$LAB_APT/etc/sources.list"
		-o "Dir::Etc::SourceParts=$LAB_APT/etc/sources.list.d"
		-o "Dir::Etc::Preferences=$LAB_APT/etc/preferences"
		-o "Dir::Etc::PreferencesParts=$LAB_APT/etc/preferences.d"
		-o "Dir::State::Lists=$LAB_APT/lists"
		-o "Dir::State::status=$LAB_APT/status"
		-o "Dir::Cache=$LAB_APT"
		-o "Dir::Cache::archives=$LAB_APT/archives"
		-o "APT::Architecture=amd64"
		-o "APT::Architectures::=amd64"
		-o "Acquire::Retries=2"
		-o "Acquire::http::Timeout=30"
		-o "Debug::NoLocking=1"
	)
}

lab_apt() { lab_apt_opts; timeout 600 apt-get -q "${LAB_APT_OPTS[@]}" "$@"; }
lab_apt_cache() { lab_apt_opts; apt-cache "${LAB_APT_OPTS[@]}" "$@"; }

# Refresh the private package lists at most once per LAB_APT_MAXAGE seconds
# (default: a day), so a second run downloads nothing.
lab_apt_update() {
	local stamp=$LAB_APT/updated age
	lab_apt_init
	if [ -f "$stamp" ] && [ -z "${LAB_APT_REFRESH:-}" ]; then
		age=$(($(date +%s) - $(stat -c %Y "$stamp")))
		[ "$age" -lt "${LAB_APT_MAXAGE:-86400}" ] && return 0
	fi
	lab_info "updating private package lists (deb.debian.org)"
	if ! lab_apt update >"$LAB_APT/update.log" 2>&1 ||
		grep -qE '^(E:|W: Failed)' "$LAB_APT/update.log"; then
		grep -E '^(E|W):' "$LAB_APT/update.log" | head -5 >&2
		# Stale lists are still usable for kernels already cached.
		[ -f "$stamp" ] && { lab_err "package list update failed, using the cached lists"; return 0; }
		lab_die "cannot download the package lists from deb.debian.org (see $LAB_APT/update.log)"
	fi
	touch "$stamp"
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
