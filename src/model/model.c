// SPDX-License-Identifier: GPL-2.0
/* The model's set-up, queries and self-check; events: apply.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/objects.h"

/* Initial capacities; the maps double as needed (amortized O(1)). */
#define MODEL_HINT	1024

int model_init(struct model *m)
{
	struct idxmap *maps[] = { &m->mm_by_ptr, &m->domain_by_ptr, &m->bond_by_handle,
				  &m->dev_by_ptr, &m->iommu_by_ptr };
	const struct pool *pools[] = { &m->mms, &m->domains, &m->bonds, &m->devs, &m->iommus };
	const size_t key_offs[] = { offsetof(struct model_mm, ptr),
				    offsetof(struct model_domain, ptr),
				    offsetof(struct model_bond, handle),
				    offsetof(struct model_dev, ptr),
				    offsetof(struct model_iommu, ptr) };
	size_t i;

	memset(m, 0, sizeof(*m));
	pool_init(&m->mms, sizeof(struct model_mm));
	pool_init(&m->pasids, sizeof(struct model_pasid));
	pool_init(&m->domains, sizeof(struct model_domain));
	pool_init(&m->bonds, sizeof(struct model_bond));
	pool_init(&m->devs, sizeof(struct model_dev));
	pool_init(&m->iommus, sizeof(struct model_iommu));
	pool_init(&m->colds, sizeof(struct model_cold));
	pool_init(&m->comms, sizeof(struct model_comm));
	if (idxmap_init(&m->comm_by_key, &m->comms, offsetof(struct model_comm, key), 64)) {
		model_fini(m);
		return -ENOMEM;
	}
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		if (idxmap_init(maps[i], pools[i], key_offs[i], MODEL_HINT)) {
			model_fini(m);
			return -ENOMEM;
		}
	}
	return 0;
}

void model_fini(struct model *m)
{
	iopf_table_fini(&m->iopf);
	pool_fini(&m->mms);
	pool_fini(&m->pasids);
	pool_fini(&m->domains);
	pool_fini(&m->bonds);
	pool_fini(&m->devs);
	pool_fini(&m->iommus);
	pool_fini(&m->colds);
	pool_fini(&m->comms);
	idxmap_fini(&m->comm_by_key);
	keymap_fini(&m->cold_by_obj);
	idxmap_fini(&m->mm_by_ptr);
	idxmap_fini(&m->domain_by_ptr);
	idxmap_fini(&m->bond_by_handle);
	idxmap_fini(&m->dev_by_ptr);
	idxmap_fini(&m->iommu_by_ptr);
	free(m->pasid_direct);
	m->pasid_direct = NULL;
	keymap_fini(&m->pasid_big);
	keymap_fini(&m->pending_pasid_by_tid);
	keymap_fini(&m->freed_in_snapshot);
	free(m->error_only);
	m->error_only = NULL;
}

const struct model_mm *model_mm(const struct model *m, uint64_t ptr)
{
	return idxmap_get(&m->mm_by_ptr, ptr);
}

const struct model_pasid *model_pasid(const struct model *m, uint32_t pasid)
{
	return obj_pasid_lookup(m, pasid);
}

const struct model_domain *model_domain(const struct model *m, uint64_t ptr)
{
	return idxmap_get(&m->domain_by_ptr, ptr);
}

const struct model_bond *model_bond(const struct model *m, uint64_t handle)
{
	return idxmap_get(&m->bond_by_handle, handle);
}

const struct model_dev *model_dev(const struct model *m, uint64_t ptr)
{
	return idxmap_get(&m->dev_by_ptr, ptr);
}

uint32_t model_mm_ndevs(const struct model *m, const struct model_mm *mm)
{
	const struct model_bond *b, *c;
	uint32_t n = 0;

	/* Bonds per mm are few (one per device): quadratic is fine. */
	model_mm_for_each_bond(m, mm, b) {
		if (!b->dev)
			continue;
		model_mm_for_each_bond(m, mm, c)
			if (c == b || c->dev == b->dev)
				break;
		n += c == b;
	}
	return n;
}

const struct model_cold *model_cold_of(const struct model *m, enum model_kind kind,
				       const void *obj, uint32_t flags)
{
	if (!(flags & model_cold_flag(kind)))
		return NULL;
	return keymap_get(&m->cold_by_obj, model_cold_key(kind, obj));
}

model_comm_t model_no_comm;

const struct model_pasid *model_mm_pasid(const struct model *m, const struct model_mm *mm)
{
	const struct model_pasid *p = mm->pasid_val ? obj_pasid_lookup(m, mm->pasid_val) : NULL;

	return p && p->mm == model_ref_of(mm) ? p : NULL;
}

uint64_t model_mm_exit_ts(const struct model *m, const struct model_mm *mm)
{
	const struct model_cold *c = model_cold_of(m, MODEL_KIND_MM, mm, mm->flags);

	return c ? c->ts : 0;
}

uint32_t model_mm_errors(const struct model *m, const struct model_mm *mm)
{
	const struct model_cold *c = model_cold_of(m, MODEL_KIND_MM, mm, mm->flags);

	return c ? c->mm.errors : 0;
}

int32_t model_mm_last_error(const struct model *m, const struct model_mm *mm)
{
	const struct model_cold *c = model_cold_of(m, MODEL_KIND_MM, mm, mm->flags);

	return c ? c->mm.last_error : 0;
}

uint64_t model_pasid_orphan_ts(const struct model *m, const struct model_pasid *p)
{
	const struct model_cold *c = model_cold_of(m, MODEL_KIND_PASID, p, p->flags);

	return c ? c->ts : 0;
}

uint64_t model_domain_orphan_ts(const struct model *m, const struct model_domain *d)
{
	const struct model_cold *c = model_cold_of(m, MODEL_KIND_DOMAIN, d, d->flags);

	return c ? c->ts : 0;
}

uint64_t model_domain_mm_ptr(const struct model *m, const struct model_domain *d)
{
	const struct model_cold *c;

	if (d->flags & DF_MM_PTR) {
		c = model_cold_of(m, MODEL_KIND_DOMAIN, d, d->flags);
		return c ? c->domain.mm_ptr : 0;
	}
	return d->mm ? model_mm_at(m, d->mm)->ptr : 0;
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
	       pool_bytes(&m->colds) + keymap_bytes(&m->cold_by_obj) +
	       pool_bytes(&m->comms) + idxmap_bytes(&m->comm_by_key) +
	       idxmap_bytes(&m->mm_by_ptr) + idxmap_bytes(&m->domain_by_ptr) +
	       idxmap_bytes(&m->bond_by_handle) + idxmap_bytes(&m->dev_by_ptr) +
	       idxmap_bytes(&m->iommu_by_ptr) + obj_pasid_index_bytes(m) +
	       keymap_bytes(&m->pasid_big) + keymap_bytes(&m->pending_pasid_by_tid) +
	       keymap_bytes(&m->freed_in_snapshot);
}

/* Every relation agrees with its counters and every map with its pool.
 * O(n): for tests and debugging, never per event. Returns 0 or a short
 * description of the first disagreement. */
/* References the process names count, all together. */
static uint64_t comm_refs(const struct model *m)
{
	const struct model_comm *c;
	uint64_t n = 0;
	uint32_t i;

	pool_for_each(&m->comms, const struct model_comm, c, i)
		n += c->refs;
	return n;
}

const char *model_verify(const struct model *m)
{
	const struct model_domain *d, *x;
	const struct model_bond *b, *y;
	const struct model_pasid *p, *mp;
	const struct model_mm *mm, *o;
	const struct model_dev *dev;
	uint64_t ncomm = 0;
	uint32_t i, n, ncold = 0;

	model_for_each_mm(m, mm, i) {
		if (idxmap_get(&m->mm_by_ptr, mm->ptr) != mm)
			return "mm not in its map";
		ncold += !!(mm->flags & MF_COLD);
		ncomm += !!mm->comm;
		if (mm->comm && (mm->comm > m->comms.used ||
				 !pool_live(pool_slot(&m->comms, mm->comm - 1))))
			return "mm names a freed process name";
		if ((mm->flags & MF_COLD) && !model_cold_of(m, MODEL_KIND_MM, mm, mm->flags))
			return "mm without its out-of-line record";
		n = 0;
		model_mm_for_each_domain(m, mm, x) {
			if (!pool_live(x) || model_mm_at(m, x->mm) != mm ||
			    (x->mm_next && model_domain_at(m, x->mm_next)->mm_prev != model_ref_of(x)) ||
			    (x->mm_prev && model_domain_at(m, x->mm_prev)->mm_next != model_ref_of(x)) ||
			    (!x->mm_prev && mm->domains != model_ref_of(x)))
				return "mm domain list broken";
			if (++n > m->domains.count)
				return "mm domain list loops";
		}
		if (n != mm->ndomains)
			return "mm ndomains wrong";
		n = 0;
		model_mm_for_each_bond(m, mm, y) {
			if (!pool_live(y) || model_mm_at(m, y->mm) != mm ||
			    (y->mm_next && model_bond_at(m, y->mm_next)->mm_prev != model_ref_of(y)) ||
			    (y->mm_prev && model_bond_at(m, y->mm_prev)->mm_next != model_ref_of(y)) ||
			    (!y->mm_prev && mm->bonds != model_ref_of(y)))
				return "mm bond list broken";
			if (++n > m->bonds.count)
				return "mm bond list loops";
		}
		if (n != mm->nbonds)
			return "mm nbonds wrong";
		mp = model_mm_pasid(m, mm);
		if (mp && !pool_live(mp))
			return "mm pasid link broken";
	}
	model_for_each_domain(m, d, i) {
		if (idxmap_get(&m->domain_by_ptr, d->ptr) != d)
			return "domain not in its map";
		ncold += !!(d->flags & DF_COLD);
		if (((d->flags & DF_COLD) && !model_cold_of(m, MODEL_KIND_DOMAIN, d, d->flags)) ||
		    ((d->flags & DF_MM_PTR) && !(d->flags & DF_COLD)))
			return "domain without its out-of-line record";
		o = model_mm_at(m, d->mm);
		if (o && !pool_live(o))
			return "domain points to a freed mm";
		if (!o && (d->mm_next || d->mm_prev))
			return "domain on a list without an mm";
		dev = model_dev_at(m, d->first_dev);
		if (dev && !pool_live(dev))
			return "domain points to a freed device";
		n = 0;
		model_domain_for_each_bond(m, d, y) {
			if (!pool_live(y) || model_domain_at(m, y->domain) != d ||
			    (y->dom_next && model_bond_at(m, y->dom_next)->dom_prev != model_ref_of(y)) ||
			    (y->dom_prev && model_bond_at(m, y->dom_prev)->dom_next != model_ref_of(y)) ||
			    (!y->dom_prev && d->bonds != model_ref_of(y)))
				return "domain bond list broken";
			if (++n > m->bonds.count)
				return "domain bond list loops";
		}
		if (n != d->nbonds)
			return "domain nbonds wrong";
	}
	model_for_each_bond(m, b, i) {
		if (idxmap_get(&m->bond_by_handle, b->handle) != b)
			return "bond not in its map";
		o = model_mm_at(m, b->mm);
		x = model_domain_at(m, b->domain);
		dev = model_dev_at(m, b->dev);
		if ((o && !pool_live(o)) || (x && !pool_live(x)) || (dev && !pool_live(dev)))
			return "bond points to a freed object";
		if ((!o && (b->mm_next || b->mm_prev)) || (!x && (b->dom_next || b->dom_prev)))
			return "bond on a list without its owner";
	}
	model_for_each_pasid(m, p, i) {
		if (obj_pasid_lookup(m, p->pasid) != p)
			return "PASID not in its map";
		ncold += !!(p->flags & PF_COLD);
		if ((p->flags & PF_COLD) && !model_cold_of(m, MODEL_KIND_PASID, p, p->flags))
			return "PASID without its out-of-line record";
		o = model_mm_at(m, p->mm);
		if (o && (!pool_live(o) || model_mm_pasid(m, o) != p))
			return "PASID owner link broken";
		dev = model_dev_at(m, p->dev);
		if (dev && !pool_live(dev))
			return "PASID points to a freed device";
	}
	if (ncomm != comm_refs(m))
		return "process names and their mms disagree";
	if (ncold != m->colds.count || keymap_count(&m->cold_by_obj) != m->colds.count)
		return "out-of-line records and their objects disagree";
	if (idxmap_count(&m->mm_by_ptr) != m->mms.count ||
	    idxmap_count(&m->domain_by_ptr) != m->domains.count ||
	    idxmap_count(&m->bond_by_handle) != m->bonds.count ||
	    m->npasid_index != m->pasids.count ||
	    idxmap_count(&m->dev_by_ptr) != m->devs.count ||
	    idxmap_count(&m->iommu_by_ptr) != m->iommus.count)
		return "a map and its pool disagree";
	return NULL;
}

void model_set_state_totals(struct model *m, uint64_t binds, uint64_t unbinds,
			    uint64_t domain_allocs, uint64_t domain_frees)
{
	if (m->cnt.binds != binds || m->cnt.unbinds != unbinds ||
	    m->cnt.domain_allocs != domain_allocs || m->cnt.domain_frees != domain_frees)
		m->changes++;
	m->cnt.binds = binds;
	m->cnt.unbinds = unbinds;
	m->cnt.domain_allocs = domain_allocs;
	m->cnt.domain_frees = domain_frees;
}

void model_set_tally(struct model *m, uint64_t ptr, uint64_t binds, uint64_t unbinds)
{
	struct model_mm *mm = idxmap_get(&m->mm_by_ptr, ptr);

	/* An mm no walk has reported yet gets its counts at the next one. */
	if (!mm)
		return;
	if (mm->binds != (uint32_t)binds || mm->unbinds != (uint32_t)unbinds)
		m->changes++;
	mm->binds = (uint32_t)binds;
	mm->unbinds = (uint32_t)unbinds;
}
