/* The rule options `check` and `build --check` share (see checkopts.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/checkopts.h"

static const char *const default_files[] = { ".atmograph-ci.json", ".atmograph-ci.yaml",
					     ".atmograph-ci.yml" };

int cli_check_option(cli_check_args *a, int c, const char *name, const char *arg)
{
	switch (c) {
	case CLI_OPT_RULE:
		if (cli_push(&a->names, &a->n_names, name) != CLI_OK ||
		    cli_push(&a->values, &a->n_values, arg) != CLI_OK)
			return CLI_FAIL;
		return CLI_OK;
	case CLI_OPT_RULES:
		a->rules_file = arg;
		return CLI_OK;
	default:
		return -1;
	}
}

int cli_check_rules(atmo_check_rules **out, const cli_check_args *a, const char *cmd)
{
	atmo_check_rules *rules = NULL;
	const char *file = a->rules_file;
	atmo_error err;
	size_t i;
	int rc = CLI_OK;

	*out = NULL;
	atmo_error_clear(&err);
	if (atmo_check_rules_new(&rules, &err) < 0)
		return cli_error(&err);
	for (i = 0; !file && i < sizeof(default_files) / sizeof(default_files[0]); i++)
		if (access(default_files[i], F_OK) == 0)
			file = default_files[i];
	if (file && atmo_check_rules_load(rules, file, &err) < 0) {
		rc = cli_error(&err);
		goto fail;
	}
	for (i = 0; i < a->n_names; i++) {
		char opt[64];
		snprintf(opt, sizeof(opt), "--%s", a->names[i]);
		if (atmo_check_rules_set(rules, a->names[i], a->values[i], opt, 0, 0, &err) < 0) {
			/* a bad value is a usage error; a baseline or report that cannot be read is not */
			rc = err.code == ATMO_EINVALID && !strcmp(err.source, opt)
				     ? cli_usage_error(cmd, "%s", err.text)
				     : cli_error(&err);
			goto fail;
		}
	}
	if (atmo_check_rules_empty(rules))
		atmo_check_rules_defaults(rules);
	*out = rules;
	return CLI_OK;
fail:
	atmo_check_rules_free(rules);
	return rc;
}

void cli_check_print(atmo_buf *b, const json_t *doc)
{
	const json_t *img, *rule, *sum = json_object_get(doc, "summary");
	size_t i, k;
	json_array_foreach(json_object_get(doc, "images"), i, img) {
		const char *target = json_string_value(json_object_get(img, "target"));
		if (target)
			atmo__buf_printf(b, "%s: ", target);
		atmo__buf_printf(b, "%s%s%s%s\n", cli_jstr(img, "source"),
				 json_is_string(json_object_get(img, "ref")) ? " (" : "",
				 cli_jstr(img, "ref"),
				 json_is_string(json_object_get(img, "ref")) ? ")" : "");
		json_array_foreach(json_object_get(img, "rules"), k, rule) {
			const char *st = cli_jstr(rule, "status");
			atmo__buf_printf(b, "  %s: %s: %s\n",
					 !strcmp(st, "pass")   ? "PASS"
					 : !strcmp(st, "fail") ? "FAIL"
							       : "SKIP",
					 cli_jstr(rule, "rule"), cli_jstr(rule, "message"));
		}
	}
	atmo__buf_printf(b,
			 "Result: %s [images: %lld] [rules: %lld] [passed: %lld] [failed: %lld] "
			 "[skipped: %lld]\n",
			 json_is_true(json_object_get(doc, "passed")) ? "PASS" : "FAIL",
			 cli_jint(sum, "images"), cli_jint(sum, "rules"), cli_jint(sum, "passed"),
			 cli_jint(sum, "failed"), cli_jint(sum, "skipped"));
}

void cli_check_args_free(cli_check_args *a)
{
	free(a->names);
	free(a->values);
	memset(a, 0, sizeof(*a));
}
