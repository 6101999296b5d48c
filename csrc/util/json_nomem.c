#include <string.h>
#include "util/json_nomem.h"

/* jansson's parser messages for a token it did not get: after them comes
   " near '<token>'" when the token read is 20 bytes or shorter, else nothing */
static int token_lost(const char *text, const char *msg, int own)
{
	size_t n = strlen(msg), len = strlen(text);

	if (strncmp(text, msg, n))
		return 0;
	if (!text[n])
		return own; /* a token longer than 20 bytes */
	/* near a whole string token (a string that is really broken is reported
	   by the lexer first, with its own message) */
	return !strncmp(text + n, " near '\"", 8) && len >= n + 10 &&
	       !strcmp(text + len - 2, "\"'");
}

int atmo__json_nomem(const json_error_t *je, int own)
{
	if (json_error_code(je) == json_error_out_of_memory)
		return 1;
	/* no error recorded: lex_init() or a value that could not be made */
	if (!je->text[0])
		return 1;
	/* lex_scan_string() could not copy a string it had read whole: the token
	   is TOKEN_INVALID and the parser reports a syntax error */
	return json_error_code(je) == json_error_invalid_syntax &&
	       (token_lost(je->text, "invalid token", own) ||
		token_lost(je->text, "string or '}' expected", own));
}
