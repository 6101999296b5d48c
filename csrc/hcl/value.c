/* HCL values and types (go-cty's model): constructors, refcounting, equality, numbers, names. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/value.h"
#include "util/alloc.h"

/* The primitive types are constants; refs == 0 marks them, so ref/unref skip them. */
static const hcl_type T_STRING = { HCL_T_STRING, 0, NULL, 0, NULL, NULL, NULL };
static const hcl_type T_NUMBER = { HCL_T_NUMBER, 0, NULL, 0, NULL, NULL, NULL };
static const hcl_type T_BOOL = { HCL_T_BOOL, 0, NULL, 0, NULL, NULL, NULL };
static const hcl_type T_DYNAMIC = { HCL_T_DYNAMIC, 0, NULL, 0, NULL, NULL, NULL };

/* Never written through: ref/unref leave refs == 0 types alone. */
hcl_type *hcl_type_string(void)
{
	return (hcl_type *)&T_STRING;
}
hcl_type *hcl_type_number(void)
{
	return (hcl_type *)&T_NUMBER;
}
hcl_type *hcl_type_bool(void)
{
	return (hcl_type *)&T_BOOL;
}
hcl_type *hcl_type_dynamic(void)
{
	return (hcl_type *)&T_DYNAMIC;
}

static hcl_type *type_new(hcl_type_kind kind)
{
	hcl_type *t = atmo__calloc(1, sizeof(*t), NULL);
	if (t) {
		t->kind = kind;
		t->refs = 1;
	}
	return t;
}

static hcl_type *type_coll(hcl_type_kind kind, hcl_type *elem)
{
	hcl_type *t;
	if (!elem)
		return NULL;
	t = type_new(kind);
	if (!t) {
		hcl_type_unref(elem);
		return NULL;
	}
	t->elem = elem;
	return t;
}

hcl_type *hcl_type_list(hcl_type *elem)
{
	return type_coll(HCL_T_LIST, elem);
}
hcl_type *hcl_type_set(hcl_type *elem)
{
	return type_coll(HCL_T_SET, elem);
}
hcl_type *hcl_type_map(hcl_type *elem)
{
	return type_coll(HCL_T_MAP, elem);
}

hcl_type *hcl_type_tuple(hcl_type **elems, size_t n)
{
	hcl_type *t = type_new(HCL_T_TUPLE);
	size_t i;
	int bad = !t;
	for (i = 0; i < n; i++)
		if (!elems[i])
			bad = 1;
	if (!bad && n) {
		t->elems = atmo__malloc(n * sizeof(*t->elems), NULL);
		bad = !t->elems;
	}
	if (bad) {
		for (i = 0; i < n; i++)
			hcl_type_unref(elems[i]);
		if (t)
			atmo__free(t->elems);
		atmo__free(t);
		return NULL;
	}
	if (n)
		memcpy(t->elems, elems, n * sizeof(*elems));
	t->n = n;
	return t;
}

hcl_type *hcl_type_object(const char *const *names, hcl_type **types, const unsigned char *optional,
			  size_t n)
{
	hcl_type *t = type_new(HCL_T_OBJECT);
	size_t i, j;
	int bad = !t;
	for (i = 0; i < n; i++)
		if (!types[i])
			bad = 1;
	if (!bad && n) {
		t->elems = atmo__calloc(n, sizeof(*t->elems), NULL);
		t->names = atmo__calloc(n, sizeof(*t->names), NULL);
		bad = !t->elems || !t->names;
		if (!bad && optional) {
			t->optional = atmo__calloc(n, 1, NULL);
			bad = !t->optional;
		}
		for (i = 0; !bad && i < n; i++) {
			t->names[i] = atmo__strdup(names[i], NULL);
			bad = !t->names[i];
		}
	}
	if (bad) {
		for (i = 0; i < n; i++)
			hcl_type_unref(types[i]);
		if (t) {
			for (i = 0; t->names && i < n; i++)
				atmo__free(t->names[i]);
			atmo__free(t->names);
			atmo__free(t->elems);
			atmo__free(t->optional);
		}
		atmo__free(t);
		return NULL;
	}
	t->n = n;
	for (i = 0; i < n; i++) {
		t->elems[i] = types[i];
		if (optional)
			t->optional[i] = optional[i];
	}
	/* insertion sort by name, carrying type and optional flag; drop duplicates (last wins) */
	for (i = 1; i < t->n; i++) {
		char *nm = t->names[i];
		hcl_type *ty = t->elems[i];
		unsigned char op = t->optional ? t->optional[i] : 0;
		j = i;
		while (j > 0 && strcmp(t->names[j - 1], nm) > 0) {
			t->names[j] = t->names[j - 1];
			t->elems[j] = t->elems[j - 1];
			if (t->optional)
				t->optional[j] = t->optional[j - 1];
			j--;
		}
		t->names[j] = nm;
		t->elems[j] = ty;
		if (t->optional)
			t->optional[j] = op;
	}
	for (i = 1, j = 0; i < t->n; i++) {
		if (strcmp(t->names[i], t->names[j]) == 0) {
			atmo__free(t->names[j]);
			hcl_type_unref(t->elems[j]);
		} else {
			j++;
		}
		t->names[j] = t->names[i];
		t->elems[j] = t->elems[i];
		if (t->optional)
			t->optional[j] = t->optional[i];
	}
	if (t->n)
		t->n = j + 1;
	return t;
}

hcl_type *hcl_type_ref(hcl_type *t)
{
	if (t && t->refs)
		t->refs++;
	return t;
}

void hcl_type_unref(hcl_type *t)
{
	size_t i;
	if (!t || !t->refs || --t->refs)
		return;
	hcl_type_unref(t->elem);
	for (i = 0; i < t->n; i++) {
		hcl_type_unref(t->elems[i]);
		if (t->names)
			atmo__free(t->names[i]);
	}
	atmo__free(t->elems);
	atmo__free(t->names);
	atmo__free(t->optional);
	atmo__free(t);
}

int hcl_type_equal(const hcl_type *a, const hcl_type *b)
{
	size_t i;
	if (a == b)
		return 1;
	if (!a || !b || a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case HCL_T_LIST:
	case HCL_T_SET:
	case HCL_T_MAP:
		return hcl_type_equal(a->elem, b->elem);
	case HCL_T_TUPLE:
	case HCL_T_OBJECT:
		if (a->n != b->n)
			return 0;
		for (i = 0; i < a->n; i++) {
			if (a->names && strcmp(a->names[i], b->names[i]) != 0)
				return 0;
			if (!hcl_type_equal(a->elems[i], b->elems[i]))
				return 0;
			if ((a->optional ? a->optional[i] : 0) !=
			    (b->optional ? b->optional[i] : 0))
				return 0;
		}
		return 1;
	default:
		return 1;
	}
}

int hcl_type_has_dynamic(const hcl_type *t)
{
	size_t i;
	if (!t)
		return 0;
	if (t->kind == HCL_T_DYNAMIC)
		return 1;
	if (t->elem && hcl_type_has_dynamic(t->elem))
		return 1;
	for (i = 0; i < t->n; i++)
		if (hcl_type_has_dynamic(t->elems[i]))
			return 1;
	return 0;
}

char *hcl_type_friendly(const hcl_type *t, char *buf, size_t n)
{
	char inner[256];
	if (!n)
		return buf;
	switch (t ? t->kind : HCL_T_DYNAMIC) {
	case HCL_T_STRING:
		snprintf(buf, n, "string");
		break;
	case HCL_T_NUMBER:
		snprintf(buf, n, "number");
		break;
	case HCL_T_BOOL:
		snprintf(buf, n, "bool");
		break;
	case HCL_T_LIST:
		snprintf(buf, n, "list of %s", hcl_type_friendly(t->elem, inner, sizeof(inner)));
		break;
	case HCL_T_SET:
		snprintf(buf, n, "set of %s", hcl_type_friendly(t->elem, inner, sizeof(inner)));
		break;
	case HCL_T_MAP:
		snprintf(buf, n, "map of %s", hcl_type_friendly(t->elem, inner, sizeof(inner)));
		break;
	case HCL_T_TUPLE:
		snprintf(buf, n, "tuple");
		break;
	case HCL_T_OBJECT:
		snprintf(buf, n, "object");
		break;
	default:
		snprintf(buf, n, "dynamic");
		break;
	}
	return buf;
}

/* Append to buf at *pos, never past n-1. */
static void put(char *buf, size_t n, size_t *pos, const char *s)
{
	size_t l = strlen(s);
	if (*pos >= n)
		return;
	if (l > n - 1 - *pos)
		l = n - 1 - *pos;
	memcpy(buf + *pos, s, l);
	*pos += l;
	buf[*pos] = '\0';
}

static void type_expr(const hcl_type *t, char *buf, size_t n, size_t *pos)
{
	size_t i;
	switch (t ? t->kind : HCL_T_DYNAMIC) {
	case HCL_T_STRING:
		put(buf, n, pos, "string");
		break;
	case HCL_T_NUMBER:
		put(buf, n, pos, "number");
		break;
	case HCL_T_BOOL:
		put(buf, n, pos, "bool");
		break;
	case HCL_T_LIST:
	case HCL_T_SET:
	case HCL_T_MAP:
		put(buf, n, pos,
		    t->kind == HCL_T_LIST  ? "list("
		    : t->kind == HCL_T_SET ? "set("
					   : "map(");
		type_expr(t->elem, buf, n, pos);
		put(buf, n, pos, ")");
		break;
	case HCL_T_TUPLE:
		put(buf, n, pos, "tuple([");
		for (i = 0; i < t->n; i++) {
			if (i)
				put(buf, n, pos, ",");
			type_expr(t->elems[i], buf, n, pos);
		}
		put(buf, n, pos, "])");
		break;
	case HCL_T_OBJECT:
		put(buf, n, pos, "object({");
		for (i = 0; i < t->n; i++) {
			if (i)
				put(buf, n, pos, ",");
			put(buf, n, pos, t->names[i]);
			put(buf, n, pos, "=");
			if (t->optional && t->optional[i]) {
				put(buf, n, pos, "optional(");
				type_expr(t->elems[i], buf, n, pos);
				put(buf, n, pos, ")");
			} else {
				type_expr(t->elems[i], buf, n, pos);
			}
		}
		put(buf, n, pos, "})");
		break;
	default:
		put(buf, n, pos, "any");
		break;
	}
}

char *hcl_type_expr(const hcl_type *t, char *buf, size_t n)
{
	size_t pos = 0;
	if (!n)
		return buf;
	buf[0] = '\0';
	type_expr(t, buf, n, &pos);
	return buf;
}

/* ---- values ---------------------------------------------------------------- */

static hcl_value *value_new(hcl_type *t)
{
	hcl_value *v;
	if (!t)
		return NULL;
	v = atmo__calloc(1, sizeof(*v), NULL);
	if (!v) {
		hcl_type_unref(t);
		return NULL;
	}
	v->refs = 1;
	v->type = t;
	v->weight = 1;
	return v;
}

static size_t add_weight(size_t a, size_t b)
{
	return a > (size_t)-1 - b ? (size_t)-1 : a + b;
}

hcl_value *hcl_value_ref(hcl_value *v)
{
	if (v)
		v->refs++;
	return v;
}

void hcl_value_unref(hcl_value *v)
{
	size_t i;
	if (!v || --v->refs)
		return;
	if (!v->is_null && !v->is_unknown) {
		switch (v->type->kind) {
		case HCL_T_STRING:
			atmo__free(v->u.str.s);
			break;
		case HCL_T_LIST:
		case HCL_T_SET:
		case HCL_T_TUPLE:
			for (i = 0; i < v->u.seq.n; i++)
				hcl_value_unref(v->u.seq.items[i]);
			atmo__free(v->u.seq.items);
			break;
		case HCL_T_MAP:
		case HCL_T_OBJECT:
			for (i = 0; i < v->u.obj.n; i++) {
				atmo__free(v->u.obj.keys[i]);
				hcl_value_unref(v->u.obj.vals[i]);
			}
			atmo__free(v->u.obj.keys);
			atmo__free(v->u.obj.vals);
			break;
		default:
			break;
		}
	}
	hcl_type_unref(v->type);
	atmo__free(v);
}

hcl_value *hcl_string_take(char *s, size_t len)
{
	hcl_value *v;
	if (!s)
		return NULL;
	v = value_new(hcl_type_string());
	if (!v) {
		atmo__free(s);
		return NULL;
	}
	v->u.str.s = s;
	v->u.str.len = len;
	return v;
}

hcl_value *hcl_string(const char *s, size_t len)
{
	char *c = atmo__malloc(len + 1, NULL);
	if (!c)
		return NULL;
	if (len)
		memcpy(c, s, len);
	c[len] = '\0';
	return hcl_string_take(c, len);
}

hcl_value *hcl_cstring(const char *s)
{
	return hcl_string(s, strlen(s));
}

hcl_value *hcl_number(double d)
{
	hcl_value *v = value_new(hcl_type_number());
	if (v)
		v->u.num = d == 0 ? 0.0 : d; /* no negative zero: cty prints and compares 0 */
	return v;
}

hcl_value *hcl_bool(int b)
{
	hcl_value *v = value_new(hcl_type_bool());
	if (v)
		v->u.b = b != 0;
	return v;
}

hcl_value *hcl_null(hcl_type *t)
{
	hcl_value *v = value_new(t ? t : hcl_type_dynamic());
	if (v)
		v->is_null = 1;
	return v;
}

hcl_value *hcl_unknown(hcl_type *t)
{
	hcl_value *v = value_new(t ? t : hcl_type_dynamic());
	if (v)
		v->is_unknown = 1;
	return v;
}

static void unref_all(hcl_value **items, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		hcl_value_unref(items[i]);
}

static int any_null_ptr(hcl_value **items, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!items[i])
			return 1;
	return 0;
}

/* A sequence value of type t (stolen) holding copies of the item pointers. */
static hcl_value *seq_new(hcl_type *t, hcl_value **items, size_t n)
{
	hcl_value *v;
	if (!t || any_null_ptr(items, n)) {
		hcl_type_unref(t);
		unref_all(items, n);
		return NULL;
	}
	v = value_new(t);
	if (v && n) {
		v->u.seq.items = atmo__malloc(n * sizeof(*items), NULL);
		if (!v->u.seq.items) {
			hcl_value_unref(v);
			v = NULL;
		}
	}
	if (!v) {
		unref_all(items, n);
		return NULL;
	}
	if (n)
		memcpy(v->u.seq.items, items, n * sizeof(*items));
	v->u.seq.n = n;
	for (size_t i = 0; i < n; i++)
		v->weight = add_weight(v->weight, items[i]->weight);
	return v;
}

hcl_value *hcl_tuple(hcl_value **items, size_t n)
{
	hcl_type **ts = NULL;
	hcl_type *t;
	size_t i;
	if (any_null_ptr(items, n) || (n && !(ts = atmo__malloc(n * sizeof(*ts), NULL)))) {
		unref_all(items, n);
		return NULL;
	}
	for (i = 0; i < n; i++)
		ts[i] = hcl_type_ref(items[i]->type);
	t = hcl_type_tuple(ts, n);
	atmo__free(ts);
	return seq_new(t, items, n);
}

hcl_value *hcl_list(hcl_type *elem, hcl_value **items, size_t n)
{
	return seq_new(hcl_type_list(elem), items, n);
}

/* A total order over values of one type, for sets: nulls and unknowns last. */
static int value_cmp(const hcl_value *a, const hcl_value *b)
{
	size_t i, n;
	int c;
	if (a->is_unknown || b->is_unknown)
		return (int)a->is_unknown - (int)b->is_unknown;
	if (a->is_null || b->is_null)
		return (int)a->is_null - (int)b->is_null;
	if (a->type->kind != b->type->kind)
		return (int)a->type->kind - (int)b->type->kind;
	switch (a->type->kind) {
	case HCL_T_STRING:
		n = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
		c = memcmp(a->u.str.s, b->u.str.s, n);
		if (c)
			return c;
		return a->u.str.len < b->u.str.len ? -1 : a->u.str.len > b->u.str.len;
	case HCL_T_NUMBER:
		return a->u.num < b->u.num ? -1 : a->u.num > b->u.num;
	case HCL_T_BOOL:
		return a->u.b - b->u.b;
	case HCL_T_LIST:
	case HCL_T_SET:
	case HCL_T_TUPLE:
		n = a->u.seq.n < b->u.seq.n ? a->u.seq.n : b->u.seq.n;
		for (i = 0; i < n; i++)
			if ((c = value_cmp(a->u.seq.items[i], b->u.seq.items[i])) != 0)
				return c;
		return a->u.seq.n < b->u.seq.n ? -1 : a->u.seq.n > b->u.seq.n;
	case HCL_T_MAP:
	case HCL_T_OBJECT:
		n = a->u.obj.n < b->u.obj.n ? a->u.obj.n : b->u.obj.n;
		for (i = 0; i < n; i++) {
			if ((c = strcmp(a->u.obj.keys[i], b->u.obj.keys[i])) != 0)
				return c;
			if ((c = value_cmp(a->u.obj.vals[i], b->u.obj.vals[i])) != 0)
				return c;
		}
		return a->u.obj.n < b->u.obj.n ? -1 : a->u.obj.n > b->u.obj.n;
	default:
		return 0;
	}
}

static int value_cmp_q(const void *x, const void *y)
{
	return value_cmp(*(hcl_value *const *)x, *(hcl_value *const *)y);
}

hcl_value *hcl_set(hcl_type *elem, hcl_value **items, size_t n)
{
	hcl_value *v = seq_new(hcl_type_set(elem), items, n);
	size_t i, j;
	if (!v || v->u.seq.n < 2)
		return v;
	qsort(v->u.seq.items, v->u.seq.n, sizeof(hcl_value *), value_cmp_q);
	for (i = 1, j = 0; i < v->u.seq.n; i++) {
		hcl_value *it = v->u.seq.items[i];
		/* unknowns never compare equal: each stays an element, as in cty */
		if (!it->is_unknown && hcl_value_raw_equal(v->u.seq.items[j], it))
			hcl_value_unref(it);
		else
			v->u.seq.items[++j] = it;
	}
	v->u.seq.n = j + 1;
	return v;
}

typedef struct {
	char *key;
	hcl_value *val;
	size_t idx;
} kv;

static int kv_cmp(const void *x, const void *y)
{
	const kv *a = x, *b = y;
	int c = strcmp(a->key, b->key);
	if (c)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* A map or object of type t: keys copied, sorted, duplicates keep the last. */
static hcl_value *obj_new(hcl_type_kind kind, hcl_type *elem, const char *const *keys,
			  hcl_value **vals, size_t n)
{
	kv *pairs = NULL;
	hcl_value *v = NULL;
	hcl_type *t = NULL;
	size_t i, m = 0;
	int bad = any_null_ptr(vals, n);
	if (kind == HCL_T_MAP && !elem)
		bad = 1;
	if (!bad && n && !(pairs = atmo__calloc(n, sizeof(*pairs), NULL)))
		bad = 1;
	for (i = 0; !bad && i < n; i++) {
		pairs[i].key = atmo__strdup(keys[i], NULL);
		pairs[i].val = vals[i];
		pairs[i].idx = i;
		if (!pairs[i].key)
			bad = 1;
	}
	if (bad)
		goto fail;
	if (n)
		qsort(pairs, n, sizeof(*pairs), kv_cmp);
	for (i = 0; i < n; i++) {
		if (m && strcmp(pairs[m - 1].key, pairs[i].key) == 0) {
			atmo__free(pairs[m - 1].key);
			hcl_value_unref(pairs[m - 1].val);
			m--;
		}
		pairs[m++] = pairs[i];
	}
	if (kind == HCL_T_MAP) {
		t = hcl_type_map(elem);
		elem = NULL;
	} else {
		const char **nm = m ? atmo__malloc(m * sizeof(*nm), NULL) : NULL;
		hcl_type **ts = m ? atmo__malloc(m * sizeof(*ts), NULL) : NULL;
		if (m && (!nm || !ts)) {
			atmo__free(nm);
			atmo__free(ts);
			n = m;
			goto fail_pairs;
		}
		for (i = 0; i < m; i++) {
			nm[i] = pairs[i].key;
			ts[i] = hcl_type_ref(pairs[i].val->type);
		}
		t = hcl_type_object(nm, ts, NULL, m);
		atmo__free(nm);
		atmo__free(ts);
	}
	n = m;
	v = value_new(t);
	if (!v)
		goto fail_pairs;
	if (m) {
		v->u.obj.keys = atmo__malloc(m * sizeof(char *), NULL);
		v->u.obj.vals = atmo__malloc(m * sizeof(hcl_value *), NULL);
		if (!v->u.obj.keys || !v->u.obj.vals) {
			atmo__free(v->u.obj.keys);
			atmo__free(v->u.obj.vals);
			v->u.obj.keys = NULL;
			v->u.obj.vals = NULL;
			hcl_value_unref(v);
			goto fail_pairs;
		}
	}
	for (i = 0; i < m; i++) {
		v->u.obj.keys[i] = pairs[i].key;
		v->u.obj.vals[i] = pairs[i].val;
		v->weight = add_weight(v->weight, pairs[i].val->weight);
	}
	v->u.obj.n = m;
	atmo__free(pairs);
	return v;
fail_pairs:
	for (i = 0; i < n; i++) {
		atmo__free(pairs[i].key);
		hcl_value_unref(pairs[i].val);
	}
	atmo__free(pairs);
	hcl_type_unref(elem);
	return NULL;
fail:
	for (i = 0; pairs && i < n; i++)
		atmo__free(pairs[i].key);
	atmo__free(pairs);
	unref_all(vals, n);
	hcl_type_unref(elem);
	return NULL;
}

hcl_value *hcl_object(const char *const *keys, hcl_value **vals, size_t n)
{
	return obj_new(HCL_T_OBJECT, NULL, keys, vals, n);
}

hcl_value *hcl_map(hcl_type *elem, const char *const *keys, hcl_value **vals, size_t n)
{
	return obj_new(HCL_T_MAP, elem, keys, vals, n);
}

int hcl_value_is_known(const hcl_value *v)
{
	return v && !v->is_unknown;
}

int hcl_value_is_wholly_known(const hcl_value *v)
{
	size_t i;
	if (!v || v->is_unknown)
		return 0;
	if (v->is_null)
		return 1;
	switch (v->type->kind) {
	case HCL_T_LIST:
	case HCL_T_SET:
	case HCL_T_TUPLE:
		for (i = 0; i < v->u.seq.n; i++)
			if (!hcl_value_is_wholly_known(v->u.seq.items[i]))
				return 0;
		return 1;
	case HCL_T_MAP:
	case HCL_T_OBJECT:
		for (i = 0; i < v->u.obj.n; i++)
			if (!hcl_value_is_wholly_known(v->u.obj.vals[i]))
				return 0;
		return 1;
	default:
		return 1;
	}
}

hcl_value *hcl_value_get(const hcl_value *v, const char *key)
{
	size_t lo = 0, hi;
	if (!v || v->is_null || v->is_unknown ||
	    (v->type->kind != HCL_T_MAP && v->type->kind != HCL_T_OBJECT))
		return NULL;
	hi = v->u.obj.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v->u.obj.keys[mid], key);
		if (c == 0)
			return v->u.obj.vals[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t hcl_value_length(const hcl_value *v)
{
	if (!v || v->is_null || v->is_unknown)
		return 0;
	switch (v->type->kind) {
	case HCL_T_LIST:
	case HCL_T_SET:
	case HCL_T_TUPLE:
		return v->u.seq.n;
	case HCL_T_MAP:
	case HCL_T_OBJECT:
		return v->u.obj.n;
	default:
		return 0;
	}
}

int hcl_value_equal(const hcl_value *a, const hcl_value *b)
{
	size_t i;
	if (a->is_null || b->is_null)
		return a->is_null && b->is_null; /* nulls are equal whatever their type */
	if (a->is_unknown || b->is_unknown)
		return 0;
	if (!hcl_type_equal(a->type, b->type))
		return 0;
	switch (a->type->kind) {
	case HCL_T_STRING:
		return a->u.str.len == b->u.str.len &&
		       memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
	case HCL_T_NUMBER:
		return a->u.num == b->u.num;
	case HCL_T_BOOL:
		return a->u.b == b->u.b;
	case HCL_T_LIST:
	case HCL_T_SET:
	case HCL_T_TUPLE:
		if (a->u.seq.n != b->u.seq.n)
			return 0;
		for (i = 0; i < a->u.seq.n; i++)
			if (!hcl_value_equal(a->u.seq.items[i], b->u.seq.items[i]))
				return 0;
		return 1;
	case HCL_T_MAP:
	case HCL_T_OBJECT:
		if (a->u.obj.n != b->u.obj.n)
			return 0;
		for (i = 0; i < a->u.obj.n; i++)
			if (strcmp(a->u.obj.keys[i], b->u.obj.keys[i]) != 0 ||
			    !hcl_value_equal(a->u.obj.vals[i], b->u.obj.vals[i]))
				return 0;
		return 1;
	default:
		return 0;
	}
}

int hcl_value_raw_equal(const hcl_value *a, const hcl_value *b)
{
	size_t i;
	if (!hcl_type_equal(a->type, b->type))
		return 0;
	if (a->is_unknown || b->is_unknown)
		return a->is_unknown && b->is_unknown;
	if (a->is_null || b->is_null)
		return a->is_null && b->is_null;
	switch (a->type->kind) {
	case HCL_T_LIST:
	case HCL_T_SET:
	case HCL_T_TUPLE:
		if (a->u.seq.n != b->u.seq.n)
			return 0;
		for (i = 0; i < a->u.seq.n; i++)
			if (!hcl_value_raw_equal(a->u.seq.items[i], b->u.seq.items[i]))
				return 0;
		return 1;
	case HCL_T_MAP:
	case HCL_T_OBJECT:
		if (a->u.obj.n != b->u.obj.n)
			return 0;
		for (i = 0; i < a->u.obj.n; i++)
			if (strcmp(a->u.obj.keys[i], b->u.obj.keys[i]) != 0 ||
			    !hcl_value_raw_equal(a->u.obj.vals[i], b->u.obj.vals[i]))
				return 0;
		return 1;
	default:
		return hcl_value_equal(a, b);
	}
}

/* ---- numbers ------------------------------------------------------------- */

char *hcl_number_format(double d, char *buf, size_t n)
{
	char e[40], digits[24];
	int prec, exp10, nd = 0, pos;
	size_t o = 0;
	const char *p;
	if (!n)
		return buf;
	if (isnan(d)) {
		snprintf(buf, n, "NaN");
		return buf;
	}
	if (isinf(d)) {
		snprintf(buf, n, d > 0 ? "+Inf" : "-Inf");
		return buf;
	}
	if (d == 0) {
		snprintf(buf, n, "0");
		return buf;
	}
	if (d == floor(d) && fabs(d) < 1e17) {
		snprintf(buf, n, "%.0f", d);
		return buf;
	}
	/* shortest digits that read back as d, then written without an exponent as cty's 'f' -1 */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec - 1, d);
		if (strtod(e, NULL) == d)
			break;
	}
	p = e;
	if (*p == '-')
		p++;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	exp10 = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (n < 2)
		return buf;
#define OUT(c)                                                                                     \
	do {                                                                                       \
		if (o + 1 < n)                                                                     \
			buf[o++] = (c);                                                            \
	} while (0)
	if (d < 0)
		OUT('-');
	/* digits[0] is at position exp10 (10^exp10) */
	if (exp10 < 0) {
		OUT('0');
		OUT('.');
		for (pos = -1; pos > exp10; pos--)
			OUT('0');
		for (pos = 0; pos < nd; pos++)
			OUT(digits[pos]);
	} else {
		for (pos = 0; pos <= exp10 || pos < nd; pos++) {
			if (pos == exp10 + 1)
				OUT('.');
			OUT(pos < nd ? digits[pos] : '0');
		}
	}
#undef OUT
	buf[o] = '\0';
	return buf;
}

int hcl_number_parse(const char *s, size_t len, double *out)
{
	char tmp[400], *end;
	size_t i = 0, digits = 0;
	if (len == 0 || len >= sizeof(tmp))
		return -1;
	/* cty accepts a decimal with optional sign, fraction and exponent (big.Float base 10) */
	if (s[i] == '-' || s[i] == '+')
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, digits++;
	}
	if (!digits)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t ed = 0;
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, ed++;
		if (!ed)
			return -1;
	}
	if (i != len)
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	*out = strtod(tmp, &end);
	if (*out == 0)
		*out = 0.0;
	return isinf(*out) ? -1 : 0;
}
