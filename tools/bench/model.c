// SPDX-License-Identifier: GPL-2.0
/*
 * svatop-bench-model (make bench-model [BENCH_N=...]): the session on
 * synthetic events: cycles of 1:n binds to the end of each mm, then N live
 * PASIDs and one leak scan. Timings, never a pass/fail criterion.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "common/clock.h"
#include "pipeline/session.h"
#include "synth.h"

struct model_bench_result {
	uint64_t events;
	double seconds;			/* feeding them through the session */
	size_t objects, bytes;		/* live at the end (full-space run) */
	double leak_scan_seconds;	/* one analyzer_leaks() over the model */
	unsigned int findings;
};

struct bench_ctx {
	struct session s;
	uint64_t events;
};

static void bench_feed(const struct svatop_event *ev, void *ctx)
{
	struct bench_ctx *b = ctx;

	session_apply(&b->s, ev);
	b->events++;
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

/* nproc processes bind two devices (1:n), exit, unbind, are released;
 * the model ends empty. */
static int bench_cycles(uint32_t nproc, struct model_bench_result *r)
{
	struct bench_ctx *b = calloc(1, sizeof(*b));
	struct synth_dev d0, d1;
	struct synth_proc p;
	struct synth s;
	double t0;
	uint32_t i;

	if (!b || session_init(&b->s, ANALYZER_DEFAULT_GRACE_NS)) {
		free(b);
		return -ENOMEM;
	}
	synth_init(&s, bench_feed, b);
	devs(&d0, &d1);
	t0 = clock_monotonic_s();
	for (i = 0; i < nproc; i++) {
		synth_proc_init(&s, &p, 1000 + i, "bench");
		synth_bind(&s, &p, &d0);
		synth_bind(&s, &p, &d1);
		synth_exit(&s, &p);
		synth_unbind(&s, &p, 1);
		synth_unbind(&s, &p, 0);
		synth_mm_release(&s, &p);
	}
	r->seconds = clock_monotonic_s() - t0;
	r->events = b->events;
	r->objects = model_objects(&b->s.m);
	r->bytes = model_bytes(&b->s.m);
	r->findings = 0;
	t0 = clock_monotonic_s();
	rule_leaked_pasids(&b->s.m, s.ts, 0, count_finding, &r->findings);
	r->leak_scan_seconds = clock_monotonic_s() - t0;
	session_close(&b->s);
	free(b);
	return 0;
}

/* npasid processes bind and stay: that many live PASIDs, domains, bonds,
 * mms; then half of them exit, and one leak scan runs. */
static int bench_live(uint32_t npasid, struct model_bench_result *r)
{
	struct bench_ctx *b = calloc(1, sizeof(*b));
	struct synth_proc *procs = calloc(npasid, sizeof(*procs));
	struct finding_list l;
	struct synth_dev d0, d1;
	struct synth s;
	double t0;
	uint32_t i;

	if (!b || !procs || session_init(&b->s, 0)) {
		free(b);
		free(procs);
		return -ENOMEM;
	}
	synth_init(&s, bench_feed, b);
	devs(&d0, &d1);
	t0 = clock_monotonic_s();
	for (i = 0; i < npasid; i++) {
		synth_proc_init(&s, &procs[i], 1000 + i, "bench");
		synth_bind(&s, &procs[i], &d0);
	}
	for (i = 0; i < npasid; i += 2)
		synth_exit(&s, &procs[i]);
	r->seconds = clock_monotonic_s() - t0;
	r->events = b->events;
	r->objects = model_objects(&b->s.m);
	r->bytes = model_bytes(&b->s.m);
	finding_list_init(&l);
	t0 = clock_monotonic_s();
	r->findings = analyzer_leaks(&b->s.a, &b->s.m, s.ts + 1, &l);
	r->leak_scan_seconds = clock_monotonic_s() - t0;
	finding_list_fini(&l);
	session_close(&b->s);
	free(b);
	free(procs);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1048575;
	struct model_bench_result r;

	if (bench_cycles(100000, &r))
		return 1;
	printf("cycles: %llu events in %.3f s: %.2f M events/s; model empty after: %zu objects\n",
	       (unsigned long long)r.events, r.seconds, r.events / r.seconds / 1e6, r.objects);
	if (bench_live(n, &r))
		return 1;
	printf("live: %u PASIDs bound (%llu events) in %.3f s: %.2f M events/s\n", n,
	       (unsigned long long)r.events, r.seconds, r.events / r.seconds / 1e6);
	printf("live: %zu objects, %.1f MiB, %zu bytes/object\n", r.objects,
	       r.bytes / 1048576.0, r.bytes / r.objects);
	printf("live: one leak scan (half exited): %u findings in %.3f s\n", r.findings,
	       r.leak_scan_seconds);
	return 0;
}
