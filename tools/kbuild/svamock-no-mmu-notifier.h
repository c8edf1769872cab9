/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Forced into svamock's compilation by tools/kbuild/module when the lab
 * kernel has no CONFIG_MMU_NOTIFIER (lab.config has none: nothing in the
 * lab's tinyconfig selects it), where <linux/mmu_notifier.h> declares no
 * mmu_notifier_register() nor mmu_notifier_put(). svamock registers its
 * IOTLB notifier only at a domain's first device access: on such a kernel
 * that access fails with -EOPNOTSUPP (SVAMOCK_IOC_ACCESS: "the kernel has
 * no IOPF"), and a notifier never registered is never put. Binds and
 * unbinds, all that tests/kernel/ does, are unaffected.
 */
#ifndef SVAMOCK_NO_MMU_NOTIFIER_H
#define SVAMOCK_NO_MMU_NOTIFIER_H

/* Macros, expanded where used: this header comes before the module's own
 * includes (and its pr_fmt), so it includes nothing itself. */
#ifndef CONFIG_MMU_NOTIFIER
#define mmu_notifier_register(subscription, mm) \
	({ (void)(subscription); (void)(mm); -EOPNOTSUPP; })
#define mmu_notifier_put(subscription) \
	do { (void)(subscription); WARN_ON_ONCE(1); } while (0)
#endif

#endif
