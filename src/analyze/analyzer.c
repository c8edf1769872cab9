// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "analyze/analyzer.h"

typedef bool (*event_rule_fn)(const struct model *m, const struct svatop_event *ev,
			      struct finding *f);

/* Checked against the model as it was before the event... */
static const event_rule_fn rules_before[] = {
	rule_pasid_freed_with_domains,
	rule_domain_freed_with_users,
	rule_unbind_unknown_handle,
	rule_detach_unknown_attach,
	rule_fork_shares_iommu_mm,
	rule_pasid_realloc_in_use,
};

void finding_list_init(struct finding_list *l)
{
	memset(l, 0, sizeof(*l));
}

void finding_list_fini(struct finding_list *l)
{
	free(l->v);
	finding_list_init(l);
}

void finding_list_add(const struct finding *f, void *list)
{
	struct finding_list *l = list;

	if (l->len == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct finding *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->oom = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->len++] = *f;
}

void analyzer_init(struct analyzer *a, uint64_t grace_ns)
{
	memset(a, 0, sizeof(*a));
	a->grace_ns = grace_ns;
	finding_list_init(&a->violations);
}

void analyzer_fini(struct analyzer *a)
{
	finding_list_fini(&a->violations);
}

static void record(struct analyzer *a, const struct model *m, struct finding *f)
{
	const struct model_dev *dev = model_dev(m, f->dev);

	/* Names the event did not carry, from what the model knows. */
	if (dev && !f->dev_name[0])
		memcpy(f->dev_name, dev->name, sizeof(f->dev_name));
	if (dev && dev->iommu && !f->iommu_name[0])
		memcpy(f->iommu_name, dev->iommu->name, sizeof(f->iommu_name));
	a->count[f->rule]++;
	if (a->violations.len < ANALYZER_MAX_KEPT)
		finding_list_add(f, &a->violations);
}

int analyzer_event(struct analyzer *a, struct model *m, const struct svatop_event *ev)
{
	struct finding f;
	size_t i;
	int err;

	for (i = 0; i < sizeof(rules_before) / sizeof(rules_before[0]); i++)
		if (rules_before[i](m, ev, &f))
			record(a, m, &f);
	/* ...except the users count: a bind's is compared with the result,
	 * an unbind's ("before") with the state before it. */
	if (ev->type == SVATOP_EV_UNBIND && rule_domain_users_mismatch(m, ev, &f))
		record(a, m, &f);
	err = model_apply(m, ev);
	if (ev->type == SVATOP_EV_BIND && rule_domain_users_mismatch(m, ev, &f))
		record(a, m, &f);
	return err;
}

unsigned int analyzer_leaks(const struct analyzer *a, const struct model *m,
			    uint64_t now, struct finding_list *out)
{
	unsigned int n = 0;

	n += rule_leaked_bonds(m, now, a->grace_ns, finding_list_add, out);
	n += rule_leaked_domains(m, now, a->grace_ns, finding_list_add, out);
	n += rule_leaked_mms(m, now, a->grace_ns, finding_list_add, out);
	n += rule_leaked_pasids(m, now, a->grace_ns, finding_list_add, out);
	return n;
}

enum verdict analyzer_verdict(const struct analyzer *a, const struct model *m,
			      size_t nleaks, uint64_t dropped)
{
	uint64_t nviol = 0;
	int i;

	if (dropped || m->err || m->cnt.bad_records || a->violations.oom)
		return VERDICT_INCONCLUSIVE;
	for (i = 0; i < RULE_MAX; i++)
		nviol += a->count[i];
	return nviol || nleaks ? VERDICT_FINDINGS : VERDICT_CLEAN;
}

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_CLEAN:
		return "clean";
	case VERDICT_FINDINGS:
		return "findings";
	default:
		return "inconclusive";
	}
}
