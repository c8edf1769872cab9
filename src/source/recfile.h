/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record file (svatop record): a header, then blocks of
 * zstd-compressed (version 1: zlib) svatop_event records, each with a CRC32, and a final
 * stats block with the source's counters. Layout in docs/record-format.md.
 */
#ifndef SVATOP_RECFILE_H
#define SVATOP_RECFILE_H

#include <stdint.h>
#include <stdio.h>
#include "svatop/abi.h"
#include "source/source.h"
#include "common/safefile.h"

#define REC_MAGIC		"SVATOPR\0"
#define REC_VERSION		2	/* 2: event blocks in zstd */
#define REC_VERSION_MIN		1	/* 1: event blocks in zlib (still read) */
#define REC_BLOCK_MAGIC		0x4b425653u	/* "SVBK" */
#define REC_BLOCK_EVENTS	1
#define REC_BLOCK_STATS		2
/* Version 2: events compressed with zstd (level 1), four times faster to
 * write than zlib's level 1 and smaller (svatop record's consumer CPU). */
#define REC_BLOCK_EVENTS_ZSTD	3
#define REC_BLOCK_MAX_EVENTS	4096
#define REC_BLOCK_MAX_COMP	(REC_BLOCK_MAX_EVENTS * SVATOP_EVENT_SIZE + 4096)

struct rec_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;
	uint32_t event_size;
	uint32_t abi_version;
	uint64_t created_ns;		/* CLOCK_REALTIME */
	char kernel_release[64];
	char hostname[64];
	char source[64];		/* "live, 12 hooks" */
	uint32_t reserved;
	uint32_t crc;			/* crc32 of the bytes above */
};

struct rec_block {
	uint32_t magic;
	uint32_t type;
	uint32_t count;			/* records in the block */
	uint32_t raw_len;
	uint32_t comp_len;
	uint32_t crc;			/* crc32 of the compressed payload */
};

/* Written with the writer's SVATOP_EV_MAX types; a reader takes any count
 * from 1 to REC_STATS_MAX_TYPES (event types are only ever added). */
struct rec_stats {
	uint64_t submitted, dropped, delivered;
	uint64_t dropped_by_type[SVATOP_EV_MAX];
};

#define REC_STATS_MAX_TYPES	64
_Static_assert(SVATOP_EV_MAX <= REC_STATS_MAX_TYPES, "stats block: too many event types");

_Static_assert(sizeof(struct rec_header) == 232, "record header layout");
_Static_assert(sizeof(struct rec_block) == 24, "record block layout");

struct rec_writer;

/* Create FILE safely (common/safefile.h: mode 0600, never through a
 * symlink, an existing FILE refused unless flags has SAFE_FILE_REPLACE).
 * FILE appears only when rec_writer_close() succeeds; until then the
 * records go to a ".FILE.XXXXXXXX.incomplete" file beside it. */
int rec_writer_open(struct rec_writer **out, const char *path, const char *source_desc,
		    unsigned flags);
int rec_writer_add(struct rec_writer *w, const struct svatop_event *ev);
/* Flush, write the stats block, close. Returns -errno on any failure. */
int rec_writer_close(struct rec_writer *w, const struct source_stats *stats);
int rec_writer_flush(struct rec_writer *w);
/* Give up: the incomplete file is removed, FILE untouched. */
void rec_writer_abort(struct rec_writer *w);

/* The reader is a source (file_source_open in source.h). The header of an
 * open file source: */
const struct rec_header *file_source_header(struct source *src);

#endif
