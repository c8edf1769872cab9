// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common/log.h"
#include "common/priv.h"

/* The kernel's highest capability number (newer kernels know more than
 * our headers). */
static unsigned int last_cap(void)
{
	unsigned int n = CAP_LAST_CAP;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");

	if (f) {
		if (fscanf(f, "%u", &n) != 1 || n > 63)
			n = CAP_LAST_CAP;
		fclose(f);
	}
	return n;
}

static int caps_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capget, &h, d) ? -errno : 0;
}

uint64_t priv_effective(void)
{
	struct __user_cap_data_struct d[2] = { 0 };

	if (caps_get(d))
		return 0;
	return d[0].effective | (uint64_t)d[1].effective << 32;
}

int priv_drop(uint64_t keep)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { 0 };
	unsigned int c, last = last_cap();
	uint64_t prm;
	int err;

	/* The bounding set first: dropping from it needs CAP_SETPCAP, which
	 * goes next. EINVAL: a capability this kernel does not have. */
	for (c = 0; c <= last; c++)
		if (!(keep & PRIV_CAP(c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) &&
		    errno != EINVAL && errno != EPERM)
			return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
	err = caps_get(d);
	if (err)
		return err;
	prm = (d[0].permitted | (uint64_t)d[1].permitted << 32) & keep;
	d[0].permitted = d[0].effective = (uint32_t)prm;
	d[1].permitted = d[1].effective = (uint32_t)(prm >> 32);
	d[0].inheritable = d[1].inheritable = 0;
	if (syscall(SYS_capset, &h, d))
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return 0;
}

int priv_drop_for(const char *cmd, uint64_t keep)
{
	int err = priv_drop(keep);

	if (err)
		p_err("%s: cannot drop capabilities: %s", cmd, strerror(-err));
	else
		p_info("%s: capabilities dropped (kept 0x%llx)", cmd,
		       (unsigned long long)(keep & priv_effective()));
	return err;
}
