/* util: errors, buffers, files, hashing. */
#include <dirent.h>
#include "harness.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hash.h"
#include <unistd.h>

static void first_error_wins(void **state)
{
	atmo_error e;
	char text[600];
	(void)state;
	atmo_error_clear(&e);
	assert_int_equal(atmo__error_set(&e, ATMO_EINVALID, "Dockerfile", 3, 7, "bad %s", "flag"),
			 ATMO_EINVALID);
	atmo__error_set(&e, ATMO_EIO, "other", 1, 1, "second");
	assert_int_equal(e.code, ATMO_EINVALID);
	assert_string_equal(atmo_error_format(&e, text, sizeof(text)), "Dockerfile:3:7: bad flag");
	assert_int_equal(atmo__error_set(NULL, ATMO_EIO, NULL, 0, 0, "x"), ATMO_EIO);
}

static void buffer_grows_and_detaches(void **state)
{
	atmo_buf b = ATMO_BUF_INIT;
	char *s;
	int i;
	(void)state;
	assert_string_equal(atmo__buf_cstr(&b), "");
	for (i = 0; i < 1000; i++)
		assert_int_equal(atmo__buf_printf(&b, "%d,", i % 10), 0);
	assert_int_equal(b.len, 2000);
	s = atmo__buf_detach(&b);
	assert_int_equal(strlen(s), 2000);
	assert_memory_equal(s, "0,1,2,", 6);
	free(s);
	assert_null(b.ptr);
}

static void sha256_known_vector(void **state)
{
	char hex[65];
	(void)state;
	assert_int_equal(atmo__sha256_hex("abc", 3, hex, NULL), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void file_roundtrip_and_missing(void **state)
{
	char path[] = "/tmp/atmo-test-XXXXXX";
	char *data = NULL;
	size_t len = 0;
	atmo_error e;
	int fd = mkstemp(path);
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	atmo_error_clear(&e);
	assert_int_equal(atmo_file_write_atomic(path, "hello\n", 6, &e), 0);
	assert_int_equal(atmo_file_read(&data, &len, path, 0, &e), 0);
	assert_int_equal(len, 6);
	assert_string_equal(data, "hello\n");
	free(data);
	assert_int_equal(atmo_file_read(&data, &len, path, 3, &e), ATMO_ELIMIT);
	assert_null(data);
	unlink(path);
	atmo_error_clear(&e);
	assert_int_equal(atmo_file_read(&data, &len, path, 0, &e), ATMO_ENOTFOUND);
	assert_string_equal(e.source, path);
}

/* The no-fsync write is the same atomic write: whole file or nothing, nothing left behind. */
static void file_write_flags(void **state)
{
	char dir[] = "/tmp/atmo-test-XXXXXX", path[64], bad[80];
	char *data = NULL;
	size_t len = 0;
	atmo_error e;
	DIR *d;
	struct dirent *ent;
	int n = 0;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.svg", dir);
	atmo_error_clear(&e);
	assert_int_equal(atmo_file_write_atomic_flags(path, "one", 3, ATMO_WRITE_NO_SYNC, &e), 0);
	assert_int_equal(atmo_file_write_atomic_flags(path, "two!", 4, ATMO_WRITE_NO_SYNC, &e), 0);
	assert_int_equal(atmo_file_read(&data, &len, path, 0, &e), 0);
	assert_int_equal(len, 4);
	assert_string_equal(data, "two!");
	free(data);
	snprintf(bad, sizeof(bad), "%s/missing/out.svg", dir);
	assert_int_equal(atmo_file_write_atomic_flags(bad, "x", 1, ATMO_WRITE_NO_SYNC, &e), ATMO_EIO);
	assert_string_equal(e.source, bad);
	d = opendir(dir);
	assert_non_null(d);
	while ((ent = readdir(d)))
		if (ent->d_name[0] != '.')
			n++;
	closedir(d);
	assert_int_equal(n, 1);   /* out.svg only: no temporary file left */
	unlink(path);
	rmdir(dir);
}

/* atmo_set_allocator(): the library and jansson allocate with the functions set. */
static size_t counted_allocs, counted_frees;

static void *counting_malloc(size_t n)
{
	counted_allocs++;
	return malloc(n);
}

static void *counting_realloc(void *p, size_t n)
{
	counted_allocs++;
	return realloc(p, n);
}

static void counting_free(void *p)
{
	if (p)
		counted_frees++;
	free(p);
}

static void allocator_is_settable(void **state)
{
	static const char svg[] = "<svg viewBox=\"0 0 10 10\"></svg>";
	char *out = NULL;
	json_t *j;

	(void)state;
	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip();   /* the out-of-memory runs' allocator is in place */
	assert_int_equal(atmo_set_allocator(counting_malloc, NULL, counting_free), ATMO_EINVALID);
	assert_int_equal(atmo_set_allocator(counting_malloc, counting_realloc, counting_free), 0);
	assert_int_equal(atmo_render_svg_inline(&out, NULL, svg, strlen(svg), "x", NULL), 0);
	assert_true(counted_allocs > 0);
	atmo_free(out);
	assert_true(counted_frees > 0);
	counted_allocs = 0;
	j = json_pack("{s:[i,i]}", "a", 1, 2);   /* jansson: the same functions */
	assert_non_null(j);
	assert_true(counted_allocs > 0);
	json_decref(j);
	assert_int_equal(atmo_set_allocator(NULL, NULL, NULL), 0);   /* back to the C library's */
	counted_allocs = 0;
	assert_int_equal(atmo_render_svg_inline(&out, NULL, svg, strlen(svg), "x", NULL), 0);
	atmo_free(out);
	assert_int_equal(counted_allocs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_error_wins),
		cmocka_unit_test(buffer_grows_and_detaches),
		cmocka_unit_test(sha256_known_vector),
		cmocka_unit_test(file_roundtrip_and_missing),
		cmocka_unit_test(file_write_flags),
		cmocka_unit_test(allocator_is_settable),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
