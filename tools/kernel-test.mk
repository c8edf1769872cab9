# SPDX-License-Identifier: GPL-2.0
# svatop on kernels we build (tests/kernel/): our iommu_sva tracepoints, and
# the fork fix reverted. Builds both lab kernels first (cached; the first
# build takes about 13 minutes on 2 cores). Not part of `make check`.
lab-kernel-test: test-bins
	$(Q)$(MAKE) --no-print-directory lab-kernel KERNEL_PATCHES="patches/svatop/*.patch"
	$(Q)$(MAKE) --no-print-directory lab-kernel \
		KERNEL_PATCHES="patches/svatop/*.patch patches/experiments/*.patch"
	$(Q)tests/run kernel

.PHONY: lab-kernel-test
