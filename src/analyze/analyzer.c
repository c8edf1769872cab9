// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "analyze/analyzer.h"

/* The event rules, with the event types each judges and when: before
 * the event is applied (the model as it was) or after (as it left it). */
#define ON(t)	(1u << SVATOP_EV_##t)
static const struct event_rule {
	event_rule_fn fn;
	uint32_t types;
	bool after;
} event_rules[] = {
	{ rule_pasid_freed_with_domains, ON(MM_PASID_DROP) | ON(PASID_FREE), false },
	{ rule_domain_freed_with_users, ON(DOMAIN_FREE), false },
	{ rule_unbind_unknown_handle, ON(UNBIND), false },
	{ rule_detach_unknown_attach, ON(DETACH), false },
	{ rule_fork_shares_iommu_mm, ON(FORK), false },
	{ rule_pasid_realloc_in_use, ON(PASID_ALLOC), false },
	/* domain->users of an unbind is the count before it, a bind's the
	 * result. */
	{ rule_domain_users_mismatch, ON(UNBIND), false },
	{ rule_domain_users_mismatch, ON(BIND), true },
	{ rule_bind_same_device_again, ON(BIND), false },
	{ rule_unbind_by_other_process, ON(UNBIND), false },
	{ rule_rebind_refused, ON(BIND), false },
};
#undef ON

_Static_assert(SVATOP_EV_MAX <= 32, "event types fit the rules' type mask");

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
	size_t i;
	int t;

	memset(a, 0, sizeof(*a));
	a->grace_ns = grace_ns;
	finding_list_init(&a->violations);
	keymap_init(&a->noticed_by_pid, 64);
	/* Per event type, the rules that judge it: an event costs only the
	 * rules that concern it. */
	for (t = 0; t < SVATOP_EV_MAX; t++) {
		for (i = 0; i < sizeof(event_rules) / sizeof(event_rules[0]); i++) {
			struct analyzer_rules *r = event_rules[i].after ? &a->after : &a->before;

			if (!(event_rules[i].types & (1u << t)))
				continue;
			if (r->n[t] < ANALYZER_RULES_PER_TYPE)
				r->fn[t][r->n[t]++] = event_rules[i].fn;
		}
	}
}

void analyzer_bind_step(struct analyzer *a, const struct model *m, const struct svatop_event *ev)
{
	struct bind_failure *bf;
	struct bind_window w;
	unsigned int k;

	if (!bind_tracker_feed(&a->binds, ev, &w) || !ev->ret)
		return;
	bf = &a->bind_fails[a->nbind_fails++ % ANALYZER_BIND_FAILS_KEPT];
	memset(bf, 0, sizeof(*bf));
	bf->ts = ev->ts_ns;
	bf->tgid = ev->tgid;
	memcpy(bf->comm, ev->comm, sizeof(bf->comm));
	memcpy(bf->dev_name, ev->dev_name, sizeof(bf->dev_name));
	bf->comm[sizeof(bf->comm) - 1] = '\0';
	bf->dev_name[sizeof(bf->dev_name) - 1] = '\0';
	explain_bind(ev, &w, &bf->x);
	explain_holders(m, &bf->x);
	for (k = 0; k < a->nbind_fail_kinds; k++)
		if (a->bind_fail_kinds[k].step == bf->x.step && a->bind_fail_kinds[k].ret == ev->ret)
			break;
	if (k == a->nbind_fail_kinds) {
		if (k == ANALYZER_BIND_FAIL_KINDS) {
			a->bind_fail_kinds_full++;
			return;
		}
		a->bind_fail_kinds[k].step = bf->x.step;
		a->bind_fail_kinds[k].ret = ev->ret;
		a->nbind_fail_kinds++;
	}
	a->bind_fail_kinds[k].n++;
}

const struct bind_failure *analyzer_last_bind_failure(const struct analyzer *a, uint32_t tgid)
{
	uint64_t i, n = a->nbind_fails;

	for (i = 0; i < n && i < ANALYZER_BIND_FAILS_KEPT; i++) {
		const struct bind_failure *bf = &a->bind_fails[(n - 1 - i) % ANALYZER_BIND_FAILS_KEPT];

		if (!tgid || bf->tgid == tgid)
			return bf;
	}
	return NULL;
}

void analyzer_fini(struct analyzer *a)
{
	finding_list_fini(&a->violations);
	keymap_fini(&a->noticed_by_pid);
}

static uint64_t notice_key(enum rule_id rule, uint32_t tgid)
{
	return (uint64_t)(rule + 1) << 32 | tgid;
}

uint64_t analyzer_noticed(const struct analyzer *a, enum rule_id rule, uint32_t tgid)
{
	if (!a->noticed_by_pid.t.slots)
		return 0;
	return (uintptr_t)keymap_get(&a->noticed_by_pid, notice_key(rule, tgid));
}

/* Notices are counted, per rule and per process (the first 4,096 pairs). */
static void count_notice(struct analyzer *a, const struct finding *f)
{
	uint64_t key = notice_key(f->rule, f->tgid);
	uintptr_t n;

	a->noticed[f->rule]++;
	if (!a->noticed_by_pid.t.slots)
		return;		/* out of memory at init: per-rule counts only */
	n = (uintptr_t)keymap_get(&a->noticed_by_pid, key);
	if (n || keymap_count(&a->noticed_by_pid) < ANALYZER_MAX_NOTICED_PIDS)
		keymap_put(&a->noticed_by_pid, key, (void *)(n + 1));
}

static void keep_violation(struct analyzer *a, const struct model *m, struct finding *f)
{
	const struct model_dev *dev = model_dev(m, f->dev);

	if (rule_table[f->rule].kind == RULE_KIND_NOTICE) {
		count_notice(a, f);
		return;
	}
	/* Names the event did not carry, from what the model knows. */
	if (dev && !f->dev_name[0])
		memcpy(f->dev_name, dev->name, sizeof(f->dev_name));
	if (dev && dev->iommu && !f->iommu_name[0])
		memcpy(f->iommu_name, dev->iommu->name, sizeof(f->iommu_name));
	a->count[f->rule]++;
	if (a->violations.len < ANALYZER_MAX_KEPT)
		finding_list_add(f, &a->violations);
}

void analyzer_judge(struct analyzer *a, const struct analyzer_rules *r, const struct model *m,
		    const struct svatop_event *ev)
{
	struct finding f;
	unsigned int i;

	for (i = 0; i < r->n[ev->type]; i++)
		if (r->fn[ev->type][i](m, ev, &f))
			keep_violation(a, m, &f);
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

unsigned int analyzer_pending(const struct analyzer *a, const struct model *m,
			      uint64_t now, struct finding_list *out)
{
	struct finding_list all;
	unsigned int n = 0;
	size_t i;

	if (!a->grace_ns)
		return 0;
	/* Every candidate whose owner is gone, then those not yet due. */
	finding_list_init(&all);
	rule_leaked_bonds(m, now, 0, finding_list_add, &all);
	rule_leaked_domains(m, now, 0, finding_list_add, &all);
	rule_leaked_mms(m, now, 0, finding_list_add, &all);
	rule_leaked_pasids(m, now, 0, finding_list_add, &all);
	for (i = 0; i < all.len; i++) {
		struct finding *f = &all.v[i];

		if ((f->flags & FINDING_NO_TASK) || now - f->since_ts >= a->grace_ns)
			continue;
		f->due_ts = f->since_ts + a->grace_ns;
		finding_list_add(f, out);
		n++;
	}
	out->oom |= all.oom;
	finding_list_fini(&all);
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
	case VERDICT_PENDING:
		return "pending";
	default:
		return "inconclusive";
	}
}
