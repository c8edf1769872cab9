// SPDX-License-Identifier: GPL-2.0
/*
 * svaload -B: every BPF program, map and link the kernel holds, one line
 * each ("prog ID TYPE NAME", "map ID TYPE NAME", "link ID TYPE PROG-ID"),
 * from the bpf() syscall's GET_NEXT_ID walks: the guest has no bpftool,
 * and lab tests must see what the kernel holds, not what svatop says.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "svaload.h"

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int info_by_fd(int fd, void *info, __u32 len)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = fd;
	a.info.info_len = len;
	a.info.info = (__u64)(unsigned long)info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a);
}

/* Walk one kind of object; -1 when the walk itself failed. */
static int walk(const char *kind, int next_cmd, int get_fd_cmd)
{
	union bpf_attr a;
	__u32 id = 0;
	int fd, n = 0;

	for (;;) {
		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (sys_bpf(next_cmd, &a)) {
			if (errno == ENOENT)
				return n;
			fprintf(stderr, "svaload: bpf %s walk: %s\n", kind, strerror(errno));
			return -1;
		}
		id = a.next_id;
		memset(&a, 0, sizeof(a));
		if (get_fd_cmd == BPF_PROG_GET_FD_BY_ID)
			a.prog_id = id;
		else if (get_fd_cmd == BPF_MAP_GET_FD_BY_ID)
			a.map_id = id;
		else
			a.link_id = id;
		fd = sys_bpf(get_fd_cmd, &a);
		if (fd < 0) {
			if (errno == ENOENT)	/* freed meanwhile */
				continue;
			printf("%s %u ? ?\n", kind, id);
			n++;
			continue;
		}
		if (get_fd_cmd == BPF_PROG_GET_FD_BY_ID) {
			struct bpf_prog_info pi;

			memset(&pi, 0, sizeof(pi));
			info_by_fd(fd, &pi, sizeof(pi));
			printf("prog %u %u %.16s\n", id, pi.type, pi.name[0] ? pi.name : "-");
		} else if (get_fd_cmd == BPF_MAP_GET_FD_BY_ID) {
			struct bpf_map_info mi;

			memset(&mi, 0, sizeof(mi));
			info_by_fd(fd, &mi, sizeof(mi));
			printf("map %u %u %.16s\n", id, mi.type, mi.name[0] ? mi.name : "-");
		} else {
			struct bpf_link_info li;

			memset(&li, 0, sizeof(li));
			info_by_fd(fd, &li, sizeof(li));
			printf("link %u %u %u\n", id, li.type, li.prog_id);
		}
		close(fd);
		n++;
	}
}

int bpf_objects(void)
{
	if (walk("prog", BPF_PROG_GET_NEXT_ID, BPF_PROG_GET_FD_BY_ID) < 0 ||
	    walk("map", BPF_MAP_GET_NEXT_ID, BPF_MAP_GET_FD_BY_ID) < 0 ||
	    walk("link", BPF_LINK_GET_NEXT_ID, BPF_LINK_GET_FD_BY_ID) < 0)
		return 1;
	return fflush(stdout) ? 1 : 0;
}
