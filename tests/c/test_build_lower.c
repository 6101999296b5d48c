/* Lowering for engines without heredocs: every lowered Dockerfile is parsed again
 * and compared with the original: same stages, same edges, same instructions
 * (byte for byte where nothing was lowered), the same flags, and the heredoc
 * script recoverable from the lowered RUN. What cannot be lowered is an error
 * naming the instruction. */
#include "harness.h"
#include "atmograph/build.h"
#include "atmograph/dockerfile.h"
#include "atmograph/graph.h"

static atmo_dockerfile *parse(const char *text)
{
	atmo_dockerfile *df = NULL;
	atmo_error err;
	atmo_error_clear(&err);
	if (atmo_dockerfile_parse(&df, text, strlen(text), "Dockerfile", &err) < 0)
		fail_msg("parse: %d:%d %s\n%s", err.line, err.column, err.text, text);
	return df;
}

/* split a POSIX shell command line into words: single quotes, backslashes
 * outside quotes, blanks between words (what `sh` does with the lowered RUN) */
static size_t sh_words(char **words, size_t max, const char *s)
{
	size_t n = 0;

	while (*s && n < max) {
		char *w;
		size_t len = 0;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		w = calloc(1, strlen(s) + 1);
		while (*s && *s != ' ' && *s != '\t') {
			if (*s == '\'') {
				s++;
				while (*s && *s != '\'')
					w[len++] = *s++;
				if (*s)
					s++;
			} else if (*s == '\\' && s[1]) {
				w[len++] = s[1];
				s += 2;
			} else {
				w[len++] = *s++;
			}
		}
		words[n++] = w;
	}
	return n;
}

/* the script a lowered RUN writes: the words between "printf '%s\n'" and ">/tmp/atmo-heredoc-" */
static char *recover_script(const atmo_instruction *in)
{
	char *words[4096] = { 0 };
	size_t n, i, len = 0;
	char *out;

	n = sh_words(words, 4096, in->args[0]);
	assert_true(n > 3);
	assert_string_equal(words[0], "printf");
	assert_string_equal(words[1], "%s\\n");
	out = calloc(1, strlen(in->args[0]) + 2);
	for (i = 2; i < n && strncmp(words[i], ">/tmp/atmo-heredoc-", 19); i++) {
		memcpy(out + len, words[i], strlen(words[i]));
		len += strlen(words[i]);
		out[len++] = '\n';
	}
	assert_true(i < n);
	for (i = 0; i < n; i++)
		free(words[i]);
	return out;
}

static size_t edge_count(const atmo_dockerfile *df, int skip_heredoc_ctx)
{
	atmo_graph *g = NULL;
	atmo_error err;
	size_t i, n = 0;
	const char *ctx[] = { "atmo-heredocs=/tmp" };
	atmo_graph_options go = ATMO_GRAPH_OPTIONS_INIT;

	go.build_contexts = ctx;
	go.n_build_contexts = 1;
	atmo_error_clear(&err);
	assert_int_equal(atmo_graph_build(&g, df, &go, &err), 0);
	for (i = 0; i < atmo_graph_edge_count(g); i++) {
		const atmo_graph_edge *e = atmo_graph_edge_at(g, i);
		const atmo_graph_node *from = atmo_graph_node_at(g, e->from);
		if (skip_heredoc_ctx && from->kind == ATMO_NODE_CONTEXT && !strcmp(from->name, "atmo-heredocs"))
			continue;
		n++;
	}
	atmo_graph_free(g);
	return n;
}

/* lower, re-parse and compare; expected_scripts[k]: the script of the k-th lowered RUN */
static void check_equivalent(const char *text, size_t expect_lowered,
			     const char *const *expected_scripts)
{
	char *low = NULL;
	size_t n_lowered = 0, i, k = 0;
	json_t *files = NULL;
	atmo_error err;
	atmo_dockerfile *a, *b;
	int rc;

	atmo_error_clear(&err);
	rc = atmo_dockerfile_lower(&low, &n_lowered, &files, text, strlen(text), "Dockerfile", &err);
	if (oom_hit(rc))
		return;
	if (rc < 0)
		fail_msg("lower: %d %s", err.line, err.text);
	assert_int_equal(n_lowered, expect_lowered);
	/* parsing and comparing check the result: not under test (make check-oom) */
	test_oom_pause();
	a = parse(text);
	b = parse(low);
	assert_int_equal(atmo_dockerfile_count(a), atmo_dockerfile_count(b));
	for (i = 0; i < atmo_dockerfile_count(a); i++) {
		const atmo_instruction *x = atmo_dockerfile_at(a, i), *y = atmo_dockerfile_at(b, i);
		size_t f, fy = 0;
		if (x->n_heredocs)
			assert_int_equal(y->n_heredocs, 0);
		if (!x->n_heredocs) {
			/* untouched, apart from COPY --link */
			int link = 0;
			for (f = 0; f < x->n_flags; f++)
				link |= !strncmp(x->flags[f], "--link", 6);
			assert_string_equal(x->keyword, y->keyword);
			if (!link)
				assert_string_equal(x->original, y->original);
			else
				assert_int_equal(y->n_flags, x->n_flags - 1);
			continue;
		}
		if (!strcmp(x->keyword, "run")) {
			char *script;
			assert_string_equal(y->keyword, "run");
			/* the flags (mounts, network) are kept in order */
			assert_int_equal(x->n_flags, y->n_flags);
			for (f = 0; f < x->n_flags; f++)
				assert_string_equal(x->flags[f], y->flags[f]);
			script = recover_script(y);
			assert_non_null(expected_scripts[k]);
			assert_string_equal(script, expected_scripts[k]);
			k++;
			free(script);
		} else {
			/* COPY/ADD heredoc: a COPY from the generated context holding the same text */
			size_t h;
			assert_string_equal(y->keyword, "copy");
			assert_true(y->n_flags >= 1);
			assert_string_equal(y->flags[0], "--from=atmo-heredocs");
			for (f = 0; f < x->n_flags; f++)
				if (strncmp(x->flags[f], "--link", 6))
					assert_string_equal(x->flags[f], y->flags[++fy]);
			assert_int_equal(y->n_args, x->n_args);
			assert_string_equal(y->args[y->n_args - 1], x->args[x->n_args - 1]);
			for (h = 0; h < x->n_heredocs; h++) {
				json_t *v = json_object_get(files, y->args[h]);
				assert_non_null(v);
				assert_string_equal(json_string_value(v), x->heredocs[h].content);
				assert_non_null(strstr(y->args[h], x->heredocs[h].name));
			}
		}
	}
	assert_null(expected_scripts[k]);
	/* same stage graph: the named heredoc context adds its own edges only */
	assert_int_equal(edge_count(a, 0), edge_count(b, 1));
	{
		atmo_graph *ga = NULL, *gb = NULL;
		assert_int_equal(atmo_graph_build(&ga, a, NULL, &err), 0);
		assert_int_equal(atmo_graph_build(&gb, b, NULL, &err), 0);
		assert_int_equal(atmo_graph_stage_count(ga), atmo_graph_stage_count(gb));
		for (i = 0; i < atmo_graph_stage_count(ga); i++) {
			const atmo_stage *sa = atmo_graph_stage_at(ga, i), *sb = atmo_graph_stage_at(gb, i);
			assert_string_equal(sa->label, sb->label);
			assert_string_equal(sa->base, sb->base);
			assert_int_equal(sa->start_line <= sb->start_line, 1);
		}
		atmo_graph_free(ga);
		atmo_graph_free(gb);
	}
	json_decref(files);
	atmo_dockerfile_free(a);
	atmo_dockerfile_free(b);
	atmo_free(low);
	test_oom_resume();
}

static void test_run_script(void **state)
{
	const char *text =
		"# syntax=docker/dockerfile:1\n"
		"FROM debian AS base\n"
		"# a comment kept as it is\n"
		"RUN --mount=type=cache,id=apt,target=/var/cache/apt,sharing=locked \\\n"
		"    --network=none <<EOF\n"
		"set -e\n"
		"echo 'single quotes' \"double\" $HOME \\\n"
		"  continued\n"
		"\n"
		"# a comment in the script\n"
		"EOF\n"
		"ENV A=1\n";
	const char *scripts[] = {
		"set -e\necho 'single quotes' \"double\" $HOME \\\n  continued\n\n# a comment in the script\n",
		NULL
	};
	(void)state;
	check_equivalent(text, 1, scripts);
}

static void test_run_stdin_and_several(void **state)
{
	const char *text =
		"FROM debian AS a\n"
		"RUN python3 <<'PY'\n"
		"print('hi')\n"
		"PY\n"
		"FROM a AS b\n"
		"RUN cat <<A >/a && cat <<-B >/b\n"
		"one\n"
		"A\n"
		"\ttwo\n"
		"\tB\n"
		"COPY --from=a /a /a\n";
	const char *scripts[] = {
		"python3 <<'PY'\nprint('hi')\nPY\n",
		"cat <<A >/a && cat <<-B >/b\none\nA\ntwo\nB\n",
		NULL
	};
	(void)state;
	check_equivalent(text, 3, scripts);
}

static void test_copy_heredoc_and_link(void **state)
{
	const char *text =
		"FROM debian AS build\n"
		"RUN make\n"
		"FROM debian AS final\n"
		"COPY --chmod=0644 <<'EOF' /etc/motd\n"
		"hello $USER\n"
		"EOF\n"
		"ADD <<A <<B /etc/\n"
		"first\n"
		"A\n"
		"second\n"
		"B\n"
		"COPY --from=build --link /out /out\n"
		"COPY \\\n"
		"  --link=true --chown=1:1 x /x\n";
	const char *scripts[] = { NULL };
	(void)state;
	check_equivalent(text, 3, scripts);
}

static void test_backtick_escape(void **state)
{
	const char *text =
		"# escape=`\n"
		"FROM debian\n"
		"RUN <<EOF\n"
		"echo back`tick \\ slash\n"
		"EOF\n"
		"RUN echo a `\n"
		"    b\n";
	const char *scripts[] = { "echo back`tick \\ slash\n", NULL };
	(void)state;
	check_equivalent(text, 1, scripts);
}

static void test_nothing_to_lower(void **state)
{
	const char *text = "FROM debian\nRUN echo hi \\\n  there\n\n# end\n";
	char *low = NULL;
	size_t n = 7;
	json_t *files = NULL;
	atmo_error err;
	int rc;

	(void)state;
	atmo_error_clear(&err);
	rc = atmo_dockerfile_lower(&low, &n, &files, text, strlen(text), "D", &err);
	if (oom_hit(rc))
		return;
	assert_int_equal(rc, 0);
	assert_string_equal(low, text);
	assert_int_equal(n, 0);
	assert_int_equal(json_object_size(files), 0);
	json_decref(files);
	atmo_free(low);
}

static void test_cannot_lower(void **state)
{
	static const struct {
		const char *text;
		int line;
		const char *msg;
	} cases[] = {
		{ "FROM x\nCOPY <<EOF /f\n$HOME\nEOF\n", 2, "variables" },
		{ "FROM x\nCOPY <<EOF file /d/\nx\nEOF\n", 2, "mixed" },
		{ "FROM x AS a\nFROM x\nCOPY --from=a <<EOF /d\nx\nEOF\n", 3, "--from" },
		{ "FROM x\nONBUILD RUN <<EOF\necho\nEOF\n", 2, "ONBUILD" },
		{ "FROM x\nCOPY --parents a/b /d/\n", 2, "no COPY --parents flag" },
		{ "FROM x\nADD --checksum=sha256:00 http://e/x /x\n", 2, "no ADD --checksum flag" },
		{ "FROM x\nCOPY --exclude=*.o src/ /d/\n", 2, "no COPY --exclude flag" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *low = NULL;
		json_t *files = NULL;
		atmo_error err;
		int rc;
		atmo_error_clear(&err);
		rc = atmo_dockerfile_lower(&low, NULL, &files, cases[i].text, strlen(cases[i].text),
					   "Dockerfile", &err);
		if (oom_hit(rc))
			return;
		if (rc != ATMO_EUNSUPPORTED || err.line != cases[i].line ||
		    !strstr(err.text, cases[i].msg) || !strstr(err.text, "cannot lower"))
			fail_msg("case %zu: rc %d line %d '%s'", i, rc, err.line, err.text);
		assert_null(low);
		assert_null(files);
		assert_string_equal(err.source, "Dockerfile");
	}
}

static void test_parse_error_passes_through(void **state)
{
	const char *text = "FROM x\nRUN <<EOF\nnever ends\n";
	char *low = NULL;
	atmo_error err;

	(void)state;
	atmo_error_clear(&err);
	assert_true(atmo_dockerfile_lower(&low, NULL, NULL, text, strlen(text), "D", &err) < 0 ||
		    low != NULL);
	atmo_free(low);
}

/* Found by fuzz_bake: a `--link` scan near the end of text that is not
 * NUL-terminated read past it (ASan: heap-buffer-overflow in drop_link). */
static void test_link_scan_stays_inside_text(void **state)
{
	const char src[] = "FROM a\nCOPY --link x /y --lin";
	size_t len = sizeof(src) - 1;
	char *text = malloc(len); /* exactly the text, no NUL after it */
	char *low = NULL;
	size_t n = 7;
	json_t *files = NULL;
	atmo_error err;
	int rc;

	(void)state;
	assert_non_null(text);
	memcpy(text, src, len);
	atmo_error_clear(&err);
	rc = atmo_dockerfile_lower(&low, &n, &files, text, len, "D", &err);
	if (oom_hit(rc)) {
		free(text);
		return;
	}
	assert_int_equal(rc, 0);
	assert_string_equal(low, "FROM a\nCOPY x /y --lin");
	assert_int_equal(n, 0);
	json_decref(files);
	atmo_free(low);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_script),
		cmocka_unit_test(test_run_stdin_and_several),
		cmocka_unit_test(test_copy_heredoc_and_link),
		cmocka_unit_test(test_backtick_escape),
		cmocka_unit_test(test_nothing_to_lower),
		cmocka_unit_test(test_cannot_lower),
		cmocka_unit_test(test_parse_error_passes_through),
		cmocka_unit_test(test_link_scan_stays_inside_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
