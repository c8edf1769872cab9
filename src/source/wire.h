/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring buffer's records (include/svatop/abi.h, "On the ring buffer")
 * back into struct svatop_event: device and IOMMU names arrive once per
 * device and are filled into every event that names the device.
 */
#ifndef SVATOP_SOURCE_WIRE_H
#define SVATOP_SOURCE_WIRE_H

#include <stddef.h>
#include "svatop/abi.h"
#include "model/keymap.h"

struct wire_names {
	struct keymap by_dev;	/* struct device * -> struct wire_dev */
};

int wire_names_init(struct wire_names *w);
void wire_names_fini(struct wire_names *w);

/*
 * One ring-buffer record of SIZE bytes into out (room for WIRE_MAX_EVENTS):
 * the number of events filled (1, or 2 for an ATTACH that carries its
 * domain's derived DOMAIN_ALLOC, SVATOP_WF_DOMAIN_BORN), 0 for a record
 * consumed here (device names) or malformed (shorter than its head or than
 * its own size field: nothing delivered), -ENOMEM when a device's names
 * cannot be kept (the events still arrive, without them).
 */
#define WIRE_MAX_EVENTS	2

int wire_decode(struct wire_names *w, const void *data, size_t size,
		struct svatop_event *out);

#endif
