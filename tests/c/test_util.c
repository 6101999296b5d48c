/* util: errors, buffers, files, hashing, the map, the string list, the growth helper. */
#include <dirent.h>
#include "harness.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/alloc.h"
#include "util/grow.h"
#include "util/map.h"
#include "util/strvec.h"
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
	atmo_free(s);
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
	atmo_free(data);
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
	atmo_free(data);
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

/* ---- containers: map, string list, growth ---- */

static void map_set_get_delete(void **state)
{
	static char keys[2000][16];
	atmo__map m = ATMO__MAP_INIT;
	const atmo__map_slot *s;
	size_t i, seen = 0, pos = 0, *v;
	atmo_error e;
	(void)state;
	assert_null(atmo__map_get(&m, "absent"));
	assert_int_equal(atmo__map_del(&m, "absent"), 0);
	for (i = 0; i < 2000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "usr/lib/%zu", i);
		assert_int_equal(atmo__map_set(&m, keys[i], i, NULL), 0);
	}
	assert_int_equal(m.n, 2000);
	for (i = 0; i < 2000; i++) {
		v = atmo__map_get(&m, keys[i]);
		assert_non_null(v);
		assert_int_equal(*v, i);
	}
	/* overwrite keeps the count; a key of bytes inside a longer string */
	assert_int_equal(atmo__map_set(&m, keys[7], 70, NULL), 0);
	assert_int_equal(m.n, 2000);
	assert_int_equal(*atmo__map_getn(&m, "usr/lib/77", 9), 70);
	assert_null(atmo__map_getn(&m, "usr/lib/7", 8));
	/* delete the even keys, then put some back into the tombstones */
	for (i = 0; i < 2000; i += 2)
		assert_int_equal(atmo__map_del(&m, keys[i]), 1);
	assert_int_equal(atmo__map_del(&m, keys[0]), 0);
	assert_int_equal(m.n, 1000);
	for (i = 0; i < 2000; i++)
		assert_true((atmo__map_get(&m, keys[i]) != NULL) == (i % 2 == 1));
	for (i = 0; i < 100; i += 2)
		assert_int_equal(atmo__map_setn(&m, keys[i], strlen(keys[i]), i + 1, NULL), 0);
	while ((s = atmo__map_next(&m, &pos)) != NULL) {
		assert_int_equal(s->len, strlen(s->key));
		assert_int_equal(*atmo__map_get(&m, s->key), s->val);
		seen++;
	}
	assert_int_equal(seen, 1050);
	assert_int_equal(m.n, 1050);
#if SIZE_MAX > 0xffffffffu
	/* lengths are kept in 32 bits: a longer key is refused before a byte is read */
	atmo_error_clear(&e);
	assert_int_equal(atmo__map_setn(&m, "x", (size_t)UINT32_MAX + 1, 0, &e), ATMO_ELIMIT);
	assert_int_equal(e.code, ATMO_ELIMIT);
	assert_null(atmo__map_getn(&m, "x", (size_t)UINT32_MAX + 1));
	assert_int_equal(m.n, 1050);
#endif
	atmo__map_free(&m);
	assert_int_equal(m.n, 0);
	assert_null(atmo__map_get(&m, keys[1]));
}

static void map_copies_keys_and_tables(void **state)
{
	atmo__map m = ATMO__MAP_INIT_COPY, c = ATMO__MAP_INIT, b = ATMO__MAP_INIT;
	char buf[32];
	size_t i;
	(void)state;
	/* one buffer for every key: the map keeps its own copies */
	for (i = 0; i < 300; i++) {
		snprintf(buf, sizeof(buf), "k%zu", i);
		assert_int_equal(atmo__map_put(&m, buf, strlen(buf), atmo__map_hash(buf, strlen(buf)),
					       i, NULL, NULL),
				 0);
	}
	assert_int_equal(atmo__map_reserve(&m, 10, NULL), 0);   /* already room: no-op */
	snprintf(buf, sizeof(buf), "k%d", 123);
	assert_int_equal(*atmo__map_get(&m, buf), 123);
	assert_int_equal(atmo__map_copy(&c, &m, NULL), 0);
	assert_true(c.copy_keys);
	atmo__map_free(&m);   /* the copy owns its own keys */
	assert_int_equal(c.n, 300);
	assert_int_equal(*atmo__map_get(&c, "k299"), 299);
	/* a borrowing map copies as a table of the same borrowed pointers */
	assert_int_equal(atmo__map_set(&b, "static", 1, NULL), 0);
	assert_int_equal(atmo__map_copy(&m, &b, NULL), 0);
	assert_false(m.copy_keys);
	assert_int_equal(*atmo__map_get(&m, "static"), 1);
	atmo__map_free(&m);
	atmo__map_free(&b);
	atmo__map_free(&c);
}

static void strvec_borrows_copies_and_terminates(void **state)
{
	atmo__strvec b = ATMO__STRVEC_INIT, c = ATMO__STRVEC_INIT_COPY;
	const char text[] = "alpha beta";
	char word[8];
	size_t i;
	(void)state;
	assert_int_equal(atmo__strvec_pushn(&b, text, 5, NULL), 0);
	assert_int_equal(atmo__strvec_pushn(&b, text + 6, 4, NULL), 0);
	assert_ptr_equal(b.v[1], text + 6);   /* borrowed: the caller's bytes */
	assert_int_equal(b.len[1], 4);
	assert_null(b.v[2]);
	for (i = 0; i < 100; i++) {
		snprintf(word, sizeof(word), "w%zu", i);
		assert_int_equal(atmo__strvec_push(&c, word, NULL), 0);
	}
	assert_int_equal(atmo__strvec_push(&c, NULL, NULL), 0);
	assert_int_equal(c.n, 101);
	assert_string_equal(c.v[42], "w42");
	assert_string_equal(c.v[100], "");
	assert_null(c.v[101]);   /* an argv */
	atmo__strvec_clear(&c);
	assert_int_equal(c.n, 0);
	assert_null(c.v[0]);
	assert_int_equal(atmo__strvec_pushn(&c, "xyz", 2, NULL), 0);
	assert_string_equal(c.v[0], "xy");
	atmo__strvec_free(&b);
	atmo__strvec_free(&c);
	assert_true(c.copy);
	assert_null(c.v);
}

static void grow_doubles_and_refuses_overflow(void **state)
{
	int *a = NULL;
	size_t cap = 0;
	atmo_error e;
	(void)state;
	assert_int_equal(ATMO__GROW(a, cap, 1, NULL), 0);
	assert_int_equal(cap, 16);
	assert_int_equal(ATMO__GROW(a, cap, 16, NULL), 0);
	assert_int_equal(cap, 16);
	assert_int_equal(ATMO__GROW(a, cap, 17, NULL), 0);
	assert_int_equal(cap, 32);
	assert_int_equal(ATMO__GROW(a, cap, 100, NULL), 0);
	assert_int_equal(cap, 128);
	a[127] = 1;
	atmo_error_clear(&e);
	assert_int_equal(ATMO__GROW(a, cap, SIZE_MAX / 2, &e), ATMO_ENOMEM);
	assert_int_equal(e.code, ATMO_ENOMEM);
	assert_int_equal(cap, 128);   /* unchanged: still ours to free */
	assert_int_equal(a[127], 1);
	atmo__free(a);
}

/* An allocator failing the fail_at-th allocation: each container operation gives 0 or
 * ATMO_ENOMEM, and after ATMO_ENOMEM it holds what it held before. */
static size_t chaos_count, chaos_fail_at;

static void *chaos_malloc(size_t n)
{
	return ++chaos_count == chaos_fail_at ? NULL : malloc(n);
}

static void *chaos_realloc(void *p, size_t n)
{
	return ++chaos_count == chaos_fail_at ? NULL : realloc(p, n);
}

static void containers_survive_each_failing_allocation(void **state)
{
	char keys[200][8];
	size_t k, i;
	int failed_once = 1;
	(void)state;
	if (getenv("ATMOGRAPH_OOM_FAIL_AT"))
		skip();   /* the out-of-memory runs' allocator is in place */
	for (i = 0; i < 200; i++)
		snprintf(keys[i], sizeof(keys[i]), "%zu", i);
	for (k = 1; failed_once; k++) {
		atmo__map m = ATMO__MAP_INIT_COPY, c = ATMO__MAP_INIT;
		atmo__strvec v = ATMO__STRVEC_INIT_COPY;
		size_t in = 0, j;
		atmo_error e;
		chaos_count = 0;
		chaos_fail_at = k;
		assert_int_equal(atmo_set_allocator(chaos_malloc, chaos_realloc, free), 0);
		for (i = 0; i < 200; i++) {
			atmo_error_clear(&e);
			int rc = atmo__map_set(&m, keys[i], i, &e);
			if (rc == 0) {
				in++;
			} else {
				assert_int_equal(rc, ATMO_ENOMEM);
				assert_int_equal(e.code, ATMO_ENOMEM);
				assert_null(atmo__map_get(&m, keys[i]));
			}
			assert_int_equal(m.n, in);
		}
		for (i = 0, j = 0; i < 200; i++)
			j += atmo__map_get(&m, keys[i]) != NULL;
		assert_int_equal(j, in);
		if (atmo__map_copy(&c, &m, NULL) == 0)
			assert_int_equal(c.n, in);
		else
			assert_int_equal(c.n, 0);
		for (i = 0; i < 50; i++) {
			int rc = atmo__strvec_push(&v, keys[i], NULL);
			assert_true(rc == 0 || (rc == ATMO_ENOMEM && v.oom));
		}
		if (!v.oom)
			assert_int_equal(v.n, 50);
		for (i = 0; i < v.n; i++)
			assert_string_equal(v.v[i], keys[i]);
		atmo__strvec_free(&v);
		atmo__map_free(&m);
		atmo__map_free(&c);
		failed_once = chaos_count >= chaos_fail_at;
		assert_int_equal(atmo_set_allocator(NULL, NULL, NULL), 0);
	}
	assert_true(k > 10);
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
		cmocka_unit_test(map_set_get_delete),
		cmocka_unit_test(map_copies_keys_and_tables),
		cmocka_unit_test(strvec_borrows_copies_and_terminates),
		cmocka_unit_test(grow_doubles_and_refuses_overflow),
		cmocka_unit_test(containers_survive_each_failing_allocation),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
