/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Can this kernel do SVA, and can svatop trace it? Decided from kernel
 * facts (kernel.h) alone: symbols, BTF functions, types and members.
 * See docs/kernels.md for the decision rules and the support matrix.
 */
#ifndef SVATOP_PROBE_VERDICT_H
#define SVATOP_PROBE_VERDICT_H

#include <stdbool.h>
#include "probe/kfacts.h"
#include "probe/hooks.h"

enum sva_verdict {
	SVA_NOT_BUILT,		/* no SVA core: no bind symbol at all */
	SVA_REAL_FIXED,		/* real SVA with the kernel page-table invalidation fix */
	SVA_REAL_UNFIXED,	/* real SVA without it (CVE-2025-71089) */
	SVA_STUBBED,		/* x86 stable backport: bind returns -EOPNOTSUPP */
	SVA_LIKELY_STUBBED,	/* pre-6.8 kernel, heuristic: bind is stub-sized */
	SVA_LIKELY_REAL,	/* pre-6.8 kernel, heuristic: bind is full-sized */
	SVA_UNDECIDABLE,	/* pre-6.8 kernel, nothing to measure */
};

/* Which SVA design the kernel has (decides which hooks exist). */
enum sva_era {
	ERA_UNKNOWN,
	ERA_IOASID,		/* 6.1 and older: ioasid_alloc, driver sva_bind, no SVA domains */
	ERA_MM_PASID,		/* 6.2-6.7: SVA domains, mm->pasid */
	ERA_IOMMU_MM,		/* 6.8+: mm->iommu_mm, global PASID IDA */
};

/* Exit statuses of `svatop probe` (documented in docs/kernels.md). */
#define PROBE_EXIT_OK		0	/* SVA usable and svatop can trace it */
#define PROBE_EXIT_NO_SVA	1	/* SVA not usable here: nothing to trace */
#define PROBE_EXIT_USAGE	2	/* usage, unreadable or damaged input */
#define PROBE_EXIT_UNDECIDED	3	/* verdict is a heuristic or undecidable */
#define PROBE_EXIT_UNTRACEABLE	4	/* SVA works but svatop cannot trace it */

/* Bind larger than this (bytes to the next symbol) is taken for real code. */
#define STUB_BIND_MAX_SIZE	0x60

#define MAX_EVIDENCE	24

struct evidence {
	const char *fact;	/* "function iommu_sva_iopf_handler" */
	enum kfact value;
	const char *source;	/* "BTF", "symbols", "BTF+symbols", "" */
	const char *meaning;	/* why it matters */
};

struct hook_status {
	const struct hook *hook;
	enum hook_form form;
	enum kfact in_btf;
	enum kfact in_symbols;
	int btf_dups;		/* more than one BTF FUNC with this name */
	char prototype[320];
	char reason[160];	/* why missing, or a note; "" if none */
	const char *replaced_by;	/* an iommu_sva tracepoint used instead */
};

struct sva_report {
	enum sva_verdict verdict;
	enum sva_era era;
	bool heuristic;
	unsigned long bind_size;	/* 0: unknown */
	char bind_size_fact[64];
	struct evidence ev[MAX_EVIDENCE];
	int nev;
	struct hook_status *hooks;	/* hooks_count entries */
	int nhooks;
	bool traceable;			/* bind and unbind attachable, CO-RE possible */
	char untraceable_why[160];
	const char *unchecked[8];	/* what could not be checked offline */
	int nunchecked;
};

/* Fills r (free with sva_report_free). Returns 0 or -ENOMEM. */
int sva_classify(const struct kfacts *k, struct sva_report *r);
void sva_report_free(struct sva_report *r);

/*
 * Whether a report made from BTF alone (no symbol table) already decides
 * what the live source needs: a 6.8+ kernel decided without heuristics, and
 * every function hook in BTF (or of an era before 6.8). Then a symbol table
 * would change no hook's form: a symbol only adds kprobe fallbacks for
 * functions BTF lacks and the bind's size for pre-6.8 heuristics. The live
 * source reads /proc/kallsyms only when this is false.
 */
bool sva_btf_answers(const struct sva_report *r);

/* One hook on this kernel: form, prototype, reason if missing. */
void hook_resolve(const struct kfacts *k, const struct hook *h,
		  enum sva_era era, enum sva_verdict v, struct hook_status *st);

const char *sva_verdict_id(enum sva_verdict v);	/* "real-fixed", ... */
const char *sva_verdict_title(enum sva_verdict v);
const char *sva_verdict_advice(enum sva_verdict v);
const char *sva_era_name(enum sva_era e);
const char *sva_era_id(enum sva_era e);		/* "ioasid", "mm-pasid", "iommu-mm", "unknown" */
/* "fentry", "kprobe", "tp_btf", "tracepoint", "iter", "replaced", "missing" */
const char *hook_form_name(const struct hook_status *st);
/* Whether device page faults can be counted here: the report, response
 * and SVA handler rows all have a form. If not, why (the first missing
 * row's target and reason) in why. */
bool iopf_traceable(const struct sva_report *r, char *why, size_t len);
int sva_exit_status(const struct sva_report *r);

#endif
