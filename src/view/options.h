/* SPDX-License-Identifier: GPL-2.0 */
/* Option values every command parses the same way. */
#ifndef SVATOP_VIEW_OPTIONS_H
#define SVATOP_VIEW_OPTIONS_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

/* A non-negative number of seconds ("2", "0.5"): 0 or -EINVAL. */
int view_parse_seconds(const char *arg, double *out);
/* A decimal number in 0..max: 0 or -EINVAL. */
int view_parse_uint(const char *arg, unsigned long max, unsigned long *out);
/* -p PID: a positive process id, or a usage error. */
uint32_t view_arg_pid(struct argp_state *state, const char *arg);
/* A number of seconds no smaller than min, or a usage error naming what. */
void view_arg_seconds(struct argp_state *state, const char *arg, const char *what,
		      double min, double *out);
/* The bcc-style positional arguments of periodic views: INTERVAL [COUNT]. */
void view_parse_interval_count(struct argp_state *state, const char *arg, int *npos,
			       double *interval, unsigned long *count);

/* The options commands share, parsed by one argp child (common_argp):
 * a command asks for the ones it takes and reads them from its
 * struct common_args (set state->child_inputs[0] to it at ARGP_KEY_INIT). */
enum {
	COMMON_PID	= 1 << 0,	/* -p, --pid PID */
	COMMON_REPLAY	= 1 << 1,	/* -r, --replay FILE */
	COMMON_VERBOSE	= 1 << 2,	/* -v, --verbose (also sets log_verbose) */
	COMMON_JSON	= 1 << 3,	/* -j, --json */
	COMMON_DURATION	= 1 << 4,	/* -D, --duration SECONDS */
	COMMON_IOTLB	= 1 << 5,	/* --iotlb: the opt-in IOTLB invalidation hook */
	COMMON_ALL	= (1 << 6) - 1,
};

struct common_args {
	uint32_t pid;		/* 0: every process */
	const char *replay;
	bool verbose;
	bool json;
	double duration;	/* 0: until interrupted */
	bool iotlb;		/* count IOTLB invalidations per SVA mm (hot path) */
};

const struct argp *common_argp(unsigned int which);

#endif
