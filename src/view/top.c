// SPDX-License-Identifier: GPL-2.0
/*
 * svatop top: the command. The table is top_table.c (shared by batch
 * output, JSON and the screen), the ncurses screen top_screen.c.
 */
#include <argp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"
#include "common/priv.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/stop.h"
#include "pipeline/session.h"
#include "view/options.h"
#include "view/top.h"

static const struct argp_option top_options[] = {
	{ "batch", 'b', NULL, 0, "batch mode: print tables (default when stdout is not a terminal)", 0 },
	{ "device", 'd', "DEVICE", 0, "only processes bound to this device (name)", 0 },
	{ "sort", 's', "KEY", 0, "pid, comm, pasid, domains, devices, binds, unbinds, errors, age", 0 },
	{ "reverse", 'R', NULL, 0, "reverse the sort order", 0 },
	{ "grace", 'g', "SECONDS", 0, "leak grace period (3)", 0 },
	{ "stream", TOP_OPT_STREAM, NULL, 0,
	  "stream every event (as before 0.9) instead of state mode: kernel counts and a "
	  "re-walk of the kernel's SVA state per frame (docs/design.md)", 0 },
	{ 0 },
};

static error_t top_parse(int key, char *arg, struct argp_state *state)
{
	struct top_args *a = state->input;
	int s;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->c;
		break;
	case 'b':
		a->batch = true;
		break;
	case 'd':
		a->o.dev = arg;
		break;
	case 's':
		s = top_sort_from_name(arg);
		if (s < 0)
			argp_error(state, "unknown sort key '%s'", arg);
		a->o.sort = s;
		break;
	case 'R':
		a->o.reverse = true;
		break;
	case 'g':
		view_arg_seconds(state, arg, "grace period", 0, &a->grace);
		break;
	case TOP_OPT_STREAM:
		a->stream = true;
		break;
	case ARGP_KEY_ARG:
		view_parse_interval_count(state, arg, &a->npos, &a->interval, &a->count);
		break;
	case ARGP_KEY_END:
		a->o.pid = a->c.pid;
		if (a->c.json) {
			a->o.json = true;
			a->batch = true;
		}
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Poll until the next frame is due (or the source ends). */
static int top_wait(struct session *s, uint64_t deadline)
{
	uint64_t now;
	int err;

	while (!stop_requested && !s->ended) {
		now = clock_monotonic_ns();
		if (now >= deadline)
			break;
		err = session_poll(s, (int)((deadline - now) / 1000000 + 1) > 100 ?
					100 : (int)((deadline - now) / 1000000 + 1));
		if (err)
			return err;
	}
	return 0;
}

static int top_batch(struct session *s, struct top_args *a)
{
	struct top_prev prev;
	unsigned long frames = 0;
	uint64_t next = clock_monotonic_ns();
	int err = 0;

	top_prev_init(&prev);
	while (!stop_requested) {
		next += (uint64_t)(a->interval * 1e9);
		if (s->live) {
			err = top_wait(s, next);
		} else {
			/* A recording: one frame at its end. */
			while (!s->ended && !err && !stop_requested)
				err = session_poll(s, 100);
		}
		if (err)
			break;
		if (s->live)
			err = session_state_sync(s);
		if (err)
			break;
		session_iopf_refresh(s);
		top_print_batch(stdout, &s->m, &s->a, session_now(s), &a->o, &prev,
				a->interval, session_dropped(s));
		frames++;
		if ((a->count && frames >= a->count) || s->ended)
			break;
	}
	top_prev_fini(&prev);
	return err;
}

int cmd_top(int argc, char **argv)
{
	const struct argp_child children[] = {
		{ common_argp(COMMON_PID | COMMON_JSON | COMMON_REPLAY | COMMON_VERBOSE |
			      COMMON_IOTLB), 0, NULL, 0 },
		{ 0 },
	};
	const struct argp argp = {
		top_options, top_parse, "[INTERVAL [COUNT]]",
		"Live per-process view of SVA state: PASIDs, domains, devices, bind rates,\n"
		"errors and leaks. Interactive on a terminal, batch tables otherwise.\v"
		"Interactive keys: q quit, s/S next/previous sort column, r reverse,\n"
		"p filter by pid, d filter by device, c clear filters, Up/Down select,\n"
		"Enter detail pane (the process's graph and findings).\n"
		"LEAKS: B bond, D domain, M mm, P PASID outlived the process past the grace period.\n"
		"IOPF/s, P50, P99, PFAIL: device page faults per second, their latency (log2\n"
		"bucket bound) and the faults answered unsuccessfully (docs/iopf.md).\n"
		"--iotlb: the detail pane and JSON add each mm's IOTLB invalidations.\n"
		"S: R running, X exited, F being freed. DEVS n+?: some bound before svatop started.\n"
		"Exit status: 0 done, 2 usage or environment error, 3 events were lost.",
		children, NULL, NULL,
	};
	struct top_args a = { .interval = 1, .grace = 3 };
	struct live_opts lo = { .snapshot = true };
	struct session s;
	int err;

	argp_err_exit_status = EXIT_USAGE;
	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return EXIT_USAGE;
	if (!a.batch && !isatty(STDOUT_FILENO))
		a.batch = true;
	lo.target_tgid = a.o.pid;
	lo.verbose = a.c.verbose;
	lo.iopf_invalidations = a.c.iotlb;
	lo.collect_stacks = true;	/* findings name the allocation stack */
	lo.stack_domain_from_bind = true;
	lo.state_mode = !a.stream;
	if (session_open(&s, a.c.replay, &lo, (uint64_t)(a.grace * 1e9)))
		return EXIT_USAGE;
	/* Attached, maps open, kernel symbols read: no capability needed. */
	if (priv_drop_for("top", 0)) {
		session_close(&s);
		return EXIT_USAGE;
	}
	stop_on_signals();
	err = a.batch ? top_batch(&s, &a) : top_interactive(&s, &a);
	if (!err && session_dropped(&s))
		err = 1;
	session_close(&s);
	if (err > 0)
		return EXIT_INCONCLUSIVE;
	return err ? EXIT_USAGE : 0;
}
