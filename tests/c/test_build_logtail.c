/* atmo_build_log_tail: the last lines of a build log, for a failed build's message. */
#include <unistd.h>
#include "harness.h"

/* a temporary file holding text; returns its path in buf */
static const char *temp_log(char *buf, size_t n, const char *text, size_t len)
{
	int fd;
	snprintf(buf, n, "/tmp/atmo-logtail-XXXXXX");
	fd = mkstemp(buf);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return buf;
}

static void check_tail(const char *text, size_t max_lines, const char *expected)
{
	char path[64], *out = NULL;
	atmo_error err;
	int rc;

	atmo_error_clear(&err);
	temp_log(path, sizeof(path), text, strlen(text));
	rc = atmo_build_log_tail(&out, path, max_lines, &err);
	if (oom_hit(rc)) {
		unlink(path);
		return;
	}
	assert_int_equal(rc, 0);
	assert_string_equal(out, expected);
	atmo_free(out);
	unlink(path);
}

static void test_last_lines(void **state)
{
	(void)state;
	check_tail("a\nb\nc\nd\n", 2, "c\nd\n");
	check_tail("a\nb\nc\nd", 2, "c\nd\n");          /* no final newline */
	check_tail("a\nb\n", 20, "a\nb\n");             /* fewer lines than asked */
	check_tail("a\n\n\nb\n", 3, "\n\nb\n");         /* empty lines count */
	check_tail("", 20, "");
	check_tail("a\nb\n", 0, "");
}

/* a log larger than the window read: the tail is right, the partial line cut
 * at the window's start is left out */
static void test_big_log(void **state)
{
	size_t n = 200000, i, line = 0;
	char *text = malloc(n + 1), path[64], *out = NULL, *expected = malloc(64);
	int rc;
	atmo_error err;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < n; ) {
		int k = snprintf(text + i, n + 1 - i, "line %zu of the engine's output\n", line++);
		i += (size_t)k;
		if (i > n)
			i = n;
	}
	/* the text is cut at n: end it with a complete, known line */
	n = strlen(text);
	while (n && text[n - 1] != '\n')
		n--;
	text[n] = '\0';
	atmo_error_clear(&err);
	temp_log(path, sizeof(path), text, n);
	rc = atmo_build_log_tail(&out, path, 1, &err);
	if (oom_hit(rc))
		goto done;
	assert_int_equal(rc, 0);
	/* the last complete line */
	{
		const char *p = text + n - 1;
		while (p > text && p[-1] != '\n')
			p--;
		snprintf(expected, 64, "%s", p);
	}
	assert_string_equal(out, expected);
	atmo_free(out);
	out = NULL;
	rc = atmo_build_log_tail(&out, path, 100000, &err);
	if (oom_hit(rc))
		goto done;
	assert_int_equal(rc, 0);
	assert_true(strlen(out) <= 64 * 1024);
	assert_true(!strncmp(out, "line ", 5));       /* starts at a whole line */
	assert_true(strstr(text, out) != NULL);
done:
	atmo_free(out);
	unlink(path);
	free(text);
	free(expected);
}

static void test_missing_log(void **state)
{
	char *out = (char *)"x";
	atmo_error err;

	(void)state;
	atmo_error_clear(&err);
	assert_int_equal(atmo_build_log_tail(&out, "/nonexistent/atmo.log", 20, &err),
			 ATMO_ENOTFOUND);
	assert_null(out);
	assert_string_equal(err.source, "/nonexistent/atmo.log");
	atmo_error_clear(&err);
	assert_int_equal(atmo_build_log_tail(&out, NULL, 20, &err), ATMO_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last_lines),
		cmocka_unit_test(test_big_log),
		cmocka_unit_test(test_missing_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
