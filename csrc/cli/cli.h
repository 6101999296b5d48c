/* The atmograph program: shared helpers for every subcommand. */
#ifndef ATMO_CLI_H
#define ATMO_CLI_H

#include <stdio.h>
#include "atmograph/atmograph.h"

/* Exit codes: 0 success, 1 bad input or failed work, 2 usage error. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* One subcommand: its name, one line for the overview, and its entry point.
 * argv[0] is the subcommand name; getopt_long state is reset before the call. */
typedef struct {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
} cli_command;

/* Every message goes through these, in one shape (curl's tool_msgs.c):
 *   atmograph: FILE:LINE:COL: error: TEXT
 *   atmograph: warning: TEXT
 *   atmograph: TEXT \n try 'atmograph CMD --help'      (usage errors, exit 2) */
int cli_error(const atmo_error *err);                       /* returns CLI_FAIL */
int cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const atmo_error *w);
void cli_warningf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));              /* returns CLI_USAGE */

/* Handle the getopt_long '?' and ':' cases uniformly; returns CLI_USAGE. */
int cli_bad_option(const char *cmd);

/* Print text to stdout or atomically to FILE ("-" or NULL: stdout). */
int cli_write_output(const char *path, const void *data, size_t len);

/* Parse a non-negative integer option value; returns 0 or CLI_USAGE. */
int cli_parse_uint(const char *cmd, const char *opt, const char *s, unsigned long *out);

/* The subcommands. Each lives in its own file cmd_<name>.c. */
int cmd_parse(int argc, char **argv);
int cmd_stages(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_sizes(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_bake(int argc, char **argv);
int cmd_build(int argc, char **argv);

#endif
