# SPDX-License-Identifier: GPL-2.0
# Benchmarks (`make bench`, never part of the pass/fail tests) and the
# record reader's fuzz target (`make fuzz`). Included by the Makefile.

BENCH_DIR  := $(OUTPUT)/bench
BENCH_FRONTEND := $(BENCH_DIR)/svatop-bench-frontend

$(BENCH_DIR):
	$(Q)mkdir -p $@

$(BENCH_FRONTEND): tools/bench/frontend.c tools/bench/gen.c tools/bench/gen.h \
		$(OUTPUT)/libsvatop.a $(HDRS) | $(BENCH_DIR)
	$(call msg,CC-BENCH,$@)
	$(Q)$(CC) $(CFLAGS) -Itools/bench tools/bench/frontend.c tools/bench/gen.c \
		$(OUTPUT)/libsvatop.a $(LDLIBS) -o $@

bench: $(BENCH_FRONTEND)

# ---- fuzzing -------------------------------------------------------------
# libFuzzer (clang, compiler-rt) on the record reader and what replay feeds
# it to. `make fuzz` runs it for FUZZ_TIME seconds on a copy of the seed
# corpus; tests/host/fuzz_recfile.sh replays the corpus and fuzzes briefly.
FUZZ_DIR    := $(OUTPUT)/fuzz
FUZZ_TARGET := $(FUZZ_DIR)/fuzz_recfile
FUZZ_TIME   ?= 60
FUZZ_SRCS   := tests/fuzz/fuzz_recfile.c src/source/recfile.c \
	$(wildcard src/model/*.c) $(wildcard src/analyze/*.c)
FUZZ_FLAGS  := -g -O1 -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -Iinclude -Isrc -D_GNU_SOURCE \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer

$(FUZZ_DIR):
	$(Q)mkdir -p $@

$(FUZZ_TARGET): $(FUZZ_SRCS) $(HDRS) | $(FUZZ_DIR)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $(FUZZ_SRCS) -lz -o $@

$(FUZZ_DIR)/mkcorpus: tests/fuzz/mkcorpus.c tools/bench/gen.c $(OUTPUT)/libsvatop.a $(HDRS) | $(FUZZ_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itools/bench $< tools/bench/gen.c $(OUTPUT)/libsvatop.a $(LDLIBS) -o $@

fuzz-corpus: $(FUZZ_DIR)/mkcorpus
	$(Q)$< tests/fuzz/corpus

fuzz: $(FUZZ_TARGET)
	$(Q)rm -rf $(FUZZ_DIR)/work && mkdir -p $(FUZZ_DIR)/work $(FUZZ_DIR)/artifacts
	$(Q)$(FUZZ_TARGET) -max_total_time=$(FUZZ_TIME) -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/artifacts/ $(FUZZ_DIR)/work tests/fuzz/corpus

.PHONY: fuzz-corpus
