// SPDX-License-Identifier: GPL-2.0
/* A failed bind's explanation as text and JSON (trace, check, top). */
#include "common/escape.h"
#include "common/events.h"
#include "view/bind_explain.h"
#include "view/finding.h"

json_t *view_bind_explain_json(const struct bind_explain *x)
{
	json_t *o = json_object(), *arr, *a;
	int i;

	if (!o)
		return NULL;
	json_object_set_new(o, "step", json_string(bind_step_name(x->step)));
	json_object_set_new(o, "why", view_json_str(x->why));
	json_object_set_new(o, "pasid", x->pasid ? json_integer(x->pasid) : json_null());
	/* the device's PASIDs (0: no PASID capability), null: not seen */
	json_object_set_new(o, "max_pasids", x->max_pasids_known ?
			    json_integer(x->max_pasids) : json_null());
	arr = json_array();
	for (i = 0; i < x->nattach; i++) {
		a = json_object();
		json_object_set_new(a, "domain", view_json_ptr(x->attach[i].domain));
		json_object_set_new(a, "iommu", view_json_str(x->attach[i].iommu_name));
		json_object_set_new(a, "new_domain", json_boolean(x->attach[i].new_domain));
		json_object_set_new(a, "ret", json_integer(x->attach[i].ret));
		json_object_set_new(a, "error", errno_name(x->attach[i].ret) ?
				    json_string(errno_name(x->attach[i].ret)) : json_null());
		json_array_append_new(arr, a);
	}
	json_object_set_new(o, "attempts", arr);
	if (x->step == BIND_STEP_PASID && x->pasids_held) {
		arr = json_array();
		for (i = 0; i < x->nholders; i++) {
			a = json_object();
			/* 0: no task owns the mm any more (a leak) */
			json_object_set_new(a, "pid", x->holders[i].tgid ?
					    json_integer(x->holders[i].tgid) : json_null());
			json_object_set_new(a, "owner_gone", json_boolean(!x->holders[i].tgid));
			json_object_set_new(a, "comm", view_json_str(x->holders[i].comm));
			json_object_set_new(a, "pasids", json_integer(x->holders[i].npasids));
			json_array_append_new(arr, a);
		}
		json_object_set_new(o, "holders", arr);
		json_object_set_new(o, "pasids_held", json_integer(x->pasids_held));
	}
	return o;
}

void view_bind_explain_text(FILE *out, const struct bind_explain *x)
{
	int i;

	fprintf(out, "step %s: ", bind_step_name(x->step));
	fput_escaped(out, x->why, sizeof(x->why));	/* carries IOMMU names */
	if (x->step != BIND_STEP_PASID || !x->pasids_held)
		return;
	fprintf(out, "; %u PASID(s) held, by", x->pasids_held);
	for (i = 0; i < x->nholders; i++)
	{
		if (!x->holders[i].tgid) {
			fprintf(out, "%s processes gone (leaked) %u", i ? "," : "",
				x->holders[i].npasids);
			continue;
		}
		fprintf(out, "%s pid %u (", i ? "," : "", x->holders[i].tgid);
		fput_escaped(out, x->holders[i].comm[0] ? x->holders[i].comm : "?",
			     sizeof(x->holders[i].comm));
		fprintf(out, ") %u", x->holders[i].npasids);
	}
}
