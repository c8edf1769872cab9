/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events arrive in timestamp order per CPU, not globally: an mm's final
 * __mmdrop on one CPU can be delivered before the unbind that preceded it
 * on another. The reorder buffer holds records for a short window and
 * releases them in (timestamp, arrival) order. Records that arrive in
 * order (nearly all) wait in a FIFO; only late ones go through the heap.
 *
 * Memory is bounded: at most REORDER_MAX_HELD records are held (12 MiB of
 * records, 24 MiB with the FIFO's and the heap's slack). Input decides how
 * many wait (a recording whose records all carry one timestamp never
 * releases any by time), so past the cap the oldest are released at once
 * and counted as late: the order is no longer guaranteed, and late records
 * already make a verdict inconclusive.
 */
#ifndef SVATOP_PIPELINE_REORDER_H
#define SVATOP_PIPELINE_REORDER_H

#include <stddef.h>
#include <stdint.h>
#include "svatop/abi.h"

#define REORDER_MAX_HELD	(1u << 16)

struct reorder_item {
	struct svatop_event ev;
	uint64_t seq;
};

struct reorder {
	struct reorder_item *heap;	/* records older than the FIFO's tail */
	size_t len, cap;
	struct reorder_item *fifo;	/* ring, sorted: in-order arrivals */
	size_t fhead, flen, fcap;	/* fcap: 0 or a power of two */
	uint64_t seq;
	uint64_t max_ts;		/* newest timestamp pushed */
	uint64_t released_ts;		/* newest timestamp released */
	uint64_t late;			/* released older than an earlier one,
					 * or early, past the cap (overflow) */
	uint64_t overflow;		/* released early: more than max_held */
	size_t max_held;		/* REORDER_MAX_HELD unless a test sets it */
};

typedef int (*reorder_fn)(const struct svatop_event *ev, void *ctx);

void reorder_init(struct reorder *r);
void reorder_fini(struct reorder *r);
int reorder_push(struct reorder *r, const struct svatop_event *ev);
/* Release, oldest first, every record with ts <= limit (UINT64_MAX: all).
 * Stops at a non-zero return of fn and returns it. */
int reorder_release(struct reorder *r, uint64_t limit, reorder_fn fn, void *ctx);
/* Before a push: release the oldest records until fewer than max_held are
 * held (room for one); each counts as late (and overflow). */
int reorder_bound(struct reorder *r, reorder_fn fn, void *ctx);

#endif
