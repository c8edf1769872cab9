// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include "common/escape.h"

static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

/* s escaped into out (at most 4 bytes per byte, no NUL): its length. */
static size_t escape_into(char *out, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = 0;

	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		if (plain(c)) {
			out[n++] = c;
		} else if (c == '\\') {
			out[n++] = '\\';
			out[n++] = '\\';
		} else {
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	return n;
}

void fput_escaped(FILE *f, const char *s, size_t max)
{
	char chunk[256];
	size_t i = 0, span;

	while (i < max && s[i]) {
		/* printable runs in one write, the rest through the buffer */
		for (span = 0; i + span < max && s[i + span] && plain(s[i + span]); span++)
			;
		if (span) {
			fwrite(s + i, 1, span, f);
			i += span;
			continue;
		}
		for (span = 0; i + span < max && s[i + span] && !plain(s[i + span]) &&
			       span < sizeof(chunk) / 4; span++)
			;
		fwrite(chunk, 1, escape_into(chunk, s + i, span), f);
		i += span;
	}
}

size_t escape_to(char *out, size_t cap, const char *s, size_t max)
{
	char tmp[4];
	size_t i, n = 0, k, w;

	for (i = 0; i < max && s[i] && n < cap; i++) {
		if (plain((unsigned char)s[i])) {
			out[n++] = s[i];
			continue;
		}
		w = escape_into(tmp, s + i, 1);
		for (k = 0; k < w && n < cap; k++)
			out[n++] = tmp[k];
	}
	return n;
}

const char *str_escaped(char *buf, size_t len, const char *s, size_t max, const char *empty)
{
	if (!s[0] || !len)
		return empty;
	/* the escaped text cut at len - 1 bytes (an escape may be cut too) */
	buf[escape_to(buf, len - 1, s, max)] = '\0';
	return buf;
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n, i;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void fput_xml(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	while (*s) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		case '\n':
		case '\t':
			fputc(*s, f);
			break;
		default:
			n = utf8_len(s);
			if (*s < 0x20 || *s == 0x7f || !n) {
				/* not allowed in XML 1.0, or not UTF-8 */
				fprintf(f, "\\x%02x", *s);
				n = 1;
			} else {
				fwrite(s, 1, n, f);
			}
			s += n;
			continue;
		}
		s++;
	}
}
