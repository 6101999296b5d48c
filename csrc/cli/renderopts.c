/* The drawing options of `graph` and `bake --graph` (renderopts.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "cli/renderopts.h"

/* the core's option check: each value is checked as it is given (those before it
 * passed), so a rejected one is a usage error naming its flag */
static int check(const atmo_render_options *ro, const char *cmd, const char *flag)
{
	atmo_error err;
	atmo_error_clear(&err);
	if (atmo_render_options_check(ro, &err) < 0)
		return cli_usage_error(cmd, "option %s: %s", flag, err.text);
	return CLI_OK;
}

int cli_render_option(cli_render_args *a, const char *cmd, int c, const char *arg)
{
	atmo_render_options *ro = &a->ro;
	unsigned long num;
	int rc;

	switch (c) {
	case CLI_OPT_FORMAT:
		a->format_name = arg;
		return CLI_OK;
	case CLI_OPT_LAYERS:
		ro->layers = 1;
		return CLI_OK;
	case CLI_OPT_LEGEND:
		ro->legend = 1;
		return CLI_OK;
	case CLI_OPT_RANKDIR:
		ro->rankdir = arg;
		return check(ro, cmd, "--rankdir");
	case CLI_OPT_DETAIL:
		ro->detail = arg;
		return check(ro, cmd, "--detail");
	case CLI_OPT_THEME:
		ro->theme = arg;
		return check(ro, cmd, "--theme");
	case CLI_OPT_LINKBASE:
		ro->link_base = arg;
		return CLI_OK;
	case CLI_OPT_MAXLABEL:
		if ((rc = cli_parse_uint(cmd, "--max-label-length", arg, &num)) != CLI_OK)
			return rc;
		ro->max_label_length = num > UINT_MAX ? UINT_MAX : (unsigned)num;
		return check(ro, cmd, "--max-label-length");
	case CLI_OPT_DPI:
		if ((rc = cli_parse_uint(cmd, "--dpi", arg, &num)) != CLI_OK)
			return rc;
		ro->dpi = (double)num;
		return check(ro, cmd, "--dpi");
	case CLI_OPT_SCRATCH:
		if (!strcmp(arg, "show"))
			ro->show_scratch = 1;
		else if (!strcmp(arg, "hide"))
			ro->show_scratch = 0;
		else
			return cli_usage_error(cmd, "--scratch takes show or hide, not '%s'", arg);
		return CLI_OK;
	default:
		return -1;
	}
}

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

int cli_render_format(atmo_format *out, const cli_render_args *a, const char *cmd,
		      const char *output, atmo_format dflt)
{
	atmo_format format = dflt;

	if (a->format_name) {
		if (atmo_format_from_name(&format, a->format_name) < 0)
			return cli_usage_error(
				cmd, "unknown format '%s' (svg, png, pdf, dot, json, text)",
				a->format_name);
	} else if (output && strcmp(output, "-")) {
		if (format_from_path(&format, output) < 0)
			return cli_usage_error(
				cmd, "cannot tell the format from '%s'; give --format", output);
	}
	if ((format == ATMO_FORMAT_PNG || format == ATMO_FORMAT_PDF) &&
	    (!output || !strcmp(output, "-")) && isatty(STDOUT_FILENO))
		return cli_usage_error(cmd, "refusing to write %s to a terminal; use -o FILE",
				       format == ATMO_FORMAT_PNG ? "png" : "pdf");
	*out = format;
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

int cli_render_write(const cli_render_args *a, json_t *doc, const char *output)
{
	atmo_renderer *r = NULL;
	json_t *warnings = NULL;
	char *data = NULL;
	size_t len = 0;
	atmo_error err;
	int rc;

	atmo_error_clear(&err);
	/* only the Graphviz formats need a renderer (and load Graphviz's plugins) */
	if (a->ro.format <= ATMO_FORMAT_DOT && atmo_renderer_new(&r, &err) < 0)
		return cli_error(&err);
	rc = atmo_render(&data, &len, r, doc, &a->ro, &warnings, &err);
	print_render_warnings(warnings);
	rc = rc < 0 ? cli_error(&err) : cli_write_output(output, data, len);
	json_decref(warnings);
	atmo_free(data);
	atmo_renderer_free(r);
	return rc;
}
