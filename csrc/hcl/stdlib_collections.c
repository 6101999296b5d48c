/* Collection functions of cty's stdlib (and buildx's indexof), cty semantics. */
#include <stdlib.h>
#include <string.h>
#include "hcl/stdlib_int.h"
#include "util/alloc.h"
#include "util/grow.h"

#define K(v) ((v)->type->kind)

/* ---- small builders --------------------------------------------------------- */

typedef struct {
	hcl_value **v;
	size_t n, cap;
	int oom;
} vec;

static void vec_push(vec *a, hcl_value *v)
{
	if (!v) {
		a->oom = 1;
		return;
	}
	if (a->n == a->cap && ATMO__GROW(a->v, a->cap, a->n + 1, NULL) < 0) {
		a->oom = 1;
		hcl_value_unref(v);
		return;
	}
	a->v[a->n++] = v;
}

static void vec_free(vec *a)
{
	size_t i;
	for (i = 0; i < a->n; i++)
		hcl_value_unref(a->v[i]);
	atmo__free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* a tuple from the vector (taken) */
static int ret_tuple(hcl_value **out, vec *a, hcl_func_error *e)
{
	hcl_value *r;
	if (a->oom) {
		vec_free(a);
		return hcl__nomem(e);
	}
	r = hcl_tuple(a->v, a->n);
	atmo__free(a->v);
	return hcl__ret(out, r, e);
}

/* a list (or set) of ety from the vector (taken) */
static int ret_coll(hcl_value **out, hcl_type_kind k, const hcl_type *ety, vec *a,
		    hcl_func_error *e)
{
	hcl_value *r;
	if (a->oom) {
		vec_free(a);
		return hcl__nomem(e);
	}
	if (k == HCL_T_SET)
		r = hcl_set(hcl_type_ref((hcl_type *)ety), a->v, a->n);
	else
		r = hcl_list(hcl_type_ref((hcl_type *)ety), a->v, a->n);
	atmo__free(a->v);
	return hcl__ret(out, r, e);
}

static int seq_or_coll_unknown(hcl_value **out, hcl_value *v, hcl_func_error *e)
{
	(void)v;
	return hcl__ret(out, hcl_unknown(NULL), e);
}

/* ---- length, keys, values, lookup, merge ------------------------------------------ */

static int f_length(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *c = args[0];
	switch (K(c)) {
	case HCL_T_TUPLE:
	case HCL_T_OBJECT:
		return hcl__ret(out, hcl_number((double)c->type->n), e);
	case HCL_T_LIST:
	case HCL_T_SET:
	case HCL_T_MAP:
		if (c->is_unknown)
			return hcl__ret(out, hcl_unknown(hcl_type_number()), e);
		return hcl__ret(out, hcl_number((double)hcl_value_length(c)), e);
	case HCL_T_DYNAMIC:
		return hcl__ret(out, hcl_unknown(hcl_type_number()), e);
	default:
		return hcl__fail(e, 0, "collection must be a list, a map or a tuple");
	}
}

static int f_keys(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *m = args[0];
	vec a = { 0 };
	size_t i;

	if (K(m) != HCL_T_MAP && K(m) != HCL_T_OBJECT && K(m) != HCL_T_DYNAMIC)
		return hcl__fail(e, 0, "must have map or object type");
	if (K(m) == HCL_T_OBJECT) {
		/* from the type: known even when the object is not */
		for (i = 0; i < m->type->n; i++)
			vec_push(&a, hcl_cstring(m->type->names[i]));
		return ret_tuple(out, &a, e);
	}
	if (m->is_unknown || K(m) == HCL_T_DYNAMIC)
		return hcl__ret(
			out,
			hcl_unknown(K(m) == HCL_T_MAP ? hcl_type_list(hcl_type_string()) : NULL),
			e);
	for (i = 0; i < m->u.obj.n; i++)
		vec_push(&a, hcl_cstring(m->u.obj.keys[i]));
	return ret_coll(out, HCL_T_LIST, HCL__STR, &a, e);
}

static int f_values(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *m = args[0];
	vec a = { 0 };
	size_t i;

	if (K(m) != HCL_T_MAP && K(m) != HCL_T_OBJECT && K(m) != HCL_T_DYNAMIC)
		return hcl__fail(e, -1, "values() requires a map as the first argument");
	if (m->is_unknown || K(m) == HCL_T_DYNAMIC)
		return hcl__ret(out, hcl_unknown(NULL), e);
	for (i = 0; i < m->u.obj.n; i++)
		vec_push(&a, hcl_value_ref(m->u.obj.vals[i]));
	if (K(m) == HCL_T_OBJECT)
		return ret_tuple(out, &a, e);
	return ret_coll(out, HCL_T_LIST, m->type->elem, &a, e);
}

static int f_lookup(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *m = args[0], *v;
	if (K(m) != HCL_T_MAP && K(m) != HCL_T_OBJECT)
		return hcl__fail(e, 0, "lookup() requires a map as the first argument");
	if (K(m) == HCL_T_MAP) {
		/* the default must convert to the element type even when unused */
		char msg[200];
		hcl_value *d = hcl_convert(args[2], m->type->elem, msg, sizeof(msg), NULL, 0);
		if (!d)
			return hcl__fail(
				e, 2,
				"the default value must have the same type as the map elements");
		if (!hcl_value_is_wholly_known(m)) {
			hcl_value_unref(d);
			return hcl__ret(out, hcl_unknown(hcl_type_ref(m->type->elem)), e);
		}
		v = hcl_value_get(m, args[1]->u.str.s);
		if (v) {
			hcl_value_unref(d);
			return hcl__ret(out, hcl_value_ref(v), e);
		}
		*out = d;
		return 0;
	}
	if (!hcl_value_is_wholly_known(m))
		return hcl__ret(out, hcl_unknown(NULL), e);
	v = hcl_value_get(m, args[1]->u.str.s);
	return hcl__ret(out, hcl_value_ref(v ? v : args[2]), e);
}

static int f_merge(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	size_t i, j, total = 0, at = 0;
	int matching = 1, dynamic = 0;
	const char **keys;
	hcl_value **vals;
	hcl_value *r;

	for (i = 0; i < n; i++) {
		const hcl_type *t = args[i]->type;
		if (t->kind == HCL_T_DYNAMIC) {
			dynamic = 1; /* cty: a dynamic argument makes the result an object */
			continue;
		}
		if (t->kind != HCL_T_MAP && t->kind != HCL_T_OBJECT) {
			atmo_buf b = ATMO_BUF_INIT;
			hcl__type_name(t, &b, 0);
			hcl__fail(e, -1, "arguments must be maps or objects, got \"%s\"",
				  atmo__buf_cstr(&b));
			atmo__buf_free(&b);
			return -1;
		}
		if (i > 0 && !hcl_type_equal(args[0]->type, t))
			matching = 0;
		if (!args[i]->is_null)
			total += args[i]->u.obj.n;
	}
	keys = atmo__calloc(total ? total : 1, sizeof(*keys), NULL);
	vals = atmo__calloc(total ? total : 1, sizeof(*vals), NULL);
	if (!keys || !vals) {
		atmo__free(keys);
		atmo__free(vals);
		return hcl__nomem(e);
	}
	/* later arguments win: hcl_object/hcl_map keep the last of duplicate keys */
	for (i = 0; i < n; i++) {
		if (args[i]->is_null)
			continue;
		for (j = 0; j < args[i]->u.obj.n; j++) {
			keys[at] = args[i]->u.obj.keys[j];
			vals[at++] = hcl_value_ref(args[i]->u.obj.vals[j]);
		}
	}
	if (n > 0 && matching && !dynamic && K(args[0]) == HCL_T_MAP)
		r = hcl_map(hcl_type_ref(args[0]->type->elem), keys, vals, at);
	else
		r = hcl_object(keys, vals, at);
	atmo__free(keys);
	atmo__free(vals);
	return hcl__ret(out, r, e);
}

/* ---- element, index, hasindex, indexof, contains ----------------------------------- */

static int f_element(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *l = args[0];
	long long idx;
	size_t len;

	if (K(l) != HCL_T_LIST && K(l) != HCL_T_TUPLE && K(l) != HCL_T_DYNAMIC) {
		atmo_buf b = ATMO_BUF_INIT;
		hcl__type_name(l->type, &b, 0);
		hcl__fail(e, -1, "cannot read elements from %s", atmo__buf_cstr(&b));
		atmo__buf_free(&b);
		return -1;
	}
	if (hcl__whole(args[1], &idx) < 0)
		return hcl__fail(e, -1, "invalid index: value must be a whole number");
	if (idx < 0)
		return hcl__fail(e, -1, "cannot use element function with a negative index");
	if (l->is_unknown || K(l) == HCL_T_DYNAMIC)
		return hcl__ret(out, hcl_unknown(NULL), e);
	len = l->u.seq.n;
	if (len == 0)
		return hcl__fail(e, -1, "cannot use element function with an empty list");
	return hcl__ret(out, hcl_value_ref(l->u.seq.items[(size_t)idx % len]), e);
}

/* cty's Value.HasIndex: -1 unknown, 0/1; a key of the wrong type is simply absent */
static int has_index(hcl_value *c, hcl_value *key, hcl_value **found)
{
	long long idx;
	*found = NULL;
	if (c->is_unknown || key->is_unknown || K(key) == HCL_T_DYNAMIC)
		return -1;
	if (key->is_null)
		return 0;
	switch (K(c)) {
	case HCL_T_LIST:
	case HCL_T_TUPLE:
		if (K(key) != HCL_T_NUMBER || hcl__whole(key, &idx) < 0 || idx < 0 ||
		    (size_t)idx >= c->u.seq.n)
			return 0;
		*found = c->u.seq.items[idx];
		return 1;
	case HCL_T_MAP:
		if (K(key) != HCL_T_STRING)
			return 0;
		*found = hcl_value_get(c, key->u.str.s);
		return *found != NULL;
	default:
		return 0;
	}
}

static int f_hasindex(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *f;
	int h;
	if (K(args[0]) != HCL_T_LIST && K(args[0]) != HCL_T_TUPLE && K(args[0]) != HCL_T_MAP &&
	    K(args[0]) != HCL_T_DYNAMIC)
		return hcl__fail(e, -1, "collection must be a list, a map or a tuple");
	h = has_index(args[0], args[1], &f);
	if (h < 0)
		return hcl__ret(out, hcl_unknown(hcl_type_bool()), e);
	return hcl__ret(out, hcl_bool(h), e);
}

static int f_index(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *c = args[0], *key = args[1], *f;
	hcl_type_kind kk = K(key);
	int h;

	switch (K(c)) {
	case HCL_T_TUPLE:
		if (kk != HCL_T_NUMBER && kk != HCL_T_DYNAMIC)
			return hcl__fail(e, -1, "key for tuple must be number");
		if (kk == HCL_T_NUMBER && !key->is_unknown) {
			long long idx;
			if (hcl__whole(key, &idx) < 0)
				return hcl__fail(
					e, -1,
					"invalid key for tuple: value must be a whole number");
			if (idx < 0 || (size_t)idx >= c->type->n)
				return hcl__fail(e, -1, "key must be between 0 and %zu inclusive",
						 c->type->n);
		}
		break;
	case HCL_T_LIST:
		if (kk != HCL_T_NUMBER && kk != HCL_T_DYNAMIC)
			return hcl__fail(e, -1, "key for list must be number");
		break;
	case HCL_T_MAP:
		if (kk != HCL_T_STRING && kk != HCL_T_DYNAMIC)
			return hcl__fail(e, -1, "key for map must be string");
		break;
	default:
		return hcl__fail(e, -1, "collection must be a list, a map or a tuple");
	}
	h = has_index(c, key, &f);
	if (h < 0)
		return hcl__ret(out, hcl_unknown(NULL), e);
	if (!h)
		return hcl__fail(e, -1, "invalid index");
	return hcl__ret(out, hcl_value_ref(f), e);
}

static int f_indexof(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *l = args[0];
	size_t i;
	if (K(l) != HCL_T_LIST && K(l) != HCL_T_TUPLE)
		return hcl__fail(e, -1, "argument must be a list or tuple");
	if (l->is_unknown)
		return hcl__ret(out, hcl_unknown(hcl_type_number()), e);
	if (l->u.seq.n == 0)
		return hcl__fail(e, -1, "cannot search an empty list");
	for (i = 0; i < l->u.seq.n; i++) {
		hcl_value *eq = hcl__equals(l->u.seq.items[i], args[1]);
		int known, t;
		if (!eq)
			return hcl__nomem(e);
		known = !eq->is_unknown;
		t = known && eq->u.b;
		hcl_value_unref(eq);
		if (!known)
			return hcl__ret(out, hcl_unknown(hcl_type_number()), e);
		if (t)
			return hcl__ret(out, hcl_number((double)i), e);
	}
	return hcl__fail(e, -1, "item not found");
}

static int f_contains(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *l = args[0];
	size_t i;
	int unknown = 0;
	if (!hcl__is_seq(l->type))
		return hcl__fail(e, -1, "argument must be list, tuple, or set");
	for (i = 0; i < l->u.seq.n; i++) {
		hcl_value *eq = hcl__equals(l->u.seq.items[i], args[1]);
		if (!eq)
			return hcl__nomem(e);
		if (eq->is_unknown) {
			unknown = 1;
		} else if (eq->u.b) {
			hcl_value_unref(eq);
			return hcl__ret(out, hcl_bool(1), e);
		}
		hcl_value_unref(eq);
	}
	if (unknown)
		return hcl__ret(out, hcl_unknown(hcl_type_bool()), e);
	return hcl__ret(out, hcl_bool(0), e);
}

/* ---- flatten, distinct, compact, concat, coalesce -------------------------------- */

static int flatten_into(vec *a, hcl_value *l)
{
	size_t i;
	for (i = 0; i < l->u.seq.n; i++) {
		hcl_value *it = l->u.seq.items[i];
		if (hcl__is_seq(it->type) && !it->is_null) {
			if (it->is_unknown)
				return 1;
			if (flatten_into(a, it))
				return 1;
		} else {
			vec_push(a, hcl_value_ref(it));
		}
	}
	return 0;
}

static int f_flatten(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	vec a = { 0 };
	if (!hcl__is_seq(args[0]->type))
		return hcl__fail(e, -1, "can only flatten lists, sets and tuples");
	if (args[0]->is_unknown)
		return seq_or_coll_unknown(out, args[0], e);
	if (flatten_into(&a, args[0])) {
		vec_free(&a);
		return hcl__ret(out, hcl_unknown(NULL), e);
	}
	return ret_tuple(out, &a, e);
}

static int f_distinct(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *l = args[0];
	vec a = { 0 };
	size_t i, j;
	if (!hcl_value_is_wholly_known(l))
		return hcl__ret(out, hcl_unknown(hcl_type_ref(l->type)), e);
	for (i = 0; i < l->u.seq.n; i++) {
		for (j = 0; j < a.n; j++)
			if (hcl_value_raw_equal(a.v[j], l->u.seq.items[i]))
				break;
		if (j == a.n)
			vec_push(&a, hcl_value_ref(l->u.seq.items[i]));
	}
	return ret_coll(out, HCL_T_LIST, l->type->elem, &a, e);
}

static int f_compact(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *l = args[0];
	vec a = { 0 };
	size_t i;
	if (!hcl_value_is_wholly_known(l))
		return hcl__ret(out, hcl_unknown(hcl_type_ref(l->type)), e);
	for (i = 0; i < l->u.seq.n; i++) {
		hcl_value *it = l->u.seq.items[i];
		if (it->is_null || it->u.str.len == 0)
			continue;
		vec_push(&a, hcl_value_ref(it));
	}
	return ret_coll(out, HCL_T_LIST, HCL__STR, &a, e);
}

static int f_concat(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	vec a = { 0 };
	size_t i, j;
	hcl_type *lt = NULL;

	if (n == 0)
		return hcl__fail(e, -1, "at least one argument is required");
	if (K(args[0]) == HCL_T_LIST) {
		/* all lists: a list of their unified type, when there is one */
		for (i = 1; i < n && K(args[i]) == HCL_T_LIST; i++)
			;
		if (i == n)
			lt = hcl__unify_values(args, n);
	}
	if (lt) {
		for (i = 0; i < n; i++) {
			hcl_value *c = hcl__convert_to(args[i], lt, e, (int)i);
			if (!c) {
				vec_free(&a);
				hcl_type_unref(lt);
				return -1;
			}
			for (j = 0; j < c->u.seq.n; j++)
				vec_push(&a, hcl_value_ref(c->u.seq.items[j]));
			hcl_value_unref(c);
		}
		i = (size_t)ret_coll(out, HCL_T_LIST, lt->elem, &a, e);
		hcl_type_unref(lt);
		return (int)i;
	}
	for (i = 0; i < n; i++) {
		if (K(args[i]) != HCL_T_LIST && K(args[i]) != HCL_T_TUPLE) {
			atmo_buf b = ATMO_BUF_INIT;
			hcl__type_name(args[i]->type, &b, 0);
			hcl__fail(e, (int)i, "all arguments must be lists or tuples; got %s",
				  atmo__buf_cstr(&b));
			atmo__buf_free(&b);
			vec_free(&a);
			return -1;
		}
		for (j = 0; j < args[i]->u.seq.n; j++)
			vec_push(&a, hcl_value_ref(args[i]->u.seq.items[j]));
	}
	return ret_tuple(out, &a, e);
}

static int f_coalesce(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_type *t = hcl__unify_values(args, n);
	size_t i;

	if (!t)
		return hcl__fail(e, -1, "all arguments must have the same type");
	for (i = 0; i < n; i++) {
		char msg[300];
		hcl_value *c = hcl_convert(args[i], t, msg, sizeof(msg), NULL, 0);
		if (!c) {
			hcl_type_unref(t);
			return hcl__fail(e, (int)i, "%s", msg);
		}
		if (c->is_unknown) {
			hcl_value_unref(c);
			*out = hcl_unknown(t);
			return *out ? 0 : hcl__nomem(e);
		}
		if (c->is_null || (t->kind == HCL_T_STRING && c->u.str.len == 0)) {
			hcl_value_unref(c);
			continue;
		}
		hcl_type_unref(t);
		*out = c;
		return 0;
	}
	hcl_type_unref(t);
	return hcl__fail(e, -1, "no non-null, non-empty-string arguments");
}

static int f_coalescelist(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			  hcl_func_error *e)
{
	size_t i;
	if (n == 0)
		return hcl__fail(e, -1, "at least one argument is required");
	for (i = 0; i < n; i++) {
		if (args[i]->is_unknown) /* cty: its type is not known yet, nor the result's */
			return hcl__ret(out, hcl_unknown(NULL), e);
		if (K(args[i]) != HCL_T_LIST && K(args[i]) != HCL_T_TUPLE)
			return hcl__fail(e, -1, "coalescelist arguments must be lists or tuples");
	}
	for (i = 0; i < n; i++) {
		if (args[i]->is_unknown)
			return hcl__ret(out, hcl_unknown(NULL), e);
		if (args[i]->is_null)
			continue;
		if (args[i]->u.seq.n > 0)
			return hcl__ret(out, hcl_value_ref(args[i]), e);
	}
	return hcl__fail(e, -1, "no non-null arguments");
}

/* ---- chunklist, slice, reverselist, sort, zipmap ------------------------------------ */

static int f_chunklist(void *p, hcl_value *const *args, size_t n, hcl_value **out,
		       hcl_func_error *e)
{
	hcl_value *l = args[0];
	long long size;
	vec a = { 0 };
	size_t i, len;
	hcl_type *lt;

	if (hcl__whole(args[1], &size) < 0)
		return hcl__fail(e, -1, "invalid size: value must be a whole number");
	if (size < 0)
		return hcl__fail(e, -1, "the size argument must be positive");
	if (l->is_unknown)
		return hcl__ret(out, hcl_unknown(NULL), e);
	len = l->u.seq.n;
	if (len == 0) {
		lt = hcl_type_ref(l->type);
		return hcl__ret(out, hcl_list(lt, NULL, 0), e);
	}
	if (size == 0)
		size = (long long)len;
	for (i = 0; i < len; i += (size_t)size) {
		vec c = { 0 };
		size_t j;
		for (j = i; j < len && j < i + (size_t)size; j++)
			vec_push(&c, hcl_value_ref(l->u.seq.items[j]));
		if (c.oom) {
			vec_free(&c);
			a.oom = 1;
			break;
		}
		vec_push(&a, hcl_list(hcl_type_ref(l->type->elem), c.v, c.n));
		atmo__free(c.v);
	}
	return ret_coll(out, HCL_T_LIST, l->type, &a, e);
}

static int f_slice(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *l = args[0];
	long long a0, a1;
	vec a = { 0 };
	long long i;

	if (K(l) == HCL_T_SET)
		return hcl__fail(
			e, 0,
			"cannot slice a set, because its elements do not have indices; explicitly "
			"convert to a list if the ordering of the result is not important");
	if (K(l) != HCL_T_LIST && K(l) != HCL_T_TUPLE)
		return hcl__fail(e, 0, "must be a list or tuple value");
	if (hcl__whole(args[1], &a0) < 0)
		return hcl__fail(e, 1, "invalid start index: value must be a whole number");
	if (hcl__whole(args[2], &a1) < 0)
		return hcl__fail(e, 2, "invalid end index: value must be a whole number");
	if (a0 < 0)
		return hcl__fail(e, 1, "start index must not be less than zero");
	if (l->is_unknown)
		return hcl__ret(out, hcl_unknown(K(l) == HCL_T_LIST ? hcl_type_ref(l->type) : NULL),
				e);
	if ((size_t)a0 > l->u.seq.n)
		return hcl__fail(e, 1,
				 "start index must not be greater than the length of the list");
	if (a1 < 0)
		return hcl__fail(e, 2, "end index must not be less than zero");
	if ((size_t)a1 > l->u.seq.n)
		return hcl__fail(e, 2, "end index must not be greater than the length of the list");
	if (a0 > a1)
		return hcl__fail(e, 1, "start index must not be greater than end index");
	for (i = a0; i < a1; i++)
		vec_push(&a, hcl_value_ref(l->u.seq.items[i]));
	if (K(l) == HCL_T_LIST)
		return ret_coll(out, HCL_T_LIST, l->type->elem, &a, e);
	return ret_tuple(out, &a, e);
}

static int f_reverselist(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			 hcl_func_error *e)
{
	hcl_value *l = args[0];
	vec a = { 0 };
	size_t i;
	if (!hcl__is_seq(l->type)) {
		atmo_buf b = ATMO_BUF_INIT;
		hcl__type_name(l->type, &b, 0);
		hcl__fail(e, 0, "can only reverse list or tuple values, not %s",
			  atmo__buf_cstr(&b));
		atmo__buf_free(&b);
		return -1;
	}
	if (l->is_unknown)
		return hcl__ret(out, hcl_unknown(NULL), e);
	for (i = l->u.seq.n; i > 0; i--)
		vec_push(&a, hcl_value_ref(l->u.seq.items[i - 1]));
	if (K(l) == HCL_T_TUPLE)
		return ret_tuple(out, &a, e);
	return ret_coll(out, HCL_T_LIST, l->type->elem, &a, e);
}

static int str_cmp(const void *x, const void *y)
{
	const hcl_value *a = *(hcl_value *const *)x, *b = *(hcl_value *const *)y;
	size_t n = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
	int c = memcmp(a->u.str.s, b->u.str.s, n);
	if (c)
		return c;
	return a->u.str.len < b->u.str.len ? -1 : a->u.str.len > b->u.str.len;
}

static int f_sort(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *l = args[0];
	vec a = { 0 };
	size_t i;
	if (!hcl_value_is_wholly_known(l))
		return hcl__ret(out, hcl_unknown(hcl_type_ref(l->type)), e);
	for (i = 0; i < l->u.seq.n; i++) {
		if (l->u.seq.items[i]->is_null) {
			vec_free(&a);
			return hcl__fail(
				e, 0,
				"given list element %zu is null; a null string cannot be sorted",
				i);
		}
		vec_push(&a, hcl_value_ref(l->u.seq.items[i]));
	}
	if (!a.oom && a.n > 1)
		qsort(a.v, a.n, sizeof(*a.v), str_cmp);
	return ret_coll(out, HCL_T_LIST, HCL__STR, &a, e);
}

static int f_zipmap(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *k = args[0], *v = args[1], *r;
	const char **keys;
	hcl_value **vals;
	size_t i, len;

	if (K(v) != HCL_T_LIST && K(v) != HCL_T_TUPLE)
		return hcl__fail(e, -1, "values argument must be a list or tuple value");
	if (!hcl_value_is_wholly_known(k) || v->is_unknown)
		return hcl__ret(out, hcl_unknown(NULL), e);
	if (k->u.seq.n != v->u.seq.n)
		return hcl__fail(e, -1,
				 "number of keys (%zu) does not match number of values (%zu)",
				 k->u.seq.n, v->u.seq.n);
	len = k->u.seq.n;
	keys = atmo__calloc(len ? len : 1, sizeof(*keys), NULL);
	vals = atmo__calloc(len ? len : 1, sizeof(*vals), NULL);
	if (!keys || !vals) {
		atmo__free(keys);
		atmo__free(vals);
		return hcl__nomem(e);
	}
	for (i = 0; i < len; i++) {
		if (k->u.seq.items[i]->is_null) {
			while (i--)
				hcl_value_unref(vals[i]);
			atmo__free(keys);
			atmo__free(vals);
			return hcl__fail(e, 0, "keys list has null value at index %zu", i);
		}
		keys[i] = k->u.seq.items[i]->u.str.s;
		vals[i] = hcl_value_ref(v->u.seq.items[i]);
	}
	if (K(v) == HCL_T_LIST)
		r = hcl_map(hcl_type_ref(v->type->elem), keys, vals, len);
	else
		r = hcl_object(keys, vals, len);
	atmo__free(keys);
	atmo__free(vals);
	return hcl__ret(out, r, e);
}

/* ---- sets ---------------------------------------------------------------------- */

static int set_member(hcl_value *set, hcl_value *v)
{
	size_t i;
	for (i = 0; i < set->u.seq.n; i++)
		if (hcl_value_raw_equal(set->u.seq.items[i], v))
			return 1;
	return 0;
}

/* convert every set argument to one unified set type; conv[] gets new references */
static int unify_sets(hcl_value *const *args, size_t n, hcl_value **conv, hcl_func_error *e)
{
	hcl_type **ts = atmo__calloc(n ? n : 1, sizeof(*ts), NULL), *u, *st;
	size_t i, k = 0;
	if (!ts)
		return hcl__nomem(e);
	/* cty skips empty sets of dynamic elements: they convert to anything */
	for (i = 0; i < n; i++)
		if (!(args[i]->type->elem->kind == HCL_T_DYNAMIC && !args[i]->is_unknown &&
		      args[i]->u.seq.n == 0))
			ts[k++] = args[i]->type->elem;
	u = k ? hcl_type_unify(ts, k) : hcl_type_dynamic();
	atmo__free(ts);
	if (!u)
		return hcl__fail(e, -1, "given sets must all have compatible element types");
	st = hcl_type_set(u);
	if (!st)
		return hcl__nomem(e);
	for (i = 0; i < n; i++) {
		conv[i] = hcl__convert_to(args[i], st, e, (int)i);
		if (!conv[i]) {
			while (i--)
				hcl_value_unref(conv[i]);
			hcl_type_unref(st);
			return -1;
		}
	}
	hcl_type_unref(st);
	return 0;
}

enum { SET_UNION, SET_INTERSECT, SET_SUBTRACT, SET_SYMDIFF };

static int set_op(int op, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value **c = atmo__calloc(n ? n : 1, sizeof(*c), NULL);
	vec a = { 0 };
	size_t i, j, k;
	int rc;

	if (!c)
		return hcl__nomem(e);
	if (unify_sets(args, n, c, e) < 0) {
		atmo__free(c);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!hcl_value_is_wholly_known(c[i])) {
			*out = hcl_unknown(hcl_type_ref(c[0]->type));
			rc = *out ? 0 : hcl__nomem(e);
			goto done;
		}
	for (i = 0; i < n; i++) {
		for (j = 0; j < c[i]->u.seq.n; j++) {
			hcl_value *v = c[i]->u.seq.items[j];
			int keep = 1;
			size_t count = 0;
			switch (op) {
			case SET_UNION:
				break;
			case SET_INTERSECT:
				for (k = 0; k < n; k++)
					if (!set_member(c[k], v))
						keep = 0;
				break;
			case SET_SUBTRACT:
				keep = i == 0 && !set_member(c[1], v);
				break;
			case SET_SYMDIFF:
				for (k = 0; k < n; k++)
					count += (size_t)set_member(c[k], v);
				keep = count % 2 == 1;
				break;
			}
			if (keep)
				vec_push(&a, hcl_value_ref(v));
		}
	}
	rc = ret_coll(out, HCL_T_SET, c[0]->type->elem, &a, e);
done:
	for (i = 0; i < n; i++)
		hcl_value_unref(c[i]);
	atmo__free(c);
	return rc;
}

static int f_setunion(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return set_op(SET_UNION, args, n, out, e);
}

static int f_setintersection(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			     hcl_func_error *e)
{
	return set_op(SET_INTERSECT, args, n, out, e);
}

static int f_setsubtract(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			 hcl_func_error *e)
{
	return set_op(SET_SUBTRACT, args, n, out, e);
}

static int f_setsymdiff(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			hcl_func_error *e)
{
	return set_op(SET_SYMDIFF, args, n, out, e);
}

static int f_sethaselement(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			   hcl_func_error *e)
{
	hcl_value *s = args[0];
	if (!hcl_value_is_wholly_known(s) || !hcl_value_is_wholly_known(args[1]))
		return hcl__ret(out, hcl_unknown(hcl_type_bool()), e);
	if (!hcl_type_equal(s->type->elem, args[1]->type))
		return hcl__ret(out, hcl_bool(0), e);
	return hcl__ret(out, hcl_bool(set_member(s, args[1])), e);
}

static int f_setproduct(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			hcl_func_error *e)
{
	size_t i, j, total = 1, k, lists = 0;
	vec a = { 0 };
	hcl_type **etys;
	hcl_type *tt;
	int rc = -1;

	if (n < 2)
		return hcl__fail(e, -1, "at least two arguments are required");
	etys = atmo__calloc(n, sizeof(*etys), NULL);
	if (!etys)
		return hcl__nomem(e);
	for (i = 0; i < n; i++) {
		const hcl_type *t = args[i]->type;
		if (t->kind == HCL_T_SET || t->kind == HCL_T_LIST) {
			etys[i] = hcl_type_ref(t->elem);
			lists += t->kind == HCL_T_LIST;
		} else if (t->kind == HCL_T_TUPLE) {
			/* a tuple counts as a list of its elements' common type */
			etys[i] = t->n ? hcl_type_unify(t->elems, t->n) : hcl_type_dynamic();
			if (!etys[i]) {
				hcl__fail(e, (int)i, "all elements must be of the same type");
				goto done;
			}
			lists++;
		} else {
			hcl__fail(e, (int)i, "a set or a list is required");
			goto done;
		}
	}
	for (i = 0; i < n; i++) {
		if (args[i]->is_unknown) {
			rc = hcl__ret(out, hcl_unknown(NULL), e);
			goto done;
		}
		total *= args[i]->u.seq.n;
		if (total > 1024 * 1024) {
			hcl__fail(e, -1, "the product has too many elements");
			goto done;
		}
	}
	for (k = 0; k < total; k++) {
		hcl_value **items = atmo__calloc(n, sizeof(*items), NULL);
		size_t rest = k;
		if (!items) {
			a.oom = 1;
			break;
		}
		for (i = n; i > 0; i--) {
			size_t len = args[i - 1]->u.seq.n;
			hcl_value *v = args[i - 1]->u.seq.items[rest % len];
			items[i - 1] = hcl__convert_to(v, etys[i - 1], e, -1);
			rest /= len;
			if (!items[i - 1]) {
				for (j = i; j < n; j++)
					hcl_value_unref(items[j]);
				atmo__free(items);
				vec_free(&a);
				goto done;
			}
		}
		vec_push(&a, hcl_tuple(items, n));
		atmo__free(items);
	}
	tt = hcl_type_tuple(etys, n); /* takes the types, not the array */
	atmo__free(etys);
	etys = NULL;
	if (!tt) {
		vec_free(&a);
		rc = hcl__nomem(e);
		goto done;
	}
	rc = ret_coll(out, lists == n ? HCL_T_LIST : HCL_T_SET, tt, &a, e);
	hcl_type_unref(tt);
done:
	if (etys) {
		for (i = 0; i < n; i++)
			hcl_type_unref(etys[i]);
		atmo__free(etys);
	}
	return rc;
}

/* ---- the table ------------------------------------------------------------------ */

static const hcl_param p_coll_dyn[] = {
	{ .name = "collection", .type = HCL__DYN, .allow_unknown = 1, .allow_dynamic = 1 }
};
static const hcl_param p_input_map[] = {
	{ .name = "inputMap", .type = HCL__DYN, .allow_unknown = 1, .allow_dynamic = 1 }
};
static const hcl_param p_mapping[] = { HCL__P("values", HCL__DYN) };
static const hcl_param p_lookup[] = { HCL__P("inputMap", HCL__DYN), HCL__P("key", HCL__STR),
				      HCL__P("default", HCL__DYN) };
static const hcl_param p_merge_v = {
	.name = "maps", .type = HCL__DYN, .allow_null = 1, .allow_dynamic = 1
};
static const hcl_param p_element[] = { HCL__P("list", HCL__DYN), HCL__P("index", HCL__NUM) };
static const hcl_param p_index[] = { HCL__P("collection", HCL__DYN), HCL__P("key", HCL__DYN) };
static const hcl_param p_hasindex[] = {
	{ .name = "collection", .type = HCL__DYN, .allow_unknown = 1, .allow_dynamic = 1 },
	{ .name = "key", .type = HCL__DYN, .allow_unknown = 1, .allow_dynamic = 1 }
};
static const hcl_param p_indexof[] = { HCL__P("list", HCL__DYN), HCL__P("value", HCL__DYN) };
static const hcl_param p_contains[] = { HCL__P("list", HCL__DYN), HCL__P("value", HCL__DYN) };
static const hcl_param p_list_dyn[] = { HCL__P("list", HCL__DYN) };
static const hcl_param p_list_ldyn[] = { HCL__P("list", HCL__T(list_dynamic)) };
static const hcl_param p_list_lstr[] = { HCL__P("list", HCL__T(list_string)) };
static const hcl_param p_concat_v = { .name = "seqs", .type = HCL__DYN };
static const hcl_param p_coalesce_v = {
	.name = "vals", .type = HCL__DYN, .allow_unknown = 1, .allow_null = 1, .allow_dynamic = 1
};
static const hcl_param p_coalescelist_v = {
	.name = "vals", .type = HCL__DYN, .allow_unknown = 1, .allow_null = 1, .allow_dynamic = 1
};
static const hcl_param p_chunklist[] = { HCL__PU("list", HCL__T(list_dynamic)),
					 HCL__P("size", HCL__NUM) };
static const hcl_param p_slice[] = { HCL__P("list", HCL__DYN), HCL__P("start_index", HCL__NUM),
				     HCL__P("end_index", HCL__NUM) };
static const hcl_param p_zipmap[] = { HCL__P("keys", HCL__T(list_string)),
				      HCL__P("values", HCL__DYN) };
static const hcl_param p_set2[] = { HCL__P("a", HCL__T(set_dynamic)),
				    HCL__P("b", HCL__T(set_dynamic)) };
static const hcl_param p_first_set[] = { HCL__P("first_set", HCL__T(set_dynamic)) };
static const hcl_param p_other_sets_v = HCL__P("other_sets", HCL__T(set_dynamic));
static const hcl_param p_sethas[] = { HCL__P("set", HCL__T(set_dynamic)),
				      { .name = "elem", .type = HCL__DYN, .allow_dynamic = 1 } };
static const hcl_param p_setproduct_v = HCL__P("sets", HCL__DYN);

#define FN(nm, params, impl)                                                                       \
	{                                                                                          \
		nm, params, sizeof(params) / sizeof(params[0]), NULL, impl, NULL                   \
	}
#define FNV(nm, params, np, var, impl)                                                             \
	{                                                                                          \
		nm, params, np, var, impl, NULL                                                    \
	}

const hcl_func hcl__fn_collections[] = {
	FN("length", p_coll_dyn, f_length),
	FN("keys", p_input_map, f_keys),
	FN("values", p_mapping, f_values),
	FN("lookup", p_lookup, f_lookup),
	FNV("merge", NULL, 0, &p_merge_v, f_merge),
	FN("element", p_element, f_element),
	FN("index", p_index, f_index),
	FN("hasindex", p_hasindex, f_hasindex),
	FN("indexof", p_indexof, f_indexof),
	FN("contains", p_contains, f_contains),
	FN("flatten", p_list_dyn, f_flatten),
	FN("distinct", p_list_ldyn, f_distinct),
	FN("compact", p_list_lstr, f_compact),
	FNV("concat", NULL, 0, &p_concat_v, f_concat),
	FNV("coalesce", NULL, 0, &p_coalesce_v, f_coalesce),
	FNV("coalescelist", NULL, 0, &p_coalescelist_v, f_coalescelist),
	FN("chunklist", p_chunklist, f_chunklist),
	FN("slice", p_slice, f_slice),
	FN("reverselist", p_list_dyn, f_reverselist),
	FN("sort", p_list_lstr, f_sort),
	FN("zipmap", p_zipmap, f_zipmap),
	FNV("setunion", p_first_set, 1, &p_other_sets_v, f_setunion),
	FNV("setintersection", p_first_set, 1, &p_other_sets_v, f_setintersection),
	FN("setsubtract", p_set2, f_setsubtract),
	FNV("setsymmetricdifference", p_first_set, 1, &p_other_sets_v, f_setsymdiff),
	FN("sethaselement", p_sethas, f_sethaselement),
	FNV("setproduct", NULL, 0, &p_setproduct_v, f_setproduct),
};
const size_t hcl__fn_collections_n = sizeof(hcl__fn_collections) / sizeof(hcl__fn_collections[0]);
