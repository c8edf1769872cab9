// SPDX-License-Identifier: GPL-2.0
/* Files written as root (common/safefile.c, recordings through it): never
 * through a symlink, an existing file refused unless replacing, mode 0600
 * whatever the umask, nothing left behind by a failed write. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/safefile.h"
#include "source/recfile.h"

static char dir[64], target[128], victim[128];

static int setup(void **state)
{
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/svatop-safefile.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(target, sizeof(target), "%s/out", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	f = fopen(victim, "w");
	if (!f)
		return -1;
	fputs("precious\n", f);
	fclose(f);
	return chmod(victim, 0644);
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

static int entries(void)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	while (dp && (d = readdir(dp)))
		n += d->d_name[0] != '.' || (d->d_name[1] && strcmp(d->d_name, ".."));
	if (dp)
		closedir(dp);
	return n;
}

static void assert_victim_untouched(void)
{
	char buf[32] = "";
	struct stat st;
	FILE *f = fopen(victim, "r");

	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "precious\n");
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

static int write_text(const char *path, unsigned flags, const char *text)
{
	struct safe_file sf;
	int err = safe_file_open(&sf, path, flags);

	if (err)
		return err;
	fputs(text, sf.f);
	return safe_file_commit(&sf);
}

static void test_new_file_0600(void **state)
{
	mode_t old = umask(0);
	struct stat st;

	assert_int_equal(write_text(target, 0, "x\n"), 0);
	umask(old);
	assert_int_equal(lstat(target, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(entries(), 2);		/* victim, out: no temporary left */
}

static void test_symlink_never_followed(void **state)
{
	struct stat st;

	assert_int_equal(symlink(victim, target), 0);
	assert_int_equal(safe_file_check(target, 0), -EEXIST);
	assert_int_equal(write_text(target, 0, "evil\n"), -EEXIST);
	assert_victim_untouched();
	/* replacing replaces the link, never what it points at */
	assert_int_equal(write_text(target, SAFE_FILE_REPLACE, "new\n"), 0);
	assert_victim_untouched();
	assert_int_equal(lstat(target, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
}

static void test_dangling_symlink_refused(void **state)
{
	char gone[160];
	struct stat st;

	snprintf(gone, sizeof(gone), "%s/would-be-created", dir);
	assert_int_equal(symlink(gone, target), 0);
	assert_int_equal(write_text(target, 0, "x\n"), -EEXIST);
	assert_int_equal(lstat(gone, &st), -1);
}

static void test_existing_refused_force_replaces(void **state)
{
	char buf[16] = "";
	FILE *f;

	assert_int_equal(write_text(target, 0, "one\n"), 0);
	assert_int_equal(write_text(target, 0, "two\n"), -EEXIST);
	assert_int_equal(entries(), 2);
	assert_int_equal(write_text(target, SAFE_FILE_REPLACE, "three\n"), 0);
	f = fopen(target, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "three\n");
	assert_int_equal(entries(), 2);
}

static void test_abort_leaves_nothing(void **state)
{
	struct safe_file sf;
	struct stat st;

	assert_int_equal(safe_file_open(&sf, target, 0), 0);
	fputs("partial", sf.f);
	safe_file_abort(&sf);
	assert_int_equal(lstat(target, &st), -1);
	assert_int_equal(entries(), 1);
}

static void test_folder_refused(void **state)
{
	assert_int_equal(write_text(dir, SAFE_FILE_REPLACE, "x\n"), -EISDIR);
	assert_int_equal(write_text("", 0, "x\n"), -EINVAL);
}

/* A recording: through a symlink never, an existing one refused, and the
 * file appears only once it is complete. */
static void test_recording(void **state)
{
	struct source_stats st = { 0 };
	struct svatop_event ev = { .type = 1, .version = SVATOP_ABI_VERSION };
	struct rec_writer *w;
	struct stat sb;

	assert_int_equal(symlink(victim, target), 0);
	assert_int_equal(rec_writer_open(&w, target, "unit", 0), -EEXIST);
	assert_victim_untouched();
	assert_int_equal(unlink(target), 0);
	assert_int_equal(rec_writer_open(&w, target, "unit", 0), 0);
	assert_int_equal(rec_writer_add(w, &ev), 0);
	assert_int_equal(rec_writer_flush(w), 0);
	assert_int_equal(lstat(target, &sb), -1);	/* not yet */
	assert_int_equal(rec_writer_close(w, &st), 0);
	assert_int_equal(lstat(target, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	/* an abandoned recording leaves nothing */
	assert_int_equal(unlink(target), 0);
	assert_int_equal(rec_writer_open(&w, target, "unit", 0), 0);
	assert_int_equal(rec_writer_add(w, &ev), 0);
	rec_writer_abort(w);
	assert_int_equal(entries(), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_file_0600, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_never_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dangling_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_refused_force_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folder_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recording, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
