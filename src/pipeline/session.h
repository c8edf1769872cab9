/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The session: the one pipeline every command runs.
 *
 *   source ──▶ [arrival observers] ──▶ reorder ──▶ analyzer_before()
 *          ──▶ model_apply() ──▶ analyzer_after() ──▶ [applied observers]
 *
 * The session owns the source, the reorder buffer, the model and the
 * analyzer; it is the only code that changes the model. Views read
 * s->m and s->a between polls. Per-event consumers register observers:
 * at arrival (records as the source delivers them, in arrival order:
 * trace, record) or once applied (in timestamp order, after the model
 * and the rules: the exporter's counters). A stream session (trace,
 * record) has no model: its records go to the arrival observers only.
 *
 * A source may deliver state (snapshot records, or state a source reads
 * from kernel maps at an interval) as well as events; both go the same
 * way, and the model merges state with what it already knows.
 */
#ifndef SVATOP_PIPELINE_SESSION_H
#define SVATOP_PIPELINE_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include "analyze/analyzer.h"
#include "model/model.h"
#include "pipeline/reorder.h"
#include "source/source.h"

struct iopf_source;

/* Records from different CPUs are put back in order within this window. */
#define SESSION_REORDER_NS	(50ULL * 1000000ULL)
#define SESSION_MAX_OBSERVERS	4

enum session_stage {
	SESSION_ON_ARRIVAL,	/* as delivered, before the reorder buffer */
	SESSION_ON_APPLIED,	/* in time order, after the model and the rules */
};

/* A non-zero return stops the poll and becomes session_poll()'s error. */
typedef int (*session_observer_fn)(const struct svatop_event *ev, void *ctx);

struct session_observer {
	session_observer_fn fn;
	void *ctx;
};

struct session {
	struct source *src;
	bool live;		/* the kernel, not a recording */
	bool ended;		/* a finite source delivered everything */
	bool stream;		/* no model: arrival observers only */
	int err;		/* the source's failure, sticky */
	struct model m;
	struct analyzer a;
	struct reorder r;
	struct session_observer arrival[SESSION_MAX_OBSERVERS];
	struct session_observer applied[SESSION_MAX_OBSERVERS];
	unsigned int narrival, napplied;
	/* Device page-fault accounting beside the live source (open.c);
	 * NULL when not loaded (a recording, or a kernel without it). */
	struct iopf_source *iopf;
	void (*iopf_close)(struct iopf_source *);
	/* State mode: mms whose kernel counts found no room (tally map full). */
	uint64_t tally_full;
	/* State mode: re-walks made and skipped (nothing changed), and what
	 * the last one saw (session_state_sync). */
	uint64_t state_walks, state_walks_skipped;
	uint64_t state_sig, state_walk_ns;
};

/* State mode: the longest a frame goes without a re-walk when nothing
 * svatop sees changed. */
#define SESSION_RESYNC_MAX_NS	(10ULL * 1000000000ULL)

/* A session without a source (tests, benchmarks): records are handed in
 * with session_feed() or session_apply(). */
int session_init(struct session *s, uint64_t grace_ns);
/* A model session on the recording at replay, else on the live kernel. */
int session_open(struct session *s, const char *replay, const struct live_opts *lo,
		 uint64_t grace_ns);
/* A stream session (no model, no reorder): trace and record. */
int session_open_stream(struct session *s, const char *replay, const struct live_opts *lo);
/* Use src (owned by the session from now on) as the session's source. */
void session_set_source(struct session *s, struct source *src, bool live);
void session_close(struct session *s);

int session_observe(struct session *s, enum session_stage stage, session_observer_fn fn,
		    void *ctx);

/* Deliver what the source has (waiting up to timeout_ms) through the
 * pipeline. Returns 0, or -errno when the source or an observer failed
 * (a source failure is reported once). */
int session_poll(struct session *s, int timeout_ms);
/* Apply what the reorder window lets go (session_poll does it after each
 * poll): live, records older than now - window; from a recording, older
 * than the newest record - window. */
void session_release(struct session *s);
/* Apply everything still held back (before a final verdict). */
void session_flush(struct session *s);
/* One record through the reorder buffer (released by session_poll's
 * window or session_flush) / one record, already in order, straight
 * through rules and model. */
int session_feed(struct session *s, const struct svatop_event *ev);
int session_apply(struct session *s, const struct svatop_event *ev);

/* "Now" on the events' clock: the kernel's CLOCK_MONOTONIC when live,
 * the newest record's time when reading a recording. */
uint64_t session_now(const struct session *s);
/* Records lost by the source, plus records that arrived too late to be
 * put back in order: either way the model may be wrong. */
uint64_t session_dropped(struct session *s);
/* Of those, the calls the kernel skipped (recursion misses). */
uint64_t session_missed(struct session *s);
/* Device page faults (pipeline/open.c). Read the kernel's aggregates into
 * s->m.iopf (owners the kernel did not name come from the model's PASIDs):
 * views call it once per frame. */
int session_iopf_refresh(struct session *s);
/* State mode (s->m.state_mode, docs/design.md): re-walk the kernel's SVA
 * state and read its counts into the model; views call it once per frame,
 * before they read the model. Takes about SESSION_REORDER_NS. A no-op
 * otherwise. */
int session_state_sync(struct session *s);
/* trace: deliver the per-fault records waiting (s opened with
 * lo->iopf_events). Returns how many, or -errno. */
int session_iopf_poll(struct session *s, int timeout_ms,
		      int (*fn)(const struct iopf_event *ev, void *ctx), void *ctx);

/* Symbolized frames of a kernel stack id (0 when the source has none). */
int session_stack(struct session *s, int32_t stack_id, char frames[][64], int max);

#endif
