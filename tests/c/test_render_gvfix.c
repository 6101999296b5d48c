/*
 * The Graphviz leak fix (render/gvleak.c) is a process-wide setting the faces
 * fill (ATMOGRAPH_GVLEAK=off); the library reads no environment. Turned off
 * before the first render, it never patches, even on the Graphviz it is for.
 * Its own process: the setting is process-wide.
 */
#include "harness.h"
#include "render/graphviz_int.h"

static void test_fix_off(void **state)
{
	/* two images: clusters, whose rank leaders Graphviz 2.42/2.43 loses */
	static const char text[] =
		"{\"schema\": \"atmograph.graph/1\", \"images\": [{\"id\": \"a\"}, {\"id\": \"b\"}],"
		" \"nodes\": [{\"id\": \"a/x\", \"kind\": \"stage\", \"image\": \"a\", \"name\": \"x\"},"
		" {\"id\": \"a/y\", \"kind\": \"stage\", \"image\": \"a\", \"name\": \"y\"},"
		" {\"id\": \"b/z\", \"kind\": \"stage\", \"image\": \"b\", \"name\": \"z\"}],"
		" \"edges\": [{\"from\": \"a/x\", \"to\": \"a/y\", \"kind\": \"base\"},"
		" {\"from\": \"a/y\", \"to\": \"b/z\", \"kind\": \"base\"}]}";
	atmo__gvleak_counts c;
	atmo_renderer *r = NULL;
	json_t *doc = NULL;
	char *data = NULL;
	size_t len = 0;
	atmo_error err;

	(void)state;
	atmo_error_clear(&err);
	atmo_render_set_graphviz_fix(0);
	doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(atmo_renderer_new(&r, &err), 0);
	assert_int_equal(atmo_render(&data, &len, r, doc, NULL, NULL, &err), 0);
	assert_non_null(strstr(data, "<svg"));
	assert_non_null(strstr(data, "cluster"));
	atmo__gvleak_stats(&c);
	assert_false(c.active);
	assert_int_equal(c.nodes + c.edges + c.subgraphs, 0);
	atmo_free(data);
	atmo_renderer_free(r);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fix_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
