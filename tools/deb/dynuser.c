// SPDX-License-Identifier: GPL-2.0
/*
 * dynuser UID CAPS -- COMMAND [ARG]...: run COMMAND the way systemd starts
 * a unit with DynamicUser=yes, AmbientCapabilities=CAPS,
 * CapabilityBoundingSet=CAPS and NoNewPrivileges=yes: as UID:UID with no
 * supplementary groups, the bounding set and the ambient, inheritable,
 * permitted and effective sets reduced to CAPS (comma-separated numbers or
 * CAP_ names, "" for none), no_new_privs set. For measuring which
 * capabilities svatop needs on hosts without systemd (the lab VM).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct { const char *name; int nr; } cap_names[] = {
	{ "CAP_DAC_OVERRIDE", 1 }, { "CAP_DAC_READ_SEARCH", 2 }, { "CAP_IPC_LOCK", 14 },
	{ "CAP_SYS_PTRACE", 19 }, { "CAP_SYS_ADMIN", 21 }, { "CAP_SYS_RESOURCE", 24 },
	{ "CAP_SYSLOG", 34 }, { "CAP_PERFMON", 38 }, { "CAP_BPF", 39 },
};

static int cap_parse(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s && !*end && n >= 0 && n < 64)
		return (int)n;
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (!strcasecmp(s, cap_names[i].name) || !strcasecmp(s, cap_names[i].name + 4))
			return cap_names[i].nr;
	return -1;
}

static void die(const char *what)
{
	fprintf(stderr, "dynuser: %s: %s\n", what, strerror(errno));
	exit(127);
}

int main(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	uint64_t mask = 0;
	char *caps, *tok, *save = NULL;
	uid_t uid;

	if (argc < 5 || strcmp(argv[3], "--")) {
		fprintf(stderr, "usage: dynuser UID CAPS -- COMMAND [ARG]...\n");
		return 2;
	}
	uid = (uid_t)strtoul(argv[1], NULL, 10);
	caps = strdup(argv[2]);
	for (tok = strtok_r(caps, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int c = cap_parse(tok);

		if (c < 0) {
			fprintf(stderr, "dynuser: unknown capability '%s'\n", tok);
			return 2;
		}
		mask |= 1ULL << c;
	}
	/* The bounding set first: dropping needs CAP_SETPCAP, still held as root. */
	for (int c = 0; c < 64; c++)
		if (!(mask & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			die("PR_CAPBSET_DROP");
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		die("PR_SET_KEEPCAPS");
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		die("setting the uid");
	for (int i = 0; i < 2; i++)
		data[i].effective = data[i].permitted = data[i].inheritable =
			(uint32_t)(mask >> (32 * i));
	if (syscall(SYS_capset, &hdr, data))
		die("capset");
	for (int c = 0; c < 64; c++)
		if ((mask & (1ULL << c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0))
			die("PR_CAP_AMBIENT_RAISE");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die("PR_SET_NO_NEW_PRIVS");
	execvp(argv[4], argv + 4);
	die(argv[4]);
}
