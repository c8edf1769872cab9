// SPDX-License-Identifier: GPL-2.0
/* Every analyzer rule on synthetic event sequences: the violation, the
 * clean case, and the mid-flight case that must not be judged. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pipeline/session.h"
#include "pipeline/reorder.h"
#include "synth.h"

#define SEC 1000000000ULL

struct fixture {
	struct session ses;
	struct synth s;
	struct synth_dev dev0, dev1;
	struct finding_list leaks;
};

static void feed(const struct svatop_event *ev, void *ctx)
{
	struct fixture *f = ctx;

	assert_int_equal(session_apply(&f->ses, ev), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(session_init(&f->ses, 2 * SEC), 0);
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
	session_close(&f->ses);
	free(f);
	return 0;
}

static uint64_t count_rule(const struct fixture *f, enum rule_id r)
{
	return f->ses.a.count[r];
}

static uint64_t total_violations(const struct fixture *f)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < RULE_MAX; i++)
		n += f->ses.a.count[i];
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
	return analyzer_leaks(&f->ses.a, &f->ses.m, now, &f->leaks);
}

static unsigned int pending_at(struct fixture *f, uint64_t now)
{
	f->leaks.len = 0;
	return analyzer_pending(&f->ses.a, &f->ses.m, now, &f->leaks);
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
	assert_int_equal(analyzer_verdict(&f->ses.a, &f->ses.m, f->leaks.len, 0), VERDICT_FINDINGS);
}

/* Within the grace period the candidates are pending, not clean: each
 * says when it matures; once the grace is over they are leaks. */
static void test_pending_within_grace(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p;
	uint64_t exit_ts;
	size_t i;

	synth_proc_init(&f->s, &p, 4250, "leaky");
	synth_bind(&f->s, &p, &f->dev0);
	assert_int_equal(pending_at(f, f->s.ts + 10 * SEC), 0);	/* alive: nothing */
	synth_exit(&f->s, &p);
	exit_ts = f->s.ts;
	assert_int_equal(leaks_at(f, exit_ts + SEC), 0);
	assert_int_equal(analyzer_verdict(&f->ses.a, &f->ses.m, 0, 0), VERDICT_CLEAN);
	assert_int_equal(pending_at(f, exit_ts + SEC), 4);	/* bond, domain, mm, PASID */
	for (i = 0; i < f->leaks.len; i++) {
		assert_int_equal(f->leaks.v[i].due_ts, exit_ts + f->ses.a.grace_ns);
		assert_int_equal(f->leaks.v[i].tgid, 4250);
	}
	assert_int_equal(verdict_with_pending(analyzer_verdict(&f->ses.a, &f->ses.m, 0, 0),
					      f->leaks.len), VERDICT_PENDING);
	assert_string_equal(verdict_name(VERDICT_PENDING), "pending");
	/* Findings and lost events outrank pending. */
	assert_int_equal(verdict_with_pending(VERDICT_FINDINGS, 4), VERDICT_FINDINGS);
	assert_int_equal(verdict_with_pending(VERDICT_INCONCLUSIVE, 4), VERDICT_INCONCLUSIVE);
	assert_int_equal(pending_at(f, exit_ts + f->ses.a.grace_ns), 0);
	assert_int_equal(leaks_at(f, exit_ts + f->ses.a.grace_ns), 4);
}

/* The driver unbinds within the grace: the candidates go, nothing pending. */
static void test_pending_resolved(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 4251, "tidy");
	synth_bind(&f->s, &p, &f->dev0);
	synth_exit(&f->s, &p);
	assert_int_equal(pending_at(f, f->s.ts), 4);
	synth_unbind(&f->s, &p, 0);
	assert_true(synth_mm_release(&f->s, &p));
	assert_int_equal(pending_at(f, f->s.ts), 0);
	assert_int_equal(leaks_at(f, f->s.ts + 10 * SEC), 0);
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
	assert_int_equal(analyzer_verdict(&f->ses.a, &f->ses.m, 0, 0), VERDICT_CLEAN);
	/* Lost events: never "clean". */
	assert_int_equal(analyzer_verdict(&f->ses.a, &f->ses.m, 0, 1), VERDICT_INCONCLUSIVE);
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
	assert_non_null(model_pasid(&f->ses.m, p.pasid));
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
	/* Judged by what is known (no task owns it), not by time since the
	 * snapshot saw it: a leak at once, never pending. */
	assert_int_equal(leaks_at(f, f->s.ts), 3);
	assert_true(leak(f, RULE_LEAKED_MM)->flags & FINDING_NO_TASK);
	assert_int_equal(pending_at(f, f->s.ts), 0);
	assert_int_equal(leaks_at(f, f->s.ts + 3 * SEC), 3);	/* domain, mm, PASID */
	assert_non_null(leak(f, RULE_LEAKED_DOMAIN));
	assert_non_null(leak(f, RULE_LEAKED_MM));
	assert_int_equal(leak(f, RULE_LEAKED_PASID)->pasid, 9);
	assert_true(leak(f, RULE_LEAKED_PASID)->flags & FINDING_PREEXISTING);
	assert_true(leak(f, RULE_LEAKED_DOMAIN)->flags & FINDING_PREEXISTING);
}

/* ---- failed binds explained ------------------------------------------ */

/* The device's max_pasids the next fail_bind()'s events carry (the
 * tracer's SVATOP_F_MAX_PASIDS); -1: they say nothing. */
static long max_pasids_next = -1;

/* Events of thread tid: a pasid-alloc, attaches (users 0: a new domain),
 * then the failed bind; returns the analyzer's explanation. */
static const struct bind_explain *fail_bind(struct fixture *f, struct synth_proc *p,
					    const struct synth_dev *d, int pasid_ret,
					    const int *attach_ret, const int *attach_users,
					    int nattach, int ret)
{
	struct svatop_event ev;
	uint64_t before = f->ses.a.nbind_fails;
	int i;

	if (pasid_ret <= 0) {
		synth_event(&f->s, &ev, SVATOP_EV_PASID_ALLOC, p);
		ev.ret = pasid_ret;
		ev.pasid = pasid_ret ? 0 : 7;
		if (max_pasids_next >= 0) {
			ev.flags |= SVATOP_F_MAX_PASIDS;
			ev.aux2 = (uint64_t)max_pasids_next;
		}
		feed(&ev, f);
	}
	for (i = 0; i < nattach; i++) {
		synth_event(&f->s, &ev, SVATOP_EV_ATTACH, p);
		ev.dev = d->ptr;
		strcpy(ev.iommu_name, i % 2 ? "mock-iommu1" : "mock-iommu0");
		ev.domain = 0xffff888400000000ULL + i * 0x1000;
		ev.ret = attach_ret[i];
		ev.domain_users = attach_users[i];
		feed(&ev, f);
	}
	synth_event(&f->s, &ev, SVATOP_EV_BIND, p);
	ev.dev = d->ptr;
	strcpy(ev.dev_name, d->name);
	ev.ret = ret;
	if (max_pasids_next >= 0) {
		ev.flags |= SVATOP_F_MAX_PASIDS;
		ev.aux2 = (uint64_t)max_pasids_next;
	}
	max_pasids_next = -1;
	feed(&ev, f);
	assert_int_equal(f->ses.a.nbind_fails, before + 1);
	return &analyzer_last_bind_failure(&f->ses.a, p->tgid)->x;
}

static void test_explain_failed_binds(void **state)
{
	struct fixture *f = *state;
	const struct bind_explain *x;
	const int refused[] = { -EINVAL, -EINVAL }, users_new[] = { 1, 0 }, users_old[] = { 1 };
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 4300, "binder");
	p.pasid = 0;
	/* The x86 stub: nothing inside the bind, -EOPNOTSUPP. */
	x = fail_bind(f, &p, &f->dev0, 1, NULL, NULL, 0, -EOPNOTSUPP);
	assert_int_equal(x->step, BIND_STEP_STUB);
	assert_string_equal(bind_step_name(x->step), "stub");
	/* No IOMMU group: -ENODEV before anything. */
	x = fail_bind(f, &p, &f->dev0, 1, NULL, NULL, 0, -ENODEV);
	assert_int_equal(x->step, BIND_STEP_DEVICE);
	assert_non_null(strstr(x->why, "no IOMMU group"));
	/* PASID space exhausted: the allocation failed inside the bind. */
	x = fail_bind(f, &p, &f->dev0, -ENOSPC, NULL, NULL, 0, -ENOSPC);
	assert_int_equal(x->step, BIND_STEP_PASID);
	assert_true(x->pasid_seen);
	assert_false(x->max_pasids_known);
	assert_non_null(strstr(x->why, "exhausted"));
	/* The same failure on a device of 2^20 PASIDs: still the space. */
	max_pasids_next = 1 << 20;
	x = fail_bind(f, &p, &f->dev0, -ENOSPC, NULL, NULL, 0, -ENOSPC);
	assert_int_equal(x->step, BIND_STEP_PASID);
	assert_int_equal(x->max_pasids, 1 << 20);
	/* No PASID capability (max_pasids 0): the kernel's allocator gives a
	 * new mm no PASID, -ENOSPC, whatever the space holds. */
	max_pasids_next = 0;
	x = fail_bind(f, &p, &f->dev0, -ENOSPC, NULL, NULL, 0, -ENOSPC);
	assert_int_equal(x->step, BIND_STEP_DEVICE);
	assert_true(x->max_pasids_known);
	assert_int_equal(x->max_pasids, 0);
	assert_non_null(strstr(x->why, "no PASID capability"));
	assert_non_null(strstr(x->why, "-ENOSPC"));
	/* ... and an mm that has a PASID already: -EOVERFLOW, no allocation. */
	p.pasid = 7;
	max_pasids_next = 0;
	x = fail_bind(f, &p, &f->dev0, 1, NULL, NULL, 0, -EOVERFLOW);
	assert_int_equal(x->step, BIND_STEP_DEVICE);
	assert_int_equal(x->pasid, 7);
	assert_non_null(strstr(x->why, "no PASID capability"));
	assert_non_null(strstr(x->why, "-EOVERFLOW"));
	/* A device with fewer PASIDs than the mm's PASID needs. */
	max_pasids_next = 4;
	x = fail_bind(f, &p, &f->dev0, 1, NULL, NULL, 0, -EOVERFLOW);
	assert_int_equal(x->step, BIND_STEP_DEVICE);
	assert_non_null(strstr(x->why, "max_pasids 4"));
	p.pasid = 0;
	/* The driver's domain allocation failed: a PASID, no new domain tried. */
	x = fail_bind(f, &p, &f->dev0, 0, NULL, NULL, 0, -ENOMEM);
	assert_int_equal(x->step, BIND_STEP_DOMAIN_ALLOC);
	assert_int_equal(x->pasid, 7);
	/* The mm's domain refused, then no new domain. */
	p.pasid = 7;
	x = fail_bind(f, &p, &f->dev0, 1, refused, users_old, 1, -ENOMEM);
	assert_int_equal(x->step, BIND_STEP_DOMAIN_ALLOC);
	assert_int_equal(x->nattach, 1);
	/* Every candidate refused by set_dev_pasid, each IOMMU's answer named. */
	x = fail_bind(f, &p, &f->dev0, 1, refused, users_new, 2, -EINVAL);
	assert_int_equal(x->step, BIND_STEP_ATTACH);
	assert_int_equal(x->nattach, 2);
	assert_true(x->attach[1].new_domain);
	assert_false(x->attach[0].new_domain);
	assert_non_null(strstr(x->why, "mock-iommu0 -EINVAL"));
	assert_non_null(strstr(x->why, "mock-iommu1 (new domain) -EINVAL"));
	/* The PASID bound on the device to another mm. */
	x = fail_bind(f, &p, &f->dev0, 1, NULL, NULL, 0, -EBUSY);
	assert_int_equal(x->step, BIND_STEP_BUSY);
	/* Counted by (step, errno). */
	assert_int_equal(f->ses.a.nbind_fails, 11);
	/* pasid -ENOSPC, domain-alloc -ENOMEM and device -EOVERFLOW twice */
	assert_int_equal(f->ses.a.nbind_fail_kinds, 8);
	/* Another thread's events never explain this thread's bind. */
	assert_null(analyzer_last_bind_failure(&f->ses.a, 4301));
}

/* -ENOSPC names the holders of the PASID space, most first. */
/* A return value no kernel gives (a damaged or hostile recording): shown
 * as the number, never negated (INT_MIN found by fuzz_events). */
static void test_explain_errno_extremes(void **state)
{
	struct fixture *f = *state;
	const struct bind_explain *x;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 4310, "odd");
	p.pasid = 7;
	x = fail_bind(f, &p, &f->dev0, 1, NULL, NULL, 0, INT_MIN);
	assert_non_null(strstr(x->why, "-2147483648"));
	x = fail_bind(f, &p, &f->dev0, 1, NULL, NULL, 0, -4095);
	assert_non_null(strstr(x->why, "-4095"));
}

static void test_explain_enospc_holders(void **state)
{
	struct fixture *f = *state;
	struct synth_proc a, b, c;
	const struct bind_explain *x;

	synth_proc_init(&f->s, &a, 4310, "holder-a");
	synth_proc_init(&f->s, &b, 4311, "holder-b");
	synth_proc_init(&f->s, &c, 4312, "starved");
	synth_bind(&f->s, &a, &f->dev0);
	synth_bind(&f->s, &b, &f->dev0);
	x = fail_bind(f, &c, &f->dev0, -ENOSPC, NULL, NULL, 0, -ENOSPC);
	assert_int_equal(x->step, BIND_STEP_PASID);
	assert_int_equal(x->pasids_held, 2);
	assert_int_equal(x->nholders, 2);
	assert_true(x->holders[0].tgid == 4310 || x->holders[0].tgid == 4311);
	assert_int_equal(x->holders[0].npasids, 1);
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
	assert_int_equal(f->ses.a.violations.v[0].pasid, p.pasid);
	assert_int_equal(f->ses.a.violations.v[0].domain, p.dom[0].ptr);
	assert_int_equal(f->ses.a.violations.v[0].tgid, 10);
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
	assert_int_equal(f->ses.a.violations.v[0].actual, 1);
	assert_string_equal(f->ses.a.violations.v[0].dev_name, "0000:00:04.0");
	assert_null(model_domain(&f->ses.m, p.dom[0].ptr));
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
	assert_int_equal(model_mm_errors(&f->ses.m, model_mm(&f->ses.m, p.mm)), 1);
	assert_int_equal(model_mm_last_error(&f->ses.m, model_mm(&f->ses.m, p.mm)), -95);
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
	assert_int_equal(f->ses.a.violations.v[0].handle, handle);
	assert_int_equal(f->ses.a.violations.v[0].tgid, 14);
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
	assert_int_equal(model_objects(&f->ses.m), 0);
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
	assert_int_equal(f->ses.a.violations.v[0].mm, bad.mm);
	assert_int_equal(f->ses.a.violations.v[0].tgid, 18);
	assert_int_equal(f->ses.a.violations.v[0].pasid, parent.pasid);
	/* The fork gave the child nothing in the model. */
	assert_null(model_mm(&f->ses.m, good.mm));
	assert_null(model_mm(&f->ses.m, bad.mm));
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
	assert_int_equal(f->ses.a.violations.v[0].pasid, p.pasid);
	assert_int_equal(f->ses.a.violations.v[0].handle, p.bond[0].handle);
	assert_int_equal(f->ses.a.violations.v[0].tgid, 22);
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
	assert_true(model_mm(&f->ses.m, q.mm)->flags & MF_BORN_LIVE);
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
	assert_int_equal(f->ses.a.violations.v[0].expected, 2);
	assert_int_equal(f->ses.a.violations.v[0].actual, 3);
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
	assert_int_equal(model_domain(&f->ses.m, p.dom[0].ptr)->nbonds, 2);
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
	assert_int_equal(f->ses.m.mms.count + f->ses.m.pasids.count + f->ses.m.domains.count +
			 f->ses.m.bonds.count, 0);
	assert_int_equal(f->ses.m.cnt.binds, 2 * NPROC);
}

/* A process binds one device twice (the kernel shares the bond), another
 * binds two devices once each and rebinds after an unbind: only the
 * first is noticed, counted for its own pid, and no verdict changes. */
static void test_bind_same_device_again_counted_per_process(void **state)
{
	struct fixture *f = *state;
	struct synth_proc a, b;

	synth_proc_init(&f->s, &a, 100, "twice");
	synth_bind(&f->s, &a, &f->dev0);
	synth_bind(&f->s, &a, &f->dev0);
	synth_bind(&f->s, &a, &f->dev0);
	synth_proc_init(&f->s, &b, 200, "two-devs");
	synth_bind(&f->s, &b, &f->dev0);
	synth_bind(&f->s, &b, &f->dev1);
	synth_unbind(&f->s, &b, 1);
	synth_bind(&f->s, &b, &f->dev1);
	assert_int_equal(analyzer_noticed(&f->ses.a, RULE_BIND_SAME_DEVICE_AGAIN, 100), 2);
	assert_int_equal(analyzer_noticed(&f->ses.a, RULE_BIND_SAME_DEVICE_AGAIN, 200), 0);
	assert_int_equal(f->ses.a.noticed[RULE_BIND_SAME_DEVICE_AGAIN], 2);
	assert_int_equal(total_violations(f), 0);
	assert_int_equal(f->ses.a.violations.len, 0);
	assert_int_equal(analyzer_verdict(&f->ses.a, &f->ses.m, 0, 0), VERDICT_CLEAN);
}

/* A driver unbinding by a pointer it shares (per device, or a file
 * inherited across fork): another process drops the live owner's bond. */
static void test_unbind_by_other_process(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p, other;
	const struct finding *v;

	synth_proc_init(&f->s, &p, 300, "owner");
	synth_bind(&f->s, &p, &f->dev0);
	other = p;
	other.tgid = 301;
	synth_unbind(&f->s, &other, 0);
	assert_int_equal(count_rule(f, RULE_UNBIND_BY_OTHER_PROCESS), 1);
	assert_int_equal(total_violations(f), 1);
	v = &f->ses.a.violations.v[0];
	assert_int_equal(v->rule, RULE_UNBIND_BY_OTHER_PROCESS);
	assert_int_equal(v->tgid, 301);
	assert_int_equal(v->expected, 300);
	assert_int_equal(v->handle, p.bond[0].handle);
	assert_string_equal(v->detail, "pid 301 unbound a bond of pid 300, which still runs");
	assert_int_equal(analyzer_verdict(&f->ses.a, &f->ses.m, 0, 0), VERDICT_FINDINGS);
}

/* The owner's own unbinds, and another process's once the owner exited
 * (the last holder of a file inherited across fork closes it): clean. */
static void test_unbind_by_other_process_clean(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p, child, other;

	synth_proc_init(&f->s, &p, 310, "self");
	synth_bind(&f->s, &p, &f->dev0);
	synth_bind(&f->s, &p, &f->dev1);
	synth_unbind(&f->s, &p, 0);
	synth_proc_init(&f->s, &child, 311, "child");
	synth_bind(&f->s, &child, &f->dev0);
	synth_exit(&f->s, &child);
	other = child;
	other.tgid = 310;
	synth_unbind(&f->s, &other, 0);
	synth_unbind(&f->s, &p, 0);
	synth_exit(&f->s, &p);
	assert_int_equal(count_rule(f, RULE_UNBIND_BY_OTHER_PROCESS), 0);
	assert_int_equal(total_violations(f), 0);
}

/* A kernel without handle sharing (65d4418c5002 reverted): the second bind
 * of the same device attaches the PASID again and fails with -EBUSY. */
static void test_rebind_refused(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p;
	const struct finding *v;

	synth_proc_init(&f->s, &p, 400, "uacce");
	synth_bind(&f->s, &p, &f->dev0);
	/* another device failing is not this rule's business */
	synth_event(&f->s, &ev, SVATOP_EV_BIND, &p);
	ev.dev = f->dev1.ptr;
	ev.ret = -12;
	feed(&ev, f);
	assert_int_equal(total_violations(f), 0);
	synth_event(&f->s, &ev, SVATOP_EV_BIND, &p);
	ev.dev = f->dev0.ptr;
	ev.ret = -16;
	feed(&ev, f);
	assert_int_equal(count_rule(f, RULE_REBIND_REFUSED), 1);
	assert_int_equal(total_violations(f), 1);
	v = &f->ses.a.violations.v[0];
	assert_int_equal(v->tgid, 400);
	assert_int_equal(v->handle, p.bond[0].handle);
	assert_int_equal(v->actual, -16);
	assert_string_equal(v->dev_name, "0000:00:04.0");
	assert_string_equal(v->detail, "bind failed (-16) with a bond of 1 user(s) held");
	/* the kernel that shares: the same bind succeeds, a notice only */
	synth_bind(&f->s, &p, &f->dev0);
	assert_int_equal(total_violations(f), 1);
	assert_int_equal(analyzer_noticed(&f->ses.a, RULE_BIND_SAME_DEVICE_AGAIN, 400), 1);
}

/*
 * State mode with the rules at the hooks (leaks, check): the model is the
 * last re-walk's, so it may still hold what the kernel already let go.
 * Each rule judges the hook's evidence instead: a stale model alone never
 * makes a finding. The fixture builds the model from a stream, then turns
 * state mode on, as a re-walk would have left it.
 */
static void state_mode_on(struct fixture *f)
{
	f->ses.m.state_mode = true;
}

/* An event a hook streamed as a rule's evidence, about bond k of p, with
 * the handle's users as the hook read them; in ev for the caller to feed. */
static void evidence_event(struct fixture *f, struct svatop_event *ev, int type,
			   const struct synth_proc *p, int k, int handle_users)
{
	synth_event(&f->s, ev, type, p);
	ev->flags |= SVATOP_F_EVIDENCE;
	ev->handle = p->bond[k].handle;
	ev->domain = p->bond[k].domain;
	ev->dev = p->bond[k].dev;
	ev->handle_users = handle_users;
}

static void test_state_pasid_drop_by_evidence(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p, q;
	const struct finding *v;

	synth_proc_init(&f->s, &p, 500, "stale");
	synth_bind(&f->s, &p, &f->dev0);
	synth_proc_init(&f->s, &q, 501, "bug");
	synth_bind(&f->s, &q, &f->dev1);
	state_mode_on(f);
	/* p's domain is still in the model (its free was not streamed), but
	 * the kernel's list was empty at the drop: clean */
	synth_exit(&f->s, &p);
	synth_event(&f->s, &ev, SVATOP_EV_MM_PASID_DROP, &p);
	feed(&ev, f);
	synth_event(&f->s, &ev, SVATOP_EV_PASID_FREE, &p);
	feed(&ev, f);
	assert_int_equal(total_violations(f), 0);
	/* q's mm dropped its PASID with a domain on its iommu_mm's list */
	synth_event(&f->s, &ev, SVATOP_EV_MM_PASID_DROP, &q);
	ev.flags |= SVATOP_F_DOMAINS_LEFT;
	feed(&ev, f);
	assert_int_equal(count_rule(f, RULE_PASID_FREED_WITH_DOMAINS), 1);
	assert_int_equal(total_violations(f), 1);
	v = &f->ses.a.violations.v[0];
	assert_int_equal(v->mm, q.mm);
	assert_int_equal(v->tgid, 501);
	assert_string_equal(v->detail, "the mm's iommu_mm still lists SVA domains");
}

static void test_state_unbind_evidence(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p, other;
	const struct finding *v;
	uint64_t binds;

	synth_proc_init(&f->s, &p, 510, "owner");
	synth_bind(&f->s, &p, &f->dev0);
	synth_bind(&f->s, &p, &f->dev1);
	state_mode_on(f);
	binds = f->ses.m.cnt.unbinds;
	/* a handle with no users: unbind-unknown-handle, and the model is
	 * left alone (the kernel counted the unbind) */
	evidence_event(f, &ev, SVATOP_EV_UNBIND, &p, 0, 0);
	feed(&ev, f);
	assert_int_equal(count_rule(f, RULE_UNBIND_UNKNOWN_HANDLE), 1);
	assert_int_equal(f->ses.m.cnt.unbinds, binds);
	assert_non_null(model_bond(&f->ses.m, p.bond[0].handle));
	assert_int_equal(f->ses.m.evidence, 1);
	/* another process's unbind of p's living bond: the owner from the
	 * kernel's mm->owner (aux) */
	other = p;
	other.tgid = 511;
	evidence_event(f, &ev, SVATOP_EV_UNBIND, &other, 1, 1);
	ev.flags |= SVATOP_F_OTHER_LIVE_MM;
	ev.aux = 510;
	feed(&ev, f);
	assert_int_equal(count_rule(f, RULE_UNBIND_BY_OTHER_PROCESS), 1);
	assert_int_equal(count_rule(f, RULE_UNBIND_UNKNOWN_HANDLE), 1);
	v = &f->ses.a.violations.v[1];
	assert_int_equal(v->rule, RULE_UNBIND_BY_OTHER_PROCESS);
	assert_int_equal(v->tgid, 511);
	assert_int_equal(v->expected, 510);
	assert_string_equal(v->detail, "pid 511 unbound a bond of pid 510, which still runs");
	/* no mm->owner in the kernel: the model's owner */
	ev.aux = 0;
	feed(&ev, f);
	assert_int_equal(count_rule(f, RULE_UNBIND_BY_OTHER_PROCESS), 2);
	assert_int_equal(f->ses.a.violations.v[2].expected, 510);
	/* the owner itself (a thread of another mm cannot be, but aux may
	 * name the caller): not judged */
	ev.aux = 511;
	feed(&ev, f);
	/* a plain unbind, or one without the kernel's evidence: not judged,
	 * even though the model has no such bond any more */
	synth_event(&f->s, &ev, SVATOP_EV_UNBIND, &other);
	ev.handle = 0xdead0000;
	ev.handle_users = 0;
	feed(&ev, f);
	assert_int_equal(total_violations(f), 3);
}

static void test_state_bind_and_rebind_evidence(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p;
	uint64_t binds;

	synth_proc_init(&f->s, &p, 520, "per-open");
	synth_bind(&f->s, &p, &f->dev0);
	state_mode_on(f);
	binds = f->ses.m.cnt.binds;
	/* the hook streamed a bind that shared the held bond: a notice */
	evidence_event(f, &ev, SVATOP_EV_BIND, &p, 0, 2);
	feed(&ev, f);
	assert_int_equal(analyzer_noticed(&f->ses.a, RULE_BIND_SAME_DEVICE_AGAIN, 520), 1);
	assert_int_equal(f->ses.m.cnt.binds, binds);
	assert_int_equal(total_violations(f), 0);
	/* a failed bind beside a bond the model holds, but the kernel's
	 * group held none: clean (the model may be stale) */
	synth_event(&f->s, &ev, SVATOP_EV_BIND, &p);
	ev.dev = f->dev0.ptr;
	ev.ret = -16;
	feed(&ev, f);
	assert_int_equal(total_violations(f), 0);
	/* the group held one: rebind-refused */
	ev.flags |= SVATOP_F_BOND_HELD;
	ev.handle = p.bond[0].handle;
	ev.handle_users = 1;
	feed(&ev, f);
	assert_int_equal(count_rule(f, RULE_REBIND_REFUSED), 1);
	assert_int_equal(f->ses.a.violations.v[0].handle, p.bond[0].handle);
	assert_string_equal(f->ses.a.violations.v[0].detail,
			    "bind failed (-16) with a bond of 1 user(s) held");
}

/* The rules that need every event in order are not judged in state mode:
 * a detach and a users count the stale model cannot explain. */
static void test_state_order_rules_not_judged(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 530, "quiet");
	synth_bind(&f->s, &p, &f->dev0);
	state_mode_on(f);
	synth_event(&f->s, &ev, SVATOP_EV_DETACH, &p);
	ev.domain = p.dom[0].ptr;
	ev.dev = f->dev1.ptr;
	feed(&ev, f);
	evidence_event(f, &ev, SVATOP_EV_BIND, &p, 0, 2);
	ev.domain_users = 7;
	feed(&ev, f);
	assert_int_equal(total_violations(f), 0);
}

/* A bond or domain a re-walk finds first was made while svatop watched
 * (the first walk saw everything older): its leak counts in check, not
 * as state that predates the run. */
static void test_state_rewalk_objects_born_live(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p, *procs[] = { &p };
	const struct finding *b;

	/* the synthetic kernel streams only what state mode streams */
	state_mode_on(f);
	f->s.state_mode = true;
	synth_snapshot(&f->s, procs, 0);	/* the first walk: nothing yet */
	synth_proc_init(&f->s, &p, 540, "walked");
	synth_bind(&f->s, &p, &f->dev0);
	synth_resync(&f->s, procs, 1);
	synth_exit(&f->s, &p);
	assert_int_equal(leaks_at(f, f->s.ts + 3 * SEC), 4);
	b = leak(f, RULE_LEAKED_BOND);
	assert_non_null(b);
	assert_int_equal(b->handle, p.bond[0].handle);
	assert_false(b->flags & FINDING_PREEXISTING);
	assert_false(leak(f, RULE_LEAKED_DOMAIN)->flags & FINDING_PREEXISTING);
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
		T(test_pending_within_grace),
		T(test_explain_failed_binds),
		T(test_explain_enospc_holders),
		T(test_explain_errno_extremes),
		T(test_pending_resolved),
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
		T(test_bind_same_device_again_counted_per_process),
		T(test_unbind_by_other_process),
		T(test_unbind_by_other_process_clean),
		T(test_rebind_refused),
		T(test_state_pasid_drop_by_evidence),
		T(test_state_unbind_evidence),
		T(test_state_bind_and_rebind_evidence),
		T(test_state_order_rules_not_judged),
		T(test_state_rewalk_objects_born_live),
		cmocka_unit_test(test_rule_table_complete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
