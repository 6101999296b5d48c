/*
 * Out of memory in a render: every allocation of one render fails in turn (the
 * library's and jansson's, through atmo_set_allocator); each render gives
 * ATMO_ENOMEM or succeeds, and leaves no block of it allocated. make check-oom
 * finds crashes by sampling a whole suite in an ASan build; this sweep checks
 * every allocation of a few renders for leaks, in any build.
 */
#include "render_harness.h"

/*
 * LeakSanitizer (make asan): when one of our allocations fails between agopen()
 * and agclose(), Graphviz 2.42 can keep up to ~2 KiB of its own (cgraph's name
 * map entry for the root graph, dot's temporary edges) that agclose() does not
 * give back. That memory is Graphviz's, outside the sweep's count; our own blocks
 * are counted (sweep_live) and must all come back. So the renders made with a
 * failing allocation run with leak checking off (weak: absent without ASan);
 * the first, normal render of each sweep is checked as everywhere else.
 */
void __lsan_disable(void) __attribute__((weak));
void __lsan_enable(void) __attribute__((weak));

static void lsan_off(void)
{
	if (__lsan_disable)
		__lsan_disable();
}

static void lsan_on(void)
{
	if (__lsan_enable)
		__lsan_enable();
}

/* test-only state: the allocator below counts the blocks it has handed out */
static unsigned long sweep_fail_at, sweep_count;
static long sweep_live;
static int sweep_on, sweep_failed;

static int sweep_should_fail(void)
{
	if (!sweep_on || ++sweep_count != sweep_fail_at)
		return 0;
	sweep_failed = 1;
	return 1;
}

static void *sweep_malloc(size_t n)
{
	void *p = sweep_should_fail() ? NULL : malloc(n);
	if (p)
		sweep_live++;
	return p;
}

static void *sweep_realloc(void *p, size_t n)
{
	void *q = sweep_should_fail() ? NULL : realloc(p, n);
	if (q && !p)
		sweep_live++;
	return q;
}

static void sweep_free(void *p)
{
	if (p)
		sweep_live--;
	free(p);
}

/* Fail allocation 1, 2, ... of the render of doc with o until one render fails none. */
static void sweep(json_t *doc, const atmo_render_options *o)
{
	unsigned long n;
	long before;

	size_t want_len;
	char *want;

	/* what the first render makes once per process (fonts, plugins) is not counted */
	atmo_free(render_ok(doc, o, NULL));
	want = render_ok(doc, o, &want_len);
	before = sweep_live;
	for (n = 1;; n++) {
		char *data = NULL;
		size_t len = 0;
		json_t *w = NULL;
		atmo_error err;
		int rc;

		atmo_error_clear(&err);
		sweep_count = 0;
		sweep_fail_at = n;
		sweep_failed = 0;
		sweep_on = 1;
		lsan_off();
		rc = atmo_render(&data, &len, R, doc, o, &w, &err);
		lsan_on();
		sweep_on = 0;
		if (rc != 0 && rc != ATMO_ENOMEM)
			fail_msg("allocation %lu failing: render gave %d: %s", n, rc, err.text);
		if (rc == ATMO_ENOMEM && !sweep_failed)
			fail_msg("ATMO_ENOMEM without a failed allocation: %s", err.text);
		/* a render that succeeds despite a failed allocation made the same output */
		if (rc == 0 && (len != want_len || memcmp(data, want, len) != 0))
			fail_msg("allocation %lu failing: the render succeeded with other output",
				 n);
		atmo_free(data);
		json_decref(w);
		if (sweep_live != before)
			fail_msg("allocation %lu failing (rc %d): %ld blocks left allocated", n, rc,
				 sweep_live - before);
		if (!sweep_failed)
			break;
	}
	atmo_free(want);
	print_message("%lu allocations, each failed in turn\n", n - 1);
	assert_true(n > 10);
}

/* The stage view with layers (SVG: draw records, ids, titles, links, cluster titles). */
static void test_oom_svg_layers(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-bake.json");

	(void)state;
	o.detail = "stages";
	o.layers = 1;
	o.link_base = "https://example.org/src";
	sweep(doc, &o);
	json_decref(doc);
}

/* DOT with the legend cluster, and the overview (Graphviz attributes, merged edges). */
static void test_oom_dot_legend_overview(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/service-bake.json");

	(void)state;
	o.format = ATMO_FORMAT_DOT;
	o.legend = 1;
	o.detail = "stages";
	sweep(doc, &o);
	o.detail = "overview";
	sweep(doc, &o);
	json_decref(doc);
}

/* Hostile names and texts (escaping, wrapping, long ids), in the stage view and the overview. */
static void test_oom_hostile(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/hostile.json");

	(void)state;
	o.layers = 1;
	o.link_base = "https://example.org/a b#";
	sweep(doc, &o);
	o.layers = 0;
	o.detail = "overview";
	sweep(doc, &o);
	json_decref(doc);
}

/* The graph given as text (atmo_render_text): jansson's parse out of memory is
 * ATMO_ENOMEM, never "not JSON" (jansson 2.14 reports few of its allocation
 * failures). A render that succeeds with a failed allocation is the same one,
 * except that jansson may drop a byte of a long string without an error (its
 * lexer ignores a buffer that could not grow: nothing outside it can see that). */
static void test_oom_text_json(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/hostile.json");
	char *text = json_dumps(doc, JSON_INDENT(1)), *want, *data;
	size_t want_len, len;
	unsigned long n;
	atmo_error err;
	int rc;

	(void)state;
	assert_non_null(text);
	o.format = ATMO_FORMAT_JSON;
	assert_int_equal(atmo_render_text(&want, &want_len, R, text, strlen(text), &o, NULL, &err), 0);
	for (n = 1;; n++) {
		long before = sweep_live;
		data = NULL;
		len = 0;
		atmo_error_clear(&err);
		sweep_count = 0;
		sweep_fail_at = n;
		sweep_failed = 0;
		sweep_on = 1;
		rc = atmo_render_text(&data, &len, R, text, strlen(text), &o, NULL, &err);
		sweep_on = 0;
		if (rc != 0 && !sweep_failed)
			fail_msg("allocation %lu: render gave %d without a failure: %s", n, rc, err.text);
		/* a byte dropped from "atmograph.graph/1" is a wrong schema (EINVALID) */
		if (rc != 0 && rc != ATMO_ENOMEM && !strstr(err.text, "atmograph.graph/1"))
			fail_msg("allocation %lu failing: render gave %d: %s", n, rc, err.text);
		if (rc == 0 && !sweep_failed && (len != want_len || memcmp(data, want, len) != 0))
			fail_msg("allocation %lu: the render made other output", n);
		atmo_free(data);
		if (sweep_live != before)
			fail_msg("allocation %lu failing (rc %d): %ld blocks left allocated", n, rc,
				 sweep_live - before);
		if (!sweep_failed)
			break;
	}
	print_message("%lu allocations, each failed in turn\n", n - 1);
	assert_true(n > 10);
	atmo_free(want);
	atmo_free(text);
	json_decref(doc);
}

/* The graph drawn as JSON: whole or ATMO_ENOMEM (jansson 2.14's json_dumps() drops
 * an object key it could not write and goes on). */
static void test_oom_json_format(void **state)
{
	atmo_render_options o = ATMO_RENDER_OPTIONS_INIT;
	json_t *doc = load("render/hostile.json");

	(void)state;
	o.format = ATMO_FORMAT_JSON;
	sweep(doc, &o);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oom_svg_layers),
		cmocka_unit_test(test_oom_dot_legend_overview),
		cmocka_unit_test(test_oom_hostile),
		cmocka_unit_test(test_oom_text_json),
		cmocka_unit_test(test_oom_json_format),
	};

	if (getenv("ATMOGRAPH_OOM_FAIL_AT")) {
		/* make check-oom's allocator is in place: this suite brings its own */
		printf("atmograph-oom: 0 allocations, none failed (test_render_oom sweeps by "
		       "itself)\n");
		return 0;
	}
	/* before any allocation the library or jansson makes, so that every block is counted */
	if (atmo_set_allocator(sweep_malloc, sweep_realloc, sweep_free) < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
