/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel symbols from a kallsyms-format file (/proc/kallsyms, System.map):
 * lookup by address (stack symbolization) and by name (svatop probe).
 */
#ifndef SVATOP_KSYMS_H
#define SVATOP_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ksym {
	uint64_t addr;
	char type;
	const char *name;
};

struct ksyms;

/* Read and check path: it must be mostly "ADDR TYPE NAME" lines and hold
 * more than a stub's handful of symbols. Returns 0 or -errno with one line
 * naming the problem in err. */
int ksyms_open(struct ksyms **out, const char *path, char *err, size_t errlen);
void ksyms_free(struct ksyms *ks);
size_t ksyms_count(const struct ksyms *ks);
/* The i-th symbol in address order. */
const struct ksym *ksyms_at(const struct ksyms *ks, size_t i);
/* The symbol containing addr (greatest address <= addr), or NULL. */
const struct ksym *ksyms_lookup(const struct ksyms *ks, uint64_t addr);
/* A symbol by name (a text symbol when several share it), or NULL. */
const struct ksym *ksyms_find(const struct ksyms *ks, const char *name);
/* Distance to the next higher symbol address: an upper bound of the size
 * (0 for the last symbol or an address of 0). */
uint64_t ksyms_size(const struct ksyms *ks, const struct ksym *sym);
/* True when every address is 0 (kallsyms read without privileges). */
bool ksyms_all_zero(const struct ksyms *ks);
/* True when the first address in the kallsyms-format file at path is 0, or
 * the file cannot be read: kernel addresses are hidden (no CAP_SYSLOG, or
 * kptr_restrict). Reads one line, not the whole table. */
bool ksyms_addresses_hidden(const char *path);
/* Function code: T, t, W or w. */
bool ksym_is_text(char type);

#endif
