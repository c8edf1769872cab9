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
