/*
 * User functions (`function "name" { params = [a, b] variadic_param = c
 * result = ... }`) as buildx's hclparser defines them: the result is
 * evaluated in a scope of the parameters over the global scope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/bake_hcl_int.h"
#include "util/alloc.h"

struct bake_func {
	hcl_func f;
	hcl_param *params;
	size_t n_params;
	hcl_param var;
	const hcl_block *blk;
	bake_parser *p;
	const hcl_expr *result;
	int active; /* being evaluated: a call of itself is a cycle */
};

typedef struct call_scope {
	bake_func *fn;
	hcl_value *const *args;
	size_t n;
	hcl_value *rest; /* the variadic tuple */
} call_scope;

static hcl_attr *attr_of(const hcl_body *b, const char *name)
{
	size_t i;

	for (i = b->n_attrs; i-- > 0;)
		if (!strcmp(b->attrs[i].name, name))
			return &b->attrs[i];
	return NULL;
}

static int scope_lookup(void *payload, const hcl_traversal *t, hcl_value **out, hcl_diag *diag)
{
	call_scope *s = payload;
	size_t i;

	(void)diag;
	for (i = 0; i < s->fn->n_params; i++)
		if (!strcmp(s->fn->params[i].name, t->root)) {
			*out = hcl_value_ref(s->args[i]);
			return 0;
		}
	if (s->fn->f.varparam && !strcmp(s->fn->var.name, t->root)) {
		*out = hcl_value_ref(s->rest);
		return 0;
	}
	return 1;
}

static int scope_func(void *payload, const char *name, const hcl_func **out, hcl_diag *diag)
{
	(void)payload;
	(void)name;
	(void)out;
	(void)diag;
	return 1;
}

static int call_impl(void *payload, hcl_value *const *args, size_t n, hcl_value **out,
		     hcl_func_error *e)
{
	bake_func *fn = payload;
	bake_parser *p = fn->p;
	call_scope s;
	hcl_ctx ctx;
	hcl_value **rest = NULL;
	size_t i, nr = n > fn->n_params ? n - fn->n_params : 0;
	int rc;

	if (fn->active) {
		e->arg = -1;
		snprintf(e->msg, sizeof(e->msg), "function cycle not allowed for %s", fn->f.name);
		return -1;
	}
	rest = atmo__calloc(nr + 1, sizeof(*rest), NULL);
	if (!rest) {
		snprintf(e->msg, sizeof(e->msg), "out of memory");
		return -1;
	}
	for (i = 0; i < nr; i++)
		rest[i] = hcl_value_ref(args[fn->n_params + i]);
	s.fn = fn;
	s.args = args;
	s.n = n;
	s.rest = hcl_tuple(rest, nr);
	atmo__free(rest);
	if (!s.rest) {
		snprintf(e->msg, sizeof(e->msg), "out of memory");
		return -1;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.lookup = scope_lookup;
	ctx.func = scope_func;
	ctx.payload = &s;
	ctx.parent = &p->ctx;
	ctx.max_string = p->ctx.max_string;
	ctx.budget = p->ctx.budget;
	fn->active = 1;
	rc = atmo__bake_eval(p, fn->result, &ctx, out);
	fn->active = 0;
	hcl_value_unref(s.rest);
	if (rc < 0) {
		e->arg = -1;
		snprintf(e->msg, sizeof(e->msg), "%.500s", p->diag.detail);
		return -1;
	}
	return 0;
}

static int define(bake_parser *p, const hcl_block *blk, bake_func **out)
{
	hcl_attr *params = attr_of(blk->body, "params"), *vp = attr_of(blk->body, "variadic_param");
	hcl_attr *result = attr_of(blk->body, "result");
	hcl_expr **items = NULL;
	bake_func *fn;
	size_t i, n = 0;

	*out = NULL;
	if (!params)
		return atmo__bake_diag(p, &blk->label_ranges[0], "Invalid function",
				       "empty params not allowed for %s", blk->labels[0]);
	if (!result)
		return atmo__bake_diag(p, &params->range, "Invalid function",
				       "empty result not allowed for %s", blk->labels[0]);
	if (hcl_expr_list(params->expr, &items, &n) < 0) {
		hcl_range r = hcl_expr_range(params->expr);
		return atmo__bake_diag(p, &r, "Invalid function",
				       "params must be a list of names for %s", blk->labels[0]);
	}
	fn = atmo__calloc(1, sizeof(*fn), NULL);
	if (!fn || !(fn->params = atmo__calloc(n + 1, sizeof(*fn->params), NULL))) {
		atmo__free(fn);
		return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
	}
	for (i = 0; i < n; i++) {
		const char *kw;
		if (!hcl_expr_as_keyword(items[i], &kw)) {
			hcl_range r = hcl_expr_range(items[i]);
			atmo__free(fn->params);
			atmo__free(fn);
			return atmo__bake_diag(p, &r, "Invalid function",
					       "parameter %zu of %s is not a name", i,
					       blk->labels[0]);
		}
		fn->params[i].name = kw;
		fn->params[i].type = hcl_type_dynamic();
		fn->params[i].allow_null = 1;
		fn->params[i].allow_unknown = 1;
		fn->params[i].allow_dynamic = 1;
	}
	fn->n_params = n;
	if (vp) {
		const char *kw;
		if (!hcl_expr_as_keyword(vp->expr, &kw)) {
			hcl_range r = hcl_expr_range(vp->expr);
			atmo__free(fn->params);
			atmo__free(fn);
			return atmo__bake_diag(p, &r, "Invalid function",
					       "variadic_param of %s is not a name",
					       blk->labels[0]);
		}
		fn->var.name = kw;
		fn->var.type = hcl_type_dynamic();
		fn->var.allow_null = 1;
		fn->var.allow_unknown = 1;
		fn->var.allow_dynamic = 1;
		fn->f.varparam = &fn->var;
	}
	fn->f.name = blk->labels[0];
	fn->f.params = fn->params;
	fn->f.n_params = n;
	fn->f.impl = call_impl;
	fn->f.payload = fn;
	fn->blk = blk;
	fn->p = p;
	fn->result = result->expr;
	if (!p->fdefs) {
		p->fdefs = atmo__calloc(p->n_funcs + 1, sizeof(*p->fdefs), NULL);
		if (!p->fdefs) {
			atmo__free(fn->params);
			atmo__free(fn);
			return atmo__bake_diag(p, NULL, "Out of memory", "out of memory");
		}
	}
	*out = fn;
	return 0;
}

int atmo__bake_user_func(bake_parser *p, const char *name, const hcl_func **out)
{
	const size_t *ix = atmo__map_get(&p->func_ix, name);
	size_t i;
	bake_func *fn;

	*out = NULL;
	if (!ix)
		return 1;
	i = *ix;
	if (p->fdefs && p->fdefs[i]) {
		*out = &p->fdefs[i]->f;
		return 0;
	}
	if (define(p, p->funcs[i], &fn) < 0)
		return -1;
	p->fdefs[i] = fn;
	p->n_fdefs = p->n_funcs;
	*out = &fn->f;
	return 0;
}

int atmo__bake_funcs_check(bake_parser *p)
{
	size_t i;

	for (i = 0; i < p->n_funcs; i++) {
		const hcl_func *f;
		if (atmo__bake_user_func(p, p->funcs[i]->labels[0], &f) < 0)
			return -1;
	}
	return 0;
}

void atmo__bake_funcs_free(bake_parser *p)
{
	size_t i;

	if (!p->fdefs)
		return;
	for (i = 0; i < p->n_funcs; i++) {
		if (!p->fdefs[i])
			continue;
		atmo__free(p->fdefs[i]->params);
		atmo__free(p->fdefs[i]);
	}
	atmo__free(p->fdefs);
	p->fdefs = NULL;
}
