// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gen.h"

static uint32_t gen_rand(struct gen *g)
{
	/* xorshift64*: cheap, deterministic, good enough for a mix */
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return (uint32_t)((g->rng * 0x2545f4914f6cdd1dULL) >> 32);
}

int gen_init(struct gen *g, uint32_t nslots, uint64_t seed,
	     synth_emit_fn emit, void *ctx)
{
	int i;

	memset(g, 0, sizeof(*g));
	g->slot = calloc(nslots, sizeof(*g->slot));
	if (!g->slot)
		return -ENOMEM;
	g->nslots = nslots;
	g->next_tgid = 1000;
	g->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
	synth_init(&g->s, emit, ctx);
	/* Every live session and recording starts with the start-up
	 * snapshot: here an empty one (its end record). */
	synth_snapshot(&g->s, NULL, 0);
	for (i = 0; i < GEN_NDEVS; i++) {
		char name[32], iommu[32];

		snprintf(name, sizeof(name), "svamock-dev.%d", i);
		snprintf(iommu, sizeof(iommu), "svamock-iommu%d", i / 3);
		synth_dev_init(&g->dev[i], 0xffff888100001000ULL + 0x1000ULL * i, name,
			       0xffff888100900000ULL + 0x100000ULL * (i / 3), iommu);
	}
	return 0;
}

void gen_fini(struct gen *g)
{
	free(g->slot);
	g->slot = NULL;
}

static void proc_start(struct gen *g, struct gen_slot *sl)
{
	static const char *const comms[] = { "dsa-copy", "iaa-comp", "qat-sym", "accel-worker" };

	synth_proc_init(&g->s, &sl->p, g->next_tgid++, comms[gen_rand(g) % 4]);
	sl->used = true;
}

/* Exit: the release path unbinds what is left (unless the driver leaks,
 * which this mix does not do), the leader exits, the final mmdrop runs
 * later in another task. */
static void proc_end(struct gen *g, struct gen_slot *sl)
{
	if (sl->p.nbond)
		g->cnt.exits_bound++;
	while (sl->p.nbond) {
		while (sl->p.bond[0].users > 1)
			synth_unbind(&g->s, &sl->p, 0);
		synth_unbind(&g->s, &sl->p, 0);
		g->cnt.unbinds++;
	}
	synth_exit(&g->s, &sl->p);
	g->cnt.exits++;
	if (synth_mm_release(&g->s, &sl->p))
		g->cnt.releases++;
	sl->used = false;
}

static void proc_bind(struct gen *g, struct gen_slot *sl)
{
	const struct synth_dev *d = &g->dev[gen_rand(g) % GEN_NDEVS];
	int i, ndom = sl->p.ndom, nbond = sl->p.nbond;
	bool same_dev = false;

	for (i = 0; i < sl->p.nbond; i++)
		same_dev |= sl->p.bond[i].dev == d->ptr;
	if (synth_bind(&g->s, &sl->p, d) < 0)
		return;
	g->cnt.binds++;
	if (same_dev)
		g->cnt.rebinds++;
	else if (sl->p.ndom > ndom && ndom && sl->p.nbond > nbond)
		g->cnt.one_to_n++;
}

static void proc_fork(struct gen *g, struct gen_slot *sl)
{
	struct synth_proc child;

	/* The child inherits the file, not the bond; it runs briefly and
	 * exits (most forks of an accelerator user are helpers). Its mm
	 * never had SVA state, so its exit and mmdrop are not traced. */
	synth_fork(&g->s, &sl->p, &child, g->next_tgid++, false);
	synth_free_ptr(&g->s, child.mm);
	g->cnt.forks++;
}

void gen_step(struct gen *g)
{
	struct gen_slot *sl = &g->slot[gen_rand(g) % g->nslots];
	uint32_t r;

	if (!sl->used) {
		proc_start(g, sl);
		proc_bind(g, sl);
		return;
	}
	r = gen_rand(g) % 100;
	if (!sl->p.nbond || r < 35) {
		proc_bind(g, sl);
	} else if (r < 75) {
		synth_unbind(&g->s, &sl->p, gen_rand(g) % sl->p.nbond);
		g->cnt.unbinds++;
	} else if (r < 85) {
		proc_fork(g, sl);
	} else {
		proc_end(g, sl);
	}
}

void gen_drain(struct gen *g)
{
	uint32_t i;

	for (i = 0; i < g->nslots; i++)
		if (g->slot[i].used)
			proc_end(g, &g->slot[i]);
}
