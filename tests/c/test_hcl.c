/* hcl: the native and JSON syntaxes, the evaluator, located errors, limits and HCL's specsuite. */
#include <dirent.h>
#include <math.h>
#include "harness.h"
#include "hcl/hcl.h"
#include "util/buf.h"

/* ---- helpers --------------------------------------------------------------- */

/* A value as compact text: strings quoted, objects {k=v} in key order. */
static void dump(const hcl_value *v, atmo_buf *b)
{
	char num[64];
	size_t i;
	if (v->is_unknown) {
		atmo__buf_puts(b, "<unknown>");
		return;
	}
	if (v->is_null) {
		atmo__buf_puts(b, "null");
		return;
	}
	switch (v->type->kind) {
	case HCL_T_STRING:
		atmo__buf_printf(b, "\"%s\"", v->u.str.s);
		break;
	case HCL_T_NUMBER:
		atmo__buf_puts(b, hcl_number_format(v->u.num, num, sizeof(num)));
		break;
	case HCL_T_BOOL:
		atmo__buf_puts(b, v->u.b ? "true" : "false");
		break;
	case HCL_T_LIST:
	case HCL_T_SET:
	case HCL_T_TUPLE:
		atmo__buf_putc(b, '[');
		for (i = 0; i < v->u.seq.n; i++) {
			if (i)
				atmo__buf_putc(b, ',');
			dump(v->u.seq.items[i], b);
		}
		atmo__buf_putc(b, ']');
		break;
	case HCL_T_MAP:
	case HCL_T_OBJECT:
		atmo__buf_putc(b, '{');
		for (i = 0; i < v->u.obj.n; i++) {
			if (i)
				atmo__buf_putc(b, ',');
			atmo__buf_printf(b, "%s=", v->u.obj.keys[i]);
			dump(v->u.obj.vals[i], b);
		}
		atmo__buf_putc(b, '}');
		break;
	default:
		atmo__buf_puts(b, "?");
	}
}

/* The variables of the evaluation tests: the root attributes of one file, evaluated lazily. */
typedef struct {
	hcl_body *body;
	int depth;
	size_t max_string, budget;
} scope_src;

static int file_lookup(void *payload, const hcl_traversal *t, hcl_value **out, hcl_diag *diag)
{
	scope_src *s = payload;
	size_t i;
	for (i = 0; i < s->body->n_attrs; i++) {
		if (strcmp(s->body->attrs[i].name, t->root) == 0) {
			hcl_ctx c;
			int rc;
			if (s->depth > 64)
				return -1;
			memset(&c, 0, sizeof(c));
			c.lookup = file_lookup;
			c.payload = s;
			c.max_string = s->max_string;
			c.budget = s->budget;
			s->depth++;
			rc = hcl_eval(s->body->attrs[i].expr, &c, out, diag);
			s->depth--;
			return rc ? -1 : 0;
		}
	}
	return 1;
}

static hcl_file *parse_ok(const char *src)
{
	hcl_file *f = NULL;
	hcl_diag d;
	int rc = hcl_parse(&f, src, strlen(src), "t.hcl", &d);
	if (rc)
		fail_msg("parse failed: %s: %s; %s (line %d col %d)", src, d.summary, d.detail, d.subject.start.line,
			 d.subject.start.column);
	return f;
}

static const hcl_attr *attr(const hcl_body *b, const char *name)
{
	size_t i;
	for (i = 0; i < b->n_attrs; i++)
		if (strcmp(b->attrs[i].name, name) == 0)
			return &b->attrs[i];
	fail_msg("no attribute %s", name);
	return NULL;
}

/* Evaluate attribute `name` of the file src with the file's root attributes as variables. */
static int eval_attr(const char *src, const char *name, atmo_buf *text, hcl_diag *d)
{
	hcl_file *f = parse_ok(src);
	scope_src s;
	hcl_ctx c;
	hcl_value *v = NULL;
	int rc;
	memset(&s, 0, sizeof(s));
	s.body = hcl_file_body(f);
	memset(&c, 0, sizeof(c));
	c.lookup = file_lookup;
	c.payload = &s;
	rc = hcl_eval(attr(s.body, name)->expr, &c, &v, d);
	if (!rc) {
		dump(v, text);
		hcl_value_unref(v);
	}
	if (rc && d->subject.filename) {
		/* keep the subject's file name valid after the file is freed */
		d->subject.filename = "t.hcl";
	}
	hcl_file_free(f);
	return rc;
}

/* ---- values (value.c) -------------------------------------------------------- */

static void values_numbers(void **state)
{
	static const struct { double d; const char *s; } fmt[] = {
		{ 1, "1" }, { -2, "-2" }, { 1.5, "1.5" }, { 0.1, "0.1" }, { 1e20, "100000000000000000000" },
		{ 1e-7, "0.0000001" }, { 123456.789, "123456.789" }, { -0.0, "0" }, { 0.30000000000000004, "0.30000000000000004" },
	};
	static const char *const bad[] = { "", "abc", ".", "1e", "0x10", "1 ", " 1", "inf", "NaN", "--1" };
	char buf[64];
	double d;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++)
		assert_string_equal(hcl_number_format(fmt[i].d, buf, sizeof(buf)), fmt[i].s);
	assert_int_equal(hcl_number_parse("1.5e3", 5, &d), 0);
	assert_true(d == 1500);
	assert_int_equal(hcl_number_parse("-12", 3, &d), 0);
	assert_true(d == -12);
	/* as Go's big.ParseFloat, which cty uses: a side of the point may be empty */
	assert_int_equal(hcl_number_parse("1.", 2, &d), 0);
	assert_int_equal(hcl_number_parse(".5", 2, &d), 0);
	assert_true(d == 0.5);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (hcl_number_parse(bad[i], strlen(bad[i]), &d) == 0)
			fail_msg("\"%s\" parsed as a number", bad[i]);
}

static void values_collections(void **state)
{
	hcl_value *items[4], *set, *obj, *vals[3], *again[3];
	const char *keys[3] = { "z", "a", "z" };
	hcl_type *t, *ts[2];
	char buf[128];
	(void)state;
	items[0] = hcl_cstring("b");
	items[1] = hcl_cstring("a");
	items[2] = hcl_cstring("b");
	items[3] = hcl_unknown(hcl_type_string());
	set = hcl_set(hcl_type_string(), items, 4);
	/* sorted, duplicates gone, the unknown kept last */
	assert_int_equal(hcl_value_length(set), 3);
	assert_string_equal(set->u.seq.items[0]->u.str.s, "a");
	assert_true(set->u.seq.items[2]->is_unknown);
	assert_false(hcl_value_is_wholly_known(set));
	assert_true(hcl_value_is_known(set));
	vals[0] = hcl_number(1);
	vals[1] = hcl_bool(1);
	vals[2] = hcl_number(2);
	obj = hcl_object(keys, vals, 3); /* "z" twice: the last wins */
	assert_int_equal(hcl_value_length(obj), 2);
	assert_true(hcl_value_get(obj, "z")->u.num == 2);
	assert_null(hcl_value_get(obj, "q"));
	assert_string_equal(hcl_type_expr(obj->type, buf, sizeof(buf)), "object({a=bool,z=number})");
	assert_string_equal(hcl_type_friendly(obj->type, buf, sizeof(buf)), "object");
	again[0] = hcl_number(1);
	again[1] = hcl_bool(1);
	again[2] = hcl_number(2);
	{
		hcl_value *obj2 = hcl_object(keys, again, 3);
		hcl_value *n1 = hcl_null(NULL), *n2 = hcl_null(hcl_type_string());
		assert_true(hcl_value_equal(obj, obj2));
		assert_true(hcl_value_raw_equal(obj, obj2));
		assert_true(hcl_value_equal(n1, n2));      /* nulls are equal whatever their type */
		assert_false(hcl_value_raw_equal(n1, n2)); /* but not raw-equal */
		assert_false(hcl_value_equal(obj, set));
		hcl_value_unref(obj2);
		hcl_value_unref(n1);
		hcl_value_unref(n2);
	}
	ts[0] = hcl_type_list(hcl_type_number());
	ts[1] = hcl_type_map(hcl_type_dynamic());
	t = hcl_type_tuple(ts, 2);
	assert_string_equal(hcl_type_expr(t, buf, sizeof(buf)), "tuple([list(number),map(any)])");
	assert_string_equal(hcl_type_friendly(t->elems[0], buf, sizeof(buf)), "list of number");
	assert_true(hcl_type_has_dynamic(t));
	assert_false(hcl_type_has_dynamic(t->elems[0]));
	hcl_type_unref(t);
	hcl_value_unref(set);
	hcl_value_unref(obj);
}

/* ---- the parser ------------------------------------------------------------ */

static void parse_body_model(void **state)
{
	const char *src =
		"# comment\n"
		"variable \"TAG\" { default = \"v1\" }\n"
		"target app {\n"
		"  // another\n"
		"  tags = [\"a\", /* inline */ \"b\"]\n"
		"  inner \"x\" y {\n"
		"  }\n"
		"}\n"
		"top = 1\n";
	hcl_file *f = parse_ok(src);
	hcl_body *b = hcl_file_body(f);
	const hcl_block *blk;
	char r[128];
	(void)state;
	assert_string_equal(hcl_file_name(f), "t.hcl");
	assert_int_equal(b->n_attrs, 1);
	assert_string_equal(b->attrs[0].name, "top");
	assert_string_equal(hcl_range_format(&b->attrs[0].range, r, sizeof(r)), "t.hcl:9,1-8");
	assert_string_equal(hcl_range_format(&b->attrs[0].name_range, r, sizeof(r)), "t.hcl:9,1-4");
	assert_int_equal(b->n_blocks, 2);
	blk = &b->blocks[0];
	assert_string_equal(blk->type, "variable");
	assert_int_equal(blk->n_labels, 1);
	assert_string_equal(blk->labels[0], "TAG");
	assert_string_equal(hcl_range_format(&blk->label_ranges[0], r, sizeof(r)), "t.hcl:2,10-15");
	assert_string_equal(hcl_range_format(&blk->range, r, sizeof(r)), "t.hcl:2,1-15");
	assert_int_equal(blk->body->n_attrs, 1);
	assert_string_equal(blk->body->attrs[0].name, "default");
	blk = &b->blocks[1];
	assert_string_equal(blk->labels[0], "app");
	assert_int_equal(blk->body->n_attrs, 1);
	assert_int_equal(blk->body->n_blocks, 1);
	assert_string_equal(blk->body->blocks[0].type, "inner");
	assert_int_equal(blk->body->blocks[0].n_labels, 2);
	assert_string_equal(blk->body->blocks[0].labels[1], "y");
	hcl_file_free(f);
}

static void parse_expression_helpers(void **state)
{
	hcl_file *f = parse_ok("a = [x, \"y\"]\nb = { k = 1, \"q\" : 2, (z) = 3 }\nc = name\n");
	hcl_body *b = hcl_file_body(f);
	hcl_expr **items, **keys, **vals;
	size_t n;
	const char *kw;
	(void)state;
	assert_int_equal(hcl_expr_list(attr(b, "a")->expr, &items, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(hcl_expr_as_keyword(items[0], &kw), 1);
	assert_string_equal(kw, "x");
	assert_int_equal(hcl_expr_as_keyword(items[1], &kw), 0);
	assert_int_equal(hcl_expr_list(attr(b, "b")->expr, &items, &n), -1);
	assert_int_equal(hcl_expr_map(attr(b, "b")->expr, &keys, &vals, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(hcl_expr_as_keyword(keys[0], &kw), 1);
	assert_string_equal(kw, "k");
	assert_int_equal(hcl_expr_as_keyword(keys[2], &kw), 0); /* (z) is an expression */
	assert_int_equal(hcl_expr_as_keyword(attr(b, "c")->expr, &kw), 1);
	assert_string_equal(kw, "name");
	hcl_file_free(f);
}

typedef struct {
	const char *src, *summary, *range;
} err_case;

static void parse_errors_located(void **state)
{
	static const err_case cases[] = {
		{ "a = \"a\", b = \"b\"\n", "Unexpected comma after argument", "t.hcl:1,8-9" },
		{ "a = 1 2\n", "Missing newline after argument", "t.hcl:1,7-8" },
		{ "a {\n", "Unclosed configuration block", "t.hcl:1,3-4" },
		{ "a { b = 1, c = 2 }\n", "Invalid single-argument block definition", "t.hcl:1,10-11" },
		{ "a { b = 1\n}\n", "Invalid single-argument block definition", "t.hcl:1,10-2,1" },
		{ "a { d {} }\n", "Argument definition required", "t.hcl:1,5-8" },
		{ "= 1\n", "Argument or block definition required", "t.hcl:1,1-2" },
		{ "a\n", "Argument or block definition required", "t.hcl:1,1-2" },
		{ "\"a\" = 1\n", "Invalid argument name", "t.hcl:1,1-2" },
		{ "a = \n", "Invalid expression", "t.hcl:1,5-2,1" },
		{ "a = ", "Missing expression", "t.hcl:1,5-5" },
		{ "a = 1 +\n 2\n", "Invalid expression", "t.hcl:1,8-2,1" },
		{ "a = \"abc\n", "Invalid multi-line string", "t.hcl:1,9-2,1" },
		{ "a = \"abc", "Unterminated template string", "t.hcl:1,9-9" },
		{ "a = [1, 2\n", "Unterminated tuple constructor expression", "t.hcl:1,5-6" },
		{ "a = [1 2]\n", "Missing item separator", "t.hcl:1,8-9" },
		{ "a = {b 1}\n", "Missing key/value separator", "t.hcl:1,8-9" },
		{ "a = f(1 2)\n", "Missing argument separator", "t.hcl:1,9-10" },
		{ "a = (1\n", "Unbalanced parentheses", "t.hcl:2,1-1" },
		{ "a = 1\na = 2\n", "Attribute redefined", "t.hcl:2,1-2" },
		{ "a = \"\\q\"\n", "Invalid escape sequence", "t.hcl:1,6-8" },
		{ "a = @\n", "Invalid character", "t.hcl:1,5-6" },
		{ "b \"x\" \"${y}\" {}\n", "Invalid string literal", "t.hcl:1,8-10" },
		{ "a = \"%{if x}\"\n", "Unexpected end of template", "t.hcl:1,13-14" },
		{ "a = \"%{endif}\"\n", "Unexpected endif directive", "t.hcl:1,6-14" },
		{ "a = \"%{for v in x}%{endif}\"\n", "Unexpected endif directive", "t.hcl:1,19-27" },
		{ "a = \"%{if x}%{else}%{else}%{endif}\"\n", "Unexpected else directive", "t.hcl:1,20-27" },
		{ "a = \"%{for v in x}%{else}%{endfor}\"\n", "Unexpected else directive", "t.hcl:1,19-26" },
		{ "a = \"${x\"\n", "Unclosed template interpolation sequence", "t.hcl:1,6-8" },
		{ "a = \"${HOME:-/root}\"\n", "Extra characters after interpolation expression", "t.hcl:1,12-13" },
		{ "a = \"%{bogus}\"\n", "Invalid template directive", "t.hcl:1,8-13" },
		{ "a = x.0.1\n", "Invalid legacy index syntax", "t.hcl:1,7-10" },
		{ "a = x.\n", "Invalid attribute name", "t.hcl:1,7-2,1" },
		{ "a = x ? 1\n", "Missing false expression in conditional", "t.hcl:1,10-2,1" },
		{ "a = [for x in y : x if]\n", "Invalid expression", "t.hcl:1,23-24" },
		{ "a = [for x y]\n", "Invalid 'for' expression", "t.hcl:1,12-13" },
		{ "a = {for x in y : x}\n", "Invalid 'for' expression", "t.hcl:1,19-20" },
		{ "a = [for x in y : x => x]\n", "Invalid 'for' expression", "t.hcl:1,19-20" },
		{ "a = x[*.b\n", "Missing close bracket on splat index", "t.hcl:1,8-9" },
		{ "a = <<EOT\nabc\n", "Unterminated template string", "t.hcl:3,1-1" },
		{ "b = 1 /* open\n", "Unterminated comment", "t.hcl:1,7-9" },
		{ "a = \"${x y}\"\n", "Extra characters after interpolation expression", "t.hcl:1,10-11" },
		{ "a = \"%{if x y}%{endif}\"\n", "Extra characters in if marker", "t.hcl:1,13-14" },
		{ "a b = 1\n", "Invalid block definition", "t.hcl:1,5-6" },
		{ "a b\n{}\n", "Invalid block definition", "t.hcl:1,4-2,1" },
		{ "a {} b = 1\n", "Missing newline after block definition", "t.hcl:1,6-7" },
		/* a compose file read as HCL, as buildx reports it: "c2.bar.hcl:2,1-9: Argument or block ..." */
		{ "\nservices:\n  app:\n", "Argument or block definition required", "t.hcl:2,1-9" },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hcl_file *f = NULL;
		hcl_diag d;
		char r[128];
		int rc = hcl_parse(&f, cases[i].src, strlen(cases[i].src), "t.hcl", &d);
		if (rc != ATMO_EINVALID || strcmp(d.summary, cases[i].summary) != 0 ||
		    strcmp(hcl_range_format(&d.subject, r, sizeof(r)), cases[i].range) != 0)
			fail_msg("case %zu %s: rc %d, got \"%s\" at %s; want \"%s\" at %s", i, cases[i].src, rc,
				 d.summary, r, cases[i].summary, cases[i].range);
		assert_null(f);
		assert_true(d.detail[0] != '\0');
	}
}

static void parse_error_details(void **state)
{
	static const struct { const char *src, *detail; } cases[] = {
		{ "a = \"%{if x}\"\n", "The if directive at t.hcl:1,6-13 is missing its corresponding endif directive." },
		{ "a = \"%{for v in x}%{endif}\"\n",
		  "Expecting an endfor directive corresponding to the for directive at t.hcl:1,6-19." },
		{ "a = \"${HOME:-/root}\"\n",
		  "Template interpolation doesn't expect a colon at this location. Did you intend this to be a literal "
		  "sequence to be processed as part of another language? If so, you can escape it by starting with "
		  "\"$${\" instead of just \"${\"." },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hcl_file *f = NULL;
		hcl_diag d;
		assert_int_equal(hcl_parse(&f, cases[i].src, strlen(cases[i].src), "t.hcl", &d), ATMO_EINVALID);
		assert_string_equal(d.detail, cases[i].detail);
	}
}

/* HCL's parser reads on past a body item it cannot read (to the next newline
 * outside brackets and strings) and reports every such line. */
static void parse_recovers_after_body_items(void **state)
{
	static const struct {
		const char *src, *range;
		size_t n_more;
	} cases[] = {
		{ "a: 1\n", "t.hcl:1,1-2", 0 },
		{ "services:\n  app:\n    v2: \"bar\"\nok = 1\n", "t.hcl:1,1-9", 2 },
		/* brackets and strings hide their newlines and braces */
		{ "x: \"a{ ${y} }\"\ny: [1,\n2]\nz = {\n}\n", "t.hcl:1,1-2", 1 },
		{ "x: (1 +\n 2) # c {\nb = 1\n", "t.hcl:1,1-2", 0 },
		/* an error past one recovered from is counted, and ends the reading */
		{ "a: 1\nb = \n", "t.hcl:1,1-2", 1 },
		{ "b {\n  c: 1\n  d: 2\n}\n", "t.hcl:2,3-4", 1 },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hcl_file *f = NULL;
		hcl_diag d;
		char r[128];
		int rc = hcl_parse(&f, cases[i].src, strlen(cases[i].src), "t.hcl", &d);
		if (rc != ATMO_EINVALID || f || strcmp(hcl_range_format(&d.subject, r, sizeof(r)), cases[i].range) ||
		    d.n_more != cases[i].n_more)
			fail_msg("case %zu: rc %d, %s: %s at %s and %zu more; want %s and %zu more", i, rc, d.summary,
				 d.detail, r, d.n_more, cases[i].range, cases[i].n_more);
	}
}

static void parse_limits(void **state)
{
	atmo_buf b = ATMO_BUF_INIT;
	hcl_file *f = NULL;
	hcl_diag d;
	int i;
	(void)state;
	atmo__buf_puts(&b, "a = ");
	for (i = 0; i < 5000; i++)
		atmo__buf_putc(&b, '[');
	assert_int_equal(hcl_parse(&f, b.ptr, b.len, "deep.hcl", &d), ATMO_ELIMIT);
	assert_null(f);
	assert_string_equal(d.subject.filename, "deep.hcl");
	assert_int_equal(d.subject.start.line, 1);
	atmo__buf_clear(&b);
	for (i = 0; i < 300; i++)
		atmo__buf_puts(&b, "b {\n");
	assert_int_equal(hcl_parse(&f, b.ptr, b.len, "deep.hcl", &d), ATMO_ELIMIT);
	/* trees deep without brackets: operator chains, splats, template directives */
	atmo__buf_clear(&b);
	atmo__buf_puts(&b, "a = 1");
	for (i = 0; i < 100000; i++)
		atmo__buf_puts(&b, " + 1");
	assert_int_equal(hcl_parse(&f, b.ptr, b.len, "deep.hcl", &d), ATMO_ELIMIT);
	atmo__buf_clear(&b);
	atmo__buf_puts(&b, "a = x");
	for (i = 0; i < 100000; i++)
		atmo__buf_puts(&b, "[*]");
	assert_int_equal(hcl_parse(&f, b.ptr, b.len, "deep.hcl", &d), ATMO_ELIMIT);
	atmo__buf_clear(&b);
	atmo__buf_puts(&b, "a = \"");
	for (i = 0; i < 100000; i++)
		atmo__buf_puts(&b, "%{if x}");
	atmo__buf_puts(&b, "\"\n");
	assert_int_equal(hcl_parse(&f, b.ptr, b.len, "deep.hcl", &d), ATMO_ELIMIT);
	/* a chain within the limit still parses */
	atmo__buf_clear(&b);
	atmo__buf_puts(&b, "a = 1");
	for (i = 0; i < 200; i++)
		atmo__buf_puts(&b, " + 1");
	assert_int_equal(hcl_parse(&f, b.ptr, b.len, "deep.hcl", &d), 0);
	hcl_file_free(f);
	atmo__buf_free(&b);
	/* the size check comes before any byte is read */
	assert_int_equal(hcl_parse(&f, "", ((size_t)64 << 20) + 1, "big.hcl", &d), ATMO_ELIMIT);
	assert_string_equal(d.summary, "Input too large");
}

/* ---- the evaluator ------------------------------------------------------------ */

typedef struct {
	const char *expr, *want;
} val_case;

static void eval_values(void **state)
{
	static const val_case cases[] = {
		{ "1 + 2 * 3 - 4 / 2", "5" },
		{ "11 % 4", "3" },
		{ "-n + 1", "-4" },
		{ "\"3\" + 1", "4" },
		{ "1 / 10", "0.1" },
		{ "1 < 2 && !false", "true" },
		{ "false || n == 5", "true" },
		{ "\"1\" == 1", "false" },
		{ "[1, \"a\"] == [1, \"a\"]", "true" },
		{ "{a = 1} != {a = 1}", "false" },
		{ "null == null", "true" },
		{ "TAG", "\"v1\"" },
		{ "\"${TAG}-${n}-${true}\"", "\"v1-5-true\"" },
		{ "\"${X}\"", "[\"a\",\"b\",\"c\"]" },
		{ "\"x%{ if n > 3 }big%{ else }small%{ endif }\"", "\"xbig\"" },
		{ "\"%{ for i, v in X }${i}${v},%{ endfor }\"", "\"0a,1b,2c,\"" },
		{ "\"  ${~ \"x\" ~}  \"", "\"x\"" },
		{ "\"$${a} %%{b}\"", "\"${a} %{b}\"" },
		{ "\"\\u00e9\\t\\\"\"", "\"\xc3\xa9\t\"\"" },
		{ "<<EOT\n  a\n   b\n  EOT\n", "\"  a\n   b\n\"" },
		{ "<<-EOT\n  a\n   ${TAG}\n  EOT\n", "\"a\n v1\n\"" },
		{ "[for i, v in X : \"${i}=${v}\" if v != \"a\"]", "[\"1=b\",\"2=c\"]" },
		{ "{for k, v in {a = 1, b = 2} : v => k}", "{1=\"a\",2=\"b\"}" },
		{ "{for v in X : \"k\" => v...}", "{k=[\"a\",\"b\",\"c\"]}" },
		{ "[for k, v in O : k]", "[\"x\",\"y\"]" },
		{ "[{a = 1}, {a = 2}].*.a", "[1,2]" },
		{ "[{a = [1]}, {a = [2]}][*].a[0]", "[1,2]" },
		{ "O[*].x", "[1]" },
		{ "null[*]", "[]" },
		{ "X.1", "\"b\"" },
		{ "X[2]", "\"c\"" },
		{ "X[\"1\"]", "\"b\"" },
		{ "O[\"y\"]", "\"z\"" },
		{ "O.x", "1" },
		{ "{x = {y = 5}}[TAG == \"v1\" ? \"x\" : \"q\"].y", "5" },
		{ "upper(TAG)", "\"V1\"" },
		{ "concat(X, [\"d\"])", "[\"a\",\"b\",\"c\",\"d\"]" },
		{ "max([1, 5, 3]...)", "5" },
		{ "n > 3 ? \"big\" : \"small\"", "\"big\"" },
		{ "true ? 1 : \"x\"", "\"1\"" },
		{ "false ? nosuch : 2", "2" },
		{ "true ? null : \"s\"", "null" },
		{ "try(nosuch, X[9], \"fallback\")", "\"fallback\"" },
		{ "try(X[0], \"fallback\")", "\"a\"" },
		{ "can(nosuch)", "false" },
		{ "can(X[0])", "true" },
		{ "{(TAG) = 1, TAG = 2, \"q\" = 3, true = 4}", "{TAG=2,q=3,true=4,v1=1}" },
		{ "(1 + 2) * 3", "9" },
		{ "\"x${null == null}\"", "\"xtrue\"" },
		{ "3.0", "3" },
		{ "1e3", "1000" },
		{ "\"\"", "\"\"" },
		{ "\"an\xcc\x83o\"", "\"a\xc3\xb1o\"" },          /* NFC, as HCL normalizes literals */
		{ "\"\xe1\x84\x80\xe1\x85\xa1\"", "\"\xea\xb0\x80\"" }, /* Hangul L+V composes */
		{ "[]", "[]" },
		{ "{}", "{}" },
	};
	char src[1024];
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		atmo_buf text = ATMO_BUF_INIT;
		hcl_diag d;
		int rc;
		snprintf(src, sizeof(src),
			 "TAG = \"v1\"\nn = 5\nX = [\"a\", \"b\", \"c\"]\nO = {x = 1, y = \"z\"}\nr = %s\n",
			 cases[i].expr);
		rc = eval_attr(src, "r", &text, &d);
		if (rc || strcmp(atmo__buf_cstr(&text), cases[i].want) != 0)
			fail_msg("case %zu %s: rc %d (%s; %s), got %s want %s", i, cases[i].expr, rc, d.summary,
				 d.detail, atmo__buf_cstr(&text), cases[i].want);
		atmo__buf_free(&text);
	}
}

static void eval_errors_located(void **state)
{
	/* each expression sits on line 2 of "n = 5\nr = EXPR\n", starting at column 5 */
	static const err_case cases[] = {
		{ "nosuch", "Unknown variable", "t.hcl:2,5-11" },
		{ "nosuch.attr", "Unknown variable", "t.hcl:2,5-11" },
		{ "{a = 1}.b", "Unsupported attribute", "t.hcl:2,12-14" },
		{ "\"s\".b", "Unsupported attribute", "t.hcl:2,8-10" },
		{ "[1][5]", "Invalid index", "t.hcl:2,8-11" },
		{ "[1][n]", "Invalid index", "t.hcl:2,8-11" },
		{ "{a = 1}[\"b\"]", "Invalid index", "t.hcl:2,12-17" },
		{ "null.a", "Attempt to get attribute from null value", "t.hcl:2,9-11" },
		{ "\"${null}x\"", "Invalid template interpolation value", "t.hcl:2,8-12" },
		{ "\"${[1]}x\"", "Invalid template interpolation value", "t.hcl:2,8-11" },
		{ "1 + \"x\"", "Invalid operand", "t.hcl:2,9-12" },
		{ "!1", "Invalid operand", "t.hcl:2,6-7" },
		{ "null + 1", "Operation failed", "t.hcl:2,5-13" },
		{ "nofn(1)", "Call to unknown function", "t.hcl:2,5-9" },
		{ "upper(1, 2)", "Too many function arguments", "t.hcl:2,14-15" },
		{ "upper()", "Not enough function arguments", "t.hcl:2,11-12" },
		{ "upper([1])", "Invalid function argument", "t.hcl:2,11-14" },
		{ "upper(n...)", "Invalid expanding argument value", "t.hcl:2,11-12" },
		{ "true ? {a = 1} : [1]", "Inconsistent conditional result types", "t.hcl:2,12-25" },
		{ "null ? 1 : 2", "Null condition", "t.hcl:2,5-9" },
		{ "\"x\" ? 1 : 2", "Incorrect condition type", "t.hcl:2,5-8" },
		{ "true ? nosuch : 1", "Unknown variable", "t.hcl:2,12-18" },
		{ "{for v in [1, 1] : v => v}", "Duplicate object key", "t.hcl:2,24-25" },
		{ "[for v in null : v]", "Iteration over null value", "t.hcl:2,15-19" },
		{ "[for v in 1 : v]", "Iteration over non-iterable value", "t.hcl:2,15-16" },
		{ "[for v in [1] : v if v]", "Invalid 'for' condition", "t.hcl:2,26-27" },
		{ "{for v in [1] : null => v}", "Invalid object key", "t.hcl:2,21-25" },
		{ "{(null) = 1}", "Null value as key", "t.hcl:2,6-12" },
		{ "{([1]) = 1}", "Incorrect key type", "t.hcl:2,6-11" },
		{ "try(nosuch, X)", "Error in function call", "t.hcl:2,5-19" },
		{ "0 / 0", "Operation failed", "t.hcl:2,5-10" },
		{ "setunion([1], [2])[0]", "Invalid index", "t.hcl:2,23-26" },
	};
	char src[512];
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		atmo_buf text = ATMO_BUF_INIT;
		hcl_diag d;
		char r[128];
		int rc;
		snprintf(src, sizeof(src), "n = 5\nr = %s\n", cases[i].src);
		rc = eval_attr(src, "r", &text, &d);
		if (rc != ATMO_EINVALID || strcmp(d.summary, cases[i].summary) != 0 ||
		    strcmp(hcl_range_format(&d.subject, r, sizeof(r)), cases[i].range) != 0)
			fail_msg("case %zu %s: rc %d, got \"%s\" (%s) at %s; want \"%s\" at %s", i, cases[i].src, rc,
				 d.summary, d.detail, r, cases[i].summary, cases[i].range);
		assert_true(d.detail[0] != '\0');
		atmo__buf_free(&text);
	}
}

/* HCL evaluates the other items of a constructor, template or call after one
 * fails and reports every diagnostic: the first is kept, the others counted. */
static void eval_collects_diagnostics(void **state)
{
	static const struct {
		const char *src, *summary, *range;
		size_t n_more;
	} cases[] = {
		{ "[nosuch]", "Unknown variable", "t.hcl:2,6-12", 0 },
		{ "[x1, 1, x2]", "Unknown variable", "t.hcl:2,6-8", 1 },
		{ "{a = x1, b = x2, c = x3}", "Unknown variable", "t.hcl:2,10-12", 2 },
		{ "\"${x1}-${x2}\"", "Unknown variable", "t.hcl:2,8-10", 1 },
		{ "upper(\"${x1}${x2}\")", "Unknown variable", "t.hcl:2,14-16", 1 },
		{ "[{a = x1}, \"${x2}\", upper(x3)]", "Unknown variable", "t.hcl:2,11-13", 2 },
		/* a key that fails skips its value, as HCL's ObjectConsExpr does */
		{ "{(null) = x1, b = x2}", "Null value as key", "t.hcl:2,6-12", 1 },
		/* a traversal of a failed value adds nothing */
		{ "[x1.a.b, x2[0]]", "Unknown variable", "t.hcl:2,6-8", 1 },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		atmo_buf text = ATMO_BUF_INIT;
		char src[256], r[128];
		hcl_diag d;
		int rc;
		snprintf(src, sizeof(src), "n = 5\nr = %s\n", cases[i].src);
		rc = eval_attr(src, "r", &text, &d);
		if (rc != ATMO_EINVALID || strcmp(d.summary, cases[i].summary) != 0 ||
		    strcmp(hcl_range_format(&d.subject, r, sizeof(r)), cases[i].range) != 0 ||
		    d.n_more != cases[i].n_more)
			fail_msg("case %zu %s: rc %d, got \"%s\" at %s and %zu more; want \"%s\" at %s and %zu more",
				 i, cases[i].src, rc, d.summary, r, d.n_more, cases[i].summary, cases[i].range,
				 cases[i].n_more);
		atmo__buf_free(&text);
	}
	{
		atmo_buf text = ATMO_BUF_INIT;
		atmo_error err;
		hcl_diag d;
		atmo_error_clear(&err);
		assert_int_equal(eval_attr("r = [x1, x2, x3]\n", "r", &text, &d), ATMO_EINVALID);
		hcl_diag_to_error(&d, &err);
		assert_string_equal(err.text, "Unknown variable; There is no variable named \"x1\"., and 2 other diagnostic(s)");
		atmo__buf_free(&text);
	}
	{
		/* a failed lookup (a = a loops) stops collecting, unless try() caught it */
		atmo_buf text = ATMO_BUF_INIT;
		hcl_diag d;
		assert_int_equal(eval_attr("a = a\nr = [try(a, 1), x1, x2]\n", "r", &text, &d), ATMO_EINVALID);
		assert_string_equal(d.summary, "Unknown variable");
		assert_int_equal(d.n_more, 1);
		atmo__buf_free(&text);
	}
}

static void eval_without_scope(void **state)
{
	hcl_file *f = parse_ok("a = x\nb = upper(\"x\")\nc = [1, \"two\", {k = true}]\no = {\"B\" : upper(\"x\")}\n");
	hcl_body *b = hcl_file_body(f);
	hcl_value *v = NULL;
	hcl_diag d;
	(void)state;
	assert_int_equal(hcl_eval(attr(b, "a")->expr, NULL, &v, &d), ATMO_EINVALID);
	assert_string_equal(d.summary, "Variables not allowed");
	assert_int_equal(hcl_eval(attr(b, "b")->expr, NULL, &v, &d), ATMO_EINVALID);
	assert_string_equal(d.summary, "Function calls not allowed");
	/* a failing value after a string key: the key is released once (ASan found a double release) */
	assert_int_equal(hcl_eval(attr(b, "o")->expr, NULL, &v, &d), ATMO_EINVALID);
	assert_string_equal(d.summary, "Function calls not allowed");
	assert_int_equal(hcl_eval(attr(b, "c")->expr, NULL, &v, &d), 0);
	assert_int_equal(hcl_value_length(v), 3);
	hcl_value_unref(v);
	hcl_file_free(f);
}

static void eval_string_doubling_stops(void **state)
{
	atmo_buf src = ATMO_BUF_INIT;
	atmo_buf text = ATMO_BUF_INIT;
	hcl_diag d;
	char r[128];
	int i;
	(void)state;
	atmo__buf_puts(&src, "V0 = \"0123456789abcdef0123456789abcdef\"\n");
	for (i = 1; i <= 40; i++)
		atmo__buf_printf(&src, "V%d = \"${V%d}${V%d}\"\n", i, i - 1, i - 1);
	assert_int_equal(eval_attr(src.ptr, "V40", &text, &d), ATMO_ELIMIT);
	assert_string_equal(d.summary, "String too long");
	/* the first string past 1 MiB: 32 bytes * 2^16 = 2 MiB, V16 on line 17 */
	assert_string_equal(hcl_range_format(&d.subject, r, sizeof(r)), "t.hcl:17,7-21");
	atmo__buf_free(&src);
	atmo__buf_free(&text);
}

static void eval_shared_doubling_stops(void **state)
{
	atmo_buf src = ATMO_BUF_INIT;
	atmo_buf text = ATMO_BUF_INIT;
	hcl_diag d;
	int i;
	(void)state;
	/* [V, V] shares V: cheap to build, 2^40 elements to walk */
	atmo__buf_puts(&src, "V0 = [1]\n");
	for (i = 1; i <= 40; i++)
		atmo__buf_printf(&src, "V%d = [V%d, V%d]\n", i, i - 1, i - 1);
	assert_int_equal(eval_attr(src.ptr, "V40", &text, &d), ATMO_ELIMIT);
	assert_string_equal(d.summary, "Value too large");
	assert_int_equal(d.subject.start.line, 20); /* V19: 3 * 2^19 - 1 values, past 2^20 */
	atmo__buf_free(&src);
	atmo__buf_free(&text);
}

static void eval_budget_stops(void **state)
{
	hcl_file *f = parse_ok("r = [for i in range(1000) : [for j in range(1000) : i * j]]\n");
	hcl_ctx c;
	hcl_value *v = NULL;
	hcl_diag d;
	(void)state;
	memset(&c, 0, sizeof(c));
	c.budget = 1 << 20;
	assert_int_equal(hcl_eval(attr(hcl_file_body(f), "r")->expr, &c, &v, &d), ATMO_ELIMIT);
	assert_null(v);
	assert_string_equal(d.summary, "Evaluation too expensive");
	assert_int_equal(d.subject.start.line, 1);
	hcl_file_free(f);
}

/* A lookup that reports a cycle the way the bake reader does. */
static int cycle_lookup(void *payload, const hcl_traversal *t, hcl_value **out, hcl_diag *diag)
{
	(void)payload;
	(void)out;
	if (strcmp(t->root, "FOO") != 0)
		return 1;
	memset(diag, 0, sizeof(*diag));
	diag->subject = t->range;
	snprintf(diag->summary, sizeof(diag->summary), "Invalid expression");
	snprintf(diag->detail, sizeof(diag->detail), "variable cycle not allowed for %s", t->root);
	return -1;
}

static void eval_lookup_error_and_parent(void **state)
{
	hcl_file *f = parse_ok("a = \"x\"\n\n\n\n\n\n\n\nb = \"${upper(FOO)}\"\nc = BAR\n");
	hcl_ctx parent, child;
	hcl_value *v = NULL;
	hcl_diag d;
	atmo_error e;
	char r[128], text[600];
	(void)state;
	memset(&parent, 0, sizeof(parent));
	memset(&child, 0, sizeof(child));
	parent.lookup = cycle_lookup;
	child.parent = &parent;
	assert_int_equal(hcl_eval(attr(hcl_file_body(f), "b")->expr, &child, &v, &d), ATMO_EINVALID);
	assert_string_equal(hcl_range_format(&d.subject, r, sizeof(r)), "t.hcl:9,14-17");
	atmo_error_clear(&e);
	assert_int_equal(hcl_diag_to_error(&d, &e), ATMO_EINVALID);
	assert_string_equal(atmo_error_format(&e, text, sizeof(text)),
			    "t.hcl:9:14: Invalid expression; variable cycle not allowed for FOO");
	assert_int_equal(e.offset, 28);
	/* no diag from the caller: the lookup still has one to write */
	assert_int_equal(hcl_eval(attr(hcl_file_body(f), "b")->expr, &child, &v, NULL), ATMO_EINVALID);
	assert_int_equal(hcl_eval(attr(hcl_file_body(f), "c")->expr, &child, &v, &d), ATMO_EINVALID);
	assert_string_equal(d.summary, "Unknown variable");
	assert_string_equal(d.detail, "There is no variable named \"BAR\".");
	/* an unknown function near a library name gets HCL's suggestion */
	{
		atmo_buf out = ATMO_BUF_INIT;
		hcl_diag d2;
		assert_int_equal(eval_attr("r = uper(\"x\")\n", "r", &out, &d2), ATMO_EINVALID);
		assert_string_equal(d2.detail, "There is no function named \"uper\". Did you mean \"upper\"?");
		assert_int_equal(eval_attr("r = zzzzzz(1)\n", "r", &out, &d2), ATMO_EINVALID);
		assert_string_equal(d2.detail, "There is no function named \"zzzzzz\".");
		atmo__buf_free(&out);
	}
	hcl_file_free(f);
}

/* A scope where every name is unknown (as an unknown of any type). */
static int unknown_lookup(void *payload, const hcl_traversal *t, hcl_value **out, hcl_diag *diag)
{
	(void)payload;
	(void)t;
	(void)diag;
	*out = hcl_unknown(NULL);
	return 0;
}

static void eval_unknown_values(void **state)
{
	static const char *const exprs[] = {
		"u + 1", "u == 1", "!u", "\"a${u}b\"", "u ? 1 : 2", "[for x in u : x]", "u[*].a", "u.a.b", "u[0]",
		"upper(u)", "{(u) = 1}", "try(u, 1)", "\"%{ if u }x%{ endif }\"",
	};
	char src[256];
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		hcl_file *f;
		hcl_ctx c;
		hcl_value *v = NULL;
		hcl_diag d;
		int rc;
		snprintf(src, sizeof(src), "r = %s\n", exprs[i]);
		f = parse_ok(src);
		memset(&c, 0, sizeof(c));
		c.lookup = unknown_lookup;
		rc = hcl_eval(attr(hcl_file_body(f), "r")->expr, &c, &v, &d);
		if (rc != 0 || hcl_value_is_wholly_known(v))
			fail_msg("%s: rc %d (%s; %s), the result should be unknown", exprs[i], rc, d.summary, d.detail);
		hcl_value_unref(v);
		hcl_file_free(f);
	}
	/* can() of an unknown is an unknown bool; a known left side of && still decides */
	{
		hcl_file *f = parse_ok("a = can(u)\nb = false && u\n");
		hcl_ctx c;
		hcl_value *v = NULL;
		hcl_diag d;
		memset(&c, 0, sizeof(c));
		c.lookup = unknown_lookup;
		assert_int_equal(hcl_eval(attr(hcl_file_body(f), "a")->expr, &c, &v, &d), 0);
		assert_true(v->is_unknown && v->type->kind == HCL_T_BOOL);
		hcl_value_unref(v);
		assert_int_equal(hcl_eval(attr(hcl_file_body(f), "b")->expr, &c, &v, &d), 0);
		assert_true(!v->is_unknown && v->u.b == 0);
		hcl_value_unref(v);
		hcl_file_free(f);
	}
}

typedef struct {
	char names[16][64];
	size_t steps[16];
	int n;
} seen_vars;

static int collect_var(const hcl_traversal *t, void *payload)
{
	seen_vars *s = payload;
	if (s->n < 16) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", t->root);
		s->steps[s->n] = t->n_steps;
		s->n++;
	}
	return 0;
}

static void expr_variables(void **state)
{
	hcl_file *f = parse_ok(
		"r = \"${a.b[0]} ${[for x, y in c : x + y + d]} ${f(e...)} ${{k = 1, (g) = 2}} ${h[*].i}\"\n");
	seen_vars s;
	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(hcl_expr_variables(attr(hcl_file_body(f), "r")->expr, collect_var, &s), 0);
	assert_int_equal(s.n, 6);
	assert_string_equal(s.names[0], "a");
	assert_int_equal(s.steps[0], 2);
	assert_string_equal(s.names[1], "c");
	assert_string_equal(s.names[2], "d");
	assert_string_equal(s.names[3], "e");
	assert_string_equal(s.names[4], "g");
	assert_string_equal(s.names[5], "h");
	hcl_file_free(f);
}

static void type_constraints(void **state)
{
	hcl_file *f = parse_ok("a = list(string)\nb = object({x = string, y = optional(number)})\n"
			       "c = map(tuple([bool, any]))\nd = lizt(string)\ne = optional(string)\nf = \"s\"\n"
			       "g = lower(\"bool\")\nh = boolean\n");
	hcl_body *b = hcl_file_body(f);
	hcl_type *t = NULL;
	hcl_diag d;
	char buf[128];
	(void)state;
	assert_int_equal(hcl_eval_type(attr(b, "a")->expr, &t, &d), 0);
	assert_string_equal(hcl_type_expr(t, buf, sizeof(buf)), "list(string)");
	hcl_type_unref(t);
	assert_int_equal(hcl_eval_type(attr(b, "b")->expr, &t, &d), 0);
	assert_string_equal(hcl_type_expr(t, buf, sizeof(buf)), "object({x=string,y=optional(number)})");
	hcl_type_unref(t);
	assert_int_equal(hcl_eval_type(attr(b, "c")->expr, &t, &d), 0);
	assert_string_equal(hcl_type_expr(t, buf, sizeof(buf)), "map(tuple([bool,any]))");
	hcl_type_unref(t);
	assert_int_equal(hcl_eval_type(attr(b, "d")->expr, &t, &d), ATMO_EINVALID);
	assert_string_equal(d.summary, "Invalid type specification");
	assert_int_equal(d.subject.start.line, 4);
	/* the whole call is the subject, as buildx prints it: "3,18-31: ... Keyword "lower" ..." */
	assert_int_equal(hcl_eval_type(attr(b, "g")->expr, &t, &d), ATMO_EINVALID);
	assert_string_equal(hcl_range_format(&d.subject, buf, sizeof(buf)), "t.hcl:7,5-18");
	assert_string_equal(d.detail, "Keyword \"lower\" is not a valid type constructor.");
	assert_int_equal(hcl_eval_type(attr(b, "h")->expr, &t, &d), ATMO_EINVALID);
	assert_string_equal(d.detail, "The keyword \"boolean\" is not a valid type specification.");
	assert_int_equal(hcl_eval_type(attr(b, "e")->expr, &t, &d), ATMO_EINVALID);
	assert_int_equal(hcl_eval_type(attr(b, "f")->expr, &t, &d), ATMO_EINVALID);
	hcl_file_free(f);
}

static void range_format_forms(void **state)
{
	hcl_range r;
	char buf[64];
	(void)state;
	memset(&r, 0, sizeof(r));
	r.filename = "f";
	r.start.line = 1;
	r.start.column = 2;
	r.end.line = 3;
	r.end.column = 4;
	assert_string_equal(hcl_range_format(&r, buf, sizeof(buf)), "f:1,2-3,4");
	r.end.line = 1;
	assert_string_equal(hcl_range_format(&r, buf, sizeof(buf)), "f:1,2-4");
}

/* ---- JSON ------------------------------------------------------------------------ */

static void json_syntax(void **state)
{
	static const hcl_json_block_spec blocks[] = {
		{ "variable", 1, NULL }, { "target", 1, NULL }, { "group", 1, NULL },
	};
	static const hcl_json_schema schema = { blocks, 3 };
	const char *src = "{\n"
			  "  \"//\": \"a comment\",\n"
			  "  \"variable\": {\"TAG\": {\"default\": \"v1\"}},\n"
			  "  \"target\": {\n"
			  "    \"app\": {\"tags\": [\"x:${upper(\\\"a\\\")}\", 2], \"n\": \"${1 + 2}\"},\n"
			  "    \"db\": [{\"context\": \".\"}, {\"context\": \"sub\"}]\n"
			  "  },\n"
			  "  \"top\": {\"k\": true}\n"
			  "}\n";
	hcl_file *f = NULL;
	hcl_diag d;
	hcl_body *b;
	hcl_ctx c;
	hcl_value *v;
	atmo_buf text = ATMO_BUF_INIT;
	char r[128];
	const char *kw;
	(void)state;
	assert_int_equal(hcl_parse_json(&f, src, strlen(src), "x.json", &schema, &d), 0);
	b = hcl_file_body(f);
	assert_int_equal(b->n_attrs, 1);
	assert_string_equal(b->attrs[0].name, "top");
	assert_int_equal(b->n_blocks, 4);
	assert_string_equal(b->blocks[0].type, "variable");
	assert_string_equal(b->blocks[0].labels[0], "TAG");
	assert_string_equal(b->blocks[1].labels[0], "app");
	assert_string_equal(b->blocks[2].labels[0], "db");
	assert_string_equal(b->blocks[3].labels[0], "db");
	assert_string_equal(hcl_range_format(&b->blocks[1].label_ranges[0], r, sizeof(r)), "x.json:5,5-10");
	memset(&c, 0, sizeof(c));
	assert_int_equal(hcl_eval(attr(b->blocks[1].body, "tags")->expr, &c, &v, &d), 0);
	dump(v, &text);
	hcl_value_unref(v);
	assert_string_equal(atmo__buf_cstr(&text), "[\"x:A\",2]");
	atmo__buf_clear(&text);
	assert_int_equal(hcl_eval(attr(b->blocks[1].body, "n")->expr, &c, &v, &d), 0);
	dump(v, &text);
	hcl_value_unref(v);
	assert_string_equal(atmo__buf_cstr(&text), "3");
	/* a type in JSON is a string of native syntax */
	{
		static const char tsrc[] = "{\"a\": \"list(string)\", \"b\": \"lizt(x)\"}";
		hcl_file *tf = NULL;
		hcl_type *t = NULL;
		char buf[64];
		assert_int_equal(hcl_parse_json(&tf, tsrc, strlen(tsrc), "t.json", NULL, &d), 0);
		assert_int_equal(hcl_eval_type(attr(hcl_file_body(tf), "a")->expr, &t, &d), 0);
		assert_string_equal(hcl_type_expr(t, buf, sizeof(buf)), "list(string)");
		hcl_type_unref(t);
		assert_int_equal(hcl_eval_type(attr(hcl_file_body(tf), "b")->expr, &t, &d), ATMO_EINVALID);
		assert_string_equal(hcl_range_format(&d.subject, buf, sizeof(buf)), "t.json:1,28-37");
		hcl_file_free(tf);
	}
	/* without a scope, JSON strings are literal (HCL's literal-only mode) */
	atmo__buf_clear(&text);
	assert_int_equal(hcl_eval(attr(b->blocks[1].body, "tags")->expr, NULL, &v, &d), 0);
	dump(v, &text);
	hcl_value_unref(v);
	assert_string_equal(atmo__buf_cstr(&text), "[\"x:${upper(\"a\")}\",2]");
	assert_int_equal(hcl_expr_as_keyword(attr(b->blocks[2].body, "context")->expr, &kw), 1);
	assert_string_equal(kw, ".");
	atmo__buf_free(&text);
	hcl_file_free(f);
}

static void json_errors_located(void **state)
{
	static const err_case cases[] = {
		{ "{\"a\": [1,]}", "Trailing comma in array", "j.json:1,10-11" },
		{ "{\"a\" 1}", "Missing property value colon", "j.json:1,6-7" },
		{ "{\"a\": tru}", "Invalid JSON keyword", "j.json:1,7-10" },
		{ "{\"a\": 1 \"b\": 2}", "Missing attribute seperator comma", "j.json:1,9-10" },
		{ "{\"a\": \"x\ny\"}", "Invalid JSON string", "j.json:1,7-9" },
		{ "{\"target\": 1}", "Incorrect JSON value type", "j.json:1,12-13" },
		{ "{\"a\": \"${\"}", "Missing expression", "j.json:1,10-10" },
		{ "{\"a\": 1, \"a\": 2}", "Duplicate argument", "j.json:1,10-13" },
		{ "[1]", "Incorrect JSON value type", "j.json:1,2-3" },
		{ "{} x", "Extraneous data after value", "j.json:1,4-5" },
		{ "", "Missing JSON value", "j.json:1,1-1" },
	};
	static const hcl_json_block_spec blocks[] = { { "target", 1, NULL } };
	static const hcl_json_schema schema = { blocks, 1 };
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hcl_file *f = NULL;
		hcl_diag d;
		char r[128];
		int rc = hcl_parse_json(&f, cases[i].src, strlen(cases[i].src), "j.json", &schema, &d);
		if (rc != ATMO_EINVALID || strcmp(d.summary, cases[i].summary) != 0 ||
		    strcmp(hcl_range_format(&d.subject, r, sizeof(r)), cases[i].range) != 0)
			fail_msg("case %zu %s: rc %d, got \"%s\" at %s; want \"%s\" at %s", i, cases[i].src, rc,
				 d.summary, r, cases[i].summary, cases[i].range);
		assert_null(f);
	}
}

/* ---- HCL's specsuite ---------------------------------------------------------------
 *
 * Each case NAME.t says what reading NAME.hcl gives: a result (with its type)
 * or diagnostics with ranges. The decoding spec NAME.hcldec is read by a small
 * hcldec of our own below (literal, object, attr, block, block_list,
 * block_map: what the suite uses). Numbers are compared to 1e-12 relative
 * precision: cty's numbers are big floats, ours doubles.
 */

typedef struct {
	hcl_file *spec_file;
	const hcl_body *vars;   /* the .hcldec's variables block */
} suite_ctx;

static int suite_lookup(void *payload, const hcl_traversal *t, hcl_value **out, hcl_diag *diag)
{
	const suite_ctx *s = payload;
	size_t i;
	(void)diag;
	for (i = 0; s->vars && i < s->vars->n_attrs; i++)
		if (strcmp(s->vars->attrs[i].name, t->root) == 0)
			return hcl_eval(s->vars->attrs[i].expr, NULL, out, diag) ? -1 : 0;
	return 1;
}

static const char *label_or_attr(const hcl_block *b, const char *attr_name)
{
	size_t i;
	const char *kw;
	if (b->n_labels)
		return b->labels[0];
	for (i = 0; i < b->body->n_attrs; i++)
		if (strcmp(b->body->attrs[i].name, attr_name) == 0 &&
		    b->body->attrs[i].expr && hcl_expr_as_keyword(b->body->attrs[i].expr, &kw) == 0) {
			hcl_value *v = NULL;
			hcl_diag d;
			static char buf[8][128];
			static int slot;
			if (hcl_eval(b->body->attrs[i].expr, NULL, &v, &d) == 0 && v->type->kind == HCL_T_STRING) {
				slot = (slot + 1) % 8;
				snprintf(buf[slot], sizeof(buf[slot]), "%s", v->u.str.s);
				hcl_value_unref(v);
				return buf[slot];
			}
			hcl_value_unref(v);
		}
	return NULL;
}

static const hcl_block *spec_child(const hcl_body *spec)
{
	size_t i;
	for (i = 0; i < spec->n_blocks; i++)
		if (strcmp(spec->blocks[i].type, "variables") != 0)
			return &spec->blocks[i];
	return NULL;
}

static int decode(const hcl_block *spec, const hcl_body *body, const hcl_ctx *c, hcl_value **out, hcl_diag *d);

/* Every attribute and block type of body must be named by an object spec (HCL's Content). */
static int check_unexpected(const hcl_block *spec, const hcl_body *body, hcl_diag *d)
{
	size_t i, j;
	for (i = 0; i < body->n_attrs; i++) {
		int known = 0;
		for (j = 0; j < spec->body->n_blocks && !known; j++) {
			const hcl_block *s = &spec->body->blocks[j];
			const char *n = label_or_attr(s, "name");
			known = strcmp(s->type, "attr") == 0 && n && strcmp(n, body->attrs[i].name) == 0;
		}
		if (!known) {
			memset(d, 0, sizeof(*d));
			d->code = ATMO_EINVALID;
			d->subject = body->attrs[i].name_range;
			snprintf(d->summary, sizeof(d->summary), "Unsupported argument");
			return ATMO_EINVALID;
		}
	}
	return 0;
}

static int decode_block_body(const hcl_block *spec, const hcl_body *body, const hcl_ctx *c, hcl_value **out,
			     hcl_diag *d)
{
	const hcl_block *inner = spec_child(spec->body);
	if (!inner) {
		*out = hcl_object(NULL, NULL, 0);
		return 0;
	}
	return decode(inner, body, c, out, d);
}

static int decode(const hcl_block *spec, const hcl_body *body, const hcl_ctx *c, hcl_value **out, hcl_diag *d)
{
	size_t i, j;
	int rc;
	if (strcmp(spec->type, "literal") == 0)
		return hcl_eval(attr(spec->body, "value")->expr, NULL, out, d);
	if (strcmp(spec->type, "object") == 0) {
		const char *keys[32];
		hcl_value *vals[32];
		size_t n = 0;
		if ((rc = check_unexpected(spec, body, d)) != 0)
			return rc;
		for (i = 0; i < spec->body->n_blocks && n < 32; i++) {
			const hcl_block *s = &spec->body->blocks[i];
			keys[n] = label_or_attr(s, strcmp(s->type, "attr") == 0 ? "name" : "block_type");
			if ((rc = decode(s, body, c, &vals[n], d)) != 0) {
				while (n-- > 0)
					hcl_value_unref(vals[n]);
				return rc;
			}
			n++;
		}
		*out = hcl_object(keys, vals, n);
		return 0;
	}
	if (strcmp(spec->type, "attr") == 0) {
		const char *name = label_or_attr(spec, "name");
		hcl_type *t = NULL;
		hcl_value *v = NULL;
		char msg[256];
		for (i = 0; i < spec->body->n_attrs; i++)
			if (strcmp(spec->body->attrs[i].name, "type") == 0 &&
			    hcl_eval_type(spec->body->attrs[i].expr, &t, d) != 0)
				return ATMO_EINVALID;
		for (i = 0; i < body->n_attrs; i++) {
			if (strcmp(body->attrs[i].name, name) == 0) {
				if ((rc = hcl_eval(body->attrs[i].expr, c, &v, d)) != 0) {
					hcl_type_unref(t);
					return rc;
				}
				break;
			}
		}
		if (!v) {
			*out = hcl_null(t);
			return 0;
		}
		*out = t ? hcl_convert(v, t, msg, sizeof(msg), NULL, 0) : hcl_value_ref(v);
		hcl_value_unref(v);
		hcl_type_unref(t);
		if (!*out) {
			memset(d, 0, sizeof(*d));
			snprintf(d->summary, sizeof(d->summary), "Incorrect attribute value type");
			return ATMO_EINVALID;
		}
		return 0;
	}
	if (strcmp(spec->type, "block") == 0 || strcmp(spec->type, "block_list") == 0) {
		const char *type = label_or_attr(spec, "block_type");
		hcl_value *items[64];
		size_t n = 0;
		for (i = 0; i < body->n_blocks && n < 64; i++) {
			if (strcmp(body->blocks[i].type, type) != 0)
				continue;
			if ((rc = decode_block_body(spec, body->blocks[i].body, c, &items[n], d)) != 0) {
				while (n-- > 0)
					hcl_value_unref(items[n]);
				return rc;
			}
			n++;
		}
		if (spec->type[5] == '\0') {
			for (j = 1; j < n; j++)
				hcl_value_unref(items[j]);
			*out = n ? items[0] : hcl_null(NULL);
			return 0;
		}
		*out = hcl_tuple(items, n);
		return 0;
	}
	if (strcmp(spec->type, "block_map") == 0) {
		/* one label level (what the suite uses): label -> body */
		const char *type = label_or_attr(spec, "block_type");
		const char *keys[64];
		hcl_value *vals[64];
		size_t n = 0;
		for (i = 0; i < body->n_blocks && n < 64; i++) {
			if (strcmp(body->blocks[i].type, type) != 0 || body->blocks[i].n_labels != 1)
				continue;
			keys[n] = body->blocks[i].labels[0];
			if ((rc = decode_block_body(spec, body->blocks[i].body, c, &vals[n], d)) != 0) {
				while (n-- > 0)
					hcl_value_unref(vals[n]);
				return rc;
			}
			n++;
		}
		*out = hcl_object(keys, vals, n);
		return 0;
	}
	memset(d, 0, sizeof(*d));
	snprintf(d->summary, sizeof(d->summary), "unsupported hcldec spec %s", spec->type);
	return ATMO_EUNSUPPORTED;
}

/* Structural equality, numbers to 1e-12 relative, objects and maps alike. */
static int same_value(const hcl_value *a, const hcl_value *b)
{
	size_t i;
	if (a->is_null || b->is_null)
		return a->is_null && b->is_null;
	if (a->type->kind == HCL_T_NUMBER && b->type->kind == HCL_T_NUMBER)
		return fabs(a->u.num - b->u.num) <= 1e-12 * fmax(1.0, fabs(b->u.num));
	if ((a->type->kind == HCL_T_MAP || a->type->kind == HCL_T_OBJECT) &&
	    (b->type->kind == HCL_T_MAP || b->type->kind == HCL_T_OBJECT)) {
		if (a->u.obj.n != b->u.obj.n)
			return 0;
		for (i = 0; i < a->u.obj.n; i++)
			if (strcmp(a->u.obj.keys[i], b->u.obj.keys[i]) != 0 ||
			    !same_value(a->u.obj.vals[i], b->u.obj.vals[i]))
				return 0;
		return 1;
	}
	if ((a->type->kind == HCL_T_LIST || a->type->kind == HCL_T_TUPLE || a->type->kind == HCL_T_SET) &&
	    (b->type->kind == HCL_T_LIST || b->type->kind == HCL_T_TUPLE || b->type->kind == HCL_T_SET)) {
		if (a->u.seq.n != b->u.seq.n)
			return 0;
		for (i = 0; i < a->u.seq.n; i++)
			if (!same_value(a->u.seq.items[i], b->u.seq.items[i]))
				return 0;
		return 1;
	}
	return hcl_value_equal(a, b);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* The n-th "error" block's from/to of the .t's diagnostics block, 0 when present. */
static int expected_error(const hcl_body *t, long *from_byte, long *to_byte, int *from_line, int *from_col)
{
	size_t i;
	for (i = 0; i < t->n_blocks; i++) {
		const hcl_body *diags = t->blocks[i].body;
		size_t j, k;
		if (strcmp(t->blocks[i].type, "diagnostics") != 0)
			continue;
		for (j = 0; j < diags->n_blocks; j++) {
			const hcl_body *err = diags->blocks[j].body;
			for (k = 0; k < err->n_blocks; k++) {
				const hcl_body *pos = err->blocks[k].body;
				hcl_value *line = NULL, *col = NULL, *byte = NULL;
				hcl_diag d;
				hcl_eval(attr(pos, "line")->expr, NULL, &line, &d);
				hcl_eval(attr(pos, "column")->expr, NULL, &col, &d);
				hcl_eval(attr(pos, "byte")->expr, NULL, &byte, &d);
				if (strcmp(err->blocks[k].type, "from") == 0) {
					*from_line = (int)line->u.num;
					*from_col = (int)col->u.num;
					*from_byte = (long)byte->u.num;
				} else {
					*to_byte = (long)byte->u.num;
				}
				hcl_value_unref(line);
				hcl_value_unref(col);
				hcl_value_unref(byte);
			}
			return 0;
		}
	}
	return -1;
}

/* One case: 1 passed, 0 failed (message printed). */
static int run_case(const char *dir, const char *base)
{
	char path[1024];
	char *tsrc = NULL, *src = NULL, *specsrc = NULL;
	size_t tlen, len, slen;
	hcl_file *tf = NULL, *f = NULL, *sf = NULL;
	hcl_diag d;
	int ok = 0, rc, want_error;
	long from_byte = -1, to_byte = -1;
	int from_line = 0, from_col = 0;
	const hcl_attr *result = NULL, *result_type = NULL;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s.t", dir, base);
	tsrc = slurp(path, &tlen);
	snprintf(path, sizeof(path), "%s/%s.hcl", dir, base);
	src = slurp(path, &len);
	snprintf(path, sizeof(path), "%s/%s.hcldec", dir, base);
	specsrc = slurp(path, &slen);
	if (!tsrc || !src || !specsrc) {
		printf("specsuite %s: missing files\n", base);
		goto done;
	}
	if (hcl_parse(&tf, tsrc, tlen, "case.t", &d) != 0 || hcl_parse(&sf, specsrc, slen, "case.hcldec", &d) != 0) {
		printf("specsuite %s: the .t or .hcldec does not parse: %s\n", base, d.summary);
		goto done;
	}
	for (i = 0; i < hcl_file_body(tf)->n_attrs; i++) {
		if (strcmp(hcl_file_body(tf)->attrs[i].name, "result") == 0)
			result = &hcl_file_body(tf)->attrs[i];
		if (strcmp(hcl_file_body(tf)->attrs[i].name, "result_type") == 0)
			result_type = &hcl_file_body(tf)->attrs[i];
	}
	want_error = expected_error(hcl_file_body(tf), &from_byte, &to_byte, &from_line, &from_col) == 0;
	rc = hcl_parse(&f, src, len, "case.hcl", &d);
	if (!rc) {
		/* decode through the .hcldec: schema errors count as diagnostics too */
		suite_ctx sc;
		hcl_ctx c;
		hcl_value *got = NULL;
		const hcl_block *spec = spec_child(hcl_file_body(sf));
		memset(&sc, 0, sizeof(sc));
		for (i = 0; i < hcl_file_body(sf)->n_blocks; i++)
			if (strcmp(hcl_file_body(sf)->blocks[i].type, "variables") == 0)
				sc.vars = hcl_file_body(sf)->blocks[i].body;
		memset(&c, 0, sizeof(c));
		c.lookup = suite_lookup;
		c.payload = &sc;
		rc = spec ? decode(spec, hcl_file_body(f), &c, &got, &d) : ATMO_EINVALID;
		if (!rc && result) {
			hcl_value *want = NULL, *conv = NULL;
			hcl_type *t = NULL;
			char msg[256];
			atmo_buf a = ATMO_BUF_INIT, b = ATMO_BUF_INIT;
			int same;
			hcl_eval(result->expr, NULL, &want, &d);
			if (result_type && hcl_eval_type(result_type->expr, &t, &d) != 0)
				printf("specsuite %s: result_type does not read: %s; %s\n", base, d.summary, d.detail);
			else if (result_type) {
				conv = hcl_convert(got, t, msg, sizeof(msg), NULL, 0);
				if (!conv)
					printf("specsuite %s: result does not convert to result_type: %s\n", base, msg);
				hcl_type_unref(t);
			}
			if (!want)
				printf("specsuite %s: the expected result does not evaluate: %s; %s\n", base, d.summary, d.detail);
			same = want && conv && same_value(conv, want);
			if (!same && want && conv) {
				dump(conv, &a);
				dump(want, &b);
				printf("specsuite %s: got %s\n  want %s\n", base, atmo__buf_cstr(&a), atmo__buf_cstr(&b));
			}
			if (!result_type && want)
				same = same_value(got, want);
			atmo__buf_free(&a);
			atmo__buf_free(&b);
			hcl_value_unref(want);
			hcl_value_unref(conv);
			hcl_value_unref(got);
			if (!same)
				goto done;
		} else if (!rc && result_type) {
			/* only a type: the decoded value must convert to it */
			hcl_type *t = NULL;
			char msg[256];
			hcl_value *conv = NULL;
			if (hcl_eval_type(result_type->expr, &t, &d) == 0)
				conv = hcl_convert(got, t, msg, sizeof(msg), NULL, 0);
			hcl_type_unref(t);
			hcl_value_unref(got);
			if (!conv) {
				printf("specsuite %s: result does not have result_type\n", base);
				goto done;
			}
			hcl_value_unref(conv);
		} else {
			hcl_value_unref(got);
		}
	}
	if (want_error) {
		if (!rc) {
			printf("specsuite %s: parsed, but an error was expected\n", base);
			goto done;
		}
		if (d.subject.start.byte != from_byte || d.subject.end.byte != to_byte ||
		    d.subject.start.line != from_line || d.subject.start.column != from_col) {
			printf("specsuite %s: error \"%s\" at byte %ld-%ld (%d,%d), want %ld-%ld (%d,%d)\n", base, d.summary,
			       d.subject.start.byte, d.subject.end.byte, d.subject.start.line, d.subject.start.column,
			       from_byte, to_byte, from_line, from_col);
			goto done;
		}
	} else if (rc) {
		printf("specsuite %s: unexpected error \"%s; %s\" at %d,%d\n", base, d.summary, d.detail,
		       d.subject.start.line, d.subject.start.column);
		goto done;
	}
	ok = 1;
done:
	hcl_file_free(tf);
	hcl_file_free(f);
	hcl_file_free(sf);
	free(tsrc);
	free(src);
	free(specsrc);
	return ok;
}

static void walk_suite(const char *dir, const char *rel, int *passed, int *total)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char names[64][256];
	int n = 0, i;
	if (!dh)
		return;
	while ((de = readdir(dh)) != NULL && n < 64) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(names[n++], sizeof(names[0]), "%s", de->d_name);
	}
	closedir(dh);
	for (i = 0; i < n; i++) {
		char sub[1024], subrel[1024];
		size_t l = strlen(names[i]);
		snprintf(sub, sizeof(sub), "%s/%s", dir, names[i]);
		snprintf(subrel, sizeof(subrel), "%s%s%s", rel, rel[0] ? "/" : "", names[i]);
		if (l > 2 && strcmp(names[i] + l - 2, ".t") == 0) {
			names[i][l - 2] = '\0';
			(*total)++;
			if (run_case(dir, names[i]))
				(*passed)++;
			else
				printf("specsuite: %s failed\n", subrel);
		} else if (!strchr(names[i], '.') && strcmp(names[i], "LICENSE") != 0 && strcmp(names[i], "README") != 0) {
			walk_suite(sub, subrel, passed, total);
		}
	}
}

static void hcl_specsuite(void **state)
{
	char dir[1024];
	int passed = 0, total = 0;
	(void)state;
	test_data_path(dir, sizeof(dir), "hcl-specsuite");
	walk_suite(dir, "", &passed, &total);
	printf("hcl specsuite: %d of %d cases passed\n", passed, total);
	assert_true(total >= 13);
	assert_int_equal(passed, total);
}

static void specsuite_json_empty(void **state)
{
	char path[1024];
	size_t len;
	char *src;
	hcl_file *f = NULL;
	hcl_diag d;
	(void)state;
	src = slurp(test_data_path(path, sizeof(path), "hcl-specsuite/empty.hcl.json"), &len);
	assert_non_null(src);
	assert_int_equal(hcl_parse_json(&f, src, len, "empty.hcl.json", NULL, &d), 0);
	assert_int_equal(hcl_file_body(f)->n_attrs + hcl_file_body(f)->n_blocks, 0);
	hcl_file_free(f);
	free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values_numbers),
		cmocka_unit_test(values_collections),
		cmocka_unit_test(parse_body_model),
		cmocka_unit_test(parse_expression_helpers),
		cmocka_unit_test(parse_errors_located),
		cmocka_unit_test(parse_error_details),
		cmocka_unit_test(parse_recovers_after_body_items),
		cmocka_unit_test(parse_limits),
		cmocka_unit_test(eval_values),
		cmocka_unit_test(eval_errors_located),
		cmocka_unit_test(eval_collects_diagnostics),
		cmocka_unit_test(eval_without_scope),
		cmocka_unit_test(eval_string_doubling_stops),
		cmocka_unit_test(eval_shared_doubling_stops),
		cmocka_unit_test(eval_budget_stops),
		cmocka_unit_test(eval_lookup_error_and_parent),
		cmocka_unit_test(eval_unknown_values),
		cmocka_unit_test(expr_variables),
		cmocka_unit_test(type_constraints),
		cmocka_unit_test(range_format_forms),
		cmocka_unit_test(json_syntax),
		cmocka_unit_test(json_errors_located),
		cmocka_unit_test(hcl_specsuite),
		cmocka_unit_test(specsuite_json_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
