/*
 * Internal to the evaluator (eval*.c): its state, the scopes for
 * expressions bind, the error accumulator, and the helpers its files share
 * (hcl__ev_*). eval.c dispatches on the expression kind and applies
 * traversals; eval_call.c resolves variables and calls functions;
 * eval_ops.c has the operators and conditionals; eval_template.c the
 * templates; eval_collections.c tuples, objects, for expressions and splats.
 */
#ifndef ATMO_HCL_EVAL_INT_H
#define ATMO_HCL_EVAL_INT_H

#include "hcl/hcl_int.h"
#include "util/buf.h"

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
	size_t max_weight; /* values in one result: budget / 64 */
	hcl_value *anon;   /* the splat's current element */
	int hard;          /* a lookup or function callback failed: stop collecting */
} ev;

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
	int rc; /* the first error, 0 while none */
	hcl_diag first;
} acc;

/* eval.c: errors, the budget, small type tests, traversal steps, dispatch */
/* Fill E->diag (the first error of an item); returns code. */
int hcl__ev_fail(ev *E, int code, const hcl_range *r, const char *summary, const char *fmt, ...)
	ATMO_PRINTF(5, 6);
hcl_diag *hcl__ev_acc_open(ev *E, const acc *A, hcl_diag *d);
int hcl__ev_acc_close(ev *E, acc *A, hcl_diag *saved, int rc);
int hcl__ev_acc_done(ev *E, acc *A);
int hcl__ev_nomem(ev *E, const hcl_range *r);
int hcl__ev_charge(ev *E, size_t n, const hcl_range *r);
int hcl__ev_check_string(ev *E, size_t len, const hcl_range *r);
hcl_range hcl__ev_last_char(const hcl_range *r);
int hcl__ev_is_seq(const hcl_type *t);
int hcl__ev_is_mapish(const hcl_type *t);
int hcl__ev_unknown_out(ev *E, hcl_type *t, hcl_value **out, const hcl_range *r);
int hcl__ev_convert_to(ev *E, hcl_value *v, const hcl_type *t, hcl_value **out, char *msg,
		       size_t n);
int hcl__ev_apply_steps(ev *E, hcl_value *v, const hcl_step *steps, size_t n, hcl_value **out);
/* Evaluate e: every result is checked against the budget and weight. */
int hcl__eval(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out);
/* eval_call.c */
int hcl__eval_scope(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out);
int hcl__eval_call(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out);
/* eval_ops.c */
int hcl__eval_binary(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out);
int hcl__eval_unary(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out);
int hcl__eval_cond(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out);
/* eval_template.c: also the iteration for expressions share */
int hcl__ev_iterate(ev *E, hcl_value *coll, const hcl_expr *ce, size_t i, hcl_value **k,
		    hcl_value **v);
int hcl__ev_for_coll(ev *E, const hcl_expr *ce, const scope *sc, hcl_value **coll);
int hcl__ev_tpl_part(ev *E, const hcl_expr *p, const scope *sc, atmo_buf *b, int *unknown);
int hcl__eval_template(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out);
/* eval_collections.c */
int hcl__eval_tuple(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out);
int hcl__eval_key(ev *E, const hcl_expr *k, const scope *sc, hcl_value **out);
int hcl__eval_object(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out);
int hcl__eval_for(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out);
int hcl__eval_splat(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out);

#endif
