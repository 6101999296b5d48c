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
#include "hcl/hcl_int.h"
#include "util/buf.h"
#include "util/alloc.h"

#define DEFAULT_MAX_STRING ((size_t)1 << 20)
#define DEFAULT_BUDGET ((size_t)64 << 20)
#define NODE_COST 32

/* Variables bound by for expressions (and template for directives). */
typedef struct scope {
	const struct scope *up;
	const char *k, *v;
	hcl_value *kv, *vv;
} scope;

typedef struct {
	const hcl_ctx *ctx;
	hcl_diag *diag;
	size_t max_string;
	size_t budget, used;
	size_t max_weight;      /* values in one result: budget / 64 */
	hcl_value *anon;        /* the splat's current element */
	int hard;               /* a lookup or function callback failed: stop collecting */
} ev;

static int eval(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out);

static int fail(ev *E, int code, const hcl_range *r, const char *summary, const char *fmt, ...)
	ATMO_PRINTF(5, 6);
static int fail(ev *E, int code, const hcl_range *r, const char *summary, const char *fmt, ...)
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

/*
 * HCL keeps evaluating the other items of a tuple or object constructor, the
 * other parts of a template and the other arguments of a call after one of
 * them fails, and returns every diagnostic (hcl.Diagnostics). An acc keeps the
 * first diagnostic whole and counts the others into its n_more, which is what
 * buildx prints. Out of memory, the work budget and a failed callback (buildx
 * resolves references before evaluating, and stops at the first that fails)
 * end the evaluation at once.
 */
typedef struct {
	int rc;           /* the first error, 0 while none */
	hcl_diag first;
} acc;

/* Before an item: once one failed, the next reports into a diag of its own (d). */
static hcl_diag *acc_open(ev *E, const acc *A, hcl_diag *d)
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
static int acc_close(ev *E, acc *A, hcl_diag *saved, int rc)
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
static int acc_done(ev *E, acc *A)
{
	if (!A->rc)
		return 0;
	if (E->diag)
		*E->diag = A->first;
	return A->rc;
}

static int nomem(ev *E, const hcl_range *r)
{
	return fail(E, ATMO_ENOMEM, r, "Out of memory", "The evaluation ran out of memory.");
}

/* Account for work and memory; ATMO_ELIMIT past the budget. */
static int charge(ev *E, size_t n, const hcl_range *r)
{
	E->used += n;
	if (E->used > E->budget)
		return fail(E, ATMO_ELIMIT, r, "Evaluation too expensive",
			    "Evaluating this expression needs more than the allowed %zu MiB of work.",
			    E->budget >> 20);
	return 0;
}

static int check_string(ev *E, size_t len, const hcl_range *r)
{
	if (len > E->max_string)
		return fail(E, ATMO_ELIMIT, r, "String too long",
			    "This expression produces a string of more than %zu bytes.", E->max_string);
	return charge(E, len, r);
}

/* A range of the last character of r (HCL's close paren range). */
static hcl_range last_char(const hcl_range *r)
{
	hcl_range c = *r;
	c.start = c.end;
	if (c.start.column > 1)
		c.start.column--;
	if (c.start.byte > 0)
		c.start.byte--;
	return c;
}

static int is_seq(const hcl_type *t)
{
	return t->kind == HCL_T_LIST || t->kind == HCL_T_SET || t->kind == HCL_T_TUPLE;
}

static int is_mapish(const hcl_type *t)
{
	return t->kind == HCL_T_MAP || t->kind == HCL_T_OBJECT;
}

static int unknown_out(ev *E, hcl_type *t, hcl_value **out, const hcl_range *r)
{
	*out = hcl_unknown(t);
	return *out ? 0 : nomem(E, r);
}

static int convert_to(ev *E, hcl_value *v, const hcl_type *t, hcl_value **out, char *msg, size_t n)
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
		return fail(E, ATMO_EINVALID, r, "Attempt to get attribute from null value",
			    "This value is null, so it does not have any attributes.");
	if (t->kind == HCL_T_OBJECT) {
		size_t i;
		for (i = 0; i < t->n && strcmp(t->names[i], name) != 0; i++)
			;
		if (i == t->n)
			return fail(E, ATMO_EINVALID, r, "Unsupported attribute",
				    "This object does not have an attribute named \"%s\".", name);
		if (v->is_unknown)
			return unknown_out(E, hcl_type_ref(t->elems[i]), out, r);
		*out = hcl_value_ref(hcl_value_get(v, name));
		return 0;
	}
	if (t->kind == HCL_T_MAP) {
		if (v->is_unknown)
			return unknown_out(E, hcl_type_ref(t->elem), out, r);
		x = hcl_value_get(v, name);
		if (!x)
			return fail(E, ATMO_EINVALID, r, "Missing map element",
				    "This map does not have an element with the key \"%s\".", name);
		*out = hcl_value_ref(x);
		return 0;
	}
	if (t->kind == HCL_T_DYNAMIC)
		return unknown_out(E, NULL, out, r);
	if ((t->kind == HCL_T_LIST || t->kind == HCL_T_SET) && t->elem->kind == HCL_T_OBJECT)
		return fail(E, ATMO_EINVALID, r, "Unsupported attribute",
			    "Can't access attributes on a %s of objects. Did you mean to access an attribute "
			    "for a specific element of the %s, or across all elements of the %s?",
			    t->kind == HCL_T_LIST ? "list" : "set", t->kind == HCL_T_LIST ? "list" : "set",
			    t->kind == HCL_T_LIST ? "list" : "set");
	return fail(E, ATMO_EINVALID, r, "Unsupported attribute",
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
		return fail(E, ATMO_EINVALID, r, "Attempt to index null value",
			    "This value is null, so it does not have any indices.");
	if (key->is_null)
		return fail(E, ATMO_EINVALID, r, "Invalid index", "Can't use a null value as an indexing key.");
	if (t->kind == HCL_T_DYNAMIC || key->type->kind == HCL_T_DYNAMIC)
		return unknown_out(E, NULL, out, r);
	if (t->kind == HCL_T_LIST || t->kind == HCL_T_TUPLE || t->kind == HCL_T_MAP || t->kind == HCL_T_OBJECT) {
		int want_num = t->kind == HCL_T_LIST || t->kind == HCL_T_TUPLE;
		rc = convert_to(E, key, want_num ? hcl_type_number() : hcl_type_string(), &k, msg, sizeof(msg));
		if (rc == ATMO_ENOMEM)
			return nomem(E, r);
		if (rc)
			return fail(E, ATMO_EINVALID, r, "Invalid index",
				    "The given key does not identify an element in this collection value: %s.", msg);
		if (coll->is_unknown || k->is_unknown) {
			hcl_value_unref(k);
			return unknown_out(E, t->elem ? hcl_type_ref(t->elem) : NULL, out, r);
		}
		if (want_num) {
			double d = k->u.num;
			hcl_value_unref(k);
			if (d != floor(d) || d < 0 || d >= (double)coll->u.seq.n)
				return fail(E, ATMO_EINVALID, r, "Invalid index",
					    "The given key does not identify an element in this collection value.");
			*out = hcl_value_ref(coll->u.seq.items[(size_t)d]);
			return 0;
		}
		*out = hcl_value_ref(hcl_value_get(coll, k->u.str.s));
		hcl_value_unref(k);
		if (!*out)
			return fail(E, ATMO_EINVALID, r, "Invalid index",
				    "The given key does not identify an element in this collection value.");
		return 0;
	}
	if (t->kind == HCL_T_SET)
		return fail(E, ATMO_EINVALID, r, "Invalid index",
			    "Elements of a set are identified only by their value and don't have any separate "
			    "index or key to select with, so it's only possible to perform operations across "
			    "all elements of the set.");
	return fail(E, ATMO_EINVALID, r, "Invalid index", "This value does not have any indices.");
}

/* Apply static steps to v (stolen); *out new reference. */
static int apply_steps(ev *E, hcl_value *v, const hcl_step *steps, size_t n, hcl_value **out)
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

/* ---- variables and functions ---------------------------------------------------- */

static int eval_scope(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	const hcl_traversal *t = &e->u.trav;
	const hcl_ctx *c;
	hcl_value *root = NULL;
	hcl_range rr = t->range;
	for (; sc; sc = sc->up) {
		if (sc->k && strcmp(sc->k, t->root) == 0) {
			root = hcl_value_ref(sc->kv);
			break;
		}
		if (sc->v && strcmp(sc->v, t->root) == 0) {
			root = hcl_value_ref(sc->vv);
			break;
		}
	}
	if (t->n_steps)
		rr.end = t->steps[0].range.start;
	if (!root) {
		if (!E->ctx)
			return fail(E, ATMO_EINVALID, &rr, "Variables not allowed",
				    "Variables may not be used here.");
		for (c = E->ctx; c && !root; c = c->parent) {
			int rc;
			if (!c->lookup)
				continue;
			rc = c->lookup(c->payload, t, &root, E->diag);
			if (rc < 0) {
				E->hard = 1;
				if (E->diag && !E->diag->code)
					E->diag->code = ATMO_EINVALID;
				return E->diag ? E->diag->code : ATMO_EINVALID;
			}
			if (rc != 0)
				root = NULL;
		}
		if (!root)
			return fail(E, ATMO_EINVALID, &rr, "Unknown variable",
				    "There is no variable named \"%s\".", t->root);
	}
	return apply_steps(E, root, t->steps, t->n_steps, out);
}

static const hcl_func *find_func(ev *E, const hcl_expr *e, int *rc)
{
	const hcl_ctx *c;
	const hcl_func *f = NULL;
	*rc = 0;
	for (c = E->ctx; c; c = c->parent) {
		int r;
		if (!c->func)
			continue;
		r = c->func(c->payload, e->u.call.name, &f, E->diag);
		if (r < 0) {
			E->hard = 1;
			*rc = E->diag && E->diag->code ? E->diag->code : ATMO_EINVALID;
			return NULL;
		}
		if (r == 0 && f)
			return f;
	}
	/* a scope that does not name a function still has HCL's standard library */
	return hcl_stdlib_lookup(e->u.call.name);
}

/* Levenshtein distance of a and b, capped at cap (enough for HCL's "< 3"). */
static size_t distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b), i, j, row[64], prev, best;
	if (la >= 64 || lb >= 64)
		return cap;
	if ((la > lb ? la - lb : lb - la) >= cap)
		return cap;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			size_t cur = row[j], v = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < v)
				v = row[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			prev = cur;
			if (v < best)
				best = v;
		}
		if (best >= cap)
			return cap;
	}
	return row[lb];
}

/* HCL's nameSuggestion over the standard library names: the first within distance 2. */
static const char *suggest_function(const char *name)
{
	size_t i, n = hcl_stdlib_count();
	for (i = 0; i < n; i++)
		if (distance(name, hcl_stdlib_name(i), 3) < 3)
			return hcl_stdlib_name(i);
	return NULL;
}

static int eval_try_can(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out, int is_try)
{
	hcl_diag *saved = E->diag, d;
	atmo_buf msg = ATMO_BUF_INIT;
	size_t i;
	int rc;
	char where[300];
	if (e->u.call.expand)
		return fail(E, ATMO_EINVALID, &e->range, "Invalid expanding argument value",
			    "The expanding argument (indicated by ...) cannot be used with %s().",
			    e->u.call.name);
	if (!is_try && e->u.call.n != 1)
		return fail(E, ATMO_EINVALID, &e->range, e->u.call.n ? "Too many function arguments" : "Not enough function arguments",
			    e->u.call.n ? "Function \"can\" expects only 1 argument(s)."
					: "Function \"can\" expects 1 argument(s). Missing value for \"expression\".");
	if (is_try && e->u.call.n == 0)
		return fail(E, ATMO_EINVALID, &e->range, "Error in function call",
			    "Call to function \"try\" failed: at least one argument is required.");
	for (i = 0; i < e->u.call.n; i++) {
		hcl_value *v = NULL;
		int hard = E->hard;
		memset(&d, 0, sizeof(d));
		E->diag = &d;
		rc = eval(E, e->u.call.args[i], sc, &v);
		E->diag = saved;
		E->hard = hard; /* an error try() or can() catches stops nothing */
		if (rc == ATMO_ENOMEM || rc == ATMO_ELIMIT) {
			if (saved)
				*saved = d;
			atmo__buf_free(&msg);
			return rc;
		}
		if (rc == 0) {
			atmo__buf_free(&msg);
			if (!is_try) {
				int known = hcl_value_is_wholly_known(v);
				hcl_value_unref(v);
				*out = known ? hcl_bool(1) : hcl_unknown(hcl_type_bool());
				return *out ? 0 : nomem(E, &e->range);
			}
			if (!hcl_value_is_wholly_known(v)) {
				hcl_value_unref(v);
				return unknown_out(E, NULL, out, &e->range);
			}
			*out = v;
			return 0;
		}
		if (!is_try) {
			*out = hcl_bool(0);
			return *out ? 0 : nomem(E, &e->range);
		}
		atmo__buf_printf(&msg, "- %s (at %s)\n  %s\n", d.summary,
				 hcl_range_format(&d.subject, where, sizeof(where)), d.detail);
	}
	rc = fail(E, ATMO_EINVALID, &e->range, "Error in function call",
		  "Call to function \"try\" failed: no expression succeeded:\n%s\nAt least one expression "
		  "must be non-error in order to provide a result.", atmo__buf_cstr(&msg));
	atmo__buf_free(&msg);
	return rc;
}

static int eval_call(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	const hcl_func *f;
	hcl_value **args = NULL;
	const hcl_expr **arg_expr = NULL;
	size_t n = 0, i, cap;
	int rc = 0;
	hcl_func_error fe;
	const char *name = e->u.call.name;
	acc A;

	if (!E->ctx)
		return fail(E, ATMO_EINVALID, &e->u.call.name_range, "Function calls not allowed",
			    "Functions may not be called here.");
	if (strcmp(name, "try") == 0 || strcmp(name, "can") == 0)
		return eval_try_can(E, e, sc, out, name[0] == 't');
	f = find_func(E, e, &rc);
	if (rc)
		return rc;
	if (!f) {
		const char *sug = suggest_function(name);
		if (sug)
			return fail(E, ATMO_EINVALID, &e->u.call.name_range, "Call to unknown function",
				    "There is no function named \"%s\". Did you mean \"%s\"?", name, sug);
		return fail(E, ATMO_EINVALID, &e->u.call.name_range, "Call to unknown function",
			    "There is no function named \"%s\".", name);
	}

	memset(&A, 0, sizeof(A));
	cap = e->u.call.n;
	args = atmo__calloc(cap ? cap : 1, sizeof(*args), NULL);
	arg_expr = atmo__calloc(cap ? cap : 1, sizeof(*arg_expr), NULL);
	if (!args || !arg_expr) {
		rc = nomem(E, &e->range);
		goto done;
	}
	for (i = 0; i < e->u.call.n; i++) {
		hcl_value *v;
		hcl_diag d, *sv = acc_open(E, &A, &d);
		if ((rc = acc_close(E, &A, sv, eval(E, e->u.call.args[i], sc, &v))) != 0)
			goto done;
		if (!v)
			continue; /* its diagnostic is collected */
		if (i + 1 == e->u.call.n && e->u.call.expand) {
			const hcl_range *ar = &e->u.call.args[i]->range;
			size_t j;
			if (v->is_null) {
				hcl_value_unref(v);
				rc = fail(E, ATMO_EINVALID, ar, "Invalid expanding argument value",
					  "The expanding argument (indicated by ...) must not be null.");
				goto done;
			}
			if (v->is_unknown || v->type->kind == HCL_T_DYNAMIC) {
				hcl_value_unref(v);
				rc = unknown_out(E, NULL, out, &e->range);
				goto done_ok;
			}
			if (!is_seq(v->type)) {
				hcl_value_unref(v);
				rc = fail(E, ATMO_EINVALID, ar, "Invalid expanding argument value",
					  "The expanding argument (indicated by ...) must be of a tuple, list, or set type.");
				goto done;
			}
			if (v->u.seq.n) {
				hcl_value **na = atmo__realloc(args, (n + v->u.seq.n) * sizeof(*na), NULL);
				const hcl_expr **ne = na ? atmo__realloc(arg_expr, (n + v->u.seq.n) * sizeof(*ne), NULL) : NULL;
				if (na)
					args = na;
				if (!na || !ne) {
					hcl_value_unref(v);
					rc = nomem(E, &e->range);
					goto done;
				}
				arg_expr = ne;
			}
			for (j = 0; j < v->u.seq.n; j++) {
				args[n] = hcl_value_ref(v->u.seq.items[j]);
				arg_expr[n++] = e->u.call.args[i];
			}
			hcl_value_unref(v);
		} else {
			args[n] = v;
			arg_expr[n++] = e->u.call.args[i];
		}
	}
	if ((rc = acc_done(E, &A)) != 0)
		goto done;
	if (n < f->n_params) {
		hcl_range cp = last_char(&e->range);
		rc = fail(E, ATMO_EINVALID, &cp, "Not enough function arguments",
			  "Function \"%s\" expects %s%zu argument(s). Missing value for \"%s\".", name,
			  f->varparam ? "at least " : "", f->n_params, f->params[n].name);
		goto done;
	}
	if (n > f->n_params && !f->varparam) {
		rc = fail(E, ATMO_EINVALID, &arg_expr[f->n_params]->range, "Too many function arguments",
			  "Function \"%s\" expects only %zu argument(s).", name, f->n_params);
		goto done;
	}
	memset(&fe, 0, sizeof(fe));
	fe.arg = -1;
	if (hcl_func_call(f, args, n, out, &fe) < 0) {
		if (strstr(fe.msg, "out of memory"))
			rc = nomem(E, &e->range);
		else if (fe.arg >= 0 && (size_t)fe.arg < n)
			rc = fail(E, ATMO_EINVALID, &arg_expr[fe.arg]->range, "Invalid function argument", "%s", fe.msg);
		else
			rc = fail(E, ATMO_EINVALID, &e->range, "Error in function call", "%s", fe.msg);
		*out = NULL;
		goto done;
	}
	if (!*out) {
		rc = nomem(E, &e->range);
		goto done;
	}
	if (!(*out)->is_null && !(*out)->is_unknown && (*out)->type->kind == HCL_T_STRING &&
	    (rc = check_string(E, (*out)->u.str.len, &e->range)) != 0) {
		hcl_value_unref(*out);
		*out = NULL;
		goto done;
	}
	if (!(*out)->is_null && !(*out)->is_unknown)
		rc = charge(E, hcl_value_length(*out) * 16, &e->range);
	if (rc) {
		hcl_value_unref(*out);
		*out = NULL;
	}
	goto done;
done_ok:
	if (A.rc) {
		/* an earlier argument failed: that is the call's result */
		hcl_value_unref(*out);
		*out = NULL;
		rc = acc_done(E, &A);
	}
done:
	for (i = 0; i < n; i++)
		hcl_value_unref(args[i]);
	atmo__free(args);
	atmo__free(arg_expr);
	return rc;
}

/* ---- operators ---------------------------------------------------------------- */

static const char *op_side(int right)
{
	return right ? "right" : "left";
}

static int operand(ev *E, hcl_value *v, const hcl_type *t, const hcl_expr *src, int right, hcl_value **out)
{
	char msg[256];
	int rc = convert_to(E, v, t, out, msg, sizeof(msg));
	if (rc == ATMO_ENOMEM)
		return nomem(E, &src->range);
	if (rc)
		return fail(E, ATMO_EINVALID, &src->range, "Invalid operand",
			    "Unsuitable value for %s operand: %s.", op_side(right), msg);
	return 0;
}

static int eval_binary(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	hcl_op op = e->u.op.op;
	hcl_value *a = NULL, *b = NULL, *ca = NULL, *cb = NULL;
	const hcl_type *pt;
	hcl_type *rt;
	int rc;
	double x, y, r = 0;

	if ((rc = eval(E, e->u.op.a, sc, &a)) != 0)
		return rc;
	if (op == HOP_AND || op == HOP_OR) {
		if ((rc = operand(E, a, hcl_type_bool(), e->u.op.a, 0, &ca)) != 0)
			goto done;
		/* a known left side decides alone, as HCL's short-circuit does */
		if (!ca->is_null && !ca->is_unknown && ca->u.b == (op == HOP_OR)) {
			*out = hcl_bool(ca->u.b);
			rc = *out ? 0 : nomem(E, &e->range);
			goto done;
		}
	}
	if ((rc = eval(E, e->u.op.b, sc, &b)) != 0)
		goto done;
	if (op == HOP_EQ || op == HOP_NE) {
		if (a->is_unknown || b->is_unknown) {
			rc = unknown_out(E, hcl_type_bool(), out, &e->range);
			goto done;
		}
		*out = hcl_bool(hcl_value_equal(a, b) == (op == HOP_EQ));
		rc = *out ? 0 : nomem(E, &e->range);
		goto done;
	}
	pt = (op == HOP_AND || op == HOP_OR) ? hcl_type_bool() : hcl_type_number();
	rt = (op >= HOP_ADD && op <= HOP_MOD) ? hcl_type_number() : hcl_type_bool();
	if (!ca && (rc = operand(E, a, pt, e->u.op.a, 0, &ca)) != 0)
		goto done;
	if ((rc = operand(E, b, pt, e->u.op.b, 1, &cb)) != 0)
		goto done;
	if (ca->is_unknown || cb->is_unknown) {
		rc = unknown_out(E, rt, out, &e->range);
		goto done;
	}
	if (ca->is_null || cb->is_null) {
		rc = fail(E, ATMO_EINVALID, &e->range, "Operation failed",
			  "Error during operation: argument must not be null.");
		goto done;
	}
	if (op == HOP_AND || op == HOP_OR) {
		*out = hcl_bool(op == HOP_AND ? (ca->u.b && cb->u.b) : (ca->u.b || cb->u.b));
		rc = *out ? 0 : nomem(E, &e->range);
		goto done;
	}
	x = ca->u.num;
	y = cb->u.num;
	switch (op) {
	case HOP_LT: *out = hcl_bool(x < y); break;
	case HOP_LE: *out = hcl_bool(x <= y); break;
	case HOP_GT: *out = hcl_bool(x > y); break;
	case HOP_GE: *out = hcl_bool(x >= y); break;
	default:
		switch (op) {
		case HOP_ADD: r = x + y; break;
		case HOP_SUB: r = x - y; break;
		case HOP_MUL: r = x * y; break;
		case HOP_DIV:
			if ((x == 0 && y == 0) || (isinf(x) && isinf(y))) {
				rc = fail(E, ATMO_EINVALID, &e->range, "Operation failed",
					  "Error during operation: can't divide zero by zero or infinity by infinity.");
				goto done;
			}
			r = x / y;
			break;
		default:
			if (y == 0 || isinf(x)) {
				rc = fail(E, ATMO_EINVALID, &e->range, "Operation failed",
					  "Error during operation: can't use modulo with zero and infinity.");
				goto done;
			}
			/* cty: x - y * trunc(x / y) */
			r = isinf(y) ? x : fmod(x, y);
			break;
		}
		if (isnan(r)) {
			rc = fail(E, ATMO_EINVALID, &e->range, "Operation failed",
				  "Error during operation: the result is not a number.");
			goto done;
		}
		*out = hcl_number(r);
	}
	rc = *out ? 0 : nomem(E, &e->range);
done:
	hcl_value_unref(a);
	hcl_value_unref(b);
	hcl_value_unref(ca);
	hcl_value_unref(cb);
	return rc;
}

static int eval_unary(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	hcl_value *a, *c = NULL;
	int neg = e->u.op.op == HOP_NEG, rc;
	char msg[256];
	if ((rc = eval(E, e->u.op.a, sc, &a)) != 0)
		return rc;
	rc = convert_to(E, a, neg ? hcl_type_number() : hcl_type_bool(), &c, msg, sizeof(msg));
	hcl_value_unref(a);
	if (rc == ATMO_ENOMEM)
		return nomem(E, &e->range);
	if (rc)
		return fail(E, ATMO_EINVALID, &e->u.op.a->range, "Invalid operand",
			    "Unsuitable value for unary operand: %s.", msg);
	if (c->is_unknown) {
		hcl_value_unref(c);
		return unknown_out(E, neg ? hcl_type_number() : hcl_type_bool(), out, &e->range);
	}
	if (c->is_null) {
		hcl_value_unref(c);
		return fail(E, ATMO_EINVALID, &e->range, "Operation failed",
			    "Error during operation: argument must not be null.");
	}
	*out = neg ? hcl_number(-c->u.num) : hcl_bool(!c->u.b);
	hcl_value_unref(c);
	return *out ? 0 : nomem(E, &e->range);
}

/* ---- conditionals ---------------------------------------------------------------- */

static void mismatch(const hcl_type *t, const hcl_type *f, char *buf, size_t n)
{
	char a[128], b[128];
	size_t i, j;
	if (t->kind == HCL_T_OBJECT && f->kind == HCL_T_OBJECT) {
		for (i = 0; i < t->n; i++) {
			for (j = 0; j < f->n && strcmp(t->names[i], f->names[j]) != 0; j++)
				;
			if (j == f->n) {
				snprintf(buf, n, "The 'true' value includes object attribute \"%s\", which is absent in the 'false' value", t->names[i]);
				return;
			}
		}
		for (j = 0; j < f->n; j++) {
			for (i = 0; i < t->n && strcmp(t->names[i], f->names[j]) != 0; i++)
				;
			if (i == t->n) {
				snprintf(buf, n, "The 'false' value includes object attribute \"%s\", which is absent in the 'true' value", f->names[j]);
				return;
			}
		}
		snprintf(buf, n, "Type mismatch for object attribute");
		return;
	}
	if (t->kind == HCL_T_TUPLE && f->kind == HCL_T_TUPLE && t->n != f->n) {
		snprintf(buf, n, "The 'true' tuple has length %zu, but the 'false' tuple has length %zu", t->n, f->n);
		return;
	}
	snprintf(buf, n, "The 'true' value is %s, but the 'false' value is %s",
		 hcl_type_friendly(t, a, sizeof(a)), hcl_type_friendly(f, b, sizeof(b)));
}

static int is_dyn_null(const hcl_value *v)
{
	return v->is_null && v->type->kind == HCL_T_DYNAMIC;
}

static int eval_cond(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	hcl_diag *saved = E->diag, dt, df;
	hcl_value *tv = NULL, *fv = NULL, *cv = NULL, *cb = NULL, *pick;
	hcl_type *rt = NULL;
	int rt_, rf, rc, take_true;
	char msg[400];

	/* both arms are evaluated; only the chosen arm's errors count (as in HCL) */
	memset(&dt, 0, sizeof(dt));
	memset(&df, 0, sizeof(df));
	E->diag = &dt;
	rt_ = eval(E, e->u.cond.t, sc, &tv);
	E->diag = &df;
	rf = rt_ == ATMO_ENOMEM || rt_ == ATMO_ELIMIT ? 0 : eval(E, e->u.cond.f, sc, &fv);
	E->diag = saved;
	if (rt_ == ATMO_ENOMEM || rt_ == ATMO_ELIMIT || rf == ATMO_ENOMEM || rf == ATMO_ELIMIT) {
		if (saved)
			*saved = (rt_ == ATMO_ENOMEM || rt_ == ATMO_ELIMIT) ? dt : df;
		rc = rt_ ? rt_ : rf;
		goto done;
	}
	if (!tv && !(tv = hcl_unknown(NULL))) {
		rc = nomem(E, &e->range);
		goto done;
	}
	if (!fv && !(fv = hcl_unknown(NULL))) {
		rc = nomem(E, &e->range);
		goto done;
	}
	if (is_dyn_null(tv))
		rt = hcl_type_ref(fv->type);
	else if (is_dyn_null(fv))
		rt = hcl_type_ref(tv->type);
	else if (tv->type->kind == HCL_T_DYNAMIC || fv->type->kind == HCL_T_DYNAMIC)
		rt = hcl_type_dynamic();
	else {
		hcl_type *ts[2];
		ts[0] = tv->type;
		ts[1] = fv->type;
		rt = hcl_type_unify(ts, 2);
		if (!rt) {
			hcl_range r = e->u.cond.t->range;
			r.end = e->u.cond.f->range.end;
			mismatch(tv->type, fv->type, msg, sizeof(msg));
			rc = fail(E, ATMO_EINVALID, &r, "Inconsistent conditional result types",
				  "The true and false result expressions must have consistent types. %s.", msg);
			goto done;
		}
	}
	if ((rc = eval(E, e->u.cond.c, sc, &cv)) != 0)
		goto done;
	if (cv->is_null) {
		rc = fail(E, ATMO_EINVALID, &e->u.cond.c->range, "Null condition",
			  "The condition value is null. Conditions must either be true or false.");
		goto done;
	}
	if (cv->is_unknown) {
		rc = unknown_out(E, hcl_type_ref(rt), out, &e->range);
		goto done;
	}
	if (convert_to(E, cv, hcl_type_bool(), &cb, msg, sizeof(msg)) != 0) {
		rc = fail(E, ATMO_EINVALID, &e->u.cond.c->range, "Incorrect condition type",
			  "The condition expression must be of type bool.");
		goto done;
	}
	take_true = cb->u.b;
	if (take_true ? rt_ : rf) {
		if (saved)
			*saved = take_true ? dt : df;
		rc = take_true ? rt_ : rf;
		goto done;
	}
	pick = take_true ? tv : fv;
	if (rt->kind == HCL_T_DYNAMIC || hcl_type_equal(rt, pick->type)) {
		*out = hcl_value_ref(pick);
		rc = 0;
		goto done;
	}
	*out = hcl_convert(pick, rt, msg, sizeof(msg), NULL, 0);
	rc = 0;
	if (!*out)
		rc = fail(E, ATMO_EINVALID, take_true ? &e->u.cond.t->range : &e->u.cond.f->range,
			  "Inconsistent conditional result types", "The %s result value has the wrong type: %s.",
			  take_true ? "true" : "false", msg);
done:
	hcl_type_unref(rt);
	hcl_value_unref(tv);
	hcl_value_unref(fv);
	hcl_value_unref(cv);
	hcl_value_unref(cb);
	return rc;
}

/* ---- templates ------------------------------------------------------------------ */

/* Append the parts of template t to b; *unknown set when a part is unknown. */
static int tpl_append(ev *E, const hcl_expr *t, const scope *sc, atmo_buf *b, int *unknown);

static int iterate(ev *E, hcl_value *coll, const hcl_expr *ce, size_t i, hcl_value **k, hcl_value **v)
{
	if (is_seq(coll->type)) {
		*k = coll->type->kind == HCL_T_SET ? hcl_value_ref(coll->u.seq.items[i]) : hcl_number((double)i);
		*v = hcl_value_ref(coll->u.seq.items[i]);
	} else {
		*k = hcl_cstring(coll->u.obj.keys[i]);
		*v = hcl_value_ref(coll->u.obj.vals[i]);
	}
	if (!*k) {
		hcl_value_unref(*v);
		return nomem(E, &ce->range);
	}
	return 0;
}

/* The collection of a for expression or directive: 0 ok, 1 unknown, <0 error */
static int for_coll(ev *E, const hcl_expr *ce, const scope *sc, hcl_value **coll)
{
	char tn[128];
	int rc = eval(E, ce, sc, coll);
	if (rc)
		return rc;
	if ((*coll)->is_null)
		return fail(E, ATMO_EINVALID, &ce->range, "Iteration over null value",
			    "A null value cannot be used as the collection in a 'for' expression.");
	if ((*coll)->is_unknown || (*coll)->type->kind == HCL_T_DYNAMIC)
		return 1;
	if (!is_seq((*coll)->type) && !is_mapish((*coll)->type))
		return fail(E, ATMO_EINVALID, &ce->range, "Iteration over non-iterable value",
			    "A value of type %s cannot be used as the collection in a 'for' expression.",
			    hcl_type_friendly((*coll)->type, tn, sizeof(tn)));
	return 0;
}

static int tpl_part(ev *E, const hcl_expr *p, const scope *sc, atmo_buf *b, int *unknown)
{
	hcl_value *v = NULL, *s = NULL;
	char msg[256];
	int rc;
	if (p->kind == HE_LITERAL && p->u.lit->type->kind == HCL_T_STRING && !p->u.lit->is_null) {
		atmo__buf_put(b, p->u.lit->u.str.s, p->u.lit->u.str.len);
		return 0;
	}
	if (p->kind == HE_TPL_IF) {
		hcl_value *cb = NULL;
		if ((rc = eval(E, p->u.cond.c, sc, &v)) != 0)
			return rc;
		if (v->is_null) {
			hcl_value_unref(v);
			return fail(E, ATMO_EINVALID, &p->u.cond.c->range, "Invalid template if directive",
				    "The condition value is null. Conditions must either be true or false.");
		}
		if (v->is_unknown) {
			hcl_value_unref(v);
			*unknown = 1;
			return 0;
		}
		rc = convert_to(E, v, hcl_type_bool(), &cb, msg, sizeof(msg));
		hcl_value_unref(v);
		if (rc)
			return rc == ATMO_ENOMEM ? nomem(E, &p->range)
						 : fail(E, ATMO_EINVALID, &p->u.cond.c->range, "Invalid template if directive",
							"The condition value is invalid: %s.", msg);
		rc = cb->u.b ? tpl_append(E, p->u.cond.t, sc, b, unknown)
			     : p->u.cond.f ? tpl_append(E, p->u.cond.f, sc, b, unknown) : 0;
		hcl_value_unref(cb);
		return rc;
	}
	if (p->kind == HE_TPL_FOR) {
		size_t i, n;
		rc = for_coll(E, p->u.fr.coll, sc, &v);
		if (rc) {
			hcl_value_unref(v);
			if (rc == 1)
				*unknown = 1;
			return rc == 1 ? 0 : rc;
		}
		n = hcl_value_length(v);
		for (i = 0; i < n && !rc; i++) {
			scope in;
			in.up = sc;
			in.k = p->u.fr.k;
			in.v = p->u.fr.v;
			if ((rc = iterate(E, v, p->u.fr.coll, i, &in.kv, &in.vv)) != 0)
				break;
			rc = tpl_append(E, p->u.fr.val, &in, b, unknown);
			hcl_value_unref(in.kv);
			hcl_value_unref(in.vv);
		}
		hcl_value_unref(v);
		return rc;
	}
	if ((rc = eval(E, p, sc, &v)) != 0)
		return rc;
	if (v->is_unknown) {
		hcl_value_unref(v);
		*unknown = 1;
		return 0;
	}
	if (v->is_null) {
		hcl_value_unref(v);
		return fail(E, ATMO_EINVALID, &p->range, "Invalid template interpolation value",
			    "The expression result is null. Cannot include a null value in a string template.");
	}
	rc = convert_to(E, v, hcl_type_string(), &s, msg, sizeof(msg));
	hcl_value_unref(v);
	if (rc == ATMO_ENOMEM)
		return nomem(E, &p->range);
	if (rc)
		return fail(E, ATMO_EINVALID, &p->range, "Invalid template interpolation value",
			    "Cannot include the given value in a string template: %s.", msg);
	if (s->is_unknown)
		*unknown = 1;
	else
		atmo__buf_put(b, s->u.str.s, s->u.str.len);
	hcl_value_unref(s);
	return 0;
}

static int tpl_append(ev *E, const hcl_expr *t, const scope *sc, atmo_buf *b, int *unknown)
{
	size_t i;
	int rc;
	acc A;
	memset(&A, 0, sizeof(A));
	for (i = 0; i < t->u.tpl.n; i++) {
		hcl_diag d, *sv = acc_open(E, &A, &d);
		if ((rc = acc_close(E, &A, sv, tpl_part(E, t->u.tpl.parts[i], sc, b, unknown))) != 0)
			return rc;
		if (b->oom)
			return nomem(E, &t->range);
		if (b->len > E->max_string)
			return check_string(E, b->len, &t->range);
	}
	return acc_done(E, &A);
}

static int eval_template(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	atmo_buf b = ATMO_BUF_INIT;
	int unknown = 0, rc;
	size_t len;
	/* a lone literal is the common case: no copy */
	if (e->u.tpl.n == 1 && e->u.tpl.parts[0]->kind == HE_LITERAL) {
		*out = hcl_value_ref(e->u.tpl.parts[0]->u.lit);
		return 0;
	}
	if ((rc = tpl_append(E, e, sc, &b, &unknown)) != 0 || (rc = check_string(E, b.len, &e->range)) != 0) {
		atmo__buf_free(&b);
		return rc;
	}
	if (unknown) {
		atmo__buf_free(&b);
		return unknown_out(E, hcl_type_string(), out, &e->range);
	}
	len = b.len;
	*out = b.ptr ? hcl_string_take(atmo__buf_detach(&b), len) : hcl_string("", 0);
	return *out ? 0 : nomem(E, &e->range);
}

/* ---- collections --------------------------------------------------------------- */

static int eval_tuple(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	size_t n = e->u.list.n, i;
	hcl_value **items = atmo__calloc(n ? n : 1, sizeof(*items), NULL);
	acc A;
	int rc;
	if (!items)
		return nomem(E, &e->range);
	memset(&A, 0, sizeof(A));
	for (i = 0; i < n; i++) {
		hcl_diag d, *sv = acc_open(E, &A, &d);
		if ((rc = acc_close(E, &A, sv, eval(E, e->u.list.items[i], sc, &items[i]))) != 0) {
			while (i-- > 0)
				hcl_value_unref(items[i]);
			atmo__free(items);
			return rc;
		}
	}
	if ((rc = acc_done(E, &A)) != 0) {
		for (i = 0; i < n; i++)
			hcl_value_unref(items[i]);
		atmo__free(items);
		return rc;
	}
	*out = hcl_tuple(items, n);
	atmo__free(items);
	return *out ? 0 : nomem(E, &e->range);
}

/* An object key: a bare name is a literal string unless parenthesised. */
static int eval_key(ev *E, const hcl_expr *k, const scope *sc, hcl_value **out)
{
	const hcl_expr *w = k->kind == HE_OBJKEY ? k->u.objkey.e : k;
	if (k->kind == HE_OBJKEY && !k->u.objkey.force) {
		if (w->kind == HE_SCOPE && w->u.trav.n_steps == 0) {
			*out = hcl_cstring(w->u.trav.root);
			return *out ? 0 : nomem(E, &k->range);
		}
		if (w->kind == HE_LITERAL && (w->u.lit->type->kind == HCL_T_BOOL || w->u.lit->is_null)) {
			*out = hcl_cstring(w->u.lit->is_null ? "null" : w->u.lit->u.b ? "true" : "false");
			return *out ? 0 : nomem(E, &k->range);
		}
	}
	return eval(E, w, sc, out);
}

static int eval_object(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	size_t n = e->u.obj.n, i, m = 0;
	hcl_value **vals = atmo__calloc(n ? n : 1, sizeof(*vals), NULL);
	const char **keys = atmo__calloc(n ? n : 1, sizeof(*keys), NULL);
	hcl_value **kvs = atmo__calloc(n ? n : 1, sizeof(*kvs), NULL);
	int rc = 0, unknown = 0;
	char msg[256];
	acc A;
	memset(&A, 0, sizeof(A));
	if (!vals || !keys || !kvs) {
		rc = nomem(E, &e->range);
		goto done;
	}
	/* as HCL's ObjectConsExpr: an item whose key or value fails is skipped,
	 * its diagnostic collected, and the others still evaluated */
	for (i = 0; i < n; i++) {
		hcl_value *k = NULL, *ks = NULL;
		const hcl_expr *ke = e->u.obj.keys[i];
		hcl_diag d, *sv = acc_open(E, &A, &d);
		rc = eval_key(E, ke, sc, &k);
		if (!rc && k->is_null) {
			hcl_value_unref(k);
			k = NULL;
			rc = fail(E, ATMO_EINVALID, &ke->range, "Null value as key", "Can't use a null value as a key.");
		}
		if (!rc) {
			rc = convert_to(E, k, hcl_type_string(), &ks, msg, sizeof(msg));
			hcl_value_unref(k);
			if (rc)
				rc = rc == ATMO_ENOMEM ? nomem(E, &ke->range)
						       : fail(E, ATMO_EINVALID, &ke->range, "Incorrect key type",
							      "Can't use this value as a key: %s.", msg);
		} else {
			hcl_value_unref(k);
		}
		if ((rc = acc_close(E, &A, sv, rc)) != 0)
			goto done;
		if (!ks)
			continue; /* HCL does not evaluate the value of a failed key */
		sv = acc_open(E, &A, &d);
		rc = acc_close(E, &A, sv, eval(E, e->u.obj.vals[i], sc, &vals[m]));
		if (rc || !vals[m]) {
			hcl_value_unref(ks);
			hcl_value_unref(vals[m]);
			vals[m] = NULL;
			if (rc)
				goto done;
			continue;
		}
		if (ks->is_unknown)
			unknown = 1;
		kvs[m] = ks;
		keys[m] = ks->is_unknown ? "" : ks->u.str.s;
		m++;
	}
	if ((rc = acc_done(E, &A)) != 0)
		goto done;
	if (unknown) {
		rc = unknown_out(E, NULL, out, &e->range);
		goto done;
	}
	*out = hcl_object(keys, vals, m);
	m = 0; /* values stolen */
	rc = *out ? 0 : nomem(E, &e->range);
done:
	for (i = 0; i < n; i++) {
		if (i < m)
			hcl_value_unref(vals[i]);
		if (kvs)
			hcl_value_unref(kvs[i]);
	}
	atmo__free(vals);
	atmo__free(keys);
	atmo__free(kvs);
	return rc;
}

/* Growable arrays for for-expression results. */
typedef struct {
	hcl_value **v;
	char **k;
	size_t n, cap;
} vec;

static int vec_push(vec *a, char *k, hcl_value *v)
{
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 8;
		hcl_value **nv = atmo__realloc(a->v, nc * sizeof(*nv), NULL);
		char **nk;
		if (!nv)
			return -1;
		a->v = nv;
		nk = atmo__realloc(a->k, nc * sizeof(*nk), NULL);
		if (!nk)
			return -1;
		a->k = nk;
		a->cap = nc;
	}
	a->k[a->n] = k;
	a->v[a->n++] = v;
	return 0;
}

static void vec_free(vec *a)
{
	size_t i;
	for (i = 0; i < a->n; i++) {
		atmo__free(a->k[i]);
		hcl_value_unref(a->v[i]);
	}
	atmo__free(a->k);
	atmo__free(a->v);
}

static int key_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Group values by key (the ... form): object of tuples, keys in first-seen order. */
static int build_groups(ev *E, const hcl_expr *e, vec *items, hcl_value **out)
{
	size_t i, j, ng = 0;
	char **order = atmo__malloc((items->n ? items->n : 1) * sizeof(*order), NULL);
	hcl_value **groups = NULL;
	int rc = 0;
	if (!order)
		return nomem(E, &e->range);
	for (i = 0; i < items->n; i++)
		order[i] = items->k[i];
	qsort(order, items->n, sizeof(*order), key_cmp);
	for (i = 0; i < items->n; i++)
		if (ng == 0 || strcmp(order[ng - 1], order[i]) != 0)
			order[ng++] = order[i];
	groups = atmo__calloc(ng ? ng : 1, sizeof(*groups), NULL);
	if (!groups) {
		atmo__free(order);
		return nomem(E, &e->range);
	}
	for (j = 0; j < ng && !rc; j++) {
		size_t cnt = 0, c = 0;
		hcl_value **mem;
		for (i = 0; i < items->n; i++)
			cnt += strcmp(items->k[i], order[j]) == 0;
		mem = atmo__malloc(cnt * sizeof(*mem), NULL);
		if (!mem) {
			rc = nomem(E, &e->range);
			break;
		}
		for (i = 0; i < items->n; i++)
			if (strcmp(items->k[i], order[j]) == 0)
				mem[c++] = hcl_value_ref(items->v[i]);
		groups[j] = hcl_tuple(mem, cnt);
		atmo__free(mem);
		if (!groups[j])
			rc = nomem(E, &e->range);
	}
	if (!rc) {
		*out = hcl_object((const char *const *)order, groups, ng);
		rc = *out ? 0 : nomem(E, &e->range);
	} else {
		for (j = 0; j < ng; j++)
			hcl_value_unref(groups[j]);
	}
	atmo__free(groups);
	atmo__free(order);
	return rc;
}

static int eval_for(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	hcl_value *coll = NULL;
	vec items = { NULL, NULL, 0, 0 };
	size_t i, n;
	int rc, unknown = 0;
	char msg[256];
	rc = for_coll(E, e->u.fr.coll, sc, &coll);
	if (rc) {
		hcl_value_unref(coll);
		return rc == 1 ? unknown_out(E, NULL, out, &e->range) : rc;
	}
	n = hcl_value_length(coll);
	for (i = 0; i < n; i++) {
		scope in;
		hcl_value *v = NULL, *k = NULL, *ks = NULL;
		char *kstr = NULL;
		in.up = sc;
		in.k = e->u.fr.k;
		in.v = e->u.fr.v;
		if ((rc = iterate(E, coll, e->u.fr.coll, i, &in.kv, &in.vv)) != 0)
			break;
		if ((rc = charge(E, NODE_COST, &e->range)) != 0)
			goto item_done;
		if (e->u.fr.cond) {
			hcl_value *c = NULL, *cb = NULL;
			if ((rc = eval(E, e->u.fr.cond, &in, &c)) != 0)
				goto item_done;
			if (c->is_null) {
				hcl_value_unref(c);
				rc = fail(E, ATMO_EINVALID, &e->u.fr.cond->range, "Invalid 'for' condition",
					  "The value of the 'if' clause must not be null.");
				goto item_done;
			}
			if (c->is_unknown) {
				hcl_value_unref(c);
				unknown = 1;
				goto item_done;
			}
			rc = convert_to(E, c, hcl_type_bool(), &cb, msg, sizeof(msg));
			hcl_value_unref(c);
			if (rc) {
				rc = rc == ATMO_ENOMEM ? nomem(E, &e->range)
						       : fail(E, ATMO_EINVALID, &e->u.fr.cond->range, "Invalid 'for' condition",
							      "The 'if' clause value is invalid: %s.", msg);
				goto item_done;
			}
			if (!cb->u.b) {
				hcl_value_unref(cb);
				goto item_done;
			}
			hcl_value_unref(cb);
		}
		if (e->u.fr.is_obj) {
			if ((rc = eval(E, e->u.fr.key, &in, &k)) != 0)
				goto item_done;
			if (k->is_null) {
				rc = fail(E, ATMO_EINVALID, &e->u.fr.key->range, "Invalid object key",
					  "Key expression in 'for' expression must not produce a null value.");
				goto item_done;
			}
			if (k->is_unknown) {
				unknown = 1;
				goto item_done;
			}
			rc = convert_to(E, k, hcl_type_string(), &ks, msg, sizeof(msg));
			if (rc) {
				rc = rc == ATMO_ENOMEM ? nomem(E, &e->range)
						       : fail(E, ATMO_EINVALID, &e->u.fr.key->range, "Invalid object key",
							      "The key expression produced an invalid result: %s.", msg);
				goto item_done;
			}
			if (!e->u.fr.group) {
				size_t j;
				for (j = 0; j < items.n; j++) {
					if (strcmp(items.k[j], ks->u.str.s) == 0) {
						rc = fail(E, ATMO_EINVALID, &e->u.fr.key->range, "Duplicate object key",
							  "Two different items produced the key \"%s\" in this 'for' expression. "
							  "If duplicates are expected, use the ellipsis (...) after the value "
							  "expression to enable grouping by key.", ks->u.str.s);
						goto item_done;
					}
				}
			}
			if (!(kstr = atmo__strdup(ks->u.str.s, NULL))) {
				rc = nomem(E, &e->range);
				goto item_done;
			}
		}
		if ((rc = eval(E, e->u.fr.val, &in, &v)) != 0) {
			atmo__free(kstr);
			goto item_done;
		}
		if (vec_push(&items, kstr, v) < 0) {
			atmo__free(kstr);
			hcl_value_unref(v);
			rc = nomem(E, &e->range);
		}
item_done:
		hcl_value_unref(k);
		hcl_value_unref(ks);
		hcl_value_unref(in.kv);
		hcl_value_unref(in.vv);
		if (rc)
			break;
	}
	hcl_value_unref(coll);
	if (rc) {
		vec_free(&items);
		return rc;
	}
	if (unknown) {
		vec_free(&items);
		return unknown_out(E, NULL, out, &e->range);
	}
	if (!e->u.fr.is_obj) {
		*out = hcl_tuple(items.v, items.n);
		items.n = 0;
	} else if (e->u.fr.group) {
		rc = build_groups(E, e, &items, out);
		vec_free(&items);
		return rc;
	} else {
		*out = hcl_object((const char *const *)items.k, items.v, items.n);
		for (i = 0; i < items.n; i++)
			atmo__free(items.k[i]);
		items.n = 0;
	}
	vec_free(&items);
	return *out ? 0 : nomem(E, &e->range);
}

static int eval_splat(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	hcl_value *src, **vals = NULL, *saved = E->anon;
	size_t n, i;
	int rc, upgraded = 0, same = 1;
	if ((rc = eval(E, e->u.splat.src, sc, &src)) != 0)
		return rc;
	if (src->is_null) {
		hcl_value_unref(src);
		*out = hcl_tuple(NULL, 0);
		return *out ? 0 : nomem(E, &e->range);
	}
	if (src->is_unknown || src->type->kind == HCL_T_DYNAMIC) {
		hcl_value_unref(src);
		return unknown_out(E, NULL, out, &e->range);
	}
	if (!is_seq(src->type)) {
		hcl_value *one = src;
		src = hcl_tuple(&one, 1);
		if (!src)
			return nomem(E, &e->range);
		upgraded = 1;
	}
	n = src->u.seq.n;
	vals = atmo__calloc(n ? n : 1, sizeof(*vals), NULL);
	if (!vals) {
		hcl_value_unref(src);
		return nomem(E, &e->range);
	}
	for (i = 0; i < n; i++) {
		E->anon = src->u.seq.items[i];
		rc = eval(E, e->u.splat.each, sc, &vals[i]);
		E->anon = saved;
		if (rc) {
			while (i-- > 0)
				hcl_value_unref(vals[i]);
			atmo__free(vals);
			hcl_value_unref(src);
			return rc;
		}
		if (i && !hcl_type_equal(vals[i]->type, vals[0]->type))
			same = 0;
	}
	if (src->type->kind == HCL_T_LIST && !upgraded && same) {
		hcl_type *et = n ? hcl_type_ref(vals[0]->type) : hcl_type_dynamic();
		*out = hcl_list(et, vals, n);
	} else {
		*out = hcl_tuple(vals, n);
	}
	atmo__free(vals);
	hcl_value_unref(src);
	return *out ? 0 : nomem(E, &e->range);
}

/* ---- dispatch -------------------------------------------------------------------- */

static int eval_kind(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out);

/* Every result is checked for its weight: shared structure ([V, V] through
 * variables) doubles it without costing the evaluator anything. */
static int eval(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	int rc;
	*out = NULL;
	if ((rc = charge(E, NODE_COST, &e->range)) != 0)
		return rc;
	rc = eval_kind(E, e, sc, out);
	if (rc == 0 && (*out)->weight > E->max_weight) {
		hcl_value_unref(*out);
		*out = NULL;
		rc = fail(E, ATMO_ELIMIT, &e->range, "Value too large",
			  "This expression produces a value of more than %zu elements.", E->max_weight);
	}
	return rc;
}

static int eval_kind(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	int rc;
	/* HCL's JSON syntax without a scope is literal-only: "${x}" is those four characters */
	if (e->json && e->raw && !E->ctx) {
		*out = hcl_string(e->raw, e->raw_len);
		return *out ? 0 : nomem(E, &e->range);
	}
	switch (e->kind) {
	case HE_LITERAL:
		*out = hcl_value_ref(e->u.lit);
		return 0;
	case HE_TEMPLATE:
		return eval_template(E, e, sc, out);
	case HE_WRAP:
	case HE_PAREN:
		return eval(E, e->u.wrap, sc, out);
	case HE_SCOPE:
		return eval_scope(E, e, sc, out);
	case HE_REL: {
		hcl_value *v;
		if ((rc = eval(E, e->u.rel.src, sc, &v)) != 0)
			return rc;
		return apply_steps(E, v, e->u.rel.steps, e->u.rel.n, out);
	}
	case HE_INDEX: {
		hcl_value *c, *k;
		hcl_range r = e->range;
		if ((rc = eval(E, e->u.index.coll, sc, &c)) != 0)
			return rc;
		if ((rc = eval(E, e->u.index.key, sc, &k)) != 0) {
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
		return eval_splat(E, e, sc, out);
	case HE_ANON:
		if (!E->anon)
			return fail(E, ATMO_EINVALID, &e->range, "Invalid expression",
				    "A splat item is only valid inside a splat expression.");
		*out = hcl_value_ref(E->anon);
		return 0;
	case HE_CALL:
		return eval_call(E, e, sc, out);
	case HE_TUPLE:
		return eval_tuple(E, e, sc, out);
	case HE_OBJECT:
		return eval_object(E, e, sc, out);
	case HE_OBJKEY:
		return eval_key(E, e, sc, out);
	case HE_UNARY:
		return eval_unary(E, e, sc, out);
	case HE_BINARY:
		return eval_binary(E, e, sc, out);
	case HE_COND:
		return eval_cond(E, e, sc, out);
	case HE_FOR:
		return eval_for(E, e, sc, out);
	case HE_TPL_IF:
	case HE_TPL_FOR: {
		atmo_buf b = ATMO_BUF_INIT;
		int unknown = 0;
		size_t len;
		if ((rc = tpl_part(E, e, sc, &b, &unknown)) != 0) {
			atmo__buf_free(&b);
			return rc;
		}
		if (unknown) {
			atmo__buf_free(&b);
			return unknown_out(E, hcl_type_string(), out, &e->range);
		}
		len = b.len;
		*out = b.ptr ? hcl_string_take(atmo__buf_detach(&b), len) : hcl_string("", 0);
		return *out ? 0 : nomem(E, &e->range);
	}
	}
	return fail(E, ATMO_ERROR, &e->range, "Invalid expression", "Unknown expression kind.");
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
	rc = eval(&E, e, NULL, out);
	if (rc) {
		hcl_value_unref(*out);
		*out = NULL;
		if (diag && !diag->code)
			diag->code = rc;
	}
	return rc;
}
