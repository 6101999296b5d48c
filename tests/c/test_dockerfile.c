/* The Dockerfile parser: heredoc forms, directives, comments, the service
 * image shape, JSON output, and every broken Dockerfile under
 * tests/data/dockerfile/broken (a folder per case: Dockerfile + expect)
 * plus the huge ones generated here (10 MB line, 100k lines, deep nesting). */
#include "harness.h"
#include <dirent.h>
#include "atmograph/dockerfile.h"

static atmo_dockerfile *parse_text(const char *text)
{
	atmo_dockerfile *df = NULL;
	atmo_error e;
	atmo_error_clear(&e);
	if (atmo_dockerfile_parse(&df, text, strlen(text), "Dockerfile", &e) < 0) {
		printf("unexpected error: %d:%d: %s\n", e.line, e.column, e.text);
		fail();
	}
	return df;
}

static atmo_dockerfile *parse_data(const char *rel)
{
	char path[1024], *text = NULL;
	size_t len;
	atmo_dockerfile *df = NULL;
	atmo_error e;
	atmo_error_clear(&e);
	assert_int_equal(atmo_file_read(&text, &len, test_data_path(path, sizeof(path), rel), 0, &e), 0);
	if (atmo_dockerfile_parse(&df, text, len, rel, &e) < 0) {
		printf("unexpected error: %s:%d:%d: %s\n", e.source, e.line, e.column, e.text);
		fail();
	}
	atmo_free(text);
	return df;
}

static const atmo_instruction *get(const atmo_dockerfile *df, size_t i)
{
	const atmo_instruction *ins = atmo_dockerfile_at(df, i);
	assert_non_null(ins);
	return ins;
}

static void heredoc_forms(void **state)
{
	atmo_dockerfile *df = parse_data("dockerfile/good/heredocs.Dockerfile");
	const atmo_instruction *ins;
	atmo_error e;
	(void)state;

	assert_int_equal(atmo_dockerfile_count(df), 11);
	/* <<EOF: expanded, body with its newline, lines 2-4 */
	ins = get(df, 1);
	assert_int_equal(ins->n_heredocs, 1);
	assert_string_equal(ins->heredocs[0].name, "EOF");
	assert_string_equal(ins->heredocs[0].content, "echo plain $HOME\n");
	assert_true(ins->heredocs[0].expand);
	assert_false(ins->heredocs[0].chomp);
	assert_int_equal(ins->heredocs[0].fd, -1);
	assert_int_equal(ins->start_line, 2);
	assert_int_equal(ins->end_line, 4);
	/* <<-EOF: leading tabs removed, the tab-indented terminator ends it */
	ins = get(df, 2);
	assert_true(ins->heredocs[0].chomp);
	assert_string_equal(ins->heredocs[0].content, "echo chomped\ntwo tabs\n");
	assert_int_equal(ins->end_line, 8);
	/* quoted delimiters: no expansion, quotes removed from the name */
	ins = get(df, 3);
	assert_string_equal(ins->heredocs[0].name, "EOF");
	assert_false(ins->heredocs[0].expand);
	assert_string_equal(ins->heredocs[0].content, "echo $NOT_EXPANDED\n");
	ins = get(df, 4);
	assert_false(ins->heredocs[0].expand);
	/* two heredocs in one RUN, the second with a file descriptor */
	ins = get(df, 5);
	assert_int_equal(ins->n_heredocs, 2);
	assert_string_equal(ins->heredocs[0].name, "A");
	assert_string_equal(ins->heredocs[0].content, "first\n");
	assert_int_equal(ins->heredocs[0].fd, -1);
	assert_string_equal(ins->heredocs[1].name, "B");
	assert_string_equal(ins->heredocs[1].content, "second\n");
	assert_int_equal(ins->heredocs[1].fd, 3);
	assert_int_equal(ins->start_line, 15);
	assert_int_equal(ins->end_line, 19);
	/* COPY with two file heredocs, ADD with one */
	ins = get(df, 6);
	assert_string_equal(ins->keyword, "copy");
	assert_int_equal(ins->n_heredocs, 2);
	assert_string_equal(ins->heredocs[1].name, "two.txt");
	assert_string_equal(ins->heredocs[1].content, "2\n");
	assert_int_equal(ins->n_args, 3);
	ins = get(df, 7);
	assert_string_equal(ins->keyword, "add");
	assert_string_equal(ins->heredocs[0].content, "added\n");
	/* exec form and quoted "<<EOF" are not heredocs */
	ins = get(df, 8);
	assert_true(ins->json);
	assert_int_equal(ins->n_heredocs, 0);
	assert_int_equal(get(df, 9)->n_heredocs, 0);
	/* a heredoc followed by a redirection */
	ins = get(df, 10);
	assert_int_equal(ins->n_heredocs, 1);
	assert_string_equal(ins->heredocs[0].content, "print(\"hi\")\n");
	atmo_error_clear(&e);
	assert_int_equal(atmo_dockerfile_validate(df, &e), 0);
	atmo_dockerfile_free(df);
}

static void heredoc_under_onbuild_and_crlf(void **state)
{
	atmo_dockerfile *df = parse_text("FROM a\r\nONBUILD RUN <<EOF\r\necho x\r\nEOF\r\nRUN true\n");
	const atmo_instruction *ins = get(df, 1);
	(void)state;
	assert_string_equal(ins->keyword, "onbuild");
	assert_non_null(ins->inner);
	assert_string_equal(ins->inner->keyword, "run");
	assert_int_equal(ins->n_heredocs, 1);
	assert_int_equal(ins->inner->n_heredocs, 1);
	/* the body keeps its line endings; the terminator line may end in \r\n */
	assert_string_equal(ins->heredocs[0].content, "echo x\r\n");
	assert_int_equal(ins->end_line, 4);
	assert_string_equal(get(df, 2)->keyword, "run");
	assert_int_equal(get(df, 2)->start_line, 5);
	atmo_dockerfile_free(df);
}

static void service_image_shape(void **state)
{
	atmo_dockerfile *df = parse_data("dockerfile/good/service.Dockerfile");
	const atmo_instruction *ins;
	atmo_error e;
	(void)state;

	assert_string_equal(atmo_dockerfile_directive(df, "syntax"), "docker/dockerfile:1.7");
	assert_string_equal(atmo_dockerfile_directive(df, "check"), "skip=JSONArgsRecommended");
	assert_null(atmo_dockerfile_directive(df, "escape"));
	assert_int_equal(atmo_dockerfile_escape(df), '\\');
	/* FROM of the build stage: names a named context, comment kept for descriptions */
	ins = get(df, 2);
	assert_string_equal(ins->keyword, "from");
	assert_int_equal(ins->n_args, 3);
	assert_string_equal(ins->args[0], "openstack-venv-builder");
	assert_string_equal(ins->args[2], "build");
	assert_string_equal(ins->comment, "build: compile the virtual environment");
	/* ADD of a git URL keeping .git */
	ins = get(df, 4);
	assert_int_equal(ins->n_flags, 1);
	assert_string_equal(ins->flags[0], "--keep-git-dir=true");
	assert_string_equal(ins->args[0], "https://opendev.org/openstack/nova.git#stable/2024.1");
	/* RUN --mount=type=cache,id=${UV_CACHE_ID} with a heredoc body over a continuation */
	ins = get(df, 5);
	assert_int_equal(ins->n_flags, 2);
	assert_string_equal(ins->flags[0], "--mount=type=cache,id=${UV_CACHE_ID},target=/root/.cache/uv");
	assert_int_equal(ins->n_heredocs, 1);
	assert_string_equal(ins->heredocs[0].content,
			    "set -eux\nuv pip install --constraint /tmp/constraints.txt /src/nova\n");
	assert_int_equal(ins->start_line, 10);
	assert_int_equal(ins->end_line, 14);
	/* COPY --from=build --link */
	ins = get(df, 7);
	assert_int_equal(ins->n_flags, 2);
	assert_string_equal(ins->flags[0], "--from=build");
	assert_string_equal(ins->flags[1], "--link");
	assert_string_equal(get(df, 6)->comment, "runtime: the service image");
	/* COPY <<-"EOT": chomped, not expanded */
	ins = get(df, 8);
	assert_false(ins->heredocs[0].expand);
	assert_string_equal(ins->heredocs[0].content,
			    "[composite:osapi_compute]\nuse = call:nova.api.openstack.urlmap:urlmap_factory\n");
	/* ENV triples */
	ins = get(df, 9);
	assert_int_equal(ins->n_args, 6);
	assert_string_equal(ins->args[3], "OS_SERVICE");
	assert_string_equal(ins->args[5], "=");
	/* ONBUILD RUN <<EOF */
	ins = get(df, 12);
	assert_non_null(ins->inner);
	assert_int_equal(ins->n_heredocs, 1);
	atmo_error_clear(&e);
	assert_int_equal(atmo_dockerfile_validate(df, &e), 0);
	atmo_dockerfile_free(df);
}

/* BuildKit reads a NUL byte as any other character: here it is read as
 * U+FFFD (strings are C strings), with a warning where it is */
static void nul_byte_is_read_with_a_warning(void **state)
{
	atmo_dockerfile *df = parse_data("dockerfile/good/nul-byte.Dockerfile");
	const atmo_error *w;
	atmo_error e;
	(void)state;
	assert_int_equal(atmo_dockerfile_count(df), 2);
	assert_string_equal(get(df, 1)->args[0], "echo a\xEF\xBF\xBD" "b");
	assert_int_equal(atmo_dockerfile_warning_count(df), 1);
	w = atmo_dockerfile_warning_at(df, 0);
	/* the former names stay in the ABI and answer the same */
	assert_ptr_equal(atmo_dockerfile_warning(df, 0), w);
	assert_ptr_equal(atmo_dockerfile_get(df, 1), atmo_dockerfile_at(df, 1));
	assert_null(atmo_dockerfile_warning_at(df, 1));
	assert_int_equal(w->line, 2);
	assert_int_equal(w->column, 11);
	assert_non_null(strstr(w->text, "NUL byte"));
	atmo_error_clear(&e);
	assert_int_equal(atmo_dockerfile_validate(df, &e), 0);
	atmo_dockerfile_free(df);
}

static void escape_directive_and_comments(void **state)
{
	atmo_dockerfile *df = parse_data("dockerfile/good/escape.Dockerfile");
	const atmo_instruction *ins;
	char *dump = NULL;
	atmo_error e;
	(void)state;
	assert_int_equal(atmo_dockerfile_escape(df), '`');
	assert_string_equal(atmo_dockerfile_directive(df, "escape"), "`");
	ins = get(df, 0);
	/* the directive line is a comment too (BuildKit collects it); blank lines don't reset */
	assert_string_equal(ins->comment, "escape=`\nthe Windows build stage");
	ins = get(df, 1);
	assert_int_equal(ins->start_line, 5);
	assert_int_equal(ins->end_line, 9);
	assert_string_equal(ins->args[0], "powershell -Command     Write-Host hello     world");
	/* one warning: the empty continuation line */
	assert_int_equal(atmo_dockerfile_warning_count(df), 1);
	/* located at the instruction's last line, as BuildKit does */
	assert_int_equal(atmo_dockerfile_warning_at(df, 0)->line, 9);
	assert_null(atmo_dockerfile_warning_at(df, 1));
	/* "#" alone resets the comment above FROM scratch */
	assert_null(get(df, 3)->comment);
	atmo_error_clear(&e);
	assert_int_equal(atmo_dockerfile_dump(&dump, df, &e), 0);
	assert_string_equal(dump, "(from \"mcr.microsoft.com/windows/servercore\" \"AS\" \"build\")\n"
				  "(run \"powershell -Command     Write-Host hello     world\")\n"
				  "(copy \"C:\\\\src\\\\\" \"C:\\\\dst\\\\\")\n"
				  "(from \"scratch\")\n");
	atmo_free(dump);
	atmo_dockerfile_free(df);
}

static void json_document(void **state)
{
	atmo_dockerfile *df = parse_text("# syntax=x\nFROM a\nCMD [\"a\\u0000b\", \"\\ud83d\\ude00\"]\n"
					 "ONBUILD COPY --from=a x y\n");
	json_t *doc = NULL, *ins, *a;
	atmo_error e;
	(void)state;
	atmo_error_clear(&e);
	assert_int_equal(atmo_dockerfile_to_json(&doc, df, &e), 0);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "atmograph.parse/1");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "directives"), "syntax")), "x");
	assert_string_equal(json_string_value(json_object_get(doc, "escape")), "\\");
	ins = json_array_get(json_object_get(doc, "instructions"), 1);
	assert_true(json_is_true(json_object_get(ins, "json")));
	a = json_array_get(json_object_get(ins, "args"), 0);
	assert_int_equal(json_string_length(a), 3); /* "a\0b" kept whole */
	assert_int_equal(atmo_instruction_arg_len(get(df, 1), 0), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(ins, "args"), 1)),
			    "\xF0\x9F\x98\x80");
	ins = json_array_get(json_object_get(doc, "instructions"), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(ins, "inner"), "keyword")),
			    "copy");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_object_get(ins, "inner"), "flags"), 0)),
			    "--from=a");
	assert_true(json_is_null(json_object_get(ins, "comment")));
	json_decref(doc);
	atmo_dockerfile_free(df);
}

static void null_safety(void **state)
{
	atmo_error e;
	atmo_dockerfile *df = NULL;
	(void)state;
	atmo_dockerfile_free(NULL);
	assert_int_equal(atmo_dockerfile_count(NULL), 0);
	assert_null(atmo_dockerfile_at(NULL, 0));
	assert_null(atmo_dockerfile_directive(NULL, "syntax"));
	assert_null(atmo_dockerfile_warning_at(NULL, 0));
	atmo_error_clear(&e);
	assert_int_equal(atmo_dockerfile_parse(NULL, "FROM a", 6, NULL, &e), ATMO_EINVALID);
	assert_int_equal(atmo_dockerfile_parse(&df, NULL, 3, NULL, NULL), ATMO_EINVALID);
	assert_null(df);
	df = parse_text("FROM a");
	assert_null(atmo_dockerfile_at(df, 1));
	assert_string_equal(atmo_dockerfile_source(df), "Dockerfile");
	atmo_dockerfile_free(df);
}

/* ---- broken Dockerfiles ---- */
typedef struct {
	char stage[16];
	int line, column;
	char text[256];
	char warning[256];
} expect_t;

static int read_expect(const char *path, expect_t *x)
{
	FILE *f = fopen(path, "r");
	char buf[512];
	memset(x, 0, sizeof(*x));
	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		if (!strncmp(buf, "stage: ", 7))
			snprintf(x->stage, sizeof(x->stage), "%.15s", buf + 7);
		else if (!strncmp(buf, "line: ", 6))
			x->line = atoi(buf + 6);
		else if (!strncmp(buf, "column: ", 8))
			x->column = atoi(buf + 8);
		else if (!strncmp(buf, "text: ", 6))
			snprintf(x->text, sizeof(x->text), "%.255s", buf + 6);
		else if (!strncmp(buf, "warning: ", 9))
			snprintf(x->warning, sizeof(x->warning), "%.255s", buf + 9);
	}
	fclose(f);
	return 0;
}

static int check_case(const char *name, const char *text, size_t len, const expect_t *x)
{
	atmo_dockerfile *df = NULL;
	atmo_error e;
	int rc, ok = 0;
	atmo_error_clear(&e);
	rc = atmo_dockerfile_parse(&df, text, len, "Dockerfile", &e);
	if (!strcmp(x->stage, "parse")) {
		ok = rc < 0 && !df && e.line == x->line && e.column == x->column &&
		     strstr(e.text, x->text) && !strcmp(e.source, "Dockerfile");
	} else if (rc == 0) {
		char *dump = NULL;
		json_t *doc = NULL;
		/* every parsed file dumps and converts */
		ok = atmo_dockerfile_dump(&dump, df, &e) == 0 && atmo_dockerfile_to_json(&doc, df, &e) == 0;
		atmo_free(dump);
		json_decref(doc);
		rc = atmo_dockerfile_validate(df, &e);
		if (!strcmp(x->stage, "validate"))
			ok = ok && rc < 0 && e.line == x->line && e.column == x->column &&
			     strstr(e.text, x->text);
		else
			ok = ok && rc == 0;
		if (ok && x->warning[0]) {
			size_t i;
			ok = 0;
			for (i = 0; i < atmo_dockerfile_warning_count(df); i++)
				if (strstr(atmo_dockerfile_warning_at(df, i)->text, x->warning))
					ok = 1;
		}
	}
	if (!ok)
		printf("  FAIL %s: rc %d, got %d:%d: %s\n", name, rc, e.line, e.column, e.text);
	atmo_dockerfile_free(df);
	return ok;
}

static void broken_dockerfiles(void **state)
{
	char dir[1024], path[1400];
	DIR *d;
	struct dirent *de;
	int total = 0, ok = 0;
	(void)state;
	d = opendir(test_data_path(dir, sizeof(dir), "dockerfile/broken"));
	assert_non_null(d);
	while ((de = readdir(d))) {
		expect_t x;
		char *text = NULL;
		size_t len;
		atmo_error e;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%.1024s/%.200s/expect", dir, de->d_name);
		assert_int_equal(read_expect(path, &x), 0);
		snprintf(path, sizeof(path), "%.1024s/%.200s/Dockerfile", dir, de->d_name);
		atmo_error_clear(&e);
		assert_int_equal(atmo_file_read(&text, &len, path, 0, &e), 0);
		total++;
		ok += check_case(de->d_name, text, len, &x);
		atmo_free(text);
	}
	closedir(d);
	printf("dockerfile: broken cases from tests/data: %d of %d as expected\n", ok, total);
	assert_int_equal(ok, total);
	assert_true(total >= 30);
}

static void huge_line_is_a_located_error(void **state)
{
	size_t n = 10 * 1024 * 1024;
	char *t = malloc(n + 64);
	atmo_dockerfile *df = NULL;
	atmo_error e;
	(void)state;
	strcpy(t, "FROM a\nRUN echo ");
	memset(t + 16, 'x', n);
	strcpy(t + 16 + n, "\n");
	atmo_error_clear(&e);
	assert_int_equal(atmo_dockerfile_parse(&df, t, strlen(t), "Dockerfile", &e), ATMO_ELIMIT);
	assert_null(df);
	/* BuildKit's scanner stops at the long line and reports it after the
	 * loop, at the count of lines read before it */
	assert_int_equal(e.line, 1);
	assert_int_equal(e.column, 1);
	assert_non_null(strstr(e.text, "dockerfile line greater than max allowed size of 65535 (line 2)"));
	/* the longest accepted line parses */
	memset(t + 16, 'x', ATMO_DOCKERFILE_MAX_LINE - 9);
	strcpy(t + 7 + ATMO_DOCKERFILE_MAX_LINE, "\n");
	atmo_error_clear(&e);
	assert_int_equal(atmo_dockerfile_parse(&df, t, strlen(t), "Dockerfile", &e), 0);
	assert_int_equal(strlen(get(df, 1)->args[0]), ATMO_DOCKERFILE_MAX_LINE - 4);
	atmo_dockerfile_free(df);
	free(t);
}

static void hundred_thousand_lines(void **state)
{
	size_t n = 100000, i, len = 0;
	char *t = malloc(n * 24 + 16);
	atmo_dockerfile *df = NULL;
	atmo_error e;
	(void)state;
	len += (size_t)sprintf(t, "FROM a\n");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(t + len, "RUN echo %zu\n", i);
	atmo_error_clear(&e);
	assert_int_equal(atmo_dockerfile_parse(&df, t, len, "Dockerfile", &e), 0);
	assert_int_equal(atmo_dockerfile_count(df), n + 1);
	assert_int_equal(get(df, n)->start_line, (int)n + 1);
	atmo_dockerfile_free(df);
	/* one instruction continued over 100k lines */
	len = (size_t)sprintf(t, "FROM a\nRUN true");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(t + len, " \\\n && x");
	t[len++] = '\n';
	atmo_error_clear(&e);
	assert_int_equal(atmo_dockerfile_parse(&df, t, len, "Dockerfile", &e), 0);
	assert_int_equal(atmo_dockerfile_count(df), 2);
	assert_int_equal(get(df, 1)->start_line, 2);
	assert_int_equal(get(df, 1)->end_line, (int)n + 2);
	atmo_dockerfile_free(df);
	free(t);
}

static void deep_nesting(void **state)
{
	size_t depth = 5000, i, len;
	char *t = malloc(depth * 6 + 64), *got = NULL;
	atmo_dockerfile *df = NULL;
	atmo_error e;
	(void)state;
	/* the parser does not expand ENV values (as BuildKit's): parse works,
	 * expanding the value is a clean ATMO_ELIMIT */
	len = (size_t)sprintf(t, "FROM a\nENV X=");
	for (i = 0; i < depth; i++)
		len += (size_t)sprintf(t + len, "${a:-");
	t[len++] = 'x';
	for (i = 0; i < depth; i++)
		t[len++] = '}';
	t[len] = '\0';
	atmo_error_clear(&e);
	assert_int_equal(atmo_dockerfile_parse(&df, t, len, "Dockerfile", &e), 0);
	atmo_error_clear(&e);
	assert_int_equal(atmo_shell_expand(&got, get(df, 1)->args[1], '\\', NULL, NULL, &e), ATMO_ELIMIT);
	assert_null(got);
	atmo_dockerfile_free(df);
	/* on a RUN with "<<" the heredoc scan lexes the line: a located ATMO_ELIMIT */
	len = (size_t)sprintf(t, "FROM a\nRUN cat <<EOF ");
	for (i = 0; i < depth; i++)
		len += (size_t)sprintf(t + len, "${a:-");
	for (i = 0; i < depth; i++)
		t[len++] = '}';
	len += (size_t)sprintf(t + len, "\nx\nEOF\n");
	atmo_error_clear(&e);
	assert_int_equal(atmo_dockerfile_parse(&df, t, len, "Dockerfile", &e), ATMO_ELIMIT);
	assert_null(df);
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.text, "nested deeper than"));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(heredoc_forms),
		cmocka_unit_test(nul_byte_is_read_with_a_warning),
		cmocka_unit_test(heredoc_under_onbuild_and_crlf),
		cmocka_unit_test(service_image_shape),
		cmocka_unit_test(escape_directive_and_comments),
		cmocka_unit_test(json_document),
		cmocka_unit_test(null_safety),
		cmocka_unit_test(broken_dockerfiles),
		cmocka_unit_test(huge_line_is_a_located_error),
		cmocka_unit_test(hundred_thousand_lines),
		cmocka_unit_test(deep_nesting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
