# SPDX-License-Identifier: GPL-2.0
# The bug zoo (docs/bugzoo.md): real SVA lifecycle bugs from the kernel's
# history re-injected into the lab kernel (patches/experiments/zoo/), each
# built with KASAN in the experiments+svatop+kasan work tree (only what
# the patch changes is rebuilt; results cached by key), booted with the
# scenarios of tests/kernel/bugs/ that name it, and the same scenarios on
# the reference kernel `svatop` as the control; the results go into
# docs/bugzoo.md. Long (a KASAN kernel first, then minutes per bug): never
# part of `make check`. BUGS="sharing ..." picks some.
BUGS ?=

bugzoo: test-bins
	$(Q)$(MAKE) --no-print-directory lab-kernel KERNEL_PATCHES="patches/svatop/*.patch"
	$(Q)tools/kbuild/bugzoo $(BUGS)

.PHONY: bugzoo
