// SPDX-License-Identifier: GPL-2.0
/* svatop: the command table and nothing else. */
#include <argp.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "common/log.h"
#include "common/version.h"
#include "svatop/abi.h"


struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

/* Weak, so a tree where a command's file is missing still links and says so. */
#pragma weak cmd_top
#pragma weak cmd_probe
#pragma weak cmd_trace
#pragma weak cmd_graph
#pragma weak cmd_leaks
#pragma weak cmd_check
#pragma weak cmd_record
#pragma weak cmd_replay
#pragma weak cmd_exporter
#pragma weak cmd_pasid

static const struct command commands[] = {
	{ "top",      cmd_top,      "live per-process view of PASIDs, domains and devices" },
	{ "probe",    cmd_probe,    "can this kernel do SVA, and can svatop trace it?" },
	{ "trace",    cmd_trace,    "stream SVA lifecycle events" },
	{ "graph",    cmd_graph,    "the mm -> PASID -> domain -> device graph (text, DOT, JSON)" },
	{ "leaks",    cmd_leaks,    "report leaked PASIDs, domains, bonds and mms" },
	{ "check",    cmd_check,    "run a command under tracing; fail on leaks (CI)" },
	{ "record",   cmd_record,   "record events to a file" },
	{ "replay",   cmd_replay,   "feed a recording to any view" },
	{ "exporter", cmd_exporter, "serve Prometheus metrics" },
	{ "pasid",    cmd_pasid,    "who holds PASID N (or each PASID in kernel log lines)" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: svatop [COMMAND] [OPTIONS...]\n"
		   "Observability for Linux IOMMU Shared Virtual Addressing (SVA).\n\n"
		   "Commands (default: top):\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'svatop COMMAND --help' for a command's options; man svatop.\n");
}

int main(int argc, char **argv)
{
	const struct command *cmd = &commands[0];
	size_t i;

	/* argp_error() exits by itself: with our usage status, not EX_USAGE */
	argp_err_exit_status = EXIT_USAGE;
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
			 !strcmp(argv[1], "help"))) {
		usage(stdout);
		return 0;
	}
	if (argc > 1 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("svatop %s (event ABI %d)\n", SVATOP_VERSION, SVATOP_ABI_VERSION);
		return 0;
	}
	if (argc > 1 && argv[1][0] != '-' && !(argv[1][0] >= '0' && argv[1][0] <= '9')) {
		cmd = NULL;
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(argv[1], commands[i].name))
				cmd = &commands[i];
		if (!cmd) {
			p_err("unknown command '%s' (see 'svatop --help')", argv[1]);
			return EXIT_USAGE;
		}
		argc--;
		argv++;
	}
	if (!cmd->fn) {
		p_err("command '%s' is not part of this build", cmd->name);
		return EXIT_USAGE;
	}
	return cmd->fn(argc, argv);
}
