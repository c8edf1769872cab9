// SPDX-License-Identifier: GPL-2.0
/*
 * svamock's device side: a mock device accesses its process's memory by
 * PASID as an SVA device behind an IOMMU with PRI does.
 *
 * Per page: the SVA domain's IOTLB; on a miss, a walk of the CPU page table
 * (get_user_pages_remote() with FOLL_NOFAULT, which never faults); when the
 * walk finds no usable translation, a page request through the kernel's
 * IOPF path: iommu_report_device_fault() -> the SVA domain's iopf_handler
 * (iommu_sva_iopf_handler(): a work item on the instance's IOPF queue) ->
 * handle_mm_fault() on the domain's mm -> iopf_group_response() -> our
 * page_response(), which wakes the waiting request. After a "success"
 * response the device walks again.
 *
 * The IOTLB is invalidated by an mmu_notifier on the mm, as the Intel and
 * Arm drivers do, so munmap, MADV_DONTNEED, migration, reclaim and exit drop
 * its entries. They register it when they allocate the SVA domain; svamock
 * registers it at the domain's first device access, before any entry can
 * exist: binds that never access memory keep the exact cost and mm
 * reference timing (the notifier holds an mm reference until an SRCU
 * callback) the lifecycle scenarios and the kernel bug demonstrations
 * were measured with.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "svamock.h"
#include "svamock_uapi.h"

#define SVAMOCK_PRG_MAX		511	/* PCIe page request group index: 9 bits */
#define SVAMOCK_FAULT_RETRIES	8
#define SVAMOCK_IOTLB_MAX	4096
#define SVAMOCK_DELAY_MAX_US	10000000U
#define SVAMOCK_TIMEOUT_MAX_MS	60000U

static unsigned int iotlb_entries = 64;
module_param(iotlb_entries, uint, 0444);
MODULE_PARM_DESC(iotlb_entries, "IOTLB entries per SVA domain (1-4096, default 64)");

static unsigned int response_delay_us;
module_param(response_delay_us, uint, 0644);
MODULE_PARM_DESC(response_delay_us, "page_response() delivers each response this late (0-10000000 us)");

static bool drop_responses;
module_param(drop_responses, bool, 0644);
MODULE_PARM_DESC(drop_responses, "fault: page_response() drops the responses, the requests time out");

static unsigned int response_timeout_ms = 2000;
module_param(response_timeout_ms, uint, 0644);
MODULE_PARM_DESC(response_timeout_ms, "how long a device waits for a page response (1-60000 ms, default 2000)");

static LIST_HEAD(svamock_domains);
static DEFINE_SPINLOCK(svamock_domains_lock);
static atomic64_t svamock_iotlb_totals[SVAMOCK_IOTLB_NR_STATS];
static struct svamock_dev *svamock_iopf_devs;
static unsigned int svamock_iopf_nr_devs;

/* A page request waiting for its response (on the requester's stack). */
struct svamock_prq {
	struct completion done;
	unsigned long page;
	u32 pasid;
	u32 code;
	ktime_t start;
	u64 latency_ns;
};

int svamock_iopf_init(void)
{
	if (!iotlb_entries || iotlb_entries > SVAMOCK_IOTLB_MAX) {
		pr_err("bad parameter: iotlb_entries=%u (1-%u)\n",
		       iotlb_entries, SVAMOCK_IOTLB_MAX);
		return -EINVAL;
	}
	return 0;
}

/* ---- the IOPF queue of an instance, and its devices ---------------- */

int svamock_iopf_queue_alloc(struct svamock_iommu *smmu)
{
	char name[24];

	/* Without CONFIG_IOMMU_IOPF the devices bind but cannot fault. */
	if (!IS_ENABLED(CONFIG_IOMMU_IOPF))
		return 0;
	snprintf(name, sizeof(name), "svamock-iommu%u", smmu->index);
	smmu->iopfq = iopf_queue_alloc(name);
	return smmu->iopfq ? 0 : -ENOMEM;
}

void svamock_iopf_queue_free(struct svamock_iommu *smmu)
{
	iopf_queue_free(smmu->iopfq);
	smmu->iopfq = NULL;
}

void svamock_iopf_dev_init(struct svamock_dev *sdev)
{
	mutex_init(&sdev->iopf_lock);
	xa_init_flags(&sdev->prqs, XA_FLAGS_ALLOC);
}

/*
 * A domain with a fault handler (SVA) is being attached: the device joins
 * the instance's IOPF queue, as the Intel driver does on attach.
 */
int svamock_iopf_enable(struct svamock_dev *sdev, struct iommu_domain *domain)
{
	int ret = 0;

	if (!domain->iopf_handler || !sdev->smmu->iopfq)
		return 0;
	mutex_lock(&sdev->iopf_lock);
	if (!sdev->iopf_users)
		ret = iopf_queue_add_device(sdev->smmu->iopfq, &sdev->pdev->dev);
	if (!ret)
		sdev->iopf_users++;
	mutex_unlock(&sdev->iopf_lock);
	return ret;
}

/* The last such domain left: pending requests get "invalid" responses. */
void svamock_iopf_disable(struct svamock_dev *sdev, struct iommu_domain *domain)
{
	if (!sdev || !domain || !domain->iopf_handler || !sdev->smmu->iopfq)
		return;
	mutex_lock(&sdev->iopf_lock);
	if (!WARN_ON(!sdev->iopf_users) && !--sdev->iopf_users)
		iopf_queue_remove_device(sdev->smmu->iopfq, &sdev->pdev->dev);
	mutex_unlock(&sdev->iopf_lock);
}

/* ---- the IOTLB of an SVA domain ------------------------------------- */

static void svamock_iotlb_count(struct svamock_domain *sdom,
				enum svamock_iotlb_stat stat, long n)
{
	atomic64_add(n, &sdom->stats[stat]);
	atomic64_add(n, &svamock_iotlb_totals[stat]);
}

/* The slot caching page, or -1. Caller holds iotlb_lock. */
static int svamock_iotlb_find(struct svamock_domain *sdom, unsigned long page)
{
	unsigned int i;

	for (i = 0; i < sdom->iotlb_size; i++)
		if (sdom->iotlb[i].valid && sdom->iotlb[i].page == page)
			return i;
	return -1;
}

static bool svamock_iotlb_lookup(struct svamock_domain *sdom, unsigned long page,
				 bool write)
{
	unsigned long flags;
	bool hit;
	int i;

	spin_lock_irqsave(&sdom->iotlb_lock, flags);
	i = svamock_iotlb_find(sdom, page);
	hit = i >= 0 && (sdom->iotlb[i].write || !write);
	spin_unlock_irqrestore(&sdom->iotlb_lock, flags);
	return hit;
}

static u64 svamock_iotlb_seq(struct svamock_domain *sdom)
{
	unsigned long flags;
	u64 seq;

	spin_lock_irqsave(&sdom->iotlb_lock, flags);
	seq = sdom->seq;
	spin_unlock_irqrestore(&sdom->iotlb_lock, flags);
	return seq;
}

/* Caches a walked translation, unless an invalidation ran since seq. */
static void svamock_iotlb_fill(struct svamock_domain *sdom, unsigned long page,
			       bool write, u64 seq)
{
	unsigned long flags;
	int i;

	spin_lock_irqsave(&sdom->iotlb_lock, flags);
	if (sdom->seq == seq) {
		i = svamock_iotlb_find(sdom, page);
		if (i < 0) {
			i = sdom->iotlb_next;
			sdom->iotlb_next = (i + 1) % sdom->iotlb_size;
		}
		sdom->iotlb[i].page = page;
		sdom->iotlb[i].write = write;
		sdom->iotlb[i].valid = true;
	}
	spin_unlock_irqrestore(&sdom->iotlb_lock, flags);
}

/* Drops the entries of [start, end); returns how many. */
static unsigned int svamock_iotlb_drop(struct svamock_domain *sdom,
				       unsigned long start, unsigned long end)
{
	unsigned long flags;
	unsigned int i, n = 0;

	spin_lock_irqsave(&sdom->iotlb_lock, flags);
	for (i = 0; i < sdom->iotlb_size; i++) {
		struct svamock_iotlb_entry *e = &sdom->iotlb[i];

		if (e->valid && e->page < end && e->page + PAGE_SIZE > start) {
			e->valid = false;
			n++;
		}
	}
	sdom->seq++;
	spin_unlock_irqrestore(&sdom->iotlb_lock, flags);
	return n;
}

/* The CPU TLB of the mm was flushed for [start, end): so is the IOTLB. */
static void svamock_mn_invalidate(struct mmu_notifier *mn, struct mm_struct *mm,
				  unsigned long start, unsigned long end)
{
	struct svamock_domain *sdom = container_of(mn, struct svamock_domain, notifier);
	unsigned int n = svamock_iotlb_drop(sdom, start, end);

	if (start == 0 && end == ULONG_MAX)
		svamock_iotlb_count(sdom, SVAMOCK_IOTLB_FLUSHES, 1);
	else
		svamock_iotlb_count(sdom, SVAMOCK_IOTLB_INVALIDATIONS, 1);
	svamock_iotlb_count(sdom, SVAMOCK_IOTLB_INVALIDATED, n);
}

/* exit_mmap(): the page tables are about to go, with no more flushes. */
static void svamock_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct svamock_domain *sdom = container_of(mn, struct svamock_domain, notifier);

	svamock_iotlb_count(sdom, SVAMOCK_IOTLB_RELEASED,
			    svamock_iotlb_drop(sdom, 0, ULONG_MAX));
}

static void svamock_mn_free(struct mmu_notifier *mn)
{
	struct svamock_domain *sdom = container_of(mn, struct svamock_domain, notifier);

	kfree(sdom->iotlb);
	kfree(sdom);
}

static const struct mmu_notifier_ops svamock_mmu_ops = {
	.release = svamock_mn_release,
	.arch_invalidate_secondary_tlbs = svamock_mn_invalidate,
	.free_notifier = svamock_mn_free,
};

/* From domain_alloc_sva; on failure the caller frees sdom. */
int svamock_domain_iotlb_init(struct svamock_domain *sdom)
{
	spin_lock_init(&sdom->iotlb_lock);
	mutex_init(&sdom->notifier_lock);
	sdom->iotlb_size = iotlb_entries;
	sdom->iotlb = kcalloc(sdom->iotlb_size, sizeof(*sdom->iotlb), GFP_KERNEL);
	if (!sdom->iotlb)
		return -ENOMEM;
	sdom->notifier.ops = &svamock_mmu_ops;
	spin_lock(&svamock_domains_lock);
	list_add_tail(&sdom->all, &svamock_domains);
	spin_unlock(&svamock_domains_lock);
	return 0;
}

/* Before the first IOTLB fill; current->mm is the domain's mm. */
static int svamock_domain_notifier_on(struct svamock_domain *sdom)
{
	int ret = 0;

	mutex_lock(&sdom->notifier_lock);
	if (!sdom->notifier_on) {
		ret = mmu_notifier_register(&sdom->notifier, sdom->domain.mm);
		sdom->notifier_on = !ret;
	}
	mutex_unlock(&sdom->notifier_lock);
	return ret;
}

/* From the domain's free; with a notifier, svamock_mn_free() frees it. */
void svamock_domain_iotlb_put(struct svamock_domain *sdom)
{
	spin_lock(&svamock_domains_lock);
	list_del(&sdom->all);
	spin_unlock(&svamock_domains_lock);
	if (sdom->notifier_on) {
		mmu_notifier_put(&sdom->notifier);
		return;
	}
	kfree(sdom->iotlb);
	kfree(sdom);
}

/* ---- page requests and responses ------------------------------------ */

/*
 * The IOMMU driver's page_response op: the core answers a page request
 * group. Called with the core's per-device fault lock held, in the IOPF
 * work item (or in the reporter, when the core refused the request).
 */
void svamock_page_response(struct device *dev, struct iopf_fault *evt,
			   struct iommu_page_response *msg)
{
	struct svamock_dev *sdev = dev_iommu_priv_get(dev);
	unsigned int delay = min(READ_ONCE(response_delay_us), SVAMOCK_DELAY_MAX_US);
	struct svamock_prq *prq;

	if (msg->code < ARRAY_SIZE(sdev->stats.responses))
		atomic64_inc(&sdev->stats.responses[msg->code]);
	/* A slow response path: the device sees the answer this late. */
	if (delay)
		fsleep(delay);
	if (READ_ONCE(drop_responses)) {
		atomic64_inc(&sdev->stats.dropped);
		return;
	}
	xa_lock(&sdev->prqs);
	prq = xa_load(&sdev->prqs, msg->grpid);
	if (prq && prq->pasid == msg->pasid && prq->page == evt->fault.prm.addr) {
		prq->code = msg->code;
		prq->latency_ns = ktime_to_ns(ktime_sub(ktime_get(), prq->start));
		complete(&prq->done);
	} else {
		atomic64_inc(&sdev->stats.late);
	}
	xa_unlock(&sdev->prqs);
}

static int svamock_response_errno(u32 code)
{
	switch (code) {
	case IOMMU_PAGE_RESP_SUCCESS:
		return 0;
	case IOMMU_PAGE_RESP_INVALID:
		return -EFAULT;
	default:
		return -EIO;
	}
}

/* One page request group of one page; waits for its response. */
static int svamock_page_request(struct svamock_dev *sdev, u32 pasid,
				unsigned long page, bool write,
				struct svamock_access *acc)
{
	struct svamock_prq prq = { .page = page, .pasid = pasid };
	unsigned int timeout_ms;
	struct iopf_fault evt = { };
	long left;
	u32 grpid;
	int ret;

	init_completion(&prq.done);
	ret = xa_alloc_cyclic(&sdev->prqs, &grpid, &prq, XA_LIMIT(0, SVAMOCK_PRG_MAX),
			      &sdev->next_grpid, GFP_KERNEL);
	if (ret < 0)
		return ret;
	evt.fault.type = IOMMU_FAULT_PAGE_REQ;
	evt.fault.prm.flags = IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
			      IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE |
			      IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID;
	evt.fault.prm.pasid = pasid;
	evt.fault.prm.grpid = grpid;
	evt.fault.prm.perm = write ? IOMMU_FAULT_PERM_WRITE : IOMMU_FAULT_PERM_READ;
	evt.fault.prm.addr = page;

	acc->faults++;
	atomic64_inc(&sdev->stats.requests);
	prq.start = ktime_get();
	/* On an error the core has already sent an "invalid" response. */
	if (iommu_report_device_fault(&sdev->pdev->dev, &evt))
		atomic64_inc(&sdev->stats.refused);

	timeout_ms = clamp(READ_ONCE(response_timeout_ms), 1U, SVAMOCK_TIMEOUT_MAX_MS);
	left = wait_for_completion_killable_timeout(&prq.done, msecs_to_jiffies(timeout_ms));
	xa_erase(&sdev->prqs, grpid);
	/* Once erased no response can come; one may have raced the timeout. */
	if (left <= 0 && !completion_done(&prq.done)) {
		acc->response = SVAMOCK_RESP_NONE;
		if (left < 0)
			return -EINTR;
		atomic64_inc(&sdev->stats.timeouts);
		return -ETIMEDOUT;
	}
	acc->response = prq.code;
	acc->latency_ns += prq.latency_ns;
	acc->latency_max_ns = max(acc->latency_max_ns, prq.latency_ns);
	return svamock_response_errno(prq.code);
}

/*
 * The device's page-table walk: 1 when page is mapped for the access, 0
 * when it is not (or not writable), -EINTR on a fatal signal.
 */
static int svamock_walk(struct mm_struct *mm, unsigned long page, bool write)
{
	unsigned int gup_flags = FOLL_NOFAULT | (write ? FOLL_WRITE : 0);
	long n;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	n = get_user_pages_remote(mm, page, 1, gup_flags, NULL, NULL);
	mmap_read_unlock(mm);
	if (n == -EINTR)
		return -EINTR;
	return n == 1;
}

static int svamock_access_page(struct svamock_dev *sdev, struct svamock_domain *sdom,
			       u32 pasid, unsigned long page, bool write,
			       struct svamock_access *acc)
{
	unsigned int tries;
	u64 seq;
	int ret;

	if (svamock_iotlb_lookup(sdom, page, write)) {
		acc->iotlb_hits++;
		svamock_iotlb_count(sdom, SVAMOCK_IOTLB_HITS, 1);
		return 0;
	}
	for (tries = 0; tries <= SVAMOCK_FAULT_RETRIES; tries++) {
		seq = svamock_iotlb_seq(sdom);
		ret = svamock_walk(sdom->domain.mm, page, write);
		if (ret < 0)
			return ret;
		if (ret) {
			svamock_iotlb_fill(sdom, page, write, seq);
			if (!tries) {
				acc->walks++;
				svamock_iotlb_count(sdom, SVAMOCK_IOTLB_WALKS, 1);
			}
			return 0;
		}
		svamock_iotlb_count(sdom, SVAMOCK_IOTLB_FAULTS, 1);
		ret = svamock_page_request(sdev, pasid, page, write, acc);
		if (ret)
			return ret;
	}
	return -EAGAIN;
}

/* SVAMOCK_IOC_ACCESS for the caller's bond on sdev (domain sdom, pasid). */
long svamock_access(struct svamock_dev *sdev, struct svamock_domain *sdom,
		    u32 pasid, struct svamock_access __user *uarg)
{
	struct svamock_access in, acc = { };
	unsigned long page, end;
	bool write;
	int ret = 0;

	if (copy_from_user(&in, uarg, sizeof(in)))
		return -EFAULT;
	if ((in.flags & ~SVAMOCK_ACCESS_WRITE) || in.reserved || !in.length ||
	    in.addr >= TASK_SIZE || in.length > TASK_SIZE - in.addr)
		return -EINVAL;
	if (!sdev->smmu->iopfq || sdom->domain.mm != current->mm)
		return -EOPNOTSUPP;
	ret = svamock_domain_notifier_on(sdom);
	if (ret)
		return ret;
	acc.addr = in.addr;
	acc.length = in.length;
	acc.flags = in.flags;
	acc.pasid = pasid;
	acc.response = SVAMOCK_RESP_NONE;
	write = acc.flags & SVAMOCK_ACCESS_WRITE;
	end = acc.addr + acc.length;
	for (page = acc.addr & PAGE_MASK; page < end; page += PAGE_SIZE) {
		acc.pages++;
		ret = svamock_access_page(sdev, sdom, pasid, page, write, &acc);
		if (ret) {
			acc.fault_addr = page;
			break;
		}
		cond_resched();
	}
	if (copy_to_user(uarg, &acc, sizeof(acc)))
		return -EFAULT;
	return ret;
}

/* ---- debugfs: ground truth ------------------------------------------ */

static int svamock_iopf_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	seq_puts(m, "device\tiommu\tiopf_users\trequests\trefused\tsuccess\tinvalid\tfailure\tdropped\ttimeouts\tlate\n");
	for (i = 0; i < svamock_iopf_nr_devs; i++) {
		struct svamock_dev *sdev = &svamock_iopf_devs[i];
		struct svamock_prq_stats *s = &sdev->stats;

		seq_printf(m, "%s\t%s\t%u\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\n",
			   dev_name(&sdev->pdev->dev), dev_name(sdev->smmu->iommu.dev),
			   READ_ONCE(sdev->iopf_users),
			   atomic64_read(&s->requests), atomic64_read(&s->refused),
			   atomic64_read(&s->responses[IOMMU_PAGE_RESP_SUCCESS]),
			   atomic64_read(&s->responses[IOMMU_PAGE_RESP_INVALID]),
			   atomic64_read(&s->responses[IOMMU_PAGE_RESP_FAILURE]),
			   atomic64_read(&s->dropped), atomic64_read(&s->timeouts),
			   atomic64_read(&s->late));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(svamock_iopf);

static void svamock_iotlb_stats_show(struct seq_file *m, atomic64_t *stats)
{
	unsigned int i;

	for (i = 0; i < SVAMOCK_IOTLB_NR_STATS; i++)
		seq_printf(m, "\t%lld", atomic64_read(&stats[i]));
	seq_putc(m, '\n');
}

static int svamock_iotlb_show(struct seq_file *m, void *unused)
{
	struct svamock_domain *sdom;
	unsigned int i, valid;
	unsigned long flags;

	seq_puts(m, "domain\tiommu\tpasid\tentries\tvalid\thits\twalks\tfaults\tinvalidations\tinvalidated\tflushes\treleased\n");
	spin_lock(&svamock_domains_lock);
	list_for_each_entry(sdom, &svamock_domains, all) {
		spin_lock_irqsave(&sdom->iotlb_lock, flags);
		for (i = 0, valid = 0; i < sdom->iotlb_size; i++)
			valid += sdom->iotlb[i].valid;
		spin_unlock_irqrestore(&sdom->iotlb_lock, flags);
		/* Raw pointer (%px), as in the bonds file. */
		seq_printf(m, "0x%px\t%s\t%u\t%u\t%u", &sdom->domain,
			   dev_name(sdom->smmu->iommu.dev), sdom->pasid,
			   sdom->iotlb_size, valid);
		svamock_iotlb_stats_show(m, sdom->stats);
	}
	spin_unlock(&svamock_domains_lock);
	/* Since the module was loaded, freed domains included. */
	seq_puts(m, "total\t-\t-\t-\t-");
	svamock_iotlb_stats_show(m, svamock_iotlb_totals);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(svamock_iotlb);

void svamock_iopf_debugfs_init(struct dentry *dir, struct svamock_dev *devs,
			       unsigned int nr_devs)
{
	svamock_iopf_devs = devs;
	svamock_iopf_nr_devs = nr_devs;
	debugfs_create_file("iopf", 0444, dir, NULL, &svamock_iopf_fops);
	debugfs_create_file("iotlb", 0444, dir, NULL, &svamock_iotlb_fops);
}

/* Module exit, after the last domain was put: wait for the frees. */
void svamock_iopf_exit(void)
{
	mmu_notifier_synchronize();
}
