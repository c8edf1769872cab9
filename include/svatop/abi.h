/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * svatop ABI: the only definition of the records the BPF programs and
 * user space exchange. Included by the BPF programs (after vmlinux.h) and by
 * every user-space consumer. Fixed size, versioned; see docs/events.md.
 */
#ifndef SVATOP_ABI_H
#define SVATOP_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SVATOP_ABI_VERSION	1

#define SVATOP_COMM_LEN		16
#define SVATOP_NAME_LEN		32
#define SVATOP_STACK_DEPTH	16

/* The kernel's IOMMU_DOMAIN_SVA: a #define, so never in BTF. */
#define SVATOP_IOMMU_DOMAIN_SVA	0x10

enum svatop_event_type {
	SVATOP_EV_NONE = 0,
	/* iommu_sva_bind_device() returned: ret, handle, mm, dev, pasid,
	 * domain, handle_users, domain_users; aux = mm->iommu_mm, aux2 = the
	 * device's max_pasids (SVATOP_F_MAX_PASIDS). */
	SVATOP_EV_BIND = 1,
	/* iommu_sva_unbind_device() entered: handle, dev, domain, mm, pasid,
	 * handle_users and domain_users as they were before the call. */
	SVATOP_EV_UNBIND = 2,
	/* iommu_alloc_global_pasid() returned: pasid (valid when ret == 0),
	 * dev; ret is 0 or -errno (the kernel returns IOMMU_PASID_INVALID);
	 * aux2 = the device's max_pasids (SVATOP_F_MAX_PASIDS). */
	SVATOP_EV_PASID_ALLOC = 3,
	/* iommu_free_global_pasid(pasid) entered. */
	SVATOP_EV_PASID_FREE = 4,
	/* Derived: an SVA domain attached for the first time inside a bind
	 * (iommu_sva_domain_alloc() is inlined). domain, mm, dev, iommu.
	 * flags has SVATOP_F_DERIVED. */
	SVATOP_EV_DOMAIN_ALLOC = 5,
	/* iommu_attach_device_pasid() returned for an SVA domain: domain,
	 * dev, pasid, ret, mm, domain_users. */
	SVATOP_EV_ATTACH = 6,
	/* iommu_detach_device_pasid() entered for an SVA domain. */
	SVATOP_EV_DETACH = 7,
	/* iommu_domain_free() entered for an SVA domain: domain, mm,
	 * domain_users (should be 0). */
	SVATOP_EV_DOMAIN_FREE = 8,
	/* mm_pasid_drop() entered for an mm with SVA state: mm, pasid,
	 * aux = iommu_mm. */
	SVATOP_EV_MM_PASID_DROP = 9,
	/* __mmdrop() entered for an mm with SVA state: mm, pasid. */
	SVATOP_EV_MMDROP = 10,
	/* mm_init() returned for a child of fork: mm = child mm,
	 * aux = parent mm, aux2 = child's iommu_mm (0 expected),
	 * handle = parent's iommu_mm, pasid = parent's PASID. Only emitted
	 * when the parent mm had SVA state. */
	SVATOP_EV_FORK = 11,
	/* sched_process_exit of the last thread of a process whose mm had
	 * SVA state: mm. Also sched_process_exec of such a process (flag
	 * SVATOP_F_EXEC): the old mm, which lost its owner. */
	SVATOP_EV_EXIT = 12,
	/* Task iterator snapshot of state that existed before svatop
	 * started: one SNAP_MM per mm with iommu_mm (mm, pasid, aux =
	 * iommu_mm, pid/tgid/comm of one owner), one SNAP_DOMAIN per SVA
	 * domain on its list (domain, mm, domain_users), then SNAP_END. */
	SVATOP_EV_SNAP_MM = 13,
	SVATOP_EV_SNAP_DOMAIN = 14,
	SVATOP_EV_SNAP_END = 15,
	/* sched_process_fork of a process: pid = parent, aux = child tgid,
	 * mm = parent mm. Only when the parent mm had SVA state. */
	SVATOP_EV_PROC_FORK = 16,
	/* Task iterator snapshot, at the end of the walk (7.x): a bond that
	 * existed before svatop started, found in its IOMMU group's PASID
	 * array: handle, dev (+ names, iommu), domain, mm = domain->mm,
	 * pasid, handle_users, domain_users, aux = the iommu_group. Comes
	 * after every SNAP_MM and before SNAP_END. */
	SVATOP_EV_SNAP_BOND = 17,
	/* Tracepoint-only (patches/): the kernel reports a bind/domain
	 * event directly; same fields as the derived forms. */
	SVATOP_EV_MAX
};

/* flags */
#define SVATOP_F_DERIVED	(1u << 0)  /* inferred, not a kernel hook */
#define SVATOP_F_SNAPSHOT	(1u << 1)  /* from the task iterator */
#define SVATOP_F_SVA_DOMAIN	(1u << 2)  /* domain->type == SVA */
/* Attached by the fallback form: kprobe/kretprobe or a classic tracepoint
 * (arguments read without BTF). JSON flag "kprobe" (docs/events.md). */
#define SVATOP_F_FALLBACK	(1u << 3)
#define SVATOP_F_TRACEPOINT	(1u << 4)  /* seen by an svatop tracepoint */
#define SVATOP_F_CHILD_SHARES	(1u << 5)  /* FORK: child iommu_mm == parent's */
#define SVATOP_F_LEADER_EXIT	(1u << 6)  /* EXIT: the whole process exits */
#define SVATOP_F_EXEC		(1u << 7)  /* EXIT: exec replaced the mm (the process lives on) */
/* PASID_ALLOC, BIND: aux2 is the device's dev->iommu->max_pasids (0: the
 * device has no PASID capability). Without the flag it is unknown. */
#define SVATOP_F_MAX_PASIDS	(1u << 8)
/* State mode (docs/design.md, "State mode"): a snapshot record of a
 * periodic re-walk (the first walk's records do not carry it). */
#define SVATOP_F_RESYNC		(1u << 9)
/* State mode, MMDROP: handle and aux2 are the mm's final bind and unbind
 * counts, kept in the kernel until the mm went. */
#define SVATOP_F_TALLY		(1u << 10)
/* SNAP_END: the walk reached one of its bounds (32 domains per mm, 1,024
 * listed mms, 256 IOMMU groups, 4,096 PASIDs): it may have missed state,
 * so a re-walk's end removes nothing (docs/design.md, "State mode"). */
#define SVATOP_F_INCOMPLETE	(1u << 11)
/*
 * State mode with the rules at the hooks (leaks, check; docs/design.md,
 * "Rules at the hooks"): a successful bind, unbind or domain free that
 * streamed only because the hook's test for a rule fired. Its count is in
 * the state counters already: the model does not apply it, the rules
 * judge it.
 */
#define SVATOP_F_EVIDENCE	(1u << 12)
/* MM_PASID_DROP: the mm's iommu_mm still had SVA domains on its list. */
#define SVATOP_F_DOMAINS_LEFT	(1u << 13)
/* BIND failed: the device's IOMMU group already held an SVA handle of this
 * mm at its PASID (handle, handle_users: that handle and its users). */
#define SVATOP_F_BOND_HELD	(1u << 14)
/* UNBIND (evidence): the caller's mm is not the bond's, and the bond's mm
 * still had users (its process lives); aux is the mm's owner's tgid when
 * the kernel keeps mm->owner (CONFIG_MEMCG), else 0. */
#define SVATOP_F_OTHER_LIVE_MM	(1u << 15)
/* On the ring only, never in an event: an ATTACH record that also carries
 * the derived DOMAIN_ALLOC of the domain it attached (users 0 before the
 * attach), with that allocation's stack id. src/source/wire.c delivers
 * the DOMAIN_ALLOC (1 ns earlier), then the ATTACH. */
#define SVATOP_WF_DOMAIN_BORN	(1u << 31)

struct svatop_event {
	__u16 type;		/* enum svatop_event_type */
	__u16 version;		/* SVATOP_ABI_VERSION */
	__u32 cpu;
	__u64 ts_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 pid;		/* thread id of the current task */
	__u32 tgid;		/* process id of the current task */
	char comm[SVATOP_COMM_LEN];
	__u64 mm;		/* struct mm_struct * */
	__u64 domain;		/* struct iommu_domain * */
	__u64 handle;		/* struct iommu_sva * (see per-type notes) */
	__u64 dev;		/* struct device * */
	__u64 iommu;		/* struct iommu_device * of dev */
	__u64 aux;		/* per-type extra pointer or id */
	__u64 aux2;		/* per-type extra pointer or id */
	__u32 pasid;		/* 0 = none; IOMMU_PASID_INVALID is ~0 */
	__s32 ret;		/* return value: 0 or -errno */
	__s32 handle_users;	/* iommu_sva.users */
	__s32 domain_users;	/* iommu_domain.users */
	__s32 stack_id;		/* kernel stack id, -1 when not collected */
	__u32 flags;		/* SVATOP_F_* */
	char dev_name[SVATOP_NAME_LEN];
	char iommu_name[SVATOP_NAME_LEN];
};

#define SVATOP_EVENT_SIZE	184

_Static_assert(sizeof(struct svatop_event) == SVATOP_EVENT_SIZE,
	       "struct svatop_event changed size: bump SVATOP_ABI_VERSION");

/*
 * On the ring buffer (BPF programs -> the live source; never in a
 * recording, never delivered to a session). An event travels as struct
 * svatop_wire cut after the last field its type uses: type-specific,
 * variable-size records, `size` bytes (SVATOP_WIRE_HEAD up to the whole
 * struct). Fields past the cut are 0 (stack_id -1). A device's names travel
 * once, in a SVATOP_WIRE_DEV record (struct svatop_wire_dev: dev, iommu and
 * the names), always ahead of the first event naming the device. The live
 * source (src/source/wire.c) turns both back into struct svatop_event.
 * The field order is by use: every record has the head, most records end
 * after iommu or stack_id, and aux/aux2 are for the rare ones.
 */
struct svatop_wire {
	__u16 type;		/* enum svatop_event_type, or SVATOP_WIRE_DEV */
	__u16 size;		/* bytes in this record */
	__u32 cpu;
	__u64 ts_ns;
	__u32 pid;
	__u32 tgid;
	char comm[SVATOP_COMM_LEN];
	__u32 flags;
	__u32 pasid;
	/* SVATOP_WIRE_HEAD */
	__u64 mm;
	__u64 domain;
	__s32 ret;
	__s32 domain_users;
	__u64 dev;
	__u64 iommu;
	__u64 handle;
	__s32 handle_users;
	__s32 stack_id;
	__u64 aux;
	__u64 aux2;
};

#define SVATOP_WIRE_HEAD	48
#define SVATOP_WIRE_DEV		0x8001

/* The size of a record that ends with FIELD. */
#define SVATOP_WIRE_UPTO(field)						\
	(__builtin_offsetof(struct svatop_wire, field) +		\
	 sizeof(((struct svatop_wire *)0)->field))

struct svatop_wire_dev {
	struct svatop_wire w;	/* type SVATOP_WIRE_DEV, dev, iommu */
	char dev_name[SVATOP_NAME_LEN];
	char iommu_name[SVATOP_NAME_LEN];
};

_Static_assert(__builtin_offsetof(struct svatop_wire, mm) == SVATOP_WIRE_HEAD,
	       "the wire head ends before mm");
_Static_assert(sizeof(struct svatop_wire) == 120, "struct svatop_wire changed size");

/* Per-CPU counters in the BPF "counters" map (array, one slot each). */
enum svatop_counter {
	SVATOP_CNT_SUBMITTED = 0,	/* records committed to the ring */
	SVATOP_CNT_DROPPED = 1,		/* ring full: record lost */
	/* ring full, per event type: slot SVATOP_CNT_DROPPED_TYPE + type */
	SVATOP_CNT_DROPPED_TYPE = 2,
	/* State mode: what the hot hooks count instead of streaming. */
	SVATOP_CNT_STATE_BINDS = SVATOP_CNT_DROPPED_TYPE + SVATOP_EV_MAX,
	SVATOP_CNT_STATE_UNBINDS,
	SVATOP_CNT_STATE_DOMAIN_ALLOCS,
	SVATOP_CNT_STATE_DOMAIN_FREES,
	SVATOP_CNT_STATE_TALLY_FULL,	/* an mm's counts found no room */
	SVATOP_CNT_MAX
};

/* State mode: an mm's successful binds and unbinds, in the BPF "tally"
 * hash (key: struct mm_struct *), removed at the mm's __mmdrop(). */
struct svatop_tally {
	__u64 binds;
	__u64 unbinds;
};

/* Knobs in BPF .rodata, set by the loader before load. */
struct svatop_bpf_config {
	__u32 target_tgid;	/* 0 = all */
	__u32 collect_stacks;	/* 1 = stack ids at alloc sites */
};

#endif /* SVATOP_ABI_H */
