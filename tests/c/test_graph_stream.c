/*
 * atmo_graph_write_json streams the graph document a batch of nodes at a time;
 * its text must be byte for byte what the whole document gives through
 * atmo_render (ATMO_FORMAT_JSON): json_dumps(JSON_INDENT(2)) and a newline.
 */
#include "harness.h"
#include "util/buf.h"

static int to_buf(const char *data, size_t len, void *payload)
{
	return atmo__buf_put(payload, data, len);
}

static int fail_after(const char *data, size_t len, void *payload)
{
	size_t *left = payload;
	(void)data;
	if (len > *left)
		return -1;
	*left -= len;
	return 0;
}

static void same_text(const char *text, const char *name, const atmo_graph_options *opts)
{
	atmo_dockerfile *df = NULL;
	atmo_graph *g = NULL;
	json_t *doc = NULL;
	atmo_render_options ro = ATMO_RENDER_OPTIONS_INIT;
	atmo_buf b = ATMO_BUF_INIT;
	char *whole = NULL;
	size_t len = 0, left;
	atmo_error err;

	assert_int_equal(atmo_dockerfile_parse(&df, text, strlen(text), name, &err), 0);
	assert_int_equal(atmo_graph_build(&g, df, opts, &err), 0);
	assert_int_equal(atmo_graph_to_json(&doc, g, &err), 0);
	ro.format = ATMO_FORMAT_JSON;
	assert_int_equal(atmo_render(&whole, &len, NULL, doc, &ro, NULL, &err), 0);
	assert_int_equal(atmo_graph_write_json(g, to_buf, &b, &err), 0);
	assert_false(b.oom);
	if (b.len != len || memcmp(b.ptr, whole, len))
		fail_msg("%s: streamed text differs:\n%s\n---\n%s", name, atmo__buf_cstr(&b), whole);
	/* a writer that fails: ATMO_EIO, at every point */
	for (left = 0; left < len; left += len / 7 + 1) {
		size_t l = left;
		assert_int_equal(atmo_graph_write_json(g, fail_after, &l, &err), ATMO_EIO);
	}
	atmo__buf_free(&b);
	atmo_free(whole);
	json_decref(doc);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
}

static char *slurp(const char *rel)
{
	char path[1024], *text = NULL;
	size_t len;
	atmo_error err;
	assert_int_equal(atmo_file_read(&text, &len, test_data_path(path, sizeof(path), rel), 0, &err), 0);
	return text;
}

static void stream_matches_document(void **state)
{
	static const char *const files[] = { "graph/multistage.Dockerfile", "graph/service.Dockerfile" };
	static const char *const texts[] = {
		"FROM scratch\n",
		/* unused stages, ONBUILD, mounts, a warning (duplicate name), escapes */
		"FROM alpine AS a\nONBUILD RUN echo \"q\\\\t\"\nFROM a AS b\nRUN --mount=type=cache,target=/c true\n"
		"FROM alpine AS a\nFROM b AS c\nCOPY --from=a /x /y\nFROM alpine AS unused\nRUN echo é\n",
		"ARG X=1\nFROM alpine:${X} AS one\nFROM one\n",
		/* every escape json_dumps makes, controls, DEL, a 4-byte rune, bytes that
		 * are not UTF-8 (U+FFFD), a surrogate and an overlong form */
		"FROM alpine AS a\nRUN printf '\"\\\\/\b\f\r\t\x01\x1f\x7f \xf0\x9f\x90\xb3 \xff\xc3 "
		"\xed\xa0\x80 \xc0\xaf'\n"
		"LABEL x=\"\xe2\x80\xa8\"\nONBUILD RUN echo \xfe\nFROM a\n"
		"COPY --from=a /s\xe9 /d\xe9\nRUN --mount=type=cache,id=\xe9,target=/\xe9 true\n",
	};
	const char *args[] = { "X=2" };
	atmo_graph_options o = ATMO_GRAPH_OPTIONS_INIT;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *t = slurp(files[i]);
		same_text(t, files[i], NULL);
		atmo_free(t);
	}
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		same_text(texts[i], "Dockerfile", NULL);
	o.build_args = args;
	o.n_build_args = 1;
	same_text(texts[2], "Dockerfile", &o);
	/* a named context replacing a stage, and one as a base */
	{
		const char *ctxs[] = { "one=docker-image://busybox", "base=../dir" };
		atmo_graph_options c = ATMO_GRAPH_OPTIONS_INIT;
		c.build_contexts = ctxs;
		c.n_build_contexts = 2;
		same_text("FROM alpine AS one\nFROM base AS two\nCOPY --from=one /a /b\n", "Dockerfile",
			  &c);
	}
}

/* more nodes than one batch, so batches join */
static void stream_matches_document_many_stages(void **state)
{
	atmo_buf t = ATMO_BUF_INIT;
	int i;
	(void)state;
	atmo__buf_puts(&t, "FROM alpine AS s0\n");
	for (i = 1; i < 300; i++)
		atmo__buf_printf(&t, "FROM %s AS s%d\nRUN echo %d\n", i % 3 ? "alpine" : "s0", i, i);
	same_text(atmo__buf_cstr(&t), "Dockerfile", NULL);
	atmo__buf_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stream_matches_document),
		cmocka_unit_test(stream_matches_document_many_stages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
