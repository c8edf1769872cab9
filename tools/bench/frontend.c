// SPDX-License-Identifier: GPL-2.0
/*
 * svatop-bench-frontend: the host half of `make bench`.
 *
 *   throughput  a pre-generated event stream (tools/bench/gen.c) through
 *               the analyzer + model, and through the whole session path
 *               (reorder buffer + analyzer + model): events/s of one core
 *   memory      N live PASIDs (each: an mm, its PASID, one SVA domain, one
 *               bond; or after unbind: the mm and its PASID) in a fresh
 *               process: RSS and model bytes per live object
 *
 * Prints "BENCH key value" lines (tools/bench/run turns them into the
 * table); a timing is never a pass/fail criterion.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "common/clock.h"
#include "pipeline/session.h"
#include "gen.h"

struct evbuf {
	struct svatop_event *v;
	size_t len, cap;
};

static void evbuf_add(const struct svatop_event *ev, void *ctx)
{
	struct evbuf *b = ctx;

	if (b->len == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1 << 16;
		b->v = realloc(b->v, b->cap * sizeof(*b->v));
		if (!b->v) {
			perror("bench: events");
			exit(1);
		}
	}
	b->v[b->len++] = *ev;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Resident set of this process in bytes (/proc/self/statm). */
static long rss_bytes(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

struct run_result {
	double cpu, wall;
	uint64_t violations, objects_peak;
	int err;
};

/* The events through the session: straight to the rules and the model
 * (already in order), or via the reorder buffer, released as the session
 * releases a recording's records. */
static struct run_result run_stream(const struct evbuf *b, bool via_reorder)
{
	struct run_result r = { 0 };
	struct session s;
	double c0, w0;
	size_t i;
	int k;

	if (session_init(&s, ANALYZER_DEFAULT_GRACE_NS)) {
		r.err = -ENOMEM;
		return r;
	}
	c0 = cpu_s();
	w0 = clock_monotonic_s();
	if (!via_reorder) {
		for (i = 0; i < b->len; i++)
			r.err |= session_apply(&s, &b->v[i]);
	} else {
		/* The ring buffer hands over batches; the session releases up
		 * to the newest timestamp minus the window after each. */
		for (i = 0; i < b->len; i++) {
			r.err |= session_feed(&s, &b->v[i]);
			if ((i & 255) == 255)
				session_release(&s);
		}
		session_flush(&s);
	}
	r.cpu = cpu_s() - c0;
	r.wall = clock_monotonic_s() - w0;
	for (k = 0; k < RULE_MAX; k++)
		r.violations += s.a.count[k];
	r.objects_peak = model_objects(&s.m);
	session_close(&s);
	return r;
}

static int bench_throughput(uint64_t nevents, int repeat, int which)
{
	struct evbuf b = { 0 };
	struct gen g;
	int mode, i;

	if (gen_init(&g, 4096, 42, evbuf_add, &b))
		return 1;
	while (b.len < nevents)
		gen_step(&g);
	gen_drain(&g);
	printf("BENCH mix.events %zu\n", b.len);
	printf("BENCH mix.binds %llu\nBENCH mix.rebinds %llu\nBENCH mix.one_to_n %llu\n"
	       "BENCH mix.unbinds %llu\nBENCH mix.forks %llu\nBENCH mix.exits %llu\n"
	       "BENCH mix.exits_bound %llu\n",
	       (unsigned long long)g.cnt.binds, (unsigned long long)g.cnt.rebinds,
	       (unsigned long long)g.cnt.one_to_n, (unsigned long long)g.cnt.unbinds,
	       (unsigned long long)g.cnt.forks, (unsigned long long)g.cnt.exits,
	       (unsigned long long)g.cnt.exits_bound);
	gen_fini(&g);
	for (mode = 0; mode < 2; mode++) {
		const char *name = mode ? "session" : "model";
		struct run_result best = { .cpu = 1e30 };

		if (which >= 0 && which != mode)
			continue;
		for (i = 0; i < repeat; i++) {
			struct run_result r = run_stream(&b, mode);

			if (r.err) {
				fprintf(stderr, "bench: %s run failed: %s\n", name, strerror(-r.err));
				return 1;
			}
			if (r.cpu < best.cpu)
				best = r;
		}
		printf("BENCH %s.cpu_s %.4f\nBENCH %s.wall_s %.4f\n", name, best.cpu, name, best.wall);
		printf("BENCH %s.events_per_s %.0f\n", name, b.len / best.cpu);
		printf("BENCH %s.violations %llu\nBENCH %s.objects_left %llu\n", name,
		       (unsigned long long)best.violations, name,
		       (unsigned long long)best.objects_peak);
	}
	free(b.v);
	return 0;
}

struct mem_ctx {
	struct session s;
	int err;
};

static void mem_apply(const struct svatop_event *ev, void *ctx)
{
	struct mem_ctx *c = ctx;

	c->err |= session_apply(&c->s, ev);
}

/* In a child: n processes bind (and with unbound, unbind again, so only
 * the mm and its PASID stay). One generator process struct is reused:
 * the generator keeps no state per live PASID. */
static int mem_child(uint32_t n, bool unbound, const char *label)
{
	struct synth_dev dev;
	struct synth_proc p;
	struct synth s;
	struct mem_ctx *c = calloc(1, sizeof(*c));
	long rss0, rss1;
	double c0;
	uint32_t i;

	if (!c)
		return 1;
	synth_init(&s, mem_apply, c);
	synth_dev_init(&dev, 0xffff888100001000ULL, "svamock-dev.0",
		       0xffff888100900000ULL, "svamock-iommu0");
	rss0 = rss_bytes();
	if (session_init(&c->s, ANALYZER_DEFAULT_GRACE_NS))
		return 1;
	c0 = cpu_s();
	synth_snapshot(&s, NULL, 0);	/* sessions start with the snapshot's end */
	for (i = 0; i < n; i++) {
		synth_proc_init(&s, &p, 1000 + i, "accel-worker");
		synth_bind(&s, &p, &dev);
		if (unbound)
			synth_unbind(&s, &p, 0);
	}
	rss1 = rss_bytes();
	if (c->err) {
		fprintf(stderr, "bench: model failed at %u PASIDs: %s\n", n, strerror(-c->err));
		return 1;
	}
	printf("BENCH mem.%s.pasids %u\n", label, c->s.m.pasids.count);
	printf("BENCH mem.%s.objects %zu\n", label, model_objects(&c->s.m));
	printf("BENCH mem.%s.rss_bytes %ld\n", label, rss1 - rss0);
	printf("BENCH mem.%s.model_bytes %zu\n", label, model_bytes(&c->s.m));
	printf("BENCH mem.%s.bytes_per_object %.1f\n", label,
	       (double)(rss1 - rss0) / model_objects(&c->s.m));
	printf("BENCH mem.%s.bytes_per_pasid %.1f\n", label, (double)(rss1 - rss0) / n);
	printf("BENCH mem.%s.fill_events_per_s %.0f\n", label,
	       (double)(s.ts - 1000000000ULL) / 1000 / (cpu_s() - c0));
	fflush(stdout);
	return 0;
}

/* A fresh process (exec, not just fork): heap pages the parent touched
 * and freed would otherwise be reused without counting in the RSS. */
static int bench_memory(uint32_t n, bool unbound)
{
	char arg[32];
	pid_t pid;
	int status;

	snprintf(arg, sizeof(arg), "%u:%s", n, unbound ? "unbound" : "bound");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		execl("/proc/self/exe", "svatop-bench-frontend", "-C", arg, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: svatop-bench-frontend [-n EVENTS] [-r REPEAT] [-m|-s] [-M N[,N...]] [-T]\n"
		"  -n EVENTS  events in the throughput stream (default 4000000)\n"
		"  -r REPEAT  best of REPEAT runs (default 3)\n"
		"  -m / -s    only the model (analyzer+model) or only the session path\n"
		"  -M LIST    live PASID counts for the memory runs (default 1000,100000,1048575;\n"
		"             \"none\": no memory run)\n"
		"  -T         no throughput run (memory only)\n");
}

int main(int argc, char **argv)
{
	uint64_t nevents = 4000000;
	const char *mem = "1000,100000,1048575";
	int repeat = 3, which = -1, opt, ret = 0;
	bool throughput = true;
	char *list, *tok, *save;

	while ((opt = getopt(argc, argv, "n:r:msM:ThC:")) != -1) {
		switch (opt) {
		case 'C': {	/* internal: one memory run, "N:bound" or "N:unbound" */
			char label[32], *mode = strchr(optarg, ':');
			uint32_t n = strtoul(optarg, NULL, 10);
			bool unbound = mode && !strcmp(mode + 1, "unbound");

			snprintf(label, sizeof(label), "%s.%u", unbound ? "unbound" : "bound", n);
			setvbuf(stdout, NULL, _IOLBF, 0);
			return mem_child(n, unbound, label);
		}
		case 'n': nevents = strtoull(optarg, NULL, 10); break;
		case 'r': repeat = atoi(optarg); break;
		case 'm': which = 0; break;
		case 's': which = 1; break;
		case 'M': mem = optarg; break;
		case 'T': throughput = false; break;
		default: usage(); return opt == 'h' ? 0 : 2;
		}
	}
	if (repeat < 1 || !nevents) {
		usage();
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (throughput)
		ret |= bench_throughput(nevents, repeat, which);
	list = strdup(strcmp(mem, "none") ? mem : "");
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint32_t n = strtoul(tok, NULL, 10);

		if (!n || n >= (1u << 20)) {
			fprintf(stderr, "bench: live PASIDs must be 1..1048575\n");
			ret = 1;
			break;
		}
		ret |= bench_memory(n, false);
		ret |= bench_memory(n, true);
	}
	free(list);
	return ret;
}
