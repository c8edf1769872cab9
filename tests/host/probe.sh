#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# svatop probe on this host and, offline, on the five real Debian kernels in
# tests/data/kernels (unpacked into .output/kernels by the build of the
# tests): verdict, exit status, JSON shape, and bad input.
set -u
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
svatop=$top/.output/svatop
kernels=$top/.output/kernels
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@" >/dev/null; then ok "$d"; else nok "$d"; fi
}

if [ ! -x "$svatop" ]; then
	nok "svatop binary at $svatop (run make)"
	exit 1
fi
if [ ! -d "$kernels" ]; then
	nok "kernel data at $kernels (make kernel-data unpacks tests/data/kernels)"
	exit 1
fi

# ---- this host -----------------------------------------------------------
"$svatop" probe >"$tmp/host.txt" 2>"$tmp/host.err"
rc=$?
verdict=$(sed -n 's/^Verdict:  \([a-z-]*\):.*/\1/p' "$tmp/host.txt")
echo "# host verdict: $verdict, exit $rc"
check "probe on this host prints a verdict" test -n "$verdict"
# The CI hosts and this machine have no usable SVA: a non-zero exit, not 2.
check "probe on this host (no SVA) exits non-zero and not as a usage error (got $rc)" \
	test "$rc" -ne 0 -a "$rc" -ne 2 -a "$rc" -lt 128
check "probe on this host explains the verdict in a paragraph" \
	grep -qE 'Intel DSA/IAA' "$tmp/host.txt"
check "probe on this host says why svatop cannot trace SVA" \
	grep -qE '^Tracing: +(no way to hook|no kernel BTF|possible)' "$tmp/host.txt"
check "probe on this host prints the hook table" \
	grep -qE '^  bind +iommu_sva_bind_device +(fentry|kprobe|missing)' "$tmp/host.txt"
check "probe on this host writes nothing on stderr" test ! -s "$tmp/host.err"

"$svatop" probe --json >"$tmp/host.json" 2>/dev/null
jrc=$?
check "probe --json output parses (jq)" jq -e . "$tmp/host.json"
check "probe --json exits like the human form ($jrc vs $rc)" test "$jrc" -eq "$rc"
check "probe --json has the same verdict" \
	test "$(jq -r .verdict "$tmp/host.json")" = "$verdict"
check "probe --json carries schema, evidence and the hook table" \
	jq -e '.schema == 1 and (.evidence | length) > 0 and (.hooks | length) >= 12 and
	       (.hooks | map(select(.target == "iommu_sva_bind_device")) | length) == 1 and
	       (.exit_status | type) == "number" and (.explanation | length) > 100' \
	"$tmp/host.json"
check "probe --json exit_status field matches the real exit status" \
	test "$(jq -r .exit_status "$tmp/host.json")" = "$jrc"

# A container may hide /proc/kallsyms: BTF alone still gives the verdict.
unshare -m sh -c "mount --bind /dev/null /proc/kallsyms && '$svatop' probe" \
	>"$tmp/nosyms.txt" 2>"$tmp/nosyms.err"
rc=$?
check "probe with /proc/kallsyms unreadable: same verdict from BTF alone" \
	grep -q "^Verdict:  $verdict:" "$tmp/nosyms.txt"
check "probe with /proc/kallsyms unreadable: says so (exit $rc)" \
	grep -q '^Not checked: no symbol table (/proc/kallsyms unreadable)' "$tmp/nosyms.txt"

# ---- offline, each real kernel (expected values from kernels/README.md) --
# folder verdict exit-status bind-form
while read -r dir want wrc bindform; do
	d=$kernels/$dir
	"$svatop" probe --json --btf "$d/btf" --symbols "$d/System.map.iommu" \
		>"$tmp/k.json" 2>"$tmp/k.err"
	rc=$?
	got=$(jq -r .verdict "$tmp/k.json" 2>/dev/null)
	check "$dir: verdict $want (got $got)" test "$got" = "$want"
	check "$dir: exit status $wrc (got $rc)" test "$rc" -eq "$wrc"
	check "$dir: bind hook is $bindform" \
		jq -e --arg f "$bindform" \
		'.hooks[] | select(.target == "iommu_sva_bind_device") | .form == $f' \
		"$tmp/k.json"
done <<'EOF'
6.1.192-bookworm-security likely-stubbed 3 fentry
6.12.95-bookworm-backports stubbed 1 fentry
6.12.117-trixie stubbed 1 fentry
6.12.117-trixie-arm64 not-built 1 missing
7.3.4-trixie-backports real-fixed 0 fentry
EOF

d=$kernels/6.1.192-bookworm-security
"$svatop" probe --btf "$d/btf" --symbols "$d/System.map.iommu" >"$tmp/61.txt"
check "6.1: the verdict is labelled a heuristic" grep -q '(heuristic)' "$tmp/61.txt"
check "6.1: bind shows the drvdata argument" \
	grep -q 'iommu_sva_bind_device(struct device \*dev, struct mm_struct \*mm, void \*drvdata)' "$tmp/61.txt"
check "6.1: ioasid_free is the PASID free hook" \
	grep -qE '^  pasid free +ioasid_free +fentry' "$tmp/61.txt"

d=$kernels/6.12.117-trixie-arm64
"$svatop" probe --btf "$d/btf" >"$tmp/arm.txt"
check "arm64 BTF alone: architecture detected" grep -q '^Kernel: .*(arm64)' "$tmp/arm.txt"
check "arm64 BTF alone: says what it could not check" \
	grep -q '^Not checked: no symbol table' "$tmp/arm.txt"

# ---- bad input: one line on stderr, exit 2, no crash ---------------------
bad() { # bad DESCRIPTION ARGS...
	local d=$1 rc lines
	shift
	"$svatop" probe "$@" >"$tmp/bad.out" 2>"$tmp/bad.err"
	rc=$?
	lines=$(wc -l <"$tmp/bad.err")
	if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q '^svatop: ' "$tmp/bad.err" &&
	   [ ! -s "$tmp/bad.out" ]; then
		ok "$d: exit 2, one error line ($(cat "$tmp/bad.err"))"
	else
		nok "$d: expected exit 2 and one error line, got exit $rc, $lines line(s): $(head -3 "$tmp/bad.err")"
	fi
}
head -c 100000 "$kernels/7.3.4-trixie-backports/btf" >"$tmp/truncated.btf"
head -c 8192 /dev/urandom >"$tmp/random.bin"
: >"$tmp/empty"
bad "unknown option" --bogus
bad "extra argument" extra
bad "missing BTF file" --btf "$tmp/nonexistent"
bad "empty BTF file" --btf "$tmp/empty"
bad "truncated BTF" --btf "$tmp/truncated.btf"
bad "random bytes as BTF" --btf "$tmp/random.bin"
bad "random bytes as image" --image "$tmp/random.bin"
bad "random bytes as System.map" --btf "$kernels/7.3.4-trixie-backports/btf" --symbols "$tmp/random.bin"
bad "unknown architecture" --btf "$kernels/7.3.4-trixie-backports/btf" --arch sparc
bad "both --btf and --image" --btf "$tmp/empty" --image "$tmp/empty"
bad "--btf without its argument" --btf
"$svatop" probe --help >"$tmp/help" 2>&1
check "--help exits 0 and documents the exit statuses" \
	grep -q '^Exit status: 0 SVA works' "$tmp/help"
exit 0
