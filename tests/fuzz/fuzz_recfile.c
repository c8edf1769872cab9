// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the record-file reader (file_source_open and its
 * poll), followed by what `svatop replay` does with the records: the
 * session (reorder buffer, rules, model), the leak rules and the verdict. Any input must end
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
#include "common/log.h"
#include "pipeline/session.h"
#include "source/recfile.h"

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

static int ignore(const struct svatop_event *ev, void *ctx)
{
	(void)ev;
	(void)ctx;
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
	static struct session s;
	struct finding_list leaks;
	struct source_stats st;
	struct source *src;
	uint64_t seen = 0;
	int rounds = 0;

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
	if (!file_source_header(src) || !source_describe(src))
		abort();
	if (session_init(&s, ANALYZER_DEFAULT_GRACE_NS))
		abort();
	session_set_source(&s, src, false);
	while (!s.ended && !session_poll(&s, 0)) {
		/* A finite source ends; it never spins without progress. */
		source_stats(src, &st);
		if (st.delivered == seen && ++rounds > 1000)
			abort();
		seen = st.delivered;
	}
	if (!s.ended && s.err != -EBADMSG)
		abort();
	/* After the end, the source stays ended. */
	if (s.ended && source_poll(src, 0, ignore, NULL) != -ENODATA)
		abort();
	session_flush(&s);
	source_stats(src, &st);
	if (st.delivered != s.m.cnt.events + s.m.cnt.bad_records)
		abort();
	finding_list_init(&leaks);
	analyzer_leaks(&s.a, &s.m, s.m.now_ns, &leaks);
	analyzer_verdict(&s.a, &s.m, leaks.len, session_dropped(&s));
	finding_list_fini(&leaks);
	session_close(&s);
	return 0;
}
