// SPDX-License-Identifier: GPL-2.0
/*
 * Applying events to the model. What each event means is in
 * include/svatop/abi.h; what the kernel does around it in DESIGN.md §1.
 * Nothing here decides whether something is a bug: src/analyze/ does.
 */
#include <errno.h>
#include <string.h>
#include "model/model.h"

/* Initial capacities; the maps double as needed (amortized O(1)). */
#define MODEL_HINT	1024

int model_init(struct model *m)
{
	struct keymap *maps[] = { &m->mm_by_ptr, &m->pasid_by_val,
				  &m->domain_by_ptr, &m->bond_by_handle,
				  &m->dev_by_ptr, &m->iommu_by_ptr,
				  &m->pending_pasid_by_tid, &m->freed_in_snapshot };
	size_t i;

	memset(m, 0, sizeof(*m));
	pool_init(&m->mms, sizeof(struct model_mm));
	pool_init(&m->pasids, sizeof(struct model_pasid));
	pool_init(&m->domains, sizeof(struct model_domain));
	pool_init(&m->bonds, sizeof(struct model_bond));
	pool_init(&m->devs, sizeof(struct model_dev));
	pool_init(&m->iommus, sizeof(struct model_iommu));
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		if (keymap_init(maps[i], MODEL_HINT)) {
			model_fini(m);
			return -ENOMEM;
		}
	}
	return 0;
}

void model_fini(struct model *m)
{
	pool_fini(&m->mms);
	pool_fini(&m->pasids);
	pool_fini(&m->domains);
	pool_fini(&m->bonds);
	pool_fini(&m->devs);
	pool_fini(&m->iommus);
	keymap_fini(&m->mm_by_ptr);
	keymap_fini(&m->pasid_by_val);
	keymap_fini(&m->domain_by_ptr);
	keymap_fini(&m->bond_by_handle);
	keymap_fini(&m->dev_by_ptr);
	keymap_fini(&m->iommu_by_ptr);
	keymap_fini(&m->pending_pasid_by_tid);
	keymap_fini(&m->freed_in_snapshot);
}

static void note_enomem(struct model *m, int err)
{
	if (err && !m->err)
		m->err = err;
}

static void copy_name(char *dst, const char *src, size_t len)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---- devices and IOMMU instances ------------------------------------ */

static struct model_iommu *iommu_get(struct model *m, const struct svatop_event *ev)
{
	struct model_iommu *io;

	if (!ev->iommu)
		return NULL;
	io = keymap_get(&m->iommu_by_ptr, ev->iommu);
	if (!io) {
		io = pool_alloc(&m->iommus);
		if (!io) {
			note_enomem(m, -ENOMEM);
			return NULL;
		}
		io->ptr = ev->iommu;
		io->uid = ++m->next_uid;
		note_enomem(m, keymap_put(&m->iommu_by_ptr, io->ptr, io));
	}
	if (!io->name[0] && ev->iommu_name[0])
		copy_name(io->name, ev->iommu_name, sizeof(io->name));
	return io;
}

static struct model_dev *dev_get(struct model *m, const struct svatop_event *ev)
{
	struct model_iommu *io;
	struct model_dev *d;

	if (!ev->dev)
		return NULL;
	d = keymap_get(&m->dev_by_ptr, ev->dev);
	if (!d) {
		d = pool_alloc(&m->devs);
		if (!d) {
			note_enomem(m, -ENOMEM);
			return NULL;
		}
		d->ptr = ev->dev;
		d->uid = ++m->next_uid;
		note_enomem(m, keymap_put(&m->dev_by_ptr, d->ptr, d));
		m->changes++;
	}
	if (!d->name[0] && ev->dev_name[0])
		copy_name(d->name, ev->dev_name, sizeof(d->name));
	io = iommu_get(m, ev);
	if (io && d->iommu != io) {
		if (d->iommu)
			d->iommu->ndevs--;
		d->iommu = io;
		io->ndevs++;
	}
	return d;
}

/* ---- mms ------------------------------------------------------------- */

static void mm_set_owner(struct model_mm *mm, const struct svatop_event *ev)
{
	if (mm->tgid || !ev->tgid)
		return;
	mm->tgid = ev->tgid;
	copy_name(mm->comm, ev->comm, sizeof(mm->comm));
}

static void mm_free(struct model *m, struct model_mm *mm);

/* The mm at ev->mm, created when unknown. A model mm already being freed
 * (__mmdrop seen) at that address is retired: the address came back. */
static struct model_mm *mm_get(struct model *m, uint64_t ptr, uint64_t ts)
{
	struct model_mm *mm;

	if (!ptr)
		return NULL;
	mm = keymap_get(&m->mm_by_ptr, ptr);
	if (mm && (mm->flags & MF_DROPPING)) {
		m->cnt.replaced++;
		mm_free(m, mm);
		mm = NULL;
	}
	if (mm)
		return mm;
	mm = pool_alloc(&m->mms);
	if (!mm) {
		note_enomem(m, -ENOMEM);
		return NULL;
	}
	mm->ptr = ptr;
	mm->uid = ++m->next_uid;
	mm->first_ts = ts;
	note_enomem(m, keymap_put(&m->mm_by_ptr, ptr, mm));
	m->changes++;
	return mm;
}

static void pasid_unlink_mm(struct model_pasid *p, uint64_t ts)
{
	if (p->mm && p->mm->pasid == p)
		p->mm->pasid = NULL;
	p->mm = NULL;
	p->orphan_ts = ts;
}

static void domain_unlink_mm(struct model_domain *d)
{
	struct model_mm *mm = d->mm;

	if (!mm)
		return;
	if (d->mm_prev)
		d->mm_prev->mm_next = d->mm_next;
	else
		mm->domains = d->mm_next;
	if (d->mm_next)
		d->mm_next->mm_prev = d->mm_prev;
	d->mm_next = d->mm_prev = NULL;
	d->mm = NULL;
	mm->ndomains--;
}

static void domain_link_mm(struct model_domain *d, struct model_mm *mm)
{
	if (d->mm == mm || !mm)
		return;
	domain_unlink_mm(d);
	d->mm = mm;
	d->mm_ptr = mm->ptr;
	d->mm_next = mm->domains;
	if (mm->domains)
		mm->domains->mm_prev = d;
	mm->domains = d;
	mm->ndomains++;
	mm->flags |= MF_SVA;
}

static void bond_unlink_mm(struct model_bond *b)
{
	struct model_mm *mm = b->mm;

	if (!mm)
		return;
	if (b->mm_prev)
		b->mm_prev->mm_next = b->mm_next;
	else
		mm->bonds = b->mm_next;
	if (b->mm_next)
		b->mm_next->mm_prev = b->mm_prev;
	b->mm_next = b->mm_prev = NULL;
	b->mm = NULL;
	mm->nbonds--;
}

static void bond_unlink_domain(struct model_bond *b)
{
	struct model_domain *d = b->domain;

	if (!d)
		return;
	if (b->dom_prev)
		b->dom_prev->dom_next = b->dom_next;
	else
		d->bonds = b->dom_next;
	if (b->dom_next)
		b->dom_next->dom_prev = b->dom_prev;
	b->dom_next = b->dom_prev = NULL;
	b->domain = NULL;
	d->nbonds--;
}

/* The mm_struct is gone: drop it and everything's link to it. Its domains
 * and bonds stay (if they outlive it, that is for the analyzers). */
/* The snapshot runs right after the probes attach: its records come
 * within seconds, or never (no iterator, --no-snapshot). */
#define SNAPSHOT_WINDOW_NS	(10ULL * 1000000000ULL)

static void note_freed(struct model *m, uint64_t ptr)
{
	if (m->snapshot_done)
		return;
	if (m->now_ns - m->first_ts > SNAPSHOT_WINDOW_NS) {
		keymap_fini(&m->freed_in_snapshot);
		return;
	}
	note_enomem(m, keymap_put(&m->freed_in_snapshot, ptr, (void *)1));
}

static void mm_free(struct model *m, struct model_mm *mm)
{
	uint64_t ts = m->now_ns;

	note_freed(m, mm->ptr);
	while (mm->domains) {
		mm->domains->orphan_ts = ts;
		domain_unlink_mm(mm->domains);
	}
	while (mm->bonds)
		bond_unlink_mm(mm->bonds);
	if (mm->pasid)
		pasid_unlink_mm(mm->pasid, ts);
	keymap_del(&m->mm_by_ptr, mm->ptr, mm);
	pool_free(&m->mms, mm);
	m->changes++;
}

/* ---- PASIDs ---------------------------------------------------------- */

static void pasid_free(struct model *m, struct model_pasid *p)
{
	if (p->alloc_tid)
		keymap_del(&m->pending_pasid_by_tid, p->alloc_tid, p);
	pasid_unlink_mm(p, m->now_ns);
	keymap_del(&m->pasid_by_val, p->pasid, p);
	pool_free(&m->pasids, p);
	m->changes++;
}

static struct model_pasid *pasid_new(struct model *m, uint32_t val, uint64_t ts)
{
	struct model_pasid *p = keymap_get(&m->pasid_by_val, val);

	if (p) {
		/* Allocated again: the old one's free was never seen. */
		m->cnt.replaced++;
		pasid_free(m, p);
	}
	p = pool_alloc(&m->pasids);
	if (!p) {
		note_enomem(m, -ENOMEM);
		return NULL;
	}
	p->pasid = val;
	p->uid = ++m->next_uid;
	p->alloc_ts = ts;
	p->stack_id = -1;
	note_enomem(m, keymap_put(&m->pasid_by_val, val, p));
	m->changes++;
	return p;
}

/* Make p the PASID of mm. The mm's whole SVA life is known when the
 * PASID's allocation was seen and the mm had no SVA state before. */
static void pasid_link_mm(struct model_pasid *p, struct model_mm *mm)
{
	if (!p || !mm || p->mm == mm)
		return;
	if (p->mm)
		pasid_unlink_mm(p, 0);
	if (mm->pasid && mm->pasid != p)
		pasid_unlink_mm(mm->pasid, 0);
	if ((p->flags & PF_BORN_LIVE) && !(mm->flags & MF_SNAPSHOT) &&
	    !mm->pasid_val && !mm->nbonds) {
		struct model_domain *d;
		bool all_new = true;

		for (d = mm->domains; d; d = d->mm_next)
			all_new &= !!(d->flags & DF_BORN_LIVE);
		if (all_new)
			mm->flags |= MF_BORN_LIVE;
	}
	p->mm = mm;
	p->orphan_ts = 0;
	mm->pasid = p;
	mm->pasid_val = p->pasid;
	mm->flags |= MF_SVA;
}

/* The PASID object for an event's pasid value, created (not born live)
 * when the allocation predates the model. */
static struct model_pasid *pasid_get(struct model *m, uint32_t val, uint64_t ts)
{
	struct model_pasid *p;

	if (!val || val == ~0u)
		return NULL;
	p = keymap_get(&m->pasid_by_val, val);
	return p ? p : pasid_new(m, val, ts);
}

/* ---- domains --------------------------------------------------------- */

static void domain_free(struct model *m, struct model_domain *d)
{
	note_freed(m, d->ptr);
	while (d->bonds)
		bond_unlink_domain(d->bonds);
	domain_unlink_mm(d);
	keymap_del(&m->domain_by_ptr, d->ptr, d);
	pool_free(&m->domains, d);
	m->changes++;
}

static struct model_domain *domain_new(struct model *m, uint64_t ptr, uint64_t ts)
{
	struct model_domain *d = keymap_get(&m->domain_by_ptr, ptr);

	if (d) {
		m->cnt.replaced++;
		domain_free(m, d);
	}
	d = pool_alloc(&m->domains);
	if (!d) {
		note_enomem(m, -ENOMEM);
		return NULL;
	}
	d->ptr = ptr;
	d->uid = ++m->next_uid;
	d->alloc_ts = ts;
	d->stack_id = -1;
	note_enomem(m, keymap_put(&m->domain_by_ptr, ptr, d));
	m->changes++;
	return d;
}

static struct model_domain *domain_get(struct model *m, uint64_t ptr, uint64_t ts)
{
	struct model_domain *d;

	if (!ptr)
		return NULL;
	d = keymap_get(&m->domain_by_ptr, ptr);
	return d ? d : domain_new(m, ptr, ts);
}

/* ---- bonds ----------------------------------------------------------- */

static void bond_free(struct model *m, struct model_bond *b)
{
	bond_unlink_mm(b);
	bond_unlink_domain(b);
	if (b->dev)
		b->dev->nbonds--;
	keymap_del(&m->bond_by_handle, b->handle, b);
	pool_free(&m->bonds, b);
	m->changes++;
}

static void bond_link(struct model_bond *b, struct model_mm *mm,
		      struct model_domain *d, struct model_dev *dev)
{
	if (mm && b->mm != mm) {
		bond_unlink_mm(b);
		b->mm = mm;
		b->mm_next = mm->bonds;
		if (mm->bonds)
			mm->bonds->mm_prev = b;
		mm->bonds = b;
		mm->nbonds++;
	}
	if (d && b->domain != d) {
		bond_unlink_domain(b);
		b->domain = d;
		b->dom_next = d->bonds;
		if (d->bonds)
			d->bonds->dom_prev = b;
		d->bonds = b;
		d->nbonds++;
	}
	if (dev && b->dev != dev) {
		if (b->dev)
			b->dev->nbonds--;
		b->dev = dev;
		dev->nbonds++;
	}
}

/* ---- events ---------------------------------------------------------- */

static void on_pasid_alloc(struct model *m, const struct svatop_event *ev)
{
	struct model_pasid *p;

	if (ev->ret < 0 || !ev->pasid || ev->pasid == ~0u) {
		m->cnt.pasid_alloc_errors++;
		return;
	}
	m->cnt.pasid_allocs++;
	p = pasid_new(m, ev->pasid, ev->ts_ns);
	if (!p)
		return;
	p->flags |= PF_BORN_LIVE;
	p->tgid = ev->tgid;
	p->alloc_tid = ev->pid;
	p->stack_id = ev->stack_id;
	p->dev = dev_get(m, ev);
	/* The bind that follows in this thread names the mm. */
	if (ev->pid)
		note_enomem(m, keymap_put(&m->pending_pasid_by_tid, ev->pid, p));
}

static void on_pasid_free(struct model *m, const struct svatop_event *ev)
{
	struct model_pasid *p = keymap_get(&m->pasid_by_val, ev->pasid);

	m->cnt.pasid_frees++;
	if (!p) {
		m->cnt.unknown++;
		return;
	}
	pasid_free(m, p);
}

/* A PASID allocated by this thread and not yet claimed by a bind. */
static struct model_pasid *take_pending_pasid(struct model *m,
					      const struct svatop_event *ev)
{
	struct model_pasid *p = keymap_get(&m->pending_pasid_by_tid, ev->pid);

	if (!p)
		return NULL;
	keymap_del(&m->pending_pasid_by_tid, ev->pid, NULL);
	p->alloc_tid = 0;
	if (ev->pasid && ev->pasid != p->pasid)
		return NULL;
	return p;
}

static void on_bind(struct model *m, const struct svatop_event *ev)
{
	struct model_pasid *pending = take_pending_pasid(m, ev);
	struct model_pasid *p;
	struct model_domain *d;
	struct model_bond *b;
	struct model_mm *mm;
	struct model_dev *dev;

	mm = mm_get(m, ev->mm, ev->ts_ns);
	if (!mm)
		return;
	mm_set_owner(mm, ev);
	p = ev->pasid && ev->pasid != ~0u ? pasid_get(m, ev->pasid, ev->ts_ns) : pending;
	pasid_link_mm(p, mm);
	dev = dev_get(m, ev);
	if (ev->ret < 0) {
		m->cnt.bind_errors++;
		mm->errors++;
		mm->last_error = ev->ret;
		m->changes++;
		return;
	}
	m->cnt.binds++;
	mm->binds++;
	mm->flags |= MF_SVA;
	if (ev->aux && !mm->iommu_mm)
		mm->iommu_mm = ev->aux;
	d = domain_get(m, ev->domain, ev->ts_ns);
	if (d) {
		domain_link_mm(d, mm);
		d->users = ev->domain_users;
		if (!d->first_dev)
			d->first_dev = dev;
	}
	if (!ev->handle)
		return;
	b = keymap_get(&m->bond_by_handle, ev->handle);
	if (b && ev->handle_users == 1) {
		/* A fresh handle at an address we still model: the old
		 * bond's unbind was never seen. */
		m->cnt.replaced++;
		bond_free(m, b);
		b = NULL;
	}
	if (!b) {
		b = pool_alloc(&m->bonds);
		if (!b) {
			note_enomem(m, -ENOMEM);
			return;
		}
		b->handle = ev->handle;
		b->uid = ++m->next_uid;
		b->bind_ts = ev->ts_ns;
		b->tgid = ev->tgid;
		b->stack_id = ev->stack_id;
		if (ev->handle_users == 1)
			b->flags |= BF_BORN_LIVE;
		note_enomem(m, keymap_put(&m->bond_by_handle, b->handle, b));
	}
	b->pasid = ev->pasid;
	b->users = ev->handle_users;
	bond_link(b, mm, d, dev);
	m->changes++;
}

static void on_unbind(struct model *m, const struct svatop_event *ev)
{
	struct model_bond *b = keymap_get(&m->bond_by_handle, ev->handle);
	struct model_domain *d = keymap_get(&m->domain_by_ptr, ev->domain);
	struct model_mm *mm = keymap_get(&m->mm_by_ptr, ev->mm);

	m->cnt.unbinds++;
	if (mm)
		mm->unbinds++;
	if (ev->handle_users <= 1 && d)
		d->pending_detach++;
	if (d)
		d->users = ev->domain_users - (ev->handle_users <= 1);
	m->changes++;
	if (!b) {
		m->cnt.unknown++;
		return;
	}
	b->users = ev->handle_users - 1;
	if (b->users <= 0)
		bond_free(m, b);
}

static void on_attach(struct model *m, const struct svatop_event *ev)
{
	struct model_domain *d;

	dev_get(m, ev);
	if (ev->ret < 0)
		return;
	/* domain_users here is the count before the core increments it:
	 * the bind that follows reports the result. */
	d = keymap_get(&m->domain_by_ptr, ev->domain);
	if (d && !d->first_dev)
		d->first_dev = keymap_get(&m->dev_by_ptr, ev->dev);
}

static void on_detach(struct model *m, const struct svatop_event *ev)
{
	struct model_domain *d = keymap_get(&m->domain_by_ptr, ev->domain);

	if (!d) {
		m->cnt.unknown++;
		return;
	}
	if (d->pending_detach)
		d->pending_detach--;
}

static void on_domain_alloc(struct model *m, const struct svatop_event *ev)
{
	struct model_domain *d;
	struct model_mm *mm;

	if (!ev->domain)
		return;
	m->cnt.domain_allocs++;
	d = domain_new(m, ev->domain, ev->ts_ns);
	if (!d)
		return;
	d->flags |= DF_BORN_LIVE;
	if (ev->flags & SVATOP_F_DERIVED)
		d->flags |= DF_DERIVED;
	d->stack_id = ev->stack_id;
	d->first_dev = dev_get(m, ev);
	d->mm_ptr = ev->mm;
	mm = mm_get(m, ev->mm, ev->ts_ns);
	if (mm) {
		mm_set_owner(mm, ev);
		domain_link_mm(d, mm);
	}
}

static void on_domain_free(struct model *m, const struct svatop_event *ev)
{
	struct model_domain *d = keymap_get(&m->domain_by_ptr, ev->domain);

	m->cnt.domain_frees++;
	if (!d) {
		m->cnt.unknown++;
		return;
	}
	domain_free(m, d);
}

static void on_mmdrop(struct model *m, const struct svatop_event *ev)
{
	struct model_mm *mm = keymap_get(&m->mm_by_ptr, ev->mm);

	if (!mm) {
		m->cnt.unknown++;
		return;
	}
	mm->flags |= MF_DROPPING;
	m->changes++;
}

/* mm_pasid_drop(): the last event about this mm_struct. */
static void on_mm_pasid_drop(struct model *m, const struct svatop_event *ev)
{
	struct model_mm *mm = keymap_get(&m->mm_by_ptr, ev->mm);

	if (!mm) {
		m->cnt.unknown++;
		return;
	}
	mm_free(m, mm);
}

static void on_exit(struct model *m, const struct svatop_event *ev)
{
	struct model_mm *mm = keymap_get(&m->mm_by_ptr, ev->mm);

	if (!mm || !(ev->flags & SVATOP_F_LEADER_EXIT))
		return;
	/* A vfork child exiting on its parent's mm is not the owner. */
	if (mm->tgid && ev->tgid && mm->tgid != ev->tgid)
		return;
	if (!(mm->flags & MF_EXITED)) {
		mm->flags |= MF_EXITED;
		mm->exit_ts = ev->ts_ns;
		mm_set_owner(mm, ev);
		m->changes++;
	}
}

static void on_snap_mm(struct model *m, const struct svatop_event *ev)
{
	struct model_mm *mm = keymap_get(&m->mm_by_ptr, ev->mm);
	struct model_pasid *p;
	bool known = mm != NULL;

	/* Read by the iterator just before its teardown was seen. */
	if ((!known && keymap_get(&m->freed_in_snapshot, ev->mm)) ||
	    (known && (mm->flags & MF_DROPPING))) {
		m->cnt.stale_snapshot++;
		return;
	}
	mm = mm_get(m, ev->mm, ev->ts_ns);
	if (!mm)
		return;
	/* Seen live already: the live events are newer than the snapshot. */
	if (!known)
		mm->flags |= MF_SNAPSHOT;
	mm->flags |= MF_SVA;
	if (ev->aux && !mm->iommu_mm)
		mm->iommu_mm = ev->aux;
	mm_set_owner(mm, ev);
	/* Found only on iommu_sva_mms: no task owns it any more. */
	if (!ev->tgid && !(mm->flags & MF_EXITED)) {
		mm->flags |= MF_EXITED;
		mm->exit_ts = ev->ts_ns;
	}
	p = pasid_get(m, ev->pasid, ev->ts_ns);
	if (p && !(p->flags & PF_BORN_LIVE))
		p->flags |= PF_SNAPSHOT;
	pasid_link_mm(p, mm);
}

static void on_snap_domain(struct model *m, const struct svatop_event *ev)
{
	bool known = keymap_get(&m->domain_by_ptr, ev->domain) != NULL;
	bool mm_known = keymap_get(&m->mm_by_ptr, ev->mm) != NULL;
	struct model_domain *d;
	struct model_mm *mm;

	if (!known && (keymap_get(&m->freed_in_snapshot, ev->domain) ||
		       keymap_get(&m->freed_in_snapshot, ev->mm))) {
		m->cnt.stale_snapshot++;
		return;
	}
	d = domain_get(m, ev->domain, ev->ts_ns);
	if (!d)
		return;
	if (!known) {
		d->flags |= DF_SNAPSHOT;
		d->users = ev->domain_users;
	}
	d->mm_ptr = ev->mm;
	if (!d->first_dev)
		d->first_dev = dev_get(m, ev);
	mm = mm_get(m, ev->mm, ev->ts_ns);
	if (!mm)
		return;
	if (!mm_known)
		mm->flags |= MF_SNAPSHOT;
	domain_link_mm(d, mm);
}

static void on_fork(struct model *m, const struct svatop_event *ev)
{
	/* The child inherits no SVA state; nothing to model. The rule that
	 * checks the child's iommu_mm lives in src/analyze/. */
	m->changes++;
}

int model_apply(struct model *m, const struct svatop_event *ev)
{
	if (ev->type == SVATOP_EV_NONE || ev->type >= SVATOP_EV_MAX ||
	    ev->version != SVATOP_ABI_VERSION) {
		m->cnt.bad_records++;
		return 0;
	}
	m->cnt.events++;
	m->cnt.by_type[ev->type]++;
	if (!m->first_ts || ev->ts_ns < m->first_ts)
		m->first_ts = ev->ts_ns;
	if (ev->ts_ns > m->now_ns)
		m->now_ns = ev->ts_ns;

	switch (ev->type) {
	case SVATOP_EV_BIND:
		on_bind(m, ev);
		break;
	case SVATOP_EV_UNBIND:
		on_unbind(m, ev);
		break;
	case SVATOP_EV_PASID_ALLOC:
		on_pasid_alloc(m, ev);
		break;
	case SVATOP_EV_PASID_FREE:
		on_pasid_free(m, ev);
		break;
	case SVATOP_EV_DOMAIN_ALLOC:
		on_domain_alloc(m, ev);
		break;
	case SVATOP_EV_ATTACH:
		on_attach(m, ev);
		break;
	case SVATOP_EV_DETACH:
		on_detach(m, ev);
		break;
	case SVATOP_EV_DOMAIN_FREE:
		on_domain_free(m, ev);
		break;
	case SVATOP_EV_MM_PASID_DROP:
		on_mm_pasid_drop(m, ev);
		break;
	case SVATOP_EV_MMDROP:
		on_mmdrop(m, ev);
		break;
	case SVATOP_EV_FORK:
	case SVATOP_EV_PROC_FORK:
		on_fork(m, ev);
		break;
	case SVATOP_EV_EXIT:
		on_exit(m, ev);
		break;
	case SVATOP_EV_SNAP_MM:
		m->snapshot_seen = true;
		on_snap_mm(m, ev);
		break;
	case SVATOP_EV_SNAP_DOMAIN:
		m->snapshot_seen = true;
		on_snap_domain(m, ev);
		break;
	case SVATOP_EV_SNAP_END:
		m->snapshot_seen = true;
		m->snapshot_done = true;
		keymap_fini(&m->freed_in_snapshot);
		m->changes++;
		break;
	default:
		break;
	}
	return m->err;
}

const struct model_mm *model_mm(const struct model *m, uint64_t ptr)
{
	return keymap_get(&m->mm_by_ptr, ptr);
}

const struct model_pasid *model_pasid(const struct model *m, uint32_t pasid)
{
	return keymap_get(&m->pasid_by_val, pasid);
}

const struct model_domain *model_domain(const struct model *m, uint64_t ptr)
{
	return keymap_get(&m->domain_by_ptr, ptr);
}

const struct model_bond *model_bond(const struct model *m, uint64_t handle)
{
	return keymap_get(&m->bond_by_handle, handle);
}

const struct model_dev *model_dev(const struct model *m, uint64_t ptr)
{
	return keymap_get(&m->dev_by_ptr, ptr);
}

uint32_t model_mm_ndevs(const struct model_mm *mm)
{
	const struct model_bond *b, *c;
	uint32_t n = 0;

	/* Bonds per mm are few (one per device): quadratic is fine. */
	for (b = mm->bonds; b; b = b->mm_next) {
		if (!b->dev)
			continue;
		for (c = mm->bonds; c != b; c = c->mm_next)
			if (c->dev == b->dev)
				break;
		n += c == b;
	}
	return n;
}

size_t model_objects(const struct model *m)
{
	return m->mms.count + m->pasids.count + m->domains.count +
	       m->bonds.count + m->devs.count + m->iommus.count;
}

size_t model_bytes(const struct model *m)
{
	return pool_bytes(&m->mms) + pool_bytes(&m->pasids) +
	       pool_bytes(&m->domains) + pool_bytes(&m->bonds) +
	       pool_bytes(&m->devs) + pool_bytes(&m->iommus) +
	       keymap_bytes(&m->mm_by_ptr) + keymap_bytes(&m->pasid_by_val) +
	       keymap_bytes(&m->domain_by_ptr) + keymap_bytes(&m->bond_by_handle) +
	       keymap_bytes(&m->dev_by_ptr) + keymap_bytes(&m->iommu_by_ptr) +
	       keymap_bytes(&m->pending_pasid_by_tid) + keymap_bytes(&m->freed_in_snapshot);
}

/* Every relation agrees with its counters and every map with its pool.
 * O(n): for tests and debugging, never per event. Returns 0 or a short
 * description of the first disagreement. */
const char *model_verify(const struct model *m)
{
	const struct model_domain *d, *x;
	const struct model_bond *b, *y;
	const struct model_pasid *p;
	const struct model_mm *mm;
	uint32_t i, n;

	model_for_each_mm(m, mm, i) {
		if (keymap_get(&m->mm_by_ptr, mm->ptr) != mm)
			return "mm not in its map";
		n = 0;
		for (x = mm->domains; x; x = x->mm_next) {
			if (x->mm != mm || (x->mm_next && x->mm_next->mm_prev != x))
				return "mm domain list broken";
			n++;
		}
		if (n != mm->ndomains)
			return "mm ndomains wrong";
		n = 0;
		for (y = mm->bonds; y; y = y->mm_next) {
			if (y->mm != mm || (y->mm_next && y->mm_next->mm_prev != y))
				return "mm bond list broken";
			n++;
		}
		if (n != mm->nbonds)
			return "mm nbonds wrong";
		if (mm->pasid && (mm->pasid->mm != mm || !mm->pasid->hdr.live))
			return "mm pasid link broken";
	}
	model_for_each_domain(m, d, i) {
		if (keymap_get(&m->domain_by_ptr, d->ptr) != d)
			return "domain not in its map";
		if (d->mm && !d->mm->hdr.live)
			return "domain points to a freed mm";
		n = 0;
		for (y = d->bonds; y; y = y->dom_next) {
			if (y->domain != d || (y->dom_next && y->dom_next->dom_prev != y))
				return "domain bond list broken";
			n++;
		}
		if (n != d->nbonds)
			return "domain nbonds wrong";
	}
	model_for_each_bond(m, b, i) {
		if (keymap_get(&m->bond_by_handle, b->handle) != b)
			return "bond not in its map";
		if ((b->mm && !b->mm->hdr.live) || (b->domain && !b->domain->hdr.live) ||
		    (b->dev && !b->dev->hdr.live))
			return "bond points to a freed object";
	}
	model_for_each_pasid(m, p, i) {
		if (keymap_get(&m->pasid_by_val, p->pasid) != p)
			return "PASID not in its map";
		if (p->mm && (!p->mm->hdr.live || p->mm->pasid != p))
			return "PASID owner link broken";
	}
	if (m->mm_by_ptr.count != m->mms.count || m->domain_by_ptr.count != m->domains.count ||
	    m->bond_by_handle.count != m->bonds.count || m->pasid_by_val.count != m->pasids.count ||
	    m->dev_by_ptr.count != m->devs.count || m->iommu_by_ptr.count != m->iommus.count)
		return "a map and its pool disagree";
	return NULL;
}
