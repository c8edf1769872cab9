// SPDX-License-Identifier: GPL-2.0
/*
 * Loads bpf/iopf.bpf.c beside the main object: the hook forms come from
 * the hook table (src/probe/hooks.c, the "iopf" rows), chosen by the same
 * rules `svatop probe` prints. Aggregates are read from the maps; records
 * go through the ring buffer only for trace.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "iopf.skel.h"
#include "probe/hooks.h"
#include "probe/kfacts.h"
#include "probe/verdict.h"
#include "source/bpf_err.h"
#include "source/iopf.h"

struct iopf_source {
	struct iopf_bpf *skel;
	struct ring_buffer *rb;
	iopf_event_fn fn;
	void *fn_ctx;
};

static void set_autoload(struct iopf_bpf *skel, const char *name, bool on)
{
	struct bpf_program *p = name ? bpf_object__find_program_by_name(skel->obj, name) : NULL;

	if (p)
		bpf_program__set_autoload(p, on);
}

/* The IOPF rows' forms; false (and why) when IOPF cannot be counted. */
static bool choose_forms(struct iopf_bpf *skel, const struct iopf_opts *o, char *why,
			 size_t len)
{
	struct bpf_program *prog;
	struct sva_report own;
	const struct sva_report *r = o->report;
	struct kfacts *k = NULL;
	bool ok;
	int i;

	if (!r) {
		if (kfacts_load(NULL, &k, why, len))
			return false;
		if (sva_classify(k, &own)) {
			kfacts_free(k);
			snprintf(why, len, "cannot classify this kernel");
			return false;
		}
		r = &own;
	}
	ok = iopf_traceable(r, why, len);
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	for (i = 0; ok && i < r->nhooks; i++) {
		const struct hook_status *st = &r->hooks[i];
		const struct hook *h = st->hook;
		bool fe = st->form == FORM_FENTRY, kp = st->form == FORM_KPROBE;

		if (!h->iopf)
			continue;
		if (!strncmp(h->target, "__mmu_notifier", 14) && !o->invalidations)
			fe = kp = false;
		set_autoload(skel, h->fentry_prog, fe);
		set_autoload(skel, h->fexit_prog, fe);
		set_autoload(skel, h->kprobe_prog, kp);
		set_autoload(skel, h->kretprobe_prog, kp);
	}
	if (k) {
		sva_report_free(&own);
		kfacts_free(k);
	}
	return ok;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct iopf_source *src = ctx;
	struct iopf_event ev;

	if (size < sizeof(ev))
		return 0;
	memcpy(&ev, data, sizeof(ev));
	return src->fn ? src->fn(&ev, src->fn_ctx) : 0;
}

int iopf_source_open(struct iopf_source **out, const struct iopf_opts *o, char *why,
		     size_t len)
{
	struct iopf_source *src = calloc(1, sizeof(*src));
	int err;

	if (!src)
		return -ENOMEM;
	src->skel = iopf_bpf__open();
	if (!src->skel) {
		err = -errno;
		snprintf(why, len, "opening the IOPF object: %s", BPF_ERRSTR(err));
		goto fail;
	}
	if (!choose_forms(src->skel, o, why, len)) {
		err = -EOPNOTSUPP;
		goto fail;
	}
	src->skel->rodata->emit_events = o->events;
	/* No records unless trace asked: the smallest ring buffer. */
	if (!o->events)
		bpf_map__set_max_entries(src->skel->maps.iopf_events, 4096);
	err = iopf_bpf__load(src->skel);
	if (!err) {
		bpf_report_verified(src->skel->obj, "iopf");
		err = iopf_bpf__attach(src->skel);
	}
	if (err) {
		snprintf(why, len, "loading the IOPF programs failed: %s", BPF_ERRSTR(err));
		goto fail;
	}
	if (o->events) {
		src->rb = ring_buffer__new(bpf_map__fd(src->skel->maps.iopf_events), on_sample,
					   src, NULL);
		if (!src->rb) {
			err = -errno;
			snprintf(why, len, "IOPF ring buffer: %s", BPF_ERRSTR(err));
			goto fail;
		}
	}
	*out = src;
	return 0;
fail:
	iopf_source_close(src);
	return err;
}

void iopf_source_close(struct iopf_source *src)
{
	if (!src)
		return;
	ring_buffer__free(src->rb);
	iopf_bpf__destroy(src->skel);
	free(src);
}

/* Room for one more element of size sz in *v (cnt used of *cap). */
static int grow(void **v, size_t *cap, size_t cnt, size_t sz)
{
	void *nv;

	if (cnt < *cap)
		return 0;
	nv = realloc(*v, (*cap ? *cap * 2 : 16) * sz);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = *cap ? *cap * 2 : 16;
	return 0;
}

bool iopf_source_has_invals(const struct iopf_source *src)
{
	return bpf_program__autoload(src->skel->progs.kp_inval) ||
	       bpf_program__autoload(src->skel->progs.fe_inval);
}

int iopf_source_read(struct iopf_source *src, struct iopf_row **rows, size_t *n)
{
	int fd = bpf_map__fd(src->skel->maps.stats);
	struct iopf_key key, next, *prev = NULL;
	struct iopf_row *v = NULL;
	size_t cnt = 0, cap = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (grow((void **)&v, &cap, cnt, sizeof(*v))) {
			free(v);
			return -ENOMEM;
		}
		memset(&v[cnt], 0, sizeof(v[cnt]));
		if (bpf_map_lookup_elem(fd, &key, &v[cnt].s))
			continue;	/* deleted meanwhile */
		v[cnt].dev = key.dev;
		v[cnt].pasid = key.pasid;
		v[cnt].key_tgid = key.tgid;
		v[cnt].s.comm[sizeof(v[cnt].s.comm) - 1] = '\0';
		v[cnt].s.dev_name[sizeof(v[cnt].s.dev_name) - 1] = '\0';
		cnt++;
	}
	*rows = v;
	*n = cnt;
	return 0;
}

int iopf_source_read_invals(struct iopf_source *src, struct iopf_inval_row **rows, size_t *n)
{
	int fd = bpf_map__fd(src->skel->maps.invals);
	__u64 key, next, *prev = NULL;
	struct iopf_inval_row *v = NULL;
	size_t cnt = 0, cap = 0;

	/* The map holds at most IOPF_INVALS_MAX keys; the bound guards a
	 * walk restarted by concurrent deletions. */
	while (cnt < IOPF_INVALS_MAX && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (grow((void **)&v, &cap, cnt, sizeof(*v))) {
			free(v);
			return -ENOMEM;
		}
		v[cnt].mm = key;
		if (!bpf_map_lookup_elem(fd, &key, &v[cnt].s))
			cnt++;
	}
	*rows = v;
	*n = cnt;
	return 0;
}

int iopf_source_poll(struct iopf_source *src, int timeout_ms, iopf_event_fn fn, void *ctx)
{
	int n;

	if (!src->rb)
		return 0;
	src->fn = fn;
	src->fn_ctx = ctx;
	n = ring_buffer__poll(src->rb, timeout_ms);
	if (n == -EINTR)
		n = 0;
	if (n >= 0) {
		int m = ring_buffer__consume(src->rb);

		n = m < 0 ? m : n + m;
	}
	return n;
}
