/* atmograph build: build the targets of a bake file in dependency order. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "atmograph/bake.h"
#include "atmograph/build.h"
#include "atmograph/check.h"
#include "cli/bakeopts.h"
#include "cli/checkopts.h"
#include "cli/cli.h"

/* set by SIGINT/SIGTERM; the library polls it and stops the engines */
static volatile sig_atomic_t cancelled;

static void on_signal(int sig)
{
	(void)sig;
	cancelled = 1;
}

typedef struct {
	char name[128];
	char state[16];
	char step[160];
	char log[1024];
	double elapsed;
} row;

typedef struct {
	int tty;
	row *rows;
	size_t n;
	size_t drawn; /* lines drawn last time */
} progress;

static row *find_row(progress *pg, const char *name)
{
	size_t i;
	for (i = 0; i < pg->n; i++)
		if (!strcmp(pg->rows[i].name, name))
			return &pg->rows[i];
	return NULL;
}

static void redraw(progress *pg)
{
	size_t i;
	if (pg->drawn)
		fprintf(stderr, "\033[%zuA", pg->drawn);
	for (i = 0; i < pg->n; i++) {
		row *r = &pg->rows[i];
		fprintf(stderr, "\033[2K%-20.20s %-8s %6.1fs  %.70s\n", r->name, r->state,
			r->elapsed, r->step);
	}
	pg->drawn = pg->n;
	fflush(stderr);
}

static void on_event(const atmo_build_event *ev, void *payload)
{
	progress *pg = payload;
	row *r = find_row(pg, ev->target);

	if (!r)
		return;
	r->elapsed = ev->elapsed_s;
	switch (ev->kind) {
	case ATMO_BUILD_EVENT_START:
		snprintf(r->state, sizeof(r->state), "running");
		if (!pg->tty)
			cli_notef("%s: started (log %s)", ev->target, ev->log ? ev->log : "-");
		break;
	case ATMO_BUILD_EVENT_STEP: {
		const char *s = ev->step ? ev->step : "";
		const char *st = strstr(s, "STEP ");
		snprintf(r->step, sizeof(r->step), "%s%s%s", ev->stage ? ev->stage : "",
			 ev->stage ? ": " : "", st ? st : s);
		if (!pg->tty && (st || !strncmp(s, "push ", 5)))
			cli_notef("%s: %s", ev->target, r->step);
		break;
	}
	case ATMO_BUILD_EVENT_DONE:
		snprintf(r->state, sizeof(r->state), "%s", ev->status);
		snprintf(r->log, sizeof(r->log), "%s", ev->log ? ev->log : "");
		r->step[0] = '\0';
		if (!pg->tty)
			cli_notef("%s: %s in %.1fs", ev->target, ev->status, ev->elapsed_s);
		break;
	}
	if (pg->tty)
		redraw(pg);
}

/* the lines of a failed target's log shown on standard error */
#define FAILED_LOG_LINES 20

/* a failed target: the end of its log where the user looks, then the log's path */
static void show_failure(const row *r)
{
	char *tail = NULL;
	atmo_error err;

	atmo_error_clear(&err);
	if (r->log[0] && atmo_build_log_tail(&tail, r->log, FAILED_LOG_LINES, &err) == 0 && *tail) {
		cli_notef("%s failed; the last lines of its log:", r->name);
		fputs(tail, stderr);
	}
	atmo_free(tail);
	cli_notef("%s failed; its log: %s", r->name, r->log[0] ? r->log : "(none)");
}

/* clang-format off: the help text is laid out as it prints */
static void usage(FILE *out)
{
	cli_help_print(
		"usage: atmograph build [-f FILE]... [--set-var NAME=VALUE]... [-j N] "
		"[--keep-going]\n"
		"                       [--force] [--stages] [--engine E] [--builder NAME] "
		"[--push]\n"
		"                       [--report FILE] [--out DIR] [--log-dir DIR]\n"
		"                       [--check [RULE OPTIONS] [--junit FILE]] "
		"[TARGET|GROUP...]\n\n"
		"Build the targets of a bake file in dependency order with a real engine. A "
		"target\n"
		"whose inputs (Dockerfile, context files minus .dockerignore, args, parent "
		"digests,\n"
		"engine) are unchanged and whose image still exists is not rebuilt. Built images "
		"are\n"
		"exported as OCI archives and inspected; the report records digests, sizes, "
		"packages.\n\n" CLI_BAKE_HELP
		"  -j, --jobs N           targets built at once (default 1)\n"
		"  --keep-going           after a failure, finish the targets that do not need it\n"
		"  --force                rebuild even when nothing changed\n"
		"  --stages               build every used stage as its own image (per-stage "
		"sizes)\n" CLI_ENGINE_HELP "  --report FILE          write the build report "
		"(atmograph.build-report/1) atomically\n"
		"  --out DIR              archives, lowered Dockerfiles, state (default "
		".atmograph)\n"
		"  --log-dir DIR          one log per target (default OUT/logs)\n"
		"  --no-export            do not export and inspect the images\n"
		"  --progress MODE        auto (default), tty or plain\n"
		"  -h, --help             show this help\n\n"
		"CI gate (the rules of `atmograph check`, measured on every image built):\n"
		"  --check                check each built or cached target's exported image and\n"
		"                         print one PASS/FAIL line per rule\n"
		"  --junit FILE           also write the results as JUnit XML to "
		"FILE\n" CLI_CHECK_HELP "\n"
		"Exit status: 0 all built or cached (and, with --check, every rule passed), 1 a\n"
		"target failed or a rule failed (or the bake file is invalid, or the engine\n"
		"cannot be run), 2 usage error, 130 stopped by SIGINT or SIGTERM (the engines\n"
		"are stopped too).\n",
		out);
}
/* clang-format on */

enum {
	OPT_KEEP_GOING = CLI_OPT_LOCAL,
	OPT_FORCE,
	OPT_STAGES,
	OPT_REPORT,
	OPT_OUT,
	OPT_LOG_DIR,
	OPT_NO_EXPORT,
	OPT_PROGRESS,
	OPT_CHECK,
	OPT_JUNIT
};

/* the rules measured on the report's images; prints the lines, returns the exit code */
static int check_report(const atmo_check_rules *rules, const json_t *report, const char *junit)
{
	atmo_check_report_options co = ATMO_CHECK_REPORT_OPTIONS_INIT;
	atmo_buf b = ATMO_BUF_INIT;
	json_t *doc = NULL;
	atmo_error err;
	int rc;

	atmo_error_clear(&err);
	co.source = "the build report";
	if (atmo_check_report(&doc, rules, report, &co, &err) < 0)
		return cli_error(&err);
	if (junit) {
		char *xml = NULL;
		if (atmo_check_junit(&xml, doc, &err) < 0) {
			json_decref(doc);
			return cli_error(&err);
		}
		rc = cli_write_output(junit, xml, strlen(xml));
		atmo_free(xml);
		if (rc != CLI_OK) {
			json_decref(doc);
			return rc;
		}
	}
	cli_check_print(&b, doc);
	rc = cli_write_buf(NULL, &b);
	atmo__buf_free(&b);
	if (rc == CLI_OK && !json_is_true(json_object_get(doc, "passed")))
		rc = CLI_FAIL;
	json_decref(doc);
	return rc;
}

int cmd_build(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_BAKE_LONGOPTS,
		CLI_ENGINE_LONGOPTS,
		{ "jobs", required_argument, NULL, 'j' },
		{ "keep-going", no_argument, NULL, OPT_KEEP_GOING },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "stages", no_argument, NULL, OPT_STAGES },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "log-dir", required_argument, NULL, OPT_LOG_DIR },
		{ "no-export", no_argument, NULL, OPT_NO_EXPORT },
		{ "progress", required_argument, NULL, OPT_PROGRESS },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "junit", required_argument, NULL, OPT_JUNIT },
		CLI_CHECK_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	cli_plan_args a = CLI_PLAN_ARGS_INIT;
	atmo_bake *b = NULL;
	atmo_plan *p = NULL;
	atmo_build_options bo = ATMO_BUILD_OPTIONS_INIT;
	json_t *report = NULL;
	progress pg = { 0 };
	const char *mode = "auto", *junit = NULL;
	cli_check_args ca = CLI_CHECK_ARGS_INIT;
	atmo_check_rules *rules = NULL;
	int c, idx, check = 0, rc = CLI_OK;
	unsigned long jobs = 1;
	atmo_error err;
	struct sigaction sa, old_int, old_term;
	size_t i;

	atmo_error_clear(&err);
	while ((c = getopt_long(argc, argv, ":f:j:h", longopts, &idx)) != -1) {
		switch (c) {
		case OPT_CHECK:
			check = 1;
			break;
		case OPT_JUNIT:
			junit = optarg;
			break;
		case CLI_OPT_RULE:
		case CLI_OPT_RULES:
			if ((rc = cli_check_option(&ca, c, longopts[idx].name, optarg)) != CLI_OK)
				goto done;
			break;
		case 'j':
			if ((rc = cli_parse_range("build", "-j", optarg, 1, 64, &jobs)))
				goto done;
			break;
		case OPT_KEEP_GOING:
			bo.keep_going = 1;
			break;
		case OPT_FORCE:
			bo.force = 1;
			break;
		case OPT_STAGES:
			a.plan.stages = 1;
			break;
		case OPT_REPORT:
			bo.report_path = optarg;
			break;
		case OPT_OUT:
			a.plan.work_dir = optarg;
			break;
		case OPT_LOG_DIR:
			bo.log_dir = optarg;
			break;
		case OPT_NO_EXPORT:
			bo.export_images = 0;
			break;
		case OPT_PROGRESS:
			if (strcmp(optarg, "auto") && strcmp(optarg, "tty") &&
			    strcmp(optarg, "plain")) {
				rc = cli_usage_error("build", "--progress is auto, tty or plain");
				goto done;
			}
			mode = optarg;
			break;
		case 'h':
			usage(stdout);
			goto done;
		default:
			if ((rc = cli_plan_option(&a, "build", c, optarg)) < 0)
				rc = cli_bad_option("build", c, argv, longopts);
			if (rc != CLI_OK)
				goto done;
		}
	}
	bo.jobs = (unsigned)jobs;
	if (!check && (ca.n_names || ca.rules_file || junit)) {
		rc = cli_usage_error("build", "rule options and --junit go with --check");
		goto done;
	}
	if (check && !bo.export_images) {
		rc = cli_usage_error("build", "--check reads the exported images: leave out "
					      "--no-export");
		goto done;
	}
	/* the rules first: a bad value stops before a long build */
	if (check && (rc = cli_check_rules(&rules, &ca, "build")) != CLI_OK)
		goto done;
	if ((rc = cli_plan_load(&b, &p, &a, "build", 1, argv + optind, (size_t)(argc - optind))))
		goto done;
	for (i = 0; i < atmo_plan_step_count(p); i++) {
		const atmo_plan_step *s = atmo_plan_step_at(p, i);
		if (!s->stage && s->n_lowered)
			cli_notef("%s: lowered: %zu heredocs (%s %s lacks them); see %s", s->target,
				  s->n_lowered, atmo_engine_name(a.plan.engine.kind), a.version,
				  s->dockerfile);
	}
	pg.tty = !strcmp(mode, "tty") || (!strcmp(mode, "auto") && isatty(2));
	pg.rows = calloc(atmo_bake_target_count(b) + 1, sizeof(*pg.rows));
	if (!pg.rows) {
		rc = cli_errorf("out of memory");
		goto done;
	}
	for (i = 0; i < atmo_plan_step_count(p); i++) {
		const atmo_plan_step *s = atmo_plan_step_at(p, i);
		if (!find_row(&pg, s->target)) {
			snprintf(pg.rows[pg.n].name, sizeof(pg.rows[pg.n].name), "%s", s->target);
			snprintf(pg.rows[pg.n].state, sizeof(pg.rows[pg.n].state), "waiting");
			pg.n++;
		}
	}
	bo.callback = on_event;
	bo.payload = &pg;
	bo.cancel = &cancelled;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: poll() returns at once */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (pg.tty)
		redraw(&pg);
	c = atmo_build_run(&report, p, &bo, &err);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	{
		/* a target built with an incomplete entry (export failed, a bad image id)
		 * is not silent: its warnings, as the report holds them */
		const char *name;
		json_t *t, *w;
		size_t k;
		json_object_foreach(json_object_get(report, "targets"), name, t)
			json_array_foreach(json_object_get(t, "warnings"), k, w)
				cli_warningf("%s: %s", name, json_string_value(w));
	}
	for (i = 0; i < pg.n; i++)
		if (!strcmp(pg.rows[i].state, "failed"))
			show_failure(&pg.rows[i]);
	if (c < 0) {
		rc = cli_error(&err);
		if (c == ATMO_ECANCELLED)
			rc = 130;
		goto done;
	}
	if (bo.report_path)
		cli_notef("report written to %s", bo.report_path);
	if (check)
		rc = check_report(rules, report, junit);
done:
	json_decref(report);
	atmo_check_rules_free(rules);
	cli_check_args_free(&ca);
	free(pg.rows);
	atmo_plan_free(p);
	atmo_bake_free(b);
	cli_plan_args_free(&a);
	return rc;
}
