/*
 * Type conversion and unification as go-cty's convert package does them:
 * a type-level check first (GetConversionUnsafe; when there is no
 * conversion the error is MismatchMessage's text and no path), then a
 * value-level conversion whose errors ("a number is required") carry the
 * path of the element at fault.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/value.h"
#include "hcl/stdlib_int.h"
#include "util/alloc.h"

/* ---- type names --------------------------------------------------------- */

/* cty's FriendlyNameForConstraint: as FriendlyName, but "any type" for dynamic */
static void type_constraint_name(const hcl_type *t, atmo_buf *b)
{
	switch (t->kind) {
	case HCL_T_DYNAMIC:
		atmo__buf_puts(b, "any type");
		break;
	case HCL_T_STRING:
		atmo__buf_puts(b, "string");
		break;
	case HCL_T_NUMBER:
		atmo__buf_puts(b, "number");
		break;
	case HCL_T_BOOL:
		atmo__buf_puts(b, "bool");
		break;
	case HCL_T_LIST:
		atmo__buf_puts(b, "list of ");
		type_constraint_name(t->elem, b);
		break;
	case HCL_T_SET:
		atmo__buf_puts(b, "set of ");
		type_constraint_name(t->elem, b);
		break;
	case HCL_T_MAP:
		atmo__buf_puts(b, "map of ");
		type_constraint_name(t->elem, b);
		break;
	case HCL_T_TUPLE:
		atmo__buf_puts(b, "tuple");
		break;
	case HCL_T_OBJECT:
		atmo__buf_puts(b, "object");
		break;
	}
}

/* cty's FriendlyName ("dynamic" for the pseudo type) */
static void type_friendly_name(const hcl_type *t, atmo_buf *b)
{
	switch (t->kind) {
	case HCL_T_DYNAMIC:
		atmo__buf_puts(b, "dynamic");
		break;
	case HCL_T_LIST:
		atmo__buf_puts(b, "list of ");
		type_friendly_name(t->elem, b);
		break;
	case HCL_T_SET:
		atmo__buf_puts(b, "set of ");
		type_friendly_name(t->elem, b);
		break;
	case HCL_T_MAP:
		atmo__buf_puts(b, "map of ");
		type_friendly_name(t->elem, b);
		break;
	default:
		type_constraint_name(t, b);
		break;
	}
}

void hcl__type_name(const hcl_type *t, atmo_buf *b, int constraint)
{
	if (constraint)
		type_constraint_name(t, b);
	else
		type_friendly_name(t, b);
}

/* ---- type-level checks ---------------------------------------------------- */

static int is_primitive(const hcl_type *t)
{
	return t->kind == HCL_T_STRING || t->kind == HCL_T_NUMBER || t->kind == HCL_T_BOOL;
}

static int is_collection(const hcl_type *t)
{
	return t->kind == HCL_T_LIST || t->kind == HCL_T_SET || t->kind == HCL_T_MAP;
}

/* index of name in an object type, -1 when absent */
static long obj_attr(const hcl_type *t, const char *name)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(t->names[mid], name);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int attr_optional(const hcl_type *t, size_t i)
{
	return t->optional && t->optional[i];
}

/* Same as hcl_type_equal but also telling apart optional flags is not needed:
 * cty's Equals ignores nothing, so use the value module's. */
static int type_eq(const hcl_type *a, const hcl_type *b)
{
	return hcl_type_equal(a, b);
}

static int unify_list(hcl_type *const *types, size_t n, int unsafe, hcl_type **out);

int hcl__can_convert(const hcl_type *in, const hcl_type *out, int unsafe)
{
	size_t i;

	if (type_eq(in, out))
		return 1;
	if (out->kind == HCL_T_DYNAMIC)
		return 1;
	if (in->kind == HCL_T_DYNAMIC)
		return unsafe;
	if (is_primitive(in) && is_primitive(out)) {
		if (out->kind == HCL_T_STRING)
			return 1;
		return unsafe && in->kind == HCL_T_STRING;
	}
	switch (out->kind) {
	case HCL_T_OBJECT:
		if (in->kind == HCL_T_OBJECT) {
			for (i = 0; i < out->n; i++) {
				long j = obj_attr(in, out->names[i]);
				if (j < 0) {
					if (!attr_optional(out, i))
						return 0;
					continue;
				}
				if (!hcl__can_convert(in->elems[j], out->elems[i], unsafe))
					return 0;
			}
			return 1;
		}
		if (in->kind == HCL_T_MAP && unsafe) {
			for (i = 0; i < out->n; i++)
				if (!hcl__can_convert(in->elem, out->elems[i], unsafe))
					return 0;
			return 1;
		}
		return 0;
	case HCL_T_TUPLE:
		if (in->kind != HCL_T_TUPLE || in->n != out->n)
			return 0;
		for (i = 0; i < out->n; i++)
			if (!hcl__can_convert(in->elems[i], out->elems[i], unsafe))
				return 0;
		return 1;
	case HCL_T_LIST:
	case HCL_T_SET:
		if (in->kind == HCL_T_LIST || in->kind == HCL_T_SET) {
			if (out->kind == HCL_T_SET && in->kind == HCL_T_LIST && !unsafe)
				return 0;
			return hcl__can_convert(in->elem, out->elem, unsafe);
		}
		if (in->kind == HCL_T_TUPLE) {
			if (in->n == 0)
				return 1;
			if (out->elem->kind == HCL_T_DYNAMIC) {
				hcl_type *u = NULL;
				int ok = unify_list(in->elems, in->n, unsafe, &u) == 0 && u;
				hcl_type_unref(u);
				return ok;
			}
			for (i = 0; i < in->n; i++)
				if (!hcl__can_convert(in->elems[i], out->elem, unsafe))
					return 0;
			return 1;
		}
		return 0;
	case HCL_T_MAP:
		if (in->kind == HCL_T_MAP)
			return hcl__can_convert(in->elem, out->elem, unsafe);
		if (in->kind == HCL_T_OBJECT) {
			if (in->n == 0)
				return 1;
			if (out->elem->kind == HCL_T_DYNAMIC) {
				hcl_type *u = NULL;
				int ok = unify_list(in->elems, in->n, unsafe, &u) == 0 && u;
				hcl_type_unref(u);
				return ok;
			}
			for (i = 0; i < in->n; i++)
				if (!hcl__can_convert(in->elems[i], out->elem, unsafe))
					return 0;
			return 1;
		}
		return 0;
	default:
		return 0;
	}
}

/* ---- MismatchMessage ------------------------------------------------------ */

static int likely_confusing(const hcl_type *got, const hcl_type *want)
{
	if (is_primitive(got) != is_primitive(want))
		return 0;
	if (want->kind == HCL_T_STRING)
		return 0;
	if ((want->kind == HCL_T_BOOL && got->kind == HCL_T_NUMBER) ||
	    (got->kind == HCL_T_BOOL && want->kind == HCL_T_NUMBER))
		return 0;
	if (is_collection(got) && is_collection(want) && !hcl_type_has_dynamic(got->elem) &&
	    hcl_type_has_dynamic(want->elem))
		return 0;
	if (got->kind == HCL_T_TUPLE && want->kind == HCL_T_OBJECT)
		return 0;
	return 1;
}

static void required(const hcl_type *want, atmo_buf *b)
{
	type_constraint_name(want, b);
	atmo__buf_puts(b, " required");
}

static void mismatch(const hcl_type *got, const hcl_type *want, atmo_buf *b);

static void mismatch_objects(const hcl_type *got, const hcl_type *want, atmo_buf *b)
{
	size_t i, nmissing = 0;
	const char *missing[3] = { 0 };
	long unsafe_at = -1, safe_at = -1;
	size_t unsafe_got = 0, safe_got = 0;

	for (i = 0; i < want->n; i++) {
		long j = obj_attr(got, want->names[i]);
		if (j < 0) {
			if (!attr_optional(want, i)) {
				if (nmissing < 3)
					missing[nmissing] = want->names[i];
				nmissing++;
			}
			continue;
		}
		if (type_eq(got->elems[j], want->elems[i]))
			continue;
		/* cty walks a Go map (random order); the first by name is stable */
		if (unsafe_at < 0 && !hcl__can_convert(got->elems[j], want->elems[i], 1)) {
			unsafe_at = (long)i;
			unsafe_got = (size_t)j;
		}
		if (safe_at < 0 && !hcl__can_convert(got->elems[j], want->elems[i], 0)) {
			safe_at = (long)i;
			safe_got = (size_t)j;
		}
	}
	if (nmissing == 1) {
		atmo__buf_printf(b, "attribute \"%s\" is required", missing[0]);
	} else if (nmissing == 2) {
		atmo__buf_printf(b, "attributes \"%s\" and \"%s\" are required", missing[0],
				 missing[1]);
	} else if (nmissing > 2) {
		/* all of them, sorted (want->names is sorted) */
		size_t k = 0;
		atmo__buf_puts(b, "attributes ");
		for (i = 0; i < want->n; i++) {
			if (obj_attr(got, want->names[i]) >= 0 || attr_optional(want, i))
				continue;
			k++;
			if (k == nmissing)
				atmo__buf_printf(b, "and \"%s\"", want->names[i]);
			else
				atmo__buf_printf(b, "\"%s\", ", want->names[i]);
		}
		atmo__buf_puts(b, " are required");
	} else if (unsafe_at >= 0 || safe_at >= 0) {
		size_t wi = (size_t)(unsafe_at >= 0 ? unsafe_at : safe_at);
		size_t gi = unsafe_at >= 0 ? unsafe_got : safe_got;
		atmo__buf_printf(b, "attribute \"%s\": ", want->names[wi]);
		mismatch(got->elems[gi], want->elems[wi], b);
	} else {
		atmo__buf_puts(b, "incorrect object attributes");
	}
}

static void mismatch_from_structural(const hcl_type *got, const hcl_type *want, atmo_buf *b)
{
	size_t i;
	if ((want->kind == HCL_T_LIST || want->kind == HCL_T_SET) && got->kind != HCL_T_TUPLE) {
		required(want, b);
		return;
	}
	if (want->kind == HCL_T_MAP && got->kind != HCL_T_OBJECT) {
		required(want, b);
		return;
	}
	for (i = 0; i < got->n; i++) {
		if (type_eq(got->elems[i], want->elem) ||
		    hcl__can_convert(got->elems[i], want->elem, 1))
			continue;
		if (got->kind == HCL_T_TUPLE)
			atmo__buf_printf(b, "element %zu: ", i);
		else
			atmo__buf_printf(b, "element \"%s\": ", got->names[i]);
		mismatch(got->elems[i], want->elem, b);
		return;
	}
	atmo__buf_puts(b, "all elements must be ");
	type_constraint_name(want->elem, b);
}

static void mismatch_from_collections(const hcl_type *got, const hcl_type *want, atmo_buf *b)
{
	if ((want->kind == HCL_T_LIST || want->kind == HCL_T_SET) &&
	    !(got->kind == HCL_T_LIST || got->kind == HCL_T_SET)) {
		required(want, b);
		return;
	}
	if (want->kind == HCL_T_MAP && got->kind != HCL_T_MAP) {
		required(want, b);
		return;
	}
	atmo__buf_printf(b, "incorrect %s element type: ",
			 want->kind == HCL_T_LIST  ? "list"
			 : want->kind == HCL_T_SET ? "set"
						   : "map");
	mismatch(got->elem, want->elem, b);
}

static void mismatch(const hcl_type *got, const hcl_type *want, atmo_buf *b)
{
	if (got->kind == HCL_T_OBJECT && want->kind == HCL_T_OBJECT)
		mismatch_objects(got, want, b);
	else if (got->kind == HCL_T_TUPLE && want->kind == HCL_T_LIST &&
		 want->elem->kind == HCL_T_DYNAMIC)
		atmo__buf_puts(b, "all list elements must have the same type");
	else if (got->kind == HCL_T_TUPLE && want->kind == HCL_T_SET &&
		 want->elem->kind == HCL_T_DYNAMIC)
		atmo__buf_puts(b, "all set elements must have the same type");
	else if (got->kind == HCL_T_OBJECT && want->kind == HCL_T_MAP &&
		 want->elem->kind == HCL_T_DYNAMIC)
		atmo__buf_puts(b, "all map elements must have the same type");
	else if ((got->kind == HCL_T_TUPLE || got->kind == HCL_T_OBJECT) && is_collection(want))
		mismatch_from_structural(got, want, b);
	else if (is_collection(got) && is_collection(want))
		mismatch_from_collections(got, want, b);
	else if (!likely_confusing(got, want)) {
		type_friendly_name(want, b);
		atmo__buf_puts(b, " required, but have ");
		type_friendly_name(got, b);
	} else
		required(want, b);
}

void hcl__mismatch_message(const hcl_type *got, const hcl_type *want, atmo_buf *b)
{
	mismatch(got, want, b);
}

/* ---- unification ---------------------------------------------------------- */

static hcl_type *type_without_optional(const hcl_type *t);

/* unify_list: 0 with *out (NULL when no common type), -1 out of memory */
/* every attribute/element type of the object/tuple types among types, unified: NULL none */
static int unify_members(hcl_type *const *types, size_t n, hcl_type_kind k, int unsafe,
			 hcl_type **out)
{
	size_t i, j, total = 0, at = 0;
	hcl_type **all;
	int rc;
	for (i = 0; i < n; i++)
		if (types[i]->kind == k)
			total += types[i]->n;
	all = atmo__malloc((total ? total : 1) * sizeof(*all), NULL);
	if (!all)
		return -1;
	for (i = 0; i < n; i++)
		if (types[i]->kind == k)
			for (j = 0; j < types[i]->n; j++)
				all[at++] = types[i]->elems[j];
	rc = unify_list(all, total, unsafe, out);
	atmo__free(all);
	return rc;
}

/*
 * cty's unifyTuplesAsList / unifyObjectsAsMaps: the tuples (objects) as one
 * list (map) type, then everything unified with that in their place; *out
 * NULL when that is not a list (map).
 */
static int unify_as_collection(hcl_type *const *types, size_t n, hcl_type_kind k, int unsafe,
			       hcl_type **out)
{
	hcl_type *e = NULL, *c, **repl, *r = NULL;
	size_t i;
	hcl_type_kind want = k == HCL_T_TUPLE ? HCL_T_LIST : HCL_T_MAP;

	*out = NULL;
	if (unify_members(types, n, k, unsafe, &e) < 0)
		return -1;
	if (!e)
		return 0;
	c = want == HCL_T_LIST ? hcl_type_list(e) : hcl_type_map(e);
	repl = atmo__malloc(n * sizeof(*repl), NULL);
	if (!c || !repl) {
		hcl_type_unref(c);
		atmo__free(repl);
		return -1;
	}
	for (i = 0; i < n; i++)
		repl[i] = types[i]->kind == k ? c : types[i];
	if (unify_list(repl, n, unsafe, &r) < 0) {
		hcl_type_unref(c);
		atmo__free(repl);
		return -1;
	}
	hcl_type_unref(c);
	atmo__free(repl);
	if (r && r->kind == want)
		*out = r;
	else
		hcl_type_unref(r);
	return 0;
}

/* unify_list: 0 with *out (NULL when no common type), -1 out of memory */
static int unify_list(hcl_type *const *types, size_t n, int unsafe, hcl_type **out)
{
	size_t i, j, cnt[HCL_T_OBJECT + 1] = { 0 }, ndyn;
	hcl_type_kind k;
	int same_kind = 0;

	*out = NULL;
	if (n == 0)
		return 0;
	for (i = 1; i < n && type_eq(types[i], types[0]); i++)
		;
	if (i == n) {
		*out = type_without_optional(types[0]);
		return *out ? 0 : -1;
	}
	for (i = 0; i < n; i++)
		cnt[types[i]->kind]++;
	ndyn = cnt[HCL_T_DYNAMIC];
	for (k = HCL_T_LIST; k <= HCL_T_OBJECT; k++) {
		if (cnt[k] && cnt[k] + ndyn == n) {
			/* a dynamic among collections: cty cannot predict the result */
			if (ndyn) {
				*out = hcl_type_dynamic();
				return 0;
			}
			same_kind = 1;
			break;
		}
	}
	if (!same_kind) {
		if (cnt[HCL_T_MAP] && cnt[HCL_T_MAP] + cnt[HCL_T_OBJECT] + ndyn == n) {
			if (unify_as_collection(types, n, HCL_T_OBJECT, unsafe, out) < 0)
				return -1;
			if (*out)
				return 0;
		} else if (cnt[HCL_T_LIST] && cnt[HCL_T_LIST] + cnt[HCL_T_TUPLE] + ndyn == n) {
			if (unify_as_collection(types, n, HCL_T_TUPLE, unsafe, out) < 0)
				return -1;
			if (*out)
				return 0;
		} else if (cnt[HCL_T_OBJECT] && cnt[HCL_T_TUPLE]) {
			return 0;
		}
		goto general;
	}
	k = types[0]->kind;

	if (same_kind && (k == HCL_T_LIST || k == HCL_T_SET || k == HCL_T_MAP)) {
		hcl_type **elems = atmo__malloc(n * sizeof(*elems), NULL);
		hcl_type *e = NULL;
		if (!elems)
			return -1;
		for (i = 0; i < n; i++)
			elems[i] = types[i]->elem;
		if (unify_list(elems, n, unsafe, &e) < 0) {
			atmo__free(elems);
			return -1;
		}
		atmo__free(elems);
		if (!e)
			return 0;
		*out = k == HCL_T_LIST  ? hcl_type_list(e)
		       : k == HCL_T_SET ? hcl_type_set(e)
					: hcl_type_map(e);
		return *out ? 0 : -1;
	}
	if (same_kind && k == HCL_T_OBJECT) {
		int same_names = 1;
		for (i = 1; i < n && same_names; i++) {
			if (types[i]->n != types[0]->n)
				same_names = 0;
			for (j = 0; same_names && j < types[0]->n; j++)
				if (strcmp(types[i]->names[j], types[0]->names[j]) != 0)
					same_names = 0;
		}
		if (same_names) {
			size_t na = types[0]->n;
			hcl_type **attrs = atmo__calloc(na ? na : 1, sizeof(*attrs), NULL);
			hcl_type **col = atmo__malloc(n * sizeof(*col), NULL);
			int rc = 0;
			if (!attrs || !col) {
				atmo__free(attrs);
				atmo__free(col);
				return -1;
			}
			for (j = 0; j < na; j++) {
				for (i = 0; i < n; i++)
					col[i] = types[i]->elems[j];
				if (unify_list(col, n, unsafe, &attrs[j]) < 0)
					rc = -1;
				if (rc < 0 || !attrs[j])
					break;
			}
			atmo__free(col);
			if (rc == 0 && j == na)
				*out = hcl_type_object((const char *const *)types[0]->names, attrs,
						       NULL, na);
			else
				for (i = 0; i < na; i++)
					hcl_type_unref(attrs[i]);
			atmo__free(attrs);
			if (rc == 0 && j == na && !*out)
				rc = -1;
			return rc;
		}
	}
	if (same_kind && (k == HCL_T_OBJECT || k == HCL_T_TUPLE)) {
		/* different shapes: unify every attribute/element into one map/list element */
		size_t total = 0, at = 0;
		hcl_type **all, *e = NULL;
		int same_len = 1;
		for (i = 0; i < n; i++) {
			total += types[i]->n;
			if (types[i]->n != types[0]->n)
				same_len = 0;
		}
		if (k == HCL_T_TUPLE && same_len) {
			size_t ne = types[0]->n;
			hcl_type **elems = atmo__calloc(ne ? ne : 1, sizeof(*elems), NULL);
			hcl_type **col = atmo__malloc(n * sizeof(*col), NULL);
			int rc = 0;
			if (!elems || !col) {
				atmo__free(elems);
				atmo__free(col);
				return -1;
			}
			for (j = 0; j < ne; j++) {
				for (i = 0; i < n; i++)
					col[i] = types[i]->elems[j];
				if (unify_list(col, n, unsafe, &elems[j]) < 0)
					rc = -1;
				if (rc < 0 || !elems[j])
					break;
			}
			atmo__free(col);
			if (rc == 0 && j == ne) {
				*out = hcl_type_tuple(elems, ne);
				if (!*out)
					rc = -1;
			} else {
				for (i = 0; i < ne; i++)
					hcl_type_unref(elems[i]);
			}
			atmo__free(elems);
			return rc;
		}
		all = atmo__malloc((total ? total : 1) * sizeof(*all), NULL);
		if (!all)
			return -1;
		for (i = 0; i < n; i++)
			for (j = 0; j < types[i]->n; j++)
				all[at++] = types[i]->elems[j];
		if (unify_list(all, total, unsafe, &e) < 0) {
			atmo__free(all);
			return -1;
		}
		atmo__free(all);
		if (!e)
			return 0;
		*out = k == HCL_T_TUPLE ? hcl_type_list(e) : hcl_type_map(e);
		return *out ? 0 : -1;
	}
	return 0;
general:
	/* the first candidate every type converts to: string first, dynamic last (cty's sortTypes) */
	for (int pass = 0; pass < 3; pass++) {
		for (i = 0; i < n; i++) {
			const hcl_type *cand = types[i];
			int p = cand->kind == HCL_T_STRING    ? 0
				: cand->kind == HCL_T_DYNAMIC ? 2
							      : 1;
			if (p != pass)
				continue;
			for (j = 0; j < n; j++)
				if (!hcl__can_convert(types[j], cand, unsafe))
					break;
			if (j == n) {
				*out = type_without_optional(cand);
				return *out ? 0 : -1;
			}
		}
	}
	return 0;
}

hcl_type *hcl_type_unify(hcl_type *const *types, size_t n)
{
	hcl_type *out = NULL;
	size_t i;
	for (i = 0; i < n; i++)
		if (!types[i])
			return NULL; /* a constructor that ran out of memory */
	if (unify_list(types, n, 1, &out) < 0)
		return NULL;
	return out;
}

/* ---- value conversion ------------------------------------------------------ */

typedef struct {
	char *msg;
	size_t msglen;
	atmo_buf path;
	int failed;
} conv_state;

static hcl_value *fail(conv_state *st, const char *text)
{
	if (!st->failed) {
		snprintf(st->msg, st->msglen, "%s", text);
		st->failed = 1;
	}
	return NULL;
}

static hcl_value *fail_nomem(conv_state *st)
{
	return fail(st, "out of memory");
}

static hcl_type *type_without_optional(const hcl_type *t)
{
	size_t i;
	hcl_type *e, **elems;
	hcl_type *ret;

	switch (t->kind) {
	case HCL_T_LIST:
	case HCL_T_SET:
	case HCL_T_MAP:
		e = type_without_optional(t->elem);
		if (!e)
			return NULL;
		return t->kind == HCL_T_LIST  ? hcl_type_list(e)
		       : t->kind == HCL_T_SET ? hcl_type_set(e)
					      : hcl_type_map(e);
	case HCL_T_TUPLE:
	case HCL_T_OBJECT:
		elems = atmo__calloc(t->n ? t->n : 1, sizeof(*elems), NULL);
		if (!elems)
			return NULL;
		for (i = 0; i < t->n; i++) {
			elems[i] = type_without_optional(t->elems[i]);
			if (!elems[i]) {
				while (i--)
					hcl_type_unref(elems[i]);
				atmo__free(elems);
				return NULL;
			}
		}
		ret = t->kind == HCL_T_TUPLE
			      ? hcl_type_tuple(elems, t->n)
			      : hcl_type_object((const char *const *)t->names, elems, NULL, t->n);
		atmo__free(elems);
		return ret;
	default:
		return hcl_type_ref((hcl_type *)t);
	}
}

hcl_type *hcl__type_without_optional(const hcl_type *t)
{
	return type_without_optional(t);
}

/* cty's dynamicReplace: the parts of out that are dynamic take in's type */
static hcl_type *dynamic_replace(const hcl_type *in, const hcl_type *out)
{
	if (out->kind == HCL_T_DYNAMIC)
		return hcl_type_ref((hcl_type *)in);
	if (in->kind == HCL_T_DYNAMIC || !hcl_type_has_dynamic(out))
		return type_without_optional(out);
	if ((out->kind == HCL_T_LIST || out->kind == HCL_T_SET || out->kind == HCL_T_MAP) &&
	    (in->kind == HCL_T_LIST || in->kind == HCL_T_SET || in->kind == HCL_T_MAP)) {
		hcl_type *e = dynamic_replace(in->elem, out->elem);
		if (!e)
			return NULL;
		return out->kind == HCL_T_LIST  ? hcl_type_list(e)
		       : out->kind == HCL_T_SET ? hcl_type_set(e)
						: hcl_type_map(e);
	}
	return type_without_optional(out);
}

static size_t path_mark(conv_state *st)
{
	return st->path.len;
}

static void path_reset(conv_state *st, size_t mark)
{
	if (st->failed)
		return; /* keep the path of the failing element */
	st->path.len = mark;
	if (st->path.ptr)
		st->path.ptr[mark] = '\0';
}

static hcl_value *conv(hcl_value *v, const hcl_type *want, conv_state *st);

static hcl_value *conv_primitive(hcl_value *v, const hcl_type *want, conv_state *st)
{
	char buf[64];
	double d;

	switch (want->kind) {
	case HCL_T_STRING:
		if (v->type->kind == HCL_T_NUMBER) {
			hcl_number_format(v->u.num, buf, sizeof(buf));
			return hcl_cstring(buf);
		}
		if (v->type->kind == HCL_T_BOOL)
			return hcl_cstring(v->u.b ? "true" : "false");
		break;
	case HCL_T_NUMBER:
		if (v->type->kind == HCL_T_STRING) {
			if (hcl_number_parse(v->u.str.s, v->u.str.len, &d) < 0)
				return fail(st, "a number is required");
			return hcl_number(d);
		}
		break;
	case HCL_T_BOOL:
		if (v->type->kind == HCL_T_STRING) {
			if (strcmp(v->u.str.s, "true") == 0 || strcmp(v->u.str.s, "1") == 0)
				return hcl_bool(1);
			if (strcmp(v->u.str.s, "false") == 0 || strcmp(v->u.str.s, "0") == 0)
				return hcl_bool(0);
			return fail(st, "a bool is required");
		}
		break;
	default:
		break;
	}
	return fail(st, "unsupported conversion");
}

/* convert n items (borrowed) each to ety (or to their own type's per-index target) */
static hcl_value **conv_items(hcl_value *const *items, size_t n, const hcl_type *ety,
			      hcl_type *const *etys, conv_state *st, const char *const *keys)
{
	hcl_value **out = atmo__calloc(n ? n : 1, sizeof(*out), NULL);
	size_t i, mark = path_mark(st);

	if (!out) {
		fail_nomem(st);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (keys)
			atmo__buf_printf(&st->path, "[\"%s\"]", keys[i]);
		else
			atmo__buf_printf(&st->path, "[%zu]", i);
		out[i] = conv(items[i], etys ? etys[i] : ety, st);
		if (!out[i]) {
			while (i--)
				hcl_value_unref(out[i]);
			atmo__free(out);
			return NULL;
		}
		path_reset(st, mark);
	}
	return out;
}

static void free_items(hcl_value **items, size_t n)
{
	size_t i;
	if (!items)
		return;
	for (i = 0; i < n; i++)
		hcl_value_unref(items[i]);
	atmo__free(items);
}

/* the element type a sequence of converted items has, for a target element type ety;
 * 0 ok, -1 out of memory, 1 the items have no common type */
static int result_elem_type(hcl_value **items, size_t n, const hcl_type *ety, hcl_type **out)
{
	*out = NULL;
	if (hcl_type_has_dynamic(ety) && n > 0) {
		hcl_type **ts = atmo__malloc(n * sizeof(*ts), NULL);
		size_t i;
		int rc;
		if (!ts)
			return -1;
		for (i = 0; i < n; i++)
			ts[i] = items[i]->type;
		rc = unify_list(ts, n, 1, out);
		atmo__free(ts);
		if (rc < 0)
			return -1;
		return *out ? 0 : 1;
	}
	*out = type_without_optional(ety);
	return *out ? 0 : -1;
}

static hcl_value *make_collection(hcl_type_kind kind, hcl_value **items, size_t n,
				  const char *const *keys, const hcl_type *ety, conv_state *st)
{
	hcl_type *rt = NULL;
	size_t i;
	int u = result_elem_type(items, n, ety, &rt);

	if (u != 0) {
		free_items(items, n);
		/* cty's message when converted elements of a dynamic element type disagree */
		return u < 0 ? fail_nomem(st) : fail(st, "collection elements cannot be unified");
	}
	/* a dynamic element type unified: make every item that type */
	if (hcl_type_has_dynamic(ety) && n > 0) {
		for (i = 0; i < n; i++) {
			if (!type_eq(items[i]->type, rt)) {
				hcl_value *c = conv(items[i], rt, st);
				hcl_value_unref(items[i]);
				items[i] = c;
				if (!c) {
					free_items(items, n);
					hcl_type_unref(rt);
					return NULL;
				}
			}
		}
	}
	hcl_value *r;
	if (kind == HCL_T_LIST)
		r = hcl_list(rt, items, n);
	else if (kind == HCL_T_SET)
		r = hcl_set(rt, items, n);
	else
		r = hcl_map(rt, keys, items, n);
	atmo__free(items);
	if (!r)
		return fail_nomem(st);
	return r;
}

static hcl_value *conv_known(hcl_value *v, const hcl_type *want, conv_state *st)
{
	const hcl_type *in = v->type;
	hcl_value **items;
	size_t i;

	if (is_primitive(want))
		return conv_primitive(v, want, st);

	switch (want->kind) {
	case HCL_T_LIST:
	case HCL_T_SET:
		if (in->kind == HCL_T_LIST || in->kind == HCL_T_SET || in->kind == HCL_T_TUPLE) {
			const hcl_type *ety = want->elem;
			hcl_type *uni = NULL;
			if (in->kind == HCL_T_TUPLE && ety->kind == HCL_T_DYNAMIC && in->n > 0) {
				if (unify_list(in->elems, in->n, 1, &uni) < 0)
					return fail_nomem(st);
				if (!uni)
					return fail(st, want->kind == HCL_T_LIST
								? "all list elements must have the "
								  "same type"
								: "all set elements must have the "
								  "same type");
				ety = uni;
			}
			items = conv_items(v->u.seq.items, v->u.seq.n, ety, NULL, st, NULL);
			if (!items) {
				hcl_type_unref(uni);
				return NULL;
			}
			hcl_value *r =
				make_collection(want->kind, items, v->u.seq.n, NULL, ety, st);
			hcl_type_unref(uni);
			return r;
		}
		break;
	case HCL_T_MAP:
		if (in->kind == HCL_T_MAP || in->kind == HCL_T_OBJECT) {
			const hcl_type *ety = want->elem;
			hcl_type *uni = NULL;
			if (in->kind == HCL_T_OBJECT && ety->kind == HCL_T_DYNAMIC && in->n > 0) {
				if (unify_list(in->elems, in->n, 1, &uni) < 0)
					return fail_nomem(st);
				if (!uni)
					return fail(st, "all map elements must have the same type");
				ety = uni;
			}
			items = conv_items(v->u.obj.vals, v->u.obj.n, ety, NULL, st,
					   (const char *const *)v->u.obj.keys);
			if (!items) {
				hcl_type_unref(uni);
				return NULL;
			}
			hcl_value *r = make_collection(HCL_T_MAP, items, v->u.obj.n,
						       (const char *const *)v->u.obj.keys, ety, st);
			hcl_type_unref(uni);
			return r;
		}
		break;
	case HCL_T_TUPLE:
		if (in->kind == HCL_T_TUPLE && in->n == want->n) {
			items = conv_items(v->u.seq.items, v->u.seq.n, NULL, want->elems, st, NULL);
			if (!items)
				return NULL;
			hcl_value *r = hcl_tuple(items, want->n);
			atmo__free(items);
			return r ? r : fail_nomem(st);
		}
		break;
	case HCL_T_OBJECT:
		if (in->kind == HCL_T_OBJECT || in->kind == HCL_T_MAP) {
			hcl_value **vals = atmo__calloc(want->n ? want->n : 1, sizeof(*vals), NULL);
			size_t mark = path_mark(st);
			if (!vals)
				return fail_nomem(st);
			for (i = 0; i < want->n; i++) {
				hcl_value *src = hcl_value_get(v, want->names[i]);
				if (!src) {
					if (!attr_optional(want, i) && in->kind == HCL_T_MAP) {
						char m[300];
						snprintf(m, sizeof(m),
							 "map has no element for required "
							 "attribute \"%s\"",
							 want->names[i]);
						fail(st, m);
						free_items(vals, i);
						return NULL;
					}
					if (!attr_optional(want, i)) {
						char m[300];
						snprintf(m, sizeof(m),
							 "attribute \"%s\" is required",
							 want->names[i]);
						fail(st, m);
						free_items(vals, i);
						return NULL;
					}
					hcl_type *nt = type_without_optional(want->elems[i]);
					vals[i] = nt ? hcl_null(nt) : NULL;
					if (!vals[i]) {
						free_items(vals, i);
						return fail_nomem(st);
					}
					continue;
				}
				if (in->kind == HCL_T_MAP)
					atmo__buf_printf(&st->path, "[\"%s\"]", want->names[i]);
				else
					atmo__buf_printf(&st->path, ".%s", want->names[i]);
				vals[i] = conv(src, want->elems[i], st);
				if (!vals[i]) {
					free_items(vals, i);
					return NULL;
				}
				path_reset(st, mark);
			}
			hcl_value *r = hcl_object((const char *const *)want->names, vals, want->n);
			atmo__free(vals);
			return r ? r : fail_nomem(st);
		}
		break;
	default:
		break;
	}
	{
		atmo_buf b = ATMO_BUF_INIT;
		hcl_value *r;
		mismatch(in, want, &b);
		r = fail(st, b.oom ? "out of memory" : atmo__buf_cstr(&b));
		atmo__buf_free(&b);
		return r;
	}
}

static hcl_value *conv(hcl_value *v, const hcl_type *want, conv_state *st)
{
	if (type_eq(v->type, want))
		return hcl_value_ref(v);
	if (want->kind == HCL_T_DYNAMIC)
		return hcl_value_ref(v);
	if (!hcl__can_convert(v->type, want, 1)) {
		atmo_buf b = ATMO_BUF_INIT;
		hcl_value *r;
		mismatch(v->type, want, &b);
		r = fail(st, b.oom ? "out of memory" : atmo__buf_cstr(&b));
		atmo__buf_free(&b);
		return r;
	}
	if (v->is_unknown || v->is_null) {
		hcl_type *t = dynamic_replace(v->type, want);
		hcl_value *r;
		if (!t)
			return fail_nomem(st);
		r = v->is_unknown ? hcl_unknown(t) : hcl_null(t);
		return r ? r : fail_nomem(st);
	}
	return conv_known(v, want, st);
}

hcl_value *hcl_convert(hcl_value *v, const hcl_type *want, char *msg, size_t msglen, char *path_out,
		       size_t pathlen)
{
	char dummy[8];
	conv_state st;
	hcl_value *r;

	memset(&st, 0, sizeof(st));
	st.msg = msg && msglen ? msg : dummy;
	st.msglen = msg && msglen ? msglen : sizeof(dummy);
	st.msg[0] = '\0';
	if (path_out && pathlen)
		path_out[0] = '\0';
	/* the path starts empty but non-NULL; a NULL v or want is a constructor
	   that ran out of memory (they pass NULL on, so calls can nest) */
	if (!v || !want || atmo__buf_puts(&st.path, "") < 0) {
		snprintf(st.msg, st.msglen, "out of memory");
		return NULL;
	}
	r = conv(v, want, &st);
	if (!r && !st.failed)
		snprintf(st.msg, st.msglen, "out of memory");
	if (!r && path_out && pathlen)
		snprintf(path_out, pathlen, "%s", atmo__buf_cstr(&st.path));
	atmo__buf_free(&st.path);
	return r;
}
