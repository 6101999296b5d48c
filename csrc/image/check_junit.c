/* Image module: the check document (check.h) as JUnit XML for CI systems. */
#include <stdlib.h>
#include <string.h>
#include "atmograph/check.h"
#include "util/buf.h"
#include "util/error.h"

/* text with the five XML specials escaped and control characters dropped */
static void xml_text(atmo_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			atmo__buf_puts(b, "&amp;");
			break;
		case '<':
			atmo__buf_puts(b, "&lt;");
			break;
		case '>':
			atmo__buf_puts(b, "&gt;");
			break;
		case '"':
			atmo__buf_puts(b, "&quot;");
			break;
		case '\'':
			atmo__buf_puts(b, "&apos;");
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				atmo__buf_putc(b, *s);
		}
	}
}

static long long count(const json_t *rules, const char *status)
{
	size_t i;
	json_t *r;
	long long n = 0;
	json_array_foreach(rules, i, r)
		n += !strcmp(json_string_value(json_object_get(r, "status"))
				     ? json_string_value(json_object_get(r, "status"))
				     : "",
			     status);
	return n;
}

int atmo_check_junit(char **out, const json_t *doc, atmo_error *err)
{
	atmo_buf b = ATMO_BUF_INIT;
	const json_t *sum = json_object_get(doc, "summary"), *img, *rule;
	const char *schema = json_string_value(json_object_get(doc, "schema"));
	size_t i, k;

	atmo_error_clear(err);
	*out = NULL;
	if (!schema || strcmp(schema, "atmograph.check/1"))
		return atmo__error_set(err, ATMO_EINVALID, NULL, 0, 0,
				       "not a check document (schema atmograph.check/1)");
	atmo__buf_printf(&b,
			 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<testsuites name=\"atmograph check\" tests=\"%lld\" failures=\"%lld\" "
			 "skipped=\"%lld\">\n",
			 (long long)json_integer_value(json_object_get(sum, "rules")),
			 (long long)json_integer_value(json_object_get(sum, "failed")),
			 (long long)json_integer_value(json_object_get(sum, "skipped")));
	json_array_foreach(json_object_get(doc, "images"), i, img) {
		const json_t *rules = json_object_get(img, "rules");
		atmo__buf_puts(&b, "  <testsuite name=\"");
		xml_text(&b, json_string_value(json_object_get(img, "source")));
		atmo__buf_printf(&b, "\" tests=\"%zu\" failures=\"%lld\" skipped=\"%lld\">\n",
				 json_array_size(rules), count(rules, "fail"),
				 count(rules, "skip"));
		json_array_foreach(rules, k, rule) {
			const char *st = json_string_value(json_object_get(rule, "status"));
			const char *msg = json_string_value(json_object_get(rule, "message"));
			atmo__buf_puts(&b, "    <testcase classname=\"atmograph.check\" name=\"");
			xml_text(&b, json_string_value(json_object_get(rule, "rule")));
			atmo__buf_puts(&b, "\">\n");
			if (st && !strcmp(st, "fail")) {
				atmo__buf_puts(&b, "      <failure type=\"rule\" message=\"");
				xml_text(&b, msg);
				atmo__buf_puts(&b, "\"/>\n");
			} else if (st && !strcmp(st, "skip")) {
				atmo__buf_puts(&b, "      <skipped message=\"");
				xml_text(&b, msg);
				atmo__buf_puts(&b, "\"/>\n");
			}
			atmo__buf_puts(&b, "      <system-out>");
			xml_text(&b, msg);
			atmo__buf_puts(&b, "</system-out>\n    </testcase>\n");
		}
		atmo__buf_puts(&b, "  </testsuite>\n");
	}
	atmo__buf_puts(&b, "</testsuites>\n");
	if (b.oom) {
		atmo__buf_free(&b);
		return atmo__error_nomem(err);
	}
	*out = atmo__buf_detach(&b);
	return *out ? 0 : atmo__error_nomem(err);
}
