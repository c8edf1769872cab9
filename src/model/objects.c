// SPDX-License-Identifier: GPL-2.0
/* Object lifetimes and relations of the model (see objects.h). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "model/objects.h"

void obj_note_enomem(struct model *m, int err)
{
	if (err && !m->err)
		m->err = err;
}

/* ---- out-of-line fields ------------------------------------------------ */

struct model_cold *obj_cold(struct model *m, enum model_kind kind, void *obj,
			    uint32_t *flags, bool create)
{
	struct model_cold *c = (struct model_cold *)model_cold_of(m, kind, obj, *flags);
	int err;

	if (c || !create)
		return c;
	c = pool_alloc(&m->colds, kind);
	if (!c) {
		obj_note_enomem(m, -ENOMEM);
		return NULL;
	}
	err = keymap_put(&m->cold_by_obj, model_cold_key(kind, obj), c);
	if (err) {
		pool_free(&m->colds, c);
		obj_note_enomem(m, err);
		return NULL;
	}
	*flags |= model_cold_flag(kind);
	return c;
}

void obj_cold_trim(struct model *m, enum model_kind kind, void *obj, uint32_t *flags,
		   bool force)
{
	struct model_cold *c = obj_cold(m, kind, obj, flags, false);

	if (!c || (!force && (c->ts || c->mm.errors || c->mm.last_error ||
			      (kind == MODEL_KIND_DOMAIN && (*flags & DF_MM_PTR)))))
		return;
	if (kind == MODEL_KIND_DOMAIN)
		*flags &= ~DF_MM_PTR;
	keymap_del(&m->cold_by_obj, model_cold_key(kind, obj), c);
	pool_free(&m->colds, c);
	*flags &= ~model_cold_flag(kind);
}

void obj_cold_set_ts(struct model *m, enum model_kind kind, void *obj, uint32_t *flags,
		     uint64_t ts)
{
	struct model_cold *c = obj_cold(m, kind, obj, flags, ts != 0);

	if (!c)
		return;
	c->ts = ts;
	obj_cold_trim(m, kind, obj, flags, false);
}

void obj_copy_name(char *dst, const char *src, size_t len)
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
	io = idxmap_get(&m->iommu_by_ptr, ev->iommu);
	if (!io) {
		io = pool_alloc(&m->iommus, obj_next_uid(m));
		if (!io) {
			obj_note_enomem(m, -ENOMEM);
			return NULL;
		}
		io->ptr = ev->iommu;
		obj_note_enomem(m, idxmap_put(&m->iommu_by_ptr, io));
	}
	if (!io->name[0] && ev->iommu_name[0])
		obj_copy_name(io->name, ev->iommu_name, sizeof(io->name));
	return io;
}

struct model_dev *obj_dev_get(struct model *m, const struct svatop_event *ev)
{
	struct model_iommu *io;
	struct model_dev *d;

	if (!ev->dev)
		return NULL;
	d = idxmap_get(&m->dev_by_ptr, ev->dev);
	if (!d) {
		d = pool_alloc(&m->devs, obj_next_uid(m));
		if (!d) {
			obj_note_enomem(m, -ENOMEM);
			return NULL;
		}
		d->ptr = ev->dev;
		obj_note_enomem(m, idxmap_put(&m->dev_by_ptr, d));
		m->changes++;
	}
	if (!d->name[0] && ev->dev_name[0])
		obj_copy_name(d->name, ev->dev_name, sizeof(d->name));
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

/* The shared entry for a process name (a reference, 0: none or no
 * memory): the one with that name in the map, or a new one. */
static model_ref comm_get(struct model *m, const char *name)
{
	char buf[SVATOP_COMM_LEN] = { 0 };
	struct model_comm *c, *in;
	uint64_t lo, hi, key;

	obj_copy_name(buf, name, sizeof(buf));
	if (!buf[0])
		return 0;
	memcpy(&lo, buf, sizeof(lo));
	memcpy(&hi, buf + sizeof(lo), sizeof(hi));
	key = lo ^ (hi * 0x9e3779b97f4a7c15ULL) ^ (hi >> 29);
	key = key ? key : 1;
	in = idxmap_get(&m->comm_by_key, key);
	if (in && !memcmp(in->comm, buf, sizeof(buf))) {
		in->refs++;
		return model_ref_of(in);
	}
	c = pool_alloc(&m->comms, 1);
	if (!c) {
		obj_note_enomem(m, -ENOMEM);
		return 0;
	}
	c->key = key;
	memcpy(c->comm, buf, sizeof(buf));
	/* another name with this hash: this one stays unshared */
	if (!in)
		obj_note_enomem(m, idxmap_put(&m->comm_by_key, c));
	return model_ref_of(c);
}

static void comm_put(struct model *m, model_ref ref)
{
	struct model_comm *c = ref ? pool_slot(&m->comms, ref - 1) : NULL;

	if (!c)
		return;
	if (c->refs > 1) {
		c->refs--;
		return;
	}
	idxmap_del(&m->comm_by_key, c);
	pool_free(&m->comms, c);
}

void obj_mm_set_owner(struct model *m, struct model_mm *mm, const struct svatop_event *ev)
{
	if (mm->tgid || !ev->tgid)
		return;
	mm->tgid = ev->tgid;
	mm->comm = comm_get(m, ev->comm);
}

/* The mm at ev->mm, created when unknown. A model mm already being freed
 * (__mmdrop seen) at that address is retired: the address came back. */
struct model_mm *obj_mm_get(struct model *m, uint64_t ptr, uint64_t ts)
{
	struct model_mm *mm;

	if (!ptr)
		return NULL;
	mm = idxmap_get(&m->mm_by_ptr, ptr);
	if (mm && (mm->flags & MF_DROPPING)) {
		m->cnt.replaced++;
		obj_mm_free(m, mm);
		mm = NULL;
	}
	if (mm)
		return mm;
	mm = pool_alloc(&m->mms, obj_next_uid(m));
	if (!mm) {
		obj_note_enomem(m, -ENOMEM);
		return NULL;
	}
	mm->ptr = ptr;
	mm->first_ts = ts;
	obj_note_enomem(m, idxmap_put(&m->mm_by_ptr, mm));
	m->changes++;
	return mm;
}

/* ---- the lists: doubly linked by reference ------------------------------ */

/* A list of objects of pool p linked through the model_ref fields at
 * next_off and prev_off, its head at *head. */
struct ref_list {
	const struct pool *p;
	size_t next_off, prev_off;
	model_ref *head;
};

static inline model_ref *ref_field(const struct pool *p, model_ref r, size_t off)
{
	return (model_ref *)((char *)pool_slot(p, r - 1) + off);
}

static void list_add(struct ref_list l, model_ref r)
{
	*ref_field(l.p, r, l.prev_off) = 0;
	*ref_field(l.p, r, l.next_off) = *l.head;
	if (*l.head)
		*ref_field(l.p, *l.head, l.prev_off) = r;
	*l.head = r;
}

static void list_del(struct ref_list l, model_ref r)
{
	model_ref *next = ref_field(l.p, r, l.next_off);
	model_ref *prev = ref_field(l.p, r, l.prev_off);

	if (*prev)
		*ref_field(l.p, *prev, l.next_off) = *next;
	else
		*l.head = *next;
	if (*next)
		*ref_field(l.p, *next, l.prev_off) = *prev;
	*next = *prev = 0;
}

static struct ref_list mm_domains(struct model *m, struct model_mm *mm)
{
	return (struct ref_list){ &m->domains, offsetof(struct model_domain, mm_next),
				  offsetof(struct model_domain, mm_prev), &mm->domains };
}

static struct ref_list mm_bonds(struct model *m, struct model_mm *mm)
{
	return (struct ref_list){ &m->bonds, offsetof(struct model_bond, mm_next),
				  offsetof(struct model_bond, mm_prev), &mm->bonds };
}

static struct ref_list domain_bonds(struct model *m, struct model_domain *d)
{
	return (struct ref_list){ &m->bonds, offsetof(struct model_bond, dom_next),
				  offsetof(struct model_bond, dom_prev), &d->bonds };
}

/* Unlink p from its mm; orphan_ts: when that mm was freed (0: it was
 * not, p was replaced or goes itself). */
static void pasid_unlink_mm(struct model *m, struct model_pasid *p, uint64_t orphan_ts)
{
	p->mm = 0;
	obj_cold_set_ts(m, MODEL_KIND_PASID, p, &p->flags, orphan_ts);
}

void obj_domain_set_mm_ptr(struct model *m, struct model_domain *d, uint64_t ptr)
{
	const struct model_mm *mm = model_mm_at(m, d->mm);
	struct model_cold *c;

	if (mm ? mm->ptr == ptr : !ptr) {
		c = obj_cold(m, MODEL_KIND_DOMAIN, d, &d->flags, false);
		if (c && (d->flags & DF_MM_PTR)) {
			c->domain.mm_ptr = 0;
			d->flags &= ~DF_MM_PTR;
			obj_cold_trim(m, MODEL_KIND_DOMAIN, d, &d->flags, false);
		}
		return;
	}
	c = obj_cold(m, MODEL_KIND_DOMAIN, d, &d->flags, true);
	if (!c)
		return;
	c->domain.mm_ptr = ptr;
	d->flags |= DF_MM_PTR;
}

/* Unlink d from its mm; keep_ptr: d stays (and remembers the mm's address). */
static void domain_unlink_mm(struct model *m, struct model_domain *d, bool keep_ptr)
{
	struct model_mm *mm = obj_mm(m, d->mm);
	uint64_t ptr;

	if (!mm)
		return;
	ptr = model_domain_mm_ptr(m, d);
	list_del(mm_domains(m, mm), model_ref_of(d));
	d->mm = 0;
	mm->ndomains--;
	if (keep_ptr)
		obj_domain_set_mm_ptr(m, d, ptr);
}

void obj_domain_link_mm(struct model *m, struct model_domain *d, struct model_mm *mm)
{
	if (!mm || d->mm == model_ref_of(mm))
		return;
	domain_unlink_mm(m, d, false);
	d->mm = model_ref_of(mm);
	obj_domain_set_mm_ptr(m, d, mm->ptr);
	list_add(mm_domains(m, mm), model_ref_of(d));
	mm->ndomains++;
	mm->flags |= MF_SVA;
}

static void bond_unlink_mm(struct model *m, struct model_bond *b)
{
	struct model_mm *mm = obj_mm(m, b->mm);

	if (!mm)
		return;
	list_del(mm_bonds(m, mm), model_ref_of(b));
	b->mm = 0;
	mm->nbonds--;
}

static void bond_unlink_domain(struct model *m, struct model_bond *b)
{
	struct model_domain *d = obj_domain(m, b->domain);

	if (!d)
		return;
	list_del(domain_bonds(m, d), model_ref_of(b));
	b->domain = 0;
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
	obj_note_enomem(m, keymap_put(&m->freed_in_snapshot, ptr, (void *)1));
}

void obj_mm_free(struct model *m, struct model_mm *mm)
{
	uint64_t ts = m->now_ns;
	struct model_domain *d;
	struct model_pasid *p;

	note_freed(m, mm->ptr);
	while ((d = obj_domain(m, mm->domains))) {
		obj_cold_set_ts(m, MODEL_KIND_DOMAIN, d, &d->flags, ts);
		domain_unlink_mm(m, d, true);
	}
	while (mm->bonds)
		bond_unlink_mm(m, obj_bond(m, mm->bonds));
	p = obj_mm_pasid(m, mm);
	if (p)
		pasid_unlink_mm(m, p, ts);
	obj_cold_trim(m, MODEL_KIND_MM, mm, &mm->flags, true);
	comm_put(m, mm->comm);
	idxmap_del(&m->mm_by_ptr, mm);
	pool_free(&m->mms, mm);
	m->changes++;
}

/* ---- PASIDs ---------------------------------------------------------- */

#define PASID_DIRECT	(1u << 20)

struct model_pasid *obj_pasid_lookup(const struct model *m, uint32_t val)
{
	uint32_t ref;

	if (val >= PASID_DIRECT)
		return keymap_get(&m->pasid_big, val);
	ref = m->pasid_direct ? m->pasid_direct[val] : 0;
	return ref ? (struct model_pasid *)pool_slot(&m->pasids, ref - 1) : NULL;
}

/* Map p's value to p (replacing what it mapped to). */
int obj_pasid_index_put(struct model *m, struct model_pasid *p)
{
	uint32_t val = p->pasid;
	int err;

	if (!val)
		return -EINVAL;
	if (val >= PASID_DIRECT) {
		bool had = keymap_get(&m->pasid_big, val) != NULL;

		err = keymap_put(&m->pasid_big, val, p);
		m->npasid_index += !err && !had;
		return err;
	}
	/* 4 MiB of address space; pages are touched (and resident) only
	 * where PASIDs are. */
	if (!m->pasid_direct) {
		m->pasid_direct = calloc(PASID_DIRECT, sizeof(*m->pasid_direct));
		if (!m->pasid_direct)
			return -ENOMEM;
	}
	m->npasid_index += !m->pasid_direct[val];
	m->pasid_direct[val] = pool_index(p) + 1;
	return 0;
}

void obj_pasid_index_del(struct model *m, const struct model_pasid *p)
{
	if (obj_pasid_lookup(m, p->pasid) != p)
		return;
	if (p->pasid >= PASID_DIRECT)
		keymap_del(&m->pasid_big, p->pasid, p);
	else
		m->pasid_direct[p->pasid] = 0;
	m->npasid_index--;
}

size_t obj_pasid_index_bytes(const struct model *m)
{
	return (m->pasid_direct ? PASID_DIRECT * sizeof(*m->pasid_direct) : 0) +
	       keymap_bytes(&m->pasid_big);
}

void obj_pasid_free(struct model *m, struct model_pasid *p)
{
	struct model_cold *c = obj_cold(m, MODEL_KIND_PASID, p, &p->flags, false);

	if (c && c->pasid.alloc_tid)
		keymap_del(&m->pending_pasid_by_tid, c->pasid.alloc_tid, p);
	pasid_unlink_mm(m, p, 0);
	obj_cold_trim(m, MODEL_KIND_PASID, p, &p->flags, true);
	obj_pasid_index_del(m, p);
	pool_free(&m->pasids, p);
	m->changes++;
}

struct model_pasid *obj_pasid_new(struct model *m, uint32_t val, uint64_t ts)
{
	struct model_pasid *p = obj_pasid_lookup(m, val);

	if (p) {
		/* Allocated again: the old one's free was never seen. */
		m->cnt.replaced++;
		obj_pasid_free(m, p);
	}
	p = pool_alloc(&m->pasids, obj_next_uid(m));
	if (!p) {
		obj_note_enomem(m, -ENOMEM);
		return NULL;
	}
	p->pasid = val;
	p->alloc_ts = ts;
	p->stack_id = -1;
	obj_note_enomem(m, obj_pasid_index_put(m, p));
	m->changes++;
	return p;
}

/* Make p the PASID of mm. The mm's whole SVA life is known when the
 * PASID's allocation was seen and the mm had no SVA state before. */
void obj_pasid_link_mm(struct model *m, struct model_pasid *p, struct model_mm *mm)
{
	struct model_pasid *old;

	if (!p || !mm || p->mm == model_ref_of(mm))
		return;
	if (p->mm)
		pasid_unlink_mm(m, p, 0);
	old = obj_mm_pasid(m, mm);
	if (old && old != p)
		pasid_unlink_mm(m, old, 0);
	if ((p->flags & PF_BORN_LIVE) && !(mm->flags & MF_SNAPSHOT) &&
	    !mm->pasid_val && !mm->nbonds) {
		const struct model_domain *d;
		bool all_new = true;

		model_mm_for_each_domain(m, mm, d)
			all_new &= !!(d->flags & DF_BORN_LIVE);
		if (all_new)
			mm->flags |= MF_BORN_LIVE;
	}
	p->mm = model_ref_of(mm);
	obj_cold_set_ts(m, MODEL_KIND_PASID, p, &p->flags, 0);
	mm->pasid_val = p->pasid;
	mm->flags |= MF_SVA;
}

/* The PASID object for an event's pasid value, created (not born live)
 * when the allocation predates the model. */
struct model_pasid *obj_pasid_get(struct model *m, uint32_t val, uint64_t ts)
{
	struct model_pasid *p;

	if (!val || val == ~0u)
		return NULL;
	p = obj_pasid_lookup(m, val);
	return p ? p : obj_pasid_new(m, val, ts);
}

/* ---- domains --------------------------------------------------------- */

void obj_domain_free(struct model *m, struct model_domain *d)
{
	note_freed(m, d->ptr);
	while (d->bonds)
		bond_unlink_domain(m, obj_bond(m, d->bonds));
	domain_unlink_mm(m, d, false);
	obj_cold_trim(m, MODEL_KIND_DOMAIN, d, &d->flags, true);
	idxmap_del(&m->domain_by_ptr, d);
	pool_free(&m->domains, d);
	m->changes++;
}

struct model_domain *obj_domain_new(struct model *m, uint64_t ptr, uint64_t ts)
{
	struct model_domain *d = idxmap_get(&m->domain_by_ptr, ptr);

	if (d) {
		m->cnt.replaced++;
		obj_domain_free(m, d);
	}
	d = pool_alloc(&m->domains, obj_next_uid(m));
	if (!d) {
		obj_note_enomem(m, -ENOMEM);
		return NULL;
	}
	d->ptr = ptr;
	d->alloc_ts = ts;
	d->stack_id = -1;
	obj_note_enomem(m, idxmap_put(&m->domain_by_ptr, d));
	m->changes++;
	return d;
}

struct model_domain *obj_domain_get(struct model *m, uint64_t ptr, uint64_t ts)
{
	struct model_domain *d;

	if (!ptr)
		return NULL;
	d = idxmap_get(&m->domain_by_ptr, ptr);
	return d ? d : obj_domain_new(m, ptr, ts);
}

/* ---- bonds ----------------------------------------------------------- */

void obj_bond_free(struct model *m, struct model_bond *b)
{
	struct model_dev *dev = obj_dev(m, b->dev);

	note_freed(m, b->handle);
	bond_unlink_mm(m, b);
	bond_unlink_domain(m, b);
	if (dev)
		dev->nbonds--;
	idxmap_del(&m->bond_by_handle, b);
	pool_free(&m->bonds, b);
	m->changes++;
}

void obj_bond_link(struct model *m, struct model_bond *b, struct model_mm *mm,
		   struct model_domain *d, struct model_dev *dev)
{
	struct model_dev *old_dev;

	if (mm && b->mm != model_ref_of(mm)) {
		bond_unlink_mm(m, b);
		b->mm = model_ref_of(mm);
		list_add(mm_bonds(m, mm), model_ref_of(b));
		mm->nbonds++;
	}
	if (d && b->domain != model_ref_of(d)) {
		bond_unlink_domain(m, b);
		b->domain = model_ref_of(d);
		list_add(domain_bonds(m, d), model_ref_of(b));
		d->nbonds++;
	}
	if (dev && b->dev != model_ref_of(dev)) {
		old_dev = obj_dev(m, b->dev);
		if (old_dev)
			old_dev->nbonds--;
		b->dev = model_ref_of(dev);
		dev->nbonds++;
	}
}
