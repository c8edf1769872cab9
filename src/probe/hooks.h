/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one table of kernel hooks svatop uses: for each lifecycle event, the
 * kernel functions (or tracepoints) that can deliver it and the BPF
 * programs (bpf/svatop.bpf.c) for each attach form. The live source picks
 * one form per hook at load time; `svatop probe` prints the same choice.
 */
#ifndef SVATOP_HOOKS_H
#define SVATOP_HOOKS_H

#include <stdbool.h>

enum hook_kind {
	HOOK_FUNC,		/* a kernel function: fentry/fexit or kprobe */
	HOOK_TRACEPOINT,	/* a stock tracepoint: tp_btf or tracepoint */
	HOOK_SVA_TRACEPOINT,	/* our proposed iommu_sva tracepoints (patches/) */
	HOOK_ITER,		/* a BPF iterator */
};

enum hook_form {
	FORM_NONE = 0,		/* missing on this kernel */
	FORM_FENTRY,		/* fentry/fexit (or tp_btf / iter) */
	FORM_KPROBE,		/* kprobe/kretprobe (or classic tracepoint) */
};

struct hook {
	const char *lifecycle;	/* "bind", "unbind", "pasid alloc", ... */
	const char *target;	/* kernel function or "group:event" */
	enum hook_kind kind;
	/* BPF program names in the skeleton; NULL when that form has none.
	 * A function hook may need an entry and an exit program. */
	const char *fentry_prog;
	const char *fexit_prog;
	const char *kprobe_prog;
	const char *kretprobe_prog;
	/* Era: which kernels have it. Used only to explain a missing hook;
	 * presence is always decided from BTF/kallsyms. */
	const char *era;
	bool optional;		/* missing is normal (e.g. other kernel era) */
	/* Removed from the kernel before the 6.8 era (mm->iommu_mm): on such a
	 * kernel its absence from BTF needs no symbol table to confirm. */
	bool before_iommu_mm;
	/* Device page faults: programs of bpf/iopf.bpf.c, loaded by
	 * src/source/iopf.c beside the main object (never by live.c). */
	bool iopf;
	/* kprobe even where fentry is possible (fentry programs run
	 * preemptible and skip nested calls: docs/iopf.md). */
	bool kprobe_first;
	/* Text the function's BTF prototype must contain (the signature the
	 * programs read); another signature makes the hook missing. */
	const char *needs_proto;
	/* SVA tracepoints: the function hooks they make redundant. */
	const char *replaces[3];
	/* The event its calls report (enum svatop_event_type; 0: none): a
	 * call the kernel skips (a recursion miss) is lost as that event. */
	int event;
};

extern const struct hook hooks[];
extern const int hooks_count;

const struct hook *hook_find(const char *target);
/* The event a call of PROG (a program of bpf/svatop.bpf.c) reports, so
 * that a skipped call counts as that event lost; 0 for none, and for the
 * entry half of an fentry/fexit pair (a skipped entry loses no event). */
int hook_prog_event(const char *prog);

#endif
