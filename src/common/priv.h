/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dropping privileges once the BPF programs are attached and the maps are
 * open: what runs after (ring buffer, map reads, program statistics, the
 * HTTP server) needs no capability, because the kernel checks
 * capabilities when a BPF object is created or attached, not when an open
 * descriptor is used.
 */
#ifndef SVATOP_COMMON_PRIV_H
#define SVATOP_COMMON_PRIV_H

#include <stdint.h>
#include <linux/capability.h>

#define PRIV_CAP(c)	(1ULL << (c))

/* Keep only the capabilities in keep (PRIV_CAP bits) in the permitted and
 * effective sets; clear the inheritable and ambient sets; remove every
 * other one from the bounding set (nothing this process executes can get
 * it back); set no_new_privs. Applies to the calling thread: call it
 * before creating threads. Returns 0, or -errno (nothing is kept then
 * that was not before: a failure leaves what the kernel already dropped). */
int priv_drop(uint64_t keep);

/* priv_drop() for a command (top, trace, ...), once its programs are
 * attached and its maps open; on failure one line naming the command.
 * Returns 0 or -errno. */
int priv_drop_for(const char *cmd, uint64_t keep);

/* The effective set of this thread (PRIV_CAP bits). */
uint64_t priv_effective(void);

#endif
