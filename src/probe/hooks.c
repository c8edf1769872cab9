// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "svatop/abi.h"
#include "probe/hooks.h"

#define FUNC(lc, fn, fe, fx, kp, krp, era_, opt, ev)			\
	{ .lifecycle = lc, .target = fn, .kind = HOOK_FUNC,		\
	  .fentry_prog = fe, .fexit_prog = fx, .kprobe_prog = kp,	\
	  .kretprobe_prog = krp, .era = era_, .optional = opt, .event = ev }

/* A function removed before the 6.8 era: absent there by definition. */
#define OLD_FUNC(lc, fn, fe, fx, kp, krp, era_, ev)			\
	{ .lifecycle = lc, .target = fn, .kind = HOOK_FUNC,		\
	  .fentry_prog = fe, .fexit_prog = fx, .kprobe_prog = kp,	\
	  .kretprobe_prog = krp, .era = era_, .optional = true,		\
	  .before_iommu_mm = true, .event = ev }

#define SVA_TP(lc, tp, prog, ev, ...)					\
	{ .lifecycle = lc, .target = tp, .kind = HOOK_SVA_TRACEPOINT,	\
	  .fentry_prog = prog, .optional = true, .event = ev,		\
	  .era = "kernels with svatop's iommu_sva tracepoints (patches/svatop)", \
	  .replaces = __VA_ARGS__ }

/* bpf/iopf.bpf.c: optional; src/source/iopf.c loads them when all of the
 * report, response and handler rows are present. */
#define IOPF(lc, fn, fe, fx, kp, krp, era_, proto)				\
	{ .lifecycle = lc, .target = fn, .kind = HOOK_FUNC,		\
	  .fentry_prog = fe, .fexit_prog = fx, .kprobe_prog = kp,	\
	  .kretprobe_prog = krp, .era = era_, .optional = true,		\
	  .iopf = true, .kprobe_first = true, .needs_proto = proto }

/*
 * Each era note names the kernel commit that made its row necessary: in the
 * era string itself (printed by `svatop probe`) or, where the string says a
 * version, in a comment above the row.
 */
const struct hook hooks[] = {
	FUNC("bind", "iommu_sva_bind_device", "fentry_bind", "fexit_bind",
	     "kprobe_bind", "kretprobe_bind", "every SVA kernel", false, SVATOP_EV_BIND),
	FUNC("unbind", "iommu_sva_unbind_device", "fentry_unbind", NULL,
	     "kprobe_unbind", NULL, "every SVA kernel", false, SVATOP_EV_UNBIND),
	FUNC("pasid alloc", "iommu_alloc_global_pasid", NULL, "fexit_pasid_alloc",
	     "kprobe_pasid_alloc", "kretprobe_pasid_alloc",
	     "since 2dcebc7ddce7 \"iommu: Move global PASID allocation from SVA to core\"", false, SVATOP_EV_PASID_ALLOC),
	FUNC("pasid free", "iommu_free_global_pasid", "fentry_pasid_free", NULL,
	     "kprobe_pasid_free", NULL,
	     "since 2dcebc7ddce7 \"iommu: Move global PASID allocation from SVA to core\"", false, SVATOP_EV_PASID_FREE),
	OLD_FUNC("pasid alloc", "ioasid_alloc", NULL, "fexit_ioasid_alloc",
		 "kprobe_ioasid_alloc", "kretprobe_ioasid_alloc",
		 "until 99b5726b4423 \"iommu: Remove ioasid infrastructure\"", SVATOP_EV_PASID_ALLOC),
	OLD_FUNC("pasid free", "ioasid_free", "fentry_ioasid_free", NULL,
		 "kprobe_ioasid_free", NULL,
		 "until 99b5726b4423 \"iommu: Remove ioasid infrastructure\"", SVATOP_EV_PASID_FREE),
	FUNC("attach", "iommu_attach_device_pasid", NULL, "fexit_attach",
	     "kprobe_attach", "kretprobe_attach",
	     "since 16603704559c \"iommu: Add attach/detach_dev_pasid iommu interfaces\"", false, SVATOP_EV_ATTACH),
	FUNC("detach", "iommu_detach_device_pasid", "fentry_detach", NULL,
	     "kprobe_detach", NULL,
	     "since 16603704559c \"iommu: Add attach/detach_dev_pasid iommu interfaces\"", false, SVATOP_EV_DETACH),
	FUNC("domain free", "iommu_domain_free", "fentry_domain_free", NULL,
	     "kprobe_domain_free", NULL,
	     "SVA domains since 136467962e49 \"iommu: Add IOMMU SVA domain support\"", false, SVATOP_EV_DOMAIN_FREE),
	/* Out of line (hookable) since commit cd3891158a77 ("iommu/sva: Move
	 * PASID helpers to sva code"), which moved it from an inline in
	 * include/linux/sched/mm.h into iommu-sva.c: that predates 6.8, so
	 * "6.8+" below is conservative. Since commit 092edaddb660 ("iommu:
	 * Support mm PASID 1:n with sva domains"), 6.8, it frees iommu_mm. */
	FUNC("mm teardown", "mm_pasid_drop", "fentry_mm_pasid_drop", NULL,
	     "kprobe_mm_pasid_drop", NULL,
	     "6.8+ out of line (inline before: use __mmdrop)", false, SVATOP_EV_MM_PASID_DROP),
	FUNC("mm teardown", "__mmdrop", "fentry_mmdrop", NULL,
	     "kprobe_mmdrop", NULL, "every kernel", false, SVATOP_EV_MMDROP),
	FUNC("fork reset", "mm_init", NULL, "fexit_mm_init",
	     "kprobe_mm_init", "kretprobe_mm_init", "every kernel", false, SVATOP_EV_FORK),
	{ .lifecycle = "process fork", .target = "sched:sched_process_fork",
	  .kind = HOOK_TRACEPOINT, .event = SVATOP_EV_PROC_FORK, .fentry_prog = "tp_btf_fork",
	  .kprobe_prog = "tp_fork", .era = "every kernel" },
	{ .lifecycle = "process exit", .target = "sched:sched_process_exit",
	  .kind = HOOK_TRACEPOINT, .event = SVATOP_EV_EXIT, .fentry_prog = "tp_btf_exit",
	  .kprobe_prog = "tp_exit", .era = "every kernel" },
	{ .lifecycle = "process exec", .target = "sched:sched_process_exec",
	  .kind = HOOK_TRACEPOINT, .event = SVATOP_EV_EXIT, .fentry_prog = "tp_btf_exec",
	  .kprobe_prog = "tp_exec", .era = "every kernel" },
	/* The old mm is still current's here: one load, where
	 * sched_process_exec must look every exec up (host tax). Since
	 * commit c82389947d90 ("tracing: Add sched_prepare_exec tracepoint"). */
	{ .lifecycle = "process exec", .target = "sched:sched_prepare_exec",
	  .kind = HOOK_TRACEPOINT, .event = SVATOP_EV_EXIT, .fentry_prog = "tp_btf_prepare_exec",
	  .era = "since 6.10", .optional = true,
	  .replaces = { "sched:sched_process_exec" } },
	{ .lifecycle = "snapshot", .target = "iter/task", .kind = HOOK_ITER,
	  .fentry_prog = "iter_snapshot",
	  .era = "since eaaacd23910f \"bpf: Add task and task/file iterator targets\"" },
	/* Device page faults (docs/iopf.md). The report takes a struct
	 * iopf_fault since commit 3f02a9dc7000 ("iommu: Merge
	 * iommu_fault_event and iopf_fault"); iopf_group_response() and
	 * iommu_sva_iopf_handler(struct iopf_group *) came with commit
	 * 17c51a0ea36b ("iommu: Separate SVA and IOPF"). The handler is
	 * dead code, dropped by the compiler, on kernels with the stub of
	 * commit 72f98ef9a4be ("iommu: disable SVA when CONFIG_X86 is
	 * set"). The invalidation hook is named so since commit
	 * 1af5a8109904 ("mmu_notifiers: rename invalidate_range
	 * notifier"). The two iommu commits were posted and queued after
	 * 6.8-rc1 (February 2024), so "6.8+" below may be one release early;
	 * no kernel between 6.8 and 7.3 was checked. */
	IOPF("iopf report", "iommu_report_device_fault", "fe_report", "fe_report_ret",
	     "kp_report", "kp_report_ret", "6.8+ form (struct iopf_fault)",
	     "struct iopf_fault *"),
	IOPF("iopf response", "iopf_group_response", NULL, "fe_response",
	     "kp_response", "kp_response_ret", "6.8+ (iopf groups)", "struct iopf_group *"),
	IOPF("iopf handler", "iommu_sva_iopf_handler", NULL, "fe_handler",
	     "kp_handler", "kp_handler_ret", "6.8+ kernels whose SVA works",
	     "struct iopf_group *"),
	IOPF("iotlb inval", "__mmu_notifier_arch_invalidate_secondary_tlbs", "fe_inval", NULL,
	     "kp_inval", NULL, "6.6+ (opt-in: every TLB flush of an mm with notifiers)",
	     "struct mm_struct *"),
	/* Our proposed tracepoints (patches/svatop/): preferred when present. */
	SVA_TP("bind", "iommu_sva:sva_bind", "tp_sva_bind", SVATOP_EV_BIND,
	       { "iommu_sva_bind_device" }),
	SVA_TP("unbind", "iommu_sva:sva_unbind", "tp_sva_unbind", SVATOP_EV_UNBIND,
	       { "iommu_sva_unbind_device" }),
	SVA_TP("domain alloc", "iommu_sva:sva_domain_alloc", "tp_sva_domain_alloc", SVATOP_EV_DOMAIN_ALLOC,
	       { NULL }),
	SVA_TP("domain free", "iommu_sva:sva_domain_free", "tp_sva_domain_free", SVATOP_EV_DOMAIN_FREE,
	       { "iommu_domain_free" }),
	SVA_TP("pasid alloc", "iommu_sva:sva_pasid_alloc", "tp_sva_pasid_alloc", SVATOP_EV_PASID_ALLOC,
	       { "iommu_alloc_global_pasid" }),
	SVA_TP("pasid free", "iommu_sva:sva_pasid_free", "tp_sva_pasid_free", SVATOP_EV_PASID_FREE,
	       { "iommu_free_global_pasid" }),
};

const int hooks_count = sizeof(hooks) / sizeof(hooks[0]);

int hook_prog_event(const char *prog)
{
	const struct hook *h;
	int i;

	for (i = 0; i < hooks_count; i++) {
		h = &hooks[i];
		/* the entry half of an fentry/fexit pair: its exit reports */
		if (h->fentry_prog && !strcmp(h->fentry_prog, prog))
			return h->fexit_prog ? 0 : h->event;
		if ((h->fexit_prog && !strcmp(h->fexit_prog, prog)) ||
		    (h->kprobe_prog && !strcmp(h->kprobe_prog, prog)) ||
		    (h->kretprobe_prog && !strcmp(h->kretprobe_prog, prog)))
			return h->event;
	}
	return 0;
}

const struct hook *hook_find(const char *target)
{
	int i;

	for (i = 0; i < hooks_count; i++)
		if (!strcmp(hooks[i].target, target))
			return &hooks[i];
	return NULL;
}
