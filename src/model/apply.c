// SPDX-License-Identifier: GPL-2.0
/*
 * Applying events to the model. What each event means is in
 * include/svatop/abi.h; what the kernel does around it in DESIGN.md §1.
 * Nothing here decides whether something is a bug: src/analyze/ does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/objects.h"

static void on_pasid_alloc(struct model *m, const struct svatop_event *ev)
{
	struct model_pasid *p;

	if (ev->ret < 0 || !ev->pasid || ev->pasid == ~0u) {
		m->cnt.pasid_alloc_errors++;
		return;
	}
	m->cnt.pasid_allocs++;
	p = obj_pasid_new(m, ev->pasid, ev->ts_ns);
	if (!p)
		return;
	p->flags |= PF_BORN_LIVE;
	p->tgid = ev->tgid;
	p->stack_id = ev->stack_id;
	p->dev = model_ref_of(obj_dev_get(m, ev));
	/* State mode streams no successful bind to name the mm: the record
	 * names it (the bind in progress). */
	if (m->state_mode && ev->mm) {
		struct model_mm *mm = obj_mm_get(m, ev->mm, ev->ts_ns);

		if (mm) {
			if (!mm->pasid_val)
				mm->flags |= MF_BORN_LIVE;
			mm->flags |= MF_SVA;
			obj_mm_set_owner(m, mm, ev);
			obj_pasid_link_mm(m, p, mm);
		}
		return;
	}
	/* The bind that follows in this thread names the mm. */
	if (ev->pid) {
		struct model_cold *c = obj_cold(m, MODEL_KIND_PASID, p, &p->flags, true);

		if (c)
			c->pasid.alloc_tid = ev->pid;
		obj_note_enomem(m, keymap_put(&m->pending_pasid_by_tid, ev->pid, p));
	}
}

static void on_pasid_free(struct model *m, const struct svatop_event *ev)
{
	struct model_pasid *p = obj_pasid_lookup(m, ev->pasid);

	m->cnt.pasid_frees++;
	if (!p) {
		m->cnt.unknown++;
		return;
	}
	obj_pasid_free(m, p);
}

/* A PASID allocated by this thread and not yet claimed by a bind. */
static struct model_pasid *take_pending_pasid(struct model *m,
					      const struct svatop_event *ev)
{
	struct model_pasid *p = keymap_get(&m->pending_pasid_by_tid, ev->pid);
	struct model_cold *c;

	if (!p)
		return NULL;
	keymap_del(&m->pending_pasid_by_tid, ev->pid, NULL);
	c = obj_cold(m, MODEL_KIND_PASID, p, &p->flags, false);
	if (c) {
		c->pasid.alloc_tid = 0;
		obj_cold_trim(m, MODEL_KIND_PASID, p, &p->flags, false);
	}
	if (ev->pasid && ev->pasid != p->pasid)
		return NULL;
	return p;
}

/* Remember an mm seen only in failed binds; past the limit, forget the
 * oldest such mm that still has no SVA state. */
static void note_error_only(struct model *m, struct model_mm *mm)
{
	struct model_error_only *e;
	struct model_mm *old;

	if (!m->error_only) {
		m->error_only = calloc(MODEL_ERROR_ONLY_MAX, sizeof(*m->error_only));
		if (!m->error_only)
			return;
	}
	if (m->error_only_len == MODEL_ERROR_ONLY_MAX) {
		e = &m->error_only[m->error_only_head];
		old = idxmap_get(&m->mm_by_ptr, e->ptr);
		if (old && old->uid == e->uid && !(old->flags & MF_SVA) && !model_mm_pasid(m, old) &&
		    !old->ndomains && !old->nbonds) {
			obj_mm_free(m, old);
			m->cnt.evicted++;
		}
		m->error_only_head = (m->error_only_head + 1) % MODEL_ERROR_ONLY_MAX;
		m->error_only_len--;
	}
	e = &m->error_only[(m->error_only_head + m->error_only_len) % MODEL_ERROR_ONLY_MAX];
	e->ptr = mm->ptr;
	e->uid = mm->uid;
	m->error_only_len++;
}

/* A bond for ev->handle, in the handle map; NULL (and noted) without memory. */
static struct model_bond *bond_new(struct model *m, const struct svatop_event *ev,
				   uint32_t flags)
{
	struct model_bond *b = pool_alloc(&m->bonds, obj_next_uid(m));

	if (!b) {
		obj_note_enomem(m, -ENOMEM);
		return NULL;
	}
	b->handle = ev->handle;
	b->bind_ts = ev->ts_ns;
	b->stack_id = -1;
	b->flags = flags;
	obj_note_enomem(m, idxmap_put(&m->bond_by_handle, b));
	return b;
}

static void on_bind(struct model *m, const struct svatop_event *ev)
{
	struct model_pasid *pending = take_pending_pasid(m, ev);
	struct model_pasid *p;
	struct model_domain *d;
	struct model_bond *b;
	struct model_mm *mm;
	struct model_dev *dev;

	mm = obj_mm_get(m, ev->mm, ev->ts_ns);
	if (!mm)
		return;
	obj_mm_set_owner(m, mm, ev);
	p = ev->pasid && ev->pasid != ~0u ? obj_pasid_get(m, ev->pasid, ev->ts_ns) : pending;
	obj_pasid_link_mm(m, p, mm);
	dev = obj_dev_get(m, ev);
	if (ev->ret < 0) {
		struct model_cold *c = obj_cold(m, MODEL_KIND_MM, mm, &mm->flags, true);

		m->cnt.bind_errors++;
		if ((!c || !c->mm.errors) && !(mm->flags & MF_SVA) && !model_mm_pasid(m, mm))
			note_error_only(m, mm);
		if (c) {
			c->mm.errors++;
			c->mm.last_error = ev->ret;
		}
		m->changes++;
		return;
	}
	m->cnt.binds++;
	mm->binds++;
	mm->flags |= MF_SVA;
	d = obj_domain_get(m, ev->domain, ev->ts_ns);
	if (d) {
		obj_domain_link_mm(m, d, mm);
		d->users = ev->domain_users;
		/* A domain born inside a bind whose record carried no stack
		 * (live_opts.stack_domain_from_bind): the bind's stack, which
		 * starts at the bind's caller, where the attach's started
		 * inside iommu_sva_bind_device(). */
		if ((d->flags & DF_DERIVED) && d->stack_id < 0 && ev->stack_id >= 0)
			d->stack_id = ev->stack_id;
		if (!d->first_dev)
			d->first_dev = model_ref_of(dev);
	}
	if (!ev->handle)
		return;
	b = idxmap_get(&m->bond_by_handle, ev->handle);
	if (b && ev->handle_users == 1) {
		/* A fresh handle at an address we still model: the old
		 * bond's unbind was never seen. */
		m->cnt.replaced++;
		obj_bond_free(m, b);
		b = NULL;
	}
	if (!b) {
		b = bond_new(m, ev, ev->handle_users == 1 ? BF_BORN_LIVE : 0);
		if (!b)
			return;
		b->stack_id = ev->stack_id;
	}
	b->pasid = ev->pasid;
	b->users = ev->handle_users;
	obj_bond_link(m, b, mm, d, dev);
	m->changes++;
}

/* A reference count from an event less n, computed in 64 bits and kept
 * within int32_t: the counts come from the kernel or a recording, and
 * INT32_MIN - 1 does not exist in int32_t. */
static int32_t users_less(int32_t users, int32_t n)
{
	int64_t v = (int64_t)users - n;

	return v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

static void on_unbind(struct model *m, const struct svatop_event *ev)
{
	struct model_bond *b = idxmap_get(&m->bond_by_handle, ev->handle);
	struct model_domain *d = idxmap_get(&m->domain_by_ptr, ev->domain);
	struct model_mm *mm = idxmap_get(&m->mm_by_ptr, ev->mm);

	m->cnt.unbinds++;
	if (mm)
		mm->unbinds++;
	if (ev->handle_users <= 1 && d)
		d->pending_detach++;
	if (d)
		d->users = users_less(ev->domain_users, ev->handle_users <= 1);
	m->changes++;
	if (!b) {
		m->cnt.unknown++;
		return;
	}
	b->users = users_less(ev->handle_users, 1);
	if (b->users <= 0)
		obj_bond_free(m, b);
}

static void on_attach(struct model *m, const struct svatop_event *ev)
{
	struct model_domain *d;

	obj_dev_get(m, ev);
	if (ev->ret < 0)
		return;
	/* domain_users here is the count before the core increments it:
	 * the bind that follows reports the result. */
	d = idxmap_get(&m->domain_by_ptr, ev->domain);
	if (d && !d->first_dev)
		d->first_dev = model_ref_of(idxmap_get(&m->dev_by_ptr, ev->dev));
}

static void on_detach(struct model *m, const struct svatop_event *ev)
{
	struct model_domain *d = idxmap_get(&m->domain_by_ptr, ev->domain);

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
	d = obj_domain_new(m, ev->domain, ev->ts_ns);
	if (!d)
		return;
	d->flags |= DF_BORN_LIVE;
	if (ev->flags & SVATOP_F_DERIVED)
		d->flags |= DF_DERIVED;
	d->stack_id = ev->stack_id;
	d->first_dev = model_ref_of(obj_dev_get(m, ev));
	mm = obj_mm_get(m, ev->mm, ev->ts_ns);
	if (mm) {
		obj_mm_set_owner(m, mm, ev);
		obj_domain_link_mm(m, d, mm);
	}
	obj_domain_set_mm_ptr(m, d, ev->mm);
}

static void on_domain_free(struct model *m, const struct svatop_event *ev)
{
	struct model_domain *d = idxmap_get(&m->domain_by_ptr, ev->domain);

	m->cnt.domain_frees++;
	if (!d) {
		m->cnt.unknown++;
		return;
	}
	obj_domain_free(m, d);
}

static void on_mmdrop(struct model *m, const struct svatop_event *ev)
{
	struct model_mm *mm = idxmap_get(&m->mm_by_ptr, ev->mm);

	if (!mm) {
		m->cnt.unknown++;
		return;
	}
	mm->flags |= MF_DROPPING;
	/* State mode: the mm's final counts, which left the kernel with it. */
	if (ev->flags & SVATOP_F_TALLY) {
		if (ev->handle > mm->binds)
			mm->binds = (uint32_t)ev->handle;
		if (ev->aux2 > mm->unbinds)
			mm->unbinds = (uint32_t)ev->aux2;
	}
	m->changes++;
}

/* mm_pasid_drop(): the last event about this mm_struct. */
static void on_mm_pasid_drop(struct model *m, const struct svatop_event *ev)
{
	struct model_mm *mm = idxmap_get(&m->mm_by_ptr, ev->mm);

	if (!mm) {
		m->cnt.unknown++;
		return;
	}
	obj_mm_free(m, mm);
}

static void on_proc_exit(struct model *m, const struct svatop_event *ev)
{
	struct model_mm *mm = idxmap_get(&m->mm_by_ptr, ev->mm);

	if (!mm || !(ev->flags & SVATOP_F_LEADER_EXIT))
		return;
	/* A vfork child exiting on its parent's mm is not the owner. */
	if (mm->tgid && ev->tgid && mm->tgid != ev->tgid)
		return;
	if (!(mm->flags & MF_EXITED)) {
		mm->flags |= MF_EXITED;
		obj_cold_set_ts(m, MODEL_KIND_MM, mm, &mm->flags, ev->ts_ns);
		obj_mm_set_owner(m, mm, ev);
		m->changes++;
	}
}

static void on_snap_mm(struct model *m, const struct svatop_event *ev)
{
	struct model_mm *mm = idxmap_get(&m->mm_by_ptr, ev->mm);
	struct model_pasid *p;
	bool known = mm != NULL;

	/* Read by the iterator just before its teardown was seen. */
	if ((!known && keymap_get(&m->freed_in_snapshot, ev->mm)) ||
	    (known && (mm->flags & MF_DROPPING))) {
		m->cnt.stale_snapshot++;
		return;
	}
	mm = obj_mm_get(m, ev->mm, ev->ts_ns);
	if (!mm)
		return;
	/* Seen live already: the live events are newer than the snapshot.
	 * A re-walk's new mm was born while svatop watched. */
	if (!known && !(ev->flags & SVATOP_F_RESYNC))
		mm->flags |= MF_SNAPSHOT;
	mm->flags |= MF_SVA;
	obj_mm_set_owner(m, mm, ev);
	/* Found only on iommu_sva_mms: no task owns it any more (a re-walk
	 * reads only that list: its pid 0 says nothing of the owner). */
	if (!ev->tgid && !(ev->flags & SVATOP_F_RESYNC) && !(mm->flags & MF_EXITED)) {
		mm->flags |= MF_EXITED | MF_NO_TASK;
		obj_cold_set_ts(m, MODEL_KIND_MM, mm, &mm->flags, ev->ts_ns);
	}
	p = obj_pasid_get(m, ev->pasid, ev->ts_ns);
	if (p && !(p->flags & PF_BORN_LIVE) && !(ev->flags & SVATOP_F_RESYNC))
		p->flags |= PF_SNAPSHOT;
	obj_pasid_link_mm(m, p, mm);
}

/* A re-walk found a domain address the model holds for another mm: the
 * kernel freed that domain unseen (state mode) and made a new one there. */
static void resync_domain_reused(struct model *m, const struct svatop_event *ev)
{
	struct model_domain *d = idxmap_get(&m->domain_by_ptr, ev->domain);

	if (d && model_domain_mm_ptr(m, d) != ev->mm)
		obj_domain_free(m, d);
}

static void on_snap_domain(struct model *m, const struct svatop_event *ev)
{
	bool resync = ev->flags & SVATOP_F_RESYNC;
	bool mm_known = idxmap_get(&m->mm_by_ptr, ev->mm) != NULL;
	struct model_domain *d;
	struct model_mm *mm;
	bool known;

	if (resync)
		resync_domain_reused(m, ev);
	known = idxmap_get(&m->domain_by_ptr, ev->domain) != NULL;

	if (!known && (keymap_get(&m->freed_in_snapshot, ev->domain) ||
		       keymap_get(&m->freed_in_snapshot, ev->mm))) {
		m->cnt.stale_snapshot++;
		return;
	}
	d = obj_domain_get(m, ev->domain, ev->ts_ns);
	if (!d)
		return;
	if (resync) {
		/* nothing newer exists in state mode: the walk is the truth */
		d->users = ev->domain_users;
		d->flags |= DF_SEEN;
		if (!known && !m->snapshot_incomplete)
			d->flags |= DF_BORN_LIVE;
	} else if (!known) {
		d->flags |= DF_SNAPSHOT;
		d->users = ev->domain_users;
	}
	obj_domain_set_mm_ptr(m, d, ev->mm);
	if (!d->first_dev)
		d->first_dev = model_ref_of(obj_dev_get(m, ev));
	mm = obj_mm_get(m, ev->mm, ev->ts_ns);
	if (!mm)
		return;
	if (!mm_known && !resync)
		mm->flags |= MF_SNAPSHOT;
	obj_domain_link_mm(m, d, mm);
}

/* A bond that predates svatop, from its IOMMU group's PASID array: it
 * gives the snapshot's domains their devices and IOMMU instances. */
static void on_snap_bond(struct model *m, const struct svatop_event *ev)
{
	struct model_bond *kb = idxmap_get(&m->bond_by_handle, ev->handle);
	bool resync = ev->flags & SVATOP_F_RESYNC;
	bool known = kb != NULL;
	bool dom_known;
	bool mm_known = idxmap_get(&m->mm_by_ptr, ev->mm) != NULL;
	struct model_domain *d;
	struct model_bond *b;
	struct model_dev *dev;
	struct model_mm *mm;

	/* A re-walk refreshes what it finds (state mode has no newer view);
	 * the same address on another domain or mm is a new bond. */
	if (known && resync) {
		struct model_domain *kd = obj_domain(m, kb->domain);
		struct model_mm *kmm = obj_mm(m, kb->mm);

		if (kd && kd->ptr == ev->domain && kmm && kmm->ptr == ev->mm) {
			kb->flags |= BF_SEEN;
			kd->flags |= DF_SEEN;
			if (kb->users != ev->handle_users || kd->users != ev->domain_users)
				m->changes++;
			kb->users = ev->handle_users;
			kd->users = ev->domain_users;
			return;
		}
		obj_bond_free(m, kb);
		known = false;
	}
	if (resync)
		resync_domain_reused(m, ev);
	dom_known = idxmap_get(&m->domain_by_ptr, ev->domain) != NULL;
	/* Seen live already: the live events are newer than the snapshot. */
	if (known || !ev->handle)
		return;
	if (keymap_get(&m->freed_in_snapshot, ev->handle) ||
	    (!dom_known && keymap_get(&m->freed_in_snapshot, ev->domain)) ||
	    (!mm_known && keymap_get(&m->freed_in_snapshot, ev->mm))) {
		m->cnt.stale_snapshot++;
		return;
	}
	mm = obj_mm_get(m, ev->mm, ev->ts_ns);
	if (!mm)
		return;
	if (!mm_known && !resync)
		mm->flags |= MF_SNAPSHOT;
	mm->flags |= MF_SVA;
	d = obj_domain_get(m, ev->domain, ev->ts_ns);
	if (!d)
		return;
	if (!dom_known) {
		if (!resync)
			d->flags |= DF_SNAPSHOT;
		else if (!m->snapshot_incomplete)
			d->flags |= DF_BORN_LIVE;
		d->users = ev->domain_users;
		obj_domain_set_mm_ptr(m, d, ev->mm);
	}
	if (resync) {
		d->users = ev->domain_users;
		d->flags |= DF_SEEN;
	}
	obj_domain_link_mm(m, d, mm);
	dev = obj_dev_get(m, ev);
	if (!d->first_dev)
		d->first_dev = model_ref_of(dev);
	/* a re-walk's new bond was bound while svatop watched (unless the
	 * first walk was cut short): it is judged as born live */
	b = bond_new(m, ev, !resync ? BF_SNAPSHOT : m->snapshot_incomplete ? 0 : BF_BORN_LIVE);
	if (!b)
		return;
	if (m->resync_open)
		b->flags |= BF_SEEN;
	b->pasid = ev->pasid;
	b->users = ev->handle_users;
	obj_bond_link(m, b, mm, d, dev);
	m->changes++;
}

/*
 * The end of a re-walk (state mode): a bond or domain it did not find is
 * gone from the kernel. Its unbind, detach and free were counted there,
 * not streamed, so it leaves the model without counting anything.
 */
static void resync_sweep(struct model *m, bool incomplete)
{
	struct model_domain *d;
	struct model_bond *b;
	uint32_t i;

	m->resync_open = false;
	m->resyncs++;
	/* a walk cut short by its bounds: unseen is not gone (the marks are
	 * cleared all the same, for the next walk) */
	if (incomplete)
		m->resyncs_incomplete++;
	pool_for_each(&m->bonds, struct model_bond, b, i) {
		if (!(b->flags & BF_SEEN) && !incomplete) {
			obj_bond_free(m, b);
			m->changes++;
		} else {
			b->flags &= ~BF_SEEN;
		}
	}
	pool_for_each(&m->domains, struct model_domain, d, i) {
		if (!(d->flags & DF_SEEN) && !incomplete) {
			obj_domain_free(m, d);
			m->changes++;
		} else {
			d->flags &= ~DF_SEEN;
		}
	}
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
	/* A hook's rule evidence (state mode): counted by the kernel already,
	 * and the re-walk shows what it changed; only the rules read it. */
	if (ev->flags & SVATOP_F_EVIDENCE) {
		m->evidence++;
		return m->err;
	}

	if ((ev->flags & SVATOP_F_RESYNC) && !m->resync_open &&
	    (ev->type == SVATOP_EV_SNAP_MM || ev->type == SVATOP_EV_SNAP_DOMAIN ||
	     ev->type == SVATOP_EV_SNAP_BOND || ev->type == SVATOP_EV_SNAP_END)) {
		m->resync_open = true;
		m->resync_gen++;
	}
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
		on_proc_exit(m, ev);
		break;
	case SVATOP_EV_SNAP_MM:
		m->snapshot_seen = true;
		on_snap_mm(m, ev);
		break;
	case SVATOP_EV_SNAP_DOMAIN:
		m->snapshot_seen = true;
		on_snap_domain(m, ev);
		break;
	case SVATOP_EV_SNAP_BOND:
		m->snapshot_seen = true;
		on_snap_bond(m, ev);
		break;
	case SVATOP_EV_SNAP_END:
		m->snapshot_seen = true;
		m->snapshot_done = true;
		if ((ev->flags & (SVATOP_F_INCOMPLETE | SVATOP_F_RESYNC)) == SVATOP_F_INCOMPLETE)
			m->snapshot_incomplete = true;
		keymap_fini(&m->freed_in_snapshot);
		if (ev->flags & SVATOP_F_RESYNC)
			resync_sweep(m, ev->flags & SVATOP_F_INCOMPLETE);
		m->changes++;
		break;
	default:
		break;
	}
	return m->err;
}
