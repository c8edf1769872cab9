// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/pool.h"

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
		p->free_head = o->idx;
	} else {
		if (p->used >= POOL_MAX_OBJS)
			return NULL;
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
	o->idx = idx;
	p->count++;
	return o;
}

void pool_free(struct pool *p, void *obj)
{
	struct pool_obj *o = obj;
	uint32_t idx = o->idx;

	if (!o->live)
		return;
	o->live = 0;
	o->idx = p->free_head;
	p->free_head = idx + 1;
	p->count--;
}

size_t pool_bytes(const struct pool *p)
{
	return (size_t)p->nchunks * POOL_CHUNK * p->objsize +
	       p->nchunks * sizeof(char *);
}
