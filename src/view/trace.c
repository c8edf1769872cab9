// SPDX-License-Identifier: GPL-2.0
/*
 * svatop trace: the SVA lifecycle event stream, one line per event
 * (bcc *snoop style) or one JSON object per line (docs/events.md).
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "common/priv.h"
#include "common/stop.h"
#include "commands.h"
#include "view/options.h"
#include "common/events.h"
#include "common/log.h"
#include "common/clock.h"
#include "pipeline/session.h"
#include "view/finding.h"
#include "view/bind_explain.h"
#include "view/iopf_view.h"
#include "view/trace.h"

struct trace_args {
	struct common_args c;
	const char *device;
	bool stacks;
	bool force_kprobe;
	bool no_snapshot;
	bool timestamp_abs;
};

struct trace_state {
	struct trace_args *args;
	struct session s;
	uint64_t first_ts;
	uint64_t shown;
	bool explained_stub;
	struct bind_tracker binds;	/* per-thread events inside binds */
};

static const struct argp_option options[] = {
	{ "device", 'd', "DEVICE", 0, "only events of this device (name as shown)", 0 },
	{ "stack", 's', NULL, 0, "kernel stacks at allocation sites", 0 },
	{ "kprobe", 'k', NULL, 0, "use kprobes even where fentry works", 0 },
	{ "no-snapshot", 'S', NULL, 0, "do not report state that existed before start", 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct trace_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->c;
		break;
	case 'd':
		a->device = arg;
		break;
	case 's':
		a->stacks = true;
		break;
	case 'k':
		a->force_kprobe = true;
		break;
	case 'S':
		a->no_snapshot = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void print_header(void)
{
	printf("%-12s %-7s %-15s %-13s %-14s %-7s %-16s %-5s %s\n", "TIME(s)",
	       "PID", "COMM", "EVENT", "DEVICE", "PASID", "DOMAIN", "USERS",
	       "RESULT");
}

/* The allocation-site stack of an event (-s, live only): frame count. */
static int event_stack(struct trace_state *st, const struct svatop_event *ev,
		       char frames[][64])
{
	if (!st->args->stacks || ev->stack_id < 0 || st->args->c.replay)
		return 0;
	return session_stack(&st->s, ev->stack_id, frames, SVATOP_STACK_DEPTH);
}

/* Bind failing with -EOPNOTSUPP on a device that has an IOMMU group is
 * the x86 stable backport that disabled SVA: say so once. */
static void explain(struct trace_state *st, const struct svatop_event *ev)
{
	if (ev->type != SVATOP_EV_BIND || ev->ret != -EOPNOTSUPP ||
	    st->explained_stub)
		return;
	st->explained_stub = true;
	fprintf(stderr,
		"svatop: bind returned EOPNOTSUPP: this kernel's SVA is a stub (x86 stable "
		"backport \"iommu: disable SVA when CONFIG_X86 is set\", CVE-2025-71089); "
		"SVA works on Debian's 7.x kernels from trixie-backports. See 'svatop probe'.\n");
}

static int on_event(const struct svatop_event *ev, void *ctx)
{
	char frames[SVATOP_STACK_DEPTH][64];
	struct trace_state *st = ctx;
	struct trace_args *a = st->args;
	struct bind_explain x;
	struct bind_window w;
	bool failed;
	int nframes;

	if (a->c.pid && ev->tgid != a->c.pid && ev->type != SVATOP_EV_SNAP_END)
		return 0;
	if (a->device && strncmp(ev->dev_name, a->device, sizeof(ev->dev_name)))
		return 0;
	if (!st->first_ts)
		st->first_ts = ev->ts_ns;
	st->shown++;
	nframes = event_stack(st, ev, frames);
	failed = bind_tracker_feed(&st->binds, ev, &w) && ev->ret;
	if (failed)
		explain_bind(ev, &w, &x);
	if (a->c.json && failed) {
		json_t *jx = view_bind_explain_json(&x);
		char *txt = jx ? json_dumps(jx, JSON_COMPACT) : NULL;

		event_write_json_extra(stdout, ev, frames, nframes, "explain", txt);
		free(txt);
		json_decref(jx);
	} else if (a->c.json) {
		event_write_json(stdout, ev, frames, nframes);
	} else {
		trace_print_text(stdout, ev, st->first_ts, frames, nframes);
	}
	if (failed && !a->c.json) {
		printf("%13s", "");
		view_bind_explain_text(stdout, &x);
		putchar('\n');
	}
	explain(st, ev);
	return 0;
}

/* One device page fault (the IOPF object's ring buffer). */
static int on_iopf(const struct iopf_event *ev, void *ctx)
{
	struct trace_state *st = ctx;

	if (st->args->c.pid && ev->tgid != st->args->c.pid)
		return 0;
	if (st->args->device && strncmp(st->args->device, ev->dev_name, sizeof(ev->dev_name)))
		return 0;
	if (!st->first_ts)
		st->first_ts = ev->ts_ns;
	st->shown++;
	if (st->args->c.json)
		view_iopf_event_json(stdout, ev);
	else
		view_iopf_event_text(stdout, ev, (ev->ts_ns - st->first_ts) / 1e9);
	return 0;
}

static void print_summary(const struct trace_state *st,
			  const struct source_stats *stats)
{
	json_t *o = json_object(), *by = json_object(), *missed = json_object();
	unsigned int t;

	for (t = 1; t < SVATOP_EV_MAX; t++) {
		if (stats->dropped_by_type[t])
			json_object_set_new(by, event_type_name(t),
					    view_json_count(stats->dropped_by_type[t]));
		if (stats->missed_by_type[t])
			json_object_set_new(missed, event_type_name(t),
					    view_json_count(stats->missed_by_type[t]));
	}
	json_object_set_new(o, "v", json_integer(EVENTS_JSON_SCHEMA));
	json_object_set_new(o, "event", json_string("summary"));
	json_object_set_new(o, "shown", view_json_count(st->shown));
	json_object_set_new(o, "delivered", view_json_count(stats->delivered));
	json_object_set_new(o, "submitted", view_json_count(stats->submitted));
	json_object_set_new(o, "dropped", view_json_count(stats->dropped));
	json_object_set_new(o, "dropped_by_event", by);
	json_object_set_new(o, "missed_by_event", missed);
	json_dumpf(o, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	json_decref(o);
}

int cmd_trace(int argc, char **argv)
{
	const struct argp_child children[] = {
		{ common_argp(COMMON_PID | COMMON_JSON | COMMON_DURATION | COMMON_REPLAY | COMMON_VERBOSE), 0, NULL, 0 },
		{ 0 },
	};
	const struct argp argp = {
		options, parse_opt, NULL,
		"Stream SVA lifecycle events: bind, unbind, PASID and SVA domain "
		"alloc/free, attach/detach, mm teardown, fork and exit; and one iopf "
		"event per device page fault (latency and response) where the kernel has "
		"the IOPF hooks.", children, NULL, NULL,
	};
	struct trace_args args = { 0 };
	struct trace_state st = { .args = &args };
	struct source_stats stats;
	double deadline = 0;
	char lost[96];
	int err, ret = 0;

	if (argp_parse(&argp, argc, argv, 0, NULL, &args))
		return EXIT_USAGE;
	err = session_open_stream(&st.s, args.c.replay, &(struct live_opts){
		.target_tgid = args.c.pid,
		.collect_stacks = args.stacks,
		.snapshot = !args.no_snapshot,
		.force_kprobe = args.force_kprobe,
		.iopf_events = true,
	});
	if (err)
		return EXIT_USAGE;
	/* Attached, maps open, kernel symbols read: no capability needed. */
	if (priv_drop_for("trace", 0)) {
		session_close(&st.s);
		return EXIT_USAGE;
	}
	session_observe(&st.s, SESSION_ON_ARRIVAL, on_event, &st);
	stop_on_signals();
	/* A terminal sees each line at once; a pipe or file gets whole
	 * buffers, flushed after every poll (one write per batch, not per
	 * event: the storm rate depends on it). */
	setvbuf(stdout, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, 1 << 16);
	/* Scripts wait for this line: every probe is attached from here on. */
	if (args.c.replay)
		fprintf(stderr, "svatop: replaying %s\n", source_describe(st.s.src));
	else
		fprintf(stderr, "svatop: tracing (%s); Ctrl-C to end\n",
			source_describe(st.s.src));
	if (!args.c.json)
		print_header();
	if (args.c.duration > 0)
		deadline = clock_monotonic_s() + args.c.duration;
	while (!stop_requested) {
		int timeout = 100;

		if (deadline) {
			double left = deadline - clock_monotonic_s();

			if (left <= 0)
				break;
			if (left * 1000 < timeout)
				timeout = (int)(left * 1000) + 1;
		}
		err = session_poll(&st.s, timeout);
		if (!err && session_iopf_poll(&st.s, 0, on_iopf, &st) < 0)
			err = -EIO;
		fflush(stdout);
		if (err) {
			ret = EXIT_USAGE;
			break;
		}
		if (st.s.ended)
			break;
	}
	/* Drain what is already in the ring. */
	if (!ret) {
		session_poll(&st.s, 0);
		session_iopf_poll(&st.s, 0, on_iopf, &st);
	}
	source_stats(st.s.src, &stats);
	if (args.c.json)
		print_summary(&st, &stats);
	source_loss_text(&stats, lost, sizeof(lost));
	fprintf(stderr, "svatop: %llu events shown, %llu received, %s\n",
		(unsigned long long)st.shown, (unsigned long long)stats.delivered, lost);
	session_close(&st.s);
	if (!ret && stats.dropped)
		ret = EXIT_INCONCLUSIVE;
	return ret;
}
