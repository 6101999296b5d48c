/* atmograph bake: read a bake file; --print writes it resolved (buildx --print form),
 * --graph writes the multi-image graph document. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "atmograph/bake.h"
#include "cli/bakeopts.h"
#include "cli/cli.h"
#include "cli/renderopts.h"

/* clang-format off: the help text is laid out as it prints */
static void usage(FILE *out)
{
	cli_help_print(
		"usage: atmograph bake [--print | --graph] [-f FILE]... [--var NAME=VALUE]...\n"
		"                      [--set PATTERN.KEY=VALUE]... [-o OUTPUT] [--format FORMAT]\n"
		"                      [--detail overview|stages] [TARGET|GROUP...]\n\n"
		"Read bake files as `docker buildx bake` does (HCL and JSON: variables, "
		"functions,\n"
		"matrix, inherits, groups, --set) and write the targets named (default: the\n"
		"\"default\" group or target; patterns like 'web-*' too) and the targets they "
		"link\n"
		"to (contexts \"target:x\"), byte for byte as `docker buildx bake --print`. "
		"Without\n"
		"-f, docker-bake.json, docker-bake.hcl, docker-bake.override.json and\n"
		"docker-bake.override.hcl are looked up in the current directory. Compose files\n"
		"are refused. Paths are relative to the directory of the first bake file.\n\n"
		"  --print                the `docker buildx bake --print` form (default)\n"
		"  --graph                the graph of the targets: its document (schema\n"
		"                         atmograph.graph/1), or drawn: --format svg, png, pdf,\n"
		"                         dot, json or text, default from the extension of -o\n"
		"                         (.svg .png .pdf .dot/.gv .json .txt), else json. The\n"
		"                         drawing is the family's overview (one node per image)\n"
		"                         unless --detail stages.\n" CLI_BAKE_HELP
		"Drawing options (with --graph):\n" CLI_RENDER_HELP
		"  -o, --output FILE      write to FILE (atomically) instead of standard output\n"
		"  -h, --help             show this help\n\n"
		"Exit status: 0 written, 1 the bake file is invalid (the error names the file and\n"
		"its line and columns as buildx does), 2 usage error.\n",
		out);
}
/* clang-format on */

int cmd_bake(int argc, char **argv)
{
	static const struct option longopts[] = { { "print", no_argument, NULL, 'P' },
						  { "graph", no_argument, NULL, 'G' },
						  CLI_BAKE_LONGOPTS,
						  CLI_RENDER_LONGOPTS,
						  { "output", required_argument, NULL, 'o' },
						  { "help", no_argument, NULL, 'h' },
						  { NULL, 0, NULL, 0 } };
	cli_bake_args a = { 0 };
	cli_render_args ra = { ATMO_RENDER_OPTIONS_INIT, NULL };
	atmo_format format = ATMO_FORMAT_JSON;
	int drawing = 0;
	atmo_bake *b = NULL;
	json_t *doc = NULL;
	const char *output = NULL;
	int graph = 0, c, rc = CLI_OK;
	atmo_error err;

	atmo_error_clear(&err);
	while ((c = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'P':
			graph = 0;
			break;
		case 'G':
			graph = 1;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			goto done;
		default:
			if ((rc = cli_render_option(&ra, "bake", c, optarg)) >= 0) {
				drawing = 1;
				if (rc != CLI_OK)
					goto done;
				break;
			}
			if ((rc = cli_bake_option(&a, "bake", c, optarg)) < 0)
				rc = cli_bad_option("bake", c, argv, longopts);
			if (rc != CLI_OK)
				goto done;
		}
	}
	if (drawing && !graph) {
		rc = cli_usage_error("bake",
				     "drawing options (--format, --detail, ...) need --graph");
		goto done;
	}
	if (graph &&
	    (rc = cli_render_format(&format, &ra, "bake", output, ATMO_FORMAT_JSON)) != CLI_OK)
		goto done;
	if ((rc = cli_bake_load(&b, &a)))
		goto done;
	if (graph)
		c = atmo_bake_graph(&doc, b, (const char *const *)argv + optind,
				    (size_t)(argc - optind), &err);
	else {
		char *text = NULL;
		size_t len = 0;
		/* buildx's bytes: its key order, 2-space indent, Go's escapes */
		c = atmo_bake_print_text(&text, &len, b, (const char *const *)argv + optind,
					 (size_t)(argc - optind), &err);
		if (c == 0)
			rc = cli_write_output(output, text, len);
		atmo_free(text);
		if (c == 0)
			goto done;
	}
	if (c < 0) {
		rc = cli_error(&err);
		goto done;
	}
	if (graph && format != ATMO_FORMAT_JSON) {
		ra.ro.format = format;
		rc = cli_render_write(&ra, doc, output);
	} else {
		rc = cli_write_json(output, doc);
	}
done:
	json_decref(doc);
	atmo_bake_free(b);
	cli_bake_args_free(&a);
	return rc;
}
