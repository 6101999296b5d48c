/*
 * The Dockerfile parser and the shell expansion with each allocation failing in
 * turn (issue 15): every call gives ATMO_ENOMEM (and no document) or exactly
 * what it gives with memory to spare, never another answer. An out-of-memory
 * once read as "not JSON" (shell form) made an exec-form error a success.
 */
#include "harness.h"
#include "atmograph/dockerfile.h"

static size_t chaos_count, chaos_fail_at;

static void *chaos_malloc(size_t n)
{
	return ++chaos_count == chaos_fail_at ? NULL : malloc(n);
}

static void *chaos_realloc(void *p, size_t n)
{
	return ++chaos_count == chaos_fail_at ? NULL : realloc(p, n);
}

/* parse text; *dump gets the dump of a parsed document (made with the default
   allocator, set back before it) */
static int parse(const char *text, size_t len, char **dump, size_t *n_warn, atmo_error *e)
{
	atmo_dockerfile *df = NULL;
	int rc;

	atmo_error_clear(e);
	*dump = NULL;
	*n_warn = 0;
	rc = atmo_dockerfile_parse(&df, text, len, "Dockerfile", e);
	assert_int_equal(atmo_set_allocator(NULL, NULL, NULL), 0);
	if (rc < 0) {
		assert_null(df);
		return rc;
	}
	assert_int_equal(atmo_dockerfile_dump(dump, df, e), 0);
	*n_warn = atmo_dockerfile_warning_count(df);
	atmo_dockerfile_free(df);
	return 0;
}

static void check_parse(const char *text, size_t len)
{
	char *want = NULL, *got = NULL;
	size_t want_warn, got_warn, k;
	int want_rc, rc, failed = 1;
	atmo_error e;

	want_rc = parse(text, len, &want, &want_warn, &e);
	for (k = 1; failed; k++) {
		chaos_count = 0;
		chaos_fail_at = k;
		assert_int_equal(atmo_set_allocator(chaos_malloc, chaos_realloc, free), 0);
		rc = parse(text, len, &got, &got_warn, &e);
		failed = chaos_count >= chaos_fail_at;
		if (rc == ATMO_ENOMEM && failed) {
			assert_int_equal(e.code, ATMO_ENOMEM);
			continue;
		}
		if (rc != want_rc)
			printf("allocation %zu failing: %d (%s), want %d\n", k, rc, e.text,
			       want_rc);
		assert_int_equal(rc, want_rc);
		if (rc == 0) {
			assert_string_equal(got, want);
			assert_int_equal(got_warn, want_warn);
		}
		atmo_free(got);
	}
	assert_true(k > 2);
	atmo_free(want);
}

static void parse_survives_each_failing_allocation(void **state)
{
	static const char *const docs[] = {
		"# syntax=docker/dockerfile:1\n# escape=\\\n# check=skip=all\n"
		"FROM alpine:3.19 AS base\n"
		"# a comment\nENV A=1 B=\"two words\" \\\n    C=3\n"
		"LABEL k=v\nARG X=1 Y\n"
		"RUN --mount=type=cache,target=/c --network=none echo $A \\\n\n  && true\n"
		"COPY --from=base <<EOF /a\nbody\nEOF\n"
		"RUN <<-A cat && <<B cat\n\tone\n\tA\ntwo\nB\n"
		"ONBUILD RUN [\"sh\", \"-c\", \"echo \\u00e9\"]\n"
		"HEALTHCHECK --interval=5s CMD [\"true\"]\n"
		"EXPOSE 80 443/udp\nFROOM x\nCMD echo hi\n",
		/* exec form with a number too long for the stack buffer: an error */
		"FROM a\nCMD [1000000000000000000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000]\n",
		/* exec form nested deeper than the stack buffer: an error */
		NULL, /* built below */
		"FROM a\nRUN [\"ok\", \"\xff\"]\n",
		/* flags, some longer than the scratch buffer's first 64 bytes: one whose
		   bytes could not be kept was dropped and the parse succeeded */
		"FROM a\n"
		"COPY --parents --exclude=**/*.tmp --exclude='docs/**' --checksum=sha256:"
		"24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d src/ /dst/\n"
		"RUN --mount=type=secret,id=npmrc,target=/root/.npmrc,required=true "
		"--mount=type=cache,target=/var/cache/apt,sharing=locked --network=host make\n",
	};
	char deep[1200], nul[] = "FROM a\nRUN x\0y\n";
	size_t i;
	(void)state;
	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip(); /* the out-of-memory runs' allocator is in place */
	strcpy(deep, "FROM a\nCMD ");
	for (i = 0; i < 300; i++)
		strcat(deep, "[");
	for (i = 0; i < 300; i++)
		strcat(deep, "]");
	strcat(deep, "\n");
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		const char *d = docs[i] ? docs[i] : deep;
		check_parse(d, strlen(d));
	}
	check_parse(nul, sizeof(nul) - 1);
}

static const char *lookup(const char *name, size_t n, void *payload)
{
	(void)payload;
	if (n == 1 && name[0] == 'V')
		return "aXbXc d";
	return NULL;
}

static void shell_survives_each_failing_allocation(void **state)
{
	static const char *const words[] = {
		"${V#*X} ${V##*X} ${V%X*} ${V%%X*}",
		"${V/X/y} ${V//X/yy} \"$V\" '$V'",
		"${U:-a b} ${V:+set} ${V:1:3}",
	};
	size_t i, k, j;
	(void)state;
	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip();
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		char **want = NULL, **got = NULL;
		size_t want_n = 0, got_n = 0;
		int failed = 1, rc;
		atmo_error e;
		int want_rc =
			atmo_shell_expand_words(&want, &want_n, words[i], '\\', lookup, NULL, &e);
		for (k = 1; failed; k++) {
			chaos_count = 0;
			chaos_fail_at = k;
			assert_int_equal(atmo_set_allocator(chaos_malloc, chaos_realloc, free), 0);
			rc = atmo_shell_expand_words(&got, &got_n, words[i], '\\', lookup, NULL,
						     &e);
			assert_int_equal(atmo_set_allocator(NULL, NULL, NULL), 0);
			failed = chaos_count >= chaos_fail_at;
			if (rc == ATMO_ENOMEM && failed) {
				assert_null(got);
				continue;
			}
			assert_int_equal(rc, want_rc);
			assert_int_equal(got_n, want_n);
			for (j = 0; j < want_n; j++)
				assert_string_equal(got[j], want[j]);
			atmo_shell_words_free(got);
			got = NULL;
		}
		assert_true(k > 2);
		atmo_shell_words_free(want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_survives_each_failing_allocation),
		cmocka_unit_test(shell_survives_each_failing_allocation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
