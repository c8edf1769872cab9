/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark's workload: a population of processes driving the
 * synthetic SVA kernel (src/model/synth.h) with a realistic mix of binds
 * (1:1 and 1:n), re-binds, unbinds, forks, exits with and without unbind,
 * and the deferred final mmdrop. Deterministic for a given seed.
 */
#ifndef SVATOP_BENCH_GEN_H
#define SVATOP_BENCH_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include "synth.h"

#define GEN_NDEVS	6	/* 3 behind each of two IOMMU instances */

struct gen_slot {
	struct synth_proc p;
	bool used;
};

struct gen_counts {
	uint64_t binds, rebinds, one_to_n, unbinds, forks, exits,
		 exits_bound, releases;
};

struct gen {
	struct synth s;
	struct synth_dev dev[GEN_NDEVS];
	struct gen_slot *slot;
	uint32_t nslots;
	uint32_t next_tgid;
	uint64_t rng;
	struct gen_counts cnt;
};

/* nslots: processes alive at once; events go to emit(ev, ctx). */
int gen_init(struct gen *g, uint32_t nslots, uint64_t seed,
	     synth_emit_fn emit, void *ctx);
void gen_fini(struct gen *g);
/* One step of the mix on a random process (a few events). */
void gen_step(struct gen *g);
/* Every process unbinds, exits and is released: the model ends empty of
 * mms, PASIDs, domains and bonds. */
void gen_drain(struct gen *g);

#endif
