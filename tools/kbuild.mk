# SPDX-License-Identifier: GPL-2.0
# The lab kernel: Debian's linux-source of the lab kernel's series, a small
# config (tools/kbuild/lab.config) and KERNEL_PATCHES, plus the mock IOMMU
# module built against it. Long (see tools/kbuild/README.md); never part of
# `make check`. Results are cached under tools/kbuild/cache (KB_CACHE).
#   make lab-kernel                                  our tracepoints
#   make lab-kernel KERNEL_PATCHES="patches/svatop/*.patch patches/experiments/*.patch"
#                                                    + the injected fork bug, with KASAN
#   make lab-kernel KERNEL_PATCHES=                  no patch (Debian's code)
# A kernel that carries an injected bug (a patch from patches/experiments/)
# is built with KASAN (tools/kbuild/kasan.config), so the kernel reports
# the bug at its first bad access; KERNEL_CONFIGS overrides the extra
# config fragments.
KERNEL_PATCHES ?= patches/svatop/*.patch
KERNEL_NAME ?=
KERNEL_CONFIGS ?= $(if $(findstring patches/experiments/,$(KERNEL_PATCHES)),tools/kbuild/kasan.config)

lab-kernel:
	$(Q)tools/kbuild/lab-kernel $(if $(KERNEL_NAME),-n $(KERNEL_NAME)) \
		$(addprefix -c ,$(KERNEL_CONFIGS)) $(KERNEL_PATCHES)

# Boot both lab kernels and check the tracepoints and the injected fork bug
# from ftrace (tools/kbuild/check); needs both `make lab-kernel` runs above.
lab-kernel-check:
	$(Q)tools/kbuild/check tracepoints && tools/kbuild/check forkbug

.PHONY: lab-kernel-check
