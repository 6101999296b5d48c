/*
 * Internal to the Dockerfile parser's files (parser.c, parse_lines.c,
 * directives.c, instruction.c, heredoc.c): the state of one parse, the
 * keyword kinds, and the small helpers every step uses (inline: they sit in
 * the per-byte loops). A header of its own, not dockerfile_int.h: its short
 * helper names would clash with the rest of the module (shell.c names a
 * local atmo_error perr, which -Wshadow refuses beside an inline perr()).
 */
#ifndef ATMO_DOCKERFILE_PARSER_INT_H
#define ATMO_DOCKERFILE_PARSER_INT_H

#include <stdarg.h>
#include <stdint.h>
#include "dockerfile/dockerfile_int.h"

typedef struct {
	atmo_dockerfile *df;
	atmo_error *err;
	const char *source;
	const char *text;
	size_t len, pos;
	int lineno;
	char escape;
	int dir_done, seen_syntax, seen_escape, seen_check;
	int too_long;     /* the physical line that exceeded ATMO_DOCKERFILE_MAX_LINE, 0 */
	int too_long_at;  /* where BuildKit reports it */
	int in_cont;      /* reading the continuation lines of an instruction */
	atmo_buf line;    /* the joined logical line */
	atmo_buf tmp;     /* word building */
	atmo_buf comment; /* comments above the next instruction */
	int has_comment;
	atmo__strvec args[ATMO__MAX_ONBUILD_DEPTH + 2];
	atmo__strvec flags[ATMO__MAX_ONBUILD_DEPTH + 2];
	atmo__strvec words;
	/* end of the arena copy of the line atmo__df_node_from_line is working on */
	const char *cur_end;
	/* first physical line of the instruction, for error columns */
	const char *first_line;
	size_t first_len;
} pctx;

typedef struct {
	const char *p; /* content without the newline */
	size_t n;
	size_t raw_n; /* with the newline when there is one */
} pline;

enum {
	K_UNKNOWN,
	K_ADD,
	K_ARG,
	K_CMD,
	K_COPY,
	K_ENTRYPOINT,
	K_ENV,
	K_EXPOSE,
	K_FROM,
	K_HEALTHCHECK,
	K_LABEL,
	K_MAINTAINER,
	K_ONBUILD,
	K_RUN,
	K_SHELL,
	K_STOPSIGNAL,
	K_USER,
	K_VOLUME,
	K_WORKDIR
};

/* ---- errors ---- */
static inline int perr(pctx *c, int code, int line, int col, const char *fmt, ...)
	ATMO_PRINTF(5, 6);
static inline int perr(pctx *c, int code, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	atmo__error_vset(c->err, code, c->source, line, col, fmt, ap);
	va_end(ap);
	return code;
}

static inline int nomem(pctx *c)
{
	return perr(c, ATMO_ENOMEM, 0, 0, "out of memory");
}

/* ---- character classes ---- */
static inline int is_ws_re(unsigned char ch) /* reWhitespace: [\t\v\f\r ] */
{
	return ch == ' ' || ch == '\t' || ch == '\v' || ch == '\f' || ch == '\r';
}

static inline int is_ascii_space(unsigned char ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

/* width of a unicode.IsSpace rune at s, 0 if none */
static inline size_t space_at(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w;
	uint32_t r;
	if (p[0] < 0x80)
		return is_ascii_space(p[0]) ? 1 : 0;
	r = atmo__utf8_decode(p, n, &w);
	return atmo__is_space(r) ? w : 0;
}

static inline void trim_left(const char **s, size_t *n)
{
	size_t w;
	while (*n && (w = space_at(*s, *n)) > 0) {
		*s += w;
		*n -= w;
	}
}

/* strings.TrimSpace */
static inline void trim_space(const char **s, size_t *n)
{
	trim_left(s, n);
	while (*n) {
		const unsigned char *p = (const unsigned char *)*s;
		size_t k = *n - 1, w;
		if (p[k] < 0x80) {
			if (!is_ascii_space(p[k]))
				break;
			(*n)--;
			continue;
		}
		/* find the start of the last rune */
		while (k > 0 && *n - k < 4 && (p[k] & 0xC0) == 0x80)
			k--;
		if (atmo__is_space(atmo__utf8_decode(p + k, *n - k, &w)) && k + w == *n)
			*n = k;
		else
			break;
	}
}

/* ---- strings of the parsed file ---- */
static inline const char *adup(pctx *c, const char *s, size_t n)
{
	return atmo__arena_strndup(&c->df->arena, s, n);
}

/* ---- lines (parse_lines.c) ---- */
/* bytes.TrimRight(line, "\r\n") on the content (the '\n' is already off) */
static inline size_t trim_newline(const char *p, size_t n)
{
	while (n && (p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	return n;
}

/* the next physical line into *l: 1, or 0 at the end of the input (or at a
 * line over ATMO_DOCKERFILE_MAX_LINE, recorded in c->too_long) */
int atmo__df_next_line(pctx *c, pline *l);
int atmo__df_is_comment_line(const char *p, size_t n);
/* 1 when p[0..*n) ends in a line continuation (*n then excludes it) */
int atmo__df_trim_continuation(pctx *c, const char *p, size_t *n);

/* ---- parser directives (directives.c) ---- */
static inline int is_re_s(unsigned char ch) /* RE2 \s */
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r';
}

/* read p[0..n) as a parser directive while they may appear: 0 or an error */
int atmo__df_directive(pctx *c, const char *p, size_t n);

/* ---- instructions (instruction.c) ---- */
/* K_* of a lower-case keyword */
int atmo__df_keyword_kind(const char *kw, size_t n);
/* newNodeFromLine: fill *ins from the logical line s[0..n); *kind_out its K_* */
int atmo__df_node_from_line(pctx *c, atmo__instr *ins, const char *s, size_t n, int depth, int line,
			    int *kind_out);

/* ---- heredocs (heredoc.c) ---- */
static inline int heredoc_kind(int kind)
{
	return kind == K_RUN || kind == K_COPY || kind == K_ADD;
}

/* read the bodies of the heredocs the line starting at line `start` opens */
int atmo__df_read_heredocs(pctx *c, atmo__instr *ins, const char *line, size_t n, int start);

#endif
