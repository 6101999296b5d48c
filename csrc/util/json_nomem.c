#include <string.h>
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
