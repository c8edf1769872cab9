// SPDX-License-Identifier: GPL-2.0
/* BTF helpers for kernel facts: validation and C declarations (btf_util.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "probe/btf_util.h"

static bool name_ok(const struct btf *btf, __u32 off)
{
	return btf__name_by_offset(btf, off) != NULL;
}

int btf_validate(const struct btf *btf, __u32 *bad_id)
{
	__u32 n = btf__type_cnt(btf), id;
	int i;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		*bad_id = id;
		if (!t || !name_ok(btf, t->name_off))
			return -EINVAL;
		switch (btf_kind(t)) {
		case BTF_KIND_INT:
		case BTF_KIND_FWD:
		case BTF_KIND_FLOAT:
			break;
		case BTF_KIND_PTR:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
		case BTF_KIND_VAR:
		case BTF_KIND_DECL_TAG:
			if (t->type >= n)
				return -EINVAL;
			break;
		case BTF_KIND_FUNC: {
			const struct btf_type *p = btf__type_by_id(btf, t->type);

			if (t->type >= n || !p || !btf_is_func_proto(p))
				return -EINVAL;
			break;
		}
		case BTF_KIND_ARRAY:
			if (btf_array(t)->type >= n || btf_array(t)->index_type >= n)
				return -EINVAL;
			break;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION: {
			const struct btf_member *m = btf_members(t);

			for (i = 0; i < btf_vlen(t); i++, m++)
				if (m->type >= n || !name_ok(btf, m->name_off))
					return -EINVAL;
			break;
		}
		case BTF_KIND_ENUM: {
			const struct btf_enum *e = btf_enum(t);

			for (i = 0; i < btf_vlen(t); i++, e++)
				if (!name_ok(btf, e->name_off))
					return -EINVAL;
			break;
		}
		case BTF_KIND_ENUM64: {
			const struct btf_enum64 *e = btf_enum64(t);

			for (i = 0; i < btf_vlen(t); i++, e++)
				if (!name_ok(btf, e->name_off))
					return -EINVAL;
			break;
		}
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *p = btf_params(t);

			if (t->type >= n)
				return -EINVAL;
			for (i = 0; i < btf_vlen(t); i++, p++)
				if (p->type >= n || !name_ok(btf, p->name_off))
					return -EINVAL;
			break;
		}
		case BTF_KIND_DATASEC: {
			const struct btf_var_secinfo *v = btf_var_secinfos(t);

			for (i = 0; i < btf_vlen(t); i++, v++)
				if (v->type >= n)
					return -EINVAL;
			break;
		}
		default:
			return -EINVAL;
		}
	}
	return 0;
}

/* Append to buf, never past len. */
static void append_fmt(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static const char *tname(const struct btf *btf, const struct btf_type *t)
{
	const char *n = btf__name_by_offset(btf, t->name_off);

	return n && *n ? n : NULL;
}

static void param_list(const struct btf *btf, const struct btf_type *proto,
		       char *buf, size_t len, int depth);

/* The C spelling of type id, followed by name (may be ""). Depth-limited:
 * a damaged BTF with reference loops prints "?" instead of looping. */
static void decl(const struct btf *btf, __u32 id, const char *name, char *buf,
		 size_t len, int depth)
{
	const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;
	const char *n;
	size_t used;

	if (id && (!t || depth > 16)) {
		append_fmt(buf, len, "?%s%s", *name ? " " : "", name);
		return;
	}
	if (!t) {
		append_fmt(buf, len, "void%s%s", *name ? " " : "", name);
		return;
	}
	n = tname(btf, t);
	switch (btf_kind(t)) {
	case BTF_KIND_PTR: {
		const struct btf_type *to = btf__type_by_id(btf, t->type);
		char inner[256];

		if (to && btf_is_func_proto(to)) {
			snprintf(inner, sizeof(inner), "(*%s)", name);
			decl(btf, to->type, inner, buf, len, depth + 1);
			param_list(btf, to, buf, len, depth + 1);
			return;
		}
		used = strlen(buf);
		decl(btf, t->type, "", buf, len, depth + 1);
		/* "struct x" + " *" ; "struct x *" + "*" */
		if (strlen(buf) > used && buf[strlen(buf) - 1] != '*')
			append_fmt(buf, len, " ");
		append_fmt(buf, len, "*%s", name);
		return;
	}
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
		append_fmt(buf, len, "%s ", btf_is_const(t) ? "const" :
		    btf_is_volatile(t) ? "volatile" : "restrict");
		decl(btf, t->type, name, buf, len, depth + 1);
		return;
	case BTF_KIND_TYPE_TAG:
		decl(btf, t->type, name, buf, len, depth + 1);
		return;
	case BTF_KIND_ARRAY:
		decl(btf, btf_array(t)->type, name, buf, len, depth + 1);
		append_fmt(buf, len, "[%u]", btf_array(t)->nelems);
		return;
	case BTF_KIND_STRUCT:
		append_fmt(buf, len, "struct %s", n ? n : "{...}");
		break;
	case BTF_KIND_UNION:
		append_fmt(buf, len, "union %s", n ? n : "{...}");
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		append_fmt(buf, len, "enum %s", n ? n : "{...}");
		break;
	case BTF_KIND_FWD:
		append_fmt(buf, len, "%s %s", btf_kflag(t) ? "union" : "struct",
		    n ? n : "?");
		break;
	default:
		append_fmt(buf, len, "%s", n ? n : "?");
		break;
	}
	if (*name)
		append_fmt(buf, len, " %s", name);
}

static void param_list(const struct btf *btf, const struct btf_type *proto,
		       char *buf, size_t len, int depth)
{
	const struct btf_param *p = btf_params(proto);
	int i, n = btf_vlen(proto);

	append_fmt(buf, len, "(");
	if (!n)
		append_fmt(buf, len, "void");
	for (i = 0; i < n; i++, p++) {
		const char *pn = btf__name_by_offset(btf, p->name_off);

		if (i)
			append_fmt(buf, len, ", ");
		if (!p->type && i == n - 1)
			append_fmt(buf, len, "...");
		else
			decl(btf, p->type, pn ? pn : "", buf, len, depth + 1);
	}
	append_fmt(buf, len, ")");
}

void btf_func_decl(const struct btf *btf, const struct btf_type *proto,
		   const char *name, char *buf, size_t len)
{
	decl(btf, proto->type, name, buf, len, 0);
	param_list(btf, proto, buf, len, 0);
}
