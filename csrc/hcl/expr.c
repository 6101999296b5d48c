/* Static analysis of expressions: HCL's Variables(), ExprAsKeyword, ExprList,
 * ExprMap, and ext/typeexpr's type constraints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/hcl_int.h"
#include "util/alloc.h"

hcl_range hcl_expr_range(const hcl_expr *e)
{
	return e->range;
}

/* Names bound by enclosing for expressions. */
typedef struct bound {
	const struct bound *up;
	const char *k, *v;
} bound;

static int is_bound(const bound *b, const char *name)
{
	for (; b; b = b->up)
		if ((b->k && strcmp(b->k, name) == 0) || (b->v && strcmp(b->v, name) == 0))
			return 1;
	return 0;
}

typedef struct {
	int (*cb)(const hcl_traversal *t, void *payload);
	void *payload;
} walker;

static int walk(const walker *w, const hcl_expr *e, const bound *b);

static int walk_all(const walker *w, hcl_expr *const *es, size_t n, const bound *b)
{
	size_t i;
	int rc;
	for (i = 0; i < n; i++)
		if (es[i] && (rc = walk(w, es[i], b)) != 0)
			return rc;
	return 0;
}

static int walk(const walker *w, const hcl_expr *e, const bound *b)
{
	int rc;
	bound in;
	if (!e)
		return 0;
	switch (e->kind) {
	case HE_SCOPE:
		if (is_bound(b, e->u.trav.root))
			return 0;
		return w->cb(&e->u.trav, w->payload);
	case HE_TEMPLATE:
		return walk_all(w, e->u.tpl.parts, e->u.tpl.n, b);
	case HE_WRAP:
	case HE_PAREN:
		return walk(w, e->u.wrap, b);
	case HE_REL:
		return walk(w, e->u.rel.src, b);
	case HE_INDEX:
		if ((rc = walk(w, e->u.index.coll, b)) != 0)
			return rc;
		return walk(w, e->u.index.key, b);
	case HE_SPLAT:
		if ((rc = walk(w, e->u.splat.src, b)) != 0)
			return rc;
		return walk(w, e->u.splat.each, b);
	case HE_CALL:
		return walk_all(w, e->u.call.args, e->u.call.n, b);
	case HE_TUPLE:
		return walk_all(w, e->u.list.items, e->u.list.n, b);
	case HE_OBJECT: {
		size_t i;
		for (i = 0; i < e->u.obj.n; i++) {
			if ((rc = walk(w, e->u.obj.keys[i], b)) != 0 ||
			    (rc = walk(w, e->u.obj.vals[i], b)) != 0)
				return rc;
		}
		return 0;
	}
	case HE_OBJKEY: {
		const hcl_expr *k = e->u.objkey.e;
		if (!e->u.objkey.force && k->kind == HE_SCOPE && k->u.trav.n_steps == 0)
			return 0; /* a bare name is a literal key */
		return walk(w, k, b);
	}
	case HE_UNARY:
		return walk(w, e->u.op.a, b);
	case HE_BINARY:
		if ((rc = walk(w, e->u.op.a, b)) != 0)
			return rc;
		return walk(w, e->u.op.b, b);
	case HE_COND:
	case HE_TPL_IF:
		if ((rc = walk(w, e->u.cond.c, b)) != 0 || (rc = walk(w, e->u.cond.t, b)) != 0)
			return rc;
		return walk(w, e->u.cond.f, b);
	case HE_FOR:
	case HE_TPL_FOR:
		if ((rc = walk(w, e->u.fr.coll, b)) != 0)
			return rc;
		in.up = b;
		in.k = e->u.fr.k;
		in.v = e->u.fr.v;
		if ((rc = walk(w, e->u.fr.key, &in)) != 0 || (rc = walk(w, e->u.fr.val, &in)) != 0)
			return rc;
		return walk(w, e->u.fr.cond, &in);
	default:
		return 0;
	}
}

int hcl_expr_variables(const hcl_expr *e, int (*cb)(const hcl_traversal *t, void *payload),
		       void *payload)
{
	walker w;
	w.cb = cb;
	w.payload = payload;
	return walk(&w, e, NULL);
}

int hcl_expr_as_keyword(const hcl_expr *e, const char **name)
{
	if (e->kind == HE_OBJKEY && !e->u.objkey.force)
		e = e->u.objkey.e;
	if (e->kind == HE_SCOPE && e->u.trav.n_steps == 0) {
		*name = e->u.trav.root;
		return 1;
	}
	/* the keywords the parser made literals (hclsyntax's LiteralValueExpr.AsTraversal) */
	if (e->kind == HE_LITERAL && !e->json) {
		if (e->u.lit->is_null && e->u.lit->type->kind == HCL_T_DYNAMIC) {
			*name = "null";
			return 1;
		}
		if (e->u.lit->type->kind == HCL_T_BOOL && !e->u.lit->is_null &&
		    !e->u.lit->is_unknown) {
			*name = e->u.lit->u.b ? "true" : "false";
			return 1;
		}
		return 0;
	}
	/* the JSON syntax: a string holding the name */
	if (e->kind == HE_TEMPLATE && e->json && e->u.tpl.n == 1 &&
	    e->u.tpl.parts[0]->kind == HE_LITERAL) {
		*name = e->u.tpl.parts[0]->u.lit->u.str.s;
		return 1;
	}
	return 0;
}

int hcl_expr_list(const hcl_expr *e, hcl_expr ***items, size_t *n)
{
	while (e->kind == HE_PAREN)
		e = e->u.wrap;
	if (e->kind != HE_TUPLE)
		return -1;
	*items = e->u.list.items;
	*n = e->u.list.n;
	return 0;
}

int hcl_expr_map(const hcl_expr *e, hcl_expr ***keys, hcl_expr ***vals, size_t *n)
{
	while (e->kind == HE_PAREN)
		e = e->u.wrap;
	if (e->kind != HE_OBJECT)
		return -1;
	*keys = e->u.obj.keys;
	*vals = e->u.obj.vals;
	*n = e->u.obj.n;
	return 0;
}

/* ---- type constraints (ext/typeexpr) -------------------------------------------- */

static int type_fail(hcl_diag *d, const hcl_range *r, const char *fmt, const char *arg)
{
	return hcl__diag(d, ATMO_EINVALID, r, "Invalid type specification", fmt, arg);
}

static int get_type(const hcl_expr *e, int in_object, hcl_type **out, int *optional, hcl_diag *d);

static int one_arg(const hcl_expr *e, hcl_diag *d)
{
	if (e->u.call.n != 1 || e->u.call.expand)
		return type_fail(d, &e->range,
				 "The %s type constructor requires one argument specifying the "
				 "element type.",
				 e->u.call.name);
	return 0;
}

/* A JSON string holding a type ("list(string)"): read as native syntax, as HCL's JSON expressions do. */
static int json_type(const hcl_expr *e, int in_object, hcl_type **out, int *optional, hcl_diag *d)
{
	const hcl_value *s = e->u.tpl.parts[0]->u.lit;
	size_t n = s->u.str.len + 8;
	char *text = atmo__malloc(n, NULL);
	hcl_file *f = NULL;
	int rc;
	if (!text)
		return ATMO_ENOMEM;
	snprintf(text, n, "t = %s\n", s->u.str.s);
	rc = hcl_parse(&f, text, strlen(text), "<type>", d);
	atmo__free(text);
	if (rc == 0) {
		hcl_body *b = hcl_file_body(f);
		rc = b->n_attrs == 1 ? get_type(b->attrs[0].expr, in_object, out, optional, d)
				     : type_fail(d, &e->range,
						 "A type specification is required here.", NULL);
		hcl_file_free(f);
	}
	if (rc && d) {
		/* the subject was in the text just freed: point at the string */
		d->subject = e->range;
		if (rc != ATMO_ENOMEM && strcmp(d->summary, "Invalid type specification") != 0) {
			snprintf(d->summary, sizeof(d->summary), "Invalid type specification");
			snprintf(d->detail, sizeof(d->detail),
				 "This string is not a type expression.");
		}
	}
	return rc;
}

static int get_type(const hcl_expr *e, int in_object, hcl_type **out, int *optional, hcl_diag *d)
{
	const char *name;
	int rc;
	*out = NULL;
	if (optional)
		*optional = 0;
	if (e->kind == HE_TEMPLATE && e->json && e->u.tpl.n == 1 &&
	    e->u.tpl.parts[0]->kind == HE_LITERAL)
		return json_type(e, in_object, out, optional, d);
	if (hcl_expr_as_keyword(e, &name) && e->kind == HE_SCOPE) {
		if (strcmp(name, "string") == 0)
			*out = hcl_type_string();
		else if (strcmp(name, "number") == 0)
			*out = hcl_type_number();
		else if (strcmp(name, "bool") == 0)
			*out = hcl_type_bool();
		else if (strcmp(name, "any") == 0)
			*out = hcl_type_dynamic();
		else if (strcmp(name, "list") == 0 || strcmp(name, "set") == 0 ||
			 strcmp(name, "map") == 0 || strcmp(name, "tuple") == 0 ||
			 strcmp(name, "object") == 0)
			return type_fail(d, &e->range,
					 "The %s type constructor requires one argument specifying "
					 "the element type.",
					 name);
		else
			return type_fail(d, &e->range,
					 "The keyword \"%s\" is not a valid type specification.",
					 name);
		return 0;
	}
	if (e->kind != HE_CALL)
		return hcl__diag(d, ATMO_EINVALID, &e->range, "Invalid type specification",
				 "A type specification is either a primitive type keyword (bool, "
				 "number, string) or "
				 "a complex type constructor call, like list(string).");
	name = e->u.call.name;
	if (strcmp(name, "list") == 0 || strcmp(name, "set") == 0 || strcmp(name, "map") == 0) {
		hcl_type *el;
		if ((rc = one_arg(e, d)) != 0 ||
		    (rc = get_type(e->u.call.args[0], 0, &el, NULL, d)) != 0)
			return rc;
		*out = name[0] == 'l'   ? hcl_type_list(el)
		       : name[0] == 's' ? hcl_type_set(el)
					: hcl_type_map(el);
		return *out ? 0 : ATMO_ENOMEM;
	}
	if (strcmp(name, "optional") == 0) {
		if (!in_object || !optional)
			return type_fail(d, &e->range,
					 "Keyword \"%s\" is valid only as a modifier for object "
					 "type attributes.",
					 name);
		if (e->u.call.n < 1 || e->u.call.n > 2)
			return type_fail(d, &e->range,
					 "The %s modifier requires the attribute type and "
					 "optionally a default value.",
					 name);
		if ((rc = get_type(e->u.call.args[0], 0, out, NULL, d)) != 0)
			return rc;
		*optional = 1;
		return 0;
	}
	if (strcmp(name, "tuple") == 0) {
		hcl_expr **items;
		hcl_type **ts;
		size_t n, i;
		if ((rc = one_arg(e, d)) != 0)
			return rc;
		if (hcl_expr_list(e->u.call.args[0], &items, &n) < 0)
			return type_fail(d, &e->u.call.args[0]->range,
					 "Tuple type constructor requires a list of element types.",
					 NULL);
		ts = atmo__calloc(n ? n : 1, sizeof(*ts), NULL);
		if (!ts)
			return ATMO_ENOMEM;
		for (i = 0; i < n; i++) {
			if ((rc = get_type(items[i], 0, &ts[i], NULL, d)) != 0) {
				while (i-- > 0)
					hcl_type_unref(ts[i]);
				atmo__free(ts);
				return rc;
			}
		}
		*out = hcl_type_tuple(ts, n);
		atmo__free(ts);
		return *out ? 0 : ATMO_ENOMEM;
	}
	if (strcmp(name, "object") == 0) {
		hcl_expr **keys, **vals;
		hcl_type **ts;
		const char **names;
		unsigned char *opt;
		size_t n, i;
		int any_opt = 0;
		if ((rc = one_arg(e, d)) != 0)
			return rc;
		if (hcl_expr_map(e->u.call.args[0], &keys, &vals, &n) < 0)
			return type_fail(d, &e->u.call.args[0]->range,
					 "Object type constructor requires a map whose keys are "
					 "attribute names and whose "
					 "values are the corresponding attribute types.",
					 NULL);
		ts = atmo__calloc(n ? n : 1, sizeof(*ts), NULL);
		names = atmo__calloc(n ? n : 1, sizeof(*names), NULL);
		opt = atmo__calloc(n ? n : 1, 1, NULL);
		if (!ts || !names || !opt) {
			atmo__free(ts);
			atmo__free(names);
			atmo__free(opt);
			return ATMO_ENOMEM;
		}
		rc = 0;
		for (i = 0; i < n && !rc; i++) {
			int o = 0;
			if (!hcl_expr_as_keyword(keys[i], &names[i])) {
				rc = hcl__diag(
					d, ATMO_EINVALID, &keys[i]->range,
					"Invalid type specification",
					"Object constructor map keys must be attribute names.");
				break;
			}
			if ((rc = get_type(vals[i], 1, &ts[i], &o, d)) != 0)
				break;
			opt[i] = (unsigned char)o;
			any_opt |= o;
		}
		if (rc) {
			while (i-- > 0)
				hcl_type_unref(ts[i]);
		} else {
			*out = hcl_type_object(names, ts, any_opt ? opt : NULL, n);
			if (!*out)
				rc = ATMO_ENOMEM;
		}
		atmo__free(ts);
		atmo__free(names);
		atmo__free(opt);
		return rc;
	}
	return type_fail(d, &e->range, "Keyword \"%s\" is not a valid type constructor.", name);
}

int hcl_eval_type(const hcl_expr *e, hcl_type **out, hcl_diag *diag)
{
	int rc;
	if (diag)
		memset(diag, 0, sizeof(*diag));
	rc = get_type(e, 0, out, NULL, diag);
	if (rc == ATMO_ENOMEM)
		hcl__diag(diag, ATMO_ENOMEM, &e->range, "Out of memory",
			  "Reading the type ran out of memory.");
	return rc;
}
