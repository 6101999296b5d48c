/*
 * hcl: out-of-memory paths of conversion and the standard library. The
 * program replaces malloc and friends (over glibc's __libc_* functions) with
 * counting versions that can fail the Nth allocation; every call below is run
 * failing its 1st, 2nd, ... allocation until it needs no more, and must then
 * return an error or a result without crashing and without keeping memory.
 * Sanitizer builds bring their own allocator, so there the test is skipped.
 */
#include <errno.h>
#include "harness.h"
#include "hcl/stdlib_int.h"

#if defined(__SANITIZE_ADDRESS__)
#define OOM_SKIP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OOM_SKIP 1
#endif
#endif

#ifndef OOM_SKIP
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

/* the only mutable state of the test: the allocator's counters */
static long live;        /* successful allocations minus frees */
static long count;       /* allocations seen while armed */
static long fail_at = -1;
static int armed;

static int should_fail(void)
{
	if (!armed)
		return 0;
	return count++ == fail_at;
}

void *malloc(size_t n)
{
	void *p;
	if (should_fail())
		return NULL;
	p = __libc_malloc(n);
	if (p)
		live++;
	return p;
}

void *calloc(size_t a, size_t b)
{
	void *p;
	if (should_fail())
		return NULL;
	p = __libc_calloc(a, b);
	if (p)
		live++;
	return p;
}

void *realloc(void *q, size_t n)
{
	void *p;
	if (q && n == 0) {
		live--;
		return __libc_realloc(q, 0);
	}
	if (should_fail())
		return NULL;
	p = __libc_realloc(q, n);
	if (p && !q)
		live++;
	return p;
}

void free(void *p)
{
	if (p)
		live--;
	__libc_free(p);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;
	if (should_fail())
		return ENOMEM;
	p = __libc_memalign(align, n);
	if (!p)
		return ENOMEM;
	live++;
	*out = p;
	return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
	void *p;
	if (should_fail())
		return NULL;
	p = __libc_memalign(align, n);
	if (p)
		live++;
	return p;
}

void *memalign(size_t align, size_t n)
{
	return aligned_alloc(align, n);
}
#endif

#ifndef OOM_SKIP
typedef struct {
	const char *fn;
	const char *args; /* JSON array */
	int keeps;        /* OpenSSL keeps per-thread error state after a failure: no balance check */
} call;

static const call calls[] = {
	{ "format", "[\"%s-%5.2f-%d-%v-%q\", \"a\", 1.5, 3, [1, {\"b\": true}], \"q\"]" , 0 },
	{ "formatlist", "[\"%s=%s\", [\"a\", \"b\"], \"x\"]" , 0 },
	{ "join", "[\",\", [\"a\", \"b\"], [\"c\"]]" , 0 },
	{ "split", "[\",\", \"a,b,c\"]" , 0 },
	{ "replace", "[\"banana\", \"na\", \"--\"]" , 0 },
	{ "upper", "[\"hello world\"]" , 0 },
	{ "title", "[\"hello world\"]" , 0 },
	{ "substr", "[\"hello\", 1, 3]" , 0 },
	{ "concat", "[[1, 2], [\"a\"]]" , 0 },
	{ "merge", "[{\"a\": 1}, {\"b\": [2]}]" , 0 },
	{ "flatten", "[[[1, [2]], 3]]" , 0 },
	{ "distinct", "[[1, 2, 2]]" , 0 },
	{ "keys", "[{\"b\": 1, \"a\": 2}]" , 0 },
	{ "values", "[{\"b\": 1, \"a\": 2}]" , 0 },
	{ "lookup", "[{\"a\": \"x\"}, \"b\", \"d\"]" , 0 },
	{ "zipmap", "[[\"a\", \"b\"], [1, 2]]" , 0 },
	{ "chunklist", "[[1, 2, 3], 2]" , 0 },
	{ "setproduct", "[[\"x\", \"y\"], [1, 2]]" , 0 },
	{ "setunion", "[[1], [\"a\"]]" , 0 },
	{ "sort", "[[\"b\", \"a\"]]" , 0 },
	{ "coalesce", "[null, \"\", \"x\"]" , 0 },
	{ "range", "[0, 5]" , 0 },
	{ "jsonencode", "[{\"a\": [1, \"<\"]}]" , 0 },
	{ "jsondecode", "[\"{\\\"a\\\": [1, null, {}]}\"]" , 0 },
	{ "csvdecode", "[\"a,b\\n1,2\\n3,4\"]" , 0 },
	{ "regex", "[\"(?P<k>\\\\w+)=(?P<v>\\\\w+)\", \"x=1\"]" , 0 },
	{ "regexall", "[\"(\\\\d)\", \"a1b2\"]" , 0 },
	/* more matches than the first allocation holds: a failed growth kept the matches */
	{ "regexall", "[\"\\\\d\", \"0123456789012345678901234\"]" , 0 },
	{ "regex_replace", "[\"a1b2\", \"(\\\\d)\", \"<$1>\"]" , 0 },
	{ "formatdate", "[\"EEEE DD MMM YYYY hh:mm ZZZZZ\", \"2018-01-02T23:12:01-08:00\"]" , 0 },
	{ "timeadd", "[\"2018-01-02T23:12:01Z\", \"1h\"]" , 0 },
	{ "unixtimestampparse", "[1690328596]" , 0 },
	{ "cidrsubnets", "[\"10.0.0.0/16\", 4, 4, 8]" , 0 },
	{ "sha256", "[\"hello\"]", 1 },
	{ "uuidv5", "[\"dns\", \"example.com\"]", 1 },
	{ "base64decode", "[\"SGVsbG8=\"]" , 0 },
	{ "semvercmp", "[\"1.2.3\", \">= 1.0, < 2\"]" , 0 },
};

static hcl_value *from_json(const char *text)
{
	hcl_value *v = NULL;
	char msg[200];
	if (hcl__json_decode(text, strlen(text), &v, msg, sizeof(msg)) != 0)
		fail_msg("bad test JSON %s: %s", text, msg);
	return v;
}

#endif

static void stdlib_under_failing_allocations(void **state)
{
#ifdef OOM_SKIP
	(void)state;
	skip();
#else
	size_t i;
	long total = 0;
	(void)state;
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		const hcl_func *f = hcl_stdlib_lookup(calls[i].fn);
		hcl_value *a = from_json(calls[i].args), *out = NULL;
		hcl_func_error e;
		long k;
		assert_non_null(f);
		/* a first run, unarmed: lazy library set-up (OpenSSL tables) is not a leak */
		assert_int_equal(hcl_func_call(f, a->u.seq.items, a->u.seq.n, &out, &e), 0);
		hcl_value_unref(out);
		for (k = 0;; k++) {
			long before = live;
			int rc;
			out = NULL;
			count = 0;
			fail_at = k;
			armed = 1;
			rc = hcl_func_call(f, a->u.seq.items, a->u.seq.n, &out, &e);
			armed = 0;
			if (rc == 0)
				hcl_value_unref(out);
			else
				assert_true(e.msg[0] != '\0');
			if (live != before && !calls[i].keeps)
				fail_msg("%s: %ld allocations kept when allocation %ld failed", calls[i].fn, live - before, k);
			if (count <= k) /* the call made fewer allocations: every one has failed once */
				break;
		}
		total += k;
		hcl_value_unref(a);
	}
	print_message("%zu calls, %ld failing allocations tried\n", sizeof(calls) / sizeof(calls[0]), total);
#endif
}

static void convert_under_failing_allocations(void **state)
{
#ifdef OOM_SKIP
	(void)state;
	skip();
#else
	hcl_value *v = from_json("[{\"a\": \"1\", \"b\": [\"x\", \"y\"]}, {\"a\": 2, \"b\": []}]");
	const char *names[2] = { "a", "b" };
	hcl_type *ts[2] = { hcl_type_number(), hcl_type_set(hcl_type_string()) };
	unsigned char opt[2] = { 0, 1 };
	hcl_type *t = hcl_type_list(hcl_type_object(names, ts, opt, 2));
	long k;
	(void)state;
	for (k = 0;; k++) {
		long before = live;
		char msg[100];
		hcl_value *r;
		count = 0;
		fail_at = k;
		armed = 1;
		r = hcl_convert(v, t, msg, sizeof(msg), NULL, 0);
		armed = 0;
		hcl_value_unref(r);
		if (live != before)
			fail_msg("convert: %ld allocations kept when allocation %ld failed", live - before, k);
		if (count <= k)
			break;
	}
	hcl_type_unref(t);
	hcl_value_unref(v);
#endif
}

/* jsondecode out of memory says so ("out of memory", which the bake reports as
 * ATMO_ENOMEM), never a JSON syntax error: jansson 2.14 records few of its
 * allocation failures. */
static void jsondecode_out_of_memory_is_said(void **state)
{
#ifdef OOM_SKIP
	(void)state;
	skip();
#else
	const hcl_func *f = hcl_stdlib_lookup("jsondecode");
	hcl_value *a = from_json("[\"{\\\"key\\\": [\\\"a string longer than jansson's first buffer\\\","
				 " 1.5, {\\\"k\\\": null}]}\"]");
	long k;
	(void)state;
	assert_non_null(f);
	for (k = 0;; k++) {
		hcl_value *out = NULL;
		hcl_func_error e;
		long before = live;
		int rc;
		count = 0;
		fail_at = k;
		armed = 1;
		rc = hcl_func_call(f, a->u.seq.items, a->u.seq.n, &out, &e);
		armed = 0;
		if (rc == 0)
			hcl_value_unref(out);
		else if (!strstr(e.msg, "out of memory"))
			fail_msg("allocation %ld failing: \"%s\"", k, e.msg);
		if (live != before)
			fail_msg("jsondecode: %ld allocations kept when allocation %ld failed",
				 live - before, k);
		if (count <= k)
			break;
	}
	hcl_value_unref(a);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stdlib_under_failing_allocations),
		cmocka_unit_test(convert_under_failing_allocations),
		cmocka_unit_test(jsondecode_out_of_memory_is_said),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
