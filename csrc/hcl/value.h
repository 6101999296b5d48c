/*
 * Internal: HCL values and types, modelled on go-cty (the value system HCL and
 * buildx bake use): every value has a type; null and unknown values are typed.
 *
 * Values and types are immutable and reference counted: a function that
 * returns a new reference says so; "steals" means the callee takes over the
 * caller's reference (also when it fails). Primitive types are static
 * constants (refcount operations ignore them), so no global state is needed.
 *
 * Numbers are doubles (cty uses big floats; bake files only need integers and
 * short decimals); hcl_number_format() writes them as cty does ("1", "1.5",
 * "100000000000000000000").
 */
#ifndef ATMO_HCL_VALUE_H
#define ATMO_HCL_VALUE_H

#include <stddef.h>

typedef enum {
	HCL_T_DYNAMIC = 0, /* "any": a type constraint, or the type of an unknown/null of no type */
	HCL_T_STRING,
	HCL_T_NUMBER,
	HCL_T_BOOL,
	HCL_T_LIST,
	HCL_T_SET,
	HCL_T_MAP,
	HCL_T_TUPLE,
	HCL_T_OBJECT
} hcl_type_kind;

typedef struct hcl_type hcl_type;
struct hcl_type {
	hcl_type_kind kind;
	unsigned refs;    /* 0 for the static primitive types */
	hcl_type *elem;   /* list, set, map: the element type */
	size_t n;         /* tuple: element count; object: attribute count */
	hcl_type **elems; /* tuple: element types; object: attribute types (by names[]) */
	char **names;     /* object: attribute names, sorted bytewise, unique */
	unsigned char *
		optional; /* object type constraints only: per attribute, 1 when optional(...); NULL when none */
};

typedef struct hcl_value hcl_value;
struct hcl_value {
	unsigned refs;
	hcl_type *type; /* owned reference */
	unsigned char is_null;
	unsigned char is_unknown;
	/* values in this one, itself included, counting shared parts each time
	 * they appear (saturates at SIZE_MAX): set by the constructors, so that
	 * the evaluator can refuse [V, V]-style doubling before anyone walks it */
	size_t weight;
	union {
		int b;      /* bool */
		double num; /* number */
		struct {
			char *s;
			size_t len;
		} str; /* string: UTF-8, NUL-terminated, NFC as written */
		struct {
			hcl_value **items;
			size_t n;
		} seq; /* list, set (sorted, unique), tuple */
		struct {
			char **keys;
			hcl_value **vals;
			size_t n;
		} obj; /* map, object: keys sorted bytewise */
	} u;
};

/* ---- types ---------------------------------------------------------------- */

/* Static primitive types (no reference needed). */
hcl_type *hcl_type_string(void);
hcl_type *hcl_type_number(void);
hcl_type *hcl_type_bool(void);
hcl_type *hcl_type_dynamic(void);

/* New collection / structural types. elem, elems are stolen. NULL when out of memory. */
hcl_type *hcl_type_list(hcl_type *elem);
hcl_type *hcl_type_set(hcl_type *elem);
hcl_type *hcl_type_map(hcl_type *elem);
hcl_type *hcl_type_tuple(hcl_type **elems, size_t n);
/* names are copied and sorted together with their types; optional may be NULL */
hcl_type *hcl_type_object(const char *const *names, hcl_type **types, const unsigned char *optional,
			  size_t n);

hcl_type *hcl_type_ref(hcl_type *t);
void hcl_type_unref(hcl_type *t);
int hcl_type_equal(const hcl_type *a, const hcl_type *b);
/* 1 when t contains HCL_T_DYNAMIC anywhere */
int hcl_type_has_dynamic(const hcl_type *t);
/* cty's FriendlyName: "string", "list of string", "map of number", "tuple",
 * "object", "dynamic"; into buf, returns buf */
char *hcl_type_friendly(const hcl_type *t, char *buf, size_t n);
/* cty's GoString-like type expression as HCL writes it: "list(string)",
 * "object({a=string})"; into buf, returns buf */
char *hcl_type_expr(const hcl_type *t, char *buf, size_t n);

/* ---- values --------------------------------------------------------------- */

hcl_value *hcl_value_ref(hcl_value *v);
void hcl_value_unref(hcl_value *v);

hcl_value *hcl_string(const char *s, size_t len); /* copies */
hcl_value *hcl_string_take(char *s, size_t len);  /* steals s (atmo__malloc'd, NUL-terminated) */
hcl_value *hcl_cstring(const char *s);
hcl_value *hcl_number(double d);
hcl_value *hcl_bool(int b);
hcl_value *hcl_null(hcl_type *t);    /* steals t (NULL: dynamic) */
hcl_value *hcl_unknown(hcl_type *t); /* steals t (NULL: dynamic) */

/* Items / values and the elem type are stolen (also on failure). */
hcl_value *hcl_tuple(hcl_value **items, size_t n);
hcl_value *hcl_list(hcl_type *elem, hcl_value **items,
		    size_t n); /* items must already be of type elem */
hcl_value *hcl_set(hcl_type *elem, hcl_value **items, size_t n); /* sorts and removes duplicates */
/* keys are copied; values stolen; sorted by key; a duplicate key: the last wins */
hcl_value *hcl_object(const char *const *keys, hcl_value **vals, size_t n);
hcl_value *hcl_map(hcl_type *elem, const char *const *keys, hcl_value **vals, size_t n);

int hcl_value_is_known(const hcl_value *v); /* not unknown, recursively */
int hcl_value_is_wholly_known(const hcl_value *v);
/* object/map attribute by key (borrowed), NULL when absent */
hcl_value *hcl_value_get(const hcl_value *v, const char *key);
/* list/set/tuple length, object/map key count */
size_t hcl_value_length(const hcl_value *v);

/* cty's Equals for known values (1/0); type must match exactly for collections */
int hcl_value_equal(const hcl_value *a, const hcl_value *b);
/* cty's RawEquals: same type and value, nulls and unknowns included */
int hcl_value_raw_equal(const hcl_value *a, const hcl_value *b);

/* cty number -> string: integers without exponent or point, others shortest round-trip. */
char *hcl_number_format(double d, char *buf, size_t n);
/* Parse a cty number from a string as cty's string->number conversion does; 0 ok, -1 invalid. */
int hcl_number_parse(const char *s, size_t len, double *out);

/* ---- conversion (go-cty/cty/convert) --------------------------------------- */

/*
 * Convert v to type want as cty's convert.Convert does (safe and unsafe
 * conversions: string<->number, string<->bool, tuple->list/set, object->map,
 * list<->set, nested; unify element types for a dynamic element; null and
 * unknown keep their state with the new type).
 * Returns a new reference, or NULL with a message like cty's
 * ("a number is required", "string required", "attribute \"x\" is required")
 * written into msg (and *path_out, when not NULL, an "[0].x" style path to
 * the failing element, "" at the top). v or want NULL (a constructor that
 * ran out of memory): NULL with "out of memory".
 */
hcl_value *hcl_convert(hcl_value *v, const hcl_type *want, char *msg, size_t msglen, char *path_out,
		       size_t pathlen);

/* cty's convert.UnifyUnsafe over n types: the common type, or NULL when none. New reference. */
hcl_type *hcl_type_unify(hcl_type *const *types, size_t n);

#endif
