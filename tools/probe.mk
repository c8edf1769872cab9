# SPDX-License-Identifier: GPL-2.0
# svatop probe: `--image` unpacks xz and zstd kernel payloads itself.
LDLIBS        += -llzma -lzstd
STATIC_LDLIBS += -llzma -lzstd
