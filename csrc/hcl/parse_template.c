/*
 * Templates of the native syntax (quoted strings, heredocs, JSON strings):
 * scanned byte by byte into items, then built into template expressions.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/parse_int.h"
#include "hcl/nfc_int.h"
#include "util/alloc.h"
#include "util/grow.h"

void hcl__p_ritems_free(ritems *ri)
{
	size_t i;
	for (i = 0; i < ri->n; i++)
		atmo__free(ri->it[i].s);
	atmo__free(ri->it);
}

static ritem *ritems_add(parser *p, ritems *ri, int kind)
{
	if (ri->n == ri->cap && ATMO__GROW(ri->it, ri->cap, ri->n + 1, NULL) < 0)
		return hcl__p_nomem(p);
	memset(&ri->it[ri->n], 0, sizeof(ritem));
	ri->it[ri->n].kind = kind;
	return &ri->it[ri->n++];
}

/* Close the literal gathered in b (if any) as an item. */
static int lit_flush(parser *p, ritems *ri, atmo_buf *b, hcl_pos s, hcl_pos e)
{
	ritem *it;
	if (b->oom)
		return hcl__p_nomem(p), -1;
	if (!b->len)
		return 0;
	it = ritems_add(p, ri, R_LIT);
	if (!it)
		return -1;
	it->len = b->len;
	it->s = atmo__buf_detach(b);
	it->r = hcl__p_mkrange(p, s, e);
	return 0;
}

/* After "${" or "%{": an optional "~" */
static int strip_mark(parser *p, hcl_pos *q)
{
	if (hcl__p_at(p, q->byte) == '~') {
		hcl__p_advance(p, q, 1);
		return 1;
	}
	return 0;
}

/* The "}" or "~}" closing a sequence opened at open (directive: its keyword, NULL for ${); *strip when "~}". */
static int seq_end(parser *p, int *strip, const char *directive, hcl_range open)
{
	token t;
	p->nl = 0;
	t = hcl__p_peek(p);
	if (p->err)
		return -1;
	if (t.t != T_RBRACE && t.t != T_STRIP_RBRACE) {
		char summary[64];
		if (!directive) {
			if (t.t == T_EOF || t.t == T_OQUOTE)
				hcl__p_fail_r(p, ATMO_EINVALID, open,
					      "Unclosed template interpolation sequence",
					      "There is no closing brace for this interpolation "
					      "sequence before the end of the %s. "
					      "This might be caused by incorrect nesting inside "
					      "the given expression.",
					      t.t == T_EOF ? "file" : "quoted template");
			else if (t.t == T_COLON)
				hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
					      "Extra characters after interpolation expression",
					      "Template interpolation doesn't expect a colon at "
					      "this location. Did you intend this "
					      "to be a literal sequence to be processed as part of "
					      "another language? If so, you "
					      "can escape it by starting with \"$${\" instead of "
					      "just \"${\".");
			else
				hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
					      "Extra characters after interpolation expression",
					      "Expected a closing brace to end the interpolation "
					      "expression, but found extra "
					      "characters.\n\nThis can happen when you include "
					      "interpolation syntax for another "
					      "language, such as shell scripting, but forget to "
					      "escape the interpolation start "
					      "token. If this is an embedded sequence for another "
					      "language, escape it by starting "
					      "with \"$${\" instead of just \"${\".");
			return -1;
		}
		snprintf(summary, sizeof(summary), "Extra characters in %s marker", directive);
		hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t), summary,
			      "Expected a closing brace to end the sequence, but found extra "
			      "characters.");
		return -1;
	}
	hcl__p_next(p);
	*strip = t.t == T_STRIP_RBRACE;
	return 0;
}

static const char *rname(int kind)
{
	switch (kind) {
	case R_IF:
		return "if";
	case R_ELSE:
		return "else";
	case R_ENDIF:
		return "endif";
	case R_FOR:
		return "for";
	default:
		return "endfor";
	}
}

/* A %{ directive starting after "%{" (q after the optional ~). */
static int parse_directive(parser *p, ritems *ri, hcl_pos open, hcl_pos q, int strip_l)
{
	token kw, t;
	ritem *it;
	int kind, saved_nl = p->nl;
	hcl__p_seek(p, q);
	p->nl = 0;
	kw = hcl__p_next(p);
	if (p->err)
		return -1;
	if (hcl__p_tok_is(p, kw, "if"))
		kind = R_IF;
	else if (hcl__p_tok_is(p, kw, "else"))
		kind = R_ELSE;
	else if (hcl__p_tok_is(p, kw, "endif"))
		kind = R_ENDIF;
	else if (hcl__p_tok_is(p, kw, "for"))
		kind = R_FOR;
	else if (hcl__p_tok_is(p, kw, "endfor"))
		kind = R_ENDFOR;
	else {
		hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, kw), "Invalid template directive",
			      "A template directive keyword (\"if\", \"for\", etc) is expected at "
			      "the beginning "
			      "of a %%{ sequence.");
		return -1;
	}
	it = ritems_add(p, ri, kind);
	if (!it)
		return -1;
	it->strip_l = strip_l;
	if (kind == R_IF) {
		hcl_expr *e = hcl__p_parse_expr(p);
		if (!e)
			return -1;
		ri->it[ri->n - 1].e = e;
	} else if (kind == R_FOR) {
		const char *k = NULL, *v;
		t = hcl__p_next(p);
		if (t.t != T_IDENT) {
			hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
				      "Invalid 'for' directive",
				      "For directive requires variable name after 'for'.");
			return -1;
		}
		v = hcl__p_tok_text(p, t);
		if (hcl__p_peek(p).t == T_COMMA) {
			hcl__p_next(p);
			k = v;
			t = hcl__p_next(p);
			if (t.t != T_IDENT) {
				hcl__p_fail_r(
					p, ATMO_EINVALID, hcl__p_trange(p, t),
					"Invalid 'for' directive",
					"For directive requires value variable name after comma.");
				return -1;
			}
			v = hcl__p_tok_text(p, t);
		}
		t = hcl__p_next(p);
		if (!hcl__p_tok_is(p, t, "in")) {
			hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_trange(p, t),
				      "Invalid 'for' directive",
				      "For directive requires 'in' keyword after names.");
			return -1;
		}
		{
			hcl_expr *e = hcl__p_parse_expr(p);
			if (!e)
				return -1;
			it = &ri->it[ri->n - 1];
			it->e = e;
			it->k = k;
			it->v = v;
		}
	}
	if (seq_end(p, &ri->it[ri->n - 1].strip_r, rname(kind), hcl__p_mkrange(p, open, open)) < 0)
		return -1;
	ri->it[ri->n - 1].r = hcl__p_mkrange(p, open, p->prev_end);
	p->nl = saved_nl;
	return 0;
}

static int parse_interp(parser *p, ritems *ri, hcl_pos open, hcl_pos q, int strip_l)
{
	hcl_expr *e;
	int saved_nl = p->nl, strip_r = 0;
	ritem *it;
	hcl_range intro = hcl__p_mkrange(p, open, q); /* "${" or "${~" */
	hcl__p_seek(p, q);
	p->nl = 0;
	e = hcl__p_parse_expr(p);
	if (!e || seq_end(p, &strip_r, NULL, intro) < 0)
		return -1;
	p->nl = saved_nl;
	it = ritems_add(p, ri, R_INTERP);
	if (!it)
		return -1;
	it->e = e;
	it->strip_l = strip_l;
	it->strip_r = strip_r;
	it->r = hcl__p_mkrange(p, open, p->prev_end);
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

/*
 * Scan template content from p->pos into raw items. Quoted: up to the
 * closing quote (escapes). Heredoc: up to a line holding only the marker
 * (one literal per line, as HCL's scanner). Raw: to the end of the text.
 * no_seq: a block label, where ${ and %{ are errors. *close gets the range
 * of the closing quote or marker.
 */
int hcl__p_scan_template(parser *p, ritems *ri, int mode, const char *marker, size_t mlen,
			 int no_seq, hcl_range *close)
{
	atmo_buf b = ATMO_BUF_INIT;
	hcl_pos q = p->pos, ls = q;
	int line_start = 1;
	for (;;) {
		int c = hcl__p_at(p, q.byte), d;
		if (mode == TM_HEREDOC && line_start) {
			/* a line of optional blanks and the marker ends the heredoc */
			long i = q.byte;
			while (hcl__p_at(p, i) == ' ' || hcl__p_at(p, i) == '\t')
				i++;
			if (i + (long)mlen <= p->end &&
			    memcmp(p->src + (i - p->base), marker, mlen) == 0 &&
			    (hcl__p_at(p, i + (long)mlen) == '\n' ||
			     hcl__p_at(p, i + (long)mlen) == -1 ||
			     (hcl__p_at(p, i + (long)mlen) == '\r' &&
			      hcl__p_at(p, i + (long)mlen + 1) == '\n'))) {
				hcl_pos ms = q;
				if (lit_flush(p, ri, &b, ls, q) < 0)
					goto fail;
				hcl__p_advance(p, &ms, i - q.byte);
				q = ms;
				hcl__p_advance(p, &q, (long)mlen);
				*close = hcl__p_mkrange(p, ms, q);
				break;
			}
			line_start = 0;
		}
		if (c == -1) {
			if (mode == TM_RAW) {
				if (lit_flush(p, ri, &b, ls, q) < 0)
					goto fail;
				*close = hcl__p_mkrange(p, q, q);
				break;
			}
			hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_mkrange(p, q, q),
				      "Unterminated template string",
				      "No closing marker was found for the string.");
			goto fail;
		}
		d = hcl__p_at(p, q.byte + 1);
		if (mode == TM_QUOTED && c == '"') {
			hcl_pos s = q;
			if (lit_flush(p, ri, &b, ls, q) < 0)
				goto fail;
			hcl__p_advance(p, &q, 1);
			*close = hcl__p_mkrange(p, s, q);
			break;
		}
		if (mode == TM_QUOTED && (c == '\n' || (c == '\r' && d == '\n'))) {
			hcl_pos s = q;
			hcl__p_advance(p, &q, c == '\r' ? 2 : 1);
			hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_mkrange(p, s, q),
				      "Invalid multi-line string",
				      "Quoted strings may not be split over multiple lines. To "
				      "produce a multi-line "
				      "string, either use the \\n escape to represent a newline "
				      "character or use the "
				      "\"heredoc\" multi-line template syntax.");
			goto fail;
		}
		if (mode == TM_QUOTED && c == '\\') {
			hcl_pos s = q;
			char u[4];
			unsigned long r = 0;
			int nhex = 0, i;
			switch (d) {
			case 'n':
				atmo__buf_putc(&b, '\n');
				break;
			case 'r':
				atmo__buf_putc(&b, '\r');
				break;
			case 't':
				atmo__buf_putc(&b, '\t');
				break;
			case '"':
				atmo__buf_putc(&b, '"');
				break;
			case '\\':
				atmo__buf_putc(&b, '\\');
				break;
			case 'u':
				nhex = 4;
				break;
			case 'U':
				nhex = 8;
				break;
			default:
				hcl__p_advance(p, &q, d == -1 ? 1 : 2);
				if (d == -1 || d == '\n')
					hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_mkrange(p, s, q),
						      "Invalid escape sequence",
						      "Backslash must be followed by an escape "
						      "sequence selector character.");
				else
					hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_mkrange(p, s, q),
						      "Invalid escape sequence",
						      "The symbol \"%c\" is not a valid escape "
						      "sequence selector.",
						      d);
				goto fail;
			}
			if (nhex) {
				for (i = 0; i < nhex; i++) {
					int h = hcl__p_at(p, q.byte + 2 + i);
					if (hcl__p_is_digit(h))
						r = r * 16 + (unsigned long)(h - '0');
					else if (h >= 'a' && h <= 'f')
						r = r * 16 + (unsigned long)(h - 'a' + 10);
					else if (h >= 'A' && h <= 'F')
						r = r * 16 + (unsigned long)(h - 'A' + 10);
					else
						break;
				}
				hcl__p_advance(p, &q, 2 + i);
				if (i < nhex) {
					hcl__p_fail_r(
						p, ATMO_EINVALID, hcl__p_mkrange(p, s, q),
						"Invalid escape sequence",
						nhex == 4
							? "The \\u escape sequence must be "
							  "followed by four hexadecimal digits."
							: "The \\U escape sequence must be "
							  "followed by eight hexadecimal digits.");
					goto fail;
				}
				if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) {
					hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_mkrange(p, s, q),
						      "Invalid escape sequence",
						      "Cannot encode character U+%04lx in UTF-8.",
						      r);
					goto fail;
				}
				atmo__buf_put(&b, u, utf8_put(u, r));
			} else {
				hcl__p_advance(p, &q, 2);
			}
			continue;
		}
		if ((c == '$' || c == '%') && d == c && hcl__p_at(p, q.byte + 2) == '{') {
			atmo__buf_putc(&b, (char)c);
			atmo__buf_putc(&b, '{');
			hcl__p_advance(p, &q, 3);
			continue;
		}
		if ((c == '$' || c == '%') && d == '{') {
			hcl_pos open = q;
			int strip;
			if (no_seq) {
				hcl_pos e = q;
				hcl__p_advance(p, &e, 2);
				hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_mkrange(p, q, e),
					      "Invalid string literal",
					      "Template sequences are not allowed in this string. "
					      "To include a literal "
					      "\"%c\", double it (as \"%c%c\") to escape it.",
					      c, c, c);
				goto fail;
			}
			if (lit_flush(p, ri, &b, ls, q) < 0)
				goto fail;
			hcl__p_advance(p, &q, 2);
			strip = strip_mark(p, &q);
			if ((c == '$' ? parse_interp(p, ri, open, q, strip)
				      : parse_directive(p, ri, open, q, strip)) < 0)
				goto fail;
			q = p->pos;
			ls = q;
			continue;
		}
		atmo__buf_putc(&b, (char)c);
		hcl__p_advance(p, &q, 1);
		if (c == '\n' && mode == TM_HEREDOC) {
			/* one literal per line, so that <<- can trim each line's indent */
			if (lit_flush(p, ri, &b, ls, q) < 0)
				goto fail;
			ls = q;
			line_start = 1;
		}
	}
	atmo__buf_free(&b);
	hcl__p_seek(p, q);
	return 0;
fail:
	atmo__buf_free(&b);
	if (!p->err)
		hcl__p_nomem(p);
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
		if (!hcl__space_at((unsigned char *)it->s + st, it->len - st, &w) ||
		    st + w != it->len)
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
static hcl_expr *build_tpl(parser *p, ritems *ri, size_t *i, const ritem *open, int in_else,
			   hcl_range r, hcl_range end_r)
{
	hcl_expr *t = hcl__p_node(p, HE_TEMPLATE, r), **parts = NULL;
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
			return hcl__p_fail_r(
				p, ATMO_EINVALID, end_r, "Unexpected end of template",
				"The %s directive at %s is missing its corresponding %s directive.",
				in_if ? "if" : "for", where, in_if ? "endif" : "endfor");
		}
		it = &ri->it[*i];
		if (it->kind == R_ELSE || it->kind == R_ENDIF || it->kind == R_ENDFOR) {
			char summary[64];
			snprintf(summary, sizeof(summary), "Unexpected %s directive",
				 rname(it->kind));
			if (!open)
				return hcl__p_fail_r(p, ATMO_EINVALID, it->r, summary,
						     "The control directives within this template "
						     "are unbalanced.");
			if (in_if && (it->kind == R_ENDIF || (it->kind == R_ELSE && !in_else)))
				break;
			if (!in_if && it->kind == R_ENDFOR)
				break;
			if (in_if && it->kind == R_ELSE)
				return hcl__p_fail_r(
					p, ATMO_EINVALID, it->r, summary,
					"Already in the else clause for the if started at %s.",
					where);
			if (in_if)
				return hcl__p_fail_r(
					p, ATMO_EINVALID, it->r, summary,
					"Expecting an endif directive for the if started at %s.",
					where);
			if (it->kind == R_ELSE)
				return hcl__p_fail_r(
					p, ATMO_EINVALID, it->r, summary,
					"An else clause is not expected for a for directive.");
			return hcl__p_fail_r(p, ATMO_EINVALID, it->r, summary,
					     "Expecting an endfor directive corresponding to the "
					     "for directive at %s.",
					     where);
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
				return hcl__p_nomem(p);
			}
			blen = b.len;
			if (blen)
				e = hcl__p_lit_node(p, literal_string(p, b.ptr, b.len), lr);
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
			if (hcl__p_depth_in(p, dir->r) < 0)
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
			e = hcl__p_node(p, is_if ? HE_TPL_IF : HE_TPL_FOR,
					hcl__p_between(dir->r, ri->it[*i].r));
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
		slot = hcl__p_push(p, (void **)&parts, &n, &cap, sizeof(*parts));
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
		t = hcl__p_node(p, HE_WRAP, r);
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
		int c = hcl__p_at(p, b);
		if (c == '"')
			break;
		if (c == -1 || c == '\\' || c == '\n' || c == '\r' ||
		    ((c == '$' || c == '%') &&
		     (hcl__p_at(p, b + 1) == '{' || hcl__p_at(p, b + 1) == c)))
			return NULL; /* the general scanner handles it */
	}
	hcl__p_advance(p, &q, b - q.byte);
	t = hcl__p_node(p, HE_TEMPLATE, hcl__p_mkrange(p, open.s, q));
	if (!t)
		return NULL;
	if (b > s.byte) {
		lit = hcl__p_lit_node(
			p, literal_string(p, p->src + (s.byte - p->base), (size_t)(b - s.byte)),
			hcl__p_mkrange(p, s, q));
		parts = hcl__p_alloc(p, sizeof(*parts));
		if (!lit || !parts)
			return NULL;
		parts[0] = lit;
		t->u.tpl.parts = parts;
		t->u.tpl.n = 1;
	}
	hcl__p_advance(p, &q, 1);
	t->range.end = q;
	hcl__p_seek(p, q);
	return t;
}

/* After the opening quote or heredoc token: the template expression. */
hcl_expr *hcl__p_parse_template_expr(parser *p, token open)
{
	ritems ri = { NULL, 0, 0 };
	hcl_range close, r;
	hcl_expr *t = NULL;
	if (open.t == T_OQUOTE && ((t = quick_string(p, open)) != NULL || p->err))
		return t;
	if (open.t == T_OQUOTE) {
		if (hcl__p_scan_template(p, &ri, TM_QUOTED, NULL, 0, 0, &close) == 0)
			t = finish_template(p, &ri, hcl__p_between(hcl__p_trange(p, open), close),
					    close, 0);
	} else {
		long b = open.s.byte + 2;
		int flush = hcl__p_at(p, b) == '-';
		long ms = b + flush, me = ms;
		while (hcl__p_is_id_cont(hcl__p_at(p, me)))
			me++;
		if (hcl__p_scan_template(p, &ri, TM_HEREDOC, p->src + (ms - p->base),
					 (size_t)(me - ms), 0, &close) == 0) {
			r = hcl__p_between(hcl__p_trange(p, open), close);
			t = finish_template(p, &ri, r, close, flush);
		}
	}
	hcl__p_ritems_free(&ri);
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
	if (hcl__p_scan_template(&p, &ri, TM_RAW, NULL, 0, 0, &close) == 0)
		*out = finish_template(&p, &ri, hcl__p_mkrange(&p, start, close.end), close, 0);
	hcl__p_ritems_free(&ri);
	if (*out && (*out)->kind == HE_TEMPLATE)
		(*out)->json = 1;
	return *out ? 0 : (p.err ? p.err : ATMO_ENOMEM);
}
