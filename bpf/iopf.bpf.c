// SPDX-License-Identifier: GPL-2.0
/*
 * Device page faults (IOPF) per device, PASID and owning process,
 * aggregated in the kernel: counts, outcomes, a log2 latency histogram. A
 * fault is counted when it is answered, under the owner of the PASID's mm
 * then (a PASID freed and reused by another process starts a new row).
 * Nothing goes through a ring buffer unless the loader asks (trace); user
 * space reads the maps (src/source/iopf.c, tools/iopf/iopfstat.c). See
 * docs/iopf.md for the path.
 *
 *   iommu_report_device_fault entry    a page request: note its start
 *   iommu_report_device_fault return   an error: refused (no handler), the
 *                                      core answered "invalid" itself
 *   iopf_group_response return         the answer, after the driver's
 *                                      page_response: outcome and latency
 *   iommu_sva_iopf_handler entry/return
 *                                      the SVA handler took the group; its
 *                                      error: the core answers FAILURE
 *   __mmu_notifier_arch_invalidate_secondary_tlbs
 *                                      opt-in: IOTLB invalidations per SVA mm
 *
 * With emit_events (svatop trace) each answer also goes to the iopf_events
 * ring buffer as one struct iopf_event; otherwise nothing does.
 *
 * Each hook exists as fentry/fexit (fe_*) and kprobe/kretprobe (kp_*); the
 * loader keeps one form. fentry programs run preemptible (migrate_disable
 * only): on a preemptible kernel (Debian 7.3: PREEMPT_LAZY) a task
 * preempted inside one makes the same program skip on that CPU (counted as
 * recursion misses), so the kprobe forms, which run with preemption off,
 * are the default. Linux 6.8+ (struct iopf_fault, iopf_group_response());
 * the loader checks BTF for both functions before it loads anything.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "svatop/iopf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader: one record per answer on iopf_events (trace only). */
const volatile bool emit_events = false;

#define PAGE_REQ		1		/* IOMMU_FAULT_PAGE_REQ */
#define PRM_PASID_VALID		(1U << 0)	/* IOMMU_FAULT_PAGE_REQUEST_* */
#define PRM_LAST_PAGE		(1U << 1)
#define DOMAIN_SVA		0x10		/* IOMMU_DOMAIN_SVA (a #define) */

/* A page request group waiting for its answer. */
struct inflight_key {
	__u64 dev;
	__u32 pasid;
	__u32 grpid;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct inflight_key);
	__type(value, __u64);		/* start, ns */
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct iopf_key);
	__type(value, struct iopf_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);		/* struct mm_struct * */
	__type(value, struct iopf_inval_stats);
} invals SEC(".maps");

/* The loader shrinks it to one page unless it sets emit_events. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} iopf_events SEC(".maps");

/* Zeroed values to create map entries from (too big for the stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct iopf_stats);
} zero_stats SEC(".maps");

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r, shift;

	r = (v > 0xffffffffULL) << 5;
	v >>= r;
	shift = (v > 0xffff) << 4;
	v >>= shift;
	r |= shift;
	shift = (v > 0xff) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xf) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	return r | (__u32)(v >> 1);
}

static struct iopf_stats *stats_of(struct device *dev, __u32 pasid, __u32 tgid)
{
	struct iopf_key key = { .dev = (__u64)dev, .pasid = pasid, .tgid = tgid };
	struct iopf_stats *s, *zero;
	__u32 idx = 0;

	s = bpf_map_lookup_elem(&stats, &key);
	if (s)
		return s;
	zero = bpf_map_lookup_elem(&zero_stats, &idx);
	if (!zero)
		return NULL;
	bpf_map_update_elem(&stats, &key, zero, BPF_NOEXIST);
	s = bpf_map_lookup_elem(&stats, &key);
	if (s && !s->dev_name[0])
		bpf_probe_read_kernel_str(s->dev_name, sizeof(s->dev_name),
					  BPF_CORE_READ(dev, kobj.name));
	return s;
}

/* The process owning an mm (mm->owner: CONFIG_MEMCG kernels); comm may be NULL. */
static void owner_of(struct mm_struct *mm, __u32 *tgid, char *comm)
{
	struct task_struct *owner;

	if (!mm || !bpf_core_field_exists(mm->owner))
		return;
	owner = BPF_CORE_READ(mm, owner);
	if (!owner)
		return;
	*tgid = BPF_CORE_READ(owner, tgid);
	if (comm)
		bpf_probe_read_kernel_str(comm, IOPF_COMM_LEN, &owner->comm);
}

_Static_assert(!(IOPF_OUTCOMES & (IOPF_OUTCOMES - 1)), "IOPF_OUTCOMES: a power of 2");
_Static_assert(!(IOPF_HIST_SLOTS & (IOPF_HIST_SLOTS - 1)), "IOPF_HIST_SLOTS: a power of 2");

/* One answer: its outcome and, when its report was seen, its latency. */
static void account(struct iopf_stats *s, __u32 outcome, __u64 *start)
{
	__u64 lat;
	__u32 slot;

	if (outcome >= IOPF_OUTCOMES)
		outcome = IOPF_FAILURE;
	outcome &= IOPF_OUTCOMES - 1;	/* a bound the verifier can see */
	__sync_fetch_and_add(&s->outcomes[outcome], 1);
	if (!start) {
		__sync_fetch_and_add(&s->unmatched, 1);
		return;
	}
	lat = bpf_ktime_get_ns() - *start;
	__sync_fetch_and_add(&s->latency_sum_ns, lat);
	if (lat > s->latency_max_ns)
		s->latency_max_ns = lat;	/* racy max: good enough */
	slot = log2_u64(lat / 1000);
	if (slot >= IOPF_HIST_SLOTS)
		slot = IOPF_HIST_SLOTS - 1;
	slot &= IOPF_HIST_SLOTS - 1;
	__sync_fetch_and_add(&s->hist[slot], 1);
}

static __u32 pasid_of(__u32 flags, __u32 pasid)
{
	return flags & PRM_PASID_VALID ? pasid : IOPF_NO_PASID;
}

/* A request being reported, or an answer being given: what its return needs. */
struct call {
	struct inflight_key key;
	__u64 mm;		/* answers: the PASID's mm, when SVA */
	__u64 addr;		/* the group's last page */
	__u64 ts;		/* answers: iopf_group_response entered (0: unknown) */
	__u32 status;		/* answers: the response code */
	__u32 last;		/* reports: the group's last page */
	__u32 perm;
	__u32 pad;
};

/* trace: one record per answer (the aggregates were updated already). */
static void emit(const struct call *c, __u32 outcome, const __u64 *start,
		 const struct iopf_stats *s)
{
	struct iopf_event *e;
	__u64 now;

	if (!emit_events)
		return;
	e = bpf_ringbuf_reserve(&iopf_events, sizeof(*e), 0);
	if (!e)
		return;
	now = bpf_ktime_get_ns();
	/* The answer's time: its entry, not its return, which can come after
	 * the next fault's (the device is released inside page_response). */
	e->ts_ns = c->ts ?: now;
	e->dev = c->key.dev;
	e->addr = c->addr;
	e->latency_ns = start ? now - *start : 0;
	e->pasid = c->key.pasid;
	e->grpid = c->key.grpid;
	e->outcome = outcome;
	e->perm = c->perm;
	e->matched = !!start;
	e->tgid = 0;
	e->comm[0] = '\0';
	owner_of((struct mm_struct *)c->mm, &e->tgid, e->comm);
	__builtin_memcpy(e->dev_name, s->dev_name, sizeof(e->dev_name));
	bpf_ringbuf_submit(e, 0);
}

/* Per task: a report may answer itself (the abort path) inside the call. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);		/* pid_tgid */
	__type(value, struct call);
} report_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct call);
} response_calls SEC(".maps");

static int report_enter(struct device *dev, struct iopf_fault *evt, struct call *c)
{
	struct iommu_fault_page_request *prm = &evt->fault.prm;
	__u32 flags = BPF_CORE_READ(prm, flags);
	struct iopf_stats *s;
	__u64 now;

	if (BPF_CORE_READ(evt, fault.type) != PAGE_REQ)
		return -1;
	c->key.dev = (__u64)dev;
	c->key.pasid = pasid_of(flags, BPF_CORE_READ(prm, pasid));
	c->key.grpid = BPF_CORE_READ(prm, grpid);
	c->last = !!(flags & PRM_LAST_PAGE);
	c->addr = BPF_CORE_READ(prm, addr);
	c->perm = BPF_CORE_READ(prm, perm);
	if (!c->last) {
		s = stats_of(dev, c->key.pasid, 0);
		if (s)
			__sync_fetch_and_add(&s->partial, 1);
		return 0;
	}
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&inflight, &c->key, &now, BPF_ANY);
	return 0;
}

/* An error: the core answered "invalid" itself (no iopf_group_response). */
static void report_exit(const struct call *c, int ret)
{
	struct iopf_stats *s;

	if (!ret || !c->last)
		return;
	__u64 *start;

	s = stats_of((struct device *)c->key.dev, c->key.pasid, 0);	/* no mm */
	if (!s)
		return;
	start = bpf_map_lookup_elem(&inflight, &c->key);
	__sync_fetch_and_add(&s->reports, 1);
	account(s, IOPF_REFUSED, start);
	emit(c, IOPF_REFUSED, start, s);
	bpf_map_delete_elem(&inflight, &c->key);
}

/* Read at the entry: the group is the caller's until it returns. */
static void response_enter(struct iopf_group *group, __u32 status, struct call *c)
{
	struct iommu_fault_page_request *prm = &group->last_fault.fault.prm;

	c->key.dev = (__u64)BPF_CORE_READ(group, fault_param, dev);
	c->key.pasid = pasid_of(BPF_CORE_READ(prm, flags), BPF_CORE_READ(prm, pasid));
	c->key.grpid = BPF_CORE_READ(prm, grpid);
	c->addr = BPF_CORE_READ(prm, addr);
	c->perm = BPF_CORE_READ(prm, perm);
	c->ts = bpf_ktime_get_ns();
	c->status = status;
	c->mm = 0;
	if (BPF_CORE_READ(group, attach_handle, domain, type) == DOMAIN_SVA)
		c->mm = (__u64)BPF_CORE_READ(group, attach_handle, domain, mm);
}

/* The driver's page_response() is done: the request's latency ends. */
static void response_exit(const struct call *c)
{
	struct iopf_stats *s;
	__u32 tgid = 0;
	__u64 *start;

	owner_of((struct mm_struct *)c->mm, &tgid, NULL);
	s = stats_of((struct device *)c->key.dev, c->key.pasid, tgid);
	if (!s)
		return;
	start = bpf_map_lookup_elem(&inflight, &c->key);
	__sync_fetch_and_add(&s->reports, 1);
	account(s, c->status, start);
	owner_of((struct mm_struct *)c->mm, &s->tgid, s->comm);
	emit(c, c->status < IOPF_OUTCOMES ? c->status : IOPF_FAILURE, start, s);
	bpf_map_delete_elem(&inflight, &c->key);
}

/* The SVA domain's iopf_handler took a group; an error makes the core
 * answer FAILURE (counted by the response hooks too). */
static void handler_enter(struct iopf_group *group, struct call *c)
{
	struct iommu_fault_page_request *prm = &group->last_fault.fault.prm;

	c->key.dev = (__u64)BPF_CORE_READ(group, fault_param, dev);
	c->key.pasid = pasid_of(BPF_CORE_READ(prm, flags), BPF_CORE_READ(prm, pasid));
	c->mm = 0;
	if (BPF_CORE_READ(group, attach_handle, domain, type) == DOMAIN_SVA)
		c->mm = (__u64)BPF_CORE_READ(group, attach_handle, domain, mm);
}

static void handler_exit(const struct call *c, int ret)
{
	struct iopf_stats *s;
	__u32 tgid = 0;

	owner_of((struct mm_struct *)c->mm, &tgid, NULL);
	s = stats_of((struct device *)c->key.dev, c->key.pasid, tgid);

	if (!s)
		return;
	__sync_fetch_and_add(&s->handled, 1);
	if (ret)
		__sync_fetch_and_add(&s->handler_errors, 1);
}

/* Opt-in (hot: every TLB flush of an mm with notifiers). */
static void inval(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct iopf_inval_stats *v, zero = {};
	__u64 key = (__u64)mm;

	if (!BPF_CORE_READ(mm, iommu_mm))
		return;
	v = bpf_map_lookup_elem(&invals, &key);
	if (!v) {
		owner_of(mm, &zero.tgid, NULL);
		bpf_map_update_elem(&invals, &key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&invals, &key);
		if (!v)
			return;
	}
	if (start == 0 && end == ~0UL) {
		__sync_fetch_and_add(&v->flushes, 1);
	} else {
		__sync_fetch_and_add(&v->ranges, 1);
		__sync_fetch_and_add(&v->pages, (end - start + 4095) >> 12);
	}
}

/* ---- fentry/fexit forms ---------------------------------------------- */

SEC("fentry/iommu_report_device_fault")
int BPF_PROG(fe_report, struct device *dev, struct iopf_fault *evt)
{
	struct call c = {};

	report_enter(dev, evt, &c);
	return 0;
}

SEC("fexit/iommu_report_device_fault")
int BPF_PROG(fe_report_ret, struct device *dev, struct iopf_fault *evt, int ret)
{
	struct iommu_fault_page_request *prm = &evt->fault.prm;
	__u32 flags = BPF_CORE_READ(prm, flags);
	struct call c = {
		.key.dev = (__u64)dev,
		.key.pasid = pasid_of(flags, BPF_CORE_READ(prm, pasid)),
		.key.grpid = BPF_CORE_READ(prm, grpid),
		.last = !!(flags & PRM_LAST_PAGE),
	};

	if (BPF_CORE_READ(evt, fault.type) == PAGE_REQ) {
		c.addr = BPF_CORE_READ(prm, addr);
		c.perm = BPF_CORE_READ(prm, perm);
		report_exit(&c, ret);
	}
	return 0;
}

SEC("fexit/iommu_sva_iopf_handler")
int BPF_PROG(fe_handler, struct iopf_group *group, int ret)
{
	struct call c = {};

	handler_enter(group, &c);
	handler_exit(&c, ret);
	return 0;
}

SEC("fexit/iopf_group_response")
int BPF_PROG(fe_response, struct iopf_group *group, enum iommu_page_response_code status)
{
	struct call c = {};

	response_enter(group, status, &c);
	response_exit(&c);
	return 0;
}

SEC("fentry/__mmu_notifier_arch_invalidate_secondary_tlbs")
int BPF_PROG(fe_inval, struct mm_struct *mm, unsigned long start, unsigned long end)
{
	inval(mm, start, end);
	return 0;
}

/* ---- kprobe/kretprobe forms ------------------------------------------ */

SEC("kprobe/iommu_report_device_fault")
int BPF_KPROBE(kp_report, struct device *dev, struct iopf_fault *evt)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call c = {};

	if (!report_enter(dev, evt, &c))
		bpf_map_update_elem(&report_calls, &id, &c, BPF_ANY);
	return 0;
}

SEC("kretprobe/iommu_report_device_fault")
int BPF_KRETPROBE(kp_report_ret, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&report_calls, &id);

	if (!c)
		return 0;
	report_exit(c, ret);
	bpf_map_delete_elem(&report_calls, &id);
	return 0;
}

SEC("kprobe/iopf_group_response")
int BPF_KPROBE(kp_response, struct iopf_group *group, enum iommu_page_response_code status)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call c = {};

	response_enter(group, status, &c);
	bpf_map_update_elem(&response_calls, &id, &c, BPF_ANY);
	return 0;
}

SEC("kretprobe/iopf_group_response")
int BPF_KRETPROBE(kp_response_ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&response_calls, &id);

	if (!c)
		return 0;
	response_exit(c);
	bpf_map_delete_elem(&response_calls, &id);
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct call);
} handler_calls SEC(".maps");

SEC("kprobe/iommu_sva_iopf_handler")
int BPF_KPROBE(kp_handler, struct iopf_group *group)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call c = {};

	handler_enter(group, &c);
	bpf_map_update_elem(&handler_calls, &id, &c, BPF_ANY);
	return 0;
}

SEC("kretprobe/iommu_sva_iopf_handler")
int BPF_KRETPROBE(kp_handler_ret, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&handler_calls, &id);

	if (!c)
		return 0;
	handler_exit(c, ret);
	bpf_map_delete_elem(&handler_calls, &id);
	return 0;
}

SEC("kprobe/__mmu_notifier_arch_invalidate_secondary_tlbs")
int BPF_KPROBE(kp_inval, struct mm_struct *mm, unsigned long start, unsigned long end)
{
	inval(mm, start, end);
	return 0;
}
