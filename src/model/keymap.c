// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/keymap.h"

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

/* ---- the core ---------------------------------------------------------- */

/* An object's key (model objects align theirs to 4 bytes only). */
static inline uint64_t read_key(const void *p)
{
	uint64_t k;

	memcpy(&k, p, sizeof(k));
	return k;
}

static inline void *slot_at(const struct hashtab *t, void *slots, uint32_t i)
{
	return (char *)slots + (size_t)i * t->slot_size;
}

/* The key of slot i of slots (t's array, or one of its size), 0: empty. */
static inline uint64_t slot_key(const struct hashtab *t, const void *slots, uint32_t i)
{
	const char *obj;
	uint32_t ref;

	if (!t->pool)
		return ((const struct keymap_slot *)slots)[i].key;
	ref = ((const uint32_t *)slots)[i];
	if (!ref)
		return 0;
	obj = (const char *)pool_slot(t->pool, ref - 1);
	return read_key(obj + t->key_off);
}

static int tab_init(struct hashtab *t, uint32_t capacity_hint)
{
	uint32_t cap = 16;

	while (cap < capacity_hint && cap < (1u << 30))
		cap <<= 1;
	t->slots = calloc(cap, t->slot_size);
	if (!t->slots)
		return -ENOMEM;
	t->mask = cap - 1;
	t->count = 0;
	return 0;
}

static void tab_fini(struct hashtab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->mask = 0;
	t->count = 0;
}

/* The slot holding key, or the empty slot that ends its probe sequence. */
static uint32_t tab_find(const struct hashtab *t, const void *slots, uint32_t mask,
			 uint64_t key)
{
	uint32_t i;
	uint64_t k;

	for (i = key_hash(key) & mask; (k = slot_key(t, slots, i)); i = (i + 1) & mask)
		if (k == key)
			break;
	return i;
}

/* Doubling keeps insertion amortized O(1); load stays below 1/2. */
static int tab_grow(struct hashtab *t)
{
	void *old = t->slots;
	uint32_t i, j, mask = t->mask * 2 + 1;
	uint64_t k;

	if (t->mask >= (1u << 30))
		return -ENOMEM;
	t->slots = calloc((size_t)mask + 1, t->slot_size);
	if (!t->slots) {
		t->slots = old;
		return -ENOMEM;
	}
	for (i = 0; i <= t->mask; i++) {
		k = slot_key(t, old, i);
		if (!k)
			continue;
		j = tab_find(t, t->slots, mask, k);
		memcpy(slot_at(t, t->slots, j), slot_at(t, old, i), t->slot_size);
	}
	t->mask = mask;
	free(old);
	return 0;
}

/* Insert or replace the slot for key with *slot. */
static int tab_put(struct hashtab *t, uint64_t key, const void *slot)
{
	uint32_t i;
	int err;

	if (!key)
		return -EINVAL;
	if (!t->slots) {
		err = tab_init(t, 16);
		if (err)
			return err;
	}
	if ((t->count + 1) * 2 > t->mask + 1) {
		err = tab_grow(t);
		if (err)
			return err;
	}
	i = tab_find(t, t->slots, t->mask, key);
	t->count += !slot_key(t, t->slots, i);
	memcpy(slot_at(t, t->slots, i), slot, t->slot_size);
	return 0;
}

/* Empty slot i: pull later entries of the cluster into the hole unless
 * their home slot lies cyclically in (i, j]. */
static void tab_remove(struct hashtab *t, uint32_t i)
{
	uint32_t j = i, home;
	uint64_t k;

	for (;;) {
		j = (j + 1) & t->mask;
		k = slot_key(t, t->slots, j);
		if (!k)
			break;
		home = key_hash(k) & t->mask;
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		memcpy(slot_at(t, t->slots, i), slot_at(t, t->slots, j), t->slot_size);
		i = j;
	}
	memset(slot_at(t, t->slots, i), 0, t->slot_size);
	t->count--;
}

static size_t tab_bytes(const struct hashtab *t)
{
	return t->slots ? (size_t)(t->mask + 1) * t->slot_size : 0;
}

/* ---- keymap ------------------------------------------------------------ */

int keymap_init(struct keymap *m, uint32_t capacity_hint)
{
	memset(m, 0, sizeof(*m));
	m->t.slot_size = sizeof(struct keymap_slot);
	return tab_init(&m->t, capacity_hint);
}

void keymap_fini(struct keymap *m)
{
	tab_fini(&m->t);
}

static struct keymap_slot *keymap_slot(const struct keymap *m, uint64_t key)
{
	struct keymap_slot *s;

	if (!key || !m->t.slots)
		return NULL;
	s = (struct keymap_slot *)m->t.slots + tab_find(&m->t, m->t.slots, m->t.mask, key);
	return s->key ? s : NULL;
}

void *keymap_get(const struct keymap *m, uint64_t key)
{
	struct keymap_slot *s = keymap_slot(m, key);

	return s ? s->val : NULL;
}

int keymap_put(struct keymap *m, uint64_t key, void *val)
{
	struct keymap_slot s = { key, val };

	/* a map never initialized (all zero) works too */
	m->t.slot_size = sizeof(struct keymap_slot);
	return tab_put(&m->t, key, &s);
}

void keymap_del(struct keymap *m, uint64_t key, const void *val)
{
	struct keymap_slot *s = keymap_slot(m, key);

	if (s && (!val || s->val == val))
		tab_remove(&m->t, s - (struct keymap_slot *)m->t.slots);
}

size_t keymap_bytes(const struct keymap *m)
{
	return tab_bytes(&m->t);
}

/* ---- idxmap ------------------------------------------------------------ */

int idxmap_init(struct idxmap *m, const struct pool *pool, size_t key_off,
		uint32_t capacity_hint)
{
	memset(m, 0, sizeof(*m));
	m->t.slot_size = sizeof(uint32_t);
	m->t.pool = pool;
	m->t.key_off = key_off;
	return tab_init(&m->t, capacity_hint);
}

void idxmap_fini(struct idxmap *m)
{
	tab_fini(&m->t);
}

static inline uint64_t obj_key(const struct idxmap *m, const void *obj)
{
	return read_key((const char *)obj + m->t.key_off);
}

void *idxmap_get(const struct idxmap *m, uint64_t key)
{
	uint32_t ref;

	if (!key || !m->t.slots)
		return NULL;
	ref = ((const uint32_t *)m->t.slots)[tab_find(&m->t, m->t.slots, m->t.mask, key)];
	return ref ? pool_slot(m->t.pool, ref - 1) : NULL;
}

int idxmap_put(struct idxmap *m, void *obj)
{
	uint32_t ref = pool_index(obj) + 1;

	return tab_put(&m->t, obj_key(m, obj), &ref);
}

void idxmap_del(struct idxmap *m, const void *obj)
{
	uint32_t i;

	if (!m->t.slots)
		return;
	i = tab_find(&m->t, m->t.slots, m->t.mask, obj_key(m, obj));
	if (((const uint32_t *)m->t.slots)[i] == pool_index(obj) + 1)
		tab_remove(&m->t, i);
}

size_t idxmap_bytes(const struct idxmap *m)
{
	return tab_bytes(&m->t);
}
