/* atmograph: the program. Dispatches to one subcommand per file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

static const cli_command commands[] = {
	{ "parse", "parse a Dockerfile and print its syntax tree", cmd_parse },
	{ "stages", "list the stages of a Dockerfile", cmd_stages },
	{ "graph", "draw the stage graph (svg, png, pdf, dot, json, text)", cmd_graph },
	{ "inspect", "read a built image: layers, sizes, efficiency, packages", cmd_inspect },
	{ "sizes", "attribute image bytes to the stages of a Dockerfile", cmd_sizes },
	{ "diff", "compare two images: sizes, files, packages", cmd_diff },
	{ "check", "gate CI on image rules: efficiency, waste, size, packages", cmd_check },
	{ "plan", "print the build plan of a bake file in waves", cmd_plan },
	{ "bake", "read a bake file; --print writes it resolved", cmd_bake },
	{ "build", "build the targets of a bake file in dependency order", cmd_build },
};

/* clang-format off: the help text is laid out as it prints */
static void usage(FILE *out)
{
	size_t i;
	cli_help_print(
		"usage: atmograph [--version] [--help] [--color[=WHEN]] COMMAND [ARGS...]\n\n"
		"Keep container-image documentation true to its Dockerfiles.\n\n"
		"Commands:\n",
		out);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'atmograph COMMAND --help' for the options of a command.\n"
	      "FILE arguments accept '-' for standard input.\n"
	      "--color[=WHEN] (anywhere before '--'): colour errors and warnings: auto (the\n"
	      "default: on a terminal, unless NO_COLOR is set), always or never.\n"
	      "Exit status: 0 success, 1 bad input or failure, 2 usage error.\n",
	      out);
}
/* clang-format on */

/* Take --color[=WHEN] out of argv (any position before "--", so every command
 * accepts it) and pass it to the message printer through $ATMOGRAPH_COLOR,
 * which keeps the choice out of mutable globals. Returns the new argc, or -1
 * after a usage error. */
static int take_color_option(int argc, char **argv)
{
	int i, j = 1;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *when = NULL;
		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[j++] = argv[i++];
			break;
		}
		if (strcmp(a, "--color") && strncmp(a, "--color=", 8) && strcmp(a, "--colour") &&
		    strncmp(a, "--colour=", 9)) {
			argv[j++] = argv[i];
			continue;
		}
		if (cli_color_when(&when, strchr(a, '=') ? strchr(a, '=') + 1 : NULL) < 0) {
			cli_usage_error(NULL, "--color takes auto, always or never, not '%s'",
					strchr(a, '=') + 1);
			return -1;
		}
		if (setenv("ATMOGRAPH_COLOR", when, 1) != 0) {
			cli_errorf("cannot set ATMOGRAPH_COLOR");
			return -1;
		}
	}
	argv[j] = NULL;
	return j;
}

/* the unknown command, with the closest command name when one is near */
static int unknown_command(const char *word)
{
	const char *names[sizeof(commands) / sizeof(commands[0])], *best;
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		names[i] = commands[i].name;
	best = cli_suggest(word, names, i);
	if (best)
		return cli_usage_error(NULL, "unknown command '%s' (did you mean '%s'?)", word,
				       best);
	return cli_usage_error(NULL, "unknown command '%s'", word);
}

int main(int argc, char **argv)
{
	size_t i;
	const char *gvleak = getenv("ATMOGRAPH_GVLEAK");

	if (gvleak && !strcmp(gvleak, "off"))
		atmo_render_set_graphviz_fix(0);
	if ((argc = take_color_option(argc, argv)) < 0)
		return CLI_USAGE;
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("atmograph %s\n", atmo_version());
		return CLI_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			optind = 1;
			opterr = 0; /* cli_bad_option reports option errors */
			return commands[i].run(argc - 1, argv + 1);
		}
	}
	if (argv[1][0] == '-')
		return cli_usage_error(NULL, "unknown option '%s'", argv[1]);
	return unknown_command(argv[1]);
}
