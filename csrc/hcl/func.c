/*
 * Calling HCL functions as hclsyntax's FunctionCallExpr and cty's
 * function.Call do: argument count, conversion to the parameter types,
 * null and unknown rules, then the implementation.
 *
 * The message left in hcl_func_error.msg is HCL's whole diagnostic detail,
 * so the evaluator only picks the summary from e->arg:
 *   e->arg >= 0: summary "Invalid function argument",
 *                detail  'Invalid value for "NAME" parameter: MSG.'
 *   e->arg == -1: summary "Error in function call",
 *                detail  'Call to function "NAME" failed: MSG.'
 *                (argument count errors: summary "Not enough function
 *                arguments" / "Too many function arguments", detail as HCL's;
 *                the evaluator, which knows the ranges, may check counts first)
 *
 * The payload of `homedir` is the user's home directory as a `const char *`:
 * the library does not read the environment, the bake layer copies the
 * hcl_func and sets payload.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/stdlib_int.h"
#include "util/alloc.h"

int hcl__fail(hcl_func_error *e, int arg, const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return -1;
	e->arg = arg;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int hcl__nomem(hcl_func_error *e)
{
	return hcl__fail(e, -1, "out of memory");
}

int hcl__ret(hcl_value **out, hcl_value *v, hcl_func_error *e)
{
	if (!v)
		return hcl__nomem(e);
	*out = v;
	return 0;
}

int hcl__ret_buf(hcl_value **out, atmo_buf *b, hcl_func_error *e)
{
	size_t len = b->len;
	char *s;
	if (b->oom) {
		atmo__buf_free(b);
		return hcl__nomem(e);
	}
	if (!b->ptr)
		return hcl__ret(out, hcl_string("", 0), e);
	s = atmo__buf_detach(b);
	if (!s)
		return hcl__nomem(e);
	return hcl__ret(out, hcl_string_take(s, len), e);
}

/* Every bake function name, sorted bytewise (buildx's stdlib.go). */
static const char *const names[] = {
	"absolute",
	"add",
	"and",
	"base64decode",
	"base64encode",
	"basename",
	"bcrypt",
	"byteslen",
	"bytesslice",
	"can",
	"ceil",
	"chomp",
	"chunklist",
	"cidrhost",
	"cidrnetmask",
	"cidrsubnet",
	"cidrsubnets",
	"coalesce",
	"coalescelist",
	"compact",
	"concat",
	"contains",
	"convert",
	"csvdecode",
	"dirname",
	"distinct",
	"divide",
	"element",
	"equal",
	"flatten",
	"floor",
	"format",
	"formatdate",
	"formatlist",
	"formattimestamp",
	"greaterthan",
	"greaterthanorequalto",
	"hasindex",
	"homedir",
	"indent",
	"index",
	"indexof",
	"int",
	"join",
	"jsondecode",
	"jsonencode",
	"keys",
	"length",
	"lessthan",
	"lessthanorequalto",
	"log",
	"lookup",
	"lower",
	"max",
	"md5",
	"merge",
	"min",
	"modulo",
	"multiply",
	"negate",
	"not",
	"notequal",
	"or",
	"parseint",
	"pow",
	"range",
	"regex",
	"regex_replace",
	"regexall",
	"replace",
	"reverse",
	"reverselist",
	"rsadecrypt",
	"sanitize",
	"semvercmp",
	"sethaselement",
	"setintersection",
	"setproduct",
	"setsubtract",
	"setsymmetricdifference",
	"setunion",
	"sha1",
	"sha256",
	"sha512",
	"signum",
	"slice",
	"sort",
	"split",
	"strlen",
	"substr",
	"subtract",
	"timeadd",
	"timestamp",
	"title",
	"trim",
	"trimprefix",
	"trimspace",
	"trimsuffix",
	"try",
	"unixtimestampparse",
	"upper",
	"urlencode",
	"uuidv4",
	"uuidv5",
	"values",
	"zipmap",
};

size_t hcl_stdlib_count(void)
{
	return sizeof(names) / sizeof(names[0]);
}

const char *hcl_stdlib_name(size_t i)
{
	return i < hcl_stdlib_count() ? names[i] : NULL;
}

static const hcl_func *find_in(const hcl_func *t, size_t n, const char *name)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

const hcl_func *hcl_stdlib_lookup(const char *name)
{
	const hcl_func *f;
	if (!name)
		return NULL;
	if ((f = find_in(hcl__fn_strings, hcl__fn_strings_n, name)) ||
	    (f = find_in(hcl__fn_collections, hcl__fn_collections_n, name)) ||
	    (f = find_in(hcl__fn_numeric, hcl__fn_numeric_n, name)) ||
	    (f = find_in(hcl__fn_encoding, hcl__fn_encoding_n, name)) ||
	    (f = find_in(hcl__fn_time, hcl__fn_time_n, name)) ||
	    (f = find_in(hcl__fn_net, hcl__fn_net_n, name)) ||
	    (f = find_in(hcl__fn_regex, hcl__fn_regex_n, name)) ||
	    (f = find_in(hcl__fn_format, hcl__fn_format_n, name)) ||
	    (f = find_in(hcl__fn_misc, hcl__fn_misc_n, name)))
		return f;
	return NULL;
}

int hcl_func_call(const hcl_func *f, hcl_value *const *args, size_t n, hcl_value **out,
		  hcl_func_error *e)
{
	hcl_value **conv = NULL;
	size_t i;
	int rc = -1, unknown = 0;
	char msg[sizeof(e->msg)];

	*out = NULL;
	if (n < f->n_params) {
		return hcl__fail(
			e, -1,
			"Function \"%s\" expects %s%zu argument(s). Missing value for \"%s\".",
			f->name, f->varparam ? "at least " : "", f->n_params, f->params[n].name);
	}
	if (n > f->n_params && !f->varparam)
		return hcl__fail(e, -1, "Function \"%s\" expects only %zu argument(s).", f->name,
				 f->n_params);

	conv = atmo__calloc(n ? n : 1, sizeof(*conv), NULL);
	if (!conv)
		return hcl__nomem(e);
	for (i = 0; i < n; i++) {
		const hcl_param *p = i < f->n_params ? &f->params[i] : f->varparam;
		char cmsg[400];
		conv[i] = hcl_convert(args[i], p->type, cmsg, sizeof(cmsg), NULL, 0);
		if (!conv[i]) {
			hcl__fail(e, (int)i, "Invalid value for \"%s\" parameter: %s.", p->name,
				  cmsg);
			goto done;
		}
	}
	for (i = 0; i < n; i++) {
		const hcl_param *p = i < f->n_params ? &f->params[i] : f->varparam;
		if (conv[i]->is_null && !p->allow_null) {
			hcl__fail(e, (int)i,
				  "Invalid value for \"%s\" parameter: argument must not be null.",
				  p->name);
			goto done;
		}
		/* cty: a dynamic-typed argument only skips the return type check */
		if (conv[i]->is_unknown && !p->allow_unknown)
			unknown = 1;
	}
	if (unknown) {
		*out = hcl_unknown(NULL);
		rc = *out ? 0 : hcl__nomem(e);
		goto done;
	}
	if (!f->impl) {
		hcl__fail(e, -1, "Call to function \"%s\" failed: not callable here.", f->name);
		goto done;
	}
	e->arg = -1;
	e->msg[0] = '\0';
	if (f->impl(f->payload, conv, n, out, e) < 0) {
		const hcl_param *p = NULL;
		*out = NULL;
		snprintf(msg, sizeof(msg), "%s", e->msg);
		if (e->arg >= 0)
			p = (size_t)e->arg < f->n_params ? &f->params[e->arg] : f->varparam;
		if (p)
			hcl__fail(e, e->arg, "Invalid value for \"%s\" parameter: %s.", p->name,
				  msg);
		else if (e->arg >= 0)
			hcl__fail(e, e->arg, "Invalid value for unnamed parameter: %s.", msg);
		else
			hcl__fail(e, -1, "Call to function \"%s\" failed: %s.", f->name, msg);
		goto done;
	}
	rc = 0;
done:
	for (i = 0; i < n; i++)
		hcl_value_unref(conv[i]);
	atmo__free(conv);
	return rc;
}
