// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include "analyze/analyzer.h"
#include "model/bench.h"
#include "model/synth.h"

struct bench_ctx {
	struct model m;
	struct analyzer a;
	uint64_t events;
};

static void bench_feed(const struct svatop_event *ev, void *ctx)
{
	struct bench_ctx *b = ctx;

	analyzer_event(&b->a, &b->m, ev);
	b->events++;
}

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void count_finding(const struct finding *f, void *ctx)
{
	(void)f;
	(*(unsigned int *)ctx)++;
}

static void devs(struct synth_dev *d0, struct synth_dev *d1)
{
	synth_dev_init(d0, 0xffff888100001000ULL, "dev0", 0xffff888100900000ULL, "iommu0");
	synth_dev_init(d1, 0xffff888100002000ULL, "dev1", 0xffff888100a00000ULL, "iommu1");
}

int model_bench_cycles(uint32_t nproc, struct model_bench_result *r)
{
	struct bench_ctx *b = calloc(1, sizeof(*b));
	struct synth_dev d0, d1;
	struct synth_proc p;
	struct synth s;
	double t0;
	uint32_t i;

	if (!b || model_init(&b->m)) {
		free(b);
		return -ENOMEM;
	}
	analyzer_init(&b->a, ANALYZER_DEFAULT_GRACE_NS);
	synth_init(&s, bench_feed, b);
	devs(&d0, &d1);
	t0 = seconds_now();
	for (i = 0; i < nproc; i++) {
		synth_proc_init(&s, &p, 1000 + i, "bench");
		synth_bind(&s, &p, &d0);
		synth_bind(&s, &p, &d1);
		synth_exit(&s, &p);
		synth_unbind(&s, &p, 1);
		synth_unbind(&s, &p, 0);
		synth_mm_release(&s, &p);
	}
	r->seconds = seconds_now() - t0;
	r->events = b->events;
	r->objects = model_objects(&b->m);
	r->bytes = model_bytes(&b->m);
	r->findings = 0;
	t0 = seconds_now();
	rule_leaked_pasids(&b->m, s.ts, 0, count_finding, &r->findings);
	r->leak_scan_seconds = seconds_now() - t0;
	analyzer_fini(&b->a);
	model_fini(&b->m);
	free(b);
	return 0;
}

int model_bench_live(uint32_t npasid, struct model_bench_result *r)
{
	struct bench_ctx *b = calloc(1, sizeof(*b));
	struct synth_proc *procs = calloc(npasid, sizeof(*procs));
	struct finding_list l;
	struct synth_dev d0, d1;
	struct synth s;
	double t0;
	uint32_t i;

	if (!b || !procs || model_init(&b->m)) {
		free(b);
		free(procs);
		return -ENOMEM;
	}
	analyzer_init(&b->a, 0);
	synth_init(&s, bench_feed, b);
	devs(&d0, &d1);
	t0 = seconds_now();
	for (i = 0; i < npasid; i++) {
		synth_proc_init(&s, &procs[i], 1000 + i, "bench");
		synth_bind(&s, &procs[i], &d0);
	}
	for (i = 0; i < npasid; i += 2)
		synth_exit(&s, &procs[i]);
	r->seconds = seconds_now() - t0;
	r->events = b->events;
	r->objects = model_objects(&b->m);
	r->bytes = model_bytes(&b->m);
	finding_list_init(&l);
	t0 = seconds_now();
	r->findings = analyzer_leaks(&b->a, &b->m, s.ts + 1, &l);
	r->leak_scan_seconds = seconds_now() - t0;
	finding_list_fini(&l);
	analyzer_fini(&b->a);
	model_fini(&b->m);
	free(b);
	free(procs);
	return 0;
}
