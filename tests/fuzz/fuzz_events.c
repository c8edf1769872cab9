// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for everything after the record reader: the input is
 * an array of raw struct svatop_event (184 bytes each; a shorter tail is
 * one byte of knobs), fed as a source would deliver it through the
 * session (reorder buffer, rules, model), then rendered by every view:
 * trace (text, JSON, the failed-bind explanation), graph (text, DOT,
 * JSON, with and without a filter), top (text and JSON, two frames for
 * the rates), leaks and pending findings (text and JSON), pasid (text
 * and JSON) and the exporter's Prometheus text. No record is checked
 * first: the checksum and the reader's size checks are not in the way,
 * so mutations reach the logic. Any input must end without a crash, a
 * sanitizer report, a leak or a hang. Seeds: tests/fuzz/corpus-events
 * (the recordings of tests/fuzz/corpus as event arrays, `make
 * fuzz-corpus`). Run by `make fuzz`, tests/host/fuzz_recfile.sh.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "analyze/explain.h"
#include "common/events.h"
#include "common/log.h"
#include "pipeline/session.h"
#include "source/iopf.h"
#include "source/source.h"
#include "view/bind_explain.h"
#include "view/exporter.h"
#include "view/finding.h"
#include "view/graph.h"
#include "view/pasid.h"
#include "view/top.h"
#include "view/trace.h"

static FILE *out;

/* The views link the command functions; the live source is not fuzzed. */
int live_source_open(struct source **out_src, const struct live_opts *opts)
{
	(void)out_src;
	(void)opts;
	return -ENOSYS;
}

/* Nor the IOPF accounting (BPF too): the views see "no IOPF here". */
/* A recording is never a live source: no classification, no state mode. */
const struct sva_report *source_live_report(struct source *src)
{
	(void)src;
	return NULL;
}

bool source_state_mode(struct source *src)
{
	(void)src;
	return false;
}

int iopf_source_open(struct iopf_source **out, const struct iopf_opts *o, char *why,
		     size_t len)
{
	(void)out;
	(void)o;
	snprintf(why, len, "not in the fuzz build");
	return -ENOSYS;
}

void iopf_source_close(struct iopf_source *src)
{
	(void)src;
}

int iopf_source_read(struct iopf_source *src, struct iopf_row **rows, size_t *n)
{
	(void)src;
	*rows = NULL;
	*n = 0;
	return 0;
}

bool iopf_source_has_invals(const struct iopf_source *src)
{
	(void)src;
	return false;
}

int iopf_source_read_invals(struct iopf_source *src, struct iopf_inval_row **rows, size_t *n)
{
	(void)src;
	*rows = NULL;
	*n = 0;
	return 0;
}

int iopf_source_poll(struct iopf_source *src, int timeout_ms, iopf_event_fn fn, void *ctx)
{
	(void)src;
	(void)timeout_ms;
	(void)fn;
	(void)ctx;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* FUZZ_VERBOSE=1: the views' output on stdout, to read a reproducer. */
	out = getenv("FUZZ_VERBOSE") ? stdout : fopen("/dev/null", "w");
	if (!out)
		abort();
	return 0;
}

static void dump(json_t *j)
{
	if (!j)
		return;
	json_dumpf(j, out, JSON_COMPACT);
	fputc('\n', out);
	json_decref(j);
}

static void findings(struct session *s, const struct finding_list *l, uint64_t now)
{
	size_t i;

	for (i = 0; i < l->len; i++) {
		view_finding_text(out, s, &l->v[i], now);
		dump(view_finding_json(s, &l->v[i], now));
	}
}

#define KNOB_NO_GRACE	0x01	/* grace 0: every exited owner is a leak now */
#define KNOB_APPLY	0x02	/* straight to the model, no reorder buffer */
#define KNOB_PER_PROC	0x04	/* the exporter's per-process series */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct session s;
	static struct bind_tracker binds;
	static struct exporter_counts counts;
	static struct top_prev prev;
	size_t n = size / sizeof(struct svatop_event), i, j;
	uint8_t knobs = size % sizeof(struct svatop_event) ? data[size - 1] : 0;
	struct svatop_event ev;
	struct bind_window w;
	struct bind_explain x;
	struct finding_list l;
	struct graph_filter flt = { 0 };
	struct top_opts to = { 0 };
	struct source_stats st = { 0 };
	struct exporter_info info = {
		.version = "fuzz", .mode = "replay", .ended = true,
		.per_process = knobs & KNOB_PER_PROC,
	};
	char dev[SVATOP_NAME_LEN + 1] = "";
	uint32_t pasids[8];
	size_t npasids = 0;
	uint64_t first_ts = 0, now;
	enum graph_format gf;

	if (session_init(&s, knobs & KNOB_NO_GRACE ? 0 : ANALYZER_DEFAULT_GRACE_NS))
		abort();
	memset(&binds, 0, sizeof(binds));
	memset(&counts, 0, sizeof(counts));
	top_prev_init(&prev);
	for (i = 0; i < n; i++) {
		memcpy(&ev, data + i * sizeof(ev), sizeof(ev));
		/* What a source delivers: a trace line, its JSON, a failed
		 * bind explained, then the model. */
		if (!first_ts)
			first_ts = ev.ts_ns;
		trace_print_text(out, &ev, first_ts, NULL, 0);
		event_write_json(out, &ev, NULL, 0);
		if (bind_tracker_feed(&binds, &ev, &w) && ev.ret) {
			explain_bind(&ev, &w, &x);
			if (ev.ret == -ENOSPC)
				explain_holders(&s.m, &x);
			view_bind_explain_text(out, &x);
			dump(view_bind_explain_json(&x));
		}
		exporter_count_event(&counts, &ev);
		if (knobs & KNOB_APPLY) {
			session_apply(&s, &ev);
		} else {
			session_feed(&s, &ev);
			if (i % 16 == 15)
				session_release(&s);
		}
		st.delivered++;
		if (ev.pasid && npasids < sizeof(pasids) / sizeof(pasids[0]))
			pasids[npasids++] = ev.pasid;
		if (i == 0) {
			flt.pid = ev.tgid;
			memcpy(dev, ev.dev_name, sizeof(ev.dev_name));
		}
		/* A frame of top in the middle of the stream: rates over two. */
		if (i == n / 2)
			top_print_batch(out, &s.m, &s.a, session_now(&s), &to, &prev, 1.0,
					session_dropped(&s));
	}
	session_flush(&s);
	now = session_now(&s);

	for (gf = GRAPH_TEXT; gf <= GRAPH_JSON; gf++) {
		graph_render(out, &s.m, gf, NULL, now);
		flt.dev = dev[0] ? dev : NULL;
		graph_render(out, &s.m, gf, &flt, now);
		flt.dev = NULL;
	}
	top_print_batch(out, &s.m, &s.a, now, &to, &prev, 1.0, session_dropped(&s));
	to.json = true;
	to.sort = knobs % TOP_SORT_MAX;
	to.reverse = knobs & 0x80;
	top_print_batch(out, &s.m, &s.a, now + 1000000000ULL, &to, &prev, 1.0,
			session_dropped(&s));

	finding_list_init(&l);
	analyzer_leaks(&s.a, &s.m, now, &l);
	findings(&s, &l, now);
	analyzer_verdict(&s.a, &s.m, l.len, session_dropped(&s));
	finding_list_fini(&l);
	finding_list_init(&l);
	analyzer_pending(&s.a, &s.m, now, &l);
	findings(&s, &l, now);
	finding_list_fini(&l);

	for (j = 0; j < npasids; j++) {
		pasid_holder_text(out, &s.m, pasids[j], now, ANALYZER_DEFAULT_GRACE_NS, "  ");
		dump(pasid_holder_json(&s.m, pasids[j], now, ANALYZER_DEFAULT_GRACE_NS));
	}

	info.now_ns = now;
	if (exporter_render(out, &s.m, &s.a, &st, &counts, &info))
		abort();
	fflush(out);
	top_prev_fini(&prev);
	session_close(&s);
	return 0;
}
