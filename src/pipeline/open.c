// SPDX-License-Identifier: GPL-2.0
/* Sessions on a source the session opens itself: the commands' way in.
 * (session.c needs no source: tests, benchmarks and the fuzz target link
 * it without libbpf.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/clock.h"
#include "common/log.h"
#include "pipeline/session.h"
#include "source/iopf.h"

/* Device page faults beside the live source; missing is normal (said once). */
static void open_iopf(struct session *s, const struct live_opts *lo)
{
	struct iopf_opts o = {
		.events = lo && lo->iopf_events,
		.invalidations = lo && lo->iopf_invalidations,
		.report = source_live_report(s->src),
	};
	char why[200] = "";

	if (iopf_source_open(&s->iopf, &o, why, sizeof(why))) {
		s->iopf = NULL;
		if (!s->stream)
			snprintf(s->m.iopf.why, sizeof(s->m.iopf.why), "%s", why);
		p_err("note: device page faults (IOPF) not counted: %s", why);
		return;
	}
	s->iopf_close = iopf_source_close;
	if (o.invalidations && !iopf_source_has_invals(s->iopf))
		p_err("note: IOTLB invalidations not counted: this kernel has no "
		      "__mmu_notifier_arch_invalidate_secondary_tlbs to hook (svatop probe)");
	if (!s->stream) {
		s->m.iopf.active = true;
		s->m.iopf.invals_on = o.invalidations && iopf_source_has_invals(s->iopf);
	}
}

int session_iopf_refresh(struct session *s)
{
	struct iopf_inval_row *invals;
	struct iopf_row *rows;
	size_t n, i;
	int err;

	if (!s->iopf || s->stream)
		return 0;
	err = iopf_source_read(s->iopf, &rows, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		const struct model_pasid *p;
		const struct model_mm *mm;

		if (rows[i].s.tgid || rows[i].pasid == IOPF_NO_PASID)
			continue;
		/* Refused requests carry no mm: the PASID's holder. */
		p = model_pasid(&s->m, rows[i].pasid);
		mm = p ? model_mm_at(&s->m, p->mm) : NULL;
		if (mm) {
			rows[i].s.tgid = mm->tgid;
			memcpy(rows[i].s.comm, MODEL_MM_COMM(&s->m, mm), sizeof(rows[i].s.comm));
		}
	}
	err = iopf_table_update(&s->m.iopf, rows, n, clock_monotonic_ns());
	free(rows);
	if (err || !s->m.iopf.invals_on)
		return err;
	err = iopf_source_read_invals(s->iopf, &invals, &n);
	if (err)
		return err;
	err = iopf_invals_update(&s->m.iopf, invals, n);
	free(invals);
	return err;
}

/* What can change the kernel's SVA state, as far as svatop sees it: the
 * kernel's counts and every streamed record that is not a walk's own. */
static uint64_t state_signature(const struct session *s, const struct source_state *st)
{
	const uint64_t *t = s->m.cnt.by_type;

	return st->binds + st->unbinds + st->domain_allocs + st->domain_frees +
	       s->m.cnt.events - t[SVATOP_EV_SNAP_MM] - t[SVATOP_EV_SNAP_DOMAIN] -
	       t[SVATOP_EV_SNAP_BOND] - t[SVATOP_EV_SNAP_END];
}

int session_state_sync(struct session *s)
{
	struct source_state st;
	uint64_t until, sig, now = clock_monotonic_ns();
	size_t i;
	int err;

	if (!s->m.state_mode || !s->src || !s->src->ops->resync || !s->src->ops->state)
		return 0;
	err = s->src->ops->state(s->src, &st, false);
	if (err)
		return err;
	/*
	 * Nothing counted or streamed since the last walk: the kernel's SVA
	 * state is what that walk found, and an idle host pays nothing. A
	 * walk at least every SESSION_RESYNC_MAX_NS all the same, for
	 * changes no hook sees (a detach outside an unbind).
	 */
	sig = state_signature(s, &st);
	if (s->state_walks && sig == s->state_sig && now - s->state_walk_ns < SESSION_RESYNC_MAX_NS) {
		s->state_walks_skipped++;
		return 0;
	}
	err = s->src->ops->resync(s->src);
	if (err)
		return err;
	s->state_sig = sig;
	s->state_walk_ns = now;
	s->state_walks++;
	/* The walk's records are on the ring: take them, and wait out the
	 * reorder window so they are applied before the frame. */
	until = clock_monotonic_ns() + SESSION_REORDER_NS + 10 * 1000000ULL;
	while (!s->ended && clock_monotonic_ns() < until) {
		err = session_poll(s, 10);
		if (err)
			return err;
	}
	/* the counts as of the walk's end (a bind during the wait counts) */
	err = s->src->ops->state(s->src, &st, true);
	if (err)
		return err;
	model_set_state_totals(&s->m, st.binds, st.unbinds, st.domain_allocs,
			       st.domain_frees);
	for (i = 0; i < st.nmms; i++)
		model_set_tally(&s->m, st.mms[i].mm, st.mms[i].binds, st.mms[i].unbinds);
	s->tally_full = st.tally_full;
	free(st.mms);
	return 0;
}

int session_iopf_poll(struct session *s, int timeout_ms,
		      int (*fn)(const struct iopf_event *ev, void *ctx), void *ctx)
{
	return s->iopf ? iopf_source_poll(s->iopf, timeout_ms, fn, ctx) : 0;
}

int session_open(struct session *s, const char *replay, const struct live_opts *lo,
		 uint64_t grace_ns)
{
	struct source *src;
	int err;

	err = session_init(s, grace_ns);
	if (err)
		return err;
	err = source_open(&src, replay, lo);
	if (err) {
		session_close(s);
		return err;
	}
	session_set_source(s, src, !replay);
	s->m.state_mode = source_state_mode(src);
	if (s->live) {
		uint64_t t0 = clock_monotonic_ns();

		open_iopf(s, lo);
		p_info("start-up: IOPF accounting loaded in %.2f s", (clock_monotonic_ns() - t0) / 1e9);
	}
	/* Scripts wait for this line before starting their workload. */
	if (s->live)
		fprintf(stderr, "svatop: watching SVA events%s\n",
			s->m.state_mode ? " (state mode)" : "");
	return 0;
}

int session_open_stream(struct session *s, const char *replay, const struct live_opts *lo)
{
	struct source *src;
	int err;

	memset(s, 0, sizeof(*s));
	s->stream = true;
	err = source_open(&src, replay, lo);
	if (err)
		return err;
	session_set_source(s, src, !replay);
	if (s->live && lo && lo->iopf_events)
		open_iopf(s, lo);
	return 0;
}
