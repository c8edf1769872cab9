/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files svatop writes (it runs as root): created under a temporary name in
 * the target's folder with O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600, and moved
 * into place only once everything is written. The target is never opened,
 * so a symlink there is never followed; an existing target is refused
 * unless the caller asked to replace it (then the rename replaces the name,
 * never what a symlink points at). A failed write leaves nothing behind.
 */
#ifndef SVATOP_SAFEFILE_H
#define SVATOP_SAFEFILE_H

#include <stdbool.h>
#include <stdio.h>

#define SAFE_FILE_REPLACE	0x1	/* --force: replace an existing target */

struct safe_file {
	FILE *f;		/* write here */
	char *path;		/* the target */
	char *tmp;		/* the temporary name beside it */
	unsigned flags;
};

/* Would safe_file_open() refuse PATH? 0 or -EEXIST/-EISDIR/-errno: lets a
 * command refuse before it starts its work. */
int safe_file_check(const char *path, unsigned flags);
/* Create the temporary file. -EEXIST when the target exists (and no
 * SAFE_FILE_REPLACE), else -errno. */
int safe_file_open(struct safe_file *sf, const char *path, unsigned flags);
/* Flush, fsync, close and move into place; -errno (the real one: ENOSPC
 * says so) on any failure, in which case the temporary file is removed. */
int safe_file_commit(struct safe_file *sf);
/* Close and remove the temporary file; the target is untouched. */
void safe_file_abort(struct safe_file *sf);
/* One clear line for a failure of the two calls above. */
void safe_file_perror(const char *who, const char *path, int err);

#endif
