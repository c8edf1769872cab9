// SPDX-License-Identifier: GPL-2.0
/* Device page faults in the views (see iopf_view.h). */
#include <inttypes.h>
#include "common/escape.h"
#include "common/events.h"
#include "view/finding.h"
#include "view/iopf_view.h"

const char *view_us(char *buf, size_t len, uint64_t us)
{
	if (!us)
		snprintf(buf, len, "-");
	else if (us < 1000)
		snprintf(buf, len, "%" PRIu64 "us", us);
	else if (us < 1000000)
		snprintf(buf, len, "%.1fms", us / 1e3);
	else
		snprintf(buf, len, "%.1fs", us / 1e6);
	return buf;
}

void view_iopf_text(FILE *f, const struct iopf_table *t, uint32_t tgid, const char *prefix)
{
	char p50[16], p99[16], max[16];
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct iopf_row *r = &t->rows[i];
		const struct iopf_stats *s = &r->s;

		if (s->tgid != tgid || (!s->reports && !s->partial))
			continue;
		fprintf(f, "%siopf on %s PASID ", prefix, ESCAPED(s->dev_name, "?"));
		if (r->pasid == IOPF_NO_PASID)
			fputs("-", f);
		else
			fprintf(f, "%u", r->pasid);
		fprintf(f, ": %llu faults, %llu failed (invalid %llu, failure %llu, refused %llu),"
			" latency p50 %s p99 %s max %s\n",
			(unsigned long long)s->reports, (unsigned long long)iopf_failures(s),
			(unsigned long long)s->outcomes[IOPF_INVALID],
			(unsigned long long)s->outcomes[IOPF_FAILURE],
			(unsigned long long)s->outcomes[IOPF_REFUSED],
			view_us(p50, sizeof(p50), iopf_hist_quantile_us(s->hist, 0.5)),
			view_us(p99, sizeof(p99), iopf_hist_quantile_us(s->hist, 0.99)),
			view_us(max, sizeof(max), s->latency_max_ns / 1000));
	}
}

static json_t *hist_json(const __u64 hist[IOPF_HIST_SLOTS])
{
	json_t *o = json_object();
	char key[16];
	int i;

	/* Keyed by the slot's upper bound in microseconds. */
	for (i = 0; i < IOPF_HIST_SLOTS; i++) {
		if (!hist[i])
			continue;
		snprintf(key, sizeof(key), "%llu", 2ULL << i);
		json_object_set_new(o, key, json_integer((json_int_t)hist[i]));
	}
	return o;
}

json_t *view_iopf_json(const struct iopf_table *t, uint32_t tgid)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct iopf_row *r = &t->rows[i];
		const struct iopf_stats *s = &r->s;
		json_t *o;

		if (tgid != VIEW_IOPF_ALL && s->tgid != tgid)
			continue;
		o = json_object();
		json_object_set_new(o, "pid", s->tgid ? json_integer(s->tgid) : json_null());
		json_object_set_new(o, "comm", view_json_str(s->comm));
		json_object_set_new(o, "device", view_json_str(s->dev_name));
		json_object_set_new(o, "pasid", r->pasid == IOPF_NO_PASID ? json_null() :
				    json_integer(r->pasid));
		json_object_set_new(o, "faults", json_integer(s->reports));
		json_object_set_new(o, "partial", json_integer(s->partial));
		json_object_set_new(o, "success", json_integer(s->outcomes[IOPF_SUCCESS]));
		json_object_set_new(o, "invalid", json_integer(s->outcomes[IOPF_INVALID]));
		json_object_set_new(o, "failure", json_integer(s->outcomes[IOPF_FAILURE]));
		json_object_set_new(o, "refused", json_integer(s->outcomes[IOPF_REFUSED]));
		json_object_set_new(o, "failures", json_integer(iopf_failures(s)));
		json_object_set_new(o, "unmatched", json_integer(s->unmatched));
		json_object_set_new(o, "handled", json_integer(s->handled));
		json_object_set_new(o, "handler_errors", json_integer(s->handler_errors));
		json_object_set_new(o, "per_s", json_real(t->interval_s > 0 ?
				    (double)(s->reports - r->prev_reports) / t->interval_s : 0));
		json_object_set_new(o, "latency_sum_ns", json_integer(s->latency_sum_ns));
		json_object_set_new(o, "latency_max_ns", json_integer(s->latency_max_ns));
		json_object_set_new(o, "p50_us", json_integer(iopf_hist_quantile_us(s->hist, 0.5)));
		json_object_set_new(o, "p99_us", json_integer(iopf_hist_quantile_us(s->hist, 0.99)));
		json_object_set_new(o, "hist_us", hist_json(s->hist));
		json_array_append_new(arr, o);
	}
	return arr;
}

void view_iotlb_text(FILE *f, const struct iopf_inval_stats *s, const char *prefix)
{
	static const struct iopf_inval_stats none;

	if (!s)
		s = &none;
	fprintf(f, "%siotlb invalidations: %llu ranges (%llu pages), %llu whole-mm flushes\n",
		prefix, (unsigned long long)s->ranges, (unsigned long long)s->pages,
		(unsigned long long)s->flushes);
}

json_t *view_iotlb_json(const struct iopf_inval_stats *s)
{
	static const struct iopf_inval_stats none;
	json_t *o = json_object();

	if (!s)
		s = &none;
	json_object_set_new(o, "ranges", json_integer(s->ranges));
	json_object_set_new(o, "pages", json_integer(s->pages));
	json_object_set_new(o, "flushes", json_integer(s->flushes));
	return o;
}

json_t *view_iotlb_mms_json(const struct iopf_table *t)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < t->ninvals; i++) {
		const struct iopf_inval_row *r = &t->invals[i];
		json_t *o = view_iotlb_json(&r->s);

		json_object_set_new(o, "mm", view_json_ptr(r->mm));
		json_object_set_new(o, "pid", r->s.tgid ? json_integer(r->s.tgid) : json_null());
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *view_iopf_status_json(const struct iopf_table *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "active", json_boolean(t->active));
	json_object_set_new(o, "iotlb", json_boolean(t->invals_on));
	if (t->invals_on)
		json_object_set_new(o, "iotlb_mms", view_iotlb_mms_json(t));
	json_object_set_new(o, "interval_s", json_real(t->interval_s));
	/* Every (process, device) row, also of processes gone from the model. */
	json_object_set_new(o, "devices", view_iopf_json(t, VIEW_IOPF_ALL));
	if (!t->active)
		json_object_set_new(o, "why", json_string(t->why[0] ? t->why :
							   "not live (a recording)"));
	return o;
}

const char *view_iopf_outcome(uint32_t outcome)
{
	static const char *const names[IOPF_OUTCOMES] = {
		"success", "invalid", "failure", "refused",
	};

	return outcome < IOPF_OUTCOMES ? names[outcome] : "?";
}

/* IOMMU_FAULT_PERM_WRITE (2) makes it a write; else a read. */
static const char *access_name(uint32_t perm)
{
	return perm & 2 ? "write" : "read";
}

void view_iopf_event_text(FILE *f, const struct iopf_event *ev, double rel_s)
{
	char lat[16], pasid[16];

	if (ev->pasid == IOPF_NO_PASID)
		snprintf(pasid, sizeof(pasid), "-");
	else
		snprintf(pasid, sizeof(pasid), "%u", ev->pasid);
	fprintf(f, "%-12.6f %-7u %-15.15s %-13s %-14.14s %-7s 0x%-14llx %-5s %s %s\n",
		rel_s, ev->tgid, ESCAPED(ev->comm, "-"), "iopf", ESCAPED(ev->dev_name, "-"),
		pasid, (unsigned long long)ev->addr, access_name(ev->perm),
		view_iopf_outcome(ev->outcome),
		ev->matched ? view_us(lat, sizeof(lat), ev->latency_ns / 1000 ?
				      ev->latency_ns / 1000 : 1) : "(report not seen)");
}

void view_iopf_event_json(FILE *f, const struct iopf_event *ev)
{
	json_t *o = json_object();
	char addr[24];

	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)ev->addr);
	json_object_set_new(o, "v", json_integer(EVENTS_JSON_SCHEMA));
	json_object_set_new(o, "event", json_string("iopf"));
	json_object_set_new(o, "ts_ns", json_integer(ev->ts_ns));
	json_object_set_new(o, "tgid", ev->tgid ? json_integer(ev->tgid) : json_null());
	json_object_set_new(o, "comm", view_json_str(ev->comm));
	json_object_set_new(o, "dev_name", view_json_str(ev->dev_name));
	json_object_set_new(o, "pasid", ev->pasid == IOPF_NO_PASID ? json_null() :
			    json_integer(ev->pasid));
	json_object_set_new(o, "addr", json_string(addr));
	json_object_set_new(o, "access", json_string(access_name(ev->perm)));
	json_object_set_new(o, "group", json_integer(ev->grpid));
	json_object_set_new(o, "response", json_string(view_iopf_outcome(ev->outcome)));
	json_object_set_new(o, "latency_ns", ev->matched ? json_integer(ev->latency_ns) :
			    json_null());
	json_dumpf(o, f, JSON_COMPACT);
	fputc('\n', f);
	json_decref(o);
}
