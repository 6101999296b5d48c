/* Evaluating templates: interpolations, %{if} and %{for} directives into one string. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/eval_int.h"
#include "util/alloc.h"

/* ---- templates ------------------------------------------------------------------ */

/* Append the parts of template t to b; *unknown set when a part is unknown. */
static int tpl_append(ev *E, const hcl_expr *t, const scope *sc, atmo_buf *b, int *unknown);

int hcl__ev_iterate(ev *E, hcl_value *coll, const hcl_expr *ce, size_t i, hcl_value **k,
		    hcl_value **v)
{
	if (hcl__ev_is_seq(coll->type)) {
		*k = coll->type->kind == HCL_T_SET ? hcl_value_ref(coll->u.seq.items[i])
						   : hcl_number((double)i);
		*v = hcl_value_ref(coll->u.seq.items[i]);
	} else {
		*k = hcl_cstring(coll->u.obj.keys[i]);
		*v = hcl_value_ref(coll->u.obj.vals[i]);
	}
	if (!*k) {
		hcl_value_unref(*v);
		return hcl__ev_nomem(E, &ce->range);
	}
	return 0;
}

/* The collection of a for expression or directive: 0 ok, 1 unknown, <0 error */
int hcl__ev_for_coll(ev *E, const hcl_expr *ce, const scope *sc, hcl_value **coll)
{
	char tn[128];
	int rc = hcl__eval(E, ce, sc, coll);
	if (rc)
		return rc;
	if ((*coll)->is_null)
		return hcl__ev_fail(
			E, ATMO_EINVALID, &ce->range, "Iteration over null value",
			"A null value cannot be used as the collection in a 'for' expression.");
	if ((*coll)->is_unknown || (*coll)->type->kind == HCL_T_DYNAMIC)
		return 1;
	if (!hcl__ev_is_seq((*coll)->type) && !hcl__ev_is_mapish((*coll)->type))
		return hcl__ev_fail(E, ATMO_EINVALID, &ce->range,
				    "Iteration over non-iterable value",
				    "A value of type %s cannot be used as the collection in a "
				    "'for' expression.",
				    hcl_type_friendly((*coll)->type, tn, sizeof(tn)));
	return 0;
}

int hcl__ev_tpl_part(ev *E, const hcl_expr *p, const scope *sc, atmo_buf *b, int *unknown)
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
		if ((rc = hcl__eval(E, p->u.cond.c, sc, &v)) != 0)
			return rc;
		if (v->is_null) {
			hcl_value_unref(v);
			return hcl__ev_fail(E, ATMO_EINVALID, &p->u.cond.c->range,
					    "Invalid template if directive",
					    "The condition value is null. Conditions must either "
					    "be true or false.");
		}
		if (v->is_unknown) {
			hcl_value_unref(v);
			*unknown = 1;
			return 0;
		}
		rc = hcl__ev_convert_to(E, v, hcl_type_bool(), &cb, msg, sizeof(msg));
		hcl_value_unref(v);
		if (rc)
			return rc == ATMO_ENOMEM
				       ? hcl__ev_nomem(E, &p->range)
				       : hcl__ev_fail(E, ATMO_EINVALID, &p->u.cond.c->range,
						      "Invalid template if directive",
						      "The condition value is invalid: %s.", msg);
		rc = cb->u.b       ? tpl_append(E, p->u.cond.t, sc, b, unknown)
		     : p->u.cond.f ? tpl_append(E, p->u.cond.f, sc, b, unknown)
				   : 0;
		hcl_value_unref(cb);
		return rc;
	}
	if (p->kind == HE_TPL_FOR) {
		size_t i, n;
		rc = hcl__ev_for_coll(E, p->u.fr.coll, sc, &v);
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
			if ((rc = hcl__ev_iterate(E, v, p->u.fr.coll, i, &in.kv, &in.vv)) != 0)
				break;
			rc = tpl_append(E, p->u.fr.val, &in, b, unknown);
			hcl_value_unref(in.kv);
			hcl_value_unref(in.vv);
		}
		hcl_value_unref(v);
		return rc;
	}
	if ((rc = hcl__eval(E, p, sc, &v)) != 0)
		return rc;
	if (v->is_unknown) {
		hcl_value_unref(v);
		*unknown = 1;
		return 0;
	}
	if (v->is_null) {
		hcl_value_unref(v);
		return hcl__ev_fail(E, ATMO_EINVALID, &p->range,
				    "Invalid template interpolation value",
				    "The expression result is null. Cannot include a null value in "
				    "a string template.");
	}
	rc = hcl__ev_convert_to(E, v, hcl_type_string(), &s, msg, sizeof(msg));
	hcl_value_unref(v);
	if (rc == ATMO_ENOMEM)
		return hcl__ev_nomem(E, &p->range);
	if (rc)
		return hcl__ev_fail(
			E, ATMO_EINVALID, &p->range, "Invalid template interpolation value",
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
		hcl_diag d, *sv = hcl__ev_acc_open(E, &A, &d);
		if ((rc = hcl__ev_acc_close(
			     E, &A, sv, hcl__ev_tpl_part(E, t->u.tpl.parts[i], sc, b, unknown))) !=
		    0)
			return rc;
		if (b->oom)
			return hcl__ev_nomem(E, &t->range);
		if (b->len > E->max_string)
			return hcl__ev_check_string(E, b->len, &t->range);
	}
	return hcl__ev_acc_done(E, &A);
}

int hcl__eval_template(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	atmo_buf b = ATMO_BUF_INIT;
	int unknown = 0, rc;
	size_t len;
	/* a lone literal is the common case: no copy */
	if (e->u.tpl.n == 1 && e->u.tpl.parts[0]->kind == HE_LITERAL) {
		*out = hcl_value_ref(e->u.tpl.parts[0]->u.lit);
		return 0;
	}
	if ((rc = tpl_append(E, e, sc, &b, &unknown)) != 0 ||
	    (rc = hcl__ev_check_string(E, b.len, &e->range)) != 0) {
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
