/* Expressions of the native syntax: terms, traversals, calls, for, tuples, objects, operators. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/parse_int.h"
#include "hcl/nfc_int.h"
#include "util/alloc.h"

/* ---- expressions ------------------------------------------------------------ */

static hcl_value *number_value(parser *p, token t)
{
	double d;
	if (hcl_number_parse(p->src + (t.s.byte - p->base), (size_t)(t.e.byte - t.s.byte), &d) <
	    0) {
		hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t), "Invalid number literal",
			      "Failed to recognize the value of this number literal.");
		return NULL;
	}
	return hcl_number(d);
}

/* Append a static step to a scope or relative traversal, or start a relative one. */
static hcl_expr *add_step(parser *p, hcl_expr *e, hcl_step st)
{
	hcl_step *arr, *slot;
	size_t n;
	if (e->kind == HE_SCOPE) {
		arr = (hcl_step *)e->u.trav.steps;
		n = e->u.trav.n_steps;
	} else if (e->kind == HE_REL) {
		arr = e->u.rel.steps;
		n = e->u.rel.n;
	} else {
		hcl_expr *r = hcl__p_node(p, HE_REL, hcl__p_between(e->range, st.range));
		if (!r)
			return NULL;
		r->u.rel.src = e;
		e = r;
		arr = NULL;
		n = 0;
	}
	/* arrays are sized in powers of two: grow when n is one */
	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
		size_t cap = n < 4 ? 4 : n * 2;
		hcl_step *na = hcl__p_alloc(p, cap * sizeof(*na));
		if (!na)
			return NULL;
		if (n)
			memcpy(na, arr, n * sizeof(*na));
		arr = na;
	}
	slot = &arr[n++];
	*slot = st;
	if (e->kind == HE_SCOPE) {
		e->u.trav.steps = arr;
		e->u.trav.n_steps = n;
		e->u.trav.range = hcl__p_between(e->u.trav.range, st.range);
	} else {
		e->u.rel.steps = arr;
		e->u.rel.n = n;
	}
	e->range = hcl__p_between(e->range, st.range);
	return e;
}

/* A legacy ".0" index (also inside attribute-only splats). */
static int legacy_index(parser *p, token dot, token num, hcl_step *st)
{
	const char *s = p->src + (num.s.byte - p->base);
	const char *dt = memchr(s, '.', (size_t)(num.e.byte - num.s.byte));
	hcl_value *v;
	if (dt) {
		hcl__p_fail_r(
			p, ATMO_EINVALID, hcl__p_trange(p, num), "Invalid legacy index syntax",
			"When using the legacy index syntax, chaining two indexes together is not "
			"permitted. "
			"Use the proper index syntax instead, like [%.*s][%.*s].",
			(int)(dt - s), s, (int)(num.e.byte - num.s.byte - (dt - s) - 1), dt + 1);
		return -1;
	}
	v = number_value(p, num);
	if (!v || !hcl__file_own(p->f, v)) {
		if (!p->err)
			hcl__p_nomem(p);
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->kind = HCL_STEP_INDEX;
	st->key = v;
	st->range = hcl__p_mkrange(p, dot.s, num.e);
	return 0;
}

static int is_static_key(const hcl_expr *k)
{
	if (k->kind == HE_LITERAL)
		return 1;
	return k->kind == HE_TEMPLATE &&
	       (k->u.tpl.n == 0 || (k->u.tpl.n == 1 && k->u.tpl.parts[0]->kind == HE_LITERAL));
}

static hcl_expr *parse_traversals(parser *p, hcl_expr *from)
{
	hcl_expr *ret = from;
	for (;;) {
		token t = hcl__p_peek(p);
		if (p->err)
			return NULL;
		if (t.t == T_DOT) {
			token dot = hcl__p_next(p), a = hcl__p_peek(p);
			hcl_step st;
			if (p->err)
				return NULL;
			memset(&st, 0, sizeof(st));
			if (a.t == T_IDENT) {
				hcl__p_next(p);
				st.kind = HCL_STEP_ATTR;
				st.name = hcl__p_tok_text(p, a);
				st.range = hcl__p_mkrange(p, dot.s, a.e);
				if (!st.name || !(ret = add_step(p, ret, st)))
					return NULL;
			} else if (a.t == T_NUM) {
				hcl__p_next(p);
				if (legacy_index(p, dot, a, &st) < 0 ||
				    !(ret = add_step(p, ret, st)))
					return NULL;
			} else if (a.t == T_STAR) {
				token star = hcl__p_next(p);
				hcl_expr *item = hcl__p_node(p, HE_ANON,
							     hcl__p_mkrange(p, dot.s, star.e)),
					 *each, *sp;
				if (!item)
					return NULL;
				each = item;
				while (hcl__p_peek(p).t == T_DOT) {
					token d2 = hcl__p_next(p), a2 = hcl__p_peek(p);
					if (p->err)
						return NULL;
					memset(&st, 0, sizeof(st));
					if (a2.t == T_NUM) {
						hcl__p_next(p);
						if (legacy_index(p, d2, a2, &st) < 0)
							return NULL;
					} else if (a2.t == T_IDENT) {
						hcl__p_next(p);
						st.kind = HCL_STEP_ATTR;
						st.name = hcl__p_tok_text(p, a2);
						st.range = hcl__p_mkrange(p, d2.s, a2.e);
						if (!st.name)
							return NULL;
					} else if (a2.t == T_STAR) {
						return hcl__p_fail_r(
							p, ATMO_EINVALID, hcl__p_trange(p, a2),
							"Nested splat expression not allowed",
							"A splat expression (*) cannot be used "
							"inside another attribute-only splat "
							"expression.");
					} else {
						return hcl__p_fail_r(p, ATMO_EINVALID,
								     hcl__p_trange(p, a2),
								     "Invalid attribute name",
								     "An attribute name is "
								     "required after a dot.");
					}
					if (!(each = add_step(p, each, st)))
						return NULL;
				}
				if (p->err)
					return NULL;
				sp = hcl__p_node(p, HE_SPLAT,
						 hcl__p_between(from->range, each->range));
				if (!sp)
					return NULL;
				sp->range = hcl__p_mkrange(p, ret->range.start, p->prev_end);
				sp->u.splat.src = ret;
				sp->u.splat.each = each;
				sp->u.splat.attr_only = 1;
				ret = sp;
			} else {
				return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, a),
						     "Invalid attribute name",
						     "An attribute name is required after a dot.");
			}
		} else if (t.t == T_LBRACK) {
			token open = hcl__p_next(p), c;
			if (hcl__p_peek(p).t == T_STAR) {
				hcl_expr *item, *each, *sp;
				hcl__p_next(p);
				c = hcl__p_next(p);
				if (c.t != T_RBRACK)
					return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, c),
							     "Missing close bracket on splat index",
							     "The star for a full splat operator "
							     "must be immediately followed by a "
							     "closing bracket (\"]\").");
				item = hcl__p_node(p, HE_ANON, hcl__p_mkrange(p, open.s, c.e));
				if (!item || hcl__p_depth_in(p, item->range) < 0)
					return NULL;
				each = parse_traversals(p, item);
				p->depth--;
				if (!each)
					return NULL;
				sp = hcl__p_node(p, HE_SPLAT,
						 hcl__p_mkrange(p, ret->range.start, p->prev_end));
				if (!sp)
					return NULL;
				sp->u.splat.src = ret;
				sp->u.splat.each = each;
				ret = sp;
			} else {
				int saved = p->nl;
				hcl_expr *key;
				if (p->err)
					return NULL;
				p->nl = 0;
				key = hcl__p_parse_expr(p);
				if (!key)
					return NULL;
				c = hcl__p_next(p);
				if (p->err)
					return NULL;
				if (c.t != T_RBRACK)
					return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, c),
							     "Missing close bracket on index",
							     "The index operator must end with a "
							     "closing bracket (\"]\").");
				p->nl = saved;
				if (is_static_key(key)) {
					hcl_step st;
					memset(&st, 0, sizeof(st));
					st.kind = HCL_STEP_INDEX;
					st.range = hcl__p_mkrange(p, open.s, c.e);
					if (key->kind == HE_LITERAL)
						st.key = key->u.lit;
					else if (key->u.tpl.n)
						st.key = key->u.tpl.parts[0]->u.lit;
					else if (!(st.key = hcl__file_own(p->f, hcl_string("", 0))))
						return hcl__p_nomem(p);
					if (!(ret = add_step(p, ret, st)))
						return NULL;
				} else {
					hcl_expr *ix = hcl__p_node(
						p, HE_INDEX,
						hcl__p_mkrange(p, ret->range.start, c.e));
					if (!ix)
						return NULL;
					ix->u.index.coll = ret;
					ix->u.index.key = key;
					ret = ix;
				}
			}
		} else {
			return ret;
		}
	}
}

static hcl_expr *parse_call(parser *p, token name)
{
	token open = hcl__p_next(p), t;
	hcl_expr *e, **args = NULL, **slot;
	size_t n = 0, cap = 0;
	int saved = p->nl, expand = 0;
	hcl_range name_range = hcl__p_trange(p, name);
	const char *fname = hcl__p_tok_text(p, name);
	if (!fname)
		return NULL;
	while (open.t == T_DCOLON) {
		token nn = hcl__p_next(p);
		if (nn.t != T_IDENT)
			return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, nn),
					     "Missing function name",
					     "Function scope resolution symbol :: must be followed "
					     "by a function name in this scope.");
		fname = atmo__arena_printf(&p->f->arena, "%s::%.*s", fname,
					   (int)(nn.e.byte - nn.s.byte),
					   p->src + (nn.s.byte - p->base));
		if (!fname)
			return hcl__p_nomem(p);
		name_range.end = nn.e;
		open = hcl__p_next(p);
		if (open.t != T_LPAREN && open.t != T_DCOLON)
			return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, open),
					     "Missing open parenthesis",
					     "Function selector must be followed by an open "
					     "parenthesis to begin the function call.");
	}
	p->nl = 0;
	for (;;) {
		hcl_expr *a;
		t = hcl__p_peek(p);
		if (p->err)
			return NULL;
		if (t.t == T_RPAREN) {
			hcl__p_next(p);
			break;
		}
		if (!(a = hcl__p_parse_expr(p)))
			return NULL;
		if (!(slot = hcl__p_push(p, (void **)&args, &n, &cap, sizeof(*args))))
			return NULL;
		*slot = a;
		t = hcl__p_next(p);
		if (p->err)
			return NULL;
		if (t.t == T_RPAREN)
			break;
		if (t.t == T_ELLIPSIS) {
			expand = 1;
			t = hcl__p_next(p);
			if (t.t != T_RPAREN)
				return hcl__p_fail_r(
					p, ATMO_EINVALID, hcl__p_trange(p, t),
					"Missing closing parenthesis",
					"An expanded function argument (with ...) must be "
					"immediately followed by closing parentheses.");
			break;
		}
		if (t.t != T_COMMA) {
			if (t.t == T_EOF)
				return hcl__p_fail_r(
					p, ATMO_EINVALID,
					hcl__p_between(name_range, hcl__p_trange(p, open)),
					"Unterminated function call",
					"There is no closing parenthesis for this function call "
					"before the end of the file. "
					"This may be caused by incorrect parenthesis nesting "
					"elsewhere in this file.");
			return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
					     "Missing argument separator",
					     "A comma is required to separate each function "
					     "argument from the next.");
		}
	}
	p->nl = saved;
	e = hcl__p_node(p, HE_CALL, hcl__p_mkrange(p, name.s, p->prev_end));
	if (!e)
		return NULL;
	e->u.call.name = fname;
	e->u.call.args = args;
	e->u.call.n = n;
	e->u.call.expand = expand;
	e->u.call.name_range = name_range;
	return e;
}

static hcl_expr *parse_for(parser *p, token open)
{
	int is_obj = open.t == T_LBRACE, saved = p->nl, group = 0;
	tok_type close_t = is_obj ? T_RBRACE : T_RBRACK;
	token t, ell = { T_EOF, { 0, 0, 0 }, { 0, 0, 0 } };
	const char *k = NULL, *v;
	hcl_expr *coll, *key = NULL, *val, *cond = NULL, *e;
	p->nl = 0;
	hcl__p_next(p); /* for */
	t = hcl__p_next(p);
	if (t.t != T_IDENT)
		return p->err ? NULL
			      : hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
					      "Invalid 'for' expression",
					      "For expression requires variable name after 'for'.");
	v = hcl__p_tok_text(p, t);
	if (hcl__p_peek(p).t == T_COMMA) {
		hcl__p_next(p);
		k = v;
		t = hcl__p_next(p);
		if (t.t != T_IDENT)
			return p->err ? NULL
				      : hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
						      "Invalid 'for' expression",
						      "For expression requires value variable name "
						      "after comma.");
		v = hcl__p_tok_text(p, t);
	}
	t = hcl__p_peek(p);
	if (!hcl__p_tok_is(p, t, "in"))
		return p->err ? NULL
			      : hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
					      "Invalid 'for' expression",
					      "For expression requires the 'in' keyword after its "
					      "name declarations.");
	hcl__p_next(p);
	if (!(coll = hcl__p_parse_expr(p)))
		return NULL;
	t = hcl__p_peek(p);
	if (t.t != T_COLON)
		return p->err ? NULL
			      : hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
					      "Invalid 'for' expression",
					      "For expression requires a colon after the "
					      "collection expression.");
	hcl__p_next(p);
	if (!(val = hcl__p_parse_expr(p)))
		return NULL;
	if (hcl__p_peek(p).t == T_ARROW) {
		hcl__p_next(p);
		key = val;
		if (!(val = hcl__p_parse_expr(p)))
			return NULL;
	}
	if (hcl__p_peek(p).t == T_ELLIPSIS) {
		ell = hcl__p_next(p);
		group = 1;
	}
	if (hcl__p_tok_is(p, hcl__p_peek(p), "if")) {
		hcl__p_next(p);
		if (!(cond = hcl__p_parse_expr(p)))
			return NULL;
	}
	t = hcl__p_peek(p);
	if (p->err)
		return NULL;
	if (t.t != close_t)
		return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
				     "Invalid 'for' expression",
				     "Extra characters after the end of the 'for' expression.");
	hcl__p_next(p);
	if (!is_obj && key)
		return hcl__p_fail_r(p, ATMO_EINVALID, key->range, "Invalid 'for' expression",
				     "Key expression is not valid when building a tuple.");
	if (!is_obj && group)
		return hcl__p_fail_r(
			p, ATMO_EINVALID, hcl__p_trange(p, ell), "Invalid 'for' expression",
			"Grouping ellipsis (...) cannot be used when building a tuple.");
	if (is_obj && !key)
		return hcl__p_fail_r(p, ATMO_EINVALID, val->range, "Invalid 'for' expression",
				     "Key expression is required when building an object.");
	p->nl = saved;
	e = hcl__p_node(p, HE_FOR, hcl__p_mkrange(p, open.s, p->prev_end));
	if (!e || !v)
		return NULL;
	e->u.fr.k = k;
	e->u.fr.v = v;
	e->u.fr.coll = coll;
	e->u.fr.key = key;
	e->u.fr.val = val;
	e->u.fr.cond = cond;
	e->u.fr.group = group;
	e->u.fr.is_obj = is_obj;
	return e;
}

static hcl_expr *parse_tuple(parser *p, token open)
{
	hcl_expr *e, **items = NULL, **slot;
	size_t n = 0, cap = 0;
	int saved = p->nl;
	token t;
	p->nl = 0;
	if (hcl__p_tok_is(p, hcl__p_peek(p), "for")) {
		e = parse_for(p, open);
		p->nl = saved;
		return e;
	}
	for (;;) {
		hcl_expr *it;
		t = hcl__p_peek(p);
		if (p->err)
			return NULL;
		if (t.t == T_RBRACK) {
			hcl__p_next(p);
			break;
		}
		if (!(it = hcl__p_parse_expr(p)))
			return NULL;
		if (!(slot = hcl__p_push(p, (void **)&items, &n, &cap, sizeof(*items))))
			return NULL;
		*slot = it;
		t = hcl__p_peek(p);
		if (p->err)
			return NULL;
		if (t.t == T_RBRACK) {
			hcl__p_next(p);
			break;
		}
		if (t.t != T_COMMA) {
			if (t.t == T_EOF)
				return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, open),
						     "Unterminated tuple constructor expression",
						     "There is no corresponding closing bracket "
						     "before the end of the file. "
						     "This may be caused by incorrect bracket "
						     "nesting elsewhere in this file.");
			return hcl__p_fail_r(
				p, ATMO_EINVALID, hcl__p_trange(p, t), "Missing item separator",
				"Expected a comma to mark the beginning of the next item.");
		}
		hcl__p_next(p);
	}
	p->nl = saved;
	e = hcl__p_node(p, HE_TUPLE, hcl__p_mkrange(p, open.s, p->prev_end));
	if (e) {
		e->u.list.items = items;
		e->u.list.n = n;
	}
	return e;
}

static hcl_expr *parse_object(parser *p, token open)
{
	hcl_expr *e, **keys = NULL, **vals = NULL, **slot;
	size_t n = 0, cap = 0, n2 = 0, cap2 = 0;
	int saved = p->nl;
	token t;
	p->nl = 0;
	if (hcl__p_tok_is(p, hcl__p_peek(p), "for")) {
		e = parse_for(p, open);
		p->nl = saved;
		return e;
	}
	p->nl = 1;
	for (;;) {
		hcl_expr *k, *v, *kw;
		int force;
		t = hcl__p_peek(p);
		if (p->err)
			return NULL;
		if (t.t == T_NL) {
			hcl__p_next(p);
			continue;
		}
		if (t.t == T_RBRACE) {
			hcl__p_next(p);
			break;
		}
		force = t.t == T_LPAREN;
		if (!(k = hcl__p_parse_expr(p)))
			return NULL;
		kw = hcl__p_node(p, HE_OBJKEY, k->range);
		if (!kw)
			return NULL;
		kw->u.objkey.e = k;
		kw->u.objkey.force = force;
		t = hcl__p_peek(p);
		if (p->err)
			return NULL;
		if (t.t != T_EQ && t.t != T_COLON) {
			switch (t.t) {
			case T_NL:
			case T_COMMA:
				return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
						     "Missing attribute value",
						     "Expected an attribute value, introduced by "
						     "an equals sign (\"=\").");
			case T_EOF:
				return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, open),
						     "Unterminated object constructor expression",
						     "There is no corresponding closing brace "
						     "before the end of the file. "
						     "This may be caused by incorrect brace "
						     "nesting elsewhere in this file.");
			case T_IDENT:
				return hcl__p_fail_r(
					p, ATMO_EINVALID, hcl__p_trange(p, t),
					"Missing key/value separator",
					"Expected an equals sign (\"=\") to mark the beginning of "
					"the attribute value. "
					"If you intended to given an attribute name containing "
					"periods or spaces, "
					"write the name in quotes to create a string literal.");
			default:
				return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
						     "Missing key/value separator",
						     "Expected an equals sign (\"=\") to mark the "
						     "beginning of the attribute value.");
			}
		}
		hcl__p_next(p);
		if (!(v = hcl__p_parse_expr(p)))
			return NULL;
		if (!(slot = hcl__p_push(p, (void **)&keys, &n, &cap, sizeof(*keys))))
			return NULL;
		*slot = kw;
		if (!(slot = hcl__p_push(p, (void **)&vals, &n2, &cap2, sizeof(*vals))))
			return NULL;
		*slot = v;
		t = hcl__p_peek(p);
		if (p->err)
			return NULL;
		if (t.t == T_RBRACE) {
			hcl__p_next(p);
			break;
		}
		if (t.t != T_COMMA && t.t != T_NL) {
			if (t.t == T_EOF)
				return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, open),
						     "Unterminated object constructor expression",
						     "There is no corresponding closing brace "
						     "before the end of the file. "
						     "This may be caused by incorrect brace "
						     "nesting elsewhere in this file.");
			return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
					     "Missing attribute separator",
					     "Expected a newline or comma to mark the beginning of "
					     "the next attribute.");
		}
		hcl__p_next(p);
	}
	p->nl = saved;
	e = hcl__p_node(p, HE_OBJECT, hcl__p_mkrange(p, open.s, p->prev_end));
	if (e) {
		e->u.obj.keys = keys;
		e->u.obj.vals = vals;
		e->u.obj.n = n;
	}
	return e;
}

static hcl_expr *parse_term(parser *p)
{
	token t = hcl__p_peek(p);
	hcl_expr *e;
	if (p->err)
		return NULL;
	switch (t.t) {
	case T_LPAREN: {
		int saved = p->nl;
		hcl_expr *in;
		token c;
		hcl__p_next(p);
		p->nl = 0;
		if (!(in = hcl__p_parse_expr(p)))
			return NULL;
		c = hcl__p_peek(p);
		if (p->err)
			return NULL;
		if (c.t != T_RPAREN)
			return hcl__p_fail_r(
				p, ATMO_EINVALID, hcl__p_trange(p, c), "Unbalanced parentheses",
				"Expected a closing parenthesis to terminate the expression.");
		hcl__p_next(p);
		p->nl = saved;
		e = hcl__p_node(p, HE_PAREN, hcl__p_mkrange(p, t.s, c.e));
		if (e)
			e->u.wrap = in;
		return e;
	}
	case T_NUM: {
		hcl_value *v;
		hcl__p_next(p);
		v = number_value(p, t);
		return v ? hcl__p_lit_node(p, v, hcl__p_trange(p, t)) : NULL;
	}
	case T_IDENT: {
		token n2;
		hcl__p_next(p);
		n2 = hcl__p_peek(p);
		if (p->err)
			return NULL;
		if (n2.t == T_LPAREN || n2.t == T_DCOLON)
			return parse_call(p, t);
		if (hcl__p_tok_is(p, t, "true") || hcl__p_tok_is(p, t, "false"))
			return hcl__p_lit_node(p, hcl_bool(hcl__p_tok_is(p, t, "true")),
					       hcl__p_trange(p, t));
		if (hcl__p_tok_is(p, t, "null"))
			return hcl__p_lit_node(p, hcl_null(NULL), hcl__p_trange(p, t));
		e = hcl__p_node(p, HE_SCOPE, hcl__p_trange(p, t));
		if (!e)
			return NULL;
		e->u.trav.root = hcl__p_tok_text(p, t);
		e->u.trav.range = e->range;
		return e->u.trav.root ? e : NULL;
	}
	case T_OQUOTE:
	case T_OHEREDOC:
		hcl__p_next(p);
		return hcl__p_parse_template_expr(p, t);
	case T_MINUS:
	case T_BANG: {
		hcl_expr *operand;
		hcl__p_next(p);
		if (hcl__p_depth_in(p, hcl__p_trange(p, t)) < 0)
			return NULL;
		operand = parse_term(p);
		if (operand)
			operand = parse_traversals(p, operand);
		p->depth--;
		if (!operand)
			return NULL;
		e = hcl__p_node(p, HE_UNARY, hcl__p_between(hcl__p_trange(p, t), operand->range));
		if (e) {
			e->u.op.op = t.t == T_MINUS ? HOP_NEG : HOP_NOT;
			e->u.op.a = operand;
		}
		return e;
	}
	case T_LBRACK:
		hcl__p_next(p);
		return parse_tuple(p, t);
	case T_LBRACE:
		hcl__p_next(p);
		return parse_object(p, t);
	case T_EOF:
		return hcl__p_fail_r(
			p, ATMO_EINVALID, hcl__p_trange(p, t), "Missing expression",
			"Expected the start of an expression, but found the end of the file.");
	default:
		return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t), "Invalid expression",
				     "Expected the start of an expression, but found an invalid "
				     "expression token.");
	}
}

static hcl_op binop(tok_type t, int level)
{
	switch (level) {
	case 0:
		return t == T_OR ? HOP_OR : HOP_NONE;
	case 1:
		return t == T_AND ? HOP_AND : HOP_NONE;
	case 2:
		return t == T_EQEQ ? HOP_EQ : t == T_NE ? HOP_NE : HOP_NONE;
	case 3:
		return t == T_LT   ? HOP_LT
		       : t == T_LE ? HOP_LE
		       : t == T_GT ? HOP_GT
		       : t == T_GE ? HOP_GE
				   : HOP_NONE;
	case 4:
		return t == T_PLUS ? HOP_ADD : t == T_MINUS ? HOP_SUB : HOP_NONE;
	case 5:
		return t == T_STAR      ? HOP_MUL
		       : t == T_SLASH   ? HOP_DIV
		       : t == T_PERCENT ? HOP_MOD
					: HOP_NONE;
	default:
		return HOP_NONE;
	}
}

static hcl_expr *parse_binary(parser *p, int level)
{
	hcl_expr *lhs;
	int chain = 0;
	if (level > 5) {
		lhs = parse_term(p);
		return lhs ? parse_traversals(p, lhs) : NULL;
	}
	if (!(lhs = parse_binary(p, level + 1)))
		return NULL;
	for (;;) {
		token t = hcl__p_peek(p);
		hcl_op op = binop(t.t, level);
		hcl_expr *rhs, *e;
		if (p->err || op == HOP_NONE)
			break;
		hcl__p_next(p);
		/* a chain a+b+c+... is a tree as deep as it is long: it counts as nesting */
		if (hcl__p_depth_in(p, hcl__p_trange(p, t)) < 0)
			break;
		chain++;
		rhs = parse_binary(p, level + 1);
		if (!rhs)
			break;
		e = hcl__p_node(p, HE_BINARY, hcl__p_between(lhs->range, rhs->range));
		if (!e)
			break;
		e->u.op.op = op;
		e->u.op.a = lhs;
		e->u.op.b = rhs;
		lhs = e;
	}
	p->depth -= chain;
	return p->err ? NULL : lhs;
}

hcl_expr *hcl__p_parse_expr(parser *p)
{
	hcl_expr *c, *t, *f, *e = NULL;
	token q;
	hcl_pos start = hcl__p_peek(p).s;
	if (p->err || hcl__p_depth_in(p, hcl__p_mkrange(p, start, start)) < 0)
		return NULL;
	if (!(c = parse_binary(p, 0)))
		goto out;
	q = hcl__p_peek(p);
	if (p->err)
		goto out;
	if (q.t != T_QUESTION) {
		e = c;
		goto out;
	}
	hcl__p_next(p);
	if (!(t = hcl__p_parse_expr(p)))
		goto out;
	q = hcl__p_peek(p);
	if (p->err)
		goto out;
	if (q.t != T_COLON) {
		hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, q),
			      "Missing false expression in conditional",
			      "The conditional operator (...?...:...) requires a false expression, "
			      "delimited by a colon.");
		goto out;
	}
	hcl__p_next(p);
	if (!(f = hcl__p_parse_expr(p)))
		goto out;
	e = hcl__p_node(p, HE_COND, hcl__p_between(c->range, f->range));
	if (e) {
		e->u.cond.c = c;
		e->u.cond.t = t;
		e->u.cond.f = f;
	}
out:
	p->depth--;
	return e;
}
