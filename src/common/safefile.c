// SPDX-License-Identifier: GPL-2.0
/* Files written as root: temporary name, O_EXCL|O_NOFOLLOW, 0600, rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/log.h"
#include "common/safefile.h"

static void sf_free(struct safe_file *sf)
{
	free(sf->path);
	free(sf->tmp);
	sf->path = sf->tmp = NULL;
	sf->f = NULL;
}

/* The target may not exist (without SAFE_FILE_REPLACE), and may never be
 * a folder: checked before any work so a long recording is not lost at the
 * end. The final move checks again, atomically. */
int safe_file_check(const char *path, unsigned flags)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	return flags & SAFE_FILE_REPLACE ? 0 : -EEXIST;
}

int safe_file_open(struct safe_file *sf, const char *path, unsigned flags)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	unsigned int rnd;
	int fd = -1, err, i;

	memset(sf, 0, sizeof(*sf));
	if (!*path || (slash && !slash[1]))
		return -EINVAL;
	err = safe_file_check(path, flags);
	if (err)
		return err;
	sf->flags = flags;
	sf->path = strdup(path);
	if (!sf->path)
		return -ENOMEM;
	for (i = 0; i < 100 && fd < 0; i++) {
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd ^= (unsigned int)getpid() * 2654435761u + (unsigned int)i;
		free(sf->tmp);
		if (asprintf(&sf->tmp, "%.*s.%s.%08x.incomplete", dirlen, path,
			     path + dirlen, rnd) < 0) {
			sf->tmp = NULL;
			sf_free(sf);
			return -ENOMEM;
		}
		fd = open(sf->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST) {
			err = -errno;
			sf_free(sf);
			return err;
		}
	}
	if (fd < 0) {
		sf_free(sf);
		return -EEXIST;
	}
	/* the umask can only take bits away; make it exactly 0600 */
	if (fchmod(fd, 0600) || !(sf->f = fdopen(fd, "w"))) {
		err = -errno;
		close(fd);
		unlink(sf->tmp);
		sf_free(sf);
		return err;
	}
	return 0;
}

void safe_file_abort(struct safe_file *sf)
{
	if (!sf->tmp)
		return;
	if (sf->f)
		fclose(sf->f);
	unlink(sf->tmp);
	sf_free(sf);
}

/* Move tmp to path: replacing it, or only if it does not exist. */
static int move_into_place(const struct safe_file *sf)
{
	if (sf->flags & SAFE_FILE_REPLACE)
		return rename(sf->tmp, sf->path) ? -errno : 0;
	if (!renameat2(AT_FDCWD, sf->tmp, AT_FDCWD, sf->path, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* a file system without RENAME_NOREPLACE: link() never replaces */
	if (link(sf->tmp, sf->path))
		return -errno;
	unlink(sf->tmp);
	return 0;
}

int safe_file_commit(struct safe_file *sf)
{
	int err = 0;

	if (!sf->f)
		return -EBADF;
	if (ferror(sf->f))
		err = -EIO;
	if (!err && fflush(sf->f))
		err = -errno;
	if (!err && fsync(fileno(sf->f)))
		err = -errno;
	if (fclose(sf->f) && !err)
		err = -errno;
	sf->f = NULL;
	if (!err)
		err = move_into_place(sf);
	if (err)
		unlink(sf->tmp);
	sf_free(sf);
	return err;
}

void safe_file_perror(const char *who, const char *path, int err)
{
	if (err == -EEXIST)
		p_err("%s: %s exists: not replaced (--force replaces it)", who, path);
	else
		p_err("%s: cannot write %s: %s", who, path, strerror(-err));
}
