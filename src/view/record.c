// SPDX-License-Identifier: GPL-2.0
/* svatop record: the live event stream (snapshot included) into a file. */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include "common/stop.h"
#include "commands.h"
#include "common/log.h"
#include "common/spawn.h"
#include "source/recfile.h"
#include "source/source.h"

struct record_args {
	const char *out;
	uint32_t pid;
	double duration;
	double grace;
	bool force_kprobe;
	char **cmd;
};

static const struct argp_option options[] = {
	{ "output", 'o', "FILE", 0, "write the recording to FILE (created 0600)", 0 },
	{ "pid", 'p', "PID", 0, "only events of this process", 0 },
	{ "duration", 'D', "SECONDS", 0, "stop after SECONDS", 0 },
	{ "grace", 'g', "SECONDS", 0, "with a command: keep recording this long after it exits (default 1)", 0 },
	{ "kprobe", 'k', NULL, 0, "use kprobes even where fentry works", 0 },
	{ "verbose", 'v', NULL, 0, "loader details", 0 },
	{ 0 },
};

static int parse_seconds(const char *arg, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(arg, &end);
	return errno || *end || *out < 0 ? -EINVAL : 0;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct record_args *a = state->input;
	char *end;

	switch (key) {
	case 'o':
		a->out = arg;
		break;
	case 'p':
		errno = 0;
		a->pid = strtoul(arg, &end, 10);
		if (errno || *end || !a->pid)
			argp_error(state, "invalid PID '%s'", arg);
		break;
	case 'D':
		if (parse_seconds(arg, &a->duration) || a->duration == 0)
			argp_error(state, "invalid duration '%s'", arg);
		break;
	case 'g':
		if (parse_seconds(arg, &a->grace))
			argp_error(state, "invalid grace '%s'", arg);
		break;
	case 'k':
		a->force_kprobe = true;
		break;
	case 'v':
		log_verbose = true;
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int cmd_record(int argc, char **argv)
{
	static const struct argp argp = {
		options, parse_opt, "[-- COMMAND [ARGS...]]",
		"Record SVA events (and the state at start) to a file for 'svatop replay'. "
		"With a COMMAND, it starts once every probe is attached and the recording "
		"ends its grace period after it exits.", NULL, NULL, NULL,
	};
	struct record_args args = { .grace = 1.0 };
	struct spawned sp = { .pid = -1, .go_fd = -1 };
	struct source_stats stats;
	struct rec_writer *w = NULL;
	struct source *src = NULL;
	double deadline = 0, child_gone = 0;
	int err, status = 0, ret = 0;

	if (argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &args))
		return EXIT_USAGE;
	if (args.cmd && args.cmd[0]) {
		err = spawn_paused(&sp, args.cmd);
		if (err) {
			p_err("cannot start '%s': %s", args.cmd[0], strerror(-err));
			return EXIT_USAGE;
		}
	}
	err = live_source_open(&src, &(struct live_opts){
		.target_tgid = args.pid, .snapshot = true,
		.force_kprobe = args.force_kprobe });
	if (err)
		goto fail;
	err = rec_writer_open(&w, args.out, src->ops->describe(src));
	if (err) {
		p_err("%s: %s", args.out, strerror(-err));
		goto fail;
	}
	stop_on_signals();
	fprintf(stderr, "svatop: recording to %s (%s)\n", args.out,
		src->ops->describe(src));
	if (sp.pid > 0 && spawn_release(&sp)) {
		p_err("cannot release '%s'", args.cmd[0]);
		goto fail;
	}
	if (args.duration)
		deadline = now_s() + args.duration;
	while (!stop_requested) {
		if (deadline && now_s() >= deadline)
			break;
		if (sp.pid > 0 && !child_gone && spawn_wait(&sp, &status, 1) == 0)
			child_gone = now_s();
		if (child_gone && now_s() - child_gone >= args.grace)
			break;
		err = source_poll(src, 100, write_event, w);
		if (err < 0) {
			p_err("recording: %s", strerror(-err));
			ret = EXIT_USAGE;
			break;
		}
	}
	source_poll(src, 0, write_event, w);
	source_stats(src, &stats);
	err = rec_writer_close(w, &stats);
	w = NULL;
	if (err) {
		p_err("%s: write failed: %s", args.out, strerror(-err));
		ret = EXIT_USAGE;
	}
	fprintf(stderr, "svatop: recorded %llu events to %s, %llu lost (ring buffer full)\n",
		(unsigned long long)stats.delivered, args.out,
		(unsigned long long)stats.dropped);
	source_close(src);
	if (sp.pid > 0 && !child_gone) {
		kill(sp.pid, SIGTERM);
		spawn_wait(&sp, &status, 0);
	}
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
		rec_writer_close(w, NULL);
	source_close(src);
	if (sp.pid > 0)
		spawn_abort(&sp);
	return EXIT_USAGE;
}
