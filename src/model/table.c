// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/table.h"

/* Kernel pointers share their high bits and slab alignment: mix them. */
static inline uint32_t key_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return (uint32_t)k;
}

int keymap_init(struct keymap *m, uint32_t capacity_hint)
{
	uint32_t cap = 16;

	while (cap < capacity_hint && cap < (1u << 30))
		cap <<= 1;
	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots)
		return -ENOMEM;
	m->mask = cap - 1;
	m->count = 0;
	return 0;
}

void keymap_fini(struct keymap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->mask = 0;
	m->count = 0;
}

void *keymap_get(const struct keymap *m, uint64_t key)
{
	uint32_t i;

	if (!key || !m->slots)
		return NULL;
	for (i = key_hash(key) & m->mask; m->slots[i].key; i = (i + 1) & m->mask)
		if (m->slots[i].key == key)
			return m->slots[i].val;
	return NULL;
}

static void keymap_insert_slot(struct keymap *m, uint64_t key, void *val)
{
	uint32_t i;

	for (i = key_hash(key) & m->mask; m->slots[i].key; i = (i + 1) & m->mask) {
		if (m->slots[i].key == key) {
			m->slots[i].val = val;
			return;
		}
	}
	m->slots[i].key = key;
	m->slots[i].val = val;
	m->count++;
}

/* Doubling keeps insertion amortized O(1); load stays below 1/2. */
static int keymap_grow(struct keymap *m)
{
	struct keymap old = *m;
	uint32_t i;

	if (old.mask >= (1u << 30))
		return -ENOMEM;
	m->slots = calloc((size_t)(old.mask + 1) * 2, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -ENOMEM;
	}
	m->mask = old.mask * 2 + 1;
	m->count = 0;
	for (i = 0; i <= old.mask; i++)
		if (old.slots[i].key)
			keymap_insert_slot(m, old.slots[i].key, old.slots[i].val);
	free(old.slots);
	return 0;
}

int keymap_put(struct keymap *m, uint64_t key, void *val)
{
	int err;

	if (!key)
		return -EINVAL;
	if (!m->slots) {
		err = keymap_init(m, 16);
		if (err)
			return err;
	}
	if ((m->count + 1) * 2 > m->mask + 1) {
		err = keymap_grow(m);
		if (err)
			return err;
	}
	keymap_insert_slot(m, key, val);
	return 0;
}

void keymap_del(struct keymap *m, uint64_t key, const void *val)
{
	uint32_t i, j, home;

	if (!key || !m->slots)
		return;
	for (i = key_hash(key) & m->mask; m->slots[i].key; i = (i + 1) & m->mask)
		if (m->slots[i].key == key)
			break;
	if (!m->slots[i].key || (val && m->slots[i].val != val))
		return;
	/* Backward shift: pull later entries of the cluster into the hole
	 * unless their home slot lies cyclically in (i, j]. */
	j = i;
	for (;;) {
		j = (j + 1) & m->mask;
		if (!m->slots[j].key)
			break;
		home = key_hash(m->slots[j].key) & m->mask;
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		m->slots[i] = m->slots[j];
		i = j;
	}
	m->slots[i].key = 0;
	m->slots[i].val = NULL;
	m->count--;
}

size_t keymap_bytes(const struct keymap *m)
{
	return m->slots ? (size_t)(m->mask + 1) * sizeof(*m->slots) : 0;
}

void pool_init(struct pool *p, size_t objsize)
{
	memset(p, 0, sizeof(*p));
	p->objsize = objsize;
}

void pool_fini(struct pool *p)
{
	uint32_t i;

	for (i = 0; i < p->nchunks; i++)
		free(p->chunks[i]);
	free(p->chunks);
	pool_init(p, p->objsize);
}

void *pool_alloc(struct pool *p)
{
	struct pool_obj *o;
	uint32_t idx;

	if (p->free_head) {
		idx = p->free_head - 1;
		o = pool_slot(p, idx);
		p->free_head = o->next_free;
	} else {
		if ((p->used >> POOL_CHUNK_SHIFT) >= p->nchunks) {
			char **c = realloc(p->chunks, (p->nchunks + 1) * sizeof(*c));

			if (!c)
				return NULL;
			p->chunks = c;
			c[p->nchunks] = malloc((size_t)POOL_CHUNK * p->objsize);
			if (!c[p->nchunks])
				return NULL;
			p->nchunks++;
		}
		idx = p->used++;
		o = pool_slot(p, idx);
	}
	memset(o, 0, p->objsize);
	o->live = 1;
	o->next_free = idx;	/* remembered while live, for pool_free */
	p->count++;
	return o;
}

void pool_free(struct pool *p, void *obj)
{
	struct pool_obj *o = obj;
	uint32_t idx = o->next_free;

	if (!o->live)
		return;
	o->live = 0;
	o->next_free = p->free_head;
	p->free_head = idx + 1;
	p->count--;
}

size_t pool_bytes(const struct pool *p)
{
	return (size_t)p->nchunks * POOL_CHUNK * p->objsize +
	       p->nchunks * sizeof(char *);
}
