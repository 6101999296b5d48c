/*
 * Internal to the native-syntax parser (parse*.c): the parser state, tokens,
 * template items, and the helpers its files share (hcl__p_*). The parser
 * reads on demand: parse_lexer.c makes tokens, parse_template.c scans
 * strings and heredocs, parse_expr.c builds expressions, parse.c bodies
 * and files.
 */
#ifndef ATMO_HCL_PARSE_INT_H
#define ATMO_HCL_PARSE_INT_H

#include "hcl/hcl_int.h"
#include "util/buf.h"

#define MAX_DEPTH 256
#define MAX_INPUT ((size_t)64 << 20)

typedef enum {
	T_EOF,
	T_NL,
	T_IDENT,
	T_NUM,
	T_OQUOTE,
	T_OHEREDOC,
	T_LBRACE,
	T_RBRACE,
	T_STRIP_RBRACE,
	T_LBRACK,
	T_RBRACK,
	T_LPAREN,
	T_RPAREN,
	T_COMMA,
	T_DOT,
	T_ELLIPSIS,
	T_STAR,
	T_SLASH,
	T_PERCENT,
	T_PLUS,
	T_MINUS,
	T_EQ,
	T_EQEQ,
	T_NE,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_AND,
	T_OR,
	T_BANG,
	T_QUESTION,
	T_COLON,
	T_DCOLON,
	T_ARROW,
	T_INVALID,
	T_BADCOMMENT
} tok_type;

typedef struct {
	tok_type t;
	hcl_pos s, e;
} token;

typedef struct {
	hcl_file *f;
	const char *src; /* text being read; src[pos.byte - base] */
	long base;
	long end;         /* byte offset just past the text */
	hcl_pos pos;      /* where the next token starts (before skipped space) */
	hcl_pos prev_end; /* end of the last token read */
	int nl;           /* newlines are tokens */
	int have_peek, peek_nl;
	token peek;
	hcl_diag *diag;
	int err; /* the first error's code, 0 while none */
	int depth;
	int nfc;            /* normalize string literals (the native syntax) */
	hcl_diag first;     /* the first error recovered from (see recover_item) */
	size_t n_recovered; /* errors recovered from */
} parser;

/* raw template items, as scanned, before they are built into a tree */
enum { R_LIT, R_INTERP, R_IF, R_ELSE, R_ENDIF, R_FOR, R_ENDFOR };

typedef struct {
	int kind;
	char *s; /* literal text (atmo__malloc'd while parsing) */
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

/* scan_template modes */
enum { TM_QUOTED, TM_HEREDOC, TM_RAW };

/* small and called per character or token: inline in every parser file */
static inline hcl_range hcl__p_mkrange(parser *p, hcl_pos s, hcl_pos e)
{
	hcl_range r;
	r.filename = p->f->name;
	r.start = s;
	r.end = e;
	return r;
}

static inline hcl_range hcl__p_between(hcl_range a, hcl_range b)
{
	hcl_range r = a;
	r.end = b.end;
	return r;
}

static inline int hcl__p_at(const parser *p, long byte)
{
	return byte < p->end ? (unsigned char)p->src[byte - p->base] : -1;
}

static inline void hcl__p_advance(parser *p, hcl_pos *q, long n)
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

static inline int hcl__p_is_id_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static inline int hcl__p_is_id_cont(int c)
{
	return hcl__p_is_id_start(c) || (c >= '0' && c <= '9') || c == '-';
}

static inline int hcl__p_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* parse.c: ranges, errors, arena nodes, nesting depth */
/* Record the first error; returns NULL for the callers' convenience. */
void *hcl__p_fail_r(parser *p, int code, hcl_range r, const char *summary, const char *fmt, ...)
	ATMO_PRINTF(5, 6);
void *hcl__p_nomem(parser *p);
void *hcl__p_alloc(parser *p, size_t n);
char *hcl__p_adup(parser *p, const char *s, size_t n);
hcl_expr *hcl__p_node(parser *p, hcl_expr_kind k, hcl_range r);
/* Grow an arena array of items of size sz by one slot; returns the slot. */
void *hcl__p_push(parser *p, void **arr, size_t *n, size_t *cap, size_t sz);
hcl_expr *hcl__p_lit_node(parser *p, hcl_value *v, hcl_range r);
int hcl__p_depth_in(parser *p, hcl_range r);
/* parse_lexer.c: tokens */
token hcl__p_peek(parser *p);
token hcl__p_next(parser *p);
hcl_range hcl__p_trange(parser *p, token t);
void hcl__p_seek(parser *p, hcl_pos q);
int hcl__p_tok_is(const parser *p, token t, const char *kw);
const char *hcl__p_tok_text(parser *p, token t);
/* parse_template.c */
void hcl__p_ritems_free(ritems *ri);
int hcl__p_scan_template(parser *p, ritems *ri, int mode, const char *marker, size_t mlen,
			 int no_seq, hcl_range *close);
hcl_expr *hcl__p_parse_template_expr(parser *p, token open);
hcl_expr *hcl__p_parse_expr(parser *p); /* parse_expr.c */

#endif
