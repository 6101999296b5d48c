/* Evaluating tuple and object constructors, for expressions and splats. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/eval_int.h"
#include "util/alloc.h"

/* ---- collections --------------------------------------------------------------- */

int hcl__eval_tuple(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	size_t n = e->u.list.n, i;
	hcl_value **items = atmo__calloc(n ? n : 1, sizeof(*items), NULL);
	acc A;
	int rc;
	if (!items)
		return hcl__ev_nomem(E, &e->range);
	memset(&A, 0, sizeof(A));
	for (i = 0; i < n; i++) {
		hcl_diag d, *sv = hcl__ev_acc_open(E, &A, &d);
		if ((rc = hcl__ev_acc_close(
			     E, &A, sv, hcl__eval(E, e->u.list.items[i], sc, &items[i]))) != 0) {
			while (i-- > 0)
				hcl_value_unref(items[i]);
			atmo__free(items);
			return rc;
		}
	}
	if ((rc = hcl__ev_acc_done(E, &A)) != 0) {
		for (i = 0; i < n; i++)
			hcl_value_unref(items[i]);
		atmo__free(items);
		return rc;
	}
	*out = hcl_tuple(items, n);
	atmo__free(items);
	return *out ? 0 : hcl__ev_nomem(E, &e->range);
}

/* An object key: a bare name is a literal string unless parenthesised. */
int hcl__eval_key(ev *E, const hcl_expr *k, const scope *sc, hcl_value **out)
{
	const hcl_expr *w = k->kind == HE_OBJKEY ? k->u.objkey.e : k;
	if (k->kind == HE_OBJKEY && !k->u.objkey.force) {
		if (w->kind == HE_SCOPE && w->u.trav.n_steps == 0) {
			*out = hcl_cstring(w->u.trav.root);
			return *out ? 0 : hcl__ev_nomem(E, &k->range);
		}
		if (w->kind == HE_LITERAL &&
		    (w->u.lit->type->kind == HCL_T_BOOL || w->u.lit->is_null)) {
			*out = hcl_cstring(w->u.lit->is_null ? "null"
					   : w->u.lit->u.b   ? "true"
							     : "false");
			return *out ? 0 : hcl__ev_nomem(E, &k->range);
		}
	}
	return hcl__eval(E, w, sc, out);
}

int hcl__eval_object(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
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
		rc = hcl__ev_nomem(E, &e->range);
		goto done;
	}
	/* as HCL's ObjectConsExpr: an item whose key or value fails is skipped,
	 * its diagnostic collected, and the others still evaluated */
	for (i = 0; i < n; i++) {
		hcl_value *k = NULL, *ks = NULL;
		const hcl_expr *ke = e->u.obj.keys[i];
		hcl_diag d, *sv = hcl__ev_acc_open(E, &A, &d);
		rc = hcl__eval_key(E, ke, sc, &k);
		if (!rc && k->is_null) {
			hcl_value_unref(k);
			k = NULL;
			rc = hcl__ev_fail(E, ATMO_EINVALID, &ke->range, "Null value as key",
					  "Can't use a null value as a key.");
		}
		if (!rc) {
			rc = hcl__ev_convert_to(E, k, hcl_type_string(), &ks, msg, sizeof(msg));
			hcl_value_unref(k);
			if (rc)
				rc = rc == ATMO_ENOMEM
					     ? hcl__ev_nomem(E, &ke->range)
					     : hcl__ev_fail(E, ATMO_EINVALID, &ke->range,
							    "Incorrect key type",
							    "Can't use this value as a key: %s.",
							    msg);
		} else {
			hcl_value_unref(k);
		}
		if ((rc = hcl__ev_acc_close(E, &A, sv, rc)) != 0)
			goto done;
		if (!ks)
			continue; /* HCL does not evaluate the value of a failed key */
		sv = hcl__ev_acc_open(E, &A, &d);
		rc = hcl__ev_acc_close(E, &A, sv, hcl__eval(E, e->u.obj.vals[i], sc, &vals[m]));
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
	if ((rc = hcl__ev_acc_done(E, &A)) != 0)
		goto done;
	if (unknown) {
		rc = hcl__ev_unknown_out(E, NULL, out, &e->range);
		goto done;
	}
	*out = hcl_object(keys, vals, m);
	m = 0; /* values stolen */
	rc = *out ? 0 : hcl__ev_nomem(E, &e->range);
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
		return hcl__ev_nomem(E, &e->range);
	for (i = 0; i < items->n; i++)
		order[i] = items->k[i];
	qsort(order, items->n, sizeof(*order), key_cmp);
	for (i = 0; i < items->n; i++)
		if (ng == 0 || strcmp(order[ng - 1], order[i]) != 0)
			order[ng++] = order[i];
	groups = atmo__calloc(ng ? ng : 1, sizeof(*groups), NULL);
	if (!groups) {
		atmo__free(order);
		return hcl__ev_nomem(E, &e->range);
	}
	for (j = 0; j < ng && !rc; j++) {
		size_t cnt = 0, c = 0;
		hcl_value **mem;
		for (i = 0; i < items->n; i++)
			cnt += strcmp(items->k[i], order[j]) == 0;
		mem = atmo__malloc(cnt * sizeof(*mem), NULL);
		if (!mem) {
			rc = hcl__ev_nomem(E, &e->range);
			break;
		}
		for (i = 0; i < items->n; i++)
			if (strcmp(items->k[i], order[j]) == 0)
				mem[c++] = hcl_value_ref(items->v[i]);
		groups[j] = hcl_tuple(mem, cnt);
		atmo__free(mem);
		if (!groups[j])
			rc = hcl__ev_nomem(E, &e->range);
	}
	if (!rc) {
		*out = hcl_object((const char *const *)order, groups, ng);
		rc = *out ? 0 : hcl__ev_nomem(E, &e->range);
	} else {
		for (j = 0; j < ng; j++)
			hcl_value_unref(groups[j]);
	}
	atmo__free(groups);
	atmo__free(order);
	return rc;
}

int hcl__eval_for(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	hcl_value *coll = NULL;
	vec items = { NULL, NULL, 0, 0 };
	size_t i, n;
	int rc, unknown = 0;
	char msg[256];
	rc = hcl__ev_for_coll(E, e->u.fr.coll, sc, &coll);
	if (rc) {
		hcl_value_unref(coll);
		return rc == 1 ? hcl__ev_unknown_out(E, NULL, out, &e->range) : rc;
	}
	n = hcl_value_length(coll);
	for (i = 0; i < n; i++) {
		scope in;
		hcl_value *v = NULL, *k = NULL, *ks = NULL;
		char *kstr = NULL;
		in.up = sc;
		in.k = e->u.fr.k;
		in.v = e->u.fr.v;
		if ((rc = hcl__ev_iterate(E, coll, e->u.fr.coll, i, &in.kv, &in.vv)) != 0)
			break;
		if ((rc = hcl__ev_charge(E, NODE_COST, &e->range)) != 0)
			goto item_done;
		if (e->u.fr.cond) {
			hcl_value *c = NULL, *cb = NULL;
			if ((rc = hcl__eval(E, e->u.fr.cond, &in, &c)) != 0)
				goto item_done;
			if (c->is_null) {
				hcl_value_unref(c);
				rc = hcl__ev_fail(E, ATMO_EINVALID, &e->u.fr.cond->range,
						  "Invalid 'for' condition",
						  "The value of the 'if' clause must not be null.");
				goto item_done;
			}
			if (c->is_unknown) {
				hcl_value_unref(c);
				unknown = 1;
				goto item_done;
			}
			rc = hcl__ev_convert_to(E, c, hcl_type_bool(), &cb, msg, sizeof(msg));
			hcl_value_unref(c);
			if (rc) {
				rc = rc == ATMO_ENOMEM
					     ? hcl__ev_nomem(E, &e->range)
					     : hcl__ev_fail(E, ATMO_EINVALID, &e->u.fr.cond->range,
							    "Invalid 'for' condition",
							    "The 'if' clause value is invalid: %s.",
							    msg);
				goto item_done;
			}
			if (!cb->u.b) {
				hcl_value_unref(cb);
				goto item_done;
			}
			hcl_value_unref(cb);
		}
		if (e->u.fr.is_obj) {
			if ((rc = hcl__eval(E, e->u.fr.key, &in, &k)) != 0)
				goto item_done;
			if (k->is_null) {
				rc = hcl__ev_fail(E, ATMO_EINVALID, &e->u.fr.key->range,
						  "Invalid object key",
						  "Key expression in 'for' expression must not "
						  "produce a null value.");
				goto item_done;
			}
			if (k->is_unknown) {
				unknown = 1;
				goto item_done;
			}
			rc = hcl__ev_convert_to(E, k, hcl_type_string(), &ks, msg, sizeof(msg));
			if (rc) {
				rc = rc == ATMO_ENOMEM
					     ? hcl__ev_nomem(E, &e->range)
					     : hcl__ev_fail(E, ATMO_EINVALID, &e->u.fr.key->range,
							    "Invalid object key",
							    "The key expression produced an "
							    "invalid result: %s.",
							    msg);
				goto item_done;
			}
			if (!e->u.fr.group) {
				size_t j;
				for (j = 0; j < items.n; j++) {
					if (strcmp(items.k[j], ks->u.str.s) == 0) {
						rc = hcl__ev_fail(
							E, ATMO_EINVALID, &e->u.fr.key->range,
							"Duplicate object key",
							"Two different items produced the key "
							"\"%s\" in this 'for' expression. "
							"If duplicates are expected, use the "
							"ellipsis (...) after the value "
							"expression to enable grouping by key.",
							ks->u.str.s);
						goto item_done;
					}
				}
			}
			if (!(kstr = atmo__strdup(ks->u.str.s, NULL))) {
				rc = hcl__ev_nomem(E, &e->range);
				goto item_done;
			}
		}
		if ((rc = hcl__eval(E, e->u.fr.val, &in, &v)) != 0) {
			atmo__free(kstr);
			goto item_done;
		}
		if (vec_push(&items, kstr, v) < 0) {
			atmo__free(kstr);
			hcl_value_unref(v);
			rc = hcl__ev_nomem(E, &e->range);
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
		return hcl__ev_unknown_out(E, NULL, out, &e->range);
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
	return *out ? 0 : hcl__ev_nomem(E, &e->range);
}

int hcl__eval_splat(ev *E, const hcl_expr *e, const scope *sc, hcl_value **out)
{
	hcl_value *src, **vals = NULL, *saved = E->anon;
	size_t n, i;
	int rc, upgraded = 0, same = 1;
	if ((rc = hcl__eval(E, e->u.splat.src, sc, &src)) != 0)
		return rc;
	if (src->is_null) {
		hcl_value_unref(src);
		*out = hcl_tuple(NULL, 0);
		return *out ? 0 : hcl__ev_nomem(E, &e->range);
	}
	if (src->is_unknown || src->type->kind == HCL_T_DYNAMIC) {
		hcl_value_unref(src);
		return hcl__ev_unknown_out(E, NULL, out, &e->range);
	}
	if (!hcl__ev_is_seq(src->type)) {
		hcl_value *one = src;
		src = hcl_tuple(&one, 1);
		if (!src)
			return hcl__ev_nomem(E, &e->range);
		upgraded = 1;
	}
	n = src->u.seq.n;
	vals = atmo__calloc(n ? n : 1, sizeof(*vals), NULL);
	if (!vals) {
		hcl_value_unref(src);
		return hcl__ev_nomem(E, &e->range);
	}
	for (i = 0; i < n; i++) {
		E->anon = src->u.seq.items[i];
		rc = hcl__eval(E, e->u.splat.each, sc, &vals[i]);
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
	return *out ? 0 : hcl__ev_nomem(E, &e->range);
}
