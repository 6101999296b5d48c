/*
 * The Dockerfile parser, following BuildKit's frontend/dockerfile/parser:
 * physical lines are scanned once (memchr), parser directives are read at
 * the top, continuation lines are joined (comments and blank lines inside
 * are skipped), each logical line is split into keyword, flags and
 * arguments by the keyword's line parser, and heredoc bodies are read after
 * RUN/COPY/ADD (also under ONBUILD). Strings live in one arena per file.
 *
 * Deliberate differences from BuildKit (documented in the tests):
 *  - NUL bytes are read as U+FFFD (C strings), with a warning at the first;
 *  - none in where errors are located: a line longer than
 *    ATMO_DOCKERFILE_MAX_LINE ends the input as BuildKit's scanner does (an
 *    instruction cut there is still checked, a heredoc is unterminated, a
 *    file without instructions says so) and is reported after the loop at
 *    the line before it; a parser directive error is located one line up,
 *    as BuildKit counts its lines (line 1 for a directive on line 1);
 *  - flags keep their bytes (BuildKit's flag splitter decodes bytes as
 *    Latin-1, which mangles non-ASCII flag values);
 *  - ONBUILD nested deeper than ATMO__MAX_ONBUILD_DEPTH keeps the rest as
 *    text (see flat_node).
 * Unknown instructions are accepted, as BuildKit's parser does (its dump
 * shows them with one empty argument); a warning names them.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dockerfile/dockerfile_int.h"
#include "util/alloc.h"

typedef struct {
	atmo_dockerfile *df;
	atmo_error *err;
	const char *source;
	const char *text;
	size_t len, pos;
	int lineno;
	char escape;
	int dir_done, seen_syntax, seen_escape, seen_check;
	int too_long;      /* the physical line that exceeded ATMO_DOCKERFILE_MAX_LINE, 0 */
	int too_long_at;   /* where BuildKit reports it */
	int in_cont;       /* reading the continuation lines of an instruction */
	atmo_buf line;     /* the joined logical line */
	atmo_buf tmp;      /* word building */
	atmo_buf comment;  /* comments above the next instruction */
	int has_comment;
	atmo__dfstrv args[ATMO__MAX_ONBUILD_DEPTH + 2];
	atmo__dfstrv flags[ATMO__MAX_ONBUILD_DEPTH + 2];
	atmo__dfstrv words;
	/* end of the arena copy of the line node_from_line is working on */
	const char *cur_end;
	/* first physical line of the instruction, for error columns */
	const char *first_line;
	size_t first_len;
} pctx;

typedef struct {
	const char *p;   /* content without the newline */
	size_t n;
	size_t raw_n;    /* with the newline when there is one */
} pline;

enum { K_UNKNOWN, K_ADD, K_ARG, K_CMD, K_COPY, K_ENTRYPOINT, K_ENV, K_EXPOSE, K_FROM,
       K_HEALTHCHECK, K_LABEL, K_MAINTAINER, K_ONBUILD, K_RUN, K_SHELL, K_STOPSIGNAL,
       K_USER, K_VOLUME, K_WORKDIR };

#define KW(s, k) { s, sizeof(s) - 1, k }
static const struct {
	const char *name;
	size_t len;
	int kind;
} keywords[] = {
	KW("add", K_ADD), KW("arg", K_ARG), KW("cmd", K_CMD), KW("copy", K_COPY),
	KW("entrypoint", K_ENTRYPOINT), KW("env", K_ENV), KW("expose", K_EXPOSE),
	KW("from", K_FROM), KW("healthcheck", K_HEALTHCHECK), KW("label", K_LABEL),
	KW("maintainer", K_MAINTAINER), KW("onbuild", K_ONBUILD), KW("run", K_RUN),
	KW("shell", K_SHELL), KW("stopsignal", K_STOPSIGNAL), KW("user", K_USER),
	KW("volume", K_VOLUME), KW("workdir", K_WORKDIR),
};
#undef KW

static int perr(pctx *c, int code, int line, int col, const char *fmt, ...) ATMO_PRINTF(5, 6);
static int perr(pctx *c, int code, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	atmo__error_vset(c->err, code, c->source, line, col, fmt, ap);
	va_end(ap);
	return code;
}

static int nomem(pctx *c)
{
	return perr(c, ATMO_ENOMEM, 0, 0, "out of memory");
}

static int add_warning(pctx *c, int line, int col, const char *fmt, ...) ATMO_PRINTF(4, 5);
static int add_warning(pctx *c, int line, int col, const char *fmt, ...)
{
	atmo_dockerfile *df = c->df;
	atmo_error *w;
	va_list ap;
	if (df->n_warn == df->cap_warn) {
		size_t cap = df->cap_warn ? df->cap_warn * 2 : 8;
		atmo_error *nw = atmo__reallocarray(df->warnings, cap, sizeof(*nw), NULL);
		if (!nw)
			return nomem(c);
		df->warnings = nw;
		df->cap_warn = cap;
	}
	w = &df->warnings[df->n_warn++];
	atmo_error_clear(w);
	w->code = ATMO_EINVALID;
	w->line = line;
	w->column = col;
	snprintf(w->source, sizeof(w->source), "%s", c->source);
	va_start(ap, fmt);
	vsnprintf(w->text, sizeof(w->text), fmt, ap);
	va_end(ap);
	return 0;
}

/* ---- character classes ---- */
static int is_ws_re(unsigned char ch) /* reWhitespace: [\t\v\f\r ] */
{
	return ch == ' ' || ch == '\t' || ch == '\v' || ch == '\f' || ch == '\r';
}

static int is_ascii_space(unsigned char ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

/* width of a unicode.IsSpace rune at s, 0 if none */
static size_t space_at(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w;
	uint32_t r;
	if (p[0] < 0x80)
		return is_ascii_space(p[0]) ? 1 : 0;
	r = atmo__utf8_decode(p, n, &w);
	return atmo__is_space(r) ? w : 0;
}

static void trim_left(const char **s, size_t *n)
{
	size_t w;
	while (*n && (w = space_at(*s, *n)) > 0) {
		*s += w;
		*n -= w;
	}
}

/* strings.TrimSpace */
static void trim_space(const char **s, size_t *n)
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

/* ---- lines ---- */
static int next_line(pctx *c, pline *l)
{
	const char *p, *nl;
	if (c->pos >= c->len)
		return 0;
	p = c->text + c->pos;
	nl = memchr(p, '\n', c->len - c->pos);
	l->p = p;
	if (nl) {
		l->n = (size_t)(nl - p);
		l->raw_n = l->n + 1;
	} else {
		l->n = c->len - c->pos;
		l->raw_n = l->n;
	}
	if (l->n > ATMO_DOCKERFILE_MAX_LINE) {
		/* bufio.Scanner stops at a too long token: the input ends here */
		c->too_long = c->lineno + 1;
		/* measured on BuildKit: the long line itself inside a continuation,
		 * else the line before it */
		c->too_long_at = c->in_cont ? c->too_long : c->lineno;
		c->pos = c->len;
		return 0;
	}
	c->pos += l->raw_n;
	c->lineno++;
	if (c->lineno == 1 && l->n >= 3 && !memcmp(l->p, "\xEF\xBB\xBF", 3)) {
		l->p += 3;
		l->n -= 3;
		l->raw_n -= 3;
	}
	return 1;
}

/* bytes.TrimRight(line, "\r\n") on the content (the '\n' is already off) */
static size_t trim_newline(const char *p, size_t n)
{
	while (n && (p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	return n;
}

static int is_comment_line(const char *p, size_t n)
{
	n = trim_newline(p, n);
	trim_left(&p, &n);
	return n > 0 && p[0] == '#';
}

/* the line continuation regex: ([^E])E[ \t]*$ or ^E[ \t]*$ */
static int trim_continuation(pctx *c, const char *p, size_t *n)
{
	size_t k = *n;
	while (k && (p[k - 1] == ' ' || p[k - 1] == '\t'))
		k--;
	if (!k || p[k - 1] != c->escape)
		return 0;
	if (k == 1) {
		*n = 0;
		return 1;
	}
	if (p[k - 2] == c->escape)
		return 0;
	*n = k - 1;
	return 1;
}

/* ---- parser directives ---- */
static int is_re_s(unsigned char ch) /* RE2 \s */
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r';
}

/* BuildKit locates a directive error at the count of lines before it */
static int directive_line(const pctx *c)
{
	return c->lineno > 1 ? c->lineno - 1 : 1;
}

static int directive(pctx *c, const char *p, size_t n)
{
	size_t i, ks, ke, vs, ve;
	char key[16];
	const char **slot;
	int *seen;

	if (c->dir_done)
		return 0;
	if (!n || p[0] != '#') {
		c->dir_done = 1;
		return 0;
	}
	p++;
	n--;
	trim_left(&p, &n);
	i = 0;
	if (i >= n || !isalpha((unsigned char)p[i]))
		goto done;
	ks = i;
	while (i < n && isalnum((unsigned char)p[i]))
		i++;
	ke = i;
	while (i < n && is_re_s((unsigned char)p[i]))
		i++;
	if (i >= n || p[i] != '=')
		goto done;
	i++;
	vs = i;
	while (vs < n && is_re_s((unsigned char)p[vs]))
		vs++;
	if (vs >= n) {
		if (vs == i)
			goto done;
		vs = n - 1; /* (.+?) takes the last blank */
		ve = n;
	} else {
		ve = n;
		while (ve > vs + 1 && is_re_s((unsigned char)p[ve - 1]))
			ve--;
	}
	if (ke - ks >= sizeof(key))
		goto done;
	for (i = ks; i < ke; i++)
		key[i - ks] = (char)tolower((unsigned char)p[i]);
	key[ke - ks] = '\0';
	if (!strcmp(key, "syntax")) {
		slot = &c->df->syntax;
		seen = &c->seen_syntax;
	} else if (!strcmp(key, "escape")) {
		slot = &c->df->escape_value;
		seen = &c->seen_escape;
	} else if (!strcmp(key, "check")) {
		slot = &c->df->check;
		seen = &c->seen_check;
	} else {
		goto done;
	}
	if (*seen)
		return perr(c, ATMO_EINVALID, directive_line(c), 1,
			    "only one %s parser directive can be used", key);
	*seen = 1;
	*slot = atmo__arena_strndup(&c->df->arena, p + vs, ve - vs);
	if (!*slot)
		return nomem(c);
	if (seen == &c->seen_escape) {
		if (ve - vs != 1 || (p[vs] != '`' && p[vs] != '\\'))
			return perr(c, ATMO_EINVALID, directive_line(c), 1,
				    "invalid escape token '%.*s' does not match ` or \\",
				    (int)(ve - vs > 64 ? 64 : ve - vs), p + vs);
		c->escape = p[vs];
	}
	return 0;
done:
	c->dir_done = 1;
	return 0;
}

/* ---- building nodes ---- */
static const char *adup(pctx *c, const char *s, size_t n)
{
	return atmo__arena_strndup(&c->df->arena, s, n);
}

/* s[0..n) ends where the NUL-terminated copy being parsed ends: no copy */
static int push_ref(pctx *c, atmo__dfstrv *v, const char *s, size_t n)
{
	if (s + n == c->cur_end) {
		if (atmo__dfstrv_push(v, s, n) < 0)
			return ATMO_ENOMEM;
		return 0;
	}
	{
		const char *d = atmo__arena_strndup(&c->df->arena, s, n);
		if (!d || atmo__dfstrv_push(v, d, n) < 0)
			return ATMO_ENOMEM;
	}
	return 0;
}

static int push(pctx *c, atmo__dfstrv *v, const char *s, size_t n)
{
	const char *d = adup(c, s, n);
	if (!d || atmo__dfstrv_push(v, d, n) < 0)
		return nomem(c);
	return 0;
}

/* BuildKit's extractBuilderFlags: flags before the arguments, "--" ends them. */
static int extract_flags(pctx *c, atmo__dfstrv *flags, const char *s, size_t n,
			 const char **rest, size_t *rest_n)
{
	enum { IN_SPACES, IN_WORD, IN_QUOTE } phase = IN_SPACES;
	size_t pos;
	char quote = 0;
	int blank_ok = 0;
	atmo_buf *w = &c->tmp;

	atmo__buf_clear(w);
	for (pos = 0; pos <= n; pos++) {
		unsigned char ch = pos < n ? (unsigned char)s[pos] : 0;
		if (phase == IN_SPACES) {
			if (pos == n)
				break;
			if (is_ascii_space(ch))
				continue;
			if (ch != '-' || pos + 1 == n || s[pos + 1] != '-') {
				*rest = s + pos;
				*rest_n = n - pos;
				return 0;
			}
			phase = IN_WORD;
		}
		if (pos == n) {
			if (!(w->len == 2 && !memcmp(w->ptr, "--", 2)) && (blank_ok || w->len > 0))
				if (push(c, flags, atmo__buf_cstr(w), w->len) < 0)
					return ATMO_ENOMEM;
			break;
		}
		if (phase == IN_WORD) {
			if (is_ascii_space(ch)) {
				phase = IN_SPACES;
				if (w->len == 2 && !memcmp(w->ptr, "--", 2)) {
					*rest = s + pos;
					*rest_n = n - pos;
					return 0;
				}
				if (blank_ok || w->len > 0)
					if (push(c, flags, atmo__buf_cstr(w), w->len) < 0)
						return ATMO_ENOMEM;
				atmo__buf_clear(w);
				blank_ok = 0;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = (char)ch;
				blank_ok = 1;
				phase = IN_QUOTE;
				continue;
			}
			if (ch == (unsigned char)c->escape) { /* d.escapeToken */
				if (pos + 1 == n)
					continue;
				ch = (unsigned char)s[++pos];
			}
			atmo__buf_putc(w, (char)ch);
			continue;
		}
		/* IN_QUOTE */
		if (ch == (unsigned char)quote) {
			phase = IN_WORD;
			continue;
		}
		if (ch == (unsigned char)c->escape) {
			if (pos + 1 == n) {
				phase = IN_WORD;
				continue;
			}
			ch = (unsigned char)s[++pos];
		}
		atmo__buf_putc(w, (char)ch);
	}
	*rest = s + n;
	*rest_n = 0;
	return w->oom ? nomem(c) : 0;
}

/* One word of parseWords: s[a..b) as written, unless it holds invalid UTF-8,
 * which Go's string(rune) turns into U+FFFD. */
static int emit_word(pctx *c, atmo__dfstrv *out, const char *s, size_t a, size_t b, int dirty)
{
	if (!dirty)
		return push_ref(c, out, s + a, b - a) < 0 ? nomem(c) : 0;
	atmo__buf_clear(&c->tmp);
	atmo__buf_put_utf8(&c->tmp, s + a, b - a);
	if (c->tmp.oom)
		return nomem(c);
	return push(c, out, atmo__buf_cstr(&c->tmp), c->tmp.len);
}

/* parseWords: words split on spaces, quotes and escapes kept. Every rune of
 * a word is kept except an escape at the very end of the line, so a word is
 * a span of the line. */
static int parse_words(pctx *c, atmo__dfstrv *out, const char *s, size_t n)
{
	enum { IN_SPACES, IN_WORD, IN_QUOTE } phase = IN_SPACES;
	const unsigned char *u = (const unsigned char *)s;
	size_t pos, wd = 1, start = 0, wend = 0;
	uint32_t ch = 0, quote = 0, esc = (unsigned char)c->escape;
	int blank_ok = 0, dirty = 0;

#define DECODE()                                                                  \
	do {                                                                      \
		if (u[pos] < 0x80) {                                              \
			ch = u[pos];                                              \
			wd = 1;                                                   \
		} else {                                                          \
			ch = atmo__utf8_decode(u + pos, n - pos, &wd);            \
			if (ch == ATMO__RUNE_ERROR && wd == 1)                    \
				dirty = 1;                                        \
		}                                                                 \
	} while (0)

	for (pos = 0; pos <= n; pos += wd) {
		if (pos != n)
			DECODE();
		if (phase == IN_SPACES) {
			if (pos == n)
				break;
			if (ch < 0x80 ? (ch == ' ' || (ch >= '\t' && ch <= '\r')) : atmo__is_space(ch))
				continue;
			phase = IN_WORD;
			start = wend = pos;
			dirty = ch == ATMO__RUNE_ERROR && wd == 1;
		}
		if (pos == n) {
			if ((blank_ok || wend > start) && emit_word(c, out, s, start, wend, dirty) < 0)
				return ATMO_ENOMEM;
			break;
		}
		if (phase == IN_WORD) {
			if (ch < 0x80 ? (ch == ' ' || (ch >= '\t' && ch <= '\r')) : atmo__is_space(ch)) {
				phase = IN_SPACES;
				if ((blank_ok || wend > start) &&
				    emit_word(c, out, s, start, wend, dirty) < 0)
					return ATMO_ENOMEM;
				blank_ok = 0;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = ch;
				blank_ok = 1;
				phase = IN_QUOTE;
			}
			if (ch == esc) {
				if (pos + wd == n)
					continue; /* an escape at the end of the line is dropped */
				pos += wd;
				DECODE();
			}
			wend = pos + wd;
			continue;
		}
		/* IN_QUOTE */
		if (ch == quote)
			phase = IN_WORD;
		if (ch == esc && quote != '\'') {
			if (pos + wd == n) {
				phase = IN_WORD;
				continue;
			}
			pos += wd;
			DECODE();
		}
		wend = pos + wd;
	}
#undef DECODE
	return 0;
}

/* parseStringsWhitespaceDelimited */
static int parse_whitespace_list(pctx *c, atmo__dfstrv *args, const char *s, size_t n)
{
	size_t i = 0;
	if (!n)
		return 0;
	for (;;) {
		size_t j = i;
		while (j < n && !is_ws_re((unsigned char)s[j]))
			j++;
		if (push_ref(c, args, s + i, j - i) < 0)
			return nomem(c);
		if (j >= n)
			return 0;
		while (j < n && is_ws_re((unsigned char)s[j]))
			j++;
		if (j >= n) {
			/* regexp.Split keeps the empty string after a trailing separator */
			return push(c, args, "", 0);
		}
		i = j;
	}
}

static int parse_json(pctx *c, atmo__dfstrv *args, const char *s, size_t n, int line)
{
	int r = atmo__json_string_array(args, &c->df->arena, s, n);
	if (r == ATMO_ENOMEM)
		return nomem(c);
	if (r == ATMO_EINVALID)
		return perr(c, ATMO_EINVALID, line, 1,
			    "when using JSON array syntax, arrays must be comprised of strings only");
	return r;
}

static int parse_maybe_json(pctx *c, atmo__dfstrv *args, const char *s, size_t n, int line,
			    int *json)
{
	int r;
	if (!n)
		return 0;
	r = parse_json(c, args, s, n, line);
	if (r < 0)
		return r;
	if (r == 1) {
		*json = 1;
		return 0;
	}
	return push_ref(c, args, s, n);
}

static int parse_maybe_json_list(pctx *c, atmo__dfstrv *args, const char *s, size_t n, int line,
				 int *json)
{
	int r = parse_json(c, args, s, n, line);
	if (r < 0)
		return r;
	if (r == 1) {
		*json = 1;
		return 0;
	}
	return parse_whitespace_list(c, args, s, n);
}

static int has_eq(const char *s, size_t n)
{
	return memchr(s, '=', n) != NULL;
}

/* parseNameVal: ENV and LABEL as (key value separator) triples */
static int parse_name_val(pctx *c, atmo__dfstrv *args, const char *s, size_t n, const char *key,
			  int line)
{
	atmo__dfstrv *w = &c->words;
	size_t i;
	w->n = 0;
	if (parse_words(c, w, s, n) < 0)
		return ATMO_ENOMEM;
	if (w->n == 0)
		return 0;
	if (!has_eq(w->s[0], w->len[0])) {
		size_t j = 0, k;
		while (j < n && !is_ws_re((unsigned char)s[j]))
			j++;
		if (j >= n)
			return perr(c, ATMO_EINVALID, line, 1, "%s must have two arguments", key);
		k = j;
		while (k < n && is_ws_re((unsigned char)s[k]))
			k++;
		if (push(c, args, s, j) < 0 || push(c, args, s + k, n - k) < 0 ||
		    push(c, args, "", 0) < 0)
			return ATMO_ENOMEM;
		return 0;
	}
	for (i = 0; i < w->n; i++) {
		const char *eq = memchr(w->s[i], '=', w->len[i]);
		size_t kl;
		if (!eq) {
			atmo_buf q = ATMO_BUF_INIT;
			atmo__quote(&q, w->s[i], w->len[i]);
			perr(c, ATMO_EINVALID, line, 1,
			     "Syntax error - can't find = in %s. Must be of the form: name=value",
			     atmo__buf_cstr(&q));
			atmo__buf_free(&q);
			return ATMO_EINVALID;
		}
		kl = (size_t)(eq - w->s[i]);
		/* the value is the word's tail: referenced when it ends the line */
		if (push(c, args, w->s[i], kl) < 0 ||
		    push_ref(c, args, eq + 1, w->len[i] - kl - 1) < 0 ||
		    atmo__dfstrv_push(args, "=", 1) < 0)
			return nomem(c);
	}
	return 0;
}

static int parse_health(pctx *c, atmo__dfstrv *args, const char *s, size_t n, int line, int *json)
{
	size_t sep = 0, next;
	while (sep < n && !is_ascii_space((unsigned char)s[sep]))
		sep++;
	next = sep;
	while (next < n && is_ascii_space((unsigned char)s[next]))
		next++;
	if (sep == 0)
		return 0;
	if (push(c, args, s, sep) < 0)
		return ATMO_ENOMEM;
	return parse_maybe_json(c, args, s + next, n - next, line, json);
}

static int keyword_kind(const char *kw, size_t n)
{
	size_t i;
	if (n < 3 || n > 11)
		return K_UNKNOWN;
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (keywords[i].len == n && keywords[i].name[0] == kw[0] &&
		    !memcmp(keywords[i].name, kw, n))
			return keywords[i].kind;
	return K_UNKNOWN;
}

static int finish_strv(pctx *c, const atmo__dfstrv *v, const char *const **out, size_t *n,
		       const size_t **lens)
{
	const char **a;
	*n = v->n;
	*out = NULL;
	if (lens)
		*lens = NULL;
	if (!v->n)
		return 0;
	a = atmo__arena_alloc(&c->df->arena, v->n * sizeof(*a));
	if (!a)
		return nomem(c);
	memcpy(a, v->s, v->n * sizeof(*a));
	*out = a;
	if (lens) {
		size_t *l = atmo__arena_alloc(&c->df->arena, v->n * sizeof(*l));
		if (!l)
			return nomem(c);
		memcpy(l, v->len, v->n * sizeof(*l));
		*lens = l;
	}
	return 0;
}

/* Past ATMO__MAX_ONBUILD_DEPTH (the recursion's bound) the trigger is kept as
 * text: its keyword and one argument. BuildKit parses any depth, but its
 * instruction layer refuses ONBUILD ONBUILD at the outermost one anyway. */
static int flat_node(pctx *c, atmo__instr *ins, const char *s, size_t n)
{
	size_t k = 0, i;
	char *kw;
	const char **args;
	memset(ins, 0, sizeof(*ins));
	while (k < n && !is_ws_re((unsigned char)s[k]))
		k++;
	kw = atmo__arena_strndup(&c->df->arena, s, k);
	ins->pub.original = adup(c, s, n);
	args = atmo__arena_alloc(&c->df->arena, sizeof(*args));
	if (!kw || !ins->pub.original || !args)
		return nomem(c);
	for (i = 0; i < k; i++)
		kw[i] = (char)tolower((unsigned char)kw[i]);
	args[0] = ins->pub.original;
	ins->pub.keyword = kw;
	ins->pub.args = args;
	ins->pub.n_args = 1;
	return 0;
}

/* newNodeFromLine: fill *ins from one logical line */
static int node_from_line(pctx *c, atmo__instr *ins, const char *s, size_t n, int depth,
			  int line, int *kind_out)
{
	atmo__dfstrv *args = &c->args[depth], *flags = &c->flags[depth];
	const char *cmd, *rest, *copy_end;
	size_t cmd_n, rest_n = 0, i;
	char *kw;
	int kind, json = 0, rc = 0;

	args->n = 0;
	flags->n = 0;
	memset(ins, 0, sizeof(*ins));
	ins->pub.original = adup(c, s, n);
	if (!ins->pub.original)
		return nomem(c);
	/* work on the copy: arguments that end the line are referenced, not copied */
	s = ins->pub.original;
	c->cur_end = copy_end = s + n;
	rest = copy_end;

	trim_space(&s, &n);
	cmd = s;
	for (i = 0; i < n && !is_ws_re((unsigned char)s[i]); i++)
		;
	cmd_n = i;
	if (i < n) {
		const char *r;
		size_t rn;
		while (i < n && is_ws_re((unsigned char)s[i]))
			i++;
		if ((rc = extract_flags(c, flags, s + i, n - i, &r, &rn)) < 0)
			return rc;
		rest = r;
		rest_n = rn;
		trim_space(&rest, &rest_n);
	}
	kw = atmo__arena_strndup(&c->df->arena, cmd, cmd_n);
	if (!kw)
		return nomem(c);
	for (i = 0; i < cmd_n; i++)
		kw[i] = (char)tolower((unsigned char)kw[i]);
	ins->pub.keyword = kw;
	kind = keyword_kind(kw, cmd_n);
	*kind_out = kind;

	switch (kind) {
	case K_ADD: case K_COPY: case K_VOLUME:
		rc = parse_maybe_json_list(c, args, rest, rest_n, line, &json);
		break;
	case K_ARG:
		rc = parse_words(c, args, rest, rest_n);
		break;
	case K_CMD: case K_ENTRYPOINT: case K_RUN: case K_SHELL:
		rc = parse_maybe_json(c, args, rest, rest_n, line, &json);
		break;
	case K_ENV:
		rc = parse_name_val(c, args, rest, rest_n, "ENV", line);
		break;
	case K_LABEL:
		rc = parse_name_val(c, args, rest, rest_n, "LABEL", line);
		break;
	case K_EXPOSE: case K_FROM:
		rc = parse_whitespace_list(c, args, rest, rest_n);
		break;
	case K_HEALTHCHECK:
		rc = parse_health(c, args, rest, rest_n, line, &json);
		break;
	case K_MAINTAINER: case K_STOPSIGNAL: case K_USER: case K_WORKDIR:
		if (rest_n)
			rc = push_ref(c, args, rest, rest_n);
		break;
	case K_ONBUILD:
		if (rest_n) {
			atmo__instr *inner;
			int ik;
			inner = atmo__arena_alloc(&c->df->arena, sizeof(*inner));
			if (!inner)
				return nomem(c);
			if (depth + 1 > ATMO__MAX_ONBUILD_DEPTH)
				rc = flat_node(c, inner, rest, rest_n);
			else
				rc = node_from_line(c, inner, rest, rest_n, depth + 1, line, &ik);
			if (rc < 0)
				return rc;
			inner->pub.start_line = line;
			ins->pub.inner = &inner->pub;
			c->cur_end = copy_end; /* the inner parse moved it */
			rc = push_ref(c, args, rest, rest_n);
		}
		break;
	default:
		/* parseIgnore: BuildKit's parser keeps unknown instructions with one empty node */
		rc = push(c, args, "", 0);
		break;
	}
	if (rc < 0)
		return rc;
	ins->pub.json = json;
	if ((rc = finish_strv(c, flags, &ins->pub.flags, &ins->pub.n_flags, NULL)) < 0)
		return rc;
	return finish_strv(c, args, &ins->pub.args, &ins->pub.n_args, &ins->arg_lens);
}

static int heredoc_kind(int kind)
{
	return kind == K_RUN || kind == K_COPY || kind == K_ADD;
}

static int count_quotes(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\'' || *s == '"';
	return n;
}

/* heredocFromMatch on "<<NAME" words; 1 found (h filled), 0 not a heredoc */
static int heredoc_from_word(pctx *c, const char *word, atmo_heredoc *h, int line)
{
	const char *p = word, *rest;
	atmo__shell_opts o;
	atmo__words w1 = { NULL, 0, 0 }, w2 = { NULL, 0, 0 };
	atmo_error e;
	long fd = -1;
	int chomp = 0, rc = 0;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p[0] != '<' || p[1] != '<')
		return 0;
	if (p > word) {
		const char *q;
		fd = 0;
		for (q = word; q < p; q++)
			fd = fd > 100000000 ? fd : fd * 10 + (*q - '0');
	}
	p += 2;
	if (*p == '-') {
		chomp = 1;
		p++;
	}
	while (is_re_s((unsigned char)*p)) /* reHeredoc: <<-?\s*NAME */
		p++;
	if (strchr(p, '<') || !*p)
		return 0;
	rest = p;
	memset(&o, 0, sizeof(o));
	o.escape = '\\';
	o.skip_unset = 1;
	atmo_error_clear(&e);
	if ((rc = atmo__shell_process(rest, strlen(rest), &o, NULL, &w1, &e)) < 0)
		goto fail;
	if (w1.n != 1) {
		rc = 0;
		goto done;
	}
	o.raw_quotes = 1;
	if ((rc = atmo__shell_process(rest, strlen(rest), &o, NULL, &w2, &e)) < 0)
		goto fail;
	if (w2.n != 1) {
		rc = perr(c, ATMO_EINVALID, line, 1,
			  "internal lexing of heredoc produced inconsistent results: %s", rest);
		goto done;
	}
	h->name = adup(c, w1.v[0], strlen(w1.v[0]));
	if (!h->name) {
		rc = nomem(c);
		goto done;
	}
	h->expand = count_quotes(w1.v[0]) == count_quotes(w2.v[0]);
	h->chomp = chomp;
	h->fd = (int)fd;
	h->content = NULL;
	rc = 1;
	goto done;
fail:
	rc = perr(c, rc, line, 1, "%s", e.text);
done:
	atmo__words_free(&w1);
	atmo__words_free(&w2);
	return rc;
}

static int read_heredocs(pctx *c, atmo__instr *ins, const char *line, size_t n, int start)
{
	atmo__shell_opts o;
	atmo__words words = { NULL, 0, 0 };
	atmo_heredoc *docs = NULL;
	atmo_error e;
	size_t i, nd = 0;
	int rc;

	{
		const char *p = line, *end = line + n;
		while ((p = memchr(p, '<', (size_t)(end - p))) && p + 1 < end && p[1] != '<')
			p++;
		if (!p || p + 1 >= end)
			return 0;
	}
	memset(&o, 0, sizeof(o));
	o.escape = '\\';
	o.raw_quotes = 1;
	o.raw_escapes = 1;
	o.skip_unset = 1;
	atmo_error_clear(&e);
	rc = atmo__shell_process(line, n, &o, NULL, &words, &e);
	if (rc == ATMO_EINVALID)
		return 0; /* BuildKit ignores lexing errors here: no heredocs */
	if (rc < 0)
		return perr(c, rc, start, 1, "%s", e.text);
	for (i = 0; i < words.n; i++) {
		atmo_heredoc h;
		if (!strstr(words.v[i], "<<"))
			continue;
		rc = heredoc_from_word(c, words.v[i], &h, start);
		if (rc < 0)
			goto done;
		if (rc == 0)
			continue;
		if (!docs) {
			docs = atmo__arena_alloc(&c->df->arena, words.n * sizeof(*docs));
			if (!docs) {
				rc = nomem(c);
				goto done;
			}
		}
		docs[nd++] = h;
	}
	for (i = 0; i < nd; i++) {
		atmo_heredoc *h = &docs[i];
		size_t name_n = strlen(h->name);
		int terminated = 0;
		pline l;
		atmo__buf_clear(&c->tmp);
		while ((rc = next_line(c, &l)) > 0) {
			const char *t = l.p;
			size_t tn = trim_newline(l.p, l.n);
			const char *body = l.p;
			size_t body_n = l.raw_n;
			if (h->chomp)
				while (tn && *t == '\t') {
					t++;
					tn--;
				}
			if (tn == name_n && !memcmp(t, h->name, name_n)) {
				terminated = 1;
				break;
			}
			if (h->chomp)
				while (body_n && *body == '\t') {
					body++;
					body_n--;
				}
			atmo__buf_put(&c->tmp, body, body_n);
		}
		if (rc < 0)
			goto done;
		if (!terminated) {
			const char *at = c->first_line ? memmem(c->first_line, c->first_len, "<<", 2) : NULL;
			rc = perr(c, ATMO_EINVALID, start, at ? (int)(at - c->first_line) + 1 : 1,
				  "unterminated heredoc %s (no line '%s' before the end of the file)",
				  h->name, h->name);
			goto done;
		}
		h->content = adup(c, atmo__buf_cstr(&c->tmp), c->tmp.len);
		if (!h->content || c->tmp.oom) {
			rc = nomem(c);
			goto done;
		}
	}
	ins->pub.heredocs = docs;
	ins->pub.n_heredocs = nd;
	if (ins->pub.inner) {
		atmo__instr *in = (atmo__instr *)ins->pub.inner;
		in->pub.heredocs = docs;
		in->pub.n_heredocs = nd;
	}
	rc = 0;
done:
	atmo__words_free(&words);
	return rc;
}

static int add_instruction(pctx *c, atmo__instr **out)
{
	atmo_dockerfile *df = c->df;
	if (df->n_ins == df->cap_ins) {
		size_t cap = df->cap_ins ? df->cap_ins * 2 : 64;
		atmo__instr *ni = atmo__reallocarray(df->ins, cap, sizeof(*ni), NULL);
		if (!ni)
			return nomem(c);
		df->ins = ni;
		df->cap_ins = cap;
	}
	*out = &df->ins[df->n_ins];
	return 0;
}

/*
 * NUL bytes: BuildKit reads them as any other character. Strings here are C
 * strings, so each NUL is read as U+FFFD (as invalid UTF-8 is) in a copy of
 * the text, with a warning at the first one. *copy is that text (freed by
 * the caller) or NULL when there is no NUL.
 */
static int replace_nul(pctx *c, char **copy)
{
	const char *z = memchr(c->text, '\0', c->len);
	const char *p, *ls = c->text;
	size_t i, k = 0, nz = 0;
	int line = 1;
	*copy = NULL;
	if (!z)
		return 0;
	for (p = c->text; p < z; p++)
		if (*p == '\n') {
			line++;
			ls = p + 1;
		}
	for (i = 0; i < c->len; i++)
		nz += c->text[i] == '\0';
	*copy = atmo__malloc(c->len + 2 * nz + 1, NULL);
	if (!*copy)
		return nomem(c);
	for (i = 0; i < c->len; i++) {
		if (c->text[i]) {
			(*copy)[k++] = c->text[i];
			continue;
		}
		memcpy(*copy + k, "\xEF\xBF\xBD", 3);
		k += 3;
	}
	(*copy)[k] = '\0';
	c->text = *copy;
	c->len = k;
	return add_warning(c, line, (int)(z - ls) + 1,
			   "NUL byte in the Dockerfile (binary file?), read as U+FFFD");
}

static int parse_all(pctx *c)
{
	pline l;
	int rc;

	while ((rc = next_line(c, &l)) > 0) {
		const char *t;
		size_t tn;
		int start, eol, has_empty = 0, kind, joined;
		const char *line_p;
		size_t line_n;
		atmo__instr *ins = NULL;

		if (is_comment_line(l.p, l.n)) {
			const char *cm = l.p + 1;
			size_t cn = l.raw_n - 1;
			trim_space(&cm, &cn);
			if (!cn) {
				atmo__buf_clear(&c->comment);
				c->has_comment = 0;
			} else {
				if (c->has_comment)
					atmo__buf_putc(&c->comment, '\n');
				atmo__buf_put(&c->comment, cm, cn);
				c->has_comment = 1;
			}
		}
		t = l.p;
		tn = trim_newline(l.p, l.n);
		trim_left(&t, &tn);
		if ((rc = directive(c, t, tn)) < 0)
			return rc;
		if (tn && t[0] == '#')
			tn = 0;
		start = c->lineno;
		c->first_line = l.p;
		c->first_len = l.n;
		eol = !trim_continuation(c, t, &tn);
		if (eol && tn == 0)
			continue;
		line_p = t;
		line_n = tn;
		joined = !eol;
		atmo__buf_clear(&c->line);
		if (joined)
			atmo__buf_put(&c->line, t, tn);
		while (!eol) {
			c->in_cont = 1;
			rc = next_line(c, &l);
			c->in_cont = 0;
			if (rc < 0)
				return rc;
			if (rc == 0)
				break;
			t = l.p;
			tn = trim_newline(l.p, l.n);
			if ((rc = directive(c, t, tn)) < 0)
				return rc;
			if (tn && t[0] == '#')
				tn = 0;
			if (is_comment_line(l.p, l.n))
				continue;
			{
				const char *e = t;
				size_t en = tn;
				trim_left(&e, &en);
				if (!en) {
					has_empty = 1;
					continue;
				}
			}
			eol = !trim_continuation(c, t, &tn);
			atmo__buf_put(&c->line, t, tn);
		}
		if (c->line.oom)
			return nomem(c);
		if (joined) {
			line_p = atmo__buf_cstr(&c->line);
			line_n = c->line.len;
		}
		/* BuildKit locates it at the instruction's last line */
		if (has_empty &&
		    add_warning(c, c->lineno, 1,
				"empty continuation line (NoEmptyContinuation): empty continuation "
				"lines will become errors in a future release") < 0)
			return ATMO_ENOMEM;
		if ((rc = add_instruction(c, &ins)) < 0)
			return rc;
		if ((rc = node_from_line(c, ins, line_p, line_n, 0, start, &kind)) < 0)
			return rc;
		if (c->has_comment) {
			ins->pub.comment = adup(c, atmo__buf_cstr(&c->comment), c->comment.len);
			if (!ins->pub.comment)
				return nomem(c);
		}
		{
			const atmo_instruction *hd = &ins->pub;
			int hk = kind;
			if (kind == K_ONBUILD && hd->inner) {
				hd = hd->inner;
				hk = keyword_kind(hd->keyword, strlen(hd->keyword));
			}
			if (heredoc_kind(hk) && !hd->json &&
			    (rc = read_heredocs(c, ins, ins->pub.original, strlen(ins->pub.original),
						start)) < 0)
				return rc;
		}
		ins->pub.start_line = start;
		ins->pub.end_line = c->lineno;
		if (ins->pub.inner) {
			((atmo__instr *)ins->pub.inner)->pub.start_line = start;
			((atmo__instr *)ins->pub.inner)->pub.end_line = c->lineno;
		}
		c->df->n_ins++;
		if (kind == K_UNKNOWN) {
			char name[80];
			atmo__display_word(name, sizeof(name), ins->pub.keyword, 1);
			if (add_warning(c, start, 1, "unknown instruction: %s (BuildKit's parser "
					"keeps it; the build would fail)", name) < 0)
				return ATMO_ENOMEM;
		}
		atmo__buf_clear(&c->comment);
		c->has_comment = 0;
	}
	if (rc < 0)
		return rc;
	if (c->df->n_ins == 0)
		return perr(c, ATMO_EINVALID, c->lineno > 0 ? c->lineno : 1, 1,
			    "file with no instructions");
	if (c->too_long)
		return perr(c, ATMO_ELIMIT, c->too_long_at > 0 ? c->too_long_at : 1, 1,
			    "dockerfile line greater than max allowed size of %d (line %d)",
			    ATMO_DOCKERFILE_MAX_LINE, c->too_long);
	return 0;
}

int atmo_dockerfile_parse(atmo_dockerfile **out, const char *text, size_t len,
			  const char *source, atmo_error *err)
{
	pctx c;
	atmo_dockerfile *df;
	char *nul_copy = NULL;
	int rc;
	size_t i;

	atmo_error_clear(err);
	if (!out)
		return atmo__error_set(err, ATMO_EINVALID, source, 0, 0,
				       "atmo_dockerfile_parse: NULL output");
	*out = NULL;
	if (!text && len)
		return atmo__error_set(err, ATMO_EINVALID, source, 0, 0,
				       "atmo_dockerfile_parse: NULL text");
	if (!source)
		source = "Dockerfile";
	df = atmo__calloc(1, sizeof(*df), NULL);
	if (!df)
		return atmo__error_nomem(err);
	df->escape = '\\';
	df->source = atmo__arena_strndup(&df->arena, source, strlen(source));
	if (!df->source) {
		atmo__free(df);
		return atmo__error_nomem(err);
	}
	memset(&c, 0, sizeof(c));
	c.df = df;
	c.err = err;
	c.source = df->source;
	c.text = text ? text : "";
	c.len = len;
	c.escape = '\\';
	rc = replace_nul(&c, &nul_copy);
	if (rc == 0)
		rc = parse_all(&c);
	atmo__free(nul_copy);
	df->escape = c.escape;
	atmo__buf_free(&c.line);
	atmo__buf_free(&c.tmp);
	atmo__buf_free(&c.comment);
	for (i = 0; i < sizeof(c.args) / sizeof(c.args[0]); i++) {
		atmo__dfstrv_free(&c.args[i]);
		atmo__dfstrv_free(&c.flags[i]);
	}
	atmo__dfstrv_free(&c.words);
	if (rc < 0) {
		if (err && !err->code)
			atmo__error_set(err, rc, source, 0, 0, "%s", atmo_strerror(rc));
		atmo_dockerfile_free(df);
		return rc;
	}
	*out = df;
	return 0;
}

void atmo_dockerfile_free(atmo_dockerfile *df)
{
	if (!df)
		return;
	atmo__free(df->ins);
	atmo__free(df->warnings);
	atmo__arena_free(&df->arena);
	atmo__free(df);
}

size_t atmo_dockerfile_count(const atmo_dockerfile *df)
{
	return df ? df->n_ins : 0;
}

const atmo_instruction *atmo_dockerfile_get(const atmo_dockerfile *df, size_t i)
{
	if (!df || i >= df->n_ins)
		return NULL;
	return &df->ins[i].pub;
}

size_t atmo_instruction_arg_len(const atmo_instruction *ins, size_t i)
{
	const atmo__instr *in = (const atmo__instr *)ins;
	if (!ins || i >= ins->n_args)
		return 0;
	return in->arg_lens ? in->arg_lens[i] : strlen(ins->args[i]);
}

char atmo_dockerfile_escape(const atmo_dockerfile *df)
{
	return df ? df->escape : '\\';
}

const char *atmo_dockerfile_directive(const atmo_dockerfile *df, const char *key)
{
	if (!df || !key)
		return NULL;
	if (!strcasecmp(key, "syntax"))
		return df->syntax;
	if (!strcasecmp(key, "escape"))
		return df->escape_value;
	if (!strcasecmp(key, "check"))
		return df->check;
	return NULL;
}

const char *atmo_dockerfile_source(const atmo_dockerfile *df)
{
	return df ? df->source : NULL;
}

size_t atmo_dockerfile_warning_count(const atmo_dockerfile *df)
{
	return df ? df->n_warn : 0;
}

const atmo_error *atmo_dockerfile_warning(const atmo_dockerfile *df, size_t i)
{
	if (!df || i >= df->n_warn)
		return NULL;
	return &df->warnings[i];
}
