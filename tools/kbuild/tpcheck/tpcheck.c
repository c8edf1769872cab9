// SPDX-License-Identifier: GPL-2.0
/*
 * tpcheck OBJ -- CMD...: load OBJ, attach every program (tp_btf), run CMD,
 * wait (up to 5 s) until every PASID allocated was freed, and print the
 * .bss counters as "name=value" lines. Exit 1 if anything fails to load
 * or attach.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

static const char *const names[] = {
	"bind", "bind_failed", "unbind", "domain_alloc", "domain_free",
	"pasid_alloc", "pasid_free",
};

struct bss {
	unsigned long long counts[7];
	unsigned int last_pasid;
};

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *bss = NULL, *map;
	struct bss val;
	int key = 0, status, i;
	pid_t pid;

	if (argc < 4 || strcmp(argv[2], "--")) {
		fprintf(stderr, "usage: tpcheck OBJ -- CMD...\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "tpcheck: cannot load %s\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "tpcheck: cannot attach %s\n",
				bpf_program__section_name(prog));
			return 1;
		}
		printf("attached %s\n", bpf_program__section_name(prog));
	}
	bpf_object__for_each_map(map, obj)
		if (strstr(bpf_map__name(map), ".bss"))
			bss = map;
	if (!bss) {
		fprintf(stderr, "tpcheck: no .bss map\n");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	/*
	 * The PASID goes when the last mm reference drops, often at the next
	 * context switch on the CPU that ran CMD: give it a few short-lived
	 * processes to switch to, for up to 5 s.
	 */
	for (i = 0; i < 50; i++) {
		if (bpf_map_lookup_elem(bpf_map__fd(bss), &key, &val)) {
			fprintf(stderr, "tpcheck: cannot read counters\n");
			return 1;
		}
		if (val.counts[6] >= val.counts[5])
			break;
		if (fork() == 0)
			_exit(0);
		wait(NULL);
		usleep(100000);
	}
	for (i = 0; i < 7; i++)
		printf("%s=%llu\n", names[i], val.counts[i]);
	printf("last_pasid=%u\n", val.last_pasid);
	printf("cmd_status=%d\n", WEXITSTATUS(status));
	return 0;
}
