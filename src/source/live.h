/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SVATOP_LIVE_H
#define SVATOP_LIVE_H

#include <stdbool.h>
#include "source/hooks.h"
#include "source/source.h"

/* The form an open live source chose for hooks[hook_index]. */
enum hook_form live_source_form(struct source *src, int hook_index);

#endif
