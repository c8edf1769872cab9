/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The analyzer judges; it never changes the model. The session
 * (src/pipeline/session.c) calls analyzer_before() with the model as it is
 * before an event and analyzer_after() once model_apply() has applied it.
 * The analyzer keeps the violations found, evaluates the leak rules on
 * demand and gives the verdict.
 */
#ifndef SVATOP_ANALYZE_ANALYZER_H
#define SVATOP_ANALYZE_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "analyze/explain.h"
#include "analyze/rules.h"
#include "model/keymap.h"
#include "model/model.h"

#define ANALYZER_DEFAULT_GRACE_NS	(3ULL * 1000000000ULL)
#define ANALYZER_MAX_KEPT		4096	/* violations stored; all are counted */
#define ANALYZER_MAX_NOTICED_PIDS	4096	/* (rule, process) pairs counted */

struct finding_list {
	struct finding *v;
	size_t len, cap;
	bool oom;
};

void finding_list_init(struct finding_list *l);
void finding_list_fini(struct finding_list *l);
void finding_list_add(const struct finding *f, void *list);

#define ANALYZER_RULES_PER_TYPE	4

typedef bool (*event_rule_fn)(const struct model *m, const struct svatop_event *ev,
			      struct finding *f);

/* The event rules that judge each event type (built by analyzer_init). */
struct analyzer_rules {
	uint8_t n[SVATOP_EV_MAX];
	event_rule_fn fn[SVATOP_EV_MAX][ANALYZER_RULES_PER_TYPE];
};

#define ANALYZER_BIND_FAILS_KEPT	32	/* latest failed binds explained */
#define ANALYZER_BIND_FAIL_KINDS	64	/* (step, errno) pairs counted */

/* A failed bind with its explanation. */
struct bind_failure {
	uint64_t ts;
	uint32_t tgid;
	char comm[SVATOP_COMM_LEN];
	char dev_name[SVATOP_NAME_LEN];
	struct bind_explain x;
};

struct bind_fail_count {
	uint8_t step;		/* enum bind_step */
	int32_t ret;
	uint64_t n;
};

struct analyzer {
	uint64_t grace_ns;
	struct bind_tracker binds;	/* per-thread events inside binds */
	struct bind_failure bind_fails[ANALYZER_BIND_FAILS_KEPT];	/* ring */
	uint64_t nbind_fails;		/* failed binds explained, in all */
	struct bind_fail_count bind_fail_kinds[ANALYZER_BIND_FAIL_KINDS];
	unsigned int nbind_fail_kinds;
	uint64_t bind_fail_kinds_full;	/* failures past the table (not by kind) */
	struct analyzer_rules before, after;
	struct finding_list violations;
	uint64_t count[RULE_MAX];	/* violations found per rule */
	uint64_t noticed[RULE_MAX];	/* notices per rule */
	struct keymap noticed_by_pid;	/* (rule << 32 | tgid) -> count */
};

enum verdict {
	VERDICT_CLEAN,
	VERDICT_FINDINGS,
	VERDICT_INCONCLUSIVE,
	VERDICT_PENDING,	/* clean so far, but candidates are within the grace */
};

void analyzer_init(struct analyzer *a, uint64_t grace_ns);
void analyzer_fini(struct analyzer *a);
/* Run the rules r holds for ev's type (ev->type < SVATOP_EV_MAX). */
void analyzer_judge(struct analyzer *a, const struct analyzer_rules *r, const struct model *m,
		    const struct svatop_event *ev);

/* Follow the steps inside binds and explain the failed ones
 * (src/analyze/explain.c). */
void analyzer_bind_step(struct analyzer *a, const struct model *m, const struct svatop_event *ev);

/* The event rules that judge ev against the model before it is applied... */
static inline void analyzer_before(struct analyzer *a, const struct model *m,
				   const struct svatop_event *ev)
{
	if (ev->type == SVATOP_EV_BIND || ev->type == SVATOP_EV_PASID_ALLOC ||
	    ev->type == SVATOP_EV_ATTACH || ev->type == SVATOP_EV_DOMAIN_ALLOC)
		analyzer_bind_step(a, m, ev);
	if (ev->type < SVATOP_EV_MAX && a->before.n[ev->type])
		analyzer_judge(a, &a->before, m, ev);
}

/* ...and those that judge the state it left. */
static inline void analyzer_after(struct analyzer *a, const struct model *m,
				  const struct svatop_event *ev)
{
	if (ev->type < SVATOP_EV_MAX && a->after.n[ev->type])
		analyzer_judge(a, &a->after, m, ev);
}

/* The latest explained failed bind of process tgid (0: of any), or NULL. */
const struct bind_failure *analyzer_last_bind_failure(const struct analyzer *a, uint32_t tgid);

/* How often a notice rule fired for process tgid. */
uint64_t analyzer_noticed(const struct analyzer *a, enum rule_id rule, uint32_t tgid);
/* Append the leaks present at time now (ns, CLOCK_MONOTONIC) to out. */
unsigned int analyzer_leaks(const struct analyzer *a, const struct model *m,
			    uint64_t now, struct finding_list *out);
/* Append the leak candidates still within the grace period at time now
 * (owner gone, grace not over); each one's due_ts says when it matures. */
unsigned int analyzer_pending(const struct analyzer *a, const struct model *m,
			      uint64_t now, struct finding_list *out);
/* A clean verdict with candidates pending is not clean: "pending". */
static inline enum verdict verdict_with_pending(enum verdict v, size_t npending)
{
	return v == VERDICT_CLEAN && npending ? VERDICT_PENDING : v;
}
/* Lost or unreadable input makes any verdict inconclusive. */
enum verdict analyzer_verdict(const struct analyzer *a, const struct model *m,
			      size_t nleaks, uint64_t dropped);
const char *verdict_name(enum verdict v);

#endif
