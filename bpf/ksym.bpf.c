// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses of a few kernel symbols without /proc/kallsyms: a BPF_PROG_TYPE_SYSCALL
 * program, run once by src/source/kaddr.c, asks bpf_kallsyms_lookup_name()
 * (Linux 5.16+) for each name the caller put in the context. Generating and
 * parsing /proc/kallsyms (about 200,000 lines) was the largest part of
 * svatop's start-up; the live source needs two data symbols of it.
 *
 * The helper answers -EPERM where kernel addresses are hidden
 * (kptr_restrict, no CAP_SYSLOG), as /proc/kallsyms would show zeros.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "svatop/ksym.h"

char LICENSE[] SEC("license") = "GPL";

SEC("syscall")
int lookup(struct svatop_ksym_query *q)
{
	char name[SVATOP_KSYM_NAME_MAX];
	int i;

	/* unrolled: a context is read at constant offsets only */
#pragma unroll
	for (i = 0; i < SVATOP_KSYM_MAX; i++) {
		__u32 len = q->sym[i].len;
		__u64 addr = 0;

		if (!len)
			continue;
		if (len < 2 || len > SVATOP_KSYM_NAME_MAX) {
			q->sym[i].err = -22;	/* EINVAL */
			continue;
		}
		__builtin_memcpy(name, q->sym[i].name, sizeof(name));
		name[SVATOP_KSYM_NAME_MAX - 1] = '\0';
		q->sym[i].err = bpf_kallsyms_lookup_name(name, len, 0, &addr);
		q->sym[i].addr = addr;
	}
	return 0;
}
