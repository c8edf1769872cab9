// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
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
	[SVATOP_EV_SNAP_BOND] = "snap-bond",
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
	/* ret comes from the kernel or a recording: INT_MIN has no negation
	 * in int, so the magnitude is taken in unsigned arithmetic. */
	unsigned int e = err < 0 ? 0u - (unsigned int)err : (unsigned int)err;

	switch (e) {
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

/* JSON string of at most max bytes of s (kernel names: not always UTF-8). */
static void put_str(FILE *f, const char *s, size_t max)
{
	size_t i, n = strnlen(s, max);

	if (!n) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void put_ptr(FILE *f, const char *key, uint64_t p)
{
	if (p)
		fprintf(f, ",\"%s\":\"0x%llx\"", key, (unsigned long long)p);
	else
		fprintf(f, ",\"%s\":null", key);
}

static const struct {
	uint32_t bit;
	const char *name;
} flag_names[] = {
	{ SVATOP_F_DERIVED, "derived" },
	{ SVATOP_F_SNAPSHOT, "snapshot" },
	{ SVATOP_F_FALLBACK, "kprobe" },
	{ SVATOP_F_TRACEPOINT, "tracepoint" },
	{ SVATOP_F_CHILD_SHARES, "child-shares-iommu-mm" },
	{ SVATOP_F_EXEC, "exec" },
	{ SVATOP_F_LEADER_EXIT, "process-exit" },
	{ SVATOP_F_MAX_PASIDS, "max-pasids" },
};

/*
 * Written directly, not through a jansson object: this runs once per
 * event at storm rates (a jansson object per event cost 84k instructions).
 */
int event_write_json(FILE *f, const struct svatop_event *ev,
		     char frames[][64], int nframes)
{
	return event_write_json_extra(f, ev, frames, nframes, NULL, NULL);
}

int event_write_json_extra(FILE *f, const struct svatop_event *ev,
			   char frames[][64], int nframes, const char *key, const char *value)
{
	const char *en = errno_name(ev->ret);
	bool first = true;
	size_t i;
	int k;

	fprintf(f, "{\"v\":%d,\"event\":\"%s\",\"ts_ns\":%llu,\"cpu\":%u,\"pid\":%u,"
		"\"tgid\":%u,\"comm\":", EVENTS_JSON_SCHEMA, event_type_name(ev->type),
		(unsigned long long)ev->ts_ns, ev->cpu, ev->pid, ev->tgid);
	put_str(f, ev->comm, sizeof(ev->comm));
	put_ptr(f, "mm", ev->mm);
	if (ev->pasid)
		fprintf(f, ",\"pasid\":%u", ev->pasid);
	else
		fputs(",\"pasid\":null", f);
	put_ptr(f, "domain", ev->domain);
	put_ptr(f, "handle", ev->handle);
	put_ptr(f, "dev", ev->dev);
	fputs(",\"dev_name\":", f);
	put_str(f, ev->dev_name, sizeof(ev->dev_name));
	put_ptr(f, "iommu", ev->iommu);
	fputs(",\"iommu_name\":", f);
	put_str(f, ev->iommu_name, sizeof(ev->iommu_name));
	put_ptr(f, "aux", ev->aux);
	put_ptr(f, "aux2", ev->aux2);
	fprintf(f, ",\"ret\":%d,\"errno\":", ev->ret);
	if (en)
		fprintf(f, "\"%s\"", en);
	else
		fputs("null", f);
	fprintf(f, ",\"handle_users\":%d,\"domain_users\":%d,\"stack_id\":%d,\"flags\":[",
		ev->handle_users, ev->domain_users, ev->stack_id);
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (!(ev->flags & flag_names[i].bit))
			continue;
		/* exec is a kind of owner loss: name it alone */
		if (flag_names[i].bit == SVATOP_F_LEADER_EXIT && (ev->flags & SVATOP_F_EXEC))
			continue;
		fprintf(f, "%s\"%s\"", first ? "" : ",", flag_names[i].name);
		first = false;
	}
	fputc(']', f);
	if (nframes > 0) {
		fputs(",\"stack\":[", f);
		for (k = 0; k < nframes; k++) {
			if (k)
				fputc(',', f);
			put_str(f, frames[k], 64);
		}
		fputc(']', f);
	}
	if (key && value)
		fprintf(f, ",\"%s\":%s", key, value);
	return fputs("}\n", f) == EOF ? -EIO : 0;
}
