/* atmograph stages: list the stages of a Dockerfile as BuildKit resolves them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "atmograph/dockerfile.h"
#include "atmograph/graph.h"

static void help(void)
{
	cli_help_print(
		"usage: atmograph stages FILE [--json] [--target STAGE]\n"
		"                        [--build-arg KEY=VALUE]... [--build-context "
		"NAME=VALUE]...\n"
		"\n"
		"Resolve a Dockerfile as BuildKit does and list its stages: index, name, base\n"
		"(after ARG expansion), lines, status and description (the comment right\n"
		"above FROM that starts with the stage name, as `docker buildx build --call\n"
		"outline` shows it). FILE may be '-' for standard input.\n"
		"\n"
		"Status: target (the stage built), final (its FROM chain: layers in the\n"
		"target image), build-only (built, but only files copied or mounted from it\n"
		"reach the target), unused (not built for this target), replaced (a\n"
		"--build-context of the stage's name stands in for it).\n"
		"\n"
		"Options:\n"
		"  --json                the stage list as JSON (schema "
		"\"atmograph.stages/1\")\n" CLI_GRAPH_HELP
		"  -h, --help            show this help\n"
		"\n"
		"Exit status: 0 listed, 1 the Dockerfile is invalid or cannot be resolved (the\n"
		"error says FILE:LINE:COL), 2 usage error (also a malformed --build-arg or\n"
		"--build-context). Warnings go to standard error.\n",
		stdout);
}

enum { OPT_JSON = CLI_OPT_LOCAL };

/* the base column: the FROM argument, marked when a named context provides it
 * (the document's "base_kind") */
static void base_text(char *buf, size_t n, const json_t *st)
{
	snprintf(buf, n, "%s%s", cli_jstr(st, "base"),
		 !strcmp(cli_jstr(st, "base_kind"), "context") ? " (context)" : "");
}

/* the NAME column: "stage N" for an unnamed stage (its label "N" alone reads like a count) */
static const char *name_text(char *buf, size_t n, const json_t *st)
{
	return cli_stage_title(buf, n, cli_jstr(st, "label"));
}

/* one row, without the padding an empty last column would leave at its end */
static void print_row(int wname, int wbase, int wlines, const char *index, const char *name,
		      const char *base, const char *lines, const char *status, const char *desc)
{
	char row[2048];
	int n = snprintf(row, sizeof(row), "%-5s  %-*s  %-*s  %-*s  %-10s  %s", index, wname, name,
			 wbase, base, wlines, lines, status, desc);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(row))
		n = (int)sizeof(row) - 1;
	while (n > 0 && row[n - 1] == ' ')
		n--;
	printf("%.*s\n", n, row);
}

/* the table, from the stage list the core makes (its "status" is the STATUS column) */
static int print_table(const json_t *doc)
{
	const json_t *stages = json_object_get(doc, "stages"), *st;
	char base[512], lines[48], name[64], index[32];
	int wname = 4, wbase = 4, wlines = 5;
	size_t i;

	json_array_foreach(stages, i, st) {
		int l = (int)strlen(name_text(name, sizeof(name), st)), b;
		base_text(base, sizeof(base), st);
		b = (int)strlen(base);
		if (l > wname)
			wname = l;
		if (b > wbase)
			wbase = b;
		snprintf(lines, sizeof(lines), "%lld-%lld", cli_jint(st, "line"),
			 cli_jint(st, "end_line"));
		if ((int)strlen(lines) > wlines)
			wlines = (int)strlen(lines);
	}
	if (wname > 40)
		wname = 40;
	if (wbase > 50)
		wbase = 50;
	print_row(wname, wbase, wlines, "INDEX", "NAME", "BASE", "LINES", "STATUS", "DESCRIPTION");
	json_array_foreach(stages, i, st) {
		snprintf(lines, sizeof(lines), "%lld-%lld", cli_jint(st, "line"),
			 cli_jint(st, "end_line"));
		snprintf(index, sizeof(index), "%lld", cli_jint(st, "index"));
		base_text(base, sizeof(base), st);
		print_row(wname, wbase, wlines, index, name_text(name, sizeof(name), st), base,
			  lines, cli_jstr(st, "status"), cli_jstr(st, "description"));
	}
	return fflush(stdout) ? cli_errorf("cannot write to standard output") : CLI_OK;
}

int cmd_stages(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		CLI_GRAPH_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cli_graph_args ga = { 0 };
	atmo_dockerfile *df = NULL;
	atmo_graph *g = NULL;
	json_t *doc = NULL;
	const char *path;
	char *text = NULL;
	int c, as_json = 0, rc = CLI_OK;
	atmo_error err;

	while ((c = getopt_long(argc, argv, ":t:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			as_json = 1;
			break;
		case 'h':
			help();
			goto done;
		default:
			if ((rc = cli_graph_option(&ga, c, optarg)) < 0)
				rc = cli_bad_option("stages", c, argv, opts);
			if (rc != CLI_OK)
				goto done;
		}
	}
	if ((rc = cli_one_operand("stages", argc, argv, "FILE", 1, &path)) != CLI_OK ||
	    (rc = cli_graph_load(&g, &df, &text, "stages", path, &ga)) != CLI_OK)
		goto done;
	atmo_error_clear(&err);
	if (atmo_graph_stages_to_json(&doc, g, &err) < 0) {
		rc = cli_error(&err);
		goto done;
	}
	rc = as_json ? cli_write_json("-", doc) : print_table(doc);
done:
	json_decref(doc);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	atmo_free(text);
	cli_graph_args_free(&ga);
	return rc;
}
