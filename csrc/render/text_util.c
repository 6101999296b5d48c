/* Text helpers of the render module: sizes (util/size.c), shortening, XML escaping. */
#include <stdio.h>
#include <string.h>
#include "render/font_metrics_int.h"
#include "render/model_int.h"
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
		case '&':
			return atmo__buf_puts(b, "&amp;");
		case '<':
			return atmo__buf_puts(b, "&lt;");
		case '>':
			return atmo__buf_puts(b, "&gt;");
		case '"':
			return atmo__buf_puts(b, "&quot;");
		case '\'':
			return atmo__buf_puts(b, "&#39;");
		default:
			break;
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

/* Append bytes s[0..n) as Graphviz label text (atmo__put_text mode 2), cut to max code points. */
static int put_piece(atmo_buf *b, const char *s, size_t n, size_t max)
{
	atmo_buf t = ATMO_BUF_INIT;
	int rc;

	if (atmo__buf_put(&t, s, n) < 0) {
		atmo__buf_free(&t);
		b->oom = 1; /* sticky in b, as its own failures are: callers check b->oom */
		return ATMO_ENOMEM;
	}
	rc = atmo__put_text(b, atmo__buf_cstr(&t), max, 0, 2);
	atmo__buf_free(&t);
	return rc;
}

static int is_sep(unsigned char ch)
{
	return ch == '-' || ch == '/' || ch == ':' || ch == '_' || ch == '.' || ch == ',' ||
	       ch == '=' || ch == '@';
}

int atmo__put_wrapped(atmo_buf *b, const char *str, size_t width, size_t maxlines, int seps)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t len = strlen((const char *)s), start = 0, lines = 0;

	if (width < 4)
		width = 4;
	while (start < len) {
		size_t i = start, count = 0, cut = 0, next = 0, n;
		while (i < len && s[i] == ' ' && i == start)
			start = ++i; /* a line never starts with a space */
		if (start >= len)
			break;
		while (i < len && count < width) {
			n = s[i] < 0x80 ? 1 : atmo__utf8_next(s + i, len - i, NULL);
			if (!n)
				n = 1;
			if (s[i] == ' ' && count) {
				cut = i; /* break before the space, drop it */
				next = i + 1;
			} else if (seps && is_sep(s[i]) && count + 1 < width) {
				cut = i + 1; /* break after the separator, keep it */
				next = i + 1;
			}
			i += n;
			count++;
		}
		if (i >= len) {
			cut = next = len;
		} else if (seps &&
			   atmo__text_chars((const char *)s + start, len - start) <= 2 * width) {
			/* the rest fits two lines: the break that balances them ("openstack-" /
			 * "cinder-api", not "openstack-cinder-" / "api") */
			size_t best = 0, best_len = (size_t)-1, k = start, c = 0;
			size_t total = atmo__text_chars((const char *)s + start, len - start);
			while (k < i) {
				size_t w = s[k] < 0x80 ? 1 : atmo__utf8_next(s + k, len - k, NULL);
				k += w ? w : 1;
				c++;
				if ((is_sep(s[k - 1]) || (k < len && s[k] == ' ')) &&
				    total - c <= width) {
					size_t longer = c > total - c ? c : total - c;
					if (longer < best_len) {
						best_len = longer;
						best = k;
					}
				}
			}
			if (best) {
				cut = best;
				next = best < len && s[best] == ' ' ? best + 1 : best;
			} else if (!cut || cut <= start) {
				cut = next = i;
			}
		} else if (s[i] == ' ') {
			cut = i; /* the line ends just before a space */
			next = i + 1;
		} else if (!cut || cut <= start) {
			cut = next = i; /* one word longer than the line: a hard break */
		}
		if (lines + 1 >= maxlines && cut < len) {
			/* the last line allowed: the rest, cut with an ellipsis */
			if (put_piece(b, (const char *)s + start, len - start, width) < 0)
				return ATMO_ENOMEM;
			atmo__buf_puts(b, "\\l");
			return b->oom ? ATMO_ENOMEM : 0;
		}
		if (put_piece(b, (const char *)s + start, cut - start, 0) < 0)
			return ATMO_ENOMEM;
		atmo__buf_puts(b, "\\l");
		lines++;
		start = next;
	}
	if (!lines)
		atmo__buf_puts(b, "\\l");
	return b->oom ? ATMO_ENOMEM : 0;
}
