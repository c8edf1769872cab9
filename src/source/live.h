/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SVATOP_LIVE_H
#define SVATOP_LIVE_H

#include <stdbool.h>
#include "source/hooks.h"
#include "source/source.h"

struct btf;
struct ksyms;

/* The form the live source uses for a hook on a kernel with this BTF and
 * these symbols; FORM_NONE with *why set when it cannot be hooked. */
enum hook_form live_hook_form(const struct hook *h, const struct btf *btf,
			      const struct ksyms *ks, bool force_kprobe,
			      const char **why);

/* Drop the function hooks that present iommu_sva tracepoints replace;
 * true when any tracepoint is in use. */
bool live_prefer_tracepoints(enum hook_form *forms);

/* The form an open live source chose for hooks[hook_index]. */
enum hook_form live_source_form(struct source *src, int hook_index);

#endif
