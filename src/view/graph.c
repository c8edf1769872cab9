// SPDX-License-Identifier: GPL-2.0
/*
 * svatop graph: the live graph mm -> PASID -> SVA domains -> devices,
 * devices grouped by IOMMU instance; as a text tree, Graphviz DOT or JSON.
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "common/escape.h"
#include "common/stop.h"
#include "commands.h"
#include "view/graph.h"
#include "common/clock.h"
#include "common/log.h"
#include "pipeline/session.h"
#include "view/finding.h"
#include "view/iopf_view.h"
#include "view/options.h"

/* ---- ordering: output is stable for a given event stream ---------------- */

static int cmp_mm(const void *a, const void *b)
{
	const struct model_mm *x = *(const struct model_mm *const *)a;
	const struct model_mm *y = *(const struct model_mm *const *)b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static int cmp_domain(const void *a, const void *b)
{
	const struct model_domain *x = *(const struct model_domain *const *)a;
	const struct model_domain *y = *(const struct model_domain *const *)b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static int cmp_bond(const void *a, const void *b)
{
	const struct model_bond *x = *(const struct model_bond *const *)a;
	const struct model_bond *y = *(const struct model_bond *const *)b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static bool mm_matches(const struct model *m, const struct model_mm *mm,
		       const struct graph_filter *flt)
{
	const struct model_bond *b;

	if (!(mm->flags & MF_SVA))
		return false;
	if (flt && flt->pid && mm->tgid != flt->pid)
		return false;
	if (!flt || !flt->dev)
		return true;
	model_mm_for_each_bond(m, mm, b)
		if (b->dev && !strcmp(model_dev_at(m, b->dev)->name, flt->dev))
			return true;
	return false;
}

struct sorted {
	const void **v;
	size_t n;
};

static int sorted_mms(const struct model *m, const struct graph_filter *flt,
		      struct sorted *out)
{
	const struct model_mm *mm;
	uint32_t i;

	out->n = 0;
	out->v = calloc(m->mms.count + 1, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	model_for_each_mm(m, mm, i)
		if (mm_matches(m, mm, flt))
			out->v[out->n++] = mm;
	qsort(out->v, out->n, sizeof(*out->v), cmp_mm);
	return 0;
}

static int sorted_domains(const struct model *m, const struct model_mm *mm,
			  struct sorted *out)
{
	const struct model_domain *d;

	out->n = 0;
	out->v = calloc(mm->ndomains + 1, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	model_mm_for_each_domain(m, mm, d) {
		if (out->n == mm->ndomains)
			break;
		out->v[out->n++] = d;
	}
	qsort(out->v, out->n, sizeof(*out->v), cmp_domain);
	return 0;
}

static int sorted_bonds(const struct model *m, const struct model_domain *d,
			struct sorted *out)
{
	const struct model_bond *b;

	out->n = 0;
	out->v = calloc(d->nbonds + 1, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	model_domain_for_each_bond(m, d, b) {
		if (out->n == d->nbonds)
			break;
		out->v[out->n++] = b;
	}
	qsort(out->v, out->n, sizeof(*out->v), cmp_bond);
	return 0;
}

/* The IOMMU instance a domain lives on: that of its devices. */
static const struct model_iommu *domain_iommu(const struct model *m,
					       const struct model_domain *d)
{
	const struct model_bond *b = model_bond_at(m, d->bonds);
	const struct model_dev *dev = b ? model_dev_at(m, b->dev) : NULL;

	if (dev && dev->iommu)
		return dev->iommu;
	dev = model_dev_at(m, d->first_dev);
	return dev ? dev->iommu : NULL;
}

static uint64_t exited_ago(const struct model *m, const struct model_mm *mm, uint64_t now)
{
	uint64_t exit_ts = model_mm_exit_ts(m, mm);

	return now > exit_ts ? now - exit_ts : 0;
}

static bool orphan_domain(const struct model_domain *d)
{
	return !d->mm;
}

static bool orphan_pasid(const struct model_pasid *p)
{
	return !p->mm;
}

/* ---- text ---------------------------------------------------------------- */

/* The mm's IOTLB invalidations (--iotlb), NULL when none were seen. */
static const struct iopf_inval_stats *mm_iotlb(const struct model *m, const struct model_mm *mm)
{
	const struct iopf_inval_row *r = iopf_invals_of_mm(&m->iopf, mm->ptr);

	return r ? &r->s : NULL;
}

static void text_mm(FILE *out, const struct model *m, const struct model_mm *mm, uint64_t now)
{
	struct sorted doms, bonds;
	char age[32];
	size_t i, j;

	fprintf(out, "pid %u (%s) mm 0x%" PRIx64, mm->tgid, ESCAPED(MODEL_MM_COMM(m, mm), "?"),
		mm->ptr);
	if (mm->pasid_val)
		fprintf(out, " PASID %u", mm->pasid_val);
	else
		fprintf(out, " PASID -");
	if (mm->flags & MF_EXITED)
		fprintf(out, " [exited %s ago]", view_age(age, sizeof(age), exited_ago(m, mm, now)));
	if (mm->flags & MF_DROPPING)
		fprintf(out, " [being freed]");
	if (mm->flags & MF_SNAPSHOT)
		fprintf(out, " [before start]");
	fputc('\n', out);
	if (sorted_domains(m, mm, &doms))
		return;
	for (i = 0; i < doms.n; i++) {
		const struct model_domain *d = doms.v[i];
		const struct model_iommu *io = domain_iommu(m, d);
		bool last = i + 1 == doms.n;

		fprintf(out, "%s domain 0x%" PRIx64 " users %d on %s%s\n",
			last ? "`--" : "|--", d->ptr, d->users,
			io ? ESCAPED(io->name, "?") : "?",
			d->flags & DF_DERIVED ? " (alloc derived)" : "");
		if (sorted_bonds(m, d, &bonds))
			break;
		for (j = 0; j < bonds.n; j++) {
			const struct model_bond *b = bonds.v[j];
			const struct model_dev *dev = model_dev_at(m, b->dev);

			fprintf(out, "%s   %s device %s handle 0x%" PRIx64 " users %d\n",
				last ? "   " : "|  ", j + 1 == bonds.n ? "`--" : "|--",
				dev ? ESCAPED(dev->name, "?") : "?",
				b->handle, b->users);
		}
		if (!bonds.n)
			fprintf(out, "%s   `-- devices unknown (bound before svatop started)\n",
				last ? "   " : "|  ");
		free(bonds.v);
	}
	free(doms.v);
	if (mm->tgid)
		view_iopf_text(out, &m->iopf, mm->tgid, "    ");
	if (m->iopf.invals_on)
		view_iotlb_text(out, mm_iotlb(m, mm), "    ");
}

static int graph_text(FILE *out, const struct model *m, const struct graph_filter *flt,
		      uint64_t now)
{
	const struct model_iommu *io;
	const struct model_domain *d;
	const struct model_pasid *p;
	const struct model_dev *dev;
	struct sorted mms;
	uint32_t i, k;
	size_t j;
	bool any;

	if (sorted_mms(m, flt, &mms))
		return -ENOMEM;
	for (j = 0; j < mms.n; j++)
		text_mm(out, m, mms.v[j], now);
	if (!mms.n)
		fprintf(out, "no process holds SVA state%s\n", flt && (flt->pid || flt->dev) ?
			" (matching the filter)" : "");
	free(mms.v);
	if (flt && (flt->pid || flt->dev))
		return 0;
	model_for_each_domain(m, d, i)
		if (orphan_domain(d))
			fprintf(out, "domain 0x%" PRIx64 " users %d: its mm 0x%" PRIx64 " was freed\n",
				d->ptr, d->users, model_domain_mm_ptr(m, d));
	model_for_each_pasid(m, p, i)
		if (orphan_pasid(p))
			fprintf(out, "PASID %u: allocated, no mm%s\n", p->pasid,
				model_pasid_orphan_ts(m, p) ? " (its mm was freed)" : "");
	model_for_each_iommu(m, io, i) {
		fprintf(out, "iommu %s (0x%" PRIx64 "):", ESCAPED(io->name, "?"), io->ptr);
		any = false;
		model_for_each_dev(m, dev, k) {
			if (dev->iommu != io)
				continue;
			fprintf(out, " %s", ESCAPED(dev->name, "?"));
			any = true;
		}
		fprintf(out, "%s\n", any ? "" : " (no device)");
	}
	return 0;
}

/* ---- DOT ----------------------------------------------------------------- */

/* Kernel names are bytes: DOT gets printable ASCII, quotes escaped. */
static void dot_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fputc('\\', out);
		if (c >= 0x20)
			fputc(c < 0x7f ? c : '?', out);
	}
}

static int graph_dot(FILE *out, const struct model *m, const struct graph_filter *flt,
		     uint64_t now)
{
	const struct model_iommu *io;
	const struct model_dev *dev;
	struct sorted mms, doms, bonds;
	uint32_t i, k;
	size_t j, a, b;

	if (sorted_mms(m, flt, &mms))
		return -ENOMEM;
	fprintf(out, "digraph svatop {\n"
		     "\trankdir=LR;\n"
		     "\tnode [shape=box, fontname=\"monospace\", fontsize=10];\n"
		     "\tedge [fontname=\"monospace\", fontsize=9];\n");
	/* Devices, grouped by IOMMU instance. */
	model_for_each_iommu(m, io, i) {
		fprintf(out, "\tsubgraph \"cluster_iommu_%" PRIx64 "\" {\n\t\tlabel=\"", io->ptr);
		dot_escape(out, io->name[0] ? io->name : "iommu");
		fprintf(out, "\";\n\t\tstyle=rounded;\n");
		model_for_each_dev(m, dev, k)
			if (dev->iommu == io) {
				fprintf(out, "\t\t\"dev_%" PRIx64 "\" [label=\"", dev->ptr);
				dot_escape(out, dev->name[0] ? dev->name : "device");
				fprintf(out, "\", shape=component];\n");
			}
		fprintf(out, "\t}\n");
	}
	model_for_each_dev(m, dev, k)
		if (!dev->iommu) {
			fprintf(out, "\t\"dev_%" PRIx64 "\" [label=\"", dev->ptr);
			dot_escape(out, dev->name[0] ? dev->name : "device");
			fprintf(out, "\", shape=component];\n");
		}
	for (j = 0; j < mms.n; j++) {
		const struct model_mm *mm = mms.v[j];
		char src[48];

		fprintf(out, "\t\"mm_%" PRIx64 "\" [label=\"pid %u (", mm->ptr, mm->tgid);
		dot_escape(out, MODEL_MM_COMM(m, mm)[0] ? MODEL_MM_COMM(m, mm) : "?");
		fprintf(out, ")\\nmm 0x%" PRIx64 "%s\"%s];\n", mm->ptr,
			mm->flags & MF_EXITED ? "\\nexited" : "",
			mm->flags & MF_EXITED ? ", color=red" : "");
		snprintf(src, sizeof(src), "mm_%" PRIx64, mm->ptr);
		if (mm->pasid_val) {
			fprintf(out, "\t\"pasid_%u\" [label=\"PASID %u\", shape=ellipse];\n",
				mm->pasid_val, mm->pasid_val);
			fprintf(out, "\t\"mm_%" PRIx64 "\" -> \"pasid_%u\";\n", mm->ptr,
				mm->pasid_val);
			snprintf(src, sizeof(src), "pasid_%u", mm->pasid_val);
		}
		if (sorted_domains(m, mm, &doms))
			break;
		for (a = 0; a < doms.n; a++) {
			const struct model_domain *d = doms.v[a];

			fprintf(out, "\t\"dom_%" PRIx64 "\" [label=\"SVA domain\\n0x%" PRIx64
				"\\nusers %d\", shape=box3d];\n", d->ptr, d->ptr, d->users);
			fprintf(out, "\t\"%s\" -> \"dom_%" PRIx64 "\";\n", src, d->ptr);
			if (sorted_bonds(m, d, &bonds))
				break;
			for (b = 0; b < bonds.n; b++) {
				const struct model_bond *bd = bonds.v[b];

				if (!bd->dev)
					continue;
				fprintf(out, "\t\"dom_%" PRIx64 "\" -> \"dev_%" PRIx64
					"\" [label=\"handle 0x%" PRIx64 "\\nusers %d\"];\n",
					d->ptr, model_dev_at(m, bd->dev)->ptr, bd->handle, bd->users);
			}
			free(bonds.v);
		}
		free(doms.v);
	}
	fprintf(out, "}\n");
	free(mms.v);
	(void)now;
	return 0;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *dev_json(const struct model_dev *dev)
{
	json_t *o = json_object();

	json_object_set_new(o, "dev", view_json_ptr(dev ? dev->ptr : 0));
	json_object_set_new(o, "name", view_json_str(dev ? dev->name : NULL));
	json_object_set_new(o, "iommu", view_json_str(dev && dev->iommu ? dev->iommu->name : NULL));
	return o;
}

static json_t *domain_json(const struct model *m, const struct model_domain *d)
{
	const struct model_iommu *io = domain_iommu(m, d);
	json_t *o = json_object(), *devs = json_array(), *bj;
	struct sorted bonds;
	size_t i;

	json_object_set_new(o, "domain", view_json_ptr(d->ptr));
	json_object_set_new(o, "uid", json_integer(d->uid));
	json_object_set_new(o, "users", json_integer(d->users));
	json_object_set_new(o, "bonds", json_integer(d->nbonds));
	json_object_set_new(o, "iommu", view_json_str(io ? io->name : NULL));
	json_object_set_new(o, "derived", json_boolean(d->flags & DF_DERIVED));
	json_object_set_new(o, "before_start", json_boolean(d->flags & DF_SNAPSHOT));
	if (!sorted_bonds(m, d, &bonds)) {
		for (i = 0; i < bonds.n; i++) {
			const struct model_bond *b = bonds.v[i];

			bj = dev_json(model_dev_at(m, b->dev));
			json_object_set_new(bj, "handle", view_json_ptr(b->handle));
			json_object_set_new(bj, "handle_users", json_integer(b->users));
			json_array_append_new(devs, bj);
		}
		free(bonds.v);
	}
	json_object_set_new(o, "devices", devs);
	return o;
}

static json_t *mm_json(const struct model *m, const struct model_mm *mm, uint64_t now)
{
	json_t *o = json_object(), *doms = json_array();
	struct sorted ds;
	size_t i;

	json_object_set_new(o, "pid", mm->tgid ? json_integer(mm->tgid) : json_null());
	json_object_set_new(o, "comm", view_json_str(MODEL_MM_COMM(m, mm)));
	json_object_set_new(o, "mm", view_json_ptr(mm->ptr));
	json_object_set_new(o, "uid", json_integer(mm->uid));
	json_object_set_new(o, "pasid", mm->pasid_val ? json_integer(mm->pasid_val) : json_null());
	json_object_set_new(o, "exited", json_boolean(mm->flags & MF_EXITED));
	if (mm->flags & MF_EXITED)
		json_object_set_new(o, "exited_ns_ago",
				    json_integer(exited_ago(m, mm, now)));
	json_object_set_new(o, "before_start", json_boolean(mm->flags & MF_SNAPSHOT));
	json_object_set_new(o, "binds", json_integer(mm->binds));
	json_object_set_new(o, "unbinds", json_integer(mm->unbinds));
	json_object_set_new(o, "errors", json_integer(model_mm_errors(m, mm)));
	if (!sorted_domains(m, mm, &ds)) {
		for (i = 0; i < ds.n; i++)
			json_array_append_new(doms, domain_json(m, ds.v[i]));
		free(ds.v);
	}
	json_object_set_new(o, "domains", doms);
	json_object_set_new(o, "iopf", mm->tgid ? view_iopf_json(&m->iopf, mm->tgid) :
				       json_array());
	if (m->iopf.invals_on)
		json_object_set_new(o, "iotlb", view_iotlb_json(mm_iotlb(m, mm)));
	return o;
}

json_t *graph_json(const struct model *m, const struct graph_filter *flt, uint64_t now)
{
	json_t *root = json_object(), *mmsj = json_array(), *ios = json_array();
	json_t *od = json_array(), *op = json_array(), *o, *devs;
	const struct model_iommu *io;
	const struct model_domain *d;
	const struct model_pasid *p;
	const struct model_dev *dev;
	struct sorted mms;
	uint32_t i, k;
	size_t j;

	if (!root || sorted_mms(m, flt, &mms)) {
		json_decref(root);
		return NULL;
	}
	json_object_set_new(root, "v", json_integer(VIEW_JSON_SCHEMA));
	json_object_set_new(root, "type", json_string("graph"));
	json_object_set_new(root, "ts_ns", json_integer(now));
	for (j = 0; j < mms.n; j++)
		json_array_append_new(mmsj, mm_json(m, mms.v[j], now));
	free(mms.v);
	json_object_set_new(root, "mms", mmsj);
	model_for_each_iommu(m, io, i) {
		o = json_object();
		devs = json_array();
		json_object_set_new(o, "iommu", view_json_ptr(io->ptr));
		json_object_set_new(o, "name", view_json_str(io->name));
		model_for_each_dev(m, dev, k)
			if (dev->iommu == io)
				json_array_append_new(devs, dev_json(dev));
		json_object_set_new(o, "devices", devs);
		json_array_append_new(ios, o);
	}
	json_object_set_new(root, "iommus", ios);
	model_for_each_domain(m, d, i)
		if (orphan_domain(d)) {
			o = domain_json(m, d);
			json_object_set_new(o, "mm", view_json_ptr(model_domain_mm_ptr(m, d)));
			json_array_append_new(od, o);
		}
	model_for_each_pasid(m, p, i)
		if (orphan_pasid(p))
			json_array_append_new(op, json_integer(p->pasid));
	json_object_set_new(root, "orphan_domains", od);
	json_object_set_new(root, "unowned_pasids", op);
	json_object_set_new(root, "iopf", view_iopf_status_json(&m->iopf));
	return root;
}

int graph_render(FILE *out, const struct model *m, enum graph_format fmt,
		 const struct graph_filter *flt, uint64_t now)
{
	json_t *j;
	int err;

	switch (fmt) {
	case GRAPH_DOT:
		return graph_dot(out, m, flt, now);
	case GRAPH_JSON:
		j = graph_json(m, flt, now);
		if (!j)
			return -ENOMEM;
		err = json_dumpf(j, out, JSON_COMPACT) ? -EIO : 0;
		fputc('\n', out);
		json_decref(j);
		return err;
	default:
		return graph_text(out, m, flt, now);
	}
}

/* ---- the command --------------------------------------------------------- */

struct graph_args {
	enum graph_format fmt;
	bool watch;
	double interval;
	double settle;
	const char *dev;
	struct common_args c;
};

static const struct argp_option graph_options[] = {
	{ "dot", 'D', NULL, 0, "Graphviz DOT (render: svatop graph --dot | dot -Tpng)", 0 },
	{ "watch", 'w', NULL, 0, "re-emit the graph whenever it changes", 0 },
	{ "interval", 'i', "SECONDS", 0, "with --watch: how often to look for changes (1)", 0 },
	{ "settle", 's', "SECONDS", 0, "live: wait at most this long for the snapshot (3)", 0 },
	{ "device", 'd', "DEVICE", 0, "only processes bound to this device (name)", 0 },
	{ 0 },
};

static error_t graph_parse(int key, char *arg, struct argp_state *state)
{
	struct graph_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->c;
		break;
	case 'D':
		a->fmt = GRAPH_DOT;
		break;
	case 'w':
		a->watch = true;
		break;
	case 'i':
		view_arg_seconds(state, arg, "interval", 0.01, &a->interval);
		break;
	case 's':
		view_arg_seconds(state, arg, "settle time", 0, &a->settle);
		break;
	case 'd':
		a->dev = arg;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (a->c.json)
			a->fmt = GRAPH_JSON;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int graph_emit(struct session *s, const struct graph_args *a)
{
	struct graph_filter flt = { .pid = a->c.pid, .dev = a->dev };
	int err;

	session_iopf_refresh(s);
	err = graph_render(stdout, &s->m, a->fmt, &flt, session_now(s));

	fflush(stdout);
	if (err)
		p_err("graph: %s", strerror(-err));
	return err;
}

int cmd_graph(int argc, char **argv)
{
	const struct argp_child children[] = {
		{ common_argp(COMMON_JSON | COMMON_PID | COMMON_REPLAY | COMMON_VERBOSE |
			      COMMON_IOTLB), 0, NULL, 0 },
		{ 0 },
	};
	const struct argp argp = {
		graph_options, graph_parse, NULL,
		"The live graph of SVA state: mm -> PASID -> SVA domains -> devices,\n"
		"devices grouped by IOMMU instance; text tree, DOT or JSON.\v"
		"Exit status: 0 done, 2 usage or environment error, 3 events were lost.",
		children, NULL, NULL,
	};
	struct graph_args a = { .interval = 1, .settle = 3 };
	struct live_opts lo = { .snapshot = true };
	struct session s;
	uint64_t t0, last_emit = 0, seen = 0;
	int err;

	argp_err_exit_status = EXIT_USAGE;
	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return EXIT_USAGE;
	lo.target_tgid = a.c.pid;
	lo.verbose = a.c.verbose;
	lo.iopf_invalidations = a.c.iotlb;
	if (session_open(&s, a.c.replay, &lo, ANALYZER_DEFAULT_GRACE_NS))
		return EXIT_USAGE;
	stop_on_signals();
	t0 = clock_monotonic_ns();
	err = 0;
	/* One-shot: the whole recording, or the live snapshot. */
	while (!stop_requested && !s.ended && !a.watch) {
		if ((err = session_poll(&s, 100)))
			break;
		if (s.live && (s.m.snapshot_done ||
			       clock_monotonic_ns() - t0 >= (uint64_t)(a.settle * 1e9)))
			break;
	}
	if (!a.watch) {
		session_flush(&s);
		if (!err && s.live && !s.m.snapshot_done)
			p_err("graph: no snapshot within %.1fs: state from before start may be missing",
			      a.settle);
		if (!err)
			err = graph_emit(&s, &a);
	}
	while (!err && a.watch && !stop_requested) {
		if ((err = session_poll(&s, 100)))
			break;
		if (s.ended)
			session_flush(&s);
		if ((s.m.changes != seen || !last_emit) &&
		    (clock_monotonic_ns() - last_emit >= (uint64_t)(a.interval * 1e9) || s.ended)) {
			seen = s.m.changes;
			last_emit = clock_monotonic_ns();
			if (a.fmt == GRAPH_TEXT)
				printf("--- %s\n", s.live ? "graph" : "graph (replay)");
			if ((err = graph_emit(&s, &a)))
				break;
		}
		if (s.ended)
			break;
	}
	if (!err && session_dropped(&s)) {
		p_err("graph: %" PRIu64 " events were lost (%" PRIu64 " of them calls the "
		      "kernel's recursion protection skipped): the graph may be incomplete",
		      session_dropped(&s), session_missed(&s));
		err = 1;
	}
	session_close(&s);
	if (err > 0)
		return EXIT_INCONCLUSIVE;
	return err ? EXIT_USAGE : 0;
}
