# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/host/*.sh that start background processes (kept in lib/,
# so tests/run does not run it as a test). Needs D, the test's temporary
# folder, set before it is sourced.
#   PIDS+=("$!")              a process to kill and reap at exit
#   wait_for SECONDS CMD...   retry CMD every 0.2 s until it succeeds
#   served_port FILE          the port of an exporter's "serving" line
# At exit every process in PIDS is killed and reaped, then D is removed.
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$D"
}
trap cleanup EXIT
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while [ $SECONDS -lt $end ]; do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}
served_port() { sed -n 's|^svatop exporter: serving http://.*:\([0-9]*\)/metrics$|\1|p' "$1"; }
