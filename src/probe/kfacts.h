/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel facts: what a kernel has, read from its own BTF and symbol table,
 * never from version strings or config files. Loaded from the running
 * kernel (/sys/kernel/btf/vmlinux, /proc/kallsyms, uname) or offline from
 * files (raw BTF or an ELF with .BTF, a vmlinuz/Image, a System.map).
 * `svatop probe` and the live source share it to pick hook forms.
 */
#ifndef SVATOP_PROBE_KFACTS_H
#define SVATOP_PROBE_KFACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ksyms;

struct btf;
struct kfacts;

struct kfacts_opts {
	const char *btf_path;		/* raw BTF or ELF with .BTF */
	const char *image_path;		/* vmlinuz (bzImage, Image, Image.gz, zboot) */
	const char *symbols_path;	/* System.map or a kallsyms copy */
	const char *arch;		/* "x86" or "arm64"; NULL: detect */
	/* The running kernel from BTF alone: /proc/kallsyms not read until
	 * kfacts_load_live_symbols() (the live source's BTF-first start,
	 * src/source/live.c). */
	bool live_btf_only;
};

/* Tri-state answer: a fact can be unknown when its source was not given. */
enum kfact {
	KF_NO = 0,
	KF_YES = 1,
	KF_UNKNOWN = -1,
};

/*
 * Load facts. All of opts NULL (or opts == NULL): the running kernel.
 * Any file given: offline; only the files given are read.
 * Returns 0, or -errno with a one-line reason in err.
 */
int kfacts_load(const struct kfacts_opts *opts, struct kfacts **out,
		char *err, size_t errlen);
void kfacts_free(struct kfacts *k);
/* Live facts: add /proc/kallsyms (a no-op when the facts have symbols or
 * are offline). Unreadable with BTF at hand is not an error, as in
 * kfacts_load(). */
int kfacts_load_live_symbols(struct kfacts *k, char *err, size_t errlen);

bool kfacts_live(const struct kfacts *k);
const char *kfacts_arch(const struct kfacts *k);	/* "x86", "arm64", "unknown" */
bool kfacts_arch_detected(const struct kfacts *k);	/* arch came from BTF, not a given value */
const char *kfacts_release(const struct kfacts *k);	/* for display only; may be "" */
const char *kfacts_btf_source(const struct kfacts *k);	/* path or NULL */
const char *kfacts_symbols_source(const struct kfacts *k);	/* path or NULL */
struct btf *kfacts_btf(const struct kfacts *k);		/* NULL without BTF */
/* Raw BTF bytes (for the image extractor's users); NULL without BTF. */
const void *kfacts_btf_data(const struct kfacts *k, uint32_t *size);
size_t kfacts_symbol_count(const struct kfacts *k);

/* BTF: FUNC named name; returns its type id (first one, as libbpf picks)
 * and the number of FUNCs with that name in *count (may be NULL). */
int kfacts_btf_func(const struct kfacts *k, const char *name, int *count);
/* Function exists in BTF (KF_UNKNOWN without BTF). */
enum kfact kfacts_func_in_btf(const struct kfacts *k, const char *name);
/* Text symbol in kallsyms/System.map (KF_UNKNOWN without symbols). */
enum kfact kfacts_func_in_symbols(const struct kfacts *k, const char *name);
/* Any symbol (data too); *type gets its nm letter. */
enum kfact kfacts_symbol(const struct kfacts *k, const char *name, char *type);
/* The symbol's address, 0 when absent (or hidden: kallsyms read without
 * CAP_SYSLOG shows 0). */
uint64_t kfacts_symbol_addr(const struct kfacts *k, const char *name);
/* The parsed kallsyms, for the caller to keep (and ksyms_free); k answers
 * symbol questions with KF_UNKNOWN afterwards. NULL when none was read. */
struct ksyms *kfacts_take_ksyms(struct kfacts *k);
/* Distance from the symbol to the next higher address: an upper bound of
 * the function's size (exact with a complete kallsyms). 0 when unknown. */
uint64_t kfacts_symbol_size(const struct kfacts *k, const char *name);
/* Function exists at all: BTF or symbols say yes. */
enum kfact kfacts_func(const struct kfacts *k, const char *name);

/* struct/union/typedef/etc. named name of BTF kind kind (BTF_KIND_*). */
enum kfact kfacts_type(const struct kfacts *k, const char *name, int kind);
/* Member of a struct or union, also inside anonymous members. */
enum kfact kfacts_member(const struct kfacts *k, const char *type,
			 const char *member);
/* "struct iommu_sva *iommu_sva_bind_device(struct device *dev, ...)".
 * Returns 0, or -ENOENT without BTF or without the function. */
int kfacts_func_proto(const struct kfacts *k, const char *name, char *buf,
		      size_t len);

#endif
