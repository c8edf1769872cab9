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

#endif
