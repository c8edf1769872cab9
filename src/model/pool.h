/* SPDX-License-Identifier: GPL-2.0 */
/* The model's object pools: fixed-size objects in chunks, so object
 * addresses stay stable while a pool grows. */
#ifndef SVATOP_MODEL_POOL_H
#define SVATOP_MODEL_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An object carries no header: its first 32 bits are a nonzero tag while
 * it is live (the model's uid), 0 when its slot is free (the next 32 bits
 * then hold the next free slot's index + 1). Its index comes from its
 * address: every chunk is a POOL_CHUNK_ALIGN-aligned mapping that starts
 * with a struct pool_chunk, then POOL_CHUNK slots.
 */
#define POOL_CHUNK_SHIFT	12
#define POOL_CHUNK		(1u << POOL_CHUNK_SHIFT)
#define POOL_CHUNK_ALIGN	(512u << 10)
#define POOL_MAX_OBJS		((1u << 31) - 1)

struct pool_chunk {
	uint32_t base;		/* index of its first slot */
	uint32_t objsize;
	uint64_t div;		/* ceil(2^32 / objsize): offset -> slot */
};

/* Objects of at most this size (and at least 8 bytes, a multiple of 4). */
#define POOL_MAX_OBJSIZE	((POOL_CHUNK_ALIGN - sizeof(struct pool_chunk)) / POOL_CHUNK)

struct pool {
	size_t objsize;
	struct pool_chunk **chunks;
	uint32_t nchunks;
	uint32_t used;		/* slots ever handed out (high-water mark) */
	uint32_t free_head;	/* index + 1 of the first free slot, 0: none */
	uint32_t count;		/* live objects */
};

void pool_init(struct pool *p, size_t objsize);
void pool_fini(struct pool *p);
/* A zeroed object whose tag (first 32 bits) is tag (nonzero), or NULL on
 * -ENOMEM. */
void *pool_alloc(struct pool *p, uint32_t tag);
void pool_free(struct pool *p, void *obj);

/* Slot i (0 <= i < p->used), live or not. */
static inline void *pool_slot(const struct pool *p, uint32_t i)
{
	return (char *)(p->chunks[i >> POOL_CHUNK_SHIFT] + 1) +
	       (size_t)(i & (POOL_CHUNK - 1)) * p->objsize;
}

static inline bool pool_live(const void *obj)
{
	return *(const uint32_t *)obj != 0;
}

/* The index of an object in its pool (pool_slot's i). */
static inline uint32_t pool_index(const void *obj)
{
	const struct pool_chunk *c = (const struct pool_chunk *)
		((uintptr_t)obj & ~(uintptr_t)(POOL_CHUNK_ALIGN - 1));
	uint64_t off = (uint64_t)((const char *)obj - (const char *)(c + 1));

	/* exact: off is a multiple of objsize below 2^19 */
	return c->base + (uint32_t)((off * c->div) >> 32);
}

/* Bytes the pool holds (for the memory budget). */
size_t pool_bytes(const struct pool *p);

#define pool_for_each(p, type, var, i)					\
	for ((i) = 0; (i) < (p)->used; (i)++)				\
		if (pool_live((var) = (type *)pool_slot((p), (i))))

#endif
