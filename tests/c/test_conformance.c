/* BuildKit's own parser golden files (tests/data/buildkit/parser):
 * every testfiles case dumps byte-identical to `result`, the negative cases
 * fail with a location, and testfile-line has BuildKit's line ranges. */
#include "harness.h"
#include <dirent.h>
#include "atmograph/dockerfile.h"

static int read_file(const char *path, char **data, size_t *len)
{
	atmo_error e;
	atmo_error_clear(&e);
	return atmo_file_read(data, len, path, 0, &e);
}

static int list_dirs(const char *root, char names[][128], int max)
{
	DIR *d = opendir(root);
	struct dirent *de;
	int n = 0, i, j;
	if (!d)
		return -1;
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(names[n++], 128, "%.120s", de->d_name);
	}
	closedir(d);
	for (i = 0; i < n; i++) /* stable order for the report */
		for (j = i + 1; j < n; j++)
			if (strcmp(names[i], names[j]) > 0) {
				char t[128];
				memcpy(t, names[i], 128);
				memcpy(names[i], names[j], 128);
				memcpy(names[j], t, 128);
			}
	return n;
}

static void parser_cases_match_result(void **state)
{
	char root[1024], dir[1200], path[1600];
	static char names[64][128];
	int n, i, ok = 0;
	(void)state;

	test_conformance_root(root, sizeof(root));
	snprintf(dir, sizeof(dir), "%.1024s/parser/testfiles", root);
	n = list_dirs(dir, names, 64);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		char *df_text = NULL, *expect = NULL, *dump = NULL;
		size_t df_len, expect_len;
		atmo_dockerfile *df = NULL;
		atmo_error e;
		atmo_error_clear(&e);
		snprintf(path, sizeof(path), "%.1200s/%.120s/Dockerfile", dir, names[i]);
		assert_int_equal(read_file(path, &df_text, &df_len), 0);
		snprintf(path, sizeof(path), "%.1200s/%.120s/result", dir, names[i]);
		assert_int_equal(read_file(path, &expect, &expect_len), 0);
		if (atmo_dockerfile_parse(&df, df_text, df_len, names[i], &e) < 0) {
			printf("  FAIL %s: %s:%d:%d: %s\n", names[i], e.source, e.line, e.column, e.text);
		} else if (atmo_dockerfile_dump(&dump, df, &e) < 0) {
			printf("  FAIL %s: dump: %s\n", names[i], e.text);
		} else if (strlen(dump) != expect_len || memcmp(dump, expect, expect_len)) {
			printf("  FAIL %s: dump differs\n--- expected\n%s--- got\n%s", names[i], expect, dump);
		} else {
			ok++;
		}
		atmo_free(dump);
		atmo_dockerfile_free(df);
		atmo_free(df_text);
		atmo_free(expect);
	}
	printf("conformance: parser testfiles: %d of %d byte-identical to result\n", ok, n);
	assert_int_equal(ok, n);
	assert_int_equal(n, 33);
}

static void negative_cases_fail_with_location(void **state)
{
	char root[1024], dir[1200], path[1600];
	static char names[16][128];
	int n, i, ok = 0;
	(void)state;

	test_conformance_root(root, sizeof(root));
	snprintf(dir, sizeof(dir), "%.1024s/parser/testfiles-negative", root);
	n = list_dirs(dir, names, 16);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		char *text = NULL;
		size_t len;
		atmo_dockerfile *df = NULL;
		atmo_error e;
		int rc;
		atmo_error_clear(&e);
		snprintf(path, sizeof(path), "%.1200s/%.120s/Dockerfile", dir, names[i]);
		assert_int_equal(read_file(path, &text, &len), 0);
		rc = atmo_dockerfile_parse(&df, text, len, "Dockerfile", &e);
		if (rc < 0 && e.line > 0 && e.column > 0 && e.text[0] && !df) {
			printf("  %s -> Dockerfile:%d:%d: %s\n", names[i], e.line, e.column, e.text);
			ok++;
		} else {
			printf("  FAIL %s: rc %d line %d\n", names[i], rc, e.line);
		}
		atmo_dockerfile_free(df);
		atmo_free(text);
	}
	printf("conformance: negative cases: %d of %d are located errors\n", ok, n);
	assert_int_equal(ok, n);
	assert_int_equal(n, 4);
}

static void testfile_line_ranges(void **state)
{
	char root[1024], path[1600];
	char *text = NULL;
	size_t len;
	atmo_dockerfile *df = NULL;
	atmo_error e;
	static const int want[][2] = { { 5, 5 }, { 11, 12 }, { 17, 31 } };
	size_t i;
	(void)state;

	test_conformance_root(root, sizeof(root));
	snprintf(path, sizeof(path), "%.1024s/parser/testfile-line/Dockerfile", root);
	assert_int_equal(read_file(path, &text, &len), 0);
	atmo_error_clear(&e);
	assert_int_equal(atmo_dockerfile_parse(&df, text, len, "Dockerfile", &e), 0);
	assert_int_equal(atmo_dockerfile_count(df), 3);
	for (i = 0; i < 3; i++) {
		const atmo_instruction *ins = atmo_dockerfile_at(df, i);
		assert_int_equal(ins->start_line, want[i][0]);
		assert_int_equal(ins->end_line, want[i][1]);
	}
	/* the comment right above RUN is kept (buildx stage descriptions use it) */
	assert_string_equal(atmo_dockerfile_at(df, 2)->comment,
			    "Install the packages we need, clean up after them and us");
	printf("conformance: testfile-line: 3 of 3 line ranges match\n");
	atmo_dockerfile_free(df);
	atmo_free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parser_cases_match_result),
		cmocka_unit_test(negative_cases_fail_with_location),
		cmocka_unit_test(testfile_line_ranges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
