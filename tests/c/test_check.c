/* The rules of atmograph check (check.h): values, errors, files, documents. */
#include <unistd.h>
#include "harness.h"

static atmo_check_rules *rules(void)
{
	atmo_check_rules *r = NULL;
	assert_int_equal(atmo_check_rules_new(&r, NULL), 0);
	return r;
}

/* options and files give text; the core parses it (dive's units, "disabled") */
static void values_are_parsed_once_for_every_face(void **state)
{
	atmo_check_rules *r = rules();
	atmo_error err;
	(void)state;
	assert_true(atmo_check_rules_empty(r));
	/* dive's forms: ratios, percentages, sizes in decimal and binary units */
	assert_int_equal(atmo_check_rules_set(r, "lowestEfficiency", "0.95", "t", 0, 0, NULL), 0);
	assert_int_equal(atmo_check_rules_set(r, "lowest-efficiency", "95%", "t", 0, 0, NULL), 0);
	assert_int_equal(atmo_check_rules_set(r, "highestWastedBytes", "20MB", "t", 0, 0, NULL), 0);
	assert_int_equal(atmo_check_rules_set(r, "highest-image-size", "1.5 GiB", "t", 0, 0, NULL), 0);
	assert_int_equal(atmo_check_rules_set(r, "highestGrowth", "10%", "t", 0, 0, NULL), 0);
	assert_int_equal(atmo_check_rules_set(r, "highestUserWastedPercent", "disabled", "t", 0, 0,
					      NULL), 0);
	assert_false(atmo_check_rules_empty(r));
	assert_false(atmo_check_rules_need_packages(r));
	assert_int_equal(atmo_check_rules_set(r, "forbid-package", "gcc-*", "t", 0, 0, NULL), 0);
	assert_true(atmo_check_rules_need_packages(r));

	atmo_error_clear(&err);
	assert_int_equal(atmo_check_rules_set(r, "lowestEfficiency", "1.5", "rules.json", 3, 7, &err),
			 ATMO_EINVALID);
	assert_string_equal(err.source, "rules.json");
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 7);
	assert_non_null(strstr(err.text, "not a ratio"));
	atmo_error_clear(&err);
	assert_int_equal(atmo_check_rules_set(r, "highestWastedBytes", "12 parsecs", "--x", 0, 0,
					      &err), ATMO_EINVALID);
	assert_non_null(strstr(err.text, "not a size"));
	atmo_error_clear(&err);
	assert_int_equal(atmo_check_rules_set(r, "lowestFoo", "1", "--x", 0, 0, &err), ATMO_EINVALID);
	assert_non_null(strstr(err.text, "unknown rule 'lowestFoo'"));
	atmo_error_clear(&err);
	assert_int_equal(atmo_check_rules_set(r, "baseline", "/nonexistent/b.json", "--baseline", 0,
					      0, &err), ATMO_ENOTFOUND);
	atmo_check_rules_free(r);
}

static void defaults_are_dives(void **state)
{
	atmo_check_rules *r = rules();
	json_t *doc = NULL;
	(void)state;
	atmo_check_rules_defaults(r);
	assert_false(atmo_check_rules_empty(r));
	assert_int_equal(atmo_check_images(&doc, r, NULL, 0, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "atmograph.check/1");
	assert_true(json_is_true(json_object_get(doc, "passed")));
	assert_int_equal(json_array_size(json_object_get(doc, "images")), 0);
	json_decref(doc);
	atmo_check_rules_free(r);
}

static void junit_escapes_and_counts(void **state)
{
	json_t *doc = json_loads("{\"schema\": \"atmograph.check/1\", \"passed\": false,"
				 " \"summary\": {\"images\": 1, \"rules\": 2, \"passed\": 1,"
				 " \"failed\": 1, \"skipped\": 0},"
				 " \"images\": [{\"source\": \"a<b>&c\", \"rules\": ["
				 "  {\"rule\": \"x\", \"status\": \"pass\", \"message\": \"ok\"},"
				 "  {\"rule\": \"y\", \"status\": \"fail\", \"message\": \"5 > \\\"3\\\"\"}]}]}",
				 0, NULL);
	char *xml = NULL;
	(void)state;
	assert_non_null(doc);
	assert_int_equal(atmo_check_junit(&xml, doc, NULL), 0);
	assert_non_null(strstr(xml, "<testsuite name=\"a&lt;b&gt;&amp;c\" tests=\"2\" failures=\"1\""));
	assert_non_null(strstr(xml, "<failure type=\"rule\" message=\"5 &gt; &quot;3&quot;\"/>"));
	assert_null(strstr(xml, "<skipped"));
	atmo_free(xml);
	json_decref(doc);
	doc = json_object();
	assert_int_equal(atmo_check_junit(&xml, doc, NULL), ATMO_EINVALID);
	json_decref(doc);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void files_json_and_yaml_located(void **state)
{
	char dir[] = "/tmp/atmo-check-XXXXXX", p[200];
	atmo_check_rules *r = rules();
	atmo_error err;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/r.yaml", dir);
	write_file(p, "rules:\n  lowestEfficiency: 0.9\n  forbidPackages: [gcc, 'make*']\n");
	assert_int_equal(atmo_check_rules_load(r, p, NULL), 0);
	assert_true(atmo_check_rules_need_packages(r));
	write_file(p, "rules:\n  lowestEfficiency: 0.9\n  highestWastedBytes: lots\n");
	atmo_error_clear(&err);
	assert_int_equal(atmo_check_rules_load(r, p, &err), ATMO_EINVALID);
	assert_string_equal(err.source, p);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 3);
	unlink(p);
	snprintf(p, sizeof(p), "%s/r.json", dir);
	write_file(p, "{\"rules\": {\n\t\"highestImageSize\": true}}");
	atmo_error_clear(&err);
	assert_int_equal(atmo_check_rules_load(r, p, &err), ATMO_EINVALID);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 2);
	assert_non_null(strstr(err.text, "highestImageSize"));
	unlink(p);
	rmdir(dir);
	atmo_check_rules_free(r);
}

/* a build report's images: failed and skipped targets are left out, a built target
 * without an exported image and a document that is no report are errors */
static void report_targets_are_checked_or_refused(void **state)
{
	atmo_check_rules *r = rules();
	atmo_check_report_options o = ATMO_CHECK_REPORT_OPTIONS_INIT;
	json_t *report, *doc = NULL;
	atmo_error err;
	(void)state;
	atmo_check_rules_defaults(r);
	o.source = "report.json";
	report = json_pack("{s:s,s:{s:{s:s},s:{s:s}}}", "schema", "atmograph.build-report/1",
			   "targets", "b", "status", "failed", "c", "status", "skipped");
	atmo_error_clear(&err);
	assert_int_equal(atmo_check_report(&doc, r, report, &o, &err), 0);
	assert_true(json_is_true(json_object_get(doc, "passed")));
	assert_int_equal(json_array_size(json_object_get(doc, "images")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"),
							     "images")), 0);
	json_decref(doc);
	doc = NULL;
	/* built without --export: nothing to measure, and the gate must not pass silently */
	json_object_set_new(json_object_get(report, "targets"), "a",
			    json_pack("{s:s,s:s}", "status", "built", "log", "logs/a.log"));
	atmo_error_clear(&err);
	assert_int_equal(atmo_check_report(&doc, r, report, &o, &err), ATMO_EINVALID);
	assert_null(doc);
	assert_string_equal(err.source, "report.json");
	assert_non_null(strstr(err.text, "target 'a' has no exported image"));
	assert_non_null(strstr(err.text, "logs/a.log"));
	/* an archive that is not there */
	json_object_set_new(json_object_get(json_object_get(report, "targets"), "a"), "archive",
			    json_string("/nonexistent/a.tar"));
	atmo_error_clear(&err);
	assert_true(atmo_check_report(&doc, r, report, NULL, &err) < 0);
	assert_null(doc);
	json_decref(report);
	/* not a build report */
	report = json_pack("{s:s}", "schema", "atmograph.image/1");
	atmo_error_clear(&err);
	assert_int_equal(atmo_check_report(&doc, r, report, &o, &err), ATMO_EINVALID);
	assert_non_null(strstr(err.text, "not a build report"));
	o.version = 9;
	assert_int_equal(atmo_check_report(&doc, r, report, &o, NULL), ATMO_EINVALID);
	json_decref(report);
	atmo_check_rules_free(r);
}

/* A rules file read out of memory: ATMO_ENOMEM, never "not valid JSON" (jansson
 * 2.14 records few of its allocation failures). Each allocation fails in turn; a
 * rule name may lose a byte without an error in jansson's lexer (EINVALID then). */
static void rules_json_out_of_memory(void **state)
{
	static const char text[] =
		"{\"rules\": {\"lowestEfficiency\": \"95%\", \"highestWastedBytes\": \"20MB\","
		" \"forbidPackages\": [\"gcc\", \"make*\"]}}";
	atmo_check_rules *r;
	atmo_error err;
	unsigned long k;
	int rc = 0, failed = 1;

	(void)state;
	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip(); /* make check-oom owns the allocator */
	atmo_set_allocator(oom_malloc, oom_realloc, free);
	for (k = 1; failed && k < 100000; k++) {
		test_oom_pause();
		r = rules();
		test_oom_resume();
		oom_failed = 0;
		oom_fail_at = oom_count + k;
		atmo_error_clear(&err);
		rc = atmo_check_rules_load_string(r, text, sizeof(text) - 1, "rules.json", &err);
		failed = oom_failed;
		oom_fail_at = 0;
		atmo_check_rules_free(r);
		if (rc == 0 || (failed && (rc == ATMO_ENOMEM ||
					   (rc == ATMO_EINVALID && !strstr(err.text, "not valid JSON")))))
			continue;
		break;
	}
	oom_failed = 0;
	atmo_set_allocator(NULL, NULL, NULL);
	if (rc != 0 || failed)
		fail_msg("allocation %lu failing: %d: %s", k, rc, err.text);
	assert_true(k > 2);
}

/* A baseline document read out of memory: ATMO_ENOMEM, never "not valid JSON"
 * (the same sweep as for a rules file). */
static void baseline_out_of_memory(void **state)
{
	char dir[] = "/tmp/atmo-check-XXXXXX", p[200];
	atmo_check_rules *r;
	atmo_error err;
	unsigned long k;
	int rc = 0, failed = 1;

	(void)state;
	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip(); /* make check-oom owns the allocator */
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/base.json", dir);
	write_file(p, "{\"schema\": \"atmograph.image/1\", \"layers\": [{\"size\": 10}],"
		      " \"packages\": [\"libc6\", \"a-longer-package-name\"]}");
	atmo_set_allocator(oom_malloc, oom_realloc, free);
	for (k = 1; failed && k < 100000; k++) {
		test_oom_pause();
		r = rules();
		test_oom_resume();
		oom_failed = 0;
		oom_fail_at = oom_count + k;
		atmo_error_clear(&err);
		rc = atmo_check_rules_set(r, "baseline", p, "--baseline", 0, 0, &err);
		failed = oom_failed;
		oom_fail_at = 0;
		atmo_check_rules_free(r);
		if (rc == 0 || (failed && (rc == ATMO_ENOMEM ||
					   (rc == ATMO_EINVALID && !strstr(err.text, "not valid JSON")))))
			continue;
		break;
	}
	oom_failed = 0;
	atmo_set_allocator(NULL, NULL, NULL);
	unlink(p);
	rmdir(dir);
	if (rc != 0 || failed)
		fail_msg("allocation %lu failing: %d: %s", k, rc, err.text);
	assert_true(k > 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values_are_parsed_once_for_every_face),
		cmocka_unit_test(defaults_are_dives),
		cmocka_unit_test(junit_escapes_and_counts),
		cmocka_unit_test(files_json_and_yaml_located),
		cmocka_unit_test(report_targets_are_checked_or_refused),
		cmocka_unit_test(rules_json_out_of_memory),
		cmocka_unit_test(baseline_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
