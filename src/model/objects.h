/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the model: creating, linking, unlinking and freeing objects
 * (src/model/objects.c), used by the event handlers (src/model/apply.c).
 * Every function keeps both sides of each relation and every counter in
 * step; model_verify() checks that.
 */
#ifndef SVATOP_MODEL_OBJECTS_H
#define SVATOP_MODEL_OBJECTS_H

#include "model/model.h"

/* The object a reference names, writable (the model's own code only). */
static inline struct model_mm *obj_mm(const struct model *m, model_ref r)
{
	return (struct model_mm *)model_mm_at(m, r);
}

static inline struct model_pasid *obj_pasid(const struct model *m, model_ref r)
{
	return (struct model_pasid *)model_pasid_at(m, r);
}

static inline struct model_pasid *obj_mm_pasid(const struct model *m,
					       const struct model_mm *mm)
{
	return (struct model_pasid *)model_mm_pasid(m, mm);
}

static inline struct model_domain *obj_domain(const struct model *m, model_ref r)
{
	return (struct model_domain *)model_domain_at(m, r);
}

static inline struct model_bond *obj_bond(const struct model *m, model_ref r)
{
	return (struct model_bond *)model_bond_at(m, r);
}

static inline struct model_dev *obj_dev(const struct model *m, model_ref r)
{
	return (struct model_dev *)model_dev_at(m, r);
}

void obj_note_enomem(struct model *m, int err);
/* The next uid: a model-wide serial, never 0 (a free pool slot's tag). */
static inline uint32_t obj_next_uid(struct model *m)
{
	if (!++m->next_uid)
		m->next_uid = 1;
	return m->next_uid;
}
/* The out-of-line record of obj (of kind, its flags at *flags), created
 * when create (NULL without memory, noted); obj_cold_trim() drops it when
 * it holds nothing (or, with force, because obj goes). */
struct model_cold *obj_cold(struct model *m, enum model_kind kind, void *obj,
			    uint32_t *flags, bool create);
void obj_cold_trim(struct model *m, enum model_kind kind, void *obj, uint32_t *flags,
		   bool force);
/* Set the record's timestamp (exit_ts, orphan_ts); 0 needs no record. */
void obj_cold_set_ts(struct model *m, enum model_kind kind, void *obj, uint32_t *flags,
		     uint64_t ts);
void obj_copy_name(char *dst, const char *src, size_t len);
/* The device (and its IOMMU instance) an event names, created when new. */
struct model_dev *obj_dev_get(struct model *m, const struct svatop_event *ev);
void obj_mm_set_owner(struct model *m, struct model_mm *mm, const struct svatop_event *ev);
/* The mm at ptr, created when unknown; one being freed is retired. */
struct model_mm *obj_mm_get(struct model *m, uint64_t ptr, uint64_t ts);
void obj_mm_free(struct model *m, struct model_mm *mm);
/* The PASID index (struct model): the PASID object of a value, or NULL. */
struct model_pasid *obj_pasid_lookup(const struct model *m, uint32_t val);
int obj_pasid_index_put(struct model *m, struct model_pasid *p);
void obj_pasid_index_del(struct model *m, const struct model_pasid *p);
size_t obj_pasid_index_bytes(const struct model *m);
void obj_pasid_free(struct model *m, struct model_pasid *p);
/* A new PASID object (an old one with that value is retired). */
struct model_pasid *obj_pasid_new(struct model *m, uint32_t val, uint64_t ts);
void obj_pasid_link_mm(struct model *m, struct model_pasid *p, struct model_mm *mm);
struct model_pasid *obj_pasid_get(struct model *m, uint32_t val, uint64_t ts);
void obj_domain_free(struct model *m, struct model_domain *d);
struct model_domain *obj_domain_new(struct model *m, uint64_t ptr, uint64_t ts);
struct model_domain *obj_domain_get(struct model *m, uint64_t ptr, uint64_t ts);
/* Note domain->mm as the kernel reports it (kept out of line when it is
 * not d->mm's). */
void obj_domain_set_mm_ptr(struct model *m, struct model_domain *d, uint64_t ptr);
void obj_domain_link_mm(struct model *m, struct model_domain *d, struct model_mm *mm);
void obj_bond_free(struct model *m, struct model_bond *b);
void obj_bond_link(struct model *m, struct model_bond *b, struct model_mm *mm,
		   struct model_domain *d, struct model_dev *dev);

#endif
