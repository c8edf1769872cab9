// SPDX-License-Identifier: GPL-2.0
/* The exporter's metrics in the Prometheus text format: pure, a model in,
 * text out (docs/metrics.md). */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "common/events.h"
#include "common/hash.h"
#include "view/exporter.h"

void exporter_count_event(struct exporter_counts *c, const struct svatop_event *ev)
{
	if (ev->version != SVATOP_ABI_VERSION)
		return;
	if (ev->type == SVATOP_EV_BIND && ev->ret < 0)
		c->bind_errors[ev->ret >= -EXPORTER_ERRNO_MAX ? -ev->ret : 0]++;
	else if (ev->type == SVATOP_EV_SNAP_END && !(ev->flags & SVATOP_F_RESYNC))
		c->snapshot_end_ts = ev->ts_ns;	/* the start-up one, not a re-walk */
}

void exporter_label_value(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '\\' || ch == '"')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch < 0x20 || ch >= 0x7f)
			fputc('?', out);	/* keeps the text valid UTF-8 */
		else
			fputc(ch, out);
	}
}

void exporter_family(FILE *o, const char *name, const char *type, const char *help)
{
	fprintf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void exporter_sample(FILE *o, const char *name, const char *label, const char *value,
		     uint64_t v)
{
	if (label) {
		fprintf(o, "%s{%s=\"", name, label);
		exporter_label_value(o, value);
		fprintf(o, "\"} %" PRIu64 "\n", v);
	} else {
		fprintf(o, "%s %" PRIu64 "\n", name, v);
	}
}

/* Per device (or per IOMMU instance) sums with a bounded number of rows,
 * keyed by their label values: two kernel objects with one name (a device
 * unplugged and plugged again) must share a series, or the scrape would
 * carry a duplicate and Prometheus would reject all of it. */
struct series {
	const char *iommu, *device;
	uint64_t v;
};

struct series_set {
	struct series rows[EXPORTER_MAX_SERIES + 1];	/* + "other" */
	size_t len;
	struct keymap idx;		/* label hash -> row + 1 */
};

static uint64_t label_hash(const char *iommu, const char *device)
{
	/* the two names with a 0xff byte between them */
	uint64_t h = (str_hash(iommu) ^ 0xff) * STR_HASH_PRIME;

	h = str_hash_more(h, device);
	return h ?: 1;
}

static int series_add(struct series_set *ss, const char *iommu, const char *device,
		      uint64_t n)
{
	uint64_t key = label_hash(iommu, device);
	struct series *r;
	uintptr_t i;

	for (;; key = key + 1 ?: 1) {	/* probe past hash collisions */
		i = (uintptr_t)keymap_get(&ss->idx, key);
		if (!i)
			break;
		r = &ss->rows[i - 1];
		if (!strcmp(r->iommu, iommu) && !strcmp(r->device, device)) {
			r->v += n;
			return 0;
		}
	}
	if (ss->len >= EXPORTER_MAX_SERIES &&
	    (strcmp(iommu, "other") || strcmp(device, "other")))
		return series_add(ss, "other", "other", n);
	r = &ss->rows[ss->len++];
	*r = (struct series){ iommu, device, n };
	return keymap_put(&ss->idx, key, (void *)(uintptr_t)ss->len);
}

static const char *iommu_of(const struct model_dev *d)
{
	return d && d->iommu && d->iommu->name[0] ? d->iommu->name : "unknown";
}

static const char *dev_name(const struct model_dev *d)
{
	return d && d->name[0] ? d->name : "unknown";
}

static void series_print(FILE *o, const char *name, const struct series_set *ss,
			 bool with_device)
{
	size_t i;

	for (i = 0; i < ss->len; i++) {
		fprintf(o, "%s{iommu=\"", name);
		exporter_label_value(o, ss->rows[i].iommu);
		if (with_device) {
			fputs("\",device=\"", o);
			exporter_label_value(o, ss->rows[i].device);
		}
		fprintf(o, "\"} %" PRIu64 "\n", ss->rows[i].v);
	}
}

static int render_bonds(FILE *o, const struct model *m, struct series_set *ss)
{
	const struct model_bond *b;
	const struct model_dev *d;
	uint32_t i;
	int err = 0;

	/* Every known device gets a row, so a series drops to 0, not away. */
	model_for_each_dev(m, d, i)
		err = err ?: series_add(ss, iommu_of(d), dev_name(d), 0);
	model_for_each_bond(m, b, i) {
		d = model_dev_at(m, b->dev);
		err = err ?: series_add(ss, iommu_of(d), dev_name(d), 1);
	}
	exporter_family(o, "svatop_bonds", "gauge",
	       "Live SVA bonds (iommu_sva handles) per device and IOMMU instance.");
	series_print(o, "svatop_bonds", ss, true);
	return err;
}

static int render_domains(FILE *o, const struct model *m, struct series_set *ss)
{
	const struct model_domain *d;
	const struct model_iommu *im;
	uint32_t i;
	int err = 0;

	model_for_each_iommu(m, im, i)
		err = err ?: series_add(ss, im->name[0] ? im->name : "unknown", "", 0);
	model_for_each_domain(m, d, i)
		err = err ?: series_add(ss, iommu_of(model_dev_at(m, d->first_dev)), "", 1);
	exporter_family(o, "svatop_domains", "gauge", "Live SVA domains per IOMMU instance.");
	series_print(o, "svatop_domains", ss, false);
	return err;
}

static int render_objects(FILE *o, const struct model *m)
{
	struct series_set *ss = calloc(1, sizeof(*ss));
	const struct model_mm *mm;
	uint64_t alive = 0, exited = 0;
	uint32_t i;
	int err;

	if (!ss)
		return -ENOMEM;
	exporter_family(o, "svatop_pasids", "gauge", "PASIDs allocated (live in the model).");
	exporter_sample(o, "svatop_pasids", NULL, NULL, m->pasids.count);
	err = render_domains(o, m, ss);
	keymap_fini(&ss->idx);
	memset(ss, 0, sizeof(*ss));
	err = err ?: render_bonds(o, m, ss);
	keymap_fini(&ss->idx);
	free(ss);

	model_for_each_mm(m, mm, i) {
		if (!(mm->flags & MF_SVA))
			continue;
		if (model_mm_exited(mm))
			exited++;
		else
			alive++;
	}
	exporter_family(o, "svatop_mms", "gauge",
	       "Address spaces with SVA state, by whether their process is alive or has exited.");
	exporter_sample(o, "svatop_mms", "state", "alive", alive);
	exporter_sample(o, "svatop_mms", "state", "exited", exited);
	return err;
}

/* Opt-in per-process series, one row per pid (a pid whose exited mm is
 * still pinned and a new process that reused it share one), at most
 * EXPORTER_MAX_SERIES rows, the rest summed under pid "other". */
struct proc_row {
	uint32_t tgid;			/* 0: unknown, UINT32_MAX: other */
	const char *comm;
	uint64_t bonds, domains, exited;
};

struct proc_rows {
	struct proc_row rows[EXPORTER_MAX_SERIES + 2];
	size_t len;
	struct keymap idx;		/* tgid + 1 -> row + 1 */
};

static struct proc_row *proc_row(const struct model *m, struct proc_rows *pr,
				 const struct model_mm *mm, int *err)
{
	uint64_t key = (uint64_t)mm->tgid + 1;
	uintptr_t i = (uintptr_t)keymap_get(&pr->idx, key);

	if (i)
		return &pr->rows[i - 1];
	if (pr->len >= EXPORTER_MAX_SERIES) {
		key = (uint64_t)UINT32_MAX + 1;
		i = (uintptr_t)keymap_get(&pr->idx, key);
		if (i)
			return &pr->rows[i - 1];
	}
	pr->rows[pr->len] = (struct proc_row){
		.tgid = key == (uint64_t)UINT32_MAX + 1 ? UINT32_MAX : mm->tgid,
		.comm = MODEL_MM_COMM(m, mm)[0] ? MODEL_MM_COMM(m, mm) : "unknown",
	};
	*err = *err ?: keymap_put(&pr->idx, key, (void *)(uintptr_t)(pr->len + 1));
	return &pr->rows[pr->len++];
}

static void proc_print(FILE *o, const char *name, const struct proc_rows *pr, size_t field)
{
	const struct proc_row *r;
	size_t i;

	for (i = 0; i < pr->len; i++) {
		r = &pr->rows[i];
		if (r->tgid == UINT32_MAX)
			fprintf(o, "%s{pid=\"other\",comm=\"other\"}", name);
		else if (!r->tgid)
			fprintf(o, "%s{pid=\"unknown\",comm=\"", name);
		else
			fprintf(o, "%s{pid=\"%u\",comm=\"", name, r->tgid);
		if (r->tgid != UINT32_MAX) {
			exporter_label_value(o, r->comm);
			fputs("\"}", o);
		}
		fprintf(o, " %" PRIu64 "\n", *(const uint64_t *)((const char *)r + field));
	}
}

static int render_processes(FILE *o, const struct model *m)
{
	struct proc_rows *pr = calloc(1, sizeof(*pr));
	const struct model_mm *mm;
	struct proc_row *r;
	uint32_t i;
	int err = 0;

	if (!pr)
		return -ENOMEM;
	model_for_each_mm(m, mm, i) {
		if (!(mm->flags & MF_SVA))
			continue;
		r = proc_row(m, pr, mm, &err);
		r->bonds += mm->nbonds;
		r->domains += mm->ndomains;
		r->exited += model_mm_exited(mm);
	}
	exporter_family(o, "svatop_process_bonds", "gauge",
	       "Live SVA bonds per process (--per-process; at most 512 pids, then \"other\").");
	proc_print(o, "svatop_process_bonds", pr, offsetof(struct proc_row, bonds));
	exporter_family(o, "svatop_process_domains", "gauge",
	       "SVA domains of each process's address space (--per-process).");
	proc_print(o, "svatop_process_domains", pr, offsetof(struct proc_row, domains));
	exporter_family(o, "svatop_process_exited_mms", "gauge",
	       "Address spaces with SVA state whose process has exited, per pid (--per-process).");
	proc_print(o, "svatop_process_exited_mms", pr, offsetof(struct proc_row, exited));
	keymap_fini(&pr->idx);
	free(pr);
	return err;
}

static void render_counters(FILE *o, const struct model *m, const struct exporter_counts *c)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} ctr[] = {
#define C(n, f, h) { "svatop_" n "_total", h, offsetof(struct model_counters, f) }
		C("binds", binds, "Successful iommu_sva_bind_device() calls."),
		C("unbinds", unbinds, "iommu_sva_unbind_device() calls."),
		C("pasid_allocs", pasid_allocs, "Global PASIDs allocated."),
		C("pasid_alloc_errors", pasid_alloc_errors, "Failed global PASID allocations."),
		C("pasid_frees", pasid_frees, "Global PASIDs freed."),
		C("domain_allocs", domain_allocs, "SVA domains allocated (derived from the first attach)."),
		C("domain_frees", domain_frees, "SVA domains freed."),
#undef C
	};
	char num[16];
	size_t i;
	int e;

	for (i = 0; i < sizeof(ctr) / sizeof(ctr[0]); i++) {
		exporter_family(o, ctr[i].name, "counter", ctr[i].help);
		exporter_sample(o, ctr[i].name, NULL, NULL,
		       *(const uint64_t *)((const char *)&m->cnt + ctr[i].off));
	}
	exporter_family(o, "svatop_bind_errors_total", "counter",
	       "Failed iommu_sva_bind_device() calls, by errno.");
	for (e = 0; e <= EXPORTER_ERRNO_MAX; e++) {
		const char *en = errno_name(-e);

		if (!c->bind_errors[e])
			continue;
		if (!en) {
			snprintf(num, sizeof(num), e ? "%d" : "out_of_range", e);
			en = num;
		}
		exporter_sample(o, "svatop_bind_errors_total", "errno", en, c->bind_errors[e]);
	}
}

struct leak_count {
	const struct model *m;
	uint64_t by_rule[RULE_MAX];
	struct series_set *by_dev[RULE_MAX];	/* leak rules only */
	int err;
};

static void count_finding(const struct finding *f, void *ctx)
{
	struct leak_count *lc = ctx;
	const struct model_dev *d = f->dev ? model_dev(lc->m, f->dev) : NULL;
	struct series_set *ss = lc->by_dev[f->rule];

	lc->by_rule[f->rule]++;
	if (ss && !lc->err)
		lc->err = series_add(ss, iommu_of(d), dev_name(d), 1);
}

static const char *leak_kind(enum rule_id r)
{
	const char *name = rule_table[r].name;

	return strncmp(name, "leaked-", 7) ? name : name + 7;
}

/* analyzer_leaks()'s rules, counted without keeping each finding: at the
 * PASID space's size that list would be hundreds of megabytes a second. */
static int render_leaks(FILE *o, const struct model *m, const struct analyzer *a,
			uint64_t now, uint64_t *nleaks)
{
	struct leak_count lc = { .m = m };
	const struct series *row;
	size_t i;
	int r;

	for (r = 0; r < RULE_MAX && !lc.err; r++)
		if (rule_table[r].kind == RULE_KIND_LEAK) {
			lc.by_dev[r] = calloc(1, sizeof(struct series_set));
			if (!lc.by_dev[r])
				lc.err = -ENOMEM;
		}
	*nleaks = 0;
	if (!lc.err) {
		*nleaks += rule_leaked_bonds(m, now, a->grace_ns, count_finding, &lc);
		*nleaks += rule_leaked_domains(m, now, a->grace_ns, count_finding, &lc);
		*nleaks += rule_leaked_mms(m, now, a->grace_ns, count_finding, &lc);
		*nleaks += rule_leaked_pasids(m, now, a->grace_ns, count_finding, &lc);
	}
	exporter_family(o, "svatop_leaks", "gauge",
	       "Objects that outlived their process by more than the grace period, by kind.");
	for (r = 0; r < RULE_MAX; r++)
		if (rule_table[r].kind == RULE_KIND_LEAK)
			exporter_sample(o, "svatop_leaks", "kind", leak_kind(r), lc.by_rule[r]);
	exporter_family(o, "svatop_leaks_by_device", "gauge",
	       "Leaked objects by kind and by the device they were bound or allocated for.");
	for (r = 0; r < RULE_MAX; r++) {
		if (!lc.by_dev[r])
			continue;
		for (i = 0; i < lc.by_dev[r]->len; i++) {
			row = &lc.by_dev[r]->rows[i];
			fprintf(o, "svatop_leaks_by_device{kind=\"%s\",iommu=\"", leak_kind(r));
			exporter_label_value(o, row->iommu);
			fputs("\",device=\"", o);
			exporter_label_value(o, row->device);
			fprintf(o, "\"} %" PRIu64 "\n", row->v);
		}
		keymap_fini(&lc.by_dev[r]->idx);
		free(lc.by_dev[r]);
	}
	return lc.err;
}

static void count_only(const struct finding *f, void *ctx)
{
	(void)f;
	(void)ctx;
}

/* Candidates within the grace period: every owner-gone object less those
 * already due (analyzer_pending() without keeping each one). */
static uint64_t count_pending(const struct model *m, const struct analyzer *a, uint64_t now,
			      uint64_t nleaks)
{
	uint64_t n = 0;

	if (!a->grace_ns)
		return 0;
	n += rule_leaked_bonds(m, now, 0, count_only, NULL);
	n += rule_leaked_domains(m, now, 0, count_only, NULL);
	n += rule_leaked_mms(m, now, 0, count_only, NULL);
	n += rule_leaked_pasids(m, now, 0, count_only, NULL);
	return n > nleaks ? n - nleaks : 0;
}

static int render_findings(FILE *o, const struct model *m, const struct analyzer *a,
			   const struct source_stats *st, uint64_t now)
{
	uint64_t nleaks, npending;
	enum verdict v;
	int err, r;

	err = render_leaks(o, m, a, now, &nleaks);
	exporter_family(o, "svatop_invariant_violations_total", "counter",
	       "Lifecycle-invariant violations seen, by rule (docs/leaks.md).");
	for (r = 0; r < RULE_MAX; r++)
		if (rule_table[r].kind == RULE_KIND_VIOLATION)
			exporter_sample(o, "svatop_invariant_violations_total", "rule",
			       rule_table[r].name, a->count[r]);
	exporter_family(o, "svatop_notices_total", "counter",
	       "Legitimate behaviour worth counting, by rule; never a finding (docs/leaks.md).");
	for (r = 0; r < RULE_MAX; r++)
		if (rule_table[r].kind == RULE_KIND_NOTICE)
			exporter_sample(o, "svatop_notices_total", "rule", rule_table[r].name,
					a->noticed[r]);
	npending = count_pending(m, a, now, nleaks);
	exporter_family(o, "svatop_leak_candidates_pending", "gauge",
	       "Objects whose owner is gone, still within the grace period (not yet leaks).");
	exporter_sample(o, "svatop_leak_candidates_pending", NULL, NULL, npending);
	v = verdict_with_pending(analyzer_verdict(a, m, nleaks, st->dropped), npending);
	exporter_family(o, "svatop_verdict", "gauge",
	       "1 for the current verdict (clean, findings, inconclusive: events were lost, "
	       "pending: candidates within the grace period).");
	exporter_sample(o, "svatop_verdict", "verdict", "clean", v == VERDICT_CLEAN);
	exporter_sample(o, "svatop_verdict", "verdict", "findings", v == VERDICT_FINDINGS);
	exporter_sample(o, "svatop_verdict", "verdict", "inconclusive", v == VERDICT_INCONCLUSIVE);
	exporter_sample(o, "svatop_verdict", "verdict", "pending", v == VERDICT_PENDING);
	return err;
}

/* Failed binds by the step that failed (src/analyze/explain.c) and errno:
 * at most ANALYZER_BIND_FAIL_KINDS series, each (step, ret) once. */
static void render_bind_failures(FILE *o, const struct analyzer *a)
{
	const struct bind_fail_count *k;
	const char *en;
	char num[16];
	unsigned int i;

	exporter_family(o, "svatop_bind_failures_total", "counter",
	       "Failed binds by the step that failed (stub, device, pasid, domain-alloc, "
	       "attach, busy, other) and errno.");
	for (i = 0; i < a->nbind_fail_kinds; i++) {
		k = &a->bind_fail_kinds[i];
		en = errno_name(k->ret);
		if (!en) {
			/* wider: INT_MIN from a recording cannot be negated in int */
			snprintf(num, sizeof(num), "%lld", -(long long)k->ret);
			en = num;
		}
		fprintf(o, "svatop_bind_failures_total{step=\"%s\",errno=\"", bind_step_name(k->step));
		exporter_label_value(o, en);
		fprintf(o, "\"} %" PRIu64 "\n", k->n);
	}
}

static void render_events(FILE *o, const struct model *m, const struct source_stats *st)
{
	uint64_t attributed = 0;
	unsigned int t;

	exporter_family(o, "svatop_events_total", "counter", "Events applied to the model, by type.");
	for (t = 1; t < SVATOP_EV_MAX; t++)
		exporter_sample(o, "svatop_events_total", "type", event_type_name(t), m->cnt.by_type[t]);
	exporter_family(o, "svatop_events_dropped_total", "counter",
	       "Events lost before svatop read them (ring buffer full), by type.");
	for (t = 1; t < SVATOP_EV_MAX; t++) {
		attributed += st->dropped_by_type[t];
		exporter_sample(o, "svatop_events_dropped_total", "type", event_type_name(t),
		       st->dropped_by_type[t]);
	}
	if (st->dropped > attributed)
		exporter_sample(o, "svatop_events_dropped_total", "type", "unknown",
		       st->dropped - attributed);
	exporter_family(o, "svatop_events_submitted_total", "counter",
	       "Events the kernel side committed to the ring buffer.");
	exporter_sample(o, "svatop_events_submitted_total", NULL, NULL, st->submitted);
	exporter_family(o, "svatop_bad_records_total", "counter",
	       "Records of an unknown type or ABI version, ignored.");
	exporter_sample(o, "svatop_bad_records_total", NULL, NULL, m->cnt.bad_records);
	exporter_family(o, "svatop_unknown_object_events_total", "counter",
	       "Events about objects the model never saw (started late or events lost).");
	exporter_sample(o, "svatop_unknown_object_events_total", NULL, NULL, m->cnt.unknown);
}

int exporter_render(FILE *o, const struct model *m, const struct analyzer *a,
		    const struct source_stats *st, const struct exporter_counts *c,
		    const struct exporter_info *info)
{
	int err;

	exporter_family(o, "svatop_build_info", "gauge", "svatop version and event ABI; always 1.");
	fprintf(o, "svatop_build_info{version=\"");
	exporter_label_value(o, info->version);
	fprintf(o, "\",abi=\"%d\"} 1\n", SVATOP_ABI_VERSION);
	exporter_family(o, "svatop_source_info", "gauge",
	       "Where events come from (live kernel or a recording); always 1.");
	fprintf(o, "svatop_source_info{mode=\"");
	exporter_label_value(o, info->mode);
	fprintf(o, "\",description=\"");
	exporter_label_value(o, info->source_desc ? info->source_desc : "");
	fprintf(o, "\"} 1\n");

	err = render_objects(o, m);
	if (info->per_process)
		err = err ?: render_processes(o, m);
	render_counters(o, m, c);
	render_bind_failures(o, a);
	err = err ?: render_findings(o, m, a, st, info->now_ns);
	render_events(o, m, st);
	exporter_render_iopf(o, &m->iopf);
	exporter_render_iotlb(o, &m->iopf);

	exporter_family(o, "svatop_leak_grace_seconds", "gauge",
	       "How long state may outlive its process before it counts as a leak.");
	fprintf(o, "svatop_leak_grace_seconds %.3f\n", a->grace_ns / 1e9);
	exporter_family(o, "svatop_kernel_snapshot_complete", "gauge",
	       "1 once the start-up snapshot of pre-existing SVA state was read.");
	exporter_sample(o, "svatop_kernel_snapshot_complete", NULL, NULL, m->snapshot_done);
	if (info->live && c->snapshot_end_ts && c->snapshot_end_ts <= info->now_ns) {
		exporter_family(o, "svatop_kernel_snapshot_timestamp_seconds", "gauge",
		       "When the start-up snapshot was taken (Unix time; live only).");
		fprintf(o, "svatop_kernel_snapshot_timestamp_seconds %.3f\n",
			info->wall_s - (info->now_ns - c->snapshot_end_ts) / 1e9);
	}
	exporter_family(o, "svatop_source_ended", "gauge",
	       "1 when a recording was read to its end (its final state is served).");
	exporter_sample(o, "svatop_source_ended", NULL, NULL, info->ended);
	exporter_family(o, "svatop_model_objects", "gauge", "Objects held by the model.");
	exporter_sample(o, "svatop_model_objects", NULL, NULL, model_objects(m));
	exporter_family(o, "svatop_model_bytes", "gauge", "Memory held by the model.");
	exporter_sample(o, "svatop_model_bytes", NULL, NULL, model_bytes(m));
	exporter_family(o, "svatop_state_mode", "gauge",
	       "1 when the kernel counts binds and unbinds and each interval re-walks the kernel's SVA state (state mode), 0 when every event is streamed.");
	exporter_sample(o, "svatop_state_mode", NULL, NULL, m->state_mode);
	exporter_family(o, "svatop_state_walks_total", "counter",
	       "State mode: re-walks of the kernel's SVA state, by whether one ran (made) or nothing had changed since the last (skipped).");
	exporter_sample(o, "svatop_state_walks_total", "result", "made", info->state_walks);
	exporter_sample(o, "svatop_state_walks_total", "result", "skipped", info->state_walks_skipped);
	exporter_family(o, "svatop_state_tally_full_total", "counter",
	       "State mode: binds or unbinds the kernel could not count per mm (its map full); the totals still count them.");
	exporter_sample(o, "svatop_state_tally_full_total", NULL, NULL, info->state_tally_full);
	exporter_family(o, "svatop_exporter_render_duration_seconds", "gauge",
	       "How long the previous rendering of these metrics took on the event consumer's thread.");
	fprintf(o, "svatop_exporter_render_duration_seconds %.6f\n", info->render_s);
	exporter_family(o, "svatop_last_snapshot_timestamp_seconds", "gauge",
	       "When the served metrics were computed (Unix time).");
	fprintf(o, "svatop_last_snapshot_timestamp_seconds %.3f\n", info->wall_s);
	if (m->err)
		return m->err;
	return err ?: (ferror(o) ? -ENOMEM : 0);
}
