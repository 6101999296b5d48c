/* atmo_sizes_annotate(): a sizes document's figures onto a graph document, with the
 * same fields atmo_sizes_annotate_report() writes. Documents are written here by hand. */
#include "harness.h"
#include <jansson.h>
#include "atmograph/build.h"
#include "atmograph/dockerfile.h"
#include "atmograph/graph.h"
#include "atmograph/image.h"

/* the graph document of a two-stage Dockerfile, made by the library */
static json_t *real_graph(void)
{
	static const char text[] = "FROM debian AS build\nRUN make\n"
				   "FROM debian AS runtime\nCOPY --from=build /out /out\n";
	atmo_dockerfile *df = NULL;
	atmo_graph *g = NULL;
	json_t *doc = NULL;
	atmo_graph_options opts = ATMO_GRAPH_OPTIONS_INIT;
	assert_int_equal(atmo_dockerfile_parse(&df, text, strlen(text), "Dockerfile", NULL), 0);
	assert_int_equal(atmo_graph_build(&g, df, &opts, NULL), 0);
	assert_int_equal(atmo_graph_to_json(&doc, g, NULL), 0);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	return doc;
}

static json_t *load(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	if (!j)
		fail_msg("bad fixture JSON: %s (line %d)", je.text, je.line);
	return j;
}

/* sizes of both stages of real_graph(), as atmograph sizes --json gives them (abridged) */
static const char SIZES_BOTH[] =
	"{\"schema\": \"atmograph.sizes/1\", \"dockerfile\": \"Dockerfile\", \"target\": \"runtime\","
	" \"stages\": ["
	"  {\"stage\": \"build\", \"node\": \"dockerfile/stage/build\", \"target\": false,"
	"   \"size\": {\"bytes\": 5000, \"compressed\": 2000, \"layers\": 2},"
	"   \"own_bytes\": 4000, \"packages\": 120, \"own_packages\": [\"gcc\"]},"
	"  {\"stage\": \"runtime\", \"node\": \"dockerfile/stage/runtime\", \"target\": true,"
	"   \"size\": {\"bytes\": 1300, \"compressed\": 700, \"layers\": 2},"
	"   \"own_bytes\": 300, \"packages\": 80}],"
	" \"kept_out\": {\"bytes\": 3700, \"own_bytes\": 4000, \"copied_bytes\": 300,"
	"   \"packages\": [\"make\", \"gcc\", \"cpp\", \"gcc\"], \"stages\": [\"build\"],"
	"   \"final_image\": true}}";

static void test_both_stages(void **state)
{
	json_t *g = real_graph(), *s = load(SIZES_BOTH), *n, *img;
	atmo_error err;
	size_t i;
	atmo_error_clear(&err);
	assert_int_equal(atmo_sizes_annotate(g, s, &err), 0);
	assert_int_equal(err.code, 0);
	json_array_foreach(json_object_get(g, "nodes"), i, n) {
		const char *id = json_string_value(json_object_get(n, "id"));
		json_t *size = json_object_get(n, "size");
		if (strcmp(id, "dockerfile/stage/build") == 0) {
			assert_int_equal(json_object_size(size), 3);
			assert_int_equal(json_integer_value(json_object_get(size, "bytes")), 5000);
			assert_int_equal(json_integer_value(json_object_get(size, "own_bytes")), 4000);
			assert_int_equal(json_integer_value(json_object_get(size, "packages")), 120);
		} else if (strcmp(id, "dockerfile/stage/runtime") == 0) {
			assert_int_equal(json_object_size(size), 3);
			assert_int_equal(json_integer_value(json_object_get(size, "bytes")), 1300);
			assert_int_equal(json_integer_value(json_object_get(size, "own_bytes")), 300);
			assert_int_equal(json_integer_value(json_object_get(size, "packages")), 80);
		} else {
			assert_null(size); /* the base image node was not measured */
		}
	}
	img = json_array_get(json_object_get(g, "images"), 0);
	assert_string_equal(json_string_value(json_object_get(img, "id")), "dockerfile");
	assert_int_equal(json_object_size(json_object_get(img, "size")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(img, "size"), "bytes")), 1300);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(img, "size"), "compressed")), 700);
	{
		json_t *want = load("{\"bytes\": 3700, \"packages\": [\"cpp\", \"gcc\", \"make\"]}");
		assert_true(json_equal(json_object_get(g, "kept_out"), want));
		json_decref(want);
	}
	json_decref(s);
	json_decref(g);
}

/* The same measurements given as a build report: atmo_sizes_annotate_report() writes the same fields. */
static void test_same_as_report(void **state)
{
	json_t *a = real_graph(), *b = real_graph(), *c = real_graph(), *s = load(SIZES_BOTH);
	json_t *r = load(
		"{\"schema\": \"atmograph.build-report/1\", \"targets\": {\"dockerfile\": {"
		"  \"status\": \"built\", \"size\": {\"bytes\": 1300, \"compressed\": 700, \"layers\": 2},"
		"  \"stages\": {"
		"    \"build\": {\"size\": {\"bytes\": 5000, \"compressed\": 2000, \"layers\": 2},"
		"               \"own_bytes\": 4000, \"in_final\": false,"
		"               \"packages\": [" 
		"                 \"p0\",\"p1\",\"p2\",\"p3\",\"p4\",\"p5\",\"p6\",\"p7\",\"p8\",\"p9\"]},"
		"    \"runtime\": {\"size\": {\"bytes\": 1300, \"compressed\": 700, \"layers\": 2},"
		"               \"own_bytes\": 300, \"in_final\": true,"
		"               \"packages\": [\"p0\",\"p1\",\"p2\",\"p3\",\"p4\",\"p5\",\"p6\",\"p7\"]}},"
		"  \"kept_out\": {\"bytes\": 3700, \"packages\": [\"make\", \"gcc\", \"cpp\"]}}}}");
	/* packages are counts in a graph document: 10 and 8 names in the report */
	json_object_set_new(json_array_get(json_object_get(s, "stages"), 0), "packages", json_integer(10));
	json_object_set_new(json_array_get(json_object_get(s, "stages"), 1), "packages", json_integer(8));
	assert_int_equal(atmo_sizes_annotate(a, s, NULL), 0);
	assert_int_equal(atmo_sizes_annotate_report(b, r, NULL), 0);
	assert_true(json_equal(a, b));
	assert_int_equal(atmo_report_annotate(c, r, NULL), 0); /* the former name (deprecated alias) */
	assert_true(json_equal(b, c));
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(s);
	json_decref(r);
}

/* Only the target measured: no build-only stage, so no kept_out; packages not read: no count. */
static void test_target_only(void **state)
{
	json_t *g = real_graph();
	json_t *s = load(
		"{\"schema\": \"atmograph.sizes/1\", \"stages\": ["
		"  {\"stage\": \"runtime\", \"node\": \"dockerfile/stage/runtime\", \"target\": true,"
		"   \"size\": {\"bytes\": 10, \"compressed\": 4, \"layers\": 1}, \"own_bytes\": 10,"
		"   \"packages\": null}],"
		" \"kept_out\": {\"bytes\": 0, \"packages\": [], \"stages\": [], \"final_image\": true}}");
	json_t *n = json_array_get(json_object_get(g, "nodes"), 1), *want;
	assert_int_equal(atmo_sizes_annotate(g, s, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(n, "id")), "dockerfile/stage/runtime");
	want = load("{\"bytes\": 10, \"own_bytes\": 10}");
	assert_true(json_equal(json_object_get(n, "size"), want));
	json_decref(want);
	assert_null(json_object_get(json_array_get(json_object_get(g, "nodes"), 0), "size"));
	assert_null(json_object_get(g, "kept_out"));
	want = load("{\"bytes\": 10, \"compressed\": 4}");
	assert_true(json_equal(json_object_get(json_array_get(json_object_get(g, "images"), 0), "size"), want));
	json_decref(want);
	json_decref(s);
	json_decref(g);
}

/* A build stage alone (not the target): its node only, the image keeps no size. */
static void test_build_stage_only(void **state)
{
	json_t *g = real_graph();
	json_t *s = load(
		"{\"schema\": \"atmograph.sizes/1\", \"stages\": ["
		"  {\"stage\": \"build\", \"node\": \"dockerfile/stage/build\", \"target\": false,"
		"   \"size\": {\"bytes\": 7}, \"own_bytes\": 2}],"
		" \"kept_out\": {\"bytes\": 2, \"packages\": [], \"stages\": [\"build\"]}}");
	json_t *want = load("{\"bytes\": 2, \"packages\": []}");
	assert_int_equal(atmo_sizes_annotate(g, s, NULL), 0);
	assert_null(json_object_get(json_array_get(json_object_get(g, "images"), 0), "size"));
	assert_true(json_equal(json_object_get(g, "kept_out"), want));
	json_decref(want);
	json_decref(s);
	json_decref(g);
}

static void expect_error(const char *graph_text, const char *sizes_text, int code,
			 const char *source, const char *text)
{
	json_t *g = graph_text ? load(graph_text) : real_graph();
	json_t *before = json_deep_copy(g);
	json_t *s = load(sizes_text);
	atmo_error err;
	atmo_error_clear(&err);
	assert_int_equal(atmo_sizes_annotate(g, s, &err), code);
	assert_int_equal(err.code, code);
	assert_string_equal(err.source, source);
	assert_string_equal(err.text, text);
	assert_true(json_equal(g, before)); /* left as it was */
	assert_int_equal(atmo_sizes_annotate(g, s, NULL), code); /* NULL err allowed */
	assert_int_equal(atmo_image_sizes_annotate(g, s, NULL), code); /* the former name (deprecated alias) */
	json_decref(before);
	json_decref(g);
	json_decref(s);
}

static void test_errors(void **state)
{
	/* the graph document goes through the one loader (graph/graph_doc.c): the JSON path */
	expect_error("{\"schema\": \"atmograph.image/1\", \"nodes\": []}",
		     "{\"schema\": \"atmograph.sizes/1\", \"stages\": []}", ATMO_EINVALID, "graph",
		     "not a graph document (schema atmograph.graph/1): "
		     "$.schema: \"atmograph.image/1\" is not \"atmograph.graph/1\"");
	expect_error("{\"schema\": \"atmograph.graph/1\"}",
		     "{\"schema\": \"atmograph.sizes/1\", \"stages\": []}", ATMO_EINVALID, "graph",
		     "not a graph document (schema atmograph.graph/1): "
		     "$.nodes: missing (an array is required)");
	expect_error("[]", "{\"schema\": \"atmograph.sizes/1\", \"stages\": []}", ATMO_EINVALID,
		     "graph", "not a graph document (schema atmograph.graph/1): "
		     "$: a graph document must be a JSON object");
	expect_error("{\"schema\": \"atmograph.graph/1\", \"nodes\": [{\"id\": 3, \"kind\": \"stage\"}]}",
		     "{\"schema\": \"atmograph.sizes/1\", \"stages\": []}", ATMO_EINVALID, "graph",
		     "not a graph document (schema atmograph.graph/1): $.nodes[0].id: expected a string");
	expect_error("{\"schema\": \"atmograph.graph/1\", \"images\": [{\"id\": \"a\"}], "
		     "\"nodes\": [{\"id\": \"n\", \"kind\": \"box\"}]}",
		     "{\"schema\": \"atmograph.sizes/1\", \"stages\": []}", ATMO_EINVALID, "graph",
		     "not a graph document (schema atmograph.graph/1): $.nodes[0].kind: unknown kind "
		     "\"box\" (expected stage, image, context or scratch)");
	expect_error(NULL, "{\"schema\": \"atmograph.build-report/1\", \"targets\": {}}",
		     ATMO_EINVALID, "sizes", "not a sizes document (schema atmograph.sizes/1)");
	expect_error(NULL, "[1, 2]", ATMO_EINVALID, "sizes",
		     "not a sizes document (schema atmograph.sizes/1)");
	expect_error(NULL, "{\"schema\": \"atmograph.sizes/1\", \"stages\": {}}", ATMO_EINVALID,
		     "sizes", "sizes.stages: expected an array");
	expect_error(NULL, "{\"schema\": \"atmograph.sizes/1\", \"stages\": [], \"kept_out\": 3}",
		     ATMO_EINVALID, "sizes", "sizes.kept_out: expected an object");
	expect_error(NULL, "{\"schema\": \"atmograph.sizes/1\", \"stages\": [\"build\"]}",
		     ATMO_EINVALID, "sizes", "sizes.stages[0]: expected an object with a \"node\"");
	expect_error(NULL, "{\"schema\": \"atmograph.sizes/1\", \"stages\": [{\"stage\": \"build\"}]}",
		     ATMO_EINVALID, "sizes", "sizes.stages[0]: expected an object with a \"node\"");
	expect_error(NULL, "{\"schema\": \"atmograph.sizes/1\", \"stages\": ["
		     "{\"node\": \"dockerfile/stage/runtime\", \"size\": {\"bytes\": 1}},"
		     "{\"node\": \"dockerfile/stage/build\", \"size\": 12}]}",
		     ATMO_EINVALID, "sizes", "sizes.stages[1].size: expected an object");
	/* the first stage matches and the second does not: nothing is written */
	expect_error(NULL, "{\"schema\": \"atmograph.sizes/1\", \"stages\": ["
		     "{\"node\": \"dockerfile/stage/runtime\", \"size\": {\"bytes\": 1}},"
		     "{\"node\": \"nova/stage/build\", \"size\": {\"bytes\": 1}}]}",
		     ATMO_ENOTFOUND, "sizes",
		     "sizes.stages[1]: node 'nova/stage/build' is not in the graph document "
		     "(sizes of another Dockerfile, target or image id?)");
}

/* Figures of the wrong type or negative are left out, not copied. */
static void test_bad_figures_skipped(void **state)
{
	json_t *g = real_graph();
	json_t *s = load(
		"{\"schema\": \"atmograph.sizes/1\", \"stages\": ["
		"  {\"node\": \"dockerfile/stage/build\", \"size\": {\"bytes\": \"big\"},"
		"   \"own_bytes\": -5, \"packages\": 3}]}");
	json_t *want = load("{\"packages\": 3}");
	assert_int_equal(atmo_sizes_annotate(g, s, NULL), 0);
	assert_true(json_equal(json_object_get(json_array_get(json_object_get(g, "nodes"), 0), "size"), want));
	assert_null(json_object_get(g, "kept_out"));
	json_decref(want);
	json_decref(s);
	json_decref(g);
}

/* The build report of test_same_as_report(): both stages, their packages, kept out */
static const char REPORT_BOTH[] =
	"{\"schema\": \"atmograph.build-report/1\", \"targets\": {\"dockerfile\": {"
	"  \"status\": \"built\", \"size\": {\"bytes\": 1300, \"compressed\": 700, \"layers\": 2},"
	"  \"stages\": {"
	"    \"build\": {\"size\": {\"bytes\": 5000, \"compressed\": 2000, \"layers\": 2},"
	"               \"own_bytes\": 4000, \"in_final\": false, \"packages\": [\"p0\", \"p1\"]},"
	"    \"runtime\": {\"size\": {\"bytes\": 1300, \"compressed\": 700, \"layers\": 2},"
	"               \"own_bytes\": 300, \"in_final\": true, \"packages\": [\"p0\"]}},"
	"  \"kept_out\": {\"bytes\": 3700, \"packages\": [\"make\", \"gcc\", \"cpp\"]}}}}";

/* One annotation with each allocation failing in turn: ATMO_ENOMEM, or 0 with the
 * document whole (every figure and kept_out), never 0 with a figure missing. */
static void annotate_each_failing(int report)
{
	json_t *fixture, *want, *g;
	atmo_error err;
	unsigned long k;
	int rc = -1, failed = 1;

	fixture = load(report ? REPORT_BOTH : SIZES_BOTH);
	want = real_graph();
	assert_int_equal(report ? atmo_sizes_annotate_report(want, fixture, NULL)
				: atmo_sizes_annotate(want, fixture, NULL), 0);
	assert_non_null(json_object_get(want, "kept_out"));
	atmo_set_allocator(oom_malloc, oom_realloc, free);
	for (k = 1; failed && k < 100000; k++) {
		test_oom_pause();
		g = real_graph();
		test_oom_resume();
		oom_failed = 0;
		oom_fail_at = oom_count + k;
		atmo_error_clear(&err);
		rc = report ? atmo_sizes_annotate_report(g, fixture, &err)
			    : atmo_sizes_annotate(g, fixture, &err);
		failed = oom_failed;
		oom_fail_at = 0;
		if (rc == ATMO_ENOMEM && failed) {
			json_decref(g);
			continue;
		}
		if (rc != 0 || !json_equal(g, want)) {
			json_decref(g);
			break;
		}
		json_decref(g);
	}
	oom_failed = 0;
	atmo_set_allocator(NULL, NULL, NULL);
	json_decref(want);
	json_decref(fixture);
	if (failed)
		fail_msg("allocation %lu failing: %d (%s), %s", k, rc, err.text,
			 rc == 0 ? "a document short of a figure" : "not ATMO_ENOMEM");
	assert_int_equal(rc, 0);
	assert_true(k > 2);
}

static void test_annotate_nomem(void **state)
{
	(void)state;
	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip(); /* make check-oom owns the allocator */
	annotate_each_failing(0);
}

static void test_annotate_report_nomem(void **state)
{
	(void)state;
	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip(); /* make check-oom owns the allocator */
	annotate_each_failing(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_stages),
		cmocka_unit_test(test_same_as_report),
		cmocka_unit_test(test_target_only),
		cmocka_unit_test(test_build_stage_only),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bad_figures_skipped),
		cmocka_unit_test(test_annotate_nomem),
		cmocka_unit_test(test_annotate_report_nomem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
