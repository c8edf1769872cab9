/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names from the kernel or a recording (comm, device and IOMMU names, log
 * lines) on their way to a terminal: a process can set its comm to an
 * escape sequence, so every byte outside printable ASCII is written as
 * \xNN (and a backslash as \\).
 */
#ifndef SVATOP_COMMON_ESCAPE_H
#define SVATOP_COMMON_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Write at most max bytes of s (or up to its NUL), escaped. */
void fput_escaped(FILE *f, const char *s, size_t max);

/* The same into buf (len bytes, truncated); empty when s is "". For
 * printf widths. */
const char *str_escaped(char *buf, size_t len, const char *s, size_t max, const char *empty);
/* The same into out, at most cap bytes (cut like str_escaped), no NUL:
 * returns the bytes written. */
size_t escape_to(char *out, size_t cap, const char *s, size_t max);

/* For a char array name: its escaped form in a buffer of the caller's
 * block (4 bytes per byte, at most). */
#define ESCAPED(arr, empty) \
	str_escaped((char[4 * sizeof(arr) + 1]){ 0 }, 4 * sizeof(arr) + 1, (arr), \
		    sizeof(arr), (empty))

/* s as XML 1.0 character data or attribute value: markup characters as
 * entities, well-formed UTF-8 as is, every other byte (control characters
 * other than tab and newline, bytes that are not UTF-8) as the text \xNN,
 * so a JUnit report stays well-formed whatever a command line or a kernel
 * name holds. */
void fput_xml(FILE *f, const char *s);

#endif
