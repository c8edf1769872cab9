// SPDX-License-Identifier: GPL-2.0
/*
 * The lifecycle-invariant rules: each looks at one event and the model as
 * it stood just before it (rule_domain_users_mismatch: just after).
 * An object whose life started before svatop did is never judged on
 * what happened before: rules only fire on what the model fully saw.
 */
#include <stdio.h>
#include <string.h>
#include "analyze/rules.h"

const struct rule_info rule_table[RULE_MAX] = {
	[RULE_LEAKED_BOND] = { "leaked-bond", RULE_KIND_LEAK,
		"a bond (iommu_sva handle) outlived its process: the driver never called iommu_sva_unbind_device()" },
	[RULE_LEAKED_DOMAIN] = { "leaked-domain", RULE_KIND_LEAK,
		"an SVA domain outlived the process owning its mm: it pins the mm and stays on iommu_sva_mms" },
	[RULE_LEAKED_MM] = { "leaked-mm", RULE_KIND_LEAK,
		"an mm_struct is kept alive past its process by SVA domains (mm_count never reaches 0)" },
	[RULE_LEAKED_PASID] = { "leaked-pasid", RULE_KIND_LEAK,
		"a PASID is still allocated after its process exited, its mm pinned by SVA domains (or already freed): mm_pasid_drop() cannot run" },
	[RULE_PASID_FREED_WITH_DOMAINS] = { "pasid-freed-with-domains", RULE_KIND_VIOLATION,
		"the mm's PASID was freed while SVA domains of that mm remain (they still use the PASID)" },
	[RULE_DOMAIN_FREED_WITH_USERS] = { "domain-freed-with-users", RULE_KIND_VIOLATION,
		"an SVA domain was freed while domain->users > 0 (bonds still point to it)" },
	[RULE_UNBIND_UNKNOWN_HANDLE] = { "unbind-unknown-handle", RULE_KIND_VIOLATION,
		"unbind of a handle that was never bound or already released (double unbind / use after free)" },
	[RULE_DETACH_UNKNOWN_ATTACH] = { "detach-unknown-attach", RULE_KIND_VIOLATION,
		"detach of a device PASID from an SVA domain with no bond released on it" },
	[RULE_FORK_SHARES_IOMMU_MM] = { "fork-shares-iommu-mm", RULE_KIND_VIOLATION,
		"a forked child's mm still points at the parent's iommu_mm (mm_pasid_init() not applied)" },
	[RULE_PASID_REALLOC_IN_USE] = { "pasid-realloc-in-use", RULE_KIND_VIOLATION,
		"a PASID was allocated again while a bond still uses it" },
	[RULE_DOMAIN_USERS_MISMATCH] = { "domain-users-mismatch", RULE_KIND_VIOLATION,
		"an SVA domain's users count disagrees with its binds minus unbinds" },
	[RULE_BIND_SAME_DEVICE_AGAIN] = { "bind-same-device-again", RULE_KIND_NOTICE,
		"a bind of an mm that already holds the same device: the kernel shares the bond (handle->users++); a driver that binds per open file does this" },
	[RULE_IOPF_FAILED] = { "iopf-failed", RULE_KIND_VIOLATION,
		"a device page fault was answered unsuccessfully: the device touched memory its process does not map (freed or never mapped) or wrote to a read-only mapping" },
	[RULE_UNBIND_BY_OTHER_PROCESS] = { "unbind-by-other-process", RULE_KIND_VIOLATION,
		"a process unbound a bond of another process's mm while that process still lives: a stale or shared driver pointer dropped someone else's reference" },
	[RULE_REBIND_REFUSED] = { "rebind-refused", RULE_KIND_VIOLATION,
		"a bind failed for a device the mm is already bound to: the kernel must share the existing handle (handle->users++), not attach the PASID again" },
};

const char *rule_kind_name(enum rule_kind kind)
{
	switch (kind) {
	case RULE_KIND_LEAK:
		return "leak";
	case RULE_KIND_NOTICE:
		return "notice";
	default:
		return "violation";
	}
}

/* mm_pasid_drop() (or the PASID free behind it) while the model still
 * holds SVA domains of that mm: each domain holds an mm reference, so the
 * kernel cannot legitimately reach __mmdrop with one left. */
bool rule_pasid_freed_with_domains(const struct model *m,
				   const struct svatop_event *ev,
				   struct finding *f)
{
	const struct model_mm *mm = NULL;
	const struct model_domain *d;
	const struct model_pasid *p;

	/* State mode: the model's domains are as of the last re-walk; the
	 * hook read the mm's own list (SVATOP_F_DOMAINS_LEFT). */
	if (m->state_mode) {
		if (ev->type != SVATOP_EV_MM_PASID_DROP || !(ev->flags & SVATOP_F_DOMAINS_LEFT))
			return false;
		finding_from_event(f, RULE_PASID_FREED_WITH_DOMAINS, ev);
		mm = model_mm(m, ev->mm);
		if (mm)
			finding_set_mm(m, f, mm);
		f->expected = 0;
		f->actual = mm && mm->ndomains ? mm->ndomains : 1;
		snprintf(f->detail, sizeof(f->detail),
			 "the mm's iommu_mm still lists SVA domains");
		return true;
	}
	if (ev->type == SVATOP_EV_MM_PASID_DROP) {
		mm = model_mm(m, ev->mm);
	} else if (ev->type == SVATOP_EV_PASID_FREE) {
		p = model_pasid(m, ev->pasid);
		mm = p ? model_mm_at(m, p->mm) : NULL;
	}
	if (!mm || !mm->ndomains)
		return false;
	finding_from_event(f, RULE_PASID_FREED_WITH_DOMAINS, ev);
	finding_set_mm(m, f, mm);
	d = model_domain_at(m, mm->domains);
	f->domain = d->ptr;
	f->uid = mm->uid;
	f->expected = 0;
	f->actual = mm->ndomains;
	finding_set_dev(f, model_dev_at(m, d->first_dev));
	snprintf(f->detail, sizeof(f->detail), "%u SVA domain(s) of mm still allocated",
		 mm->ndomains);
	return true;
}

/* iommu_domain_free() of an SVA domain reports its users count; the
 * core only frees at --users == 0 (or users never set, on a failed bind). */
bool rule_domain_freed_with_users(const struct model *m,
				  const struct svatop_event *ev,
				  struct finding *f)
{
	const struct model_domain *d;

	if (ev->type != SVATOP_EV_DOMAIN_FREE || ev->domain_users <= 0)
		return false;
	finding_from_event(f, RULE_DOMAIN_FREED_WITH_USERS, ev);
	d = model_domain(m, ev->domain);
	if (d) {
		finding_set_mm(m, f, model_mm_at(m, d->mm));
		finding_set_dev(f, model_dev_at(m, d->first_dev));
		f->born_ts = d->alloc_ts;
		f->uid = d->uid;
		f->stack_id = d->stack_id;
	}
	f->expected = 0;
	f->actual = ev->domain_users;
	snprintf(f->detail, sizeof(f->detail), "freed with users=%d", ev->domain_users);
	return true;
}

/* Unbind of a handle the model does not hold, judged only when the model
 * saw every bond that could exist: the mm's or the domain's whole life. */
bool rule_unbind_unknown_handle(const struct model *m,
				const struct svatop_event *ev,
				struct finding *f)
{
	const struct model_domain *d;
	const struct model_mm *mm;
	const struct model_bond *b;

	if (ev->type != SVATOP_EV_UNBIND)
		return false;
	/* State mode: no model of every bond; the handle's own count (the
	 * hook streams an unbind whose handle has no users). */
	if (m->state_mode) {
		if (!(ev->flags & SVATOP_F_EVIDENCE) || ev->handle_users > 0)
			return false;
		finding_from_event(f, RULE_UNBIND_UNKNOWN_HANDLE, ev);
		finding_set_mm(m, f, model_mm(m, ev->mm));
		snprintf(f->detail, sizeof(f->detail), "handle 0x%llx has no users (users before %d)",
			 (unsigned long long)ev->handle, ev->handle_users);
		return true;
	}
	b = model_bond(m, ev->handle);
	if (b && b->users > 0)
		return false;
	mm = model_mm(m, ev->mm);
	d = model_domain(m, ev->domain);
	if (!(mm && (mm->flags & MF_BORN_LIVE)) && !(d && (d->flags & DF_BORN_LIVE)))
		return false;
	finding_from_event(f, RULE_UNBIND_UNKNOWN_HANDLE, ev);
	finding_set_mm(m, f, mm);
	snprintf(f->detail, sizeof(f->detail), "handle 0x%llx not bound (users before %d)",
		 (unsigned long long)ev->handle, ev->handle_users);
	return true;
}

/* Detach of a device PASID from an SVA domain: only the unbind that drops
 * a handle's last user does that, so one must be pending on the domain. */
bool rule_detach_unknown_attach(const struct model *m,
				const struct svatop_event *ev,
				struct finding *f)
{
	const struct model_domain *d;

	/* State mode streams no detach (docs/leaks.md) */
	if (ev->type != SVATOP_EV_DETACH || m->state_mode)
		return false;
	d = model_domain(m, ev->domain);
	if (!d || !(d->flags & DF_BORN_LIVE) || d->pending_detach)
		return false;
	finding_from_event(f, RULE_DETACH_UNKNOWN_ATTACH, ev);
	finding_set_mm(m, f, model_mm_at(m, d->mm));
	f->uid = d->uid;
	snprintf(f->detail, sizeof(f->detail), "no unbind pending on domain (%u bond(s))",
		 d->nbonds);
	return true;
}

/* mm_init() must reset the copied iommu_mm (mm_pasid_init()): a child
 * sharing it would free the parent's PASID on its own exit. */
bool rule_fork_shares_iommu_mm(const struct model *m,
			       const struct svatop_event *ev,
			       struct finding *f)
{
	if (ev->type != SVATOP_EV_FORK)
		return false;
	if (!(ev->flags & SVATOP_F_CHILD_SHARES) && !(ev->aux2 && ev->aux2 == ev->handle))
		return false;
	finding_from_event(f, RULE_FORK_SHARES_IOMMU_MM, ev);
	finding_set_mm(m, f, model_mm(m, ev->aux));
	f->mm = ev->mm;
	snprintf(f->detail, sizeof(f->detail), "child mm 0x%llx iommu_mm 0x%llx = parent's",
		 (unsigned long long)ev->mm, (unsigned long long)ev->aux2);
	return true;
}

/* The global PASID IDA handed out a PASID the model still sees in use. */
bool rule_pasid_realloc_in_use(const struct model *m,
			       const struct svatop_event *ev,
			       struct finding *f)
{
	const struct model_pasid *p;
	const struct model_mm *mm;

	if (ev->type != SVATOP_EV_PASID_ALLOC || ev->ret < 0 || !ev->pasid)
		return false;
	p = model_pasid(m, ev->pasid);
	mm = p ? model_mm_at(m, p->mm) : NULL;
	if (!mm || !mm->nbonds)
		return false;
	finding_from_event(f, RULE_PASID_REALLOC_IN_USE, ev);
	finding_set_mm(m, f, mm);
	f->pasid = ev->pasid;
	f->handle = model_bond_at(m, mm->bonds)->handle;
	f->born_ts = p->alloc_ts;
	f->uid = p->uid;
	f->actual = mm->nbonds;
	snprintf(f->detail, sizeof(f->detail), "still used by %u bond(s) of pid %u",
		 mm->nbonds, mm->tgid);
	return true;
}

/* domain->users counts the bonds attached to the domain: compare with the
 * live bonds the model holds, for domains whose whole life it saw. */
bool rule_domain_users_mismatch(const struct model *m,
				const struct svatop_event *ev,
				struct finding *f)
{
	const struct model_domain *d;
	int64_t expected, actual;

	/* State mode streams no successful bind in order (docs/leaks.md) */
	if ((ev->type != SVATOP_EV_BIND && ev->type != SVATOP_EV_UNBIND) || m->state_mode)
		return false;
	if (ev->type == SVATOP_EV_BIND && ev->ret < 0)
		return false;
	d = model_domain(m, ev->domain);
	if (!d || !(d->flags & DF_BORN_LIVE))
		return false;
	/* BIND: checked after the event; UNBIND: before (users "before"). */
	expected = d->nbonds;
	actual = ev->domain_users;
	if (expected == actual)
		return false;
	finding_from_event(f, RULE_DOMAIN_USERS_MISMATCH, ev);
	finding_set_mm(m, f, model_mm_at(m, d->mm));
	f->uid = d->uid;
	f->expected = expected;
	f->actual = actual;
	snprintf(f->detail, sizeof(f->detail), "domain users %lld, bonds seen %lld",
		 (long long)actual, (long long)expected);
	return true;
}

/* The live bond of mm on device dev the model holds, or NULL. */
static const struct model_bond *bond_on_dev(const struct model *m,
					    const struct model_mm *mm, uint64_t dev)
{
	const struct model_bond *b;

	if (!mm)
		return NULL;
	model_mm_for_each_bond(m, mm, b)
		if (b->dev && model_dev_at(m, b->dev)->ptr == dev)
			return b;
	return NULL;
}

/* A successful bind of a device the mm already holds a bond with: the
 * kernel hands back the same handle. Legitimate, so a notice, counted per
 * process (a driver binding per open file, or twice by mistake). */
bool rule_bind_same_device_again(const struct model *m, const struct svatop_event *ev,
				 struct finding *f)
{
	const struct model_mm *mm;
	const struct model_bond *b = NULL;
	int before;

	if (ev->type != SVATOP_EV_BIND || ev->ret < 0 || !ev->dev)
		return false;
	mm = model_mm(m, ev->mm);
	if (m->state_mode) {
		/* the hook streams a bind that shared a held bond */
		if (!(ev->flags & SVATOP_F_EVIDENCE) || ev->handle_users <= 1)
			return false;
		before = ev->handle_users - 1;
	} else {
		b = bond_on_dev(m, mm, ev->dev);
		if (!b)
			return false;
		before = b->users;
	}
	finding_from_event(f, RULE_BIND_SAME_DEVICE_AGAIN, ev);
	finding_set_mm(m, f, mm);
	f->uid = b ? b->uid : 0;
	snprintf(f->detail, sizeof(f->detail), "bond already held, %d user(s) before", before);
	return true;
}

/* A failed bind of a device the mm holds a bond with: iommu_sva_bind_device()
 * finds the (device, PASID) handle first and only takes a reference, which
 * cannot fail (65d4418c5002, 6384c56c99d9). A kernel without that sharing
 * attaches the PASID again and fails with -EBUSY. */
bool rule_rebind_refused(const struct model *m, const struct svatop_event *ev,
			 struct finding *f)
{
	const struct model_mm *mm;
	const struct model_bond *b = NULL;
	uint64_t handle;
	int users;

	if (ev->type != SVATOP_EV_BIND || ev->ret >= 0 || !ev->dev)
		return false;
	mm = model_mm(m, ev->mm);
	if (m->state_mode) {
		/* the hook looked the bond up in the device's group */
		if (!(ev->flags & SVATOP_F_BOND_HELD))
			return false;
		handle = ev->handle;
		users = ev->handle_users;
	} else {
		b = bond_on_dev(m, mm, ev->dev);
		if (!b)
			return false;
		handle = b->handle;
		users = b->users;
	}
	finding_from_event(f, RULE_REBIND_REFUSED, ev);
	finding_set_mm(m, f, mm);
	f->handle = handle;
	f->uid = b ? b->uid : 0;
	f->actual = ev->ret;
	snprintf(f->detail, sizeof(f->detail), "bind failed (%d) with a bond of %d user(s) held",
		 ev->ret, users);
	return true;
}

/* An unbind is issued by the process whose mm is bound (its ioctl, or its
 * release() when it closes or exits): one from another process while the
 * owner lives means the driver picked the handle by something other than
 * the caller (a per-device pointer, a file inherited across fork). Judged
 * only for mms whose owner the model knows and saw alive. */
bool rule_unbind_by_other_process(const struct model *m, const struct svatop_event *ev,
				  struct finding *f)
{
	const struct model_mm *mm;
	uint32_t owner;

	if (ev->type != SVATOP_EV_UNBIND || !ev->tgid)
		return false;
	mm = model_mm(m, ev->mm);
	if (m->state_mode) {
		/* the hook saw the caller's mm differ from the bond's, which
		 * still had users; aux names the owner where the kernel keeps
		 * mm->owner */
		owner = ev->aux ? (uint32_t)ev->aux : mm ? mm->tgid : 0;
		if (!(ev->flags & SVATOP_F_OTHER_LIVE_MM) || owner == ev->tgid)
			return false;
	} else {
		if (!mm || !mm->tgid || mm->tgid == ev->tgid ||
		    (mm->flags & (MF_EXITED | MF_NO_TASK | MF_DROPPING)))
			return false;
		owner = mm->tgid;
	}
	finding_from_event(f, RULE_UNBIND_BY_OTHER_PROCESS, ev);
	f->uid = mm ? mm->uid : 0;
	f->expected = owner;
	f->actual = ev->tgid;
	if (owner)
		snprintf(f->detail, sizeof(f->detail),
			 "pid %u unbound a bond of pid %u, which still runs", ev->tgid, owner);
	else	/* state mode, an owner neither the kernel nor the model names */
		snprintf(f->detail, sizeof(f->detail),
			 "pid %u unbound a bond of another process, which still runs", ev->tgid);
	return true;
}
