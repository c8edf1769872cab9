// SPDX-License-Identifier: GPL-2.0
#include "common/stop.h"

volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void stop_on_signals(void)
{
	signal(SIGINT, on_stop_signal);
	signal(SIGTERM, on_stop_signal);
	/* a closed terminal or a CI runner hanging up: stop the same way */
	signal(SIGHUP, on_stop_signal);
}
