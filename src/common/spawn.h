/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run a command that starts only when told: fork now, exec later. Used by
 * `check` and `record -- CMD` so the command's first bind happens after
 * every probe is attached.
 */
#ifndef SVATOP_SPAWN_H
#define SVATOP_SPAWN_H

#include <sys/types.h>

struct spawned {
	pid_t pid;
	int go_fd;	/* write end: closing it (or writing) releases the child */
};

/* Fork a child that waits, then execvp(argv[0], argv). -errno on failure. */
int spawn_paused(struct spawned *sp, char *const argv[]);
/* Let it run. */
int spawn_release(struct spawned *sp);
/* Kill a child that was never released. */
void spawn_abort(struct spawned *sp);
/* waitpid() wrapper: 0 when the child is gone (status in *status),
 * 1 when still running (nohang), -errno on failure. */
int spawn_wait(struct spawned *sp, int *status, int nohang);

#endif
