// SPDX-License-Identifier: GPL-2.0
/*
 * svatop kernel side: the SVA lifecycle as records on the ring buffer
 * (struct svatop_wire, include/svatop/abi.h).
 *
 * Every function hook exists twice, as fentry/fexit and as
 * kprobe/kretprobe; the loader (src/source/live.c) keeps one form per hook
 * (src/source/hooks.c) and disables the rest. Both forms call the same
 * handler below.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "svatop/abi.h"
#include "core_fixes.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_tgid;
const volatile __u32 collect_stacks;
/* A domain born in a bind takes no stack of its own: the model gives it
 * the bind's (src/model/apply.c), one unwind per bind instead of two
 * (top, leaks and check; trace -s shows each event's own). */
const volatile __u32 stack_domain_from_bind;
/* The kernel has svatop's iommu_sva tracepoints: domain births are
 * reported by sva_domain_alloc, not derived from attaches. */
const volatile __u32 sva_tracepoints;
/* mm_init cannot be hooked (inlined on some builds): report the child's
 * SVA state from sched_process_fork instead. */
const volatile __u32 fork_check_at_tp;
/*
 * State mode (top, exporter): the hot hooks (bind, unbind, attach, detach,
 * domain free) stream nothing when they succeed; they count into the
 * counters array and the tally map, and the consumer re-walks the kernel's
 * own SVA lists (iter_snapshot) at its interval. Failures, PASIDs, forks,
 * exits and mm teardown still stream: they are rare and the rules need
 * them in order.
 */
const volatile __u32 state_mode;
/*
 * With state_mode, the rules at the hooks (leaks, check; docs/design.md,
 * "Rules at the hooks"): a successful bind, unbind or domain free streams
 * after all when its hook's test for a rule fires (SVATOP_F_EVIDENCE): a
 * bind that shares a held bond (handle users > 1), an unbind of a handle
 * with no users or of a living process's bond by another process, a domain
 * freed with users.
 */
const volatile __u32 hook_rules;

/* Set by the consumer before each re-walk: its records carry
 * SVATOP_F_RESYNC. A re-walk runs on a link whose task iterator visits
 * only the consumer itself: the mms come from the kernel's list of SVA
 * mms (iommu_sva_mms), so its cost does not grow with the host's tasks. */
__u32 snap_resync;
/* Set when a walk reached one of its bounds: it may have missed objects,
 * and SNAP_END says so (SVATOP_F_INCOMPLETE). Reset by the consumer. */
__u32 snap_truncated;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

/* Wake the consumer once per this many records on a CPU (about 50 KB);
 * it also polls every 100 ms. Waking it per record costs more than the
 * record itself, and asking the ring how full it is costs a helper call. */
#define WAKEUP_EVERY	512

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SVATOP_CNT_MAX);
	__type(key, u32);
	__type(value, u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(u32));
	__uint(value_size, SVATOP_STACK_DEPTH * sizeof(u64));
} stacks SEC(".maps");

/* Arguments of a call in progress, keyed by pid_tgid. */
struct call_args {
	u64 a0, a1, a2;
};

/*
 * The bind in progress (dev, mm, owner), stored by the kprobe form's entry
 * for its kretprobe (owner BIND_ARGS_KRET, which takes it out), and by the
 * fentry form's entry only when the mm has no SVA state yet, the one case
 * where the bind allocates a PASID (iommu_alloc_mm_data()): the PASID
 * allocation inside the bind names its mm from it and takes it out (owner
 * BIND_ARGS_PASID), and a failed bind's exit does. A re-bind, the common
 * case, touches no map. LRU: an entry a race left behind (another thread
 * of the mm allocated the PASID first) ages out.
 */
#define BIND_ARGS_KRET	0
#define BIND_ARGS_PASID	1

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, u64);
	__type(value, struct call_args);
} bind_args SEC(".maps");

/* kprobe entry -> kretprobe stash of the other calls whose exit needs their
 * arguments: PASID allocation, attach and mm_init. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, u64);
	__type(value, struct call_args);
} kret_args SEC(".maps");

/* Processes that hold SVA state (tgid -> mm), so exit and fork are only
 * reported for them. */
/*
 * Not preallocated, as snap_seen and tally: a preallocated hash allocates
 * and links all its 65,536 elements when it is created, a tenth of a
 * second of start-up under TCG for the three; their entries come and go
 * with SVA processes, rarely, and an insert allocates from the BPF memory
 * allocator instead.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, u32);
	__type(value, u64);
} sva_procs SEC(".maps");

/*
 * The last (tgid, mm) each CPU found in sva_procs, so a re-bind, the
 * common case, skips the hash lookup. Valid only under the generation it
 * was seen in: every change to sva_procs other than remember_proc()'s own
 * (exit, exec, fork, snapshot) bumps procs_gen.
 */
__u64 procs_gen;

struct proc_last {
	u64 mm;
	u64 gen;
	u32 tgid;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct proc_last);
} proc_last SEC(".maps");

static __always_inline void procs_changed(void)
{
	__sync_fetch_and_add(&procs_gen, 1);
}

/* mms already emitted by the snapshot iterator. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* see sva_procs */
	__type(key, u64);
	__type(value, u8);
} snap_seen SEC(".maps");

/*
 * Devices whose names the consumer has (dev_iommu()): read and sent once
 * per device instead of per event. name_ptr is dev->kobj.name when sent: a
 * device freed and another made at the same address has a new name
 * string, so its names are sent again.
 */
struct dev_info {
	u64 name_ptr;
	u64 iommu;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, struct dev_info);
} dev_infos SEC(".maps");

/*
 * The last device each CPU named, in front of dev_infos: a bind/unbind
 * storm names the same device over and over, and a per-CPU array lookup
 * is inlined by the verifier where a hash lookup is a helper call.
 */
struct dev_last {
	u64 dev;
	struct dev_info info;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct dev_last);
} dev_last SEC(".maps");

/*
 * Addresses of two kernel variables, from the kallsyms the loader read
 * anyway (0: absent or hidden, and the walks find nothing). Not __ksym
 * externs: libbpf would read all of /proc/kallsyms again to resolve them,
 * a quarter of a second of start-up under TCG.
 */
const volatile __u64 iommu_sva_mms_addr;	/* drivers/iommu/iommu-sva.c: LIST_HEAD */
const volatile __u64 iommu_group_kset_addr;	/* drivers/iommu/iommu.c: struct kset * */

/* PASIDs the snapshot found (pasid -> mm), looked up in every IOMMU
 * group's PASID array at the end of the walk to find the bonds. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u32);
	__type(value, u64);
} snap_pasids SEC(".maps");

static __always_inline void count(u32 which)
{
	u64 *c = bpf_map_lookup_elem(&counters, &which);

	if (c)
		*c += 1;
}

/* State mode: each mm's binds and unbinds (struct svatop_tally). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* see sva_procs */
	__type(key, u64);
	__type(value, struct svatop_tally);
} tally SEC(".maps");

static __always_inline void tally_add(struct mm_struct *mm, bool unbind)
{
	struct svatop_tally *t, fresh = {};
	u64 key = (u64)mm;

	t = bpf_map_lookup_elem(&tally, &key);
	if (!t) {
		/* NOEXIST: a racing first bind of the same mm keeps its count */
		bpf_map_update_elem(&tally, &key, &fresh, BPF_NOEXIST);
		t = bpf_map_lookup_elem(&tally, &key);
		if (!t) {
			count(SVATOP_CNT_STATE_TALLY_FULL);
			return;
		}
	}
	if (unbind)
		__sync_fetch_and_add(&t->unbinds, 1);
	else
		__sync_fetch_and_add(&t->binds, 1);
}

static __always_inline bool filtered(void)
{
	return target_tgid && (bpf_get_current_pid_tgid() >> 32) != target_tgid;
}

/*
 * A record on the ring: struct svatop_wire up to the last field of its
 * type (SIZE, a constant at each call), the names once per device
 * (dev_iommu()). A write past SIZE fails verification, so a handler that
 * sets a field its size leaves out cannot load.
 */
static __always_inline struct svatop_wire *ev_new(u16 type, u32 size)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct svatop_wire *e;

	e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e) {
		count(SVATOP_CNT_DROPPED);
		count(SVATOP_CNT_DROPPED_TYPE + type);
		return NULL;
	}
	e->type = type;
	e->size = size;
	e->cpu = bpf_get_smp_processor_id();
	e->ts_ns = bpf_ktime_get_ns();
	/* plain loads from current, not the pid_tgid and comm helpers: the
	 * comm is NUL-terminated within its 16 bytes (set_task_comm()) */
	e->pid = cur->pid;
	e->tgid = cur->tgid;
	__builtin_memcpy(e->comm, cur->comm, sizeof(e->comm));
	e->flags = 0;
	e->pasid = 0;
	/* the rest of the record: zeroed, not the whole struct */
	if (size > SVATOP_WIRE_HEAD)
		__builtin_memset(&e->mm, 0, size - SVATOP_WIRE_HEAD);
	if (size >= SVATOP_WIRE_UPTO(stack_id))
		e->stack_id = -1;
	return e;
}

static __always_inline void ev_submit(struct svatop_wire *e)
{
	u32 key = SVATOP_CNT_SUBMITTED;
	u64 *n = bpf_map_lookup_elem(&counters, &key);

	if (!n) {
		bpf_ringbuf_submit(e, 0);
		return;
	}
	bpf_ringbuf_submit(e, (*n + 1) % WAKEUP_EVERY ? BPF_RB_NO_WAKEUP :
			   BPF_RB_FORCE_WAKEUP);
	*n += 1;
}

/* bpf_get_current_pid_tgid() from plain loads of current. */
static __always_inline u64 cur_pid_tgid(void)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return (u64)(u32)t->tgid << 32 | (u32)t->pid;
}

/*
 * The device's IOMMU instance, and its names sent to the consumer once: a
 * SVATOP_WIRE_DEV record when the device is new to dev_infos (or its name
 * string changed). Called before the event naming the device is reserved,
 * so the names are ahead of it on the ring; cached only once sent, so a
 * record lost to a full ring is sent again with the next event.
 */
static __always_inline u64 dev_iommu(struct device *dev, bool btf)
{
	struct dev_info fresh = {}, *di;
	struct svatop_wire_dev *r;
	struct iommu_device *iommu;
	struct dev_last *last;
	const char *name;
	u64 key = (u64)dev;
	u32 zero = 0;

	if (!dev)
		return 0;
	name = dev_name_ptr(dev, btf);
	last = bpf_map_lookup_elem(&dev_last, &zero);
	if (last && last->dev == key && last->info.name_ptr == (u64)name)
		return last->info.iommu;
	di = bpf_map_lookup_elem(&dev_infos, &key);
	if (di && di->name_ptr == (u64)name) {
		if (last) {
			last->dev = key;
			last->info = *di;
		}
		return di->iommu;
	}
	iommu = dev_iommu_device(dev, btf);
	/* Not an event: a full ring is counted by the event that follows. */
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r)
		return (u64)iommu;
	__builtin_memset(r, 0, sizeof(*r));
	r->w.type = SVATOP_WIRE_DEV;
	r->w.size = sizeof(*r);
	r->w.ts_ns = bpf_ktime_get_ns();
	r->w.dev = key;
	r->w.iommu = (u64)iommu;
	if (name)
		bpf_probe_read_kernel_str(r->dev_name, sizeof(r->dev_name), name);
	name = iommu_name_ptr(iommu);
	if (name)
		bpf_probe_read_kernel_str(r->iommu_name, sizeof(r->iommu_name), name);
	bpf_ringbuf_submit(r, 0);
	fresh.name_ptr = (u64)dev_name_ptr(dev, btf);
	fresh.iommu = (u64)iommu;
	bpf_map_update_elem(&dev_infos, &key, &fresh, BPF_ANY);
	return (u64)iommu;
}

static __always_inline void ev_set_dev(struct svatop_wire *e, struct device *dev,
				       u64 iommu)
{
	e->dev = (u64)dev;
	e->iommu = iommu;
}

/* aux2 = the device's max_pasids, for why a bind or a PASID failed. */
static __always_inline void ev_set_max_pasids(struct svatop_wire *e, struct device *dev)
{
	u32 n;

	if (dev_max_pasids(dev, &n)) {
		e->aux2 = n;
		e->flags |= SVATOP_F_MAX_PASIDS;
	}
}

static __always_inline void ev_stack(struct svatop_wire *e, void *ctx)
{
	if (collect_stacks)
		e->stack_id = bpf_get_stackid(ctx, &stacks, 0);
}

static __always_inline void remember_proc(struct mm_struct *mm)
{
	u32 tgid = cur_pid_tgid() >> 32, zero = 0;
	u64 v = (u64)mm, *old, gen = procs_gen;	/* read before the map */
	struct proc_last *last;

	last = bpf_map_lookup_elem(&proc_last, &zero);
	if (last && last->tgid == tgid && last->mm == v && last->gen == gen)
		return;
	/* a lookup costs less than an update, and re-binds are the rule */
	old = bpf_map_lookup_elem(&sva_procs, &tgid);
	if (!old || *old != v)
		bpf_map_update_elem(&sva_procs, &tgid, &v, BPF_ANY);
	if (last) {
		last->tgid = tgid;
		last->mm = v;
		last->gen = gen;
	}
}

/* kprobe/kretprobe pairs: the entry stashes what the exit needs. */
static __always_inline void push_args(void *map, u64 a0, u64 a1, u64 a2)
{
	u64 id = cur_pid_tgid();
	struct call_args a = { a0, a1, a2 };

	bpf_map_update_elem(map, &id, &a, BPF_ANY);
}

static __always_inline bool pop_args(void *map, struct call_args *out)
{
	u64 id = cur_pid_tgid();
	struct call_args *a = bpf_map_lookup_elem(map, &id);

	if (!a)
		return false;
	*out = *a;
	bpf_map_delete_elem(map, &id);
	return true;
}

/*
 * An mm's PASID is fixed from its first bind to mm_pasid_drop(): each CPU
 * keeps the last (mm, PASID) it read, valid under the generation it was
 * read in; the teardown of any SVA mm bumps mms_gen (mm_teardown()). So
 * an unbind and a domain free, which get the mm as a plain number from a
 * probe read, do not read the mm and its iommu_mm again on every call.
 */
__u64 mms_gen;

struct mm_last {
	u64 mm;
	u64 gen;
	u32 pasid;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct mm_last);
} mm_last SEC(".maps");

static __always_inline u32 pasid_of(struct mm_struct *mm)
{
	u64 gen = mms_gen;	/* read before the mm */
	struct mm_last *last;
	u32 zero = 0, pasid;

	last = bpf_map_lookup_elem(&mm_last, &zero);
	if (last && mm && last->mm == (u64)mm && last->gen == gen)
		return last->pasid;
	pasid = mm_pasid(mm, false);
	if (last && pasid) {
		last->mm = (u64)mm;
		last->gen = gen;
		last->pasid = pasid;
	}
	return pasid;
}

/* ---- bind ------------------------------------------------------------ */

/*
 * A failed bind: does DEV's IOMMU group already hold an SVA handle of MM
 * at MM's PASID? The kernel shares such a bond instead of attaching again
 * (65d4418c5002); a bind failing beside one is the rule rebind-refused.
 * Only failures pay for the walk of the group's PASID array.
 */
static __always_inline void ev_set_bond_held(struct svatop_wire *e,
					     struct device *dev,
					     struct mm_struct *mm)
{
	struct iommu_group___svatop *g = NULL;
	struct iommu_domain *domain;
	unsigned long entry;
	void *h;

	if (!e->pasid || e->pasid == (u32)-1 ||
	    !bpf_core_type_exists(struct iommu_group___svatop) ||
	    !bpf_core_field_exists(g->pasid_array))
		return;
	g = (void *)BPF_CORE_READ(dev, iommu_group);
	if (!g)
		return;
	entry = (unsigned long)xa_load_bpf(&g->pasid_array, e->pasid);
	if (!entry || (entry & SVATOP_XA_TAG_MASK) != SVATOP_PASID_ARRAY_HANDLE)
		return;
	h = (void *)(entry & ~SVATOP_XA_TAG_MASK);
	domain = sva_handle_domain(h, false);
	if (domain_type(domain, false) != SVATOP_IOMMU_DOMAIN_SVA ||
	    domain_mm(domain) != mm)
		return;
	e->flags |= SVATOP_F_BOND_HELD;
	e->handle = (u64)h;
	e->handle_users = sva_handle_users(h, false);
}

static __always_inline void bind_exit(void *ctx, struct device *dev,
				      struct mm_struct *mm, void *ret, u32 flags)
{
	bool btf = !(flags & SVATOP_F_FALLBACK);	/* dev and mm */
	struct iommu_domain *domain;
	struct svatop_wire *e;
	u64 iommu;

	if (filtered())
		return;
	if (state_mode && ret && !IS_ERR_VALUE_BPF(ret)) {
		count(SVATOP_CNT_STATE_BINDS);
		tally_add(mm, false);
		remember_proc(mm);
		/* bind-same-device-again: the bind shared a held bond */
		if (!hook_rules || sva_handle_users(ret, false) <= 1)
			return;
		flags |= SVATOP_F_EVIDENCE;
	}
	iommu = dev_iommu(dev, btf);
	e = ev_new(SVATOP_EV_BIND, SVATOP_WIRE_UPTO(aux2));
	if (!e)
		return;
	e->flags = flags;
	e->mm = (u64)mm;
	e->pasid = mm_pasid(mm, btf);
	e->aux = mm_sva_state(mm, btf);
	ev_set_dev(e, dev, iommu);
	if (!ret || IS_ERR_VALUE_BPF(ret)) {
		e->ret = ret ? (s32)(long)ret : -22;
		/* why it failed may be the device's PASID limit: three more
		 * reads, only for a failure */
		ev_set_max_pasids(e, dev);
		ev_set_bond_held(e, dev, mm);
	} else {
		/* the handle is a plain number (bpf_get_func_ret()) */
		e->handle = (u64)ret;
		e->handle_users = sva_handle_users(ret, false);
		domain = sva_handle_domain(ret, false);
		e->domain = (u64)domain;
		e->domain_users = domain_users(domain);
		remember_proc(mm);
	}
	ev_stack(e, ctx);
	ev_submit(e);
}

SEC("fentry/iommu_sva_bind_device")
int BPF_PROG(fentry_bind, struct device *dev, struct mm_struct *mm)
{
	/* An mm with SVA state keeps it for life: no PASID allocation in
	 * this bind, nothing to store (one load, a BTF pointer). */
	if (!mm_has_sva(mm))
		push_args(&bind_args, (u64)dev, (u64)mm, BIND_ARGS_PASID);
	return 0;
}

/*
 * fexit programs read arguments and the return value with
 * bpf_get_func_arg()/bpf_get_func_ret(): the argument count of these
 * functions changed between kernels (bind lost drvdata in 6.2, attach
 * gained a handle in 6.10, mm_init lost user_ns in 7.x), and the return
 * value's slot moves with it.
 */
static __always_inline u64 farg(void *ctx, u32 n)
{
	u64 v = 0;

	bpf_get_func_arg(ctx, n, &v);
	return v;
}

static __always_inline u64 fret(void *ctx)
{
	u64 v = 0;

	bpf_get_func_ret(ctx, &v);
	return v;
}

SEC("fexit/iommu_sva_bind_device")
int fexit_bind(u64 *ctx)
{
	void *ret = (void *)fret(ctx);
	u64 id;

	/* dev and mm lead the arguments in every era: direct context loads,
	 * which the verifier types from the kernel's BTF */
	bind_exit(ctx, (void *)ctx[0], (void *)ctx[1], ret, 0);
	/* a bind that failed may have stored its args and allocated nothing */
	if (!ret || IS_ERR_VALUE_BPF(ret)) {
		id = cur_pid_tgid();
		bpf_map_delete_elem(&bind_args, &id);
	}
	return 0;
}

SEC("kprobe/iommu_sva_bind_device")
int BPF_KPROBE(kprobe_bind, struct device *dev, struct mm_struct *mm)
{
	push_args(&bind_args, (u64)dev, (u64)mm, BIND_ARGS_KRET);
	return 0;
}

SEC("kretprobe/iommu_sva_bind_device")
int BPF_KRETPROBE(kretprobe_bind, void *ret)
{
	struct call_args a;

	/* the bind is over: PASID allocations inside it used the args */
	if (pop_args(&bind_args, &a))
		bind_exit(ctx, (void *)a.a0, (void *)a.a1, ret, SVATOP_F_FALLBACK);
	return 0;
}

/* ---- unbind ---------------------------------------------------------- */

static __always_inline void unbind_enter(void *handle, u32 flags)
{
	bool btf = !(flags & SVATOP_F_FALLBACK);	/* the handle */
	struct mm_struct *mm, *cur_mm;
	struct iommu_domain *domain;
	struct svatop_wire *e;
	struct device *dev;
	u32 owner = 0;
	u64 iommu;

	if (filtered())
		return;
	if (state_mode) {
		count(SVATOP_CNT_STATE_UNBINDS);
		mm = domain_mm(sva_handle_domain(handle, btf));
		tally_add(mm, true);
		if (!hook_rules)
			return;
		/* unbind-by-other-process: another mm than the caller's, and
		 * its process lives (a process's release at exit runs after
		 * exit_mm(): its own mm has no users left by then) */
		cur_mm = bpf_get_current_task_btf()->mm;
		if (mm && cur_mm != mm && mm_in_use(mm)) {
			flags |= SVATOP_F_EVIDENCE | SVATOP_F_OTHER_LIVE_MM;
			owner = mm_owner_tgid(mm);
		} else if (sva_handle_users(handle, btf) > 0) {
			return;		/* unbind-unknown-handle: users > 0 */
		} else {
			flags |= SVATOP_F_EVIDENCE;
		}
	}
	dev = sva_handle_dev(handle, btf);
	iommu = dev_iommu(dev, btf);
	if (flags & SVATOP_F_OTHER_LIVE_MM) {
		e = ev_new(SVATOP_EV_UNBIND, SVATOP_WIRE_UPTO(aux));
		if (!e)
			return;
		e->aux = owner;
	} else {
		e = ev_new(SVATOP_EV_UNBIND, SVATOP_WIRE_UPTO(stack_id));
		if (!e)
			return;
	}
	e->flags = flags;
	e->handle = (u64)handle;
	e->handle_users = sva_handle_users(handle, btf);
	domain = sva_handle_domain(handle, btf);
	e->domain = (u64)domain;
	domain_mm_users(domain, &mm, &e->domain_users);
	e->mm = (u64)mm;	/* probe-read: a plain number */
	e->pasid = pasid_of(mm);
	ev_set_dev(e, dev, iommu);
	ev_submit(e);
}

SEC("fentry/iommu_sva_unbind_device")
int BPF_PROG(fentry_unbind, void *handle)
{
	unbind_enter(handle, 0);
	return 0;
}

SEC("kprobe/iommu_sva_unbind_device")
int BPF_KPROBE(kprobe_unbind, void *handle)
{
	unbind_enter(handle, SVATOP_F_FALLBACK);
	return 0;
}

/* ---- PASID allocator ------------------------------------------------- */

static __always_inline void pasid_alloc_exit(void *ctx, struct device *dev,
					     u32 ret, u32 flags)
{
	u64 id = cur_pid_tgid();
	struct call_args *b;
	struct svatop_wire *e;
	u64 iommu, mm = 0;

	/* The bind's mm, if a bind is in progress; a fentry-form entry is
	 * this allocation's to take out (BIND_ARGS_PASID) */
	b = bpf_map_lookup_elem(&bind_args, &id);
	if (b) {
		mm = b->a1;
		if (b->a2 == BIND_ARGS_PASID)
			bpf_map_delete_elem(&bind_args, &id);
	}
	if (filtered())
		return;
	iommu = dev_iommu(dev, !(flags & SVATOP_F_FALLBACK));
	e = ev_new(SVATOP_EV_PASID_ALLOC, SVATOP_WIRE_UPTO(aux2));
	if (!e)
		return;
	e->flags = flags;
	ev_set_max_pasids(e, dev);
	if (ret == (u32)-1) {
		e->ret = -28;	/* -ENOSPC: the IDA is full */
	} else if ((s32)ret < 0) {
		e->ret = (s32)ret;	/* 6.1 ioasid_alloc() errors */
	} else {
		e->pasid = ret;
	}
	e->mm = mm;
	ev_set_dev(e, dev, iommu);
	ev_stack(e, ctx);
	ev_submit(e);
}

SEC("fexit/iommu_alloc_global_pasid")
int BPF_PROG(fexit_pasid_alloc, struct device *dev, u32 ret)
{
	pasid_alloc_exit(ctx, dev, ret, 0);
	return 0;
}

SEC("kprobe/iommu_alloc_global_pasid")
int BPF_KPROBE(kprobe_pasid_alloc, struct device *dev)
{
	push_args(&kret_args, (u64)dev, 0, 0);
	return 0;
}

SEC("kretprobe/iommu_alloc_global_pasid")
int BPF_KRETPROBE(kretprobe_pasid_alloc, u32 ret)
{
	struct call_args a;

	if (pop_args(&kret_args, &a))
		pasid_alloc_exit(ctx, (void *)a.a0, ret, SVATOP_F_FALLBACK);
	return 0;
}

/* 6.1: ioasid_alloc(set, min, max, private) returns the PASID. */
SEC("fexit/ioasid_alloc")
int fexit_ioasid_alloc(u64 *ctx)
{
	pasid_alloc_exit(ctx, NULL, (u32)fret(ctx), 0);
	return 0;
}

SEC("kprobe/ioasid_alloc")
int BPF_KPROBE(kprobe_ioasid_alloc)
{
	return 0;
}

SEC("kretprobe/ioasid_alloc")
int BPF_KRETPROBE(kretprobe_ioasid_alloc, u32 ret)
{
	pasid_alloc_exit(ctx, NULL, ret, SVATOP_F_FALLBACK);
	return 0;
}

static __always_inline void pasid_free_enter(u32 pasid, u32 flags)
{
	struct svatop_wire *e;

	/* Frees run in whatever task drops the mm last: never filtered. */
	e = ev_new(SVATOP_EV_PASID_FREE, SVATOP_WIRE_HEAD);
	if (!e)
		return;
	e->flags = flags;
	e->pasid = pasid;
	ev_submit(e);
}

SEC("fentry/iommu_free_global_pasid")
int BPF_PROG(fentry_pasid_free, u32 pasid)
{
	pasid_free_enter(pasid, 0);
	return 0;
}

SEC("kprobe/iommu_free_global_pasid")
int BPF_KPROBE(kprobe_pasid_free, u32 pasid)
{
	pasid_free_enter(pasid, SVATOP_F_FALLBACK);
	return 0;
}

SEC("fentry/ioasid_free")
int BPF_PROG(fentry_ioasid_free, u32 pasid)
{
	pasid_free_enter(pasid, 0);
	return 0;
}

SEC("kprobe/ioasid_free")
int BPF_KPROBE(kprobe_ioasid_free, u32 pasid)
{
	pasid_free_enter(pasid, SVATOP_F_FALLBACK);
	return 0;
}

/* ---- attach / detach of SVA domains ---------------------------------- */

static __always_inline void attach_exit(void *ctx, struct iommu_domain *domain,
					struct device *dev, u32 pasid, int ret,
					u32 flags)
{
	bool btf = !(flags & SVATOP_F_FALLBACK);	/* domain and dev */
	struct svatop_wire *e;
	struct mm_struct *mm;
	bool born;
	u64 iommu;
	int users;

	if (domain_type(domain, btf) != SVATOP_IOMMU_DOMAIN_SVA || filtered())
		return;
	domain_mm_users(domain, &mm, &users);
	/* State mode: a failed attach still streams (bind_explain). */
	if (state_mode && ret >= 0) {
		if (users == 0 && !sva_tracepoints)
			count(SVATOP_CNT_STATE_DOMAIN_ALLOCS);
		return;
	}
	iommu = dev_iommu(dev, btf);
	/*
	 * iommu_sva_domain_alloc() is inlined: a domain with no users yet
	 * that attaches inside a bind was just born there (the core sets
	 * users = 1 only after this attach succeeds). Its derived
	 * DOMAIN_ALLOC travels in the ATTACH record (SVATOP_WF_DOMAIN_BORN,
	 * with the stack): one record, and src/source/wire.c makes both
	 * events of it. Counted as two, submitted or dropped.
	 */
	born = users == 0 && !sva_tracepoints;
	if (born) {
		e = ev_new(SVATOP_EV_ATTACH, SVATOP_WIRE_UPTO(stack_id));
		if (!e) {
			count(SVATOP_CNT_DROPPED);
			count(SVATOP_CNT_DROPPED_TYPE + SVATOP_EV_DOMAIN_ALLOC);
			return;
		}
		e->flags = flags | SVATOP_F_SVA_DOMAIN | SVATOP_WF_DOMAIN_BORN;
		if (!stack_domain_from_bind)
			ev_stack(e, ctx);
	} else {
		e = ev_new(SVATOP_EV_ATTACH, SVATOP_WIRE_UPTO(iommu));
		if (!e)
			return;
		e->flags = flags | SVATOP_F_SVA_DOMAIN;
	}
	e->domain = (u64)domain;
	e->mm = (u64)mm;
	e->pasid = pasid;
	e->ret = ret;
	e->domain_users = users;
	ev_set_dev(e, dev, iommu);
	if (born)
		count(SVATOP_CNT_SUBMITTED);	/* the DOMAIN_ALLOC in it */
	ev_submit(e);
}

SEC("fexit/iommu_attach_device_pasid")
int fexit_attach(u64 *ctx)
{
	/* domain, dev and pasid lead the arguments in every era (6.10 added
	 * the handle after them): direct context loads, BTF-typed */
	attach_exit(ctx, (void *)ctx[0], (void *)ctx[1], (u32)ctx[2],
		    (int)fret(ctx), 0);
	return 0;
}

SEC("kprobe/iommu_attach_device_pasid")
int BPF_KPROBE(kprobe_attach, struct iommu_domain *domain, struct device *dev,
	       u32 pasid)
{
	push_args(&kret_args, (u64)domain, (u64)dev, pasid);
	return 0;
}

SEC("kretprobe/iommu_attach_device_pasid")
int BPF_KRETPROBE(kretprobe_attach, int ret)
{
	struct call_args a;

	if (pop_args(&kret_args, &a))
		attach_exit(ctx, (void *)a.a0, (void *)a.a1, a.a2, ret,
			    SVATOP_F_FALLBACK);
	return 0;
}

static __always_inline void detach_enter(struct iommu_domain *domain,
					 struct device *dev, u32 pasid,
					 u32 flags)
{
	bool btf = !(flags & SVATOP_F_FALLBACK);	/* domain and dev */
	struct svatop_wire *e;
	struct mm_struct *mm;
	u64 iommu;

	if (state_mode || domain_type(domain, btf) != SVATOP_IOMMU_DOMAIN_SVA ||
	    filtered())
		return;
	iommu = dev_iommu(dev, btf);
	e = ev_new(SVATOP_EV_DETACH, SVATOP_WIRE_UPTO(iommu));
	if (!e)
		return;
	domain_mm_users(domain, &mm, &e->domain_users);
	e->flags = flags | SVATOP_F_SVA_DOMAIN;
	e->domain = (u64)domain;
	e->mm = (u64)mm;
	e->pasid = pasid;
	ev_set_dev(e, dev, iommu);
	ev_submit(e);
}

SEC("fentry/iommu_detach_device_pasid")
int BPF_PROG(fentry_detach, struct iommu_domain *domain, struct device *dev,
	     u32 pasid)
{
	detach_enter(domain, dev, pasid, 0);
	return 0;
}

SEC("kprobe/iommu_detach_device_pasid")
int BPF_KPROBE(kprobe_detach, struct iommu_domain *domain, struct device *dev,
	       u32 pasid)
{
	detach_enter(domain, dev, pasid, SVATOP_F_FALLBACK);
	return 0;
}

/* ---- domain free ----------------------------------------------------- */

static __always_inline void domain_free_enter(struct iommu_domain *domain,
					      u32 flags)
{
	struct svatop_wire *e;
	struct mm_struct *mm;

	if (domain_type(domain, !(flags & SVATOP_F_FALLBACK)) != SVATOP_IOMMU_DOMAIN_SVA)
		return;
	if (state_mode) {
		count(SVATOP_CNT_STATE_DOMAIN_FREES);
		/* domain-freed-with-users */
		if (!hook_rules || domain_users(domain) <= 0)
			return;
		flags |= SVATOP_F_EVIDENCE;
	}
	e = ev_new(SVATOP_EV_DOMAIN_FREE, SVATOP_WIRE_UPTO(domain_users));
	if (!e)
		return;
	domain_mm_users(domain, &mm, &e->domain_users);
	e->flags = flags | SVATOP_F_SVA_DOMAIN;
	e->domain = (u64)domain;
	e->mm = (u64)mm;
	e->pasid = pasid_of(mm);
	ev_submit(e);
}

SEC("fentry/iommu_domain_free")
int BPF_PROG(fentry_domain_free, struct iommu_domain *domain)
{
	domain_free_enter(domain, 0);
	return 0;
}

SEC("kprobe/iommu_domain_free")
int BPF_KPROBE(kprobe_domain_free, struct iommu_domain *domain)
{
	domain_free_enter(domain, SVATOP_F_FALLBACK);
	return 0;
}

/* ---- mm teardown ----------------------------------------------------- */

static __always_inline void mm_teardown(u16 type, struct mm_struct *mm,
					u32 flags)
{
	bool btf = !(flags & SVATOP_F_FALLBACK);	/* the mm */
	struct svatop_tally *t = NULL, last = {};
	struct svatop_wire *e;
	u64 state = mm_sva_state(mm, btf);
	u64 key = (u64)mm;

	/* Both run for every mm on the system: only SVA ones matter. */
	if (!state)
		return;
	__sync_fetch_and_add(&mms_gen, 1);	/* pasid_of()'s caches */
	bpf_map_delete_elem(&snap_seen, &key);
	if (state_mode && type == SVATOP_EV_MMDROP) {
		/* the mm's last counts: its tally goes with it, record or not
		 * (a next mm at this address must not inherit them) */
		t = bpf_map_lookup_elem(&tally, &key);
		if (t) {
			last = *t;
			bpf_map_delete_elem(&tally, &key);
		}
	}
	e = ev_new(type, SVATOP_WIRE_UPTO(aux2));
	if (!e)
		return;
	e->flags = flags;
	e->mm = (u64)mm;
	e->pasid = mm_pasid(mm, btf);
	e->aux = state;
	/* pasid-freed-with-domains: each SVA domain pins the mm, so none can
	 * be left when mm_pasid_drop() runs from __mmdrop() */
	if (type == SVATOP_EV_MM_PASID_DROP && mm_domains_left(mm))
		e->flags |= SVATOP_F_DOMAINS_LEFT;
	if (t) {
		e->flags |= SVATOP_F_TALLY;
		e->handle = last.binds;
		e->aux2 = last.unbinds;
	}
	ev_submit(e);
}

/* The fentry forms run for every mm on the host: one plain load first. */
SEC("fentry/mm_pasid_drop")
int BPF_PROG(fentry_mm_pasid_drop, struct mm_struct *mm)
{
	if (!mm_has_sva(mm))
		return 0;
	mm_teardown(SVATOP_EV_MM_PASID_DROP, mm, 0);
	return 0;
}

SEC("kprobe/mm_pasid_drop")
int BPF_KPROBE(kprobe_mm_pasid_drop, struct mm_struct *mm)
{
	mm_teardown(SVATOP_EV_MM_PASID_DROP, mm, SVATOP_F_FALLBACK);
	return 0;
}

SEC("fentry/__mmdrop")
int BPF_PROG(fentry_mmdrop, struct mm_struct *mm)
{
	if (!mm_has_sva(mm))
		return 0;
	mm_teardown(SVATOP_EV_MMDROP, mm, 0);
	return 0;
}

SEC("kprobe/__mmdrop")
int BPF_KPROBE(kprobe_mmdrop, struct mm_struct *mm)
{
	mm_teardown(SVATOP_EV_MMDROP, mm, SVATOP_F_FALLBACK);
	return 0;
}

/* ---- fork ------------------------------------------------------------ */

/*
 * mm_init(mm, p, user_ns) runs for fork (dup_mm: mm is a copy of the
 * parent's, p the child, current the parent) and for exec (mm_alloc: a
 * zeroed mm, p == current). After it returns the child's SVA state must be
 * reset (mm_pasid_init); a child still pointing at the parent's iommu_mm
 * would free it twice.
 */
static __always_inline void fork_mm_event(struct mm_struct *mm,
					  struct mm_struct *parent_mm, u32 flags)
{
	struct svatop_wire *e;
	u64 parent_state, child_state;

	parent_state = mm_sva_state(parent_mm, false);
	if (!mm || mm == parent_mm || !parent_state || filtered())
		return;
	child_state = mm_sva_state(mm, false);
	e = ev_new(SVATOP_EV_FORK, SVATOP_WIRE_UPTO(aux2));
	if (!e)
		return;
	e->flags = flags;
	if (child_state && child_state == parent_state)
		e->flags |= SVATOP_F_CHILD_SHARES;
	e->mm = (u64)mm;
	e->aux = (u64)parent_mm;
	e->aux2 = child_state;
	e->handle = parent_state;
	e->pasid = mm_pasid(parent_mm, false);
	ev_submit(e);
}

static __always_inline void mm_init_exit(struct mm_struct *mm,
					 struct task_struct *p, u32 flags)
{
	struct task_struct *cur = (void *)bpf_get_current_task();

	if ((void *)p == (void *)cur)
		return;	/* exec's mm_alloc(), not a fork */
	fork_mm_event(mm, BPF_CORE_READ(cur, mm), flags);
}

SEC("fexit/mm_init")
int fexit_mm_init(u64 *ctx)
{
	/* current is the parent of a fork (or the task of an exec, which
	 * mm_init_exit() skips): nothing to report unless its mm is SVA's. */
	if (!mm_has_sva(bpf_get_current_task_btf()->mm))
		return 0;
	if (fret(ctx))
		mm_init_exit((void *)farg(ctx, 0), (void *)farg(ctx, 1), 0);
	return 0;
}

SEC("kprobe/mm_init")
int BPF_KPROBE(kprobe_mm_init, struct mm_struct *mm, struct task_struct *p)
{
	push_args(&kret_args, (u64)mm, (u64)p, 0);
	return 0;
}

SEC("kretprobe/mm_init")
int BPF_KRETPROBE(kretprobe_mm_init, void *ret)
{
	struct call_args a;

	if (pop_args(&kret_args, &a) && ret)
		mm_init_exit((void *)a.a0, (void *)a.a1, SVATOP_F_FALLBACK);
	return 0;
}

static __always_inline void proc_fork(struct task_struct *parent,
				      struct task_struct *child, u32 flags)
{
	struct svatop_wire *e;
	struct mm_struct *pmm, *cmm;
	u32 ctgid;
	u64 v;

	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return;	/* a new thread, not a new process */
	pmm = BPF_CORE_READ(parent, mm);
	if (!mm_sva_state(pmm, false) || filtered())
		return;
	cmm = BPF_CORE_READ(child, mm);
	ctgid = BPF_CORE_READ(child, tgid);
	if (fork_check_at_tp)
		fork_mm_event(cmm, pmm, flags);
	e = ev_new(SVATOP_EV_PROC_FORK, SVATOP_WIRE_UPTO(aux2));
	if (!e)
		return;
	e->flags = flags;
	e->mm = (u64)pmm;
	e->pasid = mm_pasid(pmm, false);
	e->aux = ctgid;
	e->aux2 = (u64)cmm;
	ev_submit(e);
	/*
	 * Exit and exec are looked up only for processes whose mm has SVA
	 * state: the child joins sva_procs only when it has some too (a
	 * vfork child on the parent's mm, or a kernel whose mm_init leaves
	 * the parent's iommu_mm in the child). A child with a fresh mm
	 * joins at its own first bind (remember_proc()).
	 */
	if (!mm_sva_state(cmm, false))
		return;
	v = (u64)cmm;
	bpf_map_update_elem(&sva_procs, &ctgid, &v, BPF_ANY);
	procs_changed();
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_btf_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!mm_has_sva(parent->mm))
		return 0;
	proc_fork(parent, child, 0);
	return 0;
}

SEC("tracepoint/sched/sched_process_fork")
int tp_fork(void *ctx)
{
	/* The classic tracepoint only carries pids: use current (the parent)
	 * and find the child through nothing else; report the parent side. */
	struct task_struct *cur = (void *)bpf_get_current_task();
	struct trace_event_raw_sched_process_fork *args = ctx;
	struct svatop_wire *e;
	struct mm_struct *pmm;
	u32 ctgid;

	pmm = BPF_CORE_READ(cur, mm);
	if (!mm_sva_state(pmm, false) || filtered())
		return 0;
	ctgid = BPF_CORE_READ(args, child_pid);
	e = ev_new(SVATOP_EV_PROC_FORK, SVATOP_WIRE_UPTO(aux2));
	if (!e)
		return 0;
	e->flags = SVATOP_F_FALLBACK;
	e->mm = (u64)pmm;
	e->pasid = mm_pasid(pmm, false);
	e->aux = ctgid;
	ev_submit(e);
	return 0;
}

/* ---- exit ------------------------------------------------------------ */

static __always_inline void proc_exit(struct task_struct *task, u32 flags)
{
	struct svatop_wire *e;
	u32 tgid = BPF_CORE_READ(task, tgid);
	u64 *mm;

	mm = bpf_map_lookup_elem(&sva_procs, &tgid);
	if (!mm)
		return;
	/* sched_process_exit runs per thread; the process is gone with its
	 * last thread (signal->live already decremented). */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return;
	e = ev_new(SVATOP_EV_EXIT, SVATOP_WIRE_UPTO(mm));
	if (e) {
		e->flags = flags | SVATOP_F_LEADER_EXIT;
		e->mm = *mm;
		e->pid = BPF_CORE_READ(task, pid);
		e->tgid = tgid;
		ev_submit(e);
	}
	bpf_map_delete_elem(&sva_procs, &tgid);
	procs_changed();
}

/* exec gave the process a new mm: the old SVA mm lost its owner */
static __always_inline void proc_exec(struct task_struct *task, u32 flags)
{
	struct svatop_wire *e;
	u32 tgid = BPF_CORE_READ(task, tgid);
	u64 *mm, old;

	mm = bpf_map_lookup_elem(&sva_procs, &tgid);
	if (!mm || *mm == (u64)BPF_CORE_READ(task, mm))
		return;
	old = *mm;
	bpf_map_delete_elem(&sva_procs, &tgid);
	procs_changed();
	e = ev_new(SVATOP_EV_EXIT, SVATOP_WIRE_UPTO(mm));
	if (!e)
		return;
	e->flags = flags | SVATOP_F_LEADER_EXIT | SVATOP_F_EXEC;
	e->mm = old;
	e->pid = BPF_CORE_READ(task, pid);
	e->tgid = tgid;
	ev_submit(e);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_btf_exec, struct task_struct *task)
{
	proc_exec(task, 0);
	return 0;
}

/*
 * sched_prepare_exec (6.10+) fires at exec's point of no return while
 * current still runs on its old mm: one load tells whether the old mm is
 * an SVA one, where sched_process_exec (after the switch) must look every
 * exec up. An error after this point kills the process, whose exit then
 * finds no sva_procs entry: one EXIT either way. Where the tracepoint
 * exists it replaces sched_process_exec (src/probe/hooks.c).
 */
SEC("tp_btf/sched_prepare_exec")
int BPF_PROG(tp_btf_prepare_exec, struct task_struct *task)
{
	struct svatop_wire *e;
	u32 tgid;
	u64 *mm, old;

	if (!mm_has_sva(task->mm))
		return 0;
	tgid = task->tgid;
	mm = bpf_map_lookup_elem(&sva_procs, &tgid);
	if (!mm)
		return 0;
	old = *mm;
	bpf_map_delete_elem(&sva_procs, &tgid);
	procs_changed();
	e = ev_new(SVATOP_EV_EXIT, SVATOP_WIRE_UPTO(mm));
	if (!e)
		return 0;
	e->flags = SVATOP_F_LEADER_EXIT | SVATOP_F_EXEC;
	e->mm = old;
	e->pid = task->pid;
	e->tgid = tgid;
	ev_submit(e);
	return 0;
}

SEC("tracepoint/sched/sched_process_exec")
int tp_exec(void *ctx)
{
	proc_exec((void *)bpf_get_current_task(), SVATOP_F_FALLBACK);
	return 0;
}

#define SVATOP_PF_KTHREAD	0x00200000	/* include/linux/sched.h */

/*
 * The mm an exiting task had. On 7.3 sched_process_exit fires before
 * exit_mm() (kernel/exit.c); where it fires after, task->mm is NULL but
 * the task still runs on the mm as its lazy active_mm, whose mm_count that
 * holds, so iommu_mm (freed only by __mmdrop()) is still there. A kernel
 * thread's active_mm is borrowed: not its own.
 */
static __always_inline struct mm_struct *exiting_mm(struct task_struct *task)
{
	struct mm_struct *mm = task->mm;

	if (!mm && !(task->flags & SVATOP_PF_KTHREAD))
		mm = task->active_mm;
	return mm;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_btf_exit, struct task_struct *task)
{
	struct mm_struct___iommu_mm *m = NULL;

	/*
	 * Every task on the host exits through here: one load decides. With
	 * mm->pasid (before 6.8) the PASID may be gone already at this point
	 * (mm_pasid_drop() ran in __mmput()), so there every exit is looked
	 * up in sva_procs as before.
	 */
	if (bpf_core_field_exists(m->iommu_mm) && !mm_has_sva(exiting_mm(task)))
		return 0;
	proc_exit(task, 0);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int tp_exit(void *ctx)
{
	proc_exit((void *)bpf_get_current_task(), SVATOP_F_FALLBACK);
	return 0;
}

/* ---- snapshot of what existed before svatop started ------------------ */

#define SNAP_MAX_DOMAINS	32

static __always_inline u32 snap_flag(void)
{
	return snap_resync ? SVATOP_F_RESYNC : 0;
}
#define SNAP_MAX_ORPHANS	1024

static __always_inline void snap_domains(struct mm_struct *mm,
					 struct iommu_mm_data___svatop *im,
					 u32 pasid)
{
	struct list_head *head = &im->sva_domains;
	struct list_head *pos;
	struct svatop_wire *e;
	struct iommu_domain___svatop *d;
	int i;

	pos = BPF_CORE_READ(im, sva_domains.next);
	for (i = 0; i < SNAP_MAX_DOMAINS; i++) {
		if (!pos || pos == head)
			break;
		d = (void *)((char *)pos - bpf_core_field_offset(d->next));
		e = ev_new(SVATOP_EV_SNAP_DOMAIN, SVATOP_WIRE_UPTO(domain_users));
		if (!e)
			return;
		e->flags = SVATOP_F_SNAPSHOT | SVATOP_F_SVA_DOMAIN | snap_flag();
		e->domain = (u64)d;
		e->mm = (u64)mm;
		e->pasid = pasid;
		e->domain_users = BPF_CORE_READ(d, users);
		ev_submit(e);
		pos = BPF_CORE_READ(pos, next);
	}
	if (i == SNAP_MAX_DOMAINS && pos && pos != head)
		snap_truncated = 1;
}

/* A global function: verified once, not once per call site and loop trip. */
__noinline int snap_mm_global(u64 mm_addr, u64 task_addr)
{
	struct mm_struct *mm = (void *)mm_addr;
	struct task_struct *task = (void *)task_addr;
	u32 flags = 0;
	struct mm_struct___iommu_mm *m = (void *)mm;
	struct iommu_mm_data___svatop *im = NULL;
	struct svatop_wire *e;
	u64 key = (u64)mm;
	u8 one = 1;
	u32 pasid;

	if (!mm)
		return 0;
	if (bpf_map_lookup_elem(&snap_seen, &key))
		return 0;
	bpf_map_update_elem(&snap_seen, &key, &one, BPF_ANY);
	pasid = mm_pasid(mm, false);
	e = ev_new(SVATOP_EV_SNAP_MM, SVATOP_WIRE_UPTO(aux));
	if (!e)
		return 0;
	e->flags = flags | SVATOP_F_SNAPSHOT | snap_flag();
	e->mm = key;
	e->pasid = pasid;
	e->aux = mm_sva_state(mm, false);
	if (task) {
		/* a stack copy: 6.1 takes no ring-buffer memory as a map key */
		u32 tgid = BPF_CORE_READ(task, tgid);

		e->pid = BPF_CORE_READ(task, pid);
		e->tgid = tgid;
		BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
		bpf_map_update_elem(&sva_procs, &tgid, &key, BPF_ANY);
		procs_changed();
	} else {
		e->pid = 0;
		e->tgid = 0;
		__builtin_memset(e->comm, 0, sizeof(e->comm));
	}
	ev_submit(e);
	if (pasid && pasid != (u32)-1 &&
	    bpf_map_update_elem(&snap_pasids, &pasid, &key, BPF_ANY))
		snap_truncated = 1;	/* full: that mm's bonds are not looked up */
	if (bpf_core_field_exists(m->iommu_mm)) {
		im = BPF_CORE_READ(m, iommu_mm);
		if (im)
			snap_domains(mm, im, pasid);
	}
	return 0;
}

/*
 * Bonds that predate svatop: for each PASID the walk found, its entry in
 * each IOMMU group's PASID array is the bond's attach handle (the first
 * member of struct iommu_sva), read with xa_load_bpf().
 */
#define SNAP_MAX_GROUPS		256

struct snap_group_ctx {
	struct iommu_group___svatop *group;
};

static long snap_bond_cb(void *map, u32 *pasid, u64 *mm, struct snap_group_ctx *c)
{
	struct iommu_sva___handle *h = NULL;
	struct iommu_domain *domain;
	struct svatop_wire *e;
	struct device *dev;
	unsigned long entry;
	u64 iommu;

	/* Each part is verified on its own: each checks what it reads. */
	if (!bpf_core_field_exists(c->group->pasid_array) ||
	    !bpf_core_field_exists(h->dev))
		return 1;
	entry = (unsigned long)xa_load_bpf(&c->group->pasid_array, *pasid);
	if (!entry || (entry & SVATOP_XA_TAG_MASK) != SVATOP_PASID_ARRAY_HANDLE)
		return 0;
	h = (void *)(entry & ~SVATOP_XA_TAG_MASK);
	domain = sva_handle_domain(h, false);
	if (domain_type(domain, false) != SVATOP_IOMMU_DOMAIN_SVA)
		return 0;
	dev = sva_handle_dev(h, false);
	iommu = dev_iommu(dev, false);
	e = ev_new(SVATOP_EV_SNAP_BOND, SVATOP_WIRE_UPTO(aux));
	if (!e)
		return 1;
	e->flags = SVATOP_F_SNAPSHOT | SVATOP_F_SVA_DOMAIN | snap_flag();
	/* Not the reader's: the owner is the mm's (SNAP_MM). */
	e->pid = 0;
	e->tgid = 0;
	__builtin_memset(e->comm, 0, sizeof(e->comm));
	e->handle = (u64)h;
	e->domain = (u64)domain;
	e->mm = (u64)domain_mm(domain);
	e->pasid = *pasid;
	e->aux = (u64)c->group;
	e->handle_users = sva_handle_users(h, false);
	e->domain_users = domain_users(domain);
	ev_set_dev(e, dev, iommu);
	ev_submit(e);
	return 0;
}

/* A global function: verified once, not once per group of the loop. */
__noinline int snap_group_global(u64 group_addr)
{
	struct snap_group_ctx c = { .group = (void *)group_addr };

	if (!group_addr || !bpf_core_field_exists(c.group->pasid_array))
		return 0;
	bpf_for_each_map_elem(&snap_pasids, snap_bond_cb, &c, 0);
	return 0;
}

/*
 * The two list walks below run as bpf_loop() callbacks: the verifier checks
 * a callback's body once, where an open-coded loop of N trips is checked
 * trip by trip (the 1,024-trip orphan walk alone was most of the time svatop
 * took to load).
 */
struct snap_walk {
	struct list_head *head;
	struct list_head *pos;	/* the head or NULL once the walk is over */
};

static long snap_group_step(u32 i, struct snap_walk *w)
{
	struct iommu_group___svatop *g = NULL;
	struct list_head *pos = w->pos;

	/* the caller checked it; a callback carries its own guard */
	if (!bpf_core_field_exists(g->kobj))
		return 1;
	if (!pos || pos == w->head)
		return 1;
	/* kobject.entry is on the kset's list; the group embeds it */
	snap_group_global((u64)pos - bpf_core_field_offset(struct kobject, entry) -
			  bpf_core_field_offset(g->kobj));
	w->pos = BPF_CORE_READ(pos, next);
	return 0;
}

static __always_inline void snap_bonds(void)
{
	struct iommu_mm_data___svatop *im = NULL;
	struct iommu_group___svatop *g = NULL;
	struct kset *kset = NULL;
	struct snap_walk w = {};

	if (!iommu_group_kset_addr ||
	    !bpf_core_type_exists(struct iommu_group___svatop) ||
	    !bpf_core_field_exists(g->pasid_array) ||
	    !bpf_core_type_exists(struct iommu_mm_data___svatop) ||
	    !bpf_core_field_exists(im->mm_list_elm))
		return;
	bpf_probe_read_kernel(&kset, sizeof(kset), (void *)iommu_group_kset_addr);
	if (!kset)
		return;
	w.head = &kset->list;
	w.pos = BPF_CORE_READ(kset, list.next);
	bpf_loop(SNAP_MAX_GROUPS, snap_group_step, &w, 0);
	if (w.pos && w.pos != w.head)
		snap_truncated = 1;
}

static long snap_orphan_step(u32 i, struct snap_walk *w)
{
	struct iommu_mm_data___svatop *im = NULL;
	struct list_head *pos = w->pos;

	if (!bpf_core_type_exists(struct iommu_mm_data___svatop) ||
	    !bpf_core_field_exists(im->mm_list_elm) || !bpf_core_field_exists(im->mm))
		return 1;
	if (!pos || pos == w->head)
		return 1;
	im = (void *)((char *)pos - bpf_core_field_offset(im->mm_list_elm));
	snap_mm_global((u64)BPF_CORE_READ(im, mm), 0);
	w->pos = BPF_CORE_READ(pos, next);
	return 0;
}

/* mms on the kernel's iommu_sva_mms list (7.x) with no task any more. */
static __always_inline void snap_orphans(void)
{
	struct list_head *head = (struct list_head *)iommu_sva_mms_addr;
	struct iommu_mm_data___svatop *im = NULL;
	struct snap_walk w = {};

	if (!head)
		return;
	if (!bpf_core_type_exists(struct iommu_mm_data___svatop) ||
	    !bpf_core_field_exists(im->mm_list_elm))
		return;
	w.head = head;
	w.pos = BPF_CORE_READ(head, next);
	bpf_loop(SNAP_MAX_ORPHANS, snap_orphan_step, &w, 0);
	if (w.pos && w.pos != w.head)
		snap_truncated = 1;
}

SEC("iter/task")
int iter_snapshot(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct svatop_wire *e;
	struct mm_struct *mm;

	if (!task) {
		/* The end of the walk. */
		snap_orphans();
		snap_bonds();
		e = ev_new(SVATOP_EV_SNAP_END, SVATOP_WIRE_HEAD);
		if (e) {
			e->flags = SVATOP_F_SNAPSHOT | snap_flag() |
				   (snap_truncated ? SVATOP_F_INCOMPLETE : 0);
			ev_submit(e);
		}
		return 0;
	}
	/*
	 * One task per process: the leader, or, once the leader has exited
	 * (a zombie without an mm while its other threads run), each other
	 * thread (snap_seen keeps the first). Named by the leader either way.
	 */
	if (task->pid != task->tgid && BPF_CORE_READ(task, group_leader, mm))
		return 0;
	if (target_tgid && task->tgid != target_tgid)
		return 0;
	mm = task->mm;
	if (!mm || !mm_sva_state(mm, false))
		return 0;
	/* Probe-read copies: the verifier wants scalars for a global
	 * function. */
	snap_mm_global((u64)BPF_CORE_READ(task, mm),
		       (u64)BPF_CORE_READ(task, group_leader));
	return 0;
}

/* ---- svatop's proposed iommu_sva tracepoints (patches/svatop/) -------- */

SEC("tp_btf/sva_bind")
int BPF_PROG(tp_sva_bind, struct device *dev, struct mm_struct *mm,
	     void *handle, int ret)
{
	bind_exit(ctx, dev, mm, ret ? (void *)(long)ret : handle,
		  SVATOP_F_TRACEPOINT);
	return 0;
}

SEC("tp_btf/sva_unbind")
int BPF_PROG(tp_sva_unbind, void *handle)
{
	unbind_enter(handle, SVATOP_F_TRACEPOINT);
	return 0;
}

SEC("tp_btf/sva_domain_alloc")
int BPF_PROG(tp_sva_domain_alloc, struct iommu_domain *domain,
	     struct device *dev, struct mm_struct *mm)
{
	struct svatop_wire *e;
	u64 iommu;

	if (filtered())
		return 0;
	if (state_mode) {
		count(SVATOP_CNT_STATE_DOMAIN_ALLOCS);
		return 0;
	}
	iommu = dev_iommu(dev, false);
	e = ev_new(SVATOP_EV_DOMAIN_ALLOC, SVATOP_WIRE_UPTO(stack_id));
	if (!e)
		return 0;
	e->flags = SVATOP_F_TRACEPOINT | SVATOP_F_SVA_DOMAIN;
	e->domain = (u64)domain;
	e->mm = (u64)mm;
	e->pasid = mm_pasid(mm, false);
	e->domain_users = domain_users(domain);
	ev_set_dev(e, dev, iommu);
	ev_stack(e, ctx);
	ev_submit(e);
	return 0;
}

SEC("tp_btf/sva_domain_free")
int BPF_PROG(tp_sva_domain_free, struct iommu_domain *domain)
{
	domain_free_enter(domain, SVATOP_F_TRACEPOINT);
	return 0;
}

static __always_inline void tp_pasid(void *ctx, u16 type, struct mm_struct *mm,
				     u32 pasid)
{
	struct svatop_wire *e;

	if (type == SVATOP_EV_PASID_ALLOC && filtered())
		return;
	e = ev_new(type, SVATOP_WIRE_UPTO(stack_id));
	if (!e)
		return;
	e->flags = SVATOP_F_TRACEPOINT;
	e->mm = (u64)mm;
	e->pasid = pasid;
	if (type == SVATOP_EV_PASID_ALLOC)
		ev_stack(e, ctx);
	ev_submit(e);
}

SEC("tp_btf/sva_pasid_alloc")
int BPF_PROG(tp_sva_pasid_alloc, struct mm_struct *mm, u32 pasid)
{
	tp_pasid(ctx, SVATOP_EV_PASID_ALLOC, mm, pasid);
	return 0;
}

SEC("tp_btf/sva_pasid_free")
int BPF_PROG(tp_sva_pasid_free, struct mm_struct *mm, u32 pasid)
{
	tp_pasid(ctx, SVATOP_EV_PASID_FREE, mm, pasid);
	return 0;
}
