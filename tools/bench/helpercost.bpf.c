// SPDX-License-Identifier: GPL-2.0
/*
 * What each building block of an svatop hook costs on this kernel (make
 * bench, "Per-operation cost"): one fentry program per operation, each
 * doing it REPS times, on the kernel's BPF test function, which the driver
 * (helpercost.c) runs in a loop (BPF_PROG_TEST_RUN). The cost of one
 * operation is (program - empty program) / REPS, from the kernel's own
 * run-time accounting (BPF_ENABLE_STATS).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define REPS	8

const volatile __u32 target_tgid;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);
	__type(value, u64);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(u32));
	__uint(value_size, 16 * sizeof(u64));
} stacks SEC(".maps");

/* Results go here so the compiler keeps every operation. */
__u64 sink;

/* Only the driver's own calls count: one load, no helper. */
#define MINE()	(bpf_get_current_task_btf()->tgid == target_tgid)

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(op_empty)
{
	if (!MINE())
		return 0;
	return 0;
}

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(op_ktime)
{
	u64 s = 0;

	if (!MINE())
		return 0;
#pragma unroll
	for (int i = 0; i < REPS; i++)
		s += bpf_ktime_get_ns();
	sink = s;
	return 0;
}

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(op_pid_tgid)
{
	u64 s = 0;

	if (!MINE())
		return 0;
#pragma unroll
	for (int i = 0; i < REPS; i++)
		s += bpf_get_current_pid_tgid();
	sink = s;
	return 0;
}

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(op_comm)
{
	char c[16];
	u64 s = 0;

	if (!MINE())
		return 0;
#pragma unroll
	for (int i = 0; i < REPS; i++) {
		bpf_get_current_comm(c, sizeof(c));
		s += c[i];
	}
	sink = s;
	return 0;
}

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(op_btf_load)
{
	struct task_struct *t = bpf_get_current_task_btf();
	u64 s = 0;

	if (t->tgid != target_tgid)
		return 0;
#pragma unroll
	for (int i = 0; i < REPS; i++) {
		s += t->mm ? t->mm->total_vm : 0;
		barrier_var(t);
	}
	sink = s;
	return 0;
}

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(op_probe_read)
{
	struct task_struct *t = bpf_get_current_task_btf();
	u64 s = 0, v;

	if (t->tgid != target_tgid)
		return 0;
#pragma unroll
	for (int i = 0; i < REPS; i++) {
		bpf_probe_read_kernel(&v, sizeof(v), &t->mm);
		s += v;
	}
	sink = s;
	return 0;
}

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(op_percpu_lookup)
{
	u32 k = 0;
	u64 *v;

	if (!MINE())
		return 0;
#pragma unroll
	for (int i = 0; i < REPS; i++) {
		v = bpf_map_lookup_elem(&pcpu, &k);
		if (v)
			*v += 1;
	}
	return 0;
}

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(op_hash_lookup)
{
	u64 k = 1, *v;

	if (!MINE())
		return 0;
#pragma unroll
	for (int i = 0; i < REPS; i++) {
		v = bpf_map_lookup_elem(&hash, &k);
		if (v)
			sink += *v;
	}
	return 0;
}

/* One update and one delete of a key that is not there: counted as two. */
SEC("fentry/bpf_fentry_test1")
int BPF_PROG(op_hash_upd_del)
{
	u64 k = 2, v = 3;

	if (!MINE())
		return 0;
#pragma unroll
	for (int i = 0; i < REPS / 2; i++) {
		bpf_map_update_elem(&hash, &k, &v, BPF_ANY);
		bpf_map_delete_elem(&hash, &k);
	}
	return 0;
}

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(op_rb_query)
{
	u64 s = 0;

	if (!MINE())
		return 0;
#pragma unroll
	for (int i = 0; i < REPS; i++)
		s += bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
	sink = s;
	return 0;
}

/* A 96-byte record reserved, its first words written, submitted without
 * a wakeup: what svatop's ev_new()/ev_submit() do around the fields. */
SEC("fentry/bpf_fentry_test1")
int BPF_PROG(op_rb_reserve_submit)
{
	u64 *r;

	if (!MINE())
		return 0;
#pragma unroll
	for (int i = 0; i < REPS; i++) {
		r = bpf_ringbuf_reserve(&rb, 96, 0);
		if (!r)
			continue;
		r[0] = i;
		bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	}
	return 0;
}

/* The same record copied from the stack (bpftrace's printf). */
SEC("fentry/bpf_fentry_test1")
int BPF_PROG(op_rb_output)
{
	u64 r[12] = {};

	if (!MINE())
		return 0;
#pragma unroll
	for (int i = 0; i < REPS; i++) {
		r[0] = i;
		bpf_ringbuf_output(&rb, r, sizeof(r), BPF_RB_NO_WAKEUP);
	}
	return 0;
}

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(op_stackid)
{
	u64 s = 0;

	if (!MINE())
		return 0;
#pragma unroll
	for (int i = 0; i < REPS; i++)
		s += bpf_get_stackid(ctx, &stacks, 0);
	sink = s;
	return 0;
}
