/*
 * util/utf8.c's JSON strings: bytes that start no valid UTF-8 sequence become
 * U+FFFD; atmo__utf8_json_quote writes what json_dumps writes for the same
 * string; the parse document (dockerfile/tojson.c) uses the same rule.
 */
#include "harness.h"
#include "util/buf.h"
#include "util/utf8.h"

static const struct {
	const char *in;
	size_t n;
	const char *want; /* the string's value, UTF-8 */
} cases[] = {
	{ "plain", 5, "plain" },
	{ "", 0, "" },
	{ "caf\xc3\xa9 \xf0\x9f\x90\xb3", 10, "caf\xc3\xa9 \xf0\x9f\x90\xb3" },
	{ "a\xff" "b", 3, "a\xef\xbf\xbd" "b" },
	/* a cut sequence: one U+FFFD per byte that starts none */
	{ "\xc3", 1, "\xef\xbf\xbd" },
	{ "\xe2\x82", 2, "\xef\xbf\xbd\xef\xbf\xbd" },
	/* a surrogate and an overlong form are not UTF-8 */
	{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd" },
	{ "q\"\\/\b\f\n\r\t\x01\x1f\x7f", 12, "q\"\\/\b\f\n\r\t\x01\x1f\x7f" },
};

static void json_string_replaces_invalid_bytes(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = atmo__utf8_json_string(cases[i].in, cases[i].n);
		assert_non_null(j);
		assert_int_equal(json_string_length(j), strlen(cases[i].want));
		assert_memory_equal(json_string_value(j), cases[i].want, strlen(cases[i].want));
		json_decref(j);
	}
}

static void quote_matches_json_dumps(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = atmo__utf8_json_string(cases[i].in, cases[i].n);
		char *d = json_dumps(j, JSON_ENCODE_ANY);
		atmo_buf b = ATMO_BUF_INIT;
		assert_non_null(d);
		assert_int_equal(atmo__utf8_json_quote(&b, cases[i].in, cases[i].n), 0);
		assert_string_equal(atmo__buf_cstr(&b), d);
		atmo__buf_free(&b);
		atmo_free(d);
		json_decref(j);
	}
}

static void parse_document_replaces_invalid_bytes(void **state)
{
	static const char text[] = "FROM alpine\nRUN echo \xff\n";
	atmo_dockerfile *df = NULL;
	json_t *doc = NULL;
	atmo_error err;
	char *d;
	(void)state;
	assert_int_equal(atmo_dockerfile_parse(&df, text, strlen(text), "Dockerfile", &err), 0);
	assert_int_equal(atmo_dockerfile_to_json(&doc, df, &err), 0);
	d = json_dumps(doc, 0);
	assert_non_null(d);
	assert_non_null(strstr(d, "echo \xef\xbf\xbd"));
	assert_null(strchr(d, '\xff'));
	atmo_free(d);
	json_decref(doc);
	atmo_dockerfile_free(df);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_string_replaces_invalid_bytes),
		cmocka_unit_test(quote_matches_json_dumps),
		cmocka_unit_test(parse_document_replaces_invalid_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
