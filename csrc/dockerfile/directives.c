/*
 * Parser directives (# syntax=, # escape=, # check=) at the top of the file,
 * as BuildKit's directive parser reads them.
 */
#include <ctype.h>
#include <string.h>
#include "dockerfile/parser_int.h"

/* BuildKit locates a directive error at the count of lines before it */
static int directive_line(const pctx *c)
{
	return c->lineno > 1 ? c->lineno - 1 : 1;
}

int atmo__df_directive(pctx *c, const char *p, size_t n)
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
