/*
 * libFuzzer: the HCL standard library's text-reading functions (format
 * strings, dates, durations, regular expressions, CSV, JSON, CIDR, semver)
 * and conversions from strings. The first byte picks the function, the rest
 * is split at NUL bytes into string arguments.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/stdlib_int.h"

static const char *const fns[] = {
	"format", "formatlist", "formatdate", "formattimestamp", "timeadd", "regex", "regexall",
	"regex_replace", "csvdecode", "jsondecode", "cidrhost", "cidrsubnet", "cidrsubnets", "cidrnetmask",
	"semvercmp", "parseint", "base64decode", "substr", "split", "replace", "title", "upper", "trim",
	"urlencode", "uuidv5", "sanitize", "dirname", "basename", "strlen", "reverse", "indent", "chomp",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hcl_value *args[4] = { 0 }, *out = NULL, *num;
	hcl_func_error e;
	const hcl_func *f;
	size_t n = 0, i, start = 1;
	char msg[200];

	if (size < 1)
		return 0;
	f = hcl_stdlib_lookup(fns[data[0] % (sizeof(fns) / sizeof(fns[0]))]);
	for (i = 1; i <= size && n < 4; i++) {
		if (i == size || data[i] == 0) {
			args[n++] = hcl_string((const char *)data + start, i - start);
			start = i + 1;
		}
	}
	/* numbers where the function wants them come from converting the string (or fail cleanly) */
	if (f && hcl_func_call(f, args, n, &out, &e) == 0)
		hcl_value_unref(out);
	for (i = 0; i < n; i++) {
		num = hcl_convert(args[i], hcl_type_number(), msg, sizeof(msg), NULL, 0);
		hcl_value_unref(num);
		hcl_value_unref(args[i]);
	}
	return 0;
}
