#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The man page, the bash completion and `make install`:
#  - docs/svatop.8 renders with groff -ww and man -l without a warning and
#    has the sections a man page needs;
#  - it cannot fall behind the CLI: every command `svatop --help' lists has
#    a section, and every option `svatop CMD --help' prints is in that
#    command's section (short and long form together); every option the
#    page documents is one the command has;
#  - the completion loads in a plain bash, completes commands, each
#    command's long options exactly as its --help prints them, and files,
#    sort keys and the command after `check --';
#  - `make install DESTDIR=...' installs the binary, the page and the
#    completion, man finds the page by name and bash-completion's loader
#    finds the completion;
#  - the files and functions docs/design.md names exist, so it cannot
#    silently describe code that moved.
set -u
cd "$(dirname "$0")/../.."
SVATOP=.output/svatop
MAN=docs/svatop.8
COMP=tools/completion/svatop.bash
. tests/host/lib/tap.sh

for need in "$SVATOP" "$MAN" "$COMP"; do
	[ -e "$need" ] || { echo "not ok - docs: $need is missing"; exit 1; }
done
for tool in groff man; do
	command -v $tool >/dev/null || { echo "not ok - docs: $tool is not installed (make deps)"; exit 1; }
done
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT

# ---- (a) the page renders cleanly ----------------------------------------
groff -ww -man -Tutf8 "$MAN" >"$D/page.utf8" 2>"$D/groff.err"
rc=$?
ok $((rc != 0 || $(wc -c <"$D/groff.err") != 0)) "man page: groff -ww -man -Tutf8 renders it with no warning" \
	"status $rc: $(head -3 "$D/groff.err" | tr '\n' ' ')"
MANWIDTH=80 man --warnings=w -P cat -l "$MAN" >"$D/man.txt" 2>"$D/man.err"
rc=$?
ok $((rc != 0 || $(wc -c <"$D/man.err") != 0 || $(wc -l <"$D/man.txt") < 100)) \
	"man page: man -l renders it ($(wc -l <"$D/man.txt") lines) with no warning" \
	"status $rc: $(head -3 "$D/man.err" | tr '\n' ' ')"
# whatis/apropos read the NAME line through lexgrog.
out=$(lexgrog "$MAN" 2>&1)
ok $? "man page: lexgrog parses its NAME line (whatis, apropos)" "$out"
missing=
for s in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" ENVIRONMENT FILES "KERNEL SUPPORT" EXAMPLES "SEE ALSO"; do
	grep -qx "$s" "$D/man.txt" || missing+="'$s' "
done
ok $((${#missing} != 0)) "man page: has NAME, SYNOPSIS, DESCRIPTION, COMMANDS, EXIT STATUS, ENVIRONMENT, FILES, KERNEL SUPPORT, EXAMPLES, SEE ALSO" \
	"missing: $missing"

# Plain text to search in: ASCII hyphens, no overstrike, no hyphenation.
groff -man -Tascii -P-cbou -rHY=0 "$MAN" 2>/dev/null >"$D/page.txt"

# One command's subsection: from "   svatop CMD" to the next heading.
section() {
	awk -v h="svatop $1" '
		/^[^ ]/ || /^   [^ ]/ { on = ($0 ~ "^   " h "( |$)") ; next }
		on' "$D/page.txt"
}
# A top-level section ("EXIT STATUS").
top_section() {
	awk -v h="$1" '/^[^ ]/ { on = ($0 == h); next } on' "$D/page.txt"
}
# Option lines of a --help text: "-j, --json" or "--btf" (argp and getopt).
help_options() {
	sed -nE 's/^ {1,8}((-[^-, ], )?--[a-z][a-z0-9-]*).*/\1/p'
}
# Options the page documents for CMD: the tag line after each .TP in its .SS.
page_options() {
	awk -v h="svatop $1" '
		/^\.SS/ { on = ($0 == ".SS \"" h "\""); next }
		/^\.SH/ { on = 0 }
		on && tag { print; tag = 0 }
		on && /^\.TP/ { tag = 1 }' "$MAN" |
		sed 's/\\-/-/g' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

# The tree files the page points to exist.
missing=
for f in $(grep -oE '(docs|tools)/[a-z][a-z0-9_./-]*[a-z0-9/]' "$D/page.txt" | sort -u); do
	[ -e "$f" ] || missing+="$f "
done
ok $((${#missing} != 0)) "man page: the files of the source tree it names exist" "missing: $missing"

# ---- docs/design.md names real files and functions -----------------------
DESIGN=docs/design.md
missing=
for t in $(grep -oE '`[^` ]+`' "$DESIGN" | tr -d '`' | sort -u); do
	case $t in
	*{*)	continue ;;
	src/* | bpf/* | include/* | tests/* | tools/* | docs/* | patches/*)
		[ -n "$(compgen -G "$t")" ] || missing+="$t " ;;
	*.c | *.h | *.sh)
		[ -n "$(find src bpf include tests tools -name "$t" -print -quit 2>/dev/null)" ] ||
			missing+="$t " ;;
	*"()")
		# Defined or declared (a C line that starts with its type), not
		# just mentioned in a comment; or a kernel function svatop hooks
		# (src/probe/hooks.c), or a libc/libbpf one.
		grep -rqE -- "^[a-z].*[ *]${t%()}\(" src bpf include ||
			grep -qF -- "\"${t%()}\"" src/probe/hooks.c ||
			grep -rqw -- "${t%()}" /usr/include 2>/dev/null || missing+="$t " ;;
	esac
done
ok $((${#missing} != 0)) "design.md: every file, folder and function it names exists in the tree" "missing: $missing"
# "`f()` (`file`)", "`f()`/`g()` (`file`)" and "`f()` in `file`": f is defined in that file.
wrong=
while read -r fns file; do
	for f in ${fns//\// }; do
		f=${f//\`/}
		f=${f%()}
		grep -qE -- "^[a-z].*[ *]$f\(" "$file" 2>/dev/null || wrong+="$f() not in $file; "
	done
done < <(tr '\n' ' ' <"$DESIGN" |
	grep -oE '(`[a-z_]+\(\)`/?)+ (\(|in )`(src|bpf|include)/[a-z0-9_./]+\.[ch]`' |
	sed -E 's/ (\(|in )`/ /; s/`$//')
ok $((${#wrong} != 0)) "design.md: a function it places in a file is defined there" "$wrong"

# ---- (b) the page covers the whole CLI -----------------------------------
commands=$($SVATOP --help | sed -n '/^Commands/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p')
n=$(echo $commands | wc -w)
ok $((n < 9)) "svatop --help lists the commands ($n: $(echo $commands))" "expected at least the nine of svatop(8)"
top_section SYNOPSIS >"$D/synopsis.txt"
top_section "EXIT STATUS" >"$D/exit.txt"
for cmd in $commands; do
	section "$cmd" >"$D/sec.$cmd"
	if [ ! -s "$D/sec.$cmd" ]; then
		ok 1 "man page: svatop $cmd has a section"
		continue
	fi
	ok 0 "man page: svatop $cmd has a section ($(wc -l <"$D/sec.$cmd") lines)"
	$SVATOP "$cmd" --help >"$D/help.$cmd" 2>&1
	rc=$?
	ok $rc "svatop $cmd --help exits 0"
	# EXIT STATUS says 2 for a usage error, for every command.
	$SVATOP "$cmd" --no-such-option >/dev/null 2>&1
	expect_eq 2 $? "svatop $cmd --no-such-option exits 2, as the page says"
	missing=
	n=0
	while read -r opt; do
		n=$((n + 1))
		case $opt in
		--help | --usage | "-?, --help" | "-h, --help")
			# Common to every command: documented once, under COMMANDS.
			grep -qF -- "${opt##* }" "$D/page.txt" || missing+="'$opt' " ;;
		*)
			grep -qF -- "$opt" "$D/sec.$cmd" || missing+="'$opt' " ;;
		esac
	done < <(help_options <"$D/help.$cmd")
	ok $((${#missing} != 0)) "man page: the $n option(s) 'svatop $cmd --help' prints are in its section" \
		"missing: $missing"
	extra=
	for opt in $(page_options "$cmd"); do
		help_options <"$D/help.$cmd" | grep -qE -- "(^| )$opt\$" || extra+="'$opt' "
	done
	ok $((${#extra} != 0)) "man page: every option documented for svatop $cmd exists in its --help" \
		"not in --help: $extra"
	grep -qE "^ +svatop $cmd( |\$)" "$D/synopsis.txt" || [ "$cmd" = top ]
	ok $? "man page: SYNOPSIS shows svatop $cmd"
	grep -qE "^ +([a-z]+, )*$cmd( |,|\$)" "$D/exit.txt"
	ok $? "man page: EXIT STATUS has an entry for $cmd"
done
# replay's views are arguments, not options.
views=$(sed -nE 's/.*FILE \[([a-z|]+)\].*/\1/p' "$D/help.replay" | tr '|' ' ')
missing=
for v in $views; do grep -qw "$v" "$D/sec.replay" || missing+="$v "; done
ok $(( ${#views} == 0 || ${#missing} != 0 )) "man page: the views replay takes ($views) are in its section" "missing: $missing"

# ---- (c) the bash completion ----------------------------------------------
# Complete the words given (the last is the word being typed) in a plain
# bash (no bash-completion package) and print COMPREPLY, one per line.
complete_words() {
	bash --norc --noprofile -c '
		source "$1" || exit 99
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_svatop svatop "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' bash "$COMP" "$@" 2>"$D/comp.err"
}
spec=$(bash --norc --noprofile -c 'source "$1" && complete -p svatop' bash "$COMP" 2>&1)
expect_eq "complete -F _svatop svatop" "$spec" "completion: loads in bash and registers _svatop for svatop"
expect_eq "trace" "$(complete_words svatop tr)" "completion: 'svatop tr<TAB>' completes to trace"
out=$(complete_words svatop trace --j)
expect_eq "--json" "$out" "completion: 'svatop trace --j<TAB>' offers --json"
expect_eq "$(echo $commands)" "$(complete_words svatop '' | grep -vx help | tr '\n' ' ' | sed 's/ $//')" \
	"completion: 'svatop <TAB>' offers every command"
for cmd in $commands; do
	want=$(help_options <"$D/help.$cmd" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
	got=$(complete_words svatop "$cmd" -- | sort -u)
	# --help/--usage may be offered where --help does not print them.
	diff_out=$(diff <(echo "$want" | grep -vx -e --help -e --usage -e '') \
		<(echo "$got" | grep -vx -e --help -e --usage -e '') | grep '^[<>]' | tr '\n' ' ')
	ok $((${#diff_out} != 0)) "completion: 'svatop $cmd --<TAB>' offers exactly the long options of its --help" \
		"< only in --help, > only in the completion: $diff_out"
done
touch "$D/run.rec" "$D/vmlinux.btf"
missing=
for words in "replay $D/ru" "trace --replay $D/ru" "top -r $D/ru" "record -o $D/ru" \
	"record --output $D/ru" "check --junit $D/ru" "check -J $D/ru" "probe --btf $D/vm" \
	"probe --image $D/vm" "probe --symbols $D/vm" "probe --save-btf $D/vm" \
	"exporter --replay $D/ru" "leaks --replay=$D/ru"; do
	# bash splits --opt=value at '=': give the words as bash would.
	set -- ${words/=/ = }
	got=$(complete_words svatop "$@")
	case $got in "$D/run.rec" | "$D/vmlinux.btf") ;; *) missing+="'svatop $words' gave '$got'; " ;; esac
done
ok $((${#missing} != 0)) "completion: file names for --replay, -o, --junit, --btf, --image, --symbols, --save-btf (also --opt=)" \
	"$missing"
expect_eq "pasid pid" "$(complete_words svatop top --sort p | sort | tr '\n' ' ' | sed 's/ $//')" \
	"completion: 'svatop top --sort p<TAB>' offers the sort keys pasid and pid"
expect_eq "x86" "$(complete_words svatop probe --arch x)" "completion: 'svatop probe --arch x<TAB>' offers x86"
expect_eq "graph" "$(complete_words svatop replay "$D/run.rec" gr)" \
	"completion: 'svatop replay FILE gr<TAB>' offers the graph view"
expect_eq "--watch" "$(complete_words svatop replay "$D/run.rec" graph --wa)" \
	"completion: 'svatop replay FILE graph --wa<TAB>' offers graph's --watch"
expect_eq "bash" "$(complete_words svatop check -- bas | grep -x bash)" \
	"completion: 'svatop check -- bas<TAB>' completes the command to run"
expect_eq "" "$(complete_words svatop trace --stack '')" \
	"completion: no value offered after a flag (trace --stack)"
# With the bash-completion package loaded, the command after `--' gets its
# own completion (here svatop's again).
BC=/usr/share/bash-completion/bash_completion
if [ -f $BC ]; then
	got=$(bash --norc --noprofile -c '
		source "$1" && source "$2" || exit 99
		COMP_WORDS=(svatop check -- svatop tr)
		COMP_CWORD=4
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		_svatop svatop tr svatop
		printf "%s\n" "${COMPREPLY[@]}"' bash $BC "$COMP" 2>&1)
	expect_eq "trace" "$got" "completion: with bash-completion, 'svatop check -- svatop tr<TAB>' completes CMD's own arguments"
else
	ok 1 "completion: with bash-completion, the command after -- is completed" "$BC missing (make deps)"
fi

# ---- (d) make install ---------------------------------------------------------
# -o: install what `make` built; the test must not rebuild the tree under
# the feet of whoever is editing it.
I=$D/root
make -s -o .output/svatop install DESTDIR="$I" >"$D/install.log" 2>&1
ok $? "make install DESTDIR=... succeeds" "$(tail -3 "$D/install.log" | tr '\n' ' ')"
P=$I/usr/local
mode() { stat -c %a "$1" 2>/dev/null; }
expect_eq 755 "$(mode "$P/sbin/svatop")" "make install: the binary is in sbin, mode 755"
"$P/sbin/svatop" --version 2>&1 | grep -q '^svatop '
ok $? "make install: the installed binary runs (--version)"
expect_eq 644 "$(mode "$P/share/man/man8/svatop.8")" "make install: the man page is in share/man/man8, mode 644"
cmp -s "$MAN" "$P/share/man/man8/svatop.8"
ok $? "make install: the installed man page is docs/svatop.8"
MANWIDTH=80 man -M "$P/share/man" -P cat svatop 2>/dev/null | grep -q '^SVATOP(8)'
ok $? "make install: man -M PREFIX/share/man svatop finds and renders the page"
C=$P/share/bash-completion/completions/svatop
expect_eq 644 "$(mode "$C")" "make install: the completion is in share/bash-completion/completions, mode 644"
cmp -s "$COMP" "$C"
ok $? "make install: the installed completion is tools/completion/svatop.bash"
bash --norc --noprofile -c 'source "$1" && complete -p svatop' bash "$C" >/dev/null 2>&1
ok $? "make install: the installed completion loads"
# How a shell finds it: bash-completion's loader looks in
# $XDG_DATA_DIRS/bash-completion/completions (/usr/local/share by default).
got=$(XDG_DATA_DIRS=$P/share bash --norc --noprofile -c \
	'source "$1" && __load_completion svatop && complete -p svatop' bash $BC 2>&1)
expect_eq "complete -F _svatop svatop" "$got" "make install: bash-completion's loader finds the installed completion"

exit $((n_fail != 0))
