/* Sizes module: kept out and own bytes over layer sets written here by hand. The
 * attribution of image bytes to stages runs on built images in tests/python
 * (atmograph sizes); the annotation of graph documents is test_sizes_annotate.c's. */
#include "harness.h"
#include <jansson.h>
#include "atmograph/sizes.h"

/* the one definition of kept-out bytes and packages, and layer-accurate own bytes */
static void test_kept_out_and_own_bytes(void **state)
{
	/* base: L1 L2; builder = base + L3 L4; tools = base + L5 (and L3 again: shared);
	 * final = base + L6 (a COPY of builder files makes a layer of its own) */
	const char *base_ids[] = { "sha256:1", "sha256:2" };
	const uint64_t base_b[] = { 1000, 200 };
	const char *bld_ids[] = { "sha256:1", "sha256:2", "sha256:3", "sha256:4" };
	const uint64_t bld_b[] = { 1000, 200, 30000, 4000 };
	const char *tool_ids[] = { "sha256:1", "sha256:2", "sha256:3", "sha256:5" };
	const uint64_t tool_b[] = { 1000, 200, 30000, 500 };
	const char *fin_ids[] = { "sha256:1", "sha256:2", "sha256:6" };
	const uint64_t fin_b[] = { 1000, 200, 70 };
	const char *fin_pk[] = { "python3", "libc6" };
	const char *bld_pk[] = { "libc6", "gcc", "cpp", "python3" };
	const char *tool_pk[] = { "make", "libc6", "gcc" };
	atmo_layer_set base = { base_ids, base_b, 2, NULL, 0 };
	atmo_layer_set fin = { fin_ids, fin_b, 3, fin_pk, 2 };
	atmo_layer_set bo[2] = { { bld_ids, bld_b, 4, bld_pk, 4 }, { tool_ids, tool_b, 4, tool_pk, 3 } };
	atmo_layer_set other_base = { fin_ids + 2, fin_b + 2, 1, NULL, 0 };
	json_t *k = NULL;
	atmo_error err;
	(void)state;
	atmo_error_clear(&err);
	assert_int_equal(atmo_sizes_kept_out(&k, &fin, bo, 2, &err), 0);
	/* L3 (once, though in both images) + L4 + L5; the base layers are in the final image */
	assert_int_equal(json_integer_value(json_object_get(k, "bytes")), 30000 + 4000 + 500);
	assert_int_equal(json_integer_value(json_object_get(k, "layers")), 3);
	assert_int_equal(json_array_size(json_object_get(k, "packages")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(k, "packages"), 0)), "cpp");
	assert_string_equal(json_string_value(json_array_get(json_object_get(k, "packages"), 1)), "gcc");
	assert_string_equal(json_string_value(json_array_get(json_object_get(k, "packages"), 2)), "make");
	json_decref(k);
	/* nothing build-only: nothing kept out */
	assert_int_equal(atmo_sizes_kept_out(&k, &fin, NULL, 0, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(k, "bytes")), 0);
	assert_int_equal(json_array_size(json_object_get(k, "packages")), 0);
	json_decref(k);
	assert_int_equal(atmo_sizes_kept_out(NULL, &fin, bo, 2, &err), ATMO_EINVALID);
	/* own bytes: layers beyond the parent's list, not a size difference */
	assert_int_equal(atmo_sizes_own_bytes(&bo[0], &base), 34000);
	assert_int_equal(atmo_sizes_own_bytes(&fin, &base), 70);
	assert_int_equal(atmo_own_bytes(&fin, &base), 70); /* the former names (deprecated aliases) */
	assert_int_equal(atmo_image_own_bytes(&fin, &base), 70);
	assert_int_equal(atmo_sizes_own_bytes(&bo[1], &bo[0]), 500);   /* common prefix L1 L2 L3 */
	assert_int_equal(atmo_sizes_own_bytes(&base, NULL), 1200);
	/* a parent that is not a prefix: everything after the common part */
	assert_int_equal(atmo_sizes_own_bytes(&base, &other_base), 1200);
	assert_int_equal(atmo_sizes_own_bytes(NULL, &base), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept_out_and_own_bytes),
	};
	return cmocka_run_group_tests_name("sizes", tests, NULL, NULL);
}
