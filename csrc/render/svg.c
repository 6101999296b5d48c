/*
 * Post-processing Graphviz's SVG for the web, in one pass over the bytes
 * (no regex, no repeated scans):
 *  - a fixed header (no DOCTYPE, no comments, which carry Graphviz's version
 *    and raw node names);
 *  - the root <svg> keeps its viewBox and loses width/height (unless
 *    fixed_size), gains classes and a small <style> block keyed by classes;
 *  - every <title> of a known id is replaced by our own escaped title, every
 *    link by our own escaped href (`href` and `xlink:href`, target _top);
 *  - `&#45;` (Graphviz's way to write '-') becomes '-', and any '&' that does
 *    not start a valid XML entity becomes "&amp;", so no input can make the
 *    document ill-formed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "render/render_int2.h"

/* Hooks for pages: hover and focus, kept in both themes; colours stay in the drawing. */
static const char style_common[] =
	".atmo-graph .node>a>path,.atmo-graph .node>a>polygon,.atmo-graph .node>a>rect{transition:stroke-width .1s}\n"
	".atmo-graph a:hover>path,.atmo-graph a:focus>path,.atmo-graph a:hover>polygon,"
	".atmo-graph a:focus>polygon,.atmo-graph a:hover>rect,.atmo-graph a:focus>rect{stroke-width:2.5px}\n"
	".atmo-graph .edge:hover>path{stroke-width:2px}\n"
	".atmo-graph .atmo-unused text{font-style:italic}\n"
	".atmo-graph .atmo-target>path,.atmo-graph .atmo-target>a>path,"
	".atmo-graph .atmo-target>rect,.atmo-graph .atmo-target>a>rect{stroke-width:2px}\n"
	/* metric-compatible fonts first: labels are sized with Helvetica's (Arial's) widths */
	".atmo-graph text{font-family:Helvetica,Arial,\"Liberation Sans\",\"Nimbus Sans\",\"Nimbus Sans L\",sans-serif}\n";

static int valid_xml_char(unsigned long c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/* Length of the valid entity reference at p ("&amp;" -> 5), or 0. */
static size_t entity_len(const char *p, const char *end)
{
	const char *q = p + 1;
	unsigned long v = 0;

	if (q < end && *q == '#') {
		int hex = 0, digits = 0;
		q++;
		if (q < end && *q == 'x') {
			hex = 1;
			q++;
		}
		for (; q < end && *q != ';'; q++, digits++) {
			int d;
			if (*q >= '0' && *q <= '9')
				d = *q - '0';
			else if (hex && *q >= 'a' && *q <= 'f')
				d = *q - 'a' + 10;
			else if (hex && *q >= 'A' && *q <= 'F')
				d = *q - 'A' + 10;
			else
				return 0;
			if (digits > 7)
				return 0;
			v = v * (hex ? 16 : 10) + (unsigned long)d;
		}
		if (q >= end || !digits || !valid_xml_char(v))
			return 0;
		return (size_t)(q - p) + 1;
	}
	if (end - q >= 4 && !memcmp(q, "amp;", 4))
		return 5;
	if (end - q >= 3 && (!memcmp(q, "lt;", 3) || !memcmp(q, "gt;", 3)))
		return 4;
	if (end - q >= 5 && (!memcmp(q, "quot;", 5) || !memcmp(q, "apos;", 5)))
		return 6;
	return 0;
}

/* Copy [p, end) with '&' fixed and "&#45;" turned into '-'. */
static void put_fixed(atmo_buf *out, const char *p, const char *end)
{
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		size_t n;
		if (!amp) {
			atmo__buf_put(out, p, (size_t)(end - p));
			return;
		}
		atmo__buf_put(out, p, (size_t)(amp - p));
		if (end - amp >= 5 && !memcmp(amp, "&#45;", 5)) {
			atmo__buf_putc(out, '-');
			p = amp + 5;
		} else if ((n = entity_len(amp, end)) > 0) {
			atmo__buf_put(out, amp, n);
			p = amp + n;
		} else {
			atmo__buf_puts(out, "&amp;");
			p = amp + 1;
		}
	}
}

/* The value of attribute `name` inside the tag [p, end), or NULL. */
static const char *attr_value(const char *p, const char *end, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	const char *q;

	for (q = p; q + nl + 2 < end; q++) {
		if ((q[-1] == ' ' || q[-1] == '\n') && !memcmp(q, name, nl) && q[nl] == '=' && q[nl + 1] == '"') {
			const char *v = q + nl + 2, *e = memchr(v, '"', (size_t)(end - v));
			if (!e)
				return NULL;
			*len = (size_t)(e - v);
			return v;
		}
	}
	return NULL;
}

/* Decode the '-' escapes of an id value into buf (ids are [a-z0-9_-] plus "a_"). */
static size_t decode_id(char *buf, size_t cap, const char *v, size_t len)
{
	size_t i = 0, o = 0;
	while (i < len && o + 1 < cap) {
		if (len - i >= 5 && !memcmp(v + i, "&#45;", 5)) {
			buf[o++] = '-';
			i += 5;
		} else {
			buf[o++] = v[i++];
		}
	}
	buf[o] = '\0';
	return o;
}

/* The caller's id prefix, keeping only [A-Za-z0-9_-]. */
static void put_prefix(atmo_buf *out, const char *p)
{
	for (; p && *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '_' || *p == '-')
			atmo__buf_putc(out, *p);
}

/* A coordinate as Graphviz writes them: two decimals at most, no trailing zeros. */
static void put_num(atmo_buf *out, double v)
{
	char b[48];
	size_t n;
	snprintf(b, sizeof(b), "%.2f", v);
	n = strlen(b);
	while (n > 0 && b[n - 1] == '0')
		n--;
	if (n > 0 && b[n - 1] == '.')
		n--;
	if (n == 2 && b[0] == '-' && b[1] == '0')
		atmo__buf_putc(out, '0');
	else
		atmo__buf_put(out, b, n);
}

/*
 * The box polygon of an element drawn square for speed (draw.c: rounded()):
 * write <rect> with the polygon's other attributes, its bounding box and
 * corners of radius 6 (Graphviz's own for rounded boxes). [p, end) is the
 * tag after "<polygon", end at its '>'. Returns 0, or -1 to copy it unchanged.
 */
static int put_round_rect(atmo_buf *out, const char *p, const char *end)
{
	const char *v, *q;
	size_t len;
	double x0 = 0, y0 = 0, x1 = 0, y1 = 0, r;
	int npts = 0;
	char num[64];

	if (!(v = attr_value(p, end, "points", &len)))
		return -1;
	for (q = v; q < v + len;) {
		double x, y;
		char *e;
		size_t k;
		while (q < v + len && *q == ' ')
			q++;
		if (q >= v + len)
			break;
		for (k = 0; q + k < v + len && q[k] != ' ' && k + 1 < sizeof(num); k++)
			num[k] = q[k];
		num[k] = '\0';
		q += k;
		x = strtod(num, &e);
		if (*e != ',')
			return -1;
		y = strtod(e + 1, &e);
		if (*e)
			return -1;
		if (!npts++) {
			x0 = x1 = x;
			y0 = y1 = y;
		}
		x0 = x < x0 ? x : x0;
		x1 = x > x1 ? x : x1;
		y0 = y < y0 ? y : y0;
		y1 = y > y1 ? y : y1;
	}
	if (npts < 4 || npts > 5)
		return -1;
	r = 6;
	if (r > (x1 - x0) / 2)
		r = (x1 - x0) / 2;
	if (r > (y1 - y0) / 2)
		r = (y1 - y0) / 2;
	/* the attributes before and after points="...", then the geometry */
	q = v - strlen("points=\"");
	while (q > p && q[-1] == ' ')
		q--;
	atmo__buf_puts(out, "<rect");
	put_fixed(out, p, q);
	q = v + len + 1;
	while (end > q && (end[-1] == '/' || end[-1] == ' '))
		end--;
	put_fixed(out, q, end);
	atmo__buf_puts(out, " x=\"");
	put_num(out, x0);
	atmo__buf_puts(out, "\" y=\"");
	put_num(out, y0);
	atmo__buf_puts(out, "\" width=\"");
	put_num(out, x1 - x0);
	atmo__buf_puts(out, "\" height=\"");
	put_num(out, y1 - y0);
	atmo__buf_puts(out, "\" rx=\"");
	put_num(out, r);
	atmo__buf_puts(out, "\"/>");
	return 0;
}

static void put_svg_tag(atmo_buf *out, const char *p, const char *end, const atmo_rctx *c)
{
	size_t len;
	const char *v;

	atmo__buf_puts(out, "<svg");
	if (c->o->fixed_size) {
		if ((v = attr_value(p, end, "width", &len))) {
			atmo__buf_puts(out, " width=\"");
			put_fixed(out, v, v + len);
			atmo__buf_putc(out, '"');
		}
		if ((v = attr_value(p, end, "height", &len))) {
			atmo__buf_puts(out, " height=\"");
			put_fixed(out, v, v + len);
			atmo__buf_putc(out, '"');
		}
	}
	if ((v = attr_value(p, end, "viewBox", &len))) {
		atmo__buf_puts(out, " viewBox=\"");
		put_fixed(out, v, v + len);
		atmo__buf_putc(out, '"');
	}
	atmo__buf_printf(out, " class=\"atmo-graph atmo-theme-%s\"", c->dark ? "dark" : "light");
	atmo__buf_puts(out, " role=\"img\" preserveAspectRatio=\"xMidYMid meet\"");
	atmo__buf_puts(out, " xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n");
	atmo__buf_puts(out, "<style>\n");
	if (c->dark)
		atmo__buf_puts(out, ".atmo-graph{color-scheme:dark}\n");
	atmo__buf_puts(out, style_common);
	atmo__buf_puts(out, "</style>\n");
}

int atmo__svg_postprocess(atmo_buf *out, const char *svg, size_t len, const atmo_rctx *c)
{
	const char *p = svg, *end = svg + len, *q;
	const atmo_rident *title_for = NULL, *link_for = NULL, *round_for = NULL;
	char idbuf[512];

	atmo__buf_grow(out, len + 1024);
	if (!c->o->svg_inline)
		atmo__buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
	/* skip Graphviz's prolog (declaration, DOCTYPE, comments) up to the root element */
	q = p;
	for (;;) {
		q = memchr(q, '<', (size_t)(end - q));
		if (!q)
			return ATMO_ERROR;
		if (end - q > 4 && !memcmp(q, "<svg", 4) && (q[4] == ' ' || q[4] == '\n' || q[4] == '>'))
			break;
		q++;
	}
	p = memchr(q, '>', (size_t)(end - q));
	if (!p)
		return ATMO_ERROR;
	put_svg_tag(out, q + 4, p, c);
	p++;
	if (p < end && *p == '\n')
		p++;

	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		if (!lt) {
			put_fixed(out, p, end);
			break;
		}
		put_fixed(out, p, lt);
		p = lt;
		if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
			const char *ce = memmem(p + 4, (size_t)(end - p - 4), "-->", 3);
			p = ce ? ce + 3 : end;
			if (p < end && *p == '\n')
				p++;
			continue;
		}
		if (round_for && end - p >= 9 && !memcmp(p, "<polygon ", 9)) {
			const char *te = memchr(p, '>', (size_t)(end - p));
			if (!te)
				return ATMO_ERROR;
			round_for = NULL;
			if (put_round_rect(out, p + 8, te) == 0) {
				p = te + 1;
				continue;
			}
		} else if (round_for && end - p >= 5 && (!memcmp(p, "<text", 5) || !memcmp(p, "</g>", 4))) {
			round_for = NULL;
		}
		if (end - p >= 7 && !memcmp(p, "<title>", 7) && title_for) {
			const char *te = memmem(p, (size_t)(end - p), "</title>", 8);
			if (!te)
				return ATMO_ERROR;
			atmo__buf_puts(out, "<title>");
			atmo__buf_puts(out, title_for->title ? title_for->title : "");
			atmo__buf_puts(out, "</title>");
			p = te + 8;
			title_for = NULL;
			continue;
		}
		if (end - p >= 3 && !memcmp(p, "<a ", 3) && link_for) {
			const char *ae = memchr(p, '>', (size_t)(end - p));
			if (!ae)
				return ATMO_ERROR;
			if (link_for->href)
				atmo__buf_printf(out, "<a href=\"%s\" xlink:href=\"%s\" target=\"_top\">",
						 link_for->href, link_for->href);
			else
				atmo__buf_puts(out, "<a>");
			p = ae + 1;
			link_for = NULL;
			continue;
		}
		if (end - p >= 7 && !memcmp(p, "<g id=\"", 7)) {
			const char *v = p + 7, *ve = memchr(v, '"', (size_t)(end - v));
			size_t n;
			const atmo_rident *e;
			if (!ve)
				return ATMO_ERROR;
			n = decode_id(idbuf, sizeof(idbuf), v, (size_t)(ve - v));
			if (n > 2 && idbuf[0] == 'a' && idbuf[1] == '_' &&
			    (e = atmo__ridmap_get(&c->ids, idbuf + 2, n - 2)) != NULL) {
				link_for = e;
			} else {
				title_for = atmo__ridmap_get(&c->ids, idbuf, n);
				round_for = title_for && title_for->round ? title_for : NULL;
			}
			atmo__buf_puts(out, "<g id=\"");
			put_prefix(out, c->o->id_prefix);
			atmo__buf_put(out, idbuf, n);
			atmo__buf_putc(out, '"');
			p = ve + 1;
			continue;
		}
		atmo__buf_putc(out, '<');
		p++;
	}
	return out->oom ? ATMO_ENOMEM : 0;
}
