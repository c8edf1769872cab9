// SPDX-License-Identifier: GPL-2.0
/* A finding as a person reads it and as JSON; ages; JSON values of kernel
 * pointers and names. */
#include <inttypes.h>
#include <stdio.h>
#include "common/escape.h"
#include "view/finding.h"

#define VIEW_STACK_MAX	16

const char *view_age(char *buf, size_t len, uint64_t ns)
{
	uint64_t s = ns / 1000000000ULL;

	if (s >= 3600)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
	else if (s >= 60)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else
		snprintf(buf, len, "%" PRIu64 ".%01" PRIu64 "s", s, (uint64_t)(ns / 100000000ULL % 10));
	return buf;
}

json_t *view_json_count(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

json_t *view_json_ptr(uint64_t p)
{
	char buf[24];

	if (!p)
		return json_null();
	snprintf(buf, sizeof(buf), "0x%" PRIx64, p);
	return json_string(buf);
}

json_t *view_json_str(const char *s)
{
	char buf[64];
	size_t i;
	json_t *j;

	if (!s || !s[0])
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	for (i = 0; s[i] && i < sizeof(buf) - 1; i++)
		buf[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return json_string(buf);
}

/* Symbolized allocation stack of a live source; 0 frames otherwise. */
static int view_stack(struct session *s, int32_t id, char frames[][64])
{
	return s ? session_stack(s, id, frames, VIEW_STACK_MAX) : 0;
}

json_t *view_finding_json(struct session *s, const struct finding *f, uint64_t now)
{
	const struct rule_info *ri = &rule_table[f->rule];
	char frames[VIEW_STACK_MAX][64];
	json_t *o = json_object(), *st;
	int i, n;

	if (!o)
		return NULL;
	json_object_set_new(o, "rule", json_string(ri->name));
	json_object_set_new(o, "kind", json_string(rule_kind_name(ri->kind)));
	json_object_set_new(o, "explain", json_string(ri->explain));
	json_object_set_new(o, "ts_ns", json_integer(f->ts));
	if (f->since_ts)
		json_object_set_new(o, "age_ns", json_integer(now - f->since_ts));
	json_object_set_new(o, "pid", f->tgid ? json_integer(f->tgid) : json_null());
	json_object_set_new(o, "comm", view_json_str(f->comm));
	json_object_set_new(o, "pasid", f->pasid ? json_integer(f->pasid) : json_null());
	json_object_set_new(o, "mm", view_json_ptr(f->mm));
	json_object_set_new(o, "domain", view_json_ptr(f->domain));
	json_object_set_new(o, "handle", view_json_ptr(f->handle));
	json_object_set_new(o, "dev", view_json_ptr(f->dev));
	json_object_set_new(o, "dev_name", view_json_str(f->dev_name));
	json_object_set_new(o, "iommu_name", view_json_str(f->iommu_name));
	json_object_set_new(o, "uid", json_integer(f->uid));
	json_object_set_new(o, "preexisting", json_boolean(f->flags & FINDING_PREEXISTING));
	if (f->flags & FINDING_NO_TASK)
		json_object_set_new(o, "owner_gone_before_start", json_true());
	if (f->due_ts)
		json_object_set_new(o, "due_ns", json_integer(f->due_ts > now ? f->due_ts - now : 0));
	json_object_set_new(o, "detail", json_string(f->detail));
	json_object_set_new(o, "stack_id", json_integer(f->stack_id));
	n = view_stack(s, f->stack_id, frames);
	if (n > 0) {
		st = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(st, json_string(frames[i]));
		json_object_set_new(o, "stack", st);
	}
	return o;
}

void view_finding_text(FILE *out, struct session *s, const struct finding *f, uint64_t now)
{
	const struct rule_info *ri = &rule_table[f->rule];
	char frames[VIEW_STACK_MAX][64];
	char age[32];
	int i, n;

	fprintf(out, "%s %s: pid %u (%s) device %s", rule_kind_name(ri->kind),
		ri->name, f->tgid, ESCAPED(f->comm, "?"), ESCAPED(f->dev_name, "?"));
	if (f->iommu_name[0])
		fprintf(out, " [%s]", ESCAPED(f->iommu_name, ""));
	if (f->pasid)
		fprintf(out, " PASID %u", f->pasid);
	else
		fprintf(out, " PASID ?");
	if (f->domain)
		fprintf(out, " domain 0x%" PRIx64, f->domain);
	if (f->handle)
		fprintf(out, " handle 0x%" PRIx64, f->handle);
	if (f->mm)
		fprintf(out, " mm 0x%" PRIx64, f->mm);
	if (f->since_ts)
		fprintf(out, " age %s", view_age(age, sizeof(age), now - f->since_ts));
	if (f->flags & FINDING_PREEXISTING)
		fprintf(out, " (pre-existing)");
	if (f->flags & FINDING_NO_TASK)
		fprintf(out, " (owner gone before svatop started)");
	if (f->due_ts)
		fprintf(out, " pending: a leak in %s unless freed",
			view_age(age, sizeof(age), f->due_ts > now ? f->due_ts - now : 0));
	fprintf(out, "\n    %s; %s\n", f->detail, ri->explain);
	n = view_stack(s, f->stack_id, frames);
	if (n > 0) {
		fprintf(out, "    allocated at:\n");
		for (i = 0; i < n; i++)
			fprintf(out, "      %s\n", frames[i]);
	} else if (f->stack_id >= 0) {
		fprintf(out, "    allocation stack id %d\n", f->stack_id);
	}
}

json_t *view_notices_json(const struct analyzer *a)
{
	json_t *o = json_object();
	int r;

	for (r = 0; r < RULE_MAX; r++)
		if (rule_table[r].kind == RULE_KIND_NOTICE)
			json_object_set_new(o, rule_table[r].name, view_json_count(a->noticed[r]));
	return o;
}

void view_notices_text(FILE *out, const struct analyzer *a)
{
	int r;

	for (r = 0; r < RULE_MAX; r++)
		if (rule_table[r].kind == RULE_KIND_NOTICE && a->noticed[r])
			fprintf(out, "notice: %s x%" PRIu64 " (legitimate, not a finding: %s)\n",
				rule_table[r].name, a->noticed[r], rule_table[r].explain);
}
