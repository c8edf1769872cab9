// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "pipeline/reorder.h"

void reorder_init(struct reorder *r)
{
	r->heap = NULL;
	r->len = r->cap = 0;
	r->fifo = NULL;
	r->fhead = r->flen = r->fcap = 0;
	r->seq = r->max_ts = r->released_ts = r->late = r->overflow = 0;
	r->max_held = REORDER_MAX_HELD;
}

void reorder_fini(struct reorder *r)
{
	free(r->heap);
	free(r->fifo);
	reorder_init(r);
}

static int item_less(const struct reorder_item *a, const struct reorder_item *b)
{
	if (a->ev.ts_ns != b->ev.ts_ns)
		return a->ev.ts_ns < b->ev.ts_ns;
	return a->seq < b->seq;
}

static void swap_items(struct reorder_item *a, struct reorder_item *b)
{
	struct reorder_item t = *a;

	*a = *b;
	*b = t;
}

static struct reorder_item *fifo_at(const struct reorder *r, size_t i)
{
	return &r->fifo[(r->fhead + i) & (r->fcap - 1)];
}

static int fifo_push(struct reorder *r, const struct svatop_event *ev)
{
	struct reorder_item *it;

	if (r->flen == r->fcap) {
		size_t cap = r->fcap ? r->fcap * 2 : 256, i;
		struct reorder_item *f = malloc(cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		for (i = 0; i < r->flen; i++)
			f[i] = *fifo_at(r, i);
		free(r->fifo);
		r->fifo = f;
		r->fcap = cap;
		r->fhead = 0;
	}
	it = fifo_at(r, r->flen++);
	it->ev = *ev;
	it->seq = r->seq++;
	if (ev->ts_ns > r->max_ts)
		r->max_ts = ev->ts_ns;
	return 0;
}

int reorder_push(struct reorder *r, const struct svatop_event *ev)
{
	size_t i;

	/* In order with the FIFO's newest: no heap work at all. */
	if (!r->flen || ev->ts_ns >= fifo_at(r, r->flen - 1)->ev.ts_ns)
		return fifo_push(r, ev);
	if (r->len == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct reorder_item *h = realloc(r->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		r->heap = h;
		r->cap = cap;
	}
	i = r->len++;
	r->heap[i].ev = *ev;
	r->heap[i].seq = r->seq++;
	if (ev->ts_ns > r->max_ts)
		r->max_ts = ev->ts_ns;
	while (i && item_less(&r->heap[i], &r->heap[(i - 1) / 2])) {
		swap_items(&r->heap[i], &r->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	return 0;
}

static void pop_min(struct reorder *r, struct reorder_item *out)
{
	size_t i = 0, c;

	*out = r->heap[0];
	r->heap[0] = r->heap[--r->len];
	for (;;) {
		c = 2 * i + 1;
		if (c >= r->len)
			break;
		if (c + 1 < r->len && item_less(&r->heap[c + 1], &r->heap[c]))
			c++;
		if (!item_less(&r->heap[c], &r->heap[i]))
			break;
		swap_items(&r->heap[c], &r->heap[i]);
		i = c;
	}
}

/* Release up to `count` records, oldest first, with ts <= limit; `early`:
 * released for the bound, not by time. */
static int release(struct reorder *r, uint64_t limit, size_t count, bool early,
		   reorder_fn fn, void *ctx)
{
	struct reorder_item it;
	int ret;

	for (; count; count--) {
		/* The oldest of the FIFO's head and the heap's top. */
		if (r->flen && (!r->len || item_less(fifo_at(r, 0), &r->heap[0]))) {
			if (fifo_at(r, 0)->ev.ts_ns > limit)
				break;
			it = *fifo_at(r, 0);
			r->fhead = (r->fhead + 1) & (r->fcap - 1);
			r->flen--;
		} else if (r->len && r->heap[0].ev.ts_ns <= limit) {
			pop_min(r, &it);
		} else {
			break;
		}
		if (early) {
			r->late++;
			r->overflow++;
		} else if (it.ev.ts_ns < r->released_ts) {
			r->late++;
		}
		if (it.ev.ts_ns > r->released_ts)
			r->released_ts = it.ev.ts_ns;
		ret = fn(&it.ev, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

int reorder_release(struct reorder *r, uint64_t limit, reorder_fn fn, void *ctx)
{
	return release(r, limit, SIZE_MAX, false, fn, ctx);
}

int reorder_bound(struct reorder *r, reorder_fn fn, void *ctx)
{
	size_t held = r->len + r->flen;

	if (held < r->max_held)
		return 0;
	return release(r, UINT64_MAX, held - r->max_held + 1, true, fn, ctx);
}
