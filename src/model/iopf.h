/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Device page faults (IOPF) as the views see them: the kernel's aggregates
 * per (device, PASID) (bpf/iopf.bpf.c), read by src/source/iopf.c into this
 * table at each frame, with the previous frame's counts for the rates. Pure
 * C: no libbpf, no I/O.
 */
#ifndef SVATOP_MODEL_IOPF_H
#define SVATOP_MODEL_IOPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "svatop/iopf.h"

struct iopf_row {
	uint64_t dev;			/* struct device *: identity only */
	uint32_t pasid;			/* IOPF_NO_PASID: none */
	uint32_t key_tgid;		/* the kernel's key: owner at the answer, 0 unknown */
	struct iopf_stats s;		/* as the kernel counted (tgid/comm: owner) */
	uint64_t prev_reports;		/* at the previous read */
};

/* Opt-in (--iotlb): TLB flushes of one SVA mm, as the kernel counted them. */
struct iopf_inval_row {
	uint64_t mm;			/* struct mm_struct *: identity only */
	struct iopf_inval_stats s;	/* tgid: the mm's owner at its first flush */
};

/* At most as many mms as the kernel's map holds (bpf/iopf.bpf.c invals). */
#define IOPF_INVALS_MAX		4096

struct iopf_table {
	bool active;			/* the IOPF programs are attached */
	bool invals_on;			/* ... with the IOTLB invalidation hook */
	char why[200];			/* else: why not (one line) */
	struct iopf_row *rows;
	size_t n, cap;
	double interval_s;		/* between the last two reads; 0: first */
	uint64_t read_ns;
	struct iopf_inval_row *invals;	/* per SVA mm (invals_on), at most IOPF_INVALS_MAX */
	size_t ninvals;
};

/* Page requests answered unsuccessfully: invalid, failure, refused. */
static inline uint64_t iopf_failures(const struct iopf_stats *s)
{
	return s->outcomes[IOPF_INVALID] + s->outcomes[IOPF_FAILURE] +
	       s->outcomes[IOPF_REFUSED];
}

/* Answers with a measured latency (in the histogram). */
uint64_t iopf_hist_count(const __u64 hist[IOPF_HIST_SLOTS]);
/* The q-quantile (0 < q <= 1) of a log2 histogram of microseconds, as the
 * upper bound of its slot (slot i: [2^i, 2^(i+1)) us; slot 0: [0, 2));
 * 0 when the histogram is empty. */
uint64_t iopf_hist_quantile_us(const __u64 hist[IOPF_HIST_SLOTS], double q);
/* Add b's counts into a (a's identity stays). */
void iopf_stats_add(struct iopf_stats *a, const struct iopf_stats *b);

/* Replace the table's rows with rows[0..n) (copied), keeping each row's
 * previous reports for the rates; now_ns is the read time. */
int iopf_table_update(struct iopf_table *t, const struct iopf_row *rows, size_t n,
		      uint64_t now_ns);
void iopf_table_fini(struct iopf_table *t);
/* Replace the per-mm invalidation rows with rows[0..n) (copied; the first
 * IOPF_INVALS_MAX only). Returns 0 or -ENOMEM (the old rows stay). */
int iopf_invals_update(struct iopf_table *t, const struct iopf_inval_row *rows, size_t n);
/* The row of mm, or NULL. */
const struct iopf_inval_row *iopf_invals_of_mm(const struct iopf_table *t, uint64_t mm);
/* Sum of the mms owned by tgid into *sum (its tgid set). Returns how many. */
size_t iopf_invals_sum(const struct iopf_table *t, uint32_t tgid, struct iopf_inval_stats *sum);
/* Sum of the rows owned by tgid (and of dev, when dev is non-zero): the
 * counts in *sum, the page requests per second in *rate. Returns the
 * number of rows summed. */
size_t iopf_table_sum(const struct iopf_table *t, uint32_t tgid, uint64_t dev,
		      struct iopf_stats *sum, double *rate);

#endif
