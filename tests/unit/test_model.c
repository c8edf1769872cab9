// SPDX-License-Identifier: GPL-2.0
/* The model on synthetic event sequences: lifecycles, 1:n, mid-flight
 * starts, snapshot merge, address reuse, reordering and the memory budget. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pipeline/session.h"
#include "model/model.h"
#include "pipeline/reorder.h"
#include "synth.h"

struct fixture {
	struct model m;
	struct synth s;
	struct synth_dev dev0, dev1;
};

static void apply(const struct svatop_event *ev, void *ctx)
{
	struct fixture *f = ctx;

	assert_int_equal(model_apply(&f->m, ev), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(model_init(&f->m), 0);
	synth_init(&f->s, apply, f);
	synth_dev_init(&f->dev0, 0xffff888100001000ULL, "0000:00:04.0",
		       0xffff888100900000ULL, "mock-iommu0");
	synth_dev_init(&f->dev1, 0xffff888100002000ULL, "0000:00:05.0",
		       0xffff888100a00000ULL, "mock-iommu1");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	assert_null(model_verify(&f->m));
	model_fini(&f->m);
	free(f);
	return 0;
}

static void test_bind_unbind_exit_release(void **state)
{
	struct fixture *f = *state;
	const struct model_mm *mm;
	const struct model_domain *d;
	const struct model_bond *b;
	struct synth_proc p;
	int bond;

	synth_proc_init(&f->s, &p, 100, "app");
	bond = synth_bind(&f->s, &p, &f->dev0);
	mm = model_mm(&f->m, p.mm);
	assert_non_null(mm);
	assert_int_equal(mm->tgid, 100);
	assert_string_equal(MODEL_MM_COMM(&f->m, mm), "app");
	assert_int_equal(mm->pasid_val, p.pasid);
	assert_true(mm->flags & MF_BORN_LIVE);
	assert_int_equal(mm->ndomains, 1);
	assert_int_equal(mm->nbonds, 1);
	assert_int_equal(model_mm_ndevs(&f->m, mm), 1);
	d = model_domain(&f->m, p.dom[0].ptr);
	assert_non_null(d);
	assert_true(d->flags & DF_BORN_LIVE);
	assert_true(d->flags & DF_DERIVED);
	assert_ptr_equal(model_mm_at(&f->m, d->mm), mm);
	assert_int_equal(d->users, 1);
	b = model_bond(&f->m, p.bond[bond].handle);
	assert_non_null(b);
	assert_string_equal(model_dev_at(&f->m, b->dev)->name, "0000:00:04.0");
	assert_string_equal(model_dev_at(&f->m, b->dev)->iommu->name, "mock-iommu0");
	assert_ptr_equal(model_mm_at(&f->m, model_pasid(&f->m, p.pasid)->mm), mm);

	/* A second bind of the same device reuses the handle. */
	assert_int_equal(synth_bind(&f->s, &p, &f->dev0), bond);
	assert_int_equal(model_bond(&f->m, p.bond[bond].handle)->users, 2);
	assert_int_equal(mm->nbonds, 1);
	synth_unbind(&f->s, &p, bond);
	assert_int_equal(model_bond(&f->m, p.bond[0].handle)->users, 1);
	synth_unbind(&f->s, &p, bond);
	assert_null(model_bond(&f->m, p.bond[0].handle));
	assert_int_equal(f->m.domains.count, 0);
	mm = model_mm(&f->m, p.mm);
	assert_int_equal(mm->ndomains, 0);
	assert_int_equal(mm->nbonds, 0);
	/* Unbind never frees the PASID. */
	assert_non_null(model_pasid(&f->m, p.pasid));

	synth_exit(&f->s, &p);
	assert_true(model_mm(&f->m, p.mm)->flags & MF_EXITED);
	assert_true(synth_mm_release(&f->s, &p));
	assert_null(model_mm(&f->m, p.mm));
	assert_null(model_pasid(&f->m, p.pasid));
	/* Only the device and its IOMMU instance remain. */
	assert_int_equal(model_objects(&f->m), 2);
	assert_int_equal(f->m.cnt.unknown, 0);
}

/* Out of line (memory layout): process names are shared, an exit's time
 * lives in a record that goes with its mm. */
static void test_shared_names_and_cold_records(void **state)
{
	struct fixture *f = *state;
	struct synth_proc a, b, c;
	const struct model_mm *mb;

	synth_proc_init(&f->s, &a, 300, "worker");
	synth_proc_init(&f->s, &b, 301, "worker");
	synth_proc_init(&f->s, &c, 302, "other");
	synth_bind(&f->s, &a, &f->dev0);
	synth_bind(&f->s, &b, &f->dev0);
	synth_bind(&f->s, &c, &f->dev1);
	assert_int_equal(f->m.comms.count, 2);
	assert_ptr_equal(model_mm_comm(&f->m, model_mm(&f->m, a.mm)),
			 model_mm_comm(&f->m, model_mm(&f->m, b.mm)));
	assert_int_equal(f->m.colds.count, 0);
	synth_exit(&f->s, &a);
	assert_int_equal(f->m.colds.count, 1);
	assert_int_equal(model_mm_exit_ts(&f->m, model_mm(&f->m, a.mm)), f->s.ts);
	synth_unbind(&f->s, &a, 0);
	assert_true(synth_mm_release(&f->s, &a));
	assert_int_equal(f->m.colds.count, 0);
	assert_int_equal(f->m.comms.count, 2);
	mb = model_mm(&f->m, b.mm);
	assert_string_equal(MODEL_MM_COMM(&f->m, mb), "worker");
	assert_int_equal(model_mm_exit_ts(&f->m, mb), 0);
	synth_exit(&f->s, &b);
	synth_unbind(&f->s, &b, 0);
	assert_true(synth_mm_release(&f->s, &b));
	assert_int_equal(f->m.comms.count, 1);
	assert_null(model_verify(&f->m));
}

/* Regression (found by the fuzz target, issue 17): reference counts are
 * the kernel's or a recording's; an unbind reporting INT32_MIN users made
 * model/apply.c compute INT32_MIN - 1 (signed overflow, UBSan aborts this
 * test binary). The counts are now computed in 64 bits and clamped. */
static void test_extreme_user_counts(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p;
	int bond;

	synth_proc_init(&f->s, &p, 100, "app");
	bond = synth_bind(&f->s, &p, &f->dev0);
	synth_event(&f->s, &ev, SVATOP_EV_UNBIND, &p);
	ev.handle = p.bond[bond].handle;
	ev.domain = p.dom[0].ptr;
	ev.dev = f->dev0.ptr;
	ev.handle_users = INT32_MIN;
	ev.domain_users = INT32_MIN;
	assert_int_equal(model_apply(&f->m, &ev), 0);
	assert_int_equal(model_domain(&f->m, p.dom[0].ptr)->users, INT32_MIN);
	/* A count at or below zero ends the bond, as for any last unbind. */
	assert_null(model_bond(&f->m, p.bond[bond].handle));
	/* The other extreme does not wrap either. */
	synth_event(&f->s, &ev, SVATOP_EV_UNBIND, &p);
	ev.domain = p.dom[0].ptr;
	ev.handle_users = INT32_MAX;
	ev.domain_users = INT32_MAX;
	assert_int_equal(model_apply(&f->m, &ev), 0);
	assert_int_equal(model_domain(&f->m, p.dom[0].ptr)->users, INT32_MAX);
}

/* One mm, one PASID, two domains: devices on two IOMMU instances. */
static void test_one_pasid_two_domains(void **state)
{
	struct fixture *f = *state;
	const struct model_domain *d;
	const struct model_bond *b;
	const struct model_mm *mm;
	struct synth_proc p;
	int n = 0;

	synth_proc_init(&f->s, &p, 200, "one2n");
	synth_bind(&f->s, &p, &f->dev0);
	synth_bind(&f->s, &p, &f->dev1);
	mm = model_mm(&f->m, p.mm);
	assert_int_equal(mm->ndomains, 2);
	assert_int_equal(mm->nbonds, 2);
	assert_int_equal(model_mm_ndevs(&f->m, mm), 2);
	assert_int_equal(f->m.pasids.count, 1);
	model_mm_for_each_domain(&f->m, mm, d) {
		b = model_bond_at(&f->m, d->bonds);
		assert_int_equal(d->nbonds, 1);
		assert_int_equal(b->pasid, p.pasid);
		assert_ptr_equal(model_dev_at(&f->m, b->dev)->iommu,
				 model_dev_at(&f->m, d->first_dev)->iommu);
		n++;
	}
	assert_int_equal(n, 2);
	d = model_domain_at(&f->m, mm->domains);
	assert_ptr_not_equal(model_dev_at(&f->m, d->first_dev)->iommu,
			     model_dev_at(&f->m, model_domain_at(&f->m, d->mm_next)->first_dev)->iommu);
	assert_int_equal(f->m.iommus.count, 2);
}

/* A domain born in a bind names its allocation stack: its own record's,
 * or, where the kernel side left it out (stack_domain_from_bind), the
 * bind's; a re-bind sharing the domain changes neither. */
static void test_domain_stack_from_bind(void **state)
{
	struct fixture *f = *state;
	const struct model_domain *d;
	struct synth_proc p, q;
	int b;

	synth_proc_init(&f->s, &p, 300, "own");
	b = synth_bind(&f->s, &p, &f->dev0);
	d = model_domain(&f->m, p.dom[0].ptr);
	assert_true(d->stack_id >= 0);
	assert_int_not_equal(d->stack_id, model_bond(&f->m, p.bond[b].handle)->stack_id);

	f->s.domain_stack_from_bind = true;
	synth_proc_init(&f->s, &q, 301, "frombind");
	b = synth_bind(&f->s, &q, &f->dev0);
	d = model_domain(&f->m, q.dom[0].ptr);
	assert_true(d->stack_id >= 0);
	assert_int_equal(d->stack_id, model_bond(&f->m, q.bond[b].handle)->stack_id);
	/* the second device's bind shares nothing: its own domain, its stack */
	b = synth_bind(&f->s, &q, &f->dev1);
	assert_int_equal(model_domain(&f->m, q.dom[1].ptr)->stack_id,
			 model_bond(&f->m, q.bond[b].handle)->stack_id);
	assert_int_not_equal(model_domain(&f->m, q.dom[1].ptr)->stack_id, d->stack_id);
}

/* Starting mid-flight: events about objects the model never saw change
 * nothing and invent nothing. */
static void test_mid_flight_unknowns(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p;
	int t;

	synth_proc_init(&f->s, &p, 300, "old");
	p.pasid = 77;
	synth_event(&f->s, &ev, SVATOP_EV_UNBIND, &p);
	ev.handle = 0xffff8881aaaa0000ULL;
	ev.domain = 0xffff8881bbbb0000ULL;
	ev.handle_users = 1;
	ev.domain_users = 1;
	apply(&ev, f);
	synth_event(&f->s, &ev, SVATOP_EV_DETACH, &p);
	ev.domain = 0xffff8881bbbb0000ULL;
	apply(&ev, f);
	synth_event(&f->s, &ev, SVATOP_EV_DOMAIN_FREE, &p);
	ev.domain = 0xffff8881bbbb0000ULL;
	apply(&ev, f);
	for (t = SVATOP_EV_MMDROP; t >= SVATOP_EV_MM_PASID_DROP; t--) {
		synth_event(&f->s, &ev, t, &p);
		apply(&ev, f);
	}
	synth_event(&f->s, &ev, SVATOP_EV_PASID_FREE, &p);
	apply(&ev, f);
	synth_event(&f->s, &ev, SVATOP_EV_EXIT, &p);
	ev.flags |= SVATOP_F_LEADER_EXIT;
	apply(&ev, f);
	assert_int_equal(model_objects(&f->m), 0);
	assert_int_equal(f->m.cnt.unknown, 6);
	/* Garbage records are counted, not applied. */
	memset(&ev, 0xff, sizeof(ev));
	apply(&ev, f);
	ev.type = SVATOP_EV_BIND;
	ev.version = 99;
	apply(&ev, f);
	assert_int_equal(f->m.cnt.bad_records, 2);
	assert_int_equal(model_objects(&f->m), 0);
}

/* A bind of an mm the model never saw (its PASID predates svatop): known
 * from then on, but not "born live". */
static void test_mid_flight_bind(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p;
	const struct model_mm *mm;

	synth_proc_init(&f->s, &p, 301, "older");
	p.pasid = 12;
	synth_event(&f->s, &ev, SVATOP_EV_BIND, &p);
	ev.handle = 0xffff8881aaaa0000ULL;
	ev.domain = 0xffff8881bbbb0000ULL;
	ev.dev = f->dev0.ptr;
	ev.handle_users = 2;
	ev.domain_users = 3;
	apply(&ev, f);
	mm = model_mm(&f->m, p.mm);
	assert_non_null(mm);
	assert_false(mm->flags & MF_BORN_LIVE);
	assert_false(model_domain(&f->m, ev.domain)->flags & DF_BORN_LIVE);
	assert_false(model_bond(&f->m, ev.handle)->flags & BF_BORN_LIVE);
	assert_int_equal(model_bond(&f->m, ev.handle)->users, 2);
	assert_int_equal(model_domain(&f->m, ev.domain)->users, 3);
}

/* Snapshot of a process bound before start; then it unbinds and exits. */
static void test_snapshot_then_teardown(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p, *procs[] = { &p };
	const struct model_mm *mm;

	/* p's kernel state as it was before svatop started. */
	synth_proc_init(&f->s, &p, 400, "before");
	p.pasid = 5;
	p.iommu_mm = 0xffff888200000000ULL;
	p.ndom = 1;
	p.dom[0].ptr = 0xffff888200001000ULL;
	p.dom[0].iommu = f->dev0.iommu;
	p.dom[0].users = 1;
	p.nbond = 1;
	p.bond[0].handle = 0xffff888200002000ULL;
	p.bond[0].dev = f->dev0.ptr;
	p.bond[0].domain = p.dom[0].ptr;
	p.bond[0].users = 1;
	synth_snapshot(&f->s, procs, 1);
	assert_true(f->m.snapshot_done);
	mm = model_mm(&f->m, p.mm);
	assert_non_null(mm);
	assert_true(mm->flags & MF_SNAPSHOT);
	assert_false(mm->flags & MF_BORN_LIVE);
	assert_int_equal(mm->tgid, 400);
	assert_int_equal(mm->pasid_val, 5);
	assert_int_equal(mm->ndomains, 1);
	assert_true(model_domain(&f->m, p.dom[0].ptr)->flags & DF_SNAPSHOT);

	synth_unbind(&f->s, &p, 0);
	assert_null(model_domain(&f->m, p.dom[0].ptr));
	synth_exit(&f->s, &p);
	assert_true(synth_mm_release(&f->s, &p));
	assert_int_equal(model_objects(&f->m), 0);
}

/* A live bind delivered before the snapshot record of the same mm merges:
 * one mm, one PASID, the live state kept. */
static void test_snapshot_merges_live(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p, *procs[] = { &p };
	const struct model_mm *mm;

	synth_proc_init(&f->s, &p, 500, "racer");
	synth_bind(&f->s, &p, &f->dev0);
	synth_snapshot(&f->s, procs, 1);
	assert_int_equal(f->m.mms.count, 1);
	assert_int_equal(f->m.pasids.count, 1);
	assert_int_equal(f->m.domains.count, 1);
	mm = model_mm(&f->m, p.mm);
	assert_false(mm->flags & MF_SNAPSHOT);
	assert_true(mm->flags & MF_BORN_LIVE);
	assert_false(model_domain(&f->m, p.dom[0].ptr)->flags & DF_SNAPSHOT);
}

/* The iterator read a domain (and an mm) just before their teardown,
 * whose events are delivered first: the stale snapshot records must not
 * bring them back. */
static void test_snapshot_after_live_free(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p, q, *procs[] = { &p, &q };
	struct synth_proc p_old, q_old;

	synth_proc_init(&f->s, &p, 510, "dying");
	synth_bind(&f->s, &p, &f->dev0);
	synth_proc_init(&f->s, &q, 511, "dead");
	synth_bind(&f->s, &q, &f->dev1);
	p_old = p;
	q_old = q;
	/* p unbinds (domain freed), q goes entirely, before the records. */
	synth_unbind(&f->s, &p, 0);
	synth_unbind(&f->s, &q, 0);
	synth_exit(&f->s, &q);
	assert_true(synth_mm_release(&f->s, &q));
	p = p_old;
	q = q_old;
	synth_snapshot(&f->s, procs, 2);
	assert_int_equal(f->m.domains.count, 0);
	assert_null(model_mm(&f->m, q.mm));
	assert_int_equal(f->m.cnt.stale_snapshot, 3);	/* p's domain, q's mm and domain */
	assert_int_equal(f->m.mms.count, 1);		/* p: alive, PASID kept */
	/* After SNAP_END a freed address is just free: a new domain there is new. */
	p.pasid = 0;
	p.ndom = p.nbond = 0;
	synth_bind(&f->s, &p, &f->dev0);
	assert_int_equal(f->m.domains.count, 1);
}

/* Slab reuse: freed addresses come back as new objects with new uids. */
static void test_address_reuse_generations(void **state)
{
	struct fixture *f = *state;
	struct synth_proc a, b;
	uint32_t uid_mm, uid_dom;
	uint64_t mm_ptr, dom_ptr;

	synth_proc_init(&f->s, &a, 600, "first");
	synth_bind(&f->s, &a, &f->dev0);
	mm_ptr = a.mm;
	dom_ptr = a.dom[0].ptr;
	uid_mm = model_mm(&f->m, mm_ptr)->uid;
	uid_dom = model_domain(&f->m, dom_ptr)->uid;
	synth_unbind(&f->s, &a, 0);
	synth_exit(&f->s, &a);
	assert_true(synth_mm_release(&f->s, &a));

	/* LIFO reuse: b gets a's mm address back. */
	synth_proc_init(&f->s, &b, 601, "second");
	assert_int_equal(b.mm, mm_ptr);
	synth_bind(&f->s, &b, &f->dev0);
	assert_non_null(model_mm(&f->m, mm_ptr));
	assert_int_not_equal(model_mm(&f->m, mm_ptr)->uid, uid_mm);
	assert_int_equal(model_mm(&f->m, mm_ptr)->tgid, 601);
	assert_false(model_mm_exited(model_mm(&f->m, mm_ptr)));
	assert_true(model_mm(&f->m, mm_ptr)->flags & MF_BORN_LIVE);
	/* The domain address came back too, or another was used. */
	if (b.dom[0].ptr == dom_ptr)
		assert_int_not_equal(model_domain(&f->m, dom_ptr)->uid, uid_dom);
	assert_int_equal(f->m.mms.count, 1);
	assert_int_equal(f->m.domains.count, 1);
	assert_int_equal(f->m.cnt.replaced, 0);
}

/* An mm whose __mmdrop was seen but not its mm_pasid_drop: a new mm at the
 * same address retires it. */
static void test_dropping_mm_replaced(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p;
	uint32_t uid;

	synth_proc_init(&f->s, &p, 700, "x");
	synth_bind(&f->s, &p, &f->dev0);
	synth_unbind(&f->s, &p, 0);
	uid = model_mm(&f->m, p.mm)->uid;
	synth_event(&f->s, &ev, SVATOP_EV_MMDROP, &p);
	apply(&ev, f);
	assert_true(model_mm(&f->m, p.mm)->flags & MF_DROPPING);
	p.pasid = 0;
	p.tgid = 701;
	synth_bind(&f->s, &p, &f->dev0);
	assert_int_not_equal(model_mm(&f->m, p.mm)->uid, uid);
	assert_int_equal(model_mm(&f->m, p.mm)->tgid, 701);
	assert_int_equal(f->m.mms.count, 1);
	assert_int_equal(f->m.cnt.replaced, 1);
}

/* The final drop runs in another task: the model keys by pointer. */
static void test_release_in_other_task(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 800, "owner");
	synth_bind(&f->s, &p, &f->dev0);
	synth_unbind(&f->s, &p, 0);
	synth_exit(&f->s, &p);
	assert_true(synth_mm_release(&f->s, &p));	/* tgid 7 emits it */
	assert_null(model_mm(&f->m, p.mm));
	assert_int_equal(f->m.pasids.count, 0);
}

/* A vfork child exiting on its parent's mm does not end the parent. */
static void test_exit_of_other_process_ignored(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 900, "parent");
	synth_bind(&f->s, &p, &f->dev0);
	synth_event(&f->s, &ev, SVATOP_EV_EXIT, &p);
	ev.flags |= SVATOP_F_LEADER_EXIT;
	ev.tgid = ev.pid = 901;
	apply(&ev, f);
	assert_false(model_mm_exited(model_mm(&f->m, p.mm)));
	/* A non-leader thread exit neither. */
	synth_event(&f->s, &ev, SVATOP_EV_EXIT, &p);
	ev.pid = 902;
	apply(&ev, f);
	assert_false(model_mm_exited(model_mm(&f->m, p.mm)));
}

/* On a kernel where every bind fails (the x86 stub), each process that
 * tries leaves an mm with errors and nothing else, and no event ever says
 * it is gone: the model keeps only the newest MODEL_ERROR_ONLY_MAX. */
static void test_failed_bind_only_mms_bounded(void **state)
{
	struct fixture *f = *state;
	struct svatop_event ev;
	struct synth_proc p, keep;
	uint32_t i, n = MODEL_ERROR_ONLY_MAX + 1000;

	synth_proc_init(&f->s, &keep, 50, "sva-user");
	synth_bind(&f->s, &keep, &f->dev0);
	synth_event(&f->s, &ev, SVATOP_EV_BIND, &keep);
	ev.ret = -95;
	apply(&ev, f);		/* an mm with SVA state and an error: kept */
	for (i = 0; i < n; i++) {
		synth_proc_init(&f->s, &p, 100000 + i, "stubbed");
		p.mm = 0xffff889000000000ULL + (uint64_t)i * 0x400;
		synth_event(&f->s, &ev, SVATOP_EV_BIND, &p);
		ev.ret = -95;
		ev.pasid = 0;
		apply(&ev, f);
		apply(&ev, f);	/* a second failure of the same mm */
	}
	assert_int_equal(f->m.mms.count, MODEL_ERROR_ONLY_MAX + 1);
	assert_int_equal(f->m.cnt.evicted, 1000);
	assert_null(model_mm(&f->m, 0xffff889000000000ULL));
	assert_int_equal(model_mm_errors(&f->m, model_mm(&f->m, p.mm)), 2);
	assert_int_equal(model_mm_errors(&f->m, model_mm(&f->m, keep.mm)), 1);
	assert_int_equal(f->m.cnt.bind_errors, 2 * n + 1);
}

static int collect(const struct svatop_event *ev, void *ctx)
{
	uint64_t *last = ctx;

	assert_true(ev->ts_ns >= last[0]);
	last[0] = ev->ts_ns;
	last[1]++;
	return 0;
}

static void test_reorder(void **state)
{
	struct svatop_event ev = { .type = SVATOP_EV_BIND, .version = SVATOP_ABI_VERSION };
	uint64_t ts[] = { 50, 10, 40, 20, 30, 60, 15, 55 };
	uint64_t out[2] = { 0, 0 };
	struct reorder r;
	size_t i;

	(void)state;
	reorder_init(&r);
	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		ev.ts_ns = ts[i];
		assert_int_equal(reorder_push(&r, &ev), 0);
	}
	assert_int_equal(reorder_release(&r, 30, collect, out), 0);
	assert_int_equal(out[1], 4);		/* 10 15 20 30 */
	assert_int_equal(out[0], 30);
	ev.ts_ns = 35;				/* arrives late, still in window */
	reorder_push(&r, &ev);
	assert_int_equal(reorder_release(&r, UINT64_MAX, collect, out), 0);
	assert_int_equal(out[1], 9);
	assert_int_equal(out[0], 60);
	assert_int_equal(r.late, 0);
	ev.ts_ns = 1;				/* too late: counted */
	reorder_push(&r, &ev);
	out[0] = 0;
	reorder_release(&r, UINT64_MAX, collect, out);
	assert_int_equal(r.late, 1);
	reorder_fini(&r);
}

/* Same-timestamp records never leave by time: the buffer holds at most
 * REORDER_MAX_HELD, the oldest leave early, counted as late. */
static void test_reorder_bounded(void **state)
{
	struct svatop_event ev = { .type = SVATOP_EV_BIND, .version = SVATOP_ABI_VERSION,
				   .ts_ns = 1000 };
	uint64_t out[2] = { 0, 0 };
	const size_t n = 3 * REORDER_MAX_HELD + 7;
	struct reorder r;
	size_t i;

	(void)state;
	reorder_init(&r);
	for (i = 0; i < n; i++) {
		assert_int_equal(reorder_bound(&r, collect, out), 0);
		assert_int_equal(reorder_push(&r, &ev), 0);
		assert_true(r.len + r.flen <= REORDER_MAX_HELD);
	}
	assert_true(r.fcap <= REORDER_MAX_HELD);
	assert_int_equal(r.overflow, n - REORDER_MAX_HELD);
	assert_int_equal(r.late, r.overflow);
	assert_int_equal(out[1], n - REORDER_MAX_HELD);
	assert_int_equal(reorder_release(&r, UINT64_MAX, collect, out), 0);
	assert_int_equal(out[1], n);
	assert_int_equal(r.late, n - REORDER_MAX_HELD);
	reorder_fini(&r);
}

/* The hash map against a trivial reference, through growth and deletes
 * (backward shift must keep every other key reachable). */
static void test_keymap_consistency(void **state)
{
	enum { N = 20000 };
	static uint8_t present[N];
	struct keymap km;
	uint64_t seed = 42;
	int i, k;

	(void)state;
	memset(present, 0, sizeof(present));
	assert_int_equal(keymap_init(&km, 16), 0);
	for (i = 0; i < 200000; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		k = (seed >> 33) % N;
		if ((seed >> 20) & 1) {
			assert_int_equal(keymap_put(&km, 0xffff888000000000ULL + k * 64,
						    (void *)(uintptr_t)(k + 1)), 0);
			present[k] = 1;
		} else {
			keymap_del(&km, 0xffff888000000000ULL + k * 64, NULL);
			present[k] = 0;
		}
	}
	for (k = 0; k < N; k++) {
		void *v = keymap_get(&km, 0xffff888000000000ULL + k * 64);

		if (present[k])
			assert_ptr_equal(v, (void *)(uintptr_t)(k + 1));
		else
			assert_null(v);
	}
	keymap_fini(&km);
}

/* The same against an index map over a pool: objects come and go (their
 * slots are reused), the map follows. */
struct idx_obj {
	uint32_t tag;
	uint32_t pad;
	uint64_t key;
};

static void test_idxmap_consistency(void **state)
{
	enum { N = 20000 };
	static struct idx_obj *held[N];
	struct idxmap im;
	struct pool pool;
	uint64_t seed = 7;
	int i, k;

	(void)state;
	memset(held, 0, sizeof(held));
	pool_init(&pool, sizeof(struct idx_obj));
	assert_int_equal(idxmap_init(&im, &pool, offsetof(struct idx_obj, key), 16), 0);
	for (i = 0; i < 200000; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		k = (seed >> 33) % N;
		if ((seed >> 20) & 1) {
			if (held[k])
				continue;
			held[k] = pool_alloc(&pool, 1);
			assert_non_null(held[k]);
			held[k]->key = 0xffff888000000000ULL + k * 64;
			assert_int_equal(idxmap_put(&im, held[k]), 0);
		} else if (held[k]) {
			idxmap_del(&im, held[k]);
			pool_free(&pool, held[k]);
			held[k] = NULL;
		}
	}
	for (k = 0; k < N; k++)
		assert_ptr_equal(idxmap_get(&im, 0xffff888000000000ULL + k * 64), held[k]);
	assert_int_equal(idxmap_count(&im), pool.count);
	idxmap_fini(&im);
	pool_fini(&pool);
}

static uint64_t rnd(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return *seed >> 33;
}

/* Arbitrary records over a few colliding pointers and PASIDs, in any
 * order and with any field values: the model must neither crash nor
 * break a relation, and the analyzer must keep running. */
static void test_random_events_keep_model_consistent(void **state)
{
	struct svatop_event ev;
	struct finding_list leaks;
	struct session s;
	uint64_t seed = 12345;
	const char *broken;
	int i;

	(void)state;
	assert_int_equal(session_init(&s, 1000), 0);
	finding_list_init(&leaks);
	for (i = 0; i < 200000; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.type = 1 + rnd(&seed) % (SVATOP_EV_MAX - 1);
		if (rnd(&seed) % 500 == 0)
			ev.type = rnd(&seed);
		ev.version = rnd(&seed) % 1000 ? SVATOP_ABI_VERSION : 7;
		ev.ts_ns = i * 100 + rnd(&seed) % 300;
		ev.pid = ev.tgid = 100 + rnd(&seed) % 6;
		if (rnd(&seed) % 3 == 0)
			ev.pid = 200 + rnd(&seed) % 6;
		memcpy(ev.comm, "fuzz", 5);
		ev.mm = rnd(&seed) % 9 ? 0xffff888000000000ULL + (rnd(&seed) % 8) * 0x400 : 0;
		ev.domain = rnd(&seed) % 9 ? 0xffff888100000000ULL + (rnd(&seed) % 8) * 0x400 : 0;
		ev.handle = rnd(&seed) % 9 ? 0xffff888200000000ULL + (rnd(&seed) % 8) * 0x400 : 0;
		ev.dev = rnd(&seed) % 5 ? 0xffff888300000000ULL + (rnd(&seed) % 4) * 0x400 : 0;
		ev.iommu = rnd(&seed) % 3 ? 0xffff888400000000ULL + (rnd(&seed) % 2) * 0x400 : 0;
		ev.aux = rnd(&seed) % 2 ? ev.mm ^ 0x400 : 0;
		ev.aux2 = rnd(&seed) % 4 ? 0 : ev.handle;
		/* now and then above the direct PASID index (1 << 20) */
		ev.pasid = rnd(&seed) % 10 ? (rnd(&seed) % 8 ? 1 : 1u << 20) + rnd(&seed) % 8 :
					      (rnd(&seed) % 2 ? 0 : ~0u);
		ev.ret = rnd(&seed) % 8 ? 0 : -(int)(rnd(&seed) % 130);
		ev.handle_users = (int)(rnd(&seed) % 5) - 1;
		ev.domain_users = (int)(rnd(&seed) % 5) - 1;
		ev.stack_id = (int)(rnd(&seed) % 10) - 1;
		ev.flags = rnd(&seed) & 0xfff;	/* every SVATOP_F_* */
		s.m.state_mode = (i / 20000) % 2;
		for (int k = 0; k < SVATOP_NAME_LEN; k++)
			ev.dev_name[k] = (char)rnd(&seed);	/* unterminated garbage */
		session_apply(&s, &ev);
		if (i % 997 == 0) {
			broken = model_verify(&s.m);
			if (broken)
				fail_msg("after %d events: %s", i + 1, broken);
			leaks.len = 0;
			analyzer_leaks(&s.a, &s.m, ev.ts_ns + 5000, &leaks);
		}
	}
	assert_null(model_verify(&s.m));
	assert_true(s.m.cnt.bad_records > 0);
	print_message("# fuzz: %llu events, %zu objects live, %llu violations kept\n",
		      (unsigned long long)s.m.cnt.events, model_objects(&s.m),
		      (unsigned long long)s.a.violations.len);
	finding_list_fini(&leaks);
	session_close(&s);
}

/*
 * State mode against the stream: the same random binds, unbinds, exits and
 * releases, once as the full stream and once as state mode emits them (no
 * successful bind/unbind/attach/detach/free records, a re-walk every few
 * steps, the kernel's counts set as the session sets them). After each
 * re-walk both models must agree on every mm: PASID, domains, bonds,
 * binds, unbinds, exited; and on the object totals.
 */
struct twin {
	struct model m;
	struct synth s;
};

static void twin_apply(const struct svatop_event *ev, void *ctx)
{
	struct twin *t = ctx;

	assert_int_equal(model_apply(&t->m, ev), 0);
}

#define TWIN_PROCS	6

static void twin_ops(struct twin *t, struct synth_proc *p, struct synth_dev *devs,
		     uint64_t *seed)
{
	int b, i = rnd(seed) % TWIN_PROCS;
	struct synth_proc *q = &p[i];

	switch (rnd(seed) % 8) {
	case 0: case 1: case 2:
		if (!q->exited)
			synth_bind(&t->s, q, &devs[rnd(seed) % 3]);
		break;
	case 3: case 4: case 5:
		if (q->nbond) {
			b = rnd(seed) % q->nbond;
			synth_unbind(&t->s, q, b);
		}
		break;
	case 6:
		if (!q->exited && rnd(seed) % 4 == 0)
			synth_exit(&t->s, q);
		break;
	default:
		if (q->exited && !q->freed) {
			while (q->nbond && rnd(seed) % 3)
				synth_unbind(&t->s, q, 0);
			synth_mm_release(&t->s, q);
		}
		break;
	}
}

static void twin_compare(const struct twin *a, const struct twin *b,
			 const struct synth_proc *pa, int step)
{
	int i;

	assert_int_equal(a->m.bonds.count, b->m.bonds.count);
	assert_int_equal(a->m.domains.count, b->m.domains.count);
	assert_int_equal(a->m.mms.count, b->m.mms.count);
	assert_int_equal(a->m.pasids.count, b->m.pasids.count);
	for (i = 0; i < TWIN_PROCS; i++) {
		const struct model_mm *x = model_mm(&a->m, pa[i].mm);
		const struct model_mm *y = model_mm(&b->m, pa[i].mm);

		if (!x || !y) {
			if (!x != !y)
				fail_msg("step %d: mm of proc %d in one model only", step, i);
			continue;
		}
		if (x->pasid_val != y->pasid_val || x->ndomains != y->ndomains ||
		    x->nbonds != y->nbonds || x->binds != y->binds ||
		    x->unbinds != y->unbinds ||
		    (x->flags & (MF_EXITED | MF_SVA)) != (y->flags & (MF_EXITED | MF_SVA)) ||
		    x->tgid != y->tgid)
			fail_msg("step %d, proc %d: stream pasid %u doms %u bonds %u binds %u "
				 "unbinds %u flags %x, state %u %u %u %u %u %x", step, i,
				 x->pasid_val, x->ndomains, x->nbonds, x->binds, x->unbinds,
				 x->flags, y->pasid_val, y->ndomains, y->nbonds, y->binds,
				 y->unbinds, y->flags);
	}
}

static void test_state_mode_equals_stream(void **state)
{
	struct synth_proc pa[TWIN_PROCS], pb[TWIN_PROCS], *list[TWIN_PROCS];
	struct synth_dev devs[3];
	struct twin *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	uint64_t sa = 99, sb = 99;
	int i, step, resyncs = 0;
	size_t swept = 0;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(model_init(&a->m), 0);
	assert_int_equal(model_init(&b->m), 0);
	b->m.state_mode = true;
	synth_init(&a->s, twin_apply, a);
	synth_init(&b->s, twin_apply, b);
	b->s.state_mode = true;
	/* dev 0 and 1 share an IOMMU (one domain for both), dev 2 has its own */
	synth_dev_init(&devs[0], 0xffff888100001000ULL, "dsa0", 0xffff888100900000ULL, "iommu0");
	synth_dev_init(&devs[1], 0xffff888100002000ULL, "dsa1", 0xffff888100900000ULL, "iommu0");
	synth_dev_init(&devs[2], 0xffff888100003000ULL, "iax0", 0xffff888100a00000ULL, "iommu1");
	for (i = 0; i < TWIN_PROCS; i++) {
		synth_proc_init(&a->s, &pa[i], 100 + i, "twin");
		synth_proc_init(&b->s, &pb[i], 100 + i, "twin");
		list[i] = &pb[i];
	}
	synth_snapshot(&a->s, NULL, 0);
	synth_snapshot(&b->s, NULL, 0);
	for (step = 1; step <= 4000; step++) {
		twin_ops(a, pa, devs, &sa);
		twin_ops(b, pb, devs, &sb);
		if (step % 7)
			continue;
		size_t before = b->m.bonds.count + b->m.domains.count;

		synth_resync(&b->s, list, TWIN_PROCS);
		resyncs++;
		swept += before > b->m.bonds.count + b->m.domains.count ?
			 before - (b->m.bonds.count + b->m.domains.count) : 0;
		/* what session_state_sync() reads from the tally map */
		for (i = 0; i < TWIN_PROCS; i++)
			if (!pb[i].freed)
				model_set_tally(&b->m, pb[i].mm, pb[i].binds, pb[i].unbinds);
		twin_compare(a, b, pa, step);
		assert_null(model_verify(&b->m));
		/* a released process starts again as a new one */
		for (i = 0; i < TWIN_PROCS; i++)
			if (pa[i].freed) {
				synth_proc_init(&a->s, &pa[i], 100 + i, "twin");
				synth_proc_init(&b->s, &pb[i], 100 + i, "twin");
			}
	}
	assert_int_equal(b->m.resyncs, (uint64_t)resyncs);
	/* the scenario did remove state between re-walks, and grew some */
	assert_true(swept > 100);
	assert_true(a->m.cnt.pasid_frees > 10);
	assert_int_equal(a->m.cnt.pasid_frees, b->m.cnt.pasid_frees);
	print_message("# state mode: %d re-walks, %zu objects swept, %llu mms freed\n",
		      resyncs, swept, (unsigned long long)a->m.cnt.pasid_frees);
	model_fini(&a->m);
	model_fini(&b->m);
	free(a);
	free(b);
}

static void emit_nothing(const struct svatop_event *ev, void *ctx)
{
	(void)ev;
	(void)ctx;
}

/* A bond found by the first walk and gone at the next is removed, not
 * counted as an unbind; a re-walk's new mm is not "pre-existing". */
static void test_state_mode_resync_flags(void **state)
{
	struct fixture *f = *state;
	struct synth_proc old, p, *procs[] = { &old, &p };
	const struct model_mm *mm;
	struct svatop_event ev;

	f->m.state_mode = true;
	f->s.state_mode = true;
	synth_proc_init(&f->s, &old, 300, "old");
	synth_proc_init(&f->s, &p, 301, "new");
	f->s.emit = emit_nothing;		/* before svatop: unseen */
	synth_bind(&f->s, &old, &f->dev0);
	f->s.emit = apply;
	synth_snapshot(&f->s, procs, 1);
	mm = model_mm(&f->m, old.mm);
	assert_non_null(mm);
	assert_true(mm->flags & MF_SNAPSHOT);
	assert_int_equal(mm->ndomains, 1);
	synth_bind(&f->s, &p, &f->dev1);
	synth_unbind(&f->s, &old, 0);
	synth_resync(&f->s, procs, 2);
	mm = model_mm(&f->m, old.mm);
	assert_int_equal(mm->ndomains, 0);
	assert_int_equal(mm->nbonds, 0);
	assert_int_equal(mm->unbinds, 0);	/* the kernel counts it, not the sweep */
	assert_int_equal(f->m.cnt.unbinds, 0);
	mm = model_mm(&f->m, p.mm);
	assert_non_null(mm);
	assert_false(mm->flags & MF_SNAPSHOT);
	assert_true(mm->flags & MF_BORN_LIVE);
	assert_int_equal(mm->nbonds, 1);
	assert_false(model_bond(&f->m, p.bond[0].handle)->flags & BF_SNAPSHOT);
	assert_false(model_domain(&f->m, p.dom[0].ptr)->flags & DF_SNAPSHOT);
	model_set_state_totals(&f->m, 2, 1, 2, 1);
	assert_int_equal(f->m.cnt.binds, 2);
	assert_int_equal(f->m.cnt.domain_frees, 1);
	assert_int_equal(f->m.resyncs, 1);
	/* a walk cut short by one of its bounds finds nothing of p: it
	 * removes nothing either */
	synth_event(&f->s, &ev, SVATOP_EV_SNAP_MM, &old);
	ev.flags |= SVATOP_F_SNAPSHOT | SVATOP_F_RESYNC;
	ev.pid = ev.tgid = 0;
	f->s.emit(&ev, f->s.ctx);
	synth_event(&f->s, &ev, SVATOP_EV_SNAP_END, NULL);
	ev.flags |= SVATOP_F_SNAPSHOT | SVATOP_F_RESYNC | SVATOP_F_INCOMPLETE;
	f->s.emit(&ev, f->s.ctx);
	assert_int_equal(f->m.resyncs, 2);
	assert_int_equal(f->m.resyncs_incomplete, 1);
	assert_non_null(model_bond(&f->m, p.bond[0].handle));
	/* and a pid-0 record of a re-walk does not make the owner exited */
	assert_false(model_mm(&f->m, old.mm)->flags & MF_EXITED);
	/* the release carries the final counts */
	synth_unbind(&f->s, &p, 0);
	synth_exit(&f->s, &p);
	synth_resync(&f->s, procs, 2);
	assert_true(synth_mm_release(&f->s, &p));
	assert_null(model_mm(&f->m, p.mm));
}

/* A live source as state mode sees it: counts it reports, re-walks it
 * is asked for (an empty kernel: each walk is just its end record). */
struct fake_live {
	struct source base;
	struct source_state st;
	int resyncs;
	bool pending_end;
};

static int fake_poll(struct source *src, int timeout_ms, source_event_fn fn, void *ctx)
{
	struct fake_live *f = (void *)src;
	struct svatop_event ev = { .type = SVATOP_EV_SNAP_END, .version = SVATOP_ABI_VERSION,
				   .flags = SVATOP_F_SNAPSHOT | SVATOP_F_RESYNC, .stack_id = -1 };

	(void)timeout_ms;
	if (!f->pending_end)
		return 0;
	f->pending_end = false;
	ev.ts_ns = 1;	/* released by the window at once */
	return fn(&ev, ctx) ?: 1;
}

static void fake_stats(struct source *src, struct source_stats *out)
{
	(void)src;
	memset(out, 0, sizeof(*out));
}

static void fake_close(struct source *src)
{
	(void)src;
}

static int fake_resync(struct source *src)
{
	struct fake_live *f = (void *)src;

	f->resyncs++;
	f->pending_end = true;
	return 0;
}

static int fake_state(struct source *src, struct source_state *out, bool per_mm)
{
	(void)per_mm;
	*out = ((struct fake_live *)src)->st;
	out->mms = NULL;
	out->nmms = 0;
	return 0;
}

/* A frame re-walks the kernel only when something svatop sees changed
 * (a count, a streamed record) or the last walk is 10 s old: an idle host
 * pays nothing for state mode. */
static void test_state_sync_skips_idle_walks(void **state)
{
	static const struct source_ops ops = {
		.poll = fake_poll, .stats = fake_stats, .close = fake_close,
		.resync = fake_resync, .state = fake_state,
	};
	struct fake_live f = { .base.ops = &ops };
	struct svatop_event ev;
	struct session s;

	(void)state;
	assert_int_equal(session_init(&s, 1000), 0);
	session_set_source(&s, &f.base, true);
	s.m.state_mode = true;
	assert_int_equal(session_state_sync(&s), 0);
	assert_int_equal(f.resyncs, 1);
	assert_int_equal(s.m.resyncs, 1);
	/* idle: no walk */
	assert_int_equal(session_state_sync(&s), 0);
	assert_int_equal(session_state_sync(&s), 0);
	assert_int_equal(f.resyncs, 1);
	assert_int_equal(s.state_walks_skipped, 2);
	/* the kernel counted a bind: a walk, its count in the model */
	f.st.binds = 1;
	assert_int_equal(session_state_sync(&s), 0);
	assert_int_equal(f.resyncs, 2);
	assert_int_equal(s.m.cnt.binds, 1);
	/* a streamed record (an exit): a walk */
	memset(&ev, 0, sizeof(ev));
	ev.type = SVATOP_EV_EXIT;
	ev.version = SVATOP_ABI_VERSION;
	ev.ts_ns = 2;
	ev.stack_id = -1;
	assert_int_equal(session_apply(&s, &ev), 0);
	assert_int_equal(session_state_sync(&s), 0);
	assert_int_equal(f.resyncs, 3);
	/* ten seconds without a change: a walk all the same */
	s.state_walk_ns -= SESSION_RESYNC_MAX_NS;
	assert_int_equal(session_state_sync(&s), 0);
	assert_int_equal(f.resyncs, 4);
	assert_int_equal(s.m.resyncs, 4);
	s.src = NULL;	/* not ours to close */
	session_close(&s);
}

static void count_only(const struct svatop_event *ev, void *ctx)
{
	struct model *m = ctx;

	model_apply(m, ev);
}

/* The whole 20-bit PASID space live at once, within 200 bytes per object. */
static void test_full_pasid_space_budget(void **state)
{
	enum { NPASID = (1 << 20) - 1 };
	struct synth_dev dev;
	struct synth_proc p;
	struct synth s;
	struct model *m = malloc(sizeof(*m));
	size_t bytes, objs;
	uint32_t i;

	(void)state;
	assert_non_null(m);
	assert_int_equal(model_init(m), 0);
	synth_init(&s, count_only, m);
	synth_dev_init(&dev, 0xffff888100001000ULL, "dev", 0xffff888100900000ULL, "iommu");
	for (i = 0; i < NPASID; i++) {
		synth_proc_init(&s, &p, 1000 + i, "w");
		assert_int_not_equal(synth_bind(&s, &p, &dev), -1);
	}
	assert_int_equal(m->err, 0);
	assert_int_equal(m->pasids.count, NPASID);
	assert_int_equal(m->mms.count, NPASID);
	assert_int_equal(m->domains.count, NPASID);
	assert_int_equal(m->bonds.count, NPASID);
	objs = model_objects(m);
	bytes = model_bytes(m);
	print_message("# %u live PASIDs: %zu objects, %zu MiB, %zu bytes/object\n",
		      NPASID, objs, bytes >> 20, bytes / objs);
	assert_true(bytes / objs <= 200);
	model_fini(m);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bind_unbind_exit_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_names_and_cold_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extreme_user_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_pasid_two_domains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_stack_from_bind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mid_flight_unknowns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mid_flight_bind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_then_teardown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_merges_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_after_live_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_address_reuse_generations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dropping_mm_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_in_other_task, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_of_other_process_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_bind_only_mms_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_mode_resync_flags, setup, teardown),
		cmocka_unit_test(test_state_mode_equals_stream),
		cmocka_unit_test(test_state_sync_skips_idle_walks),
		cmocka_unit_test(test_random_events_keep_model_consistent),
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_reorder_bounded),
		cmocka_unit_test(test_keymap_consistency),
		cmocka_unit_test(test_idxmap_consistency),
		cmocka_unit_test(test_full_pasid_space_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
