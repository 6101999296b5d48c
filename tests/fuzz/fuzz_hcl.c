/* libFuzzer target: the HCL module. Parse the input as native syntax and as
 * JSON, then evaluate every attribute (with no scope, and with a scope whose
 * variables are all one small object and whose budget is small), walk its
 * variables and read it as a type. No input may crash, leak or trip a
 * sanitizer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/hcl.h"

static int lookup(void *payload, const hcl_traversal *t, hcl_value **out, hcl_diag *diag)
{
	const char *keys[2] = { "a", "b" };
	hcl_value *vals[2];
	(void)payload;
	(void)diag;
	if (t->root[0] == 'u')
		return 1; /* some names are unknown */
	vals[0] = hcl_cstring("x");
	vals[1] = hcl_number(2);
	*out = hcl_object(keys, vals, 2);
	return *out ? 0 : -1;
}

static int count_var(const hcl_traversal *t, void *payload)
{
	(void)t;
	(*(size_t *)payload)++;
	return 0;
}

static void eval_body(const hcl_body *b, int depth)
{
	size_t i;
	hcl_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.lookup = lookup;
	ctx.max_string = 1 << 16;
	ctx.budget = 1 << 20;
	for (i = 0; i < b->n_attrs; i++) {
		hcl_value *v = NULL;
		hcl_type *t = NULL;
		hcl_diag d;
		size_t nvars = 0;
		char buf[256];
		if (hcl_eval(b->attrs[i].expr, NULL, &v, &d) == 0)
			hcl_value_unref(v);
		else
			hcl_range_format(&d.subject, buf, sizeof(buf));
		if (hcl_eval(b->attrs[i].expr, &ctx, &v, &d) == 0)
			hcl_value_unref(v);
		hcl_expr_variables(b->attrs[i].expr, count_var, &nvars);
		if (hcl_eval_type(b->attrs[i].expr, &t, &d) == 0) {
			hcl_type_expr(t, buf, sizeof(buf));
			hcl_type_unref(t);
		}
	}
	if (depth < 16)
		for (i = 0; i < b->n_blocks; i++)
			eval_body(b->blocks[i].body, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const hcl_json_block_spec blocks[] = {
		{ "target", 1, NULL }, { "group", 1, NULL }, { "variable", 1, NULL }, { "b", 0, NULL },
	};
	static const hcl_json_schema schema = { blocks, 4 };
	hcl_file *f = NULL;
	hcl_diag d;
	if (hcl_parse(&f, (const char *)data, size, "fuzz.hcl", &d) == 0) {
		eval_body(hcl_file_body(f), 0);
		hcl_file_free(f);
	}
	if (hcl_parse_json(&f, (const char *)data, size, "fuzz.json", &schema, &d) == 0) {
		eval_body(hcl_file_body(f), 0);
		hcl_file_free(f);
	}
	return 0;
}
