// SPDX-License-Identifier: GPL-2.0
/* The benchmark's workload generator (tools/bench/gen.c) drives the
 * analyzer and model like a real kernel would: every mix step is a
 * consistent lifecycle, so a drained run leaves no SVA object and breaks
 * no rule. And the reorder buffer the benchmark measures releases a
 * shuffled stream in (timestamp, arrival) order whatever path (FIFO or
 * heap) each record takes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pipeline/session.h"
#include "pipeline/reorder.h"
#include "../../tools/bench/gen.c"

struct sink {
	struct session ses;
	uint64_t events;
	int err;
};

static void to_analyzer(const struct svatop_event *ev, void *ctx)
{
	struct sink *s = ctx;

	s->events++;
	s->err |= session_apply(&s->ses, ev);
}

static void test_mix_drains_clean(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));
	struct gen g;
	int i, violations = 0;

	(void)state;
	assert_non_null(s);
	assert_int_equal(session_init(&s->ses, ANALYZER_DEFAULT_GRACE_NS), 0);
	assert_int_equal(gen_init(&g, 64, 7, to_analyzer, s), 0);
	for (i = 0; i < 20000; i++)
		gen_step(&g);
	/* Mid-run: some processes hold PASIDs, some 1:n. */
	assert_true(s->ses.m.pasids.count > 0);
	assert_true(s->ses.m.domains.count > 0);
	gen_drain(&g);
	assert_int_equal(s->err, 0);
	for (i = 0; i < RULE_MAX; i++)
		violations += s->ses.a.count[i];
	assert_int_equal(violations, 0);
	/* Every kind of step happened. */
	assert_true(g.cnt.binds > 1000);
	assert_true(g.cnt.rebinds > 0);
	assert_true(g.cnt.one_to_n > 0);
	assert_true(g.cnt.unbinds > 1000);
	assert_true(g.cnt.forks > 0);
	assert_true(g.cnt.exits_bound > 0);
	assert_int_equal(g.cnt.exits, g.cnt.releases);
	/* Drained: the model holds no SVA object, only the devices. */
	assert_int_equal(s->ses.m.mms.count, 0);
	assert_int_equal(s->ses.m.pasids.count, 0);
	assert_int_equal(s->ses.m.domains.count, 0);
	assert_int_equal(s->ses.m.bonds.count, 0);
	assert_int_equal(s->ses.m.devs.count, GEN_NDEVS);
	assert_int_equal(s->ses.m.cnt.pasid_allocs, s->ses.m.cnt.pasid_frees);
	assert_int_equal(s->ses.m.cnt.domain_allocs, s->ses.m.cnt.domain_frees);
	assert_int_equal(s->ses.m.cnt.unknown, 0);
	assert_int_equal(s->ses.m.cnt.events, s->events);
	gen_fini(&g);
	session_close(&s->ses);
	free(s);
}

static void test_mix_deterministic(void **state)
{
	struct sink *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct gen ga, gb;
	int i;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(session_init(&a->ses, ANALYZER_DEFAULT_GRACE_NS), 0);
	assert_int_equal(session_init(&b->ses, ANALYZER_DEFAULT_GRACE_NS), 0);
	assert_int_equal(gen_init(&ga, 32, 99, to_analyzer, a), 0);
	assert_int_equal(gen_init(&gb, 32, 99, to_analyzer, b), 0);
	for (i = 0; i < 5000; i++) {
		gen_step(&ga);
		gen_step(&gb);
	}
	assert_int_equal(a->events, b->events);
	assert_memory_equal(&ga.cnt, &gb.cnt, sizeof(ga.cnt));
	assert_memory_equal(&a->ses.m.cnt, &b->ses.m.cnt, sizeof(a->ses.m.cnt));
	gen_fini(&ga);
	gen_fini(&gb);
	session_close(&a->ses);
	session_close(&b->ses);
	free(a);
	free(b);
}

struct seen {
	uint64_t ts[4096];
	uint32_t id[4096];
	size_t n;
};

static int collect(const struct svatop_event *ev, void *ctx)
{
	struct seen *s = ctx;

	s->ts[s->n] = ev->ts_ns;
	s->id[s->n] = ev->pid;	/* arrival number */
	s->n++;
	return 0;
}

/* Like two CPUs' records interleaved: mostly in order, some late, many
 * equal timestamps; released with a moving limit, as the views do. */
static void test_reorder_order(void **state)
{
	struct svatop_event ev = { .type = SVATOP_EV_BIND, .version = SVATOP_ABI_VERSION };
	struct seen *s = calloc(1, sizeof(*s));
	uint64_t rng = 12345, base = 1000, limit;
	struct reorder r;
	size_t i, j, n = 4000;
	int round;

	(void)state;
	assert_non_null(s);
	for (round = 0; round < 4; round++) {
		reorder_init(&r);
		s->n = 0;
		for (i = 0; i < n; i++) {
			rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
			base += (rng >> 60) & 3;		/* often equal */
			ev.ts_ns = base;
			if (((rng >> 40) & 7) < (unsigned)round)	/* late by up to 40 */
				ev.ts_ns = base > 40 ? base - ((rng >> 20) % 40) : base;
			ev.pid = i;
			assert_int_equal(reorder_push(&r, &ev), 0);
			if (i % 97 == 96) {
				limit = r.max_ts - 50;
				assert_int_equal(reorder_release(&r, limit, collect, s), 0);
				/* nothing newer than the limit came out */
				assert_true(s->n == 0 || s->ts[s->n - 1] <= limit);
			}
		}
		assert_int_equal(reorder_release(&r, UINT64_MAX, collect, s), 0);
		assert_int_equal(s->n, n);
		assert_int_equal(r.late, 0);	/* every late record was within the window */
		for (i = 1; i < n; i++) {
			assert_true(s->ts[i - 1] <= s->ts[i]);
			if (s->ts[i - 1] == s->ts[i])	/* ties keep arrival order */
				assert_true(s->id[i - 1] < s->id[i]);
		}
		/* every record exactly once */
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n && j < i + 8; j++)
				assert_int_not_equal(s->id[i], s->id[j]);
		reorder_fini(&r);
	}
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mix_drains_clean),
		cmocka_unit_test(test_mix_deterministic),
		cmocka_unit_test(test_reorder_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
