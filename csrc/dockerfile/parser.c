/*
 * The Dockerfile parser, following BuildKit's frontend/dockerfile/parser:
 * physical lines are scanned once (memchr), parser directives are read at
 * the top, continuation lines are joined (comments and blank lines inside
 * are skipped), each logical line is split into keyword, flags and
 * arguments by the keyword's line parser, and heredoc bodies are read after
 * RUN/COPY/ADD (also under ONBUILD). Strings live in one arena per file.
 * This file holds the entry point and the loop over logical lines; the
 * steps are in parse_lines.c (physical lines, continuations), directives.c,
 * instruction.c (keyword, flags, arguments) and heredoc.c; accessors.c
 * reads the result (parser_int.h is what they share).
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
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "dockerfile/parser_int.h"
#include "util/alloc.h"
#include "util/grow.h"

static int add_warning(pctx *c, int line, int col, const char *fmt, ...) ATMO_PRINTF(4, 5);
static int add_warning(pctx *c, int line, int col, const char *fmt, ...)
{
	atmo_dockerfile *df = c->df;
	atmo_error *w;
	va_list ap;
	if (ATMO__GROW(df->warnings, df->cap_warn, df->n_warn + 1, NULL) < 0)
		return nomem(c);
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

static int add_instruction(pctx *c, atmo__instr **out)
{
	atmo_dockerfile *df = c->df;
	if (ATMO__GROW(df->ins, df->cap_ins, df->n_ins + 1, NULL) < 0)
		return nomem(c);
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

	while ((rc = atmo__df_next_line(c, &l)) > 0) {
		const char *t;
		size_t tn;
		int start, eol, has_empty = 0, kind, joined;
		const char *line_p;
		size_t line_n;
		atmo__instr *ins = NULL;

		if (atmo__df_is_comment_line(l.p, l.n)) {
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
		if ((rc = atmo__df_directive(c, t, tn)) < 0)
			return rc;
		if (tn && t[0] == '#')
			tn = 0;
		start = c->lineno;
		c->first_line = l.p;
		c->first_len = l.n;
		eol = !atmo__df_trim_continuation(c, t, &tn);
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
			rc = atmo__df_next_line(c, &l);
			c->in_cont = 0;
			if (rc < 0)
				return rc;
			if (rc == 0)
				break;
			t = l.p;
			tn = trim_newline(l.p, l.n);
			if ((rc = atmo__df_directive(c, t, tn)) < 0)
				return rc;
			if (tn && t[0] == '#')
				tn = 0;
			if (atmo__df_is_comment_line(l.p, l.n))
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
			eol = !atmo__df_trim_continuation(c, t, &tn);
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
		if ((rc = atmo__df_node_from_line(c, ins, line_p, line_n, 0, start, &kind)) < 0)
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
				hk = atmo__df_keyword_kind(hd->keyword, strlen(hd->keyword));
			}
			if (heredoc_kind(hk) && !hd->json &&
			    (rc = atmo__df_read_heredocs(c, ins, ins->pub.original,
							 strlen(ins->pub.original), start)) < 0)
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
			if (add_warning(c, start, 1,
					"unknown instruction: %s (BuildKit's parser "
					"keeps it; the build would fail)",
					name) < 0)
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

int atmo_dockerfile_parse(atmo_dockerfile **out, const char *text, size_t len, const char *source,
			  atmo_error *err)
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
		atmo__strvec_free(&c.args[i]);
		atmo__strvec_free(&c.flags[i]);
	}
	atmo__strvec_free(&c.words);
	if (rc < 0) {
		if (err && !err->code)
			atmo__error_set(err, rc, source, 0, 0, "%s", atmo_strerror(rc));
		atmo_dockerfile_free(df);
		return rc;
	}
	*out = df;
	return 0;
}
