/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SVATOP_SOURCE_KADDR_H
#define SVATOP_SOURCE_KADDR_H

#include <stdint.h>

/*
 * The addresses of up to SVATOP_KSYM_MAX kernel symbols (vmlinux or a
 * module) without reading /proc/kallsyms: bpf/ksym.bpf.c asks
 * bpf_kallsyms_lookup_name(). addrs[i] is 0 for a name the kernel does not
 * have. Returns 0, or a negative errno when the kernel cannot answer (before
 * 5.16, no privilege, hidden addresses): the caller reads /proc/kallsyms.
 */
int kernel_symbol_addrs(const char *const *names, uint64_t *addrs, int n);

#endif
