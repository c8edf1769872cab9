// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/ksyms.h"

struct ksyms {
	struct ksym *syms;	/* sorted by address */
	size_t n, cap;
	char *strs;		/* all names, NUL separated */
	size_t strs_len, strs_cap;
};

static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int push(struct ksyms *ks, uint64_t addr, char type, const char *name)
{
	size_t len = strlen(name) + 1;

	if (ks->n == ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 4096;
		struct ksym *s = realloc(ks->syms, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		ks->syms = s;
		ks->cap = cap;
	}
	if (ks->strs_len + len > ks->strs_cap) {
		size_t cap = ks->strs_cap ? ks->strs_cap * 2 : 65536;
		char *s;

		while (cap < ks->strs_len + len)
			cap *= 2;
		s = realloc(ks->strs, cap);
		if (!s)
			return -ENOMEM;
		ks->strs = s;
		ks->strs_cap = cap;
	}
	memcpy(ks->strs + ks->strs_len, name, len);
	/* name offsets are fixed up after loading: strs may still move */
	ks->syms[ks->n].name = (const char *)(uintptr_t)ks->strs_len;
	ks->syms[ks->n].addr = addr;
	ks->syms[ks->n].type = type;
	ks->n++;
	ks->strs_len += len;
	return 0;
}

struct ksyms *ksyms_load(const char *path)
{
	struct ksyms *ks;
	char line[512], name[256], type;
	unsigned long long addr;
	FILE *f;
	size_t i;

	f = fopen(path, "re");
	if (!f)
		return NULL;
	ks = calloc(1, sizeof(*ks));
	if (!ks) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (push(ks, addr, type, name)) {
			fclose(f);
			ksyms_free(ks);
			errno = ENOMEM;
			return NULL;
		}
	}
	fclose(f);
	for (i = 0; i < ks->n; i++)
		ks->syms[i].name = ks->strs + (uintptr_t)ks->syms[i].name;
	qsort(ks->syms, ks->n, sizeof(*ks->syms), cmp_addr);
	return ks;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->strs);
	free(ks);
}

const struct ksym *ksyms_lookup(const struct ksyms *ks, uint64_t addr)
{
	size_t lo = 0, hi = ks->n;

	/* first index with syms[i].addr > addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &ks->syms[lo - 1] : NULL;
}

const struct ksym *ksyms_find(const struct ksyms *ks, const char *name)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (!strcmp(ks->syms[i].name, name))
			return &ks->syms[i];
	return NULL;
}

uint64_t ksyms_size(const struct ksyms *ks, const struct ksym *sym)
{
	size_t i = sym - ks->syms;

	for (i++; i < ks->n; i++)
		if (ks->syms[i].addr > sym->addr)
			return ks->syms[i].addr - sym->addr;
	return 0;
}

int ksyms_all_zero(const struct ksyms *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (ks->syms[i].addr)
			return 0;
	return 1;
}
