/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * svamock user interface: one char device /dev/svamock<N> per mock device.
 *
 * ioctl(fd, SVAMOCK_IOC_BIND)   binds the calling process's mm to the device
 *                               (iommu_sva_bind_device); returns the PASID
 *                               (> 0) or -1 with errno set by the kernel.
 * ioctl(fd, SVAMOCK_IOC_UNBIND) unbinds the newest bond of the calling
 *                               process's mm held by this file; returns 0,
 *                               or -1 with errno ENOENT when there is none
 *                               (ESTALE: the stale_handle knob's handle was
 *                               freed, the unbind refused).
 * ioctl(fd, SVAMOCK_IOC_ACCESS, &access)
 *                               the device accesses every page of
 *                               [addr, addr + length) of the caller's
 *                               address space with the PASID of the caller's
 *                               newest bond on this file, as a device does:
 *                               IOTLB, then a page-table walk, then a page
 *                               request through the kernel's IOPF path
 *                               (iommu_report_device_fault) and a wait for
 *                               the page response. Returns 0, or -1 with
 *                               errno:
 *                                 ENOENT    no bond of this process here
 *                                 EINVAL    bad range or flags
 *                                 EOPNOTSUPP the kernel has no IOPF
 *                                           (CONFIG_IOMMU_IOPF)
 *                                 EFAULT    a response said "invalid" (an
 *                                           address the process does not map,
 *                                           or a write to a read-only page)
 *                                 EIO       a response said "failure"
 *                                 ETIMEDOUT no response in response_timeout_ms
 *                                 EAGAIN    responses said "success" but the
 *                                           page stayed unmapped
 *                                 EBUSY     too many requests outstanding
 *                                 EINTR     a fatal signal
 *                               The out fields are filled in on success
 *                               and after the access began (EFAULT, EIO,
 *                               ETIMEDOUT, EAGAIN, EBUSY, EINTR).
 * close()/exit                  the last close unbinds every bond the file
 *                               still holds (unless leak_on_release is set).
 */
#ifndef SVAMOCK_UAPI_H
#define SVAMOCK_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SVAMOCK_ACCESS_WRITE	(1U << 0)

/* Page response codes as the kernel's enum iommu_page_response_code. */
#define SVAMOCK_RESP_SUCCESS	0
#define SVAMOCK_RESP_INVALID	1
#define SVAMOCK_RESP_FAILURE	2
#define SVAMOCK_RESP_NONE	0xffffffffU

struct svamock_access {
	__u64 addr;		/* in: first byte the device accesses */
	__u64 length;		/* in: bytes (every page they touch) */
	__u32 flags;		/* in: SVAMOCK_ACCESS_* */
	__u32 pasid;		/* out: the PASID the device used */
	__u32 pages;		/* out: pages accessed, the failed one included */
	__u32 iotlb_hits;	/* out: translations the IOTLB had */
	__u32 walks;		/* out: misses the page table resolved */
	__u32 faults;		/* out: page requests reported */
	__u32 response;		/* out: last response, SVAMOCK_RESP_* */
	__u32 reserved;		/* zero */
	__u64 fault_addr;	/* out: the page whose request failed, or 0 */
	__u64 latency_ns;	/* out: sum over requests, report to response */
	__u64 latency_max_ns;	/* out: the slowest request */
};

#define SVAMOCK_IOC_MAGIC	'S'
#define SVAMOCK_IOC_BIND	_IO(SVAMOCK_IOC_MAGIC, 1)
#define SVAMOCK_IOC_UNBIND	_IO(SVAMOCK_IOC_MAGIC, 2)
#define SVAMOCK_IOC_ACCESS	_IOWR(SVAMOCK_IOC_MAGIC, 3, struct svamock_access)

#endif /* SVAMOCK_UAPI_H */
