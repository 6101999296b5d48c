/* The atmograph program: shared helpers for every subcommand (messages.c, cli_common.c). */
#ifndef ATMO_CLI_H
#define ATMO_CLI_H

#include <getopt.h>
#include <stdio.h>
#include "atmograph/atmograph.h"
#include "util/buf.h"

/* Exit codes: 0 success, 1 bad input or failed work, 2 usage error. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* One subcommand: its name, one line for the overview, and its entry point.
 * argv[0] is the subcommand name; getopt_long state is reset before the call
 * (optind = 1, opterr = 0: every option error is reported by cli_bad_option). */
typedef struct {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
} cli_command;

/* ---- messages (messages.c) ----
 * Every message goes through these, in one shape (curl's tool_msgs.c):
 *   atmograph: FILE:LINE:COL: error: TEXT
 *   atmograph: warning: TEXT
 *   atmograph: TEXT \n try 'atmograph CMD --help'      (usage errors, exit 2)
 *   atmograph: TEXT                                    (notes: build progress) */
int cli_error(const atmo_error *err); /* returns CLI_FAIL */
int cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const atmo_error *w);
void cli_warningf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a help text with every option list aligned to one column. */
void cli_help_print(const char *text, FILE *out);
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3))); /* returns CLI_USAGE */
/* A note on progress, neither error nor warning:  atmograph: TEXT */
void cli_notef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Colour on standard error: "error:" red, "warning:" magenta, bold locations.
 * $ATMOGRAPH_COLOR (set by main from --color=WHEN) always/never wins; else
 * (auto) colour only when NO_COLOR is unset or empty, TERM is not "dumb" and
 * standard error is a terminal (https://no-color.org). */
int cli_color_stderr(void);
/* Parse WHEN of --color[=WHEN]: "auto", "always", "never" (NULL: "always", as
 * with ls and grep). Returns 0, or -1 when WHEN is none of them. */
int cli_color_when(const char **out, const char *when);

/* ---- "did you mean" (suggest.c) ---- */
/* The optimal string alignment distance between a and b (insertions,
 * deletions, substitutions and adjacent transpositions); SIZE_MAX for words
 * longer than 64 bytes. */
size_t cli_edit_distance(const char *a, const char *b);
/* The name of names[0..n) closest to word, if it is within one edit (words
 * shorter than 4) or two; else NULL. Borrowed from names. */
const char *cli_suggest(const char *word, const char *const *names, size_t n);

/* A getopt_long failure ('?' or ':', optstring starting with ':') as a usage error
 * naming the option: unknown, missing its value, or given a value it does not take.
 * longopts: the table passed to getopt_long. Returns CLI_USAGE. */
int cli_bad_option(const char *cmd, int c, char *const *argv, const struct option *longopts);

/* The one operand left after the options (argv[optind]) in *operand, or a usage
 * error: "missing WHAT" / "one WHAT only". stdin_ok: the hint that '-' reads
 * standard input. Returns CLI_OK or CLI_USAGE. */
int cli_one_operand(const char *cmd, int argc, char **argv, const char *what, int stdin_ok,
		    const char **operand);

/* Parse a non-negative integer option value; returns 0 or CLI_USAGE. */
int cli_parse_uint(const char *cmd, const char *opt, const char *s, unsigned long *out);
/* The same, within lo..hi ("option OPT takes LO to HI, not 'S'"). */
int cli_parse_range(const char *cmd, const char *opt, const char *s, unsigned long lo,
		    unsigned long hi, unsigned long *out);

/* Append a repeated option's value (borrowed) to a growing array; returns CLI_OK or
 * CLI_FAIL (out of memory, reported). */
int cli_push(const char ***list, size_t *n, const char *value);

/* ---- option codes shared by several subcommands (long options only) ----
 * A subcommand's own long-only options start at CLI_OPT_LOCAL. */
enum {
	CLI_OPT_BUILD_ARG = 0x100,
	CLI_OPT_BUILD_CONTEXT,
	CLI_OPT_SET_VAR,
	CLI_OPT_ENGINE,
	CLI_OPT_ENGINE_PATH,
	CLI_OPT_STORAGE_ROOT,
	CLI_OPT_STORAGE_DRIVER,
	CLI_OPT_ISOLATION,
	CLI_OPT_JSON,
	CLI_OPT_BYTES,
	CLI_OPT_SET,
	CLI_OPT_BUILDER,
	CLI_OPT_PUSH,
	CLI_OPT_RULE,
	CLI_OPT_RULES,
	CLI_OPT_AUTH_FILE = 0x1c0,
	CLI_OPT_INSECURE_REGISTRY,
	CLI_OPT_REGISTRY_CA,
	CLI_OPT_LOCAL = 0x200
};

/* ---- output ----
 * Output goes to FILE atomically (a temporary file renamed into place, only on
 * success), or to standard output when FILE is NULL or "-". */
int cli_write_output(const char *path, const void *data, size_t len);
/* A report built in an atmo_buf (out of memory when b->oom). */
int cli_write_buf(const char *path, const atmo_buf *b);
/* A JSON document pretty-printed (two-space indent, keys in insertion order) and a newline. */
int cli_write_json(const char *path, const json_t *doc);

/* How a subcommand shows its document when not asked for JSON. */
typedef struct {
	int human;           /* sizes in IEC units (default) or exact bytes (--bytes) */
	unsigned long files; /* inspect --files N */
} cli_report_options;
typedef void (*cli_report_fn)(atmo_buf *b, const json_t *doc, const cli_report_options *o);
/* Write doc as JSON (as_json) or as the text report() makes of it. */
int cli_write_document(const char *path, const json_t *doc, int as_json, cli_report_fn report,
		       const cli_report_options *o);

/* --json, -H/--human, --bytes, -o/--output: inspect, sizes and diff */
typedef struct {
	int json;
	const char *output;
	cli_report_options report;
} cli_output_args;
#define CLI_OUTPUT_ARGS_INIT                                                                       \
	{                                                                                          \
		0, NULL,                                                                           \
		{                                                                                  \
			1, 0                                                                       \
		}                                                                                  \
	}
#define CLI_OUTPUT_LONGOPTS                                                                        \
	{ "json", no_argument, NULL, CLI_OPT_JSON }, { "human", no_argument, NULL, 'H' },          \
		{ "bytes", no_argument, NULL, CLI_OPT_BYTES },                                     \
	{                                                                                          \
		"output", required_argument, NULL, 'o'                                             \
	}
/* Handle them: CLI_OK, or -1 when c is none of them. */
int cli_output_option(cli_output_args *a, int c, const char *arg);

/* ---- images in registries (registry_opts.c): inspect, sizes, diff, check ---- */
typedef struct {
	const char *auth_file; /* --auth-file */
	const char *ca_file;   /* --registry-ca */
	char *insecure;        /* --insecure-registry HOST[:PORT], repeated: comma-joined */
	char *auth_buf;
	const char *resolved;
} cli_registry_args;
#define CLI_REGISTRY_ARGS_INIT                                                                     \
	{                                                                                          \
		NULL, NULL, NULL, NULL, NULL                                                       \
	}
#define CLI_REGISTRY_LONGOPTS                                                                      \
	{ "auth-file", required_argument, NULL, CLI_OPT_AUTH_FILE },                               \
		{ "insecure-registry", required_argument, NULL, CLI_OPT_INSECURE_REGISTRY },       \
	{                                                                                          \
		"registry-ca", required_argument, NULL, CLI_OPT_REGISTRY_CA                        \
	}
#define CLI_REGISTRY_HELP                                                                          \
	"Images in registries: docker://HOST[:PORT]/REPO[:TAG|@DIGEST] (OCI distribution v2).\n"   \
	"  --auth-file F     credentials (default: $REGISTRY_AUTH_FILE,\n"                         \
	"                    $XDG_RUNTIME_DIR/containers/auth.json, $DOCKER_CONFIG/config.json,\n" \
	"                    ~/.docker/config.json; credential helpers are not run)\n"             \
	"  --insecure-registry HOST[:PORT]  plain HTTP or unverified TLS for HOST (repeatable;\n"  \
	"                    localhost and 127.0.0.1 may use plain HTTP without it)\n"             \
	"  --registry-ca F   trust the CAs in the PEM file F for registries\n"
/* Handle them: CLI_OK, CLI_FAIL (out of memory), or -1 when c is none of them. */
int cli_registry_option(cli_registry_args *a, int c, const char *arg);
/* Fill the registry fields of o (the auth file resolved from the environment once). */
void cli_registry_apply(cli_registry_args *a, atmo_image_options *o);
void cli_registry_args_free(cli_registry_args *a);

/* ---- human-readable reports built from JSON documents ---- */
/* Room for any cli_size result. */
#define CLI_SIZE_BUFLEN 32
/* A byte count: human: IEC units ("512 B", "13.9 KiB", atmo__format_size) else the
 * exact number; sign: '+' before positive values (deltas). Negative values get '-'.
 * Returns buf. */
const char *cli_size(char *buf, size_t n, long long v, int human, int sign);
/* o[k] as an integer (0 when missing) or a string ("" when missing). */
long long cli_jint(const json_t *o, const char *k);
const char *cli_jstr(const json_t *o, const char *k);
/* s on one line of at most width characters (newlines and tabs as spaces, "..." when
 * cut) into out (n bytes). Returns out. */
const char *cli_one_line(char *out, size_t n, const char *s, size_t width);

/* A stage as readers name it: name itself, or "stage N" when name is an unnamed
 * stage's index ("0", "1": stage names start with a letter). Returns name or out. */
const char *cli_stage_title(char *out, size_t n, const char *name);

/* ---- a Dockerfile and its stage graph (stages, graph, sizes) ---- */
typedef struct {
	const char *target;      /* -t, --target STAGE */
	const char **build_args; /* --build-arg KEY=VALUE, repeatable */
	size_t n_build_args;
	const char **build_contexts; /* --build-context NAME=VALUE, repeatable */
	size_t n_build_contexts;
	const char *image_id; /* graph --image-id */
} cli_graph_args;

#define CLI_GRAPH_LONGOPTS                                                                         \
	{ "target", required_argument, NULL, 't' },                                                \
		{ "build-arg", required_argument, NULL, CLI_OPT_BUILD_ARG },                       \
	{                                                                                          \
		"build-context", required_argument, NULL, CLI_OPT_BUILD_CONTEXT                    \
	}
#define CLI_GRAPH_HELP                                                                             \
	"  -t, --target STAGE    the stage to build (name or index; default: the last)\n"          \
	"  --build-arg KEY=VALUE\n"                                                                \
	"                        override an ARG default (repeatable)\n"                           \
	"  --build-context NAME=VALUE\n"                                                           \
	"                        a named context replacing a FROM or --from name\n"                \
	"                        (repeatable), e.g. base=docker-image://debian:bookworm\n"

/* Handle -t/--target, --build-arg and --build-context: CLI_OK, CLI_FAIL (out of
 * memory), or -1 when c is none of them. */
int cli_graph_option(cli_graph_args *a, int c, const char *arg);
/* Read FILE ('-': standard input), parse it and build its graph, printing the
 * parser's and the resolver's warnings. A malformed --build-arg/--build-context is
 * a usage error. Whatever the result, the caller frees *g, *df and *text (each set
 * to NULL first; *text, from atmo_file_read(), with atmo_free()). Returns CLI_OK,
 * CLI_FAIL or CLI_USAGE. */
int cli_graph_load(atmo_graph **g, atmo_dockerfile **df, char **text, const char *cmd,
		   const char *path, const cli_graph_args *a);
void cli_graph_args_free(cli_graph_args *a);

/* The subcommands. Each lives in its own file cmd_<name>.c. */
int cmd_parse(int argc, char **argv);
int cmd_stages(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_sizes(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_bake(int argc, char **argv);
int cmd_build(int argc, char **argv);

#endif
