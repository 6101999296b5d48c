/*
 * The SVG element of a rendered drawing, ready to be inlined in an HTML page
 * (what the Sphinx extension puts in its pages): the XML prolog goes, and the
 * root <svg> gets a width in points no wider than its column nor narrower than
 * its text stays legible, role="img" and the accessible name. Plain string
 * scanning: the root tag is the renderer's own output (svgout.c).
 */
#include <stdlib.h>
#include <string.h>
#include "atmograph/render.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

/* The first occurrence of needle in [s, s + n), or NULL. */
static const char *find(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;
	for (i = 0; k <= n && i <= n - k; i++)
		if (!memcmp(s + i, needle, k))
			return s + i;
	return NULL;
}

/* Length of the run at s (< end) of characters in set, at least one. */
static size_t span(const char *s, const char *end, const char *set)
{
	size_t i = 0;
	while (s + i < end && s[i] && strchr(set, s[i]))
		i++;
	return i;
}

/*
 * viewBox="X Y W H" (X, Y of [-0-9.], W, H of [0-9.]): W and its length, as the
 * first match of the regular expression the extension used.
 */
static const char *viewbox_width(const char *root, size_t n, size_t *wlen)
{
	const char *end = root + n, *p = root, *hit;
	static const char *const sets[4] = { "-0123456789.", "-0123456789.", "0123456789.",
					     "0123456789." };

	while ((hit = find(p, (size_t)(end - p), "viewBox=\"")) != NULL) {
		const char *q = hit + 9, *w = NULL;
		size_t len = 0;
		int i, ok = 1;
		for (i = 0; i < 4 && ok; i++) {
			size_t k = span(q, end, sets[i]);
			if (!k) {
				ok = 0;
				break;
			}
			if (i == 2) {
				w = q;
				len = k;
			}
			q += k;
			if (q >= end || *q != (i < 3 ? ' ' : '"'))
				ok = 0;
			q++;
		}
		if (ok) {
			*wlen = len;
			return w;
		}
		p = hit + 1;
	}
	return NULL;
}

/* The digits of data-min-width="N", or NULL. */
static const char *min_width(const char *root, size_t n, size_t *len)
{
	const char *end = root + n, *p = root, *hit;
	while ((hit = find(p, (size_t)(end - p), " data-min-width=\"")) != NULL) {
		const char *q = hit + 17;
		size_t k = span(q, end, "0123456789");
		if (k && q + k < end && q[k] == '"') {
			*len = k;
			return q;
		}
		p = hit + 1;
	}
	return NULL;
}

/* s with & < > " ' as entities (as Python's html.escape(s, quote=True)). */
static void put_attr(atmo_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			atmo__buf_puts(b, "&amp;");
			break;
		case '<':
			atmo__buf_puts(b, "&lt;");
			break;
		case '>':
			atmo__buf_puts(b, "&gt;");
			break;
		case '"':
			atmo__buf_puts(b, "&quot;");
			break;
		case '\'':
			atmo__buf_puts(b, "&#x27;");
			break;
		default:
			atmo__buf_putc(b, *s);
		}
	}
}

int atmo_render_svg_inline(char **out, size_t *len, const char *svg, size_t n, const char *label,
			   atmo_error *err)
{
	atmo_buf b = ATMO_BUF_INIT;
	const char *start, *close, *root, *w, *mw, *p, *hit;
	size_t rlen, wlen = 0, mwlen = 0;
	char *num, *endp;
	double width = 0;

	if (!out || !svg || !label)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "atmo_render_svg_inline: out, svg and label are required");
	*out = NULL;
	if (len)
		*len = 0;
	start = find(svg, n, "<svg");
	close = start ? memchr(start, '>', n - (size_t)(start - svg)) : NULL;
	if (!start || !close)
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "the renderer returned no <svg> element");
	root = start;
	rlen = (size_t)(close - start);

	atmo__buf_puts(&b, "<svg");
	/* never wider than Graphviz drew it (points), never wider than the column, and
	   never narrower than its text stays legible (the renderer's data-min-width): a
	   large diagram then scrolls in its box (pan) instead of shrinking */
	w = viewbox_width(root, rlen, &wlen);
	if (w && !find(root, rlen, " style=")) {
		num = atmo__strndup(w, wlen, err);
		if (!num) {
			atmo__buf_free(&b);
			return ATMO_ENOMEM;
		}
		width = strtod(num, &endp);
		if (endp == num + wlen) {
			mw = min_width(root, rlen, &mwlen);
			atmo__buf_printf(&b, " style=\"width: %.2fpt; max-width: 100%%; ", width);
			if (mw)
				atmo__buf_printf(&b, "min-width: %.*spx; ", (int)mwlen, mw);
			atmo__buf_puts(&b, "height: auto\"");
		}
		atmo__free(num);
	}
	if (!find(root, rlen, " role="))
		atmo__buf_puts(&b, " role=\"img\"");
	if (!find(root, rlen, " aria-label=")) {
		atmo__buf_puts(&b, " aria-label=\"");
		put_attr(&b, label);
		atmo__buf_putc(&b, '"');
	}
	/* the rest of the root tag, each aria-label="..." replaced by the label */
	p = root + 4;
	while ((hit = find(p, (size_t)(close - p), " aria-label=\"")) != NULL) {
		const char *q = memchr(hit + 13, '"', (size_t)(close - (hit + 13)));
		if (!q)
			break;
		atmo__buf_put(&b, p, (size_t)(hit - p));
		atmo__buf_puts(&b, " aria-label=\"");
		put_attr(&b, label);
		atmo__buf_putc(&b, '"');
		p = q + 1;
	}
	atmo__buf_put(&b, p, (size_t)(svg + n - p));
	if (b.oom) {
		atmo__buf_free(&b);
		return atmo__error_nomem(err);
	}
	if (len)
		*len = b.len;
	*out = atmo__buf_detach(&b);
	return 0;
}
