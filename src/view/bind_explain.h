/* SPDX-License-Identifier: GPL-2.0 */
/* A failed bind's explanation (src/analyze/explain.c) as text and JSON. */
#ifndef SVATOP_VIEW_BIND_EXPLAIN_H
#define SVATOP_VIEW_BIND_EXPLAIN_H

#include <stdio.h>
#include <jansson.h>
#include "analyze/explain.h"

/* {"step":"attach","why":"...","attempts":[{"domain","iommu","ret","new_domain"}],
 *  "holders":[{"pid","comm","pasids"}]} */
json_t *view_bind_explain_json(const struct bind_explain *x);
/* "step attach: every candidate domain refused ...; holders: ..." (one line, no newline) */
void view_bind_explain_text(FILE *out, const struct bind_explain *x);

#endif
