/* SPDX-License-Identifier: GPL-2.0 */
/* Device page faults (IOPF) in the views: one process's faults per device,
 * as text lines (graph, top's detail pane) and JSON (top -j, graph --json). */
#ifndef SVATOP_VIEW_IOPF_H
#define SVATOP_VIEW_IOPF_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "model/iopf.h"

/* "-", "3us", "512us", "4.1ms", "2.0s" */
const char *view_us(char *buf, size_t len, uint64_t us);
/* One line per device with faults of tgid, each prefixed; nothing when none. */
void view_iopf_text(FILE *f, const struct iopf_table *t, uint32_t tgid, const char *prefix);
#define VIEW_IOPF_ALL	UINT32_MAX

/* The per-device objects of tgid (VIEW_IOPF_ALL: every row), an array. */
json_t *view_iopf_json(const struct iopf_table *t, uint32_t tgid);
/* Whether IOPF is counted (and if not why) and every row:
 * {"active":bool,"why":str,"interval_s":x,"devices":[...]}. */
json_t *view_iopf_status_json(const struct iopf_table *t);

/* Opt-in (--iotlb): one mm's IOTLB invalidations, NULL meaning none seen.
 * Text: one line, prefixed; JSON: {"ranges":n,"pages":n,"flushes":n}. */
void view_iotlb_text(FILE *f, const struct iopf_inval_stats *s, const char *prefix);
json_t *view_iotlb_json(const struct iopf_inval_stats *s);
/* Every mm the kernel counted: [{"mm":"0x..","pid":n,"ranges":..},...]. */
json_t *view_iotlb_mms_json(const struct iopf_table *t);

/* "success", "invalid", "failure", "refused" */
const char *view_iopf_outcome(uint32_t outcome);
/* trace: one fault, as a line under trace's header (rel_s: since the
 * first event) or one JSON object (event "iopf"). */
void view_iopf_event_text(FILE *f, const struct iopf_event *ev, double rel_s);
void view_iopf_event_json(FILE *f, const struct iopf_event *ev);

#endif
