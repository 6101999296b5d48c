/* The drawing options `graph` and `bake --graph` share: format, output, and the
 * core's render options (atmo_render_options), each checked by the core as given. */
#ifndef ATMO_CLI_RENDEROPTS_H
#define ATMO_CLI_RENDEROPTS_H

#include "atmograph/render.h"
#include "cli/cli.h"

enum {
	CLI_OPT_LAYERS = 0x180,
	CLI_OPT_LEGEND,
	CLI_OPT_RANKDIR,
	CLI_OPT_MAXLABEL,
	CLI_OPT_SCRATCH,
	CLI_OPT_THEME,
	CLI_OPT_LINKBASE,
	CLI_OPT_DPI,
	CLI_OPT_DETAIL,
	CLI_OPT_FORMAT
};

#define CLI_RENDER_LONGOPTS                                                                        \
	{ "format", required_argument, NULL, CLI_OPT_FORMAT },                                     \
		{ "layers", no_argument, NULL, CLI_OPT_LAYERS },                                   \
		{ "legend", no_argument, NULL, CLI_OPT_LEGEND },                                   \
		{ "rankdir", required_argument, NULL, CLI_OPT_RANKDIR },                           \
		{ "detail", required_argument, NULL, CLI_OPT_DETAIL },                             \
		{ "max-label-length", required_argument, NULL, CLI_OPT_MAXLABEL },                 \
		{ "scratch", required_argument, NULL, CLI_OPT_SCRATCH },                           \
		{ "theme", required_argument, NULL, CLI_OPT_THEME },                               \
		{ "link-base", required_argument, NULL, CLI_OPT_LINKBASE },                        \
	{                                                                                          \
		"dpi", required_argument, NULL, CLI_OPT_DPI                                        \
	}

#define CLI_RENDER_HELP                                                                            \
	"  --layers              one node per instruction inside each stage\n"                     \
	"  --legend              add a one-row legend of node and edge styles\n"                   \
	"  --rankdir LR|TB|auto  layout direction (default auto: the one that reads\n"             \
	"                        larger in a 700 px column)\n"                                     \
	"  --detail overview|stages|auto\n"                                                        \
	"                        overview: one node per image; stages: every stage\n"              \
	"                        (default auto: overview for several images)\n"                    \
	"  --max-label-length N  shorten longer names in the middle: 4 to 1000\n"                  \
	"                        (default, or 0: 64); the tooltip has the full name\n"             \
	"  --scratch show|hide   draw FROM scratch as a node (default show)\n"                     \
	"  --theme light|dark    colours without CSS (default light; SVG follows the\n"            \
	"                        reader's colour scheme)\n"                                        \
	"  --link-base URL       each stage links to URL#<anchor>\n"                               \
	"  --dpi N               PNG resolution: 1 to 2400 (default, or 0: Graphviz's 96)\n"

typedef struct {
	atmo_render_options ro;  /* start from ATMO_RENDER_OPTIONS_INIT */
	const char *format_name; /* --format, or NULL */
} cli_render_args;

/* Handle one of CLI_RENDER_LONGOPTS: CLI_OK, CLI_USAGE (reported), or -1 when c is none. */
int cli_render_option(cli_render_args *a, const char *cmd, int c, const char *arg);

/* The output format: --format, else the extension of output (.svg .png .pdf .dot/.gv
 * .json .txt), else dflt. CLI_OK, or CLI_USAGE (reported). Refuses PNG and PDF to a
 * terminal. */
int cli_render_format(atmo_format *out, const cli_render_args *a, const char *cmd,
		      const char *output, atmo_format dflt);

/* Render doc as a->ro with a->ro.format set, print the renderer's warnings, write to
 * output. CLI_OK or CLI_FAIL (reported). */
int cli_render_write(const cli_render_args *a, json_t *doc, const char *output);

#endif
