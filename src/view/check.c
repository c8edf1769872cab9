// SPDX-License-Identifier: GPL-2.0
/*
 * svatop check -- CMD ARGS...: run CMD under tracing (it starts only once
 * every probe is attached), wait for its whole process tree to exit plus
 * the grace period, report leaks and violations; exit status and JUnit
 * XML for CI.
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common/stop.h"
#include "commands.h"
#include "common/spawn.h"
#include "view/view_common.h"

/* CMD failed (non-zero exit, signal, could not run) and tracing is clean. */

struct check_args {
	double grace;
	double timeout;		/* 0: wait for the tree as long as it runs */
	const char *junit;
	bool json;
	bool verbose;
	char **cmd;
};

struct check_result {
	int status;		/* CMD's wait status */
	bool cmd_failed;
	bool interrupted;
	bool timed_out;
	double seconds;
	struct finding_list findings;	/* counted: leaks and violations */
	size_t preexisting;		/* leaks of state older than the run */
	uint64_t dropped;
	uint64_t events;
	enum verdict verdict;
	char cmdline[512];
};

static const struct argp_option check_options[] = {
	{ "grace", 'g', "SECONDS", 0, "how long state may outlive its process (3)", 0 },
	{ "junit", 'J', "FILE", 0, "also write the result as JUnit XML to FILE", 0 },
	{ "timeout", 't', "SECONDS", 0, "stop CMD (SIGTERM) after SECONDS; the result is then inconclusive", 0 },
	{ "json", 'j', NULL, 0, "the report as one JSON object", 0 },
	{ "stack", 's', NULL, 0, "kernel stacks at allocation sites (always collected)", 0 },
	{ "verbose", 'v', NULL, 0, "loader details", 0 },
	{ 0 },
};

static error_t check_parse(int key, char *arg, struct argp_state *state)
{
	struct check_args *a = state->input;

	switch (key) {
	case 'g':
		view_arg_seconds(state, arg, "grace period", 0, &a->grace);
		break;
	case 'J':
		a->junit = arg;
		break;
	case 't':
		if (view_parse_seconds(arg, &a->timeout) || a->timeout <= 0)
			argp_error(state, "invalid timeout '%s'", arg);
		break;
	case 'j':
		a->json = true;
		break;
	case 's':
		break;
	case 'v':
		a->verbose = true;
		log_verbose = true;
		break;
	case ARGP_KEY_ARG:
		a->cmd = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (!a->cmd)
			argp_error(state, "no command given: svatop check [OPTIONS] -- CMD ARGS...");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void describe_status(char *buf, size_t len, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(buf, len, "exited 127 (could not be run?)");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "status 0x%x", status);
}

/* Reap every process of the tree (we are its subreaper). Returns true
 * once none is left. */
static bool reap(pid_t child, struct check_result *res)
{
	int status;
	pid_t p;

	for (;;) {
		p = waitpid(-1, &status, WNOHANG);
		if (p == child) {
			res->status = status;
			res->cmd_failed = !WIFEXITED(status) || WEXITSTATUS(status);
		} else if (p == 0) {
			return false;
		} else if (p < 0) {
			return errno == ECHILD;
		}
	}
}

static void xml_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
			break;
		}
	}
}

static int write_junit(const char *path, struct view_session *s, const struct check_result *r,
		       uint64_t now)
{
	char status[96], *text;
	size_t len, i, n, failures = 0, errors = 0;
	FILE *f, *mem;
	int rule;

	for (rule = 0; rule < RULE_MAX; rule++) {
		for (i = 0; i < r->findings.len; i++)
			if (r->findings.v[i].rule == (enum rule_id)rule)
				break;
		failures += i < r->findings.len;
	}
	failures += r->cmd_failed;
	errors += r->verdict == VERDICT_INCONCLUSIVE;
	f = fopen(path, "w");
	if (!f) {
		p_err("check: cannot write %s: %s", path, strerror(errno));
		return -errno;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"svatop check\" tests=\"%d\" failures=\"%zu\" errors=\"%zu\" "
		   "time=\"%.3f\">\n", RULE_MAX + 2, failures, errors, r->seconds);
	fprintf(f, "  <testsuite name=\"svatop.check\" tests=\"%d\" failures=\"%zu\" errors=\"%zu\" "
		   "time=\"%.3f\">\n", RULE_MAX + 2, failures, errors, r->seconds);
	fprintf(f, "    <properties>\n      <property name=\"command\" value=\"");
	xml_escape(f, r->cmdline);
	fprintf(f, "\"/>\n      <property name=\"grace_s\" value=\"%.3f\"/>\n"
		   "      <property name=\"events\" value=\"%" PRIu64 "\"/>\n"
		   "      <property name=\"lost\" value=\"%" PRIu64 "\"/>\n    </properties>\n",
		s->a.grace_ns / 1e9, r->events, r->dropped);

	describe_status(status, sizeof(status), r->status);
	fprintf(f, "    <testcase classname=\"svatop.command\" name=\"command succeeds\">\n");
	if (r->cmd_failed)
		fprintf(f, "      <failure message=\"command %s\"/>\n", status);
	fprintf(f, "    </testcase>\n");
	fprintf(f, "    <testcase classname=\"svatop.events\" name=\"no event lost\">\n");
	if (r->verdict == VERDICT_INCONCLUSIVE)
		fprintf(f, "      <error message=\"%" PRIu64 " event(s) lost or unreadable: "
			   "inconclusive\"/>\n", r->dropped);
	fprintf(f, "    </testcase>\n");
	for (rule = 0; rule < RULE_MAX; rule++) {
		fprintf(f, "    <testcase classname=\"svatop.%s\" name=\"%s\">\n",
			rule_kind_name(rule_table[rule].kind), rule_table[rule].name);
		text = NULL;
		len = 0;
		mem = open_memstream(&text, &len);
		for (i = 0, n = 0; mem && i < r->findings.len; i++)
			if (r->findings.v[i].rule == (enum rule_id)rule) {
				view_finding_text(mem, s, &r->findings.v[i], now);
				n++;
			}
		if (mem)
			fclose(mem);
		if (n) {
			fprintf(f, "      <failure message=\"%zu finding(s): ", n);
			xml_escape(f, rule_table[rule].explain);
			fprintf(f, "\">");
			xml_escape(f, text ? text : "");
			fprintf(f, "</failure>\n");
		}
		free(text);
		fprintf(f, "    </testcase>\n");
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	if (fclose(f)) {
		p_err("check: cannot write %s: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

static void print_report(struct view_session *s, const struct check_args *a,
			 const struct check_result *r, uint64_t now)
{
	char status[96];
	json_t *j, *arr;
	size_t i;

	describe_status(status, sizeof(status), r->status);
	if (a->json) {
		j = json_object();
		arr = json_array();
		json_object_set_new(j, "v", json_integer(VIEW_JSON_SCHEMA));
		json_object_set_new(j, "type", json_string("check"));
		json_object_set_new(j, "command", json_string(r->cmdline));
		json_object_set_new(j, "command_status", json_string(status));
		json_object_set_new(j, "command_failed", json_boolean(r->cmd_failed));
		json_object_set_new(j, "timed_out", json_boolean(r->timed_out));
		json_object_set_new(j, "interrupted", json_boolean(r->interrupted));
		json_object_set_new(j, "verdict", json_string(verdict_name(r->verdict)));
		json_object_set_new(j, "grace_ns", json_integer(s->a.grace_ns));
		json_object_set_new(j, "events", json_integer(r->events));
		json_object_set_new(j, "lost", json_integer(r->dropped));
		json_object_set_new(j, "preexisting_leaks", json_integer(r->preexisting));
		for (i = 0; i < r->findings.len; i++)
			json_array_append_new(arr, view_finding_json(s, &r->findings.v[i], now));
		json_object_set_new(j, "findings", arr);
		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
		fflush(stdout);
		return;
	}
	printf("svatop check: command %s; %" PRIu64 " event(s), %" PRIu64 " lost; "
	       "%zu finding(s): %s\n", status, r->events, r->dropped, r->findings.len,
	       r->interrupted ? "interrupted" : r->timed_out ? "timed out" :
	       verdict_name(r->verdict));
	for (i = 0; i < r->findings.len; i++)
		view_finding_text(stdout, s, &r->findings.v[i], now);
	if (r->preexisting)
		printf("(%zu leak(s) of state older than this run not counted: see svatop leaks)\n",
		       r->preexisting);
	if (r->verdict == VERDICT_INCONCLUSIVE)
		printf("inconclusive: %s, so a clean result cannot be claimed\n",
		       r->timed_out ? "the command was stopped at the timeout" :
		       r->interrupted ? "the run was interrupted" : "events were lost");
	fflush(stdout);
}

static void join_cmdline(char *buf, size_t len, char **cmd)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; cmd[i] && off + 1 < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? " " : "", cmd[i]);
}

/* Poll until the tree is gone and the grace period has passed. A tree
 * still running TERM_WAIT after SIGTERM (timeout, Ctrl-C) is given up on. */
#define TERM_WAIT_NS	(2ULL * 1000000000ULL)

static int check_run(struct view_session *s, struct spawned *sp, struct check_result *r,
		     double timeout)
{
	uint64_t t0 = view_monotonic_ns(), t_end = 0, t_term = 0, now;
	uint64_t grace = s->a.grace_ns + VIEW_REORDER_NS;
	int err;

	for (;;) {
		err = view_session_poll(s, 100);
		if (err)
			return err;
		now = view_monotonic_ns();
		if (!t_term && !t_end && stop_requested) {
			r->interrupted = true;
			t_term = now;
		}
		if (!t_term && !t_end && timeout > 0 && now - t0 >= (uint64_t)(timeout * 1e9)) {
			r->timed_out = true;
			t_term = now;
		}
		if (t_term == now)
			kill(sp->pid, SIGTERM);
		if (!t_end && reap(sp->pid, r))
			t_end = now;
		if (!t_end && t_term && now - t_term >= TERM_WAIT_NS)
			t_end = now;
		if (t_end && now - t_end >= grace)
			return 0;
	}
}

int cmd_check(int argc, char **argv)
{
	static const struct argp argp = {
		check_options, check_parse, "-- CMD [ARGS...]",
		"Run CMD under tracing and fail when it leaks SVA state or breaks a lifecycle\n"
		"rule. CMD starts only once every probe is attached; svatop waits for its whole\n"
		"process tree to exit, then for the grace period, then reports.\v"
		"Judged: every leak of state created during the run (by any process: run it on\n"
		"a machine where the test is what binds) and every violation seen.\n"
		"Exit status: 0 clean, 1 leaks or violations, 2 usage or environment error,\n"
		"3 inconclusive (events were lost, timeout, interrupted), 4 CMD failed (and\n"
		"tracing was clean).",
		NULL, NULL, NULL,
	};
	struct check_args a = { .grace = 3 };
	struct live_opts lo = { .snapshot = true };
	struct check_result r = { 0 };
	struct finding_list leaks;
	struct view_session s;
	struct spawned sp;
	uint64_t t0, now;
	size_t i;
	int err, ret;

	argp_err_exit_status = EXIT_USAGE;
	if (argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &a))
		return EXIT_USAGE;
	lo.verbose = a.verbose;
	/* Findings name the allocation's kernel stack. */
	lo.collect_stacks = true;
	join_cmdline(r.cmdline, sizeof(r.cmdline), a.cmd);
	/* Orphans of CMD's tree come back to us, so we can wait for all. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		p_info("check: cannot become a subreaper: %s", strerror(errno));
	/* Fork before loading BPF; the child runs CMD once released. */
	err = spawn_paused(&sp, a.cmd);
	if (err) {
		p_err("check: cannot start '%s': %s", a.cmd[0], strerror(-err));
		return EXIT_USAGE;
	}
	if (view_session_open(&s, NULL, &lo, (uint64_t)(a.grace * 1e9))) {
		spawn_abort(&sp);
		return EXIT_USAGE;
	}
	stop_on_signals();
	t0 = view_monotonic_ns();
	err = spawn_release(&sp);
	if (err) {
		p_err("check: cannot release '%s': %s", a.cmd[0], strerror(-err));
		spawn_abort(&sp);
		view_session_close(&s);
		return EXIT_USAGE;
	}
	err = check_run(&s, &sp, &r, a.timeout);
	if (err) {
		kill(sp.pid, SIGKILL);
		reap(sp.pid, &r);
		view_session_close(&s);
		return EXIT_USAGE;
	}
	view_session_flush(&s);
	now = view_session_now(&s);
	r.seconds = (now - t0) / 1e9;
	r.dropped = view_session_dropped(&s);
	r.events = s.m.cnt.events;
	finding_list_init(&r.findings);
	finding_list_init(&leaks);
	analyzer_leaks(&s.a, &s.m, now, &leaks);
	for (i = 0; i < leaks.len; i++) {
		if (leaks.v[i].flags & FINDING_PREEXISTING)
			r.preexisting++;
		else
			finding_list_add(&leaks.v[i], &r.findings);
	}
	for (i = 0; i < s.a.violations.len; i++)
		finding_list_add(&s.a.violations.v[i], &r.findings);
	finding_list_fini(&leaks);
	r.verdict = analyzer_verdict(&s.a, &s.m, r.findings.len, r.dropped);
	if (r.verdict == VERDICT_FINDINGS && !r.findings.len)
		r.verdict = VERDICT_CLEAN;
	if ((r.interrupted || r.timed_out) && r.verdict == VERDICT_CLEAN)
		r.verdict = VERDICT_INCONCLUSIVE;
	print_report(&s, &a, &r, now);
	ret = 0;
	if (a.junit && write_junit(a.junit, &s, &r, now))
		ret = EXIT_USAGE;
	view_session_close(&s);
	finding_list_fini(&r.findings);
	if (ret)
		return ret;
	if (r.verdict == VERDICT_FINDINGS)
		return EXIT_FINDINGS;
	if (r.verdict == VERDICT_INCONCLUSIVE)
		return EXIT_INCONCLUSIVE;
	return r.cmd_failed ? EXIT_CMD_FAILED : 0;
}
