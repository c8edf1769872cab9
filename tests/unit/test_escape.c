// SPDX-License-Identifier: GPL-2.0
/* Names on their way out: the terminal form (every non-printable byte as
 * \xNN) and the XML form of the JUnit report (well-formed UTF-8 kept, every
 * byte XML 1.0 or UTF-8 forbids as \xNN text, markup as entities). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/escape.h"

static char *xml_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fput_xml(f, s);
	fclose(f);
	return buf;
}

static void expect_xml(const char *in, const char *want)
{
	char *got = xml_of(in);

	assert_string_equal(got, want);
	free(got);
}

static void test_xml_markup(void **state)
{
	(void)state;
	expect_xml("a<b>&\"c'\td\n", "a&lt;b&gt;&amp;&quot;c&apos;\td\n");
}

static void test_xml_controls(void **state)
{
	(void)state;
	/* ESC, BEL, DEL and CR are not XML 1.0 characters in a report we want
	 * byte-exact; each becomes visible text */
	expect_xml("\x1b[31mred\x07\x7f\r", "\\x1b[31mred\\x07\\x7f\\x0d");
}

static void test_xml_utf8_kept(void **state)
{
	(void)state;
	/* é (2 bytes), € (3), 😀 (4) */
	expect_xml("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

static void test_xml_not_utf8(void **state)
{
	(void)state;
	/* a lone continuation byte, a truncated sequence at the end, an
	 * overlong '/', a UTF-16 surrogate, a code point above U+10FFFF, and
	 * 0xff: each byte that is not part of a well-formed sequence */
	expect_xml("\x80", "\\x80");
	expect_xml("ab\xc3", "ab\\xc3");
	expect_xml("\xc0\xaf", "\\xc0\\xaf");
	expect_xml("\xed\xa0\x80", "\\xed\\xa0\\x80");
	expect_xml("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	expect_xml("\xff" "x", "\\xffx");
	/* a broken sequence followed by a good one: only the bad byte */
	expect_xml("\xe2\x82" "\xc3\xa9", "\\xe2\\x82\xc3\xa9");
}

static void test_terminal_form(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(str_escaped(buf, sizeof(buf), "\x1b]0;x\x07\\", 16, "-"),
			    "\\x1b]0;x\\x07\\\\");
	assert_string_equal(str_escaped(buf, sizeof(buf), "", 16, "-"), "-");
	/* at most max bytes of the name */
	assert_string_equal(str_escaped(buf, sizeof(buf), "abcdef", 3, "-"), "abc");
}

/* The three terminal forms agree (str_escaped, escape_to, fput_escaped:
 * the last writes printable runs whole and the rest in chunks), and a cut
 * is a prefix of the whole escaped text, even inside an escape. */
static void test_terminal_forms_agree(void **state)
{
	char in[700], whole[4 * sizeof(in)], buf[4 * sizeof(in)], *mem = NULL;
	size_t i, n, len = 0, cut;
	FILE *f;

	(void)state;
	for (i = 0; i < sizeof(in) - 1; i++)	/* runs of both kinds, some over 64 */
		in[i] = (i / 97) % 2 ? (char)(1 + i % 31) : (char)('a' + i % 26);
	in[300] = '\\';
	in[sizeof(in) - 1] = '\0';
	f = open_memstream(&mem, &len);
	assert_non_null(f);
	fput_escaped(f, in, sizeof(in));
	fclose(f);
	n = escape_to(whole, sizeof(whole), in, sizeof(in));
	assert_int_equal(n, len);
	assert_memory_equal(whole, mem, n);
	assert_string_equal(str_escaped(buf, sizeof(buf), in, sizeof(in), "-"), mem);
	for (cut = 1; cut < 40; cut++) {
		assert_int_equal(escape_to(buf, cut, "\x01" "ab\\c", 8), cut < 9 ? cut : 9);
		assert_memory_equal(buf, "\\x01ab\\\\c", cut < 9 ? cut : 9);
		str_escaped(buf, cut + 1, "\x01" "ab\\c", 8, "-");
		assert_int_equal(strlen(buf), cut < 9 ? cut : 9);
	}
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml_markup),
		cmocka_unit_test(test_xml_controls),
		cmocka_unit_test(test_xml_utf8_kept),
		cmocka_unit_test(test_xml_not_utf8),
		cmocka_unit_test(test_terminal_form),
		cmocka_unit_test(test_terminal_forms_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
