/* SPDX-License-Identifier: GPL-2.0 */
/* The model's object pools: fixed-size objects in chunks, so object
 * addresses stay stable while a pool grows. */
#ifndef SVATOP_MODEL_POOL_H
#define SVATOP_MODEL_POOL_H

#include <stddef.h>
#include <stdint.h>

#define POOL_CHUNK_SHIFT	12
#define POOL_CHUNK		(1u << POOL_CHUNK_SHIFT)

/* Every pooled object starts with this header (4 bytes). */
struct pool_obj {
	uint32_t live : 1;	/* 0: on the free list */
	uint32_t idx : 31;	/* live: its own index; free: the next free slot's + 1 */
};

#define POOL_MAX_OBJS	((1u << 31) - 1)

struct pool {
	size_t objsize;
	char **chunks;
	uint32_t nchunks;
	uint32_t used;		/* slots ever handed out (high-water mark) */
	uint32_t free_head;	/* index + 1 of the first free slot, 0: none */
	uint32_t count;		/* live objects */
};

void pool_init(struct pool *p, size_t objsize);
void pool_fini(struct pool *p);
/* A zeroed object with live = 1, or NULL on -ENOMEM. */
void *pool_alloc(struct pool *p);
void pool_free(struct pool *p, void *obj);
/* Slot i (0 <= i < p->used), live or not. */
static inline struct pool_obj *pool_slot(const struct pool *p, uint32_t i)
{
	return (struct pool_obj *)(p->chunks[i >> POOL_CHUNK_SHIFT] +
				   (size_t)(i & (POOL_CHUNK - 1)) * p->objsize);
}

/* The index of a live object in its pool (pool_slot's i). */
static inline uint32_t pool_index(const void *obj)
{
	return ((const struct pool_obj *)obj)->idx;
}

/* Bytes the pool holds (for the memory budget). */
size_t pool_bytes(const struct pool *p);

#define pool_for_each(p, type, var, i)					\
	for ((i) = 0; (i) < (p)->used; (i)++)				\
		if (((var) = (type *)pool_slot((p), (i)))->hdr.live)

#endif
