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

static void help(void)
{
	fputs("usage: atmograph graph FILE [--format FORMAT] [-o OUTPUT] [--target STAGE]\n"
	      "                       [--build-arg KEY=VALUE]... [--build-context NAME=VALUE]...\n"
	      "                       [--layers] [--legend] [--rankdir LR|TB]\n"
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
	      "  --format FORMAT      svg, png, pdf, dot, json or text. Default: taken from the\n"
	      "                        extension of -o (.svg .png .pdf .dot/.gv .json .txt),\n"
	      "                        else dot. json is the graph document itself\n"
	      "                        (schema \"atmograph.graph/1\").\n"
	      "  -o, --output FILE     write there (atomically, only on success); default or '-':\n"
	      "                        standard output (png and pdf refuse a terminal)\n"
	      CLI_GRAPH_HELP
	      "  --image-id ID         cluster id used in node ids (default \"dockerfile\")\n"
	      "  --layers              one node per instruction inside each stage\n"
	      "  --legend              add a legend of node and edge styles\n"
	      "  --rankdir LR|TB       layout direction (default LR)\n"
	      "  --max-label-length N  shorten longer names: 4 to 1000 (default, or 0: 20)\n"
	      "  --scratch show|hide   draw FROM scratch as a node (default show)\n"
	      "  --theme light|dark    colours (default light)\n"
	      "  --link-base URL       each stage links to URL#<anchor>\n"
	      "  --dpi N               PNG resolution: 1 to 2400 (default, or 0: Graphviz's 96)\n"
	      "  -h, --help            show this help\n"
	      "\n"
	      "Exit status: 0 drawn, 1 the Dockerfile is invalid or cannot be resolved (the\n"
	      "error says FILE:LINE:COL) or drawing failed, 2 usage error (also a malformed\n"
	      "--build-arg or --build-context). Warnings\n"
	      "(DuplicateStageName, UndefinedArgInFrom, ...) go to standard error.\n", stdout);
}

enum {
	OPT_LAYERS = CLI_OPT_LOCAL, OPT_LEGEND, OPT_RANKDIR,
	OPT_MAXLABEL, OPT_SCRATCH, OPT_THEME, OPT_LINKBASE, OPT_DPI, OPT_IMAGE_ID
};

static int format_from_path(atmo_format *f, const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;
	if (!dot || strchr(dot, '/'))
		return -1;
	dot++;
	if (!strcasecmp(dot, "gv"))
		dot = "dot";
	else if (!strcasecmp(dot, "txt"))
		dot = "text";
	return atmo_format_from_name(f, dot) < 0 ? -1 : 0;
}

/* the core's option check: each value is checked as it is given (those before it
 * passed), so a rejected one is a usage error naming its flag */
static int write_buf(const char *data, size_t len, void *payload)
{
	return atmo__buf_put(payload, data, len);
}

static int write_stdout(const char *data, size_t len, void *payload)
{
	(void)payload;
	return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

static int check_render_option(const atmo_render_options *ro, const char *flag)
{
	atmo_error err;
	atmo_error_clear(&err);
	if (atmo_render_options_check(ro, &err) < 0)
		return cli_usage_error("graph", "option %s: %s", flag, err.text);
	return CLI_OK;
}

/* the renderer's warnings: {"source": "graphviz"|"atmograph", "code", "text"} */
static void print_render_warnings(json_t *warnings)
{
	size_t i;
	json_t *w;
	json_array_foreach(warnings, i, w) {
		const char *t = json_is_string(w) ? json_string_value(w) : cli_jstr(w, "text");
		const char *src = json_is_string(w) ? "" : cli_jstr(w, "source");
		if (t && *t)
			cli_warningf("%s: %s", *src ? src : "graphviz", t);
	}
}

int cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		CLI_GRAPH_LONGOPTS,
		{ "layers", no_argument, NULL, OPT_LAYERS },
		{ "legend", no_argument, NULL, OPT_LEGEND },
		{ "rankdir", required_argument, NULL, OPT_RANKDIR },
		{ "max-label-length", required_argument, NULL, OPT_MAXLABEL },
		{ "scratch", required_argument, NULL, OPT_SCRATCH },
		{ "theme", required_argument, NULL, OPT_THEME },
		{ "link-base", required_argument, NULL, OPT_LINKBASE },
		{ "dpi", required_argument, NULL, OPT_DPI },
		{ "image-id", required_argument, NULL, OPT_IMAGE_ID },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	atmo_render_options ro = ATMO_RENDER_OPTIONS_INIT;
	const char *format_name = NULL, *output = NULL, *path;
	cli_graph_args ga = { 0 };
	size_t len = 0;
	atmo_format format = ATMO_FORMAT_DOT;
	atmo_dockerfile *df = NULL;
	atmo_graph *g = NULL;
	atmo_renderer *r = NULL;
	json_t *doc = NULL, *warnings = NULL;
	char *text = NULL, *data = NULL;
	unsigned long num;
	atmo_error err;
	int c, rc = CLI_OK;

	while ((c = getopt_long(argc, argv, ":o:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': format_name = optarg; break;
		case 'o': output = optarg; break;
		case OPT_LAYERS: ro.layers = 1; break;
		case OPT_LEGEND: ro.legend = 1; break;
		case OPT_RANKDIR:
			ro.rankdir = optarg;
			if ((rc = check_render_option(&ro, "--rankdir")) != CLI_OK)
				goto done;
			break;
		case OPT_MAXLABEL:
			if ((rc = cli_parse_uint("graph", "--max-label-length", optarg, &num)) != CLI_OK)
				goto done;
			ro.max_label_length = num > UINT_MAX ? UINT_MAX : (unsigned)num;
			if ((rc = check_render_option(&ro, "--max-label-length")) != CLI_OK)
				goto done;
			break;
		case OPT_SCRATCH:
			if (!strcmp(optarg, "show"))
				ro.show_scratch = 1;
			else if (!strcmp(optarg, "hide"))
				ro.show_scratch = 0;
			else {
				rc = cli_usage_error("graph", "--scratch takes show or hide, not '%s'", optarg);
				goto done;
			}
			break;
		case OPT_THEME:
			ro.theme = optarg;
			if ((rc = check_render_option(&ro, "--theme")) != CLI_OK)
				goto done;
			break;
		case OPT_LINKBASE: ro.link_base = optarg; break;
		case OPT_DPI:
			if ((rc = cli_parse_uint("graph", "--dpi", optarg, &num)) != CLI_OK)
				goto done;
			ro.dpi = (double)num;
			if ((rc = check_render_option(&ro, "--dpi")) != CLI_OK)
				goto done;
			break;
		case OPT_IMAGE_ID: ga.image_id = optarg; break;
		case 'h':
			help();
			goto done;
		default:
			if ((rc = cli_graph_option(&ga, c, optarg)) < 0)
				rc = cli_bad_option("graph", c, argv, opts);
			if (rc != CLI_OK)
				goto done;
		}
	}
	if ((rc = cli_one_operand("graph", argc, argv, "FILE", 1, &path)) != CLI_OK)
		goto done;
	if (format_name) {
		if (atmo_format_from_name(&format, format_name) < 0) {
			rc = cli_usage_error("graph", "unknown format '%s' (svg, png, pdf, dot, json, text)",
					     format_name);
			goto done;
		}
	} else if (output && strcmp(output, "-")) {
		if (format_from_path(&format, output) < 0) {
			rc = cli_usage_error("graph", "cannot tell the format from '%s'; give --format",
					     output);
			goto done;
		}
	}
	if ((format == ATMO_FORMAT_PNG || format == ATMO_FORMAT_PDF) &&
	    (!output || !strcmp(output, "-")) && isatty(STDOUT_FILENO)) {
		rc = cli_usage_error("graph", "refusing to write %s to a terminal; use -o FILE",
				     format == ATMO_FORMAT_PNG ? "png" : "pdf");
		goto done;
	}

	if ((rc = cli_graph_load(&g, &df, &text, "graph", path, &ga)) != CLI_OK)
		goto done;
	if (format == ATMO_FORMAT_JSON) {
		/* the document written a node at a time: the whole jansson tree of a
		 * 100,000-stage file took 700 MiB and most of the time */
		atmo_buf b = ATMO_BUF_INIT;
		if (!output || !strcmp(output, "-")) {
			/* standard output is streamed; a file is written whole, atomically */
			if (atmo_graph_write_json(g, write_stdout, NULL, &err) < 0 || fflush(stdout))
				rc = err.code ? cli_error(&err) : cli_errorf("<stdout>: cannot write");
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
	/* the renderer writes every format, json (the document itself) and text too;
	 * only the Graphviz formats need a renderer (and load Graphviz's plugins) */
	ro.format = format;
	if (format <= ATMO_FORMAT_DOT && atmo_renderer_new(&r, &err) < 0) {
		rc = cli_error(&err);
		goto done;
	}
	c = atmo_render(&data, &len, r, doc, &ro, &warnings, &err);
	print_render_warnings(warnings);
	rc = c < 0 ? cli_error(&err) : cli_write_output(output, data, len);
done:
	json_decref(warnings);
	json_decref(doc);
	free(data);
	atmo_renderer_free(r);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	free(text);
	cli_graph_args_free(&ga);
	return rc;
}
