/* Text helpers of the render module: sizes (util/size.c), shortening, XML escaping. */
#include <stdio.h>
#include <string.h>
#include "render/render_int.h"
#include "util/size.h"
#include "util/utf8.h"

void atmo__human_bytes(char *buf, size_t n, long long bytes)
{
	/* sizes are validated non-negative (model.c); IEC units like the CLI */
	atmo__format_size(buf, n, bytes < 0 ? 0ULL : (unsigned long long)bytes);
}

/* Width of the UTF-8 sequence at s (1..4), 0 when it is not valid UTF-8 or is one
 * of the noncharacters XML forbids (U+FFFE, U+FFFF). */
static size_t xml_char_len(const unsigned char *s, size_t n)
{
	uint32_t r = 0;
	size_t w = atmo__utf8_next(s, n, &r);
	return (r == 0xfffe || r == 0xffff) ? 0 : w;
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

/* Whether ch is printable ASCII that mode `xml` writes unchanged. */
static inline int plain_char(unsigned char ch, int xml)
{
	return ch >= 0x20 && ch < 0x7f && !(xml == 2 && ch == '\\') &&
	       !(xml == 1 && (ch == '&' || ch == '<' || ch == '>' || ch == '"' || ch == '\''));
}

static int plain_ascii(const unsigned char *s, size_t len, int xml)
{
	size_t i;
	for (i = 0; i < len; i++)
		if (!plain_char(s[i], xml))
			return 0;
	return 1;
}

int atmo__put_text(atmo_buf *b, const char *str, size_t max, int middle, int xml)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t len = strlen((const char *)s), count = 0, i, n, head, tail, k;

	/* the common case: short plain ASCII goes out as it is */
	if ((max == 0 || len <= max) && plain_ascii(s, len, xml))
		return atmo__buf_put(b, (const char *)s, len);

	/* the code points are counted only when there is a limit */
	for (i = 0; max && s[i]; i += n ? n : 1)
		n = xml_char_len(s + i, len - i), count++;
	if (max == 0) {
		head = (size_t)-1;
		tail = 0;
	} else if (count <= max) {
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
		if (k < head && s[i] < 0x80) {
			/* a run of plain ASCII before the cut goes out at once */
			size_t run = 0;
			while (k + run < head && i + run < len && plain_char(s[i + run], xml))
				run++;
			if (run) {
				if (atmo__buf_put(b, (const char *)s + i, run) < 0)
					return ATMO_ENOMEM;
				i += run;
				k += run;
				n = 0;
				if (!s[i])
					break;
			}
		}
		n = xml_char_len(s + i, len - i);
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
