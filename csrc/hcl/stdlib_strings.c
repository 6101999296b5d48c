/*
 * String functions of cty's stdlib (and buildx's own sanitize, basename,
 * dirname, homedir), Go strings-package semantics.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>
#include "hcl/stdlib_int.h"
#include "util/utf8.h"
#include "util/alloc.h"
#include "util/grow.h"

#define S(i) (args[i]->u.str.s)
#define SL(i) (args[i]->u.str.len)

/* ---- graphemes (an approximation of textseg's grapheme clusters) ----------- */

static int is_extend(uint32_t r)
{
	/* combining marks (Mn/Me and common Mc), joiners, variation selectors, emoji modifiers, tags */
	return (r >= 0x300 && r <= 0x36F) || (r >= 0x483 && r <= 0x489) ||
	       (r >= 0x591 && r <= 0x5BD) || (r >= 0x610 && r <= 0x61A) ||
	       (r >= 0x64B && r <= 0x65F) || r == 0x670 || (r >= 0x900 && r <= 0x903) ||
	       (r >= 0x93A && r <= 0x94F) || (r >= 0x951 && r <= 0x957) ||
	       (r >= 0x962 && r <= 0x963) ||
	       (r >= 0xE31 && r <= 0xE3A && r != 0xE32 && r != 0xE33) ||
	       (r >= 0xE47 && r <= 0xE4E) || (r >= 0x1AB0 && r <= 0x1AFF) ||
	       (r >= 0x1DC0 && r <= 0x1DFF) || r == 0x200C || r == 0x200D ||
	       (r >= 0x20D0 && r <= 0x20FF) || (r >= 0x302A && r <= 0x302F) ||
	       (r >= 0x3099 && r <= 0x309A) || (r >= 0xFE00 && r <= 0xFE0F) ||
	       (r >= 0xFE20 && r <= 0xFE2F) || (r >= 0x1F3FB && r <= 0x1F3FF) ||
	       (r >= 0xE0020 && r <= 0xE007F) || (r >= 0xE0100 && r <= 0xE01EF);
}

static int is_ri(uint32_t r)
{
	return r >= 0x1F1E6 && r <= 0x1F1FF;
}

/* Hangul jamo classes: 1 leading, 2 vowel, 3 trailing, 4 LV syllable, 5 LVT syllable, 0 none */
static int hangul(uint32_t r)
{
	if ((r >= 0x1100 && r <= 0x115F) || (r >= 0xA960 && r <= 0xA97C))
		return 1;
	if ((r >= 0x1160 && r <= 0x11A7) || (r >= 0xD7B0 && r <= 0xD7C6))
		return 2;
	if ((r >= 0x11A8 && r <= 0x11FF) || (r >= 0xD7CB && r <= 0xD7FB))
		return 3;
	if (r >= 0xAC00 && r <= 0xD7A3)
		return (r - 0xAC00) % 28 == 0 ? 4 : 5;
	return 0;
}

/* width in bytes of the grapheme cluster at s (UAX #29's common rules: CR LF, Hangul,
 * extend/ZWJ, regional indicator pairs; no prepend or spacing-mark tables) */
size_t hcl__grapheme(const char *s, size_t n)
{
	size_t w, i;
	uint32_t r, prev;
	int ri = 0;

	if (n >= 2 && s[0] == '\r' && s[1] == '\n')
		return 2;
	r = atmo__utf8_decode((const unsigned char *)s, n, &w);
	if (r == '\r' || r == '\n' || (r < 0x20 && r != 0))
		return w;
	i = w;
	prev = r;
	ri = is_ri(r);
	while (i < n) {
		int hp = hangul(prev), hc;
		r = atmo__utf8_decode((const unsigned char *)s + i, n - i, &w);
		hc = hangul(r);
		if (is_extend(r) || prev == 0x200D) {
			/* joined */
		} else if (ri && is_ri(r)) {
			ri = 0; /* a pair of regional indicators is one flag */
			prev = r;
			i += w;
			continue;
		} else if ((hp == 1 && hc && hc != 3) ||
			   ((hp == 2 || hp == 4) && (hc == 2 || hc == 3)) ||
			   ((hp == 3 || hp == 5) && hc == 3)) {
			/* Hangul syllable sequences */
		} else {
			break;
		}
		ri = 0;
		prev = r;
		i += w;
	}
	return i;
}

size_t hcl__grapheme_count(const char *s, size_t n)
{
	size_t i = 0, c = 0;
	while (i < n) {
		i += hcl__grapheme(s + i, n - i);
		c++;
	}
	return c;
}

/* ---- case mapping ------------------------------------------------------------ */

/* Map every rune with fn in the C.UTF-8 locale (ASCII only if it is missing). */
static int map_case(hcl_value **out, const char *s, size_t n, int upper, int title_mode,
		    hcl_func_error *e)
{
	atmo_buf b = ATMO_BUF_INIT;
	locale_t loc = (locale_t)0;
	size_t i = 0, w;
	uint32_t r, prev = ' ';
	char enc[4];

	/* a locale only for text beyond ASCII: making one costs more than the mapping */
	for (i = 0; i < n && (unsigned char)s[i] < 0x80; i++)
		;
	if (i < n)
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	i = 0;

	while (i < n) {
		uint32_t m;
		r = atmo__utf8_decode((const unsigned char *)s + i, n - i, &w);
		m = r;
		if (title_mode) {
			/* Go's strings.Title: letters after a separator are upper-cased */
			int sep;
			if (prev < 0x80) {
				sep = !((prev >= '0' && prev <= '9') ||
					(prev >= 'a' && prev <= 'z') ||
					(prev >= 'A' && prev <= 'Z') || prev == '_');
			} else {
				sep = loc ? (iswspace_l((wint_t)prev, loc) != 0) : 0;
				if (loc && (iswalpha_l((wint_t)prev, loc) ||
					    iswdigit_l((wint_t)prev, loc)))
					sep = 0;
			}
			if (sep)
				m = loc ? (uint32_t)towupper_l((wint_t)r, loc)
					: (r >= 'a' && r <= 'z' ? r - 32 : r);
		} else if (upper) {
			m = loc ? (uint32_t)towupper_l((wint_t)r, loc)
				: (r >= 'a' && r <= 'z' ? r - 32 : r);
		} else {
			m = loc ? (uint32_t)towlower_l((wint_t)r, loc)
				: (r >= 'A' && r <= 'Z' ? r + 32 : r);
		}
		if (m == r)
			atmo__buf_put(&b, s + i, w);
		else
			atmo__buf_put(&b, enc, atmo__utf8_encode(m, enc));
		prev = r;
		i += w;
	}
	if (loc)
		freelocale(loc);
	return hcl__ret_buf(out, &b, e);
}

static int f_upper(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return map_case(out, S(0), SL(0), 1, 0, e);
}

static int f_lower(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return map_case(out, S(0), SL(0), 0, 0, e);
}

static int f_title(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return map_case(out, S(0), SL(0), 1, 1, e);
}

/* ---- trimming ------------------------------------------------------------------ */

static int in_cutset(uint32_t r, const char *set, size_t n)
{
	size_t i = 0, w;
	while (i < n) {
		if (atmo__utf8_decode((const unsigned char *)set + i, n - i, &w) == r)
			return 1;
		i += w;
	}
	return 0;
}

/* the start of the last rune before end */
static size_t rune_back(const char *s, size_t end)
{
	size_t i = end - 1;
	while (i > 0 && end - i < 4 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

static int f_trim(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	const char *s = S(0);
	size_t a = 0, z = SL(0), w;
	while (a < z &&
	       in_cutset(atmo__utf8_decode((const unsigned char *)s + a, z - a, &w), S(1), SL(1)))
		a += w;
	while (z > a) {
		size_t st = rune_back(s, z);
		uint32_t r = atmo__utf8_decode((const unsigned char *)s + st, z - st, &w);
		/* as Go's DecodeLastRune: bytes that do not end in a whole rune are one
		 * U+FFFD of width 1 (walking back over them could pass the left cut) */
		if (st < a || st + w != z) {
			r = ATMO__RUNE_ERROR;
			st = z - 1;
		}
		if (!in_cutset(r, S(1), SL(1)))
			break;
		z = st;
	}
	return hcl__ret(out, hcl_string(s + a, z - a), e);
}

static int is_space_rune(uint32_t r)
{
	/* Go's unicode.IsSpace */
	return r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xA0 || r == 0x1680 ||
	       (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 || r == 0x202F ||
	       r == 0x205F || r == 0x3000;
}

static int f_trimspace(void *p, hcl_value *const *args, size_t n, hcl_value **out,
		       hcl_func_error *e)
{
	const char *s = S(0);
	size_t a = 0, z = SL(0), w;
	while (a < z && is_space_rune(atmo__utf8_decode((const unsigned char *)s + a, z - a, &w)))
		a += w;
	while (z > a) {
		size_t st = rune_back(s, z);
		if (!is_space_rune(atmo__utf8_decode((const unsigned char *)s + st, z - st, &w)))
			break;
		z = st;
	}
	return hcl__ret(out, hcl_string(s + a, z - a), e);
}

static int f_trimprefix(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			hcl_func_error *e)
{
	if (SL(1) <= SL(0) && memcmp(S(0), S(1), SL(1)) == 0)
		return hcl__ret(out, hcl_string(S(0) + SL(1), SL(0) - SL(1)), e);
	return hcl__ret(out, hcl_value_ref(args[0]), e);
}

static int f_trimsuffix(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			hcl_func_error *e)
{
	if (SL(1) <= SL(0) && memcmp(S(0) + SL(0) - SL(1), S(1), SL(1)) == 0)
		return hcl__ret(out, hcl_string(S(0), SL(0) - SL(1)), e);
	return hcl__ret(out, hcl_value_ref(args[0]), e);
}

static int f_chomp(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	size_t z = SL(0);
	/* (?:\r\n?|\n)*\z */
	while (z > 0 && (S(0)[z - 1] == '\n' || S(0)[z - 1] == '\r'))
		z--;
	return hcl__ret(out, hcl_string(S(0), z), e);
}

static int f_indent(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	long long spaces;
	atmo_buf b = ATMO_BUF_INIT;
	size_t i;
	if (hcl__whole(args[0], &spaces) < 0)
		return hcl__fail(e, -1, "value must be a whole number");
	if (spaces < 0 || spaces > 1024 * 1024)
		spaces = spaces < 0 ? 0 : 1024 * 1024;
	for (i = 0; i < SL(1); i++) {
		atmo__buf_putc(&b, S(1)[i]);
		if (S(1)[i] == '\n')
			for (long long k = 0; k < spaces; k++)
				atmo__buf_putc(&b, ' ');
	}
	return hcl__ret_buf(out, &b, e);
}

/* ---- join, split, replace ------------------------------------------------------- */

static int f_join(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	atmo_buf b = ATMO_BUF_INIT;
	size_t i, j, k = 0;

	if (n < 2)
		return hcl__fail(e, -1, "at least one list is required");
	for (i = 1; i < n; i++)
		if (!hcl_value_is_wholly_known(args[i]))
			return hcl__ret(out, hcl_unknown(hcl_type_string()), e);
	for (i = 1; i < n; i++) {
		for (j = 0; j < args[i]->u.seq.n; j++) {
			hcl_value *v = args[i]->u.seq.items[j];
			if (v->is_null) {
				atmo__buf_free(&b);
				if (n > 2)
					return hcl__fail(e, (int)i,
							 "element %zu of list %zu is null; cannot "
							 "concatenate null values",
							 j, i - 1);
				return hcl__fail(
					e, (int)i,
					"element %zu is null; cannot concatenate null values", j);
			}
			if (k++)
				atmo__buf_put(&b, S(0), SL(0));
			atmo__buf_put(&b, v->u.str.s, v->u.str.len);
		}
	}
	return hcl__ret_buf(out, &b, e);
}

static int push(hcl_value ***items, size_t *n, size_t *cap, hcl_value *v)
{
	if (!v)
		return -1;
	if (*n == *cap && ATMO__GROW(*items, *cap, *n + 1, NULL) < 0) {
		hcl_value_unref(v);
		return -1;
	}
	(*items)[(*n)++] = v;
	return 0;
}

static void drop(hcl_value **items, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		hcl_value_unref(items[i]);
	atmo__free(items);
}

static int f_split(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	const char *sep = S(0), *s = S(1);
	size_t seplen = SL(0), len = SL(1), i = 0, start = 0, cnt = 0, cap = 0, w;
	hcl_value **items = NULL;

	if (seplen == 0) {
		/* Go: split after each UTF-8 sequence */
		while (i < len) {
			atmo__utf8_decode((const unsigned char *)s + i, len - i, &w);
			if (push(&items, &cnt, &cap, hcl_string(s + i, w)) < 0)
				goto oom;
			i += w;
		}
	} else {
		while (i + seplen <= len) {
			if (memcmp(s + i, sep, seplen) == 0) {
				if (push(&items, &cnt, &cap, hcl_string(s + start, i - start)) < 0)
					goto oom;
				i += seplen;
				start = i;
			} else {
				i++;
			}
		}
		if (push(&items, &cnt, &cap, hcl_string(s + start, len - start)) < 0)
			goto oom;
	}
	{
		hcl_value *l = hcl__list_of(HCL__STR, items, cnt);
		atmo__free(items);
		return hcl__ret(out, l, e);
	}
oom:
	drop(items, cnt);
	return hcl__nomem(e);
}

static int f_replace(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	const char *s = S(0), *old = S(1), *rep = S(2);
	size_t len = SL(0), ol = SL(1), rl = SL(2), i = 0, w;
	atmo_buf b = ATMO_BUF_INIT;

	if (ol == 0) {
		/* Go: the replacement before every rune and at the end */
		while (i < len) {
			atmo__buf_put(&b, rep, rl);
			atmo__utf8_decode((const unsigned char *)s + i, len - i, &w);
			atmo__buf_put(&b, s + i, w);
			i += w;
		}
		atmo__buf_put(&b, rep, rl);
		return hcl__ret_buf(out, &b, e);
	}
	while (i < len) {
		if (i + ol <= len && memcmp(s + i, old, ol) == 0) {
			atmo__buf_put(&b, rep, rl);
			i += ol;
		} else {
			atmo__buf_putc(&b, s[i++]);
		}
	}
	if (!b.ptr)
		atmo__buf_puts(&b, "");
	return hcl__ret_buf(out, &b, e);
}

/* ---- substrings and lengths ------------------------------------------------------- */

static int f_strlen(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return hcl__ret(out, hcl_number((double)hcl__grapheme_count(S(0), SL(0))), e);
}

static int f_substr(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	long long off, length, pos = 0;
	const char *s = S(0);
	size_t len = SL(0), i = 0, start;

	if (hcl__whole(args[1], &off) < 0 || hcl__whole(args[2], &length) < 0)
		return hcl__fail(e, -1, "value must be a whole number");
	if (off < 0)
		off += (long long)hcl__grapheme_count(s, len);
	else if (length == 0)
		return hcl__ret(out, hcl_string("", 0), e);
	if (off > 0) {
		while (i < len) {
			i += hcl__grapheme(s + i, len - i);
			pos++;
			if (pos == off)
				break;
			if (i >= len)
				return hcl__ret(out, hcl_string("", 0), e);
		}
	}
	start = i;
	if (length < 0)
		return hcl__ret(out, hcl_string(s + start, len - start), e);
	while (i < len) {
		i += hcl__grapheme(s + i, len - i);
		pos++;
		if (pos == off + length)
			break;
	}
	return hcl__ret(out, hcl_string(s + start, i - start), e);
}

static int f_reverse(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	const char *s = S(0);
	size_t len = SL(0), i = 0, w;
	char *r = atmo__malloc(len + 1, NULL);
	if (!r)
		return hcl__nomem(e);
	while (i < len) {
		w = hcl__grapheme(s + i, len - i);
		memcpy(r + len - i - w, s + i, w);
		i += w;
	}
	r[len] = '\0';
	return hcl__ret(out, hcl_string_take(r, len), e);
}

static int f_byteslen(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return hcl__ret(out, hcl_number((double)SL(0)), e);
}

/* cty's bytes functions take a bytes capsule no bake expression can make; here they take strings */
static int f_bytesslice(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			hcl_func_error *e)
{
	long long off, length;
	if (hcl__whole(args[1], &off) < 0 || hcl__whole(args[2], &length) < 0)
		return hcl__fail(e, -1, "value must be a whole number");
	if (off < 0 || length < 0)
		return hcl__fail(e, -1, "offset and length must be non-negative");
	if ((size_t)off > SL(0))
		return hcl__fail(e, -1, "offset %lld is greater than total buffer length %zu", off,
				 SL(0));
	if ((size_t)(off + length) > SL(0))
		return hcl__fail(
			e, -1, "offset %lld + length %lld is greater than total buffer length %zu",
			off, length, SL(0));
	return hcl__ret(out, hcl_string(S(0) + off, (size_t)length), e);
}

/* ---- buildx's own ------------------------------------------------------------------ */

static int f_sanitize(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	atmo_buf b = ATMO_BUF_INIT;
	size_t i = 0, w;
	const char *s = S(0);
	while (i < SL(0)) {
		uint32_t r = atmo__utf8_decode((const unsigned char *)s + i, SL(0) - i, &w);
		if ((r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') ||
		    r == '_' || r == '-')
			atmo__buf_putc(&b, (char)r);
		else
			atmo__buf_putc(&b, '_');
		i += w;
	}
	return hcl__ret_buf(out, &b, e);
}

/* Go's path.Clean */
static char *path_clean(const char *p, size_t n)
{
	char *out = atmo__malloc(n + 2, NULL);
	size_t r = 0, w = 0, dotdot = 0;
	int rooted = n > 0 && p[0] == '/';

	if (!out)
		return NULL;
	if (n == 0) {
		strcpy(out, ".");
		return out;
	}
	if (rooted) {
		out[w++] = '/';
		r = 1;
		dotdot = 1;
	}
	while (r < n) {
		if (p[r] == '/') {
			r++;
		} else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
			r++;
		} else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && p[r] != '/'; r++)
				out[w++] = p[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

static int f_basename(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	const char *s = S(0);
	size_t len = SL(0), i;
	if (len == 0)
		return hcl__ret(out, hcl_cstring("."), e);
	while (len > 0 && s[len - 1] == '/')
		len--;
	if (len == 0)
		return hcl__ret(out, hcl_cstring("/"), e);
	i = len;
	while (i > 0 && s[i - 1] != '/')
		i--;
	return hcl__ret(out, hcl_string(s + i, len - i), e);
}

static int f_dirname(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	const char *s = S(0);
	size_t i = SL(0);
	char *c;
	while (i > 0 && s[i - 1] != '/')
		i--;
	c = path_clean(s, i);
	if (!c)
		return hcl__nomem(e);
	return hcl__ret(out, hcl_string_take(c, strlen(c)), e);
}

static int f_homedir(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	if (!p)
		return hcl__fail(e, -1, "the home directory is not known");
	return hcl__ret(out, hcl_cstring((const char *)p), e);
}

static const hcl_param p_str[] = { HCL__P("str", HCL__STR) };
static const hcl_param p_trim[] = { HCL__P("str", HCL__STR), HCL__P("cutset", HCL__STR) };
static const hcl_param p_prefix[] = { HCL__P("str", HCL__STR), HCL__P("prefix", HCL__STR) };
static const hcl_param p_suffix[] = { HCL__P("str", HCL__STR), HCL__P("suffix", HCL__STR) };
static const hcl_param p_indent[] = { HCL__P("spaces", HCL__NUM), HCL__P("str", HCL__STR) };
static const hcl_param p_join[] = { HCL__P("separator", HCL__STR) };
static const hcl_param p_join_v = HCL__P("lists", HCL__T(list_string));
static const hcl_param p_split[] = { HCL__P("separator", HCL__STR), HCL__P("str", HCL__STR) };
static const hcl_param p_replace[] = { HCL__P("str", HCL__STR), HCL__P("substr", HCL__STR),
				       HCL__P("replace", HCL__STR) };
static const hcl_param p_substr[] = { HCL__P("str", HCL__STR), HCL__P("offset", HCL__NUM),
				      HCL__P("length", HCL__NUM) };
static const hcl_param p_buf[] = { HCL__P("buf", HCL__STR) };
static const hcl_param p_bytesslice[] = { HCL__P("buf", HCL__STR), HCL__P("offset", HCL__NUM),
					  HCL__P("length", HCL__NUM) };
static const hcl_param p_name[] = { HCL__P("name", HCL__STR) };
static const hcl_param p_path[] = { HCL__P("path", HCL__STR) };

#define FN(nm, params, impl)                                                                       \
	{                                                                                          \
		nm, params, sizeof(params) / sizeof(params[0]), NULL, impl, NULL                   \
	}

const hcl_func hcl__fn_strings[] = {
	FN("upper", p_str, f_upper),
	FN("lower", p_str, f_lower),
	FN("title", p_str, f_title),
	FN("trim", p_trim, f_trim),
	FN("trimspace", p_str, f_trimspace),
	FN("trimprefix", p_prefix, f_trimprefix),
	FN("trimsuffix", p_suffix, f_trimsuffix),
	FN("chomp", p_str, f_chomp),
	FN("indent", p_indent, f_indent),
	{ "join", p_join, 1, &p_join_v, f_join, NULL },
	FN("split", p_split, f_split),
	FN("replace", p_replace, f_replace),
	FN("strlen", p_str, f_strlen),
	FN("substr", p_substr, f_substr),
	FN("reverse", p_str, f_reverse),
	FN("byteslen", p_buf, f_byteslen),
	FN("bytesslice", p_bytesslice, f_bytesslice),
	FN("sanitize", p_name, f_sanitize),
	FN("basename", p_path, f_basename),
	FN("dirname", p_path, f_dirname),
	{ "homedir", NULL, 0, NULL, f_homedir, NULL },
};
const size_t hcl__fn_strings_n = sizeof(hcl__fn_strings) / sizeof(hcl__fn_strings[0]);
