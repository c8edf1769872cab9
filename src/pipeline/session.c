// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "common/clock.h"
#include "common/log.h"
#include "pipeline/session.h"

int session_init(struct session *s, uint64_t grace_ns)
{
	memset(s, 0, sizeof(*s));
	if (model_init(&s->m)) {
		p_err("out of memory");
		return -ENOMEM;
	}
	analyzer_init(&s->a, grace_ns);
	reorder_init(&s->r);
	return 0;
}

void session_set_source(struct session *s, struct source *src, bool live)
{
	s->src = src;
	s->live = live;
}

void session_close(struct session *s)
{
	source_close(s->src);
	s->src = NULL;
	if (s->iopf && s->iopf_close)
		s->iopf_close(s->iopf);
	s->iopf = NULL;
	if (s->stream)
		return;
	reorder_fini(&s->r);
	analyzer_fini(&s->a);
	model_fini(&s->m);
}

int session_observe(struct session *s, enum session_stage stage, session_observer_fn fn,
		    void *ctx)
{
	struct session_observer *v = stage == SESSION_ON_ARRIVAL ? s->arrival : s->applied;
	unsigned int *n = stage == SESSION_ON_ARRIVAL ? &s->narrival : &s->napplied;

	if (*n == SESSION_MAX_OBSERVERS)
		return -ENOSPC;
	v[*n].fn = fn;
	v[*n].ctx = ctx;
	(*n)++;
	return 0;
}

static int notify(const struct session_observer *v, unsigned int n,
		  const struct svatop_event *ev)
{
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		err = v[i].fn(ev, v[i].ctx);
		if (err)
			return err;
	}
	return 0;
}

/* The one place the model changes: the rules that need the state before
 * the event, the apply, the rules that need its result, the observers. */
static inline int apply_event(struct session *s, const struct svatop_event *ev)
{
	int err;

	analyzer_before(&s->a, &s->m, ev);
	err = model_apply(&s->m, ev);
	analyzer_after(&s->a, &s->m, ev);
	if (s->napplied)
		notify(s->applied, s->napplied, ev);
	return err;
}

int session_apply(struct session *s, const struct svatop_event *ev)
{
	return apply_event(s, ev);
}

/* The reorder buffer's callback: the model's errors are sticky in the
 * model (m.err), so they never stop a release. */
static int apply_released(const struct svatop_event *ev, void *ctx)
{
	apply_event(ctx, ev);
	return 0;
}

/* Hold the record for reordering, within the buffer's bound. */
static int hold(struct session *s, const struct svatop_event *ev)
{
	reorder_bound(&s->r, apply_released, s);	/* never fails: errors stay in the model */
	return reorder_push(&s->r, ev);
}

int session_feed(struct session *s, const struct svatop_event *ev)
{
	return hold(s, ev);
}

static int arrived(const struct svatop_event *ev, void *ctx)
{
	struct session *s = ctx;
	int err = notify(s->arrival, s->narrival, ev);

	if (err || s->stream)
		return err;
	return hold(s, ev);
}

static int push(const struct svatop_event *ev, void *ctx)
{
	return hold(ctx, ev);
}

int session_poll(struct session *s, int timeout_ms)
{
	int ret;

	if (s->ended)
		return 0;
	ret = source_poll(s->src, timeout_ms, s->narrival || s->stream ? arrived : push, s);
	if (ret == -ENODATA) {
		s->ended = true;
		session_flush(s);
		return 0;
	}
	if (ret == -EINTR)
		ret = 0;
	if (ret < 0) {
		if (ret != -EBADMSG)	/* the source said what is damaged */
			p_err("reading events failed: %s", strerror(-ret));
		s->err = ret;
		return ret;
	}
	session_release(s);
	return 0;
}

void session_release(struct session *s)
{
	uint64_t limit;

	if (s->stream)
		return;
	limit = s->live ? clock_monotonic_ns() : s->r.max_ts;
	limit = limit > SESSION_REORDER_NS ? limit - SESSION_REORDER_NS : 0;
	reorder_release(&s->r, limit, apply_released, s);
}

void session_flush(struct session *s)
{
	if (!s->stream)
		reorder_release(&s->r, UINT64_MAX, apply_released, s);
}

uint64_t session_now(const struct session *s)
{
	return s->live ? clock_monotonic_ns() : s->m.now_ns;
}

static struct source_stats stats_of(struct session *s)
{
	struct source_stats st = { 0 };

	if (s->src)
		source_stats(s->src, &st);
	return st;
}

uint64_t session_dropped(struct session *s)
{
	return stats_of(s).dropped + s->r.late;
}

uint64_t session_missed(struct session *s)
{
	return stats_of(s).missed;
}

int session_stack(struct session *s, int32_t stack_id, char frames[][64], int max)
{
	return source_stack(s->src, stack_id, frames, max);
}
