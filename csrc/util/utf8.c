/* UTF-8 decoding and encoding, shared by the parser, the graph JSON and the renderer. */
#include "util/utf8.h"

uint32_t atmo__utf8_decode(const unsigned char *s, size_t n, size_t *width)
{
	unsigned c = s[0];
	uint32_t r;

	*width = 1;
	if (c < 0x80)
		return c;
	if (c < 0xC2 || c > 0xF4)
		return ATMO__RUNE_ERROR;
	if (c < 0xE0) {
		if (n < 2 || (s[1] & 0xC0) != 0x80)
			return ATMO__RUNE_ERROR;
		*width = 2;
		return ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
	}
	if (c < 0xF0) {
		unsigned lo = 0x80, hi = 0xBF;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F; /* no surrogates */
		if (n < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
			return ATMO__RUNE_ERROR;
		*width = 3;
		return ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
		       (s[2] & 0x3F);
	}
	{
		unsigned lo = 0x80, hi = 0xBF;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
		if (n < 4 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return ATMO__RUNE_ERROR;
		*width = 4;
		r = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
		    ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
		return r;
	}
}

size_t atmo__utf8_encode(uint32_t r, char *out)
{
	unsigned char *o = (unsigned char *)out;
	if (r < 0x80) {
		o[0] = (unsigned char)r;
		return 1;
	}
	if (r < 0x800) {
		o[0] = (unsigned char)(0xC0 | (r >> 6));
		o[1] = (unsigned char)(0x80 | (r & 0x3F));
		return 2;
	}
	if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = ATMO__RUNE_ERROR;
	if (r < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (r >> 12));
		o[1] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (r & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (r >> 18));
	o[1] = (unsigned char)(0x80 | ((r >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (r & 0x3F));
	return 4;
}

size_t atmo__utf8_next(const unsigned char *s, size_t n, uint32_t *rune)
{
	size_t w;
	uint32_t r = atmo__utf8_decode(s, n, &w);
	if (r == ATMO__RUNE_ERROR && w == 1)
		return 0;
	if (rune)
		*rune = r;
	return w;
}

json_t *atmo__utf8_json_string(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	atmo_buf b = ATMO_BUF_INIT;
	size_t i = 0, start = 0, k;
	json_t *j;
	/* the common case: valid text, no copy */
	while (i < n) {
		if (p[i] < 0x80)
			k = 1;
		else if ((k = atmo__utf8_next(p + i, n - i, NULL)) == 0)
			break;
		i += k;
	}
	if (i >= n)
		return json_stringn(s, n);
	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = atmo__utf8_next(p + i, n - i, NULL)) != 0) {
			i += k;
			continue;
		}
		atmo__buf_put(&b, s + start, i - start);
		atmo__buf_put(&b, "\xEF\xBF\xBD", 3);
		start = ++i;
	}
	atmo__buf_put(&b, s + start, n - start);
	j = b.oom ? NULL : json_stringn(atmo__buf_cstr(&b), b.len);
	atmo__buf_free(&b);
	return j;
}

int atmo__utf8_json_quote(atmo_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, k;
	char esc[6] = { '\\', 'u', '0', '0', 0, 0 };

	/* the common case, no escapes, costs one growth */
	if (atmo__buf_grow(b, n + 2) < 0)
		return ATMO_ENOMEM;
	atmo__buf_putc(b, '"');
	while (i < n) {
		unsigned c = p[i];
		const char *rep;
		size_t rlen = 2;
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			if ((k = atmo__utf8_next(p + i, n - i, NULL)) != 0) {
				i += k;
				continue;
			}
			rep = "\xEF\xBF\xBD";
			rlen = 3;
		} else if (c == '"') {
			rep = "\\\"";
		} else if (c == '\\') {
			rep = "\\\\";
		} else if (c == '\b') {
			rep = "\\b";
		} else if (c == '\f') {
			rep = "\\f";
		} else if (c == '\n') {
			rep = "\\n";
		} else if (c == '\r') {
			rep = "\\r";
		} else if (c == '\t') {
			rep = "\\t";
		} else {
			/* jansson writes other controls as \u00XX, upper-case hex */
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			rep = esc;
			rlen = 6;
		}
		atmo__buf_put(b, s + start, i - start);
		atmo__buf_put(b, rep, rlen);
		start = ++i;
	}
	atmo__buf_put(b, s + start, n - start);
	return atmo__buf_putc(b, '"');
}
