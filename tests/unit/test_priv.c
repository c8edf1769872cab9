// SPDX-License-Identifier: GPL-2.0
/* Dropping capabilities (src/common/priv.c), in a child process each: what
 * is kept stays, everything else leaves every set, including the bounding
 * set, and no_new_privs is on. The lab shows it on the commands
 * (tests/lab/hardening.sh). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "common/priv.h"

/* One capability set of /proc/self/status ("CapEff" ...). */
static uint64_t status_caps(const char *key)
{
	char line[256];
	unsigned long long v = ~0ULL;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return ~0ULL;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			sscanf(line + n + 1, "%llx", &v);
	fclose(f);
	return v;
}

/* In a child: drop to keep, then check; the child's exit status says. */
static int drop_in_child(uint64_t keep)
{
	uint64_t had;
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		had = status_caps("CapPrm");
		if (priv_drop(keep))
			_exit(10);
		if (status_caps("CapPrm") != (had & keep) ||
		    status_caps("CapEff") != (had & keep) ||
		    priv_effective() != (had & keep))
			_exit(11);
		if (status_caps("CapInh") || status_caps("CapAmb"))
			_exit(12);
		/* Only root (CAP_SETPCAP) can shrink the bounding set. */
		if ((had & PRIV_CAP(CAP_SETPCAP)) && (status_caps("CapBnd") & ~keep))
			_exit(13);
		if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
			_exit(14);
		/* Nothing dropped comes back. */
		if (!(keep & PRIV_CAP(CAP_SYS_ADMIN)) &&
		    prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) == 1 &&
		    (had & PRIV_CAP(CAP_SETPCAP)))
			_exit(15);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_drop_everything(void **state)
{
	(void)state;
	assert_int_equal(drop_in_child(0), 0);
}

static void test_keep_kill(void **state)
{
	(void)state;
	assert_int_equal(drop_in_child(PRIV_CAP(CAP_KILL)), 0);
}

static void test_keep_two(void **state)
{
	(void)state;
	assert_int_equal(drop_in_child(PRIV_CAP(CAP_KILL) | PRIV_CAP(CAP_DAC_OVERRIDE)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_everything),
		cmocka_unit_test(test_keep_kill),
		cmocka_unit_test(test_keep_two),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
