// SPDX-License-Identifier: GPL-2.0
/*
 * Leak rules: objects that outlive their owner process (or their mm) by
 * more than the grace period. The grace period covers what the kernel
 * legitimately does after a process exits: the driver's release unbinds
 * after sched_process_exit, and the final __mmdrop runs later, in
 * another task's context.
 */
#include <stdio.h>
#include <string.h>
#include "analyze/rules.h"

/* Name one bond of the mm: its handle, domain and device together, so a
 * finding never pairs one bond's device with another bond's domain. */
static void fill_example_bond(const struct model *m, struct finding *f,
			      const struct model_mm *mm, const struct model_dev *fallback_dev)
{
	const struct model_bond *b = mm ? model_bond_at(m, mm->bonds) : NULL;
	const struct model_domain *d = mm ? model_domain_at(m, mm->domains) : NULL;

	if (b) {
		f->handle = b->handle;
		f->domain = b->domain ? model_domain_at(m, b->domain)->ptr : d ? d->ptr : 0;
		finding_set_dev(f, b->dev ? model_dev_at(m, b->dev) : fallback_dev);
		return;
	}
	if (d) {
		f->domain = d->ptr;
		finding_set_dev(f, fallback_dev ? fallback_dev : model_dev_at(m, d->first_dev));
		return;
	}
	finding_set_dev(f, fallback_dev);
}

/* When did the owner go? 0: it has not (or the mm is being freed now). */
static uint64_t owner_gone_ts(const struct model *m, const struct model_mm *mm)
{
	uint64_t exit_ts;

	if (!mm || (mm->flags & MF_DROPPING) || !(mm->flags & MF_EXITED))
		return 0;
	exit_ts = model_mm_exit_ts(m, mm);
	return exit_ts ? exit_ts : 1;
}

static bool past_grace(uint64_t since, uint64_t now, uint64_t grace_ns)
{
	return since && now >= since && now - since >= grace_ns;
}

/* Is the state of mm (owner gone since `since`) a leak at time now? State
 * the snapshot found on the kernel's list of SVA mms with no task at all
 * is: its owner left before svatop started, however long ago. */
static bool leak_due(const struct model_mm *mm, uint64_t since, uint64_t now, uint64_t grace_ns)
{
	if (since && mm && (mm->flags & MF_NO_TASK) && !(mm->flags & MF_DROPPING))
		return true;
	return past_grace(since, now, grace_ns);
}

static void mark_no_task(struct finding *f, const struct model_mm *mm)
{
	if (mm && (mm->flags & MF_NO_TASK))
		f->flags |= FINDING_NO_TASK;
}

static void leak_finding_init(struct finding *f, enum rule_id rule, uint64_t now, uint64_t since)
{
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->ts = now;
	f->since_ts = since;
	f->stack_id = -1;
}

unsigned int rule_leaked_bonds(const struct model *m, uint64_t now,
			       uint64_t grace_ns, finding_fn emit, void *ctx)
{
	const struct model_bond *b;
	struct finding f;
	unsigned int n = 0;
	uint32_t i;

	model_for_each_bond(m, b, i) {
		const struct model_mm *mm = model_mm_at(m, b->mm);
		uint64_t since = owner_gone_ts(m, mm);

		if (!leak_due(mm, since, now, grace_ns))
			continue;
		leak_finding_init(&f, RULE_LEAKED_BOND, now, since);
		mark_no_task(&f, mm);
		finding_set_mm(m, &f, mm);
		finding_set_dev(&f, model_dev_at(m, b->dev));
		f.pasid = b->pasid ? b->pasid : f.pasid;
		f.handle = b->handle;
		f.domain = b->domain ? model_domain_at(m, b->domain)->ptr : 0;
		f.born_ts = b->bind_ts;
		f.uid = b->uid;
		f.stack_id = b->stack_id;
		if (!(b->flags & BF_BORN_LIVE))
			f.flags |= FINDING_PREEXISTING;
		snprintf(f.detail, sizeof(f.detail), "handle users %d", b->users);
		emit(&f, ctx);
		n++;
	}
	return n;
}

unsigned int rule_leaked_domains(const struct model *m, uint64_t now,
				 uint64_t grace_ns, finding_fn emit, void *ctx)
{
	const struct model_domain *d;
	struct finding f;
	unsigned int n = 0;
	uint32_t i;

	model_for_each_domain(m, d, i) {
		const struct model_mm *mm = model_mm_at(m, d->mm);
		const struct model_bond *b = model_bond_at(m, d->bonds);
		/* An mm freed under its domain: the domain outlived it. */
		uint64_t since = mm ? owner_gone_ts(m, mm) : model_domain_orphan_ts(m, d);

		if (!leak_due(mm, since, now, grace_ns))
			continue;
		leak_finding_init(&f, RULE_LEAKED_DOMAIN, now, since);
		mark_no_task(&f, mm);
		finding_set_mm(m, &f, mm);
		if (!mm)
			f.mm = model_domain_mm_ptr(m, d);
		finding_set_dev(&f, model_dev_at(m, b && b->dev ? b->dev : d->first_dev));
		f.domain = d->ptr;
		f.handle = b ? b->handle : 0;
		f.born_ts = d->alloc_ts;
		f.uid = d->uid;
		f.stack_id = d->stack_id;
		if (!(d->flags & DF_BORN_LIVE))
			f.flags |= FINDING_PREEXISTING;
		snprintf(f.detail, sizeof(f.detail), "users %d, %u bond(s)%s", d->users,
			 d->nbonds, mm ? "" : ", mm already freed");
		emit(&f, ctx);
		n++;
	}
	return n;
}

unsigned int rule_leaked_mms(const struct model *m, uint64_t now,
			     uint64_t grace_ns, finding_fn emit, void *ctx)
{
	const struct model_pasid *p;
	const struct model_mm *mm;
	struct finding f;
	unsigned int n = 0;
	uint32_t i;

	model_for_each_mm(m, mm, i) {
		uint64_t since = owner_gone_ts(m, mm);

		if (!mm->ndomains || !leak_due(mm, since, now, grace_ns))
			continue;
		leak_finding_init(&f, RULE_LEAKED_MM, now, since);
		mark_no_task(&f, mm);
		finding_set_mm(m, &f, mm);
		fill_example_bond(m, &f, mm, NULL);
		f.born_ts = mm->first_ts;
		f.uid = mm->uid;
		p = model_mm_pasid(m, mm);
		f.stack_id = p ? p->stack_id : -1;
		if (!(mm->flags & MF_BORN_LIVE))
			f.flags |= FINDING_PREEXISTING;
		snprintf(f.detail, sizeof(f.detail), "pinned by %u SVA domain(s)",
			 mm->ndomains);
		emit(&f, ctx);
		n++;
	}
	return n;
}

unsigned int rule_leaked_pasids(const struct model *m, uint64_t now,
				uint64_t grace_ns, finding_fn emit, void *ctx)
{
	const struct model_pasid *p;
	struct finding f;
	unsigned int n = 0;
	uint32_t i;

	model_for_each_pasid(m, p, i) {
		const struct model_mm *mm = model_mm_at(m, p->mm);
		uint64_t since = mm ? owner_gone_ts(m, mm) : model_pasid_orphan_ts(m, p);

		/* An exited mm without SVA domains is freed by its last
		 * mmdrop, which lazy-TLB users (an idle CPU still on that mm)
		 * may delay for as long as the CPU idles: not an SVA leak. */
		if (mm && !mm->ndomains)
			continue;

		if (!leak_due(mm, since, now, grace_ns))
			continue;
		leak_finding_init(&f, RULE_LEAKED_PASID, now, since);
		mark_no_task(&f, mm);
		f.pasid = p->pasid;
		finding_set_mm(m, &f, mm);
		fill_example_bond(m, &f, mm, model_dev_at(m, p->dev));
		f.born_ts = p->alloc_ts;
		f.uid = p->uid;
		f.stack_id = p->stack_id;
		if (!(p->flags & PF_BORN_LIVE))
			f.flags |= FINDING_PREEXISTING;
		if (!mm)
			f.tgid = p->tgid;
		snprintf(f.detail, sizeof(f.detail), "%s",
			 mm ? "mm still holds it" : "its mm was freed without freeing it");
		emit(&f, ctx);
		n++;
	}
	return n;
}
