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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hidden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_visible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_an_address, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
