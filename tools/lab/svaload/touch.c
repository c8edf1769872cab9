// SPDX-License-Identifier: GPL-2.0
/*
 * svaload: anonymous buffers of this process and a device accessing them
 * by PASID (SVAMOCK_IOC_ACCESS), from one thread or several at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../svamock/svamock_uapi.h"
#include "svaload.h"

struct touch_job {
	int fd;
	unsigned long addr, len;
	unsigned int flags;
	struct svamock_access acc;
	int err;
};

bool buffer_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > BUFFER_NAME_MAX || !strcmp(name, "unmapped"))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

static struct buffer *buffer_find(const char *name, int line)
{
	int i;

	for (i = 0; i < st.nr_buffers; i++)
		if (!strcmp(st.buffers[i].name, name))
			return &st.buffers[i];
	fail("line %d: no buffer '%s' in this process", line, name);
	return NULL;
}

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

int buffer_create(const char *name, long pages, bool read_only, int line)
{
	struct buffer *b;
	void *addr;
	int i;

	for (i = 0; i < st.nr_buffers; i++) {
		if (!strcmp(st.buffers[i].name, name)) {
			fail("line %d: buffer '%s' exists", line, name);
			return -1;
		}
	}
	if (st.nr_buffers == MAX_BUFFERS) {
		fail("line %d: too many buffers (max %d)", line, MAX_BUFFERS);
		return -1;
	}
	addr = mmap(NULL, pages * page_size(), read_only ? PROT_READ : PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (addr == MAP_FAILED) {
		fail("line %d: mmap of %ld pages: %s", line, pages, strerror(errno));
		return -1;
	}
	b = &st.buffers[st.nr_buffers++];
	snprintf(b->name, sizeof(b->name), "%s", name);
	b->addr = addr;
	b->pages = pages;
	b->read_only = read_only;
	if (!st.quiet)
		say("buffer %s pages=%ld addr=%p%s", name, pages, addr, read_only ? " ro" : "");
	return 0;
}

int buffer_discard(const char *name, int line)
{
	struct buffer *b = buffer_find(name, line);

	if (!b)
		return -1;
	if (madvise(b->addr, b->pages * page_size(), MADV_DONTNEED)) {
		fail("line %d: madvise(MADV_DONTNEED) of %s: %s", line, name, strerror(errno));
		return -1;
	}
	if (!st.quiet)
		say("discard %s", name);
	return 0;
}

/* The name stays: touching it again is touching memory no longer mapped. */
int buffer_unmap(const char *name, int line)
{
	struct buffer *b = buffer_find(name, line);

	if (!b)
		return -1;
	if (munmap(b->addr, b->pages * page_size())) {
		fail("line %d: munmap of %s: %s", line, name, strerror(errno));
		return -1;
	}
	if (!st.quiet)
		say("unmap %s", name);
	return 0;
}

/* The CPU writes every page: the page table then has them all. */
int buffer_fill(const char *name, int line)
{
	struct buffer *b = buffer_find(name, line);
	size_t i;

	if (!b)
		return -1;
	if (b->read_only) {
		fail("line %d: buffer %s is read-only", line, name);
		return -1;
	}
	for (i = 0; i < b->pages; i++)
		((volatile char *)b->addr)[i * page_size()] = (char)i;
	if (!st.quiet)
		say("fill %s", name);
	return 0;
}

/* A page-sized hole: mapped, then unmapped again at once. */
static void *unmapped_page(int line)
{
	void *addr = mmap(NULL, page_size(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (addr == MAP_FAILED || munmap(addr, page_size())) {
		fail("line %d: cannot make an unmapped page: %s", line, strerror(errno));
		return NULL;
	}
	return addr;
}

static void *touch_thread(void *arg)
{
	struct touch_job *j = arg;

	memset(&j->acc, 0, sizeof(j->acc));
	j->acc.addr = j->addr;
	j->acc.length = j->len;
	j->acc.flags = j->flags;
	j->err = ioctl(j->fd, SVAMOCK_IOC_ACCESS, &j->acc) ? errno : 0;
	return NULL;
}

/* Runs the jobs, one thread each (the first in this thread). */
static int run_jobs(struct touch_job *jobs, int n, int line)
{
	pthread_t tids[TOUCH_THREADS_MAX];
	int i, started, ret = 0;

	for (started = 1; started < n; started++) {
		ret = pthread_create(&tids[started], NULL, touch_thread, &jobs[started]);
		if (ret)
			break;
	}
	if (!ret)
		touch_thread(&jobs[0]);
	for (i = 1; i < started; i++)
		pthread_join(tids[i], NULL);
	if (ret) {
		fail("line %d: pthread_create: %s", line, strerror(ret));
		return -1;
	}
	return 0;
}

static const char *response_name(uint32_t code)
{
	switch (code) {
	case SVAMOCK_RESP_SUCCESS:
		return "success";
	case SVAMOCK_RESP_INVALID:
		return "invalid";
	case SVAMOCK_RESP_FAILURE:
		return "failure";
	default:
		return "none";
	}
}

/* Sums the jobs' results into sum; returns the first unexpected errno. */
static int sum_jobs(const struct touch_job *jobs, int n, int expect, struct svamock_access *sum)
{
	int i, bad = 0;

	memset(sum, 0, sizeof(*sum));
	sum->response = SVAMOCK_RESP_NONE;
	for (i = 0; i < n; i++) {
		const struct svamock_access *a = &jobs[i].acc;

		sum->pasid = a->pasid;
		sum->pages += a->pages;
		sum->iotlb_hits += a->iotlb_hits;
		sum->walks += a->walks;
		sum->faults += a->faults;
		sum->latency_ns += a->latency_ns;
		if (a->latency_max_ns > sum->latency_max_ns)
			sum->latency_max_ns = a->latency_max_ns;
		if (a->response != SVAMOCK_RESP_NONE)
			sum->response = a->response;
		if (a->fault_addr && !sum->fault_addr)
			sum->fault_addr = a->fault_addr;
		if (jobs[i].err != expect && !bad)
			bad = jobs[i].err ? jobs[i].err : -1;
	}
	return bad;
}

int touch(const struct touch_args *t)
{
	struct touch_job jobs[TOUCH_THREADS_MAX];
	unsigned long addr, pages, first = 0;
	struct svamock_access sum;
	char stats[256];
	int i, bad;

	if (!strcmp(t->target, "unmapped")) {
		addr = (unsigned long)unmapped_page(t->line);
		if (!addr)
			return -1;
		pages = 1;
	} else {
		struct buffer *b = buffer_find(t->target, t->line);

		if (!b)
			return -1;
		addr = (unsigned long)b->addr;
		pages = b->pages;
	}
	if ((unsigned long)t->threads > pages) {
		fail("line %d: %d threads for %lu pages", t->line, t->threads, pages);
		return -1;
	}
	if (st.fds[t->dev] < 0 && dev_open(t->dev))
		return -1;
	/* Thread i accesses its own slice, so the counts do not race. */
	for (i = 0; i < t->threads; i++) {
		unsigned long n = pages / t->threads + ((unsigned long)i < pages % t->threads);

		jobs[i].fd = st.fds[t->dev];
		jobs[i].addr = addr + first * page_size();
		jobs[i].len = n * page_size();
		jobs[i].flags = t->write ? SVAMOCK_ACCESS_WRITE : 0;
		first += n;
	}
	if (run_jobs(jobs, t->threads, t->line))
		return -1;
	bad = sum_jobs(jobs, t->threads, t->expect, &sum);
	st.touches++;
	st.faults += sum.faults;
	snprintf(stats, sizeof(stats),
		 "pages=%u faults=%u iotlb_hits=%u walks=%u pasid=%u response=%s latency_max_us=%llu latency_sum_us=%llu",
		 sum.pages, sum.faults, sum.iotlb_hits, sum.walks, sum.pasid,
		 response_name(sum.response),
		 (unsigned long long)sum.latency_max_ns / 1000,
		 (unsigned long long)sum.latency_ns / 1000);
	if (bad) {
		fail("line %d: touch svamock-dev.%ld %s%s: %s, expected %s (%s fault_addr=0x%llx)",
		     t->line, t->dev, t->target, t->write ? " write" : "",
		     bad > 0 ? errname(bad) : "ok", t->expect ? errname(t->expect) : "ok",
		     stats, (unsigned long long)sum.fault_addr);
		return -1;
	}
	if (t->expect)
		st.expected_errors++;
	if (!st.quiet) {
		char threads[32] = "";

		if (t->threads > 1)
			snprintf(threads, sizeof(threads), " threads=%d", t->threads);
		if (t->expect)
			say("touch svamock-dev.%ld %s%s%s failed as expected: %s (-%d) fault_addr=0x%llx %s",
			    t->dev, t->target, t->write ? " write" : "", threads,
			    errname(t->expect), t->expect,
			    (unsigned long long)sum.fault_addr, stats);
		else
			say("touch svamock-dev.%ld %s%s%s %s", t->dev, t->target,
			    t->write ? " write" : "", threads, stats);
	}
	return 0;
}
