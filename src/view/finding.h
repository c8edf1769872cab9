/* SPDX-License-Identifier: GPL-2.0 */
/* How views show a finding (text and JSON), ages and kernel values. */
#ifndef SVATOP_VIEW_FINDING_H
#define SVATOP_VIEW_FINDING_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "pipeline/session.h"

#define VIEW_JSON_SCHEMA	1

/* "1.5s", "2m05s", "1h02m". */
const char *view_age(char *buf, size_t len, uint64_t ns);
/* An unsigned counter (from the kernel or a recording's stats block):
 * jansson's integers are signed 64-bit, so a count past INT64_MAX is
 * clamped there, never wrapped to a negative number. */
json_t *view_json_count(uint64_t v);
/* A kernel pointer as "0x..." (null for 0). */
json_t *view_json_ptr(uint64_t p);
/* Kernel names (comm, device) are bytes, not always UTF-8: JSON gets
 * them with anything outside printable ASCII replaced by '?'. */
json_t *view_json_str(const char *s);
/* One finding as a JSON object / a person's way: what, who, where, how
 * old, from where (the allocation stack when the session's source has it). */
json_t *view_finding_json(struct session *s, const struct finding *f, uint64_t now);
void view_finding_text(FILE *out, struct session *s, const struct finding *f, uint64_t now);
/* Notices (legitimate behaviour counted per rule, never a finding): every
 * notice rule with its count, as a JSON object; a text line per rule seen. */
json_t *view_notices_json(const struct analyzer *a);
void view_notices_text(FILE *out, const struct analyzer *a);

#endif
