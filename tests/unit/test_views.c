// SPDX-License-Identifier: GPL-2.0
/*
 * The graph (text, DOT, JSON), the finding forms and the top tables on
 * synthetic models. With --write-scenarios DIR, writes the synthetic
 * scenarios as recordings for tests/host/views*.sh instead.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "synth.h"
#include "source/recfile.h"
#include "view/graph.h"
#include "view/top.h"
#include "pipeline/session.h"
#include "view/finding.h"
#include "view/iopf_view.h"

#define SEC 1000000000ULL

struct fixture {
	struct session ses;
	struct synth s;
	struct synth_dev dev0, dev1, dev2;
	struct rec_writer *w;
};

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
	session_init(&f->ses, 2 * SEC);
	synth_init(&f->s, feed, f);
	synth_dev_init(&f->dev0, 0xffff888100001000ULL, "svamock.0",
		       0xffff888100900000ULL, "svamock-iommu0");
	synth_dev_init(&f->dev1, 0xffff888100002000ULL, "svamock.1",
		       0xffff888100a00000ULL, "svamock-iommu1");
	synth_dev_init(&f->dev2, 0xffff888100003000ULL, "svamock.2",
		       0xffff888100900000ULL, "svamock-iommu0");
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
	struct fixture *f = *state;

	analyzer_fini(&f->ses.a);
	model_fini(&f->ses.m);
	free(f);
	return 0;
}

/* ---- scenarios (shared with the host tests through recordings) ---------- */

/* Time passes: a later, unrelated failed bind moves the clock. */
static void later(struct fixture *f, uint64_t ns)
{
	struct svatop_event ev;
	struct synth_proc q;

	f->s.ts += ns;
	synth_proc_init(&f->s, &q, 9999, "later");
	synth_event(&f->s, &ev, SVATOP_EV_BIND, &q);
	ev.ret = -95;
	ev.dev = f->dev0.ptr;
	feed(&ev, f);
}

static void scenario_leak(struct fixture *f)
{
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 4242, "leaky");
	synth_bind(&f->s, &p, &f->dev0);
	synth_exit(&f->s, &p);
	synth_mm_release(&f->s, &p);	/* no-op: the domain pins it */
	later(f, 5 * SEC);
}

/* A leak whose process, device and IOMMU names hold terminal escape
 * sequences (a process sets its own comm): tests/host/views.sh checks that
 * no ESC byte reaches stdout in any text view. */
static void scenario_hostile(struct fixture *f)
{
	struct synth_dev d;
	struct synth_proc p;

	synth_dev_init(&d, 0xffff888100004000ULL, "\x1b[31mdev\x1b[0m",
		       0xffff888100b00000ULL, "\x1b]0;iommu\a");
	synth_proc_init(&f->s, &p, 6666, "\x1b[2J\x1b]0;pwn\a");
	synth_bind(&f->s, &p, &d);
	synth_exit(&f->s, &p);
	later(f, 5 * SEC);
}

static void scenario_clean(struct fixture *f)
{
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 4343, "tidy");
	synth_bind(&f->s, &p, &f->dev0);
	synth_bind(&f->s, &p, &f->dev1);
	synth_exit(&f->s, &p);
	synth_unbind(&f->s, &p, 1);
	synth_unbind(&f->s, &p, 0);
	synth_mm_release(&f->s, &p);
	later(f, 5 * SEC);
}

/* One PASID, two domains on two IOMMU instances (still bound). */
static struct synth_proc one2n;

static void scenario_one2n(struct fixture *f)
{
	synth_proc_init(&f->s, &one2n, 4444, "one2n");
	synth_bind(&f->s, &one2n, &f->dev0);
	synth_bind(&f->s, &one2n, &f->dev2);	/* same instance: same domain */
	synth_bind(&f->s, &one2n, &f->dev1);
	later(f, SEC);
}

/* A process bound before svatop started (snapshot), then one after. */
static void scenario_before(struct fixture *f)
{
	struct synth_proc old, young, *procs[] = { &old };

	synth_proc_init(&f->s, &old, 4545, "old-timer");
	old.pasid = 7;
	old.iommu_mm = 0xffff888200000000ULL;
	old.ndom = 1;
	old.dom[0].ptr = 0xffff888200001000ULL;
	old.dom[0].iommu = f->dev0.iommu;
	old.dom[0].users = 1;
	synth_snapshot(&f->s, procs, 1);
	f->s.next_pasid = 8;
	synth_proc_init(&f->s, &young, 4546, "young");
	synth_bind(&f->s, &young, &f->dev1);
	later(f, SEC);
}

/* A leak still within the grace period when the recording ends. */
static void scenario_pending(struct fixture *f)
{
	struct synth_proc p;

	synth_proc_init(&f->s, &p, 4747, "leaky-late");
	synth_bind(&f->s, &p, &f->dev0);
	synth_exit(&f->s, &p);
	later(f, SEC);
}

/* The snapshot finds an mm with no task: a leak at once, no grace. */
static void scenario_orphan(struct fixture *f)
{
	struct synth_proc old, *procs[] = { &old };

	synth_proc_init(&f->s, &old, 4848, "gone");
	old.pasid = 5;
	old.iommu_mm = 0xffff888210000000ULL;
	old.ndom = 1;
	old.dom[0].ptr = 0xffff888210001000ULL;
	old.dom[0].iommu = f->dev0.iommu;
	old.dom[0].users = 1;
	old.exited = true;
	synth_snapshot(&f->s, procs, 1);
	later(f, SEC / 10);
}

/* Failed binds with their inside: PASID space exhausted, every domain
 * refused by set_dev_pasid. */
static void scenario_failbind(struct fixture *f)
{
	struct svatop_event ev;
	struct synth_proc p, q;

	synth_proc_init(&f->s, &p, 4949, "starved");
	synth_event(&f->s, &ev, SVATOP_EV_PASID_ALLOC, &p);
	ev.dev = f->dev0.ptr;
	ev.ret = -ENOSPC;
	feed(&ev, f);
	synth_event(&f->s, &ev, SVATOP_EV_BIND, &p);
	ev.dev = f->dev0.ptr;
	strcpy(ev.dev_name, f->dev0.name);
	ev.ret = -ENOSPC;
	feed(&ev, f);
	synth_proc_init(&f->s, &q, 4950, "refused");
	q.pasid = 3;
	synth_event(&f->s, &ev, SVATOP_EV_ATTACH, &q);
	ev.dev = f->dev1.ptr;
	ev.domain = 0xffff888220001000ULL;
	strcpy(ev.iommu_name, f->dev1.iommu_name);
	ev.ret = -EINVAL;
	ev.domain_users = 0;
	feed(&ev, f);
	synth_event(&f->s, &ev, SVATOP_EV_BIND, &q);
	ev.dev = f->dev1.ptr;
	strcpy(ev.dev_name, f->dev1.name);
	ev.ret = -EINVAL;
	feed(&ev, f);
}

static void scenario_violation(struct fixture *f)
{
	struct svatop_event ev;
	struct synth_proc p;
	uint64_t handle, domain;

	synth_proc_init(&f->s, &p, 4646, "double");
	synth_bind(&f->s, &p, &f->dev0);
	synth_bind(&f->s, &p, &f->dev1);
	handle = p.bond[0].handle;
	domain = p.bond[0].domain;
	synth_unbind(&f->s, &p, 0);
	synth_event(&f->s, &ev, SVATOP_EV_UNBIND, &p);
	ev.handle = handle;
	ev.domain = domain;
	ev.dev = f->dev0.ptr;
	feed(&ev, f);
	later(f, SEC);
}

static const struct {
	const char *name;
	void (*fn)(struct fixture *f);
} scenarios[] = {
	{ "leak", scenario_leak },
	{ "clean", scenario_clean },
	{ "hostile", scenario_hostile },
	{ "one2n", scenario_one2n },
	{ "before", scenario_before },
	{ "violation", scenario_violation },
	{ "pending", scenario_pending },
	{ "orphan", scenario_orphan },
	{ "failbind", scenario_failbind },
};

static int write_scenarios(const char *dir)
{
	struct source_stats st = { 0 };
	struct fixture f;
	char path[4096];
	size_t i;

	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		fixture_init(&f);
		snprintf(path, sizeof(path), "%s/%s.rec", dir, scenarios[i].name);
		if (rec_writer_open(&f.w, path, "synthetic (tests/unit/test_views.c)", 0)) {
			fprintf(stderr, "cannot write %s\n", path);
			return 1;
		}
		scenarios[i].fn(&f);
		if (rec_writer_close(f.w, &st)) {
			fprintf(stderr, "cannot finish %s\n", path);
			return 1;
		}
		session_close(&f.ses);
	}
	/* Counters past INT64_MAX in the stats block (a damaged or hostile
	 * recording): the JSON views must not print them negative. */
	fixture_init(&f);
	snprintf(path, sizeof(path), "%s/hugecount.rec", dir);
	if (rec_writer_open(&f.w, path, "synthetic (tests/unit/test_views.c)", 0))
		return 1;
	scenario_clean(&f);
	st.submitted = st.dropped = UINT64_MAX;
	st.delivered = (uint64_t)INT64_MAX + 2;
	st.dropped_by_type[SVATOP_EV_BIND] = UINT64_MAX;
	if (rec_writer_close(f.w, &st))
		return 1;
	session_close(&f.ses);
	return 0;
}

/* N records with one timestamp (exits of a process never seen): the
 * reorder buffer's worst case (tests/host/bounds.sh). */
static int write_flood(const char *path, unsigned long n)
{
	struct svatop_event ev = { .type = SVATOP_EV_EXIT, .version = SVATOP_ABI_VERSION,
				   .ts_ns = 1000000000, .pid = 4242, .tgid = 4242 };
	struct source_stats st = { .submitted = n, .delivered = n };
	struct rec_writer *w;
	unsigned long i;

	if (rec_writer_open(&w, path, "synthetic flood (tests/unit/test_views.c)", 0))
		return 1;
	for (i = 0; i < n; i++)
		if (rec_writer_add(w, &ev))
			return 1;
	return rec_writer_close(w, &st) ? 1 : 0;
}

/* ---- helpers --------------------------------------------------------- */

static char *render(const struct model *m, enum graph_format fmt,
		    const struct graph_filter *flt, uint64_t now)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(graph_render(out, m, fmt, flt, now), 0);
	fclose(out);
	return buf;
}

static int count_substr(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* ---- graph ----------------------------------------------------------- */

static void test_graph_json_one_to_n(void **state)
{
	struct fixture *f = *state;
	json_t *g, *mm, *doms, *d, *ios;
	const char *io0, *io1;
	size_t i;

	scenario_one2n(f);
	g = graph_json(&f->ses.m, NULL, f->s.ts);
	assert_non_null(g);
	assert_int_equal(json_integer_value(json_object_get(g, "v")), 1);
	assert_int_equal(json_array_size(json_object_get(g, "mms")), 1);
	mm = json_array_get(json_object_get(g, "mms"), 0);
	assert_int_equal(json_integer_value(json_object_get(mm, "pid")), 4444);
	assert_int_equal(json_integer_value(json_object_get(mm, "pasid")), one2n.pasid);
	doms = json_object_get(mm, "domains");
	assert_int_equal(json_array_size(doms), 2);
	/* First domain: svamock.0 and svamock.2 on iommu0; second: svamock.1. */
	d = json_array_get(doms, 0);
	assert_string_equal(json_string_value(json_object_get(d, "iommu")), "svamock-iommu0");
	assert_int_equal(json_integer_value(json_object_get(d, "users")), 2);
	assert_int_equal(json_array_size(json_object_get(d, "devices")), 2);
	for (i = 0; i < 2; i++)
		assert_string_equal(json_string_value(json_object_get(
			json_array_get(json_object_get(d, "devices"), i), "iommu")),
			"svamock-iommu0");
	d = json_array_get(doms, 1);
	assert_string_equal(json_string_value(json_object_get(d, "iommu")), "svamock-iommu1");
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(d, "devices"), 0), "name")), "svamock.1");
	assert_true(json_is_true(json_object_get(d, "derived")));
	ios = json_object_get(g, "iommus");
	assert_int_equal(json_array_size(ios), 2);
	io0 = json_string_value(json_object_get(json_array_get(ios, 0), "name"));
	io1 = json_string_value(json_object_get(json_array_get(ios, 1), "name"));
	assert_string_not_equal(io0, io1);
	json_decref(g);
}

/* The first mm's "iotlb" object in graph --json: (ranges, pages, flushes),
 * or false when the mm has none. */
static bool graph_iotlb(struct fixture *f, uint64_t v[3])
{
	json_t *g = graph_json(&f->ses.m, NULL, f->s.ts);
	json_t *io = json_object_get(json_array_get(json_object_get(g, "mms"), 0), "iotlb");

	if (io) {
		v[0] = json_integer_value(json_object_get(io, "ranges"));
		v[1] = json_integer_value(json_object_get(io, "pages"));
		v[2] = json_integer_value(json_object_get(io, "flushes"));
	}
	json_decref(g);
	return io != NULL;
}

/* Whether graph's text holds needle. */
static bool graph_text_has(struct fixture *f, const char *needle)
{
	char *txt = render(&f->ses.m, GRAPH_TEXT, NULL, f->s.ts);
	bool has = strstr(txt, needle) != NULL;

	free(txt);
	return has;
}

/* --iotlb: each mm's invalidations in the JSON and the text (zeros for an
 * mm the kernel saw no flush of); without the opt-in, no trace of them. */
static void test_graph_iotlb(void **state)
{
	struct fixture *f = *state;
	struct iopf_inval_row r[2] = {
		{ .mm = 0, .s = { .ranges = 3, .pages = 48, .flushes = 1, .tgid = 4444 } },
		{ .mm = 0xffff8881000ff000ULL, .s = { .ranges = 7, .pages = 7, .tgid = 4545 } },
	};
	uint64_t v[3];
	json_t *io, *st;

	scenario_one2n(f);
	r[0].mm = one2n.mm;
	assert_int_equal(iopf_invals_update(&f->ses.m.iopf, r, 2), 0);
	f->ses.m.iopf.active = true;

	/* Read, but not opted in (the flag says what was attached). */
	assert_false(graph_iotlb(f, v));
	assert_false(graph_text_has(f, "iotlb"));

	f->ses.m.iopf.invals_on = true;
	assert_true(graph_iotlb(f, v));
	assert_int_equal(v[0], 3);
	assert_int_equal(v[1], 48);
	assert_int_equal(v[2], 1);
	assert_true(graph_text_has(f, "    iotlb invalidations: 3 ranges (48 pages), 1 whole-mm flushes\n"));

	/* The status (top -j): every mm the kernel counted, also gone ones. */
	st = view_iopf_status_json(&f->ses.m.iopf);
	assert_true(json_is_true(json_object_get(st, "iotlb")));
	assert_int_equal(json_array_size(json_object_get(st, "iotlb_mms")), 2);
	io = json_array_get(json_object_get(st, "iotlb_mms"), 1);
	assert_int_equal(json_integer_value(json_object_get(io, "pid")), 4545);
	assert_int_equal(json_integer_value(json_object_get(io, "ranges")), 7);
	assert_string_equal(json_string_value(json_object_get(io, "mm")), "0xffff8881000ff000");
	json_decref(st);

	/* An mm with no flush seen: zeros, not absent. */
	assert_int_equal(iopf_invals_update(&f->ses.m.iopf, &r[1], 1), 0);
	assert_true(graph_iotlb(f, v));
	assert_int_equal(v[0] + v[1] + v[2], 0);
	assert_true(graph_text_has(f, "iotlb invalidations: 0 ranges (0 pages), 0 whole-mm flushes"));
}

static void test_graph_dot_one_to_n(void **state)
{
	struct fixture *f = *state;
	char *dot, needle[128];

	scenario_one2n(f);
	dot = render(&f->ses.m, GRAPH_DOT, NULL, f->s.ts);
	assert_int_equal(strncmp(dot, "digraph svatop {", 16), 0);
	assert_int_equal(count_substr(dot, "subgraph \"cluster_iommu_"), 2);
	snprintf(needle, sizeof(needle), "\"pasid_%u\" -> \"dom_", one2n.pasid);
	assert_int_equal(count_substr(dot, needle), 2);
	snprintf(needle, sizeof(needle), "\"mm_%llx\" -> \"pasid_%u\"",
		 (unsigned long long)one2n.mm, one2n.pasid);
	assert_int_equal(count_substr(dot, needle), 1);
	assert_int_equal(count_substr(dot, "\" -> \"dev_"), 3);
	assert_non_null(strstr(dot, "label=\"svamock.1\""));
	assert_int_equal(count_substr(dot, "{"), count_substr(dot, "}"));
	free(dot);
}

static void test_graph_text_and_filter(void **state)
{
	struct fixture *f = *state;
	struct graph_filter flt = { .pid = 4546 };
	char *txt;

	scenario_before(f);
	txt = render(&f->ses.m, GRAPH_TEXT, NULL, f->s.ts);
	assert_non_null(strstr(txt, "pid 4545 (old-timer)"));
	assert_non_null(strstr(txt, "PASID 7 [before start]"));
	assert_non_null(strstr(txt, "devices unknown (bound before svatop started)"));
	assert_non_null(strstr(txt, "pid 4546 (young)"));
	assert_non_null(strstr(txt, "device svamock.1 handle"));
	assert_non_null(strstr(txt, "iommu svamock-iommu1"));
	free(txt);
	txt = render(&f->ses.m, GRAPH_TEXT, &flt, f->s.ts);
	assert_null(strstr(txt, "old-timer"));
	assert_non_null(strstr(txt, "pid 4546 (young)"));
	free(txt);
	flt.pid = 0;
	flt.dev = "svamock.1";
	txt = render(&f->ses.m, GRAPH_TEXT, &flt, f->s.ts);
	assert_null(strstr(txt, "old-timer"));
	assert_non_null(strstr(txt, "young"));
	free(txt);
	flt.dev = "nope";
	txt = render(&f->ses.m, GRAPH_TEXT, &flt, f->s.ts);
	assert_non_null(strstr(txt, "no process holds SVA state (matching the filter)"));
	free(txt);
}

/* Leaked state shows as exited; rendering changes nothing in the model. */
static void test_graph_exited_and_readonly(void **state)
{
	struct fixture *f = *state;
	uint64_t changes, events;
	json_t *g, *mm;
	char *txt;

	scenario_leak(f);
	changes = f->ses.m.changes;
	events = f->ses.m.cnt.events;
	txt = render(&f->ses.m, GRAPH_TEXT, NULL, f->s.ts);
	assert_non_null(strstr(txt, "pid 4242 (leaky)"));
	assert_non_null(strstr(txt, "[exited 5.0s ago]"));
	free(txt);
	g = graph_json(&f->ses.m, NULL, f->s.ts);
	mm = json_array_get(json_object_get(g, "mms"), 0);
	assert_true(json_is_true(json_object_get(mm, "exited")));
	json_decref(g);
	free(render(&f->ses.m, GRAPH_DOT, NULL, f->s.ts));
	assert_int_equal(f->ses.m.changes, changes);
	assert_int_equal(f->ses.m.cnt.events, events);
}

static void test_graph_empty(void **state)
{
	struct fixture *f = *state;
	char *txt = render(&f->ses.m, GRAPH_TEXT, NULL, 0);

	assert_non_null(strstr(txt, "no process holds SVA state"));
	free(txt);
	txt = render(&f->ses.m, GRAPH_DOT, NULL, 0);
	assert_non_null(strstr(txt, "digraph svatop {"));
	free(txt);
}

/* ---- findings -------------------------------------------------------- */

static void test_finding_forms(void **state)
{
	struct fixture *f = *state;
	struct finding_list l;
	json_t *j;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *out;
	bool bond = false;

	scenario_leak(f);
	finding_list_init(&l);
	assert_int_equal(analyzer_leaks(&f->ses.a, &f->ses.m, f->s.ts, &l), 4);
	for (i = 0; i < l.len; i++) {
		if (l.v[i].rule != RULE_LEAKED_BOND)
			continue;
		bond = true;
		j = view_finding_json(NULL, &l.v[i], f->s.ts);
		assert_string_equal(json_string_value(json_object_get(j, "rule")), "leaked-bond");
		assert_string_equal(json_string_value(json_object_get(j, "kind")), "leak");
		assert_int_equal(json_integer_value(json_object_get(j, "pid")), 4242);
		assert_string_equal(json_string_value(json_object_get(j, "comm")), "leaky");
		assert_string_equal(json_string_value(json_object_get(j, "dev_name")), "svamock.0");
		assert_int_equal(json_integer_value(json_object_get(j, "pasid")), 1);
		assert_true(json_integer_value(json_object_get(j, "age_ns")) >= (json_int_t)(5 * SEC));
		assert_true(json_is_false(json_object_get(j, "preexisting")));
		json_decref(j);
		out = open_memstream(&buf, &len);
		view_finding_text(out, NULL, &l.v[i], f->s.ts);
		fclose(out);
		assert_non_null(strstr(buf, "leak leaked-bond: pid 4242 (leaky) device svamock.0 "
					    "[svamock-iommu0] PASID 1 domain 0x"));
		assert_non_null(strstr(buf, " age 5."));
		assert_non_null(strstr(buf, "allocation stack id "));
		free(buf);
	}
	assert_true(bond);
	finding_list_fini(&l);
}

/* Notices: every notice rule in JSON (0 included), a text line only for
 * those seen. */
static void test_notices_forms(void **state)
{
	struct fixture *f = *state;
	char *buf = NULL;
	size_t len = 0;
	json_t *j;
	FILE *out;

	j = view_notices_json(&f->ses.a);
	assert_int_equal(json_object_size(j), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "bind-same-device-again")), 0);
	json_decref(j);
	out = open_memstream(&buf, &len);
	view_notices_text(out, &f->ses.a);
	fclose(out);
	assert_int_equal(len, 0);
	free(buf);
	f->ses.a.noticed[RULE_BIND_SAME_DEVICE_AGAIN] = 3;
	j = view_notices_json(&f->ses.a);
	assert_int_equal(json_integer_value(json_object_get(j, "bind-same-device-again")), 3);
	json_decref(j);
	buf = NULL;
	out = open_memstream(&buf, &len);
	view_notices_text(out, &f->ses.a);
	fclose(out);
	assert_non_null(strstr(buf, "notice: bind-same-device-again x3 (legitimate, not a finding: "));
	free(buf);
}

/* ---- top ------------------------------------------------------------- */

static void test_top_rows_and_sort(void **state)
{
	struct fixture *f = *state;
	struct top_row *rows = NULL;
	struct top_prev prev;
	size_t n;

	scenario_one2n(f);
	scenario_leak(f);
	top_prev_init(&prev);
	n = top_collect(&f->ses.m, &f->ses.a, f->s.ts, NULL, &prev, 1.0, &rows);
	/* one2n, leaky and the later failed binds (errors only). */
	assert_true(n >= 3);
	top_sort(rows, n, TOP_SORT_PID, false);
	assert_int_equal(rows[0].pid, 4242);
	assert_int_equal(rows[1].pid, 4444);
	assert_int_equal(rows[1].ndomains, 2);
	assert_int_equal(rows[1].ndevs, 3);
	assert_int_equal(rows[1].binds, 3);
	assert_string_equal(rows[0].leaks, "BDMP");
	assert_string_equal(rows[1].leaks, "-");
	top_sort(rows, n, TOP_SORT_DOMAINS, true);
	assert_int_equal(rows[0].pid, 4444);
	free(rows);
	top_prev_fini(&prev);
}

static void test_top_batch_table(void **state)
{
	struct fixture *f = *state;
	struct top_opts o = { .sort = TOP_SORT_PID };
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	scenario_one2n(f);
	scenario_leak(f);
	out = open_memstream(&buf, &len);
	top_print_batch(out, &f->ses.m, &f->ses.a, f->s.ts, &o, NULL, 1.0, 0);
	fclose(out);
	assert_non_null(strstr(buf, "PID"));
	assert_non_null(strstr(buf, "COMM"));
	assert_non_null(strstr(buf, "PASID"));
	assert_non_null(strstr(buf, "leaky"));
	assert_non_null(strstr(buf, "one2n"));
	assert_non_null(strstr(buf, "BDMP"));
	assert_true(strstr(buf, "leaky") < strstr(buf, "one2n"));
	free(buf);
	/* -p filter */
	o.pid = 4444;
	buf = NULL;
	out = open_memstream(&buf, &len);
	top_print_batch(out, &f->ses.m, &f->ses.a, f->s.ts, &o, NULL, 1.0, 0);
	fclose(out);
	assert_null(strstr(buf, "leaky"));
	assert_non_null(strstr(buf, "one2n"));
	free(buf);
}

/* top -j --iotlb: each process row carries its mm's counts (by the mm,
 * not the pid), the frame every mm counted; without the opt-in, neither. */
static void test_top_json_iotlb(void **state)
{
	struct fixture *f = *state;
	struct top_opts o = { .sort = TOP_SORT_PID, .json = true };
	struct iopf_inval_row r = { .s = { .ranges = 5, .pages = 9, .flushes = 2, .tgid = 1 } };
	json_t *j, *p, *io;
	char *buf = NULL;
	size_t len = 0, i;
	int pass, mine, seen = 0;
	FILE *out;

	scenario_one2n(f);
	scenario_leak(f);
	r.mm = one2n.mm;
	assert_int_equal(iopf_invals_update(&f->ses.m.iopf, &r, 1), 0);
	f->ses.m.iopf.active = true;
	for (pass = 0; pass < 2; pass++) {
		f->ses.m.iopf.invals_on = pass;
		out = open_memstream(&buf, &len);
		top_print_batch(out, &f->ses.m, &f->ses.a, f->s.ts, &o, NULL, 1.0, 0);
		fclose(out);
		j = json_loads(buf, 0, NULL);
		free(buf);
		buf = NULL;
		assert_non_null(j);
		assert_int_equal(json_is_true(json_object_get(json_object_get(j, "iopf"), "iotlb")), pass);
		assert_int_equal(json_array_size(json_object_get(json_object_get(j, "iopf"), "iotlb_mms")),
				 pass);
		assert_true(json_array_size(json_object_get(j, "processes")) >= 2);
		json_array_foreach(json_object_get(j, "processes"), i, p) {
			io = json_object_get(p, "iotlb");
			if (!pass) {
				assert_null(io);
				continue;
			}
			assert_non_null(io);
			/* one2n's mm: the kernel's row (its tgid field is not the key) */
			mine = json_integer_value(json_object_get(p, "pid")) == 4444;
			seen += mine;
			assert_int_equal(json_integer_value(json_object_get(io, "ranges")), mine ? 5 : 0);
		}
		json_decref(j);
	}
	assert_int_equal(seen, 1);
}

static uint64_t rnd(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return *seed >> 33;
}

/* Every DOT line has its string quotes paired (escaping works). */
static bool dot_quotes_balanced(const char *s)
{
	int q = 0;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			continue;
		}
		if (*s == '"')
			q ^= 1;
		if (*s == '\n' && q)
			return false;
	}
	return !q;
}

/* Whatever the events were (random, colliding, garbage names), every
 * view renders, and its JSON parses. */
static void test_views_render_any_model(void **state)
{
	struct fixture *f = *state;
	struct top_opts o = { .sort = TOP_SORT_BINDS };
	struct svatop_event ev;
	uint64_t seed = 99;
	json_error_t jerr;
	json_t *j;
	char *buf;
	size_t len;
	FILE *out;
	int i, k, fmt;

	for (i = 0; i < 20000; i++) {
		synth_event(&f->s, &ev, 1 + rnd(&seed) % (SVATOP_EV_MAX - 1), NULL);
		ev.pid = ev.tgid = 10 + rnd(&seed) % 4;
		for (k = 0; k < SVATOP_COMM_LEN; k++)
			ev.comm[k] = (char)(rnd(&seed) % 3 ? 'a' + rnd(&seed) % 26 : rnd(&seed));
		for (k = 0; k < SVATOP_NAME_LEN; k++)
			ev.dev_name[k] = (char)(rnd(&seed) % 4 ? '"' + rnd(&seed) % 60 : rnd(&seed));
		ev.mm = 0xffff888000000000ULL + (rnd(&seed) % 6) * 0x400;
		ev.domain = 0xffff888100000000ULL + (rnd(&seed) % 6) * 0x400;
		ev.handle = 0xffff888200000000ULL + (rnd(&seed) % 6) * 0x400;
		ev.dev = 0xffff888300000000ULL + (rnd(&seed) % 3) * 0x400;
		ev.iommu = 0xffff888400000000ULL + (rnd(&seed) % 2) * 0x400;
		ev.pasid = 1 + rnd(&seed) % 6;
		ev.ret = rnd(&seed) % 6 ? 0 : -22;
		ev.handle_users = rnd(&seed) % 3;
		ev.domain_users = rnd(&seed) % 3;
		ev.flags = rnd(&seed) & 0x7f;
		feed(&ev, f);
	}
	for (fmt = GRAPH_TEXT; fmt <= GRAPH_JSON; fmt++) {
		buf = render(&f->ses.m, fmt, NULL, f->s.ts);
		assert_true(strlen(buf) > 0);
		if (fmt == GRAPH_JSON) {
			j = json_loads(buf, 0, &jerr);
			if (!j)
				fail_msg("graph JSON does not parse: %s", jerr.text);
			json_decref(j);
		}
		if (fmt == GRAPH_DOT)
			assert_true(dot_quotes_balanced(buf));
		free(buf);
	}
	o.json = true;
	buf = NULL;
	out = open_memstream(&buf, &len);
	top_print_batch(out, &f->ses.m, &f->ses.a, f->s.ts, &o, NULL, 1.0, 0);
	fclose(out);
	j = json_loads(buf, 0, &jerr);
	if (!j)
		fail_msg("top JSON does not parse: %s", jerr.text);
	json_decref(j);
	free(buf);
	assert_null(model_verify(&f->ses.m));
}

/* ---- the session over a scripted source -------------------------------- */

struct fake_source {
	struct source base;
	const struct svatop_event *ev;
	size_t n, pos, chunk;
	uint64_t dropped;
};

static int fake_poll(struct source *src, int timeout_ms, source_event_fn fn, void *ctx)
{
	struct fake_source *fs = (void *)src;
	size_t i;
	int ret;

	(void)timeout_ms;
	if (fs->pos == fs->n)
		return -ENODATA;
	for (i = 0; i < fs->chunk && fs->pos < fs->n; i++) {
		ret = fn(&fs->ev[fs->pos++], ctx);
		if (ret)
			return ret;
	}
	return (int)i;
}

static void fake_stats(struct source *src, struct source_stats *out)
{
	struct fake_source *fs = (void *)src;

	out->submitted = fs->n + fs->dropped;
	out->dropped = fs->dropped;
	out->delivered = fs->pos;
}

static void fake_close(struct source *src)
{
	(void)src;
}

static const struct source_ops fake_ops = { fake_poll, fake_stats, fake_close, NULL };

static struct svatop_event recorded[64];
static size_t nrecorded;

static void record_ev(const struct svatop_event *ev, void *ctx)
{
	(void)ctx;
	assert_true(nrecorded < 64);
	recorded[nrecorded++] = *ev;
}

/* A recording whose records from two CPUs interleave out of order: the
 * session puts them back in order (no violation, a clean teardown), applies
 * the rest at the end, and lost records make the result inconclusive. */
static void test_session_orders_and_ends(void **state)
{
	struct fixture *f = *state;
	struct fake_source fs = { .base = { &fake_ops }, .chunk = 3 };
	struct session s;
	struct synth_proc p;
	struct svatop_event t;
	size_t i;

	nrecorded = 0;
	f->s.emit = record_ev;
	synth_proc_init(&f->s, &p, 77, "cpus");
	synth_bind(&f->s, &p, &f->dev0);
	synth_unbind(&f->s, &p, 0);
	synth_exit(&f->s, &p);
	synth_mm_release(&f->s, &p);
	/* The teardown's records before the bind's, as two CPUs may deliver. */
	for (i = 0; i + 1 < nrecorded; i += 2) {
		t = recorded[i];
		recorded[i] = recorded[i + 1];
		recorded[i + 1] = t;
	}
	fs.ev = recorded;
	fs.n = nrecorded;
	assert_int_equal(session_init(&s, SEC), 0);
	session_set_source(&s, &fs.base, false);
	while (!s.ended)
		assert_int_equal(session_poll(&s, 0), 0);
	assert_int_equal(s.m.cnt.events, nrecorded);
	assert_int_equal(s.r.late, 0);
	assert_int_equal(s.m.cnt.unknown, 0);
	assert_int_equal(model_objects(&s.m), 2);	/* the device and its IOMMU */
	assert_int_equal(analyzer_verdict(&s.a, &s.m, 0, session_dropped(&s)), VERDICT_CLEAN);
	fs.dropped = 1;
	assert_int_equal(analyzer_verdict(&s.a, &s.m, 0, session_dropped(&s)),
			 VERDICT_INCONCLUSIVE);
	session_close(&s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_graph_json_one_to_n),
		T(test_graph_iotlb),
		T(test_graph_dot_one_to_n),
		T(test_graph_text_and_filter),
		T(test_graph_exited_and_readonly),
		T(test_graph_empty),
		T(test_finding_forms),
		T(test_notices_forms),
		T(test_top_rows_and_sort),
		T(test_top_batch_table),
		T(test_top_json_iotlb),
		T(test_views_render_any_model),
		T(test_session_orders_and_ends),
	};

	if (argc == 3 && !strcmp(argv[1], "--write-scenarios"))
		return write_scenarios(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "--write-flood"))
		return write_flood(argv[2], strtoul(argv[3], NULL, 0));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
