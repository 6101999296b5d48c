/*
 * regex, regexall and regex_replace. cty uses Go's regexp (RE2 syntax);
 * PCRE2 reads that syntax with a few options set to RE2's meaning:
 * `$` only at the end of the text (DOLLAR_ENDONLY), \d \w \s \b ASCII-only
 * (no UCP), UTF-8 patterns and subjects. Back-references, which RE2
 * rejects, are rejected here too. Empty matches next to a previous match
 * are skipped as Go's FindAll and ReplaceAll do.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/stdlib_int.h"
#include "util/alloc.h"
#include "util/grow.h"

#define S(i) (args[i]->u.str.s)
#define SL(i) (args[i]->u.str.len)

typedef struct {
	pcre2_code *re;
	pcre2_match_data *md;
	uint32_t ncap;
	int named; /* 1: all groups named, 0: none named */
} rx;

static void rx_free(rx *r)
{
	pcre2_match_data_free(r->md);
	pcre2_code_free(r->re);
}

/* RE2 has no back-references: \1..\9 outside a class is an error there */
static int has_backref(const char *p, size_t n)
{
	size_t i;
	int in_class = 0;
	for (i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 1 < n) {
			if (!in_class && p[i + 1] >= '1' && p[i + 1] <= '9')
				return 1;
			i++;
		} else if (p[i] == '[') {
			in_class = 1;
		} else if (p[i] == ']') {
			in_class = 0;
		}
	}
	return 0;
}

/* PCRE2 allocates through the library's allocator (a general context) */
static void *rx_malloc(PCRE2_SIZE n, void *data)
{
	(void)data;
	return atmo__malloc(n, NULL);
}

static void rx_mfree(void *ptr, void *data)
{
	(void)data;
	atmo__free(ptr);
}

/* compile; prefix is the Go message head ("invalid regexp pattern" / "error parsing regexp") */
static int rx_compile(rx *r, const char *pat, size_t n, const char *prefix, hcl_func_error *e,
		      int arg)
{
	int errcode;
	PCRE2_SIZE erroff;
	uint32_t i, namecount = 0;
	pcre2_general_context *gc;
	pcre2_compile_context *cc;

	memset(r, 0, sizeof(*r));
	if (has_backref(pat, n))
		return hcl__fail(e, arg, "%s: invalid escape sequence in `%s`", prefix, pat);
	/* the code and match data keep a copy of gc's functions: the contexts go at once */
	gc = pcre2_general_context_create(rx_malloc, rx_mfree, NULL);
	cc = gc ? pcre2_compile_context_create(gc) : NULL;
	if (!cc) {
		pcre2_general_context_free(gc);
		return hcl__nomem(e);
	}
	r->re = pcre2_compile((PCRE2_SPTR)pat, n,
			      PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_MATCH_INVALID_UTF, &errcode,
			      &erroff, cc);
	pcre2_compile_context_free(cc);
	if (!r->re) {
		PCRE2_UCHAR buf[256];
		pcre2_general_context_free(gc);
		if (errcode == PCRE2_ERROR_HEAP_FAILED)
			return hcl__nomem(e);
		pcre2_get_error_message(errcode, buf, sizeof(buf));
		return hcl__fail(e, arg, "%s: %s in `%s`", prefix, (char *)buf, pat);
	}
	r->md = pcre2_match_data_create_from_pattern(r->re, gc);
	pcre2_general_context_free(gc);
	if (!r->md) {
		pcre2_code_free(r->re);
		return hcl__nomem(e);
	}
	pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &r->ncap);
	pcre2_pattern_info(r->re, PCRE2_INFO_NAMECOUNT, &namecount);
	if (namecount > 0 && namecount < r->ncap) {
		rx_free(r);
		return hcl__fail(
			e, arg,
			"invalid regexp pattern: cannot mix both named and unnamed capture groups");
	}
	r->named = namecount > 0;
	(void)i;
	return 0;
}

/* next match at or after *pos honouring Go's empty-match rule; 1 found, 0 none (or a
   match error other than memory, as before), -1 out of memory */
static int rx_next(rx *r, const char *s, size_t n, size_t *pos, size_t *prev_end, int *had_prev)
{
	while (*pos <= n) {
		int rc = pcre2_match(r->re, (PCRE2_SPTR)s, n, *pos, 0, r->md, NULL);
		PCRE2_SIZE *ov;
		if (rc == PCRE2_ERROR_NOMEMORY)
			return -1;
		if (rc < 0)
			return 0;
		ov = pcre2_get_ovector_pointer(r->md);
		if (ov[0] == ov[1] && *had_prev && ov[0] == *prev_end) {
			/* an empty match right after the previous match: step one character */
			size_t step = 1;
			if (ov[0] >= n)
				return 0;
			while (ov[0] + step < n && ((unsigned char)s[ov[0] + step] & 0xC0) == 0x80)
				step++;
			*pos = ov[0] + step;
			continue;
		}
		*had_prev = 1;
		*prev_end = ov[1];
		if (ov[1] == ov[0]) {
			size_t step = 1;
			while (ov[1] + step < n && ((unsigned char)s[ov[1] + step] & 0xC0) == 0x80)
				step++;
			*pos = ov[1] + step;
		} else {
			*pos = ov[1];
		}
		return 1;
	}
	return 0;
}

/* the value of one match (string, tuple or object) */
static hcl_value *rx_result(rx *r, const char *s)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
	hcl_value **vals;
	hcl_value *res;
	uint32_t i;

	if (r->ncap == 0)
		return hcl_string(s + ov[0], ov[1] - ov[0]);
	vals = atmo__calloc(r->ncap, sizeof(*vals), NULL);
	if (!vals)
		return NULL;
	for (i = 0; i < r->ncap; i++) {
		PCRE2_SIZE a = ov[2 * (i + 1)], b = ov[2 * (i + 1) + 1];
		if (a == PCRE2_UNSET || b == PCRE2_UNSET)
			vals[i] = hcl_null(hcl_type_string());
		else
			vals[i] = hcl_string(s + a, b - a);
		if (!vals[i]) {
			while (i--)
				hcl_value_unref(vals[i]);
			atmo__free(vals);
			return NULL;
		}
	}
	if (!r->named) {
		res = hcl_tuple(vals, r->ncap);
	} else {
		const char **keys = atmo__calloc(r->ncap, sizeof(*keys), NULL);
		uint32_t namecount = 0, esize = 0;
		PCRE2_SPTR table = NULL;
		if (!keys) {
			for (i = 0; i < r->ncap; i++)
				hcl_value_unref(vals[i]);
			atmo__free(vals);
			return NULL;
		}
		pcre2_pattern_info(r->re, PCRE2_INFO_NAMECOUNT, &namecount);
		pcre2_pattern_info(r->re, PCRE2_INFO_NAMEENTRYSIZE, &esize);
		pcre2_pattern_info(r->re, PCRE2_INFO_NAMETABLE, &table);
		for (i = 0; i < namecount; i++) {
			const unsigned char *ent = table + (size_t)i * esize;
			unsigned num = (unsigned)(ent[0] << 8 | ent[1]);
			if (num >= 1 && num <= r->ncap)
				keys[num - 1] = (const char *)ent + 2;
		}
		for (i = 0; i < r->ncap; i++)
			if (!keys[i])
				keys[i] = "";
		res = hcl_object(keys, vals, r->ncap);
		atmo__free(keys);
	}
	atmo__free(vals);
	return res;
}

static int f_regex(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	rx r;
	size_t pos = 0, prev = 0;
	int had = 0, m;
	if (rx_compile(&r, S(0), SL(0), "invalid regexp pattern", e, 0) < 0)
		return -1;
	m = rx_next(&r, S(1), SL(1), &pos, &prev, &had);
	if (m <= 0) {
		rx_free(&r);
		if (m < 0)
			return hcl__nomem(e);
		return hcl__fail(e, -1, "pattern did not match any part of the given string");
	}
	*out = rx_result(&r, S(1));
	rx_free(&r);
	return *out ? 0 : hcl__nomem(e);
}

static int f_regexall(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	rx r;
	size_t pos = 0, prev = 0, cnt = 0, cap = 0, i;
	int had = 0, m = 0;
	hcl_value **items = NULL, *res;
	hcl_type *ety;

	if (rx_compile(&r, S(0), SL(0), "invalid regexp pattern", e, 0) < 0)
		return -1;
	while ((m = rx_next(&r, S(1), SL(1), &pos, &prev, &had)) == 1) {
		hcl_value *v = rx_result(&r, S(1));
		if (!v || (cnt == cap && ATMO__GROW(items, cap, cnt + 1, NULL) < 0)) {
			hcl_value_unref(v);
			goto oom;
		}
		items[cnt++] = v;
		if (cnt > 1024 * 1024)
			break;
	}
	if (m < 0)
		goto oom;
	if (cnt == 0) {
		/* the element type the pattern implies, for an empty list */
		if (r.ncap == 0) {
			ety = hcl_type_string();
		} else {
			hcl_type **ts = atmo__calloc(r.ncap, sizeof(*ts), NULL);
			uint32_t k;
			if (!ts)
				goto oom;
			for (k = 0; k < r.ncap; k++)
				ts[k] = hcl_type_string();
			if (!r.named) {
				ety = hcl_type_tuple(ts, r.ncap);
			} else {
				/* names from a dummy result are not at hand: build them from the name table */
				const char **names = atmo__calloc(r.ncap, sizeof(*names), NULL);
				uint32_t namecount = 0, esize = 0;
				PCRE2_SPTR table = NULL;
				if (!names) {
					atmo__free(ts);
					goto oom;
				}
				pcre2_pattern_info(r.re, PCRE2_INFO_NAMECOUNT, &namecount);
				pcre2_pattern_info(r.re, PCRE2_INFO_NAMEENTRYSIZE, &esize);
				pcre2_pattern_info(r.re, PCRE2_INFO_NAMETABLE, &table);
				for (k = 0; k < namecount && k < r.ncap; k++)
					names[k] = (const char *)table + (size_t)k * esize + 2;
				ety = hcl_type_object(names, ts, NULL,
						      namecount < r.ncap ? namecount : r.ncap);
				atmo__free(names);
			}
			atmo__free(ts);
			if (!ety)
				goto oom;
		}
		res = hcl_list(ety, NULL, 0);
	} else {
		res = hcl_list(hcl_type_ref(items[0]->type), items, cnt);
	}
	atmo__free(items);
	rx_free(&r);
	return hcl__ret(out, res, e);
oom:
	for (i = 0; i < cnt; i++)
		hcl_value_unref(items[i]);
	atmo__free(items);
	rx_free(&r);
	return hcl__nomem(e);
}

/* Go's Regexp.Expand: $1, ${1}, $name, ${name}, $$ */
static void expand(atmo_buf *b, rx *r, const char *s, const char *tpl, size_t tn)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
	size_t i = 0;
	while (i < tn) {
		size_t st, en;
		char name[128];
		int num;
		if (tpl[i] != '$') {
			atmo__buf_putc(b, tpl[i++]);
			continue;
		}
		if (i + 1 < tn && tpl[i + 1] == '$') {
			atmo__buf_putc(b, '$');
			i += 2;
			continue;
		}
		if (i + 1 < tn && tpl[i + 1] == '{') {
			st = i + 2;
			en = st;
			while (en < tn && tpl[en] != '}')
				en++;
			if (en >= tn || en == st) {
				atmo__buf_putc(b, tpl[i++]);
				continue;
			}
			i = en + 1;
		} else {
			st = i + 1;
			en = st;
			while (en < tn && ((tpl[en] >= 'a' && tpl[en] <= 'z') ||
					   (tpl[en] >= 'A' && tpl[en] <= 'Z') ||
					   (tpl[en] >= '0' && tpl[en] <= '9') || tpl[en] == '_'))
				en++;
			if (en == st) {
				atmo__buf_putc(b, tpl[i++]);
				continue;
			}
			i = en;
		}
		if (en - st >= sizeof(name))
			continue;
		memcpy(name, tpl + st, en - st);
		name[en - st] = '\0';
		num = -1;
		if (strspn(name, "0123456789") == strlen(name)) {
			num = atoi(name);
		} else {
			int k = pcre2_substring_number_from_name(r->re, (PCRE2_SPTR)name);
			if (k > 0)
				num = k;
		}
		if (num >= 0 && (uint32_t)num <= r->ncap && ov[2 * num] != PCRE2_UNSET)
			atmo__buf_put(b, s + ov[2 * num], ov[2 * num + 1] - ov[2 * num]);
	}
}

static int f_regex_replace(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			   hcl_func_error *e)
{
	rx r;
	size_t pos = 0, prev = 0, last = 0;
	int had = 0, m;
	atmo_buf b = ATMO_BUF_INIT;
	const char *s = S(0);

	if (rx_compile(&r, S(1), SL(1), "error parsing regexp", e, -1) < 0)
		return -1;
	atmo__buf_puts(&b, "");
	while ((m = rx_next(&r, s, SL(0), &pos, &prev, &had)) == 1) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r.md);
		atmo__buf_put(&b, s + last, ov[0] - last);
		expand(&b, &r, s, S(2), SL(2));
		last = ov[1];
	}
	atmo__buf_put(&b, s + last, SL(0) - last);
	rx_free(&r);
	if (m < 0) {
		atmo__buf_free(&b);
		return hcl__nomem(e);
	}
	return hcl__ret_buf(out, &b, e);
}

static const hcl_param p_regex[] = { HCL__P("pattern", HCL__STR), HCL__P("string", HCL__STR) };
static const hcl_param p_regex_replace[] = { HCL__P("str", HCL__STR), HCL__P("pattern", HCL__STR),
					     HCL__P("replace", HCL__STR) };

#define FN(nm, params, impl)                                                                       \
	{                                                                                          \
		nm, params, sizeof(params) / sizeof(params[0]), NULL, impl, NULL                   \
	}

const hcl_func hcl__fn_regex[] = {
	FN("regex", p_regex, f_regex),
	FN("regexall", p_regex, f_regexall),
	FN("regex_replace", p_regex_replace, f_regex_replace),
};
const size_t hcl__fn_regex_n = sizeof(hcl__fn_regex) / sizeof(hcl__fn_regex[0]);
