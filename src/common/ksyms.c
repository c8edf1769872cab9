// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/hash.h"
#include "common/ksyms.h"
#include "common/log.h"

/* Debian's image packages ship a one-line System.map stub. */
#define KSYMS_MIN	32

struct ksyms {
	struct ksym *syms;		/* sorted by address, then name */
	size_t n, cap;
	uint32_t *by_name;		/* hash index: syms index + 1, 0 empty */
	size_t by_name_mask;
	char *strs;			/* all names, NUL separated */
	size_t strs_len, strs_cap;
};

bool ksym_is_text(char type)
{
	return type && strchr("TtWw", type);
}

static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}


/* "ADDR TYPE NAME[ \t[MODULE]]": a hand-written parser, sscanf() was a
 * tenth of the start-up (200k lines). Returns false for a bad line. */
static bool parse_line(char *line, unsigned long long *addr, char *type, char **name)
{
	unsigned long long a = 0;
	char *p = line;
	int digits = 0;

	/* the address in hex, by hand: strtoull() was a tenth of reading
	 * the table (its locale and base handling, 200k times) */
	for (;; p++, digits++) {
		unsigned int c = (unsigned char)*p, v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v = (c | 0x20) - 'a' + 10;
		else
			break;
		if (digits == 16)
			return false;
		a = a << 4 | v;
	}
	*addr = a;
	if (!digits || (*p != ' ' && *p != '\t'))
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '\n' || (p[1] != ' ' && p[1] != '\t'))
		return false;
	*type = *p;
	p += 2;
	while (*p == ' ' || *p == '\t')
		p++;
	*name = p;
	while (*p && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	if (p == *name || p - *name > 511)
		return false;
	*p = '\0';
	return true;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem, size_t first)
{
	size_t ncap = *cap ? *cap : first;
	void *n;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	n = realloc(*p, ncap * elem);
	if (!n)
		return -ENOMEM;
	*p = n;
	*cap = ncap;
	return 0;
}

static int push(struct ksyms *ks, uint64_t addr, char type, const char *name)
{
	size_t len = strlen(name) + 1;

	if (grow((void **)&ks->syms, &ks->cap, ks->n + 1, sizeof(*ks->syms), 4096) ||
	    grow((void **)&ks->strs, &ks->strs_cap, ks->strs_len + len, 1, 65536))
		return -ENOMEM;
	memcpy(ks->strs + ks->strs_len, name, len);
	/* name offsets are fixed up after loading: strs may still move */
	ks->syms[ks->n].name = (const char *)(uintptr_t)ks->strs_len;
	ks->syms[ks->n].addr = addr;
	ks->syms[ks->n].type = type;
	ks->n++;
	ks->strs_len += len;
	return 0;
}

static int read_lines(struct ksyms *ks, FILE *f, const char *path, char *err, size_t errlen)
{
	char line[1024], *name, type;
	unsigned long long addr;
	size_t lineno = 0, bad = 0;

	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!parse_line(line, &addr, &type, &name)) {
			bad++;
			continue;
		}
		if (push(ks, addr, type, name)) {
			errbuf_set(err, errlen, "out of memory reading %s", path);
			return -ENOMEM;
		}
	}
	if (ferror(f)) {
		errbuf_set(err, errlen, "cannot read symbol file %s", path);
		return -EIO;
	}
	/* Mostly unparsable: not a symbol table at all. */
	if (!ks->n || bad * 2 > lineno) {
		errbuf_set(err, errlen,
			   "%s is not a System.map/kallsyms file (%zu of %zu lines unparsable)",
			   path, bad, lineno);
		return -EINVAL;
	}
	if (ks->n < KSYMS_MIN) {
		errbuf_set(err, errlen,
			   "%s holds only %zu symbol(s): a stub? (Debian ships the real System.map in the -dbg package)",
			   path, ks->n);
		return -EINVAL;
	}
	return 0;
}

int ksyms_open(struct ksyms **out, const char *path, char *err, size_t errlen)
{
	struct ksyms *ks;
	FILE *f;
	size_t i;
	int ret;

	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		errbuf_set(err, errlen, "cannot open symbol file %s: %s", path, strerror(errno));
		return ret;
	}
	ks = calloc(1, sizeof(*ks));
	ret = ks ? read_lines(ks, f, path, err, errlen) : -ENOMEM;
	fclose(f);
	if (!ret) {
		for (i = 0; i < ks->n; i++)
			ks->syms[i].name = ks->strs + (uintptr_t)ks->syms[i].name;
		qsort(ks->syms, ks->n, sizeof(*ks->syms), cmp_addr);
	}
	if (ret) {
		if (ret == -ENOMEM)
			errbuf_set(err, errlen, "out of memory reading %s", path);
		ksyms_free(ks);
		return ret;
	}
	*out = ks;
	return 0;
}

/* The by-name index, built on the first lookup by name: stack
 * symbolization never needs it. A hash table of indexes (load <= 1/2):
 * sorting ~200k names by strcmp was a quarter of the start-up. */
static const uint32_t *by_name(const struct ksyms *cks)
{
	struct ksyms *ks = (struct ksyms *)cks;	/* a cache, not a change */
	size_t i, size = 16, j;

	if (ks->by_name || !ks->n || ks->n >= UINT32_MAX / 4)
		return ks->by_name;
	while (size < ks->n * 2)
		size *= 2;
	ks->by_name = calloc(size, sizeof(*ks->by_name));
	if (!ks->by_name)
		return NULL;
	ks->by_name_mask = size - 1;
	for (i = 0; i < ks->n; i++) {
		for (j = str_hash(ks->syms[i].name) & ks->by_name_mask; ks->by_name[j];
		     j = (j + 1) & ks->by_name_mask)
			;
		ks->by_name[j] = (uint32_t)i + 1;
	}
	return ks->by_name;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->by_name);
	free(ks->strs);
	free(ks);
}

size_t ksyms_count(const struct ksyms *ks)
{
	return ks->n;
}

const struct ksym *ksyms_at(const struct ksyms *ks, size_t i)
{
	return i < ks->n ? &ks->syms[i] : NULL;
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
	const uint32_t *idx = by_name(ks);
	const struct ksym *first = NULL, *text = NULL, *s;
	size_t j;

	if (!idx)
		return NULL;
	/* Several symbols may share a name (static functions): the text one
	 * at the lowest address, else the lowest address. */
	for (j = str_hash(name) & ks->by_name_mask; idx[j]; j = (j + 1) & ks->by_name_mask) {
		s = &ks->syms[idx[j] - 1];
		if (strcmp(s->name, name))
			continue;
		if (!first || s < first)
			first = s;
		if (ksym_is_text(s->type) && (!text || s < text))
			text = s;
	}
	return text ? text : first;
}

uint64_t ksyms_size(const struct ksyms *ks, const struct ksym *sym)
{
	size_t i = sym - ks->syms;

	if (!sym->addr)
		return 0;
	for (i++; i < ks->n; i++)
		if (ks->syms[i].addr > sym->addr)
			return ks->syms[i].addr - sym->addr;
	return 0;
}

bool ksyms_all_zero(const struct ksyms *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (ks->syms[i].addr)
			return false;
	return true;
}

bool ksyms_addresses_hidden(const char *path)
{
	unsigned long long addr = 0;
	FILE *f = fopen(path, "re");
	bool hidden = true;

	if (!f)
		return true;
	if (fscanf(f, "%llx", &addr) == 1)
		hidden = addr == 0;
	fclose(f);
	return hidden;
}
