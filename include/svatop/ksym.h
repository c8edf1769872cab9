/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The context of bpf/ksym.bpf.c's lookup program (a BPF_PROG_TYPE_SYSCALL
 * program run with BPF_PROG_TEST_RUN): names in, addresses out.
 */
#ifndef SVATOP_KSYM_H
#define SVATOP_KSYM_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SVATOP_KSYM_MAX		4
#define SVATOP_KSYM_NAME_MAX	64

struct svatop_ksym_query {
	struct {
		char name[SVATOP_KSYM_NAME_MAX];
		__u32 len;	/* strlen(name) + 1; 0: an unused slot */
		__s32 err;	/* the helper's answer: 0, -ENOENT, -EPERM */
		__u64 addr;	/* 0: not found */
	} sym[SVATOP_KSYM_MAX];
};

#endif
