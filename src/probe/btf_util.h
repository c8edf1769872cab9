/* SPDX-License-Identifier: GPL-2.0 */
/* BTF helpers for kernel facts (kernel.c). */
#ifndef SVATOP_PROBE_BTF_UTIL_H
#define SVATOP_PROBE_BTF_UTIL_H

#include <stddef.h>
#include <linux/types.h>

struct btf;
struct btf_type;

/*
 * libbpf (1.1) checks the layout of a BTF blob but not what its types
 * refer to; a damaged file could make lookups walk off the table. Returns
 * 0 when every name offset and type reference is in range, else -EINVAL
 * with the first bad type id in *bad_id.
 */
int btf_validate(const struct btf *btf, __u32 *bad_id);

/* "RET NAME(PARAMS)" for a FUNC_PROTO, appended to buf (which must hold a
 * string); depth-limited, so reference loops print "?" instead of looping. */
void btf_func_decl(const struct btf *btf, const struct btf_type *proto,
		   const char *name, char *buf, size_t len);

#endif
