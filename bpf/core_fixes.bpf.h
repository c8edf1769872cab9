/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every CO-RE compatibility shim svatop needs, in one place. The SVA types
 * moved between kernels; the flavours below (___suffix) describe each
 * layout and bpf_core_field_exists()/bpf_core_type_exists() pick the one
 * the running kernel has. These types are declared here, not taken from
 * vmlinux.h, so the object builds for kernels (and vmlinux.h files) that
 * do not have them at all (arm64 6.12 builds no SVA).
 */
#ifndef SVATOP_CORE_FIXES_BPF_H
#define SVATOP_CORE_FIXES_BPF_H

#include <bpf/bpf_core_read.h>

/* 6.8+: mm->iommu_mm, one PASID per mm, n SVA domains. */
struct iommu_mm_data___svatop {
	u32 pasid;
	struct mm_struct *mm;
	struct list_head sva_domains;
	struct list_head mm_list_elm;	/* 7.x: the iommu_sva_mms list */
} __attribute__((preserve_access_index));

struct mm_struct___iommu_mm {
	struct iommu_mm_data___svatop *iommu_mm;
} __attribute__((preserve_access_index));

/* 6.2-6.7 (and 6.1): mm->pasid. */
struct mm_struct___pasid {
	u32 pasid;
} __attribute__((preserve_access_index));

/* The SVA members of struct iommu_domain (inside an anonymous union). */
struct iommu_domain___svatop {
	unsigned int type;
	struct mm_struct *mm;
	int users;			/* 6.8+ */
	struct list_head next;		/* 6.8+: on iommu_mm->sva_domains */
} __attribute__((preserve_access_index));

/* 6.10+: the SVA handle embeds an attach handle holding the domain. */
struct iommu_attach_handle___svatop {
	struct iommu_domain *domain;
} __attribute__((preserve_access_index));

struct iommu_sva___handle {
	struct iommu_attach_handle___svatop handle;
	struct device *dev;
	refcount_t users;
} __attribute__((preserve_access_index));

/* 6.2-6.9: the SVA handle points to its domain directly. */
struct iommu_sva___domain {
	struct device *dev;
	struct iommu_domain *domain;
	refcount_t users;
} __attribute__((preserve_access_index));

struct dev_iommu___svatop {
	struct iommu_device *iommu_dev;
} __attribute__((preserve_access_index));

struct device___svatop {
	struct kobject kobj;
	struct dev_iommu___svatop *iommu;
} __attribute__((preserve_access_index));

struct iommu_device___svatop {
	struct device *dev;
} __attribute__((preserve_access_index));

#define IS_ERR_VALUE_BPF(x)	((unsigned long)(void *)(x) >= (unsigned long)-4095)

static __always_inline u32 mm_pasid(struct mm_struct *mm)
{
	struct mm_struct___iommu_mm *m = (void *)mm;
	struct mm_struct___pasid *o = (void *)mm;
	struct iommu_mm_data___svatop *im;

	if (!mm)
		return 0;
	if (bpf_core_field_exists(m->iommu_mm)) {
		im = BPF_CORE_READ(m, iommu_mm);
		return im ? BPF_CORE_READ(im, pasid) : 0;
	}
	if (bpf_core_field_exists(o->pasid))
		return BPF_CORE_READ(o, pasid);
	return 0;
}

/* The mm's SVA state pointer: iommu_mm (6.8+), or the PASID (older). */
static __always_inline u64 mm_sva_state(struct mm_struct *mm)
{
	struct mm_struct___iommu_mm *m = (void *)mm;
	struct mm_struct___pasid *o = (void *)mm;
	u32 pasid;

	if (!mm)
		return 0;
	if (bpf_core_field_exists(m->iommu_mm))
		return (u64)BPF_CORE_READ(m, iommu_mm);
	if (bpf_core_field_exists(o->pasid)) {
		pasid = BPF_CORE_READ(o, pasid);
		/* INVALID_IOASID / IOMMU_PASID_INVALID are ~0; 0 is none */
		return pasid && pasid != (u32)-1 ? pasid : 0;
	}
	return 0;
}

static __always_inline struct iommu_domain *sva_handle_domain(void *handle)
{
	struct iommu_sva___handle *h = handle;
	struct iommu_sva___domain *d = handle;

	if (!handle)
		return NULL;
	if (bpf_core_field_exists(h->handle))
		return BPF_CORE_READ(h, handle.domain);
	if (bpf_core_field_exists(d->domain))
		return BPF_CORE_READ(d, domain);
	return NULL;
}

static __always_inline struct device *sva_handle_dev(void *handle)
{
	struct iommu_sva___handle *h = handle;

	return handle ? BPF_CORE_READ(h, dev) : NULL;
}

static __always_inline int sva_handle_users(void *handle)
{
	struct iommu_sva___handle *h = handle;

	if (!handle || !bpf_core_field_exists(h->users))
		return -1;
	return BPF_CORE_READ(h, users.refs.counter);
}

static __always_inline unsigned int domain_type(struct iommu_domain *domain)
{
	struct iommu_domain___svatop *d = (void *)domain;

	return domain ? BPF_CORE_READ(d, type) : 0;
}

static __always_inline struct mm_struct *domain_mm(struct iommu_domain *domain)
{
	struct iommu_domain___svatop *d = (void *)domain;

	if (!domain || !bpf_core_field_exists(d->mm))
		return NULL;
	return BPF_CORE_READ(d, mm);
}

static __always_inline int domain_users(struct iommu_domain *domain)
{
	struct iommu_domain___svatop *d = (void *)domain;

	if (!domain || !bpf_core_field_exists(d->users))
		return -1;
	return BPF_CORE_READ(d, users);
}

static __always_inline struct iommu_device *dev_iommu_device(struct device *dev)
{
	struct device___svatop *d = (void *)dev;
	struct dev_iommu___svatop *di;

	if (!dev || !bpf_core_field_exists(d->iommu))
		return NULL;
	di = BPF_CORE_READ(d, iommu);
	return di ? BPF_CORE_READ(di, iommu_dev) : NULL;
}

static __always_inline const char *dev_name_ptr(struct device *dev)
{
	struct device___svatop *d = (void *)dev;

	return dev ? BPF_CORE_READ(d, kobj.name) : NULL;
}

static __always_inline const char *iommu_name_ptr(struct iommu_device *iommu)
{
	struct iommu_device___svatop *i = (void *)iommu;
	struct device *dev;

	if (!iommu || !bpf_core_field_exists(i->dev))
		return NULL;
	dev = BPF_CORE_READ(i, dev);
	return dev_name_ptr(dev);
}

#endif /* SVATOP_CORE_FIXES_BPF_H */
