/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svatop exporter: the model, the analyzer's findings and the source's
 * counters in the Prometheus text exposition format (docs/metrics.md).
 * The rendering is pure (a model in, text out) so unit tests check it
 * without a socket; cmd_exporter() serves it over HTTP.
 */
#ifndef SVATOP_VIEW_EXPORTER_H
#define SVATOP_VIEW_EXPORTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include "analyze/analyzer.h"
#include "model/model.h"
#include "source/source.h"

#define EXPORTER_DEFAULT_LISTEN	"127.0.0.1:9464"
/* The kernel's MAX_ERRNO: the bind-errors-by-errno label set is bounded. */
#define EXPORTER_ERRNO_MAX	4095
/* Distinct devices (and IOMMU instances) given their own series; the rest
 * are summed under "other" so label cardinality stays bounded. */
#define EXPORTER_MAX_SERIES	512

/* What the exporter counts itself, at the point an event is applied. */
struct exporter_counts {
	uint64_t bind_errors[EXPORTER_ERRNO_MAX + 1];	/* by -ret */
	uint64_t snapshot_end_ts;	/* SNAP_END's time on the events' clock */
};

struct exporter_info {
	const char *version;		/* svatop version */
	const char *mode;		/* "live" or "replay" */
	const char *source_desc;	/* source's own description, may be NULL */
	uint64_t now_ns;		/* analysis time on the events' clock */
	double wall_s;			/* CLOCK_REALTIME of this rendering */
	bool live;			/* now_ns and wall_s are the same instant */
	bool ended;			/* a recording was read to its end */
	bool per_process;		/* opt-in: pid/comm series (bounded) */
	double render_s;		/* how long the previous rendering took */
	/* state mode (docs/design.md): re-walks of the kernel's SVA state made
	 * and skipped (nothing changed), mms whose counts found no room */
	uint64_t state_walks, state_walks_skipped, state_tally_full;
};

/* Count what the model does not (bind errors by errno) for one event. */
void exporter_count_event(struct exporter_counts *c, const struct svatop_event *ev);

/* Write every metric to out. Returns 0, or -ENOMEM. */
int exporter_render(FILE *out, const struct model *m, const struct analyzer *a,
		    const struct source_stats *st, const struct exporter_counts *c,
		    const struct exporter_info *info);

/* Device page faults per device (exporter_iopf.c): counts by answer and a
 * latency histogram; labels bounded to EXPORTER_MAX_SERIES devices. */
void exporter_render_iopf(FILE *out, const struct iopf_table *t);
/* The opt-in IOTLB invalidations of SVA mms (--iotlb), by kind. */
void exporter_render_iotlb(FILE *out, const struct iopf_table *t);

/* "# HELP" and "# TYPE" of a metric family; one sample, with one label
 * or none. */
void exporter_family(FILE *o, const char *name, const char *type, const char *help);
void exporter_sample(FILE *o, const char *name, const char *label, const char *value,
		     uint64_t v);

/* Write s as the inside of a label value: escaped, printable ASCII only. */
void exporter_label_value(FILE *out, const char *s);

/* Parse "ADDR:PORT" or "[IPV6]:PORT" (numeric addresses: binding beyond
 * loopback is always spelled out). Returns 0 or -EINVAL. */
int exporter_parse_listen(const char *arg, struct sockaddr_storage *ss,
			  socklen_t *len);
bool exporter_is_loopback(const struct sockaddr_storage *ss);

#endif
