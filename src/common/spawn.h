/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run a command that starts only when told: fork now, exec later. Used by
 * `check` and `record -- CMD` so the command's first bind happens after
 * every probe is attached. The command runs in its own process group, dies
 * with svatop (PR_SET_PDEATHSIG), optionally as another user, and is
 * stopped as a tree: SIGTERM, then SIGKILL to its group and to every
 * process svatop inherited as a subreaper; never a signal to a reaped PID.
 */
#ifndef SVATOP_SPAWN_H
#define SVATOP_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SPAWN_MAX_GROUPS	64

/* Who the command runs as (check --user USER[:GROUP]). */
struct spawn_user {
	bool set;		/* false: as svatop (root) */
	uid_t uid;
	gid_t gid;
	gid_t groups[SPAWN_MAX_GROUPS];	/* supplementary groups */
	int ngroups;
};

struct spawned {
	pid_t pid;
	int go_fd;	/* write end: closing it (or writing) releases the child */
	bool reaped;	/* pid was waited for: never signal it again */
	int status;	/* its wait status once reaped */
};

/* Parse USER[:GROUP] (names or numbers) into u; -1 and err on failure. */
int spawn_user_parse(const char *spec, struct spawn_user *u, char *err, size_t errlen);
/* Fork a child that waits, then execvp(argv[0], argv) as user (NULL: as
 * svatop) in its own process group. -errno on failure. */
int spawn_paused(struct spawned *sp, char *const argv[], const struct spawn_user *user);
/* Let it run. */
int spawn_release(struct spawned *sp);
/* Kill a child that was never released. */
void spawn_abort(struct spawned *sp);
/* waitpid() wrapper: 0 when the child is gone (status in *status),
 * 1 when still running (nohang), -errno on failure. */
int spawn_wait(struct spawned *sp, int *status, int nohang);
/* Note that the caller reaped pid itself (waitpid(-1)) with this status. */
void spawn_reaped(struct spawned *sp, pid_t pid, int status);
/* sig to the command's process group and to every child of ours not yet
 * reaped (what a subreaper inherited: daemons that left the group). */
void spawn_signal_tree(struct spawned *sp, int sig);
/* sig to every child of ours not yet reaped, again: after a SIGKILL, what
 * the tree left becomes ours (subreaper) only as its parents die. */
void spawn_signal_inherited(int sig);
/* Stop the tree: SIGTERM, term_wait_s seconds, SIGKILL, up to a second
 * more; reaps every child of ours. 0 when the command was reaped (its
 * status in sp->status), 1 when it still runs (never report it as exited). */
int spawn_stop(struct spawned *sp, double term_wait_s);

#endif
