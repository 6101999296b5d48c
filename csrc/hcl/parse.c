/*
 * HCL native syntax (hclsyntax/spec.md): a lexer that runs on demand and a
 * recursive-descent parser modelled on hashicorp/hcl's parser.go, reporting
 * the first error with HCL's summary and detail. Templates (quoted strings,
 * heredocs) are scanned byte by byte by the parser itself, which switches
 * back to tokens inside ${...} and %{...}.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/parse_int.h"
#include "hcl/nfc_int.h"
#include "util/alloc.h"
#include "util/grow.h"

/* ---- helpers ------------------------------------------------------------- */

int hcl__diag(hcl_diag *d, int code, const hcl_range *r, const char *summary, const char *fmt, ...)
{
	va_list ap;
	if (!d)
		return code;
	memset(d, 0, sizeof(*d));
	d->code = code;
	if (r)
		d->subject = *r;
	snprintf(d->summary, sizeof(d->summary), "%s", summary);
	va_start(ap, fmt);
	vsnprintf(d->detail, sizeof(d->detail), fmt, ap);
	va_end(ap);
	return code;
}

/* Record the first error; returns NULL for the callers' convenience. */
void *hcl__p_fail_r(parser *p, int code, hcl_range r, const char *summary, const char *fmt, ...)
{
	va_list ap;
	if (p->err)
		return NULL;
	p->err = code;
	if (p->diag) {
		memset(p->diag, 0, sizeof(*p->diag));
		p->diag->code = code;
		p->diag->subject = r;
		snprintf(p->diag->summary, sizeof(p->diag->summary), "%s", summary);
		va_start(ap, fmt);
		vsnprintf(p->diag->detail, sizeof(p->diag->detail), fmt, ap);
		va_end(ap);
	}
	return NULL;
}

void *hcl__p_nomem(parser *p)
{
	hcl_range r = hcl__p_mkrange(p, p->pos, p->pos);
	return hcl__p_fail_r(p, ATMO_ENOMEM, r, "Out of memory", "The parser ran out of memory.");
}

void *hcl__p_alloc(parser *p, size_t n)
{
	void *m = atmo__arena_alloc(&p->f->arena, n);
	if (!m)
		return hcl__p_nomem(p);
	memset(m, 0, n);
	return m;
}

char *hcl__p_adup(parser *p, const char *s, size_t n)
{
	char *c = atmo__arena_strndup(&p->f->arena, s, n);
	if (!c)
		hcl__p_nomem(p);
	return c;
}

hcl_expr *hcl__p_node(parser *p, hcl_expr_kind k, hcl_range r)
{
	hcl_expr *e = hcl__p_alloc(p, sizeof(*e));
	if (e) {
		e->kind = k;
		e->range = r;
	}
	return e;
}

/* Grow an arena array of items of size sz by one slot; returns the slot. */
void *hcl__p_push(parser *p, void **arr, size_t *n, size_t *cap, size_t sz)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		void *na = hcl__p_alloc(p, nc * sz);
		if (!na)
			return NULL;
		if (*n)
			memcpy(na, *arr, *n * sz);
		*arr = na;
		*cap = nc;
	}
	return (char *)*arr + (*n)++ * sz;
}

hcl_expr *hcl__p_lit_node(parser *p, hcl_value *v, hcl_range r)
{
	hcl_expr *e;
	if (!v)
		return hcl__p_nomem(p);
	if (!hcl__file_own(p->f, v))
		return hcl__p_nomem(p);
	e = hcl__p_node(p, HE_LITERAL, r);
	if (e)
		e->u.lit = v;
	return e;
}

int hcl__p_depth_in(parser *p, hcl_range r)
{
	if (++p->depth > MAX_DEPTH) {
		hcl__p_fail_r(p, ATMO_ELIMIT, r, "Nesting too deep",
			      "Expressions and blocks may nest at most %d levels deep.", MAX_DEPTH);
		return -1;
	}
	return 0;
}

/* ---- bodies ----------------------------------------------------------------- */

typedef struct {
	hcl_attr *attrs;
	size_t n_attrs, cap_attrs;
	hcl_block *blocks;
	size_t n_blocks, cap_blocks;
} body_b;

static int add_attr(parser *p, body_b *bb, hcl_attr *a)
{
	size_t i;
	hcl_attr *slot;
	for (i = 0; i < bb->n_attrs; i++) {
		if (strcmp(bb->attrs[i].name, a->name) == 0) {
			char where[300];
			hcl_range_format(&bb->attrs[i].name_range, where, sizeof(where));
			hcl__p_fail_r(p, ATMO_EINVALID, a->name_range, "Attribute redefined",
				      "The argument \"%s\" was already set at %s. Each argument "
				      "may be set only once.",
				      a->name, where);
			return -1;
		}
	}
	slot = hcl__p_push(p, (void **)&bb->attrs, &bb->n_attrs, &bb->cap_attrs, sizeof(*slot));
	if (!slot)
		return -1;
	*slot = *a;
	return 0;
}

static hcl_body *parse_body(parser *p, tok_type end, token open);

/* name = expr, after the name; single: inside a one-line block */
static int parse_attr(parser *p, token ident, int single, hcl_attr *a)
{
	token t;
	memset(a, 0, sizeof(*a));
	hcl__p_next(p); /* = */
	a->name = hcl__p_tok_text(p, ident);
	a->name_range = hcl__p_trange(p, ident);
	if (!a->name || !(a->expr = hcl__p_parse_expr(p)))
		return -1;
	a->range = hcl__p_between(a->name_range, a->expr->range);
	if (single)
		return 0;
	t = hcl__p_peek(p);
	if (p->err)
		return -1;
	if (t.t != T_NL && t.t != T_EOF) {
		if (t.t == T_COMMA)
			hcl__p_fail_r(
				p, ATMO_EINVALID, hcl__p_trange(p, t),
				"Unexpected comma after argument",
				"Argument definitions must be separated by newlines, not commas. "
				"An argument definition must end with a newline.");
		else
			hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
				      "Missing newline after argument",
				      "An argument definition must end with a newline.");
		return -1;
	}
	hcl__p_next(p);
	return 0;
}

static int parse_label(parser *p, token open, const char **out, hcl_range *r)
{
	ritems ri = { NULL, 0, 0 };
	hcl_range close;
	size_t i, tot = 0;
	char *s;
	if (hcl__p_scan_template(p, &ri, TM_QUOTED, NULL, 0, 1, &close) < 0) {
		hcl__p_ritems_free(&ri);
		return -1;
	}
	for (i = 0; i < ri.n; i++)
		tot += ri.it[i].len;
	s = hcl__p_alloc(p, tot + 1);
	if (s) {
		tot = 0;
		for (i = 0; i < ri.n; i++) {
			memcpy(s + tot, ri.it[i].s, ri.it[i].len);
			tot += ri.it[i].len;
		}
		s[tot] = '\0';
		if (!hcl__nfc_quick(s, tot)) {
			size_t nl;
			char *nf = hcl__nfc(s, tot, &nl);
			s = nf ? hcl__p_adup(p, nf, nl) : hcl__p_nomem(p);
			atmo__free(nf);
		}
	}
	hcl__p_ritems_free(&ri);
	*out = s;
	*r = hcl__p_between(hcl__p_trange(p, open), close);
	return s ? 0 : -1;
}

static int parse_block(parser *p, token ident, hcl_block *blk)
{
	const char **labels = NULL, **ls;
	hcl_range *lranges = NULL, *lr;
	size_t n = 0, cap = 0, n2 = 0, cap2 = 0;
	token t, ob;
	memset(blk, 0, sizeof(*blk));
	blk->type = hcl__p_tok_text(p, ident);
	blk->type_range = hcl__p_trange(p, ident);
	if (!blk->type)
		return -1;
	for (;;) {
		t = hcl__p_peek(p);
		if (p->err)
			return -1;
		if (t.t == T_LBRACE) {
			ob = hcl__p_next(p);
			break;
		}
		if (t.t == T_OQUOTE || t.t == T_IDENT) {
			if (!(ls = hcl__p_push(p, (void **)&labels, &n, &cap, sizeof(*ls))) ||
			    !(lr = hcl__p_push(p, (void **)&lranges, &n2, &cap2, sizeof(*lr))))
				return -1;
			hcl__p_next(p);
			if (t.t == T_IDENT) {
				*ls = hcl__p_tok_text(p, t);
				*lr = hcl__p_trange(p, t);
				if (!*ls)
					return -1;
			} else if (parse_label(p, t, ls, lr) < 0) {
				return -1;
			}
			continue;
		}
		if (t.t == T_EQ)
			hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
				      "Invalid block definition",
				      "The equals sign \"=\" indicates an argument definition, and "
				      "must not be used when defining a block.");
		else if (t.t == T_NL)
			hcl__p_fail_r(
				p, ATMO_EINVALID, hcl__p_trange(p, t), "Invalid block definition",
				"A block definition must have block content delimited by \"{\" and "
				"\"}\", starting on the same line as the block header.");
		else
			hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
				      "Invalid block definition",
				      "Either a quoted string block label or an opening brace "
				      "(\"{\") is expected here.");
		return -1;
	}
	blk->labels = labels;
	blk->label_ranges = lranges;
	blk->n_labels = n;
	blk->range = hcl__p_between(blk->type_range, n ? lranges[n - 1] : blk->type_range);
	t = hcl__p_peek(p);
	if (p->err)
		return -1;
	if (t.t == T_NL || t.t == T_EOF || t.t == T_RBRACE) {
		if (!(blk->body = parse_body(p, T_RBRACE, ob)))
			return -1;
	} else {
		/* a one-line block: one attribute, then the closing brace */
		token id = hcl__p_next(p), nx;
		hcl_attr a;
		if (id.t != T_IDENT) {
			hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, id),
				      "Argument or block definition required",
				      "An argument or block definition is required here.");
			return -1;
		}
		nx = hcl__p_peek(p);
		if (p->err)
			return -1;
		if (nx.t == T_OQUOTE || nx.t == T_LBRACE || nx.t == T_IDENT) {
			hcl__p_fail_r(
				p, ATMO_EINVALID, hcl__p_mkrange(p, id.s, nx.e),
				"Argument definition required",
				"A single-line block definition can contain only a single "
				"argument. If you meant to "
				"define argument \"%.*s\", use an equals sign to assign it a "
				"value. To define a nested "
				"block, place it on a line of its own within its parent block.",
				(int)(id.e.byte - id.s.byte), p->src + (id.s.byte - p->base));
			return -1;
		}
		if (nx.t != T_EQ) {
			hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, id),
				      "Argument or block definition required",
				      "An argument or block definition is required here. To set an "
				      "argument, use the "
				      "equals sign \"=\" to introduce the argument value.");
			return -1;
		}
		if (parse_attr(p, id, 1, &a) < 0)
			return -1;
		t = hcl__p_peek(p);
		if (p->err)
			return -1;
		if (t.t == T_COMMA) {
			hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
				      "Invalid single-argument block definition",
				      "Single-line block syntax can include only one argument "
				      "definition. To define "
				      "multiple arguments, use the multi-line block syntax with "
				      "one argument definition per line.");
			return -1;
		}
		if (t.t == T_NL) {
			hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
				      "Invalid single-argument block definition",
				      "An argument definition on the same line as its containing "
				      "block creates a "
				      "single-line block definition, which must also be closed on "
				      "the same line. Place "
				      "the block's closing brace immediately after the argument "
				      "definition.");
			return -1;
		}
		if (t.t == T_EOF) {
			hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, ob),
				      "Unclosed configuration block",
				      "There is no closing brace for this block before the end of "
				      "the file. This may be "
				      "caused by incorrect brace nesting elsewhere in this file.");
			return -1;
		}
		if (t.t != T_RBRACE) {
			hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
				      "Invalid single-argument block definition",
				      "A single-line block definition must end with a closing "
				      "brace immediately after "
				      "its single argument definition.");
			return -1;
		}
		hcl__p_next(p);
		if (!(blk->body = hcl__p_alloc(p, sizeof(hcl_body))) ||
		    !(blk->body->attrs = hcl__p_alloc(p, sizeof(hcl_attr))))
			return -1;
		blk->body->attrs[0] = a;
		blk->body->n_attrs = 1;
		blk->body->range = hcl__p_mkrange(p, ob.s, p->prev_end);
	}
	t = hcl__p_peek(p);
	if (p->err)
		return -1;
	if (t.t != T_NL && t.t != T_EOF) {
		hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
			      "Missing newline after block definition",
			      "A block definition must end with a newline.");
		return -1;
	}
	hcl__p_next(p);
	return 0;
}

/*
 * HCL's parser does not stop at a body item it cannot read: it records the
 * diagnostic, skips to the next newline outside brackets and strings
 * (recoverAfterBodyItem) and reads on, so every such line is reported. The
 * first error is kept in p->first and the others counted; the file still
 * fails. Returns 0, or -1 when the error cannot be recovered from.
 */
static int recover_item(parser *p)
{
	char open[64];
	size_t n = 0, deep = 0; /* deep: openers past the stack */
	hcl_pos q = p->pos;
	int c;

	if (p->err != ATMO_EINVALID)
		return -1;
	if (!p->n_recovered++) {
		if (p->diag)
			p->first = *p->diag;
	} else {
		p->first.n_more++;
	}
	p->err = 0;
	p->have_peek = 0;
	while ((c = hcl__p_at(p, q.byte)) >= 0) {
		int in_str = !deep && n && open[n - 1] == '"';
		int c2 = hcl__p_at(p, q.byte + 1);
		if (in_str) {
			if (c == '\\') {
				hcl__p_advance(p, &q, 2);
				continue;
			}
			if ((c == '$' || c == '%') && c2 == c && hcl__p_at(p, q.byte + 2) == '{') {
				hcl__p_advance(p, &q, 3); /* $${ and %%{ are literal */
				continue;
			}
			if ((c == '$' || c == '%') && c2 == '{') {
				if (n < sizeof(open))
					open[n++] = 'i';
				else
					deep++;
				hcl__p_advance(p, &q, 2);
				continue;
			}
			if (c == '"' || c == '\n') /* a newline ends an unclosed quoted string */
				n--;
			if (c == '\n' && !n && !deep) {
				hcl__p_advance(p, &q, 1);
				break;
			}
			hcl__p_advance(p, &q, 1);
			continue;
		}
		if (c == '#' || (c == '/' && c2 == '/')) {
			while ((c = hcl__p_at(p, q.byte)) >= 0 && c != '\n')
				hcl__p_advance(p, &q, 1);
			continue;
		}
		if (c == '/' && c2 == '*') {
			hcl__p_advance(p, &q, 2);
			while ((c = hcl__p_at(p, q.byte)) >= 0 &&
			       !(c == '*' && hcl__p_at(p, q.byte + 1) == '/'))
				hcl__p_advance(p, &q, 1);
			hcl__p_advance(p, &q, 2);
			continue;
		}
		if (c == '\n' && !n && !deep) {
			hcl__p_advance(p, &q, 1);
			break;
		}
		if (c == '"' || c == '{' || c == '[' || c == '(') {
			if (n < sizeof(open) && !deep)
				open[n++] = (char)c;
			else
				deep++;
		} else if (c == '}' || c == ']' || c == ')') {
			/* as HCL: close the nearest matching opener, dropping the ones above it */
			char want = c == '}' ? '{' : c == ']' ? '[' : '(';
			if (deep) {
				deep--;
			} else {
				size_t k = n;
				while (k > 0 && open[k - 1] != want &&
				       !(want == '{' && open[k - 1] == 'i'))
					k--;
				if (k > 0)
					n = k - 1;
			}
		}
		hcl__p_advance(p, &q, 1);
	}
	p->pos = q;
	p->prev_end = q;
	p->nl = 1;
	return 0;
}

static hcl_body *parse_body(parser *p, tok_type end, token open)
{
	body_b bb;
	hcl_body *body;
	hcl_pos start = end == T_EOF ? p->pos : open.s;
	memset(&bb, 0, sizeof(bb));
	if (hcl__p_depth_in(p, hcl__p_trange(p, open)) < 0)
		return NULL;
	p->nl = 1;
	for (;;) {
		token t = hcl__p_peek(p);
		if (p->err)
			return NULL;
		if (t.t == end) {
			hcl__p_next(p);
			break;
		}
		if (t.t == T_NL) {
			hcl__p_next(p);
			continue;
		}
		if (t.t == T_IDENT) {
			token nx;
			hcl__p_next(p);
			nx = hcl__p_peek(p);
			if (p->err)
				return NULL;
			if (nx.t == T_EQ) {
				hcl_attr a;
				if (parse_attr(p, t, 0, &a) < 0 || add_attr(p, &bb, &a) < 0)
					return NULL;
			} else if (nx.t == T_OQUOTE || nx.t == T_LBRACE || nx.t == T_IDENT) {
				hcl_block *slot = hcl__p_push(p, (void **)&bb.blocks, &bb.n_blocks,
							      &bb.cap_blocks, sizeof(*slot));
				if (!slot || parse_block(p, t, slot) < 0)
					return NULL;
			} else {
				hcl__p_fail_r(
					p, ATMO_EINVALID, hcl__p_trange(p, t),
					"Argument or block definition required",
					"An argument or block definition is required here. To set "
					"an argument, use "
					"the equals sign \"=\" to introduce the argument value.");
				if (recover_item(p) < 0)
					return NULL;
			}
			p->nl = 1;
			continue;
		}
		if (t.t == T_OQUOTE)
			return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
					     "Invalid argument name",
					     "Argument names must not be quoted.");
		if (t.t == T_EOF) {
			if (end == T_RBRACE)
				return hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, open),
						     "Unclosed configuration block",
						     "There is no closing brace for this block "
						     "before the end of the file. "
						     "This may be caused by incorrect brace "
						     "nesting elsewhere in this file.");
		}
		hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
			      "Argument or block definition required",
			      "An argument or block definition is required here.");
		if (recover_item(p) < 0)
			return NULL;
	}
	p->depth--;
	body = hcl__p_alloc(p, sizeof(*body));
	if (!body)
		return NULL;
	body->attrs = bb.attrs;
	body->n_attrs = bb.n_attrs;
	body->blocks = bb.blocks;
	body->n_blocks = bb.n_blocks;
	body->range = hcl__p_mkrange(p, start, p->prev_end);
	return body;
}

/* ---- files ------------------------------------------------------------------ */

hcl_file *hcl__file_new(const char *src, size_t len, const char *filename)
{
	hcl_file *f = atmo__calloc(1, sizeof(*f), NULL);
	if (!f)
		return NULL;
	f->name = atmo__strdup(filename ? filename : "<string>", NULL);
	f->src = atmo__malloc(len + 1, NULL);
	if (!f->name || !f->src) {
		hcl_file_free(f);
		return NULL;
	}
	if (len)
		memcpy(f->src, src, len);
	f->src[len] = '\0';
	f->len = len;
	return f;
}

hcl_value *hcl__file_own(hcl_file *f, hcl_value *v)
{
	if (!v)
		return NULL;
	if (f->n_owned == f->cap_owned &&
	    ATMO__GROW(f->owned, f->cap_owned, f->n_owned + 1, NULL) < 0) {
		hcl_value_unref(v);
		return NULL;
	}
	f->owned[f->n_owned++] = v;
	return v;
}

hcl_body *hcl_file_body(const hcl_file *f)
{
	return f ? f->body : NULL;
}

const char *hcl_file_name(const hcl_file *f)
{
	return f ? f->name : NULL;
}

void hcl_file_free(hcl_file *f)
{
	size_t i;
	if (!f)
		return;
	for (i = 0; i < f->n_owned; i++)
		hcl_value_unref(f->owned[i]);
	atmo__free(f->owned);
	atmo__arena_free(&f->arena);
	atmo__free(f->name);
	atmo__free(f->src);
	atmo__free(f);
}

int hcl_parse(hcl_file **out, const char *src, size_t len, const char *filename, hcl_diag *diag)
{
	parser p;
	hcl_file *f;
	token none;
	*out = NULL;
	if (diag)
		memset(diag, 0, sizeof(*diag));
	if (len > MAX_INPUT) {
		hcl_range r;
		memset(&r, 0, sizeof(r));
		r.filename = filename;
		r.start.line = r.end.line = 1;
		r.start.column = r.end.column = 1;
		return hcl__diag(diag, ATMO_ELIMIT, &r, "Input too large",
				 "An HCL file may hold at most %zu MiB.", MAX_INPUT >> 20);
	}
	f = hcl__file_new(src, len, filename);
	if (!f) {
		hcl_range r;
		memset(&r, 0, sizeof(r));
		r.filename = filename;
		return hcl__diag(diag, ATMO_ENOMEM, &r, "Out of memory",
				 "The parser ran out of memory.");
	}
	memset(&p, 0, sizeof(p));
	p.f = f;
	p.src = f->src;
	p.end = (long)len;
	p.pos.line = p.pos.column = 1;
	p.prev_end = p.pos;
	p.diag = diag;
	p.nl = 1;
	p.nfc = 1;
	/* a byte order mark is not part of the text */
	if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) {
		p.pos.byte = 3;
		p.pos.column = 2;
	}
	none.t = T_EOF;
	none.s = none.e = p.pos;
	f->body = parse_body(&p, T_EOF, none);
	if (p.n_recovered && (f->body || p.err == ATMO_EINVALID)) {
		/* the errors read past are the file's diagnostics: the first, and a count */
		if (!f->body)
			p.first.n_more++;
		if (diag)
			*diag = p.first;
		f->body = NULL;
		p.err = ATMO_EINVALID;
	}
	if (!f->body) {
		int code = p.err ? p.err : ATMO_ENOMEM;
		if (diag && diag->subject.filename == f->name)
			diag->subject.filename = filename; /* f->name dies with f */
		hcl_file_free(f);
		return code;
	}
	*out = f;
	return 0;
}
