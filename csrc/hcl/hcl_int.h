/*
 * Internal to csrc/hcl: the expression tree shared by the parsers (native
 * and JSON) and the evaluator. Every node lives in its file's arena; literal
 * values are owned by the file (released by hcl_file_free).
 */
#ifndef ATMO_HCL_HCL_INT_H
#define ATMO_HCL_HCL_INT_H

#include "hcl/hcl.h"
#include "util/arena.h"

typedef enum {
	HE_LITERAL,  /* u.lit */
	HE_TEMPLATE, /* u.tpl: parts are literals (strings), expressions, HE_TPL_IF, HE_TPL_FOR */
	HE_WRAP,     /* "${expr}" alone: the value as it is (HCL's TemplateWrapExpr) */
	HE_SCOPE,    /* u.trav: a root name and static steps */
	HE_REL,      /* u.rel: static steps applied to an expression */
	HE_INDEX,    /* u.index: coll[key] with a computed key */
	HE_SPLAT,    /* u.splat: src[*]each or src.*each; each refers to HE_ANON */
	HE_ANON,     /* the splat's current element */
	HE_CALL,     /* u.call */
	HE_TUPLE,    /* u.list */
	HE_OBJECT,   /* u.obj: keys are HE_OBJKEY */
	HE_OBJKEY,   /* u.objkey: a bare name is a literal key unless parenthesised */
	HE_UNARY,    /* u.op */
	HE_BINARY,   /* u.op */
	HE_COND,     /* u.cond */
	HE_FOR,      /* u.fr */
	HE_PAREN,    /* u.wrap */
	HE_TPL_IF,   /* u.cond: c, t (template), f (template or NULL) */
	HE_TPL_FOR   /* u.fr: coll, val (template body) */
} hcl_expr_kind;

typedef enum {
	HOP_NONE,
	HOP_OR,
	HOP_AND,
	HOP_EQ,
	HOP_NE,
	HOP_LT,
	HOP_LE,
	HOP_GT,
	HOP_GE,
	HOP_ADD,
	HOP_SUB,
	HOP_MUL,
	HOP_DIV,
	HOP_MOD,
	HOP_NOT,
	HOP_NEG
} hcl_op;

struct hcl_expr {
	hcl_expr_kind kind;
	unsigned char json; /* from the JSON syntax (a string is a keyword candidate) */
	hcl_range range;
	const char *raw; /* JSON strings: the text as written, their value without a scope */
	size_t raw_len;
	union {
		hcl_value *lit;
		hcl_expr *wrap;
		struct {
			hcl_expr **parts;
			size_t n;
		} tpl;
		hcl_traversal trav;
		struct {
			hcl_expr *src;
			hcl_step *steps;
			size_t n;
		} rel;
		struct {
			hcl_expr *coll, *key;
		} index;
		struct {
			hcl_expr *src, *each;
			int attr_only;
		} splat;
		struct {
			const char *name;
			hcl_expr **args;
			size_t n;
			int expand;
			hcl_range name_range;
		} call;
		struct {
			hcl_expr **items;
			size_t n;
		} list;
		struct {
			hcl_expr **keys, **vals;
			size_t n;
		} obj;
		struct {
			hcl_expr *e;
			int force;
		} objkey;
		struct {
			hcl_op op;
			hcl_expr *a, *b;
		} op;
		struct {
			hcl_expr *c, *t, *f;
		} cond;
		struct {
			const char *k, *v;
			hcl_expr *coll, *key, *val, *cond;
			int group, is_obj;
		} fr;
	} u;
};

struct hcl_file {
	atmo__arena arena;
	char *name;
	char *src;
	size_t len;
	hcl_body *body;
	hcl_value **owned; /* literal values to release */
	size_t n_owned, cap_owned;
};

/* Shared by the parsers. */
hcl_file *hcl__file_new(const char *src, size_t len, const char *filename);
/* Keep v (stolen) alive as long as f; returns v, NULL when out of memory. */
hcl_value *hcl__file_own(hcl_file *f, hcl_value *v);
/* Fill a diag; returns code. */
int hcl__diag(hcl_diag *d, int code, const hcl_range *r, const char *summary, const char *fmt, ...)
	ATMO_PRINTF(5, 6);
/* Parse text as a template (JSON strings): ranges start at start. */
int hcl__parse_template(hcl_file *f, const char *text, size_t len, hcl_pos start, hcl_expr **out,
			hcl_diag *diag);

/* unicode.IsSpace for the rune at s (len bytes left); width in *w, 0 when not a space */
int hcl__space_at(const unsigned char *s, size_t len, size_t *w);

#endif
