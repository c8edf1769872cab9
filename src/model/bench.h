/* SPDX-License-Identifier: GPL-2.0 */
/* Model benchmarks on synthetic events (make bench-model prints them). */
#ifndef SVATOP_MODEL_BENCH_H
#define SVATOP_MODEL_BENCH_H

#include <stddef.h>
#include <stdint.h>

struct model_bench_result {
	uint64_t events;
	double seconds;			/* feeding them through analyzer + model */
	size_t objects, bytes;		/* live at the end (full-space run) */
	double leak_scan_seconds;	/* one analyzer_leaks() over the model */
	unsigned int findings;
};

/* nproc processes bind two devices (1:n), exit, unbind, are released;
 * the model ends empty. */
int model_bench_cycles(uint32_t nproc, struct model_bench_result *r);
/* npasid processes bind and stay: that many live PASIDs, domains, bonds,
 * mms; then half of them exit, and one leak scan runs. */
int model_bench_live(uint32_t npasid, struct model_bench_result *r);

#endif
