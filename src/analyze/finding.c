// SPDX-License-Identifier: GPL-2.0
/* Filling a finding from an event and from model objects: every rule
 * names what it found the same way. Names that are empty never overwrite
 * what the finding already holds. */
#include <string.h>
#include "analyze/rules.h"

static void copy_str(char *dst, const char *src, size_t len)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void finding_from_event(struct finding *f, enum rule_id rule, const struct svatop_event *ev)
{
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->ts = ev->ts_ns;
	f->mm = ev->mm;
	f->domain = ev->domain;
	f->handle = ev->handle;
	f->dev = ev->dev;
	f->pasid = ev->pasid == ~0u ? 0 : ev->pasid;
	f->tgid = ev->tgid;
	f->stack_id = ev->stack_id;
	copy_str(f->comm, ev->comm, sizeof(f->comm));
	copy_str(f->dev_name, ev->dev_name, sizeof(f->dev_name));
	copy_str(f->iommu_name, ev->iommu_name, sizeof(f->iommu_name));
}

void finding_set_mm(const struct model *m, struct finding *f, const struct model_mm *mm)
{
	if (!mm)
		return;
	f->mm = mm->ptr;
	if (mm->tgid) {
		f->tgid = mm->tgid;
		copy_str(f->comm, MODEL_MM_COMM(m, mm), sizeof(f->comm));
	}
	if (!f->pasid)
		f->pasid = mm->pasid_val;
}

void finding_set_dev(struct finding *f, const struct model_dev *dev)
{
	if (!dev)
		return;
	f->dev = dev->ptr;
	if (dev->name[0])
		copy_str(f->dev_name, dev->name, sizeof(f->dev_name));
	if (dev->iommu && dev->iommu->name[0])
		copy_str(f->iommu_name, dev->iommu->name, sizeof(f->iommu_name));
}
