// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include "common/log.h"
#include "source/source.h"

#pragma weak file_source_open

int source_open(struct source **out, const char *replay_path,
		const struct live_opts *opts)
{
	if (replay_path) {
		if (!file_source_open) {
			p_err("replay is not part of this build");
			return -ENOTSUP;
		}
		return file_source_open(out, replay_path);
	}
	return live_source_open(out, opts);
}
