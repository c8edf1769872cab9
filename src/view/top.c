// SPDX-License-Identifier: GPL-2.0
/*
 * svatop (top): per-process SVA state, refreshed every interval. An
 * interactive ncurses screen on a terminal; batch tables (or JSON) with
 * -b or when stdout is not a terminal.
 */
#include <argp.h>
#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "common/stop.h"
#include "commands.h"
#include "view/graph.h"
#include "view/top.h"
#include "view/view_common.h"

static const char *const sort_names[TOP_SORT_MAX] = {
	"pid", "comm", "pasid", "domains", "devices", "binds", "unbinds",
	"errors", "age",
};

const char *top_sort_name(enum top_sort key)
{
	return key < TOP_SORT_MAX ? sort_names[key] : "?";
}

static int sort_from_name(const char *s)
{
	int i;

	for (i = 0; i < TOP_SORT_MAX; i++)
		if (!strcmp(s, sort_names[i]))
			return i;
	return -1;
}

void top_prev_init(struct top_prev *p)
{
	p->v = NULL;
	p->n = 0;
}

void top_prev_fini(struct top_prev *p)
{
	free(p->v);
	top_prev_init(p);
}

static int cmp_prev(const void *a, const void *b)
{
	const struct top_prev_ent *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static const struct top_prev_ent *prev_find(const struct top_prev *p, uint32_t uid)
{
	struct top_prev_ent key = { .uid = uid };

	if (!p || !p->n)
		return NULL;
	return bsearch(&key, p->v, p->n, sizeof(*p->v), cmp_prev);
}

static bool row_matches(const struct model_mm *mm, const struct top_opts *o)
{
	const struct model_bond *b;

	if (!(mm->flags & MF_SVA) && !mm->errors)
		return false;
	if (!o)
		return true;
	if (o->pid && mm->tgid != o->pid)
		return false;
	if (!o->dev)
		return true;
	for (b = mm->bonds; b; b = b->mm_next)
		if (b->dev && !strcmp(b->dev->name, o->dev))
			return true;
	return false;
}

struct leak_marks {
	struct keymap by_mm;	/* mm pointer -> bit set, as a pointer value */
};

static void mark_leak(const struct finding *f, void *ctx)
{
	static const char bit[] = { [RULE_LEAKED_BOND] = 1, [RULE_LEAKED_DOMAIN] = 2,
				    [RULE_LEAKED_MM] = 4, [RULE_LEAKED_PASID] = 8 };
	struct leak_marks *lm = ctx;
	uintptr_t v;

	if (!f->mm || f->rule > RULE_LEAKED_PASID)
		return;
	v = (uintptr_t)keymap_get(&lm->by_mm, f->mm);
	keymap_put(&lm->by_mm, f->mm, (void *)(v | bit[f->rule]));
}

static void fill_leaks(char *out, uintptr_t bits)
{
	int n = 0;

	if (bits & 1)
		out[n++] = 'B';
	if (bits & 2)
		out[n++] = 'D';
	if (bits & 4)
		out[n++] = 'M';
	if (bits & 8)
		out[n++] = 'P';
	if (!n)
		out[n++] = '-';
	out[n] = '\0';
}

size_t top_collect(const struct model *m, const struct analyzer *a, uint64_t now,
		   const struct top_opts *o, struct top_prev *prev, double interval_s,
		   struct top_row **out)
{
	struct top_prev next = { NULL, 0 };
	struct leak_marks lm;
	const struct top_prev_ent *pe;
	const struct model_domain *d;
	const struct model_mm *mm;
	struct top_row *rows, *r;
	size_t n = 0;
	uint32_t i;

	*out = NULL;
	rows = calloc(m->mms.count + 1, sizeof(*rows));
	if (!rows)
		return 0;
	if (prev)
		next.v = calloc(m->mms.count + 1, sizeof(*next.v));
	keymap_init(&lm.by_mm, 64);
	rule_leaked_bonds(m, now, a->grace_ns, mark_leak, &lm);
	rule_leaked_domains(m, now, a->grace_ns, mark_leak, &lm);
	rule_leaked_mms(m, now, a->grace_ns, mark_leak, &lm);
	rule_leaked_pasids(m, now, a->grace_ns, mark_leak, &lm);
	if (interval_s <= 0)
		interval_s = 1;
	model_for_each_mm(m, mm, i) {
		if (!row_matches(mm, o))
			continue;
		r = &rows[n++];
		r->mm = mm->ptr;
		r->uid = mm->uid;
		r->pid = mm->tgid;
		memcpy(r->comm, mm->comm, sizeof(r->comm));
		r->pasid = mm->pasid_val;
		r->ndomains = mm->ndomains;
		r->ndevs = model_mm_ndevs(mm);
		for (d = mm->domains; d; d = d->mm_next)
			r->devs_unknown |= (d->flags & DF_SNAPSHOT) && !d->nbonds;
		r->binds = mm->binds;
		r->unbinds = mm->unbinds;
		r->errors = mm->errors;
		r->age_ns = now > mm->first_ts ? now - mm->first_ts : 0;
		r->state = mm->flags & MF_DROPPING ? 'F' : mm->flags & MF_EXITED ? 'X' : 'R';
		fill_leaks(r->leaks, (uintptr_t)keymap_get(&lm.by_mm, mm->ptr));
		pe = prev_find(prev, mm->uid);
		r->binds_s = (mm->binds - (pe ? pe->binds : 0)) / interval_s;
		r->unbinds_s = (mm->unbinds - (pe ? pe->unbinds : 0)) / interval_s;
		if (next.v)
			next.v[next.n++] = (struct top_prev_ent){ mm->uid, mm->binds, mm->unbinds };
	}
	keymap_fini(&lm.by_mm);
	if (prev) {
		qsort(next.v, next.n, sizeof(*next.v), cmp_prev);
		free(prev->v);
		*prev = next;
	}
	*out = rows;
	return n;
}

static enum top_sort sort_key;
static int sort_dir;

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct top_row *a = pa, *b = pb;
	int c;

	switch (sort_key) {
	case TOP_SORT_COMM:
		c = strcmp(a->comm, b->comm);
		break;
	case TOP_SORT_PASID:
		c = cmp_u64(a->pasid, b->pasid);
		break;
	case TOP_SORT_DOMAINS:
		c = cmp_u64(a->ndomains, b->ndomains);
		break;
	case TOP_SORT_DEVS:
		c = cmp_u64(a->ndevs, b->ndevs);
		break;
	case TOP_SORT_BINDS:
		c = a->binds_s < b->binds_s ? -1 : a->binds_s > b->binds_s;
		if (!c)
			c = cmp_u64(a->binds, b->binds);
		break;
	case TOP_SORT_UNBINDS:
		c = a->unbinds_s < b->unbinds_s ? -1 : a->unbinds_s > b->unbinds_s;
		if (!c)
			c = cmp_u64(a->unbinds, b->unbinds);
		break;
	case TOP_SORT_ERRORS:
		c = cmp_u64(a->errors, b->errors);
		break;
	case TOP_SORT_AGE:
		c = cmp_u64(a->age_ns, b->age_ns);
		break;
	default:
		c = 0;
		break;
	}
	if (!c)
		c = cmp_u64(a->pid, b->pid);
	if (!c)
		c = cmp_u64(a->uid, b->uid);
	return c * sort_dir;
}

void top_sort(struct top_row *rows, size_t n, enum top_sort key, bool descending)
{
	sort_key = key;
	sort_dir = descending ? -1 : 1;
	qsort(rows, n, sizeof(*rows), cmp_row);
}

/* Counts sort largest first, identities smallest first. */
static bool natural_descending(enum top_sort key)
{
	return key >= TOP_SORT_DOMAINS;
}

static uint64_t total_violations(const struct analyzer *a)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < RULE_MAX; i++)
		n += a->count[i];
	return n;
}

static void count_leak(const struct finding *f, void *ctx)
{
	(void)f;
	(*(unsigned int *)ctx)++;
}

static unsigned int total_leaks(const struct model *m, const struct analyzer *a, uint64_t now)
{
	unsigned int n = 0;

	rule_leaked_bonds(m, now, a->grace_ns, count_leak, &n);
	rule_leaked_domains(m, now, a->grace_ns, count_leak, &n);
	rule_leaked_mms(m, now, a->grace_ns, count_leak, &n);
	rule_leaked_pasids(m, now, a->grace_ns, count_leak, &n);
	return n;
}

static int format_totals(char *buf, size_t len, const struct model *m,
			 const struct analyzer *a, uint64_t now, uint64_t dropped)
{
	return snprintf(buf, len,
			"mms %u  PASIDs %u  domains %u  bonds %u  devices %u  iommus %u  "
			"binds %" PRIu64 "  unbinds %" PRIu64 "  errors %" PRIu64
			"  leaks %u  violations %" PRIu64 "  lost %" PRIu64,
			m->mms.count, m->pasids.count, m->domains.count, m->bonds.count,
			m->devs.count, m->iommus.count, m->cnt.binds, m->cnt.unbinds,
			m->cnt.bind_errors, total_leaks(m, a, now), total_violations(a),
			dropped);
}

#define TOP_HEADER "    PID COMM             S PASID DOMS DEVS BINDS/s UNBND/s  ERRS      AGE LEAKS"

static int format_row(char *buf, size_t len, const struct top_row *r)
{
	char age[32], pasid[16], devs[16];

	snprintf(devs, sizeof(devs), "%u%s", r->ndevs, r->devs_unknown ? "+?" : "");
	if (r->pasid)
		snprintf(pasid, sizeof(pasid), "%u", r->pasid);
	else
		snprintf(pasid, sizeof(pasid), "-");
	return snprintf(buf, len, "%7u %-16s %c %5s %4u %4s %7.1f %7.1f %5u %8s %s",
			r->pid, r->comm[0] ? r->comm : "?", r->state, pasid, r->ndomains,
			devs, r->binds_s, r->unbinds_s, r->errors,
			view_age(age, sizeof(age), r->age_ns), r->leaks);
}

static json_t *row_json(const struct top_row *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "pid", r->pid ? json_integer(r->pid) : json_null());
	json_object_set_new(o, "comm", view_json_str(r->comm));
	json_object_set_new(o, "mm", view_json_ptr(r->mm));
	json_object_set_new(o, "state", json_stringn(&r->state, 1));
	json_object_set_new(o, "pasid", r->pasid ? json_integer(r->pasid) : json_null());
	json_object_set_new(o, "domains", json_integer(r->ndomains));
	json_object_set_new(o, "devices", json_integer(r->ndevs));
	json_object_set_new(o, "devices_unknown", json_boolean(r->devs_unknown));
	json_object_set_new(o, "binds", json_integer(r->binds));
	json_object_set_new(o, "unbinds", json_integer(r->unbinds));
	json_object_set_new(o, "binds_per_s", json_real(r->binds_s));
	json_object_set_new(o, "unbinds_per_s", json_real(r->unbinds_s));
	json_object_set_new(o, "errors", json_integer(r->errors));
	json_object_set_new(o, "age_ns", json_integer(r->age_ns));
	json_object_set_new(o, "leaks", json_string(r->leaks));
	return o;
}

void top_print_batch(FILE *out, const struct model *m, const struct analyzer *a,
		     uint64_t now, const struct top_opts *o, struct top_prev *prev,
		     double interval_s, uint64_t dropped)
{
	struct top_row *rows;
	char line[512];
	json_t *j, *arr;
	size_t n, i;

	n = top_collect(m, a, now, o, prev, interval_s, &rows);
	top_sort(rows, n, o->sort, natural_descending(o->sort) ^ o->reverse);
	if (o->json) {
		j = json_object();
		arr = json_array();
		json_object_set_new(j, "v", json_integer(VIEW_JSON_SCHEMA));
		json_object_set_new(j, "type", json_string("top"));
		json_object_set_new(j, "ts_ns", json_integer(now));
		json_object_set_new(j, "mms", json_integer(m->mms.count));
		json_object_set_new(j, "pasids", json_integer(m->pasids.count));
		json_object_set_new(j, "domains", json_integer(m->domains.count));
		json_object_set_new(j, "bonds", json_integer(m->bonds.count));
		json_object_set_new(j, "violations", json_integer(total_violations(a)));
		json_object_set_new(j, "lost", json_integer(dropped));
		for (i = 0; i < n; i++)
			json_array_append_new(arr, row_json(&rows[i]));
		json_object_set_new(j, "processes", arr);
		json_dumpf(j, out, JSON_COMPACT);
		fputc('\n', out);
		json_decref(j);
	} else {
		time_t t = time(NULL);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(line, sizeof(line), "%H:%M:%S", &tm);
		fprintf(out, "%s ", line);
		format_totals(line, sizeof(line), m, a, now, dropped);
		fprintf(out, "%s\n%s\n", line, TOP_HEADER);
		for (i = 0; i < n; i++) {
			format_row(line, sizeof(line), &rows[i]);
			fprintf(out, "%s\n", line);
		}
		fputc('\n', out);
	}
	fflush(out);
	free(rows);
}

/* ---- the command --------------------------------------------------------- */

struct top_args {
	struct top_opts o;
	bool batch;
	double interval;
	unsigned long count;
	int npos;
	const char *replay;
	bool verbose;
	double grace;
};

static const struct argp_option top_options[] = {
	{ "batch", 'b', NULL, 0, "batch mode: print tables (default when stdout is not a terminal)", 0 },
	{ "pid", 'p', "PID", 0, "only this process", 0 },
	{ "device", 'd', "DEVICE", 0, "only processes bound to this device (name)", 0 },
	{ "sort", 's', "KEY", 0, "pid, comm, pasid, domains, devices, binds, unbinds, errors, age", 0 },
	{ "reverse", 'R', NULL, 0, "reverse the sort order", 0 },
	{ "json", 'j', NULL, 0, "batch: one JSON object per interval", 0 },
	{ "grace", 'g', "SECONDS", 0, "leak grace period (3)", 0 },
	{ "replay", 'r', "FILE", 0, "read events from a recording instead of the kernel", 0 },
	{ "verbose", 'v', NULL, 0, "loader details", 0 },
	{ 0 },
};

static error_t top_parse(int key, char *arg, struct argp_state *state)
{
	struct top_args *a = state->input;
	int s;

	switch (key) {
	case 'b':
		a->batch = true;
		break;
	case 'p':
		a->o.pid = view_arg_pid(state, arg);
		break;
	case 'd':
		a->o.dev = arg;
		break;
	case 's':
		s = sort_from_name(arg);
		if (s < 0)
			argp_error(state, "unknown sort key '%s'", arg);
		a->o.sort = s;
		break;
	case 'R':
		a->o.reverse = true;
		break;
	case 'j':
		a->o.json = true;
		a->batch = true;
		break;
	case 'g':
		view_arg_seconds(state, arg, "grace period", 0, &a->grace);
		break;
	case 'r':
		a->replay = arg;
		break;
	case 'v':
		a->verbose = true;
		log_verbose = true;
		break;
	case ARGP_KEY_ARG:
		view_parse_interval_count(state, arg, &a->npos, &a->interval, &a->count);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Poll until the next frame is due (or the source ends). */
static int top_wait(struct view_session *s, uint64_t deadline)
{
	uint64_t now;
	int err;

	while (!stop_requested && !s->ended) {
		now = view_monotonic_ns();
		if (now >= deadline)
			break;
		err = view_session_poll(s, (int)((deadline - now) / 1000000 + 1) > 100 ?
					100 : (int)((deadline - now) / 1000000 + 1));
		if (err)
			return err;
	}
	return 0;
}

static int top_batch(struct view_session *s, struct top_args *a)
{
	struct top_prev prev;
	unsigned long frames = 0;
	uint64_t next = view_monotonic_ns();
	int err = 0;

	top_prev_init(&prev);
	while (!stop_requested) {
		next += (uint64_t)(a->interval * 1e9);
		if (s->live) {
			err = top_wait(s, next);
		} else {
			/* A recording: one frame at its end. */
			while (!s->ended && !err && !stop_requested)
				err = view_session_poll(s, 100);
		}
		if (err)
			break;
		top_print_batch(stdout, &s->m, &s->a, view_session_now(s), &a->o, &prev,
				a->interval, view_session_dropped(s));
		frames++;
		if ((a->count && frames >= a->count) || s->ended)
			break;
	}
	top_prev_fini(&prev);
	return err;
}

static int top_interactive(struct view_session *s, struct top_args *a);

int cmd_top(int argc, char **argv)
{
	static const struct argp argp = {
		top_options, top_parse, "[INTERVAL [COUNT]]",
		"Live per-process view of SVA state: PASIDs, domains, devices, bind rates,\n"
		"errors and leaks. Interactive on a terminal, batch tables otherwise.\v"
		"Interactive keys: q quit, s/S next/previous sort column, r reverse,\n"
		"p filter by pid, d filter by device, c clear filters, Up/Down select,\n"
		"Enter detail pane (the process's graph and findings).\n"
		"LEAKS: B bond, D domain, M mm, P PASID outlived the process past the grace period.\n"
		"S: R running, X exited, F being freed. DEVS n+?: some bound before svatop started.\n"
		"Exit status: 0 done, 2 usage or environment error, 3 events were lost.",
		NULL, NULL, NULL,
	};
	struct top_args a = { .interval = 1, .grace = 3 };
	struct live_opts lo = { .snapshot = true };
	struct view_session s;
	int err;

	argp_err_exit_status = EXIT_USAGE;
	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return EXIT_USAGE;
	if (!a.batch && !isatty(STDOUT_FILENO))
		a.batch = true;
	lo.target_tgid = a.o.pid;
	lo.verbose = a.verbose;
	lo.collect_stacks = true;	/* findings name the allocation stack */
	if (view_session_open(&s, a.replay, &lo, (uint64_t)(a.grace * 1e9)))
		return EXIT_USAGE;
	stop_on_signals();
	err = a.batch ? top_batch(&s, &a) : top_interactive(&s, &a);
	if (!err && view_session_dropped(&s))
		err = 1;
	view_session_close(&s);
	if (err > 0)
		return EXIT_INCONCLUSIVE;
	return err ? EXIT_USAGE : 0;
}

/* ---- interactive --------------------------------------------------------- */

struct screen {
	struct top_row *rows;
	size_t n;
	size_t sel;
	bool detail;
	char msg[128];
};

static void draw_detail(struct view_session *s, const struct top_row *r, int top, int rows,
			int cols, uint64_t now)
{
	struct graph_filter flt = { .pid = r->pid };
	struct finding_list l;
	char *buf = NULL, *line, *save = NULL, title[96];
	size_t len = 0, i;
	FILE *f;
	int y = top;

	f = open_memstream(&buf, &len);
	if (!f)
		return;
	graph_render(f, &s->m, GRAPH_TEXT, &flt, now);
	finding_list_init(&l);
	analyzer_leaks(&s->a, &s->m, now, &l);
	for (i = 0; i < s->a.violations.len; i++)
		finding_list_add(&s->a.violations.v[i], &l);
	for (i = 0; i < l.len; i++)
		if (l.v[i].mm == r->mm || (r->pid && l.v[i].tgid == r->pid))
			view_finding_text(f, s, &l.v[i], now);
	finding_list_fini(&l);
	fclose(f);
	attron(A_BOLD);
	snprintf(title, sizeof(title), " detail: pid %u (%s): its graph and findings", r->pid,
		 r->comm[0] ? r->comm : "?");
	mvprintw(y++, 0, "%-*.*s", cols, cols, title);
	attroff(A_BOLD);
	for (line = strtok_r(buf, "\n", &save); line && y < top + rows;
	     line = strtok_r(NULL, "\n", &save))
		mvprintw(y++, 0, "%.*s", cols, line);
	free(buf);
}

static void draw(struct view_session *s, struct top_args *a, struct screen *sc,
		 struct top_prev *prev)
{
	uint64_t now = view_session_now(s);
	int rows, cols, y, table_rows;
	char line[512], pid[16];
	size_t i, first;

	getmaxyx(stdscr, rows, cols);
	free(sc->rows);
	sc->n = top_collect(&s->m, &s->a, now, &a->o, prev, a->interval, &sc->rows);
	top_sort(sc->rows, sc->n, a->o.sort, natural_descending(a->o.sort) ^ a->o.reverse);
	if (sc->sel >= sc->n)
		sc->sel = sc->n ? sc->n - 1 : 0;
	erase();
	format_totals(line, sizeof(line), &s->m, &s->a, now, view_session_dropped(s));
	mvprintw(0, 0, "svatop%s - %.*s", s->live ? "" : " (replay)", cols - 10, line);
	if (a->o.pid)
		snprintf(pid, sizeof(pid), "%u", a->o.pid);
	else
		snprintf(pid, sizeof(pid), "any");
	snprintf(line, sizeof(line), "sort: %s%s  filter: pid %s dev %s  %s",
		 top_sort_name(a->o.sort), a->o.reverse ? " (reversed)" : "",
		 pid, a->o.dev ? a->o.dev : "any",
		 sc->msg[0] ? sc->msg : "q quit  s sort  r reverse  p pid  d dev  c clear  Enter detail");
	mvprintw(1, 0, "%.*s", cols, line);
	attron(A_REVERSE);
	mvprintw(2, 0, "%-*.*s", cols, cols, TOP_HEADER);
	attroff(A_REVERSE);
	table_rows = sc->detail ? (rows - 3) / 2 : rows - 3;
	first = sc->sel >= (size_t)table_rows ? sc->sel - table_rows + 1 : 0;
	for (i = first, y = 3; i < sc->n && y < 3 + table_rows; i++, y++) {
		format_row(line, sizeof(line), &sc->rows[i]);
		if (i == sc->sel)
			attron(A_BOLD | A_UNDERLINE);
		mvprintw(y, 0, "%.*s", cols, line);
		if (i == sc->sel)
			attroff(A_BOLD | A_UNDERLINE);
	}
	if (!sc->n)
		mvprintw(3, 0, "no process holds SVA state%s",
			 a->o.pid || a->o.dev ? " (matching the filter)" : "");
	if (sc->detail && sc->n)
		draw_detail(s, &sc->rows[sc->sel], 3 + table_rows, rows - 3 - table_rows,
			    cols, now);
	refresh();
}

static void prompt(const char *what, char *buf, int len)
{
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	(void)cols;
	move(rows - 1, 0);
	clrtoeol();
	printw("%s: ", what);
	echo();
	curs_set(1);
	timeout(-1);
	if (getnstr(buf, len - 1) == ERR)
		buf[0] = '\0';
	noecho();
	curs_set(0);
	timeout(100);
}

static char dev_filter[SVATOP_NAME_LEN];

/* Returns true when the screen must be redrawn now. */
static bool handle_key(int ch, struct top_args *a, struct screen *sc)
{
	char buf[64];
	unsigned long v;

	sc->msg[0] = '\0';
	switch (ch) {
	case 'q':
	case 'Q':
		stop_requested = 1;
		return false;
	case 's':
		a->o.sort = (a->o.sort + 1) % TOP_SORT_MAX;
		return true;
	case 'S':
		a->o.sort = (a->o.sort + TOP_SORT_MAX - 1) % TOP_SORT_MAX;
		return true;
	case 'r':
		a->o.reverse = !a->o.reverse;
		return true;
	case 'p':
		prompt("pid (empty: any)", buf, sizeof(buf));
		if (!buf[0])
			a->o.pid = 0;
		else if (view_parse_uint(buf, 0x7fffffff, &v))
			snprintf(sc->msg, sizeof(sc->msg), "not a pid: %.40s", buf);
		else
			a->o.pid = v;
		return true;
	case 'd':
		prompt("device (empty: any)", dev_filter, sizeof(dev_filter));
		a->o.dev = dev_filter[0] ? dev_filter : NULL;
		return true;
	case 'c':
		a->o.pid = 0;
		a->o.dev = NULL;
		return true;
	case KEY_UP:
	case 'k':
		if (sc->sel)
			sc->sel--;
		return true;
	case KEY_DOWN:
	case 'j':
		sc->sel++;
		return true;
	case '\n':
	case KEY_ENTER:
		sc->detail = !sc->detail;
		return true;
	case KEY_RESIZE:
	case ' ':
		return true;
	default:
		return false;
	}
}

static int top_interactive(struct view_session *s, struct top_args *a)
{
	struct screen sc = { 0 };
	struct top_prev prev;
	uint64_t next;
	int ch, err = 0;

	setlocale(LC_ALL, "");
	if (!initscr()) {
		p_err("top: cannot initialize the terminal (try -b)");
		return -ENOTTY;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	timeout(0);
	top_prev_init(&prev);
	next = view_monotonic_ns();
	while (!stop_requested) {
		if (view_monotonic_ns() >= next) {
			draw(s, a, &sc, &prev);
			next = view_monotonic_ns() + (uint64_t)(a->interval * 1e9);
		}
		err = view_session_poll(s, s->ended ? 0 : 50);
		if (err)
			break;
		ch = getch();
		if (ch == ERR && s->ended)
			napms(50);
		if (ch != ERR && handle_key(ch, a, &sc) && !stop_requested)
			draw(s, a, &sc, &prev);
	}
	endwin();
	free(sc.rows);
	top_prev_fini(&prev);
	return err;
}
