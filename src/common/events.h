/* SPDX-License-Identifier: GPL-2.0 */
/* Names and JSON form of struct svatop_event, shared by every view. */
#ifndef SVATOP_EVENTS_H
#define SVATOP_EVENTS_H

#include <stdio.h>
#include "svatop/abi.h"

/* "bind", "unbind", "pasid-alloc", ...; "unknown" for anything else. */
const char *event_type_name(unsigned int type);
/* The inverse; returns SVATOP_EV_NONE when the name is unknown. */
unsigned int event_type_from_name(const char *name);
/* "EOPNOTSUPP" for -95 etc.; NULL when err is 0 or unknown. */
const char *errno_name(int err);
/* One event as a JSON line (schema in docs/events.md), with its stack
 * frames when nframes > 0. Returns 0 or -EIO. */
int event_write_json(FILE *f, const struct svatop_event *ev,
		     char frames[][64], int nframes);

/* The same with one more member: key and value, a JSON text. */
int event_write_json_extra(FILE *f, const struct svatop_event *ev,
			   char frames[][64], int nframes, const char *key, const char *value);

#define EVENTS_JSON_SCHEMA	1

#endif
