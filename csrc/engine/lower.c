/*
 * Lowering: rewrite a Dockerfile for engines that lack heredocs and
 * COPY --link (buildah before 1.33, podman before 4.8).
 *
 *  RUN [flags] <<EOF ... EOF      ->  RUN [flags] printf '%s\n' 'line' ... >/tmp/atmo-heredoc-H
 *                                     && chmod 0755 F && F; rc=$?; rm -f F; exit $rc
 *    BuildKit runs a lone heredoc as a script file and anything else as
 *    `sh -c` on the command with its heredocs; the file written holds exactly
 *    that text, so executing it gives the same behaviour (no shebang: the
 *    stage's shell runs it).
 *  COPY/ADD [flags] <<EOF dest    ->  COPY --from=atmo-heredocs [flags] atmo-H/EOF dest
 *    with the file written into a generated build context.
 *  COPY/ADD --link                ->  the flag dropped (same files, no layer rebase).
 *
 * Lines of instructions not lowered are copied byte for byte.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "atmograph/build.h"
#include "atmograph/dockerfile.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/alloc.h"

typedef struct {
	const char *text;
	size_t len;
	const char **line_start; /* line_start[i]: start of line i+1 */
	size_t n_lines;
} lines_t;

static int split_lines(lines_t *l, const char *text, size_t len)
{
	size_t i, n = 1;

	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			n++;
	l->line_start = atmo__calloc(n + 1, sizeof(*l->line_start), NULL);
	if (!l->line_start)
		return ATMO_ENOMEM;
	l->text = text;
	l->len = len;
	l->line_start[0] = text;
	n = 1;
	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			l->line_start[n++] = text + i + 1;
	l->n_lines = n;
	l->line_start[n] = text + len;
	return 0;
}

/* physical line `line` (1-based) including its '\n' */
static void line_span(const lines_t *l, int line, const char **s, size_t *n)
{
	if (line < 1 || (size_t)line > l->n_lines) {
		*s = l->text + l->len;
		*n = 0;
		return;
	}
	*s = l->line_start[line - 1];
	*n = (size_t)(l->line_start[line] - *s);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

/* The instruction's header (lines before the heredoc bodies), continuations joined. */
static int header_text(atmo_buf *out, const lines_t *l, const atmo_instruction *in, char escape)
{
	size_t body = 0, i;
	int last, line;

	for (i = 0; i < in->n_heredocs; i++)
		body += count_lines(in->heredocs[i].content) + 1;
	last = in->end_line - (int)body;
	if (last < in->start_line)
		last = in->start_line;
	for (line = in->start_line; line <= last; line++) {
		const char *s;
		size_t n;
		line_span(l, line, &s, &n);
		while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
			n--;
		/* comment lines inside a continuation are dropped, as the parser does */
		{
			const char *p = s;
			while (p < s + n && (*p == ' ' || *p == '\t'))
				p++;
			if (line > in->start_line && (p == s + n || *p == '#'))
				continue;
		}
		if (n && s[n - 1] == escape && line < last) {
			atmo__buf_put(out, s, n - 1);
			continue;
		}
		atmo__buf_put(out, s, n);
		if (line < last)
			atmo__buf_putc(out, ' ');
	}
	return out->oom ? ATMO_ENOMEM : 0;
}

/* skip the keyword and n flag words; returns the rest */
static const char *skip_words(const char *s, size_t n)
{
	size_t i;

	while (*s && isspace((unsigned char)*s))
		s++;
	for (i = 0; i <= n; i++) {
		while (*s && !isspace((unsigned char)*s))
			s++;
		while (*s && isspace((unsigned char)*s))
			s++;
	}
	return s;
}

static int flag_is(const char *flag, const char *name)
{
	size_t n = strlen(name);
	return !strncmp(flag, name, n) && (flag[n] == '\0' || flag[n] == '=');
}

static void put_quoted(atmo_buf *b, const char *s, size_t n)
{
	size_t i;

	atmo__buf_putc(b, '\'');
	for (i = 0; i < n; i++) {
		if (s[i] == '\'')
			atmo__buf_puts(b, "'\\''");
		else
			atmo__buf_putc(b, s[i]);
	}
	atmo__buf_putc(b, '\'');
}

static int unsupported(atmo_error *err, const char *source, const atmo_instruction *in,
		       const char *why)
{
	return atmo__error_set(err, ATMO_EUNSUPPORTED, source, in->start_line, 1,
			       "cannot lower %s for this engine: %s",
			       in->original ? in->original : "", why);
}

static int lower_run(atmo_buf *out, const lines_t *l, const atmo_instruction *in, char escape,
		     const char *source, atmo_error *err)
{
	atmo_buf head = ATMO_BUF_INIT, script = ATMO_BUF_INIT;
	const char *cmd, *p;
	char hex[65], file[64];
	size_t i;
	int rc = 0, single = 0;

	if (in->json) {
		rc = unsupported(err, source, in, "heredocs in the JSON form");
		goto done;
	}
	if ((rc = header_text(&head, l, in, escape)) < 0) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	cmd = skip_words(atmo__buf_cstr(&head), in->n_flags);
	if (in->n_heredocs == 1) {
		const char *c = cmd;
		char name[256];
		size_t n = 0;
		if (!strncmp(c, "<<", 2)) {
			c += 2;
			if (*c == '-')
				c++;
			while (*c && !isspace((unsigned char)*c) && n + 1 < sizeof(name)) {
				if (*c != '\'' && *c != '"')
					name[n++] = *c;
				c++;
			}
			name[n] = '\0';
			while (*c && isspace((unsigned char)*c))
				c++;
			single = !*c && !strcmp(name, in->heredocs[0].name);
		}
	}
	if (single) {
		atmo__buf_puts(&script, in->heredocs[0].content);
	} else {
		atmo__buf_puts(&script, cmd);
		atmo__buf_putc(&script, '\n');
		for (i = 0; i < in->n_heredocs; i++) {
			atmo__buf_puts(&script, in->heredocs[i].content);
			atmo__buf_puts(&script, in->heredocs[i].name);
			atmo__buf_putc(&script, '\n');
		}
	}
	if (script.oom || atmo__sha256_hex(atmo__buf_cstr(&script), script.len, hex, err) < 0) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	snprintf(file, sizeof(file), "/tmp/atmo-heredoc-%.12s", hex);
	atmo__buf_puts(out, "RUN");
	for (i = 0; i < in->n_flags; i++)
		atmo__buf_printf(out, " %s", in->flags[i]);
	atmo__buf_printf(out, " printf '%%s\\n' %c\n", escape);
	p = atmo__buf_cstr(&script);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		atmo__buf_puts(out, "    ");
		put_quoted(out, p, n);
		atmo__buf_printf(out, " %c\n", escape);
		p += n + (nl ? 1 : 0);
	}
	atmo__buf_printf(out,
			 "    >%s && chmod 0755 %s && %s; atmo_rc=$?; rm -f %s; exit $atmo_rc\n",
			 file, file, file, file);
	if (out->oom)
		rc = atmo__error_nomem(err);
done:
	atmo__buf_free(&head);
	atmo__buf_free(&script);
	return rc;
}

static int lower_copy(atmo_buf *out, const lines_t *l, const atmo_instruction *in, char escape,
		      json_t *files, const char *source, atmo_error *err)
{
	atmo_buf head = ATMO_BUF_INIT;
	const char *rest, *p;
	size_t i, hd = 0, plain = 0, words = 0;
	int rc = 0;
	atmo_buf args = ATMO_BUF_INIT;

	if (in->json) {
		rc = unsupported(err, source, in, "heredocs in the JSON form");
		goto done;
	}
	for (i = 0; i < in->n_flags; i++) {
		if (flag_is(in->flags[i], "--from")) {
			rc = unsupported(err, source, in, "heredocs together with --from");
			goto done;
		}
	}
	for (i = 0; i < in->n_heredocs; i++) {
		if (in->heredocs[i].expand && strchr(in->heredocs[i].content, '$')) {
			rc = unsupported(err, source, in,
					 "a heredoc whose variables the builder would expand "
					 "(quote the delimiter: <<'EOF')");
			goto done;
		}
	}
	if ((rc = header_text(&head, l, in, escape)) < 0) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	rest = skip_words(atmo__buf_cstr(&head), in->n_flags);
	p = rest;
	while (*p) {
		const char *w = p;
		size_t n;
		while (*p && !isspace((unsigned char)*p))
			p++;
		n = (size_t)(p - w);
		while (*p && isspace((unsigned char)*p))
			p++;
		words++;
		if (n > 2 && !strncmp(w, "<<", 2)) {
			char hex[65], key[400];
			const atmo_heredoc *h;
			if (hd >= in->n_heredocs) {
				rc = unsupported(err, source, in,
						 "more heredoc markers than heredocs");
				goto done;
			}
			h = &in->heredocs[hd++];
			if (atmo__sha256_hex(h->content, strlen(h->content), hex, err) < 0) {
				rc = ATMO_ENOMEM;
				goto done;
			}
			snprintf(key, sizeof(key), "atmo-%.12s/%s", hex, h->name);
			if (strchr(h->name, '/') || !strcmp(h->name, "..") ||
			    !strcmp(h->name, ".")) {
				rc = unsupported(err, source, in, "a heredoc name that is a path");
				goto done;
			}
			/* a file missing from the context would only fail in the engine */
			if (json_object_set_new(files, key, json_string(h->content)) < 0) {
				rc = atmo__error_nomem(err);
				goto done;
			}
			atmo__buf_printf(&args, " %s", key);
		} else if (*p) {
			plain++;
			atmo__buf_printf(&args, " %.*s", (int)n, w);
		} else {
			atmo__buf_printf(&args, " %.*s", (int)n, w);
		}
	}
	if (plain) {
		rc = unsupported(err, source, in, "heredocs mixed with files of the build context");
		goto done;
	}
	if (words < 2 || hd != in->n_heredocs) {
		rc = unsupported(err, source, in, "no destination");
		goto done;
	}
	atmo__buf_puts(out, "COPY --from=atmo-heredocs");
	for (i = 0; i < in->n_flags; i++)
		if (!flag_is(in->flags[i], "--link"))
			atmo__buf_printf(out, " %s", in->flags[i]);
	atmo__buf_puts(out, atmo__buf_cstr(&args));
	atmo__buf_putc(out, '\n');
	if (out->oom || args.oom)
		rc = atmo__error_nomem(err);
done:
	atmo__buf_free(&head);
	atmo__buf_free(&args);
	return rc;
}

/* drop "--link[=...]" words from the instruction's own lines */
static void drop_link(atmo_buf *out, const lines_t *l, const atmo_instruction *in)
{
	int line;

	for (line = in->start_line; line <= in->end_line; line++) {
		const char *s, *p;
		size_t n;
		line_span(l, line, &s, &n);
		p = s;
		while (p < s + n) {
			/* the text need not be NUL-terminated: compare inside the line only */
			if ((p == s || isspace((unsigned char)p[-1])) && (size_t)(s + n - p) >= 6 &&
			    !memcmp(p, "--link", 6) &&
			    (p + 6 == s + n || isspace((unsigned char)p[6]) || p[6] == '=')) {
				const char *q = p + 6;
				while (q < s + n && !isspace((unsigned char)*q))
					q++;
				while (q < s + n && (*q == ' ' || *q == '\t'))
					q++;
				p = q;
				continue;
			}
			atmo__buf_putc(out, *p++);
		}
	}
}

int atmo_dockerfile_lower(char **out, size_t *n_lowered, json_t **files_out, const char *text,
			  size_t len, const char *source, atmo_error *err)
{
	atmo_dockerfile *df = NULL;
	lines_t l = { 0 };
	atmo_buf buf = ATMO_BUF_INIT;
	json_t *files = NULL;
	size_t i, count, lowered = 0;
	int rc, next = 1;
	char escape;

	atmo_error_clear(err);
	*out = NULL;
	if (n_lowered)
		*n_lowered = 0;
	if (files_out)
		*files_out = NULL;
	if ((rc = atmo_dockerfile_parse(&df, text, len, source, err)) < 0)
		return rc;
	escape = atmo_dockerfile_escape(df);
	files = json_object();
	if (!files || split_lines(&l, text, len) < 0) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	count = atmo_dockerfile_count(df);
	for (i = 0; i < count; i++) {
		const atmo_instruction *in = atmo_dockerfile_at(df, i);
		int is_run = !strcmp(in->keyword, "run");
		int is_copy = !strcmp(in->keyword, "copy") || !strcmp(in->keyword, "add");
		int has_link = 0, line;
		size_t f;

		if (in->inner && (in->inner->n_heredocs || !strcmp(in->inner->keyword, "copy"))) {
			for (f = 0; f < in->inner->n_flags; f++)
				has_link |= flag_is(in->inner->flags[f], "--link");
			if (in->inner->n_heredocs || has_link) {
				rc = unsupported(err, source, in,
						 "heredocs and --link under ONBUILD");
				goto done;
			}
		}
		for (f = 0; is_copy && f < in->n_flags; f++) {
			if (flag_is(in->flags[f], "--link"))
				has_link = 1;
			if (flag_is(in->flags[f], "--parents") ||
			    flag_is(in->flags[f], "--exclude") ||
			    flag_is(in->flags[f], "--checksum") ||
			    flag_is(in->flags[f], "--keep-git-dir")) {
				char why[160];
				const char *eq = strchr(in->flags[f], '=');
				snprintf(why, sizeof(why),
					 "the engine has no %s %.*s flag (no lowering exists)",
					 in->keyword[0] == 'a' ? "ADD" : "COPY",
					 (int)(eq ? (size_t)(eq - in->flags[f])
						  : strlen(in->flags[f])),
					 in->flags[f]);
				rc = unsupported(err, source, in, why);
				goto done;
			}
		}
		if (!(in->n_heredocs && (is_run || is_copy)) && !has_link)
			continue;
		/* copy the lines before the instruction as they are */
		for (line = next; line < in->start_line; line++) {
			const char *s;
			size_t n;
			line_span(&l, line, &s, &n);
			atmo__buf_put(&buf, s, n);
		}
		if (in->n_heredocs && is_run)
			rc = lower_run(&buf, &l, in, escape, source, err);
		else if (in->n_heredocs)
			rc = lower_copy(&buf, &l, in, escape, files, source, err);
		else
			drop_link(&buf, &l, in);
		if (rc < 0)
			goto done;
		lowered += in->n_heredocs;
		next = in->end_line + 1;
	}
	for (; (size_t)next <= l.n_lines; next++) {
		const char *s;
		size_t n;
		line_span(&l, next, &s, &n);
		atmo__buf_put(&buf, s, n);
	}
	if (buf.oom) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	*out = buf.ptr ? atmo__buf_detach(&buf) : atmo__strdup("", err);
	if (!*out) {
		rc = atmo__error_nomem(err);
		goto done;
	}
	if (n_lowered)
		*n_lowered = lowered;
	if (files_out) {
		*files_out = files;
		files = NULL;
	}
done:
	json_decref(files);
	atmo__free(l.line_start);
	atmo__buf_free(&buf);
	atmo_dockerfile_free(df);
	return rc;
}
