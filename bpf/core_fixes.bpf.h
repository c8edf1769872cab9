/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every CO-RE compatibility shim svatop needs, in one place. The SVA types
 * moved between kernels; the flavours below (___suffix) describe each
 * layout and bpf_core_field_exists()/bpf_core_type_exists() pick the one
 * the running kernel has. These types are declared here, not taken from
 * vmlinux.h, so the object builds for kernels (and vmlinux.h files) that
 * do not have them at all (arm64 6.12 builds no SVA). Each shim names the
 * kernel commit that changed the layout.
 */
#ifndef SVATOP_CORE_FIXES_BPF_H
#define SVATOP_CORE_FIXES_BPF_H

#include <bpf/bpf_core_read.h>

/* mm->iommu_mm, one PASID per mm, n SVA domains: commits 541a3e257d48
 * ("mm: Add structure to keep sva information") and 092edaddb660
 * ("iommu: Support mm PASID 1:n with sva domains"), 6.8. */
struct iommu_mm_data___svatop {
	u32 pasid;
	struct mm_struct *mm;
	struct list_head sva_domains;
	/* on the iommu_sva_mms list: commit e37d5a2d60a3 ("iommu/sva:
	 * invalidate stale IOTLB entries for kernel address space") */
	struct list_head mm_list_elm;
} __attribute__((preserve_access_index));

struct mm_struct___iommu_mm {
	struct iommu_mm_data___svatop *iommu_mm;
} __attribute__((preserve_access_index));

/* mm->pasid, until commit 1fa05c932dc7 ("mm: Deprecate pasid field"),
 * 6.8, moved it into iommu_mm. */
struct mm_struct___pasid {
	u32 pasid;
} __attribute__((preserve_access_index));

/* The SVA members of struct iommu_domain (inside an anonymous union). */
struct iommu_domain___svatop {
	unsigned int type;
	struct mm_struct *mm;
	int users;			/* 092edaddb660, 6.8 */
	struct list_head next;		/* 092edaddb660: on iommu_mm->sva_domains */
} __attribute__((preserve_access_index));

/* The SVA handle embeds an attach handle holding the domain: commit
 * 14678219cf40 ("iommu: Introduce domain attachment handle"). */
struct iommu_attach_handle___svatop {
	struct iommu_domain *domain;
} __attribute__((preserve_access_index));

struct iommu_sva___handle {
	struct iommu_attach_handle___svatop handle;
	struct device *dev;
	refcount_t users;
} __attribute__((preserve_access_index));

/* The SVA handle points to its domain directly: from commit 136467962e49
 * ("iommu: Add IOMMU SVA domain support"), 6.2, until 14678219cf40. */
struct iommu_sva___domain {
	struct device *dev;
	struct iommu_domain *domain;
	refcount_t users;
} __attribute__((preserve_access_index));

/* The device -> IOMMU instance -> name path: not an era shim, so no
 * commit is cited; the accessors below still check each member exists. */
struct dev_iommu___svatop {
	struct iommu_device *iommu_dev;
	u32 max_pasids;
} __attribute__((preserve_access_index));

struct device___svatop {
	struct kobject kobj;
	struct dev_iommu___svatop *iommu;
} __attribute__((preserve_access_index));

struct iommu_device___svatop {
	struct device *dev;
} __attribute__((preserve_access_index));

/*
 * An IOMMU group (private to drivers/iommu/iommu.c, but in BTF): its
 * kobject is on iommu_group_kset's list, and pasid_array maps each PASID
 * attached to the group to its attach handle. In 7.3's iommu.c an entry
 * is a tagged pointer: low bits IOMMU_PASID_ARRAY_HANDLE (1) for a handle,
 * IOMMU_PASID_ARRAY_DOMAIN (0) for a bare domain, since commit
 * e1ea9d30d84c ("iommu: Store either domain or handle in
 * group->pasid_array"). The snapshot reads it
 * only where iommu_mm_data.mm_list_elm exists (7.x), a layout newer than
 * the tagging, and says so where it cannot (docs/kernels.md, "What the
 * start-up snapshot finds, per kernel era").
 */
struct iommu_group___svatop {
	struct kobject kobj;
	struct xarray pasid_array;
} __attribute__((preserve_access_index));

#define SVATOP_PASID_ARRAY_HANDLE	1UL
#define SVATOP_XA_TAG_MASK		3UL

/* xa_load() done by hand: four levels of 64 slots cover the 20-bit PASID
 * space. Probe reads throughout: a plain number in, a plain number out. */
#define XA_LEVELS		4

static __always_inline void *xa_load_bpf(struct xarray *xa, u32 index)
{
	unsigned long entry = (unsigned long)BPF_CORE_READ(xa, xa_head);
	struct xa_node *node;
	unsigned int shift;
	int i;

	for (i = 0; i < XA_LEVELS; i++) {
		/* xa_is_node(): an internal entry (low bits 10) above 4096 */
		if ((entry & 3) != 2 || entry <= 4096)
			break;
		node = (struct xa_node *)(entry - 2);
		shift = BPF_CORE_READ(node, shift);
		if (shift > 30 || (index >> shift) > 63)
			return NULL;
		bpf_probe_read_kernel(&entry, sizeof(entry),
				      &node->slots[(index >> shift) & 63]);
	}
	if ((entry & 3) == 2)
		return NULL;	/* a node too deep, retry or sibling entry */
	if (entry && i == 0 && index != 0)
		return NULL;	/* a lone head entry holds index 0 only */
	return (void *)entry;
}

#define IS_ERR_VALUE_BPF(x)	((unsigned long)(void *)(x) >= (unsigned long)-4095)

/*
 * Reads P->FIELD. BTF true: P is a BTF-typed pointer (an fentry/fexit or
 * tp_btf argument, or a pointer loaded through one), so this is a plain
 * load the verifier checks against the kernel's BTF and the JIT guards; no
 * helper call. BTF false: a bpf_probe_read_kernel() call, for the kprobe
 * forms and for pointers that went through a plain number (a return value
 * from bpf_get_func_ret(), a map, a probe read). Callers pass a constant:
 * each program keeps one of the two.
 *
 * Members inside struct iommu_domain's anonymous union (mm, users) are
 * always probe-read: the verifier walks a union through its first member,
 * a pointer at the same offset, and refuses those loads.
 */
#define SV_READ(btf, p, field)	((btf) ? (p)->field : BPF_CORE_READ(p, field))

static __always_inline u32 mm_pasid(struct mm_struct *mm, bool btf)
{
	struct mm_struct___iommu_mm *m = (void *)mm;
	struct mm_struct___pasid *o = (void *)mm;
	struct iommu_mm_data___svatop *im;

	if (!mm)
		return 0;
	if (bpf_core_field_exists(m->iommu_mm)) {
		im = SV_READ(btf, m, iommu_mm);
		return im ? SV_READ(btf, im, pasid) : 0;
	}
	if (bpf_core_field_exists(o->pasid))
		return SV_READ(btf, o, pasid);
	return 0;
}

/* The mm's SVA state pointer: iommu_mm (since 092edaddb660), or the PASID
 * (before 1fa05c932dc7). */
static __always_inline u64 mm_sva_state(struct mm_struct *mm, bool btf)
{
	struct mm_struct___iommu_mm *m = (void *)mm;
	struct mm_struct___pasid *o = (void *)mm;
	u32 pasid;

	if (!mm)
		return 0;
	if (bpf_core_field_exists(m->iommu_mm))
		return (u64)SV_READ(btf, m, iommu_mm);
	if (bpf_core_field_exists(o->pasid)) {
		pasid = SV_READ(btf, o, pasid);
		/* INVALID_IOASID / IOMMU_PASID_INVALID are ~0; 0 is none */
		return pasid && pasid != (u32)-1 ? pasid : 0;
	}
	return 0;
}

/* mm->owner (CONFIG_MEMCG): the task the mm belongs to. */
struct mm_struct___owner {
	struct task_struct *owner;
} __attribute__((preserve_access_index));

/* The tgid of the owner of MM, a plain number (0: unknown). */
static __always_inline u32 mm_owner_tgid(struct mm_struct *mm)
{
	struct mm_struct___owner *o = (void *)mm;
	struct task_struct *t;

	if (!mm || !bpf_core_field_exists(o->owner))
		return 0;
	t = BPF_CORE_READ(o, owner);
	return t ? BPF_CORE_READ(t, tgid) : 0;
}

/* MM, a plain number, still has users: a process runs on it. */
static __always_inline bool mm_in_use(struct mm_struct *mm)
{
	return mm && BPF_CORE_READ(mm, mm_users.counter) > 0;
}

/* MM's iommu_mm still lists SVA domains (092edaddb660); MM a plain number. */
static __always_inline bool mm_domains_left(struct mm_struct *mm)
{
	struct mm_struct___iommu_mm *m = (void *)mm;
	struct iommu_mm_data___svatop *im = NULL;
	struct list_head *first;

	if (!mm || !bpf_core_field_exists(m->iommu_mm) ||
	    !bpf_core_field_exists(im->sva_domains))
		return false;
	im = BPF_CORE_READ(m, iommu_mm);
	if (!im)
		return false;
	first = BPF_CORE_READ(im, sva_domains.next);
	return first && first != &im->sva_domains;
}

/*
 * mm_sva_state() != 0 for a BTF-typed mm: the one check the hooks that
 * fire for every process on the host make before anything else
 * (docs/design.md, "The host tax").
 */
static __always_inline bool mm_has_sva(struct mm_struct *mm)
{
	return mm_sva_state(mm, true) != 0;
}

static __always_inline struct iommu_domain *sva_handle_domain(void *handle, bool btf)
{
	struct iommu_sva___handle *h = handle;
	struct iommu_sva___domain *d = handle;

	if (!handle)
		return NULL;
	if (bpf_core_field_exists(h->handle))
		return SV_READ(btf, h, handle.domain);
	if (bpf_core_field_exists(d->domain))
		return SV_READ(btf, d, domain);
	return NULL;
}

static __always_inline struct device *sva_handle_dev(void *handle, bool btf)
{
	struct iommu_sva___handle *h = handle;

	return handle ? SV_READ(btf, h, dev) : NULL;
}

static __always_inline int sva_handle_users(void *handle, bool btf)
{
	struct iommu_sva___handle *h = handle;

	if (!handle || !bpf_core_field_exists(h->users))
		return -1;
	return SV_READ(btf, h, users.refs.counter);
}

static __always_inline unsigned int domain_type(struct iommu_domain *domain, bool btf)
{
	struct iommu_domain___svatop *d = (void *)domain;

	return domain ? SV_READ(btf, d, type) : 0;
}

/* In the union: always a probe read (see SV_READ). */
static __always_inline struct mm_struct *domain_mm(struct iommu_domain *domain)
{
	struct iommu_domain___svatop *d = (void *)domain;

	if (!domain || !bpf_core_field_exists(d->mm))
		return NULL;
	return BPF_CORE_READ(d, mm);
}

/* In the union: always a probe read (see SV_READ). */
static __always_inline int domain_users(struct iommu_domain *domain)
{
	struct iommu_domain___svatop *d = (void *)domain;

	if (!domain || !bpf_core_field_exists(d->users))
		return -1;
	return BPF_CORE_READ(d, users);
}

/*
 * A domain's mm and users with one probe read: they sit side by side in
 * the union since users arrived (092edaddb660). The offsets are CO-RE
 * constants, so the verifier sees a constant distance; a kernel that put
 * them apart gets two reads.
 */
static __always_inline void domain_mm_users(struct iommu_domain *domain,
					    struct mm_struct **mm, int *users)
{
	struct iommu_domain___svatop *d = (void *)domain;
	u32 off_mm, off_users, delta;
	u64 buf[2];

	*mm = NULL;
	*users = -1;
	if (!domain || !bpf_core_field_exists(d->mm))
		return;
	if (!bpf_core_field_exists(d->users)) {
		*mm = BPF_CORE_READ(d, mm);
		return;
	}
	off_mm = bpf_core_field_offset(d->mm);
	off_users = bpf_core_field_offset(d->users);
	delta = off_users - off_mm;
	if (off_users < off_mm || delta > sizeof(buf) - sizeof(int) || (delta & 3)) {
		*mm = BPF_CORE_READ(d, mm);
		*users = BPF_CORE_READ(d, users);
		return;
	}
	if (bpf_probe_read_kernel(buf, sizeof(buf), (void *)domain + off_mm))
		return;
	*mm = (struct mm_struct *)buf[0];
	*users = *(int *)((char *)buf + delta);
}

static __always_inline struct iommu_device *dev_iommu_device(struct device *dev, bool btf)
{
	struct device___svatop *d = (void *)dev;
	struct dev_iommu___svatop *di;

	if (!dev || !bpf_core_field_exists(d->iommu))
		return NULL;
	di = SV_READ(btf, d, iommu);
	return di ? SV_READ(btf, di, iommu_dev) : NULL;
}

/* dev->iommu->max_pasids (6.0+; 0: no PASID capability) into *out;
 * false when the device has no dev_iommu or the kernel no such field. */
static __always_inline bool dev_max_pasids(struct device *dev, u32 *out)
{
	struct device___svatop *d = (void *)dev;
	struct dev_iommu___svatop *di;

	if (!dev || !bpf_core_field_exists(d->iommu))
		return false;
	di = BPF_CORE_READ(d, iommu);
	if (!di || !bpf_core_field_exists(di->max_pasids))
		return false;
	*out = BPF_CORE_READ(di, max_pasids);
	return true;
}

static __always_inline const char *dev_name_ptr(struct device *dev, bool btf)
{
	struct device___svatop *d = (void *)dev;

	return dev ? SV_READ(btf, d, kobj.name) : NULL;
}

static __always_inline const char *iommu_name_ptr(struct iommu_device *iommu)
{
	struct iommu_device___svatop *i = (void *)iommu;
	struct device *dev;

	if (!iommu || !bpf_core_field_exists(i->dev))
		return NULL;
	dev = BPF_CORE_READ(i, dev);
	return dev_name_ptr(dev, false);
}

#endif /* SVATOP_CORE_FIXES_BPF_H */
