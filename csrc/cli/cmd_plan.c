/* atmograph plan: the build plan of a bake file in waves, with the engine command lines. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "atmograph/bake.h"
#include "atmograph/build.h"
#include "cli/bakeopts.h"
#include "cli/cli.h"

/* clang-format off: the help text is laid out as it prints */
static void usage(FILE *out)
{
	cli_help_print(
		"usage: atmograph plan [-f FILE]... [--set-var NAME=VALUE]... [--commands] "
		"[--json]\n"
		"                      [--engine buildah|docker|podman] [--builder NAME] [--push]\n"
		"                      [--stages] [--bake-json [-o FILE]] [TARGET|GROUP...]\n\n"
		"Print the targets of a bake file in waves: the targets of one wave do not depend\n"
		"on each other (a target depends on the targets its contexts name, "
		"\"target:x\").\n\n" CLI_BAKE_HELP "  --commands             print each engine "
		"command line (quoted for display only;\n"
		"                         atmograph runs engines with an argv, never a shell)\n"
		"  --json                 the plan as JSON (schema atmograph.plan/1)\n"
		"  --bake-json            the targets (and those they link to) as a bake file\n"
		"                         (`docker buildx bake --print` form) that `docker buildx\n"
		"                         bake -f FILE` runs as it is, from FILE's directory; the\n"
		"                         engine options do not apply (BuildKit plans it)\n"
		"  -o, --output FILE      write --json or --bake-json to FILE "
		"(atomically)\n" CLI_ENGINE_HELP
		"  --engine-version V     assume this engine version (default: ask the engine)\n"
		"  --stages               build every used stage as its own image first\n"
		"  --work-dir DIR         where lowered Dockerfiles go (default .atmograph)\n"
		"  -h, --help             show this help\n\n"
		"Exit status: 0 planned, 1 the bake file is invalid or names an unknown target,\n"
		"2 usage error.\n",
		out);
}
/* clang-format on */

enum {
	OPT_COMMANDS = CLI_OPT_LOCAL,
	OPT_JSON,
	OPT_ENGINE_VERSION,
	OPT_STAGES,
	OPT_WORK_DIR,
	OPT_BAKE_JSON
};

int cmd_plan(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_BAKE_LONGOPTS,
		CLI_ENGINE_LONGOPTS,
		{ "commands", no_argument, NULL, OPT_COMMANDS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "engine-version", required_argument, NULL, OPT_ENGINE_VERSION },
		{ "stages", no_argument, NULL, OPT_STAGES },
		{ "work-dir", required_argument, NULL, OPT_WORK_DIR },
		{ "bake-json", no_argument, NULL, OPT_BAKE_JSON },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	cli_plan_args a = CLI_PLAN_ARGS_INIT;
	atmo_bake *b = NULL;
	atmo_plan *p = NULL;
	int commands = 0, json = 0, bake_json = 0, c, rc = CLI_OK;
	const char *output = NULL;
	atmo_error err;
	size_t w, i, k;

	atmo_error_clear(&err);
	while ((c = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_COMMANDS:
			commands = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_BAKE_JSON:
			bake_json = 1;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_ENGINE_VERSION:
			a.plan.engine.engine_version = optarg;
			break;
		case OPT_STAGES:
			a.plan.stages = 1;
			break;
		case OPT_WORK_DIR:
			a.plan.work_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			goto done;
		default:
			if ((rc = cli_plan_option(&a, "plan", c, optarg)) < 0)
				rc = cli_bad_option("plan", c, argv, longopts);
			if (rc != CLI_OK)
				goto done;
		}
	}
	if (bake_json && (json || commands)) {
		rc = cli_usage_error("plan", "--bake-json goes without --json and --commands");
		goto done;
	}
	if (output && !json && !bake_json) {
		rc = cli_usage_error("plan", "-o/--output goes with --json or --bake-json");
		goto done;
	}
	if (bake_json) {
		json_t *doc = NULL;
		char dir[4096];
		const char *slash = output ? strrchr(output, '/') : NULL;
		/* paths in the file are relative to where it is written */
		if (slash)
			snprintf(dir, sizeof(dir), "%.*s",
				 (int)(slash - output + (slash == output)), output);
		else
			snprintf(dir, sizeof(dir), ".");
		/* BuildKit plans the bake itself: no engine is asked, nothing lowered */
		if ((rc = cli_bake_load(&b, &a.bake)) != CLI_OK)
			goto done;
		if (atmo_plan_bake_json(&doc, b, (const char *const *)(argv + optind),
					(size_t)(argc - optind), dir, &err) < 0) {
			rc = cli_error(&err);
			goto done;
		}
		rc = cli_write_json(output ? output : "-", doc);
		json_decref(doc);
		goto done;
	}
	if ((rc = cli_plan_load(&b, &p, &a, "plan", 0, argv + optind, (size_t)(argc - optind))))
		goto done;
	if (json) {
		json_t *doc = NULL;
		if (atmo_plan_to_json(&doc, p, &err) < 0) {
			rc = cli_error(&err);
			goto done;
		}
		rc = cli_write_json(output ? output : "-", doc);
		json_decref(doc);
		goto done;
	}
	for (w = 0; w < atmo_plan_wave_count(p); w++) {
		size_t n;
		const size_t *items = atmo_plan_wave(p, w, &n);
		printf("wave %zu:", w + 1);
		for (i = 0; i < n; i++)
			printf(" %s", atmo_bake_target_at(b, items[i])->name);
		putchar('\n');
		if (!commands)
			continue;
		for (k = 0; k < atmo_plan_step_count(p); k++) {
			const atmo_plan_step *s = atmo_plan_step_at(p, k);
			char *shown;
			if (s->wave != w)
				continue;
			shown = atmo_argv_display(s->argv);
			printf("  # %s%s%s%s%s\n", s->target, s->stage ? " stage " : "",
			       s->stage ? s->stage : "", strcmp(s->action, "push") ? "" : " push",
			       s->n_lowered ? " (Dockerfile lowered for the engine)" : "");
			printf("  %s\n", shown ? shown : "");
			atmo_free(shown);
		}
	}
	if (fflush(stdout) != 0)
		rc = cli_errorf("cannot write to standard output");
done:
	atmo_plan_free(p);
	atmo_bake_free(b);
	cli_plan_args_free(&a);
	return rc;
}
