/*
 * Internal: the HCL language (hashicorp/hcl v2): native syntax and JSON
 * syntax read into one body model, expressions evaluated over hcl_value.
 * The bake reader (graph/bake_*.c) is the one user; it supplies variables and
 * functions lazily through callbacks, as buildx's hclparser does.
 *
 * Positions are as HCL's: line and column 1-based, column counted in
 * characters, byte offset 0-based. A range prints as HCL prints it
 * ("docker-bake.hcl:9,14-17", or "f:1,2-3,4" across lines).
 */
#ifndef ATMO_HCL_HCL_H
#define ATMO_HCL_HCL_H

#include <stddef.h>
#include "atmograph/common.h"
#include "hcl/value.h"

typedef struct hcl_pos {
	int line, column;
	long byte;
} hcl_pos;

typedef struct hcl_range {
	const char *filename; /* borrowed from the hcl_file */
	hcl_pos start, end;
} hcl_range;

/* Format a range as HCL's Range.String() does, into buf; returns buf. */
char *hcl_range_format(const hcl_range *r, char *buf, size_t n);

/* A diagnostic: HCL's summary ("Invalid expression") and detail. */
typedef struct hcl_diag {
	int code; /* ATMO_E*: ATMO_EINVALID for syntax and evaluation errors */
	hcl_range subject;
	char summary[128];
	char detail[768];
	/* HCL reports every diagnostic (hcl.Diagnostics); this is the first, and
	 * n_more counts the others, which buildx prints as ", and N other
	 * diagnostic(s)" after it (hcl.Diagnostics.Error()). */
	size_t n_more;
} hcl_diag;

/*
 * Record a diag into an atmo_error: source = filename, line/column = start,
 * offset = start byte, text = "SUMMARY; DETAIL" (as buildx prints HCL errors
 * after the range, then ", and N other diagnostic(s)" when n_more is set).
 * The first error recorded wins. Returns the diag's code.
 */
int hcl_diag_to_error(const hcl_diag *d, atmo_error *err);

/* ", and N other diagnostic(s)" when d->n_more, else "", into buf; returns buf. */
char *hcl_diag_more(const hcl_diag *d, char *buf, size_t n);

/* ---- the body model ------------------------------------------------------- */

typedef struct hcl_expr hcl_expr; /* opaque: an expression (native or JSON) */
typedef struct hcl_body hcl_body;

typedef struct hcl_attr {
	const char *name;
	hcl_expr *expr;
	hcl_range range; /* the whole "name = expr" */
	hcl_range name_range;
} hcl_attr;

typedef struct hcl_block {
	const char *type;
	const char *const *labels;
	size_t n_labels;
	hcl_range *label_ranges;
	hcl_body *body;
	hcl_range type_range;
	hcl_range range; /* DefRange as HCL: type and labels */
} hcl_block;

struct hcl_body {
	hcl_attr *attrs; /* in source order */
	size_t n_attrs;
	hcl_block *blocks; /* in source order */
	size_t n_blocks;
	hcl_range range;
};

typedef struct hcl_file hcl_file; /* owns every node (one arena) and the source text */

/* The root body (borrowed) and the file name. */
hcl_body *hcl_file_body(const hcl_file *f);
const char *hcl_file_name(const hcl_file *f);
void hcl_file_free(hcl_file *f);

/*
 * Parse the native syntax (hclsyntax/spec.md). Limits: nesting depth 256 and
 * an input of at most 64 MiB give ATMO_ELIMIT. Returns 0, or an error code
 * with *diag filled with the first error (HCL's own summary/detail where it
 * has one); on error *out is NULL and diag->subject.filename is the caller's
 * filename. String literals are NFC-normalized, as HCL does.
 */
int hcl_parse(hcl_file **out, const char *src, size_t len, const char *filename, hcl_diag *diag);

/*
 * JSON syntax (json/spec.md): whether a property is an attribute or a block
 * depends on the caller's schema, as in HCL, so the schema is given here.
 * A block type with n_labels labels nests that many JSON object levels; an
 * array of objects is several blocks. Properties not named as block types
 * are attributes. Strings are templates (${...} evaluated), "//" keys are
 * comments as in HCL's JSON syntax.
 */
typedef struct hcl_json_schema hcl_json_schema;
typedef struct hcl_json_block_spec {
	const char *type;
	size_t n_labels;
	const hcl_json_schema *body; /* schema of the block's body, NULL: attributes only */
} hcl_json_block_spec;
struct hcl_json_schema {
	const hcl_json_block_spec *blocks;
	size_t n_blocks;
};
int hcl_parse_json(hcl_file **out, const char *src, size_t len, const char *filename,
		   const hcl_json_schema *schema, hcl_diag *diag);

/* ---- expressions -------------------------------------------------------- */

hcl_range hcl_expr_range(const hcl_expr *e);

/* One static step after a root name: .name, [literal] */
typedef struct hcl_step {
	enum { HCL_STEP_ATTR, HCL_STEP_INDEX } kind;
	const char *name; /* attr */
	hcl_value *key;   /* index: the literal key (borrowed) */
	hcl_range range;
} hcl_step;

typedef struct hcl_traversal {
	const char *root;
	const hcl_step *steps;
	size_t n_steps;
	hcl_range range; /* of the whole traversal */
} hcl_traversal;

/*
 * HCL's Variables(): every traversal in e whose root is not bound by the
 * expression itself (for-expression variables are excluded), in source
 * order. cb returns 0 to go on, non-zero to stop (that value is returned).
 */
int hcl_expr_variables(const hcl_expr *e, int (*cb)(const hcl_traversal *t, void *payload),
		       void *payload);

/*
 * 1 when the expression is a bare name (HCL's hcl.ExprAsKeyword): *name set
 * (borrowed). true, false and null count as names, as in HCL; so does a
 * JSON-syntax string without template sequences; a parenthesised object
 * key does not.
 */
int hcl_expr_as_keyword(const hcl_expr *e, const char **name);
/* HCL's ExprList: a tuple constructor's elements; 0 ok, -1 not a tuple constructor */
int hcl_expr_list(const hcl_expr *e, hcl_expr ***items, size_t *n);
/* HCL's ExprMap: an object constructor's key/value expressions */
int hcl_expr_map(const hcl_expr *e, hcl_expr ***keys, hcl_expr ***vals, size_t *n);

/* ---- evaluation ----------------------------------------------------------- */

/* A function the evaluator may call (stdlib or user-defined). */
typedef struct hcl_func_error {
	int arg; /* index of the argument at fault, -1: the call */
	char msg[512];
} hcl_func_error;

typedef struct hcl_param {
	const char *name;
	hcl_type *type; /* after conversion the argument has this type; dynamic: any */
	unsigned allow_null : 1, allow_unknown : 1, allow_dynamic : 1;
} hcl_param;

typedef struct hcl_func {
	const char *name;
	const hcl_param *params;
	size_t n_params;
	const hcl_param *varparam; /* NULL: no variadic parameter */
	/* args: converted to the parameter types, borrowed. *out: new reference. 0 ok, -1 error in *e */
	int (*impl)(void *payload, hcl_value *const *args, size_t n, hcl_value **out,
		    hcl_func_error *e);
	void *payload;
} hcl_func;

/* The scope an expression is evaluated in. */
typedef struct hcl_ctx hcl_ctx;
struct hcl_ctx {
	/*
	 * A root name: return 0 with *out a new reference to its value (the
	 * evaluator applies the traversal's steps itself), 1 when the name is
	 * unknown here (the parent scope is asked, then "Unknown variable"), or
	 * -1 with *diag filled (e.g. a cycle). t is the whole traversal, so a
	 * caller can resolve only what `target.x.tags` needs.
	 */
	int (*lookup)(void *payload, const hcl_traversal *t, hcl_value **out, hcl_diag *diag);
	/* A function by name: 0 with *out filled (borrowed until the evaluation ends), 1 unknown, -1 *diag */
	int (*func)(void *payload, const char *name, const hcl_func **out, hcl_diag *diag);
	void *payload;
	const hcl_ctx *parent;
	/* limits: bytes one string value may hold (0: 1 MiB) and the evaluation budget (0: 64 MiB in all) */
	size_t max_string;
	size_t budget;
};

/*
 * Evaluate e in ctx (try() and can() included: they take expressions). *out
 * is a new reference. Returns 0, or an error code with *diag (HCL's
 * summary/detail and the subject range: "Unsupported attribute", "Invalid
 * function argument", "Unknown variable", ...). A string longer than
 * max_string ("String too long") or an evaluation past its budget
 * ("Evaluation too expensive") gives ATMO_ELIMIT.
 *
 * JSON-syntax strings with ctx NULL are literal, as in HCL ("${x}" stays).
 * Scopes: a name no scope's lookup knows is "Unknown variable"; a function
 * no scope's func knows is taken from hcl_stdlib_lookup() (so a ctx without
 * func has the whole standard library). ctx NULL: no variables ("Variables
 * not allowed") and no functions ("Function calls not allowed"), as HCL with
 * a nil EvalContext. The limits are the first non-zero ones up the parents.
 * As in HCL, a conditional evaluates both arms (only the chosen arm's errors
 * count) and && / || stop at a left side that decides.
 */
int hcl_eval(const hcl_expr *e, const hcl_ctx *ctx, hcl_value **out, hcl_diag *diag);

/*
 * A type constraint expression, as variable "type" and function params use
 * it (HCL's ext/typeexpr): string, number, bool, any, list(T), set(T),
 * map(T), tuple([T...]), object({k=T}), optional(T) inside object.
 */
int hcl_eval_type(const hcl_expr *e, hcl_type **out, hcl_diag *diag);

/* ---- the standard library (bake-stdlib.md) ------------------------------- */

/* The bake function of that name (borrowed, static), NULL when none. */
const hcl_func *hcl_stdlib_lookup(const char *name);
/* All names, sorted (for "did you mean" and docs). */
size_t hcl_stdlib_count(void);
const char *hcl_stdlib_name(size_t i);

/*
 * Call f: converts each argument to its parameter's type (an error naming the
 * parameter as cty does: 'Invalid value for "str" parameter: string
 * required.'), rejects null/unknown where the parameter does not allow them
 * (unknown arguments give an unknown result), then calls impl. Used by the
 * evaluator and by tests.
 */
int hcl_func_call(const hcl_func *f, hcl_value *const *args, size_t n, hcl_value **out,
		  hcl_func_error *e);

#endif
