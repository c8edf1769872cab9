// SPDX-License-Identifier: GPL-2.0
/* Errors from libbpf reach the user as words: its own codes (4000 and up)
 * too, where strerror() says "Unknown error 4001". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "source/bpf_err.h"

static void test_libbpf_codes(void **state)
{
	(void)state;
	/* LIBBPF_ERRNO__FORMAT: "Invalid ELF format" in libbpf's words */
	assert_null(strstr(BPF_ERRSTR(-LIBBPF_ERRNO__FORMAT), "Unknown error"));
	assert_true(strlen(BPF_ERRSTR(-LIBBPF_ERRNO__FORMAT)) > 0);
	assert_string_not_equal(BPF_ERRSTR(-LIBBPF_ERRNO__FORMAT), strerror(LIBBPF_ERRNO__FORMAT));
	assert_null(strstr(BPF_ERRSTR(-LIBBPF_ERRNO__VERIFY), "Unknown error"));
}

static void test_plain_errno(void **state)
{
	(void)state;
	assert_string_equal(BPF_ERRSTR(-ENOENT), strerror(ENOENT));
	assert_string_equal(BPF_ERRSTR(-EPERM), strerror(EPERM));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libbpf_codes),
		cmocka_unit_test(test_plain_errno),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
