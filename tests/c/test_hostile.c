/*
 * Hostile inputs (issue 17) and the error model (issue 15): each case ends
 * with a located error, never a crash, a hang or a read outside its input.
 * The inputs live under tests/data/hostile/<case>/.
 */
#include "harness.h"
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "image/image_int.h"
#include "atmograph/check.h"
#include "util/alloc.h"

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
	atmo_free(text);
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

/* the entry points other branches added reset the struct too: a reused one
 * carries the second failure (the log tail, rules text, heredoc expansion) */
static void error_struct_reused_newer_entry_points(void **state)
{
	atmo_error err;
	atmo_check_rules *rules = NULL;
	char *out = NULL;
	(void)state;
	atmo_error_clear(&err);
	assert_true(atmo_build_log_tail(&out, "/nonexistent/first.log", 5, &err) < 0);
	assert_non_null(strstr(err.source, "first.log"));
	assert_true(atmo_build_log_tail(&out, "/nonexistent/second.log", 5, &err) < 0);
	assert_non_null(strstr(err.source, "second.log"));
	assert_int_equal(atmo_check_rules_new(&rules, &err), 0);
	assert_int_equal(err.code, 0);
	assert_true(atmo_check_rules_load_string(rules, "{\"nope\": 1}", 11, "rules.json", &err) < 0);
	assert_string_equal(err.source, "rules.json");
	assert_non_null(strstr(err.text, "expected an object"));
	assert_true(atmo_check_rules_load_string(rules, "{\"rules\": {\"lowestEfficiency\": \"x\"}}",
						  36, "other.json", &err) < 0);
	assert_string_equal(err.source, "other.json");
	assert_null(strstr(err.text, "expected an object"));
	assert_int_equal(atmo_shell_expand_heredoc(&out, "plain", NULL, NULL, &err), 0);
	assert_int_equal(err.code, 0);
	atmo_free(out);
	atmo_check_rules_free(rules);
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
		atmo_free(text);
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
	atmo_free(out);
	free(big);
}

/* ---- OCI layout directories never follow links (tests/data/hostile/oci-symlink) ---- */

typedef struct {
	char dir[64];     /* the temporary root: layout/ and outside/ below it */
	char layout[128];
	char outside[128];
	char digest[80];
} oci_tmp;

static void copy_data(const char *rel, const char *to)
{
	size_t len;
	char *text = slurp(rel, &len);
	atmo_error err;
	assert_int_equal(atmo_file_write_atomic(to, text, len, &err), 0);
	atmo_free(text);
}

static void oci_tmp_make(oci_tmp *t)
{
	char p[512], *d;
	size_t len;
	snprintf(t->dir, sizeof(t->dir), "/tmp/atmo-hostile-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->layout, sizeof(t->layout), "%s/layout", t->dir);
	snprintf(t->outside, sizeof(t->outside), "%s/outside", t->dir);
	assert_int_equal(mkdir(t->layout, 0755), 0);
	assert_int_equal(mkdir(t->outside, 0755), 0);
	snprintf(p, sizeof(p), "%s/oci-layout", t->layout);
	copy_data("hostile/oci-symlink/oci-layout", p);
	snprintf(p, sizeof(p), "%s/secret.txt", t->outside);
	copy_data("hostile/oci-symlink/outside.txt", p);
	snprintf(p, sizeof(p), "%s/manifest.json", t->outside);
	copy_data("hostile/oci-symlink/manifest.json", p);
	d = slurp("hostile/oci-symlink/manifest.digest", &len);
	snprintf(t->digest, sizeof(t->digest), "%.64s", d);
	atmo_free(d);
}

static void oci_tmp_free(oci_tmp *t)
{
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
}

/* open the layout; the error must refuse the link and hold none of the secret */
static void expect_refused(const oci_tmp *t, const char *what)
{
	atmo_image *img = NULL;
	atmo_error err;
	char msg[1024];
	int rc = atmo_image_open(&img, t->layout, NULL, &err);
	atmo_error_format(&err, msg, sizeof(msg));
	if (rc != ATMO_EINVALID || !strstr(err.text, what) || !strstr(err.text, "symbolic link"))
		fail_msg("rc %d: %s", rc, msg);
	assert_null(strstr(msg, "SECRET"));
	assert_null(strstr(msg, "root:x"));
	assert_null(img);
}

static void oci_layout_index_link(void **state)
{
	oci_tmp t;
	char p[1024], target[512];
	(void)state;
	oci_tmp_make(&t);
	snprintf(p, sizeof(p), "%s/index.json", t.layout);
	snprintf(target, sizeof(target), "%s/secret.txt", t.outside);
	assert_int_equal(symlink(target, p), 0);
	expect_refused(&t, "index.json");
	oci_tmp_free(&t);
}

static void oci_layout_blob_links(void **state)
{
	oci_tmp t;
	char p[1024], target[512];
	(void)state;
	oci_tmp_make(&t);
	snprintf(p, sizeof(p), "%s/index.json", t.layout);
	copy_data("hostile/oci-symlink/index.json", p);
	/* a blob that is a link to a file outside the layout */
	snprintf(p, sizeof(p), "%s/blobs", t.layout);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/blobs/sha256", t.layout);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/blobs/sha256/%s", t.layout, t.digest);
	snprintf(target, sizeof(target), "%s/manifest.json", t.outside);
	assert_int_equal(symlink(target, p), 0);
	expect_refused(&t, t.digest);
	/* blobs itself a link to a directory outside that holds the blob */
	snprintf(p, sizeof(p), "rm -rf '%s/blobs' && mkdir -p '%s/b/sha256' && "
		 "cp '%s/manifest.json' '%s/b/sha256/%s'", t.layout, t.outside, t.outside,
		 t.outside, t.digest);
	assert_int_equal(system(p), 0);
	snprintf(p, sizeof(p), "%s/blobs", t.layout);
	snprintf(target, sizeof(target), "%s/b", t.outside);
	assert_int_equal(symlink(target, p), 0);
	expect_refused(&t, t.digest);
	oci_tmp_free(&t);
}

static void oci_layout_fifo_refused(void **state)
{
	oci_tmp t;
	char p[512];
	atmo_image *img = NULL;
	atmo_error err;
	(void)state;
	oci_tmp_make(&t);
	snprintf(p, sizeof(p), "%s/index.json", t.layout);
	assert_int_equal(mkfifo(p, 0644), 0);
	assert_int_equal(atmo_image_open(&img, t.layout, NULL, &err), ATMO_EINVALID);
	assert_non_null(strstr(err.text, "not a regular file"));
	oci_tmp_free(&t);
}

/* the per-component fallback (kernels without openat2) refuses the same */
static void open_beneath_walk_refuses_links(void **state)
{
	oci_tmp t;
	char p[1024], target[512];
	int dfd, fd;
	(void)state;
	oci_tmp_make(&t);
	snprintf(p, sizeof(p), "%s/sub", t.layout);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/sub/file", t.layout);
	copy_data("hostile/oci-symlink/oci-layout", p);
	snprintf(p, sizeof(p), "%s/sub/link", t.layout);
	snprintf(target, sizeof(target), "%s/secret.txt", t.outside);
	assert_int_equal(symlink(target, p), 0);
	snprintf(p, sizeof(p), "%s/dirlink", t.layout);
	assert_int_equal(symlink(t.outside, p), 0);
	dfd = open(t.layout, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	fd = atmo_image__open_beneath_walk(dfd, "sub/file");
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(atmo_image__open_beneath_walk(dfd, "sub/link"), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(atmo_image__open_beneath_walk(dfd, "dirlink/secret.txt"), -1);
	assert_true(errno == ELOOP || errno == ENOTDIR);
	assert_int_equal(atmo_image__open_beneath_walk(dfd, "sub/../../outside/secret.txt"), -1);
	assert_int_equal(errno, EXDEV);
	/* and openat2 (or whatever atmo_image__open_beneath falls back to) likewise */
	assert_int_equal(atmo_image__open_beneath(dfd, "dirlink/secret.txt"), -1);
	assert_int_equal(atmo_image__open_beneath(dfd, "sub/link"), -1);
	close(dfd);
	oci_tmp_free(&t);
}

/* ---- one rule for long member names, whatever the tar form ---- */

static void read_layer_file(atmo_image__layer *l, const char *rel, int flags)
{
	char path[1024];
	_Atomic uint64_t total;
	volatile int stop = 0;
	struct stat st;
	int fd = open(test_data_path(path, sizeof(path), rel), O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	memset(l, 0, sizeof(*l));
	atomic_init(&total, 0);
	/* the layer frees it with the library's allocator: made by it, outside the
	   failing allocations of make check-oom (a fixture) */
	test_oom_pause();
	l->member = atmo__strdup("layer.tar", NULL);
	test_oom_resume();
	assert_non_null(l->member);
	l->declared_size = UINT64_MAX;
	l->history = -1;
	l->range.fd = fd;
	l->range.len = (uint64_t)st.st_size;
	atmo_image__layer_read(l, 0, 1, 3, 100000, &total, &stop, flags);
	close(fd);
}

static void long_member_names_are_one_error(void **state)
{
	static const char *const files[] = {
		"hostile/tar-names/pax-path-1mb.tar.gz",
		"hostile/tar-names/pax-header-over-1mib.tar.gz",
		"hostile/tar-names/pax-path-5000.tar.gz",
		"hostile/tar-names/gnu-longname-5000.tar.gz",
	};
	size_t i;
	int lib;
	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		for (lib = 0; lib < 2; lib++) {
			atmo_image__layer l;
			read_layer_file(&l, files[i], lib ? ATMO_IMAGE__READ_LIBARCHIVE : 0);
			if (l.err.code != ATMO_ELIMIT)
				fail_msg("%s: code %d, %zu entries: %s", files[i], l.err.code,
					 l.n_entries, l.err.text);
			/* located: the layer, and which entry or name */
			assert_non_null(strstr(l.err.source, "layer.tar"));
			assert_true(strstr(l.err.text, "entry 2") || strstr(l.err.text, "member name of"));
			assert_true(strlen(l.err.text) < sizeof(l.err.text) - 1);
			atmo_image__layer_free(&l);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(error_struct_reused),
		cmocka_unit_test(error_struct_garbage),
		cmocka_unit_test(error_struct_reused_newer_entry_points),
		cmocka_unit_test(expansion_is_capped),
		cmocka_unit_test(shell_expand_word_cap),
		cmocka_unit_test(oci_layout_index_link),
		cmocka_unit_test(oci_layout_blob_links),
		cmocka_unit_test(oci_layout_fifo_refused),
		cmocka_unit_test(open_beneath_walk_refuses_links),
		cmocka_unit_test(long_member_names_are_one_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
