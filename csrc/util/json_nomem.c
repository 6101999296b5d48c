#include <string.h>
#include "util/buf.h"
#include "util/json_nomem.h"

int atmo__json_nomem(const json_error_t *je, const char *text, size_t len)
{
	if (json_error_code(je) == json_error_out_of_memory)
		return 1;
	/* no error recorded: lex_init() or a value that could not be made */
	if (!je->text[0])
		return 1;
	/* lex_scan_string() could not copy a string it had read whole: the token is
	   TOKEN_INVALID and the parser reports a syntax error just past it */
	return json_error_code(je) == json_error_invalid_syntax &&
	       (!strncmp(je->text, "invalid token", 13) ||
		!strncmp(je->text, "string or '}' expected", 22)) &&
	       je->position > 0 && (size_t)je->position <= len && text[je->position - 1] == '"';
}

json_t *atmo__json_loadb(const char *text, size_t len, size_t flags, json_error_t *je, int *nomem)
{
	json_t *j;

	memset(je, 0, sizeof(*je));
	j = json_loadb(text, len, flags, je);
	*nomem = !j && atmo__json_nomem(je, text, len);
	return j;
}

static int dump_put(const char *s, size_t n, void *data)
{
	return atmo__buf_put(data, s, n) < 0 ? -1 : 0;
}

char *atmo__json_dumps(const json_t *j, size_t flags)
{
	atmo_buf b = ATMO_BUF_INIT;

	/* b.oom stays set after a failed write, the ones jansson ignores too */
	if (json_dump_callback(j, dump_put, &b, flags) < 0 || b.oom || !b.ptr) {
		atmo__buf_free(&b);
		return NULL;
	}
	return atmo__buf_detach(&b);
}
