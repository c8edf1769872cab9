// SPDX-License-Identifier: GPL-2.0
/* check/record own their CMD (common/spawn.c): a CMD that ignores SIGTERM
 * is killed, a daemon it leaves is killed, it dies with svatop, it runs as
 * the user asked for, and SIGHUP stops svatop like SIGTERM. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "common/spawn.h"
#include "common/stop.h"

static char dir[64], file[128];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/svatop-spawn.XXXXXX");
	if (!mkdtemp(dir) || chmod(dir, 0777))
		return -1;
	snprintf(file, sizeof(file), "%s/f", dir);
	return 0;
}

static int teardown(void **state)
{
	unlink(file);
	return rmdir(dir);
}

/* Wait (10 s at most) for CMD to write its file; its first number. */
static long wait_file(void)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	long v = -1;
	FILE *f;
	int i;

	for (i = 0; i < 500; i++) {
		f = fopen(file, "r");
		if (f) {
			if (fscanf(f, "%ld", &v) != 1)
				v = -1;
			fclose(f);
			if (v >= 0)
				return v;
		}
		nanosleep(&tick, NULL);
	}
	return -1;
}

static void run(struct spawned *sp, const char *script, const struct spawn_user *u)
{
	char *argv[] = { "sh", "-c", (char *)script, "sh", file, NULL };

	assert_int_equal(spawn_paused(sp, argv, u), 0);
	assert_int_equal(spawn_release(sp), 0);
}

static void test_ignores_sigterm(void **state)
{
	struct spawned sp;

	run(&sp, "trap '' TERM; echo 1 >\"$1.tmp\"; mv \"$1.tmp\" \"$1\"; "
		 "while :; do sleep 1; done", NULL);
	assert_int_equal(wait_file(), 1);
	assert_int_equal(spawn_stop(&sp, 0.3), 0);
	assert_true(sp.reaped);
	assert_true(WIFSIGNALED(sp.status));
	assert_int_equal(WTERMSIG(sp.status), SIGKILL);
}

static void test_daemon_killed(void **state)
{
	struct spawned sp;
	int status;
	long d;

	/* the daemon leaves CMD's group and session; CMD exits 0 */
	run(&sp, "setsid sleep 1000 </dev/null >/dev/null 2>&1 & "
		 "echo $! >\"$1.tmp\"; mv \"$1.tmp\" \"$1\"", NULL);
	d = wait_file();
	assert_true(d > 0);
	assert_int_equal(spawn_wait(&sp, &status, 0), 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(kill((pid_t)d, 0), 0);	/* it survived CMD */
	assert_int_equal(spawn_stop(&sp, 0.5), 0);
	assert_int_equal(kill((pid_t)d, 0), -1);
	assert_int_equal(errno, ESRCH);
}

/* Regression (issue 17): orphans that reach us only after the SIGKILL.
 * CMD ignores SIGTERM; B, in its own session, ignores it too and has a
 * child D. SIGKILL to CMD's group misses B; B is ours only once CMD is
 * dead, D only once B is: one SIGKILL sweep of our children cannot reach
 * D, so the sweep repeats until the tree is gone. */
static void test_orphans_after_sigkill(void **state)
{
	struct spawned sp;
	long d;

	run(&sp, "setsid sh -c 'trap \"\" TERM; sleep 1000 </dev/null >/dev/null 2>&1 & "
		 "echo $! >\"$1.tmp\"; mv \"$1.tmp\" \"$1\"; while :; do sleep 1; done' sh \"$1\" & "
		 "trap '' TERM; while :; do sleep 1; done", NULL);
	d = wait_file();
	assert_true(d > 0);
	assert_int_equal(spawn_stop(&sp, 0.3), 0);
	assert_true(WIFSIGNALED(sp.status) && WTERMSIG(sp.status) == SIGKILL);
	assert_int_equal(kill((pid_t)d, 0), -1);
	assert_int_equal(errno, ESRCH);
}

static void test_dies_with_parent(void **state)
{
	int status;
	pid_t mid;
	long c;

	mid = fork();
	assert_true(mid >= 0);
	if (mid == 0) {
		struct spawned sp;
		char *argv[] = { "sh", "-c", "echo $$ >\"$1.tmp\"; mv \"$1.tmp\" \"$1\"; "
			"exec sleep 1000", "sh", file, NULL };

		if (spawn_paused(&sp, argv, NULL) || spawn_release(&sp))
			_exit(1);
		_exit(wait_file() > 0 ? 0 : 1);	/* svatop killed: never stops CMD */
	}
	c = wait_file();
	assert_true(c > 0);
	assert_int_equal(waitpid(mid, &status, 0), mid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* we are the subreaper: CMD comes back to us, killed */
	assert_int_equal(waitpid((pid_t)c, &status, 0), (pid_t)c);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
}

static void test_runs_as_user(void **state)
{
	struct passwd *pw = getpwnam("nobody");
	struct spawn_user u;
	struct spawned sp;
	char err[128] = "";
	long id;

	assert_non_null(pw);
	assert_int_equal(spawn_user_parse("nobody", &u, err, sizeof(err)), 0);
	run(&sp, "id -u >\"$1.tmp\"; mv \"$1.tmp\" \"$1\"", &u);
	id = wait_file();
	assert_int_equal(spawn_stop(&sp, 1), 0);
	assert_int_equal(id, pw->pw_uid);
	unlink(file);
	assert_int_equal(spawn_user_parse("nobody:0", &u, err, sizeof(err)), 0);
	run(&sp, "id -g >\"$1.tmp\"; mv \"$1.tmp\" \"$1\"", &u);
	id = wait_file();
	assert_int_equal(spawn_stop(&sp, 1), 0);
	assert_int_equal(id, 0);
	assert_int_equal(spawn_user_parse("no-such-user-svatop", &u, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no user"));
	assert_int_equal(spawn_user_parse("nobody:no-such-group-svatop", &u, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no group"));
}

static void test_sighup_stops(void **state)
{
	stop_requested = 0;
	stop_on_signals();
	raise(SIGHUP);
	assert_int_equal(stop_requested, 1);
	signal(SIGHUP, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ignores_sigterm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphans_after_sigkill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dies_with_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runs_as_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sighup_stops, setup, teardown),
	};

	/* as check does: orphans of CMD's tree come back to us */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
