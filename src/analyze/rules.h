/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Leak and lifecycle-invariant rules over the model. Each rule is a named
 * function with a one-line explanation (docs/leaks.md has the kernel code
 * each one protects). Event rules look at one event against the model as
 * it was just before (or after) the event; leak rules walk the model.
 */
#ifndef SVATOP_ANALYZE_RULES_H
#define SVATOP_ANALYZE_RULES_H

#include <stdbool.h>
#include <stdint.h>
#include "model/model.h"

enum rule_id {
	RULE_LEAKED_BOND,
	RULE_LEAKED_DOMAIN,
	RULE_LEAKED_MM,
	RULE_LEAKED_PASID,
	RULE_PASID_FREED_WITH_DOMAINS,
	RULE_DOMAIN_FREED_WITH_USERS,
	RULE_UNBIND_UNKNOWN_HANDLE,
	RULE_DETACH_UNKNOWN_ATTACH,
	RULE_FORK_SHARES_IOMMU_MM,
	RULE_PASID_REALLOC_IN_USE,
	RULE_DOMAIN_USERS_MISMATCH,
	RULE_BIND_SAME_DEVICE_AGAIN,
	RULE_IOPF_FAILED,
	RULE_UNBIND_BY_OTHER_PROCESS,
	RULE_REBIND_REFUSED,
	RULE_MAX
};

/* A leak or a violation is a finding (the verdict counts it); a notice is
 * legitimate behaviour worth counting per process (never in a verdict). */
enum rule_kind { RULE_KIND_LEAK, RULE_KIND_VIOLATION, RULE_KIND_NOTICE };

struct rule_info {
	const char *name;	/* stable identifier, e.g. "leaked-bond" */
	enum rule_kind kind;
	const char *explain;	/* one line */
};

extern const struct rule_info rule_table[RULE_MAX];
const char *rule_kind_name(enum rule_kind kind);

/* finding flags */
#define FINDING_PREEXISTING	(1u << 0)  /* the object predates svatop */
#define FINDING_NO_TASK		(1u << 1)  /* owner gone before svatop started: a leak at once */

struct finding {
	enum rule_id rule;
	uint32_t flags;		/* FINDING_* */
	uint64_t ts;		/* when it was found (event or analysis time) */
	uint64_t since_ts;	/* leak: owner gone since; 0 otherwise */
	uint64_t born_ts;	/* when the object was allocated or first seen */
	uint64_t due_ts;	/* pending leak candidate: when the grace period ends */
	uint64_t mm, domain, handle, dev;
	uint32_t pasid;
	uint32_t tgid;
	uint32_t uid;		/* model generation of the object */
	int32_t stack_id;	/* allocation stack, -1 unknown */
	int64_t expected, actual;	/* for counting rules */
	char comm[SVATOP_COMM_LEN];
	char dev_name[SVATOP_NAME_LEN];
	char iommu_name[SVATOP_NAME_LEN];
	char detail[96];
};

/* Filling a finding (src/analyze/finding.c): from an event (zeroes f
 * first), then from the model's mm and device. */
void finding_from_event(struct finding *f, enum rule_id rule, const struct svatop_event *ev);
void finding_set_mm(const struct model *m, struct finding *f, const struct model_mm *mm);
void finding_set_dev(struct finding *f, const struct model_dev *dev);

/* Event rules: true when ev violates the rule; f is then filled in. */
bool rule_pasid_freed_with_domains(const struct model *m,
				   const struct svatop_event *ev,
				   struct finding *f);
bool rule_domain_freed_with_users(const struct model *m,
				  const struct svatop_event *ev,
				  struct finding *f);
bool rule_unbind_unknown_handle(const struct model *m,
				const struct svatop_event *ev,
				struct finding *f);
bool rule_detach_unknown_attach(const struct model *m,
				const struct svatop_event *ev,
				struct finding *f);
bool rule_fork_shares_iommu_mm(const struct model *m,
			       const struct svatop_event *ev,
			       struct finding *f);
bool rule_pasid_realloc_in_use(const struct model *m,
			       const struct svatop_event *ev,
			       struct finding *f);
/* Runs after the event is applied (checks the resulting count). */
bool rule_domain_users_mismatch(const struct model *m,
				const struct svatop_event *ev,
				struct finding *f);
bool rule_bind_same_device_again(const struct model *m, const struct svatop_event *ev,
				 struct finding *f);
bool rule_unbind_by_other_process(const struct model *m, const struct svatop_event *ev,
				  struct finding *f);
bool rule_rebind_refused(const struct model *m, const struct svatop_event *ev,
			 struct finding *f);

typedef void (*finding_fn)(const struct finding *f, void *ctx);

/* Leak rules: emit one finding per object whose owner has been gone for
 * at least grace_ns at time now, or whose owner the snapshot found gone
 * already (MF_NO_TASK: judged by what is known, not by time since svatop
 * saw it); return how many. */
unsigned int rule_leaked_bonds(const struct model *m, uint64_t now,
			       uint64_t grace_ns, finding_fn emit, void *ctx);
unsigned int rule_leaked_domains(const struct model *m, uint64_t now,
				 uint64_t grace_ns, finding_fn emit, void *ctx);
unsigned int rule_leaked_mms(const struct model *m, uint64_t now,
			     uint64_t grace_ns, finding_fn emit, void *ctx);
unsigned int rule_leaked_pasids(const struct model *m, uint64_t now,
				uint64_t grace_ns, finding_fn emit, void *ctx);

/* Device page faults the kernel answered unsuccessfully (invalid, failure,
 * refused), per process, device and PASID, from the model's IOPF table
 * (src/analyze/iopf_rules.c); return how many. */
unsigned int rule_iopf_failed(const struct model *m, finding_fn emit, void *ctx);

#endif
