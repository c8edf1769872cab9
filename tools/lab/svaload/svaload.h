/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svaload internals shared by svaload.c (the script language and the
 * process commands) and touch.c (buffers and device accesses).
 */
#ifndef SVALOAD_H
#define SVALOAD_H

#include <stdbool.h>
#include <stddef.h>

#define MAX_DEVS	128
#define MAX_BUFFERS	16
#define BUFFER_NAME_MAX	31
#define BUFFER_PAGES_MAX	262144	/* 1 GiB of 4 KiB pages */
#define TOUCH_THREADS_MAX	64

struct buffer {
	char name[BUFFER_NAME_MAX + 1];
	char *addr;
	size_t pages;
	bool read_only;
};

/* What one process did and holds (a child starts with a copy). */
struct proc_state {
	int fds[MAX_DEVS];
	bool quiet;
	unsigned long binds, unbinds, expected_errors;
	unsigned long touches, faults;
	struct buffer buffers[MAX_BUFFERS];
	int nr_buffers;
};

extern struct proc_state st;

/* One touch command, parsed. */
struct touch_args {
	long dev;
	const char *target;	/* a buffer name, or "unmapped" */
	bool write;
	int threads;
	int expect;		/* errno the access must fail with, 0 = success */
	int line;
};

void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *errname(int err);
int dev_open(long dev);

/* touch.c */
bool buffer_name_ok(const char *name);
int buffer_create(const char *name, long pages, bool read_only, int line);
int buffer_discard(const char *name, int line);
int buffer_unmap(const char *name, int line);
int buffer_fill(const char *name, int line);
int touch(const struct touch_args *t);

/* svaload -B: list the kernel's BPF programs, maps and links (bpfobjs.c). */
int bpf_objects(void);

#endif /* SVALOAD_H */
