/* Shared by the render tests: one renderer for the group, documents from tests/data. */
#ifndef ATMO_TEST_RENDER_HARNESS_H
#define ATMO_TEST_RENDER_HARNESS_H

#include "harness.h"
#include "atmograph/render.h"

/* plain static (not inline, as when each test file had its own copy); some files use a part */
#define ATMO_TEST_UNUSED __attribute__((unused))

static atmo_renderer *R;

static ATMO_TEST_UNUSED int setup(void **state)
{
	atmo_error err;
	(void)state;
	atmo_error_clear(&err);
	return atmo_renderer_new(&R, &err);
}

static ATMO_TEST_UNUSED int teardown(void **state)
{
	(void)state;
	atmo_renderer_free(R);
	return 0;
}

static ATMO_TEST_UNUSED json_t *load(const char *rel)
{
	char fpath[1024];
	json_error_t je;
	json_t *doc = json_load_file(test_data_path(fpath, sizeof(fpath), rel), 0, &je);
	if (!doc)
		fail_msg("%s: %s", fpath, je.text);
	return doc;
}

/* Render and require success and no Graphviz warnings. */
static ATMO_TEST_UNUSED char *render_ok(json_t *doc, const atmo_render_options *o, size_t *len)
{
	char *data = NULL;
	size_t n = 0;
	json_t *w = NULL;
	atmo_error err;
	int rc;

	atmo_error_clear(&err);
	rc = atmo_render(&data, &n, R, doc, o, &w, &err);
	if (rc != 0)
		fail_msg("render failed (%d): %s", rc, err.text);
	assert_non_null(data);
	assert_non_null(w);
	if (json_array_size(w)) {
		char *s = json_dumps(w, 0);
		print_error("unexpected Graphviz warnings: %s\n", s);
		atmo_free(s);
		fail();
	}
	json_decref(w);
	if (len)
		*len = n;
	return data;
}

#endif
