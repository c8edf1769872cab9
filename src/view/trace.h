/* SPDX-License-Identifier: GPL-2.0 */
/* svatop trace's text line (trace_text.c): also reached by the fuzz target. */
#ifndef SVATOP_VIEW_TRACE_H
#define SVATOP_VIEW_TRACE_H

#include <stdint.h>
#include <stdio.h>
#include "svatop/abi.h"

/* One event (and its stack frames) as a line of the table; first_ts is
 * the time of the first event shown (the TIME column counts from it). */
void trace_print_text(FILE *out, const struct svatop_event *ev, uint64_t first_ts,
		      char frames[][64], int nframes);

#endif
