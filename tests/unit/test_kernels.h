/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the unit tests find the real Debian kernels' data: the build of the
 * tests unpacks tests/data/kernels into OUTPUT/kernels, beside OUTPUT/tests
 * where the test binaries live. SVATOP_KERNELS overrides.
 */
#ifndef SVATOP_TEST_KERNELS_H
#define SVATOP_TEST_KERNELS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void test_kernels_dir(char *dir, size_t len)
{
	char exe[1024];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	int i;

	if (getenv("SVATOP_KERNELS")) {
		snprintf(dir, len, "%s", getenv("SVATOP_KERNELS"));
		return;
	}
	if (n <= 0) {
		snprintf(dir, len, ".output/kernels");
		return;
	}
	exe[n] = '\0';
	/* OUTPUT/tests/test_x -> OUTPUT */
	for (i = 0; i < 2; i++) {
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
	}
	snprintf(dir, len, "%s/kernels", exe);
}

#endif
