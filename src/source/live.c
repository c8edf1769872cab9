// SPDX-License-Identifier: GPL-2.0
/*
 * The live source: loads bpf/svatop.bpf.c, keeps one attach form per hook
 * (fentry where the function is in BTF, kprobe where it is only in
 * kallsyms), attaches, runs the task-iterator snapshot and streams the
 * ring buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "svatop.skel.h"
#include "common/ksyms.h"
#include "common/log.h"
#include "source/hooks.h"
#include "source/live.h"
#include "source/source.h"

struct live_source {
	struct source base;
	struct svatop_bpf *skel;
	struct ring_buffer *rb;
	struct ksyms *ksyms;
	uint64_t delivered;
	/* the callback of the poll in progress */
	source_event_fn fn;
	void *fn_ctx;
	int fn_ret;
	int n_forms;
	enum hook_form forms[64];
	bool sva_tracepoints;	/* the kernel has svatop's iommu_sva tracepoints */
	bool fork_check_at_tp;	/* mm_init is not hookable here */
	char desc[128];
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG && !log_verbose)
		return 0;
	if (level != LIBBPF_WARN && !log_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static struct bpf_program *prog_by_name(struct svatop_bpf *skel,
					const char *name)
{
	return name ? bpf_object__find_program_by_name(skel->obj, name) : NULL;
}

static void set_autoload(struct svatop_bpf *skel, const char *name, bool on)
{
	struct bpf_program *p = prog_by_name(skel, name);

	if (p)
		bpf_program__set_autoload(p, on);
}

static bool tp_in_btf(const struct btf *btf, const char *target)
{
	const char *ev = strchr(target, ':');
	char name[128];

	if (!btf || !ev)
		return false;
	snprintf(name, sizeof(name), "btf_trace_%s", ev + 1);
	return btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0;
}

static bool tp_in_tracefs(const char *target)
{
	char path[256], grp[64];
	const char *ev = strchr(target, ':');

	if (!ev || (size_t)(ev - target) >= sizeof(grp))
		return false;
	memcpy(grp, target, ev - target);
	grp[ev - target] = 0;
	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/%s", grp, ev + 1);
	if (!access(path, F_OK))
		return true;
	snprintf(path, sizeof(path), "/sys/kernel/debug/tracing/events/%s/%s",
		 grp, ev + 1);
	return !access(path, F_OK);
}

enum hook_form live_hook_form(const struct hook *h, const struct btf *btf,
			      const struct ksyms *ks, bool force_kprobe,
			      const char **why)
{
	bool in_btf, in_syms;

	*why = NULL;
	switch (h->kind) {
	case HOOK_ITER:
		return FORM_FENTRY;
	case HOOK_TRACEPOINT:
		if (!force_kprobe && tp_in_btf(btf, h->target))
			return FORM_FENTRY;
		if (tp_in_tracefs(h->target) || tp_in_btf(btf, h->target))
			return FORM_KPROBE;
		*why = "tracepoint not found";
		return FORM_NONE;
	case HOOK_SVA_TRACEPOINT:
		if (tp_in_btf(btf, h->target))
			return FORM_FENTRY;
		*why = "kernel without svatop's iommu_sva tracepoints";
		return FORM_NONE;
	case HOOK_FUNC:
		break;
	}
	in_btf = btf && btf__find_by_name_kind(btf, h->target, BTF_KIND_FUNC) > 0;
	in_syms = ks && ksyms_find(ks, h->target);
	if (in_btf && !force_kprobe && (h->fentry_prog || h->fexit_prog))
		return FORM_FENTRY;
	if (in_syms || in_btf)
		return FORM_KPROBE;
	*why = ks ? "not in kallsyms or BTF (inlined, or not built)"
		  : "not in BTF (kallsyms unreadable)";
	return FORM_NONE;
}

/* Where the kernel has our iommu_sva tracepoints, they replace the function
 * hooks they make redundant. Returns true when any tracepoint is used. */
bool live_prefer_tracepoints(enum hook_form *forms)
{
	bool any = false;
	int i, j, k;

	for (i = 0; i < hooks_count; i++) {
		if (hooks[i].kind != HOOK_SVA_TRACEPOINT || forms[i] != FORM_FENTRY)
			continue;
		any = true;
		for (j = 0; j < 3 && hooks[i].replaces[j]; j++)
			for (k = 0; k < hooks_count; k++)
				if (hooks[k].kind == HOOK_FUNC &&
				    !strcmp(hooks[k].target, hooks[i].replaces[j]))
					forms[k] = FORM_NONE;
	}
	return any;
}

static void apply_forms(struct live_source *ls, const enum hook_form *forms)
{
	int i;

	for (i = 0; i < hooks_count; i++) {
		const struct hook *h = &hooks[i];
		bool fe = forms[i] == FORM_FENTRY, kp = forms[i] == FORM_KPROBE;

		set_autoload(ls->skel, h->fentry_prog, fe);
		set_autoload(ls->skel, h->fexit_prog, fe);
		set_autoload(ls->skel, h->kprobe_prog, kp);
		set_autoload(ls->skel, h->kretprobe_prog, kp);
	}
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct live_source *ls = ctx;
	struct svatop_event ev;
	int ret;

	if (size < sizeof(ev))
		return 0;
	memcpy(&ev, data, sizeof(ev));
	ls->delivered++;
	ret = ls->fn(&ev, ls->fn_ctx);
	if (ret)
		ls->fn_ret = ret;
	return ret;
}

static int live_poll(struct source *src, int timeout_ms, source_event_fn fn,
		     void *ctx)
{
	struct live_source *ls = (void *)src;
	int n;

	ls->fn = fn;
	ls->fn_ctx = ctx;
	ls->fn_ret = 0;
	n = ring_buffer__poll(ls->rb, timeout_ms);
	if (n == -EINTR)
		n = 0;
	/* The kernel side wakes us only for batches: take the rest too. */
	if (n >= 0 && !ls->fn_ret) {
		int m = ring_buffer__consume(ls->rb);

		n = m < 0 ? m : n + m;
	}
	if (ls->fn_ret)
		return ls->fn_ret;
	return n;
}

static void live_stats(struct source *src, struct source_stats *out)
{
	struct live_source *ls = (void *)src;
	int ncpu = libbpf_num_possible_cpus(), fd, i;
	uint32_t key;
	uint64_t *vals;

	memset(out, 0, sizeof(*out));
	out->delivered = ls->delivered;
	if (ncpu <= 0)
		return;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return;
	fd = bpf_map__fd(ls->skel->maps.counters);
	for (key = 0; key < SVATOP_CNT_MAX; key++) {
		uint64_t sum = 0;

		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		for (i = 0; i < ncpu; i++)
			sum += vals[i];
		if (key == SVATOP_CNT_SUBMITTED)
			out->submitted = sum;
		else if (key == SVATOP_CNT_DROPPED)
			out->dropped = sum;
		else
			out->dropped_by_type[key - SVATOP_CNT_DROPPED_TYPE] = sum;
	}
	free(vals);
}

static void live_close(struct source *src)
{
	struct live_source *ls = (void *)src;

	ring_buffer__free(ls->rb);
	svatop_bpf__destroy(ls->skel);
	ksyms_free(ls->ksyms);
	free(ls);
}

static const char *live_describe(struct source *src)
{
	return ((struct live_source *)src)->desc;
}

static const struct source_ops live_ops = {
	.poll = live_poll,
	.stats = live_stats,
	.close = live_close,
	.describe = live_describe,
};

/* Explain the environment problems users hit first, in one line. */
static int check_environment(const struct btf *btf, const struct ksyms *ks)
{
	if (geteuid() != 0) {
		p_err("tracing needs root (or CAP_BPF and CAP_PERFMON); try 'sudo svatop'");
		return -EPERM;
	}
	if (!btf) {
		p_err("this kernel exposes no BTF (/sys/kernel/btf/vmlinux): "
		      "svatop needs CONFIG_DEBUG_INFO_BTF=y");
		return -ENOENT;
	}
	if (btf__find_by_name_kind(btf, "iommu_sva_bind_device", BTF_KIND_FUNC) <= 0 &&
	    !(ks && ksyms_find(ks, "iommu_sva_bind_device"))) {
		p_err("this kernel has no SVA (iommu_sva_bind_device is absent): "
		      "nothing to trace; 'svatop probe' explains, 'make demo' shows svatop in the lab");
		return -EOPNOTSUPP;
	}
	return 0;
}

static int load_with(struct live_source *ls, const struct live_opts *opts,
		     const enum hook_form *forms)
{
	int err;

	ls->skel = svatop_bpf__open();
	if (!ls->skel)
		return -errno;
	ls->skel->rodata->target_tgid = opts->target_tgid;
	ls->skel->rodata->collect_stacks = opts->collect_stacks;
	ls->skel->rodata->sva_tracepoints = ls->sva_tracepoints;
	ls->skel->rodata->fork_check_at_tp = ls->fork_check_at_tp;
	apply_forms(ls, forms);
	err = svatop_bpf__load(ls->skel);
	if (err) {
		svatop_bpf__destroy(ls->skel);
		ls->skel = NULL;
	}
	return err;
}

static int run_snapshot(struct live_source *ls)
{
	char buf[64];
	int fd, n;

	if (!ls->skel->links.iter_snapshot)
		return -ENOENT;
	fd = bpf_iter_create(bpf_link__fd(ls->skel->links.iter_snapshot));
	if (fd < 0)
		return -errno;
	/* The iterator writes into the ring buffer, not into this fd: read
	 * to EOF only to drive the walk. */
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return n < 0 ? -errno : 0;
}

int live_source_open(struct source **out, const struct live_opts *opts)
{
	enum hook_form forms[64] = { 0 };
	struct live_source *ls;
	struct btf *btf;
	const char *why;
	int err, i, missing = 0;

	libbpf_set_print(libbpf_print);
	ls = calloc(1, sizeof(*ls));
	if (!ls)
		return -ENOMEM;
	ls->base.ops = &live_ops;
	btf = btf__load_vmlinux_btf();
	ls->ksyms = ksyms_load("/proc/kallsyms");
	if (ls->ksyms && ksyms_all_zero(ls->ksyms)) {
		ksyms_free(ls->ksyms);
		ls->ksyms = NULL;
	}
	err = check_environment(btf, ls->ksyms);
	if (err)
		goto fail;

	for (i = 0; i < hooks_count && i < 64; i++) {
		forms[i] = live_hook_form(&hooks[i], btf, ls->ksyms,
					  opts->force_kprobe, &why);
		if (forms[i] == FORM_NONE && !strcmp(hooks[i].target, "mm_init")) {
			p_info("mm_init cannot be hooked (%s): the child's SVA state is "
			       "checked at sched_process_fork", why);
			ls->fork_check_at_tp = true;
		} else if (forms[i] == FORM_NONE && !hooks[i].optional) {
			p_err("hook %s (%s) missing: %s; its events will not be seen",
			      hooks[i].target, hooks[i].lifecycle, why);
			missing++;
		}
	}
	ls->sva_tracepoints = live_prefer_tracepoints(forms);
	err = load_with(ls, opts, forms);
	if (err && !opts->force_kprobe) {
		/* e.g. no BPF trampoline on this kernel: kprobes everywhere */
		p_info("fentry load failed (%d), retrying with kprobes", err);
		for (i = 0; i < hooks_count && i < 64; i++)
			if (forms[i] == FORM_FENTRY && hooks[i].kind == HOOK_FUNC)
				forms[i] = FORM_KPROBE;
		err = load_with(ls, opts, forms);
	}
	if (err) {
		p_err("loading the BPF programs failed: %s (run with -v for the verifier log)",
		      strerror(-err));
		goto fail;
	}
	memcpy(ls->forms, forms, sizeof(forms));
	ls->n_forms = hooks_count;
	err = svatop_bpf__attach(ls->skel);
	if (err) {
		p_err("attaching the BPF programs failed: %s", strerror(-err));
		goto fail;
	}
	ls->rb = ring_buffer__new(bpf_map__fd(ls->skel->maps.events), on_sample,
				  ls, NULL);
	if (!ls->rb) {
		err = -errno;
		p_err("ring buffer: %s", strerror(-err));
		goto fail;
	}
	if (opts->snapshot) {
		err = run_snapshot(ls);
		if (err)
			p_err("snapshot of pre-existing SVA state failed: %s",
			      strerror(-err));
	}
	snprintf(ls->desc, sizeof(ls->desc), "live, %d hooks%s", hooks_count - missing,
		 missing ? " (some missing)" : "");
	btf__free(btf);
	*out = &ls->base;
	return 0;
fail:
	btf__free(btf);
	live_close(&ls->base);
	return err;
}

int live_source_stack(struct source *src, int32_t stack_id, char frames[][64],
		      int max)
{
	struct live_source *ls = (void *)src;
	uint64_t ips[SVATOP_STACK_DEPTH] = { 0 };
	int fd, i, n = 0;

	if (stack_id < 0)
		return -ENOENT;
	fd = bpf_map__fd(ls->skel->maps.stacks);
	if (bpf_map_lookup_elem(fd, &stack_id, ips))
		return -errno;
	for (i = 0; i < SVATOP_STACK_DEPTH && n < max && ips[i]; i++) {
		const struct ksym *s = ls->ksyms ? ksyms_lookup(ls->ksyms, ips[i]) : NULL;

		/* Only text symbols that really contain the address: BPF
		 * trampolines and programs are not in the kallsyms we read at
		 * start, and must not be named after the last symbol below. */
		if (s && (!strchr("tTwW", s->type) ||
			  ips[i] - s->addr >= ksyms_size(ls->ksyms, s)))
			s = NULL;
		if (!s && i < 3)
			continue;	/* the trampoline frames of the hook itself */
		if (s)
			snprintf(frames[n++], 64, "%s+0x%llx", s->name,
				 (unsigned long long)(ips[i] - s->addr));
		else
			snprintf(frames[n++], 64, "0x%llx", (unsigned long long)ips[i]);
	}
	return n;
}

enum hook_form live_source_form(struct source *src, int hook_index)
{
	struct live_source *ls = (void *)src;

	return hook_index < ls->n_forms ? ls->forms[hook_index] : FORM_NONE;
}
