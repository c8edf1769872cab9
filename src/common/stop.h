/* SPDX-License-Identifier: GPL-2.0 */
/* The one "please stop" flag of a command: set by SIGINT, SIGTERM and SIGHUP. */
#ifndef SVATOP_STOP_H
#define SVATOP_STOP_H

#include <signal.h>

extern volatile sig_atomic_t stop_requested;

/* SIGINT, SIGTERM and SIGHUP set stop_requested instead of killing the process, so
 * a command can detach, drain and report before it exits. */
void stop_on_signals(void);

#endif
