/*
 * Image module: the rules of `atmograph check` applied to what a build made
 * (`atmograph build --check`): every image a build report exported is opened and
 * measured, so a CI job gates on the build it just ran with the same rules.
 */
#include <stdlib.h>
#include <string.h>
#include "atmograph/check.h"
#include "atmograph/image.h"
#include "util/alloc.h"
#include "util/error.h"

static int status_is(const json_t *t, const char *s)
{
	const char *v = json_string_value(json_object_get(t, "status"));
	return v && !strcmp(v, s);
}

/* the report's target names in byte order, so the document never depends on key order */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* add one target's check document into the whole one */
static int merge(json_t *all, json_t *one, const char *target)
{
	json_t *sum = json_object_get(all, "summary"), *osum = json_object_get(one, "summary");
	json_t *img;
	size_t i;
	const char *k;
	json_t *v;

	json_array_foreach(json_object_get(one, "images"), i, img) {
		if (json_object_set_new(img, "target", json_string(target)) < 0 ||
		    json_array_append(json_object_get(all, "images"), img) < 0)
			return ATMO_ENOMEM;
	}
	json_object_foreach(osum, k, v) {
		json_int_t n = json_integer_value(json_object_get(sum, k)) + json_integer_value(v);
		if (json_object_set_new(sum, k, json_integer(n)) < 0)
			return ATMO_ENOMEM;
	}
	if (!json_is_true(json_object_get(one, "passed")))
		json_object_set_new(all, "passed", json_false());
	return 0;
}

int atmo_check_report(json_t **out, const atmo_check_rules *r, const json_t *report,
		      const atmo_check_report_options *opts, atmo_error *err)
{
	atmo_check_report_options o = ATMO_CHECK_REPORT_OPTIONS_INIT;
	const json_t *targets = json_object_get(report, "targets"), *t;
	const char *schema = json_string_value(json_object_get(report, "schema"));
	const char **names = NULL, *name;
	json_t *all = NULL;
	size_t n = 0, i;
	int rc = 0;

	atmo_error_clear(err);
	*out = NULL;
	if (opts) {
		if (opts->version != ATMO_CHECK_REPORT_OPTIONS_VERSION)
			return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
					       "atmo_check_report_options: unknown version %u",
					       opts->version);
		o = *opts;
	}
	if (!r)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_check_report: no rules");
	if (!schema || strcmp(schema, "atmograph.build-report/1") || !json_is_object(targets))
		return atmo__error_set(err, ATMO_EINVALID, o.source, 0, 0,
				       "not a build report (schema atmograph.build-report/1)");
	names = atmo__calloc(json_object_size(targets) + 1, sizeof(*names), NULL);
	all = json_pack("{s:s,s:b,s:{s:I,s:I,s:I,s:I,s:I},s:[]}", "schema", "atmograph.check/1",
			"passed", 1, "summary", "images", (json_int_t)0, "rules", (json_int_t)0,
			"passed", (json_int_t)0, "failed", (json_int_t)0, "skipped", (json_int_t)0,
			"images");
	if (!names || !all) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	json_object_foreach((json_t *)targets, name, t)
		names[n++] = name;
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		atmo_image_options io = ATMO_IMAGE_OPTIONS_INIT;
		atmo_image *img = NULL;
		json_t *doc = NULL;
		const char *archive;

		t = json_object_get(targets, names[i]);
		/* a failed or skipped target already fails the build: nothing to measure */
		if (!status_is(t, "built") && !status_is(t, "cached"))
			continue;
		archive = json_string_value(json_object_get(t, "archive"));
		if (!archive) {
			rc = atmo__error_set(err, ATMO_EINVALID, o.source, 0, 0,
					     "target '%s' has no exported image to check (built "
					     "without exporting it, or its export failed: see %s)",
					     names[i],
					     json_string_value(json_object_get(t, "log"))
						     ? json_string_value(json_object_get(t, "log"))
						     : "its log");
			goto done;
		}
		io.packages = atmo_check_rules_need_packages(r);
		if ((rc = atmo_image_open(&img, archive, &io, err)) < 0)
			goto done;
		rc = atmo_check_images(&doc, r, (const atmo_image *const *)&img, 1, err);
		atmo_image_free(img);
		if (rc == 0 && merge(all, doc, names[i]) < 0)
			rc = atmo__error_nomem(err);
		json_decref(doc);
		if (rc < 0)
			goto done;
	}
	*out = all;
	all = NULL;
done:
	json_decref(all);
	atmo__free(names);
	return rc;
}
