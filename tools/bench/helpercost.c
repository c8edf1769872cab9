// SPDX-License-Identifier: GPL-2.0
/*
 * helpercost: the per-operation cost table of `make bench` (run in the lab
 * VM by tools/bench/lab). Loads helpercost.bpf.o's programs, attaches one
 * at a time to the kernel's bpf_fentry_test1(), runs it N times
 * (BPF_PROG_TEST_RUN) and reads the kernel's run time of the program
 * (BPF_ENABLE_STATS); rounds interleave the programs.
 *
 * Each program runs in two conditions. Warm: back to back, everything
 * cached. Cold: before each run the driver switches to a child process on
 * the same CPU and back (a pipe ping-pong), as a host switches between the
 * processes that bind: the switch of address space empties the TLB (QEMU
 * TCG's entirely), and the run pays again for every page it touches.
 *
 * Prints per operation "HELPERCOST op warm_run W warm_op O cold_run C
 * cold_first F" (ns, medians over the rounds): W and C the program's run
 * time, O = (W - empty W) / 8 the operation warm, F = C - empty C - 7 O
 * the first of the eight after a switch.
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "helpercost.skel.h"

#define OPS_PER_RUN	8	/* REPS in helpercost.bpf.c */
#define MAX_ROUNDS	15
#define MAX_PROGS	32

static int drain(void *ctx, void *data, size_t size)
{
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A child on the same CPU that answers each byte: one round trip is two
 * switches of address space. */
static int pingpong_start(int to[2], int from[2], pid_t *pid)
{
	cpu_set_t set;
	char c;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set) || pipe(to) || pipe(from))
		return -errno;
	*pid = fork();
	if (*pid < 0)
		return -errno;
	if (*pid == 0) {
		close(to[1]);
		close(from[0]);
		while (read(to[0], &c, 1) == 1)
			if (write(from[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(to[0]);
	close(from[1]);
	return 0;
}

static int run_stats(int fd, __u64 *ns, __u64 *cnt)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*ns = info.run_time_ns;
	*cnt = info.run_cnt;
	return 0;
}

struct bench {
	struct ring_buffer *rb;
	int to[2], from[2];
};

/* The program's mean run time over CALLS runs, switching away before each
 * run when COLD; < 0 on failure (said on stderr). */
static double measure(struct bench *b, struct bpf_program *prog, long calls, bool cold)
{
	__u64 ns0 = 0, c0 = 0, ns1 = 0, c1 = 0;
	struct bpf_link *link;
	char c = 0;
	long i;

	link = bpf_program__attach(prog);
	if (!link) {
		fprintf(stderr, "helpercost: cannot attach %s\n", bpf_program__name(prog));
		return -1;
	}
	if (run_stats(bpf_program__fd(prog), &ns0, &c0))
		goto fail;
	for (i = 0; i < calls; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, topts);

		if (cold && (write(b->to[1], &c, 1) != 1 || read(b->from[0], &c, 1) != 1)) {
			fprintf(stderr, "helpercost: ping-pong failed\n");
			goto fail;
		}
		if (bpf_prog_test_run_opts(bpf_program__fd(prog), &topts)) {
			fprintf(stderr, "helpercost: test run of %s: %s\n",
				bpf_program__name(prog), strerror(errno));
			goto fail;
		}
		if ((i & 255) == 255)
			ring_buffer__consume(b->rb);
	}
	if (run_stats(bpf_program__fd(prog), &ns1, &c1))
		goto fail;
	bpf_link__destroy(link);
	ring_buffer__consume(b->rb);
	return c1 > c0 ? (double)(ns1 - ns0) / (double)(c1 - c0) : 0;
fail:
	bpf_link__destroy(link);
	return -1;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	static double warm[MAX_PROGS][MAX_ROUNDS], cold[MAX_PROGS][MAX_ROUNDS];
	double wmed[MAX_PROGS], cmed[MAX_PROGS], wempty = 0, cempty = 0;
	const char *names[MAX_PROGS];
	struct helpercost_bpf *skel;
	struct bpf_program *prog;
	struct bench b = { 0 };
	int rounds = 5, opt, stats_fd, nprogs = 0, r, p;
	long calls = 20000;
	pid_t child = -1;
	__u64 one = 1;

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		switch (opt) {
		case 'n':
			calls = strtol(optarg, NULL, 10);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: helpercost [-n CALLS] [-r ROUNDS]\n");
			return 2;
		}
	}
	if (calls < 4 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "helpercost: -n must be >= 4 and -r 1..%d\n", MAX_ROUNDS);
		return 2;
	}
	skel = helpercost_bpf__open();
	if (!skel) {
		fprintf(stderr, "helpercost: cannot open the BPF object\n");
		return 1;
	}
	skel->rodata->target_tgid = getpid();
	if (helpercost_bpf__load(skel)) {
		fprintf(stderr, "helpercost: cannot load the BPF object\n");
		return 1;
	}
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "helpercost: BPF_ENABLE_STATS: %s\n", strerror(-stats_fd));
		return 1;
	}
	if (bpf_map__update_elem(skel->maps.hash, &one, sizeof(one), &one, sizeof(one), BPF_ANY)) {
		fprintf(stderr, "helpercost: cannot fill the hash map\n");
		return 1;
	}
	if (pingpong_start(b.to, b.from, &child)) {
		fprintf(stderr, "helpercost: cannot start the ping-pong child\n");
		return 1;
	}
	b.rb = ring_buffer__new(bpf_map__fd(skel->maps.rb), drain, NULL, NULL);
	if (!b.rb) {
		fprintf(stderr, "helpercost: cannot open the ring buffer\n");
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		p = 0;
		bpf_object__for_each_program(prog, skel->obj) {
			if (p >= MAX_PROGS)
				break;
			names[p] = bpf_program__name(prog);
			warm[p][r] = measure(&b, prog, calls, false);
			cold[p][r] = measure(&b, prog, calls / 4, true);
			if (warm[p][r] < 0 || cold[p][r] < 0)
				return 1;
			p++;
		}
		nprogs = p;
	}
	for (p = 0; p < nprogs; p++) {
		wmed[p] = median(warm[p], rounds);
		cmed[p] = median(cold[p], rounds);
		if (!strcmp(names[p], "op_empty")) {
			wempty = wmed[p];
			cempty = cmed[p];
		}
	}
	for (p = 0; p < nprogs; p++) {
		double op = (wmed[p] - wempty) / OPS_PER_RUN;

		printf("HELPERCOST %s warm_run %.0f warm_op %.0f cold_run %.0f cold_first %.0f\n",
		       names[p] + 3, wmed[p], op, cmed[p],
		       cmed[p] - cempty - (OPS_PER_RUN - 1) * op);
	}
	close(b.to[1]);
	waitpid(child, NULL, 0);
	ring_buffer__free(b.rb);
	helpercost_bpf__destroy(skel);
	close(stats_fd);
	return 0;
}
