# SPDX-License-Identifier: GPL-2.0
# The SVA lab (tools/lab/, docs/lab.md). Included by the top-level Makefile.
# `make lab-shell` and `make lab-test` are defined there. LAB_KERNEL=RELEASE
# picks another Debian kernel (default: newest of trixie-backports).

LAB := tools/lab

.PHONY: lab-kernel-fetch lab-buildroot lab-module lab-svaload lab-prepare \
	lab-scenario lab-clean

# Download (once) and unpack the lab kernel; prints its cache folder.
lab-kernel-fetch:
	$(Q)$(LAB)/fetch

# The debootstrap build root of the kernel's release, headers unpacked.
lab-buildroot:
	$(Q)$(LAB)/buildroot "$$($(LAB)/fetch)"

# svamock.ko for the lab kernel; prints its path.
lab-module:
	$(Q)$(LAB)/build-module "$$($(LAB)/fetch)"

lab-svaload: $(OUTPUT)/lab/svaload

$(OUTPUT)/lab/svaload: $(wildcard $(LAB)/svaload/*.[ch]) $(LAB)/svamock/svamock_uapi.h
	$(call msg,CC,$@)
	$(Q)$(LAB)/build-svaload >/dev/null

# Everything a VM run needs, without booting.
lab-prepare: lab-module lab-svaload

# make lab-scenario SCENARIO=one_to_n: run one shipped scenario in the VM.
SCENARIO ?= single
lab-scenario: lab-svaload
	$(Q)$(LAB)/run -- svaload $(SCENARIO)

# Remove every fetched kernel, build root and module.
lab-clean:
	$(Q)! grep -q ' $(abspath $(LAB))/cache/chroot/[^ ]*/proc ' /proc/mounts || \
		{ echo "lab-clean: a build root still has /proc mounted" >&2; exit 1; }
	rm -rf $(LAB)/cache
