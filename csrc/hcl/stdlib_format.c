/*
 * format and formatlist as cty implements them: printf-like verbs over
 * cty values (%v %#v %t %b %d %o %x %X %e %E %f %g %G %s %q %%), flags
 * (space + - # 0), width, precision and [n] argument indexes; widths and
 * string precisions counted in characters.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/stdlib_int.h"
#include "util/utf8.h"
#include "util/alloc.h"

typedef struct {
	const char *raw;
	size_t rawlen;
	size_t offset;
	size_t argnum; /* 1-based */
	char mode;
	int zero, sharp, plus, minus, space;
	int has_prec, prec;
	int has_width, width;
} verb;

static void pad_width(atmo_buf *b, const verb *v, const char *s, size_t n)
{
	size_t have, k;
	if (!v->has_width || (have = hcl__grapheme_count(s, n)) >= (size_t)v->width) {
		atmo__buf_put(b, s, n);
		return;
	}
	if (v->minus)
		atmo__buf_put(b, s, n);
	for (k = have; k < (size_t)v->width; k++)
		atmo__buf_putc(b, v->zero ? '0' : ' ');
	if (!v->minus)
		atmo__buf_put(b, s, n);
}

/* Go's strconv 'g' with precision -1 (shortest), as big.Float.Text('g', -1) */
static void shortest_g(double d, char *out, size_t n)
{
	int p, exp;
	char tmp[64];
	if (d == 0) {
		snprintf(out, n, "0");
		return;
	}
	if (isinf(d)) {
		snprintf(out, n, d > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	exp = atoi(strchr(tmp, 'e') + 1);
	if (exp < -4 || exp >= 6) {
		/* Go's shortest 'g': %e when the exponent is < -4 or >= 6 */
		snprintf(out, n, "%s", tmp);
	} else {
		snprintf(out, n, "%.*f", p - 1 - exp > 0 ? p - 1 - exp : 0, d);
	}
}

static int append_json(atmo_buf *b, const verb *v, hcl_value *arg)
{
	atmo_buf j = ATMO_BUF_INIT;
	if (hcl__json_encode(arg, &j) < 0) {
		atmo__buf_free(&j);
		return -2;
	}
	pad_width(b, v, atmo__buf_cstr(&j), j.len);
	atmo__buf_free(&j);
	return 0;
}

static int fmt_err(char *msg, size_t n, const verb *v, const char *what)
{
	snprintf(msg, n, "unsupported value for \"%.*s\" at %zu: %s", (int)v->rawlen, v->raw,
		 v->offset, what);
	return -1;
}

static int append_integer(atmo_buf *b, const verb *v, double d, char *msg, size_t msglen)
{
	char digits[80], body[200];
	unsigned long long u;
	int neg = d < 0, base = 10, k = 0, i;
	const char *alpha = v->mode == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	const char *prefix = "";
	size_t len;

	if (!isfinite(d) || d != floor(d) || fabs(d) >= 1.8e19)
		return fmt_err(msg, msglen, v, "an integer is required");
	switch (v->mode) {
	case 'b':
		base = 2;
		break;
	case 'o':
		base = 8;
		if (v->sharp)
			prefix = "0";
		break;
	case 'x':
		base = 16;
		if (v->sharp)
			prefix = "0x";
		break;
	case 'X':
		base = 16;
		if (v->sharp)
			prefix = "0X";
		break;
	default:
		break;
	}
	u = (unsigned long long)fabs(d);
	do {
		digits[k++] = alpha[u % (unsigned)base];
		u /= (unsigned)base;
	} while (u && k < 70);
	if (v->has_prec && v->prec == 0 && d == 0)
		k = 0;
	len = 0;
	if (neg)
		body[len++] = '-';
	else if (v->plus)
		body[len++] = '+';
	else if (v->space)
		body[len++] = ' ';
	if (strcmp(prefix, "0") != 0 || digits[k - 1] != '0') {
		memcpy(body + len, prefix, strlen(prefix));
		len += strlen(prefix);
	}
	{
		int want = k;
		if (v->has_prec && v->prec > k)
			want = v->prec < 100 ? v->prec : 100;
		else if (v->zero && !v->minus && v->has_width && !v->has_prec &&
			 (size_t)v->width > len + (size_t)k)
			want = v->width - (int)len;
		if (want > 120)
			want = 120;
		for (i = k; i < want; i++)
			body[len++] = '0';
	}
	for (i = k - 1; i >= 0; i--)
		body[len++] = digits[i];
	{
		verb pv = *v;
		pv.zero = 0;
		pad_width(b, &pv, body, len);
	}
	return 0;
}

static int append_float(atmo_buf *b, const verb *v, double d)
{
	char cf[32], out[512];
	size_t k = 0;
	if ((v->mode == 'g' || v->mode == 'G') && !v->has_prec) {
		char s[64], t[80];
		size_t i;
		shortest_g(d, s, sizeof(s));
		if (v->mode == 'G')
			for (i = 0; s[i]; i++)
				if (s[i] == 'e')
					s[i] = 'E';
		snprintf(t, sizeof(t), "%s%s",
			 d >= 0 && v->plus    ? "+"
			 : d >= 0 && v->space ? " "
					      : "",
			 s);
		if (v->zero && v->has_width && !v->minus && strlen(t) < (size_t)v->width) {
			/* zeros after the sign */
			size_t pad = (size_t)v->width - strlen(t),
			       sign = (t[0] == '-' || t[0] == '+' || t[0] == ' ');
			atmo__buf_put(b, t, sign);
			for (i = 0; i < pad; i++)
				atmo__buf_putc(b, '0');
			atmo__buf_puts(b, t + sign);
			return 0;
		}
		pad_width(b, v, t, strlen(t));
		return 0;
	}
	cf[k++] = '%';
	if (v->plus)
		cf[k++] = '+';
	if (v->minus)
		cf[k++] = '-';
	if (v->space)
		cf[k++] = ' ';
	if (v->zero)
		cf[k++] = '0';
	if (v->sharp)
		cf[k++] = '#';
	cf[k] = '\0';
	if (v->has_width)
		k += (size_t)snprintf(cf + k, sizeof(cf) - k, "%d",
				      v->width > 200 ? 200 : v->width);
	if (v->has_prec)
		k += (size_t)snprintf(cf + k, sizeof(cf) - k, ".%d", v->prec > 200 ? 200 : v->prec);
	cf[k++] = v->mode;
	cf[k] = '\0';
	if (isinf(d)) {
		verb pv = *v;
		pv.zero = 0;
		pad_width(b, &pv,
			  d > 0 ? (v->plus    ? "+Inf"
				   : v->space ? " Inf"
					      : "Inf")
				: "-Inf",
			  d > 0 && !v->plus && !v->space ? 3 : 4);
		return 0;
	}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(out, sizeof(out), cf, d);
#pragma GCC diagnostic pop
	atmo__buf_puts(b, out);
	return 0;
}

/* 0 ok, -1 error in msg, -2 out of memory */
static int append_verb(atmo_buf *b, verb *v, hcl_value *const *args, size_t nargs, char *msg,
		       size_t msglen)
{
	hcl_value *arg, *c;
	char cm[300];
	int rc = 0;

	if (v->argnum == 0 || v->argnum > nargs) {
		snprintf(msg, msglen,
			 "not enough arguments for \"%.*s\" at %zu: need index %zu but have %zu "
			 "total",
			 (int)v->rawlen, v->raw, v->offset, v->argnum, nargs);
		return -1;
	}
	arg = args[v->argnum - 1];
	if (v->mode != 'v' && arg->is_null)
		return fmt_err(msg, msglen, v, "null value cannot be formatted");
	switch (v->mode) {
	case 'v':
		if (!v->sharp && !arg->is_null && arg->type->kind == HCL_T_STRING) {
			pad_width(b, v, arg->u.str.s, arg->u.str.len);
			return 0;
		}
		if (!v->sharp && !arg->is_null && arg->type->kind == HCL_T_NUMBER) {
			char s[64];
			shortest_g(arg->u.num, s, sizeof(s));
			pad_width(b, v, s, strlen(s));
			return 0;
		}
		return append_json(b, v, arg);
	case 't':
		c = hcl_convert(arg, hcl_type_bool(), cm, sizeof(cm), NULL, 0);
		if (!c)
			return fmt_err(msg, msglen, v, cm);
		atmo__buf_puts(b, c->u.b ? "true" : "false");
		hcl_value_unref(c);
		return 0;
	case 'b':
	case 'd':
	case 'o':
	case 'x':
	case 'X':
	case 'e':
	case 'E':
	case 'f':
	case 'g':
	case 'G':
		c = hcl_convert(arg, hcl_type_number(), cm, sizeof(cm), NULL, 0);
		if (!c)
			return fmt_err(msg, msglen, v, cm);
		if (strchr("bdoxX", v->mode))
			rc = append_integer(b, v, c->u.num, msg, msglen);
		else
			rc = append_float(b, v, c->u.num);
		hcl_value_unref(c);
		return rc;
	case 's':
	case 'q': {
		const char *s;
		size_t len, pos = 0;
		c = hcl_convert(arg, hcl_type_string(), cm, sizeof(cm), NULL, 0);
		if (!c)
			return fmt_err(msg, msglen, v, cm);
		s = c->u.str.s;
		len = c->u.str.len;
		if (v->has_prec && v->prec > 0) {
			int k;
			for (k = 0; k < v->prec && pos < len; k++)
				pos += hcl__grapheme(s + pos, len - pos);
			len = pos;
		}
		if (v->mode == 's') {
			pad_width(b, v, s, len);
		} else {
			hcl_value *t = hcl_string(s, len);
			if (!t) {
				hcl_value_unref(c);
				return -2;
			}
			rc = append_json(b, v, t);
			hcl_value_unref(t);
		}
		hcl_value_unref(c);
		return rc;
	}
	default:
		snprintf(msg, msglen, "unsupported format verb '%c' in \"%.*s\" at offset %zu",
			 v->mode, (int)v->rawlen, v->raw, v->offset);
		return -1;
	}
}

/*
 * The format machine: 0 ok, -1 error (msg; *arg_err set to the 1-based
 * argument for "too many arguments"), -2 out of memory.
 */
static int do_format(atmo_buf *b, const char *f, size_t n, hcl_value *const *args, size_t nargs,
		     char *msg, size_t msglen, int *arg_err)
{
	size_t i = 0, next = 1, highest = 0;
	*arg_err = 0;
	atmo__buf_puts(b, "");
	while (i < n) {
		verb v;
		size_t start;
		if (f[i] != '%') {
			atmo__buf_putc(b, f[i++]);
			continue;
		}
		if (i + 1 < n && f[i + 1] == '%') {
			atmo__buf_putc(b, '%');
			i += 2;
			continue;
		}
		memset(&v, 0, sizeof(v));
		start = i;
		v.argnum = next;
		i++;
		for (; i < n; i++) {
			if (f[i] == '0')
				v.zero = 1;
			else if (f[i] == '#')
				v.sharp = 1;
			else if (f[i] == '-')
				v.minus = 1;
			else if (f[i] == '+')
				v.plus = 1;
			else if (f[i] == ' ')
				v.space = 1;
			else
				break;
		}
		if (i < n && f[i] == '[') {
			size_t k = i + 1, num = 0;
			if (k < n && f[k] >= '1' && f[k] <= '9') {
				while (k < n && f[k] >= '0' && f[k] <= '9' && num < 100000)
					num = num * 10 + (size_t)(f[k++] - '0');
				if (k < n && f[k] == ']') {
					v.argnum = num;
					i = k + 1;
				} else {
					goto bad_char;
				}
			} else {
				goto bad_char;
			}
		}
		if (i < n && f[i] >= '1' && f[i] <= '9') {
			v.has_width = 1;
			while (i < n && f[i] >= '0' && f[i] <= '9') {
				if (v.width < 100000)
					v.width = v.width * 10 + (f[i] - '0');
				i++;
			}
		}
		if (i < n && f[i] == '.') {
			v.has_prec = 1;
			i++;
			while (i < n && f[i] >= '0' && f[i] <= '9') {
				if (v.prec < 100000)
					v.prec = v.prec * 10 + (f[i] - '0');
				i++;
			}
		}
		if (i >= n) {
			snprintf(msg, msglen, "invalid format string starting at offset %zu",
				 start);
			return -1;
		}
		if (!((f[i] >= 'a' && f[i] <= 'z') || (f[i] >= 'A' && f[i] <= 'Z')))
			goto bad_char;
		v.mode = f[i];
		v.raw = f + start;
		v.rawlen = i + 1 - start;
		v.offset = start;
		i++;
		{
			int rc = append_verb(b, &v, args, nargs, msg, msglen);
			if (rc < 0)
				return rc;
		}
		if (v.argnum > highest)
			highest = v.argnum;
		next = v.argnum + 1;
		continue;
	bad_char:
		snprintf(msg, msglen, "unrecognized format character '%c' at offset %zu",
			 i < n ? f[i] : '?', i);
		return -1;
	}
	if (b->oom)
		return -2;
	if (highest < nargs) {
		*arg_err = (int)highest + 1;
		if (highest == 0)
			snprintf(msg, msglen, "too many arguments; no verbs in format string");
		else
			snprintf(msg, msglen, "too many arguments; only %zu used by format string",
				 highest);
		return -1;
	}
	return 0;
}

static int f_format(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	atmo_buf b = ATMO_BUF_INIT;
	char msg[400];
	int rc, arg_err;
	size_t i;

	for (i = 1; i < n; i++)
		if (!hcl_value_is_wholly_known(args[i]))
			return hcl__ret(out, hcl_unknown(hcl_type_string()), e);
	rc = do_format(&b, args[0]->u.str.s, args[0]->u.str.len, args + 1, n - 1, msg, sizeof(msg),
		       &arg_err);
	if (rc == -2) {
		atmo__buf_free(&b);
		return hcl__nomem(e);
	}
	if (rc < 0) {
		atmo__buf_free(&b);
		return hcl__fail(e, arg_err ? arg_err : -1, "%s", msg);
	}
	return hcl__ret_buf(out, &b, e);
}

static int f_formatlist(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			hcl_func_error *e)
{
	size_t nargs = n - 1, i, it, iter_len = (size_t)-1, chooser = 0;
	hcl_value **fa = NULL, **res = NULL, *r;
	int rc = -1;

	for (i = 1; i < n; i++) {
		hcl_value *a = args[i];
		if (hcl__is_seq(a->type) && !a->is_null) {
			size_t len;
			if (a->is_unknown)
				return hcl__ret(out, hcl_unknown(NULL), e);
			len = a->u.seq.n;
			if (iter_len == (size_t)-1) {
				iter_len = len;
				chooser = i;
			} else if (len != iter_len) {
				return hcl__fail(e, (int)i,
						 "argument %zu has length %zu, which is "
						 "inconsistent with argument %zu of length %zu",
						 i, len, chooser, iter_len);
			}
		} else if (a->is_unknown) {
			/* a single unknown value makes every result unknown below */
		}
	}
	if (iter_len == 0)
		return hcl__ret(out, hcl__list_of(HCL__STR, NULL, 0), e);
	if (iter_len == (size_t)-1)
		iter_len = 1;
	fa = atmo__calloc(nargs ? nargs : 1, sizeof(*fa), NULL);
	res = atmo__calloc(iter_len, sizeof(*res), NULL);
	if (!fa || !res) {
		hcl__nomem(e);
		goto done;
	}
	for (it = 0; it < iter_len; it++) {
		int known = 1, arg_err;
		atmo_buf b = ATMO_BUF_INIT;
		char msg[400];
		int frc;
		for (i = 0; i < nargs; i++) {
			hcl_value *a = args[i + 1];
			fa[i] = hcl__is_seq(a->type) && !a->is_null ? a->u.seq.items[it] : a;
			if (!hcl_value_is_wholly_known(fa[i]))
				known = 0;
		}
		if (!known) {
			res[it] = hcl_unknown(hcl_type_string());
			if (!res[it]) {
				hcl__nomem(e);
				goto done;
			}
			continue;
		}
		frc = do_format(&b, args[0]->u.str.s, args[0]->u.str.len, fa, nargs, msg,
				sizeof(msg), &arg_err);
		if (frc == -2) {
			atmo__buf_free(&b);
			hcl__nomem(e);
			goto done;
		}
		if (frc < 0) {
			atmo__buf_free(&b);
			hcl__fail(e, -1, "error on format iteration %zu: %s", it, msg);
			goto done;
		}
		res[it] = hcl_string(b.ptr, b.len);
		atmo__buf_free(&b);
		if (!res[it]) {
			hcl__nomem(e);
			goto done;
		}
	}
	r = hcl__list_of(HCL__STR, res, iter_len);
	atmo__free(res);
	res = NULL;
	rc = hcl__ret(out, r, e);
done:
	if (res) {
		for (i = 0; i < iter_len; i++)
			hcl_value_unref(res[i]);
		atmo__free(res);
	}
	atmo__free(fa);
	return rc;
}

static const hcl_param p_format[] = { HCL__P("format", HCL__STR) };
static const hcl_param p_format_v = {
	.name = "args", .type = HCL__DYN, .allow_null = 1, .allow_unknown = 1, .allow_dynamic = 1
};

const hcl_func hcl__fn_format[] = {
	{ "format", p_format, 1, &p_format_v, f_format, NULL },
	{ "formatlist", p_format, 1, &p_format_v, f_formatlist, NULL },
};
const size_t hcl__fn_format_n = sizeof(hcl__fn_format) / sizeof(hcl__fn_format[0]);
