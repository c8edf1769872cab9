// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "model/pool.h"

void pool_init(struct pool *p, size_t objsize)
{
	memset(p, 0, sizeof(*p));
	p->objsize = objsize;
}

static size_t chunk_bytes(const struct pool *p)
{
	return sizeof(struct pool_chunk) + (size_t)POOL_CHUNK * p->objsize;
}

void pool_fini(struct pool *p)
{
	uint32_t i;

	for (i = 0; i < p->nchunks; i++)
		munmap(p->chunks[i], POOL_CHUNK_ALIGN);
	free(p->chunks);
	pool_init(p, p->objsize);
}

/* A POOL_CHUNK_ALIGN-aligned mapping of that size: map twice that, unmap
 * the ends. Its pages become resident as slots are used. */
static struct pool_chunk *chunk_map(void)
{
	size_t len = 2 * (size_t)POOL_CHUNK_ALIGN;
	char *raw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t start;
	size_t head;

	if (raw == MAP_FAILED)
		return NULL;
	start = ((uintptr_t)raw + POOL_CHUNK_ALIGN - 1) & ~(uintptr_t)(POOL_CHUNK_ALIGN - 1);
	head = start - (uintptr_t)raw;
	if (head)
		munmap(raw, head);
	munmap((char *)start + POOL_CHUNK_ALIGN, len - head - POOL_CHUNK_ALIGN);
	return (struct pool_chunk *)start;
}

static int pool_grow(struct pool *p)
{
	struct pool_chunk **c, *chunk;

	if (p->objsize < 8 || p->objsize > POOL_MAX_OBJSIZE || p->objsize % 4)
		return -EINVAL;
	c = realloc(p->chunks, (p->nchunks + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	p->chunks = c;
	chunk = chunk_map();
	if (!chunk)
		return -ENOMEM;
	chunk->base = p->nchunks << POOL_CHUNK_SHIFT;
	chunk->objsize = p->objsize;
	chunk->div = ((1ULL << 32) + p->objsize - 1) / p->objsize;
	c[p->nchunks++] = chunk;
	return 0;
}

/* The free list's link, in the 32 bits after a free slot's tag. */
static inline uint32_t *free_link(void *obj)
{
	return (uint32_t *)obj + 1;
}

void *pool_alloc(struct pool *p, uint32_t tag)
{
	void *o;

	if (!tag)
		return NULL;
	if (p->free_head) {
		o = pool_slot(p, p->free_head - 1);
		p->free_head = *free_link(o);
	} else {
		if (p->used >= POOL_MAX_OBJS)
			return NULL;
		if ((p->used >> POOL_CHUNK_SHIFT) >= p->nchunks && pool_grow(p))
			return NULL;
		o = pool_slot(p, p->used++);
	}
	memset(o, 0, p->objsize);
	*(uint32_t *)o = tag;
	p->count++;
	return o;
}

void pool_free(struct pool *p, void *obj)
{
	if (!pool_live(obj))
		return;
	*(uint32_t *)obj = 0;
	*free_link(obj) = p->free_head;
	p->free_head = pool_index(obj) + 1;
	p->count--;
}

size_t pool_bytes(const struct pool *p)
{
	return (size_t)p->nchunks * chunk_bytes(p) + p->nchunks * sizeof(*p->chunks);
}
