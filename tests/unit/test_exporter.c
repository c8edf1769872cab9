// SPDX-License-Identifier: GPL-2.0
/*
 * The exporter's Prometheus text on synthetic models: every family, the
 * values of a known scenario, label escaping, bounded cardinality, listen
 * addresses. With --write-scenario FILE [fleet|clean], writes a scenario as
 * a recording for tests/host/exporter.sh (a real Prometheus scrapes it).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>
#include "pipeline/session.h"
#include "synth.h"
#include "source/recfile.h"
#include "view/exporter.h"

#define SEC 1000000000ULL

struct fixture {
	struct session ses;
	struct synth s;
	struct exporter_counts c;
	struct source_stats st;
	struct synth_dev dev0, dev1, dev2;
	struct rec_writer *w;
};

/* The exporter's observer: the counters the model does not keep. */
static int count_event(const struct svatop_event *ev, void *ctx)
{
	exporter_count_event(ctx, ev);
	return 0;
}

static void feed(const struct svatop_event *ev, void *ctx)
{
	struct fixture *f = ctx;

	if (f->w) {
		if (rec_writer_add(f->w, ev))
			abort();
		return;
	}
	session_apply(&f->ses, ev);
}

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	session_init(&f->ses, ANALYZER_DEFAULT_GRACE_NS);
	session_observe(&f->ses, SESSION_ON_APPLIED, count_event, &f->c);
	synth_init(&f->s, feed, f);
	synth_dev_init(&f->dev0, 0xffff888100001000ULL, "svamock.0",
		       0xffff888100900000ULL, "svamock-iommu0");
	synth_dev_init(&f->dev1, 0xffff888100002000ULL, "svamock.1",
		       0xffff888100a00000ULL, "svamock-iommu1");
	synth_dev_init(&f->dev2, 0xffff888100003000ULL, "svamock.2",
		       0xffff888100900000ULL, "svamock-iommu0");
}

static void fixture_fini(struct fixture *f)
{
	session_close(&f->ses);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fixture_init(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_fini(*state);
	free(*state);
	return 0;
}

static void failed_bind(struct fixture *f, struct synth_proc *p,
			const struct synth_dev *d, int err)
{
	struct svatop_event ev;

	synth_event(&f->s, &ev, SVATOP_EV_BIND, p);
	ev.ret = err;
	ev.dev = d->ptr;
	ev.iommu = d->iommu;
	memcpy(ev.dev_name, d->name, sizeof(ev.dev_name));
	memcpy(ev.iommu_name, d->iommu_name, sizeof(ev.iommu_name));
	feed(&ev, f);
}

/*
 * The fleet scenario. Expected metrics (docs/metrics.md names):
 *   pasids 2 (alive's, leaky's); domains iommu0 2, iommu1 1;
 *   bonds svamock.0 2, svamock.1 1, svamock.2 1; mms alive 1, exited 1;
 *   binds 6, unbinds 3, pasid allocs 3 / frees 1, domain allocs 5 / frees 2;
 *   bind errors EOPNOTSUPP 2, ENOSPC 1; leaks 1 of each kind;
 *   unbind-unknown-handle 1; dropped bind 2, unbind 1: inconclusive.
 */
static void scenario_fleet(struct fixture *f)
{
	struct synth_proc alive, leaky, tidy, failer;
	struct svatop_event ev;
	uint64_t handle, domain;

	/* One PASID, two domains on two instances, three devices. */
	synth_proc_init(&f->s, &alive, 100, "alive");
	synth_bind(&f->s, &alive, &f->dev0);
	synth_bind(&f->s, &alive, &f->dev2);
	synth_bind(&f->s, &alive, &f->dev1);
	/* The driver never unbinds: everything outlives the process. */
	synth_proc_init(&f->s, &leaky, 200, "leaky");
	synth_bind(&f->s, &leaky, &f->dev0);
	synth_exit(&f->s, &leaky);
	synth_mm_release(&f->s, &leaky);
	/* Two binds, a double unbind of the first, then a clean exit. */
	synth_proc_init(&f->s, &tidy, 300, "tidy");
	synth_bind(&f->s, &tidy, &f->dev0);
	synth_bind(&f->s, &tidy, &f->dev1);
	handle = tidy.bond[0].handle;
	domain = tidy.bond[0].domain;
	synth_unbind(&f->s, &tidy, 0);
	synth_event(&f->s, &ev, SVATOP_EV_UNBIND, &tidy);
	ev.handle = handle;
	ev.domain = domain;
	ev.dev = f->dev0.ptr;
	feed(&ev, f);
	synth_unbind(&f->s, &tidy, 1);
	synth_exit(&f->s, &tidy);
	synth_mm_release(&f->s, &tidy);
	/* Binds the kernel refused. */
	synth_proc_init(&f->s, &failer, 400, "failer");
	failed_bind(f, &failer, &f->dev1, -95);
	failed_bind(f, &failer, &f->dev1, -95);
	failed_bind(f, &failer, &f->dev0, -28);
	/* Past the 3 s grace period. */
	f->s.ts += 5 * SEC;
	synth_event(&f->s, &ev, SVATOP_EV_EXIT, &failer);
	feed(&ev, f);
	/* The ring buffer lost three records. */
	f->st.submitted = 100;
	f->st.dropped = 3;
	f->st.dropped_by_type[SVATOP_EV_BIND] = 2;
	f->st.dropped_by_type[SVATOP_EV_UNBIND] = 1;
}

/* A tidy host: two binds, two unbinds, exit, final drop; nothing lost.
 * Expected: no PASID, domain or bond left (device series at 0), binds 2,
 * unbinds 2, PASID frees 1, domain frees 2, no leak, verdict clean. */
static void scenario_clean(struct fixture *f)
{
	struct svatop_event ev;
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 600, "tidy");
	synth_bind(&f->s, &p, &f->dev0);
	synth_bind(&f->s, &p, &f->dev1);
	synth_unbind(&f->s, &p, 0);
	synth_unbind(&f->s, &p, 1);
	synth_exit(&f->s, &p);
	synth_mm_release(&f->s, &p);
	f->s.ts += 5 * SEC;
	synth_event(&f->s, &ev, SVATOP_EV_EXIT, &p);
	ev.mm = 0;
	feed(&ev, f);
}

static int write_scenario(const char *path, const char *name)
{
	void (*fn)(struct fixture *f) = !strcmp(name, "fleet") ? scenario_fleet :
					!strcmp(name, "clean") ? scenario_clean : NULL;
	char desc[64];
	struct fixture f;

	if (!fn) {
		fprintf(stderr, "unknown scenario '%s' (fleet, clean)\n", name);
		return 1;
	}
	fixture_init(&f);
	snprintf(desc, sizeof(desc), "synthetic %s (tests/unit/test_exporter.c)", name);
	if (rec_writer_open(&f.w, path, desc, 0)) {
		fprintf(stderr, "cannot write %s\n", path);
		return 1;
	}
	fn(&f);
	if (rec_writer_close(f.w, &f.st)) {
		fprintf(stderr, "cannot finish %s\n", path);
		return 1;
	}
	fixture_fini(&f);
	return 0;
}

/* ---- helpers --------------------------------------------------------- */

static char *render_opt(struct fixture *f, bool per_process)
{
	struct exporter_info info = {
		.version = "test", .mode = "replay", .source_desc = "unit",
		.now_ns = f->ses.m.now_ns, .wall_s = 1700000000.5, .ended = true,
		.per_process = per_process, .render_s = 0.0125,
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);

	assert_non_null(o);
	assert_int_equal(exporter_render(o, &f->ses.m, &f->ses.a, &f->st, &f->c, &info), 0);
	assert_int_equal(fclose(o), 0);
	return buf;
}

static char *render(struct fixture *f)
{
	return render_opt(f, false);
}

/* The whole line "name{labels} value" must be present. */
static void expect_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return;
		p += n;
	}
	fail_msg("expected the line '%s' in:\n%s", line, text);
}

static int count_prefix(const char *text, const char *prefix)
{
	const char *p = text;
	int n = 0;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += !strncmp(p, prefix, strlen(prefix));
	return n;
}

/* ---- tests ----------------------------------------------------------- */

static void test_fleet_values(void **state)
{
	struct fixture *f = *state;
	char *t;

	scenario_fleet(f);
	t = render(f);
	expect_line(t, "svatop_pasids 2");
	expect_line(t, "svatop_domains{iommu=\"svamock-iommu0\"} 2");
	expect_line(t, "svatop_domains{iommu=\"svamock-iommu1\"} 1");
	expect_line(t, "svatop_bonds{iommu=\"svamock-iommu0\",device=\"svamock.0\"} 2");
	expect_line(t, "svatop_bonds{iommu=\"svamock-iommu1\",device=\"svamock.1\"} 1");
	expect_line(t, "svatop_bonds{iommu=\"svamock-iommu0\",device=\"svamock.2\"} 1");
	expect_line(t, "svatop_mms{state=\"alive\"} 1");
	expect_line(t, "svatop_mms{state=\"exited\"} 1");
	expect_line(t, "svatop_binds_total 6");
	expect_line(t, "svatop_unbinds_total 3");
	expect_line(t, "svatop_pasid_allocs_total 3");
	expect_line(t, "svatop_pasid_frees_total 1");
	expect_line(t, "svatop_domain_allocs_total 5");
	expect_line(t, "svatop_domain_frees_total 2");
	expect_line(t, "svatop_bind_errors_total{errno=\"EOPNOTSUPP\"} 2");
	expect_line(t, "svatop_bind_errors_total{errno=\"ENOSPC\"} 1");
	/* ...by the step that failed: nothing inside, the stub; no PASID. */
	expect_line(t, "svatop_bind_failures_total{step=\"stub\",errno=\"EOPNOTSUPP\"} 2");
	expect_line(t, "svatop_bind_failures_total{step=\"pasid\",errno=\"ENOSPC\"} 1");
	assert_int_equal(count_prefix(t, "svatop_bind_failures_total{"), 2);
	expect_line(t, "svatop_leaks{kind=\"bond\"} 1");
	expect_line(t, "svatop_leaks{kind=\"domain\"} 1");
	expect_line(t, "svatop_leaks{kind=\"mm\"} 1");
	expect_line(t, "svatop_leaks{kind=\"pasid\"} 1");
	expect_line(t, "svatop_leaks_by_device{kind=\"bond\",iommu=\"svamock-iommu0\",device=\"svamock.0\"} 1");
	expect_line(t, "svatop_leaks_by_device{kind=\"pasid\",iommu=\"svamock-iommu0\",device=\"svamock.0\"} 1");
	assert_int_equal(count_prefix(t, "svatop_leaks_by_device{"), 4);
	expect_line(t, "svatop_invariant_violations_total{rule=\"unbind-unknown-handle\"} 1");
	expect_line(t, "svatop_events_dropped_total{type=\"bind\"} 2");
	expect_line(t, "svatop_events_dropped_total{type=\"unbind\"} 1");
	expect_line(t, "svatop_events_dropped_total{type=\"exit\"} 0");
	expect_line(t, "svatop_events_submitted_total 100");
	expect_line(t, "svatop_verdict{verdict=\"inconclusive\"} 1");
	expect_line(t, "svatop_verdict{verdict=\"findings\"} 0");
	expect_line(t, "svatop_build_info{version=\"test\",abi=\"1\"} 1");
	expect_line(t, "svatop_source_info{mode=\"replay\",description=\"unit\"} 1");
	expect_line(t, "svatop_source_ended 1");
	expect_line(t, "svatop_last_snapshot_timestamp_seconds 1700000000.500");
	expect_line(t, "svatop_leak_grace_seconds 3.000");
	expect_line(t, "svatop_exporter_render_duration_seconds 0.012500");
	/* No per-process labels by default. */
	assert_null(strstr(t, "pid="));
	assert_null(strstr(t, "leaky"));
	free(t);
}

/* Every family has HELP and TYPE, and a sample of its own name follows. */
static void test_help_and_type(void **state)
{
	struct fixture *f = *state;
	char *t, *line, *save = NULL, name[128];
	int helps = 0, types = 0;

	scenario_fleet(f);
	t = render(f);
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "# HELP ", 7)) {
			helps++;
			assert_int_equal(sscanf(line + 7, "%127s", name), 1);
			assert_non_null(strstr(save, name));
		} else if (!strncmp(line, "# TYPE ", 7)) {
			types++;
			assert_true(strstr(line, " counter") || strstr(line, " gauge"));
			if (strstr(line, " counter"))
				assert_non_null(strstr(line, "_total counter"));
		} else {
			assert_true(!strncmp(line, "svatop_", 7));
		}
	}
	assert_int_equal(helps, types);
	assert_true(helps >= 20);
	free(t);
}

/* --per-process: pid and comm labels, one row per pid, bounded. */
static void test_per_process(void **state)
{
	struct fixture *f = *state;
	static struct synth_dev devs[600];
	struct synth_proc p;
	char name[32], *t;
	int i;

	scenario_fleet(f);
	t = render_opt(f, true);
	expect_line(t, "svatop_process_bonds{pid=\"100\",comm=\"alive\"} 3");
	expect_line(t, "svatop_process_bonds{pid=\"200\",comm=\"leaky\"} 1");
	expect_line(t, "svatop_process_domains{pid=\"100\",comm=\"alive\"} 2");
	expect_line(t, "svatop_process_exited_mms{pid=\"100\",comm=\"alive\"} 0");
	expect_line(t, "svatop_process_exited_mms{pid=\"200\",comm=\"leaky\"} 1");
	assert_int_equal(count_prefix(t, "svatop_process_bonds{"), 2);
	free(t);
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "dev.%d", i);
		synth_dev_init(&devs[i], 0xffff888300000000ULL + i * 0x1000ULL, name,
			       0xffff888100900000ULL, "svamock-iommu0");
		synth_proc_init(&f->s, &p, 10000 + i, "many");
		assert_true(synth_bind(&f->s, &p, &devs[i]) >= 0);
	}
	t = render_opt(f, true);
	assert_int_equal(count_prefix(t, "svatop_process_bonds{"), EXPORTER_MAX_SERIES + 1);
	/* 602 processes with SVA state: 512 rows, 90 summed as "other". */
	expect_line(t, "svatop_process_bonds{pid=\"other\",comm=\"other\"} 90");
	free(t);
}

static void test_clean_values(void **state)
{
	struct fixture *f = *state;
	char *t;

	scenario_clean(f);
	t = render(f);
	expect_line(t, "svatop_pasids 0");
	expect_line(t, "svatop_bonds{iommu=\"svamock-iommu0\",device=\"svamock.0\"} 0");
	expect_line(t, "svatop_bonds{iommu=\"svamock-iommu1\",device=\"svamock.1\"} 0");
	expect_line(t, "svatop_domains{iommu=\"svamock-iommu0\"} 0");
	expect_line(t, "svatop_binds_total 2");
	expect_line(t, "svatop_unbinds_total 2");
	expect_line(t, "svatop_pasid_frees_total 1");
	expect_line(t, "svatop_domain_frees_total 2");
	expect_line(t, "svatop_leaks{kind=\"mm\"} 0");
	expect_line(t, "svatop_verdict{verdict=\"clean\"} 1");
	assert_int_equal(count_prefix(t, "svatop_leaks_by_device{"), 0);
	free(t);
}

static void test_empty_model(void **state)
{
	struct fixture *f = *state;
	char *t = render(f);

	expect_line(t, "svatop_pasids 0");
	expect_line(t, "svatop_mms{state=\"alive\"} 0");
	expect_line(t, "svatop_leaks{kind=\"pasid\"} 0");
	expect_line(t, "svatop_verdict{verdict=\"clean\"} 1");
	expect_line(t, "svatop_binds_total 0");
	assert_int_equal(count_prefix(t, "svatop_bonds{"), 0);
	assert_int_equal(count_prefix(t, "svatop_bind_errors_total{"), 0);
	assert_int_equal(count_prefix(t, "svatop_bind_failures_total{"), 0);
	assert_int_equal(count_prefix(t, "svatop_leaks_by_device{"), 0);
	expect_line(t, "svatop_leak_candidates_pending 0");
	expect_line(t, "svatop_verdict{verdict=\"pending\"} 0");
	free(t);
}

/* An exit within the grace period: candidates pending, verdict pending. */
static void test_pending_values(void **state)
{
	struct fixture *f = *state;
	struct synth_proc p;
	char *t;

	synth_proc_init(&f->s, &p, 610, "late");
	synth_bind(&f->s, &p, &f->dev0);
	synth_exit(&f->s, &p);
	t = render(f);
	expect_line(t, "svatop_leak_candidates_pending 4");
	expect_line(t, "svatop_leaks{kind=\"bond\"} 0");
	expect_line(t, "svatop_verdict{verdict=\"pending\"} 1");
	expect_line(t, "svatop_verdict{verdict=\"clean\"} 0");
	free(t);
}

static void test_label_escaping(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(o);
	exporter_label_value(o, "a\"b\\c\nd\x01\xc3\xa9z");
	fclose(o);
	assert_string_equal(buf, "a\\\"b\\\\c\\nd???z");
	free(buf);
}

/* 600 devices: 512 series, the rest summed under "other". */
static void test_bounded_cardinality(void **state)
{
	struct fixture *f = *state;
	static struct synth_dev devs[600];
	struct synth_proc p;
	char name[32], *t, *o;
	int i;

	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "dev.%d", i);
		synth_dev_init(&devs[i], 0xffff888300000000ULL + i * 0x1000ULL, name,
			       0xffff888100900000ULL, "svamock-iommu0");
		synth_proc_init(&f->s, &p, 1000 + i, "many");
		assert_true(synth_bind(&f->s, &p, &devs[i]) >= 0);
	}
	t = render(f);
	assert_int_equal(count_prefix(t, "svatop_bonds{"), EXPORTER_MAX_SERIES + 1);
	o = strstr(t, "svatop_bonds{iommu=\"other\",device=\"other\"} ");
	assert_non_null(o);
	assert_int_equal(strtoul(o + strlen("svatop_bonds{iommu=\"other\",device=\"other\"} "),
				 NULL, 10), 600 - EXPORTER_MAX_SERIES);
	expect_line(t, "svatop_pasids 600");
	expect_line(t, "svatop_domains{iommu=\"svamock-iommu0\"} 600");
	free(t);
}

/* Device page faults: one histogram per device name (PASIDs and pids are
 * not labels), cumulative buckets ending in +Inf = _count, the answers by
 * response; devices past the bound under "other". */
static void iopf_row(struct iopf_row *r, uint64_t dev, uint32_t pasid, const char *name,
		     uint64_t ok, uint64_t invalid)
{
	memset(r, 0, sizeof(*r));
	r->dev = dev;
	r->pasid = pasid;
	snprintf(r->s.dev_name, sizeof(r->s.dev_name), "%s", name);
	r->s.reports = ok + invalid;
	r->s.outcomes[IOPF_SUCCESS] = ok;
	r->s.outcomes[IOPF_INVALID] = invalid;
	r->s.hist[1] = ok;		/* [2, 4) us */
	r->s.hist[15] = invalid;	/* [32, 64) ms */
	r->s.latency_sum_ns = ok * 3000 + invalid * 50000000ULL;
}

static void test_iopf_histogram(void **state)
{
	struct fixture *f = *state;
	static struct iopf_row rows[600];
	char *t, *o;
	int i;

	iopf_row(&rows[0], 0x1000, 1, "svamock-dev.0", 16, 1);
	iopf_row(&rows[1], 0x1000, 2, "svamock-dev.0", 4, 0);
	iopf_row(&rows[2], 0x2000, 1, "svamock-dev.3", 2, 0);
	assert_int_equal(iopf_table_update(&f->ses.m.iopf, rows, 3, 1), 0);
	f->ses.m.iopf.active = true;
	t = render(f);
	expect_line(t, "svatop_iopf_enabled 1");
	expect_line(t, "# TYPE svatop_iopf_latency_seconds histogram");
	expect_line(t, "svatop_iopf_faults_total{device=\"svamock-dev.0\"} 21");
	expect_line(t, "svatop_iopf_responses_total{device=\"svamock-dev.0\",response=\"invalid\"} 1");
	expect_line(t, "svatop_iopf_latency_seconds_bucket{device=\"svamock-dev.0\",le=\"0.000002\"} 0");
	expect_line(t, "svatop_iopf_latency_seconds_bucket{device=\"svamock-dev.0\",le=\"0.000004\"} 20");
	expect_line(t, "svatop_iopf_latency_seconds_bucket{device=\"svamock-dev.0\",le=\"0.032768\"} 20");
	expect_line(t, "svatop_iopf_latency_seconds_bucket{device=\"svamock-dev.0\",le=\"0.065536\"} 21");
	expect_line(t, "svatop_iopf_latency_seconds_bucket{device=\"svamock-dev.0\",le=\"+Inf\"} 21");
	expect_line(t, "svatop_iopf_latency_seconds_count{device=\"svamock-dev.0\"} 21");
	expect_line(t, "svatop_iopf_latency_seconds_sum{device=\"svamock-dev.0\"} 0.050060000");
	expect_line(t, "svatop_iopf_latency_seconds_count{device=\"svamock-dev.3\"} 2");
	assert_int_equal(count_prefix(t, "svatop_iopf_latency_seconds_count{"), 2);
	assert_null(strstr(t, "pasid="));
	free(t);

	/* 600 devices: 512 series and "other". */
	for (i = 0; i < 600; i++) {
		char name[32];

		snprintf(name, sizeof(name), "dev.%d", i);
		iopf_row(&rows[i], 0x10000 + i, 1, name, 1, 0);
	}
	assert_int_equal(iopf_table_update(&f->ses.m.iopf, rows, 600, 2), 0);
	t = render(f);
	assert_int_equal(count_prefix(t, "svatop_iopf_faults_total{"), EXPORTER_MAX_SERIES + 1);
	o = strstr(t, "svatop_iopf_faults_total{device=\"other\"} ");
	assert_non_null(o);
	assert_int_equal(strtoul(o + strlen("svatop_iopf_faults_total{device=\"other\"} "), NULL, 10),
			 600 - EXPORTER_MAX_SERIES);
	free(t);
}

/* Not counted (a recording, or a kernel without the hooks): one gauge, 0. */
static void test_iopf_disabled(void **state)
{
	struct fixture *f = *state;
	char *t;

	scenario_fleet(f);
	t = render(f);
	expect_line(t, "svatop_iopf_enabled 0");
	assert_null(strstr(t, "svatop_iopf_latency_seconds"));
	free(t);
}

/* --iotlb: summed over every mm the kernel counted, two series by kind;
 * without the opt-in (or not counted) the gauge alone, 0. */
static void test_iotlb(void **state)
{
	struct fixture *f = *state;
	struct iopf_inval_row r[3] = {
		{ .mm = 0xffff888100010000ULL, .s = { .ranges = 3, .pages = 48, .flushes = 1, .tgid = 10 } },
		{ .mm = 0xffff888100020000ULL, .s = { .ranges = 4, .pages = 4, .tgid = 11 } },
		{ .mm = 0xffff888100030000ULL, .s = { .flushes = 2, .tgid = 0 } },
	};
	static const char *const want[] = {
		"svatop_iotlb_enabled 1",
		"# TYPE svatop_iotlb_invalidations_total counter",
		"svatop_iotlb_invalidations_total{kind=\"range\"} 7",
		"svatop_iotlb_invalidations_total{kind=\"mm\"} 3",
		"svatop_iotlb_invalidated_pages_total 52",
	};
	size_t i;
	char *t;

	assert_int_equal(iopf_invals_update(&f->ses.m.iopf, r, 3), 0);
	f->ses.m.iopf.active = true;
	t = render(f);
	expect_line(t, "svatop_iotlb_enabled 0");
	assert_null(strstr(t, "svatop_iotlb_invalidations_total"));
	free(t);

	f->ses.m.iopf.invals_on = true;
	t = render(f);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		expect_line(t, want[i]);
	assert_int_equal(count_prefix(t, "svatop_iotlb_invalidations_total{"), 2);
	assert_null(strstr(t, "pid="));
	free(t);

	f->ses.m.iopf.active = false;	/* the object could not be loaded */
	t = render(f);
	expect_line(t, "svatop_iotlb_enabled 0");
	assert_null(strstr(t, "svatop_iotlb_invalidations_total"));
	free(t);
}

/* A device unplugged and plugged again is a new kernel object with the same
 * name: one series, or Prometheus would reject the whole scrape. */
static void test_same_name_one_series(void **state)
{
	struct fixture *f = *state;
	struct synth_dev again, noname;
	struct synth_proc p, q, r;
	char *t;

	synth_dev_init(&again, 0xffff888100007000ULL, "svamock.0",
		       0xffff888100900000ULL, "svamock-iommu0");
	synth_dev_init(&noname, 0xffff888100008000ULL, "",
		       0xffff888100b00000ULL, "");
	synth_proc_init(&f->s, &p, 500, "before");
	synth_bind(&f->s, &p, &f->dev0);
	synth_proc_init(&f->s, &q, 501, "after");
	synth_bind(&f->s, &q, &again);
	synth_proc_init(&f->s, &r, 502, "anon");
	synth_bind(&f->s, &r, &noname);
	t = render(f);
	assert_int_equal(count_prefix(t, "svatop_bonds{iommu=\"svamock-iommu0\",device=\"svamock.0\"}"), 1);
	expect_line(t, "svatop_bonds{iommu=\"svamock-iommu0\",device=\"svamock.0\"} 2");
	expect_line(t, "svatop_bonds{iommu=\"unknown\",device=\"unknown\"} 1");
	assert_int_equal(count_prefix(t, "svatop_domains{iommu=\"svamock-iommu0\"}"), 1);
	expect_line(t, "svatop_domains{iommu=\"svamock-iommu0\"} 2");
	free(t);
}

/* Live: the snapshot's time on the wall clock; replay: no such sample. */
static void test_snapshot_time(void **state)
{
	struct fixture *f = *state;
	struct synth_proc *none[1] = { NULL };
	struct exporter_info info = {
		.version = "test", .mode = "live", .live = true,
		.wall_s = 1700000100.0,
	};
	char *buf = NULL, *t;
	size_t len = 0;
	FILE *o;

	f->s.ts = 40 * SEC;
	synth_snapshot(&f->s, none, 0);
	info.now_ns = f->s.ts + 2 * SEC;	/* rendered 2 s after SNAP_END */
	o = open_memstream(&buf, &len);
	assert_non_null(o);
	assert_int_equal(exporter_render(o, &f->ses.m, &f->ses.a, &f->st, &f->c, &info), 0);
	fclose(o);
	expect_line(buf, "svatop_kernel_snapshot_complete 1");
	expect_line(buf, "svatop_kernel_snapshot_timestamp_seconds 1700000098.000");
	free(buf);
	t = render(f);		/* a replay: no wall-clock mapping */
	assert_null(strstr(t, "svatop_kernel_snapshot_timestamp_seconds"));
	free(t);
}

static void test_errno_buckets(void **state)
{
	struct exporter_counts *c = calloc(1, sizeof(*c));
	struct svatop_event ev = { .type = SVATOP_EV_BIND, .version = SVATOP_ABI_VERSION };

	(void)state;
	assert_non_null(c);
	ev.ret = -95;
	exporter_count_event(c, &ev);
	ev.ret = -100000;		/* beyond MAX_ERRNO */
	exporter_count_event(c, &ev);
	ev.ret = 0;			/* success: not an error */
	exporter_count_event(c, &ev);
	ev.type = SVATOP_EV_PASID_ALLOC;
	ev.ret = -28;			/* not a bind */
	exporter_count_event(c, &ev);
	assert_int_equal(c->bind_errors[95], 1);
	assert_int_equal(c->bind_errors[0], 1);
	assert_int_equal(c->bind_errors[28], 0);
	free(c);
}

static void test_parse_listen(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	static const char *const bad[] = {
		"", "9464", ":9464", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
		"127.0.0.1:-1", "127.0.0.1:80x", "localhost:9464", "[::1:9464",
		"::1:9464", "[]:9464", "1.2.3.4.5:80",
	};
	socklen_t len;
	size_t i;

	(void)state;
	assert_int_equal(exporter_parse_listen("127.0.0.1:9464", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(s4->sin_port), 9464);
	assert_int_equal(ntohl(s4->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(len, sizeof(*s4));
	assert_int_equal(exporter_parse_listen("0.0.0.0:0", &ss, &len), 0);
	assert_int_equal(ntohs(s4->sin_port), 0);
	assert_int_equal(exporter_parse_listen("[::1]:9100", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(ntohs(s6->sin6_port), 9100);
	assert_true(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (exporter_parse_listen(bad[i], &ss, &len) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
}

/* --bench N: N processes bound to 64 devices; how long one rendering takes
 * (it runs on the event consumer's thread). */
static int bench(unsigned long n)
{
	static struct synth_dev devs[64];
	struct fixture *f = calloc(1, sizeof(*f));
	struct synth_proc p;
	struct timespec t0, t1;
	char name[32], *t;
	unsigned long i;
	double ms;
	int r;

	if (!f)
		return 1;
	fixture_init(f);
	for (i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "dev.%lu", i);
		synth_dev_init(&devs[i], 0xffff888300000000ULL + i * 0x1000ULL, name,
			       0xffff888100900000ULL + (i % 4) * 0x100000ULL, "iommu");
	}
	for (i = 0; i < n; i++) {
		synth_proc_init(&f->s, &p, 1000 + i, "bench");
		synth_bind(&f->s, &p, &devs[i % 64]);
		if (i % 2)
			synth_exit(&f->s, &p);	/* half of them leak */
	}
	f->s.ts += 10 * SEC;
	for (r = 0; r < 3; r++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		t = render(f);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
		printf("render: %lu bonds, %zu bytes of text, %.2f ms\n", n, strlen(t), ms);
		free(t);
	}
	fixture_fini(f);
	free(f);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_fleet_values),
		T(test_help_and_type),
		T(test_clean_values),
		T(test_per_process),
		T(test_empty_model),
		T(test_pending_values),
		T(test_bounded_cardinality),
		T(test_same_name_one_series),
		T(test_snapshot_time),
		T(test_iopf_histogram),
		T(test_iopf_disabled),
		T(test_iotlb),
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_errno_buckets),
		cmocka_unit_test(test_parse_listen),
	};

	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "--write-scenario"))
		return write_scenario(argv[2], argc == 4 ? argv[3] : "fleet");
	if (argc == 3 && !strcmp(argv[1], "--bench"))
		return bench(strtoul(argv[2], NULL, 10));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
