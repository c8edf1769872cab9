// SPDX-License-Identifier: GPL-2.0
/* Hidden kernel addresses (common/ksyms.c): kallsyms read without
 * CAP_SYSLOG, or with kptr_restrict, shows 0 for every address; the live
 * snapshot warns then. An unreadable file counts as hidden. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/ksyms.h"

static char dir[64], path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/svatop-ksyms.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/kallsyms", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void test_hidden(void **state)
{
	(void)state;
	write_file("0000000000000000 A fixed_percpu_data\n"
		   "0000000000000000 T _stext\n"
		   "0000000000000000 T iommu_sva_bind_device\n");
	assert_true(ksyms_addresses_hidden(path));
}

static void test_visible(void **state)
{
	(void)state;
	write_file("ffffffff81000000 T _stext\n"
		   "ffffffff81234560 T iommu_sva_bind_device\n");
	assert_false(ksyms_addresses_hidden(path));
}

static void test_missing_file(void **state)
{
	(void)state;
	assert_true(ksyms_addresses_hidden(path));	/* not written */
}

static void test_not_an_address(void **state)
{
	(void)state;
	write_file("");
	assert_true(ksyms_addresses_hidden(path));
	write_file("no addresses here\n");
	assert_true(ksyms_addresses_hidden(path));
}

/* The parser and the by-name index (a hash since it replaced a sort):
 * module suffixes and tabs, bad lines skipped, names shared by several
 * symbols resolve to the text one at the lowest address, lookups by
 * address still find the containing symbol. */
static void test_parse_and_find(void **state)
{
	const struct ksym *s;
	struct ksyms *ks;
	char err[200], text[8192];
	size_t n = 0;
	int i;

	(void)state;
	n += snprintf(text + n, sizeof(text) - n,
		      "ffffffff81000000 T _stext\n"
		      "ffffffff81200000 d dup_name\n"
		      "ffffffff81300000 t dup_name\n"
		      "ffffffff81100000 t dup_name\n"
		      "ffffffff81400000 b iommu_group_kset\n"
		      "not a line at all\n"
		      "ffffffffc0001000 t svamock_bind\t[svamock]\n"
		      "ffffffffc0002000 T\tsvamock_init\t[svamock]\n");
	for (i = 0; i < 40; i++)
		n += snprintf(text + n, sizeof(text) - n, "ffffffff8150%04x T fill_%d\n", i * 16, i);
	write_file(text);
	assert_int_equal(ksyms_open(&ks, path, err, sizeof(err)), 0);
	assert_int_equal(ksyms_count(ks), 47);
	s = ksyms_find(ks, "dup_name");
	assert_non_null(s);
	assert_int_equal(s->addr, 0xffffffff81100000ULL);	/* text, lowest */
	assert_int_equal(s->type, 't');
	s = ksyms_find(ks, "iommu_group_kset");
	assert_non_null(s);
	assert_int_equal(s->addr, 0xffffffff81400000ULL);
	s = ksyms_find(ks, "svamock_bind");
	assert_non_null(s);
	assert_int_equal(s->addr, 0xffffffffc0001000ULL);
	assert_non_null(ksyms_find(ks, "svamock_init"));
	assert_non_null(ksyms_find(ks, "fill_39"));
	assert_null(ksyms_find(ks, "fill_40"));
	assert_null(ksyms_find(ks, "dup_nam"));
	s = ksyms_lookup(ks, 0xffffffffc0001010ULL);
	assert_non_null(s);
	assert_string_equal(s->name, "svamock_bind");
	ksyms_free(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hidden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_visible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_an_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_and_find, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
