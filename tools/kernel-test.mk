# SPDX-License-Identifier: GPL-2.0
# svatop on kernels we build (tests/kernel/): our iommu_sva tracepoints
# (tracepoints.sh), and the injected bugs of patches/experiments on a KASAN
# kernel, one VM boot per scenario (bugs.sh, tests/kernel/bugs/*.bug).
# Builds both lab kernels first (cached; a first build takes about 13 minutes
# on 2 uncontended cores, the KASAN one more: tools/kbuild/README.md). Not
# part of `make check`.
lab-kernel-test: test-bins
	$(Q)$(MAKE) --no-print-directory lab-kernel KERNEL_PATCHES="patches/svatop/*.patch"
	$(Q)$(MAKE) --no-print-directory lab-kernel \
		KERNEL_PATCHES="patches/svatop/*.patch patches/experiments/*.patch"
	$(Q)tests/run kernel

.PHONY: lab-kernel-test
