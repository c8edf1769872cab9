// SPDX-License-Identifier: GPL-2.0
/* svatop replay FILE [VIEW [ARGS...]]: a recording through any view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "common/log.h"

#pragma weak cmd_top
#pragma weak cmd_trace
#pragma weak cmd_graph
#pragma weak cmd_leaks

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *extra;	/* an argument the view needs for replay */
} views[] = {
	{ "trace", cmd_trace, NULL },
	{ "graph", cmd_graph, NULL },
	{ "leaks", cmd_leaks, NULL },
	{ "top", cmd_top, "-b" },
};

int cmd_replay(int argc, char **argv)
{
	const char *view = "trace";
	char **nargv;
	int i, n = 0, rest = 2, ret;
	size_t v;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(argc < 2 ? stderr : stdout,
			"Usage: svatop replay FILE [trace|graph|leaks|top] [VIEW OPTIONS...]\n"
			"Feed a recording made by 'svatop record' to a view (default: trace).\n");
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (argc > 2 && argv[2][0] != '-') {
		view = argv[2];
		rest = 3;
	}
	for (v = 0; v < sizeof(views) / sizeof(views[0]); v++)
		if (!strcmp(views[v].name, view))
			break;
	if (v == sizeof(views) / sizeof(views[0])) {
		p_err("replay: unknown view '%s' (trace, graph, leaks, top)", view);
		return EXIT_USAGE;
	}
	if (!views[v].fn) {
		p_err("replay: view '%s' is not part of this build", view);
		return EXIT_USAGE;
	}
	nargv = calloc(argc + 4, sizeof(*nargv));
	if (!nargv)
		return EXIT_USAGE;
	nargv[n++] = (char *)view;
	nargv[n++] = "--replay";
	nargv[n++] = argv[1];
	if (views[v].extra)
		nargv[n++] = (char *)views[v].extra;
	for (i = rest; i < argc; i++)
		nargv[n++] = argv[i];
	ret = views[v].fn(n, nargv);
	free(nargv);
	return ret;
}
