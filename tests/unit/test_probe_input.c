// SPDX-License-Identifier: GPL-2.0
/*
 * Damaged or unexpected input to `svatop probe`: a clear error, never a
 * crash (this binary runs under ASan/UBSan). Also the image extractor on
 * a gzip'd arm64-style Image built from a real kernel's BTF.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>
#include "probe/image.h"
#include "probe/kfacts.h"
#include "probe/verdict.h"
#include "test_kernels.h"

static char kdir[PATH_MAX / 2];
static char tmpdir[] = "/tmp/svatop-probe-input-XXXXXX";

static void find_kernels(void)
{
	test_kernels_dir(kdir, sizeof(kdir));
}

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	unsigned char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s (kernels expected in %s)", path, kdir);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*len = n;
	return buf;
}

static const char *write_tmp(const char *name, const void *data, size_t len)
{
	static char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

/* Load must fail with a message naming the problem, or succeed and then
 * classify without crashing. Returns the load result. */
static int load_and_classify(struct kfacts_opts *o, char *err, size_t errlen)
{
	struct kfacts *k = NULL;
	struct sva_report r;
	int ret;

	err[0] = '\0';
	ret = kfacts_load(o, &k, err, errlen);
	if (ret) {
		assert_null(k);
		assert_true(ret < 0);
		if (!err[0])
			fail_msg("load failed (%d) without a message", ret);
		return ret;
	}
	assert_int_equal(sva_classify(k, &r), 0);
	assert_true(sva_exit_status(&r) != PROBE_EXIT_USAGE);
	sva_report_free(&r);
	kfacts_free(k);
	return 0;
}

static void expect_error(struct kfacts_opts *o, const char *part)
{
	char err[512];

	assert_true(load_and_classify(o, err, sizeof(err)) < 0);
	if (part && !strstr(err, part))
		fail_msg("expected an error containing \"%s\", got \"%s\"", part, err);
}

static void test_missing_and_empty(void **state)
{
	struct kfacts_opts o = { .btf_path = "/nonexistent/btf" };

	expect_error(&o, "/nonexistent/btf");
	o.btf_path = write_tmp("empty", "", 0);
	expect_error(&o, "neither raw BTF");
	o.btf_path = tmpdir;	/* a directory */
	expect_error(&o, NULL);
	o.btf_path = NULL;
	o.symbols_path = "/nonexistent/System.map";
	expect_error(&o, "System.map");
	o.symbols_path = NULL;
	o.image_path = "/nonexistent/vmlinuz";
	expect_error(&o, "/nonexistent/vmlinuz");
}

static void test_bad_options(void **state)
{
	struct kfacts_opts o = { .btf_path = "x", .image_path = "y" };

	expect_error(&o, "not both");
	o.image_path = NULL;
	o.arch = "sparc";
	o.btf_path = write_tmp("empty", "", 0);
	expect_error(&o, "sparc");
}

static void test_garbage_files(void **state)
{
	unsigned char junk[4096];
	struct kfacts_opts o = { 0 };
	size_t i;

	srand(1);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = rand();
	o.btf_path = write_tmp("junk", junk, sizeof(junk));
	expect_error(&o, NULL);
	o.btf_path = NULL;
	o.symbols_path = write_tmp("junk", junk, sizeof(junk));
	expect_error(&o, "not a System.map");
	o.symbols_path = NULL;
	o.image_path = write_tmp("junk", junk, sizeof(junk));
	expect_error(&o, "not a kernel image");
	/* BTF magic followed by junk, and a header with huge lengths. */
	junk[0] = 0x9f; junk[1] = 0xeb; junk[2] = 1; junk[3] = 0;
	o.image_path = NULL;
	o.btf_path = write_tmp("junk-magic", junk, sizeof(junk));
	expect_error(&o, "cannot parse BTF");
	memset(junk + 4, 0xff, 20);
	o.btf_path = write_tmp("junk-huge", junk, sizeof(junk));
	expect_error(&o, "cannot parse BTF");
}

static void test_truncated_btf(void **state)
{
	char path[PATH_MAX];
	struct kfacts_opts o = { 0 };
	size_t len, cuts[] = { 3, 24, 100, 4096, 0, 0, 0 };
	unsigned char *btf;
	size_t i;

	snprintf(path, sizeof(path), "%s/6.12.95-bookworm-backports/btf", kdir);
	btf = read_all(path, &len);
	cuts[4] = len / 2;
	cuts[5] = len - 1;
	cuts[6] = len - 100000;
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		o.btf_path = write_tmp("truncated", btf, cuts[i]);
		expect_error(&o, NULL);
	}
	free(btf);
}

/* Random byte flips in a real BTF: an error or a verdict, never a crash. */
static void test_mutated_btf(void **state)
{
	char path[PATH_MAX], err[512];
	struct kfacts_opts o = { 0 };
	unsigned char *btf, *m;
	size_t len, i, j;
	int loaded = 0, rejected = 0;

	snprintf(path, sizeof(path), "%s/7.3.4-trixie-backports/btf", kdir);
	btf = read_all(path, &len);
	m = malloc(len);
	assert_non_null(m);
	srand(42);
	for (i = 0; i < 24; i++) {
		memcpy(m, btf, len);
		/* Header, type section (damage must be caught), then single
		 * flips in the strings (names change: loads and classifies). */
		for (j = 0; j < (i < 12 ? 16 : 1); j++) {
			size_t at = i < 4 ? (size_t)rand() % 24 :
				    i < 12 ? (size_t)rand() % (len / 2) :
				    len - 1 - (size_t)rand() % (len / 4);

			m[at] ^= 1 + rand() % 255;
		}
		o.btf_path = write_tmp("mutated", m, len);
		if (load_and_classify(&o, err, sizeof(err)))
			rejected++;
		else
			loaded++;
	}
	print_message("mutated BTF: %d rejected, %d loaded and classified\n",
		      rejected, loaded);
	assert_int_equal(loaded + rejected, 24);
	assert_true(rejected >= 12);	/* header and type damage is caught */
	assert_true(loaded > 0);	/* renamed strings still classify */
	free(m);
	free(btf);
}

/* A gzip'd arm64 Image with the real arm64 BTF inside: found, byte-exact. */
static void test_arm64_image_gz(void **state)
{
	char path[PATH_MAX], err[512], gzpath[PATH_MAX];
	unsigned char *btf, *img;
	size_t len, ilen, off = 2 << 20;
	struct image_info info;
	struct kfacts_opts o = { 0 };
	struct kfacts *k;
	struct sva_report r;
	gzFile gz;

	snprintf(path, sizeof(path), "%s/6.12.117-trixie-arm64/btf", kdir);
	btf = read_all(path, &len);
	ilen = off + len + (1 << 20);
	img = calloc(1, ilen);
	assert_non_null(img);
	memcpy(img, "MZ", 2);
	memcpy(img + 0x38, "ARM\x64", 4);
	/* Decoys: a bare magic and a header with inconsistent lengths. */
	memcpy(img + 4096, "\x9f\xeb\x01\x00\x18\x00\x00\x00", 8);
	memcpy(img + off, btf, len);
	snprintf((char *)img + off + len + 64, 128,
		 "Linux version 6.12.117+deb13-arm64 (test image)");

	snprintf(gzpath, sizeof(gzpath), "%s/Image.gz", tmpdir);
	gz = gzopen(gzpath, "wb1");
	assert_non_null(gz);
	assert_int_equal(gzwrite(gz, img, ilen), (int)ilen);
	gzclose(gz);

	assert_int_equal(image_extract_btf(gzpath, &info, err, sizeof(err)), 0);
	assert_int_equal(info.btf_size, len);
	assert_memory_equal(info.btf, btf, len);
	assert_string_equal(info.arch, "arm64");
	assert_string_equal(info.release, "6.12.117+deb13-arm64");
	free(info.btf);

	o.image_path = gzpath;
	assert_int_equal(kfacts_load(&o, &k, err, sizeof(err)), 0);
	assert_int_equal(sva_classify(k, &r), 0);
	assert_int_equal(r.verdict, SVA_NOT_BUILT);
	assert_string_equal(kfacts_arch(k), "arm64");
	sva_report_free(&r);
	kfacts_free(k);

	/* The same image cut short: a clear error. */
	o.image_path = write_tmp("Image-cut", img, off + len / 2);
	expect_error(&o, "no BTF");
	free(img);
	free(btf);
}

static void test_corrupt_payloads(void **state)
{
	unsigned char hdr[0x1000] = { 0 };
	struct kfacts_opts o = { 0 };
	unsigned char gzjunk[256] = { 0x1f, 0x8b, 8, 0 };
	static const unsigned char xzjunk[64] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const unsigned char zstjunk[64] = { 0x28, 0xb5, 0x2f, 0xfd, 0xff };
	/* magic, descriptor (no single segment), window (30 - 10) << 3, then
	 * a last raw block of 4 bytes */
	static const unsigned char zstwindow[64] = { 0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa0,
						     0x21, 0x00, 0x00, 'a', 'b', 'c', 'd' };

	memset(gzjunk + 10, 0xa5, sizeof(gzjunk) - 10);
	o.image_path = write_tmp("gzjunk", gzjunk, sizeof(gzjunk));
	expect_error(&o, "corrupt or truncated gzip");
	o.image_path = write_tmp("xzjunk", xzjunk, sizeof(xzjunk));
	expect_error(&o, "corrupt or truncated xz");
	o.image_path = write_tmp("zstjunk", zstjunk, sizeof(zstjunk));
	expect_error(&o, "corrupt or truncated zstd");
	/* A frame asking for a 1 GiB window (log 30): refused before any
	 * allocation, not decoded with up to 2 GiB. */
	o.image_path = write_tmp("zstwindow", zstwindow, sizeof(zstwindow));
	expect_error(&o, "needs more than 128 MiB to decode");

	/* A bzImage header whose payload lies outside the file. */
	memcpy(hdr + 0x202, "HdrS", 4);
	hdr[0x206] = 0x0f; hdr[0x207] = 0x02;		/* protocol 2.15 */
	hdr[0x1f1] = 3;
	hdr[0x24b] = 0x7f;				/* payload_offset huge */
	hdr[0x24c] = 0x10;
	o.image_path = write_tmp("bzimage-bad", hdr, sizeof(hdr));
	expect_error(&o, "truncated bzImage");
	/* In range, but a payload in no format we know. */
	hdr[0x24b] = 0;
	o.image_path = write_tmp("bzimage-unknown", hdr, sizeof(hdr));
	expect_error(&o, "unknown bzImage payload");
}

static int setup(void **state)
{
	if (!mkdtemp(tmpdir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_and_empty),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_garbage_files),
		cmocka_unit_test(test_truncated_btf),
		cmocka_unit_test(test_mutated_btf),
		cmocka_unit_test(test_arm64_image_gz),
		cmocka_unit_test(test_corrupt_payloads),
	};

	find_kernels();
	return cmocka_run_group_tests(tests, setup, teardown);
}
