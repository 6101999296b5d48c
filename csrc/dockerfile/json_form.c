/*
 * The exec (JSON) form of RUN, CMD, COPY, ...: BuildKit decodes the first
 * JSON value with Go's encoding/json into []interface{}. A syntax error (or
 * a number too large for float64) means "shell form"; a well-formed array
 * holding anything but strings is an error.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dockerfile/dockerfile_int.h"
#include "util/alloc.h"

#define JWS(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r')

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* scan a string starting at s[*i] == '"'; 1 ok, 0 syntax error */
static int scan_string(const unsigned char *s, size_t n, size_t *i)
{
	size_t k = *i + 1;
	while (k < n) {
		unsigned char c = s[k];
		if (c == '"') {
			*i = k + 1;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (++k >= n)
				return 0;
			switch (s[k]) {
			case '"':
			case '\\':
			case '/':
			case 'b':
			case 'f':
			case 'n':
			case 'r':
			case 't':
				k++;
				break;
			case 'u':
				if (k + 4 >= n || hexval(s[k + 1]) < 0 || hexval(s[k + 2]) < 0 ||
				    hexval(s[k + 3]) < 0 || hexval(s[k + 4]) < 0)
					return 0;
				k += 5;
				break;
			default:
				return 0;
			}
			continue;
		}
		k++;
	}
	return 0;
}

/* 1 ok, 0 syntax error, -1 well-formed but overflows float64, ATMO_ENOMEM */
static int scan_number(const unsigned char *s, size_t n, size_t *i)
{
	size_t k = *i, start = *i;
	char tmp[64];
	if (k < n && s[k] == '-')
		k++;
	if (k >= n)
		return 0;
	if (s[k] == '0') {
		k++;
	} else if (s[k] >= '1' && s[k] <= '9') {
		while (k < n && s[k] >= '0' && s[k] <= '9')
			k++;
	} else {
		return 0;
	}
	if (k < n && s[k] == '.') {
		k++;
		if (k >= n || s[k] < '0' || s[k] > '9')
			return 0;
		while (k < n && s[k] >= '0' && s[k] <= '9')
			k++;
	}
	if (k < n && (s[k] == 'e' || s[k] == 'E')) {
		k++;
		if (k < n && (s[k] == '+' || s[k] == '-'))
			k++;
		if (k >= n || s[k] < '0' || s[k] > '9')
			return 0;
		while (k < n && s[k] >= '0' && s[k] <= '9')
			k++;
	}
	*i = k;
	if (k - start < sizeof(tmp)) {
		memcpy(tmp, s + start, k - start);
		tmp[k - start] = '\0';
		if (isinf(strtod(tmp, NULL)))
			return -1;
	} else {
		/* long numbers: only a big exponent or many digits overflow */
		char *buf = atmo__malloc(k - start + 1, NULL);
		int inf;
		if (!buf)
			return ATMO_ENOMEM;
		memcpy(buf, s + start, k - start);
		buf[k - start] = '\0';
		inf = isinf(strtod(buf, NULL));
		atmo__free(buf);
		if (inf)
			return -1;
	}
	return 1;
}

/* Skip one JSON value at s[*i]; 1 ok, 0 syntax error, -1 overflowing number,
 * ATMO_ENOMEM (a deep nesting stack or a long number found no memory). */
static int skip_value(const unsigned char *s, size_t n, size_t *pos, size_t depth0)
{
	char stack[256];
	char *st = stack;
	size_t depth = 0, cap = sizeof(stack), i = *pos;
	int rc = 0, overflow = 0;

#define PUSH(c)                                                                                    \
	do {                                                                                       \
		if (depth0 + depth + 1 > ATMO__JSON_MAX_DEPTH)                                     \
			goto out;                                                                  \
		if (depth == cap) {                                                                \
			char *ns = atmo__realloc(st == stack ? NULL : st, cap * 2, NULL);          \
			if (!ns) {                                                                 \
				rc = ATMO_ENOMEM;                                                  \
				goto out;                                                          \
			}                                                                          \
			if (st == stack)                                                           \
				memcpy(ns, stack, cap);                                            \
			st = ns;                                                                   \
			cap *= 2;                                                                  \
		}                                                                                  \
		st[depth++] = (c);                                                                 \
	} while (0)

value:
	while (i < n && JWS(s[i]))
		i++;
	if (i >= n)
		goto out;
	switch (s[i]) {
	case '"':
		if (!scan_string(s, n, &i))
			goto out;
		goto after;
	case '{':
		i++;
		while (i < n && JWS(s[i]))
			i++;
		if (i < n && s[i] == '}') {
			i++;
			goto after;
		}
		PUSH('}');
		goto key;
	case '[':
		i++;
		while (i < n && JWS(s[i]))
			i++;
		if (i < n && s[i] == ']') {
			i++;
			goto after;
		}
		PUSH(']');
		goto value;
	case 't':
		if (n - i < 4 || memcmp(s + i, "true", 4))
			goto out;
		i += 4;
		goto after;
	case 'f':
		if (n - i < 5 || memcmp(s + i, "false", 5))
			goto out;
		i += 5;
		goto after;
	case 'n':
		if (n - i < 4 || memcmp(s + i, "null", 4))
			goto out;
		i += 4;
		goto after;
	default: {
		int r = scan_number(s, n, &i);
		if (r == 0)
			goto out;
		if (r == ATMO_ENOMEM) {
			rc = r;
			goto out;
		}
		if (r < 0)
			overflow = 1;
		goto after;
	}
	}
key:
	while (i < n && JWS(s[i]))
		i++;
	if (i >= n || s[i] != '"' || !scan_string(s, n, &i))
		goto out;
	while (i < n && JWS(s[i]))
		i++;
	if (i >= n || s[i] != ':')
		goto out;
	i++;
	goto value;
after:
	if (depth == 0) {
		*pos = i;
		rc = overflow ? -1 : 1;
		goto out;
	}
	while (i < n && JWS(s[i]))
		i++;
	if (i >= n)
		goto out;
	if (s[i] == ',') {
		i++;
		if (st[depth - 1] == '}')
			goto key;
		goto value;
	}
	if ((char)s[i] == st[depth - 1]) {
		i++;
		depth--;
		goto after;
	}
out:
	if (st != stack)
		atmo__free(st);
	return rc;
#undef PUSH
}

/* Decode the JSON string s[a..b) (quotes excluded) as Go does. */
static char *decode_string(atmo__arena *ar, const unsigned char *s, size_t a, size_t b,
			   size_t *outlen)
{
	/* worst case: every invalid byte becomes 3 bytes */
	char *o = atmo__arena_alloc(ar, (b - a) * 3 + 1);
	size_t k = 0, i = a, w;
	if (!o)
		return NULL;
	while (i < b) {
		unsigned char c = s[i];
		if (c == '\\') {
			i++;
			switch (s[i]) {
			case 'b':
				o[k++] = '\b';
				i++;
				break;
			case 'f':
				o[k++] = '\f';
				i++;
				break;
			case 'n':
				o[k++] = '\n';
				i++;
				break;
			case 'r':
				o[k++] = '\r';
				i++;
				break;
			case 't':
				o[k++] = '\t';
				i++;
				break;
			case 'u': {
				uint32_t r = 0;
				int j;
				for (j = 1; j <= 4; j++)
					r = r * 16 + (uint32_t)hexval(s[i + j]);
				i += 5;
				if (r >= 0xD800 && r <= 0xDFFF) {
					uint32_t r2 = 0;
					int ok = 0;
					if (r < 0xDC00 && i + 5 < b + 1 && i + 6 <= b &&
					    s[i] == '\\' && s[i + 1] == 'u') {
						ok = 1;
						for (j = 2; j <= 5; j++) {
							int h = hexval(s[i + j]);
							if (h < 0)
								ok = 0;
							else
								r2 = r2 * 16 + (uint32_t)h;
						}
						if (ok && r2 >= 0xDC00 && r2 <= 0xDFFF) {
							r = 0x10000 + ((r - 0xD800) << 10) +
							    (r2 - 0xDC00);
							i += 6;
						} else {
							ok = 0;
						}
					}
					if (!ok)
						r = ATMO__RUNE_ERROR;
				}
				k += atmo__utf8_encode(r, o + k);
				break;
			}
			default: /* " \ / */
				o[k++] = (char)s[i++];
			}
			continue;
		}
		if (c < 0x80) {
			o[k++] = (char)c;
			i++;
			continue;
		}
		{
			uint32_t r = atmo__utf8_decode(s + i, b - i, &w);
			if (r == ATMO__RUNE_ERROR && w == 1) {
				memcpy(o + k, "\xEF\xBF\xBD", 3);
				k += 3;
			} else {
				memcpy(o + k, s + i, w);
				k += w;
			}
			i += w;
		}
	}
	o[k] = '\0';
	*outlen = k;
	return o;
}

/* drop what this array pushed (v[n] stays the NULL after the last) */
static void strvec_truncate(atmo__strvec *v, size_t n)
{
	v->n = n;
	if (v->v)
		v->v[n] = NULL;
}

int atmo__json_string_array(atmo__strvec *out, atmo__arena *ar, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, start_n = out->n;
	int all_strings = 1;

	/* strings.TrimLeftFunc(rest, unicode.IsSpace) and the '[' check */
	while (i < n) {
		size_t w = 1;
		uint32_t r = s[i] < 0x80 ? s[i] : atmo__utf8_decode(s + i, n - i, &w);
		if (!atmo__is_space(r))
			break;
		i += w;
	}
	if (i >= n || s[i] != '[')
		return 0;
	{
		/* validate the whole value before decoding anything; json.Unmarshal
		 * allows only white space after it ("SHELL [\"sh\"] RUN x" is shell form) */
		size_t j = i;
		int r = skip_value(s, n, &j, 0);
		if (r == ATMO_ENOMEM)
			return r;
		if (r <= 0)
			return 0;
		while (j < n && JWS(s[j]))
			j++;
		if (j < n)
			return 0;
	}
	i++;
	while (JWS(s[i]))
		i++;
	if (s[i] == ']')
		return 1;
	for (;;) {
		while (JWS(s[i]))
			i++;
		if (s[i] == '"') {
			size_t a = i + 1, len;
			char *d;
			scan_string(s, n, &i);
			if (all_strings) {
				d = decode_string(ar, s, a, i - 1, &len);
				if (!d || atmo__strvec_pushn(out, d, len, NULL) < 0)
					return ATMO_ENOMEM;
			}
		} else {
			all_strings = 0;
			if (skip_value(s, n, &i, 1) == ATMO_ENOMEM) {
				strvec_truncate(out, start_n);
				return ATMO_ENOMEM;
			}
		}
		while (JWS(s[i]))
			i++;
		if (s[i] == ',') {
			i++;
			continue;
		}
		break; /* ']' (validated above) */
	}
	if (!all_strings) {
		strvec_truncate(out, start_n);
		return ATMO_EINVALID;
	}
	return 1;
}
