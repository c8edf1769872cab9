# SPDX-License-Identifier: GPL-2.0
# Model benchmarks (timings, not pass/fail): make bench-model [BENCH_N=...]
BENCH_N ?= 1048575

$(OUTPUT)/bench-model: $(OUTPUT)/libsvatop.a src/model/bench.h | $(OUTPUT)
	$(call msg,LINK,$@)
	$(Q)printf '%s\n' '#include <stdio.h>' '#include <stdlib.h>' '#include "model/bench.h"' \
		'int main(int argc, char **argv)' '{' \
		'	unsigned n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1048575;' \
		'	struct model_bench_result r;' \
		'	if (model_bench_cycles(100000, &r)) return 1;' \
		'	printf("cycles: %llu events in %.3f s: %.2f M events/s; model empty after: %zu objects\n", (unsigned long long)r.events, r.seconds, r.events / r.seconds / 1e6, r.objects);' \
		'	if (model_bench_live(n, &r)) return 1;' \
		'	printf("live: %u PASIDs bound (%llu events) in %.3f s: %.2f M events/s\n", n, (unsigned long long)r.events, r.seconds, r.events / r.seconds / 1e6);' \
		'	printf("live: %zu objects, %.1f MiB, %zu bytes/object\n", r.objects, r.bytes / 1048576.0, r.bytes / r.objects);' \
		'	printf("live: one leak scan (half exited): %u findings in %.3f s\n", r.findings, r.leak_scan_seconds);' \
		'	return 0;' '}' >$(OUTPUT)/bench-model.c
	$(Q)$(CC) $(CFLAGS) $(OUTPUT)/bench-model.c $(OUTPUT)/libsvatop.a $(LDLIBS) -o $@

.PHONY: bench-model
bench-model: $(OUTPUT)/bench-model
	$(Q)$(OUTPUT)/bench-model $(BENCH_N)
