// SPDX-License-Identifier: GPL-2.0
/* The top view's per-process table: rows from the model, rates against the
 * previous frame, sorting, and the batch text and JSON forms. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "common/escape.h"
#include "view/finding.h"
#include "view/iopf_view.h"
#include "view/top.h"

static const char *const sort_names[TOP_SORT_MAX] = {
	"pid", "comm", "pasid", "domains", "devices", "binds", "unbinds",
	"errors", "age",
};

const char *top_sort_name(enum top_sort key)
{
	return key < TOP_SORT_MAX ? sort_names[key] : "?";
}

int top_sort_from_name(const char *s)
{
	int i;

	for (i = 0; i < TOP_SORT_MAX; i++)
		if (!strcmp(s, sort_names[i]))
			return i;
	return -1;
}

void top_prev_init(struct top_prev *p)
{
	p->v = NULL;
	p->n = 0;
}

void top_prev_fini(struct top_prev *p)
{
	free(p->v);
	top_prev_init(p);
}

static int cmp_prev(const void *a, const void *b)
{
	const struct top_prev_ent *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static const struct top_prev_ent *prev_find(const struct top_prev *p, uint32_t uid)
{
	struct top_prev_ent key = { .uid = uid };

	if (!p || !p->n)
		return NULL;
	return bsearch(&key, p->v, p->n, sizeof(*p->v), cmp_prev);
}

static bool row_matches(const struct model *m, const struct model_mm *mm,
			const struct top_opts *o)
{
	const struct model_bond *b;

	if (!(mm->flags & MF_SVA) && !model_mm_errors(m, mm))
		return false;
	if (!o)
		return true;
	if (o->pid && mm->tgid != o->pid)
		return false;
	if (!o->dev)
		return true;
	model_mm_for_each_bond(m, mm, b)
		if (b->dev && !strcmp(model_dev_at(m, b->dev)->name, o->dev))
			return true;
	return false;
}

struct leak_marks {
	struct keymap by_mm;	/* mm pointer -> bit set, as a pointer value */
};

static void mark_leak(const struct finding *f, void *ctx)
{
	static const char bit[] = { [RULE_LEAKED_BOND] = 1, [RULE_LEAKED_DOMAIN] = 2,
				    [RULE_LEAKED_MM] = 4, [RULE_LEAKED_PASID] = 8 };
	struct leak_marks *lm = ctx;
	uintptr_t v;

	if (!f->mm || f->rule > RULE_LEAKED_PASID)
		return;
	v = (uintptr_t)keymap_get(&lm->by_mm, f->mm);
	keymap_put(&lm->by_mm, f->mm, (void *)(v | bit[f->rule]));
}

static void fill_leaks(char *out, uintptr_t bits)
{
	int n = 0;

	if (bits & 1)
		out[n++] = 'B';
	if (bits & 2)
		out[n++] = 'D';
	if (bits & 4)
		out[n++] = 'M';
	if (bits & 8)
		out[n++] = 'P';
	if (!n)
		out[n++] = '-';
	out[n] = '\0';
}

static void top_iopf(struct top_row *r, const struct iopf_table *t)
{
	struct iopf_stats sum;

	if (!r->pid || !iopf_table_sum(t, r->pid, 0, &sum, &r->iopf_s))
		return;
	r->iopf_faults = sum.reports;
	r->iopf_fails = iopf_failures(&sum);
	r->iopf_p50_us = iopf_hist_quantile_us(sum.hist, 0.5);
	r->iopf_p99_us = iopf_hist_quantile_us(sum.hist, 0.99);
}

size_t top_collect(const struct model *m, const struct analyzer *a, uint64_t now,
		   const struct top_opts *o, struct top_prev *prev, double interval_s,
		   struct top_row **out)
{
	struct top_prev next = { NULL, 0 };
	struct leak_marks lm;
	const struct top_prev_ent *pe;
	const struct model_domain *d;
	const struct model_mm *mm;
	struct top_row *rows, *r;
	size_t n = 0;
	uint32_t i;

	*out = NULL;
	rows = calloc(m->mms.count + 1, sizeof(*rows));
	if (!rows)
		return 0;
	if (prev)
		next.v = calloc(m->mms.count + 1, sizeof(*next.v));
	keymap_init(&lm.by_mm, 64);
	rule_leaked_bonds(m, now, a->grace_ns, mark_leak, &lm);
	rule_leaked_domains(m, now, a->grace_ns, mark_leak, &lm);
	rule_leaked_mms(m, now, a->grace_ns, mark_leak, &lm);
	rule_leaked_pasids(m, now, a->grace_ns, mark_leak, &lm);
	if (interval_s <= 0)
		interval_s = 1;
	model_for_each_mm(m, mm, i) {
		if (!row_matches(m, mm, o))
			continue;
		r = &rows[n++];
		r->mm = mm->ptr;
		r->uid = mm->uid;
		r->pid = mm->tgid;
		memcpy(r->comm, MODEL_MM_COMM(m, mm), sizeof(r->comm));
		r->pasid = mm->pasid_val;
		r->ndomains = mm->ndomains;
		r->ndevs = model_mm_ndevs(m, mm);
		model_mm_for_each_domain(m, mm, d)
			r->devs_unknown |= (d->flags & DF_SNAPSHOT) && !d->nbonds;
		r->binds = mm->binds;
		r->unbinds = mm->unbinds;
		r->errors = model_mm_errors(m, mm);
		r->age_ns = now > mm->first_ts ? now - mm->first_ts : 0;
		r->state = mm->flags & MF_DROPPING ? 'F' : mm->flags & MF_EXITED ? 'X' : 'R';
		fill_leaks(r->leaks, (uintptr_t)keymap_get(&lm.by_mm, mm->ptr));
		pe = prev_find(prev, mm->uid);
		r->binds_s = (mm->binds - (pe ? pe->binds : 0)) / interval_s;
		r->unbinds_s = (mm->unbinds - (pe ? pe->unbinds : 0)) / interval_s;
		if (next.v)
			next.v[next.n++] = (struct top_prev_ent){ mm->uid, mm->binds, mm->unbinds };
		top_iopf(r, &m->iopf);
	}
	keymap_fini(&lm.by_mm);
	if (prev) {
		qsort(next.v, next.n, sizeof(*next.v), cmp_prev);
		free(prev->v);
		*prev = next;
	}
	*out = rows;
	return n;
}

static enum top_sort sort_key;
static int sort_dir;

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct top_row *a = pa, *b = pb;
	int c;

	switch (sort_key) {
	case TOP_SORT_COMM:
		c = strcmp(a->comm, b->comm);
		break;
	case TOP_SORT_PASID:
		c = cmp_u64(a->pasid, b->pasid);
		break;
	case TOP_SORT_DOMAINS:
		c = cmp_u64(a->ndomains, b->ndomains);
		break;
	case TOP_SORT_DEVS:
		c = cmp_u64(a->ndevs, b->ndevs);
		break;
	case TOP_SORT_BINDS:
		c = a->binds_s < b->binds_s ? -1 : a->binds_s > b->binds_s;
		if (!c)
			c = cmp_u64(a->binds, b->binds);
		break;
	case TOP_SORT_UNBINDS:
		c = a->unbinds_s < b->unbinds_s ? -1 : a->unbinds_s > b->unbinds_s;
		if (!c)
			c = cmp_u64(a->unbinds, b->unbinds);
		break;
	case TOP_SORT_ERRORS:
		c = cmp_u64(a->errors, b->errors);
		break;
	case TOP_SORT_AGE:
		c = cmp_u64(a->age_ns, b->age_ns);
		break;
	default:
		c = 0;
		break;
	}
	if (!c)
		c = cmp_u64(a->pid, b->pid);
	if (!c)
		c = cmp_u64(a->uid, b->uid);
	return c * sort_dir;
}

void top_sort(struct top_row *rows, size_t n, enum top_sort key, bool descending)
{
	sort_key = key;
	sort_dir = descending ? -1 : 1;
	qsort(rows, n, sizeof(*rows), cmp_row);
}

/* Counts sort largest first, identities smallest first. */
bool top_natural_descending(enum top_sort key)
{
	return key >= TOP_SORT_DOMAINS;
}

static uint64_t total_violations(const struct analyzer *a)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < RULE_MAX; i++)
		n += a->count[i];
	return n;
}

static void count_leak(const struct finding *f, void *ctx)
{
	(void)f;
	(*(unsigned int *)ctx)++;
}

static unsigned int total_leaks(const struct model *m, const struct analyzer *a, uint64_t now)
{
	unsigned int n = 0;

	rule_leaked_bonds(m, now, a->grace_ns, count_leak, &n);
	rule_leaked_domains(m, now, a->grace_ns, count_leak, &n);
	rule_leaked_mms(m, now, a->grace_ns, count_leak, &n);
	rule_leaked_pasids(m, now, a->grace_ns, count_leak, &n);
	return n;
}

int top_format_totals(char *buf, size_t len, const struct model *m,
		      const struct analyzer *a, uint64_t now, uint64_t dropped)
{
	return snprintf(buf, len,
			"mms %u  PASIDs %u  domains %u  bonds %u  devices %u  iommus %u  "
			"binds %" PRIu64 "  unbinds %" PRIu64 "  errors %" PRIu64
			"  leaks %u  violations %" PRIu64 "  lost %" PRIu64,
			m->mms.count, m->pasids.count, m->domains.count, m->bonds.count,
			m->devs.count, m->iommus.count, m->cnt.binds, m->cnt.unbinds,
			m->cnt.bind_errors, total_leaks(m, a, now), total_violations(a),
			dropped);
}

int top_format_row(char *buf, size_t len, const struct top_row *r)
{
	char age[32], pasid[16], devs[16], p50[16], p99[16];

	snprintf(devs, sizeof(devs), "%u%s", r->ndevs, r->devs_unknown ? "+?" : "");
	if (r->pasid)
		snprintf(pasid, sizeof(pasid), "%u", r->pasid);
	else
		snprintf(pasid, sizeof(pasid), "-");
	return snprintf(buf, len, "%7u %-16s %c %5s %4u %4s %7.1f %7.1f %5u %7.1f %6s %6s %5" PRIu64
			" %8s %s",
			r->pid, ESCAPED(r->comm, "?"), r->state, pasid, r->ndomains,
			devs, r->binds_s, r->unbinds_s, r->errors, r->iopf_s,
			view_us(p50, sizeof(p50), r->iopf_p50_us),
			view_us(p99, sizeof(p99), r->iopf_p99_us), r->iopf_fails,
			view_age(age, sizeof(age), r->age_ns), r->leaks);
}

static json_t *row_iopf_json(const struct top_row *r, const struct iopf_table *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "faults", json_integer(r->iopf_faults));
	json_object_set_new(o, "per_s", json_real(r->iopf_s));
	json_object_set_new(o, "p50_us", json_integer(r->iopf_p50_us));
	json_object_set_new(o, "p99_us", json_integer(r->iopf_p99_us));
	json_object_set_new(o, "failures", json_integer(r->iopf_fails));
	json_object_set_new(o, "devices", r->pid ? view_iopf_json(t, r->pid) : json_array());
	return o;
}

static json_t *row_json(const struct top_row *r, const struct iopf_table *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "pid", r->pid ? json_integer(r->pid) : json_null());
	json_object_set_new(o, "comm", view_json_str(r->comm));
	json_object_set_new(o, "mm", view_json_ptr(r->mm));
	json_object_set_new(o, "state", json_stringn(&r->state, 1));
	json_object_set_new(o, "pasid", r->pasid ? json_integer(r->pasid) : json_null());
	json_object_set_new(o, "domains", json_integer(r->ndomains));
	json_object_set_new(o, "devices", json_integer(r->ndevs));
	json_object_set_new(o, "devices_unknown", json_boolean(r->devs_unknown));
	json_object_set_new(o, "binds", json_integer(r->binds));
	json_object_set_new(o, "unbinds", json_integer(r->unbinds));
	json_object_set_new(o, "binds_per_s", json_real(r->binds_s));
	json_object_set_new(o, "unbinds_per_s", json_real(r->unbinds_s));
	json_object_set_new(o, "errors", json_integer(r->errors));
	json_object_set_new(o, "age_ns", json_integer(r->age_ns));
	json_object_set_new(o, "leaks", json_string(r->leaks));
	json_object_set_new(o, "iopf", row_iopf_json(r, t));
	if (t->invals_on) {
		const struct iopf_inval_row *iv = iopf_invals_of_mm(t, r->mm);

		json_object_set_new(o, "iotlb", view_iotlb_json(iv ? &iv->s : NULL));
	}
	return o;
}

void top_print_batch(FILE *out, const struct model *m, const struct analyzer *a,
		     uint64_t now, const struct top_opts *o, struct top_prev *prev,
		     double interval_s, uint64_t dropped)
{
	struct top_row *rows;
	char line[512];
	json_t *j, *arr;
	size_t n, i;

	n = top_collect(m, a, now, o, prev, interval_s, &rows);
	top_sort(rows, n, o->sort, top_natural_descending(o->sort) ^ o->reverse);
	if (o->json) {
		j = json_object();
		arr = json_array();
		json_object_set_new(j, "v", json_integer(VIEW_JSON_SCHEMA));
		json_object_set_new(j, "type", json_string("top"));
		json_object_set_new(j, "ts_ns", json_integer(now));
		json_object_set_new(j, "mms", json_integer(m->mms.count));
		json_object_set_new(j, "pasids", json_integer(m->pasids.count));
		json_object_set_new(j, "domains", json_integer(m->domains.count));
		json_object_set_new(j, "bonds", json_integer(m->bonds.count));
		json_object_set_new(j, "violations", json_integer(total_violations(a)));
		json_object_set_new(j, "lost", json_integer(dropped));
		json_object_set_new(j, "iopf", view_iopf_status_json(&m->iopf));
		for (i = 0; i < n; i++)
			json_array_append_new(arr, row_json(&rows[i], &m->iopf));
		json_object_set_new(j, "processes", arr);
		json_dumpf(j, out, JSON_COMPACT);
		fputc('\n', out);
		json_decref(j);
	} else {
		time_t t = time(NULL);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(line, sizeof(line), "%H:%M:%S", &tm);
		fprintf(out, "%s ", line);
		top_format_totals(line, sizeof(line), m, a, now, dropped);
		fprintf(out, "%s\n%s\n", line, TOP_HEADER);
		for (i = 0; i < n; i++) {
			top_format_row(line, sizeof(line), &rows[i]);
			fprintf(out, "%s\n", line);
		}
		fputc('\n', out);
	}
	fflush(out);
	free(rows);
}
