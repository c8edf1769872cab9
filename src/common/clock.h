/* SPDX-License-Identifier: GPL-2.0 */
/* The clocks svatop reads: one helper each. */
#ifndef SVATOP_COMMON_CLOCK_H
#define SVATOP_COMMON_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in ns: the clock the kernel side stamps records with. */
static inline uint64_t clock_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline double clock_monotonic_s(void)
{
	return clock_monotonic_ns() / 1e9;
}

/* Wall-clock time in seconds (timestamps meant for people and scrapers). */
static inline double clock_realtime_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
