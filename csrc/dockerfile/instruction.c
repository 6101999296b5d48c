/*
 * One logical line into an instruction, as BuildKit's newNodeFromLine and
 * its line parsers (line_parsers.go): the keyword, the flags before the
 * arguments, and the arguments as the keyword's parser splits them (JSON
 * exec form, words, name=value pairs, ...). ONBUILD recurses on its trigger.
 */
#include <ctype.h>
#include <string.h>
#include "dockerfile/parser_int.h"

#define KW(s, k)                                                                                   \
	{                                                                                          \
		s, sizeof(s) - 1, k                                                                \
	}
static const struct {
	const char *name;
	size_t len;
	int kind;
} keywords[] = {
	KW("add", K_ADD),
	KW("arg", K_ARG),
	KW("cmd", K_CMD),
	KW("copy", K_COPY),
	KW("entrypoint", K_ENTRYPOINT),
	KW("env", K_ENV),
	KW("expose", K_EXPOSE),
	KW("from", K_FROM),
	KW("healthcheck", K_HEALTHCHECK),
	KW("label", K_LABEL),
	KW("maintainer", K_MAINTAINER),
	KW("onbuild", K_ONBUILD),
	KW("run", K_RUN),
	KW("shell", K_SHELL),
	KW("stopsignal", K_STOPSIGNAL),
	KW("user", K_USER),
	KW("volume", K_VOLUME),
	KW("workdir", K_WORKDIR),
};
#undef KW

/* s[0..n) ends where the NUL-terminated copy being parsed ends: no copy */
static int push_ref(pctx *c, atmo__strvec *v, const char *s, size_t n)
{
	if (s + n == c->cur_end) {
		if (atmo__strvec_pushn(v, s, n, NULL) < 0)
			return ATMO_ENOMEM;
		return 0;
	}
	{
		const char *d = atmo__arena_strndup(&c->df->arena, s, n);
		if (!d || atmo__strvec_pushn(v, d, n, NULL) < 0)
			return ATMO_ENOMEM;
	}
	return 0;
}

static int push(pctx *c, atmo__strvec *v, const char *s, size_t n)
{
	const char *d = adup(c, s, n);
	if (!d || atmo__strvec_pushn(v, d, n, NULL) < 0)
		return nomem(c);
	return 0;
}

/* BuildKit's extractBuilderFlags: flags before the arguments, "--" ends them. */
static int extract_flags(pctx *c, atmo__strvec *flags, const char *s, size_t n, const char **rest,
			 size_t *rest_n)
{
	enum { IN_SPACES, IN_WORD, IN_QUOTE } phase = IN_SPACES;
	size_t pos;
	char quote = 0;
	int blank_ok = 0;
	atmo_buf *w = &c->tmp;

	*rest = s + n;
	*rest_n = 0;
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
				/* a flag whose bytes could not be kept (w->len short or 0)
				   is not dropped: the line fails */
				return w->oom ? nomem(c) : 0;
			}
			phase = IN_WORD;
		}
		if (w->oom)
			return nomem(c);
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
static int emit_word(pctx *c, atmo__strvec *out, const char *s, size_t a, size_t b, int dirty)
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
static int parse_words(pctx *c, atmo__strvec *out, const char *s, size_t n)
{
	enum { IN_SPACES, IN_WORD, IN_QUOTE } phase = IN_SPACES;
	const unsigned char *u = (const unsigned char *)s;
	size_t pos, wd = 1, start = 0, wend = 0;
	uint32_t ch = 0, quote = 0, esc = (unsigned char)c->escape;
	int blank_ok = 0, dirty = 0;

#define DECODE()                                                                                   \
	do {                                                                                       \
		if (u[pos] < 0x80) {                                                               \
			ch = u[pos];                                                               \
			wd = 1;                                                                    \
		} else {                                                                           \
			ch = atmo__utf8_decode(u + pos, n - pos, &wd);                             \
			if (ch == ATMO__RUNE_ERROR && wd == 1)                                     \
				dirty = 1;                                                         \
		}                                                                                  \
	} while (0)

	for (pos = 0; pos <= n; pos += wd) {
		if (pos != n)
			DECODE();
		if (phase == IN_SPACES) {
			if (pos == n)
				break;
			if (ch < 0x80 ? (ch == ' ' || (ch >= '\t' && ch <= '\r'))
				      : atmo__is_space(ch))
				continue;
			phase = IN_WORD;
			start = wend = pos;
			dirty = ch == ATMO__RUNE_ERROR && wd == 1;
		}
		if (pos == n) {
			if ((blank_ok || wend > start) &&
			    emit_word(c, out, s, start, wend, dirty) < 0)
				return ATMO_ENOMEM;
			break;
		}
		if (phase == IN_WORD) {
			if (ch < 0x80 ? (ch == ' ' || (ch >= '\t' && ch <= '\r'))
				      : atmo__is_space(ch)) {
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
static int parse_whitespace_list(pctx *c, atmo__strvec *args, const char *s, size_t n)
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

static int parse_json(pctx *c, atmo__strvec *args, const char *s, size_t n, int line)
{
	int r = atmo__json_string_array(args, &c->df->arena, s, n);
	if (r == ATMO_ENOMEM)
		return nomem(c);
	if (r == ATMO_EINVALID)
		return perr(
			c, ATMO_EINVALID, line, 1,
			"when using JSON array syntax, arrays must be comprised of strings only");
	return r;
}

static int parse_maybe_json(pctx *c, atmo__strvec *args, const char *s, size_t n, int line,
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

static int parse_maybe_json_list(pctx *c, atmo__strvec *args, const char *s, size_t n, int line,
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
static int parse_name_val(pctx *c, atmo__strvec *args, const char *s, size_t n, const char *key,
			  int line)
{
	atmo__strvec *w = &c->words;
	size_t i;
	atmo__strvec_clear(w);
	if (parse_words(c, w, s, n) < 0)
		return ATMO_ENOMEM;
	if (w->n == 0)
		return 0;
	if (!has_eq(w->v[0], w->len[0])) {
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
		const char *eq = memchr(w->v[i], '=', w->len[i]);
		size_t kl;
		if (!eq) {
			atmo_buf q = ATMO_BUF_INIT;
			atmo__quote(&q, w->v[i], w->len[i]);
			perr(c, ATMO_EINVALID, line, 1,
			     "Syntax error - can't find = in %s. Must be of the form: name=value",
			     atmo__buf_cstr(&q));
			atmo__buf_free(&q);
			return ATMO_EINVALID;
		}
		kl = (size_t)(eq - w->v[i]);
		/* the value is the word's tail: referenced when it ends the line */
		if (push(c, args, w->v[i], kl) < 0 ||
		    push_ref(c, args, eq + 1, w->len[i] - kl - 1) < 0 ||
		    atmo__strvec_pushn(args, "=", 1, NULL) < 0)
			return nomem(c);
	}
	return 0;
}

static int parse_health(pctx *c, atmo__strvec *args, const char *s, size_t n, int line, int *json)
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

int atmo__df_keyword_kind(const char *kw, size_t n)
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

static int finish_strv(pctx *c, const atmo__strvec *v, const char *const **out, size_t *n,
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
	memcpy(a, v->v, v->n * sizeof(*a));
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
int atmo__df_node_from_line(pctx *c, atmo__instr *ins, const char *s, size_t n, int depth, int line,
			    int *kind_out)
{
	atmo__strvec *args = &c->args[depth], *flags = &c->flags[depth];
	const char *cmd, *rest, *copy_end;
	size_t cmd_n, rest_n = 0, i;
	char *kw;
	int kind, json = 0, rc = 0;

	atmo__strvec_clear(args);
	atmo__strvec_clear(flags);
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
	kind = atmo__df_keyword_kind(kw, cmd_n);
	*kind_out = kind;

	switch (kind) {
	case K_ADD:
	case K_COPY:
	case K_VOLUME:
		rc = parse_maybe_json_list(c, args, rest, rest_n, line, &json);
		break;
	case K_ARG:
		rc = parse_words(c, args, rest, rest_n);
		break;
	case K_CMD:
	case K_ENTRYPOINT:
	case K_RUN:
	case K_SHELL:
		rc = parse_maybe_json(c, args, rest, rest_n, line, &json);
		break;
	case K_ENV:
		rc = parse_name_val(c, args, rest, rest_n, "ENV", line);
		break;
	case K_LABEL:
		rc = parse_name_val(c, args, rest, rest_n, "LABEL", line);
		break;
	case K_EXPOSE:
	case K_FROM:
		rc = parse_whitespace_list(c, args, rest, rest_n);
		break;
	case K_HEALTHCHECK:
		rc = parse_health(c, args, rest, rest_n, line, &json);
		break;
	case K_MAINTAINER:
	case K_STOPSIGNAL:
	case K_USER:
	case K_WORKDIR:
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
				rc = atmo__df_node_from_line(c, inner, rest, rest_n, depth + 1,
							     line, &ik);
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
