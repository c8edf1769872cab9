// SPDX-License-Identifier: GPL-2.0
/* The IOPF table (see iopf.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/iopf.h"

uint64_t iopf_hist_count(const __u64 hist[IOPF_HIST_SLOTS])
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < IOPF_HIST_SLOTS; i++)
		n += hist[i];
	return n;
}

uint64_t iopf_hist_quantile_us(const __u64 hist[IOPF_HIST_SLOTS], double q)
{
	uint64_t n = iopf_hist_count(hist), seen = 0, rank;
	int i;

	if (!n)
		return 0;
	rank = (uint64_t)(q * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < IOPF_HIST_SLOTS; i++) {
		seen += hist[i];
		if (seen >= rank)
			break;
	}
	if (i >= IOPF_HIST_SLOTS)
		i = IOPF_HIST_SLOTS - 1;
	return 2ULL << i;
}

void iopf_stats_add(struct iopf_stats *a, const struct iopf_stats *b)
{
	int i;

	a->reports += b->reports;
	a->partial += b->partial;
	for (i = 0; i < IOPF_OUTCOMES; i++)
		a->outcomes[i] += b->outcomes[i];
	a->unmatched += b->unmatched;
	a->latency_sum_ns += b->latency_sum_ns;
	if (b->latency_max_ns > a->latency_max_ns)
		a->latency_max_ns = b->latency_max_ns;
	for (i = 0; i < IOPF_HIST_SLOTS; i++)
		a->hist[i] += b->hist[i];
	a->handled += b->handled;
	a->handler_errors += b->handler_errors;
}

static const struct iopf_row *row_find(const struct iopf_table *t, const struct iopf_row *r)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->rows[i].dev == r->dev && t->rows[i].pasid == r->pasid &&
		    t->rows[i].key_tgid == r->key_tgid)
			return &t->rows[i];
	return NULL;
}

int iopf_table_update(struct iopf_table *t, const struct iopf_row *rows, size_t n,
		      uint64_t now_ns)
{
	struct iopf_row *nr;
	size_t i;

	nr = calloc(n ? n : 1, sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct iopf_row *old = row_find(t, &rows[i]);

		nr[i] = rows[i];
		nr[i].prev_reports = old ? old->s.reports : rows[i].s.reports;
		if (!old && t->read_ns)
			nr[i].prev_reports = 0;	/* new since the last read */
	}
	t->interval_s = t->read_ns && now_ns > t->read_ns ?
			(double)(now_ns - t->read_ns) / 1e9 : 0;
	t->read_ns = now_ns;
	free(t->rows);
	t->rows = nr;
	t->n = t->cap = n;
	return 0;
}

void iopf_table_fini(struct iopf_table *t)
{
	free(t->rows);
	t->rows = NULL;
	t->n = t->cap = 0;
	free(t->invals);
	t->invals = NULL;
	t->ninvals = 0;
}

int iopf_invals_update(struct iopf_table *t, const struct iopf_inval_row *rows, size_t n)
{
	struct iopf_inval_row *nr;

	if (n > IOPF_INVALS_MAX)
		n = IOPF_INVALS_MAX;
	nr = calloc(n ? n : 1, sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	if (n)
		memcpy(nr, rows, n * sizeof(*nr));
	free(t->invals);
	t->invals = nr;
	t->ninvals = n;
	return 0;
}

const struct iopf_inval_row *iopf_invals_of_mm(const struct iopf_table *t, uint64_t mm)
{
	size_t i;

	for (i = 0; i < t->ninvals; i++)
		if (t->invals[i].mm == mm)
			return &t->invals[i];
	return NULL;
}

size_t iopf_invals_sum(const struct iopf_table *t, uint32_t tgid, struct iopf_inval_stats *sum)
{
	size_t i, n = 0;

	memset(sum, 0, sizeof(*sum));
	sum->tgid = tgid;
	for (i = 0; i < t->ninvals; i++) {
		const struct iopf_inval_stats *s = &t->invals[i].s;

		if (s->tgid != tgid)
			continue;
		sum->ranges += s->ranges;
		sum->pages += s->pages;
		sum->flushes += s->flushes;
		n++;
	}
	return n;
}

size_t iopf_table_sum(const struct iopf_table *t, uint32_t tgid, uint64_t dev,
		      struct iopf_stats *sum, double *rate)
{
	uint64_t delta = 0;
	size_t i, n = 0;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < t->n; i++) {
		const struct iopf_row *r = &t->rows[i];

		if (r->s.tgid != tgid || (dev && r->dev != dev))
			continue;
		iopf_stats_add(sum, &r->s);
		delta += r->s.reports - r->prev_reports;
		n++;
	}
	if (rate)
		*rate = t->interval_s > 0 ? (double)delta / t->interval_s : 0;
	return n;
}
