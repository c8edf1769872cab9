/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One function per svatop command, each in its own file. argv[0] is the
 * command name. Return value is the process exit status.
 * Exit statuses shared by every command:
 *   0 success, 1 findings (leaks, violations) or "cannot trace" for probe,
 *   2 usage or environment error, 3 inconclusive (events were lost),
 *   4 (check) the command itself failed.
 */
#ifndef SVATOP_COMMANDS_H
#define SVATOP_COMMANDS_H

#define EXIT_FINDINGS		1
#define EXIT_USAGE		2
#define EXIT_INCONCLUSIVE	3
#define EXIT_CMD_FAILED		4	/* check: CMD failed, tracing was clean */
#define EXIT_PENDING		5	/* clean so far, leak candidates within the grace */

int cmd_top(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_leaks(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_exporter(int argc, char **argv);
int cmd_pasid(int argc, char **argv);

#endif
