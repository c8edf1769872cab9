// SPDX-License-Identifier: GPL-2.0
/* Option values every command parses the same way. */
#include <errno.h>
#include <stdlib.h>
#include "common/log.h"
#include "view/options.h"

int view_parse_seconds(const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || v < 0 || v > 1e6)
		return -EINVAL;
	*out = v;
	return 0;
}

int view_parse_uint(const char *arg, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

uint32_t view_arg_pid(struct argp_state *state, const char *arg)
{
	unsigned long v;

	if (view_parse_uint(arg, 0x7fffffff, &v) || !v)
		argp_error(state, "invalid PID '%s'", arg);
	return v;
}

void view_arg_seconds(struct argp_state *state, const char *arg, const char *what,
		      double min, double *out)
{
	if (view_parse_seconds(arg, out) || *out < min)
		argp_error(state, "invalid %s '%s'", what, arg);
}

void view_parse_interval_count(struct argp_state *state, const char *arg, int *npos,
			       double *interval, unsigned long *count)
{
	if (*npos == 0) {
		if (view_parse_seconds(arg, interval) || *interval < 0.1)
			argp_error(state, "invalid interval '%s'", arg);
	} else if (*npos == 1) {
		if (view_parse_uint(arg, 1000000000, count) || !*count)
			argp_error(state, "invalid count '%s'", arg);
	} else {
		argp_error(state, "unexpected argument '%s'", arg);
	}
	(*npos)++;
}

#define COMMON_KEY_IOTLB	0x101	/* long option only */

/* In the order of the COMMON_* bits. */
static const struct argp_option common_options[] = {
	{ "pid", 'p', "PID", 0, "only this process (tgid)", 0 },
	{ "replay", 'r', "FILE", 0, "read events from a recording instead of the kernel", 0 },
	{ "verbose", 'v', NULL, 0, "loader details (libbpf, attach forms)", 0 },
	{ "json", 'j', NULL, 0, "JSON output", 0 },
	{ "duration", 'D', "SECONDS", 0, "stop after SECONDS", 0 },
	{ "iotlb", COMMON_KEY_IOTLB, NULL, 0,
	  "count IOTLB invalidations per SVA mm (a hook on every TLB flush of such an mm: "
	  "costs on that path; docs/iopf.md)", 0 },
};
#define NCOMMON	(sizeof(common_options) / sizeof(common_options[0]))

static error_t common_parse(int key, char *arg, struct argp_state *state)
{
	struct common_args *c = state->input;

	if (!c)
		return ARGP_ERR_UNKNOWN;
	switch (key) {
	case 'p':
		c->pid = view_arg_pid(state, arg);
		break;
	case 'r':
		c->replay = arg;
		break;
	case 'v':
		c->verbose = true;
		log_verbose = true;
		break;
	case 'j':
		c->json = true;
		break;
	case 'D':
		if (view_parse_seconds(arg, &c->duration) || c->duration <= 0)
			argp_error(state, "invalid duration '%s'", arg);
		break;
	case COMMON_KEY_IOTLB:
		c->iotlb = true;
		break;
	case ARGP_KEY_END:
		if (c->iotlb && c->replay)
			argp_error(state, "--iotlb counts the live kernel's invalidations: "
				   "a recording carries none");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp *common_argp(unsigned int which)
{
	static struct argp_option opts[COMMON_ALL + 1][NCOMMON + 1];
	static struct argp argps[COMMON_ALL + 1];
	unsigned int i, n = 0;

	which &= COMMON_ALL;
	if (!argps[which].parser) {
		for (i = 0; i < NCOMMON; i++)
			if (which & (1u << i))
				opts[which][n++] = common_options[i];
		argps[which].options = opts[which];
		argps[which].parser = common_parse;
	}
	return &argps[which];
}
