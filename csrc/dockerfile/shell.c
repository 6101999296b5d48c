/*
 * Word expansion and splitting with BuildKit's rules (shell/lex.go):
 * quotes, the escape character, $v and ${v...} with the modifiers
 * - + ? (optionally with ':'), # ## % %% (patterns) and / // (replace).
 * One pass over the word, runes decoded as Go does (invalid bytes become
 * U+FFFD), recursion bounded by ATMO_SHELL_MAX_DEPTH.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dockerfile/dockerfile_int.h"
#include "util/alloc.h"
#include "util/grow.h"

#define SH_EOF (-1L)

typedef struct {
	const unsigned char *s;
	size_t len, pos;
	const atmo__shell_opts *o;
	int raw_escapes; /* dynamically scoped, as sw.rawEscapes */
	int depth;
	const char *word; /* for error messages */
	atmo_error *err;
} sh_state;

/* ---- words (wordsStruct) ---- */
typedef struct {
	atmo_buf word;
	int in_word;
	atmo__words *out; /* NULL: words not wanted */
} sh_words;

void atmo__words_free(atmo__words *w)
{
	size_t i;
	if (!w)
		return;
	for (i = 0; i < w->n; i++)
		atmo__free(w->v[i]);
	atmo__free(w->v);
	w->v = NULL;
	w->n = w->cap = 0;
}

static int words_push(sh_words *w)
{
	char *s;
	atmo__words *o = w->out;
	/* room for the word and the NULL after it */
	if (ATMO__GROW(o->v, o->cap, o->n + 2, NULL) < 0)
		return ATMO_ENOMEM;
	s = atmo__buf_detach(&w->word);
	if (!s)
		return ATMO_ENOMEM;
	o->v[o->n++] = s;
	o->v[o->n] = NULL;
	w->in_word = 0;
	return 0;
}

static int words_add_raw(sh_words *w, const char *s, size_t n)
{
	if (!w->out)
		return 0;
	w->in_word = 1;
	return atmo__buf_put(&w->word, s, n);
}

static int words_add_char(sh_words *w, uint32_t r, const char *enc, size_t n)
{
	if (!w->out)
		return 0;
	if (atmo__is_space(r)) {
		if (w->in_word && w->word.len != 0)
			return words_push(w);
		return 0;
	}
	return words_add_raw(w, enc, n);
}

static int words_add_string(sh_words *w, const char *s, size_t n)
{
	size_t i = 0, wd;
	char enc[4];
	if (!w->out)
		return 0;
	while (i < n) {
		uint32_t r = atmo__utf8_decode((const unsigned char *)s + i, n - i, &wd);
		size_t k = atmo__utf8_encode(r, enc);
		int rc = words_add_char(w, r, enc, k);
		if (rc < 0)
			return rc;
		i += wd;
	}
	return 0;
}

static int words_finish(sh_words *w)
{
	if (w->out && w->word.len > 0)
		return words_push(w);
	return 0;
}

/* ---- the scanner (text/scanner's Peek and Next over runes) ---- */
static long sh_peek(sh_state *st)
{
	size_t w;
	if (st->pos >= st->len)
		return SH_EOF;
	if (st->s[st->pos] < 0x80)
		return st->s[st->pos];
	return (long)atmo__utf8_decode(st->s + st->pos, st->len - st->pos, &w);
}

static long sh_next(sh_state *st)
{
	size_t w = 1;
	uint32_t r;
	if (st->pos >= st->len)
		return SH_EOF;
	r = st->s[st->pos];
	if (r >= 0x80)
		r = atmo__utf8_decode(st->s + st->pos, st->len - st->pos, &w);
	st->pos += w;
	return (long)r;
}

static int put_rune(atmo_buf *b, long r)
{
	char enc[4];
	size_t n;
	if (r < 0x80)
		return atmo__buf_putc(b, (char)r);
	n = atmo__utf8_encode((uint32_t)r, enc);
	return atmo__buf_put(b, enc, n);
}

static int sh_fail(sh_state *st, int code, const char *fmt, ...) ATMO_PRINTF(3, 4);
static int sh_fail(sh_state *st, int code, const char *fmt, ...)
{
	char msg[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (st->err && !st->err->code) {
		atmo__error_set(st->err, code, NULL, 0, 0, "failed to process \"%.80s%s\": %s",
				st->word, strlen(st->word) > 80 ? "..." : "", msg);
		st->err->offset = (long)st->pos;
	}
	return code;
}

static int process_stop_on(sh_state *st, long stop, int raw_escapes, atmo_buf *result,
			   atmo__words *words);
static int process_dollar(sh_state *st, atmo_buf *out);

/* Read a ${...} operand up to stop; when the input ends first, the error is
 * BuildKit's syntax error (eof_message) in place of the one recorded inside. */
static int process_operand(sh_state *st, long stop, int raw_escapes, atmo_buf *word,
			   const char *eof_message)
{
	int rc;

	atmo__buf_clear(word);
	rc = process_stop_on(st, stop, raw_escapes, word, NULL);
	if (rc == ATMO_EINVALID && sh_peek(st) == SH_EOF) {
		if (st->err)
			st->err->code = 0;
		return sh_fail(st, ATMO_EINVALID, "%s", eof_message);
	}
	return rc;
}

static int process_single_quote(sh_state *st, atmo_buf *out)
{
	long ch = sh_next(st);
	if (st->o->raw_quotes)
		put_rune(out, ch);
	for (;;) {
		ch = sh_next(st);
		if (ch == SH_EOF)
			return sh_fail(st, ATMO_EINVALID,
				       "unexpected end of statement while looking for matching "
				       "single-quote");
		if (ch == '\'') {
			if (st->o->raw_quotes)
				put_rune(out, ch);
			return out->oom ? ATMO_ENOMEM : 0;
		}
		put_rune(out, ch);
	}
}

static int process_double_quote(sh_state *st, atmo_buf *out)
{
	long ch = sh_next(st);
	int rc;
	if (st->o->raw_quotes)
		put_rune(out, ch);
	for (;;) {
		long pk = sh_peek(st);
		if (pk == SH_EOF)
			return sh_fail(st, ATMO_EINVALID,
				       "unexpected end of statement while looking for matching "
				       "double-quote");
		if (pk == '"') {
			ch = sh_next(st);
			if (st->o->raw_quotes)
				put_rune(out, ch);
			return out->oom ? ATMO_ENOMEM : 0;
		}
		if (pk == '$') {
			if ((rc = process_dollar(st, out)) < 0)
				return rc;
			continue;
		}
		ch = sh_next(st);
		if (ch == (unsigned char)st->o->escape) {
			if (st->raw_escapes)
				put_rune(out, ch);
			pk = sh_peek(st);
			if (pk == SH_EOF)
				continue; /* ignore the escape at the end of the word */
			if (pk == '"' || pk == '$' || pk == (unsigned char)st->o->escape)
				ch = sh_next(st);
		}
		put_rune(out, ch);
	}
}

static int is_special_param(long ch)
{
	switch (ch) {
	case '@':
	case '*':
	case '#':
	case '?':
	case '-':
	case '$':
	case '!':
	case '0':
		return 1;
	}
	return 0;
}

/* name into *name (cleared first) */
static int process_name(sh_state *st, atmo_buf *name)
{
	atmo__buf_clear(name);
	while (sh_peek(st) != SH_EOF) {
		long ch = sh_peek(st);
		if (name->len == 0 && atmo__is_digit((uint32_t)ch)) {
			while (sh_peek(st) != SH_EOF && atmo__is_digit((uint32_t)sh_peek(st)))
				put_rune(name, sh_next(st));
			return name->oom ? ATMO_ENOMEM : 0;
		}
		if (name->len == 0 && is_special_param(ch)) {
			put_rune(name, sh_next(st));
			return name->oom ? ATMO_ENOMEM : 0;
		}
		if (!atmo__is_letter((uint32_t)ch) && !atmo__is_digit((uint32_t)ch) && ch != '_')
			break;
		put_rune(name, sh_next(st));
	}
	return name->oom ? ATMO_ENOMEM : 0;
}

static const char *get_env(sh_state *st, const atmo_buf *name)
{
	if (!st->o->lookup)
		return NULL;
	return st->o->lookup(atmo__buf_cstr(name), name->len, st->o->payload);
}

static int process_dollar_inner(sh_state *st, atmo_buf *out, atmo_buf *name, atmo_buf *word,
				atmo_buf *word2)
{
	long ch, pk;
	const char *value;
	int rc, null_is_unset = 0;
	char chs[16];
	size_t chs_len = 0;

	sh_next(st); /* the '$' */
	if (sh_peek(st) != '{') {
		if ((rc = process_name(st, name)) < 0)
			return rc;
		if (name->len == 0)
			return atmo__buf_putc(out, '$');
		value = get_env(st, name);
		if (!value && st->o->skip_unset) {
			atmo__buf_putc(out, '$');
			return atmo__buf_put(out, name->ptr, name->len);
		}
		return value ? atmo__buf_puts(out, value) : 0;
	}
	sh_next(st); /* '{' */
	pk = sh_peek(st);
	if (pk == SH_EOF)
		return sh_fail(st, ATMO_EINVALID, "syntax error: missing '}'");
	if (pk == '{' || pk == '}' || pk == ':')
		return sh_fail(st, ATMO_EINVALID, "syntax error: bad substitution");
	if ((rc = process_name(st, name)) < 0)
		return rc;
	ch = sh_next(st);
	chs_len = atmo__utf8_encode(ch == SH_EOF ? ATMO__RUNE_ERROR : (uint32_t)ch, chs);

	switch (ch) {
	case '}':
		value = get_env(st, name);
		if (!value && st->o->skip_unset)
			return atmo__buf_printf(out, "${%s}", atmo__buf_cstr(name));
		return value ? atmo__buf_puts(out, value) : 0;
	case ':':
		null_is_unset = 1;
		ch = sh_next(st);
		chs_len += atmo__utf8_encode(ch == SH_EOF ? ATMO__RUNE_ERROR : (uint32_t)ch,
					     chs + chs_len);
		/* fall through */
	case '+':
	case '-':
	case '?':
	case '#':
	case '%': {
		int raw = ch == '#' || ch == '%';
		rc = process_operand(st, '}', raw, word, "syntax error: missing '}'");
		if (rc < 0)
			return rc;
		value = get_env(st, name);
		if (st->o->skip_unset && !value) {
			atmo__buf_put(out, "${", 2);
			atmo__buf_put(out, atmo__buf_cstr(name), name->len);
			atmo__buf_put(out, chs, chs_len);
			atmo__buf_put(out, atmo__buf_cstr(word), word->len);
			return atmo__buf_putc(out, '}');
		}
		switch (ch) {
		case '-':
			if (!value || (null_is_unset && !*value))
				return atmo__buf_put(out, atmo__buf_cstr(word), word->len);
			return atmo__buf_puts(out, value);
		case '+':
			if (!value || (null_is_unset && !*value))
				return 0;
			return atmo__buf_put(out, atmo__buf_cstr(word), word->len);
		case '?':
			if (!value)
				return sh_fail(st, ATMO_EINVALID, "%s: %s", atmo__buf_cstr(name),
					       word->len ? atmo__buf_cstr(word)
							 : "is not allowed to be unset");
			if (null_is_unset && !*value)
				return sh_fail(st, ATMO_EINVALID, "%s: %s", atmo__buf_cstr(name),
					       word->len ? atmo__buf_cstr(word)
							 : "is not allowed to be empty");
			return atmo__buf_puts(out, value);
		case '%':
		case '#': {
			const char *pat = atmo__buf_cstr(word);
			size_t plen = word->len;
			int greedy = 0;
			atmo_error perr;
			if (plen > 0 && (unsigned char)pat[0] == (unsigned long)ch) {
				greedy = 1;
				pat++;
				plen--;
			}
			if (!value)
				value = "";
			atmo_error_clear(&perr);
			rc = ch == '%' ? atmo__pattern_trim_suffix(out, pat, plen, value,
								   strlen(value), greedy, &perr)
				       : atmo__pattern_trim_prefix(out, pat, plen, value,
								   strlen(value), greedy, &perr);
			if (rc < 0)
				return sh_fail(st, rc, "invalid pattern (%.*s) in substitution: %s",
					       (int)(plen > 100 ? 100 : plen), pat, perr.text);
			return 0;
		}
		default:
			return sh_fail(st, ATMO_EINVALID,
				       "unsupported modifier (%.*s) in substitution", (int)chs_len,
				       chs);
		}
	}
	case '/': {
		int all = sh_peek(st) == '/';
		atmo_error perr;
		if (all)
			sh_next(st);
		rc = process_operand(st, '/', 1, word, "syntax error: missing '/' in ${}");
		if (rc < 0)
			return rc;
		rc = process_operand(st, '}', 1, word2, "syntax error: missing '}'");
		if (rc < 0)
			return rc;
		value = get_env(st, name);
		if (st->o->skip_unset && !value)
			return atmo__buf_printf(out, "${%s/%s/%s}", atmo__buf_cstr(name),
						atmo__buf_cstr(word), atmo__buf_cstr(word2));
		if (!value)
			value = "";
		atmo_error_clear(&perr);
		rc = atmo__pattern_replace(out, atmo__buf_cstr(word), word->len, value,
					   strlen(value), atmo__buf_cstr(word2), word2->len, all,
					   &perr);
		if (rc == ATMO_ELIMIT)
			return sh_fail(st, rc, "%s", perr.text);
		if (rc < 0)
			return sh_fail(st, rc, "invalid pattern (%.*s) in substitution: %s",
				       (int)(word->len > 100 ? 100 : word->len),
				       atmo__buf_cstr(word), perr.text);
		return 0;
	}
	default:
		return sh_fail(st, ATMO_EINVALID, "unsupported modifier (%.*s) in substitution",
			       (int)chs_len, chs);
	}
}

static int process_dollar(sh_state *st, atmo_buf *out)
{
	atmo_buf name = ATMO_BUF_INIT, word = ATMO_BUF_INIT, word2 = ATMO_BUF_INIT;
	int rc;
	if (st->depth >= ATMO_SHELL_MAX_DEPTH)
		return sh_fail(st, ATMO_ELIMIT, "variable expansion nested deeper than %d levels",
			       ATMO_SHELL_MAX_DEPTH);
	st->depth++;
	rc = process_dollar_inner(st, out, &name, &word, &word2);
	st->depth--;
	if (rc == 0 && (out->oom || name.oom || word.oom || word2.oom))
		rc = sh_fail(st, ATMO_ENOMEM, "out of memory");
	/* each substitution appends at most one capped value: checking here bounds
	 * every buffer to twice the cap, whatever the nesting */
	if (rc == 0 && out->len > ATMO_SHELL_MAX_WORD)
		rc = sh_fail(st, ATMO_ELIMIT, "the expanded word exceeds %zu bytes",
			     ATMO_SHELL_MAX_WORD);
	atmo__buf_free(&name);
	atmo__buf_free(&word);
	atmo__buf_free(&word2);
	return rc;
}

/* lex.go processPossibleHeredoc: "<<" keeps the blanks after it in its
 * word ("COPY << EOF /x" has the heredoc word "<< EOF") */
static void process_possible_heredoc(sh_state *st, atmo_buf *result)
{
	put_rune(result, sh_next(st));
	if (sh_peek(st) != '<')
		return;
	put_rune(result, sh_next(st));
	while (sh_peek(st) == ' ' || sh_peek(st) == '\t' || sh_peek(st) == '\r')
		put_rune(result, sh_next(st));
}

static int process_stop_on(sh_state *st, long stop, int raw_escapes, atmo_buf *result,
			   atmo__words *words)
{
	sh_words w;
	atmo_buf tmp = ATMO_BUF_INIT;
	int saved = st->raw_escapes, rc = 0;
	char enc[4];

	memset(&w, 0, sizeof(w));
	w.out = words;
	st->raw_escapes = raw_escapes;
	while (sh_peek(st) != SH_EOF) {
		long ch = sh_peek(st);
		if (stop != SH_EOF && ch == stop) {
			sh_next(st);
			goto done;
		}
		if (ch == '<') {
			size_t before = result->len;
			process_possible_heredoc(st, result);
			if (words && !result->oom &&
			    (rc = words_add_raw(&w, atmo__buf_cstr(result) + before,
						result->len - before)) < 0)
				goto done;
			continue;
		}
		if (ch == '$' || (!st->o->skip_quotes && (ch == '\'' || ch == '"'))) {
			size_t before = result->len;
			if (ch == '$')
				rc = process_dollar(st, result);
			else if (ch == '\'')
				rc = process_single_quote(st, result);
			else
				rc = process_double_quote(st, result);
			if (rc < 0)
				goto done;
			if (words && !result->oom) {
				if (ch == '$')
					rc = words_add_string(&w, atmo__buf_cstr(result) + before,
							      result->len - before);
				else
					rc = words_add_raw(&w, atmo__buf_cstr(result) + before,
							   result->len - before);
				if (rc < 0)
					goto done;
			}
			continue;
		}
		ch = sh_next(st);
		if (ch == (unsigned char)st->o->escape) {
			if (st->raw_escapes) {
				size_t k = atmo__utf8_encode((uint32_t)ch, enc);
				words_add_raw(&w, enc, k);
				put_rune(result, ch);
			}
			ch = sh_next(st);
			if (ch == SH_EOF)
				break;
			{
				size_t k = atmo__utf8_encode((uint32_t)ch, enc);
				words_add_raw(&w, enc, k);
			}
		} else {
			size_t k = atmo__utf8_encode((uint32_t)ch, enc);
			if ((rc = words_add_char(&w, (uint32_t)ch, enc, k)) < 0)
				goto done;
		}
		put_rune(result, ch);
		if (result->len > ATMO_SHELL_MAX_WORD) {
			rc = sh_fail(st, ATMO_ELIMIT, "the expanded word exceeds %zu bytes",
				     ATMO_SHELL_MAX_WORD);
			goto done;
		}
	}
	if (stop != SH_EOF) {
		char s[4];
		size_t k = atmo__utf8_encode((uint32_t)stop, s);
		rc = sh_fail(st, ATMO_EINVALID,
			     "unexpected end of statement while looking for matching %.*s", (int)k,
			     s);
	}
done:
	st->raw_escapes = saved;
	if (rc == 0 && (result->oom || w.word.oom))
		rc = sh_fail(st, ATMO_ENOMEM, "out of memory");
	if (rc == 0)
		rc = words_finish(&w);
	atmo__buf_free(&w.word);
	atmo__buf_free(&tmp);
	return rc;
}

int atmo__shell_process(const char *word, size_t len, const atmo__shell_opts *o, atmo_buf *result,
			atmo__words *words, atmo_error *err)
{
	sh_state st;
	atmo_buf local = ATMO_BUF_INIT;
	int rc;

	memset(&st, 0, sizeof(st));
	st.s = (const unsigned char *)word;
	st.len = len;
	st.o = o;
	st.raw_escapes = o->raw_escapes;
	st.word = word;
	st.err = err;
	/* text/scanner skips a byte order mark at the start */
	if (len >= 3 && !memcmp(word, "\xEF\xBB\xBF", 3))
		st.pos = 3;
	if (!result)
		result = &local;
	rc = process_stop_on(&st, SH_EOF, o->raw_escapes, result, words);
	atmo__buf_free(&local);
	if (rc < 0 && words)
		atmo__words_free(words);
	return rc;
}

/* ---- public API ---- */
int atmo_shell_expand(char **out, const char *word, char escape, atmo_env_lookup lookup,
		      void *payload, atmo_error *err)
{
	atmo__shell_opts o;
	atmo_buf b = ATMO_BUF_INIT;
	int rc;

	atmo_error_clear(err);
	if (!out || !word)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_shell_expand: NULL argument");
	*out = NULL;
	memset(&o, 0, sizeof(o));
	o.escape = escape ? escape : '\\';
	o.lookup = lookup;
	o.payload = payload;
	rc = atmo__shell_process(word, strlen(word), &o, &b, NULL, err);
	if (rc < 0) {
		atmo__buf_free(&b);
		return rc;
	}
	*out = atmo__buf_detach(&b);
	if (!*out)
		return atmo__error_nomem(err);
	return 0;
}

int atmo_shell_expand_words(char ***out, size_t *count, const char *word, char escape,
			    atmo_env_lookup lookup, void *payload, atmo_error *err)
{
	atmo__shell_opts o;
	atmo__words w = { NULL, 0, 0 };
	int rc;

	atmo_error_clear(err);
	if (!out || !word)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_shell_expand_words: NULL argument");
	*out = NULL;
	if (count)
		*count = 0;
	memset(&o, 0, sizeof(o));
	o.escape = escape ? escape : '\\';
	o.lookup = lookup;
	o.payload = payload;
	rc = atmo__shell_process(word, strlen(word), &o, NULL, &w, err);
	if (rc < 0)
		return rc;
	if (!w.v) {
		w.v = atmo__calloc(1, sizeof(char *), NULL);
		if (!w.v)
			return atmo__error_nomem(err);
	}
	*out = w.v;
	if (count)
		*count = w.n;
	return 0;
}

void atmo_shell_words_free(char **words)
{
	size_t i;
	if (!words)
		return;
	for (i = 0; words[i]; i++)
		atmo__free(words[i]);
	atmo__free(words);
}

int atmo_shell_expand_heredoc(char **out, const char *body, atmo_env_lookup lookup, void *payload,
			      atmo_error *err)
{
	atmo__shell_opts o;
	atmo_buf b = ATMO_BUF_INIT;
	int rc;

	atmo_error_clear(err);
	if (!out || !body)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_shell_expand_heredoc: NULL argument");
	*out = NULL;
	memset(&o, 0, sizeof(o));
	o.escape = '\\';
	o.skip_quotes = 1;
	o.lookup = lookup;
	o.payload = payload;
	rc = atmo__shell_process(body, strlen(body), &o, &b, NULL, err);
	if (rc < 0) {
		atmo__buf_free(&b);
		return rc;
	}
	*out = atmo__buf_detach(&b);
	return *out ? 0 : atmo__error_nomem(err);
}
