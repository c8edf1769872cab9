# Guest side of the lab tests (busybox sh), prepended to each guest script.
set -u

# svatop_start NAME ARGS...: run svatop ARGS in the background, stdout in
# /out/NAME.out, stderr in /out/NAME.err; return once it is tracing.
svatop_start() {
	_name=$1
	shift
	svatop "$@" >/out/$_name.out 2>/out/$_name.err &
	SVATOP_PID=$!
	_i=0
	while ! grep -q '^svatop: \(tracing\|recording\|watching\)' /out/$_name.err 2>/dev/null; do
		if ! kill -0 $SVATOP_PID 2>/dev/null; then
			echo "svatop $* exited before tracing:"
			cat /out/$_name.err
			return 1
		fi
		_i=$((_i + 1))
		if [ $_i -gt 1200 ]; then
			echo "svatop $* did not start in 120 s"
			return 1
		fi
		sleep 0.1
	done
}

# svatop_stop: end the svatop started last (SIGINT), record its status.
svatop_stop() {
	kill -INT $SVATOP_PID
	wait $SVATOP_PID
	echo $? >/out/$_name.status
}

# settle: let deferred mm teardown (another task's mmdrop) happen.
settle() {
	sleep "${1:-1}"
}
