/*
 * Evaluating HCL expressions with cty's semantics, after hclsyntax's
 * expression_*.go: operators convert their operands as HCL's operation
 * table says, conditionals unify their arms, for expressions and splats
 * iterate, traversals report HCL's "Unsupported attribute" / "Invalid index".
 * try() and can() take their arguments unevaluated, as HCL's tryfunc does.
 * Every string is capped (max_string) and every evaluation has a budget, so
 * that a file doubling a string through variables stops with ATMO_ELIMIT.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/eval_int.h"
#include "util/alloc.h"

int hcl__ev_fail(ev *E, int code, const hcl_range *r, const char *summary, const char *fmt, ...)
{
	va_list ap;
	hcl_diag *d = E->diag;
	if (!d)
		return code;
	memset(d, 0, sizeof(*d));
	d->code = code;
	if (r)
		d->subject = *r;
	snprintf(d->summary, sizeof(d->summary), "%s", summary);
	va_start(ap, fmt);
	vsnprintf(d->detail, sizeof(d->detail), fmt, ap);
	va_end(ap);
	return code;
}

/* Before an item: once one failed, the next reports into a diag of its own (d). */
hcl_diag *hcl__ev_acc_open(ev *E, const acc *A, hcl_diag *d)
{
	hcl_diag *saved = E->diag;
	if (A->rc) {
		memset(d, 0, sizeof(*d));
		E->diag = d;
	}
	return saved;
}

/* After it, with its rc: 0 when collected (go on), else the error that ends
 * the evaluation, its diag in saved. */
int hcl__ev_acc_close(ev *E, acc *A, hcl_diag *saved, int rc)
{
	hcl_diag *d = E->diag;
	E->diag = saved;
	if (!rc)
		return 0;
	if (rc == ATMO_EINVALID && !E->hard) {
		if (!A->rc) {
			A->rc = rc;
			if (saved)
				A->first = *saved;
		} else {
			A->first.n_more += 1 + d->n_more;
		}
		return 0;
	}
	if (A->rc && saved && d != saved)
		*saved = *d;
	A->rc = 0;
	return rc;
}

/* The collected result: rc 0 when nothing failed, else the first diag (with
 * the count of the others) back in E->diag. */
int hcl__ev_acc_done(ev *E, acc *A)
{
	if (!A->rc)
		return 0;
	if (E->diag)
		*E->diag = A->first;
	return A->rc;
}

int hcl__ev_nomem(ev *E, const hcl_range *r)
{
	return hcl__ev_fail(E, ATMO_ENOMEM, r, "Out of memory",
			    "The evaluation ran out of memory.");
}

/* Account for work and memory; ATMO_ELIMIT past the budget. */
int hcl__ev_charge(ev *E, size_t n, const hcl_range *r)
{
	E->used += n;
	if (E->used > E->budget)
		return hcl__ev_fail(
			E, ATMO_ELIMIT, r, "Evaluation too expensive",
			"Evaluating this expression needs more than the allowed %zu MiB of work.",
			E->budget >> 20);
	return 0;
}

int hcl__ev_check_string(ev *E, size_t len, const hcl_range *r)
{
	if (len > E->max_string)
		return hcl__ev_fail(E, ATMO_ELIMIT, r, "String too long",
				    "This expression produces a string of more than %zu bytes.",
				    E->max_string);
	return hcl__ev_charge(E, len, r);
}

/* A range of the last character of r (HCL's close paren range). */
hcl_range hcl__ev_last_char(const hcl_range *r)
{
	hcl_range c = *r;
	c.start = c.end;
	if (c.start.column > 1)
		c.start.column--;
	if (c.start.byte > 0)
		c.start.byte--;
	return c;
}

int hcl__ev_is_seq(const hcl_type *t)
{
	return t->kind == HCL_T_LIST || t->kind == HCL_T_SET || t->kind == HCL_T_TUPLE;
}

int hcl__ev_is_mapish(const hcl_type *t)
{
	return t->kind == HCL_T_MAP || t->kind == HCL_T_OBJECT;
}

int hcl__ev_unknown_out(ev *E, hcl_type *t, hcl_value **out, const hcl_range *r)
{
	*out = hcl_unknown(t);
	return *out ? 0 : hcl__ev_nomem(E, r);
}

int hcl__ev_convert_to(ev *E, hcl_value *v, const hcl_type *t, hcl_value **out, char *msg, size_t n)
{
	*out = hcl_convert(v, t, msg, n, NULL, 0);
	if (!*out && strcmp(msg, "out of memory") == 0)
		return ATMO_ENOMEM;
	return *out ? 0 : ATMO_EINVALID;
}

/* ---- traversal steps (hcl.GetAttr, hcl.Index) --------------------------------- */

static int get_attr(ev *E, hcl_value *v, const char *name, const hcl_range *r, hcl_value **out)
{
	char tn[128];
	hcl_type *t = v->type;
	hcl_value *x;
	if (v->is_null)
		return hcl__ev_fail(E, ATMO_EINVALID, r, "Attempt to get attribute from null value",
				    "This value is null, so it does not have any attributes.");
	if (t->kind == HCL_T_OBJECT) {
		size_t i;
		for (i = 0; i < t->n && strcmp(t->names[i], name) != 0; i++)
			;
		if (i == t->n)
			return hcl__ev_fail(E, ATMO_EINVALID, r, "Unsupported attribute",
					    "This object does not have an attribute named \"%s\".",
					    name);
		if (v->is_unknown)
			return hcl__ev_unknown_out(E, hcl_type_ref(t->elems[i]), out, r);
		*out = hcl_value_ref(hcl_value_get(v, name));
		return 0;
	}
	if (t->kind == HCL_T_MAP) {
		if (v->is_unknown)
			return hcl__ev_unknown_out(E, hcl_type_ref(t->elem), out, r);
		x = hcl_value_get(v, name);
		if (!x)
			return hcl__ev_fail(
				E, ATMO_EINVALID, r, "Missing map element",
				"This map does not have an element with the key \"%s\".", name);
		*out = hcl_value_ref(x);
		return 0;
	}
	if (t->kind == HCL_T_DYNAMIC)
		return hcl__ev_unknown_out(E, NULL, out, r);
	if ((t->kind == HCL_T_LIST || t->kind == HCL_T_SET) && t->elem->kind == HCL_T_OBJECT)
		return hcl__ev_fail(
			E, ATMO_EINVALID, r, "Unsupported attribute",
			"Can't access attributes on a %s of objects. Did you mean to access an "
			"attribute "
			"for a specific element of the %s, or across all elements of the %s?",
			t->kind == HCL_T_LIST ? "list" : "set",
			t->kind == HCL_T_LIST ? "list" : "set",
			t->kind == HCL_T_LIST ? "list" : "set");
	return hcl__ev_fail(E, ATMO_EINVALID, r, "Unsupported attribute",
			    "Can't access attributes on a primitive-typed value (%s).",
			    hcl_type_friendly(t, tn, sizeof(tn)));
}

static int index_value(ev *E, hcl_value *coll, hcl_value *key, const hcl_range *r, hcl_value **out)
{
	hcl_type *t = coll->type;
	hcl_value *k = NULL;
	char msg[256];
	int rc;
	if (coll->is_null)
		return hcl__ev_fail(E, ATMO_EINVALID, r, "Attempt to index null value",
				    "This value is null, so it does not have any indices.");
	if (key->is_null)
		return hcl__ev_fail(E, ATMO_EINVALID, r, "Invalid index",
				    "Can't use a null value as an indexing key.");
	if (t->kind == HCL_T_DYNAMIC || key->type->kind == HCL_T_DYNAMIC)
		return hcl__ev_unknown_out(E, NULL, out, r);
	if (t->kind == HCL_T_LIST || t->kind == HCL_T_TUPLE || t->kind == HCL_T_MAP ||
	    t->kind == HCL_T_OBJECT) {
		int want_num = t->kind == HCL_T_LIST || t->kind == HCL_T_TUPLE;
		rc = hcl__ev_convert_to(E, key, want_num ? hcl_type_number() : hcl_type_string(),
					&k, msg, sizeof(msg));
		if (rc == ATMO_ENOMEM)
			return hcl__ev_nomem(E, r);
		if (rc)
			return hcl__ev_fail(E, ATMO_EINVALID, r, "Invalid index",
					    "The given key does not identify an element in this "
					    "collection value: %s.",
					    msg);
		if (coll->is_unknown || k->is_unknown) {
			hcl_value_unref(k);
			return hcl__ev_unknown_out(E, t->elem ? hcl_type_ref(t->elem) : NULL, out,
						   r);
		}
		if (want_num) {
			double d = k->u.num;
			hcl_value_unref(k);
			if (d != floor(d) || d < 0 || d >= (double)coll->u.seq.n)
				return hcl__ev_fail(E, ATMO_EINVALID, r, "Invalid index",
						    "The given key does not identify an element in "
						    "this collection value.");
			*out = hcl_value_ref(coll->u.seq.items[(size_t)d]);
			return 0;
		}
		*out = hcl_value_ref(hcl_value_get(coll, k->u.str.s));
		hcl_value_unref(k);
		if (!*out)
			return hcl__ev_fail(E, ATMO_EINVALID, r, "Invalid index",
					    "The given key does not identify an element in this "
					    "collection value.");
		return 0;
	}
	if (t->kind == HCL_T_SET)
		return hcl__ev_fail(E, ATMO_EINVALID, r, "Invalid index",
				    "Elements of a set are identified only by their value and "
				    "don't have any separate "
				    "index or key to select with, so it's only possible to perform "
				    "operations across "
				    "all elements of the set.");
	return hcl__ev_fail(E, ATMO_EINVALID, r, "Invalid index",
			    "This value does not have any indices.");
}

/* Apply static steps to v (stolen); *out new reference. */
int hcl__ev_apply_steps(ev *E, hcl_value *v, const hcl_step *steps, size_t n, hcl_value **out)
{
	size_t i;
	for (i = 0; i < n; i++) {
		hcl_value *nx = NULL;
		int rc;
		if (steps[i].kind == HCL_STEP_ATTR)
			rc = get_attr(E, v, steps[i].name, &steps[i].range, &nx);
		else
			rc = index_value(E, v, steps[i].key, &steps[i].range, &nx);
		hcl_value_unref(v);
		if (rc)
			return rc;
		v = nx;
	}
	*out = v;
	return 0;
}

/* ---- dispatch -------------------------------------------------------------------- */

static int eval_kind(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out);

/* Every result is checked for its weight: shared structure ([V, V] through
 * variables) doubles it without costing the evaluator anything. */
int hcl__eval(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	int rc;
	*out = NULL;
	if ((rc = hcl__ev_charge(E, NODE_COST, &e->range)) != 0)
		return rc;
	rc = eval_kind(E, e, sc, out);
	if (rc == 0 && (*out)->weight > E->max_weight) {
		hcl_value_unref(*out);
		*out = NULL;
		rc = hcl__ev_fail(E, ATMO_ELIMIT, &e->range, "Value too large",
				  "This expression produces a value of more than %zu elements.",
				  E->max_weight);
	}
	return rc;
}

static int eval_kind(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	int rc;
	/* HCL's JSON syntax without a scope is literal-only: "${x}" is those four characters */
	if (e->json && e->raw && !E->ctx) {
		*out = hcl_string(e->raw, e->raw_len);
		return *out ? 0 : hcl__ev_nomem(E, &e->range);
	}
	switch (e->kind) {
	case HE_LITERAL:
		*out = hcl_value_ref(e->u.lit);
		return 0;
	case HE_TEMPLATE:
		return hcl__eval_template(E, e, sc, out);
	case HE_WRAP:
	case HE_PAREN:
		return hcl__eval(E, e->u.wrap, sc, out);
	case HE_SCOPE:
		return hcl__eval_scope(E, e, sc, out);
	case HE_REL: {
		hcl_value *v;
		if ((rc = hcl__eval(E, e->u.rel.src, sc, &v)) != 0)
			return rc;
		return hcl__ev_apply_steps(E, v, e->u.rel.steps, e->u.rel.n, out);
	}
	case HE_INDEX: {
		hcl_value *c, *k;
		hcl_range r = e->range;
		if ((rc = hcl__eval(E, e->u.index.coll, sc, &c)) != 0)
			return rc;
		if ((rc = hcl__eval(E, e->u.index.key, sc, &k)) != 0) {
			hcl_value_unref(c);
			return rc;
		}
		r.start = e->u.index.coll->range.end;
		rc = index_value(E, c, k, &r, out);
		hcl_value_unref(c);
		hcl_value_unref(k);
		return rc;
	}
	case HE_SPLAT:
		return hcl__eval_splat(E, e, sc, out);
	case HE_ANON:
		if (!E->anon)
			return hcl__ev_fail(
				E, ATMO_EINVALID, &e->range, "Invalid expression",
				"A splat item is only valid inside a splat expression.");
		*out = hcl_value_ref(E->anon);
		return 0;
	case HE_CALL:
		return hcl__eval_call(E, e, sc, out);
	case HE_TUPLE:
		return hcl__eval_tuple(E, e, sc, out);
	case HE_OBJECT:
		return hcl__eval_object(E, e, sc, out);
	case HE_OBJKEY:
		return hcl__eval_key(E, e, sc, out);
	case HE_UNARY:
		return hcl__eval_unary(E, e, sc, out);
	case HE_BINARY:
		return hcl__eval_binary(E, e, sc, out);
	case HE_COND:
		return hcl__eval_cond(E, e, sc, out);
	case HE_FOR:
		return hcl__eval_for(E, e, sc, out);
	case HE_TPL_IF:
	case HE_TPL_FOR: {
		atmo_buf b = ATMO_BUF_INIT;
		int unknown = 0;
		size_t len;
		if ((rc = hcl__ev_tpl_part(E, e, sc, &b, &unknown)) != 0) {
			atmo__buf_free(&b);
			return rc;
		}
		if (unknown) {
			atmo__buf_free(&b);
			return hcl__ev_unknown_out(E, hcl_type_string(), out, &e->range);
		}
		len = b.len;
		*out = b.ptr ? hcl_string_take(atmo__buf_detach(&b), len) : hcl_string("", 0);
		return *out ? 0 : hcl__ev_nomem(E, &e->range);
	}
	}
	return hcl__ev_fail(E, ATMO_ERROR, &e->range, "Invalid expression",
			    "Unknown expression kind.");
}

int hcl_eval(const hcl_expr *e, const hcl_ctx *ctx, hcl_value **out, hcl_diag *diag)
{
	ev E;
	const hcl_ctx *c;
	int rc;
	hcl_diag own;
	if (!diag)
		diag = &own; /* lookup callbacks may always write a diag */
	memset(&E, 0, sizeof(E));
	E.ctx = ctx;
	E.diag = diag;
	E.max_string = DEFAULT_MAX_STRING;
	E.budget = DEFAULT_BUDGET;
	for (c = ctx; c; c = c->parent) {
		if (c->max_string) {
			E.max_string = c->max_string;
			break;
		}
	}
	for (c = ctx; c; c = c->parent) {
		if (c->budget) {
			E.budget = c->budget;
			break;
		}
	}
	E.max_weight = E.budget / 64;
	if (diag)
		memset(diag, 0, sizeof(*diag));
	*out = NULL;
	rc = hcl__eval(&E, e, NULL, out);
	if (rc) {
		hcl_value_unref(*out);
		*out = NULL;
		if (diag && !diag->code)
			diag->code = rc;
	}
	return rc;
}
