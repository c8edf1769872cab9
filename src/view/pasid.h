/* SPDX-License-Identifier: GPL-2.0 */
/* svatop pasid's answer for one PASID (pasid.c): also reached by the fuzz target. */
#ifndef SVATOP_VIEW_PASID_H
#define SVATOP_VIEW_PASID_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "model/model.h"

/* Who holds pasid: its process, mm, state (live / exited / leaked after
 * grace_ns) and domains with their devices; text lines prefixed by indent. */
void pasid_holder_text(FILE *f, const struct model *m, uint32_t pasid, uint64_t now,
		       uint64_t grace_ns, const char *indent);
json_t *pasid_holder_json(const struct model *m, uint32_t pasid, uint64_t now,
			  uint64_t grace_ns);

#endif
