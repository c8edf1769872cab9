// SPDX-License-Identifier: GPL-2.0
/*
 * iopf-failed: a device page fault answered "invalid" (no VMA at the
 * address, or an access the VMA does not allow), "failure" (the SVA handler
 * could not run) or refused (no handler for the PASID). The device used an
 * address its process does not map: a use after free or a stale pointer
 * handed to the device, or a write to read-only memory (docs/leaks.md).
 */
#include <stdio.h>
#include <string.h>
#include "analyze/rules.h"

unsigned int rule_iopf_failed(const struct model *m, finding_fn emit, void *ctx)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < m->iopf.n; i++) {
		const struct iopf_row *r = &m->iopf.rows[i];
		const struct iopf_stats *s = &r->s;
		struct finding f;

		if (!iopf_failures(s))
			continue;
		memset(&f, 0, sizeof(f));
		f.rule = RULE_IOPF_FAILED;
		f.ts = m->iopf.read_ns;
		f.dev = r->dev;
		f.pasid = r->pasid == IOPF_NO_PASID ? 0 : r->pasid;
		f.tgid = s->tgid;
		f.stack_id = -1;
		f.expected = 0;
		f.actual = (int64_t)iopf_failures(s);
		memcpy(f.comm, s->comm, sizeof(f.comm) < sizeof(s->comm) ?
		       sizeof(f.comm) : sizeof(s->comm));
		memcpy(f.dev_name, s->dev_name, sizeof(f.dev_name) < sizeof(s->dev_name) ?
		       sizeof(f.dev_name) : sizeof(s->dev_name));
		snprintf(f.detail, sizeof(f.detail),
			 "%llu of %llu page faults failed: %llu invalid, %llu failure, %llu refused",
			 (unsigned long long)iopf_failures(s), (unsigned long long)s->reports,
			 (unsigned long long)s->outcomes[IOPF_INVALID],
			 (unsigned long long)s->outcomes[IOPF_FAILURE],
			 (unsigned long long)s->outcomes[IOPF_REFUSED]);
		emit(&f, ctx);
		n++;
	}
	return n;
}
