// SPDX-License-Identifier: GPL-2.0
/* The top view on a terminal (ncurses): the table, a detail pane with the
 * selected process's graph and findings, and the interactive keys. */
#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "common/clock.h"
#include "common/escape.h"
#include "common/log.h"
#include "common/stop.h"
#include "pipeline/session.h"
#include "common/escape.h"
#include "view/bind_explain.h"
#include "view/finding.h"
#include "view/graph.h"
#include "view/top.h"

struct screen {
	struct top_row *rows;
	size_t n;
	size_t sel;
	bool detail;
	char msg[128];
};

static void draw_detail(struct session *s, const struct top_row *r, int top, int rows,
			int cols, uint64_t now)
{
	struct graph_filter flt = { .pid = r->pid };
	const struct bind_failure *bf;
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
	bf = r->pid ? analyzer_last_bind_failure(&s->a, r->pid) : NULL;
	if (bf) {
		fputs("last failed bind: device ", f);
		fput_escaped(f, bf->dev_name[0] ? bf->dev_name : "?", sizeof(bf->dev_name));
		fprintf(f, " ret %d\n    ", bf->x.ret);
		view_bind_explain_text(f, &bf->x);
		fputc('\n', f);
	}
	fclose(f);
	attron(A_BOLD);
	snprintf(title, sizeof(title), " detail: pid %u (%s): its graph and findings", r->pid,
		 ESCAPED(r->comm, "?"));
	mvprintw(y++, 0, "%-*.*s", cols, cols, title);
	attroff(A_BOLD);
	for (line = strtok_r(buf, "\n", &save); line && y < top + rows;
	     line = strtok_r(NULL, "\n", &save))
		mvprintw(y++, 0, "%.*s", cols, line);
	free(buf);
}

static void draw(struct session *s, struct top_args *a, struct screen *sc,
		 struct top_prev *prev)
{
	uint64_t now = session_now(s);
	int rows, cols, y, table_rows;
	char line[512], pid[16];
	size_t i, first;

	getmaxyx(stdscr, rows, cols);
	if (s->live)
		session_state_sync(s);
	session_iopf_refresh(s);
	free(sc->rows);
	sc->n = top_collect(&s->m, &s->a, now, &a->o, prev, a->interval, &sc->rows);
	top_sort(sc->rows, sc->n, a->o.sort, top_natural_descending(a->o.sort) ^ a->o.reverse);
	if (sc->sel >= sc->n)
		sc->sel = sc->n ? sc->n - 1 : 0;
	erase();
	top_format_totals(line, sizeof(line), &s->m, &s->a, now, session_dropped(s));
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
		top_format_row(line, sizeof(line), &sc->rows[i]);
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

int top_interactive(struct session *s, struct top_args *a)
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
	next = clock_monotonic_ns();
	while (!stop_requested) {
		if (clock_monotonic_ns() >= next) {
			draw(s, a, &sc, &prev);
			next = clock_monotonic_ns() + (uint64_t)(a->interval * 1e9);
		}
		err = session_poll(s, s->ended ? 0 : 50);
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
