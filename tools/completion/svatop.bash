# SPDX-License-Identifier: GPL-2.0
# bash completion for svatop(8). Installed by `make install` into
# share/bash-completion/completions/svatop; works with or without the
# bash-completion package. tests/host/docs.sh checks that every long option
# `svatop CMD --help' prints is offered here, and nothing else.

_svatop_commands='top probe trace graph leaks check record replay exporter pasid'

# Options of each command; NAME=KIND for options that take a value, KIND
# being file, pid, device, sort, arch or value (no completion).
_svatop_spec()
{
	case $1 in
	top)
		echo '-b --batch -d=device --device=device -g=value --grace=value
		      --iotlb -j --json -p=pid --pid=pid -r=file --replay=file -R --reverse
		      -s=sort --sort=sort --stream -v --verbose --help --usage' ;;
	probe)
		echo '-j --json -v --verbose -h --help --btf=file --image=file
		      --symbols=file --arch=arch --save-btf=file --force' ;;
	trace)
		echo '-d=device --device=device -D=value --duration=value -j --json
		      -k --kprobe -p=pid --pid=pid -r=file --replay=file -s --stack
		      -S --no-snapshot -v --verbose --help --usage' ;;
	graph)
		echo '-d=device --device=device -D --dot -i=value --interval=value
		      --iotlb -j --json -p=pid --pid=pid -r=file --replay=file
		      -s=value --settle=value -v --verbose -w --watch --help --usage' ;;
	leaks)
		echo '-g=value --grace=value -j --json -p=pid --pid=pid -r=file
		      --replay=file --stream -v --verbose --help --usage' ;;
	check)
		echo '-g=value --grace=value -j --json -J=file --junit=file -f --force
		      -s --stack --stream -u=user --user=user -t=value --timeout=value -v --verbose --help --usage' ;;
	record)
		echo '-D=value --duration=value -g=value --grace=value -k --kprobe
		      -o=file --output=file -f --force -p=pid --pid=pid -v --verbose
		      --help --usage' ;;
	replay)
		echo '-h --help' ;;
	exporter)
		echo '-c=value --max-connections=value -g=value --grace=value
		      -i=value --interval=value --iotlb -l=value --listen=value -P --per-process
		      -p=pid --pid=pid
		      -r=file --replay=file --stream -t=value --timeout=value -v --verbose
		      --help --usage' ;;
	pasid)
		echo '-g=value --grace=value -j --json -r=file --replay=file
		      -s=value --settle=value -v --verbose --help --usage' ;;
	esac
}

# The long options of a command (without --replay when replaying).
_svatop_long_opts()
{
	local w out=
	for w in $(_svatop_spec "$1"); do
		w=${w%%=*}
		[[ $w == --* ]] || continue
		[[ -n $2 && $w == --replay ]] && continue
		out+="$w "
	done
	echo "$out"
}

# The kind of value option $2 of command $1 takes, or nothing for a flag.
_svatop_value_kind()
{
	local w
	for w in $(_svatop_spec "$1"); do
		if [[ $w == *=* && ${w%%=*} == "$2" ]]; then
			echo "${w#*=}"
			return
		fi
	done
}

_svatop_complete_value()
{
	local kind=$1 cur=$2 d names=
	case $kind in
	file)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	pid)
		COMPREPLY=($(compgen -W "$(cd /proc 2>/dev/null && printf '%s ' [0-9]*)" -- "$cur")) ;;
	device)
		# Devices behind an IOMMU: the only ones that can bind.
		for d in /sys/kernel/iommu_groups/*/devices/*; do
			[[ -e $d ]] && names+="${d##*/} "
		done
		COMPREPLY=($(compgen -W "$names" -- "$cur")) ;;
	sort)
		COMPREPLY=($(compgen -W 'pid comm pasid domains devices binds unbinds errors age' -- "$cur")) ;;
	arch)
		COMPREPLY=($(compgen -W 'x86 arm64' -- "$cur")) ;;
	user)
		COMPREPLY=($(compgen -u -- "$cur")) ;;
	*)
		COMPREPLY=() ;;
	esac
}

# Complete the command line after `--' (check, record): a command, then
# its own arguments.
_svatop_complete_cmd()
{
	local at=$1 cur=$2
	if ((COMP_CWORD == at)); then
		COMPREPLY=($(compgen -c -- "$cur" | sort -u))
	elif declare -F _command_offset >/dev/null; then
		_command_offset "$at"
	else
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}

_svatop()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd=top first=1 i w kind
	local replay= view=
	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# bash splits `--opt=value' at '=' (COMP_WORDBREAKS): "--opt" "=" "value".
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi

	if ((COMP_CWORD == 1)); then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_svatop_long_opts top) --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_svatop_commands help" -- "$cur"))
		fi
		return 0
	fi
	w=${COMP_WORDS[1]}
	if [[ " $_svatop_commands " == *" $w "* ]]; then
		cmd=$w
		first=2
	fi

	# check/record: everything after `--' is the command to run.
	if [[ $cmd == check || $cmd == record ]]; then
		for ((i = first; i < COMP_CWORD; i++)); do
			if [[ ${COMP_WORDS[i]} == -- ]]; then
				_svatop_complete_cmd $((i + 1)) "$cur"
				return 0
			fi
		done
	fi

	# replay FILE [VIEW] [VIEW OPTIONS]
	if [[ $cmd == replay ]]; then
		if ((COMP_CWORD == first)); then
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "$(_svatop_long_opts replay)" -- "$cur"))
			else
				_svatop_complete_value file "$cur"
			fi
			return 0
		fi
		replay=1
		view=trace
		w=${COMP_WORDS[first + 1]}
		if ((COMP_CWORD == first + 1)) && [[ $cur != -* ]]; then
			COMPREPLY=($(compgen -W 'trace graph leaks top' -- "$cur"))
			return 0
		fi
		[[ $w == trace || $w == graph || $w == leaks || $w == top ]] && view=$w
		cmd=$view
	fi

	if [[ -n $prev ]]; then
		kind=$(_svatop_value_kind "$cmd" "$prev")
		if [[ -n $kind ]]; then
			_svatop_complete_value "$kind" "$cur"
			return 0
		fi
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_svatop_long_opts "$cmd" "$replay")" -- "$cur"))
	fi
	return 0
}

complete -F _svatop svatop
