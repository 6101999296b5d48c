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
		return ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
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
