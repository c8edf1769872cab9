// SPDX-License-Identifier: GPL-2.0
/*
 * svatop leaks: a periodic report of leaked PASIDs, domains, bonds and
 * mms (past the grace period) and of lifecycle-invariant violations.
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "common/priv.h"
#include "common/stop.h"
#include "commands.h"
#include "common/clock.h"
#include "common/log.h"
#include "pipeline/session.h"
#include "view/finding.h"
#include "view/options.h"

struct leaks_args {
	struct common_args c;
	double grace;
	double interval;
	unsigned long count;
	int npos;
	bool stream;		/* --stream: every event, every rule in order */
};

enum { LEAKS_OPT_STREAM = 0x100 };

static const struct argp_option leaks_options[] = {
	{ "grace", 'g', "SECONDS", 0, "how long state may outlive its process (3)", 0 },
	{ "stream", LEAKS_OPT_STREAM, NULL, 0,
	  "stream every event and judge every rule in order, with each bond's allocation "
	  "stack, instead of state mode (the rules at the hooks; docs/leaks.md)", 0 },
	{ 0 },
};

static error_t leaks_parse(int key, char *arg, struct argp_state *state)
{
	struct leaks_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->c;
		break;
	case 'g':
		view_arg_seconds(state, arg, "grace period", 0, &a->grace);
		break;
	case LEAKS_OPT_STREAM:
		a->stream = true;
		break;
	case ARGP_KEY_ARG:
		view_parse_interval_count(state, arg, &a->npos, &a->interval, &a->count);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static bool wanted(const struct leaks_args *a, const struct finding *f)
{
	return !a->c.pid || f->tgid == a->c.pid;
}

/* One report; returns the verdict it states. */
static enum verdict leaks_report(struct session *s, const struct leaks_args *a)
{
	uint64_t now = session_now(s), dropped = session_dropped(s);
	struct finding_list leaks, pend, iopf;	/* iopf: failed device page faults */
	enum verdict v;
	size_t i, nleaks = 0, nviol = 0, npend = 0;
	json_t *j, *jl, *jv, *jc, *jp;
	int r;

	finding_list_init(&leaks);
	finding_list_init(&pend);
	finding_list_init(&iopf);
	session_iopf_refresh(s);
	rule_iopf_failed(&s->m, finding_list_add, &iopf);
	analyzer_leaks(&s->a, &s->m, now, &leaks);
	analyzer_pending(&s->a, &s->m, now, &pend);
	for (i = 0; i < leaks.len; i++)
		nleaks += wanted(a, &leaks.v[i]);
	for (i = 0; i < pend.len; i++)
		npend += wanted(a, &pend.v[i]);
	for (i = 0; i < s->a.violations.len; i++)
		nviol += wanted(a, &s->a.violations.v[i]);
	for (i = 0; i < iopf.len; i++)
		nviol += wanted(a, &iopf.v[i]);
	v = analyzer_verdict(&s->a, &s->m, nleaks, dropped);
	if (v == VERDICT_FINDINGS && !nleaks && !nviol)
		v = VERDICT_CLEAN;	/* only other processes' findings */
	if (v == VERDICT_CLEAN && nviol)
		v = VERDICT_FINDINGS;	/* failed device page faults */
	v = verdict_with_pending(v, npend);
	if (a->c.json) {
		j = json_object();
		jl = json_array();
		jv = json_array();
		jc = json_object();
		jp = json_array();
		json_object_set_new(j, "v", json_integer(VIEW_JSON_SCHEMA));
		json_object_set_new(j, "type", json_string("leaks"));
		json_object_set_new(j, "ts_ns", json_integer(now));
		json_object_set_new(j, "grace_ns", json_integer(s->a.grace_ns));
		json_object_set_new(j, "verdict", json_string(verdict_name(v)));
		json_object_set_new(j, "lost", view_json_count(dropped));
		json_object_set_new(j, "state_mode", json_boolean(s->m.state_mode));
		for (i = 0; i < leaks.len; i++)
			if (wanted(a, &leaks.v[i]))
				json_array_append_new(jl, view_finding_json(s, &leaks.v[i], now));
		for (i = 0; i < s->a.violations.len; i++)
			if (wanted(a, &s->a.violations.v[i]))
				json_array_append_new(jv, view_finding_json(s, &s->a.violations.v[i],
									    now));
		for (i = 0; i < iopf.len; i++)
			if (wanted(a, &iopf.v[i]))
				json_array_append_new(jv, view_finding_json(s, &iopf.v[i], now));
		for (i = 0; i < pend.len; i++)
			if (wanted(a, &pend.v[i]))
				json_array_append_new(jp, view_finding_json(s, &pend.v[i], now));
		for (r = 0; r < RULE_MAX; r++)
			if (s->a.count[r])
				json_object_set_new(jc, rule_table[r].name,
						    view_json_count(s->a.count[r]));
		json_object_set_new(j, "leaks", jl);
		json_object_set_new(j, "violations", jv);
		json_object_set_new(j, "pending", jp);
		json_object_set_new(j, "violation_counts", jc);
		json_object_set_new(j, "notices", view_notices_json(&s->a));
		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
	} else {
		printf("svatop leaks: %zu leak(s), %zu violation(s), %zu pending, grace %.1fs: %s%s\n",
		       nleaks, nviol, npend, s->a.grace_ns / 1e9, verdict_name(v),
		       dropped ? " (events were lost)" : "");
		for (i = 0; i < leaks.len; i++)
			if (wanted(a, &leaks.v[i]))
				view_finding_text(stdout, s, &leaks.v[i], now);
		for (i = 0; i < s->a.violations.len; i++)
			if (wanted(a, &s->a.violations.v[i]))
				view_finding_text(stdout, s, &s->a.violations.v[i], now);
		for (i = 0; i < iopf.len; i++)
			if (wanted(a, &iopf.v[i]))
				view_finding_text(stdout, s, &iopf.v[i], now);
		for (i = 0; i < pend.len; i++)
			if (wanted(a, &pend.v[i]))
				view_finding_text(stdout, s, &pend.v[i], now);
		view_notices_text(stdout, &s->a);
	}
	fflush(stdout);
	finding_list_fini(&iopf);
	finding_list_fini(&pend);
	finding_list_fini(&leaks);
	return v;
}

int cmd_leaks(int argc, char **argv)
{
	const struct argp_child children[] = {
		{ common_argp(COMMON_JSON | COMMON_PID | COMMON_REPLAY | COMMON_VERBOSE), 0, NULL, 0 },
		{ 0 },
	};
	const struct argp argp = {
		leaks_options, leaks_parse, "[INTERVAL [COUNT]]",
		"Report leaked PASIDs, SVA domains, bonds and mms (state that outlived its\n"
		"process by more than the grace period) and lifecycle-invariant violations,\n"
		"every INTERVAL seconds (default 5), COUNT times (default: until interrupted).\n"
		"A recording (--replay) gives one report, at its end.\v"
		"Rules and the kernel code each protects: docs/leaks.md.\n"
		"Exit status (of the last report): 0 clean, 1 leaks or violations,\n"
		"2 usage or environment error, 3 inconclusive (events were lost),\n"
		"5 pending (no leak yet, but candidates are still within the grace period).",
		children, NULL, NULL,
	};
	struct leaks_args a = { .grace = 3, .interval = 5 };
	struct live_opts lo = { .snapshot = true };
	struct session s;
	enum verdict v = VERDICT_CLEAN;
	unsigned long reports = 0;
	uint64_t next;
	int err = 0;

	argp_err_exit_status = EXIT_USAGE;
	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return EXIT_USAGE;
	lo.target_tgid = a.c.pid;
	lo.verbose = a.c.verbose;
	lo.collect_stacks = true;	/* findings name the allocation stack */
	lo.stack_domain_from_bind = true;
	lo.state_mode = !a.stream;
	lo.hook_rules = true;
	if (session_open(&s, a.c.replay, &lo, (uint64_t)(a.grace * 1e9)))
		return EXIT_USAGE;
	/* Attached, maps open, kernel symbols read: no capability needed. */
	if (priv_drop_for("leaks", 0)) {
		session_close(&s);
		return EXIT_USAGE;
	}
	stop_on_signals();
	next = clock_monotonic_ns() + (uint64_t)(a.interval * 1e9);
	while (!stop_requested) {
		err = session_poll(&s, 100);
		if (err)
			break;
		if (!s.ended && clock_monotonic_ns() < next)
			continue;
		next += (uint64_t)(a.interval * 1e9);
		/* state mode: the kernel's SVA state as of now (a no-op
		 * otherwise), as check does before it judges */
		err = session_state_sync(&s);
		if (err) {
			p_err("leaks: cannot re-walk the kernel's SVA state: %s", strerror(-err));
			break;
		}
		v = leaks_report(&s, &a);
		reports++;
		if (s.ended || (a.count && reports >= a.count))
			break;
	}
	session_close(&s);
	if (err)
		return EXIT_USAGE;
	return v == VERDICT_CLEAN ? 0 : v == VERDICT_FINDINGS ? EXIT_FINDINGS :
	       v == VERDICT_PENDING ? EXIT_PENDING : EXIT_INCONCLUSIVE;
}
