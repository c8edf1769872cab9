# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# A private apt configuration for the tools that fetch Debian packages by
# name (tools/lab, tools/kbuild): its own sources list, package lists, cache
# and an empty dpkg status under one folder, so the host's apt setup is
# neither read nor changed. Sourced, not run.
#
#   apt_private_init DIR              create DIR's layout and sources list
#   apt_private DIR TIMEOUT ARGS...   apt-get with DIR's configuration
#   apt_private_cache DIR ARGS...     apt-cache with DIR's configuration
#   apt_private_fresh DIR MAXAGE      true when DIR's lists are younger than
#                                     MAXAGE seconds (no update needed)
#   apt_private_updated DIR           note that DIR's lists were just updated

apt_private_init() {
	local dir=$1 key=/usr/share/keyrings/debian-archive-keyring.gpg m
	mkdir -p "$dir"/lists/partial "$dir"/archives/partial \
		"$dir"/etc/preferences.d "$dir"/etc/sources.list.d
	: >"$dir/status"
	for m in "debian trixie-backports" "debian trixie" "debian-security trixie-security" \
		"debian bookworm-backports" "debian bookworm" "debian-security bookworm-security"; do
		set -- $m
		echo "deb [signed-by=$key] http://deb.debian.org/$1 $2 main"
	done >"$dir/etc/sources.list"
}

# The options that point apt at DIR, into the array APT_PRIVATE_OPTS.
apt_private_opts() {
	local dir=$1
	APT_PRIVATE_OPTS=(
		-o "Dir::Etc::SourceList=$dir/etc/sources.list"
		-o "Dir::Etc::SourceParts=$dir/etc/sources.list.d"
		-o "Dir::Etc::Preferences=$dir/etc/preferences"
		-o "Dir::Etc::PreferencesParts=$dir/etc/preferences.d"
		-o "Dir::State::Lists=$dir/lists"
		-o "Dir::State::status=$dir/status"
		-o "Dir::Cache=$dir"
		-o "Dir::Cache::archives=$dir/archives"
		-o "APT::Architecture=amd64"
		-o "APT::Architectures::=amd64"
		-o "Acquire::Retries=2"
		-o "Acquire::http::Timeout=30"
		-o "Debug::NoLocking=1"
	)
}

apt_private() {
	local dir=$1 secs=$2
	shift 2
	apt_private_opts "$dir"
	timeout "$secs" apt-get -q "${APT_PRIVATE_OPTS[@]}" "$@"
}

apt_private_cache() {
	local dir=$1
	shift
	apt_private_opts "$dir"
	apt-cache "${APT_PRIVATE_OPTS[@]}" "$@"
}

apt_private_fresh() {
	local stamp=$1/updated
	[ -f "$stamp" ] && [ $(($(date +%s) - $(stat -c %Y "$stamp"))) -lt "$2" ]
}

apt_private_updated() { touch "$1/updated"; }
