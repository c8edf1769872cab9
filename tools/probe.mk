# SPDX-License-Identifier: GPL-2.0
# svatop probe: `--image` unpacks xz and zstd kernel payloads itself.
LDLIBS        += -llzma -lzstd
STATIC_LDLIBS += -llzma -lzstd
# main.c refers to commands weakly, and a weak reference does not pull an
# object out of libsvatop.a: ask the linker for cmd_probe explicitly.
$(OUTPUT)/svatop $(OUTPUT)/svatop-static: CFLAGS += -Wl,-u,cmd_probe
