// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
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

void source_loss_text(const struct source_stats *st, char *buf, size_t n)
{
	snprintf(buf, n, "%llu lost (%llu ring buffer full, %llu calls the kernel skipped)",
		 (unsigned long long)st->dropped,
		 (unsigned long long)(st->dropped - st->missed),
		 (unsigned long long)st->missed);
}
