// SPDX-License-Identifier: GPL-2.0
/* The SVA verdict and the per-kernel hook table (see verdict.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/btf.h>
#include "probe/verdict.h"

static const char *fact_source(enum kfact in_btf, enum kfact in_syms)
{
	if (in_btf == KF_YES && in_syms == KF_YES)
		return "BTF, symbols";
	if (in_btf == KF_YES)
		return "BTF";
	if (in_syms == KF_YES)
		return "symbols";
	if (in_btf == KF_NO && in_syms == KF_NO)
		return "absent from BTF and symbols";
	if (in_btf == KF_NO)
		return "absent from BTF";
	if (in_syms == KF_NO)
		return "absent from symbols";
	return "not checked";
}

static void add_ev(struct sva_report *r, const char *fact, enum kfact v,
		   const char *source, const char *meaning)
{
	if (r->nev >= MAX_EVIDENCE)
		return;
	r->ev[r->nev++] = (struct evidence){ fact, v, source, meaning };
}

/* A function fact: present if BTF or symbols have it. */
static enum kfact ev_func(const struct kfacts *k, struct sva_report *r,
			  const char *fact, const char *name,
			  const char *meaning)
{
	enum kfact b = kfacts_func_in_btf(k, name);
	enum kfact s = kfacts_func_in_symbols(k, name);
	enum kfact v = kfacts_func(k, name);

	add_ev(r, fact, v, fact_source(b, s), meaning);
	return v;
}

static enum kfact ev_member(const struct kfacts *k, struct sva_report *r,
			    const char *fact, const char *type,
			    const char *member, const char *meaning)
{
	enum kfact v = kfacts_member(k, type, member);

	add_ev(r, fact, v, v == KF_UNKNOWN ? "not checked" :
	       v == KF_YES ? "BTF" : "absent from BTF", meaning);
	return v;
}

static enum kfact ev_symbol(const struct kfacts *k, struct sva_report *r,
			    const char *fact, const char *name,
			    const char *meaning)
{
	enum kfact v = kfacts_symbol(k, name, NULL);

	add_ev(r, fact, v, v == KF_UNKNOWN ? "not checked" :
	       v == KF_YES ? "symbols" : "absent from symbols", meaning);
	return v;
}

static enum sva_era decide_era(const struct kfacts *k, struct sva_report *r)
{
	enum kfact iommu_mm, mm_pasid, ioasid, sva_pasid, global, attach;

	iommu_mm = ev_member(k, r, "member mm_struct.iommu_mm", "mm_struct",
			     "iommu_mm", "6.8+ SVA: per-mm iommu_mm_data");
	mm_pasid = ev_member(k, r, "member mm_struct.pasid", "mm_struct",
			     "pasid", "6.1-6.7 SVA: the PASID lives in the mm");
	ioasid = ev_func(k, r, "function ioasid_alloc", "ioasid_alloc",
			 "6.1-era ioasid PASID allocator");
	sva_pasid = ev_func(k, r, "function iommu_sva_alloc_pasid",
			    "iommu_sva_alloc_pasid", "6.1-era SVA PASID helper");
	global = ev_func(k, r, "function iommu_alloc_global_pasid",
			 "iommu_alloc_global_pasid", "6.6+ global PASID IDA");
	attach = ev_func(k, r, "function iommu_attach_device_pasid",
			 "iommu_attach_device_pasid", "6.2+ SVA domains");

	if (iommu_mm == KF_YES ||
	    kfacts_type(k, "iommu_mm_data", BTF_KIND_STRUCT) == KF_YES)
		return ERA_IOMMU_MM;
	if ((ioasid == KF_YES || sva_pasid == KF_YES) && global != KF_YES)
		return ERA_IOASID;
	if (mm_pasid == KF_YES && attach == KF_YES)
		return ERA_MM_PASID;
	/* No BTF: mm_pasid_drop is out of line only since 6.8. */
	if (iommu_mm == KF_UNKNOWN &&
	    kfacts_func_in_symbols(k, "mm_pasid_drop") == KF_YES)
		return ERA_IOMMU_MM;
	return ERA_UNKNOWN;
}

/* Pre-6.8 kernels: the x86 stub leaves every symbol; only bind's size tells. */
static enum sva_verdict decide_old(const struct kfacts *k, struct sva_report *r)
{
	r->heuristic = true;
	if (!strcmp(kfacts_arch(k), "arm64")) {
		add_ev(r, "architecture arm64", KF_YES, "given or detected",
		       "the x86 stub backport does not apply");
		return SVA_LIKELY_REAL;
	}
	if (r->bind_size)
		snprintf(r->bind_size_fact, sizeof(r->bind_size_fact),
			 "size of iommu_sva_bind_device: %#lx", r->bind_size);
	else
		snprintf(r->bind_size_fact, sizeof(r->bind_size_fact),
			 "size of iommu_sva_bind_device");
	add_ev(r, r->bind_size_fact, r->bind_size ? KF_YES : KF_UNKNOWN,
	       r->bind_size ? "symbols (next symbol)" : "not measurable",
	       "heuristic: up to 0x60 is the x86 stub (0x50 on 6.1)");
	if (!r->bind_size)
		return SVA_UNDECIDABLE;
	return r->bind_size <= STUB_BIND_MAX_SIZE ? SVA_LIKELY_STUBBED :
	       SVA_LIKELY_REAL;
}

static enum sva_verdict decide(const struct kfacts *k, struct sva_report *r)
{
	enum kfact bind, iopf1, iopf2, kva, elm, mms;

	bind = ev_func(k, r, "function iommu_sva_bind_device",
		       "iommu_sva_bind_device", "the SVA core is built");
	r->era = decide_era(k, r);
	r->bind_size = kfacts_symbol_size(k, "iommu_sva_bind_device");
	if (bind == KF_NO)
		return SVA_NOT_BUILT;
	if (r->era != ERA_IOMMU_MM)
		return decide_old(k, r);
	iopf1 = ev_func(k, r, "function iommu_sva_iopf_handler",
			"iommu_sva_iopf_handler",
			"static; only kept when the real bind path exists");
	iopf2 = ev_func(k, r, "function iommu_sva_handle_iopf",
			"iommu_sva_handle_iopf",
			"static; only kept when the real bind path exists");
	if (iopf1 != KF_YES && iopf2 != KF_YES) {
		if (iopf1 == KF_UNKNOWN && iopf2 == KF_UNKNOWN)
			return SVA_UNDECIDABLE;
		return SVA_STUBBED;
	}
	kva = ev_func(k, r, "function iommu_sva_invalidate_kva_range",
		      "iommu_sva_invalidate_kva_range",
		      "the CVE-2025-71089 fix: kernel page-table invalidation");
	elm = ev_member(k, r, "member iommu_mm_data.mm_list_elm",
			"iommu_mm_data", "mm_list_elm",
			"the fix keeps SVA mms on iommu_sva_mms");
	mms = ev_symbol(k, r, "symbol iommu_sva_mms", "iommu_sva_mms",
			"the fix's global list of SVA mms");
	if (kva == KF_YES || elm == KF_YES || mms == KF_YES)
		return SVA_REAL_FIXED;
	return SVA_REAL_UNFIXED;
}

static bool streq(const char *a, const char *b)
{
	return !strcmp(a, b);
}

static void missing_reason(const struct kfacts *k, const struct hook *h,
			   enum sva_era era, enum sva_verdict v,
			   struct hook_status *st)
{
	const char *t = h->target, *why = NULL;

	if (h->needs_proto && st->prototype[0] && !strstr(st->prototype, h->needs_proto))
		why = "pre-6.8 IOPF (struct iommu_fault_event, iommu_page_response): not covered";
	else if (h->iopf && st->in_btf == KF_NO && kfacts_type(k, "iopf_fault", BTF_KIND_STRUCT) == KF_NO)
		why = "no IOPF support in this kernel (CONFIG_IOMMU_IOPF not set)";
	else if (streq(t, "iommu_sva_iopf_handler") && v == SVA_STUBBED)
		why = "the x86 SVA stub dropped it: no SVA domain can take a page fault";
	else if (streq(t, "iommu_sva_iopf_handler"))
		why = "no SVA page-fault handler on this kernel (SVA or IOPF not built)";
	else if (h->iopf && strncmp(t, "__mmu_notifier", 14) &&
		 kfacts_func(k, "iommu_report_device_fault") == KF_YES)
		why = "pre-6.8 IOPF (struct iommu_fault_event, iommu_page_response): not covered";
	else if (streq(t, "ioasid_alloc") || streq(t, "ioasid_free"))
		why = kfacts_func(k, "iommu_alloc_global_pasid") == KF_YES ?
		      "6.1-era ioasid allocator absent: PASIDs come from iommu_alloc_global_pasid (normal)" :
		      "ioasid allocator not built";
	else if ((streq(t, "iommu_alloc_global_pasid") ||
		  streq(t, "iommu_free_global_pasid")) && era == ERA_IOASID)
		why = "6.1-era kernel: PASIDs come from ioasid_alloc/ioasid_free";
	else if ((streq(t, "iommu_attach_device_pasid") ||
		  streq(t, "iommu_detach_device_pasid")) && era == ERA_IOASID)
		why = "no SVA domains before 6.2: drivers bind through their sva_bind op";
	else if (streq(t, "mm_pasid_drop") && era == ERA_IOASID)
		why = "inline on this kernel: ioasid_free from __mmdrop frees the PASID";
	else if (streq(t, "mm_pasid_drop") && v == SVA_NOT_BUILT)
		why = "SVA core not built: mm_pasid_drop is an empty inline";
	else if (streq(t, "mm_pasid_drop"))
		why = "inlined on this kernel: __mmdrop covers mm teardown";
	else if (v == SVA_NOT_BUILT && !strncmp(t, "iommu_sva_", 10))
		why = "SVA core not built (no CONFIG_IOMMU_SVA)";
	else if (st->in_symbols == KF_UNKNOWN)
		why = "not in BTF (no symbol table given to look for a kprobe target)";
	else
		why = "in neither BTF nor symbols: inlined or not built on this kernel";
	snprintf(st->reason, sizeof(st->reason), "%s", why);
}

static void resolve_func(const struct kfacts *k, const struct hook *h,
			 enum sva_era era, enum sva_verdict v,
			 struct hook_status *st)
{
	bool has_fentry = h->fentry_prog || h->fexit_prog;
	bool has_kprobe = h->kprobe_prog || h->kretprobe_prog;

	st->in_btf = kfacts_func_in_btf(k, h->target);
	st->in_symbols = kfacts_func_in_symbols(k, h->target);
	kfacts_btf_func(k, h->target, &st->btf_dups);
	kfacts_func_proto(k, h->target, st->prototype, sizeof(st->prototype));
	if (h->needs_proto && st->prototype[0] && !strstr(st->prototype, h->needs_proto)) {
		st->form = FORM_NONE;
		missing_reason(k, h, era, v, st);
		return;
	}
	if (h->kprobe_first && has_kprobe &&
	    (st->in_symbols == KF_YES || st->in_btf == KF_YES)) {
		st->form = FORM_KPROBE;
		snprintf(st->reason, sizeof(st->reason),
			 "kprobe by choice: fentry runs preemptible and skips nested calls");
		return;
	}
	if (st->in_btf == KF_YES && has_fentry) {
		st->form = FORM_FENTRY;
		if (st->btf_dups > 1)
			snprintf(st->reason, sizeof(st->reason),
				 "%d BTF functions share this name; fentry attaches to the first (shown)",
				 st->btf_dups);
		else if (st->in_symbols == KF_NO)
			snprintf(st->reason, sizeof(st->reason),
				 "in BTF but not in the symbol table given (a partial System.map?)");
	} else if ((st->in_symbols == KF_YES || st->in_btf == KF_YES) &&
		   has_kprobe) {
		st->form = FORM_KPROBE;
		snprintf(st->reason, sizeof(st->reason), "%s",
			 st->in_btf == KF_UNKNOWN ? "no BTF: kprobe" :
			 "not in BTF: kprobe on the kallsyms symbol");
	} else {
		st->form = FORM_NONE;
		missing_reason(k, h, era, v, st);
		return;
	}
	/* Notes that explain what the hook sees on this kernel. */
	if (st->reason[0])
		return;
	if (streq(h->target, "iommu_sva_bind_device") &&
	    (v == SVA_STUBBED || v == SVA_LIKELY_STUBBED))
		snprintf(st->reason, sizeof(st->reason),
			 "the x86 stub: every bind fails with -EOPNOTSUPP");
	else if (streq(h->target, "iommu_sva_bind_device") && era == ERA_IOASID)
		snprintf(st->reason, sizeof(st->reason),
			 "6.1 form: (dev, mm, drvdata), bound by the driver's sva_bind op");
	else if (streq(h->target, "iommu_domain_free") && era == ERA_IOASID)
		snprintf(st->reason, sizeof(st->reason),
			 "present, but this kernel has no SVA domains (6.2+)");
	else if (streq(h->target, "ioasid_free") && era == ERA_IOASID)
		snprintf(st->reason, sizeof(st->reason),
			 "frees the PASID, called from __mmdrop (mm_pasid_drop is inline)");
}

static void resolve_tracepoint(const struct kfacts *k, const struct hook *h,
			       struct hook_status *st)
{
	const char *ev = strchr(h->target, ':');
	char name[128], path[256];

	ev = ev ? ev + 1 : h->target;
	snprintf(name, sizeof(name), "btf_trace_%s", ev);
	st->in_btf = kfacts_type(k, name, BTF_KIND_TYPEDEF);
	st->in_symbols = KF_UNKNOWN;
	if (st->in_btf == KF_YES) {
		st->form = FORM_FENTRY;
		return;
	}
	if (kfacts_live(k)) {
		snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%.*s/%s",
			 (int)(strchr(h->target, ':') ? strchr(h->target, ':') - h->target : 0),
			 h->target, ev);
		if (!access(path, F_OK)) {
			st->form = FORM_KPROBE;
			snprintf(st->reason, sizeof(st->reason),
				 "no tp_btf type in BTF: classic tracepoint");
			return;
		}
	}
	st->form = FORM_NONE;
	snprintf(st->reason, sizeof(st->reason), "%s",
		 h->kind == HOOK_SVA_TRACEPOINT ?
		 "svatop's proposed iommu_sva tracepoints are not in this kernel" :
		 "tracepoint not found in BTF");
}

void hook_resolve(const struct kfacts *k, const struct hook *h,
		  enum sva_era era, enum sva_verdict v, struct hook_status *st)
{
	memset(st, 0, sizeof(*st));
	st->hook = h;
	switch (h->kind) {
	case HOOK_FUNC:
		resolve_func(k, h, era, v, st);
		break;
	case HOOK_TRACEPOINT:
	case HOOK_SVA_TRACEPOINT:
		resolve_tracepoint(k, h, st);
		break;
	case HOOK_ITER:
		st->in_btf = kfacts_type(k, "bpf_iter__task", BTF_KIND_STRUCT);
		st->in_symbols = KF_UNKNOWN;
		st->form = st->in_btf == KF_YES ? FORM_FENTRY : FORM_NONE;
		if (st->form == FORM_NONE)
			snprintf(st->reason, sizeof(st->reason),
				 "no BPF task iterator in BTF: no snapshot of earlier state");
		break;
	}
}

static const struct hook_status *status_of(const struct sva_report *r,
					   const char *target)
{
	int i;

	for (i = 0; i < r->nhooks; i++)
		if (!strcmp(r->hooks[i].hook->target, target))
			return &r->hooks[i];
	return NULL;
}

/* svatop's own iommu_sva tracepoints, where present, replace function hooks;
 * sched_prepare_exec replaces sched_process_exec (the live source does the
 * same). */
static void apply_replacements(struct sva_report *r)
{
	int i, j, n;

	for (i = 0; i < r->nhooks; i++) {
		const struct hook *tp = r->hooks[i].hook;

		if (!tp->replaces[0] || r->hooks[i].form != FORM_FENTRY)
			continue;
		for (j = 0; j < 3 && tp->replaces[j]; j++)
			for (n = 0; n < r->nhooks; n++) {
				struct hook_status *st = &r->hooks[n];

				if (st->hook->kind == HOOK_SVA_TRACEPOINT ||
				    strcmp(st->hook->target, tp->replaces[j]))
					continue;
				st->replaced_by = tp->target;
				snprintf(st->reason, sizeof(st->reason),
					 "replaced by %stracepoint %s",
					 tp->kind == HOOK_SVA_TRACEPOINT ? "svatop's " : "the ",
					 tp->target);
			}
	}
}

static void decide_traceable(const struct kfacts *k, struct sva_report *r)
{
	static const char *const needed[] = {
		"iommu_sva_bind_device", "iommu_sva_unbind_device",
	};
	const struct hook_status *st;
	size_t i;

	r->traceable = false;
	if (!kfacts_btf(k)) {
		snprintf(r->untraceable_why, sizeof(r->untraceable_why),
			 "no kernel BTF: svatop's CO-RE programs cannot load");
		return;
	}
	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		st = status_of(r, needed[i]);
		if (!st || (st->form == FORM_NONE && !st->replaced_by)) {
			snprintf(r->untraceable_why, sizeof(r->untraceable_why),
				 "no way to hook %s", needed[i]);
			return;
		}
	}
	r->traceable = true;
}

int sva_classify(const struct kfacts *k, struct sva_report *r)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->verdict = decide(k, r);
	r->hooks = calloc(hooks_count, sizeof(*r->hooks));
	if (!r->hooks)
		return -ENOMEM;
	r->nhooks = hooks_count;
	for (i = 0; i < hooks_count; i++)
		hook_resolve(k, &hooks[i], r->era, r->verdict, &r->hooks[i]);
	apply_replacements(r);
	decide_traceable(k, r);
	if (!kfacts_symbols_source(k))
		r->unchecked[r->nunchecked++] = kfacts_live(k) ?
			"no symbol table (/proc/kallsyms unreadable): kprobe fallbacks and function sizes not checked" :
			"no symbol table: kprobe fallbacks and function sizes not checked (add --symbols System.map)";
	if (!kfacts_btf(k))
		r->unchecked[r->nunchecked++] =
			"no BTF: struct members, prototypes and fentry not checked";
	if (!kfacts_live(k))
		r->unchecked[r->nunchecked++] =
			"offline: whether the running kernel allows BPF (lockdown, privileges) not checked";
	else if (geteuid() != 0)
		r->unchecked[r->nunchecked++] =
			"not root: kallsyms addresses hidden (no function sizes); tracing needs root or CAP_BPF+CAP_PERFMON";
	return 0;
}

bool sva_btf_answers(const struct sva_report *r)
{
	int i;

	if (r->heuristic || r->era != ERA_IOMMU_MM ||
	    (r->verdict != SVA_REAL_FIXED && r->verdict != SVA_REAL_UNFIXED))
		return false;
	for (i = 0; i < r->nhooks; i++) {
		const struct hook_status *st = &r->hooks[i];

		if (st->hook->kind != HOOK_FUNC || st->replaced_by ||
		    st->in_btf == KF_YES || st->hook->before_iommu_mm)
			continue;
		return false;
	}
	return true;
}

void sva_report_free(struct sva_report *r)
{
	free(r->hooks);
	r->hooks = NULL;
	r->nhooks = 0;
}

const char *sva_verdict_id(enum sva_verdict v)
{
	switch (v) {
	case SVA_NOT_BUILT: return "not-built";
	case SVA_REAL_FIXED: return "real-fixed";
	case SVA_REAL_UNFIXED: return "real-unfixed";
	case SVA_STUBBED: return "stubbed";
	case SVA_LIKELY_STUBBED: return "likely-stubbed";
	case SVA_LIKELY_REAL: return "likely-real";
	case SVA_UNDECIDABLE: return "undecidable";
	}
	return "?";
}

const char *sva_verdict_title(enum sva_verdict v)
{
	switch (v) {
	case SVA_NOT_BUILT:
		return "SVA is not built into this kernel";
	case SVA_REAL_FIXED:
		return "SVA works (with the kernel page-table invalidation fix)";
	case SVA_REAL_UNFIXED:
		return "SVA works, but without the fix for CVE-2025-71089";
	case SVA_STUBBED:
		return "SVA is disabled by the x86 stable backport: every bind fails with -EOPNOTSUPP";
	case SVA_LIKELY_STUBBED:
		return "SVA is most likely disabled by the x86 stable backport (heuristic)";
	case SVA_LIKELY_REAL:
		return "SVA is most likely the real implementation (heuristic)";
	case SVA_UNDECIDABLE:
		return "Whether SVA works cannot be decided from what was given";
	}
	return "?";
}

const char *sva_verdict_advice(enum sva_verdict v)
{
	switch (v) {
	case SVA_NOT_BUILT:
		return "This kernel has no SVA core at all (CONFIG_IOMMU_SVA is not set; "
		       "on Debian's arm64 6.12 kernel because CONFIG_ARM_SMMU_V3_SVA is off). "
		       "No device can share a process's address space here: Intel DSA/IAA "
		       "shared work queues and any other PASID user will not work, and there "
		       "is nothing for svatop to trace. Use a kernel built with SVA: on amd64, "
		       "Debian 13's 7.x kernel from trixie-backports; check any candidate "
		       "package first with 'svatop probe --image /boot/vmlinuz-...'. To see "
		       "svatop at work meanwhile, run 'make demo' (it boots the lab kernel).";
	case SVA_REAL_FIXED:
		return "The SVA core is live (its page-fault handler, reachable only from a "
		       "working bind, is present) and the kernel carries the fix for "
		       "CVE-2025-71089 (IOMMU caches are flushed when kernel page tables are "
		       "freed). Devices such as Intel DSA/IAA can use shared work queues bound "
		       "to a process's PASID. svatop can trace binds, PASIDs, SVA domains and "
		       "mm teardown here.";
	case SVA_REAL_UNFIXED:
		return "SVA is live, but this kernel lacks the fix for CVE-2025-71089: when "
		       "the kernel frees page-table pages, the IOMMU's cached walks are not "
		       "invalidated, so a device bound with SVA (e.g. an Intel DSA/IAA shared "
		       "work queue) can use stale translations into freed memory. Stable "
		       "kernels answered this by disabling SVA on x86. Move to a kernel with "
		       "the fix (Debian 13's 7.x from trixie-backports has it); until then "
		       "bind only trusted devices and workloads. svatop can trace it.";
	case SVA_STUBBED:
		return "The config still says CONFIG_IOMMU_SVA=y, but this kernel carries the "
		       "stable backport \"iommu: disable SVA when CONFIG_X86 is set\" "
		       "(CVE-2025-71089): iommu_sva_bind_device() returns -EOPNOTSUPP for "
		       "every device (-ENODEV without an IOMMU group). The proof is that the "
		       "SVA page-fault handler, reachable only from a working bind, was dropped "
		       "by the compiler. Intel DSA/IAA shared work queues (SVM) and every other "
		       "SVA user fail; dedicated work queues and kernel-mode use are unaffected. "
		       "Debian 12's 6.1 (since 6.1.164) and 6.12 backports kernels and Debian "
		       "13's 6.12 (since 6.12.69) are all like this on amd64. For working SVA "
		       "install Debian 13's 7.x kernel from trixie-backports, which has the "
		       "real fix. svatop can still trace the failing binds.";
	case SVA_LIKELY_STUBBED:
		return "This kernel predates the 6.8 SVA rework, where the x86 stub backport "
		       "(CVE-2025-71089) leaves every symbol in place; the only static hint is "
		       "the size of iommu_sva_bind_device, which here is stub-sized (see the "
		       "evidence). So SVA is most likely disabled: every bind returns "
		       "-EOPNOTSUPP, as on Debian 12's 6.1 since 6.1.164, and Intel DSA/IAA "
		       "shared work queues will not work. A bind failing with -95 for a device "
		       "that has an IOMMU group confirms it ('svatop trace' shows it). For "
		       "working SVA use Debian 13's 7.x kernel from trixie-backports.";
	case SVA_LIKELY_REAL:
		return "This kernel predates the 6.8 SVA rework; iommu_sva_bind_device is "
		       "full-sized (or the x86 stub does not apply to this architecture), so "
		       "SVA is probably the real implementation. Kernels of this era lack the "
		       "CVE-2025-71089 fix: bind only trusted devices. A successful bind seen "
		       "with 'svatop trace' confirms it works.";
	case SVA_UNDECIDABLE:
		return "The facts that decide this kernel were not available (a pre-6.8 kernel "
		       "needs the size of iommu_sva_bind_device from its symbol table; a newer "
		       "one needs BTF or symbols for the SVA page-fault handler). Give "
		       "--symbols System.map (Debian ships the full one in the -dbg package) "
		       "or run on the kernel itself.";
	}
	return "";
}

const char *sva_era_name(enum sva_era e)
{
	switch (e) {
	case ERA_IOASID: return "6.1-era (ioasid allocator, driver sva_bind, no SVA domains)";
	case ERA_MM_PASID: return "6.2-6.7 era (SVA domains, mm->pasid)";
	case ERA_IOMMU_MM: return "6.8+ era (mm->iommu_mm, global PASID IDA)";
	case ERA_UNKNOWN: break;
	}
	return "unknown (no SVA-specific types or functions)";
}

const char *sva_era_id(enum sva_era e)
{
	switch (e) {
	case ERA_IOASID: return "ioasid";
	case ERA_MM_PASID: return "mm-pasid";
	case ERA_IOMMU_MM: return "iommu-mm";
	case ERA_UNKNOWN: break;
	}
	return "unknown";
}

const char *hook_form_name(const struct hook_status *st)
{
	if (st->replaced_by)
		return "replaced";
	switch (st->form) {
	case FORM_NONE:
		return "missing";
	case FORM_FENTRY:
		return st->hook->kind == HOOK_FUNC ? "fentry" :
		       st->hook->kind == HOOK_ITER ? "iter" : "tp_btf";
	case FORM_KPROBE:
		return st->hook->kind == HOOK_FUNC ? "kprobe" : "tracepoint";
	}
	return "?";
}

bool iopf_traceable(const struct sva_report *r, char *why, size_t len)
{
	int i, found = 0;

	for (i = 0; i < r->nhooks; i++) {
		const struct hook_status *st = &r->hooks[i];

		if (!st->hook->iopf || !strncmp(st->hook->target, "__mmu_notifier", 14))
			continue;	/* the IOTLB invalidations are opt-in */
		if (st->form == FORM_NONE) {
			snprintf(why, len, "%s: %s", st->hook->target, st->reason);
			return false;
		}
		found++;
	}
	if (!found)
		snprintf(why, len, "no IOPF hooks in the table");
	return found > 0;
}

int sva_exit_status(const struct sva_report *r)
{
	switch (r->verdict) {
	case SVA_REAL_FIXED:
	case SVA_REAL_UNFIXED:
		return r->traceable ? PROBE_EXIT_OK : PROBE_EXIT_UNTRACEABLE;
	case SVA_NOT_BUILT:
	case SVA_STUBBED:
		return PROBE_EXIT_NO_SVA;
	case SVA_LIKELY_STUBBED:
	case SVA_LIKELY_REAL:
	case SVA_UNDECIDABLE:
		break;
	}
	return PROBE_EXIT_UNDECIDED;
}
