/*
 * Hostile inputs (issue 17) and the error model (issue 15): each case ends
 * with a located error, never a crash, a hang or a read outside its input.
 * The inputs live under tests/data/hostile/<case>/.
 */
#include "harness.h"
#include <unistd.h>

/* read a data file into a malloc'd buffer (NUL-terminated) */
static char *slurp(const char *rel, size_t *len)
{
	char path[1024];
	char *text = NULL;
	atmo_error err;
	assert_int_equal(atmo_file_read(&text, len, test_data_path(path, sizeof(path), rel), 0, &err),
			 0);
	return text;
}

/* parse and validate (BuildKit's instruction checks), as the CLI does */
static int parse_file(const char *rel, atmo_error *err)
{
	atmo_dockerfile *df = NULL;
	size_t len;
	char *text = slurp(rel, &len);
	int rc = atmo_dockerfile_parse(&df, text, len, rel, err);
	if (rc == 0)
		rc = atmo_dockerfile_validate(df, err);
	atmo_dockerfile_free(df);
	free(text);
	return rc;
}

/* a reused atmo_error reports the second failure, not the first one's text */
static void error_struct_reused(void **state)
{
	atmo_error err;
	(void)state;
	atmo_error_clear(&err);
	assert_true(parse_file("hostile/error-reuse/first.Dockerfile", &err) < 0);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.text, "FROBNICATE"));
	assert_true(parse_file("hostile/error-reuse/second.Dockerfile", &err) < 0);
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.source, "second.Dockerfile"));
	assert_non_null(strstr(err.text, "bogus"));
	/* and a success leaves no error behind */
	{
		atmo_dockerfile *df = NULL;
		assert_int_equal(atmo_dockerfile_parse(&df, "FROM a\n", 7, "ok", &err), 0);
		assert_int_equal(err.code, 0);
		assert_string_equal(err.text, "");
		atmo_dockerfile_free(df);
	}
}

/* an uninitialised (garbage-filled) struct still gets a proper, NUL-terminated message */
static void error_struct_garbage(void **state)
{
	atmo_error err;
	atmo_image *img = NULL;
	atmo_bake *b = NULL;
	(void)state;
	memset(&err, 0xA5, sizeof(err));
	assert_true(parse_file("hostile/error-reuse/first.Dockerfile", &err) < 0);
	assert_int_equal(err.code, ATMO_EINVALID);
	assert_int_equal(err.line, 2);
	assert_non_null(memchr(err.text, '\0', sizeof(err.text)));
	assert_non_null(strstr(err.text, "FROBNICATE"));

	memset(&err, 0xA5, sizeof(err));
	assert_int_equal(atmo_image_open(&img, "/nonexistent/atmograph-hostile", NULL, &err),
			 ATMO_ENOTFOUND);
	assert_int_equal(err.code, ATMO_ENOTFOUND);
	assert_non_null(memchr(err.text, '\0', sizeof(err.text)));
	assert_non_null(memchr(err.source, '\0', sizeof(err.source)));
	assert_true(strlen(err.text) > 0);

	memset(&err, 0xA5, sizeof(err));
	assert_true(atmo_bake_load_string(&b, "{\"target\": 1}", 13, "bake.json", NULL, &err) < 0);
	assert_non_null(memchr(err.text, '\0', sizeof(err.text)));
	assert_string_equal(err.source, "bake.json");
	assert_true(strlen(err.text) > 0);
	atmo_bake_free(b);
}

/* doubling ARG/ENV chains stop at the word cap or the file's budget, located at the
 * instruction's line, quickly and without taking gigabytes */
static void expansion_is_capped(void **state)
{
	static const struct {
		const char *file;
		int line;
		const char *text;
	} cases[] = {
		{ "hostile/expansion/meta.Dockerfile", 21, "exceeds 1048576 bytes" },
		{ "hostile/expansion/stage.Dockerfile", 22, "exceeds 1048576 bytes" },
		{ "hostile/expansion/env.Dockerfile", 22, "exceeds 1048576 bytes" },
		{ "hostile/expansion/replace.Dockerfile", 15, "replacement exceeds 1048576 bytes" },
		{ "hostile/expansion/budget.Dockerfile", 165, "more than 67108864 bytes" },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		atmo_dockerfile *df = NULL;
		atmo_graph *g = NULL;
		atmo_error err;
		size_t len;
		char *text = slurp(cases[i].file, &len);
		assert_int_equal(atmo_dockerfile_parse(&df, text, len, cases[i].file, &err), 0);
		assert_int_equal(atmo_graph_build(&g, df, NULL, &err), ATMO_ELIMIT);
		assert_null(g);
		assert_int_equal(err.code, ATMO_ELIMIT);
		assert_string_equal(err.source, cases[i].file);
		assert_int_equal(err.line, cases[i].line);
		if (!strstr(err.text, cases[i].text))
			fail_msg("%s: %s", cases[i].file, err.text);
		atmo_dockerfile_free(df);
		free(text);
	}
}

/* the public expansion function applies the word cap too */
static void shell_expand_word_cap(void **state)
{
	char *big = malloc(ATMO_SHELL_MAX_WORD + 2), *out = NULL;
	atmo_error err;
	(void)state;
	assert_non_null(big);
	memset(big, 'a', ATMO_SHELL_MAX_WORD + 1);
	big[ATMO_SHELL_MAX_WORD + 1] = '\0';
	assert_int_equal(atmo_shell_expand(&out, big, 0, NULL, NULL, &err), ATMO_ELIMIT);
	assert_null(out);
	big[ATMO_SHELL_MAX_WORD] = '\0';
	assert_int_equal(atmo_shell_expand(&out, big, 0, NULL, NULL, &err), 0);
	assert_int_equal(strlen(out), ATMO_SHELL_MAX_WORD);
	free(out);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(error_struct_reused),
		cmocka_unit_test(error_struct_garbage),
		cmocka_unit_test(expansion_is_capped),
		cmocka_unit_test(shell_expand_word_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
