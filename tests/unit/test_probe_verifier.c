// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel verifier of this host judges svatop's BPF programs: every
 * program the hook table (svatop probe) picks on this kernel must load, with
 * kprobes for the function hooks (this machine refuses every fentry/fexit
 * load with EPERM, even as root: measured; tp_btf and iter load), so the
 * same CO-RE code is verified through its kprobe entry points. No SVA core here, so
 * the CO-RE guards for fields it lacks (mm_struct.iommu_mm, mm_struct.pasid,
 * the SVA domain fields) must turn the accesses into dead code the verifier
 * accepts. Needs root (CAP_BPF): without it the test fails and says so.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/libbpf.h>
#include "probe/kfacts.h"
#include "probe/verdict.h"
#include "svatop.skel.h"

static char logbuf[1 << 16];
static size_t logused;

static int keep_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG || logused >= sizeof(logbuf) - 1)
		return 0;
	n = vsnprintf(logbuf + logused, sizeof(logbuf) - logused, fmt, ap);
	if (n > 0)
		logused += (size_t)n < sizeof(logbuf) - logused ? (size_t)n :
			   sizeof(logbuf) - logused - 1;
	return 0;
}

static int enable(struct svatop_bpf *skel, const char *name)
{
	struct bpf_program *p;

	if (!name)
		return 0;
	p = bpf_object__find_program_by_name(skel->obj, name);
	if (!p)
		fail_msg("program %s of the hook table is not in the BPF object", name);
	bpf_program__set_autoload(p, true);
	return 1;
}

/* Load what the hook table picks here; force_kprobe: kprobes for functions. */
static void load_as_probe_says(bool force_kprobe)
{
	struct sva_report r;
	struct svatop_bpf *skel;
	struct bpf_program *p;
	struct kfacts *k;
	char err[256];
	int i, n = 0, ret;

	if (geteuid() != 0)
		fail_msg("needs root to load BPF programs (run the tests as root)");
	assert_int_equal(kfacts_load(NULL, &k, err, sizeof(err)), 0);
	assert_int_equal(sva_classify(k, &r), 0);
	if (!kfacts_btf(k))
		fail_msg("this host has no kernel BTF: nothing to verify against");

	logused = 0;
	logbuf[0] = '\0';
	libbpf_set_print(keep_log);
	skel = svatop_bpf__open();
	assert_non_null(skel);
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, false);
	for (i = 0; i < r.nhooks; i++) {
		const struct hook_status *st = &r.hooks[i];
		const struct hook *h = st->hook;
		enum hook_form form = st->form;

		if (st->replaced_by)
			continue;	/* an iommu_sva tracepoint loads instead */
		if (h->iopf)
			continue;	/* bpf/iopf.bpf.c: verified in the lab (lab_iopf_svatop) */
		if (force_kprobe && form == FORM_FENTRY && h->kind == HOOK_FUNC)
			form = FORM_KPROBE;
		if (form == FORM_FENTRY) {
			n += enable(skel, h->fentry_prog);
			n += enable(skel, h->fexit_prog);
		} else if (form == FORM_KPROBE) {
			n += enable(skel, h->kprobe_prog);
			n += enable(skel, h->kretprobe_prog);
		}
	}
	print_message("%d programs picked for this kernel (%s)\n", n,
		      force_kprobe ? "kprobes forced" : "as probe says");
	assert_true(n >= 8);
	ret = svatop_bpf__load(skel);
	if (ret)
		fail_msg("the verifier rejected a program (%d); libbpf said:\n%s",
			 ret, logbuf);
	/* Loaded means every picked program passed the verifier. */
	bpf_object__for_each_program(p, skel->obj)
		if (bpf_program__autoload(p) && bpf_program__fd(p) < 0)
			fail_msg("program %s did not load", bpf_program__name(p));
	svatop_bpf__destroy(skel);
	libbpf_set_print(NULL);
	sva_report_free(&r);
	kfacts_free(k);
}

static void test_kprobe_forms_pass_verifier(void **state)
{
	load_as_probe_says(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kprobe_forms_pass_verifier),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
