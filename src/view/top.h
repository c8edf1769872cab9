/* SPDX-License-Identifier: GPL-2.0 */
/* The top view's per-process table, shared by batch and interactive modes. */
#ifndef SVATOP_VIEW_TOP_H
#define SVATOP_VIEW_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "analyze/analyzer.h"
#include "model/model.h"
#include "view/options.h"

struct session;

enum top_sort {
	TOP_SORT_PID, TOP_SORT_COMM, TOP_SORT_PASID, TOP_SORT_DOMAINS,
	TOP_SORT_DEVS, TOP_SORT_BINDS, TOP_SORT_UNBINDS, TOP_SORT_ERRORS,
	TOP_SORT_AGE, TOP_SORT_MAX
};

struct top_row {
	uint64_t mm;
	uint32_t uid;
	uint32_t pid;
	char comm[SVATOP_COMM_LEN];
	uint32_t pasid;
	uint32_t ndomains, ndevs;
	bool devs_unknown;	/* domains bound before start: devices unseen */
	uint32_t binds, unbinds, errors;
	double binds_s, unbinds_s;
	uint64_t age_ns;
	char state;		/* R running, X exited, F being freed */
	char leaks[8];		/* B bond, D domain, M mm, P PASID; "-" none */
	/* Device page faults of the process, all devices (m->iopf). */
	double iopf_s;
	uint64_t iopf_faults, iopf_fails, iopf_p50_us, iopf_p99_us;
};

/* The previous frame's counters, for the per-second rates. */
struct top_prev {
	struct top_prev_ent {
		uint32_t uid, binds, unbinds;
	} *v;
	size_t n;
};

struct top_opts {
	uint32_t pid;		/* 0: all */
	const char *dev;	/* NULL: all */
	enum top_sort sort;
	bool reverse;		/* flip the natural order of the sort key */
	bool json;
};

void top_prev_init(struct top_prev *p);
void top_prev_fini(struct top_prev *p);
/* Rows for every process with SVA state (or failed binds) matching o
 * (NULL: all); prev is updated to this frame. Returns the row count, the
 * rows in *out (free() them). */
size_t top_collect(const struct model *m, const struct analyzer *a, uint64_t now,
		   const struct top_opts *o, struct top_prev *prev, double interval_s,
		   struct top_row **out);
void top_sort(struct top_row *rows, size_t n, enum top_sort key, bool descending);
const char *top_sort_name(enum top_sort key);
/* One batch frame: the totals line and the table (or one JSON object). */
void top_print_batch(FILE *out, const struct model *m, const struct analyzer *a,
		     uint64_t now, const struct top_opts *o, struct top_prev *prev,
		     double interval_s, uint64_t dropped);

/* The key named s, or -1. */
int top_sort_from_name(const char *s);
/* Whether a key sorts biggest first unless reversed (rates, counts, age). */
bool top_natural_descending(enum top_sort key);

#define TOP_HEADER "    PID COMM             S PASID DOMS DEVS BINDS/s UNBND/s  ERRS  IOPF/s    P50    P99 PFAIL      AGE LEAKS"
/* The totals line and one row of the table, as text. */
int top_format_totals(char *buf, size_t len, const struct model *m,
		      const struct analyzer *a, uint64_t now, uint64_t dropped);
int top_format_row(char *buf, size_t len, const struct top_row *r);

/* The command's arguments (top.c), which the screen changes with its keys. */
struct top_args {
	struct top_opts o;
	bool batch;
	double interval;
	unsigned long count;
	int npos;
	double grace;
	bool stream;		/* --stream: no state mode */
	struct common_args c;
};

#define TOP_OPT_STREAM	0x100

/* The interactive screen until q or a signal (top_screen.c). */
int top_interactive(struct session *s, struct top_args *a);

#endif
