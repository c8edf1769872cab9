// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "source/wire.h"

struct wire_dev {
	uint64_t iommu;
	char dev_name[SVATOP_NAME_LEN];
	char iommu_name[SVATOP_NAME_LEN];
};

int wire_names_init(struct wire_names *w)
{
	return keymap_init(&w->by_dev, 64);
}

void wire_names_fini(struct wire_names *w)
{
	struct keymap_slot *slots = w->by_dev.t.slots;
	uint32_t i;

	for (i = 0; slots && i <= w->by_dev.t.mask; i++)
		free(slots[i].val);
	keymap_fini(&w->by_dev);
}

static int remember_dev(struct wire_names *w, const struct svatop_wire_dev *rec)
{
	struct wire_dev *d;

	if (!rec->w.dev)
		return 0;
	d = keymap_get(&w->by_dev, rec->w.dev);
	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d)
			return -ENOMEM;
		if (keymap_put(&w->by_dev, rec->w.dev, d)) {
			free(d);
			return -ENOMEM;
		}
	}
	/* A device freed and another made at its address: new names. */
	d->iommu = rec->w.iommu;
	memcpy(d->dev_name, rec->dev_name, sizeof(d->dev_name));
	memcpy(d->iommu_name, rec->iommu_name, sizeof(d->iommu_name));
	d->dev_name[sizeof(d->dev_name) - 1] = 0;
	d->iommu_name[sizeof(d->iommu_name) - 1] = 0;
	return 0;
}

static void wire_to_event(const struct svatop_wire *r, size_t size,
			  struct svatop_event *out)
{
	memset(out, 0, sizeof(*out));
	out->type = r->type;
	out->version = SVATOP_ABI_VERSION;
	out->cpu = r->cpu;
	out->ts_ns = r->ts_ns;
	out->pid = r->pid;
	out->tgid = r->tgid;
	memcpy(out->comm, r->comm, sizeof(out->comm));
	out->flags = r->flags;
	out->pasid = r->pasid;
	out->mm = r->mm;
	out->domain = r->domain;
	out->ret = r->ret;
	out->domain_users = r->domain_users;
	out->dev = r->dev;
	out->iommu = r->iommu;
	out->handle = r->handle;
	out->handle_users = r->handle_users;
	out->stack_id = size >= SVATOP_WIRE_UPTO(stack_id) ? r->stack_id : -1;
	out->aux = r->aux;
	out->aux2 = r->aux2;
}

int wire_decode(struct wire_names *w, const void *data, size_t size,
		struct svatop_event *out)
{
	const struct wire_dev *d;
	struct svatop_wire r;
	uint16_t len;

	if (size < SVATOP_WIRE_HEAD)
		return 0;
	memcpy(&r, data, SVATOP_WIRE_HEAD);
	len = r.size;
	if (len < SVATOP_WIRE_HEAD || len > size)
		return 0;
	if (r.type == SVATOP_WIRE_DEV) {
		struct svatop_wire_dev rec;

		if (len < sizeof(rec))
			return 0;
		memcpy(&rec, data, sizeof(rec));
		return remember_dev(w, &rec);
	}
	/* the cut-off fields are 0 */
	memset((char *)&r + SVATOP_WIRE_HEAD, 0, sizeof(r) - SVATOP_WIRE_HEAD);
	memcpy(&r, data, len < sizeof(r) ? len : sizeof(r));
	wire_to_event(&r, len, out);
	if (out->dev) {
		d = keymap_get(&w->by_dev, out->dev);
		if (d) {
			memcpy(out->dev_name, d->dev_name, sizeof(out->dev_name));
			memcpy(out->iommu_name, d->iommu_name, sizeof(out->iommu_name));
		}
	}
	if (!(out->flags & SVATOP_WF_DOMAIN_BORN))
		return 1;
	/* An attach that made its domain: the derived DOMAIN_ALLOC first (as
	 * the kernel side once sent it: 1 ns earlier, with the stack), then
	 * the ATTACH. The wire flag reaches neither. */
	out->flags &= ~SVATOP_WF_DOMAIN_BORN;
	if (out->type != SVATOP_EV_ATTACH)
		return 1;
	out[1] = out[0];
	out[0].type = SVATOP_EV_DOMAIN_ALLOC;
	out[0].flags |= SVATOP_F_DERIVED;
	if (out[0].ts_ns)
		out[0].ts_ns--;
	out[1].stack_id = -1;
	return 2;
}
