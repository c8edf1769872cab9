// SPDX-License-Identifier: GPL-2.0
/*
 * iopfstat: a tiny loader for bpf/iopf.bpf.c. It checks that the kernel
 * has the IOPF functions in BTF, loads the object, attaches its hooks and,
 * when SIGINT or SIGTERM arrives, prints what the kernel side aggregated:
 * one line per device and PASID (and with -i one per SVA mm). For the lab
 * test that compares these counts with tracefs (tests/lab/lab_iopf_bpf.sh)
 * until svatop's own pipeline loads the object.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>

#include "../../include/svatop/iopf.h"

#define MAX_LINKS	8

static const char *const outcome_names[IOPF_OUTCOMES] = {
	[IOPF_SUCCESS] = "success",
	[IOPF_INVALID] = "invalid",
	[IOPF_FAILURE] = "failure",
	[IOPF_REFUSED] = "refused",
};

/* The kernel functions the hooks need, and the optional one. */
static const char *const required[] = {
	"iommu_report_device_fault", "iopf_group_response",
};
#define INVAL_FUNC	"__mmu_notifier_arch_invalidate_secondary_tlbs"

static void usage(FILE *f)
{
	fprintf(f,
"usage: iopfstat [-f] [-i] OBJECT\n"
"Loads OBJECT (bpf/iopf.bpf.c, built as .output/iopf.bpf.o), counts device page\n"
"faults in the kernel until SIGINT or SIGTERM, then prints one line per device\n"
"and PASID:\n"
"  device=NAME pasid=P tgid=T comm=C reports=N partial=N success=N invalid=N\n"
"  failure=N refused=N unmatched=N latency_sum_us=N latency_max_us=N\n"
"  hist=SLOT:N,... (SLOT: log2 of the latency in microseconds)\n"
"  -i  also count IOTLB invalidations of SVA mms (a hot hook):\n"
"      inval mm=0xADDR tgid=T ranges=N pages=N flushes=N\n"
"  -f  fentry/fexit hooks instead of kprobes (they can miss calls on a\n"
"      preemptible kernel: see the misses lines)\n"
"Then one line per program: misses prog=NAME recursion=N (calls the\n"
"kernel skipped because the program was already running on that CPU).\n"
"Says 'iopfstat: tracing' on stderr once attached. Exit status 0, or 1\n"
"with one error line.\n");
}

static int err_out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("iopfstat: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

/* A kernel string for a terminal: printable ASCII, the rest as \xNN. */
static void print_escaped(const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c > ' ' && c < 0x7f && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
}

static int check_btf(bool inval)
{
	struct btf *btf = btf__load_vmlinux_btf();
	size_t i;
	int ret = 0;

	if (!btf)
		return err_out("cannot read the kernel's BTF (/sys/kernel/btf/vmlinux): %s",
			       strerror(errno));
	for (i = 0; i < sizeof(required) / sizeof(required[0]) && !ret; i++)
		if (btf__find_by_name_kind(btf, required[i], BTF_KIND_FUNC) < 0)
			ret = err_out("the kernel has no %s in BTF (no IOPF, or before 6.8)",
				      required[i]);
	if (!ret && inval && btf__find_by_name_kind(btf, INVAL_FUNC, BTF_KIND_FUNC) < 0)
		ret = err_out("the kernel has no %s in BTF (-i)", INVAL_FUNC);
	btf__free(btf);
	return ret;
}

static void print_stats(const struct iopf_key *key, const struct iopf_stats *s)
{
	int i, first = 1;

	printf("device=");
	print_escaped(s->dev_name, sizeof(s->dev_name));
	if (key->pasid == IOPF_NO_PASID)
		printf(" pasid=none");
	else
		printf(" pasid=%u", key->pasid);
	printf(" tgid=%u comm=", s->tgid);
	print_escaped(s->comm, sizeof(s->comm));
	printf(" reports=%llu partial=%llu", (unsigned long long)s->reports,
	       (unsigned long long)s->partial);
	for (i = 0; i < IOPF_OUTCOMES; i++)
		printf(" %s=%llu", outcome_names[i], (unsigned long long)s->outcomes[i]);
	printf(" unmatched=%llu latency_sum_us=%llu latency_max_us=%llu hist=",
	       (unsigned long long)s->unmatched,
	       (unsigned long long)s->latency_sum_ns / 1000,
	       (unsigned long long)s->latency_max_ns / 1000);
	for (i = 0; i < IOPF_HIST_SLOTS; i++) {
		if (!s->hist[i])
			continue;
		printf("%s%d:%llu", first ? "" : ",", i, (unsigned long long)s->hist[i]);
		first = 0;
	}
	putchar('\n');
}

static int dump(struct bpf_object *obj, bool inval)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, "stats");
	struct iopf_key key, next, *prev = NULL;
	struct iopf_stats s;
	int fd;

	if (!map)
		return err_out("the object has no 'stats' map");
	fd = bpf_map__fd(map);
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &s))
			print_stats(&key, &s);
	}
	if (inval) {
		struct iopf_inval_stats v;
		__u64 mm, nmm, *pmm = NULL;

		map = bpf_object__find_map_by_name(obj, "invals");
		if (!map)
			return err_out("the object has no 'invals' map");
		fd = bpf_map__fd(map);
		while (!bpf_map_get_next_key(fd, pmm, &nmm)) {
			mm = nmm;
			pmm = &mm;
			if (!bpf_map_lookup_elem(fd, &mm, &v))
				printf("inval mm=0x%llx tgid=%u ranges=%llu pages=%llu %s=%llu\n",
				       (unsigned long long)mm, v.tgid,
				       (unsigned long long)v.ranges,
				       (unsigned long long)v.pages, "flushes",
				       (unsigned long long)v.flushes);
		}
	}
	return fflush(stdout) ? err_out("cannot write the results: %s", strerror(errno)) : 0;
}

/* Skipped calls per program: they would make the counts short. */
static void print_misses(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_program__autoload(prog) ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			continue;
		printf("misses prog=%s recursion=%llu\n", bpf_program__name(prog),
		       (unsigned long long)info.recursion_misses);
	}
}

/* Keeps the programs of one form (fe_* or kp_*), inval ones only with -i. */
static void choose_programs(struct bpf_object *obj, bool fentry, bool inval)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);
		bool keep = !strncmp(name, fentry ? "fe_" : "kp_", 3);

		if (strstr(name, "_inval"))
			keep = keep && inval;
		bpf_program__set_autoload(prog, keep);
	}
}

static int attach_all(struct bpf_object *obj, struct bpf_link **links, int *nr)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog))
			continue;
		if (*nr == MAX_LINKS)
			return err_out("too many programs in the object");
		links[*nr] = bpf_program__attach(prog);
		if (!links[*nr])
			return err_out("cannot attach %s: %s", bpf_program__name(prog),
				       strerror(errno));
		(*nr)++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[MAX_LINKS];
	struct bpf_object *obj;
	bool inval = false, fentry = false;
	int opt, ret, sig, i, nr = 0;
	sigset_t set;

	while ((opt = getopt(argc, argv, "fih")) != -1) {
		switch (opt) {
		case 'f':
			fentry = true;
			break;
		case 'i':
			inval = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return 1;
	}
	if (check_btf(inval))
		return 1;
	/* Blocked before any thread exists; sigwait() takes them below. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);

	obj = bpf_object__open_file(argv[optind], NULL);
	if (!obj)
		return err_out("cannot open %s: %s", argv[optind], strerror(errno));
	choose_programs(obj, fentry, inval);
	ret = bpf_object__load(obj);
	if (ret) {
		ret = err_out("cannot load %s: %s", argv[optind], strerror(-ret));
		goto out;
	}
	ret = attach_all(obj, links, &nr);
	if (ret)
		goto out;
	fprintf(stderr, "iopfstat: tracing\n");
	if (sigwait(&set, &sig)) {
		ret = err_out("sigwait failed");
		goto out;
	}
	for (i = 0; i < nr; i++)
		bpf_link__destroy(links[i]);
	nr = 0;
	ret = dump(obj, inval);
	if (!ret)
		print_misses(obj);
out:
	for (i = 0; i < nr; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return ret;
}
