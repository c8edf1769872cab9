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
#include "common/priv.h"
#include "common/stop.h"
#include "commands.h"
#include "common/spawn.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/safefile.h"
#include "pipeline/session.h"
#include "common/escape.h"
#include "view/bind_explain.h"
#include "view/finding.h"
#include "view/options.h"

/* CMD failed (non-zero exit, signal, could not run) and tracing is clean. */

struct check_args {
	double grace;
	double timeout;		/* 0: wait for the tree as long as it runs */
	const char *junit;
	unsigned junit_flags;	/* SAFE_FILE_REPLACE with --force */
	struct spawn_user user;	/* --user: CMD's identity (else root's) */
	bool stream;		/* --stream: every event, every rule in order */
	struct common_args c;
	char **cmd;
};

struct check_result {
	int status;		/* CMD's wait status */
	bool cmd_failed;
	bool interrupted;
	bool timed_out;
	bool still_running;	/* CMD survived SIGKILL (uninterruptible?) */
	double seconds;
	struct finding_list findings;	/* counted: leaks and violations */
	size_t preexisting;		/* leaks of state older than the run */
	struct finding_list pending;	/* candidates still within the grace */
	uint64_t dropped;
	uint64_t events;
	enum verdict verdict;
	char cmdline[512];
};

enum { CHECK_OPT_STREAM = 0x100 };

static const struct argp_option check_options[] = {
	{ "grace", 'g', "SECONDS", 0, "how long state may outlive its process (3)", 0 },
	{ "junit", 'J', "FILE", 0, "also write the result as JUnit XML to FILE (created 0600; an existing FILE is refused)", 0 },
	{ "force", 'f', NULL, 0, "replace an existing --junit FILE", 0 },
	{ "user", 'u', "USER[:GROUP]", 0, "run CMD as USER (and GROUP, else USER's), not as root", 0 },
	{ "timeout", 't', "SECONDS", 0, "stop CMD (SIGTERM) after SECONDS; the result is then inconclusive", 0 },
	{ "stack", 's', NULL, 0, "kernel stacks at allocation sites (always collected; in state mode, of the events that stream)", 0 },
	{ "stream", CHECK_OPT_STREAM, NULL, 0,
	  "stream every event and judge every rule in order, with each bond's allocation "
	  "stack, instead of state mode (the rules at the hooks; docs/leaks.md)", 0 },
	{ 0 },
};

static error_t check_parse(int key, char *arg, struct argp_state *state)
{
	struct check_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->c;
		break;
	case 'g':
		view_arg_seconds(state, arg, "grace period", 0, &a->grace);
		break;
	case 'J':
		a->junit = arg;
		break;
	case 'f':
		a->junit_flags = SAFE_FILE_REPLACE;
		break;
	case 'u': {
		char err[128];

		if (spawn_user_parse(arg, &a->user, err, sizeof(err)))
			argp_error(state, "--user: %s", err);
		break;
	}
	case 't':
		if (view_parse_seconds(arg, &a->timeout) || a->timeout <= 0)
			argp_error(state, "invalid timeout '%s'", arg);
		break;
	case 's':
		break;
	case CHECK_OPT_STREAM:
		a->stream = true;
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

static void describe_status(char *buf, size_t len, const struct check_result *r)
{
	int status = r->status;

	if (r->still_running) {
		snprintf(buf, len, "still running (survived SIGKILL)");
		return;
	}
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
static bool reap(struct spawned *sp, struct check_result *res)
{
	int status;
	pid_t p;

	for (;;) {
		p = waitpid(-1, &status, WNOHANG);
		if (p == sp->pid) {
			spawn_reaped(sp, p, status);
			res->status = status;
			res->cmd_failed = !WIFEXITED(status) || WEXITSTATUS(status);
		} else if (p == 0) {
			return false;
		} else if (p < 0) {
			return errno == ECHILD;
		}
	}
}

static int write_junit(const char *path, unsigned flags, struct session *s,
		       const struct check_result *r, uint64_t now)
{
	struct safe_file sf;
	char status[96], *text;
	size_t len, i, n, failures = 0, errors = 0;
	FILE *f, *mem;
	int rule, err;

	for (rule = 0; rule < RULE_MAX; rule++) {
		for (i = 0; i < r->findings.len; i++)
			if (r->findings.v[i].rule == (enum rule_id)rule)
				break;
		failures += i < r->findings.len;
	}
	failures += r->cmd_failed;
	errors += r->verdict == VERDICT_INCONCLUSIVE;
	err = safe_file_open(&sf, path, flags);
	if (err) {
		safe_file_perror("check", path, err);
		return err;
	}
	f = sf.f;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"svatop check\" tests=\"%d\" failures=\"%zu\" errors=\"%zu\" "
		   "time=\"%.3f\">\n", RULE_MAX + 2, failures, errors, r->seconds);
	fprintf(f, "  <testsuite name=\"svatop.check\" tests=\"%d\" failures=\"%zu\" errors=\"%zu\" "
		   "time=\"%.3f\">\n", RULE_MAX + 2, failures, errors, r->seconds);
	fprintf(f, "    <properties>\n      <property name=\"command\" value=\"");
	fput_xml(f, r->cmdline);
	fprintf(f, "\"/>\n      <property name=\"grace_s\" value=\"%.3f\"/>\n"
		   "      <property name=\"events\" value=\"%" PRIu64 "\"/>\n"
		   "      <property name=\"lost\" value=\"%" PRIu64 "\"/>\n    </properties>\n",
		s->a.grace_ns / 1e9, r->events, r->dropped);

	describe_status(status, sizeof(status), r);
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
			fput_xml(f, rule_table[rule].explain);
			fprintf(f, "\">");
			fput_xml(f, text ? text : "");
			fprintf(f, "</failure>\n");
		}
		free(text);
		fprintf(f, "    </testcase>\n");
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	err = safe_file_commit(&sf);
	if (err)
		safe_file_perror("check", path, err);
	return err;
}

/* The kept failed binds, oldest first. */
static size_t bind_fails_kept(const struct session *s)
{
	return s->a.nbind_fails < ANALYZER_BIND_FAILS_KEPT ? s->a.nbind_fails :
	       ANALYZER_BIND_FAILS_KEPT;
}

static const struct bind_failure *bind_fail_at(const struct session *s, size_t i)
{
	uint64_t first = s->a.nbind_fails - bind_fails_kept(s);

	return &s->a.bind_fails[(first + i) % ANALYZER_BIND_FAILS_KEPT];
}

static void print_report(struct session *s, const struct check_args *a,
			 const struct check_result *r, uint64_t now)
{
	size_t i, nfails = bind_fails_kept(s);
	char status[96];
	json_t *j, *arr;

	describe_status(status, sizeof(status), r);
	if (a->c.json) {
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
		json_object_set_new(j, "events", view_json_count(r->events));
		/* state mode: binds and unbinds are the kernel's counts */
		json_object_set_new(j, "state_mode", json_boolean(s->m.state_mode));
		json_object_set_new(j, "binds", view_json_count(s->m.cnt.binds));
		json_object_set_new(j, "unbinds", view_json_count(s->m.cnt.unbinds));
		json_object_set_new(j, "lost", view_json_count(r->dropped));
		json_object_set_new(j, "preexisting_leaks", json_integer(r->preexisting));
		for (i = 0; i < r->findings.len; i++)
			json_array_append_new(arr, view_finding_json(s, &r->findings.v[i], now));
		json_object_set_new(j, "findings", arr);
		arr = json_array();
		for (i = 0; i < r->pending.len; i++)
			json_array_append_new(arr, view_finding_json(s, &r->pending.v[i], now));
		json_object_set_new(j, "pending", arr);
		arr = json_array();
		for (i = 0; i < nfails; i++) {
			const struct bind_failure *bf = bind_fail_at(s, i);
			json_t *o = json_object();

			json_object_set_new(o, "ts_ns", json_integer(bf->ts));
			json_object_set_new(o, "pid", json_integer(bf->tgid));
			json_object_set_new(o, "comm", view_json_str(bf->comm));
			json_object_set_new(o, "dev_name", view_json_str(bf->dev_name));
			json_object_set_new(o, "ret", json_integer(bf->x.ret));
			json_object_set_new(o, "explain", view_bind_explain_json(&bf->x));
			json_array_append_new(arr, o);
		}
		json_object_set_new(j, "failed_binds", arr);
		json_object_set_new(j, "failed_binds_total", json_integer(s->a.nbind_fails));
		json_object_set_new(j, "notices", view_notices_json(&s->a));
		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
		fflush(stdout);
		return;
	}
	printf("svatop check: command %s; %" PRIu64 " event(s)%s, %" PRIu64 " lost; "
	       "%" PRIu64 " bind(s), %" PRIu64 " unbind(s); %zu finding(s): %s\n", status,
	       r->events, s->m.state_mode ? " streamed (state mode)" : "", r->dropped,
	       s->m.cnt.binds, s->m.cnt.unbinds, r->findings.len,
	       r->interrupted ? "interrupted" : r->timed_out ? "timed out" :
	       verdict_name(r->verdict));
	for (i = 0; i < r->findings.len; i++)
		view_finding_text(stdout, s, &r->findings.v[i], now);
	for (i = 0; i < r->pending.len; i++)
		view_finding_text(stdout, s, &r->pending.v[i], now);
	view_notices_text(stdout, &s->a);
	if (s->a.nbind_fails)
		printf("%" PRIu64 " failed bind(s)%s:\n", s->a.nbind_fails,
		       nfails < s->a.nbind_fails ? " (the latest shown)" : "");
	for (i = 0; i < nfails; i++) {
		const struct bind_failure *bf = bind_fail_at(s, i);

		printf("failed bind: pid %u (", bf->tgid);
		fput_escaped(stdout, bf->comm, sizeof(bf->comm));
		printf(") device ");
		fput_escaped(stdout, bf->dev_name[0] ? bf->dev_name : "?", sizeof(bf->dev_name));
		printf(" ret %d\n    ", bf->x.ret);
		view_bind_explain_text(stdout, &bf->x);
		putchar('\n');
	}
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
 * still running TERM_WAIT after SIGTERM (timeout, Ctrl-C, SIGHUP) gets
 * SIGKILL (its group and every process we inherited), and is given up on
 * KILL_WAIT later: CMD is then reported as still running. */
#define TERM_WAIT_NS	(2ULL * 1000000000ULL)
#define KILL_WAIT_NS	(1ULL * 1000000000ULL)

static int check_run(struct session *s, struct spawned *sp, struct check_result *r,
		     double timeout)
{
	uint64_t t0 = clock_monotonic_ns(), t_end = 0, t_term = 0, t_kill = 0, now;
	uint64_t grace = s->a.grace_ns + SESSION_REORDER_NS;
	int err;

	for (;;) {
		err = session_poll(s, 100);
		if (err)
			return err;
		now = clock_monotonic_ns();
		if (!t_term && !t_end && stop_requested) {
			r->interrupted = true;
			t_term = now;
		}
		if (!t_term && !t_end && timeout > 0 && now - t0 >= (uint64_t)(timeout * 1e9)) {
			r->timed_out = true;
			t_term = now;
		}
		if (t_term == now)
			spawn_signal_tree(sp, SIGTERM);
		if (!t_end && reap(sp, r))
			t_end = now;
		if (!t_end && t_term && !t_kill && now - t_term >= TERM_WAIT_NS) {
			spawn_signal_tree(sp, SIGKILL);
			t_kill = now;
		}
		/* Orphans of the tree become ours as their parents die. */
		if (!t_end && t_kill)
			spawn_signal_inherited(SIGKILL);
		if (!t_end && t_kill && now - t_kill >= KILL_WAIT_NS) {
			r->still_running = !sp->reaped;
			r->cmd_failed |= r->still_running;
			t_end = now;
		}
		if (t_end && now - t_end >= grace)
			return 0;
	}
}

int cmd_check(int argc, char **argv)
{
	const struct argp_child children[] = {
		{ common_argp(COMMON_JSON | COMMON_VERBOSE), 0, NULL, 0 },
		{ 0 },
	};
	const struct argp argp = {
		check_options, check_parse, "-- CMD [ARGS...]",
		"Run CMD under tracing and fail when it leaks SVA state or breaks a lifecycle\n"
		"rule. CMD starts only once every probe is attached; svatop waits for its whole\n"
		"process tree to exit, then for the grace period, then reports.\v"
		"Judged: every leak of state created during the run (by any process: run it on\n"
		"a machine where the test is what binds) and every violation seen.\n"
		"Exit status: 0 clean, 1 leaks or violations, 2 usage or environment error,\n"
		"3 inconclusive (events were lost, timeout, interrupted), 4 CMD failed (and\n"
		"tracing was clean), 5 pending (no leak, but candidates within the grace).",
		children, NULL, NULL,
	};
	struct check_args a = { .grace = 3 };
	struct live_opts lo = { .snapshot = true };
	struct check_result r = { 0 };
	struct finding_list leaks;
	struct session s;
	struct spawned sp;
	uint64_t t0, now;
	size_t i;
	int err, ret;

	argp_err_exit_status = EXIT_USAGE;
	if (argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &a))
		return EXIT_USAGE;
	lo.verbose = a.c.verbose;
	/* Findings name the allocation's kernel stack. */
	lo.collect_stacks = true;
	lo.stack_domain_from_bind = true;
	lo.state_mode = !a.stream;
	lo.hook_rules = true;
	join_cmdline(r.cmdline, sizeof(r.cmdline), a.cmd);
	/* Refuse an existing --junit FILE before CMD runs, not after. */
	if (a.junit && (err = safe_file_check(a.junit, a.junit_flags))) {
		safe_file_perror("check", a.junit, err);
		return EXIT_USAGE;
	}
	/* Orphans of CMD's tree come back to us, so we can wait for all. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		p_info("check: cannot become a subreaper: %s", strerror(errno));
	/* Fork before loading BPF; the child runs CMD once released. */
	err = spawn_paused(&sp, a.cmd, &a.user);
	if (err) {
		p_err("check: cannot start '%s': %s", a.cmd[0], strerror(-err));
		return EXIT_USAGE;
	}
	if (session_open(&s, NULL, &lo, (uint64_t)(a.grace * 1e9))) {
		spawn_abort(&sp);
		return EXIT_USAGE;
	}
	/* Attached, maps open; CMD was forked before (with root's
	 * capabilities, or as --user). Kept: signalling CMD's tree
	 * (whatever users it became), and writing --junit in its folder. */
	if (priv_drop_for("check", PRIV_CAP(CAP_KILL) |
			  (a.junit ? PRIV_CAP(CAP_DAC_OVERRIDE) : 0))) {
		spawn_abort(&sp);
		session_close(&s);
		return EXIT_USAGE;
	}
	stop_on_signals();
	t0 = clock_monotonic_ns();
	err = spawn_release(&sp);
	if (err) {
		p_err("check: cannot release '%s': %s", a.cmd[0], strerror(-err));
		spawn_abort(&sp);
		session_close(&s);
		return EXIT_USAGE;
	}
	err = check_run(&s, &sp, &r, a.timeout);
	if (err) {
		spawn_stop(&sp, 0);
		session_close(&s);
		return EXIT_USAGE;
	}
	/* state mode: the kernel's SVA state after the grace period */
	err = session_state_sync(&s);
	if (err) {
		p_err("check: cannot re-walk the kernel's SVA state: %s", strerror(-err));
		spawn_stop(&sp, 0);
		session_close(&s);
		return EXIT_USAGE;
	}
	session_flush(&s);
	now = session_now(&s);
	r.seconds = (now - t0) / 1e9;
	r.dropped = session_dropped(&s);
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
	session_iopf_refresh(&s);
	rule_iopf_failed(&s.m, finding_list_add, &r.findings);
	finding_list_fini(&leaks);
	finding_list_init(&r.pending);
	analyzer_pending(&s.a, &s.m, now, &r.pending);
	r.verdict = analyzer_verdict(&s.a, &s.m, r.findings.len, r.dropped);
	if (r.verdict == VERDICT_FINDINGS && !r.findings.len)
		r.verdict = VERDICT_CLEAN;
	r.verdict = verdict_with_pending(r.verdict, r.pending.len);
	if ((r.interrupted || r.timed_out) && r.verdict == VERDICT_CLEAN)
		r.verdict = VERDICT_INCONCLUSIVE;
	print_report(&s, &a, &r, now);
	ret = 0;
	if (a.junit && write_junit(a.junit, a.junit_flags, &s, &r, now))
		ret = EXIT_USAGE;
	session_close(&s);
	finding_list_fini(&r.findings);
	finding_list_fini(&r.pending);
	if (ret)
		return ret;
	if (r.verdict == VERDICT_FINDINGS)
		return EXIT_FINDINGS;
	if (r.verdict == VERDICT_INCONCLUSIVE)
		return EXIT_INCONCLUSIVE;
	if (r.verdict == VERDICT_PENDING)
		return EXIT_PENDING;
	return r.cmd_failed ? EXIT_CMD_FAILED : 0;
}
