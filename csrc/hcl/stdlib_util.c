/* Helpers shared by the stdlib_*.c files, and the static parameter types. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/stdlib_int.h"
#include "util/alloc.h"

/*
 * Static types for the const parameter tables: refs 0 marks a static type,
 * which hcl_type_ref/unref leave alone (value.h), so these are never written.
 */
#define STATIC_T(k)                                                                                \
	{                                                                                          \
		.kind = (k), .refs = 0                                                             \
	}
#define STATIC_C(k, e)                                                                             \
	{                                                                                          \
		.kind = (k), .refs = 0, .elem = (hcl_type *)(e)                                    \
	}
const hcl_type hcl__t_string = STATIC_T(HCL_T_STRING);
const hcl_type hcl__t_number = STATIC_T(HCL_T_NUMBER);
const hcl_type hcl__t_bool = STATIC_T(HCL_T_BOOL);
const hcl_type hcl__t_dynamic = STATIC_T(HCL_T_DYNAMIC);
const hcl_type hcl__t_list_string = STATIC_C(HCL_T_LIST, &hcl__t_string);
const hcl_type hcl__t_list_number = STATIC_C(HCL_T_LIST, &hcl__t_number);
const hcl_type hcl__t_list_dynamic = STATIC_C(HCL_T_LIST, &hcl__t_dynamic);
const hcl_type hcl__t_set_dynamic = STATIC_C(HCL_T_SET, &hcl__t_dynamic);
const hcl_type hcl__t_map_dynamic = STATIC_C(HCL_T_MAP, &hcl__t_dynamic);
const hcl_type hcl__t_map_string = STATIC_C(HCL_T_MAP, &hcl__t_string);

int hcl__is_seq(const hcl_type *t)
{
	return t->kind == HCL_T_LIST || t->kind == HCL_T_SET || t->kind == HCL_T_TUPLE;
}

int hcl__whole(const hcl_value *v, long long *out)
{
	double d = v->u.num;
	if (!isfinite(d) || d != floor(d) || d > 9.2e18 || d < -9.2e18)
		return -1;
	*out = (long long)d;
	return 0;
}

hcl_value *hcl__equals(hcl_value *a, hcl_value *b)
{
	if (a->is_unknown || b->is_unknown)
		return hcl_unknown(hcl_type_bool());
	if (a->is_null || b->is_null)
		return hcl_bool(a->is_null && b->is_null);
	if (!hcl_value_is_wholly_known(a) || !hcl_value_is_wholly_known(b))
		return hcl_unknown(hcl_type_bool());
	if (!hcl_type_equal(a->type, b->type)) {
		/* cty compares only same-typed values; number 1 and string "1" differ */
		return hcl_bool(0);
	}
	return hcl_bool(hcl_value_equal(a, b));
}

hcl_value *hcl__list_of(const hcl_type *elem, hcl_value **items, size_t n)
{
	return hcl_list(hcl_type_ref((hcl_type *)elem), items, n);
}

hcl_type *hcl__unify_values(hcl_value *const *vals, size_t n)
{
	hcl_type **ts;
	hcl_type *u;
	size_t i;

	ts = atmo__malloc((n ? n : 1) * sizeof(*ts), NULL);
	if (!ts)
		return NULL;
	for (i = 0; i < n; i++)
		ts[i] = vals[i]->type;
	u = hcl_type_unify(ts, n);
	atmo__free(ts);
	return u;
}

hcl_value *hcl__convert_to(hcl_value *v, const hcl_type *t, hcl_func_error *e, int arg)
{
	char msg[400];
	hcl_value *r = hcl_convert(v, t, msg, sizeof(msg), NULL, 0);
	if (!r)
		hcl__fail(e, arg, "%s", msg);
	return r;
}
