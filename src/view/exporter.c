// SPDX-License-Identifier: GPL-2.0
/*
 * svatop exporter: Prometheus metrics of the live model (or of a
 * recording) over HTTP. The event consumer (this thread) renders the
 * metrics text every interval (exporter_metrics.c) and publishes it with a
 * trylock, so it never waits for HTTP; libmicrohttpd serves copies of the
 * latest text from its own thread (exporter_http.c). Metric list:
 * docs/metrics.md.
 */
#include <argp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "commands.h"
#include "common/priv.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/stop.h"
#include "common/version.h"
#include "pipeline/session.h"
#include "view/exporter.h"
#include "view/exporter_http.h"
#include "view/options.h"

struct exporter_args {
	const char *listen;
	double interval;
	double grace;
	double timeout;
	unsigned long max_conn;
	bool per_process;
	bool stream;		/* --stream: no state mode */
	struct common_args c;
};

#define EXPORTER_OPT_STREAM	0x100

struct exporter {
	struct session s;
	struct exporter_counts counts;
	struct http http;
	const struct exporter_args *args;
	double render_s;		/* the last rendering's duration */
	char *pending;			/* rendered, not yet published */
	size_t pending_len;
};

static const struct argp_option exporter_options[] = {
	{ "listen", 'l', "ADDR:PORT", 0,
	  "where to serve /metrics (" EXPORTER_DEFAULT_LISTEN "; [::1]:PORT for IPv6; "
	  "port 0 picks a free one)", 0 },
	{ "interval", 'i', "SECONDS", 0, "how often the metrics are recomputed (1)", 0 },
	{ "grace", 'g', "SECONDS", 0, "how long state may outlive its process (3)", 0 },
	{ "max-connections", 'c', "N", 0, "concurrent HTTP connections (128; an eighth per client)", 0 },
	{ "timeout", 't', "SECONDS", 0, "a request's whole time: slower clients are dropped (10)", 0 },
	{ "per-process", 'P', NULL, 0,
	  "also series per process (pid, comm labels; at most 512 pids)", 0 },
	{ "stream", EXPORTER_OPT_STREAM, NULL, 0,
	  "stream every event instead of state mode (kernel counts and a re-walk of the "
	  "kernel's SVA state per interval; docs/design.md)", 0 },
	{ 0 },
};

static error_t exporter_parse(int key, char *arg, struct argp_state *state)
{
	struct exporter_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->c;
		break;
	case 'l':
		a->listen = arg;
		break;
	case 'i':
		view_arg_seconds(state, arg, "interval", 0.05, &a->interval);
		break;
	case 'g':
		view_arg_seconds(state, arg, "grace period", 0, &a->grace);
		break;
	case 'c':
		if (view_parse_uint(arg, 4096, &a->max_conn) || a->max_conn < 2)
			argp_error(state, "invalid connection limit '%s' (2..4096)", arg);
		break;
	case 't':
		if (view_parse_seconds(arg, &a->timeout) || a->timeout < 1 || a->timeout > 3600)
			argp_error(state, "invalid timeout '%s' (1..3600 seconds)", arg);
		break;
	case 'P':
		a->per_process = true;
		break;
	case EXPORTER_OPT_STREAM:
		a->stream = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (a->c.pid && a->c.replay)
			argp_error(state, "--pid selects what the kernel traces: not with --replay");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* An observer of the session: the counters the model does not keep. */
static int exporter_count(const struct svatop_event *ev, void *ctx)
{
	exporter_count_event(ctx, ev);
	return 0;
}

static int exporter_render_now(struct exporter *x)
{
	struct exporter_info info = {
		.version = SVATOP_VERSION,
		.mode = x->s.live ? "live" : "replay",
		.source_desc = source_describe(x->s.src),
		.now_ns = session_now(&x->s),
		.wall_s = clock_realtime_s(),
		.ended = x->s.ended,
		.live = x->s.live,
		.per_process = x->args->per_process,
		.render_s = x->render_s,
	};
	uint64_t t0 = clock_monotonic_ns();
	struct source_stats st = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *o;
	int err;

	if (x->s.live) {
		err = session_state_sync(&x->s);
		if (err)
			return err;
		info.now_ns = session_now(&x->s);	/* after the re-walk */
	}
	info.state_walks = x->s.state_walks;
	info.state_walks_skipped = x->s.state_walks_skipped;
	info.state_tally_full = x->s.tally_full;
	source_stats(x->s.src, &st);
	session_iopf_refresh(&x->s);
	o = open_memstream(&buf, &len);
	if (!o)
		return -ENOMEM;
	err = exporter_render(o, &x->s.m, &x->s.a, &st, &x->counts, &info);
	if (fclose(o) && !err)
		err = -ENOMEM;
	x->render_s = (clock_monotonic_ns() - t0) / 1e9;
	if (err) {
		free(buf);
		return err;
	}
	free(x->pending);
	x->pending = buf;
	x->pending_len = len;
	if (http_publish(&x->http, x->pending, x->pending_len))
		x->pending = NULL;
	return 0;
}

static void print_listening(struct exporter *x, const struct sockaddr_storage *ss)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	unsigned int port = http_port(&x->http);
	bool v6 = ss->ss_family == AF_INET6;

	if (v6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, addr,
			  sizeof(addr));
	else
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, addr,
			  sizeof(addr));
	if (!exporter_is_loopback(ss))
		fprintf(stderr, "svatop exporter: note: %s is not loopback: anyone who can "
			"reach it reads these metrics\n", addr);
	/* Scripts wait for this line. */
	fprintf(stderr, "svatop exporter: serving http://%s%s%s:%u/metrics\n",
		v6 ? "[" : "", addr, v6 ? "]" : "", port);
}

static int exporter_loop(struct exporter *x)
{
	uint64_t every = (uint64_t)(x->args->interval * 1e9);
	uint64_t next = clock_monotonic_ns() + every;
	struct timespec nap = { 0, 100 * 1000000L };
	bool was_ended;
	int err;

	while (!stop_requested) {
		was_ended = x->s.ended;
		if (was_ended) {
			nanosleep(&nap, NULL);	/* a recording's final state stays */
		} else {
			err = session_poll(&x->s, 100);
			if (err)
				return err;
		}
		if (x->pending && http_publish(&x->http, x->pending, x->pending_len))
			x->pending = NULL;
		/* The end of a recording is rendered at once, then every interval. */
		if (clock_monotonic_ns() < next && was_ended == x->s.ended)
			continue;
		next = clock_monotonic_ns() + every;
		err = exporter_render_now(x);
		if (err) {
			p_err("rendering metrics failed: %s", strerror(-err));
			return err;
		}
	}
	return 0;
}

int cmd_exporter(int argc, char **argv)
{
	const struct argp_child children[] = {
		{ common_argp(COMMON_REPLAY | COMMON_PID | COMMON_VERBOSE | COMMON_IOTLB), 0, NULL, 0 },
		{ 0 },
	};
	const struct argp argp = {
		exporter_options, exporter_parse, NULL,
		"Serve Prometheus metrics of SVA state at http://ADDR:PORT/metrics: live\n"
		"PASIDs, SVA domains and bonds per IOMMU instance and device, lifecycle\n"
		"counters, bind errors by errno, leaks and invariant violations, lost\n"
		"events. Loopback only unless --listen says otherwise.\v"
		"Metrics: docs/metrics.md. Example scrape config and alerting rules:\n"
		"docs/prometheus/. Exit status: 0 after SIGINT/SIGTERM, 2 usage or\n"
		"environment error (bad address, port in use, cannot trace).",
		children, NULL, NULL,
	};
	struct exporter_args a = {
		.listen = EXPORTER_DEFAULT_LISTEN, .interval = 1, .grace = 3,
		.timeout = 10, .max_conn = 128,
	};
	struct live_opts lo = { .snapshot = true };
	struct sockaddr_storage ss;
	struct exporter *x;
	sigset_t block, old;
	socklen_t sl;
	int err, saved;

	argp_err_exit_status = EXIT_USAGE;
	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return EXIT_USAGE;
	if (exporter_parse_listen(a.listen, &ss, &sl)) {
		p_err("invalid listen address '%s': want ADDR:PORT, e.g. 127.0.0.1:9464 or [::1]:9464",
		      a.listen);
		return EXIT_USAGE;
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		p_err("out of memory");
		return EXIT_USAGE;
	}
	x->args = &a;
	pthread_mutex_init(&x->http.lock, NULL);
	x->http.listen_fd = -1;
	lo.target_tgid = a.c.pid;
	lo.verbose = a.c.verbose;
	lo.iopf_invalidations = a.c.iotlb;
	lo.state_mode = !a.stream;
	if (session_open(&x->s, a.c.replay, &lo, (uint64_t)(a.grace * 1e9))) {
		pthread_mutex_destroy(&x->http.lock);
		free(x);
		return EXIT_USAGE;
	}
	session_observe(&x->s, SESSION_ON_APPLIED, exporter_count, &x->counts);
	err = exporter_render_now(x);
	if (err) {
		p_err("rendering metrics failed: %s", strerror(-err));
		goto out;
	}
	/* The HTTP thread inherits a mask without these: signals reach us. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if (http_listen(&x->http, &ss)) {
		p_err("cannot serve on %s: %s", a.listen, strerror(errno));
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		err = -EADDRINUSE;
		goto out;
	}
	/* Attached, maps open, the socket listening, no thread yet (the
	 * sets are per thread): the exporter keeps no capability. */
	err = priv_drop_for("exporter", 0);
	if (err) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		http_stop(&x->http);
		goto out;
	}
	errno = 0;
	err = http_start(&x->http, a.max_conn, a.timeout);
	saved = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		p_err("cannot serve on %s: %s", a.listen,
		      saved ? strerror(saved) : "libmicrohttpd refused the options");
		http_stop(&x->http);
		err = -EADDRINUSE;
		goto out;
	}
	stop_on_signals();
	print_listening(x, &ss);
	err = exporter_loop(x);
	http_stop(&x->http);
out:
	session_close(&x->s);
	free(x->pending);
	free(x->http.text);
	pthread_mutex_destroy(&x->http.lock);
	free(x);
	return err ? EXIT_USAGE : 0;
}
