/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * svamock user interface: one char device /dev/svamock<N> per mock device.
 *
 * ioctl(fd, SVAMOCK_IOC_BIND)   binds the calling process's mm to the device
 *                               (iommu_sva_bind_device); returns the PASID
 *                               (> 0) or -1 with errno set by the kernel.
 * ioctl(fd, SVAMOCK_IOC_UNBIND) unbinds the newest bond of the calling
 *                               process's mm held by this file; returns 0,
 *                               or -1 with errno ENOENT when there is none.
 * close()/exit                  the last close unbinds every bond the file
 *                               still holds (unless leak_on_release is set).
 */
#ifndef SVAMOCK_UAPI_H
#define SVAMOCK_UAPI_H

#include <linux/ioctl.h>

#define SVAMOCK_IOC_MAGIC	'S'
#define SVAMOCK_IOC_BIND	_IO(SVAMOCK_IOC_MAGIC, 1)
#define SVAMOCK_IOC_UNBIND	_IO(SVAMOCK_IOC_MAGIC, 2)

#endif /* SVAMOCK_UAPI_H */
