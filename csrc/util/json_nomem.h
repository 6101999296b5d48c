/* Internal: telling jansson's "out of memory" from a document that is not JSON. */
#ifndef ATMO_UTIL_JSON_NOMEM_H
#define ATMO_UTIL_JSON_NOMEM_H

#include <stddef.h>
#include <jansson.h>

/*
 * Whether json_loads()/json_loadb() of text (len bytes) failed for lack of
 * memory rather than for the text. jansson 2.14 records
 * json_error_out_of_memory in a few places only: most of its allocation
 * failures leave the error as the load initialised it (no text), and a string
 * it read whole but could not copy becomes a syntax error, "invalid token" or
 * "string or '}' expected", whose position is just past the string's closing
 * quote (a string that is really broken is reported by the lexer first, with
 * its own message). je must be zeroed (memset) before the load, as jansson
 * does not clear the error code.
 * (jansson also drops a byte of a long string when its buffer cannot grow,
 * without any error: that loss cannot be seen here.)
 */
int atmo__json_nomem(const json_error_t *je, const char *text, size_t len);

/*
 * json_loadb() of text with je zeroed first (as atmo__json_nomem() needs);
 * when it gives NULL, *nomem says whether memory ran out (1) or the text is
 * not JSON (0, je says where).
 */
json_t *atmo__json_loadb(const char *text, size_t len, size_t flags, json_error_t *je, int *nomem);

/*
 * json_dumps() that is whole or NULL (out of memory). jansson 2.14 ignores a
 * failure to write an object's key (dump_string's result), so json_dumps()
 * can return a document with a key cut short or missing. Here every write goes
 * to a buffer of ours that records its failure. Freed with atmo__free().
 */
char *atmo__json_dumps(const json_t *j, size_t flags);

#endif
