/* Go's rune classes and strconv.Quote (UTF-8 decoding itself is in util/utf8.c). */
#include <stdio.h>
#include <string.h>
#include "dockerfile/dockerfile_int.h"

static int in_table(uint32_t r, const atmo__urange *t, size_t n)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r < t[mid].lo)
			hi = mid;
		else if (r > t[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

int atmo__is_print(uint32_t r)
{
	if (r < 0x80)
		return r >= 0x20 && r < 0x7F;
	return in_table(r, atmo__u_print, atmo__u_print_len);
}

int atmo__is_letter(uint32_t r)
{
	if (r < 0x80)
		return (r | 0x20) >= 'a' && (r | 0x20) <= 'z';
	return in_table(r, atmo__u_letter, atmo__u_letter_len);
}

int atmo__is_digit(uint32_t r)
{
	if (r < 0x80)
		return r >= '0' && r <= '9';
	return in_table(r, atmo__u_digit, atmo__u_digit_len);
}

int atmo__is_space(uint32_t r)
{
	switch (r) {
	case '\t':
	case '\n':
	case '\v':
	case '\f':
	case '\r':
	case ' ':
	case 0x85:
	case 0xA0:
	case 0x1680:
	case 0x2028:
	case 0x2029:
	case 0x202F:
	case 0x205F:
	case 0x3000:
		return 1;
	default:
		return r >= 0x2000 && r <= 0x200A;
	}
}

int atmo__utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, w;
	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (atmo__utf8_decode(p + i, n - i, &w) == ATMO__RUNE_ERROR && w == 1)
			return 0;
		i += w;
	}
	return 1;
}

int atmo__buf_put_utf8(atmo_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, w;
	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (atmo__utf8_decode(p + i, n - i, &w) == ATMO__RUNE_ERROR && w == 1) {
			atmo__buf_put(b, s + start, i - start);
			atmo__buf_put(b, "\xEF\xBF\xBD", 3);
			i++;
			start = i;
			continue;
		}
		i += w;
	}
	return atmo__buf_put(b, s + start, n - start);
}

int atmo__quote(atmo_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, w;
	char tmp[12];

	atmo__buf_grow(b, n + 2);
	atmo__buf_putc(b, '"');
	while (i < n) {
		unsigned c = p[i];
		uint32_t r;
		/* fast path: printable ASCII */
		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
			size_t j = i + 1;
			while (j < n && p[j] >= 0x20 && p[j] < 0x7F && p[j] != '"' && p[j] != '\\')
				j++;
			atmo__buf_put(b, s + i, j - i);
			i = j;
			continue;
		}
		r = atmo__utf8_decode(p + i, n - i, &w);
		if (r == ATMO__RUNE_ERROR && w == 1) {
			tmp[0] = '\\';
			tmp[1] = 'x';
			tmp[2] = hex[c >> 4];
			tmp[3] = hex[c & 15];
			atmo__buf_put(b, tmp, 4);
			i++;
			continue;
		}
		if (r == '"' || r == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)r;
			atmo__buf_put(b, tmp, 2);
		} else if (r >= 0x80 && atmo__is_print(r)) {
			atmo__buf_put(b, s + i, w);
		} else {
			switch (r) {
			case '\a':
				atmo__buf_put(b, "\\a", 2);
				break;
			case '\b':
				atmo__buf_put(b, "\\b", 2);
				break;
			case '\f':
				atmo__buf_put(b, "\\f", 2);
				break;
			case '\n':
				atmo__buf_put(b, "\\n", 2);
				break;
			case '\r':
				atmo__buf_put(b, "\\r", 2);
				break;
			case '\t':
				atmo__buf_put(b, "\\t", 2);
				break;
			case '\v':
				atmo__buf_put(b, "\\v", 2);
				break;
			default:
				if (r < ' ' || r == 0x7F) {
					tmp[0] = '\\';
					tmp[1] = 'x';
					tmp[2] = hex[(r >> 4) & 15];
					tmp[3] = hex[r & 15];
					atmo__buf_put(b, tmp, 4);
				} else if (r < 0x10000) {
					int k;
					tmp[0] = '\\';
					tmp[1] = 'u';
					for (k = 0; k < 4; k++)
						tmp[2 + k] = hex[(r >> (12 - 4 * k)) & 15];
					atmo__buf_put(b, tmp, 6);
				} else {
					int k;
					tmp[0] = '\\';
					tmp[1] = 'U';
					for (k = 0; k < 8; k++)
						tmp[2 + k] = hex[(r >> (28 - 4 * k)) & 15];
					atmo__buf_put(b, tmp, 10);
				}
			}
		}
		i += w;
	}
	return atmo__buf_putc(b, '"');
}

void atmo__display_word(char *out, size_t n, const char *s, int upper)
{
	size_t i, len = strlen(s);
	int plain = len > 0;
	atmo_buf b = ATMO_BUF_INIT;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7F)
			plain = 0;
	if (plain)
		atmo__buf_put(&b, s, len);
	else
		atmo__quote(&b, s, len);
	snprintf(out, n, "%s", b.oom ? "?" : atmo__buf_cstr(&b));
	if (upper && plain)
		for (i = 0; out[i]; i++)
			if (out[i] >= 'a' && out[i] <= 'z')
				out[i] = (char)(out[i] - 32);
	atmo__buf_free(&b);
}
