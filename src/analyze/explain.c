// SPDX-License-Identifier: GPL-2.0
/*
 * Every failed bind explained (docs/leaks.md, "Failed binds"). The steps
 * of iommu_sva_bind_device() (7.x; 6.8+ alike) as the tracer sees them:
 *  1. no IOMMU group: -ENODEV, nothing else happens;
 *  2. iommu_alloc_mm_data(): mm not shareable (-EBUSY); an mm with a PASID
 *     already: -EOVERFLOW when the PASID is not below the device's
 *     max_pasids (0 without PASID capability); else the mm's PASID,
 *     allocated once (pasid-alloc event; iommu_alloc_global_pasid() gives
 *     none, -ENOSPC, when the space is exhausted or the device's
 *     max_pasids is 0: the events say which, SVATOP_F_MAX_PASIDS);
 *  3. the PASID already bound on the device to another mm: -EBUSY;
 *  4. each of the mm's SVA domains tried (attach events, users >= 1);
 *  5. a new domain from the driver (iommu_sva_domain_alloc(): its failure
 *     leaves no attach), then its attach (users 0), a domain birth.
 * The stub kernels (x86 stable backport) return -EOPNOTSUPP at once.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "analyze/explain.h"

static const char *const step_names[BIND_STEP_MAX] = {
	[BIND_STEP_STUB] = "stub",
	[BIND_STEP_DEVICE] = "device",
	[BIND_STEP_PASID] = "pasid",
	[BIND_STEP_DOMAIN_ALLOC] = "domain-alloc",
	[BIND_STEP_ATTACH] = "attach",
	[BIND_STEP_BUSY] = "busy",
	[BIND_STEP_OTHER] = "other",
};

const char *bind_step_name(enum bind_step step)
{
	return step < BIND_STEP_MAX ? step_names[step] : "other";
}

static struct bind_window *slot_of(struct bind_tracker *t, uint32_t pid)
{
	return &t->slot[(pid * 2654435761u) % BIND_TRACKER_SLOTS];
}

bool bind_tracker_feed(struct bind_tracker *t, const struct svatop_event *ev,
		       struct bind_window *w)
{
	struct bind_window *s;
	struct bind_attempt *at;

	if (ev->flags & SVATOP_F_SNAPSHOT || !ev->pid)
		return false;
	s = slot_of(t, ev->pid);
	switch (ev->type) {
	case SVATOP_EV_PASID_ALLOC:
	case SVATOP_EV_ATTACH:
	case SVATOP_EV_DOMAIN_ALLOC:
		if (s->pid != ev->pid) {
			memset(s, 0, sizeof(*s));
			s->pid = ev->pid;
		}
		break;
	case SVATOP_EV_BIND:
		if (s->pid == ev->pid)
			*w = *s;
		else
			memset(w, 0, sizeof(*w));
		if (s->pid == ev->pid)
			memset(s, 0, sizeof(*s));
		return true;
	default:
		return false;
	}
	if (ev->type == SVATOP_EV_PASID_ALLOC) {
		s->pasid_seen = true;
		s->pasid_ret = ev->ret;
		s->pasid = ev->ret ? 0 : ev->pasid;
		s->max_pasids_known = ev->flags & SVATOP_F_MAX_PASIDS;
		s->max_pasids = s->max_pasids_known ? (uint32_t)ev->aux2 : 0;
	} else if (ev->type == SVATOP_EV_DOMAIN_ALLOC) {
		s->domain_born = true;
	} else if (s->nattach < BIND_ATTEMPTS_MAX) {
		at = &s->attach[s->nattach++];
		at->domain = ev->domain;
		at->ret = ev->ret;
		at->new_domain = ev->domain_users == 0;
		memcpy(at->iommu_name, ev->iommu_name, sizeof(at->iommu_name));
		at->iommu_name[sizeof(at->iommu_name) - 1] = '\0';
	} else {
		s->truncated = true;
	}
	return false;
}

static const char *err_text(int ret, char *buf, size_t n)
{
	/* "EINVAL"; INT_MIN (from a recording) cannot be negated */
	const char *en = ret < 0 && ret != INT_MIN ? strerrorname_np(-ret) : NULL;

	if (en)
		snprintf(buf, n, "-%s", en);
	else
		snprintf(buf, n, "%d", ret);
	return buf;
}

/* "mock-iommu0 -EINVAL, mock-iommu1 -EINVAL" */
static void attempts_text(const struct bind_explain *x, char *buf, size_t n)
{
	size_t len = 0;
	char e[24];
	int i;

	buf[0] = '\0';
	for (i = 0; i < x->nattach && len < n; i++)
		len += snprintf(buf + len, n - len, "%s%s%s %s", i ? ", " : "",
				x->attach[i].iommu_name[0] ? x->attach[i].iommu_name : "?",
				x->attach[i].new_domain ? " (new domain)" : "",
				err_text(x->attach[i].ret, e, sizeof(e)));
}

void explain_bind(const struct svatop_event *ev, const struct bind_window *w,
		  struct bind_explain *x)
{
	bool new_tried = false, pasid_known;
	char e[24], at[112];
	int i;

	memset(x, 0, sizeof(*x));
	x->ret = ev->ret;
	/* the bind's own reading first, the PASID allocation's else */
	x->max_pasids_known = ev->flags & SVATOP_F_MAX_PASIDS || w->max_pasids_known;
	x->max_pasids = ev->flags & SVATOP_F_MAX_PASIDS ? (uint32_t)ev->aux2 : w->max_pasids;
	x->pasid_seen = w->pasid_seen;
	x->pasid = w->pasid_seen && !w->pasid_ret ? w->pasid : ev->pasid;
	x->nattach = w->nattach;
	memcpy(x->attach, w->attach, sizeof(x->attach));
	for (i = 0; i < w->nattach; i++)
		new_tried |= w->attach[i].new_domain;
	pasid_known = x->pasid || (w->pasid_seen && !w->pasid_ret);
	err_text(ev->ret, e, sizeof(e));
	attempts_text(x, at, sizeof(at));

	if (((w->pasid_seen && w->pasid_ret) || (ev->ret == -ENOSPC && !pasid_known)) &&
	    x->max_pasids_known && !x->max_pasids) {
		x->step = BIND_STEP_DEVICE;
		snprintf(x->why, sizeof(x->why), "the device has no PASID capability "
			 "(max_pasids 0): no PASID can be allocated for it (%s)", e);
	} else if (ev->ret == -EOVERFLOW && !w->pasid_seen && !w->nattach) {
		x->step = BIND_STEP_DEVICE;
		if (x->max_pasids_known && !x->max_pasids)
			snprintf(x->why, sizeof(x->why), "the device has no PASID capability "
				 "(max_pasids 0): the mm's PASID %u is out of its range "
				 "(-EOVERFLOW)", x->pasid);
		else if (x->max_pasids_known)
			snprintf(x->why, sizeof(x->why), "the mm's PASID %u is out of the "
				 "device's range (max_pasids %u) (-EOVERFLOW)", x->pasid,
				 x->max_pasids);
		else
			snprintf(x->why, sizeof(x->why), "the mm's PASID %u is out of the "
				 "device's range (-EOVERFLOW)", x->pasid);
	} else if ((w->pasid_seen && w->pasid_ret) || (ev->ret == -ENOSPC && !pasid_known)) {
		x->step = BIND_STEP_PASID;
		snprintf(x->why, sizeof(x->why), "no PASID for the mm: the PASID space is "
			 "exhausted (%s)", err_text(w->pasid_seen && w->pasid_ret ?
						    w->pasid_ret : ev->ret, e, sizeof(e)));
	} else if (new_tried) {
		x->step = BIND_STEP_ATTACH;
		snprintf(x->why, sizeof(x->why), "every candidate domain refused by "
			 "set_dev_pasid: %s", at);
	} else if (!pasid_known && !w->nattach) {
		/* Refused before the PASID step: nothing inside was seen. */
		if (ev->ret == -EOPNOTSUPP) {
			x->step = BIND_STEP_STUB;
			snprintf(x->why, sizeof(x->why), "the kernel's SVA is a stub: refused "
				 "before any PASID or IOMMU step (-EOPNOTSUPP; svatop probe)");
		} else if (ev->ret == -ENODEV) {
			x->step = BIND_STEP_DEVICE;
			snprintf(x->why, sizeof(x->why), "the device has no IOMMU group "
				 "(-ENODEV before any step)");
		} else if (ev->ret == -EBUSY) {
			x->step = BIND_STEP_BUSY;
			snprintf(x->why, sizeof(x->why), "the mm cannot be shared with the "
				 "device (-EBUSY before a PASID)");
		} else {
			x->step = BIND_STEP_OTHER;
			snprintf(x->why, sizeof(x->why), "refused before a PASID was "
				 "allocated (%s)", e);
		}
	} else if (ev->ret == -EBUSY && !w->nattach) {
		x->step = BIND_STEP_BUSY;
		snprintf(x->why, sizeof(x->why), "PASID %u is bound on the device to "
			 "another mm's domain (-EBUSY)", x->pasid);
	} else if (ev->ret == -EBUSY) {
		x->step = BIND_STEP_OTHER;
		snprintf(x->why, sizeof(x->why), "failed (%s) after %u attach attempt(s)%s%s",
			 e, w->nattach, w->nattach ? ": " : "", at);
	} else {
		x->step = BIND_STEP_DOMAIN_ALLOC;
		snprintf(x->why, sizeof(x->why), "the IOMMU driver allocated no SVA domain "
			 "(%s)%s%s", e, w->nattach ? "; the mm's domains refused: " : "", at);
	}
}

void explain_holders(const struct model *m, struct bind_explain *x)
{
	struct bind_holder all[64];
	const struct model_pasid *p;
	size_t n = 0, k, j;
	uint32_t i, tgid;

	if (x->step != BIND_STEP_PASID)
		return;
	memset(all, 0, sizeof(all));
	model_for_each_pasid(m, p, i) {
		const struct model_mm *mm = model_mm_at(m, p->mm);

		tgid = mm ? mm->tgid : p->tgid;
		x->pasids_held++;
		for (k = 0; k < n && all[k].tgid != tgid; k++)
			;
		if (k == n) {
			if (n == sizeof(all) / sizeof(all[0]))
				continue;
			all[n].tgid = tgid;
			if (mm)
				memcpy(all[n].comm, MODEL_MM_COMM(m, mm), sizeof(all[n].comm));
			n++;
		}
		all[k].npasids++;
	}
	/* the BIND_HOLDERS_MAX largest, most first */
	for (j = 0; j < BIND_HOLDERS_MAX && j < n; j++) {
		size_t best = j;

		for (k = j + 1; k < n; k++)
			if (all[k].npasids > all[best].npasids)
				best = k;
		x->holders[j] = all[best];
		all[best] = all[j];
		x->nholders++;
	}
}
