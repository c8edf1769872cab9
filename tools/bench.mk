# SPDX-License-Identifier: GPL-2.0
# Benchmarks (`make bench`, never part of the pass/fail tests) and the
# record reader's fuzz target (`make fuzz`). Included by the Makefile.

BENCH_DIR  := $(OUTPUT)/bench
BENCH_FRONTEND := $(BENCH_DIR)/svatop-bench-frontend

$(BENCH_DIR):
	$(Q)mkdir -p $@

# Header dependencies: the .d files -MMD writes beside each program.
$(BENCH_FRONTEND): tools/bench/frontend.c tools/bench/gen.c $(OUTPUT)/libsvatop-test.a \
		$(OUTPUT)/libsvatop.a | $(BENCH_DIR)
	$(call msg,CC-BENCH,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Itools/bench -Itests/support tools/bench/frontend.c \
		tools/bench/gen.c $(OUTPUT)/libsvatop-test.a $(OUTPUT)/libsvatop.a $(LDLIBS) -o $@

bench: $(BENCH_FRONTEND)

# The per-operation cost table (tools/bench/helpercost.c, run in the lab by
# tools/bench/lab): static, like svatop-static, for the VM.
BENCH_HELPERCOST := $(BENCH_DIR)/helpercost
$(BENCH_DIR)/helpercost.bpf.o: tools/bench/helpercost.bpf.c | $(BENCH_DIR)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@
$(BENCH_DIR)/helpercost.skel.h: $(BENCH_DIR)/helpercost.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@
$(BENCH_HELPERCOST): tools/bench/helpercost.c $(BENCH_DIR)/helpercost.skel.h
	$(call msg,CC-BENCH,$@)
	$(Q)$(CC) $(CFLAGS) -I$(BENCH_DIR) -static $< -lbpf -lelf -lz -lzstd -o $@

bench: $(BENCH_HELPERCOST)

# ---- fuzzing -------------------------------------------------------------
# Two libFuzzer targets (clang, compiler-rt), built with SVATOP_FUZZ_NO_CRC:
# the reader ignores the CRC-32 and zlib's Adler-32, so mutated input gets
# past the checksums to the logic (never how svatop itself is built).
#   fuzz_recfile  a recording: the reader, the session, the rules, the verdict
#   fuzz_events   raw event arrays: the session, the model, the rules and
#                 every view's renderer and the exporter's text
# `make fuzz` runs each for FUZZ_TIME seconds on a copy of its seed corpus;
# `make fuzz-long` runs each for FUZZ_LONG_TIME seconds and reports its
# executions and coverage counters (.output/fuzz/*.stats);
# tests/host/fuzz_recfile.sh replays the corpora and fuzzes briefly.
FUZZ_DIR    := $(OUTPUT)/fuzz
FUZZ_TARGET := $(FUZZ_DIR)/fuzz_recfile
FUZZ_EVENTS := $(FUZZ_DIR)/fuzz_events
FUZZ_TIME   ?= 60
FUZZ_LONG_TIME ?= 600
FUZZ_SRCS   := tests/fuzz/fuzz_recfile.c src/source/recfile.c src/common/safefile.c src/pipeline/session.c src/pipeline/reorder.c \
	$(wildcard src/model/*.c) $(wildcard src/analyze/*.c)
# Everything but main.c, the live sources (BPF: lifecycle and IOPF), the
# exporter's HTTP server and svatop probe (the fuzz target stubs
# live_source_open() and the iopf_source_* calls).
FUZZ_EVENTS_SRCS := tests/fuzz/fuzz_events.c $(filter-out src/source/live.c src/source/iopf.c src/source/kaddr.c \
	src/view/exporter.c src/view/exporter_http.c \
	$(wildcard src/probe/*.c),$(LIB_SRCS))
FUZZ_FLAGS  := -g -O1 -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -Iinclude -Isrc -D_GNU_SOURCE -DSVATOP_FUZZ_NO_CRC \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_RUN    := -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1

$(FUZZ_DIR):
	$(Q)mkdir -p $@

$(FUZZ_TARGET): $(FUZZ_SRCS) | $(FUZZ_DIR)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $(DEPFLAGS) $(FUZZ_SRCS) -lz -lzstd -o $@

$(FUZZ_EVENTS): $(FUZZ_EVENTS_SRCS) | $(FUZZ_DIR)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $(DEPFLAGS) $(FUZZ_EVENTS_SRCS) -lz -lzstd -ljansson -lncursesw -ltinfo -lm -o $@

$(FUZZ_DIR)/mkcorpus: tests/fuzz/mkcorpus.c tools/bench/gen.c $(OUTPUT)/libsvatop-test.a \
		$(OUTPUT)/libsvatop.a | $(FUZZ_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Itools/bench -Itests/support $< tools/bench/gen.c \
		$(OUTPUT)/libsvatop-test.a $(OUTPUT)/libsvatop.a $(LDLIBS) -o $@

# The recordings, then the same recordings as event arrays (the second
# target's seeds).
fuzz-corpus: $(FUZZ_DIR)/mkcorpus
	$(Q)$< tests/fuzz/corpus
	$(Q)$< --events tests/fuzz/corpus tests/fuzz/corpus-events

# fuzz_one TARGET SECONDS CORPUS: fuzz on a scratch copy of the corpus;
# the stats (executions, coverage counters) in $(FUZZ_DIR)/NAME.stats.
define fuzz_one
	$(Q)rm -rf $(FUZZ_DIR)/work-$(notdir $(1)) && mkdir -p $(FUZZ_DIR)/work-$(notdir $(1)) \
		$(FUZZ_DIR)/artifacts
	$(Q)$(1) -max_total_time=$(2) $(FUZZ_RUN) -artifact_prefix=$(FUZZ_DIR)/artifacts/ \
		$(FUZZ_DIR)/work-$(notdir $(1)) $(3) 2>$(FUZZ_DIR)/$(notdir $(1)).log; \
		rc=$$?; tools/fuzz-stats $(FUZZ_DIR)/$(notdir $(1)).log | tee $(FUZZ_DIR)/$(notdir $(1)).stats; \
		exit $$rc
endef

fuzz: $(FUZZ_TARGET) $(FUZZ_EVENTS)
	$(call fuzz_one,$(FUZZ_TARGET),$(FUZZ_TIME),tests/fuzz/corpus)
	$(call fuzz_one,$(FUZZ_EVENTS),$(FUZZ_TIME),tests/fuzz/corpus-events)

fuzz-long: $(FUZZ_TARGET) $(FUZZ_EVENTS)
	$(call fuzz_one,$(FUZZ_TARGET),$(FUZZ_LONG_TIME),tests/fuzz/corpus)
	$(call fuzz_one,$(FUZZ_EVENTS),$(FUZZ_LONG_TIME),tests/fuzz/corpus-events)

.PHONY: fuzz-corpus fuzz-long

# ---- model benchmark: make bench-model [BENCH_N=...] ------------------------
BENCH_N ?= 1048575
BENCH_MODEL := $(BENCH_DIR)/svatop-bench-model

$(BENCH_MODEL): tools/bench/model.c $(OUTPUT)/libsvatop-test.a $(OUTPUT)/libsvatop.a | $(BENCH_DIR)
	$(call msg,CC-BENCH,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Itests/support $< $(OUTPUT)/libsvatop-test.a \
		$(OUTPUT)/libsvatop.a $(LDLIBS) -o $@

.PHONY: bench-model
bench-model: $(BENCH_MODEL)
	$(Q)$< $(BENCH_N)
