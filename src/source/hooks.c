// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "source/hooks.h"

#define FUNC(lc, fn, fe, fx, kp, krp, era_, opt)				\
	{ .lifecycle = lc, .target = fn, .kind = HOOK_FUNC,		\
	  .fentry_prog = fe, .fexit_prog = fx, .kprobe_prog = kp,	\
	  .kretprobe_prog = krp, .era = era_, .optional = opt }

#define SVA_TP(lc, tp, prog, ...)					\
	{ .lifecycle = lc, .target = tp, .kind = HOOK_SVA_TRACEPOINT,	\
	  .fentry_prog = prog, .optional = true,			\
	  .era = "kernels with svatop's iommu_sva tracepoints (patches/svatop)", \
	  .replaces = __VA_ARGS__ }

const struct hook hooks[] = {
	FUNC("bind", "iommu_sva_bind_device", "fentry_bind", "fexit_bind",
	     "kprobe_bind", "kretprobe_bind", "every SVA kernel", false),
	FUNC("unbind", "iommu_sva_unbind_device", "fentry_unbind", NULL,
	     "kprobe_unbind", NULL, "every SVA kernel", false),
	FUNC("pasid alloc", "iommu_alloc_global_pasid", NULL, "fexit_pasid_alloc",
	     "kprobe_pasid_alloc", "kretprobe_pasid_alloc",
	     "6.6+ (global PASID IDA)", false),
	FUNC("pasid free", "iommu_free_global_pasid", "fentry_pasid_free", NULL,
	     "kprobe_pasid_free", NULL, "6.6+ (global PASID IDA)", false),
	FUNC("pasid alloc", "ioasid_alloc", NULL, "fexit_ioasid_alloc",
	     "kprobe_ioasid_alloc", "kretprobe_ioasid_alloc",
	     "6.1 and older (ioasid allocator)", true),
	FUNC("pasid free", "ioasid_free", "fentry_ioasid_free", NULL,
	     "kprobe_ioasid_free", NULL, "6.1 and older (ioasid allocator)", true),
	FUNC("attach", "iommu_attach_device_pasid", NULL, "fexit_attach",
	     "kprobe_attach", "kretprobe_attach", "6.2+ (SVA domains)", false),
	FUNC("detach", "iommu_detach_device_pasid", "fentry_detach", NULL,
	     "kprobe_detach", NULL, "6.2+ (SVA domains)", false),
	FUNC("domain free", "iommu_domain_free", "fentry_domain_free", NULL,
	     "kprobe_domain_free", NULL, "6.2+ (SVA domains)", false),
	FUNC("mm teardown", "mm_pasid_drop", "fentry_mm_pasid_drop", NULL,
	     "kprobe_mm_pasid_drop", NULL,
	     "6.8+ out of line (inline before: use __mmdrop)", false),
	FUNC("mm teardown", "__mmdrop", "fentry_mmdrop", NULL,
	     "kprobe_mmdrop", NULL, "every kernel", false),
	FUNC("fork reset", "mm_init", NULL, "fexit_mm_init",
	     "kprobe_mm_init", "kretprobe_mm_init", "every kernel", false),
	{ .lifecycle = "process fork", .target = "sched:sched_process_fork",
	  .kind = HOOK_TRACEPOINT, .fentry_prog = "tp_btf_fork",
	  .kprobe_prog = "tp_fork", .era = "every kernel" },
	{ .lifecycle = "process exit", .target = "sched:sched_process_exit",
	  .kind = HOOK_TRACEPOINT, .fentry_prog = "tp_btf_exit",
	  .kprobe_prog = "tp_exit", .era = "every kernel" },
	{ .lifecycle = "process exec", .target = "sched:sched_process_exec",
	  .kind = HOOK_TRACEPOINT, .fentry_prog = "tp_btf_exec",
	  .kprobe_prog = "tp_exec", .era = "every kernel" },
	{ .lifecycle = "snapshot", .target = "iter/task", .kind = HOOK_ITER,
	  .fentry_prog = "iter_snapshot", .era = "5.8+" },
	/* Our proposed tracepoints (patches/svatop/): preferred when present. */
	SVA_TP("bind", "iommu_sva:sva_bind", "tp_sva_bind",
	       { "iommu_sva_bind_device" }),
	SVA_TP("unbind", "iommu_sva:sva_unbind", "tp_sva_unbind",
	       { "iommu_sva_unbind_device" }),
	SVA_TP("domain alloc", "iommu_sva:sva_domain_alloc", "tp_sva_domain_alloc",
	       { NULL }),
	SVA_TP("domain free", "iommu_sva:sva_domain_free", "tp_sva_domain_free",
	       { "iommu_domain_free" }),
	SVA_TP("pasid alloc", "iommu_sva:sva_pasid_alloc", "tp_sva_pasid_alloc",
	       { "iommu_alloc_global_pasid" }),
	SVA_TP("pasid free", "iommu_sva:sva_pasid_free", "tp_sva_pasid_free",
	       { "iommu_free_global_pasid" }),
};

const int hooks_count = sizeof(hooks) / sizeof(hooks[0]);

const struct hook *hook_find(const char *target)
{
	int i;

	for (i = 0; i < hooks_count; i++)
		if (!strcmp(hooks[i].target, target))
			return &hooks[i];
	return NULL;
}
