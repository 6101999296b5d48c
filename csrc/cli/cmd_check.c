/* atmograph check: CI gates over built images (rules: check.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "atmograph/check.h"
#include "atmograph/image.h"
#include "util/buf.h"

static const char usage_text[] =
	"usage: atmograph check IMAGE... [options]\n"
	"\n"
	"Gate a CI job on the figures of built images: every rule is measured on every\n"
	"image and printed on one line, PASS or FAIL with its figures.\n"
	"\n"
	"Rules (a value 'disabled' turns a rule off; sizes in bytes or 20MB, 20MiB, ...):\n"
	"  --lowest-efficiency R          efficiency score at least R (0.9 or 90%; dive's)\n"
	"  --highest-wasted-bytes SIZE    dive's wasted bytes at most SIZE\n"
	"  --highest-user-wasted-percent R  wasted bytes over the bytes of every layer but\n"
	"                                 the first at most R (0.1 or 10%; dive's)\n"
	"  --highest-image-size SIZE      image bytes (its files) at most SIZE\n"
	"  --highest-growth SIZE|N%       growth over the baseline at most SIZE or N%\n"
	"  --baseline FILE                a previous `inspect --json`, `check --json` or\n"
	"                                 build report (its target: --report-target)\n"
	"  --forbid-package GLOB          no installed dpkg package matches GLOB (repeatable)\n"
	"  --build-report FILE            no package the build kept out of the final image\n"
	"                                 (its build-only stages' packages) is installed\n"
	"  --report-target NAME           the report's target to take (default: the one whose\n"
	"                                 digest is the image's, else every target)\n"
	"  --rules FILE                   rules from FILE ({\"rules\": {\"lowestEfficiency\": 0.9,\n"
	"                                 ...}}, dive's names; YAML when it ends in .yaml/.yml);\n"
	"                                 default: .atmograph-ci.json, .atmograph-ci.yaml or\n"
	"                                 .atmograph-ci.yml here. Options override the file.\n"
	"                                 With no rule at all: dive's defaults\n"
	"                                 (lowestEfficiency 0.9, highestUserWastedPercent 0.1)\n"
	"\n"
	"Options:\n"
	"  -r, --ref R       pick the image by tag, ref.name or digest when there are several\n"
	"  -p, --platform P  pick the image for os/arch[/variant] from a multi-platform index\n"
	"  --verify          check the SHA-256 digest and size of every blob\n"
	"  --json            print the document \"atmograph.check/1\"\n"
	"  --junit FILE      also write the results as JUnit XML to FILE\n"
	"  -o, --output F    write to F (atomically) instead of standard output\n"
	"  --threads N       read N layers at a time (default: the cores online)\n"
	"  -h, --help        show this help\n"
	"\n"
	CLI_REGISTRY_HELP
	"\n"
	"Exit status: 0 every rule passed, 1 a rule failed or an image cannot be read,\n"
	"2 usage error.\n";

enum { OPT_RULES = CLI_OPT_LOCAL, OPT_JUNIT, OPT_VERIFY, OPT_THREADS, OPT_RULE };

static const char *const default_files[] = {
	".atmograph-ci.json", ".atmograph-ci.yaml", ".atmograph-ci.yml"
};

static void report(atmo_buf *b, const json_t *doc)
{
	const json_t *img, *rule, *sum = json_object_get(doc, "summary");
	size_t i, k;
	json_array_foreach(json_object_get(doc, "images"), i, img) {
		atmo__buf_printf(b, "%s%s%s%s\n", cli_jstr(img, "source"),
				 json_is_string(json_object_get(img, "ref")) ? " (" : "",
				 cli_jstr(img, "ref"),
				 json_is_string(json_object_get(img, "ref")) ? ")" : "");
		json_array_foreach(json_object_get(img, "rules"), k, rule) {
			const char *st = cli_jstr(rule, "status");
			atmo__buf_printf(b, "  %s: %s: %s\n",
					 !strcmp(st, "pass") ? "PASS" : !strcmp(st, "fail") ? "FAIL" : "SKIP",
					 cli_jstr(rule, "rule"), cli_jstr(rule, "message"));
		}
	}
	atmo__buf_printf(b, "Result: %s [images: %lld] [rules: %lld] [passed: %lld] [failed: %lld] "
			 "[skipped: %lld]\n",
			 json_is_true(json_object_get(doc, "passed")) ? "PASS" : "FAIL",
			 cli_jint(sum, "images"), cli_jint(sum, "rules"), cli_jint(sum, "passed"),
			 cli_jint(sum, "failed"), cli_jint(sum, "skipped"));
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "lowest-efficiency", required_argument, NULL, OPT_RULE },
		{ "highest-wasted-bytes", required_argument, NULL, OPT_RULE },
		{ "highest-user-wasted-percent", required_argument, NULL, OPT_RULE },
		{ "highest-image-size", required_argument, NULL, OPT_RULE },
		{ "highest-growth", required_argument, NULL, OPT_RULE },
		{ "baseline", required_argument, NULL, OPT_RULE },
		{ "forbid-package", required_argument, NULL, OPT_RULE },
		{ "build-report", required_argument, NULL, OPT_RULE },
		{ "report-target", required_argument, NULL, OPT_RULE },
		{ "rules", required_argument, NULL, OPT_RULES },
		{ "ref", required_argument, NULL, 'r' },
		{ "platform", required_argument, NULL, 'p' },
		{ "verify", no_argument, NULL, OPT_VERIFY },
		{ "json", no_argument, NULL, CLI_OPT_JSON },
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ "output", required_argument, NULL, 'o' },
		{ "threads", required_argument, NULL, OPT_THREADS },
		CLI_REGISTRY_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	atmo_image_options o = ATMO_IMAGE_OPTIONS_INIT;
	cli_registry_args reg = CLI_REGISTRY_ARGS_INIT;
	atmo_check_rules *rules = NULL;
	atmo_image **imgs = NULL;
	const char **names = NULL, **values = NULL, *rules_file = NULL, *junit = NULL;
	const char *output = NULL;
	size_t n_rules = 0, n_values = 0, n_imgs = 0, i;
	json_t *doc = NULL;
	atmo_error err;
	unsigned long threads = 0;
	int c, idx, json = 0, rc = CLI_OK;

	while ((c = getopt_long(argc, argv, ":r:p:o:h", longopts, &idx)) != -1) {
		switch (c) {
		case OPT_RULE:
			if (cli_push(&names, &n_rules, longopts[idx].name) != CLI_OK ||
			    cli_push(&values, &n_values, optarg) != CLI_OK) {
				rc = CLI_FAIL;
				goto done;
			}
			break;
		case OPT_RULES: rules_file = optarg; break;
		case 'r': o.ref = optarg; break;
		case 'p': o.platform = optarg; break;
		case OPT_VERIFY: o.verify = 1; break;
		case CLI_OPT_JSON: json = 1; break;
		case OPT_JUNIT: junit = optarg; break;
		case 'o': output = optarg; break;
		case OPT_THREADS:
			if (cli_parse_uint("check", "--threads", optarg, &threads) != CLI_OK) {
				rc = CLI_USAGE;
				goto done;
			}
			o.threads = threads > 64 ? 64 : (unsigned int)threads;
			break;
		case 'h': cli_help_print(usage_text, stdout); goto done;
		default:
			if ((rc = cli_registry_option(&reg, c, optarg)) < 0)
				rc = cli_bad_option("check", c, argv, longopts);
			if (rc != CLI_OK)
				goto done;
		}
	}
	if (optind >= argc) {
		rc = cli_usage_error("check", "missing IMAGE");
		goto done;
	}
	atmo_error_clear(&err);
	if (atmo_check_rules_new(&rules, &err) < 0) {
		rc = cli_error(&err);
		goto done;
	}
	for (i = 0; !rules_file && i < sizeof(default_files) / sizeof(default_files[0]); i++)
		if (access(default_files[i], F_OK) == 0)
			rules_file = default_files[i];
	if (rules_file && atmo_check_rules_load(rules, rules_file, &err) < 0) {
		rc = cli_error(&err);
		goto done;
	}
	for (i = 0; i < n_rules; i++) {
		char opt[64];
		snprintf(opt, sizeof(opt), "--%s", names[i]);
		if (atmo_check_rules_set(rules, names[i], values[i], opt, 0, 0, &err) < 0) {
			/* a bad value is a usage error; a baseline or report that cannot be read is not */
			rc = err.code == ATMO_EINVALID && !strcmp(err.source, opt)
				? cli_usage_error("check", "%s", err.text) : cli_error(&err);
			goto done;
		}
	}
	if (atmo_check_rules_empty(rules))
		atmo_check_rules_defaults(rules);
	o.packages = atmo_check_rules_need_packages(rules);
	cli_registry_apply(&reg, &o);
	n_imgs = (size_t)(argc - optind);
	imgs = calloc(n_imgs, sizeof(*imgs));
	if (!imgs) {
		rc = cli_errorf("out of memory");
		goto done;
	}
	for (i = 0; i < n_imgs; i++)
		if (atmo_image_open(&imgs[i], argv[optind + (int)i], &o, &err) < 0) {
			rc = cli_error(&err);
			goto done;
		}
	if (atmo_check_images(&doc, rules, (const atmo_image *const *)imgs, n_imgs, &err) < 0) {
		rc = cli_error(&err);
		goto done;
	}
	if (junit) {
		char *xml = NULL;
		if (atmo_check_junit(&xml, doc, &err) < 0) {
			rc = cli_error(&err);
			goto done;
		}
		rc = cli_write_output(junit, xml, strlen(xml));
		free(xml);
		if (rc != CLI_OK)
			goto done;
	}
	if (json) {
		rc = cli_write_json(output, doc);
	} else {
		atmo_buf b = ATMO_BUF_INIT;
		report(&b, doc);
		rc = cli_write_buf(output, &b);
		atmo__buf_free(&b);
	}
	if (rc == CLI_OK && !json_is_true(json_object_get(doc, "passed")))
		rc = CLI_FAIL;
done:
	json_decref(doc);
	for (i = 0; imgs && i < n_imgs; i++)
		atmo_image_free(imgs[i]);
	free(imgs);
	atmo_check_rules_free(rules);
	free(names);
	free(values);
	cli_registry_args_free(&reg);
	return rc;
}
