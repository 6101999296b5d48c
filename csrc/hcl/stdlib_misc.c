/*
 * buildx's semvercmp (Masterminds/semver v3 versions and constraints), and
 * the three functions that take expressions rather than values (try, can,
 * convert): the evaluator handles those itself; their entries here exist so
 * that every bake function has a name and parameters.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/stdlib_int.h"

typedef struct {
	unsigned long long part[3];
	char pre[128];
	int nparts; /* parts written (1..3) */
	int wild;   /* index of the first wildcard part, -1 none */
} semver;

/* 0 ok, -1 invalid; wildcards (x X *) allowed when allow_wild */
static int sv_parse(const char *s, size_t n, semver *v, int allow_wild)
{
	size_t i = 0;
	int k;
	memset(v, 0, sizeof(*v));
	v->wild = -1;
	if (i < n && (s[i] == 'v' || s[i] == 'V'))
		i++;
	for (k = 0; k < 3; k++) {
		if (i >= n)
			break;
		if (allow_wild && (s[i] == 'x' || s[i] == 'X' || s[i] == '*')) {
			if (v->wild < 0)
				v->wild = k;
			i++;
		} else {
			size_t st = i;
			if (!isdigit((unsigned char)s[i]))
				return -1;
			while (i < n && isdigit((unsigned char)s[i])) {
				v->part[k] = v->part[k] * 10 + (unsigned)(s[i] - '0');
				i++;
			}
			if (i - st > 1 && s[st] == '0' && k > 0)
				return -1;
			if (v->wild >= 0)
				return -1;
		}
		v->nparts = k + 1;
		if (i < n && s[i] == '.' && k < 2)
			i++;
		else
			break;
	}
	if (v->nparts == 0)
		return -1;
	if (i < n && s[i] == '-') {
		size_t st = ++i;
		while (i < n && s[i] != '+')
			i++;
		if (i == st || i - st >= sizeof(v->pre))
			return -1;
		memcpy(v->pre, s + st, i - st);
		v->pre[i - st] = '\0';
	}
	if (i < n && s[i] == '+') {
		if (++i >= n)
			return -1;
		while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '.'))
			i++;
	}
	return i == n ? 0 : -1;
}

static int cmp_ull(unsigned long long a, unsigned long long b)
{
	return a < b ? -1 : a > b;
}

static int pre_cmp(const char *a, const char *b)
{
	if (!*a && !*b)
		return 0;
	if (!*a)
		return 1;
	if (!*b)
		return -1;
	while (*a && *b) {
		size_t la = strcspn(a, "."), lb = strcspn(b, ".");
		int na = strspn(a, "0123456789") == la, nb = strspn(b, "0123456789") == lb;
		int c;
		if (na && nb) {
			c = cmp_ull(strtoull(a, NULL, 10), strtoull(b, NULL, 10));
		} else if (na || nb) {
			c = na ? -1 : 1;
		} else {
			c = strncmp(a, b, la < lb ? la : lb);
			if (!c)
				c = la < lb ? -1 : la > lb;
		}
		if (c)
			return c < 0 ? -1 : 1;
		a += la + (a[la] == '.');
		b += lb + (b[lb] == '.');
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int sv_cmp(const semver *a, const semver *b)
{
	int k, c;
	for (k = 0; k < 3; k++)
		if ((c = cmp_ull(a->part[k], b->part[k])) != 0)
			return c;
	return pre_cmp(a->pre, b->pre);
}

/* the exclusive upper bound of a constraint version's range at its first wildcard/missing part */
static void bump(const semver *c, int at, semver *out)
{
	memset(out, 0, sizeof(*out));
	if (at <= 0) {
		out->part[0] = c->part[0] + 1;
	} else if (at == 1) {
		out->part[0] = c->part[0];
		out->part[1] = c->part[1] + 1;
	} else {
		out->part[0] = c->part[0];
		out->part[1] = c->part[1];
		out->part[2] = c->part[2] + 1;
	}
	out->pre[0] = '\0';
}

static int dirty_at(const semver *c)
{
	if (c->wild >= 0)
		return c->wild;
	return c->nparts < 3 ? c->nparts : -1;
}

static int in_range(const semver *v, const semver *lo, const semver *hi)
{
	return sv_cmp(v, lo) >= 0 && sv_cmp(v, hi) < 0;
}

/* one "OP VERSION" term; -1 improper */
static int check_term(const semver *v, const char *op, const char *ver, size_t vn)
{
	semver c, hi, lo;
	int d, r;
	if (sv_parse(ver, vn, &c, 1) < 0)
		return -1;
	/* a prerelease version only satisfies terms that name a prerelease */
	if (v->pre[0] && !c.pre[0])
		return 0;
	d = dirty_at(&c);
	if (d == 0) {
		/* "*" (or "x"): every version */
		if (!strcmp(op, "!=") || !strcmp(op, "<") || !strcmp(op, ">"))
			return 0;
		return 1;
	}
	lo = c;
	lo.wild = -1;
	for (r = d < 0 ? 3 : d; r < 3; r++)
		lo.part[r] = 0;
	if (!strcmp(op, "") || !strcmp(op, "=") || !strcmp(op, "!=")) {
		int eq;
		if (d < 0) {
			eq = sv_cmp(v, &c) == 0;
		} else {
			bump(&c, d - 1, &hi);
			eq = in_range(v, &lo, &hi);
		}
		return !strcmp(op, "!=") ? !eq : eq;
	}
	if (!strcmp(op, ">"))
		return d < 0 ? sv_cmp(v, &c) > 0 : (bump(&c, d - 1, &hi), sv_cmp(v, &hi) >= 0);
	if (!strcmp(op, ">=") || !strcmp(op, "=>"))
		return sv_cmp(v, &lo) >= 0;
	if (!strcmp(op, "<"))
		return sv_cmp(v, &lo) < 0;
	if (!strcmp(op, "<=") || !strcmp(op, "=<")) {
		if (d < 0)
			return sv_cmp(v, &c) <= 0;
		bump(&c, d - 1, &hi);
		return sv_cmp(v, &hi) < 0;
	}
	if (!strcmp(op, "~") || !strcmp(op, "~>")) {
		bump(&c, c.nparts >= 2 && (d < 0 || d >= 2) ? 1 : 0, &hi);
		return in_range(v, &lo, &hi);
	}
	if (!strcmp(op, "^")) {
		int at;
		if (c.part[0] > 0 || c.nparts == 1 || d == 1)
			at = 0;
		else if (c.part[1] > 0 || c.nparts == 2 || d == 2)
			at = 1;
		else
			at = 2;
		bump(&c, at, &hi);
		return in_range(v, &lo, &hi);
	}
	return -1;
}

/* the whole constraint: || alternatives of comma/space separated terms; -1 improper */
static int check_constraint(const semver *v, const char *s)
{
	int any = 0;
	const char *alt = s;
	for (;;) {
		const char *bar = strstr(alt, "||");
		size_t alen = bar ? (size_t)(bar - alt) : strlen(alt);
		size_t i = 0;
		int all = 1, terms = 0;
		while (i < alen) {
			char op[3] = "";
			size_t k = 0, st;
			while (i < alen && (alt[i] == ' ' || alt[i] == ','))
				i++;
			if (i >= alen)
				break;
			while (i < alen && k < 2 && strchr("=<>!~^", alt[i]))
				op[k++] = alt[i++];
			op[k] = '\0';
			while (i < alen && alt[i] == ' ')
				i++;
			st = i;
			while (i < alen && alt[i] != ' ' && alt[i] != ',')
				i++;
			if (i == st)
				return -1;
			{
				size_t j = i, st2;
				int r;
				while (j < alen && alt[j] == ' ')
					j++;
				if (!op[0] && j + 1 < alen && alt[j] == '-' && alt[j + 1] == ' ') {
					/* a hyphen range "A - B": >= A and <= B */
					j += 2;
					while (j < alen && alt[j] == ' ')
						j++;
					st2 = j;
					while (j < alen && alt[j] != ' ' && alt[j] != ',')
						j++;
					if (j == st2)
						return -1;
					r = check_term(v, ">=", alt + st, i - st);
					if (r > 0)
						r = check_term(v, "<=", alt + st2, j - st2);
					i = j;
				} else {
					r = check_term(v, op, alt + st, i - st);
				}
				if (r < 0)
					return -1;
				if (!r)
					all = 0;
			}
			terms++;
		}
		if (terms == 0)
			return -1;
		if (all)
			any = 1;
		if (!bar)
			break;
		alt = bar + 2;
	}
	return any;
}

static int f_semvercmp(void *p, hcl_value *const *args, size_t n, hcl_value **out,
		       hcl_func_error *e)
{
	semver v;
	int r;
	if (sv_parse(args[0]->u.str.s, args[0]->u.str.len, &v, 0) < 0)
		return hcl__fail(e, -1, "Invalid Semantic Version");
	r = check_constraint(&v, args[1]->u.str.s);
	if (r < 0)
		return hcl__fail(e, -1, "improper constraint: %s", args[1]->u.str.s);
	return hcl__ret(out, hcl_bool(r), e);
}

int hcl__stdlib_convert(hcl_value *v, const hcl_type *t, hcl_value **out, hcl_func_error *e)
{
	char msg[400];
	*out = NULL;
	if (v->is_unknown) {
		hcl_type *u = hcl__type_without_optional(t);
		if (!u)
			return hcl__nomem(e);
		return hcl__ret(out, hcl_unknown(u), e);
	}
	*out = hcl_convert(v, t, msg, sizeof(msg), NULL, 0);
	if (!*out)
		return hcl__fail(e, 0, "Invalid value for \"value\" parameter: %s.", msg);
	return 0;
}

static int f_by_evaluator(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			  hcl_func_error *e)
{
	return hcl__fail(e, -1,
			 "this function takes expressions and is evaluated by the HCL evaluator");
}

static const hcl_param p_semver[] = { HCL__P("version", HCL__STR), HCL__P("contraint", HCL__STR) };
static const hcl_param p_can[] = { HCL__P("expression", HCL__DYN) };
static const hcl_param p_try_v = HCL__P("expressions", HCL__DYN);
static const hcl_param p_convert[] = { HCL__PNU("value", HCL__DYN), HCL__P("type", HCL__DYN) };

#define FN(nm, params, impl)                                                                       \
	{                                                                                          \
		nm, params, sizeof(params) / sizeof(params[0]), NULL, impl, NULL                   \
	}

const hcl_func hcl__fn_misc[] = {
	FN("semvercmp", p_semver, f_semvercmp),
	FN("can", p_can, f_by_evaluator),
	{ "try", NULL, 0, &p_try_v, f_by_evaluator, NULL },
	FN("convert", p_convert, f_by_evaluator),
};
const size_t hcl__fn_misc_n = sizeof(hcl__fn_misc) / sizeof(hcl__fn_misc[0]);
