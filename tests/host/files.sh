#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Files svatop writes as root, through the command line (probe --save-btf;
# record and check -J share the helper, tests/unit/test_safefile.c): never
# through a symlink, an existing file refused with one line unless --force,
# mode 0600 whatever the umask, ENOSPC named as such and no partial file.
set -u
cd "$(dirname "$0")/../.."
SVATOP=.output/svatop
BTF=.output/kernels/7.3.4-trixie-backports/btf
. tests/host/lib/tap.sh
for need in "$SVATOP" "$BTF"; do
	[ -e "$need" ] || { echo "not ok - files: $need is missing (make test-bins)"; exit 1; }
done
D=$(mktemp -d)
trap 'umount "$D/full" 2>/dev/null; rm -rf "$D"' EXIT
save() { "$SVATOP" probe --btf "$BTF" --save-btf "$@" >/dev/null 2>"$D/err"; }

echo precious >"$D/victim"
chmod 0644 "$D/victim"
ln -s "$D/victim" "$D/link"
save "$D/link"
rc=$?
ok $((rc != 2)) "a symlink as --save-btf target is refused (exit $rc)"
ok $(($(wc -l <"$D/err") != 1)) "one error line: $(head -1 "$D/err")"
grep -q 'exists' "$D/err"
ok $? "the line says the target exists"
[ "$(cat "$D/victim")" = precious ] && [ "$(stat -c %a "$D/victim")" = 644 ]
ok $? "the symlink's target is untouched (content and mode)"
save "$D/link" --force
ok $? "--force replaces the symlink"
[ -f "$D/link" ] && [ ! -L "$D/link" ] && [ "$(cat "$D/victim")" = precious ]
ok $? "... with a file of its own; the victim still untouched"
cmp -s "$D/link" "$BTF"
ok $? "... holding the BTF"

(umask 0; save "$D/new")
ok $? "a new file is written"
ok $(($(stat -c %a "$D/new") != 600)) "mode 0600 under umask 0 (saw $(stat -c %a "$D/new"))"
save "$D/new"
ok $((! $?)) "an existing file is refused"
ok $(($(ls -A "$D" | grep -c incomplete) != 0)) "no temporary file left behind ($(ls -A "$D" | tr '\n' ' '))"

mkdir "$D/full"
if mount -t tmpfs -o size=64k svatop-test "$D/full" 2>"$D/merr"; then
	save "$D/full/btf"
	rc=$?
	ok $((rc != 2)) "a full file system: exit 2 (saw $rc)"
	grep -q 'No space left on device' "$D/err"
	ok $? "ENOSPC is named: $(head -1 "$D/err")"
	ok $(($(ls -A "$D/full" | wc -l) != 0)) "no partial file left on the full file system"
else
	ok 1 "mount a 64 KiB tmpfs for ENOSPC" "$(head -1 "$D/merr")"
fi
exit $((n_fail != 0))
