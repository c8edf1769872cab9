// SPDX-License-Identifier: GPL-2.0
/*
 * svamock - a mock SVA-capable IOMMU for the svatop lab.
 *
 * It registers nr_iommus IOMMU instances ("svamock-iommu<K>") with
 * devs_per_iommu PASID-capable platform devices behind each
 * ("svamock-dev.<N>", N = K * devs_per_iommu + i) and lets user space bind
 * its mm to a device through /dev/svamock<N>, so that the kernel's real SVA
 * core (drivers/iommu/iommu-sva.c) does all the PASID and domain work.
 *
 * The instances share one ops struct, so the core considers their SVA
 * domains compatible; set_dev_pasid refusing a domain of another instance
 * (-EINVAL) is what makes the core allocate one SVA domain per instance for
 * one mm and one PASID: the 1:n case.
 *
 * The devices also access their process's memory by PASID and fault
 * through the kernel's IOPF path (svamock_iopf.c).
 *
 * Ground truth for tests: debugfs svamock/bonds, devices, iopf and iotlb.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/log2.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/version.h>

#include "svamock.h"
#include "svamock_uapi.h"

/*
 * Driver API differences. Debian 6.12.100+ carries the backport that
 * passes the old domain to set_dev_pasid; 6.13 replaced remove_dev_pasid
 * by the blocked domain's set_dev_pasid; 6.18 passes the old domain to
 * attach_dev.
 */
#define SVAMOCK_PASID_OLD	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 100))
#define SVAMOCK_REMOVE_PASID	(LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0))
#define SVAMOCK_ATTACH_OLD	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 18, 0))

#if SVAMOCK_ATTACH_OLD
#define ATTACH_ARGS struct iommu_domain *domain, struct device *dev, \
		    struct iommu_domain *old
#else
#define ATTACH_ARGS struct iommu_domain *domain, struct device *dev
#endif

#if SVAMOCK_PASID_OLD
#define SET_PASID_ARGS struct iommu_domain *domain, struct device *dev, \
		       ioasid_t pasid, struct iommu_domain *old
#else
#define SET_PASID_ARGS struct iommu_domain *domain, struct device *dev, \
		       ioasid_t pasid
#endif

#define SVAMOCK_MAX_IOMMUS		8
#define SVAMOCK_MAX_DEVS_PER_IOMMU	16

static unsigned int nr_iommus = 2;
module_param(nr_iommus, uint, 0444);
MODULE_PARM_DESC(nr_iommus, "mock IOMMU instances (1-8, default 2)");

static unsigned int devs_per_iommu = 3;
module_param(devs_per_iommu, uint, 0444);
MODULE_PARM_DESC(devs_per_iommu, "mock devices per instance (1-16, default 3)");

static unsigned int max_pasids = 1U << 20;
module_param(max_pasids, uint, 0444);
MODULE_PARM_DESC(max_pasids, "PASIDs per device, 2-1048576; usable PASIDs are 1..max_pasids-1");

static int nopasid_dev = -1;
module_param(nopasid_dev, int, 0444);
MODULE_PARM_DESC(nopasid_dev, "fault: svamock-dev.<N> has no PASID capability (no pasid-num-bits: max_pasids 0); -1 (default): none");

static bool leak_on_release;
module_param(leak_on_release, bool, 0644);
MODULE_PARM_DESC(leak_on_release, "fault: release() keeps the bonds (leaks bond, domain, mm, PASID)");

static bool fail_attach;
module_param(fail_attach, bool, 0644);
MODULE_PARM_DESC(fail_attach, "fault: attaching an SVA domain to a PASID fails with -EIO");

static bool fail_domain_alloc;
module_param(fail_domain_alloc, bool, 0644);
MODULE_PARM_DESC(fail_domain_alloc, "fault: SVA domain allocation fails with -ENOMEM");

/*
 * Driver-side unbind bugs (docs/bugzoo.md). The mock never passes the
 * kernel a handle the kernel freed unless allow_uaf is set: an unbind by
 * handle goes to the kernel only while a bond still holds a reference of
 * that handle (that bond then loses it); else it is refused, logged and
 * counted (debugfs svamock/refused_unbinds).
 */
static bool double_unbind;
module_param(double_unbind, bool, 0644);
MODULE_PARM_DESC(double_unbind, "fault: a bind fails after binding (-EIO); its error path unbinds and keeps the handle, which release() unbinds again");

static bool stale_handle;
module_param(stale_handle, bool, 0644);
MODULE_PARM_DESC(stale_handle, "fault: the unbind ioctl unbinds the handle of the device's first bind, never cleared, whoever holds it");

static bool unbind_any_mm;
module_param(unbind_any_mm, bool, 0644);
MODULE_PARM_DESC(unbind_any_mm, "fault: the unbind ioctl unbinds the file's newest bond whichever process bound it");

static bool allow_uaf;
module_param(allow_uaf, bool, 0644);
MODULE_PARM_DESC(allow_uaf, "DANGER: pass a freed handle to iommu_sva_unbind_device() instead of refusing (KASAN lab kernels only)");

/* One successful bind ioctl; listed in debugfs until unbound. */
struct svamock_bond {
	struct list_head all;
	struct list_head file;
	struct svamock_dev *sdev;
	struct iommu_sva *handle;
	struct mm_struct *mm;	/* identity only, pinned by the SVA domain */
	pid_t pid;
	char comm[TASK_COMM_LEN];
	u32 pasid;
	bool leaked;
};

struct svamock_file {
	struct svamock_dev *sdev;
	struct list_head bonds;
	struct iommu_sva *stale;	/* double_unbind: unbound, not cleared */
	/* Device accesses (read) keep unbind and release (write) out. */
	struct rw_semaphore access_sem;
};

static DEFINE_MUTEX(svamock_lock);
static LIST_HEAD(svamock_bonds);
static struct svamock_iommu *svamock_iommus;
static struct svamock_dev *svamock_devs;
static unsigned int svamock_nr_devs;
static struct dentry *svamock_dir;
static unsigned long svamock_refused;	/* unbinds of freed handles refused */
/* stale_handle: per device, the handle of its first bind (never cleared). */
static struct iommu_sva **svamock_first_handle;

static int svamock_attach_ok(ATTACH_ARGS)
{
	return 0;
}

static int svamock_blocked_set_dev_pasid(SET_PASID_ARGS)
{
	/* Detaching a PASID: 6.13+ (6.12 calls remove_dev_pasid). */
#if SVAMOCK_PASID_OLD && !SVAMOCK_REMOVE_PASID
	svamock_iopf_disable(dev_iommu_priv_get(dev), old);
#endif
	return 0;
}

static const struct iommu_domain_ops svamock_identity_ops = {
	.attach_dev = svamock_attach_ok,
};

static struct iommu_domain svamock_identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &svamock_identity_ops,
};

static const struct iommu_domain_ops svamock_blocked_ops = {
	.attach_dev = svamock_attach_ok,
	.set_dev_pasid = svamock_blocked_set_dev_pasid,
};

static struct iommu_domain svamock_blocked_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &svamock_blocked_ops,
};

static int svamock_sva_set_dev_pasid(SET_PASID_ARGS)
{
	struct svamock_domain *sdom = to_svamock_domain(domain);
	struct svamock_dev *sdev = dev_iommu_priv_get(dev);
	int ret;

	/* A domain of another instance: the core then allocates a new one. */
	if (!sdev || sdom->smmu != sdev->smmu)
		return -EINVAL;
	if (READ_ONCE(fail_attach))
		return -EIO;
	ret = svamock_iopf_enable(sdev, domain);
	if (ret)
		return ret;
	if (!sdom->pasid)
		sdom->pasid = pasid;
	return 0;
}

static void svamock_sva_free(struct iommu_domain *domain)
{
	svamock_domain_iotlb_put(to_svamock_domain(domain));
}

static const struct iommu_domain_ops svamock_sva_ops = {
	.set_dev_pasid = svamock_sva_set_dev_pasid,
	.free = svamock_sva_free,
};

static struct iommu_domain *svamock_domain_alloc_sva(struct device *dev,
						     struct mm_struct *mm)
{
	struct svamock_dev *sdev = dev_iommu_priv_get(dev);
	struct svamock_domain *sdom;
	int ret;

	if (READ_ONCE(fail_domain_alloc))
		return ERR_PTR(-ENOMEM);
	sdom = kzalloc(sizeof(*sdom), GFP_KERNEL);
	if (!sdom)
		return ERR_PTR(-ENOMEM);
	sdom->smmu = sdev->smmu;
	ret = svamock_domain_iotlb_init(sdom);
	if (ret) {
		kfree(sdom);
		return ERR_PTR(ret);
	}
	sdom->domain.ops = &svamock_sva_ops;
	return &sdom->domain;
}

static struct svamock_dev *svamock_dev_of(struct device *dev)
{
	unsigned int i;

	for (i = 0; i < svamock_nr_devs; i++)
		if (svamock_devs[i].pdev && &svamock_devs[i].pdev->dev == dev)
			return &svamock_devs[i];
	return NULL;
}

static struct iommu_device *svamock_probe_device(struct device *dev)
{
	struct svamock_dev *sdev = svamock_dev_of(dev);

	if (!sdev)
		return ERR_PTR(-ENODEV);
	dev_iommu_priv_set(dev, sdev);
	return &sdev->smmu->iommu;
}

static void svamock_release_device(struct device *dev)
{
}

static int svamock_def_domain_type(struct device *dev)
{
	return IOMMU_DOMAIN_IDENTITY;
}

#if SVAMOCK_REMOVE_PASID
static void svamock_remove_dev_pasid(struct device *dev, ioasid_t pasid,
				     struct iommu_domain *domain)
{
	svamock_iopf_disable(dev_iommu_priv_get(dev), domain);
}
#endif

static const struct iommu_ops svamock_ops = {
	.identity_domain = &svamock_identity_domain,
	.blocked_domain = &svamock_blocked_domain,
	.domain_alloc_sva = svamock_domain_alloc_sva,
	.probe_device = svamock_probe_device,
	.release_device = svamock_release_device,
	.device_group = generic_device_group,
	.def_domain_type = svamock_def_domain_type,
	.page_response = svamock_page_response,
#if SVAMOCK_REMOVE_PASID
	.remove_dev_pasid = svamock_remove_dev_pasid,
#endif
	.owner = THIS_MODULE,
};

/* ---- /dev/svamock<N> ------------------------------------------------ */

static int svamock_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct svamock_file *sf;

	sf = kzalloc(sizeof(*sf), GFP_KERNEL);
	if (!sf)
		return -ENOMEM;
	sf->sdev = container_of(misc, struct svamock_dev, misc);
	INIT_LIST_HEAD(&sf->bonds);
	init_rwsem(&sf->access_sem);
	file->private_data = sf;
	return 0;
}

static void svamock_bond_free(struct svamock_bond *bond);

static long svamock_bind(struct svamock_file *sf)
{
	struct svamock_bond *bond;
	struct iommu_sva *handle;

	if (!current->mm)
		return -EINVAL;
	bond = kzalloc(sizeof(*bond), GFP_KERNEL);
	if (!bond)
		return -ENOMEM;

	mutex_lock(&svamock_lock);
	handle = iommu_sva_bind_device(&sf->sdev->pdev->dev, current->mm);
	if (IS_ERR(handle)) {
		mutex_unlock(&svamock_lock);
		kfree(bond);
		return PTR_ERR(handle);
	}
	bond->sdev = sf->sdev;
	bond->handle = handle;
	bond->mm = current->mm;
	bond->pid = task_tgid_vnr(current);
	get_task_comm(bond->comm, current);
	bond->pasid = iommu_sva_get_pasid(handle);
	list_add_tail(&bond->all, &svamock_bonds);
	list_add(&bond->file, &sf->bonds);
	if (READ_ONCE(stale_handle) && !svamock_first_handle[sf->sdev->index])
		svamock_first_handle[sf->sdev->index] = handle;
	if (READ_ONCE(double_unbind)) {
		/*
		 * A later step of the driver's setup fails: the error path
		 * unbinds, and (the bug) the file keeps the pointer.
		 */
		svamock_bond_free(bond);
		sf->stale = handle;
		mutex_unlock(&svamock_lock);
		return -EIO;
	}
	mutex_unlock(&svamock_lock);
	return bond->pasid;
}

static void svamock_bond_free(struct svamock_bond *bond)
{
	iommu_sva_unbind_device(bond->handle);
	list_del(&bond->all);
	list_del(&bond->file);
	kfree(bond);
}

/*
 * Unbinds by handle, as a driver that kept only the pointer does. Only a
 * handle some bond holds is still allocated in the kernel: that bond (of
 * any file or process) gives its reference up. No bond: the kernel freed
 * the handle, and iommu_sva_unbind_device() would read freed memory;
 * refused unless allow_uaf. The victim file may not be accessing its
 * device meanwhile (the lab's scenarios do not). svamock_lock held.
 */
static long svamock_unbind_handle(struct iommu_sva *handle, const char *why)
{
	struct svamock_bond *bond;

	list_for_each_entry(bond, &svamock_bonds, all) {
		if (bond->handle == handle) {
			if (bond->mm != current->mm)
				pr_warn("%s: unbinding pid %d's bond on %s from pid %d\n", why,
					bond->pid, dev_name(&bond->sdev->pdev->dev),
					task_tgid_vnr(current));
			svamock_bond_free(bond);
			return 0;
		}
	}
	svamock_refused++;
	if (!READ_ONCE(allow_uaf)) {
		pr_warn("%s: unbind of a freed handle refused (no bond holds it)\n", why);
		return -ESTALE;
	}
	pr_warn("%s: passing a freed handle to iommu_sva_unbind_device() (allow_uaf)\n", why);
	iommu_sva_unbind_device(handle);
	return 0;
}

/* Unbinds the newest bond of the caller's mm held by this file. */
static long svamock_unbind(struct svamock_file *sf)
{
	struct iommu_sva **first = &svamock_first_handle[sf->sdev->index];
	bool any_mm = READ_ONCE(unbind_any_mm);
	struct svamock_bond *bond;
	long ret = -ENOENT;

	down_write(&sf->access_sem);
	mutex_lock(&svamock_lock);
	if (!READ_ONCE(stale_handle)) {
		*first = NULL;
	} else if (*first) {
		ret = svamock_unbind_handle(*first, "stale_handle");
		goto out;
	}
	list_for_each_entry(bond, &sf->bonds, file) {
		if (bond->mm == current->mm || any_mm) {
			if (bond->mm != current->mm)
				pr_warn("unbind_any_mm: unbinding pid %d's bond on %s from pid %d\n",
					bond->pid, dev_name(&bond->sdev->pdev->dev),
					task_tgid_vnr(current));
			svamock_bond_free(bond);
			ret = 0;
			break;
		}
	}
out:
	mutex_unlock(&svamock_lock);
	up_write(&sf->access_sem);
	return ret;
}

/* The device accesses the caller's memory with the PASID of its newest bond. */
static long svamock_access_ioctl(struct svamock_file *sf, void __user *arg)
{
	struct svamock_domain *sdom = NULL;
	struct svamock_bond *bond;
	u32 pasid = 0;
	long ret;

	down_read(&sf->access_sem);
	mutex_lock(&svamock_lock);
	list_for_each_entry(bond, &sf->bonds, file) {
		if (bond->mm == current->mm) {
			sdom = to_svamock_domain(bond->handle->handle.domain);
			pasid = bond->pasid;
			break;
		}
	}
	mutex_unlock(&svamock_lock);
	ret = sdom ? svamock_access(sf->sdev, sdom, pasid, arg) : -ENOENT;
	up_read(&sf->access_sem);
	return ret;
}

static long svamock_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct svamock_file *sf = file->private_data;

	switch (cmd) {
	case SVAMOCK_IOC_BIND:
		return svamock_bind(sf);
	case SVAMOCK_IOC_UNBIND:
		return svamock_unbind(sf);
	case SVAMOCK_IOC_ACCESS:
		return svamock_access_ioctl(sf, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int svamock_release(struct inode *inode, struct file *file)
{
	struct svamock_file *sf = file->private_data;
	struct svamock_bond *bond, *tmp;

	down_write(&sf->access_sem);
	mutex_lock(&svamock_lock);
	list_for_each_entry_safe(bond, tmp, &sf->bonds, file) {
		if (READ_ONCE(leak_on_release)) {
			/* What a buggy driver does: forget the bond. */
			bond->leaked = true;
			list_del_init(&bond->file);
		} else {
			svamock_bond_free(bond);
		}
	}
	/* double_unbind: the teardown unbinds the error path's handle again. */
	if (sf->stale)
		svamock_unbind_handle(sf->stale, "double_unbind");
	mutex_unlock(&svamock_lock);
	up_write(&sf->access_sem);
	kfree(sf);
	return 0;
}

static const struct file_operations svamock_fops = {
	.owner = THIS_MODULE,
	.open = svamock_open,
	.release = svamock_release,
	.unlocked_ioctl = svamock_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* ---- debugfs: ground truth ---------------------------------------- */

static int svamock_bonds_show(struct seq_file *m, void *unused)
{
	struct svamock_bond *bond;

	seq_puts(m, "device\tiommu\tpasid\tpid\tcomm\tdomain\tstate\n");
	mutex_lock(&svamock_lock);
	list_for_each_entry(bond, &svamock_bonds, all) {
		/* Raw pointers (%px): tests match them with trace events. */
		seq_printf(m, "%s\t%s\t%u\t%d\t%s\t0x%px\t%s\n",
			   dev_name(&bond->sdev->pdev->dev),
			   dev_name(bond->sdev->smmu->iommu.dev),
			   bond->pasid, bond->pid, bond->comm,
			   bond->handle->handle.domain,
			   bond->leaked ? "leaked" : "bound");
	}
	mutex_unlock(&svamock_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(svamock_bonds);

static int svamock_devices_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	seq_puts(m, "device\tiommu\tnode\tmax_pasids\tgroup\n");
	for (i = 0; i < svamock_nr_devs; i++) {
		struct svamock_dev *sdev = &svamock_devs[i];
		struct device *dev = &sdev->pdev->dev;

		seq_printf(m, "%s\t%s\t/dev/%s\t%u\t%d\n", dev_name(dev),
			   dev_name(sdev->smmu->iommu.dev), sdev->node,
			   dev->iommu ? dev->iommu->max_pasids : 0,
			   dev->iommu_group ? iommu_group_id(dev->iommu_group) : -1);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(svamock_devices);

static int svamock_refused_show(struct seq_file *m, void *unused)
{
	mutex_lock(&svamock_lock);
	seq_printf(m, "%lu\n", svamock_refused);
	mutex_unlock(&svamock_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(svamock_refused);

/* ---- setup and teardown ------------------------------------------- */

static int svamock_iommu_add(struct svamock_iommu *smmu, unsigned int index)
{
	int ret;

	smmu->index = index;
	smmu->fwnode = fwnode_create_software_node(NULL, NULL);
	if (IS_ERR(smmu->fwnode)) {
		ret = PTR_ERR(smmu->fwnode);
		smmu->fwnode = NULL;
		return ret;
	}
	ret = iommu_device_sysfs_add(&smmu->iommu, NULL, NULL, "svamock-iommu%u", index);
	if (ret)
		return ret;
	smmu->in_sysfs = true;
	ret = svamock_iopf_queue_alloc(smmu);
	if (ret)
		return ret;
	smmu->iommu.max_pasids = max_pasids;
	smmu->iommu.fwnode = smmu->fwnode;
	ret = iommu_device_register(&smmu->iommu, &svamock_ops, NULL);
	if (ret)
		return ret;
	smmu->registered = true;
	return 0;
}

static int svamock_dev_add(struct svamock_dev *sdev, struct svamock_iommu *smmu,
			   unsigned int index)
{
	const struct property_entry props[] = {
		PROPERTY_ENTRY_U32("pasid-num-bits", order_base_2(max_pasids)),
		{ }
	};
	/* No property: the core's dev_iommu_get_max_pasids() finds 0. */
	bool pasid = nopasid_dev < 0 || index != (unsigned int)nopasid_dev;
	struct device *dev;
	int ret;

	sdev->index = index;
	sdev->smmu = smmu;
	svamock_iopf_dev_init(sdev);
	sdev->pdev = platform_device_alloc("svamock-dev", index);
	if (!sdev->pdev)
		return -ENOMEM;
	dev = &sdev->pdev->dev;
	ret = device_create_managed_software_node(dev, pasid ? props : &props[1], NULL);
	if (ret)
		return ret;
	ret = iommu_fwspec_init(dev, smmu->fwnode);
	if (ret)
		return ret;
	ret = platform_device_add(sdev->pdev);
	if (ret)
		return ret;
	sdev->added = true;
	if (!dev->iommu_group) {
		dev_err(dev, "not probed by %s\n", dev_name(smmu->iommu.dev));
		return -ENODEV;
	}

	snprintf(sdev->node, sizeof(sdev->node), "svamock%u", index);
	sdev->misc.minor = MISC_DYNAMIC_MINOR;
	sdev->misc.name = sdev->node;
	sdev->misc.fops = &svamock_fops;
	sdev->misc.parent = dev;
	sdev->misc.mode = 0666;
	ret = misc_register(&sdev->misc);
	if (ret) {
		sdev->misc.name = NULL;
		return ret;
	}
	return 0;
}

static void svamock_teardown(void)
{
	unsigned int i;

	debugfs_remove_recursive(svamock_dir);
	/* Before the devices go: a device still queued is removed from it. */
	for (i = 0; svamock_iommus && i < nr_iommus; i++)
		svamock_iopf_queue_free(&svamock_iommus[i]);
	for (i = 0; svamock_devs && i < svamock_nr_devs; i++) {
		struct svamock_dev *sdev = &svamock_devs[i];

		if (sdev->misc.name)
			misc_deregister(&sdev->misc);
		if (sdev->added)
			platform_device_unregister(sdev->pdev);
		else if (sdev->pdev)
			platform_device_put(sdev->pdev);
	}
	for (i = 0; svamock_iommus && i < nr_iommus; i++) {
		struct svamock_iommu *smmu = &svamock_iommus[i];

		if (smmu->registered)
			iommu_device_unregister(&smmu->iommu);
		if (smmu->in_sysfs)
			iommu_device_sysfs_remove(&smmu->iommu);
		if (smmu->fwnode)
			fwnode_remove_software_node(smmu->fwnode);
	}
	kfree(svamock_devs);
	kfree(svamock_iommus);
	kfree(svamock_first_handle);
}

static int __init svamock_init(void)
{
	unsigned int i;
	int ret;

	if (!nr_iommus || nr_iommus > SVAMOCK_MAX_IOMMUS ||
	    !devs_per_iommu || devs_per_iommu > SVAMOCK_MAX_DEVS_PER_IOMMU ||
	    max_pasids < 2 || max_pasids > (1U << 20) || nopasid_dev < -1 ||
	    nopasid_dev >= (int)(nr_iommus * devs_per_iommu)) {
		pr_err("bad parameters: nr_iommus=%u (1-%u) devs_per_iommu=%u (1-%u) max_pasids=%u (2-1048576) nopasid_dev=%d (-1 or a device)\n",
		       nr_iommus, SVAMOCK_MAX_IOMMUS, devs_per_iommu,
		       SVAMOCK_MAX_DEVS_PER_IOMMU, max_pasids, nopasid_dev);
		return -EINVAL;
	}
	ret = svamock_iopf_init();
	if (ret)
		return ret;
	svamock_iommus = kcalloc(nr_iommus, sizeof(*svamock_iommus), GFP_KERNEL);
	svamock_nr_devs = nr_iommus * devs_per_iommu;
	svamock_devs = kcalloc(svamock_nr_devs, sizeof(*svamock_devs), GFP_KERNEL);
	svamock_first_handle = kcalloc(svamock_nr_devs, sizeof(*svamock_first_handle),
				       GFP_KERNEL);
	if (!svamock_iommus || !svamock_devs || !svamock_first_handle) {
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < nr_iommus; i++) {
		ret = svamock_iommu_add(&svamock_iommus[i], i);
		if (ret) {
			pr_err("cannot register svamock-iommu%u: %d\n", i, ret);
			goto fail;
		}
	}
	for (i = 0; i < svamock_nr_devs; i++) {
		ret = svamock_dev_add(&svamock_devs[i], &svamock_iommus[i / devs_per_iommu], i);
		if (ret) {
			pr_err("cannot add svamock-dev.%u: %d\n", i, ret);
			goto fail;
		}
	}
	svamock_dir = debugfs_create_dir("svamock", NULL);
	debugfs_create_file("bonds", 0444, svamock_dir, NULL, &svamock_bonds_fops);
	debugfs_create_file("devices", 0444, svamock_dir, NULL, &svamock_devices_fops);
	debugfs_create_file("refused_unbinds", 0444, svamock_dir, NULL, &svamock_refused_fops);
	svamock_iopf_debugfs_init(svamock_dir, svamock_devs, svamock_nr_devs);
	pr_info("%u IOMMU instances x %u devices, max_pasids %u\n",
		nr_iommus, devs_per_iommu, max_pasids);
	return 0;
fail:
	svamock_teardown();
	return ret;
}

static void __exit svamock_exit(void)
{
	struct svamock_bond *bond, *tmp;

	/* Only leaked bonds can remain: every open file pins the module. */
	mutex_lock(&svamock_lock);
	list_for_each_entry_safe(bond, tmp, &svamock_bonds, all)
		svamock_bond_free(bond);
	mutex_unlock(&svamock_lock);
	svamock_iopf_exit();
	svamock_teardown();
}

module_init(svamock_init);
module_exit(svamock_exit);

MODULE_DESCRIPTION("Mock SVA IOMMU driving the kernel's SVA core, for the svatop lab");
MODULE_AUTHOR("svatop");
MODULE_LICENSE("GPL");
