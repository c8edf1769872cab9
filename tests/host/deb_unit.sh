#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# svatop-exporter.service (debian/) on this host: systemd-analyze security
# keeps it below exposure 2.0, it runs with exactly the capabilities the lab
# measured (docs/packaging.md), it serves on loopback by default, and every
# system call the exporter makes while serving a recording (strace) passes
# the unit's SystemCallFilter. The package itself: make deb-test.
set -u
cd "$(dirname "$0")/../.."
SVATOP=.output/svatop
UNIT=debian/svatop.svatop-exporter.service
DEFAULTS=debian/svatop.svatop-exporter.default
. tests/host/lib/tap.sh

[ -x "$SVATOP" ] || { echo "not ok - deb_unit: $SVATOP is missing (make)"; exit 1; }
for tool in systemd-analyze strace; do
	command -v $tool >/dev/null || { echo "not ok - deb_unit: $tool is not installed (make deps)"; exit 1; }
done
D=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$D"' EXIT

# The unit's value of KEY (the last assignment wins, as in systemd).
key() { sed -n "s/^$1=//p" "$UNIT" | tail -n 1; }

cp "$UNIT" "$D/svatop-exporter.service"
systemd-analyze security --offline=true "$D/svatop-exporter.service" >"$D/security.txt" 2>&1
exposure=$(sed -n 's/^.*Overall exposure level for svatop-exporter.service: \([0-9.]*\) .*/\1/p' "$D/security.txt")
echo "# systemd-analyze security --offline=true: exposure ${exposure:-?} ($(systemd-analyze --version | head -n 1))"
awk -v e="${exposure:-99}" 'BEGIN { exit !(e < 2.0) }'
ok $? "systemd-analyze security: exposure ${exposure:-?} is below 2.0 (OK)"

expect_eq "yes CAP_BPF CAP_PERFMON CAP_SYSLOG" "$(key DynamicUser) $(key AmbientCapabilities)" \
	"a dynamic user with the measured ambient capabilities, nothing more"
expect_eq "$(key AmbientCapabilities)" "$(key CapabilityBoundingSet)" \
	"the bounding set is the ambient set"
expect_eq "yes strict yes" "$(key NoNewPrivileges) $(key ProtectSystem) $(key PrivateTmp)" \
	"NoNewPrivileges, ProtectSystem=strict, PrivateTmp"
expect_eq "127.0.0.1:9464 127.0.0.1:9464 localhost" \
	"$(sed -n 's/^Environment=SVATOP_EXPORTER_LISTEN=//p' "$UNIT") $(sed -n 's/^SVATOP_EXPORTER_LISTEN=//p' "$DEFAULTS") $(key IPAddressAllow)" \
	"loopback by default: the unit's default, /etc/default/svatop-exporter and the IP allow list agree"

# The system calls of a serving exporter against the unit's filter:
# allowed by the first (allow) list, not taken away by the second.
expand() {
	systemd-analyze syscall-filter "$1" 2>/dev/null | sed 's/^ *//' | grep -v '^#\|^$' |
		while read -r x; do
			case $x in
			@*) [ "$x" != "$1" ] && expand "$x" ;;
			*) echo "$x" ;;
			esac
		done
}
filters=$(sed -n 's/^SystemCallFilter=//p' "$UNIT")
allow=$(sed -n 1p <<<"$filters")
deny=$(sed -n '2s/^~//p' <<<"$filters")
for w in $allow; do case $w in @*) expand "$w" ;; *) echo "$w" ;; esac; done | sort -u >"$D/allowed"
for w in $deny; do case $w in @*) expand "$w" ;; *) echo "$w" ;; esac; done | sort -u >"$D/denied"
grep -qx bpf "$D/allowed" && grep -qx perf_event_open "$D/allowed"
ok $? "the filter allows bpf and perf_event_open ($(wc -l <"$D/allowed") calls allowed, $(wc -l <"$D/denied") denied)"

strace -f -qq -o "$D/strace" $SVATOP exporter --replay tests/fuzz/corpus/one_to_n.rec \
	--listen 127.0.0.1:0 >/dev/null 2>"$D/exporter.err" &
pid=$!
i=0
while ! grep -qs '^svatop exporter: serving' "$D/exporter.err" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
port=$(sed -n 's|^svatop exporter: serving http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$D/exporter.err")
bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1 && printf "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3 && cat <&3' \
	scrape "${port:-1}" >"$D/scrape" 2>&1
grep -q '^svatop_binds_total 3$' "$D/scrape"
ok $? "the exporter under strace serves the recording" "$(head -c 200 "$D/exporter.err")"
# SIGINT to the exporter itself (strace, a background job, ignores it).
kill -INT "$(ps -o pid= --ppid "$pid")"
wait "$pid"
expect_eq 0 $? "the exporter exits 0 on SIGINT (strace passes on its status)"
pid=
sed -E 's/^[0-9]+ +//; s/\(.*//' "$D/strace" | grep -E '^[a-z_0-9]+$' | sort -u >"$D/used"
expect_eq "" "$(comm -23 "$D/used" "$D/allowed" | paste -sd' ')" \
	"every system call the exporter made ($(wc -l <"$D/used")) is in the allow list"
expect_eq "" "$(comm -12 "$D/used" "$D/denied" | paste -sd' ')" \
	"none of them is in the deny list"
grep -q 'socket(AF_UNIX' "$D/strace"
ok $((!$?)) "the exporter opens no AF_UNIX socket (RestrictAddressFamilies has none)"
exit $((n_fail > 0))
