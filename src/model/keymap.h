/* SPDX-License-Identifier: GPL-2.0 */
/* The model's hash map from a 64-bit kernel key (a pointer or a PASID) to
 * an object. */
#ifndef SVATOP_MODEL_KEYMAP_H
#define SVATOP_MODEL_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

/* Open addressing, linear probing, backward-shift deletion (no
 * tombstones, so lookups never degrade). Key 0 is reserved for "empty":
 * the kernel never hands out a NULL object or PASID 0. */
struct keymap_slot {
	uint64_t key;
	void *val;
};

struct keymap {
	struct keymap_slot *slots;
	uint32_t mask;		/* capacity - 1; capacity is a power of two */
	uint32_t count;
};

int keymap_init(struct keymap *m, uint32_t capacity_hint);
void keymap_fini(struct keymap *m);
void *keymap_get(const struct keymap *m, uint64_t key);
/* Insert or replace; -ENOMEM when the map cannot grow. */
int keymap_put(struct keymap *m, uint64_t key, void *val);
/* Remove key if it maps to val (val NULL: whatever it maps to). */
void keymap_del(struct keymap *m, uint64_t key, const void *val);
/* Bytes the map holds (for the memory budget). */
size_t keymap_bytes(const struct keymap *m);

#endif
