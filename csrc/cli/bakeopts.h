/* The options `bake`, `plan` and `build` share: bake files and variables, and
 * (plan, build) the engine and the plan made from the bake. */
#ifndef ATMO_CLI_BAKEOPTS_H
#define ATMO_CLI_BAKEOPTS_H

#include "atmograph/bake.h"
#include "atmograph/build.h"
#include "cli/cli.h"

/* -f/--file FILE (repeatable), --set-var NAME=VALUE (repeatable) */
typedef struct {
	const char **files;
	size_t n_files;
	const char **set_vars;
	size_t n_set_vars;
	const char **overrides; /* --set */
	size_t n_overrides;
} cli_bake_args;

#define CLI_BAKE_LONGOPTS                                                                          \
	{ "file", required_argument, NULL, 'f' },                                                  \
		{ "set-var", required_argument, NULL, CLI_OPT_SET_VAR },                           \
		{ "var", required_argument, NULL, CLI_OPT_SET_VAR },                               \
	{                                                                                          \
		"set", required_argument, NULL, CLI_OPT_SET                                        \
	}
#define CLI_BAKE_HELP                                                                              \
	"  -f, --file FILE        a bake file, HCL or JSON (repeatable: later files win;\n"        \
	"                         default: docker-bake.json, docker-bake.hcl,\n"                   \
	"                         docker-bake.override.json, docker-bake.override.hcl)\n"          \
	"  --var, --set-var NAME=VALUE\n"                                                          \
	"                         set a variable (over the environment; repeatable)\n"             \
	"  --set PATTERN.KEY[.SUB]=VALUE\n"                                                        \
	"                         override a target field as buildx's --set does\n"                \
	"                         (t.args.X=v, *.platform=linux/arm64, t.tags+=x)\n"

/* Handle -f and --set-var: CLI_OK, CLI_USAGE (NAME=VALUE malformed), CLI_FAIL (out
 * of memory), or -1 when c is neither. */
int cli_bake_option(cli_bake_args *a, const char *cmd, int c, const char *arg);
/* load the bake; prints the error and returns CLI_FAIL on failure */
int cli_bake_load(atmo_bake **out, const cli_bake_args *a);
void cli_bake_args_free(cli_bake_args *a);

/* The bake options plus the engine options and the plan options they set. */
typedef struct {
	cli_bake_args bake;
	atmo_plan_options plan; /* start from ATMO_PLAN_OPTIONS_INIT */
	int engine_named;       /* --engine given */
	char *version;          /* the engine version probed, owned */
} cli_plan_args;

#define CLI_PLAN_ARGS_INIT                                                                         \
	{                                                                                          \
		{ NULL, 0, NULL, 0, NULL, 0 }, ATMO_PLAN_OPTIONS_INIT, 0, NULL                     \
	}

#define CLI_ENGINE_LONGOPTS                                                                        \
	{ "engine", required_argument, NULL, CLI_OPT_ENGINE },                                     \
		{ "engine-path", required_argument, NULL, CLI_OPT_ENGINE_PATH },                   \
		{ "storage-root", required_argument, NULL, CLI_OPT_STORAGE_ROOT },                 \
		{ "storage-driver", required_argument, NULL, CLI_OPT_STORAGE_DRIVER },             \
		{ "isolation", required_argument, NULL, CLI_OPT_ISOLATION },                       \
		{ "builder", required_argument, NULL, CLI_OPT_BUILDER },                           \
	{                                                                                          \
		"push", no_argument, NULL, CLI_OPT_PUSH                                            \
	}
#define CLI_ENGINE_HELP                                                                            \
	"  --engine NAME          buildah, docker (buildx build) or podman (default:\n"            \
	"                         $ATMOGRAPH_ENGINE, else the first on PATH of these)\n"           \
	"  --engine-path PATH     the engine program (env ATMOGRAPH_BUILDAH, _DOCKER, _PODMAN)\n"  \
	"  --storage-root DIR     buildah/podman --root (env ATMOGRAPH_STORAGE_ROOT)\n"            \
	"  --storage-driver NAME  buildah/podman --storage-driver (default vfs)\n"                 \
	"  --isolation TYPE       buildah/podman --isolation (default chroot)\n"                   \
	"  --builder NAME         docker buildx builder to build on (docker-container,\n"          \
	"                         remote or kubernetes driver; docker engine only)\n"              \
	"  --push                 push each target to all its tags (docker: --push;\n"             \
	"                         buildah/podman: a push step per tag after the build)\n"

/* Handle the bake and the engine options: CLI_OK, CLI_USAGE, CLI_FAIL or -1 (not one). */
int cli_plan_option(cli_plan_args *a, const char *cmd, int c, const char *arg);
/* Pick the engine (--engine, else $ATMOGRAPH_ENGINE or what is on PATH), load the
 * bake, learn the engine version (probe_required: failing to ask the engine is an
 * error; else it is asked only when no version was given, and its silence ignored),
 * and plan the targets or groups named (none: the default group). Prints errors.
 * Returns CLI_OK, CLI_FAIL or CLI_USAGE; the caller frees *b and *p. */
int cli_plan_load(atmo_bake **b, atmo_plan **p, cli_plan_args *a, const char *cmd,
		  int probe_required, char *const *names, size_t n_names);
void cli_plan_args_free(cli_plan_args *a);

#endif
