// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "common/events.h"

static const char *const type_names[SVATOP_EV_MAX] = {
	[SVATOP_EV_NONE] = "none",
	[SVATOP_EV_BIND] = "bind",
	[SVATOP_EV_UNBIND] = "unbind",
	[SVATOP_EV_PASID_ALLOC] = "pasid-alloc",
	[SVATOP_EV_PASID_FREE] = "pasid-free",
	[SVATOP_EV_DOMAIN_ALLOC] = "domain-alloc",
	[SVATOP_EV_ATTACH] = "attach",
	[SVATOP_EV_DETACH] = "detach",
	[SVATOP_EV_DOMAIN_FREE] = "domain-free",
	[SVATOP_EV_MM_PASID_DROP] = "mm-pasid-drop",
	[SVATOP_EV_MMDROP] = "mmdrop",
	[SVATOP_EV_FORK] = "fork-mm",
	[SVATOP_EV_EXIT] = "exit",
	[SVATOP_EV_SNAP_MM] = "snap-mm",
	[SVATOP_EV_SNAP_DOMAIN] = "snap-domain",
	[SVATOP_EV_SNAP_END] = "snap-end",
	[SVATOP_EV_PROC_FORK] = "fork",
};

const char *event_type_name(unsigned int type)
{
	if (type < SVATOP_EV_MAX && type_names[type])
		return type_names[type];
	return "unknown";
}

unsigned int event_type_from_name(const char *name)
{
	unsigned int i;

	for (i = 1; i < SVATOP_EV_MAX; i++)
		if (type_names[i] && !strcmp(type_names[i], name))
			return i;
	return SVATOP_EV_NONE;
}

const char *errno_name(int err)
{
	switch (err < 0 ? -err : err) {
	case 0: return NULL;
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case ENOMEM: return "ENOMEM";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EOVERFLOW: return "EOVERFLOW";
	case EFAULT: return "EFAULT";
	case ENXIO: return "ENXIO";
	case ENOTTY: return "ENOTTY";
	case EAGAIN: return "EAGAIN";
	default: return NULL;
	}
}

static json_t *ptr(uint64_t p)
{
	char buf[24];

	if (!p)
		return json_null();
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)p);
	return json_string(buf);
}

static json_t *str_or_null(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	return n ? json_stringn(s, n) : json_null();
}

json_t *event_to_json(const struct svatop_event *ev)
{
	json_t *o = json_object(), *flags = json_array();
	const char *en = errno_name(ev->ret);

	if (!o || !flags) {
		json_decref(o);
		json_decref(flags);
		return NULL;
	}
	json_object_set_new(o, "v", json_integer(EVENTS_JSON_SCHEMA));
	json_object_set_new(o, "event", json_string(event_type_name(ev->type)));
	json_object_set_new(o, "ts_ns", json_integer((json_int_t)ev->ts_ns));
	json_object_set_new(o, "cpu", json_integer(ev->cpu));
	json_object_set_new(o, "pid", json_integer(ev->pid));
	json_object_set_new(o, "tgid", json_integer(ev->tgid));
	json_object_set_new(o, "comm", str_or_null(ev->comm, sizeof(ev->comm)));
	json_object_set_new(o, "mm", ptr(ev->mm));
	json_object_set_new(o, "pasid", ev->pasid ? json_integer(ev->pasid) : json_null());
	json_object_set_new(o, "domain", ptr(ev->domain));
	json_object_set_new(o, "handle", ptr(ev->handle));
	json_object_set_new(o, "dev", ptr(ev->dev));
	json_object_set_new(o, "dev_name", str_or_null(ev->dev_name, sizeof(ev->dev_name)));
	json_object_set_new(o, "iommu", ptr(ev->iommu));
	json_object_set_new(o, "iommu_name",
			    str_or_null(ev->iommu_name, sizeof(ev->iommu_name)));
	json_object_set_new(o, "aux", ptr(ev->aux));
	json_object_set_new(o, "aux2", ptr(ev->aux2));
	json_object_set_new(o, "ret", json_integer(ev->ret));
	json_object_set_new(o, "errno", en ? json_string(en) : json_null());
	json_object_set_new(o, "handle_users", json_integer(ev->handle_users));
	json_object_set_new(o, "domain_users", json_integer(ev->domain_users));
	json_object_set_new(o, "stack_id", json_integer(ev->stack_id));
	if (ev->flags & SVATOP_F_DERIVED)
		json_array_append_new(flags, json_string("derived"));
	if (ev->flags & SVATOP_F_SNAPSHOT)
		json_array_append_new(flags, json_string("snapshot"));
	if (ev->flags & SVATOP_F_KPROBE)
		json_array_append_new(flags, json_string("kprobe"));
	if (ev->flags & SVATOP_F_TRACEPOINT)
		json_array_append_new(flags, json_string("tracepoint"));
	if (ev->flags & SVATOP_F_CHILD_SHARES)
		json_array_append_new(flags, json_string("child-shares-iommu-mm"));
	if (ev->flags & SVATOP_F_EXEC)
		json_array_append_new(flags, json_string("exec"));
	else if (ev->flags & SVATOP_F_LEADER_EXIT)
		json_array_append_new(flags, json_string("process-exit"));
	json_object_set_new(o, "flags", flags);
	return o;
}
