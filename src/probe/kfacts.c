// SPDX-License-Identifier: GPL-2.0
/* Kernel facts from BTF and the symbol table (see kernel.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "common/hash.h"
#include "common/ksyms.h"
#include "common/log.h"
#include "probe/btf_util.h"
#include "probe/image.h"
#include "probe/kfacts.h"

#define LIVE_BTF	"/sys/kernel/btf/vmlinux"
#define LIVE_SYMS	"/proc/kallsyms"

struct kfacts {
	bool live;
	char arch[16];
	bool arch_detected;
	char release[128];
	char *btf_src;
	char *sym_src;
	struct btf *btf;
	void *btf_data;			/* raw bytes when extracted from an image */
	uint32_t btf_size;
	struct ksyms *syms;
	uint32_t *by_name;		/* BTF name index: type ids, 0 empty */
	uint32_t by_name_mask;
};

/*
 * The BTF's named types by name, built on the first lookup: libbpf's
 * btf__find_by_name_kind() scans every type, and classifying a kernel
 * asks it some 150 times (over half of a start-up's instructions, 150k
 * types each time). Linear probing with the ids inserted in order keeps
 * equal names in id order along their probe sequence.
 */
static const uint32_t *name_index(const struct kfacts *ck)
{
	struct kfacts *k = (struct kfacts *)ck;	/* a cache, not a change */
	uint32_t n, id, size = 16, j;

	if (k->by_name || !k->btf)
		return k->by_name;
	n = btf__type_cnt(k->btf);
	if (n >= UINT32_MAX / 4)
		return NULL;
	while (size < n * 2)
		size *= 2;
	k->by_name = calloc(size, sizeof(*k->by_name));
	if (!k->by_name)
		return NULL;
	k->by_name_mask = size - 1;
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(k->btf, id);
		const char *name = t && t->name_off ? btf__name_by_offset(k->btf, t->name_off) : NULL;

		if (!name || !*name)
			continue;
		for (j = str_hash(name) & k->by_name_mask; k->by_name[j];
		     j = (j + 1) & k->by_name_mask)
			;
		k->by_name[j] = id;
	}
	return k->by_name;
}

/* The first type id named NAME of KIND (0: none), as
 * btf__find_by_name_kind(); *count (if given): how many there are. */
static int find_by_name_kind(const struct kfacts *k, const char *name, int kind, int *count)
{
	const uint32_t *ix = name_index(k);
	int first = 0, cnt = 0;
	uint32_t j;

	if (count)
		*count = 0;
	if (!ix) {
		first = btf__find_by_name_kind(k->btf, name, kind);
		return first > 0 ? first : 0;
	}
	for (j = str_hash(name) & k->by_name_mask; ix[j]; j = (j + 1) & k->by_name_mask) {
		const struct btf_type *t = btf__type_by_id(k->btf, ix[j]);

		if (btf_kind(t) != kind || strcmp(btf__name_by_offset(k->btf, t->name_off), name))
			continue;
		if (!first)
			first = ix[j];
		cnt++;
		if (!count)
			break;
	}
	if (count)
		*count = cnt;
	return first;
}

static int load_symbols(struct kfacts *k, const char *path, char *err, size_t errlen)
{
	int ret = ksyms_open(&k->syms, path, err, errlen);

	if (ret)
		return ret;
	k->sym_src = strdup(path);
	return k->sym_src ? 0 : -ENOMEM;
}

/* Take ownership of a parsed BTF after checking it. */
static int adopt_btf(struct kfacts *k, struct btf *btf, const char *path,
		     char *err, size_t errlen)
{
	__u32 bad = 0;

	if (btf__type_cnt(btf) < 2) {
		btf__free(btf);
		errbuf_set(err, errlen, "%s: BTF holds no types", path);
		return -EINVAL;
	}
	if (btf_validate(btf, &bad)) {
		btf__free(btf);
		errbuf_set(err, errlen, "%s: damaged BTF (type %u refers outside the type or string table)",
			path, bad);
		return -EINVAL;
	}
	k->btf = btf;
	k->btf_src = strdup(path);
	return k->btf_src ? 0 : -ENOMEM;
}

static int load_btf_file(struct kfacts *k, const char *path, char *err,
			 size_t errlen)
{
	struct btf *btf;
	FILE *f;
	unsigned char magic[4] = { 0 };
	size_t got;

	f = fopen(path, "re");
	if (!f) {
		errbuf_set(err, errlen, "cannot open BTF file %s: %s", path,
			strerror(errno));
		return -ENOENT;
	}
	got = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	/* Raw BTF starts with 0xeB9F; else it must be an ELF with .BTF. */
	if (got == 4 && ((magic[0] == 0x9f && magic[1] == 0xeb) ||
			 (magic[0] == 0xeb && magic[1] == 0x9f)))
		btf = btf__parse_raw(path);
	else if (got == 4 && !memcmp(magic, "\177ELF", 4))
		btf = btf__parse_elf(path, NULL);
	else {
		errbuf_set(err, errlen,
			"%s is neither raw BTF (magic 0xeB9F) nor an ELF file with a .BTF section",
			path);
		return -EINVAL;
	}
	if (!btf) {
		int e = errno ? errno : EINVAL;

		errbuf_set(err, errlen, "%s: cannot parse BTF: %s", path,
			strerror(e));
		return -e;
	}
	return adopt_btf(k, btf, path, err, errlen);
}

static int load_btf_image(struct kfacts *k, const char *path, char *err,
			  size_t errlen)
{
	struct image_info info;
	struct btf *btf;
	int ret;

	ret = image_extract_btf(path, &info, err, errlen);
	if (ret)
		return ret;
	btf = btf__new(info.btf, info.btf_size);
	if (!btf) {
		ret = errno ? -errno : -EINVAL;
		errbuf_set(err, errlen, "%s: the BTF found in the image does not parse: %s",
			path, strerror(-ret));
		free(info.btf);
		return ret;
	}
	ret = adopt_btf(k, btf, path, err, errlen);
	if (ret) {
		free(info.btf);
		return ret;
	}
	k->btf_data = info.btf;
	k->btf_size = info.btf_size;
	if (info.release[0])
		snprintf(k->release, sizeof(k->release), "%s", info.release);
	if (info.arch[0] && !k->arch[0])
		snprintf(k->arch, sizeof(k->arch), "%s", info.arch);
	return 0;
}

/* The architecture from the kernel's own pt_regs layout. */
static const char *arch_from_btf(const struct kfacts *k)
{
	if (kfacts_member(k, "pt_regs", "orig_ax") == KF_YES)
		return "x86";
	if (kfacts_member(k, "pt_regs", "pstate") == KF_YES ||
	    kfacts_type(k, "user_pt_regs", BTF_KIND_STRUCT) == KF_YES)
		return "arm64";
	return NULL;
}

/* Kernel text addresses: x86-64 at 0xffffffff8..., arm64 below that. */
static const char *arch_from_symbols(const struct kfacts *k)
{
	size_t i;

	for (i = 0; k->syms && i < ksyms_count(k->syms); i++) {
		const struct ksym *s = ksyms_at(k->syms, i);

		if (!s->addr || !ksym_is_text(s->type))
			continue;
		if (s->addr >= 0xffffffff80000000ULL)
			return "x86";
		if (s->addr >= 0xffff000000000000ULL)
			return "arm64";
		return NULL;
	}
	return NULL;
}

static int normalize_arch(const char *in, char *out, size_t len)
{
	if (!strcmp(in, "x86") || !strcmp(in, "x86_64") || !strcmp(in, "amd64"))
		snprintf(out, len, "x86");
	else if (!strcmp(in, "arm64") || !strcmp(in, "aarch64"))
		snprintf(out, len, "arm64");
	else
		return -EINVAL;
	return 0;
}

int kfacts_load_live_symbols(struct kfacts *k, char *err, size_t errlen)
{
	int ret = 0;

	if (!k->live || k->syms)
		return 0;
	if (!access(LIVE_SYMS, R_OK))
		ret = load_symbols(k, LIVE_SYMS, err, errlen);
	return ret && k->btf ? 0 : ret;	/* unreadable kallsyms: BTF only */
}

int kfacts_load(const struct kfacts_opts *opts, struct kfacts **out,
		char *err, size_t errlen)
{
	struct kfacts_opts none = { 0 };
	struct kfacts *k;
	int ret = 0;

	*out = NULL;
	if (!opts)
		opts = &none;
	if (opts->btf_path && opts->image_path) {
		errbuf_set(err, errlen, "give --btf or --image, not both");
		return -EINVAL;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		errbuf_set(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (opts->arch && normalize_arch(opts->arch, k->arch, sizeof(k->arch))) {
		errbuf_set(err, errlen, "unknown architecture '%s' (use x86 or arm64)",
			opts->arch);
		ret = -EINVAL;
		goto fail;
	}
	k->live = !opts->btf_path && !opts->image_path && !opts->symbols_path;
	if (k->live) {
		struct utsname u;

		if (!uname(&u)) {
			snprintf(k->release, sizeof(k->release), "%s", u.release);
			if (!k->arch[0] && normalize_arch(u.machine, k->arch,
							  sizeof(k->arch)))
				snprintf(k->arch, sizeof(k->arch), "%.15s", u.machine);
		}
		/* Either source alone still gives a verdict (a kernel without
		 * BTF; a container without /proc/kallsyms). */
		if (!access(LIVE_BTF, R_OK))
			ret = load_btf_file(k, LIVE_BTF, err, errlen);
		if (ret)
			goto fail;
		if (!opts->live_btf_only)
			ret = kfacts_load_live_symbols(k, err, errlen);
		if (!ret && !k->btf && !k->syms) {
			errbuf_set(err, errlen, "neither %s nor %s is readable: nothing to decide from",
				LIVE_BTF, LIVE_SYMS);
			ret = -ENOENT;
		}
		if (ret)
			goto fail;
	} else {
		if (opts->btf_path)
			ret = load_btf_file(k, opts->btf_path, err, errlen);
		else if (opts->image_path)
			ret = load_btf_image(k, opts->image_path, err, errlen);
		if (!ret && opts->symbols_path)
			ret = load_symbols(k, opts->symbols_path, err, errlen);
		if (ret)
			goto fail;
		if (!k->arch[0]) {
			const char *a = arch_from_btf(k);

			if (!a)
				a = arch_from_symbols(k);

			if (a) {
				snprintf(k->arch, sizeof(k->arch), "%s", a);
				k->arch_detected = true;
			}
		}
	}
	if (!k->arch[0])
		snprintf(k->arch, sizeof(k->arch), "unknown");
	*out = k;
	return 0;
fail:
	kfacts_free(k);
	return ret;
}

void kfacts_free(struct kfacts *k)
{

	if (!k)
		return;
	btf__free(k->btf);
	free(k->by_name);
	free(k->btf_data);
	ksyms_free(k->syms);
	free(k->btf_src);
	free(k->sym_src);
	free(k);
}

bool kfacts_live(const struct kfacts *k) { return k->live; }
const char *kfacts_arch(const struct kfacts *k) { return k->arch; }
bool kfacts_arch_detected(const struct kfacts *k) { return k->arch_detected; }
const char *kfacts_release(const struct kfacts *k) { return k->release; }
const char *kfacts_btf_source(const struct kfacts *k) { return k->btf_src; }
const char *kfacts_symbols_source(const struct kfacts *k) { return k->sym_src; }
struct btf *kfacts_btf(const struct kfacts *k) { return k->btf; }
size_t kfacts_symbol_count(const struct kfacts *k) { return k->syms ? ksyms_count(k->syms) : 0; }

const void *kfacts_btf_data(const struct kfacts *k, uint32_t *size)
{
	if (!k->btf)
		return NULL;
	if (k->btf_data) {
		*size = k->btf_size;
		return k->btf_data;
	}
	return btf__raw_data(k->btf, size);
}

static const struct ksym *sym_lookup(const struct kfacts *k, const char *name)
{
	return k->syms ? ksyms_find(k->syms, name) : NULL;
}

int kfacts_btf_func(const struct kfacts *k, const char *name, int *count)
{
	if (count)
		*count = 0;
	if (!k->btf)
		return 0;
	return find_by_name_kind(k, name, BTF_KIND_FUNC, count);
}

enum kfact kfacts_func_in_btf(const struct kfacts *k, const char *name)
{
	if (!k->btf)
		return KF_UNKNOWN;
	return kfacts_btf_func(k, name, NULL) > 0 ? KF_YES : KF_NO;
}

enum kfact kfacts_func_in_symbols(const struct kfacts *k, const char *name)
{
	const struct ksym *s;

	if (!k->syms)
		return KF_UNKNOWN;
	s = sym_lookup(k, name);
	return s && ksym_is_text(s->type) ? KF_YES : KF_NO;
}

enum kfact kfacts_symbol(const struct kfacts *k, const char *name, char *type)
{
	const struct ksym *s;

	if (!k->syms)
		return KF_UNKNOWN;
	s = sym_lookup(k, name);
	if (s && type)
		*type = s->type;
	return s ? KF_YES : KF_NO;
}

uint64_t kfacts_symbol_addr(const struct kfacts *k, const char *name)
{
	const struct ksym *s = k->syms ? sym_lookup(k, name) : NULL;

	return s ? s->addr : 0;
}

struct ksyms *kfacts_take_ksyms(struct kfacts *k)
{
	struct ksyms *s = k->syms;

	k->syms = NULL;
	return s;
}

uint64_t kfacts_symbol_size(const struct kfacts *k, const char *name)
{
	const struct ksym *s = sym_lookup(k, name);

	/* kallsyms read without privileges shows every address as 0. */
	return s ? ksyms_size(k->syms, s) : 0;
}

enum kfact kfacts_func(const struct kfacts *k, const char *name)
{
	enum kfact b = kfacts_func_in_btf(k, name);
	enum kfact s = kfacts_func_in_symbols(k, name);

	if (b == KF_YES || s == KF_YES)
		return KF_YES;
	if (b == KF_UNKNOWN && s == KF_UNKNOWN)
		return KF_UNKNOWN;
	return KF_NO;
}

enum kfact kfacts_type(const struct kfacts *k, const char *name, int kind)
{
	if (!k->btf)
		return KF_UNKNOWN;
	return find_by_name_kind(k, name, kind, NULL) > 0 ? KF_YES : KF_NO;
}

static const struct btf_type *skip_mods(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int hops = 0;

	while (t && (btf_is_mod(t) || btf_is_typedef(t)) && hops++ < 32)
		t = btf__type_by_id(btf, t->type);
	return t && !btf_is_mod(t) && !btf_is_typedef(t) ? t : NULL;
}

static bool has_member(const struct btf *btf, const struct btf_type *t,
		       const char *member, int depth)
{
	const struct btf_member *m;
	int i;

	if (!t || depth > 8 || !(btf_is_struct(t) || btf_is_union(t)))
		return false;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);

		if (mn && *mn) {
			if (!strcmp(mn, member))
				return true;
			continue;
		}
		/* Anonymous struct/union: its members belong to t. */
		if (has_member(btf, skip_mods(btf, m->type), member, depth + 1))
			return true;
	}
	return false;
}

enum kfact kfacts_member(const struct kfacts *k, const char *type,
			 const char *member)
{
	int id;

	if (!k->btf)
		return KF_UNKNOWN;
	id = find_by_name_kind(k, type, BTF_KIND_STRUCT, NULL);
	if (id <= 0)
		id = find_by_name_kind(k, type, BTF_KIND_UNION, NULL);
	if (id <= 0)
		return KF_NO;
	return has_member(k->btf, btf__type_by_id(k->btf, id), member, 0) ?
	       KF_YES : KF_NO;
}

int kfacts_func_proto(const struct kfacts *k, const char *name, char *buf,
		      size_t len)
{
	const struct btf_type *t, *proto;
	int id;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	id = kfacts_btf_func(k, name, NULL);
	if (id <= 0)
		return -ENOENT;
	t = btf__type_by_id(k->btf, id);
	proto = btf__type_by_id(k->btf, t->type);
	if (!proto || !btf_is_func_proto(proto))
		return -EINVAL;
	btf_func_decl(k->btf, proto, name, buf, len);
	return 0;
}
