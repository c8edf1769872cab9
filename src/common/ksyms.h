/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel symbols from a kallsyms-format file (/proc/kallsyms, System.map). */
#ifndef SVATOP_KSYMS_H
#define SVATOP_KSYMS_H

#include <stddef.h>
#include <stdint.h>

struct ksym {
	uint64_t addr;
	char type;
	const char *name;
};

struct ksyms;

/* Returns NULL and sets errno on failure. */
struct ksyms *ksyms_load(const char *path);
void ksyms_free(struct ksyms *ks);
/* The symbol containing addr (greatest address <= addr), or NULL. */
const struct ksym *ksyms_lookup(const struct ksyms *ks, uint64_t addr);
/* A symbol by name (first match), or NULL. */
const struct ksym *ksyms_find(const struct ksyms *ks, const char *name);
/* Distance to the next higher symbol address: an upper bound of the size. */
uint64_t ksyms_size(const struct ksyms *ks, const struct ksym *sym);
/* True when every address is 0 (kallsyms read without privileges). */
int ksyms_all_zero(const struct ksyms *ks);

#endif
