/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the model views (top, graph, leaks, check) share: a session that
 * drives any source through the reorder buffer into the model and the
 * analyzer, and the text/JSON form of a finding. Views read the session's
 * model and analyzer; only view_session_poll() changes them.
 */
#ifndef SVATOP_VIEW_COMMON_H
#define SVATOP_VIEW_COMMON_H

#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "analyze/analyzer.h"
#include "common/log.h"
#include "model/model.h"
#include "model/reorder.h"
#include "source/source.h"

#pragma weak live_source_stack

#define VIEW_JSON_SCHEMA	1
/* Records from different CPUs are put back in order within this window. */
#define VIEW_REORDER_NS		(50ULL * 1000000ULL)

struct view_session {
	struct source *src;
	bool live;		/* the kernel, not a recording */
	bool ended;		/* a finite source delivered everything */
	struct model m;
	struct analyzer a;
	struct reorder r;
	int err;
};

static inline uint64_t view_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline int view_session_open(struct view_session *s, const char *replay,
				    const struct live_opts *lo, uint64_t grace_ns)
{
	int err;

	memset(s, 0, sizeof(*s));
	if (model_init(&s->m)) {
		p_err("out of memory");
		return -ENOMEM;
	}
	analyzer_init(&s->a, grace_ns);
	reorder_init(&s->r);
	err = source_open(&s->src, replay, lo);
	if (err) {
		s->src = NULL;
		analyzer_fini(&s->a);
		model_fini(&s->m);
		reorder_fini(&s->r);
		return err;
	}
	s->live = !replay;
	/* Scripts wait for this line before starting their workload. */
	if (s->live)
		fprintf(stderr, "svatop: watching SVA events\n");
	return 0;
}

static inline void view_session_close(struct view_session *s)
{
	source_close(s->src);
	s->src = NULL;
	reorder_fini(&s->r);
	analyzer_fini(&s->a);
	model_fini(&s->m);
}

static inline int view_session_push(const struct svatop_event *ev, void *ctx)
{
	struct view_session *s = ctx;

	return reorder_push(&s->r, ev);
}

static inline int view_session_apply(const struct svatop_event *ev, void *ctx)
{
	struct view_session *s = ctx;

	analyzer_event(&s->a, &s->m, ev);
	return 0;
}

/* "Now" on the events' clock: the kernel's CLOCK_MONOTONIC when live,
 * the newest record's time when reading a recording. */
static inline uint64_t view_session_now(const struct view_session *s)
{
	return s->live ? view_monotonic_ns() : s->m.now_ns;
}

/* Deliver what the source has (waiting up to timeout_ms) to the model.
 * Returns 0, or -errno when the source failed (already reported). */
static inline int view_session_poll(struct view_session *s, int timeout_ms)
{
	uint64_t limit;
	int ret;

	if (s->ended)
		return 0;
	ret = source_poll(s->src, timeout_ms, view_session_push, s);
	if (ret == -ENODATA) {
		s->ended = true;
		reorder_release(&s->r, UINT64_MAX, view_session_apply, s);
		return 0;
	}
	if (ret < 0 && ret != -EINTR) {
		p_err("reading events failed: %s", strerror(-ret));
		s->err = ret;
		return ret;
	}
	limit = s->live ? view_monotonic_ns() : s->r.max_ts;
	limit = limit > VIEW_REORDER_NS ? limit - VIEW_REORDER_NS : 0;
	reorder_release(&s->r, limit, view_session_apply, s);
	return 0;
}

/* Apply everything still held back (before a final verdict). */
static inline void view_session_flush(struct view_session *s)
{
	reorder_release(&s->r, UINT64_MAX, view_session_apply, s);
}

/* Records lost by the source, plus records that arrived too late to be
 * put back in order (applied out of order): either way the model may be
 * wrong, so verdicts become inconclusive. */
static inline uint64_t view_session_dropped(struct view_session *s)
{
	struct source_stats st = { 0 };

	source_stats(s->src, &st);
	return st.dropped + s->r.late;
}

/* ---- formatting ------------------------------------------------------ */

static inline const char *view_age(char *buf, size_t len, uint64_t ns)
{
	uint64_t s = ns / 1000000000ULL;

	if (s >= 3600)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
	else if (s >= 60)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else
		snprintf(buf, len, "%" PRIu64 ".%01" PRIu64 "s", s, (uint64_t)(ns / 100000000ULL % 10));
	return buf;
}

static inline json_t *view_json_ptr(uint64_t p)
{
	char buf[24];

	if (!p)
		return json_null();
	snprintf(buf, sizeof(buf), "0x%" PRIx64, p);
	return json_string(buf);
}

/* Kernel names (comm, device) are bytes, not always UTF-8: JSON gets
 * them with anything outside printable ASCII replaced by '?'. */
static inline json_t *view_json_str(const char *s)
{
	char buf[64];
	size_t i;
	json_t *j;

	if (!s || !s[0])
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	for (i = 0; s[i] && i < sizeof(buf) - 1; i++)
		buf[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return json_string(buf);
}

#define VIEW_STACK_MAX	16

/* Symbolized allocation stack of a live source; 0 frames otherwise. */
static inline int view_stack(struct view_session *s, int32_t id,
			     char frames[][64])
{
	int n;

	if (id < 0 || !s || !s->live || !live_source_stack)
		return 0;
	n = live_source_stack(s->src, id, frames, VIEW_STACK_MAX);
	return n < 0 ? 0 : n;
}

static inline json_t *view_finding_json(struct view_session *s, const struct finding *f,
					uint64_t now)
{
	const struct rule_info *ri = &rule_table[f->rule];
	char frames[VIEW_STACK_MAX][64];
	json_t *o = json_object(), *st;
	int i, n;

	if (!o)
		return NULL;
	json_object_set_new(o, "rule", json_string(ri->name));
	json_object_set_new(o, "kind", json_string(rule_kind_name(ri->kind)));
	json_object_set_new(o, "explain", json_string(ri->explain));
	json_object_set_new(o, "ts_ns", json_integer(f->ts));
	if (f->since_ts)
		json_object_set_new(o, "age_ns", json_integer(now - f->since_ts));
	json_object_set_new(o, "pid", f->tgid ? json_integer(f->tgid) : json_null());
	json_object_set_new(o, "comm", view_json_str(f->comm));
	json_object_set_new(o, "pasid", f->pasid ? json_integer(f->pasid) : json_null());
	json_object_set_new(o, "mm", view_json_ptr(f->mm));
	json_object_set_new(o, "domain", view_json_ptr(f->domain));
	json_object_set_new(o, "handle", view_json_ptr(f->handle));
	json_object_set_new(o, "dev", view_json_ptr(f->dev));
	json_object_set_new(o, "dev_name", view_json_str(f->dev_name));
	json_object_set_new(o, "iommu_name", view_json_str(f->iommu_name));
	json_object_set_new(o, "uid", json_integer(f->uid));
	json_object_set_new(o, "preexisting", json_boolean(f->flags & FINDING_PREEXISTING));
	json_object_set_new(o, "detail", json_string(f->detail));
	json_object_set_new(o, "stack_id", json_integer(f->stack_id));
	n = view_stack(s, f->stack_id, frames);
	if (n > 0) {
		st = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(st, json_string(frames[i]));
		json_object_set_new(o, "stack", st);
	}
	return o;
}

/* One finding, a person's way: what, who, where, how old, from where. */
static inline void view_finding_text(FILE *out, struct view_session *s,
				     const struct finding *f, uint64_t now)
{
	const struct rule_info *ri = &rule_table[f->rule];
	char frames[VIEW_STACK_MAX][64];
	char age[32];
	int i, n;

	fprintf(out, "%s %s: pid %u (%s) device %s", rule_kind_name(ri->kind),
		ri->name, f->tgid, f->comm[0] ? f->comm : "?",
		f->dev_name[0] ? f->dev_name : "?");
	if (f->iommu_name[0])
		fprintf(out, " [%s]", f->iommu_name);
	if (f->pasid)
		fprintf(out, " PASID %u", f->pasid);
	else
		fprintf(out, " PASID ?");
	if (f->domain)
		fprintf(out, " domain 0x%" PRIx64, f->domain);
	if (f->handle)
		fprintf(out, " handle 0x%" PRIx64, f->handle);
	if (f->mm)
		fprintf(out, " mm 0x%" PRIx64, f->mm);
	if (f->since_ts)
		fprintf(out, " age %s", view_age(age, sizeof(age), now - f->since_ts));
	if (f->flags & FINDING_PREEXISTING)
		fprintf(out, " (pre-existing)");
	fprintf(out, "\n    %s; %s\n", f->detail, ri->explain);
	n = view_stack(s, f->stack_id, frames);
	if (n > 0) {
		fprintf(out, "    allocated at:\n");
		for (i = 0; i < n; i++)
			fprintf(out, "      %s\n", frames[i]);
	} else if (f->stack_id >= 0) {
		fprintf(out, "    allocation stack id %d\n", f->stack_id);
	}
}

/* Parse a non-negative number of seconds ("2", "0.5"). */
static inline int view_parse_seconds(const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || v < 0 || v > 1e6)
		return -EINVAL;
	*out = v;
	return 0;
}

static inline int view_parse_uint(const char *arg, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* -p PID: a positive process id, or a usage error. */
static inline uint32_t view_arg_pid(struct argp_state *state, const char *arg)
{
	unsigned long v;

	if (view_parse_uint(arg, 0x7fffffff, &v) || !v)
		argp_error(state, "invalid PID '%s'", arg);
	return v;
}

/* A number of seconds no smaller than min, or a usage error naming what. */
static inline void view_arg_seconds(struct argp_state *state, const char *arg,
				    const char *what, double min, double *out)
{
	if (view_parse_seconds(arg, out) || *out < min)
		argp_error(state, "invalid %s '%s'", what, arg);
}

/* The bcc-style positional arguments of periodic views: INTERVAL [COUNT]. */
static inline void view_parse_interval_count(struct argp_state *state, const char *arg,
					     int *npos, double *interval,
					     unsigned long *count)
{
	if (*npos == 0) {
		if (view_parse_seconds(arg, interval) || *interval < 0.1)
			argp_error(state, "invalid interval '%s'", arg);
	} else if (*npos == 1) {
		if (view_parse_uint(arg, 1000000000, count) || !*count)
			argp_error(state, "invalid count '%s'", arg);
	} else {
		argp_error(state, "unexpected argument '%s'", arg);
	}
	(*npos)++;
}

#endif
