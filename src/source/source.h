/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sources: where svatop_event records come from. The live BPF source and
 * the record-file reader implement the same interface, so every model,
 * analyzer and view works on either. A source delivers two kinds of
 * record through poll(): events (something happened) and state (what
 * exists: the snapshot records, SVATOP_F_SNAPSHOT). A source that reads
 * state from kernel maps at an interval delivers state records the same
 * way; the session and the model need nothing new for it.
 */
#ifndef SVATOP_SOURCE_H
#define SVATOP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "svatop/abi.h"

struct source;

/* Called for every record in order; a non-zero return stops the poll and
 * is returned by source_poll(). */
typedef int (*source_event_fn)(const struct svatop_event *ev, void *ctx);

struct source_stats {
	uint64_t submitted;	/* records the kernel side committed */
	/* events lost: records that found the ring buffer full, and calls
	 * the kernel skipped (recursion misses) */
	uint64_t dropped;
	uint64_t missed;	/* of dropped: the skipped calls */
	uint64_t delivered;	/* records handed to the callback */
	uint64_t dropped_by_type[SVATOP_EV_MAX];	/* ring buffer full, per event type */
	/* recursion misses, per event type (in dropped, not dropped_by_type;
	 * an upper bound for hooks that report only for SVA state) */
	uint64_t missed_by_type[SVATOP_EV_MAX];
};

/*
 * State mode (docs/design.md, "State mode"): what the kernel counted
 * instead of streaming. Totals since the source opened; per mm, the live
 * mms' counts (an mm's final counts come with its MMDROP record).
 */
struct source_tally {
	uint64_t mm;
	uint64_t binds, unbinds;
};

struct source_state {
	uint64_t binds, unbinds, domain_allocs, domain_frees;
	uint64_t tally_full;		/* mms whose counts found no room */
	struct source_tally *mms;	/* malloc'd, the caller frees */
	size_t nmms;
};

struct source_ops {
	/* Deliver what is available, waiting at most timeout_ms (-1: forever).
	 * Returns the number of records delivered, 0 on timeout, -ENODATA at
	 * the end of a finite source, another -errno on failure, or the
	 * callback's non-zero return. -EBADMSG: the input is damaged and the
	 * source has already said where and how (one line for the user). */
	int (*poll)(struct source *src, int timeout_ms, source_event_fn fn,
		    void *ctx);
	void (*stats)(struct source *src, struct source_stats *out);
	void (*close)(struct source *src);
	/* Optional: a short description of the kernel/recording (may be NULL). */
	const char *(*describe)(struct source *src);
	/* Optional: symbolize a kernel stack id into up to max frames of
	 * "func+0xoff"; returns the number of frames, or -errno. */
	int (*stack)(struct source *src, int32_t stack_id, char frames[][64], int max);
	/* Optional, state mode: start a re-walk of the kernel's SVA state
	 * (its records arrive through poll, SVATOP_F_RESYNC) / read the
	 * counts: the totals, and with per_mm each live mm's too (a walk of
	 * the kernel's map). -EOPNOTSUPP when the source is not in state mode. */
	int (*resync)(struct source *src);
	int (*state)(struct source *src, struct source_state *out, bool per_mm);
};

struct source {
	const struct source_ops *ops;
};

static inline int source_poll(struct source *src, int timeout_ms,
			      source_event_fn fn, void *ctx)
{
	return src->ops->poll(src, timeout_ms, fn, ctx);
}

static inline void source_stats(struct source *src, struct source_stats *out)
{
	src->ops->stats(src, out);
}

/* Frames of a stack id, 0 when the source has no stacks (a recording). */
static inline int source_stack(struct source *src, int32_t stack_id, char frames[][64],
			       int max)
{
	int n;

	if (!src || stack_id < 0 || !src->ops->stack)
		return 0;
	n = src->ops->stack(src, stack_id, frames, max);
	return n < 0 ? 0 : n;
}

/* "N lost (R ring buffer full, M calls the kernel skipped)", for the
 * closing line of trace and record (open.c). */
void source_loss_text(const struct source_stats *st, char *buf, size_t n);

static inline const char *source_describe(struct source *src)
{
	return src->ops->describe ? src->ops->describe(src) : NULL;
}

static inline void source_close(struct source *src)
{
	if (src)
		src->ops->close(src);
}

/* Options of the live BPF source. */
struct live_opts {
	uint32_t target_tgid;	/* 0: every process */
	bool collect_stacks;	/* kernel stacks at allocation sites */
	/* A domain born in a bind carries no stack of its own: the model
	 * gives it the bind's (one unwind per bind, not two). For the views
	 * that only name allocation sites (top, leaks, check). */
	bool stack_domain_from_bind;
	bool snapshot;		/* run the task iterator first (default on) */
	bool verbose;		/* libbpf debug output */
	bool force_kprobe;	/* never use fentry (testing the fallback) */
	bool iopf_events;	/* device page faults: one record each (trace) */
	bool iopf_invalidations; /* device page faults: the opt-in IOTLB hook */
	bool state_mode;	/* counts and re-walks instead of hot events
				 * (where the kernel allows: live_state_mode()) */
	/* With state_mode: the hooks test the rules that need no state and
	 * stream the events that fail them (leaks, check) */
	bool hook_rules;
};

struct sva_report;
/* A live source's classification of the running kernel (src/probe/
 * verdict.h), valid until the source closes; NULL for other sources. */
const struct sva_report *source_live_report(struct source *src);
/* Whether a live source is in state mode (false for any other source). */
bool source_state_mode(struct source *src);

/* Live source: loads and attaches the BPF programs. On failure returns
 * -errno and prints one line saying what is missing. */
int live_source_open(struct source **out, const struct live_opts *opts);

/* Record-file source (svatop record): every record of FILE, in order, then
 * -ENODATA. Prints one line naming the problem (and offset) on failure. */
int file_source_open(struct source **out, const char *path);

/* What every view calls: the recording at replay_path when it is set,
 * else the live kernel with opts. Prints the reason on failure. */
int source_open(struct source **out, const char *replay_path,
		const struct live_opts *opts);

#endif /* SVATOP_SOURCE_H */
