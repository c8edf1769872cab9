#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel patches under patches/ (see patches/README.md):
#  - the reference patch is a well-formed mail that `git am` applies, with
#    its author, date, subject and review tags intact;
#  - our tracepoints patch, the bug injection and the lab-only Kconfig
#    patch apply with `git apply --check` to the lab kernel's Debian source
#    (linux-source-<series of trixie-backports' linux-image-amd64>, fetched
#    by package name and cached under tools/kbuild/cache), and
#    checkpatch.pl --strict from that source finds nothing in ours;
#  - the tracepoints keep the names and TP_PROTOs svatop's BPF attaches to.
# Cost: one 170 MB download and a partial unpack (~15 s) on the first run.
set -u
cd "$(dirname "$0")/../.." || exit 1
REPO=$PWD
n_fail=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; n_fail=$((n_fail + 1)); }
check() { # check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}

REF=$(ls patches/0001-*.patch 2>/dev/null | head -n 1)
OURS=(patches/svatop/*.patch)
EXPERIMENTS=(patches/experiments/*.patch)
LABP=(tools/kbuild/lab-patches/*.patch)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# ---- the reference patch ----------------------------------------------
# Write the pre-image of every file of a patch (stdin) into the current
# directory: each hunk's context and removed lines at their old line
# numbers, a filler line everywhere else.
preimages() {
	awk '
	function flush(   i) {
		if (file == "") return
		system("mkdir -p \"$(dirname \"" file "\")\"")
		for (i = 1; i <= last; i++)
			print ((i in line) ? line[i] : "/* filler " i " */") > file
		close(file)
		delete line
		last = 0
	}
	/^diff --git / { flush(); file = substr($4, 3); old = 0; new = 0; next }
	old > 0 || new > 0 {
		c = substr($0, 1, 1); t = substr($0, 2)
		if (c == "\\") next
		if (c == " " || c == "" || c == "-") { line[pos++] = t; last = pos - 1; old-- }
		if (c == " " || c == "" || c == "+") new--
		next
	}
	/^@@ / {
		split($2, o, ","); split($3, n, ",")
		pos = -o[1]; old = o[2]; new = n[2]
		next
	}
	END { flush() }'
}

ref_checks() {
	local info msg f
	[ -f "$REF" ] || { not_ok "reference patch patches/0001-*.patch exists"; return; }
	info=$(git mailinfo "$scratch/msg" "$scratch/diff" <"$REF") ||
		{ not_ok "git mailinfo parses $REF"; return; }
	ok "git mailinfo parses $REF"
	check "reference patch author is Tina Zhang <tina.zhang@intel.com>" \
		grep -qx 'Author: Tina Zhang' <<<"$info"
	check "reference patch author e-mail is tina.zhang@intel.com" \
		grep -qx 'Email: tina.zhang@intel.com' <<<"$info"
	check "reference patch subject is 'iommu: Support mm PASID 1:n with sva domains'" \
		grep -qx 'Subject: iommu: Support mm PASID 1:n with sva domains' <<<"$info"
	check "reference patch date is Thu, 12 Oct 2023 11:01:11 +0800" \
		grep -qx 'Date: Thu, 12 Oct 2023 11:01:11 +0800' <<<"$info"
	msg=$scratch/msg
	for f in 'Reviewed-by: Lu Baolu <baolu.lu@linux.intel.com>' \
		 'Reviewed-by: Vasant Hegde <vasant.hegde@amd.com>' \
		 'Reviewed-by: Jason Gunthorpe <jgg@nvidia.com>' \
		 'Signed-off-by: Tina Zhang <tina.zhang@intel.com>'; do
		check "reference patch carries '$f'" grep -qxF "$f" "$msg"
	done
	check "reference patch has no archive-obfuscated address (xxxx)" \
		bash -c "! grep -q '@xxx' '$REF'"
	check "reference patch keeps its v7 change log below the ---" \
		grep -q '^- Add mm_pasid_init() back and do zeroing mm->iommu_mm pointer in$' "$REF"

	# git am onto pre-images rebuilt from the hunks themselves (context and
	# removed lines at their line numbers, filler elsewhere): proves the
	# hunks are consistent and the mail applies as a commit.
	if mkdir -p "$scratch/am" && (
		cd "$scratch/am" && git init -q &&
		preimages <"$REPO/$REF" &&
		git add -A &&
		git -c user.name=t -c user.email=t@t commit -qm pre-image &&
		git -c user.name=t -c user.email=t@t am -q "$REPO/$REF"
	) >"$scratch/am.log" 2>&1; then
		ok "git am applies the reference patch to pre-images rebuilt from its hunks"
	else
		not_ok "git am applies the reference patch to pre-images rebuilt from its hunks"
		sed 's/^/# /' "$scratch/am.log"
	fi
	check "the commit git am made has the mail's author, date and subject" \
		[ "$(git -C "$scratch/am" log -1 --format='%an <%ae>|%ad|%s' \
			--date=format:'%Y-%m-%d %H:%M %z' 2>/dev/null)" = \
		"Tina Zhang <tina.zhang@intel.com>|2023-10-12 11:01 +0800|iommu: Support mm PASID 1:n with sva domains" ]
	check "reference patch diffstat (73 insertions, 41 deletions) matches its hunks" \
		[ "$(git apply --numstat "$REF" | awk '{a+=$1; d+=$2} END {print a "/" d}')" = 73/41 ]
}

# ---- our patches against the lab kernel's source ----------------------
source_tree() {
	local pkg ver paths
	. tools/kbuild/lib.sh
	KB_QUIET=1
	kb_apt_update
	pkg=$(resolve_source_pkg) || return 1
	ver=$(newest_version "$pkg")
	[ -n "$ver" ] || { echo "no $pkg in the archive" >&2; return 1; }
	# The directories of every file our patches touch.
	paths=$(cat "${OURS[@]}" "${EXPERIMENTS[@]}" "${LABP[@]}" |
		sed -n 's|^+++ b/\(.*\)/[^/]*$|\1|p' | sort -u | tr '\n' ' ')
	echo "$pkg $ver" >"$scratch/source"
	fetch_source_subset "$pkg" "$ver" $paths
}

apply_checks() {
	local tree p out
	tree=$(source_tree 2>"$scratch/source.err") || {
		not_ok "lab kernel source fetched by package name ($(tail -n 1 "$scratch/source.err"))"
		return
	}
	ok "lab kernel source fetched by package name: $(cat "$scratch/source")"
	for p in "${OURS[@]}" "${EXPERIMENTS[@]}" "${LABP[@]}"; do
		check "git apply --check $p on $(cat "$scratch/source")" \
			bash -c "cd '$tree' && GIT_CEILING_DIRECTORIES='$(dirname "$tree")' \
				git apply --check '$REPO/$p'"
	done
	check "tracepoints and bug injection apply together" bash -c \
		"cd '$tree' && GIT_CEILING_DIRECTORIES='$(dirname "$tree")' \
			git apply --check ${OURS[*]/#/$REPO/} ${EXPERIMENTS[*]/#/$REPO/}"
	for p in "${OURS[@]}"; do
		out=$(cd "$tree" && perl scripts/checkpatch.pl --strict --no-summary \
			--terse "$REPO/$p" 2>&1)
		if [ -z "$out" ]; then
			ok "checkpatch.pl --strict finds nothing in $p"
		else
			not_ok "checkpatch.pl --strict finds nothing in $p"
			printf '%s\n' "$out" | head -n 20 | sed 's/^/# /'
		fi
	done
}

# ---- the tracepoint contract with bpf/ ---------------------------------
contract_checks() {
	local p=patches/svatop/0001-iommu-sva-add-tracepoints-for-the-SVA-lifecycle.patch
	local hdr ev
	hdr=$scratch/iommu_sva.h
	sed -n '/^+++ b\/include\/trace\/events\/iommu_sva.h/,/^diff --git/p' "$p" |
		sed -n 's/^+//p' >"$hdr"
	check "tracepoints header defines TRACE_SYSTEM iommu_sva" \
		grep -qx '#define TRACE_SYSTEM iommu_sva' "$hdr"
	# name|TP_PROTO as one line, whitespace squeezed
	tr '\n' ' ' <"$hdr" | tr -s ' \t' ' ' |
		grep -oE '(TRACE_EVENT|DEFINE_EVENT)\((sva_pasid, )?[a-z_]+, TP_PROTO\([^)]*\)' |
		sed -E 's/^(TRACE_EVENT|DEFINE_EVENT)\((sva_pasid, )?//; s/, TP_PROTO/|/' \
		>"$scratch/protos"
	while IFS='|' read -r ev proto; do
		check "tracepoint $ev has TP_PROTO$proto" grep -qxF "$ev|$proto" "$scratch/protos"
	done <<-'EOF'
	sva_bind|(struct device *dev, struct mm_struct *mm, struct iommu_sva *handle, int ret)
	sva_unbind|(struct iommu_sva *handle)
	sva_domain_alloc|(struct iommu_domain *domain, struct device *dev, struct mm_struct *mm)
	sva_domain_free|(struct iommu_domain *domain)
	sva_pasid_alloc|(struct mm_struct *mm, u32 pasid)
	sva_pasid_free|(struct mm_struct *mm, u32 pasid)
	EOF
	for ev in sva_bind sva_unbind sva_domain_alloc sva_domain_free sva_pasid_alloc sva_pasid_free; do
		check "iommu-sva.c calls trace_$ev" grep -q "^+.*trace_$ev(" "$p"
	done
	check "bug injection patch says DO NOT MERGE and bug injection" bash -c \
		"grep -q '^Subject: .*DO NOT MERGE' ${EXPERIMENTS[*]} &&
		 grep -qi 'bug injection' ${EXPERIMENTS[*]}"
}

ref_checks
apply_checks
contract_checks
exit 0
