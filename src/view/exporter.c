// SPDX-License-Identifier: GPL-2.0
/*
 * svatop exporter: Prometheus metrics of the live model (or of a
 * recording) over HTTP. The event consumer (this thread) renders the
 * metrics text every interval and publishes it with a trylock, so it never
 * waits for HTTP; libmicrohttpd serves copies of the latest text from its
 * own thread. Metric list: docs/metrics.md.
 */
#include <argp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <microhttpd.h>
#include <zlib.h>
#include "common/stop.h"
#include "commands.h"
#include "common/events.h"
#include "view/exporter.h"
#include "view/view_common.h"

#include "common/version.h"

/* ---- rendering ------------------------------------------------------- */

void exporter_count_event(struct exporter_counts *c, const struct svatop_event *ev)
{
	if (ev->version != SVATOP_ABI_VERSION)
		return;
	if (ev->type == SVATOP_EV_BIND && ev->ret < 0)
		c->bind_errors[ev->ret >= -EXPORTER_ERRNO_MAX ? -ev->ret : 0]++;
	else if (ev->type == SVATOP_EV_SNAP_END)
		c->snapshot_end_ts = ev->ts_ns;
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

static void family(FILE *o, const char *name, const char *type, const char *help)
{
	fprintf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(FILE *o, const char *name, const char *label, const char *value,
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
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	const char *p;

	for (p = iommu; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	h = (h ^ 0xff) * 0x100000001b3ULL;
	for (p = device; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
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
	model_for_each_bond(m, b, i)
		err = err ?: series_add(ss, iommu_of(b->dev), dev_name(b->dev), 1);
	family(o, "svatop_bonds", "gauge",
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
		err = err ?: series_add(ss, iommu_of(d->first_dev), "", 1);
	family(o, "svatop_domains", "gauge", "Live SVA domains per IOMMU instance.");
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
	family(o, "svatop_pasids", "gauge", "PASIDs allocated (live in the model).");
	sample(o, "svatop_pasids", NULL, NULL, m->pasids.count);
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
	family(o, "svatop_mms", "gauge",
	       "Address spaces with SVA state, by whether their process is alive or has exited.");
	sample(o, "svatop_mms", "state", "alive", alive);
	sample(o, "svatop_mms", "state", "exited", exited);
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

static struct proc_row *proc_row(struct proc_rows *pr, const struct model_mm *mm, int *err)
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
		.comm = mm->comm[0] ? mm->comm : "unknown",
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
		r = proc_row(pr, mm, &err);
		r->bonds += mm->nbonds;
		r->domains += mm->ndomains;
		r->exited += model_mm_exited(mm);
	}
	family(o, "svatop_process_bonds", "gauge",
	       "Live SVA bonds per process (--per-process; at most 512 pids, then \"other\").");
	proc_print(o, "svatop_process_bonds", pr, offsetof(struct proc_row, bonds));
	family(o, "svatop_process_domains", "gauge",
	       "SVA domains of each process's address space (--per-process).");
	proc_print(o, "svatop_process_domains", pr, offsetof(struct proc_row, domains));
	family(o, "svatop_process_exited_mms", "gauge",
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
		family(o, ctr[i].name, "counter", ctr[i].help);
		sample(o, ctr[i].name, NULL, NULL,
		       *(const uint64_t *)((const char *)&m->cnt + ctr[i].off));
	}
	family(o, "svatop_bind_errors_total", "counter",
	       "Failed iommu_sva_bind_device() calls, by errno.");
	for (e = 0; e <= EXPORTER_ERRNO_MAX; e++) {
		const char *en = errno_name(-e);

		if (!c->bind_errors[e])
			continue;
		if (!en) {
			snprintf(num, sizeof(num), e ? "%d" : "out_of_range", e);
			en = num;
		}
		sample(o, "svatop_bind_errors_total", "errno", en, c->bind_errors[e]);
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
	family(o, "svatop_leaks", "gauge",
	       "Objects that outlived their process by more than the grace period, by kind.");
	for (r = 0; r < RULE_MAX; r++)
		if (rule_table[r].kind == RULE_KIND_LEAK)
			sample(o, "svatop_leaks", "kind", leak_kind(r), lc.by_rule[r]);
	family(o, "svatop_leaks_by_device", "gauge",
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

static int render_findings(FILE *o, const struct model *m, const struct analyzer *a,
			   const struct source_stats *st, uint64_t now)
{
	uint64_t nleaks;
	enum verdict v;
	int err, r;

	err = render_leaks(o, m, a, now, &nleaks);
	family(o, "svatop_invariant_violations_total", "counter",
	       "Lifecycle-invariant violations seen, by rule (docs/leaks.md).");
	for (r = 0; r < RULE_MAX; r++)
		if (rule_table[r].kind == RULE_KIND_VIOLATION)
			sample(o, "svatop_invariant_violations_total", "rule",
			       rule_table[r].name, a->count[r]);
	v = analyzer_verdict(a, m, nleaks, st->dropped);
	family(o, "svatop_verdict", "gauge",
	       "1 for the current verdict (clean, findings, inconclusive: events were lost).");
	sample(o, "svatop_verdict", "verdict", "clean", v == VERDICT_CLEAN);
	sample(o, "svatop_verdict", "verdict", "findings", v == VERDICT_FINDINGS);
	sample(o, "svatop_verdict", "verdict", "inconclusive", v == VERDICT_INCONCLUSIVE);
	return err;
}

static void render_events(FILE *o, const struct model *m, const struct source_stats *st)
{
	uint64_t attributed = 0;
	unsigned int t;

	family(o, "svatop_events_total", "counter", "Events applied to the model, by type.");
	for (t = 1; t < SVATOP_EV_MAX; t++)
		sample(o, "svatop_events_total", "type", event_type_name(t), m->cnt.by_type[t]);
	family(o, "svatop_events_dropped_total", "counter",
	       "Events lost before svatop read them (ring buffer full), by type.");
	for (t = 1; t < SVATOP_EV_MAX; t++) {
		attributed += st->dropped_by_type[t];
		sample(o, "svatop_events_dropped_total", "type", event_type_name(t),
		       st->dropped_by_type[t]);
	}
	if (st->dropped > attributed)
		sample(o, "svatop_events_dropped_total", "type", "unknown",
		       st->dropped - attributed);
	family(o, "svatop_events_submitted_total", "counter",
	       "Events the kernel side committed to the ring buffer.");
	sample(o, "svatop_events_submitted_total", NULL, NULL, st->submitted);
	family(o, "svatop_bad_records_total", "counter",
	       "Records of an unknown type or ABI version, ignored.");
	sample(o, "svatop_bad_records_total", NULL, NULL, m->cnt.bad_records);
	family(o, "svatop_unknown_object_events_total", "counter",
	       "Events about objects the model never saw (started late or events lost).");
	sample(o, "svatop_unknown_object_events_total", NULL, NULL, m->cnt.unknown);
}

int exporter_render(FILE *o, const struct model *m, const struct analyzer *a,
		    const struct source_stats *st, const struct exporter_counts *c,
		    const struct exporter_info *info)
{
	int err;

	family(o, "svatop_build_info", "gauge", "svatop version and event ABI; always 1.");
	fprintf(o, "svatop_build_info{version=\"");
	exporter_label_value(o, info->version);
	fprintf(o, "\",abi=\"%d\"} 1\n", SVATOP_ABI_VERSION);
	family(o, "svatop_source_info", "gauge",
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
	err = err ?: render_findings(o, m, a, st, info->now_ns);
	render_events(o, m, st);

	family(o, "svatop_leak_grace_seconds", "gauge",
	       "How long state may outlive its process before it counts as a leak.");
	fprintf(o, "svatop_leak_grace_seconds %.3f\n", a->grace_ns / 1e9);
	family(o, "svatop_kernel_snapshot_complete", "gauge",
	       "1 once the start-up snapshot of pre-existing SVA state was read.");
	sample(o, "svatop_kernel_snapshot_complete", NULL, NULL, m->snapshot_done);
	if (info->live && c->snapshot_end_ts && c->snapshot_end_ts <= info->now_ns) {
		family(o, "svatop_kernel_snapshot_timestamp_seconds", "gauge",
		       "When the start-up snapshot was taken (Unix time; live only).");
		fprintf(o, "svatop_kernel_snapshot_timestamp_seconds %.3f\n",
			info->wall_s - (info->now_ns - c->snapshot_end_ts) / 1e9);
	}
	family(o, "svatop_source_ended", "gauge",
	       "1 when a recording was read to its end (its final state is served).");
	sample(o, "svatop_source_ended", NULL, NULL, info->ended);
	family(o, "svatop_model_objects", "gauge", "Objects held by the model.");
	sample(o, "svatop_model_objects", NULL, NULL, model_objects(m));
	family(o, "svatop_model_bytes", "gauge", "Memory held by the model.");
	sample(o, "svatop_model_bytes", NULL, NULL, model_bytes(m));
	family(o, "svatop_exporter_render_duration_seconds", "gauge",
	       "How long the previous rendering of these metrics took on the event consumer's thread.");
	fprintf(o, "svatop_exporter_render_duration_seconds %.6f\n", info->render_s);
	family(o, "svatop_last_snapshot_timestamp_seconds", "gauge",
	       "When the served metrics were computed (Unix time).");
	fprintf(o, "svatop_last_snapshot_timestamp_seconds %.3f\n", info->wall_s);
	if (m->err)
		return m->err;
	return err ?: (ferror(o) ? -ENOMEM : 0);
}

/* ---- listen address -------------------------------------------------- */

int exporter_parse_listen(const char *arg, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	char host[256];
	const char *colon;
	unsigned long port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	colon = strrchr(arg, ':');
	if (!colon || colon == arg)
		return -EINVAL;
	if (view_parse_uint(colon + 1, 65535, &port))
		return -EINVAL;
	hl = colon - arg;
	if (arg[0] == '[') {
		if (hl < 3 || arg[hl - 1] != ']')
			return -EINVAL;
		arg++;
		hl -= 2;
	} else if (memchr(arg, ':', hl)) {
		return -EINVAL;		/* IPv6 needs brackets: [::1]:9464 */
	}
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, arg, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	return -EINVAL;
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

	if (ss->ss_family == AF_INET)
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
}

/* ---- HTTP ------------------------------------------------------------ */

enum http_code { HC_200, HC_404, HC_405, HC_MAX };
static const char *const http_code_name[HC_MAX] = { "200", "404", "405" };

struct http {
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	char *text;			/* latest metrics; under lock */
	size_t len;
	atomic_uint_fast64_t requests[HC_MAX];
	atomic_uint_fast64_t connections;
};

static enum MHD_Result http_reply(struct MHD_Connection *conn, unsigned int status,
				  const char *body, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(body), (void *)body,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* The latest text plus the exporter's own counters, in a fresh buffer. */
static char *http_metrics(struct http *h, size_t *len)
{
	size_t extra = 1024, n = 0;
	char *buf;
	FILE *o;
	int c;

	pthread_mutex_lock(&h->lock);
	buf = malloc(h->len + extra);
	if (buf) {
		memcpy(buf, h->text, h->len);
		n = h->len;
	}
	pthread_mutex_unlock(&h->lock);
	if (!buf)
		return NULL;
	o = fmemopen(buf + n, extra, "w");
	if (!o) {
		free(buf);
		return NULL;
	}
	family(o, "svatop_exporter_http_requests_total", "counter",
	       "HTTP requests answered by the exporter, by status code.");
	for (c = 0; c < HC_MAX; c++)
		sample(o, "svatop_exporter_http_requests_total", "code", http_code_name[c],
		       atomic_load(&h->requests[c]));
	family(o, "svatop_exporter_connections_total", "counter",
	       "TCP connections accepted by the exporter.");
	sample(o, "svatop_exporter_connections_total", NULL, NULL,
	       atomic_load(&h->connections));
	fflush(o);
	n += ftell(o);
	fclose(o);
	*len = n;
	return buf;
}

/* gzip of buf (Prometheus asks for it); NULL on failure: send it plain. */
static char *http_gzip(const char *buf, size_t len, size_t *out_len)
{
	z_stream z = { 0 };
	uLong cap;
	char *out;

	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&z, len);
	out = malloc(cap);
	if (!out) {
		deflateEnd(&z);
		return NULL;
	}
	z.next_in = (Bytef *)buf;
	z.avail_in = len;
	z.next_out = (Bytef *)out;
	z.avail_out = cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return NULL;
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static bool http_wants_gzip(struct MHD_Connection *conn)
{
	const char *ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_ACCEPT_ENCODING);

	return ae && strstr(ae, "gzip");
}

static enum MHD_Result http_handler(void *cls, struct MHD_Connection *conn,
				    const char *url, const char *method,
				    const char *version, const char *upload_data,
				    size_t *upload_data_size, void **con_cls)
{
	struct http *h = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len, gz_len;
	char *buf, *gz = NULL;

	/* Answered on the first call, before any body: a request body is
	 * never read, and MHD closes the connection after the reply. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		atomic_fetch_add(&h->requests[HC_405], 1);
		return http_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "method not allowed: only GET /metrics\n", "GET, HEAD");
	}
	if (strcmp(url, "/metrics")) {
		atomic_fetch_add(&h->requests[HC_404], 1);
		return http_reply(conn, MHD_HTTP_NOT_FOUND,
				  "not found: svatop serves /metrics only\n", NULL);
	}
	atomic_fetch_add(&h->requests[HC_200], 1);
	buf = http_metrics(h, &len);
	if (!buf)
		return MHD_NO;
	if (http_wants_gzip(conn)) {
		gz = http_gzip(buf, len, &gz_len);
		if (gz) {
			free(buf);
			buf = gz;
			len = gz_len;
		}
	}
	r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; version=0.0.4; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (gz)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static void http_on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
			       enum MHD_ConnectionNotificationCode toe)
{
	struct http *h = cls;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&h->connections, 1);
}

static void http_log(void *cls, const char *fmt, va_list ap)
{
	if (!log_verbose)
		return;
	fputs("svatop exporter: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* Publish new text without ever waiting: on contention, keep it for the
 * next try. Returns true when it was taken. */
static bool http_publish(struct http *h, char *text, size_t len)
{
	char *old;

	if (pthread_mutex_trylock(&h->lock))
		return false;
	old = h->text;
	h->text = text;
	h->len = len;
	pthread_mutex_unlock(&h->lock);
	free(old);
	return true;
}

/* ---- the command ----------------------------------------------------- */

struct exporter_args {
	const char *listen;
	const char *replay;
	double interval;
	double grace;
	double timeout;
	unsigned long max_conn;
	uint32_t pid;
	bool verbose;
	bool per_process;
};

struct exporter {
	struct view_session s;		/* first: view_session_apply's ctx */
	struct exporter_counts counts;
	struct http http;
	const struct exporter_args *args;
	double render_s;		/* the last rendering's duration */
	char *pending;			/* rendered, not yet published */
	size_t pending_len;
};

static const struct argp_option exporter_options[] = {
	{ "listen", 'l', "ADDR:PORT", 0,
	  "where to serve /metrics (" EXPORTER_DEFAULT_LISTEN "; [::1]:PORT for IPv6; "
	  "port 0 picks a free one)", 0 },
	{ "replay", 'r', "FILE", 0, "serve the state of a recording instead of the kernel", 0 },
	{ "interval", 'i', "SECONDS", 0, "how often the metrics are recomputed (1)", 0 },
	{ "grace", 'g', "SECONDS", 0, "how long state may outlive its process (3)", 0 },
	{ "pid", 'p', "PID", 0, "trace only this process", 0 },
	{ "max-connections", 'c', "N", 0, "concurrent HTTP connections (32; half per client)", 0 },
	{ "timeout", 't', "SECONDS", 0, "drop an idle or slow HTTP connection after (10)", 0 },
	{ "per-process", 'P', NULL, 0,
	  "also series per process (pid, comm labels; at most 512 pids)", 0 },
	{ "verbose", 'v', NULL, 0, "loader and HTTP details", 0 },
	{ 0 },
};

static error_t exporter_parse(int key, char *arg, struct argp_state *state)
{
	struct exporter_args *a = state->input;

	switch (key) {
	case 'l':
		a->listen = arg;
		break;
	case 'r':
		a->replay = arg;
		break;
	case 'i':
		view_arg_seconds(state, arg, "interval", 0.05, &a->interval);
		break;
	case 'g':
		view_arg_seconds(state, arg, "grace period", 0, &a->grace);
		break;
	case 'p':
		a->pid = view_arg_pid(state, arg);
		break;
	case 'c':
		if (view_parse_uint(arg, 4096, &a->max_conn) || a->max_conn < 2)
			argp_error(state, "invalid connection limit '%s' (2..4096)", arg);
		break;
	case 't':
		if (view_parse_seconds(arg, &a->timeout) || a->timeout < 1 || a->timeout > 3600)
			argp_error(state, "invalid timeout '%s' (1..3600 seconds)", arg);
		break;
	case 'P':
		a->per_process = true;
		break;
	case 'v':
		a->verbose = true;
		log_verbose = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (a->pid && a->replay)
			argp_error(state, "--pid selects what the kernel traces: not with --replay");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int exporter_apply(const struct svatop_event *ev, void *ctx)
{
	struct exporter *x = ctx;

	exporter_count_event(&x->counts, ev);
	return view_session_apply(ev, &x->s);
}

/* view_session_poll(), with the exporter's own counting where events are
 * applied. Returns 0 or -errno (reported). */
static int exporter_poll(struct exporter *x, int timeout_ms)
{
	struct view_session *s = &x->s;
	uint64_t limit;
	int ret;

	ret = source_poll(s->src, timeout_ms, view_session_push, s);
	if (ret == -ENODATA) {
		s->ended = true;
		reorder_release(&s->r, UINT64_MAX, exporter_apply, x);
		return 0;
	}
	if (ret < 0 && ret != -EINTR) {
		p_err("reading events failed: %s", strerror(-ret));
		return ret;
	}
	limit = s->live ? view_monotonic_ns() : s->r.max_ts;
	limit = limit > VIEW_REORDER_NS ? limit - VIEW_REORDER_NS : 0;
	reorder_release(&s->r, limit, exporter_apply, x);
	return 0;
}

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int exporter_render_now(struct exporter *x)
{
	struct exporter_info info = {
		.version = SVATOP_VERSION,
		.mode = x->s.live ? "live" : "replay",
		.source_desc = x->s.src->ops->describe ? x->s.src->ops->describe(x->s.src) : NULL,
		.now_ns = view_session_now(&x->s),
		.wall_s = wall_seconds(),
		.ended = x->s.ended,
		.live = x->s.live,
		.per_process = x->args->per_process,
		.render_s = x->render_s,
	};
	uint64_t t0 = view_monotonic_ns();
	struct source_stats st = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *o;
	int err;

	source_stats(x->s.src, &st);
	o = open_memstream(&buf, &len);
	if (!o)
		return -ENOMEM;
	err = exporter_render(o, &x->s.m, &x->s.a, &st, &x->counts, &info);
	if (fclose(o) && !err)
		err = -ENOMEM;
	x->render_s = (view_monotonic_ns() - t0) / 1e9;
	if (err) {
		free(buf);
		return err;
	}
	free(x->pending);
	x->pending = buf;
	x->pending_len = len;
	if (http_publish(&x->http, x->pending, x->pending_len))
		x->pending = NULL;
	return 0;
}

static int exporter_start_http(struct exporter *x, const struct sockaddr_storage *ss)
{
	const struct exporter_args *a = x->args;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;

	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	x->http.d = MHD_start_daemon(flags, 0, NULL, NULL, http_handler, &x->http,
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)a->max_conn,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)(a->max_conn / 2),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)a->timeout,
		/* Request line and headers must fit: 431/414 beyond it. */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 32u,
		MHD_OPTION_NOTIFY_CONNECTION, http_on_connection, &x->http,
		MHD_OPTION_EXTERNAL_LOGGER, http_log, NULL,
		MHD_OPTION_END);
	return x->http.d ? 0 : -1;
}

static void print_listening(struct exporter *x, const struct sockaddr_storage *ss)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(x->http.d,
							     MHD_DAEMON_INFO_BIND_PORT);
	char addr[INET6_ADDRSTRLEN] = "?";
	unsigned int port = di ? di->port : 0;
	bool v6 = ss->ss_family == AF_INET6;

	if (v6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, addr,
			  sizeof(addr));
	else
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, addr,
			  sizeof(addr));
	if (!is_loopback(ss))
		fprintf(stderr, "svatop exporter: note: %s is not loopback: anyone who can "
			"reach it reads these metrics\n", addr);
	/* Scripts wait for this line. */
	fprintf(stderr, "svatop exporter: serving http://%s%s%s:%u/metrics\n",
		v6 ? "[" : "", addr, v6 ? "]" : "", port);
}

static int exporter_loop(struct exporter *x)
{
	uint64_t every = (uint64_t)(x->args->interval * 1e9);
	uint64_t next = view_monotonic_ns() + every;
	struct timespec nap = { 0, 100 * 1000000L };
	bool was_ended;
	int err;

	while (!stop_requested) {
		was_ended = x->s.ended;
		if (was_ended) {
			nanosleep(&nap, NULL);	/* a recording's final state stays */
		} else {
			err = exporter_poll(x, 100);
			if (err)
				return err;
		}
		if (x->pending && http_publish(&x->http, x->pending, x->pending_len))
			x->pending = NULL;
		/* The end of a recording is rendered at once, then every interval. */
		if (view_monotonic_ns() < next && was_ended == x->s.ended)
			continue;
		next = view_monotonic_ns() + every;
		err = exporter_render_now(x);
		if (err) {
			p_err("rendering metrics failed: %s", strerror(-err));
			return err;
		}
	}
	return 0;
}

int cmd_exporter(int argc, char **argv)
{
	static const struct argp argp = {
		exporter_options, exporter_parse, NULL,
		"Serve Prometheus metrics of SVA state at http://ADDR:PORT/metrics: live\n"
		"PASIDs, SVA domains and bonds per IOMMU instance and device, lifecycle\n"
		"counters, bind errors by errno, leaks and invariant violations, lost\n"
		"events. Loopback only unless --listen says otherwise.\v"
		"Metrics: docs/metrics.md. Example scrape config and alerting rules:\n"
		"docs/prometheus/. Exit status: 0 after SIGINT/SIGTERM, 2 usage or\n"
		"environment error (bad address, port in use, cannot trace).",
		NULL, NULL, NULL,
	};
	struct exporter_args a = {
		.listen = EXPORTER_DEFAULT_LISTEN, .interval = 1, .grace = 3,
		.timeout = 10, .max_conn = 32,
	};
	struct live_opts lo = { .snapshot = true };
	struct sockaddr_storage ss;
	struct exporter *x;
	sigset_t block, old;
	socklen_t sl;
	int err, saved;

	argp_err_exit_status = EXIT_USAGE;
	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return EXIT_USAGE;
	if (exporter_parse_listen(a.listen, &ss, &sl)) {
		p_err("invalid listen address '%s': want ADDR:PORT, e.g. 127.0.0.1:9464 or [::1]:9464",
		      a.listen);
		return EXIT_USAGE;
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		p_err("out of memory");
		return EXIT_USAGE;
	}
	x->args = &a;
	pthread_mutex_init(&x->http.lock, NULL);
	lo.target_tgid = a.pid;
	lo.verbose = a.verbose;
	if (view_session_open(&x->s, a.replay, &lo, (uint64_t)(a.grace * 1e9))) {
		pthread_mutex_destroy(&x->http.lock);
		free(x);
		return EXIT_USAGE;
	}
	err = exporter_render_now(x);
	if (err) {
		p_err("rendering metrics failed: %s", strerror(-err));
		goto out;
	}
	/* The HTTP thread inherits a mask without these: signals reach us. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	errno = 0;
	err = exporter_start_http(x, &ss);
	saved = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		p_err("cannot serve on %s: %s", a.listen,
		      saved ? strerror(saved) : "libmicrohttpd refused the options");
		err = -EADDRINUSE;
		goto out;
	}
	stop_on_signals();
	print_listening(x, &ss);
	err = exporter_loop(x);
	MHD_stop_daemon(x->http.d);
out:
	view_session_close(&x->s);
	free(x->pending);
	free(x->http.text);
	pthread_mutex_destroy(&x->http.lock);
	free(x);
	return err ? EXIT_USAGE : 0;
}
