/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The analyzer: runs the event rules around model_apply(), keeps the
 * violations found, evaluates the leak rules on demand and gives the
 * verdict. Views read it; only the event loop feeds it.
 */
#ifndef SVATOP_ANALYZE_ANALYZER_H
#define SVATOP_ANALYZE_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "analyze/rules.h"
#include "model/model.h"

#define ANALYZER_DEFAULT_GRACE_NS	(3ULL * 1000000000ULL)
#define ANALYZER_MAX_KEPT		4096	/* violations stored; all are counted */

struct finding_list {
	struct finding *v;
	size_t len, cap;
	bool oom;
};

void finding_list_init(struct finding_list *l);
void finding_list_fini(struct finding_list *l);
void finding_list_add(const struct finding *f, void *list);

struct analyzer {
	uint64_t grace_ns;
	struct finding_list violations;
	uint64_t count[RULE_MAX];	/* violations found per rule */
};

enum verdict {
	VERDICT_CLEAN,
	VERDICT_FINDINGS,
	VERDICT_INCONCLUSIVE,
};

void analyzer_init(struct analyzer *a, uint64_t grace_ns);
void analyzer_fini(struct analyzer *a);
/* Check ev against the rules and apply it to the model. */
int analyzer_event(struct analyzer *a, struct model *m, const struct svatop_event *ev);
/* Append the leaks present at time now (ns, CLOCK_MONOTONIC) to out. */
unsigned int analyzer_leaks(const struct analyzer *a, const struct model *m,
			    uint64_t now, struct finding_list *out);
/* Lost or unreadable input makes any verdict inconclusive. */
enum verdict analyzer_verdict(const struct analyzer *a, const struct model *m,
			      size_t nleaks, uint64_t dropped);
const char *verdict_name(enum verdict v);

#endif
