/* Evaluating operators and conditionals: operand conversion and unification of the arms as HCL does. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/eval_int.h"
#include "util/alloc.h"

/* ---- operators ---------------------------------------------------------------- */

static const char *op_side(int right)
{
	return right ? "right" : "left";
}

static int operand(ev *E, hcl_value *v, const hcl_type *t, const hcl_expr *src, int right,
		   hcl_value **out)
{
	char msg[256];
	int rc = hcl__ev_convert_to(E, v, t, out, msg, sizeof(msg));
	if (rc == ATMO_ENOMEM)
		return hcl__ev_nomem(E, &src->range);
	if (rc)
		return hcl__ev_fail(E, ATMO_EINVALID, &src->range, "Invalid operand",
				    "Unsuitable value for %s operand: %s.", op_side(right), msg);
	return 0;
}

int hcl__eval_binary(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	hcl_op op = e->u.op.op;
	hcl_value *a = NULL, *b = NULL, *ca = NULL, *cb = NULL;
	const hcl_type *pt;
	hcl_type *rt;
	int rc;
	double x, y, r = 0;

	if ((rc = hcl__eval(E, e->u.op.a, sc, &a)) != 0)
		return rc;
	if (op == HOP_AND || op == HOP_OR) {
		if ((rc = operand(E, a, hcl_type_bool(), e->u.op.a, 0, &ca)) != 0)
			goto done;
		/* a known left side decides alone, as HCL's short-circuit does */
		if (!ca->is_null && !ca->is_unknown && ca->u.b == (op == HOP_OR)) {
			*out = hcl_bool(ca->u.b);
			rc = *out ? 0 : hcl__ev_nomem(E, &e->range);
			goto done;
		}
	}
	if ((rc = hcl__eval(E, e->u.op.b, sc, &b)) != 0)
		goto done;
	if (op == HOP_EQ || op == HOP_NE) {
		if (a->is_unknown || b->is_unknown) {
			rc = hcl__ev_unknown_out(E, hcl_type_bool(), out, &e->range);
			goto done;
		}
		*out = hcl_bool(hcl_value_equal(a, b) == (op == HOP_EQ));
		rc = *out ? 0 : hcl__ev_nomem(E, &e->range);
		goto done;
	}
	pt = (op == HOP_AND || op == HOP_OR) ? hcl_type_bool() : hcl_type_number();
	rt = (op >= HOP_ADD && op <= HOP_MOD) ? hcl_type_number() : hcl_type_bool();
	if (!ca && (rc = operand(E, a, pt, e->u.op.a, 0, &ca)) != 0)
		goto done;
	if ((rc = operand(E, b, pt, e->u.op.b, 1, &cb)) != 0)
		goto done;
	if (ca->is_unknown || cb->is_unknown) {
		rc = hcl__ev_unknown_out(E, rt, out, &e->range);
		goto done;
	}
	if (ca->is_null || cb->is_null) {
		rc = hcl__ev_fail(E, ATMO_EINVALID, &e->range, "Operation failed",
				  "Error during operation: argument must not be null.");
		goto done;
	}
	if (op == HOP_AND || op == HOP_OR) {
		*out = hcl_bool(op == HOP_AND ? (ca->u.b && cb->u.b) : (ca->u.b || cb->u.b));
		rc = *out ? 0 : hcl__ev_nomem(E, &e->range);
		goto done;
	}
	x = ca->u.num;
	y = cb->u.num;
	switch (op) {
	case HOP_LT:
		*out = hcl_bool(x < y);
		break;
	case HOP_LE:
		*out = hcl_bool(x <= y);
		break;
	case HOP_GT:
		*out = hcl_bool(x > y);
		break;
	case HOP_GE:
		*out = hcl_bool(x >= y);
		break;
	default:
		switch (op) {
		case HOP_ADD:
			r = x + y;
			break;
		case HOP_SUB:
			r = x - y;
			break;
		case HOP_MUL:
			r = x * y;
			break;
		case HOP_DIV:
			if ((x == 0 && y == 0) || (isinf(x) && isinf(y))) {
				rc = hcl__ev_fail(E, ATMO_EINVALID, &e->range, "Operation failed",
						  "Error during operation: can't divide zero by "
						  "zero or infinity by infinity.");
				goto done;
			}
			r = x / y;
			break;
		default:
			if (y == 0 || isinf(x)) {
				rc = hcl__ev_fail(E, ATMO_EINVALID, &e->range, "Operation failed",
						  "Error during operation: can't use modulo with "
						  "zero and infinity.");
				goto done;
			}
			/* cty: x - y * trunc(x / y) */
			r = isinf(y) ? x : fmod(x, y);
			break;
		}
		if (isnan(r)) {
			rc = hcl__ev_fail(E, ATMO_EINVALID, &e->range, "Operation failed",
					  "Error during operation: the result is not a number.");
			goto done;
		}
		*out = hcl_number(r);
	}
	rc = *out ? 0 : hcl__ev_nomem(E, &e->range);
done:
	hcl_value_unref(a);
	hcl_value_unref(b);
	hcl_value_unref(ca);
	hcl_value_unref(cb);
	return rc;
}

int hcl__eval_unary(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	hcl_value *a, *c = NULL;
	int neg = e->u.op.op == HOP_NEG, rc;
	char msg[256];
	if ((rc = hcl__eval(E, e->u.op.a, sc, &a)) != 0)
		return rc;
	rc = hcl__ev_convert_to(E, a, neg ? hcl_type_number() : hcl_type_bool(), &c, msg,
				sizeof(msg));
	hcl_value_unref(a);
	if (rc == ATMO_ENOMEM)
		return hcl__ev_nomem(E, &e->range);
	if (rc)
		return hcl__ev_fail(E, ATMO_EINVALID, &e->u.op.a->range, "Invalid operand",
				    "Unsuitable value for unary operand: %s.", msg);
	if (c->is_unknown) {
		hcl_value_unref(c);
		return hcl__ev_unknown_out(E, neg ? hcl_type_number() : hcl_type_bool(), out,
					   &e->range);
	}
	if (c->is_null) {
		hcl_value_unref(c);
		return hcl__ev_fail(E, ATMO_EINVALID, &e->range, "Operation failed",
				    "Error during operation: argument must not be null.");
	}
	*out = neg ? hcl_number(-c->u.num) : hcl_bool(!c->u.b);
	hcl_value_unref(c);
	return *out ? 0 : hcl__ev_nomem(E, &e->range);
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
				snprintf(buf, n,
					 "The 'true' value includes object attribute \"%s\", which "
					 "is absent in the 'false' value",
					 t->names[i]);
				return;
			}
		}
		for (j = 0; j < f->n; j++) {
			for (i = 0; i < t->n && strcmp(t->names[i], f->names[j]) != 0; i++)
				;
			if (i == t->n) {
				snprintf(buf, n,
					 "The 'false' value includes object attribute \"%s\", "
					 "which is absent in the 'true' value",
					 f->names[j]);
				return;
			}
		}
		snprintf(buf, n, "Type mismatch for object attribute");
		return;
	}
	if (t->kind == HCL_T_TUPLE && f->kind == HCL_T_TUPLE && t->n != f->n) {
		snprintf(buf, n,
			 "The 'true' tuple has length %zu, but the 'false' tuple has length %zu",
			 t->n, f->n);
		return;
	}
	snprintf(buf, n, "The 'true' value is %s, but the 'false' value is %s",
		 hcl_type_friendly(t, a, sizeof(a)), hcl_type_friendly(f, b, sizeof(b)));
}

static int is_dyn_null(const hcl_value *v)
{
	return v->is_null && v->type->kind == HCL_T_DYNAMIC;
}

int hcl__eval_cond(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
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
	rt_ = hcl__eval(E, e->u.cond.t, sc, &tv);
	E->diag = &df;
	rf = rt_ == ATMO_ENOMEM || rt_ == ATMO_ELIMIT ? 0 : hcl__eval(E, e->u.cond.f, sc, &fv);
	E->diag = saved;
	if (rt_ == ATMO_ENOMEM || rt_ == ATMO_ELIMIT || rf == ATMO_ENOMEM || rf == ATMO_ELIMIT) {
		if (saved)
			*saved = (rt_ == ATMO_ENOMEM || rt_ == ATMO_ELIMIT) ? dt : df;
		rc = rt_ ? rt_ : rf;
		goto done;
	}
	if (!tv && !(tv = hcl_unknown(NULL))) {
		rc = hcl__ev_nomem(E, &e->range);
		goto done;
	}
	if (!fv && !(fv = hcl_unknown(NULL))) {
		rc = hcl__ev_nomem(E, &e->range);
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
			rc = hcl__ev_fail(E, ATMO_EINVALID, &r,
					  "Inconsistent conditional result types",
					  "The true and false result expressions must have "
					  "consistent types. %s.",
					  msg);
			goto done;
		}
	}
	if ((rc = hcl__eval(E, e->u.cond.c, sc, &cv)) != 0)
		goto done;
	if (cv->is_null) {
		rc = hcl__ev_fail(
			E, ATMO_EINVALID, &e->u.cond.c->range, "Null condition",
			"The condition value is null. Conditions must either be true or false.");
		goto done;
	}
	if (cv->is_unknown) {
		rc = hcl__ev_unknown_out(E, hcl_type_ref(rt), out, &e->range);
		goto done;
	}
	if (hcl__ev_convert_to(E, cv, hcl_type_bool(), &cb, msg, sizeof(msg)) != 0) {
		rc = hcl__ev_fail(E, ATMO_EINVALID, &e->u.cond.c->range, "Incorrect condition type",
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
		rc = hcl__ev_fail(E, ATMO_EINVALID,
				  take_true ? &e->u.cond.t->range : &e->u.cond.f->range,
				  "Inconsistent conditional result types",
				  "The %s result value has the wrong type: %s.",
				  take_true ? "true" : "false", msg);
done:
	hcl_type_unref(rt);
	hcl_value_unref(tv);
	hcl_value_unref(fv);
	hcl_value_unref(cv);
	hcl_value_unref(cb);
	return rc;
}
