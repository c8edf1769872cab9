/* SPDX-License-Identifier: GPL-2.0 */
/* The model's hash maps from a 64-bit kernel key (a pointer or a PASID):
 * keymap to any value, idxmap to an object of a pool. */
#ifndef SVATOP_MODEL_KEYMAP_H
#define SVATOP_MODEL_KEYMAP_H

#include <stddef.h>
#include <stdint.h>
#include "model/pool.h"

/* Open addressing, linear probing, backward-shift deletion (no
 * tombstones, so lookups never degrade). Key 0 is reserved for "empty":
 * the kernel never hands out a NULL object or PASID 0. Load stays below
 * 1/2 (the table doubles). The core both maps below share: */
struct hashtab {
	void *slots;
	uint32_t mask;		/* capacity - 1; capacity is a power of two */
	uint32_t count;
	uint32_t slot_size;
	uint32_t key_off;	/* idxmap: where the object holds its key */
	const struct pool *pool;	/* idxmap: the objects' pool; keymap: NULL */
};

/* keymap: a slot holds the key and any value. */
struct keymap_slot {
	uint64_t key;
	void *val;
};

struct keymap {
	struct hashtab t;
};

int keymap_init(struct keymap *m, uint32_t capacity_hint);
void keymap_fini(struct keymap *m);
void *keymap_get(const struct keymap *m, uint64_t key);
/* Insert or replace; -ENOMEM when the map cannot grow. */
int keymap_put(struct keymap *m, uint64_t key, void *val);
/* Remove key if it maps to val (val NULL: whatever it maps to). */
void keymap_del(struct keymap *m, uint64_t key, const void *val);
static inline uint32_t keymap_count(const struct keymap *m)
{
	return m->t.count;
}
/* Bytes the map holds (for the memory budget). */
size_t keymap_bytes(const struct keymap *m);

/* idxmap, the model's object maps: a slot holds only the object's pool
 * index + 1 (0: empty), 4 bytes; the key is read from the object (the
 * 64-bit field at key_off). */
struct idxmap {
	struct hashtab t;
};

int idxmap_init(struct idxmap *m, const struct pool *pool, size_t key_off,
		uint32_t capacity_hint);
void idxmap_fini(struct idxmap *m);
void *idxmap_get(const struct idxmap *m, uint64_t key);
/* Map obj's key to obj (replacing what the key mapped to); -ENOMEM when
 * the map cannot grow, -EINVAL for key 0. */
int idxmap_put(struct idxmap *m, void *obj);
/* Remove obj's key if it maps to obj. */
void idxmap_del(struct idxmap *m, const void *obj);
static inline uint32_t idxmap_count(const struct idxmap *m)
{
	return m->t.count;
}
size_t idxmap_bytes(const struct idxmap *m);

#endif
