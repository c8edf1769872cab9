// SPDX-License-Identifier: GPL-2.0
/* One event as a line of svatop trace's text output. */
#include <stdio.h>
#include "common/escape.h"
#include "common/events.h"
#include "view/trace.h"

static const char *short_ptr(uint64_t p, char *buf, size_t n)
{
	if (!p)
		return "-";
	snprintf(buf, n, "%llx", (unsigned long long)p);
	return buf;
}

static void result_text(const struct svatop_event *ev, char *buf, size_t n)
{
	const char *en = errno_name(ev->ret);

	if (ev->ret == 0) {
		snprintf(buf, n, "ok");
		return;
	}
	if (en)
		snprintf(buf, n, "%s(%d)", en, ev->ret);
	else
		snprintf(buf, n, "err %d", ev->ret);
}

void trace_print_text(FILE *out, const struct svatop_event *ev, uint64_t first_ts,
		      char frames[][64], int nframes)
{
	char d[20], res[32];
	int i;

	result_text(ev, res, sizeof(res));
	fprintf(out, "%-12.6f %-7u %-15.15s %-13s %-14.14s ",
		(ev->ts_ns - first_ts) / 1e9, ev->tgid,
		ESCAPED(ev->comm, "-"), event_type_name(ev->type),
		ESCAPED(ev->dev_name, "-"));
	if (ev->pasid)
		fprintf(out, "%-7u ", ev->pasid);
	else
		fprintf(out, "%-7s ", "-");
	fprintf(out, "%-16s ", short_ptr(ev->domain, d, sizeof(d)));
	if (ev->type == SVATOP_EV_BIND || ev->type == SVATOP_EV_UNBIND ||
	    ev->type == SVATOP_EV_ATTACH || ev->type == SVATOP_EV_DETACH ||
	    ev->type == SVATOP_EV_DOMAIN_FREE || ev->type == SVATOP_EV_SNAP_DOMAIN ||
	    ev->type == SVATOP_EV_SNAP_BOND)
		fprintf(out, "%-5d ", ev->domain_users);
	else
		fprintf(out, "%-5s ", "-");
	fprintf(out, "%s%s%s%s\n", res,
		ev->flags & SVATOP_F_DERIVED ? " (derived)" : "",
		ev->flags & SVATOP_F_EXEC ? " (exec)" : "",
		ev->flags & SVATOP_F_CHILD_SHARES ? " CHILD SHARES PARENT iommu_mm" : "");
	for (i = 0; i < nframes; i++)
		fprintf(out, "%13s%s\n", "", frames[i]);
}
