// SPDX-License-Identifier: GPL-2.0
/*
 * svatop probe against the five real Debian kernels in tests/data/kernels:
 * the verdict and hook table must match the facts in its README.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "svatop/abi.h"
#include "probe/hooks.h"
#include "probe/kfacts.h"
#include "probe/verdict.h"
#include "test_kernels.h"

static char kdir[PATH_MAX / 2];

static void find_kernels(void)
{
	test_kernels_dir(kdir, sizeof(kdir));
}

static char *kpath(const char *kernel, const char *file)
{
	static char p[4][PATH_MAX];
	static int next;
	char *r = p[next++ % 4];

	snprintf(r, PATH_MAX, "%s/%s/%s", kdir, kernel, file);
	return r;
}

struct classified {
	struct kfacts *k;
	struct sva_report r;
};

static void classify(struct classified *c, const char *kernel, bool btf,
		     bool syms)
{
	struct kfacts_opts o = {
		.btf_path = btf ? kpath(kernel, "btf") : NULL,
		.symbols_path = syms ? kpath(kernel, "System.map.iommu") : NULL,
	};
	char err[512] = "";
	int ret = kfacts_load(&o, &c->k, err, sizeof(err));

	if (ret)
		fail_msg("loading %s: %s (kernels expected in %s)", kernel, err, kdir);
	assert_int_equal(sva_classify(c->k, &c->r), 0);
}

static void release(struct classified *c)
{
	sva_report_free(&c->r);
	kfacts_free(c->k);
}

static const struct hook_status *hook(const struct classified *c,
				      const char *target)
{
	int i;

	for (i = 0; i < c->r.nhooks; i++)
		if (!strcmp(c->r.hooks[i].hook->target, target))
			return &c->r.hooks[i];
	fail_msg("hook %s not in the report", target);
	return NULL;
}

static void expect_verdict(const struct classified *c, enum sva_verdict v)
{
	if (c->r.verdict != v)
		fail_msg("expected verdict %s, got %s", sva_verdict_id(v),
			 sva_verdict_id(c->r.verdict));
}

static void expect_form(const struct classified *c, const char *target,
			enum hook_form form)
{
	const struct hook_status *st = hook(c, target);

	if (st->form != form)
		fail_msg("%s: expected form %d, got %s (%s)", target, form,
			 hook_form_name(st), st->reason);
}

static void expect_reason(const struct classified *c, const char *target,
			  const char *part)
{
	const struct hook_status *st = hook(c, target);

	if (!strstr(st->reason, part))
		fail_msg("%s: expected a reason containing \"%s\", got \"%s\"",
			 target, part, st->reason);
}

static void expect_proto(const struct classified *c, const char *target,
			 const char *proto)
{
	const struct hook_status *st = hook(c, target);

	if (strcmp(st->prototype, proto))
		fail_msg("%s: expected prototype \"%s\", got \"%s\"", target,
			 proto, st->prototype);
}

static void expect_iopf(const struct classified *c, bool traceable, const char *why_prefix)
{
	char why[512] = "";

	if (iopf_traceable(&c->r, why, sizeof(why)) != traceable)
		fail_msg("expected IOPF %straceable, got the opposite (%s)",
			 traceable ? "" : "not ", why);
	if (why_prefix && strncmp(why, why_prefix, strlen(why_prefix)))
		fail_msg("expected the IOPF reason to start with \"%s\", got \"%s\"",
			 why_prefix, why);
}

/* README: 7.3.4 real, with the fix; every SVA function fentry-attachable. */
static void test_7_3_4_real_fixed(void **state)
{
	struct classified c;
	static const char *const present[] = {
		"iommu_sva_bind_device", "iommu_sva_unbind_device",
		"iommu_alloc_global_pasid", "iommu_free_global_pasid",
		"iommu_attach_device_pasid", "iommu_detach_device_pasid",
		"iommu_domain_free", "mm_pasid_drop", "__mmdrop", "mm_init",
	};
	size_t i;

	classify(&c, "7.3.4-trixie-backports", true, true);
	expect_verdict(&c, SVA_REAL_FIXED);
	assert_int_equal(c.r.era, ERA_IOMMU_MM);
	assert_false(c.r.heuristic);
	assert_true(c.r.traceable);
	assert_int_equal(sva_exit_status(&c.r), PROBE_EXIT_OK);
	assert_string_equal(kfacts_arch(c.k), "x86");
	for (i = 0; i < sizeof(present) / sizeof(present[0]); i++)
		expect_form(&c, present[i], FORM_FENTRY);
	expect_form(&c, "ioasid_alloc", FORM_NONE);
	expect_form(&c, "ioasid_free", FORM_NONE);
	expect_proto(&c, "iommu_sva_bind_device",
		     "struct iommu_sva *iommu_sva_bind_device(struct device *dev, struct mm_struct *mm)");
	expect_proto(&c, "iommu_attach_device_pasid",
		     "int iommu_attach_device_pasid(struct iommu_domain *domain, struct device *dev, ioasid_t pasid, struct iommu_attach_handle *handle)");
	/* The fix's fingerprints, as README lists them. */
	assert_int_equal(kfacts_func(c.k, "iommu_sva_invalidate_kva_range"), KF_YES);
	assert_int_equal(kfacts_member(c.k, "iommu_mm_data", "mm_list_elm"), KF_YES);
	assert_int_equal(kfacts_func_in_btf(c.k, "iommu_sva_iopf_handler"), KF_YES);
	/* Device page faults: kprobes by choice (fentry skips nested calls). */
	expect_form(&c, "iommu_report_device_fault", FORM_KPROBE);
	expect_form(&c, "iopf_group_response", FORM_KPROBE);
	expect_form(&c, "iommu_sva_iopf_handler", FORM_KPROBE);
	expect_reason(&c, "iopf_group_response", "kprobe by choice");
	expect_form(&c, "__mmu_notifier_arch_invalidate_secondary_tlbs", FORM_KPROBE);
	expect_iopf(&c, true, NULL);
	/* 0x350 bytes, verified by disassembly. */
	assert_int_equal(kfacts_symbol_size(c.k, "iommu_sva_bind_device"), 0x350);
	release(&c);
}

static void check_6_12_stub(const char *kernel, uint64_t bind_size)
{
	struct classified c;

	classify(&c, kernel, true, true);
	expect_verdict(&c, SVA_STUBBED);
	assert_int_equal(c.r.era, ERA_IOMMU_MM);
	assert_false(c.r.heuristic);
	assert_int_equal(sva_exit_status(&c.r), PROBE_EXIT_NO_SVA);
	/* The dead SVA core was dropped: neither BTF nor kallsyms has it. */
	assert_int_equal(kfacts_func_in_btf(c.k, "iommu_sva_iopf_handler"), KF_NO);
	assert_int_equal(kfacts_func_in_symbols(c.k, "iommu_sva_iopf_handler"), KF_NO);
	assert_int_equal(kfacts_func_in_btf(c.k, "iommu_sva_handle_iopf"), KF_NO);
	assert_int_equal(kfacts_func_in_symbols(c.k, "iommu_sva_handle_iopf"), KF_NO);
	/* The stub is still traceable: svatop shows the failing binds. */
	expect_form(&c, "iommu_sva_bind_device", FORM_FENTRY);
	expect_reason(&c, "iommu_sva_bind_device", "-EOPNOTSUPP");
	expect_form(&c, "mm_pasid_drop", FORM_FENTRY);
	expect_form(&c, "iommu_attach_device_pasid", FORM_FENTRY);
	expect_form(&c, "ioasid_alloc", FORM_NONE);
	expect_proto(&c, "iommu_attach_device_pasid",
		     "int iommu_attach_device_pasid(struct iommu_domain *domain, struct device *dev, ioasid_t pasid, struct iommu_attach_handle *handle)");
	/* IOPF: report and response exist (iommufd uses them), the SVA
	 * handler does not: svatop loads without IOPF accounting. */
	expect_form(&c, "iommu_report_device_fault", FORM_KPROBE);
	expect_form(&c, "iopf_group_response", FORM_KPROBE);
	expect_form(&c, "iommu_sva_iopf_handler", FORM_NONE);
	expect_reason(&c, "iommu_sva_iopf_handler", "x86 SVA stub");
	expect_iopf(&c, false, "iommu_sva_iopf_handler: the x86 SVA stub");
	/* Symbol distance: 0x20 (6.12.95) and 0x2b -> 0x30 aligned (6.12.117). */
	assert_int_equal(kfacts_symbol_size(c.k, "iommu_sva_bind_device"), bind_size);
	release(&c);
}

static void test_6_12_95_stubbed(void **state)
{
	check_6_12_stub("6.12.95-bookworm-backports", 0x20);
}

static void test_6_12_117_stubbed(void **state)
{
	check_6_12_stub("6.12.117-trixie", 0x30);
}

/* README: arm64 6.12: no SVA symbols at all. */
static void test_6_12_117_arm64_not_built(void **state)
{
	struct classified c;

	classify(&c, "6.12.117-trixie-arm64", true, true);
	expect_verdict(&c, SVA_NOT_BUILT);
	assert_string_equal(kfacts_arch(c.k), "arm64");
	assert_true(kfacts_arch_detected(c.k));
	assert_false(c.r.traceable);
	assert_int_equal(sva_exit_status(&c.r), PROBE_EXIT_NO_SVA);
	expect_form(&c, "iommu_sva_bind_device", FORM_NONE);
	expect_reason(&c, "iommu_sva_bind_device", "SVA core not built");
	expect_form(&c, "iommu_sva_unbind_device", FORM_NONE);
	expect_reason(&c, "mm_pasid_drop", "not built");
	expect_form(&c, "iommu_report_device_fault", FORM_NONE);
	expect_form(&c, "iommu_sva_iopf_handler", FORM_NONE);
	expect_iopf(&c, false, "iommu_report_device_fault: ");
	/* The generic IOMMU PASID code is there, without SVA. */
	expect_form(&c, "iommu_alloc_global_pasid", FORM_FENTRY);
	release(&c);
}

/* README: 6.1: every symbol stays; bind is 0x50 to the next symbol. */
static void test_6_1_likely_stubbed(void **state)
{
	struct classified c;

	classify(&c, "6.1.192-bookworm-security", true, true);
	expect_verdict(&c, SVA_LIKELY_STUBBED);
	assert_true(c.r.heuristic);
	assert_int_equal(c.r.bind_size, 0x50);
	assert_int_equal(c.r.era, ERA_IOASID);
	assert_int_equal(sva_exit_status(&c.r), PROBE_EXIT_UNDECIDED);
	/* 6.1's world: bind with drvdata, ioasid, mm->pasid, no SVA domains. */
	expect_proto(&c, "iommu_sva_bind_device",
		     "struct iommu_sva *iommu_sva_bind_device(struct device *dev, struct mm_struct *mm, void *drvdata)");
	expect_form(&c, "ioasid_alloc", FORM_FENTRY);
	expect_form(&c, "ioasid_free", FORM_FENTRY);
	expect_reason(&c, "ioasid_free", "__mmdrop");
	expect_form(&c, "iommu_alloc_global_pasid", FORM_NONE);
	expect_reason(&c, "iommu_alloc_global_pasid", "ioasid_alloc");
	expect_form(&c, "iommu_attach_device_pasid", FORM_NONE);
	expect_reason(&c, "iommu_attach_device_pasid", "no SVA domains");
	expect_form(&c, "mm_pasid_drop", FORM_NONE);
	expect_reason(&c, "mm_pasid_drop", "inline");
	expect_form(&c, "__mmdrop", FORM_FENTRY);
	assert_int_equal(kfacts_member(c.k, "mm_struct", "pasid"), KF_YES);
	assert_int_equal(kfacts_member(c.k, "mm_struct", "iommu_mm"), KF_NO);
	/* 6.1's IOPF: another signature (struct iommu_fault_event), no groups. */
	expect_form(&c, "iommu_report_device_fault", FORM_NONE);
	expect_reason(&c, "iommu_report_device_fault", "pre-6.8 IOPF");
	expect_form(&c, "iopf_group_response", FORM_NONE);
	expect_form(&c, "__mmu_notifier_arch_invalidate_secondary_tlbs", FORM_NONE);
	expect_iopf(&c, false, "iommu_report_device_fault: pre-6.8 IOPF");
	/* Two BTF functions named mm_init: the fork one comes first. */
	assert_true(hook(&c, "mm_init")->btf_dups == 2);
	expect_proto(&c, "mm_init",
		     "struct mm_struct *mm_init(struct mm_struct *mm, struct task_struct *p, struct user_namespace *user_ns)");
	release(&c);
}

/* BTF alone: decides what it can and says what it could not check. */
static void test_btf_only(void **state)
{
	struct classified c;

	classify(&c, "7.3.4-trixie-backports", true, false);
	expect_verdict(&c, SVA_REAL_FIXED);
	assert_true(c.r.nunchecked > 0);
	assert_non_null(strstr(c.r.unchecked[0], "symbol"));
	release(&c);

	classify(&c, "6.12.95-bookworm-backports", true, false);
	expect_verdict(&c, SVA_STUBBED);
	release(&c);

	classify(&c, "6.12.117-trixie-arm64", true, false);
	expect_verdict(&c, SVA_NOT_BUILT);
	release(&c);

	/* 6.1 needs bind's size, which only a symbol table gives. */
	classify(&c, "6.1.192-bookworm-security", true, false);
	expect_verdict(&c, SVA_UNDECIDABLE);
	assert_int_equal(sva_exit_status(&c.r), PROBE_EXIT_UNDECIDED);
	release(&c);
}

/*
 * The live source's BTF-first start: where sva_btf_answers() says BTF alone
 * settles the kernel, the symbol table changes no hook's form, reason-free
 * choice or replacement, and the verdict stays; where it says no, the
 * symbols do matter or the kernel is not one svatop traces without them.
 */
static void test_btf_answers(void **state)
{
	static const struct {
		const char *kernel;
		bool answers;
	} cases[] = {
		{ "7.3.4-trixie-backports", true },
		{ "6.12.95-bookworm-backports", false },	/* stubbed */
		{ "6.12.117-trixie", false },			/* stubbed */
		{ "6.12.117-trixie-arm64", false },		/* not built */
		{ "6.1.192-bookworm-security", false },		/* heuristic era */
	};
	struct classified btf, full;
	size_t i;
	int h;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		classify(&btf, cases[i].kernel, true, false);
		classify(&full, cases[i].kernel, true, true);
		if (sva_btf_answers(&btf.r) != cases[i].answers)
			fail_msg("%s: sva_btf_answers() is %d", cases[i].kernel, !cases[i].answers);
		/* with the symbols the answer can only stay yes */
		if (cases[i].answers)
			assert_true(sva_btf_answers(&full.r));
		if (cases[i].answers) {
			assert_int_equal(btf.r.verdict, full.r.verdict);
			assert_int_equal(btf.r.era, full.r.era);
			assert_int_equal(btf.r.nhooks, full.r.nhooks);
			for (h = 0; h < btf.r.nhooks; h++) {
				const struct hook_status *a = &btf.r.hooks[h], *b = &full.r.hooks[h];

				if (a->form != b->form || !a->replaced_by != !b->replaced_by)
					fail_msg("%s: hook %s: form %d without symbols, %d with",
						 cases[i].kernel, a->hook->target, a->form, b->form);
			}
		}
		release(&btf);
		release(&full);
	}
}

/* Symbols alone: no BTF, so no CO-RE and no fentry, but a verdict. */
static void test_symbols_only(void **state)
{
	struct classified c;

	classify(&c, "7.3.4-trixie-backports", false, true);
	expect_verdict(&c, SVA_REAL_FIXED);
	assert_string_equal(kfacts_arch(c.k), "x86");	/* from text addresses */
	assert_false(c.r.traceable);
	assert_int_equal(sva_exit_status(&c.r), PROBE_EXIT_UNTRACEABLE);
	expect_form(&c, "iommu_sva_bind_device", FORM_KPROBE);
	release(&c);

	classify(&c, "6.12.117-trixie", false, true);
	expect_verdict(&c, SVA_STUBBED);
	release(&c);

	classify(&c, "6.1.192-bookworm-security", false, true);
	expect_verdict(&c, SVA_LIKELY_STUBBED);
	release(&c);

	classify(&c, "6.12.117-trixie-arm64", false, true);
	expect_verdict(&c, SVA_NOT_BUILT);
	assert_string_equal(kfacts_arch(c.k), "arm64");
	release(&c);
}

/* Copy a symbol file, dropping lines that match any of drop[]. */
static void filtered_copy(const char *from, const char *to,
			  const char *const *drop, int ndrop,
			  const char *replace_from, const char *replace_to)
{
	FILE *in = fopen(from, "r"), *out = fopen(to, "w");
	char line[512];
	int i;

	assert_non_null(in);
	assert_non_null(out);
	while (fgets(line, sizeof(line), in)) {
		bool skip = false;

		for (i = 0; i < ndrop; i++)
			if (strstr(line, drop[i]))
				skip = true;
		if (skip)
			continue;
		if (replace_from && !strncmp(line, replace_from, strlen(replace_from)))
			fputs(replace_to, out);
		else
			fputs(line, out);
	}
	fclose(in);
	fclose(out);
}

/* The event a skipped call of each program is lost as (live_missed()):
 * from the hook table; an fentry entry whose fexit reports loses none. */
static void test_hook_prog_event(void **state)
{
	(void)state;
	assert_int_equal(hook_prog_event("fexit_bind"), SVATOP_EV_BIND);
	assert_int_equal(hook_prog_event("kprobe_bind"), SVATOP_EV_BIND);
	assert_int_equal(hook_prog_event("kretprobe_bind"), SVATOP_EV_BIND);
	assert_int_equal(hook_prog_event("fentry_bind"), 0);
	assert_int_equal(hook_prog_event("fentry_unbind"), SVATOP_EV_UNBIND);
	assert_int_equal(hook_prog_event("fentry_pasid_free"), SVATOP_EV_PASID_FREE);
	assert_int_equal(hook_prog_event("fexit_attach"), SVATOP_EV_ATTACH);
	assert_int_equal(hook_prog_event("fentry_mm_pasid_drop"), SVATOP_EV_MM_PASID_DROP);
	assert_int_equal(hook_prog_event("fentry_mmdrop"), SVATOP_EV_MMDROP);
	assert_int_equal(hook_prog_event("fexit_mm_init"), SVATOP_EV_FORK);
	assert_int_equal(hook_prog_event("tp_fork"), SVATOP_EV_PROC_FORK);
	assert_int_equal(hook_prog_event("tp_btf_prepare_exec"), SVATOP_EV_EXIT);
	assert_int_equal(hook_prog_event("tp_sva_domain_alloc"), SVATOP_EV_DOMAIN_ALLOC);
	assert_int_equal(hook_prog_event("iter_snapshot"), 0);
	assert_int_equal(hook_prog_event("no_such_prog"), 0);
}

/* A 7.x kernel without the fix: the rule must say real-unfixed. */
static void test_rule_real_unfixed(void **state)
{
	static const char *const drop[] = { "iommu_sva_invalidate_kva_range",
					    " iommu_sva_mms" };
	char tmp[] = "/tmp/svatop-probe-XXXXXX";
	struct kfacts_opts o = { 0 };
	struct kfacts *k;
	struct sva_report r;
	char err[256];
	int fd = mkstemp(tmp);

	assert_true(fd >= 0);
	close(fd);
	filtered_copy(kpath("7.3.4-trixie-backports", "System.map.iommu"), tmp,
		      drop, 2, NULL, NULL);
	o.symbols_path = tmp;
	assert_int_equal(kfacts_load(&o, &k, err, sizeof(err)), 0);
	assert_int_equal(sva_classify(k, &r), 0);
	if (r.verdict != SVA_REAL_UNFIXED)
		fail_msg("expected real-unfixed, got %s", sva_verdict_id(r.verdict));
	sva_report_free(&r);
	kfacts_free(k);
	unlink(tmp);
}

/* The 6.1 heuristic: a full-sized bind means likely real. */
static void test_rule_6_1_full_sized_bind(void **state)
{
	/* Drop the symbols right after bind so the next one is far away. */
	static const char *const drop[] = { " iommu_group_ref_get",
					    " iommu_group_set_name" };
	char tmp[] = "/tmp/svatop-probe-XXXXXX";
	struct kfacts_opts o = { 0 };
	struct kfacts *k;
	struct sva_report r;
	char err[256];
	int fd = mkstemp(tmp);

	assert_true(fd >= 0);
	close(fd);
	filtered_copy(kpath("6.1.192-bookworm-security", "System.map.iommu"),
		      tmp, drop, 2, NULL, NULL);
	o.btf_path = kpath("6.1.192-bookworm-security", "btf");
	o.symbols_path = tmp;
	assert_int_equal(kfacts_load(&o, &k, err, sizeof(err)), 0);
	assert_int_equal(sva_classify(k, &r), 0);
	assert_true(r.bind_size > STUB_BIND_MAX_SIZE);
	if (r.verdict != SVA_LIKELY_REAL)
		fail_msg("expected likely-real, got %s (size %#lx)",
			 sva_verdict_id(r.verdict), r.bind_size);
	sva_report_free(&r);
	kfacts_free(k);

	/* The same kernel on arm64: the x86 stub does not apply. */
	o.symbols_path = kpath("6.1.192-bookworm-security", "System.map.iommu");
	o.arch = "arm64";
	assert_int_equal(kfacts_load(&o, &k, err, sizeof(err)), 0);
	assert_int_equal(sva_classify(k, &r), 0);
	assert_int_equal(r.verdict, SVA_LIKELY_REAL);
	sva_report_free(&r);
	kfacts_free(k);
	unlink(tmp);
}

/* A kernel with svatop's iommu_sva tracepoints (7.3.4's BTF plus their
 * btf_trace_* typedefs, as the patched lab kernel has): the tracepoints
 * replace the function hooks they cover, as in the live source. */
static void test_sva_tracepoints_replace_functions(void **state)
{
	char tmp[] = "/tmp/svatop-probe-XXXXXX", err[256];
	struct kfacts_opts o = { 0 };
	struct classified c;
	struct btf *btf;
	const void *raw;
	__u32 size;
	FILE *f;
	int fd, id;

	btf = btf__parse_raw(kpath("7.3.4-trixie-backports", "btf"));
	assert_non_null(btf);
	id = btf__find_by_name_kind(btf, "int", BTF_KIND_INT);
	assert_true(id > 0);
	assert_true(btf__add_typedef(btf, "btf_trace_sva_bind", id) > 0);
	assert_true(btf__add_typedef(btf, "btf_trace_sva_unbind", id) > 0);
	raw = btf__raw_data(btf, &size);
	assert_non_null(raw);
	fd = mkstemp(tmp);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_int_equal(fwrite(raw, 1, size, f), size);
	fclose(f);
	btf__free(btf);

	o.btf_path = tmp;
	o.symbols_path = kpath("7.3.4-trixie-backports", "System.map.iommu");
	assert_int_equal(kfacts_load(&o, &c.k, err, sizeof(err)), 0);
	assert_int_equal(sva_classify(c.k, &c.r), 0);
	expect_verdict(&c, SVA_REAL_FIXED);
	expect_form(&c, "iommu_sva:sva_bind", FORM_FENTRY);
	assert_string_equal(hook_form_name(hook(&c, "iommu_sva:sva_bind")), "tp_btf");
	assert_string_equal(hook(&c, "iommu_sva_bind_device")->replaced_by,
			    "iommu_sva:sva_bind");
	assert_string_equal(hook_form_name(hook(&c, "iommu_sva_bind_device")), "replaced");
	assert_string_equal(hook(&c, "iommu_sva_unbind_device")->replaced_by,
			    "iommu_sva:sva_unbind");
	/* Not covered by a present tracepoint: still a function hook. */
	assert_null(hook(&c, "iommu_domain_free")->replaced_by);
	expect_form(&c, "iommu_sva:sva_domain_free", FORM_NONE);
	assert_true(c.r.traceable);
	assert_int_equal(sva_exit_status(&c.r), PROBE_EXIT_OK);
	release(&c);
	unlink(tmp);
}

/* Every verdict has an id, a title and a paragraph. */
static void test_verdict_texts(void **state)
{
	int v;

	for (v = SVA_NOT_BUILT; v <= SVA_UNDECIDABLE; v++) {
		assert_string_not_equal(sva_verdict_id(v), "?");
		assert_true(strlen(sva_verdict_title(v)) > 10);
		assert_true(strlen(sva_verdict_advice(v)) > 150);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_7_3_4_real_fixed),
		cmocka_unit_test(test_6_12_95_stubbed),
		cmocka_unit_test(test_6_12_117_stubbed),
		cmocka_unit_test(test_6_12_117_arm64_not_built),
		cmocka_unit_test(test_6_1_likely_stubbed),
		cmocka_unit_test(test_btf_only),
		cmocka_unit_test(test_symbols_only),
		cmocka_unit_test(test_rule_real_unfixed),
		cmocka_unit_test(test_hook_prog_event),
		cmocka_unit_test(test_rule_6_1_full_sized_bind),
		cmocka_unit_test(test_sva_tracepoints_replace_functions),
		cmocka_unit_test(test_verdict_texts),
		cmocka_unit_test(test_btf_answers),
	};

	find_kernels();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
