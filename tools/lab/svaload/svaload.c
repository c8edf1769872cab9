// SPDX-License-Identifier: GPL-2.0
/*
 * svaload: runs SVA workload scenarios, written as small text scripts,
 * against svamock's /dev/svamock<N> devices. The language is described in
 * usage() and docs/lab.md; a scenario is data, never C code. Buffers and
 * device accesses (touch) are in touch.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../svamock/svamock_uapi.h"
#include "svaload.h"

#define MAX_ARGS	5
#define MAX_DEPTH	16
#define MAX_THREADS	64

enum op {
	OP_OPEN, OP_CLOSE, OP_BIND, OP_UNBIND, OP_SLEEP, OP_FORK, OP_SPAWN,
	OP_REPEAT, OP_THREAD, OP_LEAVE, OP_WAIT, OP_EXIT, OP_HOLD, OP_READY, OP_ECHO, OP_KNOB,
	OP_QUIET, OP_EXEC, OP_BUFFER, OP_TOUCH, OP_DISCARD, OP_UNMAP, OP_FILL, OP_MARK, OP_CPU, OP_END,
};

struct cmd_def {
	const char *name;
	enum op op;
	int min_args, max_args;
	bool block;
};

static const struct cmd_def cmd_defs[] = {
	{ "open", OP_OPEN, 1, 1, false },
	{ "close", OP_CLOSE, 1, 1, false },
	{ "bind", OP_BIND, 1, 2, false },
	{ "unbind", OP_UNBIND, 1, 2, false },
	{ "sleep", OP_SLEEP, 1, 1, false },
	{ "fork", OP_FORK, 0, 0, true },
	{ "spawn", OP_SPAWN, 1, 1, true },
	{ "repeat", OP_REPEAT, 1, 1, true },
	{ "thread", OP_THREAD, 0, 0, true },
	{ "leave", OP_LEAVE, 0, 0, false },
	{ "wait", OP_WAIT, 0, 0, false },
	{ "exit", OP_EXIT, 0, 1, false },
	{ "exec", OP_EXEC, 1, MAX_ARGS, false },
	{ "hold", OP_HOLD, 0, 1, false },
	{ "ready", OP_READY, 1, 1, false },
	{ "echo", OP_ECHO, 0, MAX_ARGS, false },
	{ "knob", OP_KNOB, 2, 2, false },
	{ "quiet", OP_QUIET, 0, 0, false },
	{ "cpu", OP_CPU, 1, 1, false },
	{ "buffer", OP_BUFFER, 2, 3, false },
	{ "touch", OP_TOUCH, 2, 5, false },
	{ "discard", OP_DISCARD, 1, 1, false },
	{ "unmap", OP_UNMAP, 1, 1, false },
	{ "fill", OP_FILL, 1, 1, false },
	{ "mark", OP_MARK, 1, MAX_ARGS, false },
	{ "end", OP_END, 0, 0, false },
};

struct stmt {
	enum op op;
	int line;
	int argc;
	char *argv[MAX_ARGS];
	long num;		/* device, count, exit code, ms, pages */
	int expect;		/* bind/unbind/touch: expected errno, 0 = success */
	struct touch_args touch;	/* touch */
	bool read_only;		/* buffer */
	struct stmt *body;	/* fork/spawn/repeat/thread */
	struct stmt *next;
};

static const char *script_name = "-";
struct proc_state st;

/*
 * Threads (the thread command): one runs commands at a time, holding
 * run_lock; hold, sleep and wait release it while they block.
 */
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t threads[MAX_THREADS];
static int nr_threads;
static bool thread_failed;	/* under run_lock */

static void usage(FILE *f)
{
	fprintf(f,
"usage: svaload [-q] [-n] SCRIPT | -e 'CMD; CMD; ...' | -B\n"
"Runs an SVA workload scenario against /dev/svamock<N>; -n only checks the\n"
"script. SCRIPT without a '/' that does not exist is looked up in\n"
"/lab/scenarios/ (.sva optional). -B lists the kernel's BPF programs, maps\n"
"and links instead (the guest has no bpftool).\n"
"One command a line ('#' starts a comment; with -e ';' separates):\n"
"  open DEV | close DEV        open (again) / close /dev/svamockDEV\n"
"  bind DEV [expect=E]         bind this process (opens DEV if needed); E: ok or\n"
"                              an errno name (EOPNOTSUPP, EIO, ENOMEM, ...)\n"
"  unbind DEV [expect=E]       unbind this process's newest bond on DEV\n"
"  sleep MS                    sleep MS milliseconds\n"
"  fork ... end                run the block in a child process (no wait)\n"
"  spawn N ... end             run the block in N child processes\n"
"  repeat N ... end            run the block N times\n"
"  thread ... end              run the block in a new thread of this process\n"
"                              (no wait); the threads' commands run one at a\n"
"                              time, but hold, sleep and wait let others run\n"
"  leave                       end this thread only (pthread_exit); the process\n"
"                              lives on while another thread does, and then\n"
"                              exits 0 (its threads' and children's results\n"
"                              are not judged)\n"
"  wait                        wait for every thread, then every child; fails\n"
"                              if one failed\n"
"  exit [CODE]                 exit now, without unbinding (the files close)\n"
"  exec PROG [ARG...]          replace this process (a new mm; the device files\n"
"                              stay open, so the old mm's bonds stay)\n"
"  ready PATH                  write this pid to PATH (tell a test we got here)\n"
"  hold [PATH]                 wait for SIGUSR1, or until PATH exists\n"
"  knob NAME VALUE             write /sys/module/svamock/parameters/NAME\n"
"  buffer NAME PAGES [ro]      map PAGES anonymous pages (read-only with ro)\n"
"  touch DEV NAME [write] [threads=N] [expect=E]\n"
"                              the device accesses every page of buffer NAME\n"
"                              by PASID (this process's bond on DEV), from N\n"
"                              threads at once, each its own slice; NAME may be\n"
"                              'unmapped' (a page with no mapping). E: ok,\n"
"                              EFAULT, EIO, ETIMEDOUT, ...\n"
"  discard NAME                madvise(MADV_DONTNEED) the buffer\n"
"  unmap NAME                  munmap the buffer (its name stays, for touch)\n"
"  fill NAME                   this process (the CPU) writes every page of NAME\n"
"  mark TEXT...                write 'svaload: TEXT' to the kernel's trace\n"
"                              (tracefs trace_marker), to find steps in a trace\n"
"  quiet                       stop printing each bind/unbind (counts only)\n"
"  echo TEXT...                print TEXT\n"
"DEV: N, svamockN, /dev/svamockN or svamock-dev.N.\n"
"Exit status: 0 as expected, 1 an operation or child failed, 2 bad script.\n");
}

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("svaload: pid=%d ", getpid());
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
}

void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "svaload: pid=%d error: ", getpid());
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- errno names ------------------------------------------------------ */

static const struct {
	const char *name;
	int err;
} errnames[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EIO", EIO },
	{ "E2BIG", E2BIG }, { "EBADF", EBADF }, { "ENOMEM", ENOMEM },
	{ "EFAULT", EFAULT }, { "EBUSY", EBUSY }, { "ENODEV", ENODEV },
	{ "EINVAL", EINVAL }, { "ENOSPC", ENOSPC }, { "ENOTTY", ENOTTY },
	{ "EOVERFLOW", EOVERFLOW }, { "EOPNOTSUPP", EOPNOTSUPP },
	{ "ENOTSUP", ENOTSUP }, { "EEXIST", EEXIST }, { "EAGAIN", EAGAIN },
	{ "ETIMEDOUT", ETIMEDOUT }, { "EINTR", EINTR }, { "ESTALE", ESTALE },
};

const char *errname(int err)
{
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	return "E?";
}

static int errnum(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (!strcmp(errnames[i].name, name))
			return errnames[i].err;
	return -1;
}

/* ---- parsing ------------------------------------------------------------ */

static int parse_error(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "svaload: %s:%d: ", script_name, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return -1;
}

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_dev(const char *s, long *out)
{
	static const char *const prefixes[] = {
		"/dev/svamock", "svamock-dev.", "svamock", "",
	};
	size_t i, n;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		n = strlen(prefixes[i]);
		if (!strncmp(s, prefixes[i], n) && isdigit((unsigned char)s[n]))
			return parse_long(s + n, 0, MAX_DEVS - 1, out);
	}
	return false;
}

/* "expect=ok|ERRNO" into *expect; -1 with a message if bad. */
static int parse_expect(const char *arg, int line, int *expect)
{
	const char *e = arg + 7;

	if (strncmp(arg, "expect=", 7))
		return parse_error(line, "unknown argument '%s' (want expect=ok|ERRNO)", arg);
	if (!strcmp(e, "ok")) {
		*expect = 0;
		return 0;
	}
	*expect = errnum(e);
	if (*expect < 0)
		return parse_error(line, "unknown errno name '%s'", e);
	return 0;
}

/* touch DEV NAME|unmapped [write] [threads=N] [expect=E] */
static int check_touch(struct stmt *s)
{
	struct touch_args *t = &s->touch;
	long threads = 1;
	int i;

	t->line = s->line;
	t->target = s->argv[1];
	if (!parse_dev(s->argv[0], &t->dev))
		return parse_error(s->line, "bad device '%s' (want N, svamockN or svamock-dev.N)", s->argv[0]);
	if (strcmp(t->target, "unmapped") && !buffer_name_ok(t->target))
		return parse_error(s->line, "bad buffer name '%s'", t->target);
	for (i = 2; i < s->argc; i++) {
		const char *a = s->argv[i];

		if (!strcmp(a, "write")) {
			t->write = true;
		} else if (!strncmp(a, "threads=", 8)) {
			if (!parse_long(a + 8, 1, TOUCH_THREADS_MAX, &threads))
				return parse_error(s->line, "bad thread count '%s' (1-%d)", a + 8, TOUCH_THREADS_MAX);
		} else if (parse_expect(a, s->line, &t->expect)) {
			return -1;
		}
	}
	t->threads = (int)threads;
	if (t->threads > 1 && !strcmp(t->target, "unmapped"))
		return parse_error(s->line, "'unmapped' is one page: no threads");
	return 0;
}

/* Checks the arguments of one statement; fills num and expect. */
static int check_stmt(struct stmt *s)
{
	const char *a0 = s->argc > 0 ? s->argv[0] : "";

	switch (s->op) {
	case OP_OPEN:
	case OP_CLOSE:
	case OP_BIND:
	case OP_UNBIND:
		if (!parse_dev(a0, &s->num))
			return parse_error(s->line, "bad device '%s' (want N, svamockN or svamock-dev.N)", a0);
		if (s->argc == 2)
			return parse_expect(s->argv[1], s->line, &s->expect);
		return 0;
	case OP_BUFFER:
		if (!buffer_name_ok(a0))
			return parse_error(s->line, "bad buffer name '%s' (letters, digits, _ and -, at most %d; not 'unmapped')",
					   a0, BUFFER_NAME_MAX);
		if (!parse_long(s->argv[1], 1, BUFFER_PAGES_MAX, &s->num))
			return parse_error(s->line, "bad page count '%s' (1-%d)", s->argv[1], BUFFER_PAGES_MAX);
		if (s->argc == 3 && strcmp(s->argv[2], "ro"))
			return parse_error(s->line, "unknown argument '%s' (want ro)", s->argv[2]);
		s->read_only = s->argc == 3;
		return 0;
	case OP_DISCARD:
	case OP_UNMAP:
	case OP_FILL:
		if (!buffer_name_ok(a0))
			return parse_error(s->line, "bad buffer name '%s'", a0);
		return 0;
	case OP_TOUCH:
		return check_touch(s);
	case OP_CPU:
		if (!parse_long(a0, 0, CPU_SETSIZE - 1, &s->num))
			return parse_error(s->line, "bad cpu '%s' (0-%d)", a0, CPU_SETSIZE - 1);
		return 0;
	case OP_SLEEP:
		if (!parse_long(a0, 0, 3600000, &s->num))
			return parse_error(s->line, "bad sleep '%s' (milliseconds, 0-3600000)", a0);
		return 0;
	case OP_SPAWN:
	case OP_REPEAT:
		if (!parse_long(a0, 0, 100000000, &s->num))
			return parse_error(s->line, "bad count '%s'", a0);
		if (s->op == OP_SPAWN && s->num > 10000)
			return parse_error(s->line, "spawn count %ld too large (max 10000)", s->num);
		return 0;
	case OP_EXIT:
		s->num = 0;
		if (s->argc && !parse_long(a0, 0, 255, &s->num))
			return parse_error(s->line, "bad exit code '%s'", a0);
		return 0;
	case OP_KNOB:
		if (strchr(a0, '/') || a0[0] == '.')
			return parse_error(s->line, "bad knob name '%s'", a0);
		return 0;
	default:
		return 0;
	}
}

/* Splits one line into words; returns the word count or -1. */
static int split_words(char *line, char **words, int max, int lineno)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			return n;
		if (n == max)
			return parse_error(lineno, "too many words (max %d)", max);
		words[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
}

struct parser {
	char **lines;
	int *linenos;
	int nlines;
	int pos;
};

/* Parses statements until 'end' (depth > 0) or the end of the script. */
static int parse_block(struct parser *p, int depth, struct stmt **out)
{
	struct stmt **tail = out;
	int open_line = p->pos > 0 ? p->linenos[p->pos - 1] : 0;

	*out = NULL;
	while (p->pos < p->nlines) {
		char *words[MAX_ARGS + 1];
		const struct cmd_def *def = NULL;
		int lineno = p->linenos[p->pos];
		char *line = p->lines[p->pos++];
		struct stmt *s;
		size_t i;
		int n;

		n = split_words(line, words, MAX_ARGS + 1, lineno);
		if (n < 0)
			return -1;
		if (n == 0)
			continue;
		for (i = 0; i < sizeof(cmd_defs) / sizeof(cmd_defs[0]); i++)
			if (!strcmp(cmd_defs[i].name, words[0]))
				def = &cmd_defs[i];
		if (!def)
			return parse_error(lineno, "unknown command '%s'", words[0]);
		if (def->op == OP_END) {
			if (depth == 0)
				return parse_error(lineno, "'end' without a block");
			return 0;
		}
		if (n - 1 < def->min_args || n - 1 > def->max_args)
			return parse_error(lineno, "'%s' takes %d to %d arguments, got %d",
					   def->name, def->min_args, def->max_args, n - 1);
		s = calloc(1, sizeof(*s));
		if (!s)
			return parse_error(lineno, "out of memory");
		s->op = def->op;
		s->line = lineno;
		s->argc = n - 1;
		for (i = 1; i < (size_t)n; i++)
			s->argv[i - 1] = words[i];
		if (check_stmt(s))
			return -1;
		*tail = s;
		tail = &s->next;
		if (def->block) {
			if (depth + 1 >= MAX_DEPTH)
				return parse_error(lineno, "blocks nested too deep");
			if (parse_block(p, depth + 1, &s->body))
				return -1;
		}
	}
	if (depth > 0)
		return parse_error(open_line, "block not closed with 'end'");
	return 0;
}

static char *read_all(FILE *f)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	size_t n;

	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* Cuts text into lines at '\n' (and at ';' for -e); keeps line numbers. */
static int parse_text(char *text, bool semicolons, struct stmt **out)
{
	struct parser p = { 0 };
	int cap = 0, lineno = 1;
	char *s = text;

	for (;;) {
		char *e = s + strcspn(s, semicolons ? "\n;" : "\n");
		char sep = *e;

		if (p.nlines == cap) {
			cap = cap ? cap * 2 : 64;
			p.lines = realloc(p.lines, cap * sizeof(*p.lines));
			p.linenos = realloc(p.linenos, cap * sizeof(*p.linenos));
			if (!p.lines || !p.linenos)
				return parse_error(lineno, "out of memory");
		}
		*e = '\0';
		p.lines[p.nlines] = s;
		p.linenos[p.nlines++] = lineno;
		if (!sep)
			break;
		/* With -e, "line" N is the Nth command. */
		if (sep == '\n' || semicolons)
			lineno++;
		s = e + 1;
	}
	return parse_block(&p, 0, out);
}

/* ---- running -------------------------------------------------------- */

static int run_block(const struct stmt *s);
static int hold_unlocked(const struct stmt *s);

int dev_open(long dev)
{
	char path[64];

	if (st.fds[dev] >= 0)
		close(st.fds[dev]);
	snprintf(path, sizeof(path), "/dev/svamock%ld", dev);
	st.fds[dev] = open(path, O_RDWR | O_CLOEXEC);
	if (st.fds[dev] < 0) {
		fail("open %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Runs one bind or unbind ioctl and judges its result against expect. */
static int do_ioctl(const struct stmt *s)
{
	bool bind = s->op == OP_BIND;
	const char *what = bind ? "bind" : "unbind";
	int ret, err;

	if (st.fds[s->num] < 0 && dev_open(s->num))
		return -1;
	ret = ioctl(st.fds[s->num], bind ? SVAMOCK_IOC_BIND : SVAMOCK_IOC_UNBIND);
	err = ret < 0 ? errno : 0;
	if (err == s->expect) {
		if (err) {
			st.expected_errors++;
			if (!st.quiet)
				say("%s svamock-dev.%ld failed as expected: %s (-%d)",
				    what, s->num, errname(err), err);
			return 0;
		}
		if (bind)
			st.binds++;
		else
			st.unbinds++;
		if (!st.quiet) {
			if (bind)
				say("bind svamock-dev.%ld pasid=%d", s->num, ret);
			else
				say("unbind svamock-dev.%ld", s->num);
		}
		return 0;
	}
	if (err)
		fail("line %d: %s svamock-dev.%ld: %s (-%d: %s)%s%s", s->line, what, s->num,
		     errname(err), err, strerror(err), s->expect ? ", expected " : "",
		     s->expect ? errname(s->expect) : "");
	else
		fail("line %d: %s svamock-dev.%ld succeeded, expected %s", s->line, what,
		     s->num, errname(s->expect));
	return -1;
}

/* Waits for every thread and child; -1 if one failed. run_lock held. */
static int wait_children(void)
{
	int status, ret = 0, i;
	pid_t pid;

	if (nr_threads) {
		pthread_mutex_unlock(&run_lock);
		for (i = 0; i < nr_threads; i++)
			pthread_join(threads[i], NULL);
		pthread_mutex_lock(&run_lock);
		nr_threads = 0;
		if (thread_failed) {
			fail("a thread failed");
			ret = -1;
		}
		thread_failed = false;
	}

	while ((pid = wait(&status)) > 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		if (WIFEXITED(status))
			fail("child %d exited with status %d", pid, WEXITSTATUS(status));
		else
			fail("child %d killed by signal %d", pid, WTERMSIG(status));
		ret = -1;
	}
	return ret;
}

static void finish(int code) __attribute__((noreturn));
static void finish(int code)
{
	if (st.quiet)
		say("done binds=%lu unbinds=%lu expected_errors=%lu status=%d touches=%lu faults=%lu",
		    st.binds, st.unbinds, st.expected_errors, code, st.touches, st.faults);
	fflush(stdout);
	_exit(code);
}

static int start_child(const struct stmt *body)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fail("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* Only the forking thread lives on in the child. */
		nr_threads = 0;
		thread_failed = false;
		st.binds = st.unbinds = st.expected_errors = 0;
		st.touches = st.faults = 0;
		if (!st.quiet)
			say("child started");
		finish(run_block(body) ? 1 : 0);
	}
	return 0;
}

static void *thread_main(void *arg)
{
	const struct stmt *body = arg;

	pthread_mutex_lock(&run_lock);
	if (!st.quiet)
		say("thread %d started", gettid());
	if (run_block(body))
		thread_failed = true;
	pthread_mutex_unlock(&run_lock);
	return NULL;
}

static int start_thread(const struct stmt *s)
{
	int ret;

	if (nr_threads == MAX_THREADS) {
		fail("line %d: more than %d threads not waited for", s->line, MAX_THREADS);
		return -1;
	}
	ret = pthread_create(&threads[nr_threads], NULL, thread_main, s->body);
	if (ret) {
		fail("line %d: pthread_create: %s", s->line, strerror(ret));
		return -1;
	}
	nr_threads++;
	return 0;
}

static int hold(const struct stmt *s)
{
	int ret;

	pthread_mutex_unlock(&run_lock);
	ret = hold_unlocked(s);
	pthread_mutex_lock(&run_lock);
	return ret;
}

static int hold_unlocked(const struct stmt *s)
{
	sigset_t set;
	int fd, sig;

	if (!s->argc) {
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		say("holding until SIGUSR1");
		if (sigwait(&set, &sig)) {
			fail("sigwait failed");
			return -1;
		}
		return 0;
	}
	/* Watch the folder first, then look, so no creation is missed. */
	{
		char dir[PATH_MAX], *slash;

		snprintf(dir, sizeof(dir), "%s", s->argv[0]);
		slash = strrchr(dir, '/');
		if (slash == dir)
			dir[1] = '\0';
		else if (slash)
			*slash = '\0';
		else
			strcpy(dir, ".");
		fd = inotify_init1(IN_CLOEXEC);
		if (fd < 0 || inotify_add_watch(fd, dir, IN_CREATE | IN_MOVED_TO) < 0) {
			fail("line %d: cannot watch %s: %s", s->line, dir, strerror(errno));
			return -1;
		}
	}
	say("holding until %s exists", s->argv[0]);
	while (access(s->argv[0], F_OK)) {
		char buf[4096];

		if (read(fd, buf, sizeof(buf)) < 0 && errno != EINTR) {
			fail("inotify read: %s", strerror(errno));
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

static int write_file(const char *path, const char *text, int line)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0) {
		fail("line %d: open %s: %s", line, path, strerror(errno));
		return -1;
	}
	n = write(fd, text, strlen(text));
	if (n < 0 || (size_t)n != strlen(text) || close(fd)) {
		fail("line %d: write %s: %s", line, path, strerror(errno));
		if (n < 0)
			close(fd);
		return -1;
	}
	return 0;
}

/* The statement's arguments, separated by spaces. */
static void join_args(const struct stmt *s, char *buf, size_t size)
{
	int i;

	buf[0] = '\0';
	for (i = 0; i < s->argc; i++) {
		strncat(buf, s->argv[i], size - strlen(buf) - 2);
		if (i + 1 < s->argc)
			strcat(buf, " ");
	}
}

static int trace_mark(const struct stmt *s)
{
	static const char *const markers[] = {
		"/sys/kernel/tracing/trace_marker",
		"/sys/kernel/debug/tracing/trace_marker",
	};
	char buf[PATH_MAX], text[PATH_MAX + 16];
	ssize_t n = -1;
	size_t i;
	int fd = -1;

	join_args(s, buf, sizeof(buf));
	snprintf(text, sizeof(text), "svaload: %s\n", buf);
	for (i = 0; i < sizeof(markers) / sizeof(markers[0]) && fd < 0; i++)
		fd = open(markers[i], O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = write(fd, text, strlen(text));
		close(fd);
	}
	if (n != (ssize_t)strlen(text)) {
		fail("line %d: cannot write to the trace_marker of tracefs: %s", s->line,
		     strerror(errno));
		return -1;
	}
	return 0;
}

static int run_stmt(const struct stmt *s)
{
	char buf[PATH_MAX];
	struct timespec ts;
	long i;
	int ret;

	switch (s->op) {
	case OP_OPEN:
		return dev_open(s->num);
	case OP_CLOSE:
		if (st.fds[s->num] >= 0)
			close(st.fds[s->num]);
		st.fds[s->num] = -1;
		return 0;
	case OP_BIND:
	case OP_UNBIND:
		return do_ioctl(s);
	case OP_SLEEP:
		ts.tv_sec = s->num / 1000;
		ts.tv_nsec = (s->num % 1000) * 1000000L;
		pthread_mutex_unlock(&run_lock);
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		pthread_mutex_lock(&run_lock);
		return 0;
	case OP_FORK:
		return start_child(s->body);
	case OP_SPAWN:
		for (i = 0; i < s->num; i++)
			if (start_child(s->body))
				return -1;
		return 0;
	case OP_REPEAT:
		for (i = 0; i < s->num; i++)
			if (run_block(s->body))
				return -1;
		return 0;
	case OP_THREAD:
		return start_thread(s);
	case OP_LEAVE:
		if (!st.quiet)
			say("thread %d leaves", gettid());
		fflush(stdout);
		pthread_mutex_unlock(&run_lock);
		pthread_exit(NULL);
	case OP_WAIT:
		return wait_children();
	case OP_EXIT:
		if (!st.quiet)
			say("exit %ld", s->num);
		finish((int)s->num);
	case OP_EXEC: {
		char *args[MAX_ARGS + 1] = { NULL };
		int i;

		for (i = 0; i < s->argc && i < MAX_ARGS; i++)
			args[i] = s->argv[i];
		if (!st.quiet)
			say("exec %s", args[0]);
		fflush(NULL);
		execvp(args[0], args);
		fail("line %d: exec %s: %s", s->line, args[0], strerror(errno));
		return -1;
	}
	case OP_HOLD:
		return hold(s);
	case OP_READY:
		snprintf(buf, sizeof(buf), "%d\n", getpid());
		ret = write_file(s->argv[0], buf, s->line);
		if (!ret && !st.quiet)
			say("ready %s", s->argv[0]);
		return ret;
	case OP_ECHO:
		join_args(s, buf, sizeof(buf));
		printf("%s\n", buf);
		fflush(stdout);
		return 0;
	case OP_KNOB:
		snprintf(buf, sizeof(buf), "/sys/module/svamock/parameters/%s", s->argv[0]);
		if (write_file(buf, s->argv[1], s->line))
			return -1;
		if (!st.quiet)
			say("knob %s=%s", s->argv[0], s->argv[1]);
		return 0;
	case OP_QUIET:
		st.quiet = true;
		return 0;
	case OP_CPU: {
		/* this process and all it starts from now on run on one CPU */
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(s->num, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			fail("line %d: cpu %ld: %s", s->line, s->num, strerror(errno));
		return 0;
	}
	case OP_BUFFER:
		return buffer_create(s->argv[0], s->num, s->read_only, s->line);
	case OP_DISCARD:
		return buffer_discard(s->argv[0], s->line);
	case OP_UNMAP:
		return buffer_unmap(s->argv[0], s->line);
	case OP_FILL:
		return buffer_fill(s->argv[0], s->line);
	case OP_MARK:
		return trace_mark(s);
	case OP_TOUCH:
		return touch(&s->touch);
	case OP_END:
		break;
	}
	return 0;
}

static int run_block(const struct stmt *s)
{
	for (; s; s = s->next)
		if (run_stmt(s))
			return -1;
	return 0;
}

static FILE *open_script(const char *name)
{
	char path[PATH_MAX];
	FILE *f = fopen(name, "r");

	if (f || strchr(name, '/'))
		return f;
	snprintf(path, sizeof(path), "/lab/scenarios/%s", name);
	f = fopen(path, "r");
	if (!f) {
		snprintf(path, sizeof(path), "/lab/scenarios/%s.sva", name);
		f = fopen(path, "r");
	}
	return f;
}

int main(int argc, char **argv)
{
	struct stmt *prog = NULL;
	bool inline_script = false, quiet = false, check_only = false;
	sigset_t set;
	char *text;
	FILE *f;
	int opt, i, ret;

	while ((opt = getopt(argc, argv, "e:qnhB")) != -1) {
		switch (opt) {
		case 'B':
			return bpf_objects();
		case 'e':
			inline_script = true;
			script_name = "-e";
			text = strdup(optarg);
			break;
		case 'q':
			quiet = true;
			break;
		case 'n':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (inline_script == (optind < argc) || argc - optind > 1) {
		usage(stderr);
		return 2;
	}
	if (!inline_script) {
		script_name = argv[optind];
		f = open_script(script_name);
		if (!f) {
			fprintf(stderr, "svaload: cannot open script %s: %s\n", script_name,
				strerror(errno));
			return 2;
		}
		text = read_all(f);
		fclose(f);
	}
	if (!text) {
		fprintf(stderr, "svaload: out of memory\n");
		return 2;
	}
	if (parse_text(text, inline_script, &prog))
		return 2;
	if (check_only)
		return 0;

	for (i = 0; i < MAX_DEVS; i++)
		st.fds[i] = -1;
	st.quiet = quiet;
	/* SIGUSR1 is only ever taken by 'hold' (sigwait). */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);

	pthread_mutex_lock(&run_lock);
	ret = run_block(prog);
	/* The script's end waits for children it did not wait for. */
	if (wait_children())
		ret = -1;
	finish(ret ? 1 : 0);
}
