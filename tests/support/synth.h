/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A synthetic SVA kernel: emits the event sequences the tracer emits on
 * 7.3 (DESIGN.md §1) for binds, unbinds, exits, the final mmdrop, forks and
 * the start-up snapshot, with slab-like address reuse (a freed address is
 * handed out again first). Used by unit tests, benchmarks and demos; bugs
 * are injected by emitting events by hand with synth_event().
 */
#ifndef SVATOP_TESTS_SYNTH_H
#define SVATOP_TESTS_SYNTH_H

#include <stdbool.h>
#include <stdint.h>
#include "svatop/abi.h"

#define SYNTH_MAX_DOMAINS	8
#define SYNTH_MAX_BONDS		8
#define SYNTH_RECYCLE		64

typedef void (*synth_emit_fn)(const struct svatop_event *ev, void *ctx);

struct synth_dev {
	uint64_t ptr, iommu;
	char name[SVATOP_NAME_LEN];
	char iommu_name[SVATOP_NAME_LEN];
};

struct synth_proc {
	uint32_t tgid;
	char comm[SVATOP_COMM_LEN];
	uint64_t mm, iommu_mm;
	uint32_t pasid;
	bool exited, freed;
	struct {
		uint64_t ptr, iommu;
		int users;
	} dom[SYNTH_MAX_DOMAINS];
	int ndom;
	struct {
		uint64_t handle, dev, domain;
		int users;
	} bond[SYNTH_MAX_BONDS];
	int nbond;
	uint64_t binds, unbinds;	/* successful ones, for state mode */
};

struct synth {
	uint64_t ts;			/* advances 1 µs per event */
	uint32_t next_pasid;
	uint64_t next_ptr;
	uint64_t recycled[SYNTH_RECYCLE];
	int nrecycled;
	int32_t next_stack;
	synth_emit_fn emit;
	void *ctx;
	/* Emit what the kernel side streams in state mode (docs/design.md):
	 * no successful bind/unbind/attach/detach/domain record; PASID
	 * allocations name their mm; the final MMDROP carries the tally. */
	bool state_mode;
	/* As the kernel side with stack_domain_from_bind: a domain born in a
	 * bind carries no stack of its own (the bind's names it). */
	bool domain_stack_from_bind;
};

void synth_init(struct synth *s, synth_emit_fn emit, void *ctx);
void synth_dev_init(struct synth_dev *d, uint64_t ptr, const char *name,
		    uint64_t iommu, const char *iommu_name);
/* A new process with its own mm (no SVA state yet). */
void synth_proc_init(struct synth *s, struct synth_proc *p, uint32_t tgid,
		     const char *comm);
/* A zeroed event of type with the clock advanced and p's identity. */
void synth_event(struct synth *s, struct svatop_event *ev, int type,
		 const struct synth_proc *p);
/* iommu_sva_bind_device(dev, p->mm): returns the bond index or -1. */
int synth_bind(struct synth *s, struct synth_proc *p, const struct synth_dev *d);
void synth_unbind(struct synth *s, struct synth_proc *p, int bond);
/* The process exits (sched_process_exit of the leader). */
void synth_exit(struct synth *s, struct synth_proc *p);
/* The final mmdrop, from another task: only once no domain pins the mm. */
bool synth_mm_release(struct synth *s, struct synth_proc *p);
/* Emit the start-up snapshot of procs, then SNAP_END. */
void synth_snapshot(struct synth *s, struct synth_proc **procs, int n);
/* State mode: a periodic re-walk of procs (SNAP_MM, SNAP_DOMAIN and
 * SNAP_BOND with SVATOP_F_RESYNC, then SNAP_END). */
void synth_resync(struct synth *s, struct synth_proc **procs, int n);
/* fork: PROC_FORK + FORK of a child; shares_bug: child keeps iommu_mm. */
void synth_fork(struct synth *s, const struct synth_proc *parent,
		struct synth_proc *child, uint32_t child_tgid, bool shares_bug);
uint64_t synth_alloc_ptr(struct synth *s);
void synth_free_ptr(struct synth *s, uint64_t ptr);

#endif
