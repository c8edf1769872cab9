/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Device page-fault accounting (bpf/iopf.bpf.c), loaded beside the main
 * BPF object by live sessions. Optional: on a kernel without the IOPF
 * hooks (see `svatop probe`'s iopf rows) opening fails with the reason
 * and svatop runs without it.
 */
#ifndef SVATOP_SOURCE_IOPF_H
#define SVATOP_SOURCE_IOPF_H

#include <stdbool.h>
#include <stddef.h>
#include "model/iopf.h"

struct iopf_source;

struct sva_report;

struct iopf_opts {
	bool events;		/* one struct iopf_event per answer (trace) */
	bool invalidations;	/* the opt-in IOTLB invalidation hook */
	/* The live source's classification of this kernel, reused (reading
	 * BTF and kallsyms again costs seconds under TCG); NULL: read them. */
	const struct sva_report *report;
};

/* Load and attach. Returns 0, or -errno with the reason in why. */
int iopf_source_open(struct iopf_source **out, const struct iopf_opts *o, char *why,
		     size_t len);
void iopf_source_close(struct iopf_source *src);
/* Every (device, PASID) row the kernel counted: *rows (free()), count. */
int iopf_source_read(struct iopf_source *src, struct iopf_row **rows, size_t *n);
/* Whether the opt-in invalidation hook is attached (asked for, and the
 * kernel has its function). */
bool iopf_source_has_invals(const struct iopf_source *src);
/* The opt-in IOTLB invalidations per SVA mm (none without the hook). */
int iopf_source_read_invals(struct iopf_source *src, struct iopf_inval_row **rows, size_t *n);
/* Deliver the per-answer records waiting (events only), at most
 * timeout_ms. Returns how many, or -errno. */
typedef int (*iopf_event_fn)(const struct iopf_event *ev, void *ctx);
int iopf_source_poll(struct iopf_source *src, int timeout_ms, iopf_event_fn fn, void *ctx);

#endif
