/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SVATOP_LOG_H
#define SVATOP_LOG_H

#include <stdbool.h>

extern bool log_verbose;

/* One line on stderr, prefixed "svatop: ". */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with -v. */
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
