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
#include "hcl/hcl_int.h"
#include "hcl/nfc.h"
#include "util/buf.h"
#include "util/alloc.h"

#define MAX_DEPTH 256
#define MAX_INPUT ((size_t)64 << 20)

typedef enum {
	T_EOF, T_NL, T_IDENT, T_NUM, T_OQUOTE, T_OHEREDOC, T_LBRACE, T_RBRACE, T_STRIP_RBRACE,
	T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN, T_COMMA, T_DOT, T_ELLIPSIS, T_STAR, T_SLASH,
	T_PERCENT, T_PLUS, T_MINUS, T_EQ, T_EQEQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_AND, T_OR,
	T_BANG, T_QUESTION, T_COLON, T_DCOLON, T_ARROW, T_INVALID, T_BADCOMMENT
} tok_type;

typedef struct {
	tok_type t;
	hcl_pos s, e;
} token;

typedef struct {
	hcl_file *f;
	const char *src;        /* text being read; src[pos.byte - base] */
	long base;
	long end;               /* byte offset just past the text */
	hcl_pos pos;            /* where the next token starts (before skipped space) */
	hcl_pos prev_end;       /* end of the last token read */
	int nl;                 /* newlines are tokens */
	int have_peek, peek_nl;
	token peek;
	hcl_diag *diag;
	int err;                /* the first error's code, 0 while none */
	int depth;
	int nfc;                /* normalize string literals (the native syntax) */
	hcl_diag first;         /* the first error recovered from (see recover_item) */
	size_t n_recovered;     /* errors recovered from */
} parser;

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

static hcl_range mkrange(parser *p, hcl_pos s, hcl_pos e)
{
	hcl_range r;
	r.filename = p->f->name;
	r.start = s;
	r.end = e;
	return r;
}

static hcl_range between(hcl_range a, hcl_range b)
{
	hcl_range r = a;
	r.end = b.end;
	return r;
}

/* Record the first error; returns NULL for the callers' convenience. */
static void *fail_r(parser *p, int code, hcl_range r, const char *summary, const char *fmt, ...)
	ATMO_PRINTF(5, 6);
static void *fail_r(parser *p, int code, hcl_range r, const char *summary, const char *fmt, ...)
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

static void *nomem(parser *p)
{
	hcl_range r = mkrange(p, p->pos, p->pos);
	return fail_r(p, ATMO_ENOMEM, r, "Out of memory", "The parser ran out of memory.");
}

static void *alloc(parser *p, size_t n)
{
	void *m = atmo__arena_alloc(&p->f->arena, n);
	if (!m)
		return nomem(p);
	memset(m, 0, n);
	return m;
}

static char *adup(parser *p, const char *s, size_t n)
{
	char *c = atmo__arena_strndup(&p->f->arena, s, n);
	if (!c)
		nomem(p);
	return c;
}

static hcl_expr *node(parser *p, hcl_expr_kind k, hcl_range r)
{
	hcl_expr *e = alloc(p, sizeof(*e));
	if (e) {
		e->kind = k;
		e->range = r;
	}
	return e;
}

/* Grow an arena array of items of size sz by one slot; returns the slot. */
static void *push(parser *p, void **arr, size_t *n, size_t *cap, size_t sz)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		void *na = alloc(p, nc * sz);
		if (!na)
			return NULL;
		if (*n)
			memcpy(na, *arr, *n * sz);
		*arr = na;
		*cap = nc;
	}
	return (char *)*arr + (*n)++ * sz;
}

static hcl_expr *lit_node(parser *p, hcl_value *v, hcl_range r)
{
	hcl_expr *e;
	if (!v)
		return nomem(p);
	if (!hcl__file_own(p->f, v))
		return nomem(p);
	e = node(p, HE_LITERAL, r);
	if (e)
		e->u.lit = v;
	return e;
}

static int depth_in(parser *p, hcl_range r)
{
	if (++p->depth > MAX_DEPTH) {
		fail_r(p, ATMO_ELIMIT, r, "Nesting too deep",
		       "Expressions and blocks may nest at most %d levels deep.", MAX_DEPTH);
		return -1;
	}
	return 0;
}

/* ---- characters ------------------------------------------------------------ */

static int at(const parser *p, long byte)
{
	return byte < p->end ? (unsigned char)p->src[byte - p->base] : -1;
}

static void advance(parser *p, hcl_pos *q, long n)
{
	while (n-- > 0 && q->byte < p->end) {
		unsigned char c = (unsigned char)p->src[q->byte - p->base];
		q->byte++;
		if (c == '\n') {
			q->line++;
			q->column = 1;
		} else if ((c & 0xC0) != 0x80) {
			q->column++;
		}
	}
}

static int is_id_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_id_cont(int c)
{
	return is_id_start(c) || (c >= '0' && c <= '9') || c == '-';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

int hcl__space_at(const unsigned char *s, size_t len, size_t *w)
{
	unsigned c = s[0];
	*w = 1;
	if (c == ' ' || (c >= '\t' && c <= '\r'))
		return 1;
	if (c < 0x80)
		return 0;
	/* the Unicode White_Space runes above ASCII (Go's unicode.IsSpace) */
	if (c == 0xC2 && len >= 2 && (s[1] == 0x85 || s[1] == 0xA0)) {
		*w = 2;
		return 1;
	}
	if (len >= 3) {
		unsigned r = ((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		if ((c & 0xF0) == 0xE0 &&
		    (r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 ||
		     r == 0x202F || r == 0x205F || r == 0x3000)) {
			*w = 3;
			return 1;
		}
	}
	return 0;
}

/* ---- lexer ----------------------------------------------------------------- */

/* Length of a heredoc introducer "<<-?ID\n" at b, 0 when there is none. */
static long heredoc_intro(const parser *p, long b)
{
	long i = b + 2;
	if (at(p, b) != '<' || at(p, b + 1) != '<')
		return 0;
	if (at(p, i) == '-')
		i++;
	if (!is_id_start(at(p, i)))
		return 0;
	while (is_id_cont(at(p, i)))
		i++;
	if (at(p, i) == '\r' && at(p, i + 1) == '\n')
		i++;
	if (at(p, i) != '\n')
		return 0;
	return i + 1 - b;
}

static token lex(parser *p, hcl_pos q, int nl)
{
	token t;
	int c, d;
	long n = 1;
	for (;;) {
		c = at(p, q.byte);
		if (c == ' ' || c == '\t' || c == '\r') {
			advance(p, &q, 1);
		} else if (c == '#' || (c == '/' && at(p, q.byte + 1) == '/')) {
			const char *s = p->src + (q.byte - p->base);
			const char *e = memchr(s, '\n', (size_t)(p->end - q.byte));
			advance(p, &q, e ? (long)(e - s) : p->end - q.byte);
		} else if (c == '/' && at(p, q.byte + 1) == '*') {
			const char *s = p->src + (q.byte - p->base);
			const char *e = memmem(s + 2, (size_t)(p->end - q.byte - 2), "*/", 2);
			if (!e) {
				t.t = T_BADCOMMENT;
				t.s = q;
				advance(p, &q, 2);
				t.e = q;
				return t;
			}
			advance(p, &q, (long)(e - s) + 2);
		} else if (c == '\n' && !nl) {
			advance(p, &q, 1);
		} else {
			break;
		}
	}
	t.s = q;
	d = at(p, q.byte + 1);
	switch (c) {
	case -1: t.t = T_EOF; n = 0; break;
	case '\n': t.t = T_NL; break;
	case '{': t.t = T_LBRACE; break;
	case '}': t.t = T_RBRACE; break;
	case '~':
		if (d == '}') {
			t.t = T_STRIP_RBRACE;
			n = 2;
		} else {
			t.t = T_INVALID;
		}
		break;
	case '[': t.t = T_LBRACK; break;
	case ']': t.t = T_RBRACK; break;
	case '(': t.t = T_LPAREN; break;
	case ')': t.t = T_RPAREN; break;
	case ',': t.t = T_COMMA; break;
	case '"': t.t = T_OQUOTE; break;
	case '.':
		if (d == '.' && at(p, q.byte + 2) == '.') {
			t.t = T_ELLIPSIS;
			n = 3;
		} else {
			t.t = T_DOT;
		}
		break;
	case '*': t.t = T_STAR; break;
	case '/': t.t = T_SLASH; break;
	case '%': t.t = T_PERCENT; break;
	case '+': t.t = T_PLUS; break;
	case '-': t.t = T_MINUS; break;
	case '?': t.t = T_QUESTION; break;
	case ':':
		if (d == ':') {
			t.t = T_DCOLON;
			n = 2;
		} else {
			t.t = T_COLON;
		}
		break;
	case '=':
		if (d == '=') {
			t.t = T_EQEQ;
			n = 2;
		} else if (d == '>') {
			t.t = T_ARROW;
			n = 2;
		} else {
			t.t = T_EQ;
		}
		break;
	case '!':
		if (d == '=') {
			t.t = T_NE;
			n = 2;
		} else {
			t.t = T_BANG;
		}
		break;
	case '<':
		if ((n = heredoc_intro(p, q.byte)) > 0) {
			t.t = T_OHEREDOC;
		} else if (d == '=') {
			t.t = T_LE;
			n = 2;
		} else {
			t.t = T_LT;
			n = 1;
		}
		break;
	case '>':
		if (d == '=') {
			t.t = T_GE;
			n = 2;
		} else {
			t.t = T_GT;
		}
		break;
	case '&':
		t.t = d == '&' ? T_AND : T_INVALID;
		n = d == '&' ? 2 : 1;
		break;
	case '|':
		t.t = d == '|' ? T_OR : T_INVALID;
		n = d == '|' ? 2 : 1;
		break;
	default:
		if (is_digit(c)) {
			long i = q.byte;
			t.t = T_NUM;
			while (is_digit(at(p, i)))
				i++;
			if (at(p, i) == '.' && is_digit(at(p, i + 1))) {
				i++;
				while (is_digit(at(p, i)))
					i++;
			}
			if ((at(p, i) == 'e' || at(p, i) == 'E') &&
			    (is_digit(at(p, i + 1)) ||
			     ((at(p, i + 1) == '+' || at(p, i + 1) == '-') && is_digit(at(p, i + 2))))) {
				i += 2;
				while (is_digit(at(p, i)))
					i++;
			}
			n = i - q.byte;
		} else if (is_id_start(c)) {
			long i = q.byte + 1;
			t.t = T_IDENT;
			while (is_id_cont(at(p, i)))
				i++;
			n = i - q.byte;
		} else {
			t.t = T_INVALID;
			n = 1;
			while (q.byte + n < p->end && (at(p, q.byte + n) & 0xC0) == 0x80)
				n++;
		}
	}
	advance(p, &q, n);
	t.e = q;
	return t;
}

static token peek(parser *p)
{
	if (!p->have_peek || p->peek_nl != p->nl) {
		p->peek = lex(p, p->pos, p->nl);
		p->have_peek = 1;
		p->peek_nl = p->nl;
		if (p->peek.t == T_INVALID)
			fail_r(p, ATMO_EINVALID, mkrange(p, p->peek.s, p->peek.e), "Invalid character",
			       "This character is not used within the language.");
		else if (p->peek.t == T_BADCOMMENT)
			fail_r(p, ATMO_EINVALID, mkrange(p, p->peek.s, p->peek.e), "Unterminated comment",
			       "There is no closing marker for this comment before the end of the file.");
	}
	return p->peek;
}

static token next(parser *p)
{
	token t = peek(p);
	p->have_peek = 0;
	p->pos = t.e;
	p->prev_end = t.e;
	return t;
}

static hcl_range trange(parser *p, token t)
{
	return mkrange(p, t.s, t.e);
}

/* Move the read position to q (after raw template scanning). */
static void seek(parser *p, hcl_pos q)
{
	p->pos = q;
	p->prev_end = q;
	p->have_peek = 0;
}

static int tok_is(const parser *p, token t, const char *kw)
{
	size_t n = strlen(kw);
	return t.t == T_IDENT && (size_t)(t.e.byte - t.s.byte) == n &&
	       memcmp(p->src + (t.s.byte - p->base), kw, n) == 0;
}

static const char *tok_text(parser *p, token t)
{
	return adup(p, p->src + (t.s.byte - p->base), (size_t)(t.e.byte - t.s.byte));
}

/* ---- templates ------------------------------------------------------------- */

enum { R_LIT, R_INTERP, R_IF, R_ELSE, R_ENDIF, R_FOR, R_ENDFOR };

typedef struct {
	int kind;
	char *s;                /* literal text (atmo__malloc'd while parsing) */
	size_t len;
	hcl_range r;
	int strip_l, strip_r;
	hcl_expr *e;
	const char *k, *v;
} ritem;

typedef struct {
	ritem *it;
	size_t n, cap;
} ritems;

static void ritems_free(ritems *ri)
{
	size_t i;
	for (i = 0; i < ri->n; i++)
		atmo__free(ri->it[i].s);
	atmo__free(ri->it);
}

static ritem *ritems_add(parser *p, ritems *ri, int kind)
{
	if (ri->n == ri->cap) {
		size_t nc = ri->cap ? ri->cap * 2 : 8;
		ritem *ni = atmo__realloc(ri->it, nc * sizeof(*ni), NULL);
		if (!ni)
			return nomem(p);
		ri->it = ni;
		ri->cap = nc;
	}
	memset(&ri->it[ri->n], 0, sizeof(ritem));
	ri->it[ri->n].kind = kind;
	return &ri->it[ri->n++];
}

/* Close the literal gathered in b (if any) as an item. */
static int lit_flush(parser *p, ritems *ri, atmo_buf *b, hcl_pos s, hcl_pos e)
{
	ritem *it;
	if (b->oom)
		return nomem(p), -1;
	if (!b->len)
		return 0;
	it = ritems_add(p, ri, R_LIT);
	if (!it)
		return -1;
	it->len = b->len;
	it->s = atmo__buf_detach(b);
	it->r = mkrange(p, s, e);
	return 0;
}

static hcl_expr *parse_expr(parser *p);

/* After "${" or "%{": an optional "~" */
static int strip_mark(parser *p, hcl_pos *q)
{
	if (at(p, q->byte) == '~') {
		advance(p, q, 1);
		return 1;
	}
	return 0;
}

/* The "}" or "~}" closing a sequence opened at open (directive: its keyword, NULL for ${); *strip when "~}". */
static int seq_end(parser *p, int *strip, const char *directive, hcl_range open)
{
	token t;
	p->nl = 0;
	t = peek(p);
	if (p->err)
		return -1;
	if (t.t != T_RBRACE && t.t != T_STRIP_RBRACE) {
		char summary[64];
		if (!directive) {
			if (t.t == T_EOF || t.t == T_OQUOTE)
				fail_r(p, ATMO_EINVALID, open, "Unclosed template interpolation sequence",
				       "There is no closing brace for this interpolation sequence before the end of the %s. "
				       "This might be caused by incorrect nesting inside the given expression.",
				       t.t == T_EOF ? "file" : "quoted template");
			else if (t.t == T_COLON)
				fail_r(p, ATMO_EINVALID, trange(p, t), "Extra characters after interpolation expression",
				       "Template interpolation doesn't expect a colon at this location. Did you intend this "
				       "to be a literal sequence to be processed as part of another language? If so, you "
				       "can escape it by starting with \"$${\" instead of just \"${\".");
			else
				fail_r(p, ATMO_EINVALID, trange(p, t), "Extra characters after interpolation expression",
				       "Expected a closing brace to end the interpolation expression, but found extra "
				       "characters.\n\nThis can happen when you include interpolation syntax for another "
				       "language, such as shell scripting, but forget to escape the interpolation start "
				       "token. If this is an embedded sequence for another language, escape it by starting "
				       "with \"$${\" instead of just \"${\".");
			return -1;
		}
		snprintf(summary, sizeof(summary), "Extra characters in %s marker", directive);
		fail_r(p, ATMO_EINVALID, trange(p, t), summary,
		       "Expected a closing brace to end the sequence, but found extra characters.");
		return -1;
	}
	next(p);
	*strip = t.t == T_STRIP_RBRACE;
	return 0;
}

static const char *rname(int kind)
{
	switch (kind) {
	case R_IF: return "if";
	case R_ELSE: return "else";
	case R_ENDIF: return "endif";
	case R_FOR: return "for";
	default: return "endfor";
	}
}

/* A %{ directive starting after "%{" (q after the optional ~). */
static int parse_directive(parser *p, ritems *ri, hcl_pos open, hcl_pos q, int strip_l)
{
	token kw, t;
	ritem *it;
	int kind, saved_nl = p->nl;
	seek(p, q);
	p->nl = 0;
	kw = next(p);
	if (p->err)
		return -1;
	if (tok_is(p, kw, "if"))
		kind = R_IF;
	else if (tok_is(p, kw, "else"))
		kind = R_ELSE;
	else if (tok_is(p, kw, "endif"))
		kind = R_ENDIF;
	else if (tok_is(p, kw, "for"))
		kind = R_FOR;
	else if (tok_is(p, kw, "endfor"))
		kind = R_ENDFOR;
	else {
		fail_r(p, ATMO_EINVALID, trange(p, kw), "Invalid template directive",
		       "A template directive keyword (\"if\", \"for\", etc) is expected at the beginning "
		       "of a %%{ sequence.");
		return -1;
	}
	it = ritems_add(p, ri, kind);
	if (!it)
		return -1;
	it->strip_l = strip_l;
	if (kind == R_IF) {
		hcl_expr *e = parse_expr(p);
		if (!e)
			return -1;
		ri->it[ri->n - 1].e = e;
	} else if (kind == R_FOR) {
		const char *k = NULL, *v;
		t = next(p);
		if (t.t != T_IDENT) {
			fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid 'for' directive",
			       "For directive requires variable name after 'for'.");
			return -1;
		}
		v = tok_text(p, t);
		if (peek(p).t == T_COMMA) {
			next(p);
			k = v;
			t = next(p);
			if (t.t != T_IDENT) {
				fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid 'for' directive",
				       "For directive requires value variable name after comma.");
				return -1;
			}
			v = tok_text(p, t);
		}
		t = next(p);
		if (!tok_is(p, t, "in")) {
			fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid 'for' directive",
			       "For directive requires 'in' keyword after names.");
			return -1;
		}
		{
			hcl_expr *e = parse_expr(p);
			if (!e)
				return -1;
			it = &ri->it[ri->n - 1];
			it->e = e;
			it->k = k;
			it->v = v;
		}
	}
	if (seq_end(p, &ri->it[ri->n - 1].strip_r, rname(kind), mkrange(p, open, open)) < 0)
		return -1;
	ri->it[ri->n - 1].r = mkrange(p, open, p->prev_end);
	p->nl = saved_nl;
	return 0;
}

static int parse_interp(parser *p, ritems *ri, hcl_pos open, hcl_pos q, int strip_l)
{
	hcl_expr *e;
	int saved_nl = p->nl, strip_r = 0;
	ritem *it;
	hcl_range intro = mkrange(p, open, q); /* "${" or "${~" */
	seek(p, q);
	p->nl = 0;
	e = parse_expr(p);
	if (!e || seq_end(p, &strip_r, NULL, intro) < 0)
		return -1;
	p->nl = saved_nl;
	it = ritems_add(p, ri, R_INTERP);
	if (!it)
		return -1;
	it->e = e;
	it->strip_l = strip_l;
	it->strip_r = strip_r;
	it->r = mkrange(p, open, p->prev_end);
	return 0;
}

static size_t utf8_put(char *o, unsigned long r)
{
	if (r < 0x80) {
		o[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		o[0] = (char)(0xC0 | (r >> 6));
		o[1] = (char)(0x80 | (r & 0x3F));
		return 2;
	}
	if (r < 0x10000) {
		o[0] = (char)(0xE0 | (r >> 12));
		o[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		o[2] = (char)(0x80 | (r & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (r >> 18));
	o[1] = (char)(0x80 | ((r >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((r >> 6) & 0x3F));
	o[3] = (char)(0x80 | (r & 0x3F));
	return 4;
}

enum { TM_QUOTED, TM_HEREDOC, TM_RAW };

/*
 * Scan template content from p->pos into raw items. Quoted: up to the
 * closing quote (escapes). Heredoc: up to a line holding only the marker
 * (one literal per line, as HCL's scanner). Raw: to the end of the text.
 * no_seq: a block label, where ${ and %{ are errors. *close gets the range
 * of the closing quote or marker.
 */
static int scan_template(parser *p, ritems *ri, int mode, const char *marker, size_t mlen, int no_seq,
			 hcl_range *close)
{
	atmo_buf b = ATMO_BUF_INIT;
	hcl_pos q = p->pos, ls = q;
	int line_start = 1;
	for (;;) {
		int c = at(p, q.byte), d;
		if (mode == TM_HEREDOC && line_start) {
			/* a line of optional blanks and the marker ends the heredoc */
			long i = q.byte;
			while (at(p, i) == ' ' || at(p, i) == '\t')
				i++;
			if (i + (long)mlen <= p->end && memcmp(p->src + (i - p->base), marker, mlen) == 0 &&
			    (at(p, i + (long)mlen) == '\n' || at(p, i + (long)mlen) == -1 ||
			     (at(p, i + (long)mlen) == '\r' && at(p, i + (long)mlen + 1) == '\n'))) {
				hcl_pos ms = q;
				if (lit_flush(p, ri, &b, ls, q) < 0)
					goto fail;
				advance(p, &ms, i - q.byte);
				q = ms;
				advance(p, &q, (long)mlen);
				*close = mkrange(p, ms, q);
				break;
			}
			line_start = 0;
		}
		if (c == -1) {
			if (mode == TM_RAW) {
				if (lit_flush(p, ri, &b, ls, q) < 0)
					goto fail;
				*close = mkrange(p, q, q);
				break;
			}
			fail_r(p, ATMO_EINVALID, mkrange(p, q, q), "Unterminated template string",
			       "No closing marker was found for the string.");
			goto fail;
		}
		d = at(p, q.byte + 1);
		if (mode == TM_QUOTED && c == '"') {
			hcl_pos s = q;
			if (lit_flush(p, ri, &b, ls, q) < 0)
				goto fail;
			advance(p, &q, 1);
			*close = mkrange(p, s, q);
			break;
		}
		if (mode == TM_QUOTED && (c == '\n' || (c == '\r' && d == '\n'))) {
			hcl_pos s = q;
			advance(p, &q, c == '\r' ? 2 : 1);
			fail_r(p, ATMO_EINVALID, mkrange(p, s, q), "Invalid multi-line string",
			       "Quoted strings may not be split over multiple lines. To produce a multi-line "
			       "string, either use the \\n escape to represent a newline character or use the "
			       "\"heredoc\" multi-line template syntax.");
			goto fail;
		}
		if (mode == TM_QUOTED && c == '\\') {
			hcl_pos s = q;
			char u[4];
			unsigned long r = 0;
			int nhex = 0, i;
			switch (d) {
			case 'n': atmo__buf_putc(&b, '\n'); break;
			case 'r': atmo__buf_putc(&b, '\r'); break;
			case 't': atmo__buf_putc(&b, '\t'); break;
			case '"': atmo__buf_putc(&b, '"'); break;
			case '\\': atmo__buf_putc(&b, '\\'); break;
			case 'u': nhex = 4; break;
			case 'U': nhex = 8; break;
			default:
				advance(p, &q, d == -1 ? 1 : 2);
				if (d == -1 || d == '\n')
					fail_r(p, ATMO_EINVALID, mkrange(p, s, q), "Invalid escape sequence",
					       "Backslash must be followed by an escape sequence selector character.");
				else
					fail_r(p, ATMO_EINVALID, mkrange(p, s, q), "Invalid escape sequence",
					       "The symbol \"%c\" is not a valid escape sequence selector.", d);
				goto fail;
			}
			if (nhex) {
				for (i = 0; i < nhex; i++) {
					int h = at(p, q.byte + 2 + i);
					if (is_digit(h))
						r = r * 16 + (unsigned long)(h - '0');
					else if (h >= 'a' && h <= 'f')
						r = r * 16 + (unsigned long)(h - 'a' + 10);
					else if (h >= 'A' && h <= 'F')
						r = r * 16 + (unsigned long)(h - 'A' + 10);
					else
						break;
				}
				advance(p, &q, 2 + i);
				if (i < nhex) {
					fail_r(p, ATMO_EINVALID, mkrange(p, s, q), "Invalid escape sequence",
					       nhex == 4 ? "The \\u escape sequence must be followed by four hexadecimal digits."
							 : "The \\U escape sequence must be followed by eight hexadecimal digits.");
					goto fail;
				}
				if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) {
					fail_r(p, ATMO_EINVALID, mkrange(p, s, q), "Invalid escape sequence",
					       "Cannot encode character U+%04lx in UTF-8.", r);
					goto fail;
				}
				atmo__buf_put(&b, u, utf8_put(u, r));
			} else {
				advance(p, &q, 2);
			}
			continue;
		}
		if ((c == '$' || c == '%') && d == c && at(p, q.byte + 2) == '{') {
			atmo__buf_putc(&b, (char)c);
			atmo__buf_putc(&b, '{');
			advance(p, &q, 3);
			continue;
		}
		if ((c == '$' || c == '%') && d == '{') {
			hcl_pos open = q;
			int strip;
			if (no_seq) {
				hcl_pos e = q;
				advance(p, &e, 2);
				fail_r(p, ATMO_EINVALID, mkrange(p, q, e), "Invalid string literal",
				       "Template sequences are not allowed in this string. To include a literal "
				       "\"%c\", double it (as \"%c%c\") to escape it.", c, c, c);
				goto fail;
			}
			if (lit_flush(p, ri, &b, ls, q) < 0)
				goto fail;
			advance(p, &q, 2);
			strip = strip_mark(p, &q);
			if ((c == '$' ? parse_interp(p, ri, open, q, strip) : parse_directive(p, ri, open, q, strip)) < 0)
				goto fail;
			q = p->pos;
			ls = q;
			continue;
		}
		atmo__buf_putc(&b, (char)c);
		advance(p, &q, 1);
		if (c == '\n' && mode == TM_HEREDOC) {
			/* one literal per line, so that <<- can trim each line's indent */
			if (lit_flush(p, ri, &b, ls, q) < 0)
				goto fail;
			ls = q;
			line_start = 1;
		}
	}
	atmo__buf_free(&b);
	seek(p, q);
	return 0;
fail:
	atmo__buf_free(&b);
	if (!p->err)
		nomem(p);
	return -1;
}

static void trim_left(ritem *it)
{
	size_t i = 0, w;
	while (i < it->len && hcl__space_at((unsigned char *)it->s + i, it->len - i, &w))
		i += w;
	memmove(it->s, it->s + i, it->len - i + 1);
	it->len -= i;
}

static void trim_right(ritem *it)
{
	/* spaces are ASCII or multi-byte; walk back over whole runes */
	while (it->len) {
		size_t st = it->len - 1, w;
		while (st > 0 && ((unsigned char)it->s[st] & 0xC0) == 0x80)
			st--;
		if (!hcl__space_at((unsigned char *)it->s + st, it->len - st, &w) || st + w != it->len)
			break;
		it->len = st;
	}
	it->s[it->len] = '\0';
}

static void apply_strips(ritems *ri)
{
	size_t i;
	for (i = 0; i < ri->n; i++) {
		ritem *it = &ri->it[i];
		if (it->kind == R_LIT)
			continue;
		if (it->strip_l && i > 0 && ri->it[i - 1].kind == R_LIT)
			trim_right(&ri->it[i - 1]);
		if (it->strip_r && i + 1 < ri->n && ri->it[i + 1].kind == R_LIT)
			trim_left(&ri->it[i + 1]);
	}
}

/* Spaces at the start of s, counted in runes; bytes in *nb. */
static size_t lead_spaces(const char *s, size_t len, size_t *nb)
{
	size_t i = 0, n = 0, w;
	while (i < len && hcl__space_at((const unsigned char *)s + i, len - i, &w)) {
		i += w;
		n++;
	}
	*nb = i;
	return n;
}

/* HCL's flushHeredocTemplateParts: remove the smallest indent of all lines. */
static void flush_heredoc(ritems *ri)
{
	size_t min = (size_t)-1, i, j, nb;
	int newline = 1;
	for (i = 0; i < ri->n; i++) {
		ritem *it = &ri->it[i];
		if (newline) {
			size_t sp;
			newline = 0;
			if (it->kind == R_LIT) {
				sp = lead_spaces(it->s, it->len, &nb);
				if (nb == it->len && it->len && it->s[it->len - 1] == '\n')
					sp = (size_t)-1; /* a blank line does not count */
				else
					it->strip_r = -1; /* mark: adjust this one */
			} else {
				sp = 0;
			}
			if (sp < min)
				min = sp;
		}
		if (it->kind == R_LIT && it->len && it->s[it->len - 1] == '\n')
			newline = 1;
	}
	for (i = 0; i < ri->n; i++) {
		ritem *it = &ri->it[i];
		size_t k = 0, w;
		if (it->kind != R_LIT || it->strip_r != -1)
			continue;
		it->strip_r = 0;
		for (j = 0; j < min && k < it->len; j++) {
			if (!hcl__space_at((unsigned char *)it->s + k, it->len - k, &w))
				break;
			k += w;
		}
		memmove(it->s, it->s + k, it->len - k + 1);
		it->len -= k;
	}
}

/* A string value of literal text, NFC-normalized in the native syntax as HCL does. */
static hcl_value *literal_string(parser *p, const char *s, size_t len)
{
	char *n;
	size_t nl;
	if (!p->nfc || hcl__nfc_quick(s, len))
		return hcl_string(s, len);
	n = hcl__nfc(s, len, &nl);
	return n ? hcl_string_take(n, nl) : NULL;
}

/*
 * Build template parts from items [*i ...): at the root (open NULL), in an
 * if (open R_IF, in_else after its else) or in a for. Stops before the
 * directive closing the current one; unbalanced directives get HCL's
 * templateParser messages. end_r: where the template ends.
 */
static hcl_expr *build_tpl(parser *p, ritems *ri, size_t *i, const ritem *open, int in_else, hcl_range r,
			   hcl_range end_r)
{
	hcl_expr *t = node(p, HE_TEMPLATE, r), **parts = NULL;
	size_t n = 0, cap = 0;
	hcl_expr **slot;
	char where[300];
	int in_if = open && open->kind == R_IF;
	if (!t)
		return NULL;
	if (open)
		hcl_range_format(&open->r, where, sizeof(where));
	for (;;) {
		ritem *it;
		hcl_expr *e = NULL;
		if (*i >= ri->n) {
			if (!open)
				break;
			return fail_r(p, ATMO_EINVALID, end_r, "Unexpected end of template",
				      "The %s directive at %s is missing its corresponding %s directive.",
				      in_if ? "if" : "for", where, in_if ? "endif" : "endfor");
		}
		it = &ri->it[*i];
		if (it->kind == R_ELSE || it->kind == R_ENDIF || it->kind == R_ENDFOR) {
			char summary[64];
			snprintf(summary, sizeof(summary), "Unexpected %s directive", rname(it->kind));
			if (!open)
				return fail_r(p, ATMO_EINVALID, it->r, summary,
					      "The control directives within this template are unbalanced.");
			if (in_if && (it->kind == R_ENDIF || (it->kind == R_ELSE && !in_else)))
				break;
			if (!in_if && it->kind == R_ENDFOR)
				break;
			if (in_if && it->kind == R_ELSE)
				return fail_r(p, ATMO_EINVALID, it->r, summary,
					      "Already in the else clause for the if started at %s.", where);
			if (in_if)
				return fail_r(p, ATMO_EINVALID, it->r, summary,
					      "Expecting an endif directive for the if started at %s.", where);
			if (it->kind == R_ELSE)
				return fail_r(p, ATMO_EINVALID, it->r, summary,
					      "An else clause is not expected for a for directive.");
			return fail_r(p, ATMO_EINVALID, it->r, summary,
				      "Expecting an endfor directive corresponding to the for directive at %s.", where);
		}
		if (it->kind == R_LIT) {
			/* join adjacent literals (the heredoc lines) */
			atmo_buf b = ATMO_BUF_INIT;
			hcl_range lr = it->r;
			size_t blen;
			while (*i < ri->n && ri->it[*i].kind == R_LIT) {
				atmo__buf_put(&b, ri->it[*i].s, ri->it[*i].len);
				lr.end = ri->it[*i].r.end;
				(*i)++;
			}
			if (b.oom) {
				atmo__buf_free(&b);
				return nomem(p);
			}
			blen = b.len;
			if (blen)
				e = lit_node(p, literal_string(p, b.ptr, b.len), lr);
			atmo__buf_free(&b);
			if (!blen)
				continue;
			if (!e)
				return NULL;
		} else if (it->kind == R_INTERP) {
			e = it->e;
			(*i)++;
		} else {
			const ritem *dir = it;
			int is_if = it->kind == R_IF;
			hcl_expr *body, *alt = NULL;
			(*i)++;
			if (depth_in(p, dir->r) < 0)
				return NULL;
			body = build_tpl(p, ri, i, dir, 0, dir->r, end_r);
			if (body && is_if && ri->it[*i].kind == R_ELSE) {
				(*i)++;
				alt = build_tpl(p, ri, i, dir, 1, ri->it[*i - 1].r, end_r);
				if (!alt)
					body = NULL;
			}
			p->depth--;
			if (!body)
				return NULL;
			/* the body stopped at its endif / endfor */
			e = node(p, is_if ? HE_TPL_IF : HE_TPL_FOR, between(dir->r, ri->it[*i].r));
			if (!e)
				return NULL;
			if (is_if) {
				e->u.cond.c = dir->e;
				e->u.cond.t = body;
				e->u.cond.f = alt;
			} else {
				e->u.fr.coll = dir->e;
				e->u.fr.k = dir->k;
				e->u.fr.v = dir->v;
				e->u.fr.val = body;
			}
			(*i)++;
		}
		slot = push(p, (void **)&parts, &n, &cap, sizeof(*parts));
		if (!slot)
			return NULL;
		*slot = e;
	}
	t->u.tpl.parts = parts;
	t->u.tpl.n = n;
	return t;
}

/* Items to a template expression (or a wrap when it is "${x}" alone); close: where it ends. */
static hcl_expr *finish_template(parser *p, ritems *ri, hcl_range r, hcl_range close, int flush)
{
	size_t i = 0;
	hcl_expr *t;
	apply_strips(ri);
	if (flush)
		flush_heredoc(ri);
	if (ri->n == 1 && ri->it[0].kind == R_INTERP) {
		t = node(p, HE_WRAP, r);
		if (t)
			t->u.wrap = ri->it[0].e;
		return t;
	}
	return build_tpl(p, ri, &i, NULL, 0, r, close);
}

/* A quoted string without escapes or sequences (most of them): one literal, no copies on the way. */
static hcl_expr *quick_string(parser *p, token open)
{
	long b = p->pos.byte;
	hcl_pos q = p->pos, s = p->pos;
	hcl_expr *t, *lit, **parts;
	for (;; b++) {
		int c = at(p, b);
		if (c == '"')
			break;
		if (c == -1 || c == '\\' || c == '\n' || c == '\r' ||
		    ((c == '$' || c == '%') && (at(p, b + 1) == '{' || at(p, b + 1) == c)))
			return NULL; /* the general scanner handles it */
	}
	advance(p, &q, b - q.byte);
	t = node(p, HE_TEMPLATE, mkrange(p, open.s, q));
	if (!t)
		return NULL;
	if (b > s.byte) {
		lit = lit_node(p, literal_string(p, p->src + (s.byte - p->base), (size_t)(b - s.byte)), mkrange(p, s, q));
		parts = alloc(p, sizeof(*parts));
		if (!lit || !parts)
			return NULL;
		parts[0] = lit;
		t->u.tpl.parts = parts;
		t->u.tpl.n = 1;
	}
	advance(p, &q, 1);
	t->range.end = q;
	seek(p, q);
	return t;
}

/* After the opening quote or heredoc token: the template expression. */
static hcl_expr *parse_template_expr(parser *p, token open)
{
	ritems ri = { NULL, 0, 0 };
	hcl_range close, r;
	hcl_expr *t = NULL;
	if (open.t == T_OQUOTE && ((t = quick_string(p, open)) != NULL || p->err))
		return t;
	if (open.t == T_OQUOTE) {
		if (scan_template(p, &ri, TM_QUOTED, NULL, 0, 0, &close) == 0)
			t = finish_template(p, &ri, between(trange(p, open), close), close, 0);
	} else {
		long b = open.s.byte + 2;
		int flush = at(p, b) == '-';
		long ms = b + flush, me = ms;
		while (is_id_cont(at(p, me)))
			me++;
		if (scan_template(p, &ri, TM_HEREDOC, p->src + (ms - p->base), (size_t)(me - ms), 0, &close) == 0) {
			r = between(trange(p, open), close);
			t = finish_template(p, &ri, r, close, flush);
		}
	}
	ritems_free(&ri);
	return t;
}

int hcl__parse_template(hcl_file *f, const char *text, size_t len, hcl_pos start, hcl_expr **out,
			hcl_diag *diag)
{
	parser p;
	ritems ri = { NULL, 0, 0 };
	hcl_range close;
	memset(&p, 0, sizeof(p));
	p.f = f;
	p.src = text;
	p.base = start.byte;
	p.end = start.byte + (long)len;
	p.pos = start;
	p.diag = diag;
	*out = NULL;
	if (scan_template(&p, &ri, TM_RAW, NULL, 0, 0, &close) == 0)
		*out = finish_template(&p, &ri, mkrange(&p, start, close.end), close, 0);
	ritems_free(&ri);
	if (*out && (*out)->kind == HE_TEMPLATE)
		(*out)->json = 1;
	return *out ? 0 : (p.err ? p.err : ATMO_ENOMEM);
}

/* ---- expressions ------------------------------------------------------------ */

static hcl_value *number_value(parser *p, token t)
{
	double d;
	if (hcl_number_parse(p->src + (t.s.byte - p->base), (size_t)(t.e.byte - t.s.byte), &d) < 0) {
		fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid number literal",
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
		hcl_expr *r = node(p, HE_REL, between(e->range, st.range));
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
		hcl_step *na = alloc(p, cap * sizeof(*na));
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
		e->u.trav.range = between(e->u.trav.range, st.range);
	} else {
		e->u.rel.steps = arr;
		e->u.rel.n = n;
	}
	e->range = between(e->range, st.range);
	return e;
}

/* A legacy ".0" index (also inside attribute-only splats). */
static int legacy_index(parser *p, token dot, token num, hcl_step *st)
{
	const char *s = p->src + (num.s.byte - p->base);
	const char *dt = memchr(s, '.', (size_t)(num.e.byte - num.s.byte));
	hcl_value *v;
	if (dt) {
		fail_r(p, ATMO_EINVALID, trange(p, num), "Invalid legacy index syntax",
		       "When using the legacy index syntax, chaining two indexes together is not permitted. "
		       "Use the proper index syntax instead, like [%.*s][%.*s].",
		       (int)(dt - s), s, (int)(num.e.byte - num.s.byte - (dt - s) - 1), dt + 1);
		return -1;
	}
	v = number_value(p, num);
	if (!v || !hcl__file_own(p->f, v)) {
		if (!p->err)
			nomem(p);
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->kind = HCL_STEP_INDEX;
	st->key = v;
	st->range = mkrange(p, dot.s, num.e);
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
		token t = peek(p);
		if (p->err)
			return NULL;
		if (t.t == T_DOT) {
			token dot = next(p), a = peek(p);
			hcl_step st;
			if (p->err)
				return NULL;
			memset(&st, 0, sizeof(st));
			if (a.t == T_IDENT) {
				next(p);
				st.kind = HCL_STEP_ATTR;
				st.name = tok_text(p, a);
				st.range = mkrange(p, dot.s, a.e);
				if (!st.name || !(ret = add_step(p, ret, st)))
					return NULL;
			} else if (a.t == T_NUM) {
				next(p);
				if (legacy_index(p, dot, a, &st) < 0 || !(ret = add_step(p, ret, st)))
					return NULL;
			} else if (a.t == T_STAR) {
				token star = next(p);
				hcl_expr *item = node(p, HE_ANON, mkrange(p, dot.s, star.e)), *each, *sp;
				if (!item)
					return NULL;
				each = item;
				while (peek(p).t == T_DOT) {
					token d2 = next(p), a2 = peek(p);
					if (p->err)
						return NULL;
					memset(&st, 0, sizeof(st));
					if (a2.t == T_NUM) {
						next(p);
						if (legacy_index(p, d2, a2, &st) < 0)
							return NULL;
					} else if (a2.t == T_IDENT) {
						next(p);
						st.kind = HCL_STEP_ATTR;
						st.name = tok_text(p, a2);
						st.range = mkrange(p, d2.s, a2.e);
						if (!st.name)
							return NULL;
					} else if (a2.t == T_STAR) {
						return fail_r(p, ATMO_EINVALID, trange(p, a2), "Nested splat expression not allowed",
							      "A splat expression (*) cannot be used inside another attribute-only splat expression.");
					} else {
						return fail_r(p, ATMO_EINVALID, trange(p, a2), "Invalid attribute name",
							      "An attribute name is required after a dot.");
					}
					if (!(each = add_step(p, each, st)))
						return NULL;
				}
				if (p->err)
					return NULL;
				sp = node(p, HE_SPLAT, between(from->range, each->range));
				if (!sp)
					return NULL;
				sp->range = mkrange(p, ret->range.start, p->prev_end);
				sp->u.splat.src = ret;
				sp->u.splat.each = each;
				sp->u.splat.attr_only = 1;
				ret = sp;
			} else {
				return fail_r(p, ATMO_EINVALID, trange(p, a), "Invalid attribute name",
					      "An attribute name is required after a dot.");
			}
		} else if (t.t == T_LBRACK) {
			token open = next(p), c;
			if (peek(p).t == T_STAR) {
				hcl_expr *item, *each, *sp;
				next(p);
				c = next(p);
				if (c.t != T_RBRACK)
					return fail_r(p, ATMO_EINVALID, trange(p, c), "Missing close bracket on splat index",
						      "The star for a full splat operator must be immediately followed by a closing bracket (\"]\").");
				item = node(p, HE_ANON, mkrange(p, open.s, c.e));
				if (!item || depth_in(p, item->range) < 0)
					return NULL;
				each = parse_traversals(p, item);
				p->depth--;
				if (!each)
					return NULL;
				sp = node(p, HE_SPLAT, mkrange(p, ret->range.start, p->prev_end));
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
				key = parse_expr(p);
				if (!key)
					return NULL;
				c = next(p);
				if (p->err)
					return NULL;
				if (c.t != T_RBRACK)
					return fail_r(p, ATMO_EINVALID, trange(p, c), "Missing close bracket on index",
						      "The index operator must end with a closing bracket (\"]\").");
				p->nl = saved;
				if (is_static_key(key)) {
					hcl_step st;
					memset(&st, 0, sizeof(st));
					st.kind = HCL_STEP_INDEX;
					st.range = mkrange(p, open.s, c.e);
					if (key->kind == HE_LITERAL)
						st.key = key->u.lit;
					else if (key->u.tpl.n)
						st.key = key->u.tpl.parts[0]->u.lit;
					else if (!(st.key = hcl__file_own(p->f, hcl_string("", 0))))
						return nomem(p);
					if (!(ret = add_step(p, ret, st)))
						return NULL;
				} else {
					hcl_expr *ix = node(p, HE_INDEX, mkrange(p, ret->range.start, c.e));
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
	token open = next(p), t;
	hcl_expr *e, **args = NULL, **slot;
	size_t n = 0, cap = 0;
	int saved = p->nl, expand = 0;
	hcl_range name_range = trange(p, name);
	const char *fname = tok_text(p, name);
	if (!fname)
		return NULL;
	while (open.t == T_DCOLON) {
		token nn = next(p);
		if (nn.t != T_IDENT)
			return fail_r(p, ATMO_EINVALID, trange(p, nn), "Missing function name",
				      "Function scope resolution symbol :: must be followed by a function name in this scope.");
		fname = atmo__arena_printf(&p->f->arena, "%s::%.*s", fname, (int)(nn.e.byte - nn.s.byte),
					   p->src + (nn.s.byte - p->base));
		if (!fname)
			return nomem(p);
		name_range.end = nn.e;
		open = next(p);
		if (open.t != T_LPAREN && open.t != T_DCOLON)
			return fail_r(p, ATMO_EINVALID, trange(p, open), "Missing open parenthesis",
				      "Function selector must be followed by an open parenthesis to begin the function call.");
	}
	p->nl = 0;
	for (;;) {
		hcl_expr *a;
		t = peek(p);
		if (p->err)
			return NULL;
		if (t.t == T_RPAREN) {
			next(p);
			break;
		}
		if (!(a = parse_expr(p)))
			return NULL;
		if (!(slot = push(p, (void **)&args, &n, &cap, sizeof(*args))))
			return NULL;
		*slot = a;
		t = next(p);
		if (p->err)
			return NULL;
		if (t.t == T_RPAREN)
			break;
		if (t.t == T_ELLIPSIS) {
			expand = 1;
			t = next(p);
			if (t.t != T_RPAREN)
				return fail_r(p, ATMO_EINVALID, trange(p, t), "Missing closing parenthesis",
					      "An expanded function argument (with ...) must be immediately followed by closing parentheses.");
			break;
		}
		if (t.t != T_COMMA) {
			if (t.t == T_EOF)
				return fail_r(p, ATMO_EINVALID, between(name_range, trange(p, open)), "Unterminated function call",
					      "There is no closing parenthesis for this function call before the end of the file. "
					      "This may be caused by incorrect parenthesis nesting elsewhere in this file.");
			return fail_r(p, ATMO_EINVALID, trange(p, t), "Missing argument separator",
				      "A comma is required to separate each function argument from the next.");
		}
	}
	p->nl = saved;
	e = node(p, HE_CALL, mkrange(p, name.s, p->prev_end));
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
	next(p); /* for */
	t = next(p);
	if (t.t != T_IDENT)
		return p->err ? NULL : fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid 'for' expression",
					      "For expression requires variable name after 'for'.");
	v = tok_text(p, t);
	if (peek(p).t == T_COMMA) {
		next(p);
		k = v;
		t = next(p);
		if (t.t != T_IDENT)
			return p->err ? NULL : fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid 'for' expression",
						      "For expression requires value variable name after comma.");
		v = tok_text(p, t);
	}
	t = peek(p);
	if (!tok_is(p, t, "in"))
		return p->err ? NULL : fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid 'for' expression",
					      "For expression requires the 'in' keyword after its name declarations.");
	next(p);
	if (!(coll = parse_expr(p)))
		return NULL;
	t = peek(p);
	if (t.t != T_COLON)
		return p->err ? NULL : fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid 'for' expression",
					      "For expression requires a colon after the collection expression.");
	next(p);
	if (!(val = parse_expr(p)))
		return NULL;
	if (peek(p).t == T_ARROW) {
		next(p);
		key = val;
		if (!(val = parse_expr(p)))
			return NULL;
	}
	if (peek(p).t == T_ELLIPSIS) {
		ell = next(p);
		group = 1;
	}
	if (tok_is(p, peek(p), "if")) {
		next(p);
		if (!(cond = parse_expr(p)))
			return NULL;
	}
	t = peek(p);
	if (p->err)
		return NULL;
	if (t.t != close_t)
		return fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid 'for' expression",
			      "Extra characters after the end of the 'for' expression.");
	next(p);
	if (!is_obj && key)
		return fail_r(p, ATMO_EINVALID, key->range, "Invalid 'for' expression",
			      "Key expression is not valid when building a tuple.");
	if (!is_obj && group)
		return fail_r(p, ATMO_EINVALID, trange(p, ell), "Invalid 'for' expression",
			      "Grouping ellipsis (...) cannot be used when building a tuple.");
	if (is_obj && !key)
		return fail_r(p, ATMO_EINVALID, val->range, "Invalid 'for' expression",
			      "Key expression is required when building an object.");
	p->nl = saved;
	e = node(p, HE_FOR, mkrange(p, open.s, p->prev_end));
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
	if (tok_is(p, peek(p), "for")) {
		e = parse_for(p, open);
		p->nl = saved;
		return e;
	}
	for (;;) {
		hcl_expr *it;
		t = peek(p);
		if (p->err)
			return NULL;
		if (t.t == T_RBRACK) {
			next(p);
			break;
		}
		if (!(it = parse_expr(p)))
			return NULL;
		if (!(slot = push(p, (void **)&items, &n, &cap, sizeof(*items))))
			return NULL;
		*slot = it;
		t = peek(p);
		if (p->err)
			return NULL;
		if (t.t == T_RBRACK) {
			next(p);
			break;
		}
		if (t.t != T_COMMA) {
			if (t.t == T_EOF)
				return fail_r(p, ATMO_EINVALID, trange(p, open), "Unterminated tuple constructor expression",
					      "There is no corresponding closing bracket before the end of the file. "
					      "This may be caused by incorrect bracket nesting elsewhere in this file.");
			return fail_r(p, ATMO_EINVALID, trange(p, t), "Missing item separator",
				      "Expected a comma to mark the beginning of the next item.");
		}
		next(p);
	}
	p->nl = saved;
	e = node(p, HE_TUPLE, mkrange(p, open.s, p->prev_end));
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
	if (tok_is(p, peek(p), "for")) {
		e = parse_for(p, open);
		p->nl = saved;
		return e;
	}
	p->nl = 1;
	for (;;) {
		hcl_expr *k, *v, *kw;
		int force;
		t = peek(p);
		if (p->err)
			return NULL;
		if (t.t == T_NL) {
			next(p);
			continue;
		}
		if (t.t == T_RBRACE) {
			next(p);
			break;
		}
		force = t.t == T_LPAREN;
		if (!(k = parse_expr(p)))
			return NULL;
		kw = node(p, HE_OBJKEY, k->range);
		if (!kw)
			return NULL;
		kw->u.objkey.e = k;
		kw->u.objkey.force = force;
		t = peek(p);
		if (p->err)
			return NULL;
		if (t.t != T_EQ && t.t != T_COLON) {
			switch (t.t) {
			case T_NL:
			case T_COMMA:
				return fail_r(p, ATMO_EINVALID, trange(p, t), "Missing attribute value",
					      "Expected an attribute value, introduced by an equals sign (\"=\").");
			case T_EOF:
				return fail_r(p, ATMO_EINVALID, trange(p, open), "Unterminated object constructor expression",
					      "There is no corresponding closing brace before the end of the file. "
					      "This may be caused by incorrect brace nesting elsewhere in this file.");
			case T_IDENT:
				return fail_r(p, ATMO_EINVALID, trange(p, t), "Missing key/value separator",
					      "Expected an equals sign (\"=\") to mark the beginning of the attribute value. "
					      "If you intended to given an attribute name containing periods or spaces, "
					      "write the name in quotes to create a string literal.");
			default:
				return fail_r(p, ATMO_EINVALID, trange(p, t), "Missing key/value separator",
					      "Expected an equals sign (\"=\") to mark the beginning of the attribute value.");
			}
		}
		next(p);
		if (!(v = parse_expr(p)))
			return NULL;
		if (!(slot = push(p, (void **)&keys, &n, &cap, sizeof(*keys))))
			return NULL;
		*slot = kw;
		if (!(slot = push(p, (void **)&vals, &n2, &cap2, sizeof(*vals))))
			return NULL;
		*slot = v;
		t = peek(p);
		if (p->err)
			return NULL;
		if (t.t == T_RBRACE) {
			next(p);
			break;
		}
		if (t.t != T_COMMA && t.t != T_NL) {
			if (t.t == T_EOF)
				return fail_r(p, ATMO_EINVALID, trange(p, open), "Unterminated object constructor expression",
					      "There is no corresponding closing brace before the end of the file. "
					      "This may be caused by incorrect brace nesting elsewhere in this file.");
			return fail_r(p, ATMO_EINVALID, trange(p, t), "Missing attribute separator",
				      "Expected a newline or comma to mark the beginning of the next attribute.");
		}
		next(p);
	}
	p->nl = saved;
	e = node(p, HE_OBJECT, mkrange(p, open.s, p->prev_end));
	if (e) {
		e->u.obj.keys = keys;
		e->u.obj.vals = vals;
		e->u.obj.n = n;
	}
	return e;
}

static hcl_expr *parse_term(parser *p)
{
	token t = peek(p);
	hcl_expr *e;
	if (p->err)
		return NULL;
	switch (t.t) {
	case T_LPAREN: {
		int saved = p->nl;
		hcl_expr *in;
		token c;
		next(p);
		p->nl = 0;
		if (!(in = parse_expr(p)))
			return NULL;
		c = peek(p);
		if (p->err)
			return NULL;
		if (c.t != T_RPAREN)
			return fail_r(p, ATMO_EINVALID, trange(p, c), "Unbalanced parentheses",
				      "Expected a closing parenthesis to terminate the expression.");
		next(p);
		p->nl = saved;
		e = node(p, HE_PAREN, mkrange(p, t.s, c.e));
		if (e)
			e->u.wrap = in;
		return e;
	}
	case T_NUM: {
		hcl_value *v;
		next(p);
		v = number_value(p, t);
		return v ? lit_node(p, v, trange(p, t)) : NULL;
	}
	case T_IDENT: {
		token n2;
		next(p);
		n2 = peek(p);
		if (p->err)
			return NULL;
		if (n2.t == T_LPAREN || n2.t == T_DCOLON)
			return parse_call(p, t);
		if (tok_is(p, t, "true") || tok_is(p, t, "false"))
			return lit_node(p, hcl_bool(tok_is(p, t, "true")), trange(p, t));
		if (tok_is(p, t, "null"))
			return lit_node(p, hcl_null(NULL), trange(p, t));
		e = node(p, HE_SCOPE, trange(p, t));
		if (!e)
			return NULL;
		e->u.trav.root = tok_text(p, t);
		e->u.trav.range = e->range;
		return e->u.trav.root ? e : NULL;
	}
	case T_OQUOTE:
	case T_OHEREDOC:
		next(p);
		return parse_template_expr(p, t);
	case T_MINUS:
	case T_BANG: {
		hcl_expr *operand;
		next(p);
		if (depth_in(p, trange(p, t)) < 0)
			return NULL;
		operand = parse_term(p);
		if (operand)
			operand = parse_traversals(p, operand);
		p->depth--;
		if (!operand)
			return NULL;
		e = node(p, HE_UNARY, between(trange(p, t), operand->range));
		if (e) {
			e->u.op.op = t.t == T_MINUS ? HOP_NEG : HOP_NOT;
			e->u.op.a = operand;
		}
		return e;
	}
	case T_LBRACK:
		next(p);
		return parse_tuple(p, t);
	case T_LBRACE:
		next(p);
		return parse_object(p, t);
	case T_EOF:
		return fail_r(p, ATMO_EINVALID, trange(p, t), "Missing expression",
			      "Expected the start of an expression, but found the end of the file.");
	default:
		return fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid expression",
			      "Expected the start of an expression, but found an invalid expression token.");
	}
}

static hcl_op binop(tok_type t, int level)
{
	switch (level) {
	case 0: return t == T_OR ? HOP_OR : HOP_NONE;
	case 1: return t == T_AND ? HOP_AND : HOP_NONE;
	case 2: return t == T_EQEQ ? HOP_EQ : t == T_NE ? HOP_NE : HOP_NONE;
	case 3: return t == T_LT ? HOP_LT : t == T_LE ? HOP_LE : t == T_GT ? HOP_GT : t == T_GE ? HOP_GE : HOP_NONE;
	case 4: return t == T_PLUS ? HOP_ADD : t == T_MINUS ? HOP_SUB : HOP_NONE;
	case 5: return t == T_STAR ? HOP_MUL : t == T_SLASH ? HOP_DIV : t == T_PERCENT ? HOP_MOD : HOP_NONE;
	default: return HOP_NONE;
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
		token t = peek(p);
		hcl_op op = binop(t.t, level);
		hcl_expr *rhs, *e;
		if (p->err || op == HOP_NONE)
			break;
		next(p);
		/* a chain a+b+c+... is a tree as deep as it is long: it counts as nesting */
		if (depth_in(p, trange(p, t)) < 0)
			break;
		chain++;
		rhs = parse_binary(p, level + 1);
		if (!rhs)
			break;
		e = node(p, HE_BINARY, between(lhs->range, rhs->range));
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

static hcl_expr *parse_expr(parser *p)
{
	hcl_expr *c, *t, *f, *e = NULL;
	token q;
	hcl_pos start = peek(p).s;
	if (p->err || depth_in(p, mkrange(p, start, start)) < 0)
		return NULL;
	if (!(c = parse_binary(p, 0)))
		goto out;
	q = peek(p);
	if (p->err)
		goto out;
	if (q.t != T_QUESTION) {
		e = c;
		goto out;
	}
	next(p);
	if (!(t = parse_expr(p)))
		goto out;
	q = peek(p);
	if (p->err)
		goto out;
	if (q.t != T_COLON) {
		fail_r(p, ATMO_EINVALID, trange(p, q), "Missing false expression in conditional",
		       "The conditional operator (...?...:...) requires a false expression, delimited by a colon.");
		goto out;
	}
	next(p);
	if (!(f = parse_expr(p)))
		goto out;
	e = node(p, HE_COND, between(c->range, f->range));
	if (e) {
		e->u.cond.c = c;
		e->u.cond.t = t;
		e->u.cond.f = f;
	}
out:
	p->depth--;
	return e;
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
			fail_r(p, ATMO_EINVALID, a->name_range, "Attribute redefined",
			       "The argument \"%s\" was already set at %s. Each argument may be set only once.",
			       a->name, where);
			return -1;
		}
	}
	slot = push(p, (void **)&bb->attrs, &bb->n_attrs, &bb->cap_attrs, sizeof(*slot));
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
	next(p); /* = */
	a->name = tok_text(p, ident);
	a->name_range = trange(p, ident);
	if (!a->name || !(a->expr = parse_expr(p)))
		return -1;
	a->range = between(a->name_range, a->expr->range);
	if (single)
		return 0;
	t = peek(p);
	if (p->err)
		return -1;
	if (t.t != T_NL && t.t != T_EOF) {
		if (t.t == T_COMMA)
			fail_r(p, ATMO_EINVALID, trange(p, t), "Unexpected comma after argument",
			       "Argument definitions must be separated by newlines, not commas. "
			       "An argument definition must end with a newline.");
		else
			fail_r(p, ATMO_EINVALID, trange(p, t), "Missing newline after argument",
			       "An argument definition must end with a newline.");
		return -1;
	}
	next(p);
	return 0;
}

static int parse_label(parser *p, token open, const char **out, hcl_range *r)
{
	ritems ri = { NULL, 0, 0 };
	hcl_range close;
	size_t i, tot = 0;
	char *s;
	if (scan_template(p, &ri, TM_QUOTED, NULL, 0, 1, &close) < 0) {
		ritems_free(&ri);
		return -1;
	}
	for (i = 0; i < ri.n; i++)
		tot += ri.it[i].len;
	s = alloc(p, tot + 1);
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
			s = nf ? adup(p, nf, nl) : nomem(p);
			atmo__free(nf);
		}
	}
	ritems_free(&ri);
	*out = s;
	*r = between(trange(p, open), close);
	return s ? 0 : -1;
}

static int parse_block(parser *p, token ident, hcl_block *blk)
{
	const char **labels = NULL, **ls;
	hcl_range *lranges = NULL, *lr;
	size_t n = 0, cap = 0, n2 = 0, cap2 = 0;
	token t, ob;
	memset(blk, 0, sizeof(*blk));
	blk->type = tok_text(p, ident);
	blk->type_range = trange(p, ident);
	if (!blk->type)
		return -1;
	for (;;) {
		t = peek(p);
		if (p->err)
			return -1;
		if (t.t == T_LBRACE) {
			ob = next(p);
			break;
		}
		if (t.t == T_OQUOTE || t.t == T_IDENT) {
			if (!(ls = push(p, (void **)&labels, &n, &cap, sizeof(*ls))) ||
			    !(lr = push(p, (void **)&lranges, &n2, &cap2, sizeof(*lr))))
				return -1;
			next(p);
			if (t.t == T_IDENT) {
				*ls = tok_text(p, t);
				*lr = trange(p, t);
				if (!*ls)
					return -1;
			} else if (parse_label(p, t, ls, lr) < 0) {
				return -1;
			}
			continue;
		}
		if (t.t == T_EQ)
			fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid block definition",
			       "The equals sign \"=\" indicates an argument definition, and must not be used when defining a block.");
		else if (t.t == T_NL)
			fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid block definition",
			       "A block definition must have block content delimited by \"{\" and \"}\", starting on the same line as the block header.");
		else
			fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid block definition",
			       "Either a quoted string block label or an opening brace (\"{\") is expected here.");
		return -1;
	}
	blk->labels = labels;
	blk->label_ranges = lranges;
	blk->n_labels = n;
	blk->range = between(blk->type_range, n ? lranges[n - 1] : blk->type_range);
	t = peek(p);
	if (p->err)
		return -1;
	if (t.t == T_NL || t.t == T_EOF || t.t == T_RBRACE) {
		if (!(blk->body = parse_body(p, T_RBRACE, ob)))
			return -1;
	} else {
		/* a one-line block: one attribute, then the closing brace */
		token id = next(p), nx;
		hcl_attr a;
		if (id.t != T_IDENT) {
			fail_r(p, ATMO_EINVALID, trange(p, id), "Argument or block definition required",
			       "An argument or block definition is required here.");
			return -1;
		}
		nx = peek(p);
		if (p->err)
			return -1;
		if (nx.t == T_OQUOTE || nx.t == T_LBRACE || nx.t == T_IDENT) {
			fail_r(p, ATMO_EINVALID, mkrange(p, id.s, nx.e), "Argument definition required",
			       "A single-line block definition can contain only a single argument. If you meant to "
			       "define argument \"%.*s\", use an equals sign to assign it a value. To define a nested "
			       "block, place it on a line of its own within its parent block.",
			       (int)(id.e.byte - id.s.byte), p->src + (id.s.byte - p->base));
			return -1;
		}
		if (nx.t != T_EQ) {
			fail_r(p, ATMO_EINVALID, trange(p, id), "Argument or block definition required",
			       "An argument or block definition is required here. To set an argument, use the "
			       "equals sign \"=\" to introduce the argument value.");
			return -1;
		}
		if (parse_attr(p, id, 1, &a) < 0)
			return -1;
		t = peek(p);
		if (p->err)
			return -1;
		if (t.t == T_COMMA) {
			fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid single-argument block definition",
			       "Single-line block syntax can include only one argument definition. To define "
			       "multiple arguments, use the multi-line block syntax with one argument definition per line.");
			return -1;
		}
		if (t.t == T_NL) {
			fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid single-argument block definition",
			       "An argument definition on the same line as its containing block creates a "
			       "single-line block definition, which must also be closed on the same line. Place "
			       "the block's closing brace immediately after the argument definition.");
			return -1;
		}
		if (t.t == T_EOF) {
			fail_r(p, ATMO_EINVALID, trange(p, ob), "Unclosed configuration block",
			       "There is no closing brace for this block before the end of the file. This may be "
			       "caused by incorrect brace nesting elsewhere in this file.");
			return -1;
		}
		if (t.t != T_RBRACE) {
			fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid single-argument block definition",
			       "A single-line block definition must end with a closing brace immediately after "
			       "its single argument definition.");
			return -1;
		}
		next(p);
		if (!(blk->body = alloc(p, sizeof(hcl_body))) || !(blk->body->attrs = alloc(p, sizeof(hcl_attr))))
			return -1;
		blk->body->attrs[0] = a;
		blk->body->n_attrs = 1;
		blk->body->range = mkrange(p, ob.s, p->prev_end);
	}
	t = peek(p);
	if (p->err)
		return -1;
	if (t.t != T_NL && t.t != T_EOF) {
		fail_r(p, ATMO_EINVALID, trange(p, t), "Missing newline after block definition",
		       "A block definition must end with a newline.");
		return -1;
	}
	next(p);
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
	while ((c = at(p, q.byte)) >= 0) {
		int in_str = !deep && n && open[n - 1] == '"';
		int c2 = at(p, q.byte + 1);
		if (in_str) {
			if (c == '\\') {
				advance(p, &q, 2);
				continue;
			}
			if ((c == '$' || c == '%') && c2 == c && at(p, q.byte + 2) == '{') {
				advance(p, &q, 3); /* $${ and %%{ are literal */
				continue;
			}
			if ((c == '$' || c == '%') && c2 == '{') {
				if (n < sizeof(open))
					open[n++] = 'i';
				else
					deep++;
				advance(p, &q, 2);
				continue;
			}
			if (c == '"' || c == '\n') /* a newline ends an unclosed quoted string */
				n--;
			if (c == '\n' && !n && !deep) {
				advance(p, &q, 1);
				break;
			}
			advance(p, &q, 1);
			continue;
		}
		if (c == '#' || (c == '/' && c2 == '/')) {
			while ((c = at(p, q.byte)) >= 0 && c != '\n')
				advance(p, &q, 1);
			continue;
		}
		if (c == '/' && c2 == '*') {
			advance(p, &q, 2);
			while ((c = at(p, q.byte)) >= 0 && !(c == '*' && at(p, q.byte + 1) == '/'))
				advance(p, &q, 1);
			advance(p, &q, 2);
			continue;
		}
		if (c == '\n' && !n && !deep) {
			advance(p, &q, 1);
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
				while (k > 0 && open[k - 1] != want && !(want == '{' && open[k - 1] == 'i'))
					k--;
				if (k > 0)
					n = k - 1;
			}
		}
		advance(p, &q, 1);
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
	if (depth_in(p, trange(p, open)) < 0)
		return NULL;
	p->nl = 1;
	for (;;) {
		token t = peek(p);
		if (p->err)
			return NULL;
		if (t.t == end) {
			next(p);
			break;
		}
		if (t.t == T_NL) {
			next(p);
			continue;
		}
		if (t.t == T_IDENT) {
			token nx;
			next(p);
			nx = peek(p);
			if (p->err)
				return NULL;
			if (nx.t == T_EQ) {
				hcl_attr a;
				if (parse_attr(p, t, 0, &a) < 0 || add_attr(p, &bb, &a) < 0)
					return NULL;
			} else if (nx.t == T_OQUOTE || nx.t == T_LBRACE || nx.t == T_IDENT) {
				hcl_block *slot = push(p, (void **)&bb.blocks, &bb.n_blocks, &bb.cap_blocks, sizeof(*slot));
				if (!slot || parse_block(p, t, slot) < 0)
					return NULL;
			} else {
				fail_r(p, ATMO_EINVALID, trange(p, t), "Argument or block definition required",
				       "An argument or block definition is required here. To set an argument, use "
				       "the equals sign \"=\" to introduce the argument value.");
				if (recover_item(p) < 0)
					return NULL;
			}
			p->nl = 1;
			continue;
		}
		if (t.t == T_OQUOTE)
			return fail_r(p, ATMO_EINVALID, trange(p, t), "Invalid argument name",
				      "Argument names must not be quoted.");
		if (t.t == T_EOF) {
			if (end == T_RBRACE)
				return fail_r(p, ATMO_EINVALID, trange(p, open), "Unclosed configuration block",
					      "There is no closing brace for this block before the end of the file. "
					      "This may be caused by incorrect brace nesting elsewhere in this file.");
		}
		fail_r(p, ATMO_EINVALID, trange(p, t), "Argument or block definition required",
		       "An argument or block definition is required here.");
		if (recover_item(p) < 0)
			return NULL;
	}
	p->depth--;
	body = alloc(p, sizeof(*body));
	if (!body)
		return NULL;
	body->attrs = bb.attrs;
	body->n_attrs = bb.n_attrs;
	body->blocks = bb.blocks;
	body->n_blocks = bb.n_blocks;
	body->range = mkrange(p, start, p->prev_end);
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
	if (f->n_owned == f->cap_owned) {
		size_t nc = f->cap_owned ? f->cap_owned * 2 : 64;
		hcl_value **no = atmo__realloc(f->owned, nc * sizeof(*no), NULL);
		if (!no) {
			hcl_value_unref(v);
			return NULL;
		}
		f->owned = no;
		f->cap_owned = nc;
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
		return hcl__diag(diag, ATMO_ENOMEM, &r, "Out of memory", "The parser ran out of memory.");
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
