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
#include <linux/capability.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "svatop.skel.h"
#include "common/clock.h"
#include "common/ksyms.h"
#include "common/log.h"
#include "probe/kfacts.h"
#include "probe/verdict.h"
#include "probe/hooks.h"
#include "source/bpf_err.h"
#include "source/kaddr.h"
#include "source/wire.h"
#include "source/source.h"

struct live_source {
	struct source base;
	struct svatop_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *resync_link;	/* the iterator on svatop's own task only */
	struct ksyms *ksyms;
	uint64_t delivered;
	/* the callback of the poll in progress */
	source_event_fn fn;
	void *fn_ctx;
	int fn_ret;
	bool sva_tracepoints;	/* the kernel has svatop's iommu_sva tracepoints */
	bool fork_check_at_tp;	/* mm_init is not hookable here */
	bool state_capable;	/* the re-walk sees bonds (7.x lists and fields) */
	bool state_mode;	/* loaded with state_mode (docs/design.md) */
	uint64_t sva_mms_addr, group_kset_addr;	/* from kallsyms, for the snapshot */
	struct wire_names names;	/* device names, sent once per device */
	struct sva_report report;	/* this kernel, classified (the IOPF source reuses it) */
	bool have_report;
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

void bpf_report_verified(struct bpf_object *obj, const char *what)
{
	struct bpf_program *prog;
	unsigned long long total = 0;
	int n = 0;

	if (!log_verbose)
		return;
	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		if (!bpf_program__autoload(prog) || bpf_program__fd(prog) < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			continue;
		p_info("start-up: %s: %s: %u instructions, %u verified",
		       what, bpf_program__name(prog), info.xlated_prog_len / 8,
		       info.verified_insns);
		total += info.verified_insns;
		n++;
	}
	p_info("start-up: %s: %d programs, %llu instructions verified", what, n, total);
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct live_source *ls = ctx;
	struct svatop_event ev[WIRE_MAX_EVENTS];
	int n, i, ret = 0;

	n = wire_decode(&ls->names, data, size, ev);
	if (n == -ENOMEM)
		p_err("out of memory for device names: events go on without them");
	for (i = 0; i < n && !ret; i++) {
		ls->delivered++;
		ret = ls->fn(&ev[i], ls->fn_ctx);
	}
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

/*
 * Calls the kernel skipped because the program was already running on that
 * CPU (a recursion miss: on a preemptible kernel another task can enter a
 * hook while a preempted one is inside it). Each lost an event as surely
 * as a full ring buffer, so they count as dropped, and per event type
 * (missed_by_type) where the hook table names one (hook_prog_event(): an
 * upper bound for hooks that report only for SVA state, whose skipped
 * call may have been one that reported nothing).
 */
static void live_missed(const struct live_source *ls, struct source_stats *out)
{
	struct bpf_program *prog;
	int type;

	bpf_object__for_each_program(prog, ls->skel->obj) {
		struct bpf_prog_info info = { 0 };
		uint32_t len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) || !info.recursion_misses)
			continue;
		out->dropped += info.recursion_misses;
		out->missed += info.recursion_misses;
		type = hook_prog_event(bpf_program__name(prog));
		if (type > 0 && type < SVATOP_EV_MAX)
			out->missed_by_type[type] += info.recursion_misses;
	}
}

/* One slot of the per-CPU counters array, summed over the CPUs (vals:
 * room for ncpu values); 0 when it cannot be read. */
static uint64_t counter_sum(int fd, uint32_t key, uint64_t *vals, int ncpu)
{
	uint64_t sum = 0;
	int i;

	if (bpf_map_lookup_elem(fd, &key, vals))
		return 0;
	for (i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

static void live_stats(struct source *src, struct source_stats *out)
{
	struct live_source *ls = (void *)src;
	int ncpu = libbpf_num_possible_cpus(), fd;
	uint64_t *vals;
	uint32_t t;

	memset(out, 0, sizeof(*out));
	out->delivered = ls->delivered;
	if (ncpu <= 0)
		return;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return;
	fd = bpf_map__fd(ls->skel->maps.counters);
	out->submitted = counter_sum(fd, SVATOP_CNT_SUBMITTED, vals, ncpu);
	out->dropped = counter_sum(fd, SVATOP_CNT_DROPPED, vals, ncpu);
	for (t = 0; t < SVATOP_EV_MAX; t++)
		out->dropped_by_type[t] = counter_sum(fd, SVATOP_CNT_DROPPED_TYPE + t, vals, ncpu);
	free(vals);
	live_missed(ls, out);
}

static void live_close(struct source *src)
{
	struct live_source *ls = (void *)src;

	ring_buffer__free(ls->rb);
	bpf_link__destroy(ls->resync_link);
	svatop_bpf__destroy(ls->skel);
	ksyms_free(ls->ksyms);
	wire_names_fini(&ls->names);
	if (ls->have_report)
		sva_report_free(&ls->report);
	free(ls);
}

static const char *live_describe(struct source *src)
{
	return ((struct live_source *)src)->desc;
}

static int live_stack(struct source *src, int32_t stack_id, char frames[][64], int max)
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

static int run_snapshot(struct live_source *ls, struct bpf_link *link);

/* Empty a hash map from user space (a key deleted under get_next_key
 * restarts the walk from the first key). */
static void map_clear(int fd)
{
	uint64_t key;
	int guard = 1 << 20;

	while (guard-- > 0 && !bpf_map_get_next_key(fd, NULL, &key))
		if (bpf_map_delete_elem(fd, &key))
			break;
}

static int live_resync(struct source *src)
{
	struct live_source *ls = (void *)src;

	if (!ls->state_mode)
		return -EOPNOTSUPP;
	/* Each walk emits every SVA mm and looks every PASID up again. */
	map_clear(bpf_map__fd(ls->skel->maps.snap_seen));
	map_clear(bpf_map__fd(ls->skel->maps.snap_pasids));
	ls->skel->bss->snap_resync = 1;
	ls->skel->bss->snap_truncated = 0;
	/* the kernel's SVA mm list, not every task (all tasks if that link
	 * could not be made) */
	return run_snapshot(ls, ls->resync_link ? ls->resync_link :
				ls->skel->links.iter_snapshot);
}

static int live_state(struct source *src, struct source_state *out, bool per_mm)
{
	struct live_source *ls = (void *)src;
	int ncpu = libbpf_num_possible_cpus(), fd;
	struct svatop_tally t;
	size_t cap = 0;
	uint64_t key, *vals;
	bool first = true;

	memset(out, 0, sizeof(*out));
	if (!ls->state_mode)
		return -EOPNOTSUPP;
	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	fd = bpf_map__fd(ls->skel->maps.counters);
	out->binds = counter_sum(fd, SVATOP_CNT_STATE_BINDS, vals, ncpu);
	out->unbinds = counter_sum(fd, SVATOP_CNT_STATE_UNBINDS, vals, ncpu);
	out->domain_allocs = counter_sum(fd, SVATOP_CNT_STATE_DOMAIN_ALLOCS, vals, ncpu);
	out->domain_frees = counter_sum(fd, SVATOP_CNT_STATE_DOMAIN_FREES, vals, ncpu);
	out->tally_full = counter_sum(fd, SVATOP_CNT_STATE_TALLY_FULL, vals, ncpu);
	free(vals);
	/* The tally map holds at most its max_entries: a bounded walk. */
	fd = bpf_map__fd(ls->skel->maps.tally);
	while (per_mm && !bpf_map_get_next_key(fd, first ? NULL : &key, &key)) {
		first = false;
		if (bpf_map_lookup_elem(fd, &key, &t))
			continue;	/* gone with its mm meanwhile */
		if (out->nmms == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct source_tally *n = realloc(out->mms, ncap * sizeof(*n));

			if (!n) {
				free(out->mms);
				out->mms = NULL;
				out->nmms = 0;
				return -ENOMEM;
			}
			out->mms = n;
			cap = ncap;
		}
		out->mms[out->nmms++] = (struct source_tally){ key, t.binds, t.unbinds };
	}
	return 0;
}

static const struct source_ops live_ops = {
	.poll = live_poll,
	.stats = live_stats,
	.close = live_close,
	.describe = live_describe,
	.stack = live_stack,
	.resync = live_resync,
	.state = live_state,
};

const struct sva_report *source_live_report(struct source *src)
{
	struct live_source *ls = (void *)src;

	return src && src->ops == &live_ops && ls->have_report ? &ls->report : NULL;
}

bool source_state_mode(struct source *src)
{
	return src && src->ops == &live_ops && ((struct live_source *)src)->state_mode;
}

/* Root, or a service's ambient CAP_BPF and CAP_PERFMON (svatop-exporter.service). */
static bool may_trace(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[2];

	if (geteuid() == 0)
		return true;
	if (syscall(SYS_capget, &hdr, caps))
		return false;
	return (caps[CAP_TO_INDEX(CAP_BPF)].effective & CAP_TO_MASK(CAP_BPF)) &&
	       (caps[CAP_TO_INDEX(CAP_PERFMON)].effective & CAP_TO_MASK(CAP_PERFMON));
}

/* Explain the environment problems users hit first, in one line. */
static int check_environment(const struct kfacts *k, const struct sva_report *r)
{
	if (!may_trace()) {
		p_err("tracing needs root (or CAP_BPF and CAP_PERFMON); try 'sudo svatop'");
		return -EPERM;
	}
	if (!kfacts_btf(k)) {
		p_err("this kernel exposes no BTF (/sys/kernel/btf/vmlinux): "
		      "svatop needs CONFIG_DEBUG_INFO_BTF=y");
		return -ENOENT;
	}
	if (r->verdict == SVA_NOT_BUILT) {
		p_err("this kernel has no SVA (iommu_sva_bind_device is absent): "
		      "nothing to trace; 'svatop probe' explains, 'make demo' shows svatop in the lab");
		return -EOPNOTSUPP;
	}
	return 0;
}

/*
 * BTF first. /proc/kallsyms is the costliest thing svatop reads: the kernel
 * generates about 200,000 lines and svatop parses them, 0.5-0.6 s of a
 * 1.5 s start in the lab (TCG), twice that with binds running, where the
 * BTF takes 0.06-0.08 s. It is read, into the same facts, only when a
 * symbol can change what the live source does: stacks to symbolize, -k
 * (kprobes on symbols), or a kernel BTF does not settle (sva_btf_answers():
 * a pre-6.8 heuristic, a hook function BTF lacks). The two list heads the
 * snapshot and state mode walk come from bpf_kallsyms_lookup_name() then
 * (src/source/kaddr.c); where the kernel cannot answer that (before 5.16,
 * hidden addresses), kallsyms is read as before. A kernel without BTF
 * gets its symbols at once (check_environment() then says BTF is needed).
 */
static int load_facts(const struct live_opts *opts, struct kfacts **kp,
		      struct sva_report *r, uint64_t *lists)
{
	static const char *const names[] = { "iommu_sva_mms", "iommu_group_kset" };
	struct kfacts_opts btf_only = { .live_btf_only = true };
	const char *why_syms = opts->collect_stacks ? "stacks to symbolize" :
			       opts->force_kprobe ? "-k: kprobes on symbols" : NULL;
	struct kfacts *k = NULL;
	char why[256];
	int err;

	err = kfacts_load(&btf_only, &k, why, sizeof(why));
	if (err)
		err = kfacts_load(NULL, &k, why, sizeof(why));
	if (!err && why_syms)
		err = kfacts_load_live_symbols(k, why, sizeof(why));
	if (err) {
		p_err("%s", why);
		kfacts_free(k);
		return err;
	}
	err = sva_classify(k, r);
	if (!err && !why_syms && !kfacts_symbols_source(k) &&
	    (!sva_btf_answers(r) || kernel_symbol_addrs(names, lists, 2))) {
		why_syms = "BTF and bpf_kallsyms_lookup_name() did not settle the hooks";
		sva_report_free(r);
		err = kfacts_load_live_symbols(k, why, sizeof(why));
		if (err)
			p_err("%s", why);
		else
			err = sva_classify(k, r);
	}
	if (err) {
		kfacts_free(k);
		return err;
	}
	if (why_syms || kfacts_symbols_source(k)) {
		lists[0] = kfacts_symbol_addr(k, names[0]);
		lists[1] = kfacts_symbol_addr(k, names[1]);
		p_info("start-up: /proc/kallsyms %s (%s)",
		       kfacts_symbols_source(k) ? "read" : "unreadable",
		       why_syms ? why_syms : "no BTF");
	} else {
		p_info("start-up: BTF only; %s at %#llx, %s at %#llx (bpf_kallsyms_lookup_name)",
		       names[0], (unsigned long long)lists[0],
		       names[1], (unsigned long long)lists[1]);
	}
	*kp = k;
	return 0;
}

/*
 * The form of each hook, by the same rules `svatop probe` prints
 * (src/probe/verdict.c): fentry where the function is in BTF, kprobe where
 * it is only a symbol, our tracepoints instead of the hooks they cover.
 */
static int choose_forms(struct live_source *ls, const struct live_opts *opts,
			enum hook_form *forms, int *missing)
{
	struct sva_report r;
	struct kfacts *k;
	uint64_t lists[2] = { 0, 0 };
	int err, i;

	err = load_facts(opts, &k, &r, lists);
	if (err)
		return err;
	err = check_environment(k, &r);
	/* State mode re-walks the kernel's lists: the bonds need the IOMMU
	 * groups' PASID arrays and the mm list (7.x). */
	ls->sva_mms_addr = lists[0];
	ls->group_kset_addr = lists[1];
	/* One read of /proc/kallsyms per start: the facts' copy symbolizes
	 * the stacks too (not read again, and libbpf resolves no __ksym). */
	if (opts->collect_stacks)
		ls->ksyms = kfacts_take_ksyms(k);
	ls->state_capable = ls->group_kset_addr && ls->sva_mms_addr &&
			    kfacts_member(k, "iommu_group", "pasid_array") == KF_YES &&
			    kfacts_member(k, "iommu_mm_data", "mm_list_elm") == KF_YES &&
			    kfacts_member(k, "iommu_mm_data", "sva_domains") == KF_YES;
	for (i = 0; !err && i < r.nhooks && i < 64; i++) {
		const struct hook_status *st = &r.hooks[i];
		const struct hook *h = st->hook;

		forms[i] = st->replaced_by ? FORM_NONE : st->form;
		if (h->kind == HOOK_SVA_TRACEPOINT && forms[i] == FORM_FENTRY)
			ls->sva_tracepoints = true;
		if (opts->force_kprobe && forms[i] == FORM_FENTRY &&
		    h->kind == HOOK_FUNC && st->in_symbols == KF_YES)
			forms[i] = FORM_KPROBE;
		if (opts->force_kprobe && forms[i] == FORM_FENTRY &&
		    h->kind == HOOK_TRACEPOINT && h->kprobe_prog)
			forms[i] = FORM_KPROBE;
		if (forms[i] == FORM_NONE && !strcmp(h->target, "mm_init")) {
			p_info("mm_init cannot be hooked (%s): the child's SVA state is "
			       "checked at sched_process_fork", st->reason);
			ls->fork_check_at_tp = true;
		} else if (forms[i] == FORM_NONE && !h->optional && !st->replaced_by) {
			p_err("hook %s (%s) missing: %s; its events will not be seen",
			      h->target, h->lifecycle, st->reason);
			(*missing)++;
		}
	}
	/* kept: the IOPF source would read BTF and kallsyms again for it */
	ls->report = r;
	ls->have_report = true;
	kfacts_free(k);
	return err;
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
	ls->skel->rodata->stack_domain_from_bind = opts->stack_domain_from_bind;
	ls->skel->rodata->sva_tracepoints = ls->sva_tracepoints;
	ls->skel->rodata->fork_check_at_tp = ls->fork_check_at_tp;
	ls->skel->rodata->state_mode = ls->state_mode;
	ls->skel->rodata->hook_rules = ls->state_mode && opts->hook_rules;
	/* a stack map is preallocated whole (4,096 x 127 frames): one slot
	 * when no program unwinds */
	if (!opts->collect_stacks)
		bpf_map__set_max_entries(ls->skel->maps.stacks, 1);
	ls->skel->rodata->iommu_sva_mms_addr = ls->sva_mms_addr;
	ls->skel->rodata->iommu_group_kset_addr = ls->group_kset_addr;
	apply_forms(ls, forms);
	err = svatop_bpf__load(ls->skel);
	if (err) {
		svatop_bpf__destroy(ls->skel);
		ls->skel = NULL;
	}
	return err;
}

static int run_snapshot(struct live_source *ls, struct bpf_link *link)
{
	char buf[64];
	int fd, n;

	if (!link)
		return -ENOENT;
	fd = bpf_iter_create(bpf_link__fd(link));
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
	uint64_t t0 = clock_monotonic_ns();
	struct live_source *ls;
	int err, i, missing = 0, iopf_rows = 0;

	libbpf_set_print(libbpf_print);
	ls = calloc(1, sizeof(*ls));
	if (!ls)
		return -ENOMEM;
	ls->base.ops = &live_ops;
	err = wire_names_init(&ls->names);
	if (err) {
		free(ls);
		return err;
	}
	err = choose_forms(ls, opts, forms, &missing);
	if (err)
		goto fail;
	p_info("start-up: kernel facts read at %.2f s", (clock_monotonic_ns() - t0) / 1e9);
	if (ls->ksyms) {
		/* for symbolizing stacks; unreadable addresses are all 0 */
		if (ksyms_all_zero(ls->ksyms)) {
			ksyms_free(ls->ksyms);
			ls->ksyms = NULL;
		}
	}
	/* -p: the stream is already cut to one process in the kernel, and a
	 * re-walk of the kernel's SVA mm list cannot tell owners apart */
	if (opts->state_mode && opts->snapshot && !opts->target_tgid) {
		/* hidden kernel addresses read as 0: not capable either */
		ls->state_mode = ls->state_capable;
		if (!ls->state_mode)
			p_info("state mode needs the 7.x IOMMU group and mm lists and visible "
			       "kernel addresses: streaming every event instead");
	}
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
		      BPF_ERRSTR(err));
		goto fail;
	}
	p_info("start-up: programs loaded (verified) at %.2f s", (clock_monotonic_ns() - t0) / 1e9);
	bpf_report_verified(ls->skel->obj, "svatop");
	err = svatop_bpf__attach(ls->skel);
	if (err) {
		p_err("attaching the BPF programs failed: %s", BPF_ERRSTR(err));
		goto fail;
	}
	ls->rb = ring_buffer__new(bpf_map__fd(ls->skel->maps.events), on_sample,
				  ls, NULL);
	if (!ls->rb) {
		err = -errno;
		p_err("ring buffer: %s", BPF_ERRSTR(err));
		goto fail;
	}
	p_info("start-up: attached at %.2f s", (clock_monotonic_ns() - t0) / 1e9);
	if (opts->snapshot) {
		/* Hidden addresses: kallsyms gave the snapshot's two lists
		 * (iommu_sva_mms, iommu_group_kset) as 0, and their walks find
		 * nothing. */
		if (ksyms_addresses_hidden("/proc/kallsyms"))
			p_err("warning: kernel addresses are hidden (no CAP_SYSLOG, or kptr_restrict): "
			      "the snapshot misses the bonds and the mms whose process is gone");
		err = run_snapshot(ls, ls->skel->links.iter_snapshot);
		if (err)
			p_err("snapshot of pre-existing SVA state failed: %s",
			      BPF_ERRSTR(err));
	}
	p_info("start-up: snapshot read at %.2f s", (clock_monotonic_ns() - t0) / 1e9);
	if (ls->state_mode) {
		/* State mode's re-walks: the task iterator on this task only
		 * (made now, while svatop may still attach anything). */
		DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, io);
		union bpf_iter_link_info li;

		memset(&li, 0, sizeof(li));
		li.task.tid = getpid();
		io.link_info = &li;
		io.link_info_len = sizeof(li);
		ls->resync_link = bpf_program__attach_iter(ls->skel->progs.iter_snapshot, &io);
		if (!ls->resync_link)
			p_info("re-walks visit every task: a one-task iterator failed (%s)",
			       strerror(errno));
	}
	for (i = 0; i < hooks_count; i++)
		iopf_rows += hooks[i].iopf;	/* src/source/iopf.c loads those */
	snprintf(ls->desc, sizeof(ls->desc), "live, %d hooks%s%s%s", hooks_count - iopf_rows - missing,
		 missing ? " (some missing)" : "",
		 ls->sva_tracepoints ? ", iommu_sva tracepoints" : "",
		 ls->state_mode ? ", state mode" : "");
	*out = &ls->base;
	return 0;
fail:
	live_close(&ls->base);
	return err;
}
