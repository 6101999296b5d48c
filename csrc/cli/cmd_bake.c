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

static void usage(FILE *out)
{
	fputs("usage: atmograph bake [--print | --graph] [-f FILE]... [--set-var NAME=VALUE]...\n"
	      "                      [-o OUTPUT] [--format FORMAT] [--detail overview|stages]\n"
	      "                      [TARGET|GROUP...]\n\n"
	      "Read a bake file (docker-bake.json, as `docker buildx bake` reads it) and write it\n"
	      "resolved: variables interpolated, inherits applied, the targets named and the\n"
	      "targets they link to (contexts \"target:x\"). Without -f, docker-bake.json and\n"
	      "docker-bake.override.json are looked up in the current directory.\n"
	      "Target fields: context, dockerfile, dockerfile-inline, args, tags, target,\n"
	      "contexts, inherits, platforms, output, cache-from, cache-to, labels, no-cache,\n"
	      "pull, description. Any other field (secret, ssh, attest, annotations, network,\n"
	      "no-cache-filter, shm-size, ulimits, entitlements, call, matrix, ...), HCL\n"
	      "functions and expressions other than ${VARIABLE} are rejected with an error\n"
	      "naming the JSON path (target.NAME.FIELD). Paths are relative to the directory\n"
	      "of the first bake file.\n\n"
	      "  --print                the `docker buildx bake --print` form (default)\n"
	      "  --graph                the graph of the targets: its document (schema\n"
	      "                         atmograph.graph/1), or drawn: --format svg, png, pdf,\n"
	      "                         dot, json or text, default from the extension of -o\n"
	      "                         (.svg .png .pdf .dot/.gv .json .txt), else json. The\n"
	      "                         drawing is the family's overview (one node per image)\n"
	      "                         unless --detail stages.\n"
	      CLI_BAKE_HELP
	      "Drawing options (with --graph):\n"
	      CLI_RENDER_HELP
	      "  -o, --output FILE      write to FILE (atomically) instead of standard output\n"
	      "  -h, --help             show this help\n\n"
	      "Exit status: 0 written, 1 the bake file is invalid (the error names FILE and the\n"
	      "JSON path), 2 usage error.\n", out);
}

int cmd_bake(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "print", no_argument, NULL, 'P' },
		{ "graph", no_argument, NULL, 'G' },
		CLI_BAKE_LONGOPTS,
		CLI_RENDER_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
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
		case 'P': graph = 0; break;
		case 'G': graph = 1; break;
		case 'o': output = optarg; break;
		case 'h': usage(stdout); goto done;
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
		rc = cli_usage_error("bake", "drawing options (--format, --detail, ...) need --graph");
		goto done;
	}
	if (graph && (rc = cli_render_format(&format, &ra, "bake", output, ATMO_FORMAT_JSON)) != CLI_OK)
		goto done;
	if ((rc = cli_bake_load(&b, &a)))
		goto done;
	if (graph)
		c = atmo_bake_graph(&doc, b, (const char *const *)argv + optind,
				    (size_t)(argc - optind), &err);
	else
		c = atmo_bake_print(&doc, b, (const char *const *)argv + optind,
				    (size_t)(argc - optind), &err);
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
