/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Device page faults (IOPF) aggregated in the kernel: the map records
 * bpf/iopf.bpf.c fills and its loaders (svatop's src/source/iopf.c and the
 * lab's tools/iopf/iopfstat.c) read. Kept apart from include/svatop/abi.h:
 * IOPF is a separate object loaded beside svatop.bpf.c, and its
 * aggregates are read from maps, not streamed as lifecycle events.
 */
#ifndef SVATOP_IOPF_H
#define SVATOP_IOPF_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define IOPF_HIST_SLOTS		32	/* log2 of microseconds; slot 0: < 2 us */
#define IOPF_DEV_NAME_LEN	32
#define IOPF_COMM_LEN		16
#define IOPF_NO_PASID		0xffffffffU	/* a request without a PASID */

/* How a page request ended, as the kernel answered it. */
enum iopf_outcome {
	IOPF_SUCCESS,	/* iopf_group_response(IOMMU_PAGE_RESP_SUCCESS) */
	IOPF_INVALID,	/* ... INVALID: no mapping, or the access is not allowed */
	IOPF_FAILURE,	/* ... FAILURE: the handler could not be run */
	IOPF_REFUSED,	/* iommu_report_device_fault() failed: no handler */
	IOPF_OUTCOMES,
};

/*
 * Per device, PASID and owning process; the device is a kernel pointer,
 * identity only. A fault is counted when it is answered, under the owner
 * of the PASID's mm at that time (0: unknown, e.g. refused: no mm), so a
 * PASID freed and given to another process starts a new row.
 */
struct iopf_key {
	__u64 dev;
	__u32 pasid;
	__u32 tgid;
};

struct iopf_stats {
	__u64 reports;			/* page request groups (last pages), counted when answered */
	__u64 partial;			/* other pages (answered with their group) */
	__u64 outcomes[IOPF_OUTCOMES];
	__u64 unmatched;		/* answers to requests reported before the load */
	__u64 latency_sum_ns;		/* report to the return of the response */
	__u64 latency_max_ns;
	__u64 hist[IOPF_HIST_SLOTS];	/* latencies by log2(us) */
	__u32 tgid;			/* owner of the PASID's mm, at the last answer */
	__u32 pad;
	char comm[IOPF_COMM_LEN];
	char dev_name[IOPF_DEV_NAME_LEN];
	__u64 handled;			/* groups the SVA handler took */
	__u64 handler_errors;		/* ... and could not queue (answered FAILURE) */
};

/*
 * One answered page request, on the iopf_events ring buffer only when the
 * loader set emit_events (svatop trace): top and the exporter read the
 * aggregates and put nothing on the ring buffer.
 */
struct iopf_event {
	__u64 ts_ns;			/* the answer (iopf_group_response entered), CLOCK_MONOTONIC */
	__u64 dev;			/* struct device * */
	__u64 addr;			/* the faulting address (page) */
	__u64 latency_ns;		/* report to answer; 0: report not seen */
	__u32 pasid;			/* IOPF_NO_PASID: none */
	__u32 grpid;
	__u32 outcome;			/* enum iopf_outcome */
	__u32 perm;			/* IOMMU_FAULT_PERM_*: 1 read, 2 write, 4 exec, 8 priv */
	__u32 tgid;			/* owner of the PASID's mm, 0: unknown */
	__u32 matched;			/* the report was seen */
	char comm[IOPF_COMM_LEN];
	char dev_name[IOPF_DEV_NAME_LEN];
};

_Static_assert(sizeof(struct iopf_event) == 104, "struct iopf_event: fixed size");

/* Opt-in: TLB flushes of SVA mms (secondary TLBs: the IOTLBs), per mm. */
struct iopf_inval_stats {
	__u64 ranges;			/* range flushes */
	__u64 pages;			/* pages they covered */
	__u64 flushes;			/* whole-mm flushes */
	__u32 tgid;
	__u32 pad;
};

#endif /* SVATOP_IOPF_H */
