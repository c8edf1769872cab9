// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the record-file reader (file_source_open and its
 * poll), followed by what `svatop replay` does with the records: the
 * analyzer, the model, the leak rules and the verdict. Any input must end
 * in a clean refusal or a complete replay: no crash, no sanitizer report,
 * no leak. Built and run by `make fuzz`; tests/host/fuzz_recfile.sh
 * replays the corpus and fuzzes for a bounded time.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "analyze/analyzer.h"
#include "common/log.h"
#include "model/model.h"
#include "source/recfile.h"
#include "source/source.h"

/* The reader's messages are formatted (their arguments checked by the
 * sanitizers) but not printed: thousands per second would drown the
 * fuzzer's own output. FUZZ_VERBOSE=1 prints them. */
bool log_verbose;
static bool verbose;

static void log_line(const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (verbose)
		fprintf(stderr, "svatop: %s\n", buf);
}

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(fmt, ap);
	va_end(ap);
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(fmt, ap);
	va_end(ap);
}

struct replay {
	struct analyzer a;
	struct model m;
};

static int apply(const struct svatop_event *ev, void *ctx)
{
	struct replay *r = ctx;

	analyzer_event(&r->a, &r->m, ev);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	static struct replay r;
	struct finding_list leaks;
	struct source_stats st;
	struct source *src;
	int ret, rounds = 0;

	if (fd < 0) {
		fd = memfd_create("svatop-fuzz", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	if (file_source_open(&src, path))
		return 0;
	if (!file_source_header(src) || !src->ops->describe(src))
		abort();
	if (model_init(&r.m))
		abort();
	analyzer_init(&r.a, ANALYZER_DEFAULT_GRACE_NS);
	do {
		ret = source_poll(src, 0, apply, &r);
		/* A finite source ends; it never spins without progress. */
		if (ret == 0 && ++rounds > 1000)
			abort();
	} while (ret > 0 || ret == 0);
	if (ret != -ENODATA && ret != -EBADMSG)
		abort();
	/* After the end (or an error), the source stays ended. */
	if (ret == -ENODATA && source_poll(src, 0, apply, &r) != -ENODATA)
		abort();
	source_stats(src, &st);
	if (st.delivered != r.m.cnt.events + r.m.cnt.bad_records)
		abort();
	finding_list_init(&leaks);
	analyzer_leaks(&r.a, &r.m, r.m.now_ns, &leaks);
	analyzer_verdict(&r.a, &r.m, leaks.len, st.dropped);
	finding_list_fini(&leaks);
	source_close(src);
	analyzer_fini(&r.a);
	model_fini(&r.m);
	return 0;
}
