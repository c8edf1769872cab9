// SPDX-License-Identifier: GPL-2.0
/* Record files: round trip, and every way a damaged file is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "source/recfile.h"

#define N_EVENTS 10000

static char path[64];

static void make_event(struct svatop_event *ev, int i)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = 1 + i % (SVATOP_EV_MAX - 1);
	ev->version = SVATOP_ABI_VERSION;
	ev->ts_ns = 1000 + i;
	ev->pid = ev->tgid = 100 + i % 7;
	ev->mm = 0xffff888000000000ull + (i % 13) * 64;
	ev->pasid = i % 1000;
	snprintf(ev->dev_name, sizeof(ev->dev_name), "svamock-dev.%d", i % 4);
}

static int write_file(int n, uint64_t dropped)
{
	struct source_stats st = { .submitted = n + dropped, .dropped = dropped,
				   .delivered = n };
	struct svatop_event ev;
	struct rec_writer *w;
	int i, err;

	err = rec_writer_open(&w, path, "unit test", 0);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		make_event(&ev, i);
		err = rec_writer_add(w, &ev);
		if (err)
			return err;
	}
	return rec_writer_close(w, &st);
}

struct check_ctx {
	int n;
	int mismatches;
};

static int check_event(const struct svatop_event *ev, void *ctx)
{
	struct check_ctx *c = ctx;
	struct svatop_event want;

	make_event(&want, c->n++);
	if (memcmp(&want, ev, sizeof(want)))
		c->mismatches++;
	return 0;
}

static int read_all(struct check_ctx *c, struct source_stats *st)
{
	struct source *src;
	int err;

	err = file_source_open(&src, path);
	if (err)
		return err;
	while ((err = source_poll(src, 0, check_event, c)) > 0)
		;
	source_stats(src, st);
	source_close(src);
	return err == -ENODATA ? 0 : err;
}

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "/tmp/svatop-rec-test.%d", getpid());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void test_round_trip(void **state)
{
	struct check_ctx c = { 0 };
	struct source_stats st;
	struct stat sb;

	(void)state;
	assert_int_equal(write_file(N_EVENTS, 3), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(read_all(&c, &st), 0);
	assert_int_equal(c.n, N_EVENTS);
	assert_int_equal(c.mismatches, 0);
	assert_int_equal(st.dropped, 3);
	assert_int_equal(st.submitted, N_EVENTS + 3);
	assert_int_equal(st.delivered, N_EVENTS);
}

static void test_empty_recording(void **state)
{
	struct check_ctx c = { 0 };
	struct source_stats st;

	(void)state;
	assert_int_equal(write_file(0, 0), 0);
	assert_int_equal(read_all(&c, &st), 0);
	assert_int_equal(c.n, 0);
}

static void truncate_to(off_t len)
{
	assert_int_equal(truncate(path, len), 0);
}

static void test_truncated_everywhere(void **state)
{
	struct check_ctx c;
	struct source_stats st;
	struct stat sb;
	off_t len;

	(void)state;
	assert_int_equal(write_file(5000, 0), 0);
	assert_int_equal(stat(path, &sb), 0);
	/* Every cut inside the header or a block is an error, never a crash
	 * and never a clean end; cuts at block boundaries end early but are
	 * reported only by the missing stats (not checked here). */
	for (len = sb.st_size - 1; len > 0; len -= 997) {
		int err;

		unlink(path);	/* the writer refuses an existing file */
		assert_int_equal(write_file(5000, 0), 0);
		truncate_to(len);
		memset(&c, 0, sizeof(c));
		err = read_all(&c, &st);
		assert_true(err < 0 || c.n < 5000);
		assert_int_equal(c.mismatches, 0);
	}
}

static void flip_byte(off_t off)
{
	FILE *f = fopen(path, "r+b");
	int ch;

	assert_non_null(f);
	assert_int_equal(fseeko(f, off, SEEK_SET), 0);
	ch = fgetc(f);
	assert_int_equal(fseeko(f, off, SEEK_SET), 0);
	fputc(ch ^ 0x5a, f);
	fclose(f);
}

static void test_corrupt_payload_detected(void **state)
{
	struct check_ctx c = { 0 };
	struct source_stats st;

	(void)state;
	assert_int_equal(write_file(100, 0), 0);
	flip_byte(sizeof(struct rec_header) + sizeof(struct rec_block) + 10);
	assert_int_equal(read_all(&c, &st), -EBADMSG);
	assert_int_equal(c.n, 0);
}

static void test_corrupt_header_detected(void **state)
{
	struct check_ctx c = { 0 };
	struct source_stats st;

	(void)state;
	assert_int_equal(write_file(10, 0), 0);
	flip_byte(offsetof(struct rec_header, hostname));
	assert_int_equal(read_all(&c, &st), -EBADMSG);
}

static void test_future_version_refused(void **state)
{
	struct check_ctx c = { 0 };
	struct source_stats st;
	struct rec_header h;
	FILE *f;

	(void)state;
	assert_int_equal(write_file(10, 0), 0);
	f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fread(&h, sizeof(h), 1, f), 1);
	h.version = REC_VERSION + 1;
	rewind(f);
	assert_int_equal(fwrite(&h, sizeof(h), 1, f), 1);
	fclose(f);
	assert_int_equal(read_all(&c, &st), -EPROTONOSUPPORT);
}

static void test_not_a_recording(void **state)
{
	struct check_ctx c = { 0 };
	struct source_stats st;
	FILE *f = fopen(path, "wb");

	(void)state;
	assert_non_null(f);
	fputs("this is not an svatop recording, it is some text of enough length "
	      "to fill a header and more, more, more, more, more, more, more, more, "
	      "more, more, more, more, more, more, more, more, more, more, more.\n", f);
	fclose(f);
	assert_int_equal(read_all(&c, &st), -EBADMSG);
	assert_int_equal(read_all(&c, &st), -EBADMSG);
}

/* The stats block is the writer's last: a block after it (a recording
 * spliced onto another, or damage) is refused, not replayed. */
static void test_block_after_stats_refused(void **state)
{
	struct check_ctx c = { 0 };
	struct source_stats st;
	struct rec_block b;
	char *all;
	long size;
	size_t ev_len;
	FILE *f;

	(void)state;
	assert_int_equal(write_file(10, 0), 0);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	rewind(f);
	all = malloc(size);
	assert_non_null(all);
	assert_int_equal(fread(all, 1, size, f), (size_t)size);
	fclose(f);
	/* header, one events block, the stats block: append the events block */
	memcpy(&b, all + sizeof(struct rec_header), sizeof(b));
	assert_int_equal(b.type, REC_BLOCK_EVENTS_ZSTD);
	ev_len = sizeof(b) + b.comp_len;
	f = fopen(path, "ab");
	assert_non_null(f);
	assert_int_equal(fwrite(all + sizeof(struct rec_header), 1, ev_len, f), ev_len);
	fclose(f);
	free(all);
	assert_int_equal(read_all(&c, &st), -EBADMSG);
	assert_int_equal(c.n, 10);
	assert_int_equal(c.mismatches, 0);
}

/* The file as version 1 wrote it: the first block's events recompressed
 * with zlib (block type 1), the header's version set to 1 (or zstd blocks
 * kept under a version-1 header when zstd_in_v1). */
static void rewrite_as_v1(bool zstd_in_v1)
{
	struct rec_header h;
	struct rec_block b, nb;
	unsigned char *comp, *raw, *rest;
	uLongf clen, rlen;
	long size, tail;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	rewind(f);
	assert_int_equal(fread(&h, 1, sizeof(h), f), sizeof(h));
	assert_int_equal(fread(&b, 1, sizeof(b), f), sizeof(b));
	assert_int_equal(b.type, REC_BLOCK_EVENTS_ZSTD);
	comp = malloc(REC_BLOCK_MAX_COMP);
	raw = malloc(b.raw_len);
	assert_non_null(comp);
	assert_non_null(raw);
	assert_int_equal(fread(comp, 1, b.comp_len, f), b.comp_len);
	assert_int_equal(ZSTD_decompress(raw, b.raw_len, comp, b.comp_len), b.raw_len);
	tail = size - (long)(sizeof(h) + sizeof(b) + b.comp_len);
	rest = malloc(tail);
	assert_non_null(rest);
	assert_int_equal(fread(rest, 1, tail, f), (size_t)tail);
	fclose(f);
	nb = b;
	if (!zstd_in_v1) {
		clen = REC_BLOCK_MAX_COMP;
		rlen = b.raw_len;
		assert_int_equal(compress2(comp, &clen, raw, rlen, 1), Z_OK);
		nb.type = REC_BLOCK_EVENTS;
		nb.comp_len = clen;
		nb.crc = crc32(0, comp, clen);
	}
	h.version = 1;
	h.crc = crc32(0, (const void *)&h, offsetof(struct rec_header, crc));
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(&h, 1, sizeof(h), f), sizeof(h));
	assert_int_equal(fwrite(&nb, 1, sizeof(nb), f), sizeof(nb));
	assert_int_equal(fwrite(comp, 1, nb.comp_len, f), nb.comp_len);
	assert_int_equal(fwrite(rest, 1, tail, f), (size_t)tail);
	assert_int_equal(fclose(f), 0);
	free(comp);
	free(raw);
	free(rest);
}

/* Recordings of version 1 (zlib event blocks) still replay, event for
 * event; a zstd block under a version-1 header is damage, refused. */
static void test_version1_zlib_still_read(void **state)
{
	struct check_ctx c = { 0 };
	struct source_stats st;

	(void)state;
	assert_int_equal(write_file(300, 2), 0);
	rewrite_as_v1(false);
	assert_int_equal(read_all(&c, &st), 0);
	assert_int_equal(c.n, 300);
	assert_int_equal(c.mismatches, 0);
	assert_int_equal(st.dropped, 2);
	memset(&c, 0, sizeof(c));
	unlink(path);
	assert_int_equal(write_file(300, 2), 0);
	rewrite_as_v1(true);
	assert_int_equal(read_all(&c, &st), -EBADMSG);
	assert_int_equal(c.n, 0);
}

/* A record of another ABI version: one line that names the record and the
 * offset of its block (the first block starts right after the header). */
static void test_abi_version_names_block(void **state)
{
	char errpath[80], msg[512] = "", want[128];
	struct check_ctx c = { 0 };
	struct source_stats st;
	struct svatop_event ev;
	struct rec_writer *w;
	int saved, fd, i;
	FILE *f;

	(void)state;
	assert_int_equal(rec_writer_open(&w, path, "unit test", 0), 0);
	for (i = 0; i < 3; i++) {
		make_event(&ev, i);
		if (i == 2)
			ev.version = SVATOP_ABI_VERSION + 7;
		assert_int_equal(rec_writer_add(w, &ev), 0);
	}
	assert_int_equal(rec_writer_close(w, NULL), 0);
	snprintf(errpath, sizeof(errpath), "%s.err", path);
	fflush(stderr);
	saved = dup(2);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	assert_int_equal(read_all(&c, &st), -EBADMSG);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(errpath, "r");
	assert_non_null(f);
	assert_int_equal(fread(msg, 1, sizeof(msg) - 1, f) > 0, 1);
	fclose(f);
	unlink(errpath);
	assert_int_equal(c.n, 2);
	snprintf(want, sizeof(want), "record 2 of the block at offset %zu has ABI version %u",
		 sizeof(struct rec_header), SVATOP_ABI_VERSION + 7);
	if (!strstr(msg, want))
		fail_msg("want '%s' in: %s", want, msg);
	assert_null(strchr(msg, '\n') == msg + strlen(msg) - 1 ? NULL : msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_recording, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_everywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_payload_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_header_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_future_version_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_recording, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_after_stats_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abi_version_names_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version1_zlib_still_read, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
