# SPDX-License-Identifier: GPL-2.0
# Private apt configuration of the kernel build scripts (sourced, not run).
# Own sources list, package lists, cache and an empty dpkg status under
# $KB_CACHE/apt: the host's apt setup is neither read nor changed.

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

# Newest version of a source package series, e.g. kb_source_pkg 7 ->
# linux-source-7.3 (the highest linux-source-7.* in any configured suite).
kb_source_pkg() {
	local major=$1
	kb_apt_cache pkgnames linux-source- 2>/dev/null |
		grep -E "^linux-source-${major}\.[0-9]+$" | sort -V | tail -n 1
}
