/* Internal: telling jansson's "out of memory" from a document that is not JSON. */
#ifndef ATMO_UTIL_JSON_NOMEM_H
#define ATMO_UTIL_JSON_NOMEM_H

#include <jansson.h>

/*
 * Whether a failed json_load*() call ran out of memory. jansson 2.14 records
 * json_error_out_of_memory in a few places only: most of its allocation
 * failures leave the error as json_load*() initialised it (no text), and a
 * string token it could not copy is reported as a syntax error ("invalid
 * token" or "string or '}' expected", near that whole string or, past 20
 * bytes, near nothing). The last form is also what a number or bare word
 * longer than 20 bytes in place of a key or value gives: it is taken as out
 * of memory only when own is set (a document the library wrote itself, as a
 * run's state; a user's text keeps its syntax error). A caller that takes a document that does not parse for
 * "none" (a state to rebuild from scratch) must not do so for these.
 * je must be zeroed (memset) before the load call, as jansson does not clear
 * the error code.
 */
int atmo__json_nomem(const json_error_t *je, int own);

#endif
