/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text of an error from libbpf: it returns -errno, or one of its own
 * codes (LIBBPF_ERRNO__*, 4000 and up), for which strerror() only says
 * "Unknown error 4001". libbpf_strerror() knows both.
 */
#ifndef SVATOP_SOURCE_BPF_ERR_H
#define SVATOP_SOURCE_BPF_ERR_H

#include <stdio.h>
#include <stdlib.h>
#include <bpf/libbpf.h>

#define BPF_ERRSTR(err) \
	bpf_errstr((err), (char[128]){ 0 }, 128)

static inline const char *bpf_errstr(int err, char *buf, size_t len)
{
	if (libbpf_strerror(abs(err), buf, len) < 0 && !buf[0])
		snprintf(buf, len, "error %d", abs(err));
	return buf;
}

/*
 * With -v: what the verifier walked for each loaded program of obj (its
 * verified_insns, Linux 5.16+), the largest part of svatop's load time.
 * Defined in live.c; iopf.c reports its object the same way.
 */
void bpf_report_verified(struct bpf_object *obj, const char *what);

#endif
