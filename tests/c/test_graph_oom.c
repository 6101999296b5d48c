/*
 * graph: out of memory. atmo_graph_build, the JSON writers and the document
 * loader run with their 1st, 2nd, ... allocation failing until they need no
 * more; each run must give ATMO_ENOMEM (or its usual result) and give every
 * block back. A counting allocator set with atmo_set_allocator() (jansson's
 * too) keeps the number of live blocks, so a leak shows without LeakSanitizer
 * and in any build. Under make check-oom (ATMOGRAPH_OOM_FAIL_AT set) the
 * harness owns the allocator and these tests stand aside.
 */
#include "harness.h"
#include "util/buf.h"
#include "graph/graph_doc.h"

/* the test's only mutable state: the allocator's counters */
static long live, count, fail_at = -1;
static int in_sink; /* the test's own output buffer: never fails */

static void *c_malloc(size_t n)
{
	void *p;
	if (!in_sink && count++ == fail_at)
		return NULL;
	p = malloc(n);
	if (p)
		live++;
	return p;
}

static void *c_realloc(void *p, size_t n)
{
	void *q;
	if (!in_sink && count++ == fail_at)
		return NULL;
	q = realloc(p, n);
	if (q && !p)
		live++;
	return q;
}

static void c_free(void *p)
{
	if (p) {
		live--;
		free(p);
	}
}

static int to_buf(const char *data, size_t len, void *payload)
{
	int rc;
	in_sink = 1;
	rc = atmo__buf_put(payload, data, len);
	in_sink = 0;
	return rc;
}

/* One input under every failing allocation: expect is the code of the
 * run with none failing (0, or the input's own error). */
static void each_failure(const char *text, const atmo_graph_options *opts, int expect)
{
	long n;
	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip();
	assert_int_equal(atmo_set_allocator(c_malloc, c_realloc, c_free), 0);
	for (n = 0;; n++) {
		atmo_dockerfile *df = NULL;
		atmo_graph *g = NULL;
		json_t *doc = NULL, *stages = NULL;
		atmo_graph_doc m;
		atmo_buf b = ATMO_BUF_INIT;
		atmo_error err;
		int rc;

		live = 0;
		count = 0;
		fail_at = -1;
		assert_int_equal(atmo_dockerfile_parse(&df, text, strlen(text), "Dockerfile", &err), 0);
		fail_at = count + n;
		rc = atmo_graph_build(&g, df, opts, &err);
		if (rc == 0)
			rc = atmo_graph_write_json(g, to_buf, &b, &err);
		if (rc == 0)
			rc = atmo_graph_to_json(&doc, g, &err);
		if (rc == 0)
			rc = atmo_graph_stages_to_json(&stages, g, &err);
		if (rc == 0) {
			memset(&m, 0, sizeof(m));
			rc = atmo_graph__doc_load(&m, doc, &err);
			if (rc == 0)
				atmo_graph__doc_free(&m);
		}
		if (rc != expect && (rc != ATMO_ENOMEM || err.code != ATMO_ENOMEM))
			fail_msg("allocation %ld failing: %d (%s)", n, rc, err.text);
		json_decref(stages);
		json_decref(doc);
		atmo__buf_free(&b);
		atmo_graph_free(g);
		atmo_dockerfile_free(df);
		if (live != 0)
			fail_msg("allocation %ld failing: %ld blocks kept", n, live);
		if (count <= fail_at)
			break; /* nothing failed: every allocation was tried */
	}
	fail_at = -1;
	atmo_set_allocator(NULL, NULL, NULL);
}

static void build_and_write(void **state)
{
	static const char text[] =
		"# check=skip=none\n"
		"ARG BASE=alpine\nARG V\n"
		"FROM ${BASE} AS a\nONBUILD COPY --from=img /x /y\nONBUILD RUN echo \"q\\t\"\n"
		"ENV E=1 F=${V}\nARG A=${E}\n"
		"FROM a AS b\nRUN --mount=type=cache,id=c,target=/c --mount=from=a,target=/m true\n"
		/* heredocs: their bodies are the parser's buffers, freed through the allocator */
		"RUN <<EOF\nset -e\necho ${E} > /h\nEOF\n"
		"COPY --chmod=644 <<EOF <<-TWO /etc/\nbody ${V}\nEOF\n\tsecond\n\tTWO\n"
		"FROM alpine AS d\nFROM alpine AS d\nFROM b AS C\nCOPY --from=a /x${E} /y\n"
		"FROM ctx AS unused\nRUN echo \xe9\nLABEL k=v\nWORKDIR /w\n"
		"FROM scratch\nCOPY --from=C /a /b\nCOPY --from=0 /a /b\n";
	const char *args[] = { "V=2", "BASE=debian" };
	const char *ctxs[] = { "ctx=docker-image://busybox", "b=../dir" };
	atmo_graph_options o = ATMO_GRAPH_OPTIONS_INIT;
	(void)state;
	each_failure(text, NULL, 0);
	o.build_args = args;
	o.n_build_args = 2;
	o.build_contexts = ctxs;
	o.n_build_contexts = 2;
	each_failure(text, &o, 0);
}

/* the error paths allocate too (the cycle's text, the list of stages) */
static void build_errors(void **state)
{
	atmo_graph_options o = ATMO_GRAPH_OPTIONS_INIT;
	(void)state;
	each_failure("FROM alpine AS a\nCOPY --from=b /x /y\nFROM alpine AS b\nCOPY --from=a /x /y\n",
		     NULL, ATMO_EINVALID);
	o.target = "nope";
	each_failure("FROM alpine AS a\nFROM a AS b\n", &o, ATMO_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_and_write),
		cmocka_unit_test(build_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
