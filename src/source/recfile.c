// SPDX-License-Identifier: GPL-2.0
/* Record files: writer and the reading source. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <zlib.h>
#include <zstd.h>
#include "common/log.h"
#include "common/safefile.h"
#include "source/recfile.h"

struct rec_writer {
	struct safe_file sf;
	FILE *f;		/* sf.f */
	struct svatop_event *buf;
	uint32_t n;
	unsigned char *comp;
	int err;
};

/* The real errno (ENOSPC says so), never a blanket EIO. */
static int write_all(FILE *f, const void *p, size_t n)
{
	errno = 0;
	return fwrite(p, 1, n, f) == n ? 0 : errno ? -errno : -EIO;
}

int rec_writer_open(struct rec_writer **out, const char *path, const char *source_desc,
		    unsigned flags)
{
	struct rec_header h = { 0 };
	struct rec_writer *w;
	struct utsname u;
	struct timespec ts;
	int err;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->buf = calloc(REC_BLOCK_MAX_EVENTS, sizeof(*w->buf));
	w->comp = malloc(REC_BLOCK_MAX_COMP);
	err = w->buf && w->comp ? safe_file_open(&w->sf, path, flags) : -ENOMEM;
	if (err) {
		free(w->buf);
		free(w->comp);
		free(w);
		return err;
	}
	w->f = w->sf.f;
	memcpy(h.magic, REC_MAGIC, sizeof(h.magic));
	h.version = REC_VERSION;
	h.header_size = sizeof(h);
	h.event_size = sizeof(struct svatop_event);
	h.abi_version = SVATOP_ABI_VERSION;
	clock_gettime(CLOCK_REALTIME, &ts);
	h.created_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	if (!uname(&u)) {
		snprintf(h.kernel_release, sizeof(h.kernel_release), "%.63s", u.release);
		snprintf(h.hostname, sizeof(h.hostname), "%.63s", u.nodename);
	}
	snprintf(h.source, sizeof(h.source), "%.63s", source_desc ? source_desc : "");
	h.crc = crc32(0, (const void *)&h, offsetof(struct rec_header, crc));
	err = write_all(w->f, &h, sizeof(h));
	if (err) {
		rec_writer_abort(w);
		return err;
	}
	*out = w;
	return 0;
}

static int write_block(struct rec_writer *w, uint32_t type, uint32_t count,
		       const void *raw, uint32_t raw_len)
{
	struct rec_block b = { .magic = REC_BLOCK_MAGIC, .type = type, .count = count,
			       .raw_len = raw_len };
	uLongf clen = REC_BLOCK_MAX_COMP;
	size_t zlen;

	if (type == REC_BLOCK_EVENTS_ZSTD) {
		zlen = ZSTD_compress(w->comp, REC_BLOCK_MAX_COMP, raw, raw_len, 1);
		if (ZSTD_isError(zlen))
			return -EIO;
		clen = zlen;
	} else if (compress2(w->comp, &clen, raw, raw_len, 1) != Z_OK) {
		return -EIO;
	}
	b.comp_len = clen;
	b.crc = crc32(0, w->comp, clen);
	return write_all(w->f, &b, sizeof(b)) ?: write_all(w->f, w->comp, clen);
}

int rec_writer_flush(struct rec_writer *w)
{
	int err;

	if (w->err)
		return w->err;
	if (w->n) {
		err = write_block(w, REC_BLOCK_EVENTS_ZSTD, w->n, w->buf,
				  w->n * sizeof(*w->buf));
		w->n = 0;
		if (err)
			return w->err = err;
	}
	if (fflush(w->f))
		return w->err = -errno;
	return 0;
}

int rec_writer_add(struct rec_writer *w, const struct svatop_event *ev)
{
	if (w->err)
		return w->err;
	w->buf[w->n++] = *ev;
	if (w->n == REC_BLOCK_MAX_EVENTS)
		return rec_writer_flush(w);
	return 0;
}

/* A stats block holds 3 counters and 1 to REC_STATS_MAX_TYPES per-type ones. */
static bool stats_len_ok(uint32_t len)
{
	return len % sizeof(uint64_t) == 0 && len >= 4 * sizeof(uint64_t) &&
	       len <= (3 + REC_STATS_MAX_TYPES) * sizeof(uint64_t);
}

int rec_writer_close(struct rec_writer *w, const struct source_stats *stats)
{
	struct rec_stats s = { 0 };
	int err;

	err = rec_writer_flush(w);
	if (!err && stats) {
		s.submitted = stats->submitted;
		s.dropped = stats->dropped;
		s.delivered = stats->delivered;
		memcpy(s.dropped_by_type, stats->dropped_by_type,
		       sizeof(s.dropped_by_type));
		err = write_block(w, REC_BLOCK_STATS, 1, &s, sizeof(s));
	}
	if (err)
		safe_file_abort(&w->sf);
	else
		err = safe_file_commit(&w->sf);
	free(w->buf);
	free(w->comp);
	free(w);
	return err;
}

void rec_writer_abort(struct rec_writer *w)
{
	safe_file_abort(&w->sf);
	free(w->buf);
	free(w->comp);
	free(w);
}

/* ---- reader --------------------------------------------------------- */

struct file_source {
	struct source base;
	FILE *f;
	char *path;
	struct rec_header hdr;
	struct svatop_event *buf;
	unsigned char *comp;
	ZSTD_DCtx *zd;		/* window bounded: a block is at most 754 KB */
	uint32_t n, pos;
	uint64_t offset;	/* of the next block */
	uint64_t block_off;	/* of the events block in buf */
	struct rec_stats stats;
	uint64_t delivered;
	bool have_stats;
	bool done;
	char desc[160];
};

/*
 * SVATOP_FUZZ_NO_CRC (the fuzz targets' build only, tools/bench.mk): the
 * reader takes blocks and the header whatever their CRC-32 and zlib's
 * Adler-32 say, so a mutated recording reaches the decoder, the session,
 * the model and the rules instead of stopping at the first checksum.
 * svatop itself is never built this way.
 */
#ifdef SVATOP_FUZZ_NO_CRC
#define crc_ok(crc, p, n)	((void)(crc), (void)(p), (void)(n), true)

/* zlib's uncompress() without the Adler-32: the deflate stream after the
 * two-byte zlib header, inflated raw (the trailer is never read). */
static int rec_uncompress(void *dst, uLongf *dst_len, const unsigned char *src, uLong len)
{
	z_stream z = { 0 };
	int ret;

	if (len < 2 || inflateInit2(&z, -MAX_WBITS) != Z_OK)
		return Z_DATA_ERROR;
	z.next_in = (unsigned char *)src + 2;
	z.avail_in = len - 2;
	z.next_out = dst;
	z.avail_out = *dst_len;
	ret = inflate(&z, Z_FINISH);
	*dst_len = z.total_out;
	inflateEnd(&z);
	return ret == Z_STREAM_END ? Z_OK : Z_DATA_ERROR;
}
#else
#define crc_ok(crc, p, n)	(crc32(0, (const void *)(p), (n)) == (crc))
#define rec_uncompress		uncompress
#endif

static int refuse_at_offset(struct file_source *fs, const char *what)
{
	p_err("%s: %s at offset %llu", fs->path, what, (unsigned long long)fs->offset);
	return -EBADMSG;
}

/* Read the next block into fs->buf; 1 when the file ended cleanly. */
static int next_block(struct file_source *fs)
{
	struct rec_block b;
	uLongf raw_len;
	size_t got;

	for (;;) {
		got = fread(&b, 1, sizeof(b), fs->f);
		if (got == 0 && feof(fs->f)) {
			if (!fs->have_stats)
				p_err("%s: the recording ends at offset %llu without its final "
				      "stats block (recorder killed?): lost-event counts unknown",
				      fs->path, (unsigned long long)fs->offset);
			return 1;
		}
		if (got != sizeof(b))
			return refuse_at_offset(fs, "truncated block header");
		if (b.magic != REC_BLOCK_MAGIC)
			return refuse_at_offset(fs, "corrupt block (bad magic)");
		if (b.comp_len > REC_BLOCK_MAX_COMP ||
		    ((b.type == REC_BLOCK_EVENTS || b.type == REC_BLOCK_EVENTS_ZSTD) &&
		     (b.count == 0 || b.count > REC_BLOCK_MAX_EVENTS ||
		      b.raw_len != b.count * sizeof(struct svatop_event))) ||
		    (b.type == REC_BLOCK_STATS && !stats_len_ok(b.raw_len)))
			return refuse_at_offset(fs, "corrupt block (impossible sizes)");
		if (b.type != REC_BLOCK_EVENTS && b.type != REC_BLOCK_STATS &&
		    (b.type != REC_BLOCK_EVENTS_ZSTD || fs->hdr.version < 2))
			return refuse_at_offset(fs, "unknown block type");
		if (fread(fs->comp, 1, b.comp_len, fs->f) != b.comp_len)
			return refuse_at_offset(fs, "truncated block");
		if (!crc_ok(b.crc, fs->comp, b.comp_len))
			return refuse_at_offset(fs, "checksum mismatch in block");
		if (fs->have_stats)	/* the writer's last block, see rec_writer_close() */
			return refuse_at_offset(fs, "block after the final stats block");
		raw_len = b.raw_len;
		if (b.type == REC_BLOCK_STATS) {
			uint64_t st[3 + REC_STATS_MAX_TYPES];

			if (rec_uncompress((void *)st, &raw_len, fs->comp,
				       b.comp_len) != Z_OK || raw_len != b.raw_len)
				return refuse_at_offset(fs, "corrupt stats block");
			/* Another svatop's type count: keep the types both know. */
			memset(&fs->stats, 0, sizeof(fs->stats));
			memcpy(&fs->stats, st, raw_len < sizeof(fs->stats) ?
			       raw_len : sizeof(fs->stats));
			fs->offset += sizeof(b) + b.comp_len;
			fs->have_stats = true;
			continue;
		}
		if (b.type == REC_BLOCK_EVENTS_ZSTD) {
			size_t got = ZSTD_decompressDCtx(fs->zd, fs->buf, b.raw_len, fs->comp,
							 b.comp_len);

			if (ZSTD_isError(got) || got != b.raw_len)
				return refuse_at_offset(fs, "corrupt compressed block");
		} else if (rec_uncompress((void *)fs->buf, &raw_len, fs->comp,
					  b.comp_len) != Z_OK || raw_len != b.raw_len) {
			return refuse_at_offset(fs, "corrupt compressed block");
		}
		fs->block_off = fs->offset;
		fs->offset += sizeof(b) + b.comp_len;
		fs->n = b.count;
		fs->pos = 0;
		return 0;
	}
}

static int file_poll(struct source *src, int timeout_ms, source_event_fn fn,
		     void *ctx)
{
	struct file_source *fs = (void *)src;
	int delivered = 0, err;

	(void)timeout_ms;
	if (fs->done)
		return -ENODATA;
	if (fs->pos == fs->n) {
		err = next_block(fs);
		if (err < 0)
			return err;
		if (err == 1) {
			fs->done = true;
			return -ENODATA;
		}
	}
	while (fs->pos < fs->n) {
		const struct svatop_event *ev = &fs->buf[fs->pos++];

		if (ev->version != SVATOP_ABI_VERSION) {
			p_err("%s: record %u of the block at offset %llu has ABI version %u, "
			      "this svatop reads %u", fs->path, fs->pos - 1,
			      (unsigned long long)fs->block_off, ev->version, SVATOP_ABI_VERSION);
			return -EBADMSG;
		}
		fs->delivered++;
		delivered++;
		err = fn(ev, ctx);
		if (err)
			return err;
	}
	return delivered;
}

static void file_stats(struct source *src, struct source_stats *out)
{
	struct file_source *fs = (void *)src;

	memset(out, 0, sizeof(*out));
	out->submitted = fs->stats.submitted;
	out->dropped = fs->stats.dropped;
	out->delivered = fs->delivered;
	memcpy(out->dropped_by_type, fs->stats.dropped_by_type,
	       sizeof(out->dropped_by_type));
}

static void file_close(struct source *src)
{
	struct file_source *fs = (void *)src;

	if (fs->f)
		fclose(fs->f);
	free(fs->buf);
	free(fs->comp);
	ZSTD_freeDCtx(fs->zd);
	free(fs->path);
	free(fs);
}

static const char *file_describe(struct source *src)
{
	return ((struct file_source *)src)->desc;
}

static const struct source_ops file_ops = {
	.poll = file_poll,
	.stats = file_stats,
	.close = file_close,
	.describe = file_describe,
};

const struct rec_header *file_source_header(struct source *src)
{
	return &((struct file_source *)src)->hdr;
}

int file_source_open(struct source **out, const char *path)
{
	struct file_source *fs;
	int err;

	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->base.ops = &file_ops;
	fs->path = strdup(path);
	fs->buf = calloc(REC_BLOCK_MAX_EVENTS, sizeof(*fs->buf));
	fs->comp = malloc(REC_BLOCK_MAX_COMP);
	fs->zd = ZSTD_createDCtx();
	/* 2^20: a block's frame needs at most its 754 KB; a forged frame
	 * asking for a bigger window is refused, not allocated */
	if (fs->zd && ZSTD_isError(ZSTD_DCtx_setParameter(fs->zd, ZSTD_d_windowLogMax, 20))) {
		ZSTD_freeDCtx(fs->zd);
		fs->zd = NULL;
	}
	if (!fs->path || !fs->buf || !fs->comp || !fs->zd) {
		file_close(&fs->base);
		return -ENOMEM;
	}
	fs->f = fopen(path, "rb");
	if (!fs->f) {
		err = -errno;
		p_err("%s: %s", path, strerror(-err));
		file_close(&fs->base);
		return err;
	}
	if (fread(&fs->hdr, 1, sizeof(fs->hdr), fs->f) != sizeof(fs->hdr)) {
		err = refuse_at_offset(fs, "truncated header (not a complete svatop recording)");
		goto fail;
	}
	if (memcmp(fs->hdr.magic, REC_MAGIC, sizeof(fs->hdr.magic))) {
		err = refuse_at_offset(fs, "not an svatop recording (bad magic)");
		goto fail;
	}
	if (fs->hdr.version < REC_VERSION_MIN || fs->hdr.version > REC_VERSION) {
		p_err("%s: recording format version %u, this svatop reads versions %d to %d",
		      path, fs->hdr.version, REC_VERSION_MIN, REC_VERSION);
		err = -EPROTONOSUPPORT;
		goto fail;
	}
	if (!crc_ok(fs->hdr.crc, &fs->hdr, offsetof(struct rec_header, crc))) {
		err = refuse_at_offset(fs, "header checksum mismatch");
		goto fail;
	}
	if (fs->hdr.header_size != sizeof(fs->hdr) ||
	    fs->hdr.event_size != sizeof(struct svatop_event) ||
	    fs->hdr.abi_version != SVATOP_ABI_VERSION) {
		p_err("%s: recorded with event ABI %u (%u bytes), this svatop reads ABI %d",
		      path, fs->hdr.abi_version, fs->hdr.event_size, SVATOP_ABI_VERSION);
		err = -EPROTONOSUPPORT;
		goto fail;
	}
	fs->offset = sizeof(fs->hdr);
	fs->hdr.kernel_release[sizeof(fs->hdr.kernel_release) - 1] = 0;
	fs->hdr.hostname[sizeof(fs->hdr.hostname) - 1] = 0;
	fs->hdr.source[sizeof(fs->hdr.source) - 1] = 0;
	snprintf(fs->desc, sizeof(fs->desc), "recording of %s (kernel %s)",
		 fs->hdr.hostname, fs->hdr.kernel_release);
	*out = &fs->base;
	return 0;
fail:
	file_close(&fs->base);
	return err;
}
