// SPDX-License-Identifier: GPL-2.0
/* svatop record: the live event stream (snapshot included) into a file. */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include "common/priv.h"
#include "common/clock.h"
#include "common/stop.h"
#include "commands.h"
#include "view/options.h"
#include "common/log.h"
#include "common/spawn.h"
#include "source/recfile.h"
#include "pipeline/session.h"

struct record_args {
	const char *out;
	unsigned out_flags;	/* SAFE_FILE_REPLACE with --force */
	struct common_args c;
	double grace;
	bool force_kprobe;
	char **cmd;
};

static const struct argp_option options[] = {
	{ "output", 'o', "FILE", 0, "write the recording to FILE (created 0600 when the recording ends; an existing FILE is refused)", 0 },
	{ "force", 'f', NULL, 0, "replace an existing FILE", 0 },
	{ "grace", 'g', "SECONDS", 0, "with a command: keep recording this long after it exits (default 1)", 0 },
	{ "kprobe", 'k', NULL, 0, "use kprobes even where fentry works", 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct record_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->c;
		break;
	case 'o':
		a->out = arg;
		break;
	case 'g':
		if (view_parse_seconds(arg, &a->grace))
			argp_error(state, "invalid grace '%s'", arg);
		break;
	case 'f':
		a->out_flags = SAFE_FILE_REPLACE;
		break;
	case 'k':
		a->force_kprobe = true;
		break;
	case ARGP_KEY_ARGS:
		a->cmd = state->argv + state->next;
		break;
	case ARGP_KEY_END:
		if (!a->out)
			argp_error(state, "-o FILE is required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int write_event(const struct svatop_event *ev, void *ctx)
{
	return rec_writer_add(ctx, ev);
}

int cmd_record(int argc, char **argv)
{
	const struct argp_child children[] = {
		{ common_argp(COMMON_PID | COMMON_DURATION | COMMON_VERBOSE), 0, NULL, 0 },
		{ 0 },
	};
	const struct argp argp = {
		options, parse_opt, "[-- COMMAND [ARGS...]]",
		"Record SVA events (and the state at start) to a file for 'svatop replay'. "
		"With a COMMAND, it starts once every probe is attached and the recording "
		"ends its grace period after it exits.", children, NULL, NULL,
	};
	struct record_args args = { .grace = 1.0 };
	struct spawned sp = { .pid = -1, .go_fd = -1 };
	struct source_stats stats;
	struct rec_writer *w = NULL;
	struct session s = { 0 };
	double deadline = 0, child_gone = 0;
	int err, status = 0, ret = 0;

	if (argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &args))
		return EXIT_USAGE;
	err = safe_file_check(args.out, args.out_flags);
	if (err) {
		safe_file_perror("record", args.out, err);
		return EXIT_USAGE;
	}
	if (args.cmd && args.cmd[0]) {
		/* orphans of CMD's tree come back to us: stopped with it */
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
		err = spawn_paused(&sp, args.cmd, NULL);
		if (err) {
			p_err("cannot start '%s': %s", args.cmd[0], strerror(-err));
			return EXIT_USAGE;
		}
	}
	err = session_open_stream(&s, NULL, &(struct live_opts){
		.target_tgid = args.c.pid, .snapshot = true,
		.force_kprobe = args.force_kprobe });
	if (err)
		goto fail;
	err = rec_writer_open(&w, args.out, source_describe(s.src), args.out_flags);
	if (err) {
		safe_file_perror("record", args.out, err);
		goto fail;
	}
	/* Attached, maps open, the file created. Kept: finishing the file
	 * (rename in its folder, which need not be root's) and signalling
	 * CMD's tree (whatever users it became). */
	if (priv_drop_for("record", PRIV_CAP(CAP_DAC_OVERRIDE) |
			  (sp.pid > 0 ? PRIV_CAP(CAP_KILL) : 0)))
		goto fail;
	session_observe(&s, SESSION_ON_ARRIVAL, write_event, w);
	stop_on_signals();
	fprintf(stderr, "svatop: recording to %s (%s)\n", args.out,
		source_describe(s.src));
	if (sp.pid > 0 && spawn_release(&sp)) {
		p_err("cannot release '%s'", args.cmd[0]);
		goto fail;
	}
	if (args.c.duration)
		deadline = clock_monotonic_s() + args.c.duration;
	while (!stop_requested) {
		if (deadline && clock_monotonic_s() >= deadline)
			break;
		if (sp.pid > 0 && !child_gone && spawn_wait(&sp, &status, 1) == 0)
			child_gone = clock_monotonic_s();
		if (child_gone && clock_monotonic_s() - child_gone >= args.grace)
			break;
		if (session_poll(&s, 100)) {
			ret = EXIT_USAGE;
			break;
		}
	}
	if (!ret)
		session_poll(&s, 0);
	source_stats(s.src, &stats);
	err = rec_writer_close(w, &stats);
	w = NULL;
	if (err) {
		safe_file_perror("record", args.out, err);
		ret = EXIT_USAGE;
	} else {
		char lost[96];

		source_loss_text(&stats, lost, sizeof(lost));
		fprintf(stderr, "svatop: recorded %llu events to %s, %s\n",
			(unsigned long long)stats.delivered, args.out, lost);
	}
	session_close(&s);
	/* -D, Ctrl-C: stop the tree (SIGTERM, 2 s, SIGKILL), never waiting
	 * without bound */
	if (sp.pid > 0 && spawn_stop(&sp, 2.0)) {
		p_err("'%s' still runs after SIGKILL", args.cmd[0]);
		ret = ret ?: EXIT_FINDINGS;
	}
	status = sp.status;
	if (!ret && sp.pid > 0 && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		p_err("'%s' failed (%s %d)", args.cmd[0],
		      WIFEXITED(status) ? "exit status" : "signal",
		      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		ret = EXIT_FINDINGS;
	}
	if (!ret && stats.dropped)
		ret = EXIT_INCONCLUSIVE;
	return ret;
fail:
	if (w)
		rec_writer_abort(w);
	session_close(&s);
	if (sp.pid > 0)
		spawn_abort(&sp);
	return EXIT_USAGE;
}
