#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages svatop builds, tests and runs the lab with.
# Only what is missing is installed; nothing when all is present.
set -eu
pkgs=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config make gcc
      libcmocka-dev libjansson-dev libncurses-dev libmicrohttpd-dev
      qemu-system-x86 debootstrap busybox-static cpio kmod xz-utils zstd
      tmux graphviz groff-base valgrind ca-certificates curl
      liblzma-dev libzstd-dev jq
      libclang-rt-14-dev
      prometheus
      bash-completion
      libxml2-utils
      perl git util-linux
      systemd strace  # tests/host/deb_unit.sh: systemd-analyze, the exporter's system calls
      flex bison bc libssl-dev dwarves libdw-dev rsync)  # the last line: make lab-kernel
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run 'make deps' as root" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
