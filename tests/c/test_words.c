/* Word expansion and splitting (BuildKit shell/lex.go): the conformance
 * files shell/envVarTest and shell/wordsTest, plus the cases of BuildKit's
 * lex_test.go (patterns, replacement, mandatory variables) and the limits. */
#include "harness.h"
#include "atmograph/dockerfile.h"

/* an environment: "K=V" strings, the last one for a key wins (BuildEnvs) */
typedef struct {
	const char *kv[64];
	int n;
} env_t;

static const char *lookup(const char *name, size_t len, void *payload)
{
	env_t *env = payload;
	int i;
	for (i = env->n - 1; i >= 0; i--) {
		const char *eq = strchr(env->kv[i], '=');
		size_t kl = eq ? (size_t)(eq - env->kv[i]) : strlen(env->kv[i]);
		if (kl == len && !memcmp(env->kv[i], name, len))
			return eq ? eq + 1 : "";
	}
	return NULL;
}

static char *trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

static void env_var_test(void **state)
{
	char root[1024], path[1200], *text = NULL, *line, *save = NULL;
	size_t len;
	atmo_error e;
	env_t env = { { "PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL=" }, 4 };
	int total = 0, ok = 0, skipped_w = 0;
	(void)state;

	test_conformance_root(root, sizeof(root));
	snprintf(path, sizeof(path), "%.1024s/shell/envVarTest", root);
	atmo_error_clear(&e);
	assert_int_equal(atmo_file_read(&text, &len, path, 0, &e), 0);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p1, *p2, *plat, *src, *want, *got = NULL;
		int rc;
		if (line[0] == '#')
			continue;
		if (!*trim(line))
			continue;
		p1 = strchr(line, '|');
		p2 = p1 ? strchr(p1 + 1, '|') : NULL;
		assert_non_null(p2);
		*p1 = *p2 = '\0';
		plat = trim(line);
		src = trim(p1 + 1);
		want = trim(p2 + 1);
		if (!strcmp(plat, "W")) {
			skipped_w++;
			continue;
		}
		total++;
		atmo_error_clear(&e);
		rc = atmo_shell_expand(&got, src, '\\', lookup, &env, &e);
		if (!strcmp(want, "error")) {
			if (rc < 0 && e.text[0])
				ok++;
			else
				printf("  FAIL %s: expected an error, got '%s'\n", src, got);
		} else if (rc == 0 && !strcmp(got, want)) {
			ok++;
		} else {
			printf("  FAIL %s: expected '%s', got '%s' (%s)\n", src, want, got ? got : "", e.text);
		}
		atmo_free(got);
	}
	printf("words: envVarTest: %d of %d A/U lines pass (%d W lines skipped)\n", ok, total,
	       skipped_w);
	atmo_free(text);
	assert_int_equal(ok, total);
	assert_true(total > 200);
}

static void words_test(void **state)
{
	char root[1024], path[1200], *text = NULL, *line, *save = NULL;
	size_t len;
	atmo_error e;
	env_t env = { { NULL }, 0 };
	char *env_store[64];
	int n_store = 0, total = 0, ok = 0, i;
	(void)state;

	test_conformance_root(root, sizeof(root));
	snprintf(path, sizeof(path), "%.1024s/shell/wordsTest", root);
	atmo_error_clear(&e);
	assert_int_equal(atmo_file_read(&text, &len, path, 0, &e), 0);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *bar, *test, *want, **got = NULL;
		size_t n = 0, k;
		char expect[16][64];
		int nexp = 0, rc, good;
		if (line[0] == '#')
			continue;
		if (!strncmp(line, "ENV ", 4)) {
			char *v = line + 3;
			while (*v == ' ')
				v++;
			env_store[n_store] = strdup(v);
			env.kv[env.n++] = env_store[n_store++];
			continue;
		}
		bar = strchr(line, '|');
		assert_non_null(bar);
		*bar = '\0';
		test = trim(line);
		want = bar + 1;
		while (*want == ' ')
			want++;
		{
			char *w = want, *c;
			while ((c = strchr(w, ','))) {
				snprintf(expect[nexp++], 64, "%.*s", (int)(c - w), w);
				w = c + 1;
			}
			snprintf(expect[nexp++], 64, "%s", w);
		}
		total++;
		atmo_error_clear(&e);
		rc = atmo_shell_expand_words(&got, &n, test, '\\', lookup, &env, &e);
		if (rc < 0)
			good = nexp == 1 && !strcmp(expect[0], "error");
		else {
			good = (int)n == nexp;
			for (k = 0; good && k < n; k++)
				good = !strcmp(got[k], expect[k]);
		}
		if (good)
			ok++;
		else
			printf("  FAIL %s (rc %d, %zu words)\n", test, rc, n);
		atmo_shell_words_free(got);
	}
	printf("words: wordsTest: %d of %d cases pass\n", ok, total);
	for (i = 0; i < n_store; i++)
		free(env_store[i]);
	atmo_free(text);
	assert_int_equal(ok, total);
	assert_true(total >= 24);
}

/* BuildKit lex_test.go TestProcessWithMatches and friends */
static const struct {
	const char *input;
	const char *env[4];
	const char *want; /* NULL: error */
} cases[] = {
	{ "x", { "DUMMY=dummy" }, "x" },
	{ "x ${UNUSED}", { "DUMMY=dummy" }, "x " },
	{ "x ${FOO}", { "FOO=y" }, "x y" },
	{ "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", { "FOO=xxx", "BAR=" }, "xxx  ccc" },
	{ "${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", { "FOO=xxx", "BAR=" }, "xxx bbb ccc" },
	{ "${FOO:-}", { "FOO=xxx", "BAR=" }, "xxx" },
	{ "${FOO:-}", { NULL }, "" },
	{ "${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", { "FOO=xxx", "BAR=" }, "aaa bbb " },
	{ "${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", { "FOO=xxx", "BAR=" }, "aaa  " },
	{ "${FOO?aaa}", { "FOO=xxx", "BAR=" }, "xxx" },
	{ "${BAR?bbb}", { "FOO=xxx", "BAR=" }, "" },
	{ "${BAZ?ccc}", { "FOO=xxx", "BAR=" }, NULL },
	{ "${FOO:?aaa}", { "FOO=xxx", "BAR=" }, "xxx" },
	{ "${BAR:?bbb}", { "FOO=xxx", "BAR=" }, NULL },
	{ "${BAZ:?ccc}", { "FOO=xxx", "BAR=" }, NULL },
	{ "${BAZ:?}", { "FOO=xxx", "BAR=" }, NULL },
	{ "${FOO=aaa}", { "FOO=xxx", "BAR=" }, NULL },
	{ "${FOO=:aaa}", { "FOO=xxx", "BAR=" }, NULL },
	{ "${FOO=}", { NULL }, NULL },
	{ "${FOO#()[]{\\}^$.\\*\\?|\\\\}", { "FOO=()[]{}^$.*?|\\x" }, "x" },
	{ "${FOO%%\\**}", { "FOO=xx**" }, "xx" },
	{ "${FOO#*x*y}", { "FOO=xxyy" }, "y" },
	{ "${FOO#*}", { "FOO=xxyy" }, "xxyy" },
	{ "${FOO#$BAR}", { "FOO=xxyy", "BAR=x" }, "xyy" },
	{ "${FOO#$BAR}", { "FOO=xxyy", "BAR=" }, "xxyy" },
	{ "${FOO#}", { "FOO=xxyy" }, "xxyy" },
	{ "${FOO##*x}", { "FOO=xxyy" }, "yy" },
	{ "${FOO##}", { "FOO=xxyy" }, "xxyy" },
	{ "${FOO#?\\?}", { "FOO=???y" }, "?y" },
	{ "${ABC:-.}${FOO%x}${ABC:-.}", { "FOO=xxyy" }, ".xxyy." },
	{ "${FOO%%\\**\\*}", { "FOO=a***yy*" }, "a" },
	{ "${FOO%}", { "FOO=xxyy" }, "xxyy" },
	{ "${FOO%%$BAR}", { "FOO=xxyy", "BAR=" }, "xxyy" },
	{ "${FOO%y}", { "FOO=xxyy" }, "xxy" },
	{ "${FOO%%y*}", { "FOO=xxyy" }, "xx" },
	{ "${FOO%y*}", { "FOO=xxyy" }, "xxy" },
	{ "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}", { "FOO=/foo*/*/*.txt", "NEEDLE=\\*/" },
	  "/foo.*/*.txt - /foo..*.txt" },
	{ "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}", { "FOO=/tmp/tmp/bar.txt", "NEEDLE=/tmp" },
	  "/tmp/bar.txt - /bar.txt" },
	{ "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
	  { "FOO=/a/foo/b/c.txt", "NEEDLE=/?/", "REPLACEMENT=/" }, "/foo/b/c.txt - /foo/c.txt" },
	{ "${FOO/$NEEDLE/$REPLACEMENT}",
	  { "FOO=http://google.de", "NEEDLE=http://", "REPLACEMENT=https://" }, "https://google.de" },
	{ "${FOO//\\//\\/}", { "FOO=/tmp/foo.txt" }, "\\/tmp\\/foo.txt" },
	{ "${FOO/$BAR/ww}", { "FOO=xxyy", "BAR=" }, "wwxxyy" },
	{ "${FOO//ww}", { "FOO=xxyy" }, NULL },
	{ "${FOO//}", { "FOO=xxyy" }, NULL },
	{ "${FOO///}", { "FOO=xxyy" }, "xxyy" },
	{ "${FOO///}", { NULL }, "" },
	{ "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz",
	  { "VERSION=v1.2.3", "TARGETOS=linux", "TARGETARCH=arm", "TARGETVARIANT=v7" },
	  "something-v1.2.3.linux-arm-v7.tar.gz" },
	{ "${VAR:?message here$ARG}", { "VAR=plain", "ARG=x" }, "plain" },
	{ "${VAR:?message here$ARG}", { "VAR=", "ARG=x" }, NULL },
	{ "${VAR?message here$ARG}", { "VAR=", "ARG=x" }, "" },
	{ "${VAR?message here$ARG}", { "ARG=x" }, NULL },
	/* $0 in a // replacement is the match (Go's template expansion) */
	{ "${FOO//o/$REP}", { "FOO=foo", "REP=<$0>" }, "f<o><o>" },
	{ "${FOO//o/<\\$0>}", { "FOO=foo" }, "f<\\o><\\o>" },
	/* '?' and '*' never match a newline, as Go's '.' */
	{ "${FOO#*}", { "FOO=a\nb" }, "a\nb" },
	{ "${FOO##*}", { "FOO=a\nb" }, "\nb" },
	{ "${FOO#\\x}", { "FOO=xx" }, NULL },
};

static void lex_test_cases(void **state)
{
	size_t i;
	int ok = 0;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		env_t env;
		char *got = NULL;
		atmo_error e;
		int rc, j;
		memset(&env, 0, sizeof(env));
		for (j = 0; j < 4 && cases[i].env[j]; j++)
			env.kv[env.n++] = cases[i].env[j];
		atmo_error_clear(&e);
		rc = atmo_shell_expand(&got, cases[i].input, '\\', lookup, &env, &e);
		if (!cases[i].want) {
			if (rc < 0 && e.text[0] && !got)
				ok++;
			else
				printf("  FAIL %s: expected an error, got '%s'\n", cases[i].input, got);
		} else if (rc == 0 && !strcmp(got, cases[i].want)) {
			ok++;
		} else {
			printf("  FAIL %s: expected '%s', got '%s' (%s)\n", cases[i].input,
			       cases[i].want, got ? got : "", e.text);
		}
		atmo_free(got);
	}
	printf("words: lex_test cases: %d of %zu pass\n", ok, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(ok, (int)(sizeof(cases) / sizeof(cases[0])));
}

static void mandatory_message_is_reported(void **state)
{
	env_t env = { { "VAR=", "ARG=x" }, 2 };
	char *got = NULL;
	atmo_error e;
	(void)state;
	atmo_error_clear(&e);
	assert_int_equal(atmo_shell_expand(&got, "${VAR:?message here$ARG}", '\\', lookup, &env, &e),
			 ATMO_EINVALID);
	assert_non_null(strstr(e.text, "VAR: message herex"));
	assert_null(got);
}

static void backtick_escape(void **state)
{
	env_t env = { { "A=1" }, 1 };
	char *got = NULL;
	atmo_error e;
	(void)state;
	atmo_error_clear(&e);
	assert_int_equal(atmo_shell_expand(&got, "`$A$A\\x", '`', lookup, &env, &e), 0);
	assert_string_equal(got, "$A1\\x");
	atmo_free(got);
}

static void deep_nesting_is_limited(void **state)
{
	/* ${a:-${a:-...}} far beyond the limit: a clean ATMO_ELIMIT, no stack overflow */
	size_t depth = 100000, i;
	char *w = malloc(depth * 6 + 16), *p = w, *got = NULL, **words = NULL;
	atmo_error e;
	(void)state;
	for (i = 0; i < depth; i++) {
		memcpy(p, "${a:-", 5);
		p += 5;
	}
	*p++ = 'x';
	for (i = 0; i < depth; i++)
		*p++ = '}';
	*p = '\0';
	atmo_error_clear(&e);
	assert_int_equal(atmo_shell_expand(&got, w, '\\', NULL, NULL, &e), ATMO_ELIMIT);
	assert_non_null(strstr(e.text, "nested deeper than"));
	assert_null(got);
	atmo_error_clear(&e);
	assert_int_equal(atmo_shell_expand_words(&words, NULL, w, '\\', NULL, NULL, &e), ATMO_ELIMIT);
	assert_null(words);
	/* just inside the limit works */
	p = w;
	for (i = 0; i < ATMO_SHELL_MAX_DEPTH; i++) {
		memcpy(p, "${a:-", 5);
		p += 5;
	}
	*p++ = 'x';
	for (i = 0; i < ATMO_SHELL_MAX_DEPTH; i++)
		*p++ = '}';
	*p = '\0';
	atmo_error_clear(&e);
	assert_int_equal(atmo_shell_expand(&got, w, '\\', NULL, NULL, &e), 0);
	assert_string_equal(got, "x");
	atmo_free(got);
	free(w);
}

static void pathological_pattern_is_fast(void **state)
{
	/* "*a*a*a...b" against "aaaa...": memoized, not exponential */
	char pat[256], val[2100], word[512], *got = NULL;
	env_t env = { { NULL }, 1 };
	atmo_error e;
	int i;
	(void)state;
	for (i = 0; i < 40; i++)
		memcpy(pat + i * 2, "*a", 2);
	strcpy(pat + 80, "b");
	strcpy(val, "V=");
	memset(val + 2, 'a', 2000);
	val[2002] = '\0';
	env.kv[0] = val;
	snprintf(word, sizeof(word), "${V#%s}", pat);
	atmo_error_clear(&e);
	assert_int_equal(atmo_shell_expand(&got, word, '\\', lookup, &env, &e), 0);
	assert_int_equal(strlen(got), 2000);
	atmo_free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(env_var_test),
		cmocka_unit_test(words_test),
		cmocka_unit_test(lex_test_cases),
		cmocka_unit_test(mandatory_message_is_reported),
		cmocka_unit_test(backtick_escape),
		cmocka_unit_test(deep_nesting_is_limited),
		cmocka_unit_test(pathological_pattern_is_fast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
