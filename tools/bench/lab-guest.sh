# Guest half of the lab benchmark (busybox sh), composed by tools/bench/lab
# with a payload (bpftrace of the lab kernel's release with its libraries,
# labbench, sva.bt) appended after the 'exit' below. Results go to
# /out/results as "BENCHLAB key value" lines.
set -u
tail -c +@OFFSET@ /lab/script | tar -x -C / || { echo "payload extraction failed"; exit 1; }
PATH=/lab/bench:$PATH
BPFTRACE="/lab/bt/lib/ld-linux-x86-64.so.2 --library-path /lab/bt/lib /lab/bt/bin/bpftrace"
PROCS=@PROCS@
CYCLES=@CYCLES@
REPS=@REPS@
STORM="quiet; spawn $PROCS; repeat $CYCLES; bind svamock-dev.0; unbind svamock-dev.0; end; end; wait"
# The host-tax storms: TAX_BATCHES x 20 short-lived processes that never
# touch SVA (fork/exit, fork/exec/exit), the tax every process on a host
# pays to the hooks that fire for all of them.
TAX_BATCHES=@TAX_BATCHES@
TAX_PROCS=$((TAX_BATCHES * 20))
# They run on vCPU 0 only: QEMU's single TCG thread then runs the other
# vCPU only when something wakes there, so a BPF program's run time (entry
# to exit, kernel.bpf_stats_enabled) is its own and not the other vCPU's
# work it was interleaved with (both storms on both vCPUs gave the same
# program 1x-9x of the floor from run to run).
TAX_FORK="cpu 0; quiet; repeat $TAX_BATCHES; spawn 20; exit 0; end; wait; end"
TAX_EXEC="cpu 0; quiet; repeat $TAX_BATCHES; spawn 20; exec /bin/true; end; wait; end"
# One batch of each, for tax_batches below.
TAX_FORK1="cpu 0; quiet; spawn 20; exit 0; end; wait"
TAX_EXEC1="cpu 0; quiet; spawn 20; exec /bin/true; end; wait"
# Configurations, interleaved in each repetition: svatop-old is the binary
# of the commit before this benchmark's changes (tools/bench/lab stages it
# when asked), for before/after in the same boot.
CONFIGS="@CONFIGS@"
[ -n "$CONFIGS" ] ||
	CONFIGS="none floor trace top top-stream exporter leaks leaks-stream record bpftrace trace-old top-old record-old"
[ -x /lab/bench/svatop-old ] || CONFIGS=$(echo $CONFIGS | tr ' ' '\n' | grep -v -- '-old$' | tr '\n' ' ')
# The lab's static svatop has no exporter (no static libmicrohttpd build):
# the dynamic one the lab ships with --dynamic (svatop-dyn) serves it
EXPORTER=svatop
svatop exporter --help >/dev/null 2>&1 || EXPORTER=svatop-dyn
$EXPORTER exporter --help >/dev/null 2>&1 ||
	CONFIGS=$(echo $CONFIGS | tr ' ' '\n' | grep -vx exporter | tr '\n' ' ')
STARTUP_REPS=@STARTUP_REPS@
R=/out/results
: >$R
say() { echo "BENCHLAB $*" >>$R; echo "BENCHLAB $*"; }

# wait_for FILE PATTERN PID: until FILE has a line matching PATTERN
wait_for() {
	_i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		kill -0 $3 2>/dev/null || { echo "tracer exited before ready:"; cat "$1"; return 1; }
		_i=$((_i + 1))
		[ $_i -gt 3000 ] && { echo "tracer not ready in 300 s"; return 1; }
		sleep 0.1
	done
}

settle() { sleep 2; }

# tracer_start CONFIG TAG: start CONFIG's consumer, return once attached
tracer_start() {
	S=svatop
	case $1 in
	*-old) S=/lab/bench/svatop-old ;;
	esac
	case $1 in
	none) P= ;;
	trace|trace-old)
		$S trace >/out/$2.txt 2>/out/$2.err &
		P=$!
		wait_for /out/$2.err '^svatop: tracing' $P ;;
	top|top-old)
		$S top -b >/out/$2.txt 2>/out/$2.err &
		P=$!
		wait_for /out/$2.err '^svatop: watching' $P ;;
	top-stream)
		# the same top with every event streamed (the path before state mode)
		$S top -b --stream >/out/$2.txt 2>/out/$2.err &
		P=$!
		wait_for /out/$2.err '^svatop: watching' $P ;;
	exporter)
		ip link set lo up
		$EXPORTER exporter -l 127.0.0.1:9477 >/out/$2.txt 2>/out/$2.err &
		P=$!
		wait_for /out/$2.err 'serving http' $P ;;
	leaks)
		$S leaks >/out/$2.txt 2>/out/$2.err &
		P=$!
		wait_for /out/$2.err '^svatop: watching' $P ;;
	leaks-stream)
		# leaks with every event streamed and judged in order (the path
		# before the rules moved to the hooks)
		$S leaks --stream >/out/$2.txt 2>/out/$2.err &
		P=$!
		wait_for /out/$2.err '^svatop: watching' $P ;;
	record|record-old)
		$S record -o /out/$2.rec 2>/out/$2.err &
		P=$!
		wait_for /out/$2.err '^svatop: recording' $P ;;
	floor)
		$BPFTRACE /lab/bench/floor.bt >/out/$2.txt 2>/out/$2.err &
		P=$!
		wait_for /out/$2.txt '^READY' $P ;;
	bpftrace)
		$BPFTRACE /lab/bench/sva.bt >/out/$2.txt 2>/out/$2.err &
		P=$!
		wait_for /out/$2.txt '^READY' $P ;;
	esac
}

# rss_kb PID / memlock_kb PID: the consumer's resident memory, and what the
# kernel charges for the BPF maps and programs it holds (fdinfo memlock)
rss_kb() {
	[ -n "$1" ] && sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$1/status 2>/dev/null || echo 0
}
memlock_kb() {
	[ -n "$1" ] || { echo 0; return; }
	cat /proc/$1/fdinfo/* 2>/dev/null | awk '$1 == "memlock:" { s += $2 } END { print int(s / 1024) }'
}

# prog_deltas TAG: each BPF program that ran between /tmp/bpfstat0 and
# /tmp/bpfstat1 (labbench bpfstat), as "BENCHLAB TAG.prog.NAME.ID time runs
# skipped": run time (ns), runs and calls the kernel skipped (recursion misses)
prog_deltas() {
	awk -v tag=$1 'NR == FNR { t[$1] = $3; c[$1] = $4; m[$1] = $5; next }
		($1 in t) && $4 > c[$1] {
			printf "BENCHLAB %s.prog.%s.%s %d %d %d\n", tag, $2, $1, $3 - t[$1], $4 - c[$1], $5 - m[$1] }' \
		/tmp/bpfstat0 /tmp/bpfstat1
}

# tax_storm TAG NAME SCRIPT: a host-tax storm under the running consumer
tax_storm() {
	b0=$(bpf_time "$P")
	labbench bpfstat >/tmp/bpfstat0
	t=$(labbench time svaload -e "$3" | grep '^elapsed_s')
	say $1.$2 $t
	set -- $1 $2 $b0 $(bpf_time "$P")
	say $1.$2.bpf_run_ns $(($5 - $3))
	say $1.$2.bpf_runs $(($6 - $4))
	labbench bpfstat >/tmp/bpfstat1
	prog_deltas $1.$2 >>$R
}

# tax_batches TAG NAME SCRIPT: the storm again, one svaload run per batch of
# 20, each batch's BPF time apart ("TAG.NAME.bpf_batch_ns T1 T2 ..."). A run
# preempted inside a program counts the other task's time as the program's
# (fentry programs run preemptible), and one such run can outweigh a storm's
# worth of others; the median batch leaves it out. Not timed: the extra
# svaload per batch would change the storm's elapsed time.
tax_batches() {
	_b=1
	_list=
	while [ $_b -le $TAX_BATCHES ]; do
		_t0=$(bpf_time "$P")
		svaload -e "$3" >/dev/null 2>&1
		_t1=$(bpf_time "$P")
		_list="$_list $(( ${_t1% *} - ${_t0% *} ))"
		_b=$((_b + 1))
	done
	say $1.$2.bpf_batch_ns$_list
}

# cpu_ticks PID: user+system clock ticks (1/100 s) the process has used
cpu_ticks() {
	[ -n "$1" ] && [ -r /proc/$1/stat ] || { echo 0; return; }
	sed 's/.*) //' /proc/$1/stat | awk '{ print $12 + $13 }'
}

# bpf_time PID: "RUN_TIME_NS RUN_CNT" summed over the BPF programs PID holds
# (fdinfo; kernel.bpf_stats_enabled is on for every configuration)
bpf_time() {
	[ -n "$1" ] || { echo "0 0"; return; }
	cat /proc/$1/fdinfo/* 2>/dev/null |
		awk '$1 == "run_time_ns:" { t += $2 } $1 == "run_cnt:" { c += $2 } END { print t + 0, c + 0 }'
}

# tracer_stop: SIGINT, wait for it; its exit status in RC ('' for none)
tracer_stop() {
	RC=
	[ -n "$P" ] || return 0
	kill -INT $P
	wait $P
	RC=$?
}

# events by type in a text trace (svatop: EVENT is column 4; bpftrace: 5)
count_events() {
	awk -v col=$2 '$col ~ /^[a-z-]+$/ { c[$col]++ } END { for (k in c) print k, c[k] }' "$1"
}

# ---- overhead: the storm under each consumer, interleaved --------------
uname -r | sed 's/^/BENCHLAB kernel /' >>$R
say storm.procs $PROCS
say storm.cycles_per_proc $CYCLES
say vcpus $(nproc)
say tax.procs $TAX_PROCS
say reps $REPS
echo 1 >/proc/sys/kernel/bpf_stats_enabled	# per-program run time, all configurations
svaload -e "$STORM" >/dev/null 2>&1	# warm-up: caches, slab
settle
rep=1
while [ $rep -le $REPS ]; do
	for cfg in $CONFIGS; do
		tag=$cfg.$rep
		tracer_start $cfg $tag || { say $tag.error start; continue; }
		c0=$(cpu_ticks "$P")
		b0=$(bpf_time "$P")
		labbench bpfstat >/tmp/bpfstat0
		read up0 idle0 </proc/uptime
		t=$(labbench time svaload -e "$STORM" | grep '^elapsed_s')
		read up1 idle1 </proc/uptime
		say $tag.storm $t
		say $tag.consumer_cpu_s $(awk -v a=$c0 -v b=$(cpu_ticks "$P") 'BEGIN { printf "%.2f", (b - a) / 100 }')
		say $tag.idle_s $(awk -v a=$idle0 -v b=$idle1 'BEGIN { printf "%.2f", b - a }')
		set -- $b0 $(bpf_time "$P")
		say $tag.bpf_run_s $(awk -v a=$1 -v b=$3 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		say $tag.bpf_runs $(($4 - $2))
		# per program (svatop's names are its hooks; bpftrace's are cut
		# to 15 characters, so its programs are told apart by id)
		labbench bpfstat >/tmp/bpfstat1
		prog_deltas $tag | tee -a $R
		say $tag.rss_kb $(rss_kb "$P")
		say $tag.bpf_memlock_kb $(memlock_kb "$P")
		settle
		tax_storm $tag tax_fork "$TAX_FORK"
		tax_storm $tag tax_exec "$TAX_EXEC"
		tax_batches $tag tax_fork "$TAX_FORK1"
		tax_batches $tag tax_exec "$TAX_EXEC1"
		settle
		tracer_stop
		[ -n "$RC" ] && say $tag.tracer_status $RC
		case $cfg in
		trace|trace-old)
			count_events /out/$tag.txt 4 | sed "s/^/$tag.count./" | while read k v; do say $k $v; done
			sed -n 's/^svatop: \([0-9]*\) events shown, \([0-9]*\) received, \([0-9]*\) lost.*/\1 \2 \3/p' \
				/out/$tag.err | { read s r l; say $tag.shown $s; say $tag.received $r; say $tag.lost $l; }
			say $tag.skipped $(sed -n 's/.*, \([0-9]*\) calls the kernel skipped.*/\1/p' /out/$tag.err) ;;
		bpftrace)
			count_events /out/$tag.txt 5 | sed "s/^/$tag.count./" | while read k v; do say $k $v; done
			say $tag.lost $(cat /out/$tag.txt /out/$tag.err | sed -n 's/.*Lost \([0-9]*\) events.*/\1/p' | awk '{s+=$1} END {print s+0}') ;;
		record|record-old)
			sed -n 's/^svatop: recorded \([0-9]*\) events.*, \([0-9]*\) lost.*/\1 \2/p' /out/$tag.err |
				{ read r l; say $tag.received $r; say $tag.lost $l; }
			say $tag.skipped $(sed -n 's/.*, \([0-9]*\) calls the kernel skipped.*/\1/p' /out/$tag.err)
			rm -f /out/$tag.rec ;;
		esac
		rm -f /out/$tag.txt
		settle
	done
	rep=$((rep + 1))
done

# ---- IOPF: a fault storm under svatop and under bpftrace ----------------
# 4 threads write a 480-page buffer, discard it, three times: 1,440 page
# requests through the kernel's IOPF path. svatop top -b (its lifecycle
# hooks and its IOPF accounting, kprobes, in-kernel maps) against iopf.bt
# (the same counting with the same kprobes, maps printed at exit).
IOPF_STORM="quiet; bind svamock-dev.0; buffer b 480; repeat 3; touch svamock-dev.0 b write threads=4; discard b; end; unbind svamock-dev.0"
say iopf.requests_per_storm 1440
svaload -e "$IOPF_STORM" >/dev/null 2>&1	# warm-up
settle
rep=1
while [ $rep -le $REPS ]; do
	for cfg in none top bpftrace; do
		tag=iopf.$cfg.$rep
		case $cfg in
		bpftrace)
			$BPFTRACE /lab/bench/iopf.bt >/out/$tag.txt 2>/out/$tag.err &
			P=$!
			wait_for /out/$tag.txt '^READY' $P || { say $tag.error start; continue; } ;;
		*)
			tracer_start $cfg $tag || { say $tag.error start; continue; } ;;
		esac
		c0=$(cpu_ticks "$P")
		b0=$(bpf_time "$P")
		r0=$(awk 'NR > 1 && $1 == "svamock-dev.0" { print $4 }' /sys/kernel/debug/svamock/iopf)
		t=$(labbench time svaload -e "$IOPF_STORM" | grep '^elapsed_s')
		say $tag.storm $t
		say $tag.requests $(($(awk 'NR > 1 && $1 == "svamock-dev.0" { print $4 }' /sys/kernel/debug/svamock/iopf) - r0))
		say $tag.consumer_cpu_s $(awk -v a=$c0 -v b=$(cpu_ticks "$P") 'BEGIN { printf "%.2f", (b - a) / 100 }')
		set -- $b0 $(bpf_time "$P")
		say $tag.bpf_run_s $(awk -v a=$1 -v b=$3 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		say $tag.bpf_runs $(($4 - $2))
		settle
		tracer_stop
		[ -n "$RC" ] && say $tag.tracer_status $RC
		[ $cfg = bpftrace ] && say $tag.counted \
			$(sed -n 's/^@reports\[.*\]: \([0-9]*\)$/\1/p' /out/$tag.txt | awk '{ s += $1 } END { print s + 0 }')
		rm -f /out/$tag.txt
		settle
	done
	rep=$((rep + 1))
done

# ---- startup: launch to first event, with binds going on ---------------
# stop_hard PID: SIGINT, and SIGKILL if it is not gone within 60 s
stop_hard() {
	kill -INT $1 2>/dev/null
	( sleep 60; kill -KILL $1 2>/dev/null ) &
	_w=$!
	wait $1 2>/dev/null
	kill $_w 2>/dev/null
}
rep=1
while [ $rep -le $STARTUP_REPS ]; do
	for cfg in svatop bpftrace; do
		case $cfg in
		svatop) set -- svatop trace ;;
		bpftrace) set -- $BPFTRACE /lab/bench/sva.bt ;;
		esac
		svaload -e "quiet; repeat 1000000; bind svamock-dev.0; unbind svamock-dev.0; end" >/dev/null 2>&1 &
		W=$!
		sleep 1
		labbench first ' bind ' /out/startup.$cfg.$rep.txt "$@" >/out/startup.$cfg.$rep 2>/out/startup.$cfg.$rep.err &
		L=$!
		_i=0
		while ! grep -q first_s /out/startup.$cfg.$rep 2>/dev/null && [ $_i -lt 1200 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		kill -0 $W 2>/dev/null || say startup.$cfg.$rep.error "the bind loop had ended"
		stop_hard $L
		stop_hard $W
		say startup.$cfg.$rep $(cat /out/startup.$cfg.$rep)
		rm -f /out/startup.$cfg.$rep.txt
		sleep 1
	done
	rep=$((rep + 1))
done

# What each building block of a hook costs on this kernel, warm and after
# a switch of address space (tools/bench/helpercost.c); no tracer runs.
helpercost -n 8000 -r "$REPS" >/out/helpercost 2>/out/helpercost.err ||
	say helpercost.error "$(tail -1 /out/helpercost.err)"
while read -r _tag _op _rest; do
	[ "$_tag" = HELPERCOST ] && say helpercost.$_op $_rest
done </out/helpercost
exit 0
