/*
 * hcl: type conversion and unification (go-cty's convert package). The
 * messages are cty's: buildx prints them after "Invalid value; ..." for
 * typed variables (golden cases TestVarTypingSpec, TestTypedVarOverrides,
 * TestDefaultVarTypeEnforcement) and after 'Invalid value for "x"
 * parameter: ' for function arguments.
 */
#include <jansson.h>
#include "harness.h"
#include "hcl/stdlib_int.h"

static hcl_value *jv(const char *text)
{
	hcl_value *v = NULL;
	char msg[200];
	int rc;
	test_oom_pause();   /* a fixture: make check-oom fails the calls under test */
	rc = hcl__json_decode(text, strlen(text), &v, msg, sizeof(msg));
	test_oom_resume();
	if (rc != 0)
		fail_msg("bad test JSON %s: %s", text, msg);
	return v;
}

static char *js(const hcl_value *v)
{
	atmo_buf b = ATMO_BUF_INIT;
	char *s;
	hcl__json_encode(v, &b);
	s = atmo__buf_detach(&b);
	if (!s)
		fail_msg("out of memory");   /* a run of make check-oom */
	return s;
}

#define STR hcl_type_string()
#define NUM hcl_type_number()
#define BOOL hcl_type_bool()
#define ANY hcl_type_dynamic()

static hcl_type *obj2(const char *a, hcl_type *ta, const char *b, hcl_type *tb, int b_optional)
{
	const char *names[2] = { a, b };
	hcl_type *types[2] = { ta, tb };
	unsigned char opt[2] = { 0, (unsigned char)b_optional };
	return hcl_type_object(names, types, opt, 2);
}

/* convert JSON text to t (taken); check the JSON result and the result type kind */
static void ok(const char *in, hcl_type *t, const char *want, hcl_type_kind kind)
{
	hcl_value *v = jv(in), *r;
	char msg[300], path[100];
	char *got;
	r = hcl_convert(v, t, msg, sizeof(msg), path, sizeof(path));
	if (!r)
		fail_msg("%s: %s (at %s)", in, msg, path);
	got = js(r);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got %s want %s", in, got, want);
	assert_int_equal(r->type->kind, kind);
	free(got);
	hcl_value_unref(r);
	hcl_value_unref(v);
	hcl_type_unref(t);
}

static void bad(const char *in, hcl_type *t, const char *want_msg, const char *want_path)
{
	hcl_value *v = jv(in), *r;
	char msg[300], path[100];
	r = hcl_convert(v, t, msg, sizeof(msg), path, sizeof(path));
	if (r)
		fail_msg("%s converted", in);
	assert_string_equal(msg, want_msg);
	assert_string_equal(path, want_path);
	hcl_value_unref(v);
	hcl_type_unref(t);
}

static void primitives(void **state)
{
	(void)state;
	ok("\"42\"", NUM, "42", HCL_T_NUMBER);
	ok("\"-1.5e3\"", NUM, "-1500", HCL_T_NUMBER);
	ok("1.5", STR, "\"1.5\"", HCL_T_STRING);
	ok("100000000000000000000", STR, "\"100000000000000000000\"", HCL_T_STRING);
	ok("true", STR, "\"true\"", HCL_T_STRING);
	ok("\"true\"", BOOL, "true", HCL_T_BOOL);
	ok("\"0\"", BOOL, "false", HCL_T_BOOL);
	ok("\"x\"", ANY, "\"x\"", HCL_T_STRING);
	bad("\"abc\"", NUM, "a number is required", "");
	bad("\"maybe\"", BOOL, "a bool is required", "");
	/* TestDefaultVarTypeEnforcement: "bool required, but have number" */
	bad("1", BOOL, "bool required, but have number", "");
	bad("true", NUM, "number required, but have bool", "");
	bad("[1]", STR, "string required, but have tuple", "");
	bad("{}", NUM, "number required, but have object", "");
	bad("\"a\"", hcl_type_list(STR), "list of string required, but have string", "");
}

static void sequences(void **state)
{
	(void)state;
	ok("[1, \"a\"]", hcl_type_list(STR), "[\"1\",\"a\"]", HCL_T_LIST);
	ok("[1, \"a\"]", hcl_type_list(ANY), "[\"1\",\"a\"]", HCL_T_LIST);
	ok("[\"b\", \"a\", \"b\"]", hcl_type_set(STR), "[\"a\",\"b\"]", HCL_T_SET);
	ok("[3, 1, 2, 1]", hcl_type_set(ANY), "[1,2,3]", HCL_T_SET);
	ok("[]", hcl_type_list(STR), "[]", HCL_T_LIST);
	{
		hcl_type *te[2] = { NUM, STR };
		ok("[\"1\", 2]", hcl_type_tuple(te, 2), "[1,\"2\"]", HCL_T_TUPLE);
	}
	/* a value-level failure names the element */
	bad("[1, \"x\"]", hcl_type_list(NUM), "a number is required", "[1]");
	/* type-level failures: MismatchMessage, no path */
	bad("[1, [2]]", hcl_type_list(STR), "element 1: string required, but have tuple", "");
	bad("[1, true]", hcl_type_list(ANY), "all list elements must have the same type", "");
	bad("[1, true]", hcl_type_set(ANY), "all set elements must have the same type", "");
	{
		hcl_type *te[1] = { NUM };
		bad("[1, 2]", hcl_type_tuple(te, 1), "tuple required", "");
	}
	bad("{\"a\": 1}", hcl_type_list(STR), "list of string required", "");
	ok("[[1], [\"a\"]]", hcl_type_list(hcl_type_list(ANY)), "[[\"1\"],[\"a\"]]", HCL_T_LIST);
	bad("[[1], [true]]", hcl_type_list(hcl_type_list(ANY)), "collection elements cannot be unified", "");
}

static void maps_and_objects(void **state)
{
	hcl_value *m, *r;
	char msg[200];
	(void)state;
	ok("{\"a\": 1, \"b\": \"x\"}", hcl_type_map(STR), "{\"a\":\"1\",\"b\":\"x\"}", HCL_T_MAP);
	ok("{\"a\": 1, \"b\": 2}", hcl_type_map(ANY), "{\"a\":1,\"b\":2}", HCL_T_MAP);
	/* TestTypedVarOverrides__11 */
	bad("{\"foo\": [99, 100]}", hcl_type_map(STR), "element \"foo\": string required, but have tuple", "");
	bad("{\"a\": 1, \"b\": true}", hcl_type_map(ANY), "all map elements must have the same type", "");
	bad("{\"a\": \"x\"}", hcl_type_map(NUM), "a number is required", "[\"a\"]");
	ok("{\"a\": \"1\", \"b\": \"x\", \"extra\": 0}", obj2("a", NUM, "b", STR, 0), "{\"a\":1,\"b\":\"x\"}",
	   HCL_T_OBJECT);
	/* optional attributes are filled with null */
	ok("{\"a\": 1}", obj2("a", NUM, "b", STR, 1), "{\"a\":1,\"b\":null}", HCL_T_OBJECT);
	bad("{\"a\": 1}", obj2("a", NUM, "b", STR, 0), "attribute \"b\" is required", "");
	bad("{}", obj2("a", NUM, "b", STR, 0), "attributes \"a\" and \"b\" are required", "");
	{
		const char *names[3] = { "c", "a", "b" };
		hcl_type *types[3] = { NUM, NUM, NUM };
		bad("{}", hcl_type_object(names, types, NULL, 3), "attributes \"a\", \"b\", and \"c\" are required", "");
	}
	bad("{\"a\": [1], \"b\": \"x\"}", obj2("a", NUM, "b", STR, 0), "attribute \"a\": number required, but have tuple",
	    "");
	/* nested: the path of the failing element */
	bad("{\"x\": [\"1\", \"z\"], \"y\": 1}", obj2("x", hcl_type_list(NUM), "y", NUM, 0), "a number is required",
	    ".x[1]");
	/* a map to an object: a missing key is a value-level error */
	m = jv("{\"a\": \"1\"}");
	{
		hcl_type *mt = hcl_type_map(STR);
		hcl_value *mm = hcl_convert(m, mt, msg, sizeof(msg), NULL, 0);
		assert_non_null(mm);
		hcl_type *t = obj2("a", NUM, "b", NUM, 0);
		assert_non_null(mm);
		r = hcl_convert(mm, t, msg, sizeof(msg), NULL, 0);
		assert_null(r);
		assert_string_equal(msg, "map has no element for required attribute \"b\"");
		hcl_type_unref(t);
		t = obj2("a", NUM, "b", NUM, 1);
		r = hcl_convert(mm, t, msg, sizeof(msg), NULL, 0);
		assert_non_null(r);
		assert_true(r->u.obj.vals[0]->u.num == 1);
		assert_true(r->u.obj.vals[1]->is_null);
		hcl_value_unref(r);
		hcl_type_unref(t);
		hcl_type_unref(mt);
		hcl_value_unref(mm);
		/* an object is not a list */
		t = hcl_type_list(STR);
		r = hcl_convert(m, t, msg, sizeof(msg), NULL, 0);
		assert_null(r);
		assert_string_equal(msg, "list of string required");
		hcl_type_unref(t);
	}
	hcl_value_unref(m);
}

static void collections_between_kinds(void **state)
{
	hcl_value *l, *s, *r;
	char msg[200];
	hcl_type *t;
	(void)state;
	l = jv("[\"b\", \"a\", \"b\"]");
	t = hcl_type_list(STR);
	s = hcl_convert(l, t, msg, sizeof(msg), NULL, 0);
	assert_non_null(s);
	hcl_type_unref(t);
	/* list -> set sorts and removes duplicates; set -> list keeps the set's order */
	t = hcl_type_set(STR);
	r = hcl_convert(s, t, msg, sizeof(msg), NULL, 0);
	assert_non_null(r);
	assert_int_equal(r->type->kind, HCL_T_SET);
	assert_int_equal(r->u.seq.n, 2);
	hcl_type_unref(t);
	t = hcl_type_list(NUM);
	{
		hcl_value *bad_num = hcl_convert(r, t, msg, sizeof(msg), NULL, 0);
		assert_null(bad_num);
		assert_string_equal(msg, "a number is required");
	}
	hcl_type_unref(t);
	hcl_value_unref(r);
	/* incorrect element type between collections */
	t = hcl_type_map(NUM);
	assert_null(hcl_convert(s, t, msg, sizeof(msg), NULL, 0));
	assert_string_equal(msg, "map of number required");
	hcl_type_unref(t);
	{
		hcl_type *lb = hcl_type_list(hcl_type_list(STR));
		hcl_value *src = jv("[[\"a\"]]");
		hcl_value *ll = hcl_convert(src, lb, msg, sizeof(msg), NULL, 0);
		assert_non_null(ll);
		hcl_type *want = hcl_type_list(BOOL);
		assert_non_null(ll);
		assert_null(hcl_convert(ll, want, msg, sizeof(msg), NULL, 0));
		assert_string_equal(msg, "incorrect list element type: bool required, but have list of string");
		hcl_type_unref(want);
		hcl_value_unref(ll);
		hcl_value_unref(src);
		hcl_type_unref(lb);
	}
	hcl_value_unref(s);
	hcl_value_unref(l);
}

static void null_and_unknown_keep_state(void **state)
{
	hcl_value *n = hcl_null(NULL), *u = hcl_unknown(NULL), *r;
	hcl_type *t = hcl_type_list(STR), *o = obj2("a", NUM, "b", STR, 1);
	char msg[100];
	(void)state;
	r = hcl_convert(n, t, msg, sizeof(msg), NULL, 0);
	assert_non_null(r);
	assert_true(r->is_null);
	assert_true(hcl_type_equal(r->type, t));
	hcl_value_unref(r);
	r = hcl_convert(u, t, msg, sizeof(msg), NULL, 0);
	assert_non_null(r);
	assert_true(r->is_unknown);
	assert_int_equal(r->type->kind, HCL_T_LIST);
	hcl_value_unref(r);
	/* an unknown object loses the optional marks of its type */
	r = hcl_convert(u, o, msg, sizeof(msg), NULL, 0);
	assert_non_null(r);
	assert_true(r->is_unknown);
	assert_null(r->type->optional);
	hcl_value_unref(r);
	/* an unknown element stays unknown inside a converted list */
	{
		hcl_value *items[2] = { hcl_cstring("1"), hcl_unknown(NULL) };
		hcl_value *tup = hcl_tuple(items, 2);
		hcl_type *ln = hcl_type_list(NUM);
		r = hcl_convert(tup, ln, msg, sizeof(msg), NULL, 0);
		assert_non_null(r);
		assert_true(r->u.seq.items[0]->u.num == 1);
		assert_true(r->u.seq.items[1]->is_unknown);
		assert_int_equal(r->u.seq.items[1]->type->kind, HCL_T_NUMBER);
		hcl_value_unref(r);
		hcl_type_unref(ln);
		hcl_value_unref(tup);
	}
	hcl_type_unref(o);
	hcl_type_unref(t);
	hcl_value_unref(u);
	hcl_value_unref(n);
}

static void unify(void **state)
{
	hcl_type *ts[3], *u;
	(void)state;
	ts[0] = STR;
	ts[1] = NUM;
	u = hcl_type_unify(ts, 2);
	assert_non_null(u);
	assert_int_equal(u->kind, HCL_T_STRING);
	ts[0] = NUM;
	ts[1] = BOOL;
	assert_null(hcl_type_unify(ts, 2));
	/* dynamic sorts last: null and "x" unify to string */
	ts[0] = ANY;
	ts[1] = STR;
	u = hcl_type_unify(ts, 2);
	assert_non_null(u);
	assert_int_equal(u->kind, HCL_T_STRING);
	/* a list and a tuple: a list */
	{
		hcl_type *te[1] = { NUM };
		ts[0] = hcl_type_list(STR);
		ts[1] = hcl_type_tuple(te, 1);
		u = hcl_type_unify(ts, 2);
		assert_non_null(u);
		assert_int_equal(u->kind, HCL_T_LIST);
		assert_int_equal(u->elem->kind, HCL_T_STRING);
		hcl_type_unref(u);
		hcl_type_unref(ts[0]);
		hcl_type_unref(ts[1]);
	}
	/* objects of different shapes: a map of the unified attribute type */
	ts[0] = obj2("a", NUM, "b", NUM, 0);
	{
		const char *nm[1] = { "c" };
		hcl_type *tt[1] = { STR };
		ts[1] = hcl_type_object(nm, tt, NULL, 1);
	}
	u = hcl_type_unify(ts, 2);
	assert_non_null(u);
	assert_int_equal(u->kind, HCL_T_MAP);
	assert_int_equal(u->elem->kind, HCL_T_STRING);
	hcl_type_unref(u);
	hcl_type_unref(ts[1]);
	/* same attribute names: an object */
	ts[2] = obj2("a", STR, "b", NUM, 0);
	ts[1] = ts[2];
	u = hcl_type_unify(ts, 2);
	assert_non_null(u);
	assert_int_equal(u->kind, HCL_T_OBJECT);
	assert_int_equal(u->elems[0]->kind, HCL_T_STRING);
	hcl_type_unref(u);
	hcl_type_unref(ts[0]);
	hcl_type_unref(ts[2]);
	/* an object and a tuple never unify */
	ts[0] = obj2("a", NUM, "b", NUM, 0);
	ts[1] = hcl_type_tuple(NULL, 0);
	assert_null(hcl_type_unify(ts, 2));
	hcl_type_unref(ts[0]);
	hcl_type_unref(ts[1]);
	/* a dynamic among lists: dynamic */
	ts[0] = hcl_type_list(STR);
	ts[1] = ANY;
	u = hcl_type_unify(ts, 2);
	assert_non_null(u);
	assert_int_equal(u->kind, HCL_T_DYNAMIC);
	hcl_type_unref(ts[0]);
}

static void friendly_names(void **state)
{
	atmo_buf b = ATMO_BUF_INIT;
	hcl_type *t, *m;
	(void)state;
	test_oom_pause();
	t = hcl_type_list(hcl_type_list(NUM));
	m = hcl_type_map(ANY);
	test_oom_resume();
	hcl__type_name(t, &b, 0);
	assert_string_equal(atmo__buf_cstr(&b), "list of list of number");
	atmo__buf_clear(&b);
	hcl__type_name(m, &b, 1);
	assert_string_equal(atmo__buf_cstr(&b), "map of any type");
	atmo__buf_clear(&b);
	hcl__type_name(m, &b, 0);
	assert_string_equal(atmo__buf_cstr(&b), "map of dynamic");
	atmo__buf_free(&b);
	hcl_type_unref(t);
	hcl_type_unref(m);
}

/* Constructors pass NULL on when out of memory (hcl_type_list(NULL) is NULL), so a
 * NULL value or type reaching conversion is an earlier allocation that failed:
 * "out of memory", not a crash (a make check-oom run found hcl_convert reading it). */
static void null_inputs_are_out_of_memory(void **state)
{
	char msg[100], path[20];
	hcl_value *v = hcl_cstring("1");
	hcl_type *ts[2] = { NULL, STR };
	(void)state;
	assert_non_null(v);
	assert_null(hcl_convert(NULL, NUM, msg, sizeof(msg), path, sizeof(path)));
	assert_string_equal(msg, "out of memory");
	assert_null(hcl_convert(v, NULL, msg, sizeof(msg), path, sizeof(path)));
	assert_string_equal(msg, "out of memory");
	assert_string_equal(path, "");
	assert_null(hcl_type_unify(ts, 2));
	hcl_value_unref(v);
}

static void function_argument_messages(void **state)
{
	hcl_value *args[2], *out = NULL;
	hcl_func_error e;
	(void)state;
	/* conversion error names the parameter, with cty's message and HCL's period */
	args[0] = jv("[\"a\", [\"b\"]]");
	assert_int_equal(hcl_func_call(hcl_stdlib_lookup("sort"), args, 1, &out, &e), -1);
	assert_int_equal(e.arg, 0);
	assert_string_equal(e.msg, "Invalid value for \"list\" parameter: element 1: string required, but have tuple.");
	hcl_value_unref(args[0]);
	/* a variadic parameter's name */
	test_oom_pause();
	args[0] = hcl_cstring(",");
	test_oom_resume();
	args[1] = jv("\"x\"");
	assert_int_equal(hcl_func_call(hcl_stdlib_lookup("join"), args, 2, &out, &e), -1);
	assert_int_equal(e.arg, 1);
	assert_string_equal(e.msg, "Invalid value for \"lists\" parameter: list of string required, but have string.");
	hcl_value_unref(args[0]);
	hcl_value_unref(args[1]);
	/* too few arguments */
	args[0] = hcl_cstring("x");
	assert_int_equal(hcl_func_call(hcl_stdlib_lookup("split"), args, 1, &out, &e), -1);
	assert_int_equal(e.arg, -1);
	assert_string_equal(e.msg, "Function \"split\" expects 2 argument(s). Missing value for \"str\".");
	hcl_value_unref(args[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(primitives),
		cmocka_unit_test(sequences),
		cmocka_unit_test(maps_and_objects),
		cmocka_unit_test(collections_between_kinds),
		cmocka_unit_test(null_and_unknown_keep_state),
		cmocka_unit_test(unify),
		cmocka_unit_test(friendly_names),
		cmocka_unit_test(null_inputs_are_out_of_memory),
		cmocka_unit_test(function_argument_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
