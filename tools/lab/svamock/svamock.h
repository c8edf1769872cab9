/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svamock internals shared by svamock_main.c (instances, devices, SVA
 * domains, bonds, the char devices) and svamock_iopf.c (the device side:
 * IOTLB, page requests through the kernel's IOPF path, page responses).
 */
#ifndef SVAMOCK_H
#define SVAMOCK_H

#include <linux/atomic.h>
#include <linux/iommu.h>
#include <linux/miscdevice.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

struct dentry;
struct svamock_access;

struct svamock_iommu {
	struct iommu_device iommu;
	struct fwnode_handle *fwnode;
	struct iopf_queue *iopfq;
	unsigned int index;
	bool in_sysfs;
	bool registered;
};

/* What happened to the page requests of one device, for debugfs. */
struct svamock_prq_stats {
	atomic64_t requests;	/* reported with iommu_report_device_fault() */
	atomic64_t refused;	/* ... which returned an error */
	atomic64_t responses[3];	/* by enum iommu_page_response_code */
	atomic64_t dropped;	/* responses the drop_responses knob ate */
	atomic64_t timeouts;	/* requests that saw no response in time */
	atomic64_t late;	/* responses that found no waiting request */
};

struct svamock_dev {
	struct platform_device *pdev;
	struct svamock_iommu *smmu;
	struct miscdevice misc;
	char node[24];
	unsigned int index;
	bool added;
	/* IOPF: on while at least one IOPF-capable domain is attached. */
	struct mutex iopf_lock;
	unsigned int iopf_users;
	/* Outstanding page requests, indexed by page request group. */
	struct xarray prqs;
	u32 next_grpid;
	struct svamock_prq_stats stats;
};

/* IOTLB counters of an SVA domain (and of all of them since the load). */
enum svamock_iotlb_stat {
	SVAMOCK_IOTLB_HITS,		/* translations found in the IOTLB */
	SVAMOCK_IOTLB_WALKS,		/* misses the page table resolved */
	SVAMOCK_IOTLB_FAULTS,		/* misses that needed a page request */
	SVAMOCK_IOTLB_INVALIDATIONS,	/* range invalidations from the mm */
	SVAMOCK_IOTLB_INVALIDATED,	/* entries they dropped */
	SVAMOCK_IOTLB_FLUSHES,		/* whole-mm invalidations */
	SVAMOCK_IOTLB_RELEASED,		/* entries dropped when the mm went away */
	SVAMOCK_IOTLB_NR_STATS,
};

struct svamock_iotlb_entry {
	unsigned long page;
	bool valid;
	bool write;
};

struct svamock_domain {
	struct iommu_domain domain;
	struct svamock_iommu *smmu;
	/* Registered at the first device access (see svamock_iopf.c). */
	struct mutex notifier_lock;
	struct mmu_notifier notifier;
	bool notifier_on;
	struct list_head all;	/* svamock_domains, for debugfs */
	u32 pasid;		/* the first PASID it was attached to */
	/* The IOTLB; seq changes with every invalidation. */
	spinlock_t iotlb_lock;
	struct svamock_iotlb_entry *iotlb;
	unsigned int iotlb_size;
	unsigned int iotlb_next;
	u64 seq;
	atomic64_t stats[SVAMOCK_IOTLB_NR_STATS];
};

static inline struct svamock_domain *to_svamock_domain(struct iommu_domain *domain)
{
	return container_of(domain, struct svamock_domain, domain);
}

/* svamock_iopf.c */
int svamock_iopf_init(void);
int svamock_iopf_queue_alloc(struct svamock_iommu *smmu);
void svamock_iopf_queue_free(struct svamock_iommu *smmu);
void svamock_iopf_dev_init(struct svamock_dev *sdev);
int svamock_iopf_enable(struct svamock_dev *sdev, struct iommu_domain *domain);
void svamock_iopf_disable(struct svamock_dev *sdev, struct iommu_domain *domain);
int svamock_domain_iotlb_init(struct svamock_domain *sdom);
void svamock_domain_iotlb_put(struct svamock_domain *sdom);
void svamock_page_response(struct device *dev, struct iopf_fault *evt,
			   struct iommu_page_response *msg);
long svamock_access(struct svamock_dev *sdev, struct svamock_domain *sdom,
		    u32 pasid, struct svamock_access __user *uarg);
void svamock_iopf_debugfs_init(struct dentry *dir, struct svamock_dev *devs,
			       unsigned int nr_devs);
void svamock_iopf_exit(void);

#endif /* SVAMOCK_H */
