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
