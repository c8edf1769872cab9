/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why a bind failed: the step of iommu_sva_bind_device() that failed and
 * the reason, from what svatop saw inside the bind. The tracer has no
 * event at the bind's entry, but every event of the bind comes from the
 * binding thread before its bind event (binds are serialized by the
 * kernel's iommu_sva_lock): a bind_tracker keeps, per thread, the events
 * since its last bind (pasid-alloc with its ret, attach attempts with
 * each IOMMU's answer, a derived domain birth), and explain_bind() judges
 * the failed bind over that window alone. Both are pure: no I/O, no
 * model writes. The views that have a model add the PASID space's holders
 * for -ENOSPC (explain_holders()).
 */
#ifndef SVATOP_ANALYZE_EXPLAIN_H
#define SVATOP_ANALYZE_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "svatop/abi.h"
#include "model/model.h"

enum bind_step {
	BIND_STEP_STUB,		/* the kernel's SVA stub: no PASID, no IOMMU asked */
	BIND_STEP_DEVICE,	/* the device: no IOMMU group (-ENODEV), no PASID
				 * capability (max_pasids 0: -ENOSPC for a new mm),
				 * the mm's PASID beyond its range (-EOVERFLOW) */
	BIND_STEP_PASID,	/* no PASID: the space is exhausted (-ENOSPC) */
	BIND_STEP_DOMAIN_ALLOC,	/* the IOMMU driver allocated no SVA domain */
	BIND_STEP_ATTACH,	/* every candidate domain refused by set_dev_pasid */
	BIND_STEP_BUSY,		/* -EBUSY: PASID bound to another mm, or mm not shareable */
	BIND_STEP_OTHER,	/* any other error before a step svatop sees */
	BIND_STEP_MAX
};

#define BIND_ATTEMPTS_MAX	8
#define BIND_HOLDERS_MAX	4
#define BIND_TRACKER_SLOTS	64

struct bind_attempt {
	uint64_t domain;
	int32_t ret;
	bool new_domain;	/* allocated by this bind (its users were 0) */
	char iommu_name[SVATOP_NAME_LEN];
};

/* The events of one thread since its last bind. */
struct bind_window {
	uint32_t pid;		/* 0: free slot */
	bool pasid_seen;
	int32_t pasid_ret;
	uint32_t pasid;
	bool max_pasids_known;	/* the pasid-alloc said the device's max_pasids */
	uint32_t max_pasids;
	bool domain_born;
	uint8_t nattach;
	bool truncated;		/* more attach attempts than kept */
	struct bind_attempt attach[BIND_ATTEMPTS_MAX];
};

/* Bounded: one slot per thread hash; a collision overwrites (binds are
 * serialized, so at most one thread is inside a bind at a time). */
struct bind_tracker {
	struct bind_window slot[BIND_TRACKER_SLOTS];
};

struct bind_holder {
	uint32_t tgid;
	uint32_t npasids;
	char comm[SVATOP_COMM_LEN];
};

struct bind_explain {
	enum bind_step step;
	int32_t ret;
	bool pasid_seen;	/* a PASID allocation was seen in the bind */
	uint32_t pasid;		/* the PASID the bind used, 0: none */
	bool max_pasids_known;	/* the device's max_pasids was seen */
	uint32_t max_pasids;	/* 0: the device has no PASID capability */
	uint8_t nattach;
	struct bind_attempt attach[BIND_ATTEMPTS_MAX];
	uint8_t nholders;	/* -ENOSPC, with a model: the space's holders */
	uint32_t pasids_held;	/* PASIDs held in all */
	struct bind_holder holders[BIND_HOLDERS_MAX];
	char why[160];		/* one line */
};

/* "stub", "device", "pasid", "domain-alloc", "attach", "busy", "other". */
const char *bind_step_name(enum bind_step step);

/* Feed every event in arrival order; returns the window a BIND event
 * closes (copied to *w, the slot cleared), true when ev is a BIND. */
bool bind_tracker_feed(struct bind_tracker *t, const struct svatop_event *ev,
		       struct bind_window *w);

/* The failed bind ev (ret != 0) judged over its window w. */
void explain_bind(const struct svatop_event *ev, const struct bind_window *w,
		  struct bind_explain *out);

/* -ENOSPC: name the processes holding PASIDs, most first. */
void explain_holders(const struct model *m, struct bind_explain *x);

#endif
