/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SVATOP_LOG_H
#define SVATOP_LOG_H

#include <stdbool.h>
#include <stddef.h>

extern bool log_verbose;

/* One line on stderr, prefixed "svatop: ". */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with -v. */
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The same, written to err (len bytes; nothing when err is NULL): for
 * functions whose caller decides whether and how to show it. */
void errbuf_set(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
