/*
 * hcl: the bake standard library. The first table holds every example of
 * buildx's docs/bake-stdlib.md with the result the Go code it names gives;
 * where the page's own "# =>" differs from that code, the row says so.
 * Arguments are written as JSON, which reads as HCL literals do: arrays are
 * tuples, objects are objects. Results are compared as JSON.
 */
#include <regex.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include "harness.h"
#include "hcl/stdlib_int.h"

enum kind { EQ, ERR, PREFIX, MATCH };

typedef struct {
	const char *fn;
	const char *args;  /* a JSON array */
	enum kind kind;
	const char *want;  /* EQ: JSON; ERR: text in the message; PREFIX/MATCH: of the string result */
	const char *note;  /* where bake-stdlib.md's own comment differs from buildx */
} row;

static hcl_value *from_json(const char *text)
{
	hcl_value *v = NULL;
	char msg[200];
	int rc = hcl__json_decode(text, strlen(text), &v, msg, sizeof(msg));
	if (rc != 0)
		fail_msg("bad test JSON %s: %s", text, msg);
	return v;
}

static char *to_json(const hcl_value *v)
{
	atmo_buf b = ATMO_BUF_INIT;
	if (hcl__json_encode(v, &b) < 0)
		fail_msg("out of memory");
	return atmo__buf_detach(&b);
}

/* call fn with the elements of a JSON array; 0 ok (*out), -1 error (e) */
static int call_json(const hcl_func *f, const char *args, hcl_value **out, hcl_func_error *e)
{
	hcl_value *a = from_json(args);
	int rc;
	assert_int_equal(a->type->kind, HCL_T_TUPLE);
	rc = hcl_func_call(f, a->u.seq.items, a->u.seq.n, out, e);
	hcl_value_unref(a);
	return rc;
}

static int json_same(const char *a, const char *b)
{
	json_t *ja = json_loads(a, JSON_DECODE_ANY, NULL), *jb = json_loads(b, JSON_DECODE_ANY, NULL);
	int same = ja && jb && json_equal(ja, jb);
	json_decref(ja);
	json_decref(jb);
	return same;
}

/* 1 when the row holds; prints why not */
static int check_row(const row *r, const void *payload)
{
	const hcl_func *f = hcl_stdlib_lookup(r->fn);
	hcl_func copy;
	hcl_value *out = NULL;
	hcl_func_error e;
	int rc, ok = 0;
	char *got = NULL;

	if (!f) {
		print_message("%s: no such function\n", r->fn);
		return 0;
	}
	copy = *f;
	copy.payload = (void *)payload;
	memset(&e, 0, sizeof(e));
	rc = call_json(&copy, r->args, &out, &e);
	if (rc < 0) {
		ok = r->kind == ERR && strstr(e.msg, r->want) != NULL;
		if (!ok)
			print_message("%s%s: error %s\n", r->fn, r->args, e.msg);
		return ok;
	}
	got = to_json(out);
	switch (r->kind) {
	case EQ:
		ok = json_same(got, r->want);
		break;
	case ERR:
		ok = 0;
		break;
	case PREFIX:
		ok = out->type->kind == HCL_T_STRING && strncmp(out->u.str.s, r->want, strlen(r->want)) == 0;
		break;
	case MATCH: {
		regex_t re;
		assert_int_equal(regcomp(&re, r->want, REG_EXTENDED | REG_NOSUB), 0);
		ok = out->type->kind == HCL_T_STRING && regexec(&re, out->u.str.s, 0, NULL, 0) == 0;
		regfree(&re);
		break;
	}
	}
	if (!ok)
		print_message("%s%s: got %s, want %s\n", r->fn, r->args, got, r->want);
	free(got);
	hcl_value_unref(out);
	return ok;
}

/* Every example of bake-stdlib.md (buildx v0.29 docs), in the page's order. */
static const row doc_rows[] = {
	{ "absolute", "[-42]", EQ, "42", NULL },
	{ "add", "[123, 1]", EQ, "124", NULL },
	{ "and", "[true, false]", EQ, "false", NULL },
	{ "base64decode", "[\"SGVsbG8=\"]", EQ, "\"Hello\"", NULL },
	{ "base64encode", "[\"Hello\"]", EQ, "\"SGVsbG8=\"", NULL },
	{ "basename", "[\"/usr/local/bin/docker\"]", EQ, "\"docker\"", NULL },
	{ "bcrypt", "[\"mypassword\"]", MATCH, "^\\$2a\\$10\\$[./A-Za-z0-9]{53}$", NULL },
	{ "byteslen", "[\"Docker\"]", EQ, "6", "cty's byteslen takes a bytes capsule; strings here" },
	{ "bytesslice", "[\"Docker\", 0, 3]", EQ, "\"Doc\"", "cty's bytesslice takes a bytes capsule; strings here" },
	/* can(parseint("123", 10)) => true: can() is the evaluator's; the call it wraps succeeds */
	{ "parseint", "[\"123\", 10]", EQ, "123", NULL },
	{ "ceil", "[3.14]", EQ, "4", NULL },
	{ "chomp", "[\"Hello\\n\\n\"]", EQ, "\"Hello\"", NULL },
	{ "chunklist", "[[1,2,3,4,5], 2]", EQ, "[[1,2],[3,4],[5]]", NULL },
	{ "cidrhost", "[\"10.0.0.0/16\", 5]", EQ, "\"10.0.0.5\"", NULL },
	{ "cidrnetmask", "[\"10.0.0.0/16\"]", EQ, "\"255.255.0.0\"", NULL },
	{ "cidrsubnet", "[\"10.0.0.0/16\", 4, 2]", EQ, "\"10.0.32.0/20\"", NULL },
	{ "cidrsubnets", "[\"10.0.0.0/16\", 4, 4]", EQ, "[\"10.0.0.0/20\",\"10.0.16.0/20\"]", NULL },
	{ "coalesce", "[null, \"\", \"docker\"]", EQ, "\"docker\"", NULL },
	{ "coalescelist", "[[], [1,2], [3]]", EQ, "[1,2]", NULL },
	{ "compact", "[[\"a\", \"\", \"b\", \"\"]]", EQ, "[\"a\",\"b\"]", NULL },
	{ "concat", "[[1,2],[3,4]]", EQ, "[1,2,3,4]", NULL },
	{ "contains", "[[1,2,3], 2]", EQ, "true", NULL },
	/* convert("42", number) => 42: see convert_example below */
	{ "csvdecode", "[\"name,age\\nAlice,30\\nBob,40\"]", EQ,
	  "[{\"name\":\"Alice\",\"age\":\"30\"},{\"name\":\"Bob\",\"age\":\"40\"}]", NULL },
	{ "dirname", "[\"/usr/local/bin/docker\"]", EQ, "\"/usr/local/bin\"", NULL },
	{ "distinct", "[[1,2,2,3,3,3]]", EQ, "[1,2,3]", NULL },
	{ "divide", "[10, 2]", EQ, "5", NULL },
	{ "element", "[[\"a\",\"b\",\"c\"], 1]", EQ, "\"b\"", NULL },
	{ "equal", "[2, 2]", EQ, "true", NULL },
	{ "flatten", "[[[1,2],[3,4],[5]]]", EQ, "[1,2,3,4,5]", NULL },
	{ "floor", "[3.99]", EQ, "3", NULL },
	{ "format", "[\"Hello, %s!\", \"World\"]", EQ, "\"Hello, World!\"", NULL },
	{ "formatdate", "[\"YYYY-MM-DD\", \"2025-09-16T12:00:00Z\"]", EQ, "\"2025-09-16\"", NULL },
	{ "formattimestamp", "[\"X\", \"2015-10-21T00:00:00Z\"]", EQ, "\"1445385600\"", NULL },
	{ "formattimestamp", "[\"YYYY-MM-DD'T'hh:mm:ssZ\", 1445385600]", EQ, "\"2015-10-21T00:00:00Z\"", NULL },
	{ "formattimestamp", "[\"YYYY-MM-DD\", \"2025-09-16T12:00:00Z\"]", EQ, "\"2025-09-16\"", NULL },
	{ "formatlist", "[\"Hi %s\", [\"Alice\", \"Bob\"]]", EQ, "[\"Hi Alice\",\"Hi Bob\"]", NULL },
	{ "greaterthan", "[2, 5]", EQ, "false", "page says true; cty's greaterthan(a, b) is a > b" },
	{ "greaterthanorequalto", "[5, 5]", EQ, "true", NULL },
	{ "hasindex", "[[10, 20, 30], 1]", EQ, "true", NULL },
	{ "hasindex", "[[10, 20, 30], 5]", EQ, "false", NULL },
	{ "homedir", "[]", EQ, "\"/home/user\"", NULL },
	{ "indent", "[4, \"Hello\\nWorld\"]", EQ, "\"Hello\\n    World\"",
	  "page says the first line is indented too; cty indents after each newline" },
	{ "index", "[{\"foo\": \"bar\", \"baz\": \"qux\"}, \"baz\"]", ERR, "collection must be a list, a map or a tuple",
	  "page says \"qux\"; cty's index rejects an object (an HCL {..} literal)" },
	{ "indexof", "[[\"a\",\"b\",\"c\"], \"b\"]", EQ, "1", NULL },
	{ "int", "[3.75]", EQ, "3", NULL },
	{ "join", "[\",\", [\"a\",\"b\",\"c\"]]", EQ, "\"a,b,c\"", NULL },
	{ "jsondecode", "[\"{\\\"name\\\":\\\"Docker\\\",\\\"stars\\\":5}\"]", EQ, "{\"name\":\"Docker\",\"stars\":5}", NULL },
	{ "jsonencode", "[{\"name\": \"Docker\", \"stars\": 5}]", EQ, "\"{\\\"name\\\":\\\"Docker\\\",\\\"stars\\\":5}\"", NULL },
	{ "keys", "[{\"foo\": 1, \"bar\": 2, \"baz\": 3}]", EQ, "[\"bar\",\"baz\",\"foo\"]", NULL },
	{ "length", "[[1,2,3,4]]", EQ, "4", NULL },
	{ "lessthan", "[10, 3]", EQ, "false", NULL },
	{ "lessthanorequalto", "[5, 7]", EQ, "true", NULL },
	{ "log", "[100, 10]", EQ, "2", NULL },
	{ "lookup", "[{\"a\": \"apple\", \"b\": \"banana\"}, \"a\", \"none\"]", EQ, "\"apple\"", NULL },
	{ "lookup", "[{\"a\": \"apple\", \"b\": \"banana\"}, \"c\", \"none\"]", EQ, "\"none\"", NULL },
	{ "lower", "[\"HELLO\"]", EQ, "\"hello\"", NULL },
	{ "max", "[3, 9, 7]", EQ, "9", NULL },
	{ "md5", "[\"docker\"]", EQ, "\"05b6053c41a2130afd6fc3b158bda4e6\"", "page's \"597dd5f6a...\" is not md5(\"docker\")" },
	{ "merge", "[{\"a\": 1, \"b\": 2}, {\"b\": 3, \"c\": 4}]", EQ, "{\"a\":1,\"b\":3,\"c\":4}", NULL },
	{ "min", "[3, 9, 7]", EQ, "3", NULL },
	{ "modulo", "[10, 3]", EQ, "1", NULL },
	{ "multiply", "[6, 7]", EQ, "42", NULL },
	{ "negate", "[7]", EQ, "-7", NULL },
	{ "not", "[true]", EQ, "false", NULL },
	{ "notequal", "[4, 5]", EQ, "true", NULL },
	{ "or", "[true, false]", EQ, "true", NULL },
	{ "parseint", "[\"ff\", 16]", EQ, "255", NULL },
	{ "pow", "[3, 2]", EQ, "9", NULL },
	{ "range", "[0, 5]", EQ, "[0,1,2,3,4]", NULL },
	{ "regex", "[\"h.llo\", \"hello\"]", EQ, "\"hello\"", NULL },
	{ "regex_replace", "[\"[0-9]+\", \"abc123xyz\", \"NUM\"]", EQ, "\"[0-9]+\"",
	  "page says \"abcNUMxyz\"; cty's parameters are (str, pattern, replace)" },
	{ "regexall", "[\"[a-z]+\", \"abc123xyz\"]", EQ, "[\"abc\",\"xyz\"]", NULL },
	{ "replace", "[\"banana\", \"na\", \"--\"]", EQ, "\"ba----\"", "page says \"ba-- --\"" },
	{ "reverse", "[\"stressed\"]", EQ, "\"desserts\"", NULL },
	{ "reverselist", "[[1,2,3]]", EQ, "[3,2,1]", NULL },
	{ "sanitize", "[\"My App! v1.0\"]", EQ, "\"My_App__v1_0\"", NULL },
	{ "semvercmp", "[\"3.23\", \">= 3.20\"]", EQ, "true", NULL },
	{ "sethaselement", "[[1,2,3], 2]", EQ, "true", NULL },
	{ "setintersection", "[[\"a\",\"b\",\"c\"], [\"b\",\"c\",\"d\"]]", EQ, "[\"b\",\"c\"]", NULL },
	{ "setproduct", "[[\"x\",\"y\"], [1,2]]", EQ, "[[\"x\",1],[\"x\",2],[\"y\",1],[\"y\",2]]", NULL },
	{ "setsubtract", "[[1,2,3], [2]]", EQ, "[1,3]", NULL },
	{ "setsymmetricdifference", "[[1,2,3], [3,4]]", EQ, "[1,2,4]", NULL },
	{ "setunion", "[[\"a\",\"b\"], [\"b\",\"c\"]]", EQ, "[\"a\",\"b\",\"c\"]", NULL },
	{ "sha1", "[\"hello\"]", EQ, "\"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\"", NULL },
	{ "sha256", "[\"hello\"]", EQ, "\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"", NULL },
	{ "sha512", "[\"hello\"]", EQ,
	  "\"9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043\"",
	  NULL },
	{ "signum", "[0]", EQ, "0", NULL },
	{ "signum", "[12]", EQ, "1", NULL },
	{ "signum", "[-12]", EQ, "-1", NULL },
	{ "slice", "[[\"a\",\"b\",\"c\",\"d\"], 1, 3]", EQ, "[\"b\",\"c\"]", NULL },
	{ "sort", "[[\"b\",\"c\",\"a\"]]", EQ, "[\"a\",\"b\",\"c\"]", NULL },
	{ "split", "[\",\", \"a,b,c\"]", EQ, "[\"a\",\"b\",\"c\"]", NULL },
	{ "strlen", "[\"Docker\"]", EQ, "6", NULL },
	{ "substr", "[\"abcdef\", 2, 3]", EQ, "\"cde\"", NULL },
	{ "subtract", "[10, 3]", EQ, "7", NULL },
	{ "timeadd", "[\"2025-09-24T12:00:00Z\", \"1h30m\"]", EQ, "\"2025-09-24T13:30:00Z\"", NULL },
	{ "timestamp", "[]", MATCH, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", NULL },
	{ "title", "[\"hello world-from_docker\"]", EQ, "\"Hello World-From_docker\"",
	  "page says From_Docker; Go's strings.Title does not split at '_'" },
	{ "trim", "[\"--hello--\", \"-\"]", EQ, "\"hello\"", NULL },
	{ "trimprefix", "[\"docker-build\", \"docker-\"]", EQ, "\"build\"", NULL },
	{ "trimspace", "[\"   hello   \"]", EQ, "\"hello\"", NULL },
	{ "trimsuffix", "[\"filename.txt\", \".txt\"]", EQ, "\"filename\"", NULL },
	/* try(parseint("zz", 16), parseint("ff", 16)) => 255: the first fails, the second gives 255 */
	{ "parseint", "[\"zz\", 16]", ERR, "cannot parse \"zz\" as a base 16 integer", NULL },
	{ "parseint", "[\"ff\", 16]", EQ, "255", NULL },
	/* try(index({a="apple"}, "b"), "fallback") => "fallback": the index call fails */
	{ "index", "[{\"a\": \"apple\"}, \"b\"]", ERR, "collection must be a list, a map or a tuple", NULL },
	{ "unixtimestampparse", "[1690328596]", EQ,
	  "{\"year\":2023,\"year_day\":206,\"day\":25,\"month\":7,\"month_name\":\"July\",\"weekday\":2,"
	  "\"weekday_name\":\"Tuesday\",\"hour\":23,\"minute\":43,\"second\":16,\"rfc3339\":\"2023-07-25T23:43:16Z\","
	  "\"iso_year\":2023,\"iso_week\":30}",
	  NULL },
	{ "upper", "[\"hello\"]", EQ, "\"HELLO\"", NULL },
	{ "urlencode", "[\"a b=c&d\"]", EQ, "\"a+b%3Dc%26d\"", NULL },
	{ "uuidv4", "[]", MATCH, "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", NULL },
	{ "uuidv5", "[\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\", \"example.com\"]", EQ,
	  "\"cfbff0d1-9375-5685-968c-48ce8b15ae17\"", "page's 9073926b-... is a version-3 (MD5) UUID" },
	{ "values", "[{\"a\": 1, \"c\": 3, \"b\": 2}]", EQ, "[1,2,3]", NULL },
	{ "zipmap", "[[\"name\",\"stars\"], [\"Docker\", 5]]", EQ, "{\"name\":\"Docker\",\"stars\":5}", NULL },
};

static void doc_examples(void **state)
{
	size_t i, bad = 0, notes = 0;
	(void)state;
	for (i = 0; i < sizeof(doc_rows) / sizeof(doc_rows[0]); i++) {
		if (!check_row(&doc_rows[i], "/home/user"))
			bad++;
		if (doc_rows[i].note)
			notes++;
	}
	print_message("bake-stdlib.md examples: %zu rows (+1 convert), %zu where the page differs from buildx\n",
		      sizeof(doc_rows) / sizeof(doc_rows[0]), notes);
	assert_int_equal(bad, 0);
}

static void convert_example(void **state)
{
	char msg[200];
	hcl_value *s = hcl_cstring("42");
	hcl_value *n = hcl_convert(s, hcl_type_number(), msg, sizeof(msg), NULL, 0);
	(void)state;
	assert_non_null(n);
	assert_int_equal(n->type->kind, HCL_T_NUMBER);
	assert_true(n->u.num == 42);
	hcl_value_unref(n);
	/* as the evaluator calls it for convert(value, type) */
	{
		hcl_func_error e;
		hcl_type *lt = hcl_type_list(hcl_type_number());
		hcl_value *bad = hcl_cstring("x"), *l = NULL;
		assert_int_equal(hcl__stdlib_convert(s, hcl_type_number(), &n, &e), 0);
		assert_true(n->u.num == 42);
		hcl_value_unref(n);
		assert_int_equal(hcl__stdlib_convert(bad, lt, &l, &e), -1);
		assert_int_equal(e.arg, 0);
		assert_string_equal(e.msg, "Invalid value for \"value\" parameter: list of number required, but have string.");
		hcl_value_unref(bad);
		hcl_type_unref(lt);
	}
	hcl_value_unref(s);
}

/* More behaviour of each topic, errors included. */
static const row more_rows[] = {
	/* strings */
	{ "upper", "[\"stra\\u00dfe \\u00e9t\\u00e9\"]", EQ, "\"STRAßE ÉTÉ\"", NULL },
	{ "lower", "[\"\\u00c9T\\u00c9\"]", EQ, "\"été\"", NULL },
	{ "title", "[\"hello wORLD\"]", EQ, "\"Hello WORLD\"", NULL },
	{ "split", "[\",\", \"\"]", EQ, "[\"\"]", NULL },
	{ "split", "[\"\", \"ab\"]", EQ, "[\"a\",\"b\"]", NULL },
	{ "join", "[\"-\", [\"a\"], [\"b\", \"c\"]]", EQ, "\"a-b-c\"", NULL },
	{ "join", "[\"-\"]", ERR, "at least one list is required", NULL },
	{ "join", "[\"-\", [\"a\", null]]", ERR, "element 1 is null; cannot concatenate null values", NULL },
	{ "replace", "[\"abc\", \"\", \"-\"]", EQ, "\"-a-b-c-\"", NULL },
	{ "substr", "[\"hello world\", -5, -1]", EQ, "\"world\"", NULL },
	{ "substr", "[\"\\u00e9t\\u00e9\", 1, 1]", EQ, "\"t\"", NULL },
	{ "substr", "[\"abc\", 1.5, 1]", ERR, "Call to function \"substr\" failed: value must be a whole number.", NULL },
	{ "bytesslice", "[\"abc\", 2, 2]", ERR, "offset 2 + length 2 is greater than total buffer length 3", NULL },
	{ "bytesslice", "[\"abc\", -1, 2]", ERR, "offset and length must be non-negative", NULL },
	{ "strlen", "[\"e\\u0301t\\u00e9\"]", EQ, "3", NULL },
	{ "strlen", "[\"\\ud83c\\uddeb\\ud83c\\uddf7\\ud83c\\udde9\"]", EQ, "2", NULL },
	{ "strlen", "[\"\\ud83d\\udc69\\u200d\\ud83d\\udcbb!\"]", EQ, "2", NULL },
	{ "strlen", "[\"\\u1100\\u1161\\u11a8\\uac00\"]", EQ, "2", NULL },
	{ "reverse", "[\"ae\\u0301\"]", EQ, "\"e\\u0301a\"", NULL },
	{ "trim", "[\"?!hello?!\", \"!?\"]", EQ, "\"hello\"", NULL },
	{ "trimspace", "[\"\\n\\t x \\u3000\"]", EQ, "\"x\"", NULL },
	{ "chomp", "[\"a\\r\\n\"]", EQ, "\"a\"", NULL },
	{ "indent", "[2, \"a\\nb\\nc\"]", EQ, "\"a\\n  b\\n  c\"", NULL },
	{ "dirname", "[\"file\"]", EQ, "\".\"", NULL },
	{ "dirname", "[\"/a/b/\"]", EQ, "\"/a/b\"", NULL },
	{ "basename", "[\"/a/b/\"]", EQ, "\"b\"", NULL },
	{ "basename", "[\"\"]", EQ, "\".\"", NULL },
	{ "upper", "[[1]]", ERR, "Invalid value for \"str\" parameter: string required, but have tuple.", NULL },
	{ "upper", "[null]", ERR, "Invalid value for \"str\" parameter: argument must not be null.", NULL },
	{ "upper", "[1, 2]", ERR, "Function \"upper\" expects only 1 argument(s).", NULL },
	{ "upper", "[true]", EQ, "\"TRUE\"", NULL },
	/* numbers */
	{ "parseint", "[\"-101\", 2]", EQ, "-5", NULL },
	{ "parseint", "[\"zz\", 36]", EQ, "1295", NULL },
	{ "parseint", "[\"1\", 63]", ERR, "base must be a whole number between 2 and 62 inclusive", NULL },
	{ "parseint", "[1, 10]", ERR, "first argument must be a string, not number", NULL },
	{ "add", "[\"1\", 2]", EQ, "3", NULL },
	{ "add", "[\"x\", 2]", ERR, "Invalid value for \"a\" parameter: a number is required.", NULL },
	{ "max", "[]", ERR, "must pass at least one number", NULL },
	{ "range", "[3]", EQ, "[0,1,2]", NULL },
	{ "range", "[5, 1]", EQ, "[5,4,3,2]", NULL },
	{ "range", "[0, 1, 0.25]", EQ, "[0,0.25,0.5,0.75]", NULL },
	{ "range", "[0, 5, 0]", ERR, "step must not be zero", NULL },
	{ "range", "[-3]", EQ, "[0,-1,-2]", NULL },
	{ "range", "[0, 5, -1]", ERR, "Invalid value for \"params\" parameter: end must be less than start when step is negative.", NULL },
	{ "range", "[1, 2, 3, 4]", ERR, "must have one, two, or three arguments", NULL },
	{ "range", "[0, 2000]", ERR, "more than 1024 values were generated", NULL },
	{ "divide", "[0, 0]", ERR, "can't divide zero by zero or infinity by infinity", NULL },
	{ "int", "[-3.75]", EQ, "-3", NULL },
	{ "equal", "[1, \"1\"]", EQ, "false", NULL },
	{ "equal", "[null, null]", EQ, "true", NULL },
	{ "equal", "[[1, 2], [1, 2]]", EQ, "true", NULL },
	{ "notequal", "[\"a\", \"a\"]", EQ, "false", NULL },
	/* collections */
	{ "length", "[{\"a\": 1}]", EQ, "1", NULL },
	{ "length", "[\"abc\"]", ERR, "collection must be a list, a map or a tuple", NULL },
	{ "keys", "[[1]]", ERR, "must have map or object type", NULL },
	{ "lookup", "[{\"a\": 1}, \"b\"]", ERR, "Function \"lookup\" expects 3 argument(s). Missing value for \"default\".", NULL },
	{ "lookup", "[{\"a\": 1}, \"b\", null]", ERR, "Invalid value for \"default\" parameter: argument must not be null.", NULL },
	{ "lookup", "[[1], \"b\", 1]", ERR, "lookup() requires a map as the first argument", NULL },
	{ "setproduct", "[[1, true], [2]]", ERR, "all elements must be of the same type", NULL },
	{ "setproduct", "[\"a\", [2]]", ERR, "a set or a list is required", NULL },
	{ "slice", "[[1, 2], 3, 3]", ERR, "start index must not be greater than the length of the list", NULL },
	{ "merge", "[null, {\"a\": 1}]", EQ, "{\"a\":1}", NULL },
	{ "merge", "[{\"a\": 1}, null, {\"b\": [2]}]", EQ, "{\"a\":1,\"b\":[2]}", NULL },
	{ "merge", "[{\"a\": 1}, \"x\"]", ERR, "arguments must be maps or objects, got \"string\"", NULL },
	{ "merge", "[]", EQ, "{}", NULL },
	{ "element", "[[\"a\",\"b\",\"c\"], 4]", EQ, "\"b\"", NULL },
	{ "element", "[[], 0]", ERR, "cannot use element function with an empty list", NULL },
	{ "element", "[[\"a\"], -1]", ERR, "cannot use element function with a negative index", NULL },
	{ "index", "[[\"a\",\"b\"], 1]", EQ, "\"b\"", NULL },
	{ "hasindex", "[[\"a\",\"b\"], \"1\"]", EQ, "false", NULL },
	{ "hasindex", "[[\"a\",\"b\"], 1.5]", EQ, "false", NULL },
	{ "index", "[[\"a\",\"b\"], 2]", ERR, "key must be between 0 and 2 inclusive", NULL },
	{ "indexof", "[[\"a\"], \"z\"]", ERR, "item not found", NULL },
	{ "indexof", "[[], \"z\"]", ERR, "cannot search an empty list", NULL },
	{ "contains", "[\"abc\", \"a\"]", ERR, "argument must be list, tuple, or set", NULL },
	{ "contains", "[[\"1\"], 1]", EQ, "false", NULL },
	{ "flatten", "[[1, [2, [3, []]], []]]", EQ, "[1,2,3]", NULL },
	{ "distinct", "[[\"b\", \"a\", \"b\"]]", EQ, "[\"b\",\"a\"]", NULL },
	{ "concat", "[[1], [\"a\"]]", EQ, "[1,\"a\"]", NULL },
	{ "concat", "[[1], \"a\"]", ERR, "all arguments must be lists or tuples; got string", NULL },
	{ "coalesce", "[1, \"2\"]", EQ, "\"1\"", NULL },
	{ "coalesce", "[null, null]", ERR, "no non-null, non-empty-string arguments", NULL },
	{ "coalesce", "[1, true]", ERR, "all arguments must have the same type", NULL },
	{ "coalescelist", "[[], []]", ERR, "no non-null arguments", NULL },
	{ "coalescelist", "[null, [1]]", ERR, "coalescelist arguments must be lists or tuples", NULL },
	{ "coalescelist", "[\"a\"]", ERR, "coalescelist arguments must be lists or tuples", NULL },
	{ "chunklist", "[[1, 2, 3], 0]", EQ, "[[1,2,3]]", NULL },
	{ "chunklist", "[[1], -1]", ERR, "the size argument must be positive", NULL },
	{ "slice", "[[1, 2], 1, 5]", ERR, "end index must not be greater than the length of the list", NULL },
	{ "slice", "[[1, 2], 2, 1]", ERR, "start index must not be greater than end index", NULL },
	{ "sort", "[[\"b\", \"B\", \"a\", \"10\", \"9\"]]", EQ, "[\"10\",\"9\",\"B\",\"a\",\"b\"]", NULL },
	{ "sort", "[[3, 20, 1]]", EQ, "[\"1\",\"20\",\"3\"]", NULL },
	{ "zipmap", "[[\"a\"], [1, 2]]", ERR, "number of keys (1) does not match number of values (2)", NULL },
	{ "setunion", "[[1], [\"a\"]]", EQ, "[\"1\",\"a\"]", NULL },
	{ "setunion", "[[], [\"a\"]]", EQ, "[\"a\"]", NULL },
	{ "setsubtract", "[[], []]", EQ, "[]", NULL },
	{ "setunion", "[[1], [[2]]]", ERR, "given sets must all have compatible element types", NULL },
	{ "setintersection", "[[1, 2], [2, 3], [2, 4]]", EQ, "[2]", NULL },
	{ "sethaselement", "[[1, 2], \"2\"]", EQ, "false", NULL },
	{ "reverselist", "[\"ab\"]", ERR, "can only reverse list or tuple values, not string", NULL },
	/* encoding */
	{ "base64decode", "[\"!!!\"]", ERR, "failed to decode base64 data '!!!'", NULL },
	{ "base64decode", "[\"/w==\"]", ERR, "the result of decoding the the provided string is not valid UTF-8", NULL },
	{ "base64encode", "[\"\"]", EQ, "\"\"", NULL },
	{ "jsonencode", "[\"<a&b>\\u2028\"]", EQ, "\"\\\"\\\\u003ca\\\\u0026b\\\\u003e\\\\u2028\\\"\"", NULL },
	{ "jsonencode", "[{\"z\": [1.5, true, null], \"a\": {\"b\": 100000000000000000000}}]", EQ,
	  "\"{\\\"a\\\":{\\\"b\\\":100000000000000000000},\\\"z\\\":[1.5,true,null]}\"", NULL },
	{ "jsonencode", "[null]", EQ, "\"null\"", NULL },
	{ "jsondecode", "[\"[1, \\\"a\\\", null, {}]\"]", EQ, "[1,\"a\",null,{}]", NULL },
	{ "jsondecode", "[\"hello\"]", ERR, "invalid character 'h' looking for beginning of value", NULL },
	{ "jsondecode", "[\"\"]", ERR, "Call to function \"jsondecode\" failed: EOF.", NULL },
	{ "jsondecode", "[\"[1, 2\"]", ERR, "unexpected EOF", NULL },
	{ "jsondecode", "[\"{} x\"]", ERR, "extraneous data after JSON object", NULL },
	{ "jsondecode", "[\"{\\\"a\\\":}\"]", ERR, "invalid character '}' looking for beginning of value", NULL },
	{ "jsondecode", "[\"[1 2]\"]", ERR, "invalid character '2' after array element", NULL },
	{ "jsondecode", "[\"trux\"]", ERR, "invalid character 'x' in literal true (expecting 'e')", NULL },
	{ "csvdecode", "[\"a,b\\n\\\"x,\\\"\\\"y\\\"\\\"\\\",2\\n\"]", EQ, "[{\"a\":\"x,\\\"y\\\"\",\"b\":\"2\"}]", NULL },
	{ "csvdecode", "[\"a,b\\n1\"]", ERR, "CSV parse error on line 2: wrong number of fields", NULL },
	{ "csvdecode", "[\"a,b\\n1,x\\\"y\"]", ERR, "CSV parse error on line 2: bare \" in non-quoted-field", NULL },
	{ "csvdecode", "[\"\"]", ERR, "missing header line", NULL },
	{ "csvdecode", "[\"a,a\\n1,2\"]", ERR, "duplicate column name \"a\"", NULL },
	{ "csvdecode", "[\"a,b\\n\"]", EQ, "[]", NULL },
	{ "uuidv5", "[\"dns\", \"example.com\"]", EQ, "\"cfbff0d1-9375-5685-968c-48ce8b15ae17\"", NULL },
	{ "uuidv5", "[\"url\", \"https://www.terraform.io/\"]", EQ, "\"9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5\"", NULL },
	{ "uuidv5", "[\"nope\", \"x\"]", ERR, "uuidv5() doesn't support namespace nope", NULL },
	{ "bcrypt", "[\"pw\", 4]", MATCH, "^\\$2a\\$04\\$", NULL },
	{ "bcrypt", "[\"pw\", 3]", MATCH, "^\\$2a\\$10\\$", NULL },
	{ "bcrypt", "[\"pw\", 32]", ERR, "error occured generating password crypto/bcrypt: cost 32 is outside allowed range (4,31)", NULL },
	{ "bcrypt", "[\"pw\", 4, 5]", ERR, "bcrypt() takes no more than two arguments", NULL },
	{ "urlencode", "[\"~a-b_c.d/\\u00e9\"]", EQ, "\"~a-b_c.d%2F%C3%A9\"", NULL },
	/* format */
	{ "format", "[\"%d items, %5.2f%%, %x, %X, %o, %b\", 3, 12.345, 255, 255, 8, 5]", EQ,
	  "\"3 items, 12.35%, ff, FF, 10, 101\"", NULL },
	{ "format", "[\"%v %v %v %v\", \"s\", 1.5, true, [1, \"a\"]]", EQ, "\"s 1.5 true [1,\\\"a\\\"]\"", NULL },
	{ "format", "[\"%#v\", \"s\"]", EQ, "\"\\\"s\\\"\"", NULL },
	{ "format", "[\"%v\", 1000000]", EQ, "\"1e+06\"", NULL },
	{ "format", "[\"%v\", null]", EQ, "\"null\"", NULL },
	{ "format", "[\"%q\", \"a\\\"b\"]", EQ, "\"\\\"a\\\\\\\"b\\\"\"", NULL },
	{ "format", "[\"%t\", \"true\"]", EQ, "\"true\"", NULL },
	{ "format", "[\"[%5s][%-5s][%05d][%+d][%.2s]\", \"ab\", \"ab\", 42, 3, \"abc\"]", EQ,
	  "\"[   ab][ab   ][00042][+3][ab]\"", NULL },
	{ "format", "[\"%[2]s %[1]s %s\", \"a\", \"b\"]", EQ, "\"b a b\"", NULL },
	{ "format", "[\"%d\", 1.5]", ERR, "unsupported value for \"%d\" at 0: an integer is required", NULL },
	{ "format", "[\"%d\", \"x\"]", ERR, "unsupported value for \"%d\" at 0: a number is required", NULL },
	{ "format", "[\"%s %s\", \"a\"]", ERR, "not enough arguments for \"%s\" at 3: need index 2 but have 1 total", NULL },
	{ "format", "[\"%s\", \"a\", \"b\"]", ERR, "too many arguments; only 1 used by format string", NULL },
	{ "format", "[\"x\", \"a\"]", ERR, "too many arguments; no verbs in format string", NULL },
	{ "format", "[\"%z\", 1]", ERR, "unsupported format verb 'z' in \"%z\" at offset 0", NULL },
	{ "format", "[\"%s\", null]", ERR, "null value cannot be formatted", NULL },
	{ "format", "[\"%e %g\", 1234.5678, 0.000012]", EQ, "\"1.234568e+03 1.2e-05\"", NULL },
	{ "format", "[\"%v\", 123456]", EQ, "\"123456\"", NULL },
	{ "format", "[\"%v %v\", 0.0001, 0.00001]", EQ, "\"0.0001 1e-05\"", NULL },
	{ "formatlist", "[\"%s=%d\", [\"a\", \"b\"], 1]", EQ, "[\"a=1\",\"b=1\"]", NULL },
	{ "formatlist", "[\"%s=%s\", [\"a\", \"b\"], [\"x\"]]", ERR,
	  "argument 2 has length 1, which is inconsistent with argument 1 of length 2", NULL },
	{ "formatlist", "[\"%s\", []]", EQ, "[]", NULL },
	/* regex (RE2 syntax through PCRE2) */
	{ "regex", "[\"(\\\\d+)-(\\\\d+)\", \"a 10-20 b\"]", EQ, "[\"10\",\"20\"]", NULL },
	{ "regex", "[\"(?P<k>\\\\w+)=(?P<v>\\\\w+)\", \"x=1\"]", EQ, "{\"k\":\"x\",\"v\":\"1\"}", NULL },
	{ "regex", "[\"(a)|(b)\", \"b\"]", EQ, "[null,\"b\"]", NULL },
	{ "regex", "[\"z\", \"abc\"]", ERR, "pattern did not match any part of the given string", NULL },
	{ "regex", "[\"(?P<k>a)(b)\", \"ab\"]", ERR, "cannot mix both named and unnamed capture groups", NULL },
	{ "regex", "[\"[a\", \"ab\"]", ERR, "invalid regexp pattern", NULL },
	{ "regex", "[\"(a)\\\\1\", \"aa\"]", ERR, "invalid escape sequence", NULL },
	{ "regex", "[\"^a$\", \"a\\n\"]", ERR, "pattern did not match", NULL },
	{ "regexall", "[\"a*\", \"baaab\"]", EQ, "[\"\",\"aaa\",\"\"]", NULL },
	{ "regexall", "[\"z\", \"abc\"]", EQ, "[]", NULL },
	{ "regex_replace", "[\"hello world\", \"(\\\\w+) (\\\\w+)\", \"$2 ${1}!$$\"]", EQ, "\"world hello!$\"", NULL },
	{ "regex_replace", "[\"abc\", \"\", \"-\"]", EQ, "\"-a-b-c-\"", NULL },
	{ "regex_replace", "[\"k=v\", \"(?P<key>\\\\w)=(?P<val>\\\\w)\", \"$val=$key\"]", EQ, "\"v=k\"", NULL },
	/* time */
	{ "formatdate", "[\"EEEE, DD-MMM-YY hh:mm:ss ZZZ\", \"2018-01-02T23:12:01Z\"]", EQ,
	  "\"Tuesday, 02-Jan-18 23:12:01 UTC\"", NULL },
	{ "formatdate", "[\"h:mm AA, D MMMM YYYY ZZZZZ\", \"2018-01-02T23:12:01-08:00\"]", EQ,
	  "\"23:12 PM, 2 January 2018 -08:00\"", NULL },
	{ "formatdate", "[\"H:mmaa 'o''clock' ZZZZ\", \"2018-01-02T00:05:00+05:30\"]", EQ,
	  "\"12:05am o'clock +0530\"", NULL },
	{ "formatdate", "[\"YYY\", \"2018-01-02T23:12:01Z\"]", ERR, "year must either be \"YY\" or \"YYYY\"", NULL },
	{ "formatdate", "[\"YYYY\", \"2018-01-02\"]", ERR, "not a valid RFC3339 timestamp: missing required time introducer 'T'", NULL },
	{ "timeadd", "[\"2017-11-22T00:00:00Z\", \"-10m\"]", EQ, "\"2017-11-21T23:50:00Z\"", NULL },
	{ "timeadd", "[\"2017-11-22T00:00:00+01:00\", \"1.5h\"]", EQ, "\"2017-11-22T01:30:00+01:00\"", NULL },
	{ "timeadd", "[\"2017-11-22T00:00:00Z\", \"1d\"]", ERR, "time: unknown unit \"d\" in duration \"1d\"", NULL },
	{ "timeadd", "[\"2017-11-22T00:00:00Z\", \"1\"]", ERR, "time: missing unit in duration \"1\"", NULL },
	{ "timeadd", "[\"2017-11-22T00:00:00Z\", \"h\"]", ERR, "Call to function \"timeadd\" failed: time: invalid duration \"h\".", NULL },
	{ "formatdate", "[\"YYYY\", \"2018-02-30T00:00:00Z\"]", ERR, "not a valid RFC3339 timestamp: day out of range", NULL },
	{ "formatdate", "[\"YYYY\", \"2018-01-02T10:00:00\"]", ERR, "not a valid RFC3339 timestamp: end of string before UTC offset", NULL },
	{ "formatdate", "[\"YYYY\", \"18-01-02T10:00:00Z\"]", ERR, "Invalid value for \"time\" parameter: not a valid RFC3339 timestamp: cannot use \"18-01-02T10:00:00Z\" as year.", NULL },
	{ "formatdate", "[\"'abc\", \"2018-01-02T10:00:00Z\"]", ERR, "unterminated literal '", NULL },
	{ "formatdate", "[\"ZZZ Z\", \"2018-01-02T10:00:00+00:00\"]", EQ, "\"UTC Z\"", NULL },
	{ "formattimestamp", "[\"X\", \"nope\"]", ERR, "timestamp string must be RFC3339", NULL },
	{ "formattimestamp", "[\"X\", 1.5]", ERR, "unix timestamp must be an integer", NULL },
	{ "formattimestamp", "[\"X\", true]", ERR, "must be a string timestamp or a unix timestamp number", NULL },
	{ "unixtimestampparse", "[0]", EQ,
	  "{\"year\":1970,\"year_day\":1,\"day\":1,\"month\":1,\"month_name\":\"January\",\"weekday\":4,"
	  "\"weekday_name\":\"Thursday\",\"hour\":0,\"minute\":0,\"second\":0,\"rfc3339\":\"1970-01-01T00:00:00Z\","
	  "\"iso_year\":1970,\"iso_week\":1}",
	  NULL },
	/* networks */
	{ "cidrhost", "[\"10.12.112.0/20\", -1]", EQ, "\"10.12.127.255\"", NULL },
	{ "cidrhost", "[\"fd00:fd12:3456:7890::/56\", 16]", EQ, "\"fd00:fd12:3456:7800::10\"", NULL },
	{ "cidrhost", "[\"10.0.0.0/30\", 4]", ERR, "prefix of 30 does not accommodate a host numbered 4", NULL },
	{ "cidrhost", "[\"10.0.0.0/33\", 1]", ERR, "invalid CIDR expression: invalid CIDR address: 10.0.0.0/33", NULL },
	{ "cidrnetmask", "[\"fd00::/20\"]", EQ, "\"ffff:f000::\"", NULL },
	{ "cidrnetmask", "[\"10.0.0.0/33\"]", ERR, "Call to function \"cidrnetmask\" failed: invalid CIDR expression: invalid CIDR address: 10.0.0.0/33.", NULL },
	{ "cidrsubnets", "[\"10.0.0.0/8\", 40]", ERR, "Invalid value for \"newbits\" parameter: may not extend prefix by more than 32 bits.", NULL },
	{ "cidrsubnet", "[\"fd00:fd12:3456:7890::/56\", 16, 162]", EQ, "\"fd00:fd12:3456:7800:a200::/72\"", NULL },
	{ "cidrsubnet", "[\"10.0.0.0/30\", 4, 0]", ERR, "insufficient address space to extend prefix of 30 by 4", NULL },
	{ "cidrsubnets", "[\"10.1.0.0/16\", 4, 4, 8, 4]", EQ,
	  "[\"10.1.0.0/20\",\"10.1.16.0/20\",\"10.1.32.0/24\",\"10.1.48.0/20\"]", NULL },
	{ "cidrsubnets", "[\"fd00:fd12:3456:7890::/56\", 16, 16, 16, 32]", EQ,
	  "[\"fd00:fd12:3456:7800::/72\",\"fd00:fd12:3456:7800:100::/72\",\"fd00:fd12:3456:7800:200::/72\","
	  "\"fd00:fd12:3456:7800:300::/88\"]",
	  NULL },
	{ "cidrsubnets", "[\"10.0.0.0/30\", 1, 1, 1]", ERR, "not enough remaining address space", NULL },
	/* semvercmp */
	{ "semvercmp", "[\"1.2.3\", \"~1.2\"]", EQ, "true", NULL },
	{ "semvercmp", "[\"1.3.0\", \"~1.2\"]", EQ, "false", NULL },
	{ "semvercmp", "[\"1.9.0\", \"^1.2.3\"]", EQ, "true", NULL },
	{ "semvercmp", "[\"0.3.0\", \"^0.2.3\"]", EQ, "false", NULL },
	{ "semvercmp", "[\"v2.0.0\", \">=1.0, <2.0 || >=2.0.0\"]", EQ, "true", NULL },
	{ "semvercmp", "[\"1.2.x\", \"1.2\"]", ERR, "Invalid Semantic Version", NULL },
	{ "semvercmp", "[\"1.2.3\", \"1.2.x\"]", EQ, "true", NULL },
	{ "semvercmp", "[\"1.2.3-beta\", \">=1.0.0\"]", EQ, "false", NULL },
	{ "semvercmp", "[\"1.2.3\", \"!!\"]", ERR, "improper constraint: !!", NULL },
	{ "semvercmp", "[\"1.4.5\", \"1.2 - 1.4.5\"]", EQ, "true", NULL },
	{ "semvercmp", "[\"1.4.6\", \"1.2 - 1.4.5\"]", EQ, "false", NULL },
	{ "semvercmp", "[\"1.4.9\", \"1.2 - 1.4\"]", EQ, "true", NULL },
	{ "semvercmp", "[\"9.9.9\", \"*\"]", EQ, "true", NULL },
	{ "semvercmp", "[\"2.0.0\", \"< 2\"]", EQ, "false", NULL },
	{ "semvercmp", "[\"1.0.0-rc.1\", \">= 1.0.0-beta\"]", EQ, "true", NULL },
	/* functions the evaluator takes over */
	{ "try", "[1]", ERR, "evaluated by the HCL evaluator", NULL },
};

static void more_behaviour(void **state)
{
	size_t i, bad = 0;
	(void)state;
	for (i = 0; i < sizeof(more_rows) / sizeof(more_rows[0]); i++)
		if (!check_row(&more_rows[i], NULL))
			bad++;
	print_message("more rows: %zu\n", sizeof(more_rows) / sizeof(more_rows[0]));
	assert_int_equal(bad, 0);
}

/* The page's expressions as written, parsed and evaluated by the HCL module. */
static const struct {
	const char *expr;
	const char *want;
} hcl_rows[] = {
	{ "absolute(-42)", "42" },
	/* a template of one interpolation is that value, unconverted, as in HCL */
	{ "\"${add(123, 1)}\"", "124" },
	{ "\"n=${add(123, 1)}\"", "\"n=124\"" },
	{ "base64decode(\"SGVsbG8=\")", "\"Hello\"" },
	{ "can(parseint(\"123\", 10))", "true" },
	{ "can(parseint(\"zz\", 10))", "false" },
	{ "chomp(\"Hello\\n\\n\")", "\"Hello\"" },
	{ "chunklist([1,2,3,4,5], 2)", "[[1,2],[3,4],[5]]" },
	{ "cidrsubnets(\"10.0.0.0/16\", 4, 4)", "[\"10.0.0.0/20\",\"10.0.16.0/20\"]" },
	{ "coalesce(null, \"\", \"docker\")", "\"docker\"" },
	{ "coalescelist([], [1,2], [3])", "[1,2]" },
	{ "csvdecode(\"name,age\\nAlice,30\\nBob,40\")",
	  "[{\"age\":\"30\",\"name\":\"Alice\"},{\"age\":\"40\",\"name\":\"Bob\"}]" },
	{ "distinct([1,2,2,3,3,3])", "[1,2,3]" },
	{ "element([\"a\",\"b\",\"c\"], 1)", "\"b\"" },
	{ "flatten([[1,2],[3,4],[5]])", "[1,2,3,4,5]" },
	{ "format(\"Hello, %s!\", \"World\")", "\"Hello, World!\"" },
	{ "formatlist(\"Hi %s\", [\"Alice\", \"Bob\"])", "[\"Hi Alice\",\"Hi Bob\"]" },
	{ "formattimestamp(\"YYYY-MM-DD'T'hh:mm:ssZ\", 1445385600)", "\"2015-10-21T00:00:00Z\"" },
	{ "indent(4, \"Hello\\nWorld\")", "\"Hello\\n    World\"" },
	{ "jsonencode({name=\"Docker\", stars=5})", "\"{\\\"name\\\":\\\"Docker\\\",\\\"stars\\\":5}\"" },
	{ "keys({foo = 1, bar = 2, baz = 3})", "[\"bar\",\"baz\",\"foo\"]" },
	{ "lookup({a=\"apple\", b=\"banana\"}, \"c\", \"none\")", "\"none\"" },
	{ "merge({a=1, b=2}, {b=3, c=4})", "{\"a\":1,\"b\":3,\"c\":4}" },
	{ "regexall(\"[a-z]+\", \"abc123xyz\")", "[\"abc\",\"xyz\"]" },
	{ "semvercmp(\"3.23\", \">= 3.20\") ? [\"a\"] : [\"b\"]", "[\"a\"]" },
	{ "setproduct([\"x\",\"y\"], [1,2])", "[[\"x\",1],[\"x\",2],[\"y\",1],[\"y\",2]]" },
	{ "setunion([\"a\",\"b\"], [\"b\",\"c\"])", "[\"a\",\"b\",\"c\"]" },
	{ "split(\",\", \"a,b,c\")", "[\"a\",\"b\",\"c\"]" },
	{ "try(parseint(\"zz\", 16), parseint(\"ff\", 16))", "255" },
	{ "try(index({a=\"apple\"}, \"b\"), \"fallback\")", "\"fallback\"" },
	{ "unixtimestampparse(1690328596).rfc3339", "\"2023-07-25T23:43:16Z\"" },
	{ "uuidv5(\"dns\", \"example.com\")", "\"cfbff0d1-9375-5685-968c-48ce8b15ae17\"" },
	{ "values({a=1, c=3, b=2})", "[1,2,3]" },
	{ "zipmap([\"name\",\"stars\"], [\"Docker\", 5])", "{\"name\":\"Docker\",\"stars\":5}" },
	{ "join(\"-\", sort(split(\",\", lower(\"B,C,A\"))))", "\"a-b-c\"" },
};

static int no_vars(void *payload, const hcl_traversal *t, hcl_value **out, hcl_diag *diag)
{
	(void)payload;
	(void)t;
	(void)out;
	(void)diag;
	return 1;
}

static void doc_examples_through_hcl(void **state)
{
	size_t i, bad = 0;
	(void)state;
	for (i = 0; i < sizeof(hcl_rows) / sizeof(hcl_rows[0]); i++) {
		char src[600];
		hcl_file *f = NULL;
		hcl_diag d;
		hcl_ctx ctx;
		hcl_value *v = NULL;
		char *got;
		memset(&d, 0, sizeof(d));
		memset(&ctx, 0, sizeof(ctx));
		ctx.lookup = no_vars;
		snprintf(src, sizeof(src), "v = %s\n", hcl_rows[i].expr);
		if (hcl_parse(&f, src, strlen(src), "t.hcl", &d) != 0) {
			print_message("%s: parse: %s; %s\n", hcl_rows[i].expr, d.summary, d.detail);
			bad++;
			continue;
		}
		if (hcl_eval(hcl_file_body(f)->attrs[0].expr, &ctx, &v, &d) != 0) {
			print_message("%s: %s; %s\n", hcl_rows[i].expr, d.summary, d.detail);
			bad++;
			hcl_file_free(f);
			continue;
		}
		got = to_json(v);
		if (!json_same(got, hcl_rows[i].want)) {
			print_message("%s: got %s want %s\n", hcl_rows[i].expr, got, hcl_rows[i].want);
			bad++;
		}
		free(got);
		hcl_value_unref(v);
		hcl_file_free(f);
	}
	assert_int_equal(bad, 0);
}

/* the CSV reader the bake layer uses for typed variable overrides (golden TestTypedVarOverrides) */
static void csv_reader_messages(void **state)
{
	static const struct {
		const char *in, *want, *err;
	} rows[] = {
		{ "1,2", "[[\"1\",\"2\"]]", NULL },
		{ "a,\"b,c\"\r\nd,\"e\"\"\"", "[[\"a\",\"b,c\"],[\"d\",\"e\\\"\"]]", NULL },
		{ "\"hello,world", NULL, "parse error on line 1, column 2: extraneous or missing \" in quoted-field" },
		{ "a:b,foo:\"bar", NULL, "parse error on line 1, column 9: bare \" in non-quoted-field" },
		{ "a,b\nc", NULL, "record on line 2: wrong number of fields" },
		{ "", "[]", NULL },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		hcl_value *v = NULL;
		char msg[200];
		int rc = hcl__csv_read(rows[i].in, strlen(rows[i].in), &v, msg, sizeof(msg));
		if (rows[i].err) {
			assert_int_equal(rc, -1);
			assert_string_equal(msg, rows[i].err);
		} else {
			char *got;
			assert_int_equal(rc, 0);
			got = to_json(v);
			if (!json_same(got, rows[i].want))
				fail_msg("%s: got %s want %s", rows[i].in, got, rows[i].want);
			free(got);
			hcl_value_unref(v);
		}
	}
}

static void names_and_lookup(void **state)
{
	size_t i, n = hcl_stdlib_count();
	(void)state;
	assert_int_equal(n, 106);
	for (i = 0; i < n; i++) {
		const hcl_func *f = hcl_stdlib_lookup(hcl_stdlib_name(i));
		if (!f)
			fail_msg("%s has no function", hcl_stdlib_name(i));
		assert_string_equal(f->name, hcl_stdlib_name(i));
		if (i > 0)
			assert_true(strcmp(hcl_stdlib_name(i - 1), hcl_stdlib_name(i)) < 0);
	}
	assert_null(hcl_stdlib_lookup("nosuch"));
	assert_null(hcl_stdlib_name(n));
}

/* lists of different element types concatenate to a list of their common type */
static void concat_lists_unify(void **state)
{
	hcl_value *a[1] = { hcl_cstring("a") }, *b[1] = { hcl_number(1) }, *args[2], *out = NULL;
	hcl_func_error e;
	char *got;
	(void)state;
	args[0] = hcl_list(hcl_type_string(), a, 1);
	args[1] = hcl_list(hcl_type_number(), b, 1);
	assert_int_equal(hcl_func_call(hcl_stdlib_lookup("concat"), args, 2, &out, &e), 0);
	assert_int_equal(out->type->kind, HCL_T_LIST);
	assert_int_equal(out->type->elem->kind, HCL_T_STRING);
	got = to_json(out);
	assert_string_equal(got, "[\"a\",\"1\"]");
	free(got);
	hcl_value_unref(out);
	hcl_value_unref(args[0]);
	hcl_value_unref(args[1]);
}

/* divide(1, 0) is an infinity, which Go's formatter writes as Inf */
static void format_infinity(void **state)
{
	static const struct {
		const char *fmt, *want;
	} rows[] = { { "%f", "Inf" }, { "%+f", "+Inf" }, { "%v", "+Inf" }, { "%6.2f|", "   Inf|" } };
	hcl_value *one = hcl_number(1), *zero = hcl_number(0), *dargs[2] = { one, zero }, *inf = NULL;
	hcl_func_error e;
	size_t i;
	(void)state;
	assert_int_equal(hcl_func_call(hcl_stdlib_lookup("divide"), dargs, 2, &inf, &e), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		hcl_value *args[2] = { hcl_cstring(rows[i].fmt), inf }, *out = NULL;
		assert_int_equal(hcl_func_call(hcl_stdlib_lookup("format"), args, 2, &out, &e), 0);
		assert_string_equal(out->u.str.s, rows[i].want);
		hcl_value_unref(out);
		hcl_value_unref(args[0]);
	}
	hcl_value_unref(inf);
	hcl_value_unref(one);
	hcl_value_unref(zero);
}

static void homedir_without_payload(void **state)
{
	hcl_value *out = NULL;
	hcl_func_error e;
	(void)state;
	assert_int_equal(hcl_func_call(hcl_stdlib_lookup("homedir"), NULL, 0, &out, &e), -1);
	assert_int_equal(e.arg, -1);
	assert_string_equal(e.msg, "Call to function \"homedir\" failed: the home directory is not known.");
}

static void unknown_and_null_arguments(void **state)
{
	hcl_value *args[2], *out = NULL;
	hcl_func_error e;
	(void)state;
	/* an unknown argument gives an unknown result without calling the function */
	args[0] = hcl_unknown(hcl_type_string());
	assert_int_equal(hcl_func_call(hcl_stdlib_lookup("upper"), args, 1, &out, &e), 0);
	assert_true(out->is_unknown);
	hcl_value_unref(out);
	/* jsonencode allows unknowns and says unknown itself */
	assert_int_equal(hcl_func_call(hcl_stdlib_lookup("jsonencode"), args, 1, &out, &e), 0);
	assert_true(out->is_unknown);
	assert_int_equal(out->type->kind, HCL_T_STRING);
	hcl_value_unref(out);
	/* keys of an unknown object come from its type */
	{
		const char *nm[2] = { "b", "a" };
		hcl_type *tt[2] = { hcl_type_number(), hcl_type_string() };
		hcl_value *uo = hcl_unknown(hcl_type_object(nm, tt, NULL, 2));
		char *got;
		assert_int_equal(hcl_func_call(hcl_stdlib_lookup("keys"), &uo, 1, &out, &e), 0);
		got = to_json(out);
		assert_string_equal(got, "[\"a\",\"b\"]");
		free(got);
		hcl_value_unref(out);
		hcl_value_unref(uo);
	}
	/* length of an unknown list: unknown number */
	hcl_value_unref(args[0]);
	args[0] = hcl_unknown(hcl_type_list(hcl_type_string()));
	assert_int_equal(hcl_func_call(hcl_stdlib_lookup("length"), args, 1, &out, &e), 0);
	assert_true(out->is_unknown);
	hcl_value_unref(out);
	hcl_value_unref(args[0]);
	/* a null where nulls are not allowed names the parameter */
	args[0] = hcl_cstring("%s");
	args[1] = hcl_null(NULL);
	assert_int_equal(hcl_func_call(hcl_stdlib_lookup("format"), args, 2, &out, &e), -1);
	assert_int_equal(e.arg, -1);
	assert_string_equal(e.msg, "Call to function \"format\" failed: unsupported value for \"%s\" at 0: "
				   "null value cannot be formatted.");
	hcl_value_unref(args[0]);
	hcl_value_unref(args[1]);
}

/* fuzz_hcl_stdlib: trailing continuation bytes after a trimmed rune made the right
 * cut pass the left one (a negative length); Go reads them as U+FFFD each */
static void trim_invalid_tail(void **state)
{
	hcl_value *args[2], *out = NULL;
	hcl_func_error e;
	(void)state;
	args[0] = hcl_string("s\x9b\x9a", 3);
	args[1] = hcl_string("s", 1);
	assert_int_equal(hcl_func_call(hcl_stdlib_lookup("trim"), args, 2, &out, &e), 0);
	assert_int_equal(out->u.str.len, 2);
	assert_memory_equal(out->u.str.s, "\x9b\x9a", 2);
	hcl_value_unref(out);
	hcl_value_unref(args[0]);
	hcl_value_unref(args[1]);
}

static void rsadecrypt_roundtrip(void **state)
{
	EVP_PKEY *key = EVP_RSA_gen(2048);
	EVP_PKEY_CTX *ctx;
	BIO *bio;
	char *pem = NULL, *b64 = NULL;
	long pemlen;
	unsigned char ct[512];
	size_t ctlen = sizeof(ct);
	hcl_value *args[2], *out = NULL, *enc;
	hcl_func_error e;
	(void)state;

	assert_non_null(key);
	bio = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PrivateKey_traditional(bio, key, NULL, NULL, 0, NULL, NULL), 1);
	pemlen = BIO_get_mem_data(bio, &pem);
	ctx = EVP_PKEY_CTX_new(key, NULL);
	assert_true(EVP_PKEY_encrypt_init(ctx) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0);
	assert_true(EVP_PKEY_encrypt(ctx, ct, &ctlen, (const unsigned char *)"secret", 6) > 0);
	args[0] = hcl_string((const char *)ct, ctlen);
	assert_int_equal(hcl_func_call(hcl_stdlib_lookup("base64encode"), args, 1, &enc, &e), 0);
	hcl_value_unref(args[0]);
	args[0] = enc;
	args[1] = hcl_string(pem, (size_t)pemlen);
	assert_int_equal(hcl_func_call(hcl_stdlib_lookup("rsadecrypt"), args, 2, &out, &e), 0);
	assert_string_equal(out->u.str.s, "secret");
	hcl_value_unref(out);
	hcl_value_unref(args[1]);
	args[1] = hcl_cstring("not a key");
	assert_int_equal(hcl_func_call(hcl_stdlib_lookup("rsadecrypt"), args, 2, &out, &e), -1);
	assert_non_null(strstr(e.msg, "invalid private key"));
	hcl_value_unref(args[0]);
	hcl_value_unref(args[1]);
	(void)b64;
	EVP_PKEY_CTX_free(ctx);
	BIO_free(bio);
	EVP_PKEY_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(doc_examples),
		cmocka_unit_test(convert_example),
		cmocka_unit_test(more_behaviour),
		cmocka_unit_test(doc_examples_through_hcl),
		cmocka_unit_test(csv_reader_messages),
		cmocka_unit_test(names_and_lookup),
		cmocka_unit_test(concat_lists_unify),
		cmocka_unit_test(format_infinity),
		cmocka_unit_test(homedir_without_payload),
		cmocka_unit_test(unknown_and_null_arguments),
		cmocka_unit_test(rsadecrypt_roundtrip),
		cmocka_unit_test(trim_invalid_tail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
