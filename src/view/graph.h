/* SPDX-License-Identifier: GPL-2.0 */
/* The mm -> PASID -> domains -> devices graph as text, DOT and JSON. */
#ifndef SVATOP_VIEW_GRAPH_H
#define SVATOP_VIEW_GRAPH_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "model/model.h"

enum graph_format { GRAPH_TEXT, GRAPH_DOT, GRAPH_JSON };

struct graph_filter {
	uint32_t pid;		/* 0: every process */
	const char *dev;	/* device name; NULL: every device */
};

/* Render the model's graph; now (CLOCK_MONOTONIC ns) dates exits. */
int graph_render(FILE *out, const struct model *m, enum graph_format fmt,
		 const struct graph_filter *flt, uint64_t now);
json_t *graph_json(const struct model *m, const struct graph_filter *flt,
		   uint64_t now);

#endif
