// SPDX-License-Identifier: GPL-2.0
/*
 * labbench: the lab VM's stopwatch for `make bench` (static, no libc
 * beyond what busybox guests have). Busybox has no sub-second clock.
 *
 *   labbench time CMD [ARG...]
 *       run CMD, print "elapsed_s SECONDS status STATUS"
 *   labbench first PATTERN OUT CMD [ARG...]
 *       run CMD with its stdout copied to OUT; print "first_s SECONDS"
 *       when the first line containing PATTERN arrives (seconds since
 *       the launch), then keep copying until CMD exits; SIGINT/SIGTERM
 *       are passed on to CMD.
 *   labbench bpfstat
 *       every BPF program loaded: "ID NAME RUN_TIME_NS RUN_CNT" (the
 *       run-time statistics need kernel.bpf_stats_enabled=1)
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/bpf.h>

static pid_t child = -1;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pass_on(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int status_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int cmd_time(char **argv)
{
	double t0 = now_s();
	int st;

	child = fork();
	if (child < 0)
		return 1;
	if (!child) {
		execvp(argv[0], argv);
		_exit(127);
	}
	signal(SIGINT, pass_on);
	signal(SIGTERM, pass_on);
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	printf("elapsed_s %.6f status %d\n", now_s() - t0, status_of(st));
	return status_of(st);
}

static int cmd_first(const char *pattern, const char *out, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *in, *o;
	int p[2], st;
	double t0;

	o = fopen(out, "w");
	if (!o || pipe(p))
		return 1;
	t0 = now_s();
	child = fork();
	if (child < 0)
		return 1;
	if (!child) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	signal(SIGINT, pass_on);
	signal(SIGTERM, pass_on);
	in = fdopen(p[0], "r");
	for (;;) {
		errno = 0;
		if (getline(&line, &cap, in) < 0) {
			if (errno == EINTR) {
				clearerr(in);
				continue;
			}
			break;
		}
		if (!found && strstr(line, pattern)) {
			found = true;
			printf("first_s %.6f\n", now_s() - t0);
			fflush(stdout);
		}
		fputs(line, o);
	}
	fclose(o);
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (!found)
		printf("first_s none\n");
	free(line);
	return status_of(st);
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* What `bpftool prog show` prints, without bpftool in the guest. */
static int cmd_bpfstat(void)
{
	union bpf_attr attr;
	struct bpf_prog_info info;
	__u32 id = 0;
	int fd;

	for (;;) {
		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (sys_bpf(BPF_PROG_GET_NEXT_ID, &attr))
			return errno == ENOENT ? 0 : 1;
		id = attr.next_id;
		memset(&attr, 0, sizeof(attr));
		attr.prog_id = id;
		fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		memset(&attr, 0, sizeof(attr));
		attr.info.bpf_fd = fd;
		attr.info.info_len = sizeof(info);
		attr.info.info = (__u64)(unsigned long)&info;
		if (!sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr))
			printf("%u %s %llu %llu %llu\n", id, info.name[0] ? info.name : "-",
			       (unsigned long long)info.run_time_ns,
			       (unsigned long long)info.run_cnt,
			       (unsigned long long)info.recursion_misses);
		close(fd);
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "bpfstat"))
		return cmd_bpfstat();
	if (argc >= 3 && !strcmp(argv[1], "time"))
		return cmd_time(argv + 2);
	if (argc >= 5 && !strcmp(argv[1], "first"))
		return cmd_first(argv[2], argv[3], argv + 4);
	fprintf(stderr, "usage: labbench time CMD... | labbench first PATTERN OUT CMD... | labbench bpfstat\n");
	return 2;
}
