/*
 * Physical lines of a Dockerfile: BuildKit's bufio.Scanner (one memchr per
 * line, the token size limit, a byte order mark on line 1), comment lines,
 * and the line continuation with the file's escape character.
 */
#include <string.h>
#include "dockerfile/parser_int.h"

int atmo__df_next_line(pctx *c, pline *l)
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

int atmo__df_is_comment_line(const char *p, size_t n)
{
	n = trim_newline(p, n);
	trim_left(&p, &n);
	return n > 0 && p[0] == '#';
}

/* the line continuation regex: ([^E])E[ \t]*$ or ^E[ \t]*$ */
int atmo__df_trim_continuation(pctx *c, const char *p, size_t *n)
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
