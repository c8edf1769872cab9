# SPDX-License-Identifier: GPL-2.0
# The lab kernel: Debian's linux-source of the lab kernel's series, a small
# config (tools/kbuild/lab.config) and KERNEL_PATCHES, plus the mock IOMMU
# module built against it. Long (see tools/kbuild/README.md); never part of
# `make check`. Results are cached under tools/kbuild/cache.
#   make lab-kernel                                  our tracepoints
#   make lab-kernel KERNEL_PATCHES="patches/svatop/*.patch patches/experiments/*.patch"
#   make lab-kernel KERNEL_PATCHES=                  no patch (Debian's code)
KERNEL_PATCHES ?= patches/svatop/*.patch
KERNEL_NAME ?=

lab-kernel:
	$(Q)tools/kbuild/lab-kernel $(if $(KERNEL_NAME),-n $(KERNEL_NAME)) $(KERNEL_PATCHES)

# Boot both lab kernels and check the tracepoints and the injected fork bug
# from ftrace (tools/kbuild/check); needs both `make lab-kernel` runs above.
lab-kernel-check:
	$(Q)tools/kbuild/check tracepoints && tools/kbuild/check forkbug

.PHONY: lab-kernel-check
