/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live model: processes/mms, PASIDs, SVA domains, devices, IOMMU
 * instances and bonds, built from svatop_event records of any source.
 * Pure C: no libbpf, no I/O.
 *
 * Objects are keyed by kernel pointers (PASIDs by value). A kernel object
 * that is freed and whose address comes back is a new model object with a
 * new generation (uid): the old one is retired first. Objects link to each
 * other by reference (pool index) and are unlinked when either side goes,
 * so every relation stays consistent.
 *
 * Readers (analyzers, views) get const pointers and must not write.
 */
#ifndef SVATOP_MODEL_H
#define SVATOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "svatop/abi.h"
#include "model/iopf.h"
#include "model/keymap.h"
#include "model/pool.h"

struct model_mm;
struct model_domain;
struct model_bond;
struct model_dev;

/*
 * Layout (memory at 1 M live PASIDs, bench/notes.md): objects link to
 * each other by reference, a 32-bit pool index + 1 (0: none), not by
 * pointer; model_*_at() below turn a reference into the object. Every
 * object starts with its uid (the pool's tag, src/model/pool.h), and
 * leaves no padding.
 */
typedef uint32_t model_ref;

/* 64-bit fields aligned to 4 bytes: objects are multiples of 4 bytes
 * and none carries padding (x86-64 and arm64 load them unaligned). Take no
 * uint64_t pointer to one. */
typedef uint64_t model_u64 __attribute__((aligned(4)));

/* mm flags */
#define MF_BORN_LIVE	(1u << 0)  /* its first SVA state (PASID alloc) was seen */
#define MF_SNAPSHOT	(1u << 1)  /* known from the start-up snapshot */
#define MF_EXITED	(1u << 2)  /* its process exited (model_mm_exit_ts()) */
#define MF_DROPPING	(1u << 3)  /* __mmdrop() entered: the mm is being freed */
#define MF_SVA		(1u << 4)  /* has (had) SVA state; else only failed binds */
#define MF_NO_TASK	(1u << 5)  /* the snapshot found it with no task: owner gone before */
#define MF_COLD		(1u << 6)  /* has a struct model_cold */

struct model_mm {
	uint32_t uid;			/* generation: model-wide serial, never 0 (the
					 * pool's tag: 0 marks a free slot) */
	model_u64 ptr;			/* struct mm_struct * */
	model_u64 first_ts;		/* first seen */
	model_ref domains;		/* list via mm_next */
	model_ref bonds;		/* list via mm_next */
	uint32_t flags;			/* MF_* */
	uint32_t pasid_val;		/* 0: none; its PASID object: model_mm_pasid() */
	uint32_t tgid;			/* owner process, 0: unknown */
	model_ref comm;			/* its name: MODEL_MM_COMM() */
	uint32_t ndomains;
	uint32_t nbonds;
	uint32_t binds;			/* successful binds seen */
	uint32_t unbinds;
	/* out of line: exit_ts, errors, last_error (model_mm_exit_ts() ...) */
};

/* PASID flags */
#define PF_BORN_LIVE	(1u << 0)  /* its allocation was seen */
#define PF_SNAPSHOT	(1u << 1)
#define PF_COLD		(1u << 2)  /* has a struct model_cold */

struct model_pasid {
	uint32_t uid;
	model_u64 alloc_ts;
	model_ref mm;			/* owner, 0: unknown or freed */
	model_ref dev;			/* device of the allocating bind */
	uint32_t pasid;
	uint32_t tgid;			/* process that allocated it */
	int32_t stack_id;
	uint32_t flags;
	/* out of line: orphan_ts, alloc_tid */
};

/* domain flags */
#define DF_BORN_LIVE	(1u << 0)  /* its allocation was seen: all bonds known */
#define DF_DERIVED	(1u << 1)  /* allocation inferred, not hooked */
#define DF_SNAPSHOT	(1u << 2)
#define DF_SEEN		(1u << 3)  /* state mode: the open re-walk found it */
#define DF_COLD		(1u << 4)  /* has a struct model_cold */
#define DF_MM_PTR	(1u << 5)  /* domain->mm is not d->mm's: in its model_cold */

struct model_domain {
	uint32_t uid;
	model_u64 ptr;			/* struct iommu_domain * */
	model_u64 alloc_ts;
	model_ref mm;			/* domain->mm: model_domain_mm_ptr() */
	model_ref mm_next, mm_prev;	/* struct model_domain */
	model_ref bonds;		/* list via dom_next */
	model_ref first_dev;		/* device it was allocated for */
	int32_t users;			/* domain->users as last reported */
	uint32_t nbonds;		/* live bonds on it in the model */
	uint32_t pending_detach;	/* unbinds to 0 awaiting their detach */
	int32_t stack_id;
	uint32_t flags;			/* DF_* */
	/* out of line: orphan_ts, and domain->mm when it is not d->mm's */
};

/* bond flags */
#define BF_BORN_LIVE	(1u << 0)  /* the bind that created it was seen */
#define BF_SNAPSHOT	(1u << 1)  /* found by the start-up snapshot */
#define BF_SEEN		(1u << 2)  /* state mode: the open re-walk found it */

struct model_bond {
	uint32_t uid;
	model_u64 handle;		/* struct iommu_sva * */
	model_u64 bind_ts;
	model_ref mm;
	model_ref mm_next, mm_prev;	/* struct model_bond */
	model_ref domain;
	model_ref dom_next, dom_prev;	/* struct model_bond */
	model_ref dev;
	uint32_t pasid;
	int32_t users;			/* handle->users */
	int32_t stack_id;
	uint32_t flags;
};

/*
 * What few objects ever hold, out of line: one record per object that
 * has any (its *F_COLD flag set), found by the object's kind and
 * reference (struct model, cold_by_obj). Read them with the accessors
 * below.
 */
enum model_kind { MODEL_KIND_MM = 1, MODEL_KIND_PASID, MODEL_KIND_DOMAIN };

struct model_cold {
	uint32_t kind;		/* enum model_kind of its object (the pool's tag) */
	model_u64 ts;		/* mm: exit_ts (owner exited, 0: alive);
				 * PASID, domain: orphan_ts (its mm was freed before it) */
	union {
		struct {
			uint32_t errors;	/* failed binds seen */
			int32_t last_error;
		} mm;
		struct {
			uint32_t alloc_tid;	/* thread, while its bind is pending */
		} pasid;
		struct {
			model_u64 mm_ptr;	/* with DF_MM_PTR: domain->mm */
		} domain;
	};
};

/* Process names, shared: one per distinct name (most processes that
 * bind share theirs with others), in a map by a hash of the name. */
struct model_comm {
	uint32_t refs;		/* mms naming it (the pool's tag) */
	model_u64 key;		/* hash of comm; a name whose hash another
				 * holds stays out of the map, unshared */
	char comm[SVATOP_COMM_LEN];
};

struct model_iommu {
	uint32_t uid;
	model_u64 ptr;			/* struct iommu_device * */
	uint32_t ndevs;
	char name[SVATOP_NAME_LEN];
};

/* Devices are few: they keep a plain pointer to their IOMMU instance. */
struct model_dev {
	uint32_t uid;
	model_u64 ptr;			/* struct device * */
	struct model_iommu *iommu;
	uint32_t nbonds;
	char name[SVATOP_NAME_LEN];
};

struct model_counters {
	uint64_t events;
	uint64_t by_type[SVATOP_EV_MAX];
	uint64_t binds, bind_errors, unbinds;
	uint64_t pasid_allocs, pasid_alloc_errors, pasid_frees;
	uint64_t domain_allocs, domain_frees;
	uint64_t unknown;		/* events about objects never seen */
	uint64_t replaced;		/* addresses reused while still modelled */
	uint64_t bad_records;		/* unknown type or version */
	uint64_t stale_snapshot;	/* snapshot records of objects already freed */
	uint64_t evicted;		/* failed-bind-only mms dropped (see below) */
};

struct model {
	struct pool mms, pasids, domains, bonds, devs, iommus, colds, comms;
	struct idxmap comm_by_key;
	struct keymap cold_by_obj;	/* model_cold_key() -> struct model_cold */
	struct idxmap mm_by_ptr, domain_by_ptr, bond_by_handle, dev_by_ptr, iommu_by_ptr;
	/* PASIDs by value: below 2^20 (every PASID the kernel hands out) a
	 * direct index (pool index + 1, allocated on first use), above it a
	 * map (values only a damaged recording holds). */
	uint32_t *pasid_direct;
	struct keymap pasid_big;
	uint32_t npasid_index;		/* PASIDs in the two */
	struct keymap pending_pasid_by_tid;
	/* mms known only from failed binds get no exit or teardown event (the
	 * kernel gave them no SVA state): the newest MODEL_ERROR_ONLY_MAX are
	 * kept, oldest first out. */
	struct model_error_only {
		uint64_t ptr;
		uint32_t uid;
	} *error_only;
	uint32_t error_only_head, error_only_len;
	/* mms and domains freed while the snapshot runs: a snapshot record
	 * read just before the free must not bring them back. */
	struct keymap freed_in_snapshot;
	uint64_t first_ts;		/* first event */
	uint64_t now_ns;		/* latest event timestamp */
	uint32_t next_uid;
	bool snapshot_seen;		/* at least one SNAP_* record */
	bool snapshot_done;		/* SNAP_END seen */
	/* The first walk reached one of its bounds: a re-walk's new object
	 * may predate svatop (else it was born while svatop watched). */
	bool snapshot_incomplete;
	/*
	 * State mode (docs/design.md): the kernel counts binds and unbinds
	 * and the source re-walks the kernel's state at an interval; a
	 * re-walk's SNAP_END removes the bonds and domains it did not find.
	 */
	bool state_mode;
	bool resync_open;		/* a re-walk's records are arriving */
	uint32_t resync_gen;		/* re-walks begun */
	uint64_t resyncs;		/* re-walks completed */
	uint64_t resyncs_incomplete;	/* of those, cut short by a bound: nothing swept */
	uint64_t evidence;		/* records a hook's rule test streamed (not applied) */
	int err;			/* sticky -ENOMEM */
	uint64_t changes;		/* bumped on every state change (for --watch) */
	struct model_counters cnt;
	/* Device page faults per (device, PASID), read from the kernel's
	 * aggregates by live sessions (session_iopf_refresh). */
	struct iopf_table iopf;
};

/* State mode: the kernel's counts (src/source/source.h, struct
 * source_state) into the model: totals since the source opened, and one
 * live mm's binds and unbinds. */
void model_set_state_totals(struct model *m, uint64_t binds, uint64_t unbinds,
			    uint64_t domain_allocs, uint64_t domain_frees);
void model_set_tally(struct model *m, uint64_t mm, uint64_t binds, uint64_t unbinds);

#define MODEL_ERROR_ONLY_MAX	4096

int model_init(struct model *m);
void model_fini(struct model *m);
/* Apply one event. Returns 0, or -ENOMEM (the model is then incomplete). */
int model_apply(struct model *m, const struct svatop_event *ev);

const struct model_mm *model_mm(const struct model *m, uint64_t ptr);
const struct model_pasid *model_pasid(const struct model *m, uint32_t pasid);
const struct model_domain *model_domain(const struct model *m, uint64_t ptr);
const struct model_bond *model_bond(const struct model *m, uint64_t handle);
const struct model_dev *model_dev(const struct model *m, uint64_t ptr);

/* NULL when every relation agrees with its counters and every map with
 * its pool; else what broke. O(n): tests and debugging only. */
const char *model_verify(const struct model *m);
/* Distinct devices bonded to an mm (walks its bonds). */
uint32_t model_mm_ndevs(const struct model *m, const struct model_mm *mm);
/* Live object count and bytes held, for the memory budget. */
size_t model_objects(const struct model *m);
size_t model_bytes(const struct model *m);

/* The object a reference names (NULL for 0), and an object's reference. */
static inline model_ref model_ref_of(const void *obj)
{
	return obj ? pool_index(obj) + 1 : 0;
}

#define MODEL_AT(pool, type, ref)	((ref) ? (const type *)pool_slot((pool), (ref) - 1) : NULL)

static inline const struct model_mm *model_mm_at(const struct model *m, model_ref ref)
{
	return MODEL_AT(&m->mms, struct model_mm, ref);
}

static inline const struct model_pasid *model_pasid_at(const struct model *m, model_ref ref)
{
	return MODEL_AT(&m->pasids, struct model_pasid, ref);
}

static inline const struct model_domain *model_domain_at(const struct model *m, model_ref ref)
{
	return MODEL_AT(&m->domains, struct model_domain, ref);
}

static inline const struct model_bond *model_bond_at(const struct model *m, model_ref ref)
{
	return MODEL_AT(&m->bonds, struct model_bond, ref);
}

static inline const struct model_dev *model_dev_at(const struct model *m, model_ref ref)
{
	return MODEL_AT(&m->devs, struct model_dev, ref);
}

/* The lists: an mm's domains and bonds, a domain's bonds. */
#define model_mm_for_each_domain(m, mm, d)					\
	for ((d) = model_domain_at((m), (mm)->domains); (d);			\
	     (d) = model_domain_at((m), (d)->mm_next))
#define model_mm_for_each_bond(m, mm, b)					\
	for ((b) = model_bond_at((m), (mm)->bonds); (b);			\
	     (b) = model_bond_at((m), (b)->mm_next))
#define model_domain_for_each_bond(m, d, b)					\
	for ((b) = model_bond_at((m), (d)->bonds); (b);				\
	     (b) = model_bond_at((m), (b)->dom_next))

/* An mm's process name: a const char[SVATOP_COMM_LEN] ("" unknown). */
typedef const char model_comm_t[SVATOP_COMM_LEN];
extern model_comm_t model_no_comm;

static inline model_comm_t *model_mm_comm(const struct model *m, const struct model_mm *mm)
{
	const struct model_comm *c = mm->comm ? pool_slot(&m->comms, mm->comm - 1) : NULL;

	return c ? &c->comm : &model_no_comm;
}

#define MODEL_MM_COMM(m, mm)	(*model_mm_comm((m), (mm)))

/* The PASID object linked to mm (the one of value mm->pasid_val whose mm
 * it is), or NULL. */
const struct model_pasid *model_mm_pasid(const struct model *m, const struct model_mm *mm);
/* The out-of-line fields (struct model_cold); 0 when not set. */
uint64_t model_mm_exit_ts(const struct model *m, const struct model_mm *mm);
uint32_t model_mm_errors(const struct model *m, const struct model_mm *mm);
int32_t model_mm_last_error(const struct model *m, const struct model_mm *mm);
uint64_t model_pasid_orphan_ts(const struct model *m, const struct model_pasid *p);
uint64_t model_domain_orphan_ts(const struct model *m, const struct model_domain *d);
/* domain->mm as the kernel reported it, also when that mm is not (or no
 * longer) modelled. */
uint64_t model_domain_mm_ptr(const struct model *m, const struct model_domain *d);
/* Inside the model: the record of an object of a kind, or NULL. */
const struct model_cold *model_cold_of(const struct model *m, enum model_kind kind,
				       const void *obj, uint32_t flags);

static inline uint64_t model_cold_key(enum model_kind kind, const void *obj)
{
	return (uint64_t)kind << 32 | model_ref_of(obj);
}

static inline uint32_t model_cold_flag(enum model_kind kind)
{
	return kind == MODEL_KIND_MM ? MF_COLD : kind == MODEL_KIND_PASID ? PF_COLD : DF_COLD;
}

static inline bool model_mm_exited(const struct model_mm *mm)
{
	return mm->flags & MF_EXITED;
}

#define model_for_each_mm(m, var, i)	pool_for_each(&(m)->mms, struct model_mm, var, i)
#define model_for_each_pasid(m, var, i)	pool_for_each(&(m)->pasids, struct model_pasid, var, i)
#define model_for_each_domain(m, var, i) pool_for_each(&(m)->domains, struct model_domain, var, i)
#define model_for_each_bond(m, var, i)	pool_for_each(&(m)->bonds, struct model_bond, var, i)
#define model_for_each_dev(m, var, i)	pool_for_each(&(m)->devs, struct model_dev, var, i)
#define model_for_each_iommu(m, var, i)	pool_for_each(&(m)->iommus, struct model_iommu, var, i)

#endif
