/* atmograph graph: draw the stage graph of a Dockerfile. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "atmograph/dockerfile.h"
#include "atmograph/graph.h"
#include "atmograph/render.h"
#include "cli/renderopts.h"

static void help(void)
{
	cli_help_print(
		"usage: atmograph graph FILE [--format FORMAT] [-o OUTPUT] [--target STAGE]\n"
		"                       [--build-arg KEY=VALUE]... [--build-context "
		"NAME=VALUE]...\n"
		"                       [--layers] [--legend] [--rankdir LR|TB|auto]\n"
		"                       [--max-label-length N] [--scratch show|hide]\n"
		"                       [--theme light|dark] [--link-base URL] [--dpi N]\n"
		"                       [--image-id ID]\n"
		"\n"
		"Resolve a Dockerfile as BuildKit does and draw its stage graph: stages,\n"
		"the images and named contexts they start from, and the FROM, COPY --from,\n"
		"RUN --mount from= and ONBUILD edges between them. FILE may be '-' for\n"
		"standard input.\n"
		"\n"
		"Options:\n"
		"  --format FORMAT       svg, png, pdf, dot, json or text. Default: taken from "
		"the\n"
		"                        extension of -o (.svg .png .pdf .dot/.gv .json .txt),\n"
		"                        else dot. json is the graph document itself\n"
		"                        (schema \"atmograph.graph/1\").\n"
		"  -o, --output FILE     write there (atomically, only on success); default or "
		"'-':\n"
		"                        standard output (png and pdf refuse a "
		"terminal)\n" CLI_GRAPH_HELP "  --image-id ID         cluster id used in node ids "
		"(default \"dockerfile\")\n" CLI_RENDER_HELP
		"  -h, --help            show this help\n"
		"\n"
		"Exit status: 0 drawn, 1 the Dockerfile is invalid or cannot be resolved (the\n"
		"error says FILE:LINE:COL) or drawing failed, 2 usage error (also a malformed\n"
		"--build-arg or --build-context). Warnings\n"
		"(DuplicateStageName, UndefinedArgInFrom, ...) go to standard error.\n",
		stdout);
}

enum { OPT_IMAGE_ID = CLI_OPT_LOCAL };

static int write_buf(const char *data, size_t len, void *payload)
{
	return atmo__buf_put(payload, data, len);
}

static int write_stdout(const char *data, size_t len, void *payload)
{
	(void)payload;
	return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

int cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		CLI_GRAPH_LONGOPTS,
		CLI_RENDER_LONGOPTS,
		{ "image-id", required_argument, NULL, OPT_IMAGE_ID },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cli_render_args ra = { ATMO_RENDER_OPTIONS_INIT, NULL };
	const char *output = NULL, *path;
	cli_graph_args ga = { 0 };
	atmo_format format = ATMO_FORMAT_DOT;
	atmo_dockerfile *df = NULL;
	atmo_graph *g = NULL;
	json_t *doc = NULL;
	char *text = NULL;
	atmo_error err;
	int c, rc = CLI_OK;

	while ((c = getopt_long(argc, argv, ":o:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case OPT_IMAGE_ID:
			ga.image_id = optarg;
			break;
		case 'h':
			help();
			goto done;
		default:
			if ((rc = cli_render_option(&ra, "graph", c, optarg)) < 0 &&
			    (rc = cli_graph_option(&ga, c, optarg)) < 0)
				rc = cli_bad_option("graph", c, argv, opts);
			if (rc != CLI_OK)
				goto done;
		}
	}
	if ((rc = cli_one_operand("graph", argc, argv, "FILE", 1, &path)) != CLI_OK)
		goto done;
	if ((rc = cli_render_format(&format, &ra, "graph", output, ATMO_FORMAT_DOT)) != CLI_OK)
		goto done;
	if ((rc = cli_graph_load(&g, &df, &text, "graph", path, &ga)) != CLI_OK)
		goto done;
	if (format == ATMO_FORMAT_JSON) {
		/* the document written a node at a time: the whole jansson tree of a
		 * 100,000-stage file took 700 MiB and most of the time */
		atmo_buf b = ATMO_BUF_INIT;
		if (!output || !strcmp(output, "-")) {
			/* standard output is streamed; a file is written whole, atomically */
			if (atmo_graph_write_json(g, write_stdout, NULL, &err) < 0 ||
			    fflush(stdout))
				rc = err.code ? cli_error(&err)
					      : cli_errorf("<stdout>: cannot write");
			goto done;
		}
		if (atmo_graph_write_json(g, write_buf, &b, &err) < 0)
			rc = cli_error(&err);
		else
			rc = cli_write_buf(output, &b);
		atmo__buf_free(&b);
		goto done;
	}
	if (atmo_graph_to_json(&doc, g, &err) < 0) {
		rc = cli_error(&err);
		goto done;
	}
	/* the renderer writes every format, json (the document itself) and text too */
	ra.ro.format = format;
	rc = cli_render_write(&ra, doc, output);
done:
	json_decref(doc);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	atmo_free(text);
	cli_graph_args_free(&ga);
	return rc;
}
