/*
 * Internal to the HCL module: helpers shared by convert.c, func.c and the
 * stdlib_*.c files, and the per-topic function tables.
 */
#ifndef ATMO_HCL_STDLIB_INT_H
#define ATMO_HCL_STDLIB_INT_H

#include <stddef.h>
#include "hcl/hcl.h"
#include "hcl/value.h"
#include "util/buf.h"
#include "util/error.h"

/* ---- convert.c ---------------------------------------------------------- */

/* cty's GetConversion (unsafe = 0) / GetConversionUnsafe (1) at type level */
int hcl__can_convert(const hcl_type *in, const hcl_type *out, int unsafe);
/* cty's MismatchMessage(got, want), appended to b */
void hcl__mismatch_message(const hcl_type *got, const hcl_type *want, atmo_buf *b);
/* FriendlyName (constraint 0) or FriendlyNameForConstraint (1), appended to b */
void hcl__type_name(const hcl_type *t, atmo_buf *b, int constraint);
/* t without optional attribute marks, deep; new reference, NULL out of memory */
hcl_type *hcl__type_without_optional(const hcl_type *t);

/* ---- func.c: errors from implementations -------------------------------- */

/* Fill e (arg index or -1) with a message; returns -1 for `return hcl__fail(...)`. */
int hcl__fail(hcl_func_error *e, int arg, const char *fmt, ...) ATMO_PRINTF(3, 4);
int hcl__nomem(hcl_func_error *e);
/* *out = v, or an out-of-memory error when v is NULL */
int hcl__ret(hcl_value **out, hcl_value *v, hcl_func_error *e);
/* a string value from a buffer (taken), or out of memory */
int hcl__ret_buf(hcl_value **out, atmo_buf *b, hcl_func_error *e);

/* ---- value helpers (stdlib_util.c) ---------------------------------------- */

/* list/set/tuple: 1 */
int hcl__is_seq(const hcl_type *t);
/* The whole number in v (a known number): 0, or -1 when not whole / out of range */
int hcl__whole(const hcl_value *v, long long *out);
/* cty's Equals as a value (known bool, or unknown bool when either side is unknown) */
hcl_value *hcl__equals(hcl_value *a, hcl_value *b);
/* a list of elem from items (stolen); elem taken as a new reference internally */
hcl_value *hcl__list_of(const hcl_type *elem, hcl_value **items, size_t n);
/* the common type of n values (unify); NULL: none; new reference */
hcl_type *hcl__unify_values(hcl_value *const *vals, size_t n);
/* convert every value to t; NULL out of memory or failure (msg set) */
hcl_value *hcl__convert_to(hcl_value *v, const hcl_type *t, hcl_func_error *e, int arg);

/* ---- stdlib_strings.c: characters as cty counts them (grapheme clusters) ---- */

/* bytes of the grapheme cluster at s (n > 0) */
size_t hcl__grapheme(const char *s, size_t n);
size_t hcl__grapheme_count(const char *s, size_t n);

/* ---- stdlib_encoding.c: JSON as cty marshals and unmarshals it ------------ */

/* Go's compact encoding/json text of a wholly known value (keys sorted, <>& escaped) */
int hcl__json_encode(const hcl_value *v, atmo_buf *b);
/* JSON text to a value (objects, tuples); 0, -1 syntax error (Go-like msg), -2 out of memory */
int hcl__json_decode(const char *s, size_t n, hcl_value **out, char *msg, size_t msglen);

/* ---- stdlib_misc.c ----------------------------------------------------------- */

/*
 * HCL's convert(value, type) once the evaluator has read the type expression
 * (hcl_eval_type): *out a new reference, or -1 with e as hcl_func_call leaves
 * it (e->arg 0, 'Invalid value for "value" parameter: MSG.'). An unknown
 * value gives an unknown of the type.
 */
int hcl__stdlib_convert(hcl_value *v, const hcl_type *t, hcl_value **out, hcl_func_error *e);

/*
 * Go's encoding/csv Reader.ReadAll (comma ',', strict quotes): a tuple of
 * records, each a tuple of strings. 0 ok, -1 with Go's ParseError text in
 * msg ("parse error on line 1, column 9: bare \" in non-quoted-field",
 * "record on line 2: wrong number of fields"), -2 out of memory.
 */
int hcl__csv_read(const char *s, size_t n, hcl_value **out, char *msg, size_t msglen);

/* ---- the function tables -------------------------------------------------- */

/* Each topic file exports its functions as one array of hcl_func. */
extern const hcl_func hcl__fn_strings[];
extern const size_t hcl__fn_strings_n;
extern const hcl_func hcl__fn_collections[];
extern const size_t hcl__fn_collections_n;
extern const hcl_func hcl__fn_numeric[];
extern const size_t hcl__fn_numeric_n;
extern const hcl_func hcl__fn_encoding[];
extern const size_t hcl__fn_encoding_n;
extern const hcl_func hcl__fn_time[];
extern const size_t hcl__fn_time_n;
extern const hcl_func hcl__fn_net[];
extern const size_t hcl__fn_net_n;
extern const hcl_func hcl__fn_regex[];
extern const size_t hcl__fn_regex_n;
extern const hcl_func hcl__fn_format[];
extern const size_t hcl__fn_format_n;
extern const hcl_func hcl__fn_misc[];
extern const size_t hcl__fn_misc_n;

/* Parameter helpers for the tables (types are static primitives or built once per call). */
#define HCL__P(nm, ty)                                                                             \
	{                                                                                          \
		.name = (nm), .type = (ty)                                                         \
	}
#define HCL__PN(nm, ty)                                                                            \
	{                                                                                          \
		.name = (nm), .type = (ty), .allow_null = 1                                        \
	}
#define HCL__PU(nm, ty)                                                                            \
	{                                                                                          \
		.name = (nm), .type = (ty), .allow_unknown = 1                                     \
	}
#define HCL__PNU(nm, ty)                                                                           \
	{                                                                                          \
		.name = (nm), .type = (ty), .allow_null = 1, .allow_unknown = 1                    \
	}

/*
 * The types used in parameter tables. Primitive types are static constants in
 * value.c; collection types of primitives are needed too ("list of string"),
 * so they are static constants here (refcount 0 never changes).
 */
extern const hcl_type hcl__t_string, hcl__t_number, hcl__t_bool, hcl__t_dynamic;
extern const hcl_type hcl__t_list_string, hcl__t_list_dynamic, hcl__t_set_dynamic,
	hcl__t_map_dynamic, hcl__t_list_number, hcl__t_map_string;

#define HCL__T(x) ((hcl_type *)&hcl__t_##x)
#define HCL__STR HCL__T(string)
#define HCL__NUM HCL__T(number)
#define HCL__BOOL HCL__T(bool)
#define HCL__DYN HCL__T(dynamic)


#endif
