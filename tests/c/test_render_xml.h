/*
 * A small, strict XML reader for the render tests: it checks that a document
 * is well-formed (nesting, quoting, entities, characters) and gives back a
 * flat list of elements with their attributes and text, so the tests can ask
 * questions about the SVG's structure instead of comparing bytes.
 * Only what SVG from Graphviz needs: no DTD processing, no namespaces.
 */
#ifndef ATMO_TEST_RENDER_XML_H
#define ATMO_TEST_RENDER_XML_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	char *name;
	char **attr;     /* name, value, name, value, ... (values decoded) */
	size_t nattr;
	char *text;      /* decoded character data directly inside the element */
	long parent;     /* index of the parent element, -1 for the root */
} txml_elem;

typedef struct {
	txml_elem *e;
	size_t n, cap;
	char error[200];
} txml_doc;

static void txml_free(txml_doc *d)
{
	size_t i, k;
	for (i = 0; i < d->n; i++) {
		free(d->e[i].name);
		for (k = 0; k < d->e[i].nattr * 2; k++)
			free(d->e[i].attr[k]);
		free(d->e[i].attr);
		free(d->e[i].text);
	}
	free(d->e);
	memset(d, 0, sizeof(*d));
}

static int txml_fail(txml_doc *d, const char *what, const char *at, const char *start)
{
	snprintf(d->error, sizeof(d->error), "%s at byte %ld", what, (long)(at - start));
	return -1;
}

static int txml_name_char(char c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (unsigned char)c >= 0x80)
		return 1;
	return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
}

/* Append decoded text [p, end) to *out; -1 on a bad entity or a forbidden character. */
static int txml_decode(char **out, const char *p, const char *end, int in_attr)
{
	size_t len = *out ? strlen(*out) : 0;
	char *o = realloc(*out, len + (size_t)(end - p) + 1);
	if (!o)
		return -1;
	*out = o;
	o += len;
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		if (c == '<' || (in_attr && c == '"'))
			return -1;
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return -1;
		if (c != '&') {
			*o++ = (char)c;
			p++;
			continue;
		}
		if (end - p >= 5 && !memcmp(p, "&amp;", 5)) { *o++ = '&'; p += 5; }
		else if (end - p >= 4 && !memcmp(p, "&lt;", 4)) { *o++ = '<'; p += 4; }
		else if (end - p >= 4 && !memcmp(p, "&gt;", 4)) { *o++ = '>'; p += 4; }
		else if (end - p >= 6 && !memcmp(p, "&quot;", 6)) { *o++ = '"'; p += 6; }
		else if (end - p >= 6 && !memcmp(p, "&apos;", 6)) { *o++ = '\''; p += 6; }
		else if (end - p >= 3 && p[1] == '#') {
			unsigned long v = 0;
			int hex = p[2] == 'x', digits = 0;
			const char *q = p + 2 + hex;
			for (; q < end && *q != ';'; q++, digits++) {
				int dv = (*q >= '0' && *q <= '9') ? *q - '0' :
					 (hex && *q >= 'a' && *q <= 'f') ? *q - 'a' + 10 :
					 (hex && *q >= 'A' && *q <= 'F') ? *q - 'A' + 10 : -1;
				if (dv < 0 || digits > 7)
					return -1;
				v = v * (hex ? 16 : 10) + (unsigned long)dv;
			}
			if (q >= end || !digits)
				return -1;
			if (!(v == 9 || v == 10 || v == 13 || (v >= 0x20 && v <= 0xd7ff) ||
			      (v >= 0xe000 && v <= 0xfffd) || (v >= 0x10000 && v <= 0x10ffff)))
				return -1;
			/* encode as UTF-8 */
			if (v < 0x80) *o++ = (char)v;
			else if (v < 0x800) { *o++ = (char)(0xc0 | (v >> 6)); *o++ = (char)(0x80 | (v & 63)); }
			else if (v < 0x10000) { *o++ = (char)(0xe0 | (v >> 12)); *o++ = (char)(0x80 | ((v >> 6) & 63)); *o++ = (char)(0x80 | (v & 63)); }
			else { *o++ = (char)(0xf0 | (v >> 18)); *o++ = (char)(0x80 | ((v >> 12) & 63)); *o++ = (char)(0x80 | ((v >> 6) & 63)); *o++ = (char)(0x80 | (v & 63)); }
			p = q + 1;
		} else {
			return -1;
		}
	}
	*o = '\0';
	return 0;
}

/* Parse a whole document; 0 or -1 with d->error set. */
static int txml_parse(txml_doc *d, const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	long stack[256];
	int depth = 0, seen_root = 0;

	memset(d, 0, sizeof(*d));
	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		const char *stop = lt ? lt : end;
		if (depth > 0) {
			if (txml_decode(&d->e[stack[depth - 1]].text, p, stop, 0) < 0)
				return txml_fail(d, "bad character data", p, s);
		} else {
			const char *q;
			for (q = p; q < stop; q++)
				if (*q != ' ' && *q != '\n' && *q != '\r' && *q != '\t')
					return txml_fail(d, "text outside the root element", q, s);
		}
		if (!lt)
			break;
		p = lt;
		if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
			const char *ce = memmem(p + 4, (size_t)(end - p - 4), "--", 2);
			if (!ce || ce + 2 >= end || ce[2] != '>')
				return txml_fail(d, "bad comment", p, s);
			p = ce + 3;
		} else if (end - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
			const char *ce = memmem(p + 9, (size_t)(end - p - 9), "]]>", 3);
			if (!ce || depth == 0)
				return txml_fail(d, "bad CDATA", p, s);
			p = ce + 3;
		} else if (end - p >= 2 && p[1] == '?') {
			const char *ce = memmem(p + 2, (size_t)(end - p - 2), "?>", 2);
			if (!ce)
				return txml_fail(d, "bad processing instruction", p, s);
			p = ce + 2;
		} else if (end - p >= 9 && !memcmp(p, "<!DOCTYPE", 9)) {
			const char *ce = memchr(p, '>', (size_t)(end - p));
			if (!ce || seen_root)
				return txml_fail(d, "bad DOCTYPE", p, s);
			p = ce + 1;
		} else if (end - p >= 2 && p[1] == '/') {
			const char *n = p + 2, *ne = n;
			while (ne < end && txml_name_char(*ne, ne == n))
				ne++;
			if (depth == 0 || strlen(d->e[stack[depth - 1]].name) != (size_t)(ne - n) ||
			    memcmp(d->e[stack[depth - 1]].name, n, (size_t)(ne - n)))
				return txml_fail(d, "mismatched end tag", p, s);
			while (ne < end && (*ne == ' ' || *ne == '\n'))
				ne++;
			if (ne >= end || *ne != '>')
				return txml_fail(d, "bad end tag", p, s);
			depth--;
			p = ne + 1;
		} else {
			const char *n = p + 1, *q;
			txml_elem *el;
			size_t k;
			if (seen_root && depth == 0)
				return txml_fail(d, "second root element", p, s);
			if (!txml_name_char(*n, 1))
				return txml_fail(d, "bad element name", p, s);
			for (q = n; q < end && txml_name_char(*q, q == n); q++)
				;
			if (d->n == d->cap) {
				d->cap = d->cap ? d->cap * 2 : 64;
				d->e = realloc(d->e, d->cap * sizeof(*d->e));
			}
			el = &d->e[d->n];
			memset(el, 0, sizeof(*el));
			el->name = strndup(n, (size_t)(q - n));
			el->parent = depth ? stack[depth - 1] : -1;
			d->n++;
			seen_root = 1;
			for (;;) {
				const char *an, *ae, *v, *ve;
				int ws = 0;
				while (q < end && (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r'))
					q++, ws = 1;
				if (q >= end)
					return txml_fail(d, "unterminated tag", p, s);
				if (*q == '>' || (*q == '/' && q + 1 < end && q[1] == '>'))
					break;
				if (!ws || !txml_name_char(*q, 1))
					return txml_fail(d, "bad attribute", q, s);
				for (an = q; q < end && txml_name_char(*q, q == an); q++)
					;
				ae = q;
				if (q + 1 >= end || *q != '=' || (q[1] != '"' && q[1] != '\''))
					return txml_fail(d, "attribute without a quoted value", q, s);
				v = q + 2;
				ve = memchr(v, q[1], (size_t)(end - v));
				if (!ve)
					return txml_fail(d, "unterminated attribute value", q, s);
				for (k = 0; k < el->nattr; k++)
					if (strlen(el->attr[2 * k]) == (size_t)(ae - an) && !memcmp(el->attr[2 * k], an, (size_t)(ae - an)))
						return txml_fail(d, "duplicate attribute", an, s);
				el->attr = realloc(el->attr, (el->nattr + 1) * 2 * sizeof(char *));
				el->attr[2 * el->nattr] = strndup(an, (size_t)(ae - an));
				el->attr[2 * el->nattr + 1] = NULL;
				if (txml_decode(&el->attr[2 * el->nattr + 1], v, ve, q[1] == '"') < 0) {
					el->nattr++;
					return txml_fail(d, "bad attribute value", v, s);
				}
				el->nattr++;
				q = ve + 1;
			}
			if (*q == '/') {
				p = q + 2;
			} else {
				if (depth >= 256)
					return txml_fail(d, "too deep", p, s);
				stack[depth++] = (long)(d->n - 1);
				p = q + 1;
			}
		}
	}
	if (depth != 0 || !seen_root)
		return txml_fail(d, "unclosed elements", end, s);
	return 0;
}

static const char *txml_attr(const txml_elem *e, const char *name)
{
	size_t k;
	for (k = 0; k < e->nattr; k++)
		if (!strcmp(e->attr[2 * k], name))
			return e->attr[2 * k + 1];
	return NULL;
}

/* Index of the element whose id is `id`, or -1. */
static long txml_by_id(const txml_doc *d, const char *id)
{
	size_t i;
	for (i = 0; i < d->n; i++) {
		const char *v = txml_attr(&d->e[i], "id");
		if (v && !strcmp(v, id))
			return (long)i;
	}
	return -1;
}

/* Does the class attribute of e hold the class c? */
static int txml_has_class(const txml_elem *e, const char *c)
{
	const char *v = txml_attr(e, "class"), *p;
	size_t n = strlen(c);
	if (!v)
		return 0;
	for (p = v; (p = strstr(p, c)) != NULL; p += n)
		if ((p == v || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Number of elements named `name` (NULL: any) having class c (NULL: any). */
static size_t txml_count(const txml_doc *d, const char *name, const char *c)
{
	size_t i, n = 0;
	for (i = 0; i < d->n; i++)
		if ((!name || !strcmp(d->e[i].name, name)) && (!c || txml_has_class(&d->e[i], c)))
			n++;
	return n;
}

/* The first child element of e named `name`, or -1. */
static long txml_child(const txml_doc *d, long e, const char *name)
{
	size_t i;
	for (i = (size_t)e + 1; i < d->n; i++)
		if (d->e[i].parent == e && !strcmp(d->e[i].name, name))
			return (long)i;
	return -1;
}

/* The first descendant of e named `name`, or -1. */
static long txml_descendant(const txml_doc *d, long e, const char *name)
{
	size_t i;
	for (i = (size_t)e + 1; i < d->n; i++) {
		long p = d->e[i].parent;
		while (p > e)
			p = d->e[p].parent;
		if (p != e)
			break;
		if (!strcmp(d->e[i].name, name))
			return (long)i;
	}
	return -1;
}

#endif
