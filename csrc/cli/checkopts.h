/* The rule options `check` and `build --check` share (rules: atmograph/check.h). */
#ifndef ATMO_CLI_CHECKOPTS_H
#define ATMO_CLI_CHECKOPTS_H

#include <jansson.h>
#include "atmograph/check.h"
#include "cli/cli.h"
#include "util/buf.h"

/* the rule options as given, in order (later ones win), and the rules file */
typedef struct {
	const char **names;
	const char **values;
	size_t n_names, n_values;
	const char *rules_file;
} cli_check_args;

#define CLI_CHECK_ARGS_INIT                                                                        \
	{                                                                                          \
		NULL, NULL, 0, 0, NULL                                                             \
	}

#define CLI_CHECK_LONGOPTS                                                                         \
	{ "lowest-efficiency", required_argument, NULL, CLI_OPT_RULE },                            \
		{ "highest-wasted-bytes", required_argument, NULL, CLI_OPT_RULE },                 \
		{ "highest-user-wasted-percent", required_argument, NULL, CLI_OPT_RULE },          \
		{ "highest-image-size", required_argument, NULL, CLI_OPT_RULE },                   \
		{ "highest-growth", required_argument, NULL, CLI_OPT_RULE },                       \
		{ "baseline", required_argument, NULL, CLI_OPT_RULE },                             \
		{ "forbid-package", required_argument, NULL, CLI_OPT_RULE },                       \
		{ "build-report", required_argument, NULL, CLI_OPT_RULE },                         \
		{ "report-target", required_argument, NULL, CLI_OPT_RULE },                        \
	{                                                                                          \
		"rules", required_argument, NULL, CLI_OPT_RULES                                    \
	}

#define CLI_CHECK_HELP                                                                             \
	"  --lowest-efficiency R          efficiency score at least R (0.9 or 90%; dive's)\n"      \
	"  --highest-wasted-bytes SIZE    dive's wasted bytes at most SIZE\n"                      \
	"  --highest-user-wasted-percent R  wasted bytes over the bytes of every layer but\n"      \
	"                                 the first at most R (0.1 or 10%; dive's)\n"              \
	"  --highest-image-size SIZE      image bytes (its files) at most SIZE\n"                  \
	"  --highest-growth SIZE|N%       growth over the baseline at most SIZE or N%\n"           \
	"  --baseline FILE                a previous `inspect --json`, `check --json` or\n"        \
	"                                 build report (its target: --report-target)\n"            \
	"  --forbid-package GLOB          no installed dpkg package matches GLOB (repeatable)\n"   \
	"  --build-report FILE            no package the build kept out of the final image\n"      \
	"                                 (its build-only stages' packages) is installed\n"        \
	"  --report-target NAME           the report's target to take (default: the one whose\n"   \
	"                                 digest is the image's, else every target)\n"             \
	"  --rules FILE                   rules from FILE ({\"rules\": {\"lowestEfficiency\": "    \
	"0.9,\n"                                                                                   \
	"                                 ...}}, dive's names; YAML when it ends in "              \
	".yaml/.yml);\n"                                                                           \
	"                                 default: .atmograph-ci.json, .atmograph-ci.yaml or\n"    \
	"                                 .atmograph-ci.yml here. Options override the file.\n"    \
	"                                 With no rule at all: dive's defaults\n"                  \
	"                                 (lowestEfficiency 0.9, highestUserWastedPercent 0.1)\n"

/* Handle a rule option (name: the long option's name) or --rules: CLI_OK, CLI_FAIL (out
 * of memory), or -1 when c is neither. */
int cli_check_option(cli_check_args *a, int c, const char *name, const char *arg);
/* The rules: the rules file (given, else a default file here), then the options, then
 * dive's defaults when no rule is on. Prints errors (a bad option value is a usage
 * error of cmd). Returns CLI_OK, CLI_USAGE or CLI_FAIL; the caller frees *out. */
int cli_check_rules(atmo_check_rules **out, const cli_check_args *a, const char *cmd);
/* One line per image and rule (PASS/FAIL/SKIP with the figures), then the result. */
void cli_check_print(atmo_buf *b, const json_t *doc);
void cli_check_args_free(cli_check_args *a);

#endif
