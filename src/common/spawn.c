// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common/spawn.h"

int spawn_paused(struct spawned *sp, char *const argv[])
{
	int pipefd[2];
	char c;

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
		close(pipefd[1]);
		/* EOF without a byte means the parent gave up: do not run */
		if (read(pipefd[0], &c, 1) != 1)
			_exit(127);
		close(pipefd[0]);
		execvp(argv[0], argv);
		fprintf(stderr, "svatop: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
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
	if (sp->pid > 0)
		waitpid(sp->pid, NULL, 0);
}

int spawn_wait(struct spawned *sp, int *status, int nohang)
{
	pid_t r;

	do {
		r = waitpid(sp->pid, status, nohang ? WNOHANG : 0);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r == 0 ? 1 : 0;
}
