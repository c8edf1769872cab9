# SPDX-License-Identifier: GPL-2.0
# Debian packages (debian/, tools/deb/, docs/packaging.md). Included by the
# top-level Makefile. DEB_SUITES=bookworm (or trixie) builds one release.

DEB_SUITES ?= bookworm trixie

.PHONY: deb deb-test

# Each suite's package, built in a clean chroot of that release and checked
# with its lintian: .output/deb/SUITE/svatop_VERSION_ARCH.deb.
deb:
	$(Q)tools/deb/build $(DEB_SUITES)

# Install each package into a fresh chroot, run it, purge it (TAP lines).
deb-test: deb
	$(Q)tools/deb/test $(DEB_SUITES)
