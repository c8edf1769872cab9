// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the fuzz target's seed corpus: small but complete recordings of
 * the SVA lifecycles (from the synthetic kernel), and the damaged forms
 * the reader must refuse. Usage: mkcorpus DIR. The output is committed
 * (tests/fuzz/corpus/); rerun only when the format changes. Beside it,
 * tests/fuzz/corpus/lab_*.rec were recorded on the lab's 7.3 kernel
 * (svatop record -- svaload SCENARIOS; lab_storm: 3 x 40 bind/unbind).
 *
 * mkcorpus --events RECDIR OUTDIR: every recording in RECDIR the reader
 * accepts (the corpus above, or lab recordings) as a raw event array,
 * the seeds of tests/fuzz/fuzz_events.c (tests/fuzz/corpus-events/),
 * at most FUZZ_MAX_LEN bytes each (libFuzzer's -max_len).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "synth.h"
#include "source/recfile.h"
#include "gen.h"

static const char *dir;
static struct rec_writer *w;

static void emit(const struct svatop_event *ev, void *ctx)
{
	(void)ctx;
	if (rec_writer_add(w, ev))
		exit(1);
}

static void discard(const struct svatop_event *ev, void *ctx)
{
	(void)ev;
	(void)ctx;
}

static void begin(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (rec_writer_open(&w, path, "mkcorpus, synthetic", SAFE_FILE_REPLACE)) {
		perror(path);
		exit(1);
	}
}

static void end(uint64_t dropped, int with_stats)
{
	struct source_stats st = { .submitted = 0, .dropped = dropped };

	st.dropped_by_type[SVATOP_EV_UNBIND] = dropped;
	if (rec_writer_close(w, with_stats ? &st : NULL))
		exit(1);
}

static void devs(struct synth_dev *d0, struct synth_dev *d3)
{
	synth_dev_init(d0, 0xffff888100001000ULL, "svamock-dev.0",
		       0xffff888100900000ULL, "svamock-iommu0");
	synth_dev_init(d3, 0xffff888100004000ULL, "svamock-dev.3",
		       0xffff888100a00000ULL, "svamock-iommu1");
}

static void lifecycles(void)
{
	struct synth_proc p, q, c, *snap[1];
	struct synth_dev d0, d3;
	struct synth s;
	struct svatop_event ev;

	devs(&d0, &d3);

	begin("empty.rec");
	end(0, 1);

	begin("single.rec");
	synth_init(&s, emit, NULL);
	synth_proc_init(&s, &p, 100, "single");
	synth_unbind(&s, &p, synth_bind(&s, &p, &d0));
	synth_exit(&s, &p);
	synth_mm_release(&s, &p);
	end(0, 1);

	begin("one_to_n.rec");
	synth_init(&s, emit, NULL);
	synth_proc_init(&s, &p, 200, "one_to_n");
	synth_bind(&s, &p, &d0);
	synth_bind(&s, &p, &d3);
	synth_bind(&s, &p, &d0);
	synth_unbind(&s, &p, 0);
	synth_unbind(&s, &p, 0);
	synth_unbind(&s, &p, 0);
	synth_exit(&s, &p);
	synth_mm_release(&s, &p);
	end(0, 1);

	/* State from before the start, then a fork whose child shares the
	 * parent's iommu_mm (the bug rule), then leaks: exit without unbind. */
	begin("snapshot_fork_leak.rec");
	synth_init(&s, discard, NULL);	/* before svatop started */
	synth_proc_init(&s, &p, 300, "old");
	synth_bind(&s, &p, &d0);
	s.emit = emit;
	snap[0] = &p;
	synth_snapshot(&s, snap, 1);
	synth_fork(&s, &p, &c, 301, true);
	synth_proc_init(&s, &q, 302, "leaky");
	synth_bind(&s, &q, &d3);
	synth_exit(&s, &q);
	synth_event(&s, &ev, SVATOP_EV_BIND, &q);	/* a failed bind */
	ev.ret = -95;
	emit(&ev, NULL);
	end(3, 1);

	/* The recorder was killed: no stats block. */
	begin("no_stats.rec");
	synth_init(&s, emit, NULL);
	synth_proc_init(&s, &p, 400, "killed");
	synth_bind(&s, &p, &d0);
	end(0, 0);
}

/* More than one block of the realistic mix. */
static void mix(void)
{
	struct gen g;
	int i;

	begin("mix_two_blocks.rec");
	if (gen_init(&g, 16, 3, emit, NULL))
		exit(1);
	for (i = 0; i < 900; i++) {
		gen_step(&g);
		if (i == 450 && rec_writer_flush(w))	/* a block boundary */
			exit(1);
	}
	gen_drain(&g);
	gen_fini(&g);
	end(0, 1);
}

static long file_size(const char *name)
{
	char path[512];
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END))
		exit(1);
	n = ftell(f);
	fclose(f);
	return n;
}

/* copy SRC to DST, then let fix() damage the bytes */
static void damaged(const char *src, const char *dst, void (*fix)(unsigned char *, long *))
{
	char path[512];
	unsigned char *b;
	long n = file_size(src);
	FILE *f;

	b = malloc(n + 64);
	snprintf(path, sizeof(path), "%s/%s", dir, src);
	f = fopen(path, "rb");
	if (!b || !f || fread(b, 1, n, f) != (size_t)n)
		exit(1);
	fclose(f);
	fix(b, &n);
	snprintf(path, sizeof(path), "%s/%s", dir, dst);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != (size_t)n || fclose(f))
		exit(1);
	free(b);
}

static void fix_version(unsigned char *b, long *n)
{
	struct rec_header *h = (void *)b;

	(void)n;
	h->version = REC_VERSION + 1;
	h->crc = crc32(0, b, offsetof(struct rec_header, crc));
}

static void fix_truncate(unsigned char *b, long *n)
{
	(void)b;
	*n -= 17;
}

static void fix_flip(unsigned char *b, long *n)
{
	b[sizeof(struct rec_header) + sizeof(struct rec_block) + 5] ^= 0x40;
	(void)n;
}

#define FUZZ_MAX_LEN	65536

struct ev_out {
	FILE *f;
	size_t n;
};

static int write_event(const struct svatop_event *ev, void *ctx)
{
	struct ev_out *o = ctx;

	if ((o->n + 1) * sizeof(*ev) > FUZZ_MAX_LEN)
		return 0;
	o->n++;
	return fwrite(ev, sizeof(*ev), 1, o->f) == 1 ? 0 : -EIO;
}

static int events_corpus(const char *recdir, const char *outdir)
{
	char in[512], out[600];
	struct dirent *de;
	struct source *src;
	struct ev_out o;
	DIR *d = opendir(recdir);
	int ret, written = 0;

	if (!d) {
		perror(recdir);
		return 1;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".rec"))
			continue;
		snprintf(in, sizeof(in), "%s/%s", recdir, de->d_name);
		if (file_source_open(&src, in))
			continue;	/* a damaged file: the reader's seed only */
		snprintf(out, sizeof(out), "%s/%.*s.ev", outdir, (int)len - 4, de->d_name);
		o.f = fopen(out, "wb");
		o.n = 0;
		if (!o.f) {
			perror(out);
			return 1;
		}
		do
			ret = source_poll(src, 0, write_event, &o);
		while (ret > 0);
		source_close(src);
		if (fclose(o.f) || (ret != -ENODATA && ret != -EBADMSG)) {
			fprintf(stderr, "%s: %s\n", in, strerror(ret < 0 ? -ret : EIO));
			return 1;
		}
		if (!o.n)
			unlink(out);
		else
			written++;
	}
	closedir(d);
	printf("%d event arrays in %s\n", written, outdir);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--events"))
		return events_corpus(argv[2], argv[3]);
	if (argc != 2) {
		fprintf(stderr, "usage: mkcorpus DIR | mkcorpus --events RECDIR OUTDIR\n");
		return 2;
	}
	dir = argv[1];
	lifecycles();
	mix();
	damaged("single.rec", "future_version.rec", fix_version);
	damaged("one_to_n.rec", "truncated.rec", fix_truncate);
	damaged("one_to_n.rec", "bad_crc.rec", fix_flip);
	return 0;
}
