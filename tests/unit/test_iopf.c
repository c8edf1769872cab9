// SPDX-License-Identifier: GPL-2.0
/*
 * The IOPF table the views read (src/model/iopf.c): quantiles of the log2
 * histogram, sums per process and device, rates between two reads; the
 * opt-in IOTLB invalidations per mm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "analyze/rules.h"
#include "model/iopf.h"
#include "model/model.h"

static void row(struct iopf_row *r, uint64_t dev, uint32_t pasid, uint32_t tgid,
		uint64_t reports)
{
	memset(r, 0, sizeof(*r));
	r->dev = dev;
	r->pasid = pasid;
	r->s.tgid = tgid;
	r->s.reports = reports;
	r->s.outcomes[IOPF_SUCCESS] = reports;
}

/* Slot i holds [2^i, 2^(i+1)) us: a quantile is its slot's upper bound. */
static void test_quantiles(void **state)
{
	__u64 h[IOPF_HIST_SLOTS] = { 0 };

	assert_int_equal(iopf_hist_quantile_us(h, 0.5), 0);
	h[1] = 98;	/* 98 answers in [2, 4) us */
	h[15] = 2;	/* 2 in [32, 64) ms */
	assert_int_equal(iopf_hist_count(h), 100);
	assert_int_equal(iopf_hist_quantile_us(h, 0.5), 4);
	assert_int_equal(iopf_hist_quantile_us(h, 0.98), 4);
	assert_int_equal(iopf_hist_quantile_us(h, 0.99), 65536);
	assert_int_equal(iopf_hist_quantile_us(h, 1.0), 65536);
	h[IOPF_HIST_SLOTS - 1] = 1000;	/* the last slot is open-ended */
	assert_int_equal(iopf_hist_quantile_us(h, 0.99), 2ULL << (IOPF_HIST_SLOTS - 1));
}

/* Per process: every device and PASID it faulted on; rates from the
 * previous read, a row new since then counted from 0. */
static void test_sum_and_rate(void **state)
{
	struct iopf_table t = { 0 };
	struct iopf_row r[3];
	struct iopf_stats sum;
	double rate;

	row(&r[0], 0x1000, 1, 100, 10);
	row(&r[1], 0x2000, 1, 100, 5);
	row(&r[2], 0x1000, 2, 200, 7);
	r[0].s.outcomes[IOPF_INVALID] = 2;
	r[2].s.outcomes[IOPF_REFUSED] = 1;
	assert_int_equal(iopf_table_update(&t, r, 2, 1000000000ULL), 0);
	assert_int_equal(iopf_table_sum(&t, 100, 0, &sum, &rate), 2);
	assert_int_equal(sum.reports, 15);
	assert_int_equal(iopf_failures(&sum), 2);
	assert_true(rate == 0);		/* one read: no rate yet */
	assert_int_equal(iopf_table_sum(&t, 100, 0x2000, &sum, NULL), 1);
	assert_int_equal(sum.reports, 5);

	r[0].s.reports = 30;		/* +20 in 2 s */
	assert_int_equal(iopf_table_update(&t, r, 3, 3000000000ULL), 0);
	assert_int_equal(iopf_table_sum(&t, 100, 0, &sum, &rate), 2);
	assert_int_equal(sum.reports, 35);
	assert_true(rate > 9.99 && rate < 10.01);
	assert_int_equal(iopf_table_sum(&t, 200, 0, &sum, &rate), 1);
	assert_true(rate > 3.49 && rate < 3.51);	/* new row: 7 in 2 s */
	assert_int_equal(iopf_failures(&sum), 1);
	assert_int_equal(iopf_table_sum(&t, 300, 0, &sum, &rate), 0);
	iopf_table_fini(&t);
}

static void inval_row(struct iopf_inval_row *r, uint64_t mm, uint32_t tgid, uint64_t ranges,
		      uint64_t pages, uint64_t flushes)
{
	memset(r, 0, sizeof(*r));
	r->mm = mm;
	r->s.tgid = tgid;
	r->s.ranges = ranges;
	r->s.pages = pages;
	r->s.flushes = flushes;
}

/* --iotlb: per mm as read, summed per owner; a read replaces the last;
 * at most IOPF_INVALS_MAX mms. */
static void test_invals(void **state)
{
	static struct iopf_inval_row r[IOPF_INVALS_MAX + 10];
	struct iopf_table t = { 0 };
	struct iopf_inval_stats sum;
	size_t i;

	inval_row(&r[0], 0xffff888100010000ULL, 100, 3, 48, 1);
	inval_row(&r[1], 0xffff888100020000ULL, 100, 2, 2, 0);	/* a second mm (exec) */
	inval_row(&r[2], 0xffff888100030000ULL, 200, 5, 5, 2);
	assert_int_equal(iopf_invals_update(&t, r, 3), 0);
	assert_int_equal(t.ninvals, 3);
	assert_int_equal(iopf_invals_sum(&t, 100, &sum), 2);
	assert_int_equal(sum.tgid, 100);
	assert_int_equal(sum.ranges, 5);
	assert_int_equal(sum.pages, 50);
	assert_int_equal(sum.flushes, 1);
	assert_int_equal(iopf_invals_sum(&t, 300, &sum), 0);
	assert_int_equal(sum.ranges + sum.pages + sum.flushes, 0);
	assert_non_null(iopf_invals_of_mm(&t, 0xffff888100030000ULL));
	assert_int_equal(iopf_invals_of_mm(&t, 0xffff888100030000ULL)->s.flushes, 2);
	assert_null(iopf_invals_of_mm(&t, 0xffff888100040000ULL));

	/* The next read is the kernel's whole map again: it replaces. */
	inval_row(&r[0], 0xffff888100030000ULL, 200, 9, 9, 2);
	assert_int_equal(iopf_invals_update(&t, r, 1), 0);
	assert_int_equal(t.ninvals, 1);
	assert_null(iopf_invals_of_mm(&t, 0xffff888100010000ULL));
	assert_int_equal(iopf_invals_sum(&t, 200, &sum), 1);
	assert_int_equal(sum.ranges, 9);

	/* Bounded: the first IOPF_INVALS_MAX rows. */
	for (i = 0; i < IOPF_INVALS_MAX + 10; i++)
		inval_row(&r[i], 0x1000 + i * 0x1000, 7, 1, 1, 0);
	assert_int_equal(iopf_invals_update(&t, r, IOPF_INVALS_MAX + 10), 0);
	assert_int_equal(t.ninvals, IOPF_INVALS_MAX);
	assert_int_equal(iopf_invals_sum(&t, 7, &sum), IOPF_INVALS_MAX);
	assert_int_equal(sum.ranges, IOPF_INVALS_MAX);
	assert_null(iopf_invals_of_mm(&t, 0x1000 + IOPF_INVALS_MAX * 0x1000));

	assert_int_equal(iopf_invals_update(&t, NULL, 0), 0);
	assert_int_equal(t.ninvals, 0);
	iopf_table_fini(&t);
	assert_null(t.invals);
}

static void collect(const struct finding *f, void *ctx)
{
	struct finding *out = ctx;

	*out = *f;
}

/* iopf-failed: one finding per row with answers other than success. */
static void test_rule_iopf_failed(void **state)
{
	struct finding f = { 0 };
	struct iopf_row r[2];
	struct model m;

	assert_int_equal(model_init(&m), 0);
	row(&r[0], 0x1000, 1, 100, 6);
	snprintf(r[0].s.comm, sizeof(r[0].s.comm), "svaload");
	snprintf(r[0].s.dev_name, sizeof(r[0].s.dev_name), "svamock-dev.0");
	r[0].s.outcomes[IOPF_SUCCESS] = 4;
	r[0].s.outcomes[IOPF_INVALID] = 2;
	row(&r[1], 0x1000, 2, 200, 16);		/* all answered success */
	assert_int_equal(rule_iopf_failed(&m, collect, &f), 0);
	assert_int_equal(iopf_table_update(&m.iopf, r, 2, 1), 0);
	assert_int_equal(rule_iopf_failed(&m, collect, &f), 1);
	assert_int_equal(f.rule, RULE_IOPF_FAILED);
	assert_int_equal(f.tgid, 100);
	assert_int_equal(f.pasid, 1);
	assert_int_equal(f.actual, 2);
	assert_string_equal(f.comm, "svaload");
	assert_string_equal(f.dev_name, "svamock-dev.0");
	assert_string_equal(f.detail, "2 of 6 page faults failed: 2 invalid, 0 failure, 0 refused");
	assert_int_equal(rule_table[RULE_IOPF_FAILED].kind, RULE_KIND_VIOLATION);
	model_fini(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_sum_and_rate),
		cmocka_unit_test(test_invals),
		cmocka_unit_test(test_rule_iopf_failed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
