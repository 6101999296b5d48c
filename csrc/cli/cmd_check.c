/* atmograph check: CI gates over built images (rules: check.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/checkopts.h"
#include "atmograph/check.h"
#include "atmograph/image.h"
#include "util/buf.h"

static const char usage_text[] =
	"usage: atmograph check IMAGE... [options]\n"
	"\n"
	"Gate a CI job on the figures of built images: every rule is measured on every\n"
	"image and printed on one line, PASS or FAIL with its figures.\n"
	"\n"
	"Rules (a value 'disabled' turns a rule off; sizes in bytes or 20MB, 20MiB, "
	"...):\n" CLI_CHECK_HELP "\n"
	"Options:\n"
	"  -r, --ref R       pick the image by tag, ref.name or digest when there are several\n"
	"  -p, --platform P  pick the image for os/arch[/variant] from a multi-platform index\n"
	"  --verify          check the SHA-256 digest and size of every blob\n"
	"  --json            print the document \"atmograph.check/1\"\n"
	"  --junit FILE      also write the results as JUnit XML to FILE\n"
	"  -o, --output F    write to F (atomically) instead of standard output\n"
	"  --threads N       read N layers at a time (default: the cores online)\n"
	"  -h, --help        show this help\n"
	"\n" CLI_REGISTRY_HELP "\n"
	"Exit status: 0 every rule passed, 1 a rule failed or an image cannot be read,\n"
	"2 usage error.\n";

enum { OPT_JUNIT = CLI_OPT_LOCAL, OPT_VERIFY, OPT_THREADS };

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = { CLI_CHECK_LONGOPTS,
						  { "ref", required_argument, NULL, 'r' },
						  { "platform", required_argument, NULL, 'p' },
						  { "verify", no_argument, NULL, OPT_VERIFY },
						  { "json", no_argument, NULL, CLI_OPT_JSON },
						  { "junit", required_argument, NULL, OPT_JUNIT },
						  { "output", required_argument, NULL, 'o' },
						  { "threads", required_argument, NULL,
						    OPT_THREADS },
						  CLI_REGISTRY_LONGOPTS,
						  { "help", no_argument, NULL, 'h' },
						  { NULL, 0, NULL, 0 } };
	atmo_image_options o = ATMO_IMAGE_OPTIONS_INIT;
	cli_registry_args reg = CLI_REGISTRY_ARGS_INIT;
	cli_check_args ca = CLI_CHECK_ARGS_INIT;
	atmo_check_rules *rules = NULL;
	atmo_image **imgs = NULL;
	const char *junit = NULL, *output = NULL;
	size_t n_imgs = 0, i;
	json_t *doc = NULL;
	atmo_error err;
	unsigned long threads = 0;
	int c, idx, json = 0, rc = CLI_OK;

	while ((c = getopt_long(argc, argv, ":r:p:o:h", longopts, &idx)) != -1) {
		switch (c) {
		case CLI_OPT_RULE:
		case CLI_OPT_RULES:
			if ((rc = cli_check_option(&ca, c, longopts[idx].name, optarg)) != CLI_OK)
				goto done;
			break;
		case 'r':
			o.ref = optarg;
			break;
		case 'p':
			o.platform = optarg;
			break;
		case OPT_VERIFY:
			o.verify = 1;
			break;
		case CLI_OPT_JSON:
			json = 1;
			break;
		case OPT_JUNIT:
			junit = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_THREADS:
			if (cli_parse_uint("check", "--threads", optarg, &threads) != CLI_OK) {
				rc = CLI_USAGE;
				goto done;
			}
			o.threads = threads > 64 ? 64 : (unsigned int)threads;
			break;
		case 'h':
			cli_help_print(usage_text, stdout);
			goto done;
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
	if ((rc = cli_check_rules(&rules, &ca, "check")) != CLI_OK)
		goto done;
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
		atmo_free(xml);
		if (rc != CLI_OK)
			goto done;
	}
	if (json) {
		rc = cli_write_json(output, doc);
	} else {
		atmo_buf b = ATMO_BUF_INIT;
		cli_check_print(&b, doc);
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
	cli_check_args_free(&ca);
	cli_registry_args_free(&reg);
	return rc;
}
