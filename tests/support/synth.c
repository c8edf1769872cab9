// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "synth.h"

void synth_init(struct synth *s, synth_emit_fn emit, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->ts = 1000000000ULL;
	s->next_pasid = 1;
	s->next_ptr = 0xffff888004000000ULL;
	s->next_stack = 1;
	s->emit = emit;
	s->ctx = ctx;
}

uint64_t synth_alloc_ptr(struct synth *s)
{
	if (s->nrecycled)
		return s->recycled[--s->nrecycled];
	s->next_ptr += 0x400;
	return s->next_ptr;
}

void synth_free_ptr(struct synth *s, uint64_t ptr)
{
	if (s->nrecycled < SYNTH_RECYCLE)
		s->recycled[s->nrecycled++] = ptr;
}

static void copy_str(char *dst, const char *src, size_t len)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void synth_dev_init(struct synth_dev *d, uint64_t ptr, const char *name,
		    uint64_t iommu, const char *iommu_name)
{
	memset(d, 0, sizeof(*d));
	d->ptr = ptr;
	d->iommu = iommu;
	copy_str(d->name, name, sizeof(d->name));
	copy_str(d->iommu_name, iommu_name, sizeof(d->iommu_name));
}

void synth_proc_init(struct synth *s, struct synth_proc *p, uint32_t tgid,
		     const char *comm)
{
	memset(p, 0, sizeof(*p));
	p->tgid = tgid;
	copy_str(p->comm, comm, sizeof(p->comm));
	p->mm = synth_alloc_ptr(s);
}

void synth_event(struct synth *s, struct svatop_event *ev, int type,
		 const struct synth_proc *p)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->version = SVATOP_ABI_VERSION;
	s->ts += 1000;
	ev->ts_ns = s->ts;
	ev->stack_id = -1;
	ev->flags = SVATOP_F_SVA_DOMAIN;
	if (p) {
		ev->pid = ev->tgid = p->tgid;
		copy_str(ev->comm, p->comm, sizeof(ev->comm));
		ev->mm = p->mm;
		ev->pasid = p->pasid;
	}
}

static void set_dev(struct svatop_event *ev, const struct synth_dev *d)
{
	ev->dev = d->ptr;
	ev->iommu = d->iommu;
	copy_str(ev->dev_name, d->name, sizeof(ev->dev_name));
	copy_str(ev->iommu_name, d->iommu_name, sizeof(ev->iommu_name));
}

int synth_bind(struct synth *s, struct synth_proc *p, const struct synth_dev *d)
{
	struct svatop_event ev;
	int i, b, dom = -1;

	if (!p->pasid) {
		p->pasid = s->next_pasid++;
		p->iommu_mm = synth_alloc_ptr(s);
		synth_event(s, &ev, SVATOP_EV_PASID_ALLOC, p);
		set_dev(&ev, d);
		ev.stack_id = s->next_stack++;
		/* the stream names the mm through the bind that follows; state
		 * mode has no such bind record, so the kernel side names it */
		if (!s->state_mode)
			ev.mm = 0;
		s->emit(&ev, s->ctx);
	}
	p->binds++;
	for (i = 0; i < p->nbond; i++) {
		if (p->bond[i].dev == d->ptr) {
			p->bond[i].users++;
			for (dom = 0; p->dom[dom].ptr != p->bond[i].domain; dom++)
				;
			synth_event(s, &ev, SVATOP_EV_BIND, p);
			set_dev(&ev, d);
			ev.handle = p->bond[i].handle;
			ev.domain = p->bond[i].domain;
			ev.handle_users = p->bond[i].users;
			ev.domain_users = p->dom[dom].users;
			if (!s->state_mode)
				s->emit(&ev, s->ctx);
			return i;
		}
	}
	if (p->nbond == SYNTH_MAX_BONDS)
		return -1;
	/* Like the mock driver: a domain attaches only on its own instance. */
	for (i = 0; i < p->ndom; i++) {
		synth_event(s, &ev, SVATOP_EV_ATTACH, p);
		set_dev(&ev, d);
		ev.domain = p->dom[i].ptr;
		if (p->dom[i].iommu != d->iommu) {
			ev.ret = -22;
			s->emit(&ev, s->ctx);	/* failures stream in state mode too */
			continue;
		}
		p->dom[i].users++;
		ev.domain_users = p->dom[i].users;
		if (!s->state_mode)
			s->emit(&ev, s->ctx);
		dom = i;
		break;
	}
	if (dom < 0) {
		if (p->ndom == SYNTH_MAX_DOMAINS)
			return -1;
		dom = p->ndom++;
		p->dom[dom].ptr = synth_alloc_ptr(s);
		p->dom[dom].iommu = d->iommu;
		p->dom[dom].users = 1;
		synth_event(s, &ev, SVATOP_EV_DOMAIN_ALLOC, p);
		set_dev(&ev, d);
		ev.domain = p->dom[dom].ptr;
		ev.flags |= SVATOP_F_DERIVED;
		ev.stack_id = s->domain_stack_from_bind ? -1 : s->next_stack++;
		if (!s->state_mode)
			s->emit(&ev, s->ctx);
		synth_event(s, &ev, SVATOP_EV_ATTACH, p);
		set_dev(&ev, d);
		ev.domain = p->dom[dom].ptr;
		ev.domain_users = 1;
		if (!s->state_mode)
			s->emit(&ev, s->ctx);
	}
	b = p->nbond++;
	p->bond[b].handle = synth_alloc_ptr(s);
	p->bond[b].dev = d->ptr;
	p->bond[b].domain = p->dom[dom].ptr;
	p->bond[b].users = 1;
	synth_event(s, &ev, SVATOP_EV_BIND, p);
	set_dev(&ev, d);
	ev.handle = p->bond[b].handle;
	ev.domain = p->bond[b].domain;
	ev.handle_users = 1;
	ev.domain_users = p->dom[dom].users;
	ev.stack_id = s->next_stack++;
	if (!s->state_mode)
		s->emit(&ev, s->ctx);
	return b;
}

void synth_unbind(struct synth *s, struct synth_proc *p, int b)
{
	struct svatop_event ev;
	int dom;

	for (dom = 0; dom < p->ndom && p->dom[dom].ptr != p->bond[b].domain; dom++)
		;
	p->unbinds++;
	synth_event(s, &ev, SVATOP_EV_UNBIND, p);
	ev.handle = p->bond[b].handle;
	ev.dev = p->bond[b].dev;
	ev.domain = p->bond[b].domain;
	ev.handle_users = p->bond[b].users;
	ev.domain_users = p->dom[dom].users;
	if (!s->state_mode)
		s->emit(&ev, s->ctx);
	if (--p->bond[b].users)
		return;
	synth_event(s, &ev, SVATOP_EV_DETACH, p);
	ev.domain = p->bond[b].domain;
	ev.dev = p->bond[b].dev;
	if (!s->state_mode)
		s->emit(&ev, s->ctx);
	synth_free_ptr(s, p->bond[b].handle);
	p->bond[b] = p->bond[--p->nbond];
	if (--p->dom[dom].users)
		return;
	synth_event(s, &ev, SVATOP_EV_DOMAIN_FREE, p);
	ev.domain = p->dom[dom].ptr;
	if (!s->state_mode)
		s->emit(&ev, s->ctx);
	synth_free_ptr(s, p->dom[dom].ptr);
	p->dom[dom] = p->dom[--p->ndom];
}

void synth_exit(struct synth *s, struct synth_proc *p)
{
	struct svatop_event ev;

	synth_event(s, &ev, SVATOP_EV_EXIT, p);
	ev.flags |= SVATOP_F_LEADER_EXIT;
	s->emit(&ev, s->ctx);
	p->exited = true;
}

bool synth_mm_release(struct synth *s, struct synth_proc *p)
{
	struct svatop_event ev;

	if (p->ndom || p->freed)
		return false;
	/* Runs in whatever task switched in next: not the owner. */
	synth_event(s, &ev, SVATOP_EV_MMDROP, p);
	ev.pid = ev.tgid = 7;
	memcpy(ev.comm, "kworker/0:1", 12);
	if (s->state_mode && (p->binds || p->unbinds)) {
		ev.flags |= SVATOP_F_TALLY;
		ev.handle = p->binds;
		ev.aux2 = p->unbinds;
	}
	s->emit(&ev, s->ctx);
	if (p->pasid) {
		synth_event(s, &ev, SVATOP_EV_MM_PASID_DROP, p);
		ev.pid = ev.tgid = 7;
		ev.aux = p->iommu_mm;
		s->emit(&ev, s->ctx);
		synth_event(s, &ev, SVATOP_EV_PASID_FREE, p);
		ev.pid = ev.tgid = 7;
		ev.mm = 0;
		s->emit(&ev, s->ctx);
		synth_free_ptr(s, p->iommu_mm);
	}
	synth_free_ptr(s, p->mm);
	p->freed = true;
	return true;
}

void synth_snapshot(struct synth *s, struct synth_proc **procs, int n)
{
	struct svatop_event ev;
	int i, j;

	for (i = 0; i < n; i++) {
		if (!procs[i]->pasid)
			continue;
		synth_event(s, &ev, SVATOP_EV_SNAP_MM, procs[i]);
		ev.flags |= SVATOP_F_SNAPSHOT;
		ev.aux = procs[i]->iommu_mm;
		if (procs[i]->exited)
			ev.pid = ev.tgid = 0;
		s->emit(&ev, s->ctx);
		for (j = 0; j < procs[i]->ndom; j++) {
			synth_event(s, &ev, SVATOP_EV_SNAP_DOMAIN, procs[i]);
			ev.flags |= SVATOP_F_SNAPSHOT;
			ev.domain = procs[i]->dom[j].ptr;
			ev.domain_users = procs[i]->dom[j].users;
			s->emit(&ev, s->ctx);
		}
	}
	synth_event(s, &ev, SVATOP_EV_SNAP_END, NULL);
	ev.flags |= SVATOP_F_SNAPSHOT;
	s->emit(&ev, s->ctx);
}

void synth_resync(struct synth *s, struct synth_proc **procs, int n)
{
	const uint32_t rs = SVATOP_F_SNAPSHOT | SVATOP_F_RESYNC;
	struct svatop_event ev;
	int i, j, k;

	for (i = 0; i < n; i++) {
		struct synth_proc *p = procs[i];

		if (!p->pasid || p->freed)
			continue;
		/* from the kernel's list of SVA mms: no task, no owner */
		synth_event(s, &ev, SVATOP_EV_SNAP_MM, p);
		ev.flags |= rs;
		ev.aux = p->iommu_mm;
		ev.pid = ev.tgid = 0;
		memset(ev.comm, 0, sizeof(ev.comm));
		s->emit(&ev, s->ctx);
		for (j = 0; j < p->ndom; j++) {
			synth_event(s, &ev, SVATOP_EV_SNAP_DOMAIN, p);
			ev.flags |= rs;
			ev.domain = p->dom[j].ptr;
			ev.domain_users = p->dom[j].users;
			s->emit(&ev, s->ctx);
		}
	}
	/* the bonds come last, from the IOMMU groups' PASID arrays */
	for (i = 0; i < n; i++) {
		struct synth_proc *p = procs[i];

		for (k = 0; !p->freed && k < p->nbond; k++) {
			synth_event(s, &ev, SVATOP_EV_SNAP_BOND, p);
			ev.flags |= rs;
			ev.pid = ev.tgid = 0;
			memset(ev.comm, 0, sizeof(ev.comm));
			ev.handle = p->bond[k].handle;
			ev.dev = p->bond[k].dev;
			ev.domain = p->bond[k].domain;
			ev.handle_users = p->bond[k].users;
			for (j = 0; j < p->ndom; j++)
				if (p->dom[j].ptr == p->bond[k].domain)
					ev.domain_users = p->dom[j].users;
			s->emit(&ev, s->ctx);
		}
	}
	synth_event(s, &ev, SVATOP_EV_SNAP_END, NULL);
	ev.flags |= rs;
	s->emit(&ev, s->ctx);
}

void synth_fork(struct synth *s, const struct synth_proc *parent,
		struct synth_proc *child, uint32_t child_tgid, bool shares_bug)
{
	struct svatop_event ev;

	synth_proc_init(s, child, child_tgid, parent->comm);
	synth_event(s, &ev, SVATOP_EV_PROC_FORK, parent);
	ev.aux = child_tgid;
	s->emit(&ev, s->ctx);
	synth_event(s, &ev, SVATOP_EV_FORK, parent);
	ev.mm = child->mm;
	ev.aux = parent->mm;
	ev.handle = parent->iommu_mm;
	ev.aux2 = shares_bug ? parent->iommu_mm : 0;
	if (shares_bug)
		ev.flags |= SVATOP_F_CHILD_SHARES;
	s->emit(&ev, s->ctx);
}
