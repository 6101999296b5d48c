/* Text helpers of the render module: sizes (util/size.c), shortening, XML escaping. */
#include <stdio.h>
#include <string.h>
#include "render/render_int.h"
#include "util/size.h"

void atmo__human_bytes(char *buf, size_t n, long long bytes)
{
	/* sizes are validated non-negative (model.c); IEC units like the CLI */
	atmo__format_size(buf, n, bytes < 0 ? 0ULL : (unsigned long long)bytes);
}

/* Length of the UTF-8 sequence at s (1..4), or 0 when it is not valid UTF-8. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n, i;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

static int put_one(atmo_buf *b, const unsigned char *s, size_t n, int xml)
{
	if (n == 0)
		return atmo__buf_puts(b, "\xef\xbf\xbd");
	if (n > 1)
		return atmo__buf_put(b, (const char *)s, n);
	if (*s < 0x20 || *s == 0x7f)
		return atmo__buf_putc(b, ' ');
	if (xml == 2 && *s == '\\')
		return atmo__buf_puts(b, "\\\\");
	if (xml == 1) {
		switch (*s) {
		case '&': return atmo__buf_puts(b, "&amp;");
		case '<': return atmo__buf_puts(b, "&lt;");
		case '>': return atmo__buf_puts(b, "&gt;");
		case '"': return atmo__buf_puts(b, "&quot;");
		case '\'': return atmo__buf_puts(b, "&#39;");
		default: break;
		}
	}
	return atmo__buf_putc(b, (char)*s);
}

int atmo__put_text(atmo_buf *b, const char *str, size_t max, int middle, int xml)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t count = 0, i, n, head, tail, k;

	for (i = 0; s[i]; i += n ? n : 1)
		n = utf8_len(s + i), count++;
	if (max == 0 || count <= max) {
		head = count;
		tail = 0;
	} else if (max == 1) {
		head = tail = 0;
	} else if (middle) {
		head = (max - 1) - (max - 1) / 2;
		tail = (max - 1) / 2;
	} else {
		head = max - 1;
		tail = 0;
	}
	for (i = 0, k = 0; s[i]; i += n ? n : 1, k++) {
		n = utf8_len(s + i);
		if (k < head || k >= count - tail) {
			if (put_one(b, s + i, n, xml) < 0)
				return ATMO_ENOMEM;
		} else if (k == head) {
			if (atmo__buf_puts(b, "\xe2\x80\xa6") < 0)
				return ATMO_ENOMEM;
		}
	}
	return b->oom ? ATMO_ENOMEM : 0;
}
