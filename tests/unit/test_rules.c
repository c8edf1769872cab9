// SPDX-License-Identifier: GPL-2.0
/* Every analyzer rule on synthetic event sequences: the violation, the
 * clean case, and the mid-flight case that must not be judged. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "analyze/analyzer.h"
#include "model/reorder.h"
#include "model/synth.h"

#define SEC 1000000000ULL

struct fixture {
	struct model m;
	struct analyzer a;
	struct synth s;
	struct synth_dev dev0, dev1;
	struct finding_list leaks;
};

static void feed(const struct svatop_event *ev, void *ctx)
{
	struct fixture *f = ctx;

	assert_int_equal(analyzer_event(&f->a, &f->m, ev), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(model_init(&f->m), 0);
	analyzer_init(&f->a, 2 * SEC);
	synth_init(&f->s, feed, f);
	synth_dev_init(&f->dev0, 0xffff888100001000ULL, "0000:00:04.0",
		       0xffff888100900000ULL, "mock-iommu0");
	synth_dev_init(&f->dev1, 0xffff888100002000ULL, "0000:00:05.0",
		       0xffff888100a00000ULL, "mock-iommu1");
	finding_list_init(&f->leaks);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	finding_list_fini(&f->leaks);
	analyzer_fini(&f->a);
	model_fini(&f->m);
	free(f);
	return 0;
}

static uint64_t count_rule(const struct fixture *f, enum rule_id r)
{
	return f->a.count[r];
}

static uint64_t total_violations(const struct fixture *f)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < RULE_MAX; i++)
		n += f->a.count[i];
	return n;
}

static const struct finding *leak(struct fixture *f, enum rule_id r)
{
	size_t i;

	for (i = 0; i < f->leaks.len; i++)
		if (f->leaks.v[i].rule == r)
			return &f->leaks.v[i];
	return NULL;
}

static unsigned int leaks_at(struct fixture *f, uint64_t now)
{
	f->leaks.len = 0;
	return analyzer_leaks(&f->a, &f->m, now, &f->leaks);
}

/* ---- leaks ----------------------------------------------------------- */

/* The driver skips unbind on release: the process exits, its bond,
 * domain, mm and PASID stay. Reported only after the grace period. */
static void test_leak_driver_skips_unbind(void **state)
{
	struct fixture *f = *state;
	const struct finding *l;
	struct synth_proc p;
	uint64_t exit_ts;

	synth_proc_init(&f->s, &p, 4242, "leaky");
	synth_bind(&f->s, &p, &f->dev0);
	synth_exit(&f->s, &p);
	exit_ts = f->s.ts;
	assert_false(synth_mm_release(&f->s, &p));	/* pinned by its domain */
	assert_int_equal(leaks_at(f, exit_ts + SEC), 0);
	assert_int_equal(leaks_at(f, exit_ts + 3 * SEC), 4);

	l = leak(f, RULE_LEAKED_BOND);
	assert_non_null(l);
	assert_int_equal(l->tgid, 4242);
	assert_string_equal(l->comm, "leaky");
	assert_string_equal(l->dev_name, "0000:00:04.0");
	assert_string_equal(l->iommu_name, "mock-iommu0");
	assert_int_equal(l->pasid, p.pasid);
	assert_int_equal(l->domain, p.dom[0].ptr);
	assert_int_equal(l->handle, p.bond[0].handle);
	assert_int_equal(l->since_ts, exit_ts);
	assert_int_equal(l->ts - l->since_ts, 3 * SEC);
	assert_true(l->stack_id > 0);
	assert_false(l->flags & FINDING_PREEXISTING);

	l = leak(f, RULE_LEAKED_DOMAIN);
	assert_non_null(l);
	assert_int_equal(l->domain, p.dom[0].ptr);
	assert_string_equal(l->dev_name, "0000:00:04.0");
	assert_true(l->stack_id > 0);
	l = leak(f, RULE_LEAKED_MM);
	assert_non_null(l);
	assert_int_equal(l->mm, p.mm);
	assert_int_equal(l->tgid, 4242);
	l = leak(f, RULE_LEAKED_PASID);
	assert_non_null(l);
	assert_int_equal(l->pasid, p.pasid);
	assert_string_equal(l->dev_name, "0000:00:04.0");
	assert_int_equal(total_violations(f), 0);
	assert_int_equal(analyzer_verdict(&f->a, &f->m, f->leaks.len, 0), VERDICT_FINDINGS);
}

/* The same process with a well-behaved driver: nothing to report, ever. */
static void test_clean_exit(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 4243, "tidy");
	synth_bind(&f->s, &p, &f->dev0);
	synth_bind(&f->s, &p, &f->dev1);
	synth_exit(&f->s, &p);
	synth_unbind(&f->s, &p, 1);
	synth_unbind(&f->s, &p, 0);
	assert_true(synth_mm_release(&f->s, &p));
	assert_int_equal(leaks_at(f, f->s.ts + 100 * SEC), 0);
	assert_int_equal(total_violations(f), 0);
	assert_int_equal(analyzer_verdict(&f->a, &f->m, 0, 0), VERDICT_CLEAN);
	/* Lost events: never "clean". */
	assert_int_equal(analyzer_verdict(&f->a, &f->m, 0, 1), VERDICT_INCONCLUSIVE);
}

/* A process still running keeps its SVA state: not a leak. */
static void test_running_process_not_leak(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 4244, "busy");
	synth_bind(&f->s, &p, &f->dev0);
	assert_int_equal(leaks_at(f, f->s.ts + 1000 * SEC), 0);
}

/* Exit, then the driver's release unbinds within the grace period. */
static void test_unbind_within_grace(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 4245, "slow");
	synth_bind(&f->s, &p, &f->dev0);
	synth_exit(&f->s, &p);
	f->s.ts += SEC;
	assert_int_equal(leaks_at(f, f->s.ts), 0);
	synth_unbind(&f->s, &p, 0);
	/* The PASID waits for the final mmdrop, not a leak yet either. */
	assert_int_equal(leaks_at(f, f->s.ts + SEC / 2), 0);
	assert_true(synth_mm_release(&f->s, &p));
	assert_int_equal(leaks_at(f, f->s.ts + 10 * SEC), 0);
}

/* Unbound and exited, but the last mmdrop is deferred (an idle CPU keeps
 * the mm as its lazy-TLB mm): the PASID waits, and that is not a leak. */
static void test_lazy_tlb_deferred_drop_not_leak(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 4247, "lazy");
	synth_bind(&f->s, &p, &f->dev0);
	synth_unbind(&f->s, &p, 0);
	synth_exit(&f->s, &p);
	assert_non_null(model_pasid(&f->m, p.pasid));
	assert_int_equal(leaks_at(f, f->s.ts + 3600 * SEC), 0);
	/* Once the mm is freed without freeing its PASID, it is one. */
	{
		struct svatop_event ev;

		synth_event(&f->s, &ev, SVATOP_EV_MM_PASID_DROP, &p);
		feed(&ev, f);
	}
	assert_int_equal(leaks_at(f, f->s.ts + 3 * SEC), 1);
	assert_int_equal(leak(f, RULE_LEAKED_PASID)->pasid, p.pasid);
}

/* A leak that predates svatop: the snapshot finds an mm on iommu_sva_mms
 * that no task owns any more. */
static void test_leak_found_by_snapshot(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p, *procs[] = { &p };

	synth_proc_init(&f->s, &p, 4246, "gone");
	p.pasid = 9;
	p.iommu_mm = 0xffff888300000000ULL;
	p.ndom = 1;
	p.dom[0].ptr = 0xffff888300001000ULL;
	p.dom[0].users = 1;
	p.exited = true;
	synth_snapshot(&f->s, procs, 1);
	assert_int_equal(leaks_at(f, f->s.ts + 3 * SEC), 3);	/* domain, mm, PASID */
	assert_non_null(leak(f, RULE_LEAKED_DOMAIN));
	assert_non_null(leak(f, RULE_LEAKED_MM));
	assert_int_equal(leak(f, RULE_LEAKED_PASID)->pasid, 9);
	assert_true(leak(f, RULE_LEAKED_PASID)->flags & FINDING_PREEXISTING);
	assert_true(leak(f, RULE_LEAKED_DOMAIN)->flags & FINDING_PREEXISTING);
}

/* ---- invariants ------------------------------------------------------ */

static void test_pasid_freed_with_domains(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 10, "bad");
	synth_bind(&f->s, &p, &f->dev0);
	synth_exit(&f->s, &p);
	/* mm_pasid_drop with a domain still pinning the mm. */
	synth_event(&f->s, &ev, SVATOP_EV_MMDROP, &p);
	feed(&ev, f);
	synth_event(&f->s, &ev, SVATOP_EV_MM_PASID_DROP, &p);
	feed(&ev, f);
	synth_event(&f->s, &ev, SVATOP_EV_PASID_FREE, &p);
	feed(&ev, f);
	assert_int_equal(count_rule(f, RULE_PASID_FREED_WITH_DOMAINS), 1);
	assert_int_equal(f->a.violations.v[0].pasid, p.pasid);
	assert_int_equal(f->a.violations.v[0].domain, p.dom[0].ptr);
	assert_int_equal(f->a.violations.v[0].tgid, 10);
	assert_int_equal(total_violations(f), 1);
	/* The domain outlived its mm: a leak once the grace period is over. */
	assert_int_equal(leaks_at(f, f->s.ts + 3 * SEC), 1);
	assert_non_null(leak(f, RULE_LEAKED_DOMAIN));
}

static void test_pasid_freed_clean(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 11, "good");
	synth_bind(&f->s, &p, &f->dev0);
	synth_unbind(&f->s, &p, 0);
	synth_exit(&f->s, &p);
	assert_true(synth_mm_release(&f->s, &p));
	assert_int_equal(count_rule(f, RULE_PASID_FREED_WITH_DOMAINS), 0);
}

static void test_domain_freed_with_users(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 12, "bad");
	synth_bind(&f->s, &p, &f->dev0);
	synth_event(&f->s, &ev, SVATOP_EV_DOMAIN_FREE, &p);
	ev.domain = p.dom[0].ptr;
	ev.domain_users = 1;
	feed(&ev, f);
	assert_int_equal(count_rule(f, RULE_DOMAIN_FREED_WITH_USERS), 1);
	assert_int_equal(f->a.violations.v[0].actual, 1);
	assert_string_equal(f->a.violations.v[0].dev_name, "0000:00:04.0");
	assert_null(model_domain(&f->m, p.dom[0].ptr));
}

/* A failed bind frees its fresh domain with users never set: clean. */
static void test_domain_freed_clean_and_failed_bind(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 13, "ok");
	synth_bind(&f->s, &p, &f->dev0);
	synth_unbind(&f->s, &p, 0);
	synth_event(&f->s, &ev, SVATOP_EV_DOMAIN_FREE, &p);
	ev.domain = 0xffff8883deadb000ULL;	/* the failed bind's domain */
	feed(&ev, f);
	synth_event(&f->s, &ev, SVATOP_EV_BIND, &p);
	ev.ret = -95;
	feed(&ev, f);
	assert_int_equal(total_violations(f), 0);
	assert_int_equal(model_mm(&f->m, p.mm)->errors, 1);
	assert_int_equal(model_mm(&f->m, p.mm)->last_error, -95);
}

static void test_unbind_unknown_handle(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p;
	uint64_t handle, domain;

	synth_proc_init(&f->s, &p, 14, "double");
	synth_bind(&f->s, &p, &f->dev0);
	synth_bind(&f->s, &p, &f->dev1);
	handle = p.bond[0].handle;
	domain = p.bond[0].domain;
	synth_unbind(&f->s, &p, 0);
	assert_int_equal(total_violations(f), 0);
	/* Unbinding the released handle again. */
	synth_event(&f->s, &ev, SVATOP_EV_UNBIND, &p);
	ev.handle = handle;
	ev.domain = domain;
	ev.dev = f->dev0.ptr;
	ev.handle_users = 0;
	feed(&ev, f);
	assert_int_equal(count_rule(f, RULE_UNBIND_UNKNOWN_HANDLE), 1);
	assert_int_equal(f->a.violations.v[0].handle, handle);
	assert_int_equal(f->a.violations.v[0].tgid, 14);
}

/* Unbind of a bond made before svatop started: not judged. */
static void test_unbind_mid_flight_not_flagged(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p, *procs[] = { &p };

	synth_proc_init(&f->s, &p, 15, "early");
	p.pasid = 3;
	p.ndom = 1;
	p.dom[0].ptr = 0xffff888400001000ULL;
	p.dom[0].iommu = f->dev0.iommu;
	p.dom[0].users = 2;
	p.nbond = 2;
	p.bond[0].handle = 0xffff888400002000ULL;
	p.bond[0].domain = p.dom[0].ptr;
	p.bond[0].dev = f->dev0.ptr;
	p.bond[0].users = 1;
	p.bond[1] = p.bond[0];
	p.bond[1].handle = 0xffff888400003000ULL;
	synth_snapshot(&f->s, procs, 1);
	synth_unbind(&f->s, &p, 0);
	synth_unbind(&f->s, &p, 0);
	synth_exit(&f->s, &p);
	assert_true(synth_mm_release(&f->s, &p));
	assert_int_equal(total_violations(f), 0);
	assert_int_equal(leaks_at(f, f->s.ts + 10 * SEC), 0);
	assert_int_equal(model_objects(&f->m), 0);
}

/* A bind and unbind of an mm whose PASID predates svatop (no snapshot):
 * unknown history, no judgement. */
static void test_unknown_mm_no_snapshot(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 16, "nosnap");
	p.pasid = 4;
	synth_event(&f->s, &ev, SVATOP_EV_UNBIND, &p);
	ev.handle = 0xffff888500000000ULL;
	ev.domain = 0xffff888500001000ULL;
	ev.handle_users = 1;
	ev.domain_users = 1;
	feed(&ev, f);
	synth_event(&f->s, &ev, SVATOP_EV_DETACH, &p);
	ev.domain = 0xffff888500001000ULL;
	feed(&ev, f);
	assert_int_equal(total_violations(f), 0);
}

static void test_detach_unknown_attach(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 17, "detach");
	synth_bind(&f->s, &p, &f->dev0);
	synth_bind(&f->s, &p, &f->dev0);	/* handle users 2 */
	synth_unbind(&f->s, &p, 0);		/* users 1: no detach */
	assert_int_equal(total_violations(f), 0);
	synth_event(&f->s, &ev, SVATOP_EV_DETACH, &p);
	ev.domain = p.dom[0].ptr;
	ev.dev = f->dev0.ptr;
	feed(&ev, f);
	assert_int_equal(count_rule(f, RULE_DETACH_UNKNOWN_ATTACH), 1);
	/* The legitimate one afterwards is fine. */
	synth_unbind(&f->s, &p, 0);
	assert_int_equal(total_violations(f), 1);
}

static void test_fork_shares_iommu_mm(void **state)
{
	struct fixture *f = *state;
	struct synth_proc parent, good, bad;

	synth_proc_init(&f->s, &parent, 18, "parent");
	synth_bind(&f->s, &parent, &f->dev0);
	synth_fork(&f->s, &parent, &good, 19, false);
	assert_int_equal(total_violations(f), 0);
	synth_fork(&f->s, &parent, &bad, 20, true);
	assert_int_equal(count_rule(f, RULE_FORK_SHARES_IOMMU_MM), 1);
	assert_int_equal(f->a.violations.v[0].mm, bad.mm);
	assert_int_equal(f->a.violations.v[0].tgid, 18);
	assert_int_equal(f->a.violations.v[0].pasid, parent.pasid);
	/* The fork gave the child nothing in the model. */
	assert_null(model_mm(&f->m, good.mm));
	assert_null(model_mm(&f->m, bad.mm));
}

/* Detected from aux2 == handle too (no flag from the tracer). */
static void test_fork_shares_by_pointer(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc parent;

	synth_proc_init(&f->s, &parent, 21, "parent");
	synth_bind(&f->s, &parent, &f->dev0);
	synth_event(&f->s, &ev, SVATOP_EV_FORK, &parent);
	ev.mm = 0xffff888600000000ULL;
	ev.aux = parent.mm;
	ev.handle = parent.iommu_mm;
	ev.aux2 = parent.iommu_mm;
	feed(&ev, f);
	assert_int_equal(count_rule(f, RULE_FORK_SHARES_IOMMU_MM), 1);
}

static void test_pasid_realloc_in_use(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p, q;

	synth_proc_init(&f->s, &p, 22, "holder");
	synth_bind(&f->s, &p, &f->dev0);
	synth_proc_init(&f->s, &q, 23, "thief");
	synth_event(&f->s, &ev, SVATOP_EV_PASID_ALLOC, &q);
	ev.pasid = p.pasid;
	ev.dev = f->dev1.ptr;
	feed(&ev, f);
	assert_int_equal(count_rule(f, RULE_PASID_REALLOC_IN_USE), 1);
	assert_int_equal(f->a.violations.v[0].pasid, p.pasid);
	assert_int_equal(f->a.violations.v[0].handle, p.bond[0].handle);
	assert_int_equal(f->a.violations.v[0].tgid, 22);
}

/* The IDA gives a freed PASID to the next process: correct reuse. */
static void test_pasid_realloc_after_free_clean(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p, q;

	synth_proc_init(&f->s, &p, 24, "first");
	synth_bind(&f->s, &p, &f->dev0);
	synth_unbind(&f->s, &p, 0);
	synth_exit(&f->s, &p);
	assert_true(synth_mm_release(&f->s, &p));
	f->s.next_pasid = p.pasid;
	synth_proc_init(&f->s, &q, 25, "second");
	synth_bind(&f->s, &q, &f->dev0);
	assert_int_equal(q.pasid, p.pasid);
	assert_int_equal(total_violations(f), 0);
	assert_true(model_mm(&f->m, q.mm)->flags & MF_BORN_LIVE);
}

static void test_domain_users_mismatch(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 26, "count");
	synth_bind(&f->s, &p, &f->dev0);
	assert_int_equal(total_violations(f), 0);
	/* A second device on the same instance: same domain, users 2, but
	 * the kernel says 3. */
	synth_event(&f->s, &ev, SVATOP_EV_BIND, &p);
	ev.handle = 0xffff888700000000ULL;
	ev.domain = p.dom[0].ptr;
	ev.dev = 0xffff888100003000ULL;
	ev.handle_users = 1;
	ev.domain_users = 3;
	feed(&ev, f);
	assert_int_equal(count_rule(f, RULE_DOMAIN_USERS_MISMATCH), 1);
	assert_int_equal(f->a.violations.v[0].expected, 2);
	assert_int_equal(f->a.violations.v[0].actual, 3);
	/* An unbind reporting users-before 1 with 2 bonds: again. */
	synth_event(&f->s, &ev, SVATOP_EV_UNBIND, &p);
	ev.handle = 0xffff888700000000ULL;
	ev.domain = p.dom[0].ptr;
	ev.handle_users = 1;
	ev.domain_users = 1;
	feed(&ev, f);
	assert_int_equal(count_rule(f, RULE_DOMAIN_USERS_MISMATCH), 2);
}

/* Same device twice, two devices on one instance, 1:n: counts agree. */
static void test_domain_users_clean(void **state)
{
	struct fixture *f = *state;
	struct synth_dev dev2;
	struct synth_proc p;

	synth_dev_init(&dev2, 0xffff888100003000ULL, "0000:00:06.0",
		       f->dev0.iommu, "mock-iommu0");
	synth_proc_init(&f->s, &p, 27, "count");
	synth_bind(&f->s, &p, &f->dev0);
	synth_bind(&f->s, &p, &f->dev0);
	synth_bind(&f->s, &p, &dev2);
	synth_bind(&f->s, &p, &f->dev1);
	assert_int_equal(p.ndom, 2);
	assert_int_equal(model_domain(&f->m, p.dom[0].ptr)->nbonds, 2);
	while (p.nbond)
		synth_unbind(&f->s, &p, 0);
	assert_int_equal(total_violations(f), 0);
}

/* Snapshot domains: bonds unknown, counts not judged. */
static void test_domain_users_snapshot_not_judged(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p, *procs[] = { &p };

	synth_proc_init(&f->s, &p, 28, "snap");
	p.pasid = 6;
	p.ndom = 1;
	p.dom[0].ptr = 0xffff888800001000ULL;
	p.dom[0].iommu = f->dev0.iommu;
	p.dom[0].users = 5;
	synth_snapshot(&f->s, procs, 1);
	synth_bind(&f->s, &p, &f->dev0);	/* attaches the existing domain */
	assert_int_equal(p.dom[0].users, 6);
	assert_int_equal(total_violations(f), 0);
}

/* Many processes over recycled slab addresses, events shuffled across
 * "CPUs" and put back in order by the reorder buffer: no finding, and
 * nothing left in the model. */
static int to_analyzer(const struct svatop_event *ev, void *ctx)
{
	feed(ev, ctx);
	return 0;
}

struct shuffler {
	struct svatop_event *v;
	size_t len;
};

static void buffer(const struct svatop_event *ev, void *ctx)
{
	struct shuffler *sh = ctx;

	sh->v[sh->len++] = *ev;
}

static void test_many_cycles_reordered(void **state)
{
	struct fixture *f = *state;
	enum { NPROC = 500 };
	struct shuffler sh = { calloc(NPROC * 40, sizeof(struct svatop_event)), 0 };
	struct synth_proc p;
	struct reorder r;
	uint64_t seed = 7, late;
	size_t i, j;

	assert_non_null(sh.v);
	f->s.emit = buffer;
	f->s.ctx = &sh;
	for (i = 0; i < NPROC; i++) {
		synth_proc_init(&f->s, &p, 5000 + i, "cycler");
		synth_bind(&f->s, &p, &f->dev0);
		synth_bind(&f->s, &p, &f->dev1);
		synth_exit(&f->s, &p);
		synth_unbind(&f->s, &p, 1);
		synth_unbind(&f->s, &p, 0);
		assert_true(synth_mm_release(&f->s, &p));
	}
	/* Local disorder: swap neighbours within 8 records. */
	for (i = 0; i + 8 < sh.len; i += 3) {
		struct svatop_event t;

		seed = seed * 6364136223846793005ULL + 1;
		j = i + (seed >> 33) % 8;
		t = sh.v[i];
		sh.v[i] = sh.v[j];
		sh.v[j] = t;
	}
	reorder_init(&r);
	for (i = 0; i < sh.len; i++) {
		assert_int_equal(reorder_push(&r, &sh.v[i]), 0);
		if (i % 16 == 15)
			reorder_release(&r, r.max_ts - 200000, to_analyzer, f);
	}
	reorder_release(&r, UINT64_MAX, to_analyzer, f);
	late = r.late;
	reorder_fini(&r);
	free(sh.v);
	assert_int_equal(late, 0);
	assert_int_equal(total_violations(f), 0);
	assert_int_equal(leaks_at(f, f->s.ts + 100 * SEC), 0);
	assert_int_equal(f->m.mms.count + f->m.pasids.count + f->m.domains.count +
			 f->m.bonds.count, 0);
	assert_int_equal(f->m.cnt.binds, 2 * NPROC);
}

static void test_rule_table_complete(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < RULE_MAX; i++) {
		assert_non_null(rule_table[i].name);
		assert_non_null(rule_table[i].explain);
		assert_true(strlen(rule_table[i].explain) > 20);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_leak_driver_skips_unbind),
		T(test_clean_exit),
		T(test_running_process_not_leak),
		T(test_unbind_within_grace),
		T(test_leak_found_by_snapshot),
		T(test_lazy_tlb_deferred_drop_not_leak),
		T(test_pasid_freed_with_domains),
		T(test_pasid_freed_clean),
		T(test_domain_freed_with_users),
		T(test_domain_freed_clean_and_failed_bind),
		T(test_unbind_unknown_handle),
		T(test_unbind_mid_flight_not_flagged),
		T(test_unknown_mm_no_snapshot),
		T(test_detach_unknown_attach),
		T(test_fork_shares_iommu_mm),
		T(test_fork_shares_by_pointer),
		T(test_pasid_realloc_in_use),
		T(test_pasid_realloc_after_free_clean),
		T(test_domain_users_mismatch),
		T(test_domain_users_clean),
		T(test_domain_users_snapshot_not_judged),
		T(test_many_cycles_reordered),
		cmocka_unit_test(test_rule_table_complete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
