// SPDX-License-Identifier: GPL-2.0
/*
 * Device page faults in the exporter (docs/metrics.md): per device name
 * only (PASIDs and processes come and go; a device is hardware), at most
 * EXPORTER_MAX_SERIES devices, the rest under "other". The opt-in IOTLB
 * invalidations (--iotlb) are summed over every SVA mm: labelled by kind
 * only (two series), since mms and their processes come and go.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "view/exporter.h"

struct iopf_dev_sum {
	const char *name;
	struct iopf_stats s;
};

/* The rows summed per device name (bounded); *n rows in the result. */
static struct iopf_dev_sum *sum_by_device(const struct iopf_table *t, size_t *n)
{
	struct iopf_dev_sum *v = calloc(EXPORTER_MAX_SERIES + 1, sizeof(*v));
	size_t i, j;

	*n = 0;
	if (!v)
		return NULL;
	for (i = 0; i < t->n; i++) {
		const char *name = t->rows[i].s.dev_name[0] ? t->rows[i].s.dev_name : "unknown";

		for (j = 0; j < *n; j++)
			if (!strcmp(v[j].name, name))
				break;
		if (j == *n && *n >= EXPORTER_MAX_SERIES) {
			for (j = 0; j < *n && strcmp(v[j].name, "other"); j++)
				;
			name = "other";
		}
		if (j == *n)
			v[(*n)++].name = name;
		iopf_stats_add(&v[j].s, &t->rows[i].s);
	}
	return v;
}

static void label(FILE *o, const char *name, const char *dev)
{
	fprintf(o, "%s{device=\"", name);
	exporter_label_value(o, dev);
	fputc('"', o);
}

static void render_histogram(FILE *o, const struct iopf_dev_sum *d)
{
	uint64_t cum = 0;
	int i;

	/* Slot i holds [2^i, 2^(i+1)) us: its bucket's bound is 2^(i+1) us. */
	for (i = 0; i < IOPF_HIST_SLOTS - 1; i++) {
		cum += d->s.hist[i];
		label(o, "svatop_iopf_latency_seconds_bucket", d->name);
		fprintf(o, ",le=\"%.6f\"} %" PRIu64 "\n", (double)(2ULL << i) / 1e6, cum);
	}
	cum += d->s.hist[IOPF_HIST_SLOTS - 1];
	label(o, "svatop_iopf_latency_seconds_bucket", d->name);
	fprintf(o, ",le=\"+Inf\"} %" PRIu64 "\n", cum);
	label(o, "svatop_iopf_latency_seconds_sum", d->name);
	fprintf(o, "} %.9f\n", d->s.latency_sum_ns / 1e9);
	label(o, "svatop_iopf_latency_seconds_count", d->name);
	fprintf(o, "} %" PRIu64 "\n", cum);
}

void exporter_render_iopf(FILE *o, const struct iopf_table *t)
{
	static const char *const outcome[IOPF_OUTCOMES] = {
		"success", "invalid", "failure", "refused",
	};
	struct iopf_dev_sum *v;
	size_t n, i;
	int k;

	exporter_family(o, "svatop_iopf_enabled", "gauge",
			"1 when device page faults (IOPF) are counted on this kernel (docs/iopf.md).");
	exporter_sample(o, "svatop_iopf_enabled", NULL, NULL, t->active);
	v = sum_by_device(t, &n);
	if (!v || !n) {
		free(v);
		return;
	}
	exporter_family(o, "svatop_iopf_faults_total", "counter",
			"Device page requests (last page of each group) since svatop started, per device.");
	for (i = 0; i < n; i++) {
		label(o, "svatop_iopf_faults_total", v[i].name);
		fprintf(o, "} %llu\n", (unsigned long long)v[i].s.reports);
	}
	exporter_family(o, "svatop_iopf_responses_total", "counter",
			"Device page faults by the kernel's answer: success, invalid (no mapping or "
			"access not allowed), failure, refused (no handler for the PASID).");
	for (i = 0; i < n; i++)
		for (k = 0; k < IOPF_OUTCOMES; k++) {
			label(o, "svatop_iopf_responses_total", v[i].name);
			fprintf(o, ",response=\"%s\"} %llu\n", outcome[k],
				(unsigned long long)v[i].s.outcomes[k]);
		}
	exporter_family(o, "svatop_iopf_latency_seconds", "histogram",
			"Device page fault latency, from the report to the driver's page response.");
	for (i = 0; i < n; i++)
		render_histogram(o, &v[i]);
	free(v);
}

void exporter_render_iotlb(FILE *o, const struct iopf_table *t)
{
	struct iopf_inval_stats sum = { 0 };
	size_t i;

	exporter_family(o, "svatop_iotlb_enabled", "gauge",
			"1 when IOTLB invalidations of SVA mms are counted (svatop exporter --iotlb).");
	exporter_sample(o, "svatop_iotlb_enabled", NULL, NULL, t->active && t->invals_on);
	if (!t->active || !t->invals_on)
		return;
	for (i = 0; i < t->ninvals; i++) {
		sum.ranges += t->invals[i].s.ranges;
		sum.pages += t->invals[i].s.pages;
		sum.flushes += t->invals[i].s.flushes;
	}
	exporter_family(o, "svatop_iotlb_invalidations_total", "counter",
			"Secondary TLB (IOTLB) invalidations of SVA mms since svatop started: "
			"kind range (an address range) or mm (the whole mm).");
	fprintf(o, "svatop_iotlb_invalidations_total{kind=\"range\"} %llu\n",
		(unsigned long long)sum.ranges);
	fprintf(o, "svatop_iotlb_invalidations_total{kind=\"mm\"} %llu\n",
		(unsigned long long)sum.flushes);
	exporter_family(o, "svatop_iotlb_invalidated_pages_total", "counter",
			"Pages covered by the range invalidations of SVA mms since svatop started.");
	fprintf(o, "svatop_iotlb_invalidated_pages_total %llu\n", (unsigned long long)sum.pages);
}
