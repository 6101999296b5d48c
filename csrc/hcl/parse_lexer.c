/* The native syntax's characters and tokens: a lexer run on demand by the parser. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/parse_int.h"
#include "hcl/nfc_int.h"
#include "util/alloc.h"

/* ---- characters ------------------------------------------------------------ */

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
	if (hcl__p_at(p, b) != '<' || hcl__p_at(p, b + 1) != '<')
		return 0;
	if (hcl__p_at(p, i) == '-')
		i++;
	if (!hcl__p_is_id_start(hcl__p_at(p, i)))
		return 0;
	while (hcl__p_is_id_cont(hcl__p_at(p, i)))
		i++;
	if (hcl__p_at(p, i) == '\r' && hcl__p_at(p, i + 1) == '\n')
		i++;
	if (hcl__p_at(p, i) != '\n')
		return 0;
	return i + 1 - b;
}

static token lex(parser *p, hcl_pos q, int nl)
{
	token t;
	int c, d;
	long n = 1;
	for (;;) {
		c = hcl__p_at(p, q.byte);
		if (c == ' ' || c == '\t' || c == '\r') {
			hcl__p_advance(p, &q, 1);
		} else if (c == '#' || (c == '/' && hcl__p_at(p, q.byte + 1) == '/')) {
			const char *s = p->src + (q.byte - p->base);
			const char *e = memchr(s, '\n', (size_t)(p->end - q.byte));
			hcl__p_advance(p, &q, e ? (long)(e - s) : p->end - q.byte);
		} else if (c == '/' && hcl__p_at(p, q.byte + 1) == '*') {
			const char *s = p->src + (q.byte - p->base);
			const char *e = memmem(s + 2, (size_t)(p->end - q.byte - 2), "*/", 2);
			if (!e) {
				t.t = T_BADCOMMENT;
				t.s = q;
				hcl__p_advance(p, &q, 2);
				t.e = q;
				return t;
			}
			hcl__p_advance(p, &q, (long)(e - s) + 2);
		} else if (c == '\n' && !nl) {
			hcl__p_advance(p, &q, 1);
		} else {
			break;
		}
	}
	t.s = q;
	d = hcl__p_at(p, q.byte + 1);
	switch (c) {
	case -1:
		t.t = T_EOF;
		n = 0;
		break;
	case '\n':
		t.t = T_NL;
		break;
	case '{':
		t.t = T_LBRACE;
		break;
	case '}':
		t.t = T_RBRACE;
		break;
	case '~':
		if (d == '}') {
			t.t = T_STRIP_RBRACE;
			n = 2;
		} else {
			t.t = T_INVALID;
		}
		break;
	case '[':
		t.t = T_LBRACK;
		break;
	case ']':
		t.t = T_RBRACK;
		break;
	case '(':
		t.t = T_LPAREN;
		break;
	case ')':
		t.t = T_RPAREN;
		break;
	case ',':
		t.t = T_COMMA;
		break;
	case '"':
		t.t = T_OQUOTE;
		break;
	case '.':
		if (d == '.' && hcl__p_at(p, q.byte + 2) == '.') {
			t.t = T_ELLIPSIS;
			n = 3;
		} else {
			t.t = T_DOT;
		}
		break;
	case '*':
		t.t = T_STAR;
		break;
	case '/':
		t.t = T_SLASH;
		break;
	case '%':
		t.t = T_PERCENT;
		break;
	case '+':
		t.t = T_PLUS;
		break;
	case '-':
		t.t = T_MINUS;
		break;
	case '?':
		t.t = T_QUESTION;
		break;
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
		if (hcl__p_is_digit(c)) {
			long i = q.byte;
			t.t = T_NUM;
			while (hcl__p_is_digit(hcl__p_at(p, i)))
				i++;
			if (hcl__p_at(p, i) == '.' && hcl__p_is_digit(hcl__p_at(p, i + 1))) {
				i++;
				while (hcl__p_is_digit(hcl__p_at(p, i)))
					i++;
			}
			if ((hcl__p_at(p, i) == 'e' || hcl__p_at(p, i) == 'E') &&
			    (hcl__p_is_digit(hcl__p_at(p, i + 1)) ||
			     ((hcl__p_at(p, i + 1) == '+' || hcl__p_at(p, i + 1) == '-') &&
			      hcl__p_is_digit(hcl__p_at(p, i + 2))))) {
				i += 2;
				while (hcl__p_is_digit(hcl__p_at(p, i)))
					i++;
			}
			n = i - q.byte;
		} else if (hcl__p_is_id_start(c)) {
			long i = q.byte + 1;
			t.t = T_IDENT;
			while (hcl__p_is_id_cont(hcl__p_at(p, i)))
				i++;
			n = i - q.byte;
		} else {
			t.t = T_INVALID;
			n = 1;
			while (q.byte + n < p->end && (hcl__p_at(p, q.byte + n) & 0xC0) == 0x80)
				n++;
		}
	}
	hcl__p_advance(p, &q, n);
	t.e = q;
	return t;
}

token hcl__p_peek(parser *p)
{
	if (!p->have_peek || p->peek_nl != p->nl) {
		p->peek = lex(p, p->pos, p->nl);
		p->have_peek = 1;
		p->peek_nl = p->nl;
		if (p->peek.t == T_INVALID)
			hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_mkrange(p, p->peek.s, p->peek.e),
				      "Invalid character",
				      "This character is not used within the language.");
		else if (p->peek.t == T_BADCOMMENT)
			hcl__p_fail_r(p, ATMO_EINVALID, hcl__p_mkrange(p, p->peek.s, p->peek.e),
				      "Unterminated comment",
				      "There is no closing marker for this comment before the end "
				      "of the file.");
	}
	return p->peek;
}

token hcl__p_next(parser *p)
{
	token t = hcl__p_peek(p);
	p->have_peek = 0;
	p->pos = t.e;
	p->prev_end = t.e;
	return t;
}

hcl_range hcl__p_trange(parser *p, token t)
{
	return hcl__p_mkrange(p, t.s, t.e);
}

/* Move the read position to q (after raw template scanning). */
void hcl__p_seek(parser *p, hcl_pos q)
{
	p->pos = q;
	p->prev_end = q;
	p->have_peek = 0;
}

int hcl__p_tok_is(const parser *p, token t, const char *kw)
{
	size_t n = strlen(kw);
	return t.t == T_IDENT && (size_t)(t.e.byte - t.s.byte) == n &&
	       memcmp(p->src + (t.s.byte - p->base), kw, n) == 0;
}

const char *hcl__p_tok_text(parser *p, token t)
{
	return hcl__p_adup(p, p->src + (t.s.byte - p->base), (size_t)(t.e.byte - t.s.byte));
}
