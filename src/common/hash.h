/* SPDX-License-Identifier: GPL-2.0 */
/* FNV-1a over NUL-terminated strings: the name indexes (kallsyms, BTF) and
 * the exporter's label sets. Not for anything an attacker picks to collide. */
#ifndef SVATOP_HASH_H
#define SVATOP_HASH_H

#include <stdint.h>

#define STR_HASH_INIT	0xcbf29ce484222325ULL
#define STR_HASH_PRIME	0x100000001b3ULL

/* h with the bytes of s mixed in (start from STR_HASH_INIT) */
static inline uint64_t str_hash_more(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * STR_HASH_PRIME;
	return h;
}

static inline uint64_t str_hash(const char *s)
{
	return str_hash_more(STR_HASH_INIT, s);
}

#endif
