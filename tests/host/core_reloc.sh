#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# CO-RE check of svatop's BPF object against the BTF of every real Debian
# kernel in tests/data/kernels (the arm64 kernel against the arm64 build).
#
# libbpf's own relocation logic runs offline through
# `bpftool -d gen min_core_btf BTF OUT OBJ`; its debug log says, per program
# and relocation, what the object asked for and what the kernel has. For the
# programs that load on that kernel (the hook table of `svatop probe`), every
# access must resolve, or be guarded: an existence check earlier in the same
# program (bpf_core_field_exists/type_exists) that is false on this kernel, on
# the same field or on a pointer field leading to the accessed type, so the
# verifier drops the access as dead code. The few guards CO-RE cannot see
# (a weak __ksym, a list walk) are listed below with a condition this test
# checks on each kernel. The relocated offsets are compared with the ones
# tests/data/kernels/README.md gives.
set -u
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
cd "$top" || exit 1
svatop=$top/.output/svatop
kernels=$top/.output/kernels
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }

[ -x "$svatop" ] || { nok "svatop binary at $svatop (run make)"; exit 1; }
[ -d "$kernels" ] || { nok "kernel data at $kernels"; exit 1; }
command -v bpftool >/dev/null || { nok "bpftool is installed"; exit 1; }

# The objects: x86 from the normal build, arm64 built the same way.
obj_x86=.output/svatop.bpf.o
obj_arm64=.output/arm64/svatop.bpf.o
if make -s "$obj_x86" >"$tmp/make.log" 2>&1 && [ -s "$obj_x86" ]; then
	ok "BPF object for x86 builds ($obj_x86)"
else
	nok "BPF object for x86 builds: $(tail -3 "$tmp/make.log")"
fi
if make -s BPF_ARCH=arm64 OUTPUT=.output/arm64 "$obj_arm64" >"$tmp/make.log" 2>&1 &&
   [ -s "$obj_arm64" ]; then
	ok "BPF object for arm64 builds ($obj_arm64, BPF_ARCH=arm64)"
else
	nok "BPF object for arm64 builds: $(tail -3 "$tmp/make.log")"
fi

# Guards CO-RE relocations cannot show. Per line: program (glob), accessed
# field ("type.field" of the object's local types; * = any field), and the
# condition on this kernel that makes the access dead code:
#   absent-symbol SYM   the code returns early when &SYM (a weak __ksym) is NULL
#   failed-guard SPEC   the access is only reached inside the branch of an
#                       existence check on SPEC, false in the same program
cat >"$tmp/exceptions" <<'EOF'
iter/task	iommu_mm_data___svatop.mm_list_elm	absent-symbol	iommu_sva_mms
iter/task	iommu_mm_data___svatop.mm	absent-symbol	iommu_sva_mms
*	iommu_domain___svatop.*	failed-guard	mm_struct___iommu_mm.iommu_mm
EOF

# Local BTF of an object: "[ID] struct T.field" -> pointee type id.
pointees() {
	bpftool btf dump file "$1" format raw | awk '
		/^\[[0-9]+\] (STRUCT|UNION) / { id = $1; kind = tolower($2); name = $3
			gsub(/'\''/, "", name); cur = id " " kind " " name; next }
		/^\[[0-9]+\] PTR / { ptr[$1] = $4; sub(/type_id=/, "", ptr[$1]); cur = ""; next }
		/^\[/ { cur = ""; next }
		/^\t'\''/ && cur != "" { f = $1; gsub(/'\''|\t/, "", f); t = $2
			sub(/type_id=/, "", t); mem[cur "." f] = t; next }
		END { for (m in mem) if (("[" mem[m] "]") in ptr)
			print m "\t[" ptr["[" mem[m] "]"] "]" }'
}

# bpftool -d log -> PROG N KIND RESULT SPEC, in log order.
parse_log() {
	awk '
	function field(re, skip, len) { match($0, re); return substr($0, RSTART + skip, RLENGTH - skip - len) }
	/: relo #[0-9]+: </ && !/candidate/ {
		prog = field("prog '\''[^'\'']*'\''", 6, 1); n = field("relo #[0-9]+", 6, 0)
		match($0, /<[a-z_]+>/); kind = substr($0, RSTART + 1, RLENGTH - 2)
		spec = substr($0, RSTART + RLENGTH + 1)
		sub(/ \([0-9:]+ @ offset [0-9]+\)$/, "", spec)
		k = prog "#" n; order[++cnt] = k; P[k] = prog; N[k] = n; K[k] = kind
		S[k] = spec; R[k] = "unknown"; next }
	/: relo #[0-9]+: matching candidate/ {
		R[field("prog '\''[^'\'']*'\''", 6, 1) "#" field("relo #[0-9]+", 6, 0)] = "ok"; next }
	/: relo #[0-9]+: no matching targets found/ {
		R[field("prog '\''[^'\'']*'\''", 6, 1) "#" field("relo #[0-9]+", 6, 0)] = "missing"; next }
	END { for (i = 1; i <= cnt; i++) { k = order[i]
		printf "%s\t%s\t%s\t%s\t%s\n", P[k], N[k], K[k], R[k], S[k] } }' "$1"
}

# Which program sections load on a kernel, from svatop probe's hook table.
loaded_sections() { # probe.json relocs
	jq -r '.hooks[] | "\(.form)\t\(.target)"' "$1" | awk -F'\t' '
		NR == FNR { form[$2] = $1; next }
		{ sec = $1; split(sec, p, "/"); load = 0
		  if (sec == ".text") load = 1
		  else if (p[1] == "fentry" || p[1] == "fexit") load = form[p[2]] == "fentry"
		  else if (p[1] == "kprobe" || p[1] == "kretprobe") load = form[p[2]] == "kprobe"
		  else if (p[1] == "tp_btf") { for (t in form) if (t ~ (":" p[2] "$")) load = form[t] == "tp_btf" }
		  else if (p[1] == "tracepoint") load = form[p[2] ":" p[3]] == "tracepoint"
		  else if (p[1] == "iter") load = form[sec] == "iter"
		  if (load && !(sec in seen)) { seen[sec] = 1; print sec } }' - "$2"
}

# Unresolved accesses in loaded programs that no guard covers.
unguarded() { # relocs loaded pointees exceptions symbols-file
	awk -F'\t' -v symfile="$5" '
	function tf(spec) { s = spec; sub(/^\[[0-9]+\] (struct|union) /, "", s); return s }
	function tid(spec) { return substr(spec, 1, index(spec, "]")) }
	FILENAME == ARGV[1] { rel[++nr] = $0; next }
	FILENAME == ARGV[2] { load[$1] = 1; next }
	FILENAME == ARGV[3] { pointee[$1] = $2; next }
	FILENAME == ARGV[4] { ne++; ep[ne] = $1; ef[ne] = $2; ec[ne] = $3; ea[ne] = $4; next }
	END {
		while ((getline line < symfile) > 0) { split(line, w, " "); sym[w[3]] = 1 }
		for (i = 1; i <= nr; i++) {
			split(rel[i], r, "\t"); prog = r[1]; kind = r[3]; res = r[4]; spec = r[5]
			if (!(prog in load)) continue
			if (kind ~ /_exists$|_matches$/) {
				if (res != "ok") {
					ng[prog]++; G[prog, ng[prog]] = spec
					dead[prog, tf(spec)] = 1
					if (spec in pointee) deadtype[prog, pointee[spec]] = 1
				}
				continue
			}
			if (res == "ok") continue
			why = ""
			for (j = 1; j <= ng[prog]; j++)
				if (spec == G[prog, j] || index(spec, G[prog, j] ".") == 1)
					why = "existence check"
			if (why == "" && deadtype[prog, tid(spec)])
				why = "pointer from a field that does not exist here"
			for (j = 1; why == "" && j <= ne; j++) {
				pat = ef[j]; gsub(/\./, "\\.", pat); gsub(/\*/, ".*", pat)
				pp = ep[j]; gsub(/\./, "\\.", pp); gsub(/\*/, ".*", pp)
				if (prog !~ ("^" pp "$") || tf(spec) !~ ("^" pat "$")) continue
				if (ec[j] == "absent-symbol" && !(ea[j] in sym))
					why = ea[j] " absent"
				if (ec[j] == "failed-guard" && dead[prog, ea[j]])
					why = "inside a failed check of " ea[j]
			}
			if (why == "") print prog ": " kind " " tf(spec)
			else guarded++
		}
		print guarded + 0 > "/dev/stderr"
	}' "$1" "$2" "$3" "$4"
}

# folder  expected mm_struct.iommu_mm offset (README), or "none"
while read -r dir mmoff; do
	d=$kernels/$dir
	obj=$obj_x86
	regs="struct pt_regs.di"
	case $dir in *arm64*) obj=$obj_arm64; regs="struct user_pt_regs.regs" ;; esac
	[ -s "$obj" ] || { nok "$dir: no BPF object $obj"; continue; }
	"$svatop" probe --json --btf "$d/btf" --symbols "$d/System.map.iommu" >"$tmp/probe.json"
	if ! bpftool -d gen min_core_btf "$d/btf" "$tmp/min.btf" "$obj" >"$tmp/log" 2>&1; then
		nok "$dir: CO-RE relocation failed: $(grep -vE 'relo #|CO-RE relocating' "$tmp/log" | tail -2 | tr '\n' ' ')"
		continue
	fi
	parse_log "$tmp/log" >"$tmp/relocs"
	loaded_sections "$tmp/probe.json" "$tmp/relocs" >"$tmp/loaded"
	pointees "$obj" >"$tmp/pointees"
	total=$(awk -F'\t' 'NR == FNR { l[$1] = 1; next } ($1 in l)' "$tmp/loaded" "$tmp/relocs" | wc -l)
	unres=$(awk -F'\t' 'NR == FNR { l[$1] = 1; next } ($1 in l) && $4 != "ok" && $3 !~ /_exists$/' \
		"$tmp/loaded" "$tmp/relocs" | wc -l)
	nprog=$(wc -l <"$tmp/loaded")
	unguarded "$tmp/relocs" "$tmp/loaded" "$tmp/pointees" "$tmp/exceptions" \
		"$d/System.map.iommu" >"$tmp/bad" 2>"$tmp/nguarded"
	if [ "$total" -eq 0 ]; then
		nok "$dir: no relocation seen in the $nprog programs that load here (parser broken?)"
	elif [ -s "$tmp/bad" ]; then
		nok "$dir: $(wc -l <"$tmp/bad") access(es) neither resolved nor guarded: $(sort -u "$tmp/bad" | head -6 | tr '\n' ';')"
	else
		ok "$dir: $total relocations in the $nprog programs that load here resolve or are guarded ($unres unresolved, $(cat "$tmp/nguarded") behind guards)"
	fi
	if awk -F'\t' '$4 == "unknown"' "$tmp/relocs" | grep -q .; then
		nok "$dir: a relocation with no result in the log"
	fi
	got=$(grep -E 'matching candidate #0 <byte_off> \[[0-9]+\] struct mm_struct\.iommu_mm ' "$tmp/log" |
		sed -n 's/.*@ offset \([0-9]*\)).*/\1/p' | sort -u | tr '\n' ' ')
	got=${got% }
	if [ "$mmoff" = none ]; then
		[ -z "$got" ] && ok "$dir: mm_struct.iommu_mm does not exist, as README says" ||
			nok "$dir: mm_struct.iommu_mm unexpectedly relocated to $got"
	elif [ "$got" = "$mmoff" ]; then
		ok "$dir: mm_struct.iommu_mm relocates to offset $got, as README says"
	else
		nok "$dir: mm_struct.iommu_mm relocated to '$got', README says $mmoff"
	fi
	if grep -qE "matching candidate #0 <byte_off> \[[0-9]+\] $regs" "$tmp/log"; then
		ok "$dir: kprobe arguments read from ${regs#struct } (right architecture)"
	else
		nok "$dir: kprobe arguments do not relocate against ${regs#struct }"
	fi
done <<'EOF'
6.1.192-bookworm-security none
6.12.95-bookworm-backports 1256
6.12.117-trixie 1264
7.3.4-trixie-backports 1632
6.12.117-trixie-arm64 none
EOF
exit 0
