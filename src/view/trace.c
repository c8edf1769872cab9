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
#include "common/stop.h"
#include "commands.h"
#include "common/events.h"
#include "common/log.h"
#include "source/source.h"

struct trace_args {
	uint32_t pid;
	const char *device;
	bool json;
	bool stacks;
	bool force_kprobe;
	bool no_snapshot;
	bool timestamp_abs;
	double duration;
	const char *replay;
};

struct trace_state {
	struct trace_args *args;
	struct source *src;
	uint64_t first_ts;
	uint64_t shown;
	bool explained_stub;
};

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "only events of this process (tgid)", 0 },
	{ "device", 'd', "DEVICE", 0, "only events of this device (name as shown)", 0 },
	{ "json", 'j', NULL, 0, "one JSON object per line", 0 },
	{ "stack", 's', NULL, 0, "kernel stacks at allocation sites", 0 },
	{ "duration", 'D', "SECONDS", 0, "stop after SECONDS", 0 },
	{ "kprobe", 'k', NULL, 0, "use kprobes even where fentry works", 0 },
	{ "no-snapshot", 'S', NULL, 0, "do not report state that existed before start", 0 },
	{ "replay", 'r', "FILE", 0, "read events from a recording instead of the kernel", 0 },
	{ "verbose", 'v', NULL, 0, "libbpf and loader details", 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct trace_args *a = state->input;
	char *end;

	switch (key) {
	case 'p':
		errno = 0;
		a->pid = strtoul(arg, &end, 10);
		if (errno || *end || !a->pid)
			argp_error(state, "invalid PID '%s'", arg);
		break;
	case 'd':
		a->device = arg;
		break;
	case 'j':
		a->json = true;
		break;
	case 's':
		a->stacks = true;
		break;
	case 'D':
		errno = 0;
		a->duration = strtod(arg, &end);
		if (errno || *end || a->duration <= 0)
			argp_error(state, "invalid duration '%s'", arg);
		break;
	case 'k':
		a->force_kprobe = true;
		break;
	case 'S':
		a->no_snapshot = true;
		break;
	case 'r':
		a->replay = arg;
		break;
	case 'v':
		log_verbose = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

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
	if (!st->args->stacks || ev->stack_id < 0 || st->args->replay)
		return 0;
	return live_source_stack(st->src, ev->stack_id, frames, SVATOP_STACK_DEPTH);
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

static void print_text(struct trace_state *st, const struct svatop_event *ev,
		       char frames[][64], int nframes)
{
	char d[20], res[32];
	int i;

	result_text(ev, res, sizeof(res));
	printf("%-12.6f %-7u %-15.15s %-13s %-14.14s ",
	       (ev->ts_ns - st->first_ts) / 1e9, ev->tgid,
	       ev->comm[0] ? ev->comm : "-", event_type_name(ev->type),
	       ev->dev_name[0] ? ev->dev_name : "-");
	if (ev->pasid)
		printf("%-7u ", ev->pasid);
	else
		printf("%-7s ", "-");
	printf("%-16s ", short_ptr(ev->domain, d, sizeof(d)));
	if (ev->type == SVATOP_EV_BIND || ev->type == SVATOP_EV_UNBIND ||
	    ev->type == SVATOP_EV_ATTACH || ev->type == SVATOP_EV_DETACH ||
	    ev->type == SVATOP_EV_DOMAIN_FREE || ev->type == SVATOP_EV_SNAP_DOMAIN)
		printf("%-5d ", ev->domain_users);
	else
		printf("%-5s ", "-");
	printf("%s%s%s%s\n", res,
	       ev->flags & SVATOP_F_DERIVED ? " (derived)" : "",
	       ev->flags & SVATOP_F_EXEC ? " (exec)" : "",
	       ev->flags & SVATOP_F_CHILD_SHARES ? " CHILD SHARES PARENT iommu_mm" : "");
	for (i = 0; i < nframes; i++)
		printf("%13s%s\n", "", frames[i]);
}

static int on_event(const struct svatop_event *ev, void *ctx)
{
	char frames[SVATOP_STACK_DEPTH][64];
	struct trace_state *st = ctx;
	struct trace_args *a = st->args;
	int nframes;

	if (a->pid && ev->tgid != a->pid && ev->type != SVATOP_EV_SNAP_END)
		return 0;
	if (a->device && strncmp(ev->dev_name, a->device, sizeof(ev->dev_name)))
		return 0;
	if (!st->first_ts)
		st->first_ts = ev->ts_ns;
	st->shown++;
	nframes = event_stack(st, ev, frames);
	if (a->json)
		event_write_json(stdout, ev, frames, nframes);
	else
		print_text(st, ev, frames, nframes);
	explain(st, ev);
	return 0;
}

static void print_summary(const struct trace_state *st,
			  const struct source_stats *stats)
{
	json_t *o = json_object(), *by = json_object();
	unsigned int t;

	for (t = 1; t < SVATOP_EV_MAX; t++)
		if (stats->dropped_by_type[t])
			json_object_set_new(by, event_type_name(t),
					    json_integer(stats->dropped_by_type[t]));
	json_object_set_new(o, "v", json_integer(EVENTS_JSON_SCHEMA));
	json_object_set_new(o, "event", json_string("summary"));
	json_object_set_new(o, "shown", json_integer(st->shown));
	json_object_set_new(o, "delivered", json_integer(stats->delivered));
	json_object_set_new(o, "submitted", json_integer(stats->submitted));
	json_object_set_new(o, "dropped", json_integer(stats->dropped));
	json_object_set_new(o, "dropped_by_event", by);
	json_dumpf(o, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	json_decref(o);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int cmd_trace(int argc, char **argv)
{
	static const struct argp argp = {
		options, parse_opt, NULL,
		"Stream SVA lifecycle events: bind, unbind, PASID and SVA domain "
		"alloc/free, attach/detach, mm teardown, fork and exit.", NULL, NULL, NULL,
	};
	struct trace_args args = { 0 };
	struct trace_state st = { .args = &args };
	struct source_stats stats;
	double deadline = 0;
	int err, ret = 0;

	if (argp_parse(&argp, argc, argv, 0, NULL, &args))
		return EXIT_USAGE;
	err = source_open(&st.src, args.replay, &(struct live_opts){
		.target_tgid = args.pid,
		.collect_stacks = args.stacks,
		.snapshot = !args.no_snapshot,
		.force_kprobe = args.force_kprobe,
	});
	if (err)
		return EXIT_USAGE;
	stop_on_signals();
	/* A terminal sees each line at once; a pipe or file gets whole
	 * buffers, flushed after every poll (one write per batch, not per
	 * event: the storm rate depends on it). */
	setvbuf(stdout, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, 1 << 16);
	/* Scripts wait for this line: every probe is attached from here on. */
	if (args.replay)
		fprintf(stderr, "svatop: replaying %s\n", st.src->ops->describe(st.src));
	else
		fprintf(stderr, "svatop: tracing (%s); Ctrl-C to end\n",
			st.src->ops->describe(st.src));
	if (!args.json)
		print_header();
	if (args.duration > 0)
		deadline = now_s() + args.duration;
	while (!stop_requested) {
		int timeout = 100;

		if (deadline) {
			double left = deadline - now_s();

			if (left <= 0)
				break;
			if (left * 1000 < timeout)
				timeout = (int)(left * 1000) + 1;
		}
		err = source_poll(st.src, timeout, on_event, &st);
		fflush(stdout);
		if (err == -ENODATA)
			break;
		if (err < 0) {
			p_err("reading events: %s", strerror(-err));
			ret = EXIT_USAGE;
			break;
		}
	}
	/* Drain what is already in the ring. */
	if (!args.replay)
		source_poll(st.src, 0, on_event, &st);
	source_stats(st.src, &stats);
	if (args.json)
		print_summary(&st, &stats);
	fprintf(stderr, "svatop: %llu events shown, %llu received, %llu lost (ring buffer full)\n",
		(unsigned long long)st.shown, (unsigned long long)stats.delivered,
		(unsigned long long)stats.dropped);
	source_close(st.src);
	if (!ret && stats.dropped)
		ret = EXIT_INCONCLUSIVE;
	return ret;
}
