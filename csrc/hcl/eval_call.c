/* Evaluating variables (scope lookups), function calls, and try() and can(). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/eval_int.h"
#include "util/alloc.h"

/* ---- variables and functions ---------------------------------------------------- */

int hcl__eval_scope(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
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
			return hcl__ev_fail(E, ATMO_EINVALID, &rr, "Variables not allowed",
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
			return hcl__ev_fail(E, ATMO_EINVALID, &rr, "Unknown variable",
					    "There is no variable named \"%s\".", t->root);
	}
	return hcl__ev_apply_steps(E, root, t->steps, t->n_steps, out);
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
		return hcl__ev_fail(
			E, ATMO_EINVALID, &e->range, "Invalid expanding argument value",
			"The expanding argument (indicated by ...) cannot be used with %s().",
			e->u.call.name);
	if (!is_try && e->u.call.n != 1)
		return hcl__ev_fail(E, ATMO_EINVALID, &e->range,
				    e->u.call.n ? "Too many function arguments"
						: "Not enough function arguments",
				    e->u.call.n ? "Function \"can\" expects only 1 argument(s)."
						: "Function \"can\" expects 1 argument(s). Missing "
						  "value for \"expression\".");
	if (is_try && e->u.call.n == 0)
		return hcl__ev_fail(
			E, ATMO_EINVALID, &e->range, "Error in function call",
			"Call to function \"try\" failed: at least one argument is required.");
	for (i = 0; i < e->u.call.n; i++) {
		hcl_value *v = NULL;
		int hard = E->hard;
		memset(&d, 0, sizeof(d));
		E->diag = &d;
		rc = hcl__eval(E, e->u.call.args[i], sc, &v);
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
				return *out ? 0 : hcl__ev_nomem(E, &e->range);
			}
			if (!hcl_value_is_wholly_known(v)) {
				hcl_value_unref(v);
				return hcl__ev_unknown_out(E, NULL, out, &e->range);
			}
			*out = v;
			return 0;
		}
		if (!is_try) {
			*out = hcl_bool(0);
			return *out ? 0 : hcl__ev_nomem(E, &e->range);
		}
		atmo__buf_printf(&msg, "- %s (at %s)\n  %s\n", d.summary,
				 hcl_range_format(&d.subject, where, sizeof(where)), d.detail);
	}
	rc = hcl__ev_fail(E, ATMO_EINVALID, &e->range, "Error in function call",
			  "Call to function \"try\" failed: no expression succeeded:\n%s\nAt least "
			  "one expression "
			  "must be non-error in order to provide a result.",
			  atmo__buf_cstr(&msg));
	atmo__buf_free(&msg);
	return rc;
}

int hcl__eval_call(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
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
		return hcl__ev_fail(E, ATMO_EINVALID, &e->u.call.name_range,
				    "Function calls not allowed",
				    "Functions may not be called here.");
	if (strcmp(name, "try") == 0 || strcmp(name, "can") == 0)
		return eval_try_can(E, e, sc, out, name[0] == 't');
	f = find_func(E, e, &rc);
	if (rc)
		return rc;
	if (!f) {
		const char *sug = suggest_function(name);
		if (sug)
			return hcl__ev_fail(
				E, ATMO_EINVALID, &e->u.call.name_range, "Call to unknown function",
				"There is no function named \"%s\". Did you mean \"%s\"?", name,
				sug);
		return hcl__ev_fail(E, ATMO_EINVALID, &e->u.call.name_range,
				    "Call to unknown function",
				    "There is no function named \"%s\".", name);
	}

	memset(&A, 0, sizeof(A));
	cap = e->u.call.n;
	args = atmo__calloc(cap ? cap : 1, sizeof(*args), NULL);
	arg_expr = atmo__calloc(cap ? cap : 1, sizeof(*arg_expr), NULL);
	if (!args || !arg_expr) {
		rc = hcl__ev_nomem(E, &e->range);
		goto done;
	}
	for (i = 0; i < e->u.call.n; i++) {
		hcl_value *v;
		hcl_diag d, *sv = hcl__ev_acc_open(E, &A, &d);
		if ((rc = hcl__ev_acc_close(E, &A, sv, hcl__eval(E, e->u.call.args[i], sc, &v))) !=
		    0)
			goto done;
		if (!v)
			continue; /* its diagnostic is collected */
		if (i + 1 == e->u.call.n && e->u.call.expand) {
			const hcl_range *ar = &e->u.call.args[i]->range;
			size_t j;
			if (v->is_null) {
				hcl_value_unref(v);
				rc = hcl__ev_fail(E, ATMO_EINVALID, ar,
						  "Invalid expanding argument value",
						  "The expanding argument (indicated by ...) must "
						  "not be null.");
				goto done;
			}
			if (v->is_unknown || v->type->kind == HCL_T_DYNAMIC) {
				hcl_value_unref(v);
				rc = hcl__ev_unknown_out(E, NULL, out, &e->range);
				goto done_ok;
			}
			if (!hcl__ev_is_seq(v->type)) {
				hcl_value_unref(v);
				rc = hcl__ev_fail(E, ATMO_EINVALID, ar,
						  "Invalid expanding argument value",
						  "The expanding argument (indicated by ...) must "
						  "be of a tuple, list, or set type.");
				goto done;
			}
			if (v->u.seq.n) {
				hcl_value **na =
					atmo__realloc(args, (n + v->u.seq.n) * sizeof(*na), NULL);
				const hcl_expr **ne =
					na ? atmo__realloc(arg_expr, (n + v->u.seq.n) * sizeof(*ne),
							   NULL)
					   : NULL;
				if (na)
					args = na;
				if (!na || !ne) {
					hcl_value_unref(v);
					rc = hcl__ev_nomem(E, &e->range);
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
	if ((rc = hcl__ev_acc_done(E, &A)) != 0)
		goto done;
	if (n < f->n_params) {
		hcl_range cp = hcl__ev_last_char(&e->range);
		rc = hcl__ev_fail(
			E, ATMO_EINVALID, &cp, "Not enough function arguments",
			"Function \"%s\" expects %s%zu argument(s). Missing value for \"%s\".",
			name, f->varparam ? "at least " : "", f->n_params, f->params[n].name);
		goto done;
	}
	if (n > f->n_params && !f->varparam) {
		rc = hcl__ev_fail(E, ATMO_EINVALID, &arg_expr[f->n_params]->range,
				  "Too many function arguments",
				  "Function \"%s\" expects only %zu argument(s).", name,
				  f->n_params);
		goto done;
	}
	memset(&fe, 0, sizeof(fe));
	fe.arg = -1;
	if (hcl_func_call(f, args, n, out, &fe) < 0) {
		if (strstr(fe.msg, "out of memory"))
			rc = hcl__ev_nomem(E, &e->range);
		else if (fe.arg >= 0 && (size_t)fe.arg < n)
			rc = hcl__ev_fail(E, ATMO_EINVALID, &arg_expr[fe.arg]->range,
					  "Invalid function argument", "%s", fe.msg);
		else
			rc = hcl__ev_fail(E, ATMO_EINVALID, &e->range, "Error in function call",
					  "%s", fe.msg);
		*out = NULL;
		goto done;
	}
	if (!*out) {
		rc = hcl__ev_nomem(E, &e->range);
		goto done;
	}
	if (!(*out)->is_null && !(*out)->is_unknown && (*out)->type->kind == HCL_T_STRING &&
	    (rc = hcl__ev_check_string(E, (*out)->u.str.len, &e->range)) != 0) {
		hcl_value_unref(*out);
		*out = NULL;
		goto done;
	}
	if (!(*out)->is_null && !(*out)->is_unknown)
		rc = hcl__ev_charge(E, hcl_value_length(*out) * 16, &e->range);
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
		rc = hcl__ev_acc_done(E, &A);
	}
done:
	for (i = 0; i < n; i++)
		hcl_value_unref(args[i]);
	atmo__free(args);
	atmo__free(arg_expr);
	return rc;
}
