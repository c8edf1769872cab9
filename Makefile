# SPDX-License-Identifier: GPL-2.0
# svatop: one plain Makefile. Every build product goes to .output/.
# `make V=1` prints full commands.

OUTPUT     ?= .output
CLANG      ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL    ?= bpftool
CC         ?= cc
PKG_CONFIG ?= pkg-config

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
BPF_ARCH ?= $(ARCH)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
# CFLAGS, CPPFLAGS and LDFLAGS from the environment are kept (dpkg-buildflags).
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -Iinclude -Isrc -I$(OUTPUT) -D_GNU_SOURCE
# Each object's header dependencies, written by the compiler (.d beside the .o).
DEPFLAGS = -MMD -MP
# svatop probe's --image unpacks xz and zstd kernel payloads itself.
LDLIBS  += -lbpf -lelf -lz -ljansson -lncursesw -ltinfo -lmicrohttpd -lm -lpthread -llzma -lzstd

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror \
	-fms-extensions -Wno-microsoft-anon-tag \
	-Iinclude -Ibpf -Ibpf/vmlinux/$(BPF_ARCH) \
	-ffile-prefix-map=$(CURDIR)=.

# Every .c under src/ except main.c is part of libsvatop (unit tests link it).
LIB_SRCS := $(filter-out src/main.c,$(shell find src -name '*.c' | sort))
LIB_OBJS := $(patsubst src/%.c,$(OUTPUT)/obj/%.o,$(LIB_SRCS))
SAN_OBJS := $(patsubst src/%.c,$(OUTPUT)/san/%.o,$(LIB_SRCS))
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# The test-support library (the synthetic SVA kernel): linked by the unit
# tests, the benchmarks and the fuzz corpus generator, never by svatop.
TEST_LIB_SRCS := $(wildcard tests/support/*.c)
TEST_LIB_OBJS := $(patsubst tests/support/%.c,$(OUTPUT)/obj/tests/%.o,$(TEST_LIB_SRCS))
TEST_LIB_SAN_OBJS := $(patsubst tests/support/%.c,$(OUTPUT)/san/tests/%.o,$(TEST_LIB_SRCS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))

PREFIX ?= /usr/local

.PHONY: all clean deps check unit lab-test test-bins demo static bench install bpf-arm64 \
	lab-kernel lab-shell fuzz kernel-data
.DELETE_ON_ERROR:
.SECONDARY: $(BPF_OBJS)

all: $(OUTPUT)/svatop

$(OUTPUT) $(OUTPUT)/obj $(OUTPUT)/san $(OUTPUT)/tests:
	$(Q)mkdir -p $@

# ---- BPF ---------------------------------------------------------------
$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(wildcard include/svatop/*.h) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# ---- user space --------------------------------------------------------
# Header dependencies come from the compiler (-MMD -MP); only the users of
# the BPF skeleton depend on it, so a change to the BPF program rebuilds
# the live source, not the model.
SKEL_USERS := source/live.o source/iopf.o source/kaddr.o
$(foreach o,$(SKEL_USERS),$(OUTPUT)/obj/$(o) $(OUTPUT)/san/$(o)): $(BPF_SKELS)

$(OUTPUT)/obj/%.o: src/%.c | $(OUTPUT)/obj
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(OUTPUT)/san/%.o: src/%.c | $(OUTPUT)/san
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) $(SAN_FLAGS) -c $< -o $@

$(OUTPUT)/obj/tests/%.o: tests/support/%.c | $(OUTPUT)/obj
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(OUTPUT)/san/tests/%.o: tests/support/%.c | $(OUTPUT)/san
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) $(SAN_FLAGS) -c $< -o $@

$(OUTPUT)/libsvatop.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/libsvatop-san.a: $(SAN_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/libsvatop-test.a: $(TEST_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/libsvatop-test-san.a: $(TEST_LIB_SAN_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# Objects, not the archive: main.c refers to commands weakly, and weak
# references do not pull members out of an archive.
$(OUTPUT)/svatop: $(OUTPUT)/obj/main.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Static binary for the lab VM (no shared libraries there). Without the
# exporter: Debian ships no static GnuTLS for libmicrohttpd.
STATIC_LDLIBS := -lbpf -lelf -lz -ljansson -lncursesw -ltinfo -lm -lpthread -llzma -lzstd
# check --user takes numeric ids only there (SVATOP_STATIC in spawn.c): the
# name lookups need glibc's NSS modules, which a static binary cannot load.
STATIC_OBJS := $(filter-out $(OUTPUT)/obj/view/exporter% $(OUTPUT)/obj/common/spawn.o,$(LIB_OBJS)) \
	$(OUTPUT)/obj/static/spawn.o
$(OUTPUT)/obj/static/spawn.o: src/common/spawn.c | $(OUTPUT)/obj
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -DSVATOP_STATIC -c $< -o $@

$(OUTPUT)/svatop-static: $(OUTPUT)/obj/main.o $(STATIC_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -static $^ $(STATIC_LDLIBS) -o $@

static: $(OUTPUT)/svatop-static

# The BPF object built for arm64 (checked against arm64 BTF by tests/host/core_reloc.sh).
bpf-arm64:
	$(Q)$(MAKE) --no-print-directory BPF_ARCH=arm64 OUTPUT=$(OUTPUT)/arm64 $(OUTPUT)/arm64/svatop.bpf.o


# ---- tests -------------------------------------------------------------
# The five real Debian kernels' BTF, System.map subset and config, carried
# xz-compressed in tests/data/kernels and unpacked here for the tests only.
KDATA := $(patsubst tests/data/kernels/%.xz,$(OUTPUT)/kernels/%,\
	$(wildcard tests/data/kernels/*/*.xz))

$(OUTPUT)/kernels/%: tests/data/kernels/%.xz
	$(call msg,XZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)xz -dc $< >$@.tmp && mv $@.tmp $@

kernel-data: $(KDATA)

$(OUTPUT)/tests/%: tests/unit/%.c $(OUTPUT)/libsvatop-test-san.a $(OUTPUT)/libsvatop-san.a | $(OUTPUT)/tests
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) $(LDFLAGS) $(SAN_FLAGS) -Itests/unit -Itests/support $< \
		$(OUTPUT)/libsvatop-test-san.a $(OUTPUT)/libsvatop-san.a -lcmocka $(LDLIBS) -o $@
$(OUTPUT)/tests/test_probe_verifier: $(BPF_SKELS)

test-bins: $(UNIT_BINS) $(OUTPUT)/svatop $(OUTPUT)/svatop-static kernel-data

unit: $(UNIT_BINS) $(OUTPUT)/svatop kernel-data
	$(Q)tests/run unit

lab-test: test-bins
	$(Q)tests/run lab

# `make check`: first `make deps` (installs what is missing: the README's
# two-command promise), then build and run every test, one summary line.
check:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory test-bins
	$(Q)tests/run all

deps:
	$(Q)tools/deps.sh

demo: deps $(OUTPUT)/svatop $(OUTPUT)/svatop-static
	$(Q)tools/demo.sh

bench: deps $(OUTPUT)/svatop $(OUTPUT)/svatop-static
	$(Q)tools/bench/run

install: $(OUTPUT)/svatop
	install -D -m 0755 $(OUTPUT)/svatop $(DESTDIR)$(PREFIX)/sbin/svatop
	install -D -m 0644 docs/svatop.8 $(DESTDIR)$(PREFIX)/share/man/man8/svatop.8
	install -D -m 0644 tools/completion/svatop.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/svatop

lab-shell: test-bins
	$(Q)tools/lab/run --shell

clean:
	rm -rf $(OUTPUT)

-include $(wildcard tools/*.mk)
# (no directory yet: no find, which would search the whole tree, lab chroots included)
DEP_DIRS := $(wildcard $(addprefix $(OUTPUT)/,obj san tests bench fuzz))
-include $(if $(DEP_DIRS),$(shell find $(DEP_DIRS) -name '*.d' -type f 2>/dev/null))
