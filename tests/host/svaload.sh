#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# svaload on this machine (no VM, no svamock): every shipped scenario
# parses (a typo must not cost a VM boot); the buffer and touch commands
# reject bad arguments with the line and exit 2; buffers work without a
# device; a touch without /dev/svamockN fails with exit 1 and says why.
set -u
cd "$(dirname "$0")/../.."
n_fail=0
ok() {
	if [ "$1" -eq 0 ]; then echo "ok - svaload: $2"; else echo "not ok - svaload: $2${3:+ ($3)}"; n_fail=$((n_fail + 1)); fi
}
SVALOAD=$(tools/lab/build-svaload) || { echo "not ok - svaload: builds"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in tools/lab/scenarios/*.sva; do
	"$SVALOAD" -n "$f" 2>"$tmp/err"
	ok $? "scenario $(basename "$f") parses" "$(head -n 1 "$tmp/err")"
done

# bad SCRIPT, the line and the message it must print
while IFS='|' read -r script want; do
	"$SVALOAD" -n -e "$script" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 2 ] && grep -qF -- "$want" "$tmp/err"; then
		ok 0 "rejects '$script'"
	else
		ok 1 "rejects '$script'" "status $rc, stderr: $(head -n 1 "$tmp/err")"
	fi
done <<'EOF'
buffer b 0|-e:1: bad page count '0'
buffer b 4 rw|-e:1: unknown argument 'rw' (want ro)
buffer unmapped 4|-e:1: bad buffer name 'unmapped'
buffer a/b 4|-e:1: bad buffer name 'a/b'
bind 0; touch 0|-e:2: 'touch' takes 2 to 5 arguments, got 1
touch 0 b threads=0|-e:1: bad thread count '0'
touch 0 b threads=65|-e:1: bad thread count '65'
touch 0 unmapped threads=2|-e:1: 'unmapped' is one page: no threads
touch 0 b expect=EWHAT|-e:1: unknown errno name 'EWHAT'
touch 0 b read|-e:1: unknown argument 'read'
touch x b|-e:1: bad device 'x'
discard|-e:1: 'discard' takes 1 to 1 arguments, got 0
EOF

out=$("$SVALOAD" -e 'buffer b 4; fill b; discard b; fill b; unmap b' 2>"$tmp/err")
ok $? "buffer, fill, discard and unmap run without a device" "$(head -n 1 "$tmp/err")"
grep -q 'buffer b pages=4 addr=0x' <<<"$out"
ok $? "buffer prints its address"

"$SVALOAD" -e 'buffer b 1; touch 1000 b' >/dev/null 2>"$tmp/err"
ok "$([ $? -eq 2 ]; echo $?)" "a device number out of range is a script error"
"$SVALOAD" -e 'discard nosuch' >/dev/null 2>"$tmp/err"
rc=$?
ok "$([ $rc -eq 1 ] && grep -q "line 1: no buffer 'nosuch'" "$tmp/err"; echo $?)" \
	"an unknown buffer fails with the line" "status $rc: $(head -n 1 "$tmp/err")"
"$SVALOAD" -e 'buffer b 1; touch 127 b' >/dev/null 2>"$tmp/err"
rc=$?
ok "$([ $rc -eq 1 ] && grep -q 'open /dev/svamock127: No such file' "$tmp/err"; echo $?)" \
	"a touch without the device fails and says why" "status $rc: $(head -n 1 "$tmp/err")"
[ "$n_fail" -eq 0 ]
