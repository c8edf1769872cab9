# Guest side of the kernel tests (busybox sh), after tests/lab/lib/guest.sh
# and before the scenario: our iommu_sva tracepoints through tracefs.
T=/sys/kernel/tracing

# trace_on EVENT...: record these iommu_sva events in the trace buffer.
trace_on() {
	for _e in "$@"; do
		echo 1 >$T/events/iommu_sva/$_e/enable || return 1
	done
}

# wait_events EVENT N [SECONDS]: until the trace holds EVENT N times
# (default 20 s). An exited task's mm can wait as a CPU's lazy mm until a
# user task runs on that CPU, so each round runs one on every CPU.
wait_events() {
	_n=$(( ${3:-20} * 10 ))
	while [ "$(grep -c " $1: " $T/trace)" -lt "$2" ]; do
		_n=$((_n - 1))
		if [ $_n -le 0 ]; then
			echo "$1: $(grep -c " $1: " $T/trace) in the trace, not $2, after ${3:-20} s"
			return 1
		fi
		for _c in $(seq 0 $(($(nproc) - 1))); do
			taskset -c "$_c" true
		done
		sleep 0.1
	done
}

# kernel_quiet [SECONDS]: until the kernel log has not grown for 2 s (at
# most SECONDS, default 60), so that a report still being printed is whole
# before the guest powers off. boot() ends every scenario with it.
kernel_quiet() {
	_last=-1 _same=0 _n=$(( ${1:-60} * 2 ))
	while [ $_n -gt 0 ]; do
		_len=$(dmesg | wc -c)
		if [ "$_len" = "$_last" ]; then
			_same=$((_same + 1))
			[ $_same -lt 4 ] || return 0
		else
			_same=0
			_last=$_len
		fi
		_n=$((_n - 1))
		sleep 0.5
	done
	return 1
}
