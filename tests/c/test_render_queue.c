/* atmo_render_queue: jobs rendered in the queue's thread, the same bytes as atmo_render_text,
 * errors handed over with the job, outputs written to files, jobs left behind freed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "render_harness.h"

/* a graph document's JSON text from tests/data (caller frees) */
static char *load_text(const char *rel, size_t *len)
{
	json_t *doc = load(rel);
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	assert_non_null(text);
	*len = strlen(text);
	return text;
}

static char *direct(const char *text, size_t len, const atmo_render_options *o, size_t *n)
{
	char *data = NULL;
	atmo_error err;
	atmo_error_clear(&err);
	if (atmo_render_text(&data, n, R, text, len, o, NULL, &err) != 0)
		fail_msg("render: %s", err.text);
	return data;
}

static void test_jobs_match_direct_renders_in_any_order(void **state)
{
	atmo_render_options svg = ATMO_RENDER_OPTIONS_INIT, text_fmt = ATMO_RENDER_OPTIONS_INIT;
	atmo_render_queue *q;
	atmo_error err;
	size_t len1, len2, n1, n2, got_n;
	char *t1 = load_text("render/service-single.json", &len1);
	char *t2 = load_text("render/service-bake.json", &len2);
	char *want1, *want2, *got;
	uint64_t a, b, c;
	(void)state;

	svg.id_prefix = "p-";
	svg.link_base = "";
	text_fmt.format = ATMO_FORMAT_TEXT;
	want1 = direct(t1, len1, &svg, &n1);
	want2 = direct(t2, len2, &text_fmt, &n2);

	atmo_error_clear(&err);
	assert_int_equal(atmo_render_queue_new(&q, &err), 0);
	assert_int_equal(atmo_render_queue_submit(q, &a, t1, len1, &svg, NULL, &err), 0);
	assert_int_equal(atmo_render_queue_submit(q, &b, t2, len2, &text_fmt, NULL, &err), 0);
	assert_int_equal(atmo_render_queue_submit(q, &c, t1, len1, NULL, NULL, &err), 0);
	assert_true(a >= 1 && b == a + 1 && c == b + 1);
	/* the inputs are the queue's own copies */
	memset(t1, ' ', len1);

	assert_int_equal(atmo_render_queue_take(q, b, &got, &got_n, &err), 0);
	assert_int_equal(got_n, n2);
	assert_memory_equal(got, want2, n2);
	atmo_free(got);
	assert_int_equal(atmo_render_queue_take(q, a, &got, &got_n, &err), 0);
	assert_int_equal(got_n, n1);
	assert_memory_equal(got, want1, n1);
	atmo_free(got);
	/* a job is handed over once */
	assert_int_equal(atmo_render_queue_take(q, a, &got, &got_n, &err), ATMO_ENOTFOUND);
	assert_null(got);
	assert_non_null(strstr(err.text, "no render job"));
	atmo_render_queue_free(q);   /* c not taken: freed with the queue */
	atmo_free(want1);
	atmo_free(want2);
	atmo_free(t1);
	atmo_free(t2);
}

static void test_errors_come_with_the_job(void **state)
{
	atmo_render_options bad = ATMO_RENDER_OPTIONS_INIT;
	atmo_render_queue *q;
	atmo_error err;
	char *got = (char *)1;
	size_t n = 1;
	uint64_t t = 99, ok;
	static const char broken[] = "{\"schema\": \"atmograph.graph/1\",\n  \"nodes\": [,]}";
	size_t len;
	char *good = load_text("render/service-single.json", &len);
	(void)state;

	atmo_error_clear(&err);
	assert_int_equal(atmo_render_queue_new(&q, &err), 0);
	/* a bad option is refused at once, no job */
	bad.max_label_length = 2;
	assert_int_equal(atmo_render_queue_submit(q, &t, good, len, &bad, NULL, &err), ATMO_EINVALID);
	assert_int_equal(t, 0);
	assert_non_null(strstr(err.text, "max_label_length"));
	/* text that is not JSON: the job's error, located, from take */
	assert_int_equal(atmo_render_queue_submit(q, &t, broken, sizeof broken - 1, NULL, NULL,
						  &err), 0);
	assert_int_equal(atmo_render_queue_submit(q, &ok, good, len, NULL, NULL, &err), 0);
	atmo_error_clear(&err);
	assert_int_equal(atmo_render_queue_take(q, t, &got, &n, &err), ATMO_EINVALID);
	assert_null(got);
	assert_int_equal(n, 0);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.source, "<graph>");
	/* the queue goes on after a failed job */
	assert_int_equal(atmo_render_queue_take(q, ok, &got, &n, &err), 0);
	assert_true(n > 0);
	atmo_free(got);
	assert_int_equal(atmo_render_queue_take(q, 12345, &got, &n, &err), ATMO_ENOTFOUND);
	atmo_render_queue_free(q);
	atmo_free(good);
}

static void test_outputs_written_to_files(void **state)
{
	char dir[] = "/tmp/atmo-queue-XXXXXX", path[128], missing[160];
	atmo_render_queue *q;
	atmo_error err;
	uint64_t t, u;
	size_t len, n, fn;
	char *text = load_text("render/service-single.json", &len), *got, *file;
	FILE *f;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/out.svg", dir);
	snprintf(missing, sizeof missing, "%s/no/such/dir/out.svg", dir);
	atmo_error_clear(&err);
	assert_int_equal(atmo_render_queue_new(&q, &err), 0);
	assert_int_equal(atmo_render_queue_submit(q, &t, text, len, NULL, path, &err), 0);
	assert_int_equal(atmo_render_queue_submit(q, &u, text, len, NULL, missing, &err), 0);
	atmo_render_queue_wait(q);
	/* done by now: the file is there before take */
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	fn = (size_t)ftell(f);
	rewind(f);
	file = malloc(fn);
	assert_int_equal(fread(file, 1, fn, f), fn);
	fclose(f);
	assert_int_equal(atmo_render_queue_take(q, t, &got, &n, &err), 0);
	assert_int_equal(n, fn);
	assert_memory_equal(got, file, n);
	atmo_free(got);
	free(file);
	/* a write that fails is the job's error */
	assert_int_equal(atmo_render_queue_take(q, u, &got, &n, &err), ATMO_EIO);
	assert_null(got);
	atmo_render_queue_free(q);
	unlink(path);
	rmdir(dir);
	atmo_free(text);
}

static void test_free_with_jobs_queued(void **state)
{
	atmo_render_queue *q;
	atmo_error err;
	uint64_t t;
	size_t len;
	char *text = load_text("render/service-bake.json", &len);
	int i;
	(void)state;

	atmo_error_clear(&err);
	assert_int_equal(atmo_render_queue_new(&q, &err), 0);
	for (i = 0; i < 20; i++)
		assert_int_equal(atmo_render_queue_submit(q, &t, text, len, NULL, NULL, &err), 0);
	atmo_render_queue_free(q);   /* no wait, nothing taken: ASan/LSan see no leak */
	atmo_render_queue_free(NULL);
	/* an empty queue stops too */
	assert_int_equal(atmo_render_queue_new(&q, &err), 0);
	atmo_render_queue_wait(q);
	atmo_render_queue_free(q);
	atmo_free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobs_match_direct_renders_in_any_order),
		cmocka_unit_test(test_errors_come_with_the_job),
		cmocka_unit_test(test_outputs_written_to_files),
		cmocka_unit_test(test_free_with_jobs_queued),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
