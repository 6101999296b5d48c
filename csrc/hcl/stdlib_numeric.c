/* Number, comparison and boolean functions of cty's stdlib. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/stdlib_int.h"
#include "util/alloc.h"

#define N(i) (args[i]->u.num)

static int num(hcl_value **out, double d, hcl_func_error *e)
{
	return hcl__ret(out, hcl_number(d), e);
}

static int f_absolute(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return num(out, fabs(N(0)), e);
}

static int f_negate(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return num(out, -N(0), e);
}

static int f_add(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	if (isinf(N(0)) && isinf(N(1)) && N(0) != N(1))
		return hcl__fail(e, -1, "can't compute sum of opposing infinities");
	return num(out, N(0) + N(1), e);
}

static int f_subtract(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	if (isinf(N(0)) && isinf(N(1)) && N(0) == N(1))
		return hcl__fail(e, -1, "can't subtract infinity from itself");
	return num(out, N(0) - N(1), e);
}

static int f_multiply(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	if ((isinf(N(0)) && N(1) == 0) || (isinf(N(1)) && N(0) == 0))
		return hcl__fail(e, -1, "can't multiply zero by infinity");
	return num(out, N(0) * N(1), e);
}

static int f_divide(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	if ((N(0) == 0 && N(1) == 0) || (isinf(N(0)) && isinf(N(1))))
		return hcl__fail(e, -1, "can't divide zero by zero or infinity by infinity");
	return num(out, N(0) / N(1), e);
}

static int f_modulo(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	if (N(1) == 0 || isinf(N(0)))
		return hcl__fail(e, -1, "can't use modulo with zero or infinity");
	if (isinf(N(1)))
		return num(out, N(0), e);
	/* cty: a - b*trunc(a/b), as C's fmod */
	return num(out, fmod(N(0), N(1)), e);
}

static int f_ceil(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return num(out, ceil(N(0)), e);
}

static int f_floor(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return num(out, floor(N(0)), e);
}

static int f_int(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	if (isinf(N(0)))
		return hcl__fail(e, -1, "can't truncate infinity to an integer");
	return num(out, trunc(N(0)), e);
}

static int f_log(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return num(out, log(N(0)) / log(N(1)), e);
}

static int f_pow(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return num(out, pow(N(0), N(1)), e);
}

static int f_signum(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return num(out, N(0) > 0 ? 1 : N(0) < 0 ? -1 : 0, e);
}

static int minmax(hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e,
		  int want_max)
{
	size_t i;
	double best;
	if (n == 0)
		return hcl__fail(e, -1, "must pass at least one number");
	best = N(0);
	for (i = 1; i < n; i++)
		if (want_max ? N(i) > best : N(i) < best)
			best = N(i);
	return num(out, best, e);
}

static int f_max(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return minmax(args, n, out, e, 1);
}

static int f_min(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return minmax(args, n, out, e, 0);
}

/* Go's big.Int SetString digit value for base b, -1 when not a digit */
static int digit(char c, int base)
{
	int d;
	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'z')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'Z')
		d = c - 'A' + (base <= 36 ? 10 : 36);
	else
		return -1;
	return d < base ? d : -1;
}

static int f_parseint(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *s = args[0];
	long long base;
	const char *str;
	size_t i = 0, len;
	double v = 0;
	int neg = 0;

	if (s->type->kind != HCL_T_STRING) {
		atmo_buf b = ATMO_BUF_INIT;
		hcl__type_name(s->type, &b, 0);
		hcl__fail(e, 0, "first argument must be a string, not %s", atmo__buf_cstr(&b));
		atmo__buf_free(&b);
		return -1;
	}
	if (hcl__whole(args[1], &base) < 0 || base < 2 || base > 62)
		return hcl__fail(e, 1, "base must be a whole number between 2 and 62 inclusive");
	str = s->u.str.s;
	len = s->u.str.len;
	if (len > 0 && (str[0] == '+' || str[0] == '-')) {
		neg = str[0] == '-';
		i = 1;
	}
	if (i == len)
		goto bad;
	for (; i < len; i++) {
		int d = digit(str[i], (int)base);
		if (d < 0)
			goto bad;
		v = v * (double)base + d;
	}
	return num(out, neg ? -v : v, e);
bad:
	return hcl__fail(e, 0, "cannot parse \"%s\" as a base %lld integer", str, base);
}

static int f_gt(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return hcl__ret(out, hcl_bool(N(0) > N(1)), e);
}

static int f_ge(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return hcl__ret(out, hcl_bool(N(0) >= N(1)), e);
}

static int f_lt(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return hcl__ret(out, hcl_bool(N(0) < N(1)), e);
}

static int f_le(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return hcl__ret(out, hcl_bool(N(0) <= N(1)), e);
}

static int f_equal(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return hcl__ret(out, hcl__equals(args[0], args[1]), e);
}

static int f_notequal(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	hcl_value *eq = hcl__equals(args[0], args[1]);
	if (!eq)
		return hcl__nomem(e);
	if (eq->is_unknown)
		return hcl__ret(out, eq, e);
	*out = hcl_bool(!eq->u.b);
	hcl_value_unref(eq);
	return *out ? 0 : hcl__nomem(e);
}

static int f_and(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return hcl__ret(out, hcl_bool(args[0]->u.b && args[1]->u.b), e);
}

static int f_or(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return hcl__ret(out, hcl_bool(args[0]->u.b || args[1]->u.b), e);
}

static int f_not(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	return hcl__ret(out, hcl_bool(!args[0]->u.b), e);
}

static int f_range(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	double start = 0, end, step = 1, v;
	hcl_value **items;
	size_t cnt = 0, cap = 1024, i;
	hcl_value *r;

	if (n == 0 || n > 3)
		return hcl__fail(e, -1, "must have one, two, or three arguments");
	if (n == 1) {
		end = N(0);
		step = end < 0 ? -1 : 1;
	} else {
		start = N(0);
		end = N(1);
		if (n == 3)
			step = N(2);
		else if (end < start)
			step = -1;
	}
	if (step == 0)
		return hcl__fail(e, 2, "step must not be zero");
	if (step < 0 && end > start)
		return hcl__fail(e, 1, "end must be less than start when step is negative");
	if (step > 0 && end < start)
		return hcl__fail(e, 1, "end must be greater than start when step is positive");
	items = atmo__calloc(cap, sizeof(*items), NULL);
	if (!items)
		return hcl__nomem(e);
	for (v = start; step > 0 ? v < end : v > end; v += step) {
		if (cnt == cap) {
			for (i = 0; i < cnt; i++)
				hcl_value_unref(items[i]);
			atmo__free(items);
			return hcl__fail(e, -1,
					 "more than 1024 values were generated; either decrease "
					 "the difference "
					 "between start and end or use a smaller step");
		}
		items[cnt] = hcl_number(v);
		if (!items[cnt]) {
			for (i = 0; i < cnt; i++)
				hcl_value_unref(items[i]);
			atmo__free(items);
			return hcl__nomem(e);
		}
		cnt++;
	}
	r = hcl__list_of(HCL__NUM, items, cnt);
	atmo__free(items);
	return hcl__ret(out, r, e);
}

static const hcl_param p_num[] = { HCL__P("num", HCL__NUM) };
static const hcl_param p_ab[] = { HCL__P("a", HCL__NUM), HCL__P("b", HCL__NUM) };
static const hcl_param p_log[] = { HCL__P("num", HCL__NUM), HCL__P("base", HCL__NUM) };
static const hcl_param p_pow[] = { HCL__P("num", HCL__NUM), HCL__P("power", HCL__NUM) };
static const hcl_param p_numbers_v = { .name = "numbers", .type = HCL__NUM, .allow_dynamic = 1 };
static const hcl_param p_params_v = HCL__P("params", HCL__NUM);
static const hcl_param p_parseint[] = { HCL__P("number", HCL__DYN), HCL__P("base", HCL__NUM) };
static const hcl_param p_eq[] = {
	{ .name = "a", .type = HCL__DYN, .allow_unknown = 1, .allow_null = 1, .allow_dynamic = 1 },
	{ .name = "b", .type = HCL__DYN, .allow_unknown = 1, .allow_null = 1, .allow_dynamic = 1 }
};
static const hcl_param p_bool_ab[] = { { .name = "a", .type = HCL__BOOL, .allow_dynamic = 1 },
				       { .name = "b", .type = HCL__BOOL, .allow_dynamic = 1 } };
static const hcl_param p_bool_val[] = { { .name = "val", .type = HCL__BOOL, .allow_dynamic = 1 } };

#define FN(nm, params, impl)                                                                       \
	{                                                                                          \
		nm, params, sizeof(params) / sizeof(params[0]), NULL, impl, NULL                   \
	}

const hcl_func hcl__fn_numeric[] = {
	FN("absolute", p_num, f_absolute),
	FN("negate", p_num, f_negate),
	FN("add", p_ab, f_add),
	FN("subtract", p_ab, f_subtract),
	FN("multiply", p_ab, f_multiply),
	FN("divide", p_ab, f_divide),
	FN("modulo", p_ab, f_modulo),
	FN("ceil", p_num, f_ceil),
	FN("floor", p_num, f_floor),
	FN("int", p_num, f_int),
	FN("log", p_log, f_log),
	FN("pow", p_pow, f_pow),
	FN("signum", p_num, f_signum),
	{ "max", NULL, 0, &p_numbers_v, f_max, NULL },
	{ "min", NULL, 0, &p_numbers_v, f_min, NULL },
	FN("parseint", p_parseint, f_parseint),
	FN("greaterthan", p_ab, f_gt),
	FN("greaterthanorequalto", p_ab, f_ge),
	FN("lessthan", p_ab, f_lt),
	FN("lessthanorequalto", p_ab, f_le),
	FN("equal", p_eq, f_equal),
	FN("notequal", p_eq, f_notequal),
	FN("and", p_bool_ab, f_and),
	FN("or", p_bool_ab, f_or),
	FN("not", p_bool_val, f_not),
	{ "range", NULL, 0, &p_params_v, f_range, NULL },
};
const size_t hcl__fn_numeric_n = sizeof(hcl__fn_numeric) / sizeof(hcl__fn_numeric[0]);
