// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#ifndef SVATOP_STATIC
#include <pwd.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "common/log.h"
#include "common/spawn.h"

static bool parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && !*end && *out < 0xffffffffUL;
}

#ifdef SVATOP_STATIC
/*
 * The static build (the lab's svatop-static): numbers only. Names need
 * glibc's NSS modules (getpwnam and friends), which a static binary
 * cannot load; CMD gets the group as its only group.
 */
int spawn_user_parse(const char *spec, struct spawn_user *u, char *err, size_t errlen)
{
	char name[256], *colon;
	unsigned long uid, gid;

	memset(u, 0, sizeof(*u));
	snprintf(name, sizeof(name), "%s", spec);
	colon = strchr(name, ':');
	if (colon)
		*colon = '\0';
	if (!parse_id(name, &uid) || (colon && !parse_id(colon + 1, &gid)) || !colon) {
		errbuf_set(err, errlen, "'%s': this static svatop takes numeric UID:GID only", spec);
		return -1;
	}
	u->uid = (uid_t)uid;
	u->gid = (gid_t)gid;
	u->groups[0] = u->gid;
	u->ngroups = 1;
	u->set = true;
	return 0;
}
#else
int spawn_user_parse(const char *spec, struct spawn_user *u, char *err, size_t errlen)
{
	char name[256], *colon;
	const char *group = NULL;
	struct passwd *pw;
	struct group *gr;
	unsigned long id;
	int n = SPAWN_MAX_GROUPS;

	memset(u, 0, sizeof(*u));
	snprintf(name, sizeof(name), "%s", spec);
	colon = strchr(name, ':');
	if (colon) {
		*colon = '\0';
		group = colon + 1;
	}
	pw = getpwnam(name);
	if (!pw && parse_id(name, &id))
		pw = getpwuid((uid_t)id);
	if (!pw) {
		errbuf_set(err, errlen, "no user '%s'", name);
		return -1;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	if (group) {
		gr = getgrnam(group);
		if (!gr && parse_id(group, &id))
			gr = getgrgid((gid_t)id);
		if (!gr) {
			errbuf_set(err, errlen, "no group '%s'", group);
			return -1;
		}
		u->gid = gr->gr_gid;
	}
	if (getgrouplist(pw->pw_name, u->gid, u->groups, &n) < 0) {
		errbuf_set(err, errlen, "user '%s' is in more than %d groups", name,
			   SPAWN_MAX_GROUPS);
		return -1;
	}
	u->ngroups = n;
	u->set = true;
	return 0;
}
#endif

/* In the child, after the release: become the user, die with svatop. */
static void child_setup(const struct spawn_user *user, pid_t parent)
{
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (user && user->set &&
	    (setgroups(user->ngroups, user->groups) || setgid(user->gid) || setuid(user->uid))) {
		fprintf(stderr, "svatop: cannot become uid %u gid %u: %s\n", user->uid,
			user->gid, strerror(errno));
		_exit(127);
	}
	/* after setuid: a change of credentials clears the death signal */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(127);
}

int spawn_paused(struct spawned *sp, char *const argv[], const struct spawn_user *user)
{
	pid_t parent = getpid();
	int pipefd[2];
	char c;

	sp->reaped = false;
	sp->status = 0;
	sp->go_fd = -1;
	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	sp->pid = fork();
	if (sp->pid < 0) {
		int err = -errno;

		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (sp->pid == 0) {
		setpgid(0, 0);
		close(pipefd[1]);
		/* EOF without a byte means the parent gave up: do not run */
		if (read(pipefd[0], &c, 1) != 1)
			_exit(127);
		close(pipefd[0]);
		child_setup(user, parent);
		execvp(argv[0], argv);
		fprintf(stderr, "svatop: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* both sides set the group: no window in which a signal misses it */
	setpgid(sp->pid, sp->pid);
	close(pipefd[0]);
	sp->go_fd = pipefd[1];
	return 0;
}

int spawn_release(struct spawned *sp)
{
	char c = 'g';
	int ret = 0;

	if (sp->go_fd < 0)
		return -EINVAL;
	if (write(sp->go_fd, &c, 1) != 1)
		ret = -errno;
	close(sp->go_fd);
	sp->go_fd = -1;
	return ret;
}

void spawn_abort(struct spawned *sp)
{
	if (sp->go_fd >= 0) {
		close(sp->go_fd);
		sp->go_fd = -1;
	}
	if (sp->pid > 0 && !sp->reaped && waitpid(sp->pid, &sp->status, 0) == sp->pid)
		sp->reaped = true;
}

void spawn_reaped(struct spawned *sp, pid_t pid, int status)
{
	if (pid == sp->pid && !sp->reaped) {
		sp->reaped = true;
		sp->status = status;
	}
}

int spawn_wait(struct spawned *sp, int *status, int nohang)
{
	pid_t r;

	if (sp->reaped) {
		*status = sp->status;
		return 0;
	}
	do {
		r = waitpid(sp->pid, status, nohang ? WNOHANG : 0);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return 1;
	spawn_reaped(sp, r, *status);
	return 0;
}

/* Our children not yet reaped: safe to signal, their PIDs cannot be reused. */
static void signal_children(int sig)
{
	char path[300], buf[512], *p;
	pid_t self = getpid();
	struct dirent *d;
	DIR *dp;
	FILE *f;
	int ppid;

	dp = opendir("/proc");
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p && sscanf(p, ") %*c %d", &ppid) == 1 && ppid == self)
			kill((pid_t)atoi(d->d_name), sig);
	}
	closedir(dp);
}

void spawn_signal_tree(struct spawned *sp, int sig)
{
	if (sp->pid <= 0)
		return;
	/* The group is named after the leader: while the leader is unreaped
	 * the id is ours; afterwards the kernel keeps a PID in use as a group
	 * id from being reused while the group has members. */
	kill(-sp->pid, sig);
	signal_children(sig);
}

/* Reap every child; true when none is left. */
static bool reap_all(struct spawned *sp)
{
	int status;
	pid_t p;

	for (;;) {
		p = waitpid(-1, &status, WNOHANG);
		if (p > 0)
			spawn_reaped(sp, p, status);
		else
			return p < 0 && errno == ECHILD;
	}
}

/* Wait for every child to be gone; with sig, sweep our children with it
 * every 100 ms meanwhile: what the tree leaves (a daemon in its own
 * session) becomes ours only when its parent dies, after the first sweep. */
static bool wait_gone(struct spawned *sp, double seconds, int sig)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int i, n = (int)(seconds / 0.02) + 1;

	for (i = 0; i < n; i++) {
		if (reap_all(sp))
			return true;
		if (sig && i % 5 == 4)
			signal_children(sig);
		nanosleep(&tick, NULL);
	}
	return reap_all(sp);
}

void spawn_signal_inherited(int sig)
{
	signal_children(sig);
}

int spawn_stop(struct spawned *sp, double term_wait_s)
{
	if (sp->pid <= 0)
		return 0;
	spawn_signal_tree(sp, SIGTERM);
	if (!wait_gone(sp, term_wait_s, 0)) {
		spawn_signal_tree(sp, SIGKILL);
		wait_gone(sp, 1.0, SIGKILL);
	}
	return sp->reaped ? 0 : 1;
}
