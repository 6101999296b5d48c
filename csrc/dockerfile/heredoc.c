/*
 * Heredocs of RUN, COPY and ADD (also under ONBUILD): the <<NAME words of
 * the instruction line, as BuildKit's heredocFromMatch reads them with its
 * shell lexer, and their bodies from the lines that follow.
 */
#include <string.h>
#include "dockerfile/parser_int.h"

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

int atmo__df_read_heredocs(pctx *c, atmo__instr *ins, const char *line, size_t n, int start)
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
		while ((rc = atmo__df_next_line(c, &l)) > 0) {
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
			const char *at =
				c->first_line ? memmem(c->first_line, c->first_len, "<<", 2) : NULL;
			rc = perr(
				c, ATMO_EINVALID, start, at ? (int)(at - c->first_line) + 1 : 1,
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
